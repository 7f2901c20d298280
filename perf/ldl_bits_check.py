"""Bitwise A/B of the LDL kernels (``ldl.sytrf_batch`` / ``sytrs_batch``) between two trees:
each tree factors and solves the same sweep (float32/float64/complex64/complex128, symmetric
and Hermitian, n = 0..9, pivots 1x1 and 2x2 forced by small diagonals, a singular column) in a
subprocess and prints a SHA-256 of every output's bytes; the two digests must match.

    PYTHONPATH=. python perf/ldl_bits_check.py --a /tmp/audit-base --b .

(Run ``--one`` to print one tree's digest: the subprocess half.)
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile


def digest() -> str:
    import numpy as np

    from jitgrad.kernels.cpu import ldl

    h = hashlib.sha256()
    rng = np.random.default_rng(18)
    for dt in ("float32", "float64", "complex64", "complex128"):
        for herm in (False, True) if dt.startswith("complex") else (False,):
            for n in range(10):
                for diag in (1.0, 1e-3, 0.0):
                    a = rng.standard_normal((3, n, n))
                    if dt.startswith("complex"):
                        a = a + 1j * rng.standard_normal((3, n, n))
                    a = (a + (a.conj() if herm else a).transpose(0, 2, 1)).astype(dt)
                    a[:, range(n), range(n)] *= diag
                    if n > 2:
                        a[1, :, 1] = 0
                        a[1, 1, :] = 0
                    piv = np.zeros((3, n), np.int64)
                    info = np.zeros(3, np.int64)
                    ldl.sytrf_batch(a, piv, info, herm)
                    x = rng.standard_normal((3, n, 2)).astype(dt)
                    if not (info.any() and dt.startswith("complex")):  # Numba's complex
                        ldl.sytrs_batch(a, piv, x, herm)  # x/0 raises: solve nonsingular only
                    for arr in (a, piv, info, x):
                        h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--a")
    ap.add_argument("--b")
    ap.add_argument("--one", action="store_true")
    args = ap.parse_args()
    if args.one:
        print(digest())
        return 0
    out = {}
    for tag, tree in (("A", args.a), ("B", args.b)):
        env = dict(os.environ, PYTHONPATH=os.path.abspath(tree), JITGRAD_COMPILE_NOTICE="0")
        env["JITGRAD_CACHE_DIR"] = tempfile.mkdtemp(prefix=f"ldlbits{tag}")
        run = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--one"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        out[tag] = run.stdout.strip()
        print(tag, tree, out[tag])
    print("same bits" if out["A"] == out["B"] else "DIFFER")
    return 0 if out["A"] == out["B"] else 1


if __name__ == "__main__":
    sys.exit(main())
