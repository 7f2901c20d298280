"""Hand-fused Numba kernels: loss and every gradient in one parallel pass over the data.

This is the target jitgrad's fusion pass aims at: one read of each input, one write of each
gradient, derivatives derived by hand, the reduction accumulated in float64. It exists only for
the elementwise workloads (plus the two overhead-bound ones, where a single compiled call is
the lower bound on dispatch cost). No ``fastmath``: jitgrad does not use it by default either.

Constants are passed in as arguments of the input dtype, because a literal ``1.0`` inside a
Numba kernel is float64 and would silently promote float32 arithmetic. Output arrays are
allocated on every call, like the gradients of an autograd library.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit, prange

from . import workloads as W

Outputs = dict[str, object]


@njit(parallel=True, cache=True)
def _chain_kernel(x, y, dx, dy, one, two):  # pragma: no cover - compiled
    loss = 0.0
    for i in prange(x.shape[0]):
        xi = x[i]
        yi = y[i]
        t = np.tanh(xi * yi + np.sin(xi))
        r = one / (one + yi * yi)
        er = np.exp(-xi * xi) * r
        ter = t * er
        loss += ter
        dt = one - t * t
        dx[i] = dt * (yi + np.cos(xi)) * er - two * xi * ter
        dy[i] = er * (dt * xi - two * yi * t * r)
    return loss


@njit(parallel=True, cache=True)
def _gelu_kernel(x, dx, half, one, c, a, three_a, inv_n):  # pragma: no cover - compiled
    loss = 0.0
    for i in prange(x.shape[0]):
        xi = x[i]
        x2 = xi * xi
        t = np.tanh(c * (xi + a * x2 * xi))
        loss += half * xi * (one + t)
        dx[i] = (half * (one + t) + half * xi * (one - t * t) * c * (one + three_a * x2)) * inv_n
    return loss / x.shape[0]


@njit(parallel=True, cache=True)
def _mse_kernel(a, b, da, db, scale):  # pragma: no cover - compiled
    loss = 0.0
    for i in prange(a.shape[0]):
        d = a[i] - b[i]
        loss += d * d
        g = d * scale
        da[i] = g
        db[i] = -g
    return loss / a.shape[0]


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

    def run() -> Outputs:
        dx, dy = np.empty_like(x), np.empty_like(y)
        loss = _chain_kernel(x, y, dx, dy, one, two)
        return {"loss": loss, "d_x": dx, "d_y": dy}

    return run


def gelu(inp: W.Inputs) -> Callable[[], Outputs]:
    x = inp["x"].ravel()
    k = [_const(x.dtype, v) for v in (0.5, 1, W.GELU_C, W.GELU_A, 3 * W.GELU_A, 1 / x.size)]

    def run() -> Outputs:
        dx = np.empty_like(x)
        loss = _gelu_kernel(x, dx, *k)
        return {"loss": loss, "d_x": dx}

    return run


def mse(inp: W.Inputs) -> Callable[[], Outputs]:
    a, b = inp["a"].ravel(), inp["b"].ravel()
    scale = _const(a.dtype, 2 / a.size)

    def run() -> Outputs:
        da, db = np.empty_like(a), np.empty_like(b)
        loss = _mse_kernel(a, b, da, db, scale)
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
