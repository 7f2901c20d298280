"""``torch.func``: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, vmap and
functional_call, ported in spirit from PyTorch's test/functorch/test_eager_transforms.py and
test_vmap.py.

The ``case_*`` functions take the library and return what they printed; PyTorch 2.13's
answers are in tests/fixtures/func_torch.json (recorded by make_func_torch.py). Values are
also checked against formulas, and Jacobians of an op table against central differences.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import jitgrad
import jitgrad.nn.functional as F
from jitgrad.func import (
    functional_call,
    grad,
    grad_and_value,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    stack_module_state,
    vjp,
    vmap,
)

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "func_torch.json"


def _err(fn: Callable) -> str:
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the recorded outcome is the exception itself
        return f"{type(e).__name__}: {e}"
    return "no error"


def case_grad(torch) -> list:
    fn = torch.func
    x = torch.tensor([1.0, 2.0, 3.0])
    f = lambda x: (x.sin() * x).sum()  # noqa: E731
    xr = x.clone().requires_grad_()
    out = [repr(fn.grad(f)(x)), repr(fn.grad(f)(xr)), repr(fn.grad_and_value(f)(x))]
    out += [repr(fn.grad(lambda x: ((x**2).sum(), x.cos()), has_aux=True)(x))]
    out += [repr(fn.grad_and_value(lambda x: ((x**2).sum(), {"a": x}), has_aux=True)(x))]
    out += [repr(fn.grad(lambda x, y: (x * y).sum(), argnums=(0, 1))(x, x + 1))]
    out += [repr(fn.grad(lambda d: (d["a"] * d["b"]).sum())({"a": x, "b": x * 2}))]
    out += [repr(fn.grad(lambda x, y: (x * x).sum())(x, 5))]
    out += [repr(fn.grad(lambda x: x[0])(x)), repr(fn.grad(lambda x: torch.ones(()))(x))]
    out += [repr(fn.grad(fn.grad(lambda x: x.sin()))(torch.tensor(1.0)))]
    seen = []

    def branches(x):  # code that asks requires_grad inside the transform
        seen.append(x.requires_grad)
        return (x * x).sum() if x.requires_grad else x.sum() * 0

    out += [repr(fn.grad(branches)(x)), seen]
    return out


def case_grad_errors(torch) -> list:
    fn = torch.func
    x = torch.tensor([1.0, 2.0, 3.0])
    return [
        _err(lambda: fn.grad(lambda x: x * 2)(x)),
        _err(lambda: fn.grad(lambda x: x.sum(), argnums=2)(x)),
        _err(lambda: fn.grad(lambda x: x.sum(), argnums=-2)(x)),
        _err(lambda: fn.grad(lambda x: x.sum(), argnums=1.0)(x)),
        _err(lambda: fn.grad(lambda x: x.sum(), argnums=())(x)),
        _err(lambda: fn.grad(lambda x: (x.sum(), 1))(x)),
        _err(lambda: fn.grad(lambda x: x.sum(), has_aux=True)(x)),
        _err(lambda: fn.grad(lambda x: 3.0)(x)),
        _err(lambda: fn.grad(lambda x: x.sum())(torch.arange(3))),
        _err(lambda: fn.grad(lambda x: x.sum())(3.0)),
    ]


def case_vjp_jvp(torch) -> list:
    fn = torch.func
    x = torch.tensor([1.0, 2.0, 3.0])
    ones = torch.ones(3)
    out, f = fn.vjp(lambda x: x.sin(), x)
    res = [repr(out), repr(f(ones)), repr(f(ones * 2))]
    out, f, aux = fn.vjp(lambda x, y: (x * y, x + y), x, x, has_aux=True)
    res += [repr(out), repr(aux), repr(f(ones))]
    out, f = fn.vjp(lambda x: (x.sin(), x.cos()), x)
    res += [repr(f((ones, ones))), _err(lambda: f(ones))]
    res += [_err(lambda: fn.vjp(lambda x: x.sin(), x)[1](torch.ones(2)))]
    res += [_err(lambda: fn.vjp(lambda x: 1.0, x))]
    res += [repr(fn.jvp(lambda x: x.sin(), (x,), (ones,)))]
    res += [repr(fn.jvp(lambda x, y: x * y, (x, x), (ones, torch.zeros(3))))]
    res += [repr(fn.jvp(lambda x: (x.sin(), x), (x,), (ones,), has_aux=True))]
    res += [repr(fn.jvp(lambda x: {"s": x.sum(), "p": x.prod()}, (x,), (ones,)))]
    res += [_err(lambda: fn.jvp(lambda x: x.sin(), x, ones))]
    res += [_err(lambda: fn.jvp(lambda x: x.sin(), (x,), (torch.ones(2),)))]
    res += [_err(lambda: fn.jvp(lambda x: x.sin(), (x,), (ones, ones)))]
    res += [_err(lambda: fn.jvp(lambda x: x.sin(), (x,), [ones]))]
    return res


def case_jacobians(torch) -> list:
    fn = torch.func
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    y = torch.tensor([0.5, -1.0])
    h = lambda x: a @ x.sin()  # noqa: E731
    res = [repr(fn.jacrev(h)(y)), repr(fn.jacfwd(h)(y))]
    res += [repr(fn.jacrev(lambda x, z: x * z, argnums=(0, 1))(y, y))]
    res += [repr(fn.jacfwd(lambda x, z: x * z, argnums=1)(y, y))]
    res += [repr(fn.jacrev(lambda x: {"a": x.sin(), "b": x.sum()})(y))]
    res += [repr(fn.jacrev(lambda x: (x.sin(), x), has_aux=True)(y))]
    res += [repr(fn.jacfwd(lambda x: x.outer(x))(y).shape)]
    res += [repr(fn.hessian(lambda x: (x.sin() ** 2).sum())(y))]
    res += [repr(fn.hessian(lambda x, z: (x * z).sum(), argnums=(0, 1))(y, y))]
    res += [repr(fn.jacrev(lambda x: x.sum())(y).shape), repr(fn.jacrev(lambda x: x)(y[0]))]
    res += [_err(lambda: fn.jacrev(lambda x: 1.0)(y))]
    res += [_err(lambda: fn.jacfwd(lambda x: x, randomness="foo")(y))]
    return res


def case_vmap(torch) -> list:
    fn = torch.func
    x = torch.arange(6.0).reshape(2, 3)
    y = torch.arange(3.0)
    res = [repr(fn.vmap(torch.dot)(x, x)), repr(fn.vmap(torch.dot, in_dims=(0, None))(x, y))]
    res += [repr(fn.vmap(lambda a: a * 2, in_dims=1)(x))]
    res += [repr(fn.vmap(lambda a: a * 2, out_dims=1)(x))]
    res += [repr(fn.vmap(lambda a: (a, a.sum()))(x))]
    res += [repr(fn.vmap(lambda d: d["a"] + d["b"])({"a": x, "b": x}))]
    res += [repr(fn.vmap(lambda a, b: a + b["u"], in_dims=(0, {"u": 1}))(x, {"u": x.t()}))]
    res += [repr(fn.vmap(fn.vmap(lambda a: a * 10))(x))]
    res += [repr(fn.vmap(fn.grad(lambda a: (a**2).sum()))(x))]
    res += [repr(fn.vmap(lambda a, s: a * s, in_dims=(0, None))(x, 3))]
    res += [repr(fn.vmap(lambda a: (a.sum(), 7), out_dims=(0, None))(x))]
    res += [repr(fn.vmap(lambda a: a.sum(), in_dims=-1)(x))]
    res += [repr(fn.vmap(lambda a: a.sum())(torch.ones(0, 2)))]
    res += [
        _err(lambda: fn.vmap(lambda a: a)(x, x)),
        _err(lambda: fn.vmap(torch.dot)(x, torch.ones(3, 3))),
        _err(lambda: fn.vmap(lambda a: a, in_dims=(None,))(x)),
        _err(lambda: fn.vmap(lambda a: a, in_dims=2)(x)),
        _err(lambda: fn.vmap(lambda a: a, in_dims=(0, 0))(x)),
        _err(lambda: fn.vmap(lambda a: a, in_dims="a")(x)),
        _err(lambda: fn.vmap(lambda a: 1.0)(x)),
        _err(lambda: fn.vmap(lambda a: a, randomness="x")(x)),
        _err(lambda: fn.vmap(lambda a: a + torch.rand(3))(x)),
        _err(lambda: fn.vmap(lambda a: a, out_dims=3)(x)),
        _err(lambda: fn.vmap(lambda a: a)(3.0)),
        _err(lambda: fn.vmap(lambda a: a)(torch.tensor(3.0))),
    ]
    return res


def case_functional_call(torch) -> list:
    fn = torch.func
    m = torch.nn.Linear(3, 2)
    y = torch.arange(3.0)
    params = {k: torch.ones_like(v) for k, v in m.named_parameters()}
    w = m.weight
    res = [repr(fn.functional_call(m, params, (y,))), repr(fn.functional_call(m, params, y))]
    res += [repr(fn.functional_call(m, (params, {}), args=(y,)))]
    res += [repr(fn.functional_call(m, {"weight": torch.zeros(2, 3)}, (y,)) - m.bias)]
    res += [m.weight is w, type(m.weight).__name__, sorted(dict(m.named_parameters()))]
    res += [_err(lambda: fn.functional_call(m, {"foo": torch.zeros(2)}, (y,), strict=True))]
    res += [_err(lambda: fn.functional_call(m, {"weight": torch.zeros(2, 3)}, (y,), strict=True))]
    res += [_err(lambda: fn.functional_call(m, ({"bias": y[:2]}, {"bias": y[:2]}), (y,)))]
    seq = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))
    p = {k: torch.full_like(v, 0.5) for k, v in seq.named_parameters()}
    res += [repr(fn.functional_call(seq, p, (torch.tensor([1.0, -1.0]),)))]
    g = fn.grad(lambda p, x: fn.functional_call(seq, p, (x,)).sum())(p, torch.tensor([1.0, 2.0]))
    res += [repr(g)]
    return res


CASES = [case_grad, case_grad_errors, case_vjp_jvp, case_jacobians, case_vmap]
CASES += [case_functional_call]


def _as_text(value) -> str:
    return str(value).replace("jitgrad.", "torch.")


@pytest.fixture(scope="module")
def recorded() -> dict:
    return json.loads(FIXTURE.read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_prints_what_pytorch_printed(recorded: dict, case: Callable) -> None:
    got = [_as_text(v) for v in case(jitgrad)]
    expected = recorded[case.__name__]
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.replace("-0.", " 0.") == e.replace("-0.", " 0."), (g, e)  # signed zeros


# ---- values against formulas and central differences -----------------------------------


def test_grad_formula_and_nesting() -> None:
    x = jitgrad.tensor([0.3, -1.1, 2.0], dtype=jitgrad.float64)
    g = grad(lambda x: (x.sin() * x).sum())(x)
    xv = x.numpy()
    np.testing.assert_allclose(g.numpy(), np.sin(xv) + xv * np.cos(xv), rtol=1e-12)
    assert not g.requires_grad
    third = grad(grad(grad(lambda s: s.sin())))(jitgrad.tensor(0.7, dtype=jitgrad.float64))
    np.testing.assert_allclose(float(third), -np.cos(0.7), rtol=1e-12)


def test_grad_of_an_input_that_requires_grad_is_differentiable() -> None:
    """As in functorch: the gradient is itself a function of the input (second order)."""
    x = jitgrad.tensor([0.5, 1.5], dtype=jitgrad.float64, requires_grad=True)
    g = grad(lambda x: (x**3).sum())(x)
    assert g.requires_grad
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * x.detach().numpy(), rtol=1e-12)


def test_grad_and_value_with_closure_over_a_parameter() -> None:
    w = jitgrad.tensor([2.0, -1.0], dtype=jitgrad.float64, requires_grad=True)
    x = jitgrad.tensor([0.5, 1.5], dtype=jitgrad.float64)
    g, value = grad_and_value(lambda x: (w * x * x).sum())(x)
    np.testing.assert_allclose(g.detach().numpy(), 2 * w.detach().numpy() * x.numpy())
    assert g.requires_grad and value.requires_grad  # both depend on w
    g.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * x.numpy(), rtol=1e-12)


def test_hessian_formula() -> None:
    x = jitgrad.tensor([0.2, -0.7, 1.3], dtype=jitgrad.float64)
    h = hessian(lambda x: (x.sin() ** 2).sum() + x[0] * x[2])(x)
    expected = np.diag(2 * np.cos(2 * x.numpy()))
    expected[0, 2] = expected[2, 0] = 1.0
    np.testing.assert_allclose(h.numpy(), expected, rtol=1e-12, atol=1e-14)


A = np.array([[0.3, -1.2, 0.7], [1.5, 0.2, -0.4]])
B = np.array([[0.2, 0.4, -0.1], [0.3, -0.5, 0.6]])

#: (name, function, inputs): Jacobians checked against central differences
JAC_OPS: list[tuple[str, Callable, tuple]] = [
    ("mul_sin", lambda a, b: (a * b).sin(), (A, B)),
    ("matmul", lambda a, b: a @ b.t(), (A, B)),
    ("softmax", lambda a, b: a.softmax(1) * b, (A, B)),
    ("reductions", lambda a, b: a.logsumexp(0) + b.norm(dim=1).sum(), (A, B)),
    ("views", lambda a, b: a.t().reshape(6)[1:5] * b.flatten()[:4], (A, B)),
    ("losses", lambda a, b: F.mse_loss(a, b) + F.smooth_l1_loss(a, b), (A, B)),
    ("linear_tanh", lambda a, b: F.linear(a, b).tanh(), (A, B)),
]


def _numeric_jacobian(fn: Callable, arrays: tuple, i: int, eps: float = 1e-6) -> np.ndarray:
    base = [a.copy() for a in arrays]
    cols = []
    for k in range(base[i].size):
        step = np.zeros(base[i].size)
        step[k] = eps
        hi = [*base]
        lo = [*base]
        hi[i] = base[i] + step.reshape(base[i].shape)
        lo[i] = base[i] - step.reshape(base[i].shape)
        f_hi = fn(*map(jitgrad.tensor, hi)).numpy()
        f_lo = fn(*map(jitgrad.tensor, lo)).numpy()
        cols.append((f_hi - f_lo) / (2 * eps))
    out = np.stack(cols, axis=-1)
    return out.reshape(out.shape[:-1] + base[i].shape)


@pytest.mark.parametrize(("name", "fn", "arrays"), JAC_OPS, ids=[o[0] for o in JAC_OPS])
def test_jacobians_match_central_differences(name: str, fn: Callable, arrays: tuple) -> None:
    args = [jitgrad.tensor(a) for a in arrays]
    rev = jacrev(fn, argnums=(0, 1))(*args)
    fwd = jacfwd(fn, argnums=(0, 1))(*args)
    for i in range(2):
        expected = _numeric_jacobian(fn, arrays, i)
        np.testing.assert_allclose(rev[i].numpy(), expected, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(fwd[i].numpy(), expected, rtol=1e-6, atol=1e-7)


def test_vjp_and_jvp_are_transposes() -> None:
    """<J^T u, t> == <u, J t> for random u, t: the two modes agree."""
    rng = np.random.default_rng(3)
    x = jitgrad.tensor(rng.standard_normal((2, 3)))
    t = jitgrad.tensor(rng.standard_normal((2, 3)))
    u = jitgrad.tensor(rng.standard_normal(3))
    f = lambda x: (x.exp() * x.cos()).softmax(1).sum(0)  # noqa: E731
    _, fn = vjp(f, x)
    (ju,) = fn(u)
    _, jt = jvp(f, (x,), (t,))
    np.testing.assert_allclose(float((ju * t).sum()), float((u * jt).sum()), rtol=1e-10)


def test_vmap_matches_a_per_sample_loop_and_composes() -> None:
    rng = np.random.default_rng(5)
    xs = rng.standard_normal((4, 3))
    w = rng.standard_normal((3, 2))
    per_sample = vmap(grad(lambda x, w: (x @ w).tanh().sum(), argnums=1), in_dims=(0, None))
    got = per_sample(jitgrad.tensor(xs), jitgrad.tensor(w)).numpy()
    expected = np.stack([np.outer(x, 1 - np.tanh(x @ w) ** 2) for x in xs])
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_vmap_randomness_modes() -> None:
    x = jitgrad.zeros(3, 2)
    jitgrad.manual_seed(0)
    same = vmap(lambda a: a + jitgrad.rand(2), randomness="same")(x)
    assert bool((same[0] == same[1]).all()) and bool((same[1] == same[2]).all())
    after_same = jitgrad.rand(1)
    jitgrad.manual_seed(0)
    jitgrad.rand(2)
    assert bool((jitgrad.rand(1) == after_same).all())  # one draw's worth consumed
    diff = vmap(lambda a: a + jitgrad.rand(2), randomness="different")(x)
    assert not bool((diff[0] == diff[1]).all())


def test_functional_call_restores_and_ties_weights() -> None:
    first, second = jitgrad.nn.Linear(2, 2), jitgrad.nn.Linear(2, 2)
    second.weight = first.weight  # one parameter under the names 0.weight and 1.weight
    seq = jitgrad.nn.Sequential(first, second)
    original = first.weight
    zeros = jitgrad.zeros(2, 2)
    tied = functional_call(seq, {"0.weight": zeros}, (jitgrad.ones(2),))
    np.testing.assert_allclose(tied.detach().numpy(), second.bias.detach().numpy())
    untied = functional_call(seq, {"0.weight": zeros}, (jitgrad.ones(2),), tie_weights=False)
    w, b0, b1 = (t.detach().numpy() for t in (original, first.bias, second.bias))
    np.testing.assert_allclose(untied.detach().numpy(), w @ b0 + b1, rtol=1e-6)
    assert first.weight is original and second.weight is original
    with pytest.raises(RuntimeError):
        functional_call(seq, {"0.weight": zeros}, (jitgrad.ones(5),))  # restored anyway
    assert first.weight is original and second.weight is original


def test_stack_module_state_stacks_into_new_leaves() -> None:
    models = [jitgrad.nn.BatchNorm1d(3).eval() for _ in range(4)]
    with jitgrad.no_grad():
        for i, m in enumerate(models):
            m.weight.fill_(i)
    params, buffers = stack_module_state(models)
    assert list(params) == ["weight", "bias"]
    assert list(buffers) == ["running_mean", "running_var", "num_batches_tracked"]
    assert params["weight"][:, 0].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert params["weight"].is_leaf and params["weight"].requires_grad
    var = buffers["running_var"]
    assert tuple(var.shape) == (4, 3) and not var.requires_grad
    out = vmap(lambda p, b, x: functional_call(models[0], (p, b), (x,)), (0, 0, None))(
        params, buffers, jitgrad.randn(5, 3)
    )
    assert tuple(out.shape) == (4, 5, 3)
    with pytest.raises(RuntimeError, match="Expected at least one model, got 0."):
        stack_module_state([])
    models[1].train()
    with pytest.raises(RuntimeError, match="Expected all models to have the same training/eval"):
        stack_module_state(models)


def test_stateless_functional_call_warns() -> None:
    lin = jitgrad.nn.Linear(2, 1)
    params = {k: jitgrad.ones_like(v) for k, v in lin.named_parameters()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = jitgrad.nn.utils.stateless.functional_call(lin, params, (jitgrad.ones(2),))
    assert float(out) == 3.0
    assert caught and caught[0].category is FutureWarning
    assert "torch.func.functional_call" in str(caught[0].message)


def _f(x):
    return (x.sin() * x**2).sum()


def _f_second(xv: np.ndarray) -> np.ndarray:
    return 2 * np.sin(xv) + 4 * xv * np.cos(xv) - xv**2 * np.sin(xv)


def test_compositions_give_the_hessian() -> None:
    """test_eager_transforms' compositions: forward-over-reverse (jvp of grad), reverse over
    reverse (vjp of grad, jacrev of jacrev), forward over forward, and vmap of them."""
    x = jitgrad.tensor([0.4, -1.3, 2.2], dtype=jitgrad.float64)
    v = jitgrad.tensor([1.0, -2.0, 0.5], dtype=jitgrad.float64)
    h = np.diag(_f_second(x.numpy()))
    _, hvp = jvp(grad(_f), (x,), (v,))
    np.testing.assert_allclose(hvp.numpy(), h @ v.numpy(), rtol=1e-12)
    _, pullback = vjp(grad(_f), x)
    np.testing.assert_allclose(pullback(v)[0].numpy(), h @ v.numpy(), rtol=1e-12)
    for hess in (jacrev(jacrev(_f)), jacfwd(jacfwd(_f)), jacrev(jacfwd(_f)), hessian(_f)):
        np.testing.assert_allclose(hess(x).numpy(), h, rtol=1e-12, atol=1e-14)
    batch = jitgrad.stack([x, 2 * x])
    per_row = vmap(hessian(_f))(batch).numpy()
    for row, xs in zip(per_row, batch.numpy(), strict=True):
        np.testing.assert_allclose(row, np.diag(_f_second(xs)), rtol=1e-12, atol=1e-14)


def test_jvp_inside_a_forward_ad_level_and_back() -> None:
    """torch.func.jvp and forward_ad together: the two modes agree."""
    fw = jitgrad.autograd.forward_ad
    x = jitgrad.tensor([0.4, -1.3], dtype=jitgrad.float64)
    t = jitgrad.tensor([1.0, 3.0], dtype=jitgrad.float64)
    f = lambda x: x.exp() * x.tanh()  # noqa: E731
    _, by_func = jvp(f, (x,), (t,))
    with fw.dual_level():
        by_dual = fw.unpack_dual(f(fw.make_dual(x, t))).tangent
    np.testing.assert_allclose(by_func.numpy(), by_dual.numpy(), rtol=1e-12)
    assert not by_func.requires_grad
