"""`Corpus`: find which pages carry the same wire story, how, and who ran it first.

The work happens in the Rust core (`dedup._core.NewsCorpus`): chrome removal,
winnowed fingerprints, passage alignment and clustering. `Corpus` is the public
face of the pipeline; it keeps ids, outlets and dates, and hands each concern to a
module of its own:

- `dedup._ingest`: reading and validating records, committing them in batches;
- `dedup._storage`: where pages are kept beyond the core (in memory, in an SQLite
  store, or loaded from a saved file), behind one interface;
- `dedup._window`: the sliding window of a stream, and compaction;
- `dedup._stories`: `Cluster` and `Match` objects from the core's results;
- `dedup._export`: the stories as a table (columns, Arrow, pandas).
"""

from __future__ import annotations

import datetime as _dt
import os
import threading
from collections.abc import Sequence
from dataclasses import replace
from os import PathLike
from typing import TYPE_CHECKING, Any, Literal, overload

from dedup import _export, _progress, _stories
from dedup._core import NewsCorpus as _NewsCorpus
from dedup._core import featurize as _featurize
from dedup._ingest import (
    Committer,
    Fields,
    Intake,
    Texts,
    check_text,
    clean_source,
    no_gc,
    parse_published,
)
from dedup._page import Page
from dedup._storage import DiskStorage, MemoryStorage, SavedFile, Storage
from dedup._window import Window, compact_slots
from dedup.errors import (
    CorpusClosedError,
    DedupWarning,
    DuplicateIdError,
    FileFormatError,
    InputTypeError,
    InvalidOptionError,
    UnknownIdError,
)
from dedup.io import core_jsonl, iter_records, jsonl_chunks, row_count
from dedup.report import write_report
from dedup.results import Cluster, Match, Passage

if TYPE_CHECKING:
    from dedup._core import Relation

__all__ = ["Cluster", "Corpus", "DedupWarning", "Match", "Passage", "featurize"]


def featurize(texts: Sequence[str]) -> list[bytes]:
    """The compact features of each text (token hashes, line keys and flags: about
    2 KB for a 3 KB news page), computed in Rust, in parallel and without the GIL.
    They are what a worker sends instead of the text; `Corpus.add_features` adds
    them to a corpus."""
    return _featurize(texts)


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
        keep_texts: bool = True,
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
        False never, True always. Methods that take `progress` override it per call.

        `keep_texts=False` keeps no page text, only what the stories are computed
        from: stories and scores are the same, but matches carry no passages, and
        `text`, `report` and `save` raise `DedupError`. It saves writing every text
        to a temporary file as large as the input, when only the stories are
        wanted (``dedup cluster`` does this)."""
        if not isinstance(keep_texts, bool):
            raise InputTypeError(f"keep_texts must be True or False, got {keep_texts!r}")
        self._window = Window(window)
        self._progress = _progress.check(progress)
        bad = [k for k, v in options.items() if not isinstance(v, int | float)]
        if bad:
            raise InputTypeError(f"options must be numbers or booleans: {', '.join(bad)}")
        self._options = {k: float(v) for k, v in options.items()}
        self._lock = threading.RLock()
        self._core = _NewsCorpus(self._options)
        # Pages by id, in the order they were added, and by their slot in the core.
        self._pages: dict[str, Page] = {}
        self._by_slot: dict[int, Page] = {}
        self._intake = Intake(self._pages)
        self._storage: Storage = MemoryStorage(keep_texts)
        self._closed = False
        # The last analysis, until the corpus changes; Match objects are built on
        # demand, as they copy passage text.
        self._result: _stories.Analysis | None = None

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
        which are rebuilt after 64 changes or 5% of the corpus, whichever is more."""
        rec = {"id": id, "text": text, "source": source, "published": published}
        if not match:
            self.add_many([rec])
            return None
        with self._lock:
            text = check_text(text, "text")
            if not isinstance(id, str):
                raise InputTypeError(f"id must be str, got {type(id).__name__}")
            if id in self._pages:
                raise DuplicateIdError(f"id {id!r} is already in the corpus")
            clean = clean_source(source, "source")
            self._advance(parse_published(published, "published"))
            rels = self._core.query(text, clean, stream=True)
            self.add_many([rec])
            out = [self._query_match(r, text) for r in rels]
            return _stories.strongest_first([replace(m, id=id) for m in out])

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
        batch_size: int = 2_000,
        progress: bool | None = None,
    ) -> int:
        """Adds pages, streamed in batches, from any of:

        - an iterable of mappings (dicts, rows);
        - a path to a file: JSON lines or CSV (optionally ``.gz`` or ``.zst``),
          Parquet or Arrow IPC (see `dedup.io.read_records`); an uncompressed JSON
          lines file is read by the core, its texts never made Python strings
          (the same pages and errors as reading it in Python);
        - an object with ``__arrow_c_stream__``: a pyarrow table or record batch
          reader, a polars or pandas data frame, a DuckDB result; or a Hugging Face
          dataset (these need ``pip install 'dedup[arrow]'``, polars excepted).

        Each record has an id and a text (and optionally a source and a publication
        date), in the fields named by the ``*_field`` arguments. With `html_field`,
        the text is instead the main text extracted from that field's HTML (see
        `add_html`). Each batch is validated whole before any of it is added, so a
        bad record leaves the corpus as it was before that batch. Batches are read
        and checked while the previous one is tokenised; the first and the last
        are not overlapped, so batches much larger than the default leave a core
        idle longer. Returns the number of pages added."""
        with self._lock:
            self._check_open()
            show = self._progress if progress is None else _progress.check(progress)
            if batch_size < 1:
                raise InvalidOptionError(f"`batch_size` must be at least 1, got {batch_size}")
            content = html_field if html_field is not None else text_field
            fields = Fields(id_field, content, source_field, published_field)
            extract = None
            if html_field is not None:
                from dedup.html import extract_text

                extract = extract_text
            # A plain JSON lines file is read by the core, its texts never made str.
            path = core_jsonl(records) if extract is None else None
            desc = "extracting and adding pages" if extract else "adding pages"
            with (
                no_gc(),
                _progress.Bar(show, desc=desc, total=row_count(records), unit="page") as bar,
                Committer(self._commit) as committer,
            ):
                if path is not None:
                    chunks = jsonl_chunks(path, content, id_field, fields.columns[2:], batch_size)
                    batches = self._intake.chunk_batches(
                        chunks, fields, in_flight=committer, bar=bar
                    )
                else:
                    rows = iter_records(
                        records, columns=fields.columns, batch_size=min(batch_size, 4096)
                    )
                    batches = self._intake.batches(
                        rows, fields, batch_size, extract=extract, in_flight=committer, bar=bar
                    )
                for batch in batches:
                    committer.submit(*batch)
            return committer.added

    def _commit(self, batch: list[Page], texts: Texts) -> int:
        """Adds a validated batch: the core tokenises the texts and keeps hashes, the
        storage keeps the texts (an on-disk corpus first commits the batch to its
        store, so the batch is durable, or, on error, not added at all)."""
        self._storage.add(self._core, batch, texts)
        self._register(batch)
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
        with self._lock:
            self._check_open()
            if sources is None:
                sources = [None] * len(ids)
            if published is None:
                published = [None] * len(ids)
            batch = self._intake.features_batch(ids, features, sources, published, chars)
            self._storage.add_features(self._core, batch, list(features))
            self._register(batch)
            return len(batch)

    def _register(self, batch: list[Page]) -> None:
        """Records pages just added to the core and the storage."""
        for p in batch:
            self._pages[p.id] = p
            self._by_slot[p.slot] = p
        self._result = None
        self._advance(self._window.note(batch))

    def _advance(self, when: _dt.datetime | None) -> None:
        """Moves the stream clock to `when` if later, evicts pages published more
        than the window before it, and compacts what they leave."""
        evicted = self._window.expired(when, self._pages)
        if evicted is None:
            return
        if evicted:
            self._drop(evicted)
        self._storage.compact(self._pages.values())
        by_slot = compact_slots(self._core, self._pages)
        if by_slot is not None:
            self._by_slot = by_slot
            self._result = None

    def remove(self, id: str) -> None:
        """Removes a page. Raises `UnknownIdError` if it is not present."""
        with self._lock:
            self._drop([self._page(id)])

    def _drop(self, pages: list[Page]) -> None:
        """Removes pages; the storage forgets them first (an on-disk corpus deletes
        them from its store, in one transaction)."""
        self._storage.remove(pages)
        for page in pages:
            self._core.remove(page.slot)
            del self._pages[page.id]
            del self._by_slot[page.slot]
        self._result = None

    # -- pages ---------------------------------------------------------------------------

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

    def published(self, id: str) -> _dt.datetime | None:
        """The publication time of a page (timezone-aware), or None."""
        return self._page(id).published

    def source(self, id: str) -> str | None:
        """The outlet of a page, or None."""
        return self._page(id).source

    def _text_of(self, page: Page) -> str:
        self._check_open()
        return self._storage.text(page)

    def _page(self, id: str) -> Page:
        self._check_open()
        try:
            return self._pages[id]
        except (KeyError, TypeError):
            raise UnknownIdError(f"no page with id {id!r} in the corpus") from None

    # -- stories and matches -----------------------------------------------------------

    def _analyze(self, progress: bool | None = None) -> _stories.Analysis:
        with self._lock:
            self._check_open()
            if self._result is None:
                show = self._progress if progress is None else progress
                self._result = _stories.analyze(self._core, self._by_slot, show)
            return self._result

    def clusters(self, *, progress: bool | None = None) -> list[Cluster]:
        """Stories carried by two or more pages, largest first. The result is cached
        until the corpus changes."""
        return list(self._analyze(_progress.check(progress)).clusters)

    def matches(self, id: str) -> list[Match]:
        """Verified relations of a page already added, strongest first."""
        with self._lock:
            slot = self._page(id).slot
            analysis = self._analyze()
            return _stories.matches_of(self._core, analysis, self._by_slot, slot, self._text_of)

    def all_matches(self) -> list[Match]:
        """Every verified relation in the corpus as a `Match` with its passages, each
        related pair once (`Match.flipped` gives the other direction). Pages with
        identical articles are verified once, through the first of them (or
        another copy, when a page relates to the article but not to the first
        copy itself, which is of its own outlet): the others relate to it, not to
        each other. `matches` lists all of a page's relations, every identical
        copy included."""
        with self._lock:
            analysis = self._analyze()
            return _stories.all_matches(self._core, analysis, self._by_slot, self._text_of)

    def query(self, text: str, source: str | None = None) -> list[Match]:
        """Relations of a new text to the pages in the corpus, without adding it. The
        matches' `id` is the empty string."""
        with self._lock:
            self._check_open()
            text = check_text(text, "text")
            if source is not None and not isinstance(source, str):
                raise InputTypeError(f"source must be str or None, got {type(source).__name__}")
            rels = self._core.query(text, clean_source(source, "source"))
            return _stories.strongest_first([self._query_match(r, text) for r in rels])

    def _query_match(self, rel: Relation, text: str) -> Match:
        """A relation of the core's `query` from `text` to a page in the corpus."""
        return _stories.match(rel, None, self._by_slot[rel.b], self._text_of, text)

    def explain(self, a: str, b: str) -> Match | None:
        """How page `a` relates to page `b`, checked directly; None if they are not
        copies of one story."""
        with self._lock:
            pa, pb = self._page(a), self._page(b)
            rel = self._core.explain(pa.slot, pb.slot)
            return None if rel is None else _stories.match(rel, pa, pb, self._text_of)

    # -- export --------------------------------------------------------------------------

    def cluster_table(self) -> dict[str, list[Any]]:
        """One row per page, in insertion order, as columns: ``id``, ``cluster_id``
        (the story's position in `clusters`, None for pages in no story),
        ``is_representative``, ``kind`` (the story's, or None), ``source`` and
        ``published``. `to_arrow` and `to_pandas` return the same table."""
        with self._lock:
            return _export.cluster_table(self._pages.values(), self.clusters())

    def match_table(self) -> dict[str, list[Any]]:
        """Every verified relation, each related pair once as in `all_matches`, as
        columns: ``id``, ``other``, ``kind``, ``score``, ``coverage`` (the share of
        ``id``'s article that comes from ``other``), ``other_coverage``,
        ``vocabulary``, ``other_vocabulary``, ``runs``, ``other_runs``,
        ``containment`` and ``shared_tokens``, as in `Match`, measured in
        parallel in the core. Passages and Jaccard are left out (`explain` gives
        them for a pair). The edges of the stories, for a graph tool or a table."""
        with self._lock:
            analysis = self._analyze()
            rels = analysis.found.relations()
            measured = self._core.measure(analysis.found.pairs())
            return _export.match_table(rels, measured, self._by_slot)

    def to_arrow(self) -> Any:
        """`cluster_table` as a ``pyarrow.Table`` (``pip install 'dedup[arrow]'``); join
        it back to the input on ``id``."""
        return _export.to_arrow(self.cluster_table)

    def to_pandas(self) -> Any:
        """`cluster_table` as a ``pandas.DataFrame`` (``cluster_id`` is a nullable
        ``Int64`` column; needs pandas and pyarrow)."""
        return _export.to_pandas(self.cluster_table)

    def report(self, path: str | PathLike[str], **options: Any) -> None:
        """Writes a self-contained HTML report of the stories to `path`: outlets,
        times, kinds and scores, and the copies side by side with their shared
        passages marked. `options` are those of `dedup.report.write_report`."""
        write_report(self, path, **options)

    # -- persistence ---------------------------------------------------------------------

    def save(self, path: str | PathLike[str]) -> None:
        """Writes the corpus to `path` atomically, in a versioned, checksummed format."""
        with self._lock:
            SavedFile.write(path, self._options, self._pages.values(), self._text_of)

    @classmethod
    def load(cls, path: str | PathLike[str]) -> Corpus:
        """Reads a corpus written by `save`. Loading never executes anything from the
        file; a damaged or foreign file raises `FileFormatError`."""
        saved = SavedFile(path)
        options: dict[str, Any] = dict(saved.options)
        c = cls(**options)
        c._attach(saved)
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
        c = cls(window=window, progress=progress, keep_texts=True, **options)  # checks them first
        store = DiskStorage.open(target, create_with=c._options)
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
                    c = cls(window=window, progress=progress, keep_texts=True, **store.options)
                except InvalidOptionError as e:
                    raise FileFormatError(
                        f"{target}: the store's options are invalid: {e}"
                    ) from None
            c._attach(store)
        except BaseException:
            store.close()
            raise
        return c

    def _attach(self, storage: Storage) -> None:
        """Makes `storage` the storage of this new, empty corpus, and adds the pages it
        holds, in their order; closes it if they cannot be added."""
        self._storage.close()
        self._storage = storage
        try:
            with (
                no_gc(),
                _progress.Bar(
                    self._progress, desc=storage.restoring, total=storage.count, unit="page"
                ) as bar,
            ):
                for batch in storage.restore(self._core, self._intake):
                    self._register(batch)
                    bar.update(len(batch))
        except BaseException:
            storage.close()
            raise

    def close(self) -> None:
        """Closes the corpus. An on-disk corpus closes its store (everything added is
        already in the file); an in-memory one frees its texts. Using the corpus
        afterwards raises `CorpusClosedError`; closing twice is harmless."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._storage.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            where = self._storage.where
            raise CorpusClosedError(f"the corpus is closed{where}; open it again to use it")
