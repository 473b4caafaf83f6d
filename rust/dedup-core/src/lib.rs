//! `dedup-core`: the fingerprinting core of `dedup`, a library that finds syndicated
//! and rewritten copies of the same wire story across news outlets.
//!
//! This crate has no Python in it; the `dedup-python` crate binds it.
//!
//! ```
//! use dedup_core::{MinHasher, Shingler, Unit, NormalizeOptions, estimate_jaccard};
//!
//! let sh = Shingler::new(Unit::Word, 3, NormalizeOptions::default()).unwrap();
//! let mh = MinHasher::fast(128, 1).unwrap();
//! let a = mh.sign_text(&sh, "The minister said on Monday the talks would resume in May.");
//! let b = mh.sign_text(&sh, "The Minister said on Monday that talks would resume in May.");
//! assert!(estimate_jaccard(&a, &b).unwrap() > 0.2);
//! ```

pub mod error;
pub mod interrupt;
pub mod jsonl;
pub mod lsh;
pub mod news;
pub mod store;
pub mod text;
mod trace;

pub use error::{Error, Result};
pub use lsh::{
    estimate_jaccard, hash_shingle, optimal_params, Hit, LshConfig, LshIndex, MinHasher, PackedShingles,
    Scheme, ShingleBuffers, Shingler, Unit, DEFAULT_MAX_BUCKET, LSH_FORMAT,
};
pub use text::{normalize, tokenize, tokenize_into, NormalizeOptions, Scratch, Tokens};
