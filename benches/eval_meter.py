"""Real journalism: dedup against its peers on the METER corpus, in one run.

    python benches/eval_meter.py METER_DIR [--option NAME=VALUE ...] [--candidates]

METER (Clough, Gaizauskas, Piao and Wilks, ACL 2002) pairs Press Association wire
copy with what nine British papers printed, each article labelled wholly, partially
or non-derived from the wire. METER_DIR is a folder written by
../shared/tools/meter_prep.py (docs.jsonl, truth.jsonl, related_stories.json); the
corpus is research data and stays outside the repository.

Printed for dedup (`Corpus` defaults, the paper as `source`), with
../shared/tools/meter_eval.py's scoring:
- stories: pairwise precision/recall/F1 of the clusters against the stories (a wire
  story and every article derived from it; a non-derived article stands alone);
- derived: an article counts as derived when it shares a cluster with its wire;
- ternary: per article, the best match to its wire; none means non-derived, a
  `coverage` of at least 0.5 wholly derived, less partially; macro F1 over the three
  (the METER paper's best, a supervised classifier given the source: 0.664).

`--option` passes Corpus options (as `Corpus(name=value)`), to see what a threshold
does. `--candidates` also counts the derived articles related to their wire that
candidate generation finds, with and without the short-run candidates.

And, in the same run, the stories of:
- the datasketch pipeline a user would write (word 5-gram MinHash of each text,
  MinHashLSH, union-find), at each threshold from 0.1 to 0.9, the best printed;
- a short script that knows which texts are the wire: each article joins the wire
  text holding the largest share of its rare word 3-grams (in at most 5 texts), when
  that share reaches a threshold (the best of 0.05 to 0.5 printed).
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOOLS = HERE.parents[1] / "shared" / "tools"
sys.path.insert(0, str(TOOLS))

from meter_eval import evaluate  # noqa: E402
from score_clusters import fmt, score  # noqa: E402

from bench_corpus import datasketch_stories  # noqa: E402

WORD = re.compile(r"\w+")


def script_stories(docs: list[dict], threshold: float) -> list[list[str]]:
    """Each article joins the wire text with the largest share of its rare 3-grams."""
    grams = {}
    for d in docs:
        w = WORD.findall(d["text"].lower())
        grams[d["id"]] = {tuple(w[i : i + 3]) for i in range(len(w) - 2)}
    df = collections.Counter(g for gs in grams.values() for g in gs)
    wires = [d["id"] for d in docs if d["source"] == "PA"]
    story = {w: [w] for w in wires}
    for d in docs:
        if d["source"] == "PA":
            continue
        rare = {g for g in grams[d["id"]] if df[g] <= 5}
        if not rare:
            continue
        best = max(wires, key=lambda w: len(rare & grams[w]))
        if len(rare & grams[best]) / len(rare) >= threshold:
            story[best].append(d["id"])
    return [s for s in story.values() if len(s) > 1]


def candidates(d: str, options: dict[str, float]) -> None:
    """Derived articles with a relation to their wire, and how many of those the
    candidates find (with and without short-run candidates)."""
    import dedup

    with open(Path(d) / "docs.jsonl", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    with open(Path(d) / "truth.jsonl", encoding="utf-8") as f:
        truth = {t["id"]: t for t in map(json.loads, f)}
    wires = collections.defaultdict(list)
    for i, t in truth.items():
        if t["kind"] == "wire":
            wires[t["event"]].append(i)
    for label, extra in (("with", {}), ("without", {"min_shared_short": 10**9})):
        c = dedup.Corpus(**{**options, **extra})
        c.add_many(docs)
        related = missed = 0
        for i, t in truth.items():
            if t["kind"] not in ("wholly", "partially"):
                continue
            own = [w for w in wires[t["event"]] if c.explain(i, w) is not None]
            if not own:
                continue
            related += 1
            found = {m.other for m in c.matches(i)}
            missed += not any(w in found for w in own)
        print(
            f"candidates {label} short runs: {related - missed} of the {related} derived "
            "articles related to their wire are candidates"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("meter_dir")
    ap.add_argument("--option", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--candidates", action="store_true")
    a = ap.parse_args()
    d = a.meter_dir
    options = {k: float(v) for k, v in (o.split("=", 1) for o in a.option)}
    import dedup

    plain = dedup.Corpus
    dedup.Corpus = functools.partial(plain, **options)  # type: ignore[misc]
    try:
        r = evaluate(d)
    finally:
        dedup.Corpus = plain  # type: ignore[misc]
    shown = ", ".join(f"{k}={v:g}" for k, v in options.items()) or "defaults"
    print(f"dedup ({shown}), {r['n']} texts, {r['seconds']:.1f}s:")
    print(f"  stories: {fmt(r['stories'])}")
    print("  derived: P={:.3f} R={:.3f} F1={:.3f}".format(*r["derived"]))
    tern = ", ".join(f"{k} F1={v:.3f}" for k, v in r["ternary"].items())
    print(f"  ternary: {tern}; macro F1={r['macro']:.3f} (METER paper, supervised: 0.664)")
    if a.candidates:
        candidates(d, options)

    with open(Path(d) / "docs.jsonl", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    try:
        import datasketch  # noqa: F401
    except ImportError:
        print("datasketch: not installed (pip install datasketch)")
    else:
        runs = []
        for t in [x / 10 for x in range(1, 10)]:
            t0 = time.perf_counter()
            s = score(d, datasketch_stories(docs, t))
            runs.append((s["f1"], t, s, time.perf_counter() - t0))
        _, t, s, secs = max(runs, key=lambda x: x[0])
        print(f"datasketch MinHashLSH, best threshold {t:.1f}, {secs:.1f}s: {fmt(s)}")
    best = max(
        ((score(d, script_stories(docs, t)), t) for t in [x / 20 for x in range(1, 11)]),
        key=lambda x: x[0]["f1"],
    )
    print(f"rare 3-gram script given the wire, best threshold {best[1]:.2f}: {fmt(best[0])}")


if __name__ == "__main__":
    main()
