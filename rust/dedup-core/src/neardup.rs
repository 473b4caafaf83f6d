//! Near-duplicate groups of articles, so that document frequencies count versions
//! of a text rather than copies of it.
//!
//! A wire story syndicated verbatim by fifty outlets puts each of its k-grams on
//! fifty pages; counted per page, all of them would look as common as boilerplate.
//! Counted per group of near-duplicates they occur once, and a k-gram is common only
//! when many *different* texts use it (a stock phrase, a filler sentence).
//!
//! Groups come from MinHash-LSH over each article's k-gram set (one-permutation
//! hashing, [`crate::minhash`]) with banding (Indyk and Motwani 1998; Broder 1997),
//! and every candidate is checked on exact Jaccard. Each page is compared only with
//! the first page of each bucket it falls in, so the work is linear in the number of
//! pages even when thousands of pages are identical. Pages are visited in an order
//! fixed by content, so groups do not depend on insertion order.

use rustc_hash::FxHashMap as HashMap;

use crate::minhash::fmix64 as mix;

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
    let n = sets.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut visit: Vec<usize> = (0..n).collect();
    visit.sort_by_key(|&i| (order[i], i));
    let k = o.bands * o.rows;
    let mut buckets: HashMap<(usize, u64), usize> = HashMap::default();
    for &i in &visit {
        if sets[i].is_empty() {
            continue;
        }
        let sig = signature(&sets[i], k);
        for band in 0..o.bands {
            let key = band_key(&sig[band * o.rows..(band + 1) * o.rows]);
            match buckets.get(&(band, key)) {
                None => {
                    buckets.insert((band, key), i);
                }
                Some(&first) => {
                    if find(&mut parent, first as u32) != find(&mut parent, i as u32)
                        && jaccard(&sets[first], &sets[i]) >= o.min_jaccard
                    {
                        union(&mut parent, first as u32, i as u32);
                    }
                }
            }
        }
    }
    (0..n as u32).map(|i| find(&mut parent, i)).collect()
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

/// Exact Jaccard of two sorted, distinct hash lists.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
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
