//! The stage pieces of `dedup_core::news::parts`, one page at a time, for workers
//! that run the stages apart (`dedup._spark_stages`). Hashes and keys cross as
//! signed 64-bit integers (their bits; Spark and Arrow have no unsigned 64-bit
//! column), kept lines as the little-endian bytes of their bit words.

use std::collections::HashMap;

use dedup_core::news::article::{to_bits, Keep};
use dedup_core::news::chrome::Kind as LineKind;
use dedup_core::news::parts::{self, LineCounts, PairSide};
use dedup_core::news::stats::neardup::jaccard;
use dedup_core::news::stats::weights::TokenWeights;
use dedup_core::news::stories::{unit_stories, StoryUnit};
use dedup_core::news::{decode_features, Doc, Kind, Relation};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::PyBytes;
use rayon::prelude::*;

use crate::errors::IntoPyResult;
use crate::gil::detach;
use crate::news::{convert, options as news_options, PyRelation};

type Counts = Vec<(i64, u32)>;

fn doc(bytes: &[u8], source: Option<u32>) -> dedup_core::Result<Doc> {
    decode_features(bytes).map(|(page, hash)| Doc::from_page(page, hash, source))
}

fn docs(py: Python<'_>, features: &[PyBackedBytes], sources: &[Option<u32>]) -> PyResult<Vec<Doc>> {
    let out: dedup_core::Result<Vec<Doc>> =
        detach(py, || features.par_iter().zip(sources).map(|(b, &s)| doc(b, s)).collect())?;
    out.py()
}

fn keep_words(bytes: &[u8]) -> Vec<u64> {
    bytes.chunks(8).map(|c| c.iter().rev().fold(0u64, |w, &b| w << 8 | u64::from(b))).collect()
}

pub fn keep_bytes(py: Python<'_>, keep: &[u64]) -> Py<PyBytes> {
    let bytes: Vec<u8> = keep.iter().flat_map(|w| w.to_le_bytes()).collect();
    PyBytes::new(py, &bytes).unbind()
}

fn signed(v: u64) -> i64 {
    v as i64
}

fn counts(c: &[(i64, u32)]) -> Vec<(u64, u32)> {
    c.iter().map(|&(k, n)| (k as u64, n)).collect()
}

/// Each page's outlet (its source's id, or one from its template), the hash of
/// its lines and its distinct line keys.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn stage_page_lines(
    py: Python<'_>,
    features: Vec<PyBackedBytes>,
    sources: Vec<Option<u32>>,
) -> PyResult<(Vec<Option<i64>>, Vec<i64>, Vec<Vec<i64>>)> {
    let docs = docs(py, &features, &sources)?;
    let lines: Vec<(u64, Vec<u64>)> = detach(py, || docs.par_iter().map(parts::page_lines).collect())?;
    let outlets = docs.iter().map(|d| d.outlet.map(i64::from)).collect();
    let (hashes, keys) =
        lines.into_iter().map(|(h, k)| (signed(h), k.into_iter().map(signed).collect())).unzip();
    Ok((outlets, hashes, keys))
}

/// Each page's first-article kept lines and line kinds (a byte a line), given its
/// lines' outlet counts and (in the second pass) text counts, as (line key,
/// count) pairs.
#[pyfunction]
#[pyo3(signature = (options, features, sources, outlet_counts, text_counts = None))]
#[allow(clippy::type_complexity)]
fn stage_first_keep(
    py: Python<'_>,
    options: HashMap<String, f64>,
    features: Vec<PyBackedBytes>,
    sources: Vec<Option<u32>>,
    outlet_counts: Vec<Counts>,
    text_counts: Option<Vec<Counts>>,
) -> PyResult<(Vec<Py<PyBytes>>, Vec<Py<PyBytes>>)> {
    let opts = news_options(options)?;
    let docs = docs(py, &features, &sources)?;
    let n = docs.len();
    if outlet_counts.len() != n || text_counts.as_ref().is_some_and(|t| t.len() != n) {
        return Err(crate::errors::raise(
            py,
            "InvalidInputError",
            "one list of counts a page is needed".into(),
        ));
    }
    let firsts: Vec<(Vec<u8>, Keep)> = detach(py, || {
        (0..n)
            .into_par_iter()
            .map(|i| {
                let c = LineCounts {
                    outlet: counts(&outlet_counts[i]),
                    texts: text_counts.as_ref().map(|t| counts(&t[i])),
                };
                let (kinds, keep) = parts::first_article_lines(&opts, &docs[i], &c);
                (kinds.into_iter().map(parts::kind_code).collect(), to_bits(&keep))
            })
            .collect()
    })?;
    let keeps = firsts.iter().map(|(_, k)| keep_bytes(py, k)).collect();
    let kinds = firsts.iter().map(|(k, _)| PyBytes::new(py, k).unbind()).collect();
    Ok((keeps, kinds))
}

/// Each article's winnowed fingerprints and the line each starts on.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn stage_fingerprints(
    py: Python<'_>,
    options: HashMap<String, f64>,
    features: Vec<PyBackedBytes>,
    keeps: Vec<PyBackedBytes>,
) -> PyResult<(Vec<Vec<i64>>, Vec<Vec<u32>>)> {
    let opts = news_options(options)?;
    let docs = docs(py, &features, &vec![None; features.len()])?;
    let all: Vec<Vec<(u64, u32)>> = detach(py, || {
        docs.par_iter()
            .zip(&keeps)
            .map(|(d, k)| parts::article_fingerprints(&opts, d, &keep_words(k)))
            .collect()
    })?;
    Ok(all.into_iter().map(|v| v.into_iter().map(|(h, l)| (signed(h), l)).unzip()).unzip())
}

/// Each page's kept lines after the coherence pass, from its first-pass kinds and
/// kept lines and its hits (line, other page) on rare fingerprints.
#[pyfunction]
fn stage_refine(
    py: Python<'_>,
    options: HashMap<String, f64>,
    features: Vec<PyBackedBytes>,
    kinds: Vec<PyBackedBytes>,
    keeps: Vec<PyBackedBytes>,
    hits: Vec<Vec<(u32, u32)>>,
) -> PyResult<Vec<Py<PyBytes>>> {
    let opts = news_options(options)?;
    let docs = docs(py, &features, &vec![None; features.len()])?;
    let n = docs.len();
    if kinds.len() != n || keeps.len() != n || hits.len() != n {
        return Err(crate::errors::raise(
            py,
            "InvalidInputError",
            "features, kinds, keeps and hits differ in length".into(),
        ));
    }
    let refined: Vec<Option<Keep>> = detach(py, || {
        (0..n)
            .into_par_iter()
            .map(|i| {
                let kinds: Option<Vec<LineKind>> = kinds[i].iter().map(|&c| parts::kind_of(c)).collect();
                let kinds = kinds.filter(|k| k.len() == docs[i].page.lines.len())?;
                Some(parts::refine_keep(&opts, &docs[i], &kinds, &keep_words(&keeps[i]), &hits[i]).0)
            })
            .collect()
    })?;
    refined
        .iter()
        .map(|k| {
            k.as_ref().map(|k| keep_bytes(py, k)).ok_or_else(|| {
                crate::errors::raise(py, "InvalidInputError", "line kinds do not fit the page".into())
            })
        })
        .collect()
}

/// Each article's hash, band keys and whether it has no k-grams.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn stage_sketch(
    py: Python<'_>,
    options: HashMap<String, f64>,
    features: Vec<PyBackedBytes>,
    keeps: Vec<PyBackedBytes>,
) -> PyResult<(Vec<i64>, Vec<Vec<i64>>, Vec<bool>)> {
    let opts = news_options(options)?;
    let docs = docs(py, &features, &vec![None; features.len()])?;
    let sk: Vec<parts::Sketch> = detach(py, || {
        docs.par_iter().zip(&keeps).map(|(d, k)| parts::sketch(&opts, d, &keep_words(k))).collect()
    })?;
    let mut out = (Vec::new(), Vec::new(), Vec::new());
    for s in sk {
        out.0.push(signed(s.hash));
        out.1.push(s.bands.into_iter().map(signed).collect());
        out.2.push(s.kgrams_empty);
    }
    Ok(out)
}

/// Exact Jaccard of the k-gram sets of pairs of articles (1.0 for identical ones).
#[pyfunction]
fn stage_jaccard(
    py: Python<'_>,
    options: HashMap<String, f64>,
    features_a: Vec<PyBackedBytes>,
    keeps_a: Vec<PyBackedBytes>,
    features_b: Vec<PyBackedBytes>,
    keeps_b: Vec<PyBackedBytes>,
) -> PyResult<Vec<f64>> {
    let opts = news_options(options)?;
    let none = vec![None; features_a.len()];
    let (a, b) = (docs(py, &features_a, &none)?, docs(py, &features_b, &none)?);
    detach(py, || {
        (0..a.len())
            .into_par_iter()
            .map(|i| {
                let (ka, kb) = (keep_words(&keeps_a[i]), keep_words(&keeps_b[i]));
                if parts::sketch(&opts, &a[i], &ka).hash == parts::sketch(&opts, &b[i], &kb).hash {
                    return 1.0;
                }
                jaccard(&parts::kgram_set(&opts, &a[i], &ka), &parts::kgram_set(&opts, &b[i], &kb))
            })
            .collect()
    })
}

/// Each article's distinct k-grams (hash order) and whether each is a winnowed
/// fingerprint.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn stage_kgrams(
    py: Python<'_>,
    options: HashMap<String, f64>,
    features: Vec<PyBackedBytes>,
    keeps: Vec<PyBackedBytes>,
) -> PyResult<(Vec<Vec<i64>>, Vec<Vec<bool>>)> {
    let opts = news_options(options)?;
    let docs = docs(py, &features, &vec![None; features.len()])?;
    let all: Vec<Vec<(u64, bool)>> = detach(py, || {
        docs.par_iter().zip(&keeps).map(|(d, k)| parts::article_kgrams(&opts, d, &keep_words(k))).collect()
    })?;
    Ok(all.into_iter().map(|v| v.into_iter().map(|(h, f)| (signed(h), f)).unzip()).unzip())
}

/// The number of distinct texts above which a k-gram is common, in a corpus of
/// `texts` distinct texts.
#[pyfunction]
fn stage_common_cap(options: HashMap<String, f64>, texts: usize) -> PyResult<u32> {
    Ok(dedup_core::news::stats::cap_for(&news_options(options)?, texts))
}

/// Bits of the word-weight counter table for `texts` distinct texts.
#[pyfunction]
fn stage_weight_bits(texts: usize) -> u32 {
    TokenWeights::bits_for(texts)
}

/// The word-weight counters of the texts (pages with their kept lines) summed, as
/// the little-endian bytes of `2^bits` 32-bit counts.
#[pyfunction]
fn stage_token_counts(
    py: Python<'_>,
    features: Vec<PyBackedBytes>,
    keeps: Vec<PyBackedBytes>,
    bits: u32,
) -> PyResult<Py<PyBytes>> {
    if !(16..=22).contains(&bits) {
        return Err(crate::errors::raise(
            py,
            "InvalidInputError",
            format!("bits must be 16 to 22, got {bits}"),
        ));
    }
    let docs = docs(py, &features, &vec![None; features.len()])?;
    let counts: Vec<u32> = detach(py, || {
        let mut df = vec![0u32; 1 << bits];
        for (d, k) in docs.iter().zip(&keeps) {
            for c in parts::text_counters(d, &keep_words(k), bits) {
                df[c as usize] += 1;
            }
        }
        df
    })?;
    let bytes: Vec<u8> = counts.iter().flat_map(|c| c.to_le_bytes()).collect();
    Ok(PyBytes::new(py, &bytes).unbind())
}

/// The word weights of `texts` distinct texts from their summed counters.
fn weights(py: Python<'_>, counts: &[u8], texts: usize) -> PyResult<TokenWeights> {
    let df: Vec<u32> = counts.chunks(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    if counts.len() % 4 != 0 || df.len() != 1 << TokenWeights::bits_for(texts) {
        return Err(crate::errors::raise(
            py,
            "InvalidInputError",
            format!("{texts} texts need 2^{} word counters", TokenWeights::bits_for(texts)),
        ));
    }
    detach(py, || TokenWeights::from_counts(texts, &df))
}

/// Each unit's short fingerprints under the word weights of `texts` texts.
#[pyfunction]
fn stage_short_fingerprints(
    py: Python<'_>,
    options: HashMap<String, f64>,
    counts: PyBackedBytes,
    texts: usize,
    features: Vec<PyBackedBytes>,
    keeps: Vec<PyBackedBytes>,
) -> PyResult<Vec<Vec<i64>>> {
    let opts = news_options(options)?;
    let w = weights(py, &counts, texts)?;
    let docs = docs(py, &features, &vec![None; features.len()])?;
    let fps: Vec<Vec<u64>> = detach(py, || {
        docs.par_iter()
            .zip(&keeps)
            .map(|(d, k)| parts::short_article_fingerprints(&opts, &w, d, &keep_words(k)))
            .collect()
    })?;
    Ok(fps.into_iter().map(|v| v.into_iter().map(signed).collect()).collect())
}

/// One side of the pairs of `stage_verify`: slots, features, kept lines and the
/// outlets the same-outlet rule compares.
type Sides = (Vec<u32>, Vec<PyBackedBytes>, Vec<PyBackedBytes>, Vec<Option<u32>>);

/// The relations of candidate pairs (None for a pair that is not related), given
/// the common k-grams and the word counters of `texts` texts; with `full`, every
/// share measured as `NewsCorpus.explain` measures it (no passages).
#[pyfunction]
#[pyo3(signature = (options, common, counts, texts, a, b, full = false))]
#[allow(clippy::too_many_arguments)]
fn stage_verify(
    py: Python<'_>,
    options: HashMap<String, f64>,
    common: Vec<i64>,
    counts: PyBackedBytes,
    texts: usize,
    a: Sides,
    b: Sides,
    full: bool,
) -> PyResult<Vec<Option<PyRelation>>> {
    let opts = news_options(options)?;
    let w = weights(py, &counts, texts)?;
    let n = a.0.len();
    let lens = [a.1.len(), a.2.len(), a.3.len(), b.0.len(), b.1.len(), b.2.len(), b.3.len()];
    if lens.iter().any(|&l| l != n) {
        return Err(crate::errors::raise(
            py,
            "InvalidInputError",
            "the two sides of the pairs differ in length".into(),
        ));
    }
    let side = |s: &Sides, i: usize| -> dedup_core::Result<PairSide> {
        Ok(PairSide {
            slot: s.0[i],
            doc: doc(&s.1[i], None)?,
            keep: keep_words(&s.2[i]).into_boxed_slice(),
            outlet: s.3[i],
        })
    };
    let pairs: dedup_core::Result<Vec<(PairSide, PairSide)>> =
        detach(py, || (0..n).into_par_iter().map(|i| Ok((side(&a, i)?, side(&b, i)?))).collect())?;
    let pairs = pairs.py()?;
    let common: Vec<u64> = common.into_iter().map(|h| h as u64).collect();
    let rels = detach(py, || parts::verify_pairs(&opts, &common, w, &pairs, full))?;
    Ok(rels.into_iter().map(|r| r.map(convert)).collect())
}

/// Each page's text hash and the share of its tokens its kept lines hold.
#[pyfunction]
fn stage_page_facts(
    py: Python<'_>,
    features: Vec<PyBackedBytes>,
    keeps: Vec<PyBackedBytes>,
) -> PyResult<(Vec<i64>, Vec<f64>)> {
    let docs = docs(py, &features, &vec![None; features.len()])?;
    Ok(docs
        .iter()
        .zip(&keeps)
        .map(|(d, k)| (signed(d.text_hash), parts::article_share(d, &keep_words(k))))
        .unzip())
}

/// The relations `stage_stories` reads: a, b, kind, score, vocabulary_a,
/// vocabulary_b and by_passage of each.
type StoryRelations = (Vec<u32>, Vec<u32>, Vec<String>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<bool>);

/// The stories of a set of units (slots, article hashes, text hashes, pages each)
/// closed under its relations: groups of unit slots, and the merges the size
/// limit refused.
#[pyfunction]
fn stage_stories(
    py: Python<'_>,
    options: HashMap<String, f64>,
    units: (Vec<u32>, Vec<i64>, Vec<i64>, Vec<usize>),
    relations: StoryRelations,
) -> PyResult<(Vec<Vec<u32>>, usize)> {
    let opts = news_options(options)?;
    let (slots, hashes, texts, pages) = units;
    let units: Vec<StoryUnit> = (0..slots.len())
        .map(|i| StoryUnit {
            slot: slots[i],
            hash: hashes[i] as u64,
            text_hash: texts[i] as u64,
            pages: pages[i],
        })
        .collect();
    let (a, b, kinds, scores, va, vb, by) = relations;
    let mut rels = Vec::with_capacity(a.len());
    for i in 0..a.len() {
        let Some(kind) = Kind::from_name(&kinds[i]) else {
            return Err(crate::errors::raise(
                py,
                "InvalidInputError",
                format!("unknown relation kind {:?}", kinds[i]),
            ));
        };
        rels.push(Relation {
            vocabulary_a: va[i],
            vocabulary_b: vb[i],
            ..Relation::unmeasured((a[i], b[i]), kind, scores[i], by[i])
        });
    }
    let c = detach(py, || unit_stories(&opts.cluster, opts.attach_vocabulary, &units, &rels))?;
    Ok((c.groups, c.refused_oversized))
}

/// The thresholds the Spark side filters counts with, under `options`:
/// `outlet_least` (outlet line counts below it never matter), `line_cap` (texts a
/// line must exceed to recur), `min_jaccard` (of near-duplicate articles), and
/// the rare fingerprints (`min_shared_fingerprints`) and short ones
/// (`min_shared_short`) two pages must share to be a candidate pair.
#[pyfunction]
fn stage_thresholds(options: HashMap<String, f64>) -> PyResult<HashMap<&'static str, f64>> {
    let o = news_options(options)?;
    Ok(HashMap::from([
        ("outlet_least", f64::from(o.chrome.same_source_pages.saturating_sub(1).max(1))),
        ("line_cap", f64::from(o.chrome.recur_texts)),
        ("min_jaccard", o.neardup.min_jaccard),
        ("min_shared_fingerprints", o.min_shared_fingerprints as f64),
        ("min_shared_short", o.min_shared_short as f64),
    ]))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stage_thresholds, m)?)?;
    m.add_function(wrap_pyfunction!(stage_kgrams, m)?)?;
    m.add_function(wrap_pyfunction!(stage_fingerprints, m)?)?;
    m.add_function(wrap_pyfunction!(stage_refine, m)?)?;
    m.add_function(wrap_pyfunction!(stage_weight_bits, m)?)?;
    m.add_function(wrap_pyfunction!(stage_token_counts, m)?)?;
    m.add_function(wrap_pyfunction!(stage_short_fingerprints, m)?)?;
    m.add_function(wrap_pyfunction!(stage_verify, m)?)?;
    m.add_function(wrap_pyfunction!(stage_page_facts, m)?)?;
    m.add_function(wrap_pyfunction!(stage_stories, m)?)?;
    m.add_function(wrap_pyfunction!(stage_common_cap, m)?)?;
    m.add_function(wrap_pyfunction!(stage_page_lines, m)?)?;
    m.add_function(wrap_pyfunction!(stage_first_keep, m)?)?;
    m.add_function(wrap_pyfunction!(stage_sketch, m)?)?;
    m.add_function(wrap_pyfunction!(stage_jaccard, m)?)
}
