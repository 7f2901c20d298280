"""The elementwise small lane's plan lookup (``pointwise_plan.LANES``, Run eager19): a call
whose plan exists builds no ``_plans`` key, and every operand arrangement the lane takes (one
tensor; a tensor and a Python int or float; two tensors of one or two dtypes; a tensor and
two numbers; 0-d and 1-d) finds its own plan: values and dtypes against float64 NumPy.
(A default-dtype change emptying the lanes: tests/test_default_dtype_plans.py.)"""

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.frontend import pointwise

F = torch.nn.functional

A32 = np.array([0.5, -1.25, 2.0], np.float32)
A64 = np.array([1.5, 0.25, -3.0])
I64 = np.array([3, -2, 7])


def _softplus(x):
    return np.where(x > 20.0, x, np.log1p(np.exp(x)))


# name, the call on jitgrad tensors (t32, t64, ti), the float64 reference, its dtype
CASES = [
    ("exp", lambda a, b, i: a.exp(), lambda: np.exp(A32.astype(float)), torch.float32),
    ("add_tensors", lambda a, b, i: a + a, lambda: 2.0 * A32, torch.float32),
    ("add_two_dtypes", lambda a, b, i: a + b, lambda: A32 + A64, torch.float64),
    ("mul_float", lambda a, b, i: a * 1.5, lambda: A32 * 1.5, torch.float32),
    ("mul_int", lambda a, b, i: a * 2, lambda: A32 * 2.0, torch.float32),
    ("int_mul_int", lambda a, b, i: i * 2, lambda: I64 * 2, torch.int64),
    ("int_mul_float", lambda a, b, i: i * 0.5, lambda: I64 * 0.5, torch.float32),
    ("softplus", lambda a, b, i: F.softplus(a), lambda: _softplus(A32.astype(float)),
     torch.float32),
    ("softplus_int_beta", lambda a, b, i: F.softplus(b, 2, 20), lambda: _softplus(2 * A64) / 2,
     torch.float64),
]  # fmt: skip


@pytest.mark.parametrize("zero_d", [True, False], ids=["0d", "1d"])
def test_lane_finds_each_arrangement_without_a_key(zero_d, monkeypatch):
    pick = (lambda v: v[1]) if zero_d else (lambda v: v)
    ts = [torch.tensor(pick(v)) for v in (A32, A64, I64)]
    for case in CASES:  # twice each: the first makes the plan, the second enters it in the lane
        for _ in range(2):
            case[1](*ts)
    misses = []
    monkeypatch.setattr(pointwise, "lane_plan", lambda *a: misses.append(a))
    for name, call, ref, dtype in CASES:
        out = call(*ts)
        assert out.dtype == dtype, name
        np.testing.assert_allclose(out._value, pick(ref()), rtol=1e-6, err_msg=name)
    assert misses == []  # every call found its plan in the lane
