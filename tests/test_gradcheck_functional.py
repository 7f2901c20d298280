"""``gradcheck``/``gradgradcheck`` and ``autograd.functional`` against analytic derivatives.

Messages are PyTorch's (torch 2.x). Inputs are float64, as gradcheck needs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from recorded_parity_cases import functional_hessian_jacobian, recorded

import jitgrad as torch
from jitgrad.autograd import Function, GradcheckError, gradcheck, gradgradcheck
from jitgrad.autograd import functional as AF

F64 = torch.float64


def x64(values, requires_grad=True):
    return torch.tensor(values, dtype=F64, requires_grad=requires_grad)


class WrongBackward(Function):
    @staticmethod
    def forward(ctx, x):
        return x * x

    @staticmethod
    def backward(ctx, g):
        return g * 3


class OnceDifferentiable(Function):
    """Correct first derivative, but its backward escapes the graph (wrong second one)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.detach() * 2


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: a * b + a / b,
        lambda a, b: (a.sin() * b.exp()).tanh(),
        lambda a, b: (a - b) ** 2 + a.sigmoid(),
        lambda a, b: (a * b).sum() + a.mean(),
    ],
)
def test_gradcheck_and_gradgradcheck_pass(fn) -> None:
    a = x64([[0.3, -1.2, 0.7], [1.1, 0.5, -0.4]])
    b = x64([0.9, 1.3, 2.0])  # broadcast against a
    assert gradcheck(fn, (a, b))
    assert gradgradcheck(fn, (a, b))


def test_gradcheck_zero_dim_and_non_tensor_inputs() -> None:
    s = x64(0.7)
    assert gradcheck(lambda t, k: t.exp() * k, (s, 3.0))
    assert gradgradcheck(lambda t, k: t.exp() * k, (s, 3.0))


def test_gradcheck_reports_mismatch_like_pytorch() -> None:
    x = x64([1.0, 2.0])
    with pytest.raises(GradcheckError) as e:
        gradcheck(WrongBackward.apply, (x,))
    assert isinstance(e.value, RuntimeError)
    assert str(e.value) == (
        "Jacobian mismatch for output 0 with respect to input 0,\n"
        "numerical:tensor([[2.0000, 0.0000],\n"
        "        [0.0000, 4.0000]], dtype=jitgrad.float64)\n"
        "analytical:tensor([[3., 0.],\n"
        "        [0., 3.]], dtype=jitgrad.float64)\n"
    )
    assert gradcheck(WrongBackward.apply, (x,), raise_exception=False) is False


def test_gradgradcheck_catches_non_differentiable_backward() -> None:
    x = x64([1.0, 2.0])
    assert gradcheck(OnceDifferentiable.apply, (x,))
    with pytest.raises(GradcheckError, match="^Jacobian mismatch for output 0 with respect to"):
        gradgradcheck(OnceDifferentiable.apply, (x,))
    assert gradgradcheck(OnceDifferentiable.apply, (x,), raise_exception=False) is False


def test_gradcheck_input_checks() -> None:
    with pytest.raises(ValueError) as e:
        gradcheck(lambda t: t * 2, (x64([1.0], requires_grad=False),))
    assert str(e.value) == (
        "gradcheck expects at least one input tensor to require gradient, but none of them "
        "have requires_grad=True."
    )
    x32 = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="^Input #0 requires gradient and is not a double"):
        assert gradcheck(lambda t: t * 2, (x32,), eps=1e-3, atol=1e-3)


def test_gradcheck_leaves_inputs_untouched() -> None:
    x = x64([0.5, 1.5])
    gradcheck(lambda t: t.exp(), (x,))
    assert x.tolist() == [0.5, 1.5] and x._version == 0 and x.grad is None


# ---- functional ----------------------------------------------------------------------------
def test_jacobian_shapes_and_values() -> None:
    m = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=F64)
    jac = AF.jacobian(lambda a: a.exp() * 2, m)
    assert jac.shape == (2, 2, 2, 2)
    expect = np.zeros((2, 2, 2, 2))
    for i in range(2):
        for j in range(2):
            expect[i, j, i, j] = 2 * math.exp(m.tolist()[i][j])
    np.testing.assert_allclose(np.array(jac.tolist()), expect)
    assert AF.jacobian(lambda a: a.sum(), m).tolist() == [[1.0, 1.0], [1.0, 1.0]]
    s = torch.tensor(2.0)
    assert AF.jacobian(lambda a: a * a, s).item() == 4.0
    assert AF.jacobian(lambda a: torch.ones(3), s).tolist() == [0.0, 0.0, 0.0]


def test_jacobian_tuples() -> None:
    x = x64([1.0, 2.0])
    (ja, jb), (jc, jd) = AF.jacobian(lambda a, b: (a * b, a), (x, x))
    assert ja.tolist() == [[1.0, 0.0], [0.0, 2.0]] and jb.tolist() == [[1.0, 0.0], [0.0, 2.0]]
    assert jc.tolist() == [[1.0, 0.0], [0.0, 1.0]] and jd.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    j1, j2 = AF.jacobian(lambda a: (a * a, a.sum()), x)
    assert j1.tolist() == [[2.0, 0.0], [0.0, 4.0]] and j2.tolist() == [1.0, 1.0]
    assert x.grad is None


def test_jacobian_create_graph() -> None:
    x = x64([1.0, 2.0])
    jac = AF.jacobian(lambda a: a * a * a, x, create_graph=True)
    assert jac.requires_grad
    (g,) = torch.autograd.grad(jac.sum(), x)  # d/dx sum(diag(3x^2)) = 6x
    assert g.tolist() == [6.0, 12.0]


def test_hessian() -> None:
    x = x64([1.0, 2.0])
    assert AF.hessian(lambda a: (a * a * a).sum(), x).tolist() == [[6.0, 0.0], [0.0, 12.0]]
    assert AF.hessian(lambda a: a * a * a, torch.tensor(2.0)).item() == 12.0
    (haa, hab), (hba, hbb) = AF.hessian(lambda a, b: (a * b * a).sum(), (x, x * 1))
    assert haa.tolist() == [[2.0, 0.0], [0.0, 4.0]] and hab.tolist() == [[2.0, 0.0], [0.0, 4.0]]
    assert hba.tolist() == hab.tolist() and hbb.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    m = torch.tensor([[0.1, 0.2], [0.3, 0.4]], dtype=F64)
    h = AF.hessian(lambda a: a.exp().sum(), m)
    assert h.shape == (2, 2, 2, 2)
    np.testing.assert_allclose(h[1, 0, 1, 0].item(), math.exp(0.3))


def test_vjp_and_jvp() -> None:
    x = x64([1.0, 2.0])
    v = torch.tensor([1.0, -1.0], dtype=F64)
    out, g = AF.vjp(lambda a: a * a, x, v)
    assert out.tolist() == [1.0, 4.0] and g.tolist() == [2.0, -4.0]
    assert not out.requires_grad and not g.requires_grad
    out, g = AF.jvp(lambda a: a * a, x, v)
    assert out.tolist() == [1.0, 4.0] and g.tolist() == [2.0, -4.0]
    out, g = AF.vjp(lambda a: (a * a).sum(), x)
    assert out.item() == 5.0 and g.tolist() == [2.0, 4.0]
    out, g = AF.jvp(lambda a: (a * a).sum(), x, v)
    assert g.item() == -2.0
    _, (ga, gb) = AF.vjp(lambda a, b: a * b, (x, x), torch.ones(2, dtype=F64))
    assert ga.tolist() == gb.tolist() == [1.0, 2.0]
    ones, zeros = torch.ones(2, dtype=F64), torch.zeros(2, dtype=F64)
    (o1, o2), (t1, t2) = AF.jvp(lambda a, b: (a * b, a + b), (x, x), (ones, zeros))
    assert t1.tolist() == [1.0, 2.0] and t2.tolist() == [1.0, 1.0]
    assert AF.jvp(lambda a: a * a, torch.tensor(3.0))[1].item() == 6.0
    out, g = AF.vjp(lambda a: a * a, x, v, create_graph=True)
    assert out.requires_grad and g.requires_grad
    assert x.grad is None


def test_functional_errors() -> None:
    x = x64([1.0, 2.0])
    with pytest.raises(RuntimeError) as e:
        AF.vjp(lambda a: a * a, x)
    assert str(e.value) == (
        "The vector v can only be None if the user-provided function returns a single Tensor "
        "with a single element."
    )
    with pytest.raises(RuntimeError) as e:
        AF.jvp(lambda a: a * a, x)
    assert str(e.value) == (
        "The vector v can only be None if the input to the user-provided function is a single "
        "Tensor with a single element."
    )


def test_functional_matches_torch_recorded() -> None:
    ours = functional_hessian_jacobian(torch)
    for got, want in zip(ours, recorded("functional_hessian_jacobian"), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)
