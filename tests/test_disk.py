"""The on-disk corpus (`Corpus.open`): round trips, results equal to building from
scratch, damaged and foreign files, and crashes (SIGKILL) at random moments.

Every text here is invented (conftest.py) or generated from random words. Cases that
could take a process down (damaged SQLite files, killed writers) run in child
processes with time limits.
"""

from __future__ import annotations

import inspect
import json
import pickle
import random
import selectors
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import dedup
from conftest import (
    FERRY_REWRITE,
    OUTLETS,
    RAIL_REWRITE,
    STORIES,
    filler,
    page,
    rail_item,
    shared_dir,
    wire,
)
from dedup import Corpus, Match, _disk

# -- corpora --------------------------------------------------------------------------------


def invented_records() -> list[dict[str, Any]]:
    """Wire copies, outlet pages with rails, rewrites and unrelated pages."""
    names = list(STORIES)
    recs: list[dict[str, Any]] = []
    for i, (name, story) in enumerate(STORIES.items()):
        recs.append(
            {"id": f"{name}-wire", "text": wire(story), "published": f"2024-03-0{i + 1}T06:00:00Z"}
        )
        for k, outlet in enumerate(OUTLETS):
            other = STORIES[names[(i + k + 1) % len(names)]]
            text = page(outlet, f"{name} {k}", story, rail=[rail_item(other, f"More {k}")])
            recs.append({"id": f"{name}-{k}", "text": text, "source": outlet.name})
    recs.append({"id": "ferry-rw", "text": wire(FERRY_REWRITE, "(Eastpress)")})
    recs.append({"id": "rail-rw", "text": page(OUTLETS[1], "Ore trains idle", RAIL_REWRITE)})
    for n in range(8):
        outlet = OUTLETS[n % 3]
        recs.append(
            {
                "id": f"alone-{n}",
                "text": page(outlet, f"Note {n}", filler(n)),
                "source": outlet.name,
            }
        )
    return recs


def memory_corpus(records: list[dict[str, Any]], **options: float) -> Corpus:
    c = Corpus(progress=False, **options)
    c.add_many(records)
    return c


def rounded(m: Match) -> Match:
    """A match with its shares rounded to three places."""
    shares = ("score", "coverage", "other_coverage", "vocabulary", "other_vocabulary")
    more = ("runs", "other_runs", "containment", "jaccard")
    return replace(m, **{f: round(getattr(m, f), 3) for f in shares + more})


def results(c: Corpus) -> list[tuple[list[str], str, str]]:
    return [(cl.ids, cl.kind, cl.representative) for cl in c.clusters()]


def snapshot(c: Corpus, matches_of: list[str] | None = None) -> dict[str, Any]:
    """Everything a user sees of a corpus, for comparisons."""
    ids = c.ids
    pick = ids if matches_of is None else matches_of
    return {
        "ids": ids,
        "texts": [c.text(i) for i in ids],
        "sources": [c.source(i) for i in ids],
        "published": [c.published(i) for i in ids],
        "clusters": results(c),
        "matches": {i: c.matches(i) for i in pick},
    }


# -- round trips and equality with a corpus built from scratch ------------------------------


def test_open_close_reopen_round_trips_everything(tmp_path: Path) -> None:
    recs = invented_records()
    path = tmp_path / "news.dedup"
    assert not path.exists()
    with Corpus.open(path, progress=False) as c:
        assert len(c) == 0
        assert c.add_many(recs, batch_size=7) == len(recs)
        before = snapshot(c)
    assert len(before["clusters"]) >= 5  # every story, and the rewrites with them
    mem = memory_corpus(recs)
    with Corpus.open(path, progress=False) as again:
        assert snapshot(again) == before
        assert again.explain("ferry-wire", "ferry-rw") == mem.explain("ferry-wire", "ferry-rw")
        assert again.article("rail-rw") == mem.article("rail-rw")
    assert snapshot(mem) == before


def test_reopen_then_add_equals_building_from_scratch(tmp_path: Path) -> None:
    recs = invented_records()
    path = tmp_path / "news.dedup"
    parts = [recs[:9], recs[9:20], recs[20:]]
    for part in parts:
        with Corpus.open(path, progress=False) as c:
            c.add_many(part, batch_size=4)
    scratch = memory_corpus(recs)
    with Corpus.open(path, progress=False) as c:
        assert c.ids == [r["id"] for r in recs]
        assert snapshot(c) == snapshot(scratch)
        new = page(OUTLETS[2], "Ferry", STORIES["ferry"])
        assert c.query(new, source=OUTLETS[2].name) == scratch.query(new, source=OUTLETS[2].name)


def test_wirebench_reopened_in_parts_equals_building_from_scratch(tmp_path: Path) -> None:
    docs_path = shared_dir("data", "wirebench-dev", "docs.jsonl")
    docs = [json.loads(line) for line in docs_path.read_text("utf-8").splitlines()]
    path = tmp_path / "wb.dedup"
    third = len(docs) // 3
    for part in (docs[:third], docs[third : 2 * third], docs[2 * third :]):
        with Corpus.open(path, progress=False) as c:
            c.add_many(part, batch_size=50)
    scratch = memory_corpus(docs)
    with Corpus.open(path, progress=False) as c:
        want = results(scratch)
        assert len(want) > 20
        assert results(c) == want
        probe = [want[0][0][0], want[-1][0][-1], docs[5]["id"]]
        assert snapshot(c, probe) == snapshot(scratch, probe)


def test_remove_persists_and_the_id_can_come_back(tmp_path: Path) -> None:
    recs = invented_records()
    path = tmp_path / "news.dedup"
    with Corpus.open(path, progress=False) as c:
        c.add_many(recs)
        c.remove("ferry-1")
        c.remove("museum-wire")
    with Corpus.open(path, progress=False) as c:
        assert "ferry-1" not in c and "museum-wire" not in c
        rest = [r for r in recs if r["id"] not in ("ferry-1", "museum-wire")]
        assert snapshot(c) == snapshot(memory_corpus(rest))
        back = next(r for r in recs if r["id"] == "ferry-1")
        c.add(back["id"], back["text"], source=back["source"])
    with Corpus.open(path, progress=False) as c:
        assert c.ids[-1] == "ferry-1"
        assert results(c) == results(memory_corpus([*rest, back]))


def test_options_are_stored_and_a_mismatch_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "news.dedup"
    with Corpus.open(path, progress=False, min_passage=10, coherence=False) as c:
        c.add_many(invented_records()[:6])
    with Corpus.open(path, progress=False) as c:
        assert c._options == {"min_passage": 10.0, "coherence": 0.0}
    with Corpus.open(path, progress=False, min_passage=10) as c:  # the same value: fine
        assert len(c) == 6
    with pytest.raises(dedup.InvalidOptionError, match="created with the options"):
        Corpus.open(path, min_passage=12)
    with pytest.raises(dedup.InvalidOptionError):
        Corpus.open(tmp_path / "other.dedup", no_such_option=1)
    assert not (tmp_path / "other.dedup").exists()  # a bad option creates nothing


def test_pages_added_as_features_persist_without_text(tmp_path: Path) -> None:
    recs = invented_records()[:8]
    feats = dedup._core.featurize([r["text"] for r in recs])
    path = tmp_path / "f.dedup"
    with Corpus.open(path, progress=False) as c:
        c.add_features(
            [r["id"] for r in recs],
            feats,
            [r.get("source") for r in recs],
            [r.get("published") for r in recs],
            [len(r["text"]) for r in recs],
        )
    want = results(memory_corpus(recs))
    assert want
    with Corpus.open(path, progress=False) as c:
        assert results(c) == want
        assert c.matches(recs[0]["id"]) and all(not m.passages for m in c.matches(recs[0]["id"]))
        with pytest.raises(dedup.DedupError, match="features only"):
            c.text(recs[0]["id"])


def test_a_closed_corpus_raises_and_a_store_opens_once(tmp_path: Path) -> None:
    path = tmp_path / "news.dedup"
    c = Corpus.open(path, progress=False)
    c.add("a", wire(STORIES["rail"]))
    with pytest.raises(dedup.StorageError, match="in use"):
        Corpus.open(path)
    c.close()
    c.close()
    for use in (lambda: c.text("a"), c.clusters, lambda: c.add("b", "x"), lambda: c.query("x")):
        with pytest.raises(dedup.CorpusClosedError, match="closed"):
            use()
    mem = memory_corpus(invented_records()[:3])
    with mem:
        pass
    with pytest.raises(dedup.CorpusClosedError):
        mem.text("ferry-wire")
    with Corpus.open(path, progress=False) as again:  # the lock went with close
        assert again.ids == ["a"]


def test_a_failed_batch_leaves_store_and_corpus_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "news.dedup"
    recs = invented_records()
    with Corpus.open(path, progress=False) as c:
        c.add_many(recs[:5])
        with pytest.raises(dedup.DuplicateIdError):
            c.add_many([*recs[5:9], recs[0]])
        assert len(c) == 5
    with Corpus.open(path, progress=False) as c:
        assert c.ids == [r["id"] for r in recs[:5]]


# -- foreign, damaged and future files ------------------------------------------------------


def good_store(path: Path, recs: list[dict[str, Any]] | None = None) -> Path:
    with Corpus.open(path, progress=False) as c:
        c.add_many(recs if recs is not None else invented_records())
    return path


def test_random_bytes_empty_files_and_directories_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.dedup"
    for data in (random.Random(1).randbytes(50_000), b"", b"SQLite format 3\x00" + b"\x00" * 20):
        path.write_bytes(data)
        with pytest.raises(dedup.FileFormatError):
            Corpus.open(path)
        assert path.read_bytes() == data
    with pytest.raises(dedup.StorageError, match="directory"):
        Corpus.open(tmp_path)


def test_a_pickle_is_refused_and_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    path = tmp_path / "evil.dedup"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (marker.touch, ())

    path.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(dedup.FileFormatError, match="not an SQLite database"):
        Corpus.open(path)
    assert not marker.exists()


def test_a_saved_corpus_is_refused_with_a_pointer_to_load(tmp_path: Path) -> None:
    path = tmp_path / "saved.dedup"
    memory_corpus(invented_records()[:3]).save(path)
    with pytest.raises(dedup.FileFormatError, match=r"Corpus\.load"):
        Corpus.open(path)
    store = good_store(tmp_path / "store.dedup", invented_records()[:3])
    with pytest.raises(dedup.FileFormatError, match=r"Corpus\.open"):
        Corpus.load(store)


def test_foreign_sqlite_databases_are_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.db"
    with sqlite3.connect(plain) as db:
        db.execute("CREATE TABLE pages (id TEXT, text TEXT)")
    with pytest.raises(dedup.FileFormatError, match="not a dedup store"):
        Corpus.open(plain)
    # A store with an extra trigger (which would run on our writes) is refused at open.
    marker = tmp_path / "fired"
    store = good_store(tmp_path / "s.dedup", invented_records()[:3])
    with sqlite3.connect(store) as db:
        db.execute("CREATE TABLE log (x)")
        db.execute("CREATE TRIGGER t AFTER INSERT ON pages BEGIN INSERT INTO log VALUES (1); END")
    db.close()
    with pytest.raises(dedup.FileFormatError, match="tables"):
        Corpus.open(store)
    assert not marker.exists()
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT count(*) FROM log").fetchone() == (0,)
    db.close()


def set_meta(path: Path, key: str, value: str, *, crc: bool = True) -> None:
    db = sqlite3.connect(path)
    with db:
        db.execute(
            "UPDATE meta SET value = ?, crc = ? WHERE key = ?",
            (value, _disk._meta_crc(key, value) if crc else 0, key),
        )
    db.close()


def test_a_future_version_says_to_upgrade(tmp_path: Path) -> None:
    store = good_store(tmp_path / "s.dedup", invented_records()[:3])
    set_meta(store, "version", "2")
    with pytest.raises(dedup.FileFormatError, match="newer dedup"):
        Corpus.open(store)


@pytest.mark.parametrize(
    ("key", "value", "crc", "message"),
    [
        ("version", "1", False, "meta table is damaged"),
        ("options", '{"min_passage": 11.0}', False, "meta table is damaged"),
        ("options", "[]", True, "options are damaged"),
        ("options", '{"no_such_option": 1}', True, "options are invalid"),
        ("tally", "2 5", True, "pages were lost or repeated"),
        ("format", "something-else", True, "not a dedup store"),
    ],
)
def test_damaged_meta_is_a_format_error(
    tmp_path: Path, key: str, value: str, crc: bool, message: str
) -> None:
    store = good_store(tmp_path / "s.dedup", invented_records()[:3])
    set_meta(store, key, value, crc=crc)
    with pytest.raises(dedup.FileFormatError, match=message):
        Corpus.open(store)


def test_rows_failing_their_checksum_or_validation_are_format_errors(tmp_path: Path) -> None:
    recs = invented_records()[:4]
    store = good_store(tmp_path / "s.dedup", recs)
    copy = tmp_path / "copy.dedup"

    def damaged(sql: str, *args: object) -> Path:
        copy.write_bytes(store.read_bytes())
        db = sqlite3.connect(copy)
        with db:
            db.execute(sql, args)
        db.close()
        return copy

    # A changed id, source or feature byte without a new checksum: refused at open.
    for sql in (
        "UPDATE pages SET id = 'other' WHERE n = 2",
        "UPDATE pages SET source = 'elsewhere' WHERE n = 2",
        "UPDATE pages SET features = zeroblob(length(features)) WHERE n = 3",
        "UPDATE pages SET chars = 5 WHERE n = 1",
        "UPDATE pages SET has_text = 0 WHERE n = 1",
    ):
        with pytest.raises(dedup.FileFormatError, match="checksum"):
            Corpus.open(damaged(sql))
    # A changed text: found when the text is read.
    with Corpus.open(damaged("UPDATE texts SET text = 'forged' WHERE n = 2"), progress=False) as c:
        assert c.text(recs[0]["id"]) == recs[0]["text"]
        with pytest.raises(dedup.FileFormatError, match="checksum"):
            c.text(recs[1]["id"])
    # Recomputed checksums over invalid features: the core refuses them.
    blob = b"not features at all"
    crc = _disk.page_crc(
        1, recs[0]["id"], None, "2024-03-01T06:00:00+00:00", len(recs[0]["text"]), True, blob
    )
    path = damaged("UPDATE pages SET features = ?, crc = ? WHERE n = 1", blob, crc)
    with pytest.raises(dedup.FileFormatError, match="features"):
        Corpus.open(path)


# -- bit flips and truncation, in a child process ----------------------------------------


def reference(c: Corpus) -> dict[str, Any]:
    ids = c.ids
    return {
        "ids": ids,
        "texts": [c.text(i) for i in ids],
        "sources": [c.source(i) for i in ids],
        "published": [str(c.published(i)) for i in ids],
        "clusters": [cl.ids for cl in c.clusters()],
    }


def check_damaged_copies(
    src: str, ref_path: str, work: str, positions: list[int], cuts: list[int], seed: int
) -> None:
    """(Runs in a child.) Opens copies of `src` with one bit flipped at each position,
    and copies truncated at each cut: each must be refused at open, or refuse to read
    a damaged text, or give exactly the reference data; never anything else."""
    import json
    import random

    import dedup

    rng = random.Random(seed)
    with open(ref_path, encoding="utf-8") as f:
        ref = json.load(f)
    with open(src, "rb") as f:
        data = f.read()
    tally = {"refused at open": 0, "refused a text": 0, "intact": 0}
    wrong = []
    cases = [("flip", p) for p in positions] + [("cut", n) for n in cuts]
    for kind, at in cases:
        bad = bytearray(data)
        if kind == "flip":
            bad[at] ^= 1 << rng.randrange(8)
        else:
            del bad[at:]
        with open(work, "wb") as f:
            f.write(bad)
        try:
            c = dedup.Corpus.open(work, progress=False)
        except dedup.FileFormatError:
            tally["refused at open"] += 1
            continue
        except Exception as e:
            wrong.append(f"{kind} {at}: open raised {type(e).__name__}: {e}")
            continue
        try:
            got = {
                "ids": c.ids,
                "sources": [c.source(i) for i in c.ids],
                "published": [str(c.published(i)) for i in c.ids],
                "clusters": [cl.ids for cl in c.clusters()],
            }
            for k, v in got.items():
                if v != ref[k]:
                    wrong.append(f"{kind} {at}: {k} differ")
            refused = False
            for i, pid in enumerate(ref["ids"]):
                try:
                    if c.text(pid) != ref["texts"][i]:
                        wrong.append(f"{kind} {at}: text of {pid} differs")
                except dedup.FileFormatError:
                    refused = True
            tally["refused a text" if refused else "intact"] += 1
        except Exception as e:
            wrong.append(f"{kind} {at}: raised {type(e).__name__}: {e}")
        finally:
            c.close()
    print("RESULT " + json.dumps({"tally": tally, "wrong": wrong}))


def run_function(fn: Any, *args: Any, timeout: float = 60) -> dict[str, Any]:
    """Runs a module-level function of this file in a fresh interpreter; fails on a
    crash or a hang, returns the JSON it printed after RESULT."""
    code = textwrap.dedent(inspect.getsource(fn)) + f"\n{fn.__name__}(*{args!r})\n"
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the child did not finish within {timeout} s")
    assert proc.returncode == 0, f"child exited with {proc.returncode}:\n{proc.stderr[-3000:]}"
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    out: dict[str, Any] = json.loads(line[len("RESULT ") :])
    print(out)
    return out


def test_bit_flipped_and_truncated_stores_never_give_wrong_data(tmp_path: Path) -> None:
    recs = invented_records()
    store = good_store(tmp_path / "s.dedup", recs)
    with Corpus.open(store, progress=False) as c:
        ref = reference(c)
    ref_path = tmp_path / "ref.json"
    ref_path.write_text(json.dumps(ref), encoding="utf-8")
    size = store.stat().st_size
    rng = random.Random(7)
    # The header, the first page (schema and meta), and random bytes everywhere.
    positions = [0, 5, 16, 18, 19, 21, 28, 31, 44, 56, 60, 68, 71, 96, 99, 100, 101, 200]
    positions += [rng.randrange(100, 2000) for _ in range(30)]
    positions += [rng.randrange(size) for _ in range(250)]
    cuts = [0, 50, 100, 4096, size // 3, size // 2, size - _disk.PAGE_SIZE, size - 1]
    out = run_function(
        check_damaged_copies,
        str(store),
        str(ref_path),
        str(tmp_path / "work.dedup"),
        positions,
        cuts,
        7,
        timeout=120,
    )
    assert out["wrong"] == []
    assert sum(out["tally"].values()) == len(positions) + len(cuts)
    assert out["tally"]["refused at open"] > 0


# -- crashes: SIGKILL at random moments ------------------------------------------------------


def page_text(pid: str) -> str:
    """A deterministic invented page for an id, of words made of random syllables;
    every 4th page copies its batch's first page under another header, so batches
    hold stories."""
    import random

    words = page_text.__dict__.get("words")
    if words is None:
        syllables = ["ka", "lo", "mer", "tu", "sen", "vi", "dra", "pol", "en", "is", "ga", "ro"]
        lex = random.Random(0)
        words = ["".join(lex.choices(syllables, k=lex.randint(2, 4))) for _ in range(5000)]
        page_text.__dict__["words"] = words
    stem, _, n = pid.rpartition("-p")
    rng = random.Random(f"{stem}-p0" if int(n) % 4 == 3 else pid)
    body = "\n".join(" ".join(rng.choices(words, k=30)) + "." for _ in range(4))
    return f"Header of {pid}\n{body}\nFooter"


def site(pid: str) -> str:
    """The outlet of a generated page: one per position in a batch, so the copies of
    a story are on different sites."""
    return "site" + pid.rpartition("-p")[2]


def crash_writer(store: str, log: str, round_: int, batch: int) -> None:
    """(Runs in a child, killed at a random moment.) Adds batches to the store for
    ever, logging "begin" before each `add_many` and "end" once it has returned
    (flushed to disk), so the parent knows which batch was in flight."""
    import os

    import dedup

    c = dedup.Corpus.open(store, progress=False)
    print("READY", len(c), flush=True)
    with open(log, "a", encoding="utf-8") as f:
        b = 0
        while True:
            ids = [f"r{round_}-b{b}-p{i}" for i in range(batch)]
            recs = [{"id": i, "text": page_text(i), "source": site(i)} for i in ids]
            f.write(f"begin {round_} {b}\n")
            f.flush()
            c.add_many(recs, batch_size=batch)
            f.write(f"end {round_} {b}\n")
            f.flush()
            os.fsync(f.fileno())
            b += 1


def crash_saver(store: str | None, out: str, log: str, start: int, batch: int) -> None:
    """(Runs in a child, killed at a random moment.) Grows a corpus (on disk when
    `store` is given, else in memory from `start` pages) and saves it to `out` after
    every batch, logging "begin N" before each `save` of N pages and "end N" once it
    has returned (flushed to disk). Python's fsync is slowed down (a slow disk), so
    that many kills fall while `save` writes and renames its file."""
    import os
    import time

    import dedup

    fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        time.sleep(0.04)
        fsync(fd)

    os.fsync = slow_fsync

    if store is not None:
        c = dedup.Corpus.open(store, progress=False)
    else:
        c = dedup.Corpus(progress=False)
        c.add_many({"id": f"p-p{i}", "text": page_text(f"p-p{i}")} for i in range(start))
    print("READY", len(c), flush=True)
    with open(log, "a", encoding="utf-8") as f:
        while True:
            n = len(c)
            c.add_many({"id": f"p-p{i}", "text": page_text(f"p-p{i}")} for i in range(n, n + batch))
            f.write(f"begin {len(c)}\n")
            f.flush()
            c.save(out)
            f.write(f"end {len(c)}\n")
            f.flush()
            os.fsync(f.fileno())


def start_child(fn: Any, *args: Any, stderr: Path, timeout: float = 30) -> tuple[Any, int]:
    """Starts a module-level function of this file in a child; returns the process
    and the page count it printed when ready."""
    code = (
        "\n".join(textwrap.dedent(inspect.getsource(f)) for f in (page_text, site, fn))
        + f"\n{fn.__name__}(*{args!r})\n"
    )
    err = open(stderr, "ab")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=err)
    err.close()
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    if not sel.select(timeout):
        proc.kill()
        proc.wait()
        pytest.fail(f"the child was not ready within {timeout} s: {stderr.read_text()[-2000:]}")
    line = proc.stdout.readline().decode()
    if not line.startswith("READY"):
        proc.kill()
        proc.wait()
        pytest.fail(f"the child failed to start: {line!r} {stderr.read_text()[-3000:]}")
    return proc, int(line.split()[1])


def kill(proc: Any, stderr: Path) -> None:
    assert proc.poll() is None, f"the child died on its own: {stderr.read_text()[-3000:]}"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def logged(log: Path) -> list[str]:
    if not log.exists():
        return []
    return [ln for ln in log.read_text().split("\n")[:-1]]  # complete lines only


def test_sigkill_during_add_many_loses_at_most_the_batch_in_flight(tmp_path: Path) -> None:
    store, err = tmp_path / "s.dedup", tmp_path / "stderr"
    rng = random.Random(2024)
    batch = 24
    # Where the kills fell: inside add_many with its batch committed or not yet,
    # or between two calls.
    landed = {"in add_many, committed": 0, "in add_many, not committed": 0, "between": 0}
    ended: set[tuple[int, int]] = set()
    maybe: set[tuple[int, int]] = set()  # in flight at a kill: there or not, but whole
    for round_ in range(20):
        log = tmp_path / f"log{round_}"
        proc, count = start_child(crash_writer, str(store), str(log), round_, batch, stderr=err)
        time.sleep(rng.uniform(0.02, 0.3))
        kill(proc, err)
        lines = [ln.split() for ln in logged(log)]
        ended |= {(int(r), int(b)) for what, r, b in lines if what == "end"}
        begun = {(int(r), int(b)) for what, r, b in lines if what == "begin"}
        in_flight = begun - ended
        assert len(in_flight) <= 1
        with Corpus.open(store, progress=False) as c:  # opens cleanly after the kill
            assert len(c) >= count
            batches: dict[tuple[int, int], list[str]] = {}
            for pid in c.ids:
                r, b, _ = pid.split("-")
                batches.setdefault((int(r[1:]), int(b[1:])), []).append(pid)
            for key, ids in batches.items():  # all or nothing
                assert ids == [f"r{key[0]}-b{key[1]}-p{i}" for i in range(batch)], key
            # Every batch whose add_many returned is there; nothing else is but the
            # one in flight, if its commit finished.
            assert ended <= set(batches) <= ended | in_flight | maybe
            if in_flight:
                now = in_flight <= set(batches)
                landed["in add_many, committed" if now else "in add_many, not committed"] += 1
            else:
                landed["between"] += 1
            maybe |= in_flight
            mine = sorted(b for r, b in batches if r == round_)
            assert mine == list(range(len(mine)))
            if mine:
                last = f"r{round_}-b{mine[-1]}-p{batch - 1}"
                assert c.text(last) == page_text(last)
    with Corpus.open(store, progress=False) as c:  # and it can be appended to again
        c.add("after", page_text("after-p0"))
        stored, ids = results(c), c.ids
    print(f"{len(ids)} pages; kills: {landed}")
    # A kill during the commit's fsync takes effect when the fsync returns, so most
    # kills inside add_many find their batch committed.
    assert landed["in add_many, committed"] + landed["in add_many, not committed"] > 0
    recs = [{"id": i, "text": page_text(i), "source": site(i)} for i in ids[:-1]]
    scratch = memory_corpus([*recs, {"id": "after", "text": page_text("after-p0")}])
    assert stored == results(scratch)


@pytest.mark.parametrize("on_disk", [False, True])
def test_sigkill_during_save_leaves_the_old_file_or_the_new_one(
    tmp_path: Path, on_disk: bool
) -> None:
    store = tmp_path / "s.dedup" if on_disk else None
    out, log, err = tmp_path / "saved.dedup", tmp_path / "log", tmp_path / "stderr"
    rng = random.Random(7 + on_disk)
    batch, start = 10, 1500
    if store is not None:
        with Corpus.open(store, progress=False) as c:
            c.add_many({"id": f"p-p{i}", "text": page_text(f"p-p{i}")} for i in range(start))
    previous = None  # pages in the last save known complete
    landed = {"in save": 0, "elsewhere": 0}
    for round_ in range(10):
        log = tmp_path / f"log{round_}"
        proc, count = start_child(
            crash_saver, str(store) if store else None, str(out), str(log), start, batch, stderr=err
        )
        time.sleep(rng.uniform(0.05, 0.5))
        kill(proc, err)
        lines = [ln.split() for ln in logged(log)]
        ended = [int(n) for what, n in lines if what == "end"]
        # The save that may have been cut: begun and not ended.
        in_flight = int(lines[-1][1]) if lines and lines[-1][0] == "begin" else None
        landed["in save" if in_flight is not None else "elsewhere"] += 1
        if ended:
            previous = ended[-1]
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert all(n.startswith(".dedup-") for n in leftovers), leftovers
        if out.exists():
            loaded = Corpus.load(out)  # complete and intact: `load` checks the checksum
            assert len(loaded) in (previous, in_flight), (len(loaded), previous, in_flight)
            assert loaded.ids == [f"p-p{i}" for i in range(len(loaded))]
            last = loaded.ids[-1]
            assert loaded.text(last) == page_text(last)
        else:
            assert previous is None
        if store is not None:
            with Corpus.open(store, progress=False) as c:
                # Every batch added before a logged save is there, and maybe one more.
                done = max([count, *ended, in_flight or 0])
                assert len(c) in (done, done + batch)
                assert c.ids == [f"p-p{i}" for i in range(len(c))]
        if in_flight is not None and out.exists() and len(Corpus.load(out)) == in_flight:
            previous = in_flight  # the cut save had finished its rename
    print(f"kills: {landed}; {len(leftovers)} temporary files left behind by killed saves")
    assert landed["in save"] > 0


def test_invalid_features_are_refused_before_they_are_stored(tmp_path: Path) -> None:
    path = tmp_path / "f.dedup"
    recs = invented_records()[:3]
    feats = dedup._core.featurize([r["text"] for r in recs])
    with Corpus.open(path, progress=False) as c:
        with pytest.raises(dedup.InvalidInputError):
            c.add_features(["a", "b"], [feats[0], b"not features"], [None, None], [None, None])
        assert len(c) == 0
        c.add_features([r["id"] for r in recs], feats, [None] * 3, [None] * 3)
    with Corpus.open(path, progress=False) as c:
        assert c.ids == [r["id"] for r in recs]


def test_threads_share_an_on_disk_corpus(tmp_path: Path) -> None:
    """One thread adds batches (each a transaction) while others read texts, match
    and query through the same SQLite connection: no error, nothing lost."""
    import threading

    ferry = STORIES["ferry"]
    c = Corpus.open(tmp_path / "t.dedup", progress=False)
    c.add("wire", wire(ferry))
    errors: list[BaseException] = []
    done = threading.Event()

    def writer() -> None:
        try:
            for n in range(20):
                c.add_many(
                    {"id": f"p{n}-{k}", "text": page(OUTLETS[0], "Reef", ferry), "source": f"o{k}"}
                    for k in range(5)
                )
        except BaseException as e:
            errors.append(e)
        finally:
            done.set()

    def reader() -> None:
        try:
            while not done.is_set():
                assert all(len(cl.ids) % 5 == 1 for cl in c.clusters())
                for m in c.matches("wire"):
                    assert c.text(m.other) == page(OUTLETS[0], "Reef", ferry)
                c.query(page(OUTLETS[2], "Reef", ferry))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=writer)] + [
        threading.Thread(target=reader) for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    c.close()
    assert not errors, errors
    with Corpus.open(tmp_path / "t.dedup", progress=False) as again:
        assert len(again) == 101
        assert [len(cl.ids) for cl in again.clusters()] == [101]


def test_a_window_evicts_from_the_store_too(tmp_path: Path) -> None:
    import datetime as dt

    t0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    pages = [
        (f"p{h}", page(OUTLETS[h % 3], f"Note {h}", filler(h)), t0 + dt.timedelta(hours=h))
        for h in range(60)
    ]
    pages.insert(30, ("ferry", wire(STORIES["ferry"]), t0 + dt.timedelta(hours=40)))
    pages.append(("ferry-copy", page(OUTLETS[0], "Reef", STORIES["ferry"]), pages[-1][2]))
    pages.append(("late", wire(STORIES["rail"]), t0))  # evicted as soon as it is added
    window = dt.timedelta(hours=24)
    mem = Corpus(window=window, progress=False)
    path = tmp_path / "w.dedup"
    c = Corpus.open(path, window=window, progress=False)
    for n, (pid, text, when) in enumerate(pages):
        if n == 40:  # close and reopen in the middle of the stream
            c.close()
            c = Corpus.open(path, window=window.total_seconds(), progress=False)
        got = c.add(pid, text, source=OUTLETS[n % 3].name, published=when, match=True)
        want = mem.add(pid, text, source=OUTLETS[n % 3].name, published=when, match=True)
        # Reopening rebuilds the statistics a stream otherwise refreshes only now and
        # then, so word weights (and the shares they weigh) may differ in the last
        # digits; everything else is the same.
        assert [rounded(m) for m in got] == [rounded(m) for m in want]
    c.close()
    assert "late" not in mem and "p0" not in mem and "ferry" in mem
    with Corpus.open(path, progress=False) as again:  # no window: nothing more is evicted
        assert again.ids == mem.ids
        assert results(again) == results(mem) != []


def test_opening_with_a_shorter_window_evicts_old_pages_from_the_store(tmp_path: Path) -> None:
    # Pages evicted while the store is being read are deleted from it; they are not
    # taken for pages stored twice.
    import datetime as dt

    t0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    path = tmp_path / "w.dedup"
    with Corpus.open(path, progress=False) as c:
        c.add("undated", wire(STORIES["rail"]))
        for h in range(50):
            c.add(f"p{h}", " ".join(filler(h)), published=t0 + dt.timedelta(hours=h))
    with Corpus.open(path, window=dt.timedelta(hours=10), progress=False) as c:
        assert c.ids == ["undated", *(f"p{h}" for h in range(39, 50))]
    with Corpus.open(path, progress=False) as c:
        assert c.ids == ["undated", *(f"p{h}" for h in range(39, 50))]
