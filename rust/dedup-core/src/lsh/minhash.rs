//! MinHash signatures.
//!
//! # The default scheme, `fast`: one-permutation hashing with optimal densification
//!
//! Classic MinHash applies `num_perm` independent hash functions to every shingle,
//! costing `O(n * num_perm)`. One-permutation hashing (OPH; Li, Owen and Zhang,
//! "One Permutation Hashing", NeurIPS 2012) hashes each shingle once and splits the
//! hash range into `num_perm` bins, keeping the minimum of each bin: `O(n + num_perm)`.
//! Bins left empty (sets smaller than or comparable to `num_perm`) are filled by
//! optimal densification (Shrivastava, "Optimal Densification for Fast and Accurate
//! Minwise Hashing", ICML 2017): an empty bin borrows the value of the first
//! non-empty bin found by a fixed, seed-dependent random probe sequence, which keeps
//! the collision probability of every bin equal to the Jaccard similarity.
//! Because OPH samples bins without replacement, its estimates have no more variance
//! than k-permutation MinHash for sets larger than `num_perm` (Li et al. 2012,
//! Theorem 2); `benches/bench_signatures.py` measures both against exact Jaccard.
//!
//! Here a shingle's 64-bit XXH3 hash (seeded) picks the bin by its high bits
//! (`(h * num_perm) >> 64`) and is itself the value kept; ordering by the full hash
//! within a bin is a uniform random order. The empty sentinel is `u64::MAX`.
//!
//! # datasketch-compatible schemes
//!
//! `affine32` (datasketch ≥ 2.0 default), `affine64` and `legacy` reproduce
//! `datasketch.MinHash(num_perm, seed, scheme=...).update_batch(...)` bit for bit:
//! SHA-1 of the shingle bytes (first 4 or 8 bytes, little endian), the MurmurHash3
//! finaliser for the affine schemes, then `a*h + b` wrapping at the scheme width, or
//! `((a*h + b) mod 2^64) mod (2^61 - 1)` truncated to 32 bits for `legacy`. The
//! permutation parameters come from numpy's `RandomState(seed)` exactly as
//! datasketch draws them; the Python layer draws them and passes them in.

use super::shingle::{hash_shingle, PackedShingles, ShingleBuffers, Shingler};
use crate::error::{Error, Result};
use rayon::prelude::*;
use sha1::{Digest, Sha1};

/// The empty-bin sentinel of the `fast` and `affine64` schemes.
pub const EMPTY64: u64 = u64::MAX;
const MERSENNE61: u64 = (1 << 61) - 1;
const MAX32: u64 = (1 << 32) - 1;

/// A MinHash permutation scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// One-permutation hashing with optimal densification (the default).
    Fast,
    /// datasketch ≥ 2.0 default: 32-bit affine permutations.
    Affine32,
    /// datasketch 64-bit affine permutations.
    Affine64,
    /// datasketch < 2.0: affine permutations modulo a Mersenne prime.
    Legacy,
}

impl Scheme {
    /// All scheme names, for messages.
    pub const NAMES: [&'static str; 4] = ["fast", "affine32", "affine64", "legacy"];

    /// Parses a scheme name.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming the valid schemes.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "fast" => Ok(Self::Fast),
            "affine32" => Ok(Self::Affine32),
            "affine64" => Ok(Self::Affine64),
            "legacy" => Ok(Self::Legacy),
            _ => Err(Error::invalid_choice("scheme", &Self::NAMES, name)),
        }
    }

    /// The scheme's name.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The value an untouched position holds.
    pub fn empty_value(self) -> u64 {
        match self {
            Self::Fast | Self::Affine64 => EMPTY64,
            Self::Affine32 | Self::Legacy => MAX32,
        }
    }
}

/// Computes MinHash signatures of shingle streams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinHasher {
    scheme: Scheme,
    num_perm: usize,
    seed: u64,
    a: Vec<u64>,
    b: Vec<u64>,
    /// `a` and `b` narrowed, for `affine32`.
    a32: Vec<u32>,
    b32: Vec<u32>,
}

impl MinHasher {
    /// The `fast` scheme (OPH with optimal densification).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when `num_perm` is 0 or above 65536.
    pub fn fast(num_perm: usize, seed: u64) -> Result<Self> {
        check_num_perm(num_perm)?;
        Ok(Self {
            scheme: Scheme::Fast,
            num_perm,
            seed,
            a: Vec::new(),
            b: Vec::new(),
            a32: Vec::new(),
            b32: Vec::new(),
        })
    }

    /// A datasketch-compatible scheme with its permutation parameters `a`, `b`
    /// (as `datasketch.MinHash(...).permutations` holds them).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for `Scheme::Fast` or bad sizes;
    /// [`Error::InvalidInput`] when the parameters do not fit the scheme.
    pub fn datasketch(scheme: Scheme, seed: u64, a: Vec<u64>, b: Vec<u64>) -> Result<Self> {
        if scheme == Scheme::Fast {
            return Err(Error::invalid_choice("scheme", &Scheme::NAMES[1..], "fast"));
        }
        check_num_perm(a.len())?;
        if a.len() != b.len() {
            return Err(Error::InvalidInput(format!(
                "permutation parameters differ in length: {} `a` values, {} `b` values",
                a.len(),
                b.len()
            )));
        }
        if scheme == Scheme::Affine32 && a.iter().chain(&b).any(|&v| v > MAX32) {
            return Err(Error::InvalidInput("affine32 permutation parameters must fit in 32 bits".into()));
        }
        if scheme != Scheme::Legacy && a.iter().any(|&v| v & 1 == 0) {
            return Err(Error::InvalidInput("affine permutation parameters `a` must all be odd".into()));
        }
        let (a32, b32) = if scheme == Scheme::Affine32 {
            (a.iter().map(|&v| v as u32).collect(), b.iter().map(|&v| v as u32).collect())
        } else {
            (Vec::new(), Vec::new())
        };
        Ok(Self { scheme, num_perm: a.len(), seed, a, b, a32, b32 })
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Signature length.
    pub fn num_perm(&self) -> usize {
        self.num_perm
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The permutation parameters of a datasketch scheme (empty for `fast`).
    pub fn permutations(&self) -> (&[u64], &[u64]) {
        (&self.a, &self.b)
    }

    /// The signature of the shingles `feed` emits, written into `out`
    /// (`num_perm` values).
    pub fn sign_into(&self, feed: impl FnOnce(&mut dyn FnMut(&[u8])), out: &mut [u64]) {
        debug_assert_eq!(out.len(), self.num_perm);
        out.fill(self.scheme.empty_value());
        match self.scheme {
            Scheme::Fast => {
                let k = self.num_perm as u128;
                let seed = self.seed;
                let mut any = false;
                feed(&mut |s| {
                    let h = hash_shingle(s, seed);
                    let bin = ((u128::from(h) * k) >> 64) as usize;
                    if h < out[bin] {
                        out[bin] = h;
                    }
                    any = true;
                });
                if any {
                    densify(out, self.seed);
                }
            }
            Scheme::Affine32 => {
                let mut mins = vec![u32::MAX; self.num_perm];
                // Hashes are buffered so the permutation kernel runs over many at once.
                let mut hs = [0u32; 64];
                let mut n = 0;
                feed(&mut |s| {
                    hs[n] = fmix32(sha1_prefix(s) as u32);
                    n += 1;
                    if n == hs.len() {
                        affine32_mins(&mut mins, &self.a32, &self.b32, &hs);
                        n = 0;
                    }
                });
                affine32_mins(&mut mins, &self.a32, &self.b32, &hs[..n]);
                for (o, m) in out.iter_mut().zip(mins) {
                    *o = u64::from(m);
                }
            }
            Scheme::Affine64 => feed(&mut |s| {
                let h = fmix64(sha1_prefix(s));
                for ((m, &a), &b) in out.iter_mut().zip(&self.a).zip(&self.b) {
                    *m = (*m).min(a.wrapping_mul(h).wrapping_add(b));
                }
            }),
            Scheme::Legacy => feed(&mut |s| {
                let h = sha1_prefix(s) & MAX32;
                for ((m, &a), &b) in out.iter_mut().zip(&self.a).zip(&self.b) {
                    let v = (a.wrapping_mul(h).wrapping_add(b) % MERSENNE61) & MAX32;
                    *m = (*m).min(v);
                }
            }),
        }
    }

    /// The signature of a list of shingles.
    pub fn sign_shingles<S: AsRef<[u8]>>(&self, shingles: &[S]) -> Vec<u64> {
        let mut out = vec![0; self.num_perm];
        self.sign_into(
            |emit| {
                for s in shingles {
                    emit(s.as_ref());
                }
            },
            &mut out,
        );
        out
    }

    /// The signature of a text shingled by `shingler`.
    pub fn sign_text(&self, shingler: &Shingler, text: &str) -> Vec<u64> {
        let mut out = vec![0; self.num_perm];
        self.sign_into(|emit| shingler.for_each(text, emit), &mut out);
        out
    }

    /// Signatures of many texts, row-major (`texts.len() * num_perm` values), in
    /// parallel on the current rayon pool. Each row depends on its text alone, so
    /// the result is the same for any thread count.
    pub fn sign_texts<S: AsRef<str> + Sync>(&self, shingler: &Shingler, texts: &[S]) -> Vec<u64> {
        let mut out = vec![0; texts.len() * self.num_perm];
        out.par_chunks_mut(self.num_perm.max(1)).zip(texts.par_iter()).for_each_init(
            ShingleBuffers::default,
            |buffers, (row, t)| {
                self.sign_into(|emit| shingler.for_each_with(t.as_ref(), buffers, emit), row);
            },
        );
        out
    }

    /// Signatures of packed shingle lists, row-major, in parallel.
    pub fn sign_packed(&self, packed: &PackedShingles) -> Vec<u64> {
        let mut out = vec![0; packed.len() * self.num_perm];
        out.par_chunks_mut(self.num_perm.max(1)).enumerate().for_each(|(i, row)| {
            self.sign_into(
                |emit| {
                    for s in packed.list(i) {
                        emit(s);
                    }
                },
                row,
            );
        });
        out
    }

    /// Signatures of many shingle lists, row-major, in parallel.
    pub fn sign_shingle_lists<S: AsRef<[u8]> + Sync>(&self, lists: &[Vec<S>]) -> Vec<u64> {
        let mut out = vec![0; lists.len() * self.num_perm];
        out.par_chunks_mut(self.num_perm.max(1)).zip(lists.par_iter()).for_each(|(row, l)| {
            self.sign_into(
                |emit| {
                    for s in l {
                        emit(s.as_ref());
                    }
                },
                row,
            );
        });
        out
    }
}

/// `mins[i] = min(mins[i], a[i] * h + b[i])` over every hash `h` (wrapping at 32
/// bits): the `affine32` permutations. Uses AVX2 where the CPU has it.
fn affine32_mins(mins: &mut [u32], a: &[u32], b: &[u32], hs: &[u32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above; the function is the
        // portable kernel compiled with AVX2 enabled and has no other requirement.
        #[allow(unsafe_code)]
        unsafe {
            affine32_mins_avx2(mins, a, b, hs);
        }
        return;
    }
    affine32_mins_portable(mins, a, b, hs);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(unsafe_code)]
unsafe fn affine32_mins_avx2(mins: &mut [u32], a: &[u32], b: &[u32], hs: &[u32]) {
    affine32_mins_portable(mins, a, b, hs);
}

#[inline]
fn affine32_mins_portable(mins: &mut [u32], a: &[u32], b: &[u32], hs: &[u32]) {
    for &h in hs {
        for ((m, &a), &b) in mins.iter_mut().zip(a).zip(b) {
            *m = (*m).min(a.wrapping_mul(h).wrapping_add(b));
        }
    }
}

fn check_num_perm(num_perm: usize) -> Result<()> {
    if num_perm == 0 || num_perm > 65536 {
        return Err(Error::invalid_number("num_perm", "between 1 and 65536", num_perm));
    }
    Ok(())
}

/// Fills empty bins (`EMPTY64`) from non-empty ones along a fixed probe sequence
/// per bin (Shrivastava 2017). At least one bin must be non-empty.
fn densify(sig: &mut [u64], seed: u64) {
    let k = sig.len() as u128;
    let full: Vec<bool> = sig.iter().map(|&v| v != EMPTY64).collect();
    for j in 0..sig.len() {
        if full[j] {
            continue;
        }
        let mut attempt = 0u64;
        loop {
            let r = splitmix64(seed ^ splitmix64(((j as u64) << 32) ^ attempt));
            let src = ((u128::from(r) * k) >> 64) as usize;
            if full[src] {
                sig[j] = sig[src];
                break;
            }
            attempt += 1;
        }
    }
}

#[inline]
fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The first 8 bytes of SHA-1, little endian (datasketch `sha1_hash64`; its
/// `sha1_hash32` is the low 32 bits of this).
///
/// Shingles are short, so the common case (at most 55 bytes: one padded block) calls
/// the compression function directly; `Sha1::digest` costs twice as much there.
#[inline]
fn sha1_prefix(data: &[u8]) -> u64 {
    const INIT: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    if data.len() > 55 {
        return sha1_prefix_general(data);
    }
    let mut block = [0u8; 64];
    block[..data.len()].copy_from_slice(data);
    block[data.len()] = 0x80;
    block[56..].copy_from_slice(&(data.len() as u64 * 8).to_be_bytes());
    let mut state = INIT;
    sha1::compress(&mut state, &[block.into()]);
    // The digest is the state words big endian; its first 8 bytes read little endian.
    u64::from(state[0].swap_bytes()) | u64::from(state[1].swap_bytes()) << 32
}

fn sha1_prefix_general(data: &[u8]) -> u64 {
    let d = Sha1::digest(data);
    u64::from_le_bytes(d[..8].try_into().expect("SHA-1 digests are 20 bytes"))
}

#[inline]
fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85EB_CA6B);
    h ^= h >> 13;
    h = h.wrapping_mul(0xC2B2_AE35);
    h ^ (h >> 16)
}

#[inline]
pub(crate) fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

/// Estimated Jaccard similarity: the fraction of positions where two signatures agree.
///
/// # Errors
/// [`Error::InvalidInput`] when the lengths differ or are zero.
pub fn estimate_jaccard(a: &[u64], b: &[u64]) -> Result<f64> {
    if a.len() != b.len() || a.is_empty() {
        return Err(Error::InvalidInput(format!(
            "signatures must have the same non-zero length, got {} and {}",
            a.len(),
            b.len()
        )));
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    Ok(same as f64 / a.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsh::shingle::Unit;
    use crate::text::NormalizeOptions;
    use std::collections::HashSet;

    fn set(range: std::ops::Range<u32>) -> Vec<String> {
        range.map(|i| format!("shingle-{i}")).collect()
    }

    #[test]
    fn identical_sets_have_identical_signatures() {
        let m = MinHasher::fast(64, 3).unwrap();
        let mut rev = set(0..50);
        rev.reverse();
        assert_eq!(m.sign_shingles(&set(0..50)), m.sign_shingles(&rev));
    }

    #[test]
    fn densified_signature_has_no_empty_bins() {
        let m = MinHasher::fast(256, 1).unwrap();
        let sig = m.sign_shingles(&set(0..3));
        assert!(sig.iter().all(|&v| v != EMPTY64));
        let distinct: HashSet<u64> = sig.into_iter().collect();
        assert!(distinct.len() <= 3);
    }

    #[test]
    fn estimate_tracks_exact_jaccard() {
        // |A ∩ B| = 300, |A ∪ B| = 900: J = 1/3. With 1024 bins the standard error is
        // about sqrt(J(1-J)/1024) ≈ 0.015; 5 sigma keeps this test from flaking.
        let m = MinHasher::fast(1024, 42).unwrap();
        let a = m.sign_shingles(&set(0..600));
        let b = m.sign_shingles(&set(300..900));
        let est = estimate_jaccard(&a, &b).unwrap();
        assert!((est - 1.0 / 3.0).abs() < 0.075, "{est}");
    }

    #[test]
    fn parallel_rows_equal_single_rows() {
        let sh = Shingler::new(Unit::Word, 3, NormalizeOptions::default()).unwrap();
        let m = MinHasher::fast(32, 9).unwrap();
        let texts = ["a b c d e", "one two three", "", "x"];
        let all = m.sign_texts(&sh, &texts);
        for (i, t) in texts.iter().enumerate() {
            assert_eq!(&all[i * 32..(i + 1) * 32], m.sign_text(&sh, t).as_slice());
        }
    }

    #[test]
    fn packed_lists_sign_like_separate_lists() {
        let lists = vec![set(0..40), vec![], set(5..9), vec![String::new()]];
        let mut packed = PackedShingles::default();
        for l in &lists {
            for s in l {
                packed.push_shingle(s.as_bytes());
            }
            packed.end_list();
        }
        for m in [
            MinHasher::fast(16, 2).unwrap(),
            MinHasher::datasketch(Scheme::Affine32, 1, vec![3; 16], vec![5; 16]).unwrap(),
        ] {
            assert_eq!(m.sign_packed(&packed), m.sign_shingle_lists(&lists));
        }
    }

    #[test]
    fn one_block_sha1_equals_the_general_one() {
        let data: Vec<u8> = (0..200u32).map(|i| (i * 37 % 251) as u8).collect();
        for len in 0..data.len() {
            assert_eq!(sha1_prefix(&data[..len]), sha1_prefix_general(&data[..len]), "{len}");
        }
        // Known answer: SHA-1("abc") = a9993e36 4706816a ...
        assert_eq!(sha1_prefix(b"abc"), u64::from_le_bytes([0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a]));
    }

    #[test]
    fn affine32_kernels_agree() {
        let a: Vec<u32> = (0..131u32).map(|i| i.wrapping_mul(0x9E37_79B1) | 1).collect();
        let b: Vec<u32> = (0..131u32).map(|i| i.wrapping_mul(0x85EB_CA6B)).collect();
        let hs: Vec<u32> = (0..300u32).map(fmix32).collect();
        let mut slow = vec![u32::MAX; a.len()];
        for &h in &hs {
            for i in 0..a.len() {
                slow[i] = slow[i].min(a[i].wrapping_mul(h).wrapping_add(b[i]));
            }
        }
        let mut portable = vec![u32::MAX; a.len()];
        affine32_mins_portable(&mut portable, &a, &b, &hs);
        let mut dispatched = vec![u32::MAX; a.len()];
        affine32_mins(&mut dispatched, &a, &b, &hs);
        assert_eq!(portable, slow);
        assert_eq!(dispatched, slow);
    }

    #[test]
    fn bad_parameters_are_rejected() {
        assert!(MinHasher::fast(0, 1).is_err());
        assert!(MinHasher::datasketch(Scheme::Affine32, 1, vec![2], vec![1]).is_err());
        assert!(MinHasher::datasketch(Scheme::Legacy, 1, vec![2, 3], vec![1]).is_err());
        assert!(Scheme::parse("minhash").unwrap_err().to_string().contains("'affine32'"));
    }
}
