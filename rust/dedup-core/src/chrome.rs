//! Chrome removal without per-site rules or word lists: which lines of a page are
//! the article.
//!
//! Each line gets a kind from its own shape: a *stamp* (a few tokens with a digit:
//! times, dates), *short* (menus, markers, bylines), *prose* (sentence-like and long
//! enough), or a *head* (titles, truncated teasers, captions without punctuation).
//! Corpus recurrence (a line on many pages, or on several pages of its own outlet)
//! turns prose into *recur* and heads into *boiler*; the caller decides that, since it
//! needs corpus counts.
//!
//! Context then decides, in the spirit of jusText (Pomikálek, "Removing Boilerplate
//! and Duplicate Content from Web Corpora", 2011): runs of prose may bridge a few
//! short lines (an advertisement marker inside the article); a run with two or more
//! fresh prose lines is article body; a recurring line is kept only right next to
//! fresh prose of its run (a lede that the outlet's rail also quotes, inside the real
//! copy); a lone prose line is a rail teaser when a stamp is near, the article when it
//! is long, and otherwise dropped.

/// The kind of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A few tokens with a digit: "4 hours ago", "14 September 2023".
    Stamp,
    /// Very few tokens: menu entries, markers.
    Short,
    /// Sentence-like text of some length.
    Prose,
    /// Neither short nor sentence-like: titles, teasers, captions, bylines.
    Head,
    /// Prose that recurs across the corpus or the outlet.
    Recur,
    /// A head that recurs across the corpus or the outlet.
    Boiler,
}

/// Thresholds of chrome removal.
#[derive(Debug, Clone, Copy)]
pub struct ChromeOptions {
    /// A line with at most this many tokens is `Short`.
    pub short_max: usize,
    /// A line with at most this many tokens, one with a digit, is a `Stamp`.
    pub stamp_max: usize,
    /// `Prose` needs this many tokens and sentence punctuation ...
    pub prose_min: usize,
    /// ... or this many tokens without it.
    pub prose_long: usize,
    /// Short lines a run of prose may bridge.
    pub bridge_max: usize,
    /// A lone prose line with this many tokens is the article.
    pub lone_body_tokens: usize,
    /// A lone prose line with a stamp this close (in lines) is a teaser ...
    pub stamp_radius: usize,
    /// ... unless it has more tokens than this (an article printed as one line
    /// under a dateline or a numeric title; teasers are a sentence or two).
    pub teaser_max: usize,
    /// A line on this many pages of its outlet recurs.
    pub same_source_pages: u32,
    /// A line found in more distinct texts than this (near-duplicate copies count
    /// once) recurs.
    pub recur_texts: u32,
}

impl Default for ChromeOptions {
    fn default() -> Self {
        Self {
            short_max: 4,
            stamp_max: 5,
            prose_min: 8,
            prose_long: 25,
            bridge_max: 3,
            lone_body_tokens: 40,
            stamp_radius: 2,
            teaser_max: 80,
            same_source_pages: 3,
            recur_texts: 10,
        }
    }
}

/// The kind of a line from its own shape.
pub fn line_kind(tokens: usize, digit: bool, sentence: bool, o: &ChromeOptions) -> Kind {
    if tokens <= o.stamp_max && digit {
        Kind::Stamp
    } else if tokens <= o.short_max {
        Kind::Short
    } else if tokens >= o.prose_long || (tokens >= o.prose_min && sentence) {
        Kind::Prose
    } else {
        Kind::Head
    }
}

/// Marks the article lines of a page from the kinds of its lines (recurrence
/// already applied) and their token counts.
pub fn body_lines(kinds: &[Kind], sizes: &[usize], o: &ChromeOptions) -> Vec<bool> {
    let n = kinds.len();
    let mut body = vec![false; n];
    // run[i]: the run a line belongs to (prose and recur lines only).
    let mut run = vec![usize::MAX; n];
    let mut runs: Vec<Vec<usize>> = Vec::new();
    let mut cur: Vec<usize> = Vec::new();
    let mut gap = 0;
    for (i, &k) in kinds.iter().enumerate() {
        match k {
            Kind::Prose | Kind::Recur => {
                cur.push(i);
                gap = 0;
            }
            Kind::Short if !cur.is_empty() && gap < o.bridge_max => gap += 1,
            _ => {
                if !cur.is_empty() {
                    runs.push(std::mem::take(&mut cur));
                }
                gap = 0;
            }
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    for (r, lines) in runs.iter().enumerate() {
        for &i in lines {
            run[i] = r;
        }
    }
    // A recurring line stays only when a neighbouring line is fresh prose of its run.
    let recur_ok = |i: usize| {
        [i.wrapping_sub(1), i + 1].into_iter().any(|j| j < n && kinds[j] == Kind::Prose && run[j] == run[i])
    };
    let fresh_of = |lines: &[usize]| lines.iter().filter(|&&i| kinds[i] == Kind::Prose).count();
    let fresh_tokens = |lines: &[usize]| {
        lines.iter().filter(|&&i| kinds[i] == Kind::Prose).map(|&i| sizes[i]).sum::<usize>()
    };
    // A page with a body of several paragraphs has its article; a lone long line
    // elsewhere on it is a teaser or a standfirst, not a second article, unless it
    // is longer than that body (an article printed as one line, next to a list of
    // short items that passed for paragraphs).
    let body_tokens = runs.iter().filter(|r| fresh_of(r) >= 2).map(|r| fresh_tokens(r)).max().unwrap_or(0);
    for lines in &runs {
        let fresh: Vec<usize> = lines.iter().copied().filter(|&i| kinds[i] == Kind::Prose).collect();
        let keep_run = match fresh.len() {
            0 => false,
            1 => {
                let i = fresh[0];
                let lo = i.saturating_sub(o.stamp_radius);
                let hi = (i + o.stamp_radius + 1).min(n);
                let near_stamp = kinds[lo..hi].contains(&Kind::Stamp) && sizes[i] <= o.teaser_max;
                !near_stamp && sizes[i] > body_tokens && sizes[i] >= o.lone_body_tokens
            }
            _ => true,
        };
        if keep_run {
            for &i in lines {
                body[i] = kinds[i] == Kind::Prose || recur_ok(i);
            }
        }
    }
    // A bare text without any chrome (a wire brief of one paragraph, perhaps under
    // its headline) is all article, however short: nothing on it looks like page
    // furniture that a lone teaser would stand among.
    let bare = kinds.iter().all(|&k| matches!(k, Kind::Prose | Kind::Head));
    if bare && !body.contains(&true) {
        for (b, &k) in body.iter_mut().zip(kinds) {
            *b = k == Kind::Prose;
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::Kind::{Head, Prose, Recur, Short, Stamp};
    use super::*;

    #[test]
    fn kinds_follow_shape() {
        let o = ChromeOptions::default();
        assert_eq!(line_kind(3, true, false, &o), Stamp);
        assert_eq!(line_kind(3, false, true, &o), Short);
        assert_eq!(line_kind(9, false, false, &o), Head);
        assert_eq!(line_kind(9, false, true, &o), Prose);
        assert_eq!(line_kind(30, false, false, &o), Prose);
    }

    #[test]
    fn a_rail_teaser_is_chrome_but_a_recurring_lede_in_the_body_is_content() {
        // menu, headline, lede (recurs: the outlet's rail also quotes it), body, an ad
        // marker inside the body, more body, then a rail of teasers: a truncated
        // title, a timestamp and a lede each.
        let kinds = [Short, Head, Recur, Prose, Prose, Short, Prose, Head, Stamp, Prose, Head, Stamp, Recur];
        let sizes = [1, 9, 25, 30, 28, 1, 26, 9, 3, 24, 9, 3, 22];
        let want = [false, false, true, true, true, false, true, false, false, false, false, false, false];
        assert_eq!(body_lines(&kinds, &sizes, &ChromeOptions::default()), want);
    }

    #[test]
    fn an_article_on_one_line_beats_a_short_multi_line_run() {
        // title, the whole article on one line, then a "most read" list whose items
        // looked like two short paragraphs
        let kinds = [Head, Prose, Head, Prose, Prose];
        let sizes = [8, 150, 2, 9, 9];
        let want = [false, true, false, true, true];
        assert_eq!(body_lines(&kinds, &sizes, &ChromeOptions::default()), want);
        // a lone teaser shorter than the multi-paragraph body stays out
        let sizes = [8, 45, 2, 30, 30];
        assert_eq!(body_lines(&kinds, &sizes, &ChromeOptions::default()), [false, false, false, true, true]);
    }

    #[test]
    fn a_long_line_near_a_stamp_is_an_article_not_a_teaser() {
        // a numeric title ("727 homes flooded") and a one-line article under it
        let kinds = [Short, Stamp, Head, Prose, Head];
        assert_eq!(
            body_lines(&kinds, &[1, 4, 7, 200, 6], &ChromeOptions::default()),
            [false, false, false, true, false]
        );
        assert_eq!(body_lines(&kinds, &[1, 4, 7, 45, 6], &ChromeOptions::default()), [false; 5]);
    }

    #[test]
    fn a_bare_wire_page_of_one_paragraph_is_kept_however_short() {
        let o = ChromeOptions::default();
        assert_eq!(body_lines(&[Prose], &[60], &o), [true]);
        assert_eq!(body_lines(&[Prose], &[20], &o), [true]);
        assert_eq!(body_lines(&[Head, Prose], &[6, 20], &o), [false, true]);
        // a lone short line among page furniture is still a teaser
        assert_eq!(body_lines(&[Short, Prose, Short], &[1, 20, 2], &o), [false; 3]);
        assert_eq!(body_lines(&[Stamp, Prose], &[3, 20], &o), [false; 2]);
    }
}
