//! The crate's one error type.

use std::fmt;

/// Every failure the core can report. The binding crate maps each variant to one
/// Python exception class, so variants follow what a user would catch, not where
/// the failure happened.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An option had a value outside its valid set or range.
    #[error("`{name}` must be {expected}, got {got}")]
    InvalidOption {
        /// The option's name as the user spells it.
        name: &'static str,
        /// What is accepted, e.g. "one of {'word', 'char'}" or "at least 1".
        expected: String,
        /// The rejected value, already formatted (strings quoted).
        got: String,
    },
    /// Input data that cannot be used: wrong shapes, mismatched lengths, unknown keys.
    #[error("{0}")]
    InvalidInput(String),
    /// A persisted file that is not a valid file of ours: truncated, corrupt,
    /// foreign or from a newer format version.
    #[error("{path}: {reason}")]
    BadFile {
        /// The file, as given.
        path: String,
        /// What was wrong, phrased so the user knows what to do.
        reason: String,
    },
    /// A key that is already present was added again.
    #[error("key '{0}' is already in the index; remove it first or use a unique key")]
    DuplicateKey(String),
    /// A key that is not present was looked up or removed.
    #[error("key '{0}' is not in the index")]
    UnknownKey(String),
    /// An operating-system I/O error.
    #[error("{path}: {source}")]
    Io {
        /// The file, as given.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Builds an [`Error::InvalidOption`] for a value outside a set of names.
    pub fn invalid_choice(name: &'static str, valid: &[&str], got: &str) -> Self {
        let list = valid.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ");
        Self::InvalidOption { name, expected: format!("one of {{{list}}}"), got: format!("'{got}'") }
    }

    /// Builds an [`Error::InvalidOption`] for a number outside its range.
    pub fn invalid_number(name: &'static str, expected: impl Into<String>, got: impl fmt::Display) -> Self {
        Self::InvalidOption { name, expected: expected.into(), got: got.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choice_message_lists_valid_values() {
        let e = Error::invalid_choice("unit", &["word", "char"], "words");
        assert_eq!(e.to_string(), "`unit` must be one of {'word', 'char'}, got 'words'");
    }
}
