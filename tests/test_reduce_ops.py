"""Reductions and softmax-like ops: one case table drives forward checks against numpy float64,
gradients against central differences, and (when installed) values, gradients and grad_fn names
against torch; then 0-d/empty/int/bool corners, error messages and second-order gradients."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import jitgrad as jg

RNG = np.random.default_rng(1234)
INF = float("inf")


def _lse(x, axis, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def _softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _pnorm(x, p, axis=None):
    a = np.abs(x)
    if p == INF:
        return a.max(axis=axis)
    return (a**p).sum(axis=axis) ** (1.0 / p)


# (id, jitgrad/torch call, numpy reference, input shape)
CASES = [
    ("sum", lambda m, x: x.sum(), lambda x: x.sum(), (3, 4, 5)),
    ("sum_dim", lambda m, x: m.sum(x, 1), lambda x: x.sum(1), (3, 4, 5)),
    (
        "sum_neg_keep",
        lambda m, x: x.sum(-1, keepdim=True),
        lambda x: x.sum(-1, keepdims=True),
        (3, 4, 5),
    ),
    ("sum_tuple", lambda m, x: x.sum((0, 2)), lambda x: x.sum((0, 2)), (3, 4, 5)),
    ("mean", lambda m, x: x.mean(), lambda x: x.mean(), (3, 4, 5)),
    (
        "mean_tuple_keep",
        lambda m, x: x.mean((0, -1), keepdim=True),
        lambda x: x.mean((0, 2), keepdims=True),
        (3, 4, 5),
    ),
    ("prod", lambda m, x: x.prod(), lambda x: x.prod(), (2, 3)),
    ("prod_dim", lambda m, x: x.prod(1, keepdim=True), lambda x: x.prod(1, keepdims=True), (3, 4)),
    ("var", lambda m, x: x.var(), lambda x: x.var(ddof=1), (3, 4, 5)),
    (
        "var_dims",
        lambda m, x: x.var((0, 2), keepdim=True),
        lambda x: x.var((0, 2), ddof=1, keepdims=True),
        (3, 4, 5),
    ),
    ("var_biased", lambda m, x: x.var(1, unbiased=False), lambda x: x.var(1), (3, 4, 5)),
    ("std", lambda m, x: x.std(0), lambda x: x.std(0, ddof=1), (3, 4, 5)),
    ("std_corr", lambda m, x: m.std(x, -1, correction=0), lambda x: x.std(-1), (3, 4, 5)),
    ("amax", lambda m, x: x.amax(), lambda x: x.max(), (3, 4, 5)),
    ("amax_tuple", lambda m, x: x.amax((0, 2)), lambda x: x.max((0, 2)), (3, 4, 5)),
    (
        "amin_keep",
        lambda m, x: m.amin(x, 1, keepdim=True),
        lambda x: x.min(1, keepdims=True),
        (3, 4, 5),
    ),
    ("max", lambda m, x: x.max(), lambda x: x.max(), (3, 4, 5)),
    ("min", lambda m, x: m.min(x), lambda x: x.min(), (3, 4, 5)),
    ("max_dim", lambda m, x: x.max(1).values, lambda x: x.max(1), (3, 4, 5)),
    (
        "min_dim_keep",
        lambda m, x: x.min(-1, keepdim=True)[0],
        lambda x: x.min(-1, keepdims=True),
        (3, 4, 5),
    ),
    ("logsumexp", lambda m, x: x.logsumexp(1), lambda x: _lse(x, 1), (3, 4, 5)),
    (
        "logsumexp_tuple",
        lambda m, x: m.logsumexp(x, (0, 2), keepdim=True),
        lambda x: _lse(x, (0, 2), True),
        (3, 4, 5),
    ),
    ("norm", lambda m, x: x.norm(), lambda x: np.sqrt((x**2).sum()), (3, 4, 5)),
    (
        "norm_fro_dim",
        lambda m, x: x.norm(p="fro", dim=(0, 1)),
        lambda x: np.sqrt((x**2).sum((0, 1))),
        (3, 4, 5),
    ),
    ("norm1", lambda m, x: x.norm(p=1, dim=1), lambda x: _pnorm(x, 1, 1), (3, 4, 5)),
    (
        "norm3",
        lambda m, x: m.norm(x, 3, -1, True),
        lambda x: _pnorm(x, 3, -1)[..., None],
        (3, 4, 5),
    ),
    ("norm_inf", lambda m, x: x.norm(p=INF, dim=0), lambda x: _pnorm(x, INF, 0), (3, 4, 5)),
    ("softmax", lambda m, x: x.softmax(1), lambda x: _softmax(x, 1), (3, 4, 5)),
    ("softmax_last", lambda m, x: m.softmax(x, -1), lambda x: _softmax(x, -1), (3, 4, 5)),
    ("log_softmax", lambda m, x: x.log_softmax(0), lambda x: np.log(_softmax(x, 0)), (3, 4, 5)),
    ("cumsum", lambda m, x: x.cumsum(1), lambda x: np.cumsum(x, 1), (3, 4, 5)),
    ("cumsum_last", lambda m, x: m.cumsum(x, -1), lambda x: np.cumsum(x, -1), (3, 4, 5)),
    ("sum_0d", lambda m, x: x.sum(), lambda x: x.sum(), ()),
    ("mean_0d_dim", lambda m, x: x.mean(0), lambda x: x, ()),
    ("softmax_0d", lambda m, x: x.softmax(0), lambda x: np.ones_like(x), ()),
    ("max_0d_dim", lambda m, x: x.max(0)[0], lambda x: x, ()),
]
IDS = [c[0] for c in CASES]


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
def test_vs_torch(case, dtype):
    torch = pytest.importorskip("torch")
    _, fn, _, shape = case
    x = _input(shape, dtype)
    a, b = jg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    oa, ob = fn(jg, a), fn(torch, b)
    assert oa.grad_fn.name() == ob.grad_fn.name()
    go = RNG.standard_normal(tuple(ob.shape)).astype(dtype)
    oa.backward(jg.tensor(go))
    ob.backward(torch.tensor(go))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(oa.detach().numpy(), ob.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=10 * tol, atol=10 * tol)


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
        "jitgrad.return_types.max(\nvalues=tensor([2., 4.]),\nindices=tensor([1, 0]))"
    )
    assert r.values is values and r.indices is indices and type(r).__name__ == "max"
    assert jg.max(jg.tensor([1.0, 5.0]), jg.tensor([3.0, 2.0])).tolist() == [3.0, 5.0]


def test_var_warns_on_no_degrees_of_freedom():
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        assert np.isnan(jg.tensor([1.0]).var().item())


# ---- errors ---------------------------------------------------------------------------------
ERRORS = [
    (
        lambda m: m.zeros(0, 3).max(),
        RuntimeError,
        "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
        "reduction dim with the 'dim' argument.",
    ),
    (
        lambda m: m.zeros(0, 3).max(0),
        IndexError,
        "max(): Expected reduction dim 0 to have non-zero size.",
    ),
    (
        lambda m: m.zeros(0, 3).amin(),
        RuntimeError,
        "amin(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
        "reduction dim with the 'dim' argument.",
    ),
    (
        lambda m: m.zeros(0, 3).argmax(),
        IndexError,
        "argmax(): Expected reduction dim to be specified for input.numel() == 0.",
    ),
    (
        lambda m: m.ones(2, 3).sum(2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    (
        lambda m: m.ones(2, 3).sum((0, -2)),
        RuntimeError,
        "dim 0 appears multiple times in the list of dims",
    ),
    (
        lambda m: m.tensor(2.0).sum(1),
        IndexError,
        "Dimension out of range (expected to be in range of [-1, 0], but got 1)",
    ),
    (
        lambda m: m.tensor([1, 2]).mean(),
        RuntimeError,
        "mean(): could not infer output dtype. Input dtype must be either a floating point or "
        "complex dtype. Got: Long",
    ),
    (
        lambda m: m.tensor([1, 2]).var(),
        RuntimeError,
        "std and var only support floating point and complex dtypes",
    ),
    (
        lambda m: m.tensor([1, 2]).norm(),
        RuntimeError,
        "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long",
    ),
    (
        lambda m: m.ones(2, 3).softmax(2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
]


@pytest.mark.parametrize("call,exc,message", ERRORS)
def test_error_messages(call, exc, message):
    with pytest.raises(exc) as info:
        call(jg)
    assert str(info.value) == message


@pytest.mark.parametrize("call,exc,message", ERRORS)
def test_error_messages_match_torch(call, exc, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(exc) as info:
        call(torch)
    assert str(info.value) == message


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
