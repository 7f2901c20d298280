"""Optimizer update kernels: one launch updates every parameter of a group (one dtype).

The parameters, gradients and state buffers arrive as tuples of 1-D contiguous arrays (one
entry per parameter), so a whole group is one call however many tensors it holds. Scalars
arrive already cast to the parameters' dtype; the arithmetic follows PyTorch's single-tensor
CPU implementations operation by operation, so trajectories match step for step.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def sgd_step(
    params, grads, bufs, has_buf, lr, momentum, undamped, weight_decay, nesterov, maximize
):
    # d = (+-g) + wd*p; buf = d (first step) or momentum*buf + undamped*d (undamped =
    # 1 - dampening); d = d + momentum*buf (nesterov) or buf; p -= lr*d. bufs unused when
    # momentum == 0.
    for i in range(len(params)):
        p = params[i]
        g = grads[i]
        use_buf = momentum != 0
        if use_buf:
            b = bufs[i]
            first = has_buf[i] == 0
        for j in range(p.size):
            d = -g[j] if maximize else g[j]
            if weight_decay != 0:
                d = d + weight_decay * p[j]
            if use_buf:
                if first:
                    b[j] = d
                else:
                    b[j] = b[j] * momentum + undamped * d
                d = d + momentum * b[j] if nesterov else b[j]
            p[j] = p[j] - lr * d
        if use_buf:
            has_buf[i] = 1


@njit(cache=True)
def adam_step(
    params,
    grads,
    exp_avgs,
    exp_avg_sqs,
    max_sqs,
    step_sizes,
    bc2_sqrts,
    beta1,
    beta2,
    eps,
    weight_decay,
    decay,
    amsgrad,
    maximize,
):
    # PyTorch's Adam/AdamW: g (+ wd*p for Adam; p *= decay = 1 - lr*wd for AdamW);
    # m = lerp(m, g, 1-b1); v = b2*v + (1-b2)*g*g; vmax = max(vmax, v) (amsgrad);
    # p -= step_size * m / (sqrt(v or vmax)/sqrt(1-b2^t) + eps), step_size = lr/(1-b1^t).
    one = beta1 - beta1 + 1
    w1 = one - beta1
    half = one / 2
    decoupled = decay != one
    for i in range(len(params)):
        p = params[i]
        g = grads[i]
        m = exp_avgs[i]
        v = exp_avg_sqs[i]
        vmax = max_sqs[i]
        step_size = step_sizes[i]
        bc2 = bc2_sqrts[i]
        for j in range(p.size):
            gj = -g[j] if maximize else g[j]
            if decoupled:
                p[j] = p[j] * decay
            if weight_decay != 0:
                gj = gj + weight_decay * p[j]
            if w1 < half:
                m[j] = m[j] + w1 * (gj - m[j])
            else:
                m[j] = gj - (gj - m[j]) * (one - w1)
            v[j] = v[j] * beta2 + (one - beta2) * gj * gj
            vv = v[j]
            if amsgrad:
                if vv > vmax[j] or vv != vv:
                    vmax[j] = vv
                vv = vmax[j]
            denom = np.sqrt(vv) / bc2 + eps
            p[j] = p[j] - step_size * (m[j] / denom)
