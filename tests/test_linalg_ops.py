"""matmul and friends: one case table drives forward checks against numpy float64, gradients
against central differences, and values, gradients and grad_fn names against torch when it is
installed; then dtype handling, empty operands, error messages and second-order gradients."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as jg

RNG = np.random.default_rng(99)


def _t(*shape):
    return RNG.standard_normal(shape)


# (id, call over module m and operands, numpy reference, operand shapes, torch's grad_fn name
#  or None where jitgrad's node chain differs, see the module docstring of jitgrad.ops.linalg)
CASES = [
    ("mm", lambda m, a, b: a @ b, np.matmul, [(2, 3), (3, 4)], "MmBackward0"),
    ("mm_fn", lambda m, a, b: m.mm(a, b), np.matmul, [(2, 3), (3, 4)], "MmBackward0"),
    ("mv", lambda m, a, b: a @ b, np.matmul, [(2, 3), (3,)], "MvBackward0"),
    ("mv_fn", lambda m, a, b: m.mv(a, b), np.matmul, [(2, 3), (3,)], "MvBackward0"),
    ("dot", lambda m, a, b: a @ b, np.dot, [(3,), (3,)], "DotBackward0"),
    ("dot_fn", lambda m, a, b: a.dot(b), np.dot, [(3,), (3,)], "DotBackward0"),
    ("vec_mat", lambda m, a, b: a @ b, np.matmul, [(3,), (3, 4)], "SqueezeBackward4"),
    ("bmm", lambda m, a, b: a @ b, np.matmul, [(5, 2, 3), (5, 3, 4)], "UnsafeViewBackward0"),
    ("bmm_fn", lambda m, a, b: m.bmm(a, b), np.matmul, [(5, 2, 3), (5, 3, 4)], "BmmBackward0"),
    ("batch_mat", lambda m, a, b: a @ b, np.matmul, [(5, 2, 3), (3, 4)], "UnsafeViewBackward0"),
    ("batch_vec", lambda m, a, b: a @ b, np.matmul, [(2, 5, 3), (3,)], "UnsafeViewBackward0"),
    ("vec_batch", lambda m, a, b: a @ b, np.matmul, [(3,), (5, 3, 4)], "UnsafeViewBackward0"),
    ("mat_batch", lambda m, a, b: m.matmul(a, b), np.matmul, [(2, 3), (5, 3, 4)], None),
    ("broadcast", lambda m, a, b: a @ b, np.matmul, [(2, 1, 2, 3), (5, 3, 4)], None),
    ("outer", lambda m, a, b: m.outer(a, b), np.outer, [(3,), (4,)], "MulBackward0"),
    (
        "addmm",
        lambda m, c, a, b: m.addmm(c, a, b),
        lambda c, a, b: c + a @ b,
        [(4,), (2, 3), (3, 4)],
        "AddmmBackward0",
    ),
    (
        "addmm_scaled",
        lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2.0),
        lambda c, a, b: 0.5 * c + 2.0 * (a @ b),
        [(2, 4), (2, 3), (3, 4)],
        "AddmmBackward0",
    ),
    (
        "einsum_mm",
        lambda m, a, b: m.einsum("ij,jk->ik", a, b),
        lambda a, b: a @ b,
        [(2, 3), (3, 4)],
        "ViewBackward0",
    ),
    (
        "einsum_batch_t",
        lambda m, a, b: m.einsum("bij,bkj->bki", a, b),
        lambda a, b: np.einsum("bij,bkj->bki", a, b),
        [(5, 2, 3), (5, 4, 3)],
        None,
    ),
    (
        "einsum_full",
        lambda m, a, b: m.einsum("ij,ij->", a, b),
        lambda a, b: np.einsum("ij,ij->", a, b),
        [(2, 3), (2, 3)],
        "ViewBackward0",
    ),
    (
        "einsum_implicit_drop",
        lambda m, a, b: m.einsum("ijz,jk", a, b),
        lambda a, b: np.einsum("ijz,jk", a, b),
        [(2, 3, 6), (3, 4)],
        None,
    ),
    (
        "einsum_one",
        lambda m, a: m.einsum("ij->ji", a),
        lambda a: a.T,
        [(2, 3)],
        "PermuteBackward0",
    ),
]
IDS = [c[0] for c in CASES]


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


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_vs_torch(case, dtype):
    torch = pytest.importorskip("torch")
    _, fn, _, shapes, name = case
    arrays = [_t(*s).astype(dtype) for s in shapes]
    ja = [jg.tensor(a, requires_grad=True) for a in arrays]
    ta = [torch.tensor(a, requires_grad=True) for a in arrays]
    oj, ot = fn(jg, *ja), fn(torch, *ta)
    assert oj.grad_fn.name() == (name or oj.grad_fn.name())
    if name is not None:
        assert ot.grad_fn.name() == name
    go = RNG.standard_normal(tuple(ot.shape)).astype(dtype)
    oj.backward(jg.tensor(go))
    ot.backward(torch.tensor(go))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(oj.detach().numpy(), ot.detach().numpy(), rtol=tol, atol=tol)
    for a, b in zip(ja, ta, strict=True):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)


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


ERRORS = [
    (
        lambda m: m.mm(m.ones(2, 3), m.ones(2, 3)),
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)",
    ),
    (
        lambda m: m.ones(2, 3) @ m.ones(3, 4, dtype=m.float64),
        "expected m1 and m2 to have the same dtype, but got: float != double",
    ),
    (
        lambda m: m.ones(3) @ m.ones(4),
        "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of "
        "elements, but got 3 and 4 elements respectively",
    ),
    (
        lambda m: m.dot(m.ones(3), m.ones(3, dtype=m.float64)),
        "dot : expected both vectors to have same dtype, but found Float and Double",
    ),
    (lambda m: m.mv(m.ones(2, 3), m.ones(4)), "size mismatch, got input (2), mat (2x3), vec (4)"),
    (
        lambda m: m.ones(2, 3) @ m.ones(3, dtype=m.float64),
        "addmv input tensors must have the same dtype, but got Double, Float, and Double",
    ),
    (
        lambda m: m.bmm(m.ones(5, 2, 3), m.ones(5, 4, 4)),
        "Expected size for first two dimensions of batch2 tensor to be: [5, 3] but got: [5, 4].",
    ),
    (lambda m: m.bmm(m.ones(2, 3), m.ones(3, 4)), "batch1 must be a 3D tensor"),
    (
        lambda m: m.bmm(m.ones(5, 2, 3, dtype=m.float64), m.ones(5, 3, 4)),
        "expected scalar type Double but found Float",
    ),
    (lambda m: m.mm(m.ones(3), m.ones(3, 4)), "self must be a matrix"),
    (lambda m: m.mm(m.ones(2, 3), m.ones(3)), "mat2 must be a matrix"),
    (
        lambda m: m.tensor(3.0) @ m.ones(3),
        "both arguments to matmul need to be at least 1D, but they are 0D and 1D",
    ),
    (
        lambda m: m.ones(2, 3, 4) @ m.ones(5, 4, 2),
        "The size of tensor a (2) must match the size of tensor b (5) at non-singleton dimension 0",
    ),
    (lambda m: m.ones(5, 2, 3) @ m.ones(4), "size mismatch, got input (10), mat (10x3), vec (4)"),
    (lambda m: m.outer(m.ones(3), m.ones(2, 3)), "outer: Expected 1-D argument vec2, but got 2-D"),
    (lambda m: m.dot(m.ones(2, 3), m.ones(3)), "1D tensors expected, but got 2D and 1D tensors"),
    (
        lambda m: m.addmm(m.ones(3), m.ones(2, 3), m.ones(3, 4)),
        "The expanded size of the tensor (4) must match the existing size (3) at non-singleton "
        "dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]",
    ),
    (
        lambda m: m.addmm(m.ones(4), m.ones(2, 3), m.ones(3, 4, dtype=m.float64)),
        "self and mat2 must have the same dtype, but got Float and Double",
    ),
    (
        lambda m: m.einsum("ij,jk->ik", m.ones(2, 3), m.ones(2, 3)),
        "einsum(): subscript j has size 2 for operand 1 which does not broadcast with previously "
        "seen size 3",
    ),
]


@pytest.mark.parametrize("call,message", ERRORS)
def test_error_messages(call, message):
    with pytest.raises(RuntimeError) as info:
        call(jg)
    assert str(info.value) == message


@pytest.mark.parametrize("call,message", ERRORS)
def test_error_messages_match_torch(call, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as info:
        call(torch)
    assert str(info.value) == message


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
