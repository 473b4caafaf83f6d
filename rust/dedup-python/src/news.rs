//! `NewsCorpus`: the news pipeline, slot-addressed. `dedup.Corpus` wraps it with ids,
//! dates and result objects.

use std::collections::HashMap;

use dedup_core::news::{NewsCorpus, NewsOptions, Relation};
use dedup_core::text::byte_to_char_offsets;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use crate::convert;
use crate::errors::IntoPyResult;
use crate::gil::detach;

/// `(a, b, kind, score, containment, jaccard, shared_tokens, passages)`, passages as
/// character offsets `(a_start, a_end, b_start, b_end)`.
type PyRelation = (u32, u32, &'static str, f64, f64, f64, u32, Vec<(u32, u32, u32, u32)>);

/// The news pipeline over pages addressed by slot number.
#[pyclass(name = "NewsCorpus", module = "dedup._core")]
pub struct PyNewsCorpus {
    inner: NewsCorpus,
    sources: HashMap<String, u32>,
}

impl PyNewsCorpus {
    fn source_id(&mut self, name: Option<&str>) -> Option<u32> {
        let name = name?;
        let next = self.sources.len() as u32;
        Some(*self.sources.entry(name.to_owned()).or_insert(next))
    }

    fn convert(&self, r: Relation, query_text: Option<&str>) -> PyRelation {
        let text_of = |slot: u32| -> &str {
            if slot == u32::MAX {
                query_text.unwrap_or("")
            } else {
                self.inner.doc(slot).map_or("", |d| d.text.as_str())
            }
        };
        let (ta, tb) = (text_of(r.a), text_of(r.b));
        let passages = r
            .passages
            .iter()
            .map(|&(a0, a1, b0, b1)| {
                let a = byte_to_char_offsets(ta, &[a0, a1]);
                let b = byte_to_char_offsets(tb, &[b0, b1]);
                (a[0], a[1], b[0], b[1])
            })
            .collect();
        (r.a, r.b, r.kind.name(), r.score, r.containment, r.jaccard, r.shared_tokens, passages)
    }
}

#[pymethods]
impl PyNewsCorpus {
    /// `options` overrides defaults by name (see `NewsOptions::NAMES` in the core).
    #[new]
    #[pyo3(signature = (options = None))]
    fn new(options: Option<HashMap<String, f64>>) -> PyResult<Self> {
        let mut opts = NewsOptions::default();
        let mut names: Vec<(String, f64)> = options.unwrap_or_default().into_iter().collect();
        names.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, value) in names {
            opts.set(&name, value).py()?;
        }
        Ok(Self { inner: NewsCorpus::new(opts), sources: HashMap::new() })
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
        let texts: Vec<PyBackedStr> = convert::texts(py, texts, "texts")?;
        if texts.len() != sources.len() {
            return Err(crate::errors::raise(
                py,
                "InvalidInputError",
                format!("got {} texts but {} sources", texts.len(), sources.len()),
            ));
        }
        let src: Vec<Option<u32>> = sources.iter().map(|s| self.source_id(s.as_deref())).collect();
        let owned: Vec<String> = texts.iter().map(ToString::to_string).collect();
        let docs = detach(py, || NewsCorpus::prepare(owned, src))?;
        Ok(self.inner.insert(docs))
    }

    fn remove(&mut self, py: Python<'_>, slot: u32) -> PyResult<bool> {
        detach(py, || self.inner.remove(slot))
    }

    /// Verified relations and the stories they form: `(relations, groups, refused)`.
    fn analyze(&mut self, py: Python<'_>) -> PyResult<(Vec<PyRelation>, Vec<Vec<u32>>, usize)> {
        let (rels, clustering) = detach(py, || {
            let rels = self.inner.relations();
            let c = self.inner.cluster(&rels);
            (rels, c)
        })?;
        let out = rels.into_iter().map(|r| self.convert(r, None)).collect();
        Ok((out, clustering.groups, clustering.refused_oversized))
    }

    fn explain(&mut self, py: Python<'_>, a: u32, b: u32) -> PyResult<Option<PyRelation>> {
        let r = detach(py, || self.inner.explain(a, b))?;
        Ok(r.map(|r| self.convert(r, None)))
    }

    #[pyo3(signature = (text, source = None))]
    fn query(
        &mut self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        source: Option<String>,
    ) -> PyResult<Vec<PyRelation>> {
        let text = convert::text(py, text, "text")?;
        // An unknown outlet has no pages yet, so it gets an id no page has.
        let src = source.map(|s| self.sources.get(&s).copied().unwrap_or(u32::MAX - 1));
        let rels = detach(py, || self.inner.query(&text, src))?;
        Ok(rels.into_iter().map(|r| self.convert(r, Some(&text))).collect())
    }

    /// Slots of the pages whose article is identical to this page's (itself included).
    fn identical(&mut self, py: Python<'_>, slot: u32) -> PyResult<Vec<u32>> {
        detach(py, || self.inner.identical(slot))
    }

    /// Share of the page's tokens kept as article text.
    fn article_share(&mut self, py: Python<'_>, slot: u32) -> PyResult<f64> {
        detach(py, || self.inner.article_share(slot))
    }

    /// The article lines chrome removal kept, as character ranges of the text.
    fn article_spans(&mut self, slot: u32) -> Vec<(u32, u32)> {
        let Some(art) = self.inner.article_of(slot) else { return Vec::new() };
        let Some(doc) = self.inner.doc(slot) else { return Vec::new() };
        let mut spans: Vec<(u32, u32)> = Vec::new();
        let mut last_line = u32::MAX;
        for (i, &t) in art.tokens.iter().enumerate() {
            let (s, e) = doc.page.spans[t as usize];
            if art.line_of[i] == last_line {
                if let Some(x) = spans.last_mut() {
                    x.1 = e;
                }
            } else {
                spans.push((s, e));
                last_line = art.line_of[i];
            }
        }
        // Extend each span to its whole line (without surrounding whitespace), so
        // opening quotes and closing punctuation are kept.
        for span in &mut spans {
            let before = &doc.text[..span.0 as usize];
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let lead = &before[line_start..];
            span.0 = (line_start + (lead.len() - lead.trim_start().len())) as u32;
            let rest = &doc.text[span.1 as usize..];
            let line_end = rest.find('\n').unwrap_or(rest.len());
            span.1 += rest[..line_end].trim_end().len() as u32;
        }
        let flat: Vec<u32> = spans.iter().flat_map(|&(s, e)| [s, e]).collect();
        let chars = byte_to_char_offsets(&doc.text, &flat);
        chars.chunks(2).map(|c| (c[0], c[1])).collect()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyNewsCorpus>()
}
