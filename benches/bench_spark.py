"""`dedup.spark.cluster` at scale on local[2]: N generated pages read from Parquet.

    python benches/bench_spark.py --pages 200000            # generates, then runs
    python benches/bench_spark.py --pages 200000 --compare  # and checks against Corpus
    python benches/bench_spark.py --pages 1000000

The pages are those of bench_scale.py (same generator, same cache in --dir), written
once to Parquet (id, source, text). The Spark job runs in a child process:
SparkSession on local[2], `spark.read.parquet`, `dedup.spark.cluster` with `source`,
and the result written to Parquet. The script prints:

- wall time of the job (session start excluded, reading and writing included);
- the driver's Python process peak RSS (the child's own maximum resident set, from
  the kernel): the memory `dedup.spark` itself needs on the driver;
- the JVM's peak RSS (in local mode driver and executor share one JVM) and the peak
  of the executors' Python workers together, sampled from /proc every 0.2 s;
- each Spark stage's shuffle write and read and the executor's peak JVM heap, from
  Spark's own monitoring REST API (no package downloaded);
- pairwise precision/recall of the stories against the truth, and with --compare
  whether they are exactly those of `dedup cluster` (`Corpus`) on the same pages.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "shared" / "tools"))


def parquet_of(data: Path) -> Path:
    """The pages of `data`/docs.jsonl as Parquet (written once, next to it)."""
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    out = data / "pages.parquet"
    if not out.exists():
        table = pj.read_json(data / "docs.jsonl", read_options=pj.ReadOptions(block_size=1 << 26))
        pq.write_table(table.select(["id", "source", "text"]), out, row_group_size=20_000)
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(root: int) -> list[tuple[int, str]]:
    """(pid, command name) of every descendant of `root`."""
    parents: dict[int, list[tuple[int, str]]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        parents.setdefault(ppid, []).append((int(entry), name))
    out, todo = [], [root]
    while todo:
        for pid, name in parents.get(todo.pop(), []):
            out.append((pid, name))
            todo.append(pid)
    return out


class Sampler(threading.Thread):
    """Peak RSS of the child's JVM and of its Python workers (summed), from /proc."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.jvm, self.workers = root, 0, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            tree = _tree(self.root)
            jvm = sum(_rss_kb(p) for p, n in tree if n == "java")
            workers = sum(_rss_kb(p) for p, n in tree if n.startswith("python"))
            self.jvm, self.workers = max(self.jvm, jvm), max(self.workers, workers)


def child(parquet: Path, out: Path, report: Path) -> None:
    """The Spark job; writes its figures to `report` as JSON."""
    from pyspark.sql import SparkSession

    import dedup.spark

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("dedup-bench")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.driver.memory", os.environ.get("BENCH_DRIVER_MEMORY", "8g"))
        .config("spark.executor.processTreeMetrics.enabled", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    t0 = time.perf_counter()
    pages = spark.read.parquet(str(parquet))
    result = dedup.spark.cluster(pages, id_col="id", text_col="text", source_col="source")
    result.select("id", "cluster_id", "is_representative", "kind").write.mode("overwrite").parquet(
        str(out)
    )
    wall = time.perf_counter() - t0
    figures: dict[str, object] = {"wall": wall}
    ui = spark.sparkContext.uiWebUrl
    if ui:
        api = f"{ui}/api/v1/applications/{spark.sparkContext.applicationId}"

        def get(path: str) -> object:
            with urllib.request.urlopen(api + path, timeout=30) as r:
                return json.load(r)

        stages = get("/stages")
        assert isinstance(stages, list)
        figures["stages"] = [
            {
                "id": s["stageId"],
                "name": (s.get("description") or s["name"]).split(" at ")[0],
                "tasks": s["numTasks"],
                "shuffle_write": s["shuffleWriteBytes"],
                "shuffle_read": s["shuffleReadBytes"],
                "input": s["inputBytes"],
            }
            for s in sorted(stages, key=lambda s: s["stageId"])
            if s["status"] == "COMPLETE"
        ]
        executors = get("/executors")
        assert isinstance(executors, list)
        figures["executor_peak"] = [e.get("peakMemoryMetrics", {}) for e in executors]
    report.write_text(json.dumps(figures))
    spark.stop()


def stories_of(out: Path) -> list[frozenset[str]]:
    import pyarrow.parquet as pq

    t = pq.read_table(out).to_pydict()
    groups: dict[int, set[str]] = {}
    for i, c in zip(t["id"], t["cluster_id"], strict=True):
        if c is not None:
            groups.setdefault(c, set()).add(i)
    return [frozenset(g) for g in groups.values()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=200_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/dedup-scale"))
    ap.add_argument("--compare", action="store_true", help="also run Corpus and compare")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="generator processes")
    ap.add_argument(
        "--driver-memory", default="8g", help="spark.driver.memory (the local JVM's heap)"
    )
    ap.add_argument(
        "--child", nargs=3, metavar=("PARQUET", "OUT", "REPORT"), help=argparse.SUPPRESS
    )
    args = ap.parse_args()
    if args.child:
        child(*(Path(p) for p in args.child))
        return

    from score_clusters import fmt, score

    from bench_scale import dataset, run_cli

    data = dataset(args.dir, args.pages, args.workers)
    parquet = parquet_of(data)
    size = parquet.stat().st_size / 1e6
    print(f"corpus: {args.pages:,} pages, {size:,.0f} MB of Parquet ({parquet})")
    out, report = data / "spark-out.parquet", data / "spark-report.json"
    cmd = [sys.executable, __file__, "--child", str(parquet), str(out), str(report)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, "BENCH_DRIVER_MEMORY": args.driver_memory})
    sampler = Sampler(proc.pid)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    sampler.done.set()
    total = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"the Spark job failed with status {status}")
    fig = json.loads(report.read_text())
    print(
        f"dedup.spark.cluster on local[2]: {fig['wall']:.1f}s "
        f"({args.pages / fig['wall']:,.0f} pages/s; {total:.1f}s with session start and stop)"
    )
    print(f"  driver Python process peak RSS: {usage.ru_maxrss / 1024:,.0f} MB")
    print(
        f"  JVM peak RSS (driver and executor, local mode): {sampler.jvm / 1024:,.0f} MB; "
        f"executor Python workers together: {sampler.workers / 1024:,.0f} MB"
    )
    for e in fig.get("executor_peak", []):
        if e:
            print(
                f"  executor peak JVM heap {e.get('JVMHeapMemory', 0) / 2**20:,.0f} MB, "
                f"Python workers (Spark's process tree metric) "
                f"{e.get('ProcessTreePythonRSSMemory', 0) / 2**20:,.0f} MB"
            )
    print("  stages (shuffle write / read, MB):")
    for s in fig.get("stages", []):
        print(
            f"    {s['id']:>3} {s['name'][:40]:<40} {s['tasks']:>5} tasks  "
            f"{s['shuffle_write'] / 1e6:>9,.1f} / {s['shuffle_read'] / 1e6:>9,.1f}"
        )
    found = stories_of(out)
    s = score(str(data), [sorted(g) for g in found])
    print(f"  quality: {fmt(s)}")
    if args.compare:
        wall, _, rss, clusters = run_cli(data, None)
        same = set(found) == {frozenset(c) for c in clusters}
        print(
            f"dedup cluster (Corpus) on the same pages: {wall:.1f}s, "
            f"peak RSS {rss / 2**20:,.0f} MB; stories identical: {same}"
        )


if __name__ == "__main__":
    main()
