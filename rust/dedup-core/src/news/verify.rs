//! Verification: how two pages relate, on exact data.
//!
//! A pair relates when it shares long passages (a copy, a quote), or when one page
//! is derived from the other: most of its words found in the other
//! ([`derivation::vocabulary`]) and some of its sentences too, so that two
//! independent reports of one event, which share names and facts, do not pass
//! for copies. To cluster a corpus, the cheap measures decide first: a pair whose
//! seeds bound its passages below every rule, and whose words do not point to
//! derivation, is rejected before it is aligned ([`align::SeedSet`]); the
//! sentences are read only where the words point to derivation. To explain a
//! pair, everything is measured and the passages are given.

use std::borrow::Cow;

pub mod align;
pub mod derivation;

use self::align::{align_seeded, extend, join, seed_hashes, Passage, RunBound, SeedSet};
use self::derivation::{
    has_evidence, in_tiles, measure, run_coverage, sentences, vocabulary_of_tokens, Sentences, Shares, Text,
};
use super::stats::neardup::jaccard;

use rayon::prelude::*;

use crate::trace::Trace;

use super::article::{article, Article};
use super::chrome::distinct;
use super::features::Doc;
use super::stats::Analysis;
use super::winnow::kgram_hashes;
use super::{NewsOptions, Pages};

/// How two pages relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Near-verbatim: one article is (nearly) contained in the other.
    Syndicated,
    /// Shares passages (quotes, key sentences) but not the whole text.
    Rewritten,
}

impl Kind {
    /// The kind's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Syndicated => "syndicated",
            Self::Rewritten => "rewritten",
        }
    }

    /// The kind [`Self::name`] names.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "syndicated" => Some(Self::Syndicated),
            "rewritten" => Some(Self::Rewritten),
            _ => None,
        }
    }
}

/// A verified relation between pages `a` and `b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    /// First page slot.
    pub a: u32,
    /// Second page slot.
    pub b: u32,
    /// Syndicated or rewritten.
    pub kind: Kind,
    /// Strength in [0, 1].
    pub score: f64,
    /// Rare passage tokens shared / article tokens of the shorter page.
    pub containment: f64,
    /// Share of `a`'s article in sentences derived from `b` (reworded or not): how
    /// much of `a` comes from `b` ([`crate::derivation::sentence_coverage`]).
    pub coverage_a: f64,
    /// The same for `b`: how much of `b` comes from `a`.
    pub coverage_b: f64,
    /// Weighted share of `a`'s distinct words found in `b`.
    pub vocabulary_a: f64,
    /// Weighted share of `b`'s distinct words found in `a`.
    pub vocabulary_b: f64,
    /// Weighted share of `a`'s tokens in runs of two or more tokens shared with `b`.
    pub runs_a: f64,
    /// The same for `b`.
    pub runs_b: f64,
    /// Jaccard similarity of the two articles' k-gram sets.
    pub jaccard: f64,
    /// Rare tokens in counted passages.
    pub shared_tokens: u32,
    /// Shared passages, as token ranges `(a_start, a_end, b_start, b_end)` of the two
    /// pages (indices into [`Page::tokens`]; [`self::page::token_spans`] maps them
    /// to the texts), in order of the first page.
    pub passages: Vec<(u32, u32, u32, u32)>,
    /// The pages share a long passage or a quote (the relation holds without
    /// counting vocabulary).
    pub by_passage: bool,
}

impl Relation {
    /// The same relation seen from page `b`.
    pub(crate) fn flipped(self) -> Self {
        Self {
            a: self.b,
            b: self.a,
            coverage_a: self.coverage_b,
            coverage_b: self.coverage_a,
            vocabulary_a: self.vocabulary_b,
            vocabulary_b: self.vocabulary_a,
            runs_a: self.runs_b,
            runs_b: self.runs_a,
            passages: {
                let mut p: Vec<_> =
                    self.passages.into_iter().map(|(a0, a1, b0, b1)| (b0, b1, a0, a1)).collect();
                p.sort_unstable();
                p
            },
            ..self
        }
    }
}

/// Verifies every candidate pair, in parallel; relations are sorted by pair.
/// They carry what clustering needs: passages are left out and `jaccard` is NaN
/// ([`Self::explain`] gives both for a pair).
pub(crate) fn relations(px: &Pages<'_>, an: &Analysis, pairs: &[(u32, u32)]) -> Vec<Relation> {
    let tr = Trace::new("");
    // Pairs are sorted by their first page: its article is derived once for all
    // of its pairs (in pieces, so that a page with thousands of copies does not
    // keep one thread busy while the others wait).
    let runs: Vec<&[(u32, u32)]> = pairs.chunk_by(|x, y| x.0 == y.0).flat_map(|r| r.chunks(64)).collect();
    // The outlet each page is compared as, found once a page rather than once a pair.
    let outlets: Vec<Option<u32>> =
        (0..px.docs.len() as u32).into_par_iter().map(|s| unit_outlet(px, an, s)).collect();
    // In pieces of runs, each its own parallel loop: on Ctrl-C, a loop over all
    // the runs took time in proportion to them to stop (0.7 to 0.8 s at a million
    // pages), a piece takes milliseconds.
    let mut rels: Vec<Relation> = Vec::new();
    for piece in runs.chunks(1 << 13) {
        rels.par_extend(piece.par_iter().flat_map_iter(|run| {
            crate::interrupt::check();
            let a = run[0].0;
            let Some(da) = px.doc(a) else { return Vec::new() };
            let aa = article(px, &an.keep, a as usize);
            let ta = derivation_text(an, Some(a), da, &aa, px.opts);
            ta.index();
            // The seeds of the run's page are hashed once for all its pairs.
            let seeds_a = seed_hashes(&aa.hashes, px.opts.align.seed);
            let side_a = Side {
                slot: a,
                doc: da,
                art: &aa,
                outlet: outlets[a as usize],
                text: Some(&ta),
                seeds: Some(&seeds_a),
            };
            let seeds = SeedSet::of_hashes(&seeds_a, px.opts.align.seed);
            // The other page's article is made in one buffer, reused pair after pair.
            let mut ab = Article::default();
            run.iter()
                .filter_map(|&(_, b)| {
                    // Per pair too: a run's first page can be long, and so its pairs.
                    crate::interrupt::check();
                    let db = px.doc(b)?;
                    ab.refill_unfingerprinted(&db.page, an.keep[b as usize].as_deref(), an.hash[b as usize]);
                    let seeds_b = seed_hashes(&ab.hashes, px.opts.align.seed);
                    let side_b = Side {
                        slot: b,
                        doc: db,
                        art: &ab,
                        outlet: outlets[b as usize],
                        text: None,
                        seeds: Some(&seeds_b),
                    };
                    if cannot_relate(px.opts, an, &seeds, &side_a, &side_b) {
                        return None;
                    }
                    verify(px.opts, an, &side_a, &side_b, false)
                })
                .collect::<Vec<_>>()
        }));
    }
    tr.mark(format!("verified: {} relations", rels.len()));
    rels
}

/// Verifies one pair whatever the candidates say, measuring everything.
pub(crate) fn explain(px: &Pages<'_>, an: &Analysis, a: u32, b: u32) -> Option<Relation> {
    let (da, db) = (px.doc(a)?, px.doc(b)?);
    let (aa, ab) = (article(px, &an.keep, a as usize), article(px, &an.keep, b as usize));
    verify(px.opts, an, &Side::of(a, da, &aa), &Side::of(b, db, &ab), true)
}

/// The outlet of a page that stands for its identical copies in `relations`
/// (the first of them, in slot order): its own when every copy ran at that
/// outlet, else none. An article that ran at other outlets too is not one
/// outlet's text, so a page of that outlet sharing it is compared as a page of
/// any other; and which copy came first no longer decides whether it is.
pub(super) fn unit_outlet(px: &Pages<'_>, an: &Analysis, slot: u32) -> Option<u32> {
    let own = px.doc(slot)?.source?;
    let unit = an.unit.get(slot as usize).copied().unwrap_or(slot);
    match an.copies.get(&unit) {
        Some(copies) if copies.iter().any(|&c| px.doc(c).and_then(|d| d.source) != Some(own)) => None,
        _ => Some(own),
    }
}

/// One page of a pair being verified: its slot, page and article.
pub(super) struct Side<'a> {
    pub slot: u32,
    pub doc: &'a Doc,
    pub art: &'a Article,
    /// The outlet the same-outlet rule compares: the page's, or for a page that
    /// stands for its identical copies, [`unit_outlet`].
    pub outlet: Option<u32>,
    /// The article as the derivation measures see it, prepared by the caller when
    /// the page is compared with many others; else built only if needed.
    pub text: Option<&'a Text>,
    /// The hashes of the article's alignment seeds ([`seed_hashes`]), when the
    /// caller has them; else hashed when needed.
    pub seeds: Option<&'a [u64]>,
}

impl<'a> Side<'a> {
    /// A page compared as itself (its own outlet), nothing prepared.
    pub fn of(slot: u32, doc: &'a Doc, art: &'a Article) -> Self {
        Side { slot, doc, art, outlet: doc.source, text: None, seeds: None }
    }

    fn seeds(&self, opts: &NewsOptions) -> Cow<'_, [u64]> {
        match self.seeds {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(seed_hashes(&self.art.hashes, opts.align.seed)),
        }
    }

    fn text(&self, an: &Analysis, opts: &NewsOptions) -> Cow<'_, Text> {
        match self.text {
            Some(t) => Cow::Borrowed(t),
            None => Cow::Owned(derivation_text(an, Some(self.slot), self.doc, self.art, opts)),
        }
    }
}

/// True when `a` and `b` cannot be related, known without aligning them: no
/// stretch of `b` whose seeds all occur in `a` (`seeds`) could hold a passage that
/// relates a pair or covers most of the shorter article, and neither page has most
/// of its words in the other. Most candidate pairs of different stories (pages
/// sharing a stock phrase or two) end here, at a fraction of an alignment's cost.
fn cannot_relate(opts: &NewsOptions, an: &Analysis, seeds: &SeedSet, a: &Side<'_>, b: &Side<'_>) -> bool {
    let (aa, ab) = (a.art, b.art);
    if aa.hash == ab.hash || aa.hashes.is_empty() || ab.hashes.is_empty() {
        return false; // decided without an alignment anyway
    }
    // A passage counts when it holds `k` matched tokens.
    let ps =
        Passages::at_most(seeds.bound_seeded(&b.seeds(opts), opts.k), aa.hashes.len().min(ab.hashes.len()));
    if ps.by_passage(opts) || ps.syndicated(opts) {
        return false;
    }
    quick_vocabulary(an, a, b)
        .is_some_and(|(va, vb)| va < opts.derived_vocabulary && vb < opts.derived_vocabulary)
}

/// Verifies one pair. `full` also measures sentence coverage and gives passages
/// and Jaccard (to explain a pair); without it, the relation carries what
/// clustering needs.
pub(super) fn verify(
    opts: &NewsOptions,
    an: &Analysis,
    a: &Side<'_>,
    b: &Side<'_>,
    full: bool,
) -> Option<Relation> {
    // Alignment breaks ties by position in its first argument, so pairs are always
    // verified in an order fixed by content: the answer does not depend on which
    // page came first.
    let key = |s: &Side<'_>| (s.art.content_hash(), s.doc.text_hash);
    if key(a) > key(b) {
        return verify_ordered(opts, an, b, a, full).map(Relation::flipped);
    }
    verify_ordered(opts, an, a, b, full)
}

fn verify_ordered(
    opts: &NewsOptions,
    an: &Analysis,
    a: &Side<'_>,
    b: &Side<'_>,
    full: bool,
) -> Option<Relation> {
    let (aa, ab) = (a.art, b.art);
    if aa.hashes.is_empty() || ab.hashes.is_empty() {
        return None;
    }
    if aa.hash == ab.hash {
        // Decided as `relations` decides it, whatever the mode, so that `explain`
        // agrees with it also on articles shorter than an alignment run.
        let r = identical_relation(opts, an, a, b)?;
        return Some(if full { identical_measured(opts, an, a, b, &r) } else { r });
    }
    // Shared runs of four or more tokens, longest first, no token used twice; the
    // shorter runs in between are looked for when they matter.
    let tiles = align_seeded(&aa.hashes, &a.seeds(opts), &ab.hashes, &b.seeds(opts), opts.align);
    let ps = Passages::of(opts, an, a, b, &tiles);
    if a.outlet.is_some() && a.outlet == b.outlet && ps.containment < opts.same_source_containment {
        return None;
    }
    if full {
        return measured(opts, an, a, b, tiles, &ps);
    }
    // A near-verbatim copy is derived whatever its sentences say; to cluster, its
    // shares are those of its shared passages.
    if ps.syndicated(opts) {
        return Some(syndicated_relation(opts, (a.slot, b.slot), (aa.hashes.len(), ab.hashes.len()), &ps));
    }
    // The words decide next, from the prepared page's lookup and the other page's
    // tokens. A pair sharing a long passage or quote is related whatever its
    // sentences say: they guard against words two reports share by chance.
    let Some((va, vb)) = quick_vocabulary(an, a, b) else { return measured(opts, an, a, b, tiles, &ps) };
    let need = |v: f64| v >= opts.derived_vocabulary;
    if ps.by_passage(opts) || (!need(va) && !need(vb)) {
        let words = |v: f64| if ps.by_passage(opts) && need(v) { v } else { 0.0 };
        let run_tokens = tiles.iter().map(|p| p.matched as usize).sum();
        let ev = ps.evidence(words(va).max(words(vb)), run_tokens);
        let (kind, score, by_passage) = ev.decide(opts)?;
        return Some(Relation {
            vocabulary_a: va,
            vocabulary_b: vb,
            ..Relation::new((a.slot, b.slot), kind, score, by_passage, &ps)
        });
    }
    // Then the sentences, where the words point to derivation.
    let tiles = extend(&aa.hashes, &ab.hashes, tiles, opts.short_runs);
    let (xa, xb) = (a.text(an, opts), b.text(an, opts));
    let (in_a, in_b) = in_tiles(&tiles, xa.tokens.len(), xb.tokens.len());
    let derived_from = |v: f64, x: &Text, y: &Text, runs: &[bool]| {
        if need(v) && has_evidence(x, y, runs, &opts.derivation, opts.derived_evidence) {
            v
        } else {
            0.0
        }
    };
    let derived = derived_from(va, &xa, &xb, &in_a).max(derived_from(vb, &xb, &xa, &in_b));
    let run_tokens = tiles.iter().map(|p| p.matched as usize).sum();
    let (kind, score, by_passage) = ps.evidence(derived, run_tokens).decide(opts)?;
    let (ra, rb, _) = run_coverage(&tiles, &xa.weights, &xb.weights);
    Some(Relation {
        vocabulary_a: va,
        vocabulary_b: vb,
        runs_a: ra,
        runs_b: rb,
        ..Relation::new((a.slot, b.slot), kind, score, by_passage, &ps)
    })
}

/// Everything about a pair: every measure, the passages and Jaccard.
fn measured(
    opts: &NewsOptions,
    an: &Analysis,
    a: &Side<'_>,
    b: &Side<'_>,
    tiles: Vec<Passage>,
    ps: &Passages,
) -> Option<Relation> {
    let (aa, ab) = (a.art, b.art);
    let tiles = extend(&aa.hashes, &ab.hashes, tiles, opts.short_runs);
    let (xa, xb) = (a.text(an, opts), b.text(an, opts));
    let sh: Shares = measure(&xa, &xb, &tiles, &opts.derivation);
    // One page derived from the other: most of its words found there, and some of
    // its sentences too, unless a shared passage relates the pair already.
    let derived_from = |v: f64, s: &Sentences| {
        let evidence = ps.by_passage(opts) || ps.syndicated(opts) || s.evidence >= opts.derived_evidence;
        if v >= opts.derived_vocabulary && evidence {
            v
        } else {
            0.0
        }
    };
    let derived =
        derived_from(sh.vocabulary.0, &sh.sentences_a).max(derived_from(sh.vocabulary.1, &sh.sentences_b));
    let (kind, score, by_passage) = ps.evidence(derived, sh.run_tokens).decide(opts)?;
    Some(Relation {
        coverage_a: sh.sentences_a.coverage,
        coverage_b: sh.sentences_b.coverage,
        vocabulary_a: sh.vocabulary.0,
        vocabulary_b: sh.vocabulary.1,
        runs_a: sh.runs.0,
        runs_b: sh.runs.1,
        jaccard: kgram_jaccard(aa, ab, opts.k),
        passages: shown_passages(&tiles, &xa.weights, aa, ab, opts.display_gap),
        ..Relation::new((a.slot, b.slot), kind, score, by_passage, ps)
    })
}

/// The long passages two articles share: runs holding enough rare tokens
/// (covered by rare k-grams) to show that text was copied, not that two texts
/// used the same phrases.
struct Passages {
    /// Rare tokens in counted passages.
    shared: usize,
    /// Rare tokens in the longest counted passage ...
    longest: usize,
    /// ... and in the longest one inside quotation marks on both pages.
    longest_quote: usize,
    /// `shared` over the shorter article's tokens.
    containment: f64,
}

impl Passages {
    fn of(opts: &NewsOptions, an: &Analysis, a: &Side<'_>, b: &Side<'_>, tiles: &[Passage]) -> Self {
        let counted: Vec<(&Passage, usize)> = tiles
            .iter()
            .filter(|p| p.matched as usize >= opts.k)
            .map(|p| (p, an.rare_in(a.art, p.a_start as usize, p.a_end as usize, opts.k)))
            .filter(|&(_, rare)| rare >= opts.min_passage)
            .collect();
        // A quote both pages print inside quotation marks is what rewrites of one
        // wire story keep; stock phrases and boilerplate are not quoted speech.
        let quoted = |s: &Side<'_>, from: u32, to: u32| {
            let inside =
                (from..to).filter(|&i| s.doc.page.is_quoted(s.art.tokens[i as usize] as usize)).count();
            2 * inside >= (to - from) as usize
        };
        let shared: usize = counted.iter().map(|c| c.1).sum();
        let shorter = a.art.hashes.len().min(b.art.hashes.len());
        Self {
            shared,
            longest: counted.iter().map(|c| c.1).max().unwrap_or(0),
            longest_quote: counted
                .iter()
                .filter(|(p, _)| quoted(a, p.a_start, p.a_end) && quoted(b, p.b_start, p.b_end))
                .map(|c| c.1)
                .max()
                .unwrap_or(0),
            containment: (shared as f64 / shorter as f64).min(1.0),
        }
    }

    /// Figures at least those of the passages of a pair whose alignment `bound`
    /// bounds, the shorter article `shorter` tokens long (rare tokens are at most
    /// tokens). The rules only ask figures to reach thresholds, so a pair that
    /// fails them with these fails them with its own passages.
    fn at_most(bound: RunBound, shorter: usize) -> Self {
        Self {
            shared: bound.total,
            longest: bound.longest,
            longest_quote: bound.longest,
            containment: (bound.total as f64 / shorter as f64).min(1.0),
        }
    }

    fn syndicated(&self, opts: &NewsOptions) -> bool {
        self.containment >= opts.syndicated_containment && self.longest >= opts.min_passage
    }

    fn by_passage(&self, opts: &NewsOptions) -> bool {
        (self.longest >= opts.rewritten_longest && self.shared >= opts.rewritten_shared)
            || self.longest_quote >= opts.rewritten_quote
    }

    fn evidence(&self, derived: f64, run_tokens: usize) -> Evidence {
        Evidence {
            shared: self.shared,
            longest: self.longest,
            longest_quote: self.longest_quote,
            containment: self.containment,
            derived,
            run_tokens,
        }
    }
}

/// What a pair shares, as the relation rules read it.
struct Evidence {
    shared: usize,
    longest: usize,
    longest_quote: usize,
    containment: f64,
    /// Vocabulary share of a page derived from the other (0 if neither is).
    derived: f64,
    /// Tokens in shared runs.
    run_tokens: usize,
}

impl Evidence {
    /// The kind, score and whether a passage alone relates the pair, or None.
    fn decide(&self, opts: &NewsOptions) -> Option<(Kind, f64, bool)> {
        let by_passage = (self.longest >= opts.rewritten_longest && self.shared >= opts.rewritten_shared)
            || self.longest_quote >= opts.rewritten_quote;
        let kind = if self.containment >= opts.syndicated_containment && self.longest >= opts.min_passage {
            Kind::Syndicated
        } else if (self.derived >= opts.derived_vocabulary && self.run_tokens >= opts.derived_tokens)
            || by_passage
        {
            Kind::Rewritten
        } else {
            return None;
        };
        // Half for being related at all, the rest for how much of one page comes
        // from the other: a brief wholly cut from a wire story scores 1.
        let strength = self.containment.max(self.derived);
        Some((kind, 0.5 + 0.5 * (strength / opts.syndicated_containment).min(1.0), by_passage))
    }
}

impl Relation {
    /// A relation with its passage figures; the other shares unmeasured (NaN).
    fn new(pair: (u32, u32), kind: Kind, score: f64, by_passage: bool, ps: &Passages) -> Self {
        Self {
            containment: ps.containment,
            shared_tokens: ps.shared as u32,
            ..Self::unmeasured(pair, kind, score, by_passage)
        }
    }

    /// A relation of `kind` and `score`, nothing measured: shares NaN, no
    /// passages, no shared tokens.
    pub fn unmeasured((a, b): (u32, u32), kind: Kind, score: f64, by_passage: bool) -> Self {
        Self {
            a,
            b,
            kind,
            score,
            containment: 0.0,
            coverage_a: f64::NAN,
            coverage_b: f64::NAN,
            vocabulary_a: f64::NAN,
            vocabulary_b: f64::NAN,
            runs_a: f64::NAN,
            runs_b: f64::NAN,
            jaccard: f64::NAN,
            shared_tokens: 0,
            passages: Vec::new(),
            by_passage,
        }
    }
}

/// The relation of two pages with the same article, as [`verify_ordered`] finds
/// it for clustering (the whole article is one shared passage; every word is
/// found, and every sentence that weighs anything), without aligning the two: a
/// corpus holds many such copies.
fn identical_relation(opts: &NewsOptions, an: &Analysis, a: &Side<'_>, b: &Side<'_>) -> Option<Relation> {
    let n = a.art.hashes.len();
    let rare = an.rare_in(a.art, 0, n, opts.k);
    let counted = if rare >= opts.min_passage && n >= opts.k { rare } else { 0 };
    let quoted = |s: &Side<'_>| {
        let inside = s.art.tokens.iter().filter(|&&t| s.doc.page.is_quoted(t as usize)).count();
        2 * inside >= n
    };
    let ps = Passages {
        shared: counted,
        longest: counted,
        longest_quote: if quoted(a) && quoted(b) { counted } else { 0 },
        containment: counted as f64 / n as f64,
    };
    if a.doc.source.is_some() && a.doc.source == b.doc.source && ps.containment < opts.same_source_containment
    {
        return None;
    }
    let x = a.text(an, opts);
    let weighed: usize = x
        .sentences
        .iter()
        .filter(|&&(s0, e0)| x.weights[s0 as usize..e0 as usize].iter().any(|&w| w > 0.0))
        .map(|&(s0, e0)| (e0 - s0) as usize)
        .sum();
    let evidence = ps.by_passage(opts)
        || ps.syndicated(opts)
        || weighed as f64 / n as f64 >= opts.derived_evidence - 1e-12;
    let derived = if evidence && 1.0 >= opts.derived_vocabulary { 1.0 } else { 0.0 };
    let (kind, score, by_passage) = ps.evidence(derived, n).decide(opts)?;
    Some(Relation {
        vocabulary_a: 1.0,
        vocabulary_b: 1.0,
        runs_a: 1.0,
        runs_b: 1.0,
        ..Relation::new((a.slot, b.slot), kind, score, by_passage, &ps)
    })
}

/// [`identical_relation`] with what `explain` shows: the whole article as the
/// shared passage, every sentence covered, Jaccard 1.
fn identical_measured(
    opts: &NewsOptions,
    an: &Analysis,
    a: &Side<'_>,
    b: &Side<'_>,
    r: &Relation,
) -> Relation {
    let n = a.art.hashes.len() as u32;
    let whole = Passage { a_start: 0, a_end: n, b_start: 0, b_end: n, matched: n };
    let xa = a.text(an, opts);
    Relation {
        coverage_a: 1.0,
        coverage_b: 1.0,
        jaccard: 1.0,
        passages: shown_passages(&[whole], &xa.weights, a.art, b.art, opts.display_gap),
        ..*r
    }
}

/// A near-verbatim copy as [`relations`](super::NewsCorpus::relations) reports it
/// for clustering: its vocabulary shares are those of its shared passages (rare
/// tokens in them over each article's tokens); `explain` measures them.
fn syndicated_relation(
    opts: &NewsOptions,
    (a, b): (u32, u32),
    (la, lb): (usize, usize),
    ps: &Passages,
) -> Relation {
    let (va, vb) = ((ps.shared as f64 / la as f64).min(1.0), (ps.shared as f64 / lb as f64).min(1.0));
    let (kind, score, by_passage) =
        ps.evidence(va.max(vb), ps.shared).decide(opts).expect("a near-verbatim copy is related");
    Relation { vocabulary_a: va, vocabulary_b: vb, ..Relation::new((a, b), kind, score, by_passage, ps) }
}

/// Vocabulary shares of a pair from whichever page is prepared ([`Side::text`])
/// and the other page's tokens, or None when neither is prepared.
fn quick_vocabulary(an: &Analysis, a: &Side<'_>, b: &Side<'_>) -> Option<(f64, f64)> {
    let tokens =
        |s: &Side<'_>| -> Vec<u32> { s.art.tokens.iter().map(|&t| s.doc.page.tokens[t as usize]).collect() };
    let total = |s: &Side<'_>, tokens: &[u32]| {
        if let Some(&w) = an.distinct_weight.get(s.slot as usize) {
            return f64::from(w);
        }
        let mut t = tokens.to_vec();
        t.sort_unstable();
        t.dedup();
        t.iter().map(|&x| f64::from(an.weights.of(x))).sum()
    };
    if let Some(t) = a.text {
        let other = tokens(b);
        return Some(vocabulary_of_tokens(t, &other, total(b, &other)));
    }
    let t = b.text?;
    let other = tokens(a);
    let (vb, va) = vocabulary_of_tokens(t, &other, total(a, &other));
    Some((va, vb))
}

/// An article as [`derivation`] measures it: its token hashes, their
/// weights and its sentences (a line break ends one too). `slot` is the page's slot
/// in the analysed corpus, if it has one (a query page or a page added since the
/// analysis has not).
pub(super) fn derivation_text(
    an: &Analysis,
    slot: Option<u32>,
    doc: &Doc,
    art: &Article,
    opts: &NewsOptions,
) -> Text {
    let tokens: Vec<u32> = art.tokens.iter().map(|&t| doc.page.tokens[t as usize]).collect();
    let weights: Vec<f32> = tokens.iter().map(|&t| an.weights.of(t)).collect();
    let starts =
        |i: usize| art.line_of[i] != art.line_of[i - 1] || doc.page.starts_sentence(art.tokens[i] as usize);
    let sents = sentences(tokens.len(), starts, opts.derivation.max_sentence);
    let mut text = match slot.and_then(|s| an.distinct_weight.get(s as usize)) {
        Some(&w) => Text::with_distinct_weight(tokens, weights, sents, f64::from(w)),
        None => Text::new(tokens, weights, sents),
    };
    text.quoted = art.tokens.iter().map(|&t| doc.page.is_quoted(t as usize)).collect();
    text
}

/// Passages as page token ranges (the caller maps them to text offsets): the
/// shared runs of three or more tokens, and those of two that carry content (two
/// common words in a row are chance), as a reader should see them.
fn shown_passages(
    tiles: &[Passage],
    wa: &[f32],
    aa: &Article,
    ab: &Article,
    gap: u32,
) -> Vec<(u32, u32, u32, u32)> {
    let mean_a = wa.iter().sum::<f32>() / wa.len() as f32;
    let shown: Vec<Passage> = tiles
        .iter()
        .filter(|p| {
            let w: f32 = wa[p.a_start as usize..p.a_end as usize].iter().sum();
            p.matched >= 3 || w >= 2.0 * mean_a * p.matched as f32
        })
        .copied()
        .collect();
    let to_tokens = |art: &Article, s: u32, e: u32| (art.tokens[s as usize], art.tokens[e as usize - 1] + 1);
    display_passages(shown, aa, ab, gap)
        .iter()
        .map(|p| {
            let (a0, a1) = to_tokens(aa, p.a_start, p.a_end);
            let (b0, b1) = to_tokens(ab, p.b_start, p.b_end);
            (a0, a1, b0, b1)
        })
        .collect()
}

/// Passages as a reader should see them: exact runs cut where either page moves to
/// another line (chrome removed between two article lines must not fall inside a
/// highlighted passage), then pieces on the same lines of both pages joined across
/// small edits.
fn display_passages(runs: Vec<Passage>, aa: &Article, ab: &Article, gap: u32) -> Vec<Passage> {
    let mut pieces = Vec::with_capacity(runs.len());
    for p in runs {
        let len = p.a_end - p.a_start;
        let mut start = 0;
        for i in 1..=len {
            let cut = i == len
                || aa.line_of[(p.a_start + i) as usize] != aa.line_of[(p.a_start + i - 1) as usize]
                || ab.line_of[(p.b_start + i) as usize] != ab.line_of[(p.b_start + i - 1) as usize];
            if cut {
                pieces.push(Passage {
                    a_start: p.a_start + start,
                    a_end: p.a_start + i,
                    b_start: p.b_start + start,
                    b_end: p.b_start + i,
                    matched: i - start,
                });
                start = i;
            }
        }
    }
    pieces.sort_unstable_by_key(|p| (p.a_start, p.b_start));
    let mut out: Vec<Passage> = Vec::with_capacity(pieces.len());
    for p in pieces {
        if let Some(last) = out.last() {
            let same_lines = aa.line_of[last.a_end as usize - 1] == aa.line_of[p.a_start as usize]
                && ab.line_of[last.b_end as usize - 1] == ab.line_of[p.b_start as usize];
            if same_lines {
                let joined = join(vec![*last, p], gap);
                if joined.len() == 1 {
                    *out.last_mut().expect("non-empty") = joined[0];
                    continue;
                }
            }
        }
        out.push(p);
    }
    out
}

/// Jaccard similarity of the articles' distinct k-grams, from their token hashes
/// (an article made for verification has no k-grams).
fn kgram_jaccard(a: &Article, b: &Article, k: usize) -> f64 {
    let (sa, sb) = (distinct(kgram_hashes(&a.hashes, k)), distinct(kgram_hashes(&b.hashes, k)));
    if sa.is_empty() && sb.is_empty() {
        return if a.hashes == b.hashes { 1.0 } else { 0.0 };
    }
    jaccard(&sa, &sb)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::news::testing::{analysed, docs, RIVER, SILO, TRAM};

    /// The silo wire and pages that relate to it in each way, or share only a
    /// stock phrase or two with it.
    fn silo_pages() -> Vec<Option<Doc>> {
        let wire = SILO.join("\n");
        let copy = format!("Menu | Farming | Weather\n{wire}\nMore from the county desk");
        let brief = "On Sunday night crews pumped water into the grain silo outside Harnley after barley stored deep inside began to smoulder and threatened to spread, county firefighters said. Two farms next door were told to keep their animals inside because of the smoke.";
        let quote = "Crews were still at the Harnley cooperative on Monday. \u{201c}A fire like this can burn for days without anyone seeing a flame, and the dust makes every opening of the hatch dangerous,\u{201d} said station commander Priya Oduya. Insurers have not yet visited the site, and the owners declined to comment on the value of the grain.";
        let stock = "A barn fire near Oldcastle destroyed two tractors and a hay store on Friday, the county fire service said. Nobody was hurt, although a neighbouring stable was asked to keep their livestock indoors because of the smoke while crews damped down the site.";
        // A long page on another subject that quotes the commander: related by
        // the quote alone, not by its words.
        let column = format!(
            "{TRAM}\nCouncillors spent the rest of the evening on parking charges, the library roof and a complaint about late buses on the northern estates, which officers promised to answer in writing before the summer recess.\nOne member read out a warning from the weekend instead: \u{201c}A fire like this can burn for days without anyone seeing a flame, and the dust makes every opening of the hatch dangerous,\u{201d} and asked whether the depot on Mill Lane had ever been inspected.\nThe chair said the question would go to the safety committee, and the meeting closed shortly after ten."
        );
        docs(&[
            (&wire, Some(0)),
            (&copy, Some(1)),
            (brief, Some(2)),
            (quote, Some(3)),
            (stock, Some(4)),
            (TRAM, Some(5)),
            (RIVER, Some(6)),
            (&column, Some(7)),
        ])
    }

    /// Each pair verified on its own, without the bound that skips alignments
    /// (the first page prepared, as [`relations`] prepares it).
    fn verified_plainly(px: &Pages<'_>, an: &Analysis, pairs: &[(u32, u32)]) -> Vec<Relation> {
        pairs
            .iter()
            .filter_map(|&(a, b)| {
                let (da, db) = (px.doc(a)?, px.doc(b)?);
                let (aa, ab) = (article(px, &an.keep, a as usize), article(px, &an.keep, b as usize));
                let ta = derivation_text(an, Some(a), da, &aa, px.opts);
                ta.index();
                let side_a = Side {
                    slot: a,
                    doc: da,
                    art: &aa,
                    outlet: unit_outlet(px, an, a),
                    text: Some(&ta),
                    seeds: None,
                };
                let side_b = Side {
                    slot: b,
                    doc: db,
                    art: &ab,
                    outlet: unit_outlet(px, an, b),
                    text: None,
                    seeds: None,
                };
                verify(px.opts, an, &side_a, &side_b, false)
            })
            .collect()
    }

    #[test]
    fn pairs_skipped_unaligned_are_pairs_that_do_not_relate() {
        let pages = silo_pages();
        let opts = NewsOptions::default();
        let an = analysed(&pages, &opts);
        let px = Pages { docs: &pages, opts: &opts, live: pages.len() };
        let n = pages.len() as u32;
        let pairs: Vec<(u32, u32)> = (0..n).flat_map(|a| (a + 1..n).map(move |b| (a, b))).collect();
        let fast = relations(&px, &an, &pairs);
        let plain = verified_plainly(&px, &an, &pairs);
        let key = |r: &Relation| {
            (r.a, r.b, r.kind, r.score.to_bits(), r.coverage_a.to_bits(), r.vocabulary_b.to_bits())
        };
        assert_eq!(fast.iter().map(key).collect::<Vec<_>>(), plain.iter().map(key).collect::<Vec<_>>());
        // The copy, the brief, the quote and the column quoting it relate to the
        // wire; the page sharing stock phrases does not, and is skipped without an
        // alignment. The column relates by its passage alone: neither page has
        // most of its words in the other, so only the bound on passages keeps it.
        let related: Vec<(u32, u32)> = fast.iter().map(|r| (r.a, r.b)).filter(|p| p.0 == 0).collect();
        assert_eq!(related, [(0, 1), (0, 2), (0, 3), (0, 7)]);
        let column = fast.iter().find(|r| (r.a, r.b) == (0, 7)).unwrap();
        assert!(
            column.vocabulary_a < opts.derived_vocabulary && column.vocabulary_b < opts.derived_vocabulary
        );
        let wire = article(&px, &an.keep, 0);
        let text = derivation_text(&an, Some(0), px.doc(0).unwrap(), &wire, &opts);
        text.index();
        let a = Side {
            slot: 0,
            doc: px.doc(0).unwrap(),
            art: &wire,
            outlet: unit_outlet(&px, &an, 0),
            text: Some(&text),
            seeds: None,
        };
        let seeds = SeedSet::new(&wire.hashes, opts.align.seed);
        let skipped = |b: u32| {
            let art = article(&px, &an.keep, b as usize);
            let side = Side {
                slot: b,
                doc: px.doc(b).unwrap(),
                art: &art,
                outlet: unit_outlet(&px, &an, b),
                text: None,
                seeds: None,
            };
            cannot_relate(&opts, &an, &seeds, &a, &side)
        };
        assert!(skipped(4) && skipped(5));
        assert!(!skipped(1) && !skipped(2) && !skipped(3) && !skipped(7));
    }
}
