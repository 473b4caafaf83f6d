//! From token ranges to the characters of a page's text: where a shared passage or
//! an article line is, for a caller who has the text (the core keeps none).

use super::article::Article;
use super::page::token_spans;
use crate::text::byte_to_char_offsets;

/// Character offsets `(a_start, a_end, b_start, b_end)` in `text_a` and `text_b` of
/// passages given as token ranges of the two pages (as [`super::Relation::passages`]
/// gives them). A range that does not fit its text (a text that changed since its
/// page was added) comes out empty, `(0, 0)`, rather than failing.
pub fn passage_offsets(
    text_a: &str,
    text_b: &str,
    passages: &[(u32, u32, u32, u32)],
) -> Vec<(u32, u32, u32, u32)> {
    let (sa, sb) = (token_spans(text_a), token_spans(text_b));
    let bytes = |spans: &[(u32, u32)], s: u32, e: u32| -> Option<(u32, u32)> {
        let first = spans.get(s as usize)?;
        let last = spans.get((e as usize).checked_sub(1)?)?;
        Some((first.0, last.1))
    };
    let mut flat_a = Vec::with_capacity(passages.len() * 2);
    let mut flat_b = Vec::with_capacity(passages.len() * 2);
    for &(a0, a1, b0, b1) in passages {
        let (x0, x1) = bytes(&sa, a0, a1).unwrap_or((0, 0));
        let (y0, y1) = bytes(&sb, b0, b1).unwrap_or((0, 0));
        flat_a.extend([x0, x1]);
        flat_b.extend([y0, y1]);
    }
    let ca = byte_to_char_offsets(text_a, &flat_a);
    let cb = byte_to_char_offsets(text_b, &flat_b);
    (0..passages.len()).map(|i| (ca[2 * i], ca[2 * i + 1], cb[2 * i], cb[2 * i + 1])).collect()
}

/// The article's lines as character ranges of `text` (the page's text as it was
/// added), each extended to its whole line without surrounding whitespace, so that
/// opening quotes and closing punctuation are kept.
pub fn article_spans(text: &str, art: &Article) -> Vec<(u32, u32)> {
    let tokens = token_spans(text);
    let mut spans: Vec<(u32, u32)> = Vec::new();
    let mut last_line = u32::MAX;
    for (i, &t) in art.tokens.iter().enumerate() {
        let Some(&(s, e)) = tokens.get(t as usize) else { break };
        if art.line_of[i] == last_line {
            if let Some(x) = spans.last_mut() {
                x.1 = e;
            }
        } else {
            spans.push((s, e));
            last_line = art.line_of[i];
        }
    }
    for span in &mut spans {
        let before = &text[..span.0 as usize];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let lead = &before[line_start..];
        span.0 = (line_start + (lead.len() - lead.trim_start().len())) as u32;
        let rest = &text[span.1 as usize..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        span.1 += rest[..line_end].trim_end().len() as u32;
    }
    let flat: Vec<u32> = spans.iter().flat_map(|&(s, e)| [s, e]).collect();
    let chars = byte_to_char_offsets(text, &flat);
    chars.chunks(2).map(|c| (c[0], c[1])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::news::page::Page;
    use crate::news::NewsOptions;

    #[test]
    fn token_ranges_map_to_characters_of_the_text() {
        let a = "Größe: “We stay,” she said.";
        let b = "x\n“We stay,” she said, and left.";
        // tokens of a: Größe, We, stay, she, said; of b: x, We, stay, she, said, and, left
        let got = passage_offsets(a, b, &[(1, 5, 1, 5), (9, 12, 0, 1)]);
        let chars = |s: &str, r: (u32, u32)| {
            s.chars().skip(r.0 as usize).take((r.1 - r.0) as usize).collect::<String>()
        };
        assert_eq!(chars(a, (got[0].0, got[0].1)), "We stay,” she said");
        assert_eq!(chars(b, (got[0].2, got[0].3)), "We stay,” she said");
        assert_eq!((got[1].0, got[1].1), (0, 0), "a range past the text is empty");
    }

    #[test]
    fn article_spans_cover_whole_kept_lines() {
        let text = "Menu\n  “A quote,” she said.  \nFooter line here";
        let page = Page::new(text);
        let art = Article::from_lines(&page, &[false, true, false], &NewsOptions::default());
        let spans = article_spans(text, &art);
        assert_eq!(spans.len(), 1);
        let got: String =
            text.chars().skip(spans[0].0 as usize).take((spans[0].1 - spans[0].0) as usize).collect();
        assert_eq!(got, "“A quote,” she said.");
    }
}
