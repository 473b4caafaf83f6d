"""The exceptions `dedup` raises, and the warning it gives.

Every exception derives from :class:`DedupError` and from the builtin exception that
fits, so ``except ValueError`` (or ``OSError``, ``ImportError`` ...) keeps working
for code that does not know `dedup`. :class:`DedupWarning` is a ``UserWarning``.
"""

from __future__ import annotations

__all__ = [
    "CorpusClosedError",
    "DedupError",
    "DedupWarning",
    "DuplicateIdError",
    "FileFormatError",
    "InputTypeError",
    "InternalError",
    "InvalidInputError",
    "InvalidOptionError",
    "MissingDependencyError",
    "StorageError",
    "StoreNotFoundError",
    "UnknownIdError",
]


class DedupError(Exception):
    """Base class of every error `dedup` raises on purpose."""


class InvalidOptionError(DedupError, ValueError):
    """An option has a value outside its valid set or range; the message lists them."""


class InvalidInputError(DedupError, ValueError):
    """Input data cannot be used as given (wrong shape, length, or content)."""


class InputTypeError(DedupError, TypeError):
    """An argument has the wrong type (for example ``bytes`` where ``str`` is needed)."""


class DuplicateIdError(InvalidInputError):
    """An id that is already present was added again; nothing was changed."""


class UnknownIdError(DedupError, KeyError):
    """An id that is not present was looked up."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class StorageError(DedupError, OSError):
    """Reading or writing a file failed at the operating-system level."""


class StoreNotFoundError(StorageError, FileNotFoundError):
    """A file to load does not exist."""


class FileFormatError(DedupError, OSError):
    """A file is not a valid `dedup` file: truncated, corrupted, foreign, or written
    by a newer format version. Loading never executes anything from the file."""


class CorpusClosedError(DedupError, ValueError):
    """A corpus (or its on-disk store) was used after `Corpus.close`."""


class MissingDependencyError(DedupError, ImportError):
    """A feature needs an optional package that is not installed; the message names
    the extra to install (for example ``pip install 'dedup[html]'``)."""


class InternalError(DedupError, RuntimeError):
    """A bug in dedup: the Rust core panicked. The operation was abandoned instead of
    aborting the interpreter; please report the message."""


class DedupWarning(UserWarning):
    """Something worth knowing about a result, such as a story too large to merge."""
