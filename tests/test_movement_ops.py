"""Shape and movement ops: values vs numpy, gradients vs finite differences, node names,
view semantics (shared buffer and version counter) and PyTorch's error messages."""

from __future__ import annotations

import json
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import jitgrad

RNG = np.random.default_rng(0)


def as_np(t) -> np.ndarray:
    return t.detach().numpy()


def numeric_grads(fn: Callable, arrays: list[np.ndarray], weight: np.ndarray) -> list:
    """Central differences of sum(fn(*xs) * weight) in float64."""
    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for j in range(a.size):
            vals = []
            for step in (1e-6, -1e-6):
                p = [b.copy() for b in arrays]
                p[i].reshape(-1)[j] += step
                with jitgrad.no_grad():
                    out = fn(jitgrad, *[jitgrad.tensor(b) for b in p])
                vals.append(float((as_np(out) * weight).sum()))
            g.reshape(-1)[j] = (vals[0] - vals[1]) / 2e-6
        grads.append(g)
    return grads


def check_op(fn: Callable, shapes: list[tuple], ref: Callable | None, name: str | None) -> None:
    """Forward vs ``ref`` (numpy) in float32/float64, backward vs finite differences, node name."""
    arrays = [RNG.standard_normal(s) for s in shapes]
    for dt in (jitgrad.float32, jitgrad.float64):
        xs = [jitgrad.tensor(a, dtype=dt, requires_grad=True) for a in arrays]
        out = fn(jitgrad, *xs)
        assert out.dtype is dt
        if ref is not None:
            want = ref(*[a.astype(dt.np) for a in arrays])
            assert out.shape == want.shape
            np.testing.assert_array_equal(as_np(out), want)
        if name is not None:
            assert out.grad_fn.name() == name
        if dt is jitgrad.float64:
            weight = RNG.standard_normal(out.shape)
            (out * jitgrad.tensor(weight)).sum().backward()
            for x, g in zip(xs, numeric_grads(fn, arrays, weight), strict=True):
                np.testing.assert_allclose(as_np(x.grad), g, rtol=1e-6, atol=1e-8)


# (label, fn, input shapes, numpy reference, grad_fn name as PyTorch reports it)
CASES = [
    (
        "movedim",
        lambda m, x: x.movedim((0, 1), (2, 0)),
        [(2, 3, 4)],
        lambda x: np.moveaxis(x, (0, 1), (2, 0)),
        "PermuteBackward0",
    ),
    ("tile", lambda m, x: m.tile(x, (2,)), [(2, 3)], lambda x: np.tile(x, (2,)), "RepeatBackward0"),
    ("reshape", lambda m, x: x.reshape(4, 3), [(3, 4)], lambda x: x.reshape(4, 3), "ViewBackward0"),
    (
        "reshape_infer",
        lambda m, x: x.reshape(-1, 2),
        [(3, 4)],
        lambda x: x.reshape(-1, 2),
        "ViewBackward0",
    ),
    (
        "reshape_copy",
        lambda m, x: x.t().reshape(12),
        [(3, 4)],
        lambda x: x.T.reshape(12),
        "UnsafeViewBackward0",
    ),
    ("view", lambda m, x: x.view(2, 6), [(3, 4)], lambda x: x.reshape(2, 6), "ViewBackward0"),
    (
        "flatten",
        lambda m, x: x.flatten(1),
        [(2, 3, 4)],
        lambda x: x.reshape(2, 12),
        "ViewBackward0",
    ),
    ("flatten_0d", lambda m, x: x.flatten(), [()], lambda x: x.reshape(1), "ViewBackward0"),
    (
        "unflatten",
        lambda m, x: x.unflatten(1, (2, -1)),
        [(3, 4)],
        lambda x: x.reshape(3, 2, 2),
        "ViewBackward0",
    ),
    (
        "squeeze",
        lambda m, x: x.squeeze(),
        [(3, 1, 4, 1)],
        lambda x: x.reshape(3, 4),
        "SqueezeBackward0",
    ),
    (
        "squeeze_dim",
        lambda m, x: x.squeeze(-3),
        [(3, 1, 4, 1)],
        lambda x: x.reshape(3, 4, 1),
        "SqueezeBackward1",
    ),
    (
        "squeeze_dims",
        lambda m, x: m.squeeze(x, (1, 3)),
        [(3, 1, 4, 1)],
        lambda x: x.reshape(3, 4),
        "SqueezeBackward2",
    ),
    (
        "unsqueeze",
        lambda m, x: x.unsqueeze(-1),
        [(3, 4)],
        lambda x: x[..., None],
        "UnsqueezeBackward0",
    ),
    (
        "unsqueeze_0d",
        lambda m, x: m.unsqueeze(x, 0),
        [()],
        lambda x: x.reshape(1),
        "UnsqueezeBackward0",
    ),
    (
        "transpose",
        lambda m, x: x.transpose(0, -1),
        [(2, 3, 4)],
        lambda x: x.swapaxes(0, 2),
        "TransposeBackward0",
    ),
    (
        "swapaxes",
        lambda m, x: m.swapaxes(x, 1, 2),
        [(2, 3, 4)],
        lambda x: x.swapaxes(1, 2),
        "TransposeBackward0",
    ),
    (
        "permute",
        lambda m, x: x.permute(2, 0, 1),
        [(2, 3, 4)],
        lambda x: x.transpose(2, 0, 1),
        "PermuteBackward0",
    ),
    ("t", lambda m, x: x.t(), [(3, 4)], lambda x: x.T, "TBackward0"),
    ("T", lambda m, x: x.T, [(3, 4)], lambda x: x.T, "PermuteBackward0"),
    ("mT", lambda m, x: x.mT, [(2, 3, 4)], lambda x: x.swapaxes(1, 2), "TransposeBackward0"),
    (
        "expand",
        lambda m, x: x.expand(2, 3, 4),
        [(3, 1)],
        lambda x: np.broadcast_to(x, (2, 3, 4)),
        "ExpandBackward0",
    ),
    (
        "expand_keep",
        lambda m, x: x.expand(-1, 5),
        [(3, 1)],
        lambda x: np.broadcast_to(x, (3, 5)),
        "ExpandBackward0",
    ),
    (
        "expand_0d",
        lambda m, x: x.expand(3),
        [()],
        lambda x: np.broadcast_to(x, (3,)),
        "ExpandBackward0",
    ),
    (
        "broadcast_to",
        lambda m, x: m.broadcast_to(x, (2, 4)),
        [(4,)],
        lambda x: np.broadcast_to(x, (2, 4)),
        "ExpandBackward0",
    ),
    (
        "repeat",
        lambda m, x: x.repeat(2, 1, 3),
        [(3, 2)],
        lambda x: np.tile(x, (2, 1, 3)),
        "RepeatBackward0",
    ),
    (
        "cat",
        lambda m, x, y: m.cat([x, y]),
        [(2, 3), (1, 3)],
        lambda x, y: np.concatenate([x, y]),
        "CatBackward0",
    ),
    (
        "cat_neg",
        lambda m, x, y: m.cat((x, y), dim=-1),
        [(2, 3), (2, 1)],
        lambda x, y: np.concatenate([x, y], -1),
        "CatBackward0",
    ),
    (
        "cat_empty",
        lambda m, x, y: m.cat([x, y], 1),
        [(2, 0), (2, 2)],
        lambda x, y: np.concatenate([x, y], 1),
        "CatBackward0",
    ),
    (
        "stack",
        lambda m, x, y: m.stack([x, y], 1),
        [(2, 3), (2, 3)],
        lambda x, y: np.stack([x, y], 1),
        "StackBackward0",
    ),
    (
        "stack_0d",
        lambda m, x, y: m.stack([x, y]),
        [(), ()],
        lambda x, y: np.stack([x, y]),
        "StackBackward0",
    ),
    (
        "split",
        lambda m, x: m.cat([p * (i + 1) for i, p in enumerate(x.split(2))]),
        [(5, 2)],
        lambda x: x * np.array([1, 1, 2, 2, 3], x.dtype)[:, None],
        "CatBackward0",
    ),
    (
        "split_sizes",
        lambda m, x: x.split([1, 3], 1)[1],
        [(2, 4)],
        lambda x: x[:, 1:],
        "SplitWithSizesBackward0",
    ),
    ("chunk", lambda m, x: x.chunk(3, 1)[-1], [(2, 5)], lambda x: x[:, 4:], "SplitBackward0"),
    ("unbind", lambda m, x: x.unbind(1)[2], [(2, 3)], lambda x: x[:, 2], "UnbindBackward0"),
    ("flip", lambda m, x: x.flip((0, -1)), [(2, 3)], lambda x: x[::-1, ::-1], "FlipBackward0"),
    ("narrow", lambda m, x: x.narrow(1, 1, 2), [(2, 4)], lambda x: x[:, 1:3], "SliceBackward0"),
    ("select", lambda m, x: m.select(x, 0, -1), [(2, 4)], lambda x: x[-1], "SelectBackward0"),
    ("contiguous", lambda m, x: x.t().contiguous(), [(2, 4)], lambda x: x.T, "CloneBackward0"),
    (
        "empty_reshape",
        lambda m, x: x.reshape(3, 0),
        [(0, 3)],
        lambda x: x.reshape(3, 0),
        "ViewBackward0",
    ),
    ("empty_transpose", lambda m, x: x.t(), [(0, 3)], lambda x: x.T, "TBackward0"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_op(case) -> None:
    _, fn, shapes, ref, name = case
    check_op(fn, shapes, ref, name)


RECORDED = json.loads((Path(__file__).parent / "fixtures" / "movement_torch.json").read_text())


def case_arrays(label: str, shapes: list) -> list:
    """Case ``label``'s inputs, seeded by its label (the recording and the test see the same)."""
    rng = np.random.default_rng(zlib.crc32(label.encode()))
    return [rng.standard_normal(s) for s in shapes]


def run_case(module, fn: Callable, arrays: list) -> dict:
    """``fn``'s output, the gradients of ``sum(out * out)`` and the node name under ``module``."""
    xs = [module.tensor(a, requires_grad=True) for a in arrays]
    out = fn(module, *xs)
    (out * out).sum().backward()
    return {
        "out": out.detach().numpy().tolist(),
        "grads": [x.grad.numpy().tolist() for x in xs],
        "grad_fn": out.grad_fn.name(),
    }


@pytest.mark.parametrize("case", CASES[:24], ids=[c[0] for c in CASES[:24]])
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


def test_views_share_buffer_and_version() -> None:
    x = jitgrad.zeros(3, 4)
    for v in (
        x.view(12),
        x.reshape(2, 6),
        x.t(),
        x.T,
        x[1],
        x[:, 1:3],
        x.unsqueeze(0),
        x.expand(2, 3, 4),
        x.narrow(0, 1, 1),
        x.split(2)[1],
        x.unbind()[0],
        x.transpose(0, 1).squeeze(),
        x.permute(1, 0),
    ):
        assert np.shares_memory(v._value, x._value)
        assert v._base is x
        before = x._version
        v._vc[0] += 0
        assert v._version == x._version == before
    v = x[1]
    v.add_(1)
    assert x._version == 1 and v._version == 1
    assert x.tolist()[1] == [1.0] * 4
    w = v[1:]  # a view of a view points at the root
    assert w._base is x
    copy = x.t().reshape(12)
    assert copy._base is None and not np.shares_memory(copy._value, x._value)
    assert x.t().contiguous().is_contiguous()
    assert x.contiguous() is x


def test_view_of_leaf_inplace_refused() -> None:
    x = jitgrad.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[:2].mul_(2)


def test_modified_view_base_detected_at_backward() -> None:
    x = jitgrad.ones(2, 3, requires_grad=True)
    v = x[0]
    y = (v * v).sum()
    with jitgrad.no_grad():
        x.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_T_warns_on_non_2d() -> None:
    x = jitgrad.zeros(2, 3, 4)
    with pytest.warns(UserWarning, match="The use of `x.T` on tensors of dimension other than 2"):
        assert x.T.shape == (4, 3, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert jitgrad.zeros(2, 3).T.shape == (3, 2)


def test_create_graph_through_reshape_and_cat() -> None:
    x = jitgrad.tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    y = jitgrad.cat([x.reshape(2, 6), x.t().reshape(2, 6)])
    (g,) = jitgrad.autograd.grad((y**3).sum(), x, create_graph=True)
    np.testing.assert_allclose(as_np(g), 6 * as_np(x) ** 2)
    (gg,) = jitgrad.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(as_np(gg), 12 * as_np(x))


def test_create_graph_through_pieces_and_broadcasts() -> None:
    """Double backward through split, unbind, stack, expand, select and repeat, checked
    against finite differences of the first-order gradient."""
    a = RNG.standard_normal((4, 3))
    x = jitgrad.tensor(a, requires_grad=True)
    w = jitgrad.tensor(RNG.standard_normal((3, 8)))
    (g,) = jitgrad.autograd.grad((w * _mix(x) ** 3).sum(), x, create_graph=True)
    (gg,) = jitgrad.autograd.grad(g.sum(), x)
    (num,) = numeric_grads(lambda m, t: _first_grad(t, w), [a], np.ones((4, 3)))
    np.testing.assert_allclose(as_np(gg), num, rtol=1e-5, atol=1e-6)


def _mix(x):
    top, bottom = x.split([1, 3])
    return jitgrad.stack([*bottom.unbind(0), top.expand(3, 3)[1]], 1).repeat(1, 2)


def _first_grad(t, w):
    with jitgrad.enable_grad():
        t = t.detach().requires_grad_()
        (g,) = jitgrad.autograd.grad((w * _mix(t) ** 3).sum(), t)
    return g


def test_split_unused_pieces_get_zero_grad() -> None:
    x = jitgrad.tensor(RNG.standard_normal((5, 2)), requires_grad=True)
    a, b, c = x.split(2)
    (b * 3).sum().backward()
    want = np.zeros((5, 2))
    want[2:4] = 3
    np.testing.assert_array_equal(as_np(x.grad), want)


ERRORS = [
    (
        lambda x: jitgrad.select(x, 0, 5),
        IndexError,
        "select(): index 5 out of range for tensor of size [3, 4] at dimension 0",
    ),
    (
        lambda x: x.narrow(1, 2, 3),
        RuntimeError,
        "start (2) + length (3) exceeds dimension size (4).",
    ),
    (
        lambda x: x.narrow(1, 5, 0),
        IndexError,
        "start out of range (expected to be in range of [-4, 4], but got 5)",
    ),
    (
        lambda x: jitgrad.cat([x[0, 0], x[0, 1]]),
        RuntimeError,
        "zero-dimensional tensor (at position 0) cannot be concatenated",
    ),
    (
        lambda x: x.movedim((0, 0), (1, 0)),
        RuntimeError,
        "movedim: repeated dim in `source` ([0, 0])",
    ),
    (
        lambda x: x.t().view(12),
        RuntimeError,
        "view size is not compatible with input tensor's size and stride (at least one dimension "
        "spans across two contiguous subspaces). Use .reshape(...) instead.",
    ),
    (lambda x: x.reshape(5), RuntimeError, "shape '[5]' is invalid for input of size 12"),
    (lambda x: x.view(-1, 5), RuntimeError, "shape '[-1, 5]' is invalid for input of size 12"),
    (
        lambda x: x.transpose(0, 2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    (
        lambda x: x.squeeze(3),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 3)",
    ),
    (
        lambda x: x.expand(3, 5),
        RuntimeError,
        "The expanded size of the tensor (5) must match the existing size (4) at non-singleton "
        "dimension 1.  Target sizes: [3, 5].  Tensor sizes: [3, 4]",
    ),
    (lambda x: x.permute(0, 0), RuntimeError, "permute(): duplicate dims are not allowed."),
    (
        lambda x: x.repeat(2),
        RuntimeError,
        "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
        "tensor",
    ),
    (
        lambda x: x.unsqueeze(0).t(),
        RuntimeError,
        "t() expects a tensor with <= 2 dimensions, but self is 3D",
    ),
    (
        lambda x: jitgrad.cat([x, x.unsqueeze(0)]),
        RuntimeError,
        "Tensors must have same number of dimensions: got 2 and 3",
    ),
    (
        lambda x: jitgrad.cat([x, jitgrad.zeros(2, 5)]),
        RuntimeError,
        "Sizes of tensors must match except in dimension 0. Expected size 4 but got size 5 for "
        "tensor number 1 in the list.",
    ),
    (
        lambda x: jitgrad.stack([x, x[0]]),
        RuntimeError,
        "stack expects each tensor to be equal size, but got [3, 4] at entry 0 and [4] at entry 1",
    ),
    (
        lambda x: x.split(0),
        RuntimeError,
        "split_size can only be 0 if dimension size is 0, but got dimension size of 3",
    ),
    (
        lambda x: x[0].mT,
        RuntimeError,
        "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.",
    ),
    (
        lambda x: jitgrad.tensor(1.0).unbind(),
        IndexError,
        "Dimension specified as 0 but tensor has no dimensions",
    ),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i: int) -> None:
    check_error(ERRORS[i], jitgrad)


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_error_table_is_what_torch_raised(i: int) -> None:
    """The table's types and messages are PyTorch 2.13's own (make_shape_ops_torch.py)."""
    _, exc, msg = ERRORS[i]
    assert RECORDED["errors"][i] == [exc.__name__, msg]


def check_error(entry: tuple, module) -> None:
    """An ERRORS entry ``(fn, exception type, message)`` raises exactly that under ``module``."""
    fn, exc, msg = entry
    with pytest.raises(exc) as info:
        call_with_module(fn, module)
    assert str(info.value).split(" (Triggered internally")[0] == msg


def call_with_module(fn: Callable, module) -> None:
    """Run an ERRORS lambda with ``jitgrad`` swapped for ``module``."""
    g = dict(fn.__globals__)
    g["jitgrad"] = module
    rebound = type(fn)(fn.__code__, g)
    rebound(module.zeros(3, 4))
