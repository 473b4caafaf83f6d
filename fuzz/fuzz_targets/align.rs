//! Alignment on arbitrary token sequences: every passage is equal on both sides,
//! passages never overlap on either side, and `join` keeps order and bounds.
#![no_main]

use dedup_core::news::verify::align::{align, join, AlignOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let seed = usize::from(data[0] % 7);
    let min_run = usize::from(data[1] % 8);
    let max_seed_occurrences = usize::from(data[2]);
    let alphabet = u64::from(data[3] % 16) + 1;
    let body = &data[4..];
    let cut = body.iter().position(|&b| b == 0xFF).unwrap_or(body.len() / 2);
    let to_tokens = |bytes: &[u8]| -> Vec<u64> { bytes.iter().map(|&b| u64::from(b) % alphabet).collect() };
    let a = to_tokens(&body[..cut]);
    let b = to_tokens(body.get(cut + 1..).unwrap_or(&[]));
    let opts = AlignOptions { seed, min_run, max_seed_occurrences };
    let ps = align(&a, &b, opts);

    let mut used_a = vec![false; a.len()];
    let mut used_b = vec![false; b.len()];
    for p in &ps {
        let (a0, a1, b0, b1) = (p.a_start as usize, p.a_end as usize, p.b_start as usize, p.b_end as usize);
        assert!(a0 < a1 && a1 <= a.len() && b0 < b1 && b1 <= b.len(), "{p:?}");
        assert_eq!(a[a0..a1], b[b0..b1], "{p:?}");
        assert_eq!(p.matched as usize, a1 - a0);
        assert!(a1 - a0 >= min_run.max(1));
        for x in a0..a1 {
            assert!(!used_a[x], "token {x} of a used twice");
            used_a[x] = true;
        }
        for y in b0..b1 {
            assert!(!used_b[y], "token {y} of b used twice");
            used_b[y] = true;
        }
    }
    assert!(ps.windows(2).all(|w| (w[0].a_start, w[0].b_start) <= (w[1].a_start, w[1].b_start)));
    // Deterministic.
    assert_eq!(ps, align(&a, &b, opts));

    let joined = join(ps.clone(), u32::from(data[0] % 4));
    let total: u32 = ps.iter().map(|p| p.matched).sum();
    assert_eq!(joined.iter().map(|p| p.matched).sum::<u32>(), total);
    for w in joined.windows(2) {
        assert!(w[0].a_end <= w[1].a_start || w[0].a_start <= w[1].a_start);
    }
    for p in &joined {
        assert!(p.a_start < p.a_end && p.a_end as usize <= a.len());
        assert!(p.b_start < p.b_end && p.b_end as usize <= b.len());
        assert!(p.matched <= p.a_end - p.a_start && p.matched <= p.b_end - p.b_start);
    }
});
