"""PyTorch's CPU random transforms on top of a Mersenne Twister, so seeded programs print
PyTorch's numbers.

PyTorch's CPU generator is mt19937 seeded by ``init_genrand(seed & 0xffffffff)`` (numpy's
``MT19937`` legacy seeding is the same algorithm); ``random()`` is one 32-bit output and
``random64()`` two, the first as the high word. On top of it (ATen's TransformationHelper.h,
DistributionsHelper.h, cpu/DistributionTemplates.h, UnaryOps randperm):

- uniform float32 = low 24 bits of ``random()`` / 2**24, float64 = low 53 bits of
  ``random64()`` / 2**53, then ``x * (to - from) + from`` in that dtype;
- normal with >= 16 contiguous elements (``normal_fill``): all uniforms first, Box-Muller on
  the pairs (j, j + 8) of each 16-block, and when 16 does not divide n, 16 fresh uniforms for
  the last 16 slots, recomputed. float32 there runs PyTorch's AVX2 kernel (Sleef's
  log/sin/cos), which libm's differ from by a few ulp: see tests/test_random_torch_stream.py
  for the measured bound. Fewer elements: ``normal_distribution<double>``, two random64
  uniforms per pair and the second sample cached in the generator;
- ``random_(from, to)`` / ``randint``: ``random() % range + from`` (``random64()`` when the
  range reaches 2**32);
- ``randperm(n)``: Fisher-Yates with ``random() % (n - i)``.

The raw outputs come from numpy in bulk (``random_raw``) and the transforms run vectorized or
in Numba kernels, never a Python loop per element. The other samplers PyTorch's CPU has
(exponential, cauchy, geometric, log-normal, bernoulli with tensor ``p``, multinomial,
gamma, poisson, binomial) are :mod:`jitgrad.random_samplers`' kernels, run by
:meth:`TorchStream.run`. ``bernoulli_(float p)`` (MKL's own generator in PyTorch) and the
numpy calls this class forwards (``choice``, ``standard_cauchy``...) are numpy's transforms on
the same Mersenne Twister: same stream, other numbers than PyTorch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import random_samplers as S
from .kernels.cpu.jit import cached_njit

_LOW24 = np.uint64((1 << 24) - 1)
_SHIFT = np.uint64(32)
_MASK64 = (1 << 64) - 1


@cached_njit(error_model="numpy")
def _box_muller16_f64(d: Any, mean: float, std: float) -> None:
    """``normal_fill_16`` (double): ``d``'s uniforms -> normals, block by block, in place."""
    for i in range(0, d.size - 15, 16):
        for j in range(8):
            u1 = 1.0 - d[i + j]
            u2 = d[i + j + 8]
            radius = math.sqrt(-2.0 * math.log(u1))
            theta = 2.0 * math.pi * u2
            d[i + j] = radius * math.cos(theta) * std + mean
            d[i + j + 8] = radius * math.sin(theta) * std + mean


@cached_njit(error_model="numpy")
def _box_muller16_f32(d: Any, mean: Any, std: Any) -> None:
    """``normal_fill_16_AVX2`` (float): the same, in float32 arithmetic with a float 2*pi."""
    two_pi = np.float32(2.0 * math.pi)
    one, minus_two = np.float32(1.0), np.float32(-2.0)
    for i in range(0, d.size - 15, 16):
        for j in range(8):
            u1 = one - d[i + j]
            u2 = d[i + j + 8]
            radius = math.sqrt(minus_two * math.log(u1))
            theta = two_pi * u2
            d[i + j] = radius * math.cos(theta) * std + mean
            d[i + j + 8] = radius * math.sin(theta) * std + mean


@cached_njit(error_model="numpy")
def _unit53(raw: Any) -> Any:
    """float64 uniforms from pairs of 32-bit outputs: ``random64()``'s low 53 bits / 2**53."""
    out = np.empty(raw.size // 2, np.float64)
    for i in range(out.size):
        word = (raw[2 * i] << np.uint64(32)) | raw[2 * i + 1]
        out[i] = np.float64(word & np.uint64((1 << 53) - 1)) * (1.0 / 9007199254740992.0)
    return out


@cached_njit(error_model="numpy")
def _fisher_yates(draws: Any, n: int) -> Any:
    """PyTorch's small-n ``randperm``: swap ``r[i]`` with ``r[i + draws[i] % (n - i)]``."""
    r = np.arange(n)
    for i in range(n - 1):
        z = np.int64(draws[i] % np.uint64(n - i))
        r[i], r[i + z] = r[i + z], r[i]
    return r


class TorchStream:
    """numpy's interface (``random``, ``standard_normal``, ``uniform``, ``normal``,
    ``integers``, ``permutation``) with PyTorch's transforms; anything else goes to numpy's
    ``Generator`` on the same Mersenne Twister."""

    def __init__(self, seed: int) -> None:
        self.bit_generator = np.random.MT19937()
        self.bit_generator._legacy_seeding(seed & 0xFFFFFFFF)  # init_genrand, as PyTorch
        self._np = np.random.Generator(self.bit_generator)
        self.next_double_normal: float | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._np, name)

    # ---- raw outputs -------------------------------------------------------------------
    def raw32(self, n: int) -> np.ndarray:
        return self.bit_generator.random_raw(n).astype(np.uint64, copy=False)

    def raw64(self, n: int) -> np.ndarray:
        r = self.raw32(2 * n)
        return (r[0::2] << _SHIFT) | r[1::2]

    def _unit(self, n: int, dt: Any) -> np.ndarray:
        if np.dtype(dt) == np.float64:
            return _unit53(self.raw32(2 * n))
        return (self.raw32(n) & _LOW24).astype(np.float32) * np.float32(2.0**-24)

    # ---- numpy's interface -------------------------------------------------------------
    def uniform(
        self, low: float = 0.0, high: float = 1.0, size: Any = (), dtype: Any = None
    ) -> Any:
        dt = np.dtype(np.float64 if dtype is None else dtype)
        shape = _shape(size)
        x = self._unit(math.prod(shape), dt)
        lo, hi = dt.type(low), dt.type(high)
        if (lo, hi) != (0, 1) and dt == np.float32:  # one fused multiply-add (x86 wheel):
            x = (x * np.float64(hi - lo) + np.float64(lo)).astype(dt)  # exact product in f64
        elif (lo, hi) != (0, 1):
            x = _fma64(x, hi - lo, lo)
        return x.reshape(shape)

    def random(self, size: Any = (), dtype: Any = None) -> Any:
        return self.uniform(0.0, 1.0, size, dtype)

    def normal(
        self, loc: float = 0.0, scale: float = 1.0, size: Any = (), dtype: Any = None
    ) -> Any:
        dt = np.dtype(np.float64 if dtype is None else dtype)
        shape = _shape(size)
        n = math.prod(shape)
        if n < 16:
            out = np.array([self._scalar_normal() for _ in range(n)], np.float64)
            return _fma64(out, scale, loc).astype(dt).reshape(shape)  # -mfma contracts it
        is32 = dt == np.float32
        d = self._unit(n, dt if is32 else np.float64)
        tail = self._unit(16, d.dtype) if n % 16 else None
        fill = _box_muller16_f32 if is32 else _box_muller16_f64
        m, s = d.dtype.type(loc), d.dtype.type(scale)
        fill(d, m, s)
        if tail is not None:
            fill(tail, m, s)
            d[n - 16 :] = tail
        return d.astype(dt, copy=False).reshape(shape)

    def standard_normal(self, size: Any = (), dtype: Any = None) -> Any:
        return self.normal(0.0, 1.0, size, dtype)

    def _scalar_normal(self) -> float:
        """``normal_distribution<double>``: Box-Muller on two random64 uniforms, the sine
        sample cached for the next call."""
        if self.next_double_normal is not None:
            v, self.next_double_normal = self.next_double_normal, None
            return v
        u1, u2 = self._unit(2, np.float64)
        r = math.sqrt(-2.0 * math.log1p(-float(u2)))
        theta = 2.0 * math.pi * float(u1)
        self.next_double_normal = r * math.sin(theta)
        return r * math.cos(theta)

    def integers(self, low: int, high: int, size: Any = (), dtype: Any = np.int64) -> Any:
        """``random_from_to``: ``(raw % range) + low`` in uint64 (wrapping, as PyTorch's
        ``static_cast<int64_t>``), one 32-bit output per value, two when range >= 2**32."""
        shape = _shape(size)
        n, span = math.prod(shape), high - low
        raw = self.raw64(n) if span >= 1 << 32 else self.raw32(n)
        vals = (raw % np.uint64(span) + np.uint64(low & _MASK64)).view(np.int64)
        return vals.astype(dtype).reshape(shape)

    def permutation(self, n: int) -> np.ndarray:
        if n <= 1:
            return np.arange(n)
        return _fisher_yates(self.raw32(n - 1), n)

    # ---- PyTorch's other samplers (jitgrad.random_samplers) ----------------------------
    def run(self, kernel: Any, need: int, *args: Any) -> np.ndarray:
        """``kernel(*args, buf[, cache])`` on the next ``need`` (a guess) 32-bit outputs; a
        kernel that reports running out (-1) runs again on a longer buffer from the same
        position. The stream then stands after the outputs used, with the cached normal
        sample the kernel left."""
        saved, cached = self.bit_generator.state, self.next_double_normal
        while True:
            cache = np.array([cached is not None, cached or 0.0])
            buf = self.raw32(need)
            out, used = kernel(*args, buf, cache)
            if used >= 0:
                break
            self.bit_generator.state, need = saved, 4 * need + 64
        if used < need:
            self.bit_generator.state = saved
            self.raw32(used)
        self.next_double_normal = float(cache[1]) if cache[0] else None
        return out

    def uniform_map(self, kind: int, n: int, a: float, b: float = 0.0) -> np.ndarray:
        """Exponential (``kind`` 0), cauchy (1) or geometric (2) double draws (one double
        uniform each)."""
        return S.uniform_map(kind, n, float(a), float(b), self.raw32(2 * n))

    def log_normal(self, n: int, mean: float, std: float) -> np.ndarray:
        return self.run(S.log_normal, 2 * n + 4, n, float(mean), float(std))

    def bernoulli(self, p: np.ndarray) -> np.ndarray:
        """``bernoulli_(Tensor p)`` in ``p``'s float dtype, row-major (bool array)."""
        is32 = p.dtype != np.float64
        flat = np.ascontiguousarray(p, np.float64).reshape(-1)
        buf = self.raw32(flat.size * (1 if is32 else 2))
        return S.bernoulli(flat, is32, buf).reshape(p.shape)

    def multinomial_replace(self, rows: np.ndarray, n_sample: int) -> np.ndarray:
        buf = self.raw32(2 * rows.shape[0] * n_sample)
        w = np.ascontiguousarray(rows, np.float64)
        return S.multinomial_replace(w, n_sample, rows.dtype != np.float64, buf)

    def standard_gamma(self, alpha: np.ndarray) -> np.ndarray:
        """``torch._standard_gamma`` in ``alpha``'s dtype's arithmetic, as float64 values."""
        flat = np.ascontiguousarray(alpha, np.float64).reshape(-1)
        is32 = alpha.dtype != np.float64
        out = self.run(S.standard_gamma, 6 * flat.size + 8, flat, is32)
        return out.reshape(alpha.shape)

    def poisson(self, lam: np.ndarray) -> np.ndarray:
        flat = np.ascontiguousarray(lam, np.float64).reshape(-1)
        return self.run(_no_cache(S.poisson), 8 * flat.size + 8, flat).reshape(np.shape(lam))

    def binomial(self, count: np.ndarray, prob: np.ndarray) -> np.ndarray:
        """``torch.binomial`` in ``count``'s dtype (float32 arithmetic where ATen's is)."""
        n, p = np.broadcast_arrays(count, prob)
        is32 = count.dtype != np.float64
        flat_n = np.ascontiguousarray(n, np.float64).reshape(-1)
        flat_p = np.ascontiguousarray(p, np.float64).reshape(-1)
        kernel = _no_cache(S.binomial)
        return self.run(kernel, 8 * flat_n.size + 8, flat_n, flat_p, is32).reshape(n.shape)


def _no_cache(kernel: Any) -> Any:
    """A kernel that draws no normals, with :meth:`TorchStream.run`'s ``cache`` argument."""
    return lambda *args: kernel(*args[:-1])


def _split(a: Any) -> tuple:
    c = 134217729.0 * a  # Dekker: 2**27 + 1
    high = c - (c - a)
    return high, a - high


def _fma64(a: np.ndarray, b: float, c: float) -> np.ndarray:
    """``a * b + c`` rounded once, as the fused multiply-add PyTorch's x86 kernel uses:
    the product's exact error (Dekker) and the sum's (Knuth) added back before rounding."""
    p = a * b
    (ah, al), (bh, bl) = _split(a), _split(np.float64(b))
    perr = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    bb = s - p
    serr = (p - (s - bb)) + (c - bb)
    return s + (serr + perr)


def _shape(size: Any) -> tuple:
    if size is None:
        return ()
    return (int(size),) if isinstance(size, int | np.integer) else tuple(size)
