//! JSON lines read by the core ([`dedup_core::jsonl`]): a reader of chunks, and
//! a chunk whose texts stay in Rust until the core tokenises them.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use dedup_core::jsonl::{Fields, JsonLines, Record};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::gil::detach;

/// Reads a file of JSON lines a chunk of records at a time, without the GIL.
#[pyclass(name = "JsonLinesReader", module = "dedup._core")]
pub struct PyJsonLinesReader {
    inner: JsonLines<BufReader<File>>,
}

#[pymethods]
impl PyJsonLinesReader {
    /// Opens `path`; each record's `text_field` is parsed in Rust, and `id_field`
    /// and `others`, when present, are handed over as a JSON object.
    #[new]
    fn new(path: PathBuf, text_field: String, id_field: String, others: Vec<String>) -> PyResult<Self> {
        let file = File::open(&path)?;
        let fields = Fields::new(text_field, id_field, others);
        Ok(Self { inner: JsonLines::new(BufReader::with_capacity(1 << 20, file), fields) })
    }

    /// The next chunk of up to `max` records, or None after the last. Raises
    /// `OSError` when the file cannot be read.
    fn next_chunk(&mut self, py: Python<'_>, max: usize) -> PyResult<Option<PyJsonChunk>> {
        let inner = &mut self.inner;
        let chunk = detach(py, || inner.next_chunk(max))??;
        Ok(chunk.map(|c| {
            let n = c.records.len();
            let mut out = PyJsonChunk {
                texts: Vec::with_capacity(n),
                chars: Vec::with_capacity(n),
                others: Vec::with_capacity(n),
                raws: Vec::with_capacity(n),
                lines: c.lines,
            };
            for r in c.records {
                match r {
                    Record::Plain { text, chars, others } => {
                        out.texts.push(text);
                        out.chars.push(chars);
                        out.others.push(Some(others));
                        out.raws.push(None);
                    }
                    Record::Raw(line) => {
                        out.texts.push(String::new());
                        out.chars.push(0);
                        out.others.push(None);
                        out.raws.push(Some(line));
                    }
                }
            }
            out
        }))
    }
}

/// Consecutive records of a JSON lines file. A record read plainly has its text
/// here and its other fields in `others`; a record the core did not take plainly
/// (`others` None) is parsed by the caller from `raw(i)`, which then gives its
/// text with `put(i, text)`.
#[pyclass(name = "JsonChunk", module = "dedup._core")]
pub struct PyJsonChunk {
    pub(crate) texts: Vec<String>,
    chars: Vec<usize>,
    others: Vec<Option<Vec<u8>>>,
    raws: Vec<Option<Vec<u8>>>,
    lines: Vec<u64>,
}

#[pymethods]
impl PyJsonChunk {
    fn __len__(&self) -> usize {
        self.texts.len()
    }

    /// Each record's line number in the file (from 1).
    #[getter]
    fn lines(&self) -> Vec<u64> {
        self.lines.clone()
    }

    /// Each text's length in characters (0 for a record parsed by the caller).
    #[getter]
    fn chars(&self) -> Vec<usize> {
        self.chars.clone()
    }

    /// Each record's id and other wanted fields as a JSON object, or None for a
    /// record the caller parses.
    #[getter]
    fn others<'py>(&self, py: Python<'py>) -> Vec<Option<Bound<'py, PyBytes>>> {
        self.others.iter().map(|o| o.as_deref().map(|b| PyBytes::new(py, b))).collect()
    }

    /// The line of record `i` when the caller parses it (None otherwise).
    fn raw<'py>(&self, py: Python<'py>, i: usize) -> Option<Bound<'py, PyBytes>> {
        self.raws.get(i)?.as_deref().map(|b| PyBytes::new(py, b))
    }

    /// Gives record `i` the text the caller parsed from its line.
    fn put(&mut self, i: usize, text: String) -> PyResult<()> {
        let slot = self.texts.get_mut(i).ok_or_else(|| pyo3::exceptions::PyIndexError::new_err(i))?;
        self.chars[i] = text.chars().count();
        *slot = text;
        Ok(())
    }

    /// The texts as `str`.
    fn strings(&self) -> Vec<String> {
        self.texts.clone()
    }

    /// The texts as UTF-8 `bytes`.
    fn encoded<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyBytes>> {
        self.texts.iter().map(|t| PyBytes::new(py, t.as_bytes())).collect()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyJsonLinesReader>()?;
    m.add_class::<PyJsonChunk>()
}
