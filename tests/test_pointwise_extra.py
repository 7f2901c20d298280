"""Pointwise math added for PyTorch programs: PyTorch's special cases (signs of fmod and
remainder, infinities in logaddexp, lerp's two formulas, logit's eps), node names,
operators and second derivatives."""

from __future__ import annotations

import math

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.autograd import gradcheck, gradgradcheck


def x64(values, requires_grad=True):
    return torch.tensor(values, dtype=torch.float64, requires_grad=requires_grad)


def test_fmod_and_remainder_signs_and_operators() -> None:
    a = torch.tensor([5.5, -5.5, 5.5, -5.5])
    b = torch.tensor([2.0, 2.0, -2.0, -2.0])
    assert torch.fmod(a, b).tolist() == [1.5, -1.5, 1.5, -1.5]  # sign of the dividend
    assert torch.remainder(a, b).tolist() == [1.5, 0.5, -0.5, -1.5]  # sign of the divisor
    assert (a % 2).tolist() == [1.5, 0.5, 1.5, 0.5]
    assert (7 % torch.tensor([3.0, -3.0])).tolist() == [1.0, -2.0]
    assert (a // 2).tolist() == [2.0, -3.0, 2.0, -3.0]
    assert (torch.tensor([7, -7]) // 2).tolist() == [3, -4]
    assert torch.fmod(x64([5.0]), x64([2.0])).grad_fn.name() == "FmodBackward1"
    assert torch.fmod(x64([5.0]), 2.0).grad_fn.name() == "FmodBackward0"
    assert torch.remainder(x64([5.0]), x64([2.0])).grad_fn.name() == "RemainderBackward1"


def test_logaddexp_handles_infinities_and_large_values() -> None:
    inf = math.inf
    out = torch.logaddexp(
        torch.tensor([-inf, inf, 1000.0, 0.0]), torch.tensor([-inf, inf, 1000.0, 0.0])
    )
    assert out[0].item() == -inf and out[1].item() == inf
    assert out[2].item() == pytest.approx(1000 + math.log(2))
    assert torch.logaddexp2(torch.tensor([3.0]), torch.tensor([3.0])).item() == pytest.approx(4.0)


def test_lerp_both_formulas_and_nodes() -> None:
    start, end = x64([1.0, 1.0]), x64([3.0, 3.0])
    out = torch.lerp(start, end, 0.25)
    assert out.tolist() == [1.5, 1.5] and out.grad_fn.name() == "LerpBackward0"
    assert torch.lerp(start, end, 0.75).tolist() == [2.5, 2.5]
    w = x64([0.2, 0.9])
    assert torch.lerp(start, end, w).grad_fn.name() == "LerpBackward1"
    assert gradgradcheck(torch.lerp, (start, end, w))
    s = torch.zeros(2)
    s.lerp_(torch.ones(2), 0.5)
    assert s.tolist() == [0.5, 0.5]


def test_addcmul_addcdiv_value_and_inplace() -> None:
    a, b, c = x64([1.0, 2.0]), x64([3.0, 4.0]), x64([2.0, 8.0])
    out = torch.addcmul(a, b, c, value=0.5)
    assert out.tolist() == [4.0, 18.0] and out.grad_fn.name() == "AddcmulBackward0"
    out = torch.addcdiv(a, b, c, value=2)
    assert out.tolist() == [4.0, 3.0] and out.grad_fn.name() == "AddcdivBackward0"
    assert gradcheck(lambda x, y, z: torch.addcdiv(x, y, z, value=-1.5), (a, b, c))
    assert gradgradcheck(lambda x, y, z: torch.addcmul(x, y, z, value=2.0), (a, b, c))
    t = torch.ones(2)
    t.addcmul_(torch.tensor([2.0, 3.0]), torch.tensor([4.0, 5.0]), value=-1)
    assert t.tolist() == [-7.0, -14.0]


def test_logit_with_and_without_eps() -> None:
    p = torch.tensor([0.0, 0.25, 1.0])
    assert p.logit()[1].item() == pytest.approx(math.log(1 / 3))
    assert p.logit()[0].item() == -math.inf
    clamped = p.logit(eps=0.1).tolist()
    assert clamped == pytest.approx([math.log(0.1 / 0.9), math.log(1 / 3), math.log(9)], rel=1e-6)
    x = x64([0.05, 0.5])
    x.logit(eps=0.1).sum().backward()
    assert x.grad.tolist() == [0.0, 4.0]  # no gradient where clamped


@pytest.mark.parametrize(
    ("fn", "values"),
    [
        (torch.asin, [-0.7, 0.2, 0.6]),
        (torch.acos, [-0.7, 0.2, 0.6]),
        (torch.atan, [-2.0, 0.3, 1.7]),
        (torch.sinh, [-2.0, 0.3, 1.7]),
        (torch.cosh, [-2.0, 0.3, 1.7]),
        (torch.asinh, [-2.0, 0.3, 1.7]),
        (torch.acosh, [1.2, 2.0, 3.5]),
        (torch.atanh, [-0.7, 0.2, 0.6]),
        (torch.log10, [0.3, 2.0, 50.0]),
        (torch.exp2, [-2.0, 0.3, 1.7]),
        (torch.erfc, [-2.0, 0.3, 1.7]),
        (torch.logit, [0.1, 0.5, 0.8]),
        (lambda x: torch.atan2(x, x.flip(0)), [-2.0, 0.3, 1.7]),
        (lambda x: torch.hypot(x, x * x), [-2.0, 0.3, 1.7]),
        (lambda x: torch.logaddexp(x, 2 * x), [-2.0, 0.3, 1.7]),
        (lambda x: torch.remainder(x, x.flip(0) + 3), [-2.0, 0.3, 1.7]),
    ],
)
def test_second_derivatives(fn, values) -> None:
    x = x64(values)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_node_names_and_values_of_trigonometric_family() -> None:
    x = x64([0.5])
    names = {
        torch.asin: "AsinBackward0",
        torch.acos: "AcosBackward0",
        torch.atan: "AtanBackward0",
        torch.sinh: "SinhBackward0",
        torch.cosh: "CoshBackward0",
        torch.asinh: "AsinhBackward0",
        torch.atanh: "AtanhBackward0",
        torch.log10: "Log10Backward0",
        torch.exp2: "Exp2Backward0",
        torch.erfc: "ErfcBackward0",
        torch.logit: "LogitBackward0",
        torch.trunc: "TruncBackward0",
        torch.frac: "FracBackward0",
    }
    for fn, name in names.items():
        assert fn(x).grad_fn.name() == name
    v = np.array([0.5])
    assert torch.asin(x).item() == pytest.approx(np.arcsin(v)[0], rel=1e-15)
    assert torch.frac(torch.tensor([-2.75, 2.75])).tolist() == [-0.75, 0.75]
    assert torch.trunc(torch.tensor([-2.75, 2.75])).tolist() == [-2.0, 2.0]


def test_logical_xor_and_operator() -> None:
    a = torch.tensor([True, True, False, False])
    b = torch.tensor([True, False, True, False])
    assert torch.logical_xor(a, b).tolist() == [False, True, True, False]
    assert (a ^ b).tolist() == [False, True, True, False]
    assert torch.logical_xor(torch.tensor([0.0, 2.0]), torch.tensor([1.0, 3.0])).tolist() == [
        True,
        False,
    ]


def test_clamp_in_place_with_one_bound_is_one_clamp_node_like_pytorch():
    # PyTorch 2.13 (checked): y.clamp_(min=0) on a float tensor -> ClampBackward1, values
    # [0, 0.5, 3], gradient 1 where not clipped.
    x = torch.tensor([-2.0, 0.5, 3.0], requires_grad=True)
    y = x * 1
    y.clamp_(min=0)
    assert type(y.grad_fn).__name__ == "ClampBackward1"
    assert y.tolist() == [0.0, 0.5, 3.0]
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0]
    i = torch.tensor([-2, 0, 3])
    i.clamp_(max=1)
    assert i.tolist() == [-2, 0, 1] and i.dtype == torch.int64
