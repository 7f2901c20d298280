"""Cases ported from PyTorch's test/test_unary_ufuncs.py (TestUnaryUfuncs: the tests that are
not OpInfo-driven), each named after the PyTorch test it comes from (CPU, no half/bfloat16,
sizes cut down). Expected values are the ones the PyTorch test states (digamma's special
values are closed forms), or NumPy's; messages are PyTorch 2.13's. The file runs unchanged
against real PyTorch (``jitgrad`` mapped to ``torch``), which is how the expectations were
checked."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from port_helpers import same

import jitgrad as torch


def compare_with_numpy(torch_fn, np_fn, x, tol: float = 0.0) -> None:
    actual = torch_fn(x)
    expected = np_fn(x.numpy())
    assert actual.numpy().dtype == expected.dtype
    same(actual, expected, tol)


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int64", "float32", "float64"])
def test_nan_to_num(dtype: str) -> None:
    dt = getattr(torch, dtype)
    rng = random.Random(0)
    for contiguous in (False, True):
        x = (torch.rand(8, 8, dtype=torch.float64) * 100).to(dt)
        if dt.is_floating_point:
            for idx, extremal in zip((1, 4, 6), (math.nan, math.inf, -math.inf), strict=True):
                x[idx, :] = extremal
        if not contiguous:
            x = x.T
        nan, posinf, neginf = rng.random(), rng.random() * 5, rng.random() * 10
        for kw in ({"nan": nan, "posinf": posinf}, {"posinf": posinf, "neginf": neginf}):
            got, want = x.nan_to_num(**kw), np.nan_to_num(x.numpy(), **kw)
            assert got.numpy().dtype == want.dtype
            same(got, want)
        out = torch.empty_like(x)
        torch.nan_to_num(x, out=out)
        same(out, torch.nan_to_num(x))
        torch.nan_to_num(x, out=out, nan=nan, posinf=posinf, neginf=neginf)
        same(out, torch.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf))


def test_complex_edge_values() -> None:
    x = torch.tensor(0.0 - 1.0e20j, dtype=torch.cdouble)  # assertEqual's float64 rtol, 1e-7
    compare_with_numpy(torch.sqrt, np.sqrt, x, 1e-7)
    x = torch.tensor(-1.0e60 - 4988429.2j, dtype=torch.cdouble)
    compare_with_numpy(torch.sqrt, np.sqrt, x, 1e-7)


def test_complex_edge_values_acos() -> None:
    x = torch.tensor(0.0 - 1.0e20j, dtype=torch.cdouble)
    compare_with_numpy(torch.acos, np.arccos, x, 1e-7)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_digamma_special(dtype: str) -> None:
    euler = 0.57721566490153286
    l2, l3, r2, r3 = math.log(2), math.log(3), math.sqrt(2), math.sqrt(3)
    dataset = [
        (0.0, -0.0),  # PyTorch: digamma(0) = -inf (the dataset's pair is an input, not a value)
        (1, -euler),
        (0.5, -2 * l2 - euler),
        (1 / 3, -math.pi / (2 * r3) - 3 * l3 / 2 - euler),
        (1 / 4, -math.pi / 2 - 3 * l2 - euler),
        (1 / 6, -math.pi * r3 / 2 - 2 * l2 - 3 * l3 / 2 - euler),
        (1 / 8, -math.pi / 2 - 4 * l2
         - (math.pi + math.log(2 + r2) - math.log(2 - r2)) / r2 - euler),
    ]  # fmt: skip
    x = torch.tensor(dataset, dtype=getattr(torch, dtype))
    got = torch.digamma(x)
    tol = 1e-5 if dtype == "float32" else 1e-12
    for (a, b), (ga, gb) in zip(dataset, got.tolist(), strict=True):
        for v, g in ((a, ga), (b, gb)):
            if v == 0.0:  # the pole: -inf at +0, +inf at -0 (scipy's and PyTorch's answer)
                assert g == (-math.inf if math.copysign(1, v) > 0 else math.inf)
            elif v in (1, 0.5, 1 / 3, 1 / 4, 1 / 6, 1 / 8):
                want = dict(dataset)[v]
                assert abs(g - want) <= tol * max(1, abs(want)), (v, g, want)


def test_frexp() -> None:
    for dt in (torch.float32, torch.float64):
        inp = torch.rand(6, 6, dtype=dt) * 18 - 9
        mantissa, exponent = torch.frexp(inp)
        np_mantissa, np_exponent = np.frexp(inp.numpy())
        same(mantissa, np_mantissa)
        same(exponent, np_exponent)
        assert exponent.dtype == torch.int32 and mantissa.dtype == dt


def test_frexp_assert_raises() -> None:
    for name in ("bool", "uint8", "int32", "int64", "complex64"):
        inp = torch.ones(3, 3, dtype=getattr(torch, name))
        with pytest.raises(RuntimeError, match=r"torch\.frexp\(\) only supports floating-point "
                           r"dtypes"):  # fmt: skip
            torch.frexp(inp)
    for dt in (torch.float32, torch.float64):
        inp = torch.ones(3, 3, dtype=dt)
        for md in (torch.bool, torch.int32, torch.complex64) + (
            (torch.float64,) if dt is torch.float32 else (torch.float32,)
        ):
            with pytest.raises(RuntimeError, match=r"torch\.frexp\(\) expects mantissa to have "
                               r"dtype .+ but got .+"):  # fmt: skip
                torch.frexp(inp, out=(torch.empty_like(inp, dtype=md),
                                      torch.empty_like(inp, dtype=torch.int)))  # fmt: skip
        for ed in (torch.bool, torch.int64, torch.float32, dt):
            with pytest.raises(RuntimeError, match=r"torch\.frexp\(\) expects exponent to have "
                               r"int dtype but got .+"):  # fmt: skip
                torch.frexp(inp, out=(torch.empty_like(inp), torch.empty_like(inp, dtype=ed)))


def test_polygamma_neg() -> None:
    with pytest.raises(RuntimeError, match=r"polygamma\(n, x\) does not support negative n\."):
        torch.polygamma(-1, torch.tensor([1.0, 2.0]))


def test_op_invert() -> None:
    res = 0xFFFF - torch.arange(127, dtype=torch.int8)
    for dt in (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64):
        a = torch.arange(127, dtype=dt)
        got = ~a
        assert got.dtype == dt
        same(got, res.to(dt))
    same(~torch.tensor([False, True]), torch.tensor([True, False]))
    for dt in (torch.float, torch.double):
        with pytest.raises(TypeError):
            ~torch.zeros(10, dtype=dt)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_abs_angle_complex_to_float(dtype: str) -> None:
    dt = getattr(torch, dtype)
    fdt = torch.float32 if dt is torch.complex64 else torch.float64
    rng = random.Random(1)
    vals = [complex(rng.random() * m, rng.random() * m) for m in (-1, 1, -10, 10, -100, 100)
            for _ in range(3)]  # fmt: skip
    for values in (vals, []):
        a = np.array(values, dtype=dtype)
        t = torch.tensor(values, dtype=dt)
        for name in ("abs", "angle"):
            fn, np_fn = getattr(torch, name), getattr(np, name)
            res = fn(t)
            assert res.dtype == fdt
            same(res, np_fn(a), 1e-6)
            for out in (torch.empty_like(t, dtype=fdt), torch.empty(1, dtype=fdt),
                        torch.empty_like(t), torch.empty(0, dtype=dt)):  # fmt: skip
                fn(t, out=out)
                same(out, np_fn(a).astype(out.numpy().dtype), 1e-6)
            with pytest.raises(RuntimeError):
                fn(t, out=torch.empty(0, dtype=torch.long))
        with pytest.raises(RuntimeError, match="In-place abs is not supported for complex "
                           "tensors."):  # fmt: skip
            torch.Tensor.abs_(t)
        with pytest.raises(AttributeError):
            torch.Tensor.angle_  # noqa: B018


def test_unary_out_op_mem_overlap() -> None:
    sz = 3
    doubles = torch.randn(2 * sz, dtype=torch.double)
    positives = torch.randint(1, 100, (2 * sz,)).double()
    ints = torch.randint(-100, 100, (2 * sz,))
    cases = [("abs", doubles), ("acos", doubles), ("bitwise_not", ints), ("ceil", doubles),
             ("cos", doubles), ("exp", doubles), ("floor", doubles), ("log", positives),
             ("neg", doubles), ("sigmoid", doubles), ("sqrt", positives), ("tanh", doubles),
             ("trunc", doubles)]  # fmt: skip
    for name, data in cases:
        op = getattr(torch, name)
        for output, inp in ((data[0:sz], data[0:sz]), (data[0:sz], data[sz : 2 * sz])):
            expected = torch.empty_like(output)
            op(inp, out=expected)
            same(op(inp, out=output), expected)
        with pytest.raises(RuntimeError, match="unsupported operation"):
            op(data[1 : sz + 1], out=data[0:sz])
