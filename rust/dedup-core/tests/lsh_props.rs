//! Property tests of the LSH index against a brute-force model, and of its file
//! format against truncation, bit flips and random bytes.

use dedup_core::{Error, LshConfig, LshIndex, LSH_FORMAT};
use proptest::prelude::*;
use std::collections::HashMap;

const BANDS: usize = 4;
const ROWS: usize = 2;
const NUM_PERM: usize = 9; // one position is not banded

#[derive(Debug, Clone)]
enum Op {
    Insert(u8, Vec<u64>),
    Remove(u8),
    Query(Vec<u64>),
}

fn sig() -> impl Strategy<Value = Vec<u64>> {
    // A tiny alphabet makes band collisions common.
    prop::collection::vec(0u64..3, NUM_PERM)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..24, sig()).prop_map(|(k, s)| Op::Insert(k, s)),
        1 => (0u8..24).prop_map(Op::Remove),
        2 => sig().prop_map(Op::Query),
    ]
}

fn config(max_bucket: usize) -> LshConfig {
    LshConfig { num_perm: NUM_PERM, bands: BANDS, rows: ROWS, threshold: 0.5, max_bucket }
}

fn model_query(model: &HashMap<String, Vec<u64>>, q: &[u64]) -> Vec<(String, f64)> {
    let mut hits: Vec<(String, f64)> = model
        .iter()
        .filter(|(_, s)| (0..BANDS).any(|b| s[b * ROWS..(b + 1) * ROWS] == q[b * ROWS..(b + 1) * ROWS]))
        .map(|(k, s)| {
            let same = s.iter().zip(q).filter(|(a, b)| a == b).count();
            (k.clone(), same as f64 / NUM_PERM as f64)
        })
        .collect();
    hits.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    hits
}

/// Applies `ops`, checking each against the model when `check` is set.
fn run(ops: &[Op], max_bucket: usize, check: bool) -> LshIndex {
    let mut ix = LshIndex::new(config(max_bucket)).unwrap();
    let mut model: HashMap<String, Vec<u64>> = HashMap::new();
    for op in ops {
        match op {
            Op::Insert(k, s) => {
                let key = format!("key-{k}");
                let r = ix.insert(&key, s);
                match model.entry(key) {
                    std::collections::hash_map::Entry::Occupied(_) => {
                        assert!(matches!(r, Err(Error::DuplicateKey(_))));
                    }
                    std::collections::hash_map::Entry::Vacant(e) => {
                        r.unwrap();
                        e.insert(s.clone());
                    }
                }
            }
            Op::Remove(k) => {
                let key = format!("key-{k}");
                let r = ix.remove(&key);
                if model.remove(&key).is_some() {
                    r.unwrap();
                } else {
                    assert!(matches!(r, Err(Error::UnknownKey(_))));
                }
            }
            Op::Query(q) => {
                if check {
                    assert_eq!(ix.query(q, None).unwrap(), model_query(&model, q));
                }
            }
        }
        assert_eq!(ix.len(), model.len());
    }
    if check {
        for (k, s) in &model {
            assert_eq!(ix.signature(k), Some(s.as_slice()));
        }
    }
    ix
}

fn saved(ops: &[Op]) -> Vec<u8> {
    run(ops, 2, false).to_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn queries_match_brute_force(ops in prop::collection::vec(op(), 0..120)) {
        run(&ops, usize::MAX, true);
    }

    #[test]
    fn bytes_and_file_round_trip(ops in prop::collection::vec(op(), 0..80), cap in 1usize..4) {
        let ix = run(&ops, cap, false);
        let back = LshIndex::from_bytes(&ix.to_bytes()).unwrap();
        prop_assert_eq!(&back, &ix);
        let qs: Vec<u64> = (0..NUM_PERM as u64 * 4).map(|i| i % 3).collect();
        prop_assert_eq!(back.query_many(&qs, None).unwrap(), ix.query_many(&qs, None).unwrap());
        let dir = std::env::temp_dir().join(format!("dedup-lsh-prop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ix.lsh");
        ix.save(&path).unwrap();
        let loaded = LshIndex::load(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        prop_assert_eq!(&loaded, &ix);
    }

    #[test]
    fn every_truncation_is_rejected(ops in prop::collection::vec(op(), 0..30), cut in any::<prop::sample::Index>()) {
        let bytes = saved(&ops);
        let len = cut.index(bytes.len());
        let is_bad_file = matches!(LshIndex::from_bytes(&bytes[..len]), Err(Error::BadFile { .. }));
        prop_assert!(is_bad_file);
    }

    #[test]
    fn every_bit_flip_is_rejected(ops in prop::collection::vec(op(), 0..30), pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let mut bytes = saved(&ops);
        let i = pos.index(bytes.len());
        bytes[i] ^= 1 << bit;
        let is_bad_file = matches!(LshIndex::from_bytes(&bytes), Err(Error::BadFile { .. }));
        prop_assert!(is_bad_file);
    }

    #[test]
    fn random_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = LshIndex::from_bytes(&data);
        // Random payloads inside a valid frame reach the payload decoder.
        let _ = LshIndex::from_bytes(&LSH_FORMAT.frame(&data));
    }

    #[test]
    fn mutated_payloads_in_valid_frames_never_panic(ops in prop::collection::vec(op(), 0..20), edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
        let bytes = saved(&ops);
        let mut payload = bytes[20..bytes.len() - 4].to_vec();
        if !payload.is_empty() {
            for (pos, v) in edits {
                let i = pos.index(payload.len());
                payload[i] = v;
            }
        }
        if let Ok(ix) = LshIndex::from_bytes(&LSH_FORMAT.frame(&payload)) {
            // Whatever decodes is a usable index.
            let _ = ix.query(&[0; NUM_PERM], None);
            let _ = ix.to_bytes();
        }
    }
}

#[test]
fn future_version_asks_for_an_upgrade() {
    let mut bytes = LshIndex::new(config(10)).unwrap().to_bytes();
    bytes[8..12].copy_from_slice(&2u32.to_le_bytes());
    let body = bytes.len() - 4;
    let crc = crc32(&bytes[..body]);
    bytes[body..].copy_from_slice(&crc.to_le_bytes());
    match LshIndex::from_bytes(&bytes) {
        Err(Error::BadFile { reason, .. }) => assert!(reason.contains("upgrade dedup"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

fn crc32(data: &[u8]) -> u32 {
    // Bitwise CRC-32 (IEEE), independent of the crate's implementation.
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}
