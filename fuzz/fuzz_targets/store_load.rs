//! The LSH index loader on arbitrary bytes never panics, and whatever it accepts
//! saves back to bytes that load to the same index. Half the inputs are framed with
//! a valid header and checksum first, so the payload decoder is reached.
#![no_main]

use dedup_core::{LshIndex, LSH_FORMAT};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let bytes = if mode & 1 == 0 { rest.to_vec() } else { LSH_FORMAT.frame(rest) };
    let Ok(ix) = LshIndex::from_bytes(&bytes) else { return };
    let again = ix.to_bytes();
    let back = LshIndex::from_bytes(&again).expect("a saved index loads");
    assert_eq!(back.to_bytes(), again);
    assert_eq!(back.len(), ix.len());
    for key in ix.keys() {
        let sig = ix.signature(key).expect("listed key");
        assert_eq!(back.signature(key), Some(sig));
        let _ = ix.query(sig, None).expect("a stored signature is a valid query");
    }
});
