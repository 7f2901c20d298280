"""Optimizer updates on the device: ``sgd_step``, ``adam_step``, ``adagrad_step``,
``rmsprop_step`` and ``adadelta_step`` with the signatures of
:mod:`jitgrad.kernels.cpu.optim` (tuples of flat buffers, one entry per parameter, scalars
already cast by the CPU optimizer), one launch per parameter of the kernels in
:mod:`jitgrad.kernels.cuda.optim`, whose per-element arithmetic is the CPU kernels' operation
for operation: both devices follow the same trajectory. Adamax, NAdam, RAdam, ASGD and Rprop
launch per parameter (``<name>_launch``, :mod:`jitgrad.kernels.cuda.optim_more`).

Other optimizers (LBFGS, SparseAdam) run their CPU updates on host copies
(:func:`host_update`), which ``JITGRAD_DEBUG=1`` logs as ``host fallback: optim.<Name>``.
"""

from __future__ import annotations

from typing import Any

from ...helpers import debug_print
from ...kernels.cuda import optim as kernels
from ...kernels.cuda.optim_more import (  # noqa: F401  (the NumPy-expression optimizers' steps)
    adamax_launch,
    asgd_launch,
    nadam_launch,
    radam_launch,
    rprop_launch,
)  # fmt: skip
from . import runtime


def sgd_step(params, grads, bufs, has_buf, lr, momentum, undamped, wd, nesterov, maximize):
    use_buf = momentum != 0
    for i, p in enumerate(params):
        first = bool(has_buf[i] == 0)
        buf = bufs[i] if use_buf else p
        kernels.sgd_launch(p, grads[i], buf, lr, momentum, undamped, wd, nesterov, maximize,
                           first)  # fmt: skip
        if use_buf:
            has_buf[i] = 1


def adam_step(
    params, grads, exp_avgs, exp_avg_sqs, max_sqs, step_sizes, bc2_sqrts, w1, beta2, w2, eps,
    weight_decay, decay, amsgrad, maximize,
):  # fmt: skip
    one = w1 - w1 + 1
    sign = -one if maximize else one
    for i, p in enumerate(params):
        kernels.adam_launch(
            p, grads[i], exp_avgs[i], exp_avg_sqs[i], max_sqs[i], step_sizes[i], bc2_sqrts[i],
            sign, decay, weight_decay, w1, beta2, w2, eps, amsgrad,
        )  # fmt: skip


def adagrad_step(params, grads, sums, neg_clrs, eps, weight_decay, maximize):
    for i, p in enumerate(params):
        kernels.adagrad_launch(p, grads[i], sums[i], neg_clrs[i], eps, weight_decay, maximize)


def rmsprop_step(params, grads, square_avgs, grad_avgs, bufs, *scalars):
    for i, p in enumerate(params):
        kernels.rmsprop_launch(p, grads[i], square_avgs[i], grad_avgs[i], bufs[i], *scalars)


def adadelta_step(params, grads, square_avgs, acc_deltas, *scalars):
    for i, p in enumerate(params):
        kernels.adadelta_launch(p, grads[i], square_avgs[i], acc_deltas[i], *scalars)


def host_update(optimizer: Any, group: dict, params: list, dtype: Any) -> None:
    """``optimizer._update`` on host copies of the parameters and gradients (its state
    stays on the host), then the new values copied back into the device buffers."""
    debug_print(1, f"host fallback: optim.{type(optimizer).__name__}")
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
