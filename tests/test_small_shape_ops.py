"""The small-tensor lanes of the shape ops (``stack``, ``unbind`` and iteration, the copies of
``copy_into``) give what the general path gives: values, gradients, node names, the views'
version counters and bases, and PyTorch's errors.

Each lane is compared with the general path by switching the lane off (``SMALL_COPY`` below
every size; ``plain_views`` replaced by the ``select`` it stands for), on 0-d, empty, float32
and float64 tensors. Gradients are also checked against their formulas (a stack's gradient
is the upstream gradient's slices; an unbind's is the upstream gradients stacked).
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import jitgrad
from jitgrad.frontend import copying
from jitgrad.frontend import join_split as M  # (stack, unbind: the lanes these tests switch off)

DTYPES = [jitgrad.float32, jitgrad.float64]


@pytest.fixture
def general(monkeypatch):
    """Turn the small lanes off: every copy takes the kernel path, and a stack's backward
    goes through ``select`` as under ``create_graph``."""
    monkeypatch.setattr(copying, "SMALL_COPY", -1)
    monkeypatch.setattr(M, "SMALL_COPY", -1)
    monkeypatch.setattr(
        M, "plain_views", lambda g, d, n: tuple(M.select(g, d, i) for i in range(n))
    )


def _leaves(shape: tuple, n: int, dtype) -> list:
    rng = np.random.default_rng(len(shape) * 10 + n)
    return [
        jitgrad.tensor(rng.standard_normal(shape), dtype=dtype, requires_grad=True)
        for _ in range(n)
    ]


def _stack_step(shape: tuple, n: int, dim: int, dtype) -> dict:
    """Forward and backward through a stack; everything observable about both."""
    xs = _leaves(shape, n, dtype)
    y = jitgrad.stack(xs, dim)
    w = jitgrad.tensor(np.arange(y.numel(), dtype=np.float64).reshape(y.shape), dtype=dtype)
    (y * w).sum().backward()
    return {
        "value": y.detach().numpy().copy(),
        "dtype": y.dtype,
        "name": y.grad_fn.name(),
        "nexts": [type(f).__name__ for f, _ in y.grad_fn.next_functions],
        "grads": [x.grad.numpy().copy() for x in xs],
        "inputs": [x.detach().numpy().copy() for x in xs],
        "weight": w.numpy(),
    }


SHAPES = [((), 4, 0), ((), 3, -1), ((3,), 2, 0), ((3,), 2, 1), ((2, 3), 3, 1), ((0,), 2, 0)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "n", "dim"), SHAPES)
def test_stack_lane_matches_general_path(shape, n, dim, dtype, monkeypatch):
    fast = _stack_step(shape, n, dim, dtype)
    monkeypatch.setattr(copying, "SMALL_COPY", -1)
    monkeypatch.setattr(M, "SMALL_COPY", -1)
    monkeypatch.setattr(
        M, "plain_views", lambda g, d, k: tuple(M.select(g, d, i) for i in range(k))
    )
    slow = _stack_step(shape, n, dim, dtype)
    assert fast["dtype"] is slow["dtype"] is dtype
    assert fast["name"] == slow["name"] == "StackBackward0"
    assert fast["nexts"] == slow["nexts"] == ["AccumulateGrad"] * n
    np.testing.assert_array_equal(fast["value"], slow["value"])
    np.testing.assert_array_equal(fast["value"], np.stack(fast["inputs"], dim))
    for gf, gs, i in zip(fast["grads"], slow["grads"], range(n), strict=True):
        np.testing.assert_array_equal(gf, gs)
        # d(sum(stack(xs) * w))/dx_i is w's slice i along dim
        np.testing.assert_array_equal(gf, np.take(fast["weight"], i, axis=dim))


def test_stack_backward_views_match_select(general):
    """The lane's gradients are views of the upstream gradient sharing its version counter
    and base, as ``select`` makes them outside create_graph."""
    g = jitgrad.arange(6.0).reshape(2, 3)
    want = [M.select(g, 1, i) for i in range(3)]
    got = copying.plain_views(g, 1, 3)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert a._vc is b._vc is g._vc
        assert a._base is b._base
        assert a.grad_fn is None and b.grad_fn is None
        assert a.dtype is b.dtype
    g.add_(1)  # shared buffer: both see the write
    np.testing.assert_array_equal(got[2].numpy(), [3.0, 6.0])


def test_stack_mixed_dtypes_promote_and_cast_gradients_back():
    a = jitgrad.tensor(1.5, dtype=jitgrad.float32, requires_grad=True)
    b = jitgrad.tensor(2.5, dtype=jitgrad.float64, requires_grad=True)
    y = jitgrad.stack([a, b])
    assert y.dtype is jitgrad.float64
    (y * jitgrad.tensor([3.0, 4.0], dtype=jitgrad.float64)).sum().backward()
    assert a.grad.dtype is jitgrad.float32 and float(a.grad) == 3.0
    assert b.grad.dtype is jitgrad.float64 and float(b.grad) == 4.0


def test_stack_double_backward_takes_the_differentiable_path():
    x = jitgrad.tensor(1.5, requires_grad=True)
    y = jitgrad.stack([x * x, x])
    (gy,) = jitgrad.autograd.grad(y[0] + 3 * y[1], x, create_graph=True)
    assert float(gy) == 2 * 1.5 + 3
    (gg,) = jitgrad.autograd.grad(gy, x)
    assert float(gg) == 2.0


def test_stack_errors_are_pytorchs():
    a, b = jitgrad.zeros(2), jitgrad.zeros(3)
    with pytest.raises(RuntimeError) as e:
        jitgrad.stack([a, b])
    assert str(e.value) == (
        "stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1"
    )
    with pytest.raises(RuntimeError, match="^stack expects a non-empty TensorList$"):
        jitgrad.stack([])
    with pytest.raises(TypeError, match="expected Tensor as element 1 in argument 0, but got int"):
        jitgrad.stack([a, 1])
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of"):
        jitgrad.stack([a, a], 2)


# ---- unbind and iteration ---------------------------------------------------------------------
def _unbind_step(shape: tuple, dim: int, dtype, via_iter: bool) -> dict:
    x = _leaves(shape, 1, dtype)[0]
    h = x * 1  # a non-leaf: the pieces' base
    parts = list(h) if via_iter else h.unbind(dim)
    used = parts[::2]  # every other piece: the others send no gradient (zeros)
    total = None
    for k, p in enumerate(used):
        term = p * (k + 2)
        total = term.sum() if total is None else total + term.sum()
    if total is not None:
        total.backward()
    return {
        "values": [p.detach().numpy().copy() for p in parts],
        "names": {p.grad_fn.name() for p in parts},
        "nodes": len({id(p.grad_fn) for p in parts}),
        "output_nr": [p._output_nr for p in parts],
        "shares": all(p._vc is h._vc and p._base is h for p in parts),
        "grad": None if x.grad is None else x.grad.numpy().copy(),
        "x": x.detach().numpy().copy(),
    }


UNBIND = [((4,), 0), ((3, 2), 0), ((3, 2), 1), ((2, 0), 0), ((0, 3), 0), ((1,), 0)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "dim"), UNBIND)
def test_unbind_lane_matches_general_path(shape, dim, dtype, monkeypatch):
    fast = _unbind_step(shape, dim, dtype, via_iter=False)
    monkeypatch.setattr(copying, "SMALL_COPY", -1)
    monkeypatch.setattr(M, "SMALL_COPY", -1)
    slow = _unbind_step(shape, dim, dtype, via_iter=False)
    n = shape[dim]
    assert len(fast["values"]) == len(slow["values"]) == n
    for a, b in zip(fast["values"], slow["values"], strict=True):
        np.testing.assert_array_equal(a, b)
    if n:
        assert fast["names"] == slow["names"] == {"UnbindBackward0"}
        assert fast["nodes"] == 1
        assert fast["output_nr"] == list(range(n))
        assert fast["shares"] and slow["shares"]
    want = np.zeros(shape)
    for k, i in enumerate(range(0, n, 2)):
        np.moveaxis(want, dim, 0)[i] = k + 2
    if n:
        np.testing.assert_array_equal(fast["grad"], want)
        np.testing.assert_array_equal(slow["grad"], want)
        assert fast["grad"].dtype == np.dtype(dtype.np)


@pytest.mark.parametrize("dtype", DTYPES)
def test_iteration_is_one_unbind_node_as_in_pytorch(dtype):
    """``for v in x`` gives ``unbind(0)``'s outputs (PyTorch's ``Tensor.__iter__``): one
    ``UnbindBackward0`` node, output numbers in order, views of x."""
    it = _unbind_step((5,), 0, dtype, via_iter=True)
    ref = _unbind_step((5,), 0, dtype, via_iter=False)
    assert it["names"] == {"UnbindBackward0"} and it["nodes"] == 1
    assert it["output_nr"] == [0, 1, 2, 3, 4]
    assert it["shares"]
    for a, b, v in zip(it["values"], ref["values"], it["x"], strict=True):
        assert a.shape == () and a == b == v
    np.testing.assert_array_equal(it["grad"], [2.0, 0.0, 3.0, 0.0, 4.0])


def test_iteration_edge_cases():
    assert list(jitgrad.zeros(0, 3)) == []
    assert jitgrad.zeros(0, 3).unbind(0) == ()
    with pytest.raises(TypeError, match="^iteration over a 0-d tensor$"):
        iter(jitgrad.tensor(1.0))
    rows = list(jitgrad.arange(6.0).reshape(2, 3))
    assert [r.shape for r in rows] == [(3,), (3,)]
    assert rows[1].grad_fn is None
    x = jitgrad.arange(3.0, requires_grad=True)
    with jitgrad.no_grad():
        assert all(v.grad_fn is None for v in x)


def test_unbind_double_backward():
    x = jitgrad.tensor([1.0, 2.0], requires_grad=True)
    a, b = (x * x).unbind(0)
    (g,) = jitgrad.autograd.grad(a * 3, x, create_graph=True)
    np.testing.assert_array_equal(g.detach().numpy(), [6.0, 0.0])
    (gg,) = jitgrad.autograd.grad(g.sum(), x)
    np.testing.assert_array_equal(gg.numpy(), [6.0, 0.0])


# ---- copy_into ----------------------------------------------------------------------------------
COPIES = [
    ((), ()),
    ((4,), (4,)),
    ((4,), ()),  # broadcast
    ((2, 3), (3,)),
    ((3, 2), "T"),  # transposed source
    ((0,), (0,)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("dshape", "sshape"), COPIES)
def test_copy_into_lane_matches_kernel(dshape, sshape, dtype):
    rng = np.random.default_rng(3)
    if sshape == "T":
        src = rng.standard_normal(dshape[::-1]).astype(dtype.np).T
    else:
        src = rng.standard_normal(sshape).astype(dtype.np)
    fast, slow = np.full(dshape, 7, dtype.np), np.full(dshape, 7, dtype.np)
    copying.copy_into(fast, src, dtype, fresh=True)
    copying.copy_into(slow, src, dtype)  # not fresh: the kernel path
    np.testing.assert_array_equal(fast, slow)
    np.testing.assert_array_equal(fast, np.broadcast_to(src, dshape))


def test_copy_into_casts_through_the_kernel_even_when_fresh():
    src = np.array([1.5, -2.25, 1 / 3], np.float64)
    dst = np.empty(3, np.float32)
    copying.copy_into(dst, src, jitgrad.float32, fresh=True)
    np.testing.assert_array_equal(dst, src.astype(np.float32))


# ---- threads ------------------------------------------------------------------------------------
def test_threads_get_their_own_results():
    """Nothing here caches state, but the graph of each thread must stay its own when
    stacks, unbinds and backwards interleave op by op."""

    def work(seed: int, out: list, barrier: threading.Barrier) -> None:
        x = jitgrad.tensor(np.arange(4.0) + seed, requires_grad=True)
        barrier.wait()
        for _ in range(20):
            parts = list(x * 1)
            y = jitgrad.stack(parts[::-1])
            z = list(jitgrad.softmax(y, 0))
            (z[0] * (seed + 1) + parts[1]).backward()
        out.append((seed, x.grad.numpy().copy()))

    def alone(seed: int) -> np.ndarray:
        res: list = []
        work(seed, res, threading.Barrier(1))
        return res[0][1]

    want = {s: alone(s) for s in range(4)}
    res: list = []
    barrier = threading.Barrier(4)
    threads = [threading.Thread(target=work, args=(s, res, barrier)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(res) == 4
    for seed, grad in res:
        np.testing.assert_array_equal(grad, want[seed])


# ---- softmax, log_softmax, cumsum of a vector ---------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", ["softmax", "log_softmax", "cumsum"])
@pytest.mark.parametrize("n", [0, 1, 4, 9])
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("strided", [False, True])
def test_vector_lane_matches_a_row_of_a_matrix(op, n, dim, dtype, strided):
    """A 1-D input along its only dim (the lane) equals the same numbers as the one row of a
    (1, n) matrix along dim 1 (the general layout path): values, gradients, node names."""
    rng = np.random.default_rng(n)
    data = rng.standard_normal(2 * n)
    w = jitgrad.tensor(rng.standard_normal(n), dtype=dtype)

    def run(as_row: bool):
        base = jitgrad.tensor(data, dtype=dtype, requires_grad=True)
        x = base[::2] if strided else base[:n]
        if as_row:
            y = getattr(x.reshape(1, n), op)(1).reshape(n)
        else:
            y = getattr(x, op)(dim)
        (y * w).sum().backward()
        return y, base.grad

    y_lane, g_lane = run(False)
    y_row, g_row = run(True)
    assert y_lane.dtype is dtype and y_lane.shape == (n,)
    assert (
        y_lane.grad_fn.name()
        == {
            "softmax": "SoftmaxBackward0",
            "log_softmax": "LogSoftmaxBackward0",
            "cumsum": "CumsumBackward0",
        }[op]
    )
    np.testing.assert_array_equal(y_lane.detach().numpy(), y_row.detach().numpy())
    np.testing.assert_array_equal(g_lane.numpy(), g_row.numpy())
    if n:
        x64 = data[::2] if strided else data[:n]
        want = {
            "softmax": np.exp(x64 - x64.max()) / np.exp(x64 - x64.max()).sum(),
            "log_softmax": x64 - x64.max() - np.log(np.exp(x64 - x64.max()).sum()),
            "cumsum": np.cumsum(x64),
        }[op]
        tol = 1e-5 if dtype is jitgrad.float32 else 1e-12
        np.testing.assert_allclose(y_lane.detach().numpy(), want, rtol=tol, atol=tol)


def test_vector_softmax_dim_errors_are_unchanged():
    x = jitgrad.zeros(3)
    with pytest.raises(IndexError) as e:
        x.softmax(1)
    assert str(e.value) == "Dimension out of range (expected to be in range of [-1, 0], but got 1)"
    with pytest.raises(TypeError):
        x.softmax(0.5)
