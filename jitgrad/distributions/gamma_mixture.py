"""Families PyTorch builds over Gamma draws: NegativeBinomial (a Poisson whose rate is
Gamma(total_count, exp(-logits)) distributed) and FisherSnedecor (the ratio of two scaled
Gammas, reparameterized through Gamma's implicit gradient). Densities are PyTorch's
formulas line for line."""

from __future__ import annotations

import math
from typing import Any

from ..engine.grad_mode import no_grad
from ..frontend.functions import where
from ..frontend.tensor import Size, Tensor
from ..nn.functional import logsigmoid
from ..typeinfo import finfo
from . import _draw, constraints
from .distribution import Distribution
from .gamma import Gamma
from .utils import BinaryParams, broadcast_all, lazy_property


class NegativeBinomial(BinaryParams, Distribution):
    """Successes of Bernoulli(``probs``) trials before ``total_count`` failures."""

    arg_constraints = {
        "total_count": constraints.greater_than_eq(0),
        "probs": constraints.half_open_interval(0.0, 1.0),
        "logits": constraints.real,
    }
    support = constraints.nonnegative_integer

    def __init__(
        self,
        total_count: Any,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        param = self._probs_or_logits(probs, logits)
        count, param = broadcast_all(total_count, param)
        self.total_count = count.type_as(param)
        self._param = param
        setattr(self, "probs" if probs is not None else "logits", param)
        super().__init__(param.size(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> NegativeBinomial:
        names = ("total_count", "probs", "logits")
        new = self._expand_params(NegativeBinomial, batch_shape, _instance, names)
        new._param = new.__dict__.get("probs", new.__dict__.get("logits"))
        return new

    param_shape = property(lambda self: self._param.size())

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.logits.exp()

    @property
    def mode(self) -> Tensor:
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self) -> Tensor:
        return self.mean / (-self.logits).sigmoid()

    @lazy_property
    def _gamma(self) -> Gamma:
        rate = (-self.logits).exp()
        return Gamma(concentration=self.total_count, rate=rate, validate_args=False)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Poisson draws at Gamma-distributed rates (the Gamma-Poisson mixture)."""
        with no_grad():
            rate = self._gamma.sample(sample_shape)
            return _draw.poisson(rate.numpy(), rate.dtype)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        count = self.total_count
        log_unnormalized = count * logsigmoid(-self.logits) + value * logsigmoid(self.logits)
        log_normalization = -(count + value).lgamma() + (1.0 + value).lgamma() + count.lgamma()
        log_normalization = log_normalization.masked_fill(count + value == 0.0, 0.0)
        return log_unnormalized - log_normalization


class FisherSnedecor(Distribution):
    """F(df1, df2): (X1 / df1) / (X2 / df2) for chi-squared X1, X2, drawn as
    Gamma(df1 / 2, df1) / Gamma(df2 / 2, df2)."""

    arg_constraints = {"df1": constraints.positive, "df2": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, df1: Any, df2: Any, validate_args: bool | None = None) -> None:
        self.df1, self.df2 = broadcast_all(df1, df2)
        self._gamma1 = Gamma(self.df1 * 0.5, self.df1)
        self._gamma2 = Gamma(self.df2 * 0.5, self.df2)
        scalars = isinstance(df1, int | float) and isinstance(df2, int | float)
        batch_shape = Size() if scalars else self.df1.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> FisherSnedecor:
        new = self._expand_params(FisherSnedecor, batch_shape, _instance, ("df1", "df2"))
        new._gamma1 = self._gamma1.expand(batch_shape)
        new._gamma2 = self._gamma2.expand(batch_shape)
        return new

    @property
    def mean(self) -> Tensor:
        df2 = where(self.df2 <= 2, math.nan, self.df2)
        return df2 / (df2 - 2)

    @property
    def mode(self) -> Tensor:
        mode = (self.df1 - 2) / self.df1 * self.df2 / (self.df2 + 2)
        return where(self.df1 <= 2, math.nan, mode)

    @property
    def variance(self) -> Tensor:
        df1, df2 = self.df1, where(self.df2 <= 4, math.nan, self.df2)
        return 2 * df2.pow(2) * (df1 + df2 - 2) / (df1 * (df2 - 2).pow(2) * (df2 - 4))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        x1 = self._gamma1.rsample(sample_shape).view(shape)
        x2 = self._gamma2.rsample(sample_shape).view(shape)
        tiny = finfo(x2.dtype).tiny
        return (x1 / x2.clamp(min=tiny)).clamp(min=tiny)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        ct1, ct2, ct3 = self.df1 * 0.5, self.df2 * 0.5, self.df1 / self.df2
        t1 = (ct1 + ct2).lgamma() - ct1.lgamma() - ct2.lgamma()
        t2 = ct1 * ct3.log() + (ct1 - 1) * value.log()
        t3 = (ct1 + ct2) * (ct3 * value).log1p()
        return t1 + t2 - t3
