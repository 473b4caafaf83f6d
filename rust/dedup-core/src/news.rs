//! The news pipeline: pages from many outlets in, verified copy relations and
//! stories out.
//!
//! 1. Chrome removal ([`crate::chrome`]) keeps each page's article lines, from the
//!    page's own shape and from lines recurring across the corpus or the outlet.
//! 2. Fingerprints: winnowed word k-grams ([`crate::winnow`]) of the article tokens.
//!    The document frequency of every article k-gram is counted over groups of
//!    near-duplicate articles ([`crate::neardup`]), so fifty verbatim copies of a
//!    story count once; k-grams used by more than `common_texts` distinct texts are
//!    common phrases (stock sentences, names, titles) and count neither for
//!    candidates nor as evidence.
//! 3. Coherence: an article line whose matching pages do not overlap those of its
//!    neighbouring lines quotes a different story than they do (a rail of ledes
//!    that looked like prose) and is dropped.
//! 4. Candidates: pages sharing at least `min_shared_fingerprints` rare fingerprints
//!    (local reuse), or near-duplicate articles by MinHash-LSH (global reuse).
//! 5. Verification on exact data ([`crate::align`]): shared passages of rare tokens,
//!    containment and Jaccard. `Syndicated` when the shorter article is (nearly)
//!    contained in the other, `Rewritten` when a long enough passage and enough
//!    passage text are shared.
//! 6. Stories ([`crate::cluster`]): verified relations grouped without chaining.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use crate::align::AlignOptions;
use crate::chrome::{body_lines, line_kind, ChromeOptions, Kind as LineKind, Shape};
use crate::cluster::{attach, cluster_weighted, ClusterOptions, Clustering, Derived, Edge};
use crate::derivation::DerivationOptions;
use crate::error::{Error, Result};
use crate::minhash::fmix64;
use crate::neardup::{band_keys, groups_by_bands, jaccard, NearDupOptions};

mod verify;
use crate::page::Page;
use crate::weights::TokenWeights;
use crate::winnow::{kgram_hashes, winnow};
use verify::{derivation_text, verify, Side};

/// Every tunable of the pipeline, with news defaults.
#[derive(Debug, Clone, Copy)]
pub struct NewsOptions {
    /// Chrome removal.
    pub chrome: ChromeOptions,
    /// Tokens per fingerprinted k-gram.
    pub k: usize,
    /// A k-gram used by more than this many distinct texts (near-duplicate groups,
    /// not pages) is a common phrase ...
    pub common_texts: u32,
    /// ... or by more than this times the square root of the number of distinct
    /// texts, if that is more: in a larger corpus more phrases recur by chance, and
    /// a fixed count would turn the quotes rewrites share into "common" phrases.
    pub common_scale: f64,
    /// Near-duplicate grouping for document frequencies.
    pub neardup: NearDupOptions,
    /// Winnowing window (k-grams).
    pub window: usize,
    /// Rare fingerprints two pages must share to be compared.
    pub min_shared_fingerprints: usize,
    /// Tokens per k-gram of the short-run candidates: rewrites that cut and reword
    /// a wire story share many runs of a few words and few runs of `k`.
    pub short_k: usize,
    /// Winnowing window of the short-run candidates.
    pub short_window: usize,
    /// Rare short fingerprints two pages must share to be compared.
    pub min_shared_short: usize,
    /// Run the coherence pass.
    pub coherence: bool,
    /// Rare fingerprints a line must share with a page to count it as a partner.
    pub coherence_fingerprints: usize,
    /// Least partner overlap with a neighbouring line for a line to stay.
    pub coherence_overlap: f64,
    /// Lines mostly inside quotation marks are never dropped by coherence: a quote
    /// is what a heavy rewrite keeps of a story, next to its own unrelated text.
    pub coherence_keeps_quotes: bool,
    /// Passage alignment: long shared runs, which passages and copies are made of ...
    pub align: AlignOptions,
    /// ... then the short runs left between them, which derivation is made of.
    pub short_runs: AlignOptions,
    /// A passage counts when it has this many rare tokens.
    pub min_passage: usize,
    /// `Rewritten` needs a counted passage this long ...
    pub rewritten_longest: usize,
    /// ... and this many rare tokens in counted passages,
    pub rewritten_shared: usize,
    /// ... or a counted passage this long inside quotation marks on both pages.
    pub rewritten_quote: usize,
    /// `Syndicated` needs this containment (shared / shorter article).
    pub syndicated_containment: f64,
    /// `Rewritten` also holds when this share of one article's distinct words
    /// (weighed by rarity) occurs in the other: a brief cut and reworded from a wire
    /// story ...
    pub derived_vocabulary: f64,
    /// ... with at least this many tokens in shared runs ...
    pub derived_tokens: usize,
    /// ... and at least this share of its text in sentences that come from the
    /// other ([`crate::derivation::Sentences::evidence`]).
    pub derived_evidence: f64,
    /// A page with at least this share of its words from another page joins that
    /// page's story, however large the story (a brief of a long wire story relates
    /// to it alone, not to the story's other copies).
    pub attach_vocabulary: f64,
    /// Sentence coverage ([`crate::derivation`]).
    pub derivation: DerivationOptions,
    /// Pages of one outlet share template text: they relate only above this
    /// containment.
    pub same_source_containment: f64,
    /// Passages closer than this (tokens) are shown as one.
    pub display_gap: u32,
    /// Story clustering.
    pub cluster: ClusterOptions,
}

impl Default for NewsOptions {
    fn default() -> Self {
        Self {
            chrome: ChromeOptions::default(),
            k: 5,
            common_texts: 10,
            common_scale: 0.09,
            neardup: NearDupOptions::default(),
            window: 4,
            min_shared_fingerprints: 2,
            short_k: 3,
            short_window: 2,
            min_shared_short: 3,
            coherence: true,
            coherence_fingerprints: 2,
            coherence_overlap: 0.5,
            coherence_keeps_quotes: true,
            align: AlignOptions::default(),
            // Runs of two tokens count too; frequent words weigh next to nothing.
            short_runs: AlignOptions { seed: 2, min_run: 2, max_seed_occurrences: 64 },
            min_passage: 6,
            rewritten_longest: 10,
            rewritten_shared: 16,
            rewritten_quote: 10,
            syndicated_containment: 0.8,
            derived_vocabulary: 0.5,
            derived_tokens: 8,
            derived_evidence: 0.05,
            attach_vocabulary: 0.5,
            derivation: DerivationOptions::default(),
            same_source_containment: 0.5,
            display_gap: 3,
            cluster: ClusterOptions::default(),
        }
    }
}

impl NewsOptions {
    /// Names accepted by [`NewsOptions::set`].
    pub const NAMES: [&'static str; 30] = [
        "k",
        "common_texts",
        "common_scale",
        "window",
        "min_shared_fingerprints",
        "coherence",
        "coherence_overlap",
        "coherence_keeps_quotes",
        "min_passage",
        "rewritten_longest",
        "rewritten_shared",
        "rewritten_quote",
        "syndicated_containment",
        "derived_vocabulary",
        "derived_tokens",
        "derived_evidence",
        "attach_vocabulary",
        "sentence_share",
        "sentence_runs",
        "short_k",
        "short_window",
        "min_shared_short",
        "same_source_containment",
        "min_density",
        "max_cluster_size",
        "line_common_texts",
        "same_source_pages",
        "prose_min",
        "prose_long",
        "short_max",
    ];

    /// Sets one option by name (numbers as `f64`, booleans as 0 or 1).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for an unknown name or a value out of range.
    pub fn set(&mut self, name: &str, value: f64) -> Result<()> {
        let count = |min: f64| -> Result<usize> {
            if value.fract() != 0.0 || value < min || value > 1e9 {
                return Err(Error::invalid_number(
                    static_name(name),
                    format!("a whole number >= {min}"),
                    value,
                ));
            }
            Ok(value as usize)
        };
        let share = || -> Result<f64> {
            if !(0.0..=1.0).contains(&value) {
                return Err(Error::invalid_number(static_name(name), "between 0 and 1", value));
            }
            Ok(value)
        };
        match name {
            "k" => self.k = count(1.0)?,
            "common_texts" => self.common_texts = count(1.0)? as u32,
            "common_scale" => {
                if !(0.0..=1000.0).contains(&value) {
                    return Err(Error::invalid_number("common_scale", "between 0 and 1000", value));
                }
                self.common_scale = value;
            }
            "window" => self.window = count(1.0)?,
            "min_shared_fingerprints" => self.min_shared_fingerprints = count(1.0)?,
            "coherence" => self.coherence = count(0.0)? != 0,
            "coherence_overlap" => self.coherence_overlap = share()?,
            "coherence_keeps_quotes" => self.coherence_keeps_quotes = count(0.0)? != 0,
            "min_passage" => self.min_passage = count(1.0)?,
            "rewritten_longest" => self.rewritten_longest = count(1.0)?,
            "rewritten_shared" => self.rewritten_shared = count(1.0)?,
            "rewritten_quote" => self.rewritten_quote = count(1.0)?,
            "syndicated_containment" => self.syndicated_containment = share()?,
            "derived_vocabulary" => self.derived_vocabulary = share()?,
            "derived_tokens" => self.derived_tokens = count(1.0)?,
            "attach_vocabulary" => self.attach_vocabulary = share()?,
            "sentence_share" => self.derivation.sentence_share = share()?,
            "sentence_runs" => self.derivation.sentence_runs = share()?,
            "derived_evidence" => self.derived_evidence = share()?,
            "short_k" => self.short_k = count(1.0)?,
            "short_window" => self.short_window = count(1.0)?,
            "min_shared_short" => self.min_shared_short = count(1.0)?,
            "same_source_containment" => self.same_source_containment = share()?,
            "min_density" => self.cluster.min_density = share()?,
            "max_cluster_size" => self.cluster.max_size = count(2.0)?,
            "line_common_texts" => self.chrome.recur_texts = count(1.0)? as u32,
            "same_source_pages" => self.chrome.same_source_pages = count(2.0)? as u32,
            "prose_min" => self.chrome.prose_min = count(1.0)?,
            "prose_long" => self.chrome.prose_long = count(1.0)?,
            "short_max" => self.chrome.short_max = count(0.0)?,
            _ => return Err(Error::invalid_choice("option", &Self::NAMES, name)),
        }
        Ok(())
    }
}

fn static_name(name: &str) -> &'static str {
    NewsOptions::NAMES.iter().find(|n| **n == name).copied().unwrap_or("option")
}

/// How two pages relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Near-verbatim: one article is (nearly) contained in the other.
    Syndicated,
    /// Shares passages (quotes, key sentences) but not the whole text.
    Rewritten,
}

impl Kind {
    /// The kind's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Syndicated => "syndicated",
            Self::Rewritten => "rewritten",
        }
    }
}

/// A verified relation between pages `a` and `b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    /// First page slot.
    pub a: u32,
    /// Second page slot.
    pub b: u32,
    /// Syndicated or rewritten.
    pub kind: Kind,
    /// Strength in [0, 1].
    pub score: f64,
    /// Rare passage tokens shared / article tokens of the shorter page.
    pub containment: f64,
    /// Share of `a`'s article in sentences derived from `b` (reworded or not): how
    /// much of `a` comes from `b` ([`crate::derivation::sentence_coverage`]).
    pub coverage_a: f64,
    /// The same for `b`: how much of `b` comes from `a`.
    pub coverage_b: f64,
    /// Weighted share of `a`'s distinct words found in `b`.
    pub vocabulary_a: f64,
    /// Weighted share of `b`'s distinct words found in `a`.
    pub vocabulary_b: f64,
    /// Weighted share of `a`'s tokens in runs of two or more tokens shared with `b`.
    pub runs_a: f64,
    /// The same for `b`.
    pub runs_b: f64,
    /// Jaccard similarity of the two articles' k-gram sets.
    pub jaccard: f64,
    /// Rare tokens in counted passages.
    pub shared_tokens: u32,
    /// Shared passages, as token ranges `(a_start, a_end, b_start, b_end)` of the two
    /// pages (indices into [`Page::tokens`]; [`crate::page::token_spans`] maps them
    /// to the texts), in order of the first page.
    pub passages: Vec<(u32, u32, u32, u32)>,
    /// The pages share a long passage or a quote (the relation holds without
    /// counting vocabulary).
    pub by_passage: bool,
}

impl Relation {
    /// The same relation seen from page `b`.
    fn flipped(self) -> Self {
        Self {
            a: self.b,
            b: self.a,
            coverage_a: self.coverage_b,
            coverage_b: self.coverage_a,
            vocabulary_a: self.vocabulary_b,
            vocabulary_b: self.vocabulary_a,
            runs_a: self.runs_b,
            runs_b: self.runs_a,
            passages: {
                let mut p: Vec<_> =
                    self.passages.into_iter().map(|(a0, a1, b0, b1)| (b0, b1, a0, a1)).collect();
                p.sort_unstable();
                p
            },
            ..self
        }
    }
}

/// One page in the corpus: its compact tokenisation, not its text.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Outlet id, if known.
    pub source: Option<u32>,
    /// The outlet whose template lines chrome removal counts: `source`, or for a
    /// page without one, an id inferred from its header and footer lines.
    pub outlet: Option<u32>,
    /// Hash of the original text: orders pages whose articles are equal.
    pub text_hash: u64,
    /// Tokens and lines.
    pub page: Page,
}

impl Doc {
    /// Tokenises a page.
    pub fn new(text: &str, source: Option<u32>) -> Self {
        Self::from_page(Page::new(text), xxh3_64(text.as_bytes()), source)
    }

    /// A page from its tokenisation and the hash of its text.
    pub fn from_page(page: Page, text_hash: u64, source: Option<u32>) -> Self {
        let outlet = source.or_else(|| template_outlet(&page));
        Self { source, outlet, text_hash, page }
    }
}

/// What a page contributes to a corpus, as bytes: its encoded [`Page`] and the hash
/// of its text. Workers compute these where the texts are (a Spark executor, a
/// reader thread); [`decode_features`] reads them back.
pub fn encode_features(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 2);
    Page::new(text).encode(&mut out);
    out.extend_from_slice(&xxh3_64(text.as_bytes()).to_le_bytes());
    out
}

/// Reads [`encode_features`]' bytes: the page and its text hash.
///
/// # Errors
/// [`Error::InvalidInput`] for bytes that are not page features.
pub fn decode_features(bytes: &[u8]) -> Result<(Page, u64)> {
    let (page, rest) = Page::decode(bytes).map_err(Error::InvalidInput)?;
    let hash: [u8; 8] = rest
        .try_into()
        .map_err(|_| Error::InvalidInput("page features must end with the 8-byte text hash".into()))?;
    Ok((page, u64::from_le_bytes(hash)))
}

/// An outlet id for a page whose outlet is unknown, from its page template: the
/// first two and last two lines that look like chrome (short or headline-shaped,
/// no digits, so dates and counters do not vary it). Pages of one site share their
/// menu and footer; ids have the top bit set, so they never equal a given source.
fn template_outlet(page: &Page) -> Option<u32> {
    let chrome: Vec<u64> =
        page.lines.iter().filter(|l| !l.digit() && !l.sentence() && l.len() <= 12).map(|l| l.key).collect();
    if chrome.len() < 4 {
        return None;
    }
    let ends = [chrome[0], chrome[1], chrome[chrome.len() - 2], chrome[chrome.len() - 1]];
    let bytes: Vec<u8> = ends.iter().flat_map(|k| k.to_le_bytes()).collect();
    Some(0x8000_0000 | (xxh3_64(&bytes) as u32 & 0x7FFF_FFFF))
}

/// Kept lines of a page, one bit a line.
type Keep = Box<[u64]>;

fn to_bits(keep: &[bool]) -> Keep {
    let mut bits = vec![0u64; keep.len().div_ceil(64)];
    for (i, &k) in keep.iter().enumerate() {
        if k {
            bits[i / 64] |= 1 << (i % 64);
        }
    }
    bits.into_boxed_slice()
}

fn from_bits(bits: &[u64], n: usize) -> Vec<bool> {
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
    fn from_lines(page: &Page, keep: &[bool], opts: &NewsOptions) -> Self {
        let mut tokens = Vec::new();
        let mut line_of = Vec::new();
        for (i, (l, &k)) in page.lines.iter().zip(keep).enumerate() {
            if k {
                tokens.extend(l.tok_start..l.tok_end());
                line_of.extend(std::iter::repeat_n(i as u32, l.len()));
            }
        }
        let hashes: Vec<u64> = tokens.iter().map(|&t| fmix64(u64::from(page.tokens[t as usize]))).collect();
        let kgrams = kgram_hashes(&hashes, opts.k);
        let hash = Self::hash_of(&hashes);
        Self { tokens, line_of, hashes, kgrams, hash }
    }

    /// Hashes of the tokens on kept lines, as [`Article::hashes`], without the rest.
    fn token_hashes(page: &Page, keep: &[u64]) -> Vec<u64> {
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

    /// [`Article::hash`] of token hashes.
    fn hash_of(hashes: &[u64]) -> u64 {
        if hashes.is_empty() {
            return 0;
        }
        let bytes: Vec<u8> = hashes.iter().flat_map(|h| h.to_le_bytes()).collect();
        xxh3_64(&bytes) | 1
    }

    fn from_bits(page: &Page, keep: &[u64], opts: &NewsOptions) -> Self {
        Self::from_lines(page, &from_bits(keep, page.lines.len()), opts)
    }

    /// Winnowed fingerprints `(hash, k-gram position)`.
    pub fn fingerprints(&self, window: usize) -> Vec<(u64, u32)> {
        winnow(&self.kgrams, window)
    }

    /// Distinct k-gram hashes.
    fn distinct_kgrams(&self) -> Vec<u64> {
        let mut v = self.kgrams.clone();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Hash of the whole article (0 when empty).
    fn content_hash(&self) -> u64 {
        self.hash
    }
}

/// Line kinds, kept lines and the article of a page before the coherence pass.
type FirstPass = (Vec<LineKind>, Vec<bool>, Article);

/// Rare fingerprints → pages: a sorted array of `(hash, page)` with a directory on
/// the top bits of the hash. About 12 bytes a posting, against 40 or more for a
/// hash map of vectors, most of which would hold one page.
#[derive(Debug, Default)]
struct Postings {
    hashes: Vec<u64>,
    pages: Vec<u32>,
    shift: u32,
    dir: Vec<u32>,
}

impl Postings {
    /// Builds the directory once the arrays are filled in hash order.
    fn finish(&mut self) {
        let n = self.hashes.len();
        let bits = (usize::BITS - (n / 8).max(1).leading_zeros()).clamp(4, 24);
        self.shift = 64 - bits;
        let mut dir = vec![0u32; (1usize << bits) + 1];
        let mut i = 0usize;
        for (b, d) in dir.iter_mut().enumerate() {
            while i < n && ((self.hashes[i] >> self.shift) as usize) < b {
                i += 1;
            }
            *d = i as u32;
        }
        self.dir = dir;
        self.hashes.shrink_to_fit();
        self.pages.shrink_to_fit();
    }

    /// The pages holding rare fingerprint `h`, in slot order.
    fn get(&self, h: u64) -> &[u32] {
        if self.dir.is_empty() {
            return &[];
        }
        let b = (h >> self.shift) as usize;
        let (lo, hi) = (self.dir[b] as usize, self.dir[b + 1] as usize);
        let run = &self.hashes[lo..hi];
        let s = run.partition_point(|&x| x < h);
        let e = run.partition_point(|&x| x <= h);
        &self.pages[lo + s..lo + e]
    }

    /// Each fingerprint's pages, as runs.
    fn runs(&self) -> impl Iterator<Item = &[u32]> {
        self.hashes.chunk_by(|a, b| a == b).scan(0usize, |at, run| {
            let s = *at;
            *at += run.len();
            Some(&self.pages[s..*at])
        })
    }
}

/// Line counts chrome removal looks up.
#[derive(Debug, Default)]
struct LineStats {
    /// Hash of (outlet, line key) → distinct pages of that outlet with that line,
    /// kept only where the count can reach `same_source_pages` (with a query).
    outlet_lines: HashMap<u64, u32>,
    /// (outlet, page hash) of every page with an outlet.
    outlet_pages: HashSet<(u32, u64)>,
    /// Distinct texts each line occurs in, kept where the count can pass `line_cap`.
    line_df: HashMap<u64, u32>,
    /// Texts above which a line recurs.
    line_cap: u32,
}

/// Corpus statistics chrome removal and verification need.
#[derive(Debug, Default)]
struct Analysis {
    lines: LineStats,
    /// Kept lines of each page (None for an empty slot).
    keep: Vec<Option<Keep>>,
    /// Article hash of each page (0 for an empty article or slot).
    hash: Vec<u64>,
    /// The first page with the same article as each page (itself if none came
    /// before, or if its article is empty). Identical articles are verified and
    /// clustered once, through that page.
    unit: Vec<u32>,
    /// Article hash → the first page with that article.
    first_with: HashMap<u64, u32>,
    /// First page → every page with the same article, for articles on 2+ pages.
    copies: HashMap<u32, Vec<u32>>,
    /// Near-duplicate group of each article (`u32::MAX` for articles too short to
    /// have k-grams).
    group: Vec<u32>,
    /// Article k-grams used by more than `cap` distinct texts.
    common: HashSet<u64>,
    /// Rare fingerprint → pages (first pages of identical articles only).
    index: Postings,
    /// Pages (first pages of identical articles) sharing a rare fingerprint with
    /// another page: only their lines can have partners in the coherence pass.
    shared: Vec<bool>,
    /// Token weights over the distinct texts (set once the articles are final).
    weights: TokenWeights,
    /// Summed weight of the distinct tokens of each page's article (what the
    /// vocabulary shares divide by), computed once rather than for every pair.
    distinct_weight: Vec<f32>,
}

impl Analysis {
    fn is_rare(&self, h: u64) -> bool {
        !self.common.contains(&h)
    }

    /// Rare tokens of the passage `[start, end)` of an article: tokens covered by a
    /// rare k-gram lying wholly inside the passage. Both pages of a passage hold the
    /// same tokens there, so the count is the same from either side.
    fn rare_in(&self, art: &Article, start: usize, end: usize, k: usize) -> usize {
        if end < start + k {
            return 0;
        }
        let mut covered_to = start;
        let mut count = 0;
        for i in start..=end - k {
            if self.is_rare(art.kgrams[i]) {
                let from = covered_to.max(i);
                count += i + k - from;
                covered_to = i + k;
            }
        }
        count
    }
}

/// Entries (k-gram, page) sorted in one pass of [`NewsCorpus::build_stats`]: at
/// least this many, or 48 a page; more are split into passes over ranges of the
/// hash, so memory stays bounded at a million pages (each pass derives the
/// articles again, which is cheap).
const PASS_ENTRIES: usize = 16 << 20;
const PASS_ENTRIES_PER_PAGE: usize = 48;

/// A (k-gram, page) entry, packed to 12 bytes: there are hundreds of millions.
#[derive(Clone, Copy)]
#[repr(C, packed)]
struct Entry {
    hash: u64,
    /// Page slot, with [`FP_BIT`].
    page: u32,
}

/// Pair occurrences counted in one pass of candidate generation (8 bytes each).
const PAIR_PASS: usize = 8 << 20;

/// Marks a (k-gram, page) entry whose k-gram is a winnowed fingerprint of the page.
const FP_BIT: u32 = 1 << 31;

/// Stream queries rebuild the statistics once this many pages, or this share of
/// the corpus, were added or removed since the last build.
const STREAM_REFRESH_PAGES: usize = 64;
const STREAM_REFRESH_SHARE: f64 = 0.05;

/// Pages added since the cached analysis, as stream queries see them: articles
/// under the cached statistics, indexed by rare fingerprint.
#[derive(Debug, Default)]
struct Fresh {
    slots: Vec<u32>,
    /// How many of `slots` are indexed.
    indexed: usize,
    keep: HashMap<u32, Keep>,
    index: HashMap<u64, Vec<u32>>,
    /// Article hash → fresh pages with that article.
    by_hash: HashMap<u64, Vec<u32>>,
}

/// The news corpus: pages by slot. Derived data is computed on demand and cached
/// until the corpus changes.
#[derive(Debug, Default)]
pub struct NewsCorpus {
    opts: NewsOptions,
    docs: Vec<Option<Doc>>,
    live: usize,
    cache: Option<Analysis>,
    /// Pages added or removed since the cached analysis was built: any makes it
    /// stale for exact results; stream queries tolerate a few.
    changes: usize,
    fresh: Fresh,
}

impl NewsCorpus {
    /// An empty corpus.
    pub fn new(opts: NewsOptions) -> Self {
        Self { opts, ..Self::default() }
    }

    /// The options.
    pub fn options(&self) -> &NewsOptions {
        &self.opts
    }

    /// Number of pages.
    pub fn len(&self) -> usize {
        self.live
    }

    /// True without pages.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Number of slots ever used (removed pages leave empty slots).
    pub fn slots(&self) -> usize {
        self.docs.len()
    }

    /// The page in `slot`, if present.
    pub fn doc(&self, slot: u32) -> Option<&Doc> {
        self.docs.get(slot as usize).and_then(Option::as_ref)
    }

    /// Tokenises pages in parallel, for [`Self::insert`].
    pub fn prepare(texts: Vec<String>, sources: Vec<Option<u32>>) -> Vec<Doc> {
        texts.into_par_iter().zip(sources.into_par_iter()).map(|(t, s)| Doc::new(&t, s)).collect()
    }

    /// Adds tokenised pages, returning their slots.
    pub fn insert(&mut self, docs: Vec<Doc>) -> Vec<u32> {
        let first = self.docs.len() as u32;
        self.live += docs.len();
        self.changes += docs.len();
        self.docs.extend(docs.into_iter().map(Some));
        let slots: Vec<u32> = (first..self.docs.len() as u32).collect();
        if self.cache.is_some() {
            self.fresh.slots.extend(&slots);
        }
        slots
    }

    /// Removes the page in `slot`; returns false if there was none.
    pub fn remove(&mut self, slot: u32) -> bool {
        if self.docs.get_mut(slot as usize).and_then(Option::take).is_none() {
            return false;
        }
        self.changes += 1;
        self.live -= 1;
        true
    }

    /// Bytes the pages take on the heap (their vectors' capacities).
    pub fn heap_bytes(&self) -> usize {
        let page = |p: &Page| {
            p.tokens.capacity() * 4
                + p.lines.capacity() * size_of::<crate::page::Line>()
                + p.quoted.capacity() * 8
        };
        self.docs.capacity() * size_of::<Option<Doc>>()
            + self.docs.iter().flatten().map(|d| page(&d.page)).sum::<usize>()
    }

    /// Drops the empty slots that removed pages left, renumbering the pages; returns
    /// each old slot's new number (`u32::MAX` for an empty one). A stream that
    /// evicts old pages calls this now and then to run in constant memory.
    pub fn compact(&mut self) -> Vec<u32> {
        let mut map = vec![u32::MAX; self.docs.len()];
        let mut docs = Vec::with_capacity(self.live);
        for (slot, d) in std::mem::take(&mut self.docs).into_iter().enumerate() {
            if let Some(d) = d {
                map[slot] = docs.len() as u32;
                docs.push(Some(d));
            }
        }
        self.docs = docs;
        self.cache = None;
        self.fresh = Fresh::default();
        self.changes = self.live;
        map
    }

    /// Line kinds of a page, with corpus recurrence applied. `extra` is 1 for a page
    /// that is not in the corpus (a query), so it counts itself; `line_df` says
    /// whether recurrence across the corpus counts yet (not in the first pass).
    fn kinds(&self, doc: &Doc, st: &LineStats, line_df: bool, extra: u32) -> Vec<LineKind> {
        // A query identical to a page its outlet already has adds no new copy.
        let extra_source = match doc.outlet {
            Some(s) if extra > 0 && st.outlet_pages.contains(&(s, page_hash(&doc.page))) => 0,
            _ => extra,
        };
        let o = &self.opts.chrome;
        doc.page
            .lines
            .iter()
            .map(|l| {
                let kind = line_kind(l.len(), l.digit(), l.sentence(), o);
                let widespread =
                    line_df && st.line_df.get(&l.key).copied().unwrap_or(0) + extra > st.line_cap;
                let in_source = doc.outlet.map_or(0, |s| {
                    st.outlet_lines.get(&outlet_key(s, l.key)).copied().unwrap_or(0) + extra_source
                });
                let recurs = widespread || in_source >= o.same_source_pages;
                match kind {
                    LineKind::Prose if recurs => LineKind::Recur,
                    LineKind::Head if recurs => LineKind::Boiler,
                    k => k,
                }
            })
            .collect()
    }

    /// First-pass article of a page: chrome removal from shape and recurrence.
    fn first_article(&self, doc: &Doc, st: &LineStats, line_df: bool, extra: u32) -> FirstPass {
        let kinds = self.kinds(doc, st, line_df, extra);
        let keep = body_lines(&kinds, &line_shapes(&doc.page, &self.opts.chrome), &self.opts.chrome);
        let art = Article::from_lines(&doc.page, &keep, &self.opts);
        (kinds, keep, art)
    }

    /// Lines each outlet repeats on its pages, counting identical pages of an outlet
    /// once: their lines recur because the page does, not because they are the
    /// outlet's template.
    fn outlet_stats(&self) -> LineStats {
        let mut pages: Vec<(u32, u64, u32)> = self
            .docs
            .par_iter()
            .enumerate()
            .filter_map(|(slot, d)| {
                let d = d.as_ref()?;
                Some((d.outlet?, page_hash(&d.page), slot as u32))
            })
            .collect();
        pages.par_sort_unstable();
        pages.dedup_by_key(|p| (p.0, p.1));
        let mut keys: Vec<u64> = pages
            .par_iter()
            .flat_map_iter(|&(s, _, slot)| {
                let d = self.docs[slot as usize].as_ref().expect("listed pages are present");
                distinct_keys(&d.page).into_iter().map(move |k| outlet_key(s, k))
            })
            .collect();
        keys.par_sort_unstable();
        // A query page adds at most one page to a count.
        let least = self.opts.chrome.same_source_pages.saturating_sub(1).max(1);
        let outlet_lines = run_counts(&keys, least);
        let outlet_pages = pages.into_iter().map(|(s, h, _)| (s, h)).collect();
        LineStats { outlet_lines, outlet_pages, line_df: HashMap::default(), line_cap: 0 }
    }

    /// How many distinct texts (near-duplicate groups of a preliminary article
    /// extraction) each line occurs in. Counting texts rather than pages keeps the
    /// lines of a story syndicated by many outlets from looking like chrome. Only
    /// counts a query page could push past `line_cap` are kept.
    fn line_texts(&self, st: &LineStats, line_cap: u32) -> HashMap<u64, u32> {
        let keep: Vec<Option<Keep>> = self
            .docs
            .par_iter()
            .map(|d| d.as_ref().map(|d| to_bits(&self.first_article(d, st, false, 0).1)))
            .collect();
        let (group, _) = self.near_dup_groups(&keep);
        let mut keys = per_group_keys(&group, |i| {
            self.docs[i].as_ref().map(|d| distinct_keys(&d.page)).unwrap_or_default()
        });
        keys.par_sort_unstable();
        run_counts(&keys, line_cap.max(1))
    }

    /// Token hashes of the article of `slot` under kept lines `keep`.
    fn article_tokens(&self, keep: &[Option<Keep>], slot: usize) -> Vec<u64> {
        match (&self.docs[slot], &keep[slot]) {
            (Some(d), Some(k)) => Article::token_hashes(&d.page, k),
            _ => Vec::new(),
        }
    }

    /// The article of `slot` under kept lines `keep`.
    fn article(&self, keep: &[Option<Keep>], slot: usize) -> Article {
        match (&self.docs[slot], &keep[slot]) {
            (Some(d), Some(k)) => Article::from_bits(&d.page, k, &self.opts),
            _ => Article::default(),
        }
    }

    fn article_kgrams_empty(&self, keep: &[Option<Keep>], slot: usize) -> bool {
        let k = self.opts.k;
        self.docs[slot].as_ref().is_none_or(|d| keep_tokens(&d.page, keep[slot].as_deref()) < k)
    }

    /// Near-duplicate groups of the articles under `keep` (MinHash-LSH checked on
    /// exact Jaccard), and each article's hash. An article without k-grams is a
    /// group of its own.
    fn near_dup_groups(&self, keep: &[Option<Keep>]) -> (Vec<u32>, Vec<u64>) {
        let o = self.opts.neardup;
        let (hash, keys): (Vec<u64>, Vec<Vec<u64>>) = (0..self.docs.len())
            .into_par_iter()
            .map(|i| {
                let hashes = self.article_tokens(keep, i);
                // The signature takes minima: repeated k-grams need no removing.
                (Article::hash_of(&hashes), band_keys(&kgram_hashes(&hashes, self.opts.k), o))
            })
            .unzip();
        let present: Vec<bool> = keys.iter().map(|k| !k.is_empty()).collect();
        let jac = |a: usize, b: usize| {
            if hash[a] == hash[b] {
                return 1.0; // identical articles
            }
            let set = |i: usize| {
                let mut v = kgram_hashes(&self.article_tokens(keep, i), self.opts.k);
                v.sort_unstable();
                v.dedup();
                v
            };
            jaccard(&set(a), &set(b))
        };
        (groups_by_bands(&keys, &present, &hash, jac, o), hash)
    }

    /// Lines of an article that quote other stories than their neighbours: each
    /// fresh prose line's partner pages (sharing enough rare fingerprints with it)
    /// must overlap a neighbouring line's partners.
    fn foreign_lines(
        &self,
        slot: u32,
        page: &Page,
        kinds: &[LineKind],
        keep: &[bool],
        art: &Article,
        an: &Analysis,
    ) -> Vec<usize> {
        // Identical articles are indexed once, through their first page: that page
        // is the page itself for every copy, so each copy sees the same partners.
        let own = an.unit.get(slot as usize).copied().unwrap_or(slot);
        // (line, partner page) for each rare fingerprint they share; counted by sorting.
        let mut hits: Vec<(u32, u32)> = Vec::new();
        for (h, pos) in art.fingerprints(self.opts.window) {
            if !an.is_rare(h) {
                continue;
            }
            let line = art.line_of[pos as usize];
            hits.extend(an.index.get(h).iter().filter(|&&o| o != slot && o != own).map(|&o| (line, o)));
        }
        hits.sort_unstable();
        let need = self.opts.coherence_fingerprints;
        let mut partners: HashMap<u32, HashSet<u32>> = HashMap::default();
        for run in hits.chunk_by(|a, b| a == b) {
            if run.len() >= need {
                partners.entry(run[0].0).or_default().insert(run[0].1);
            }
        }
        let fresh: Vec<usize> =
            (0..kinds.len()).filter(|&i| keep[i] && kinds[i] == LineKind::Prose).collect();
        let empty = HashSet::default();
        // Pages that are partners of two or more lines: what the article as a whole
        // is related to. A line sharing one of them belongs to the article, however
        // its neighbours read (independent reports of one hearing quote different
        // parts of it, paragraph by paragraph).
        let mut lines_of: HashMap<u32, u32> = HashMap::default();
        for set in partners.values() {
            for &p in set {
                *lines_of.entry(p).or_insert(0) += 1;
            }
        }
        let mut foreign = Vec::new();
        for (x, &line) in fresh.iter().enumerate() {
            let a = partners.get(&(line as u32)).unwrap_or(&empty);
            if a.is_empty()
                || (self.opts.coherence_keeps_quotes && mostly_quoted(page, &page.lines[line]))
                || a.iter().any(|p| lines_of[p] >= 2)
            {
                continue;
            }
            let mut best: Option<f64> = None;
            for y in [x.wrapping_sub(1), x + 1] {
                let Some(&nb) = fresh.get(y) else { continue };
                let b = partners.get(&(nb as u32)).unwrap_or(&empty);
                if b.is_empty() {
                    continue;
                }
                let overlap = a.intersection(b).count() as f64 / a.len().min(b.len()) as f64;
                best = Some(best.map_or(overlap, |v: f64| v.max(overlap)));
            }
            if best.is_some_and(|v| v < self.opts.coherence_overlap) {
                foreign.push(line);
            }
        }
        foreign
    }

    /// Near-duplicate groups, identical articles, common k-grams (document
    /// frequencies over groups) and the index of rare fingerprints, for the
    /// articles under `keep`.
    fn build_stats(&self, keep: Vec<Option<Keep>>, lines: LineStats) -> Analysis {
        let tr = Trace::new("  ");
        let (group, hash) = self.near_dup_groups(&keep);
        tr.mark("near_dup_groups");
        let group: Vec<u32> = group
            .into_iter()
            .enumerate()
            .map(|(i, g)| if g == i as u32 && self.article_kgrams_empty(&keep, i) { u32::MAX } else { g })
            .collect();
        let mut first_with: HashMap<u64, u32> = HashMap::default();
        let unit: Vec<u32> = hash
            .iter()
            .enumerate()
            .map(|(slot, &h)| if h == 0 { slot as u32 } else { *first_with.entry(h).or_insert(slot as u32) })
            .collect();
        let mut copies: HashMap<u32, Vec<u32>> = HashMap::default();
        for (slot, &u) in unit.iter().enumerate() {
            if hash[slot] != 0 {
                copies.entry(u).or_default().push(slot as u32);
            }
        }
        copies.retain(|_, v| v.len() > 1);
        // Identical articles have the same k-grams and group: counting the first
        // page of each is enough.
        let units: Vec<u32> =
            (0..unit.len() as u32).filter(|&s| unit[s as usize] == s && hash[s as usize] != 0).collect();
        let sizes: Vec<usize> = units
            .par_iter()
            .map(|&u| self.doc(u).map_or(0, |d| keep_tokens(&d.page, keep[u as usize].as_deref())))
            .collect();
        let total: usize = sizes.iter().sum();
        let budget = PASS_ENTRIES.max(PASS_ENTRIES_PER_PAGE * self.live);
        let passes = total.div_ceil(budget).max(1);
        tr.mark(format!("units, {total} entries, {passes} passes"));
        let cap = self.common_cap(&units, &group);
        tr.mark(format!("k-grams in more than {cap} distinct texts are common"));
        let mut common: HashSet<u64> = HashSet::default();
        let mut index = Postings::default();
        let mut shared = vec![false; unit.len()];
        for pass in 0..passes {
            let in_pass = |h: u64| ((u128::from(h) * passes as u128) >> 64) as usize == pass;
            // Collected in chunks of pages into one vector sized for the pass (hashes
            // are uniform, so a pass gets about its share), which keeps the peak at
            // the vector rather than twice it.
            let mut entries: Vec<Entry> = Vec::with_capacity(total / passes + total / passes / 16 + 1024);
            for chunk in units.chunks(1 << 14) {
                let part: Vec<Entry> = chunk
                    .par_iter()
                    .flat_map_iter(|&u| {
                        let kgrams = kgram_hashes(&self.article_tokens(&keep, u as usize), self.opts.k);
                        let mut flag = vec![0u32; kgrams.len()];
                        for (_, pos) in winnow(&kgrams, self.opts.window) {
                            flag[pos as usize] = FP_BIT;
                        }
                        kgrams
                            .into_iter()
                            .zip(flag)
                            .filter(|&(h, _)| in_pass(h))
                            .map(move |(hash, f)| Entry { hash, page: u | f })
                            .collect::<Vec<_>>()
                    })
                    .collect();
                entries.extend_from_slice(&part);
            }
            tr.mark("collect");
            // By hash alone (one compare); each run is then put in page order.
            entries.par_sort_unstable_by_key(|e| e.hash);
            tr.mark("sort");
            // Runs of one hash are scanned in parallel pieces cut at run boundaries,
            // and the pieces' results joined in hash order.
            let pieces = split_runs(&entries, 64);
            let scanned: Vec<Scanned> =
                pieces.par_iter().map(|&(s, e)| scan_runs(&entries[s..e], &group, cap)).collect();
            for piece in scanned {
                common.extend(piece.common);
                for &u in &piece.shared {
                    shared[u as usize] = true;
                }
                index.hashes.extend(piece.hashes);
                index.pages.extend(piece.pages);
            }
        }
        index.finish();
        tr.mark(format!("passes; {} common, {} postings", common.len(), index.hashes.len()));
        Analysis {
            lines,
            keep,
            hash,
            unit,
            first_with,
            copies,
            group,
            common,
            index,
            shared,
            weights: TokenWeights::uniform(),
            distinct_weight: Vec::new(),
        }
    }

    /// Distinct texts above which a k-gram is common: `common_texts`, or
    /// `common_scale` times the square root of the number of distinct texts (groups
    /// of articles with k-grams) if that is more.
    fn common_cap(&self, units: &[u32], group: &[u32]) -> u32 {
        let mut texts: Vec<u32> =
            units.iter().map(|&u| group[u as usize]).filter(|&g| g != u32::MAX).collect();
        texts.par_sort_unstable();
        texts.dedup();
        let scaled = (self.opts.common_scale * (texts.len() as f64).sqrt()).round() as u32;
        self.opts.common_texts.max(scaled)
    }

    /// Token weights from the article tokens of each distinct text: one page of
    /// each near-duplicate group, and each article too short to be grouped.
    fn token_weights(&self, an: &Analysis) -> TokenWeights {
        let texts: Vec<u32> = (0..self.docs.len() as u32)
            .filter(|&s| {
                let (s, g) = (s as usize, an.group[s as usize]);
                an.hash[s] != 0 && (g == s as u32 || (g == u32::MAX && an.unit[s] == s as u32))
            })
            .collect();
        let tokens: Vec<Vec<u32>> = texts
            .par_iter()
            .map(|&s| match (&self.docs[s as usize], &an.keep[s as usize]) {
                (Some(d), Some(k)) => kept_tokens(&d.page, k),
                _ => Vec::new(),
            })
            .collect();
        TokenWeights::count(&tokens)
    }

    /// [`Analysis::distinct_weight`] of every page (0 for an empty slot).
    fn distinct_weights(&self, an: &Analysis) -> Vec<f32> {
        (0..self.docs.len())
            .into_par_iter()
            .map(|s| match (&self.docs[s], &an.keep[s]) {
                (Some(d), Some(k)) => {
                    let mut t = kept_tokens(&d.page, k);
                    t.sort_unstable();
                    t.dedup();
                    t.iter().map(|&x| f64::from(an.weights.of(x))).sum::<f64>() as f32
                }
                _ => 0.0,
            })
            .collect()
    }

    fn analysis(&mut self) -> &Analysis {
        if self.changes > 0 {
            self.cache = None;
            self.fresh = Fresh::default();
            self.changes = 0;
        }
        if self.cache.is_none() {
            let tr = Trace::new("");
            tr.mark(format_args!("{} pages, {} MB", self.live, self.heap_bytes() >> 20));
            let mut lines = self.outlet_stats();
            tr.mark("outlet_stats");
            lines.line_cap = self.opts.chrome.recur_texts;
            lines.line_df = self.line_texts(&lines, lines.line_cap);
            tr.mark("line_texts");
            let firsts: Vec<Option<(Vec<LineKind>, Vec<bool>)>> = self
                .docs
                .par_iter()
                .map(|d| {
                    d.as_ref().map(|d| {
                        let (kinds, keep, _) = self.first_article(d, &lines, true, 0);
                        (kinds, keep)
                    })
                })
                .collect();
            let keep: Vec<Option<Keep>> = firsts.iter().map(|f| f.as_ref().map(|f| to_bits(&f.1))).collect();
            tr.mark("firsts");
            let mut an = self.build_stats(keep, lines);
            tr.mark("build_stats 1");
            if self.opts.coherence {
                let refined: Vec<Option<(Keep, bool)>> = firsts
                    .into_par_iter()
                    .enumerate()
                    .map(|(slot, f)| {
                        let (kinds, mut keep) = f?;
                        if !an.shared[an.unit[slot] as usize] {
                            return Some((to_bits(&keep), false)); // no partners, nothing foreign
                        }
                        let doc = self.docs[slot].as_ref().expect("page present");
                        let art = Article::from_lines(&doc.page, &keep, &self.opts);
                        let foreign = self.foreign_lines(slot as u32, &doc.page, &kinds, &keep, &art, &an);
                        for &l in &foreign {
                            keep[l] = false;
                        }
                        Some((to_bits(&keep), !foreign.is_empty()))
                    })
                    .collect();
                let changed = refined.iter().flatten().filter(|r| r.1).count();
                tr.mark(format!("coherence dropped lines on {changed} pages"));
                let refined: Vec<Option<Keep>> = refined.into_iter().map(|r| r.map(|r| r.0)).collect();
                tr.mark("coherence");
                // Statistics change only if some article did.
                if changed > 0 {
                    let lines = std::mem::take(&mut an.lines);
                    drop(an);
                    an = self.build_stats(refined, lines);
                    tr.mark("build_stats 2");
                }
            }
            an.weights = self.token_weights(&an);
            an.distinct_weight = self.distinct_weights(&an);
            tr.mark("token weights");
            self.cache = Some(an);
        }
        self.cache.as_ref().expect("just computed")
    }

    /// The article of the page in `slot`: chrome removed.
    pub fn article_of(&mut self, slot: u32) -> Option<Article> {
        self.doc(slot)?;
        self.analysis();
        let an = self.cache.as_ref().expect("computed above");
        Some(self.article(&an.keep, slot as usize))
    }

    /// Candidate pairs `(a, b)`, `a < b`.
    fn candidates(&mut self) -> Vec<(u32, u32)> {
        let need = self.opts.min_shared_fingerprints;
        self.analysis();
        let an = self.cache.as_ref().expect("computed above");
        let mut pairs: HashSet<(u32, u32)> = pairs_sharing(an.index.runs(), need).into_iter().collect();
        Trace::new("  ").mark(format!("{} pairs share {need} rare fingerprints", pairs.len()));
        let short = self.short_candidates(an);
        Trace::new("  ").mark(format!("{} pairs share short runs", short.len()));
        pairs.extend(short);
        // Whole-article near-duplicates (MinHash-LSH, checked on exact Jaccard), and
        // identical articles too short for k-grams.
        let mut by_body: HashMap<(u32, u64), Vec<u32>> = HashMap::default();
        for (slot, &h) in an.hash.iter().enumerate() {
            if an.unit[slot] != slot as u32 {
                // Identical to an earlier page: compared with that page alone.
                pairs.insert((an.unit[slot], slot as u32));
            } else if h != 0 {
                let g = an.group[slot];
                by_body.entry(if g == u32::MAX { (g, h) } else { (g, 0) }).or_default().push(slot as u32);
            }
        }
        for group in by_body.values() {
            for (i, &a) in group.iter().enumerate() {
                for &b in &group[i + 1..] {
                    pairs.insert((a, b));
                }
            }
        }
        let mut pairs: Vec<(u32, u32)> = pairs.into_iter().collect();
        pairs.sort_unstable();
        pairs
    }

    /// Pairs of articles sharing `min_shared_short` rare fingerprints of short
    /// k-grams (`short_k` tokens, winnowed over `short_window`): a brief cut and
    /// reworded from a long story shares many runs of three or four words with it
    /// and few of `k`. A short k-gram is rare when it is a fingerprint in at most
    /// as many distinct texts as make a k-gram common. Identical articles are
    /// represented by their first page.
    fn short_candidates(&self, an: &Analysis) -> HashSet<(u32, u32)> {
        let (k, w) = (self.opts.short_k, self.opts.short_window);
        let units: Vec<u32> = (0..an.unit.len() as u32)
            .filter(|&s| an.unit[s as usize] == s && an.hash[s as usize] != 0)
            .collect();
        let cap = self.common_cap(&units, &an.group);
        // Only k-grams holding a rare word: three common words in a row are
        // chance, and the candidates they would make cost time and find nothing.
        let rare_word = 0.25 * an.weights.unseen();
        let fingerprints = |u: u32| -> Vec<u64> {
            let (Some(d), Some(keep)) = (self.doc(u), an.keep[u as usize].as_deref()) else {
                return Vec::new();
            };
            let tokens = kept_tokens(&d.page, keep);
            let hashes: Vec<u64> = tokens.iter().map(|&t| fmix64(u64::from(t))).collect();
            let kgrams = kgram_hashes(&hashes, k);
            let mut fps: Vec<u64> = winnow(&kgrams, w)
                .into_iter()
                .filter(|&(_, p)| {
                    tokens[p as usize..p as usize + k].iter().any(|&t| an.weights.of(t) >= rare_word)
                })
                .map(|f| f.0)
                .collect();
            fps.sort_unstable();
            fps.dedup();
            fps
        };
        // Winnowing keeps about 2 / (w + 1) of the k-grams.
        let total: usize = units
            .par_iter()
            .map(|&u| {
                let n = self.doc(u).map_or(0, |d| keep_tokens(&d.page, an.keep[u as usize].as_deref()));
                2 * n / (w + 1) + 1
            })
            .sum();
        let passes = total.div_ceil(PASS_ENTRIES.max(PASS_ENTRIES_PER_PAGE * self.live)).max(1);
        let mut pairs: HashSet<(u32, u32)> = HashSet::default();
        for pass in 0..passes {
            let in_pass = |h: u64| ((u128::from(h) * passes as u128) >> 64) as usize == pass;
            let mut entries: Vec<Entry> = units
                .par_iter()
                .flat_map_iter(|&u| {
                    fingerprints(u)
                        .into_iter()
                        .filter(|&h| in_pass(h))
                        .map(move |hash| Entry { hash, page: u })
                })
                .collect();
            entries.par_sort_unstable_by_key(|e| (e.hash, e.page));
            let runs: Vec<&[Entry]> = entries
                .chunk_by(|a, b| { a.hash } == { b.hash })
                .filter(|run| run.len() >= 2 && distinct_groups(run, &an.group, cap) <= cap)
                .collect();
            let postings: Vec<Vec<u32>> =
                runs.iter().map(|run| run.iter().map(|e| e.page).collect()).collect();
            pairs.extend(pairs_sharing(postings.iter().map(Vec::as_slice), self.opts.min_shared_short));
        }
        pairs
    }

    /// Verifies every candidate pair, in parallel; relations are sorted by pair.
    /// They carry what clustering needs: passages are left out and `jaccard` is NaN
    /// ([`Self::explain`] gives both for a pair).
    pub fn relations(&mut self) -> Vec<Relation> {
        let tr = Trace::new("");
        let pairs = self.candidates();
        tr.mark(format!("candidates: {} pairs", pairs.len()));
        let an = self.cache.as_ref().expect("candidates computed the analysis");
        // Pairs are sorted by their first page: its article is derived once for all
        // of its pairs (in pieces, so that a page with thousands of copies does not
        // keep one thread busy while the others wait).
        let runs: Vec<&[(u32, u32)]> = pairs.chunk_by(|x, y| x.0 == y.0).flat_map(|r| r.chunks(64)).collect();
        let this = &*self;
        let rels: Vec<Relation> = runs
            .par_iter()
            .flat_map_iter(|run| {
                let a = run[0].0;
                let Some(da) = this.doc(a) else { return Vec::new() };
                let aa = this.article(&an.keep, a as usize);
                let ta = derivation_text(an, Some(a), da, &aa, &this.opts);
                ta.index();
                let side_a = Side { slot: a, doc: da, art: &aa, text: Some(&ta) };
                run.iter()
                    .filter_map(|&(_, b)| {
                        let db = this.doc(b)?;
                        let ab = this.article(&an.keep, b as usize);
                        verify(
                            &this.opts,
                            an,
                            &side_a,
                            &Side { slot: b, doc: db, art: &ab, text: None },
                            false,
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        tr.mark(format!("verified: {} relations", rels.len()));
        rels
    }

    /// Verifies one pair whatever the candidates say.
    pub fn explain(&mut self, a: u32, b: u32) -> Option<Relation> {
        if a == b {
            return None;
        }
        self.doc(a)?;
        self.doc(b)?;
        self.analysis();
        let an = self.cache.as_ref().expect("computed above");
        let (da, db) = (self.doc(a)?, self.doc(b)?);
        let (aa, ab) = (self.article(&an.keep, a as usize), self.article(&an.keep, b as usize));
        let side_a = Side { slot: a, doc: da, art: &aa, text: None };
        verify(&self.opts, an, &side_a, &Side { slot: b, doc: db, art: &ab, text: None }, true)
    }

    /// Relations of a new page to the pages in the corpus, without adding it. The
    /// new page is side `a` of each relation, with slot `u32::MAX`.
    pub fn query(&mut self, text: &str, source: Option<u32>) -> Vec<Relation> {
        self.query_doc(&Doc::new(text, source))
    }

    /// [`Self::query`] for a page already tokenised.
    pub fn query_doc(&mut self, doc: &Doc) -> Vec<Relation> {
        self.analysis();
        self.query_cached(doc, false)
    }

    /// Like [`Self::query_doc`], for a stream: pages added since the statistics
    /// were built are compared under those statistics instead of rebuilding them
    /// for every page, until [`STREAM_REFRESH_PAGES`] pages or
    /// [`STREAM_REFRESH_SHARE`] of the corpus changed. Matches to earlier pages are
    /// then those of `query_doc` up to the drift of the statistics (which lines
    /// and phrases count as common) over the last few pages.
    pub fn query_stream(&mut self, doc: &Doc) -> Vec<Relation> {
        let limit = STREAM_REFRESH_PAGES.max((self.live as f64 * STREAM_REFRESH_SHARE) as usize);
        if self.cache.is_none() || self.changes > limit {
            self.analysis();
        }
        self.index_fresh();
        self.query_cached(doc, true)
    }

    /// Indexes fresh pages not indexed yet, under the cached statistics.
    fn index_fresh(&mut self) {
        let Some(an) = self.cache.as_ref() else { return };
        let todo = &self.fresh.slots[self.fresh.indexed..];
        let done: Vec<(u32, Keep, u64, Vec<u64>)> = todo
            .par_iter()
            .filter_map(|&slot| {
                let doc = self.doc(slot)?;
                let (_, keep, art) = self.first_article(doc, &an.lines, true, 0);
                let mut fps: Vec<u64> = art
                    .fingerprints(self.opts.window)
                    .into_iter()
                    .map(|f| f.0)
                    .filter(|&h| an.is_rare(h))
                    .collect();
                fps.sort_unstable();
                fps.dedup();
                Some((slot, to_bits(&keep), art.content_hash(), fps))
            })
            .collect();
        let fresh = &mut self.fresh;
        fresh.indexed = fresh.slots.len();
        for (slot, keep, hash, fps) in done {
            fresh.keep.insert(slot, keep);
            if hash != 0 {
                fresh.by_hash.entry(hash).or_default().push(slot);
            }
            for h in fps {
                fresh.index.entry(h).or_default().push(slot);
            }
        }
    }

    /// Relations of a page to the pages of the cached analysis (and, with `fresh`,
    /// to the pages added since).
    fn query_cached(&self, doc: &Doc, fresh: bool) -> Vec<Relation> {
        let an = self.cache.as_ref().expect("analysis built by the caller");
        let (kinds, keep, art) = self.first_article(doc, &an.lines, true, 1);
        let art = if self.opts.coherence {
            let foreign = self.foreign_lines(u32::MAX, &doc.page, &kinds, &keep, &art, an);
            if foreign.is_empty() {
                art
            } else {
                let mut keep = keep;
                for l in foreign {
                    keep[l] = false;
                }
                Article::from_lines(&doc.page, &keep, &self.opts)
            }
        } else {
            art
        };
        let mut counts: HashMap<u32, u32> = HashMap::default();
        let mut fps: Vec<u64> =
            art.fingerprints(self.opts.window).iter().map(|f| f.0).filter(|&h| an.is_rare(h)).collect();
        fps.sort_unstable();
        fps.dedup();
        for h in fps {
            let new = if fresh { self.fresh.index.get(&h).map_or(&[][..], Vec::as_slice) } else { &[] };
            for &b in an.index.get(h).iter().chain(new) {
                *counts.entry(b).or_insert(0) += 1;
            }
        }
        let need = self.opts.min_shared_fingerprints as u32;
        let mut cands: Vec<u32> = counts.into_iter().filter(|&(_, c)| c >= need).map(|(b, _)| b).collect();
        cands.extend(an.first_with.get(&art.content_hash()));
        // The index holds the first page of each identical article; every copy is
        // compared, since each has its own text around the article.
        let firsts = cands.len();
        for i in 0..firsts {
            if let Some(all) = an.copies.get(&cands[i]) {
                cands.extend(all);
            }
        }
        if fresh {
            cands.extend(self.fresh.by_hash.get(&art.content_hash()).into_iter().flatten());
        }
        cands.sort_unstable();
        cands.dedup();
        let ta = derivation_text(an, None, doc, &art, &self.opts);
        ta.index();
        let side_a = Side { slot: u32::MAX, doc, art: &art, text: Some(&ta) };
        cands
            .par_iter()
            .filter_map(|&b| {
                let db = self.doc(b)?;
                let ab = if (b as usize) < an.keep.len() {
                    self.article(&an.keep, b as usize)
                } else {
                    Article::from_bits(&db.page, self.fresh.keep.get(&b)?, &self.opts)
                };
                verify(&self.opts, an, &side_a, &Side { slot: b, doc: db, art: &ab, text: None }, true)
            })
            .collect()
    }

    /// Groups pages into stories from verified relations.
    ///
    /// Pages with identical articles are one item of the clustering, weighted by
    /// their number, so thousands of copies cost no more than one.
    ///
    /// Items are numbered in an order fixed by content before clustering, as the
    /// clustering breaks ties between equally dense merges by item number: the
    /// stories do not depend on the order pages were added in.
    pub fn cluster(&mut self, relations: &[Relation]) -> Clustering {
        let n = self.docs.len();
        let an = self.analysis();
        let unit = an.unit.clone();
        let content = an.hash.clone();
        let mut by_content: Vec<u32> = (0..n as u32).collect();
        by_content.sort_by_cached_key(|&s| {
            let text = self.docs[s as usize].as_ref().map_or(0, |d| d.text_hash);
            (content[s as usize], text, s)
        });
        // rank[slot]: the item number of `slot`; by_content[rank]: the slot back.
        let mut rank = vec![0u32; n];
        for (r, &s) in by_content.iter().enumerate() {
            rank[s as usize] = r as u32;
        }
        let mut sizes = vec![0usize; n];
        for (slot, d) in self.docs.iter().enumerate() {
            if d.is_some() {
                sizes[rank[unit[slot] as usize] as usize] += 1;
            }
        }
        let between_units =
            || relations.iter().filter(|r| unit[r.a as usize] == r.a && unit[r.b as usize] == r.b);
        // Copies and pages sharing a passage group by density. Stronger relations
        // merge first and count more: a page tied to all of one story at 0.99 is
        // not pulled into another it shares one sentence with.
        let edges: Vec<Edge> = between_units()
            .filter(|r| r.kind == Kind::Syndicated || r.by_passage)
            .map(|r| Edge { a: rank[r.a as usize], b: rank[r.b as usize], weight: r.score })
            .collect();
        let mut c = cluster_weighted(&sizes, &edges, self.opts.cluster);
        // Then a page (or a group) mostly derived from another page joins that
        // page's story, however many other pages the story has.
        let links: Vec<Derived> = between_units()
            .flat_map(|r| {
                let (a, b) = (rank[r.a as usize], rank[r.b as usize]);
                [
                    Derived { from: a, to: b, share: r.vocabulary_a },
                    Derived { from: b, to: a, share: r.vocabulary_b },
                ]
            })
            .collect();
        attach(&mut c, &sizes, &links, self.opts.attach_vocabulary, self.opts.cluster.max_size);
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (slot, d) in self.docs.iter().enumerate() {
            if d.is_some() {
                members[rank[unit[slot] as usize] as usize].push(slot as u32);
            }
        }
        for g in &mut c.groups {
            let mut pages: Vec<u32> = g.iter().flat_map(|&u| members[u as usize].iter().copied()).collect();
            pages.sort_unstable();
            *g = pages;
        }
        c.groups.sort_unstable_by_key(|g| g[0]);
        c
    }

    /// The pages whose article is identical to that of `slot` (including `slot`).
    pub fn identical(&mut self, slot: u32) -> Vec<u32> {
        if self.doc(slot).is_none() {
            return Vec::new();
        }
        let an = self.analysis();
        an.copies.get(&an.unit[slot as usize]).cloned().unwrap_or_else(|| vec![slot])
    }

    /// Share of a page's tokens that chrome removal kept (1.0 for a bare wire text).
    pub fn article_share(&mut self, slot: u32) -> f64 {
        if self.doc(slot).is_none() {
            return 0.0;
        }
        self.analysis();
        let an = self.cache.as_ref().expect("computed above");
        let keep = an.keep[slot as usize].as_deref();
        let page = &self.docs[slot as usize].as_ref().expect("checked above").page;
        let n = page.len();
        if n == 0 {
            0.0
        } else {
            keep_tokens(page, keep) as f64 / n as f64
        }
    }
}

/// Stage timings on standard error when the environment variable `DEDUP_TRACE` is
/// set: where the time of an analysis goes, on a user's own data.
struct Trace {
    start: std::time::Instant,
    indent: &'static str,
    on: bool,
}

impl Trace {
    fn new(indent: &'static str) -> Self {
        Self { start: std::time::Instant::now(), indent, on: std::env::var_os("DEDUP_TRACE").is_some() }
    }

    fn mark(&self, what: impl std::fmt::Display) {
        if self.on {
            let cpu = cpu_seconds().map_or(String::new(), |c| format!(" (process CPU {c:.1}s"));
            let rss = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|st| st.lines().find(|l| l.starts_with("VmRSS:")).map(|l| l[6..].trim().to_owned()))
                .map_or(")".to_owned(), |r| format!(", RSS {r})"));
            let cpu = cpu + &rss;
            eprintln!("dedup: {}{what}: {:.2}s{cpu}", self.indent, self.start.elapsed().as_secs_f64());
        }
    }
}

/// CPU time of the process so far, on Linux (for [`Trace`]).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Pairs `(a, b)`, `a < b`, that occur together in at least `need` of the
/// `postings` (page lists in page order): every pair of a posting, packed in a u64
/// and counted by sorting (8 bytes an occurrence, against 30 or more in a map), in
/// passes over ranges of `a` when there are many.
fn pairs_sharing<'p>(postings: impl Iterator<Item = &'p [u32]>, need: usize) -> Vec<(u32, u32)> {
    let postings: Vec<&[u32]> = postings.filter(|p| p.len() >= 2).collect();
    let total: usize = postings.iter().map(|p| p.len() * (p.len() - 1) / 2).sum();
    let passes = total.div_ceil(PAIR_PASS).max(1) as u32;
    let mut out = Vec::new();
    for pass in 0..passes {
        let mut occ: Vec<u64> = postings
            .par_iter()
            .flat_map_iter(|p| {
                p.iter().enumerate().filter(move |&(_, &a)| a % passes == pass).flat_map(move |(i, &a)| {
                    p[i + 1..].iter().map(move |&b| u64::from(a) << 32 | u64::from(b))
                })
            })
            .collect();
        occ.par_sort_unstable();
        out.extend(
            occ.chunk_by(|x, y| x == y)
                .filter(|run| run.len() >= need)
                .map(|run| ((run[0] >> 32) as u32, run[0] as u32)),
        );
    }
    out
}

/// Distinct near-duplicate groups of the pages of `run`, counted up to `cap + 1`.
fn distinct_groups(run: &[Entry], group: &[u32], cap: u32) -> u32 {
    if run.len() <= cap as usize {
        return run.len() as u32;
    }
    let mut seen: Vec<u32> = run.iter().map(|e| group[e.page as usize]).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len() as u32
}

/// What [`scan_runs`] finds in a piece of sorted entries.
#[derive(Default)]
struct Scanned {
    common: Vec<u64>,
    hashes: Vec<u64>,
    pages: Vec<u32>,
    shared: Vec<u32>,
}

/// Up to `n` ranges of `entries` (sorted by hash) that never split a run of one hash.
fn split_runs(entries: &[Entry], n: usize) -> Vec<(usize, usize)> {
    let len = entries.len();
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    for i in 1..=n {
        let mut end = (len * i / n).max(start);
        while end < len && end > 0 && { entries[end].hash } == { entries[end - 1].hash } {
            end += 1;
        }
        if end > start {
            out.push((start, end));
            start = end;
        }
    }
    out
}

/// For each run of one k-gram in `entries`: common when its pages fall in more than
/// `cap` distinct groups; otherwise its fingerprint postings, in page order.
fn scan_runs(entries: &[Entry], group: &[u32], cap: u32) -> Scanned {
    let mut out = Scanned::default();
    let mut run: Vec<u32> = Vec::new();
    let mut seen_groups: Vec<u32> = Vec::new();
    for entries in entries.chunk_by(|a, b| { a.hash } == { b.hash }) {
        let h = entries[0].hash;
        run.clear();
        run.extend(entries.iter().map(|e| e.page));
        run.sort_unstable_by_key(|&u| u & !FP_BIT);
        // A k-gram repeated within a page: one entry, a fingerprint if any was.
        run.dedup_by(|next, kept| {
            let same = *next & !FP_BIT == *kept & !FP_BIT;
            if same {
                *kept |= *next & FP_BIT;
            }
            same
        });
        if run.len() > cap as usize {
            seen_groups.clear();
            seen_groups.extend(run.iter().map(|&u| group[(u & !FP_BIT) as usize]));
            seen_groups.sort_unstable();
            seen_groups.dedup();
            if seen_groups.len() > cap as usize {
                out.common.push(h);
                continue;
            }
        }
        let first = out.pages.len();
        for &u in run.iter().filter(|&&u| u & FP_BIT != 0) {
            out.hashes.push(h);
            out.pages.push(u & !FP_BIT);
        }
        if out.pages.len() - first > 1 {
            out.shared.extend_from_slice(&out.pages[first..]);
        }
    }
    out
}

/// The tokens (32-bit hashes) on the kept lines of a page.
fn kept_tokens(page: &Page, keep: &[u64]) -> Vec<u32> {
    let mut out = Vec::new();
    for (i, l) in page.lines.iter().enumerate() {
        if keep[i / 64] >> (i % 64) & 1 == 1 {
            out.extend_from_slice(&page.tokens[l.tok_start as usize..l.tok_end() as usize]);
        }
    }
    out
}

/// Tokens on the kept lines of a page.
fn keep_tokens(page: &Page, keep: Option<&[u64]>) -> usize {
    let Some(keep) = keep else { return 0 };
    page.lines
        .iter()
        .enumerate()
        .filter(|(i, _)| keep[i / 64] >> (i % 64) & 1 == 1)
        .map(|(_, l)| l.len())
        .sum()
}

/// The key of a line of an outlet's template.
fn outlet_key(outlet: u32, key: u64) -> u64 {
    fmix64(key ^ fmix64(u64::from(outlet) + 1))
}

/// Keys occurring at least `least` times in a sorted list, with their counts.
fn run_counts(sorted: &[u64], least: u32) -> HashMap<u64, u32> {
    sorted
        .chunk_by(|a, b| a == b)
        .filter(|run| run.len() >= least as usize)
        .map(|run| (run[0], run.len() as u32))
        .collect()
}

/// For each group of items, the distinct keys its items carry, concatenated: each
/// key occurs once per group that has it. `keys(i)` gives item `i`'s keys.
fn per_group_keys(group: &[u32], keys: impl Fn(usize) -> Vec<u64> + Sync) -> Vec<u64> {
    let mut order: Vec<u32> = (0..group.len() as u32).collect();
    order.par_sort_unstable_by_key(|&i| (group[i as usize], i));
    let runs: Vec<&[u32]> = order.chunk_by(|&a, &b| group[a as usize] == group[b as usize]).collect();
    runs.par_iter()
        .flat_map_iter(|run| {
            let mut v: Vec<u64> = Vec::new();
            for &i in *run {
                v.extend(keys(i as usize));
            }
            if run.len() > 1 {
                v.sort_unstable();
                v.dedup();
            }
            v
        })
        .collect()
}

/// True when at least half of a line's tokens stand inside quotation marks (a quote
/// with its attribution: `"...," the minister said on Monday.`).
fn mostly_quoted(page: &Page, line: &crate::page::Line) -> bool {
    let inside = (line.tok_start..line.tok_end()).filter(|&i| page.is_quoted(i as usize)).count();
    2 * inside >= line.len()
}

/// The shape of each line of a page, for chrome removal. Whether a line is quoted
/// matters only for lines short enough to be teasers or prompts, so only theirs is
/// looked up.
fn line_shapes(page: &Page, o: &ChromeOptions) -> Vec<Shape> {
    let short = o.teaser_tokens.max(o.widget_tokens);
    page.lines
        .iter()
        .map(|l| Shape {
            tokens: l.len(),
            ending: l.ending(),
            quoted: l.len() <= short && mostly_quoted(page, l),
        })
        .collect()
}

/// Hash of a page's lines, in order: equal for pages with the same tokenised text.
fn page_hash(page: &Page) -> u64 {
    let bytes: Vec<u8> = page.lines.iter().flat_map(|l| l.key.to_le_bytes()).collect();
    xxh3_64(&bytes)
}

fn distinct_keys(page: &Page) -> Vec<u64> {
    let mut keys: Vec<u64> = page.lines.iter().map(|l| l.key).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(pages: &[(&str, Option<u32>)]) -> NewsCorpus {
        let mut c = NewsCorpus::new(NewsOptions::default());
        let docs = NewsCorpus::prepare(
            pages.iter().map(|p| p.0.to_string()).collect(),
            pages.iter().map(|p| p.1).collect(),
        );
        c.insert(docs);
        c
    }

    /// The stories of a corpus built from inputs listed in `order`, as sorted groups
    /// of input numbers, so corpora built in different orders compare equal.
    fn stories_by_input(c: &mut NewsCorpus, order: &[usize]) -> Vec<Vec<usize>> {
        let rels = c.relations();
        let mut groups: Vec<Vec<usize>> = c
            .cluster(&rels)
            .groups
            .iter()
            .map(|g| {
                let mut v: Vec<usize> = g.iter().map(|&s| order[s as usize]).collect();
                v.sort_unstable();
                v
            })
            .collect();
        groups.sort();
        groups
    }

    #[test]
    fn stories_do_not_depend_on_insertion_order() {
        // Found by the Python API harness: a page that copies one paragraph of a
        // story (printed twice) and one of another page ties two merges of equal
        // density; ties were broken by slot, so adding the pages in reverse order
        // gave other stories.
        let silo = ["Firefighters spent most of Sunday night pumping water into a grain silo on the edge of Harnley after a smouldering fire deep inside the stored barley threatened to spread, the county fire service said.", "“A fire like this can burn for days without anyone seeing a flame, and the dust makes every opening of the hatch dangerous,” said station commander Priya Oduya, who led the crews at the scene.", "The cooperative that owns the silo said the harvest inside was insured and that no worker had been hurt, although two neighbouring farms were asked to keep their livestock indoors because of the smoke.", "Engineers will decide on Tuesday whether the structure can be emptied safely or has to be sealed until the fire starves of oxygen."].join("\n");
        let tram = "The city council voted on Thursday to extend the tram line from the central station to the new hospital campus in Vellmoor, ending a decade of arguments over the route and its cost.";
        let river = "Chính quyền tỉnh cho biết hôm thứ Tư rằng cây cầu treo bắc qua sông đã được sửa chữa xong sau ba tháng thi công, và học sinh ở các bản vùng cao có thể trở lại trường bằng đường bộ thay vì đi thuyền.";
        let mixed = format!("{}\n{tram}\n{river}", silo.lines().next().unwrap_or(""));
        let pages = [
            (silo.clone(), Some(0)),
            (format!("Latest\n{silo}"), Some(1)),
            (river.to_string(), None),
            (mixed, None),
        ];
        let stories = |order: &[usize]| -> Vec<Vec<usize>> {
            let list: Vec<(&str, Option<u32>)> =
                order.iter().map(|&i| (pages[i].0.as_str(), pages[i].1)).collect();
            let mut c = corpus(&list);
            stories_by_input(&mut c, order)
        };
        let forward = stories(&[0, 1, 2, 3]);
        assert!(!forward.is_empty());
        assert_eq!(forward, stories(&[3, 2, 1, 0]));
        assert_eq!(forward, stories(&[2, 0, 3, 1]));
    }

    #[test]
    fn identical_copies_keep_the_same_article_whatever_the_order() {
        // Found by the Python API harness: the coherence pass counted the first of two
        // identical pages as a partner of the second but not the other way round, so
        // only the first lost lines, and which page that was depended on the order.
        let p = [
            "Firefighters spent most of Sunday night pumping water into a grain silo on the edge of Harnley after a smouldering fire deep inside the stored barley threatened to spread, the county fire service said.",
            "\u{201c}A fire like this can burn for days without anyone seeing a flame, and the dust makes every opening of the hatch dangerous,\u{201d} said station commander Priya Oduya, who led the crews at the scene.",
            "The cooperative that owns the silo said the harvest inside was insured and that no worker had been hurt, although two neighbouring farms were asked to keep their livestock indoors because of the smoke.",
            "Engineers will decide on Tuesday whether the structure can be emptied safely or has to be sealed until the fire starves of oxygen.",
        ];
        let silo = p.join("\n");
        let pages = [
            (silo.clone(), Some(0)),
            (format!("Latest\n{silo}"), Some(1)),
            (format!("{}\n{}", p[0], p[0]), None),
            (format!("{}\n{}", p[0], p[2]), None),
            (format!("{}\n{}", p[1], p[1]), None),
        ];
        let run = |order: &[usize]| -> (Vec<Vec<usize>>, Vec<usize>) {
            let list: Vec<(&str, Option<u32>)> =
                order.iter().map(|&i| (pages[i].0.as_str(), pages[i].1)).collect();
            let mut c = corpus(&list);
            let pos = |i: usize| order.iter().position(|&x| x == i).expect("listed") as u32;
            let kept: Vec<usize> =
                [0, 1].iter().map(|&i| c.article_of(pos(i)).expect("present").tokens.len()).collect();
            (stories_by_input(&mut c, order), kept)
        };
        let (forward, kept) = run(&[0, 1, 2, 3, 4]);
        assert_eq!(kept[0], kept[1], "the two copies kept different articles");
        assert!(forward.iter().any(|g| g.contains(&0) && g.contains(&1)), "{forward:?}");
        assert_eq!(run(&[4, 3, 2, 1, 0]).0, forward);
    }

    #[test]
    fn pieces_cover_the_entries_and_never_split_a_run() {
        for len in [0usize, 1, 5, 63, 64, 65, 1000] {
            for run in [1u64, 3, 50, 2000] {
                let entries: Vec<Entry> = (0..len).map(|i| Entry { hash: i as u64 / run, page: 0 }).collect();
                let pieces = split_runs(&entries, 64);
                let mut at = 0;
                for &(s, e) in &pieces {
                    assert!(s == at && e > s, "{pieces:?}");
                    if s > 0 {
                        assert_ne!({ entries[s].hash }, { entries[s - 1].hash });
                    }
                    at = e;
                }
                assert_eq!(at, len);
            }
        }
    }

    const QUOTE: &str = "\"We will keep the border crossing open for as long as the families need it to get home safely,\" the governor said on Wednesday.";

    #[test]
    fn pages_without_a_source_get_an_outlet_from_their_template() {
        let site =
            |body: &str, footer: &str| format!("Home\nWorld\nSport\n{body}\nAbout us | Contact\n{footer}");
        let a = Doc::new(
            &site("A first article about the port strike, told at length here.", "Harbour Herald"),
            None,
        );
        let b = Doc::new(
            &site("Another article on the drought relief package for farmers.", "Harbour Herald"),
            None,
        );
        let c = Doc::new(
            &site("A first article about the port strike, told at length here.", "Valley Gazette"),
            None,
        );
        assert!(a.outlet.is_some());
        assert_eq!(a.outlet, b.outlet);
        assert_ne!(a.outlet, c.outlet);
        // A given source always wins, and a bare text has no template.
        assert_eq!(Doc::new(&site("Text.", "Harbour Herald"), Some(3)).outlet, Some(3));
        assert_eq!(Doc::new("Just one paragraph of wire copy, nothing else.", None).outlet, None);
    }

    #[test]
    fn identical_articles_relate_as_a_full_verification_finds() {
        // The short cut for identical articles gives the kind, score and
        // containment that aligning them gives, whatever the quoting and the outlets.
        let body = format!(
            "Floods cut the coastal highway in three places overnight, officials said, stranding hundreds of trucks.\n{QUOTE}\nCrews expect to reopen one lane by the weekend if the rain eases as forecast."
        );
        let short = "Floods cut the coastal highway in three places overnight.";
        for (text, same_source) in
            [(body.as_str(), false), (body.as_str(), true), (short, false), (QUOTE, false)]
        {
            let src = |i: u32| Some(if same_source { 0 } else { i });
            let mut c = corpus(&[
                (text, src(0)),
                (&format!("{text}\n"), src(1)),
                ("Something else entirely, about the central bank holding its rates steady.", src(2)),
            ]);
            let (x, y) = (c.article_of(0).expect("page"), c.article_of(1).expect("page"));
            assert!(x.hash != 0 && x.hash == y.hash, "{text}");
            let rels = c.relations();
            let fast = rels.iter().find(|r| (r.a, r.b) == (0, 1));
            let full = c.explain(0, 1);
            assert_eq!(fast.is_some(), full.is_some(), "{text}");
            if let (Some(f), Some(e)) = (fast, full) {
                assert_eq!((f.kind, f.shared_tokens, f.by_passage), (e.kind, e.shared_tokens, e.by_passage));
                assert!((f.score - e.score).abs() < 1e-9 && (f.containment - e.containment).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn two_rewrites_sharing_a_quote_relate_and_unrelated_pages_do_not() {
        let a = format!("Menu\nNews\nFloods cut the coastal highway in three places overnight, officials said, stranding hundreds of trucks.\n{QUOTE}\nCrews expect to reopen one lane by the weekend if the rain eases as forecast.");
        let b = format!("Home\nThousands of drivers remained stuck on Thursday after rising rivers washed away sections of the main coastal road.\n{QUOTE}\nThe weather office has warned of more heavy rain in the north until Sunday.");
        let c = "Home\nThe central bank left its key interest rate unchanged on Tuesday, citing steady inflation and a cooling labour market.\nAnalysts had expected the pause after two increases earlier in the year.";
        let mut corpus = corpus(&[(&a, Some(0)), (&b, Some(1)), (c, Some(2))]);
        let rels = corpus.relations();
        assert_eq!(rels.len(), 1, "{rels:?}");
        assert_eq!((rels[0].a, rels[0].b, rels[0].kind), (0, 1, Kind::Rewritten));
        let full = corpus.explain(0, 1).expect("related");
        assert_eq!(
            (full.kind, full.score, full.shared_tokens),
            (rels[0].kind, rels[0].score, rels[0].shared_tokens)
        );
        let (a0, a1, b0, b1) = full.passages[0];
        let (sa, sb) = (crate::page::token_spans(&a), crate::page::token_spans(&b));
        assert!(
            a[sa[a0 as usize].0 as usize..sa[a1 as usize - 1].1 as usize].contains("border crossing open")
        );
        assert!(
            b[sb[b0 as usize].0 as usize..sb[b1 as usize - 1].1 as usize].contains("border crossing open")
        );
    }
}
