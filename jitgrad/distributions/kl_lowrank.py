"""The closed-form KL divergences between Gaussians over vectors when either side is a
``LowRankMultivariateNormal`` (registered with ``register_kl`` on import), PyTorch's:

``KL(p || q) = 1/2 [log|S_q| - log|S_p| + tr(S_q^-1 S_p) + (m_q - m_p)^T S_q^-1 (m_q - m_p)
- n]``, where a low-rank ``S_q^-1`` is applied by the Woodbury identity (``A = C_L^-1 W^T
D^-1``, so ``S_q^-1 = D^-1 - A^T A``) and every trace is a sum of squares."""

from __future__ import annotations

from ..frontend.stacking import broadcast_shapes
from ..frontend.structure import diag_embed
from ..frontend.tensor import Tensor
from ..linalg import solve_triangular
from .kl import register_kl
from .lowrank_multivariate_normal import LowRankMultivariateNormal, tril_mahalanobis
from .multivariate_normal import MultivariateNormal


def _trace_xxt(x: Tensor) -> Tensor:
    """``tr(X X^T)`` per matrix: the sum of its squares."""
    return x.pow(2).sum((-2, -1))


def _same_events(p, q, what: str) -> None:
    if tuple(p.event_shape) != tuple(q.event_shape):
        raise ValueError(
            f"KL-divergence between two {what} with                          different event "
            "shapes cannot be computed"
        )


def _woodbury_factor(q: LowRankMultivariateNormal) -> Tensor:
    """``A`` with ``S_q^-1 = D^-1 - A^T A``."""
    wt_dinv = q._unbroadcasted_cov_factor.mT / q._unbroadcasted_cov_diag.unsqueeze(-2)
    return solve_triangular(q._capacitance_tril, wt_dinv, upper=False)


def _log_det_tril(lower: Tensor) -> Tensor:
    return 2 * lower.diagonal(dim1=-2, dim2=-1).log().sum(-1)


@register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)
def _kl_lowrank_lowrank(p: LowRankMultivariateNormal, q: LowRankMultivariateNormal) -> Tensor:
    _same_events(p, q, "Low Rank Multivariate Normals")
    A = _woodbury_factor(q)  # noqa: N806
    Wp, Dp, Dq = p._unbroadcasted_cov_factor, p._unbroadcasted_cov_diag, q._unbroadcasted_cov_diag  # noqa: N806
    trace = (
        (Dp / Dq).sum(-1)
        + _trace_xxt(Wp * Dq.rsqrt().unsqueeze(-1))
        - _trace_xxt(A * Dp.sqrt().unsqueeze(-2))
        - _trace_xxt(A @ Wp)
    )
    log_det = q.log_det() - p.log_det()
    return 0.5 * (log_det + trace + q._mahalanobis(q.loc - p.loc) - p.event_shape[0])


@register_kl(MultivariateNormal, LowRankMultivariateNormal)
def _kl_mvn_lowrank(p: MultivariateNormal, q: LowRankMultivariateNormal) -> Tensor:
    _same_events(p, q, "(Low Rank) Multivariate Normals")
    A = _woodbury_factor(q)  # noqa: N806
    Lp = p._unbroadcasted_scale_tril  # noqa: N806
    trace = _trace_xxt(Lp * q._unbroadcasted_cov_diag.rsqrt().unsqueeze(-1)) - _trace_xxt(A @ Lp)
    log_det = q.log_det() - _log_det_tril(Lp)
    return 0.5 * (log_det + trace + q._mahalanobis(q.loc - p.loc) - p.event_shape[0])


@register_kl(LowRankMultivariateNormal, MultivariateNormal)
def _kl_lowrank_mvn(p: LowRankMultivariateNormal, q: MultivariateNormal) -> Tensor:
    _same_events(p, q, "(Low Rank) Multivariate Normals")
    Lq = q._unbroadcasted_scale_tril  # noqa: N806
    n = p.event_shape[0]
    batch = tuple(
        broadcast_shapes(tuple(Lq.shape[:-2]), tuple(p._unbroadcasted_cov_factor.shape[:-2]))
    )
    Lq = Lq.expand(batch + (n, n))  # noqa: N806
    Wp = p._unbroadcasted_cov_factor.expand(batch + (n, p.cov_factor.shape[-1]))  # noqa: N806
    root_d = diag_embed(p._unbroadcasted_cov_diag.sqrt()).expand(batch + (n, n))
    trace = _trace_xxt(solve_triangular(Lq, Wp, upper=False)) + _trace_xxt(
        solve_triangular(Lq, root_d, upper=False)
    )
    log_det = _log_det_tril(q._unbroadcasted_scale_tril) - p.log_det()
    m = tril_mahalanobis(q._unbroadcasted_scale_tril, q.loc - p.loc)
    return 0.5 * (log_det + trace + m - n)
