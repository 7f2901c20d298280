"""var, std, var_mean and std_mean on device tensors, in the device's own kernels.

As the CPU's (:mod:`jitgrad.frontend.reduce_prod_var`): two passes, the mean over the
reduced dims, then the squared deviations summed and divided by ``N - correction``; the
backward is ``expand(g) * (2 / (N - correction)) * (x - mean)`` (``g / (2 std)`` first for
std). Each pass is a device kernel (the deterministic tree reductions of :mod:`.reductions`
and elementwise kernels), so the values are the CPU's to float rounding, not bitwise: the
tree sums in another order than the CPU's pairwise sum. One node is recorded, with the CPU's
name. float16/bfloat16 compute in float32 on the same buffer and round once, as the CPU's
kernel; a complex input is its parts' variances summed (one node over it). No degrees of
freedom (``N - correction <= 0``, an empty input too) gives the CPU's warning (worded for
the op: ``std_mean():``) and its divisor ``max(0, N - correction)``: NaN or inf. Arguments
these do not read (named dims, an ``out=``) take the host fallback.

``logsumexp`` likewise (the CPU's :mod:`jitgrad.frontend.reduce_softmax`): the max over the
dims (0 where it is not finite) subtracted, ``exp``, summed, ``log``, the max added back, in
device ops; its backward ``expand(g) * exp(x - result)``, under ``create_graph`` through a
recorded result as the CPU's (``MulBackward0``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import dtypes as D
from ...engine.grad_mode import STATE as GRAD
from ...engine.grad_mode import no_grad
from ...frontend.clamp_where import where
from ...frontend.joint_node import with_mean_node
from ...frontend.recording import record
from ...frontend.tensor import Tensor, _make
from ...helpers import warn as warn_user
from .reductions import dims_of

_FLOATS = (D.float32, D.float64, D.float16, D.bfloat16, D.complex64, D.complex128)


_NO_DOF = (
    "{}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction "
    "factor (input numel divided by output numel)."
)


def _opmath(t: Tensor) -> Tensor:
    """A float16/bfloat16 tensor's float32 buffer as a float32 tensor (no copy, no history):
    the CPU computes these ops in float32 and rounds once (:mod:`jitgrad.lowp`)."""
    return t if t._dtype.round is None else _make(t._value, D.float32)


def _rounded(t: Tensor, dt: D.dtype) -> Tensor:
    """float32 ``t`` (a fresh result) rounded to 16-bit ``dt`` in place; others as they are."""
    return t if dt.round is None else _make(t._value, dt)


def _plan(x: Any, dim: Any, unbiased: Any, keepdim: Any, correction: Any) -> Any:
    """``(dims, correction, N - correction)``, or None for the cases the host fallback
    takes (``N - correction <= 0``, empty inputs too: the device's, with the CPU's warning)."""
    if not isinstance(x, Tensor) or x._dtype not in _FLOATS or not isinstance(keepdim, bool):
        return None
    if isinstance(dim, bool):  # var(False): the old positional ``unbiased``
        dim, unbiased = None, dim
    if correction is not None and not isinstance(correction, int | float):
        return None
    if unbiased is not None and not isinstance(unbiased, bool):
        return None
    dims = dims_of(dim, x.dim())
    if dims is None:
        return None
    corr = float(correction if correction is not None else (unbiased is not False))
    return dims, corr, math.prod(x.shape[d] for d in dims) - corr


def _spread(node: str, x: Any, dim: Any, unbiased: Any, keepdim: Any, correction: Any,
            word: str | None = None) -> Any:  # fmt: skip
    """var's or std's node ``node``; ``word``: the op the warning names (std_mean's own)."""
    plan = _plan(x, dim, unbiased, keepdim, correction)
    if plan is None:
        return NotImplemented
    dims, corr, den = plan
    word = word or node[:3].lower()
    if x._dtype.is_complex:
        return _complex_spread(node, x, dims, keepdim, corr, word)
    if den <= 0:  # (a complex input: once per part, as PyTorch's)
        warn_user(_NO_DOF.format(word), UserWarning, stacklevel=3)
    dt, shape = x._dtype, tuple(x.shape)
    kept = tuple(1 if k in dims else n for k, n in enumerate(shape))
    den_t = dt.np.type(max(den, 0.0))  # the CPU's divisor max(0, N - c), in the tensor's dtype
    xf = _opmath(x)
    with no_grad():
        m = xf.mean(dims, keepdim=True) if dims else xf.clone()
        d = xf - m
        value = (d * d).sum(dims, keepdim=keepdim) / float(den_t)
        if node == "StdBackward0":  # (16-bit: the CPU's sqrt of the rounded variance)
            value = _rounded(value, dt).sqrt()
    with np.errstate(divide="ignore"):  # (no degrees of freedom: inf, as the CPU's kernel)
        k = float(dt.np.type(2) / den_t)  # the CPU's 2 / (N - correction), in the dtype

    def backward(g: Tensor) -> Tensor:
        g = g if keepdim else g.reshape(kept)
        if GRAD.enabled and (g._requires_grad or x._requires_grad):  # create_graph: recorded
            if node == "StdBackward0":  # (through the result too, as the CPU's)
                g = g / (2 * std(x, dims, None, True, correction=corr))
            return g * k * (x - (x.mean(dims, keepdim=True) if dims else x))
        if node == "StdBackward0":  # (16-bit: rounded ops, as the CPU's)
            g = g / (2 * value.reshape(kept))
        return _rounded(_opmath(g) * k * d, dt)  # (16-bit: the CPU's float32 kernel, rounded)

    return record(node, value._value, dt, [x], backward, saved=[x])


def _complex_spread(node: str, x: Tensor, dims: tuple, keepdim: bool, corr: float,
                    word: str) -> Tensor:  # fmt: skip
    """A complex input's var/std as the CPU's: the real parts' variance plus the imaginary
    parts' (each the real path above), one node over the complex input; its derivative
    PyTorch's complex ``var_backward`` in device ops (as the CPU's
    :func:`~jitgrad.frontend.reduce_grads.complex_var_backward`: ``expand(g) * (x - mean) *
    2 / (N - correction)``), after ``g / (2 std)`` for std."""
    kept = tuple(1 if k in dims else n for k, n in enumerate(x.shape))
    den = math.prod(x.shape[d] for d in dims) - corr
    scale = 2.0 / den if den > 0 else math.inf  # (the CPU's)
    with no_grad():
        value = _spread("VarBackward0", x.real, dims, None, keepdim, corr, word)
        value = value + _spread("VarBackward0", x.imag, dims, None, keepdim, corr, word)
        value = value.sqrt() if node == "StdBackward0" else value

    def backward(g: Tensor) -> Tensor:
        if node == "StdBackward0":  # (create_graph: through a recorded std, as the real path)
            r = std(x, dims, None, keepdim, correction=corr) if GRAD.enabled else value
            g = g / (2 * r)
        return (g if keepdim else g.reshape(kept)) * (x - x.mean(dims, keepdim=True)) * scale

    return record(node, value._value, value._dtype, [x], backward, saved=[x])


def var(input: Any, dim: Any = None, unbiased: Any = None, keepdim: Any = False, *,  # noqa: A002
        correction: Any = None) -> Any:  # fmt: skip
    return _spread("VarBackward0", input, dim, unbiased, keepdim, correction)


def std(input: Any, dim: Any = None, unbiased: Any = None, keepdim: Any = False, *,  # noqa: A002
        correction: Any = None) -> Any:  # fmt: skip
    return _spread("StdBackward0", input, dim, unbiased, keepdim, correction)


def _with_mean(node: str, name: str) -> Any:
    """``var_mean``/``std_mean``: ``(spread(...), mean(...))``, the outputs of one node (as
    :func:`jitgrad.frontend.stats.var_mean` does on the CPU); a warning names ``name``."""

    def fn(input: Any, dim: Any = None, unbiased: Any = None, keepdim: Any = False, *,  # noqa: A002
           correction: Any = None) -> Any:  # fmt: skip
        s = _spread(node, input, dim, unbiased, keepdim, correction, name)
        if s is NotImplemented:
            return s
        if isinstance(dim, bool):
            dim = None
        return with_mean_node(name, s, input.mean(dim, keepdim), input)

    return fn


def logsumexp(input: Any, dim: Any = (), keepdim: Any = False, **kwargs: Any) -> Any:  # noqa: A002
    """``torch.logsumexp(x, dim, keepdim)`` of a float device tensor (0-d too: over ``()``);
    float16/bfloat16 in float32, rounded once, its backward in rounded ops (the CPU's)."""
    x = input
    if kwargs or not isinstance(x, Tensor) or x._dtype not in _FLOATS or x.numel() == 0:
        return NotImplemented  # (numpy's axis=/keepdims=, integers, empty: the CPU op)
    dims = dims_of(dim, x.dim())
    if dims is None or not isinstance(keepdim, bool):
        return NotImplemented
    kept = tuple(1 if k in dims else n for k, n in enumerate(x.shape))

    def shifted(t: Tensor) -> Tensor:  # log(sum(exp(t - m))) + m, kept dims
        with no_grad():
            m = t.amax(dims, keepdim=True)
            m = where(m.isfinite(), m, 0.0)
        return (t - m).exp().sum(dims, keepdim=True).log() + m

    with no_grad():
        out = _rounded(shifted(_opmath(x)), x._dtype)

    def backward(g: Tensor) -> Tensor:
        g = g if keepdim else g.reshape(kept)
        if GRAD.enabled and (g._requires_grad or x._requires_grad):  # create_graph: through
            return g * (x - logsumexp(x, dims, True)).exp()  # the recorded result, as the CPU
        return g * (x - out).exp()

    value = (
        out if keepdim else out.reshape(tuple(n for k, n in enumerate(x.shape) if k not in dims))
    )
    return record("LogsumexpBackward0", value._value, x._dtype, [x], backward, saved=[x])


NATIVE: dict[str, Any] = {
    "logsumexp": logsumexp,
    "var": var,
    "std": std,
    "var_mean": _with_mean("VarBackward0", "var_mean"),
    "std_mean": _with_mean("StdBackward0", "std_mean"),
}
