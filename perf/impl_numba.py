"""Hand-written Numba kernels: loss and every gradient in one parallel pass over the data.

The reference jitgrad's fusion is measured against, so it is written the way a performance-minded
user writes it (issue 16: the old references avoided fast-math and strided their inner loops,
and ran 2-3x slower than such a kernel): one read of each input, one write of each gradient,
derivatives derived by hand, ``prange`` over fixed blocks of :data:`BLOCK` elements, and

* each block's loop indexes block *slices* from 0 (``xb = x[lo:hi]; xb[j]``). Indexing the
  whole array with ``i in range(lo, hi)`` keeps Numba's negative-index wraparound select,
  which LLVM cannot prove dead, and the loop compiled to gathers and scatters;
* fast-math flags that keep every visible result: :data:`FLAGS` = ``reassoc``, ``arcp``,
  never ``nnan``/``ninf``/``nsz``/``afn``, so NaN and inf propagate as in IEEE code.
  ``reassoc`` lets the block's running loss vectorize (a fixed set of partial sums, so the
  result is the same on every run and with any thread count; the blocks' sums are added in
  float64, in order). The gelu and mse floors add ``contract`` (:data:`SPEED_FLAGS`) and so
  are compiled in each process: with ``contract`` a ``prange`` kernel loaded from the disk
  cache may compute other bits than the same kernel compiled in the process
  (``perf/cache_bits.py``, perf/RESULTS.md Run cachebits17; ``cached_njit`` refuses it);
  :func:`rtanh32` fuses its multiply-adds explicitly (``_fma``, LLVM's ``fmuladd``);
* a rational tanh (:func:`rtanh32`, Eigen's float32 minimax form, the one XLA uses) where
  float32 tanh is needed: 17 flops and a division, within 3e-7 of tanh everywhere
  (``tests/test_perf_floors.py``; up to 6.6 ulp near +-1, where PyTorch's own float32 tanh,
  SLEEF's, is within 1). It takes about half the instructions of jitgrad's expm1-based
  ``tanh32`` (<= 2 ulp; 14 against ~30 with both using fused multiply-adds), and unlike it
  survives ``reassoc``;
* the chain's exp, sin and cos from :mod:`jitgrad.kernels.cpu.fastmath` (<= 1 ulp, vectorizable,
  the same as jitgrad's): their Cody-Waite and magic-number steps are undone by ``reassoc``, so
  that kernel is compiled with ``arcp`` only (:data:`PARALLEL_STRICT_FLAGS`; the serial MLP
  kernels keep :data:`STRICT_FLAGS`, ``contract`` and ``arcp``) and reduces each block through a
  float32 scratch summed by :func:`block_sum`,
  which is compiled on its own with ``reassoc`` (LLVM keeps flags per instruction, so inlining
  it changes nothing in the caller).

Constants are passed in (or are globals) of the input dtype: a literal ``1.0`` in a Numba
kernel is float64 and would silently promote the float32 arithmetic.

The gradient arrays are allocated once and written again on every call, as a hand-written loop
would keep them: a fresh multi-megabyte array costs a page-zeroing pass on first touch, which is
not fusion's business. jitgrad gets the same effect from its caching allocator.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit, prange, types
from numba.extending import overload

from jitgrad.kernels.cpu import fastmath as fm
from jitgrad.kernels.cpu.fastmath_base import _fma
from jitgrad.kernels.cpu.jit import cached_njit

from . import workloads as W

Outputs = dict[str, object]

#: Elements per reduction block (the same block jitgrad's generated kernels use).
BLOCK = 4096
#: Fast-math flags that cannot change NaN/inf handling: reassociation and reciprocal division
#: (no FMA contraction in a ``prange`` kernel: see the module docstring).
FLAGS = {"reassoc", "arcp"}
#: The gelu and mse floors' flags: :data:`FLAGS` plus FMA contraction, the strongest set that
#: keeps NaN/inf semantics (a baseline must be the strongest a user writes). ``contract`` in a
#: ``prange`` kernel is why those two compile per process with plain ``njit`` instead of loading
#: from the disk cache (Run cachebits17: a loaded copy may contract differently).
SPEED_FLAGS = FLAGS | {"contract"}
#: Serial kernels that call jitgrad's fastmath functions: no ``reassoc``; FMA contraction.
STRICT_FLAGS = {"contract", "arcp"}
#: ``prange`` kernels that call jitgrad's fastmath functions: neither.
PARALLEL_STRICT_FLAGS = {"arcp"}

_F = np.float32
_TANH_CLAMP = _F(7.90531110763549805)  # rtanh32 rounds to +-1 beyond this
# Eigen's float32 minimax coefficients: tanh(x) = x * P(x**2) / Q(x**2).
_P13, _P11, _P9 = _F(-2.76076847742355e-16), _F(2.00018790482477e-13), _F(-8.60467152213735e-11)
_P7, _P5, _P3 = _F(5.12229709037114e-08), _F(1.48572235717979e-05), _F(6.37261928875436e-04)
_P1 = _F(4.89352455891786e-03)
_Q6, _Q4, _Q2 = _F(1.19825839466702e-06), _F(1.18534705686654e-04), _F(2.26843463243900e-03)
_Q0 = _F(4.89352518554385e-03)


@njit(inline="always", fastmath=FLAGS)
def rtanh32(x):  # pragma: no cover - compiled
    """float32 tanh as x*P(x**2)/Q(x**2) on the clamped argument, P degree 6 and Q degree 3 in
    x**2: within 4e-7 absolute and relative of tanh for normal x; NaN stays NaN (the compares
    are false for it), +-inf gives +-(1 - 2.4e-7) (the clamp), a subnormal x keeps its sign
    but not its relative accuracy (absolute error < 1e-42)."""
    xc = _TANH_CLAMP if x > _TANH_CLAMP else x
    xc = -_TANH_CLAMP if xc < -_TANH_CLAMP else xc
    z = xc * xc
    p = _fma(_fma(_fma(_fma(_fma(_fma(_P13, z, _P11), z, _P9), z, _P7), z, _P5), z, _P3), z, _P1)
    q = _fma(_fma(_fma(_Q6, z, _Q4), z, _Q2), z, _Q0)
    return xc * p / q


@njit(fastmath={"reassoc"}, error_model="numpy")
def block_sum(blk):  # pragma: no cover - compiled
    """Sum of a short float block in float64; vectorized (fixed partial sums) by ``reassoc``."""
    s = 0.0
    for i in range(blk.shape[0]):
        s += blk[i]
    return s


def _tanh(x):  # pragma: no cover - replaced by the overload below inside Numba
    """float32: :func:`rtanh32`; float64: fastmath's ``tanh64``."""


def _exp(x):  # pragma: no cover - as _tanh
    """fastmath's ``exp32``/``exp64``."""


def _sin(x):  # pragma: no cover - as _tanh
    """fastmath's ``sin32``/``sin64``."""


def _cos(x):  # pragma: no cover - as _tanh
    """fastmath's ``cos32``/``cos64``."""


def _by_dtype(stub: Callable, f32: Callable, f64: Callable) -> None:
    """``stub(x)`` inside Numba: ``f32`` for a float32 ``x``, else ``f64``, inlined into the
    caller's Numba IR (a closure over the functions would not be disk-cacheable)."""

    @overload(stub, inline="always")
    def _impl(x):
        fn = f32 if x == types.float32 else f64
        return lambda x: fn(x)


_by_dtype(_tanh, rtanh32, fm.tanh64)
_by_dtype(_exp, fm.exp32, fm.exp64)
_by_dtype(_sin, fm.sin32, fm.sin64)
_by_dtype(_cos, fm.cos32, fm.cos64)


@cached_njit(parallel=True, fastmath=PARALLEL_STRICT_FLAGS, error_model="numpy")
def _chain(x, y, dx, dy, one, two):  # pragma: no cover - compiled
    n = x.shape[0]
    n_blk = (n + BLOCK - 1) // BLOCK
    part = np.empty(n_blk)
    for b in prange(n_blk):
        lo = b * BLOCK
        hi = min(lo + BLOCK, n)
        xb, yb, dxb, dyb = x[lo:hi], y[lo:hi], dx[lo:hi], dy[lo:hi]
        terms = np.empty(hi - lo, x.dtype)
        for j in range(xb.shape[0]):
            xi = xb[j]
            yi = yb[j]
            t = _tanh(xi * yi + _sin(xi))
            r = one / (one + yi * yi)
            er = _exp(-xi * xi) * r
            ter = t * er
            dt = one - t * t
            dxb[j] = dt * (yi + _cos(xi)) * er - two * xi * ter
            dyb[j] = er * (dt * xi - two * yi * t * r)
            terms[j] = ter
        part[b] = block_sum(terms)
    return part.sum()


def _kernels(dtype: np.dtype) -> dict[str, Callable]:
    """The hand-written kernels for one dtype, compiled on first call. ``gelu`` and ``mse`` take
    :data:`SPEED_FLAGS` (FMA contraction included: the strongest floor) and so compile in every
    process; the chain, whose fastmath functions forbid ``reassoc`` and ``contract``, is the
    module-level :func:`_chain`, which jitgrad's ``cached_njit`` keeps on disk (its stamp
    covering jitgrad's modules too, which Numba's ``cache=True`` would miss), its math functions
    picked by dtype inside Numba (:func:`_by_dtype`).
    """
    f32 = dtype == np.float32

    @njit(parallel=True, fastmath=SPEED_FLAGS, error_model="numpy")
    def gelu(x, dx, zero, half, one, c, a, three_a, inv_n):  # pragma: no cover - compiled
        n = x.shape[0]
        n_blk = (n + BLOCK - 1) // BLOCK
        part = np.empty(n_blk)
        for b in prange(n_blk):
            lo = b * BLOCK
            hi = min(lo + BLOCK, n)
            xb, dxb = x[lo:hi], dx[lo:hi]
            acc = zero
            for j in range(xb.shape[0]):
                xi = xb[j]
                x2 = xi * xi
                t = rtanh32(c * (xi + a * x2 * xi))
                slope = half * xi * (one - t * t) * c * (one + three_a * x2)
                dxb[j] = (half * (one + t) + slope) * inv_n
                acc += half * xi * (one + t)
            part[b] = acc
        return part.sum()

    @njit(parallel=True, fastmath=SPEED_FLAGS, error_model="numpy")
    def mse(a, b, da, db, zero, scale):  # pragma: no cover - compiled
        n = a.shape[0]
        n_blk = (n + BLOCK - 1) // BLOCK
        part = np.empty(n_blk)
        for k in prange(n_blk):
            lo = k * BLOCK
            hi = min(lo + BLOCK, n)
            ab, bb, dab, dbb = a[lo:hi], b[lo:hi], da[lo:hi], db[lo:hi]
            acc = zero
            for j in range(ab.shape[0]):
                d = ab[j] - bb[j]
                g = d * scale
                dab[j] = g
                dbb[j] = -g
                acc += d * d
            part[k] = acc
        return part.sum()

    out = {"chain": _chain, "mse": mse}
    if f32:  # tanh-GELU is a float32 workload; rtanh32 is float32 only
        out["gelu"] = gelu
    return out


_KERNELS: dict[np.dtype, dict[str, Callable]] = {}


def _kernel(name: str, dtype: np.dtype) -> Callable:
    if dtype not in _KERNELS:
        _KERNELS[dtype] = _kernels(dtype)
    return _KERNELS[dtype][name]


@njit(cache=True)
def _dispatch_kernel(x, y, iters, half, one):  # pragma: no cover - compiled
    n = x.shape[0]
    hs = np.empty((iters, n), x.dtype)
    ts = np.empty((iters, n), x.dtype)
    h = x.copy()
    for k in range(iters):
        for i in range(n):
            hs[k, i] = h[i]
            t = np.tanh(h[i] * y[i] + x[i])
            ts[k, i] = t
            h[i] = t * half
    loss = h.sum()
    gx = np.zeros_like(x)
    gy = np.zeros_like(y)
    gh = np.ones_like(x)
    for k in range(iters - 1, -1, -1):
        for i in range(n):
            gu = half * gh[i] * (one - ts[k, i] * ts[k, i])
            gx[i] += gu
            gy[i] += gu * hs[k, i]
            gh[i] = gu * y[i]
    gx += gh
    return loss, gx, gy


@njit(cache=True)
def _logistic_kernel(w, x, b, one):  # pragma: no cover - compiled
    out = one / (np.exp(-(w * x + b)) + one)
    s = out * (one - out)
    return out, s * x, s * w, s


def _const(dtype: np.dtype, value: float):
    return dtype.type(value)


def chain(inp: W.Inputs) -> Callable[[], Outputs]:
    x, y = inp["x"].ravel(), inp["y"].ravel()
    one, two = _const(x.dtype, 1), _const(x.dtype, 2)
    kernel = _kernel("chain", x.dtype)
    dx, dy = np.empty_like(x), np.empty_like(y)

    def run() -> Outputs:
        loss = kernel(x, y, dx, dy, one, two)
        return {"loss": loss, "d_x": dx, "d_y": dy}

    return run


def gelu(inp: W.Inputs) -> Callable[[], Outputs]:
    x = inp["x"].ravel()
    k = [_const(x.dtype, v) for v in (0, 0.5, 1, W.GELU_C, W.GELU_A, 3 * W.GELU_A, 1 / x.size)]
    kernel = _kernel("gelu", x.dtype)
    dx = np.empty_like(x)

    def run() -> Outputs:
        loss = kernel(x, dx, *k) / x.size
        return {"loss": loss, "d_x": dx}

    return run


def mse(inp: W.Inputs) -> Callable[[], Outputs]:
    a, b = inp["a"].ravel(), inp["b"].ravel()
    zero, scale = _const(a.dtype, 0), _const(a.dtype, 2 / a.size)
    kernel = _kernel("mse", a.dtype)
    da, db = np.empty_like(a), np.empty_like(b)

    def run() -> Outputs:
        loss = kernel(a, b, da, db, zero, scale) / a.size
        return {"loss": loss, "d_a": da, "d_b": db}

    return run


def dispatch(inp: W.Inputs) -> Callable[[], Outputs]:
    x, y = inp["x"], inp["y"]
    half, one = _const(x.dtype, 0.5), _const(x.dtype, 1)

    def run() -> Outputs:
        loss, gx, gy = _dispatch_kernel(x, y, W.DISPATCH_ITERS, half, one)
        return {"loss": loss, "d_x": gx, "d_y": gy}

    return run


def logistic(inp: W.Inputs) -> Callable[[], Outputs]:
    w, x, b = (inp[k][()] for k in ("w", "x", "b"))  # numpy scalars of the input dtype
    one = _const(inp["w"].dtype, 1)

    def run() -> Outputs:
        out, dw, dx, db = _logistic_kernel(w, x, b, one)
        return {"loss": out, "d_w": dw, "d_x": dx, "d_b": db}

    return run


BUILDERS: dict[str, Callable[[W.Inputs], Callable[[], Outputs]]] = {
    "chain": chain,
    "gelu": gelu,
    "mse": mse,
    "dispatch": dispatch,
    "logistic": logistic,
}
