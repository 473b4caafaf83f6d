//! Every tunable of the pipeline, with news defaults, settable by name.

use crate::error::{Error, Result};

use super::chrome::ChromeOptions;
use super::stats::neardup::NearDupOptions;
use super::stories::ClusterOptions;
use super::verify::align::AlignOptions;
use super::verify::derivation::DerivationOptions;

/// Every tunable of the pipeline, with news defaults.
#[derive(Debug, Clone, Copy)]
pub struct NewsOptions {
    /// Chrome removal.
    pub chrome: ChromeOptions,
    /// Tokens per fingerprinted k-gram.
    pub k: usize,
    /// A k-gram used by more than this many distinct texts (near-duplicate groups,
    /// not pages) is a common phrase ...
    pub common_texts: u32,
    /// ... or by more than this times the square root of the number of distinct
    /// texts, if that is more: in a larger corpus more phrases recur by chance, and
    /// a fixed count would turn the quotes rewrites share into "common" phrases.
    pub common_scale: f64,
    /// Near-duplicate grouping for document frequencies.
    pub neardup: NearDupOptions,
    /// Winnowing window (k-grams).
    pub window: usize,
    /// Rare fingerprints two pages must share to be compared.
    pub min_shared_fingerprints: usize,
    /// Tokens per k-gram of the short-run candidates: rewrites that cut and reword
    /// a wire story share many runs of a few words and few runs of `k`.
    pub short_k: usize,
    /// Winnowing window of the short-run candidates.
    pub short_window: usize,
    /// Rare short fingerprints two pages must share to be compared.
    pub min_shared_short: usize,
    /// Run the coherence pass.
    pub coherence: bool,
    /// Rare fingerprints a line must share with a page to count it as a partner.
    pub coherence_fingerprints: usize,
    /// Least partner overlap with a neighbouring line for a line to stay.
    pub coherence_overlap: f64,
    /// Lines mostly inside quotation marks are never dropped by coherence: a quote
    /// is what a heavy rewrite keeps of a story, next to its own unrelated text.
    pub coherence_keeps_quotes: bool,
    /// Passage alignment: long shared runs, which passages and copies are made of ...
    pub align: AlignOptions,
    /// ... then the short runs left between them, which derivation is made of.
    pub short_runs: AlignOptions,
    /// A passage counts when it has this many rare tokens.
    pub min_passage: usize,
    /// `Rewritten` needs a counted passage this long ...
    pub rewritten_longest: usize,
    /// ... and this many rare tokens in counted passages,
    pub rewritten_shared: usize,
    /// ... or a counted passage this long inside quotation marks on both pages.
    pub rewritten_quote: usize,
    /// `Syndicated` needs this containment (shared / shorter article).
    pub syndicated_containment: f64,
    /// `Rewritten` also holds when this share of one article's distinct words
    /// (weighed by rarity) occurs in the other: a brief cut and reworded from a wire
    /// story ...
    pub derived_vocabulary: f64,
    /// ... with at least this many tokens in shared runs ...
    pub derived_tokens: usize,
    /// ... and at least this share of its text in sentences that come from the
    /// other ([`crate::derivation::Sentences::evidence`]).
    pub derived_evidence: f64,
    /// A page with at least this share of its words from another page joins that
    /// page's story, however large the story (a brief of a long wire story relates
    /// to it alone, not to the story's other copies).
    pub attach_vocabulary: f64,
    /// Sentence coverage ([`crate::derivation`]).
    pub derivation: DerivationOptions,
    /// Pages of one outlet share template text: they relate only above this
    /// containment.
    pub same_source_containment: f64,
    /// Passages closer than this (tokens) are shown as one.
    pub display_gap: u32,
    /// Story clustering.
    pub cluster: ClusterOptions,
}

impl Default for NewsOptions {
    fn default() -> Self {
        Self {
            chrome: ChromeOptions::default(),
            k: 5,
            common_texts: 10,
            common_scale: 0.09,
            neardup: NearDupOptions::default(),
            window: 4,
            min_shared_fingerprints: 2,
            short_k: 3,
            short_window: 2,
            min_shared_short: 3,
            coherence: true,
            coherence_fingerprints: 2,
            coherence_overlap: 0.5,
            coherence_keeps_quotes: true,
            align: AlignOptions::default(),
            // Runs of two tokens count too; frequent words weigh next to nothing.
            short_runs: AlignOptions { seed: 2, min_run: 2, max_seed_occurrences: 64 },
            min_passage: 6,
            rewritten_longest: 10,
            rewritten_shared: 16,
            rewritten_quote: 10,
            syndicated_containment: 0.8,
            derived_vocabulary: 0.5,
            derived_tokens: 8,
            derived_evidence: 0.05,
            attach_vocabulary: 0.5,
            derivation: DerivationOptions::default(),
            same_source_containment: 0.5,
            display_gap: 3,
            cluster: ClusterOptions::default(),
        }
    }
}

impl NewsOptions {
    /// Names accepted by [`NewsOptions::set`].
    pub const NAMES: [&'static str; 30] = [
        "k",
        "common_texts",
        "common_scale",
        "window",
        "min_shared_fingerprints",
        "coherence",
        "coherence_overlap",
        "coherence_keeps_quotes",
        "min_passage",
        "rewritten_longest",
        "rewritten_shared",
        "rewritten_quote",
        "syndicated_containment",
        "derived_vocabulary",
        "derived_tokens",
        "derived_evidence",
        "attach_vocabulary",
        "sentence_share",
        "sentence_runs",
        "short_k",
        "short_window",
        "min_shared_short",
        "same_source_containment",
        "min_density",
        "max_cluster_size",
        "line_common_texts",
        "same_source_pages",
        "prose_min",
        "prose_long",
        "short_max",
    ];

    /// Sets one option by name (numbers as `f64`, booleans as 0 or 1).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for an unknown name or a value out of range.
    pub fn set(&mut self, name: &str, value: f64) -> Result<()> {
        let count = |min: f64| -> Result<usize> {
            if value.fract() != 0.0 || value < min || value > 1e9 {
                return Err(Error::invalid_number(
                    static_name(name),
                    format!("a whole number >= {min}"),
                    value,
                ));
            }
            Ok(value as usize)
        };
        let share = || -> Result<f64> {
            if !(0.0..=1.0).contains(&value) {
                return Err(Error::invalid_number(static_name(name), "between 0 and 1", value));
            }
            Ok(value)
        };
        match name {
            "k" => self.k = count(1.0)?,
            "common_texts" => self.common_texts = count(1.0)? as u32,
            "common_scale" => {
                if !(0.0..=1000.0).contains(&value) {
                    return Err(Error::invalid_number("common_scale", "between 0 and 1000", value));
                }
                self.common_scale = value;
            }
            "window" => self.window = count(1.0)?,
            "min_shared_fingerprints" => self.min_shared_fingerprints = count(1.0)?,
            "coherence" => self.coherence = count(0.0)? != 0,
            "coherence_overlap" => self.coherence_overlap = share()?,
            "coherence_keeps_quotes" => self.coherence_keeps_quotes = count(0.0)? != 0,
            "min_passage" => self.min_passage = count(1.0)?,
            "rewritten_longest" => self.rewritten_longest = count(1.0)?,
            "rewritten_shared" => self.rewritten_shared = count(1.0)?,
            "rewritten_quote" => self.rewritten_quote = count(1.0)?,
            "syndicated_containment" => self.syndicated_containment = share()?,
            "derived_vocabulary" => self.derived_vocabulary = share()?,
            "derived_tokens" => self.derived_tokens = count(1.0)?,
            "attach_vocabulary" => self.attach_vocabulary = share()?,
            "sentence_share" => self.derivation.sentence_share = share()?,
            "sentence_runs" => self.derivation.sentence_runs = share()?,
            "derived_evidence" => self.derived_evidence = share()?,
            "short_k" => self.short_k = count(1.0)?,
            "short_window" => self.short_window = count(1.0)?,
            "min_shared_short" => self.min_shared_short = count(1.0)?,
            "same_source_containment" => self.same_source_containment = share()?,
            "min_density" => self.cluster.min_density = share()?,
            "max_cluster_size" => self.cluster.max_size = count(2.0)?,
            "line_common_texts" => self.chrome.recur_texts = count(1.0)? as u32,
            "same_source_pages" => self.chrome.same_source_pages = count(2.0)? as u32,
            "prose_min" => self.chrome.prose_min = count(1.0)?,
            "prose_long" => self.chrome.prose_long = count(1.0)?,
            "short_max" => self.chrome.short_max = count(0.0)?,
            _ => return Err(Error::invalid_choice("option", &Self::NAMES, name)),
        }
        Ok(())
    }
}

fn static_name(name: &str) -> &'static str {
    NewsOptions::NAMES.iter().find(|n| **n == name).copied().unwrap_or("option")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_set_by_name_and_checked() {
        let mut o = NewsOptions::default();
        o.set("attach_vocabulary", 0.6).expect("valid");
        o.set("short_k", 4.0).expect("valid");
        o.set("sentence_share", 0.7).expect("valid");
        assert!((o.attach_vocabulary - 0.6).abs() < 1e-12 && o.short_k == 4);
        assert!((o.derivation.sentence_share - 0.7).abs() < 1e-12);
        // a share above 1, a fraction where a count is wanted, an unknown name
        assert!(o.set("derived_vocabulary", 1.5).is_err());
        assert!(o.set("min_shared_short", 2.5).is_err());
        let err = o.set("atach_vocabulary", 0.5).expect_err("unknown").to_string();
        assert!(err.contains("attach_vocabulary"), "{err}");
    }

    #[test]
    fn every_listed_name_can_be_set_to_its_default() {
        // `NAMES` and `set` agree: each listed option accepts a valid value.
        for name in NewsOptions::NAMES {
            let mut o = NewsOptions::default();
            let ok = [1.0, 0.5, 2.0].iter().any(|&v| o.set(name, v).is_ok());
            assert!(ok, "{name}");
        }
    }
}
