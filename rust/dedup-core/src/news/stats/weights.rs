//! Token weights: how much a shared word says that two texts are related.
//!
//! A word found in most texts ("the", "said", a court's name in a corpus of court
//! reports) says nothing when two articles share it; a rare word (a name, an unusual
//! noun) says much. Each token weighs its inverse document frequency over the
//! distinct texts of the corpus (Spärck Jones, "A statistical interpretation of term
//! specificity and its application in retrieval", 1972), smoothed by a prior of
//! [`PRIOR_TEXTS`] texts that hold no token, so that in a corpus of five pages no
//! word weighs nothing just because all five use it.
//!
//! Document frequencies are counted in a table of counters indexed by the top bits
//! of the 32-bit token hash (a count sketch with one row): a rare word that shares a
//! counter with a frequent one weighs too little, which costs a little evidence and
//! never creates any. Counts are sums, so the table does not depend on the order or
//! the threads that filled it.

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;

/// Texts without any token added to the corpus size when weighing (the smoothing).
pub const PRIOR_TEXTS: f64 = 10.0;

/// Weight of each token, from the document frequencies of a corpus.
#[derive(Debug, Clone)]
pub struct TokenWeights {
    /// Weight of each counter.
    weight: Box<[f32]>,
    /// Hash bits dropped to index the table.
    shift: u32,
    /// Weight of a token no text holds.
    unseen: f32,
}

impl Default for TokenWeights {
    fn default() -> Self {
        Self::uniform()
    }
}

impl TokenWeights {
    /// Every token weighs the same (a corpus without statistics).
    pub fn uniform() -> Self {
        Self { weight: vec![1.0; 1].into_boxed_slice(), shift: 32, unseen: 1.0 }
    }

    /// Counts the distinct tokens of each text (32-bit token hashes, repeats
    /// allowed) and turns the counts into weights. `texts` should hold one entry per
    /// distinct text: near-duplicate copies of one story count once.
    pub fn count<T: AsRef<[u32]> + Sync>(texts: &[T]) -> Self {
        Self::count_each(texts.len(), |i| texts[i].as_ref().to_vec())
    }

    /// [`Self::count`] of the `n` texts `tokens(0)` to `tokens(n - 1)`, each made
    /// when it is counted rather than all held at once.
    pub fn count_each(n: usize, tokens: impl Fn(usize) -> Vec<u32> + Sync) -> Self {
        let bits = Self::bits_for(n);
        let df: Vec<AtomicU32> = (0..1usize << bits).map(|_| AtomicU32::new(0)).collect();
        (0..n).into_par_iter().for_each(|i| {
            for s in Self::counters(&tokens(i), bits) {
                df[s as usize].fetch_add(1, Ordering::Relaxed);
            }
        });
        let df: Vec<u32> = df.into_par_iter().map(AtomicU32::into_inner).collect();
        Self::from_counts(n, &df)
    }

    /// Bits of the counter table for `n` texts: about 256 counters a text,
    /// between 2^16 and 2^22 (16 MB).
    pub fn bits_for(n: usize) -> u32 {
        (usize::BITS - (n * 256).max(1).leading_zeros()).clamp(16, 22)
    }

    /// The distinct counters of a text's tokens in a table of `bits` bits: what
    /// counting the text adds one to.
    pub fn counters(tokens: &[u32], bits: u32) -> Vec<u32> {
        let mut slots: Vec<u32> = tokens.iter().map(|&t| t >> (32 - bits)).collect();
        slots.sort_unstable();
        slots.dedup();
        slots
    }

    /// The weights of `n` texts from their counter table (`2^bits_for(n)`
    /// counters, summed over the texts: counts can be summed in any order, by any
    /// number of workers).
    ///
    /// # Panics
    /// If `df` does not have `2^bits_for(n)` counters.
    pub fn from_counts(n: usize, df: &[u32]) -> Self {
        let bits = Self::bits_for(n);
        assert_eq!(df.len(), 1usize << bits, "the counter table of {n} texts has 2^{bits} counters");
        let total = n as f64 + PRIOR_TEXTS;
        let weight = df
            .par_iter()
            .map(|&c| (total / (f64::from(c) + 1.0)).ln().max(0.0) as f32)
            .collect::<Vec<f32>>()
            .into_boxed_slice();
        Self { weight, shift: 32 - bits, unseen: total.ln() as f32 }
    }

    /// The weight of a token (its 32-bit hash).
    #[inline]
    pub fn of(&self, token: u32) -> f32 {
        if self.shift >= 32 {
            return self.unseen;
        }
        self.weight[(token >> self.shift) as usize]
    }

    /// The weight of a token no text of the corpus holds: the largest weight.
    pub fn unseen(&self) -> f32 {
        self.unseen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequent_tokens_weigh_less_than_rare_ones() {
        // Token 1 in every text, token 2 in one, token 3 in none.
        let texts: Vec<Vec<u32>> = (0..50u32)
            .map(|i| if i == 0 { vec![1 << 20, 2 << 20] } else { vec![1 << 20, (i + 9) << 20] })
            .collect();
        let w = TokenWeights::count(&texts);
        assert!(w.of(1 << 20) < 0.25, "{}", w.of(1 << 20));
        assert!(w.of(2 << 20) > 3.0 * w.of(1 << 20));
        assert!(w.of(3 << 20) >= w.of(2 << 20));
        assert!((w.of(3 << 20) - w.unseen()).abs() < 1e-6);
    }

    #[test]
    fn a_tiny_corpus_still_weighs_shared_words() {
        // Two texts sharing every word: with the prior, shared words keep weight.
        let texts = vec![vec![5u32 << 24, 6 << 24], vec![5 << 24, 6 << 24]];
        let w = TokenWeights::count(&texts);
        assert!(w.of(5 << 24) > 1.0);
    }

    #[test]
    fn repeats_within_a_text_count_once_and_order_does_not_matter() {
        let a = vec![vec![7u32 << 24, 7 << 24, 7 << 24], vec![8 << 24]];
        let b = vec![vec![8u32 << 24], vec![7 << 24]];
        let (wa, wb) = (TokenWeights::count(&a), TokenWeights::count(&b));
        for t in [7u32 << 24, 8 << 24, 9 << 24] {
            assert_eq!(wa.of(t).to_bits(), wb.of(t).to_bits());
        }
    }
}
