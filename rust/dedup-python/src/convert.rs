//! Conversions from Python arguments, with errors that say what to do.

use crate::errors::raise;
use dedup_core::PackedShingles;
use numpy::{PyArray1, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyString};

/// Extracts a sequence of `str` without copying the text.
pub fn texts(py: Python<'_>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<PyBackedStr>> {
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(raise(
            py,
            "InputTypeError",
            format!("{what} must be a sequence of str, got a single {}", type_name(obj)),
        ));
    }
    let mut out = Vec::new();
    for (i, item) in obj.try_iter()?.enumerate() {
        // The item's name is formatted only for an error message.
        out.push(text(py, &item?, format_args!("{what}[{i}]"))?);
    }
    Ok(out)
}

/// Extracts one `str`, with a hint for `bytes` and for lone surrogates.
pub fn text(py: Python<'_>, item: &Bound<'_, PyAny>, what: impl std::fmt::Display) -> PyResult<PyBackedStr> {
    if let Ok(s) = item.cast::<PyString>() {
        return s.clone().try_into().map_err(|_| {
            raise(
                py,
                "InvalidInputError",
                format!(
                    "{what} contains lone surrogate code points that are not valid Unicode text; \
                 clean it first, e.g. text.encode('utf-8', 'replace').decode('utf-8')"
                ),
            )
        });
    }
    if item.is_instance_of::<PyBytes>() {
        return Err(raise(
            py,
            "InputTypeError",
            format!("{what} is bytes; decode it to str first, e.g. data.decode('utf-8')"),
        ));
    }
    Err(raise(py, "InputTypeError", format!("{what} must be str, got {}", type_name(item))))
}

/// Extracts shingles given as `str` (UTF-8 encoded) or `bytes`, copied once into a
/// packed buffer.
pub fn shingle_lists(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<PackedShingles> {
    let mut out = PackedShingles::default();
    for (i, list) in obj.try_iter()?.enumerate() {
        let list = list?;
        if list.is_instance_of::<PyString>() || list.is_instance_of::<PyBytes>() {
            return Err(raise(
                py,
                "InputTypeError",
                format!("shingle_lists[{i}] must be a list of shingles, got a single {}", type_name(&list)),
            ));
        }
        for (j, s) in list.try_iter()?.enumerate() {
            let s = s?;
            if let Ok(b) = s.cast::<PyBytes>() {
                out.push_shingle(b.as_bytes());
            } else if let Ok(t) = s.cast::<PyString>() {
                match t.to_str() {
                    Ok(t) => out.push_shingle(t.as_bytes()),
                    // Not UTF-8 encodable (lone surrogates): `text` phrases the error.
                    Err(_) => {
                        out.push_shingle(text(py, &s, format_args!("shingle_lists[{i}][{j}]"))?.as_bytes());
                    }
                }
            } else {
                return Err(raise(
                    py,
                    "InputTypeError",
                    format!("shingle_lists[{i}][{j}] must be str or bytes, got {}", type_name(&s)),
                ));
            }
        }
        out.end_list();
    }
    Ok(out)
}

/// Extracts a one-dimensional signature as `u64` values, from any array-like of
/// non-negative integers (numpy arrays of uint32 or uint64 typically).
pub fn signature(py: Python<'_>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u64>> {
    let np = py.import("numpy")?;
    let arr = np.call_method1("asarray", (obj,))?;
    let kind: String = arr.getattr("dtype")?.getattr("kind")?.extract()?;
    if kind != "u" && kind != "i" {
        return Err(raise(
            py,
            "InputTypeError",
            format!(
                "{what} must be an array of unsigned integers (a MinHash signature), got dtype {}",
                arr.getattr("dtype")?.str()?
            ),
        ));
    }
    reject_negative(py, &np, &arr, &kind, what)?;
    let arr = np.call_method1("ascontiguousarray", (arr, np.getattr("uint64")?))?;
    let arr = arr
        .cast_into::<PyArray1<u64>>()
        .map_err(|_| raise(py, "InvalidInputError", format!("{what} must be one-dimensional")))?;
    let ro = arr.readonly();
    if ro.len() == 0 {
        return Err(raise(py, "InvalidInputError", format!("{what} is empty")));
    }
    Ok(ro.as_slice()?.to_vec())
}

/// Signed integer arrays are accepted as long as no value is negative.
fn reject_negative(
    py: Python<'_>,
    np: &Bound<'_, PyModule>,
    arr: &Bound<'_, PyAny>,
    kind: &str,
    what: &str,
) -> PyResult<()> {
    if kind == "i" && np.call_method1("any", (np.call_method1("less", (arr, 0))?,))?.is_truthy()? {
        return Err(raise(
            py,
            "InvalidInputError",
            format!("{what} has negative values; signatures are unsigned"),
        ));
    }
    Ok(())
}

/// Extracts a two-dimensional batch of signatures, row-major.
pub fn signature_rows(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    what: &str,
) -> PyResult<(Vec<u64>, usize, usize)> {
    let np = py.import("numpy")?;
    let arr = np.call_method1("asarray", (obj,))?;
    let kind: String = arr.getattr("dtype")?.getattr("kind")?.extract()?;
    let ndim: usize = arr.getattr("ndim")?.extract()?;
    if (kind != "u" && kind != "i") || ndim != 2 {
        return Err(raise(
            py,
            "InputTypeError",
            format!(
                "{what} must be a 2-D array of unsigned integers (one signature a row), got {}-D dtype {}",
                ndim,
                arr.getattr("dtype")?.str()?
            ),
        ));
    }
    reject_negative(py, &np, &arr, &kind, what)?;
    let shape: (usize, usize) = arr.getattr("shape")?.extract()?;
    let flat =
        np.call_method1("ascontiguousarray", (arr.call_method1("reshape", (-1,))?, np.getattr("uint64")?))?;
    let flat = flat.cast_into::<PyArray1<u64>>()?;
    let ro = flat.readonly();
    Ok((ro.as_slice()?.to_vec(), shape.0, shape.1))
}

pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map_or_else(|_| "object".into(), |n| n.to_string())
}
