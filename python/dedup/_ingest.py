"""Ingestion: reading and validating pages, and committing them in batches.

`Intake` checks each record (its id new and Unicode text, its text a str, its outlet
and date usable) and makes its `Page`; it yields whole batches, so a bad record
stops the batch it is in before any of it is committed. `Committer` commits the
batches of `Corpus.add_many` on a second thread, in order, while the caller's thread
reads and validates the next batch: the core tokenises without the GIL, so reading
(JSON, CSV) and tokenising overlap.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

from dedup._core import JsonChunk
from dedup._page import Page
from dedup._progress import Bar
from dedup.errors import DuplicateIdError, InputTypeError, InvalidInputError
from dedup.io import ChunkRecord


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pauses the cyclic garbage collector: adding or assembling a million pages
    makes millions of small acyclic objects, and each collection would walk them
    all again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# -- single values ------------------------------------------------------------------------


def parse_published(value: object, what: str) -> _dt.datetime | None:
    """A timezone-aware datetime (naive values are taken as UTC), or None."""
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        dt = value
    elif isinstance(value, _dt.date):
        dt = _dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            dt = _dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInputError(
                f"{what} {value!r} is not an ISO 8601 date or datetime, e.g. '2024-05-01T08:30:00Z'"
            ) from None
    else:
        raise InputTypeError(
            f"{what} must be a datetime, an ISO 8601 string or None, got {type(value).__name__}"
        )
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=_dt.UTC)
    return dt


def check_unicode(value: str, what: str) -> str:
    """Rejects strings with lone surrogates, which are not Unicode text and cannot be
    stored or passed to the core."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(
            f"{what} contains lone surrogate code points that are not valid Unicode text; "
            "clean it first, e.g. s.encode('utf-8', 'replace').decode('utf-8')"
        ) from None
    return value


def clean_source(value: object, what: str) -> str | None:
    """An outlet name: None for a missing or empty one (so every input format agrees),
    other values as str (a numeric column from CSV or Parquet)."""
    if value is None or value == "":
        return None
    return check_unicode(value if isinstance(value, str) else str(value), what)


def check_text(value: object, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        raise InputTypeError(f"{what} is bytes; decode it to str first, e.g. data.decode('utf-8')")
    raise InputTypeError(f"{what} must be str, got {type(value).__name__}")


# -- records and batches ------------------------------------------------------------------


@dataclass(frozen=True)
class Fields:
    """Where a record keeps each value: `content` is the text's field, or the HTML's
    when the text is extracted from HTML."""

    id: str = "id"
    content: str = "text"
    source: str = "source"
    published: str = "published"

    @property
    def columns(self) -> list[str]:
        return [self.id, self.content, self.source, self.published]


# Texts of a batch: str, or a chunk of a JSON lines file whose texts the core keeps.
Texts = list[str] | JsonChunk

# A batch ready to commit: its pages, their texts, and their ids.
Batch = tuple[list[Page], Texts, set[str]]


class Intake:
    """Checks new pages against the ids of a corpus (`pages`, its pages by id, kept
    up to date by the corpus) and makes their `Page` records; outlet names, repeated
    on many pages, are kept as one str object each."""

    def __init__(self, pages: Mapping[str, Page]) -> None:
        self._pages = pages
        self._names: dict[str, str] = {}

    def has(self, pid: str) -> bool:
        return pid in self._pages

    def intern(self, source: str | None) -> str | None:
        return None if source is None else self._names.setdefault(source, source)

    def check_new_id(self, n: int, pid: object, *taken: set[str]) -> str:
        """Record `n`'s id, checked to be a str of Unicode text that is neither in the
        corpus nor in any of `taken` (ids of the batch so far, or in flight)."""
        if not isinstance(pid, str):
            raise InputTypeError(f"record {n}: id must be str, got {type(pid).__name__}")
        if not pid.isascii():  # an ASCII str holds no surrogate (and the check is O(1))
            check_unicode(pid, f"record {n}: id")
        if pid in self._pages:
            raise DuplicateIdError(f"record {n}: id {pid!r} is already in the corpus")
        for ids in taken:
            if pid in ids:
                raise DuplicateIdError(f"record {n}: id {pid!r} is already in the corpus")
        return pid

    def new_page(self, n: int, pid: str, source: object, published: object, chars: int) -> Page:
        """Record `n`'s page, its outlet and date checked (not yet added)."""
        # An outlet name seen before was checked then; most pages repeat one.
        known = self._names.get(source) if type(source) is str else None
        clean = (
            known
            if known is not None
            else self.intern(clean_source(source, f"record {n} ({pid!r}): source"))
        )
        # Messages are formatted only for values that need checking.
        when = None
        if published is not None:
            when = parse_published(published, f"record {n} ({pid!r}): published")
        return Page(pid, clean, when, chars)

    def batches(
        self,
        rows: Iterable[object],
        fields: Fields,
        batch_size: int,
        *,
        extract: Callable[[str | bytes], str] | None = None,
        in_flight: Committer | None = None,
        bar: Bar | None = None,
    ) -> Iterator[Batch]:
        """Validated batches of up to `batch_size` pages from `rows`; with `extract`,
        each text is the main text of the HTML in the content field. Ids are checked
        against the corpus, the batch so far and the batch `in_flight`."""
        batch: list[Page] = []
        texts: list[str] = []
        seen: set[str] = set()
        for n, rec in enumerate(rows):
            pid = self._checked_id(n, rec, fields, seen, in_flight)
            row = cast("Mapping[str, Any]", rec)  # checked by _checked_id
            text = self._text(n, pid, row, fields, extract)
            source, published = row.get(fields.source), row.get(fields.published)
            batch.append(self.new_page(n, pid, source, published, len(text)))
            seen.add(pid)
            texts.append(text)
            if bar is not None:
                bar.update()
            if len(batch) >= batch_size:
                yield batch, texts, seen
                batch, texts, seen = [], [], set()
        if batch:
            yield batch, texts, seen

    def chunk_batches(
        self,
        chunks: Iterable[tuple[JsonChunk, Iterator[ChunkRecord]]],
        fields: Fields,
        *,
        in_flight: Committer | None = None,
        bar: Bar | None = None,
    ) -> Iterator[Batch]:
        """`batches` for the chunks of a JSON lines file the core reads
        (`dedup.io.jsonl_chunks`): a chunk is a batch, its texts kept by the core;
        records are numbered and checked as `batches` checks them."""
        n = 0
        for chunk, records in chunks:
            batch: list[Page] = []
            seen: set[str] = set()
            chars = chunk.chars
            # Texts parsed here that are not Unicode (lone surrogates): the batch
            # goes to the storage as str, which refuses it as it refuses any such.
            odd: dict[int, str] = {}
            for i, rec, whole in records:
                if whole:  # parsed in Python: checked as any record
                    pid = self._checked_id(n, rec, fields, seen, in_flight)
                    text = self._text(n, pid, rec, fields, None)
                    try:
                        chunk.put(i, text)
                    except UnicodeEncodeError:
                        odd[i] = text
                    length = len(text)
                else:  # the core found the id and a str text
                    pid = self._new_id(n, rec[fields.id], seen, in_flight)
                    length = chars[i]
                source, published = rec.get(fields.source), rec.get(fields.published)
                batch.append(self.new_page(n, pid, source, published, length))
                seen.add(pid)
                n += 1
                if bar is not None:
                    bar.update()
            if odd:
                texts = chunk.strings()
                for i, text in odd.items():
                    texts[i] = text
                yield batch, texts, seen
            elif batch:
                yield batch, chunk, seen

    def _checked_id(
        self, n: int, rec: object, fields: Fields, seen: set[str], in_flight: Committer | None
    ) -> str:
        """Record `n`'s id, after checking the record is a mapping with an id and a
        content field."""
        if type(rec) is not dict and not isinstance(rec, Mapping):
            raise InputTypeError(f"record {n} must be a mapping, got {type(rec).__name__}")
        if fields.id not in rec or fields.content not in rec:
            raise InvalidInputError(
                f"record {n} needs the fields {fields.id!r} and {fields.content!r}; "
                f"it has {sorted(map(str, rec))}"
            )
        return self._new_id(n, rec[fields.id], seen, in_flight)

    def _new_id(self, n: int, pid: object, seen: set[str], in_flight: Committer | None) -> str:
        """`check_new_id` against the batch so far (`seen`) and the batch in flight."""
        taken = in_flight.ids if in_flight is not None else set()
        return self.check_new_id(n, pid, seen, taken)

    @staticmethod
    def _text(
        n: int,
        pid: str,
        rec: Mapping[str, Any],
        fields: Fields,
        extract: Callable[[str | bytes], str] | None,
    ) -> str:
        """Record `n`'s text: its content field, or the main text of the HTML there."""
        if extract is not None:
            html = rec[fields.content]
            if html is None:
                html = ""
            elif not isinstance(html, str | bytes):
                raise InputTypeError(
                    f"record {n} ({pid!r}): html must be str or bytes, got {type(html).__name__}"
                )
            return extract(html)
        text = rec[fields.content]
        if type(text) is not str:
            text = check_text(text, f"record {n} ({pid!r}): text")
        return text

    def features_batch(
        self,
        ids: Sequence[object],
        features: Sequence[bytes],
        sources: Sequence[object],
        published: Sequence[object],
        chars: Sequence[int] | None,
    ) -> list[Page]:
        """The pages of `Corpus.add_features`, validated whole."""
        lengths = {len(ids), len(features), len(sources), len(published)}
        if chars is not None:
            lengths.add(len(chars))
        if len(lengths) > 1:
            raise InvalidInputError("ids, features, sources, published and chars differ in length")
        batch = []
        seen: set[str] = set()
        for n, raw in enumerate(ids):
            pid = self.check_new_id(n, raw, seen)
            seen.add(pid)
            length = chars[n] if chars is not None else 0
            batch.append(self.new_page(n, pid, sources[n], published[n], length))
        return batch


class Committer:
    """Commits batches with `commit` (which returns how many pages it added), one at a
    time and in order, on a second thread from the second batch on. Leaving the block
    waits for the last batch; an error in a batch is raised by the next `submit` or
    on leaving, and no later batch is committed."""

    def __init__(self, commit: Callable[[list[Page], Texts], int]) -> None:
        self._commit = commit
        self._pool: ThreadPoolExecutor | None = None
        self._pending: Future[int] | None = None
        self._first = True
        self.added = 0
        # Ids of the batch in flight, for duplicate checks.
        self.ids: set[str] = set()

    def __enter__(self) -> Committer:
        return self

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.added += pending.result()
            self.ids = set()

    def submit(self, batch: list[Page], texts: Texts, ids: set[str]) -> None:
        self._wait()
        if not batch:
            return
        if self._first:
            # The first batch is committed here: a call with one batch (`add`) never
            # starts a thread.
            self._first = False
            self.added += self._commit(batch, texts)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="dedup-commit")
        self._pending = self._pool.submit(self._commit, batch, texts)
        self.ids = ids

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self._wait()
            elif self._pending is not None:
                # Leaving on an error: let the batch in flight finish (it was valid).
                self._pending.exception()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
