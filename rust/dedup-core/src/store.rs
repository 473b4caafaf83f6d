//! Persistence: a small binary codec and a checksummed, versioned file frame.
//!
//! Every file `dedup` writes has the same frame, which never changes across format
//! versions (only the payload does):
//!
//! ```text
//! offset  size  field
//! 0       8     magic bytes, one value per kind of file (e.g. b"DEDUPLSH")
//! 8       4     format version, u32 little endian (1 is the first)
//! 12      8     payload length in bytes, u64 little endian
//! 20      n     payload (kind- and version-specific, written with `Encoder`)
//! 20+n    4     CRC-32 (IEEE) of bytes 0..20+n, u32 little endian
//! ```
//!
//! All integers are little endian. Loading checks, in this order: the size can hold
//! a frame, the magic, the payload length against the real size, the checksum, then
//! the version (so a bit flip reads as corruption, and a genuinely newer file asks
//! for an upgrade). Payload decoders read through [`Decoder`], whose every read is
//! bounded by the bytes that remain: no allocation is sized from an unchecked
//! length. Files are written atomically: a temporary file in the same directory,
//! fsync, rename over the target, fsync of the directory.

use crate::error::{Error, Result};
use std::fs::{self, File};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

const HEADER: usize = 8 + 4 + 8;
const TRAILER: usize = 4;

/// Why a payload could not be decoded; becomes the reason of an [`Error::BadFile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

/// The result type of payload decoding.
pub type Decoded<T> = std::result::Result<T, Malformed>;

/// Appends little-endian values to a byte buffer.
#[derive(Debug, Default)]
pub struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    /// An empty encoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes one byte.
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    /// Writes a `u32`.
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// Writes a `u64`.
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// Writes an `f64` by its IEEE-754 bits.
    pub fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }

    /// Writes `u64` values without a length (the reader knows how many).
    pub fn u64s(&mut self, vs: &[u64]) {
        self.buf.reserve(vs.len() * 8);
        for &v in vs {
            self.u64(v);
        }
    }

    /// Writes bytes prefixed by their length as a `u32`.
    ///
    /// # Panics
    /// When `b` is 4 GiB or longer.
    pub fn bytes(&mut self, b: &[u8]) {
        let len = u32::try_from(b.len()).expect("encoded byte strings are shorter than 4 GiB");
        self.u32(len);
        self.buf.extend_from_slice(b);
    }

    /// Writes a string as length-prefixed UTF-8.
    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    /// The bytes written so far.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads little-endian values from a byte slice, never past its end.
#[derive(Debug)]
pub struct Decoder<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    /// A decoder at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// The next `n` bytes.
    ///
    /// # Errors
    /// When fewer than `n` bytes remain.
    pub fn take(&mut self, n: usize, what: &str) -> Decoded<&'a [u8]> {
        if n > self.remaining() {
            return Err(Malformed(format!(
                "{what} needs {n} bytes at offset {} but only {} remain",
                self.pos,
                self.remaining()
            )));
        }
        let out = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Decoded<[u8; N]> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N, what)?);
        Ok(a)
    }

    /// Reads one byte.
    ///
    /// # Errors
    /// At the end of the data.
    pub fn u8(&mut self, what: &str) -> Decoded<u8> {
        Ok(self.array::<1>(what)?[0])
    }

    /// Reads a `u32`.
    ///
    /// # Errors
    /// When fewer than 4 bytes remain.
    pub fn u32(&mut self, what: &str) -> Decoded<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    /// Reads a `u64`.
    ///
    /// # Errors
    /// When fewer than 8 bytes remain.
    pub fn u64(&mut self, what: &str) -> Decoded<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// Reads an `f64`.
    ///
    /// # Errors
    /// When fewer than 8 bytes remain.
    pub fn f64(&mut self, what: &str) -> Decoded<f64> {
        Ok(f64::from_bits(self.u64(what)?))
    }

    /// Appends `n` `u64` values to `out`, after checking they are all present.
    ///
    /// # Errors
    /// When fewer than `8 * n` bytes remain.
    pub fn u64s_into(&mut self, n: usize, out: &mut Vec<u64>, what: &str) -> Decoded<()> {
        if n.saturating_mul(8) > self.remaining() {
            return Err(Malformed(format!(
                "{what} needs {n} values at offset {} but only {} bytes remain",
                self.pos,
                self.remaining()
            )));
        }
        out.reserve(n);
        for _ in 0..n {
            out.push(self.u64(what)?);
        }
        Ok(())
    }

    /// Reads length-prefixed bytes (a `u32` length).
    ///
    /// # Errors
    /// When the length exceeds the bytes that remain.
    pub fn bytes(&mut self, what: &str) -> Decoded<&'a [u8]> {
        let n = self.u32(what)? as usize;
        self.take(n, what)
    }

    /// Reads a length-prefixed UTF-8 string.
    ///
    /// # Errors
    /// When truncated or not UTF-8.
    pub fn str(&mut self, what: &str) -> Decoded<&'a str> {
        std::str::from_utf8(self.bytes(what)?).map_err(|_| Malformed(format!("{what} is not valid UTF-8")))
    }

    /// Reads a `u64` element count and checks that `count * min_size` bytes remain,
    /// so the caller may reserve `count` elements safely.
    ///
    /// # Errors
    /// When the count cannot fit in what remains.
    pub fn count(&mut self, min_size: usize, what: &str) -> Decoded<usize> {
        let n = self.u64(what)?;
        let fits = usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_mul(min_size.max(1)).map(|b| (n, b)))
            .filter(|&(_, b)| b <= self.remaining());
        fits.map(|(n, _)| n).ok_or_else(|| {
            Malformed(format!("{what} says {n} items but only {} bytes remain", self.remaining()))
        })
    }

    /// Checks that everything was read.
    ///
    /// # Errors
    /// When bytes remain.
    pub fn finish(self) -> Decoded<()> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(Malformed(format!("{} unexpected bytes after the end of the data", self.remaining())))
        }
    }
}

/// One kind of file: its magic bytes, current version and names for messages.
#[derive(Debug, Clone, Copy)]
pub struct Format {
    /// The first 8 bytes of every file of this kind.
    pub magic: [u8; 8],
    /// The version this build writes; it reads every version from 1 up to this one.
    pub version: u32,
    /// What the file holds, e.g. "LSH index".
    pub what: &'static str,
    /// What writes it, e.g. "`LSHIndex.save`", for the foreign-file message.
    pub writer: &'static str,
}

impl Format {
    /// Frames `payload`: header, payload, checksum.
    pub fn frame(&self, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + payload.len() + TRAILER);
        out.extend_from_slice(&self.magic);
        out.extend_from_slice(&self.version.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(payload);
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Validates a frame and returns its version and payload.
    ///
    /// # Errors
    /// A reason fit for [`Error::BadFile`].
    pub fn unframe<'a>(&self, data: &'a [u8]) -> Decoded<(u32, &'a [u8])> {
        let what = self.what;
        if data.len() < HEADER + TRAILER {
            let looks_ours = data.len() >= 8 && data[..8] == self.magic;
            return Err(Malformed(if looks_ours {
                format!(
                    "the file is truncated ({} bytes, a {what} has at least {})",
                    data.len(),
                    HEADER + TRAILER
                )
            } else {
                format!(
                    "not a dedup {what} file (only {} bytes); load files written by {}",
                    data.len(),
                    self.writer
                )
            }));
        }
        if data[..8] != self.magic {
            return Err(Malformed(format!(
                "not a dedup {what} file (wrong magic bytes); load files written by {}",
                self.writer
            )));
        }
        let mut d = Decoder::new(&data[8..HEADER]);
        let version = d.u32("format version")?;
        let len = d.u64("payload length")?;
        let actual = (data.len() - HEADER - TRAILER) as u64;
        if len != actual {
            return Err(Malformed(format!(
                "the file is truncated or has trailing bytes: its header announces {len} \
                 payload bytes but {actual} are present; restore it from a backup or rebuild it"
            )));
        }
        let body = data.len() - TRAILER;
        let stored = Decoder::new(&data[body..]).u32("checksum")?;
        if crc32fast::hash(&data[..body]) != stored {
            return Err(Malformed(
                "checksum mismatch: the file is corrupt (damaged on disk or in transfer); \
                 restore it from a backup or rebuild it"
                    .into(),
            ));
        }
        if version == 0 {
            return Err(Malformed("invalid format version 0".into()));
        }
        if version > self.version {
            return Err(Malformed(format!(
                "written by a newer dedup (format version {version}; this dedup reads versions \
                 up to {}): upgrade dedup to load it",
                self.version
            )));
        }
        Ok((version, &data[HEADER..body]))
    }

    /// Decodes framed bytes with `decode(version, payload)`, which must read the whole
    /// payload. `path` only names the source in errors.
    ///
    /// # Errors
    /// [`Error::BadFile`] for any violation.
    pub fn decode<T>(
        &self,
        path: &str,
        data: &[u8],
        decode: impl FnOnce(u32, &mut Decoder<'_>) -> Decoded<T>,
    ) -> Result<T> {
        let bad = |m: Malformed| Error::BadFile { path: path.to_owned(), reason: m.0 };
        let (version, payload) = self.unframe(data).map_err(bad)?;
        let mut d = Decoder::new(payload);
        let value = decode(version, &mut d).map_err(|m| {
            bad(Malformed(format!("corrupt {} (format version {version}): {}", self.what, m.0)))
        })?;
        d.finish().map_err(bad)?;
        Ok(value)
    }

    /// Frames `payload` and writes it to `path` atomically.
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails; the target is then left as it was.
    pub fn save(&self, path: &Path, payload: &[u8]) -> Result<()> {
        write_atomic(path, &self.frame(payload))
    }

    /// Reads `path` and decodes it like [`Format::decode`].
    ///
    /// # Errors
    /// [`Error::Io`] when reading fails (kind `NotFound` for a missing file);
    /// [`Error::BadFile`] when the content is not valid.
    pub fn load<T>(
        &self,
        path: &Path,
        decode: impl FnOnce(u32, &mut Decoder<'_>) -> Decoded<T>,
    ) -> Result<T> {
        let name = path.display().to_string();
        let data = fs::read(path).map_err(|source| Error::Io { path: name.clone(), source })?;
        self.decode(&name, &data, decode)
    }
}

/// Writes `data` to `path` atomically: a temporary file in the same directory is
/// written and synced, then renamed over `path`, then the directory is synced.
///
/// # Errors
/// [`Error::Io`]; the temporary file is removed on failure.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let io = |source| Error::Io { path: path.display().to_string(), source };
    let name = path
        .file_name()
        .ok_or_else(|| io(std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file")))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let write = || -> std::io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    };
    if let Err(e) = write() {
        let _ = fs::remove_file(&tmp);
        return Err(io(e));
    }
    sync_dir(dir).map_err(io)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FMT: Format = Format { magic: *b"DEDUPTST", version: 2, what: "test file", writer: "the tests" };

    fn reason(r: Result<()>) -> String {
        match r {
            Err(Error::BadFile { reason, .. }) => reason,
            other => panic!("expected BadFile, got {other:?}"),
        }
    }

    fn decode_str(data: &[u8]) -> Result<()> {
        FMT.decode("<bytes>", data, |_, d| d.str("s").map(|_| ()))
    }

    #[test]
    fn codec_round_trip() {
        let mut e = Encoder::new();
        e.u8(7);
        e.u32(0xDEAD_BEEF);
        e.u64(u64::MAX);
        e.f64(0.25);
        e.str("héllo");
        e.u64s(&[1, 2, 3]);
        let buf = e.finish();
        let mut d = Decoder::new(&buf);
        assert_eq!(d.u8("a").unwrap(), 7);
        assert_eq!(d.u32("b").unwrap(), 0xDEAD_BEEF);
        assert_eq!(d.u64("c").unwrap(), u64::MAX);
        assert!((d.f64("d").unwrap() - 0.25).abs() < f64::EPSILON);
        assert_eq!(d.str("e").unwrap(), "héllo");
        let mut v = Vec::new();
        d.u64s_into(3, &mut v, "f").unwrap();
        assert_eq!(v, [1, 2, 3]);
        d.finish().unwrap();
    }

    #[test]
    fn counts_are_checked_against_remaining_bytes() {
        let mut e = Encoder::new();
        e.u64(u64::MAX);
        e.u64(0);
        let buf = e.finish();
        let mut d = Decoder::new(&buf);
        assert!(d.count(1, "n").is_err());
        let mut d = Decoder::new(&buf[8..]);
        assert_eq!(d.count(100, "n").unwrap(), 0);
    }

    #[test]
    fn frame_violations_have_actionable_reasons() {
        let mut e = Encoder::new();
        e.str("x");
        let good = FMT.frame(&e.finish());
        decode_str(&good).unwrap();

        assert!(reason(decode_str(b"\x80\x04pickle")).contains("not a dedup test file"));
        let mut foreign = good.clone();
        foreign[0] = b'X';
        assert!(reason(decode_str(&foreign)).contains("wrong magic"));
        assert!(reason(decode_str(&good[..good.len() - 1])).contains("truncated"));
        let mut flipped = good.clone();
        flipped[21] ^= 1;
        assert!(reason(decode_str(&flipped)).contains("checksum"));

        let newer = Format { version: 9, ..FMT }.frame(b"");
        assert!(reason(decode_str(&newer)).contains("upgrade dedup"));
        let mut trailing = FMT.frame(&{
            let mut e = Encoder::new();
            e.str("x");
            e.u8(0);
            e.finish()
        });
        assert!(reason(decode_str(&trailing)).contains("unexpected bytes"));
        trailing.truncate(3);
        assert!(reason(decode_str(&trailing)).contains("not a dedup"));
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporaries() {
        let dir = std::env::temp_dir().join(format!("dedup-store-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let p = dir.join("f.bin");
        FMT.save(&p, b"one").unwrap();
        FMT.save(&p, b"two").unwrap();
        let back = FMT.load(&p, |_, d| Ok(d.take(3, "x")?.to_vec())).unwrap();
        assert_eq!(back, b"two");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        let missing = FMT.load(&dir.join("nope"), |_, _| Ok(()));
        assert!(
            matches!(missing, Err(Error::Io { ref source, .. }) if source.kind() == std::io::ErrorKind::NotFound)
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
