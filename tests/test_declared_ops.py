"""Declared non-elementwise ops (jitgrad/frontend/declare.py): one derivative per op, differentiable
at any order, first-order backward on the kernels, PyTorch's ``_saved_*`` attributes.

The test-only reduction ``sumsq`` below is what adding a reduction takes: one declaration, its
kernel, and one row of ``NEW_REDUCTIONS``; the tests check it against NumPy, finite
differences, and gradcheck/gradgradcheck.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest

import jitgrad as jg
from jitgrad.autograd.gradcheck import gradcheck, gradgradcheck
from jitgrad.frontend.declare import Reduction, expand_reduced, reduction


# ---- a new reduction: one declaration, its kernel, one row -----------------------------------
@numba.njit(cache=False)
def _sumsq_fwd(x3, out2):
    a_n, r_n, b_n = x3.shape
    for a in range(a_n):
        for b in range(b_n):
            acc = out2.dtype.type(0)
            for r in range(r_n):
                acc += x3[a, r, b] * x3[a, r, b]
            out2[a, b] = acc


SUMSQ = Reduction(
    "sumsq",
    _sumsq_fwd,
    ("SumsqBackward0", "SumsqBackward1"),
    lambda s, g: 2 * expand_reduced(g, s) * s.self,
    public=("dim", "keepdim", "self"),
)

# (declaration, NumPy reference over ``axis``)
NEW_REDUCTIONS = [(SUMSQ, lambda x, axis, keepdims: (x * x).sum(axis=axis, keepdims=keepdims))]

DIMS = [(None, False), (1, False), ((0, 2), True), (-1, True)]


@pytest.mark.parametrize("dim,keepdim", DIMS)
@pytest.mark.parametrize("row", NEW_REDUCTIONS, ids=lambda r: r[0].name)
def test_new_reduction_forward_and_node(row, dim, keepdim):
    decl, ref = row
    x0 = np.random.default_rng(0).standard_normal((3, 4, 5))
    x = jg.tensor(x0, requires_grad=True)
    y = reduction(decl, x, dim, keepdim)
    np.testing.assert_allclose(y.detach().numpy(), ref(x0, dim, keepdim), rtol=1e-12)
    assert y.grad_fn.name() == decl.nodes[dim is not None]
    assert y.grad_fn._saved_self is x
    if dim is not None:
        assert y.grad_fn._saved_keepdim is keepdim


@pytest.mark.parametrize("dim,keepdim", DIMS)
@pytest.mark.parametrize("row", NEW_REDUCTIONS, ids=lambda r: r[0].name)
def test_new_reduction_gradients_to_second_order(row, dim, keepdim):
    decl, _ = row
    x = jg.tensor(np.random.default_rng(1).standard_normal((2, 3, 4)), requires_grad=True)
    assert gradcheck(lambda t: reduction(decl, t, dim, keepdim), (x,))
    assert gradgradcheck(lambda t: reduction(decl, t, dim, keepdim) ** 2, (x,))


def test_new_reduction_without_grad_records_nothing():
    x = jg.tensor(np.ones((2, 3)), requires_grad=True)
    with jg.no_grad():
        y = reduction(SUMSQ, x, 1, False)
    assert y.grad_fn is None and y.tolist() == [3.0, 3.0]


# ---- the declared reductions, to second and third order --------------------------------------
def _x(shape=(3, 4), seed=2):
    return jg.tensor(np.random.default_rng(seed).uniform(0.5, 1.5, shape), requires_grad=True)


SECOND = {
    "sum": lambda t: t.sum(1) ** 2,
    "mean": lambda t: t.mean((0, 1)) ** 3,
    "prod": lambda t: t.prod(1),
    "prod_all": lambda t: t.prod(),
    "var": lambda t: t.var(1, keepdim=True),
    "std": lambda t: t.std(0),
    "amax": lambda t: t.amax(1) ** 2,
    "max_dim": lambda t: t.max(1)[0] ** 2,
    "min_all": lambda t: t.min() ** 2,
    "logsumexp": lambda t: t.logsumexp(1),
    "softmax": lambda t: t.softmax(1),
    "log_softmax": lambda t: t.log_softmax(0),
    "norm": lambda t: t.norm(dim=1),
    "norm_inf": lambda t: t.norm(float("inf"), dim=1) ** 2,
    "cumsum": lambda t: t.cumsum(1) ** 2,
}


@pytest.mark.parametrize("name", list(SECOND))
def test_declared_gradgradcheck(name):
    assert gradgradcheck(SECOND[name], (_x(),))


THIRD = {
    "softmax": lambda t: (t.softmax(1) ** 2).sum(),
    "log_softmax": lambda t: (t.log_softmax(1) ** 2).sum(),
    "var": lambda t: (t.var(1) ** 2).sum(),
    "prod": lambda t: t.prod(1).sum(),
    "amax": lambda t: (t.amax(1) ** 3).sum(),
}


@pytest.mark.parametrize("name", list(THIRD))
def test_third_order_matches_finite_differences_of_second(name):
    """d/dx of (v . H(x) v) for each declared op: the derivative of a recorded backward op
    (softmax_backward_data, var_backward ...) is itself differentiable."""
    f = THIRD[name]
    v = jg.tensor(np.random.default_rng(3).standard_normal((3, 4)))

    def hvv(x):
        (g,) = jg.autograd.grad(f(x), x, create_graph=True)
        (h,) = jg.autograd.grad((g * v).sum(), x, create_graph=True)
        return (h * v).sum()

    x = _x()
    (third,) = jg.autograd.grad(hvv(x), x)
    x0, eps = x.detach().numpy(), 1e-5
    numeric = np.zeros_like(x0)
    for i in np.ndindex(x0.shape):
        hi, lo = x0.copy(), x0.copy()
        hi[i] += eps
        lo[i] -= eps
        up = hvv(jg.tensor(hi, requires_grad=True)).item()
        down = hvv(jg.tensor(lo, requires_grad=True)).item()
        numeric[i] = (up - down) / (2 * eps)
    np.testing.assert_allclose(third.numpy(), numeric, rtol=1e-4, atol=1e-6)


# ---- what PyTorch 2.13 shows (recorded with it, x = randn(2, 3, requires_grad=True)) ----------
SAVED = [
    ("sum()", lambda x: x.sum(), "SumBackward0", {"_saved_self_sym_sizes": (2, 3)}),
    (
        "sum(-1,True)",
        lambda x: x.sum(-1, True),
        "SumBackward1",
        {"_saved_dim": (18446744073709551615,), "_saved_keepdim": True,
         "_saved_self_sym_sizes": (2, 3)},
    ),  # fmt: skip
    (
        "mean(1)",
        lambda x: x.mean(1),
        "MeanBackward1",
        {"_saved_dim": (1,), "_saved_keepdim": False, "_saved_self_sym_numel": 6,
         "_saved_self_sym_sizes": (2, 3)},
    ),  # fmt: skip
    ("prod(1)", lambda x: x.prod(1), "ProdBackward1",
     {"_saved_dim": 1, "_saved_keepdim": False, "_saved_result": (2,), "_saved_self": "x"}),
    ("amax(1)", lambda x: x.amax(1), "AmaxBackward0",
     {"_saved_dim": (1,), "_saved_keepdim": False, "_saved_result": (2,), "_saved_self": "x"}),
    ("max()", lambda x: x.max(), "MaxBackward1", {"_saved_result": (), "_saved_self": "x"}),
    ("max(1)", lambda x: x.max(1)[0], "MaxBackward0",
     {"_saved_dim": 1, "_saved_indices": (2,), "_saved_keepdim": False,
      "_saved_self_sym_sizes": (2, 3)}),
    ("var(1)", lambda x: x.var(1), "VarBackward0",
     {"_saved_dim": (1,), "_saved_keepdim": False, "_saved_self": "x"}),
    ("logsumexp(1)", lambda x: x.logsumexp(1), "LogsumexpBackward0",
     {"_saved_dim": (1,), "_saved_keepdim": False, "_saved_result": (2,), "_saved_self": "x"}),
    ("log_softmax(-1)", lambda x: x.log_softmax(-1), "LogSoftmaxBackward0",
     {"_saved_dim": 18446744073709551615, "_saved_result": (2, 3)}),
    ("cumsum(-1)", lambda x: x.cumsum(-1), "CumsumBackward0",
     {"_saved_dim": 18446744073709551615}),
    ("norm()", lambda x: x.norm(), "LinalgVectorNormBackward0",
     {"_saved_dim": None, "_saved_keepdim": False, "_saved_ord": 2, "_saved_result": (),
      "_saved_self": "x"}),
]  # fmt: skip


@pytest.mark.parametrize("case", SAVED, ids=[c[0] for c in SAVED])
def test_saved_attributes_match_torch(case):
    _, call, node, attrs = case
    x = jg.randn(2, 3, requires_grad=True)
    fn = call(x).grad_fn
    assert fn.name() == node
    assert sorted(a for a in dir(fn) if a.startswith("_saved_")) == sorted(attrs)
    for attr, want in attrs.items():
        got = getattr(fn, attr)
        if want == "x":
            assert got is x
        elif isinstance(got, jg.Tensor):  # a saved result or indices: its shape
            assert tuple(got.shape) == want and got.grad_fn is not fn or attr == "_saved_result"
        else:
            assert got == want


def test_saved_result_is_the_result_and_freed_after_backward():
    x = jg.randn(2, 3, requires_grad=True)
    y = x.softmax(1)
    assert y.grad_fn._saved_result.equal(y) and y.grad_fn._saved_result is not y
    y.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second"):
        _ = y.grad_fn._saved_result
    with pytest.raises(AttributeError, match="'SumBackward0' object has no attribute"):
        _ = x.sum().grad_fn._saved_dim


# ---- create_graph records the declared backward ops, named as PyTorch's -----------------------
@pytest.mark.parametrize(
    "call,node",
    [
        (lambda x: x.softmax(1), "SoftmaxBackwardDataBackward0"),
        (lambda x: x.log_softmax(1), "LogSoftmaxBackwardDataBackward0"),
        (lambda x: x.max(1)[0], "ScatterBackward0"),
        (lambda x: x.amax(1), "MulBackward0"),
        (lambda x: x.var(1), "MulBackward0"),
    ],
)
def test_create_graph_node_names_are_torch_s(call, node):
    x = _x()
    (g,) = jg.autograd.grad((call(x) ** 2).sum(), x, create_graph=True)
    assert g.grad_fn.name() == node


def test_first_order_backward_records_nothing_inside():
    """An ordinary backward through a declared op runs its kernel: the gradient has no graph."""
    x = _x()
    (g,) = jg.autograd.grad((x.softmax(1) * x.var(1, keepdim=True)).sum(), x)
    assert g.grad_fn is None and not g.requires_grad
