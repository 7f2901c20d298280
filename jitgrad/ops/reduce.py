"""Reductions (sum, mean, prod, var/std, max/min, logsumexp, norm, all/any) and the
shape-keeping softmax, log_softmax and cumsum, with PyTorch's semantics and node names.

This module is the family's entry (``jitgrad.*``, Tensor methods) and holds norm, all and
any; the others live in :mod:`.reduce_sum` (sum, mean, prod, var, std), :mod:`.reduce_minmax`
(max, min, amax, amin, argmax, argmin) and :mod:`.reduce_softmax` (logsumexp, softmax,
log_softmax, cumsum), over the helpers of :mod:`.reduce_common`.

Forward: every op plans its axes with ``reduction_plan`` into the ``(A, R, B)`` layout of the
kernels in ``jitgrad/kernels/cpu/reduce.py`` (and ``reduce_extra.py``), runs one kernel and
reshapes the ``(A, B)`` result to the kept dims. Backward: a function over Tensors recorded with
:func:`record`, so ``create_graph=True`` differentiates it again; where a dedicated backward
kernel exists (softmax, log_softmax, var, max, prod, cumsum) the no-grad path calls it directly
and only the create_graph path spells the rule out in Tensor ops.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as D
from ..autograd.recording import ResultBackward
from ..kernels.cpu import reduce as K
from ..kernels.cpu import reduce_extra as KX
from ..kernels.cpu.reduce_call import (
    kept_shape,
    reduce_array,
    to_3d,
)
from ..tensor import Tensor, _make
from . import checks
from . import functions as F
from .reduce_common import (
    Dims,
    grad_to_input,
    linear_grad,
    record_unary,
    reduce_axes,
    type_word,
)
from .reduce_minmax import amax, amin, argmax, argmin, max, min  # noqa: A004
from .reduce_softmax import cumsum, log_softmax, logsumexp, softmax
from .reduce_sum import mean, prod, std, sum, var  # noqa: A004

# ---- norm, all, any ---------------------------------------------------------------------------
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
            f"Got {type_word(input._dtype)}"
        )
    p = 2 if p is None else checks.norm_order(p)
    mode = KX.P_ZERO if p == 0 else _P_MODES.get(p, KX.P_GENERAL)
    pf = 0.0 if isinstance(p, str) else float(p)
    shape = input._value.shape
    axes = reduce_axes(len(shape), dim, "norm")
    dt = input._dtype
    x3 = to_3d(input._value, axes)
    out2 = np.empty((x3.shape[0], x3.shape[2]), dt.np)
    KX.norm_fwd(x3, mode, pf, out2)
    result = out2.reshape(kept_shape(shape, axes, keepdim))

    def backward(g: Tensor, out: Tensor) -> Tensor:
        if mode == KX.P_ZERO:
            return F.mul(input, 0.0)
        if mode == KX.P_ONE:
            return grad_to_input(g, shape, axes, keepdim) * F.sign(input)
        if mode in (KX.P_INF, KX.P_NEG_INF):
            ax3 = to_3d(F.abs(input)._value, axes)
            w = linear_grad(
                g, shape, axes, keepdim, dt, lambda g2, gx3: K.amax_bwd(g2, ax3, out2, gx3)
            )
            return w * F.sign(input)
        zero = F.eq(out, 0)  # a zero norm has a zero (sub)gradient, as in torch
        safe = F.where(zero, 1.0, out)
        if mode == KX.P_TWO:
            scale = F.where(zero, 0.0, g / safe)
            return grad_to_input(scale, shape, axes, keepdim) * input
        scale = F.where(zero, 0.0, g / safe ** (pf - 1))
        return grad_to_input(scale, shape, axes, keepdim) * input * F.abs(input) ** (pf - 2)

    return record_unary(
        "LinalgVectorNormBackward0", result, dt, input, backward, (input,), ResultBackward
    )


def _logical(kernel: Any, input: Tensor, dim: Dims, keepdim: bool) -> Tensor:
    shape = input._value.shape
    axes = reduce_axes(len(shape), dim, "all" if kernel is KX.all_fwd else "any")
    return _make(reduce_array(kernel, input._value, axes, keepdim, np.dtype(np.bool_)), D.bool_)


def all(input: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:  # noqa: A001, A002
    """Whether every element (over ``dim``) is non-zero; bool result."""
    return _logical(KX.all_fwd, input, dim, keepdim)


def any(input: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:  # noqa: A001, A002
    """Whether some element (over ``dim``) is non-zero; bool result."""
    return _logical(KX.any_fwd, input, dim, keepdim)


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
