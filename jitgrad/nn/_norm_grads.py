"""The derivative of a normalization's backward: layer_norm's and batch_norm's second order.

Both ops are ``y = xhat * w + b`` with ``xhat = (x - mean) * rstd`` over a set of elements
(a row of layer_norm, a channel of batch_norm). Their backward ``(gx, gw, gb)`` is a
declared op with a kernel (``NativeLayerNormBackwardBackward0``,
``NativeBatchNormBackwardBackward0`` as PyTorch names its node); this is that op's derivative,
written once in differentiable Tensor ops, so a third order follows the same rules. With
``P(v) = v - mean(v) - xhat * mean(v * xhat)`` (self-adjoint, over the set) the backward is
``gx = rstd * P(g * w)``, ``gw = sum(g * xhat)``, ``gb = sum(g)``; for upstream gradients
``(ux, uw, ub)`` of those three:

* in ``g``: ``rstd * P(ux) * w + xhat * uw + ub`` (the forward's JVP in direction u);
* in ``w``: ``sum(g * rstd * P(ux))``;
* in ``x``: ``rstd * P(uw * g)`` plus the change of ``rstd * P(c)``, ``c = g * w``:
  ``-rstd**2 * (xhat * (m(a c) - m(a) m(c) - 3 p q) + q (a - m(a)) + p (c - m(c)))`` with
  ``a = ux``, ``p = m(a xhat)``, ``q = m(c xhat)``, ``m`` the mean over the set.

The statistics are recomputed from ``x`` in Tensor ops, so they too are differentiated. In
batch_norm's eval mode they are constants (the running statistics) and the backward is linear
in ``x``: :func:`affine_double_backward`.
"""

from __future__ import annotations

from ..frontend import functions as OF
from ..frontend.tensor import Tensor


def _plus(a: Tensor | None, b: Tensor) -> Tensor:
    return b if a is None else a + b


def norm_double_backward(
    g: Tensor,
    x: Tensor,
    w: Tensor | None,
    grads: tuple[Tensor | None, Tensor | None, Tensor | None],
    dims: tuple[int, ...],
    pdims: tuple[int, ...],
    eps: float,
) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
    """Gradients in ``(g, x, w)`` of ``<ux, gx> + <uw, gw> + <ub, gb>`` (module docstring).

    ``dims``: the dims a statistic runs over; ``pdims``: the dims ``gw`` sums over (none for
    layer_norm's unbatched input); ``w``, ``uw`` and ``ub`` arrive shaped to broadcast
    against ``x``, and the ``w`` gradient leaves summed over ``pdims``.
    """
    ux, uw, ub = grads
    mean = x.mean(dims, keepdim=True)
    centered = x - mean
    rstd = OF.rsqrt((centered * centered).mean(dims, keepdim=True) + eps)
    xhat = centered * rstd

    def m(v: Tensor) -> Tensor:
        return v.mean(dims, keepdim=True)

    gg = gx = gw = None
    if ux is not None:
        pu = rstd * (ux - m(ux) - xhat * m(ux * xhat))
        gg = pu if w is None else pu * w
        if w is not None:
            gw = _summed(g * pu, pdims)
        c = g if w is None else g * w
        p, q, ma, mc = m(ux * xhat), m(c * xhat), m(ux), m(c)
        inner = xhat * (m(ux * c) - ma * mc - 3 * p * q) + q * (ux - ma) + p * (c - mc)
        gx = -(rstd * rstd) * inner
    if uw is not None:
        gg = _plus(gg, xhat * uw)
        v = uw * g
        gx = _plus(gx, rstd * (v - m(v) - xhat * m(v * xhat)))
    if ub is not None:
        gg = _plus(gg, ub.expand_as(g))
    return gg, gx, gw


def affine_double_backward(
    g: Tensor,
    x: Tensor,
    w: Tensor | None,
    grads: tuple[Tensor | None, Tensor | None, Tensor | None],
    mean: Tensor,
    rstd: Tensor,
    pdims: tuple[int, ...],
) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
    """:func:`norm_double_backward` with constant statistics (batch_norm in eval mode):
    ``gx = g * w * rstd``, ``gw = sum(g * xhat)``, ``gb = sum(g)``, each linear in g and x."""
    ux, uw, ub = grads
    xhat = (x - mean) * rstd
    gg = gx = gw = None
    if ux is not None:
        gg = ux * rstd if w is None else ux * w * rstd
        if w is not None:
            gw = _summed(ux * g * rstd, pdims)
    if uw is not None:
        gg = _plus(gg, xhat * uw)
        gx = uw * g * rstd
    if ub is not None:
        gg = _plus(gg, ub.expand_as(g))
    return gg, gx, gw


def _summed(v: Tensor, dims: tuple[int, ...]) -> Tensor:
    return v.sum(dims) if dims else v
