"""The sampling Tensor methods PyTorch has beyond ``uniform_``/``normal_``/``bernoulli_``:
``bernoulli()``, ``multinomial()``, ``exponential_``, ``geometric_``, ``cauchy_``,
``log_normal_``, and ``torch.binomial``.

They draw from jitgrad's generator with PyTorch's CPU transforms (jitgrad.random_samplers),
so seeded draws print PyTorch's numbers (tests/test_samplers_torch_stream.py). An in-place
draw on a tensor with history rebases it on a zero-gradient node of PyTorch's name
(``ExponentialBackward0``...), like ``uniform_``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes as D
from .frontend.overlap import assert_no_internal_overlap
from .frontend.pointwise import check_inplace
from .frontend.recording import node_class, record
from .frontend.sampling import bernoulli, multinomial
from .frontend.tensor import Tensor
from .methods_overwrite import _overwritten
from .random import Generator, numpy_generator


def _fill(self: Tensor, values: np.ndarray, node: str) -> Tensor:
    check_inplace(self)
    assert_no_internal_overlap(self._value)
    self._value[...] = values
    return _overwritten(self, node)


def _continuous(self: Tensor, name: str) -> None:
    if not self._dtype.is_floating_point:
        raise RuntimeError(
            f"{name} distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {D.scalar_name(self._dtype)}"
        )


def exponential_(self: Tensor, lambd: float = 1.0, *, generator: Generator | None = None):
    """Fill with Exponential(rate ``lambd``) samples."""
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    _continuous(self, "Exponential")
    draw = numpy_generator(generator).uniform_map(0, self._value.size, lambd)
    return _fill(self, draw.reshape(self._value.shape), "ExponentialBackward0")


def geometric_(self: Tensor, p: float, *, generator: Generator | None = None) -> Tensor:
    """Fill with the number of Bernoulli(``p``) trials up to the first success (>= 1)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    draw = numpy_generator(generator).uniform_map(2, self._value.size, p)
    return _fill(self, draw.reshape(self._value.shape), "GeometricBackward0")


def cauchy_(
    self: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator: Generator | None = None
) -> Tensor:
    """Fill with Cauchy(``median``, ``sigma``) samples."""
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    _continuous(self, "Cauchy")
    draw = numpy_generator(generator).uniform_map(1, self._value.size, median, sigma)
    return _fill(self, draw.reshape(self._value.shape), "CauchyBackward0")


def log_normal_(
    self: Tensor, mean: float = 1.0, std: float = 2.0, *, generator: Generator | None = None
) -> Tensor:
    """Fill with ``exp(Normal(mean, std))`` samples."""
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    _continuous(self, "LogNormal")
    draw = numpy_generator(generator).log_normal(self._value.size, mean, std)
    return _fill(self, draw.reshape(self._value.shape), "LogNormalBackward0")


def binomial(count: Tensor, prob: Tensor, generator: Generator | None = None) -> Tensor:
    """Binomial(``count``, ``prob``) samples in ``count``'s (floating) dtype. PyTorch has no
    derivative: its result gets a ``NotImplemented`` node whose backward raises."""
    for name, t in (("count", count), ("prob", prob)):
        if not t._dtype.is_floating_point:
            raise ValueError(
                f"binomial only supports floating-point dtypes for {name}, got: "
                f"{D.scalar_name(t._dtype)}"
            )
    p = prob._value.astype(count._dtype.np, copy=False)
    draw = numpy_generator(generator).binomial(count._value, p).astype(count._dtype.np)
    return record("NotImplemented", draw, count._dtype, (count, prob), _no_binomial_derivative)


# PyTorch's C++ node outside codegen: ``name()`` carries the namespace, the repr does not
node_class("NotImplemented").name = lambda self: "torch::autograd::NotImplemented"


def _no_binomial_derivative(g: Tensor) -> tuple:
    raise RuntimeError("derivative for aten::binomial is not implemented")


METHODS: dict[str, Any] = {
    "bernoulli": bernoulli,
    "multinomial": multinomial,
    "exponential_": exponential_,
    "geometric_": geometric_,
    "cauchy_": cauchy_,
    "log_normal_": log_normal_,
}

TOP_LEVEL: dict[str, Any] = {"binomial": binomial}
