"""The `dedup` command line.

dedup cluster INPUT [-o OUT] [input options]
dedup report INPUT [-o report.html] [--max-clusters N] [--max-copies N] [input options]
dedup explain INPUT ID_A ID_B [input options]

input options: --id-field id --text-field text --html-field FIELD
               --source-field source --published-field published --no-progress
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import json
import os
import sys
import textwrap
from collections.abc import Sequence
from typing import TextIO

from dedup.corpus import Corpus, Match
from dedup.errors import DedupError

__all__ = ["main"]


def _input_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "input",
        help="pages as JSON lines or CSV (optionally .gz or .zst), Parquet or Arrow IPC",
    )
    p.add_argument("--id-field", default="id", help="field with the page id (default: id)")
    p.add_argument("--text-field", default="text", help="field with the page text (default: text)")
    p.add_argument(
        "--html-field",
        default=None,
        metavar="FIELD",
        help="field with the page HTML; its main text is extracted and used instead of "
        "--text-field (needs: pip install 'dedup[html]')",
    )
    p.add_argument(
        "--source-field",
        default="source",
        help="field with the outlet; strongly recommended (default: source)",
    )
    p.add_argument(
        "--published-field",
        default="published",
        help="field with the ISO 8601 publication time (default: published)",
    )
    p.add_argument(
        "--no-progress",
        dest="progress",
        action="store_const",
        const=False,
        default=None,
        help="no progress bars (they are shown only on a terminal anyway)",
    )


def _load(args: argparse.Namespace, keep_texts: bool = True) -> Corpus:
    corpus = Corpus(progress=args.progress, keep_texts=keep_texts)
    corpus.add_many(
        args.input,
        id_field=args.id_field,
        text_field=args.text_field,
        html_field=args.html_field,
        source_field=args.source_field,
        published_field=args.published_field,
    )
    return corpus


def _write_table(corpus: Corpus, path: str) -> None:
    """The per-page table (`Corpus.cluster_table`) as Parquet or CSV."""
    if path.lower().endswith(".parquet"):
        import pyarrow.parquet as pq

        pq.write_table(corpus.to_arrow(), path)
        return
    cols = corpus.cluster_table()
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for row in zip(*cols.values(), strict=True):
            w.writerow(
                "" if v is None else v.isoformat() if isinstance(v, _dt.datetime) else v
                for v in row
            )


def _cluster(args: argparse.Namespace, out: TextIO) -> int:
    # Stories need no passages: the texts are not kept (nor copied to a
    # temporary file as large as the input).
    corpus = _load(args, keep_texts=False)
    clusters = corpus.clusters()
    if args.output and args.output.lower().endswith((".parquet", ".csv")):
        _write_table(corpus, args.output)
        print(
            f"dedup: {len(corpus)} pages, {len(clusters)} stories with copies; one row per "
            f"page written to {args.output}",
            file=sys.stderr,
        )
        return 0
    target = open(args.output, "w", encoding="utf-8") if args.output else out  # noqa: SIM115
    try:
        for n, c in enumerate(clusters):
            line = {"cluster": n, "ids": c.ids, "representative": c.representative, "kind": c.kind}
            target.write(json.dumps(line, ensure_ascii=False) + "\n")
    finally:
        if target is not out:
            target.close()
    in_clusters = sum(len(c.ids) for c in clusters)
    print(
        f"dedup: {len(corpus)} pages, {len(clusters)} stories with copies, "
        f"{in_clusters} pages in them" + (f"; written to {args.output}" if args.output else ""),
        file=sys.stderr,
    )
    return 0


def _report(args: argparse.Namespace, out: TextIO) -> int:
    corpus = _load(args)
    corpus.report(args.output, max_clusters=args.max_clusters, max_copies=args.max_copies)
    print(
        f"dedup: {len(corpus)} pages, {len(corpus.clusters())} stories with copies; "
        f"report written to {args.output}",
        file=sys.stderr,
    )
    return 0


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    corpus = _load(args)
    m = corpus.explain(args.id_a, args.id_b)
    if m is None:
        out.write(f"{args.id_a} and {args.id_b}: no shared story found\n")
        return 1
    _print_match(m, out)
    return 0


def _print_match(m: Match, out: TextIO, width: int = 48) -> None:
    out.write(
        f"{m.id} <-> {m.other}: {m.kind}, score {m.score:.2f}; {m.coverage:.0%} of {m.id} "
        f"and {m.other_coverage:.0%} of {m.other} in derived sentences, words "
        f"{m.vocabulary:.0%} / {m.other_vocabulary:.0%}, containment {m.containment:.2f}, "
        f"jaccard {m.jaccard:.2f}, {len(m.passages)} shared passages\n"
    )
    for n, p in enumerate(m.passages, 1):
        left = textwrap.wrap(" ".join(p.text.split()), width) or [""]
        right = textwrap.wrap(" ".join(p.other_text.split()), width) or [""]
        where_a = f"{m.id} chars {p.start}-{p.end}"
        where_b = f"{m.other} chars {p.other_start}-{p.other_end}"
        out.write(f"\n[{n}] {where_a} | {where_b}\n")
        for i in range(max(len(left), len(right))):
            a = left[i] if i < len(left) else ""
            b = right[i] if i < len(right) else ""
            out.write(f"  {a:<{width}} | {b}\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="dedup",
        description="Find syndicated and rewritten copies of the same wire story across outlets.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    pc = sub.add_parser("cluster", help="group pages into stories; one JSON line per story")
    _input_options(pc)
    pc.add_argument(
        "-o",
        "--output",
        help="write clusters here instead of standard output; a .parquet or .csv name "
        "writes one row per page instead (id, cluster_id, is_representative, kind, "
        "source, published)",
    )
    pr = sub.add_parser("report", help="write a self-contained HTML report of the stories")
    _input_options(pr)
    pr.add_argument("-o", "--output", default="report.html", help="(default: report.html)")
    pr.add_argument(
        "--max-clusters", type=int, default=1000, help="stories to list (default: 1000)"
    )
    pr.add_argument("--max-copies", type=int, default=6, help="copies shown per story (default: 6)")
    pe = sub.add_parser("explain", help="show the passages two pages share, side by side")
    _input_options(pe)
    pe.add_argument("id_a")
    pe.add_argument("id_b")
    args = parser.parse_args(argv)
    try:
        if args.command == "cluster":
            return _cluster(args, sys.stdout)
        if args.command == "report":
            return _report(args, sys.stdout)
        return _explain(args, sys.stdout)
    except DedupError as e:
        print(f"dedup: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`dedup cluster ... | head`): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
