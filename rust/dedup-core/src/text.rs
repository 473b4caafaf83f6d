//! Text normalisation and tokenisation for any script.
//!
//! Tokens are found on the *original* text, so every token keeps its byte span there
//! (passages are reported with offsets a user can highlight). Each token is then
//! normalised on its own: Unicode NFKC, case folding, optional accent stripping, and
//! removal of the punctuation UAX #29 keeps inside words (so `today's`, `today’s` and
//! `todays` are one token, as are `5,000` and `5000`).
//!
//! Word boundaries follow Unicode UAX #29 (`unicode-segmentation`). Scripts written
//! without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) have no word
//! boundaries to find, so each of their characters becomes a token; word k-grams over
//! such a run are then character k-grams, which is what near-duplicate detection for
//! those scripts conventionally uses.
//!
//! Pure-ASCII text takes a hand-written path that implements the ASCII subset of
//! UAX #29; a property test checks it against the general path.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// How tokens are normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NormalizeOptions {
    /// Fold case (Unicode lowercase, plus `ß` → `ss`).
    pub case_fold: bool,
    /// Remove combining marks after canonical decomposition (`é` → `e`).
    pub strip_accents: bool,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        Self { case_fold: true, strip_accents: false }
    }
}

/// The tokens of one text: normalised forms joined by single spaces in `norm`, with
/// each token's span both in `norm` and in the original text (byte offsets).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tokens {
    /// Normalised tokens separated by one ASCII space.
    pub norm: String,
    /// Byte span of each token in `norm`.
    pub norm_spans: Vec<(u32, u32)>,
    /// Byte span of each token in the original text.
    pub spans: Vec<(u32, u32)>,
}

impl Tokens {
    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when the text had no tokens.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The normalised form of token `i`.
    pub fn token(&self, i: usize) -> &str {
        let (s, e) = self.norm_spans[i];
        &self.norm[s as usize..e as usize]
    }

    /// The normalised tokens `i..j` joined by spaces, without copying.
    pub fn joined(&self, i: usize, j: usize) -> &str {
        debug_assert!(i < j && j <= self.len());
        &self.norm[self.norm_spans[i].0 as usize..self.norm_spans[j - 1].1 as usize]
    }

    fn push(&mut self, original: (usize, usize), norm: &str) {
        if norm.is_empty() {
            return;
        }
        if !self.norm.is_empty() {
            self.norm.push(' ');
        }
        let s = self.norm.len();
        self.norm.push_str(norm);
        self.norm_spans.push((s as u32, self.norm.len() as u32));
        self.spans.push((original.0 as u32, original.1 as u32));
    }
}

/// True for characters of scripts that do not separate words with spaces.
pub fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF        // Thai, Lao
        | 0x1000..=0x109F      // Myanmar
        | 0x1780..=0x17FF      // Khmer
        | 0x19E0..=0x19FF      // Khmer symbols
        | 0x3040..=0x30FF      // Hiragana, Katakana
        | 0x31F0..=0x31FF      // Katakana extensions
        | 0x3400..=0x4DBF      // CJK extension A
        | 0x4E00..=0x9FFF      // CJK unified ideographs
        | 0xF900..=0xFAFF      // CJK compatibility ideographs
        | 0xFF66..=0xFF9F      // half-width Katakana
        | 0x20000..=0x3134F    // CJK extensions B-G
    )
}

/// Normalises one token: NFKC, case fold, optional accent strip, keep alphanumerics.
pub fn normalize_token(word: &str, opts: NormalizeOptions, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        for b in word.bytes() {
            if b.is_ascii_alphanumeric() {
                out.push(if opts.case_fold { b.to_ascii_lowercase() } else { b } as char);
            }
        }
        return;
    }
    let mut push = |c: char| {
        if !c.is_alphanumeric() {
            return;
        }
        if opts.case_fold {
            match c {
                'ß' | 'ẞ' => out.push_str("ss"),
                _ => out.extend(c.to_lowercase()),
            }
        } else {
            out.push(c);
        }
    };
    if opts.strip_accents {
        for c in word.nfkd().filter(|&c| !is_combining_mark(c)) {
            push(c);
        }
    } else {
        for c in word.nfkc() {
            push(c);
        }
    }
    if opts.strip_accents {
        // NFKD split characters apart; compose what is left so that equal text has
        // one byte form whatever form it arrived in.
        if !out.is_ascii() {
            *out = out.nfc().collect();
        }
    }
}

/// Splits `text` into normalised tokens with their spans.
pub fn tokenize(text: &str, opts: NormalizeOptions) -> Tokens {
    let mut tokens = Tokens { norm: String::with_capacity(text.len()), ..Tokens::default() };
    let mut buf = String::new();
    if text.is_ascii() {
        for (s, e) in ascii_words(text.as_bytes()) {
            normalize_token(&text[s..e], opts, &mut buf);
            tokens.push((s, e), &buf);
        }
    } else {
        tokenize_unicode(text, opts, &mut tokens, &mut buf);
    }
    tokens
}

/// The general path: UAX #29 words, unspaced scripts split into characters.
fn tokenize_unicode(text: &str, opts: NormalizeOptions, tokens: &mut Tokens, buf: &mut String) {
    for (start, word) in text.unicode_word_indices() {
        if !word.chars().any(is_unspaced_script) {
            normalize_token(word, opts, buf);
            tokens.push((start, start + word.len()), buf);
            continue;
        }
        // Mixed or unspaced run: every unspaced character is a token of its own,
        // any spaced run between them is one token.
        let mut run_start: Option<usize> = None;
        for (off, c) in word.char_indices() {
            let at = start + off;
            if is_unspaced_script(c) {
                if let Some(rs) = run_start.take() {
                    normalize_token(&text[rs..at], opts, buf);
                    tokens.push((rs, at), buf);
                }
                normalize_token(&text[at..at + c.len_utf8()], opts, buf);
                tokens.push((at, at + c.len_utf8()), buf);
            } else if run_start.is_none() {
                run_start = Some(at);
            }
        }
        if let Some(rs) = run_start {
            normalize_token(&text[rs..start + word.len()], opts, buf);
            tokens.push((rs, start + word.len()), buf);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Wb {
    Letter,
    Numeric,
    ExtendNumLet,
    MidLetter,
    MidNum,
    MidNumLet,
    Other,
}

fn ascii_class(b: u8) -> Wb {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Wb::Letter,
        b'0'..=b'9' => Wb::Numeric,
        b'_' => Wb::ExtendNumLet,
        b':' => Wb::MidLetter,
        b',' | b';' => Wb::MidNum,
        b'.' | b'\'' => Wb::MidNumLet,
        _ => Wb::Other,
    }
}

/// UAX #29 word segmentation restricted to ASCII (rules WB5-WB13b), keeping only
/// segments that contain a letter or digit, as `unicode_word_indices` does.
fn ascii_words(b: &[u8]) -> Vec<(usize, usize)> {
    let n = b.len();
    let cls: Vec<Wb> = b.iter().map(|&c| ascii_class(c)).collect();
    let is_word = |c: Wb| matches!(c, Wb::Letter | Wb::Numeric | Wb::ExtendNumLet);
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if !is_word(cls[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i + 1;
        loop {
            if j < n && is_word(cls[j]) {
                j += 1;
                continue;
            }
            // WB6/7 and WB11/12: a single middle character joins two letters or
            // two digits.
            if j + 1 < n {
                let (prev, mid, next) = (cls[j - 1], cls[j], cls[j + 1]);
                let letters =
                    prev == Wb::Letter && next == Wb::Letter && matches!(mid, Wb::MidLetter | Wb::MidNumLet);
                let digits =
                    prev == Wb::Numeric && next == Wb::Numeric && matches!(mid, Wb::MidNum | Wb::MidNumLet);
                if letters || digits {
                    j += 2;
                    continue;
                }
            }
            break;
        }
        if cls[start..j].iter().any(|&c| matches!(c, Wb::Letter | Wb::Numeric)) {
            out.push((start, j));
        }
        i = j;
    }
    out
}

/// The text as it is shingled: normalised tokens joined by single spaces.
pub fn normalize(text: &str, opts: NormalizeOptions) -> String {
    tokenize(text, opts).norm
}

/// Converts sorted byte offsets in `text` to character (code point) offsets, as
/// Python indexes strings.
pub fn byte_to_char_offsets(text: &str, byte_offsets: &[u32]) -> Vec<u32> {
    if text.is_ascii() {
        return byte_offsets.to_vec();
    }
    let mut out = Vec::with_capacity(byte_offsets.len());
    let mut chars = 0u32;
    let mut pos = 0usize;
    let bytes = text.as_bytes();
    for &target in byte_offsets {
        let target = target as usize;
        if target < pos {
            // Unsorted input: restart the walk; rare, so simplicity wins.
            chars = 0;
            pos = 0;
        }
        while pos < target && pos < bytes.len() {
            // Count lead bytes only.
            if bytes[pos] & 0xC0 != 0x80 {
                chars += 1;
            }
            pos += 1;
        }
        out.push(chars);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn toks(t: &str) -> Vec<String> {
        let t = tokenize(t, NormalizeOptions::default());
        (0..t.len()).map(|i| t.token(i).to_string()).collect()
    }

    #[test]
    fn punctuation_inside_words_is_folded() {
        assert_eq!(toks("Today's “news”: 5,000 U.S. troops"), ["todays", "news", "5000", "us", "troops"]);
        assert_eq!(toks("Today’s ＮＥＷＳ"), ["todays", "news"]);
    }

    #[test]
    fn unspaced_scripts_become_characters() {
        assert_eq!(toks("東京都 in 2024年"), ["東", "京", "都", "in", "2024", "年"]);
        assert_eq!(toks("สวัสดีครับ").len(), "สวัสดีครับ".chars().filter(|c| c.is_alphanumeric()).count());
    }

    #[test]
    fn accents_stripped_only_when_asked() {
        let strip = NormalizeOptions { case_fold: true, strip_accents: true };
        assert_eq!(tokenize("Café Straße", strip).norm, "cafe strasse");
        assert_eq!(tokenize("Café Straße", NormalizeOptions::default()).norm, "café strasse");
    }

    #[test]
    fn spans_point_into_the_original() {
        let text = "Él dijo: «Sí».";
        let t = tokenize(text, NormalizeOptions::default());
        let words: Vec<&str> = t.spans.iter().map(|&(s, e)| &text[s as usize..e as usize]).collect();
        assert_eq!(words, ["Él", "dijo", "Sí"]);
        let starts: Vec<u32> = t.spans.iter().map(|s| s.0).collect();
        assert_eq!(byte_to_char_offsets(text, &starts), [0, 3, 10]);
    }

    proptest! {
        #[test]
        fn ascii_fast_path_matches_uax29(s in "[a-zA-Z0-9 .,;:'_!?\\-\n\"]{0,60}") {
            let fast = ascii_words(s.as_bytes());
            let slow: Vec<(usize, usize)> =
                s.unicode_word_indices().map(|(i, w)| (i, i + w.len())).collect();
            prop_assert_eq!(fast, slow);
        }

        #[test]
        fn spans_are_ordered_and_in_bounds(s in "\\PC{0,80}") {
            let t = tokenize(&s, NormalizeOptions::default());
            let mut last = 0;
            for &(a, b) in &t.spans {
                prop_assert!(a >= last && a < b && (b as usize) <= s.len());
                prop_assert!(s.is_char_boundary(a as usize) && s.is_char_boundary(b as usize));
                last = b;
            }
            prop_assert_eq!(t.norm_spans.len(), t.spans.len());
        }
    }
}
