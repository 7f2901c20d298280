"""softmax and log_softmax on device tensors (cross_entropy and layer_norm: :mod:`.nn_rows`).

The kernels are :mod:`jitgrad.kernels.cuda.rows` (one block per row, a fixed shared-memory
tree: the same bits run to run); this module records them with the CPU op's node
(``SoftmaxBackward0``, ``LogSoftmaxBackward0``). A backward runs its kernel; under
``create_graph`` it is written in device tensor ops instead, so the graph of the gradient
is recorded (the CPU's declared ``softmax_backward_data`` runs host kernels only).

Covered: softmax/log_softmax over the last dimension; other dims return ``NotImplemented``
(the host fallback).
"""

from __future__ import annotations

from typing import Any

from ...engine.grad_mode import STATE as GRAD
from ...frontend.recording import ResultBackward, record
from ...kernels.cuda import rows as K
from ...tensor import Tensor, _make
from . import runtime


# ---- softmax / log_softmax ----------------------------------------------------------------
def _softmax_like(x: Any, dim: Any, dtype: Any, log: bool) -> Any:
    """softmax / log_softmax over the last dimension (others: the fallback)."""
    if not isinstance(x, Tensor) or dtype is not None or not isinstance(dim, int):
        return NotImplemented
    if not x._dtype.is_floating_point or x.dim() == 0 or dim not in (-1, x.dim() - 1):
        return NotImplemented
    out = (K.log_softmax if log else K.softmax)(runtime.contiguous(x._value))

    def backward(g: Tensor, result: Tensor) -> Tensor:
        if GRAD.enabled:  # create_graph: recorded device ops
            if log:
                return g - result.exp() * g.sum(-1, keepdim=True)
            return result * (g - (g * result).sum(-1, keepdim=True))
        gv = runtime.contiguous(g._value)
        fn = K.log_softmax_backward if log else K.softmax_backward
        return _make(fn(gv, result._value), x._dtype)

    name = "LogSoftmaxBackward0" if log else "SoftmaxBackward0"
    return record(name, out, x._dtype, [x], backward, base=ResultBackward)


def softmax(input: Any, dim: Any = None, dtype: Any = None, **kwargs: Any) -> Any:  # noqa: A002
    return NotImplemented if kwargs else _softmax_like(input, dim, dtype, False)


def log_softmax(input: Any, dim: Any = None, dtype: Any = None, **kwargs: Any) -> Any:  # noqa: A002
    return NotImplemented if kwargs else _softmax_like(input, dim, dtype, True)


NATIVE: dict[str, Any] = {
    "softmax": softmax,
    "log_softmax": log_softmax,
}
