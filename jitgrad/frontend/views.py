"""View ops: reshape, view, transpose, permute, expand, squeeze, slicing (select, narrow) ...

Ops that are views in PyTorch return numpy views of the input's buffer that share its
version counter and point ``_base`` at the root tensor, so in-place writes through a view
are seen by the base's version checks (:func:`make_view`). Every backward is written with
Tensor ops, so double backward records a graph. The public names are collected in
:mod:`.movement`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import STATE
from ..helpers import warn as warn_user
from . import argcheck as A
from . import checks
from . import parser_forms as PF
from . import saved_nodes as _saved_nodes  # noqa: F401 - gives the view nodes their _saved_*
from .bit_views import BIT_VIEWS, ConjView, stored_view
from .copying import contiguous_array, copy_into
from .empty_views import sliced
from .infer_size import infer as _infer
from .infer_size import unflatten_sizes
from .memory_format import CHANNELS_LAST, in_format
from .multi_view import inherit as _inherit_multi
from .pointwise import sum_to_shape
from .recording import record
from .tensor import Tensor, _make, _wrap_dim, legacy_type_name
from .view_dtype import view_dtype
from .view_registry import fresh_type
from .view_registry import register as register_view

VIEW_ERROR = (
    "view size is not compatible with input tensor's size and stride (at least one dimension "
    "spans across two contiguous subspaces). Use .reshape(...) instead."
)
T_WARNING = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
    "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
    "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
    "dimensions of a tensor."
)


# ---- helpers ----------------------------------------------------------------------------------
def make_view(x: Tensor, arr: np.ndarray, name: str, backward: Any) -> Tensor:
    """A view of ``x``: shares its buffer and version counter; ``_base`` is the root. A view
    of a conj/neg view (``arr`` then views its materialized values) is a view of the same
    stored memory with the same bit (:mod:`.bit_views`)."""
    bits = type(x)
    if bits is not Tensor:  # (a stale view is told by its class after the move back)
        bits = fresh_type(x)
    if bits is not Tensor and bits in BIT_VIEWS:
        twin = stored_view(x, arr)
        arr, bits = (arr, Tensor) if twin is None else (twin, bits)
    if x._requires_grad and STATE.enabled:
        out = record(name, arr, x._dtype, (x,), backward)
        out._vc = x._counter()
        register_view(out)
    else:  # the common no-grad case skips record()'s checks
        out = _make(arr, x._dtype)
        out._vc = x._counter()
    out._base = x if x._base is None else x._base
    if x.__dict__:  # a view of an unbind/split output: marked too
        _inherit_multi(x, out, name)
    if bits is not Tensor and bits in BIT_VIEWS:
        out.__class__ = bits
    return out


def _sizes(args: Sequence[Any], fn: str, param: str, overloads: bool = False) -> tuple[int, ...]:
    """``f(2, 3)`` and ``f((2, 3))`` both mean the shape (2, 3); PyTorch's errors otherwise."""
    return A.int_list(fn, param, args, overloads=overloads)


def _dims(dims: Any, ndim: int, fn: str) -> tuple[int, ...]:
    dims = (dims,) if type(dims) is int else A.dims_arg(fn, dims, ndim)
    return tuple(_wrap_dim(d, ndim) for d in dims)


def as_view(arr: np.ndarray, shape: tuple[int, ...]) -> np.ndarray | None:
    """``arr`` reshaped without copying, or None when the strides don't allow it."""
    if arr.flags.c_contiguous:
        return arr.reshape(shape)
    try:
        return np.reshape(arr, shape, copy=False)
    except ValueError:
        return None


# ---- basic slicing (view) and its backward (embedding into zeros) -------------------------------
def basic_view(x: Tensor, key: tuple, name: str) -> Tensor:
    """``x[key]`` for a numpy basic-index ``key`` (ints, slices, None): a view."""
    shape = x.shape
    return make_view(x, sliced(x._value, key), name, lambda g: embed(g, shape, key))


def embed(g: Tensor, shape: tuple[int, ...], key: tuple) -> Tensor:
    """Zeros of ``shape`` with ``g`` written at ``[key]`` (the backward of a slice view)."""
    out = np.zeros(shape, g._dtype.np)
    copy_into(out[key + (...,)], g._value, g._dtype, fresh=True)
    return record(
        "SliceBackwardBackward0",
        out,
        g._dtype,
        (g,),
        lambda gg: basic_view(gg, key, "SliceBackward0"),
    )


def select(input: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    """``input`` indexed at ``index`` along ``dim`` (``SelectBackward0``), a view."""
    if type(dim) is not int:
        dim = A.dim_int("select", dim, 1)
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
            f"dimension {d}"
        )
    key = (slice(None),) * d + (index,)
    shape = input.shape

    def backward(g: Tensor) -> Tensor:  # (dim and index as passed: _saved_dim, _saved_index)
        return embed(g, shape, (slice(None),) * _wrap_dim(dim, len(shape)) + (index,))

    return make_view(input, input._value[key + (...,)], "SelectBackward0", backward)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:  # noqa: A002
    """``length`` entries of ``dim`` from ``start`` (a view, ``SliceBackward0``)."""
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if not -n <= start <= n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    if start < 0:
        start += n
    if length < 0 or start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    key = (slice(None),) * d + (slice(start, start + length),)
    shape = input.shape

    def backward(g: Tensor) -> Tensor:  # (dim as passed: _saved_dim)
        return embed(g, shape, (slice(None),) * _wrap_dim(dim, len(shape)) + key[-1:])

    return make_view(input, sliced(input._value, key), "SliceBackward0", backward)


# ---- reshaping views ----------------------------------------------------------------------------
def _reshape_grad(shape: tuple[int, ...]):
    return lambda g: reshape(g, shape)


def reshape(input: Tensor, *shape: Any) -> Tensor:  # noqa: A002
    """A view when the strides allow it (``ViewBackward0``), else a copy (``UnsafeView``).
    ``torch.reshape(x, 3, 2)`` is PyTorch's TypeError: only the method takes varargs (its
    wrapper, ``int_list_method``, hands one tuple over)."""
    if len(shape) > 1:
        raise TypeError(f"reshape() takes 2 positional arguments but {len(shape) + 1} were given")
    x = input
    new = _infer(_sizes(shape, "reshape", "shape"), x._value.size)
    arr = as_view(x._value, new)
    if arr is not None:
        return make_view(x, arr, "ViewBackward0", _reshape_grad(x.shape))
    arr = np.reshape(contiguous_array(x._value, x._dtype), new)
    return record("UnsafeViewBackward0", arr, x._dtype, (x,), _reshape_grad(x.shape))


def view(self: Tensor, *shape: Any, dtype: D.dtype | None = None) -> Tensor:
    """A reshape that refuses (PyTorch's error) to copy; ``view(dtype)``: :mod:`.view_dtype`."""
    if dtype is not None and not shape:
        shape = (dtype,)
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        if type(self) is ConjView and shape[0] is not self._dtype:  # its bytes hold conj(self)
            raise RuntimeError(
                "torch.Tensor.view is not supported for conjugate view tensors when converting "
                "to a different dtype."
            )
        return view_dtype(self, shape[0])
    new = _infer(_sizes(shape, "view", "size", overloads=True), self._value.size)
    arr = as_view(self._value, new)
    if arr is None:
        raise RuntimeError(VIEW_ERROR)
    return make_view(self, arr, "ViewBackward0", _reshape_grad(self.shape))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    if input.ndim == 0:
        return reshape(input, 1)
    s, e = _wrap_dim(start_dim, input.ndim), _wrap_dim(end_dim, input.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input.shape
    return reshape(input, shape[:s] + (math.prod(shape[s : e + 1]),) + shape[e + 1 :])


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:  # noqa: A002
    dim = _wrap_dim(dim, input.ndim)
    shape = input.shape
    inner = unflatten_sizes(tuple(sizes), dim, shape[dim])
    return view(input, shape[:dim] + inner + shape[dim + 1 :])


def squeeze(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    """Drop size-1 dims (all, one, or a tuple): ``SqueezeBackward0/1/2``."""
    return _squeeze(input, dim, "squeeze")


squeeze = PF.overloaded_function(
    squeeze, ("(Tensor input)", "(Tensor input, int dim)", "(Tensor input, tuple of ints dim)")
)


def squeeze_as(fn: str) -> Any:
    """``squeeze`` whose errors name ``fn`` (``squeeze_`` builds on it)."""
    return lambda input, dim=None: _squeeze(input, dim, fn)


def _squeeze(input: Tensor, dim: Any, fn: str) -> Tensor:  # noqa: A002
    shape = input.shape
    if dim is None:
        dims, name = tuple(range(input.ndim)), "SqueezeBackward0"
    else:
        dims = (dim,) if type(dim) is int else A.dims_arg(fn, dim, input.ndim, 1)
        dims = tuple(_wrap_dim(d, input.ndim) for d in dims)
        name = "SqueezeBackward1" if isinstance(dim, int) else "SqueezeBackward2"
    new = tuple(n for i, n in enumerate(shape) if not (i in dims and n == 1))
    back = _reshape_grad(shape)
    if dim is not None:  # (the dims as passed, as SqueezeBackward1/2's _saved_dim shows them)
        back.saved_dim = dim if type(dim) is int else tuple(dim)
    return make_view(input, input._value.reshape(new), name, back)


def unsqueeze(input: Tensor, dim: Any = None, *, axis: Any = None) -> Tensor:  # noqa: A002
    """A size-1 dim inserted at ``dim`` (or NumPy's ``axis``, which PyTorch takes too)."""
    if dim is None:
        if axis is None:
            raise TypeError("unsqueeze() missing 1 required positional argument: 'dim'")
        dim = axis
    if type(dim) is not int:
        dim = A.dim_arg("unsqueeze", dim, 0)
    arr = np.expand_dims(input._value, _wrap_dim(dim, input.ndim + 1))
    # (the dim as passed, wrapped by squeeze against the same ndim; _saved_dim shows it)
    return make_view(input, arr, "UnsqueezeBackward0", lambda g: squeeze(g, dim))


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    n = input.ndim
    if type(dim0) is not int or type(dim1) is not int:
        dim0 = A.dim_int("transpose", dim0, 1, "dim0")
        dim1 = A.dim_int("transpose", dim1, 2, "dim1")
    d0, d1 = _wrap_dim(dim0, n), _wrap_dim(dim1, n)
    arr = np.swapaxes(input._value, d0, d1) if n else input._value.view()  # 0-d: itself
    # (the dims as passed: transposing back wraps them as here; _saved_dim0/1 show them)
    return make_view(input, arr, "TransposeBackward0", lambda g: transpose(g, dim0, dim1))


swapaxes = transpose


def t(input: Tensor) -> Tensor:  # noqa: A002
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return make_view(input, input._value.T, "TBackward0", t)


def permute(input: Tensor, *dims: Any) -> Tensor:  # noqa: A002
    """(``torch.permute(x, 1, 0)`` is PyTorch's TypeError; ``x.permute(1, 0)`` is not.)"""
    if len(dims) > 1:
        raise TypeError(f"permute() takes 2 positional arguments but {len(dims) + 1} were given")
    order = _sizes(dims, "permute", "dims")
    n = input.ndim
    if len(order) != n:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            "length of the desired ordering of dimensions i.e. input.dim() = "
            f"{n} is not equal to len(dims) = {len(order)}"
        )
    dims = order  # as passed: _saved_dims shows them; the backward inverts them when it runs
    order = tuple(_wrap_dim(d, n) for d in order)
    if len(set(order)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    arr = np.transpose(input._value, order)
    return make_view(input, arr, "PermuteBackward0", lambda g: permute(g, _inverse(dims, n)))


def _inverse(dims: tuple[int, ...], n: int) -> tuple[int, ...]:
    """The order undoing ``permute(dims)`` of an ``n``-dim tensor."""
    return tuple(int(i) for i in np.argsort([_wrap_dim(d, n) for d in dims]))


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:  # noqa: A002
    """Move dims ``source`` to positions ``destination`` (a permute: ``PermuteBackward0``)."""
    n = input.ndim
    src, dst = _dims(source, n, "movedim"), _dims(destination, n, "movedim")
    for name, dims, given in (("source", src, source), ("destination", dst, destination)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(given)})")
    if len(src) != len(dst):
        raise RuntimeError(
            "movedim: Invalid source or destination dims: source "
            f"({list(src)} dims) should contain the same number of dims as destination "
            f"({list(dst)} dims)"
        )
    rest = iter(d for d in range(n) if d not in src)
    placed = dict(zip(dst, src, strict=True))
    return permute(input, tuple(placed[i] if i in placed else next(rest) for i in range(n)))


moveaxis = movedim


def _T(self: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    if self.ndim == 0:
        warn_user(
            "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
            UserWarning,
            stacklevel=2,
        )
    elif self.ndim != 2:
        warn_user(T_WARNING, UserWarning, stacklevel=2)
    return permute(self, tuple(range(self.ndim - 1, -1, -1)))


def _mT(self: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    if self.ndim < 2:
        raise RuntimeError(
            "tensor.mT is only supported on matrices or batches of matrices. "
            f"Got {self.ndim}-D tensor."
        )
    return transpose(self, -2, -1)


def expand(self: Tensor, *sizes: Any) -> Tensor:
    """A stride-0 view broadcasting size-1 dims (``-1`` keeps a dim): ``ExpandBackward0``."""
    want = _sizes(sizes, "expand", "size")
    shape = self.shape
    err = checks.expand_error(shape, want, legacy_type_name(self))
    if err is not None:
        raise err
    lead = len(want) - len(shape)
    arr = self._value
    new, strides = [], []
    for i, w in enumerate(want):
        n = shape[i - lead] if i >= lead else None
        if i < lead or (n == 1 and w not in (-1, 1)):
            new.append(w)
            strides.append(0)
        else:
            new.append(n)
            strides.append(arr.strides[i - lead])
    out = np.lib.stride_tricks.as_strided(arr, tuple(new), tuple(strides), writeable=True)
    return make_view(self, out, "ExpandBackward0", lambda g: sum_to_shape(g, shape))


def broadcast_to(input: Tensor, size: Sequence[int]) -> Tensor:  # noqa: A002
    return expand(input, tuple(size))


def expand_as(self: Tensor, other: Tensor) -> Tensor:
    return expand(self, A.shape_of("expand_as", other))


def view_as(self: Tensor, other: Tensor) -> Tensor:
    return view(self, A.shape_of("view_as", other))


def contiguous(self: Tensor, *args: Any, memory_format: Any = None) -> Tensor:
    if args or memory_format is not None:  # PyTorch's parser: memory_format is keyword-only
        PF.contiguous_arguments(args, memory_format)
        if memory_format.name in CHANNELS_LAST:
            return in_format(self, memory_format, "CloneBackward0", "dense")
    if self._value.flags.c_contiguous:
        return self
    arr = contiguous_array(self._value, self._dtype)
    return record("CloneBackward0", arr, self._dtype, (self,), lambda g: g)
