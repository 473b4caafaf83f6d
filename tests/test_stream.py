"""Stream mode: `add(..., match=True)` and a sliding `window` over publication times."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import FERRY, HARBOUR, MERIDIAN, MUSEUM, RAIL, VALLEY, filler, page, shared_dir, wire
from dedup import Corpus, DuplicateIdError, InputTypeError, InvalidOptionError

T0 = dt.datetime(2024, 3, 5, 6, 0, tzinfo=dt.UTC)


def test_add_with_match_returns_what_query_returns_then_adds() -> None:
    c = Corpus()
    c.add("f-wire", wire(FERRY))
    c.add("f-harbour", page(HARBOUR, "Ferry hits reef", FERRY), source=HARBOUR.name)
    c.add("r-valley", page(VALLEY, "Drivers walk out", RAIL), source=VALLEY.name)
    text = page(MERIDIAN, "Night evacuation at sea", FERRY)
    want = c.query(text, source=MERIDIAN.name)
    got = c.add("f-meridian", text, source=MERIDIAN.name, match=True)
    assert [(m.other, m.kind, m.score) for m in got] == [(m.other, m.kind, m.score) for m in want]
    assert {m.other for m in got} == {"f-wire", "f-harbour"}
    assert all(m.id == "f-meridian" for m in got)
    for m in got:
        for p in m.passages:
            assert text[p.start : p.end] == p.text
            assert c.text(m.other)[p.other_start : p.other_end] == p.other_text
    assert "f-meridian" in c
    assert c.add("x", page(VALLEY, "Orchard news", filler(3)), match=True) == []
    # Without `match`, add returns nothing, as before.
    assert c.add("y", wire(MUSEUM)) is None


def test_a_stream_finds_a_copy_of_the_page_added_just_before() -> None:
    # Pages added since the statistics were built are compared too.
    c = Corpus()
    for n in range(80):
        c.add(f"filler-{n}", page(VALLEY, f"Story {n}", filler(n)), source=VALLEY.name)
    assert c.add("m-wire", wire(MUSEUM), match=True) == []
    got = c.add(
        "m-harbour", page(HARBOUR, "Museum reopens", MUSEUM), source=HARBOUR.name, match=True
    )
    assert [m.other for m in got] == ["m-wire"]
    assert got[0].kind == "syndicated"


def test_add_with_match_of_a_duplicate_id_changes_nothing() -> None:
    c = Corpus()
    c.add("a", wire(FERRY))
    with pytest.raises(DuplicateIdError):
        c.add("a", wire(RAIL), match=True)
    assert len(c) == 1 and c.text("a") == wire(FERRY)


def test_stream_matches_agree_with_the_exact_relations_on_dev() -> None:
    d = shared_dir("data", "wirebench-dev")
    with open(d / "docs.jsonl", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    with open(d / "truth.jsonl", encoding="utf-8") as f:
        story = {t["id"]: t["story"] for t in map(json.loads, f)}
    full = Corpus()
    full.add_many(docs)
    exact = {frozenset((m.id, m.other)) for m in full.all_matches()}
    c = Corpus()
    streamed = set()
    for doc in docs:
        for m in c.add(doc["id"], doc["text"], source=doc["source"], match=True):
            streamed.add(frozenset((m.id, m.other)))
    missed = exact - streamed
    wrong = [p for p in streamed - exact if len({story[i] for i in p}) > 1]
    # Early pages are matched before the corpus knows every outlet's chrome; the
    # answers still stay close to those of the whole corpus analysed at once.
    assert len(missed) <= 0.02 * len(exact), sorted(map(sorted, missed))
    assert len(wrong) <= 0.02 * len(exact), sorted(map(sorted, wrong))


def test_window_evicts_pages_older_than_the_window_before_the_newest() -> None:
    c = Corpus(window=dt.timedelta(hours=24))
    c.add("undated", wire(RAIL))
    for h in range(100):
        c.add(f"p{h}", " ".join(filler(h)), published=T0 + dt.timedelta(hours=h))
    # The clock is hour 99: pages from hour 75 on are within 24 hours of it.
    assert sorted(c.ids) == sorted(["undated", *(f"p{h}" for h in range(75, 100))])
    # A late page older than the window is evicted as soon as it is added.
    c.add("late", wire(FERRY), published=T0)
    assert "late" not in c
    # Seconds work as well as a timedelta.
    assert len(Corpus(window=3600.0)) == 0


def test_an_evicted_page_is_not_matched() -> None:
    c = Corpus(window=dt.timedelta(days=2))
    c.add("old", wire(FERRY), published=T0)
    c.add("recent", wire(RAIL), published=T0 + dt.timedelta(days=1))
    copy = page(HARBOUR, "Ferry hits reef", FERRY)
    got = c.add("copy", copy, source=HARBOUR.name, published=T0 + dt.timedelta(days=3), match=True)
    assert got == []
    assert "old" not in c and "recent" in c


def test_a_long_stream_runs_in_bounded_slots() -> None:
    # Evicted pages leave empty slots in the core; they are compacted away.
    c = Corpus(window=dt.timedelta(hours=1))
    for n in range(30_000):
        c.add(f"p{n}", f"page {n} of the stream", published=T0 + dt.timedelta(minutes=n))
    assert len(c) == 61
    assert c._core.slots() <= 2 * 10_000 + 61
    assert c.text("p29999") == "page 29999 of the stream"
    assert c.clusters() == []


def test_a_long_stream_keeps_its_text_file_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # Texts of evicted pages are dropped from the temporary text file too.
    import dedup._storage

    monkeypatch.setattr(dedup._storage, "SPILL_COMPACT_BYTES", 10_000)
    c = Corpus(window=dt.timedelta(hours=1))
    text = "page {} of a stream that goes on for a long time, with some words in it"
    for n in range(5_000):
        c.add(f"p{n}", text.format(n), published=T0 + dt.timedelta(minutes=n))
    assert c._storage.size < 3 * 61 * len(text) + 10_000
    assert [c.text(f"p{n}") for n in range(4_939, 5_000)] == [
        text.format(n) for n in range(4_939, 5_000)
    ]


@pytest.mark.parametrize("bad", [-5, 0, dt.timedelta(0)])
def test_window_must_be_positive(bad: object) -> None:
    with pytest.raises(InvalidOptionError, match="positive"):
        Corpus(window=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["1 day", True, [1]])
def test_window_must_be_a_timedelta_or_seconds(bad: object) -> None:
    with pytest.raises(InputTypeError, match="timedelta"):
        Corpus(window=bad)  # type: ignore[arg-type]
