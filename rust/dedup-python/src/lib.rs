//! Python bindings of `dedup-core`: argument conversion, GIL release and error
//! mapping only. Everything that does work lives in the core crate.

// PyO3 hands arguments over by value; taking references would not avoid a copy.
#![allow(clippy::needless_pass_by_value)]

mod convert;
mod errors;
mod gil;
mod jsonl;
mod lsh;
mod minhash;
mod news;
mod stages;
mod text;

use pyo3::prelude::*;

// The core allocates many short-lived vectors per page in parallel; mimalloc's
// thread-local heaps keep that from serialising on the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The compiled core of `dedup`. Import from `dedup`, not from here.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    text::register(m)?;
    minhash::register(m)?;
    news::register(m)?;
    lsh::register(m)?;
    stages::register(m)?;
    jsonl::register(m)?;
    Ok(())
}
