"""Sorting, selection, comparisons, small reductions, ``torch.linalg`` norms and einsum with
``...``: values against numpy, PyTorch's ordering rules (NaN largest, stable ties), node
names and gradients (gradcheck, float64)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(0)
M = RNG.standard_normal((3, 5))


def x64(values, requires_grad=True):
    return torch.tensor(values, dtype=torch.float64, requires_grad=requires_grad)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_matches_numpy_and_routes_gradient(dim, descending) -> None:
    x = x64(M)
    values, indices = torch.sort(x, dim=dim, descending=descending)
    order = np.argsort(-M if descending else M, axis=dim, kind="stable")
    np.testing.assert_array_equal(indices.numpy(), order)
    np.testing.assert_array_equal(values.detach().numpy(), np.take_along_axis(M, order, dim))
    assert values.grad_fn.name() == "SortBackward0" and indices.dtype is torch.int64
    np.testing.assert_array_equal(x.argsort(dim, descending=descending).numpy(), order)
    assert gradcheck(lambda t: torch.sort(t, dim, descending)[0], (x,))
    assert gradgradcheck(lambda t: torch.sort(t, dim, descending)[0] ** 2, (x,))


def test_sort_nan_and_ties_follow_pytorch() -> None:
    x = torch.tensor([2.0, float("nan"), 1.0, 2.0, -1.0])
    v, i = x.sort()
    assert v[:4].tolist() == [-1.0, 1.0, 2.0, 2.0] and math.isnan(v[4].item())
    assert i.tolist() == [4, 2, 0, 3, 1]
    v, i = x.sort(descending=True, stable=True)
    assert math.isnan(v[0].item()) and i.tolist() == [1, 0, 3, 2, 4]
    assert torch.msort(torch.tensor([[3.0], [1.0]])).tolist() == [[1.0], [3.0]]


def test_topk() -> None:
    x = x64(M)
    values, indices = torch.topk(x, 2, dim=1)
    expect = np.sort(M, axis=1)[:, ::-1][:, :2]
    np.testing.assert_array_equal(values.detach().numpy(), expect)
    np.testing.assert_array_equal(np.take_along_axis(M, indices.numpy(), 1), expect)
    assert values.grad_fn.name() == "TopkBackward0"
    smallest = torch.topk(x, 3, dim=0, largest=False).values.detach().numpy()
    np.testing.assert_array_equal(smallest, np.sort(M, axis=0))
    values.sum().backward()
    assert x.grad.sum().item() == 6.0 and set(np.unique(x.grad.numpy())) == {0.0, 1.0}
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        torch.topk(x, 6)
    assert gradcheck(lambda t: t.topk(2, 0).values, (x,))


def test_kthvalue_and_median() -> None:
    x = x64(M)
    v, i = torch.kthvalue(x, 2, dim=1)
    np.testing.assert_array_equal(v.detach().numpy(), np.sort(M, axis=1)[:, 1])
    np.testing.assert_array_equal(M[np.arange(3), i.numpy()], v.detach().numpy())
    assert v.grad_fn.name() == "KthvalueBackward0"
    assert torch.kthvalue(x, 1, 0, keepdim=True).values.shape == (1, 5)
    with pytest.raises(RuntimeError, match="kthvalue\\(\\): selected number k out of range"):
        torch.kthvalue(x, 6)
    even = torch.tensor([4.0, 1.0, 3.0, 2.0])
    assert torch.median(even).item() == 2.0  # the lower middle value, not the average
    m = torch.median(x, dim=1)
    np.testing.assert_array_equal(m.values.detach().numpy(), np.sort(M, axis=1)[:, 2])
    assert m.values.grad_fn.name() == "MedianBackward1"
    assert torch.median(x).grad_fn.name() == "MedianBackward0"
    assert math.isnan(torch.median(torch.tensor([1.0, float("nan"), 0.0])).item())
    nan_row = torch.median(torch.tensor([[1.0, float("nan"), 3.0]]), 1)
    assert math.isnan(nan_row.values.item()) and nan_row.indices.item() == 1
    ties = x64([1.0, 5.0, 1.0, 0.0, 1.0])
    torch.median(ties).backward()
    assert ties.grad.tolist() == pytest.approx([1 / 3, 0, 1 / 3, 0, 1 / 3])
    assert gradcheck(lambda t: t.median(0).values, (x,))


def test_cumprod_cummax_cummin() -> None:
    x = x64(M)
    out = torch.cumprod(x, 1)
    np.testing.assert_allclose(out.detach().numpy(), np.cumprod(M, 1), rtol=1e-12)
    assert out.grad_fn.name() == "CumprodBackward0"
    assert gradcheck(lambda t: t.cumprod(0), (x,))
    assert gradgradcheck(lambda t: t.cumprod(1), (x,))
    z = x64([2.0, 0.0, 3.0, 4.0])
    torch.cumprod(z, 0).sum().backward()
    # d/dx_i sum_j prod_{k<=j} x_k with x = (2, 0, 3, 4)
    assert z.grad.tolist() == [1.0, 2 + 2 * 3 + 2 * 3 * 4, 0.0, 0.0]
    assert torch.cumprod(torch.tensor([1, 2, 3]), 0).dtype is torch.int64
    v, i = torch.cummax(x64([1.0, 3.0, 2.0, 3.0, 5.0]), 0)
    assert v.tolist() == [1.0, 3.0, 3.0, 3.0, 5.0] and i.tolist() == [0, 1, 1, 3, 4]
    assert v.grad_fn.name() == "CummaxBackward0"
    v, i = torch.cummin(torch.tensor([2.0, 1.0, 3.0]), 0)
    assert v.tolist() == [2.0, 1.0, 1.0] and i.tolist() == [0, 1, 1]
    assert gradcheck(lambda t: torch.cummax(t, 1).values, (x,))


def test_isclose_allclose_equal() -> None:
    a = torch.tensor([1.0, float("inf"), float("nan"), 0.0])
    b = torch.tensor([1.0 + 1e-6, float("inf"), float("nan"), 1e-9])
    assert torch.isclose(a, b).tolist() == [True, True, False, True]
    assert torch.isclose(a, b, equal_nan=True).tolist() == [True, True, True, True]
    assert not torch.allclose(a, b) and torch.allclose(a, b, equal_nan=True)
    assert torch.allclose(torch.tensor([100.0]), torch.tensor([100.1]), rtol=1e-2)
    assert not torch.allclose(torch.tensor([100.0]), torch.tensor([100.1]))
    with pytest.raises(RuntimeError, match="Float did not match Double"):
        torch.isclose(torch.zeros(1), torch.zeros(1, dtype=torch.float64))
    assert torch.equal(torch.tensor([1, 2]), torch.tensor([1, 2]))
    assert not torch.equal(torch.tensor([1, 2]), torch.tensor([1, 3]))
    assert not torch.equal(torch.tensor([1, 2]), torch.tensor([[1, 2]]))
    assert torch.tensor([1.0, 2.0]).allclose(torch.tensor([1.0, 2.0]))


def test_nan_reductions_aminmax_count_and_moments() -> None:
    x = x64([[1.0, float("nan"), 3.0], [float("nan"), float("nan"), 2.0]])
    s = torch.nansum(x)
    assert s.item() == 6.0 and s.grad_fn.name() == "NansumBackward0"
    s.backward()
    assert x.grad.tolist() == [[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]
    assert torch.nansum(x, 1).tolist() == [4.0, 2.0]
    assert torch.nanmean(x, dim=1).tolist() == [2.0, 2.0]
    mm = torch.aminmax(torch.tensor([[3, 1], [4, -2]]))
    assert (mm.min.item(), mm.max.item()) == (-2, 4)
    assert torch.aminmax(torch.tensor([[3.0, 1.0], [4.0, -2.0]]), dim=0).min.tolist() == [3.0, -2.0]
    assert torch.count_nonzero(torch.tensor([[0, 1], [2, 0]]), dim=0).tolist() == [1, 1]
    std, mean = torch.std_mean(torch.tensor([1.0, 2.0, 3.0, 4.0]))
    assert mean.item() == 2.5 and std.item() == pytest.approx(np.std([1, 2, 3, 4], ddof=1))
    var, _ = torch.var_mean(torch.tensor([[1.0, 3.0]]), dim=1, correction=0)
    assert var.tolist() == [1.0]


def test_unique_bincount_searchsorted_bucketize_argwhere() -> None:
    values, inverse, counts = torch.unique(
        torch.tensor([3, 1, 3, 2, 1]), return_inverse=True, return_counts=True
    )
    assert values.tolist() == [1, 2, 3] and inverse.tolist() == [2, 0, 2, 1, 0]
    assert counts.tolist() == [2, 1, 2]
    assert torch.bincount(torch.tensor([0, 2, 2, 5])).tolist() == [1, 0, 2, 0, 0, 1]
    w = torch.bincount(torch.tensor([0, 1, 1]), weights=torch.tensor([0.5, 1.0, 2.0]))
    assert w.tolist() == [0.5, 3.0] and w.dtype is torch.float32
    with pytest.raises(RuntimeError, match="bincount only supports 1-d non-negative integral"):
        torch.bincount(torch.tensor([-1]))
    seq = torch.tensor([1.0, 3.0, 5.0, 7.0])
    assert torch.searchsorted(seq, torch.tensor([3.0, 6.0, 9.0])).tolist() == [1, 3, 4]
    assert torch.searchsorted(seq, torch.tensor([3.0]), right=True).tolist() == [2]
    rows = torch.tensor([[1.0, 2.0], [5.0, 6.0]])
    assert torch.searchsorted(rows, torch.tensor([[1.5], [7.0]])).tolist() == [[1], [2]]
    assert torch.bucketize(torch.tensor([1.0, 4.0]), seq).tolist() == [0, 2]
    assert torch.argwhere(torch.tensor([[0, 1], [1, 0]])).tolist() == [[0, 1], [1, 0]]


def test_linalg_norms() -> None:
    A = np.array([[1.0, -2.0, 0.5], [3.0, 4.0, -1.0]])
    a = x64(A)
    assert torch.linalg.norm(a).item() == pytest.approx(np.linalg.norm(A), rel=1e-15)
    for ord_ in (1, -1, math.inf, -math.inf, "fro"):
        got = torch.linalg.matrix_norm(a, ord_).item()
        assert got == pytest.approx(np.linalg.norm(A, ord_), rel=1e-15), ord_
        assert torch.linalg.norm(a, ord_).item() == pytest.approx(got, rel=1e-15)
    np.testing.assert_allclose(
        torch.linalg.norm(a, dim=1).detach().numpy(), np.linalg.norm(A, axis=1)
    )
    vn = torch.linalg.vector_norm(a, 3, dim=0)
    np.testing.assert_allclose(vn.detach().numpy(), (np.abs(A) ** 3).sum(0) ** (1 / 3))
    assert vn.grad_fn.name() == "LinalgVectorNormBackward0"
    assert gradcheck(lambda t: torch.linalg.matrix_norm(t, 1), (a,))
    assert gradcheck(lambda t: torch.linalg.norm(t, dim=(0, 1)), (a,))
    with pytest.raises(RuntimeError, match="If dim is not specified but ord is, the input must"):
        torch.linalg.norm(x64(np.ones((2, 2, 2))), 2)
    # torch.norm_except_dim (weight norm's helper) is still missing
    with pytest.raises(AttributeError, match="'norm_except_dim' \\(not implemented in jitgrad"):
        torch.norm_except_dim  # noqa: B018


@pytest.mark.parametrize(
    ("equation", "shapes"),
    [
        ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)]),
        ("...ij,jk->...ik", [(2, 6, 3, 4), (4, 2)]),
        ("b...,b...->b", [(3, 2, 4), (3, 2, 4)]),  # ... dims missing from the output are summed
        ("...i->...", [(2, 3, 4)]),
        ("...ij", [(2, 3, 4)]),
        ("...j,...j->...", [(3, 1, 4), (5, 4)]),
        ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
        ("i,i,i->", [(4,), (4,), (4,)]),
        ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ],
)
def test_einsum_ellipsis_and_many_operands(equation, shapes) -> None:
    arrays = [RNG.standard_normal(s) for s in shapes]
    xs = [x64(a) for a in arrays]
    out = torch.einsum(equation, *xs)
    ref_eq = "bij,bij->b" if equation == "b...,b...->b" else equation  # numpy wants it spelled
    np.testing.assert_allclose(out.detach().numpy(), np.einsum(ref_eq, *arrays), rtol=1e-12)
    assert gradcheck(lambda *t: torch.einsum(equation, *t), tuple(xs))
