"""``Wishart``: a distribution over symmetric positive-definite ``p x p`` matrices, with
``df`` degrees of freedom (``df > p - 1``) and a scale given by exactly one of a covariance
matrix, a precision matrix or the covariance's lower Cholesky factor ``L``.

Everything runs through ``L``. Samples use the Bartlett decomposition, ``(L A)(L A)^T``
with ``A`` lower-triangular: ``sqrt`` of Chi2(df - i) draws on the diagonal (reparameterized,
so ``rsample`` is differentiable in ``df`` too) and standard normals below it. PyTorch 2.13's
``rsample`` tests the drawn matrices with the support's check *not* negated, so it warns
"Singular sample detected." and redraws the matrices that were fine: jitgrad does the same
(the redraws have the same distribution, and the warning is PyTorch's observable
behaviour); the draws come from jitgrad's generator, not PyTorch's."""

from __future__ import annotations

import math
import numbers
from typing import Any

from ..frontend.creation import arange, eye
from ..frontend.creation import tensor as _tensor
from ..frontend.functions import (  # (digamma: generated from its declaration)
    DECLARED,
    digamma,
    where,
)
from ..frontend.linalg_more import cholesky_solve
from ..frontend.stacking import broadcast_shapes
from ..frontend.structure import diag_embed, tril
from ..frontend.tensor import Tensor
from ..helpers import warn as warn_user
from ..linalg import cholesky, slogdet
from ..typeinfo import finfo
from . import _draw, constraints
from .distribution import Distribution, ExponentialFamily
from .gamma import Chi2
from .multivariate_normal import _precision_to_scale_tril
from .utils import lazy_property

_LOG2 = math.log(2)


def _mvdigamma(x: Tensor, p: int) -> Tensor:
    """The multivariate digamma ``sum_i digamma(x - i / 2)``, ``i < p``."""
    if not bool(x.gt((p - 1) / 2).all()):
        raise AssertionError("Wrong domain for multivariate digamma function.")
    return digamma(x.unsqueeze(-1) - arange(p, dtype=x.dtype) / 2).sum(-1)


class Wishart(ExponentialFamily):
    """Wishart over ``p x p`` positive-definite matrices (``p`` the scale's size)."""

    support = constraints.positive_definite
    has_rsample = True

    @property
    def arg_constraints(self) -> dict:  # type: ignore[override]
        return {
            "covariance_matrix": constraints.positive_definite,
            "precision_matrix": constraints.positive_definite,
            "scale_tril": constraints.lower_cholesky,
            "df": constraints.greater_than(self._event_shape[-1] - 1),
        }

    def __init__(
        self,
        df: Any,
        covariance_matrix: Tensor | None = None,
        precision_matrix: Tensor | None = None,
        scale_tril: Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        given = [(n, m) for n, m in (("covariance_matrix", covariance_matrix),
                                     ("precision_matrix", precision_matrix),
                                     ("scale_tril", scale_tril)) if m is not None]  # fmt: skip
        if len(given) != 1:
            raise AssertionError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified."
            )
        name, param = given[0]
        if param.dim() < 2:
            raise ValueError(
                "scale_tril must be at least two-dimensional, with optional leading batch "
                "dimensions"
            )
        if isinstance(df, numbers.Number):
            batch = tuple(param.shape[:-2])
            self.df = _tensor(df, dtype=param.dtype)
        else:
            batch = tuple(broadcast_shapes(tuple(param.shape[:-2]), tuple(df.shape)))
            self.df = df.expand(batch)
        event = tuple(param.shape[-2:])
        p = event[-1]
        if bool(self.df.le(p - 1).any()):
            raise ValueError(
                f"Value of df={df} expected to be greater than ndim - 1 = {p - 1}."
            )
        setattr(self, name, param.expand(batch + (-1, -1)))
        if bool(self.df.lt(p).any()):
            warn_user(
                "Low df values detected. Singular samples are highly likely to occur for "
                "ndim - 1 < df < ndim.",
                stacklevel=2,
            )
        super().__init__(batch, event, validate_args=validate_args)
        self._batch_dims = [-(x + 1) for x in range(len(self._batch_shape))]
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = param
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = cholesky(param)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(param)
        self._dist_chi2 = self._chi2(batch)

    def _chi2(self, batch: tuple) -> Chi2:
        """The Bartlett diagonal's distributions: Chi2(df - i), ``i < p``."""
        steps = arange(self._event_shape[-1], dtype=self._unbroadcasted_scale_tril.dtype)
        return Chi2(self.df.unsqueeze(-1) - steps.expand(tuple(batch) + (-1,)))

    def expand(self, batch_shape: Any, _instance: Any = None) -> Wishart:
        new = self._get_checked_instance(Wishart, _instance)
        batch = tuple(batch_shape)
        cov_shape = batch + tuple(self._event_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril.expand(cov_shape)
        new.df = self.df.expand(batch)
        new._batch_dims = [-(x + 1) for x in range(len(batch))]
        for n in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if n in self.__dict__:
                setattr(new, n, self.__dict__[n].expand(cov_shape))
        Distribution.__init__(new, batch, self._event_shape, validate_args=False)
        new._dist_chi2 = new._chi2(batch)
        new._validate_args = self._validate_args
        return new

    def _full(self) -> tuple:
        return tuple(self._batch_shape) + tuple(self._event_shape)

    @lazy_property
    def scale_tril(self) -> Tensor:
        return self._unbroadcasted_scale_tril.expand(self._full())

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        lower = self._unbroadcasted_scale_tril
        return (lower @ lower.transpose(-2, -1)).expand(self._full())

    @lazy_property
    def precision_matrix(self) -> Tensor:
        lower = self._unbroadcasted_scale_tril
        ident = eye(self._event_shape[-1], dtype=lower.dtype)
        return cholesky_solve(ident.expand(tuple(lower.shape)), lower).expand(self._full())

    def _df_matrix(self, x: Tensor) -> Tensor:
        return x.view(tuple(self._batch_shape) + (1, 1))

    @property
    def mean(self) -> Tensor:
        return self._df_matrix(self.df) * self.covariance_matrix

    @property
    def mode(self) -> Tensor:
        """``(df - p - 1) V``; NaN where ``df <= p + 1`` (no mode there)."""
        factor = self.df - self.covariance_matrix.shape[-1] - 1
        factor = where(factor <= 0, math.nan, factor)
        return self._df_matrix(factor) * self.covariance_matrix

    @property
    def variance(self) -> Tensor:
        V = self.covariance_matrix  # noqa: N806
        d = V.diagonal(dim1=-2, dim2=-1)
        return self._df_matrix(self.df) * (V.pow(2) + d.unsqueeze(-1) * d.unsqueeze(-2))

    def _bartlett(self, sample_shape: tuple) -> Tensor:
        """``(L A)(L A)^T`` for one Bartlett factor ``A`` per sample and batch element."""
        p = self._event_shape[-1]
        diag = self._dist_chi2.rsample(sample_shape).sqrt()
        diag = diag.clamp(min=finfo(diag.dtype).eps)
        shape = tuple(sample_shape) + tuple(self._batch_shape) + (p, p)
        below = tril(_draw.standard_normal(shape, diag), -1)
        chol = self._unbroadcasted_scale_tril @ (diag_embed(diag) + below)
        return chol @ chol.transpose(-2, -1)

    def _over_batch(self, flags: Tensor) -> Tensor:
        """Per sample: whether any matrix of its batch is flagged."""
        return flags.amax(self._batch_dims) if len(self._batch_shape) else flags

    def rsample(self, sample_shape: Any = (), max_try_correction: int | None = None) -> Tensor:
        """Bartlett draws; the flagged ones (see the module doc) are drawn again, at most
        ``max_try_correction`` (10) times, written in place as PyTorch does."""
        tries = 10 if max_try_correction is None else max_try_correction
        sample = self._bartlett(tuple(sample_shape))
        redo = self._over_batch(self.support.check(sample))  # PyTorch's test, not negated
        if bool(redo.any()):
            warn_user("Singular sample detected.", stacklevel=2)
            for _ in range(tries):
                fresh = self._bartlett(tuple(redo[redo].shape))
                # a copy of the mask: jitgrad's setitem backward reads its key later, and
                # ``redo`` changes in place below
                sample[redo.clone()] = fresh
                redo[redo.clone()] = self._over_batch(~self.support.check(fresh))
                if not bool(redo.any()):
                    break
        return sample

    def _half_log_det_term(self) -> Tensor:
        p = self._event_shape[-1]
        diag = self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1)
        return p * _LOG2 / 2 + diag.log().sum(-1)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        nu, p = self.df, self._event_shape[-1]
        trace = cholesky_solve(value, self._unbroadcasted_scale_tril)
        return (
            -nu * self._half_log_det_term()
            - DECLARED["mvlgamma"](nu / 2, p=p)
            + (nu - p - 1) / 2 * slogdet(value).logabsdet
            - trace.diagonal(dim1=-2, dim2=-1).sum(dim=-1) / 2
        )

    def entropy(self) -> Tensor:
        nu, p = self.df, self._event_shape[-1]
        return (
            (p + 1) * self._half_log_det_term()
            + DECLARED["mvlgamma"](nu / 2, p=p)
            - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p=p)
            + nu * p / 2
        )
