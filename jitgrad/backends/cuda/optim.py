"""Optimizer updates on the device: ``sgd_step`` and ``adam_step`` with the signatures of
:mod:`jitgrad.kernels.cpu.optim` (tuples of flat buffers, one entry per parameter, scalars
already cast), one CUDA kernel launch per parameter. The per-element arithmetic is the CPU
kernels' own ``_direction`` and ``_adam_moments`` (Numba compiles ``@njit`` functions
for the device too; not yet verified on a GPU), so both devices follow the same trajectory.

Other optimizers run their CPU kernels on host copies (:func:`host_update`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import cuda

from ...kernels.cpu import optim as cpu
from . import runtime

# The simulator runs kernels as Python: it calls the CPU functions' Python bodies (their
# compiled versions cannot take the simulator's in-kernel arrays).
_direction = cpu._direction.py_func if runtime.SIMULATOR else cpu._direction
_adam_moments = cpu._adam_moments.py_func if runtime.SIMULATOR else cpu._adam_moments


@cuda.jit
def _sgd(p, g, b, n, use_buf, first, lr, momentum, undamped, weight_decay, nesterov, maximize):
    # d = (+-g) + wd*p; buf = d (first step) or momentum*buf + undamped*d; p -= lr*d'
    j = np.int64(cuda.grid(1))
    step = np.int64(cuda.gridsize(1))
    while j < n:
        d = _direction(p[j], g[j], maximize, weight_decay)
        if use_buf:
            if first:
                b[j] = d
            else:
                b[j] = b[j] * momentum + undamped * d
            d = d + momentum * b[j] if nesterov else b[j]
        p[j] = p[j] - lr * d
        j += step


@cuda.jit
def _adam(p, g, m, v, vmax, n, step_size, bc2, sign, decay, wd, w1, beta2, w2, eps, amsgrad):
    # PyTorch's Adam/AdamW for one parameter (see jitgrad.kernels.cpu.optim.adam_step)
    one = w1 - w1 + 1
    low = w1 < one / 2
    j = np.int64(cuda.grid(1))
    step = np.int64(cuda.gridsize(1))
    while j < n:
        pj, mj, vj = _adam_moments(p, g, m, v, j, sign, decay, wd, w1, low, one, beta2, w2)
        if amsgrad:
            if vj > vmax[j] or vj != vj:
                vmax[j] = vj
            vj = vmax[j]
        p[j] = pj - step_size * mj / (np.sqrt(vj) / bc2 + eps)
        j += step


def sgd_step(params, grads, bufs, has_buf, lr, momentum, undamped, wd, nesterov, maximize):
    use_buf = momentum != 0
    for i, p in enumerate(params):
        blocks, threads = runtime.launch_config(p.size)
        first = bool(has_buf[i] == 0)
        buf = bufs[i] if use_buf else p
        _sgd[blocks, threads](
            p, grads[i], buf, p.size, use_buf, first, lr, momentum, undamped, wd, nesterov,
            maximize,
        )  # fmt: skip
        if use_buf:
            has_buf[i] = 1


def adam_step(
    params, grads, exp_avgs, exp_avg_sqs, max_sqs, step_sizes, bc2_sqrts, w1, beta2, w2, eps,
    weight_decay, decay, amsgrad, maximize,
):  # fmt: skip
    one = w1 - w1 + 1
    sign = -one if maximize else one
    for i, p in enumerate(params):
        blocks, threads = runtime.launch_config(p.size)
        _adam[blocks, threads](
            p, grads[i], exp_avgs[i], exp_avg_sqs[i], max_sqs[i], p.size, step_sizes[i],
            bc2_sqrts[i], sign, decay, weight_decay, w1, beta2, w2, eps, amsgrad,
        )  # fmt: skip


def host_update(optimizer: Any, group: dict, params: list, dtype: Any) -> None:
    """``optimizer._update`` on host copies of the parameters and gradients (its state
    stays on the host), then the new values copied back into the device buffers."""
    kept = [(p, p._value, p._grad, p._grad._value) for p in params]
    for p in params:
        p._value = runtime.to_host(p._value)
        p._grad._value = runtime.to_host(p._grad._value)
    try:
        optimizer._update(group, params, dtype)
    finally:
        for p, value, grad, grad_value in kept:
            value.copy_to_device(p._value)
            p._value = value
            grad._value = grad_value
