"""Stories and matches: `Cluster` and `Match` objects from what the core returns.

The core's `analyze` finds the verified relations between pages (by slot) and the
groups of slots that carry one story, and keeps the relations, which it hands out
on demand. This module orders each group (its representative first), names its
kind, and sorts the stories; and it turns a relation into a `Match`, mapping its
passages from token ranges to character offsets into the pages' texts.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, cast

from dedup import _progress
from dedup._core import Analysis as CoreAnalysis
from dedup._core import NewsCorpus, Relation
from dedup._core import passage_offsets as _passage_offsets
from dedup._ingest import no_gc
from dedup._page import Page, order_key
from dedup.errors import DedupWarning
from dedup.results import Cluster, Match, Passage


@dataclass(frozen=True)
class Analysis:
    """One analysis of the corpus: what the core found (the verified relations,
    without passages, and each page's) and the stories."""

    found: CoreAnalysis
    clusters: list[Cluster]


def analyze(core: NewsCorpus, by_slot: Mapping[int, Page], show: bool | None) -> Analysis:
    """Runs candidates, verification and clustering in the core, then assembles the
    stories, largest first (ties: earliest representative first)."""
    with no_gc(), _progress.Bar(show, desc=f"verifying and clustering {len(by_slot)} pages") as bar:
        # One call into the core does candidates, verification and clustering; the
        # bar shows its time, then counts the stories as they are assembled.
        found = core.analyze()
        groups, refused = found.groups, found.refused_oversized
        bar.set_description(f"assembling {len(groups)} stories")
        bar.reset(total=len(groups))
        if refused:
            warnings.warn(
                f"{refused} merges were refused because a story would have grown past "
                "the cluster size limit; the pages stay in smaller clusters",
                DedupWarning,
                stacklevel=4,
            )
        stories: list[tuple[Cluster, tuple[float, str]]] = []
        for g, rewritten in zip(groups, found.rewritten, strict=True):
            # Each page's order key once (a million pages make the keys count).
            keyed = sorted(((order_key(by_slot[s]), by_slot[s]) for s in g), key=_first)
            first_key, first = keyed[0]
            if first.published is not None:
                # The earliest published page (undated pages sort last).
                rep, rep_key = first, first_key
            else:
                rep = representative(core, [p for _, p in keyed])
                rep_key = order_key(rep)
            ordered = [rep, *(p for _, p in keyed if p is not rep)]
            story = Cluster(
                ids=[p.id for p in ordered],
                representative=rep.id,
                # Syndicated when every verified relation inside the story is a
                # near-verbatim copy.
                kind="rewritten" if rewritten else "syndicated",
                sources=[p.source for p in ordered],
            )
            stories.append((story, rep_key))
            bar.update()
        # Sorted with the collector still paused: the keys are tens of thousands
        # of new tuples, and each collection they set off walked every page.
        stories.sort(key=lambda sr: (-len(sr[0].ids), sr[1]))
        clusters = [story for story, _ in stories]
    return Analysis(found, clusters)


def _first(pair: tuple[tuple[float, str], Page]) -> tuple[float, str]:
    return pair[0]


def representative(core: NewsCorpus, pages: list[Page]) -> Page:
    """The earliest published page; else the bare wire text (the page chrome removal
    kept most of); else the longest."""
    dated = [p for p in pages if p.published is not None]
    if dated:
        return min(dated, key=order_key)

    def key(p: Page) -> tuple[float, int, str]:
        share = core.article_share(p.slot)
        return (-round(share, 2), -p.chars, p.id)

    return min(pages, key=key)


TextOf = Callable[[Page], str]


def match(rel: Relation, a: Page | None, b: Page, text_of: TextOf, query_text: str = "") -> Match:
    """The `Match` of relation `rel` from page `a` (None: the text of a query) to
    page `b`, its passages as offsets into both texts."""
    # Pages added as features only have no text: their matches have no passages.
    known = (a is None or a.has_text) and b.has_text
    ta = (text_of(a) if a is not None else query_text) if known else ""
    tb = text_of(b) if known else ""
    # The core gives passages as token ranges; map them to this text's offsets.
    offsets = _passage_offsets(ta, tb, rel.passages) if rel.passages and known else []
    return Match(
        id=a.id if a is not None else "",
        other=b.id,
        kind=cast('Literal["syndicated", "rewritten"]', rel.kind),
        score=rel.score,
        coverage=rel.coverage_a,
        other_coverage=rel.coverage_b,
        vocabulary=rel.vocabulary_a,
        other_vocabulary=rel.vocabulary_b,
        runs=rel.runs_a,
        other_runs=rel.runs_b,
        containment=rel.containment,
        jaccard=rel.jaccard,
        shared_tokens=rel.shared_tokens,
        passages=[Passage(s0, e0, s1, e1, ta[s0:e0], tb[s1:e1]) for s0, e0, s1, e1 in offsets],
    )


def strongest_first(matches: list[Match]) -> list[Match]:
    matches.sort(key=lambda m: (-m.score, m.other))
    return matches


def matches_of(
    core: NewsCorpus, analysis: Analysis, by_slot: Mapping[int, Page], slot: int, text_of: TextOf
) -> list[Match]:
    """The matches of the page in `slot`, strongest first."""
    # Pages with identical articles are verified once, through the first of them; a
    # page's matches are those of all its identical copies, each verified against
    # this page so that offsets refer to its own text.
    copies = core.identical(slot)
    others = set(copies)
    for s in copies:
        for o in analysis.found.partners(s):
            # The other side stands for all pages with its article too.
            others.update(core.identical(o))
    others.discard(slot)
    out = []
    for o in others:
        rel = core.explain(slot, o)
        if rel is not None:
            out.append(match(rel, by_slot[slot], by_slot[o], text_of))
    return strongest_first(out)


def all_matches(
    core: NewsCorpus, analysis: Analysis, by_slot: Mapping[int, Page], text_of: TextOf
) -> list[Match]:
    """Every verified relation of `analysis` as a `Match`, with its passages."""
    out = []
    for a, b in analysis.found.pairs():
        # `analyze` leaves passages out; the same verification gives them (between
        # identical copies of the two pages if they are not related themselves).
        full = core.explain_copies(a, b)
        if full is not None:
            out.append(match(full, by_slot[full.a], by_slot[full.b], text_of))
    return out
