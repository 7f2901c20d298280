"""softmax and log_softmax on device tensors (cross_entropy and layer_norm: :mod:`.nn_rows`).

The kernels are :mod:`jitgrad.kernels.cuda.rows` (one block per row, a fixed shared-memory
tree: the same bits run to run), under the CPU's declarations
(:mod:`jitgrad.frontend.reduce_softmax`, ``SoftmaxBackward0``/``LogSoftmaxBackward0``): the
backward is the declared ``softmax_backward_data``, whose kernel on device tensors is
:func:`softmax_backward_data` here and whose derivative is written in Tensor ops, so
gradients of any order follow the CPU's rules (no second backward for ``create_graph``).

Covered: softmax/log_softmax over the last dimension; other dims return ``NotImplemented``
(the host fallback).
"""

from __future__ import annotations

from typing import Any

from ...frontend.reduce_softmax import LOG_SOFTMAX, SOFTMAX
from ...frontend.tensor import Tensor
from ...kernels.cuda import rows as K
from . import runtime


# ---- softmax / log_softmax ----------------------------------------------------------------
def _softmax_like(x: Any, dim: Any, dtype: Any, log: bool) -> Any:
    """softmax / log_softmax over the last dimension (others: the fallback)."""
    if not isinstance(x, Tensor) or dtype is not None or not isinstance(dim, int):
        return NotImplemented
    if not x._dtype.is_floating_point or x.dim() == 0 or dim not in (-1, x.dim() - 1):
        return NotImplemented
    out = (K.log_softmax if log else K.softmax)(runtime.contiguous(x._value))
    decl = LOG_SOFTMAX if log else SOFTMAX
    name = "LogSoftmaxBackward0" if log else "SoftmaxBackward0"
    return decl.record(name, out, x._dtype, (x,), (), dim=dim, _dim=x.dim() - 1, _s3=None)


def softmax_backward_data(g: Tensor, y: Tensor, dim: int, log: bool) -> Any:
    """The kernel of the CPU's declared ``softmax_backward_data`` on device tensors (``dim``
    the last one: the only one :func:`_softmax_like` records)."""
    if dim != y.dim() - 1:
        raise NotImplementedError("softmax backward on the device: the last dim only")
    fn = K.log_softmax_backward if log else K.softmax_backward
    return fn(runtime.contiguous(g._value), runtime.contiguous(y._value))


def softmax(input: Any, dim: Any = None, dtype: Any = None, **kwargs: Any) -> Any:  # noqa: A002
    return NotImplemented if kwargs else _softmax_like(input, dim, dtype, False)


def log_softmax(input: Any, dim: Any = None, dtype: Any = None, **kwargs: Any) -> Any:  # noqa: A002
    return NotImplemented if kwargs else _softmax_like(input, dim, dtype, True)


NATIVE: dict[str, Any] = {
    "softmax": softmax,
    "log_softmax": log_softmax,
}
