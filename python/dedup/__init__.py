"""dedup: find syndicated and rewritten copies of the same wire story across outlets.

The fingerprinting core (normalisation, shingles, MinHash, LSH) is written in Rust;
this package adds the news pipeline, I/O and the command line.
"""

from __future__ import annotations

from dedup._core import LSHIndex, MinHasher, Shingler, __version__, estimate_jaccard
from dedup.corpus import Corpus, featurize
from dedup.errors import (
    CorpusClosedError,
    DedupError,
    DedupWarning,
    DuplicateIdError,
    FileFormatError,
    InputTypeError,
    InternalError,
    InvalidInputError,
    InvalidOptionError,
    MissingDependencyError,
    StorageError,
    StoreNotFoundError,
    UnknownIdError,
)
from dedup.results import Cluster, Match, Passage

__all__ = [
    "Cluster",
    "Corpus",
    "CorpusClosedError",
    "DedupError",
    "DedupWarning",
    "DuplicateIdError",
    "FileFormatError",
    "InputTypeError",
    "InternalError",
    "InvalidInputError",
    "InvalidOptionError",
    "LSHIndex",
    "Match",
    "MinHasher",
    "MissingDependencyError",
    "Passage",
    "Shingler",
    "StorageError",
    "StoreNotFoundError",
    "UnknownIdError",
    "__version__",
    "estimate_jaccard",
    "featurize",
]
