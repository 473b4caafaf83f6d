"""The store of an on-disk corpus (`Corpus.open`): one SQLite file.

SQLite, through the standard library's `sqlite3`, because it adds no dependency,
gives ACID transactions with a write-ahead log (a committed transaction survives a
crash or a power cut once ``COMMIT`` returns, with ``synchronous=FULL``), reads rows
in key order without loading the file, and is the most widely deployed and fuzzed
embedded database there is.

Tables::

    meta   (key, value, crc)   format name, format version, corpus options (JSON),
                               and a tally of the pages (count and sum of their crcs)
    pages  (n, id, source, published, chars, has_text, features, crc)
    texts  (n, text, crc)      the text of page n, read back only when it is shown

`n` is the page's key, in insertion order. Texts live in their own table so that
opening a store reads only the compact features, never the texts. Every row carries
a CRC-32 of its contents and of its key (SQLite does not checksum its pages), and
the tally catches rows lost or repeated by a damaged b-tree; a mismatch raises
`FileFormatError`.

One `add` is one transaction, committed before it returns; a crash loses at most
the transaction in flight. The connection holds an exclusive lock for its lifetime,
so one process (one `Corpus`) at a time works on a store.

Opening never executes anything from the file: the schema must be exactly the one
written here (no triggers, no views), ``trusted_schema`` is off and SQLite's
extension loading stays disabled.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
import threading
import urllib.parse
import zlib
from collections.abc import Iterator
from typing import Any

from dedup.errors import CorpusClosedError, FileFormatError, StorageError, StoreNotFoundError

FORMAT = "dedup-corpus-store"
VERSION = 1
# SQLite's header field for the file type (`PRAGMA application_id`): "ddup".
APPLICATION_ID = 0x64647570
PAGE_SIZE = 16384
SQLITE_MAGIC = b"SQLite format 3\x00"

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL, crc INTEGER NOT NULL)",
    "CREATE TABLE pages (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT, "
    "published TEXT, chars INTEGER NOT NULL, has_text INTEGER NOT NULL, features BLOB NOT NULL, "
    "crc INTEGER NOT NULL)",
    "CREATE TABLE texts (n INTEGER PRIMARY KEY, text TEXT NOT NULL, crc INTEGER NOT NULL)",
)
_META_SQL = _SCHEMA[0]

# A page as the store keeps it: id, source, published (ISO 8601), chars (the text's
# length), features, text (None for a page added as features only).
Row = tuple[str, str | None, str | None, int, bytes, str | None]
# A page read back at open: n, id, source, published, chars, has_text, features.
Stored = tuple[int, str, str | None, str | None, int, bool, bytes]

# SQLite primary result codes that mean the operating system or another process is in
# the way, rather than the file being damaged or foreign.
_BUSY = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED
_OS = {3, 7, 8, 9, 10, 13, 14, 15, 22, 23}  # PERM NOMEM READONLY INTERRUPT IOERR FULL ...
_CONSTRAINT = 19


def _field(value: str | None) -> str:
    """An unambiguous encoding of an optional string, for checksums."""
    return "-" if value is None else f"{len(value)}:{value}"


def page_crc(
    n: int,
    pid: str,
    source: str | None,
    published: str | None,
    chars: int,
    has_text: bool,
    f: bytes,
) -> int:
    # `_field` inlined: this runs for every page at open.
    s = "-" if source is None else f"{len(source)}:{source}"
    p = "-" if published is None else f"{len(published)}:{published}"
    head = f"{n}|{len(pid)}:{pid}|{s}|{p}|{chars}|{int(has_text)}|"
    return zlib.crc32(f, zlib.crc32(head.encode("utf-8")))


def text_crc(n: int, text: str) -> int:
    return zlib.crc32(text.encode("utf-8"), zlib.crc32(f"{n}|".encode()))


def _meta_crc(key: str, value: str) -> int:
    return zlib.crc32(f"{_field(key)}|{_field(value)}".encode())


def _expected_schema() -> list[tuple[str, str, str, str | None]]:
    db = sqlite3.connect(":memory:")
    try:
        for sql in _SCHEMA:
            db.execute(sql)
        return _schema_of(db)
    finally:
        db.close()


def _schema_of(db: sqlite3.Connection) -> list[tuple[str, str, str, str | None]]:
    rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
    return [tuple(r) for r in rows]


class DiskStore:
    """An open store; see the module documentation. Every method is thread-safe."""

    def __init__(self, path: str, db: sqlite3.Connection, meta: dict[str, str]) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = db
        self._lock = threading.Lock()
        self.options = _parse_options(path, meta.get("options"))
        self.count, self._crc_sum = _parse_tally(path, meta.get("tally"))

    # -- opening ---------------------------------------------------------------------

    @classmethod
    def open(cls, path: str, create_with: dict[str, float] | None = None) -> DiskStore:
        """Opens the store at `path`. When there is none and `create_with` is given,
        first creates an empty one with those options (atomically: a crash leaves
        either no file or a complete empty store); otherwise raises
        `StoreNotFoundError`."""
        if not os.path.lexists(path):
            if create_with is None:
                raise StoreNotFoundError(f"{path}: no such store")
            _create(path, create_with)
        _check_header(path)
        uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=rw"
        try:
            db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as e:
            raise _error(path, e, "cannot open") from None
        try:
            db.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
            db.execute("PRAGMA trusted_schema = OFF")
            db.execute("PRAGMA cell_size_check = ON")
            db.execute("PRAGMA busy_timeout = 0")
            # Exclusive: the lock is taken by the first write below and kept until
            # close, so no other process works on the store meanwhile (and the
            # write-ahead log needs no shared-memory file).
            db.execute("PRAGMA locking_mode = EXCLUSIVE")
            meta = _read_meta(path, db)
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()
            if mode is None or str(mode[0]).lower() != "wal":
                raise StorageError(f"{path}: cannot use a write-ahead log here (got {mode})")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA journal_size_limit = 67108864")
            db.execute("BEGIN IMMEDIATE")
            db.execute("COMMIT")
            return cls(path, db, meta)
        except sqlite3.Error as e:
            db.close()
            raise _error(path, e, "cannot open") from None
        except BaseException:
            db.close()
            raise

    # -- reading ---------------------------------------------------------------------

    def pages(self, chunk: int = 8192) -> Iterator[list[Stored]]:
        """Every page in key order, in lists of up to `chunk`, each checked against
        its checksum; checks the tally at the end. (Pages already read may be deleted
        meanwhile, as a windowed corpus evicts them: the tally is the one at the start.)"""
        want = (self.count, self._crc_sum)
        count, total = 0, 0
        after = 0
        while True:
            with self._lock:
                db = self._live()
                try:
                    rows = db.execute(
                        "SELECT n, id, source, published, chars, has_text, features, crc "
                        "FROM pages "
                        "WHERE n > ? ORDER BY n LIMIT ?",
                        (after, chunk),
                    ).fetchall()
                except sqlite3.Error as e:
                    raise _error(self.path, e, "cannot read pages") from None
            if not rows:
                break
            out = []
            for row in rows:
                n, pid, source, published, chars, has_text, f, crc = row
                if not (
                    type(n) is int
                    and type(pid) is str
                    and (source is None or type(source) is str)
                    and (published is None or type(published) is str)
                    and type(chars) is int
                    and chars >= 0
                    and has_text in (0, 1)
                    and type(f) is bytes
                    and type(crc) is int
                ):
                    raise FileFormatError(f"{self.path}: page {n!r} has values of wrong types")
                if page_crc(n, pid, source, published, chars, has_text, f) != crc:
                    raise FileFormatError(
                        f"{self.path}: page {n} ({pid!r}) fails its checksum: the store is damaged"
                    )
                count += 1
                total += crc
                out.append((n, pid, source, published, chars, bool(has_text), f))
            after = rows[-1][0]
            yield out
        if (count, total % 2**64) != want:
            raise FileFormatError(
                f"{self.path}: the store lists {want[0]} pages but {count} were read "
                "(or their checksums differ): pages were lost or repeated, the store is damaged"
            )

    def text(self, n: int) -> str:
        """The text of page `n`, checked against its checksum."""
        with self._lock:
            db = self._live()
            try:
                row = db.execute("SELECT text, crc FROM texts WHERE n = ?", (n,)).fetchone()
            except sqlite3.Error as e:
                raise _error(self.path, e, f"cannot read the text of page {n}") from None
        if row is None:
            raise FileFormatError(f"{self.path}: the text of page {n} is missing: damaged store")
        text, crc = row
        if type(text) is not str or type(crc) is not int or text_crc(n, text) != crc:
            raise FileFormatError(
                f"{self.path}: the text of page {n} fails its checksum: the store is damaged"
            )
        return text

    # -- writing ---------------------------------------------------------------------

    @contextlib.contextmanager
    def _writing(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed (durable) when the block ends; rolled
        back on any error, which comes out as a `dedup` error saying `doing`."""
        db = self._live()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        except sqlite3.Error as e:
            raise _error(self.path, e, doing) from None

    def add(self, rows: list[Row]) -> list[int]:
        """Adds pages in one transaction, committed (durable) when this returns;
        returns their keys. On error nothing is added."""
        with self._lock:
            with self._writing("cannot add pages") as db:
                last = db.execute("SELECT max(n) FROM pages").fetchone()[0] or 0
                pages, texts, keys = [], [], []
                crc_sum = self._crc_sum
                for n, (pid, source, published, chars, f, text) in enumerate(rows, last + 1):
                    has_text = text is not None
                    crc = page_crc(n, pid, source, published, chars, has_text, f)
                    crc_sum += crc
                    pages.append((n, pid, source, published, chars, has_text, f, crc))
                    if text is not None:
                        texts.append((n, text, text_crc(n, text)))
                    keys.append(n)
                db.executemany("INSERT INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?)", pages)
                db.executemany("INSERT INTO texts VALUES (?, ?, ?)", texts)
                count = self.count + len(rows)
                self._write_tally(db, count, crc_sum)
            self.count, self._crc_sum = count, crc_sum % 2**64
            return keys

    def delete(self, keys: list[int]) -> None:
        """Deletes pages in one transaction, committed when this returns."""
        with self._lock:
            with self._writing("cannot remove pages") as db:
                count, crc_sum = self.count, self._crc_sum
                for n in keys:
                    row = db.execute("SELECT crc FROM pages WHERE n = ?", (n,)).fetchone()
                    if row is None:
                        continue
                    count -= 1
                    crc_sum -= row[0]
                    db.execute("DELETE FROM pages WHERE n = ?", (n,))
                    db.execute("DELETE FROM texts WHERE n = ?", (n,))
                self._write_tally(db, count, crc_sum)
            self.count, self._crc_sum = count, crc_sum % 2**64

    def _write_tally(self, db: sqlite3.Connection, count: int, crc_sum: int) -> None:
        value = f"{count} {crc_sum % 2**64}"
        db.execute(
            "UPDATE meta SET value = ?, crc = ? WHERE key = 'tally'",
            (value, _meta_crc("tally", value)),
        )

    # -- closing ---------------------------------------------------------------------

    def _live(self) -> sqlite3.Connection:
        if self._db is None:
            raise CorpusClosedError(f"{self.path}: the store is closed")
        return self._db

    @property
    def closed(self) -> bool:
        return self._db is None

    def close(self) -> None:
        """Closes the connection (SQLite checkpoints the log into the file). Closing
        twice is harmless."""
        with self._lock:
            if self._db is not None:
                db, self._db = self._db, None
                try:
                    db.close()
                except sqlite3.Error as e:
                    raise _error(self.path, e, "cannot close") from None


# -- helpers ------------------------------------------------------------------------------


def _error(path: str, e: sqlite3.Error, doing: str) -> Exception:
    """The dedup error for an SQLite error: `StorageError` when the system or another
    process is in the way, `FileFormatError` when the file is damaged or foreign."""
    code = getattr(e, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in _BUSY:
        return StorageError(
            f"{path}: {doing}: the store is in use by another Corpus (in this or another "
            "process); a store can be open in one place at a time"
        )
    if primary in _OS:
        return StorageError(f"{path}: {doing}: {e}")
    if primary == _CONSTRAINT:
        return StorageError(
            f"{path}: {doing}: the store already holds one of these ids although this "
            "corpus does not (an interrupted call committed them); open the store again"
        )
    return FileFormatError(f"{path}: {doing}: damaged or not a dedup store ({e})")


def _check_header(path: str) -> None:
    """Rejects files that are not our SQLite store before SQLite reads them."""
    try:
        with open(path, "rb") as f:
            head = f.read(100)
    except IsADirectoryError:
        raise StorageError(f"{path}: is a directory, not a dedup store") from None
    except OSError as e:
        raise StorageError(f"{path}: cannot read: {e.strerror or e}") from e
    if not head:
        raise FileFormatError(
            f"{path}: an empty file, not a dedup store; remove it or pick another"
        )
    if head.startswith(b"DEDUPCOR"):
        raise FileFormatError(
            f"{path}: a corpus written by Corpus.save, not a store: read it with Corpus.load"
        )
    if not head.startswith(SQLITE_MAGIC) or len(head) < 100:
        raise FileFormatError(
            f"{path}: not a dedup store (not an SQLite database: its first bytes are "
            f"{head[:16]!r}); Corpus.open only opens stores it created"
        )
    if int.from_bytes(head[68:72], "big") != APPLICATION_ID:
        raise FileFormatError(
            f"{path}: an SQLite database, but not a dedup store (or a damaged one); "
            "Corpus.open only opens stores it created"
        )


def _read_meta(path: str, db: sqlite3.Connection) -> dict[str, str]:
    """The meta rows, after checking this is a store of a format version we read and
    has exactly our schema."""
    schema = _schema_of(db)
    if not any(r[1] == "meta" and r[0] == "table" and r[3] == _META_SQL for r in schema):
        raise FileFormatError(f"{path}: an SQLite database, but not a dedup store (no meta table)")
    meta: dict[str, str] = {}
    for key, value, crc in db.execute("SELECT key, value, crc FROM meta"):
        if type(key) is not str or type(value) is not str or _meta_crc(key, value) != crc:
            raise FileFormatError(f"{path}: the store's meta table is damaged")
        meta[key] = value
    if meta.get("format") != FORMAT:
        raise FileFormatError(f"{path}: an SQLite database, but not a dedup store")
    version = meta.get("version", "")
    if not version.isdigit() or int(version) < 1:
        raise FileFormatError(f"{path}: unknown store format version {version!r}")
    if int(version) > VERSION:
        raise FileFormatError(
            f"{path}: written by a newer dedup (store format version {version}, this one "
            f"reads up to {VERSION}); upgrade dedup to open it"
        )
    if schema != _expected_schema():
        raise FileFormatError(
            f"{path}: the store's tables are not those of a dedup store (damaged, or "
            "changed by another program)"
        )
    return meta


def _parse_options(path: str, value: str | None) -> dict[str, float]:
    try:
        opts: Any = json.loads(value) if value is not None else None
    except ValueError:
        opts = None
    if not isinstance(opts, dict) or not all(
        isinstance(k, str) and isinstance(v, int | float) and not isinstance(v, bool)
        for k, v in opts.items()
    ):
        raise FileFormatError(f"{path}: the store's options are damaged")
    return {str(k): float(v) for k, v in opts.items()}


def _parse_tally(path: str, value: str | None) -> tuple[int, int]:
    parts = (value or "").split(" ")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise FileFormatError(f"{path}: the store's page tally is damaged")
    return int(parts[0]), int(parts[1])


def _create(path: str, options: dict[str, float]) -> None:
    """Creates an empty store at `path` atomically: built in a temporary file next to
    it, flushed, and linked into place (never over an existing file)."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".dedup-store-", suffix=".tmp", dir=folder)
        os.close(fd)
    except OSError as e:
        raise StorageError(f"{path}: cannot create: {e.strerror or e}") from e
    try:
        db = sqlite3.connect(tmp, isolation_level=None)
        try:
            db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute("BEGIN")
            for sql in _SCHEMA:
                db.execute(sql)
            meta = {
                "format": FORMAT,
                "version": str(VERSION),
                "options": json.dumps(options, sort_keys=True),
                "tally": "0 0",
            }
            db.executemany(
                "INSERT INTO meta VALUES (?, ?, ?)",
                [(k, v, _meta_crc(k, v)) for k, v in meta.items()],
            )
            db.execute("COMMIT")
            db.execute("PRAGMA journal_mode = WAL")
        finally:
            db.close()
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # fails if `path` appeared meanwhile: then that one is used
        except FileExistsError:
            pass
        except OSError:
            # A file system without hard links: rename instead (not atomic against
            # another process creating the same store at the same moment).
            if not os.path.lexists(path):
                os.replace(tmp, path)
        _fsync_dir(folder)
    except sqlite3.Error as e:
        raise _error(path, e, "cannot create") from None
    except OSError as e:
        raise StorageError(f"{path}: cannot create: {e.strerror or e}") from e
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _fsync_dir(folder: str) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
