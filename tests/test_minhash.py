"""MinHasher: shapes, text vs shingles, datasketch bit-identity, thread determinism,
estimation accuracy, pickling and errors."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
import textwrap

import datasketch
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dedup

SCHEMES = ["fast", "affine32", "affine64", "legacy"]
DATASKETCH_SCHEMES = ["affine32", "affine64", "legacy"]
WORD5 = dedup.Shingler(unit="word", k=5)

TEXTS = [
    "The minister said on Monday that talks would resume in May, officials confirmed.",
    "The Minister said on Monday the talks would resume in May, according to officials.",
    "Shares fell 3.5% in early trading after the company cut its forecast for 2025.",
    "",
    "Short one.",
    "東京都は月曜日、新しい対策を発表した。",
    "Die Regierung kündigte am Montag neue Maßnahmen an, sagte ein Sprecher.",
]


def datasketch_signature(shingles: list[str] | list[bytes], num_perm: int, seed: int, scheme: str):
    m = datasketch.MinHash(num_perm=num_perm, seed=seed, scheme=scheme)
    data = [s.encode("utf-8") if isinstance(s, str) else s for s in shingles]
    if data:
        m.update_batch(data)
    return m.hashvalues


# --- shapes and basic contract ------------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
def test_signatures_shape_and_dtype(scheme: str) -> None:
    mh = dedup.MinHasher(num_perm=64, seed=1, scheme=scheme, shingler=WORD5)
    sigs = mh.signatures(TEXTS)
    assert isinstance(sigs, np.ndarray)
    assert sigs.shape == (len(TEXTS), 64)
    assert sigs.dtype == (np.uint32 if scheme == "affine32" else np.uint64)
    assert mh.signatures([]).shape == (0, 64)
    # Rows depend on their text alone.
    for i, t in enumerate(TEXTS):
        assert np.array_equal(mh.signatures([t])[0], sigs[i])


def test_defaults_and_repr() -> None:
    mh = dedup.MinHasher()
    assert (mh.num_perm, mh.seed, mh.scheme) == (128, 1, "fast")
    assert mh.shingler == WORD5
    assert repr(mh) == (
        "MinHasher(num_perm=128, seed=1, scheme='fast', "
        "shingler=Shingler(unit='word', k=5, case_fold=True, strip_accents=False))"
    )


def test_options_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        dedup.MinHasher(128)  # type: ignore[misc]


def test_signatures_accept_any_sequence_of_str() -> None:
    mh = dedup.MinHasher(num_perm=16)
    expect = mh.signatures(list(TEXTS))
    assert np.array_equal(mh.signatures(tuple(TEXTS)), expect)
    assert np.array_equal(mh.signatures(t for t in TEXTS), expect)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("shingler", [WORD5, dedup.Shingler(unit="char", k=4)], ids=repr)
def test_signatures_from_shingles_equal_signatures_from_text(
    scheme: str, shingler: dedup.Shingler
) -> None:
    mh = dedup.MinHasher(num_perm=96, seed=7, scheme=scheme, shingler=shingler)
    from_text = mh.signatures(TEXTS)
    lists = [shingler.shingles(t) for t in TEXTS]
    assert np.array_equal(mh.signatures_from_shingles(lists), from_text)
    as_bytes = [[s.encode("utf-8") for s in lst] for lst in lists]
    assert np.array_equal(mh.signatures_from_shingles(as_bytes), from_text)


def test_shingle_order_and_repeats_do_not_matter() -> None:
    for scheme in SCHEMES:
        mh = dedup.MinHasher(num_perm=32, scheme=scheme)
        a = ["x y", "y z", "z w", "w v"]
        b = [*reversed(a), "x y", "z w"]
        got = mh.signatures_from_shingles([a, b])
        assert np.array_equal(got[0], got[1])


@pytest.mark.parametrize("scheme", SCHEMES)
def test_seed_changes_the_signature(scheme: str) -> None:
    s1 = dedup.MinHasher(num_perm=32, seed=1, scheme=scheme).signatures(TEXTS[:1])
    s2 = dedup.MinHasher(num_perm=32, seed=2, scheme=scheme).signatures(TEXTS[:1])
    assert not np.array_equal(s1, s2)


def test_fast_signature_of_nonempty_text_has_no_empty_bins() -> None:
    mh = dedup.MinHasher(num_perm=256, scheme="fast")
    sigs = mh.signatures(["one two three", "Short one.", "a b c d e f g h"])
    assert (sigs != np.iinfo(np.uint64).max).all()
    # Three shingles fill 256 bins with at most three distinct values.
    assert len(set(sigs[2].tolist())) <= 4


# --- datasketch bit-identity --------------------------------------------------------


@pytest.mark.parametrize("scheme", DATASKETCH_SCHEMES)
@pytest.mark.parametrize("num_perm", [1, 16, 128, 257])
def test_bit_identical_to_datasketch_on_text(scheme: str, num_perm: int) -> None:
    mh = dedup.MinHasher(num_perm=num_perm, seed=1, scheme=scheme, shingler=WORD5)
    sigs = mh.signatures(TEXTS)
    for text, sig in zip(TEXTS, sigs, strict=True):
        ref = datasketch_signature(WORD5.shingles(text), num_perm, 1, scheme)
        assert sig.dtype == ref.dtype
        assert np.array_equal(sig, ref)


shingle_text = st.text(max_size=40)
shingle_lists = st.lists(st.lists(shingle_text, max_size=30), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lists=shingle_lists,
    seed=st.integers(0, 2**32 - 1),
    num_perm=st.integers(1, 300),
    scheme=st.sampled_from(DATASKETCH_SCHEMES),
)
def test_bit_identical_to_datasketch_property(
    lists: list[list[str]], seed: int, num_perm: int, scheme: str
) -> None:
    mh = dedup.MinHasher(num_perm=num_perm, seed=seed, scheme=scheme)
    got = mh.signatures_from_shingles(lists)
    assert got.shape == (len(lists), num_perm)
    for row, shingles in zip(got, lists, strict=True):
        # Empty lists included: both give the scheme's "empty" value everywhere.
        assert np.array_equal(row, datasketch_signature(shingles, num_perm, seed, scheme))


@settings(max_examples=30, deadline=None)
@given(
    lists=st.lists(st.lists(st.binary(max_size=40), max_size=30), min_size=1, max_size=3),
    seed=st.integers(0, 2**32 - 1),
    scheme=st.sampled_from(DATASKETCH_SCHEMES),
)
def test_bit_identical_to_datasketch_on_bytes(
    lists: list[list[bytes]], seed: int, scheme: str
) -> None:
    mh = dedup.MinHasher(num_perm=64, seed=seed, scheme=scheme)
    got = mh.signatures_from_shingles(lists)
    for row, shingles in zip(got, lists, strict=True):
        assert np.array_equal(row, datasketch_signature(shingles, 64, seed, scheme))


@pytest.mark.parametrize("scheme", DATASKETCH_SCHEMES)
def test_empty_matches_datasketch_empty(scheme: str) -> None:
    mh = dedup.MinHasher(num_perm=32, seed=5, scheme=scheme)
    empty = datasketch.MinHash(num_perm=32, seed=5, scheme=scheme).hashvalues
    assert np.array_equal(mh.signatures_from_shingles([[]])[0], empty)
    assert np.array_equal(mh.signatures(["", " ... "])[1], empty)


@settings(max_examples=40, deadline=None)
@given(
    lists=st.lists(st.lists(shingle_text, max_size=30), min_size=1, max_size=4),
    seed=st.integers(0, 2**64 - 1),
    num_perm=st.integers(1, 300),
)
def test_fast_from_shingles_is_order_free_and_deterministic(
    lists: list[list[str]], seed: int, num_perm: int
) -> None:
    mh = dedup.MinHasher(num_perm=num_perm, seed=seed)
    got = mh.signatures_from_shingles(lists)
    again = dedup.MinHasher(num_perm=num_perm, seed=seed).signatures_from_shingles(
        [sorted(set(lst), reverse=True) for lst in lists]
    )
    assert np.array_equal(got, again)
    for row, lst in zip(got, lists, strict=True):
        assert (row == np.iinfo(np.uint64).max).all() == (not lst)


# --- determinism across thread counts -----------------------------------------------

_THREAD_SCRIPT = textwrap.dedent(
    """
    import hashlib, json, random, sys
    import dedup

    rng = random.Random(12345)
    vocab = ["alpha", "beta", "gamma", "delta", "Minister", "said", "Monday", "talks",
             "café", "東京", "5,000", "U.S.", "don't", "year", "market", "police"]
    texts = [" ".join(rng.choice(vocab) for _ in range(rng.randint(0, 400)))
             for _ in range(400)]
    out = {}
    for scheme in ("fast", "affine32", "affine64", "legacy"):
        for unit in ("word", "char"):
            sh = dedup.Shingler(unit=unit, k=5)
            mh = dedup.MinHasher(num_perm=64, seed=3, scheme=scheme, shingler=sh)
            a = mh.signatures(texts)
            b = mh.signatures_from_shingles([sh.shingles(t) for t in texts])
            assert (a == b).all()
            out[f"{scheme}/{unit}"] = hashlib.sha256(a.tobytes()).hexdigest()
    json.dump(out, sys.stdout)
    """
)


def _digests(threads: int) -> dict[str, str]:
    env = {**os.environ, "RAYON_NUM_THREADS": str(threads)}
    proc = subprocess.run(
        [sys.executable, "-c", _THREAD_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    result: dict[str, str] = json.loads(proc.stdout)
    return result


def test_signatures_are_identical_for_any_thread_count() -> None:
    one = _digests(1)
    assert len(one) == 8
    for threads in (2, 3):
        assert _digests(threads) == one


# --- estimation accuracy ------------------------------------------------------------


def _sets_with_jaccard(j: float, union: int, tag: str) -> tuple[list[str], list[str]]:
    """Two sets of distinct shingles whose union has `union` elements and Jaccard `j`."""
    inter = round(j * union)
    only = (union - inter) // 2
    common = [f"{tag} common {i}" for i in range(inter)]
    a = common + [f"{tag} a {i}" for i in range(only)]
    b = common + [f"{tag} b {i}" for i in range(union - inter - only)]
    return a, b


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("union", [60, 400, 3000])
def test_estimates_are_within_statistical_bounds(scheme: str, union: int) -> None:
    num_perm = 256
    mh = dedup.MinHasher(num_perm=num_perm, seed=11, scheme=scheme)
    errors = []
    for j in (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0):
        for rep in range(5):
            a, b = _sets_with_jaccard(j, union, f"{j}-{rep}")
            exact = len(set(a) & set(b)) / len(set(a) | set(b))
            sig = mh.signatures_from_shingles([a, b])
            est = dedup.estimate_jaccard(sig[0], sig[1])
            se = np.sqrt(exact * (1 - exact) / num_perm)
            # Five standard errors, plus a little for rounding and 32-bit collisions;
            # seeds are fixed so this cannot flake.
            assert abs(est - exact) <= 5 * se + 0.02, (j, rep, est, exact)
            errors.append(est - exact)
    # No systematic bias either.
    assert abs(float(np.mean(errors))) < 0.02


def test_estimates_on_text_track_exact_word_shingle_jaccard() -> None:
    rng = np.random.default_rng(5)
    vocab = [f"w{i}" for i in range(3000)]
    mh = dedup.MinHasher(num_perm=128, seed=1)
    diffs = []
    for _ in range(60):
        base = list(rng.choice(vocab, 400))
        other = list(base)
        for pos in rng.choice(len(other), int(rng.integers(0, 60)), replace=False):
            other[pos] = str(rng.choice(vocab))
        ta, tb = " ".join(base), " ".join(other)
        sa, sb = set(WORD5.shingles(ta)), set(WORD5.shingles(tb))
        exact = len(sa & sb) / len(sa | sb)
        sig = mh.signatures([ta, tb])
        diffs.append(dedup.estimate_jaccard(sig[0], sig[1]) - exact)
    # Mean absolute error of a 128-bin estimate is about 0.8 * sqrt(J(1-J)/128) <= 0.036.
    assert float(np.mean(np.abs(diffs))) < 0.05
    assert abs(float(np.mean(diffs))) < 0.02


def test_estimate_jaccard_checks_its_inputs() -> None:
    sig = dedup.MinHasher(num_perm=8).signatures(["a b c"])[0]
    assert dedup.estimate_jaccard(sig, sig) == 1.0
    with pytest.raises(dedup.InvalidInputError, match="same non-zero length"):
        dedup.estimate_jaccard(sig, sig[:4])
    with pytest.raises(dedup.InputTypeError):
        dedup.estimate_jaccard(np.array([1.5, 2.0]), np.array([1.5, 2.0]))


# --- pickling -----------------------------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
def test_pickle_round_trip(scheme: str) -> None:
    sh = dedup.Shingler(unit="char", k=6, strip_accents=True)
    mh = dedup.MinHasher(num_perm=40, seed=99, scheme=scheme, shingler=sh)
    back = pickle.loads(pickle.dumps(mh))
    assert repr(back) == repr(mh)
    assert back.shingler == sh
    assert np.array_equal(back.signatures(TEXTS), mh.signatures(TEXTS))


# --- errors -------------------------------------------------------------------------


def test_bad_scheme_names_the_valid_values() -> None:
    with pytest.raises(dedup.InvalidOptionError) as info:
        dedup.MinHasher(scheme="minhash")
    assert str(info.value) == (
        "`scheme` must be one of {'fast', 'affine32', 'affine64', 'legacy'}, got 'minhash'"
    )
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("num_perm", [0, 65537])
def test_bad_num_perm_states_the_range(scheme: str, num_perm: int) -> None:
    with pytest.raises(dedup.InvalidOptionError, match="between 1 and 65536"):
        dedup.MinHasher(num_perm=num_perm, scheme=scheme)


@pytest.mark.parametrize("scheme", DATASKETCH_SCHEMES)
def test_datasketch_schemes_need_32_bit_seeds(scheme: str) -> None:
    with pytest.raises(dedup.InvalidOptionError, match="seed"):
        dedup.MinHasher(seed=2**32, scheme=scheme)


def test_bytes_text_says_decode() -> None:
    mh = dedup.MinHasher(num_perm=8)
    with pytest.raises(dedup.InputTypeError, match="decode"):
        mh.signatures([b"raw bytes"])
    with pytest.raises(dedup.InputTypeError, match="decode") as info:
        mh.signatures(["fine", b"raw bytes"])
    assert "texts[1]" in str(info.value)
    assert isinstance(info.value, TypeError)


def test_a_single_str_is_not_a_batch() -> None:
    mh = dedup.MinHasher(num_perm=8)
    for single in ("one text", b"one text"):
        with pytest.raises(dedup.InputTypeError, match="sequence of str"):
            mh.signatures(single)  # type: ignore[arg-type]
    with pytest.raises(dedup.InputTypeError, match="list of shingles"):
        mh.signatures_from_shingles(["not a list"])  # type: ignore[list-item]


@pytest.mark.parametrize("bad", [None, 3, 4.5, ["nested"]])
def test_non_str_items_are_input_type_errors(bad: object) -> None:
    mh = dedup.MinHasher(num_perm=8)
    with pytest.raises(dedup.InputTypeError, match="must be str"):
        mh.signatures(["ok", bad])  # type: ignore[list-item]
    with pytest.raises(dedup.InputTypeError, match="str or bytes"):
        mh.signatures_from_shingles([["ok", bad]])  # type: ignore[list-item]


def test_non_iterable_is_a_type_error() -> None:
    mh = dedup.MinHasher(num_perm=8)
    with pytest.raises(TypeError):
        mh.signatures(42)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["\ud800", "ok \udfff then", "a\ud83d b"])
def test_lone_surrogates_give_a_clear_error(text: str) -> None:
    mh = dedup.MinHasher(num_perm=8)
    with pytest.raises(dedup.InvalidInputError, match="surrogate") as info:
        mh.signatures(["fine", text])
    assert "texts[1]" in str(info.value)
    with pytest.raises(dedup.InvalidInputError, match="surrogate"):
        mh.signatures_from_shingles([[text]])


def test_signatures_are_stable_for_a_fixed_seed() -> None:
    # Guard against silent changes to tokenisation or hashing: a change here changes
    # every stored signature, so it must be deliberate.
    texts = [*TEXTS, " ".join(TEXTS) * 20]
    digests = {}
    for unit in ("word", "char"):
        sh = dedup.Shingler(unit=unit, k=5)
        mh = dedup.MinHasher(num_perm=128, seed=1, shingler=sh)
        digests[unit] = hashlib.sha256(mh.signatures(texts).tobytes()).hexdigest()[:16]
    assert digests == GOLDEN_FAST_DIGESTS


GOLDEN_FAST_DIGESTS = {"word": "95ca7bf24c88385a", "char": "31e3609fced0fd53"}
