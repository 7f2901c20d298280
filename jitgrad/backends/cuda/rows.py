"""softmax and log_softmax on device tensors (cross_entropy and layer_norm: :mod:`.nn_rows`).

The kernels are :mod:`jitgrad.kernels.cuda.rows` (one block per row, a fixed shared-memory
tree: the same bits run to run), under the CPU's declarations
(:mod:`jitgrad.frontend.reduce_softmax`, ``SoftmaxBackward0``/``LogSoftmaxBackward0``): the
backward is the declared ``softmax_backward_data``, whose kernel on device tensors is
:func:`softmax_backward_data` here and whose derivative is written in Tensor ops, so
gradients of any order follow the CPU's rules (no second backward for ``create_graph``).

Covered: softmax/log_softmax over any dimension (another than the last is moved last by a
gather kernel, and the result moved back); a ``dtype=`` returns ``NotImplemented`` (the host
fallback).
"""

from __future__ import annotations

from typing import Any

from ...frontend.reduce_softmax import LOG_SOFTMAX, SOFTMAX
from ...frontend.tensor import Tensor
from ...kernels.cuda import memory as M
from ...kernels.cuda import rows as K
from . import runtime
from .aliasing import c_strides


# ---- softmax / log_softmax ----------------------------------------------------------------
def _softmax_like(x: Any, dim: Any, dtype: Any, log: bool) -> Any:
    """softmax / log_softmax over ``dim`` by the row kernels."""
    if not isinstance(x, Tensor) or dtype is not None or type(dim) is not int:
        return NotImplemented
    if not x._dtype.is_floating_point or x.dim() == 0 or not -x.dim() <= dim < x.dim():
        return NotImplemented
    d = dim % x.dim()
    rows = _to_last(runtime.contiguous(x._value), d)
    out = _from_last((K.log_softmax if log else K.softmax)(rows), d)
    decl = LOG_SOFTMAX if log else SOFTMAX
    name = "LogSoftmaxBackward0" if log else "SoftmaxBackward0"
    return decl.record(name, out, x._dtype, (x,), (), dim=dim, _dim=d, _s3=None)


def softmax_backward_data(g: Tensor, y: Tensor, dim: int, log: bool) -> Any:
    """The kernel of the CPU's declared ``softmax_backward_data`` on device tensors."""
    fn = K.log_softmax_backward if log else K.softmax_backward
    d = dim % y.dim()
    gv, yv = runtime.contiguous(g._value), runtime.contiguous(y._value)
    return _from_last(fn(_to_last(gv, d), _to_last(yv, d)), d)


def _to_last(v: Any, d: int) -> Any:
    """The contiguous device array ``v`` with dimension ``d`` moved last (``v`` itself when
    it is already last)."""
    if d == v.ndim - 1:
        return v
    return _permuted(v, (*(k for k in range(v.ndim) if k != d), d))


def _from_last(v: Any, d: int) -> Any:
    """:func:`_to_last`'s inverse: the last dimension of ``v`` moved back to ``d``."""
    if d == v.ndim - 1:
        return v
    return _permuted(v, (*range(d), v.ndim - 1, *range(d, v.ndim - 1)))


def _permuted(v: Any, order: tuple) -> Any:
    """``v.permute(order)`` made contiguous by one gather kernel."""
    shape, strides = tuple(v.shape), c_strides(tuple(v.shape))
    return M.gather(runtime.flat(v), tuple(shape[k] for k in order),
                    tuple(strides[k] for k in order))  # fmt: skip


def softmax(input: Any, dim: Any = None, dtype: Any = None, **kwargs: Any) -> Any:  # noqa: A002
    return NotImplemented if kwargs else _softmax_like(input, dim, dtype, False)


def log_softmax(input: Any, dim: Any = None, dtype: Any = None, **kwargs: Any) -> Any:  # noqa: A002
    return NotImplemented if kwargs else _softmax_like(input, dim, dtype, True)


NATIVE: dict[str, Any] = {
    "softmax": softmax,
    "log_softmax": log_softmax,
}
