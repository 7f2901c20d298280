"""The Gamma family: Gamma, Chi2, Beta and Dirichlet.

Their ``rsample`` is differentiable through ``_standard_gamma``: a Gamma(alpha, 1) draw whose
node (``StandardGammaBackward0``) carries the implicit reparameterization gradient of
:mod:`._gamma_grad`. Dirichlet normalizes such draws and Beta is a two-category Dirichlet,
so their gradients follow by the chain rule. That gradient is first order only: under
``create_graph`` its derivative with respect to alpha is taken as zero.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import float64
from ..frontend.creation import tensor as _tensor
from ..frontend.functions import xlogy
from ..frontend.movement import stack
from ..frontend.recording import record
from ..frontend.special import igamma
from ..frontend.tensor import Tensor, _make
from . import _draw, constraints
from ._gamma_grad import standard_gamma_grad
from .distribution import ExponentialFamily
from .utils import broadcast_all


def _standard_gamma(alpha: Tensor) -> Tensor:
    """Gamma(alpha, 1) draws of alpha's shape; differentiable in alpha (see the module)."""
    if alpha.device.type != "cpu":  # drawn on the host, through differentiable copies
        return _standard_gamma(alpha.cpu()).to(alpha.device)
    a = alpha.detach().numpy()
    value = _draw.standard_gamma(a, alpha.dtype)

    def backward(g: Tensor) -> tuple:
        dx = standard_gamma_grad(a, value)
        return (g * _make(dx.astype(alpha.dtype.np), alpha.dtype),)

    return record("StandardGammaBackward0", value, alpha.dtype, (alpha,), backward)


def _sample_dirichlet(alpha: Tensor) -> Tensor:
    """``torch._sample_dirichlet``: gamma draws from alpha cast to double, normalized in
    double, cast back and kept inside (0, 1), as ATen (so seeded values are PyTorch's). Its
    node (PyTorch's ``_DirichletBackward``) differentiates the normalized draws by the chain
    rule through the gamma draws' reparameterization gradient."""
    if alpha.device.type != "cpu":  # drawn on the host, through differentiable copies
        return _sample_dirichlet(alpha.cpu()).to(alpha.device)
    a = alpha.detach().numpy().astype(np.float64)
    g = _draw.standard_gamma(a, float64)
    total = g.sum(-1, keepdims=True)
    x = g / total
    dt = alpha.dtype.np
    value = np.clip(x.astype(dt), np.finfo(dt).tiny, np.nextafter(dt.type(1), dt.type(0)))

    def backward(grad: Tensor) -> tuple:
        go = grad.detach().numpy().astype(np.float64)
        dg = standard_gamma_grad(a, g)
        da = dg * (go - (go * x).sum(-1, keepdims=True)) / total
        return (_make(da.astype(dt), alpha.dtype),)

    return record("_DirichletBackward", value, alpha.dtype, (alpha,), backward)


class Gamma(ExponentialFamily):
    """Gamma with shape ``concentration`` and inverse scale ``rate``."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(self.concentration.size(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Gamma:
        return self._expand_params(Gamma, batch_shape, _instance, ("concentration", "rate"))

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        return _standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)

    def log_prob(self, value: Tensor) -> Tensor:
        value = _as_tensor(value, self.rate)
        if self._validate_args:
            self._validate_sample(value)
        c, r = self.concentration, self.rate
        return xlogy(c, r) + xlogy(c - 1, value) - r * value - c.lgamma()

    def entropy(self) -> Tensor:
        c = self.concentration
        return c - self.rate.log() + c.lgamma() + (1.0 - c) * c.digamma()

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return igamma(self.concentration, self.rate * value)


def _as_tensor(value: Any, like: Tensor) -> Any:
    return value if isinstance(value, Tensor) else _tensor(value, dtype=like.dtype)


class Chi2(Gamma):
    """Chi-squared with ``df`` degrees of freedom: Gamma(df / 2, 1 / 2)."""

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df: Any, validate_args: bool | None = None) -> None:
        (df,) = broadcast_all(df)
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Chi2:
        return self._expand_params(Chi2, batch_shape, _instance, ("concentration", "rate"))

    @property
    def df(self) -> Tensor:
        return self.concentration * 2


class Dirichlet(ExponentialFamily):
    """Dirichlet over the simplex of the last dimension of ``concentration``."""

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration: Tensor, validate_args: bool | None = None) -> None:
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        shape = concentration.shape
        super().__init__(shape[:-1], shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Dirichlet:
        return self._expand_params(Dirichlet, batch_shape, _instance, ("concentration",))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        return _sample_dirichlet(self.concentration.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return xlogy(c - 1.0, value).sum(-1) + c.sum(-1).lgamma() - c.lgamma().sum(-1)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self) -> Tensor:
        cm1 = (self.concentration - 1).clamp(min=0.0)
        mode = cm1 / cm1.sum(-1, keepdim=True)
        mask = (self.concentration < 1).all(dim=-1)
        if bool(mask.any()):  # no interior mode: a corner, chosen as PyTorch does (argmax)
            onehot = mode.argmax(-1, keepdim=True)
            corner = (self.concentration * 0).scatter(-1, onehot, 1.0)
            mode = _pick(mask, corner, mode)
        return mode

    @property
    def variance(self) -> Tensor:
        c0 = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (c0 - self.concentration) / (c0.pow(2) * (c0 + 1))

    def entropy(self) -> Tensor:
        c = self.concentration
        k = c.size(-1)
        c0 = c.sum(-1)
        return (
            c.lgamma().sum(-1)
            - c0.lgamma()
            - (k - c0) * c0.digamma()
            - ((c - 1.0) * c.digamma()).sum(-1)
        )


def _pick(mask: Tensor, a: Tensor, b: Tensor) -> Tensor:
    m = mask.unsqueeze(-1).type_as(a)
    return m * a + (1 - m) * b


class Beta(ExponentialFamily):
    """Beta on [0, 1]: a two-category Dirichlet of ``(concentration1, concentration0)``."""

    arg_constraints = {
        "concentration1": constraints.positive,
        "concentration0": constraints.positive,
    }
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1: Any, concentration0: Any, validate_args: bool | None = None):
        c1, c0 = broadcast_all(concentration1, concentration0)
        self._dirichlet = Dirichlet(stack([c1, c0], -1), validate_args=validate_args)
        super().__init__(self._dirichlet._batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Beta:
        new = self._get_checked_instance(Beta, _instance)
        new._dirichlet = self._dirichlet.expand(batch_shape)
        ExponentialFamily.__init__(new, new._dirichlet._batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def concentration1(self) -> Tensor:
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self) -> Tensor:
        return self._dirichlet.concentration[..., 1]

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self) -> Tensor:
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self._dirichlet.rsample(sample_shape).select(-1, 0)

    def log_prob(self, value: Tensor) -> Tensor:
        value = _as_tensor(value, self.concentration1)
        if self._validate_args:
            self._validate_sample(value)
        return self._dirichlet.log_prob(stack([value, 1.0 - value], -1))

    def entropy(self) -> Tensor:
        return self._dirichlet.entropy()
