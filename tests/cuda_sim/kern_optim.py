"""Device SGD / Adam / AdamW steps (jitgrad.kernels.cuda.optim) against jitgrad's CPU optimizers.

A few steps with changing gradients on both; parameters and state must agree. In the simulator
the kernel's arithmetic is numpy scalar arithmetic in the parameter's dtype, so comparisons can
be bitwise: SGD (both dtypes) and float64 Adam equal the CPU bit for bit; float32 Adam (the
CPU and the device both round ``1 - beta2`` once, as PyTorch does) is within 4 ulp of the
CPU's compiled loop and equals a numpy transcription of PyTorch's single-tensor Adam bit for
bit. The kernels' fused multiply-adds run correctly rounded in the simulator
(``_fma_correctly_rounded``: Numba's simulator computes ``cuda.fma`` with two roundings).
On a GPU, which may fuse multiply-adds, "bitwise" becomes a few units in the last place.
"""

from __future__ import annotations

import numpy as np
import pytest
from kern_common import FLOATS, SIM, dev, host

import jitgrad
from jitgrad.kernels.cuda import optim as K

STEPS = 3


def same(got, want):
    """Bitwise in the simulator; to a few ulps on a GPU."""
    if SIM:
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=8 * np.finfo(got.dtype).eps, atol=1e-30)


def cpu_run(opt_cls, kwargs, p0, grads):
    p = jitgrad.tensor(p0.copy(), requires_grad=True)
    opt = opt_cls([p], **kwargs)
    for g in grads:
        p.grad = jitgrad.tensor(g)
        opt.step()
    return p.detach().numpy(), opt.state[p]


SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01),
    dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1, maximize=True),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("kw", SGD_CASES)
def test_sgd_matches_cpu(dtype, kw):
    rng = np.random.default_rng(0)
    p0 = rng.standard_normal((3, 5)).astype(dtype)
    grads = [rng.standard_normal((3, 5)).astype(dtype) for _ in range(STEPS)]
    ref_p, ref_state = cpu_run(jitgrad.optim.SGD, kw, p0, grads)
    p = dev(p0)
    buf = dev(np.zeros_like(p0))
    for i, g in enumerate(grads):
        K.sgd_step(p, dev(g), buf, first_step=i == 0, **kw)
    same(host(p), ref_p)
    if kw.get("momentum"):
        same(host(buf), ref_state["momentum_buffer"].numpy())


ADAM_CASES = [
    (jitgrad.optim.Adam, dict(lr=0.01)),
    (jitgrad.optim.Adam, dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True)),
    (jitgrad.optim.Adam, dict(lr=0.02, betas=(0.3, 0.9), eps=1e-6, maximize=True)),
    (jitgrad.optim.AdamW, dict(lr=0.01)),
    (jitgrad.optim.AdamW, dict(lr=0.01, weight_decay=0.5, amsgrad=True, maximize=True)),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("case", ADAM_CASES, ids=lambda c: f"{c[0].__name__}-{sorted(c[1])}")
def test_adam_matches_cpu(dtype, case):
    opt_cls, kw = case
    rng = np.random.default_rng(1)
    p0 = rng.standard_normal(7).astype(dtype)
    grads = [rng.standard_normal(7).astype(dtype) for _ in range(STEPS)]
    ref_p, st = cpu_run(opt_cls, kw, p0, grads)
    p, m, v, vmax = (dev(x) for x in (p0, *(np.zeros_like(p0),) * 3))
    b1, b2 = kw.get("betas", (0.9, 0.999))
    wd = kw.get("weight_decay", 1e-2 if opt_cls is jitgrad.optim.AdamW else 0)
    for i, g in enumerate(grads):
        K.adam_step(
            p, dev(g), m, v, vmax, step=i + 1, lr=kw["lr"], beta1=b1, beta2=b2,
            eps=kw.get("eps", 1e-8), weight_decay=wd,
            amsgrad=kw.get("amsgrad", False), maximize=kw.get("maximize", False),
            decoupled=opt_cls is jitgrad.optim.AdamW,
        )  # fmt: skip
    # float64: bit for bit. float32: the same scalars and operation order, yet the CPU's
    # compiled loop and the simulator's numpy scalars differ by 1 ulp on some elements (the
    # numpy transcription of PyTorch below is matched bit for bit)
    cmp = same if dtype == np.float64 else check_f32
    cmp(host(p), ref_p)
    cmp(host(m), st["exp_avg"].numpy())
    cmp(host(v), st["exp_avg_sq"].numpy())
    if kw.get("amsgrad"):
        cmp(host(vmax), st["max_exp_avg_sq"].numpy())
    if dtype == np.float32:
        ref = torch_adam(p0, grads, kw["lr"], b1, b2, kw.get("eps", 1e-8), wd,
                         kw.get("amsgrad", False), kw.get("maximize", False),
                         opt_cls is jitgrad.optim.AdamW)  # fmt: skip
        for got, want in zip((p, m, v), ref, strict=True):
            same(host(got), want)


def check_f32(got, want):
    np.testing.assert_allclose(got, want, rtol=4 * np.finfo(np.float32).eps, atol=1e-30)


def torch_adam(p0, grads, lr, b1, b2, eps, wd, amsgrad, maximize, decoupled):
    """PyTorch's _single_tensor_adam on float32 numpy arrays: double scalars rounded to the
    dtype where they meet a tensor; ``add(alpha=)``, ``lerp_`` and ``addcmul_`` each one fused
    multiply-add, as PyTorch's CPU kernels compute them (measured against PyTorch 2.13)."""
    f = p0.dtype.type
    fma = np.vectorize(K._fma_correctly_rounded, otypes=[p0.dtype])
    p, m, v, vmax = p0.copy(), *(np.zeros_like(p0),) * 3
    for step, g in enumerate(grads, 1):
        g = -g if maximize else g
        if decoupled:
            p = p * f(1 - lr * wd)
        elif wd:
            g = fma(p, f(wd), g)
        w = f(1 - b1)
        m = fma(w, g - m, m) if w < 0.5 else fma(w - f(1), g - m, g)
        v = fma(f(1 - b2) * g, g, v * f(b2))
        vmax = np.maximum(vmax, v)
        denom = np.sqrt(vmax if amsgrad else v) / f((1 - b2**step) ** 0.5) + f(eps)
        p = p - f(lr / (1 - b1**step)) * m / denom
    return p, m, v


def test_errors():
    p = dev(np.zeros(3, np.float32))
    with pytest.raises(RuntimeError, match="needs a momentum_buffer"):
        K.sgd_step(p, p, lr=0.1, momentum=0.9)
    with pytest.raises(RuntimeError, match="grad has shape"):
        K.sgd_step(p, dev(np.zeros(4, np.float32)), lr=0.1)
    with pytest.raises(RuntimeError, match="amsgrad needs max_exp_avg_sq"):
        K.adam_step(p, p, p, p, step=1, lr=0.1, amsgrad=True)
