"""``LowRankMultivariateNormal``: a Gaussian over vectors whose covariance is a low-rank
part plus a diagonal, ``W W^T + diag(D)`` (``cov_factor`` W is ``n x m``, ``cov_diag`` D).

Nothing ``n x n`` is factored: the log-density and entropy go through the ``m x m``
"capacitance" matrix ``C = I + W^T D^-1 W`` (its Cholesky factor is computed once), with the
Woodbury identity for the Mahalanobis term and the matrix determinant lemma for
``log|W W^T + D| = log|C| + log|D|``, as PyTorch does. Samples are
``loc + W eps_W + sqrt(D) eps_D``, so they are reparameterized."""

from __future__ import annotations

import math
from typing import Any

from ..frontend.creation import eye
from ..frontend.stacking import broadcast_shapes, broadcast_tensors
from ..frontend.structure import diag_embed
from ..frontend.tensor import Size, Tensor
from ..linalg import cholesky, solve_triangular
from . import _draw, constraints
from .continuous import LocMode
from .distribution import Distribution
from .utils import lazy_property


def _capacitance_tril(W: Tensor, D: Tensor) -> Tensor:  # noqa: N803
    """The lower Cholesky factor of ``I + W^T D^-1 W`` (batched)."""
    m = W.shape[-1]
    K = (W.mT / D.unsqueeze(-2)) @ W  # noqa: N806
    return cholesky(K + eye(m, dtype=K.dtype))


def _mv(M: Tensor, v: Tensor) -> Tensor:  # noqa: N803
    return (M @ v.unsqueeze(-1)).squeeze(-1)


def tril_mahalanobis(L: Tensor, x: Tensor) -> Tensor:  # noqa: N803
    """``x^T (L L^T)^-1 x`` for lower ``L`` over broadcast batches."""
    k = L.shape[-1]
    batch = tuple(broadcast_shapes(tuple(L.shape[:-2]), tuple(x.shape[:-1])))
    z = solve_triangular(L.expand(batch + (k, k)), x.expand(batch + (k,)).unsqueeze(-1),
                         upper=False)
    return z.squeeze(-1).pow(2).sum(-1)


class LowRankMultivariateNormal(LocMode, Distribution):
    """Normal over vectors with covariance ``cov_factor @ cov_factor.mT + diag(cov_diag)``."""

    arg_constraints = {
        "loc": constraints.real_vector,
        "cov_factor": constraints.independent(constraints.real, 2),
        "cov_diag": constraints.independent(constraints.positive, 1),
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(
        self,
        loc: Tensor,
        cov_factor: Tensor,
        cov_diag: Tensor,
        validate_args: bool | None = None,
    ) -> None:
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        event = Size(tuple(loc.shape[-1:]))
        if cov_factor.dim() < 2:
            raise ValueError(
                "cov_factor must be at least two-dimensional, with optional leading batch "
                "dimensions"
            )
        if tuple(cov_factor.shape[-2:-1]) != tuple(event):
            raise ValueError(
                f"cov_factor must be a batch of matrices with shape {event[0]} x m"
            )
        if tuple(cov_diag.shape[-1:]) != tuple(event):
            raise ValueError(f"cov_diag must be a batch of vectors with shape {event}")
        try:
            loc_, self.cov_factor, diag_ = broadcast_tensors(
                loc.unsqueeze(-1), cov_factor, cov_diag.unsqueeze(-1)
            )
        except RuntimeError as e:
            raise ValueError(
                f"Incompatible batch shapes: loc {loc.shape}, cov_factor {cov_factor.shape}, "
                f"cov_diag {cov_diag.shape}"
            ) from e
        self.loc = loc_[..., 0]
        self.cov_diag = diag_[..., 0]
        self._unbroadcasted_cov_factor = cov_factor
        self._unbroadcasted_cov_diag = cov_diag
        self._capacitance_tril = _capacitance_tril(cov_factor, cov_diag)
        super().__init__(tuple(self.loc.shape[:-1]), event, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LowRankMultivariateNormal:
        new = self._get_checked_instance(LowRankMultivariateNormal, _instance)
        shape = tuple(batch_shape) + tuple(self._event_shape)
        new.loc = self.loc.expand(shape)
        new.cov_diag = self.cov_diag.expand(shape)
        new.cov_factor = self.cov_factor.expand(shape + tuple(self.cov_factor.shape[-1:]))
        new._unbroadcasted_cov_factor = self._unbroadcasted_cov_factor
        new._unbroadcasted_cov_diag = self._unbroadcasted_cov_diag
        new._capacitance_tril = self._capacitance_tril
        Distribution.__init__(new, tuple(batch_shape), self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _full(self) -> tuple:
        return tuple(self._batch_shape) + tuple(self._event_shape) * 2

    @lazy_property
    def variance(self) -> Tensor:
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag  # noqa: N806
        return (W.pow(2).sum(-1) + D).expand(tuple(self._batch_shape) + tuple(self._event_shape))

    @lazy_property
    def scale_tril(self) -> Tensor:
        """``sqrt(D) chol(I + D^-1/2 W W^T D^-1/2)``: a Cholesky factor of the covariance."""
        n = self._event_shape[0]
        root = self._unbroadcasted_cov_diag.sqrt().unsqueeze(-1)
        scaled = self._unbroadcasted_cov_factor / root
        K = scaled @ scaled.mT + eye(n, dtype=scaled.dtype)  # noqa: N806
        return (root * cholesky(K)).expand(self._full())

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        W = self._unbroadcasted_cov_factor  # noqa: N806
        return (W @ W.mT + diag_embed(self._unbroadcasted_cov_diag)).expand(self._full())

    @lazy_property
    def precision_matrix(self) -> Tensor:
        """Woodbury: ``D^-1 - A^T A`` with ``A = C_L^-1 W^T D^-1``."""
        wt_dinv = self._unbroadcasted_cov_factor.mT / self._unbroadcasted_cov_diag.unsqueeze(-2)
        A = solve_triangular(self._capacitance_tril, wt_dinv, upper=False)  # noqa: N806
        inv_diag = diag_embed(self._unbroadcasted_cov_diag.reciprocal())
        return (inv_diag - A.mT @ A).expand(self._full())

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        eps_w = _draw.standard_normal(shape[:-1] + tuple(self.cov_factor.shape[-1:]), self.loc)
        eps_d = _draw.standard_normal(shape, self.loc)
        return (
            self.loc
            + _mv(self._unbroadcasted_cov_factor, eps_w)
            + self._unbroadcasted_cov_diag.sqrt() * eps_d
        )

    def log_det(self) -> Tensor:
        """``log|W W^T + D| = log|C| + log|D|`` (the matrix determinant lemma)."""
        c = self._capacitance_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        return 2 * c + self._unbroadcasted_cov_diag.log().sum(-1)

    def _mahalanobis(self, x: Tensor) -> Tensor:
        """``x^T (W W^T + D)^-1 x`` by the Woodbury identity:
        ``x^T D^-1 x - |C_L^-1 W^T D^-1 x|^2``."""
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag  # noqa: N806
        wt_dinv_x = _mv(W.mT / D.unsqueeze(-2), x)
        return (x.pow(2) / D).sum(-1) - tril_mahalanobis(self._capacitance_tril, wt_dinv_x)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        m = self._mahalanobis(value - self.loc)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + self.log_det() + m)

    def entropy(self) -> Tensor:
        h = 0.5 * (self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + self.log_det())
        return h.expand(tuple(self._batch_shape)) if len(self._batch_shape) else h
