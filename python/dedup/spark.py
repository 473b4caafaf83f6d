"""Spark: the news pipeline over pages held in a PySpark (>= 4) DataFrame.

``pip install 'dedup[spark]'`` adds PySpark and pyarrow; `dedup` itself must be
importable on the executors too. No JVM package is downloaded at run time.

`cluster` gives exactly the stories `dedup.Corpus` finds on the same pages, with
every stage on the executors: they tokenise the texts into compact features
(`mapInArrow`), then each global count of the pipeline (lines an outlet repeats,
near-duplicate groups, k-gram frequencies, word weights, candidate buckets) is a
Spark aggregation, and each per-page step (chrome removal, coherence,
verification) runs the Rust core's piece for one page on the rows joined to the
counts it reads. Stories are clustered per connected component of the relations.
The driver holds plans and small aggregates, not pages. `matches` runs the same
stages, then measures each relation in full on the executors.
`connected_components` finds the connected components of an edge DataFrame with
the large-star/small-star rounds of Kiveris et al. (2014), all in Spark.
docs/spark.md says what runs where, what it costs, and how to run it on a
cluster."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dedup import _spark_stages as stages
from dedup import results
from dedup._spark_graph import components
from dedup.errors import (
    InputTypeError,
    InvalidInputError,
    InvalidOptionError,
    MissingDependencyError,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["MATCH_COLUMNS", "RESULT_COLUMNS", "cluster", "connected_components", "matches"]

#: The columns `cluster` adds to the input rows.
RESULT_COLUMNS = ("cluster_id", "is_representative", "kind")

#: The columns of the frame `matches` returns.
MATCH_COLUMNS = results.MATCH_COLUMNS

# Internal column names of the worker output and of the result before the join.
_ID, _TEXT, _FEATURES, _CHARS, _SOURCE, _PUBLISHED, _KEY = (
    "__dedup_id",
    "__dedup_text",
    "__dedup_features",
    "__dedup_chars",
    "__dedup_source",
    "__dedup_published",
    "__dedup_key",
)
_INTEGRAL = ("byte", "short", "integer", "long")


def _pyspark(what: str) -> Any:
    try:
        import pyspark
        import pyspark.sql.functions
        import pyspark.sql.types
    except ImportError:
        raise MissingDependencyError(
            f"{what} needs PySpark 4 or later and pyarrow: pip install 'dedup[spark]'"
        ) from None
    major = int(pyspark.__version__.split(".")[0])
    if major < 4:
        raise MissingDependencyError(
            f"{what} needs PySpark 4 or later, found {pyspark.__version__}: "
            "pip install 'dedup[spark]'"
        )
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise MissingDependencyError(f"{what} needs pyarrow: pip install 'dedup[spark]'") from None
    return pyspark


def _quote(name: str) -> str:
    """A column name as Spark SQL reads it literally (dots and spaces included)."""
    return "`" + name.replace("`", "``") + "`"


# -- the worker stage ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    """The input column names; None for an optional column the frame lacks."""

    id: str
    text: str
    source: str | None
    published: str | None


def _published_strings(column: Any) -> list[str | None]:
    """Publication dates as ISO 8601 strings, parsed later exactly as `Corpus`
    would parse the original values: strings unchanged; timestamps with their zone
    (naive ones, Spark's ``timestamp_ntz``, stay naive and count as UTC); dates as
    ``YYYY-MM-DD``. Going through strings avoids Spark's conversion of timestamps to
    naive local time when rows are collected."""
    out: list[str | None] = []
    for value in column.to_pylist():
        if value is None or isinstance(value, str):
            out.append(value)
        else:
            out.append(value.isoformat())
    return out


def _featurize_stage(batches: Iterator[Any]) -> Iterator[Any]:
    """What runs on the executors (`mapInArrow`): the Rust tokeniser turns each
    Arrow batch of texts into compact features (token hashes, line keys and flags;
    about 2 KB for a 3 KB news page) in parallel. One output batch per input batch
    of (id, text, source, published): the id as a string, the features (null for a
    null text), the text's length in characters, the outlet, and the publication
    date as a string. No text leaves the executor."""
    import pyarrow as pa

    from dedup.corpus import featurize

    for batch in batches:
        ids, text, source, published = batch.columns
        if not pa.types.is_string(ids.type) and not pa.types.is_large_string(ids.type):
            ids = ids.cast(pa.string())
        texts = text.to_pylist()
        blobs: list[bytes | None] = list(featurize([t or "" for t in texts]))
        for n, t in enumerate(texts):
            if t is None:
                blobs[n] = None
        yield pa.RecordBatch.from_arrays(
            [
                ids,
                pa.array(blobs, pa.binary()),
                pa.array([None if t is None else len(t) for t in texts], pa.int64()),
                source,
                pa.array(_published_strings(published), pa.string()),
            ],
            names=[_ID, _FEATURES, _CHARS, _SOURCE, _PUBLISHED],
        )


# -- checks -------------------------------------------------------------------------------


def _check_frame(df: Any, what: str) -> None:
    ps = _pyspark(what)
    # Classic and Spark Connect data frames both derive from pyspark.sql.DataFrame.
    if not isinstance(df, ps.sql.DataFrame):
        raise InputTypeError(f"{what} needs a PySpark DataFrame, got {type(df).__name__}")


def _field(df: Any, name: object, arg: str) -> Any:
    """The schema field of column `name`, which the caller passed as `arg`."""
    if not isinstance(name, str):
        raise InputTypeError(f"{arg} must be a column name (str), got {type(name).__name__}")
    for f in df.schema.fields:
        if f.name == name:
            return f
    raise InvalidInputError(
        f"the DataFrame has no column {name!r}; its columns are {df.columns}: "
        f"pass the right name as {arg}="
    )


def _columns(
    df: Any, id_col: str, text_col: str, source_col: str | None, published_col: str | None
) -> _Columns:
    """Checks the named columns exist and have types `cluster` can read. The default
    names of the optional columns are used only when the frame has them."""
    idf = _field(df, id_col, "id_col")
    if idf.dataType.typeName() not in ("string", *_INTEGRAL):
        raise InputTypeError(
            f"id column {id_col!r} is {idf.dataType.simpleString()}; ids must be strings or "
            f"integers: cast it, e.g. df.withColumn({id_col!r}, df[{id_col!r}].cast('string'))"
        )
    tf = _field(df, text_col, "text_col")
    if tf.dataType.typeName() != "string":
        hint = "decode it with pyspark.sql.functions.decode(col, 'UTF-8')"
        if tf.dataType.typeName() != "binary":
            hint = "cast it to string"
        raise InputTypeError(
            f"text column {text_col!r} is {tf.dataType.simpleString()}, not string: {hint}"
        )
    if source_col == "source" and "source" not in df.columns:
        source_col = None
    if source_col is not None:
        _field(df, source_col, "source_col")
    if published_col == "published" and "published" not in df.columns:
        published_col = None
    if published_col is not None:
        pf = _field(df, published_col, "published_col")
        if pf.dataType.typeName() not in ("string", "timestamp", "timestamp_ntz", "date"):
            raise InputTypeError(
                f"published column {published_col!r} is {pf.dataType.simpleString()}; it must "
                "be a timestamp, a date or an ISO 8601 string"
            )
    clash = [c for c in RESULT_COLUMNS if c in df.columns]
    if clash:
        raise InvalidInputError(
            f"the DataFrame already has the column(s) {clash} that cluster() adds: drop or "
            "rename them first, e.g. df.drop(*dedup.spark.RESULT_COLUMNS)"
        )
    return _Columns(id_col, text_col, source_col, published_col)


# -- what the executors compute first ----------------------------------------------------


def _worker_frame(df: Any, cols: _Columns) -> Any:
    """The input reduced to what the driver needs, computed on the executors."""
    ps = _pyspark("dedup.spark.cluster()")
    sf, st = ps.sql.functions, ps.sql.types

    def column(name: str | None, cast: str | None = None) -> Any:
        if name is None:
            return sf.lit(None).cast("string")
        return sf.col(_quote(name)).cast(cast) if cast else sf.col(_quote(name))

    selected = df.select(
        column(cols.id).alias(_ID),
        column(cols.text).alias(_TEXT),
        column(cols.source, "string").alias(_SOURCE),
        column(cols.published).alias(_PUBLISHED),
    )
    schema = st.StructType(
        [
            st.StructField(_ID, st.StringType()),
            st.StructField(_FEATURES, st.BinaryType()),
            st.StructField(_CHARS, st.LongType()),
            st.StructField(_SOURCE, st.StringType()),
            st.StructField(_PUBLISHED, st.StringType()),
        ]
    )
    return selected.mapInArrow(_featurize_stage, schema)


def cluster(
    df: DataFrame,
    *,
    id_col: str = "id",
    text_col: str = "text",
    source_col: str | None = "source",
    published_col: str | None = "published",
    batch_size: int = 10_000,
    progress: bool | None = None,
    **options: float,
) -> DataFrame:
    """The input rows with three columns added: ``cluster_id`` (the story's position
    in `Corpus.clusters`, largest first; null for pages in no story),
    ``is_representative`` (false for pages in no story) and ``kind`` (the story's,
    ``"syndicated"`` or ``"rewritten"``; null for pages in no story).

    The stories are those `dedup.Corpus` (built with the same `options`) finds on
    the same pages, whatever the order or partitioning of the rows. Ids must be
    unique and not null, strings or integers; texts strings and not null. The
    outlet comes from `source_col` and the publication date (a timestamp, a date or
    an ISO 8601 string) from `published_col`; these two are optional, and their
    default names are used only when the frame has such columns.

    Every stage runs on the executors (docs/spark.md): tokenising, chrome
    statistics, near-duplicate groups, k-gram counts, coherence, candidates,
    verification, and clustering of each connected component of the relations.
    The driver holds query plans and a few small aggregates: the outlet names, the
    number of distinct texts, the word-weight counters (at most 16 MB) and the
    common k-grams. `batch_size` and `progress` are accepted for the signature
    `matches` shares, and unused here. The input is read more than once, so persist
    it if computing it is expensive; it must give the same rows each time. Raises
    `MissingDependencyError` without PySpark, `InvalidInputError` for a missing
    column, a null id or text or an unreadable date, `DuplicateIdError` for a
    repeated id, `InputTypeError` for a column of the wrong type and
    `InvalidOptionError` for an unknown option."""
    _check_frame(df, "dedup.spark.cluster()")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidOptionError(f"`batch_size` must be an integer of at least 1, got {batch_size}")
    checked = stages.checked_options(options)
    cols = _columns(df, id_col, text_col, source_col, published_col)
    ps = _pyspark("dedup.spark.cluster()")
    sf = ps.sql.functions
    id_type = _field(df, cols.id, "id_col").dataType
    frame = _worker_frame(df, cols).localCheckpoint()
    stages.check_rows(frame, stages.Names(_ID, _FEATURES, _SOURCE, _PUBLISHED, _CHARS), cols)
    table = stages.story_frame(
        frame, stages.Names(_ID, _FEATURES, _SOURCE, _PUBLISHED, _CHARS), checked
    )
    if table is None:
        schema = f"{_KEY} string, cluster_id long, is_representative boolean, kind string"
        result = df.sparkSession.createDataFrame([], schema)
    else:
        result = table.select(
            sf.col("id").alias(_KEY), "cluster_id", "is_representative", "kind"
        ).localCheckpoint()
    if id_type.typeName() != "string":
        result = result.withColumn(_KEY, result[_KEY].cast(id_type))
    joined = df.join(result, df[_quote(cols.id)] == result[_KEY], "left")
    return joined.select(
        *[df[_quote(c)] for c in df.columns],
        result["cluster_id"],
        sf.coalesce(result["is_representative"], sf.lit(False)).alias("is_representative"),
        result["kind"],
    )


def matches(
    df: DataFrame,
    *,
    id_col: str = "id",
    text_col: str = "text",
    source_col: str | None = "source",
    published_col: str | None = "published",
    batch_size: int = 10_000,
    progress: bool | None = None,
    **options: float,
) -> DataFrame:
    """The verified relations between the pages of `df` as a DataFrame, one row per
    related pair: ``id``, ``other`` (ids, of the type of `id_col`), ``kind``
    (``"syndicated"`` or ``"rewritten"``), ``score``, ``coverage`` (the share of
    ``id``'s article that comes from ``other``), ``other_coverage`` (the reverse),
    ``vocabulary``, ``other_vocabulary``, ``runs``, ``other_runs``, ``containment``
    and ``shared_tokens``: the figures of `dedup.Match`, without passages.

    These are exactly the relations `Corpus.match_table` gives on the same pages
    added in the order of their ids, compared as strings (the edges `cluster`
    groups into stories): each related pair once, and pages with identical
    articles related through the first of them in id order (or another copy, as in
    `Corpus.all_matches`), so row order and partitioning do not change the
    result. The arguments, what runs where and the errors are those of
    `cluster`; each relation is measured in full on the executors, between its
    pages or else between the first related pair of their identical copies."""
    _check_frame(df, "dedup.spark.matches()")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidOptionError(f"`batch_size` must be an integer of at least 1, got {batch_size}")
    checked = stages.checked_options(options)
    cols = _columns(df, id_col, text_col, source_col, published_col)
    frame = _worker_frame(df, cols).localCheckpoint()
    names = stages.Names(_ID, _FEATURES, _SOURCE, _PUBLISHED, _CHARS)
    stages.check_rows(frame, names, cols)
    table = stages.match_frame(frame, names, checked)
    if table is None:
        floats = ", ".join(f"{c} double" for c in MATCH_COLUMNS if c not in _NOT_FLOAT)
        schema = f"id string, other string, kind string, {floats}, shared_tokens long"
        result = df.sparkSession.createDataFrame([], schema).select(*MATCH_COLUMNS)
    else:
        result = table.select(*MATCH_COLUMNS).localCheckpoint()
    id_type = _field(df, cols.id, "id_col").dataType
    if id_type.typeName() != "string":
        for c in ("id", "other"):
            result = result.withColumn(c, result[c].cast(id_type))
    return result


_NOT_FLOAT = ("id", "other", "kind", "shared_tokens")


# -- connected components -----------------------------------------------------------------


def connected_components(
    edges: DataFrame, src: str = "src", dst: str = "dst", *, max_rounds: int = 100
) -> DataFrame:
    """The connected components of the undirected graph whose edges are the rows of
    `edges` (columns `src` and `dst`, of one type), computed in Spark by alternating
    large-star and small-star rounds (Kiveris, Lattanzi, Mirrokni, Rastogi and
    Vassilvitskii, "Connected Components in MapReduce and Beyond", 2014): each round
    links every node to the smallest node of its neighbourhood, until every
    component is a star around its smallest node, which takes O(log² n) rounds.

    Returns one row per node (every value in either column; rows with a null end
    are ignored, a self loop keeps its node): ``node`` and ``component``, the
    smallest node of its component. Each round is checkpointed locally, so the
    query plan does not grow with the rounds; skewed joins on high-degree nodes are
    split by Spark's adaptive execution. Raises `InvalidInputError` for a missing
    column, `InputTypeError` when the two columns differ in type, and
    `InternalError` if the rounds do not converge within `max_rounds`."""
    _check_frame(edges, "dedup.spark.connected_components()")
    sf = _pyspark("dedup.spark.connected_components()").sql.functions
    if not isinstance(max_rounds, int) or max_rounds < 1:
        raise InvalidOptionError(f"`max_rounds` must be an integer of at least 1, got {max_rounds}")
    a, b = _field(edges, src, "src"), _field(edges, dst, "dst")
    if a.dataType != b.dataType:
        raise InputTypeError(
            f"edge columns {src!r} ({a.dataType.simpleString()}) and {dst!r} "
            f"({b.dataType.simpleString()}) must have one type: cast one of them"
        )
    u, v = sf.col(_quote(src)).alias("u"), sf.col(_quote(dst)).alias("v")
    return components(edges.select(u, v), max_rounds)
