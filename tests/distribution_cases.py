"""One case table for torch.distributions, read by the recorder (real PyTorch) and by
tests/test_distributions.py (jitgrad): each case builds a distribution and a value with the
module it is given (``torch`` or ``jitgrad``), in float64, with parameters that require
grad. ``ERRORS`` are calls whose exception type and message PyTorch's are recorded."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


def _p(T: Any, x: Any, params: list) -> Any:
    """A float64 leaf that requires grad, remembered in ``params``."""
    t = T.tensor(x, dtype=T.float64, requires_grad=True)
    params.append(t)
    return t


def _v(T: Any, x: Any, dtype: Any = None) -> Any:
    return T.tensor(x, dtype=dtype or T.float64)


def _case(fn: Callable) -> Callable:
    def build(T: Any) -> tuple:
        params: list = []
        dist, value = fn(T, T.distributions, lambda x: _p(T, x, params))
        return dist, value, params

    return build


def _mvn(kind: str) -> Callable:
    def fn(T: Any, D: Any, p: Callable) -> tuple:
        loc = p([[0.5, -1.0], [1.0, 2.0]])
        a = p([[2.0, 0.3], [0.3, 1.0]])
        arg = {"covariance_matrix": a, "precision_matrix": a}.get(kind)
        if kind == "scale_tril":
            return D.MultivariateNormal(loc, scale_tril=p([[1.5, 0.0], [0.4, 0.7]])), _v(
                T, [[0.2, 0.1], [1.0, 1.5]]
            )
        return D.MultivariateNormal(loc, **{kind: arg}), _v(T, [[0.2, 0.1], [1.0, 1.5]])

    return fn


#: (name, build(T) -> (distribution, value, params))
CASES: list[tuple[str, Callable]] = [
    (
        "normal",
        _case(
            lambda T, D, p: (
                D.Normal(p([0.0, 1.0, -2.0]), p([1.0, 0.5, 2.0])),
                _v(T, [0.3, 1.0, -1.0]),
            )
        ),
    ),
    ("normal_scalar", _case(lambda T, D, p: (D.Normal(0.5, 2.0), _v(T, 0.25)))),
    (
        "uniform",
        _case(lambda T, D, p: (D.Uniform(p([0.0, -1.0]), p([2.0, 3.0])), _v(T, [0.5, 2.5]))),
    ),
    (
        "laplace",
        _case(lambda T, D, p: (D.Laplace(p([0.0, 1.0]), p([1.0, 0.5])), _v(T, [0.3, 2.0]))),
    ),
    ("exponential", _case(lambda T, D, p: (D.Exponential(p([0.5, 2.0])), _v(T, [0.3, 2.0])))),
    ("cauchy", _case(lambda T, D, p: (D.Cauchy(p([0.0, 1.0]), p([1.0, 0.5])), _v(T, [0.3, 2.0])))),
    (
        "gamma",
        _case(
            lambda T, D, p: (
                D.Gamma(p([0.5, 2.0, 7.5]), p([1.0, 0.5, 3.0])),
                _v(T, [0.3, 2.0, 2.5]),
            )
        ),
    ),
    ("chi2", _case(lambda T, D, p: (D.Chi2(p([1.0, 4.0])), _v(T, [0.3, 2.0])))),
    (
        "beta",
        _case(
            lambda T, D, p: (D.Beta(p([0.5, 2.0, 3.0]), p([1.5, 2.0, 0.7])), _v(T, [0.3, 0.5, 0.9]))
        ),
    ),
    (
        "dirichlet",
        _case(
            lambda T, D, p: (
                D.Dirichlet(p([[0.5, 2.0, 3.0], [1.0, 1.0, 1.0]])),
                _v(T, [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]),
            )
        ),
    ),
    (
        "lognormal",
        _case(lambda T, D, p: (D.LogNormal(p([0.0, 1.0]), p([1.0, 0.5])), _v(T, [0.3, 2.0]))),
    ),
    (
        "bernoulli_probs",
        _case(lambda T, D, p: (D.Bernoulli(probs=p([0.2, 0.5, 0.9])), _v(T, [1.0, 0.0, 1.0]))),
    ),
    (
        "bernoulli_logits",
        _case(lambda T, D, p: (D.Bernoulli(logits=p([-1.0, 0.5, 3.0])), _v(T, [1.0, 0.0, 1.0]))),
    ),
    (
        "categorical_probs",
        _case(
            lambda T, D, p: (
                D.Categorical(probs=p([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])),
                _v(T, [2, 0], T.int64),
            )
        ),
    ),
    (
        "categorical_logits",
        _case(
            lambda T, D, p: (
                D.Categorical(logits=p([[0.0, 1.0, -1.0], [2.0, 0.5, 0.1]])),
                _v(T, [1, 2], T.int64),
            )
        ),
    ),
    (
        "onehot",
        _case(
            lambda T, D, p: (D.OneHotCategorical(probs=p([0.2, 0.3, 0.5])), _v(T, [0.0, 1.0, 0.0]))
        ),
    ),
    ("poisson", _case(lambda T, D, p: (D.Poisson(p([0.5, 3.0])), _v(T, [1.0, 4.0])))),
    ("binomial", _case(lambda T, D, p: (D.Binomial(5, probs=p([0.3, 0.8])), _v(T, [2.0, 5.0])))),
    (
        "binomial_logits",
        _case(
            lambda T, D, p: (
                D.Binomial(_v(T, [3.0, 6.0]), logits=p([0.3, -1.0])),
                _v(T, [0.0, 2.0]),
            )
        ),
    ),
    (
        "multinomial",
        _case(lambda T, D, p: (D.Multinomial(4, probs=p([0.2, 0.3, 0.5])), _v(T, [1.0, 1.0, 2.0]))),
    ),
    ("mvn_covariance", _case(_mvn("covariance_matrix"))),
    ("mvn_precision", _case(_mvn("precision_matrix"))),
    ("mvn_scale_tril", _case(_mvn("scale_tril"))),
    (
        "independent",
        _case(
            lambda T, D, p: (
                D.Independent(
                    D.Normal(p([[0.0, 1.0], [2.0, 3.0]]), p([[1.0, 2.0], [0.5, 1.5]])), 1
                ),
                _v(T, [[0.5, 0.5], [1.0, 1.0]]),
            )
        ),
    ),
    (
        "relaxed_bernoulli",
        _case(
            lambda T, D, p: (D.RelaxedBernoulli(_v(T, 0.7), probs=p([0.2, 0.6])), _v(T, [0.3, 0.9]))
        ),
    ),
    (
        "relaxed_onehot",
        _case(
            lambda T, D, p: (
                D.RelaxedOneHotCategorical(_v(T, 0.5), logits=p([[0.2, 0.6, -1.0]])),
                _v(T, [[0.3, 0.6, 0.1]]),
            )
        ),
    ),
    ("geometric", _case(lambda T, D, p: (D.Geometric(p([0.2, 0.7])), _v(T, [3.0, 0.0])))),
    (
        "studentt",
        _case(
            lambda T, D, p: (
                D.StudentT(p([0.8, 2.5, 6.0]), p([0.0, 1.0, -1.0]), p([1.0, 0.5, 2.0])),
                _v(T, [0.3, 2.0, -4.0]),
            )
        ),
    ),
    ("halfnormal", _case(lambda T, D, p: (D.HalfNormal(p([1.0, 0.5])), _v(T, [0.3, 2.0])))),
    (
        "inverse_gamma",
        _case(
            lambda T, D, p: (
                D.InverseGamma(p([0.7, 2.5, 4.0]), p([1.0, 0.5, 2.0])),
                _v(T, [1.3, 0.2, 5.0]),
            )
        ),
    ),
    ("halfcauchy", _case(lambda T, D, p: (D.HalfCauchy(p([1.0, 0.5])), _v(T, [0.3, 2.0])))),
    (
        "pareto",
        _case(
            lambda T, D, p: (
                D.Pareto(p([1.0, 0.5, 2.0]), p([0.7, 2.5, 4.0])),
                _v(T, [1.3, 2.0, 5.0]),
            )
        ),
    ),
    (
        "weibull",
        _case(
            lambda T, D, p: (
                D.Weibull(p([1.0, 0.5, 2.0]), p([0.7, 2.5, 4.0])),
                _v(T, [1.3, 0.2, 5.0]),
            )
        ),
    ),
    ("gumbel", _case(lambda T, D, p: (D.Gumbel(p([0.0, 1.0]), p([1.0, 0.5])), _v(T, [0.3, 2.0])))),
    (
        "transformed_stickbreaking",
        _case(
            lambda T, D, p: (
                D.TransformedDistribution(
                    D.MultivariateNormal(p([0.1, -0.2]), scale_tril=p([[1.0, 0.0], [0.3, 0.8]])),
                    D.StickBreakingTransform(),
                ),
                _v(T, [0.2, 0.3, 0.5]),
            )
        ),
    ),
    (
        "mixture_normal",
        _case(
            lambda T, D, p: (
                D.MixtureSameFamily(
                    D.Categorical(logits=p([[0.1, 0.5, -0.3], [1.0, 0.0, 0.2]])),
                    D.Normal(
                        p([[0.0, 1.0, -2.0], [0.5, 0.5, 3.0]]),
                        p([[1.0, 0.5, 2.0], [1.5, 1.0, 0.3]]),
                    ),
                ),
                _v(T, [0.3, 1.0]),
            )
        ),
    ),
    (
        "mixture_mvn",
        _case(
            lambda T, D, p: (
                D.MixtureSameFamily(
                    D.Categorical(probs=p([0.4, 0.6])),
                    D.MultivariateNormal(p([[0.0, 1.0], [2.0, -1.0]]), p([[1.0, 0.2], [0.2, 0.5]])),
                ),
                _v(T, [0.3, 0.5]),
            )
        ),
    ),
    (
        "transformed_affine_sigmoid",
        _case(
            lambda T, D, p: (
                D.TransformedDistribution(
                    D.Normal(p([0.0, 1.0]), p([1.0, 2.0])),
                    [D.AffineTransform(p(0.5), p(2.0)), D.SigmoidTransform()],
                ),
                _v(T, [0.3, 0.8]),
            )
        ),
    ),
    (
        "transformed_tanh",
        _case(
            lambda T, D, p: (
                D.TransformedDistribution(
                    D.Normal(p([0.0, 1.0]), p([1.0, 2.0])), D.TanhTransform()
                ),
                _v(T, [0.3, -0.8]),
            )
        ),
    ),
    (
        "transformed_exp_compose",
        _case(
            lambda T, D, p: (
                D.TransformedDistribution(
                    D.Normal(p([0.0, 1.0]), p([1.0, 2.0])),
                    D.ComposeTransform([D.ExpTransform(), D.PowerTransform(p(2.0))]),
                ),
                _v(T, [0.3, 2.0]),
            )
        ),
    ),
    (
        "lowrank_mvn",
        _case(
            lambda T, D, p: (
                D.LowRankMultivariateNormal(
                    p([[0.5, -1.0], [1.0, 2.0]]), p([[0.7], [-0.4]]), p([1.5, 0.8])
                ),
                _v(T, [[0.2, 0.1], [1.0, 1.5]]),
            )
        ),
    ),
    (
        "lowrank_mvn_batched_factor",
        _case(
            lambda T, D, p: (
                D.LowRankMultivariateNormal(
                    p([0.1, -0.3, 0.7]),
                    p(
                        [
                            [[1.0, 0.5], [0.2, -0.3], [0.0, 0.4]],
                            [[0.3, 0.1], [-1.0, 0.2], [0.5, 0.5]],
                        ]
                    ),
                    p([0.6, 1.2, 0.9]),
                ),
                _v(T, [0.2, 0.1, -0.5]),
            )
        ),
    ),
    (
        "wishart_covariance",
        _case(
            lambda T, D, p: (
                D.Wishart(p([4.0, 5.5]), covariance_matrix=p([[2.0, 0.3], [0.3, 1.0]])),
                _v(T, [[1.0, 0.2], [0.2, 0.8]]),
            )
        ),
    ),
    (
        "wishart_scale_tril",
        _case(
            lambda T, D, p: (
                D.Wishart(3.0, scale_tril=p([[1.5, 0.0], [0.4, 0.7]])),
                _v(T, [[2.0, -0.3], [-0.3, 0.5]]),
            )
        ),
    ),
    (
        "wishart_precision",
        _case(
            lambda T, D, p: (
                D.Wishart(
                    p(6.5),
                    precision_matrix=p([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 1.5]]),
                ),
                _v(T, [[1.0, 0.2, 0.0], [0.2, 0.8, 0.1], [0.0, 0.1, 2.0]]),
            )
        ),
    ),
    (
        "von_mises",
        _case(
            lambda T, D, p: (
                D.VonMises(p([0.0, 1.0, -2.0]), p([0.5, 2.0, 5.0])),
                _v(T, [0.3, 1.0, 3.0]),
            )
        ),
    ),
    (
        "transformed_affine_event",
        _case(
            lambda T, D, p: (
                D.TransformedDistribution(
                    D.Normal(p([0.0, 1.0]), p([1.0, 2.0])),
                    D.AffineTransform(1.0, p([2.0, -3.0]), 1),
                ),
                _v(T, [0.3, 2.0]),
            )
        ),
    ),
    (
        "negative_binomial_probs",
        _case(
            lambda T, D, p: (
                D.NegativeBinomial(p([3.0, 0.5, 7.5]), probs=p([0.2, 0.6, 0.9])),
                _v(T, [0.0, 4.0, 11.0]),
            )
        ),
    ),
    (
        "negative_binomial_logits",
        _case(
            lambda T, D, p: (
                D.NegativeBinomial(2.0, logits=p([[-1.0, 0.5], [2.0, 0.0]])),
                _v(T, [[1.0, 0.0], [3.0, 5.0]]),
            )
        ),
    ),
    (
        "continuous_bernoulli",
        _case(
            lambda T, D, p: (
                D.ContinuousBernoulli(p([0.1, 0.4995, 0.5005, 0.7, 0.97])),
                _v(T, [0.3, 0.5, 0.9, 0.1, 0.99]),
            )
        ),
    ),
    (
        "continuous_bernoulli_logits",
        _case(
            lambda T, D, p: (
                D.ContinuousBernoulli(logits=p([-2.0, 0.001, 1.5])),
                _v(T, [0.3, 0.5, 0.8]),
            )
        ),
    ),
    (
        "kumaraswamy",
        _case(
            lambda T, D, p: (
                D.Kumaraswamy(p([0.7, 2.0, 5.0]), p([0.5, 3.0, 1.5])),
                _v(T, [0.3, 0.5, 0.9]),
            )
        ),
    ),
    (
        "fisher_snedecor",
        _case(
            lambda T, D, p: (
                D.FisherSnedecor(p([1.0, 4.0, 10.0]), p([2.5, 5.0, 12.0])),
                _v(T, [0.3, 1.0, 2.5]),
            )
        ),
    ),
    (
        "generalized_pareto",
        _case(
            lambda T, D, p: (
                D.GeneralizedPareto(p([0.0, 1.0, -1.0]), p([1.0, 0.5, 2.0]), p([0.3, 0.0, -0.2])),
                _v(T, [0.5, 2.0, 1.0]),
            )
        ),
    ),
    (
        "lkj_cholesky",
        _case(
            lambda T, D, p: (
                D.LKJCholesky(3, p([0.5, 1.0, 3.0])),
                _v(T, [[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [-0.3, 0.4, math.sqrt(0.75)]]),
            )
        ),
    ),
    (
        "lkj_cholesky_scalar",
        _case(lambda T, D, p: (D.LKJCholesky(2, 2.0), _v(T, [[1.0, 0.0], [0.8, 0.6]]))),
    ),
    (
        "onehot_straight_through",
        _case(
            lambda T, D, p: (
                D.OneHotCategoricalStraightThrough(p([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])),
                _v(T, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),
            )
        ),
    ),
    (
        "logistic_normal",
        _case(
            lambda T, D, p: (
                D.LogisticNormal(p([[0.1, -0.5], [1.0, 0.0]]), p([[1.0, 0.5], [0.3, 2.0]])),
                _v(T, [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]),
            )
        ),
    ),
]


def node_names(dist, value):
    """The grad_fn name of log_prob, entropy, mean and (if any) rsample; None without one."""
    names = {}
    calls = {
        "log_prob": lambda: dist.log_prob(value),
        "entropy": dist.entropy,
        "mean": lambda: dist.mean,
        "rsample": dist.rsample if dist.has_rsample else None,
    }
    for key, call in calls.items():
        if call is None:
            continue
        try:
            out = call()
        except NotImplementedError:
            continue
        names[key] = None if out.grad_fn is None else type(out.grad_fn).__name__
    return names


def _c(T: Any) -> Any:
    return T.distributions.constraints


#: reprs of the transforms biject_to / transform_to give for common constraints
REPRS: list[Callable] = [
    lambda T: T.distributions.biject_to(_c(T).real),
    lambda T: T.distributions.biject_to(_c(T).real_vector),
    lambda T: T.distributions.biject_to(_c(T).positive),
    lambda T: T.distributions.biject_to(_c(T).greater_than(1.0)),
    lambda T: T.distributions.biject_to(_c(T).less_than(2.0)),
    lambda T: T.distributions.biject_to(_c(T).unit_interval),
    lambda T: T.distributions.biject_to(_c(T).interval(0.0, 2.0)),
    lambda T: T.distributions.biject_to(_c(T).simplex),
    lambda T: T.distributions.transform_to(_c(T).simplex),
    lambda T: T.distributions.transform_to(_c(T).nonnegative),
]


class Float32:
    """The module ``T`` with ``float64`` read as ``float32``: the cases built in single
    precision, to compare result dtypes."""

    def __init__(self, module: Any) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        return self._module.float32 if name == "float64" else getattr(self._module, name)


def result_dtypes(T: Any, build: Callable) -> dict:
    """Each result's dtype name (``NotImplemented`` where it raises NotImplementedError)
    for the case built in float32."""
    dist, value, _ = build(Float32(T))
    calls = {
        "log_prob": lambda: dist.log_prob(value),
        "entropy": dist.entropy,
        "mean": lambda: dist.mean,
        "variance": lambda: dist.variance,
        "sample": dist.sample,
    }
    out = {}
    for key, call in calls.items():
        try:
            out[key] = str(call().dtype).rsplit(".", 1)[-1]
        except NotImplementedError:
            out[key] = "NotImplemented"
    return out


#: attributes each case records (a value, or the exception they raise)
PROPERTIES = ["mean", "mode", "variance", "stddev", "entropy"]


def _kl(fn: Callable) -> Callable:
    def build(T: Any) -> tuple:
        params: list = []
        p, q = fn(T, T.distributions, lambda x: _p(T, x, params))
        return p, q, params

    return build


#: (name, build(T) -> (p, q, params)) for kl_divergence(p, q)
KL_CASES: list[tuple[str, Callable]] = [
    (
        "normal",
        _kl(
            lambda T, D, p: (
                D.Normal(p([0.0, 1.0]), p([1.0, 2.0])),
                D.Normal(p([0.5, -1.0]), p([2.0, 0.5])),
            )
        ),
    ),
    ("bernoulli", _kl(lambda T, D, p: (D.Bernoulli(p([0.2, 0.7])), D.Bernoulli(p([0.5, 0.1]))))),
    (
        "categorical",
        _kl(
            lambda T, D, p: (
                D.Categorical(p([0.2, 0.3, 0.5])),
                D.Categorical(logits=p([0.1, -0.3, 1.0])),
            )
        ),
    ),
    (
        "onehot",
        _kl(
            lambda T, D, p: (
                D.OneHotCategorical(p([0.2, 0.3, 0.5])),
                D.OneHotCategorical(p([0.4, 0.4, 0.2])),
            )
        ),
    ),
    ("poisson", _kl(lambda T, D, p: (D.Poisson(p([0.5, 3.0])), D.Poisson(p([1.0, 2.0]))))),
    (
        "exponential",
        _kl(lambda T, D, p: (D.Exponential(p([0.5, 3.0])), D.Exponential(p([1.0, 2.0])))),
    ),
    (
        "laplace",
        _kl(
            lambda T, D, p: (
                D.Laplace(p([0.0, 1.0]), p([1.0, 2.0])),
                D.Laplace(p([0.5, -1.0]), p([2.0, 0.5])),
            )
        ),
    ),
    (
        "uniform",
        _kl(
            lambda T, D, p: (
                D.Uniform(p([0.0, 1.0]), p([1.0, 2.0])),
                D.Uniform(p([-0.5, 1.5]), p([2.0, 3.0])),
            )
        ),
    ),
    (
        "gamma",
        _kl(
            lambda T, D, p: (
                D.Gamma(p([0.5, 3.0]), p([1.0, 2.0])),
                D.Gamma(p([2.0, 1.0]), p([0.5, 1.5])),
            )
        ),
    ),
    (
        "beta",
        _kl(
            lambda T, D, p: (
                D.Beta(p([0.5, 3.0]), p([1.0, 2.0])),
                D.Beta(p([2.0, 1.0]), p([0.5, 1.5])),
            )
        ),
    ),
    (
        "dirichlet",
        _kl(lambda T, D, p: (D.Dirichlet(p([0.5, 3.0, 1.0])), D.Dirichlet(p([2.0, 1.0, 0.7])))),
    ),
    ("binomial", _kl(lambda T, D, p: (D.Binomial(5, p([0.3, 0.6])), D.Binomial(5, p([0.5, 0.2]))))),
    (
        "mvn",
        _kl(
            lambda T, D, p: (
                D.MultivariateNormal(p([0.0, 1.0]), p([[2.0, 0.3], [0.3, 1.0]])),
                D.MultivariateNormal(
                    p([[0.5, -1.0], [1.0, 1.0]]), scale_tril=p([[1.0, 0.0], [0.5, 2.0]])
                ),
            )
        ),
    ),
    (
        "lowrank_lowrank",
        _kl(
            lambda T, D, p: (
                D.LowRankMultivariateNormal(
                    p([0.0, 1.0, -1.0]), p([[0.5], [0.2], [-0.4]]), p([1.0, 0.6, 2.0])
                ),
                D.LowRankMultivariateNormal(
                    p([[0.5, -1.0, 0.2], [1.0, 1.0, 0.0]]),
                    p([[1.0, 0.1], [0.3, -0.5], [0.2, 0.7]]),
                    p([0.8, 1.5, 0.4]),
                ),
            )
        ),
    ),
    (
        "mvn_lowrank",
        _kl(
            lambda T, D, p: (
                D.MultivariateNormal(p([0.0, 1.0]), p([[2.0, 0.3], [0.3, 1.0]])),
                D.LowRankMultivariateNormal(
                    p([[0.5, -1.0], [1.0, 1.0]]), p([[0.4], [-0.3]]), p([1.2, 0.7])
                ),
            )
        ),
    ),
    (
        "lowrank_mvn",
        _kl(
            lambda T, D, p: (
                D.LowRankMultivariateNormal(
                    p([[0.5, -1.0], [1.0, 1.0]]), p([[0.4], [-0.3]]), p([1.2, 0.7])
                ),
                D.MultivariateNormal(p([0.0, 1.0]), scale_tril=p([[1.0, 0.0], [0.5, 2.0]])),
            )
        ),
    ),
    (
        "independent",
        _kl(
            lambda T, D, p: (
                D.Independent(D.Normal(p([0.0, 1.0]), p([1.0, 2.0])), 1),
                D.Independent(D.Normal(p([0.5, -1.0]), p([2.0, 0.5])), 1),
            )
        ),
    ),
    (
        "lognormal",
        _kl(
            lambda T, D, p: (
                D.LogNormal(p([0.0, 1.0]), p([1.0, 2.0])),
                D.LogNormal(p([0.5, -1.0]), p([2.0, 0.5])),
            )
        ),
    ),
    (
        "pareto",
        _kl(
            lambda T, D, p: (
                D.Pareto(p([1.0, 2.0, 0.5]), p([1.5, 3.0, 2.0])),
                D.Pareto(p([0.5, 1.0, 1.0]), p([2.0, 0.5, 1.0])),
            )
        ),
    ),
    (
        "cont_bernoulli",
        _kl(
            lambda T, D, p: (
                D.ContinuousBernoulli(p([0.2, 0.4999, 0.9])),
                D.ContinuousBernoulli(logits=p([0.5, -1.0, 0.0005])),
            )
        ),
    ),
    (
        "beta_cont_bernoulli",
        _kl(
            lambda T, D, p: (
                D.Beta(p([0.5, 3.0]), p([1.0, 2.0])),
                D.ContinuousBernoulli(p([0.3, 0.8])),
            )
        ),
    ),
    (
        "cont_bernoulli_exponential",
        _kl(lambda T, D, p: (D.ContinuousBernoulli(p([0.3, 0.8])), D.Exponential(p([0.5, 2.0])))),
    ),
    (
        "cont_bernoulli_normal",
        _kl(
            lambda T, D, p: (
                D.ContinuousBernoulli(p([0.3, 0.8])),
                D.Normal(p([0.0, 1.0]), p([1.0, 0.5])),
            )
        ),
    ),
    (
        "cont_bernoulli_uniform",
        _kl(
            lambda T, D, p: (
                D.ContinuousBernoulli(p([0.3, 0.8, 0.6])),
                D.Uniform(p([-0.5, 0.1, 0.0]), p([1.5, 2.0, 1.0])),
            )
        ),
    ),
    (
        "uniform_cont_bernoulli",
        _kl(
            lambda T, D, p: (
                D.Uniform(p([0.1, 0.0, -1.0]), p([0.9, 0.5, 0.5])),
                D.ContinuousBernoulli(p([0.3, 0.8, 0.6])),
            )
        ),
    ),
    (
        "normal_cont_bernoulli",
        _kl(
            lambda T, D, p: (
                D.Normal(p([0.0, 1.0]), p([1.0, 0.5])),
                D.ContinuousBernoulli(p([0.3, 0.8])),
            )
        ),
    ),
    (
        "cont_bernoulli_pareto",
        _kl(
            lambda T, D, p: (
                D.ContinuousBernoulli(p([0.3, 0.8])),
                D.Pareto(p([1.0, 2.0]), p([0.5, 3.0])),
            )
        ),
    ),
]


def _nan(T: Any) -> Any:
    return T.full((2, 3), math.nan)


#: calls that raise in PyTorch; the recorder stores each exception's type and message
ERRORS: list[Callable] = [
    lambda T: T.distributions.Normal(0.0, -1.0),
    lambda T: T.distributions.Normal(T.tensor([0.0, 1.0]), T.tensor([1.0, -2.0])),
    lambda T: T.distributions.Normal(0.0, 1.0).log_prob(_nan(T)),
    lambda T: T.distributions.Normal(0.0, 1.0).log_prob(0.5),
    lambda T: T.distributions.Normal(T.zeros(2), 1.0).log_prob(T.zeros(3)),
    lambda T: T.distributions.MultivariateNormal(T.zeros(2), T.eye(2)).log_prob(T.zeros(3)),
    lambda T: T.distributions.MultivariateNormal(T.zeros(2), -T.eye(2)),
    lambda T: T.distributions.MultivariateNormal(T.zeros(2)),
    lambda T: T.distributions.MultivariateNormal(T.tensor(0.0), T.eye(2)),
    lambda T: T.distributions.MultivariateNormal(T.zeros(2), T.ones(2)),
    lambda T: T.distributions.MultivariateNormal(T.zeros(2), scale_tril=T.ones(2)),
    lambda T: T.distributions.Bernoulli(),
    lambda T: T.distributions.Bernoulli(probs=T.tensor(0.5), logits=T.tensor(0.0)),
    lambda T: T.distributions.Bernoulli(probs=T.tensor([0.5, 1.5])),
    lambda T: T.distributions.Bernoulli(probs=T.tensor(0.5)).log_prob(T.tensor(0.5)),
    lambda T: T.distributions.Categorical(probs=T.tensor(0.5)),
    lambda T: T.distributions.Categorical(logits=T.tensor(0.5)),
    lambda T: T.distributions.Categorical(T.tensor([0.2, 0.8])).log_prob(T.tensor(2)),
    lambda T: T.distributions.Categorical(T.tensor([-0.2, 0.8])),
    lambda T: T.distributions.Uniform(1.0, 0.0),
    lambda T: T.distributions.Uniform(0.0, 1.0).log_prob(T.tensor(1.5)),
    lambda T: T.distributions.Beta(T.tensor(-1.0), T.tensor(1.0)),
    lambda T: T.distributions.Dirichlet(T.tensor(1.0)),
    lambda T: T.distributions.Gamma(1.0, 1.0).log_prob(T.tensor(-1.0)),
    lambda T: T.distributions.Poisson(T.tensor(-1.0)),
    lambda T: T.distributions.Poisson(T.tensor(1.0)).log_prob(T.tensor(0.5)),
    lambda T: T.distributions.Exponential(T.tensor(0.0)),
    lambda T: T.distributions.Independent(T.distributions.Normal(0.0, 1.0), 1),
    lambda T: T.distributions.Geometric(T.tensor([0.0, 0.5])),
    lambda T: T.distributions.biject_to(T.distributions.constraints.lower_triangular),
    lambda T: T.distributions.StudentT(T.tensor(-1.0)),
    lambda T: T.distributions.RelaxedBernoulli(T.tensor(0.5), probs=T.tensor(0.3)).log_prob(
        T.tensor(1.5)
    ),
    lambda T: T.distributions.kl_divergence(
        T.distributions.Normal(0.0, 1.0), T.distributions.Dirichlet(T.ones(2))
    ),
    lambda T: T.distributions.register_kl(1, T.distributions.Normal),
    lambda T: T.distributions.Distribution.set_default_validate_args(3),
    lambda T: T.distributions.Normal(0.0, 1.0).enumerate_support(),
    lambda T: T.distributions.Dirichlet(T.ones(2)).cdf(T.tensor([0.5, 0.5])),
    lambda T: T.distributions.Normal(0.0, -1.0, validate_args=False).mean + 1,
    lambda T: T.distributions.LowRankMultivariateNormal(T.tensor(0.0), T.ones(2, 1), T.ones(2)),
    lambda T: T.distributions.LowRankMultivariateNormal(T.zeros(2), T.ones(2), T.ones(2)),
    lambda T: T.distributions.LowRankMultivariateNormal(T.zeros(2), T.ones(3, 1), T.ones(2)),
    lambda T: T.distributions.LowRankMultivariateNormal(T.zeros(2), T.ones(2, 1), T.ones(3)),
    lambda T: T.distributions.LowRankMultivariateNormal(T.zeros(3, 2), T.ones(2, 2, 1), T.ones(2)),
    lambda T: T.distributions.LowRankMultivariateNormal(T.zeros(2), T.ones(2, 1), -T.ones(2)),
    lambda T: T.distributions.LowRankMultivariateNormal(
        T.zeros(2), T.ones(2, 1), T.ones(2)
    ).log_prob(T.zeros(3)),
    lambda T: T.distributions.Wishart(T.tensor(0.5), covariance_matrix=T.eye(2)),
    lambda T: T.distributions.Wishart(3.0),
    lambda T: T.distributions.Wishart(3.0, covariance_matrix=T.ones(2)),
    lambda T: T.distributions.Wishart(3.0, covariance_matrix=-T.eye(2)),
    lambda T: T.distributions.Wishart(3.0, scale_tril=T.eye(2)).log_prob(-T.eye(2)),
    lambda T: T.distributions.VonMises(0.0, -1.0),
    lambda T: T.distributions.VonMises(T.zeros(2), 1.0).rsample(),
    lambda T: T.distributions.kl_divergence(
        T.distributions.LowRankMultivariateNormal(T.zeros(2), T.ones(2, 1), T.ones(2)),
        T.distributions.LowRankMultivariateNormal(T.zeros(3), T.ones(3, 1), T.ones(3)),
    ),
    lambda T: T.distributions.kl_divergence(
        T.distributions.LowRankMultivariateNormal(T.zeros(2), T.ones(2, 1), T.ones(2)),
        T.distributions.MultivariateNormal(T.zeros(3), T.eye(3)),
    ),
    lambda T: T.distributions.HalfCauchy(T.tensor([1.0, -1.0])),
    lambda T: T.distributions.InverseGamma(T.tensor(-1.0), 1.0),
    lambda T: T.distributions.HalfCauchy(1.0).log_prob(T.tensor(-0.5)),
    lambda T: T.distributions.Pareto(1.0, T.tensor(0.0)),
    lambda T: T.distributions.Pareto(T.tensor([1.0, 2.0]), 1.0).log_prob(T.tensor([0.5, 3.0])),
    lambda T: T.distributions.Weibull(T.tensor(-1.0), 1.0),
    lambda T: T.distributions.Weibull(1.0, 2.0).log_prob(T.tensor(-1.0)),
    lambda T: T.distributions.NegativeBinomial(T.tensor(2.0), probs=T.tensor(1.0)),
    lambda T: T.distributions.NegativeBinomial(T.tensor(-2.0), probs=T.tensor(0.5)),
    lambda T: T.distributions.NegativeBinomial(2.0),
    lambda T: T.distributions.NegativeBinomial(2.0, probs=T.tensor(0.5)).log_prob(T.tensor(0.5)),
    lambda T: T.distributions.ContinuousBernoulli(T.tensor([0.5, 1.5])),
    lambda T: T.distributions.ContinuousBernoulli(T.tensor([0.5, 1.5]), validate_args=True),
    lambda T: T.distributions.ContinuousBernoulli(0.3).log_prob(T.tensor(1.5)),
    lambda T: T.distributions.Kumaraswamy(T.tensor(-1.0), 1.0),
    lambda T: T.distributions.Kumaraswamy(1.0, 2.0).log_prob(T.tensor(1.5)),
    lambda T: T.distributions.FisherSnedecor(T.tensor(0.0), 1.0),
    lambda T: T.distributions.FisherSnedecor(1.0, 2.0).log_prob(T.tensor(-1.0)),
    lambda T: T.distributions.GeneralizedPareto(0.0, T.tensor(-1.0), 0.5),
    lambda T: T.distributions.GeneralizedPareto(T.tensor(0.0), 1.0, -0.5).log_prob(T.tensor(3.0)),
    lambda T: T.distributions.LogisticNormal(T.zeros(2), T.tensor(-1.0)),
    lambda T: T.distributions.LogisticNormal(T.zeros(2), 1.0).log_prob(T.tensor([0.5, 0.6, 0.1])),
    lambda T: T.distributions.LKJCholesky(1, 1.0),
    lambda T: T.distributions.LKJCholesky(3, T.tensor(-1.0)),
    lambda T: T.distributions.LKJCholesky(2, 1.0).log_prob(T.tensor([[1.0, 0.0], [0.5, 0.5]])),
]
