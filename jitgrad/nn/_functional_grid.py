"""``F.affine_grid`` and ``F.grid_sample`` (2-D: bilinear, nearest or bicubic; zeros, border or
reflection padding; ``align_corners`` either way).

``grid_sample`` is written in Tensor ops, as PyTorch's reference formulas state it: the grid is
mapped to pixel coordinates (then clipped or reflected by the padding mode), the four corner
pixels are gathered from the flattened input and blended with bilinear weights that are
differentiable in the coordinates. The corner indices come from the detached coordinates (their
derivative is zero almost everywhere), so the gradient reaches the input through ``gather`` and
the grid through the weights. Bicubic blends a 4x4 neighbourhood with PyTorch's cubic
convolution weights (A = -0.75); there the padding mode moves each integer tap, not the
continuous coordinate, as PyTorch's ``get_value_bounded`` does. Each function shows as one node
with PyTorch's name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..frontend.functions import where
from ..frontend.tensor import Tensor, _make
from ..helpers import warn as warn_user
from ._functional_api import named

_ALIGN_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)


def _linspace(n: int, align_corners: bool) -> np.ndarray:
    points = np.linspace(-1.0, 1.0, n) if n > 1 else np.zeros(1)
    return points if align_corners else points * (n - 1) / n


def affine_grid(theta: Tensor, size: Any, align_corners: bool | None = None) -> Tensor:
    """The sampling grid ``(N, H, W, 2)`` of the 2-D affine maps ``theta`` ``(N, 2, 3)``."""
    if align_corners is None:
        warn_user(_ALIGN_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(
            f"Expected theta to have floating point type, but got torch.{theta.dtype.name}"
        )
    given, size = size, list(size)
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(
                f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {given}. "
                f"Got {_size(theta.shape)}."
            )
    elif len(size) == 5:
        raise NotImplementedError("affine_grid for 3-D (5-D size) is not implemented in jitgrad")
    else:
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {given}."
        )
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {given}")
    n, _, h, w = size
    if align_corners and min(h, w) == 1:
        warn_user(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.",
            UserWarning,
            stacklevel=2,
        )
    base = np.empty((h, w, 3), theta._dtype.np)
    base[..., 0] = _linspace(w, align_corners)[None, :]
    base[..., 1] = _linspace(h, align_corners)[:, None]
    base[..., 2] = 1
    flat = _make(base.reshape(1, h * w, 3), theta._dtype)

    def grid(t: Tensor) -> Tensor:
        return flat.matmul(t.transpose(1, 2)).reshape(n, h, w, 2)

    return named("AffineGridGeneratorBackward0", grid, theta)


def _size(shape: Any) -> str:
    return f"torch.Size({list(shape)})"


def _reflect(x: Tensor, lo2: int, hi2: int) -> Tensor:
    """Reflect ``x`` into ``[lo2/2, hi2/2]`` (PyTorch's ``reflect_coordinates``)."""
    if lo2 == hi2:
        return x * 0
    lo, span = lo2 / 2, (hi2 - lo2) / 2
    d = (x - lo).abs()
    extra = d.fmod(span)
    flips = (d.detach() / span).floor()
    even = flips.fmod(2) == 0
    return where(even, extra + lo, span - extra + lo)


def _source_index(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    """Grid values in ``[-1, 1]`` as pixel coordinates, clipped or reflected by the mode."""
    return _padded(_unnormalize(coord, size, align_corners), size, padding_mode, align_corners)


def _unnormalize(coord: Tensor, size: int, align_corners: bool) -> Tensor:
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _padded(x: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    """Pixel coordinates clipped (border) or reflected (reflection) into the input; zeros
    padding leaves them (the gather reads 0 outside)."""
    if padding_mode == "border":
        x = x.clamp(0, size - 1)
    elif padding_mode == "reflection":
        x = _reflect(x, 0, 2 * (size - 1)) if align_corners else _reflect(x, -1, 2 * size - 1)
        x = x.clamp(0, size - 1)
    return x


def _gather(flat: Tensor, iy: Tensor, ix: Tensor, h: int, w: int) -> Tensor:
    """``input[n, :, iy, ix]`` for integer-valued ``iy``/``ix`` ``(N, P)``, 0 outside."""
    inside = ((ix >= 0) & (ix <= w - 1) & (iy >= 0) & (iy <= h - 1)).to(flat.dtype)
    index = (iy.clamp(0, h - 1) * w + ix.clamp(0, w - 1)).long()
    n, c = flat.shape[:2]
    vals = flat.gather(2, index.unsqueeze(1).expand(n, c, index.shape[1]))
    return vals * inside.unsqueeze(1)


def _cubic_weights(t: Tensor) -> list[Tensor]:
    """PyTorch's ``cubic_interp1d`` weights of the taps at -1, 0, 1, 2 for the fraction ``t``."""
    a = -0.75

    def near(x: Tensor) -> Tensor:  # cubic_convolution1, |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: Tensor) -> Tensor:  # cubic_convolution2, 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _bicubic(flat: Tensor, g: Tensor, hw: tuple, padding_mode: str, align: bool) -> Tensor:
    """The 16-tap bicubic blend at the grid points ``g`` ``(N, P, 2)``."""
    h, w = hw
    ix, iy = _unnormalize(g[..., 0], w, align), _unnormalize(g[..., 1], h, align)
    x0, y0 = ix.detach().floor(), iy.detach().floor()
    wx, wy = _cubic_weights(ix - x0), _cubic_weights(iy - y0)
    out = 0
    for dy, fy in zip(range(-1, 3), wy, strict=True):
        yy = _padded(y0 + dy, h, padding_mode, align)
        for dx, fx in zip(range(-1, 3), wx, strict=True):
            xx = _padded(x0 + dx, w, padding_mode, align)
            out = out + _gather(flat, yy, xx, h, w) * (fy * fx).unsqueeze(1)
    return out


def _check_grid_shapes(input: Tensor, grid: Tensor) -> None:  # noqa: A002
    """``grid_sampler``'s shape checks, in PyTorch's order and words (after the mode checks
    and the ``align_corners`` warning, as there)."""
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid and input to have same batch size, but got input "
            f"with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
        )
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, "
            f"but got grid with sizes {list(grid.shape)}"
        )
    if input.dim() == 5:
        raise NotImplementedError("grid_sample of 5-D input is not implemented in jitgrad")
    if input.dim() != 4 or grid.dim() != 4:
        raise RuntimeError(
            "grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, "
            f"but got input with sizes {list(input.shape)} and grid with sizes "
            f"{list(grid.shape)}"
        )


def grid_sample(
    input: Tensor,  # noqa: A002
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """Sample ``input`` ``(N, C, H, W)`` at the normalised positions ``grid``
    ``(N, Ho, Wo, 2)`` (``x`` then ``y``, ``-1`` and ``1`` the outer edges or centres)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warn_user(_ALIGN_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    _check_grid_shapes(input, grid)
    n, c, h, w = input.shape
    ho, wo = grid.shape[1:3]

    def sample(x: Tensor, g: Tensor) -> Tensor:
        flat = x.reshape(n, c, h * w)
        g = g.reshape(n, ho * wo, 2)
        if mode == "bicubic":
            return _bicubic(flat, g, (h, w), padding_mode, align_corners).reshape(n, c, ho, wo)
        ix = _source_index(g[..., 0], w, padding_mode, align_corners)
        iy = _source_index(g[..., 1], h, padding_mode, align_corners)
        if mode == "nearest":
            out = _gather(flat, iy.detach().round(), ix.detach().round(), h, w)
        else:
            x0, y0 = ix.detach().floor(), iy.detach().floor()
            wx, wy = ix - x0, iy - y0
            out = 0
            for dy, fy in ((0, 1 - wy), (1, wy)):
                for dx, fx in ((0, 1 - wx), (1, wx)):
                    out = out + _gather(flat, y0 + dy, x0 + dx, h, w) * (fy * fx).unsqueeze(1)
        return out.reshape(n, c, ho, wo)

    return named("GridSampler2DBackward0", sample, input, grid)


GRID_SAMPLE_INTERPOLATION_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
GRID_SAMPLE_PADDING_MODES = {"zeros": 0, "border": 1, "reflection": 2}

__all__ = [
    "GRID_SAMPLE_INTERPOLATION_MODES",
    "GRID_SAMPLE_PADDING_MODES",
    "affine_grid",
    "grid_sample",
]

