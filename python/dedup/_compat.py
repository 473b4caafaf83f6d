"""Compatibility with datasketch's MinHash permutation parameters.

datasketch draws its permutations from ``numpy.random.RandomState(seed)``; drawing
them the same way here is what makes the ``affine32``, ``affine64`` and ``legacy``
schemes bit-identical to ``datasketch.MinHash(num_perm, seed, scheme=...)``.
"""

from __future__ import annotations

import numpy as np

from dedup.errors import InvalidOptionError

_MERSENNE61 = np.uint64((1 << 61) - 1)


def datasketch_permutations(scheme: str, num_perm: int, seed: int) -> tuple[list[int], list[int]]:
    """The ``(a, b)`` parameters datasketch 2.x uses for ``scheme``."""
    if not 0 <= seed < 1 << 32:
        # numpy's RandomState, and so datasketch, only takes 32-bit seeds.
        raise InvalidOptionError(
            f"`seed` must be between 0 and {(1 << 32) - 1} for scheme {scheme!r}, got {seed}"
        )
    gen = np.random.RandomState(seed)
    if scheme == "legacy":
        pairs = [
            (
                int(gen.randint(1, _MERSENNE61, dtype=np.uint64)),
                int(gen.randint(0, _MERSENNE61, dtype=np.uint64)),
            )
            for _ in range(num_perm)
        ]
        return [p[0] for p in pairs], [p[1] for p in pairs]
    width = {"affine32": 32, "affine64": 64}[scheme]
    dtype = np.uint32 if width == 32 else np.uint64
    a = gen.randint(0, 1 << (width - 1), num_perm, dtype=dtype) * dtype(2) + dtype(1)
    b = gen.randint(0, 1 << width, num_perm, dtype=dtype)
    return [int(x) for x in a], [int(x) for x in b]
