"""The sliding window of a stream, and the compaction that keeps its memory bounded.

With `Corpus(window=...)` the newest publication time seen so far is the stream's
clock, and pages published more than the window before it are evicted as pages
arrive (pages without a date stay). Evicted pages leave empty slots in the core;
`compact_slots` renumbers the pages once the empty slots outnumber the live ones,
so a year-long stream runs in constant memory.
"""

from __future__ import annotations

import datetime as _dt
import heapq
from collections.abc import Mapping

from dedup._core import NewsCorpus
from dedup._page import Page
from dedup.errors import InputTypeError, InvalidOptionError


def check_window(window: object) -> _dt.timedelta | None:
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


class Window:
    """The stream clock and the dated pages by age; without a `span` (no window)
    nothing is ever evicted."""

    def __init__(self, span: object) -> None:
        self.span = check_window(span)
        self.clock: _dt.datetime | None = None
        # (publication timestamp, id) of dated pages, oldest first.
        self._by_time: list[tuple[float, str]] = []

    def note(self, batch: list[Page]) -> _dt.datetime | None:
        """Records the dated pages of a batch just added; returns the newest date
        among them (None without a window)."""
        if self.span is None:
            return None
        for p in batch:
            if p.published is not None:
                heapq.heappush(self._by_time, (p.published.timestamp(), p.id))
        return max((p.published for p in batch if p.published is not None), default=None)

    def expired(self, when: _dt.datetime | None, pages: Mapping[str, Page]) -> list[Page] | None:
        """Moves the clock to `when` if that is later; returns the pages of `pages`
        published more than the window before the clock, to evict (None without a
        window or a date: the clock did not run)."""
        if self.span is None or when is None:
            return None
        if self.clock is None or when > self.clock:
            self.clock = when
        cutoff = (self.clock - self.span).timestamp()
        evicted: dict[str, Page] = {}  # by id: a page re-added can have two entries
        while self._by_time and self._by_time[0][0] < cutoff:
            ts, pid = heapq.heappop(self._by_time)
            page = pages.get(pid)
            # Skip entries of pages removed (or re-added) since.
            if page is not None and page.published is not None and page.published.timestamp() == ts:
                evicted[pid] = page
        return list(evicted.values())


def compact_slots(core: NewsCorpus, pages: Mapping[str, Page]) -> dict[int, Page] | None:
    """Renumbers the core's slots once removed pages' empty slots outnumber live ones
    (and 10,000); returns the pages by their new slots, or None if nothing moved."""
    dead = core.slots() - len(pages)
    if dead <= max(10_000, len(pages)):
        return None
    new = core.compact()
    by_slot = {}
    for p in pages.values():
        p.slot = new[p.slot]
        by_slot[p.slot] = p
    return by_slot
