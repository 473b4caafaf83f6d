//! How much of one article comes from another, reworded or not.
//!
//! Newsrooms cut a wire story to a brief, reword it as they cut, and mix it with
//! their own reporting. What they keep are the story's words, in its order, a
//! sentence at a time, and short runs of its phrasing. Three measures, all over
//! tokens weighed by rarity ([`crate::news::stats::weights`]), so that shared common words count
//! for little:
//!
//! - [`vocabulary`]: the share of one article's distinct words found anywhere in
//!   the other. The strongest single sign that one text was written from the other;
//!   it is what relates a page to its source.
//! - [`sentence_coverage`]: the share of one article's text in sentences that are
//!   *derived* from the other: at least [`DerivationOptions::sentence_share`] of
//!   the sentence's content words found together in one stretch of the other text
//!   about as long as the sentence (reworded or reordered within it). This is the
//!   "how much of this article is wire copy" a journalist asks for; independent
//!   reports of one event share names and quotes, but few whole sentences.
//! - [`run_coverage`]: the share of each article in shared runs of two or more
//!   words (greedy string tiling), the verbatim part.
//!
//! The measures follow the findings of the METER study of wire reuse in British
//! newspapers (Clough, Gaizauskas, Piao and Wilks, "METER: MEasuring TExt Reuse",
//! ACL 2002): derived text is found through word overlap and short shared runs,
//! not long passages alone.

use std::sync::OnceLock;

use rustc_hash::FxHashMap as HashMap;

use super::align::Passage;

/// Tuning of [`sentence_coverage`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DerivationOptions {
    /// A sentence is derived when this share of its content is found in one stretch.
    pub sentence_share: f64,
    /// A sentence also counts as evidence of derivation when this share of its
    /// content lies in runs shared with the other text: a sentence merged from two
    /// distant sentences of its source keeps their phrasing, not one stretch.
    pub sentence_runs: f64,
    /// The stretch spans this many times the sentence's tokens ...
    pub stretch_factor: usize,
    /// ... plus this many tokens.
    pub stretch_extra: usize,
    /// Longer sentences (a paragraph without full stops) are cut into pieces of
    /// this many tokens.
    pub max_sentence: usize,
    /// Occurrences of one word in the other text looked at (a frequent word occurs
    /// everywhere and weighs next to nothing).
    pub max_occurrences: usize,
}

impl Default for DerivationOptions {
    fn default() -> Self {
        Self {
            sentence_share: 0.75,
            sentence_runs: 0.6,
            stretch_factor: 3,
            stretch_extra: 10,
            max_sentence: 50,
            max_occurrences: 64,
        }
    }
}

/// One article as the measures see it. The lookups the measures need are built
/// on first use and kept, so that an article compared with many others is
/// prepared once, and a lookup a comparison does not need is never built.
#[derive(Debug, Clone, Default)]
pub struct Text {
    /// Token hashes, in order.
    pub tokens: Vec<u32>,
    /// Weight of each token.
    pub weights: Vec<f32>,
    /// Sentences as token ranges `[start, end)`, in order, covering the tokens.
    pub sentences: Vec<(u32, u32)>,
    /// Whether each token stands inside quotation marks (empty: none does).
    pub quoted: Vec<bool>,
    /// Each distinct token with its weight, sorted by token.
    distinct: OnceLock<Vec<(u32, f32)>>,
    /// Summed weight of the distinct tokens.
    distinct_weight: OnceLock<f64>,
    /// Each distinct token's weight, by token: for a text compared with many.
    lookup: OnceLock<HashMap<u32, (u32, f32)>>,
    /// Where each token occurs: `(token, position)`, sorted.
    positions: OnceLock<Vec<(u32, u32)>>,
}

impl Text {
    /// An article from its tokens, their weights and its sentences.
    pub fn new(tokens: Vec<u32>, weights: Vec<f32>, sentences: Vec<(u32, u32)>) -> Self {
        Self {
            tokens,
            weights,
            sentences,
            quoted: Vec::new(),
            distinct: OnceLock::new(),
            distinct_weight: OnceLock::new(),
            lookup: OnceLock::new(),
            positions: OnceLock::new(),
        }
    }

    /// The same, given the summed weight of the distinct tokens (known already).
    pub fn with_distinct_weight(
        tokens: Vec<u32>,
        weights: Vec<f32>,
        sentences: Vec<(u32, u32)>,
        w: f64,
    ) -> Self {
        let t = Self::new(tokens, weights, sentences);
        t.distinct_weight.get_or_init(|| w);
        t
    }

    /// Builds the token lookup now: for a text about to be compared with many
    /// others, [`vocabulary`] then reads the other texts without sorting them.
    pub fn index(&self) {
        self.lookup.get_or_init(|| {
            self.distinct().iter().enumerate().map(|(i, &(t, w))| (t, (i as u32, w))).collect()
        });
    }

    /// Each distinct token with its weight, sorted by token.
    fn distinct(&self) -> &[(u32, f32)] {
        self.distinct.get_or_init(|| {
            let mut d: Vec<(u32, f32)> =
                self.tokens.iter().copied().zip(self.weights.iter().copied()).collect();
            d.sort_unstable_by_key(|x| x.0);
            d.dedup_by_key(|x| x.0);
            d
        })
    }

    /// Summed weight of the distinct tokens.
    pub fn distinct_weight(&self) -> f64 {
        *self.distinct_weight.get_or_init(|| self.distinct().iter().map(|x| f64::from(x.1)).sum())
    }

    /// The positions of `token` in the text, the first `max` of them.
    fn occurrences(&self, token: u32, max: usize) -> &[(u32, u32)] {
        let positions = self.positions.get_or_init(|| {
            let mut p: Vec<(u32, u32)> =
                self.tokens.iter().enumerate().map(|(i, &t)| (t, i as u32)).collect();
            p.sort_unstable();
            p
        });
        let lo = positions.partition_point(|x| x.0 < token);
        let hi = lo + positions[lo..].partition_point(|x| x.0 == token);
        &positions[lo..hi.min(lo.saturating_add(max))]
    }
}

/// Weighted share of `a`'s distinct tokens that occur in `b`, and of `b`'s in `a`.
/// A token weighs the same in both texts, so the shared weight is one sum.
pub fn vocabulary(a: &Text, b: &Text) -> (f64, f64) {
    let shared = match (a.lookup.get(), b.lookup.get()) {
        (Some(index), _) => shared_weight(index, &b.tokens),
        (None, Some(index)) => shared_weight(index, &a.tokens),
        (None, None) => {
            let (da, db) = (a.distinct(), b.distinct());
            let (mut i, mut j) = (0, 0);
            let mut shared = 0.0f64;
            while i < da.len() && j < db.len() {
                match da[i].0.cmp(&db[j].0) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        shared += f64::from(da[i].1);
                        i += 1;
                        j += 1;
                    }
                }
            }
            shared
        }
    };
    let share = |total: f64| if total > 0.0 { (shared / total).min(1.0) } else { 0.0 };
    (share(a.distinct_weight()), share(b.distinct_weight()))
}

/// [`vocabulary`] of a prepared text ([`Text::index`]) and another text given only
/// by its tokens and the summed weight of its distinct tokens: what a text compared
/// with many others needs of each of them.
pub fn vocabulary_of_tokens(indexed: &Text, tokens: &[u32], distinct_weight: f64) -> (f64, f64) {
    indexed.index();
    let shared = shared_weight(indexed.lookup.get().expect("indexed above"), tokens);
    let share = |total: f64| if total > 0.0 { (shared / total).min(1.0) } else { 0.0 };
    (share(indexed.distinct_weight()), share(distinct_weight))
}

/// Summed weight of the distinct tokens of `tokens` found in `index`.
fn shared_weight(index: &HashMap<u32, (u32, f32)>, tokens: &[u32]) -> f64 {
    let mut seen = vec![false; index.len()];
    let mut shared = 0.0f64;
    for t in tokens {
        if let Some(&(i, w)) = index.get(t) {
            if !std::mem::replace(&mut seen[i as usize], true) {
                shared += f64::from(w);
            }
        }
    }
    shared
}

/// Sentence ranges of a token sequence: a sentence starts at each index for which
/// `starts(i)` holds (and at 0); sentences longer than `max` tokens are cut.
pub fn sentences(n: usize, starts: impl Fn(usize) -> bool, max: usize) -> Vec<(u32, u32)> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut s = 0usize;
    for i in 1..=n {
        if i == n || starts(i) || i - s >= max {
            if i > s {
                out.push((s as u32, i as u32));
            }
            s = i;
        }
    }
    out
}

/// What [`sentence_coverage`] finds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sentences {
    /// Share of the text's tokens in sentences derived from the other text (most
    /// of their content in one stretch of it).
    pub coverage: f64,
    /// Share of the text's tokens in sentences, other than quotes, that are derived
    /// or have [`DerivationOptions::sentence_runs`] of their content in shared runs.
    /// Quotes are left out: independent reports of one event quote the same words,
    /// and what shows that a text was written from another is its own sentences.
    pub evidence: f64,
}

/// Share of `a`'s tokens in sentences derived from `b` (see the module docs).
/// `in_runs[i]` says whether token `i` of `a` lies in a run shared with `b`.
pub fn sentence_coverage(a: &Text, b: &Text, in_runs: &[bool], o: &DerivationOptions) -> Sentences {
    let mut out = Sentences::default();
    sentences_of(a, b, in_runs, o, |derived, evidence| {
        out = Sentences { coverage: derived, evidence };
        false
    });
    out
}

/// Whether at least `share` of `a`'s tokens are in sentences that count as
/// evidence ([`Sentences::evidence`]); stops at the first sentences that reach it.
pub fn has_evidence(a: &Text, b: &Text, in_runs: &[bool], o: &DerivationOptions, share: f64) -> bool {
    let mut found = false;
    sentences_of(a, b, in_runs, o, |_, evidence| {
        found = evidence >= share - 1e-12;
        found
    });
    found
}

/// Walks `a`'s sentences, calling `seen(coverage, evidence)` with the shares so far
/// after each one (and once at the end) until it returns true.
fn sentences_of(
    a: &Text,
    b: &Text,
    in_runs: &[bool],
    o: &DerivationOptions,
    mut seen: impl FnMut(f64, f64) -> bool,
) {
    if a.tokens.is_empty() || b.tokens.is_empty() {
        seen(0.0, 0.0);
        return;
    }
    let n = a.tokens.len() as f64;
    let (mut derived, mut evidence) = (0usize, 0usize);
    let mut words: Vec<(u32, f32)> = Vec::new();
    let mut events: Vec<(u32, u32)> = Vec::new();
    let mut count: Vec<u32> = Vec::new();
    for &(s, e) in &a.sentences {
        let (s, e) = (s as usize, e as usize);
        words.clear();
        words.extend(a.tokens[s..e].iter().copied().zip(a.weights[s..e].iter().copied()));
        words.sort_unstable_by_key(|x| x.0);
        words.dedup_by_key(|x| x.0);
        let total: f64 = words.iter().map(|x| f64::from(x.1)).sum();
        if total <= 0.0 {
            continue;
        }
        events.clear();
        for (k, &(t, _)) in words.iter().enumerate() {
            events.extend(b.occurrences(t, o.max_occurrences).iter().map(|&(_, p)| (p, k as u32)));
        }
        events.sort_unstable();
        // The stretch of `b` holding the most of the sentence's content: a window
        // sliding over the occurrences, each word counted once.
        let width = (o.stretch_factor * (e - s) + o.stretch_extra) as u32;
        count.clear();
        count.resize(words.len(), 0);
        let (mut best, mut cur, mut first) = (0.0f64, 0.0f64, 0usize);
        for x in 0..events.len() {
            let (p, k) = events[x];
            if count[k as usize] == 0 {
                cur += f64::from(words[k as usize].1);
            }
            count[k as usize] += 1;
            while p - events[first].0 > width {
                let k0 = events[first].1 as usize;
                count[k0] -= 1;
                if count[k0] == 0 {
                    cur -= f64::from(words[k0].1);
                }
                first += 1;
            }
            best = best.max(cur);
        }
        let quote = 2 * (s..e).filter(|&i| a.quoted.get(i).copied().unwrap_or(false)).count() >= e - s;
        if best >= o.sentence_share * total - 1e-9 {
            derived += e - s;
            if !quote {
                evidence += e - s;
            }
        } else if !quote {
            let weight = |i: usize| f64::from(a.weights[i]);
            let sentence: f64 = (s..e).map(weight).sum();
            let runs: f64 = (s..e).filter(|&i| in_runs.get(i).copied().unwrap_or(false)).map(weight).sum();
            if sentence > 0.0 && runs >= o.sentence_runs * sentence - 1e-9 {
                evidence += e - s;
            }
        }
        if seen(derived as f64 / n, evidence as f64 / n) {
            return;
        }
    }
    seen(derived as f64 / n, evidence as f64 / n);
}

/// Marks the tokens of each text inside `tiles`.
pub fn in_tiles(tiles: &[Passage], na: usize, nb: usize) -> (Vec<bool>, Vec<bool>) {
    let (mut in_a, mut in_b) = (vec![false; na], vec![false; nb]);
    for p in tiles {
        in_a[p.a_start as usize..p.a_end as usize].fill(true);
        in_b[p.b_start as usize..p.b_end as usize].fill(true);
    }
    (in_a, in_b)
}

/// Weighted share of each text's tokens in `tiles` (shared runs that use no token
/// twice, as [`super::align::align`] gives them), and the tokens in them.
pub fn run_coverage(tiles: &[Passage], wa: &[f32], wb: &[f32]) -> (f64, f64, usize) {
    let share = |w: &[f32], ranges: &mut dyn Iterator<Item = (u32, u32)>| {
        let total: f64 = w.iter().map(|&x| f64::from(x)).sum();
        if total <= 0.0 {
            return 0.0;
        }
        let covered: f64 =
            ranges.map(|(s, e)| w[s as usize..e as usize].iter().map(|&x| f64::from(x)).sum::<f64>()).sum();
        (covered / total).min(1.0)
    };
    (
        share(wa, &mut tiles.iter().map(|p| (p.a_start, p.a_end))),
        share(wb, &mut tiles.iter().map(|p| (p.b_start, p.b_end))),
        tiles.iter().map(|p| p.matched as usize).sum(),
    )
}

/// Every measure of how much each of two texts comes from the other.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Shares {
    /// [`vocabulary`] of the first text in the second, and of the second in the first.
    pub vocabulary: (f64, f64),
    /// [`run_coverage`] of each text.
    pub runs: (f64, f64),
    /// Tokens in shared runs.
    pub run_tokens: usize,
    /// [`sentence_coverage`] of the first text by the second.
    pub sentences_a: Sentences,
    /// [`sentence_coverage`] of the second text by the first.
    pub sentences_b: Sentences,
}

/// Measures two texts against each other, given the runs they share (`tiles`).
pub fn measure(a: &Text, b: &Text, tiles: &[Passage], o: &DerivationOptions) -> Shares {
    let (ra, rb, run_tokens) = run_coverage(tiles, &a.weights, &b.weights);
    let (in_a, in_b) = in_tiles(tiles, a.tokens.len(), b.tokens.len());
    Shares {
        vocabulary: vocabulary(a, b),
        runs: (ra, rb),
        run_tokens,
        sentences_a: sentence_coverage(a, b, &in_a, o),
        sentences_b: sentence_coverage(b, a, &in_b, o),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(tokens: &[u32], weights: &[f32], sentences: &[(u32, u32)]) -> Text {
        Text::new(tokens.to_vec(), weights.to_vec(), sentences.to_vec())
    }

    #[test]
    fn vocabulary_weighs_rare_words() {
        let a = [1, 2, 3, 4];
        let b = [1, 2, 9, 9];
        let wa = [0.0, 1.0, 1.0, 2.0];
        let wb = [0.0, 1.0, 5.0, 5.0];
        let (x, y) = vocabulary(&text(&a, &wa, &[]), &text(&b, &wb, &[]));
        assert!((x - 0.25).abs() < 1e-9, "{x}");
        assert!((y - 1.0 / 6.0).abs() < 1e-9, "{y}");
        // the same from tokens alone
        let ta = text(&a, &wa, &[]);
        let (p, q) = vocabulary_of_tokens(&ta, &b, text(&b, &wb, &[]).distinct_weight());
        assert!((p - x).abs() < 1e-12 && (q - y).abs() < 1e-12);
        // the same through the lookup of either text
        for side in [0, 1] {
            let (ta, tb) = (text(&a, &wa, &[]), text(&b, &wb, &[]));
            [&ta, &tb][side].index();
            assert_eq!(vocabulary(&ta, &tb), (x, y));
        }
    }

    #[test]
    fn a_reordered_sentence_is_derived_and_a_scattered_one_is_not() {
        let w = [1.0f32; 64];
        // `b`: two sentences of ten words; `a`: the first reordered, then a
        // sentence whose words are spread over all of a long `b2`.
        let b: Vec<u32> = (0..20).collect();
        let a: Vec<u32> = vec![4, 3, 2, 1, 0, 9, 8, 7, 6, 5, 100, 101, 102, 103];
        let sa = sentences(a.len(), |i| i == 10, 50);
        let sb = sentences(b.len(), |i| i == 10, 50);
        let cov = sentence_coverage(
            &text(&a, &w[..a.len()], &sa),
            &text(&b, &w[..b.len()], &sb),
            &[],
            &DerivationOptions::default(),
        )
        .coverage;
        assert!((cov - 10.0 / 14.0).abs() < 1e-9, "{cov}");
        let mut b2: Vec<u32> = (1000..1200).collect();
        for (k, &t) in [0u32, 1, 2, 3, 4, 5, 6, 7, 8, 9].iter().enumerate() {
            b2[k * 20] = t;
        }
        let w2 = vec![1.0f32; b2.len()];
        let scattered = sentence_coverage(
            &text(&a, &w[..a.len()], &sa),
            &text(&b2, &w2, &sentences(b2.len(), |_| false, 50)),
            &[],
            &DerivationOptions::default(),
        );
        assert!(scattered.coverage < 1e-9, "{scattered:?}");
        // the same sentence in shared runs counts as evidence, not coverage
        let runs: Vec<bool> = (0..a.len()).map(|i| i < 8).collect();
        let merged = sentence_coverage(
            &text(&a, &w[..a.len()], &sa),
            &text(&b2, &w2, &sentences(b2.len(), |_| false, 50)),
            &runs,
            &DerivationOptions::default(),
        );
        assert!(merged.coverage < 1e-9 && (merged.evidence - 10.0 / 14.0).abs() < 1e-9, "{merged:?}");
    }

    #[test]
    fn sentences_are_cut_at_starts_and_at_the_limit() {
        assert_eq!(sentences(7, |i| i == 3, 50), [(0, 3), (3, 7)]);
        assert_eq!(sentences(5, |_| false, 2), [(0, 2), (2, 4), (4, 5)]);
        assert!(sentences(0, |_| true, 5).is_empty());
    }

    /// Sentence coverage the slow obvious way: every window of `b` tried.
    fn slow_coverage(a: &Text, b: &Text, o: &DerivationOptions) -> f64 {
        let mut derived = 0;
        for &(s, e) in &a.sentences {
            let (s, e) = (s as usize, e as usize);
            let mut words: Vec<(u32, f32)> =
                a.tokens[s..e].iter().copied().zip(a.weights[s..e].iter().copied()).collect();
            words.sort_unstable_by_key(|x| x.0);
            words.dedup_by_key(|x| x.0);
            let total: f64 = words.iter().map(|x| f64::from(x.1)).sum();
            if total <= 0.0 {
                continue;
            }
            let width = o.stretch_factor * (e - s) + o.stretch_extra;
            let mut best = 0.0f64;
            for start in 0..b.tokens.len() {
                let end = (start + width + 1).min(b.tokens.len());
                let got: f64 = words
                    .iter()
                    .filter(|(t, _)| b.tokens[start..end].contains(t))
                    .map(|x| f64::from(x.1))
                    .sum();
                best = best.max(got);
            }
            if best >= o.sentence_share * total - 1e-9 {
                derived += e - s;
            }
        }
        derived as f64 / a.tokens.len().max(1) as f64
    }

    proptest! {
        #[test]
        fn sentence_coverage_matches_the_slow_way(
            a in proptest::collection::vec(0u32..12, 1..40),
            b in proptest::collection::vec(0u32..12, 1..80),
            cut in 1usize..9,
        ) {
            let wa: Vec<f32> = a.iter().map(|&t| 0.5 + (t % 3) as f32).collect();
            let wb: Vec<f32> = b.iter().map(|&t| 0.5 + (t % 3) as f32).collect();
            let sa = sentences(a.len(), |i| i % cut == 0, 50);
            let sb = sentences(b.len(), |_| false, 50);
            let o = DerivationOptions {
                stretch_factor: 1,
                stretch_extra: 2,
                max_occurrences: usize::MAX,
                ..DerivationOptions::default()
            };
            let fast = sentence_coverage(&text(&a, &wa, &sa), &text(&b, &wb, &sb), &[], &o).coverage;
            let slow = slow_coverage(&text(&a, &wa, &sa), &text(&b, &wb, &sb), &o);
            prop_assert!((fast - slow).abs() < 1e-9, "fast {} slow {}", fast, slow);
        }
    }
}
