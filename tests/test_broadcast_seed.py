"""One elementwise op directly under a full ``sum``/``mean``: its backward kernel gets the
reduction's seed gradient (one value broadcast, a read-only stride-0 view) as a 1-element
C-contiguous writable array, so Numba picks the loop's contiguous (vectorized) overload and
not the any-layout one (10x slower, perf/RESULTS.md Run X). Values are checked against
formulas computed here in numpy."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch
import jitgrad.nn.functional as F
from jitgrad.fusion import codegen as C
from jitgrad.fusion import lowering as LW
from jitgrad.ops.registry import REGISTRY

N = 2 * C.COMPACT_1D  # a 1-D loop long enough to be compacted


@pytest.fixture
def launches(monkeypatch):
    """The (spec, arguments) of every launch that went through :func:`C.for_call`."""
    seen = []
    real = C.for_call

    def spy(kernel, call):
        kernel, call = real(kernel, call)
        seen.append((kernel.spec, call))
        return kernel, call

    monkeypatch.setattr(C, "for_call", spy)
    return seen


@pytest.mark.parametrize(
    "f",
    [
        lambda x: F.gelu(x, approximate="tanh").mean(),
        lambda x: x.tanh().sum(),
        lambda x: x.sigmoid().mean(),
    ],
    ids=["gelu_mean", "tanh_sum", "sigmoid_mean"],
)
def test_seed_gradient_is_a_contiguous_value(launches, f):
    x = torch.tensor(np.linspace(-3, 3, N, dtype=np.float32), requires_grad=True)
    f(x).backward()
    bwd = [(spec, call) for spec, call in launches if spec.label.endswith("_bwd")]
    assert len(bwd) == 1
    spec, call = bwd[0]
    assert spec.compact == (("g", -1),)
    for v in call:
        if isinstance(v, np.ndarray):
            assert v.flags.c_contiguous and v.flags.writeable, spec.arg_names


def test_compact_args_copies_read_only_values_only():
    spec, order = LW.op_backward(REGISTRY["sigmoid"], "t", (C.STORE,), 1, False, "float64", (None,))
    assert order == ["g", "out"]
    g = np.broadcast_to(np.float64(0.5), (N,))
    out = np.linspace(0, 1, N)
    buf = np.empty(N)
    call, compact = C.compact_args(spec, [g, out, buf])
    assert compact == (("g", -1),)
    assert call[0].shape == (1,) and call[0][0] == 0.5 and call[0].flags.writeable
    assert call[1] is out and call[2] is buf
    # a writable compacted operand (an accumulated output may be one) is never copied
    spec2 = LW.op_backward(REGISTRY["sigmoid"], "t", (C.STORE,), 2, False, "float64", (None,))[0]
    g2 = np.zeros((1, 8))
    view = np.lib.stride_tricks.as_strided(g2, (4, 8), (0, 8))
    call2, compact2 = C.compact_args(spec2, [view, np.ones((4, 8)), np.empty((4, 8))])
    assert compact2 == (("g", 1),)
    assert np.shares_memory(call2[0], g2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [0, 1, 7, N, N + 3])
def test_values(dtype, n):
    a = np.linspace(-4, 4, n).astype(dtype)
    x = torch.tensor(a, requires_grad=True)
    x.sigmoid().mean().backward()
    s = 1 / (1 + np.exp(-a.astype(np.float64)))
    want = s * (1 - s) / max(n, 1) if n else np.zeros(0)
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=tol * 10, atol=tol)
    y = torch.tensor(a, requires_grad=True)
    y.tanh().sum().backward()
    np.testing.assert_allclose(
        y.grad.numpy(), 1 - np.tanh(a.astype(np.float64)) ** 2, rtol=tol * 10, atol=tol
    )


def test_broadcast_over_rows_sum():
    # a (1, m) operand broadcast against (n, m): its gradient sums over the rows
    a = np.linspace(-1, 1, 64 * 128).reshape(64, 128)
    b = np.linspace(0, 2, 128).reshape(1, 128)
    x = torch.tensor(a, requires_grad=True)
    y = torch.tensor(b, requires_grad=True)
    (x * y).exp().sum().backward()
    e = np.exp(a * b)
    np.testing.assert_allclose(x.grad.numpy(), e * b, rtol=1e-12)
    np.testing.assert_allclose(y.grad.numpy(), (e * a).sum(0, keepdims=True), rtol=1e-12)
