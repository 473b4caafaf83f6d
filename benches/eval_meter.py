"""Real journalism: dedup against its peers on the METER corpus, in one run.

    python benches/eval_meter.py METER_DIR

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

And, in the same run, the stories of:
- the datasketch pipeline a user would write (word 5-gram MinHash of each text,
  MinHashLSH, union-find), at each threshold from 0.1 to 0.9, the best printed;
- a short script that knows which texts are the wire: each article joins the wire
  text holding the largest share of its rare word 3-grams (in at most 5 texts), when
  that share reaches a threshold (the best of 0.05 to 0.5 printed).
"""

from __future__ import annotations

import collections
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

WORD = re.compile(r"\w+")


def datasketch_stories(docs: list[dict], threshold: float) -> list[list[str]]:
    """The datasketch pipeline: word 5-gram MinHash, MinHashLSH, union-find."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    sigs = {}
    for d in docs:
        words = WORD.findall(d["text"].lower())
        shingles = {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))}
        m = MinHash(num_perm=128)
        m.update_batch([s.encode("utf-8") for s in shingles])
        sigs[d["id"]] = m
        lsh.insert(d["id"], m)
    parent = {k: k for k in sigs}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for k, m in sigs.items():
        for other in lsh.query(m):
            parent[find(other)] = find(k)
    groups: dict[str, list[str]] = collections.defaultdict(list)
    for k in sigs:
        groups[find(k)].append(k)
    return [g for g in groups.values() if len(g) > 1]


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


def main(d: str) -> None:
    r = evaluate(d)
    print(f"dedup, {r['n']} texts, {r['seconds']:.1f}s:")
    print(f"  stories: {fmt(r['stories'])}")
    print("  derived: P={:.3f} R={:.3f} F1={:.3f}".format(*r["derived"]))
    tern = ", ".join(f"{k} F1={v:.3f}" for k, v in r["ternary"].items())
    print(f"  ternary: {tern}; macro F1={r['macro']:.3f} (METER paper, supervised: 0.664)")

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
        f1, t, s, secs = max(runs, key=lambda x: x[0])
        print(f"datasketch MinHashLSH, best threshold {t:.1f}, {secs:.1f}s: {fmt(s)}")
    runs = []
    for t in [x / 20 for x in range(1, 11)]:
        s = score(d, script_stories(docs, t))
        runs.append((s["f1"], t, s))
    f1, t, s = max(runs, key=lambda x: x[0])
    print(f"rare 3-gram script given the wire, best threshold {t:.2f}: {fmt(s)}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
