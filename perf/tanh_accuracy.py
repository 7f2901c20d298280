"""float32 tanh over every float32 input: jitgrad's ``tanh32``, a float64-evaluated rational
(:func:`tanh32_f64`, a candidate not used by jitgrad) or PyTorch's ``torch.tanh``.

    python perf/tanh_accuracy.py [--f64] [--step 1] [--lo 0] [--hi inf]
    /tmp/torchenv/bin/python perf/tanh_accuracy.py --torch       # PyTorch's, same sweep
    python perf/tanh_accuracy.py --fit 5,5                         # the rational's coefficients

Every positive float32 from the smallest subnormal to +inf (``--step k``: every k-th bit
pattern) and its negation, against NumPy's float64 tanh of the same input (a float64 tanh is
within a few float64 ulps, 2**-29 of a float32 ulp: exact for this purpose). Printed:

* ``max ulp``: the largest |result - tanh(x)| in ulps of the correctly rounded result
  (0.5 means correctly rounded everywhere), and where;
* ``max int``: the largest distance in float32 steps from the correctly rounded result (the
  "ulp error against the float64 tanh rounded" metric: 0 correctly rounded, 1 faithful);
* ``misrounded``: the fraction of inputs whose result is not the correctly rounded one;
* ``odd``: whether f(-x) == -f(x) bit for bit for every swept x; and the special values
  (0, -0, +-inf, nan, subnormals) with what PyTorch gives there.

``--fit m,n`` prints the minimax rational tanh(x)/x ~ P(z)/Q(z), z = x*x, P of degree m and Q
of degree n (Q(0) = 1), for relative error on [0, 9.2**2]: a linearized least-squares fit in
Chebyshev form (Sanathanan-Koerner) iterated with Lawson's weights towards the minimax, in
float64 against a 30-digit mpmath tanh. :func:`tanh32_f64`'s coefficients are the 5,5 fit
(relative error 4.7e-11 = 2**-34.3 on the fit's grid; the sweep is the proof for float32).

Why :func:`tanh32_f64` is here and not in jitgrad: it is as accurate as PyTorch's float32 tanh
(jitgrad's expm1-based ``tanh32`` is not: 1.95 ulp, 2 steps off the rounded result for some
|x| < 0.5), but it costs float64 vectors (8 lanes per AVX-512 register, two divisions per 16
floats) and made the tanh-GELU joint kernel 1.2-1.45x slower (``perf/gelu_variants.py``). See
perf/RESULTS.md, Run gelutanh.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from numba import njit  # noqa: E402

from jitgrad.kernels.cpu.fastmath_base import _ONE_D, _div, _fma  # noqa: E402

CHUNK = 1 << 24
_CLAMP = np.float32(9.2)  # tanh(x) rounds to +-1 beyond 9.011; tanh(9.2) = 1 - 2.0e-8 does too
_P = [float.fromhex(h) for h in (
    "0x1.ffffffff97e62p-1", "0x1.209d7a283416ep-3", "0x1.2179d8bb12813p-8",
    "0x1.60b149f05608ap-15", "0x1.d7d4a4f0b239bp-24", "0x1.3bf58093ed699p-35",
)]  # fmt: skip
_Q = [float.fromhex(h) for h in (
    "0x1.e5a41260aeb17p-2", "0x1.ddeba5fae780ap-6", "0x1.05af07a5f405ap-11",
    "0x1.5a9e9895f1ebep-19", "0x1.8ee19beba898bp-29",
)]  # fmt: skip
_P0, _P1, _P2, _P3, _P4, _P5 = _P
_Q1, _Q2, _Q3, _Q4, _Q5 = _Q
SPECIAL = np.array(
    [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1.1754942e-38, 2.0**-13, 9.0, 9.2, 1e30],
    np.float32,
)


@njit(inline="always")
def tanh32_f64(x):  # pragma: no cover - compiled
    """float32 tanh as x * P(z) / Q(z), z = x*x, in float64, rounded once: 0.5008 ulp at most
    over every float32 (PyTorch's: 0.513). The clamp keeps NaN and maps +-inf to +-1; -0. and
    subnormal inputs come back unchanged. 12 float64 operations, 2 conversions, vectorizable."""
    c = _CLAMP if x > _CLAMP else x
    c = -_CLAMP if c < -_CLAMP else c
    d = np.float64(c)
    z = d * d
    p = _fma(z, _fma(z, _fma(z, _fma(z, _fma(z, _P5, _P4), _P3), _P2), _P1), _P0)
    q = _fma(z, _fma(z, _fma(z, _fma(z, _fma(z, _Q5, _Q4), _Q3), _Q2), _Q1), _ONE_D)
    return np.float32(_div(d * p, q))


def _jitgrad_tanh(f64: bool = False):
    """A batch function around jitgrad's float32 tanh (the helper every path calls), or
    around :func:`tanh32_f64`."""
    from jitgrad.kernels.cpu import fastmath as fm

    tanh = tanh32_f64 if f64 else fm.tanh32

    @njit(error_model="numpy")
    def run(x, out):  # pragma: no cover - compiled
        for i in range(x.shape[0]):
            out[i] = tanh(x[i])

    def batch(x):
        out = np.empty_like(x)
        run(x, out)
        return out

    return batch


def _torch_tanh():
    """PyTorch's float32 tanh on one thread (run under a PyTorch interpreter)."""
    import torch

    torch.set_num_threads(1)
    return lambda x: torch.tanh(torch.from_numpy(x)).numpy()


def _chunk_stats(x: np.ndarray, y: np.ndarray) -> tuple[float, float, int, int]:
    """Max ulp error (and its x), max step distance, misrounded count for one chunk."""
    ref = np.tanh(x.astype(np.float64))
    r32 = ref.astype(np.float32)
    ulp = np.spacing(np.abs(r32)).astype(np.float64)
    with np.errstate(invalid="ignore"):
        err = np.abs(y.astype(np.float64) - ref) / ulp
    i = int(np.argmax(err))
    steps = np.abs(y.view(np.int32).astype(np.int64) - r32.view(np.int32))
    return float(err[i]), float(x[i]), int(steps.max()), int((steps > 0).sum())


def sweep(batch, lo: int, hi: int, step: int) -> dict:
    """Every ``step``-th positive float32 bit pattern in [lo, hi) and its negation."""
    worst, worst_x, max_int, mis, n, odd = 0.0, 0.0, 0, 0, 0, True
    for s in range(lo, hi, CHUNK):
        x = np.arange(s, min(s + CHUNK, hi), step, dtype=np.uint32).view(np.float32)
        y, yn = batch(x), batch(-x)
        odd = odd and bool(np.array_equal((-yn).view(np.uint32), y.view(np.uint32)))
        e, ex, mi, m = _chunk_stats(x, y)
        if e > worst:
            worst, worst_x = e, ex
        max_int, mis, n = max(max_int, mi), mis + m, n + len(x)
    return {"max ulp": worst, "at x": worst_x, "max int": max_int,
            "misrounded": mis / max(n, 1), "inputs": 2 * n, "odd": odd}  # fmt: skip


def fit(m: int, n: int, zmax: float = 9.2**2 * 1.0007, points: int = 2000, iters: int = 60):
    """P (degree m) and Q (degree n, Q(0) = 1) monomial coefficients in z, and the relative
    error max |P/Q / (tanh(x)/x) - 1| on the grid (see the module docstring)."""
    import mpmath as mp
    from numpy.polynomial import chebyshev as C
    from numpy.polynomial import polynomial as Pn

    mp.mp.dps = 30
    t = np.linspace(0, 1, points)
    z = np.unique(np.concatenate([zmax * np.sin(t * np.pi / 2) ** 2, zmax * t]))
    f = np.array([float(mp.tanh(mp.sqrt(v)) / mp.sqrt(v)) if v > 0 else 1.0 for v in z])
    s = 2 * z / zmax - 1
    vp, vq = C.chebvander(s, m), C.chebvander(s, n)
    q_prev, w, best = np.ones_like(z), np.full_like(z, 1 / len(z)), None
    for _ in range(iters):
        a = np.hstack([vp, -f[:, None] * vq[:, 1:]]) / (f * q_prev)[:, None]
        sol = np.linalg.lstsq(a * np.sqrt(w)[:, None], np.sqrt(w) / q_prev, rcond=None)[0]
        pc, qc = sol[: m + 1], np.concatenate([[1.0], sol[m + 1 :]])
        q_prev = C.chebval(s, qc)
        err = C.chebval(s, pc) / q_prev / f - 1
        if best is None or np.abs(err).max() < best[0]:
            best = (np.abs(err).max(), pc, qc)
        w = w * np.abs(err)
        w /= w.sum()
    lin = np.array([-1.0, 2.0 / zmax])  # s as a polynomial in z

    def to_z(c):
        out, pw = np.zeros(1), np.ones(1)
        for ck in C.cheb2poly(c):
            out, pw = Pn.polyadd(out, ck * pw), Pn.polymul(pw, lin)
        return out

    p, q = to_z(best[1]), to_z(best[2])
    return p / q[0], q / q[0], best[0]


def main() -> None:
    ap = argparse.ArgumentParser(prog="python perf/tanh_accuracy.py")
    ap.add_argument("--torch", action="store_true", help="PyTorch's torch.tanh instead")
    ap.add_argument("--f64", action="store_true", help="the float64 rational tanh32_f64")
    ap.add_argument("--step", type=int, default=1)
    ap.add_argument("--lo", type=float, default=0.0)
    ap.add_argument("--hi", type=float, default=np.inf)
    ap.add_argument("--fit", help="m,n: print the minimax rational's coefficients")
    args = ap.parse_args()
    if args.fit:
        p, q, err = fit(*map(int, args.fit.split(",")))
        print(f"relative error {err:.3g} (2**{np.log2(err):.2f})")
        print("P", [float(c).hex() for c in p], "\nQ", [float(c).hex() for c in q])
        return
    batch = _torch_tanh() if args.torch else _jitgrad_tanh(args.f64)
    lo = max(int(np.float32(args.lo).view(np.uint32)), 1)
    hi = int(np.float32(args.hi).view(np.uint32)) + 1
    t0 = time.process_time()
    name = "torch.tanh" if args.torch else "tanh32_f64" if args.f64 else "jitgrad tanh32"
    print(name, f"load {os.getloadavg()}")
    print(sweep(batch, lo, hi, args.step), f"CPU {time.process_time() - t0:.0f} s")
    with np.errstate(invalid="ignore"):
        pairs = zip(SPECIAL.tolist(), batch(SPECIAL).tolist(), strict=True)
        print("special", ", ".join(f"{x!r} -> {y!r}" for x, y in pairs))


if __name__ == "__main__":
    main()
