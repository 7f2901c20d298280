"""Stacking, splitting and broadcasting: ``atleast_1d/2d/3d``, ``hstack``/``vstack``/
``dstack``/``column_stack`` (``row_stack``), ``tensor_split`` with ``hsplit``/``vsplit``/
``dsplit``, and ``broadcast_shapes``, ``broadcast_tensors``, ``meshgrid``, ``cartesian_prod``.

All are compositions of movement ops (views, ``cat``, ``stack``, ``expand``), as in PyTorch,
so they record no nodes of their own. :mod:`.structure` re-exports every public name here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..helpers import warn as warn_user
from . import argcheck as A
from . import movement as M
from . import parser_forms as PF
from .overloads import OVERLOADS
from .pointwise import broadcast_shape
from .tensor import Size, Tensor, _wrap_dim


# ---- stacking and splitting ---------------------------------------------------------------
def atleast_1d(*tensors: Any) -> Any:
    out = [t if t.dim() >= 1 else M.reshape(t, [1]) for t in _flat(tensors)]
    return out[0] if len(out) == 1 else tuple(out)


def atleast_2d(*tensors: Any) -> Any:
    out = [t if t.dim() >= 2 else M.reshape(t, [1, -1]) for t in _flat(tensors)]
    return out[0] if len(out) == 1 else tuple(out)


def atleast_3d(*tensors: Any) -> Any:
    def lift(t: Tensor) -> Tensor:
        if t.dim() >= 3:
            return t
        if t.dim() == 2:
            return t.unsqueeze(-1)
        return M.reshape(t, [1, -1, 1])

    out = [lift(t) for t in _flat(tensors)]
    return out[0] if len(out) == 1 else tuple(out)


def _flat(tensors: tuple) -> list[Tensor]:
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        return list(tensors[0])
    return list(tensors)


def _as_tuple(x: Any) -> tuple:
    return x if isinstance(x, tuple) else (x,)


def _sequence(fn: str, tensors: Any) -> list:
    """The stacks' ``tensors``: a sequence, never one Tensor (PyTorch's parser refuses it)."""
    if isinstance(tensors, Tensor):
        raise TypeError(
            f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"
        )
    return list(tensors)


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    ts = _as_tuple(atleast_1d(_sequence("hstack", tensors)))
    return M.cat(ts, 0 if ts[0].dim() == 1 else 1)


def vstack(tensors: Sequence[Tensor], fn: str = "vstack") -> Tensor:
    return M.cat(_as_tuple(atleast_2d(_sequence(fn, tensors))), 0)


def row_stack(tensors: Sequence[Tensor]) -> Tensor:
    return vstack(tensors, "row_stack")


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    return M.cat(_as_tuple(atleast_3d(_sequence("dstack", tensors))), 2)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    ts = _sequence("column_stack", tensors)
    cols = [M.reshape(t, [-1, 1]) if t.dim() <= 1 else t for t in ts]
    return M.cat(cols, 1)


def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple:  # noqa: A002
    """Views splitting ``dim`` into that many near-equal parts, or at the given indices."""
    d = _wrap_dim(dim, input.dim())
    n = input.shape[d]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        big, small = n % k, n // k
        sizes = [small + 1] * big + [small] * (k - big)
        bounds = np.cumsum([0, *sizes]).tolist()
    else:
        idx = (
            indices_or_sections.tolist()
            if isinstance(indices_or_sections, Tensor)
            else indices_or_sections
        )
        bounds = [0, *[min(max(int(i), 0), n) for i in idx], n]
    return tuple(
        M.narrow(input, d, lo, max(hi - lo, 0))
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
    )


def _split_dim(name: str, input: Tensor, sections: Any, dim: int, least: int) -> tuple:  # noqa: A002
    if input.dim() < least:
        raise RuntimeError(
            f"torch.{name} requires a tensor with at least {least} dimension, but got a tensor "
            f"with {input.dim()} dimensions!"
        )
    if isinstance(sections, int) and (sections == 0 or input.shape[dim] % sections):
        raise RuntimeError(
            f"torch.{name} attempted to split along dimension {dim}, but the size of the "
            f"dimension {input.shape[dim]} is not divisible by the split_size {sections}!"
        )
    return tensor_split(input, sections, dim)


def hsplit(input: Tensor, sections: Any) -> tuple:  # noqa: A002
    return _split_dim("hsplit", input, sections, 0 if input.dim() == 1 else 1, 1)


def vsplit(input: Tensor, sections: Any) -> tuple:  # noqa: A002
    return _split_dim("vsplit", input, sections, 0, 2)


def dsplit(input: Tensor, sections: Any) -> tuple:  # noqa: A002
    return _split_dim("dsplit", input, sections, 2, 3)


_SPLIT_OPTIONS = ("(Tensor input, int sections)", "(Tensor input, tuple of ints indices)")
hsplit = PF.overloaded_function(hsplit, _SPLIT_OPTIONS)
vsplit = PF.overloaded_function(vsplit, _SPLIT_OPTIONS)
dsplit = PF.overloaded_function(dsplit, _SPLIT_OPTIONS)


# ---- broadcasting -------------------------------------------------------------------------
def broadcast_shapes(*shapes: Any) -> Size:
    """The shape tensors of these shapes broadcast to, with PyTorch's errors: it walks each
    shape from its last dimension, so the message names the first argument and dimension
    that conflict with what the shapes before it broadcast to (``None`` shapes are skipped)."""
    given = [(s,) if isinstance(s, int) else s for s in shapes if s is not None]
    for shape in given:
        if not isinstance(shape, Sequence):
            raise RuntimeError(
                "Input shapes should be of type ints, a tuple of ints, or a list of ints, "
                f"got {shape}"
            )
    common = [1] * max((len(shape) for shape in given), default=0)
    for arg, shape in enumerate(given):
        for i in range(-1, -1 - len(shape), -1):
            if shape[i] == common[i]:
                continue
            if common[i] == 1:
                if shape[i] < 0:
                    raise ValueError("Attempting to broadcast a dimension with negative length!")
                common[i] = shape[i]
            elif shape[i] != 1:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {shape[i]} at {i}! "
                    f"Mismatching argument at index {arg} had {shape}; but expected shape "
                    f"should be broadcastable to {common}"
                )
    return Size(common)


def broadcast_tensors(*tensors: Tensor) -> tuple:
    """Views of every tensor expanded to their common shape."""
    ts = _flat(tensors)
    shape = broadcast_shape([tuple(t.shape) for t in ts])
    return tuple(t if tuple(t.shape) == shape else t.expand(shape) for t in ts)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple:
    """Coordinate grids from 1-D tensors (``'ij'``: matrix indexing, ``'xy'``: Cartesian)."""
    ts = _flat(tensors)
    if indexing is None:
        warn_user(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = [t.numel() for t in ts]
    grids = []
    for i, t in enumerate(ts):
        view = [1] * len(ts)
        view[i] = -1
        grids.append(M.reshape(t, view).expand(shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of the 1-D inputs' elements, one per row."""
    ts = _flat(tensors)
    if len(ts) == 1:
        return ts[0]
    grids = meshgrid(*ts, indexing="ij")
    return M.stack([M.reshape(g, [-1]) for g in grids], 1)


__all__ = [
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "broadcast_shapes",
    "broadcast_tensors",
    "cartesian_prod",
    "column_stack",
    "dsplit",
    "dstack",
    "hsplit",
    "hstack",
    "meshgrid",
    "row_stack",
    "tensor_split",
    "vsplit",
    "vstack",
]

#: Tensor method name -> function, bound by jitgrad.methods.bind() through :mod:`.structure`.
METHODS: dict[str, Any] = {
    "tensor_split": PF.positional_method(
        tensor_split, "tensor_split", 1, 2, OVERLOADS["tensor_split"]
    ),
    **{n: A.int_list_method(globals()[n], n, "indices") for n in ("hsplit", "vsplit", "dsplit")},
}
