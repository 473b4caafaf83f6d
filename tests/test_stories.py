"""Stories from verified relations: a page tied strongly to one story and weakly to
another joins the first (issue 11, item 3). Invented pages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from dedup import Corpus

DAM = [
    "Engineers began a full inspection of the Varnholt dam on Monday after a survey found "
    "cracks in two of its spillway gates, the regional water authority said.",
    "The authority lowered the reservoir by three metres as a precaution and said the "
    "villages below the dam were not in danger.",
    "The dam, completed in 1961, supplies drinking water to about 180,000 people and "
    "generates power for the valley's paper mills.",
    "Repairs to the gates are expected to take six weeks and will cost an estimated 4.2 "
    "million crowns, officials told a briefing in Ostervik.",
    "Local farmers said they had been told to expect lower irrigation flows until the work "
    "is finished in early autumn.",
]
FERRY = [
    "A ferry carrying 212 passengers ran aground off the island of Kessa late on Saturday, "
    "and all on board were taken ashore by lifeboats, the coast guard said.",
    "The vessel struck a sandbank in fog about two kilometres from the harbour, according "
    "to a statement from the coast guard's northern command.",
    "Salvage teams will try to refloat the ferry at high tide on Monday, the operator Kessa "
    "Lines said in a brief statement.",
    "Services between the island and the mainland were suspended for the rest of the "
    "weekend while inspectors checked the hull.",
]
QUOTE = (
    '"We had to move every passenger off in under an hour because the tide was turning '
    'against us," said harbour master Ilse Brandt.'
)
# Small changes to R's first sentence: they change the order in which the clustering
# numbers its items, on which ties between equally dense merges used to be broken.
WHEN = [
    "this week",
    "on Monday morning",
    "early on Monday",
    "at dawn on Monday",
    "on the first of the month",
    "after the weekend",
    "late on Sunday",
    "on Tuesday",
    "overnight",
    "yesterday",
]


def page(outlet: str, title: str, paras: list[str]) -> str:
    return "\n".join([f"{outlet} | Home | News | Sport", title, *paras, f"Copyright {outlet}"])


@pytest.mark.parametrize("when", WHEN)
def test_a_page_joins_the_story_it_is_tied_to_strongly_not_one_it_quotes(when: str) -> None:
    # Story A: a wire text and two verbatim copies (one item of three identical
    # articles). R rewrites A (related to each at about 0.99) and also prints one
    # quote that two of story B's four pages carry (related at about 0.6). With all
    # relations weighing the same, R tied with A and with B's pages at density 1,
    # and ties went by item number: R could end up in B, apart from its own story.
    c = Corpus()
    c.add("a-wire", "\n".join(DAM))
    c.add(
        "a-copy1",
        page("Harbour Herald", "Dam inspection after cracks found", DAM),
        source="Harbour Herald",
    )
    c.add("a-copy2", page("Valley Post", "Cracks found in Varnholt dam", DAM), source="Valley Post")
    r = [DAM[0].replace("on Monday", when), *DAM[1:4], QUOTE]
    c.add("r", page("Morning Star", "Dam cracks; ferry rescue", r), source="Morning Star")
    c.add(
        "b1",
        page("Kessa Daily", "Ferry aground", [FERRY[0], QUOTE, *FERRY[1:]]),
        source="Kessa Daily",
    )
    c.add(
        "b2",
        page("Island Times", "Passengers rescued", [*FERRY[:2], QUOTE, FERRY[2]]),
        source="Island Times",
    )
    c.add("b3", page("Coast Courier", "Ferry on sandbank", FERRY), source="Coast Courier")
    c.add(
        "b4", page("North Wire", "Kessa ferry", [FERRY[0], FERRY[1], FERRY[3]]), source="North Wire"
    )
    # the relations are as described
    strong = c.explain("r", "a-wire")
    weak = c.explain("r", "b1")
    assert strong is not None and weak is not None and strong.score > weak.score
    assert c.explain("r", "b3") is None
    stories = sorted(sorted(s.ids) for s in c.clusters())
    assert stories == [["a-copy1", "a-copy2", "a-wire", "r"], ["b1", "b2", "b3", "b4"]]


def test_the_cores_index_of_relations_agrees_with_the_relations(tmp_path: Path) -> None:
    # The core keeps the relations of an analysis and answers, per page, which
    # pages it relates to, and per story whether it holds a rewritten relation;
    # checked against the obvious computation from the full list, on generated
    # stories of every copy kind (benches/make_wirebench_like.py).
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benches"))
    from make_wirebench_like import generate

    generate(tmp_path, seed=11, n_stories=120, mix="random")
    with open(tmp_path / "docs.jsonl", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]
    c = Corpus()
    c.add_many(docs)
    found = c._core.analyze()
    rels = found.relations()
    assert len(found) == len(rels) > 100
    assert found.pairs() == sorted((r.a, r.b) for r in rels)
    assert {r.kind for r in rels} == {"syndicated", "rewritten"}
    slots = {s for r in rels for s in (r.a, r.b)} | {max(s for r in rels for s in (r.a, r.b)) + 1}
    for s in slots:
        want = sorted(r.b if r.a == s else r.a for r in rels if s in (r.a, r.b))
        assert sorted(found.partners(s)) == want, s
    story_of = {s: n for n, g in enumerate(found.groups) for s in g}
    want_rewritten = [False] * len(found.groups)
    for r in rels:
        if r.kind == "rewritten" and story_of.get(r.a, -1) == story_of.get(r.b, -2):
            want_rewritten[story_of[r.a]] = True
    assert found.rewritten == want_rewritten
    assert any(want_rewritten) and not all(want_rewritten)
