"""PyTorch's CPU samplers beyond uniform and normal, as Numba kernels over raw twister outputs,
so seeded ``exponential_``, ``cauchy_``, ``geometric_``, ``log_normal_``, ``bernoulli``,
``multinomial``, ``_standard_gamma``, ``poisson`` and ``binomial`` print PyTorch's numbers.

Each kernel reads ``buf`` (32-bit outputs of the Mersenne Twister, as uint64) from position 0
and returns its result and how many outputs it used, or -1 when ``buf`` ran out (the rejection
samplers use an unknown number): :meth:`jitgrad.random_torch.TorchStream.run` then retries
with a longer buffer from the same position. The transforms follow ATen (cpu/
DistributionTemplates.h, core/TransformationHelper.h, native/Distributions.{h,cpp},
cpu/MultinomialKernel.cpp): every draw is ``uniform_real_distribution<double>`` (``random64()``'s
low 53 bits / 2**53) or ``normal_distribution<double>`` (Box-Muller on two of them, the sine
sample cached in the generator: ``cache`` holds that flag and value, in and out). The
``x * std + mean`` and ``median + sigma * t`` of cpu/DistributionTemplates.h are compiled with
FMA contraction there: one rounding (``fma``). Where ATen
computes in the tensor's ``scalar_t``, float32 results are rounded to float32 after each
operation (``_r``): one rounding of an exact double result, the same as float arithmetic.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .kernels.cpu.fma import fma
from .kernels.cpu.jit import cached_njit

_THIRD_F = float(np.float32(1.0) / np.float32(3.0))  # ATen's ``1.0f / 3.0f``
_C0331_F = float(np.float32(0.0331))
_TAIL = np.array(
    [0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
     0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
     0.00925546218271273, 0.00833056343336287]
)  # fmt: skip


@cached_njit(error_model="numpy")
def _r(x: float, is32: bool) -> float:
    """``x`` as ATen's ``scalar_t`` would hold it (float32 rounding when ``is32``)."""
    return float(np.float32(x)) if is32 else x


@cached_njit(error_model="numpy")
def _u53(buf: Any, pos: int) -> float:
    """``uniform_real_distribution<double>(0, 1)`` from ``buf[pos]`` (high) and ``buf[pos+1]``."""
    word = (buf[pos] << np.uint64(32)) | buf[pos + 1]
    return np.float64(word & np.uint64((1 << 53) - 1)) * (1.0 / 9007199254740992.0)


@cached_njit(error_model="numpy")
def _normal(buf: Any, pos: int, cache: Any) -> tuple:
    """``normal_distribution<double>(0, 1)``: (sample, new pos), pos -1 when ``buf`` ran out."""
    if cache[0] != 0.0:
        cache[0] = 0.0
        return cache[1], pos
    if pos + 4 > buf.size:
        return 0.0, -1
    u1, u2 = _u53(buf, pos), _u53(buf, pos + 2)
    r = math.sqrt(-2.0 * math.log1p(-u2))
    theta = 2.0 * math.pi * u1
    cache[0], cache[1] = 1.0, r * math.sin(theta)
    return r * math.cos(theta), pos + 4


@cached_njit(error_model="numpy")
def uniform_map(kind: int, n: int, a: float, b: float, buf: Any) -> Any:
    """One double uniform per element, transformed as ATen: 0 exponential(rate ``a``),
    1 cauchy(median ``a``, sigma ``b``), 2 geometric(p ``a``)."""
    out = np.empty(n, np.float64)
    for i in range(n):
        u = _u53(buf, 2 * i)
        if kind == 0:
            out[i] = -1.0 / a * math.log1p(-u)
        elif kind == 1:
            out[i] = fma(b, math.tan(math.pi * (u - 0.5)), a)
        else:
            out[i] = np.ceil(math.log(u) / math.log1p(-a))
    return out


@cached_njit(error_model="numpy")
def log_normal(n: int, mean: float, std: float, buf: Any, cache: Any) -> tuple:
    """``lognormal_distribution<double>``: exp of a cached-pair normal, element by element."""
    out = np.empty(n, np.float64)
    pos = 0
    for i in range(n):
        z, pos = _normal(buf, pos, cache)
        if pos < 0:
            return out, -1
        out[i] = math.exp(fma(z, std, mean))
    return out, pos


@cached_njit(error_model="numpy")
def bernoulli(p: Any, is32: bool, buf: Any) -> Any:
    """``bernoulli_(Tensor p)``: ``u < p`` with a float uniform (24 bits of one output) for
    float32 ``p`` and a double one (two outputs) for float64."""
    out = np.empty(p.size, np.bool_)
    for i in range(p.size):
        if is32:
            u = np.float32(buf[i] & np.uint64((1 << 24) - 1)) * np.float32(2.0**-24)
            out[i] = u < np.float32(p[i])
        else:
            out[i] = _u53(buf, 2 * i) < p[i]
    return out


@cached_njit(error_model="numpy")
def multinomial_replace(rows: Any, n_sample: int, is32: bool, buf: Any) -> Any:
    """``multinomial_with_replacement_apply``: the running sum in ``scalar_t`` divided by the
    total, its last entry set to 1, and a binary search for the first ``cum >= u``."""
    n_dist, n_cat = rows.shape
    out = np.empty((n_dist, n_sample), np.int64)
    cum = np.empty(n_cat, np.float64)
    pos = 0
    for i in range(n_dist):
        total = 0.0
        for j in range(n_cat):
            total = _r(total + rows[i, j], is32)
            cum[j] = total
        for j in range(n_cat):
            cum[j] = _r(cum[j] / total, is32)
        cum[n_cat - 1] = 1.0
        for j in range(n_sample):
            u = _u53(buf, pos)
            pos += 2
            lo, hi = 0, n_cat
            while hi - lo > 0:
                mid = lo + (hi - lo) // 2
                if cum[mid] < u:
                    lo = mid + 1
                else:
                    hi = mid
            out[i, j] = lo
    return out


@cached_njit(error_model="numpy")
def _gamma_one(alpha: float, is32: bool, buf: Any, pos: int, cache: Any) -> tuple:
    """ATen's ``sample_gamma`` (Marsaglia-Tsang, boosted below alpha 1): (draw, new pos)."""
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0, pos
        if pos + 2 > buf.size:
            return 0.0, -1
        scale *= math.pow(1.0 - _u53(buf, pos), _r(1.0 / alpha, is32))
        pos += 2
        alpha = _r(alpha + 1.0, is32)
    d = _r(alpha - _THIRD_F, is32)
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = y = 0.0
        while y <= 0.0:
            x, pos = _normal(buf, pos, cache)
            if pos < 0:
                return 0.0, -1
            y = 1.0 + c * x
        v = y * y * y
        if pos + 2 > buf.size:
            return 0.0, -1
        u = 1.0 - _u53(buf, pos)
        pos += 2
        xx = x * x
        if u < 1.0 - _C0331_F * xx * xx:
            return scale * d * v, pos
        if math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v, pos


@cached_njit(error_model="numpy")
def standard_gamma(alpha: Any, is32: bool, buf: Any, cache: Any) -> tuple:
    """``_s_gamma_cpu``: each draw cast to the dtype and kept at or above its smallest normal
    number. (``_s_dirichlet_cpu`` draws the same way from alpha cast to double.)"""
    out = np.empty(alpha.size, np.float64)
    pos = 0
    tiny = 1.1754943508222875e-38 if is32 else 2.2250738585072014e-308
    for i in range(alpha.size):
        g, pos = _gamma_one(alpha[i], is32, buf, pos, cache)
        if pos < 0:
            return out, -1
        out[i] = max(tiny, _r(g, is32))
    return out, pos


@cached_njit(error_model="numpy")
def _poisson_one(lam: float, buf: Any, pos: int) -> tuple:
    """ATen's ``sample_poisson``: Hoermann's transformed rejection from 10, else products."""
    if lam >= 10:
        slam, loglam = math.sqrt(lam), math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            if pos + 4 > buf.size:
                return 0.0, -1
            u, v = _u53(buf, pos) - 0.5, _u53(buf, pos + 2)
            pos += 4
            us = 0.5 - abs(u)
            k = np.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return k, pos
            if k < 0 or (us < 0.013 and v > us):
                continue
            lhs = math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)
            if lhs <= -lam + k * loglam - math.lgamma(k + 1.0):
                return k, pos
    if lam == 0:
        return 0.0, pos
    enlam, x, prod = math.exp(-lam), 0.0, 1.0
    while True:
        if pos + 2 > buf.size:
            return 0.0, -1
        prod *= _u53(buf, pos)
        pos += 2
        if prod > enlam:
            x += 1
        else:
            return x, pos


@cached_njit(error_model="numpy")
def poisson(lam: Any, buf: Any) -> tuple:
    out = np.empty(lam.size, np.float64)
    pos = 0
    for i in range(lam.size):
        out[i], pos = _poisson_one(lam[i], buf, pos)
        if pos < 0:
            return out, -1
    return out, pos


@cached_njit(error_model="numpy")
def _stirling_tail(k: float) -> float:
    if k <= 9:
        return _TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


@cached_njit(error_model="numpy")
def _inversion(count: float, prob: float, is32: bool, buf: Any, pos: int) -> tuple:
    """ATen's ``binomial_inversion``: geometric waiting times until they pass ``count``."""
    geom_sum, num = 0.0, 0.0
    logprob = _r(math.log1p(-prob), is32)
    while True:
        if pos + 2 > buf.size:
            return 0.0, -1
        geom_sum += np.ceil(math.log(_u53(buf, pos)) / logprob)
        pos += 2
        if geom_sum > count:
            return num, pos
        num = _r(num + 1, is32)


@cached_njit(error_model="numpy")
def _btrs(n: float, p: float, is32: bool, buf: Any, pos: int) -> tuple:
    """ATen's ``btrs`` (Hoermann's transformed rejection, TensorFlow's variant)."""
    stddev = _r(math.sqrt(_r(_r(n * p, is32) * _r(1 - p, is32), is32)), is32)
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = _r(n * p, is32) + 0.5
    v_r = 0.92 - 4.2 / b
    r = _r(p / _r(1 - p, is32), is32)
    alpha = (2.83 + 5.1 / b) * stddev
    m = np.floor(_r(_r(n + 1, is32) * p, is32))
    while True:
        if pos + 4 > buf.size:
            return 0.0, -1
        u, v = _u53(buf, pos) - 0.5, _u53(buf, pos + 2)
        pos += 4
        us = 0.5 - abs(u)
        k = _r(np.floor((2 * a / us + b) * u + c), is32)
        if k < 0 or k > n:
            continue
        if us >= 0.07 and v <= v_r:
            return k, pos
        v = math.log(v * alpha / (a / (us * us) + b))
        nk1 = _r(_r(n - k, is32) + 1, is32)
        bound = (
            (m + 0.5) * math.log((m + 1) / (r * (n - m + 1)))
            + _r(n + 1, is32) * math.log((n - m + 1) / nk1)
            + (k + 0.5) * math.log(r * nk1 / _r(k + 1, is32))
            + _stirling_tail(m) + _stirling_tail(n - m)
            - _stirling_tail(k) - _stirling_tail(_r(n - k, is32))
        )  # fmt: skip
        if v <= bound:
            return k, pos


@cached_njit(error_model="numpy")
def binomial(count: Any, prob: Any, is32: bool, buf: Any) -> tuple:
    """ATen's ``sample_binomial`` per element: btrs when the mean passes 10, else inversion,
    on ``1 - prob`` (subtracted from ``count``) above one half."""
    out = np.empty(count.size, np.float64)
    pos = 0
    for i in range(count.size):
        n, p = count[i], prob[i]
        if n <= 0.0 or p <= 0.0:
            k = 0.0
        elif p >= 1.0:
            k = n
        elif p <= 0.5 or p > 0.5:
            q = p if p <= 0.5 else _r(1.0 - p, is32)
            if _r(n * q, is32) >= 10.0:
                k, pos = _btrs(n, q, is32, buf, pos)
            else:
                k, pos = _inversion(n, q, is32, buf, pos)
            if pos < 0:
                return out, -1
            k = k if p <= 0.5 else _r(n - k, is32)
        else:
            k = np.nan
        out[i] = k
    return out, pos
