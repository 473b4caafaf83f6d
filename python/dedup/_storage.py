"""Where a corpus keeps its pages beyond the core: one interface, three kinds.

The Rust core keeps a compact tokenisation of each page, not its text. A `Storage`
keeps the rest: it puts each batch of pages into the core together with whatever
it keeps of them (either both take a batch or neither does), reads a page's text
back to show passages, forgets removed pages, restores the pages it held when a
corpus is opened or loaded, and closes. `Corpus` talks to its storage only through
this interface:

- `MemoryStorage`, a corpus built in memory: texts in an anonymous temporary file
  (`dedup._texts.TextSpill`), rewritten when removed pages' texts fill most of it;
- `DiskStorage`, `Corpus.open`: every page (features, outlet, date, text) in an
  SQLite file (`dedup._disk.DiskStore`), each batch durable before it is added;
- `SavedFile`, `Corpus.load`: a snapshot written by `Corpus.save`
  (`dedup._store`); its pages are tokenised again on loading and their texts then
  kept as in memory.
"""

from __future__ import annotations

import contextlib
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from os import PathLike
from typing import Any

from dedup import _store
from dedup._core import NewsCorpus
from dedup._core import featurize as _featurize
from dedup._disk import DiskStore
from dedup._ingest import Fields, Intake, Texts, check_unicode, parse_published
from dedup._page import Page
from dedup._texts import TextSpill
from dedup.errors import DedupError, FileFormatError, InputTypeError, InvalidInputError

# Removed pages' texts the text spill may hold before it is rewritten.
SPILL_COMPACT_BYTES = 64 << 20


class Storage(ABC):
    """Keeps what the core does not. `add` and `add_features` set each page's
    `slot`, `ref` and `has_text`; the other methods take pages so set."""

    #: Said after an error about the corpus, e.g. " (store news.db)".
    where = ""
    #: How `restore` is described on a progress bar, and how many pages it adds.
    restoring = "restoring corpus"
    count: int | None = None

    @abstractmethod
    def add(self, core: NewsCorpus, batch: list[Page], texts: Texts) -> None:
        """Adds pages with their texts to `core` and keeps the texts."""

    @abstractmethod
    def add_features(self, core: NewsCorpus, batch: list[Page], features: list[bytes]) -> None:
        """Adds pages tokenised elsewhere (no text) to `core`."""

    @abstractmethod
    def remove(self, pages: list[Page]) -> None:
        """Forgets pages about to be removed from the core."""

    def text(self, page: Page) -> str:
        """The text of a page as it was added; `DedupError` for a page added as
        features only, whose text is kept nowhere."""
        if not page.has_text:
            raise DedupError(
                f"the text of page {page.id!r} is not kept: it was added as features only, "
                "or to a Corpus(keep_texts=False); add the page with its text to a corpus "
                "that keeps texts to see passages"
            )
        return self._read(page)

    @abstractmethod
    def _read(self, page: Page) -> str:
        """The text of a page that has one."""

    def compact(self, pages: Iterable[Page]) -> None:
        """Reclaims the room removed pages left, given every page still held (by
        default there is none to reclaim)."""
        return

    def restore(self, core: NewsCorpus, intake: Intake) -> Iterator[list[Page]]:
        """Adds the pages held from before (a store being opened, a file being
        loaded) to `core`, batch by batch; yields each batch for the corpus to
        register before the next is read. A new storage holds none."""
        return iter(())

    @abstractmethod
    def close(self) -> None:
        """Releases the storage; closing twice is harmless."""


class MemoryStorage(Storage):
    """Texts appended to a `TextSpill`; a page's `ref` is its text's place there."""

    def __init__(self, keep_texts: bool = True) -> None:
        self._spill = TextSpill()
        # Without texts (`Corpus(keep_texts=False)`), pages are kept as features are.
        self._keep_texts = keep_texts
        # Writes a batch's texts while the core tokenises it (both release the GIL).
        self._writer: ThreadPoolExecutor | None = None

    @property
    def size(self) -> int:
        """Bytes in the text file."""
        return self._spill.size

    def add(self, core: NewsCorpus, batch: list[Page], texts: Texts) -> None:
        if not self._keep_texts:
            for p, s in zip(batch, core.add_many(texts, [p.source for p in batch]), strict=True):
                p.slot = s
            return
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="dedup-spill")
        # Encoded once, for the file and the core: handing the core `str` made
        # Python encode each text a second time.
        encoded = _encode(texts)
        written = self._writer.submit(self._spill.append, encoded)
        try:
            slots = core.add_encoded(encoded, [p.source for p in batch])
        except BaseException:
            # The texts may be in the file already; no page refers to them.
            with contextlib.suppress(Exception):
                for ref in written.result():
                    self._spill.discard(ref)
            raise
        try:
            refs = written.result()
        except BaseException:
            for s in slots:
                core.remove(s)
            raise
        for p, s, r in zip(batch, slots, refs, strict=True):
            p.slot, p.ref, p.has_text = s, r, True

    def add_features(self, core: NewsCorpus, batch: list[Page], features: list[bytes]) -> None:
        for p, s in zip(batch, core.add_features(features, [p.source for p in batch]), strict=True):
            p.slot = s

    def remove(self, pages: list[Page]) -> None:
        for p in pages:
            if p.has_text:
                self._spill.discard(p.ref)

    def _read(self, page: Page) -> str:
        return self._spill.read(page.ref)

    def compact(self, pages: Iterable[Page]) -> None:
        """Rewrites the text file once removed pages' texts fill most of it, so a
        long stream does not grow it without end."""
        spill = self._spill
        if spill.dead > max(SPILL_COMPACT_BYTES, spill.size // 2):
            kept = [p for p in pages if p.has_text]
            for p, ref in zip(kept, spill.compact([p.ref for p in kept]), strict=True):
                p.ref = ref

    def close(self) -> None:
        if self._writer is not None:
            self._writer.shutdown()
        self._spill.close()


class DiskStorage(Storage):
    """Pages in an SQLite store; a page's `ref` is its row. Each batch is committed to
    the store in one transaction and added to the core; if either refuses it,
    neither keeps it."""

    restoring = "opening corpus"

    def __init__(self, store: DiskStore) -> None:
        self._store = store
        self.path = store.path
        # The options the store was created with.
        self.options: dict[str, float] = store.options
        self.count = store.count
        self.where = f" (store {store.path})"

    @classmethod
    def open(cls, path: str, create_with: dict[str, float]) -> DiskStorage:
        return cls(DiskStore.open(path, create_with=create_with))

    def add(self, core: NewsCorpus, batch: list[Page], texts: Texts) -> None:
        texts = _strings(texts)
        features = _featurize(texts)
        keys = self._store.add(self._rows(batch, features, texts))
        try:
            slots = core.add_features(features, [p.source for p in batch])
        except BaseException:
            self._store.delete(keys)
            raise
        self._set(batch, slots, keys, True)

    def add_features(self, core: NewsCorpus, batch: list[Page], features: list[bytes]) -> None:
        # Features from elsewhere: the core checks them before they are stored.
        slots = core.add_features(features, [p.source for p in batch])
        try:
            keys = self._store.add(self._rows(batch, features, None))
        except BaseException:
            for s in slots:
                core.remove(s)
            raise
        self._set(batch, slots, keys, False)

    @staticmethod
    def _rows(batch: list[Page], features: list[bytes], texts: list[str] | None) -> list[Any]:
        return [
            (
                p.id,
                p.source,
                p.published.isoformat() if p.published is not None else None,
                p.chars,
                f,
                None if texts is None else texts[n],
            )
            for n, (p, f) in enumerate(zip(batch, features, strict=True))
        ]

    @staticmethod
    def _set(batch: list[Page], slots: list[int], keys: list[int], has_text: bool) -> None:
        for p, s, k in zip(batch, slots, keys, strict=True):
            p.slot, p.ref, p.has_text = s, k, has_text

    def remove(self, pages: list[Page]) -> None:
        """Deletes the pages from the store, in one transaction."""
        self._store.delete([p.ref for p in pages])

    def _read(self, page: Page) -> str:
        return self._store.text(page.ref)

    def restore(self, core: NewsCorpus, intake: Intake) -> Iterator[list[Page]]:
        """The store's pages in their order, added as features (the texts stay in
        the file); anything the store should not hold raises `FileFormatError`."""
        path = self.path
        for rows in self._store.pages():
            batch, features = [], []
            for n, pid, source, published, chars, has_text, f in rows:
                try:
                    when = parse_published(published, f"page {n}: published")
                except (InvalidInputError, InputTypeError) as e:
                    raise FileFormatError(f"{path}: {e}") from None
                batch.append(
                    Page(pid, intake.intern(source), when, chars, ref=n, has_text=has_text)
                )
                features.append(f)
            if len({p.id for p in batch}) != len(batch) or any(intake.has(p.id) for p in batch):
                raise FileFormatError(f"{path}: a page id is stored twice")
            try:
                slots = core.add_features(features, [p.source for p in batch])
            except (InvalidInputError, InputTypeError) as e:
                raise FileFormatError(f"{path}: stored features are invalid: {e}") from None
            for p, s in zip(batch, slots, strict=True):
                p.slot = s
            yield batch

    def close(self) -> None:
        self._store.close()


_SAVED_FIELDS = {"id", "text", "source", "published"}


class SavedFile(MemoryStorage):
    """A corpus written by `Corpus.save`: its options and page records, read and
    checked (framing, checksum, options header) when this is made. Restoring adds
    the pages with the checks of `Corpus.add_many`; their texts are then kept in
    memory, as those of any corpus built there."""

    restoring = "loading corpus"

    def __init__(self, path: str | PathLike[str]) -> None:
        self.path = os.fspath(path)
        records = _store.read_records(path, _store.CORPUS_MAGIC)
        # The options the corpus was built with.
        self.options: dict[str, float] = _saved_options(self.path, next(records, None))
        self._records = records
        super().__init__()

    def restore(self, core: NewsCorpus, intake: Intake) -> Iterator[list[Page]]:
        try:
            for batch, texts, _ in intake.batches(_saved_records(self._records), Fields(), 10_000):
                self.add(core, batch, texts)
                yield batch
        except (InvalidInputError, InputTypeError) as e:
            # Framing and checksum were fine, but the records are not what `save`
            # writes (a foreign program's file, or a buggy writer).
            raise FileFormatError(f"{self.path}: not a saved corpus: {e}") from None

    @staticmethod
    def write(
        path: str | PathLike[str],
        options: dict[str, float],
        pages: Iterable[Page],
        text_of: Callable[[Page], str],
    ) -> None:
        """Writes a snapshot of `pages` to `path` atomically."""
        header: dict[str, Any] = {"options": dict(options)}
        records = [header] + [
            {
                "id": p.id,
                "text": text_of(p),
                "source": p.source,
                "published": p.published.isoformat() if p.published else None,
            }
            for p in pages
        ]
        _store.write_records(path, _store.CORPUS_MAGIC, records)


def _saved_options(path: str, header: dict[str, Any] | None) -> dict[str, float]:
    """The options a saved corpus was built with, from its first record."""
    opts = header.get("options") if header is not None and set(header) == {"options"} else None
    if not isinstance(opts, dict) or not all(
        isinstance(k, str) and isinstance(v, int | float) and not isinstance(v, bool)
        for k, v in opts.items()
    ):
        raise FileFormatError(f"{path}: not a saved corpus: no options header")
    return {str(k): float(v) for k, v in opts.items()}


def _saved_records(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The page records of a saved corpus, each checked to have exactly the shape `save`
    writes (so a mapping where a source should be is not quietly turned into a str)."""
    for n, rec in enumerate(records):
        if set(rec) != _SAVED_FIELDS:
            raise InvalidInputError(f"record {n} has the fields {sorted(rec)}")
        for key in ("source", "published"):
            if rec[key] is not None and not isinstance(rec[key], str):
                raise InvalidInputError(f"record {n}: {key} is a {type(rec[key]).__name__}")
        yield rec


def _strings(texts: Texts) -> list[str]:
    """The texts as `str`: a chunk read by the core (`dedup.io.jsonl_chunks`)
    keeps them in Rust."""
    return texts if isinstance(texts, list) else texts.strings()


def _encode(texts: Texts) -> list[bytes]:
    """The texts as UTF-8; `InvalidInputError` for a text with lone surrogates
    (not Unicode text), before anything is written or added."""
    if not isinstance(texts, list):
        return texts.encoded()  # UTF-8 already
    try:
        return [t.encode("utf-8") for t in texts]
    except UnicodeEncodeError:
        for i, t in enumerate(texts):
            check_unicode(t, f"texts[{i}]")
        raise
