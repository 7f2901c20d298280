"""Reductions (sum, mean, prod, var/std, max/min, logsumexp, norm, all/any) and the
shape-keeping softmax, log_softmax and cumsum, with PyTorch's semantics and node names.

Forward: every op plans its axes with ``reduction_plan`` into the ``(A, R, B)`` layout of the
kernels in ``jitgrad/kernels/cpu/reduce.py`` (and ``reduce_extra.py``), runs one kernel and
reshapes the ``(A, B)`` result to the kept dims. Backward: a function over Tensors recorded with
:func:`record`, so ``create_graph=True`` differentiates it again; where a dedicated backward
kernel exists (softmax, log_softmax, var, max, prod, cumsum) the no-grad path calls it directly
and only the create_graph path spells the rule out in Tensor ops.
"""

from __future__ import annotations

import builtins
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import argcheck as A
from .. import dtypes as D
from ..autograd.grad_mode import STATE
from ..autograd.recording import ResultBackward, record, record_multi
from ..fusion.lazy import (
    LazyTensor,
    PendingReduction,
    defer_reduction,
    make_lazy,
    reduce_full,
)
from ..kernels.cpu import reduce as K
from ..kernels.cpu import reduce_extra as KX
from ..tensor import Tensor, _make, _wrap_dim
from . import checks
from . import functions as F
from . import movement as M

Dims = int | Sequence[int] | None


# ---- dims and the kernel launch --------------------------------------------------------------
def _axes(ndim: int, dim: Dims, fn: str = "sum", pos: int | None = None) -> tuple[int, ...]:
    """Sorted non-negative axes for ``dim`` (None or () = all), with torch's errors (``pos``:
    where PyTorch's words place a bad ``dim``: its usual position, or None for a keyword)."""
    if dim is None:
        return tuple(range(ndim))
    if type(dim) is int or isinstance(dim, np.integer):
        a = _wrap_dim(int(dim), ndim)
        return (a,) if ndim else ()
    dim = A.dims_arg(fn, dim, ndim, pos)  # a list of ints, or PyTorch's error for what it isn't
    seen: set[int] = set()
    for d in dim:
        a = _wrap_dim(d, ndim)
        if a in seen:
            raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
        seen.add(a)
    if not dim:
        return tuple(range(ndim))
    return tuple(sorted(seen)) if ndim else ()


def _out_shape(shape: tuple[int, ...], axes: tuple[int, ...], keepdim: bool) -> tuple[int, ...]:
    if keepdim:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _as3d(arr: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """``arr`` as the kernels' C-contiguous ``(A, R, B)`` array (a copy only if needed)."""
    perm, abc = _plan(arr.shape, axes)
    if perm is not None:
        arr = arr.transpose(perm)
    return np.ascontiguousarray(arr).reshape(abc)


def _launch(kernel: Any, x3: np.ndarray, out_dtype: np.dtype, *extra: Any) -> np.ndarray:
    out = np.empty((x3.shape[0], x3.shape[2]), out_dtype)
    K.pick(kernel, x3.size)(x3, *extra, out)
    return out


def _reduced(
    kernel: Any, arr: np.ndarray, axes: tuple[int, ...], keepdim: bool, out_dtype: np.dtype
) -> np.ndarray:
    if len(axes) == arr.ndim:  # full reduction: the per-call overhead users feel most
        n = arr.size
        out = np.empty((1, 1), out_dtype)
        K.pick(kernel, n)(np.ascontiguousarray(arr).reshape(1, n, 1), out)
        return out.reshape((1,) * arr.ndim if keepdim else ())
    return _launch(kernel, _as3d(arr, axes), out_dtype).reshape(
        _out_shape(arr.shape, axes, keepdim)
    )


def _grad_to_input(g: Tensor, shape: tuple[int, ...], axes: tuple[int, ...], keepdim: bool):
    """A reduction's output gradient broadcast back over the reduced axes (a view).

    Without a graph to record (the usual backward) it is one broadcast view, not a reshape
    and an expand op (~15 us of op bookkeeping each for a loss's ``SumBackward0``).
    """
    if not STATE.enabled:
        kept = np.ascontiguousarray(g._value)
        if len(axes) == len(shape):  # a full reduction (a loss): one value seen everywhere
            strides = (0,) * len(shape)
        else:
            kept = kept.reshape(_out_shape(shape, axes, True))
            strides = tuple(
                0 if k == 1 and n != 1 else st
                for k, n, st in zip(kept.shape, shape, kept.strides, strict=True)
            )
        view = np.ndarray(shape, kept.dtype, buffer=kept, strides=strides)  # ~10x broadcast_to
        view.flags.writeable = False
        return _make(view, g._dtype)
    if not keepdim:
        g = M.reshape(g, _out_shape(shape, axes, True))
    return g if g._value.shape == shape else M.expand(g, shape)


def _plan(shape: tuple[int, ...], axes: tuple[int, ...]):
    """``reduction_plan`` with the full reduction short-cut of :func:`_as3d`."""
    if len(axes) == len(shape):
        return None, (1, math.prod(shape), 1)
    return K.reduction_plan(shape, axes)


def _keep3d(g: Tensor, shape: tuple[int, ...], axes: tuple[int, ...]) -> np.ndarray:
    """A reduction's output gradient as the ``(A, B)`` array the backward kernels read."""
    a, _, b = _plan(shape, axes)[1]
    return np.ascontiguousarray(g._value).reshape(a, b)


def _from3d(arr3: np.ndarray, shape: tuple[int, ...], axes: tuple[int, ...]) -> np.ndarray:
    """Undo :func:`_as3d`: an ``(A, R, B)`` result back in the input's layout."""
    perm = _plan(shape, axes)[0]
    if perm is None:
        return arr3.reshape(shape)
    return arr3.reshape([shape[i] for i in perm]).transpose(np.argsort(perm))


def _linear_grad(g, shape, axes, keepdim, dt: D.dtype, fill) -> Tensor:
    """Backward of a reduction whose gradient is linear in ``g`` (max, amax, zero-safe prod).

    ``fill(g2, gx3)`` is the backward kernel. Without create_graph it runs on ``g`` itself;
    with it, it runs on ones to give the weights, and ``g`` (expanded) times them is recorded,
    so the result stays differentiable in ``g`` (the weights are locally constant in x).
    """
    a, r, b = _plan(shape, axes)[1]
    gx3 = np.empty((a, r, b), dt.np)
    if not STATE.enabled:
        fill(_keep3d(g, shape, axes), gx3)
        return _make(_from3d(gx3, shape, axes), dt, fresh=True)
    fill(np.ones((a, b), dt.np), gx3)
    return _grad_to_input(g, shape, axes, keepdim) * _make(_from3d(gx3, shape, axes), dt)


def _record(
    name: str,
    value: np.ndarray,
    dt: D.dtype,
    input: Tensor,  # noqa: A002
    backward: Any,
    saved: tuple[Tensor, ...] = (),
) -> Tensor:
    """:func:`record` for a one-input op, with the no-grad case short-cut: it is most calls,
    and for small tensors ``record``'s generic input scan costs as much as the kernel."""
    if not (STATE.enabled and input._requires_grad):
        return _make(value, dt)
    return record(name, value, dt, (input,), backward, saved)


def _record_out(
    name: str,
    value: np.ndarray,
    dt: D.dtype,
    input: Tensor,  # noqa: A002
    backward: Any,
    saved: tuple[Tensor, ...] = (),
) -> Tensor:
    """:func:`record` for a backward ``backward(g, result)`` that reads the op's own result
    (softmax, logsumexp, norm, prod): under create_graph the result must be the recorded,
    differentiable tensor, and an in-place change of it must fail the version check (see
    :class:`~jitgrad.autograd.recording.ResultBackward`)."""
    if not (STATE.enabled and input._requires_grad):
        return _make(value, dt)
    return record(name, value, dt, (input,), backward, saved, ResultBackward)


def _int_to_long(t: Tensor, dtype: Any) -> tuple[np.ndarray, D.dtype]:
    """The input array and result dtype of sum/prod/cumsum: ``dtype=`` casts first; bool and
    integer inputs accumulate in int64 like torch."""
    if dtype is not None:
        dt = D.to_dtype(dtype)
        return t._value.astype(dt.np, copy=False), dt
    if t._dtype.is_floating_point:
        return t._value, t._dtype
    return t._value, D.int64


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
) -> Tensor:
    """Sum over ``dim`` (all if None); integer and bool inputs give int64."""
    out = _fused_full(input, dim, keepdim, dtype, mean=False)
    if out is not None:  # the epilogue of the deferred elementwise chain's kernel
        dt, shape = input._dtype, tuple(input.shape)
        axes = tuple(range(len(shape)))
    else:
        arr, dt = _int_to_long(input, dtype)
        axes = _axes(arr.ndim, dim)
        out = _reduced(K.sum_fwd, arr, axes, keepdim, dt.np)
        shape = arr.shape
    return _lazy_result(
        _record(
            "SumBackward0" if dim is None else "SumBackward1",
            out,
            dt,
            input,
            lambda g: _grad_to_input(g, shape, axes, keepdim),
        )
    )


def mean(
    input: Tensor,  # noqa: A002
    dim: Dims = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """Arithmetic mean over ``dim``; an empty reduction is NaN as in torch."""
    dt = D.to_dtype(dtype) if dtype is not None else input._dtype
    if not dt.is_floating_point:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_word(dt)}"
        )
    out = _fused_full(input, dim, keepdim, dtype, mean=True)
    if out is not None:  # the epilogue of the deferred elementwise chain's kernel
        shape = tuple(input.shape)
        axes = tuple(range(len(shape)))
    else:
        arr = input._value.astype(dt.np, copy=False)
        axes = _axes(arr.ndim, dim, "mean")
        out = _reduced(K.mean_fwd, arr, axes, keepdim, dt.np)
        shape = arr.shape
    n = int(np.prod([shape[a] for a in axes]))
    return _lazy_result(
        _record(
            "MeanBackward0" if dim is None else "MeanBackward1",
            out,
            dt,
            input,
            lambda g: _grad_to_input(g / n, shape, axes, keepdim),
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
    arr, dt = _int_to_long(input, dtype)
    axes = _axes(arr.ndim, dim, "prod")
    x3 = _as3d(arr, axes)
    shape = arr.shape
    out_shape = _out_shape(shape, axes, keepdim)
    out2 = _launch(K.prod_fwd, x3, dt.np)
    result = out2.reshape(out_shape)

    def backward(g: Tensor, out: Tensor) -> Tensor:
        if STATE.enabled and not F.eq(input, 0).any():
            # create_graph without zeros: d prod / dx = prod / x, in differentiable Tensor ops.
            return _grad_to_input(g * out, shape, axes, keepdim) / input
        return _linear_grad(
            g, shape, axes, keepdim, dt, lambda g2, gx3: K.prod_bwd(g2, x3, out2, gx3)
        )

    name = "ProdBackward0" if dim is None else "ProdBackward1"
    return _record_out(name, result, dt, input, backward, (input,))


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
    axes = _axes(len(shape), dim, name[:3].lower())
    x3 = _as3d(input._value, axes)
    mean2 = np.empty((x3.shape[0], x3.shape[2]), dt.np)
    var2 = _launch(K.mean_var_fwd, x3, dt.np, corr, mean2)
    if x3.shape[1] - corr <= 0:
        warnings.warn(
            f"{name[:3].lower()}(): degrees of freedom is <= 0. Correction should be strictly "
            "less than the reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=3,
        )
    is_std = name == "StdBackward0"
    out_shape = _out_shape(shape, axes, keepdim)
    value = (F.sqrt(_make(var2, dt))._value if is_std else var2).reshape(out_shape)

    def backward(g: Tensor) -> Tensor:
        if STATE.enabled:
            m = mean(input, axes, keepdim=True)  # differentiable: the mean moves with x
            if is_std:  # d std = d var / (2 std), std recomputed so it is differentiable
                g = g / (2 * _var_std("StdBackward0", input, dim, None, keepdim, corr))
            scale = 2.0 / builtins.max(0.0, x3.shape[1] - corr)
            return _grad_to_input(g, shape, axes, keepdim) * (input - m) * scale
        if is_std:
            g = g / (2 * _make(value, dt))
        gx3 = np.empty_like(x3)
        K.var_bwd(_keep3d(g, shape, axes), x3, mean2, corr, gx3)
        return _make(_from3d(gx3, shape, axes), dt, fresh=True)

    return _record(name, value, dt, input, backward, (input,))


def var(
    input: Tensor,  # noqa: A002
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> Tensor:
    """Variance over ``dim`` with ``correction`` (1, Bessel's, unless ``unbiased=False``)."""
    return _var_std("VarBackward0", input, dim, unbiased, keepdim, correction)


def std(
    input: Tensor,  # noqa: A002
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> Tensor:
    """Standard deviation: ``sqrt(var(...))`` with the same arguments."""
    return _var_std("StdBackward0", input, dim, unbiased, keepdim, correction)


# ---- max, min, amax, amin, argmax, argmin -----------------------------------------------------
class _ReturnType(tuple):
    """``(values, indices)`` named like ``torch.return_types.max``."""

    __slots__ = ()
    _name = "max"

    def __new__(cls, values: Tensor, indices: Tensor) -> _ReturnType:
        return tuple.__new__(cls, (values, indices))

    @property
    def values(self) -> Tensor:
        return self[0]

    @property
    def indices(self) -> Tensor:
        return self[1]

    def __repr__(self) -> str:
        return f"jitgrad.return_types.{self._name}(\nvalues={self[0]!r},\nindices={self[1]!r})"


def _return_type(name: str) -> type:
    return type(
        name, (_ReturnType,), {"__slots__": (), "_name": name, "__module__": "jitgrad.return_types"}
    )


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
        if shape[a] == 0:
            raise IndexError(f"{fn}(): Expected reduction dim {a} to have non-zero size.")


def _extreme(
    input: Tensor, axes: tuple[int, ...], want_max: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(x3, values2, indices2)`` of max/min over ``axes`` (bool input runs as uint8)."""
    arr = input._value
    x3 = _as3d(arr.view(np.uint8) if arr.dtype == np.bool_ else arr, axes)
    vals = np.empty((x3.shape[0], x3.shape[2]), x3.dtype)
    idx = np.empty((x3.shape[0], x3.shape[2]), np.int64)
    K.pick(K.max_fwd if want_max else K.min_fwd, x3.size)(x3, vals, idx)
    return x3, vals.view(arr.dtype) if arr.dtype == np.bool_ else vals, idx


def _amax_amin(fn: str, input: Tensor, dim: Dims, keepdim: bool, node: str) -> Tensor:
    shape = input._value.shape
    axes = _axes(len(shape), dim, fn)
    _nonempty(fn, shape, axes, dim)
    x3, vals, _ = _extreme(input, axes, fn in ("amax", "max"))
    dt = input._dtype
    return _record(
        node,
        vals.reshape(_out_shape(shape, axes, keepdim)),
        dt,
        input,
        lambda g: _linear_grad(
            g, shape, axes, keepdim, dt, lambda g2, gx3: K.amax_bwd(g2, x3, vals, gx3)
        ),
        (input,),
    )


def amax(input: Tensor, dim: Dims = (), keepdim: bool = False) -> Tensor:  # noqa: A002
    """Largest value over ``dim`` (all by default); ties share the gradient evenly."""
    return _amax_amin("amax", input, dim, keepdim, "AmaxBackward0")


def amin(input: Tensor, dim: Dims = (), keepdim: bool = False) -> Tensor:  # noqa: A002
    """Smallest value over ``dim`` (all by default); ties share the gradient evenly."""
    return _amax_amin("amin", input, dim, keepdim, "AminBackward0")


def _max_min(fn: str, input: Tensor, dim: Any, keepdim: bool) -> Any:
    if isinstance(dim, Tensor):  # max(a, b): elementwise
        return F.maximum(input, dim) if fn == "max" else F.minimum(input, dim)
    if dim is None:
        return _amax_amin(fn, input, None, False, "MaxBackward1" if fn == "max" else "MinBackward1")
    if not isinstance(dim, int | np.integer) or isinstance(dim, bool):
        raise A.invalid_args(fn, (), {"dim": dim})
    shape = input._value.shape
    axes = _axes(len(shape), dim, fn)
    _nonempty(fn, shape, axes, dim)
    x3, vals, idx = _extreme(input, axes, fn == "max")
    out_shape = _out_shape(shape, axes, keepdim)
    dt = input._dtype
    values, indices = record_multi(
        "MaxBackward0" if fn == "max" else "MinBackward0",
        [vals.reshape(out_shape), idx.reshape(out_shape)],
        [dt, D.int64],
        (input,),
        lambda g, _gi=None: _linear_grad(
            g, shape, axes, keepdim, dt, lambda g2, gx3: K.max_bwd(g2, idx, gx3)
        ),
    )
    return _RETURN_TYPES[fn](values, indices)


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    """Whole-tensor max; with ``dim`` a ``(values, indices)`` pair; with a Tensor, maximum."""
    return _max_min("max", input, dim, keepdim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    """Whole-tensor min; with ``dim`` a ``(values, indices)`` pair; with a Tensor, minimum."""
    return _max_min("min", input, dim, keepdim)


def _arg(fn: str, input: Tensor, dim: int | None, keepdim: bool) -> Tensor:
    shape = input._value.shape
    axes = _axes(len(shape), dim, fn)
    _nonempty(fn, shape, axes, dim)
    _, _, idx = _extreme(input, axes, fn == "argmax")
    if dim is None:
        return _make(idx.reshape((1,) * len(shape) if keepdim else ()), D.int64)
    return _make(idx.reshape(_out_shape(shape, axes, keepdim)), D.int64)


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """Index of the (first) largest value, flat when ``dim`` is None."""
    return _arg("argmax", input, dim, keepdim)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """Index of the (first) smallest value, flat when ``dim`` is None."""
    return _arg("argmin", input, dim, keepdim)


# ---- logsumexp, norm, all, any ----------------------------------------------------------------
def _floating(input: Tensor) -> Tensor:
    return input if input._dtype.is_floating_point else F.cast(input, D.get_default_dtype())


def logsumexp(input: Tensor, dim: Dims = (), keepdim: bool = False) -> Tensor:  # noqa: A002
    """``log(sum(exp(x)))`` over ``dim``, shifted by the max so it neither overflows nor
    underflows; integer inputs give the default float dtype."""
    input = _floating(input)
    shape = input._value.shape
    axes = _axes(len(shape), dim, "logsumexp", pos=1)
    dt = input._dtype
    out = _reduced(K.logsumexp_fwd, input._value, axes, keepdim, dt.np)

    def backward(g: Tensor, result: Tensor) -> Tensor:
        result = M.reshape(result, _out_shape(shape, axes, True))
        return _grad_to_input(g, shape, axes, keepdim) * F.exp(input - result)

    return _record_out("LogsumexpBackward0", out, dt, input, backward, (input,))


_P_MODES = {2: KX.P_TWO, "fro": KX.P_TWO, 1: KX.P_ONE, np.inf: KX.P_INF, -np.inf: KX.P_NEG_INF}


def norm(
    input: Tensor,  # noqa: A002
    p: Any = "fro",
    dim: Dims = None,
    keepdim: bool = False,
    dtype: Any = None,
) -> Tensor:
    """Vector p-norm over ``dim`` (all by default): p = 2/'fro', 1, inf, -inf, 0 or any
    other number (torch's ``linalg.vector_norm``)."""
    if dtype is not None:
        input = F.cast(input, D.to_dtype(dtype))
    if not input._dtype.is_floating_point:
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {_word(input._dtype)}"
        )
    p = 2 if p is None else checks.norm_order(p)
    mode = KX.P_ZERO if p == 0 else _P_MODES.get(p, KX.P_GENERAL)
    pf = 0.0 if isinstance(p, str) else float(p)
    shape = input._value.shape
    axes = _axes(len(shape), dim, "norm")
    dt = input._dtype
    x3 = _as3d(input._value, axes)
    out2 = np.empty((x3.shape[0], x3.shape[2]), dt.np)
    KX.norm_fwd(x3, mode, pf, out2)
    result = out2.reshape(_out_shape(shape, axes, keepdim))

    def backward(g: Tensor, out: Tensor) -> Tensor:
        if mode == KX.P_ZERO:
            return F.mul(input, 0.0)
        if mode == KX.P_ONE:
            return _grad_to_input(g, shape, axes, keepdim) * F.sign(input)
        if mode in (KX.P_INF, KX.P_NEG_INF):
            ax3 = _as3d(F.abs(input)._value, axes)
            w = _linear_grad(
                g, shape, axes, keepdim, dt, lambda g2, gx3: K.amax_bwd(g2, ax3, out2, gx3)
            )
            return w * F.sign(input)
        zero = F.eq(out, 0)  # a zero norm has a zero (sub)gradient, as in torch
        safe = F.where(zero, 1.0, out)
        if mode == KX.P_TWO:
            scale = F.where(zero, 0.0, g / safe)
            return _grad_to_input(scale, shape, axes, keepdim) * input
        scale = F.where(zero, 0.0, g / safe ** (pf - 1))
        return _grad_to_input(scale, shape, axes, keepdim) * input * F.abs(input) ** (pf - 2)

    return _record_out("LinalgVectorNormBackward0", result, dt, input, backward, (input,))


def _logical(kernel: Any, input: Tensor, dim: Dims, keepdim: bool) -> Tensor:
    shape = input._value.shape
    axes = _axes(len(shape), dim, "all" if kernel is KX.all_fwd else "any")
    return _make(_reduced(kernel, input._value, axes, keepdim, np.dtype(np.bool_)), D.bool_)


def all(input: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:  # noqa: A001, A002
    """Whether every element (over ``dim``) is non-zero; bool result."""
    return _logical(KX.all_fwd, input, dim, keepdim)


def any(input: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:  # noqa: A001, A002
    """Whether some element (over ``dim``) is non-zero; bool result."""
    return _logical(KX.any_fwd, input, dim, keepdim)


# ---- softmax, log_softmax, cumsum (shape-keeping, one dim) ------------------------------------
def _along(t: Tensor, dim: int, fn: str = "cumsum") -> tuple[int, np.ndarray]:
    """``dim`` wrapped and ``t`` as the ``(A, R, B)`` array of a one-dim op (never a copy for
    contiguous input: one axis is always a contiguous run)."""
    shape = t._value.shape
    d = _wrap_dim(dim if type(dim) is int else A.dim_arg(fn, dim, len(shape)), len(shape))
    return d, np.ascontiguousarray(t._value).reshape(_plan(shape, (d,) if shape else ())[1])


def _softmax_like(input: Tensor, dim: int, dtype: Any, log: bool) -> Tensor:
    if dtype is not None:
        input = F.cast(input, D.to_dtype(dtype))
    dt = input._dtype
    if not dt.is_floating_point:
        raise NotImplementedError(
            f'"{"log_" if log else ""}softmax_lastdim_kernel_impl" not implemented for '
            f"'{_word(dt)}'"
        )
    shape = input._value.shape
    _, x3 = _along(input, dim, "log_softmax" if log else "softmax")
    y3 = np.empty_like(x3)
    K.pick(K.log_softmax_fwd if log else K.softmax_fwd, x3.size)(x3, y3)
    out = y3.reshape(shape)

    def backward(g: Tensor, y: Tensor) -> Tensor:
        if STATE.enabled:
            if log:
                return g - F.exp(y) * sum(g, dim, keepdim=True)
            return y * (g - sum(g * y, dim, keepdim=True))
        g3 = np.ascontiguousarray(g._value).reshape(x3.shape)
        gx3 = np.empty_like(y3)
        kernel = K.log_softmax_bwd if log else K.softmax_bwd
        K.pick(kernel, x3.size)(g3, y3, gx3)
        return _make(gx3.reshape(shape), dt, fresh=True)

    name = "LogSoftmaxBackward0" if log else "SoftmaxBackward0"
    return _record_out(name, out, dt, input, backward)


def softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:  # noqa: A002
    """``exp(x) / sum(exp(x))`` along ``dim``."""
    return _softmax_like(input, dim, dtype, False)


def log_softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:  # noqa: A002
    """``x - logsumexp(x)`` along ``dim``."""
    return _softmax_like(input, dim, dtype, True)


def _reverse_cumsum(g: Tensor, dim: int) -> Tensor:
    """``g`` summed from the end along ``dim``: cumsum's gradient, itself differentiable."""
    _, g3 = _along(g, dim)
    out3 = np.empty_like(g3)
    K.pick(K.cumsum_bwd, g3.size)(g3, out3)
    return record(
        "CumsumBackward0", out3.reshape(g._value.shape), g._dtype, (g,), lambda gg: cumsum(gg, dim)
    )


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """Running sum along ``dim``; integer and bool inputs give int64."""
    arr, dt = _int_to_long(input, dtype)
    src = _make(arr, input._dtype if dtype is None else dt)
    d, x3 = _along(src, dim)
    out3 = np.empty(x3.shape, dt.np)
    K.pick(K.cumsum_fwd, x3.size)(x3, out3)
    return _record(
        "CumsumBackward0",
        out3.reshape(arr.shape),
        dt,
        input,
        lambda g: _reverse_cumsum(g, d),
    )


_WORDS = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int", "bool": "Bool",
          "int16": "Short", "int8": "Char", "uint8": "Byte"}  # fmt: skip


def _word(dt: D.dtype) -> str:
    return _WORDS[dt.name]


__all__ = [
    "all",
    "amax",
    "amin",
    "any",
    "argmax",
    "argmin",
    "cumsum",
    "log_softmax",
    "logsumexp",
    "max",
    "mean",
    "min",
    "norm",
    "prod",
    "softmax",
    "std",
    "sum",
    "var",
]

#: Tensor method name -> function, bound by jitgrad.methods.bind().
METHODS: dict[str, Any] = {name: globals()[name] for name in __all__}
