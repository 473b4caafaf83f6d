//! Shingling: word or character k-grams over normalised tokens, hashed with a
//! seeded 64-bit XXH3.
//!
//! A shingle's bytes are the normalised tokens joined by single spaces (word unit) or
//! k consecutive characters of that joined text (char unit). Hashing those exact
//! bytes means that hashing `shingles(text)` given back as strings produces the
//! same values as hashing the text directly. A text with fewer than `k` units gives
//! one shingle of all of them, so short texts still have a fingerprint; a text with
//! no tokens gives none.

use crate::error::{Error, Result};
use crate::text::{tokenize_into, NormalizeOptions, Scratch, Tokens};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// What a shingle is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// k consecutive tokens.
    Word,
    /// k consecutive characters of the normalised text.
    Char,
}

impl Unit {
    /// Parses a unit name.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming the valid units.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "word" => Ok(Self::Word),
            "char" => Ok(Self::Char),
            _ => Err(Error::invalid_choice("unit", &["word", "char"], name)),
        }
    }

    /// The unit's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Word => "word",
            Self::Char => "char",
        }
    }
}

/// Turns text into shingles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shingler {
    /// Word or character shingles.
    pub unit: Unit,
    /// Units per shingle.
    pub k: usize,
    /// Token normalisation.
    pub opts: NormalizeOptions,
}

impl Shingler {
    /// Creates a shingler.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when `k` is 0 or above 1024.
    pub fn new(unit: Unit, k: usize, opts: NormalizeOptions) -> Result<Self> {
        if k == 0 || k > 1024 {
            return Err(Error::invalid_number("k", "between 1 and 1024", k));
        }
        Ok(Self { unit, k, opts })
    }

    /// Calls `f` with the bytes of every shingle of `text`, in text order.
    pub fn for_each(&self, text: &str, f: impl FnMut(&[u8])) {
        self.for_each_with(text, &mut ShingleBuffers::default(), f);
    }

    /// Like [`Shingler::for_each`], reusing the allocations in `buffers`: the loop
    /// body of batch shingling (one `ShingleBuffers` per thread).
    pub fn for_each_with(&self, text: &str, buffers: &mut ShingleBuffers, mut f: impl FnMut(&[u8])) {
        tokenize_into(text, self.opts, &mut buffers.tokens, &mut buffers.scratch);
        self.for_each_in(&buffers.tokens, &mut f);
    }

    /// Like [`Shingler::for_each`] over already tokenised text.
    pub fn for_each_in(&self, tokens: &Tokens, f: &mut impl FnMut(&[u8])) {
        let n = tokens.len();
        if n == 0 {
            return;
        }
        match self.unit {
            Unit::Word => {
                if n < self.k {
                    f(tokens.joined(0, n).as_bytes());
                } else {
                    for i in 0..=n - self.k {
                        f(tokens.joined(i, i + self.k).as_bytes());
                    }
                }
            }
            Unit::Char if tokens.norm.is_ascii() => {
                let s = tokens.norm.as_bytes();
                if s.len() < self.k {
                    f(s);
                } else {
                    for w in s.windows(self.k) {
                        f(w);
                    }
                }
            }
            Unit::Char => {
                let s = tokens.norm.as_bytes();
                let bounds: Vec<usize> =
                    tokens.norm.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
                let chars = bounds.len() - 1;
                if chars < self.k {
                    f(s);
                } else {
                    for i in 0..=chars - self.k {
                        f(&s[bounds[i]..bounds[i + self.k]]);
                    }
                }
            }
        }
    }

    /// The shingles of `text` as strings, in text order (repeats kept).
    pub fn shingles(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each(text, |b| out.push(String::from_utf8_lossy(b).into_owned()));
        out
    }

    /// The seeded 64-bit hashes of the shingles of `text`, in text order.
    pub fn hashes(&self, text: &str, seed: u64) -> Vec<u64> {
        let mut out = Vec::new();
        self.for_each(text, |b| out.push(hash_shingle(b, seed)));
        out
    }
}

/// Many shingle lists packed into one buffer, as given shingles cross into the core:
/// one allocation for a whole batch instead of one per shingle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackedShingles {
    bytes: Vec<u8>,
    /// End of each shingle in `bytes`.
    ends: Vec<usize>,
    /// End of each list in `ends`.
    list_ends: Vec<usize>,
}

impl PackedShingles {
    /// Appends a shingle to the list being built.
    pub fn push_shingle(&mut self, shingle: &[u8]) {
        self.bytes.extend_from_slice(shingle);
        self.ends.push(self.bytes.len());
    }

    /// Closes the list being built (possibly empty) and starts the next.
    pub fn end_list(&mut self) {
        self.list_ends.push(self.ends.len());
    }

    /// Number of closed lists.
    pub fn len(&self) -> usize {
        self.list_ends.len()
    }

    /// True when no list was closed.
    pub fn is_empty(&self) -> bool {
        self.list_ends.is_empty()
    }

    /// The shingles of list `i`.
    pub fn list(&self, i: usize) -> impl Iterator<Item = &[u8]> {
        let first = if i == 0 { 0 } else { self.list_ends[i - 1] };
        let last = self.list_ends[i];
        let mut start = if first == 0 { 0 } else { self.ends[first - 1] };
        self.ends[first..last].iter().map(move |&end| {
            let s = &self.bytes[start..end];
            start = end;
            s
        })
    }
}

/// Working memory for shingling many texts on one thread.
#[derive(Debug, Default)]
pub struct ShingleBuffers {
    tokens: Tokens,
    scratch: Scratch,
}

/// The hash of one shingle: XXH3-64 with a seed.
#[inline]
pub fn hash_shingle(bytes: &[u8], seed: u64) -> u64 {
    xxh3_64_with_seed(bytes, seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(k: usize) -> Shingler {
        Shingler::new(Unit::Word, k, NormalizeOptions::default()).unwrap()
    }

    #[test]
    fn word_shingles_slide_over_tokens() {
        assert_eq!(word(2).shingles("The cat, the hat."), ["the cat", "cat the", "the hat"]);
        assert_eq!(word(5).shingles("Too short."), ["too short"]);
        assert!(word(3).shingles(" ... ").is_empty());
    }

    #[test]
    fn char_shingles_count_characters_not_bytes() {
        let s = Shingler::new(Unit::Char, 3, NormalizeOptions::default()).unwrap();
        assert_eq!(s.shingles("Añob"), ["año", "ñob"]);
    }

    #[test]
    fn hashes_are_hashes_of_the_strings() {
        let s = word(3);
        let text = "One two three four, five!";
        let from_strings: Vec<u64> = s.shingles(text).iter().map(|x| hash_shingle(x.as_bytes(), 7)).collect();
        assert_eq!(s.hashes(text, 7), from_strings);
    }

    #[test]
    fn reused_buffers_and_ascii_char_path_change_nothing() {
        let mut buffers = ShingleBuffers::default();
        for unit in [Unit::Word, Unit::Char] {
            for k in [1, 3, 5] {
                let s = Shingler::new(unit, k, NormalizeOptions::default()).unwrap();
                for text in ["Añob and more", "plain ascii text here", "ab", "", "東京 x"] {
                    let mut got = Vec::new();
                    s.for_each_with(text, &mut buffers, |b| got.push(b.to_vec()));
                    // The general char path, by hand: k characters of the normalised text.
                    let norm: Vec<char> = crate::text::normalize(text, s.opts).chars().collect();
                    let expect: Vec<Vec<u8>> = match unit {
                        Unit::Char if norm.is_empty() => vec![],
                        Unit::Char if norm.len() < k => {
                            vec![norm.iter().collect::<String>().into_bytes()]
                        }
                        Unit::Char => {
                            norm.windows(k).map(|w| w.iter().collect::<String>().into_bytes()).collect()
                        }
                        Unit::Word => s.shingles(text).into_iter().map(String::into_bytes).collect(),
                    };
                    assert_eq!(got, expect, "{unit:?} {k} {text:?}");
                }
            }
        }
    }

    #[test]
    fn packed_lists_give_back_their_shingles() {
        let lists: [&[&str]; 4] = [&["a b", "", "c"], &[], &["x"], &[""]];
        let mut packed = PackedShingles::default();
        for l in lists {
            for s in l {
                packed.push_shingle(s.as_bytes());
            }
            packed.end_list();
        }
        assert_eq!(packed.len(), 4);
        for (i, l) in lists.iter().enumerate() {
            let got: Vec<&[u8]> = packed.list(i).collect();
            let want: Vec<&[u8]> = l.iter().map(|s| s.as_bytes()).collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn bad_k_is_rejected() {
        assert!(Shingler::new(Unit::Word, 0, NormalizeOptions::default()).is_err());
        assert_eq!(
            Unit::parse("words").unwrap_err().to_string(),
            "`unit` must be one of {'word', 'char'}, got 'words'"
        );
    }
}
