//! Tokeniser and shingler on arbitrary text: spans are ordered, non-empty, on char
//! boundaries and inside the text; `norm` is the tokens joined by single spaces;
//! shingle counts follow the documented rule and hashes are the strings' hashes.
#![no_main]

use dedup_core::lsh::shingle::hash_shingle;
use dedup_core::text::byte_to_char_offsets;
use dedup_core::{tokenize, NormalizeOptions, Shingler, Unit};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let opts = NormalizeOptions { case_fold: ctl & 1 != 0, strip_accents: ctl & 2 != 0 };
    let k = usize::from((ctl >> 2) & 7) + 1;
    let t = tokenize(&text, opts);

    assert_eq!(t.spans.len(), t.norm_spans.len());
    let mut last = 0u32;
    for &(s, e) in &t.spans {
        assert!(s >= last && s < e && e as usize <= text.len(), "{s}..{e} after {last}");
        assert!(text.is_char_boundary(s as usize) && text.is_char_boundary(e as usize));
        last = e;
    }
    let mut rebuilt = String::new();
    for i in 0..t.len() {
        let (s, e) = t.norm_spans[i];
        assert!(s < e && e as usize <= t.norm.len());
        let tok = t.token(i);
        assert!(!tok.contains(' '), "token {tok:?} has a space");
        if i > 0 {
            rebuilt.push(' ');
        }
        assert_eq!(rebuilt.len(), s as usize);
        rebuilt.push_str(tok);
    }
    assert_eq!(rebuilt, t.norm);

    let starts: Vec<u32> = t.spans.iter().map(|s| s.0).collect();
    let chars = byte_to_char_offsets(&text, &starts);
    for (&b, &c) in starts.iter().zip(&chars) {
        assert_eq!(text[..b as usize].chars().count(), c as usize);
    }

    for unit in [Unit::Word, Unit::Char] {
        let sh = Shingler::new(unit, k, opts).expect("k in range");
        let shingles = sh.shingles(&text);
        let units = match unit {
            Unit::Word => t.len(),
            Unit::Char => t.norm.chars().count(),
        };
        let want = if units == 0 { 0 } else if units < k { 1 } else { units - k + 1 };
        assert_eq!(shingles.len(), want, "{unit:?} k={k}");
        let mut raw: Vec<Vec<u8>> = Vec::new();
        sh.for_each(&text, |b| raw.push(b.to_vec()));
        for (b, s) in raw.iter().zip(&shingles) {
            assert_eq!(std::str::from_utf8(b).expect("shingles are UTF-8"), s);
        }
        let hashes = sh.hashes(&text, u64::from(ctl));
        let from_strings: Vec<u64> = shingles.iter().map(|s| hash_shingle(s.as_bytes(), u64::from(ctl))).collect();
        assert_eq!(hashes, from_strings);
    }
});
