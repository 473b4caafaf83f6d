//! Interrupting long work from outside (Ctrl-C in Python).
//!
//! Long loops of the pipeline call [`check`] now and then (per chunk of pages or
//! pairs: a relaxed atomic load). Once [`request`] was called, the next check
//! unwinds with an [`Interrupted`] payload, which the caller catches with
//! `std::panic::catch_unwind` (parallel loops carry it back to their caller). Work
//! interrupted this way leaves nothing half-built: the corpus caches its analysis
//! only once it is complete. The request is process-wide, as a Ctrl-C is, so it
//! interrupts every call running at the time; [`clear`] ends it.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// The payload a [`check`] unwinds with once an interrupt was requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// Asks running work to stop at its next check.
pub fn request() {
    REQUESTED.store(true, Ordering::Relaxed);
}

/// Ends an interrupt request.
pub fn clear() {
    REQUESTED.store(false, Ordering::Relaxed);
}

/// Whether an interrupt was requested.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}

/// Unwinds with [`Interrupted`] if an interrupt was requested.
#[inline]
pub fn check() {
    if requested() {
        std::panic::resume_unwind(Box::new(Interrupted));
    }
}

/// [`check`] at every 4096th step `i` of a serial loop: a check is a load, but a
/// loop over millions of items has no other work to amortise it over.
#[inline]
pub fn check_every(i: usize) {
    if i % 4096 == 0 {
        check();
    }
}

/// `items`, with [`check_every`] before each: for serial loops that need no
/// index of their own.
pub fn checked<I: IntoIterator>(items: I) -> impl Iterator<Item = I::Item> {
    items.into_iter().enumerate().map(|(i, x)| {
        check_every(i);
        x
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn a_requested_interrupt_unwinds_out_of_a_parallel_loop() {
        // Process-wide: this test is the only one that requests an interrupt.
        request();
        let r = std::panic::catch_unwind(|| {
            (0..1000)
                .into_par_iter()
                .map(|i| {
                    check();
                    i
                })
                .sum::<u64>()
        });
        clear();
        let payload = r.expect_err("interrupted");
        assert!(payload.downcast_ref::<Interrupted>().is_some());
        assert_eq!(
            (0..10)
                .into_par_iter()
                .map(|i| {
                    check();
                    i
                })
                .sum::<u64>(),
            45
        );
    }
}
