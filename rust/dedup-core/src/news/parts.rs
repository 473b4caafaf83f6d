//! Stage pieces for one page at a time, given the corpus counts the page looks
//! up: what a worker runs when the stages are distributed (a Spark executor holds
//! some pages, and receives for each only the counts of its own keys). The
//! corpus-wide passes compute the same things over every page at once; each
//! function here calls the code those passes call, so both give the same answer.
//!
//! Keys cross process boundaries as `u64` (line keys, article and k-gram hashes,
//! LSH band keys); kept lines as [`Keep`] bits.

use rustc_hash::FxHashMap as HashMap;

use super::article::{from_bits, to_bits, Article, Keep};
use super::chrome::{distinct, first_lines, outlet_key, Kind, LineStats};
use super::coherence::foreign_from_hits;
use super::features::{lines_hash, Doc};
use rayon::prelude::*;

use super::article::{keep_tokens, kept_tokens};
use super::candidates::short_fingerprints;
use super::stats::neardup::band_keys;
use super::stats::weights::TokenWeights;
use super::stats::{flagged_kgrams, Analysis, FP_BIT};
use super::verify::{derivation_text, verify, Relation, Side};
use super::winnow::kgram_hashes;
use super::{NewsOptions, Pages};

/// What stage 1 counts of a page: the hash of its lines (identical pages of one
/// outlet count once) and its distinct line keys.
pub fn page_lines(doc: &Doc) -> (u64, Vec<u64>) {
    // Each line is hashed once for both.
    let keys = doc.page.line_keys();
    (lines_hash(&keys), distinct(keys))
}

/// The counts chrome removal looks up for one page, by line key: how many
/// distinct pages of the page's outlet carry the line, and (for the second
/// pass) how many distinct texts do. Keys a page does not carry are ignored;
/// missing keys count 0.
#[derive(Debug, Clone, Default)]
pub struct LineCounts {
    /// Line key → distinct pages of this page's outlet with the line.
    pub outlet: Vec<(u64, u32)>,
    /// Line key → distinct texts with the line; None in the first pass, before
    /// the texts are counted.
    pub texts: Option<Vec<(u64, u32)>>,
}

/// Line kinds and kept lines of a page's first article (stage 1), as the
/// corpus-wide first pass gives them when the corpus counts are `counts`.
pub fn first_article_lines(opts: &NewsOptions, doc: &Doc, counts: &LineCounts) -> (Vec<Kind>, Vec<bool>) {
    let px = Pages { docs: &[], opts, live: 0 };
    let mut st = LineStats { line_cap: opts.chrome.recur_texts, ..LineStats::default() };
    if let Some(outlet) = doc.outlet {
        st.outlet_lines = counts.outlet.iter().map(|&(k, n)| (outlet_key(outlet, k), n)).collect();
    }
    if let Some(texts) = &counts.texts {
        st.line_df = texts.iter().copied().collect::<HashMap<u64, u32>>();
    }
    first_lines(&px, doc, &st, counts.texts.is_some(), 0)
}

/// [`first_article_lines`]' kept lines as bits.
pub fn first_article_keep(opts: &NewsOptions, doc: &Doc, counts: &LineCounts) -> Keep {
    to_bits(&first_article_lines(opts, doc, counts).1)
}

/// A line kind as one byte, for crossing a process boundary.
pub fn kind_code(k: Kind) -> u8 {
    match k {
        Kind::Stamp => 0,
        Kind::Short => 1,
        Kind::Prose => 2,
        Kind::Head => 3,
        Kind::Recur => 4,
        Kind::Boiler => 5,
    }
}

/// The line kind of [`kind_code`]'s byte, if it is one.
pub fn kind_of(code: u8) -> Option<Kind> {
    Some(match code {
        0 => Kind::Stamp,
        1 => Kind::Short,
        2 => Kind::Prose,
        3 => Kind::Head,
        4 => Kind::Recur,
        5 => Kind::Boiler,
        _ => return None,
    })
}

/// What near-duplicate grouping reads of one article: its hash (0 when empty),
/// its LSH band keys (none without k-grams), and whether it has fewer tokens than
/// a k-gram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sketch {
    /// [`Article::hash`].
    pub hash: u64,
    /// Band keys of its k-gram set.
    pub bands: Vec<u64>,
    /// No k-grams.
    pub kgrams_empty: bool,
}

/// The sketch of the article of `doc` under kept lines `keep`.
pub fn sketch(opts: &NewsOptions, doc: &Doc, keep: &[u64]) -> Sketch {
    let hashes = Article::token_hashes(&doc.page, keep);
    let kgrams = kgram_hashes(&hashes, opts.k);
    Sketch {
        hash: Article::hash_of(&hashes),
        kgrams_empty: kgrams.is_empty(),
        bands: band_keys(&kgrams, opts.neardup),
    }
}

/// The sorted, distinct k-gram hashes of the article of `doc` under `keep`: what
/// the exact check of a near-duplicate candidate compares.
pub fn kgram_set(opts: &NewsOptions, doc: &Doc, keep: &[u64]) -> Vec<u64> {
    let mut v = kgram_hashes(&Article::token_hashes(&doc.page, keep), opts.k);
    v.sort_unstable();
    v.dedup();
    v
}

/// Stage 2 of one article: its distinct k-grams, in hash order, each with whether
/// it is a winnowed fingerprint (at any of its places): the entries the
/// statistics count for a page that is the first with its article.
pub fn article_kgrams(opts: &NewsOptions, doc: &Doc, keep: &[u64]) -> Vec<(u64, bool)> {
    let mut v = flagged_kgrams(&Article::token_hashes(&doc.page, keep), opts);
    v.sort_unstable_by_key(|&(h, _)| h);
    let mut out: Vec<(u64, bool)> = Vec::with_capacity(v.len());
    for (h, f) in v {
        match out.last_mut() {
            Some(last) if last.0 == h => last.1 |= f == FP_BIT,
            _ => out.push((h, f == FP_BIT)),
        }
    }
    out
}

/// Stage 3 of one article: its winnowed fingerprints, each with the page line it
/// starts on, in order (a hash may come more than once).
pub fn article_fingerprints(opts: &NewsOptions, doc: &Doc, keep: &[u64]) -> Vec<(u64, u32)> {
    let art = Article::from_bits(&doc.page, keep, opts);
    art.fingerprints(opts.window).into_iter().map(|(h, pos)| (h, art.line_of[pos as usize])).collect()
}

/// Stage 3 of one page: its kept lines once the lines quoting other stories are
/// dropped, from its first-pass line kinds and kept lines and its `hits`: for
/// each rare fingerprint of a line and each other page (not the page, not the
/// first page with its article) holding it, (line, page). True when lines were
/// dropped.
pub fn refine_keep(
    opts: &NewsOptions,
    doc: &Doc,
    kinds: &[Kind],
    keep: &[u64],
    hits: &[(u32, u32)],
) -> (Keep, bool) {
    let mut keep = from_bits(keep, doc.page.lines.len());
    let packed: Vec<u64> = hits.iter().map(|&(l, p)| u64::from(l) << 32 | u64::from(p)).collect();
    let foreign = foreign_from_hits(opts, &doc.page, kinds, &keep, packed);
    for &l in &foreign {
        keep[l] = false;
    }
    (to_bits(&keep), !foreign.is_empty())
}

/// Stage 4 of one unit (the first page with its article): the short fingerprints
/// of its article, sorted and distinct, under the corpus's word weights.
pub fn short_article_fingerprints(
    opts: &NewsOptions,
    weights: &TokenWeights,
    doc: &Doc,
    keep: &[u64],
) -> Vec<u64> {
    short_fingerprints(opts, weights, &kept_tokens(&doc.page, keep))
}

/// The word-weight counters one distinct text adds one to, in a table of `bits`
/// bits ([`TokenWeights::bits_for`] of the number of texts).
pub fn text_counters(doc: &Doc, keep: &[u64], bits: u32) -> Vec<u32> {
    TokenWeights::counters(&kept_tokens(&doc.page, keep), bits)
}

/// One page of a pair to verify, with what verification reads of it.
#[derive(Debug, Clone)]
pub struct PairSide {
    /// Its slot (the relation's `a` or `b`).
    pub slot: u32,
    /// The page.
    pub doc: Doc,
    /// Its kept lines.
    pub keep: Keep,
    /// The outlet the same-outlet rule compares: the page's source when every
    /// page with its article ran there, else none (`verify::unit_outlet`).
    pub outlet: Option<u32>,
}

/// Stage 5 of candidate pairs `(a, b)` (`a` the smaller slot): the relation of
/// each pair, or None, as the corpus's verification gives it, given the common
/// k-grams and the word weights of the corpus. With `full`, each pair is measured
/// as `NewsCorpus::explain` measures it (every share, without passages; the
/// sides' outlets should then be their own sources).
pub fn verify_pairs(
    opts: &NewsOptions,
    common: &[u64],
    weights: TokenWeights,
    pairs: &[(PairSide, PairSide)],
    full: bool,
) -> Vec<Option<Relation>> {
    // The pairs' pages get local slots (2i and 2i + 1), which index the summed
    // weights of their distinct words as the corpus's slots do.
    let common = common.iter().map(|&h| (h, 0)).collect();
    let mut an = Analysis { common, weights, ..Analysis::default() };
    let distinct = |s: &PairSide| {
        let mut t = kept_tokens(&s.doc.page, &s.keep);
        t.sort_unstable();
        t.dedup();
        t.iter().map(|&x| f64::from(an.weights.of(x))).sum::<f64>() as f32
    };
    let dw: Vec<f32> = pairs.par_iter().flat_map_iter(|(a, b)| [distinct(a), distinct(b)]).collect();
    an.distinct_weight = dw;
    pairs
        .par_iter()
        .enumerate()
        .map(|(i, (a, b))| {
            crate::interrupt::check();
            let (la, lb) = (2 * i as u32, 2 * i as u32 + 1);
            let aa = Article::from_bits(&a.doc.page, &a.keep, opts);
            // `relations` prepares the first page's text once for its pairs;
            // `explain` prepares neither.
            let ta = (!full).then(|| {
                let t = derivation_text(&an, Some(la), &a.doc, &aa, opts);
                t.index();
                t
            });
            let side_a =
                Side { slot: la, doc: &a.doc, art: &aa, outlet: a.outlet, text: ta.as_ref(), seeds: None };
            let ab = Article::from_bits(&b.doc.page, &b.keep, opts);
            let side_b = Side { slot: lb, doc: &b.doc, art: &ab, outlet: b.outlet, text: None, seeds: None };
            let global = |s: u32| if s == la { a.slot } else { b.slot };
            verify(opts, &an, &side_a, &side_b, full).map(|r| Relation {
                a: global(r.a),
                b: global(r.b),
                passages: Vec::new(),
                ..r
            })
        })
        .collect()
}

/// The share of a page's tokens its kept lines hold (what picks the
/// representative of an undated story); 0 for a page without tokens.
pub fn article_share(doc: &Doc, keep: &[u64]) -> f64 {
    let n = doc.page.len();
    if n == 0 {
        0.0
    } else {
        keep_tokens(&doc.page, Some(keep)) as f64 / n as f64
    }
}

/// The outputs of stages 1 to 3 that later stages read, by slot: kept lines
/// (None for an empty slot), article hashes (0: empty), units (the first page
/// with the same article), near-duplicate groups (`u32::MAX`: no k-grams), the
/// common k-grams (sorted) and the postings of rare fingerprints (hash, page),
/// sorted.
#[derive(Debug, Clone, Default)]
pub struct AnalysisParts {
    /// Kept lines of each page.
    pub keep: Vec<Option<Keep>>,
    /// Article hash of each page.
    pub hash: Vec<u64>,
    /// Unit of each page.
    pub unit: Vec<u32>,
    /// Near-duplicate group of each page.
    pub group: Vec<u32>,
    /// Common k-grams.
    pub common: Vec<u64>,
    /// Rare fingerprint postings.
    pub postings: Vec<(u64, u32)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::news::chrome::ChromeOptions;
    use crate::news::chrome::{distinct_keys, line_texts, outlet_stats};
    use crate::news::features::page_hash;
    use crate::news::first_pass;
    use crate::news::testing::{docs, SILO, TRAM};
    use crate::trace::Trace;

    #[test]
    fn a_page_s_lines_are_counted_as_the_corpus_pass_counts_them() {
        let pages: Vec<(&str, Option<u32>)> =
            SILO.iter().chain([TRAM].iter()).map(|&t| (t, Some(1))).collect();
        for d in docs(&pages).iter().flatten() {
            assert_eq!(page_lines(d), (page_hash(&d.page), distinct_keys(&d.page)));
        }
    }

    /// The counts the corpus-wide pass holds, restricted to one page's keys, as a
    /// worker would receive them.
    fn counts_of(st: &LineStats, doc: &Doc, texts: bool) -> LineCounts {
        let keys = distinct_keys(&doc.page);
        let outlet = doc.outlet.map_or_else(Vec::new, |o| {
            keys.iter().filter_map(|&k| st.outlet_lines.get(&outlet_key(o, k)).map(|&n| (k, n))).collect()
        });
        let texts = texts.then(|| keys.iter().filter_map(|&k| st.line_df.get(&k).map(|&n| (k, n))).collect());
        LineCounts { outlet, texts }
    }

    #[test]
    fn one_page_with_its_counts_gives_the_first_pass_of_the_corpus() {
        let page = |outlet: &str, body: &str| {
            format!("{outlet}\nSubscribe to our newsletter for the day's top stories\n{body}\nAll rights reserved")
        };
        let silo = SILO.join("\n");
        let texts = [
            (page("Harbour Herald", &silo), Some(0)),
            (page("Harbour Herald", TRAM), Some(0)),
            (page("Valley Gazette", &silo), Some(1)),
            (page("Valley Gazette", TRAM), Some(1)),
            (page("Valley Gazette", &silo), Some(1)),
            (silo.clone(), None),
            (page("Coast Courier", TRAM), None),
        ];
        let refs: Vec<(&str, Option<u32>)> = texts.iter().map(|(t, s)| (t.as_str(), *s)).collect();
        let pages = docs(&refs);
        let opts = NewsOptions {
            chrome: ChromeOptions { same_source_pages: 2, recur_texts: 1, ..ChromeOptions::default() },
            ..NewsOptions::default()
        };
        let px = Pages { docs: &pages, opts: &opts, live: pages.len() };
        let (st, firsts, _) = first_pass(&px, &Trace::new(""));
        let mut st0 = outlet_stats(&px);
        st0.line_cap = opts.chrome.recur_texts;
        for (slot, d) in pages.iter().enumerate() {
            let d = d.as_ref().expect("page");
            // without text counts: the preliminary pass line_texts groups
            let prelim = first_article_lines(&opts, d, &counts_of(&st0, d, false));
            assert_eq!(prelim, first_lines(&px, d, &st0, false, 0), "slot {slot}");
            let got = first_article_lines(&opts, d, &counts_of(&st, d, true));
            assert_eq!(Some(&got), firsts[slot].as_ref(), "slot {slot}");
        }
        // both counts are there to be looked up: some lines recur
        assert!(!line_texts(&px, &st0, 1).0.is_empty());
        assert!(firsts.iter().flatten().any(|f| f.0.iter().any(|k| matches!(k, Kind::Recur | Kind::Boiler))));
    }

    #[test]
    fn sketches_of_copies_agree_and_the_set_is_sorted() {
        let opts = NewsOptions::default();
        let silo = SILO.join("\n");
        let pages = docs(&[(&silo, None), (&silo, Some(3)), (TRAM, None), ("Too short.", None)]);
        let all = |d: &Doc| to_bits(&vec![true; d.page.lines.len()]);
        let sk: Vec<Sketch> = pages.iter().flatten().map(|d| sketch(&opts, d, &all(d))).collect();
        assert_eq!(sk[0], sk[1]);
        assert_ne!(sk[0].hash, sk[2].hash);
        assert_eq!(sk[0].bands.len(), opts.neardup.bands);
        assert!(sk[3].kgrams_empty && sk[3].bands.is_empty());
        let d = pages[0].as_ref().expect("page");
        let set = kgram_set(&opts, d, &all(d));
        assert!(set.windows(2).all(|w| w[0] < w[1]));
    }
}
