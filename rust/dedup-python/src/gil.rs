//! Running core work without the GIL, and without letting a panic escape.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::prelude::*;

use crate::errors::raise;

/// Runs `f` with the GIL released, so other Python threads go on meanwhile. A panic
/// in `f` (a bug in dedup) becomes `dedup.InternalError` instead of PyO3's
/// `PanicException`, which derives from `BaseException` and escapes `except
/// Exception`.
pub fn detach<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    py.detach(|| catch_unwind(AssertUnwindSafe(f))).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        raise(py, "InternalError", format!("internal error in dedup (a bug; please report it): {what}"))
    })
}
