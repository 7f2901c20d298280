"""Shape and movement ops: views (reshape, transpose, expand, slicing ...) and copies (cat ...).

The public names of two modules, as the Tensor methods and ``jitgrad.*`` functions bind them:
:mod:`.views` (ops that are views in PyTorch: numpy views sharing the version counter) and
:mod:`.join_split` (cat/stack, split/chunk/unbind, repeat/tile/flip).
"""

from __future__ import annotations

from typing import Any

from . import argcheck as A
from . import checks
from . import parser_forms as PF
from .copying import contiguous_array as contiguous_array  # (re-exported: the old path)
from .copying import copy_into as copy_into
from .join_split import (
    cat,
    concat,
    concatenate,
    flip,
    repeat,
    split,
    stack,
    tile,
    unbind,
)
from .overloads import OVERLOADS
from .tensor import Tensor, _wrap_dim
from .views import (
    _T,
    _mT,
    broadcast_to,
    contiguous,
    expand,
    expand_as,
    flatten,
    moveaxis,
    movedim,
    narrow,
    permute,
    reshape,
    select,
    squeeze,
    swapaxes,
    t,
    transpose,
    unflatten,
    unsqueeze,
    view,
    view_as,
)
from .views import VIEW_ERROR as VIEW_ERROR  # (re-exported, as the view helpers below)
from .views import as_view as as_view
from .views import basic_view as basic_view
from .views import embed as embed
from .views import make_view as make_view

__all__ = [
    "reshape",
    "flatten",
    "unflatten",
    "squeeze",
    "unsqueeze",
    "transpose",
    "swapaxes",
    "permute",
    "movedim",
    "moveaxis",
    "tile",
    "t",
    "broadcast_to",
    "cat",
    "concat",
    "concatenate",
    "stack",
    "split",
    "chunk",
    "unbind",
    "flip",
    "narrow",
    "select",
]


def chunk(input: Tensor, chunks: int, dim: int = 0, *, axis: Any = None) -> tuple:  # noqa: A002
    """``chunks`` near-equal pieces along ``dim`` (or NumPy's ``axis``)."""
    dim = dim if axis is None else axis
    chunks = checks.chunks(chunks)
    d = _wrap_dim(dim, input.ndim)
    if input.shape[d] == 0:  # (PyTorch's: ``chunks`` empty pieces, a split_with_sizes)
        return split(input, [0] * chunks, dim)
    return split(input, -(-input.shape[d] // chunks), dim)


def _split_method(self: Any, split_size: Any, dim: int = 0) -> tuple:
    """``Tensor.split``: PyTorch names the method's argument ``split_size`` (mamba-minimal
    calls ``x.split(split_size=[...], dim=1)``), the function's ``split_size_or_sections``."""
    return split(self, split_size, dim)


_split_method.__qualname__ = "Tensor.split"  # PyTorch's name in a wrong keyword's TypeError


def _unflatten_method(self: Any, dim: Any, sizes: Any) -> Any:
    """``Tensor.unflatten`` (a Python method in PyTorch: its arity errors say so)."""
    if not isinstance(sizes, tuple | list):
        raise A.must_be("unflatten", "sizes", 2, "tuple of ints", sizes)
    return unflatten(self, dim, sizes)


_unflatten_method.__qualname__ = "Tensor.unflatten"


METHODS: dict[str, Any] = {
    "reshape": A.int_list_method(reshape, "reshape", "shape"),
    "view": A.int_list_method(view, "view", "size"),
    "view_as": view_as,
    "reshape_as": lambda self, other: reshape(self, A.shape_of("reshape_as", other)),
    "flatten": flatten,
    "unflatten": _unflatten_method,
    "squeeze": A.int_list_method(squeeze, "squeeze", "dim"),
    "unsqueeze": unsqueeze,
    "transpose": transpose,
    "swapaxes": swapaxes,
    "permute": A.int_list_method(permute, "permute", "dims"),
    "movedim": PF.positional_method(movedim, "movedim", 2, 2, OVERLOADS["movedim"]),
    "moveaxis": PF.positional_method(movedim, "moveaxis", 2, 2, OVERLOADS["moveaxis"]),
    "tile": A.int_list_method(tile, "tile", "dims"),
    "t": t,
    "T": property(_T),
    "mT": property(_mT),
    "expand": A.int_list_method(expand, "expand", "size"),
    "expand_as": expand_as,
    "broadcast_to": A.int_list_method(broadcast_to, "broadcast_to", "size"),
    "contiguous": contiguous,
    "repeat": A.int_list_method(repeat, "repeat", "repeats"),
    "flip": A.int_list_method(flip, "flip", "dims"),
    "split": _split_method,
    "chunk": chunk,
    "unbind": unbind,
    "narrow": narrow,
    "select": select,
}
