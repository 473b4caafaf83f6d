"""Every input kind gives the same stories; table output; HTML pages; progress bars;
and the core working without any optional package."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import (
    FERRY,
    FERRY_REWRITE,
    HARBOUR,
    MERIDIAN,
    MUSEUM,
    ORCHARD,
    RAIL,
    RAIL_REWRITE,
    REPO,
    SATELLITE,
    VALLEY,
    filler,
    page,
    wire,
)
from dedup import Corpus, InputTypeError, InvalidOptionError, cli
from dedup.io import read_records


def records() -> list[dict[str, Any]]:
    """Twelve invented pages: three stories with copies and four pages alone."""
    rows = [
        ("w-ferry", wire(FERRY), "nordwire.example", "2024-05-01T06:00:00Z"),
        (
            "h-ferry",
            page(HARBOUR, "Ferry strikes reef", FERRY),
            HARBOUR.name,
            "2024-05-01T08:10:00Z",
        ),
        ("m-ferry", page(MERIDIAN, "Night rescue at sea", FERRY), MERIDIAN.name, None),
        (
            "v-ferry",
            page(VALLEY, "Ferry questions", FERRY_REWRITE),
            VALLEY.name,
            "2024-05-02T07:00:00Z",
        ),
        ("h-museum", page(HARBOUR, "Masks go home", MUSEUM), HARBOUR.name, "2024-05-03T09:00:00Z"),
        (
            "v-museum",
            page(VALLEY, "Museum returns masks", MUSEUM),
            VALLEY.name,
            "2024-05-03T11:30:00Z",
        ),
        ("m-rail", page(MERIDIAN, "Drivers strike", RAIL), MERIDIAN.name, "2024-05-04T05:00:00Z"),
        (
            "h-rail",
            page(HARBOUR, "Ore trains idle", RAIL_REWRITE),
            HARBOUR.name,
            "2024-05-04T09:00:00Z",
        ),
        ("v-sat", page(VALLEY, "Satellite in orbit", SATELLITE), VALLEY.name, None),
        ("m-orchard", page(MERIDIAN, "Frost hits orchards", ORCHARD), MERIDIAN.name, None),
        ("h-fill", page(HARBOUR, "Council news", filler(1)), HARBOUR.name, None),
        ("v-fill", page(VALLEY, "Village news", filler(2)), VALLEY.name, None),
    ]
    return [{"id": i, "text": t, "source": s, "published": p} for i, t, s, p in rows]


# The stories of `records()`, largest first, each representative first: the wire
# story is the earliest copy of the ferry story, and the rewrite (published) comes
# before the undated copy.
STORIES = [
    ["w-ferry", "h-ferry", "v-ferry", "m-ferry"],
    ["h-museum", "v-museum"],
    ["m-rail", "h-rail"],
]


def stories(c: Corpus) -> list[list[str]]:
    return [cl.ids for cl in c.clusters()]


@pytest.fixture(scope="module")
def expected() -> list[list[str]]:
    c = Corpus(progress=False)
    c.add_many(records())
    got = stories(c)
    assert got == STORIES
    return got


# -- files ------------------------------------------------------------------------------


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    elif path.name.endswith(".zst"):
        zstandard = pytest.importorskip("zstandard")
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["id", "text", "source", "published"])
        w.writeheader()
        w.writerows(rows)
    return path


def table(rows: list[dict[str, Any]]) -> Any:
    pa = pytest.importorskip("pyarrow")
    return pa.Table.from_pylist(rows)


def write_file(tmp_path: Path, name: str) -> Path:
    rows = records()
    path = tmp_path / name
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow.parquet").write_table(table(rows), path)
        return path
    if name.endswith(".arrow"):
        import pyarrow as pa

        t = table(rows)
        with pa.ipc.new_file(path, t.schema) as w:
            w.write_table(t, max_chunksize=5)
        return path
    if name.endswith(".csv"):
        return write_csv(path, rows)
    return write_jsonl(path, rows)


FILES = [
    "pages.jsonl",
    "pages.jsonl.gz",
    "pages.jsonl.zst",
    "pages.csv",
    "pages.parquet",
    "pages.arrow",
]


@pytest.mark.parametrize("name", FILES)
def test_each_file_format_gives_the_same_stories(
    tmp_path: Path, name: str, expected: list[list[str]]
) -> None:
    path = write_file(tmp_path, name)
    c = Corpus(progress=False)
    assert c.add_many(path, batch_size=5) == len(records())
    assert stories(c) == expected
    c2 = Corpus(progress=False)
    c2.add_many(str(path))
    assert stories(c2) == expected


@pytest.mark.parametrize("name", FILES)
def test_cli_cluster_reads_each_format(
    tmp_path: Path, name: str, expected: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_file(tmp_path, name)
    assert cli.main(["cluster", str(path), "--no-progress"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["ids"] for x in lines] == expected


def test_renamed_columns_and_extra_columns(tmp_path: Path, expected: list[list[str]]) -> None:
    rows = [
        {"url": r["id"], "body": r["text"], "outlet": r["source"], "date": r["published"], "x": 1}
        for r in records()
    ]
    names = {"id_field": "url", "text_field": "body", "source_field": "outlet"}
    c = Corpus(progress=False)
    c.add_many(table(rows), published_field="date", **names)
    assert stories(c) == expected
    path = write_jsonl(tmp_path / "renamed.jsonl", rows)
    c = Corpus(progress=False)
    c.add_many(path, published_field="date", **names)
    assert stories(c) == expected


# -- Arrow streams and data frames ---------------------------------------------------------


def arrow_inputs() -> dict[str, Any]:
    rows = records()
    t = table(rows)
    out: dict[str, Any] = {"pyarrow.Table": t}
    import pyarrow as pa

    out["pyarrow.RecordBatchReader"] = pa.RecordBatchReader.from_batches(
        t.schema, t.to_batches(max_chunksize=3)
    )
    typed = t.set_column(
        3,
        "published",
        pa.array(
            [dt.datetime.fromisoformat(r["published"]) if r["published"] else None for r in rows],
            pa.timestamp("ms", tz="UTC"),
        ),
    )
    out["pyarrow.Table with timestamps"] = typed
    try:
        import polars as pl

        out["polars.DataFrame"] = pl.DataFrame(rows)
    except ImportError:
        pass
    try:
        import pandas as pd

        out["pandas.DataFrame"] = pd.DataFrame(rows)
    except ImportError:
        pass
    try:
        import duckdb

        con = duckdb.connect()
        con.register("pages", t)
        out["duckdb relation"] = con.sql("SELECT * FROM pages")
    except ImportError:
        pass
    try:
        import datasets

        out["datasets.Dataset"] = datasets.Dataset.from_list(rows)
    except ImportError:
        pass
    return out


def test_arrow_streams_and_data_frames_give_the_same_stories(expected: list[list[str]]) -> None:
    inputs = arrow_inputs()
    for kind, data in inputs.items():
        c = Corpus(progress=False)
        assert c.add_many(data, batch_size=4) == len(records()), kind
        assert stories(c) == expected, kind
        assert c.published("h-ferry") == dt.datetime(2024, 5, 1, 8, 10, tzinfo=dt.UTC), kind
    wanted = {"polars.DataFrame", "pandas.DataFrame", "duckdb relation", "datasets.Dataset"}
    missing = wanted - set(inputs)
    if missing:
        pytest.skip(f"not installed, so not tested: {sorted(missing)}")


def test_hf_dataset_honours_its_selection() -> None:
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_list(records()).select([0, 1, 2])
    c = Corpus(progress=False)
    assert c.add_many(ds) == 3
    assert c.ids == ["w-ferry", "h-ferry", "m-ferry"]


def test_bad_inputs_say_what_is_accepted(tmp_path: Path) -> None:
    c = Corpus(progress=False)
    with pytest.raises(InputTypeError, match="iterable of mappings"):
        c.add_many({"id": "a", "text": "b"})
    with pytest.raises(InputTypeError, match="__arrow_c_stream__"):
        c.add_many(42)
    odd = tmp_path / "pages.xml"
    odd.write_text("<x/>")
    with pytest.raises(InvalidOptionError, match=r"\.jsonl.*\.csv"):
        c.add_many(odd)
    with pytest.raises(InvalidOptionError, match="batch_size"):
        c.add_many([], batch_size=0)
    assert len(c) == 0


def test_csv_with_a_ragged_row_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text('id,text\na,"one",extra\n', encoding="utf-8")
    with pytest.raises(ValueError, match="more cells"):
        Corpus(progress=False).add_many(path)


# -- table output ---------------------------------------------------------------------


def test_cluster_table_has_one_row_per_page(expected: list[list[str]]) -> None:
    c = Corpus(progress=False)
    c.add_many(records())
    t = c.cluster_table()
    assert t["id"] == c.ids
    for n, ids in enumerate(expected):
        for pid in ids:
            i = t["id"].index(pid)
            assert t["cluster_id"][i] == n
            assert t["is_representative"][i] == (pid == ids[0])
            assert t["kind"][i] == c.clusters()[n].kind
    alone = set(c.ids) - {p for ids in expected for p in ids}
    for pid in alone:
        i = t["id"].index(pid)
        assert (t["cluster_id"][i], t["is_representative"][i], t["kind"][i]) == (None, False, None)


def test_match_table_has_the_figures_of_all_matches(expected: list[list[str]]) -> None:
    c = Corpus(progress=False)
    c.add_many(records())
    t = c.match_table()
    rows = [dict(zip(t, row, strict=True)) for row in zip(*t.values(), strict=True)]
    full = {(m.id, m.other): m for m in c.all_matches()}
    assert {(r["id"], r["other"]) for r in rows} == set(full)
    for r in rows:
        m = full[(r["id"], r["other"])]
        assert (r["kind"], r["shared_tokens"]) == (m.kind, m.shared_tokens)
        for col in ("score", "coverage", "other_coverage", "vocabulary", "other_vocabulary"):
            assert r[col] == pytest.approx(getattr(m, col)), col
        assert 0.0 <= r["coverage"] <= 1.0 and 0.0 <= r["other_coverage"] <= 1.0
    # Every story's pages are joined by its edges.
    for ids in expected:
        linked = {
            p for r in rows if {r["id"], r["other"]} <= set(ids) for p in (r["id"], r["other"])
        }
        assert linked == set(ids)


def test_to_arrow_and_to_pandas_join_back_to_the_input(expected: list[list[str]]) -> None:
    pa = pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    c = Corpus(progress=False)
    c.add_many(records())
    t = c.to_arrow()
    assert t.column_names == [
        "id",
        "cluster_id",
        "is_representative",
        "kind",
        "source",
        "published",
    ]
    assert t.schema.field("cluster_id").type == pa.int64()
    assert t.num_rows == len(c)
    df = c.to_pandas()
    assert str(df["cluster_id"].dtype) == "Int64"
    joined = pd.DataFrame(records()).merge(df[["id", "cluster_id"]], on="id")
    grouped = joined.dropna(subset=["cluster_id"]).groupby("cluster_id")["id"].apply(set)
    assert sorted(map(sorted, grouped)) == sorted(map(sorted, expected))
    assert df["cluster_id"].isna().sum() == len(c) - sum(map(len, expected))


# -- HTML -------------------------------------------------------------------------------


def html_page(outlet_menu: list[str], headline: str, paragraphs: list[str]) -> str:
    from html import escape

    nav = "".join(f'<li><a href="/{escape(m.lower())}">{escape(m)}</a></li>' for m in outlet_menu)
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html><head><title>" + escape(headline) + "</title></head><body>"
        f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>{escape(headline)}</h1>"
        f"{body}</article></main><aside><h2>Most read</h2><ul><li><a href='/x'>Weather "
        "warning for the weekend</a></li></ul></aside><footer><p>Contact us | Terms</p></footer>"
        "</body></html>"
    )


def test_html_pages_are_extracted_and_repeat_copies_are_not_emptied(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    menus = [["Home", "World"], ["Start", "News"], ["Front", "Nation"], ["Index", "Globe"]]
    html = [html_page(m, "Ferry strikes reef", FERRY) for m in menus]
    c = Corpus(progress=False)
    for n, h in enumerate(html):  # the same article four times: trafilatura's dedup would bite
        c.add_html(f"p{n}", h, source=f"outlet{n}.example")
    c.add_html("sat", html_page(["Home"], "Satellite", SATELLITE), source="outlet0.example")
    for n in range(4):
        text = c.text(f"p{n}")
        assert "struck a submerged reef" in text
        assert "<p>" not in text
    assert [sorted(cl.ids) for cl in c.clusters()] == [["p0", "p1", "p2", "p3"]]
    m = c.explain("p0", "p3")
    assert m is not None
    for p in m.passages:  # offsets refer to the extracted text
        assert c.text("p0")[p.start : p.end] == p.text
    rows = [{"id": f"p{n}", "html": h, "source": f"o{n}"} for n, h in enumerate(html)]
    path = write_jsonl(tmp_path / "html.jsonl", rows)
    c2 = Corpus(progress=False)
    c2.add_many(path, html_field="html")
    assert c2.text("p1") == c.text("p1")
    assert (
        cli.main(["report", str(path), "--html-field", "html", "-o", str(tmp_path / "r.html")]) == 0
    )
    assert "<mark" in (tmp_path / "r.html").read_text(encoding="utf-8")


# -- progress -----------------------------------------------------------------------------


def test_progress_bars_can_be_forced_and_silenced(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm")
    c = Corpus(progress=True)
    c.add_many(records())
    c.clusters()
    err = capsys.readouterr().err
    assert "adding pages" in err and "12/12" in err
    assert "stories" in err
    c = Corpus(progress=True)
    c.add_many(records(), progress=False)
    c.clusters(progress=False)
    assert capsys.readouterr().err == ""
    c = Corpus()  # default: standard error is not a terminal under pytest
    c.add_many(records())
    c.clusters()
    assert capsys.readouterr().err == ""
    with pytest.raises(InputTypeError, match="progress"):
        Corpus(progress="yes")  # type: ignore[arg-type]


# -- the core without optional packages ----------------------------------------------------

BLOCKED = [
    "pyarrow", "pandas", "polars", "trafilatura", "tqdm", "zstandard", "duckdb", "datasets",
    "matplotlib", "selenium", "lxml",
]  # fmt: skip


def test_core_works_with_optional_packages_blocked(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    write_jsonl(path, records())
    script = textwrap.dedent(
        f"""
        import sys
        for name in {BLOCKED!r}:
            sys.modules[name] = None  # any import of it now raises ImportError
        import dedup
        c = dedup.Corpus()
        c.add_many({str(path)!r})
        assert [cl.ids for cl in c.clusters()] == {STORIES!r}, c.clusters()
        c.report({str(tmp_path / "r.html")!r})
        assert c.cluster_table()["id"] == c.ids
        for call in (c.to_arrow, lambda: c.add_html("x", "<p>x</p>")):
            try:
                call()
            except dedup.MissingDependencyError as e:
                assert "pip install" in str(e)
            else:
                raise AssertionError("expected MissingDependencyError")
        assert not any(sys.modules.get(n) for n in {BLOCKED!r})
        print("ok")
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "tests")}
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_cli_cluster_writes_a_per_page_table(
    tmp_path: Path, suffix: str, expected: list[list[str]]
) -> None:
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    src = write_jsonl(tmp_path / "pages.jsonl", records())
    out = tmp_path / f"stories{suffix}"
    assert cli.main(["cluster", str(src), "-o", str(out), "--no-progress"]) == 0
    rows = list(read_records(out))
    assert [r["id"] for r in rows] == [r["id"] for r in records()]
    by_story: dict[str, list[str]] = {}
    for r in rows:
        if r["cluster_id"] is not None:
            by_story.setdefault(str(r["cluster_id"]), []).append(r["id"])
    assert sorted(map(sorted, by_story.values())) == sorted(map(sorted, expected))


@pytest.mark.parametrize(
    "line",
    [
        b'{"id": "a", "text": "caf\\u00e9 \\u201cquoted\\u201d"}',
        b'{"id": "a", "text": "emoji \\ud83d\\ude00 pair"}',
        b'{"id": "a", "text": "lone \\ud800 surrogate"}',
        b'{"id": "a", "text": "x", "n": NaN}',
        b'{"id": "a", "text": "x", "id": "b"}',
        '{"id": "a", "text": "déjà vu"}\r'.encode(),
        b'{"id": "a", "text": "bad \xff byte"}',
        b"[1, 2]",
        b'{"id": "a", "text": "unterminated',
    ],
)
def test_jsonl_from_bytes_reads_exactly_what_the_json_module_reads(
    tmp_path: Path, line: bytes
) -> None:
    # orjson parses JSON lines from bytes; whatever it refuses, the json module
    # decides, so the result (or the error) is the same as reading text lines. (One
    # known difference: an integer beyond 64 bits becomes a float, which no field
    # of a page record can use: ids and texts must be strings.)
    from dedup import io as dio
    from dedup.errors import DedupError

    path = tmp_path / "pages.jsonl"
    path.write_bytes(line + b"\n")

    def read(records: Any) -> object:
        try:
            return list(records)
        except DedupError as e:
            return type(e)

    # Each reader closes the file it is given.
    fast = read(dio._jsonl_bytes(str(path), open(path, "rb"), dio._orjson))  # noqa: SIM115
    slow = read(dio._jsonl_text(str(path), open(path, "rb")))  # noqa: SIM115
    assert fast == slow


# Lines of a JSON lines file, each a way a record can be written or broken: the
# core takes the ordinary ones and hands the others back to Python whole.
_LINES = [
    b'{"id": "%(id)s", "text": "Floods cut the coastal road overnight.", "source": "A"}',
    b'{"source": "B", "text": "caf\\u00e9 \\u201cquoted\\u201d\\nsecond line", "id": "%(id)s"}',
    b'{"id": "%(id)s", "text": "emoji \\ud83d\\ude00", "published": "2024-05-01T08:30:00Z"}',
    b'{"id": "%(id)s", "text": "x", "published": "yesterday"}',
    b'{"id": "%(id)s", "text": "x", "source": 7, "published": null}',
    b'{"id": "%(id)s", "text": "x", "n": NaN}',
    b'{"id": "%(id)s", "text": "x", "big": 123456789012345678901234567890}',
    b'{"id": 123456789012345678901234567890, "text": "x"}',
    b'{"id": "%(id)s", "text": "first", "text": "last", "id": "%(id)s-2"}',
    b'{"\\u0069d": "%(id)s", "te\\u0078t": "escaped keys"}',
    b'{"id": "%(id)s", "text": "lone \\ud800 surrogate"}',
    b'{"id": "lone \\udc00 %(id)s", "text": "x"}',
    b'{"id": "%(id)s", "text": 3}',
    b'{"id": "%(id)s", "text": null}',
    b'{"id": "%(id)s"}',
    b'{"text": "no id"}',
    b'{"id": "%(id)s", "text": "bad \xff byte"}',
    b"[1, 2]",
    b'{"id": "%(id)s", "text": "unterminated',
    b'{"id": "dup", "text": "a repeated id"}',
    b"   \t",
    b"",
    b'\xef\xbb\xbf{"id": "%(id)s", "text": "after a byte order mark"}',
]


def _load_both(tmp_path: Path, data: bytes, batch_size: int, keep_texts: bool) -> list[object]:
    """What adding a JSON lines file does, read by the core and by Python: the
    error raised (type and message) and the pages added, for each."""
    from dedup.errors import DedupError

    path = tmp_path / "pages.jsonl"
    path.write_bytes(data)
    out: list[object] = []
    for records in (path, read_records(path)):
        corpus = Corpus(progress=False, keep_texts=keep_texts)
        try:
            corpus.add_many(records, batch_size=batch_size)
            error = None
        except DedupError as e:
            error = (type(e).__name__, str(e))
        # `chars` (the text's length, which picks an undated story's
        # representative) is not public: read from the page record.
        pages = [
            (
                i,
                corpus.source(i),
                corpus.published(i),
                corpus._pages[i].chars,
                corpus.text(i) if keep_texts else None,
            )
            for i in corpus.ids
        ]
        out.append((error, pages, corpus.cluster_table()))
    return out


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    picks=st.lists(st.integers(0, len(_LINES) - 1), min_size=1, max_size=12),
    batch_size=st.integers(1, 5),
    crlf=st.booleans(),
    keep_texts=st.booleans(),
)
def test_jsonl_read_by_the_core_adds_what_python_reading_adds(
    tmp_path: Path, picks: list[int], batch_size: int, crlf: bool, keep_texts: bool
) -> None:
    # Any mix of plain and broken lines, in batches of any size: the same pages
    # are added and the same error (at the same record) is raised, whichever
    # reads the file.
    end = b"\r\n" if crlf else b"\n"
    data = end.join(_LINES[k] % {b"id": b"p%d" % n} for n, k in enumerate(picks)) + end
    core, python = _load_both(tmp_path, data, batch_size, keep_texts)
    assert core == python


def test_jsonl_read_by_the_core_honours_renamed_fields(tmp_path: Path) -> None:
    rows = [
        {"key": "a", "body": "One two three.", "outlet": "X", "when": "2024-01-02"},
        {"key": "b", "body": "Four five six.", "outlet": None},
        {"key": "c", "body": "Seven.", "id": "not this", "text": "nor this"},
    ]
    path = write_jsonl(tmp_path / "renamed.jsonl", rows)
    fields = {
        "id_field": "key",
        "text_field": "body",
        "source_field": "outlet",
        "published_field": "when",
    }
    got = []
    for records in (path, read_records(path)):
        corpus = Corpus(progress=False)
        corpus.add_many(records, **fields)
        got.append([(i, corpus.text(i), corpus.source(i), corpus.published(i)) for i in corpus.ids])
    assert got[0] == got[1]
    assert [p[1] for p in got[0]] == ["One two three.", "Four five six.", "Seven."]


def test_jsonl_read_by_the_core_into_a_store_keeps_the_texts(tmp_path: Path) -> None:
    # An on-disk corpus stores each text: a chunk the core read gives them back.
    path = write_jsonl(tmp_path / "pages.jsonl", records())
    with Corpus.open(tmp_path / "news.db") as stored:
        stored.add_many(path, batch_size=3)
        texts = {i: stored.text(i) for i in stored.ids}
    memory = Corpus(progress=False)
    memory.add_many(read_records(path))
    assert texts == {i: memory.text(i) for i in memory.ids}
