//! Locality-sensitive hashing of MinHash signatures by banding.
//!
//! A signature of `num_perm` values is cut into `bands` bands of `rows` values each
//! (positions past `bands * rows` are not banded); two signatures become candidates
//! when at least one band is equal. For Jaccard similarity `s` the probability of
//! that is `1 - (1 - s^r)^b`, an S-curve whose threshold is roughly `(1/b)^(1/r)`
//! (Leskovec, Rajaraman and Ullman, *Mining of Massive Datasets*, §3.4).
//! [`optimal_params`] picks `(b, r)` for a similarity threshold exactly as datasketch's
//! `MinHashLSH` does: the pair with `b * r <= num_perm` minimising the weighted
//! false-positive area (the curve integrated over `[0, t]`) plus the weighted
//! false-negative area (one minus the curve integrated over `[t, 1]`).
//!
//! # Buckets
//!
//! Each band value is hashed (XXH3 over its little-endian bytes) to a 64-bit bucket
//! key. A bucket holds at most `max_bucket` keys: once full, it rejects further keys
//! and is flagged *saturated* (boilerplate signatures, e.g. of empty or templated
//! texts, would otherwise gather the whole corpus in one bucket and make every query
//! linear). A rejected key stays indexed in its other bands, so it is missed only by
//! queries that share nothing but saturated bands with it. Removing keys makes room
//! again; the flag stays until the bucket is empty, and [`LshIndex::saturated_buckets`]
//! counts flagged buckets so callers can see that recall was traded.
//!
//! # Queries
//!
//! A query returns every key that shares a bucket with the query signature, with the
//! estimated Jaccard similarity against the stored signature (the fraction of all
//! `num_perm` positions that agree), best first, ties broken by key. An optional
//! `min_similarity` drops candidates whose estimate is below it; by default all
//! candidates are returned, as datasketch does.

use crate::error::{Error, Result};
use rayon::prelude::*;
use std::collections::HashMap;
use xxhash_rust::xxh3::xxh3_64;

/// The default bucket capacity.
pub const DEFAULT_MAX_BUCKET: usize = 1000;

/// Largest supported signature length.
const MAX_NUM_PERM: usize = 65536;

/// The banding `(bands, rows)` with `bands * rows <= num_perm` that minimises
/// `fp_weight * FP + fn_weight * FN`, where FP and FN are the false-positive and
/// false-negative areas of the banding curve around `threshold` (datasketch's
/// `_optimal_param`, same search order, same tie rule: the first minimum in
/// `(bands, rows)` order wins).
///
/// # Errors
/// [`Error::InvalidOption`] when `threshold` is outside `[0, 1]`, `num_perm` outside
/// `1..=65536`, or a weight negative, not finite, or both zero.
pub fn optimal_params(
    threshold: f64,
    num_perm: usize,
    fp_weight: f64,
    fn_weight: f64,
) -> Result<(usize, usize)> {
    check_threshold("threshold", threshold)?;
    check_num_perm(num_perm)?;
    for (name, w) in [("weights[0]", fp_weight), ("weights[1]", fn_weight)] {
        if !(w.is_finite() && w >= 0.0) {
            return Err(Error::invalid_number(name, "a finite number >= 0", w));
        }
    }
    if fp_weight + fn_weight <= 0.0 {
        return Err(Error::invalid_number("weights", "not both zero", format!("({fp_weight}, {fn_weight})")));
    }
    // The best `r` of each `b` (first minimum), then the first best `b`: the same
    // pair as one sequential scan in `(b, r)` order, computed in parallel.
    let best: Vec<(f64, usize, usize)> = (1..=num_perm)
        .into_par_iter()
        .map(|b| {
            let mut best = (f64::INFINITY, b, 0);
            for r in 1..=num_perm / b {
                let (bf, rf) = (b as f64, r as f64);
                let fp = integrate(|s| 1.0 - (1.0 - s.powf(rf)).powf(bf), 0.0, threshold);
                let fn_ = integrate(|s| (1.0 - s.powf(rf)).powf(bf), threshold, 1.0);
                let err = fp * fp_weight + fn_ * fn_weight;
                if err < best.0 {
                    best = (err, b, r);
                }
            }
            best
        })
        .collect();
    let mut opt = (f64::INFINITY, 0, 0);
    for cand in best {
        if cand.0 < opt.0 {
            opt = cand;
        }
    }
    Ok((opt.1, opt.2))
}

/// Adaptive Gauss–Kronrod (7/15 points) integration of a smooth `f` over `[a, b]`,
/// to about 1e-13 absolute; far tighter than the 1.5e-8 of scipy's `quad` that
/// datasketch uses, so it reproduces datasketch's choices except at true near-ties.
fn integrate(f: impl Fn(f64) -> f64 + Copy, a: f64, b: f64) -> f64 {
    fn gk15(f: impl Fn(f64) -> f64, a: f64, b: f64) -> (f64, f64) {
        const XGK: [f64; 8] = [
            0.991_455_371_120_812_6,
            0.949_107_912_342_758_5,
            0.864_864_423_359_769_1,
            0.741_531_185_599_394_4,
            0.586_087_235_467_691_1,
            0.405_845_151_377_397_2,
            0.207_784_955_007_898_5,
            0.0,
        ];
        const WGK: [f64; 8] = [
            0.022_935_322_010_529_22,
            0.063_092_092_629_978_55,
            0.104_790_010_322_250_2,
            0.140_653_259_715_525_9,
            0.169_004_726_639_267_9,
            0.190_350_578_064_785_4,
            0.204_432_940_075_298_9,
            0.209_482_141_084_727_8,
        ];
        // Gauss weights of nodes XGK[1], XGK[3], XGK[5] and the centre.
        const WG: [f64; 4] = [
            0.129_484_966_168_869_7,
            0.279_705_391_489_276_7,
            0.381_830_050_505_118_9,
            0.417_959_183_673_469_4,
        ];
        let (c, h) = (0.5 * (a + b), 0.5 * (b - a));
        let fc = f(c);
        let (mut k, mut g) = (WGK[7] * fc, WG[3] * fc);
        for j in 0..7 {
            let pair = f(c - h * XGK[j]) + f(c + h * XGK[j]);
            k += WGK[j] * pair;
            if j % 2 == 1 {
                g += WG[j / 2] * pair;
            }
        }
        (k * h, (k - g).abs() * h)
    }
    fn go(f: impl Fn(f64) -> f64 + Copy, a: f64, b: f64, tol: f64, depth: u32) -> f64 {
        let (k, err) = gk15(f, a, b);
        if err <= tol || depth == 0 {
            return k;
        }
        let m = 0.5 * (a + b);
        go(f, a, m, 0.5 * tol, depth - 1) + go(f, m, b, 0.5 * tol, depth - 1)
    }
    if b <= a {
        return 0.0;
    }
    go(f, a, b, 1e-13, 30)
}

fn check_threshold(name: &'static str, t: f64) -> Result<()> {
    if (0.0..=1.0).contains(&t) {
        Ok(())
    } else {
        Err(Error::invalid_number(name, "between 0.0 and 1.0", t))
    }
}

fn check_num_perm(num_perm: usize) -> Result<()> {
    if num_perm == 0 || num_perm > MAX_NUM_PERM {
        return Err(Error::invalid_number("num_perm", "between 1 and 65536", num_perm));
    }
    Ok(())
}

/// The shape of an [`LshIndex`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LshConfig {
    /// Signature length.
    pub num_perm: usize,
    /// Number of bands `b`.
    pub bands: usize,
    /// Values per band `r`.
    pub rows: usize,
    /// The similarity threshold the banding was chosen for (informational).
    pub threshold: f64,
    /// Most keys a bucket holds; see the module docs.
    pub max_bucket: usize,
}

impl LshConfig {
    /// The optimal banding for `threshold` with equal weights, default bucket capacity.
    ///
    /// # Errors
    /// As [`optimal_params`].
    pub fn optimal(threshold: f64, num_perm: usize) -> Result<Self> {
        let (bands, rows) = optimal_params(threshold, num_perm, 0.5, 0.5)?;
        Ok(Self { num_perm, bands, rows, threshold, max_bucket: DEFAULT_MAX_BUCKET })
    }

    /// Checks every field.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming the rule that fails.
    pub fn validate(&self) -> Result<()> {
        check_num_perm(self.num_perm)?;
        check_threshold("threshold", self.threshold)?;
        if self.bands == 0 {
            return Err(Error::invalid_number("bands", "at least 1", self.bands));
        }
        if self.rows == 0 {
            return Err(Error::invalid_number("rows", "at least 1", self.rows));
        }
        if self.bands.saturating_mul(self.rows) > self.num_perm {
            return Err(Error::InvalidOption {
                name: "bands * rows",
                expected: format!("at most num_perm = {}", self.num_perm),
                got: format!("{} * {} = {}", self.bands, self.rows, self.bands * self.rows),
            });
        }
        if self.max_bucket == 0 {
            return Err(Error::invalid_number("max_bucket", "at least 1", 0));
        }
        Ok(())
    }
}

/// Where a key hash points: almost always one id; more on a 64-bit collision.
#[derive(Debug, Clone)]
enum Slot {
    One(u32),
    Many(Vec<u32>),
}

/// The ids in one bucket; never empty (empty buckets are dropped). Most buckets
/// hold one id, kept inline so that they cost no heap allocation.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    head: u32,
    rest: Vec<u32>,
    pub(crate) saturated: bool,
}

impl Bucket {
    fn new(id: u32) -> Self {
        Self { head: id, rest: Vec::new(), saturated: false }
    }

    fn len(&self) -> usize {
        1 + self.rest.len()
    }

    fn contains(&self, id: u32) -> bool {
        self.head == id || self.rest.contains(&id)
    }

    fn append_to(&self, out: &mut Vec<u32>) {
        out.push(self.head);
        out.extend_from_slice(&self.rest);
    }

    /// Removes `id` if present; returns whether the bucket is now empty.
    fn remove(&mut self, id: u32) -> bool {
        if self.head == id {
            match self.rest.pop() {
                Some(last) => self.head = last,
                None => return true,
            }
        } else if let Some(pos) = self.rest.iter().position(|&m| m == id) {
            self.rest.swap_remove(pos);
        }
        false
    }
}

/// A MinHash LSH index of signatures under string keys.
///
/// Keys are stored once, interned to `u32` ids whose slots are reused after removal.
///
/// ```
/// use dedup_core::{LshConfig, LshIndex, MinHasher, NormalizeOptions, Shingler, Unit};
///
/// let sh = Shingler::new(Unit::Word, 3, NormalizeOptions::default()).unwrap();
/// let mh = MinHasher::fast(128, 1).unwrap();
/// let mut ix = LshIndex::new(LshConfig::optimal(0.5, 128).unwrap()).unwrap();
/// let wire = "The minister said on Monday that the talks would resume in May after the holiday.";
/// let copy = "The minister said on Monday that the talks would resume in May, after the holiday.";
/// ix.insert("wire", &mh.sign_text(&sh, wire)).unwrap();
/// let hits = ix.query(&mh.sign_text(&sh, copy), None).unwrap();
/// assert_eq!(hits[0].0, "wire");
/// ```
#[derive(Debug, Clone)]
pub struct LshIndex {
    pub(crate) config: LshConfig,
    pub(crate) keys: Vec<Option<Box<str>>>,
    pub(crate) sigs: Vec<u64>,
    free: Vec<u32>,
    lookup: HashMap<u64, Slot>,
    pub(crate) tables: Vec<HashMap<u64, Bucket>>,
    len: usize,
}

/// One query result: a key and its estimated Jaccard similarity.
pub type Hit = (String, f64);

impl LshIndex {
    /// An empty index.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when the config is invalid.
    pub fn new(config: LshConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self {
            config,
            keys: Vec::new(),
            sigs: Vec::new(),
            free: Vec::new(),
            lookup: HashMap::new(),
            tables: vec![HashMap::new(); config.bands],
            len: 0,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &LshConfig {
        &self.config
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the index has no keys.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `key` is indexed.
    pub fn contains(&self, key: &str) -> bool {
        self.id_of(key).is_some()
    }

    /// The stored signature of `key`.
    pub fn signature(&self, key: &str) -> Option<&[u64]> {
        self.id_of(key).map(|id| self.sig(id))
    }

    /// The keys, in internal id order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().filter_map(|k| k.as_deref())
    }

    /// Number of buckets that have rejected a key because they were full.
    pub fn saturated_buckets(&self) -> usize {
        self.tables.iter().map(|t| t.values().filter(|b| b.saturated).count()).sum()
    }

    pub(crate) fn sig(&self, id: u32) -> &[u64] {
        let n = self.config.num_perm;
        &self.sigs[id as usize * n..(id as usize + 1) * n]
    }

    fn id_of(&self, key: &str) -> Option<u32> {
        let matches = |&id: &u32| self.keys[id as usize].as_deref() == Some(key);
        match self.lookup.get(&xxh3_64(key.as_bytes()))? {
            Slot::One(id) => Some(*id).filter(matches),
            Slot::Many(ids) => ids.iter().copied().find(matches),
        }
    }

    pub(crate) fn band_key(&self, sig: &[u64], band: usize) -> u64 {
        let r = self.config.rows;
        let mut bytes = [0u8; 8 * 64];
        let vals = &sig[band * r..(band + 1) * r];
        if r <= 64 {
            for (chunk, v) in bytes.chunks_exact_mut(8).zip(vals) {
                chunk.copy_from_slice(&v.to_le_bytes());
            }
            xxh3_64(&bytes[..8 * r])
        } else {
            let long: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
            xxh3_64(&long)
        }
    }

    fn check_sig(&self, sig: &[u64], what: &str) -> Result<()> {
        if sig.len() == self.config.num_perm {
            Ok(())
        } else {
            Err(Error::InvalidInput(format!(
                "{what} has {} values, expected num_perm = {}",
                sig.len(),
                self.config.num_perm
            )))
        }
    }

    /// Adds `key` with signature `sig`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a signature of the wrong length or a full index
    /// (2^32 - 1 keys); [`Error::DuplicateKey`] when `key` is present. The index is
    /// unchanged on error.
    pub fn insert(&mut self, key: &str, sig: &[u64]) -> Result<()> {
        self.check_sig(sig, "signature")?;
        if self.contains(key) {
            return Err(Error::DuplicateKey(key.to_owned()));
        }
        self.check_capacity(1)?;
        self.insert_unchecked(key, sig, &[]);
        Ok(())
    }

    /// Adds many keys; `sigs` holds their signatures row-major. Everything is
    /// validated before anything is inserted.
    ///
    /// # Errors
    /// As [`LshIndex::insert`], also for keys repeated within the batch; the index
    /// is unchanged on error.
    pub fn insert_many<S: AsRef<str>>(&mut self, keys: &[S], sigs: &[u64]) -> Result<()> {
        let n = self.config.num_perm;
        if sigs.len() != keys.len() * n {
            return Err(Error::InvalidInput(format!(
                "{} keys need {} signature values ({} rows of num_perm = {n}), got {}",
                keys.len(),
                keys.len() * n,
                keys.len(),
                sigs.len()
            )));
        }
        let mut seen = std::collections::HashSet::with_capacity(keys.len());
        for k in keys {
            let k = k.as_ref();
            if self.contains(k) || !seen.insert(k) {
                return Err(Error::DuplicateKey(k.to_owned()));
            }
        }
        self.check_capacity(keys.len())?;
        for (k, sig) in keys.iter().zip(sigs.chunks_exact(n)) {
            self.insert_unchecked(k.as_ref(), sig, &[]);
        }
        Ok(())
    }

    fn check_capacity(&self, more: usize) -> Result<()> {
        if self.len + more >= u32::MAX as usize {
            return Err(Error::InvalidInput(format!("an index holds fewer than {} keys", u32::MAX)));
        }
        Ok(())
    }

    /// Inserts a new key, skipping the bands in `skip` (sorted); returns its id and
    /// whether no full bucket rejected it.
    pub(crate) fn insert_unchecked(&mut self, key: &str, sig: &[u64], skip: &[u32]) -> (u32, bool) {
        let n = self.config.num_perm;
        let id = if let Some(id) = self.free.pop() {
            self.keys[id as usize] = Some(key.into());
            self.sigs[id as usize * n..(id as usize + 1) * n].copy_from_slice(sig);
            id
        } else {
            self.keys.push(Some(key.into()));
            self.sigs.extend_from_slice(sig);
            (self.keys.len() - 1) as u32
        };
        match self.lookup.entry(xxh3_64(key.as_bytes())) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(Slot::One(id));
            }
            std::collections::hash_map::Entry::Occupied(mut e) => {
                let slot = e.get_mut();
                match slot {
                    Slot::One(other) => {
                        let other = *other;
                        *slot = Slot::Many(vec![other, id]);
                    }
                    Slot::Many(ids) => ids.push(id),
                }
            }
        }
        let cap = self.config.max_bucket;
        let mut accepted = true;
        for band in 0..self.config.bands {
            if skip.binary_search(&(band as u32)).is_ok() {
                continue;
            }
            let h = self.band_key(sig, band);
            match self.tables[band].entry(h) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(Bucket::new(id));
                }
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    let bucket = e.get_mut();
                    if bucket.len() < cap {
                        bucket.rest.push(id);
                    } else {
                        bucket.saturated = true;
                        accepted = false;
                    }
                }
            }
        }
        self.len += 1;
        (id, accepted)
    }

    /// Removes `key`.
    ///
    /// # Errors
    /// [`Error::UnknownKey`] when `key` is not present.
    pub fn remove(&mut self, key: &str) -> Result<()> {
        let id = self.id_of(key).ok_or_else(|| Error::UnknownKey(key.to_owned()))?;
        for band in 0..self.config.bands {
            let h = self.band_key(self.sig(id), band);
            if self.tables[band].get_mut(&h).is_some_and(|b| b.remove(id)) {
                self.tables[band].remove(&h);
            }
        }
        let kh = xxh3_64(key.as_bytes());
        match self.lookup.get_mut(&kh) {
            Some(Slot::Many(ids)) => {
                ids.retain(|&i| i != id);
                if let [only] = ids[..] {
                    self.lookup.insert(kh, Slot::One(only));
                }
            }
            _ => {
                self.lookup.remove(&kh);
            }
        }
        self.keys[id as usize] = None;
        self.free.push(id);
        self.len -= 1;
        if self.len == 0 {
            // Give the memory back when the index empties.
            self.keys = Vec::new();
            self.sigs = Vec::new();
            self.free = Vec::new();
        }
        Ok(())
    }

    /// Keys sharing at least one band with `sig`, with estimated Jaccard similarity
    /// against their stored signatures, best first, ties by key. With
    /// `min_similarity`, candidates estimated below it are dropped.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a signature of the wrong length;
    /// [`Error::InvalidOption`] for `min_similarity` outside `[0, 1]`.
    pub fn query(&self, sig: &[u64], min_similarity: Option<f64>) -> Result<Vec<Hit>> {
        self.check_sig(sig, "signature")?;
        if let Some(m) = min_similarity {
            check_threshold("min_similarity", m)?;
        }
        Ok(self.query_unchecked(sig, min_similarity.unwrap_or(0.0)))
    }

    /// [`LshIndex::query`] for many signatures (row-major), in parallel; the output
    /// does not depend on the thread count.
    ///
    /// # Errors
    /// As [`LshIndex::query`]; also when `sigs` is not a whole number of rows.
    pub fn query_many(&self, sigs: &[u64], min_similarity: Option<f64>) -> Result<Vec<Vec<Hit>>> {
        let n = self.config.num_perm;
        if sigs.len() % n != 0 {
            return Err(Error::InvalidInput(format!(
                "signatures have {} values, not a whole number of rows of num_perm = {n}",
                sigs.len()
            )));
        }
        if let Some(m) = min_similarity {
            check_threshold("min_similarity", m)?;
        }
        let min = min_similarity.unwrap_or(0.0);
        Ok(sigs.par_chunks_exact(n).map(|s| self.query_unchecked(s, min)).collect())
    }

    fn query_unchecked(&self, sig: &[u64], min: f64) -> Vec<Hit> {
        let mut ids = Vec::new();
        for (band, table) in self.tables.iter().enumerate() {
            if let Some(b) = table.get(&self.band_key(sig, band)) {
                b.append_to(&mut ids);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        let n = self.config.num_perm as f64;
        let mut hits: Vec<(&str, f64)> = ids
            .into_iter()
            .filter_map(|id| {
                let same = self.sig(id).iter().zip(sig).filter(|(a, b)| a == b).count();
                let est = same as f64 / n;
                let key = self.keys[id as usize].as_deref()?;
                (est >= min).then_some((key, est))
            })
            .collect();
        hits.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        hits.into_iter().map(|(k, e)| (k.to_owned(), e)).collect()
    }

    /// For each band, whether `id` is a member of its bucket (false where a full
    /// bucket rejected it).
    pub(crate) fn membership(&self, id: u32) -> Vec<bool> {
        (0..self.config.bands)
            .map(|band| {
                self.tables[band].get(&self.band_key(self.sig(id), band)).is_some_and(|b| b.contains(id))
            })
            .collect()
    }
}

/// Logical equality: same configuration, keys, signatures, bucket membership and
/// saturation flags (internal id layout is ignored).
impl PartialEq for LshIndex {
    fn eq(&self, other: &Self) -> bool {
        if self.config != other.config || self.len != other.len {
            return false;
        }
        let flagged = |ix: &Self| {
            let mut v: Vec<(usize, u64)> = ix
                .tables
                .iter()
                .enumerate()
                .flat_map(|(b, t)| t.iter().filter(|e| e.1.saturated).map(move |e| (b, *e.0)))
                .collect();
            v.sort_unstable();
            v
        };
        self.keys().all(|k| {
            let (a, b) = (self.id_of(k), other.id_of(k));
            match (a, b) {
                (Some(a), Some(b)) => {
                    self.sig(a) == other.sig(b) && self.membership(a) == other.membership(b)
                }
                _ => false,
            }
        }) && flagged(self) == flagged(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(bands: usize, rows: usize, max_bucket: usize) -> LshIndex {
        LshIndex::new(LshConfig { num_perm: bands * rows, bands, rows, threshold: 0.5, max_bucket }).unwrap()
    }

    #[test]
    fn integration_is_exact_for_polynomials() {
        for k in 0..29 {
            let v = integrate(|x| x.powi(k), 0.0, 1.0);
            assert!((v - 1.0 / f64::from(k + 1)).abs() < 1e-14, "{k}: {v}");
        }
        let steep = integrate(|s| 1.0 - (1.0 - s.powf(25.0)).powf(5.0), 0.0, 1.0);
        assert!(steep > 0.0 && steep < 1.0);
    }

    #[test]
    fn known_datasketch_params() {
        // From datasketch's own docstring: threshold 0.9, 128 permutations -> (5, 25).
        assert_eq!(optimal_params(0.9, 128, 0.5, 0.5).unwrap(), (5, 25));
        assert!(optimal_params(1.5, 128, 0.5, 0.5).is_err());
        assert!(optimal_params(0.5, 0, 0.5, 0.5).is_err());
        assert!(optimal_params(0.5, 16, 0.0, 0.0).is_err());
    }

    #[test]
    fn config_rule_is_named() {
        let e = LshIndex::new(LshConfig { num_perm: 16, bands: 5, rows: 4, threshold: 0.5, max_bucket: 10 })
            .unwrap_err();
        assert_eq!(e.to_string(), "`bands * rows` must be at most num_perm = 16, got 5 * 4 = 20");
    }

    #[test]
    fn insert_query_remove() {
        let mut ix = index(4, 2, 100);
        ix.insert("a", &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
        ix.insert("b", &[1, 2, 0, 0, 0, 0, 0, 0]).unwrap();
        ix.insert("c", &[9, 9, 9, 9, 9, 9, 9, 9]).unwrap();
        let hits = ix.query(&[1, 2, 3, 4, 5, 6, 7, 8], None).unwrap();
        assert_eq!(hits, vec![("a".into(), 1.0), ("b".into(), 0.25)]);
        assert!(matches!(ix.insert("a", &[0; 8]), Err(Error::DuplicateKey(_))));
        assert!(matches!(ix.remove("zz"), Err(Error::UnknownKey(_))));
        ix.remove("a").unwrap();
        assert!(!ix.contains("a"));
        assert_eq!(ix.len(), 2);
        let hits = ix.query(&[1, 2, 3, 4, 5, 6, 7, 8], Some(0.5)).unwrap();
        assert!(hits.is_empty());
        ix.insert("d", &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
        assert_eq!(ix.keys.len(), 3, "the freed slot is reused");
        assert!(ix.query(&[0; 7], None).is_err());
    }

    #[test]
    fn insert_many_is_all_or_nothing() {
        let mut ix = index(2, 2, 100);
        ix.insert("a", &[1; 4]).unwrap();
        let before = ix.clone();
        assert!(ix.insert_many(&["x", "a"], &[0; 8]).is_err());
        assert!(ix.insert_many(&["x", "x"], &[0; 8]).is_err());
        assert!(ix.insert_many(&["x", "y"], &[0; 7]).is_err());
        assert_eq!(ix, before);
        ix.insert_many(&["x", "y"], &[0; 8]).unwrap();
        assert_eq!(ix.len(), 3);
    }

    #[test]
    fn full_buckets_reject_and_flag() {
        let mut ix = index(2, 1, 2);
        for k in ["a", "b", "c"] {
            ix.insert(k, &[7, 7]).unwrap();
        }
        assert_eq!(ix.saturated_buckets(), 2);
        let keys: Vec<String> = ix.query(&[7, 7], None).unwrap().into_iter().map(|h| h.0).collect();
        assert_eq!(keys, ["a", "b"]);
        ix.remove("a").unwrap();
        ix.insert("d", &[7, 7]).unwrap();
        let keys: Vec<String> = ix.query(&[7, 7], None).unwrap().into_iter().map(|h| h.0).collect();
        assert_eq!(keys, ["b", "d"]);
        // `c` is still indexed and found through its signature's other values.
        assert!(ix.contains("c"));
    }

    #[test]
    fn query_many_equals_single_queries() {
        let mut ix = index(4, 2, 100);
        for i in 0..50u64 {
            let sig: Vec<u64> = (0..8).map(|j| (i * 7 + j) % 5).collect();
            ix.insert(&format!("k{i}"), &sig).unwrap();
        }
        let qs: Vec<u64> = (0..80).map(|i| i % 4).collect();
        let many = ix.query_many(&qs, None).unwrap();
        for (q, got) in qs.chunks(8).zip(&many) {
            assert_eq!(&ix.query(q, None).unwrap(), got);
        }
    }
}
