//! A page as the news pipeline keeps it: its tokens (hashed) with their spans in the
//! original text, and its lines with the features chrome removal looks at.

use crate::text::{tokenize, NormalizeOptions};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Seed of the token hash used by the news pipeline (any fixed value works; it is
/// part of the persisted format, so it never changes).
pub const TOKEN_SEED: u64 = 0x6465_6475_7074_6f6b;

/// One line of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// First token of the line.
    pub tok_start: u32,
    /// One past the last token of the line.
    pub tok_end: u32,
    /// Hash of the line's normalised tokens (0 for a line without tokens).
    pub key: u64,
    /// The line ends like a sentence (., !, ?, a closing quote after one, ...) or
    /// has a sentence boundary inside.
    pub sentence: bool,
    /// Some token of the line contains a digit (dates, times, counts).
    pub digit: bool,
}

impl Line {
    /// Tokens in the line.
    pub fn len(&self) -> usize {
        (self.tok_end - self.tok_start) as usize
    }

    /// True for a line without tokens.
    pub fn is_empty(&self) -> bool {
        self.tok_end == self.tok_start
    }
}

/// A tokenised page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// Hash of each normalised token.
    pub tokens: Vec<u64>,
    /// Byte span of each token in the original text.
    pub spans: Vec<(u32, u32)>,
    /// Lines that have tokens, in order.
    pub lines: Vec<Line>,
}

impl Page {
    /// Tokenises `text`, keeping lines that have at least one token.
    pub fn new(text: &str) -> Self {
        let opts = NormalizeOptions { case_fold: true, strip_accents: true };
        let toks = tokenize(text, opts);
        let tokens: Vec<u64> =
            (0..toks.len()).map(|i| xxh3_64_with_seed(toks.token(i).as_bytes(), TOKEN_SEED)).collect();
        let mut lines = Vec::new();
        let mut t = 0usize;
        let mut line_start = 0usize;
        for line in text.split_inclusive('\n') {
            let line_end = line_start + line.len();
            let first = t;
            while t < toks.spans.len() && (toks.spans[t].0 as usize) < line_end {
                t += 1;
            }
            if t > first {
                let key = line_key(&tokens[first..t]);
                let digit = (first..t).any(|i| toks.token(i).chars().any(char::is_numeric));
                lines.push(Line {
                    tok_start: first as u32,
                    tok_end: t as u32,
                    key,
                    sentence: is_sentence_like(line),
                    digit,
                });
            }
            line_start = line_end;
        }
        Self { tokens, spans: toks.spans, lines }
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// True for a page without tokens.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// Hash of a line's token hashes.
pub fn line_key(tokens: &[u64]) -> u64 {
    let mut bytes = Vec::with_capacity(tokens.len() * 8);
    for t in tokens {
        bytes.extend_from_slice(&t.to_le_bytes());
    }
    xxh3_64_with_seed(&bytes, TOKEN_SEED)
}

const STOPS: [char; 9] = ['.', '!', '?', '。', '！', '？', '।', '؟', '۔'];
const CLOSERS: [char; 11] = ['"', '\'', '”', '’', '»', ')', ']', '」', '』', '）', '*'];

/// True when a line ends with sentence punctuation (closing quotes and brackets
/// allowed after it), or has a sentence boundary inside: a full stop, optionally a
/// closer, then whitespace and more text. Covers Latin, CJK, Devanagari, Arabic
/// and Ethiopic punctuation.
fn is_sentence_like(line: &str) -> bool {
    let trimmed = line.trim_end_matches(|c: char| c.is_whitespace() || CLOSERS.contains(&c));
    if trimmed.ends_with(STOPS) || trimmed.ends_with(['…', ';', ':', '።']) {
        return true;
    }
    let chars: Vec<char> = trimmed.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !STOPS.contains(&c) {
            continue;
        }
        let mut j = i + 1;
        if j < chars.len() && CLOSERS[..6].contains(&chars[j]) {
            j += 1;
        }
        let ws = j;
        while j < chars.len() && chars[j].is_whitespace() {
            j += 1;
        }
        if j > ws && j < chars.len() {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_tokens_and_punctuation() {
        let p = Page::new("Home\n\nThe minister said “yes.”\n  \nRead more");
        assert_eq!(p.lines.len(), 3);
        assert_eq!(p.lines.iter().map(Line::len).collect::<Vec<_>>(), [1, 4, 2]);
        assert_eq!(p.lines.iter().map(|l| l.sentence).collect::<Vec<_>>(), [false, true, false]);
        assert!(Page::new("First one. Then more").lines[0].sentence);
        assert!(Page::new("12 hours ago").lines[0].digit);
    }

    #[test]
    fn equal_lines_have_equal_keys_across_quote_styles() {
        let a = Page::new("He said \"we will win\".");
        let b = Page::new("He said “we will win”.");
        assert_eq!(a.lines[0].key, b.lines[0].key);
    }
}
