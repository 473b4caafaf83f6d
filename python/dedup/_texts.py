"""Where a corpus keeps page texts: not in memory.

The core keeps a compact tokenisation of each page (about 2 KB for a 3 KB news
page, hashes only); texts are needed again only to show passages (`explain`,
`matches`, `report`) or to export. An in-memory `Corpus` appends them to an
anonymous temporary file, deleted by the operating system when the corpus is gone,
and reads one back by offset.
"""

from __future__ import annotations

import os
import tempfile
from typing import IO


class TextSpill:
    """Texts appended to an unnamed temporary file; each is read back by its
    `(offset, length)` reference in the file."""

    def __init__(self) -> None:
        # Open for the corpus's lifetime, closed with it.
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="dedup-texts-")  # noqa: SIM115
        self._end = 0
        # Bytes of texts discarded (their pages removed) but still in the file.
        self.dead = 0

    @property
    def size(self) -> int:
        """Bytes in the file."""
        return self._end

    def discard(self, ref: tuple[int, int]) -> None:
        """Notes that a text is no longer needed; `compact` drops it."""
        self.dead += ref[1]

    def compact(self, refs: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Rewrites the file with only the texts of `refs` (all texts still needed),
        so a long stream does not grow it without end; returns their new refs."""
        new: IO[bytes] = tempfile.TemporaryFile(prefix="dedup-texts-")  # noqa: SIM115
        out, at = [], 0
        for ref in refs:
            data = os.pread(self._file.fileno(), ref[1], ref[0])
            new.write(data)
            out.append((at, ref[1]))
            at += ref[1]
        new.flush()
        self._file.close()
        self._file, self._end, self.dead = new, at, 0
        return out

    def append(self, texts: list[bytes]) -> list[tuple[int, int]]:
        """Writes texts, encoded as UTF-8; returns a reference for each."""
        refs = []
        at = self._end
        for b in texts:
            refs.append((at, len(b)))
            at += len(b)
        self._file.seek(self._end)
        self._file.write(b"".join(texts))
        self._file.flush()
        self._end = at
        return refs

    def read(self, ref: tuple[int, int]) -> str:
        offset, length = ref
        return os.pread(self._file.fileno(), length, offset).decode("utf-8")

    def close(self) -> None:
        self._file.close()
