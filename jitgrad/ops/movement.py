"""Shape and movement ops: views (reshape, transpose, expand, slicing ...) and copies (cat ...).

Ops that are views in PyTorch return numpy views of the input's buffer that share its
version counter and point ``_base`` at the root tensor, so in-place writes through a view
are seen by the base's version checks. Copies (cat, repeat, flip, non-viewable reshape)
write through the generated ``copy`` kernel. Every backward is written with Tensor ops, so
double backward records a graph.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import argcheck as A
from .. import dtypes as D
from ..autograd.grad_mode import STATE
from ..autograd.recording import record, record_multi
from ..tensor import Tensor, _make, _wrap_dim, legacy_type_name
from . import checks
from .copying import SMALL_COPY, contiguous_array, copy_into, plain_views
from .multi_view import inherit as _inherit_multi
from .multi_view import mark as _mark_multi
from .pointwise import sum_to_shape

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
    """A view of ``x``: shares its buffer and version counter; ``_base`` is the root."""
    if x._requires_grad and STATE.enabled:
        out = record(name, arr, x._dtype, (x,), backward)
    else:  # the common no-grad case skips record()'s checks
        out = _make(arr, x._dtype)
    out._vc = x._vc
    out._base = x if x._base is None else x._base
    if x.__dict__:  # a view of an unbind/split output: marked too
        _inherit_multi(x, out, name)
    return out


def _sizes(args: Sequence[Any], fn: str, param: str, overloads: bool = False) -> tuple[int, ...]:
    """``f(2, 3)`` and ``f((2, 3))`` both mean the shape (2, 3); PyTorch's errors otherwise."""
    return A.int_list(fn, param, args, overloads=overloads)


def _dims(dims: Any, ndim: int, fn: str) -> tuple[int, ...]:
    dims = (dims,) if type(dims) is int else A.dims_arg(fn, dims, ndim)
    return tuple(_wrap_dim(d, ndim) for d in dims)


def _infer(shape: tuple[int, ...], numel: int) -> tuple[int, ...]:
    """Fill in one ``-1`` with PyTorch's errors."""
    bad = next((k for k, n in enumerate(shape) if n < -1), None)
    if bad is not None:
        raise RuntimeError(
            f"invalid shape dimension {shape[bad]} at index {bad} of shape {list(shape)}"
        )
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


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
    return make_view(x, x._value[key + (...,)], name, lambda g: embed(g, shape, key))


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
    dim = _wrap_dim(dim if type(dim) is int else A.dim_int("select", dim, 1), input.ndim)
    n = input.shape[dim]
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
            f"dimension {dim}"
        )
    return basic_view(input, (slice(None),) * dim + (index,), "SelectBackward0")


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:  # noqa: A002
    """``length`` entries of ``dim`` from ``start`` (a view, ``SliceBackward0``)."""
    dim = _wrap_dim(dim, input.ndim)
    n = input.shape[dim]
    if not -n <= start <= n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    if start < 0:
        start += n
    if length < 0 or start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    key = (slice(None),) * dim + (slice(start, start + length),)
    return basic_view(input, key, "SliceBackward0")


# ---- reshaping views ----------------------------------------------------------------------------
def _reshape_grad(shape: tuple[int, ...]):
    return lambda g: reshape(g, shape)


def reshape(input: Tensor, *shape: Any) -> Tensor:  # noqa: A002
    """A view when the strides allow it (``ViewBackward0``), else a copy (``UnsafeView``)."""
    x = input
    new = _infer(_sizes(shape, "reshape", "shape"), x._value.size)
    arr = as_view(x._value, new)
    if arr is not None:
        return make_view(x, arr, "ViewBackward0", _reshape_grad(x.shape))
    arr = np.reshape(contiguous_array(x._value, x._dtype), new)
    return record("UnsafeViewBackward0", arr, x._dtype, (x,), _reshape_grad(x.shape))


def view(self: Tensor, *shape: Any) -> Tensor:
    """Like reshape, but refuses (PyTorch's error) when a copy would be needed."""
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        raise NotImplementedError("view(dtype) is not supported")
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
    inner = _infer(tuple(sizes), shape[dim])
    return view(input, shape[:dim] + inner + shape[dim + 1 :])


def squeeze(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    """Drop size-1 dims (all, one, or a tuple): ``SqueezeBackward0/1/2``."""
    shape = input.shape
    if dim is None:
        dims, name = tuple(range(input.ndim)), "SqueezeBackward0"
    else:
        dims = (dim,) if type(dim) is int else A.dims_arg("squeeze", dim, input.ndim, 1)
        dims = tuple(_wrap_dim(d, input.ndim) for d in dims)
        name = "SqueezeBackward1" if isinstance(dim, int) else "SqueezeBackward2"
    new = tuple(n for i, n in enumerate(shape) if not (i in dims and n == 1))
    return make_view(input, input._value.reshape(new), name, _reshape_grad(shape))


def unsqueeze(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    d = _wrap_dim(dim if type(dim) is int else A.dim_arg("unsqueeze", dim, 0), input.ndim + 1)
    arr = np.expand_dims(input._value, d)
    return make_view(input, arr, "UnsqueezeBackward0", lambda g: squeeze(g, d))


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    n = input.ndim
    if type(dim0) is not int or type(dim1) is not int:
        dim0 = A.dim_int("transpose", dim0, 1, "dim0")
        dim1 = A.dim_int("transpose", dim1, 2, "dim1")
    d0, d1 = _wrap_dim(dim0, n), _wrap_dim(dim1, n)
    arr = np.swapaxes(input._value, d0, d1) if n else input._value.view()  # 0-d: itself
    return make_view(input, arr, "TransposeBackward0", lambda g: transpose(g, d0, d1))


swapaxes = transpose


def t(input: Tensor) -> Tensor:  # noqa: A002
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return make_view(input, input._value.T, "TBackward0", t)


def permute(input: Tensor, *dims: Any) -> Tensor:  # noqa: A002
    order = _sizes(dims, "permute", "dims")
    n = input.ndim
    if len(order) != n:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            "length of the desired ordering of dimensions i.e. input.dim() = "
            f"{n} is not equal to len(dims) = {len(order)}"
        )
    order = tuple(_wrap_dim(d, n) for d in order)
    if len(set(order)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    inverse = tuple(int(i) for i in np.argsort(order))
    arr = np.transpose(input._value, order)
    return make_view(input, arr, "PermuteBackward0", lambda g: permute(g, inverse))


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


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:  # noqa: A002
    """``repeat`` with ``dims`` padded by leading ones to ``input``'s rank."""
    dims = tuple(dims)
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def _T(self: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    if self.ndim == 0:
        warnings.warn(
            "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
            UserWarning,
            stacklevel=2,
        )
    elif self.ndim != 2:
        warnings.warn(T_WARNING, UserWarning, stacklevel=2)
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


def contiguous(self: Tensor, memory_format: Any = None) -> Tensor:
    if self._value.flags.c_contiguous:
        return self
    arr = contiguous_array(self._value, self._dtype)
    return record("CloneBackward0", arr, self._dtype, (self,), lambda g: g)


# ---- copies -----------------------------------------------------------------------------------
def repeat(self: Tensor, *sizes: Any) -> Tensor:
    """Tile ``self`` ``sizes`` times per dim (``RepeatBackward0``; backward sums the tiles)."""
    reps = _sizes(sizes, "repeat", "repeats")
    if len(reps) < self.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    shape = (1,) * (len(reps) - self.ndim) + self.shape
    out = A.allocate(tuple(r * s for r, s in zip(reps, shape, strict=True)), self._dtype.np)
    pairs = tuple(v for r, s in zip(reps, shape, strict=True) for v in (r, s))
    src = self._value.reshape(tuple(v for s in shape for v in (1, s)))
    copy_into(out.reshape(pairs), src, self._dtype, fresh=True)
    xshape = self.shape

    def backward(g: Tensor) -> Tensor:
        summed = reshape(g, pairs).sum(dim=tuple(range(0, len(pairs), 2)))
        return reshape(summed, xshape)

    return record("RepeatBackward0", out, self._dtype, (self,), backward)


def flip(input: Tensor, dims: Any) -> Tensor:  # noqa: A002
    axes = _dims(dims, input.ndim, "flip")
    key = tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(input.ndim))
    out = np.empty(input.shape, input._dtype.np)
    copy_into(out, input._value[key], input._dtype, fresh=True)
    return record("FlipBackward0", out, input._dtype, (input,), lambda g: flip(g, axes))


def cat(tensors: Sequence[Tensor], *args: Any, dim: int = 0) -> Tensor:
    """Concatenate along ``dim`` (``CatBackward0``); legacy 1-D empty tensors are skipped."""
    tensors = A.tensor_list("cat", tensors)
    dim = A.list_dim("cat", args, dim)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    keep = [not (x.ndim == 1 and x.shape[0] == 0) for x in tensors]
    if not any(keep):
        keep[0] = True
    parts = [x for x, k in zip(tensors, keep, strict=True) if k]
    ref = parts[0]
    for i, x in enumerate(tensors):
        if x.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    d = _wrap_dim(dim, ref.ndim)
    for i, (x, k) in enumerate(zip(tensors, keep, strict=True)):
        if not k:
            continue
        if x.ndim != ref.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {x.ndim}"
            )
        for j in range(ref.ndim):
            if j != d and x.shape[j] != ref.shape[j]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref.shape[j]} but got size {x.shape[j]} for tensor number {i} in the list."
                )
    dt = D.result_type(parts)
    shape = list(ref.shape)
    shape[d] = sum(x.shape[d] for x in parts)
    out = np.empty(tuple(shape), dt.np)
    offsets, start = [], 0
    for x, k in zip(tensors, keep, strict=True):
        n = x.shape[d] if k else 0
        offsets.append((start, n))
        if n:
            key = (slice(None),) * d + (slice(start, start + n),)
            copy_into(out[key], x._value, dt, fresh=True)
        start += n

    def backward(g: Tensor) -> tuple:
        return tuple(
            narrow(g, d, s, n).to(x._dtype) if k else None
            for x, k, (s, n) in zip(tensors, keep, offsets, strict=True)
        )

    return record("CatBackward0", out, dt, tensors, backward)


concat = concatenate = cat
moveaxis = movedim


def stack(tensors: Sequence[Tensor], *args: Any, dim: int = 0) -> Tensor:
    """Join equal-shaped tensors along a new ``dim`` (``StackBackward0``).

    Written for the scalar graphs that stack a few 0-d tensors per op: shapes and dtypes are
    read off the arrays in one pass, and the backward of a same-dtype stack outside
    ``create_graph`` returns :func:`plain_views` (what ``select`` gives there).
    """
    tensors = A.tensor_list("stack", tensors)
    dim = A.list_dim("stack", args, dim)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._value.shape
    dt = tensors[0]._dtype
    same = True
    for i, x in enumerate(tensors):
        if x._value.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                f"and {list(x._value.shape)} at entry {i}"
            )
        same = same and x._dtype is dt
    d = _wrap_dim(dim, len(shape) + 1)
    if not same:
        dt = D.result_type(tensors)
    n = len(tensors)
    out = np.empty(shape[:d] + (n,) + shape[d:], dt.np)
    lead = (slice(None),) * d
    if same and out.size <= SMALL_COPY:  # numpy's assignment into a fresh array (copy_into)
        for i, x in enumerate(tensors):
            out[(*lead, i)] = x._value
    else:
        for i, x in enumerate(tensors):
            copy_into(out[(*lead, i, ...)], x._value, dt, fresh=True)

    def backward(g: Tensor) -> tuple:
        if same and g._dtype is dt and not STATE.enabled:
            return plain_views(g, d, n)
        return tuple(select(g, d, i).to(x._dtype) for i, x in enumerate(tensors))

    return record("StackBackward0", out, dt, tensors, backward)


def _pieces(x: Tensor, name: str, keys: list[tuple], d: int) -> tuple:
    """Views of ``x`` at ``keys`` (basic indices ending in ``...``) as outputs of one node;
    backward rebuilds x's gradient (numpy's assignment for the small pieces of an unbind)."""
    shape, dt = x._value.shape, x._dtype
    arr = x._value
    values = [arr[k] for k in keys]
    if not values:  # unbind along an empty dim
        return ()

    def backward(*grads: Tensor | None) -> Tensor:
        if any(g is not None and g._requires_grad for g in grads):  # create_graph: a graph
            from .. import zeros

            parts = [
                grads[i] if i < len(grads) and grads[i] is not None else zeros(v.shape, dtype=dt)
                for i, v in enumerate(values)
            ]
            if name == "UnbindBackward0":
                return stack(parts, d)
            return cat(parts, d)
        full = np.zeros(shape, dt.np)
        small = full.size <= SMALL_COPY  # numpy's assignment, as copy_into's small lane
        for k, g in zip(keys, grads, strict=False):
            if g is not None:
                v = g._value
                if small and v.dtype == full.dtype:
                    full[k] = v
                else:
                    copy_into(full[k], v, dt, fresh=True)
        return _make(full, dt, fresh=True)

    outs = record_multi(name, values, [dt] * len(values), (x,), backward)
    base = x if x._base is None else x._base
    vc = x._vc
    for o in outs:
        o._vc = vc
        o._base = base
    _mark_multi(outs, name)
    return tuple(outs)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Views of consecutive pieces along ``dim`` (an int size or a list of sizes)."""
    d = _wrap_dim(dim, tensor.ndim)
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, int):
        size = checks.split_size(split_size_or_sections, n)
        sizes = [min(size, n - s) for s in range(0, n, size)] if n else [0]
        name = "SplitBackward0"
    else:
        sizes = list(A.int_list("split_with_sizes", "split_sizes", (split_size_or_sections,)))
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                f"at dimension {d}), but got split_sizes={sizes}"
            )
        name = "SplitWithSizesBackward0"
    keys, start = [], 0
    for s in sizes:
        keys.append((slice(None),) * d + (slice(start, start + s), ...))
        start += s
    return _pieces(tensor, name, keys, d)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:  # noqa: A002
    chunks = checks.chunks(chunks)
    d = _wrap_dim(dim, input.ndim)
    return split(input, max(1, -(-input.shape[d] // chunks)), d)


def unbind(input: Tensor, dim: int = 0) -> tuple:  # noqa: A002
    if input.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap_dim(dim, input.ndim)
    lead = (slice(None),) * d
    keys = [(*lead, i, ...) for i in range(input._value.shape[d])]
    return _pieces(input, "UnbindBackward0", keys, d)


METHODS: dict[str, Any] = {
    "reshape": reshape,
    "view": view,
    "view_as": view_as,
    "reshape_as": lambda self, other: reshape(self, A.shape_of("reshape_as", other)),
    "flatten": flatten,
    "unflatten": unflatten,
    "squeeze": squeeze,
    "unsqueeze": unsqueeze,
    "transpose": transpose,
    "swapaxes": swapaxes,
    "permute": permute,
    "movedim": movedim,
    "moveaxis": movedim,
    "tile": tile,
    "t": t,
    "T": property(_T),
    "mT": property(_mT),
    "expand": expand,
    "expand_as": expand_as,
    "broadcast_to": broadcast_to,
    "contiguous": contiguous,
    "repeat": repeat,
    "flip": flip,
    "split": split,
    "chunk": chunk,
    "unbind": unbind,
    "narrow": narrow,
    "select": select,
}
