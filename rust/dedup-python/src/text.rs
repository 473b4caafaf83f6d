//! `Shingler` and the normalisation helpers.

use crate::convert;
use crate::errors::IntoPyResult;
use crate::gil::detach;
use dedup_core::{NormalizeOptions, Shingler, Unit};
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;

/// Turns text into word or character k-gram shingles.
#[pyclass(name = "Shingler", module = "dedup", frozen)]
#[derive(Clone)]
pub struct PyShingler {
    pub inner: Shingler,
}

impl PyShingler {
    pub fn repr(&self) -> String {
        format!(
            "Shingler(unit='{}', k={}, case_fold={}, strip_accents={})",
            self.inner.unit.name(),
            self.inner.k,
            if self.inner.opts.case_fold { "True" } else { "False" },
            if self.inner.opts.strip_accents { "True" } else { "False" },
        )
    }
}

#[pymethods]
impl PyShingler {
    #[new]
    #[pyo3(signature = (*, unit = "word", k = 5, case_fold = true, strip_accents = false))]
    fn new(unit: &str, k: usize, case_fold: bool, strip_accents: bool) -> PyResult<Self> {
        let opts = NormalizeOptions { case_fold, strip_accents };
        Ok(Self { inner: Shingler::new(Unit::parse(unit).py()?, k, opts).py()? })
    }

    #[getter]
    fn unit(&self) -> &'static str {
        self.inner.unit.name()
    }

    #[getter]
    fn k(&self) -> usize {
        self.inner.k
    }

    #[getter]
    fn case_fold(&self) -> bool {
        self.inner.opts.case_fold
    }

    #[getter]
    fn strip_accents(&self) -> bool {
        self.inner.opts.strip_accents
    }

    /// The shingles of `text` as strings, in text order (repeats kept).
    fn shingles(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        let text = convert::text(py, text, "text")?;
        detach(py, || self.inner.shingles(&text))
    }

    /// The seeded 64-bit hashes of the shingles of `text`, in text order.
    #[pyo3(signature = (text, *, seed = 1))]
    fn hashes<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
        seed: u64,
    ) -> PyResult<Bound<'py, PyArray1<u64>>> {
        let text = convert::text(py, text, "text")?;
        Ok(detach(py, || self.inner.hashes(&text, seed))?.into_pyarray(py))
    }

    /// The text as it is shingled: normalised tokens joined by single spaces.
    fn normalize(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<String> {
        let text = convert::text(py, text, "text")?;
        detach(py, || dedup_core::normalize(&text, self.inner.opts))
    }

    fn __repr__(&self) -> String {
        self.repr()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Self>().is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __hash__(&self) -> u64 {
        (self.inner.k as u64) << 3
            | u64::from(self.inner.unit == Unit::Char) << 2
            | u64::from(self.inner.opts.case_fold) << 1
            | u64::from(self.inner.opts.strip_accents)
    }

    fn __getnewargs_ex__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
        let kw = pyo3::types::PyDict::new(py);
        kw.set_item("unit", self.inner.unit.name())?;
        kw.set_item("k", self.inner.k)?;
        kw.set_item("case_fold", self.inner.opts.case_fold)?;
        kw.set_item("strip_accents", self.inner.opts.strip_accents)?;
        Ok((pyo3::types::PyTuple::empty(py).into_any().unbind(), kw.into_any().unbind()))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyShingler>()
}
