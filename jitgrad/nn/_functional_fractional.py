"""``fractional_max_pool2d`` / ``fractional_max_pool3d`` (Graham, "Fractional Max-Pooling").

Each plane pools ``kernel_size`` windows whose starts advance by a fractional stride
``alpha = (in - k) / (out - 1)``, offset by the plane's sample ``u`` in ``_random_samples``:
``start[i] = int((i + u) * alpha) - int(u * alpha)``, the last window flush with the end.
The arithmetic runs in the input's floating dtype, as PyTorch's kernel does, so given the same
``_random_samples`` the windows, maxima and indices are PyTorch's; without them the samples
are ``rand`` draws (jitgrad's stream, not PyTorch's). A window's first maximum wins, a NaN
over any number (its last NaN), and indices are flat in the plane, as in ``max_pool``.
The samples' columns are (W, H) for 2-d and (T, H, W) for 3-d, PyTorch's layout.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes as D
from ..frontend.movement import contiguous_array
from ..frontend.recording import record
from ..frontend.sampling import rand
from ..frontend.tensor import Tensor, _make
from ._functional_pool import _max_pool_grad
from ._functional_pool3d import _pick

__all__ = [
    "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices",
]

_DIMS = {2: ("height", "width"), 3: ("time", "height", "width")}


def _starts(u: np.ndarray, size: int, out: int, k: int) -> np.ndarray:
    """(P,) samples -> (P, out) window starts, computed in the samples' dtype."""
    t = u.dtype.type
    seq = np.empty((u.shape[0], out), np.int64)
    if out > 1:
        alpha = t(size - k) / t(out - 1)
        i = np.arange(out - 1).astype(u.dtype)
        # static_cast<int>: truncation toward zero (astype's rule), of dtype-precision values
        with np.errstate(over="ignore", invalid="ignore"):
            first = ((i[None, :] + u[:, None]) * alpha).astype(np.int64)
            seq[:, :-1] = first - (u * alpha).astype(np.int64)[:, None]
    if out > 0:
        seq[:, -1] = size - k
    return seq


def _ints(op: str, what: str, v: Any, nd: int) -> tuple[int, ...]:
    t = (v,) * nd if isinstance(v, int | np.integer) else tuple(v)
    if len(t) != nd:
        ints = "Ints" if nd == 2 else "three Ints"
        raise RuntimeError(f"{op}: {what} must either be a single Int or tuple of {ints}")
    return tuple(int(a) for a in t)


def _check(x: Tensor, op: str, k: tuple, out: tuple, samples: Tensor) -> None:
    """PyTorch's shape checks (its meta function), then the samples' (``check_shape``)."""
    nd = len(k)
    where = f"{op}()" if nd == 2 else f"{op}_out()"
    shape = list(x.shape)
    if x.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{where}: Expected {nd + 1}D or {nd + 2}D tensor, but got: {shape}")
    for i in range(1, x.dim()):
        if shape[i] == 0:
            raise RuntimeError(
                f"{where}: Expected input to have non-zero size for non-batch dimensions, but "
                f"got{shape} with dimension {i} being empty."
            )
    for dim, o, kk, n in zip(_DIMS[nd], out, k, shape[-nd:], strict=True):
        if o + kk - 1 > n:
            raise RuntimeError(f"{where}: pool {dim} {kk} too large relative to input {dim} {n}")
    if min(out) < 0:
        lead = shape[:-nd]
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(out)}: {lead + list(out)}"
        )
    if samples._dtype is not x._dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.dim()}")
    batch = 1 if x.dim() == nd + 1 else shape[0]
    if samples.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != shape[-nd - 1]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != nd:
        raise RuntimeError(
            f"Expect _random_samples.size(2) equals to {nd}; got {samples.shape[2]}."
        )
    if not x._dtype.is_floating_point:
        name = f"fractional_max_pool{nd}d_out_frame"
        raise NotImplementedError(f"\"{name}\" not implemented for '{D.scalar_name(x._dtype)}'")


def _windows(starts: list[np.ndarray], k: tuple, size: tuple) -> np.ndarray:
    """(P, prod(out), prod(k)) flat plane positions of every window's taps, in PyTorch's
    scan order (``starts[d]``: (P, out[d]) window starts along dim d)."""
    nd, planes = len(k), starts[0].shape[0]
    out = tuple(st.shape[1] for st in starts)
    flat = np.zeros((), np.int64)
    for d in range(nd):  # taps along dim d: (P, out[d], k[d]), placed in a (P, *out, *k) grid
        view = [planes] + [1] * (2 * nd)
        view[1 + d], view[1 + nd + d] = out[d], max(k[d], 0)
        taps = starts[d][:, :, None] + np.arange(max(k[d], 0))
        flat = flat * size[d] + taps.reshape(view)
    taps = tuple(max(v, 0) for v in k)
    grid = np.broadcast_to(flat, (planes, *out, *taps))
    return grid.reshape(planes, math.prod(out), math.prod(taps))


def _pool(x: Tensor, k: tuple, out: tuple, samples: Tensor) -> tuple[Tensor, Tensor]:
    """The pooled values (one ``FractionalMaxPool{nd}DBackward0`` node) and flat indices."""
    nd = len(k)
    shape = tuple(x.shape)
    size = shape[-nd:]
    a = contiguous_array(x._value, x._dtype).reshape(-1, math.prod(size))
    planes, channels = a.shape[0], shape[-nd - 1]
    u = contiguous_array(samples._value, samples._dtype)[: planes // channels]
    u = u.reshape(planes, nd)
    cols = (1, 0) if nd == 2 else (0, 1, 2)  # 2-d samples are (W, H): PyTorch's order
    starts = [_starts(u[:, c], size[d], out[d], k[d]) for d, c in enumerate(cols)]
    flat = _windows(starts, k, size)
    if flat.shape[2] == 0:  # empty windows: PyTorch keeps -inf, indexed at the window start
        idx = _windows(starts, (1,) * nd, size)[:, :, 0]
        value = np.full(idx.shape, -np.inf, a.dtype)
    else:
        vals = a[np.arange(planes)[:, None, None], flat]
        arg = _pick(vals, 2)[:, :, None]
        value = np.take_along_axis(vals, arg, 2)[:, :, 0]
        idx = np.ascontiguousarray(np.take_along_axis(flat, arg, 2)[:, :, 0])
    name = f"FractionalMaxPool{nd}DBackward0"
    result = record(
        name,
        value.reshape(*shape[:-nd], *out),
        x._dtype,
        (x,),
        lambda g: _max_pool_grad(g, idx, x, nd, f"FractionalMaxPool{nd}DBackwardBackward0"),
        saved=(x,),
    )
    return result, _make(idx.reshape(*shape[:-nd], *out), D.int64)


def _with_indices(
    nd: int,
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    output_size: Any,
    output_ratio: Any,
    samples: Tensor | None,
) -> tuple[Tensor, Tensor]:
    """PyTorch's Python side (sizes from ``output_ratio``, drawn samples), then the op."""
    op = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if nd == 2 and len(output_ratio) > 2:
            raise ValueError(
                f"{op} requires output_ratio to either be a single Int or tuple of Ints."
            )
        ratio = tuple(output_ratio) if nd == 2 else _triple(output_ratio)
        output_size = [int(input.shape[-nd + i] * ratio[i]) for i in range(nd)]
    if samples is None:
        batch = 1 if input.dim() == nd + 1 else input.shape[0]
        samples = rand(batch, input.shape[-nd - 1], nd, dtype=input.dtype)
    k = _ints(op, "kernel_size", kernel_size, nd)
    out = _ints(op, "output_size", output_size, nd)
    _check(input, op, k, out, samples)
    return _pool(input, k, out, samples)


def _triple(v: Any) -> tuple:
    """PyTorch's ``_triple``: an iterable as it is (a short one fails on indexing later)."""
    return tuple(v) if isinstance(v, list | tuple) else (v, v, v)


def fractional_max_pool2d_with_indices(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """Fractional max pooling over ``(N, C, H, W)`` or ``(C, H, W)``, with the indices."""
    return _with_indices(2, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d_with_indices(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """Fractional max pooling over ``(N, C, T, H, W)`` or ``(C, T, H, W)``, with indices."""
    return _with_indices(3, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Tensor | None = None,
) -> Any:
    """Fractional max pooling over ``(N, C, H, W)``; ``(values, indices)`` with
    ``return_indices``."""
    pair = _with_indices(2, input, kernel_size, output_size, output_ratio, _random_samples)
    return pair if return_indices else pair[0]


def fractional_max_pool3d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Tensor | None = None,
) -> Any:
    """Fractional max pooling over ``(N, C, T, H, W)``; ``(values, indices)`` with
    ``return_indices``."""
    pair = _with_indices(3, input, kernel_size, output_size, output_ratio, _random_samples)
    return pair if return_indices else pair[0]
