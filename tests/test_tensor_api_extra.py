"""Everyday tensor API added for PyTorch programs: triangles/diagonals, rearrangement,
stacking/splitting, broadcasting helpers, products, index updates, ``new_*`` methods, in-place
shape changes and type/thread queries; values against numpy, PyTorch's node names, gradients
by gradcheck (float64)."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(3)
A = RNG.standard_normal((4, 4))


def x64(values, requires_grad=True):
    return torch.tensor(values, dtype=torch.float64, requires_grad=requires_grad)


@pytest.mark.parametrize(
    ("fn", "ref", "node"),
    [
        (lambda t: torch.tril(t), np.tril, "TrilBackward0"),
        (lambda t: t.triu(1), lambda a: np.triu(a, 1), "TriuBackward0"),
        (lambda t: t.tril(-1), lambda a: np.tril(a, -1), "TrilBackward0"),
        (lambda t: torch.diagonal(t, 1), lambda a: np.diagonal(a, 1), "DiagonalBackward0"),
        (lambda t: torch.diag(t), np.diag, "DiagonalBackward0_copy"),  # a copy in PyTorch 2.13
        (lambda t: torch.trace(t), np.trace, "TraceBackward0"),
        (lambda t: torch.roll(t, 1, 0), lambda a: np.roll(a, 1, 0), "RollBackward0"),
        (lambda t: t.roll((1, -2), (0, 1)), lambda a: np.roll(a, (1, -2), (0, 1)), "RollBackward0"),
        (lambda t: torch.roll(t, 3), lambda a: np.roll(a, 3), "RollBackward0"),
        (lambda t: torch.rot90(t), np.rot90, None),
        (lambda t: torch.rot90(t, 3, [0, 1]), lambda a: np.rot90(a, 3), None),
        (torch.fliplr, np.fliplr, None),
        (torch.flipud, np.flipud, None),
        (lambda t: torch.diff(t, dim=0), lambda a: np.diff(a, axis=0), "SubBackward0"),
        (lambda t: torch.diff(t, n=2), lambda a: np.diff(a, n=2), "SubBackward0"),
    ],
)
def test_structural_ops(fn, ref, node) -> None:
    x = x64(A)
    out = fn(x)
    np.testing.assert_allclose(out.detach().numpy(), ref(A), rtol=1e-15)
    if node is not None:
        assert out.grad_fn.name() == node
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_diag_embed_and_1d_diag() -> None:
    v = x64([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(torch.diag(v).detach().numpy(), np.diag([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(torch.diag(v, 1).detach().numpy(), np.diag([1.0, 2.0, 3.0], 1))
    batch = x64(RNG.standard_normal((2, 3)))
    emb = torch.diag_embed(batch)
    assert emb.shape == (2, 3, 3) and emb.grad_fn.name() == "DiagEmbedBackward0"
    np.testing.assert_array_equal(
        torch.diagonal(emb, 0, -2, -1).detach().numpy(), batch.detach().numpy()
    )
    assert gradcheck(torch.diag_embed, (batch,))
    with pytest.raises(RuntimeError, match="diag\\(\\): Supports 1D or 2D tensors. Got 3D"):
        torch.diag(torch.zeros(2, 2, 2))
    m = torch.zeros(3, 3)
    m.fill_diagonal_(5.0)
    assert m.tolist() == [[5.0, 0.0, 0.0], [0.0, 5.0, 0.0], [0.0, 0.0, 5.0]]


def test_repeat_interleave_swapdims_and_stacking() -> None:
    x = torch.tensor([[1, 2], [3, 4]])
    assert torch.repeat_interleave(x, 2).tolist() == [1, 1, 2, 2, 3, 3, 4, 4]
    assert x.repeat_interleave(torch.tensor([1, 2]), dim=0).tolist() == [[1, 2], [3, 4], [3, 4]]
    assert torch.repeat_interleave(torch.tensor([2, 1])).tolist() == [0, 0, 1]
    g = x64([1.0, 2.0])
    assert g.repeat_interleave(3).grad_fn.name() == "IndexSelectBackward0"
    assert torch.swapdims(torch.zeros(2, 3, 4), 0, 2).shape == (4, 3, 2)
    a, b = torch.tensor([1, 2]), torch.tensor([3, 4])
    assert torch.hstack([a, b]).tolist() == [1, 2, 3, 4]
    assert torch.vstack([a, b]).tolist() == [[1, 2], [3, 4]]
    assert torch.column_stack([a, b]).tolist() == [[1, 3], [2, 4]]
    assert torch.dstack([a, b]).shape == (1, 2, 2)
    assert torch.row_stack([a, b]).shape == (2, 2)
    parts = torch.tensor_split(torch.arange(7), 3)
    assert [p.tolist() for p in parts] == [[0, 1, 2], [3, 4], [5, 6]]
    parts = torch.tensor_split(torch.arange(7), [1, 5])
    assert [p.tolist() for p in parts] == [[0], [1, 2, 3, 4], [5, 6]]
    assert [p.shape for p in torch.hsplit(torch.zeros(2, 4), 2)] == [(2, 2), (2, 2)]
    with pytest.raises(RuntimeError, match="is not divisible by the split_size 3"):
        torch.vsplit(torch.zeros(4, 2), 3)
    assert torch.atleast_2d(torch.tensor(1.0)).shape == (1, 1)


def test_broadcasting_helpers_and_meshgrid() -> None:
    assert torch.broadcast_shapes((2, 1), (3,), ()) == (2, 3)
    with pytest.raises(RuntimeError) as info:  # PyTorch 2.13's torch._refs wording
        torch.broadcast_shapes((2,), (3,))
    assert str(info.value) == (
        "Attempting to broadcast a dimension of length 3 at -1! Mismatching argument at index 1 "
        "had (3,); but expected shape should be broadcastable to [2]"
    )
    a, b = torch.broadcast_tensors(torch.zeros(2, 1), torch.arange(3.0))
    assert a.shape == b.shape == (2, 3) and b.tolist() == [[0.0, 1.0, 2.0]] * 2
    xs, ys = torch.meshgrid(torch.arange(2), torch.arange(3), indexing="ij")
    ex, ey = np.meshgrid(np.arange(2), np.arange(3), indexing="ij")
    assert xs.tolist() == ex.tolist() and ys.tolist() == ey.tolist()
    xs, ys = torch.meshgrid(torch.arange(2), torch.arange(3), indexing="xy")
    ex, ey = np.meshgrid(np.arange(2), np.arange(3), indexing="xy")
    assert xs.tolist() == ex.tolist() and ys.tolist() == ey.tolist()
    with pytest.warns(UserWarning, match="it will be required to pass the indexing argument"):
        torch.meshgrid(torch.arange(2), torch.arange(2))
    prod = torch.cartesian_prod(torch.tensor([1, 2]), torch.tensor([3, 4]))
    assert prod.tolist() == [[1, 3], [1, 4], [2, 3], [2, 4]]


def test_products() -> None:
    a, b = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((3, 4, 5))
    np.testing.assert_allclose(
        torch.tensordot(x64(a), x64(b)).detach().numpy(), np.tensordot(a, b), rtol=1e-12
    )
    dims = ([0, 1], [1, 0])
    c = RNG.standard_normal((3, 2, 5))
    np.testing.assert_allclose(
        torch.tensordot(x64(a), x64(c), dims).detach().numpy(),
        np.tensordot(a, c, dims),
        rtol=1e-12,
    )
    assert gradcheck(lambda p, q: torch.tensordot(p, q, 1), (x64(a[0]), x64(b[0])))
    u, v = RNG.standard_normal((2, 3)), RNG.standard_normal((4, 3))
    np.testing.assert_allclose(torch.inner(x64(u), x64(v)).detach().numpy(), np.inner(u, v))
    cr = torch.cross(x64(u[0]), x64(v[0]), dim=0)
    np.testing.assert_allclose(cr.detach().numpy(), np.cross(u[0], v[0]), rtol=1e-12)
    assert cr.grad_fn.name() == "LinalgCrossBackward0"
    assert gradcheck(lambda p, q: torch.cross(p, q, dim=1), (x64(u), x64(v[:2])))
    d = torch.cdist(x64(u), x64(v))
    expect = np.sqrt(((u[:, None, :] - v[None, :, :]) ** 2).sum(-1))
    np.testing.assert_allclose(d.detach().numpy(), expect, rtol=1e-12)
    assert gradcheck(lambda p, q: torch.cdist(p, q, p=1.0), (x64(u), x64(v)))


def test_index_updates() -> None:
    base = x64(np.zeros((3, 2)))
    src = x64(np.arange(6.0).reshape(3, 2))
    idx = torch.tensor([0, 2, 0])
    out = torch.index_add(base, 0, idx, src, alpha=2)
    expect = np.zeros((3, 2))
    np.add.at(expect, [0, 2, 0], 2 * np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(out.detach().numpy(), expect)
    assert out.grad_fn.name() == "IndexAddBackward0"
    assert gradcheck(lambda b, s: torch.index_add(b, 0, idx, s), (base, src))
    filled = torch.index_fill(x64(np.ones((2, 3))), 1, torch.tensor([0, 2]), -1.0)
    assert (
        filled.tolist() == [[-1.0, 1.0, -1.0]] * 2 and filled.grad_fn.name() == "IndexFillBackward0"
    )
    copied = torch.index_copy(x64(np.zeros(4)), 0, torch.tensor([3, 1]), x64([7.0, 8.0]))
    assert copied.tolist() == [0.0, 8.0, 0.0, 7.0]
    assert gradcheck(
        lambda b, s: torch.index_copy(b, 0, torch.tensor([3, 1]), s),
        (x64(np.zeros(4)), x64([7.0, 8.0])),
    )
    t = torch.take(x64([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([3, 0, 3]))
    assert t.tolist() == [4.0, 1.0, 4.0] and t.grad_fn.name() == "TakeBackward0"
    with pytest.raises(IndexError, match="out of range: tried to access index 4 on a tensor of 4"):
        torch.take(torch.zeros(2, 2), torch.tensor([4]))
    sel = torch.masked_select(torch.arange(6.0).reshape(2, 3), torch.tensor([True, False, True]))
    assert sel.tolist() == [0.0, 2.0, 3.0, 5.0]
    z = torch.zeros(3)
    z.index_add_(0, torch.tensor([1, 1]), torch.tensor([1.0, 2.0]))
    z.index_fill_(0, torch.tensor([0]), 9.0)
    z.scatter_add_(0, torch.tensor([2]), torch.tensor([4.0]))
    assert z.tolist() == [9.0, 3.0, 4.0]
    leaf = torch.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        leaf.index_fill_(0, torch.tensor([0]), 1.0)


def test_new_methods_type_as_and_inplace_shapes() -> None:
    x = torch.zeros(2, dtype=torch.float64)
    assert x.new_zeros(2, 3).shape == (2, 3) and x.new_zeros((1,)).dtype is torch.float64
    assert x.new_ones(2, dtype=torch.int64).tolist() == [1, 1]
    assert x.new_full((2,), 3.5).tolist() == [3.5, 3.5]
    assert x.new_tensor([1, 2]).dtype is torch.float64
    assert x.new_empty(4).shape == (4,)
    assert x.new_zeros(2, requires_grad=True).requires_grad
    assert torch.tensor([1, 2]).type_as(x).dtype is torch.float64
    y = torch.zeros(3, 1)
    assert y.squeeze_() is y and y.shape == (3,)
    y.unsqueeze_(0)
    assert y.shape == (1, 3)
    y.t_()
    assert y.shape == (3, 1)
    z = torch.zeros(2, 3)
    z.transpose_(0, 1)
    assert z.shape == (3, 2)
    w = x64([1.0, 2.0]) * 2
    w.unsqueeze_(1)
    assert w.shape == (2, 1) and w.grad_fn.name() == "UnsqueezeBackward1"


def test_type_and_thread_queries() -> None:
    f = torch.finfo(torch.float32)
    assert (
        f.eps == np.finfo(np.float32).eps
        and f.bits == 32
        and f.max == float(np.finfo(np.float32).max)
    )
    assert repr(torch.finfo()) == (
        "finfo(resolution=1e-06, min=-3.40282e+38, max=3.40282e+38, eps=1.19209e-07, "
        "smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=float32)"
    )
    assert torch.iinfo(torch.int32).max == 2**31 - 1 and torch.iinfo(torch.int64).bits == 64
    with pytest.raises(TypeError, match="torch.finfo\\(\\) requires a floating point input type"):
        torch.finfo(torch.int64)
    assert torch.promote_types(torch.int32, torch.float64) is torch.float64
    assert torch.result_type(torch.tensor([1]), 2.5) is torch.float32
    assert torch.can_cast(torch.int64, torch.float32) and not torch.can_cast(
        torch.float32, torch.int64
    )
    assert (
        torch.is_floating_point(torch.zeros(1))
        and not torch.zeros(1, dtype=torch.int64).is_floating_point()
    )
    assert torch.is_nonzero(torch.tensor([2.0])) and not torch.is_nonzero(torch.tensor(0))
    with pytest.raises(RuntimeError, match="with more than one value is ambiguous"):
        torch.is_nonzero(torch.zeros(2))
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(n)
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        r = torch.range(1, 4)
    assert r.tolist() == [1.0, 2.0, 3.0, 4.0] and r.dtype is torch.float32
    np.testing.assert_allclose(torch.logspace(0, 2, 3).numpy(), [1.0, 10.0, 100.0], rtol=1e-6)
