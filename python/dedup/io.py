"""Reading pages from files: JSON lines (optionally gzip-compressed) and Parquet.

Records are streamed: a JSON lines file is read line by line, a Parquet file batch
by batch, so memory does not grow with the file.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Iterator
from os import PathLike
from typing import Any

from dedup.errors import InvalidInputError, InvalidOptionError, StorageError, StoreNotFoundError

__all__ = ["read_records"]


def read_records(path: str | PathLike[str]) -> Iterator[dict[str, Any]]:
    """Yields one dict per page from a ``.jsonl``/``.json``/``.ndjson`` file (optionally
    ``.gz``) or a ``.parquet`` file (needs ``pyarrow``: ``pip install dedup[parquet]``)."""
    name = os.fspath(path)
    if not os.path.exists(name):
        raise StoreNotFoundError(f"{name}: no such file")
    lower = name.lower()
    if lower.endswith(".parquet"):
        yield from _parquet(name)
    elif lower.endswith((".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz", ".json.gz")):
        yield from _jsonl(name)
    else:
        raise InvalidOptionError(
            f"{name}: unknown input format; use one of .jsonl, .jsonl.gz, .ndjson, .parquet"
        )


def _jsonl(name: str) -> Iterator[dict[str, Any]]:
    try:
        raw = gzip.open(name, "rb") if name.lower().endswith(".gz") else open(name, "rb")  # noqa: SIM115
    except OSError as e:
        raise StorageError(f"{name}: cannot read: {e}") from e
    with raw, io.TextIOWrapper(raw, encoding="utf-8") as f:
        try:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError as e:
                    raise InvalidInputError(f"{name}:{n}: not valid JSON ({e})") from None
                if not isinstance(rec, dict):
                    raise InvalidInputError(f"{name}:{n}: each line must be a JSON object")
                yield rec
        except (OSError, EOFError, UnicodeDecodeError) as e:
            raise InvalidInputError(f"{name}: cannot be read as UTF-8 JSON lines ({e})") from e


def _parquet(name: str) -> Iterator[dict[str, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InvalidOptionError(
            "reading Parquet needs pyarrow: pip install 'dedup[parquet]'"
        ) from None
    f = pq.ParquetFile(name)
    for batch in f.iter_batches(batch_size=4096):
        yield from batch.to_pylist()
