"""A small, safe file format for saved corpora.

Layout (little endian)::

    magic      8 bytes   b"DEDUPCOR"
    version    u32       FORMAT_VERSION
    length     u64       bytes of payload
    payload    zlib-compressed UTF-8 JSON lines, one record each
    checksum   u32       CRC-32 of everything before it

Loading checks every field before using it and parses the payload as JSON only, so
a file can at worst be rejected; nothing in it is ever executed (unlike pickle).
Files are written to a temporary file in the same directory, flushed to disk and
renamed over the target, so a crash leaves either the old file or the new one.
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
import zlib
from collections.abc import Iterator
from os import PathLike
from typing import Any

from dedup.errors import FileFormatError, StorageError, StoreNotFoundError

CORPUS_MAGIC = b"DEDUPCOR"
FORMAT_VERSION = 1
_HEADER = struct.Struct("<8sIQ")
_CRC = struct.Struct("<I")


def write_records(path: str | PathLike[str], magic: bytes, records: list[dict[str, Any]]) -> None:
    """Writes `records` atomically to `path`."""
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode("utf-8")
    payload = zlib.compress(lines, 6)
    body = _HEADER.pack(magic, FORMAT_VERSION, len(payload)) + payload
    data = body + _CRC.pack(zlib.crc32(body))
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".dedup-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as e:
        raise StorageError(f"{target}: cannot write: {e.strerror or e}") from e


def read_records(path: str | PathLike[str], magic: bytes) -> Iterator[dict[str, Any]]:
    """Reads and validates a file written by `write_records`; yields its records."""
    target = os.fspath(path)
    try:
        with open(target, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise StoreNotFoundError(f"{target}: no such file") from None
    except OSError as e:
        raise StorageError(f"{target}: cannot read: {e.strerror or e}") from e

    def bad(reason: str) -> FileFormatError:
        return FileFormatError(f"{target}: {reason}")

    if len(data) < _HEADER.size + _CRC.size:
        raise bad("too short to be a dedup file (truncated, or not a dedup file)")
    got_magic, version, length = _HEADER.unpack_from(data)
    if got_magic != magic:
        if data.startswith(b"SQLite format 3\x00"):
            raise bad("an SQLite file, not a saved corpus; if it is a store, use Corpus.open")
        raise bad(f"not a dedup {magic.decode()} file (its first bytes are {got_magic!r})")
    if version > FORMAT_VERSION:
        raise bad(
            f"written by a newer dedup (format version {version}, this one reads up to "
            f"{FORMAT_VERSION}); upgrade dedup to load it"
        )
    if version < 1:
        raise bad(f"unknown format version {version}")
    if _HEADER.size + length + _CRC.size != len(data):
        raise bad(
            f"length mismatch: header says {length} payload bytes, file has "
            f"{len(data) - _HEADER.size - _CRC.size} (truncated or damaged)"
        )
    (crc,) = _CRC.unpack_from(data, len(data) - _CRC.size)
    if zlib.crc32(data[: -_CRC.size]) != crc:
        raise bad("checksum mismatch: the file is damaged")
    try:
        lines = zlib.decompress(data[_HEADER.size : -_CRC.size]).decode("utf-8")
    except (zlib.error, UnicodeDecodeError) as e:
        raise bad(f"payload cannot be decoded ({e})") from None
    if not lines:
        return
    for n, line in enumerate(lines.split("\n")):
        try:
            rec = json.loads(line)
        except ValueError as e:
            raise bad(f"record {n} is not valid JSON ({e})") from None
        if not isinstance(rec, dict):
            raise bad(f"record {n} is not an object")
        yield rec
