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
//! Text made of ASCII plus a few common non-ASCII characters (Latin letters up to
//! U+024F, curly quotes, dashes, guillemets, no-break space: what English and most
//! European news copy contains) takes a hand-written path that implements UAX #29
//! for exactly those characters; anything else sends the whole text down the general
//! path. A property test checks the fast path against `unicode-segmentation`.

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

    /// Empties the tokens, keeping their allocations for reuse.
    pub fn clear(&mut self) {
        self.norm.clear();
        self.norm_spans.clear();
        self.spans.clear();
    }

    /// Appends the token `text[original]`, normalised in place at the end of `norm`;
    /// a token that normalises to nothing is dropped.
    fn push_word(
        &mut self,
        text: &str,
        original: (usize, usize),
        opts: NormalizeOptions,
        scratch: &mut String,
    ) {
        self.push_known_word(text, original, opts, scratch, false);
    }

    /// [`Self::push_word`]; `plain`: the caller knows the token to be ASCII letters
    /// and digits only, which normalise to themselves, lower-cased.
    fn push_known_word(
        &mut self,
        text: &str,
        original: (usize, usize),
        opts: NormalizeOptions,
        scratch: &mut String,
        plain: bool,
    ) {
        let sep = !self.norm.is_empty();
        if sep {
            self.norm.push(' ');
        }
        let s = self.norm.len();
        let word = &text[original.0..original.1];
        if plain {
            self.norm.push_str(word);
            if opts.case_fold {
                self.norm[s..].make_ascii_lowercase();
            }
        } else {
            normalize_token_into(word, opts, &mut self.norm, scratch);
        }
        if self.norm.len() == s {
            if sep {
                self.norm.pop();
            }
            return;
        }
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
    normalize_token_into(word, opts, out, &mut String::new());
}

/// Appends the normalised form of `word` to `out`; `scratch` is working space.
fn normalize_token_into(word: &str, opts: NormalizeOptions, out: &mut String, scratch: &mut String) {
    // Fast path: ASCII, plus the curly apostrophes UAX #29 keeps inside words. NFKC
    // leaves all of these alone and none is alphanumeric but the ASCII ones, so
    // dropping the rest is what the general path below would do.
    let start = out.len();
    if word.bytes().all(|b| b.is_ascii_alphanumeric()) {
        out.push_str(word);
        if opts.case_fold {
            out[start..].make_ascii_lowercase();
        }
        return;
    }
    let mut fast = true;
    for c in word.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(if opts.case_fold { c.to_ascii_lowercase() } else { c });
        } else if !(c.is_ascii() || c == '\u{2018}' || c == '\u{2019}') {
            fast = false;
            break;
        }
    }
    if fast {
        return;
    }
    out.truncate(start);
    scratch.clear();
    let mut push = |c: char| {
        if !c.is_alphanumeric() {
            return;
        }
        if opts.case_fold {
            match c {
                'ß' | 'ẞ' => scratch.push_str("ss"),
                _ => scratch.extend(c.to_lowercase()),
            }
        } else {
            scratch.push(c);
        }
    };
    if opts.strip_accents {
        for c in word.nfkd().filter(|&c| !is_combining_mark(c)) {
            push(c);
        }
        // NFKD split characters apart; compose what is left so that equal text has
        // one byte form whatever form it arrived in.
        if scratch.is_ascii() {
            out.push_str(scratch);
        } else {
            out.extend(scratch.nfc());
        }
    } else {
        for c in word.nfkc() {
            push(c);
        }
        out.push_str(scratch);
    }
}

/// Splits `text` into normalised tokens with their spans.
pub fn tokenize(text: &str, opts: NormalizeOptions) -> Tokens {
    let mut tokens = Tokens { norm: String::with_capacity(text.len()), ..Tokens::default() };
    tokenize_into(text, opts, &mut tokens, &mut Scratch::default());
    tokens
}

/// Reusable working memory for [`tokenize_into`].
#[derive(Debug, Default)]
pub struct Scratch {
    word: String,
}

/// Like [`tokenize`], into `tokens` (cleared first), reusing the allocations of
/// `tokens` and `scratch`: the loop body of batch tokenisation.
pub fn tokenize_into(text: &str, opts: NormalizeOptions, tokens: &mut Tokens, scratch: &mut Scratch) {
    tokens.clear();
    let word = &mut scratch.word;
    let fast = common_words(text, |s, e, plain| tokens.push_known_word(text, (s, e), opts, word, plain));
    if !fast {
        tokens.clear();
        tokenize_unicode(text, opts, tokens, word);
    }
}

/// The general path: UAX #29 words, unspaced scripts split into characters.
fn tokenize_unicode(text: &str, opts: NormalizeOptions, tokens: &mut Tokens, buf: &mut String) {
    for (start, word) in text.unicode_word_indices() {
        if !word.chars().any(is_unspaced_script) {
            tokens.push_word(text, (start, start + word.len()), opts, buf);
            continue;
        }
        // Mixed or unspaced run: every unspaced character is a token of its own,
        // any spaced run between them is one token.
        let mut run_start: Option<usize> = None;
        for (off, c) in word.char_indices() {
            let at = start + off;
            if is_unspaced_script(c) {
                if let Some(rs) = run_start.take() {
                    tokens.push_word(text, (rs, at), opts, buf);
                }
                tokens.push_word(text, (at, at + c.len_utf8()), opts, buf);
            } else if run_start.is_none() {
                run_start = Some(at);
            }
        }
        if let Some(rs) = run_start {
            tokens.push_word(text, (rs, start + word.len()), opts, buf);
        }
    }
}

/// UAX #29 word-break classes, as far as the fast path needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wb {
    Letter,
    Numeric,
    ExtendNumLet,
    MidLetter,
    MidNum,
    MidNumLet,
    Other,
}

const fn ascii_class(b: u8) -> Wb {
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

const ASCII_CLASSES: [Wb; 128] = {
    let mut t = [Wb::Other; 128];
    let mut i = 0;
    while i < 128 {
        t[i] = ascii_class(i as u8);
        i += 1;
    }
    t
};

/// The word-break class of the non-ASCII characters common in English and European
/// news copy, or `None` for any other character (the text then takes the general
/// path). Every entry is checked against `unicode-segmentation` by a property test.
fn common_class(c: char) -> Option<Wb> {
    match c {
        // Latin-1 letters, Latin Extended-A and -B: ALetter.
        '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{24F}' => Some(Wb::Letter),
        // ‘ ’: MidNumLet, like the ASCII apostrophe.
        '\u{2018}' | '\u{2019}' => Some(Wb::MidNumLet),
        // No-break space, « », ‐ ‑ ‒ – — ―, “ ” „, •, …, £ €, °, and the symbols
        // of page chrome: © ® ™ § ¶ ¡ ¿ × ÷ ‹ › ← ↑ → ↓ ▶ ► ★ ☆ (© alone sends most
        // page footers down the general path otherwise).
        '\u{A0}'
        | '\u{A1}'
        | '\u{A3}'
        | '\u{A7}'
        | '\u{A9}'
        | '\u{AB}'
        | '\u{AE}'
        | '\u{B0}'
        | '\u{B6}'
        | '\u{BB}'
        | '\u{BF}'
        | '\u{D7}'
        | '\u{F7}'
        | '\u{2010}'..='\u{2015}'
        | '\u{201C}'..='\u{201E}'
        | '\u{2022}'
        | '\u{2026}'
        | '\u{2039}'
        | '\u{203A}'
        | '\u{20AC}'
        | '\u{2122}'
        | '\u{2190}'..='\u{2193}'
        | '\u{25B6}'
        | '\u{25BA}'
        | '\u{2605}'
        | '\u{2606}' => Some(Wb::Other),
        _ => None,
    }
}

/// The class and byte length of the character at byte `i` of `text`, or `None` for
/// a character outside the fast path.
#[inline]
fn class_at(text: &str, i: usize) -> Option<(Wb, usize)> {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        return Some((ASCII_CLASSES[b as usize], 1));
    }
    non_ascii_class_at(text, i)
}

#[cold]
#[inline(never)]
fn non_ascii_class_at(text: &str, i: usize) -> Option<(Wb, usize)> {
    let c = text[i..].chars().next()?;
    Some((common_class(c)?, c.len_utf8()))
}

/// UAX #29 word segmentation (rules WB5-WB13b) for text of the characters
/// [`common_class`] knows: calls `f(start, end, plain)` (byte offsets; `plain`: the
/// segment is ASCII letters and digits only) for each segment that contains a
/// letter or digit, as `unicode_word_indices` yields them. Returns `false`,
/// possibly after some calls, as soon as it meets any other character.
fn common_words(text: &str, mut f: impl FnMut(usize, usize, bool)) -> bool {
    let n = text.len();
    let is_word = |c: Wb| matches!(c, Wb::Letter | Wb::Numeric | Wb::ExtendNumLet);
    let mut i = 0;
    while i < n {
        let Some((c, len)) = class_at(text, i) else {
            return false;
        };
        if !is_word(c) {
            i += len;
            continue;
        }
        let start = i;
        let mut alnum = c != Wb::ExtendNumLet;
        let mut plain = alnum && len == 1;
        let mut prev = c;
        let mut j = i + len;
        let bytes = text.as_bytes();
        while j < n {
            // Most of a word is ASCII letters or digits: skipped in a tight loop.
            let run = j;
            j = alnum_run_end(bytes, j);
            if j > run {
                alnum = true;
                prev = ASCII_CLASSES[bytes[j - 1] as usize];
                if j == n {
                    break;
                }
            }
            let Some((mid, mid_len)) = class_at(text, j) else {
                return false;
            };
            if is_word(mid) {
                alnum |= mid != Wb::ExtendNumLet;
                plain = false; // `_` or a letter outside ASCII
                prev = mid;
                j += mid_len;
                continue;
            }
            // WB6/7 and WB11/12: a single middle character joins two letters or
            // two digits.
            let joins_letters = prev == Wb::Letter && matches!(mid, Wb::MidLetter | Wb::MidNumLet);
            let joins_digits = prev == Wb::Numeric && matches!(mid, Wb::MidNum | Wb::MidNumLet);
            if (joins_letters || joins_digits) && j + mid_len < n {
                let Some((next, next_len)) = class_at(text, j + mid_len) else {
                    return false;
                };
                if next == prev {
                    plain = false;
                    j += mid_len + next_len;
                    continue;
                }
            }
            break;
        }
        if alnum {
            f(start, j, plain);
        }
        i = j;
    }
    true
}

/// The end of the run of ASCII letters and digits that starts at byte `i`.
#[inline]
fn alnum_run_end(bytes: &[u8], mut i: usize) -> usize {
    // Eight bytes at a time (the tokeniser's hottest loop): a word with the high
    // bit of each byte that is an ASCII letter or digit set. No byte carries into
    // the next: every sum stays below 0x100.
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let low = w & !HIGH;
        let folded = low | (ONES * 0x20); // upper-case letters to lower case
        let letter = (folded + ONES * (0x80 - 0x61)) & !(folded + ONES * (0x7F - 0x7A));
        let digit = (low + ONES * (0x80 - 0x30)) & !(low + ONES * (0x7F - 0x39));
        let alnum = (letter | digit) & !w & HIGH; // a byte of a non-ASCII character is neither
        let stop = !alnum & HIGH;
        if stop != 0 {
            return i + stop.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
        i += 1;
    }
    i
}

/// The fast path's word spans in bytes, or `None` when `text` needs the general path.
#[cfg(test)]
fn common_word_spans(text: &str) -> Option<Vec<(usize, usize)>> {
    let mut out = Vec::new();
    common_words(text, |s, e, _| out.push((s, e))).then_some(out)
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
    fn every_common_character_is_classified_as_uax29_does() {
        // Each fast-path character between letters, between digits and alone.
        for c in (0xA0..0x250u32).chain(0x2000..0x2100).filter_map(char::from_u32) {
            if common_class(c).is_none() {
                continue;
            }
            for s in [format!("a{c}b"), format!("1{c}2"), format!(" {c} "), format!("{c}a{c}")] {
                let slow: Vec<(usize, usize)> =
                    s.unicode_word_indices().map(|(i, w)| (i, i + w.len())).collect();
                assert_eq!(common_word_spans(&s), Some(slow), "{c:?} in {s:?}");
            }
        }
    }

    #[test]
    fn reused_buffers_give_the_same_tokens() {
        let mut tokens = Tokens::default();
        let mut scratch = Scratch::default();
        for text in ["Today’s “news” — café", "東京 2024", "", "a b c", "Ünïcödé ǅ"] {
            tokenize_into(text, NormalizeOptions::default(), &mut tokens, &mut scratch);
            assert_eq!(tokens, tokenize(text, NormalizeOptions::default()));
        }
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
            let fast = common_word_spans(&s).expect("ASCII takes the fast path");
            let slow: Vec<(usize, usize)> =
                s.unicode_word_indices().map(|(i, w)| (i, i + w.len())).collect();
            prop_assert_eq!(fast, slow);
        }

        #[test]
        fn common_fast_path_matches_uax29(
            s in "[a-zA-Z0-9 .,;:'_!?\\-\u{A0}\u{A1}\u{A3}\u{A7}\u{A9}\u{AB}\u{AE}\u{B0}\u{B6}\u{BB}\u{BF}-\u{24F}\u{2010}-\u{2015}\u{2018}\u{2019}\u{201C}-\u{201E}\u{2022}\u{2026}\u{2039}\u{203A}\u{20AC}\u{2122}\u{2190}-\u{2193}\u{25B6}\u{25BA}\u{2605}\u{2606}]{0,60}"
        ) {
            let fast = common_word_spans(&s).expect("only fast-path characters");
            let slow: Vec<(usize, usize)> =
                s.unicode_word_indices().map(|(i, w)| (i, i + w.len())).collect();
            prop_assert_eq!(fast, slow);
        }

        #[test]
        fn tokenize_matches_the_general_path(
            s in "[a-zA-Z0-9 .,'\u{A0}\u{C0}-\u{24F}\u{2014}\u{2018}\u{2019}\u{201C}\u{201D}\u{FF07}\u{301}\u{5D0}東]{0,60}",
            case_fold: bool,
            strip_accents: bool,
        ) {
            // Whatever path `tokenize` takes, it equals the general path alone.
            let opts = NormalizeOptions { case_fold, strip_accents };
            let mut slow = Tokens::default();
            tokenize_unicode(&s, opts, &mut slow, &mut String::new());
            prop_assert_eq!(tokenize(&s, opts), slow);
        }

        #[test]
        fn alnum_runs_end_where_a_byte_loop_ends_them(
            // Mostly bytes at the edges of the ranges (and their non-ASCII twins).
            bytes in proptest::collection::vec(proptest::prop_oneof![
                4 => proptest::sample::select(b"/09:@AZ[`az{\x7f\x80\xb0\xb9\xc1\xda\xe1\xfa".to_vec()),
                1 => proptest::prelude::any::<u8>(),
            ], 0..40),
            start in 0usize..40,
        ) {
            let start = start.min(bytes.len());
            let mut end = start;
            while end < bytes.len() && bytes[end].is_ascii_alphanumeric() {
                end += 1;
            }
            prop_assert_eq!(alnum_run_end(&bytes, start), end);
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
