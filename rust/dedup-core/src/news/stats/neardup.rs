//! Near-duplicate groups of articles, so that document frequencies count versions
//! of a text rather than copies of it.
//!
//! A wire story syndicated verbatim by fifty outlets puts each of its k-grams on
//! fifty pages; counted per page, all of them would look as common as boilerplate.
//! Counted per group of near-duplicates they occur once, and a k-gram is common only
//! when many *different* texts use it (a stock phrase, a filler sentence).
//!
//! Groups come from MinHash-LSH over each article's k-gram set (one-permutation
//! hashing, [`crate::lsh::minhash`]) with banding (Indyk and Motwani 1998; Broder 1997),
//! and every candidate is checked on exact Jaccard. Each page is compared only with
//! the first page of each bucket it falls in, so the work is linear in the number of
//! pages even when thousands of pages are identical. Pages are visited in an order
//! fixed by content, so groups do not depend on insertion order.

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use crate::lsh::fmix64 as mix;

/// Tuning of [`groups`].
#[derive(Debug, Clone, Copy)]
pub struct NearDupOptions {
    /// Bands of the LSH index.
    pub bands: usize,
    /// Rows per band.
    pub rows: usize,
    /// Least exact Jaccard of two k-gram sets to share a group.
    pub min_jaccard: f64,
}

impl Default for NearDupOptions {
    fn default() -> Self {
        // 8 x 4: candidates from Jaccard ~0.6 up, where the exact check decides.
        Self { bands: 8, rows: 4, min_jaccard: 0.6 }
    }
}

/// Groups items given their sorted, distinct k-gram hashes and an order key each.
/// Returns a group id per item (the smallest item index of its group); items with
/// no k-grams are groups of their own.
pub fn groups(sets: &[Vec<u64>], order: &[u64], o: NearDupOptions) -> Vec<u32> {
    let keys: Vec<Vec<u64>> = sets.iter().map(|s| band_keys(s, o)).collect();
    let present: Vec<bool> = sets.iter().map(|s| !s.is_empty()).collect();
    groups_by_bands(
        &keys,
        &present,
        order,
        |_| (),
        |(), a, b| jaccard(&sets[a], &sets[b]) >= o.min_jaccard,
        o,
    )
    .group
}

/// The LSH band keys of a set of k-gram hashes (`o.bands` of them; none for an
/// empty set).
pub fn band_keys(set: &[u64], o: NearDupOptions) -> Vec<u64> {
    if set.is_empty() {
        return Vec::new();
    }
    let sig = signature(set, o.bands * o.rows);
    sig.chunks(o.rows).map(band_key).collect()
}

/// The groups [`groups_by_bands`] found, and the pairs it checked with the answer
/// for each.
#[derive(Debug, Default)]
pub struct Grouping {
    /// Group id of each item: the smallest item index of its group.
    pub group: Vec<u32>,
    /// Pairs checked, sorted.
    pub pairs: Vec<(u32, u32)>,
    /// Whether each pair was joined.
    pub joined: Vec<bool>,
}

/// Groups items from their band keys ([`band_keys`]): items sharing a bucket with
/// the first item (in `order`) of that bucket are joined when `joins` says so (their
/// exact Jaccard reaches `o.min_jaccard`). `present[i]` is false for items without
/// k-grams. The sets themselves are not needed up front: `joins` may recompute
/// them, and is called in parallel for the candidate pairs only, so memory stays at
/// a few words an item however large the items are. The first item of a bucket is
/// in many pairs: `prepare(a)` is made once for a run of its pairs and handed to
/// each `joins(&prepared, a, b)` (to keep what it derives of `a`).
pub fn groups_by_bands<P>(
    keys: &[Vec<u64>],
    present: &[bool],
    order: &[u64],
    prepare: impl Fn(usize) -> P + Sync,
    joins: impl Fn(&P, usize, usize) -> bool + Sync,
    o: NearDupOptions,
) -> Grouping {
    let n = present.len();
    let mut visit: Vec<usize> = (0..n).filter(|&i| present[i]).collect();
    visit.sort_by_key(|&i| (order[i], i));
    // (first item of the bucket, item): the first item a bucket saw depends only on
    // the visiting order, so the pairs, and the components their checked edges
    // form, are those of comparing each item with the bucket's first as it comes.
    // Bands are independent: each on its own thread.
    let mut pairs: Vec<(u32, u32)> = (0..o.bands)
        .into_par_iter()
        .flat_map_iter(|band| {
            let mut pairs = Vec::new();
            let mut first: HashMap<u64, u32> = HashMap::default();
            for &i in crate::interrupt::checked(&visit) {
                let Some(&key) = keys[i].get(band) else { continue };
                match first.entry(key) {
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(i as u32);
                    }
                    std::collections::hash_map::Entry::Occupied(e) => pairs.push((*e.get(), i as u32)),
                }
            }
            pairs
        })
        .collect();
    crate::interrupt::check();
    pairs.par_sort_unstable();
    pairs.dedup();
    // Runs of pairs with the same first item, in pieces so that one item in
    // thousands of pairs does not keep one thread busy while the others wait.
    let runs: Vec<&[(u32, u32)]> = pairs.chunk_by(|x, y| x.0 == y.0).flat_map(|r| r.chunks(64)).collect();
    let joined: Vec<bool> = runs
        .par_iter()
        .flat_map_iter(|run| {
            crate::interrupt::check();
            let prepared = prepare(run[0].0 as usize);
            run.iter().map(|&(a, b)| joins(&prepared, a as usize, b as usize)).collect::<Vec<_>>()
        })
        .collect();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    for (&(a, b), &ok) in crate::interrupt::checked(pairs.iter().zip(&joined)) {
        if ok {
            union(&mut parent, a, b);
        }
    }
    let group = (0..n as u32).map(|i| find(&mut parent, i)).collect();
    Grouping { group, pairs, joined }
}

/// One-permutation MinHash of a set of (already random) 64-bit hashes, densified by
/// borrowing from the next non-empty bin.
fn signature(set: &[u64], k: usize) -> Vec<u64> {
    let mut bins = vec![u64::MAX; k];
    for &h in set {
        let x = mix(h);
        let b = ((u128::from(x) * k as u128) >> 64) as usize;
        bins[b] = bins[b].min(x);
    }
    for j in 0..k {
        if bins[j] == u64::MAX {
            // Rotation densification (Shrivastava and Li 2014): enough for grouping,
            // where every candidate is checked exactly anyway.
            if let Some(v) = (1..k).map(|d| bins[(j + d) % k]).find(|&v| v != u64::MAX) {
                bins[j] = mix(v ^ j as u64);
            }
        }
    }
    bins
}

fn band_key(rows: &[u64]) -> u64 {
    rows.iter().fold(0x51_7C_C1_B7_27_22_0A_95, |h, &r| mix(h ^ r))
}

/// Items two lists sorted by `key`, each key once, have in common, by merging them.
pub(crate) fn common_sorted_by<T, K: Ord>(a: &[T], b: &[T], key: impl Fn(&T) -> K) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match key(&a[i]).cmp(&key(&b[j])) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Exact Jaccard of two sorted, distinct hash lists.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let inter = common_sorted_by(a, b, |&h| h);
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}

fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
    parent[hi as usize] = lo;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(r: std::ops::Range<u64>) -> Vec<u64> {
        let mut v: Vec<u64> = r.map(|x| mix(x + 1)).collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn copies_group_and_different_texts_do_not() {
        let sets = vec![set(0..200), set(0..190), set(500..700), set(5..200), vec![]];
        let g = groups(&sets, &[3, 1, 2, 0, 4], NearDupOptions::default());
        assert_eq!(g[0], g[1]);
        assert_eq!(g[0], g[3]);
        assert_ne!(g[0], g[2]);
        assert_eq!(g[4], 4);
    }

    #[test]
    fn thousands_of_identical_sets_form_one_group() {
        let sets = vec![set(0..100); 3000];
        let order: Vec<u64> = (0..3000).collect();
        let g = groups(&sets, &order, NearDupOptions::default());
        assert!(g.iter().all(|&x| x == 0));
    }
}
