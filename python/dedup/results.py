"""What a `Corpus` finds: stories (`Cluster`), verified relations between two pages
(`Match`) and the passages they share (`Passage`).

These are plain frozen dataclasses with no reference to the corpus that made them,
so they can be kept, compared, pickled or sent elsewhere after the corpus is gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

__all__ = ["MATCH_COLUMNS", "Cluster", "Match", "Passage"]


@dataclass(frozen=True)
class Passage:
    """A passage two pages share, as character offsets into each original text."""

    start: int
    end: int
    other_start: int
    other_end: int
    text: str
    other_text: str

    def flipped(self) -> Passage:
        """The same passage seen from the other page."""
        return Passage(
            self.other_start, self.other_end, self.start, self.end, self.other_text, self.text
        )


@dataclass(frozen=True)
class Match:
    """A verified relation from page `id` to page `other`.

    `coverage` is the share of this page's article that comes from the other page:
    its tokens, weighed by how rare each word is in the corpus, that lie in runs of
    two or more words the two articles share (reworded text between the runs does
    not count). `other_coverage` is the same share of the other page's article.
    "How much of this article is wire copy?" is `coverage` of its match to the wire.

    `kind` is ``syndicated`` when the shorter article is a near-verbatim copy: at
    least 80% of it lies in long shared passages (runs holding six or more rare
    words). Otherwise it is ``rewritten``: at least 40% of one article's content
    comes from the other, however short the shared runs (a brief cut and reworded
    from a wire story), or the two share a long passage or quote. `score` grows
    from 0.5 (related) to 1 (one article wholly derived from the other).
    `containment` is the older, verbatim measure: rare words in long shared
    passages over the shorter article's words.
    """

    id: str
    other: str
    kind: Literal["syndicated", "rewritten"]
    score: float
    coverage: float
    other_coverage: float
    vocabulary: float
    other_vocabulary: float
    runs: float
    other_runs: float
    containment: float
    jaccard: float
    shared_tokens: int
    passages: list[Passage] = field(repr=False)

    def flipped(self) -> Match:
        """The same relation from page `other` to page `id`: the two sides of every
        figure and passage swapped."""
        sides = {}
        for a, b in _SIDES:
            sides[a], sides[b] = getattr(self, b), getattr(self, a)
        return replace(self, passages=[p.flipped() for p in self.passages], **sides)


# The fields of `Match` that come in pairs, one for each page.
_SIDES = (
    ("id", "other"),
    ("coverage", "other_coverage"),
    ("vocabulary", "other_vocabulary"),
    ("runs", "other_runs"),
)


@dataclass(frozen=True)
class Cluster:
    """Pages that carry one story, representative first."""

    ids: list[str]
    representative: str
    kind: Literal["syndicated", "rewritten"]
    sources: list[str | None] = field(repr=False)

    def __len__(self) -> int:
        return len(self.ids)


#: The columns of `Corpus.match_table` and `dedup.spark.matches`, in order: a
#: `Match` without its passages and Jaccard.
MATCH_COLUMNS = (
    "id",
    "other",
    "kind",
    "score",
    "coverage",
    "other_coverage",
    "vocabulary",
    "other_vocabulary",
    "runs",
    "other_runs",
    "containment",
    "shared_tokens",
)
