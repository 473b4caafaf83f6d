//! Alignment of shared passages between two token sequences.
//!
//! Exact maximal common runs are found from seed matches of `seed` consecutive tokens
//! (a hash map over one side's seeds), extended forward along their diagonal. Runs
//! are then chosen greedily, longest first, so that no token is used twice on either
//! side (greedy string tiling; Wise, "Running Karp-Rabin Matching and Greedy String
//! Tiling", 1993). [`join`] merges runs that continue one another across a small
//! edit, for display. Work is linear in the two
//! lengths plus the number of seed matches, which repeated seeds are capped to keep
//! bounded.

use crate::news::winnow::kgram_hashes;

/// A shared passage: token ranges `[a_start, a_end)` and `[b_start, b_end)`, and
/// `matched`, the number of tokens in exact runs inside it (gaps excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Passage {
    /// Start token in the first sequence.
    pub a_start: u32,
    /// End token (exclusive) in the first sequence.
    pub a_end: u32,
    /// Start token in the second sequence.
    pub b_start: u32,
    /// End token (exclusive) in the second sequence.
    pub b_end: u32,
    /// Tokens in exact runs.
    pub matched: u32,
}

/// Tuning of [`align`].
#[derive(Debug, Clone, Copy)]
pub struct AlignOptions {
    /// Tokens in a seed match; runs shorter than this are not found.
    pub seed: usize,
    /// Runs shorter than this are dropped before joining.
    pub min_run: usize,
    /// Occurrences of one seed in the second sequence beyond which it is skipped.
    pub max_seed_occurrences: usize,
}

impl Default for AlignOptions {
    fn default() -> Self {
        Self { seed: 4, min_run: 4, max_seed_occurrences: 64 }
    }
}

/// Shared passages of `a` and `b` (token hashes), ordered by position in `a`.
pub fn align(a: &[u64], b: &[u64], opts: AlignOptions) -> Vec<Passage> {
    extend(a, b, Vec::new(), opts)
}

/// The hashes of the seeds of `seq` (`seed` tokens each, as [`align`] matches
/// them), in order; none for a sequence shorter than a seed.
pub fn seed_hashes(seq: &[u64], seed: usize) -> Vec<u64> {
    kgram_hashes(seq, seed.max(1))
}

/// [`align`] given the seed hashes of both sequences ([`seed_hashes`] with
/// `opts.seed`): a page compared with many others has its seeds hashed once,
/// rather than once a pair, and the seed bound and the alignment of a pair share
/// the other page's.
pub fn align_seeded(
    a: &[u64],
    seeds_a: &[u64],
    b: &[u64],
    seeds_b: &[u64],
    opts: AlignOptions,
) -> Vec<Passage> {
    debug_assert_eq!(seeds_a.len(), a.len().saturating_sub(opts.seed.max(1) - 1));
    debug_assert_eq!(seeds_b.len(), b.len().saturating_sub(opts.seed.max(1) - 1));
    let runs = seeded_runs(a, seeds_a, b, seeds_b, opts);
    tiled(a.len(), b.len(), runs, Vec::new(), opts.min_run)
}

/// `tiles` (passages of `a` and `b` that use no token twice) and the passages
/// [`align`] with `opts` finds in the tokens they leave unused, ordered by position
/// in `a`. Aligning with long seeds first and extending with short ones gives the
/// passages of aligning with short seeds at once (runs are tiled longest first),
/// while the short seeds, which cost more, are only looked for when needed.
pub fn extend(a: &[u64], b: &[u64], tiles: Vec<Passage>, opts: AlignOptions) -> Vec<Passage> {
    let runs = maximal_runs(a, b, opts);
    tiled(a.len(), b.len(), runs, tiles, opts.min_run)
}

/// `tiles` and the `runs` tiled in the tokens they leave unused, ordered by
/// position in `a` (`a_len` and `b_len` tokens long).
fn tiled(
    a_len: usize,
    b_len: usize,
    runs: Vec<(u32, u32, u32)>,
    tiles: Vec<Passage>,
    min_run: usize,
) -> Vec<Passage> {
    let mut used_a = vec![false; a_len];
    let mut used_b = vec![false; b_len];
    for p in &tiles {
        used_a[p.a_start as usize..p.a_end as usize].fill(true);
        used_b[p.b_start as usize..p.b_end as usize].fill(true);
    }
    let mut chosen = tiles;
    tile(runs, &mut used_a, &mut used_b, min_run, &mut chosen);
    chosen.sort_unstable_by_key(|p| (p.a_start, p.b_start));
    chosen
}

/// The seeds of one sequence as a set of bits: what bounds the passages [`align`]
/// can find between it and another sequence without aligning the two. A run that
/// `align` finds holds only seeds of both sequences, so it lies inside a stretch
/// of the other sequence whose seeds are all in the set. The bits have false
/// positives (one in about sixty), which only loosen the bound.
pub struct SeedSet {
    bits: Vec<u64>,
    /// Right shift of a seed's hash to its bit.
    shift: u32,
    seed: usize,
}

/// At most what [`align`] can find between two sequences ([`SeedSet::bound`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunBound {
    /// Tokens in the longest run.
    pub longest: usize,
    /// Tokens in runs of `min_len` or more, together.
    pub total: usize,
}

impl SeedSet {
    /// The seeds of `a`, `seed` tokens each (as [`AlignOptions::seed`]).
    pub fn new(a: &[u64], seed: usize) -> Self {
        Self::of_hashes(&seed_hashes(a, seed), seed)
    }

    /// The set of the seeds hashed `hashes` ([`seed_hashes`] with `seed`).
    pub fn of_hashes(hashes: &[u64], seed: usize) -> Self {
        // About 64 bits a seed; a page's article fits in a few kilobytes.
        let bits = (hashes.len() * 64).next_power_of_two().max(64);
        let mut set = Self { bits: vec![0; bits / 64], shift: 64 - bits.trailing_zeros(), seed: seed.max(1) };
        for &h in hashes {
            let i = set.bit(h);
            set.bits[i / 64] |= 1 << (i % 64);
        }
        set
    }

    #[inline]
    fn bit(&self, h: u64) -> usize {
        // The high bits: `kgram_hashes` mixes them best.
        (h >> self.shift) as usize
    }

    #[inline]
    fn has(&self, h: u64) -> bool {
        let i = self.bit(h);
        self.bits[i / 64] >> (i % 64) & 1 == 1
    }

    /// The longest run [`align`] with this seed length can find between the set's
    /// sequence and `b`, and the tokens of its runs of `min_len` or more together
    /// (runs use no token of `b` twice), or more than that: the stretches of `b`
    /// whose seeds are all in the set.
    pub fn bound(&self, b: &[u64], min_len: usize) -> RunBound {
        self.bound_seeded(&seed_hashes(b, self.seed), min_len)
    }

    /// [`Self::bound`] given the seed hashes of `b` ([`seed_hashes`]).
    pub fn bound_seeded(&self, seeds_b: &[u64], min_len: usize) -> RunBound {
        let mut out = RunBound { longest: 0, total: 0 };
        let k = self.seed;
        let mut close = |seeds: usize| {
            if seeds > 0 {
                let len = seeds + k - 1;
                out.longest = out.longest.max(len);
                if len >= min_len {
                    out.total += len;
                }
            }
        };
        let mut seeds = 0;
        for &h in seeds_b {
            if self.has(h) {
                seeds += 1;
            } else {
                close(std::mem::take(&mut seeds));
            }
        }
        close(seeds);
        out
    }
}

/// Maximal common runs `(a_start, b_start, len)` of at least `min_run` tokens,
/// found from seed matches of `seed` tokens.
fn maximal_runs(a: &[u64], b: &[u64], opts: AlignOptions) -> Vec<(u32, u32, u32)> {
    seeded_runs(a, &seed_hashes(a, opts.seed), b, &seed_hashes(b, opts.seed), opts)
}

/// [`maximal_runs`] given the seed hashes of `a` and `b`.
fn seeded_runs(
    a: &[u64],
    seeds_a: &[u64],
    b: &[u64],
    seed_hash: &[u64],
    opts: AlignOptions,
) -> Vec<(u32, u32, u32)> {
    let k = opts.seed.max(1);
    if a.len() < k || b.len() < k {
        return Vec::new();
    }
    // The seeds of `b` in a chained hash table: `head[h]` is the last position
    // whose seed hashes to `h`, `next[j]` the previous one with the same hash (no
    // allocation per seed, which dominated the cost of short alignments).
    let m = (b.len() - k + 1).next_power_of_two() * 2;
    let mask = (m - 1) as u64;
    let mut head = vec![u32::MAX; m];
    let mut next = vec![u32::MAX; b.len() - k + 1];
    for (j, &h) in seed_hash.iter().enumerate() {
        let slot = (h & mask) as usize;
        next[j] = head[slot];
        head[slot] = j as u32;
    }
    // Positions of `b` holding the seed of hash `h` and tokens `gram`, in order; a
    // seed found more often than the cap allows stops the walk one past it.
    let cap = opts.max_seed_occurrences.saturating_add(1);
    let occurrences = |h: u64, gram: &[u64], out: &mut Vec<u32>| {
        out.clear();
        let mut j = head[(h & mask) as usize];
        while j != u32::MAX && out.len() < cap {
            let ju = j as usize;
            if seed_hash[ju] == h && b[ju..ju + k] == *gram {
                out.push(j);
            }
            j = next[ju];
        }
        out.reverse();
    };
    // Maximal runs (a_start, b_start, len), each found once: a seed match starts a
    // new run only when the previous diagonal cell is not a match.
    let mut runs: Vec<(u32, u32, u32)> = Vec::new();
    // Whether the seed at the previous position of `a` was skipped as too frequent:
    // a run through it was not found from it, so it is found from here.
    let mut prev_skipped = false;
    let mut js: Vec<u32> = Vec::new();
    for (i, &h) in seeds_a.iter().enumerate() {
        let gram = &a[i..i + k];
        occurrences(h, gram, &mut js);
        let skipped = std::mem::replace(&mut prev_skipped, false);
        if js.is_empty() {
            continue;
        }
        if js.len() > opts.max_seed_occurrences {
            prev_skipped = true;
            continue;
        }
        for &j in &js {
            let j = j as usize;
            if i > 0 && j > 0 && a[i - 1] == b[j - 1] && !skipped {
                continue; // inside a run found from an earlier seed
            }
            let mut len = k;
            while i + len < a.len() && j + len < b.len() && a[i + len] == b[j + len] {
                len += 1;
            }
            if len >= opts.min_run {
                runs.push((i as u32, j as u32, len as u32));
            }
        }
    }
    runs
}

/// Tiles `runs` greedily, longest first (ties by position, so the result is
/// deterministic), each keeping its longest stretch unused on both sides.
fn tile(
    mut runs: Vec<(u32, u32, u32)>,
    used_a: &mut [bool],
    used_b: &mut [bool],
    min_run: usize,
    chosen: &mut Vec<Passage>,
) {
    runs.sort_unstable_by(|x, y| y.2.cmp(&x.2).then(x.0.cmp(&y.0)).then(x.1.cmp(&y.1)));
    for (i, j, len) in runs {
        let (i, j, len) = (i as usize, j as usize, len as usize);
        // Keep the run's longest stretch that is unused on both sides.
        let (mut s, mut e) = (0, 0);
        let mut x = 0;
        while x < len {
            while x < len && (used_a[i + x] || used_b[j + x]) {
                x += 1;
            }
            let start = x;
            while x < len && !used_a[i + x] && !used_b[j + x] {
                x += 1;
            }
            if x - start > e - s {
                (s, e) = (start, x);
            }
        }
        // An empty stretch is no passage, even with `min_run` 0 (found by fuzzing).
        if e == s || e - s < min_run {
            continue;
        }
        used_a[i + s..i + e].fill(true);
        used_b[j + s..j + e].fill(true);
        chosen.push(Passage {
            a_start: (i + s) as u32,
            a_end: (i + e) as u32,
            b_start: (j + s) as u32,
            b_end: (j + e) as u32,
            matched: (e - s) as u32,
        });
    }
}

/// Joins passages that follow one another in both sequences with gaps of at most
/// `max_gap` tokens (a changed or inserted word), for display.
pub fn join(mut ps: Vec<Passage>, max_gap: u32) -> Vec<Passage> {
    ps.sort_unstable_by_key(|p| (p.a_start, p.b_start));
    let mut out: Vec<Passage> = Vec::with_capacity(ps.len());
    for p in ps {
        if let Some(last) = out.last_mut() {
            let continues = p.a_start >= last.a_end
                && p.b_start >= last.b_end
                && p.a_start - last.a_end <= max_gap
                && p.b_start - last.b_end <= max_gap;
            if continues {
                last.a_end = p.a_end;
                last.b_end = p.b_end;
                last.matched += p.matched;
                continue;
            }
        }
        out.push(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn opts() -> AlignOptions {
        AlignOptions { seed: 3, min_run: 3, max_seed_occurrences: 16 }
    }

    #[test]
    fn finds_a_shared_run_at_different_offsets() {
        let a = [1, 2, 3, 10, 11, 12, 13, 14, 4];
        let b = [7, 10, 11, 12, 13, 14, 8, 9];
        let ps = align(&a, &b, opts());
        assert_eq!(ps, [Passage { a_start: 3, a_end: 8, b_start: 1, b_end: 6, matched: 5 }]);
    }

    #[test]
    fn joins_runs_across_a_changed_word() {
        let a = [10, 11, 12, 13, 99, 14, 15, 16, 17];
        let b = [10, 11, 12, 13, 98, 14, 15, 16, 17];
        let ps = join(align(&a, &b, opts()), 2);
        assert_eq!(ps.len(), 1);
        assert_eq!((ps[0].a_start, ps[0].a_end, ps[0].matched), (0, 9, 8));
    }

    #[test]
    fn no_empty_passage_when_min_run_is_zero() {
        // Fuzzing regression: a run entirely covered by a longer one left an empty
        // stretch, which `min_run: 0` let through as a passage of no tokens.
        let o = AlignOptions { seed: 2, min_run: 0, max_seed_occurrences: 2 };
        let a = [1, 0, 0, 1, 2, 0, 1, 2, 0, 1, 2, 2, 0, 0];
        let b = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1];
        for p in align(&a, &b, o) {
            assert!(p.a_start < p.a_end && p.b_start < p.b_end, "{p:?}");
        }
    }

    #[test]
    fn a_run_starting_with_a_frequent_seed_is_still_found() {
        // Seed (1, 2) occurs more often in `b` than the cap allows; the run
        // 1 2 30 31 32 33 is found from its second seed, losing only its first token.
        let o = AlignOptions { seed: 2, min_run: 2, max_seed_occurrences: 3 };
        let mut b: Vec<u64> = [1, 2].repeat(5);
        b.extend([9, 1, 2, 30, 31, 32, 33, 8]);
        let a = [7, 1, 2, 30, 31, 32, 33, 6];
        let ps = align(&a, &b, o);
        assert_eq!(ps.len(), 1, "{ps:?}");
        assert_eq!((ps[0].a_start, ps[0].a_end, ps[0].matched), (2, 7, 5));
    }

    proptest! {
        #[test]
        fn extending_keeps_the_long_tiles_and_adds_disjoint_exact_ones(
            a in proptest::collection::vec(0u64..5, 0..60),
            b in proptest::collection::vec(0u64..5, 0..60),
        ) {
            let short = AlignOptions { seed: 2, min_run: 2, max_seed_occurrences: usize::MAX };
            let long = AlignOptions { seed: 4, min_run: 4, max_seed_occurrences: usize::MAX };
            let first = align(&a, &b, long);
            let all = extend(&a, &b, first.clone(), short);
            for p in &first {
                prop_assert!(all.contains(p));
            }
            let (mut used_a, mut used_b) = (vec![false; a.len()], vec![false; b.len()]);
            for p in &all {
                prop_assert!(p.matched >= 2);
                prop_assert_eq!(&a[p.a_start as usize..p.a_end as usize], &b[p.b_start as usize..p.b_end as usize]);
                for i in p.a_start..p.a_end {
                    prop_assert!(!std::mem::replace(&mut used_a[i as usize], true));
                }
                for j in p.b_start..p.b_end {
                    prop_assert!(!std::mem::replace(&mut used_b[j as usize], true));
                }
            }
        }
    }

    proptest! {
        #[test]
        fn the_seed_bound_holds_every_run_align_finds(
            a in proptest::collection::vec(0u64..6, 0..80),
            b in proptest::collection::vec(0u64..6, 0..80),
            seed in 1usize..5,
            min_len in 0usize..8,
        ) {
            let o = AlignOptions { seed, min_run: seed, max_seed_occurrences: usize::MAX };
            let bound = SeedSet::new(&a, seed).bound(&b, min_len);
            let runs = align(&a, &b, o);
            let longest = runs.iter().map(|p| p.matched as usize).max().unwrap_or(0);
            prop_assert!(longest <= bound.longest, "{longest} > {bound:?}");
            let total: usize = runs.iter().map(|p| p.matched as usize).filter(|&m| m >= min_len).sum();
            prop_assert!(total <= bound.total, "{total} > {bound:?}");
        }
    }

    proptest! {
        #[test]
        fn aligning_with_seeds_hashed_beforehand_finds_what_align_finds(
            a in proptest::collection::vec(0u64..5, 0..70),
            b in proptest::collection::vec(0u64..5, 0..70),
            seed in 1usize..6,
            cap in 1usize..8,
            min_len in 0usize..8,
        ) {
            let o = AlignOptions { seed, min_run: seed, max_seed_occurrences: cap };
            let (sa, sb) = (seed_hashes(&a, seed), seed_hashes(&b, seed));
            prop_assert_eq!(align_seeded(&a, &sa, &b, &sb, o), align(&a, &b, o));
            let set = SeedSet::new(&a, seed);
            prop_assert_eq!(SeedSet::of_hashes(&sa, seed).bound(&b, min_len), set.bound(&b, min_len));
            prop_assert_eq!(set.bound_seeded(&sb, min_len), set.bound(&b, min_len));
        }
    }

    #[test]
    fn the_seed_bound_is_tight_on_distinct_tokens() {
        // Without repeated or chance seeds, the stretches are the shared runs.
        let a: Vec<u64> = (0..40).map(|t| t * 7919).collect();
        let mut b: Vec<u64> = (1000..1010).collect();
        b.extend_from_slice(&a[5..17]); // a run of 12
        b.extend(2000..2005);
        b.extend_from_slice(&a[30..35]); // a run of 5
        let bound = SeedSet::new(&a, 4).bound(&b, 6);
        assert_eq!(bound, RunBound { longest: 12, total: 12 });
        assert_eq!(SeedSet::new(&a, 4).bound(&b, 5).total, 17);
        assert_eq!(SeedSet::new(&a, 4).bound(&b[..3], 1), RunBound { longest: 0, total: 0 });
    }

    /// Longest common substring length, by dynamic programming.
    fn lcs_run(a: &[u64], b: &[u64]) -> usize {
        let mut best = 0;
        let mut prev = vec![0usize; b.len() + 1];
        for x in a {
            let mut cur = vec![0usize; b.len() + 1];
            for (j, y) in b.iter().enumerate() {
                if x == y {
                    cur[j + 1] = prev[j] + 1;
                    best = best.max(cur[j + 1]);
                }
            }
            prev = cur;
        }
        best
    }

    proptest! {
        #[test]
        fn longest_passage_run_is_the_longest_common_run(
            a in proptest::collection::vec(0u64..6, 0..40),
            b in proptest::collection::vec(0u64..6, 0..40),
        ) {
            let o = AlignOptions { seed: 3, min_run: 3, max_seed_occurrences: usize::MAX };
            let ps = align(&a, &b, o);
            let lcs = lcs_run(&a, &b);
            let longest = ps.iter().map(|p| p.matched as usize).max().unwrap_or(0);
            if lcs >= 3 { prop_assert_eq!(longest, lcs); } else { prop_assert!(ps.is_empty()); }
            for p in &ps {
                prop_assert_eq!(&a[p.a_start as usize..p.a_end as usize], &b[p.b_start as usize..p.b_end as usize]);
            }
        }
    }
}
