//! `MinHasher` and `estimate_jaccard`.

use crate::convert;
use crate::errors::IntoPyResult;
use crate::gil::detach;
use crate::text::PyShingler;
use dedup_core::{MinHasher, NormalizeOptions, Scheme, Shingler, Unit};
use numpy::{IntoPyArray, PyArrayMethods};
use pyo3::prelude::*;

/// Computes MinHash signatures, from raw text or from given shingles.
#[pyclass(name = "MinHasher", module = "dedup", frozen)]
pub struct PyMinHasher {
    pub inner: MinHasher,
    pub shingler: Shingler,
}

impl PyMinHasher {
    /// Signature rows as a numpy array of the scheme's dtype (uint32 for
    /// `affine32`, as datasketch stores it; uint64 otherwise).
    fn to_array<'py>(&self, py: Python<'py>, flat: Vec<u64>, rows: usize) -> PyResult<Bound<'py, PyAny>> {
        let cols = self.inner.num_perm();
        if self.inner.scheme() == Scheme::Affine32 {
            let narrow: Vec<u32> = flat.into_iter().map(|v| v as u32).collect();
            Ok(narrow.into_pyarray(py).reshape([rows, cols])?.into_any())
        } else {
            Ok(flat.into_pyarray(py).reshape([rows, cols])?.into_any())
        }
    }
}

#[pymethods]
impl PyMinHasher {
    #[new]
    #[pyo3(signature = (*, num_perm = 128, seed = 1, scheme = "fast", shingler = None))]
    fn new(
        py: Python<'_>,
        num_perm: usize,
        seed: u64,
        scheme: &str,
        shingler: Option<&Bound<'_, PyShingler>>,
    ) -> PyResult<Self> {
        let scheme = Scheme::parse(scheme).py()?;
        let shingler = match shingler {
            Some(s) => s.get().inner,
            None => Shingler::new(Unit::Word, 5, NormalizeOptions::default()).py()?,
        };
        let inner = if scheme == Scheme::Fast {
            MinHasher::fast(num_perm, seed).py()?
        } else {
            if num_perm == 0 || num_perm > 65536 {
                return Err(crate::errors::to_py(dedup_core::Error::invalid_number(
                    "num_perm",
                    "between 1 and 65536",
                    num_perm,
                )));
            }
            // datasketch draws its permutations from numpy's RandomState; drawing them
            // with numpy itself is the only way to stay bit-identical across versions.
            let (a, b): (Vec<u64>, Vec<u64>) = py
                .import("dedup._compat")?
                .call_method1("datasketch_permutations", (scheme.name(), num_perm, seed))?
                .extract()?;
            MinHasher::datasketch(scheme, seed, a, b).py()?
        };
        Ok(Self { inner, shingler })
    }

    #[getter]
    fn num_perm(&self) -> usize {
        self.inner.num_perm()
    }

    #[getter]
    fn seed(&self) -> u64 {
        self.inner.seed()
    }

    #[getter]
    fn scheme(&self) -> &'static str {
        self.inner.scheme().name()
    }

    #[getter]
    fn shingler(&self) -> PyShingler {
        PyShingler { inner: self.shingler }
    }

    /// Signatures of `texts`, one row each, computed in parallel without the GIL.
    fn signatures<'py>(&self, py: Python<'py>, texts: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let texts = convert::texts(py, texts, "texts")?;
        let n = texts.len();
        let flat = detach(py, || self.inner.sign_texts(&self.shingler, &texts))?;
        self.to_array(py, flat, n)
    }

    /// Signatures of given shingle lists (each shingle `str` or `bytes`).
    fn signatures_from_shingles<'py>(
        &self,
        py: Python<'py>,
        shingle_lists: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let lists = convert::shingle_lists(py, shingle_lists)?;
        let n = lists.len();
        let flat = detach(py, || self.inner.sign_packed(&lists))?;
        self.to_array(py, flat, n)
    }

    fn __repr__(&self) -> String {
        format!(
            "MinHasher(num_perm={}, seed={}, scheme='{}', shingler={})",
            self.inner.num_perm(),
            self.inner.seed(),
            self.inner.scheme().name(),
            PyShingler { inner: self.shingler }.repr()
        )
    }

    fn __getnewargs_ex__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
        let kw = pyo3::types::PyDict::new(py);
        kw.set_item("num_perm", self.inner.num_perm())?;
        kw.set_item("seed", self.inner.seed())?;
        kw.set_item("scheme", self.inner.scheme().name())?;
        kw.set_item("shingler", PyShingler { inner: self.shingler })?;
        Ok((pyo3::types::PyTuple::empty(py).into_any().unbind(), kw.into_any().unbind()))
    }
}

/// Estimated Jaccard similarity of two signatures of one `MinHasher`.
#[pyfunction]
fn estimate_jaccard(py: Python<'_>, sig_a: &Bound<'_, PyAny>, sig_b: &Bound<'_, PyAny>) -> PyResult<f64> {
    let a = convert::signature(py, sig_a, "sig_a")?;
    let b = convert::signature(py, sig_b, "sig_b")?;
    dedup_core::estimate_jaccard(&a, &b).py()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMinHasher>()?;
    m.add_function(wrap_pyfunction!(estimate_jaccard, m)?)
}
