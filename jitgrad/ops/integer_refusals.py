"""PyTorch's errors for an activation called on an integer or bool tensor.

PyTorch dispatches these activations' CPU kernels over floating types only: ``F.gelu`` of an
int64 tensor raises ``"GeluKernelImpl" not implemented for 'Long'`` where jitgrad's declared
op would promote the integers to float32 and answer. A table of error texts keyed by the
declared op (the kernel name PyTorch's message gives), checked once per operand signature
when an op's plan is built, so never per call; the input tensor's own dtype decides, as in
PyTorch (``leaky_relu(int_tensor, 0.01)`` is refused although a float slope would promote).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import dtypes as D

_ELU = "elu_cpu"
#: op -> PyTorch's CPU kernel name, for ops refused on integer and bool tensors
FLOAT_ONLY = {
    "elu": _ELU, "celu": _ELU, "selu": _ELU, "gelu": "GeluKernelImpl",
    "gelu_tanh": "GeluKernelImpl", "silu": "silu_cpu", "mish": "mish_cpu",
    "hardswish": "hardswish_cpu", "hardsigmoid": "hardsigmoid_cpu",
    "leaky_relu": "leaky_relu_cpu", "rrelu": "leaky_relu_cpu", "softplus": "softplus_cpu",
    "softshrink": "softshrink_check", "hardshrink": "hardshrink_cpu",
    "log_sigmoid": "log_sigmoid_cpu",
}  # fmt: skip
#: ops refused on bool tensors only (integers are computed): their errors
BOOL_REFUSED = {
    "relu": (RuntimeError, "Boolean inputs not supported for relu"),
    "hardtanh": (RuntimeError, "Bool inputs not supported for hardtanh"),
    "threshold": (NotImplementedError, "\"threshold_cpu\" not implemented for 'Bool'"),
}


def refuse_integer(name: str, args: Sequence[Any]) -> None:
    """Raise PyTorch's error if ``name`` cannot take its input tensor's (first operand's)
    integer or bool dtype; return otherwise."""
    dt = getattr(args[0], "_dtype", None) if args else None
    if dt is None or dt._category >= 2:
        return
    kernel = FLOAT_ONLY.get(name)
    if kernel is not None:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D.scalar_name(dt)}'")
    refusal = BOOL_REFUSED.get(name)
    if refusal is not None and dt._category == 0:
        raise refusal[0](refusal[1])
