//! A page as the news pipeline keeps it: its tokens (hashed) with their spans in the
//! original text, and its lines with the features chrome removal looks at.

use std::cell::RefCell;

use crate::text::{tokenize, tokenize_into, NormalizeOptions, Scratch, Tokens};
use xxhash_rust::xxh3::{xxh3_64_with_seed, Xxh3};

/// Seed of the token hash used by the news pipeline (any fixed value works; it is
/// part of the persisted format, so it never changes).
pub const TOKEN_SEED: u64 = 0x6465_6475_7074_6f6b;

/// How a line ends, after closing quotes and brackets: what tells a paragraph of an
/// article (a full stop) from a teaser cut short, a question or call addressed to
/// the reader, or a headline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ending {
    /// A full stop, colon or semicolon (in any script): how paragraphs end.
    #[default]
    Stop,
    /// A question or exclamation mark.
    Ask,
    /// An ellipsis: a teaser truncated to fit a rail.
    Cut,
    /// No punctuation: a headline, a label, a caption.
    Bare,
}

impl Ending {
    fn bits(self) -> u32 {
        match self {
            Self::Stop => 0,
            Self::Ask => 1,
            Self::Cut => 2,
            Self::Bare => 3,
        }
    }

    fn from_bits(b: u32) -> Self {
        match b & 3 {
            0 => Self::Stop,
            1 => Self::Ask,
            2 => Self::Cut,
            _ => Self::Bare,
        }
    }
}

/// One line of a page, in 8 bytes (a million pages hold tens of millions). Its
/// key, the hash of its tokens, is computed when needed ([`Page::key`]): kept, it
/// took 8 bytes more a line, 320 MB at a million pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// First token of the line.
    pub tok_start: u32,
    /// Number of tokens (low 28 bits), the [`Ending`] (2 bits), [`SENTENCE`] and
    /// [`DIGIT`].
    packed: u32,
}

const SENTENCE: u32 = 1 << 30;
const DIGIT: u32 = 1 << 31;
const ENDING_SHIFT: u32 = 28;

/// Most tokens a [`Line`] holds; a longer line (a gigabyte of text without a line
/// break) is cut into lines of this many.
pub const MAX_LINE_TOKENS: u32 = (1 << 28) - 1;

impl Line {
    /// A line of tokens `[tok_start, tok_end)`; `sentence`: it ends like a sentence
    /// (., !, ?, a closing quote after one, ...) or has a sentence boundary inside;
    /// `digit`: some token contains a digit (dates, times, counts); `ending`: how
    /// it ends.
    ///
    /// # Panics
    /// If the line has more than [`MAX_LINE_TOKENS`] tokens.
    pub fn new(tok_start: u32, tok_end: u32, sentence: bool, digit: bool, ending: Ending) -> Self {
        let len = tok_end - tok_start;
        assert!(len <= MAX_LINE_TOKENS, "a line holds at most 2^28 - 1 tokens");
        let packed = len
            | ending.bits() << ENDING_SHIFT
            | if sentence { SENTENCE } else { 0 }
            | if digit { DIGIT } else { 0 };
        Self { tok_start, packed }
    }

    /// One past the last token of the line.
    pub fn tok_end(&self) -> u32 {
        self.tok_start + (self.packed & MAX_LINE_TOKENS)
    }

    /// The line ends like a sentence or has a sentence boundary inside.
    pub fn sentence(&self) -> bool {
        self.packed & SENTENCE != 0
    }

    /// Some token of the line contains a digit.
    pub fn digit(&self) -> bool {
        self.packed & DIGIT != 0
    }

    /// How the line ends.
    pub fn ending(&self) -> Ending {
        Ending::from_bits(self.packed >> ENDING_SHIFT)
    }

    /// Tokens in the line.
    pub fn len(&self) -> usize {
        (self.packed & MAX_LINE_TOKENS) as usize
    }

    /// True for a line without tokens.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A tokenised page, compact: what the pipeline keeps of a page between analyses
/// (about 4 bytes a token and 8 a line). The text itself is not kept; byte spans
/// of tokens are recomputed from it when passages are shown ([`token_spans`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// 32-bit hash of each normalised token. Collisions between different words
    /// (a few hundred pairs in a vocabulary of millions) cannot fake a passage:
    /// passages are runs of many tokens.
    pub tokens: Vec<u32>,
    /// Lines that have tokens, in order.
    pub lines: Vec<Line>,
    /// Bit `i` set when token `i` stands inside quotation marks (a quote someone said).
    pub quoted: Vec<u64>,
    /// Bit `i` set when token `i` starts a sentence inside its line (the first token
    /// of a line starts one too, without a bit).
    pub sentences: Vec<u64>,
}

/// Working memory of [`Page::new`], reused by each thread for its next page.
#[derive(Default)]
struct Work {
    tokens: Tokens,
    scratch: Scratch,
    quoted: Vec<bool>,
    starts: Vec<bool>,
}

/// Texts longer than this leave no working buffers behind.
const WORK_KEPT_BYTES: usize = 1 << 20;

thread_local! {
    static WORK: RefCell<Work> = RefCell::new(Work::default());
}

/// Magic and version of [`Page::encode`]'s format.
const PAGE_MAGIC: &[u8; 4] = b"DDPG";
/// Version 2 added each line's [`Ending`] and the sentence starts; version 1 did
/// not record them.
const PAGE_VERSION: u8 = 2;

impl Page {
    /// Tokenises `text`, keeping lines that have at least one token.
    pub fn new(text: &str) -> Self {
        // The working buffers (normalised text, spans, flags: several times the
        // page's own size) are kept per thread: fresh ones for every page made
        // the allocator hand memory back and forth with the system, and the
        // kernel zeroed it again each time (a tenth of the time to add a million
        // pages).
        WORK.with(|w| {
            let mut w = w.borrow_mut();
            let page = Self::build(text, &mut w);
            if text.len() > WORK_KEPT_BYTES {
                *w = Work::default(); // a huge page's buffers are not kept
            }
            page
        })
    }

    /// Tokenises `text`; also returns the byte span of each token.
    pub fn with_spans(text: &str) -> (Self, Vec<(u32, u32)>) {
        let mut w = Work::default();
        let page = Self::build(text, &mut w);
        (page, std::mem::take(&mut w.tokens.spans))
    }

    fn build(text: &str, w: &mut Work) -> Self {
        let opts = NormalizeOptions { case_fold: true, strip_accents: true };
        tokenize_into(text, opts, &mut w.tokens, &mut w.scratch);
        let toks = &w.tokens;
        let tokens: Vec<u32> =
            (0..toks.len()).map(|i| xxh3_64_with_seed(toks.token(i).as_bytes(), TOKEN_SEED) as u32).collect();
        let mut lines = Vec::new();
        let (quoted, starts) = (&mut w.quoted, &mut w.starts);
        quoted.clear();
        quoted.resize(toks.len(), false);
        starts.clear();
        starts.resize(toks.len(), false);
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
                starts[i] = ends_a_sentence(gap);
            }
            let sentence = t > first && is_sentence_like(line);
            let ending = line_ending(line);
            let mut start = first;
            while start < t {
                let end = t.min(start + MAX_LINE_TOKENS as usize);
                // The tokens of the line as one string (spaces between them are
                // neither digits nor numeric): one scan rather than one a token.
                let words = toks.joined(start, end);
                // Folded without stopping early, so that the scan is vectorised.
                let digit = words.bytes().fold(false, |d, b| d | b.is_ascii_digit())
                    || (!words.is_ascii() && words.chars().any(char::is_numeric));
                lines.push(Line::new(start as u32, end as u32, sentence, digit, ending));
                start = end;
            }
        }
        lines.shrink_to_fit();
        Self { tokens, lines, quoted: to_bits(quoted), sentences: to_bits(starts) }
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// True for a page without tokens.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Whether token `i` starts a sentence inside its line (after a full stop, a
    /// question or exclamation mark in any script).
    #[inline]
    pub fn starts_sentence(&self, i: usize) -> bool {
        self.sentences.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    /// Whether token `i` stands inside quotation marks.
    #[inline]
    pub fn is_quoted(&self, i: usize) -> bool {
        self.quoted.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    /// The key of one of the page's lines: the hash of its tokens ([`line_key`]),
    /// equal for lines with the same tokenised text.
    #[inline]
    pub fn key(&self, line: &Line) -> u64 {
        line_key(&self.tokens[line.tok_start as usize..line.tok_end() as usize])
    }

    /// The keys of the page's lines, in order.
    pub fn line_keys(&self) -> Vec<u64> {
        self.lines.iter().map(|l| self.key(l)).collect()
    }

    /// Appends the page in a compact, versioned binary form to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.reserve(13 + self.tokens.len() * 4 + self.lines.len() * 17 + self.quoted.len() * 16);
        out.extend_from_slice(PAGE_MAGIC);
        out.push(PAGE_VERSION);
        out.extend_from_slice(&(self.tokens.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.lines.len() as u32).to_le_bytes());
        for t in &self.tokens {
            out.extend_from_slice(&t.to_le_bytes());
        }
        for l in &self.lines {
            out.extend_from_slice(&l.tok_start.to_le_bytes());
            out.extend_from_slice(&l.tok_end().to_le_bytes());
            out.extend_from_slice(&self.key(l).to_le_bytes());
            out.push(u8::from(l.sentence()) | u8::from(l.digit()) << 1 | (l.ending().bits() as u8) << 2);
        }
        for w in self.quoted.iter().chain(&self.sentences) {
            out.extend_from_slice(&w.to_le_bytes());
        }
    }

    /// Reads a page written by [`Page::encode`], checking every length and range;
    /// returns the page and the bytes after it.
    ///
    /// # Errors
    /// A message saying what is wrong, for bytes that are not an encoded page.
    pub fn decode(bytes: &[u8]) -> Result<(Self, &[u8]), String> {
        let mut r = Reader(bytes);
        if r.take(4)? != PAGE_MAGIC {
            return Err("not page features (bad magic)".into());
        }
        let version = r.take(1)?[0];
        if version == 1 {
            return Err("page features of format version 1, from an older dedup that did not record \
                        how lines end or where sentences start; add these pages again from their texts"
                .into());
        }
        if version != PAGE_VERSION {
            return Err(format!(
                "page features of format version {version}; this version reads {PAGE_VERSION}"
            ));
        }
        let n = r.u32()? as usize;
        let nl = r.u32()? as usize;
        // Lengths are checked against the bytes left before anything is allocated.
        if n.saturating_mul(4).saturating_add(nl.saturating_mul(17)) > r.0.len() {
            return Err("page features are truncated".into());
        }
        let tokens: Vec<u32> = (0..n).map(|_| r.u32()).collect::<Result<_, _>>()?;
        let mut lines = Vec::with_capacity(nl);
        let mut last_end = 0u32;
        for _ in 0..nl {
            // The line's key is recomputed from its tokens when needed.
            let (tok_start, tok_end, _key) = (r.u32()?, r.u32()?, r.u64()?);
            let flags = r.take(1)?[0];
            if tok_start < last_end
                || tok_end <= tok_start
                || tok_end as usize > n
                || tok_end - tok_start > MAX_LINE_TOKENS
                || flags > 15
            {
                return Err("page features hold an invalid line".into());
            }
            last_end = tok_end;
            let ending = Ending::from_bits(u32::from(flags >> 2));
            lines.push(Line::new(tok_start, tok_end, flags & 1 == 1, flags & 2 == 2, ending));
        }
        let words = n.div_ceil(64);
        let mut bitset = || (0..words).map(|_| r.u64()).collect::<Result<Vec<u64>, _>>();
        let quoted = bitset()?;
        let sentences = bitset()?;
        Ok((Self { tokens, lines, quoted, sentences }, r.0))
    }
}

fn to_bits(flags: &[bool]) -> Vec<u64> {
    // Without a branch a flag: the compiler packs 64 at a time.
    flags.chunks(64).map(|c| c.iter().enumerate().fold(0u64, |w, (j, &f)| w | u64::from(f) << j)).collect()
}

/// Whether the text between two tokens ends a sentence (holds a full stop, a
/// question or exclamation mark, in any script). Most gaps are a space.
#[inline]
fn ends_a_sentence(gap: &str) -> bool {
    if gap.is_ascii() {
        gap.bytes().any(|b| matches!(b, b'.' | b'!' | b'?'))
    } else {
        gap.contains(STOPS)
    }
}

/// Byte spans of the tokens of `text`, in the order of [`Page::new`]'s tokens.
pub fn token_spans(text: &str) -> Vec<(u32, u32)> {
    tokenize(text, NormalizeOptions { case_fold: true, strip_accents: true }).spans
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("page features are truncated".into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }

    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
}

/// Marks the tokens of one line (spans relative to the page) that stand inside
/// quotation marks. Typographic opening marks open a quote and closing marks close
/// it; a straight double quote toggles. An unclosed quote runs to the end of the
/// line, as in news copy where a quote spanning paragraphs reopens each one.
fn mark_quoted(line: &str, offset: usize, spans: &[(u32, u32)], out: &mut [bool]) {
    // Every quotation mark is ASCII or starts with byte 0xC2 («, ») or 0xE2
    // (“ ” „ ‘ ’): only the characters at those bytes are read, and most lines
    // hold none (`out` starts unmarked).
    let bytes = line.as_bytes();
    let mut marks: Vec<(usize, bool)> = Vec::new(); // (byte offset in page, opens)
    let mut open = false;
    // Single quotation marks (British usage: 'We will stay,' she said), told from
    // apostrophes by what stands around them: one opens after a space or a bracket
    // and before a letter, and closes after a letter or punctuation and before a
    // space, punctuation or the end of the line, while a single quote is open.
    let mut single = false;
    for i in quote_leads(bytes) {
        // A lead byte is never inside a character: every one starts one.
        let c = line[i..].chars().next().expect("a character starts at a lead byte");
        let at = i + c.len_utf8();
        let before = || line[..i].chars().next_back();
        let after = || line[at..].chars().next();
        let opens = match c {
            '“' | '„' | '«' => Some(true),
            '”' | '»' => Some(false),
            '"' => Some(!open),
            '‘' | '\'' if !open && !single => {
                let starts = before().is_none_or(|b| b.is_whitespace() || "([{-–—".contains(b));
                (starts && after().is_some_and(char::is_alphanumeric)).then(|| {
                    single = true;
                    true
                })
            }
            '’' | '\'' if single => {
                let ends = after().is_none_or(|a| a.is_whitespace() || ".,;:!?)]}-–—".contains(a));
                (ends && before().is_some_and(|b| b.is_alphanumeric() || ".,;:!?".contains(b))).then(|| {
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
    }
    if marks.is_empty() {
        return;
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

/// Every byte of `bytes` that can start a quotation mark, in order.
fn quote_leads(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    // Eight bytes at a time, as a word with the high bit of each lead byte set
    // (lines of news copy hold many apostrophes and dashes, and most hold no
    // quotation mark).
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let zero_bytes = |y: u64| !(((y & LOW7) + LOW7) | y | LOW7);
    let leads = move |x: u64| {
        zero_bytes(x ^ (ONES * u64::from(b'"')))
            | zero_bytes(x ^ (ONES * u64::from(b'\'')))
            | zero_bytes(x ^ (ONES * 0xC2))
            | zero_bytes(x ^ (ONES * 0xE2))
    };
    bytes.chunks(8).enumerate().flat_map(move |(k, chunk)| {
        let mut word = [0u8; 8]; // a short last chunk is padded with zero bytes
        word[..chunk.len()].copy_from_slice(chunk);
        let mut mask = leads(u64::from_le_bytes(word));
        std::iter::from_fn(move || {
            (mask != 0).then(|| {
                let j = mask.trailing_zeros() as usize / 8;
                mask &= mask - 1;
                k * 8 + j
            })
        })
    })
}

/// A physical line holds a hard-wrapped paragraph's text only if it is at least this
/// many characters wide.
const WRAP_MIN_WIDTH: usize = 40;

/// Byte ranges of the page's logical lines: physical lines, with the lines of a
/// hard-wrapped paragraph joined into one.
///
/// Text wrapped at a fixed width (plain-text dumps, e-mail, some feeds) breaks each
/// paragraph into lines of ten or so words, which on their own look like titles
/// rather than prose. Line `i` continues on line `i + 1` (no blank line between
/// them) when it does not end a sentence and either
/// - the next line starts with a lower-case letter (a sentence does not start
///   there), `i` being a line of some length, or
/// - `i` is *full*: the next line's first word would not have fit on it, in a block
///   (lines between blank lines) whose widest line is at least [`WRAP_MIN_WIDTH`]
///   characters and `i` nearly as wide as that (the test a reflowing mail reader
///   applies).
///
/// Lines that end a sentence are never joined: a wrapped paragraph then splits at
/// sentence ends, into pieces that are still sentence-like prose.
pub fn logical_lines(text: &str) -> Vec<(usize, usize)> {
    // Physical lines: (start, end) byte ranges without the line break, and width.
    let mut phys: Vec<(usize, usize, usize)> = Vec::new();
    let mut start = 0usize;
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        phys.push((start, start + body.len(), body.trim().chars().count()));
        start = end;
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < phys.len() {
        // Block of consecutive non-blank lines.
        if phys[i].2 == 0 {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < phys.len() && phys[j].2 > 0 {
            j += 1;
        }
        let widest = phys[i..j].iter().map(|p| p.2).max().unwrap_or(0);
        let mut cur = phys[i];
        for x in i..j {
            if x + 1 < j {
                let this = &text[phys[x].0..phys[x].1];
                let next = text[phys[x + 1].0..phys[x + 1].1].trim_start();
                if continues(this, phys[x].2, next, widest) {
                    continue;
                }
            }
            out.push((cur.0, phys[x].1));
            if x + 1 < j {
                cur = phys[x + 1];
            }
        }
        i = j;
    }
    out
}

/// True when `line` (`width` characters) is wrapped onto `next` in a block whose
/// widest line has `widest` characters.
fn continues(line: &str, width: usize, next: &str, widest: usize) -> bool {
    let trimmed = line.trim_end();
    if trimmed.ends_with(STOPS) || ends_sentence(trimmed) {
        return false;
    }
    let first_word = next.split_whitespace().next().unwrap_or("");
    if next.chars().next().is_some_and(char::is_lowercase) && width >= WRAP_MIN_WIDTH / 2 {
        return true;
    }
    widest >= WRAP_MIN_WIDTH && width * 4 >= widest * 3 && width + 1 + first_word.chars().count() > widest
}

/// True when a line ends with sentence punctuation, closers allowed after it.
fn ends_sentence(line: &str) -> bool {
    let trimmed = line.trim_end_matches(|c: char| c.is_whitespace() || CLOSERS.contains(&c));
    trimmed.ends_with(STOPS) || trimmed.ends_with(['…', '。', '።'])
}

/// Hash of a line's token hashes.
pub fn line_key(tokens: &[u32]) -> u64 {
    // Keys are computed on every pass over the lines: hashed where the tokens
    // lie (their bytes are the little-endian bytes hashed), without a copy.
    if cfg!(target_endian = "little") {
        return xxh3_64_with_seed(bytemuck::cast_slice(tokens), TOKEN_SEED);
    }
    let mut state = Xxh3::with_seed(TOKEN_SEED);
    for t in tokens {
        state.update(&t.to_le_bytes());
    }
    state.digest()
}

const STOPS: [char; 9] = ['.', '!', '?', '。', '！', '？', '।', '؟', '۔'];
const CLOSERS: [char; 11] = ['"', '\'', '”', '’', '»', ')', ']', '」', '』', '）', '*'];

/// How a line ends, closing quotes and brackets allowed after its punctuation.
fn line_ending(line: &str) -> Ending {
    let trimmed = line.trim_end_matches(|c: char| c.is_whitespace() || CLOSERS.contains(&c));
    if trimmed.ends_with(['…', '⋯']) || trimmed.ends_with("..") {
        Ending::Cut
    } else if trimmed.ends_with(['?', '!', '？', '！', '؟']) {
        Ending::Ask
    } else if trimmed.ends_with(STOPS) || trimmed.ends_with([';', ':', '։', '።', '；', '：']) {
        Ending::Stop
    } else {
        Ending::Bare
    }
}

/// True when a line ends with sentence punctuation (closing quotes and brackets
/// allowed after it), or has a sentence boundary inside: a full stop, optionally a
/// closer, then whitespace and more text. Covers Latin, CJK, Devanagari, Arabic
/// and Ethiopic punctuation.
fn is_sentence_like(line: &str) -> bool {
    let Some(unlisted) = unlisted_body(line) else { return true };
    // A stop, an optional closer, whitespace, then more text. Only the bytes that
    // can start a stop are decoded: most of a line is letters and spaces.
    let bytes = unlisted.as_bytes();
    let mut i = 0;
    while let Some(k) = bytes[i..].iter().position(|&b| STOP_LEADS[b as usize]) {
        let at = i + k;
        let c = unlisted[at..].chars().next().expect("a stop's lead byte starts a character");
        i = at + c.len_utf8();
        if !STOPS.contains(&c) {
            continue;
        }
        // The closer and whitespace skipped here are scanned again for stops:
        // they hold none.
        let mut rest = unlisted[i..].chars().peekable();
        rest.next_if(|n| CLOSERS[..6].contains(n));
        let mut ws = false;
        while rest.next_if(|n| n.is_whitespace()).is_some() {
            ws = true;
        }
        if ws && rest.peek().is_some() {
            return true;
        }
    }
    false
}

/// The text of a line that [`is_sentence_like`] searches for a sentence boundary:
/// without closing marks and spaces at its end, and without a list number ("2. ",
/// "10) ") opening it, which is no boundary. None when the line's end already
/// makes it sentence-like.
fn unlisted_body(line: &str) -> Option<&str> {
    let trimmed = line.trim_end_matches(|c: char| c.is_whitespace() || CLOSERS.contains(&c));
    if trimmed.ends_with(STOPS) || trimmed.ends_with(['…', ';', ':', '።']) {
        return None;
    }
    let unlisted = trimmed.trim_start();
    let digits = unlisted.chars().take_while(char::is_ascii_digit).count();
    Some(
        if (1..=3).contains(&digits)
            && unlisted[digits..].starts_with(['.', ')'])
            && unlisted[digits + 1..].starts_with(char::is_whitespace)
        {
            &unlisted[digits + 1..]
        } else {
            trimmed
        },
    )
}

/// The bytes that start a character of [`STOPS`]: the ASCII stops and the lead
/// bytes of the others.
const STOP_LEADS: [bool; 256] = {
    let mut t = [false; 256];
    let mut k = 0;
    while k < STOPS.len() {
        let mut buf = [0u8; 4];
        t[STOPS[k].encode_utf8(&mut buf).as_bytes()[0] as usize] = true;
        k += 1;
    }
    t
};

#[cfg(test)]
mod reference;

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted_words(text: &str) -> Vec<&str> {
        let (p, spans) = Page::with_spans(text);
        spans
            .iter()
            .enumerate()
            .filter(|&(i, _)| p.is_quoted(i))
            .map(|(_, &(s, e))| &text[s as usize..e as usize])
            .collect()
    }

    #[test]
    fn tokens_inside_quotation_marks_are_marked() {
        assert_eq!(quoted_words("He said \"we will win\" today."), ["we", "will", "win"]);
        assert_eq!(quoted_words("She said: “Not now,” and left."), ["Not", "now"]);
        assert_eq!(quoted_words("«Vamos» dijo."), ["Vamos"]);
        // British single quotes, told from apostrophes and possessives
        assert_eq!(quoted_words("He said: 'I didn't do it,' and left."), ["I", "didn't", "do", "it"]);
        assert_eq!(quoted_words("‘We’ll stay,’ she said."), ["We’ll", "stay"]);
        assert!(quoted_words("The judges' ruling and Burstein's case.").is_empty());
        assert_eq!(quoted_words("Police called it 'a cruel scam'."), ["a", "cruel", "scam"]);
        // An unclosed quote runs to the end of its line, not beyond.
        assert_eq!(quoted_words("“We stay here\nThe minister left."), ["We", "stay", "here"]);
        assert!(quoted_words("It's the minister's plan.").is_empty());
    }

    #[test]
    fn lines_keep_their_tokens_and_punctuation() {
        let p = Page::new("Home\n\nThe minister said “yes.”\n  \nRead more");
        assert_eq!(p.lines.len(), 3);
        assert_eq!(p.lines.iter().map(Line::len).collect::<Vec<_>>(), [1, 4, 2]);
        assert_eq!(p.lines.iter().map(Line::sentence).collect::<Vec<_>>(), [false, true, false]);
        assert!(Page::new("First one. Then more").lines[0].sentence());
        assert!(Page::new("12 hours ago").lines[0].digit());
        assert!(!Page::new("2. Harbour board under pressure over the new pier").lines[0].sentence());
        assert!(Page::new("2. The board met. It agreed").lines[0].sentence());
    }

    #[test]
    fn lines_know_how_they_end() {
        let endings = |t: &str| Page::new(t).lines.iter().map(Line::ending).collect::<Vec<_>>();
        assert_eq!(
            endings("The board met.\nDid it agree?\nIt did!”\nThe chair said that ...\nHeadline here\nNext:"),
            [Ending::Stop, Ending::Ask, Ending::Ask, Ending::Cut, Ending::Bare, Ending::Stop]
        );
        assert_eq!(
            endings("¿Qué pasó?\n議会は承認した。\nयह सच है।\nهل وافق؟\nसब ठीक…"),
            {
                use Ending::{Ask, Cut, Stop};
                [Ask, Stop, Stop, Ask, Cut]
            }
        );
        // "(Reuters)" after the last full stop: the bracket is trimmed, not the credit
        assert_eq!(endings("The talks resume on Monday. (Reuters)"), [Ending::Bare]);
    }

    #[test]
    fn hard_wrapped_paragraphs_are_one_line() {
        let text = "Menu\nWorld\n\nThe harbour board approved the new breakwater on Tuesday\nafter a decade of storms had flooded the fish market three\nWinters in a row, the chairwoman said.\nShe expects the work to start in May.\n\nRead more\n";
        let p = Page::new(text);
        assert_eq!(p.lines.iter().map(Line::len).collect::<Vec<_>>(), [1, 1, 27, 8, 2]);
        assert!(p.lines[2].sentence());
        // the key of the joined line is that of the same paragraph unwrapped
        let flat = Page::new("The harbour board approved the new breakwater on Tuesday after a decade of storms had flooded the fish market three Winters in a row, the chairwoman said.");
        assert_eq!(p.key(&p.lines[2]), flat.key(&flat.lines[0]));
    }

    #[test]
    fn menus_titles_and_crlf_lines_are_not_joined() {
        let p = Page::new("Home\r\nNews\r\nsport\r\nA short title of a story\r\n3 hours ago\r\n");
        assert_eq!(p.lines.len(), 5);
        let unwrapped = "A long paragraph that is much wider than the title below it, as any paragraph of an article that is not wrapped at a fixed width would be.\nTitle of the next story on the rail\nAnother paragraph follows here.";
        assert_eq!(Page::new(unwrapped).lines.len(), 3);
    }

    #[test]
    fn pages_round_trip_through_their_encoding() {
        let text = "Menu\n\n“We stay,” she said on 3 May.\nRead more\nWhy stay?\nMore ...\n".repeat(30);
        let p = Page::new(&text);
        let mut buf = Vec::new();
        p.encode(&mut buf);
        buf.push(7);
        let (back, rest) = Page::decode(&buf).expect("valid");
        assert_eq!(back, p);
        assert_eq!(rest, [7]);
        for cut in 0..buf.len() - 1 {
            assert!(Page::decode(&buf[..cut]).is_err(), "truncated at {cut}");
        }
        // Version 1 did not record line endings: refused with a message saying so.
        buf[4] = 1;
        assert!(Page::decode(&buf).unwrap_err().contains("version 1"));
        assert_eq!(token_spans(&text).len(), p.len());
    }

    #[test]
    fn sentence_starts_are_marked_inside_lines() {
        let text = "The court rose. Mr Hale said “no!” and left. 3.5 million
Next line";
        let (p, spans) = Page::with_spans(text);
        let starts: Vec<&str> = (0..p.len())
            .filter(|&i| p.starts_sentence(i))
            .map(|i| &text[spans[i].0 as usize..spans[i].1 as usize])
            .collect();
        assert_eq!(starts, ["Mr", "and", "3.5"]);
        // a version 1 encoding, without them, is refused with a message that says why
        let mut buf = Vec::new();
        p.encode(&mut buf);
        buf[4] = 1;
        assert!(Page::decode(&buf).is_err_and(|e| e.contains("version 1")));
    }

    #[test]
    fn equal_lines_have_equal_keys_across_quote_styles() {
        let a = Page::new("He said \"we will win\".");
        let b = Page::new("He said “we will win”.");
        assert_eq!(a.key(&a.lines[0]), b.key(&b.lines[0]));
    }

    /// Text of the characters page building treats apart: quotation marks and
    /// apostrophes of every style, sentence stops of several scripts, digits and
    /// numerals, brackets, dashes, line breaks, spaces, letters with accents.
    fn tricky_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        let pieces = proptest::sample::select(vec![
            "a", "Word", "the", "é", "Ünï", "7", "12", "²", "٣", "議", " ", " ", "  ", "\t", "\n", "\n\n",
            "\r\n", ".", "!", "?", "…", "。", "؟", ",", ";", ":", "\"", "'", "“", "”", "„", "‘", "’", "«",
            "»", "(", ")", "[", "-", "–", "—", "*", "2. ", "\u{a0}", "\u{3000}", "！", "？", "।", "۔",
            "don't", "it's", "_",
        ]);
        proptest::collection::vec(pieces, 0..120).prop_map(|v| v.concat())
    }

    #[test]
    fn the_page_of_a_long_news_text_is_built_as_plainly() {
        let text = "Menu | Home\n\n“We will stay,” the minister said on 3 May. 'It's ours,' she added!\n\
                    The ‘plan’ costs £2.5m… (Reuters)\nRead more: Why? 10 things\n"
            .repeat(40);
        assert_eq!(Page::new(&text), reference::build(&text));
    }

    proptest::proptest! {
        /// The page builder agrees with the plain one it replaced, on every token
        /// hash, line, quotation mark and sentence start.
        #[test]
        fn pages_are_built_as_the_plain_builder_builds_them(text in tricky_text()) {
            proptest::prop_assert_eq!(Page::new(&text), reference::build(&text));
        }

        /// Keys hashed on the stack or streamed are the hash of the whole byte
        /// string, as they were when keys were kept (encoded pages carry them).
        #[test]
        fn line_keys_are_the_hash_of_the_token_bytes(tokens in proptest::collection::vec(proptest::prelude::any::<u32>(), 0..200)) {
            let bytes: Vec<u8> = tokens.iter().flat_map(|t| t.to_le_bytes()).collect();
            proptest::prop_assert_eq!(line_key(&tokens), xxh3_64_with_seed(&bytes, TOKEN_SEED));
        }
    }
}
