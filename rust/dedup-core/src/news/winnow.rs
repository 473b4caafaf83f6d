//! Winnowing: a sparse, position-robust selection of k-gram fingerprints.
//!
//! Schleimer, Wilkerson and Aiken, "Winnowing: Local Algorithms for Document
//! Fingerprinting", SIGMOD 2003. From every window of `w` consecutive k-gram hashes
//! the minimum is kept (the rightmost one on ties). Two texts that share a run of at
//! least `w + k - 1` tokens are guaranteed to share a fingerprint, while only about
//! `2 / (w + 1)` of the k-grams are kept.

/// Rolling hashes of the token k-grams of `tokens` (token hashes), one per start
/// position; a sequence shorter than `k` gives none.
pub fn kgram_hashes(tokens: &[u64], k: usize) -> Vec<u64> {
    if k == 0 || tokens.len() < k {
        return Vec::new();
    }
    tokens.windows(k).map(kgram_hash).collect()
}

/// The hash of one k-gram of token hashes (order-sensitive).
#[inline]
pub fn kgram_hash(gram: &[u64]) -> u64 {
    let mut h: u64 = 0x243F_6A88_85A3_08D3;
    for &t in gram {
        h = (h.rotate_left(23) ^ t).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    h ^ (h >> 29)
}

/// Winnowed fingerprints of a hash sequence: `(hash, position)` pairs in position
/// order. A sequence shorter than the window keeps its minimum.
pub fn winnow(hashes: &[u64], w: usize) -> Vec<(u64, u32)> {
    let n = hashes.len();
    if n == 0 {
        return Vec::new();
    }
    let w = w.clamp(1, n);
    let mut out: Vec<(u64, u32)> = Vec::with_capacity(2 * n / (w + 1) + 1);
    // The window's minimum (the rightmost one on ties) is kept as the window
    // slides; the window is scanned again only when that minimum leaves it, which
    // for the small windows used here beats a monotonic deque.
    let mut m = 0usize;
    for i in 0..n {
        let lo = (i + 1).saturating_sub(w);
        if m < lo {
            m = lo;
            for j in lo + 1..=i {
                if hashes[j] <= hashes[m] {
                    m = j;
                }
            }
        } else if hashes[i] <= hashes[m] {
            m = i;
        }
        if i + 1 >= w && out.last().is_none_or(|&(_, p)| p as usize != m) {
            out.push((hashes[m], m as u32));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition, window by window.
    fn winnow_slow(h: &[u64], w: usize) -> Vec<(u64, u32)> {
        let n = h.len();
        if n == 0 {
            return Vec::new();
        }
        let w = w.clamp(1, n);
        let mut out: Vec<(u64, u32)> = Vec::new();
        for s in 0..=n - w {
            let mut m = s;
            for j in s..s + w {
                if h[j] <= h[m] {
                    m = j;
                }
            }
            if out.last().is_none_or(|&(_, p)| p as usize != m) {
                out.push((h[m], m as u32));
            }
        }
        out
    }

    proptest! {
        #[test]
        fn fast_winnow_matches_definition(h in proptest::collection::vec(0u64..20, 0..60), w in 1usize..12) {
            prop_assert_eq!(winnow(&h, w), winnow_slow(&h, w));
        }

        #[test]
        fn shared_runs_share_a_fingerprint(
            a in proptest::collection::vec(0u64..1000, 0..40),
            shared in proptest::collection::vec(1000u64..2000, 8..20),
            b in proptest::collection::vec(2000u64..3000, 0..40),
        ) {
            let (k, w) = (5, 4);
            let x: Vec<u64> = a.iter().chain(&shared).copied().collect();
            let y: Vec<u64> = shared.iter().chain(&b).copied().collect();
            let fx: std::collections::HashSet<u64> =
                winnow(&kgram_hashes(&x, k), w).into_iter().map(|p| p.0).collect();
            let fy: std::collections::HashSet<u64> =
                winnow(&kgram_hashes(&y, k), w).into_iter().map(|p| p.0).collect();
            prop_assert!(!fx.is_disjoint(&fy));
        }
    }
}
