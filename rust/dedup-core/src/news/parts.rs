//! Stage pieces for one page at a time, given the corpus counts the page looks
//! up: what a worker runs when the stages are distributed (a Spark executor holds
//! some pages, and receives for each only the counts of its own keys). The
//! corpus-wide passes compute the same things over every page at once; each
//! function here calls the code those passes call, so both give the same answer.
//!
//! Keys cross process boundaries as `u64` (line keys, article and k-gram hashes,
//! LSH band keys); kept lines as [`Keep`] bits.

use rustc_hash::FxHashMap as HashMap;

use super::article::{to_bits, Article, Keep};
use super::chrome::{distinct_keys, first_lines, outlet_key, Kind, LineStats};
use super::features::{page_hash, Doc};
use super::stats::neardup::band_keys;
use super::winnow::kgram_hashes;
use super::{NewsOptions, Pages};

/// What stage 1 counts of a page: the hash of its lines (identical pages of one
/// outlet count once) and its distinct line keys.
pub fn page_lines(doc: &Doc) -> (u64, Vec<u64>) {
    (page_hash(&doc.page), distinct_keys(&doc.page))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::news::chrome::ChromeOptions;
    use crate::news::chrome::{line_texts, outlet_stats};
    use crate::news::first_pass;
    use crate::news::testing::{docs, SILO, TRAM};
    use crate::trace::Trace;

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
        let (st, firsts) = first_pass(&px, &Trace::new(""));
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
        assert!(!line_texts(&px, &st0, 1).is_empty());
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
