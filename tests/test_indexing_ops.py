"""Indexing ops: ``t[key]``, ``t[key] = v``, gather/scatter, index_select, masked_fill,
nonzero. Values vs numpy, gradients vs finite differences (repeated indices accumulate),
node names, double backward and PyTorch's error messages."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from test_movement_ops import (
    as_np,
    case_arrays,
    check_error,
    check_op,
    numeric_grads,
    run_case,
)

import jitgrad

RNG = np.random.default_rng(1)
MASK = np.array(
    [[True, False, True, False], [False, False, True, True], [True, True, False, False]]
)


def _tensor(m, v):
    """A constant index in either library (jitgrad or torch)."""
    return m.tensor(v)


# (label, fn, shapes, numpy reference, grad_fn name)
GET_CASES = [
    ("int", lambda m, x: x[1], [(3, 4)], lambda x: x[1], "SelectBackward0"),
    ("neg_int", lambda m, x: x[-1, -2], [(3, 4)], lambda x: x[-1, -2], "SelectBackward0"),
    ("slice", lambda m, x: x[1:3], [(3, 4)], lambda x: x[1:3], "SliceBackward0"),
    ("step", lambda m, x: x[::2, 1::2], [(3, 4)], lambda x: x[::2, 1::2], "SliceBackward0"),
    ("col", lambda m, x: x[:, 1], [(3, 4)], lambda x: x[:, 1], "SelectBackward0"),
    ("mixed", lambda m, x: x[0, 1:], [(3, 4)], lambda x: x[0, 1:], "SliceBackward0"),
    ("newaxis", lambda m, x: x[..., None], [(3, 4)], lambda x: x[..., None], "UnsqueezeBackward0"),
    ("none_front", lambda m, x: x[None, 1], [(3, 4)], lambda x: x[None, 1], "SelectBackward0"),
    ("ellipsis", lambda m, x: x[..., 1], [(2, 3, 4)], lambda x: x[..., 1], "SelectBackward0"),
    ("alias", lambda m, x: x[...], [(3, 4)], lambda x: x, "AliasBackward0"),
    ("0d_tensor_int", lambda m, x: x[_tensor(m, 2)], [(3, 4)], lambda x: x[2], "SelectBackward0"),
    (
        "list_repeat",
        lambda m, x: x[[0, 2, 0, 0]],
        [(3, 4)],
        lambda x: x[[0, 2, 0, 0]],
        "IndexBackward0",
    ),
    (
        "tensor_neg",
        lambda m, x: x[_tensor(m, [-1, 0, -1])],
        [(3, 4)],
        lambda x: x[[-1, 0, -1]],
        "IndexBackward0",
    ),
    (
        "tensor_2d",
        lambda m, x: x[_tensor(m, [[0, 1], [2, 2]])],
        [(3, 4)],
        lambda x: x[np.array([[0, 1], [2, 2]])],
        "IndexBackward0",
    ),
    ("cols", lambda m, x: x[:, [1, 1, 3]], [(3, 4)], lambda x: x[:, [1, 1, 3]], "IndexBackward0"),
    (
        "pairs",
        lambda m, x: x[[0, 1, 0], [1, 2, 1]],
        [(3, 4)],
        lambda x: x[[0, 1, 0], [1, 2, 1]],
        "IndexBackward0",
    ),
    (
        "broadcast_pairs",
        lambda m, x: x[_tensor(m, [[0], [2]]), _tensor(m, [1, 3])],
        [(3, 4)],
        lambda x: x[np.array([[0], [2]]), np.array([1, 3])],
        "IndexBackward0",
    ),
    (
        "select_then_list",
        lambda m, x: x[0, [1, 2]],
        [(3, 4)],
        lambda x: x[0][[1, 2]],
        "IndexBackward0",
    ),
    (
        "slice_then_list",
        lambda m, x: x[1:, [0, 0]],
        [(3, 4)],
        lambda x: x[1:, [0, 0]],
        "IndexBackward0",
    ),
    (
        "middle",
        lambda m, x: x[:, [2, 0], 1:],
        [(2, 3, 4)],
        lambda x: x[:, [2, 0], 1:],
        "IndexBackward0",
    ),
    (
        "adjacent",
        lambda m, x: x[:, [0, 1], [1, 2]],
        [(2, 3, 4)],
        lambda x: x[:, [0, 1], [1, 2]],
        "IndexBackward0",
    ),
    (
        "non_adjacent",
        lambda m, x: x[[0, 1], :, [1, 3]],
        [(2, 3, 4)],
        lambda x: x[[0, 1], :, [1, 3]],
        "IndexBackward0",
    ),
    ("true", lambda m, x: x[True], [(3, 4)], lambda x: x[None], "IndexBackward0"),
    ("false", lambda m, x: x[0, False], [(3, 4)], lambda x: x[0][None][:0], "IndexBackward0"),
    ("mask", lambda m, x: x[_tensor(m, MASK)], [(3, 4)], lambda x: x[MASK], "IndexBackward0"),
    (
        "mask_rows",
        lambda m, x: x[_tensor(m, [True, False, True])],
        [(3, 4)],
        lambda x: x[[True, False, True]],
        "IndexBackward0",
    ),
    (
        "mask_cols",
        lambda m, x: x[:, _tensor(m, [True, False, True, True])],
        [(3, 4)],
        lambda x: x[:, [True, False, True, True]],
        "IndexBackward0",
    ),
    (
        "empty_list",
        lambda m, x: x[_tensor(m, [0])[:0]],
        [(3, 4)],
        lambda x: x[[]][:, :],
        "IndexBackward0",
    ),
    ("empty_src", lambda m, x: x[:, [0, 0]], [(0, 2)], lambda x: x[:, [0, 0]], "IndexBackward0"),
    (
        "gather",
        lambda m, x: x.gather(1, _tensor(m, [[0, 0], [3, 1], [2, 2]])),
        [(3, 4)],
        lambda x: np.take_along_axis(x, np.array([[0, 0], [3, 1], [2, 2]]), 1),
        "GatherBackward0",
    ),
    (
        "gather_dim0",
        lambda m, x: m.gather(x, 0, _tensor(m, [[2, 0, 2]])),
        [(3, 4)],
        lambda x: np.take_along_axis(x[:, :3], np.array([[2, 0, 2]]), 0),
        "GatherBackward0",
    ),
    (
        "index_select",
        lambda m, x: x.index_select(-1, _tensor(m, [3, 0, 3])),
        [(3, 4)],
        lambda x: x[:, [3, 0, 3]],
        "IndexSelectBackward0",
    ),
    (
        "index_select_0",
        lambda m, x: m.index_select(x, 0, _tensor(m, [1, 1])),
        [(3, 4)],
        lambda x: x[[1, 1]],
        "IndexSelectBackward0",
    ),
    (
        "masked_fill",
        lambda m, x: x.masked_fill(_tensor(m, MASK), -2.0),
        [(3, 4)],
        lambda x: np.where(MASK, x.dtype.type(-2.0), x),
        "MaskedFillBackward0",
    ),
    (
        "masked_fill_bcast",
        lambda m, x: x.masked_fill(_tensor(m, [True, False, False, True]), 1.5),
        [(3, 4)],
        lambda x: np.where([True, False, False, True], x.dtype.type(1.5), x),
        "MaskedFillBackward0",
    ),
    (
        "scatter",
        lambda m, x, s: x.scatter(1, _tensor(m, [[0, 3], [1, 2]]), s),
        [(2, 4), (2, 2)],
        None,
        "ScatterBackward0",
    ),
    (
        "scatter_value",
        lambda m, x: x.scatter(0, _tensor(m, [[1, 0, 1, 0]]), 5.0),
        [(2, 4)],
        None,
        "ScatterBackward1",
    ),
    (
        "scatter_add",
        lambda m, x, s: x.scatter_add(1, _tensor(m, [[0, 0, 1], [3, 3, 3]]), s),
        [(2, 4), (2, 3)],
        None,
        "ScatterAddBackward0",
    ),
]


@pytest.mark.parametrize("case", GET_CASES, ids=[c[0] for c in GET_CASES])
def test_op(case) -> None:
    _, fn, shapes, ref, name = case
    check_op(fn, shapes, ref, name)


RECORDED = json.loads((Path(__file__).parent / "fixtures" / "indexing_torch.json").read_text())


@pytest.mark.parametrize("case", GET_CASES, ids=[c[0] for c in GET_CASES])
def test_against_recorded_torch(case) -> None:
    """Output, gradients and node name against PyTorch 2.13's, recorded by
    tests/fixtures/make_shape_ops_torch.py (no torch needed to run this)."""
    label, fn, shapes, _, name = case
    want = RECORDED["cases"][label]
    got = run_case(jitgrad, fn, case_arrays(label, shapes))
    np.testing.assert_allclose(np.array(got["out"]), np.array(want["out"]))
    for a, b in zip(got["grads"], want["grads"], strict=True):
        np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-6)
    assert got["grad_fn"] == want["grad_fn"] == name


def test_repeated_indices_accumulate() -> None:
    x = jitgrad.zeros(3, requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]
    y = jitgrad.zeros(2, 3, requires_grad=True)
    y.gather(1, jitgrad.tensor([[1, 1, 1], [0, 2, 0]])).sum().backward()
    assert y.grad.tolist() == [[0.0, 3.0, 0.0], [2.0, 0.0, 1.0]]


def test_basic_index_is_view() -> None:
    x = jitgrad.zeros(3, 4)
    for v in (x[1], x[:, 2], x[1, 2], x[..., None], x[1:, ::2]):
        assert np.shares_memory(v._value, x._value) and v._base is x
    x[1, 2].add_(5)
    assert x._version == 1 and x.tolist()[1][2] == 5.0
    y = x[[1]]
    assert not np.shares_memory(y._value, x._value) and y._base is None


def test_double_backward_through_indexing() -> None:
    a = RNG.standard_normal((3, 4))
    x = jitgrad.tensor(a, requires_grad=True)
    (g,) = jitgrad.autograd.grad((x[[0, 0, 2], 1:] ** 3).sum(), x, create_graph=True)
    count = np.zeros((3, 4))
    count[0, 1:], count[2, 1:] = 2, 1
    np.testing.assert_allclose(as_np(g), 3 * count * a**2)
    (gg,) = jitgrad.autograd.grad((g * g).sum(), x)
    np.testing.assert_allclose(as_np(gg), 2 * (3 * count) ** 2 * 2 * a**3)


def test_double_backward_gather() -> None:
    a = RNG.standard_normal((2, 3))
    x = jitgrad.tensor(a, requires_grad=True)
    idx = jitgrad.tensor([[2, 2], [0, 1]])
    (g,) = jitgrad.autograd.grad((x.gather(1, idx) ** 2).sum(), x, create_graph=True)
    (gg,) = jitgrad.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(as_np(gg), [[0, 0, 4], [2, 2, 0]])


# ---- setitem ------------------------------------------------------------------------------------
SET_CASES = [
    ("scalar_row", lambda t: t.__setitem__(1, 7.0), lambda a: a.__setitem__(1, 7.0)),
    (
        "scalar_slice",
        lambda t: t.__setitem__((slice(None), slice(1, 3)), -1.0),
        lambda a: a.__setitem__((slice(None), slice(1, 3)), -1.0),
    ),
    ("element", lambda t: t.__setitem__((2, 3), 9.0), lambda a: a.__setitem__((2, 3), 9.0)),
    ("list", lambda t: t.__setitem__([0, 2], 3.0), lambda a: a.__setitem__([0, 2], 3.0)),
    (
        "cols",
        lambda t: t.__setitem__((slice(None), [3, 0]), 4.0),
        lambda a: a.__setitem__((slice(None), [3, 0]), 4.0),
    ),
    ("mask", lambda t: t.__setitem__(t > 0, 0.0), lambda a: a.__setitem__(a > 0, 0.0)),
    (
        "non_adjacent",
        lambda t: t.__setitem__((0, [1, 2]), 8.0),
        lambda a: a.__setitem__((0, [1, 2]), 8.0),
    ),
]


@pytest.mark.parametrize("case", SET_CASES, ids=[c[0] for c in SET_CASES])
def test_setitem_values(case) -> None:
    _, set_t, set_a = case
    a = RNG.standard_normal((3, 4))
    for dt in (jitgrad.float32, jitgrad.float64):
        t = jitgrad.tensor(a, dtype=dt)
        ref = a.astype(dt.np)
        set_t(t)
        set_a(ref)
        np.testing.assert_array_equal(as_np(t), ref)
        assert t._version == 1


def test_setitem_tensor_value_broadcast_and_transposed_target() -> None:
    a = np.arange(12.0).reshape(3, 4)
    t = jitgrad.tensor(a)
    t[:, [0, 2]] = jitgrad.tensor([[10.0, 20.0]], dtype=jitgrad.float64)
    a[:, [0, 2]] = [[10.0, 20.0]]
    np.testing.assert_array_equal(as_np(t), a)
    view = t.t()  # non-contiguous target: writes must still reach t's buffer
    view[[1, 3]] = -1.0
    a.T[[1, 3]] = -1.0
    np.testing.assert_array_equal(as_np(t), a)
    assert t._version == 2


def test_setitem_gradients() -> None:
    a = RNG.standard_normal((3, 4))
    b = RNG.standard_normal(2)
    x = jitgrad.tensor(a, requires_grad=True)
    v = jitgrad.tensor(b, requires_grad=True)
    y = x.flip(0)
    y[[0, 2], 1] = v * 3
    assert y.grad_fn.name() == "torch::autograd::CopySlices"
    (y * y).sum().backward()
    want_x = 2 * a
    want_x[[2, 0], 1] = 0  # overwritten positions (rows of the flipped copy) get no gradient
    np.testing.assert_allclose(as_np(x.grad), want_x)
    np.testing.assert_allclose(as_np(v.grad), 18 * b)


def setitem_gradients(m) -> list:
    """Index assignments into a non-leaf (a slice, then repeated indices), under ``m``."""
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal(4)
    x, v = m.tensor(a, requires_grad=True), m.tensor(b, requires_grad=True)
    y = x * 1
    y[1:] = v.exp()
    y[0, [0, 0]] = v[2]
    (y**2).sum().backward()
    return [x.grad.numpy().tolist(), v.grad.numpy().tolist(), type(y.grad_fn).__name__]


def test_setitem_on_leaf_refused_and_bumps_saved() -> None:
    x = jitgrad.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        x[0] = 2.0
    w = jitgrad.ones(3, requires_grad=True)
    y = w.repeat(1)
    z = (y * y).sum()
    y[0] = 5.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def test_setitem_through_view_rebases_root() -> None:
    w = jitgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = jitgrad.zeros(3, 4)
    v = b[1]
    v[1:] = w * 2
    assert b.grad_fn.name() == "torch::autograd::CopySlices"
    assert v.grad_fn.name() == "AsStridedBackward0"
    (b * b).sum().backward()
    np.testing.assert_allclose(as_np(w.grad), 8 * np.array([1.0, 2.0, 3.0]))


def setitem_through_view(m) -> list:
    """Index assignments through views of a non-leaf, then a double backward, under ``m``."""
    a = np.arange(12.0).reshape(3, 4)
    c = np.random.default_rng(6).standard_normal((3, 4))
    x = m.tensor(a, requires_grad=True)
    w = m.tensor([1.0, 2.0, 3.0], dtype=m.float64, requires_grad=True)
    y = x * 1
    col = y[:, 1]
    col[[0, 2]] = w[:2] ** 2
    y[0][2:] = w[1:]
    gx, gw = m.autograd.grad((y * y * m.tensor(c)).sum(), (x, w), create_graph=True)
    (gw * gw).sum().backward()
    return [
        as_np(gx).tolist(),
        as_np(gw).tolist(),
        w.grad.numpy().tolist(),
        type(col.grad_fn).__name__,
    ]


def test_setitem_through_view_of_plain_tensor() -> None:
    x = jitgrad.zeros(2, 3)
    row = x[1]
    row[[0, 2]] = jitgrad.tensor([1.0, 2.0])
    assert x.tolist() == [[0.0, 0.0, 0.0], [1.0, 0.0, 2.0]]
    assert x._version == 1


def test_masked_fill_inplace() -> None:
    a = RNG.standard_normal((3, 4))
    t = jitgrad.tensor(a)
    t.masked_fill_(jitgrad.tensor(MASK), 0.5)
    np.testing.assert_array_equal(as_np(t), np.where(MASK, 0.5, a))
    x = jitgrad.tensor(a, requires_grad=True)
    y = x.repeat(1, 1)
    y.masked_fill_(jitgrad.tensor(MASK), 0.0)
    y.sum().backward()
    np.testing.assert_array_equal(as_np(x.grad), np.where(MASK, 0.0, 1.0))


def masked_fill_through_view(m) -> list:
    """In-place masked_fill_ through a view and into a fresh tensor, under ``m``."""
    rng = np.random.default_rng(7)
    a, c = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    x = m.tensor(a, requires_grad=True)
    v = m.tensor(2.0, dtype=m.float64, requires_grad=True)
    y = x * 1
    y[1:].masked_fill_(m.tensor(MASK[1:]), v)
    out = m.zeros(3, 4, dtype=m.float64)
    out.masked_fill_(m.tensor(MASK), v * 3)
    ((y + out) ** 2 * m.tensor(c)).sum().backward()
    return [x.grad.numpy().tolist(), v.grad.numpy().tolist(), type(y.grad_fn).__name__]


PROGRAMS = {
    "setitem_gradients": setitem_gradients,
    "setitem_through_view": setitem_through_view,
    "masked_fill_through_view": masked_fill_through_view,
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_against_recorded_torch(name: str) -> None:
    """Gradients and node names of the setitem/masked_fill programs against PyTorch 2.13's,
    recorded by tests/fixtures/make_shape_ops_torch.py (no torch needed to run this)."""
    got, want = PROGRAMS[name](jitgrad), RECORDED["programs"][name]
    for ours, theirs in zip(got, want, strict=True):
        if isinstance(ours, str):
            assert ours == theirs
        else:
            np.testing.assert_allclose(np.array(ours), np.array(theirs))


def test_nonzero() -> None:
    a = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    t = jitgrad.tensor(a)
    nz = jitgrad.nonzero(t)
    assert nz.dtype is jitgrad.int64
    np.testing.assert_array_equal(as_np(nz), np.argwhere(a))
    rows, cols = t.nonzero(as_tuple=True)
    np.testing.assert_array_equal(as_np(rows), np.nonzero(a)[0])
    np.testing.assert_array_equal(as_np(cols), np.nonzero(a)[1])
    assert jitgrad.nonzero(jitgrad.zeros(0, 2)).shape == (0, 2)
    assert jitgrad.nonzero(jitgrad.tensor(3.0)).shape == (1, 0)


def test_scatter_values() -> None:
    x = jitgrad.zeros(2, 4)
    idx = jitgrad.tensor([[0, 3], [1, 1]])
    src = jitgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.scatter_add(1, idx, src).tolist() == [[1, 0, 0, 2], [0, 7, 0, 0]]
    assert x.scatter(1, idx[:1], src[:1]).tolist() == [[1, 0, 0, 2], [0, 0, 0, 0]]


ERRORS: list[tuple[Callable, type, str]] = [
    (
        lambda x: x[1.0],
        IndexError,
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
        "valid indices (got float)",
    ),
    (
        lambda x: x.__setitem__([0], jitgrad.ones(4, dtype=jitgrad.float64)),
        RuntimeError,
        "Index put requires the source and destination dtypes match, got Float for the "
        "destination and Double for the source.",
    ),
    (
        lambda x: x.masked_fill(jitgrad.ones(3, 4).long(), 1.0),
        RuntimeError,
        "masked_fill_ only supports boolean masks, but got mask with dtype long int",
    ),
    (
        lambda x: x.masked_fill(jitgrad.ones(3, 4).bool(), jitgrad.tensor([1.0, 2.0])),
        RuntimeError,
        "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 "
        "dimension(s).",
    ),
    (
        lambda x: x.masked_fill(jitgrad.ones(5).bool(), 1.0),
        RuntimeError,
        "The size of tensor a (5) must match the size of tensor b (4) at non-singleton dimension 1",
    ),
    (
        lambda x: x.gather(1, jitgrad.tensor([0])),
        RuntimeError,
        "Index tensor must have the same number of dimensions as input tensor",
    ),
    (
        lambda x: x.gather(1, jitgrad.tensor([[0.0]])),
        RuntimeError,
        "gather(): Expected dtype int32/int64 for index",
    ),
    (
        lambda x: x.index_select(0, jitgrad.tensor([[0]])),
        IndexError,
        "index_select(): Index is supposed to be a vector",
    ),
    (
        lambda x: x.index_select(0, jitgrad.tensor([0.0])),
        RuntimeError,
        "index_select(): Expected dtype int32 or int64 for index",
    ),
    (lambda x: x[5], IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
    (lambda x: x[0, -5], IndexError, "index -5 is out of bounds for dimension 1 with size 4"),
    (lambda x: x[[0, 5]], IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
    (
        lambda x: x[jitgrad.tensor([5])],
        IndexError,
        "index 5 is out of bounds for dimension 0 with size 3",
    ),
    (
        lambda x: x[:, jitgrad.tensor([4])],
        IndexError,
        "index 4 is out of bounds for dimension 0 with size 4",
    ),
    (
        lambda x: x[[0, 1], [0, 9]],
        IndexError,
        "index 9 is out of bounds for dimension 1 with size 4",
    ),
    (
        lambda x: x[jitgrad.tensor([0.0])],
        IndexError,
        "tensors used as indices must be long, int, byte or bool tensors",
    ),
    (
        lambda x: x[jitgrad.tensor([True, False])],
        IndexError,
        "The shape of the mask [2] at index 0 does not match the shape of the indexed tensor "
        "[3, 4] at index 0",
    ),
    (lambda x: x[::-1], ValueError, "step must be greater than zero"),
    (lambda x: x[0, 0, 0], IndexError, "too many indices for tensor of dimension 2"),
    (
        lambda x: x.gather(1, jitgrad.tensor([[7]])),
        RuntimeError,
        "index 7 is out of bounds for dimension 1 with size 4",
    ),
    (lambda x: x.index_select(0, jitgrad.tensor([3])), IndexError, "index out of range in self"),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i: int) -> None:
    check_error(ERRORS[i], jitgrad)


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_error_table_is_what_torch_raised(i: int) -> None:
    """The table's types and messages are PyTorch 2.13's own (make_shape_ops_torch.py)."""
    _, exc, msg = ERRORS[i]
    assert RECORDED["errors"][i] == [exc.__name__, msg]


def test_numeric_helper_sees_index_grads() -> None:
    """The finite-difference helper itself: d/dx of x[[0, 0]] counts the repeat."""
    (g,) = numeric_grads(lambda m, x: x[[0, 0]], [np.array([1.0, 2.0])], np.ones(2))
    np.testing.assert_allclose(g, [2.0, 0.0], atol=1e-6)
