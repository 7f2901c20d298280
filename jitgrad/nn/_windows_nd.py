"""Sliding windows over any number of spatial dims: geometry, im2col and col2im.

The Numba kernels (``kernels/cpu/conv.py``) do the last two dims (a 2-d plane); each dim in
front of them (a 3-d input's depth) is one numpy gather of the window taps along that dim,
which turns ``(P, D, H, W)`` into ``(P * kd * od, H, W)`` planes for the 2-d kernel, and the
columns are then reordered into PyTorch's ``unfold`` layout: rows ``(c, kd, kh, kw)``,
columns ``(od, oh, ow)``. col2im is the adjoint, one scatter-add per depth tap. So a 1-d,
2-d and 3-d convolution (and the 3-d pools) share one im2col, with no 3-d kernel beside the
2-d one.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from ..kernels.cpu import conv as CK


class Geom(NamedTuple):
    """One 2-d window geometry: kernel, stride, leading padding, dilation, output size."""

    kh: int
    kw: int
    sh: int
    sw: int
    ph: int
    pw: int
    dh: int
    dw: int
    oh: int
    ow: int

    def kernel_args(self) -> tuple:
        return (self.kh, self.kw, self.sh, self.sw, self.ph, self.pw, self.dh, self.dw, self.ow)


class Lead(NamedTuple):
    """The window along one spatial dim in front of the 2-d plane: kernel, stride, padding
    before and after, dilation, output size."""

    k: int
    s: int
    lo: int
    hi: int
    d: int
    o: int

    def taps(self) -> np.ndarray:
        """``(k, o)`` input positions (in the padded dim) each tap of each output reads."""
        return np.arange(self.k)[:, None] * self.d + np.arange(self.o)[None, :] * self.s


class Window(NamedTuple):
    """A window over ``len(lead) + 2`` spatial dims; ``taps`` (elements per window) and
    ``out`` (output sizes) are computed once, by :func:`window`."""

    g: Geom
    lead: tuple[Lead, ...]
    taps: int
    out: tuple[int, ...]


def window(g: Geom, lead: tuple[Lead, ...] = ()) -> Window:
    if not lead:
        return Window(g, lead, g.kh * g.kw, (g.oh, g.ow))
    taps = g.kh * g.kw * math.prod(v.k for v in lead)
    return Window(g, lead, taps, (*(v.o for v in lead), g.oh, g.ow))


def ntuple(value: Any, n: int) -> tuple[int, ...]:
    """``value`` as an ``n``-tuple of ints (an int, or a sequence of length 1 or ``n``)."""
    if isinstance(value, int | np.integer):
        return (int(value),) * n
    t = tuple(int(v) for v in value)
    return t * n if len(t) == 1 else t


def conv_window(
    spatial: tuple, k: tuple, stride: Any, padding: Any, dilation: Any, nd: int
) -> Window:
    """Check a convolution's stride/padding/dilation (PyTorch's messages) and compute its
    window; ``spatial`` and ``k`` have ``max(nd, 2)`` entries (a 1-d one is height 1)."""
    s, d = ntuple(stride, nd), ntuple(dilation, nd)
    if isinstance(padding, str):
        if padding == "valid":
            lo = hi = (0,) * nd
        elif padding == "same":
            if any(v != 1 for v in s):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [di * (ki - 1) for di, ki in zip(d, k[len(k) - nd :], strict=True)]
            lo = tuple(t // 2 for t in total)
            hi = tuple(t - t // 2 for t in total)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        lo = hi = ntuple(padding, nd)
    if min(s) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(lo) < 0:
        raise RuntimeError("negative padding is not supported")
    if min(d) <= 0:
        raise RuntimeError("dilation should be greater than zero")
    if nd == 1:  # a 1-d convolution is the 2-d one over a height-1 image
        s, d, lo, hi = (1, *s), (1, *d), (0, *lo), (0, *hi)
    m = len(spatial)
    padded = [spatial[i] + lo[i] + hi[i] for i in range(m)]
    eff = [d[i] * (k[i] - 1) + 1 for i in range(m)]
    if any(p < e for p, e in zip(padded, eff, strict=True)):
        shown = slice(m - nd, m)
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded[shown]))}). "
            f"Kernel size: ({' x '.join(map(str, eff[shown]))}). "
            "Kernel size can't be greater than actual input size"
        )
    o = [(padded[i] - eff[i]) // s[i] + 1 for i in range(m)]
    lead = tuple(Lead(k[i], s[i], lo[i], hi[i], d[i], o[i]) for i in range(m - 2)) if m > 2 else ()
    i, j = m - 2, m - 1
    return window(Geom(k[i], k[j], s[i], s[j], lo[i], lo[j], d[i], d[j], o[i], o[j]), lead)


#: item size -> the unsigned integer type im2col moves elements of that size as
_BITS = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def im2col(a: np.ndarray, win: Window) -> np.ndarray:
    """``(P, *spatial)`` planes -> ``(P, taps, prod(out))`` columns (zero outside).

    The kernel only copies elements and writes zeros, so it runs on the elements' bytes as
    unsigned integers of their size (a zero is all-zero bytes in every dtype: +0.0, 0,
    False): one compile per item size, not per dtype (7-9 dtypes in a test run, ~0.3 s of
    CPU each)."""
    g, lead = win.g, win.lead
    if not lead:
        a = np.ascontiguousarray(a)
        cols = np.empty((a.shape[0], g.kh * g.kw, g.oh * g.ow), a.dtype)
        bits = _BITS.get(a.dtype.itemsize)
        x, c = (a, cols) if bits is None else (a.view(bits), cols.view(bits))
        CK.pick(CK.im2col, cols.size)(x, *g.kernel_args(), c)
        return cols
    v, rest = lead[0], a.shape[2:]
    p = a.shape[0]
    if v.lo or v.hi:
        a = np.pad(a, [(0, 0), (v.lo, v.hi)] + [(0, 0)] * len(rest))
    taken = a[:, v.taps()]  # (P, k, o, *rest): one gather along this dim
    inner = im2col(taken.reshape(p * v.k * v.o, *rest), window(g, lead[1:]))
    k2, l2 = inner.shape[1:]
    out = inner.reshape(p, v.k, v.o, k2, l2).transpose(0, 1, 3, 2, 4)
    return out.reshape(p, v.k * k2, v.o * l2)


def col2im(cols: np.ndarray, win: Window, spatial: tuple) -> np.ndarray:
    """The adjoint of :func:`im2col`: ``(P, taps, prod(out))`` summed into ``(P, *spatial)``."""
    g, lead = win.g, win.lead
    if not lead:
        cols = np.ascontiguousarray(cols)
        out = np.empty((cols.shape[0], *spatial), cols.dtype)
        CK.pick(CK.col2im, cols.size)(cols, *g.kernel_args(), out)
        return out
    v, rest = lead[0], tuple(spatial[1:])
    p = cols.shape[0]
    k2, l2 = cols.shape[1] // v.k, cols.shape[2] // v.o
    split = cols.reshape(p, v.k, k2, v.o, l2).transpose(0, 1, 3, 2, 4)
    inner = col2im(split.reshape(p * v.k * v.o, k2, l2), window(g, lead[1:]), rest)
    inner = inner.reshape(p, v.k, v.o, *rest)
    padded = np.zeros((p, spatial[0] + v.lo + v.hi, *rest), cols.dtype)
    for tap, z in enumerate(v.taps()):  # the positions of one tap are distinct (stride > 0)
        padded[:, z] += inner[:, tap]
    return np.ascontiguousarray(padded[:, v.lo : v.lo + spatial[0]])
