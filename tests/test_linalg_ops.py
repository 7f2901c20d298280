"""matmul and friends: one case table drives forward checks against numpy float64, gradients
against central differences, and values, gradients and grad_fn names against PyTorch 2.13's
recorded answers (tests/fixtures/matmul_torch.json, no torch needed); then dtype handling,
empty operands, error messages and second-order gradients."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from matmul_cases import CASES, ERRORS, IDS, case_arrays, case_grad_output

import jitgrad as jg

RNG = np.random.default_rng(99)


def _t(*shape):
    return RNG.standard_normal(shape)


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_vs_numpy(case, dtype):
    _, fn, ref, shapes, _ = case
    arrays = [_t(*s).astype(dtype) for s in shapes]
    out = fn(jg, *[jg.tensor(a) for a in arrays])
    assert out.dtype is (jg.float32 if dtype == np.float32 else jg.float64)
    expected = np.asarray(ref(*[a.astype(np.float64) for a in arrays]))
    assert out.shape == expected.shape
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out.numpy(), expected, rtol=tol, atol=tol)


def _numeric_grads(f, arrays, go, eps=1e-6):
    grads = []
    for x in arrays:
        flat = x.reshape(-1)
        g = np.zeros(flat.size)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            hi = (f(*arrays) * go).sum()
            flat[i] = old - eps
            lo = (f(*arrays) * go).sum()
            flat[i] = old
            g[i] = (hi - lo) / (2 * eps)
        grads.append(g.reshape(x.shape))
    return grads


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_grad_vs_finite_differences(case):
    _, fn, _, shapes, _ = case
    arrays = [_t(*s) for s in shapes]
    ts = [jg.tensor(a, requires_grad=True) for a in arrays]
    out = fn(jg, *ts)
    go = RNG.standard_normal(out.shape)
    out.backward(jg.tensor(go))
    numeric = _numeric_grads(lambda *a: fn(jg, *[jg.tensor(x) for x in a]).numpy(), arrays, go)
    for t, n in zip(ts, numeric, strict=True):
        np.testing.assert_allclose(t.grad.numpy(), n, rtol=1e-6, atol=1e-6)


RECORDED = json.loads((Path(__file__).parent / "fixtures" / "matmul_torch.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_vs_recorded_torch(case, dtype):
    """Values, gradients and grad_fn names against PyTorch 2.13's, recorded by
    tests/fixtures/make_matmul_torch.py (no torch needed to run this)."""
    key, fn, _, shapes, name = case
    want = RECORDED["cases"][f"{key}-{np.dtype(dtype).name}"]
    ja = [jg.tensor(a, requires_grad=True) for a in case_arrays(key, shapes, dtype)]
    out = fn(jg, *ja)
    if name is not None:
        assert out.grad_fn.name() == want["grad_fn"] == name
    out.backward(jg.tensor(case_grad_output(key, tuple(out.shape), dtype)))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out.detach().numpy(), np.array(want["out"]), rtol=tol, atol=tol)
    for t, g in zip(ja, want["grads"], strict=True):
        np.testing.assert_allclose(t.grad.numpy(), np.array(g), rtol=tol, atol=tol)


def test_only_needed_grads_and_dtypes():
    a = jg.randn(4, 3, requires_grad=True)
    w = jg.randn(3, 2)
    (a @ w).sum().backward()
    assert a.grad.shape == (4, 3) and w.grad is None and a.grad.dtype is jg.float32
    ints = jg.tensor([[1, 2], [3, 4]]) @ jg.tensor([[1], [1]])
    assert ints.dtype is jg.int64 and ints.tolist() == [[3], [7]]
    transposed = jg.tensor(np.arange(6.0).reshape(3, 2).T.copy().T)  # Fortran-ordered operand
    assert (transposed @ jg.ones(2, dtype=jg.float64)).tolist() == [1.0, 5.0, 9.0]


def test_empty_operands():
    assert (jg.zeros(2, 0) @ jg.zeros(0, 3)).tolist() == [[0.0] * 3] * 2
    assert (jg.zeros(0) @ jg.zeros(0)).item() == 0.0
    assert (jg.zeros(0, 2, 3) @ jg.zeros(3, 4)).shape == (0, 2, 4)


def test_inplace_change_of_saved_operand_is_detected():
    x = jg.randn(2, 3, 4)
    w = jg.randn(4, 5, requires_grad=True)
    y = (x @ w).sum()
    x.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


@pytest.mark.parametrize("call,message", ERRORS)
def test_error_messages(call, message):
    with pytest.raises(RuntimeError) as info:
        call(jg)
    assert str(info.value) == message


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_error_table_is_what_torch_raised(k):
    """The table's messages are PyTorch 2.13's own (recorded by make_matmul_torch.py)."""
    assert RECORDED["errors"][k] == ["RuntimeError", ERRORS[k][1]]


@pytest.mark.parametrize(
    "f",
    [
        lambda m, x, w: ((x @ w) ** 2).sum(),
        lambda m, x, w: ((x @ x.sum(0)) ** 2).sum(),
        lambda m, x, w: (m.addmm(x.sum(1, keepdim=True), x, w).exp()).sum(),
        lambda m, x, w: ((x.sum(0) * m.ones(2, 3, 4)) @ (w * m.ones(2, 1, 1))).pow(2).sum(),
    ],
    ids=["mm", "mv", "addmm", "batched"],
)
def test_second_order(f):
    x0, w = _t(3, 4), jg.tensor(_t(4, 2))
    v = RNG.standard_normal(x0.shape)

    def grad_dot_v(a):
        t = jg.tensor(a, requires_grad=True)
        (g,) = jg.autograd.grad(f(jg, t, w), t)
        return np.asarray((g.numpy() * v).sum())

    t = jg.tensor(x0, requires_grad=True)
    (g,) = jg.autograd.grad(f(jg, t, w), t, create_graph=True)
    (h,) = jg.autograd.grad((g * jg.tensor(v)).sum(), t)
    (numeric,) = _numeric_grads(grad_dot_v, [x0.copy()], 1.0)
    np.testing.assert_allclose(h.numpy(), numeric, rtol=1e-5, atol=1e-5)
