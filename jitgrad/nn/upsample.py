"""``F.interpolate`` (modes nearest, nearest-exact, linear, bilinear, bicubic, area) and
``nn.Upsample``.

Both modes are separable: along each spatial dim output ``o`` is a short weighted sum of input
rows, its taps (:class:`Taps`: nearest 1, linear 2, bicubic 4), so the forward applies each
dim's taps in turn (``kernels/cpu/resample.py``, last dim first, PyTorch's nesting) and the
backward applies the transposed taps, a gather. Only the taps are read, zero weights and
clamped repeats included, as PyTorch's kernels read them: a NaN or inf reaches exactly the
outputs PyTorch's does (a dense weight matrix spread it along the whole row, and cost
O(out * in) a row). The source coordinates follow PyTorch's kernels:
``nearest`` ``floor(dst * scale)`` in float32, ``nearest-exact`` ``floor((dst + 0.5) * scale)``;
linear ``(dst + 0.5) * scale - 0.5`` clamped at 0, or ``dst * (in-1)/(out-1)`` with
``align_corners``, and taps ``(i, 1), (i, 0)`` on a dim whose size does not change;
bicubic the same point unclamped, four taps of cubic convolution with
A = -0.75, indices clamped at the borders. ``scale`` is ``1/scale_factor`` when one is given
and ``in/out`` otherwise, as PyTorch computes it. ``area`` is ``adaptive_avg_pool``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..frontend.tensor import Tensor
from ._functional_pool import adaptive_avg_pool1d, adaptive_avg_pool2d
from ._functional_pool3d import adaptive_avg_pool3d
from ._taps import Taps, resample_taps, transposed  # noqa: F401 - UP.transposed (CUDA's)
from .module import Module

_NAMES = {
    ("nearest", 1): "UpsampleNearest1DBackward0",
    ("nearest", 2): "UpsampleNearest2DBackward0",
    ("linear", 1): "UpsampleLinear1DBackward0",
    ("bilinear", 2): "UpsampleBilinear2DBackward0",
    ("bicubic", 2): "UpsampleBicubic2DBackward0",
    ("nearest-exact", 1): "UpsampleNearestExact1DBackward0",
    ("nearest-exact", 2): "UpsampleNearestExact2DBackward0",
    ("nearest", 3): "UpsampleNearest3DBackward0",
    ("trilinear", 3): "UpsampleTrilinear3DBackward0",
    ("nearest-exact", 3): "UpsampleNearestExact3DBackward0",
}
_CUBIC_A = -0.75  # PyTorch's (and OpenCV's) bicubic coefficient


def _cubic_weights(t: np.ndarray) -> list[np.ndarray]:
    """The four cubic-convolution weights of taps -1, 0, 1, 2 at fractional offset ``t``."""
    a = t.dtype.type(_CUBIC_A)

    def near(x: np.ndarray) -> np.ndarray:
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: np.ndarray) -> np.ndarray:
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _fixed(idx: np.ndarray, w: np.ndarray, n_in: int) -> Taps:
    """``(n_out, k)`` tap indices and weights as compressed rows."""
    ptr = np.arange(idx.shape[0] + 1, dtype=np.int64) * idx.shape[1]
    cols = np.ascontiguousarray(idx, dtype=np.int64).reshape(-1)
    return Taps(ptr, cols, np.ascontiguousarray(w).reshape(-1), n_in)


def _taps(n_in: int, n_out: int, scale: float | None, mode: str, align: bool, dt: Any) -> Taps:
    """The taps along one dim, as PyTorch's CPU kernels compute them."""
    dst = np.arange(n_out)
    if mode in ("nearest", "nearest-exact"):
        s = np.float32(1.0 / scale if scale is not None and scale > 0 else n_in / n_out)
        shift = np.float32(0.5 if mode == "nearest-exact" else 0.0)
        src = np.floor((dst.astype(np.float32) + shift) * s).astype(np.int64)
        return _fixed(np.minimum(src, n_in - 1)[:, None], np.ones((n_out, 1), dt), n_in)
    if n_in == n_out and mode != "bicubic":
        # PyTorch reads such a dim as taps (i, 1) and (i, 0), whatever the scale: a copy
        # where x is finite, NaN where x[i] is inf (inf * 0)
        w = np.zeros((n_out, 2), dt)
        w[:, 0] = 1
        return _fixed(np.stack([dst, dst], 1), w, n_in)
    if align:
        s = dt.type((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
        src = dst.astype(dt) * s
    else:
        s = dt.type(1.0 / scale if scale is not None and scale > 0 else n_in / n_out)
        src = s * (dst.astype(dt) + dt.type(0.5)) - dt.type(0.5)
        src = src if mode == "bicubic" else np.maximum(src, 0)
    if mode == "bicubic":
        base = np.floor(src)
        idx = [np.clip(base.astype(np.int64) - 1 + k, 0, n_in - 1) for k in range(4)]
        return _fixed(np.stack(idx, 1), np.stack(_cubic_weights(src - base), 1), n_in)
    i0 = src.astype(np.int64)
    w1 = src - i0.astype(dt)
    return _fixed(np.stack([i0, i0 + (i0 < n_in - 1)], 1), np.stack([1 - w1, w1], 1), n_in)


def interpolate(
    input: Tensor,  # noqa: A002
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims (all dims after the first two) of ``input``."""
    plan = interpolation(input, size, scale_factor, mode, align_corners, recompute_scale_factor)
    return plan if isinstance(plan, Tensor) else resample_taps(input, *plan)


def interpolation(
    input: Tensor,  # noqa: A002
    size: Any,
    scale_factor: Any,
    mode: str,
    align_corners: bool | None,
    recompute_scale_factor: bool | None,
) -> Tensor | tuple[list[Taps], str]:
    """:func:`interpolate`'s checks and plan: the per-dim :class:`Taps` (weights in the
    input's dtype) and the node's name, or the result itself for ``area`` (an adaptive
    average pool). One place for both devices: the CUDA backend applies the same taps with
    its own kernel (``backends/cuda/nn_resample.py``)."""
    dims = input.dim() - 2
    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: "
            "linear | bilinear | bicubic | trilinear"
        )
    if mode == "area" and dims in (1, 2, 3):
        size_out = _output_sizes(input, size, scale_factor, dims)[0]
        pool = (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dims - 1]
        return pool(input, size_out if dims > 1 else size_out[0])
    if (mode, dims) not in _NAMES:
        if mode in ("linear", "bilinear", "bicubic", "trilinear"):
            want = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}[mode]
            if input.dim() != want:
                raise NotImplementedError(
                    f"Got {input.dim()}D input, but {mode} mode needs {want}D input"
                )
        raise NotImplementedError(
            f"F.interpolate(mode={mode!r}) on {input.dim()}D input is not implemented in jitgrad"
        )
    out_sizes, scales = _output_sizes(input, size, scale_factor, dims)
    if recompute_scale_factor:
        scales = [None] * dims
    align = bool(align_corners)
    dt = input._dtype.np
    in_sizes = list(input.shape[2:])
    sizes = zip(in_sizes, out_sizes, scales, strict=True)
    taps = [_taps(n, o, s, mode, align, dt) for n, o, s in sizes]
    return taps, _NAMES[(mode, dims)]


def _output_sizes(
    input: Tensor,  # noqa: A002
    size: Any,
    scale_factor: Any,
    dims: int,
) -> tuple[list[int], list[float | None]]:
    """The output spatial sizes and the scales the kernels get (None: from the sizes)."""
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    in_sizes = list(input.shape[2:])
    if size is not None:
        out_sizes = [int(s) for s in (size if isinstance(size, list | tuple) else [size] * dims)]
        if len(out_sizes) != dims:
            raise ValueError(
                "Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {in_sizes} and output size of {out_sizes}. "
                "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size "
                "in (o1, o2, ...,oK) format."
            )
        scales: list[float | None] = [None] * dims
    else:
        sf = scale_factor if isinstance(scale_factor, list | tuple) else [scale_factor] * dims
        scales = [float(s) for s in sf]
        out_sizes = [math.floor(float(n) * s) for n, s in zip(in_sizes, scales, strict=True)]
    return out_sizes, scales


def upsample(
    input: Tensor,  # noqa: A002
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """The deprecated alias of :func:`interpolate`."""
    return interpolate(input, size, scale_factor, mode, align_corners)


class Upsample(Module):
    """``F.interpolate`` as a module."""

    def __init__(
        self,
        size: Any = None,
        scale_factor: Any = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        self.scale_factor = float(scale_factor) if isinstance(scale_factor, int) else scale_factor
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return interpolate(
            input, self.size, self.scale_factor, self.mode, self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )  # fmt: skip

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


__all__ = ["Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d", "interpolate", "upsample"]
