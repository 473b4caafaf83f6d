"""A page as a `Corpus` keeps it: its id, outlet and date, its slot in the Rust core,
and the handle its storage gives it. The text itself is not here: the storage
(`dedup._storage`) keeps it and reads it back through the handle."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Page:
    id: str
    source: str | None
    published: _dt.datetime | None
    chars: int = 0  # length of the text
    # The page's slot in the core; -1 before the page is committed.
    slot: int = -1
    # The storage's handle of the page (an offset and length in the text spill, a
    # row of an on-disk store); None before the page is committed, or when the
    # storage keeps nothing for it.
    ref: Any = None
    # False for a page added as features only: its text is not kept anywhere.
    has_text: bool = False


def order_key(p: Page) -> tuple[float, str]:
    """Oldest first, undated pages last, ties by id."""
    ts = p.published.timestamp() if p.published is not None else float("inf")
    return (ts, p.id)
