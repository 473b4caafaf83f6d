"""Progress bars for long operations, with tqdm when it is installed.

``progress=None`` (the default) shows a bar only when standard error is a terminal,
and only for operations that last longer than half a second; ``True`` always shows
one (if tqdm is installed: ``pip install 'dedup[progress]'``); ``False`` never does.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

from dedup.errors import InputTypeError

_AUTO_DELAY = 0.5


def check(progress: object, what: str = "progress") -> bool | None:
    if progress is None or isinstance(progress, bool):
        return progress
    raise InputTypeError(f"`{what}` must be True, False or None, got {type(progress).__name__}")


class Bar:
    """A tqdm bar, or nothing at all when progress is off or tqdm is absent."""

    def __init__(
        self, progress: bool | None, *, desc: str, total: int | None = None, unit: str = "it"
    ) -> None:
        self._bar: Any = None
        if progress is False:
            return
        if progress is None and not _isatty():
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self._bar = tqdm(
            total=total,
            desc=desc,
            unit=unit,
            file=sys.stderr,
            delay=_AUTO_DELAY if progress is None else 0.0,
            leave=progress is True,
            dynamic_ncols=True,
        )

    @property
    def active(self) -> bool:
        return self._bar is not None

    def update(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def set_description(self, desc: str) -> None:
        if self._bar is not None:
            self._bar.set_description(desc, refresh=True)

    def reset(self, total: int | None) -> None:
        if self._bar is not None:
            self._bar.reset(total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Bar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _isatty() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
