"""How fast the core builds pages: tokenising, hashing and the line features of each
text, on one thread, as `dedup.featurize` runs it (the same work as adding pages to
a corpus, without the Python around it).

    python benches/bench_pages.py /tmp/dedup-scale/20000/docs.jsonl
    python benches/bench_pages.py docs.jsonl --pages 5000 --repeat 7

Reads the texts of the first --pages records of a JSON lines file (field `text`),
then builds their pages --repeat times in a child process with one core thread
(RAYON_NUM_THREADS=1, so the figure does not depend on how many cores are free) and
prints the best time and the rate in MB of UTF-8 text a second. Compare two builds
by running the script with each, alternately.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time


def measure(path: str, pages: int, repeat: int) -> None:
    from dedup._core import featurize

    texts: list[str] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if len(texts) >= pages:
                break
            if line.strip():
                texts.append(json.loads(line)["text"])
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for i in range(0, len(texts), 2000):
            featurize(texts[i : i + 2000])
        times.append(time.perf_counter() - t0)
    best = min(times)
    print(
        f"{len(texts):,} pages, {mb:.1f} MB: best of {repeat} {best:.3f} s "
        f"({mb / best:.1f} MB/s on one thread; all runs {', '.join(f'{t:.3f}' for t in times)})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", help="JSON lines with a `text` field")
    ap.add_argument("--pages", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        measure(args.path, args.pages, args.repeat)
        return
    env = dict(os.environ, RAYON_NUM_THREADS="1")
    cmd = [sys.executable, __file__, args.path, "--pages", str(args.pages)]
    subprocess.run([*cmd, "--repeat", str(args.repeat), "--child"], env=env, check=True)


if __name__ == "__main__":
    main()
