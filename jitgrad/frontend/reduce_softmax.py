"""The reductions along one dim that exponentiate or keep the shape: logsumexp, softmax,
log_softmax and cumsum, with PyTorch's semantics and node names."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import STATE, no_grad
from ..kernels.cpu import reduce as K
from ..kernels.cpu.reduce_call import (
    kept_shape,
    plan_3d,
)
from . import argcheck as A
from . import functions as F
from . import movement as M
from .declare import Declared, Reduction, Saved, expand_reduced, reduction
from .np_bound import np_empty
from .record_one import lane_of
from .reduce_common import (
    Dims,
    dim_or_axis,
    floating,
    int_to_long,
    numpy_spellings,
    type_word,
)
from .reduce_grads import softmax_backward_data
from .tensor import Tensor, _make, _wrap_dim


def _array_dtype(t: Tensor) -> tuple[np.ndarray, D.dtype]:
    return t._value, t._dtype


def _logsumexp_derivative(s: Saved, g: Tensor) -> Tensor:
    result = M.reshape(s.result, kept_shape(s._shape, s._axes, True))
    return expand_reduced(g, s) * F.exp(s.self - result)


LOGSUMEXP = Reduction(
    "logsumexp",
    K.logsumexp_fwd,
    ("LogsumexpBackward0", "LogsumexpBackward0"),
    _logsumexp_derivative,
    dtype=lambda t, _dtype: _array_dtype(floating(t)),
    public=("dim", "keepdim", "result", "self"),
    reads_result=True,
)


#: ``logsumexp``'s ``dim`` not given: PyTorch 2.13 requires it (``dim=()`` is all dims)
_NO_DIM: Any = object()


def logsumexp(
    input: Tensor,  # noqa: A002
    dim: Dims = _NO_DIM,
    keepdim: bool = False,
    *,
    axis: Any = None,
    keepdims: bool | None = None,
) -> Tensor:
    """``log(sum(exp(x)))`` over ``dim``, shifted by the max so it neither overflows nor
    underflows; integer inputs give the default float dtype."""
    if dim is _NO_DIM:
        if axis is None:
            raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
        dim = ()
    dim, keepdim = numpy_spellings(dim, keepdim, axis, keepdims)
    A.keepdim_bool("logsumexp", keepdim)
    if isinstance(input, Tensor) and input._dtype.is_complex:
        return _logsumexp_complex(input, dim, keepdim)
    return reduction(LOGSUMEXP, input, dim, keepdim, pos=1)


def _logsumexp_complex(x: Tensor, dim: Dims, keepdim: bool) -> Tensor:
    """Complex ``logsumexp`` composed of differentiable ops (the kernel is real-only): the
    shift is the largest real part, a constant, so the gradient is PyTorch's
    ``g * conj(exp(x - result))``."""
    with no_grad():
        m = x.real.amax(dim, keepdim=True) if x.dim() else x.real
        m = F.where(F.isfinite(m), m, 0.0).to(x._dtype)
    out = (x - m).exp().sum(dim, keepdim=True).log() + m
    if keepdim or not x.dim():
        return out.reshape(()) if not x.dim() else out
    dims = tuple(range(x.dim())) if dim == () else ((dim,) if isinstance(dim, int) else dim)
    return out.squeeze(tuple(d % x.dim() for d in dims))


# ---- softmax, log_softmax, cumsum (shape-keeping, one dim) ------------------------------------
def _along(t: Tensor, dim: int, fn: str = "cumsum") -> tuple[int, np.ndarray]:
    """``dim`` wrapped and ``t`` as the ``(A, R, B)`` array of a one-dim op (never a copy for
    contiguous input: one axis is always a contiguous run)."""
    arr = t._value
    shape = arr.shape
    if len(shape) == 1 and type(dim) is int and (dim == 0 or dim == -1):  # a vector: (1, n, 1)
        return 0, np.ascontiguousarray(arr).reshape(1, shape[0], 1)
    d = _wrap_dim(dim if type(dim) is int else A.dim_arg(fn, dim, len(shape)), len(shape))
    return d, np.ascontiguousarray(arr).reshape(plan_3d(shape, (d,) if shape else ())[1])


def _softmax_like(input: Tensor, dim: int, dtype: Any, log: bool) -> Tensor:
    arr = input._value
    if dtype is None and type(dim) is int and (dim == 0 or dim == -1) and arr.ndim == 1:
        n = len(arr)  # (ndim and len: no shape tuple made, ~0.5k instructions less per call)
        out = np_empty(n, arr.dtype)
        if K.vector_softmax(arr, out, log):  # (False, nothing done: not a float32/64 vector)
            return _vector_result(input, out, dim, log, n)
    if dtype is not None:
        input = F.cast(input, D.to_dtype(dtype))
    dt = input._dtype
    if not dt.is_floating_point:
        raise NotImplementedError(
            f'"{"log_" if log else ""}softmax_lastdim_kernel_impl" not implemented for '
            f"'{type_word(dt)}'"
        )
    arr = input._value
    shape = arr.shape
    out = np_empty(shape, arr.dtype)
    if len(shape) == 1 and type(dim) is int and dim in (0, -1) and K.vector_softmax(arr, out, log):
        d, s3 = 0, (1, shape[0], 1)  # a small vector: the slice kernel straight
    else:
        d, x3 = _along(input, dim, "log_softmax" if log else "softmax")
        s3 = x3.shape
        K.pick(K.log_softmax_fwd if log else K.softmax_fwd, x3.size)(x3, out.reshape(s3))

    decl = LOG_SOFTMAX if log else SOFTMAX
    name = "LogSoftmaxBackward0" if log else "SoftmaxBackward0"
    if type(dim) is int:  # (a dim name or an int-like object: a record of its own)
        return decl.record_shared(name, out, dt, (input,), (dim, d, s3), dim=dim, _dim=d, _s3=s3)
    return decl.record(name, out, dt, (input,), (), dim=dim, _dim=d, _s3=s3)


def _vector_result(input: Tensor, out: np.ndarray, dim: int, log: bool, n: int) -> Tensor:  # noqa: A002
    """The result of a small vector's softmax (``out``, of ``n`` elements, computed by
    ``vector_softmax``): the record :meth:`Declared.record_shared` gives, its node class and
    shared backward looked up once per ``(log, dim, size)``, not per call (a scalar graph
    takes one every few ops), recorded by :func:`.record_one.record_one`."""
    lane = _vector_lanes.get((log, dim, n))
    if lane is None:
        decl = LOG_SOFTMAX if log else SOFTMAX
        name = "LogSoftmaxBackward0" if log else "SoftmaxBackward0"
        s3 = (1, n, 1)
        key = (dim, 0, s3)
        res = decl.record_shared(name, out, input._dtype, (input,), key, dim=dim, _dim=0, _s3=s3)
        if key in decl.shared and len(_vector_lanes) < 256:
            _vector_lanes[(log, dim, n)] = lane_of(name, decl.bases[None], decl.shared[key])
        return res
    return lane[3](lane[0], out, input._dtype, input, lane[1], lane[2])  # (record_one's copy)


#: (log, dim, size) -> (node class, shared backward, None) of a small vector's softmax
_vector_lanes: dict[tuple, tuple] = {}


SOFTMAX = Declared(
    "softmax",
    lambda s, g: softmax_backward_data(g, s.result, s._dim, False, s._s3),
    public=("dim", "result"),
    reads_result=True,
    dim_list=False,
)
LOG_SOFTMAX = Declared(
    "log_softmax",
    lambda s, g: softmax_backward_data(g, s.result, s._dim, True, s._s3),
    public=("dim", "result"),
    reads_result=True,
    dim_list=False,
)


def softmax(input: Tensor, dim: Any = None, dtype: Any = None, *, axis: Any = None) -> Tensor:  # noqa: A002
    """``exp(x) / sum(exp(x))`` along ``dim`` (or NumPy's ``axis``, as torch.softmax takes)."""
    dim = dim_or_axis("softmax", dim, axis)
    return _softmax_like(input, dim, dtype, False)


def log_softmax(input: Tensor, dim: Any = None, dtype: Any = None, *, axis: Any = None) -> Tensor:  # noqa: A002
    """``x - logsumexp(x)`` along ``dim`` (or ``axis``)."""
    dim = dim_or_axis("log_softmax", dim, axis)
    return _softmax_like(input, dim, dtype, True)


def _reverse_cumsum(g: Tensor, dim: int) -> Tensor:
    """``g`` summed from the end along ``dim``: cumsum's gradient, itself differentiable
    (its own gradient is cumsum again)."""
    _, g3 = _along(g, dim)
    out3 = np.empty_like(g3)
    K.pick(K.cumsum_bwd, g3.size)(g3, out3)
    return REVERSE_CUMSUM.record("CumsumBackward0", out3.reshape(g._value.shape), g._dtype, (g,),
                                 _dim=dim)  # fmt: skip


def _cumsum_derivative(s: Saved, g: Tensor) -> Tensor:
    grad = _reverse_cumsum(g, s._dim)
    in_dt = s.__dict__.get("_in_dtype")  # ``dtype=``: the input's gradient in its own dtype
    return grad if in_dt is None else F.cast(grad, in_dt)


CUMSUM = Declared("cumsum", _cumsum_derivative, public=("dim",), dim_list=False)
REVERSE_CUMSUM = Declared("reverse_cumsum", lambda s, g: cumsum(g, s._dim))


def cumsum(
    input: Tensor,  # noqa: A002
    dim: Any = None,
    *,
    dtype: Any = None,
    axis: Any = None,
) -> Tensor:
    """Running sum along ``dim`` (NumPy's ``axis``, as PyTorch's argument parser accepts);
    integer and bool inputs give int64."""
    dim = dim_or_axis("cumsum", dim, axis)
    arr, dt = int_to_long(input, dtype)
    src = _make(arr, dt)  # (bool and integer inputs: arr is widened to int64 already)
    d, x3 = _along(src, dim)
    out3 = np.empty(x3.shape, dt.np)
    K.pick(K.cumsum_fwd, x3.size)(x3, out3)
    value = out3.reshape(arr.shape)
    if not (STATE.enabled and input._requires_grad):
        return _make(value, dt)
    if dt is not input._dtype:
        return CUMSUM.record("CumsumBackward0", value, dt, (input,), (), dim=dim, _dim=d,
                             _in_dtype=input._dtype)  # fmt: skip
    return CUMSUM.record("CumsumBackward0", value, dt, (input,), (), dim=dim, _dim=d)
