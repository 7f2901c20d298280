"""set_default_dtype reaches calls whose plans were cached under the previous default.

PyTorch's rule: an integer or bool tensor combined with a Python float (or a float-only op
on integers) computes in the default dtype; ``where`` with two Python-float branches returns
the default dtype. The elementwise plan cache is keyed without the default, so changing it
must empty the cache (jitgrad.dtypes' registry). Each row runs under float32, float64, then
float32 again, so a plan cached under one default is looked up under the next.
"""

import numpy as np
import pytest

import jitgrad as torch

INT = np.array([0, 1, 2], np.int64)
BOOL = np.array([True, False, True])
BIG = 1 << 17  # above the deferral threshold (JITGRAD_LAZY_MIN_SIZE, 64K): frontend.lazy plans

# name, call on jitgrad, the same on numpy (float64 reference values)
CASES = [
    ("int_mul_float", lambda m: m.arange(3) * 1.5, lambda: INT * 1.5),
    ("int_add_float", lambda m: m.arange(3) + 0.25, lambda: INT + 0.25),
    ("int_rsub_float", lambda m: 2.5 - m.arange(3), lambda: 2.5 - INT),
    ("int_div_int", lambda m: m.arange(3) / 2, lambda: INT / 2),
    ("int0d_mul_float", lambda m: m.tensor(3) * 1.5, lambda: np.float64(4.5)),
    ("bool_mul_float", lambda m: m.tensor([True, False, True]) * 1.5, lambda: BOOL * 1.5),
    ("int_sqrt", lambda m: m.sqrt(m.arange(3)), lambda: np.sqrt(INT)),
    ("int_exp", lambda m: m.exp(m.tensor(1)), lambda: np.exp(np.float64(1))),
    (
        "where_scalars",
        lambda m: m.where(m.tensor([True, False]), 1.0, 2.0),
        lambda: np.array([1.0, 2.0]),
    ),
    ("where_0d", lambda m: m.where(m.tensor(True), 1.0, 2.0), lambda: np.float64(1.0)),
    (
        "big_int_mul_float_chain",
        lambda m: (m.arange(BIG) * 0.5 + 1) * 3,
        lambda: (np.arange(BIG) * 0.5 + 1) * 3,
    ),
    (
        "where_int_float",
        lambda m: m.where(m.tensor([True, False, True]), m.arange(3), 0.5),
        lambda: np.where(BOOL, INT, 0.5),
    ),
]


@pytest.fixture
def restore_default():
    yield
    torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("name,call,ref", CASES, ids=[c[0] for c in CASES])
def test_plan_follows_default_dtype(name, call, ref, restore_default):
    for default in (torch.float32, torch.float64, torch.float32):
        torch.set_default_dtype(default)
        for _ in range(2):  # the second call takes the plan the first cached
            out = call(torch)
            assert out.dtype == default, (name, default, out.dtype)
            got = out.numpy()
            assert got.dtype == (np.float64 if default == torch.float64 else np.float32)
            rtol = 1e-14 if default == torch.float64 else 1e-6  # exp: within an ulp or two
            np.testing.assert_allclose(got, ref(), rtol=rtol, atol=0)


def test_float64_default_keeps_precision(restore_default):
    torch.set_default_dtype(torch.float32)
    (torch.arange(3) * 0.1).numpy()  # cache the float32 plan
    torch.set_default_dtype(torch.float64)
    got = (torch.arange(3) * 0.1).numpy()
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.arange(3) * 0.1)


def test_set_same_default_keeps_plans(restore_default):
    torch.set_default_dtype(torch.float32)
    a = torch.arange(3) * 1.5
    torch.set_default_dtype(torch.float32)
    assert (torch.arange(3) * 1.5).dtype == a.dtype == torch.float32
