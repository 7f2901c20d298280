"""Optimizer update kernels: one compiled kernel per parameter, called once per parameter.

The group functions (``sgd_step``, ``adam_step``...) take tuples of 1-D contiguous arrays (one
entry per parameter) and call a kernel typed on single arrays for each entry, so one compile
per dtype serves a group of any size. (A kernel taking the tuple itself was compiled once per
parameter COUNT, the tuple's length being part of its Numba type: 15 compiles, ~8 s, in the
optimizer tests alone. Measured per step, float32, 2-core machine under load: 6 MLP
parameters (784x512...) cost the same for Adam, RMSprop and Adagrad, and SGD with momentum
is 10x faster, 0.32 ms instead of 3.2 ms (probably because indexing a tuple with a loop
variable is a switch over its entries, which kept LLVM from vectorizing that loop); 100
parameters of 10 elements pay the dispatches, 0.25-2.3 us more per parameter. A
``numba.typed.List`` costs ~12 us per array to build, collecting the arrays' addresses
~2.3 us.)

Scalars arrive already cast to the parameters' dtype, and every operation stays in that dtype
(a float32 update computed in float64 drifts from PyTorch by an ulp a step); the arithmetic
follows PyTorch's single-tensor CPU implementations operation by operation, with the fused
multiply-adds of its vectorized kernels (:func:`_fma`), so trajectories match step for step
(float32 SGD bit for bit; Adam, RMSprop and Adagrad up to PyTorch's vectorized float32 sqrt,
which is not correctly rounded: up to 0.75 ulp, measured with PyTorch 2.13 on AVX512).
``error_model="numpy"``: a float division by zero gives inf/nan as in PyTorch instead of
raising, and (measured) it is what lets LLVM vectorize Adam's sqrt and division, 3-4x faster.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .fma import fma as _fma
from .jit import cached_njit


@njit(inline="always")
def _direction(pj, gj, maximize, weight_decay):
    # The step direction SGD, RMSprop and Adagrad start from: +-g (+ wd*p when on, fused as
    # PyTorch's grad.add(p, alpha=wd)).
    d = -gj if maximize else gj
    if weight_decay != 0:
        d = _fma(pj, weight_decay, d)
    return d


@cached_njit(error_model="numpy")
def sgd_tensor(p, g, b, first, lr, momentum, undamped, weight_decay, nesterov, maximize):
    # d = (+-g) + wd*p; buf = d (first step) or momentum*buf + undamped*d (undamped =
    # 1 - dampening); d = d + momentum*buf (nesterov) or buf; p -= lr*d. b unused when
    # momentum == 0. Every "x + a*y" is one fused multiply-add, as PyTorch's add(alpha=).
    use_buf = momentum != 0
    for j in range(p.size):
        d = _direction(p[j], g[j], maximize, weight_decay)
        if use_buf:
            if first:
                b[j] = d
            else:
                b[j] = _fma(d, undamped, b[j] * momentum)
            d = _fma(b[j], momentum, d) if nesterov else b[j]
        p[j] = _fma(d, -lr, p[j])


def sgd_step(params, grads, bufs, has_buf, lr, momentum, undamped, weight_decay, nesterov,
             maximize):  # fmt: skip
    """SGD on a group: :func:`sgd_tensor` per parameter; ``has_buf[i]`` is 0 when parameter
    i's momentum buffer is new (set to 1 after)."""
    use_buf = momentum != 0
    for i, p in enumerate(params):
        sgd_tensor(p, grads[i], bufs[i], bool(has_buf[i] == 0), lr, momentum, undamped,
                   weight_decay, nesterov, maximize)  # fmt: skip
        if use_buf:
            has_buf[i] = 1


@njit(inline="always")
def _adam_moments(p, g, m, v, j, sign, decay, weight_decay, w1, low, beta2, w2):
    # Element j's decayed parameter and new moments (stored into m and v), in p's dtype and
    # PyTorch's order: grad.add(p, alpha=wd) and addcmul_ are fused multiply-adds; lerp_ is
    # fma(w, g - m, m) for a small weight, else fma(w - 1, g - m, g).
    T1 = p.dtype.type(1)  # noqa: N806 - a bare 1 would promote float32 to float64
    pj = p[j] * decay
    gj = sign * g[j]
    if weight_decay != 0:
        gj = _fma(pj, weight_decay, gj)
    mj = m[j]
    mj = _fma(w1, gj - mj, mj) if low else _fma(w1 - T1, gj - mj, gj)
    vj = _fma(w2 * gj, gj, v[j] * beta2)
    m[j] = mj
    v[j] = vj
    return pj, mj, vj


@cached_njit(error_model="numpy")
def _adam_tensor(
    p, g, m, v, vmax, step_size, bc2, sign, decay, weight_decay, w1, beta2, w2, eps, amsgrad
):
    # One parameter's Adam update (see adam_step); the branches are loop-invariant except
    # amsgrad's max, which gets its own loop so the common loop vectorizes. Every scalar is
    # taken in p's dtype first: a float64 one (the capture interpreter passes ``sign`` as a
    # double) would promote the whole float32 update to float64, 1 ulp off PyTorch a step.
    T = p.dtype.type  # noqa: N806
    sign, decay, weight_decay, w1, beta2 = T(sign), T(decay), T(weight_decay), T(w1), T(beta2)
    w2, eps, step_size, bc2 = T(w2), T(eps), T(step_size), T(bc2)
    low = w1 < T(0.5)
    if amsgrad:
        for j in range(p.size):
            pj, mj, vj = _adam_moments(
                p, g, m, v, j, sign, decay, weight_decay, w1, low, beta2, w2
            )
            if vj > vmax[j] or vj != vj:
                vmax[j] = vj
            p[j] = pj - step_size * mj / (np.sqrt(vmax[j]) / bc2 + eps)
        return
    for j in range(p.size):
        pj, mj, vj = _adam_moments(p, g, m, v, j, sign, decay, weight_decay, w1, low, beta2, w2)
        p[j] = pj - step_size * mj / (np.sqrt(vj) / bc2 + eps)


def adam_step(params, grads, exp_avgs, exp_avg_sqs, max_sqs, step_sizes, bc2_sqrts, w1, beta2,
              w2, eps, weight_decay, decay, amsgrad, maximize):  # fmt: skip
    """PyTorch's Adam/AdamW on a group: :func:`_adam_tensor` per parameter.

    g (+ wd*p for Adam; p *= decay = 1 - lr*wd for AdamW, exact no-op when decay == 1);
    m = lerp(m, g, 1-b1); v = b2*v + (1-b2)*g*g (fused, see _adam_moments);
    vmax = max(vmax, v) (amsgrad); p -= step_size * m / (sqrt(v or vmax)/sqrt(1-b2^t) + eps)
    with step_size = lr/(1-b1^t), evaluated (step_size * m) / denom as PyTorch's
    addcdiv_(m, denom, value=-step_size) does. -g for maximize is g * -1 (exact).
    w1 = 1 - b1 and w2 = 1 - b2 come rounded once from Python, as PyTorch's scalars do
    (1 - float32(0.999) is 0.00099998713, not float32(0.001))."""
    sign = -1.0 if maximize else 1.0
    for i, p in enumerate(params):
        _adam_tensor(p, grads[i], exp_avgs[i], exp_avg_sqs[i], max_sqs[i], step_sizes[i],
                     bc2_sqrts[i], sign, decay, weight_decay, w1, beta2, w2, eps,
                     amsgrad)  # fmt: skip


@cached_njit(error_model="numpy")
def rmsprop_tensor(p, g, v, m, b, neg_lr, alpha, rest, eps, weight_decay, momentum, centered,
                   maximize):  # fmt: skip
    # PyTorch's RMSprop, op by op: d = +-g (+ wd*p); v = v*alpha + ((1-alpha)*d)*d (rest is
    # 1 - alpha, rounded once); centered: m = lerp(m, d, 1-alpha), avg = sqrt(v + (-1*m)*m)
    # + eps, else avg = sqrt(v) + eps; momentum: b = b*momentum + d/avg, p += -lr*b; else
    # p += (-lr*d)/avg. m and b are unused (any arrays) when off. addcmul_, lerp_
    # and add(alpha=) are fused multiply-adds, as in PyTorch's vectorized kernels; all in the
    # parameters' dtype (a bare 1 would promote float32 to float64).
    one = p.dtype.type(1)
    low = rest < one / p.dtype.type(2)
    for j in range(p.size):
        d = _direction(p[j], g[j], maximize, weight_decay)
        vj = _fma(rest * d, d, v[j] * alpha)
        v[j] = vj
        if centered:
            mj = m[j]
            mj = _fma(rest, d - mj, mj) if low else _fma(rest - one, d - mj, d)
            m[j] = mj
            avg = np.sqrt(_fma(-mj, mj, vj)) + eps
        else:
            avg = np.sqrt(vj) + eps
        if momentum > 0:
            bj = b[j] * momentum + d / avg
            b[j] = bj
            p[j] = _fma(bj, neg_lr, p[j])
        else:
            p[j] = p[j] + neg_lr * d / avg


def rmsprop_step(params, grads, square_avgs, grad_avgs, bufs, *scalars):
    """RMSprop on a group: :func:`rmsprop_tensor` per parameter (``scalars``: its arguments
    from ``neg_lr`` on)."""
    for i, p in enumerate(params):
        rmsprop_tensor(p, grads[i], square_avgs[i], grad_avgs[i], bufs[i], *scalars)


@cached_njit(error_model="numpy")
def adagrad_tensor(p, g, s, nclr, eps, weight_decay, maximize):
    # PyTorch's Adagrad, op by op: d = +-g (+ wd*p); s = s + (1*d)*d (fused, as addcmul_);
    # p += (-clr*d)/(sqrt(s) + eps), with clr = lr / (1 + (step-1)*lr_decay) (nclr = -clr).
    for j in range(p.size):
        d = _direction(p[j], g[j], maximize, weight_decay)
        sj = _fma(d, d, s[j])
        s[j] = sj
        p[j] = p[j] + nclr * d / (np.sqrt(sj) + eps)


def adagrad_step(params, grads, sums, neg_clrs, eps, weight_decay, maximize):
    """Adagrad on a group: :func:`adagrad_tensor` per parameter (``neg_clrs[i]``: -clr)."""
    for i, p in enumerate(params):
        adagrad_tensor(p, grads[i], sums[i], neg_clrs[i], eps, weight_decay, maximize)
