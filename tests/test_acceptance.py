"""Acceptance on the shared seed pages and the wirebench dev split.

The texts are read from ../shared at test time and never copied into the repository;
the tests skip when ../shared is absent.
"""

from __future__ import annotations

import importlib
import itertools
import json
import random
import re
import sys
from functools import cache
from types import ModuleType

import pytest

from conftest import shared_dir
from dedup import Corpus

TRUE_STORY = ("000", "001", "002")
OPENING = "\u201c\"\u00ab\u201e'"
CLOSING = "\u201d\"\u00bb'"


@cache
def seed_corpus() -> Corpus:
    d = shared_dir("seeds")
    meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    c = Corpus()
    for name, m in sorted(meta.items()):
        text = (d / name).read_text(encoding="utf-8")
        c.add(name[:3], text, source=m["source"], published=m["published"])
    return c


def test_seeds_form_exactly_one_story() -> None:
    c = seed_corpus()
    clusters = c.clusters()
    assert [sorted(cl.ids) for cl in clusters] == [list(TRUE_STORY)]
    for pid in ("003", "004"):
        assert c.matches(pid) == []
        for other in TRUE_STORY:
            assert c.explain(pid, other) is None


def words(s: str) -> list[str]:
    return re.findall(r"\w+", s.lower())


def is_quoted(text: str, start: int, end: int) -> bool:
    """The passage opens right after an opening quotation mark and a closing mark
    ends it or follows it closely: it is (part of) a quotation."""
    before = text[max(0, start - 3) : start].rstrip()
    after = text[start : min(len(text), end + 3)]
    return bool(before) and before[-1] in OPENING and any(q in after for q in CLOSING)


def ngrams(ws: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(ws[i : i + n]) for i in range(len(ws) - n + 1)}


def test_the_shared_wire_quote_is_a_passage_of_every_true_pair() -> None:
    """Each true pair shares a quotation of at least 15 words (the KCNA quote), and it
    is the same quotation in all three pairs."""
    c = seed_corpus()
    quoted_runs = []
    for a, b in itertools.combinations(TRUE_STORY, 2):
        m = c.explain(a, b)
        assert m is not None, (a, b)
        ta, tb = c.text(a), c.text(b)
        quotes = [
            p
            for p in m.passages
            if len(words(p.text)) >= 15
            and is_quoted(ta, p.start, p.end)
            and is_quoted(tb, p.other_start, p.other_end)
        ]
        assert quotes, (a, b, m.passages)
        for p in quotes:
            assert ta[p.start : p.end] == p.text
            assert tb[p.other_start : p.other_end] == p.other_text
            assert words(p.text) == words(p.other_text)
        quoted_runs.append(set().union(*(ngrams(words(p.text), 12) for p in quotes)))
    assert set.intersection(*quoted_runs), "the three pairs quote different things"


# -- wirebench -----------------------------------------------------------------------------


@cache
def scorer() -> ModuleType:
    tools = shared_dir("tools", "score_clusters.py").parent
    sys.path.insert(0, str(tools))
    try:
        return importlib.import_module("score_clusters")
    finally:
        sys.path.remove(str(tools))


@cache
def wirebench() -> tuple[Corpus, list[list[str]]]:
    d = shared_dir("data", "wirebench-dev")
    c = Corpus()
    with open(d / "docs.jsonl", encoding="utf-8") as f:
        c.add_many(json.loads(line) for line in f if line.strip())
    return c, [cl.ids for cl in c.clusters()]


def test_wirebench_dev_scores() -> None:
    d = shared_dir("data", "wirebench-dev")
    _, clusters = wirebench()
    s = scorer().score(str(d), clusters)
    summary = scorer().fmt(s)
    assert s["precision"] >= 0.98, summary
    assert s["f1"] >= 0.97, summary
    assert s["recall_by_kind"].get("heavy", 0.0) >= 0.9, summary


def test_wirebench_clusters_never_mix_unrelated_stories() -> None:
    d = shared_dir("data", "wirebench-dev")
    truth, related = scorer().load_truth(str(d))
    _, clusters = wirebench()
    bad = []
    for ids in clusters:
        stories = sorted({truth[i]["story"] for i in ids})
        for x, y in itertools.combinations(stories, 2):
            if (x, y) not in related and (y, x) not in related:
                bad.append((x, y, ids))
    assert not bad, bad[:5]


def test_wirebench_clusters_are_disjoint_and_known() -> None:
    c, clusters = wirebench()
    seen: set[str] = set()
    for ids in clusters:
        assert len(ids) >= 2
        assert not seen & set(ids)
        seen |= set(ids)
        assert all(i in c for i in ids)


def wirebench_records() -> list[dict[str, str]]:
    d = shared_dir("data", "wirebench-dev")
    with open(d / "docs.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def summary(c: Corpus) -> list[tuple[str, tuple[str, ...], str]]:
    return sorted((cl.representative, tuple(sorted(cl.ids)), cl.kind) for cl in c.clusters())


def test_wirebench_explain_is_symmetric() -> None:
    c, _ = wirebench()
    pairs = sorted({tuple(sorted((m.id, m.other))) for pid in c.ids for m in c.matches(pid)})
    assert pairs
    differ = []
    for a, b in pairs:
        x, y = c.explain(a, b), c.explain(b, a)
        kx = None if x is None else (x.kind, x.shared_tokens, round(x.score, 9))
        ky = None if y is None else (y.kind, y.shared_tokens, round(y.score, 9))
        if kx != ky:
            differ.append((a, b, kx, ky))
    assert not differ, differ


def test_wirebench_clusters_do_not_depend_on_insertion_order() -> None:
    recs = wirebench_records()
    base = summary(wirebench()[0])
    for seed in range(3):
        shuffled = list(recs)
        random.Random(seed).shuffle(shuffled)
        c = Corpus()
        c.add_many(shuffled)
        assert summary(c) == base, f"shuffle seed {seed}"


def test_wirebench_remove_equals_building_without() -> None:
    recs = wirebench_records()
    gone = {r["id"] for r in random.Random(5).sample(recs, 30)}
    c = Corpus()
    c.add_many(recs)
    for pid in sorted(gone):
        c.remove(pid)
    fresh = Corpus()
    fresh.add_many(r for r in recs if r["id"] not in gone)
    assert summary(c) == summary(fresh)


def test_shared_dir_skips_cleanly_when_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="absent"):
        shared_dir("no-such-folder-here")


def test_shared_dir_fails_when_absent_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        shared_dir("no-such-folder-here")
