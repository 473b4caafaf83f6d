//! Stage 4, candidates: the pairs of pages worth verifying. Pages sharing rare
//! fingerprints (winnowed word 5-grams: a shared passage; winnowed word 3-grams
//! holding a rare word: the short runs a reworded brief keeps), identical articles,
//! and near-duplicate articles (MinHash-LSH checked on exact Jaccard).

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use crate::lsh::fmix64;
use crate::trace::Trace;

use super::article::kept_tokens;
use super::stats::weights::TokenWeights;
use super::stats::{common_cap, sampled_sum, Analysis, Entry, PASS_ENTRIES, PASS_ENTRIES_PER_PAGE};
use super::winnow::{kgram_hashes, winnow};
use super::{NewsOptions, Pages};

/// Pair occurrences counted in one pass of candidate generation (8 bytes each).
const PAIR_PASS: usize = 8 << 20;

/// Candidate pairs `(a, b)`, `a < b`.
pub(crate) fn candidates(px: &Pages<'_>, an: &Analysis) -> Vec<(u32, u32)> {
    let need = px.opts.min_shared_fingerprints;
    // Gathered in a vector, then sorted and deduplicated: cheaper than a set of
    // a million pairs.
    let mut pairs: Vec<(u32, u32)> = pairs_sharing(an.index.runs(), need);
    Trace::new("  ").mark(format!("{} pairs share {need} rare fingerprints", pairs.len()));
    let short = short_candidates(px, an);
    Trace::new("  ").mark(format!("{} pairs share short runs", short.len()));
    pairs.extend(short);
    // Whole-article near-duplicates (MinHash-LSH, checked on exact Jaccard), and
    // identical articles too short for k-grams.
    let mut by_body: HashMap<(u32, u64), Vec<u32>> = HashMap::default();
    for (slot, &h) in an.hash.iter().enumerate() {
        crate::interrupt::check_every(slot);
        if an.unit[slot] != slot as u32 {
            // Identical to an earlier page: compared with that page alone.
            pairs.push((an.unit[slot], slot as u32));
        } else if h != 0 {
            let g = an.group[slot];
            by_body.entry(if g == u32::MAX { (g, h) } else { (g, 0) }).or_default().push(slot as u32);
        }
    }
    for group in crate::interrupt::checked(by_body.values()) {
        for (i, &a) in group.iter().enumerate() {
            for &b in &group[i + 1..] {
                pairs.push((a, b));
            }
        }
    }
    crate::interrupt::check();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// Pairs of articles sharing `min_shared_short` rare fingerprints of short
/// k-grams (`short_k` tokens, winnowed over `short_window`): a brief cut and
/// reworded from a long story shares many runs of three or four words with it
/// and few of `k`. A short k-gram is rare when it is a fingerprint in at most
/// as many distinct texts as make a k-gram common. Identical articles are
/// represented by their first page.
fn short_candidates(px: &Pages<'_>, an: &Analysis) -> Vec<(u32, u32)> {
    // How many fingerprints there are, from every 64th unit: most k-grams of
    // three words hold no rare word, so the length of the articles overstates
    // them about fourfold, and each pass derives every article's fingerprints
    // again. Winnowing keeps the smallest hash of a window, so the passes over
    // low hashes hold up to twice their share: the budget allows for that.
    let units = units_of(an);
    let estimate = sampled_sum(&units, |u| unit_short_fingerprints(px, an, u).len());
    let passes = (2 * estimate).div_ceil(PASS_ENTRIES.max(PASS_ENTRIES_PER_PAGE * px.live)).max(1);
    short_pairs(px, an, passes)
}

/// [`short_fingerprints`] of the article of unit `u`.
fn unit_short_fingerprints(px: &Pages<'_>, an: &Analysis, u: u32) -> Vec<u64> {
    let (Some(d), Some(keep)) = (px.doc(u), an.keep[u as usize].as_deref()) else {
        return Vec::new();
    };
    short_fingerprints(px.opts, &an.weights, &kept_tokens(&d.page, keep))
}

/// First pages of the distinct non-empty articles.
fn units_of(an: &Analysis) -> Vec<u32> {
    (0..an.unit.len() as u32).filter(|&s| an.unit[s as usize] == s && an.hash[s as usize] != 0).collect()
}

/// The pairs of [`short_candidates`], with the fingerprints sorted in `passes`
/// passes over ranges of the hash. The postings of every pass are kept and the
/// pairs counted over all of them at once: a pair's shared fingerprints fall in
/// different passes, and counting each pass alone would lose pairs that reach
/// `min_shared_short` only in total.
fn short_pairs(px: &Pages<'_>, an: &Analysis, passes: usize) -> Vec<(u32, u32)> {
    let units = units_of(an);
    let cap = common_cap(px.opts, &units, &an.group);
    let fingerprints = |u: u32| -> Vec<u64> {
        crate::interrupt::check();
        unit_short_fingerprints(px, an, u)
    };
    // Postings of all passes, flat: pages, and where each posting ends.
    let (mut pages, mut ends): (Vec<u32>, Vec<usize>) = (Vec::new(), Vec::new());
    for pass in 0..passes {
        let in_pass = |h: u64| ((u128::from(h) * passes as u128) >> 64) as usize == pass;
        let mut entries: Vec<Entry> = units
            .par_iter()
            .flat_map_iter(|&u| {
                fingerprints(u).into_iter().filter(|&h| in_pass(h)).map(move |hash| Entry { hash, page: u })
            })
            .collect();
        entries.par_sort_unstable_by_key(|e| (e.hash, e.page));
        for run in crate::interrupt::checked(entries.chunk_by(|a, b| { a.hash } == { b.hash })) {
            if run.len() >= 2 && distinct_groups(run, &an.group, cap) <= cap {
                pages.extend(run.iter().map(|e| e.page));
                ends.push(pages.len());
            }
        }
    }
    let postings = ends.iter().scan(0usize, |start, &end| {
        let p = &pages[*start..end];
        *start = end;
        Some(p)
    });
    pairs_sharing(postings, px.opts.min_shared_short)
}

/// The short fingerprints of an article's tokens (`short_k`-grams winnowed over
/// `short_window`), sorted and distinct: only k-grams holding a rare word, as
/// three common words in a row are chance, and the candidates they would make
/// cost time and find nothing.
pub(crate) fn short_fingerprints(opts: &NewsOptions, weights: &TokenWeights, tokens: &[u32]) -> Vec<u64> {
    let (k, w) = (opts.short_k, opts.short_window);
    let rare_word = 0.25 * weights.unseen();
    let hashes: Vec<u64> = tokens.iter().map(|&t| fmix64(u64::from(t))).collect();
    let kgrams = kgram_hashes(&hashes, k);
    let mut fps: Vec<u64> = winnow(&kgrams, w)
        .into_iter()
        .filter(|&(_, p)| tokens[p as usize..p as usize + k].iter().any(|&t| weights.of(t) >= rare_word))
        .map(|f| f.0)
        .collect();
    fps.sort_unstable();
    fps.dedup();
    fps
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
                crate::interrupt::check();
                p.iter().enumerate().filter(move |&(_, &a)| a % passes == pass).flat_map(move |(i, &a)| {
                    p[i + 1..].iter().map(move |&b| u64::from(a) << 32 | u64::from(b))
                })
            })
            .collect();
        occ.par_sort_unstable();
        out.extend(
            crate::interrupt::checked(occ.chunk_by(|x, y| x == y))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::news::testing::{analysed, docs, RIVER, SILO, TRAM};
    use crate::news::NewsOptions;
    use proptest::prelude::*;

    /// Pairs occurring together in at least `need` postings, the obvious way.
    fn slow_pairs(postings: &[Vec<u32>], need: usize) -> Vec<(u32, u32)> {
        let mut count: HashMap<(u32, u32), usize> = HashMap::default();
        for p in postings {
            for (i, &a) in p.iter().enumerate() {
                for &b in &p[i + 1..] {
                    *count.entry((a, b)).or_insert(0) += 1;
                }
            }
        }
        let mut out: Vec<(u32, u32)> =
            count.into_iter().filter(|&(_, c)| c >= need).map(|(p, _)| p).collect();
        out.sort_unstable();
        out
    }

    proptest! {
        #[test]
        fn pairs_sharing_matches_counting_every_pair(
            raw in proptest::collection::vec(proptest::collection::btree_set(0u32..30, 0..8), 0..40),
            need in 1usize..4,
        ) {
            let postings: Vec<Vec<u32>> = raw.into_iter().map(|s| s.into_iter().collect()).collect();
            let mut fast = pairs_sharing(postings.iter().map(Vec::as_slice), need);
            fast.sort_unstable();
            prop_assert_eq!(fast, slow_pairs(&postings, need));
        }
    }

    /// The silo wire (page 0), a brief cut and reworded from it (page 1: runs of
    /// three or four of its words, never five) and two unrelated pages.
    fn wire_and_brief() -> Vec<Option<crate::news::Doc>> {
        let wire = SILO.join("\n");
        let brief = "On Sunday night crews pumped water into the grain silo outside Harnley after barley stored deep inside began to smoulder and threatened to spread, county firefighters said. Two farms next door were told to keep their animals inside because of the smoke.";
        docs(&[(&wire, Some(0)), (brief, Some(1)), (TRAM, Some(2)), (RIVER, Some(3))])
    }

    #[test]
    fn short_run_pairs_do_not_depend_on_the_number_of_passes() {
        // At scale the short fingerprints are sorted in several passes over ranges
        // of the hash; a pair's shared fingerprints then fall in different passes
        // and must still be counted together (they were not: the pairs found
        // depended on the corpus size).
        let (pages, opts) = (wire_and_brief(), NewsOptions::default());
        let an = analysed(&pages, &opts);
        let px = Pages { docs: &pages, opts: &opts, live: pages.len() };
        let one = short_pairs(&px, &an, 1);
        assert!(one.contains(&(0, 1)));
        for passes in [2, 3, 5, 8] {
            assert_eq!(short_pairs(&px, &an, passes), one, "{passes} passes");
        }
    }

    #[test]
    fn a_reworded_brief_is_a_candidate_of_its_wire_through_short_runs() {
        let (pages, opts) = (wire_and_brief(), NewsOptions::default());
        let an = analysed(&pages, &opts);
        let px = Pages { docs: &pages, opts: &opts, live: pages.len() };
        assert!(candidates(&px, &an).contains(&(0, 1)));
        // without the short runs the pair is not found
        let long_only = NewsOptions { min_shared_short: usize::MAX, ..opts };
        let px = Pages { docs: &pages, opts: &long_only, live: pages.len() };
        assert!(!candidates(&px, &an).contains(&(0, 1)));
    }
}
