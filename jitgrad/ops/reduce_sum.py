"""sum, mean, prod, var and std, with PyTorch's semantics and node names; a full float
``sum``/``mean`` of a deferred elementwise chain becomes that chain's kernel epilogue (or a
deferred reduction, see :mod:`jitgrad.fusion.lazy`)."""

from __future__ import annotations

import builtins
import warnings
from typing import Any

import numpy as np

from .. import dtypes as D
from ..autograd.grad_mode import STATE
from ..autograd.recording import ResultBackward
from ..fusion.lazy import (
    LazyTensor,
    PendingReduction,
    defer_reduction,
    make_lazy,
    reduce_full,
)
from ..kernels.cpu import reduce as K
from ..kernels.cpu.reduce_call import (
    from_3d,
    kept_shape,
    launch,
    reduce_array,
    to_3d,
)
from ..tensor import Tensor, _make
from . import functions as F
from .reduce_common import (
    Dims,
    grad_to_input,
    int_to_long,
    keep_3d,
    linear_grad,
    numpy_spellings,
    record_unary,
    reduce_axes,
    type_word,
)


# ---- sum, mean, prod -------------------------------------------------------------------------
def _fused_full(input: Tensor, dim: Dims, keepdim: bool, dtype: Any, mean: bool):  # noqa: A002
    """A full float reduction of a deferred elementwise result, fused into its kernel.

    Where a backward may follow, the reduction itself is deferred (a
    :class:`~jitgrad.fusion.lazy.PendingReduction`): ``loss.backward()`` can then run the
    chain's forward and backward as one kernel. Otherwise it is the epilogue of the chain's
    kernel now (a 0-d array); None where neither applies.
    """
    if dim is not None or keepdim or dtype is not None or not isinstance(input, LazyTensor):
        return None
    if STATE.enabled and input._requires_grad:
        deferred = defer_reduction(input, mean)
        if deferred is not None:
            return deferred
    return reduce_full(input, mean)


def _lazy_result(out: Tensor) -> Tensor:
    """``out`` as the LazyTensor of its deferred reduction, when it holds one."""
    value = Tensor._value.__get__(out)
    return make_lazy(out, value) if type(value) is PendingReduction else out


def sum(  # noqa: A001 - PyTorch's name
    input: Tensor,  # noqa: A002
    dim: Dims = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: Dims = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Sum over ``dim`` (all if None); integer and bool inputs give int64. ``axis`` and
    ``keepdims`` are NumPy's spellings, which PyTorch accepts too."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_spellings(dim, keepdim, axis, keepdims)
    out = _fused_full(input, dim, keepdim, dtype, mean=False)
    if out is not None:  # the epilogue of the deferred elementwise chain's kernel
        dt, shape = input._dtype, tuple(input.shape)
        axes = tuple(range(len(shape)))
    else:
        arr, dt = int_to_long(input, dtype)
        axes = reduce_axes(arr.ndim, dim)
        out = reduce_array(K.sum_fwd, arr, axes, keepdim, dt.np)
        shape = arr.shape
    return _lazy_result(
        record_unary(
            "SumBackward0" if dim is None else "SumBackward1",
            out,
            dt,
            input,
            lambda g: grad_to_input(g, shape, axes, keepdim),
        )
    )


def mean(
    input: Tensor,  # noqa: A002
    dim: Dims = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: Dims = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Arithmetic mean over ``dim``; an empty reduction is NaN as in torch (``axis`` and
    ``keepdims`` as for :func:`sum`)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_spellings(dim, keepdim, axis, keepdims)
    dt = D.to_dtype(dtype) if dtype is not None else input._dtype
    if not dt.is_floating_point:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {type_word(dt)}"
        )
    out = _fused_full(input, dim, keepdim, dtype, mean=True)
    if out is not None:  # the epilogue of the deferred elementwise chain's kernel
        shape = tuple(input.shape)
        axes = tuple(range(len(shape)))
    else:
        arr = input._value.astype(dt.np, copy=False)
        axes = reduce_axes(arr.ndim, dim, "mean")
        out = reduce_array(K.mean_fwd, arr, axes, keepdim, dt.np)
        shape = arr.shape
    n = int(np.prod([shape[a] for a in axes]))
    return _lazy_result(
        record_unary(
            "MeanBackward0" if dim is None else "MeanBackward1",
            out,
            dt,
            input,
            lambda g: grad_to_input(g / n, shape, axes, keepdim),
        )
    )


def prod(
    input: Tensor,  # noqa: A002
    dim: int | None = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """Product over one dim (or all); the gradient handles zeros exactly as torch does."""
    arr, dt = int_to_long(input, dtype)
    axes = reduce_axes(arr.ndim, dim, "prod")
    x3 = to_3d(arr, axes)
    shape = arr.shape
    out_shape = kept_shape(shape, axes, keepdim)
    out2 = launch(K.prod_fwd, x3, dt.np)
    result = out2.reshape(out_shape)

    def backward(g: Tensor, out: Tensor) -> Tensor:
        if STATE.enabled and not F.eq(input, 0).any():
            # create_graph without zeros: d prod / dx = prod / x, in differentiable Tensor ops.
            return grad_to_input(g * out, shape, axes, keepdim) / input
        return linear_grad(
            g, shape, axes, keepdim, dt, lambda g2, gx3: K.prod_bwd(g2, x3, out2, gx3)
        )

    name = "ProdBackward0" if dim is None else "ProdBackward1"
    return record_unary(name, result, dt, input, backward, (input,), ResultBackward)


# ---- var, std --------------------------------------------------------------------------------
def _var_std(
    name: str, input: Tensor, dim: Any, unbiased: Any, keepdim: bool, correction: Any
) -> Tensor:
    if not input._dtype.is_floating_point:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if isinstance(dim, bool):  # var(False): the old positional ``unbiased``
        dim, unbiased = None, dim
    corr = float(correction if correction is not None else (unbiased is not False))
    dt = input._dtype
    shape = input._value.shape
    axes = reduce_axes(len(shape), dim, name[:3].lower())
    x3 = to_3d(input._value, axes)
    mean2 = np.empty((x3.shape[0], x3.shape[2]), dt.np)
    var2 = launch(K.mean_var_fwd, x3, dt.np, corr, mean2)
    if x3.shape[1] - corr <= 0:
        warnings.warn(
            f"{name[:3].lower()}(): degrees of freedom is <= 0. Correction should be strictly "
            "less than the reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=3,
        )
    is_std = name == "StdBackward0"
    out_shape = kept_shape(shape, axes, keepdim)
    value = (F.sqrt(_make(var2, dt))._value if is_std else var2).reshape(out_shape)

    def backward(g: Tensor) -> Tensor:
        if STATE.enabled:
            m = mean(input, axes, keepdim=True)  # differentiable: the mean moves with x
            if is_std:  # d std = d var / (2 std), std recomputed so it is differentiable
                g = g / (2 * _var_std("StdBackward0", input, dim, None, keepdim, corr))
            scale = 2.0 / builtins.max(0.0, x3.shape[1] - corr)
            return grad_to_input(g, shape, axes, keepdim) * (input - m) * scale
        if is_std:
            g = g / (2 * _make(value, dt))
        gx3 = np.empty_like(x3)
        K.var_bwd(keep_3d(g, shape, axes), x3, mean2, corr, gx3)
        return _make(from_3d(gx3, shape, axes), dt, fresh=True)

    return record_unary(name, value, dt, input, backward, (input,))


def _var_or_std(name: str, node: str, doc: str) -> Any:
    """``var`` and ``std``: PyTorch's one signature over :func:`_var_std` (``node`` names the
    backward)."""

    def fn(
        input: Tensor,  # noqa: A002
        dim: Any = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: float | None = None,
    ) -> Tensor:
        return _var_std(node, input, dim, unbiased, keepdim, correction)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


var = _var_or_std(
    "var",
    "VarBackward0",
    "Variance over ``dim`` with ``correction`` (1, Bessel's, unless ``unbiased=False``).",
)
std = _var_or_std(
    "std", "StdBackward0", "Standard deviation: ``sqrt(var(...))`` with the same arguments."
)
