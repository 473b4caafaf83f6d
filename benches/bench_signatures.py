"""Benchmark: raw text -> 128-permutation MinHash signatures, dedup against its peers.

Throughput (MB of text a second, best of ``--repeat`` runs) for

* dedup ``fast`` (OPH + optimal densification) and dedup ``affine32``
  (datasketch-identical), both from raw text, word 5-grams;
* rensa as its users run it: Python regex tokenisation, 5-gram shingles joined by a
  space, ``RMinHash(num_perm=128, seed=1)``, ``.update(shingles)``, ``.digest()``
  (and, for reference, its batch ``digest_matrix_from_token_sets``);
* datasketch as its users run it: same tokenisation,
  ``MinHash(num_perm=128).update_batch([s.encode() ...])`` (on a subset: it is slow);
* datasketch and dedup ``affine32`` on the *same* precomputed shingles
  (``signatures_from_shingles``), which must give identical signatures;

and the estimation error of each: mean absolute error of estimated against exact
Jaccard similarity of word 5-gram sets over pairs made by controlled word edits.

The corpus is generated here (vocabulary-based news-like sentences, deterministic in
``--seed``), nothing is downloaded. Results also go to ``bench-out/`` as JSON.

    python benches/bench_signatures.py            # ~30 MB, 1 thread, plus a 2-thread run
    python benches/bench_signatures.py --quick    # ~4 MB, for a smoke test
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-out"
NUM_PERM = 128
K = 5

# --- corpus -------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


FUNCTION = _words(
    "the the the the of of of to to to and and and a a in in that is was for on on it "
    "with as by at from his her their its an be has have had were are would will could "
    "this which but not after about more than also who been over into up out when "
    "some there they we our all new two last year first one other"
)
NOUNS = _words(
    "government minister president officials police court election vote talks deal "
    "market shares prices inflation economy company bank rates growth jobs workers "
    "union strike report statement spokesman spokeswoman agency ministry parliament "
    "opposition party leader leaders campaign budget plan plans law bill tax taxes "
    "health hospital patients schools students teachers city town region border "
    "troops forces attack ceasefire aid refugees weather storm floods fire damage "
    "investigation charges trial judge lawyers witnesses families victims residents "
    "energy oil gas power prices exports imports trade tariffs sanctions summit "
    "season match team coach players fans club league title goal record profit "
    "quarter forecast revenue investors analysts technology data users network "
    "security officials sources week month morning evening weekend decade century "
    "country countries nation state states capital province district village"
)
VERBS = _words(
    "said says told announced reported confirmed denied warned urged called agreed "
    "rejected approved signed launched opened closed raised cut rose fell grew dropped "
    "increased reduced won lost killed injured arrested charged released held met "
    "visited left returned promised expected planned added noted described accused "
    "blamed praised criticised ordered demanded received sent reached began ended "
    "continued remained became showed suggested estimated published"
)
ADJECTIVES = _words(
    "new former local national international foreign public private major small large "
    "early late recent final key senior top high low strong weak economic political "
    "military financial official annual further several many few serious heavy "
    "severe sharp modest open independent regional federal central northern southern "
    "eastern western"
)
DAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
MONTHS = _words(
    "January February March April May June July August September October November December"
)
ROLES = _words("minister spokesman spokeswoman chief director governor mayor analyst economist")
SYLLABLES = _words("ka ri to me lan ber son ar el is ov na de mor ha lin su ta vik gor")


def _zipf_weights(n: int, s: float = 1.05) -> list[float]:
    acc, out = 0.0, []
    for r in range(1, n + 1):
        acc += 1.0 / r**s
        out.append(acc)
    return out


class NewsGenerator:
    """News-like English from a fixed vocabulary with a Zipf-like word distribution."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        name_rng = random.Random(seed ^ 0x5EED)

        def name() -> str:
            parts = name_rng.randint(2, 3)
            return "".join(name_rng.choice(SYLLABLES) for _ in range(parts)).capitalize()

        # A long tail of proper names makes the vocabulary realistic in size.
        self.people = [f"{name()} {name()}" for _ in range(3000)]
        self.places = [name() for _ in range(800)]
        self.orgs = [f"{name()} {w}" for w in ("Group", "Bank", "Party", "Council") * 100]
        content = NOUNS + VERBS + ADJECTIVES
        name_rng.shuffle(content)
        self.content = content
        self.content_w = _zipf_weights(len(content))
        self.people_w = _zipf_weights(len(self.people), 0.9)
        self.places_w = _zipf_weights(len(self.places), 0.9)

    def _pick(self, words: list[str], cum: list[float], n: int) -> list[str]:
        return self.rng.choices(words, cum_weights=cum, k=n)

    def _phrase(self, n: int) -> str:
        words = self._pick(self.content, self.content_w, n)
        out = []
        for w in words:
            if self.rng.random() < 0.45:
                out.append(self.rng.choice(FUNCTION))
            out.append(w)
        return " ".join(out)

    def _number(self) -> str:
        r = self.rng.random()
        if r < 0.3:
            return f"{self.rng.randint(2, 99)}.{self.rng.randint(0, 9)} percent"
        if r < 0.6:
            return f"${self.rng.randint(1, 950)} million"
        if r < 0.8:
            return f"{self.rng.randint(1, 99)},{self.rng.randint(0, 999):03d}"
        return str(self.rng.randint(1990, 2026))

    def sentence(self) -> str:
        rng = self.rng
        person = self._pick(self.people, self.people_w, 1)[0]
        place = self._pick(self.places, self.places_w, 1)[0]
        kind = rng.random()
        if kind < 0.25:
            s = (
                f"{person}, the {rng.choice(ADJECTIVES)} {rng.choice(ROLES)} of "
                f"{rng.choice(self.orgs)}, said on {rng.choice(DAYS)} that "
                f"{self._phrase(rng.randint(4, 10))}."
            )
        elif kind < 0.45:
            s = (
                f"\u201c{self._phrase(rng.randint(4, 9)).capitalize()},\u201d "
                f"{person} told reporters in {place}."
            )
        elif kind < 0.65:
            s = (
                f"In {rng.choice(MONTHS)}, {self._phrase(rng.randint(3, 8))} "
                f"{rng.choice(VERBS)} {self._number()} in {place}, the U.S. "
                f"{rng.choice(NOUNS)} said."
            )
        elif kind < 0.8:
            s = (
                f"The {rng.choice(NOUNS)} {rng.choice(VERBS)} {self._number()} after "
                f"{self._phrase(rng.randint(5, 12))}, according to {rng.choice(self.orgs)}."
            )
        else:
            s = f"{self._phrase(rng.randint(8, 18)).capitalize()}, it's {rng.choice(ADJECTIVES)}."
        return s

    def document(self, size: int = 3000) -> str:
        head = self._phrase(self.rng.randint(4, 8)).title()
        parts = [head, "\n\n", f"{self.rng.choice(self.places).upper()} (Wire) \u2014 "]
        length = sum(map(len, parts))
        para = 0
        while length < size:
            s = self.sentence()
            parts.append(s)
            para += 1
            sep = "\n\n" if para % 3 == 0 else " "
            parts.append(sep)
            length += len(s) + len(sep)
        return "".join(parts).strip()

    def corpus(self, total_bytes: int, doc_size: int = 3000) -> list[str]:
        docs: list[str] = []
        size = 0
        while size < total_bytes:
            d = self.document(doc_size + self.rng.randint(-600, 600))
            docs.append(d)
            size += len(d.encode("utf-8"))
        return docs

    def edit(self, text: str, rate: float) -> str:
        """A rewrite: each word is substituted, deleted or followed by an insertion
        with total probability `rate`."""
        rng = self.rng
        out: list[str] = []
        for w in text.split(" "):
            r = rng.random()
            if r < rate / 3:
                out.append(rng.choice(self.content))
            elif r < 2 * rate / 3:
                continue
            elif r < rate:
                out.extend([w, rng.choice(self.content)])
            else:
                out.append(w)
        return " ".join(out)


def load_corpus(mb: float, seed: int) -> list[str]:
    """The corpus, cached under bench-out/ so child runs need not regenerate it."""
    path = OUT / f"corpus-{mb:g}MB-seed{seed}.json"
    if path.exists():
        docs: list[str] = json.loads(path.read_text("utf-8"))
        return docs
    docs = NewsGenerator(seed).corpus(int(mb * 1e6))
    OUT.mkdir(exist_ok=True)
    path.write_text(json.dumps(docs), "utf-8")
    return docs


# --- how peers' users shingle ---------------------------------------------------------

WORD_RE = re.compile(r"\w+")


def regex_shingles(text: str) -> list[str]:
    tokens = WORD_RE.findall(text.lower())
    if len(tokens) < K:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i : i + K]) for i in range(len(tokens) - K + 1)]


# --- timing -------------------------------------------------------------------------


def best_of(repeat: int, fn: Any) -> float:
    return best_of_with_cpu(repeat, fn)[0]


def best_of_with_cpu(repeat: int, fn: Any) -> tuple[float, float]:
    """Wall seconds of the fastest run, and the CPU seconds (all threads) it used."""
    best = (float("inf"), 0.0)
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        best = min(best, (wall, cpu))
    return best


def mb_of(docs: list[str]) -> float:
    return sum(len(d.encode("utf-8")) for d in docs) / 1e6


def dedup_throughput(docs: list[str], repeat: int) -> dict[str, float]:
    import dedup

    sh = dedup.Shingler(unit="word", k=K)
    mb = mb_of(docs)
    out = {}
    for scheme in ("fast", "affine32"):
        mh = dedup.MinHasher(num_perm=NUM_PERM, seed=1, scheme=scheme, shingler=sh)
        mh.signatures(docs[:50])  # warm up
        wall, cpu = best_of_with_cpu(repeat, lambda mh=mh: mh.signatures(docs))
        out[scheme] = mb / wall
        # CPU time shows whether threads got cores when the machine is shared.
        out[scheme + "_cpu_mb_s"] = mb / cpu
        out[scheme + "_cores_used"] = cpu / wall
    return out


def run_throughput(args: argparse.Namespace, docs: list[str]) -> dict[str, Any]:
    import datasketch
    import numpy as np
    from rensa import RMinHash

    import dedup

    res: dict[str, Any] = {}
    mb = mb_of(docs)
    print(f"corpus: {len(docs)} docs, {mb:.1f} MB, mean {mb * 1e6 / len(docs):.0f} B/doc")

    d = dedup_throughput(docs, args.repeat)
    res["dedup_fast"] = d["fast"]
    res["dedup_affine32"] = d["affine32"]
    for scheme in ("fast", "affine32"):
        res[f"dedup_{scheme}_cpu_mb_s"] = d[scheme + "_cpu_mb_s"]
    print(f"dedup fast      (text -> sig) {d['fast']:9.1f} MB/s")
    print(f"dedup affine32  (text -> sig) {d['affine32']:9.1f} MB/s")

    def rensa_users() -> None:
        for text in docs:
            m = RMinHash(num_perm=NUM_PERM, seed=1)
            m.update(regex_shingles(text))
            m.digest()

    res["rensa"] = mb / best_of(args.repeat, rensa_users)
    print(f"rensa  RMinHash (text -> sig) {res['rensa']:9.1f} MB/s")

    def rensa_batch() -> None:
        RMinHash.digest_matrix_from_token_sets(
            [regex_shingles(t) for t in docs], num_perm=NUM_PERM, seed=1
        )

    res["rensa_batch"] = mb / best_of(args.repeat, rensa_batch)
    print(f"rensa  batch API (text -> sig){res['rensa_batch']:9.1f} MB/s  (digest_matrix_...)")

    sub = docs[: max(1, int(len(docs) * min(1.0, args.datasketch_mb / mb)))]
    sub_mb = mb_of(sub)

    def datasketch_users() -> None:
        for text in sub:
            m = datasketch.MinHash(num_perm=NUM_PERM)
            m.update_batch([s.encode("utf-8") for s in regex_shingles(text)])
            m.digest()

    res["datasketch"] = sub_mb / best_of(max(1, args.repeat - 1), datasketch_users)
    print(f"datasketch      (text -> sig) {res['datasketch']:9.1f} MB/s  (on {sub_mb:.1f} MB)")

    # Same precomputed shingles, as bytes, for both.
    sh = dedup.Shingler(unit="word", k=K)
    lists = [[s.encode("utf-8") for s in sh.shingles(t)] for t in sub]
    mh32 = dedup.MinHasher(num_perm=NUM_PERM, seed=1, scheme="affine32", shingler=sh)
    ours = mh32.signatures_from_shingles(lists)
    res["dedup_affine32_shingles"] = sub_mb / best_of(
        args.repeat, lambda: mh32.signatures_from_shingles(lists)
    )
    theirs = []

    def datasketch_shingles() -> None:
        theirs.clear()
        for lst in lists:
            m = datasketch.MinHash(num_perm=NUM_PERM, seed=1)
            m.update_batch(lst)
            theirs.append(m.hashvalues)

    res["datasketch_shingles"] = sub_mb / best_of(max(1, args.repeat - 1), datasketch_shingles)
    res["affine32_identical_to_datasketch"] = bool(np.array_equal(ours, np.array(theirs)))
    print(
        f"same shingles: dedup affine32 {res['dedup_affine32_shingles']:.1f} MB/s, "
        f"datasketch {res['datasketch_shingles']:.1f} MB/s, identical signatures: "
        f"{res['affine32_identical_to_datasketch']}"
    )
    return res


# --- accuracy -----------------------------------------------------------------------


def run_accuracy(args: argparse.Namespace) -> dict[str, Any]:
    import datasketch
    import numpy as np
    from rensa import RMinHash

    import dedup

    gen = NewsGenerator(args.seed + 1)
    pairs = []
    for i in range(args.pairs):
        a = gen.document(3000)
        # Edit rates up to 0.35 give true Jaccard of word 5-grams from 1 to ~0.05.
        rate = 0.35 * i / max(1, args.pairs - 1)
        pairs.append((a, gen.edit(a, rate)))

    sh = dedup.Shingler(unit="word", k=K)

    def jaccard(x: set[Any], y: set[Any]) -> float:
        return len(x & y) / len(x | y) if x | y else 1.0

    exact_dedup = [jaccard(set(sh.shingles(a)), set(sh.shingles(b))) for a, b in pairs]
    rx = [(regex_shingles(a), regex_shingles(b)) for a, b in pairs]
    exact_rx = [jaccard(set(a), set(b)) for a, b in rx]
    seeds = range(1, args.accuracy_seeds + 1)
    errors: dict[str, list[float]] = {k: [] for k in ("fast", "affine32", "rensa", "datasketch")}
    texts = [t for p in pairs for t in p]
    for seed in seeds:
        for scheme in ("fast", "affine32"):
            mh = dedup.MinHasher(num_perm=NUM_PERM, seed=seed, scheme=scheme, shingler=sh)
            sigs = mh.signatures(texts)
            est = (sigs[0::2] == sigs[1::2]).mean(axis=1)
            errors[scheme].extend(np.abs(est - np.array(exact_dedup)).tolist())
        for (a, b), exact in zip(rx, exact_rx, strict=True):
            ra, rb = RMinHash(num_perm=NUM_PERM, seed=seed), RMinHash(NUM_PERM, seed)
            ra.update(a)
            rb.update(b)
            errors["rensa"].append(abs(ra.jaccard(rb) - exact))
            da = datasketch.MinHash(num_perm=NUM_PERM, seed=seed)
            db = datasketch.MinHash(num_perm=NUM_PERM, seed=seed)
            da.update_batch([s.encode() for s in a])
            db.update_batch([s.encode() for s in b])
            errors["datasketch"].append(abs(da.jaccard(db) - exact))
    mae = {k: float(np.mean(v)) for k, v in errors.items()}
    n_shingles = float(np.mean([len(set(sh.shingles(a))) for a, _ in pairs]))
    res = {
        "pairs": args.pairs,
        "seeds": len(seeds),
        "mean_distinct_shingles": n_shingles,
        "true_jaccard_range": [min(exact_dedup), max(exact_dedup)],
        "mae": mae,
        # affine32 on dedup's shingles *is* datasketch (bit-identical), so it is the
        # k-permutation reference on exactly the sets `fast` sees.
        "fast_over_kperm_same_shingles": mae["fast"] / mae["affine32"],
        "fast_over_datasketch": mae["fast"] / mae["datasketch"],
    }
    print(
        f"accuracy: {args.pairs} pairs x {len(seeds)} seeds, ~{n_shingles:.0f} distinct "
        f"shingles a doc, true J {min(exact_dedup):.2f}..{max(exact_dedup):.2f}"
    )
    for k, v in mae.items():
        print(f"  MAE {k:<11} {v:.4f}")
    print(
        f"  dedup fast / datasketch: {res['fast_over_datasketch']:.3f}; "
        f"fast / k-perm on the same shingles: {res['fast_over_kperm_same_shingles']:.3f}"
    )
    res["by_doc_size"] = accuracy_by_doc_size(args)
    return res


def accuracy_by_doc_size(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """OPH against k-permutation (affine32, = datasketch) on the same shingles, for
    documents down to a few dozen shingles, where densification does the most."""
    import numpy as np

    import dedup

    sh = dedup.Shingler(unit="word", k=K)
    out = {}
    for size in (150, 400, 1000, 3000):
        gen = NewsGenerator(args.seed + size)
        pairs = []
        for i in range(args.pairs):
            a = gen.document(size)
            pairs.append((a, gen.edit(a, 0.35 * i / max(1, args.pairs - 1))))
        sets = [(set(sh.shingles(a)), set(sh.shingles(b))) for a, b in pairs]
        exact = np.array([len(x & y) / len(x | y) for x, y in sets])
        texts = [t for p in pairs for t in p]
        mae = {}
        for scheme in ("fast", "affine32"):
            errs = []
            for seed in range(1, 2 * args.accuracy_seeds + 1):
                mh = dedup.MinHasher(num_perm=NUM_PERM, seed=seed, scheme=scheme, shingler=sh)
                sig = mh.signatures(texts)
                errs.append(float(np.abs((sig[0::2] == sig[1::2]).mean(axis=1) - exact).mean()))
            mae[scheme] = float(np.mean(errs))
        shingles = float(np.mean([len(x) for x, _ in sets]))
        out[str(size)] = {"shingles": shingles, **mae, "ratio": mae["fast"] / mae["affine32"]}
        print(
            f"  docs of ~{size} B ({shingles:.0f} shingles): MAE fast {mae['fast']:.4f}, "
            f"k-perm {mae['affine32']:.4f}, ratio {mae['fast'] / mae['affine32']:.3f}"
        )
    return out


# --- main ---------------------------------------------------------------------------


def child_dedup_only(args: argparse.Namespace) -> None:
    docs = load_corpus(args.mb, args.seed)
    json.dump(dedup_throughput(docs, args.repeat), sys.stdout)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mb", type=float, default=30.0, help="corpus size in MB (default 30)")
    p.add_argument("--threads", type=int, default=1, help="rayon threads for the main run")
    p.add_argument("--quick", action="store_true", help="4 MB corpus, fewer pairs and repeats")
    p.add_argument("--repeat", type=int, default=3, help="timing runs, best kept")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--pairs", type=int, default=300, help="pairs for the accuracy check")
    p.add_argument("--accuracy-seeds", type=int, default=5, help="MinHash seeds averaged")
    p.add_argument("--datasketch-mb", type=float, default=3.0, help="datasketch subset size")
    p.add_argument("--speedup-threads", type=int, default=2, help="0 skips the speed-up run")
    p.add_argument("--dedup-only", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.quick:
        args.mb, args.pairs, args.repeat, args.accuracy_seeds = 4.0, 120, 2, 2
        args.datasketch_mb = 1.0

    # Must be set before dedup (and its rayon pool) is imported. numpy's OpenBLAS
    # threads would otherwise spin on the other cores and steal time from the runs.
    os.environ["RAYON_NUM_THREADS"] = str(args.threads)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if args.dedup_only:
        child_dedup_only(args)
        return

    import dedup

    t0 = time.perf_counter()
    docs = load_corpus(args.mb, args.seed)
    print(f"corpus ready in {time.perf_counter() - t0:.1f}s; RAYON_NUM_THREADS={args.threads}")
    result: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "dedup_version": dedup.__version__,
        "args": vars(args),
        "mb": mb_of(docs),
        "docs": len(docs),
    }
    tp = run_throughput(args, docs)
    result["throughput_mb_s"] = tp

    if args.speedup_threads:
        env = {**os.environ, "RAYON_NUM_THREADS": str(args.speedup_threads)}
        cmd = [sys.executable, __file__, "--dedup-only", "--mb", str(args.mb)]
        cmd += ["--seed", str(args.seed), "--repeat", str(args.repeat)]
        cmd += ["--threads", str(args.speedup_threads)]
        child = json.loads(subprocess.run(cmd, env=env, capture_output=True, check=True).stdout)
        result["threads_run"] = {"threads": args.speedup_threads, "mb_s": child}
        for scheme in ("fast", "affine32"):
            efficiency = child[scheme + "_cpu_mb_s"] / tp["dedup_" + scheme + "_cpu_mb_s"]
            print(
                f"dedup {scheme:<9} {args.speedup_threads} threads {child[scheme]:9.1f} MB/s, "
                f"speed-up {child[scheme] / tp['dedup_' + scheme]:.2f}x; cores used "
                f"{child[scheme + '_cores_used']:.2f} of {args.speedup_threads}, CPU "
                f"efficiency vs 1 thread {efficiency:.2f}"
            )

    acc = run_accuracy(args)
    result["accuracy"] = acc
    ratios = {
        "fast_per_thread_mb_s": tp["dedup_fast"] / args.threads,
        "fast_over_rensa": tp["dedup_fast"] / tp["rensa"],
        "fast_over_rensa_batch": tp["dedup_fast"] / tp["rensa_batch"],
        "fast_over_datasketch": tp["dedup_fast"] / tp["datasketch"],
        "affine32_over_datasketch": tp["dedup_affine32"] / tp["datasketch"],
        "affine32_over_datasketch_same_shingles": tp["dedup_affine32_shingles"]
        / tp["datasketch_shingles"],
        "error_fast_over_datasketch": acc["fast_over_datasketch"],
    }
    if "threads_run" in result:
        child = result["threads_run"]["mb_s"]
        ratios["fast_speedup"] = child["fast"] / tp["dedup_fast"]
        # What the speed-up would be with every thread on a free core: the cores the
        # run got do not count against it, extra work per byte does.
        ratios["fast_speedup_if_cores_free"] = (
            args.speedup_threads * child["fast_cpu_mb_s"] / tp["dedup_fast_cpu_mb_s"]
        )
    targets = {
        "fast_per_thread_mb_s": (">=", 100.0),
        "fast_over_rensa": (">=", 6.0),
        "fast_over_datasketch": (">=", 20.0),
        "affine32_over_datasketch_same_shingles": (">=", 20.0),
        "error_fast_over_datasketch": ("<=", 1.1),
        "fast_speedup": (">=", 0.9 * args.speedup_threads),
    }
    print("\nsummary (target in brackets)")
    for k, v in ratios.items():
        tgt = targets.get(k)
        mark = ""
        if tgt:
            ok = v >= tgt[1] if tgt[0] == ">=" else v <= tgt[1]
            mark = f"[{tgt[0]} {tgt[1]:g}] {'ok' if ok else 'MISSED'}"
        print(f"  {k:<40} {v:9.2f}  {mark}")
    result["ratios"] = ratios
    OUT.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for path in (OUT / f"signatures-{stamp}.json", OUT / "signatures-latest.json"):
        path.write_text(json.dumps(result, indent=2))
    print(f"\nwrote {OUT / f'signatures-{stamp}.json'}")


if __name__ == "__main__":
    main()
