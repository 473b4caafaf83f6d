//! Stage 2, statistics of the articles: near-duplicate groups ([`neardup`]), which
//! k-grams are common (used by more distinct texts than a cap), the index of rare
//! fingerprints, and the weight of each word ([`weights`]).

pub mod neardup;
mod update;
pub mod weights;

use std::cell::OnceCell;

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use crate::trace::Trace;

use self::neardup::{band_keys, groups_by_bands, jaccard};
use self::weights::TokenWeights;
use super::article::{article_kgrams_empty, article_tokens, keep_tokens, kept_tokens, Article, Keep};
use super::chrome::{distinct, LineStats};
use super::winnow::{kgram_hash, kgram_hashes, winnow};
use super::{NewsOptions, Pages};

pub(crate) use self::update::update;

/// Rare fingerprints → pages: a sorted array of `(hash, page)` with a directory on
/// the top bits of the hash. About 12 bytes a posting, against 40 or more for a
/// hash map of vectors, most of which would hold one page.
#[derive(Debug, Default)]
pub(crate) struct Postings {
    pub(crate) hashes: Vec<u64>,
    pub(crate) pages: Vec<u32>,
    pub(crate) shift: u32,
    pub(crate) dir: Vec<u32>,
    /// A bit for the top bits of each fingerprint held by two or more pages (a
    /// few bits a posting): most fingerprints are one page's alone, and
    /// [`Self::maybe_shared`] tells those from the others without reading the
    /// arrays.
    shared: Vec<u64>,
    shared_shift: u32,
}

impl Postings {
    /// The index of postings given in pieces that follow one another in hash order,
    /// each piece freed once copied.
    fn concat(pieces: Vec<(Vec<u64>, Vec<u32>)>) -> Self {
        let n = pieces.iter().map(|p| p.0.len()).sum();
        let mut out = Self { hashes: Vec::with_capacity(n), pages: Vec::with_capacity(n), ..Self::default() };
        for (h, p) in pieces {
            out.hashes.extend_from_slice(&h);
            out.pages.extend_from_slice(&p);
        }
        out.finish();
        out
    }

    /// Builds the directory once the arrays are filled in hash order.
    fn finish(&mut self) {
        let n = self.hashes.len();
        (self.dir, self.shift) = directory(&self.hashes, 8);
        self.hashes.shrink_to_fit();
        self.pages.shrink_to_fit();
        let bits = (usize::BITS - (n * 2).max(64).leading_zeros()).min(32);
        self.shared_shift = 64 - bits;
        self.shared = vec![0u64; (1usize << bits) / 64];
        for run in self.hashes.chunk_by(|a, b| a == b).filter(|r| r.len() > 1) {
            let b = (run[0] >> self.shared_shift) as usize;
            self.shared[b / 64] |= 1 << (b % 64);
        }
    }

    /// False when fingerprint `h` is certainly held by one page at most.
    #[inline]
    pub(crate) fn maybe_shared(&self, h: u64) -> bool {
        let b = (h >> self.shared_shift) as usize;
        self.shared.get(b / 64).is_some_and(|w| w >> (b % 64) & 1 == 1)
    }

    /// [`Self::get`] of each of `hs`, as ranges of [`Self::pages`]. The lookups go
    /// in phases (every directory entry, then every search in the hashes), so the
    /// cache misses of different lookups overlap rather than follow one another:
    /// the index is far larger than the caches, and each lookup misses two or
    /// three times.
    pub(crate) fn ranges(&self, hs: &[u64]) -> Vec<(u32, u32)> {
        if self.dir.is_empty() {
            return vec![(0, 0); hs.len()];
        }
        let mut out: Vec<(u32, u32)> = hs
            .iter()
            .map(|&h| {
                let b = (h >> self.shift) as usize;
                (self.dir[b], self.dir[b + 1])
            })
            .collect();
        for (r, &h) in out.iter_mut().zip(hs) {
            let run = &self.hashes[r.0 as usize..r.1 as usize];
            let s = run.partition_point(|&x| x < h);
            let e = s + run[s..].partition_point(|&x| x == h);
            *r = (r.0 + s as u32, r.0 + e as u32);
        }
        out
    }

    /// The pages holding rare fingerprint `h`, in slot order.
    pub(crate) fn get(&self, h: u64) -> &[u32] {
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
    pub(crate) fn runs(&self) -> impl Iterator<Item = &[u32]> {
        self.hashes.chunk_by(|a, b| a == b).scan(0usize, |at, run| {
            let s = *at;
            *at += run.len();
            Some(&self.pages[s..*at])
        })
    }
}

/// A directory on the top bits of `sorted` (a hash-ordered array) for about one
/// entry in `per`: entry `b` is the first place whose top bits are `b` or more, so
/// the hashes with top bits `b` lie between entries `b` and `b + 1`. Returns the
/// directory and the shift that gives a hash's top bits.
pub(crate) fn directory(sorted: &[u64], per: usize) -> (Vec<u32>, u32) {
    let n = sorted.len();
    let bits = (usize::BITS - (n / per).max(1).leading_zeros()).clamp(4, 24);
    let shift = 64 - bits;
    let mut dir = vec![0u32; (1usize << bits) + 1];
    let mut i = 0usize;
    for (b, d) in dir.iter_mut().enumerate() {
        while i < n && ((sorted[i] >> shift) as usize) < b {
            i += 1;
        }
        *d = i as u32;
    }
    (dir, shift)
}

/// Corpus statistics chrome removal and verification need.
#[derive(Debug, Default)]
pub(crate) struct Analysis {
    pub(crate) lines: LineStats,
    /// Kept lines of each page (None for an empty slot).
    pub(crate) keep: Vec<Option<Keep>>,
    /// Article hash of each page (0 for an empty article or slot).
    pub(crate) hash: Vec<u64>,
    /// The first page with the same article as each page (itself if none came
    /// before, or if its article is empty). Identical articles are verified and
    /// clustered once, through that page.
    pub(crate) unit: Vec<u32>,
    /// Article hash → the first page with that article.
    pub(crate) first_with: HashMap<u64, u32>,
    /// First page → every page with the same article, for articles on 2+ pages.
    pub(crate) copies: HashMap<u32, Vec<u32>>,
    /// Near-duplicate group of each article (`u32::MAX` for articles too short to
    /// have k-grams).
    pub(crate) group: Vec<u32>,
    /// Article k-grams used by more than `cap` distinct texts, with that number
    /// (after [`update`], a lower bound for some: enough to know they are common).
    pub(crate) common: HashMap<u64, u32>,
    /// Rare fingerprint → pages (first pages of identical articles only).
    pub(crate) index: Postings,
    /// Pages (first pages of identical articles) sharing a rare fingerprint with
    /// another page: only their lines can have partners in the coherence pass.
    pub(crate) shared: Vec<bool>,
    /// Token weights over the distinct texts (set once the articles are final).
    pub(crate) weights: TokenWeights,
    /// Summed weight of the distinct tokens of each page's article (what the
    /// vocabulary shares divide by), computed once rather than for every pair.
    pub(crate) distinct_weight: Vec<f32>,
}

impl Analysis {
    pub(crate) fn is_rare(&self, h: u64) -> bool {
        !self.common.contains_key(&h)
    }

    /// Rare tokens of the passage `[start, end)` of an article: tokens covered by a
    /// rare k-gram lying wholly inside the passage. Both pages of a passage hold the
    /// same tokens there, so the count is the same from either side.
    pub(crate) fn rare_in(&self, art: &Article, start: usize, end: usize, k: usize) -> usize {
        if end < start + k {
            return 0;
        }
        let mut covered_to = start;
        let mut count = 0;
        for i in start..=end - k {
            // Hashed here rather than read from `art.kgrams`: the articles of
            // verification have none, and passages cover a part of an article.
            if self.is_rare(kgram_hash(&art.hashes[i..i + k])) {
                let from = covered_to.max(i);
                count += i + k - from;
                covered_to = i + k;
            }
        }
        count
    }
}

/// Entries (k-gram, page) sorted in one pass of [`build_from`]: at
/// least this many, or 48 a page; more are split into passes over ranges of the
/// hash, so memory stays bounded at a million pages (each pass derives the
/// articles again, which is cheap).
pub(crate) const PASS_ENTRIES: usize = 16 << 20;
pub(crate) const PASS_ENTRIES_PER_PAGE: usize = 48;

/// The sum of `count` over `units`, estimated from every 64th unit: what sizes
/// the passes over entries, where counting every unit would cost as much as a
/// pass.
pub(crate) fn sampled_sum(units: &[u32], count: impl Fn(u32) -> usize + Sync) -> usize {
    units
        .par_chunks(64)
        .map(|c| {
            crate::interrupt::check();
            count(c[0]) * c.len()
        })
        .sum()
}

/// A (k-gram, page) entry, packed to 12 bytes: there are hundreds of millions.
#[derive(Clone, Copy)]
#[repr(C, packed)]
pub(crate) struct Entry {
    pub(crate) hash: u64,
    /// Page slot, with [`FP_BIT`].
    pub(crate) page: u32,
}

/// Marks a (k-gram, page) entry whose k-gram is a winnowed fingerprint of the page.
pub(crate) const FP_BIT: u32 = 1 << 31;

/// What [`near_dup_groups`] derived of each article (its kept lines, hash and band
/// keys) and the pairs it checked, for the next computation over mostly the same
/// articles: the preliminary articles of chrome removal, the first articles, then
/// the articles after coherence differ on a few pages in a hundred, and only those
/// pages are derived again and only pairs holding one of them checked again.
#[derive(Debug, Default)]
pub(crate) struct NearDupMemo {
    keep: Vec<Option<Keep>>,
    hash: Vec<u64>,
    keys: Vec<Vec<u64>>,
    pairs: Vec<(u32, u32)>,
    joined: Vec<bool>,
}

/// Near-duplicate groups of the articles under `keep` (MinHash-LSH checked on
/// exact Jaccard), and each article's hash. An article without k-grams is a
/// group of its own. What `memo` knows of articles under the same kept lines is
/// taken from it rather than derived again; the memo of this computation is
/// returned.
pub(crate) fn near_dup_groups(
    px: &Pages<'_>,
    keep: &[Option<Keep>],
    memo: NearDupMemo,
) -> (Vec<u32>, Vec<u64>, NearDupMemo) {
    let o = px.opts.neardup;
    let n = px.docs.len();
    let NearDupMemo {
        keep: old_keep,
        hash: old_hash,
        keys: mut old_keys,
        pairs: old_pairs,
        joined: old_joined,
    } = memo;
    // The same kept lines of the same page: the same article.
    let same: Vec<bool> = (0..n).map(|i| old_keep.get(i).is_some_and(|k| *k == keep[i])).collect();
    old_keys.resize_with(n, Vec::new);
    let (hash, keys): (Vec<u64>, Vec<Vec<u64>>) = old_keys
        .into_par_iter()
        .enumerate()
        .map(|(i, old)| {
            if same[i] {
                return (old_hash[i], old);
            }
            crate::interrupt::check();
            let hashes = article_tokens(px, keep, i);
            // The signature takes minima: repeated k-grams need no removing.
            (Article::hash_of(&hashes), band_keys(&kgram_hashes(&hashes, px.opts.k), o))
        })
        .unzip();
    let present: Vec<bool> = keys.iter().map(|k| !k.is_empty()).collect();
    let set = |i: usize| distinct(kgram_hashes(&article_tokens(px, keep, i), px.opts.k));
    // A pair of unchanged articles checked before has the same answer.
    let known = |a: usize, b: usize| -> Option<bool> {
        if !(same[a] && same[b]) {
            return None;
        }
        old_pairs.binary_search(&(a as u32, b as u32)).ok().map(|j| old_joined[j])
    };
    // The first page of a bucket is in many pairs: its set is made once for them,
    // when one of them is not identical or known.
    let joins = |set_a: &OnceCell<Vec<u64>>, a: usize, b: usize| {
        if hash[a] == hash[b] {
            return true; // identical articles
        }
        known(a, b).unwrap_or_else(|| jaccard(set_a.get_or_init(|| set(a)), &set(b)) >= o.min_jaccard)
    };
    let g = groups_by_bands(&keys, &present, &hash, |_| OnceCell::new(), joins, o);
    let memo =
        NearDupMemo { keep: keep.to_vec(), hash: hash.clone(), keys, pairs: g.pairs, joined: g.joined };
    (g.group, hash, memo)
}

/// [`build_from`] with nothing known beforehand: the full build the tests hold
/// the update to.
#[cfg(test)]
pub(crate) fn build(px: &Pages<'_>, keep: Vec<Option<Keep>>, lines: LineStats) -> Analysis {
    build_from(px, keep, lines, NearDupMemo::default()).0
}

/// Near-duplicate groups, identical articles, common k-grams (document
/// frequencies over groups) and the index of rare fingerprints, for the
/// articles under `keep`, starting from what an earlier computation of
/// near-duplicate groups knew (`memo`); also returns what this one knows.
pub(crate) fn build_from(
    px: &Pages<'_>,
    keep: Vec<Option<Keep>>,
    lines: LineStats,
    memo: NearDupMemo,
) -> (Analysis, NearDupMemo) {
    build_in(px, keep, lines, memo, None)
}

/// [`build_from`] in `passes` passes over ranges of the hash (None: as many as
/// memory asks for).
fn build_in(
    px: &Pages<'_>,
    keep: Vec<Option<Keep>>,
    lines: LineStats,
    memo: NearDupMemo,
    passes: Option<usize>,
) -> (Analysis, NearDupMemo) {
    let tr = Trace::new("  ");
    let (group, hash, memo) = near_dup_groups(px, &keep, memo);
    tr.mark("near_dup_groups");
    let group: Vec<u32> = group
        .into_iter()
        .enumerate()
        .map(|(i, g)| {
            crate::interrupt::check_every(i);
            if g == i as u32 && article_kgrams_empty(px, &keep, i) {
                u32::MAX
            } else {
                g
            }
        })
        .collect();
    let (unit, first_with, copies) = units(&hash);
    // Identical articles have the same k-grams and group: counting the first
    // page of each is enough.
    let units: Vec<u32> =
        (0..unit.len() as u32).filter(|&s| unit[s as usize] == s && hash[s as usize] != 0).collect();
    let sizes: Vec<usize> = units
        .par_iter()
        .map(|&u| {
            crate::interrupt::check();
            px.doc(u).map_or(0, |d| keep_tokens(&d.page, keep[u as usize].as_deref()))
        })
        .collect();
    let total: usize = sizes.iter().sum();
    let budget = PASS_ENTRIES.max(PASS_ENTRIES_PER_PAGE * px.live);
    let passes = passes.unwrap_or_else(|| total.div_ceil(budget)).max(1);
    tr.mark(format!("{} units, {total} entries, {passes} passes", units.len()));
    let cap = common_cap(px.opts, &units, &group);
    tr.mark(format!("k-grams in more than {cap} distinct texts are common"));
    let mut common: HashMap<u64, u32> = HashMap::default();
    // The postings of each piece of each pass, joined once their number is known:
    // grown pass by pass, the index was copied as it doubled, beside the pass's
    // entries (the peak of the build at a million pages).
    let mut postings: Vec<(Vec<u64>, Vec<u32>)> = Vec::new();
    let mut shared = vec![false; unit.len()];
    // Collected in chunks of pages into one vector sized for a pass (hashes are
    // uniform, so a pass gets about its share), which keeps the peak at the
    // vector rather than twice it; the passes reuse it.
    let mut entries: Vec<Entry> = Vec::with_capacity(total / passes + total / passes / 16 + 1024);
    for pass in 0..passes {
        let in_pass = |h: u64| ((u128::from(h) * passes as u128) >> 64) as usize == pass;
        entries.clear();
        for chunk in units.chunks(1 << 14) {
            crate::interrupt::check();
            let part: Vec<Entry> = chunk
                .par_iter()
                .flat_map_iter(|&u| {
                    flagged_kgrams(&article_tokens(px, &keep, u as usize), px.opts)
                        .into_iter()
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
        crate::interrupt::check();
        tr.mark("sort");
        // Runs of one hash are scanned in parallel pieces cut at run boundaries,
        // and the pieces' results joined in hash order.
        let pieces = split_runs(&entries, 64);
        let scanned: Vec<Scanned> =
            pieces.par_iter().map(|&(s, e)| scan_runs(&entries[s..e], |e| e.hash, &group, cap)).collect();
        for piece in scanned {
            common.extend(piece.common);
            for &u in &piece.shared {
                shared[u as usize] = true;
            }
            postings.push((piece.hashes, piece.pages));
        }
    }
    drop(entries);
    let index = Postings::concat(postings);
    tr.mark(format!("passes; {} common, {} postings", common.len(), index.hashes.len()));
    let an = Analysis {
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
    };
    (an, memo)
}

/// The k-grams of an article's token hashes in order, each with [`FP_BIT`] when
/// it is a winnowed fingerprint there.
pub(crate) fn flagged_kgrams(hashes: &[u64], opts: &NewsOptions) -> Vec<(u64, u32)> {
    let kgrams = kgram_hashes(hashes, opts.k);
    let mut flag = vec![0u32; kgrams.len()];
    for (_, pos) in winnow(&kgrams, opts.window) {
        flag[pos as usize] = FP_BIT;
    }
    kgrams.into_iter().zip(flag).collect()
}

/// Each page's unit (the first page with its article), the first page of each
/// article hash, and the pages of each article on two or more pages, from the
/// article hashes (0: empty).
#[allow(clippy::type_complexity)]
pub(crate) fn units(hash: &[u64]) -> (Vec<u32>, HashMap<u64, u32>, HashMap<u32, Vec<u32>>) {
    let mut first_with: HashMap<u64, u32> = HashMap::default();
    let unit: Vec<u32> = hash
        .iter()
        .enumerate()
        .map(|(slot, &h)| {
            crate::interrupt::check_every(slot);
            if h == 0 {
                slot as u32
            } else {
                *first_with.entry(h).or_insert(slot as u32)
            }
        })
        .collect();
    let mut copies: HashMap<u32, Vec<u32>> = HashMap::default();
    for (slot, &u) in unit.iter().enumerate() {
        crate::interrupt::check_every(slot);
        if hash[slot] != 0 {
            copies.entry(u).or_default().push(slot as u32);
        }
    }
    copies.retain(|_, v| v.len() > 1);
    (unit, first_with, copies)
}

/// Distinct texts above which a k-gram is common: `common_texts`, or
/// `common_scale` times the square root of the number of distinct texts (groups
/// of articles with k-grams) if that is more.
pub(crate) fn common_cap(opts: &NewsOptions, units: &[u32], group: &[u32]) -> u32 {
    let mut texts: Vec<u32> = units.iter().map(|&u| group[u as usize]).filter(|&g| g != u32::MAX).collect();
    texts.par_sort_unstable();
    texts.dedup();
    cap_for(opts, texts.len())
}

/// [`common_cap`] of a corpus of `texts` distinct texts.
pub fn cap_for(opts: &NewsOptions, texts: usize) -> u32 {
    let scaled = (opts.common_scale * (texts as f64).sqrt()).round() as u32;
    opts.common_texts.max(scaled)
}

/// Token weights from the article tokens of each distinct text: one page of
/// each near-duplicate group, and each article too short to be grouped.
pub(crate) fn token_weights(px: &Pages<'_>, an: &Analysis) -> TokenWeights {
    // A group's text is its member with the smallest article hash, not its first
    // page: near duplicates differ in a few words, and which page came first must
    // not change the weights (it changed stories at a million pages).
    let mut rep: Vec<(u64, u32)> = vec![(u64::MAX, u32::MAX); px.docs.len()];
    for (s, (&g, &h)) in an.group.iter().zip(&an.hash).enumerate() {
        crate::interrupt::check_every(s);
        if g != u32::MAX && h != 0 {
            rep[g as usize] = rep[g as usize].min((h, s as u32));
        }
    }
    let texts: Vec<u32> = (0..px.docs.len() as u32)
        .filter(|&s| {
            let (s, g) = (s as usize, an.group[s as usize]);
            an.hash[s] != 0
                && if g == u32::MAX { an.unit[s] == s as u32 } else { rep[g as usize].1 == s as u32 }
        })
        .collect();
    TokenWeights::count_each(texts.len(), |i| {
        crate::interrupt::check();
        let s = texts[i] as usize;
        match (&px.docs[s], &an.keep[s]) {
            (Some(d), Some(k)) => kept_tokens(&d.page, k),
            _ => Vec::new(),
        }
    })
}

/// [`Analysis::distinct_weight`] of every page (0 for an empty slot).
pub(crate) fn distinct_weights(px: &Pages<'_>, an: &Analysis) -> Vec<f32> {
    (0..px.docs.len())
        .into_par_iter()
        .map(|s| match (&px.docs[s], &an.keep[s]) {
            (Some(d), Some(k)) => {
                crate::interrupt::check();
                let mut t = kept_tokens(&d.page, k);
                t.sort_unstable();
                t.dedup();
                t.iter().map(|&x| f64::from(an.weights.of(x))).sum::<f64>() as f32
            }
            _ => 0.0,
        })
        .collect()
}

/// What [`scan_runs`] finds in a piece of sorted entries.
#[derive(Default)]
struct Scanned {
    /// Common k-grams and their numbers of distinct texts.
    common: Vec<(u64, u32)>,
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

/// Entries of (k-gram, page) as [`scan_runs`] reads them: the k-gram's hash and
/// the page slot with [`FP_BIT`].
pub(crate) trait KgramEntry: Copy {
    /// Equal for the entries of one k-gram, and ordered as the hashes are.
    fn key(self) -> u64;
    fn page(self) -> u32;
}

impl KgramEntry for Entry {
    #[inline]
    fn key(self) -> u64 {
        self.hash
    }

    #[inline]
    fn page(self) -> u32 {
        self.page
    }
}

/// For each run of one k-gram in `entries` (sorted by key): common when its pages
/// fall in more than `cap` distinct groups; otherwise its fingerprint postings, in
/// page order. `hash` gives the k-gram of a run from its first entry.
fn scan_runs<E: KgramEntry>(entries: &[E], hash: impl Fn(E) -> u64, group: &[u32], cap: u32) -> Scanned {
    let mut out = Scanned::default();
    let mut run: Vec<u32> = Vec::new();
    let mut seen_groups: Vec<u32> = Vec::new();
    for entries in crate::interrupt::checked(entries.chunk_by(|a, b| a.key() == b.key())) {
        let h = hash(entries[0]);
        run.clear();
        run.extend(entries.iter().map(|e| e.page()));
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
                out.common.push((h, seen_groups.len() as u32));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::news::article::to_bits;
    use crate::news::testing::{analysed, docs, RIVER, SILO, TRAM};
    use crate::news::Doc;

    proptest::proptest! {
        #[test]
        fn near_dup_groups_from_an_earlier_computation_equal_groups_from_scratch(
            before in proptest::collection::vec(proptest::prelude::any::<u8>(), 12),
            after in proptest::collection::vec(proptest::option::of(proptest::prelude::any::<u8>()), 12),
        ) {
            // Near-duplicates of two stories over four or five lines; each page's
            // kept lines drawn before, and after either the same or drawn again.
            let mut texts: Vec<String> = Vec::new();
            for i in 0..4 {
                let mut lines: Vec<&str> = SILO.to_vec();
                lines.insert(i % 4, TRAM);
                texts.push(lines.join("\n"));
                texts.push(format!("{}\n{}", SILO.join("\n"), ["Menu", "Sport", "Weather", "Login"][i]));
                texts.push(format!("{TRAM}\n{RIVER}\n{}", SILO[i]));
            }
            let refs: Vec<(&str, Option<u32>)> = texts.iter().enumerate().map(|(i, t)| (t.as_str(), Some(i as u32 % 3))).collect();
            let d = docs(&refs);
            let opts = NewsOptions::default();
            let px = Pages { docs: &d, opts: &opts, live: d.len() };
            let mask = |m: u8| -> Option<Keep> { Some(vec![u64::from(m)].into_boxed_slice()) };
            let keep1: Vec<Option<Keep>> = before.iter().map(|&m| mask(m)).collect();
            let keep2: Vec<Option<Keep>> =
                after.iter().zip(&keep1).map(|(m, k)| m.map_or_else(|| k.clone(), mask)).collect();
            let (_, _, memo) = near_dup_groups(&px, &keep1, NearDupMemo::default());
            let (group, hash, memo) = near_dup_groups(&px, &keep2, memo);
            let (group0, hash0, memo0) = near_dup_groups(&px, &keep2, NearDupMemo::default());
            proptest::prop_assert_eq!(group, group0);
            proptest::prop_assert_eq!(hash, hash0);
            proptest::prop_assert_eq!(memo.keys, memo0.keys);
            proptest::prop_assert_eq!(memo.pairs, memo0.pairs);
            proptest::prop_assert_eq!(memo.joined, memo0.joined);
        }
    }

    proptest::proptest! {
        #[test]
        fn shared_postings_are_those_of_two_or_more_pages(
            mut entries in proptest::collection::vec((0u64..400, 0u32..50), 0..300),
            spread in proptest::prelude::any::<u64>(),
        ) {
            // Hashes spread over the whole range, so the directory and the bitmap
            // see their top bits.
            let h = |x: u64| crate::lsh::fmix64(x ^ spread);
            entries.sort_by_key(|e| h(e.0));
            let mut index = Postings {
                hashes: entries.iter().map(|e| h(e.0)).collect(),
                pages: entries.iter().map(|e| e.1).collect(),
                ..Postings::default()
            };
            index.finish();
            for x in 0u64..420 {
                let all = index.get(h(x));
                let want: Vec<u32> = entries.iter().filter(|e| e.0 == x).map(|e| e.1).collect();
                proptest::prop_assert_eq!(all, want.as_slice());
                let (s, e) = index.ranges(&[h(x)])[0];
                proptest::prop_assert_eq!(&index.pages[s as usize..e as usize], all);
                // a fingerprint of two or more pages is never taken for one page's
                if all.len() > 1 {
                    proptest::prop_assert!(index.maybe_shared(h(x)));
                }
            }
        }
    }

    #[test]
    fn identical_articles_share_a_unit_and_rare_fingerprints_are_indexed_once() {
        let wire = SILO.join("\n");
        let pages =
            docs(&[(&wire, Some(0)), (TRAM, Some(1)), (&format!("Latest\n{wire}"), Some(2)), (RIVER, None)]);
        let an = analysed(&pages, &NewsOptions::default());
        assert_eq!(an.unit, [0, 1, 0, 3]);
        assert_eq!(an.copies.get(&0), Some(&vec![0, 2]));
        assert_eq!(an.group[0], an.group[2]);
        // the index holds the wire's fingerprints for page 0 only, none common
        assert!(an.common.is_empty());
        assert!(an.index.runs().all(|pages| !pages.contains(&2)));
        assert!(an.index.runs().any(|pages| pages == [0]));
    }

    #[test]
    fn word_weights_do_not_depend_on_which_near_duplicate_came_first() {
        // Two near-duplicate versions of the silo story (one word apart) form one
        // group, which counts once for the weights: by the version with the smaller
        // article hash, whichever page came first.
        let wire = SILO.join("\n");
        let edited = wire.replace("smouldering", "slow-burning");
        let weights = |texts: [&str; 3]| {
            let pages = docs(&[(texts[0], Some(0)), (texts[1], Some(1)), (texts[2], Some(2))]);
            let an = analysed(&pages, &NewsOptions::default());
            assert_eq!(an.group[0], an.group[1], "one near-duplicate group");
            let tokens = |t: &str| Doc::new(t, None).page.tokens.clone();
            let mut all = [tokens(&wire), tokens(&edited)].concat();
            all.sort_unstable();
            all.dedup();
            all.iter().map(|&t| an.weights.of(t)).collect::<Vec<f32>>()
        };
        assert_eq!(weights([&wire, &edited, TRAM]), weights([&edited, &wire, TRAM]));
    }

    #[test]
    fn statistics_in_passes_equal_statistics_in_one() {
        // Passes split the k-grams by ranges of their hash (a million pages take
        // four); every k-gram is counted in exactly one, whole.
        // The commander's quote in four texts that are otherwise different: its
        // k-grams are common below a cap of four.
        let pages = [
            format!("{}\n{}", SILO[0], SILO[1]),
            format!("{}\n{TRAM}", SILO[1]),
            format!("{}\n{}", SILO[2], SILO[1]),
            format!("{TRAM}\n{}", SILO[3]),
            format!("{RIVER}\n{}", SILO[1]),
        ];
        let d = docs(&pages.iter().map(|t| (t.as_str(), Some(1))).collect::<Vec<_>>());
        for common_texts in [1, 3, 10] {
            let opts = NewsOptions { common_texts, ..NewsOptions::default() };
            let px = Pages { docs: &d, opts: &opts, live: d.len() };
            let keep: Vec<Option<Keep>> =
                d.iter().map(|x| x.as_ref().map(|x| to_bits(&vec![true; x.page.lines.len()]))).collect();
            let (one, _) = build_in(&px, keep.clone(), LineStats::default(), NearDupMemo::default(), Some(1));
            assert!(!one.index.hashes.is_empty());
            assert_eq!(one.common.is_empty(), common_texts > 3, "common k-grams below a cap of four");
            for passes in [2, 3, 7, 300] {
                let (many, _) =
                    build_in(&px, keep.clone(), LineStats::default(), NearDupMemo::default(), Some(passes));
                let mut c1: Vec<_> = one.common.iter().collect();
                let mut c2: Vec<_> = many.common.iter().collect();
                c1.sort();
                c2.sort();
                assert_eq!(c1, c2, "{passes} passes");
                assert_eq!(one.index.hashes, many.index.hashes, "{passes} passes");
                assert_eq!(one.index.pages, many.index.pages, "{passes} passes");
                assert_eq!(one.shared, many.shared);
            }
        }
    }

    #[test]
    fn the_common_cap_grows_with_the_square_root_of_the_texts() {
        let opts = NewsOptions::default();
        let units: Vec<u32> = (0..40_000).collect();
        let group: Vec<u32> = (0..40_000).collect();
        // 0.09 * sqrt(40,000) = 18 > 10
        assert_eq!(common_cap(&opts, &units, &group), 18);
        assert_eq!(common_cap(&opts, &units[..100], &group), 10);
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
}
