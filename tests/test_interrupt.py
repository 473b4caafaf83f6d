"""Ctrl-C during a long call: `KeyboardInterrupt` within a second, and the corpus
still usable (issue 12). A child process builds a corpus; the test sends it SIGINT
while it clusters."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

CHILD = textwrap.dedent(
    """
    import random, sys, time
    import dedup

    n = int(sys.argv[1])
    rng = random.Random(7)
    words = [f"w{i}" for i in range(5000)]
    # Twenty reworded copies of each story: many candidate pairs to verify, so
    # the analysis runs for seconds (about 4-5 s at 60,000 pages on two cores).
    stories = [[rng.choice(words) for _ in range(150)] for _ in range(n // 20)]
    c = dedup.Corpus(progress=False)
    pages = []
    for i in range(n):
        body = list(stories[i % len(stories)])
        for _ in range(12):
            body[rng.randrange(len(body))] = rng.choice(words)
        pages.append({"id": f"p{i}", "text": " ".join(body) + ".", "source": f"s{i % 97}"})
    c.add_many(pages)
    print("start", flush=True)
    t0 = time.perf_counter()
    try:
        c.clusters()
    except KeyboardInterrupt:
        print(f"interrupted {time.perf_counter() - t0:.3f}", flush=True)
        # the corpus is still usable
        c.add("late", "A late page of its own, about nothing in particular at all.")
        print(f"still {len(c)}", flush=True)
    else:
        print("finished", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
def test_ctrl_c_during_clusters_raises_keyboardinterrupt_within_a_second() -> None:
    # Enough pages for the analysis to take several seconds on two cores.
    n = int(os.environ.get("DEDUP_INTERRUPT_PAGES", "60000"))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(n)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "start"
        time.sleep(0.5)  # well inside the analysis
        sent = time.perf_counter()
        child.send_signal(signal.SIGINT)
        line = child.stdout.readline().strip()
        waited = time.perf_counter() - sent
        assert line.startswith("interrupted"), line
        assert waited < 1.0, f"KeyboardInterrupt {waited:.2f} s after SIGINT"
        assert child.stdout.readline().strip() == f"still {n + 1}"
        assert child.wait(timeout=60) == 0
    finally:
        child.kill()


def test_short_calls_do_not_wait_for_the_signal_poll() -> None:
    # Work that may be long runs on a worker thread while the caller polls for
    # Ctrl-C every 50 ms; a call that finishes sooner must return at once, not at
    # the next poll. 100 small analyses: about 0.1 s when they return at once, 5 s
    # or more when each waits out a poll.
    import dedup

    c = dedup.Corpus(progress=False)
    start = time.perf_counter()
    for i in range(100):
        c.add(f"p{i}", f"Page {i} reports that the council met on day {i} about roads.")
        c.clusters()
    took = time.perf_counter() - start
    assert took < 2.5, f"100 small add/clusters calls took {took:.1f} s"
