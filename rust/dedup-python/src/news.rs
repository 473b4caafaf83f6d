//! `NewsCorpus`: the news pipeline, slot-addressed. `dedup.Corpus` wraps it with ids,
//! dates and result objects.

use std::collections::HashMap;

use dedup_core::news::spans;
use dedup_core::news::{decode_features, encode_features, Doc, Findings, NewsCorpus, NewsOptions, Relation};
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::PyBytes;
use rayon::prelude::*;

use crate::convert;
use crate::errors::IntoPyResult;
use crate::gil::{detach, detach_interruptible};
use crate::jsonl::PyJsonChunk;

/// Batches of more text than this are tokenised with Ctrl-C honoured (about a
/// tenth of a second of work).
const LONG_BATCH_BYTES: usize = 8 << 20;

/// A verified relation between pages `a` and `b` (slots), as the core measured it.
/// `passages` are token ranges `(a_start, a_end, b_start, b_end)` of the two pages
/// (`passage_offsets` maps them to text offsets, given the texts); `analyze` leaves
/// them out, `explain` and `query` fill them in.
#[pyclass(name = "Relation", module = "dedup._core", frozen, get_all)]
pub struct PyRelation {
    a: u32,
    b: u32,
    kind: &'static str,
    score: f64,
    containment: f64,
    jaccard: f64,
    shared_tokens: u32,
    coverage_a: f64,
    coverage_b: f64,
    vocabulary_a: f64,
    vocabulary_b: f64,
    runs_a: f64,
    runs_b: f64,
    passages: Vec<(u32, u32, u32, u32)>,
    by_passage: bool,
}

/// One analysis: the verified relations (without passages), the stories as groups
/// of slots, and how many merges the cluster size limit refused. The relations
/// stay here until asked for (a million pages have millions of them).
#[pyclass(name = "Analysis", module = "dedup._core", frozen)]
pub struct PyAnalysis {
    found: Findings,
}

#[pymethods]
impl PyAnalysis {
    /// The stories, as sorted groups of slots.
    #[getter]
    fn groups(&self) -> Vec<Vec<u32>> {
        self.found.clustering.groups.clone()
    }

    /// Merges the cluster size limit refused.
    #[getter]
    fn refused_oversized(&self) -> usize {
        self.found.clustering.refused_oversized
    }

    /// Whether each story holds a rewritten relation between two of its pages.
    #[getter]
    fn rewritten(&self) -> Vec<bool> {
        self.found.rewritten.clone()
    }

    fn __len__(&self) -> usize {
        self.found.relations.len()
    }

    /// Every relation, sorted by pair.
    fn relations(&self) -> Vec<PyRelation> {
        self.found.relations.iter().cloned().map(convert).collect()
    }

    /// The pair of each relation, sorted.
    fn pairs(&self) -> Vec<(u32, u32)> {
        self.found.relations.iter().map(|r| (r.a, r.b)).collect()
    }

    /// The pages slot `slot` has a relation with.
    fn partners(&self, slot: u32) -> Vec<u32> {
        let rels = &self.found.relations;
        self.found
            .of_slot(slot)
            .iter()
            .map(|&n| {
                let r = &rels[n as usize];
                if r.a == slot {
                    r.b
                } else {
                    r.a
                }
            })
            .collect()
    }
}

/// The news pipeline over pages addressed by slot number. Keeps each page's compact
/// tokenisation, not its text: the caller keeps texts where it likes (memory, a
/// database, the input file) and passes them back to map passages to text.
#[pyclass(name = "NewsCorpus", module = "dedup._core")]
pub struct PyNewsCorpus {
    inner: NewsCorpus,
}

impl PyNewsCorpus {
    fn sources_of(
        &mut self,
        py: Python<'_>,
        n: usize,
        sources: &[Option<String>],
    ) -> PyResult<Vec<Option<u32>>> {
        if n != sources.len() {
            return Err(crate::errors::raise(
                py,
                "InvalidInputError",
                format!("got {n} pages but {} sources", sources.len()),
            ));
        }
        Ok(sources.iter().map(|s| s.as_deref().map(|name| self.inner.outlet(name))).collect())
    }

    /// Tokenises texts in parallel without the GIL and adds their pages; returns
    /// their slots.
    fn tokenise(&mut self, py: Python<'_>, texts: Vec<&str>, sources: &[Option<u32>]) -> PyResult<Vec<u32>> {
        let tokenise = || -> Vec<Doc> {
            texts
                .par_iter()
                .zip(sources.par_iter())
                .map(|(t, &s)| {
                    dedup_core::interrupt::check();
                    Doc::new(t, s)
                })
                .collect()
        };
        // A worker thread per call is cheap next to a large batch, not next to `add`
        // of one page.
        let long = texts.iter().map(|t| t.len()).sum::<usize>() > LONG_BATCH_BYTES;
        let docs = if long { detach_interruptible(py, tokenise) } else { detach(py, tokenise) }?;
        Ok(self.inner.insert(docs))
    }

    /// Runs `f` on the corpus without the GIL; when the corpus must be analysed
    /// first (long on a large corpus), with Ctrl-C honoured.
    fn run<T: Send>(&mut self, py: Python<'_>, f: impl FnOnce(&mut NewsCorpus) -> T + Send) -> PyResult<T> {
        let inner = &mut self.inner;
        if inner.stale() {
            detach_interruptible(py, || f(inner))
        } else {
            detach(py, || f(inner))
        }
    }
}

/// News options from overrides by name (see `NewsOptions::NAMES` in the core),
/// set in name order so errors do not depend on the dict's order.
pub fn options(options: HashMap<String, f64>) -> PyResult<NewsOptions> {
    let mut opts = NewsOptions::default();
    let mut names: Vec<(String, f64)> = options.into_iter().collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, value) in names {
        opts.set(&name, value).py()?;
    }
    Ok(opts)
}

pub fn convert(r: Relation) -> PyRelation {
    PyRelation {
        a: r.a,
        b: r.b,
        kind: r.kind.name(),
        score: r.score,
        containment: r.containment,
        jaccard: r.jaccard,
        shared_tokens: r.shared_tokens,
        coverage_a: r.coverage_a,
        coverage_b: r.coverage_b,
        vocabulary_a: r.vocabulary_a,
        vocabulary_b: r.vocabulary_b,
        runs_a: r.runs_a,
        runs_b: r.runs_b,
        passages: r.passages,
        by_passage: r.by_passage,
    }
}

/// Compact features of each text (`NewsCorpus.add_features` adds them), computed in
/// parallel without the GIL: what a worker ships instead of the text.
#[pyfunction]
fn featurize(py: Python<'_>, texts: &Bound<'_, PyAny>) -> PyResult<Vec<Py<PyBytes>>> {
    let texts: Vec<PyBackedStr> = convert::texts(py, texts, "texts")?;
    let refs: Vec<&str> = texts.iter().map(|t| &**t).collect();
    let blobs: Vec<Vec<u8>> = detach(py, || refs.par_iter().map(|t| encode_features(t)).collect())?;
    Ok(blobs.iter().map(|b| PyBytes::new(py, b).unbind()).collect())
}

/// Maps passages given as token ranges of two texts to character offsets.
#[pyfunction]
fn passage_offsets(
    py: Python<'_>,
    text_a: &str,
    text_b: &str,
    passages: Vec<(u32, u32, u32, u32)>,
) -> PyResult<Vec<(u32, u32, u32, u32)>> {
    detach(py, || spans::passage_offsets(text_a, text_b, &passages))
}

#[pymethods]
impl PyNewsCorpus {
    /// `options` overrides defaults by name (see `NewsOptions::NAMES` in the core).
    #[new]
    #[pyo3(signature = (options = None))]
    fn new(options: Option<HashMap<String, f64>>) -> PyResult<Self> {
        Ok(Self { inner: NewsCorpus::new(self::options(options.unwrap_or_default())?) })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Adds pages (tokenised in parallel without the GIL); returns their slots.
    fn add_many(
        &mut self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        sources: Vec<Option<String>>,
    ) -> PyResult<Vec<u32>> {
        // A chunk read by `JsonLinesReader`: its texts never became Python strings.
        if let Ok(chunk) = texts.cast::<PyJsonChunk>() {
            let chunk = chunk.borrow();
            let src = self.sources_of(py, chunk.texts.len(), &sources)?;
            return self.tokenise(py, chunk.texts.iter().map(String::as_str).collect(), &src);
        }
        let texts: Vec<PyBackedStr> = convert::texts(py, texts, "texts")?;
        let src = self.sources_of(py, texts.len(), &sources)?;
        self.tokenise(py, texts.iter().map(|t| &**t).collect(), &src)
    }

    /// Adds pages given as UTF-8 bytes (a caller that keeps the texts encoded
    /// encodes them once, rather than once more here); returns their slots.
    /// Every text is checked before any page is added.
    fn add_encoded(
        &mut self,
        py: Python<'_>,
        texts: Vec<PyBackedBytes>,
        sources: Vec<Option<String>>,
    ) -> PyResult<Vec<u32>> {
        let src = self.sources_of(py, texts.len(), &sources)?;
        let refs = detach(py, || {
            texts
                .par_iter()
                .enumerate()
                .map(|(i, b)| std::str::from_utf8(b).map_err(|e| (i, e)))
                .collect::<Result<Vec<&str>, _>>()
        })?
        .map_err(|(i, e)| {
            crate::errors::raise(
                py,
                "InvalidInputError",
                format!("texts[{i}] is not UTF-8 ({e}); decode it as it was encoded"),
            )
        })?;
        self.tokenise(py, refs, &src)
    }

    /// Adds pages from `featurize`'s features; returns their slots. Every blob is
    /// checked before any page is added.
    fn add_features(
        &mut self,
        py: Python<'_>,
        features: Vec<PyBackedBytes>,
        sources: Vec<Option<String>>,
    ) -> PyResult<Vec<u32>> {
        let src = self.sources_of(py, features.len(), &sources)?;
        let blobs: Vec<&[u8]> = features.iter().map(|b| &**b).collect();
        let docs: Vec<Doc> = detach(py, || {
            blobs
                .par_iter()
                .zip(src.par_iter())
                .map(|(b, &s)| decode_features(b).map(|(page, hash)| Doc::from_page(page, hash, s)))
                .collect::<dedup_core::Result<Vec<Doc>>>()
        })?
        .py()?;
        Ok(self.inner.insert(docs))
    }

    fn remove(&mut self, py: Python<'_>, slot: u32) -> PyResult<bool> {
        detach(py, || self.inner.remove(slot))
    }

    /// Verified relations and the stories they form.
    fn analyze(&mut self, py: Python<'_>) -> PyResult<PyAnalysis> {
        // The relations leave passages (and Jaccard) to `explain`, which maps them
        // to the texts; a story needs only the pairs and kinds.
        let found = detach_interruptible(py, || self.inner.findings())?;
        Ok(PyAnalysis { found })
    }

    fn explain(&mut self, py: Python<'_>, a: u32, b: u32) -> PyResult<Option<PyRelation>> {
        let r = self.run(py, |c| c.explain(a, b))?;
        Ok(r.map(convert))
    }

    /// `explain` for a pair `analyze` reported, trying the pages' identical copies
    /// if the two are not related themselves.
    fn explain_copies(&mut self, py: Python<'_>, a: u32, b: u32) -> PyResult<Option<PyRelation>> {
        let r = self.run(py, |c| c.explain_copies(a, b))?;
        Ok(r.map(convert))
    }

    /// Every measure of each pair, as `explain` gives it without passages.
    fn measure(&mut self, py: Python<'_>, pairs: Vec<(u32, u32)>) -> PyResult<Vec<Option<PyRelation>>> {
        // Long whether or not the corpus was analysed: Ctrl-C is always honoured.
        let inner = &mut self.inner;
        let rels = detach_interruptible(py, || inner.measure(&pairs))?;
        Ok(rels.into_iter().map(|r| r.map(convert)).collect())
    }

    /// Relations of a new text to the corpus. With `stream`, pages added since the
    /// statistics were last built are compared under those statistics (rebuilt
    /// only after many changes), as `Corpus.add(..., match=True)` needs.
    #[pyo3(signature = (text, source = None, stream = false))]
    fn query(
        &mut self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        source: Option<String>,
        stream: bool,
    ) -> PyResult<Vec<PyRelation>> {
        let text = convert::text(py, text, "text")?;
        let src = source.map(|s| self.inner.outlet_of_query(&s));
        let rels = self.run(py, |c| {
            let doc = Doc::new(&text, src);
            if stream {
                c.query_stream(&doc)
            } else {
                c.query_doc(&doc)
            }
        })?;
        Ok(rels.into_iter().map(convert).collect())
    }

    /// Drops the slots of removed pages; returns each old slot's new number (or
    /// 2**32 - 1 for a removed page).
    fn compact(&mut self, py: Python<'_>) -> PyResult<Vec<u32>> {
        detach(py, || self.inner.compact())
    }

    /// Number of slots, removed pages included.
    fn first_keeps(&self, py: Python<'_>) -> PyResult<Vec<Option<Py<PyBytes>>>> {
        let keeps = detach(py, || self.inner.first_keeps())?;
        Ok(keeps
            .iter()
            .map(|k| {
                k.as_ref().map(|k| {
                    PyBytes::new(py, &k.iter().flat_map(|w| w.to_le_bytes()).collect::<Vec<u8>>()).unbind()
                })
            })
            .collect())
    }

    /// Stages 1 to 3's outputs: (keeps, hashes, units, groups, common, postings),
    /// hashes as signed 64-bit integers and `u32::MAX` groups as -1.
    #[allow(clippy::type_complexity)]
    fn analysis_parts(
        &mut self,
        py: Python<'_>,
    ) -> PyResult<(Vec<Option<Py<PyBytes>>>, Vec<i64>, Vec<u32>, Vec<i64>, Vec<i64>, Vec<(i64, u32)>)> {
        let p = self.run(py, NewsCorpus::analysis_parts)?;
        let keeps = p.keep.iter().map(|k| k.as_ref().map(|k| crate::stages::keep_bytes(py, k))).collect();
        Ok((
            keeps,
            p.hash.iter().map(|&h| h as i64).collect(),
            p.unit,
            p.group.iter().map(|&g| if g == u32::MAX { -1 } else { i64::from(g) }).collect(),
            p.common.iter().map(|&h| h as i64).collect(),
            p.postings.iter().map(|&(h, s)| (h as i64, s)).collect(),
        ))
    }

    fn slots(&self) -> usize {
        self.inner.slots()
    }

    /// Slots of the pages whose article is identical to this page's (itself included).
    fn identical(&mut self, py: Python<'_>, slot: u32) -> PyResult<Vec<u32>> {
        self.run(py, |c| c.identical(slot))
    }

    /// Share of the page's tokens kept as article text.
    fn article_share(&mut self, py: Python<'_>, slot: u32) -> PyResult<f64> {
        self.run(py, |c| c.article_share(slot))
    }

    /// The article lines chrome removal kept, as character ranges of `text` (the
    /// page's text as it was added).
    fn article_spans(&mut self, py: Python<'_>, slot: u32, text: &str) -> PyResult<Vec<(u32, u32)>> {
        let Some(art) = self.run(py, |c| c.article_of(slot))? else { return Ok(Vec::new()) };
        Ok(spans::article_spans(text, &art))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyNewsCorpus>()?;
    m.add_class::<PyRelation>()?;
    m.add_class::<PyAnalysis>()?;
    m.add_function(wrap_pyfunction!(featurize, m)?)?;
    m.add_function(wrap_pyfunction!(passage_offsets, m)?)
}
