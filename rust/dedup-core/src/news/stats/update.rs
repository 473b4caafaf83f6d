//! The statistics after the coherence pass, updated from those before it rather
//! than built again.
//!
//! The coherence pass drops lines from a small share of the articles (about one
//! page in twelve on generated news at scale). A k-gram's counts, and so whether it
//! is common and which pages it indexes, depend only on the units (first pages of
//! distinct articles) holding it and their near-duplicate groups. So only the
//! k-grams of pages whose contribution changed need counting again: their old and
//! new k-grams are the *affected* k-grams, every unit's entries for those are
//! collected and scanned as [`build_from`](super::build_from) scans all entries, and the rest
//! of the statistics carry over. The result equals a full build (tested); when the
//! common cap itself moves, every k-gram's status may flip and the full build runs.

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use super::super::article::{article_kgrams_empty, article_tokens, Keep};
use super::super::winnow::{kgram_hashes, winnow};
use super::super::Pages;
use super::{
    build_from, common_cap, directory, near_dup_groups, sampled_sum, scan_runs, Analysis, KgramEntry,
    NearDupMemo, Postings, FP_BIT, PASS_ENTRIES, PASS_ENTRIES_PER_PAGE,
};
use crate::trace::Trace;

/// The statistics of the articles under `keep`, from `old`, the statistics of the
/// same pages under other kept lines (`old.keep`), and `memo`, what computing their
/// near-duplicate groups knew.
pub(crate) fn update(px: &Pages<'_>, old: Analysis, keep: Vec<Option<Keep>>, memo: NearDupMemo) -> Analysis {
    update_in(px, old, keep, memo, None)
}

/// [`update`], counting the affected k-grams again in `passes` passes (None: as
/// many as memory asks for).
fn update_in(
    px: &Pages<'_>,
    old: Analysis,
    keep: Vec<Option<Keep>>,
    memo: NearDupMemo,
    passes: Option<usize>,
) -> Analysis {
    let tr = Trace::new("  ");
    let (group, hash, memo) = near_dup_groups(px, &keep, memo);
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
    tr.mark("near_dup_groups");
    let (unit, first_with, copies) = super::units(&hash);
    let then = State { keep: &old.keep, unit: &old.unit, hash: &old.hash, group: &old.group };
    let now = State { keep: &keep, unit: &unit, hash: &hash, group: &group };
    let cap = common_cap(px.opts, &now.units(), &group);
    if cap != common_cap(px.opts, &then.units(), &old.group) {
        tr.mark("the common cap moved: full build");
        let lines = old.lines;
        return build_from(px, keep, lines, memo).0;
    }
    drop(memo); // no later computation of groups: its memory goes before the counting
    let moved = moved(&then, &now);
    let (affected, still_common) = affected(px, &then, &now, &moved, &old.common, cap);
    tr.mark(format!("{} pages moved, {} k-grams affected", moved.len(), affected.len()));
    let (counted, fresh) = count_again(px, &now, &affected, cap, passes);
    tr.mark(format!("{} postings of affected k-grams", fresh.len()));
    // Common: the old status of unaffected k-grams, the new of affected ones.
    let mut common: HashMap<u64, u32> =
        old.common.into_iter().filter(|&(h, _)| !affected.contains(h)).collect();
    common.extend(still_common);
    common.extend(counted);
    // Index: old postings of unaffected k-grams merged with the new postings of
    // affected ones, both in hash order.
    let index = merge(old.index, &affected, &fresh);
    drop(fresh);
    let mut shared = vec![false; unit.len()];
    for run in crate::interrupt::checked(index.runs()) {
        if run.len() > 1 {
            for &u in run {
                shared[u as usize] = true;
            }
        }
    }
    tr.mark(format!("{} common, {} postings", common.len(), index.hashes.len()));
    Analysis {
        lines: old.lines,
        keep,
        hash,
        unit,
        first_with,
        copies,
        group,
        common,
        index,
        shared,
        weights: old.weights,
        distinct_weight: Vec::new(),
    }
}

/// The articles of the pages and how they group, before or after coherence.
struct State<'a> {
    keep: &'a [Option<Keep>],
    unit: &'a [u32],
    hash: &'a [u64],
    group: &'a [u32],
}

impl State<'_> {
    /// Whether `s` is the first page of a distinct non-empty article.
    fn is_unit(&self, s: u32) -> bool {
        self.unit[s as usize] == s && self.hash[s as usize] != 0
    }

    fn units(&self) -> Vec<u32> {
        (0..self.unit.len() as u32).filter(|&s| self.is_unit(s)).collect()
    }

    /// The distinct k-grams of `s`'s article if `s` is a unit (none otherwise).
    fn kgrams(&self, px: &Pages<'_>, s: u32) -> Vec<u64> {
        if !self.is_unit(s) {
            return Vec::new();
        }
        let mut v = kgram_hashes(&article_tokens(px, self.keep, s as usize), px.opts.k);
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// Pages whose contribution to the counts changed: a unit then or now whose unit
/// status, article or group is not what it was.
fn moved(then: &State<'_>, now: &State<'_>) -> Vec<u32> {
    (0..now.unit.len() as u32)
        .into_par_iter()
        .filter(|&s| {
            let i = s as usize;
            crate::interrupt::check_every(i);
            let (was, is) = (then.is_unit(s), now.is_unit(s));
            (was || is) && (was != is || then.keep[i] != now.keep[i] || then.group[i] != now.group[i])
        })
        .collect()
}

/// The k-grams whose counts must be taken again: those of the moved pages, old
/// and new, except k-grams common before in more texts than moved pages held
/// them (each moved page lowers the count by one at most), which stay common
/// whatever the pages hold now; those are returned apart with their lower bound.
fn affected(
    px: &Pages<'_>,
    then: &State<'_>,
    now: &State<'_>,
    moved: &[u32],
    common: &HashMap<u64, u32>,
    cap: u32,
) -> (Affected, Vec<(u64, u32)>) {
    type Touched = (Vec<u64>, Vec<(u64, bool)>);
    // The rare k-grams touched, and the common ones with whether the moved page
    // held them before (those lower the count). A chunk of pages at a time into
    // one list, sorted and deduplicated: a list per thread, merged at the end,
    // held several times the final set at once (400 MB more at a million pages).
    let mut rare: Vec<u64> = Vec::new();
    let mut distinct = 0; // length of `rare` when it was last sorted and deduplicated
    let mut commons: Vec<(u64, bool)> = Vec::new();
    for chunk in moved.chunks(1 << 12) {
        crate::interrupt::check();
        let (mut r, c): Touched = chunk
            .par_iter()
            .fold(
                || (Vec::new(), Vec::new()),
                |(mut r, mut c): Touched, &s| {
                    for (held_before, ks) in [(true, then.kgrams(px, s)), (false, now.kgrams(px, s))] {
                        for h in ks {
                            if common.contains_key(&h) {
                                c.push((h, held_before));
                            } else {
                                r.push(h);
                            }
                        }
                    }
                    (r, c)
                },
            )
            .reduce(
                || (Vec::new(), Vec::new()),
                |(mut a, mut ca), (b, cb)| {
                    a.extend(b);
                    ca.extend(cb);
                    (a, ca)
                },
            );
        r.par_sort_unstable();
        r.dedup();
        rare.extend(r);
        // Moved pages are mostly copies of a few stories: chunks repeat one
        // another's k-grams, deduplicated whenever they have doubled the list.
        if rare.len() > 2 * distinct + (1 << 20) {
            rare.par_sort_unstable();
            rare.dedup();
            distinct = rare.len();
        }
        commons.extend(c);
    }
    commons.par_sort_unstable();
    let mut set = rare;
    let mut still_common: Vec<(u64, u32)> = Vec::new();
    for run in commons.chunk_by(|a, b| a.0 == b.0) {
        let h = run[0].0;
        let lost = run.iter().filter(|t| t.1).count() as u32;
        let at_least = common[&h].saturating_sub(lost);
        if at_least > cap {
            still_common.push((h, at_least));
        } else {
            set.push(h);
        }
    }
    (Affected::new(set), still_common)
}

/// A set of k-grams in hash order, with a bitmap on the top bits of the hash in
/// front of it and a directory into it. Most k-grams tested are not in the set,
/// and the bitmap (a few megabytes) answers those without reading the set. A
/// member's rank, its place in the set, is what its entries carry while they are
/// counted: 4 bytes rather than the 8 of its hash (a third less memory at the peak
/// of the analysis at a million pages, where a hash table of the set took twice
/// the sorted array).
pub(crate) struct Affected {
    bits: Vec<u64>,
    shift: u32,
    keys: Vec<u64>,
    dir: Vec<u32>,
    dir_shift: u32,
}

impl Affected {
    pub(crate) fn new(mut keys: Vec<u64>) -> Self {
        keys.par_sort_unstable();
        keys.dedup();
        keys.shrink_to_fit();
        // About 16 bits a member, so about one k-gram in 16 not in the set passes
        // the bitmap.
        let bits = (usize::BITS - (keys.len() * 16).max(64).leading_zeros()).min(32);
        let shift = 64 - bits;
        let mut map = vec![0u64; (1usize << bits) / 64];
        for &h in &keys {
            let b = (h >> shift) as usize;
            map[b / 64] |= 1 << (b % 64);
        }
        let (dir, dir_shift) = directory(&keys, 4);
        Self { bits: map, shift, keys, dir, dir_shift }
    }

    /// The place of `h` in the set, if it is a member.
    #[inline]
    pub(crate) fn rank(&self, h: u64) -> Option<u32> {
        let b = (h >> self.shift) as usize;
        if self.bits[b / 64] >> (b % 64) & 1 == 0 {
            return None;
        }
        let d = (h >> self.dir_shift) as usize;
        let (lo, hi) = (self.dir[d] as usize, self.dir[d + 1] as usize);
        self.keys[lo..hi].binary_search(&h).ok().map(|i| (lo + i) as u32)
    }

    #[inline]
    pub(crate) fn contains(&self, h: u64) -> bool {
        self.rank(h).is_some()
    }

    /// The member of rank `r`.
    #[inline]
    fn key(&self, r: u32) -> u64 {
        self.keys[r as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

/// An entry of an affected k-gram while the k-grams are counted again: its rank
/// in [`Affected`] and the page slot with [`FP_BIT`].
#[derive(Clone, Copy)]
struct Ranked {
    rank: u32,
    page: u32,
}

impl KgramEntry for Ranked {
    #[inline]
    fn key(self) -> u64 {
        u64::from(self.rank)
    }

    #[inline]
    fn page(self) -> u32 {
        self.page
    }
}

/// New postings of affected k-grams, in pieces that follow one another in hash
/// order (each piece sorted by hash): never copied into one pair of vectors, which
/// held them twice at the peak of the analysis at a million pages.
#[derive(Default)]
pub(crate) struct Fresh {
    pieces: Vec<(Vec<u64>, Vec<u32>)>,
}

impl Fresh {
    pub(crate) fn len(&self) -> usize {
        self.pieces.iter().map(|p| p.0.len()).sum()
    }

    /// The postings from the last backwards.
    fn rev(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.pieces.iter().rev().flat_map(|(h, p)| h.iter().copied().zip(p.iter().copied()).rev())
    }
}

/// Every unit's entries for the `affected` k-grams, scanned as a build scans
/// them: the common ones with their counts, and the postings of the others.
fn count_again(
    px: &Pages<'_>,
    now: &State<'_>,
    affected: &Affected,
    cap: u32,
    passes: Option<usize>,
) -> (Vec<(u64, u32)>, Fresh) {
    // Entries go straight into buckets by the top bits of the hash, a chunk of
    // units at a time, rather than into one collected vector (rayon gathers its
    // pieces, then copies them into one: twice their size at once). A k-gram's
    // entries all fall in one bucket, and the buckets in order are in hash order.
    // In passes over ranges of the hash when the entries (estimated from every
    // 64th unit) would pass twice a build's budget for a pass: each pass derives
    // every article again, which at a million pages (50 million entries, 600 MB)
    // cost 11 CPU seconds for 50 MB less at the peak, so one pass is run there.
    const BUCKETS: u128 = 1 << 8;
    let units = now.units();
    // A unit's k-grams, and the positions of those that are affected and `wanted`
    // (tested first: the set is a bitmap and an array far larger than the caches).
    let hits = |u: u32, wanted: &dyn Fn(u64) -> bool| -> (Vec<u64>, Vec<(usize, u32)>) {
        let kgrams = kgram_hashes(&article_tokens(px, now.keep, u as usize), px.opts.k);
        let hits = (0..kgrams.len())
            .filter(|&i| wanted(kgrams[i]))
            .filter_map(|i| affected.rank(kgrams[i]).map(|r| (i, r)))
            .collect();
        (kgrams, hits)
    };
    let estimate = sampled_sum(&units, |u| hits(u, &|_| true).1.len());
    let passes =
        passes.unwrap_or_else(|| estimate.div_ceil(2 * PASS_ENTRIES.max(PASS_ENTRIES_PER_PAGE * px.live)));
    let passes = passes.max(1) as u128;
    // Buckets sized from the estimate: grown by doubling, they held up to twice
    // their entries, and copied them as they grew.
    let per_bucket = estimate / (passes * BUCKETS) as usize;
    let per_bucket = per_bucket + per_bucket / 8;
    let mut common = Vec::new();
    let mut fresh = Fresh::default();
    for pass in 0..passes {
        // The pass and the bucket of a hash: the top of `h * passes * BUCKETS`.
        let slot = |h: u64| ((u128::from(h) * passes * BUCKETS) >> 64) as usize;
        let first = (pass * BUCKETS) as usize;
        let mut buckets: Vec<Vec<Ranked>> = (0..BUCKETS).map(|_| Vec::with_capacity(per_bucket)).collect();
        for chunk in units.chunks(1 << 14) {
            crate::interrupt::check();
            let part: Vec<(u64, Ranked)> = chunk
                .par_iter()
                .flat_map_iter(|&u| {
                    let (kgrams, hits) = hits(u, &|h| slot(h) / BUCKETS as usize == pass as usize);
                    if hits.is_empty() {
                        return Vec::new(); // winnowing is not needed
                    }
                    let mut flag = vec![0u32; kgrams.len()];
                    for (_, pos) in winnow(&kgrams, px.opts.window) {
                        flag[pos as usize] = FP_BIT;
                    }
                    hits.into_iter()
                        .map(|(i, rank)| (kgrams[i], Ranked { rank, page: u | flag[i] }))
                        .collect::<Vec<_>>()
                })
                .collect();
            for (h, e) in part {
                buckets[slot(h) - first].push(e);
            }
        }
        // Within a bucket, rank order is hash order.
        let scanned: Vec<_> = buckets
            .into_par_iter()
            .map(|mut b| {
                b.sort_unstable_by_key(|e| e.rank);
                scan_runs(&b, |e| affected.key(e.rank), now.group, cap)
            })
            .collect();
        for piece in scanned {
            common.extend(piece.common);
            fresh.pieces.push((piece.hashes, piece.pages));
        }
    }
    (common, fresh)
}

/// `old`'s postings of the k-grams not in `affected`, merged in hash order with
/// the new postings of affected ones (`hashes`, `pages`, in hash order). In place,
/// in `old`'s arrays: a copy of the kept postings beside the old and the new index
/// took 40 bytes a posting at the peak of the analysis (1.5 GB at a million pages).
fn merge(old: Postings, affected: &Affected, fresh: &Fresh) -> Postings {
    let Postings { hashes: mut h, pages: mut p, .. } = old;
    let mut kept = 0;
    for r in 0..h.len() {
        crate::interrupt::check_every(r);
        if !affected.contains(h[r]) {
            h[kept] = h[r];
            p[kept] = p[r];
            kept += 1;
        }
    }
    // From the back, so that nothing is overwritten before it is read. Unaffected
    // and affected k-grams are disjoint: no hash comes from both sides, and each
    // side keeps its order.
    let n = fresh.len();
    h.resize(kept + n, 0);
    p.resize(kept + n, 0);
    let (mut i, mut j) = (kept, n);
    for (fh, fp) in crate::interrupt::checked(fresh.rev()) {
        // Old postings above this new one move up first.
        while i > 0 && h[i - 1] > fh {
            h[i + j - 1] = h[i - 1];
            p[i + j - 1] = p[i - 1];
            i -= 1;
        }
        h[i + j - 1] = fh;
        p[i + j - 1] = fp;
        j -= 1;
    }
    let mut out = Postings { hashes: h, pages: p, ..Postings::default() };
    out.finish();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustc_hash::FxHashSet as HashSet;

    use crate::news::article::to_bits;
    use crate::news::stats::build;
    use crate::news::testing::{docs, RIVER, SILO, TRAM};
    use crate::news::{coherence, first_pass, NewsOptions};

    /// Sorted `(hash, page)` postings, to compare indexes.
    fn postings(p: &Postings) -> Vec<(u64, u32)> {
        p.hashes.iter().copied().zip(p.pages.iter().copied()).collect()
    }

    fn sorted(set: &HashMap<u64, u32>) -> Vec<u64> {
        let mut v: Vec<u64> = set.keys().copied().collect();
        v.sort_unstable();
        v
    }

    /// The statistics before coherence, the refined kept lines, and what the
    /// near-duplicate groups knew, as the analysis chains them.
    fn before_and_refined(px: &Pages<'_>) -> (Analysis, Vec<Option<Keep>>, usize, NearDupMemo) {
        let (lines, firsts, memo) = first_pass(px, &Trace::new(""));
        let keep = firsts.iter().map(|f| f.as_ref().map(|f| to_bits(&f.1))).collect();
        let (an, memo) = build_from(px, keep, lines, memo);
        let (refined, changed) = coherence::refine(px, firsts, &an);
        (an, refined, changed, memo)
    }

    fn assert_same(a: &Analysis, b: &Analysis) {
        assert_eq!(a.keep, b.keep);
        assert_eq!(a.hash, b.hash);
        assert_eq!(a.unit, b.unit);
        assert_eq!(a.group, b.group);
        assert_eq!(sorted(&a.common), sorted(&b.common));
        assert_eq!(postings(&a.index), postings(&b.index));
        assert_eq!(a.shared, b.shared);
        let mut ca: Vec<_> = a.copies.iter().map(|(k, v)| (*k, v.clone())).collect();
        let mut cb: Vec<_> = b.copies.iter().map(|(k, v)| (*k, v.clone())).collect();
        ca.sort();
        cb.sort();
        assert_eq!(ca, cb);
    }

    /// Invented sentences the random corpora are made of, besides the stories'.
    const MORE: [&str; 6] = [
        "Ferry services to the northern islands were cancelled for a second day as gales of up to ninety miles an hour swept the coast, the operator said on Monday.",
        "The museum will reopen its east wing in spring after a two year restoration of the painted ceiling, which had been damaged by a leaking roof.",
        "Police closed the bypass for six hours after a lorry carrying frozen vegetables overturned near the junction with the old quarry road.",
        "The orchestra announced that its new conductor, a former cellist from the same ensemble, will lead the opening concert of the season in October.",
        "Shares in the regional water company fell sharply after regulators ordered it to cut bills and spend more on repairing leaking pipes.",
        "Volunteers planted four thousand oak saplings along the river bank over the weekend to slow flooding in the villages downstream.",
    ];

    proptest::proptest! {
        #[test]
        fn ranks_are_places_in_the_sorted_set(
            members in proptest::collection::vec(proptest::prelude::any::<u64>(), 0..300),
            near in proptest::collection::vec((0usize..300, -2i64..3), 0..100),
            others in proptest::collection::vec(proptest::prelude::any::<u64>(), 0..100),
        ) {
            let affected = Affected::new(members.clone());
            let mut sorted = members.clone();
            sorted.sort_unstable();
            sorted.dedup();
            proptest::prop_assert_eq!(affected.len(), sorted.len());
            // Members, their neighbours (same top bits) and arbitrary hashes.
            let probes = near
                .iter()
                .filter(|_| !members.is_empty())
                .map(|&(i, d)| members[i % members.len()].wrapping_add_signed(d))
                .chain(others);
            for h in probes {
                let want = sorted.binary_search(&h).ok().map(|i| i as u32);
                proptest::prop_assert_eq!(affected.rank(h), want);
                if let Some(r) = want {
                    proptest::prop_assert_eq!(affected.key(r), h);
                }
            }
        }

        #[test]
        fn merging_in_place_equals_filtering_and_sorting(
            old in proptest::collection::vec((0u64..40, 0u32..9), 0..60),
            new in proptest::collection::vec((0u64..40, 0u32..9), 0..30),
            hit in proptest::collection::hash_set(0u64..40, 0..20),
            cuts in proptest::collection::vec(0usize..40, 0..4),
        ) {
            // Hashes spread over the whole range, as k-gram hashes are.
            let spread = |h: u64| h.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let affected: HashSet<u64> = hit.iter().map(|&h| spread(h)).collect();
            let mut before: Vec<(u64, u32)> = old.iter().map(|&(h, p)| (spread(h), p)).collect();
            before.sort_by_key(|e| e.0);
            let mut fresh: Vec<(u64, u32)> =
                new.iter().map(|&(h, p)| (spread(h), p)).filter(|e| affected.contains(&e.0)).collect();
            fresh.sort_by_key(|e| e.0);
            let mut index = Postings {
                hashes: before.iter().map(|e| e.0).collect(),
                pages: before.iter().map(|e| e.1).collect(),
                ..Postings::default()
            };
            index.finish();
            // The new postings in pieces, cut anywhere (some empty).
            let mut cuts: Vec<usize> = cuts.iter().map(|&c| c % (fresh.len() + 1)).collect();
            cuts.push(0);
            cuts.push(fresh.len());
            cuts.sort_unstable();
            let pieces = Fresh {
                pieces: cuts.windows(2).map(|w| fresh[w[0]..w[1]].iter().copied().unzip()).collect(),
            };
            proptest::prop_assert_eq!(pieces.len(), fresh.len());
            let merged = merge(index, &Affected::new(affected.iter().copied().collect()), &pieces);
            // The obvious merge: keep, append, sort stably by hash.
            let mut want: Vec<(u64, u32)> =
                before.into_iter().filter(|e| !affected.contains(&e.0)).chain(fresh).collect();
            want.sort_by_key(|e| e.0);
            proptest::prop_assert_eq!(postings(&merged), want.clone());
            for &(h, _) in &want {
                let pages: Vec<u32> = want.iter().filter(|e| e.0 == h).map(|e| e.1).collect();
                proptest::prop_assert_eq!(merged.get(h), &pages[..]);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        #[test]
        fn updating_equals_building_on_random_corpora(
            picks in proptest::collection::vec(
                (proptest::collection::vec(0usize..12, 1..6), 0u32..5), 8..30),
            common_texts in 2u32..6,
        ) {
            let pool: Vec<&str> = SILO.iter().copied().chain([TRAM, RIVER]).chain(MORE).collect();
            let texts: Vec<(String, Option<u32>)> = picks
                .iter()
                .map(|(lines, o)| (lines.iter().map(|&i| pool[i]).collect::<Vec<_>>().join("\n"), Some(*o)))
                .collect();
            let refs: Vec<(&str, Option<u32>)> = texts.iter().map(|(t, s)| (t.as_str(), *s)).collect();
            let d = docs(&refs);
            let opts = NewsOptions { common_texts, ..NewsOptions::default() };
            let px = Pages { docs: &d, opts: &opts, live: d.len() };
            let (an, refined, _, memo) = before_and_refined(&px);
            let (again, _, _, _) = before_and_refined(&px);
            let full = build(&px, refined.clone(), again.lines);
            // In passes over ranges of the hash too, as at a million pages; the
            // near-duplicate groups from what the earlier groups knew.
            let passes = 1 + picks.len() % 3;
            let updated = update_in(&px, an, refined, memo, Some(passes));
            assert_same(&updated, &full);
        }
    }

    #[test]
    fn updating_after_coherence_equals_building_again() {
        // Outlets that print the silo story with a rail of the tram lede inside it
        // (coherence drops the lede), the tram story on its own, copies of both,
        // and pages without copies; some common k-grams from a shared footer.
        let footer = "Read more stories like this one in our morning newsletter every day";
        let silo = SILO.join("\n");
        let tram_page = format!("{TRAM} The line will open in four years, the council said.");
        let mut pages: Vec<(String, Option<u32>)> = Vec::new();
        for o in 0..14u32 {
            let mixed = format!("{}\n{}\n{TRAM}\n{}\n{}\n{footer}", SILO[0], SILO[1], SILO[2], SILO[3]);
            pages.push((if o % 3 == 0 { mixed } else { format!("{silo}\n{footer}") }, Some(o)));
            pages.push((format!("{tram_page}\n{footer} {o}"), Some(o)));
            pages.push((format!("{RIVER} {o}\n{footer}"), Some(o)));
        }
        let refs: Vec<(&str, Option<u32>)> = pages.iter().map(|(t, s)| (t.as_str(), *s)).collect();
        let d = docs(&refs);
        for opts in [NewsOptions::default(), NewsOptions { common_texts: 3, ..NewsOptions::default() }] {
            let px = Pages { docs: &d, opts: &opts, live: d.len() };
            let (an, refined, changed, memo) = before_and_refined(&px);
            assert!(changed > 0, "coherence must drop the rail for this test to mean anything");
            let (again, _, _, _) = before_and_refined(&px);
            let full = build(&px, refined.clone(), again.lines);
            let updated = update(&px, an, refined.clone(), memo);
            assert_same(&updated, &full);
            for passes in [2, 3, 7] {
                let (an, _, _, _) = before_and_refined(&px);
                assert_same(
                    &update_in(&px, an, refined.clone(), NearDupMemo::default(), Some(passes)),
                    &full,
                );
            }
        }
    }
}
