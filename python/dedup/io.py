"""Reading pages: files (JSON lines, CSV, Parquet, Arrow IPC; JSON lines and CSV
optionally ``.gz`` or ``.zst``), Arrow streams, and plain iterables of mappings.

Everything is streamed: a text file is read line by line, a Parquet file and an
Arrow stream batch by batch, so memory does not grow with the input. Only the
columns a caller asks for are read from columnar sources.

Optional packages: Parquet, Arrow IPC and objects with ``__arrow_c_stream__`` need
``pyarrow`` (``pip install 'dedup[arrow]'``); ``.zst`` needs ``zstandard`` on Python
before 3.14 (``pip install 'dedup[zstd]'``). Polars data frames are read without
``pyarrow``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from os import PathLike
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from dedup.errors import (
    InputTypeError,
    InvalidInputError,
    InvalidOptionError,
    MissingDependencyError,
    StorageError,
    StoreNotFoundError,
)

if TYPE_CHECKING:
    from dedup._core import JsonChunk

_orjson: Any
try:  # a dependency, but JSON lines are read without it too
    import orjson as _orjson
except ImportError:  # pragma: no cover
    _orjson = None

__all__ = ["ArrowStreamExportable", "iter_records", "read_records", "row_count"]

_JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
_CSV_SUFFIXES = (".csv", ".tsv")
_ARROW_SUFFIXES = (".arrow", ".feather", ".ipc")
_FORMATS = ".jsonl, .ndjson, .csv, .tsv (each optionally .gz or .zst), .parquet, .arrow"


@runtime_checkable
class ArrowStreamExportable(Protocol):
    """An object that speaks the Arrow PyCapsule stream interface: pyarrow tables and
    record batch readers, polars and pandas data frames, DuckDB results."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...


def read_records(
    path: str | PathLike[str],
    *,
    columns: Sequence[str] | None = None,
    batch_size: int = 4096,
) -> Iterator[dict[str, Any]]:
    """Yields one dict per page from a file, chosen by its name:

    - ``.jsonl``/``.ndjson``/``.json``: one JSON object a line;
    - ``.csv``/``.tsv``: a header row, then one page a row (all values are strings;
      empty cells count as missing);
    - either of those with ``.gz`` or ``.zst`` appended: compressed;
    - ``.parquet``, ``.arrow``/``.feather``/``.ipc``: columnar (needs ``pyarrow``).

    `columns` limits the fields read from columnar files (others are skipped)."""
    name = os.fspath(path)
    if not os.path.exists(name):
        raise StoreNotFoundError(f"{name}: no such file")
    lower = name.lower()
    inner = lower.removesuffix(".gz").removesuffix(".zst")
    if lower.endswith(".parquet"):
        yield from _parquet(name, columns, batch_size)
    elif lower.endswith(_ARROW_SUFFIXES):
        yield from _arrow_file(name, columns, batch_size)
    elif inner.endswith(_JSON_SUFFIXES):
        yield from _jsonl(name)
    elif inner.endswith(_CSV_SUFFIXES):
        yield from _csv(name, "\t" if inner.endswith(".tsv") else ",")
    else:
        raise InvalidOptionError(f"{name}: unknown input format; use one of {_FORMATS}")


def iter_records(
    data: object,
    *,
    columns: Sequence[str] | None = None,
    batch_size: int = 4096,
) -> Iterator[Mapping[str, Any]]:
    """Yields one mapping per page from any input `Corpus.add_many` takes: a path
    (see `read_records`), a Hugging Face dataset, an object with
    ``__arrow_c_stream__`` (pyarrow, polars, pandas, DuckDB, ...), or an iterable
    of mappings (returned as they are)."""
    if isinstance(data, str | PathLike):
        return read_records(data, columns=columns, batch_size=batch_size)
    if isinstance(data, Mapping):
        raise InputTypeError("records must be an iterable of mappings; for one page use add()")
    if _is_hf_dataset(data):
        return _hf_dataset(data, columns, batch_size)
    if isinstance(data, ArrowStreamExportable):
        return _arrow_stream(data, columns, batch_size)
    if isinstance(data, bytes | bytearray):
        raise InputTypeError("records must be an iterable of mappings or a path, got bytes")
    if isinstance(data, Iterable):
        return iter(data)
    raise InputTypeError(
        "records must be a path, an iterable of mappings or an Arrow stream "
        f"(an object with __arrow_c_stream__), got {type(data).__name__}"
    )


def row_count(data: object) -> int | None:
    """The number of records in `data` when it is known without reading it."""
    if isinstance(data, str | PathLike):
        return None
    for attr in ("num_rows", "height"):
        n = getattr(data, attr, None)
        if isinstance(n, int):
            return n
    try:
        return len(data)  # type: ignore[arg-type]
    except TypeError:
        return None


# -- text files ------------------------------------------------------------------------


def _open_binary(name: str) -> Any:
    """`name` opened for reading, decompressed when it ends in .gz or .zst."""
    lower = name.lower()
    try:
        if lower.endswith(".gz"):
            return gzip.open(name, "rb")
        if lower.endswith(".zst"):
            return _zstd_open(name)
        return open(name, "rb")
    except OSError as e:
        raise StorageError(f"{name}: cannot read: {e}") from e


def _zstd_open(name: str) -> Any:
    if sys.version_info >= (3, 14):  # pragma: no cover - newer Pythons ship zstd
        from compression import zstd

        return zstd.open(name, "rb")
    try:
        import zstandard
    except ImportError:
        raise MissingDependencyError(
            f"{name}: reading .zst needs zstandard: pip install 'dedup[zstd]'"
        ) from None
    raw = open(name, "rb")  # noqa: SIM115 - closed with the reader
    return zstandard.ZstdDecompressor().stream_reader(raw, closefd=True)


def _jsonl(name: str) -> Iterator[dict[str, Any]]:
    raw = _open_binary(name)
    if _orjson is not None and isinstance(raw, io.BufferedReader | gzip.GzipFile):
        return _jsonl_bytes(name, raw, _orjson)
    return _jsonl_text(name, raw)


def _jsonl_bytes(name: str, raw: Any, orjson: Any) -> Iterator[dict[str, Any]]:
    """JSON lines parsed from bytes by orjson, without decoding each line to str
    first (twice as fast as the json module on news pages). A line orjson refuses
    goes to the json module, which decides and words the error, so both paths
    accept the same input."""
    with raw:
        try:
            for n, line in enumerate(raw, 1):
                # isspace() scans no further than the first character of a record;
                # strip() would copy the whole line.
                if line.isspace():
                    continue
                try:
                    rec = orjson.loads(line)
                except orjson.JSONDecodeError:
                    rec = _json_line(name, n, line)
                if not isinstance(rec, dict):
                    raise InvalidInputError(f"{name}:{n}: each line must be a JSON object")
                yield rec
        except (OSError, EOFError) as e:
            raise InvalidInputError(f"{name}: cannot be read as UTF-8 JSON lines ({e})") from e


def core_jsonl(data: object) -> str | None:
    """The path of `data` when the core reads it (`jsonl_chunks`): a path to an
    uncompressed JSON lines file, with orjson installed to parse what the core
    hands back. Other inputs go through `read_records`."""
    if _orjson is None or not isinstance(data, str | PathLike):
        return None
    name = os.fspath(data)
    return name if name.lower().endswith(_JSON_SUFFIXES) else None


# A record of a chunk: its number in the chunk, its fields, and whether those are
# the whole record parsed here (text included) or the fields other than the text
# (which the chunk holds).
ChunkRecord = tuple[int, dict[str, Any], bool]


def jsonl_chunks(
    name: str, text: str, id: str, others: Sequence[str], size: int
) -> Iterator[tuple[JsonChunk, Iterator[ChunkRecord]]]:
    """The records of a JSON lines file, `size` at a time, read by the core: each
    chunk (a `dedup._core.JsonChunk`, which keeps the texts) with its records, in
    file order. A record the core took plainly comes as the fields other than its
    text; a line it did not take is parsed here, as `read_records` parses it, and
    fails with the same error at the same record."""
    if not os.path.exists(name):
        raise StoreNotFoundError(f"{name}: no such file")
    from dedup._core import JsonLinesReader

    try:
        with open(name, "rb"):  # the errors `read_records` gives (a directory, no access)
            pass
        reader = JsonLinesReader(name, text, id, list(others))
    except OSError as e:
        raise StorageError(f"{name}: cannot read: {e}") from e
    while True:
        try:
            chunk = reader.next_chunk(size)
        except OSError as e:
            raise InvalidInputError(f"{name}: cannot be read as UTF-8 JSON lines ({e})") from e
        if chunk is None:
            return
        yield chunk, _chunk_records(name, chunk)


def _chunk_records(name: str, chunk: JsonChunk) -> Iterator[ChunkRecord]:
    # Parsed one at a time, so that an error comes at its record, not its chunk.
    loads = _orjson.loads
    for i, (n, fields) in enumerate(zip(chunk.lines, chunk.others, strict=True)):
        if fields is not None:
            try:
                yield i, loads(fields), False
            except ValueError:  # what orjson refuses and json reads (a huge int)
                yield i, json.loads(fields), False
            continue
        line = chunk.raw(i)
        assert line is not None, "a record without fields has its line"
        try:
            rec = loads(line)
        except ValueError:
            rec = _json_line(name, n, line)
        if not isinstance(rec, dict):
            raise InvalidInputError(f"{name}:{n}: each line must be a JSON object")
        yield i, rec, True


def _json_line(name: str, n: int, line: bytes) -> Any:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidInputError(f"{name}: cannot be read as UTF-8 JSON lines ({e})") from e
    try:
        return json.loads(text)
    except ValueError as e:
        raise InvalidInputError(f"{name}:{n}: not valid JSON ({e})") from None


def _jsonl_text(name: str, raw: Any) -> Iterator[dict[str, Any]]:
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
        except Exception as e:
            if type(e).__module__.startswith("zstandard"):
                raise InvalidInputError(f"{name}: cannot be decompressed ({e})") from e
            raise


def _csv(name: str, delimiter: str) -> Iterator[dict[str, Any]]:
    # Pages are long: lift the csv module's 128 KiB field limit.
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    raw = _open_binary(name)
    with raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as f:
        try:
            reader = csv.DictReader(f, delimiter=delimiter)
            for row in reader:
                if None in row:
                    raise InvalidInputError(
                        f"{name}:{reader.line_num}: more cells than header columns"
                    )
                yield {k: (None if v == "" else v) for k, v in row.items()}
        except csv.Error as e:
            raise InvalidInputError(f"{name}: not valid CSV ({e})") from None
        except (OSError, EOFError, UnicodeDecodeError) as e:
            raise InvalidInputError(f"{name}: cannot be read as UTF-8 CSV ({e})") from e


# -- columnar sources ------------------------------------------------------------------


def _pyarrow(what: str) -> Any:
    try:
        import pyarrow
    except ImportError:
        raise MissingDependencyError(f"{what} needs pyarrow: pip install 'dedup[arrow]'") from None
    return pyarrow


def _parquet(name: str, columns: Sequence[str] | None, batch_size: int) -> Iterator[dict[str, Any]]:
    _pyarrow("reading Parquet")
    import pyarrow.parquet as pq

    f = pq.ParquetFile(name)
    cols = _present(columns, f.schema_arrow.names)
    yield from _rows(f.iter_batches(batch_size=batch_size, columns=cols), cols, batch_size)


def _arrow_file(
    name: str, columns: Sequence[str] | None, batch_size: int
) -> Iterator[dict[str, Any]]:
    pa = _pyarrow("reading Arrow IPC files")
    try:
        reader = pa.ipc.open_file(name)
        batches: Iterable[Any] = (reader.get_batch(i) for i in range(reader.num_record_batches))
    except pa.ArrowInvalid:
        reader = pa.ipc.open_stream(name)
        batches = reader
    cols = _present(columns, reader.schema.names)
    yield from _rows(batches, cols, batch_size)


def _arrow_stream(
    data: ArrowStreamExportable, columns: Sequence[str] | None, batch_size: int
) -> Iterator[dict[str, Any]]:
    try:
        pa = _pyarrow("reading Arrow streams")
    except MissingDependencyError:
        if hasattr(data, "iter_slices") and hasattr(data, "columns"):  # polars
            yield from _polars(data, columns, batch_size)
            return
        raise
    reader = pa.RecordBatchReader.from_stream(data)
    cols = _present(columns, reader.schema.names)
    yield from _rows(reader, cols, batch_size)


def _polars(data: Any, columns: Sequence[str] | None, batch_size: int) -> Iterator[dict[str, Any]]:
    cols = _present(columns, list(data.columns))
    frame = data.select(cols) if cols is not None else data
    for part in frame.iter_slices(batch_size):
        yield from part.to_dicts()


def _is_hf_dataset(data: object) -> bool:
    return type(data).__module__.startswith("datasets.") and hasattr(data, "with_format")


def _hf_dataset(data: Any, columns: Sequence[str] | None, batch_size: int) -> Iterator[Any]:
    """A Hugging Face `datasets.Dataset`, read as Arrow tables (which honours any
    selection or shuffle applied to it, unlike its backing table)."""
    cols = _present(columns, list(data.column_names))
    frame = data.select_columns(cols) if cols is not None else data
    yield from _rows(frame.with_format("arrow").iter(batch_size=batch_size), cols, batch_size)


def _present(columns: Sequence[str] | None, names: Sequence[str]) -> list[str] | None:
    """The requested columns the source has (None: read all)."""
    if columns is None:
        return None
    return [c for c in dict.fromkeys(columns) if c in names]


def _rows(
    batches: Iterable[Any], cols: list[str] | None, batch_size: int
) -> Iterator[dict[str, Any]]:
    """Rows of Arrow record batches (or tables) as dicts, converted a slice at a time."""
    for batch in batches:
        names = list(batch.schema.names) if cols is None else cols
        for start in range(0, batch.num_rows, batch_size):
            part = batch.slice(start, batch_size)
            values = [part.column(c).to_pylist() for c in names]
            for row in zip(*values, strict=True):
                yield dict(zip(names, row, strict=True))
