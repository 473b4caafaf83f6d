//! Saving and loading an [`LshIndex`] in the [`crate::store`] frame.
//!
//! Magic `b"DEDUPLSH"`, format version 1. Payload (little endian):
//!
//! ```text
//! u32 num_perm, u32 bands, u32 rows, f64 threshold, u64 max_bucket
//! u64 entry count, then per entry:
//!     u32 key length, key UTF-8 bytes
//!     num_perm x u64 signature
//!     u32 count, then that many u32 band numbers (strictly increasing) where a
//!         full bucket rejected the key
//! u64 saturated-bucket count, then per bucket (strictly increasing):
//!     u32 band, u64 bucket key
//! ```
//!
//! Buckets are rebuilt from the entries on load, so a file cannot describe buckets
//! inconsistent with its signatures; rejected bands and saturation flags make the
//! round trip exact even for indexes whose buckets filled up.

use super::index::{LshConfig, LshIndex};
use crate::error::Result;
use crate::store::{Decoded, Decoder, Encoder, Format, Malformed};
use std::path::Path;

/// The LSH index file format.
pub const LSH_FORMAT: Format =
    Format { magic: *b"DEDUPLSH", version: 1, what: "LSH index", writer: "`LSHIndex.save`" };

impl LshIndex {
    fn encode(&self) -> Vec<u8> {
        let c = &self.config;
        let mut e = Encoder::new();
        e.u32(c.num_perm as u32);
        e.u32(c.bands as u32);
        e.u32(c.rows as u32);
        e.f64(c.threshold);
        e.u64(c.max_bucket as u64);
        e.u64(self.len() as u64);
        for (id, key) in self.keys.iter().enumerate() {
            let Some(key) = key else { continue };
            let id = id as u32;
            e.str(key);
            e.u64s(self.sig(id));
            let rejected: Vec<u32> =
                self.membership(id).iter().enumerate().filter(|(_, &m)| !m).map(|(b, _)| b as u32).collect();
            e.u32(rejected.len() as u32);
            for b in rejected {
                e.u32(b);
            }
        }
        let mut flagged: Vec<(u32, u64)> = self
            .tables
            .iter()
            .enumerate()
            .flat_map(|(b, t)| {
                t.iter().filter(|(_, bucket)| bucket.saturated).map(move |(&h, _)| (b as u32, h))
            })
            .collect();
        flagged.sort_unstable();
        e.u64(flagged.len() as u64);
        for (b, h) in flagged {
            e.u32(b);
            e.u64(h);
        }
        e.finish()
    }

    fn decode(_version: u32, d: &mut Decoder<'_>) -> Decoded<Self> {
        let num_perm = d.u32("num_perm")? as usize;
        let bands = d.u32("bands")? as usize;
        let rows = d.u32("rows")? as usize;
        let threshold = d.f64("threshold")?;
        let max_bucket = usize::try_from(d.u64("max_bucket")?).unwrap_or(usize::MAX);
        let config = LshConfig { num_perm, bands, rows, threshold, max_bucket };
        let mut ix = LshIndex::new(config).map_err(|e| Malformed(format!("bad settings: {e}")))?;
        let n = d.count(4 + 8 * num_perm + 4, "entry count")?;
        if n >= u32::MAX as usize {
            return Err(Malformed(format!("{n} entries is more than an index holds")));
        }
        ix.keys.reserve(n);
        ix.sigs.reserve(n * num_perm);
        let mut sig = Vec::with_capacity(num_perm);
        for i in 0..n {
            let key = d.str("key")?;
            if ix.contains(key) {
                return Err(Malformed(format!("key {key:?} appears twice")));
            }
            sig.clear();
            d.u64s_into(num_perm, &mut sig, "signature")?;
            let m = d.u32("rejected band count")? as usize;
            if m > bands {
                return Err(Malformed(format!("entry {i} has {m} rejected bands of {bands}")));
            }
            let mut skip = Vec::with_capacity(m);
            for _ in 0..m {
                let b = d.u32("rejected band")?;
                if b as usize >= bands || skip.last().is_some_and(|&p| p >= b) {
                    return Err(Malformed(format!("entry {i} has a bad rejected band list")));
                }
                skip.push(b);
            }
            if !ix.insert_unchecked(key, &sig, &skip).1 {
                return Err(Malformed(format!("a bucket holds more than max_bucket = {max_bucket} keys")));
            }
        }
        let f = d.count(12, "saturated bucket count")?;
        let mut prev = None;
        for _ in 0..f {
            let band = d.u32("band")?;
            let h = d.u64("bucket key")?;
            if prev.is_some_and(|p| p >= (band, h)) {
                return Err(Malformed("saturated buckets are not in order".into()));
            }
            prev = Some((band, h));
            let bucket = ix
                .tables
                .get_mut(band as usize)
                .and_then(|t| t.get_mut(&h))
                .ok_or_else(|| Malformed("a saturated bucket does not exist".into()))?;
            bucket.saturated = true;
        }
        Ok(ix)
    }

    /// The index as validated bytes (the file format), e.g. for pickling.
    pub fn to_bytes(&self) -> Vec<u8> {
        LSH_FORMAT.frame(&self.encode())
    }

    /// An index from [`LshIndex::to_bytes`] output.
    ///
    /// # Errors
    /// [`crate::Error::BadFile`] (path `<bytes>`) when the bytes are not a valid index.
    pub fn from_bytes(data: &[u8]) -> Result<Self> {
        LSH_FORMAT.decode("<bytes>", data, Self::decode)
    }

    /// Writes the index to `path` atomically.
    ///
    /// # Errors
    /// [`crate::Error::Io`] when writing fails.
    pub fn save(&self, path: &Path) -> Result<()> {
        LSH_FORMAT.save(path, &self.encode())
    }

    /// Reads an index written by [`LshIndex::save`].
    ///
    /// # Errors
    /// [`crate::Error::Io`] when reading fails (kind `NotFound` for a missing file);
    /// [`crate::Error::BadFile`] when the file is not a valid index of a supported version.
    pub fn load(path: &Path) -> Result<Self> {
        LSH_FORMAT.load(path, Self::decode)
    }
}
