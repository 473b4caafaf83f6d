"""The stories as a table, one row per page: plain columns, a ``pyarrow.Table`` or a
``pandas.DataFrame``, to join back to the input on ``id``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dedup._core import Relation
from dedup._page import Page
from dedup.errors import MissingDependencyError
from dedup.io import _pyarrow
from dedup.results import MATCH_COLUMNS, Cluster

COLUMNS = ("id", "cluster_id", "is_representative", "kind", "source", "published")


def cluster_table(pages: Iterable[Page], clusters: list[Cluster]) -> dict[str, list[Any]]:
    """One row per page of `pages`, in their order; ``cluster_id`` is the story's
    position in `clusters` (None for pages in no story)."""
    where: dict[str, tuple[int | None, Cluster | None]] = {}
    for number, story in enumerate(clusters):
        for pid in story.ids:
            where[pid] = (number, story)
    cols: dict[str, list[Any]] = {k: [] for k in COLUMNS}
    for p in pages:
        n, c = where.get(p.id, (None, None))
        cols["id"].append(p.id)
        cols["cluster_id"].append(n)
        cols["is_representative"].append(c is not None and c.representative == p.id)
        cols["kind"].append(c.kind if c is not None else None)
        cols["source"].append(p.source)
        cols["published"].append(p.published)
    return cols


def match_table(
    relations: list[Relation], measured: list[Relation | None], by_slot: Mapping[int, Page]
) -> dict[str, list[Any]]:
    """One row per verified relation, side ``id`` first: its kind and score (those
    clustering used) and the figures `measured` gives for it (`NewsCorpus.measure`),
    as in `Match` without passages and Jaccard."""
    cols: dict[str, list[Any]] = {k: [] for k in MATCH_COLUMNS}
    nan = float("nan")
    for r, m in zip(relations, measured, strict=True):
        # Measured between identical copies of the two pages when they are not
        # related themselves (`NewsCorpus.explain_copies`): those are the ids.
        a, b = (m.a, m.b) if m is not None else (r.a, r.b)
        cols["id"].append(by_slot[a].id)
        cols["other"].append(by_slot[b].id)
        cols["kind"].append(r.kind)
        cols["score"].append(r.score)
        # A relation clustering found is measured again as `explain` measures it;
        # should that ever refuse it, its shares are unknown rather than made up.
        cols["coverage"].append(m.coverage_a if m else nan)
        cols["other_coverage"].append(m.coverage_b if m else nan)
        cols["vocabulary"].append(m.vocabulary_a if m else nan)
        cols["other_vocabulary"].append(m.vocabulary_b if m else nan)
        cols["runs"].append(m.runs_a if m else nan)
        cols["other_runs"].append(m.runs_b if m else nan)
        cols["containment"].append(r.containment)
        cols["shared_tokens"].append(r.shared_tokens)
    return cols


# The tables below are made by a callable, called once the packages they need are
# found: a missing package is reported before the corpus is clustered.
Table = Callable[[], dict[str, list[Any]]]


def to_arrow(table: Table) -> Any:
    """The table `table()` makes as a ``pyarrow.Table`` with a fixed schema."""
    pa = _pyarrow("Corpus.to_arrow()")
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("cluster_id", pa.int64()),
            ("is_representative", pa.bool_()),
            ("kind", pa.string()),
            ("source", pa.string()),
            ("published", pa.timestamp("us", tz="UTC")),
        ]
    )
    return pa.table(table(), schema=schema)


def to_pandas(table: Table) -> Any:
    """The table `table()` makes as a ``pandas.DataFrame``, ``cluster_id`` a nullable
    ``Int64`` column."""
    try:
        import pandas as pd
    except ImportError:
        raise MissingDependencyError(
            "Corpus.to_pandas() needs pandas: pip install pandas 'dedup[arrow]'"
        ) from None
    arrow = to_arrow(table)
    import pyarrow as pa

    return arrow.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
