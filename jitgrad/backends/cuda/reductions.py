"""Reductions on device tensors: sum, mean, amax, amin, argmax, argmin, all, any, the 2-norm.

Each is the deterministic shared-memory tree of :mod:`jitgrad.kernels.cuda.reduce` /
:mod:`~jitgrad.kernels.cuda.argreduce` (no twin here), recorded with the CPU op's node name.
Backwards are written in device tensor ops, so ``create_graph`` records them. A case these do
not cover (``dtype=``, named or out-of-range dims) returns ``NotImplemented``: the host
fallback then runs the CPU op, which raises PyTorch's error where there is one.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import dtypes as D
from ...engine.grad_mode import STATE as GRAD
from ...engine.grad_mode import no_grad
from ...frontend.recording import record
from ...frontend.tensor import Tensor, _make
from ...fusion.codegen import STORE, KernelSpec
from ...kernels.cuda import argreduce as AR
from ...kernels.cuda import reduce as R
from . import deferred, joint, render, runtime


def dims_of(dim: Any, ndim: int) -> tuple[int, ...] | None:
    """``dim`` (None, an int or a sequence) as sorted non-negative dims, or None where the
    CPU op must decide (an error, or a kind of dim these kernels do not take)."""
    if dim is None:
        return tuple(range(ndim))
    if not isinstance(dim, int | list | tuple):
        return None  # (sum(dim=1.5): the CPU op's argument error)
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if not all(isinstance(d, int) for d in dims):
        return None
    if not dims:
        return tuple(range(ndim))
    if any(not -max(ndim, 1) <= d < max(ndim, 1) for d in dims):
        return None  # the CPU op raises PyTorch's error
    wrapped = {d % max(ndim, 1) for d in dims}
    if len(wrapped) != len(dims):  # (0, -2) of a matrix names dim 0 twice: the CPU's error
        return None
    return tuple(sorted(wrapped)) if ndim else ()


def _kept(shape: tuple[int, ...], dims: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if k in dims else n for k, n in enumerate(shape))


def broadcast_to(t: Tensor, shape: tuple[int, ...], count: int = 1) -> Tensor:
    """``t / count`` (broadcastable to ``shape``) materialized at ``shape`` on the device by
    one kernel (a mean's gradient: no kernel for the division); recorded (through the
    public ops) when grad mode is on."""
    if GRAD.enabled and t._requires_grad:
        return (t / count if count != 1 else t).expand(shape).contiguous()
    name = t._dtype.name
    key = (name, count != 1, max(1, len(shape)))
    spec = _BROADCAST.get(key)
    if spec is None:
        expr = "a_ / count" if count != 1 else "a_"
        spec = _BROADCAST[key] = KernelSpec(
            label="expand",
            inputs=(("a", False), ("count", True)) if count != 1 else (("a", False),),
            stmts=(("r", expr),),
            outputs=(("out", "r", STORE, name),),
            ndim=key[2],
            comment=("out = " + expr.replace("_", "") + " broadcast",),
        )
    out = runtime.empty(shape, t._dtype.np)
    operands = {"a": t._value, "out": out}
    if count != 1:  # (in the tensor's dtype, as the CPU's g / size)
        operands["count"] = t._dtype.np.type(count)
    render.run(spec, shape, operands)
    return _make(out, t._dtype)


#: (dtype, divided, ndim) -> broadcast_to's kernel description
_BROADCAST: dict[tuple, KernelSpec] = {}


def _reduce(node: str, op: str, x: Any, dim: Any, keepdim: Any, dtype: Any = None) -> Any:
    if not isinstance(x, Tensor) or dtype is not None or not isinstance(keepdim, bool):
        return NotImplemented
    if x._dtype.is_complex and op in ("sum", "mean"):
        pass  # (the parts reduced as a trailing pair: _tree)
    elif x._dtype.is_complex:  # amax/amin: PyTorch's CUDA kernel has no complex form
        kernel = "max_values_cuda" if op == "amax" else "min_values_cuda"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D.scalar_name(x._dtype)}'")
    elif op == "mean" and not x._dtype.is_floating_point:
        return NotImplemented  # PyTorch's error, from the CPU op
    shape = tuple(x.shape)
    dims = dims_of(dim, len(shape))
    if dims is None or op in ("amax", "amin") and not all(shape[d] for d in dims):
        return NotImplemented
    value = None
    if op != "amax" and op != "amin" and len(dims) == len(shape):
        if not keepdim and GRAD.enabled and x._requires_grad:  # a loss: backward may follow
            pending_loss = joint.defer_reduction(x, op == "mean")
            if pending_loss is not None:
                return _deferred_loss(node, op, x, pending_loss)
        value = _epilogue(x, op == "mean", _kept(shape, dims) if keepdim else ())
    if value is None:
        value = _tree(x, dims, op, keepdim)
    # (a float16/bfloat16 sum is held in float32: its type is the input's, and _make rounds)
    out_dt = x._dtype if value.dtype == x._dtype.np else D.from_numpy_dtype(value.dtype)
    kept = _kept(shape, dims)

    def backward(g: Tensor) -> Tensor:
        g = g if keepdim else g.reshape(kept)
        if op == "sum":
            return broadcast_to(g, shape)
        if op == "mean":
            return broadcast_to(g, shape, math.prod(shape[d] for d in dims))
        # amax/amin: the gradient split evenly between the tied extremes (PyTorch's rule)
        result = _make(value, out_dt)
        hit = (x == (result if keepdim else result.reshape(kept))).to(x._dtype)
        return g * hit / hit.sum(dims, keepdim=True)

    return record(node, value, out_dt, [x], backward, saved=[x])


def _tree(x: Tensor, dims: tuple[int, ...], op: str, keepdim: bool) -> Any:
    """The reduction of ``x`` over ``dims`` by the shared tree kernels; a complex ``x`` as
    its (..., 2) real and imaginary parts (the same bytes), reduced over the same dims."""
    v = runtime.contiguous(x._value)
    if not x._dtype.is_complex:
        return R.reduce(v, dims, op, keepdim)
    parts = v.reshape((*v.shape, 1)).view(D.real_of(x._dtype).np)
    value = R.reduce(parts, dims, op, keepdim)
    return runtime.contiguous(value).view(x._dtype.np).reshape(value.shape[:-1])


def _epilogue(x: Tensor, mean: bool, shape: tuple[int, ...]) -> Any:
    """The full sum (or mean) of a deferred ``x`` as its chain kernel's epilogue, at
    ``shape``; None where ``x`` is no pending floating-point value (then reduce it)."""
    acc = deferred.reduce_full(x, x.numel() if mean else 1)  # (a mean: divided in it)
    if acc is None:
        return None
    return acc.reshape(shape)


def _deferred_loss(node: str, op: str, x: Tensor, pending_loss: Any) -> Tensor:
    """The full sum/mean of a pending chain, not computed: read, it is the chain kernel's
    epilogue; a backward from it first runs the joint kernel (:mod:`.joint`)."""
    shape = tuple(x.shape)
    size = math.prod(shape)

    def backward(g: Tensor) -> Tensor:
        g = g.reshape((1,) * len(shape))
        return broadcast_to(g, shape, size if op == "mean" else 1)

    out = record(node, pending_loss, pending_loss.odt, [x], backward, saved=[x])
    return joint.make_lazy(out, pending_loss)


def sum_(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:  # noqa: A002
    return _reduce("SumBackward1" if dim is not None else "SumBackward0", "sum", input, dim,
                   keepdim, dtype)  # fmt: skip


def mean(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:  # noqa: A002
    return _reduce("MeanBackward1" if dim is not None else "MeanBackward0", "mean", input, dim,
                   keepdim, dtype)  # fmt: skip


def amax(input: Any, dim: Any = (), keepdim: bool = False) -> Any:  # noqa: A002
    return _reduce("AmaxBackward0", "amax", input, dim, keepdim)


def amin(input: Any, dim: Any = (), keepdim: bool = False) -> Any:  # noqa: A002
    return _reduce("AminBackward0", "amin", input, dim, keepdim)


def _arg(want_max: bool, x: Any, dim: Any, keepdim: Any) -> Any:
    if not isinstance(x, Tensor) or not isinstance(keepdim, bool) or x._dtype is D.bool_:
        return NotImplemented
    if x._dtype.is_complex:  # (the kernel names the numpy dtype; PyTorch's says "complex")
        raise RuntimeError(
            f"{'argmax' if want_max else 'argmin'}(): does not support complex input"
        )
    if dim is not None and (not isinstance(dim, int) or dims_of(dim, x.dim()) is None):
        return NotImplemented
    if x.numel() == 0:
        return NotImplemented  # the CPU op's IndexError
    value = runtime.contiguous(x._value)
    fn = AR.argmax if want_max else AR.argmin
    return _make(fn(value, dim if x.dim() else None, keepdim), D.int64)


def argmax(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    return _arg(True, input, dim, keepdim)


def argmin(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    return _arg(False, input, dim, keepdim)


def _two_norm(x: Any, p: Any, dim: Any, keepdim: Any, extra: dict) -> Any:
    """The 2-norm of ``x`` over ``dim`` (all of it by default: what ``clip_grad_norm_``
    takes per tensor), as one ``LinalgVectorNormBackward0`` node: a device sum of squares
    and a square root (to float rounding the CPU's: the tree sums in another order)."""
    if not isinstance(x, Tensor) or not isinstance(keepdim, bool):
        return NotImplemented
    if any(v is not None for v in extra.values()) or not x._dtype.is_floating_point:
        return NotImplemented
    dims = dims_of(dim, x.dim())  # (a 0-d x: over (), its absolute value)
    if dims is None or p == "fro" and dim is not None and len(dims) > 2:
        return NotImplemented  # (the CPU op's error)
    if x.numel() == 0:
        return _empty_norm(x, p, dims, keepdim)
    if p not in (2, 2.0, "fro"):
        return _p_norm(x, p, dims, keepdim) if type(p) in (int, float) else NotImplemented
    squares = _make(runtime.contiguous(x._value), x._dtype).detach()
    with no_grad():
        result = (squares * squares).sum(dims, keepdim=keepdim).sqrt()
    kept = _kept(tuple(x.shape), dims)

    def backward(g: Tensor) -> Tensor:  # x * g / |x|, zero where |x| is zero (PyTorch's)
        r = _make(result._value, x._dtype).reshape(kept)
        return x * (g.reshape(kept) / r).where(r != 0, 0.0)

    return record("LinalgVectorNormBackward0", result._value, x._dtype, [x], backward, saved=[x])


def _empty_norm(x: Tensor, p: Any, dims: tuple, keepdim: bool) -> Any:
    """The norm of an input with no elements, read from its shape alone: a result with no
    elements is empty (``cdist`` with an empty operand); lines of no elements give 0 for
    p >= 0 (``+inf`` and negative orders: the CPU op's error or its inf). The gradient is
    zeros of ``x``'s (empty) shape."""
    shape = tuple(x.shape)
    out = _kept(shape, dims) if keepdim else tuple(n for k, n in enumerate(shape) if k not in dims)
    ordinary = p == "fro" or type(p) in (int, float) and 0 <= p < math.inf
    if math.prod(out) and not ordinary:
        return NotImplemented
    value = runtime.zeros(out, x._dtype.np)
    return record("LinalgVectorNormBackward0", value, x._dtype, [x], lambda g: x.new_zeros(shape))


def _p_norm(x: Tensor, p: float, dims: tuple, keepdim: bool) -> Any:
    """The vector ``p``-norm for ``p`` other than 2, in device ops (float32 for 16-bit
    inputs, rounded once at the end as the CPU's kernel), recorded as the CPU's
    ``LinalgVectorNormBackward0`` with its rules (:func:`jitgrad.frontend.reduce.
    _norm_derivative`): 0 for p = 0, ``sign(x)`` for 1, the extreme elements' share for
    +-inf, ``sgn(x) |x|^(p-1) / norm^(p-1)`` otherwise (0 where the norm is 0)."""
    dt = x._dtype
    with no_grad():
        a = x.detach().abs()
        a = a.float() if dt in D.REDUCED else a
        if p == 0:
            value = (a != 0).to(a.dtype).sum(dims, keepdim=keepdim)
        elif math.isinf(p):
            value = a.amax(dims, keepdim=keepdim) if p > 0 else a.amin(dims, keepdim=keepdim)
        else:
            value = (
                a.sum(dims, keepdim=keepdim)
                if p == 1
                else (a**p).sum(dims, keepdim=keepdim) ** (1 / p)
            )
        value = value.to(dt).contiguous()
    kept = _kept(tuple(x.shape), dims)

    def backward(g: Tensor) -> Tensor:
        g2, r = g.reshape(kept), _make(value._value, dt).reshape(kept)
        if p == 0:
            return x * 0.0
        if p == 1:
            return g2 * x.sign()
        if math.isinf(p):
            hit = (x.abs() == r).to(dt)
            return g2 * hit / hit.sum(dims, keepdim=True) * x.sign()
        zero = r == 0
        scale = (g2 / r.where(~zero, 1.0) ** (p - 1)).where(~zero, 0.0)
        if p >= 2:
            return scale * x * x.abs() ** (p - 2)
        core = x.sign() * x.abs() ** (p - 1)
        return scale * (core if p >= 1 else core.where(x != 0, 0.0))

    return record("LinalgVectorNormBackward0", value._value, dt, [x], backward, saved=[x])


def norm(input: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False, out: Any = None,  # noqa: A002
         dtype: Any = None) -> Any:  # fmt: skip
    return _two_norm(input, p, dim, keepdim, {"out": out, "dtype": dtype})


def vector_norm(x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
                dtype: Any = None, out: Any = None) -> Any:  # fmt: skip
    return _two_norm(x, ord, dim, keepdim, {"out": out, "dtype": dtype})


def _all_any(want_all: bool, x: Any, dim: Any, keepdim: Any) -> Any:
    """``all``/``any`` as the smallest/largest of ``x != 0`` (cast to int32: the tree
    kernels' integer form), cast to bool. Empty inputs and uint8 (whose result is uint8)
    take the CPU op."""
    if not isinstance(x, Tensor) or not isinstance(keepdim, bool) or x._dtype is D.uint8:
        return NotImplemented
    dims = dims_of(dim, x.dim())
    if dims is None or x.numel() == 0 or x._dtype.is_complex:
        return NotImplemented
    nonzero = runtime.cast(runtime.cast(runtime.contiguous(x._value), np.bool_), np.int32)
    folded = R.reduce(nonzero, dims, "amin" if want_all else "amax", keepdim)
    return _make(runtime.cast(runtime.contiguous(folded), np.bool_), D.bool_)


def all_(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    return _all_any(True, input, dim, keepdim)


def any_(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    return _all_any(False, input, dim, keepdim)


NATIVE: dict[str, Any] = {
    "all": all_,
    "any": any_,
    "norm": norm,
    "vector_norm": vector_norm,
    "sum": sum_,
    "mean": mean,
    "amax": amax,
    "amin": amin,
    "argmax": argmax,
    "argmin": argmin,
}
