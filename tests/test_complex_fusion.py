"""Complex elementwise ops through the one lowering: a chain of them is one fused kernel
forward and one fused group backward (on main they ran one eager numpy ufunc each, never
fused), and their declared rules differentiate again under create_graph."""

from __future__ import annotations

import math

import numpy as np

import jitgrad


def test_a_complex_chain_is_one_fused_kernel_forward_and_backward() -> None:
    z = jitgrad.tensor(np.full(70000, 1 + 1j, np.complex64), requires_grad=True)
    loss = (z * 2 + 1j).exp().abs().sum()
    text = str(jitgrad.explain(loss))
    assert "forward to <SumBackward0>: 1 kernel(s) (1 fused chain(s))" in text
    assert "mul + add + exp + abs + sum [deferred, 70,000 elements]" in text
    assert "AbsBackward0 <- ExpBackward0 <- AddBackward0 <- MulBackward0" in text
    loss.backward()
    # |exp(2z + i)| = exp(2x): dL/dx = 2 exp(2), dL/dy = 0 (PyTorch: 14.7781+0j)
    np.testing.assert_allclose(z.grad.numpy()[:3], [2 * math.exp(2)] * 3, rtol=1e-6)
    assert loss.item() == np.float32(70000 * np.float32(math.exp(2))) or math.isclose(
        loss.item(), 70000 * math.exp(2), rel_tol=1e-5
    )


def test_complex_sgn_is_sgnbackward0_with_pytorchs_gradient() -> None:
    # recorded with PyTorch 2.13: z.sgn().grad_fn is SgnBackward0; grad(s, z, g) below
    z = jitgrad.tensor([1 + 2j, 0j, 3 - 1j], requires_grad=True)
    s = z.sgn()
    assert s.grad_fn.name() == "SgnBackward0"
    (got,) = jitgrad.autograd.grad(s, z, jitgrad.tensor([0.5 - 1j, 2 + 1j, 1j]))
    want = [0.3578 - 0.1789j, 0, 0.0949 + 0.2846j]
    np.testing.assert_allclose(got.numpy(), want, atol=1e-4)


def test_complex_rules_differentiate_again() -> None:
    rng = np.random.default_rng(7)
    a = jitgrad.tensor(rng.standard_normal(4) + 1j * rng.standard_normal(4), requires_grad=True)
    b = jitgrad.tensor(rng.standard_normal(4) + 1j * rng.standard_normal(4), requires_grad=True)
    fns = (
        lambda a, b: (a * b).exp().sin() / (b + 3),
        lambda a, b: a.sqrt() * b.tanh() - a.reciprocal(),
        lambda a, b: (a * b.conj()).abs() + a.sgn(),
    )
    for fn in fns:
        assert jitgrad.autograd.gradgradcheck(fn, (a, b))
