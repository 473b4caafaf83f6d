//! Python bindings of `dedup-core`: argument conversion, GIL release and error
//! mapping only. Everything that does work lives in the core crate.

mod convert;
mod errors;
mod lsh;
mod minhash;
mod text;

use pyo3::prelude::*;

/// The compiled core of `dedup`. Import from `dedup`, not from here.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    text::register(m)?;
    minhash::register(m)?;
    lsh::register(m)?;
    Ok(())
}
