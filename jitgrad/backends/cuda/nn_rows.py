"""cross_entropy and layer_norm on device tensors: the device's row kernels under the CPU's
declarations (and rrelu, whose slopes are drawn on the device: :func:`rrelu`).

Each op is declared once (:mod:`jitgrad.frontend.declare`, the nn ops in
``jitgrad/nn/_functional_*.py``): its forward kernel, and its derivative, a backward op that
runs a kernel and is itself declared with a derivative. Here the device supplies the kernels
(:mod:`jitgrad.kernels.cuda.rows`, :mod:`jitgrad.kernels.cuda.norm`: one block per row, a
fixed shared-memory tree, the same bits run to run) and records with the CPU's declarations
of the backward ops (``LogSoftmaxBackwardDataBackward0``, ``NativeLayerNormBackwardBackward0``),
whose derivatives are written in Tensor ops and so run on the device too: gradients of any
order follow the CPU's rules, with no second backward for ``create_graph``. The forward's
node is the CPU op's (``NllLossBackward0``, ``NativeLayerNormBackward0``).

Covered: cross_entropy with 2-D logits and class-index targets, class ``weight``,
``ignore_index`` and every reduction (no label smoothing); layer_norm over any trailing shape.
Other cases return ``NotImplemented`` (the host fallback). A target outside ``[0, C)`` sets
the kernel's flag, read at the next synchronization (``loss.item()``), which raises PyTorch's
device-side assert error; under ``CUDA_LAUNCH_BLOCKING=1`` it is read at once and the CPU op
raises its own error.

Apart from :mod:`.rows` (softmax) because it reads the nn layer's declarations, above the
device's op layer.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import dtypes as D
from ...engine.grad_mode import STATE as GRAD
from ...engine.grad_mode import no_grad
from ...frontend.declare import Declared, Saved
from ...frontend.recording import record
from ...frontend.tensor import Tensor, _make
from ...kernels.cuda import memory as M
from ...kernels.cuda import norm as N
from ...kernels.cuda import rows as K
from ...kernels.cuda.common import view
from ...kernels.cuda.memory import one_hot
from ...kernels.cuda.random import uniform
from ...nn._functional_cross_entropy import CE_BACKWARD
from ...nn._functional_layer_norm import LAYER_NORM_BACKWARD
from ...nn._functional_norm import rrelu_with
from . import runtime
from .random import next_draw


# ---- cross_entropy --------------------------------------------------------------------------
def cross_entropy(
    input: Any,  # noqa: A002
    target: Any,
    weight: Any = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,  # noqa: A002 - PyTorch's name
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Any:
    if not (isinstance(input, Tensor) and isinstance(target, Tensor)) or input.dim() != 2:
        return NotImplemented
    if size_average is not None or reduce is not None or label_smoothing:
        return NotImplemented
    if target._dtype is not D.int64 or target.shape != input.shape[:1] or not target.is_cuda:
        return NotImplemented
    if not input._dtype.is_floating_point or reduction not in ("mean", "sum", "none"):
        return NotImplemented
    if weight is not None and not (
        isinstance(weight, Tensor)
        and weight.is_cuda
        and weight._dtype is input._dtype
        and tuple(weight.shape) == (input.shape[1],)
    ):
        return NotImplemented
    n, c = input.shape
    if n == 0 or c == 0:
        return NotImplemented  # the CPU op's errors and empty-batch values
    x = runtime.contiguous(input._value)
    t = target._value
    w = None if weight is None else runtime.contiguous(weight._value)
    value, saved = K.cross_entropy(x, t, w, reduction, int(ignore_index))
    if runtime.flagged(saved.bad_target, _target_check(t)):
        return NotImplemented  # the CPU op raises PyTorch's out-of-bounds error
    return CROSS_ENTROPY.record(
        "NllLossBackward0", value, input._dtype, (input,), (input,), input=input,
        weight=weight, _x=x, _t=t, _w=w, _kernel=saved, _ignore=int(ignore_index),
        _reduction=reduction, _targets=_row_targets,
    )  # fmt: skip


def cross_entropy_backward(g: Tensor, s: Saved) -> Tensor:
    """The logits' gradient by the backward kernel; under ``create_graph`` the CPU's
    ``LogSoftmaxBackwardDataBackward0`` node (its derivative reads ``s._targets``)."""
    x = s.input
    gv = runtime.contiguous(g._value)
    gx = K.cross_entropy_backward(gv, s._x, s._t, s._kernel, s._w, s._reduction, s._ignore)
    return CE_BACKWARD.record(
        "LogSoftmaxBackwardDataBackward0", gx, x._dtype, (g, x), (g, x), fresh=True, _g=g,
        _loss=s,
    )  # fmt: skip


def _row_targets(f: Saved) -> tuple[Tensor, Tensor]:
    """``(m, q)`` for the shared derivative, on the device: ``m`` (N, 1) is each row's class
    weight (1 without ``weight``, 0 on an ignored row), over the total weight for ``mean``;
    ``q`` the one-hot targets (N, C)."""
    x, weight = f.input, f.weight
    n, c = x.shape
    with no_grad():
        q = _onehot(f._t, n, c, f._ignore, x._dtype)
        m = q @ weight.reshape(c, 1) if weight is not None else q.sum(1, True)
        if f._reduction == "mean":
            m = m / _make(view(f._kernel.total_weight, ()), x._dtype)
    return m, q


def _target_check(t: Any) -> Any:
    def check(row: int) -> None:
        if row:
            target = int(t[row - 1 : row].copy_to_host()[0])
            raise RuntimeError(
                "CUDA error: device-side assert triggered\n"
                f"(cross_entropy: Target {target} is out of bounds.)\n"
                "CUDA kernel errors might be asynchronously reported at some other API call, "
                "so the stacktrace below might be incorrect.\n"
                "For debugging consider passing CUDA_LAUNCH_BLOCKING=1"
            )

    return check


def _onehot(t: Any, n: int, c: int, ignore: int, dtype: D.dtype) -> Tensor:
    return _make(one_hot(t, c, ignore, runtime.zeros((n, c), dtype.np)), dtype)


CROSS_ENTROPY = Declared("cross_entropy", lambda s, g: cross_entropy_backward(g, s))


# ---- layer_norm -----------------------------------------------------------------------------
def layer_norm(
    input: Any,  # noqa: A002
    normalized_shape: Any,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
) -> Any:
    """``F.layer_norm`` by the row kernel of :mod:`jitgrad.kernels.cuda.norm`."""
    if not isinstance(input, Tensor) or not input._dtype.is_floating_point:
        return NotImplemented
    ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(ns)
    if k == 0 or input.dim() < k or tuple(input.shape[input.dim() - k :]) != ns:
        return NotImplemented  # the CPU op's error
    for p in (weight, bias):
        if p is not None and not (
            isinstance(p, Tensor) and p.is_cuda and p._dtype is input._dtype and p.shape == ns
        ):
            return NotImplemented
    if input.numel() == 0 or math.prod(ns) == 0:
        return NotImplemented
    x = runtime.contiguous(input._value)
    wv = None if weight is None else runtime.contiguous(weight._value)
    bv = None if bias is None else runtime.contiguous(bias._value)
    y, mean, rstd = N.layer_norm(x, ns, wv, bv, eps)
    return LAYER_NORM.record(
        "NativeLayerNormBackward0", y, input._dtype, (input, weight, bias),
        tuple(p for p in (input, weight) if p is not None), input=input, weight=weight,
        bias=bias, _x=x, _ns=ns, _wv=wv, _bv=bv, _mean=mean, _rstd=rstd, _eps=eps,
    )  # fmt: skip


def layer_norm_backward(g: Tensor, s: Saved) -> tuple:
    """``(grad_input, grad_weight, grad_bias)`` by the backward kernel (None for an absent
    weight or bias); under ``create_graph`` the CPU's ``NativeLayerNormBackwardBackward0``."""
    x, weight, bias = s.input, s.weight, s.bias
    gv = runtime.contiguous(g._value)
    gx, gw, gb = N.layer_norm_backward(gv, s._x, s._ns, s._mean, s._rstd, s._wv, s._bv)
    dt = x._dtype
    grads = (
        _make(gx, dt, fresh=True),
        None if gw is None else _make(gw, dt, fresh=True),
        None if gb is None else _make(gb, dt, fresh=True),
    )
    if not GRAD.enabled:  # the usual backward: nothing to record
        return grads
    return LAYER_NORM_BACKWARD.record_outputs(
        "NativeLayerNormBackwardBackward0", grads, (g, x, weight),
        tuple(t for t in (g, x, weight) if t is not None),
        _g=g, _input=x, _weight=weight, _bias=bias, _eps=s._eps, _ndims=len(s._ns),
    )  # fmt: skip


LAYER_NORM = Declared("layer_norm", lambda s, g: layer_norm_backward(g, s))


# ---- embedding ------------------------------------------------------------------------------
def embedding(
    input: Any,  # noqa: A002
    weight: Any,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Any:
    """Rows of a device ``weight`` by a gather kernel, ``EmbeddingBackward0`` by a row-add
    kernel (no host round trip: an index out of range is reported at the next
    synchronization, as PyTorch's device-side assert). ``max_norm`` (which renormalizes
    rows in place), ``scale_grad_by_freq`` and ``sparse`` take the host fallback."""
    if not (isinstance(input, Tensor) and isinstance(weight, Tensor) and weight.is_cuda):
        return NotImplemented
    if max_norm is not None or scale_grad_by_freq or sparse or weight.dim() != 2:
        return NotImplemented
    if not input.is_cuda or input._dtype not in (D.int64, D.int32) or 0 in weight.shape:
        return NotImplemented  # the CPU op's errors
    n, d = weight.shape
    idx = runtime.contiguous(input._value).reshape(input.numel())
    idx = idx if input._dtype is D.int64 else runtime.cast(idx, np.int64)
    w = runtime.contiguous(weight._value)
    out = runtime.empty((input.numel(), d), weight._dtype.np)
    flag = runtime.zeros((1,), np.int32)
    M.gather_rows(w, idx, out, flag)
    if runtime.flagged(flag, _index_check()):
        return NotImplemented  # the CPU op raises PyTorch's error
    pad = -1 if padding_idx is None else padding_idx % n
    dt = weight._dtype

    def backward(g: Tensor) -> tuple:
        gw = runtime.zeros((n, d), dt.np)
        M.add_rows(runtime.contiguous(g._value).reshape(idx.size, d), idx, pad, gw)
        return (_make(gw, dt, fresh=True),)

    value = out.reshape((*input.shape, d))
    return record("EmbeddingBackward0", value, dt, (weight,), backward)


def _index_check() -> Any:
    def check(flag: int) -> None:
        if flag:
            raise RuntimeError(
                "CUDA error: device-side assert triggered\n"
                "(embedding: index out of range in self)\n"
                "CUDA kernel errors might be asynchronously reported at some other API call, "
                "so the stacktrace below might be incorrect.\n"
                "For debugging consider passing CUDA_LAUNCH_BLOCKING=1"
            )

    return check


def rrelu(input: Any, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,  # noqa: A002
          inplace: bool = False) -> Any:  # fmt: skip
    """``F.rrelu``: in training each element's negative slope drawn uniform on ``[lower,
    upper]`` on the device (one draw of the stream, as dropout's mask: no host numbers, no
    synchronization), in eval the mean slope; then the declared op with those slopes
    (``RreluWithNoiseBackward0``, whose gradient is the drawn slope where ``x <= 0``). As in
    PyTorch, the device's draws are not the CPU's. Other inputs: the CPU op's errors."""
    if not isinstance(input, Tensor) or not input._dtype.is_floating_point:
        return NotImplemented
    if not all(type(v) in (int, float) for v in (lower, upper)) or input._dtype.is_complex:
        return NotImplemented
    if not training:
        return rrelu_with(input, (lower + upper) / 2, inplace, (lower, upper, training))
    draws = runtime.empty(tuple(input.shape), input._dtype.np)
    slope = _make(uniform(draws, float(lower), float(upper), *next_draw()), input._dtype)
    return rrelu_with(input, slope, inplace, (lower, upper, training))


NATIVE: dict[str, Any] = {
    "rrelu": rrelu,
    "cross_entropy": cross_entropy,
    "layer_norm": layer_norm,
    "embedding": embedding,
}
