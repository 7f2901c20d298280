"""``jitgrad.special``: PyTorch's ``torch.special`` namespace (gamma family, erf family,
Bessel i0/i1, sinc, expit/logit, softmax ...) over jitgrad's ops. Names PyTorch has and
jitgrad lacks (the orthogonal polynomials, the other Bessel functions, zeta ...) raise an
AttributeError that says so."""

from __future__ import annotations

from typing import Any

from .frontend import functions as F
from .frontend import reduce as _reduce
from .frontend import special as S
from .frontend.tensor import Tensor
from .helpers import missing_attribute

digamma = psi = S.digamma
polygamma = S.polygamma
gammaln = S.lgamma
erf = F.erf
erfc = F.erfc
erfinv = S.erfinv
expit = F.sigmoid
logit = F.logit
sinc = S.sinc
round = F.round  # noqa: A001 - PyTorch's name
log1p = F.log1p
exp2 = F.exp2
expm1 = F.expm1
xlogy = F.xlogy
i0 = S.i0
i0e = S.i0e
i1 = S.i1
i1e = S.i1e
ndtr = S.ndtr
ndtri = S.ndtri
log_ndtr = S.log_ndtr
erfcx = S.erfcx
entr = S.entr
xlog1py = S.xlog1py
spherical_bessel_j0 = S.spherical_bessel_j0
zeta = S.zeta
gammainc = S.gammainc
gammaincc = S.gammaincc
logsumexp = _reduce.logsumexp


def multigammaln(input: Tensor, p: int) -> Tensor:  # noqa: A002 - PyTorch's argument name
    """Multivariate log-gamma (``torch.mvlgamma``)."""
    return S.mvlgamma(input, p)


def softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    return _reduce.softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    return _reduce.log_softmax(input, dim, dtype=dtype)


__all__ = [
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcx",
    "erfinv",
    "exp2",
    "expit",
    "expm1",
    "gammainc",
    "gammaincc",
    "gammaln",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "log1p",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "round",
    "sinc",
    "softmax",
    "spherical_bessel_j0",
    "xlog1py",
    "xlogy",
    "zeta",
]

#: ``jitgrad.special.<name>`` for a torch.special function jitgrad lacks says so.
__getattr__ = missing_attribute("jitgrad.special")
del annotations, missing_attribute  # not PyTorch's names
