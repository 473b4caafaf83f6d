//! `LSHIndex`: the MinHash LSH index and its persistence.

use crate::convert;
use crate::errors::{raise, IntoPyResult};
use crate::gil::detach;
use dedup_core::{optimal_params, Error, Hit, LshConfig, LshIndex, DEFAULT_MAX_BUCKET};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use std::path::PathBuf;

/// A MinHash LSH index of signatures under `str` keys.
#[pyclass(name = "LSHIndex", module = "dedup")]
pub struct PyLshIndex {
    inner: LshIndex,
}

/// A non-negative integer option, or an `InvalidOptionError` that names it.
fn count(name: &'static str, v: i64, expected: &str) -> PyResult<usize> {
    usize::try_from(v).map_err(|_| crate::errors::to_py(Error::invalid_number(name, expected, v)))
}

#[pymethods]
impl PyLshIndex {
    #[new]
    #[pyo3(signature = (
        threshold = 0.5, num_perm = 128, *, bands = None, rows = None, weights = (0.5, 0.5),
        max_bucket = DEFAULT_MAX_BUCKET as i64,
    ),
    text_signature = "(threshold=0.5, num_perm=128, *, bands=None, rows=None, weights=(0.5, 0.5), max_bucket=1000)"
    )]
    fn new(
        py: Python<'_>,
        threshold: f64,
        num_perm: i64,
        bands: Option<i64>,
        rows: Option<i64>,
        weights: (f64, f64),
        max_bucket: i64,
    ) -> PyResult<Self> {
        let num_perm = count("num_perm", num_perm, "between 1 and 65536")?;
        let max_bucket = count("max_bucket", max_bucket, "at least 1")?;
        let (bands, rows) = match (bands, rows) {
            (Some(b), Some(r)) => (count("bands", b, "at least 1")?, count("rows", r, "at least 1")?),
            (None, None) => detach(py, || optimal_params(threshold, num_perm, weights.0, weights.1))?.py()?,
            _ => {
                return Err(raise(
                    py,
                    "InvalidOptionError",
                    "`bands` and `rows` must be given together (or neither, to choose them \
                     from `threshold` and `weights`)"
                        .into(),
                ))
            }
        };
        let config = LshConfig { num_perm, bands, rows, threshold, max_bucket };
        Ok(Self { inner: LshIndex::new(config).py()? })
    }

    #[getter]
    fn threshold(&self) -> f64 {
        self.inner.config().threshold
    }

    #[getter]
    fn num_perm(&self) -> usize {
        self.inner.config().num_perm
    }

    #[getter]
    fn bands(&self) -> usize {
        self.inner.config().bands
    }

    #[getter]
    fn rows(&self) -> usize {
        self.inner.config().rows
    }

    #[getter]
    fn max_bucket(&self) -> usize {
        self.inner.config().max_bucket
    }

    /// Number of buckets that rejected a key because they were full.
    #[getter]
    fn saturated_buckets(&self) -> usize {
        self.inner.saturated_buckets()
    }

    /// Adds `key` with signature `sig`.
    fn insert(&mut self, py: Python<'_>, key: &Bound<'_, PyAny>, sig: &Bound<'_, PyAny>) -> PyResult<()> {
        let key = convert::text(py, key, "key")?;
        let sig = convert::signature(py, sig, "sig")?;
        self.inner.insert(&key, &sig).py()
    }

    /// Adds many keys with their signatures (one row each); all or nothing.
    fn insert_many(
        &mut self,
        py: Python<'_>,
        keys: &Bound<'_, PyAny>,
        sigs: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let keys = convert::texts(py, keys, "keys")?;
        let flat = self.rows_of(py, sigs, Some(keys.len()))?;
        let inner = &mut self.inner;
        detach(py, || inner.insert_many(&keys, &flat))?.py()
    }

    /// Removes `key`.
    fn remove(&mut self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<()> {
        let key = convert::text(py, key, "key")?;
        self.inner.remove(&key).py()
    }

    /// Whether `key` is indexed.
    fn contains(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.contains(&convert::text(py, key, "key")?))
    }

    fn __contains__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.contains(py, key)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// The keys, in no particular order.
    fn keys(&self) -> Vec<&str> {
        self.inner.keys().collect()
    }

    /// Candidate keys sharing a band with `sig` and their estimated Jaccard
    /// similarity, best first.
    #[pyo3(signature = (sig, *, min_similarity = None))]
    fn query(
        &self,
        py: Python<'_>,
        sig: &Bound<'_, PyAny>,
        min_similarity: Option<f64>,
    ) -> PyResult<Vec<Hit>> {
        let sig = convert::signature(py, sig, "sig")?;
        self.inner.query(&sig, min_similarity).py()
    }

    /// `query` for each row of `sigs`, in parallel without the GIL.
    #[pyo3(signature = (sigs, *, min_similarity = None))]
    fn query_many(
        &self,
        py: Python<'_>,
        sigs: &Bound<'_, PyAny>,
        min_similarity: Option<f64>,
    ) -> PyResult<Vec<Vec<Hit>>> {
        let flat = self.rows_of(py, sigs, None)?;
        detach(py, || self.inner.query_many(&flat, min_similarity))?.py()
    }

    /// Writes the index to `path` atomically.
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        detach(py, move || self.inner.save(&path))?.py()
    }

    /// Reads an index written by `save`; the file is validated, never executed.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let inner = detach(py, move || LshIndex::load(&path))?.py()?;
        Ok(Self { inner })
    }

    /// The index in the file format, as bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// An index from `to_bytes` output, validated like a file.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        let inner = detach(py, || LshIndex::from_bytes(data))?.py()?;
        Ok(Self { inner })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let state = slf.borrow().to_bytes(py);
        PyTuple::new(py, [slf.get_type().into_any(), PyTuple::empty(py).into_any(), state.into_any()])
    }

    fn __setstate__(&mut self, py: Python<'_>, state: &[u8]) -> PyResult<()> {
        self.inner = detach(py, || LshIndex::from_bytes(state))?.py()?;
        Ok(())
    }

    fn __repr__(&self) -> String {
        let c = self.inner.config();
        format!(
            "LSHIndex(threshold={:?}, num_perm={}, bands={}, rows={}, max_bucket={}) with {} keys",
            c.threshold,
            c.num_perm,
            c.bands,
            c.rows,
            c.max_bucket,
            self.inner.len()
        )
    }
}

impl PyLshIndex {
    /// Signature rows as one row-major buffer, checked against `num_perm` and, when
    /// given, the expected row count.
    fn rows_of(&self, py: Python<'_>, sigs: &Bound<'_, PyAny>, expect: Option<usize>) -> PyResult<Vec<u64>> {
        let (flat, n_rows, n_cols) = convert::signature_rows(py, sigs, "sigs")?;
        let num_perm = self.inner.config().num_perm;
        if n_cols != num_perm && n_rows > 0 {
            return Err(raise(
                py,
                "InvalidInputError",
                format!("sigs has rows of {n_cols} values, expected num_perm = {num_perm}"),
            ));
        }
        if let Some(n) = expect.filter(|&n| n != n_rows) {
            return Err(raise(
                py,
                "InvalidInputError",
                format!("keys has {n} items but sigs has {n_rows} rows"),
            ));
        }
        Ok(flat)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyLshIndex>()
}
