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

#: every name a declaration gives itself (``defop(..., special=...)``: digamma and psi,
#: gammaln, expit, i0e ...)
globals().update(F.DECLARED_SPECIAL)
round = F.round  # noqa: A001 - PyTorch's name
zeta = S.zeta
gammainc = S.gammainc
gammaincc = S.gammaincc
logsumexp = _reduce.logsumexp


def softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    return _reduce.softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    return _reduce.log_softmax(input, dim, dtype=dtype)


__all__ = sorted(
    [*F.DECLARED_SPECIAL]
    + "gammainc gammaincc log_softmax logsumexp round softmax zeta".split()
)

#: ``jitgrad.special.<name>`` for a torch.special function jitgrad lacks says so.
__getattr__ = missing_attribute("jitgrad.special")
del annotations, missing_attribute  # not PyTorch's names
