"""Cases ported from PyTorch's test/test_binary_ufuncs.py (TestBinaryUfuncs: the tests that are
not OpInfo-driven), each named after the PyTorch test it comes from (CPU, no half/bfloat16,
sizes cut down). Where an older PyTorch test predates 2.13's behaviour (``floor_divide`` now
floors and no longer warns) the expectation is 2.13's, said at the test. Expected values are
formulas or NumPy's; messages are PyTorch 2.13's. The file runs unchanged against real PyTorch
(``jitgrad`` mapped to ``torch``), which is how the expectations were checked."""

from __future__ import annotations

import math
import warnings
from itertools import product

import numpy as np
import pytest
from port_helpers import same

import jitgrad as torch

INTS = ("uint8", "int8", "int16", "int32", "int64")
FLOATS = ("float32", "float64")


def ints_in(shape, dtype, low=-9, high=9):
    """make_tensor's integers in [low, high) (non-negative for uint8)."""
    lo = 0 if dtype is torch.uint8 else low
    return torch.randint(lo, high, shape, dtype=torch.int64).to(dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_mul_intertype_scalar(dtype: str) -> None:
    x = torch.tensor(1.5, dtype=getattr(torch, dtype))
    y = torch.tensor(3, dtype=torch.int32)
    assert (x * y).item() == 4.5 and (y * x).item() == 4.5
    assert (x * y).dtype == x.dtype
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        y *= x
    x *= y
    assert x.item() == 4.5


@pytest.mark.parametrize("dtype", ("bool", "uint8", "int32", "int64") + FLOATS)
def test_sub(dtype: str) -> None:
    dt = getattr(torch, dtype)
    m1 = torch.tensor([2.34, 4.44], dtype=dt)
    m2 = torch.tensor([1.23, 2.33], dtype=dt)
    if dt is torch.bool:
        with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with two bool "
                           "tensors is not supported"):  # fmt: skip
            m1 - m2
    else:
        want = np.asarray([2.34, 4.44], dtype) - np.asarray([1.23, 2.33], dtype)
        assert (m1 - m2).dtype == dt
        same(m1 - m2, want)


def test_csub() -> None:
    a = torch.randn(10, 9)
    b = a.clone().normal_()
    res_csub = a.clone()
    res_csub.sub_(b)
    same(res_csub, torch.add(a, b, alpha=-1))
    a = torch.randn(10, 10)
    res_csub = a.clone()
    res_csub.sub_(123.5)
    same(res_csub, torch.add(a, -123.5))


@pytest.mark.parametrize("dtype", FLOATS)
def test_min_max_binary_op_nan(dtype: str) -> None:
    dt = getattr(torch, dtype)
    a, b = torch.rand(40, dtype=dt), torch.rand(40, dtype=dt)
    a[:10] = float("nan")
    b[10:20] = float("nan")
    a[20:30] = float("nan")
    b[20:30] = float("nan")
    ma, mi = torch.max(a, b), torch.min(a, b)
    assert torch.isnan(ma[:30]).all() and torch.isnan(mi[:30]).all()
    assert not torch.isnan(ma[30:]).any() and not torch.isnan(mi[30:]).any()


@pytest.mark.parametrize("dtypes", list(product(("bool", "int32", "float32", "float64"),
                                                ("int64", "float32", "float64"))))  # fmt: skip
def test_copysign(dtypes: tuple) -> None:
    d0, d1 = (getattr(torch, d) for d in dtypes)

    def check(a, b):
        result = torch.copysign(a, b)
        expected = np.copysign(a.numpy(), b.numpy())
        assert result.dtype.is_floating_point
        same(result.to(torch.float64), expected.astype(np.float64))
        # the sign of zeros and NaN too, through a second copysign of 1
        same(torch.copysign(torch.tensor(1.0), result), np.copysign(1.0, expected))

    def make(shape, dt):
        if dt is torch.bool:
            return torch.randint(0, 2, shape).bool()
        if dt.is_floating_point:
            return torch.rand(shape, dtype=dt) * 18 - 9
        return ints_in(shape, dt)

    check(make((4, 4), d0), make((4, 4), d1))
    check(make((4, 1, 4), d0), make((4, 4), d1))
    for case in (0.0, -0.0, math.inf, -math.inf, math.nan):
        if d0.is_floating_point:
            check(torch.tensor([case], dtype=d0), make((4, 4), d1))
        if d1.is_floating_point:
            check(make((4, 4), d0), torch.tensor([case], dtype=d1))


def test_div() -> None:
    for op, method, inplace in ((torch.div, torch.Tensor.div, torch.Tensor.div_),
                                (torch.true_divide, torch.Tensor.true_divide,
                                 torch.Tensor.true_divide_)):  # fmt: skip
        m1 = torch.randn(10, 10)
        res1 = m1.clone()
        inplace(res1[:, 3], 2)  # in place through a strided column view
        res2 = m1.clone()
        for i in range(m1.size(0)):
            res2[i, 3] = res2[i, 3] / 2
        same(res1, res2)
        a1, a2 = torch.tensor([4.2, 6.2]), torch.tensor([2.0, 2.0])
        same(method(a1, a2), op(a1, a2))
    res = torch.empty_like(a1)
    same(torch.true_divide(a1, a2, out=res), [2.1, 3.1], 1e-6)


# test_floor_divide_tensor / test_floor_divide_scalar / test_floor_divide_out: PyTorch 2.13's
# floor_divide rounds down (the tests predate that: they wanted trunc and a warning)
@pytest.mark.parametrize("dtype", INTS + FLOATS)
def test_floor_divide(dtype: str) -> None:
    dt = getattr(torch, dtype)
    x = (torch.randn(20) * 30).to(dt)
    y = torch.arange(1, 21, dtype=dt)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = x // y
        z2 = x // 3
    assert z.dtype == dt and z2.dtype == dt
    same(z, torch.floor(x.double() / y.double()).to(dt))
    same(z2, torch.tensor([math.floor(v.item() / 3.0) for v in x], dtype=dt))
    o = torch.empty(20, dtype=dt)
    torch.floor_divide(x, y, out=o)
    same(o, x // y)
    torch.floor_divide(x, 2, out=o)
    same(o, x // 2)


@pytest.mark.parametrize("dtype", ("uint8", "int64") + FLOATS + ("complex64", "complex128"))
def test_rdiv(dtype: str) -> None:
    dt = getattr(torch, dtype)
    x = torch.rand(20, dtype=dt).add(1).mul(4) if dt.is_complex else (
        torch.rand(20).add(1).mul(4).to(dt))  # fmt: skip
    y = 30 / x
    z = np.asarray([30 / v.item() for v in x])
    assert y.dtype == (dt if dt.is_floating_point or dt.is_complex else torch.float32)
    same(y.to(torch.complex128), z.astype(np.complex128), 1e-5)


def test_fmod_remainder_by_zero() -> None:
    for fn in (torch.fmod, torch.remainder):
        for dt in (torch.float32, torch.float64):
            x = torch.rand(4, 4, dtype=dt) * 18 - 9
            assert fn(x, 0.0).isnan().all()
            assert fn(x, torch.zeros_like(x)).isnan().all()
        for name in INTS:
            x = ints_in((4, 4), getattr(torch, name))
            with pytest.raises(RuntimeError, match="ZeroDivisionError"):
                fn(x, torch.zeros_like(x))


@pytest.mark.parametrize("dtype", ("int32", "int64") + FLOATS)
def test_fmod_remainder(dtype: str) -> None:
    dt = getattr(torch, dtype)
    x = ints_in((4, 4), dt) if not dt.is_floating_point else torch.rand(4, 4, dtype=dt) * 18 - 9
    mod = ints_in((4, 4), dt) if not dt.is_floating_point else torch.rand(4, 4, dtype=dt) * 18 - 9
    mod[mod == 0] = 1
    fns = ((torch.fmod, torch.Tensor.fmod_, np.fmod),
           (torch.remainder, torch.Tensor.remainder_, np.remainder))  # fmt: skip
    for m in (3, 2.3, mod, mod.t()):
        for fn, inplace_fn, ref_fn in fns:
            exp = ref_fn(x.numpy(), m.numpy() if isinstance(m, torch.Tensor) else m)
            res = fn(x, m)
            same(res.to(torch.float64), exp.astype(np.float64), 1e-5)
            out = torch.empty(0, dtype=res.dtype)
            fn(x, m, out=out)
            assert out.size() == torch.Size([4, 4])
            same(out, res)
            xc = x.clone()
            if res.dtype == dt:
                inplace_fn(xc, m)
                same(xc, res)
            else:
                with pytest.raises(RuntimeError, match="result type (Float|Double) can't be cast "
                                   "to the desired output type (Int|Long)"):  # fmt: skip
                    inplace_fn(xc, m)
