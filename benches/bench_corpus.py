"""End-to-end `Corpus` throughput on the wirebench dev split replicated to N pages.

Each replica r > 0 is the dev split with every word given a replica-specific suffix
and every outlet renamed, so replicas share no text: the corpus grows to N pages
while each replica keeps the dev split's structure (stories, copy kinds, chrome).
The script times `add_many` + `clusters()` as a user runs them, prints pages/s and
peak RSS, and scores replica 0 and all replicas against the truth.

    python benches/bench_corpus.py                # 100,000 pages
    python benches/bench_corpus.py --pages 20000
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import resource
import sys
import time
from pathlib import Path

import dedup

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEV = SHARED / "data" / "wirebench-dev"
WORD = re.compile(r"\w+")


def suffix(r: int) -> str:
    """A letters-only tag for replica r (keeps tokens alphabetic)."""
    s = ""
    while True:
        s = chr(ord("a") + r % 26) + s
        r //= 26
        if r == 0:
            return "q" + s


def replicate(docs: list[dict], truth: dict[str, dict], pages: int):
    recs, story = [], {}
    for r in range(pages // len(docs) + 1):
        tag = suffix(r)
        for d in docs:
            if len(recs) >= pages:
                return recs, story
            text = d["text"] if r == 0 else WORD.sub(lambda m, t=tag: m.group() + t, d["text"])
            pid = f"{d['id']}-{r}"
            recs.append({"id": pid, "text": text, "source": f"{d['source']} {r}"})
            story[pid] = f"{truth[d['id']]['story']}-{r}"
    return recs, story


def pair_scores(clusters: list[list[str]], story: dict[str, str], related: set) -> dict:
    def pairs(groups):
        out = set()
        for g in groups:
            out.update(itertools.combinations(sorted(g), 2))
        return out

    by_story: dict[str, list[str]] = {}
    for pid, s in story.items():
        by_story.setdefault(s, []).append(pid)
    gold = pairs(by_story.values())

    def ignored(p):
        a, b = story[p[0]].rsplit("-", 1), story[p[1]].rsplit("-", 1)
        return a[1] == b[1] and tuple(sorted((a[0], b[0]))) in related

    pred = {p for p in pairs(clusters) if not ignored(p)}
    tp = len(pred & gold)
    prec = tp / len(pred) if pred else 1.0
    rec = tp / len(gold) if gold else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": prec, "recall": rec, "f1": f1, "false_pairs": len(pred - gold)}


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=100_000)
    ap.add_argument(
        "--peer-pages",
        type=int,
        default=20_000,
        help="pages for the datasketch pipeline (0 to skip; it is single-threaded Python)",
    )
    args = ap.parse_args()
    if not DEV.exists():
        sys.exit(f"needs {DEV} (the shared wirebench dev split)")
    docs = read_jsonl(DEV / "docs.jsonl")
    truth = {t["id"]: t for t in read_jsonl(DEV / "truth.jsonl")}
    related = {tuple(sorted(p)) for p in json.loads((DEV / "related_stories.json").read_text())}
    recs, story = replicate(docs, truth, args.pages)
    mb = sum(len(r["text"].encode()) for r in recs) / 1e6

    t0 = time.perf_counter()
    c = dedup.Corpus()
    c.add_many(recs)
    t1 = time.perf_counter()
    clusters = c.clusters()
    t2 = time.perf_counter()

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ids = [cl.ids for cl in clusters]
    r0 = [[i for i in g if i.endswith("-0")] for g in ids]
    story0 = {k: v for k, v in story.items() if k.endswith("-0")}
    s0 = pair_scores([g for g in r0 if len(g) > 1], story0, related)
    sall = pair_scores(ids, story, related)
    threads = os.environ.get("RAYON_NUM_THREADS", str(os.cpu_count()))
    print(f"pages {len(recs):,} ({mb:.0f} MB of text), cores {os.cpu_count()}, threads {threads}")
    print(f"add_many {t1 - t0:.1f}s, clusters {t2 - t1:.1f}s, total {t2 - t0:.1f}s")
    print(f"throughput {len(recs) / (t2 - t0):,.0f} pages/s end to end; peak RSS {rss:,.0f} MB")
    print(f"replica 0 (the dev split): {s0}")
    print(f"all replicas:              {sall}")
    if args.peer_pages:
        peer(recs[: args.peer_pages], story, related)


def datasketch_stories(recs: list[dict], threshold: float = 0.4) -> list[list[str]]:
    """The pipeline a datasketch user would write: word 5-gram MinHash of the raw page,
    MinHashLSH at `threshold` (0.4 is its best on the dev split), union-find over the
    candidates. Raises ImportError without datasketch."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    sigs = {}
    for r in recs:
        words = WORD.findall(r["text"].lower())
        shingles = {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))}
        m = MinHash(num_perm=128)
        m.update_batch([x.encode("utf-8") for x in shingles])
        sigs[r["id"]] = m
        lsh.insert(r["id"], m)
    parent = {k: k for k in sigs}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for k, m in sigs.items():
        for other in lsh.query(m):
            parent[find(other)] = find(k)
    groups: dict[str, list[str]] = {}
    for k in sigs:
        groups.setdefault(find(k), []).append(k)
    return [g for g in groups.values() if len(g) > 1]


def datasketch_clusters(recs: list[dict]) -> tuple[list[list[str]], float] | None:
    """`datasketch_stories` at 0.4: the clusters and the seconds taken, or None
    without datasketch."""
    try:
        import datasketch  # noqa: F401
    except ImportError:
        print("peer: datasketch not installed (pip install datasketch)")
        return None
    t0 = time.perf_counter()
    return datasketch_stories(recs), time.perf_counter() - t0


def peer(recs: list[dict], story: dict[str, str], related: set) -> None:
    """The datasketch pipeline on `recs`, scored like dedup."""
    found = datasketch_clusters(recs)
    if found is None:
        return
    clusters, dt = found
    scored = pair_scores(clusters, {r["id"]: story[r["id"]] for r in recs}, related)
    rate = len(recs) / dt
    print(f"peer datasketch MinHashLSH(0.4) + union-find, {len(recs):,} pages: {rate:,.0f} pages/s")
    print(f"peer quality:              {scored}")


if __name__ == "__main__":
    main()
