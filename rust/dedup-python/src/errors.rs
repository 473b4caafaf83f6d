//! Maps core errors to the Python exception hierarchy in `dedup.errors`.
//!
//! The classes are defined in Python because each must subclass both
//! `dedup.DedupError` and a builtin (`ValueError`, `TypeError`, `OSError`), which
//! `create_exception!` cannot express.

use dedup_core::Error;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyType;

/// Raises the `dedup.errors` class `name` with `msg`.
pub fn raise(py: Python<'_>, name: &str, msg: String) -> PyErr {
    match py.import("dedup.errors").and_then(|m| m.getattr(name)) {
        Ok(cls) => match cls.cast_into::<PyType>() {
            Ok(ty) => PyErr::from_type(ty, msg),
            Err(_) => PyRuntimeError::new_err(msg),
        },
        Err(e) => e,
    }
}

/// Converts a core error.
#[allow(clippy::needless_pass_by_value)] // by value so `map_err(to_py)` reads well
pub fn to_py(err: Error) -> PyErr {
    Python::attach(|py| {
        let name = match &err {
            Error::InvalidOption { .. } => "InvalidOptionError",
            Error::InvalidInput(_) => "InvalidInputError",
            Error::BadFile { .. } => "FileFormatError",
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                "StoreNotFoundError"
            }
            Error::Io { .. } => "StorageError",
        };
        raise(py, name, err.to_string())
    })
}

/// `?`-friendly conversion of core results.
pub trait IntoPyResult<T> {
    /// Maps the error to its Python exception.
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for dedup_core::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}
