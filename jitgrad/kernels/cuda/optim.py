"""Optimizer steps on the device: SGD and Adam/AdamW, one fused elementwise launch per tensor.

Each kernel reads the parameter, its gradient and its state once and writes them back in
place, with the arithmetic of ``jitgrad/kernels/cpu/optim.py`` (PyTorch's single-tensor
implementations) in the same operation order and with the scalars rounded to the parameter's
dtype the same way, so a device trajectory matches the CPU one to rounding (the CPU's fused
multiply-adds are ``cuda.fma`` here). The per-step scalars (Adam's bias corrections) are
computed on the host from the host-side step count, so a step needs no synchronization.

Adam's ``1 - beta1`` and ``1 - beta2`` arrive computed in double and rounded to the dtype once,
as PyTorch passes them (``lerp_(g, 1 - beta1)``, ``addcmul_(g, g, value=1 - beta2)``), and
``sqrt(1 - beta2**t)`` is taken by pow as PyTorch does: the CPU optimizers do the same, and
the device backend's ``optim.SGD``/``Adam``/``AdamW`` launch these kernels through
:func:`sgd_launch`/:func:`adam_launch` with the CPU optimizer's own scalars, so the two
devices agree bit for bit (tests/cuda_sim/kern_optim.py).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
from numba import config, cuda

from .common import contiguous, elementwise_grid, float_dtype, view

__all__ = [
    "sgd_step", "adam_step", "sgd_launch", "adam_launch", "adagrad_launch", "rmsprop_launch",
    "adadelta_launch",
]  # fmt: skip


def _fma_correctly_rounded(a: Any, b: Any, c: Any) -> Any:
    """``a*b + c`` rounded once, in the operands' dtype: what ``cuda.fma`` computes on a GPU
    and ``llvm.fma`` on the CPU. Numba's CUDA simulator implements ``cuda.fma`` as
    ``a*b + c`` (two roundings), so the simulator runs this instead: the exact value as a
    fraction, then the nearest value of the dtype (ties to even)."""
    kind = np.result_type(a, b, c).type
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
        return kind(np.float64(a) * np.float64(b) + np.float64(c))
    exact = Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c))
    near = kind(float(exact))  # float(Fraction) is correctly rounded to double
    if kind is np.float64 or not math.isfinite(near):
        return near
    below, above = np.nextafter(near, kind(-np.inf)), np.nextafter(near, kind(np.inf))

    def distance(x: Any) -> tuple:
        bits = int(np.asarray(x, np.float32).view(np.int32))
        return (abs(Fraction(float(x)) - exact), bits & 1)

    return min((near, below, above), key=distance)


if config.ENABLE_CUDASIM:
    _fma = _fma_correctly_rounded
else:

    @cuda.jit(device=True, inline=True)
    def _fma(a, b, c):  # pragma: no cover - compiled for a GPU
        return cuda.fma(a, b, c)


@cuda.jit
def _sgd_kernel(p, g, buf, lr, momentum, undamped, weight_decay, nesterov, maximize, first):
    # d = (+-g) + wd*p; buf = d (first step) or momentum*buf + undamped*d; d = d +
    # momentum*buf (nesterov) or buf; p -= lr*d. buf unused when momentum == 0. Every
    # "x + a*y" is one fused multiply-add, as on the CPU (PyTorch's add(alpha=)).
    start, step = cuda.grid(1), cuda.gridsize(1)
    for j in range(start, p.size, step):
        d = -g[j] if maximize else g[j]
        if weight_decay != 0:
            d = _fma(p[j], weight_decay, d)
        if momentum != 0:
            if first:
                b = d
            else:
                b = _fma(d, undamped, buf[j] * momentum)
            buf[j] = b
            d = _fma(b, momentum, d) if nesterov else b
        p[j] = _fma(d, -lr, p[j])


@cuda.jit
def _adam_kernel(p, g, m, v, vmax, step_size, bc2, sign, decay, weight_decay, w1, beta2, w2,
                 eps, amsgrad):  # fmt: skip
    # p *= decay (AdamW); g' = sign*g (+ wd*p); m = lerp(m, g', w1 = 1-b1); v = b2*v +
    # w2*g'*g' (w2 = 1-b2); vmax = max(vmax, v) (amsgrad, NaN wins); p -= step_size*m /
    # (sqrt(v or vmax)/bc2 + eps). The CPU kernel's fused multiply-adds, in its order.
    one = p.dtype.type(1)
    low = w1 < one / p.dtype.type(2)
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for j in range(start, p.size, stride):
        pj = p[j] * decay
        gj = sign * g[j]
        if weight_decay != 0:
            gj = _fma(pj, weight_decay, gj)
        mj = m[j]
        mj = _fma(w1, gj - mj, mj) if low else _fma(w1 - one, gj - mj, gj)
        vj = _fma(w2 * gj, gj, v[j] * beta2)
        m[j] = mj
        v[j] = vj
        if amsgrad:
            if vj > vmax[j] or vj != vj:
                vmax[j] = vj
            vj = vmax[j]
        p[j] = pj - step_size * mj / (math.sqrt(vj) / bc2 + eps)


@cuda.jit(device=True, inline=True)
def _direction(pj, gj, maximize, weight_decay):
    # The step direction Adagrad, RMSprop and Adadelta start from (the CPU kernels'
    # _direction): +-g, + wd*p fused when on.
    d = -gj if maximize else gj
    return _fma(pj, weight_decay, d) if weight_decay != 0 else d


@cuda.jit
def _adagrad_kernel(p, g, s, nclr, eps, weight_decay, maximize):
    # d = (+-g) (+ wd*p, fused); s = d*d + s (fused, as addcmul_); p += nclr*d / (sqrt(s) +
    # eps), nclr = -lr / (1 + (step-1)*lr_decay): the CPU kernel's operations in its order.
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for j in range(start, p.size, stride):
        d = _direction(p[j], g[j], maximize, weight_decay)
        sj = _fma(d, d, s[j])
        s[j] = sj
        p[j] = p[j] + nclr * d / (math.sqrt(sj) + eps)


@cuda.jit
def _rmsprop_kernel(p, g, v, m, b, neg_lr, alpha, rest, eps, weight_decay, momentum, centered,
                    maximize):  # fmt: skip
    # The CPU rmsprop_tensor op by op: d = +-g (+ wd*p, fused); v = (rest*d)*d + v*alpha
    # (fused, rest = 1 - alpha); centered: m = lerp(m, d, rest), avg = sqrt(-m*m + v) + eps
    # (fused), else sqrt(v) + eps; momentum: b = b*momentum + d/avg, p = b*neg_lr + p (fused);
    # else p += neg_lr*d/avg. m and b unused (any buffer) when off.
    one = p.dtype.type(1)
    low = rest < one / p.dtype.type(2)
    cast = p.dtype.type  # (of math.sqrt: a no-op on a GPU; the simulator returns a double)
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for j in range(start, p.size, stride):
        d = _direction(p[j], g[j], maximize, weight_decay)
        vj = _fma(rest * d, d, v[j] * alpha)
        v[j] = vj
        if centered:
            mj = m[j]
            mj = _fma(rest, d - mj, mj) if low else _fma(rest - one, d - mj, d)
            m[j] = mj
            avg = cast(math.sqrt(_fma(-mj, mj, vj))) + eps
        else:
            avg = cast(math.sqrt(vj)) + eps
        if momentum > 0:
            bj = b[j] * momentum + d / avg
            b[j] = bj
            p[j] = _fma(bj, neg_lr, p[j])
        else:
            p[j] = p[j] + neg_lr * d / avg


@cuda.jit
def _adadelta_kernel(p, g, v, u, neg_lr, rho, rest, eps, weight_decay, maximize):
    # The CPU adadelta_tensor op by op: d = +-g (+ wd*p, fused); v = v*rho + rest*d*d;
    # delta = sqrt(u + eps) / sqrt(v + eps) * d; u = u*rho + rest*delta*delta; p += -lr*delta
    # (unfused there: plain multiplies and adds here too).
    cast = p.dtype.type  # (of math.sqrt: a no-op on a GPU; the simulator returns a double)
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for j in range(start, p.size, stride):
        d = _direction(p[j], g[j], maximize, weight_decay)
        vj = v[j] * rho + rest * d * d
        v[j] = vj
        delta = cast(math.sqrt(u[j] + eps)) / cast(math.sqrt(vj + eps)) * d
        u[j] = u[j] * rho + rest * delta * delta
        p[j] = p[j] + neg_lr * delta


def _check(p: Any, others: dict[str, Any], op: str) -> np.dtype:
    dt = float_dtype(p, op)
    contiguous(p, op)
    for name, a in others.items():
        if a is None:
            continue
        contiguous(a, op)
        if tuple(a.shape) != tuple(p.shape) or np.dtype(a.dtype) != dt:
            raise RuntimeError(
                f"{op}: {name} has shape {tuple(a.shape)} and dtype {a.dtype}; the parameter "
                f"has {tuple(p.shape)} and {dt}"
            )
    return dt


def _launch(kernel: Any, n: int, *args: Any) -> None:
    if n:
        grid, threads = elementwise_grid(n)
        kernel[grid, threads](*args)


def _flat(a: Any) -> Any:
    return view(a, a.size)


def sgd_step(
    param: Any,
    grad: Any,
    momentum_buffer: Any = None,
    *,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
    maximize: bool = False,
    first_step: bool = False,
) -> None:
    """One ``optim.SGD`` step for one parameter, in place on ``param`` and
    ``momentum_buffer`` (needed when ``momentum != 0``; ``first_step`` when the buffer is new
    and uninitialised: it becomes the direction itself, as PyTorch's ``clone(d)``)."""
    dt = _check(param, {"grad": grad, "momentum_buffer": momentum_buffer}, "sgd_step")
    if momentum != 0 and momentum_buffer is None:
        raise RuntimeError("sgd_step: momentum != 0 needs a momentum_buffer")
    c = dt.type
    buf = momentum_buffer if momentum != 0 else grad
    sgd_launch(param, grad, buf, c(lr), c(momentum), c(1 - dampening), c(weight_decay),
               nesterov, maximize, first_step)  # fmt: skip


def adam_step(
    param: Any,
    grad: Any,
    exp_avg: Any,
    exp_avg_sq: Any,
    max_exp_avg_sq: Any = None,
    *,
    step: int,
    lr: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    maximize: bool = False,
    decoupled: bool = False,
) -> None:
    """One ``optim.Adam`` (``decoupled=False``) or ``optim.AdamW`` (``decoupled=True``)
    step for one parameter, in place on it and its state; ``step`` is the step number after
    incrementing (1 on the first step); ``max_exp_avg_sq`` is needed with ``amsgrad``."""
    dt = _check(
        param,
        {"grad": grad, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq, "max": max_exp_avg_sq},
        "adam_step",
    )
    if amsgrad and max_exp_avg_sq is None:
        raise RuntimeError("adam_step: amsgrad needs max_exp_avg_sq")
    c = dt.type
    step_size = c(lr / (1 - beta1**step))
    bc2 = c((1 - beta2**step) ** 0.5)  # pow, as PyTorch and the CPU optimizer (not sqrt)
    vmax = max_exp_avg_sq if amsgrad else exp_avg_sq
    adam_launch(
        param, grad, exp_avg, exp_avg_sq, vmax, step_size, bc2, c(-1 if maximize else 1),
        c(1 - lr * weight_decay if decoupled else 1), c(0 if decoupled else weight_decay),
        c(1 - beta1), c(beta2), c(1 - beta2), c(eps), bool(amsgrad),
    )  # fmt: skip


def sgd_launch(p, g, buf, lr, momentum, undamped, weight_decay, nesterov, maximize, first):
    """The SGD kernel on one parameter with scalars already cast to its dtype (the device
    backend's ``optim.SGD`` path: the CPU optimizer computes and casts them, so both devices
    run the same arithmetic on the same scalars)."""
    _launch(_sgd_kernel, p.size, _flat(p), _flat(g), _flat(buf), lr, momentum, undamped,
            weight_decay, bool(nesterov), bool(maximize), bool(first))  # fmt: skip


def adam_launch(p, g, m, v, vmax, step_size, bc2, sign, decay, weight_decay, w1, beta2, w2, eps,
                amsgrad):  # fmt: skip
    """The Adam kernel on one parameter with the per-step scalars computed and cast by the
    caller (:func:`adam_step`, or the CPU ``optim.Adam`` through the device backend)."""
    _launch(_adam_kernel, p.size, _flat(p), _flat(g), _flat(m), _flat(v), _flat(vmax), step_size,
            bc2, sign, decay, weight_decay, w1, beta2, w2, eps, bool(amsgrad))  # fmt: skip


def adagrad_launch(p, g, s, nclr, eps, weight_decay, maximize):
    """The Adagrad kernel on one parameter (scalars cast by the CPU optimizer)."""
    _launch(_adagrad_kernel, p.size, _flat(p), _flat(g), _flat(s), nclr, eps, weight_decay,
            bool(maximize))  # fmt: skip


def rmsprop_launch(p, g, v, m, b, neg_lr, alpha, rest, eps, weight_decay, momentum, centered,
                   maximize):  # fmt: skip
    """The RMSprop kernel on one parameter (``m``/``b`` any buffer when unused)."""
    _launch(_rmsprop_kernel, p.size, _flat(p), _flat(g), _flat(v), _flat(m), _flat(b), neg_lr,
            alpha, rest, eps, weight_decay, momentum, bool(centered), bool(maximize))  # fmt: skip


def adadelta_launch(p, g, v, u, neg_lr, rho, rest, eps, weight_decay, maximize):
    """The Adadelta kernel on one parameter (scalars cast by the CPU optimizer)."""
    _launch(_adadelta_kernel, p.size, _flat(p), _flat(g), _flat(v), _flat(u), neg_lr, rho, rest,
            eps, weight_decay, bool(maximize))  # fmt: skip
