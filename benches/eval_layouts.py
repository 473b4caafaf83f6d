"""Score default `dedup.Corpus()` on generated wirebench-like splits, per layout mix.

    python benches/eval_layouts.py [--seeds 1 2] [--mixes random wrap ...] [--dir /tmp/wbl]

For each mix and seed, generates a split with make_wirebench_like.py (cached in --dir),
adds every page with its source and again with source=None, and prints P/R/F1 and the
heavy-rewrite recall. Scoring uses ../shared/tools/score_clusters.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "shared" / "tools"))

from score_clusters import score  # noqa: E402

import dedup  # noqa: E402
from make_wirebench_like import MIXES, generate  # noqa: E402


def run(d: Path, with_source: bool) -> dict:
    with open(d / "docs.jsonl", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    c = dedup.Corpus()
    for doc in docs:
        c.add(doc["id"], doc["text"], source=doc["source"] if with_source else None)
    return score(str(d), [cl.ids for cl in c.clusters()])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--mixes", nargs="+", default=MIXES)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/wbl"))
    ap.add_argument("--stories", type=int, default=250)
    a = ap.parse_args()
    print(
        f"{'mix':14} {'seed':>4} | {'src P':>6} {'R':>6} {'F1':>6} {'heavy':>6} | "
        f"{'nosrc P':>7} {'R':>6} {'F1':>6} {'heavy':>6}"
    )
    for mix in a.mixes:
        for seed in a.seeds:
            d = a.dir / f"{mix}-{seed}"
            if not (d / "docs.jsonl").exists():
                generate(d, seed, a.stories, mix)
            row = []
            for ws in (True, False):
                s = run(d, ws)
                row += [s["precision"], s["recall"], s["f1"], s["recall_by_kind"].get("heavy", 1.0)]
            flag = " <" if row[0] < 0.98 or row[2] < 0.97 or row[3] < 0.9 else ""
            print(
                f"{mix:14} {seed:>4} | {row[0]:6.3f} {row[1]:6.3f} {row[2]:6.3f} {row[3]:6.3f} | "
                f"{row[4]:7.3f} {row[5]:6.3f} {row[6]:6.3f} {row[7]:6.3f}{flag}"
            )


if __name__ == "__main__":
    main()
