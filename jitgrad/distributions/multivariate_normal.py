"""``MultivariateNormal``: a Gaussian over vectors, given by exactly one of a covariance
matrix, a precision matrix or a lower Cholesky factor of the covariance. Everything runs
through that factor L (covariance = L L^T): samples are loc + L eps, and the log-density
uses a triangular solve and L's diagonal."""

from __future__ import annotations

import math
from typing import Any

from ..frontend.creation import eye
from ..frontend.structure import broadcast_shapes
from ..frontend.tensor import Tensor
from ..linalg import cholesky, solve_triangular
from . import _draw, constraints
from .continuous import LocMode
from .distribution import Distribution
from .utils import lazy_property


def _precision_to_scale_tril(p: Tensor) -> Tensor:
    """L with L L^T = P^-1, from the Cholesky factor of P with rows and columns reversed
    (that factor's flipped transpose is L^-1; one triangular solve inverts it)."""
    lf = cholesky(p.flip((-2, -1)))
    l_inv = lf.flip((-2, -1)).transpose(-2, -1)
    ident = eye(p.shape[-1], dtype=p.dtype).expand(tuple(p.shape))
    return solve_triangular(l_inv, ident, upper=False)


class MultivariateNormal(LocMode, Distribution):
    """Normal over vectors of length ``loc.shape[-1]`` with the given covariance."""

    arg_constraints = {
        "loc": constraints.real_vector,
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(
        self,
        loc: Tensor,
        covariance_matrix: Tensor | None = None,
        precision_matrix: Tensor | None = None,
        scale_tril: Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [m is not None for m in (covariance_matrix, precision_matrix, scale_tril)]
        if sum(given) != 1:
            raise ValueError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified."
            )
        name, matrix = next(
            (n, m)
            for n, m in (
                ("scale_tril", scale_tril),
                ("covariance_matrix", covariance_matrix),
                ("precision_matrix", precision_matrix),
            )
            if m is not None
        )
        if matrix.dim() < 2:
            raise ValueError(
                f"{name} matrix must be at least two-dimensional, with optional leading "
                "batch dimensions"
                if name == "scale_tril"
                else f"{name} must be at least two-dimensional, with optional leading batch "
                "dimensions"
            )
        batch = tuple(broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1])))
        setattr(self, name, matrix.expand(batch + (-1, -1)))
        self.loc = loc.expand(batch + (-1,))
        super().__init__(batch, tuple(self.loc.shape[-1:]), validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = scale_tril
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)

    def expand(self, batch_shape: Any, _instance: Any = None) -> MultivariateNormal:
        names = ("loc", "covariance_matrix", "precision_matrix", "scale_tril")
        k = self._event_shape[0]
        new = self._get_checked_instance(MultivariateNormal, _instance)
        for n in names:
            if n in self.__dict__:
                tail = (k,) if n == "loc" else (k, k)
                setattr(new, n, self.__dict__[n].expand(tuple(batch_shape) + tail))
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        Distribution.__init__(new, tuple(batch_shape), self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _full(self) -> tuple:
        return tuple(self._batch_shape) + tuple(self._event_shape) * 2

    @lazy_property
    def scale_tril(self) -> Tensor:
        return self._unbroadcasted_scale_tril.expand(self._full())

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        lower = self._unbroadcasted_scale_tril
        return (lower @ lower.mT).expand(self._full())

    @lazy_property
    def precision_matrix(self) -> Tensor:
        lower = self._unbroadcasted_scale_tril
        ident = eye(lower.shape[-1], dtype=lower.dtype).expand(tuple(lower.shape))
        l_inv = solve_triangular(lower, ident, upper=False)
        return (l_inv.mT @ l_inv).expand(self._full())

    @property
    def variance(self) -> Tensor:
        shape = tuple(self._batch_shape) + tuple(self._event_shape)
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        eps = _draw.standard_normal(shape, self.loc)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def _half_log_det(self) -> Tensor:
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        lower = self._unbroadcasted_scale_tril
        batch = tuple(broadcast_shapes(tuple(lower.shape[:-2]), tuple(diff.shape[:-1])))
        k = self._event_shape[0]
        z = solve_triangular(
            lower.expand(batch + (k, k)), diff.expand(batch + (k,)).unsqueeze(-1), upper=False
        ).squeeze(-1)
        m = z.pow(2).sum(-1)
        return -0.5 * (k * math.log(2 * math.pi) + m) - self._half_log_det()

    def entropy(self) -> Tensor:
        k = self._event_shape[0]
        h = 0.5 * k * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return h.expand(tuple(self._batch_shape)) if len(self._batch_shape) else h
