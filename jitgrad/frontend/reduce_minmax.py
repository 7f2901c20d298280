"""max, min, amax, amin, argmax and argmin, declared (:class:`~jitgrad.frontend.declare.Declared`)
with PyTorch's semantics and node names (the kernels are
:mod:`jitgrad.kernels.cpu.reduce_minmax`; the derivatives call
:func:`~jitgrad.frontend.reduce_grads.select_backward`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import STATE
from ..kernels.cpu import reduce as K
from ..kernels.cpu.reduce_call import (
    kept_shape,
    to_3d,
    widen,
)
from ..ops.return_types import named_result
from . import argcheck as A
from . import checks
from . import functions as F
from .declare import Declared, Saved
from .reduce_common import (
    Dims,
    numpy_spellings,
    reduce_axes,
)
from .reduce_grads import select_backward
from .tensor import Tensor, _make


def _return_type(name: str) -> type:
    return named_result(name, ("values", "indices"))


_RETURN_TYPES = {n: _return_type(n) for n in ("max", "min")}


def _nonempty(fn: str, shape: tuple[int, ...], axes: tuple[int, ...], dim: Any) -> None:
    """torch's errors for an extreme over no elements."""
    if dim is None or (not isinstance(dim, int | np.integer) and not len(dim)):
        if 0 in shape:
            extra = (
                ""
                if fn == "argmax" or fn == "argmin"
                else " Specify the reduction dim with the 'dim' argument."
            )
            err = IndexError if extra == "" else RuntimeError
            raise err(
                f"{fn}(): Expected reduction dim to be specified for input.numel() == 0.{extra}"
            )
        return
    for a in axes:
        checks.selected_dim(fn, shape, a)


def _extreme(
    input: Tensor, axes: tuple[int, ...], want_max: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(x3, values2, indices2)`` of max/min over ``axes``. Bool and integer inputs narrower
    than 64 bits run as int64 (``widen``: exact, and one compiled signature for them all),
    their values cast back."""
    arr = input._value
    x3 = widen(to_3d(arr, axes))
    vals = np.empty((x3.shape[0], x3.shape[2]), x3.dtype)
    idx = np.empty((x3.shape[0], x3.shape[2]), np.int64)
    K.pick(K.max_fwd if want_max else K.min_fwd, x3.size)(x3, vals, idx)
    return x3, vals.astype(arr.dtype, copy=False), idx


def _amax_derivative(s: Saved, g: Tensor) -> Tensor:
    """``g`` shared evenly by the elements equal to the extreme (torch's rule)."""
    x3, vals = s._x3, s._vals
    return select_backward(
        g, lambda g2, gx3: K.amax_bwd(g2, x3, vals, gx3), s._shape, s._axes, s._keepdim,
        s.self._dtype, "MulBackward0",
    )  # fmt: skip


def _max_dim_derivative(s: Saved, g: Tensor, _gi: Any = None) -> Tensor:
    """``g`` placed at the indices the forward picked."""
    idx = s._idx
    return select_backward(
        g, lambda g2, gx3: K.max_bwd(g2, idx, gx3), s._shape, s._axes, s._keepdim, s._dt,
        "ScatterBackward0",
    )  # fmt: skip


AMAX = Declared(
    "amax", _amax_derivative, public=("dim", "keepdim", "result", "self"), reads_result=True
)
MAX = Declared("max", _amax_derivative, public=("result", "self"), reads_result=True)  # and min()
MAX_DIM = Declared(
    "max_dim", _max_dim_derivative, public=("dim", "indices", "keepdim", "self_sym_sizes"),
    dim_list=False,
)  # fmt: skip


_COMPLEX_KERNELS = {"max": "max_all", "min": "min_all", "amax": "max_values_cpu",
                    "amin": "min_values_cpu"}  # fmt: skip


def _amax_amin(fn: str, input: Tensor, dim: Dims, keepdim: bool, node: str) -> Tensor:
    A.keepdim_bool(fn, keepdim)
    if input._dtype.is_complex:  # PyTorch's kernel names in its error
        raise NotImplementedError(
            f'"{_COMPLEX_KERNELS[fn]}" not implemented for \'{D.scalar_name(input._dtype)}\''
        )
    shape = input._value.shape
    axes = reduce_axes(len(shape), dim, fn)
    _nonempty(fn, shape, axes, dim)
    x3, vals, _ = _extreme(input, axes, fn in ("amax", "max"))
    dt = input._dtype
    value = vals.reshape(kept_shape(shape, axes, keepdim))
    if not (STATE.enabled and input._requires_grad):
        return _make(value, dt)
    values = {"self": input, "_x3": x3, "_vals": vals, "_shape": shape, "_axes": axes,
              "_keepdim": keepdim}  # fmt: skip
    if fn in ("amax", "amin"):
        values["dim"], values["keepdim"] = dim, keepdim
        return AMAX.record_values(node, value, dt, (input,), (input,), values)
    return MAX.record_values(node, value, dt, (input,), (input,), values)


def amax(
    input: Tensor,  # noqa: A002
    dim: Dims = (),
    keepdim: bool = False,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Largest value over ``dim`` (all by default); ties share the gradient evenly."""
    dim, keepdim = numpy_spellings(dim, keepdim, axis, keepdims)
    return _amax_amin("amax", input, dim, keepdim, "AmaxBackward0")


def amin(
    input: Tensor,  # noqa: A002
    dim: Dims = (),
    keepdim: bool = False,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Smallest value over ``dim`` (all by default); ties share the gradient evenly."""
    dim, keepdim = numpy_spellings(dim, keepdim, axis, keepdims)
    return _amax_amin("amin", input, dim, keepdim, "AminBackward0")


def _max_min(fn: str, input: Tensor, dim: Any, keepdim: bool) -> Any:
    if isinstance(dim, Tensor):  # max(a, b): elementwise
        return F.maximum(input, dim) if fn == "max" else F.minimum(input, dim)
    if dim is None:
        return _amax_amin(fn, input, None, False, "MaxBackward1" if fn == "max" else "MinBackward1")
    if not isinstance(dim, int | np.integer) or isinstance(dim, bool):
        raise A.invalid_args(fn, (), {"dim": dim})
    A.keepdim_bool(fn, keepdim)  # x.max(0, 1): PyTorch's parser takes no int there
    if input._dtype.is_complex:
        raise RuntimeError(f"{fn}(): does not support complex input")
    shape = input._value.shape
    axes = reduce_axes(len(shape), dim, fn)
    _nonempty(fn, shape, axes, dim)
    x3, vals, idx = _extreme(input, axes, fn == "max")
    out_shape = kept_shape(shape, axes, keepdim)
    dt = input._dtype
    values, indices = MAX_DIM.record_multi(
        "MaxBackward0" if fn == "max" else "MinBackward0",
        [vals.reshape(out_shape), idx.reshape(out_shape)],
        [dt, D.int64],
        (input,),
        _idx=idx, _shape=shape, _axes=axes, _keepdim=keepdim, _dt=dt, dim=dim,
        keepdim=keepdim, self_sym_sizes=shape,
    )  # fmt: skip
    if values.grad_fn is not None:
        values.grad_fn._saved.fn.indices = indices
    return _RETURN_TYPES[fn](values, indices)


def max(  # noqa: A001
    input: Tensor,  # noqa: A002
    dim: Any = None,
    keepdim: bool = False,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Any:
    """Whole-tensor max; with ``dim`` a ``(values, indices)`` pair; with a Tensor, maximum
    (``axis``/``keepdims``: NumPy's spellings, which PyTorch's argument parser takes too)."""
    dim, keepdim = numpy_spellings(dim, keepdim, axis, keepdims)
    return _max_min("max", input, dim, keepdim)


def min(  # noqa: A001
    input: Tensor,  # noqa: A002
    dim: Any = None,
    keepdim: bool = False,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Any:
    """Whole-tensor min; with ``dim`` a ``(values, indices)`` pair; with a Tensor, minimum."""
    dim, keepdim = numpy_spellings(dim, keepdim, axis, keepdims)
    return _max_min("min", input, dim, keepdim)


def _arg(fn: str, input: Tensor, dim: int | None, keepdim: bool) -> Tensor:
    A.keepdim_bool(fn, keepdim)  # x.argmax(0, 1): PyTorch's parser takes no int there
    if input._dtype.is_complex:
        raise RuntimeError(f"{fn}(): does not support complex input")
    shape = input._value.shape
    axes = reduce_axes(len(shape), dim, fn)
    _nonempty(fn, shape, axes, dim)
    _, _, idx = _extreme(input, axes, fn == "argmax")
    if dim is None:
        return _make(idx.reshape((1,) * len(shape) if keepdim else ()), D.int64)
    return _make(idx.reshape(kept_shape(shape, axes, keepdim)), D.int64)


def argmax(
    input: Tensor,  # noqa: A002
    dim: int | None = None,
    keepdim: bool = False,
    *,
    axis: int | None = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Index of the (first) largest value, flat when ``dim`` is None (``axis``/``keepdims``:
    NumPy's spellings, which PyTorch accepts too)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_spellings(dim, keepdim, axis, keepdims)
    return _arg("argmax", input, dim, keepdim)


def argmin(
    input: Tensor,  # noqa: A002
    dim: int | None = None,
    keepdim: bool = False,
    *,
    axis: int | None = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Index of the (first) smallest value, flat when ``dim`` is None (``axis``/``keepdims``
    as for :func:`argmax`)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_spellings(dim, keepdim, axis, keepdims)
    return _arg("argmin", input, dim, keepdim)
