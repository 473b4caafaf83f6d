"""Draws docs/lsh-candidates.png: the probability that MinHash-LSH makes two texts
candidates, against their Jaccard similarity, for the banding `dedup` uses.

    pip install '.[docs]' && python docs/plot_thresholds.py

With b bands of r rows, two sets of Jaccard similarity s share at least one band
with probability 1 - (1 - s**r)**b (Leskovec, Rajaraman and Ullman, *Mining of
Massive Datasets*, ch. 3.4).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import dedup

OUT = Path(__file__).with_name("lsh-candidates.png")


def candidate_probability(s: np.ndarray, bands: int, rows: int) -> np.ndarray:
    return 1.0 - (1.0 - s**rows) ** bands


def main() -> None:
    s = np.linspace(0.0, 1.0, 401)
    fig, ax = plt.subplots(figsize=(7.5, 4.6), dpi=120)
    # The Corpus's near-duplicate grouping: 8 bands x 4 rows, exact Jaccard >= 0.6 after.
    p = candidate_probability(s, 8, 4)
    ax.plot(s, p, lw=2.4, color="#1f5fbf", label="Corpus near-duplicate groups: 8 bands x 4 rows")
    ax.axvline(0.6, color="#1f5fbf", ls=":", lw=1.2)
    ax.annotate("exact check: Jaccard >= 0.6", (0.6, 0.9), xytext=(0.615, 0.9), fontsize=8)
    # LSHIndex(threshold=t, num_perm=128) picks bands and rows itself.
    for t, color in ((0.3, "#999999"), (0.5, "#d9822b"), (0.8, "#2b9d5c")):
        idx = dedup.LSHIndex(threshold=t, num_perm=128)
        b, r = idx.bands, idx.rows
        ax.plot(
            s,
            candidate_probability(s, b, r),
            lw=1.5,
            color=color,
            label=f"LSHIndex(threshold={t}, num_perm=128): {b} bands x {r} rows",
        )
    ax.set_xlabel("Jaccard similarity of the two k-gram sets")
    ax.set_ylabel("probability of becoming candidates")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("MinHash-LSH: candidate probability against similarity", fontsize=11)
    fig.tight_layout()
    fig.savefig(OUT, metadata={"Software": None})
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
