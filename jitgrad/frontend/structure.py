"""Structural tensor functions PyTorch programs use every day: triangles and diagonals
(``tril``, ``triu``, ``diagonal``, ``diag``, ``diag_embed``, ``trace``), rearrangements
(``roll``, ``rot90``, ``fliplr``/``flipud``, ``diff``, ``repeat_interleave``) and products
(``tensordot``, ``inner``, ``cross``, ``cdist``). Stacking, splitting and broadcasting
(``hstack``, ``tensor_split``, ``meshgrid`` ...) live in :mod:`.stacking`; this module
re-exports them, so ``jitgrad.frontend.structure`` still offers every name it always did.

Ops PyTorch records as one node (``TrilBackward0``, ``RollBackward0``, ``TraceBackward0`` ...)
run one numpy pass forward and a Tensor-op backward (differentiable again); the others are
compositions of existing ops, as in PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from ..helpers import warn as warn_user
from ..ops.registry import REGISTRY
from . import argcheck as A
from . import movement as M
from . import parser_forms as PF
from .clamp_where import where
from .creation import arange, zeros
from .indexing import index_select
from .inplace_result import written_into_self
from .linalg import matmul
from .pointwise import apply, check_inplace
from .recording import record, renamed
from .reduce import norm
from .stacking import *  # noqa: F403  (re-exported: every name stays importable from here)
from .stacking import METHODS as _STACKING_METHODS
from .stacking import __all__ as _STACKING_ALL
from .stacking import broadcast_tensors
from .tensor import Tensor, _make, _wrap_dim


def _one(name: str, value: np.ndarray, input: Tensor, backward: Any) -> Tensor:  # noqa: A002
    value = value if value.flags.c_contiguous else value.copy(order="C")
    return record(name, value, input._dtype, (input,), lambda g: (backward(g),))


# ---- triangles and diagonals ------------------------------------------------------------
def tril(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The lower triangle of the last two dimensions (above ``diagonal`` set to 0)."""
    if input.dim() < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return _one(
        "TrilBackward0", np.tril(input._value, diagonal), input, lambda g: tril(g, diagonal)
    )


def triu(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The upper triangle of the last two dimensions (below ``diagonal`` set to 0)."""
    if input.dim() < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return _one(
        "TriuBackward0", np.triu(input._value, diagonal), input, lambda g: triu(g, diagonal)
    )


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """The ``offset`` diagonal of dims ``dim1, dim2``, appended as the last dimension."""
    d1, d2 = _wrap_dim(dim1, input.dim()), _wrap_dim(dim2, input.dim())
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    shape = tuple(input.shape)
    view = np.diagonal(input._value, offset, d1, d2)  # numpy hands out a read-only view
    if input._value.flags.writeable:
        view.setflags(write=True)  # a view, as in PyTorch: x.diagonal().fill_(1) writes x
    return M.make_view(
        input, view, "DiagonalBackward0", lambda g: _diagonal_scatter(g, shape, offset, d1, d2)
    )


def _diagonal_scatter(g: Tensor, shape: tuple, offset: int, d1: int, d2: int) -> Tensor:
    """Zeros of ``shape`` with ``g`` on the ``offset`` diagonal of ``d1, d2``."""
    out = np.zeros(shape, g._dtype.np)
    view = np.diagonal(out, offset, d1, d2)
    view.setflags(write=True)
    view[...] = g._value
    return _one("DiagonalBackwardBackward0", out, g, lambda gg: diagonal(gg, offset, d1, d2))


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: A002
    """Matrices (in dims ``dim1, dim2``) whose ``offset`` diagonal is ``input``'s last dim.
    In Tensor ops (device kernels for a device input): the last dim padded to the matrix
    size, spread along rows (or columns, below the diagonal) and kept where ``j - i`` is
    ``offset`` (a select, so NaN and inf stay on the diagonal)."""
    k, size = abs(offset), input.shape[-1] + abs(offset)
    out_dim = input.dim() + 1
    d1, d2 = _wrap_dim(dim1, out_dim), _wrap_dim(dim2, out_dim)
    x = input
    if k:
        pad = zeros((*input.shape[:-1], k), dtype=input.dtype, device=input.device)
        x = M.cat([x, pad], -1)
    x = M.unsqueeze(x, -1 if offset >= 0 else -2)
    ar = arange(size, device=input.device)
    on_diagonal = (M.unsqueeze(ar, 0) - M.unsqueeze(ar, 1)) == offset  # [i, j]: j - i
    empty = zeros((), dtype=input.dtype, device=input.device)
    out = M.movedim(where(on_diagonal, x, empty), (-2, -1), (d1, d2)).contiguous()
    return renamed(_fresh(out), "DiagEmbedBackward0")


def _fresh(t: Tensor) -> Tensor:
    """``t``, or a copy where ``t`` is a view: PyTorch's copying ops never return a view."""
    return t if t._base is None else t.clone()


def diag(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """A 1-D input as a diagonal matrix, or a copy of a 2-D input's diagonal (not a view)."""
    if input.dim() == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input.dim() == 2:
        copy = globals()["diagonal"](input, diagonal, 0, 1).clone()
        return renamed(copy, "DiagonalBackward0_copy")
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.dim()}D")


def trace(input: Tensor) -> Tensor:  # noqa: A002
    """The sum of the main diagonal of a matrix."""
    if input.dim() != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim " + str(input.dim()))
    # the diagonal's sum in Tensor ops (device kernels for a device operand)
    return renamed(diagonal(input).sum(), "TraceBackward0")


def fill_diagonal_(self: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:
    """Write ``fill_value`` on the main diagonal in place (all dims equal, or 2-D)."""
    check_inplace(self)
    a = self._value
    if a.ndim == 2:
        np.fill_diagonal(a, fill_value, wrap=wrap)
    else:
        idx = np.arange(min(a.shape))
        a[(idx,) * a.ndim] = fill_value
    self._bump()
    return self


# ---- rearranging --------------------------------------------------------------------------
def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:  # noqa: A002
    """Rotate entries along ``dims`` by ``shifts`` (the flattened tensor if no ``dims``)."""
    if isinstance(shifts, tuple | list) and not shifts:
        raise RuntimeError("`shifts` required")
    if dims is None:
        if not isinstance(shifts, int) and len(shifts) != 1:  # one shift for the flat tensor
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        shift = shifts if isinstance(shifts, int) else shifts[0]
        flat = _rolled(M.reshape(input, (-1,)), [shift], [0])
        return renamed(_fresh(M.reshape(flat, tuple(input.shape))), "RollBackward0")
    sh = [shifts] if isinstance(shifts, int) else list(shifts)
    ds = [dims] if isinstance(dims, int) else list(dims)
    if len(sh) != len(ds):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:{len(ds)}")
    ds = [_wrap_dim(d, input.dim()) for d in ds]
    return renamed(_rolled(input, sh, ds), "RollBackward0")


def _rolled(x: Tensor, shifts: list[int], dims: list[int]) -> Tensor:
    """``x`` rotated by each shift along its dim: the two slices swapped by a ``cat`` in
    Tensor ops (device kernels for a device operand); a copy when nothing moves."""
    moved = False
    for s, d in zip(shifts, dims, strict=True):
        n = x.shape[d]
        s = s % n if n else 0
        if s:
            x = M.cat([M.narrow(x, d, n - s, s), M.narrow(x, d, 0, n - s)], d)
            moved = True
    return x if moved else x.clone()


def rot90(input: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:  # noqa: A002
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from the first towards the
    second), as flips and a transpose."""
    if A.as_int(k) is None:
        raise A.must_be("rot90", "k", 1, "int", k)
    if not isinstance(dims, tuple | list):
        raise A.must_be("rot90", "dims", 2, "tuple of ints", dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    n = input.dim()
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    a, b = dims
    for d in dims:
        _wrap_dim(d, n)  # PyTorch's IndexError for a dim out of range
    if a == b or abs(a - b) == n:  # ATen's test: the same dim, perhaps spelled negatively
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {a} and dim1 = {b}"
        )
    k %= 4
    if k == 1:
        out = M.transpose(M.flip(input, [b]), a, b)
    elif k == 2:
        out = M.flip(input, [a, b])
    elif k == 3:
        out = M.transpose(M.flip(input, [a]), a, b)
    else:
        out = input.clone()
    return renamed(out, "Rot90Backward0")


def fliplr(input: Tensor) -> Tensor:  # noqa: A002
    if input.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return M.flip(input, [1])


def flipud(input: Tensor) -> Tensor:  # noqa: A002
    if input.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return M.flip(input, [0])


def diff(
    input: Tensor,  # noqa: A002
    n: int = 1,
    dim: int = -1,
    prepend: Tensor | None = None,
    append: Tensor | None = None,
) -> Tensor:
    """``n``-th forward difference along ``dim`` (after optional prepend/append)."""
    if n == 0:  # ATen's: zeros_like(input).copy_(input) (CopyBackwards), prepend/append unread
        return apply(REGISTRY["copy"], [input.new_zeros(tuple(input.shape)), input])
    parts = [t for t in (prepend, input, append) if t is not None]
    x = M.cat(parts, dim) if len(parts) > 1 else input
    d = _wrap_dim(dim, x.dim())
    for _ in range(n):
        length = x.shape[d] - 1
        if length < 0:
            break
        x = M.narrow(x, d, 1, length) - M.narrow(x, d, 0, length)
    return x


def repeat_interleave(
    input: Any,  # noqa: A002
    repeats: Any = None,
    dim: int | None = None,
    *,
    output_size: int | None = None,
) -> Tensor:
    """Each element (slice along ``dim``) repeated ``repeats`` times in place."""
    if repeats is None:  # repeat_interleave(repeats): indices 0..n-1 repeated
        counts = input._value
        return _make(np.repeat(np.arange(counts.size), counts).astype(np.int64), D.int64)
    x = input if dim is not None else M.reshape(input, [-1])
    d = 0 if dim is None else _wrap_dim(dim, x.dim())
    reps = repeats._value if isinstance(repeats, Tensor) else repeats
    idx = np.repeat(np.arange(x.shape[d]), reps)
    return index_select(x, d, _make(idx.astype(np.int64), D.int64))


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    return M.transpose(input, dim0, dim1)


# ---- products -----------------------------------------------------------------------------
def tensordot(a: Tensor, b: Tensor, dims: Any = 2, out: Any = None) -> Tensor:
    """Contract the last ``dims`` dims of ``a`` with the first of ``b`` (or the given lists)."""
    if isinstance(dims, int):
        da, db = list(range(a.dim() - dims, a.dim())), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    da = [_wrap_dim(d, a.dim()) for d in da]
    db = [_wrap_dim(d, b.dim()) for d in db]
    free_a = [d for d in range(a.dim()) if d not in da]
    free_b = [d for d in range(b.dim()) if d not in db]
    k = math.prod(a.shape[d] for d in da)
    am = M.reshape(M.permute(a, free_a + da), [-1, k])
    bm = M.reshape(M.permute(b, db + free_b), [k, -1])
    out_shape = [a.shape[d] for d in free_a] + [b.shape[d] for d in free_b]
    return M.reshape(matmul(am, bm), out_shape)


def inner(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Sum of products over the last dimension of both (a scalar times a tensor for 0-d)."""
    if input.dim() == 0 or other.dim() == 0:
        return input * other
    return tensordot(input, other, ([-1], [-1]))


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """The 3-vector cross product along ``dim`` (the first size-3 dim if not given)."""
    x, y = broadcast_tensors(input, other)
    if dim is None:
        warn_user(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass "
            "the dim explicitly or simply use torch.linalg.cross.\nThe default value of dim "
            "will change to agree with that of linalg.cross in a future release.",
            UserWarning,
            stacklevel=2,
        )
        dim = next((i for i, s in enumerate(x.shape) if s == 3), -1)
    d = _wrap_dim(dim, x.dim())
    if x.shape[d] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {d} must have length 3. Got {x.shape[d]} and "
            f"{y.shape[d]}"
        )
    # NumPy's formula, ``x[i+1] y[i+2] - x[i+2] y[i+1]``, in detached Tensor ops over rolled
    # copies (device kernels for device operands)
    a, b = x.detach(), y.detach()
    out = roll(a, -1, d) * roll(b, -2, d) - roll(a, -2, d) * roll(b, -1, d)

    def backward(g: Tensor) -> tuple:
        return cross(y, g, d), cross(g, x, d)

    return record("LinalgCrossBackward0", out._value, out._dtype, (x, y), backward)


def cdist(
    x1: Tensor,
    x2: Tensor,
    p: float = 2.0,
    compute_mode: str = "use_mm_for_euclid_dist_if_necessary",
) -> Tensor:  # noqa: E501
    """Pairwise p-norm distances between the rows of ``x1`` and ``x2`` (batched)."""
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}"
        )
    out = norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, -1)
    return renamed(out, "ViewBackward0" if _uses_mm(x1, x2, p, compute_mode) else "CdistBackward0")


def _uses_mm(x1: Tensor, x2: Tensor, p: float, mode: str) -> bool:
    """Whether PyTorch takes its matmul route (``_euclidean_dist``, whose result is a view):
    p = 2 forced by ``mode`` or, by default, with more than 25 rows on a side (non-empty)."""
    if p != 2 or not (x1.numel() and x2.numel()):
        return False
    many = x1.shape[-2] > 25 or x2.shape[-2] > 25
    if mode == "use_mm_for_euclid_dist_if_necessary":
        return many
    return mode == "use_mm_for_euclid_dist"


__all__ = [
    "cdist",
    "cross",
    "diag",
    "diag_embed",
    "diagonal",
    "diff",
    "fliplr",
    "flipud",
    "inner",
    "repeat_interleave",
    "roll",
    "rot90",
    "swapdims",
    "tensordot",
    "trace",
    "tril",
    "triu",
    *_STACKING_ALL,
]

#: Tensor method name -> function, bound by jitgrad.methods.bind().
METHODS: dict[str, Any] = {
    name: globals()[name]
    for name in (
        "tril triu diagonal diag diag_embed trace roll rot90 fliplr flipud diff "
        "repeat_interleave swapdims inner cross"
    ).split()
}
METHODS.update(_STACKING_METHODS)
METHODS["fill_diagonal_"] = fill_diagonal_
METHODS["roll"] = PF.positional_method(roll, "roll", 1, 2)  # (the method counts no self)
METHODS["rot90"] = PF.positional_method(rot90, "rot90", 0, 2)
METHODS["tril_"] = written_into_self(tril, "tril_")
METHODS["triu_"] = written_into_self(triu, "triu_")
