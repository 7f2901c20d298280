"""Reductions and softmax-like ops: one case table drives forward checks against numpy float64,
gradients against central differences, and values, gradients and grad_fn names against PyTorch
2.13's recorded answers (tests/fixtures/reduce_torch.json, no torch needed); then
0-d/empty/int/bool corners, error messages and second-order gradients."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from reduce_cases import CASES, ERRORS, IDS, INF, case_grad_output, case_input

import jitgrad as jg

RNG = np.random.default_rng(1234)
RECORDED = json.loads((Path(__file__).parent / "fixtures" / "reduce_torch.json").read_text())


def _input(shape, dtype=np.float64):
    # distinct values (no ties) away from zero so max/norm gradients are well defined
    x = RNG.permutation(np.linspace(0.3, 2.0, int(np.prod(shape)))).reshape(shape)
    return (x * RNG.choice([-1.0, 1.0], size=shape)).astype(dtype)


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_vs_numpy(case, dtype):
    _, fn, ref, shape = case
    x = _input(shape, dtype)
    out = fn(jg, jg.tensor(x))
    assert out.dtype is jg.float32 if dtype == np.float32 else out.dtype is jg.float64
    expected = np.asarray(ref(x.astype(np.float64)))
    assert out.shape == expected.shape
    tol = 2e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out.numpy(), expected, rtol=tol, atol=tol)


def _numeric_grad(f, x, go, eps=1e-6):
    """Central differences of sum(f(x) * go) with respect to every element of x (float64)."""
    flat = x.reshape(-1).copy()
    g = np.zeros_like(flat)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        hi = (f(flat.reshape(x.shape)) * go).sum()
        flat[i] = old - eps
        lo = (f(flat.reshape(x.shape)) * go).sum()
        flat[i] = old
        g[i] = (hi - lo) / (2 * eps)
    return g.reshape(x.shape)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_grad_vs_finite_differences(case):
    _, fn, ref, shape = case
    x = _input(shape)
    t = jg.tensor(x, requires_grad=True)
    out = fn(jg, t)
    go = RNG.standard_normal(out.shape)
    out.backward(jg.tensor(go))
    numeric = _numeric_grad(lambda a: fn(jg, jg.tensor(a)).numpy(), x.copy(), go)
    np.testing.assert_allclose(t.grad.numpy(), numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_vs_recorded_torch(case, dtype):
    """Values, gradients and grad_fn names against PyTorch 2.13's, recorded by
    tests/fixtures/make_reduce_torch.py (no torch needed to run this)."""
    name, fn, _, shape = case
    want = RECORDED["cases"][f"{name}-{np.dtype(dtype).name}"]
    a = jg.tensor(case_input(name, shape, dtype), requires_grad=True)
    out = fn(jg, a)
    assert out.grad_fn.name() == want["grad_fn"]
    out.backward(jg.tensor(case_grad_output(name, tuple(out.shape), dtype)))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out.detach().numpy(), np.array(want["out"]), rtol=tol, atol=tol)
    np.testing.assert_allclose(a.grad.numpy(), np.array(want["grad"]), rtol=10 * tol, atol=tol)


# ---- dtypes, empty tensors, corner values -------------------------------------------------
def test_integer_and_bool_results():
    i32 = jg.tensor([[1, 2], [3, 4]], dtype=jg.int32)
    assert i32.sum().dtype is jg.int64 and i32.sum().item() == 10
    assert i32.prod(1).tolist() == [2, 12] and i32.prod().dtype is jg.int64
    assert i32.cumsum(0).dtype is jg.int64 and i32.cumsum(0).tolist() == [[1, 2], [4, 6]]
    flags = jg.tensor([True, False, True])
    assert flags.sum().item() == 2 and flags.sum().dtype is jg.int64
    assert flags.cumsum(0).tolist() == [1, 1, 2]
    assert flags.max().item() is True and flags.amin().item() is False
    assert i32.max(0).indices.tolist() == [1, 1] and i32.argmax().item() == 3
    assert i32.amax().dtype is jg.int32
    assert jg.tensor([1, 2]).mean(dtype=jg.float64).item() == 1.5
    assert jg.tensor([1.5, 2.5]).sum(dtype=jg.int64).item() == 3
    assert jg.tensor([1, 3]).logsumexp(0).dtype is jg.float32
    assert jg.tensor([1, 2]).softmax(0, dtype=jg.float64).dtype is jg.float64


def test_all_any():
    x = jg.tensor([[1.0, 0.0], [2.0, 3.0]])
    assert x.all().item() is False and x.any().item() is True
    assert x.all(1).tolist() == [False, True] and jg.any(x, 0, keepdim=True).shape == (1, 2)
    empty = jg.zeros(0, 3)
    assert empty.all().item() is True and empty.any(0).tolist() == [False] * 3
    assert jg.all(x).dtype is jg.bool


def test_empty_reductions():
    e = jg.zeros(0, 3)
    assert e.sum().item() == 0.0 and e.prod().item() == 1.0
    assert np.isnan(e.mean().item()) and np.isnan(e.mean(0).numpy()).all()
    assert e.logsumexp(0).tolist() == [-INF] * 3
    assert e.max(1).values.shape == (0,) and e.max(1).indices.dtype is jg.int64
    assert e.sum(0).shape == (3,) and e.softmax(0).shape == (0, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isnan(e.var().item())


def test_argmax_argmin_and_nan():
    x = jg.tensor([[1.0, 5.0, 5.0], [7.0, -1.0, 2.0]])
    assert x.argmax().item() == 3 and x.argmin().item() == 4
    assert x.argmax(1).tolist() == [1, 0] and x.argmin(0, keepdim=True).tolist() == [[0, 1, 1]]
    n = jg.tensor([1.0, float("nan"), 3.0])
    assert np.isnan(n.max().item()) and np.isnan(n.amin().item()) and n.argmax().item() == 1


def test_numpy_keyword_spellings():
    # PyTorch's argument parser takes NumPy's axis=/keepdims= for dim=/keepdim= (d2l's
    # accuracy() calls y_hat.argmax(axis=1); makemore's backprop lecture sums with keepdims)
    x = jg.tensor([[0.0, 5.0, 1.0], [4.0, 2.0, 3.0]])
    assert x.sum(1, keepdims=True).tolist() == [[6.0], [9.0]]
    assert jg.sum(x, axis=(0, 1)).item() == 15.0
    assert x.mean(axis=0, keepdims=True).tolist() == [[2.0, 3.5, 2.0]]
    assert x.argmax(axis=1).tolist() == [1, 0]
    assert jg.argmin(x, axis=0, keepdims=True).tolist() == [[0, 1, 0]]


def test_max_ties_share_gradient():
    x = jg.tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5]
    y = jg.tensor([[1.0, 3.0, 3.0]], requires_grad=True)
    y.max(1).values.sum().backward()  # with dim: the first index takes it all
    assert y.grad.tolist() == [[0.0, 1.0, 0.0]]


def test_prod_gradient_with_zeros():
    x = jg.tensor([[2.0, 0.0, 3.0], [0.0, 0.0, 4.0], [1.0, 2.0, 3.0]], requires_grad=True)
    x.prod(1).sum().backward()
    assert x.grad.tolist() == [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [6.0, 3.0, 2.0]]


def test_norm_zero_vector_gradient_and_p0():
    x = jg.zeros(3, requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    assert jg.tensor([0.0, 2.0, -1.0]).norm(p=0).item() == 2.0


def test_large_sum_float32_accuracy():
    x = RNG.random(1 << 20).astype(np.float32)
    got = jg.tensor(x).sum().item()
    assert abs(got - x.astype(np.float64).sum()) / x.sum() < 1e-6


def test_return_type_repr():
    r = jg.tensor([[1.0, 2.0], [4.0, 3.0]]).max(1)
    values, indices = r
    assert repr(r) == (
        "torch.return_types.max(\nvalues=tensor([2., 4.]),\nindices=tensor([1, 0]))"
    )
    assert r.values is values and r.indices is indices and type(r).__name__ == "max"
    assert jg.max(jg.tensor([1.0, 5.0]), jg.tensor([3.0, 2.0])).tolist() == [3.0, 5.0]


def test_var_warns_on_no_degrees_of_freedom():
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        assert np.isnan(jg.tensor([1.0]).var().item())


@pytest.mark.parametrize("call,exc,message", ERRORS)
def test_error_messages(call, exc, message):
    with pytest.raises(exc) as info:
        call(jg)
    assert str(info.value) == message


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_error_table_is_what_torch_raised(k):
    """The table's messages are PyTorch 2.13's own (recorded by make_reduce_torch.py)."""
    _, exc, message = ERRORS[k]
    assert RECORDED["errors"][k] == [exc.__name__, message]


# ---- second order ---------------------------------------------------------------------------
SECOND = {
    "sum": lambda m, x: (x.sum(1) ** 2).sum(),
    "mean": lambda m, x: (x.mean(0) ** 3).sum(),
    "softmax": lambda m, x: (x.softmax(1) ** 2).sum(),
    "log_softmax": lambda m, x: (x.log_softmax(0) ** 2).sum(),
    "logsumexp": lambda m, x: (x.logsumexp(1) ** 2).sum(),
    "var": lambda m, x: (x.var(1) ** 2).sum(),
    "std": lambda m, x: (x.std(0) ** 2).sum(),
    "norm": lambda m, x: x.norm() ** 3,
    "prod": lambda m, x: x.prod(1).sum(),
}


@pytest.mark.parametrize("name", list(SECOND))
def test_second_order(name):
    f = SECOND[name]
    x0 = _input((3, 4))
    v = RNG.standard_normal(x0.shape)

    def grad_dot_v(a):
        t = jg.tensor(a, requires_grad=True)
        (g,) = jg.autograd.grad(f(jg, t), t)
        return (g.numpy() * v).sum()

    t = jg.tensor(x0, requires_grad=True)
    (g,) = jg.autograd.grad(f(jg, t), t, create_graph=True)
    assert g.grad_fn is not None
    (h,) = jg.autograd.grad((g * jg.tensor(v)).sum(), t)
    numeric = _numeric_grad(lambda a: np.asarray(grad_dot_v(a)), x0.copy(), 1.0)
    np.testing.assert_allclose(h.numpy(), numeric, rtol=1e-5, atol=1e-5)
