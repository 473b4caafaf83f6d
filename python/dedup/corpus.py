"""`Corpus`: find which pages carry the same wire story, how, and who ran it first.

The work happens in the Rust core (`dedup._core.NewsCorpus`): chrome removal,
winnowed fingerprints, passage alignment and clustering. This module keeps ids,
outlets and dates, validates input, and turns results into `Cluster` and `Match`
objects.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import gc
import heapq
import os
import threading
import warnings
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from os import PathLike
from typing import Any, Literal, overload

from dedup import _progress, _store
from dedup._core import NewsCorpus as _NewsCorpus
from dedup._core import featurize as _featurize
from dedup._core import passage_offsets as _passage_offsets
from dedup._disk import DiskStore
from dedup._texts import TextSpill
from dedup.errors import (
    CorpusClosedError,
    DedupError,
    DedupWarning,
    DuplicateIdError,
    FileFormatError,
    InputTypeError,
    InvalidInputError,
    InvalidOptionError,
    MissingDependencyError,
    UnknownIdError,
)
from dedup.io import iter_records, row_count
from dedup.results import Cluster, Match, Passage

__all__ = ["Cluster", "Corpus", "DedupWarning", "Match", "Passage", "featurize"]


def featurize(texts: Sequence[str]) -> list[bytes]:
    """The compact features of each text (token hashes, line keys and flags: about
    2 KB for a 3 KB news page), computed in Rust, in parallel and without the GIL.
    They are what a worker sends instead of the text; `Corpus.add_features` adds
    them to a corpus."""
    return _featurize(texts)


# A relation as the core returns it: slots a and b, kind, score, containment, jaccard,
# shared tokens, shares (coverage, vocabulary and runs of a, then of b), passages as
# token ranges (a_start, a_end, b_start, b_end).
_Rel = tuple[
    int,
    int,
    str,
    float,
    float,
    float,
    int,
    tuple[float, float, float, float, float, float],
    list[tuple[int, int, int, int]],
]


@dataclass(slots=True)
class _Page:
    id: str
    source: str | None
    published: _dt.datetime | None
    slot: int
    chars: int = 0  # length of the text
    # Where the text is: an (offset, length) in the corpus's text spill, or a row
    # of an on-disk store; None before the page is committed.
    text_ref: Any = None
    # The page's row in an on-disk store (`Corpus.open`), else None.
    key: int | None = None


@contextlib.contextmanager
def _no_gc() -> Any:
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


class _Committer:
    """Commits validated batches of `add_many` on a second thread, one at a time and
    in order, while the caller's thread reads and validates the next batch: the
    core tokenises without the GIL, so reading (JSON, CSV) and tokenising overlap.
    Leaving the block waits for the last batch; an error in a batch is raised by
    the next `submit` or on leaving, and no later batch is committed."""

    def __init__(self, corpus: Corpus) -> None:
        self._corpus = corpus
        self._pool: ThreadPoolExecutor | None = None
        self._pending: Future[int] | None = None
        self._first = True
        self.added = 0
        # Ids of the batch in flight, for duplicate checks.
        self.ids: set[str] = set()

    def __enter__(self) -> _Committer:
        return self

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.added += pending.result()
            self.ids = set()

    def submit(self, batch: list[_Page], texts: list[str], ids: set[str]) -> None:
        self._wait()
        if not batch:
            return
        if self._first:
            # The first batch is committed here: a call with one batch (`add`) never
            # starts a thread.
            self._first = False
            self.added += self._corpus._commit(batch, texts)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="dedup-commit")
        self._pending = self._pool.submit(self._corpus._commit, batch, texts)
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


def _check_window(window: object) -> _dt.timedelta | None:
    if window is None:
        return None
    if isinstance(window, bool) or not isinstance(window, _dt.timedelta | int | float):
        raise InputTypeError(
            f"window must be a datetime.timedelta or seconds, got {type(window).__name__}"
        )
    w = window if isinstance(window, _dt.timedelta) else _dt.timedelta(seconds=window)
    if w <= _dt.timedelta(0):
        raise InvalidOptionError(f"window must be positive, got {w}")
    return w


def _parse_published(value: object, what: str) -> _dt.datetime | None:
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


def _check_unicode(value: str, what: str) -> str:
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


def _clean_source(value: object, what: str) -> str | None:
    """An outlet name: None for a missing or empty one (so every input format agrees),
    other values as str (a numeric column from CSV or Parquet)."""
    if value is None or value == "":
        return None
    return _check_unicode(value if isinstance(value, str) else str(value), what)


def _check_text(value: object, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        raise InputTypeError(f"{what} is bytes; decode it to str first, e.g. data.decode('utf-8')")
    raise InputTypeError(f"{what} must be str, got {type(value).__name__}")


class Corpus:
    """Pages from many outlets; finds the ones that carry the same wire story.

    The defaults are tuned for news and need no parameter. Give each page its
    outlet as ``source``: lines an outlet repeats on its pages (menus, footers,
    "related stories" rails) are then recognised as page chrome.

    >>> c = Corpus()
    >>> c.add("a", "Some page text ...", source="example.com")

    A corpus may be shared between threads: each method holds the corpus's lock
    while it runs, so one thread can add pages while others query, and every call
    sees the corpus either before or after another thread's whole batch. The heavy
    work runs in Rust without the GIL, so threads that do not use this corpus keep
    running meanwhile.
    """

    def __init__(
        self,
        *,
        window: _dt.timedelta | float | None = None,
        progress: bool | None = None,
        **options: float,
    ) -> None:
        """`options` override the news defaults by name (for example
        ``min_passage=10``); an unknown name raises `InvalidOptionError` listing the
        valid ones. The defaults need no tuning for news.

        `window` (a ``timedelta`` or seconds) makes the corpus a sliding window over
        a stream: the newest ``published`` time seen so far is the stream's clock,
        and pages published more than `window` before it are removed as pages are
        added, so a year-long stream runs in constant memory. Pages without a
        publication time are never evicted.

        `progress` controls progress bars (tqdm, ``pip install 'dedup[progress]'``) on
        long operations: None (default) shows them when standard error is a terminal,
        False never, True always. Methods that take `progress` override it per call."""
        self._window = _check_window(window)
        self._clock: _dt.datetime | None = None
        # (publication timestamp, id) of dated pages, oldest first, for eviction.
        self._by_time: list[tuple[float, str]] = []
        self._progress = _progress.check(progress)
        bad = [k for k, v in options.items() if not isinstance(v, int | float)]
        if bad:
            raise InputTypeError(f"options must be numbers or booleans: {', '.join(bad)}")
        self._options = {k: float(v) for k, v in options.items()}
        self._lock = threading.RLock()
        self._core = _NewsCorpus(self._options)
        self._pages: dict[str, _Page] = {}
        self._by_slot: dict[int, _Page] = {}
        self._texts = TextSpill()
        # The SQLite store of an on-disk corpus (`Corpus.open`), else None.
        self._disk: DiskStore | None = None
        self._closed = False
        # Outlet names are repeated on many pages: one str object each.
        self._source_names: dict[str, str] = {}
        # (raw relations from the core, relations by slot, clusters); Match objects
        # are built on demand, as they copy passage text.
        self._result: tuple[list[_Rel], dict[int, list[int]], list[Cluster]] | None = None

    # -- adding and removing ---------------------------------------------------------

    @overload
    def add(
        self,
        id: str,
        text: str,
        *,
        source: str | None = None,
        published: _dt.datetime | str | None = None,
        match: Literal[False] = False,
    ) -> None: ...

    @overload
    def add(
        self,
        id: str,
        text: str,
        *,
        source: str | None = None,
        published: _dt.datetime | str | None = None,
        match: Literal[True],
    ) -> list[Match]: ...

    def add(
        self,
        id: str,
        text: str,
        *,
        source: str | None = None,
        published: _dt.datetime | str | None = None,
        match: bool = False,
    ) -> list[Match] | None:
        """Adds one page. Raises `DuplicateIdError` if `id` is present (nothing changes).

        With ``match=True`` (stream mode) returns the new page's matches among the
        pages already in the corpus, strongest first, as `query` would, found
        without re-analysing the whole corpus for each page: pages added since the
        corpus statistics were last built are compared under those statistics,
        which are rebuilt after 1,000 changes or a tenth of the corpus."""
        rec = {"id": id, "text": text, "source": source, "published": published}
        if not match:
            self.add_many([rec])
            return None
        with self._lock:
            text = _check_text(text, "text")
            if not isinstance(id, str):
                raise InputTypeError(f"id must be str, got {type(id).__name__}")
            if id in self._pages:
                raise DuplicateIdError(f"id {id!r} is already in the corpus")
            clean = _clean_source(source, "source")
            self._advance_clock(_parse_published(published, "published"))
            rels = self._core.query(text, clean, stream=True)
            self.add_many([rec])
            out = [replace(self._match(r, None, self._by_slot[r[1]], text), id=id) for r in rels]
            out.sort(key=lambda m: (-m.score, m.other))
            return out

    def add_html(
        self,
        id: str,
        html: str | bytes,
        *,
        source: str | None = None,
        published: _dt.datetime | str | None = None,
    ) -> None:
        """Adds one HTML page: its main text is extracted with trafilatura (``pip
        install 'dedup[html]'``) and kept as the page's text, so `text` returns it and
        passage offsets refer to it. Raises `DuplicateIdError` if `id` is present."""
        rec = {"id": id, "html": html, "source": source, "published": published}
        self.add_many([rec], html_field="html", progress=False)

    def add_many(
        self,
        records: object,
        *,
        id_field: str = "id",
        text_field: str = "text",
        source_field: str = "source",
        published_field: str = "published",
        html_field: str | None = None,
        batch_size: int = 10_000,
        progress: bool | None = None,
    ) -> int:
        """Adds pages, streamed in batches, from any of:

        - an iterable of mappings (dicts, rows);
        - a path to a file: JSON lines or CSV (optionally ``.gz`` or ``.zst``),
          Parquet or Arrow IPC (see `dedup.io.read_records`);
        - an object with ``__arrow_c_stream__``: a pyarrow table or record batch
          reader, a polars or pandas data frame, a DuckDB result; or a Hugging Face
          dataset (these need ``pip install 'dedup[arrow]'``, polars excepted).

        Each record has an id and a text (and optionally a source and a publication
        date), in the fields named by the ``*_field`` arguments. With `html_field`,
        the text is instead the main text extracted from that field's HTML (see
        `add_html`). Each batch is validated whole before any of it is added, so a
        bad record leaves the corpus as it was before that batch. Returns the number
        of pages added."""
        with self._lock:
            self._check_open()
            show = self._progress if progress is None else _progress.check(progress)
            if batch_size < 1:
                raise InvalidOptionError(f"`batch_size` must be at least 1, got {batch_size}")
            content_field = html_field if html_field is not None else text_field
            columns = [id_field, content_field, source_field, published_field]
            rows = iter_records(records, columns=columns, batch_size=min(batch_size, 4096))
            extract = None
            if html_field is not None:
                from dedup.html import extract_text

                extract = extract_text
            batch: list[_Page] = []
            texts: list[str] = []
            seen: set[str] = set()
            desc = "extracting and adding pages" if extract else "adding pages"
            with (
                _no_gc(),
                _progress.Bar(show, desc=desc, total=row_count(records), unit="page") as bar,
                _Committer(self) as committer,
            ):
                for n, rec in enumerate(rows):
                    if not isinstance(rec, Mapping):
                        raise InputTypeError(
                            f"record {n} must be a mapping, got {type(rec).__name__}"
                        )
                    if id_field not in rec or content_field not in rec:
                        raise InvalidInputError(
                            f"record {n} needs the fields {id_field!r} and {content_field!r}; "
                            f"it has {sorted(map(str, rec))}"
                        )
                    pid = self._check_new_id(n, rec[id_field], seen, committer.ids)
                    if extract is not None:
                        html = rec[content_field]
                        if html is None:
                            html = ""
                        elif not isinstance(html, str | bytes):
                            raise InputTypeError(
                                f"record {n} ({pid!r}): html must be str or bytes, "
                                f"got {type(html).__name__}"
                            )
                        text = extract(html)
                    else:
                        text = _check_text(rec[content_field], f"record {n} ({pid!r}): text")
                    page = self._new_page(
                        n, pid, rec.get(source_field), rec.get(published_field), len(text)
                    )
                    seen.add(pid)
                    batch.append(page)
                    texts.append(text)
                    bar.update()
                    if len(batch) >= batch_size:
                        committer.submit(batch, texts, seen)
                        batch, texts, seen = [], [], set()
                committer.submit(batch, texts, seen)
            return committer.added

    def _check_new_id(self, n: int, pid: object, *taken: set[str]) -> str:
        """Record `n`'s id, checked to be a str of Unicode text that is neither in the
        corpus nor in any of `taken` (ids of the batch so far, or in flight)."""
        if not isinstance(pid, str):
            raise InputTypeError(f"record {n}: id must be str, got {type(pid).__name__}")
        _check_unicode(pid, f"record {n}: id")
        if pid in self._pages or any(pid in ids for ids in taken):
            raise DuplicateIdError(f"record {n}: id {pid!r} is already in the corpus")
        return pid

    def _new_page(self, n: int, pid: str, source: object, published: object, chars: int) -> _Page:
        """Record `n`'s page, its outlet and date checked (not yet added)."""
        clean = _clean_source(source, f"record {n} ({pid!r}): source")
        if clean is not None:
            # Outlet names are repeated on many pages: one str object each.
            clean = self._source_names.setdefault(clean, clean)
        when = _parse_published(published, f"record {n} ({pid!r}): published")
        return _Page(pid, clean, when, -1, chars)

    def _commit(self, batch: list[_Page], texts: list[str]) -> int:
        """Adds a validated batch: the core tokenises the texts and keeps hashes, the
        texts go to the text store. An on-disk corpus first commits the batch to its
        store, so the batch is durable, or (on error) not added at all."""
        if not batch:
            return 0
        if self._disk is not None:
            features = _featurize(texts)
            self._store_and_add(batch, features, texts)
            return len(batch)
        slots = self._core.add_many(texts, [p.source for p in batch])
        refs = self._texts.append(texts)
        self._register(batch, slots, refs)
        return len(batch)

    def add_features(
        self,
        ids: Sequence[str],
        features: Sequence[bytes],
        sources: Sequence[str | None] | None = None,
        published: Sequence[_dt.datetime | str | None] | None = None,
        chars: Sequence[int] | None = None,
    ) -> int:
        """Adds pages tokenised elsewhere by `featurize` (for example on Spark
        workers), without their texts: clusters and scores are the same as for the
        texts, but passages cannot be shown (their matches have none, and `text`
        raises `DedupError`). `sources` and `published` are as in `add` (None: none
        for every page); `chars` are the texts' lengths (the representative of an
        undated story is the longest page). The batch is validated whole before
        anything is added; features that are not `featurize` output raise
        `InvalidInputError`. Returns the number of pages added."""
        if sources is None:
            sources = [None] * len(ids)
        if published is None:
            published = [None] * len(ids)
        features = list(features)
        with self._lock:
            self._check_open()
            lengths = {len(ids), len(features), len(sources), len(published)}
            if chars is not None:
                lengths.add(len(chars))
            if len(lengths) > 1:
                raise InvalidInputError(
                    "ids, features, sources, published and chars differ in length"
                )
            batch = []
            seen: set[str] = set()
            for n, pid in enumerate(ids):
                pid = self._check_new_id(n, pid, seen)
                seen.add(pid)
                length = chars[n] if chars is not None else 0
                batch.append(self._new_page(n, pid, sources[n], published[n], length))
            if self._disk is not None:
                self._store_and_add(batch, features, None)
                return len(batch)
            slots = self._core.add_features(features, [p.source for p in batch])
            self._register(batch, slots, [None] * len(batch))
            return len(batch)

    def _store_and_add(
        self, batch: list[_Page], features: list[bytes], texts: list[str] | None
    ) -> None:
        """On-disk corpus: commits pages to the store in one transaction and adds them
        to the core; if either refuses them, neither keeps them."""
        assert self._disk is not None
        rows = [
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
        sources = [p.source for p in batch]
        if texts is None:
            # Features from elsewhere: the core checks them before they are stored.
            slots = self._core.add_features(features, sources)
            try:
                keys = self._disk.add(rows)
            except BaseException:
                for s in slots:
                    self._core.remove(s)
                raise
        else:
            keys = self._disk.add(rows)
            try:
                slots = self._core.add_features(features, sources)
            except BaseException:
                self._disk.delete(keys)
                raise
        for p, k in zip(batch, keys, strict=True):
            p.key = k
        self._register(batch, slots, keys if texts is not None else [None] * len(batch))

    def _register(self, batch: list[_Page], slots: list[int], refs: list[Any]) -> None:
        for p, s, r in zip(batch, slots, refs, strict=True):
            p.slot = s
            p.text_ref = r
            self._pages[p.id] = p
            self._by_slot[s] = p
        self._result = None
        if self._window is not None:
            for p in batch:
                if p.published is not None:
                    heapq.heappush(self._by_time, (p.published.timestamp(), p.id))
            newest = max((p.published for p in batch if p.published is not None), default=None)
            self._advance_clock(newest)

    def _advance_clock(self, when: _dt.datetime | None) -> None:
        """Moves the stream clock to `when` if later, and evicts pages published
        more than the window before it."""
        if self._window is None or when is None:
            return
        if self._clock is None or when > self._clock:
            self._clock = when
        cutoff = (self._clock - self._window).timestamp()
        evicted: dict[str, _Page] = {}  # by id: a page re-added can have two entries
        while self._by_time and self._by_time[0][0] < cutoff:
            ts, pid = heapq.heappop(self._by_time)
            page = self._pages.get(pid)
            # Skip entries of pages removed (or re-added) since.
            if page is not None and page.published is not None and page.published.timestamp() == ts:
                evicted[pid] = page
        if evicted:
            self._drop(list(evicted.values()))
        self._compact()

    def _compact(self) -> None:
        """Renumbers pages once removed pages' empty slots outnumber live ones, so a
        stream's memory does not grow with the slots it used; likewise rewrites the
        text file once removed pages' texts fill most of it."""
        spill = self._texts
        if self._disk is None and spill.dead > max(_SPILL_COMPACT_BYTES, spill.size // 2):
            kept = [p for p in self._pages.values() if p.text_ref is not None]
            for p, ref in zip(kept, spill.compact([p.text_ref for p in kept]), strict=True):
                p.text_ref = ref
        dead = self._core.slots() - len(self._pages)
        if dead <= max(10_000, len(self._pages)):
            return
        new = self._core.compact()
        self._by_slot = {}
        for p in self._pages.values():
            p.slot = new[p.slot]
            self._by_slot[p.slot] = p
        self._result = None

    def remove(self, id: str) -> None:
        """Removes a page. Raises `UnknownIdError` if it is not present."""
        with self._lock:
            self._drop([self._page(id)])

    def _drop(self, pages: list[_Page]) -> None:
        """Removes pages; an on-disk corpus first deletes them from its store, in one
        transaction."""
        if self._disk is not None:
            self._disk.delete([p.key for p in pages if p.key is not None])
        for page in pages:
            self._core.remove(page.slot)
            del self._pages[page.id]
            del self._by_slot[page.slot]
            if self._disk is None and page.text_ref is not None:
                self._texts.discard(page.text_ref)
        self._result = None

    def __len__(self) -> int:
        return len(self._pages)

    def __contains__(self, id: object) -> bool:
        return id in self._pages

    def __repr__(self) -> str:
        return f"Corpus({len(self)} pages)"

    @property
    def ids(self) -> list[str]:
        """Page ids in the order they were added."""
        with self._lock:
            return list(self._pages)

    def text(self, id: str) -> str:
        """The text of a page as it was added."""
        with self._lock:
            return self._text_of(self._page(id))

    def article(self, id: str) -> str:
        """The article text chrome removal kept for a page, its lines joined by newlines."""
        with self._lock:
            page = self._page(id)
            text = self._text_of(page)
            return "\n".join(text[s:e] for s, e in self._core.article_spans(page.slot, text))

    def article_spans(self, id: str) -> list[tuple[int, int]]:
        """Character spans ``(start, end)`` of `text(id)` that chrome removal kept as
        the article, in order: ``article(id)`` is their texts joined by newlines."""
        with self._lock:
            page = self._page(id)
            return list(self._core.article_spans(page.slot, self._text_of(page)))

    def _text_of(self, page: _Page) -> str:
        self._check_open()
        if page.text_ref is None:
            raise DedupError(
                f"the text of page {page.id!r} is not kept: it was added as features only; "
                "add the page with its text to see passages"
            )
        if self._disk is not None:
            return self._disk.text(page.text_ref)
        return str(self._texts.read(page.text_ref))

    def _page(self, id: str) -> _Page:
        self._check_open()
        try:
            return self._pages[id]
        except (KeyError, TypeError):
            raise UnknownIdError(f"no page with id {id!r} in the corpus") from None

    # -- results -----------------------------------------------------------------------

    def _match(
        self, rel: tuple[Any, ...], a: _Page | None, b: _Page, query_text: str = ""
    ) -> Match:
        _, _, kind, score, containment, jaccard, shared, shares, tokens = rel
        cov_a, cov_b, voc_a, voc_b, run_a, run_b = shares
        # Pages added as features only have no text: their matches have no passages.
        known = (a is None or a.text_ref is not None) and b.text_ref is not None
        ta = (self._text_of(a) if a is not None else query_text) if known else ""
        tb = self._text_of(b) if known else ""
        # The core gives passages as token ranges; map them to this text's offsets.
        offsets = _passage_offsets(ta, tb, tokens) if tokens and known else []
        ps = [Passage(s0, e0, s1, e1, ta[s0:e0], tb[s1:e1]) for (s0, e0, s1, e1) in offsets]
        return Match(
            id=a.id if a is not None else "",
            other=b.id,
            kind=kind,
            score=score,
            coverage=cov_a,
            other_coverage=cov_b,
            vocabulary=voc_a,
            other_vocabulary=voc_b,
            runs=run_a,
            other_runs=run_b,
            containment=containment,
            jaccard=jaccard,
            shared_tokens=shared,
            passages=ps,
        )

    def _analyze(
        self, progress: bool | None = None
    ) -> tuple[list[_Rel], dict[int, list[int]], list[Cluster]]:
        with self._lock:
            self._check_open()
            if self._result is not None:
                return self._result
            show = self._progress if progress is None else progress
            with (
                _no_gc(),
                _progress.Bar(show, desc=f"verifying and clustering {len(self)} pages") as bar,
            ):
                # One call into the core does candidates, verification and clustering; the
                # bar shows its time, then counts the stories as they are assembled.
                rels, groups, refused = self._core.analyze()
                bar.set_description(f"assembling {len(groups)} stories")
                bar.reset(total=len(groups))
                by_slot: dict[int, list[int]] = {}
                for n, r in enumerate(rels):
                    by_slot.setdefault(r[0], []).append(n)
                    by_slot.setdefault(r[1], []).append(n)
                if refused:
                    warnings.warn(
                        f"{refused} merges were refused because a story would have grown past "
                        "the cluster size limit; the pages stay in smaller clusters",
                        DedupWarning,
                        stacklevel=3,
                    )
                story_of = {s: n for n, g in enumerate(groups) for s in g}
                rewritten = {
                    story_of[r[0]]
                    for r in rels
                    if r[2] == "rewritten" and story_of.get(r[0], -1) == story_of.get(r[1], -2)
                }
                clusters = []
                for n, g in enumerate(groups):
                    pages = [self._by_slot[s] for s in g]
                    rep = self._representative(pages)
                    rest = sorted((p for p in pages if p is not rep), key=_order_key)
                    ordered = [rep, *rest]
                    # Syndicated when every verified relation inside the story is a
                    # near-verbatim copy.
                    syndicated = n not in rewritten
                    clusters.append(
                        Cluster(
                            ids=[p.id for p in ordered],
                            representative=rep.id,
                            kind="syndicated" if syndicated else "rewritten",
                            sources=[p.source for p in ordered],
                        )
                    )
                    bar.update()
            clusters.sort(key=lambda c: (-len(c.ids), _order_key(self._pages[c.representative])))
            self._result = (rels, by_slot, clusters)
            return self._result

    def all_matches(self) -> list[Match]:
        """Every verified relation in the corpus as a `Match` with its passages, each
        related pair once (`Match.flipped` gives the other direction). Pages with
        identical articles are verified once, through the first of them: the
        others relate to it, not to each other. `matches` lists all of a page's
        relations, every identical copy included."""
        with self._lock:
            out = []
            for r in self._analyze()[0]:
                # `analyze` leaves passages out; the same verification gives them.
                full = self._core.explain(r[0], r[1])
                if full is not None:
                    out.append(self._match(full, self._by_slot[r[0]], self._by_slot[r[1]]))
            return out

    def _representative(self, pages: list[_Page]) -> _Page:
        """The earliest published page; else the bare wire text (the page chrome removal
        kept most of); else the longest."""
        dated = [p for p in pages if p.published is not None]
        if dated:
            return min(dated, key=_order_key)

        def key(p: _Page) -> tuple[float, int, str]:
            share = self._core.article_share(p.slot)
            return (-round(share, 2), -p.chars, p.id)

        return min(pages, key=key)

    def clusters(self, *, progress: bool | None = None) -> list[Cluster]:
        """Stories carried by two or more pages, largest first. The result is cached
        until the corpus changes."""
        return list(self._analyze(_progress.check(progress))[2])

    def published(self, id: str) -> _dt.datetime | None:
        """The publication time of a page (timezone-aware), or None."""
        return self._page(id).published

    def source(self, id: str) -> str | None:
        """The outlet of a page, or None."""
        return self._page(id).source

    def cluster_table(self) -> dict[str, list[Any]]:
        """One row per page, in insertion order, as columns: ``id``, ``cluster_id``
        (the story's position in `clusters`, None for pages in no story),
        ``is_representative``, ``kind`` (the story's, or None), ``source`` and
        ``published``. `to_arrow` and `to_pandas` return the same table."""
        with self._lock:
            where: dict[str, tuple[int | None, Cluster | None]] = {}
            for number, story in enumerate(self.clusters()):
                for pid in story.ids:
                    where[pid] = (number, story)
            cols: dict[str, list[Any]] = {k: [] for k in _TABLE_COLUMNS}
            for p in self._pages.values():
                n, c = where.get(p.id, (None, None))
                cols["id"].append(p.id)
                cols["cluster_id"].append(n)
                cols["is_representative"].append(c is not None and c.representative == p.id)
                cols["kind"].append(c.kind if c is not None else None)
                cols["source"].append(p.source)
                cols["published"].append(p.published)
            return cols

    def to_arrow(self) -> Any:
        """`cluster_table` as a ``pyarrow.Table`` (``pip install 'dedup[arrow]'``); join
        it back to the input on ``id``."""
        from dedup.io import _pyarrow

        pa = _pyarrow("Corpus.to_arrow()")
        schema = pa.schema(
            [
                ("id", pa.string()),
                ("cluster_id", pa.int64()),
                ("is_representative", pa.bool_()),
                ("kind", pa.string()),
                ("source", pa.string()),
                ("published", pa.timestamp("us", tz="UTC")),
            ]
        )
        return pa.table(self.cluster_table(), schema=schema)

    def to_pandas(self) -> Any:
        """`cluster_table` as a ``pandas.DataFrame`` (``cluster_id`` is a nullable
        ``Int64`` column; needs pandas and pyarrow)."""
        try:
            import pandas as pd
        except ImportError:
            raise MissingDependencyError(
                "Corpus.to_pandas() needs pandas: pip install pandas 'dedup[arrow]'"
            ) from None
        return self.to_arrow().to_pandas(types_mapper={_int64(): pd.Int64Dtype()}.get)

    def report(self, path: str | PathLike[str], **options: Any) -> None:
        """Writes a self-contained HTML report of the stories to `path`: outlets,
        times, kinds and scores, and the copies side by side with their shared
        passages marked. `options` are those of `dedup.report.write_report`."""
        from dedup.report import write_report

        write_report(self, path, **options)

    def matches(self, id: str) -> list[Match]:
        """Verified relations of a page already added, strongest first."""
        with self._lock:
            slot = self._page(id).slot
            rels, by_slot, _ = self._analyze()
            # Pages with identical articles are verified once, through the first of them;
            # a page's matches are those of all its identical copies, each verified
            # against this page so that offsets refer to its own text.
            copies = self._core.identical(slot)
            others = set(copies)
            for s in copies:
                for n in by_slot.get(s, []):
                    r = rels[n]
                    # The other side stands for all pages with its article too.
                    others.update(self._core.identical(r[1] if r[0] == s else r[0]))
            others.discard(slot)
            out = []
            for o in others:
                rel = self._core.explain(slot, o)
                if rel is not None:
                    out.append(self._match(rel, self._by_slot[slot], self._by_slot[o]))
            out.sort(key=lambda m: (-m.score, m.other))
            return out

    def query(self, text: str, source: str | None = None) -> list[Match]:
        """Relations of a new text to the pages in the corpus, without adding it. The
        matches' `id` is the empty string."""
        with self._lock:
            self._check_open()
            text = _check_text(text, "text")
            if source is not None and not isinstance(source, str):
                raise InputTypeError(f"source must be str or None, got {type(source).__name__}")
            rels = self._core.query(text, _clean_source(source, "source"))
            out = [self._match(r, None, self._by_slot[r[1]], text) for r in rels]
            out.sort(key=lambda m: (-m.score, m.other))
            return out

    def explain(self, a: str, b: str) -> Match | None:
        """How page `a` relates to page `b`, checked directly; None if they are not
        copies of one story."""
        with self._lock:
            pa, pb = self._page(a), self._page(b)
            rel = self._core.explain(pa.slot, pb.slot)
            return None if rel is None else self._match(rel, pa, pb)

    # -- persistence ---------------------------------------------------------------------

    def save(self, path: str | PathLike[str]) -> None:
        """Writes the corpus to `path` atomically, in a versioned, checksummed format."""
        with self._lock:
            header: dict[str, Any] = {"options": dict(self._options)}
            records = [header] + [
                {
                    "id": p.id,
                    "text": self._text_of(p),
                    "source": p.source,
                    "published": p.published.isoformat() if p.published else None,
                }
                for p in self._pages.values()
            ]
            _store.write_records(path, _store.CORPUS_MAGIC, records)

    @classmethod
    def load(cls, path: str | PathLike[str]) -> Corpus:
        """Reads a corpus written by `save`. Loading never executes anything from the
        file; a damaged or foreign file raises `FileFormatError`."""
        records = iter(_store.read_records(path, _store.CORPUS_MAGIC))
        options: dict[str, Any] = dict(_saved_options(path, next(records, None)))
        c = cls(**options)
        try:
            c.add_many(_saved_records(records))
        except (InvalidInputError, InputTypeError) as e:
            # Framing and checksum were fine, but the records are not what `save`
            # writes (a foreign program's file, or a buggy writer).
            raise FileFormatError(f"{os.fspath(path)}: not a saved corpus: {e}") from None
        return c

    @classmethod
    def open(
        cls,
        path: str | PathLike[str],
        *,
        window: _dt.timedelta | float | None = None,
        progress: bool | None = None,
        **options: float,
    ) -> Corpus:
        """Opens the on-disk corpus at `path`, creating an empty one if there is none.

        The store is one SQLite file. Opening reads the pages' compact features (not
        their texts, which are read from the file when shown); results are the same
        as for a corpus built from the texts in memory. Every `add_many` batch (and
        every `add`, `remove`) is committed to the file before the call returns: once
        it returns, it survives a crash or a power cut, and a crash loses at most the
        batch in flight, never a part of one.

        `options` are recorded when the store is created and used on every later
        open; giving different ones for an existing store raises
        `InvalidOptionError`. With `window` (see `Corpus`), evicted pages are
        deleted from the store too. A store is open in one place at a time (another open
        raises `StorageError`); `close` it, or use ``with Corpus.open(path) as c:``.
        A file that is not a store (damaged, foreign, or from a newer dedup) raises
        `FileFormatError`; nothing in it is ever executed."""
        target = os.fspath(path)
        c = cls(window=window, progress=progress, **options)  # checks them before creating
        store = DiskStore.open(target, create_with=c._options)
        try:
            if store.options != c._options:
                wrong = {k: v for k, v in c._options.items() if store.options.get(k) != v}
                if wrong:
                    raise InvalidOptionError(
                        f"{target} was created with the options {store.options}, not "
                        f"{wrong}; open it without options (the stored ones are used) "
                        "or build a new corpus with these"
                    )
                try:
                    c = cls(window=window, progress=progress, **store.options)
                except InvalidOptionError as e:
                    raise FileFormatError(
                        f"{target}: the store's options are invalid: {e}"
                    ) from None
            c._texts.close()  # texts stay in the store
            c._disk = store
            c._load_store(store)
        except BaseException:
            store.close()
            raise
        return c

    def _load_store(self, store: DiskStore) -> None:
        """Adds the pages of a store to the core, in their order, without texts."""
        with _progress.Bar(
            self._progress, desc="opening corpus", total=store.count, unit="page"
        ) as bar:
            store_seen = 0
            for rows in store.pages():
                batch, features, refs = [], [], []
                for n, pid, source, published, chars, has_text, f in rows:
                    if source is not None:
                        source = self._source_names.setdefault(source, source)
                    try:
                        when = _parse_published(published, f"page {n}: published")
                    except (InvalidInputError, InputTypeError) as e:
                        raise FileFormatError(f"{store.path}: {e}") from None
                    batch.append(_Page(pid, source, when, -1, chars, None, n))
                    features.append(f)
                    refs.append(n if has_text else None)  # None: added as features only
                try:
                    slots = self._core.add_features(features, [p.source for p in batch])
                except (InvalidInputError, InputTypeError) as e:
                    raise FileFormatError(
                        f"{store.path}: stored features are invalid: {e}"
                    ) from None
                self._register(batch, slots, refs)
                if len(self._pages) != store_seen + len(batch):
                    raise FileFormatError(f"{store.path}: a page id is stored twice")
                store_seen += len(batch)
                bar.update(len(batch))

    def close(self) -> None:
        """Closes the corpus. An on-disk corpus closes its store (everything added is
        already in the file); an in-memory one frees its texts. Using the corpus
        afterwards raises `CorpusClosedError`; closing twice is harmless."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._texts.close()
            if self._disk is not None:
                self._disk.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            where = f" (store {self._disk.path})" if self._disk is not None else ""
            raise CorpusClosedError(f"the corpus is closed{where}; open it again to use it")


# Removed pages' texts an in-memory corpus's text file may hold before it is rewritten.
_SPILL_COMPACT_BYTES = 64 << 20

_SAVED_FIELDS = {"id", "text", "source", "published"}
_TABLE_COLUMNS = ("id", "cluster_id", "is_representative", "kind", "source", "published")


def _int64() -> Any:
    import pyarrow as pa

    return pa.int64()


def _saved_options(path: str | PathLike[str], header: dict[str, Any] | None) -> dict[str, float]:
    """The options a saved corpus was built with, from its first record."""
    opts = header.get("options") if header is not None and set(header) == {"options"} else None
    if not isinstance(opts, dict) or not all(
        isinstance(k, str) and isinstance(v, int | float) and not isinstance(v, bool)
        for k, v in opts.items()
    ):
        raise FileFormatError(f"{os.fspath(path)}: not a saved corpus: no options header")
    return {str(k): float(v) for k, v in opts.items()}


def _saved_records(records: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """The page records of a saved corpus, each checked to have exactly the shape `save`
    writes (so a mapping where a source should be is not quietly turned into a str)."""
    for n, rec in enumerate(records):
        if set(rec) != _SAVED_FIELDS:
            raise InvalidInputError(f"record {n} has the fields {sorted(rec)}")
        for key in ("source", "published"):
            if rec[key] is not None and not isinstance(rec[key], str):
                raise InvalidInputError(f"record {n}: {key} is a {type(rec[key]).__name__}")
        yield rec


def _order_key(p: _Page) -> tuple[float, str]:
    ts = p.published.timestamp() if p.published is not None else float("inf")
    return (ts, p.id)
