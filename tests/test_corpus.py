"""The `Corpus` contract: adding, removing, results, errors and persistence."""

from __future__ import annotations

import datetime as dt
import pickle
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dedup
from conftest import FERRY, HARBOUR, MERIDIAN, MUSEUM, RAIL, VALLEY, filler, page, wire
from dedup import Corpus


def small_corpus() -> Corpus:
    c = Corpus()
    c.add("f-wire", wire(FERRY), published="2024-03-05T06:00:00Z")
    c.add("f-harbour", page(HARBOUR, "Ferry hits reef", FERRY), source=HARBOUR.name)
    c.add("f-meridian", page(MERIDIAN, "Night evacuation at sea", FERRY), source=MERIDIAN.name)
    c.add("r-valley", page(VALLEY, "Drivers walk out", RAIL), source=VALLEY.name)
    c.add("r-wire", wire(RAIL))
    c.add("x-alone", page(VALLEY, "Orchard news", filler(1)), source=VALLEY.name)
    return c


def cluster_sets(c: Corpus) -> set[frozenset[str]]:
    return {frozenset(cl.ids) for cl in c.clusters()}


# -- adding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "published",
    [
        None,
        dt.datetime(2024, 3, 5, 6, 0, tzinfo=dt.UTC),
        dt.datetime(2024, 3, 5, 6, 0),
        "2024-03-05",
        "2024-03-05T06:00:00Z",
        "2024-03-05T08:00:00+02:00",
    ],
)
def test_add_accepts_datetime_iso_string_or_none(published: object) -> None:
    c = Corpus()
    c.add("a", wire(FERRY), source="nordwire", published=published)
    assert len(c) == 1
    assert "a" in c
    assert "b" not in c
    assert c.text("a") == wire(FERRY)


def test_add_many_with_custom_field_names_and_len_in_remove() -> None:
    c = Corpus()
    n = c.add_many(
        [
            {"key": "one", "body": wire(FERRY), "outlet": "nordwire", "when": "2024-03-05"},
            {"key": "two", "body": page(HARBOUR, "Ferry", FERRY), "outlet": HARBOUR.name},
            {"key": "three", "body": wire(MUSEUM), "when": None},
        ],
        id_field="key",
        text_field="body",
        source_field="outlet",
        published_field="when",
    )
    assert n == 3
    assert len(c) == 3
    assert c.ids == ["one", "two", "three"]
    assert {frozenset(cl.ids) for cl in c.clusters()} == {frozenset({"one", "two"})}
    c.remove("two")
    assert len(c) == 2
    assert "two" not in c
    assert c.clusters() == []
    with pytest.raises(dedup.UnknownIdError):
        c.remove("two")


def test_add_many_accepts_a_generator_across_batches() -> None:
    c = Corpus()
    recs = ({"id": f"p{i}", "text": " ".join(filler(i))} for i in range(7))
    assert c.add_many(recs, batch_size=3) == 7
    assert len(c) == 7


# -- results -----------------------------------------------------------------------------


def test_clusters_have_representative_first_and_valid_kind() -> None:
    c = small_corpus()
    clusters = c.clusters()
    assert cluster_sets(c) == {
        frozenset({"f-wire", "f-harbour", "f-meridian"}),
        frozenset({"r-valley", "r-wire"}),
    }
    for cl in clusters:
        assert cl.ids[0] == cl.representative
        assert len(cl) == len(cl.ids) == len(set(cl.ids))
        assert cl.kind in {"syndicated", "rewritten"}
    ferry = next(cl for cl in clusters if "f-wire" in cl.ids)
    assert ferry.representative == "f-wire"  # the only dated page
    assert ferry.kind == "syndicated"


def test_matches_are_symmetric_and_sorted() -> None:
    c = small_corpus()
    ms = c.matches("f-harbour")
    assert {m.other for m in ms} == {"f-wire", "f-meridian"}
    assert all(m.id == "f-harbour" for m in ms)
    assert [m.score for m in ms] == sorted((m.score for m in ms), reverse=True)
    back = {m.other for m in c.matches("f-wire")}
    assert "f-harbour" in back
    for pid in c.ids:
        for m in c.matches(pid):
            check_passages(c, m)  # offsets hold on both sides, flipped or not
    assert c.matches("x-alone") == []
    with pytest.raises(dedup.UnknownIdError):
        c.matches("nope")


def test_query_finds_copies_without_adding() -> None:
    c = small_corpus()
    before = (len(c), cluster_sets(c))
    text = page(VALLEY, "Islanders rescued from stricken ferry", FERRY)
    ms = c.query(text, source=VALLEY.name)
    assert {m.other for m in ms} == {"f-wire", "f-harbour", "f-meridian"}
    assert all(m.id == "" for m in ms)
    for m in ms:
        for p in m.passages:
            assert text[p.start : p.end] == p.text
            assert c.text(m.other)[p.other_start : p.other_end] == p.other_text
    assert c.query(" ".join(filler(42))) == []
    assert (len(c), cluster_sets(c)) == before


def check_passages(c: Corpus, m: dedup.Match) -> None:
    ta, tb = c.text(m.id), c.text(m.other)
    assert m.passages
    for p in m.passages:
        assert 0 <= p.start < p.end <= len(ta)
        assert 0 <= p.other_start < p.other_end <= len(tb)
        assert ta[p.start : p.end] == p.text
        assert tb[p.other_start : p.other_end] == p.other_text


def test_explain_returns_match_with_offsets_into_both_texts() -> None:
    c = small_corpus()
    m = c.explain("f-harbour", "f-meridian")
    assert m is not None
    assert (m.id, m.other, m.kind) == ("f-harbour", "f-meridian", "syndicated")
    assert 0.0 < m.score <= 1.0
    check_passages(c, m)
    assert c.explain("f-harbour", "r-valley") is None
    assert c.explain("f-harbour", "f-harbour") is None
    with pytest.raises(dedup.UnknownIdError):
        c.explain("f-harbour", "missing")


def test_a_flipped_match_is_the_relation_seen_from_the_other_page() -> None:
    c = small_corpus()
    m = c.explain("f-wire", "f-harbour")
    assert m is not None
    f = m.flipped()
    assert (f.id, f.other, f.kind, f.score) == ("f-harbour", "f-wire", m.kind, m.score)
    assert (f.coverage, f.other_coverage) == (m.other_coverage, m.coverage)
    assert (f.vocabulary, f.other_vocabulary) == (m.other_vocabulary, m.vocabulary)
    assert (f.runs, f.other_runs) == (m.other_runs, m.runs)
    same = ("containment", "jaccard", "shared_tokens")
    assert [getattr(f, k) for k in same] == [getattr(m, k) for k in same]
    assert [(p.start, p.other_start) for p in f.passages] == [
        (p.other_start, p.start) for p in m.passages
    ]
    check_passages(c, f)
    assert f.flipped() == m


# -- errors --------------------------------------------------------------------------------


def test_duplicate_id_leaves_corpus_unchanged() -> None:
    c = small_corpus()
    before = (c.ids, cluster_sets(c))
    with pytest.raises(dedup.DuplicateIdError) as e:
        c.add("f-wire", wire(MUSEUM))
    assert isinstance(e.value, ValueError)
    assert (c.ids, cluster_sets(c)) == before
    assert c.text("f-wire") == wire(FERRY)


def test_duplicate_third_record_of_a_batch_adds_none_of_it() -> None:
    c = small_corpus()
    before = (c.ids, cluster_sets(c))
    batch = [
        {"id": "new1", "text": wire(MUSEUM)},
        {"id": "new2", "text": page(HARBOUR, "Masks go home", MUSEUM)},
        {"id": "r-wire", "text": "a third record whose id is taken"},
        {"id": "new4", "text": "never reached"},
    ]
    with pytest.raises(dedup.DuplicateIdError):
        c.add_many(batch)
    assert (c.ids, cluster_sets(c)) == before
    # a duplicate inside the batch itself, too
    with pytest.raises(dedup.DuplicateIdError):
        c.add_many([{"id": "z", "text": "x"}, {"id": "q", "text": "y"}, {"id": "z", "text": "w"}])
    assert (c.ids, cluster_sets(c)) == before


def test_bytes_text_is_a_type_error_mentioning_decode() -> None:
    c = Corpus()
    with pytest.raises(dedup.InputTypeError, match="decode") as e:
        c.add("a", wire(FERRY).encode())
    assert isinstance(e.value, TypeError)
    with pytest.raises(dedup.InputTypeError, match="decode"):
        c.query(b"some bytes")
    assert len(c) == 0


def test_unknown_id_is_a_key_error() -> None:
    c = small_corpus()
    for call in (c.remove, c.text, c.article, c.matches):
        with pytest.raises(dedup.UnknownIdError) as e:
            call("missing")
        assert isinstance(e.value, KeyError)
        assert "missing" in str(e.value)


@pytest.mark.parametrize("bad", ["yesterday", "2024-13-45", "5 March 2024", "2024/03/05"])
def test_bad_published_string_is_invalid_input(bad: str) -> None:
    c = Corpus()
    with pytest.raises(dedup.InvalidInputError) as e:
        c.add("a", wire(FERRY), published=bad)
    assert isinstance(e.value, ValueError)
    assert len(c) == 0


# -- persistence -------------------------------------------------------------------------


def test_save_load_then_add_equals_building_from_scratch(tmp_path: Path) -> None:
    c = small_corpus()
    path = tmp_path / "corpus.dedup"
    c.save(path)
    loaded = Corpus.load(path)
    assert loaded.ids == c.ids
    assert [cl.ids for cl in loaded.clusters()] == [cl.ids for cl in c.clusters()]
    extra = [
        ("m-wire", wire(MUSEUM), None, "2024-03-06T09:00:00+01:00"),
        ("m-harbour", page(HARBOUR, "Masks return", MUSEUM), HARBOUR.name, None),
    ]
    for pid, text, src, pub in extra:
        loaded.add(pid, text, source=src, published=pub)
        c.add(pid, text, source=src, published=pub)
    fresh = small_corpus()
    for pid, text, src, pub in extra:
        fresh.add(pid, text, source=src, published=pub)
    want = [(cl.ids, cl.kind) for cl in fresh.clusters()]
    assert [(cl.ids, cl.kind) for cl in loaded.clusters()] == want
    assert [(cl.ids, cl.kind) for cl in c.clusters()] == want
    assert loaded.explain("m-wire", "m-harbour") == fresh.explain("m-wire", "m-harbour")


def test_load_of_truncated_file_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "c.dedup"
    small_corpus().save(path)
    data = path.read_bytes()
    for cut in (0, 5, 20, len(data) // 2, len(data) - 1):
        path.write_bytes(data[:cut])
        with pytest.raises(dedup.FileFormatError) as e:
            Corpus.load(path)
        assert isinstance(e.value, OSError)


def test_load_of_bit_flipped_file_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "c.dedup"
    small_corpus().save(path)
    data = bytearray(path.read_bytes())
    for pos in (0, 9, 13, len(data) // 2, len(data) - 2):
        flipped = bytearray(data)
        flipped[pos] ^= 0x10
        path.write_bytes(bytes(flipped))
        with pytest.raises(dedup.FileFormatError):
            Corpus.load(path)


def test_load_of_a_pickle_never_executes_it(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    path = tmp_path / "evil.dedup"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (marker.touch, ())

    path.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(dedup.FileFormatError):
        Corpus.load(path)
    assert not marker.exists()
    path.write_bytes(pickle.dumps({"id": "a", "text": "b"}))
    with pytest.raises(dedup.FileFormatError):
        Corpus.load(path)


@pytest.mark.parametrize(
    "records",
    [
        [{"not": "a page"}],
        [{"id": 5, "text": "an id that is not a string"}],
        [{"id": "a", "text": ["not", "a", "string"]}],
        [{"id": "a", "text": "x", "published": "not a date"}],
        [{"id": "a", "text": "x", "source": {"a": "mapping"}}],
        [{"id": "a", "text": "x"}, {"id": "a", "text": "the same id twice"}],
    ],
)
def test_load_of_well_framed_file_with_bad_records_is_a_format_error(
    tmp_path: Path, records: list[dict[str, object]]
) -> None:
    """Framing and checksum are fine but the records are not corpus records (a file
    from another program or a buggy writer): that is a damaged or foreign file."""
    from dedup import _store

    path = tmp_path / "odd.dedup"
    _store.write_records(path, _store.CORPUS_MAGIC, [{"options": {}}, *records])
    with pytest.raises(dedup.FileFormatError, match="record"):
        Corpus.load(path)


@pytest.mark.parametrize("header", [None, {"options": []}, {"options": {"k": "five"}}, {"x": 1}])
def test_load_without_a_valid_options_header_is_a_format_error(
    tmp_path: Path, header: dict[str, object] | None
) -> None:
    from dedup import _store

    path = tmp_path / "odd.dedup"
    records = [] if header is None else [header]
    _store.write_records(path, _store.CORPUS_MAGIC, [*records, {"id": "a", "text": "b"}])
    with pytest.raises(dedup.FileFormatError, match="options"):
        Corpus.load(path)


def test_options_survive_save_and_load(tmp_path: Path) -> None:
    c = Corpus(min_passage=10, coherence=False)
    c.add("a", "A page of its own.")
    c.save(tmp_path / "c.dedup")
    loaded = Corpus.load(tmp_path / "c.dedup")
    assert loaded._options == {"min_passage": 10.0, "coherence": 0.0}


@settings(max_examples=30, deadline=None)
@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
    st.one_of(st.none(), st.text(max_size=10).filter(lambda s: "\x00" not in s)),
)
def test_save_load_round_trips_any_text(tmp_path_factory, text: str, source: str | None) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("rt") / "c.dedup"
    c = Corpus()
    c.add(
        "weird\u2028id\n",
        text + "\u2028\r\n" + wire(FERRY),
        source=source,
        published="2024-01-02T03:04:05+05:30",
    )
    c.add("plain", page(HARBOUR, "Ferry", FERRY), source=HARBOUR.name)
    c.save(path)
    back = Corpus.load(path)
    assert back.ids == c.ids
    for pid in c.ids:
        assert back.text(pid) == c.text(pid)
        assert back._pages[pid].source == c._pages[pid].source
        assert back._pages[pid].published == c._pages[pid].published
    assert [cl.ids for cl in back.clusters()] == [cl.ids for cl in c.clusters()]


def test_remove_then_add_again_under_the_same_id() -> None:
    c = small_corpus()
    before = [(cl.ids, cl.kind) for cl in c.clusters()]
    text = c.text("f-harbour")
    c.remove("f-harbour")
    assert "f-harbour" not in c
    c.add("f-harbour", text, source=HARBOUR.name)
    assert [(cl.ids, cl.kind) for cl in c.clusters()] == before


def test_query_equals_matches_after_adding() -> None:
    """query(text) reports what matches() would after adding the text (invented corpus)."""
    recs = [
        ("f-wire", wire(FERRY), None),
        ("f-meridian", page(MERIDIAN, "Night evacuation at sea", FERRY), MERIDIAN.name),
        ("r-wire", wire(RAIL), None),
        ("r-valley", page(VALLEY, "Drivers walk out", RAIL), VALLEY.name),
        ("m-wire", wire(MUSEUM), None),
        ("x", page(VALLEY, "Local", filler(3)), VALLEY.name),
    ]
    new = page(HARBOUR, "Ferry hits reef", FERRY)
    c = Corpus()
    for pid, text, src in recs:
        c.add(pid, text, source=src)
    q = sorted((m.other, m.kind, round(m.score, 9)) for m in c.query(new, source=HARBOUR.name))
    c.add("new", new, source=HARBOUR.name)
    got = sorted((m.other, m.kind, round(m.score, 9)) for m in c.matches("new"))
    assert q == got
    assert {o for o, _, _ in q} == {"f-wire", "f-meridian"}


def test_load_of_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as e:
        Corpus.load(tmp_path / "nope.dedup")
    assert isinstance(e.value, dedup.DedupError)


# -- properties ---------------------------------------------------------------------------

ids = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ids, min_size=1, max_size=8, unique=True), st.data())
def test_add_remove_bookkeeping(page_ids: list[str], data: st.DataObject) -> None:
    c = Corpus()
    for n, pid in enumerate(page_ids):
        c.add(pid, " ".join(filler(n)))
    assert len(c) == len(page_ids)
    assert c.ids == page_ids
    gone = data.draw(st.lists(st.sampled_from(page_ids), unique=True))
    for pid in gone:
        c.remove(pid)
    left = [p for p in page_ids if p not in gone]
    assert c.ids == left
    assert all((p in c) == (p in left) for p in page_ids)
    assert c.clusters() == []


@settings(max_examples=30, deadline=None)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",)),
        max_size=200,
    )
)
def test_any_text_is_accepted_and_explain_offsets_hold(noise: str) -> None:
    c = Corpus()
    c.add("a", noise + "\n" + wire(FERRY))
    c.add("b", page(HARBOUR, "Ferry", FERRY) + "\n" + noise[::-1], source=HARBOUR.name)
    m = c.explain("a", "b")
    assert m is not None
    check_passages(c, m)


def test_threads_can_query_while_another_adds() -> None:
    """One thread adds pages in batches while others cluster, match and query: no
    error, no page lost, and every answer is consistent with some whole batch."""
    import threading

    c = Corpus(progress=False)
    c.add("wire", wire(FERRY))
    errors: list[BaseException] = []
    done = threading.Event()

    def writer() -> None:
        try:
            for n in range(30):
                c.add_many(
                    {"id": f"p{n}-{k}", "text": page(HARBOUR, "Reef", FERRY), "source": f"o{k}"}
                    for k in range(5)
                )
        except BaseException as e:
            errors.append(e)
        finally:
            done.set()

    def reader() -> None:
        try:
            while not done.is_set():
                clusters = c.clusters()
                assert all(len(cl.ids) % 5 == 1 for cl in clusters)  # wire + whole batches
                c.matches("wire")
                c.query(page(VALLEY, "Reef", FERRY))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=writer)] + [
        threading.Thread(target=reader) for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(c) == 151
    assert [len(cl.ids) for cl in c.clusters()] == [151]


def test_query_reports_every_identical_copy() -> None:
    """Identical articles are indexed through one page; a query still reports each copy,
    as matches() does once the text is added, whether the query is a copy itself or a
    light edit of the story."""
    c = Corpus(progress=False)
    for n, outlet in enumerate((HARBOUR, MERIDIAN, VALLEY)):
        c.add(f"copy{n}", page(outlet, "Ferry hits reef", FERRY), source=outlet.name)
    c.add("wire", wire(RAIL))
    edited = [FERRY[0].replace("late on Tuesday", "on Tuesday night"), *FERRY[1:]]
    for name, body in (("same", FERRY), ("edited", edited)):
        text = wire(body)
        q = {m.other for m in c.query(text)}
        assert q == {"copy0", "copy1", "copy2"}, name
        c.add(name, text)
        assert {m.other for m in c.matches(name)} - {"same"} == q, name
        c.remove(name)


def test_a_corpus_without_texts_finds_the_same_stories_and_says_why_text_is_missing() -> None:
    keeping, bare = small_corpus(), Corpus(keep_texts=False)
    for pid in keeping.ids:
        p = keeping._page(pid)
        bare.add(pid, keeping.text(pid), source=p.source, published=p.published)
    assert [c.ids for c in bare.clusters()] == [c.ids for c in keeping.clusters()]
    for pid in keeping.ids:
        want = [(m.other, m.kind, m.score, m.coverage) for m in keeping.matches(pid)]
        got = bare.matches(pid)
        assert [(m.other, m.kind, m.score, m.coverage) for m in got] == want
        assert all(m.passages == [] for m in got)
    with pytest.raises(dedup.DedupError, match="keep_texts=False"):
        bare.text("f-wire")
    with pytest.raises(dedup.InputTypeError, match="keep_texts"):
        Corpus(keep_texts="no")  # type: ignore[arg-type]
