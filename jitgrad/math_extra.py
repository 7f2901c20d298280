"""Everyday torch math that is a composition of existing ops, or integer/bit arithmetic
without a gradient: ``dist``, ``ger``, ``vdot``, ``diagflat``, ``logcumsumexp``, ``cov``,
``corrcoef``, ``block_diag``, ``renorm``, ``sum_to_size``, ``frexp``, ``histc``,
``unique_consecutive``, ``combinations`` (gcd/lcm/nextafter are declared:
ops/elementwise_integer.py, ops/elementwise_float.py).

The differentiable ones are compositions, so their gradients (and gradients of gradients)
come from the ops they are built of; where PyTorch names the node after the function
(``DistBackward0``, ``LogcumsumexpBackward0``, ``BlockDiagBackward0``...), the composition's
last node is given that name (same backward, its name only). The integer ones compute with
numpy ufuncs: they are not differentiable and not on any hot path.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from . import dtypes as D
from .frontend import argcheck as A
from .frontend import functions as F
from .frontend._tensor_data import result_type
from .frontend.creation import tensor, zeros
from .frontend.declared_front import tensors_only
from .frontend.linalg import dot, outer
from .frontend.movement import cat
from .frontend.out import write_out
from .frontend.pointwise import apply
from .frontend.recording import node_class
from .frontend.reduce import amax, cumsum, norm
from .frontend.structure import diag_embed
from .frontend.tensor import Tensor, _make
from .ops.registry import REGISTRY
from .ops.return_types import named_result

FrexpResult = named_result("frexp", ("mantissa", "exponent"))


def _named(res: Tensor, name: str) -> Tensor:
    """Give ``res``'s node PyTorch's name for the whole function (same backward)."""
    node = res.grad_fn
    if node is not None:  # a subclass named ``name``: the node's backward is kept as is
        node.__class__ = node_class(name, type(node))
    return res


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:  # noqa: A002
    """The ``p``-norm of ``input - other`` (``DistBackward0``)."""
    return _named(norm(F.sub(input, other), p), "DistBackward0")


def ger(input: Tensor, vec2: Tensor) -> Tensor:  # noqa: A002
    """The old name of :func:`outer` (PyTorch shows ``MulBackward0`` for both)."""
    return outer(input, vec2)


def vdot(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """The dot product of two 1-D tensors, the first conjugated (``VdotBackward0``)."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    return _named(dot(input.conj() if input.dtype.is_complex else input, other), "VdotBackward0")


def diagflat(input: Tensor, offset: int = 0) -> Tensor:  # noqa: A002
    """A 2-D tensor with the flattened input on diagonal ``offset``."""
    return diag_embed(input.reshape(-1), offset)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    """``log(cumsum(exp(input)))`` along ``dim`` without overflow: the maximum along ``dim``
    (a constant shift, so it needs no gradient) comes out of the exponentials."""
    if input.ndim == 0:
        return _named(input * 1, "LogcumsumexpBackward0")
    complex_ = input._dtype.is_complex
    shift = amax((input.real if complex_ else input).detach(), dim, keepdim=True)
    shift = F.where(F.isfinite(shift), shift, 0.0)
    res = F.log(cumsum(F.exp(input - shift), dim)) + shift
    if complex_:  # PyTorch's imaginary parts: whole turns added (constants: same gradient)
        turns = np.round((_log_add_exp_scan(input._value, dim % input.ndim) - res._value).imag
                         / (2 * np.pi))  # fmt: skip
        turns = np.nan_to_num(turns, nan=0.0, posinf=0.0, neginf=0.0)
        if turns.any():
            res = res + _make((2j * np.pi * turns).astype(res._value.dtype), res._dtype)
    return _named(res, "LogcumsumexpBackward0")


def _log_add_exp_scan(a: np.ndarray, dim: int) -> np.ndarray:
    """PyTorch's complex logcumsumexp values along ``dim``: a running log-add-exp that keeps
    the term of larger real part as is (``max + log1p(exp(min - max))``), so its imaginary
    part is not wrapped to the principal branch as ``log(cumsum(exp))``'s is."""
    x = np.moveaxis(a, dim, 0)
    out = np.empty_like(x)
    acc = out[0] = x[0]
    with np.errstate(all="ignore"):
        for i in range(1, x.shape[0]):
            new = x[i]
            down = new.real < acc.real  # (min, max) = (acc, new) unless new is smaller
            lo, hi = np.where(down, new, acc), np.where(down, acc, new)
            acc = out[i] = np.where(
                ~np.isfinite(lo.real) & (lo.real == hi.real),
                np.where(lo.real < 0, lo, np.log(np.exp(lo) + np.exp(hi))),
                np.log1p(np.exp(lo - hi)) + hi,
            )
    return np.moveaxis(out, 0, dim)


def cov(
    input: Tensor,  # noqa: A002
    *,
    correction: int = 1,
    fweights: Tensor | None = None,
    aweights: Tensor | None = None,
) -> Tensor:
    """Covariance of the rows (variables) over the columns (observations), numpy's
    weighting; a 1-D input is one variable."""
    if input.ndim > 2:
        raise ValueError(
            f"cov(): expected input to have two or fewer dimensions but got an "
            f"input with {input.ndim} dimensions"
        )
    x = input if input.ndim == 2 else input.reshape(1, -1)
    if not x._dtype.is_floating_point:
        x = x.to(D.get_default_dtype())
    n = x.shape[1]
    w = None
    if fweights is not None:
        w = fweights
    if aweights is not None:
        w = aweights if w is None else w * aweights
    if w is None:
        w_sum = float(n)
        avg = x.mean(1)
        norm_factor = w_sum - correction
    else:
        w = w.to(x._dtype)
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
        if aweights is None or correction == 0:
            norm_factor = w_sum - correction
        else:
            norm_factor = w_sum - correction * (w * aweights).sum() / w_sum
    if not isinstance(norm_factor, Tensor) and norm_factor <= 0:
        norm_factor = 0.0
    xm = x - avg.unsqueeze(1)
    xw = xm if w is None else xm * w
    c = (xw @ xm.t()) / norm_factor
    return c.squeeze()


def corrcoef(input: Tensor) -> Tensor:  # noqa: A002
    """Pearson correlation coefficients of the rows, clipped to [-1, 1]."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = c.diagonal()
    stddev = F.sqrt(d)
    c = c / stddev.unsqueeze(1)
    c = c / stddev.unsqueeze(0)
    return F.clamp(c, -1, 1)


def block_diag(*tensors: Tensor) -> Tensor:
    """The inputs (0-, 1- or 2-D) down the diagonal of one matrix (``BlockDiagBackward0``)."""
    mats = []
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(
                f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} "
                f"has {t.ndim} dimensions"
            )
        mats.append(t.reshape(1, -1) if t.ndim < 2 else t)
    dt = result_type(mats) if mats else D.get_default_dtype()
    cols = sum(m.shape[1] for m in mats)
    if not mats:
        return zeros(1, 0, dtype=dt)  # PyTorch's empty block_diag() is 1x0
    rows, c = [], 0
    for m in mats:
        h, w = m.shape
        # (the zeros on the block's device, so device blocks stay there; empty ones left
        # out: the device cat's backward would narrow the gradient to width 0, a host op)
        pad = {"dtype": dt, "device": m.device}
        row = [zeros(h, c, **pad), m.to(dt), zeros(h, cols - c - w, **pad)]
        rows.append(cat([p for p in row if p.shape[1]] or row, 1))
        c += w
    return _named(cat(rows, 0), "BlockDiagBackward0")


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:  # noqa: A002
    """Each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled down to it."""
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if input.ndim < 2:
        n = input.ndim
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {n} dimensions")
    d = dim % max(input.ndim, 1)
    others = tuple(i for i in range(input.ndim) if i != d)
    norms = norm(input, p, others, keepdim=True)
    factor = F.where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
    return _named(input * factor, "RenormBackward0")


def sum_to_size(self: Tensor, *size: Any) -> Tensor:
    """Sum ``self`` down to ``size`` (which it must broadcast from), ``SumBackward1``."""
    size = A.int_list("sum_to_size", "size", size)
    shape = tuple(self.shape)
    lead = len(shape) - len(size)
    ok = lead >= 0 and all(s in (1, n) for s, n in zip(size, shape[lead:], strict=True))
    if not ok:
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1
    )
    if not dims:
        return self
    res = self.sum(dims, keepdim=True)
    return res.reshape(size) if lead else res


def frexp(input: Tensor, *, out: Any = None) -> Any:  # noqa: A002
    """``(mantissa, exponent)`` with ``input = mantissa * 2**exponent``, |mantissa| in [0.5, 1);
    the exponent by numpy (an int32 output, no gradient), the mantissa by the declared op
    ``frexp`` (``FrexpBackward0``, as PyTorch's); ``out``: the input's dtype and int32."""
    if not input._dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    if out is not None:
        mantissa, exponent = out
        if mantissa._dtype is not input._dtype:
            raise RuntimeError(
                f"torch.frexp() expects mantissa to have dtype {D.cpp_name(input._dtype)} but "
                f"got {D.cpp_name(mantissa._dtype)}"
            )
        if exponent._dtype is not D.int32:
            raise RuntimeError(
                f"torch.frexp() expects exponent to have int dtype but got "
                f"{D.cpp_name(exponent._dtype)}"
            )
        return write_out("frexp", tuple(out), lambda: frexp(input), (input,))
    exponent = _make(np.frexp(input._value)[1].astype(np.int32), D.int32)
    return FrexpResult(apply(REGISTRY["frexp"], (input, exponent)), exponent)


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """Counts in ``bins`` equal bins over [min, max] (the data's range when both are 0);
    values outside are ignored, the maximum falls in the last bin."""
    if not input._dtype.is_floating_point:
        raise NotImplementedError(
            f"\"histogram_cpu\" not implemented for '{D.scalar_name(input._dtype)}'"
        )
    if bins <= 0:
        raise RuntimeError(
            "torch.histc(): bins must be > 0, but got 0 for dimension 0"
            if bins == 0
            else "torch.histc(): bins must be > 0"
        )
    if min > max:
        raise RuntimeError(
            f"torch.histc(): max must be larger than min, but got min {min} max {max}"
        )
    a = input._value.reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    inside = a[(a >= lo) & (a <= hi)]
    idx = ((inside - lo) * bins / (hi - lo)).astype(np.int64)
    idx[idx == bins] = bins - 1
    counts = np.bincount(idx, minlength=bins)[:bins]
    return _make(counts.astype(input._dtype.np), input._dtype)


def unique_consecutive(
    input: Tensor,  # noqa: A002
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """Collapse runs of equal consecutive values (of the flattened input, or of slices along
    ``dim``); optionally where each input went and each run's length."""
    a = input._value
    if dim is None:
        flat = a.reshape(-1)
        starts = np.ones(flat.size, bool)
        starts[1:] = flat[1:] != flat[:-1]
        values = flat[starts]
        inverse_shape = a.shape
    else:
        d = dim % max(a.ndim, 1)
        moved = np.moveaxis(a, d, 0).reshape(a.shape[d], -1)
        starts = np.ones(moved.shape[0], bool)
        starts[1:] = np.any(moved[1:] != moved[:-1], axis=1)
        values = np.compress(starts, a, axis=d)
        inverse_shape = (a.shape[d],)
    run = np.cumsum(starts) - 1
    out = [_make(np.ascontiguousarray(values), input._dtype)]
    if return_inverse:
        out.append(_make(run.reshape(inverse_shape).astype(np.int64), D.int64))
    if return_counts:
        counts = np.diff(np.append(np.flatnonzero(starts), starts.size))
        out.append(_make(counts.astype(np.int64), D.int64))
    return out[0] if len(out) == 1 else tuple(out)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:  # noqa: A002
    """Rows of all length-``r`` combinations of a 1-D tensor's elements (by index, in
    itertools' order); differentiable as an index_select."""
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = list(pick(range(input.shape[0]), r))
    if r == 0 or not idx:
        return input.new_empty((0,) if r == 0 else (0, r))
    index = tensor(np.asarray(idx, np.int64).reshape(-1))
    return _named(input.index_select(0, index).reshape(len(idx), r), "StackBackward0")


TOP_LEVEL: dict[str, Any] = {
    f.__name__: f
    for f in (
        dist,
        ger,
        vdot,
        diagflat,
        logcumsumexp,
        cov,
        corrcoef,
        block_diag,
        renorm,
        frexp,
        histc,
        unique_consecutive,
        combinations,
    )
}

METHODS: dict[str, Any] = {
    **{
        name: TOP_LEVEL[name]
        for name in (
            "dist ger vdot diagflat logcumsumexp cov corrcoef renorm frexp "
            "histc unique_consecutive"
        ).split()
    },
    "sum_to_size": A.int_list_method(sum_to_size, "sum_to_size", "size"),  # (size=...)
    "dist": tensors_only(dist, "dist", method=True),
}
# PyTorch's dist takes two Tensors: a Python number is its TypeError (the raw ``dist`` stays
# for internal callers such as triplet_margin_loss)
TOP_LEVEL["dist"] = tensors_only(dist, "dist", method=False)
