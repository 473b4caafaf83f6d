//! Streams: relations of a page to a corpus without analysing the corpus again for
//! every page. Pages added since the statistics were built are indexed under
//! those statistics ([`Fresh`]) until enough have changed.

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use super::article::{article, to_bits, Article, Keep};
use super::chrome::first_article;
use super::coherence::foreign_lines;
use super::features::Doc;
use super::stats::Analysis;
use super::verify::{derivation_text, verify, Relation, Side};
use super::Pages;

/// Stream queries rebuild the statistics once this many pages, or this share of
/// the corpus, were added or removed since the last build.
pub(crate) const STREAM_REFRESH_PAGES: usize = 64;
pub(crate) const STREAM_REFRESH_SHARE: f64 = 0.05;

/// Pages added since the cached analysis, as stream queries see them: articles
/// under the cached statistics, indexed by rare fingerprint.
#[derive(Debug, Default)]
pub(crate) struct Fresh {
    pub(crate) slots: Vec<u32>,
    /// How many of `slots` are indexed.
    pub(crate) indexed: usize,
    pub(crate) keep: HashMap<u32, Keep>,
    pub(crate) index: HashMap<u64, Vec<u32>>,
    /// Article hash → fresh pages with that article.
    pub(crate) by_hash: HashMap<u64, Vec<u32>>,
}

/// Indexes fresh pages not indexed yet, under the cached statistics.
pub(crate) fn index_fresh(px: &Pages<'_>, an: &Analysis, fresh: &mut Fresh) {
    let todo = &fresh.slots[fresh.indexed..];
    let done: Vec<(u32, Keep, u64, Vec<u64>)> = todo
        .par_iter()
        .filter_map(|&slot| {
            let doc = px.doc(slot)?;
            let (_, keep, art) = first_article(px, doc, &an.lines, true, 0);
            let mut fps: Vec<u64> = art
                .fingerprints(px.opts.window)
                .into_iter()
                .map(|f| f.0)
                .filter(|&h| an.is_rare(h))
                .collect();
            fps.sort_unstable();
            fps.dedup();
            Some((slot, to_bits(&keep), art.content_hash(), fps))
        })
        .collect();
    fresh.indexed = fresh.slots.len();
    for (slot, keep, hash, fps) in done {
        fresh.keep.insert(slot, keep);
        if hash != 0 {
            fresh.by_hash.entry(hash).or_default().push(slot);
        }
        for h in fps {
            fresh.index.entry(h).or_default().push(slot);
        }
    }
}

/// Relations of a page to the pages of the cached analysis (and, with `fresh`,
/// to the pages added since).
pub(crate) fn query(px: &Pages<'_>, an: &Analysis, fresh: Option<&Fresh>, doc: &Doc) -> Vec<Relation> {
    let (kinds, keep, art) = first_article(px, doc, &an.lines, true, 1);
    let art = if px.opts.coherence {
        let foreign = foreign_lines(px, u32::MAX, &doc.page, &kinds, &keep, &art, an);
        if foreign.is_empty() {
            art
        } else {
            let mut keep = keep;
            for l in foreign {
                keep[l] = false;
            }
            Article::from_lines(&doc.page, &keep, px.opts)
        }
    } else {
        art
    };
    let mut counts: HashMap<u32, u32> = HashMap::default();
    let mut fps: Vec<u64> =
        art.fingerprints(px.opts.window).iter().map(|f| f.0).filter(|&h| an.is_rare(h)).collect();
    fps.sort_unstable();
    fps.dedup();
    for h in fps {
        let new = fresh.and_then(|f| f.index.get(&h)).map_or(&[][..], Vec::as_slice);
        for &b in an.index.get(h).iter().chain(new) {
            *counts.entry(b).or_insert(0) += 1;
        }
    }
    let need = px.opts.min_shared_fingerprints as u32;
    let mut cands: Vec<u32> = counts.into_iter().filter(|&(_, c)| c >= need).map(|(b, _)| b).collect();
    cands.extend(an.first_with.get(&art.content_hash()));
    // The index holds the first page of each identical article; every copy is
    // compared, since each has its own text around the article.
    let firsts = cands.len();
    for i in 0..firsts {
        if let Some(all) = an.copies.get(&cands[i]) {
            cands.extend(all);
        }
    }
    if let Some(f) = fresh {
        cands.extend(f.by_hash.get(&art.content_hash()).into_iter().flatten());
    }
    cands.sort_unstable();
    cands.dedup();
    let ta = derivation_text(an, None, doc, &art, px.opts);
    ta.index();
    let side_a = Side { slot: u32::MAX, doc, art: &art, outlet: doc.source, text: Some(&ta), seeds: None };
    cands
        .par_iter()
        .filter_map(|&b| {
            let db = px.doc(b)?;
            let ab = if (b as usize) < an.keep.len() {
                article(px, &an.keep, b as usize)
            } else {
                Article::from_bits(&db.page, fresh?.keep.get(&b)?, px.opts)
            };
            verify(px.opts, an, &side_a, &Side::of(b, db, &ab), true)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::news::testing::{analysed, docs, RIVER, SILO, TRAM};
    use crate::news::{NewsOptions, Pages};

    #[test]
    fn a_fresh_page_is_found_by_a_stream_query_under_the_old_statistics() {
        let wire = SILO.join("\n");
        let mut pages = docs(&[(&wire, Some(0)), (TRAM, Some(1)), (RIVER, Some(2))]);
        let opts = NewsOptions::default();
        let an = analysed(&pages, &opts);
        // A copy of the wire arrives after the analysis ...
        pages.push(Some(Doc::new(&format!("Latest\n{wire}"), Some(3))));
        let px = Pages { docs: &pages, opts: &opts, live: pages.len() };
        let mut fresh = Fresh { slots: vec![3], ..Fresh::default() };
        index_fresh(&px, &an, &mut fresh);
        assert_eq!(fresh.indexed, 1);
        // ... and a second copy finds both the analysed wire and the fresh copy.
        let query_doc = Doc::new(&format!("Breaking\n{wire}"), Some(4));
        let found: Vec<u32> = query(&px, &an, Some(&fresh), &query_doc).iter().map(|r| r.b).collect();
        assert!(found.contains(&0) && found.contains(&3), "{found:?}");
        // without the fresh index, only the analysed page
        let found: Vec<u32> = query(&px, &an, None, &query_doc).iter().map(|r| r.b).collect();
        assert_eq!(found, [0]);
    }
}
