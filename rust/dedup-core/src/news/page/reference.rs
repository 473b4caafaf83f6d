//! The page builder as it was written first, plainly: what the faster builder in
//! `page.rs` must agree with, token for token and bit for bit.

use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::{
    line_ending, logical_lines, unlisted_body, Line, Page, CLOSERS, MAX_LINE_TOKENS, STOPS, TOKEN_SEED,
};
use crate::text::{tokenize, NormalizeOptions};

pub(super) fn build(text: &str) -> Page {
    let opts = NormalizeOptions { case_fold: true, strip_accents: true };
    let toks = tokenize(text, opts);
    let tokens: Vec<u32> =
        (0..toks.len()).map(|i| xxh3_64_with_seed(toks.token(i).as_bytes(), TOKEN_SEED) as u32).collect();
    let mut lines = Vec::new();
    let mut quoted = vec![false; toks.len()];
    let mut starts = vec![false; toks.len()];
    let mut t = 0usize;
    for (line_start, line_end) in logical_lines(text) {
        let line = &text[line_start..line_end];
        let first = t;
        while t < toks.spans.len() && (toks.spans[t].0 as usize) < line_end {
            t += 1;
        }
        mark_quoted(line, line_start, &toks.spans[first..t], &mut quoted[first..t]);
        for i in first + 1..t {
            let gap = &text[toks.spans[i - 1].1 as usize..toks.spans[i].0 as usize];
            starts[i] = gap.contains(STOPS);
        }
        let sentence = t > first && is_sentence_like(line);
        let ending = line_ending(line);
        let mut start = first;
        while start < t {
            let end = t.min(start + MAX_LINE_TOKENS as usize);
            let digit = (start..end).any(|i| {
                let w = toks.token(i);
                w.bytes().any(|b| b.is_ascii_digit()) || (!w.is_ascii() && w.chars().any(char::is_numeric))
            });
            lines.push(Line::new(start as u32, end as u32, sentence, digit, ending));
            start = end;
        }
    }
    Page { tokens, lines, quoted: to_bits(&quoted), sentences: to_bits(&starts) }
}

/// Marks the tokens of one line (spans relative to the page) that stand inside
/// quotation marks. Typographic opening marks open a quote and closing marks close
/// it; a straight double quote toggles. An unclosed quote runs to the end of the
/// line, as in news copy where a quote spanning paragraphs reopens each one.
fn mark_quoted(line: &str, offset: usize, spans: &[(u32, u32)], out: &mut [bool]) {
    // Most lines hold no quotation mark at all: every one of them is ASCII or
    // starts with byte 0xC2 («, ») or 0xE2 (“ ” „ ‘ ’), and `out` starts unmarked.
    if !line.bytes().any(|b| matches!(b, b'"' | b'\'' | 0xC2 | 0xE2)) {
        return;
    }
    let mut marks: Vec<(usize, bool)> = Vec::new(); // (byte offset in page, opens)
    let mut open = false;
    // Single quotation marks (British usage: 'We will stay,' she said), told from
    // apostrophes by what stands around them: one opens after a space or a bracket
    // and before a letter, and closes after a letter or punctuation and before a
    // space, punctuation or the end of the line, while a single quote is open.
    let mut single = false;
    let mut before: Option<char> = None;
    let mut rest = line.char_indices().peekable();
    while let Some((i, c)) = rest.next() {
        let after = rest.peek().map(|p| p.1);
        let opens = match c {
            '“' | '„' | '«' => Some(true),
            '”' | '»' => Some(false),
            '"' => Some(!open),
            '‘' | '\'' if !open && !single => {
                let starts = before.is_none_or(|b| b.is_whitespace() || "([{-–—".contains(b));
                (starts && after.is_some_and(char::is_alphanumeric)).then(|| {
                    single = true;
                    true
                })
            }
            '’' | '\'' if single => {
                let ends = after.is_none_or(|a| a.is_whitespace() || ".,;:!?)]}-–—".contains(a));
                (ends && before.is_some_and(|b| b.is_alphanumeric() || ".,;:!?".contains(b))).then(|| {
                    single = false;
                    false
                })
            }
            _ => None,
        };
        if let Some(o) = opens {
            open = o;
            marks.push((offset + i, o));
        }
        before = Some(c);
    }
    let mut m = 0;
    let mut inside = false;
    for (k, &(start, _)) in spans.iter().enumerate() {
        while m < marks.len() && marks[m].0 < start as usize {
            inside = marks[m].1;
            m += 1;
        }
        out[k] = inside;
    }
}

/// True when a line ends with sentence punctuation or has a sentence boundary
/// inside (a stop, an optional closer, whitespace, then more text), a list number
/// opening the line being none; read character by character.
fn is_sentence_like(line: &str) -> bool {
    let Some(unlisted) = unlisted_body(line) else { return true };
    let mut it = unlisted.chars().peekable();
    while let Some(c) = it.next() {
        if !STOPS.contains(&c) {
            continue;
        }
        if it.peek().is_some_and(|n| CLOSERS[..6].contains(n)) {
            it.next();
        }
        let mut ws = false;
        while it.peek().is_some_and(|n| n.is_whitespace()) {
            it.next();
            ws = true;
        }
        if ws && it.peek().is_some() {
            return true;
        }
    }
    false
}

fn to_bits(flags: &[bool]) -> Vec<u64> {
    let mut bits = vec![0u64; flags.len().div_ceil(64)];
    for (i, &f) in flags.iter().enumerate() {
        if f {
            bits[i / 64] |= 1 << (i % 64);
        }
    }
    bits
}
