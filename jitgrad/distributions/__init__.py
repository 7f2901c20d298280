"""``torch.distributions``: parameterized probability distributions, their samples,
log-densities, entropies, KL divergences and transforms, over jitgrad Tensors.

Samples come from jitgrad's default generator (numpy streams, not PyTorch's), so a seeded
program is reproducible but draws other numbers than PyTorch; densities, entropies,
moments and gradients match PyTorch's."""

from __future__ import annotations

from ..backends import opwrap
from ..helpers import missing_attribute, namespace_module

# kl_lowrank and kl_cont_bernoulli register their KL divergences on import
from . import constraints, kl_cont_bernoulli, kl_lowrank, transforms  # noqa: F401
from .binomial import Binomial, Multinomial
from .constraint_registry import biject_to, transform_to
from .continuous import Cauchy, Exponential, Laplace, Normal, Uniform
from .discrete import (
    Bernoulli,
    Categorical,
    OneHotCategorical,
    OneHotCategoricalStraightThrough,
    Poisson,
)
from .distribution import Distribution, ExponentialFamily
from .gamma import Beta, Chi2, Dirichlet, Gamma
from .gamma_mixture import FisherSnedecor, NegativeBinomial
from .generalized_pareto import GeneralizedPareto
from .kl import kl_divergence, register_kl
from .lkj_cholesky import LKJCholesky
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .more import Geometric, Gumbel, HalfNormal, MixtureSameFamily, StudentT
from .multivariate_normal import MultivariateNormal
from .positive import HalfCauchy, InverseGamma, Pareto, Weibull
from .relaxed import (
    ExpRelaxedCategorical,
    LogitRelaxedBernoulli,
    RelaxedBernoulli,
    RelaxedOneHotCategorical,
)
from .transformed import Independent, LogNormal, TransformedDistribution
from .transforms import (
    AbsTransform,
    AffineTransform,
    CatTransform,
    ComposeTransform,
    CorrCholeskyTransform,
    CumulativeDistributionTransform,
    ExpTransform,
    LowerCholeskyTransform,
    PositiveDefiniteTransform,
    PowerTransform,
    ReshapeTransform,
    SigmoidTransform,
    SoftplusTransform,
    StackTransform,
    TanhTransform,
    Transform,
    identity_transform,
)
from .transforms_simplex import IndependentTransform, SoftmaxTransform, StickBreakingTransform
from .unit_interval import ContinuousBernoulli, Kumaraswamy, LogisticNormal
from .von_mises import VonMises
from .wishart import Wishart

__all__ = [
    "LKJCholesky",
    "OneHotCategoricalStraightThrough",
    "CatTransform",
    "CorrCholeskyTransform",
    "CumulativeDistributionTransform",
    "LowerCholeskyTransform",
    "PositiveDefiniteTransform",
    "ReshapeTransform",
    "SoftplusTransform",
    "StackTransform",
    "identity_transform",
    "ContinuousBernoulli",
    "FisherSnedecor",
    "GeneralizedPareto",
    "Kumaraswamy",
    "LogisticNormal",
    "NegativeBinomial",
    "HalfCauchy",
    "InverseGamma",
    "Pareto",
    "Weibull",
    "LowRankMultivariateNormal",
    "VonMises",
    "Wishart",
    "MixtureSameFamily",
    "IndependentTransform",
    "SoftmaxTransform",
    "StickBreakingTransform",
    "biject_to",
    "transform_to",
    "AbsTransform",
    "ExpRelaxedCategorical",
    "Geometric",
    "Gumbel",
    "HalfNormal",
    "LogitRelaxedBernoulli",
    "RelaxedBernoulli",
    "RelaxedOneHotCategorical",
    "StudentT",
    "AffineTransform",
    "ComposeTransform",
    "ExpTransform",
    "Independent",
    "LogNormal",
    "MultivariateNormal",
    "PowerTransform",
    "SigmoidTransform",
    "TanhTransform",
    "Transform",
    "TransformedDistribution",
    "kl_divergence",
    "register_kl",
    "transforms",
    "Bernoulli",
    "Beta",
    "Binomial",
    "Categorical",
    "Chi2",
    "Dirichlet",
    "Gamma",
    "Multinomial",
    "OneHotCategorical",
    "Poisson",
    "Cauchy",
    "Distribution",
    "Exponential",
    "ExponentialFamily",
    "Laplace",
    "Normal",
    "Uniform",
    "constraints",
]

#: PyTorch's one-file-per-distribution import paths (``from torch.distributions.categorical
#: import Categorical``, as CleanRL writes) where jitgrad groups the classes in other files; the
#: submodules jitgrad has as files of the same name (gamma, binomial, kl...) are those files
_LAYOUT = {
    "bernoulli": "Bernoulli",
    "beta": "Beta",
    "categorical": "Categorical",
    "cauchy": "Cauchy",
    "chi2": "Chi2",
    "dirichlet": "Dirichlet",
    "exp_family": "ExponentialFamily",
    "continuous_bernoulli": "ContinuousBernoulli",
    "exponential": "Exponential",
    "fishersnedecor": "FisherSnedecor",
    "geometric": "Geometric",
    "gumbel": "Gumbel",
    "kumaraswamy": "Kumaraswamy",
    "half_cauchy": "HalfCauchy",
    "half_normal": "HalfNormal",
    "independent": "Independent",
    "inverse_gamma": "InverseGamma",
    "laplace": "Laplace",
    "log_normal": "LogNormal",
    "logistic_normal": "LogisticNormal",
    "mixture_same_family": "MixtureSameFamily",
    "multinomial": "Multinomial",
    "negative_binomial": "NegativeBinomial",
    "normal": "Normal",
    "one_hot_categorical": "OneHotCategorical OneHotCategoricalStraightThrough",
    "pareto": "Pareto",
    "poisson": "Poisson",
    "relaxed_bernoulli": "LogitRelaxedBernoulli RelaxedBernoulli",
    "relaxed_categorical": "ExpRelaxedCategorical RelaxedOneHotCategorical",
    "studentT": "StudentT",
    "transformed_distribution": "TransformedDistribution",
    "uniform": "Uniform",
    "weibull": "Weibull",
}
for _sub, _names in _LAYOUT.items():
    _members = {n: globals()[n] for n in _names.split()}
    for _cls in _members.values():
        _cls.__module__ = f"{__name__}.{_sub}"  # <class 'torch.distributions.normal.Normal'>
    globals()[_sub] = namespace_module(f"{__name__}.{_sub}", _members)
del _sub, _names, _members, _cls, _LAYOUT

#: ``torch.distributions.<name>`` for a PyTorch name jitgrad lacks says so (AttributeError).
__getattr__ = missing_attribute("jitgrad.distributions")
# Loaded at first use (jitgrad/__init__'s _LAZY): a device backend installed before this
# points these modules' by-name imports of the ops it wraps at its wrappers now.
opwrap.reroute_package(__name__)
del annotations, missing_attribute, namespace_module, opwrap  # not PyTorch's names
