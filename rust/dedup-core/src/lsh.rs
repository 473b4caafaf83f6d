//! The MinHash/LSH toolkit, for users coming from datasketch or rensa: shingles of
//! text ([`shingle`]), MinHash signatures in four schemes, three of them bit-identical
//! to datasketch's ([`minhash`]), and an LSH index with bands and rows chosen for a
//! Jaccard threshold, saved in the crate's checked file frame ([`index`]).
//!
//! The news pipeline ([`crate::news`]) uses the same hashing for its near-duplicate
//! groups, but not this index: it verifies every candidate on exact data.

pub mod index;
pub mod minhash;
mod persist;
pub mod shingle;

pub use index::{optimal_params, Hit, LshConfig, LshIndex, DEFAULT_MAX_BUCKET};
pub(crate) use minhash::fmix64;
pub use minhash::{estimate_jaccard, MinHasher, Scheme};
pub use persist::LSH_FORMAT;
pub use shingle::{hash_shingle, PackedShingles, ShingleBuffers, Shingler, Unit};
