"""`dedup.spark` on a local Spark (``local[2]``): the same stories as `Corpus`, the
input rows kept, large-star/small-star components against union-find, and errors.

Needs Java and ``pip install '.[spark]'``; without either the Spark tests skip with
the reason (scripts/test.sh installs the extra, and CI has Java 17).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import dedup
import dedup.spark
from conftest import (
    FERRY,
    FERRY_REWRITE,
    HARBOUR,
    MERIDIAN,
    MUSEUM,
    ORCHARD,
    RAIL,
    RAIL_REWRITE,
    SATELLITE,
    VALLEY,
    page,
    shared_dir,
    wire,
)
from dedup.errors import (
    DuplicateIdError,
    InputTypeError,
    InvalidInputError,
    InvalidOptionError,
    MissingDependencyError,
)

pytestmark = pytest.mark.filterwarnings(
    # PySpark warns about pandas 3 when it checks its optional pandas support.
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark for all these tests: two cores, two shuffle partitions, no UI."""
    if _java() is None:
        pytest.skip("Java is not installed (no JAVA_HOME, no java on PATH): Spark needs it")
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:
        pytest.skip(f"pyspark is not importable ({e}): pip install '.[spark]'")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    session = (
        SparkSession.builder.master("local[2]")
        .appName("dedup-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _stories(rows: list[Any], id_col: str = "id") -> dict[int, tuple[frozenset[Any], Any, str]]:
    """cluster_id -> (ids, representative, kind) from the rows `cluster` returns."""
    groups: dict[int, list[Any]] = {}
    for r in rows:
        if r["cluster_id"] is not None:
            groups.setdefault(r["cluster_id"], []).append(r)
    out = {}
    for n, g in groups.items():
        reps = [r[id_col] for r in g if r["is_representative"]]
        kinds = {r["kind"] for r in g}
        assert len(reps) == 1 and len(kinds) == 1, g
        out[n] = (frozenset(r[id_col] for r in g), reps[0], kinds.pop())
    return out


def _corpus_stories(c: dedup.Corpus) -> dict[int, tuple[frozenset[Any], Any, str]]:
    return {n: (frozenset(s.ids), s.representative, s.kind) for n, s in enumerate(c.clusters())}


# -- the same stories as Corpus -------------------------------------------------------------


def test_wirebench_dev_clusters_equal_the_embedded_corpus(spark: Any) -> None:
    d = shared_dir("data", "wirebench-dev")
    with open(d / "docs.jsonl", encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    c = dedup.Corpus()
    c.add_many(records)
    expected = _corpus_stories(c)
    assert len(expected) > 50
    # Rows in another order and other partitions than the corpus was built in.
    shuffled = random.Random(7).sample(records, len(records))
    df = spark.createDataFrame(shuffled, "id string, source string, text string").repartition(3)
    rows = dedup.spark.cluster(df).collect()
    assert len(rows) == len(records)
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in records)
    # Numbered as Corpus.clusters() numbers them, with the same members,
    # representatives and kinds.
    assert _stories(rows) == expected
    table = c.cluster_table()
    want = dict(
        zip(
            table["id"],
            zip(table["cluster_id"], table["is_representative"], strict=True),
            strict=True,
        )
    )
    assert {r["id"]: (r["cluster_id"], r["is_representative"]) for r in rows} == want


def test_wirebench_dev_matches_equal_the_embedded_corpus(spark: Any) -> None:
    d = shared_dir("data", "wirebench-dev")
    with open(d / "docs.jsonl", encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    c = dedup.Corpus()
    c.add_many(sorted(records, key=lambda r: r["id"]))
    table = c.match_table()
    want = _edges([dict(zip(table, row, strict=True)) for row in zip(*table.values(), strict=True)])
    assert len(want) > 400
    shuffled = random.Random(11).sample(records, len(records))
    df = spark.createDataFrame(shuffled, "id string, source string, text string").repartition(3)
    got = _edges(dedup.spark.matches(df).collect())
    assert got.keys() == want.keys()
    for pair, row in got.items():
        assert row == pytest.approx(want[pair]), pair


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """About 2,700 pages of 800 generated stories (benches/make_wirebench_like.py),
    each outlet in its own chrome, every copy kind."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benches"))
    from make_wirebench_like import generate

    d = tmp_path_factory.mktemp("generated")
    generate(d, seed=5, n_stories=800, mix="random")
    with open(d / "docs.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_thousands_of_generated_pages_give_the_stories_and_edges_of_corpus(
    spark: Any, generated: list[dict[str, Any]]
) -> None:
    assert len(generated) > 2000
    c = dedup.Corpus()
    c.add_many(sorted(generated, key=lambda r: r["id"]))
    table = c.match_table()
    want = _edges([dict(zip(table, row, strict=True)) for row in zip(*table.values(), strict=True)])
    shuffled = random.Random(13).sample(generated, len(generated))
    df = spark.createDataFrame(shuffled, "id string, source string, text string").repartition(4)
    rows = dedup.spark.cluster(df).collect()
    assert _stories(rows) == _corpus_stories(c)
    got = _edges(dedup.spark.matches(df).collect())
    assert got.keys() == want.keys() and len(got) > 1000
    for pair, row in got.items():
        assert row == pytest.approx(want[pair]), pair


def _invented() -> list[dict[str, Any]]:
    """Three copies of a ferry story and a rewrite of it, a rail story and its
    rewrite, and two pages of stories no other page carries; dated, with an extra
    column."""
    t0 = dt.datetime(2024, 5, 1, 6, 0, tzinfo=dt.UTC)
    pages = [
        ("f-wire", None, wire(FERRY), 3),
        ("f-harbour", HARBOUR, page(HARBOUR, "Ferry hits reef", FERRY), 1),
        ("f-meridian", MERIDIAN, page(MERIDIAN, "Night rescue at sea", FERRY[:5]), 2),
        ("r-valley", VALLEY, page(VALLEY, "Rail strike halts ore", RAIL), 5),
        ("r-harbour", HARBOUR, page(HARBOUR, "Drivers walk out", RAIL_REWRITE), 4),
        ("s-meridian", MERIDIAN, page(MERIDIAN, "Satellite in orbit", SATELLITE), 6),
        ("o-valley", VALLEY, page(VALLEY, "Frost ruins blossom", ORCHARD), 7),
        ("f-valley-rw", VALLEY, page(VALLEY, "Stormy night rescue", FERRY_REWRITE), 8),
    ]
    return [
        {
            "id": pid,
            "text": text,
            "outlet": outlet.name if outlet else None,
            "when": t0 + dt.timedelta(hours=h),
            "section": f"s{n}",
        }
        for n, (pid, outlet, text, h) in enumerate(pages)
    ]


SCHEMA = "id string, text string, outlet string, when timestamp, section string"


def test_invented_pages_keep_every_input_row_and_column(spark: Any) -> None:
    records = _invented()
    df = spark.createDataFrame(records, SCHEMA)
    out = dedup.spark.cluster(df, source_col="outlet", published_col="when")
    assert out.columns == [*df.columns, *dedup.spark.RESULT_COLUMNS]
    rows = out.collect()
    assert sorted((r["id"], r["section"], r["text"]) for r in rows) == sorted(
        (r["id"], r["section"], r["text"]) for r in records
    )
    c = dedup.Corpus()
    c.add_many(records, source_field="outlet", published_field="when")
    stories = _stories(rows)
    assert stories == _corpus_stories(c)
    members = {pid for ids, _, _ in stories.values() for pid in ids}
    assert {"f-wire", "f-harbour", "f-meridian", "r-valley", "r-harbour"} <= members
    # The earliest page represents its story.
    ferry = next(s for s in stories.values() if "f-wire" in s[0])
    assert ferry[0] == {"f-wire", "f-harbour", "f-meridian", "f-valley-rw"}
    assert ferry[1] == "f-harbour" and ferry[2] == "rewritten"
    rail = next(s for s in stories.values() if "r-valley" in s[0])
    assert rail[1] == "r-harbour" and rail[2] == "rewritten"
    for r in rows:
        if r["id"] not in members:
            assert r["cluster_id"] is None and r["kind"] is None
            assert r["is_representative"] is False
    assert {"s-meridian", "o-valley"}.isdisjoint(members)


def _edges(rows: list[Any]) -> dict[tuple[Any, Any], tuple[Any, ...]]:
    """(id, other) -> the other columns, from rows or from `Corpus.match_table`."""
    return {(r["id"], r["other"]): tuple(r[c] for c in dedup.spark.MATCH_COLUMNS[2:]) for r in rows}


def test_matches_are_the_relations_of_the_embedded_corpus(spark: Any) -> None:
    records = _invented()
    df = spark.createDataFrame(random.Random(3).sample(records, len(records)), SCHEMA).repartition(
        2
    )
    got = dedup.spark.matches(df, source_col="outlet", published_col="when")
    assert got.columns == list(dedup.spark.MATCH_COLUMNS)
    c = dedup.Corpus()
    c.add_many(
        sorted(records, key=lambda r: r["id"]), source_field="outlet", published_field="when"
    )
    table = c.match_table()
    want = _edges([dict(zip(table, row, strict=True)) for row in zip(*table.values(), strict=True)])
    edges = _edges(got.collect())
    assert edges.keys() == want.keys()
    for pair, row in edges.items():
        assert row == pytest.approx(want[pair], nan_ok=False), pair
    # The edges are those the stories are made of, with Match's figures.
    pairs = {frozenset(p) for p in edges}
    assert frozenset({"r-valley", "r-harbour"}) in pairs
    assert not any({"s-meridian", "o-valley"} & p for p in pairs)
    for m in c.all_matches():
        row = edges.get((m.id, m.other))
        assert row is not None, m
        kind, score, coverage, other_coverage = row[:4]
        assert (kind, score, coverage, other_coverage) == (
            m.kind,
            pytest.approx(m.score),
            pytest.approx(m.coverage),
            pytest.approx(m.other_coverage),
        )


def test_matches_keep_integer_ids(spark: Any) -> None:
    records = _invented()
    for n, r in enumerate(records):
        r["id"] = 100 + n
    df = spark.createDataFrame(
        records, "id long, text string, outlet string, when timestamp, section string"
    )
    got = dedup.spark.matches(df, source_col="outlet", published_col="when")
    assert dict(got.dtypes)["id"] == "bigint" and dict(got.dtypes)["other"] == "bigint"
    rows = got.collect()
    assert rows and all(isinstance(r["id"], int) and isinstance(r["other"], int) for r in rows)
    # 103 and 104 are the rail story and its rewrite.
    assert any({r["id"], r["other"]} == {103, 104} for r in rows)


def test_one_partition_or_many_give_the_same_stories_and_edges(spark: Any) -> None:
    rows = _invented()
    kw = {"source_col": "outlet", "published_col": "when"}
    one = spark.createDataFrame(rows, SCHEMA).coalesce(1)
    many = spark.createDataFrame(random.Random(3).sample(rows, len(rows)), SCHEMA).repartition(5)
    stories = _stories(dedup.spark.cluster(one, **kw).collect())
    assert stories and stories == _stories(dedup.spark.cluster(many, **kw).collect())
    edges = _edges(dedup.spark.matches(one, **kw).collect())
    assert edges and edges.keys() == _edges(dedup.spark.matches(many, **kw).collect()).keys()


def test_integer_ids_string_dates_and_no_source(spark: Any) -> None:
    records = _invented()
    for n, r in enumerate(records):
        r["id"] = 100 + n
        r["when"] = r["when"].strftime("%Y-%m-%dT%H:%M:%SZ")
        del r["outlet"]
    df = spark.createDataFrame(records, "id long, text string, when string, section string")
    rows = dedup.spark.cluster(df, published_col="when").collect()
    assert sorted(r["id"] for r in rows) == [100 + n for n in range(len(records))]
    c = dedup.Corpus()
    c.add_many(
        ({**r, "id": str(r["id"])} for r in records), published_field="when", source_field="x"
    )
    want = {
        n: (frozenset(map(int, ids)), int(rep), k)
        for n, (ids, rep, k) in _corpus_stories(c).items()
    }
    assert _stories(rows) == want
    assert want


def test_undated_story_is_represented_by_its_longest_page(spark: Any) -> None:
    # Both are bare wire texts (the whole page is article), so the longer one
    # represents the story: features carry no text, so the length travels with them.
    records = [
        {"id": "a-short", "text": wire(FERRY[:4])},
        {"id": "b-long", "text": wire(FERRY)},
        {"id": "c-other", "text": wire(MUSEUM)},
    ]
    rows = dedup.spark.cluster(spark.createDataFrame(records, "id string, text string")).collect()
    c = dedup.Corpus()
    c.add_many(records)
    assert (
        _stories(rows)
        == _corpus_stories(c)
        == {0: (frozenset({"a-short", "b-long"}), "b-long", "syndicated")}
    )


def test_an_empty_frame_and_column_names_with_dots_and_spaces(spark: Any) -> None:
    assert dedup.spark.cluster(spark.createDataFrame([], "id string, text string")).collect() == []
    records = [{"page.id": r["id"], "the text": r["text"]} for r in _invented()]
    df = spark.createDataFrame(records, "`page.id` string, `the text` string")
    out = dedup.spark.cluster(df, id_col="page.id", text_col="the text")
    assert out.columns == ["page.id", "the text", *dedup.spark.RESULT_COLUMNS]
    c = dedup.Corpus()
    c.add_many(records, id_field="page.id", text_field="the text")
    assert _stories(out.collect(), "page.id") == _corpus_stories(c)


def test_options_reach_the_corpus(spark: Any) -> None:
    records = _invented()
    df = spark.createDataFrame(records, SCHEMA)
    with pytest.raises(InvalidOptionError, match="no_such_option"):
        dedup.spark.cluster(df, no_such_option=1.0)
    # Rewrites no longer relate when a rewrite needs passages longer than any page.
    strict = {"rewritten_longest": 10_000, "rewritten_shared": 10_000, "rewritten_quote": 10_000}
    rows = dedup.spark.cluster(df, source_col="outlet", published_col="when", **strict).collect()
    c = dedup.Corpus(**strict)
    c.add_many(records, source_field="outlet", published_field="when")
    stories = _stories(rows)
    assert stories == _corpus_stories(c)
    assert all(kind == "syndicated" for _, _, kind in stories.values())
    assert all("r-valley" not in ids for ids, _, _ in stories.values())


def test_texts_become_features_on_the_executors(spark: Any) -> None:
    df = spark.createDataFrame(_invented(), SCHEMA)
    cols = dedup.spark._columns(df, "id", "text", "outlet", "when")
    frame = dedup.spark._worker_frame(df, cols)
    assert [(f.name, f.dataType.typeName()) for f in frame.schema.fields] == [
        ("__dedup_id", "string"),
        ("__dedup_features", "binary"),
        ("__dedup_chars", "long"),
        ("__dedup_source", "string"),
        ("__dedup_published", "string"),
    ]
    row = frame.where("__dedup_id = 'f-wire'").collect()[0]
    text = wire(FERRY)
    assert row[1] == dedup._core.featurize([text])[0] and row[2] == len(text)
    assert text.encode() not in row[1]


def test_dates_reach_the_driver_as_the_same_instants() -> None:
    pa = pytest.importorskip("pyarrow")
    utc = dt.datetime(2024, 5, 1, 6, 30, tzinfo=dt.UTC)
    naive = dt.datetime(2024, 5, 1, 6, 30)
    cases = [
        (pa.array([utc, None], pa.timestamp("us", tz="America/New_York")), utc),
        (pa.array([naive, None], pa.timestamp("us")), utc),
        (pa.array([dt.date(2024, 5, 1), None], pa.date32()), utc.replace(hour=0, minute=0)),
        (pa.array(["2024-05-01T06:30:00Z", None], pa.string()), utc),
    ]
    for column, instant in cases:
        first, missing = dedup.spark._published_strings(column)
        assert missing is None
        c = dedup.Corpus()
        c.add("x", "text", published=first)
        assert c.published("x") == instant, column.type


# -- connected components -------------------------------------------------------------------


def _union_find(nodes: set[int], edges: list[tuple[int, int]]) -> dict[int, int]:
    parent = {n: n for n in nodes}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {n: min(m for m in nodes if find(m) == find(n)) for n in nodes}


def _graph(seed: int) -> tuple[set[int], list[tuple[int, int]]]:
    """Several graphs with disjoint, shuffled labels: sparse random graphs of many
    small and a few large components, a dense block, a long path (the most
    rounds), a star, self loops and repeated edges in both directions."""
    rng = random.Random(seed)
    labels = list(range(10_000))
    rng.shuffle(labels)
    it = iter(labels)
    edges: list[tuple[int, int]] = []
    for size, m in ((120, 90), (200, 210), (60, 200)):
        block = [next(it) for _ in range(size)]
        edges += [(rng.choice(block), rng.choice(block)) for _ in range(m)]
    path = [next(it) for _ in range(70)]
    edges += list(itertools.pairwise(path))
    hub, *spokes = (next(it) for _ in range(30))
    edges += [(s, hub) if rng.random() < 0.5 else (hub, s) for s in spokes]
    lone = next(it)
    edges += [(lone, lone)]
    edges += [(b, a) for a, b in rng.sample(edges, 40)]
    rng.shuffle(edges)
    nodes = {x for e in edges for x in e}
    return nodes, edges


@pytest.mark.parametrize("seed", [1, 2])
def test_large_small_star_components_equal_union_find(spark: Any, seed: int) -> None:
    nodes, edges = _graph(seed)
    df = spark.createDataFrame(edges, "a long, b long")
    got = {
        r["node"]: r["component"] for r in dedup.spark.connected_components(df, "a", "b").collect()
    }
    assert got == _union_find(nodes, edges)


def test_components_of_string_nodes_ignore_nulls(spark: Any) -> None:
    edges = [("x", "y"), ("y", "z"), ("q", None), ("p", "p"), ("m", "n")]
    df = spark.createDataFrame(edges, "s string, d string")
    got = {
        r["node"]: r["component"] for r in dedup.spark.connected_components(df, "s", "d").collect()
    }
    assert got == {"x": "x", "y": "x", "z": "x", "p": "p", "m": "m", "n": "m"}


# -- errors ---------------------------------------------------------------------------------


def test_bad_columns_raise_typed_errors(spark: Any) -> None:
    df = spark.createDataFrame(_invented(), SCHEMA)
    with pytest.raises(InvalidInputError, match=r"no column 'body'.*text_col="):
        dedup.spark.cluster(df, text_col="body")
    with pytest.raises(InvalidInputError, match="no column 'site'"):
        dedup.spark.cluster(df, source_col="site")
    with pytest.raises(InputTypeError, match="ids must be strings or integers"):
        dedup.spark.cluster(df.withColumn("id", df["when"].cast("double")))
    with pytest.raises(InputTypeError, match="decode"):
        dedup.spark.cluster(df.withColumn("text", df["text"].cast("binary")))
    with pytest.raises(InputTypeError, match="timestamp, a date or an ISO"):
        dedup.spark.cluster(df.withColumn("n", df["when"].cast("long")), published_col="n")
    with pytest.raises(InvalidInputError, match="already has the column"):
        dedup.spark.cluster(df.withColumn("kind", df["section"]))
    with pytest.raises(InputTypeError, match="needs a PySpark DataFrame"):
        dedup.spark.cluster(_invented())
    with pytest.raises(InvalidInputError, match="no column 'b'"):
        dedup.spark.connected_components(
            spark.createDataFrame([(1, 2)], "a long, c long"), "a", "b"
        )
    with pytest.raises(InputTypeError, match="one type"):
        dedup.spark.connected_components(
            spark.createDataFrame([(1, "2")], "a long, b string"), "a", "b"
        )


def test_bad_rows_raise_typed_errors(spark: Any) -> None:
    records = _invented()
    twice = spark.createDataFrame([*records, {**records[3], "section": "again"}], SCHEMA)
    with pytest.raises(DuplicateIdError, match=r"r-valley.*dropDuplicates"):
        dedup.spark.cluster(twice)
    blank = spark.createDataFrame([*records[:2], {**records[2], "text": None}], SCHEMA)
    with pytest.raises(InvalidInputError, match=r"null for id 'f-meridian'.*fillna"):
        dedup.spark.cluster(blank)
    no_id = spark.createDataFrame([*records[:2], {**records[2], "id": None}], SCHEMA)
    with pytest.raises(InvalidInputError, match="has a null"):
        dedup.spark.cluster(no_id)
    bad_date = spark.createDataFrame(
        [{**records[0], "when": "yesterday"}], "id string, text string, when string"
    )
    with pytest.raises(InvalidInputError, match="ISO 8601"):
        dedup.spark.cluster(bad_date, published_col="when")


def test_without_pyspark_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "pyspark" or m.startswith("pyspark.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'dedup\[spark\]'"):
        dedup.spark.cluster(object())
    with pytest.raises(ImportError):
        dedup.spark.connected_components(object())


# -- the stages on the executors (dedup._spark_stages) --------------------------------------


@pytest.fixture(scope="module")
def staged(spark: Any, generated: list[dict[str, Any]]) -> tuple[Any, dedup.Corpus]:
    """The generated pages numbered on Spark, and the `Corpus` of the same pages in
    the same (id) order."""
    from dedup import _spark_stages as st
    from dedup.spark import _FEATURES, _ID, _SOURCE, _columns, _worker_frame

    shuffled = random.Random(7).sample(generated, len(generated))
    df = spark.createDataFrame(shuffled, "id string, source string, text string").repartition(3)
    features = _worker_frame(df, _columns(df, "id", "text", "source", None))
    pages = st.number_pages(features, _ID, _SOURCE, _FEATURES).localCheckpoint()
    c = dedup.Corpus(keep_texts=False)
    c.add_many(sorted(generated, key=lambda r: r["id"]))
    return pages, c


def test_stage_one_on_the_executors_keeps_the_lines_the_corpus_keeps(
    staged: tuple[Any, dedup.Corpus],
) -> None:
    from dedup import _core
    from dedup import _spark_stages as st

    pages, c = staged
    want = {s: bytes(k) for s, k in enumerate(c._core.first_keeps()) if k is not None}
    got = {r.slot: bytes(r.keep) for r in st.first_pass(pages, {}).collect()}
    assert len(got) == len(want) > 2000
    assert got == want
    # Both corpus counts decide some pages, so the comparison covers them: without
    # the text counts, or without the outlet counts too, articles differ.
    limits = _core.stage_thresholds({})
    lines = st.page_lines(pages)
    outlets = st.outlet_line_counts(lines, int(limits["outlet_least"]))
    prelim = dict(st.first_keep(pages, lines, outlets, None, {}).select("slot", "keep").collect())
    bare = dict(
        st.first_keep(pages, lines, outlets.limit(0), None, {}).select("slot", "keep").collect()
    )
    assert any(bytes(prelim[s]) != got[s] for s in got)
    assert sum(bytes(bare[s]) != bytes(prelim[s]) for s in got) > 20


def test_stages_one_to_three_on_the_executors_give_the_corpus_statistics(
    staged: tuple[Any, dedup.Corpus],
) -> None:
    from dedup import _spark_stages as st

    pages, c = staged
    keep, hashes, units, groups, common, postings = c._core.analysis_parts()
    firsts = c._core.first_keeps()
    # the coherence pass changes some articles, so the second statistics differ
    assert sum(bytes(f or b"") != bytes(k or b"") for f, k in zip(firsts, keep, strict=True)) > 20
    got = st.analysis(pages, {})
    assert {r.slot: bytes(r.keep) for r in got["keep"].collect()} == {
        s: bytes(k) for s, k in enumerate(keep) if k is not None
    }
    per_page = {
        r.slot: (r.hash, r.unit, -1 if r.group is None else r.group) for r in got["pages"].collect()
    }
    assert per_page == {s: (hashes[s], units[s], groups[s]) for s in range(len(keep))}
    assert sorted(r.kgram for r in got["common"].collect()) == sorted(common)
    assert len(common) > 100
    assert sorted((r.kgram, r.slot) for r in got["postings"].collect()) == sorted(postings)


_MEASURES = (
    "score",
    "containment",
    "coverage_a",
    "coverage_b",
    "vocabulary_a",
    "vocabulary_b",
    "runs_a",
    "runs_b",
)


def test_candidates_and_verification_on_the_executors_give_the_corpus_relations(
    staged: tuple[Any, dedup.Corpus],
) -> None:
    from dedup import _spark_stages as st

    pages, c = staged
    want = {(r.a, r.b): r for r in c._core.analyze().relations()}
    got = {(r.a, r.b): r for r in st.relations(pages, {})["relations"].collect()}
    assert got.keys() == want.keys()
    assert len(want) > 2000
    kinds = {r.kind for r in want.values()}
    assert kinds == {"syndicated", "rewritten"}
    for pair, r in got.items():
        w = want[pair]
        assert (r.kind, r.by_passage, r.shared_tokens) == (w.kind, w.by_passage, w.shared_tokens), (
            pair
        )
        for f in _MEASURES:
            # NaN (not measured) on both sides, or the same number
            assert getattr(r, f) == pytest.approx(getattr(w, f), rel=0, abs=0, nan_ok=True), (
                pair,
                f,
            )


def test_a_relation_is_measured_through_a_copy_at_another_outlet(spark: Any) -> None:
    # The rewrite and the first copy of the wire (in id order) ran at one outlet and
    # share too little for the same-outlet rule; the story rests on the relation
    # to that copy, and its figures come from the copy another outlet ran, as in
    # Corpus.match_table (the executors try the copies in slot order).
    home = "Home\n" + wire(FERRY)
    records = [
        {"id": "a-rewrite", "text": "\n".join(FERRY_REWRITE), "source": "Alpha"},
        {"id": "b-wire", "text": home, "source": "Alpha"},
        {"id": "c-wire", "text": home, "source": "Beta"},
    ]
    c = dedup.Corpus()
    c.add_many(records)
    table = c.match_table()
    want = _edges([dict(zip(table, row, strict=True)) for row in zip(*table.values(), strict=True)])
    assert ("a-rewrite", "c-wire") in want
    df = spark.createDataFrame(records, "id string, text string, source string")
    got = _edges(dedup.spark.matches(df).collect())
    assert got.keys() == want.keys()
    for pair, row in got.items():
        assert row == pytest.approx(want[pair], nan_ok=True), pair
