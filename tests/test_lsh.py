"""Tests of `dedup.LSHIndex`: contract, brute-force equivalence, persistence, and
agreement with datasketch's MinHashLSH."""

from __future__ import annotations

import copy
import os
import pathlib
import pickle
import random
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedup

# --------------------------------------------------------------------------- helpers


def brute_force(
    stored: dict[str, np.ndarray], q: np.ndarray, bands: int, rows: int
) -> list[tuple[str, float]]:
    """Keys sharing at least one whole band with `q`, estimate over all positions."""
    hits = []
    for key, s in stored.items():
        if any(
            np.array_equal(s[b * rows : (b + 1) * rows], q[b * rows : (b + 1) * rows])
            for b in range(bands)
        ):
            hits.append((key, float(np.count_nonzero(s == q)) / len(q)))
    return sorted(hits, key=lambda h: (-h[1], h[0]))


def words(rng: random.Random, n: int) -> list[str]:
    vocab = [f"w{i}" for i in range(5000)]
    return [rng.choice(vocab) for _ in range(n)]


def small_index(**kw: object) -> dedup.LSHIndex:
    return dedup.LSHIndex(num_perm=8, bands=4, rows=2, **kw)  # type: ignore[arg-type]


@pytest.fixture
def filled() -> dedup.LSHIndex:
    ix = small_index()
    ix.insert("a", np.arange(8, dtype=np.uint64))
    ix.insert("b", np.array([0, 1, 9, 9, 9, 9, 9, 9], dtype=np.uint64))
    ix.insert("c", np.full(8, 7, dtype=np.uint64))
    return ix


# ---------------------------------------------------------------------- construction


def test_defaults_and_properties() -> None:
    ix = dedup.LSHIndex(threshold=0.5, num_perm=128)
    assert (ix.threshold, ix.num_perm) == (0.5, 128)
    assert ix.bands * ix.rows <= 128
    assert len(ix) == 0
    assert ix.max_bucket >= 1
    assert repr(ix).startswith("LSHIndex(threshold=0.5, num_perm=128, bands=")
    assert isinstance(dedup.LSHIndex(), dedup.LSHIndex)
    assert "LSHIndex" in dedup.__all__


def test_explicit_bands_and_rows() -> None:
    ix = dedup.LSHIndex(num_perm=128, bands=16, rows=8)
    assert (ix.bands, ix.rows) == (16, 8)
    with pytest.raises(dedup.InvalidOptionError, match=r"bands \* rows.*at most num_perm = 128"):
        dedup.LSHIndex(num_perm=128, bands=16, rows=9)
    with pytest.raises(dedup.InvalidOptionError, match="together"):
        dedup.LSHIndex(num_perm=128, bands=16)


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        ({"threshold": 1.5}, "threshold"),
        ({"threshold": -0.1}, "threshold"),
        ({"num_perm": 0}, "num_perm"),
        ({"num_perm": -3}, "num_perm"),
        ({"max_bucket": 0}, "max_bucket"),
        ({"weights": (-1.0, 0.5)}, "weights"),
        ({"bands": 0, "rows": 1}, "bands"),
    ],
)
def test_bad_options(kw: dict[str, object], name: str) -> None:
    with pytest.raises(dedup.InvalidOptionError, match=name) as e:
        dedup.LSHIndex(**kw)  # type: ignore[arg-type]
    assert isinstance(e.value, ValueError)


@pytest.mark.parametrize("num_perm", [16, 32, 64, 128, 256])
@pytest.mark.parametrize("threshold", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
def test_params_match_datasketch(num_perm: int, threshold: float) -> None:
    datasketch = pytest.importorskip("datasketch")
    ours = dedup.LSHIndex(threshold=threshold, num_perm=num_perm)
    try:
        theirs = datasketch.MinHashLSH(threshold=threshold, num_perm=num_perm)
        expected = (theirs.b, theirs.r)
    except ValueError:  # datasketch refuses a single band; its optimiser still answers
        expected = datasketch.lsh._optimal_param(threshold, num_perm, 0.5, 0.5)
        assert expected[0] < 2
    assert (ours.bands, ours.rows) == expected


@pytest.mark.parametrize("weights", [(0.3, 0.7), (0.7, 0.3), (0.1, 0.9)])
def test_weighted_params_match_datasketch(weights: tuple[float, float]) -> None:
    datasketch = pytest.importorskip("datasketch")
    for threshold in (0.3, 0.6, 0.85):
        ours = dedup.LSHIndex(threshold=threshold, num_perm=128, weights=weights)
        theirs = datasketch.MinHashLSH(threshold=threshold, num_perm=128, weights=weights)
        assert (ours.bands, ours.rows) == (theirs.b, theirs.r)


# ------------------------------------------------------------------ basic contract


def test_insert_query_remove(filled: dedup.LSHIndex) -> None:
    q = np.arange(8, dtype=np.uint64)
    assert filled.query(q) == [("a", 1.0), ("b", 0.25)]
    assert filled.query(q, min_similarity=0.5) == [("a", 1.0)]
    assert "a" in filled and filled.contains("b") and "zz" not in filled
    assert len(filled) == 3
    assert sorted(filled.keys()) == ["a", "b", "c"]
    filled.remove("a")
    assert "a" not in filled and len(filled) == 2
    assert filled.query(q) == [("b", 0.25)]


def test_uint32_and_uint64_signatures_agree() -> None:
    rng = np.random.default_rng(0)
    sigs = rng.integers(0, 2**32, size=(20, 8), dtype=np.uint64)
    a, b = small_index(), small_index()
    a.insert_many([f"k{i}" for i in range(20)], sigs)
    b.insert_many([f"k{i}" for i in range(20)], sigs.astype(np.uint32))
    for s in sigs:
        assert a.query(s) == b.query(s.astype(np.uint32)) == b.query(list(map(int, s)))


def test_errors_leave_the_index_unchanged(filled: dedup.LSHIndex) -> None:
    before = filled.to_bytes()
    with pytest.raises(dedup.DuplicateIdError, match="'a'") as e:
        filled.insert("a", np.zeros(8, dtype=np.uint64))
    assert isinstance(e.value, ValueError)
    with pytest.raises(dedup.UnknownIdError, match="'nope'") as e2:
        filled.remove("nope")
    assert isinstance(e2.value, KeyError)
    with pytest.raises(dedup.InvalidInputError, match="expected num_perm = 8"):
        filled.insert("d", np.zeros(7, dtype=np.uint64))
    with pytest.raises(dedup.InputTypeError):
        filled.insert(b"d", np.zeros(8, dtype=np.uint64))  # type: ignore[arg-type]
    with pytest.raises(dedup.InputTypeError):
        filled.insert(5, np.zeros(8, dtype=np.uint64))  # type: ignore[arg-type]
    with pytest.raises(dedup.InputTypeError):
        filled.remove(None)  # type: ignore[arg-type]
    with pytest.raises(dedup.InputTypeError):
        filled.insert("d", np.zeros(8, dtype=np.float64))
    with pytest.raises(dedup.InvalidInputError, match="negative"):
        filled.insert("d", -np.ones(8, dtype=np.int64))
    with pytest.raises(dedup.InvalidInputError, match="num_perm"):
        filled.query(np.zeros(9, dtype=np.uint64))
    with pytest.raises(dedup.InvalidOptionError, match="min_similarity"):
        filled.query(np.zeros(8, dtype=np.uint64), min_similarity=2.0)
    assert filled.to_bytes() == before


def test_insert_many_is_all_or_nothing(filled: dedup.LSHIndex) -> None:
    before = filled.to_bytes()
    z = np.zeros((2, 8), dtype=np.uint64)
    with pytest.raises(dedup.DuplicateIdError):
        filled.insert_many(["x", "a"], z)
    with pytest.raises(dedup.DuplicateIdError):
        filled.insert_many(["x", "x"], z)
    with pytest.raises(dedup.InvalidInputError, match="3 items but sigs has 2 rows"):
        filled.insert_many(["x", "y", "z"], z)
    with pytest.raises(dedup.InvalidInputError, match="expected num_perm = 8"):
        filled.insert_many(["x", "y"], np.zeros((2, 9), dtype=np.uint64))
    with pytest.raises(dedup.InputTypeError):
        filled.insert_many(["x", 3], z)
    with pytest.raises(dedup.InputTypeError):
        filled.insert_many("xy", z)
    with pytest.raises(dedup.InputTypeError):
        filled.insert_many(["x", "y"], np.zeros(16, dtype=np.uint64))
    assert filled.to_bytes() == before
    filled.insert_many(["x", "y"], z)
    assert len(filled) == 5


def test_full_buckets_reject_and_are_counted() -> None:
    ix = dedup.LSHIndex(num_perm=4, bands=2, rows=2, max_bucket=2)
    same = np.full(4, 3, dtype=np.uint64)
    ix.insert_many(["a", "b", "c"], np.stack([same] * 3))
    assert ix.saturated_buckets == 2
    assert [k for k, _ in ix.query(same)] == ["a", "b"]
    assert "c" in ix and len(ix) == 3


# -------------------------------------------------------------- brute-force model

sig_strategy = st.lists(st.integers(0, 2), min_size=9, max_size=9)


@settings(max_examples=60, deadline=None)
@given(
    stored=st.dictionaries(st.text(min_size=1, max_size=4), sig_strategy, max_size=30),
    queries=st.lists(sig_strategy, min_size=1, max_size=10),
    removed=st.sets(st.integers(0, 29)),
)
def test_queries_match_brute_force(
    stored: dict[str, list[int]], queries: list[list[int]], removed: set[int]
) -> None:
    ix = dedup.LSHIndex(num_perm=9, bands=4, rows=2)
    model = {k: np.array(v, dtype=np.uint64) for k, v in stored.items()}
    if model:
        ix.insert_many(list(model), np.stack(list(model.values())))
    for i, key in enumerate(list(model)):
        if i in removed:
            ix.remove(key)
            del model[key]
    assert len(ix) == len(model)
    qs = np.array(queries, dtype=np.uint64)
    expected = [brute_force(model, q, 4, 2) for q in qs]
    assert [ix.query(q) for q in qs] == expected
    assert ix.query_many(qs) == expected


def test_query_many_is_deterministic_and_empty_batches_work() -> None:
    rng = np.random.default_rng(1)
    sigs = rng.integers(0, 3, size=(500, 9), dtype=np.uint64)
    ix = dedup.LSHIndex(num_perm=9, bands=4, rows=2)
    ix.insert_many([f"k{i:03}" for i in range(500)], sigs)
    first = ix.query_many(sigs)
    assert all(ix.query_many(sigs) == first for _ in range(3))
    assert ix.query_many(np.zeros((0, 9), dtype=np.uint64)) == []


# ---------------------------------------------------------- real MinHash signatures


def test_recall_and_precision_on_near_duplicate_texts() -> None:
    rng = random.Random(7)
    mh = dedup.MinHasher(num_perm=128, seed=1, scheme="fast")
    stories = [words(rng, 300) for _ in range(30)]
    texts, keys = [], []
    for i, story in enumerate(stories):
        texts.append(" ".join(story))
        keys.append(f"story{i}")
        # A syndicated copy with a handful of edits (Jaccard of 5-shingles ~0.8).
        edited = list(story)
        for _ in range(4):
            edited[rng.randrange(len(edited))] = "EDITED"
        texts.append(" ".join(edited))
        keys.append(f"story{i}-copy")
    sigs = mh.signatures(texts)
    ix = dedup.LSHIndex(threshold=0.5, num_perm=128)
    ix.insert_many(keys, sigs)
    results = ix.query_many(sigs)
    for key, hits in zip(keys, results, strict=True):
        found = [k for k, _ in hits]
        base = key.removesuffix("-copy")
        assert found[0] == key  # itself, similarity 1.0
        assert set(found) == {base, f"{base}-copy"}  # the copy, and nothing unrelated
        assert all(sim > 0.6 for _, sim in hits)


def test_datasketch_interoperability() -> None:
    datasketch = pytest.importorskip("datasketch")
    rng = random.Random(3)
    mh = dedup.MinHasher(num_perm=128, seed=1, scheme="affine32")
    base = [words(rng, 60) for _ in range(15)]
    texts = [" ".join(b) for b in base]
    for b in base:  # near and far rewrites, so candidates cover the whole S-curve
        for n_edits in (2, 6, 12):
            e = list(b)
            for _ in range(n_edits):
                e[rng.randrange(len(e))] = f"x{rng.randrange(100)}"
            texts.append(" ".join(e))
    keys = [f"d{i}" for i in range(len(texts))]
    sigs = mh.signatures(texts)

    theirs = datasketch.MinHashLSH(threshold=0.6, num_perm=128)
    for key, text in zip(keys, texts, strict=True):
        m = datasketch.MinHash(num_perm=128, seed=1)
        m.update_batch([s.encode("utf-8") for s in mh.shingler.shingles(text)])
        theirs.insert(key, m)
    ours = dedup.LSHIndex(threshold=0.6, num_perm=128)
    assert (ours.bands, ours.rows) == (theirs.b, theirs.r)
    ours.insert_many(keys, sigs)

    for sig in sigs:
        query = datasketch.MinHash(num_perm=128, seed=1, hashvalues=sig, scheme="affine32")
        assert sorted(theirs.query(query)) == sorted(k for k, _ in ours.query(sig))


# ------------------------------------------------------------------------ persistence


def test_save_load_round_trip(filled: dedup.LSHIndex, tmp_path: pathlib.Path) -> None:
    q = np.arange(8, dtype=np.uint64)
    for path in (tmp_path / "ix.lsh", str(tmp_path / "ix2.lsh")):
        filled.save(path)
        back = dedup.LSHIndex.load(path)
        assert back.to_bytes() == filled.to_bytes()
        assert back.query(q) == filled.query(q)
        assert (back.bands, back.rows, back.num_perm, back.threshold, back.max_bucket) == (
            4,
            2,
            8,
            0.5,
            filled.max_bucket,
        )
    assert sorted(os.listdir(tmp_path)) == ["ix.lsh", "ix2.lsh"]  # no temporaries left


def test_pickle_and_copy(filled: dedup.LSHIndex) -> None:
    for proto in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(filled, protocol=proto))
        assert isinstance(back, dedup.LSHIndex)
        assert back.to_bytes() == filled.to_bytes()
    deep = copy.deepcopy(filled)
    deep.remove("a")
    assert "a" in filled and "a" not in deep
    assert dedup.LSHIndex.from_bytes(filled.to_bytes()).to_bytes() == filled.to_bytes()


def test_tampered_pickle_state_is_rejected(filled: dedup.LSHIndex) -> None:
    state = filled.to_bytes()
    bad = state[:-1] + bytes([state[-1] ^ 1])
    data = pickle.dumps(filled).replace(state, bad)
    with pytest.raises(dedup.FileFormatError, match="checksum"):
        pickle.loads(data)


@pytest.fixture
def saved(filled: dedup.LSHIndex, tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "ix.lsh"
    filled.save(path)
    return path


def test_every_truncation_is_rejected(saved: pathlib.Path, tmp_path: pathlib.Path) -> None:
    data = saved.read_bytes()
    for n in range(len(data)):
        with pytest.raises(dedup.FileFormatError) as e:
            dedup.LSHIndex.from_bytes(data[:n])
        assert isinstance(e.value, OSError)
    cut = tmp_path / "cut.lsh"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(dedup.FileFormatError, match="truncated"):
        dedup.LSHIndex.load(cut)


def test_every_bit_flip_is_rejected(saved: pathlib.Path) -> None:
    data = bytearray(saved.read_bytes())
    for i in range(len(data)):
        for bit in (0, 3, 7):
            data[i] ^= 1 << bit
            with pytest.raises(dedup.FileFormatError):
                dedup.LSHIndex.from_bytes(bytes(data))
            data[i] ^= 1 << bit


def test_future_version_asks_for_upgrade(saved: pathlib.Path) -> None:
    data = bytearray(saved.read_bytes())
    data[8:12] = struct.pack("<I", 99)
    data[-4:] = struct.pack("<I", zlib.crc32(bytes(data[:-4])))
    saved.write_bytes(bytes(data))
    with pytest.raises(dedup.FileFormatError, match="upgrade dedup"):
        dedup.LSHIndex.load(saved)


class _Boom:
    """Unpickling this would create a marker file."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def test_foreign_files_are_rejected_without_executing(tmp_path: pathlib.Path) -> None:
    marker = tmp_path / "executed"
    evil = tmp_path / "evil.lsh"
    evil.write_bytes(pickle.dumps(_Boom(str(marker))))
    with pytest.raises(dedup.FileFormatError, match="not a dedup LSH index file") as e:
        dedup.LSHIndex.load(evil)
    assert isinstance(e.value, OSError)
    assert not marker.exists()
    for junk in (b"", b"DEDUPLSH", b"PK\x03\x04" + bytes(100), os.urandom(1000)):
        with pytest.raises(dedup.FileFormatError):
            dedup.LSHIndex.from_bytes(junk)


def test_missing_file(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError) as e:
        dedup.LSHIndex.load(tmp_path / "nope.lsh")
    assert isinstance(e.value, dedup.StoreNotFoundError)
    with pytest.raises(dedup.StorageError):
        dedup.LSHIndex().save(tmp_path / "no-such-dir" / "ix.lsh")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_crash(data: bytes) -> None:
    with pytest.raises(dedup.FileFormatError):
        dedup.LSHIndex.from_bytes(data)
