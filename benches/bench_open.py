"""Opening an on-disk corpus (`Corpus.open`): store size, time to open, a durable
`add_many`, peak memory and query latency, on N pages.

Pages are the wirebench dev split replicated as in bench_corpus.py (each replica's
words get their own suffix and its outlets their own names, so replicas share no
text); without the split, a wirebench-like set is generated first with
make_wirebench_like.py. The store is built in this process; a fresh process then
opens it and measures, so the peak RSS reported is that of opening and using it.

    python benches/bench_open.py                          # 200,000 pages
    python benches/bench_open.py --pages 1000000 --keep   # keeps bench-out/open-1000000.dedup
    python benches/bench_open.py --pages 1000000 --reuse  # measures a kept store again

The page cache is warm (the store was just written, or read by an earlier run)
unless `--cold` is given: the store's pages are then dropped from the cache first
(`posix_fadvise(DONTNEED)` on that file only), so opening reads it from the disk.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import dedup

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_corpus import suffix  # noqa: E402  (replicas are tagged as bench_corpus tags them)

DEV = HERE.parent.parent / "shared" / "data" / "wirebench-dev"
OUT = HERE.parent / "bench-out"
WORD = re.compile(r"\w+")


def load_docs() -> list[dict]:
    src = DEV
    if not (src / "docs.jsonl").exists():
        src = Path(tempfile.mkdtemp(prefix="wirebench-like-"))
        subprocess.run([sys.executable, str(HERE / "make_wirebench_like.py"), str(src)], check=True)
    with (src / "docs.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def replica(docs: list[dict], r: int) -> Iterator[dict]:
    tag = suffix(r)
    for d in docs:
        text = d["text"] if r == 0 else WORD.sub(lambda m: m.group() + tag, d["text"])
        yield {"id": f"{d['id']}-{r}", "text": text, "source": f"{d['source']} {r}"}


def pages(docs: list[dict], n: int, first_replica: int = 0) -> Iterator[dict]:
    r = first_replica
    count = 0
    while count < n:
        for rec in replica(docs, r):
            if count == n:
                return
            yield rec
            count += 1
        r += 1


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure(store: Path, n: int) -> dict[str, float]:
    """(In a fresh process.) Opens the store, adds 1,000 pages, clusters, queries."""
    docs = load_docs()
    out: dict[str, float] = {"rss_before_mb": rss_mb()}
    t = time.perf_counter()
    c = dedup.Corpus.open(store, progress=False)
    out["open_s"] = time.perf_counter() - t
    out["pages"] = len(c)
    out["rss_open_mb"] = rss_mb()
    # 1,000 new pages from replicas past the store's, in one batch (one transaction).
    first_new = n // len(docs) + 2
    new = list(pages(docs, 1000, first_new))
    t = time.perf_counter()
    c.add_many(new, batch_size=1000)
    out["add_1000_s"] = time.perf_counter() - t
    t = time.perf_counter()
    stories = c.clusters()
    out["clusters_s"] = time.perf_counter() - t
    out["stories"] = len(stories)
    # 200 queries: 100 copies of stored pages under a new first line, 100 unseen pages.
    queries = ["Updated\n" + d["text"] for d in docs[:100]]
    queries += [r["text"] for r in pages(docs, 100, first_new + 5)]
    lat, found = [], 0
    for q in queries:
        t = time.perf_counter()
        found += bool(c.query(q))
        lat.append(time.perf_counter() - t)
    lat.sort()
    out["query_p50_ms"] = 1000 * statistics.median(lat)
    out["query_p99_ms"] = 1000 * lat[int(0.99 * (len(lat) - 1))]
    out["queries_with_matches"] = found
    # A shown passage reads texts back from the store.
    t = time.perf_counter()
    c.matches(stories[0].ids[0])
    out["matches_s"] = time.perf_counter() - t
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    c.close()
    return out


def build(store: Path, n: int, docs: list[dict]) -> dict[str, float]:
    t = time.perf_counter()
    with dedup.Corpus.open(store) as c:
        c.add_many(pages(docs, n), batch_size=10_000)
    return {"build_s": time.perf_counter() - t}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=200_000)
    ap.add_argument("--store", type=Path, help="where to build the store")
    ap.add_argument("--keep", action="store_true", help="keep the store afterwards")
    ap.add_argument("--reuse", action="store_true", help="measure an existing store")
    ap.add_argument("--cold", action="store_true", help="drop the store from the page cache")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure is not None:
        print("RESULT " + json.dumps(measure(args.measure, args.pages)))
        return
    store = args.store or OUT / f"open-{args.pages}.dedup"
    store.parent.mkdir(parents=True, exist_ok=True)
    if not args.reuse and store.exists():
        sys.exit(f"{store} exists: remove it, or pass --reuse to measure it")
    docs = load_docs()
    built: dict[str, float] = {}
    if not args.reuse:
        built = build(store, args.pages, docs)
    size = sum(p.stat().st_size for p in store.parent.glob(store.name + "*"))
    text_mb = sum(len(r["text"].encode()) for r in pages(docs, len(docs))) / len(docs)
    text_mb *= args.pages / 1e6
    # A copy of the store for the measuring run, which adds pages to it.
    work = store.with_name(store.name + ".work")
    subprocess.run(["cp", "--reflink=auto", str(store), str(work)], check=True)
    if args.cold:
        fd = os.open(work, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--measure", str(work), "--pages", str(args.pages)],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        for p in work.parent.glob(work.name + "*"):
            p.unlink()
        if not args.keep:
            for p in store.parent.glob(store.name + "*"):
                p.unlink()
    m = json.loads(next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))[7:])
    cache = "cold" if args.cold else "warm"
    print(
        f"pages {int(m['pages']):,} ({text_mb:,.0f} MB of text), cores {os.cpu_count()}, "
        f"{cache} page cache"
    )
    if built:
        rate = args.pages / built["build_s"]
        print(f"build (add_many into the store) {built['build_s']:.1f}s, {rate:,.0f} pages/s")
    print(f"store size {size / 1e6:,.0f} MB")
    rate = m["pages"] / m["open_s"]
    print(
        f"Corpus.open {m['open_s']:.2f}s ({rate:,.0f} pages/s), RSS after open "
        f"{m['rss_open_mb']:,.0f} MB (interpreter {m['rss_before_mb']:,.0f} MB)"
    )
    print(f"add_many of 1,000 pages, durable: {1000 * m['add_1000_s']:.0f} ms")
    print(f"first clusters(): {m['clusters_s']:.1f}s, {int(m['stories']):,} stories")
    print(
        f"query: p50 {m['query_p50_ms']:.1f} ms, p99 {m['query_p99_ms']:.1f} ms "
        f"({int(m['queries_with_matches'])}/200 with matches)"
    )
    print(f"matches() of a page (texts read from the store): {1000 * m['matches_s']:.0f} ms")
    print(f"peak RSS {m['peak_rss_mb']:,.0f} MB")


if __name__ == "__main__":
    main()
