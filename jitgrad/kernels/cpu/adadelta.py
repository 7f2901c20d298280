"""The Adadelta update kernel: one compile per dtype, one call per parameter.

Same calling convention as :mod:`jitgrad.kernels.cpu.optim` (tuples of 1-D arrays, scalars
already cast to the parameters' dtype, a kernel typed on single arrays so that the group's size
is not part of its type), and PyTorch's single-tensor CPU Adadelta operation by operation, so
that trajectories match step for step.
"""

from __future__ import annotations

import numpy as np

from .jit import cached_njit
from .optim import _direction


@cached_njit(error_model="numpy")
def adadelta_tensor(p, g, v, u, neg_lr, rho, rest, eps, weight_decay, maximize):
    # d = +-g (+ wd*p); v = v*rho + (rest*d)*d (rest = 1 - rho, rounded once);
    # delta = sqrt(u + eps) / sqrt(v + eps) * d; u = u*rho + (rest*delta)*delta;
    # p += -lr*delta.
    for j in range(p.size):
        d = _direction(p[j], g[j], maximize, weight_decay)
        vj = v[j] * rho + rest * d * d
        v[j] = vj
        delta = np.sqrt(u[j] + eps) / np.sqrt(vj + eps) * d
        u[j] = u[j] * rho + rest * delta * delta
        p[j] = p[j] + neg_lr * delta


def adadelta_step(params, grads, square_avgs, acc_deltas, *scalars):
    """Adadelta on a group: :func:`adadelta_tensor` per parameter (``scalars``: its arguments
    from ``neg_lr`` on)."""
    for i, p in enumerate(params):
        adadelta_tensor(p, grads[i], square_avgs[i], acc_deltas[i], *scalars)
