"""PyTorch's KL divergences that involve ContinuousBernoulli (registered on import): closed
forms against itself, Beta, Exponential, Normal and Uniform, and infinity where one support
is not inside the other (the families on (0, inf) or the whole line against [0, 1])."""

from __future__ import annotations

import math

from ..frontend.functions import where
from ..frontend.tensor import Tensor
from .continuous import Exponential, Laplace, Normal, Uniform
from .gamma import Beta, Gamma
from .kl import register_kl
from .more import Gumbel
from .positive import Pareto
from .unit_interval import ContinuousBernoulli


def _infinite_like(t: Tensor) -> Tensor:
    return t.detach() * 0 + math.inf


def _cross_entropy_part(q: ContinuousBernoulli, mean: Tensor) -> Tensor:
    """-E_p[log q(x)] less p's entropy: what Beta and Uniform against q share."""
    return -mean * q.logits - (-q.probs).log1p() - q._cont_bern_log_norm()


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_cb_cb(p: ContinuousBernoulli, q: ContinuousBernoulli) -> Tensor:
    t1 = p.mean * (p.logits - q.logits)
    t2 = p._cont_bern_log_norm() + (-p.probs).log1p()
    t3 = -q._cont_bern_log_norm() - (-q.probs).log1p()
    return t1 + t2 + t3


@register_kl(Beta, ContinuousBernoulli)
def _kl_beta_cb(p: Beta, q: ContinuousBernoulli) -> Tensor:
    return -p.entropy() + _cross_entropy_part(q, p.mean)


@register_kl(ContinuousBernoulli, Pareto)
def _kl_cb_infinity(p: ContinuousBernoulli, q: Pareto) -> Tensor:
    return _infinite_like(p.probs)


@register_kl(ContinuousBernoulli, Exponential)
def _kl_cb_exponential(p: ContinuousBernoulli, q: Exponential) -> Tensor:
    return -p.entropy() - q.rate.log() + q.rate * p.mean


@register_kl(ContinuousBernoulli, Normal)
def _kl_cb_normal(p: ContinuousBernoulli, q: Normal) -> Tensor:
    t1 = -p.entropy()
    t2 = 0.5 * (math.log(2.0 * math.pi) + (q.loc / q.scale).square()) + q.scale.log()
    t3 = (p.variance + p.mean.square() - 2.0 * q.loc * p.mean) / (2.0 * q.scale.square())
    return t1 + t2 + t3


@register_kl(ContinuousBernoulli, Uniform)
def _kl_cb_uniform(p: ContinuousBernoulli, q: Uniform) -> Tensor:
    result = -p.entropy() + (q.high - q.low).log()
    support = p.support
    outside = (q.low >= support.lower_bound) | (q.high <= support.upper_bound)
    return where(outside, math.inf, result)


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_cb(p: Uniform, q: ContinuousBernoulli) -> Tensor:
    result = -p.entropy() + _cross_entropy_part(q, p.mean)
    support = q.support
    outside = (p.high >= support.upper_bound) | (p.low <= support.lower_bound)
    return where(outside, math.inf, result)


def _register_infinite() -> None:
    """Families whose support leaves [0, 1]: KL(p || ContinuousBernoulli) is infinite."""
    first = {Exponential: "rate", Gamma: "concentration", Gumbel: "loc", Laplace: "loc",
             Normal: "loc", Pareto: "scale"}  # fmt: skip
    for family, param in first.items():
        register_kl(family, ContinuousBernoulli)(
            lambda p, q, param=param: _infinite_like(getattr(p, param))
        )


_register_infinite()
