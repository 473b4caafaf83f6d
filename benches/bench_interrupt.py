"""Ctrl-C during `Corpus.clusters()` at scale: how long after SIGINT the
`KeyboardInterrupt` comes, at many moments of one analysis.

    python benches/bench_interrupt.py --pages 1000000 --points 12

Uses the generated corpus of bench_scale.py (run it first for --pages, or pass
--data DIR holding docs.jsonl). One process adds the pages once, times one full
analysis, then runs the analysis again --points times, sending itself SIGINT at
evenly spread moments of it (from a timer thread, as a terminal's Ctrl-C reaches
the main thread), and prints the wait after each signal and the longest wait.
With DEDUP_TRACE=1 the core's stage marks show where each signal fell. An
interrupted analysis keeps nothing, so each point starts it from the beginning:
the run takes about points / 2 full analyses.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import threading
import time
from pathlib import Path


def interrupt_after(delay: float) -> tuple[threading.Timer, list[float]]:
    """Sends this process SIGINT after `delay` seconds from a timer thread; returns
    the timer and a list that receives the moment the signal was sent."""
    sent: list[float] = []

    def fire() -> None:
        sent.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(delay, fire)
    timer.start()
    return timer, sent


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--at",
        type=float,
        nargs="*",
        default=None,
        help="seconds into the analysis to interrupt at, instead of spread moments",
    )
    ap.add_argument("--pages", type=int, default=200_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/dedup-scale"))
    ap.add_argument(
        "--data", type=Path, default=None, help="folder with docs.jsonl (default: DIR/PAGES)"
    )
    ap.add_argument(
        "--points", type=int, default=12, help="moments of the analysis to interrupt at"
    )
    args = ap.parse_args()
    data = args.data or args.dir / str(args.pages)
    docs = data / "docs.jsonl"
    if not docs.exists():
        sys.exit(f"{docs} is missing: run benches/bench_scale.py --pages {args.pages} first")

    import dedup

    # Python raises KeyboardInterrupt on SIGINT unless it started with SIGINT
    # ignored, as a shell starts background jobs: restore what a terminal gives.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    c = dedup.Corpus(progress=False)
    t0 = time.perf_counter()
    n = c.add_many(str(docs))
    print(f"{n} pages added in {time.perf_counter() - t0:.1f} s", flush=True)
    if args.at:
        delays = list(args.at)
    else:
        t0 = time.perf_counter()
        stories = len(c.clusters())
        full = time.perf_counter() - t0
        print(f"one full analysis (clusters): {full:.1f} s, {stories} stories", flush=True)
        # Spread over the analysis, neither at its very start nor at its end.
        delays = [full * (k + 0.5) / args.points for k in range(args.points)]

    waits: list[float] = []
    for k, delay in enumerate(delays):
        c.add(f"bench-interrupt-{k}", f"A page added to start analysis {k} afresh.")
        timer, sent = interrupt_after(delay)
        start = time.perf_counter()
        try:
            c.clusters()
        except KeyboardInterrupt:
            wait = time.perf_counter() - sent[0]
            waits.append(wait)
            print(f"SIGINT at {delay:6.1f} s: KeyboardInterrupt {wait:.3f} s later", flush=True)
        else:
            timer.cancel()
            took = time.perf_counter() - start
            print(f"SIGINT at {delay:6.1f} s: the analysis ended first ({took:.1f} s)")
    if waits:
        print(
            f"wait after SIGINT over {len(waits)} points: median {statistics.median(waits):.3f} s, "
            f"longest {max(waits):.3f} s"
        )


if __name__ == "__main__":
    main()
