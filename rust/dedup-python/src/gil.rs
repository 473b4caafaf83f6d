//! Running core work without the GIL, without letting a panic escape, and, for long
//! work, with Ctrl-C honoured.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use dedup_core::interrupt::{self, Interrupted};
use pyo3::prelude::*;

use crate::errors::raise;

/// How often long work looks for a pending Ctrl-C.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// Runs `f` with the GIL released, so other Python threads go on meanwhile. A panic
/// in `f` (a bug in dedup) becomes `dedup.InternalError` instead of PyO3's
/// `PanicException`, which derives from `BaseException` and escapes `except
/// Exception`.
pub fn detach<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    py.detach(|| catch_unwind(AssertUnwindSafe(f))).map_err(|payload| panic_error(py, &*payload))
}

/// [`detach`] for work that may take long (an analysis of the corpus, tokenising a
/// batch): `f` runs on a worker thread while this thread checks for signals every
/// [`SIGNAL_POLL`]. On Ctrl-C the core is asked to stop at its next check, and the
/// `KeyboardInterrupt` is raised once it has; nothing half-built is kept.
pub fn detach_interruptible<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    let (result, signal) = py.detach(|| {
        std::thread::scope(|s| {
            let waiting = std::thread::current();
            let worker = s.spawn(move || {
                let out = catch_unwind(AssertUnwindSafe(f));
                // Wake the waiting thread now rather than at its next poll: short
                // calls return at once.
                waiting.unpark();
                out
            });
            let mut signal: Option<PyErr> = None;
            while !worker.is_finished() {
                std::thread::park_timeout(SIGNAL_POLL);
                if signal.is_none() {
                    #[allow(clippy::redundant_closure_for_method_calls)]
                    // a method path is not general over the lifetime
                    if let Err(e) = Python::attach(|py| py.check_signals()) {
                        interrupt::request();
                        signal = Some(e);
                    }
                }
            }
            (worker.join().expect("the worker catches its panics"), signal)
        })
    });
    if let Some(e) = signal {
        interrupt::clear();
        return Err(e);
    }
    result.map_err(|payload| panic_error(py, &*payload))
}

fn panic_error(py: Python<'_>, payload: &(dyn std::any::Any + Send)) -> PyErr {
    if payload.downcast_ref::<Interrupted>().is_some() {
        // Interrupted on behalf of another call's Ctrl-C: this call is cut short too.
        return pyo3::exceptions::PyKeyboardInterrupt::new_err("interrupted");
    }
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    raise(py, "InternalError", format!("internal error in dedup (a bug; please report it): {what}"))
}
