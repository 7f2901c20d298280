"""Random sampling: ``rand``, ``randn``, ``randint``, ``randperm``, ``normal``, ``bernoulli``,
``multinomial`` and the ``*_like`` forms.

Every function draws from ``generator=`` or the default generator (:mod:`jitgrad.random`) with
PyTorch's CPU transforms (:mod:`jitgrad.random_torch`, :mod:`jitgrad.random_samplers`), so a
seeded program prints PyTorch's numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from ..random import Generator, numpy_generator
from . import argcheck as A
from ._tensor_data import _dtype_arg, result_type
from .creation import _finish, zeros_like
from .recording import record
from .tensor import Tensor, _make

_TYPE_NAMES = {"int64": "Long", "int32": "Int", "bool": "Bool", "float32": "Float"}
_TYPE_NAMES["float64"] = "Double"
_TYPE_NAMES.update(complex64="ComplexFloat", complex128="ComplexDouble")


def _float_dtype(dtype: Any, kernel: str, default: D.dtype | None = None) -> D.dtype:
    """The dtype of a floating sample, with PyTorch's refusal of integer dtypes."""
    dt = D.to_dtype(dtype) if dtype is not None else (default or D.get_default_dtype())
    if not dt.is_floating_point:
        raise RuntimeError(f"\"{kernel}\" not implemented for '{_TYPE_NAMES[dt.name]}'")
    return dt


def _sampled(
    fn: str, draw: Any, size: tuple, kwargs: dict[str, Any], dtype: Any, kernel: str
) -> Tensor:
    """``draw(shape, numpy dtype)`` (PyTorch's samples for float32/float64) as ``dtype``; the
    size and dtype checked with PyTorch's errors before anything is drawn (random floats need
    a float dtype)."""
    size = A.size_arg(size, kwargs, fn)
    if not size and dtype is None:  # PyTorch 2.13: rand() matches no overload, while
        raise A.invalid_args(fn, ())  # rand(dtype=...) lacks its size
    shape = A.shape_arg(fn, size)
    given = _dtype_arg(fn, dtype, tuple(size)) if dtype is not None else None
    if given is not None and given.is_complex:  # PyTorch: the (..., 2) real view's samples
        parts = _sampled(fn, draw, (*shape, 2), {}, D.real_of(given), kernel)._value
        if fn == "randn":
            parts = parts * parts.dtype.type(np.sqrt(0.5))  # unit variance over both parts
        return _make(np.ascontiguousarray(parts).view(given.np)[..., 0], given)
    dt = _float_dtype(given, kernel)
    A.storage_nbytes(shape, dt.itemsize)
    try:
        return _make(draw(shape, dt.np).astype(dt.np, copy=False), dt)
    except (MemoryError, ValueError):  # the float64 draw may pass numpy's limit first
        raise A.alloc_failed(shape, dt.itemsize) from None


def _standard_sampler(name: str, method: str, kernel: str, doc: str) -> Any:
    """``rand`` and ``randn``: one signature, the generator's ``method`` drawing float64
    samples (cast to the dtype), ``kernel`` naming PyTorch's kernel in dtype errors."""

    def fn(
        *size: Any,
        generator: Generator | None = None,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        **kwargs: Any,
    ) -> Tensor:
        rng = numpy_generator(generator)
        draw = lambda shape, np_dtype: getattr(rng, method)(shape, dtype=np_dtype)  # noqa: E731
        t = _sampled(name, draw, size, kwargs, dtype, kernel)
        return _finish(t, requires_grad, device)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


rand = _standard_sampler("rand", "random", "check_uniform_bounds", "Uniform samples on [0, 1).")
randn = _standard_sampler(
    "randn", "standard_normal", "normal_kernel_cpu", "Standard normal samples."
)


def _check_range(low: int, high: int) -> None:
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )


def randint(
    low: int,
    high: Any = None,
    size: Sequence[int] | None = None,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers uniform on [low, high); ``randint(high, size)`` starts at 0."""
    if size is None:
        if not isinstance(high, list | tuple):
            raise TypeError('randint() missing 1 required positional arguments: "size"')
        low, high, size = 0, low, high
        if A.as_int(high) is None:  # randint(high, size): the one overload two arguments fit
            raise A.must_be("randint", "high", 1, "int", high)
    elif high is None:
        low, high = 0, low
        if A.as_int(high) is None:  # randint(high, size): the one overload two arguments fit
            raise A.must_be("randint", "high", 1, "int", high)
    lo, hi = A.as_int(low), A.as_int(high)
    if lo is None or hi is None or not isinstance(size, tuple | list):
        raise A.invalid_args("randint", (low, high, size))
    shape = A.shape_arg("randint", (size,))
    _check_range(lo, hi)
    dt = _dtype_arg("randint", dtype, (low, high, size)) if dtype is not None else D.int64
    A.storage_nbytes(shape, dt.itemsize)
    try:
        value = numpy_generator(generator).integers(lo, hi, size=shape).astype(dt.np)
    except (MemoryError, ValueError):
        raise A.alloc_failed(shape, dt.itemsize) from None
    return _finish(_make(value, dt), requires_grad, device)


def randperm(
    n: int,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A random permutation of ``0 .. n-1``."""
    if A.as_int(n) is None:
        raise A.must_be("randperm", "n", 1, "int", n)
    n = A.as_int(n)
    A.negative_dim((n,))
    dt = _dtype_arg("randperm", dtype, (n,)) if dtype is not None else D.int64
    A.storage_nbytes((n,), 8)
    value = numpy_generator(generator).permutation(n).astype(dt.np)
    return _finish(_make(value, dt), requires_grad, device)


# ---- the *_like forms ---------------------------------------------------------------------
def rand_like(
    input: Tensor,  # noqa: A002 - PyTorch's names
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else input._dtype
    return rand(input.shape, dtype=dt, requires_grad=requires_grad, device=device)


def randn_like(
    input: Tensor,  # noqa: A002
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    dt = D.to_dtype(dtype) if dtype is not None else input._dtype
    return randn(input.shape, dtype=dt, requires_grad=requires_grad, device=device)


def randint_like(
    input: Tensor,  # noqa: A002
    low: int = 0,
    high: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """Integers uniform on [low, high) in ``input``'s shape and dtype; ``randint_like(x, high)``
    starts at 0."""
    if high is None:
        low, high = 0, low
    dt = D.to_dtype(dtype) if dtype is not None else input._dtype
    return randint(
        low, high, tuple(input.shape), dtype=dt, requires_grad=requires_grad, device=device
    )


# ---- normal -------------------------------------------------------------------------------
def _check_std(std: Any) -> None:
    if isinstance(std, Tensor):
        if std._value.size and np.any(std._value < 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")


def normal(
    mean: Any,
    std: Any = 1.0,
    size: Sequence[int] | None = None,
    *,
    generator: Generator | None = None,
    out: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Normal samples with elementwise ``mean`` and ``std`` (tensors or numbers, broadcast).

    With two numbers, ``size`` gives the shape. As in PyTorch, the sample is not
    reparameterized: the gradient reaching a tensor ``mean`` or ``std`` is zero
    (``NormalBackward1/2/3``).
    """
    _check_std(std)
    rng = numpy_generator(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not (mt or st):
        if size is None:
            raise TypeError('normal() missing 1 required positional arguments: "size"')
        dt = _float_dtype(dtype, "normal_kernel_cpu")
        shape = A.shape_arg("normal", (size,))
        value = rng.normal(float(mean), float(std), shape, dtype=dt.np).astype(dt.np)
        return _finish(_make(value, dt), requires_grad, device)
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    dt = result_type(tensors)
    if not dt.is_floating_point:
        raise RuntimeError(f"\"normal_kernel_cpu\" not implemented for '{_TYPE_NAMES[dt.name]}'")
    m = mean._value if mt else mean
    s = std._value if st else std
    shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    # PyTorch: normal_(0, std) then add_(mean) for a number std, else normal_(0, 1), mul_, add_
    if st:
        value = (rng.standard_normal(shape, dtype=dt.np) * s + m).astype(dt.np)
    else:
        value = (rng.normal(0.0, float(s), shape, dtype=dt.np) + m).astype(dt.np)
    name = "NormalBackward3" if mt and st else "NormalBackward1" if mt else "NormalBackward2"

    def backward(g: Tensor) -> tuple:
        return tuple(zeros_like(t) for t in tensors)

    return record(name, value, dt, tensors, backward)


# ---- discrete -----------------------------------------------------------------------------
def bernoulli(
    input: Tensor,  # noqa: A002
    p: float | None = None,
    *,
    generator: Generator | None = None,
    out: Any = None,
) -> Tensor:
    """1 with probability ``input`` (or ``p``) elementwise, else 0, in ``input``'s dtype."""
    probs = input._value if p is None else np.full(input._value.shape, p)
    if probs.size and (np.any(probs < 0) or np.any(probs > 1) or np.any(np.isnan(probs))):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    if p is None:  # PyTorch's tensor-p kernel (a float or double uniform by p's dtype)
        value = numpy_generator(generator).bernoulli(probs).astype(input._dtype.np)
    else:  # PyTorch draws a float p with MKL's own generator: numpy's transform here
        value = (numpy_generator(generator).random(probs.shape) < probs).astype(input._dtype.np)
    return record("BernoulliBackward0", value, input._dtype, (input,), lambda g: (g * 0,))


def multinomial(
    input: Tensor,  # noqa: A002
    num_samples: int,
    replacement: bool = False,
    *,
    generator: Generator | None = None,
    out: Any = None,
) -> Tensor:
    """Indices drawn from each row of ``input`` (non-negative weights, not necessarily
    normalized); without ``replacement`` no index repeats within a row."""
    if not input._dtype.is_floating_point:
        raise RuntimeError(
            "multinomial only supports floating-point dtypes for input, got: "
            + _TYPE_NAMES[input._dtype.name]
        )
    w = np.asarray(input._value, dtype=np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    rows = w.reshape(-1, w.shape[-1])
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    if np.any(rows < 0) or not np.all(np.isfinite(rows)):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    for row in rows:
        if row.sum() <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and np.count_nonzero(row) < num_samples:
            raise RuntimeError(
                "invalid multinomial distribution (with replacement=False, not enough "
                "non-negative category to sample)"
            )
    result = _multinomial_draw(input, num_samples, replacement, numpy_generator(generator))
    return _make(result.reshape(w.shape[:-1] + (num_samples,)), D.int64)


def _multinomial_draw(input: Tensor, n: int, replacement: bool, rng: Any) -> np.ndarray:  # noqa: A002
    """ATen's two paths: without replacement or for one sample, the largest ``p / q`` with
    ``q`` exponential(1) draws in ``input``'s dtype (argmax, or topk's order); else a
    binary search of each row's cumulative sum per draw (jitgrad.random_samplers)."""
    rows = input._value.reshape(-1, input._value.shape[-1])
    if replacement and n > 1:
        return rng.multinomial_replace(rows, n)
    q = rng.uniform_map(0, rows.size, 1.0).astype(rows.dtype).reshape(rows.shape)
    ratio = rows / q
    if n == 1:
        return np.argmax(ratio, axis=-1)[:, None]
    return np.argsort(-ratio, axis=-1, kind="stable")[:, :n]


def poisson(input: Tensor, generator: Generator | None = None) -> Tensor:  # noqa: A002
    """Poisson samples with rates ``input`` (same dtype)."""
    value = numpy_generator(generator).poisson(input._value).astype(input._dtype.np)
    return record("PoissonBackward0", value, input._dtype, (input,), lambda g: (g * 0,))


__all__ = [
    "bernoulli",
    "multinomial",
    "normal",
    "poisson",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
]
