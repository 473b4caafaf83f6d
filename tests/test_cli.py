"""The `dedup` command line: `cluster` and `explain` over JSON lines and Parquet."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dedup.cli import main

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "newswire-sample.jsonl"
SAMPLE_STORIES = [
    {"wire-port", "star-port", "herald-port", "gazette-port"},
    {"star-drought", "herald-drought"},
]


def read_clusters(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_cluster_groups_the_example_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cluster", str(SAMPLE)]) == 0
    out, err = capsys.readouterr()
    clusters = read_clusters(out)
    assert [set(c["ids"]) for c in clusters] == SAMPLE_STORIES  # type: ignore[arg-type]
    for n, c in enumerate(clusters):
        assert c["cluster"] == n
        assert c["ids"][0] == c["representative"]  # type: ignore[index]
        assert c["kind"] in {"syndicated", "rewritten"}
    # the earliest published copy of the port story is the bare wire text
    assert clusters[0]["representative"] == "wire-port"
    assert "8 pages" in err


def test_cluster_writes_to_a_file_and_reads_gzip_with_other_field_names(tmp_path: Path) -> None:
    src = tmp_path / "pages.jsonl.gz"
    with gzip.open(src, "wt", encoding="utf-8") as f:
        for line in SAMPLE.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            f.write(
                json.dumps(
                    {
                        "uid": rec["id"],
                        "body": rec["text"],
                        "outlet": rec["source"],
                        "date": rec["published"],
                    }
                )
                + "\n"
            )
    out = tmp_path / "stories.jsonl"
    args = ["cluster", str(src), "-o", str(out), "--id-field", "uid", "--text-field", "body"]
    args += ["--source-field", "outlet", "--published-field", "date"]
    assert main(args) == 0
    assert [set(c["ids"]) for c in read_clusters(out.read_text())] == SAMPLE_STORIES  # type: ignore[arg-type]


def test_cluster_reads_parquet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    path = tmp_path / "pages.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    assert main(["cluster", str(path)]) == 0
    assert [set(c["ids"]) for c in read_clusters(capsys.readouterr().out)] == SAMPLE_STORIES  # type: ignore[arg-type]


def test_explain_shows_the_shared_quote_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(SAMPLE), "wire-port", "gazette-port"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("wire-port <-> gazette-port: rewritten")
    assert "We have asked for talks four times since March" in out
    assert " | " in out


def test_explain_of_unrelated_pages_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(SAMPLE), "star-drought", "wire-port"]) == 1
    assert "no shared story" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a", "text": "x"}\nnot json\n', "not valid JSON"),
        ('["a", "b"]\n', "JSON object"),
        ('{"id": "a"}\n', "needs the fields"),
        ('{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', "already in the corpus"),
    ],
)
def test_bad_input_is_an_error_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    assert main(["cluster", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dedup: error:")
    assert message in err


def test_missing_input_and_unknown_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cluster", str(tmp_path / "nope.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
    odd = tmp_path / "pages.xml"
    odd.write_text("<xml/>")
    assert main(["cluster", str(odd)]) == 2
    assert "unknown input format" in capsys.readouterr().err


def test_python_dash_m_runs_the_command_line() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "dedup", "cluster", str(SAMPLE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert read_clusters(r.stdout) == [
        {
            "cluster": 0,
            "ids": ["wire-port", "star-port", "herald-port", "gazette-port"],
            "representative": "wire-port",
            "kind": "rewritten",
        },
        {
            "cluster": 1,
            "ids": ["star-drought", "herald-drought"],
            "representative": "star-drought",
            "kind": "syndicated",
        },
    ]
    assert "8 pages, 2 stories with copies, 6 pages in them" in r.stderr
