"""``VonMises``: the circular normal distribution of an angle, with density
``exp(k cos(x - loc)) / (2 pi I0(k))``; ``loc`` and values are any real numbers, read modulo
``2 pi``.

``log I0`` and ``log I1`` use PyTorch's polynomial approximations (Abramowitz & Stegun
9.8.1-9.8.4: one polynomial below 3.75, an asymptotic one above), so log-densities and the
circular variance agree with PyTorch's to rounding. Sampling is Best & Fisher's (1979)
rejection method in float64, as PyTorch samples, on jitgrad's generator (other draws than
PyTorch's); there is no ``rsample``, ``entropy`` or ``cdf`` (PyTorch 2.13 has none)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..dtypes import float64
from ..frontend.functions import where
from ..frontend.tensor import Tensor, _make
from . import _draw, constraints
from .distribution import Distribution
from .utils import broadcast_all

_I0_SMALL = (1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.360768e-1, 0.45813e-2)
_I0_LARGE = (0.39894228, 0.1328592e-1, 0.225319e-2, -0.157565e-2, 0.916281e-2,
             -0.2057706e-1, 0.2635537e-1, -0.1647633e-1, 0.392377e-2)  # fmt: skip
_I1_SMALL = (0.5, 0.87890594, 0.51498869, 0.15084934, 0.2658733e-1, 0.301532e-2, 0.32411e-3)
_I1_LARGE = (0.39894228, -0.3988024e-1, -0.362018e-2, 0.163801e-2, -0.1031555e-1,
             0.2282967e-1, -0.2895312e-1, 0.1787654e-1, -0.420059e-2)  # fmt: skip


def _horner(y: Tensor, coef: tuple) -> Tensor:
    """``sum coef[i] y^i`` by Horner's rule, the highest coefficient first."""
    out = y * 0 + coef[-1]
    for c in reversed(coef[:-1]):
        out = c + y * out
    return out


def log_bessel(x: Tensor, order: int) -> Tensor:
    """``log I_order(x)`` for ``x > 0`` and order 0 or 1 (the approximations above)."""
    small_coef, large_coef = (_I0_SMALL, _I0_LARGE) if order == 0 else (_I1_SMALL, _I1_LARGE)
    y = x / 3.75
    small = _horner(y * y, small_coef)
    if order == 1:
        small = x.abs() * small
    large = x - 0.5 * x.log() + _horner(3.75 / x, large_coef).log()
    return where(x < 3.75, small.log(), large)


def _rejection(loc: np.ndarray, kappa: np.ndarray, r: np.ndarray, shape: tuple) -> np.ndarray:
    """Best & Fisher's sampler in float64: draw three uniforms per value until each is
    accepted, then shift by ``loc`` into ``[-pi, pi)``. As PyTorch's ``_rejection_sample``,
    every round draws for all values and a later acceptance replaces an earlier one."""
    x = np.zeros(shape)
    done = np.zeros(shape, bool)
    like = _make(np.zeros(()), float64)
    while not done.all():
        u1, u2, u3 = _draw.uniform((3,) + shape, like)._value
        z = np.cos(math.pi * u1)
        f = (1 + r * z) / (r + z)
        c = kappa * (r - f)
        with np.errstate(divide="ignore", invalid="ignore"):
            accept = ((c * (2 - c) - u2) > 0) | (np.log(c / u2) + 1 - c >= 0)
        x = np.where(accept, np.sign(u3 - 0.5) * np.arccos(f), x)
        done |= accept
    return (x + math.pi + loc) % (2 * math.pi) - math.pi


class VonMises(Distribution):
    """A von Mises distribution of angles around ``loc`` with ``concentration`` k."""

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc: Any, concentration: Any, validate_args: bool | None = None) -> None:
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(tuple(self.loc.shape), (), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> VonMises:
        return self._expand_params(VonMises, batch_shape, _instance, ("loc", "concentration"))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        k = self.concentration
        return k * (value - self.loc).cos() - math.log(2 * math.pi) - log_bessel(k, 0)

    def _proposal_r(self) -> np.ndarray:
        """Best & Fisher's ``r`` in float64 (its Taylor form for a tiny concentration)."""
        kappa = np.asarray(self.concentration._value, np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            tau = 1 + np.sqrt(1 + 4 * kappa**2)
            rho = (tau - np.sqrt(2 * tau)) / (2 * kappa)
            r = (1 + rho**2) / (2 * rho)
        return np.where(kappa < 1e-5, 1 / kappa + kappa, r)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        loc = np.asarray(self.loc._value, np.float64)
        kappa = np.asarray(self.concentration._value, np.float64)
        value = _rejection(loc, kappa, self._proposal_r(), shape)
        return _make(value.astype(self.loc.dtype.np), self.loc.dtype)

    @property
    def mean(self) -> Tensor:
        """The circular mean."""
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        """The circular variance ``1 - I1(k) / I0(k)``."""
        k = self.concentration
        return 1 - (log_bessel(k, 1) - log_bessel(k, 0)).exp()
