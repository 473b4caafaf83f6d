//! An article: the tokens of the lines chrome removal kept, hashed into the k-grams
//! every later stage reads. Derived again from a page and its kept lines (a bit a
//! line) whenever needed, rather than kept for every page.

use xxhash_rust::xxh3::xxh3_64;

use crate::lsh::fmix64;

use super::page::Page;
use super::winnow::{kgram_hashes, winnow};
use super::{NewsOptions, Pages};

/// Kept lines of a page, one bit a line.
pub type Keep = Box<[u64]>;

/// Kept lines as bits: bit `i % 64` of word `i / 64` for line `i`.
pub fn to_bits(keep: &[bool]) -> Keep {
    let mut bits = vec![0u64; keep.len().div_ceil(64)];
    for (i, &k) in keep.iter().enumerate() {
        if k {
            bits[i / 64] |= 1 << (i % 64);
        }
    }
    bits.into_boxed_slice()
}

pub(crate) fn from_bits(bits: &[u64], n: usize) -> Vec<bool> {
    (0..n).map(|i| bits[i / 64] >> (i % 64) & 1 == 1).collect()
}

/// What chrome removal and fingerprinting derived from one page. Derived again from
/// the page and its kept lines whenever needed, rather than kept for every page.
#[derive(Debug, Clone, Default)]
pub struct Article {
    /// Indices (into the page's tokens) of the article tokens, in order.
    pub tokens: Vec<u32>,
    /// The page line of each article token.
    pub line_of: Vec<u32>,
    /// Hashes of the article tokens.
    pub hashes: Vec<u64>,
    /// Hash of each article k-gram.
    pub kgrams: Vec<u64>,
    /// Hash of all article tokens (0 when there are none).
    pub hash: u64,
}

impl Article {
    pub(crate) fn from_lines(page: &Page, keep: &[bool], opts: &NewsOptions) -> Self {
        let mut art = Self::default();
        art.fill(page, |i| keep.get(i) == Some(&true));
        art.kgrams = kgram_hashes(&art.hashes, opts.k);
        art
    }

    pub(crate) fn from_bits(page: &Page, keep: &[u64], opts: &NewsOptions) -> Self {
        let mut art = Self::default();
        art.fill(page, |i| keep[i / 64] >> (i % 64) & 1 == 1);
        art.kgrams = kgram_hashes(&art.hashes, opts.k);
        art
    }

    /// Makes this the article of `page` under kept lines `keep` (none: an empty
    /// article), whose hash the analysis knows already, reusing its allocations,
    /// and without k-grams: verification derives the article of every page of
    /// every pair and reads only its tokens, lines and hashes.
    pub(crate) fn refill_unfingerprinted(&mut self, page: &Page, keep: Option<&[u64]>, hash: u64) {
        match keep {
            Some(keep) => self.fill_tokens(page, |i| keep[i / 64] >> (i % 64) & 1 == 1),
            None => self.fill_tokens(page, |_| false),
        }
        debug_assert_eq!(hash, Self::hash_of(&self.hashes), "the analysis holds another article");
        self.hash = hash;
        self.kgrams.clear();
    }

    fn fill(&mut self, page: &Page, kept: impl Fn(usize) -> bool) {
        self.fill_tokens(page, kept);
        self.hash = Self::hash_of(&self.hashes);
    }

    /// Tokens, lines and hashes of the lines `kept` (by line index).
    fn fill_tokens(&mut self, page: &Page, kept: impl Fn(usize) -> bool) {
        self.tokens.clear();
        self.line_of.clear();
        self.hashes.clear();
        for (i, l) in page.lines.iter().enumerate() {
            if kept(i) {
                let (s, e) = (l.tok_start as usize, l.tok_end() as usize);
                self.tokens.extend(l.tok_start..l.tok_end());
                self.line_of.extend(std::iter::repeat_n(i as u32, e - s));
                self.hashes.extend(page.tokens[s..e].iter().map(|&t| fmix64(u64::from(t))));
            }
        }
    }

    /// Hashes of the tokens on kept lines, as [`Article::hashes`], without the rest.
    pub(crate) fn token_hashes(page: &Page, keep: &[u64]) -> Vec<u64> {
        let mut out = Vec::with_capacity(page.tokens.len());
        for (i, l) in page.lines.iter().enumerate() {
            if keep[i / 64] >> (i % 64) & 1 == 1 {
                out.extend(
                    page.tokens[l.tok_start as usize..l.tok_end() as usize]
                        .iter()
                        .map(|&t| fmix64(u64::from(t))),
                );
            }
        }
        out
    }

    /// [`Article::hash`] of token hashes: the hash of their little-endian bytes.
    pub(crate) fn hash_of(hashes: &[u64]) -> u64 {
        if hashes.is_empty() {
            return 0;
        }
        if cfg!(target_endian = "little") {
            return xxh3_64(bytemuck::cast_slice(hashes)) | 1;
        }
        let bytes: Vec<u8> = hashes.iter().flat_map(|h| h.to_le_bytes()).collect();
        xxh3_64(&bytes) | 1
    }

    /// Winnowed fingerprints `(hash, k-gram position)`.
    pub fn fingerprints(&self, window: usize) -> Vec<(u64, u32)> {
        winnow(&self.kgrams, window)
    }

    /// Hash of the whole article (0 when empty).
    pub(crate) fn content_hash(&self) -> u64 {
        self.hash
    }
}

/// Token hashes of the article of `slot` under kept lines `keep`.
pub(crate) fn article_tokens(px: &Pages<'_>, keep: &[Option<Keep>], slot: usize) -> Vec<u64> {
    match (&px.docs[slot], &keep[slot]) {
        (Some(d), Some(k)) => Article::token_hashes(&d.page, k),
        _ => Vec::new(),
    }
}

/// The article of `slot` under kept lines `keep`.
pub(crate) fn article(px: &Pages<'_>, keep: &[Option<Keep>], slot: usize) -> Article {
    match (&px.docs[slot], &keep[slot]) {
        (Some(d), Some(k)) => Article::from_bits(&d.page, k, px.opts),
        _ => Article::default(),
    }
}

pub(crate) fn article_kgrams_empty(px: &Pages<'_>, keep: &[Option<Keep>], slot: usize) -> bool {
    let k = px.opts.k;
    px.docs[slot].as_ref().is_none_or(|d| keep_tokens(&d.page, keep[slot].as_deref()) < k)
}

/// The tokens (32-bit hashes) on the kept lines of a page.
pub(crate) fn kept_tokens(page: &Page, keep: &[u64]) -> Vec<u32> {
    let mut out = Vec::new();
    for (i, l) in page.lines.iter().enumerate() {
        if keep[i / 64] >> (i % 64) & 1 == 1 {
            out.extend_from_slice(&page.tokens[l.tok_start as usize..l.tok_end() as usize]);
        }
    }
    out
}

/// Tokens on the kept lines of a page.
pub(crate) fn keep_tokens(page: &Page, keep: Option<&[u64]>) -> usize {
    let Some(keep) = keep else { return 0 };
    page.lines
        .iter()
        .enumerate()
        .filter(|(i, _)| keep[i / 64] >> (i % 64) & 1 == 1)
        .map(|(_, l)| l.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_article_holds_the_kept_lines_tokens_in_order() {
        let page =
            Page::new("Menu\nThe first kept line has seven tokens.\nSkip this line\nAnd the last one.");
        let keep = [false, true, false, true];
        let art = Article::from_lines(&page, &keep, &NewsOptions::default());
        let l = &page.lines;
        let want: Vec<u32> = (l[1].tok_start..l[1].tok_end()).chain(l[3].tok_start..l[3].tok_end()).collect();
        assert_eq!(art.tokens, want);
        assert_eq!(art.line_of, [vec![1u32; l[1].len()], vec![3u32; l[3].len()]].concat());
        assert_eq!(art.kgrams.len(), want.len() - 5 + 1);
        assert_eq!(art.hashes, Article::token_hashes(&page, &to_bits(&keep)));
        assert_ne!(art.hash, 0);
        // nothing kept: no tokens, hash 0
        let none = Article::from_lines(&page, &[false; 4], &NewsOptions::default());
        assert!(none.tokens.is_empty() && none.hash == 0);
        assert_eq!(keep_tokens(&page, Some(&to_bits(&keep))), want.len());
        assert_eq!(kept_tokens(&page, &to_bits(&keep)).len(), want.len());
    }

    proptest! {
        /// The article hash is the hash of the token hashes' little-endian bytes
        /// on every platform (analyses compare hashes made at different times).
        #[test]
        fn article_hashes_are_the_hash_of_the_little_endian_bytes(hashes in proptest::collection::vec(any::<u64>(), 1..300)) {
            let bytes: Vec<u8> = hashes.iter().flat_map(|h| h.to_le_bytes()).collect();
            prop_assert_eq!(Article::hash_of(&hashes), xxh3_64(&bytes) | 1);
        }

        #[test]
        fn kept_lines_round_trip_through_bits(keep in proptest::collection::vec(any::<bool>(), 0..200)) {
            prop_assert_eq!(from_bits(&to_bits(&keep), keep.len()), keep);
        }
    }
}
