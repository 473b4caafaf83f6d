"""Stream mode against the whole corpus: what `add(..., match=True)` finds.

    python benches/eval_stream.py [DATA_DIR] [--list]

Streams the pages of DATA_DIR (default: the wirebench dev split,
../shared/data/wirebench-dev: docs.jsonl, truth.jsonl) into an empty `Corpus` one
at a time, in file order, with ``add(id, text, source=..., match=True)``, and
collects the pairs of pages each call relates. A stream compares a new page under
corpus statistics that are rebuilt only now and then, and before the corpus has
seen every outlet's chrome; the reference is the same pages added at once, each
page's `matches` (every verified relation, copies of an identical article
included; `all_matches` lists each verified pair once and fewer pairs, as it leaves
identical copies out).

Printed: the pairs of the reference, those the stream found and missed, and the
pairs the stream relates that the reference does not, within one story or across
stories by truth.jsonl (a relation across stories is a wrong one). ``--list``
also prints the missed and extra pairs. README.md quotes these figures.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import dedup

HERE = Path(__file__).resolve().parent
DEV = HERE.parents[1] / "shared" / "data" / "wirebench-dev"

Pair = frozenset[str]


def read_jsonl(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def whole_corpus(docs: list[dict[str, str]]) -> tuple[set[Pair], int]:
    """Every page's matches in the corpus built at once, and the number of pairs
    `all_matches` lists."""
    c = dedup.Corpus(progress=False)
    c.add_many(docs)
    pairs = {frozenset((m.id, m.other)) for pid in c.ids for m in c.matches(pid)}
    return pairs, len(c.all_matches())


def streamed(docs: list[dict[str, str]]) -> tuple[set[Pair], float]:
    """The pairs `add(..., match=True)` relates, page by page, and the time it took."""
    c = dedup.Corpus(progress=False)
    pairs: set[Pair] = set()
    t = time.perf_counter()
    for doc in docs:
        for m in c.add(doc["id"], doc["text"], source=doc.get("source"), match=True):
            pairs.add(frozenset((m.id, m.other)))
    return pairs, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", type=Path, default=DEV, help=f"(default: {DEV})")
    ap.add_argument("--list", action="store_true", help="print the missed and extra pairs")
    args = ap.parse_args()
    docs = read_jsonl(args.data / "docs.jsonl")
    story = {t["id"]: t["story"] for t in read_jsonl(args.data / "truth.jsonl")}

    exact, verified = whole_corpus(docs)
    stream, seconds = streamed(docs)
    found, missed, extra = stream & exact, exact - stream, stream - exact
    across = {p for p in extra if len({story[i] for i in p}) > 1}
    within = extra - across

    print(
        f"{args.data.name}: {len(docs)} pages; the whole corpus relates {len(exact)} pairs "
        f"of pages (matches; all_matches lists {verified}, leaving out identical copies)"
    )
    print(f"streamed page by page (add(..., match=True)): {len(stream)} pairs in {seconds:.2f} s")
    print(f"  found:   {len(found)} of {len(exact)} ({len(found) / max(len(exact), 1):.1%})")
    print(f"  missed:  {len(missed)}")
    print(f"  extra, within one story: {len(within)}")
    print(f"  extra, across stories:   {len(across)}")
    if args.list:
        for name, pairs in (("missed", missed), ("extra within", within), ("extra across", across)):
            for p in sorted(sorted(p) for p in pairs):
                print(f"  {name}: {' ~ '.join(p)}")


if __name__ == "__main__":
    main()
