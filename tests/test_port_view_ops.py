"""Cases ported from PyTorch's test/test_view_ops.py (TestViewOps, TestOldViewOps) and the
shape checks of test/test_torch.py, each named after the PyTorch test it comes from: which ops
return views (shared storage, ``_base``, version counter), how writes propagate, and the
errors of impossible views. The file runs unchanged against real PyTorch (``jitgrad`` mapped
to ``torch``), which is how the expectations were checked."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch


def close(a, b) -> None:
    a = np.asarray(a.detach() if hasattr(a, "detach") else a)
    b = np.asarray(b.detach() if hasattr(b, "detach") else b)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_array_equal(a, b)


def is_view_of(base, other) -> bool:
    """test_view_ops.py's helper: ``other`` is a view of ``base`` sharing its storage."""
    if not other._is_view() or other is base or other._base is not base:
        return False
    return base.untyped_storage().data_ptr() == other.untyped_storage().data_ptr()


VIEW_OPS = {
    "view": lambda t: t.view(25),
    "view_as": lambda t: t.view_as(torch.empty(25)),
    "reshape_contig": lambda t: t.reshape(25),
    "transpose": lambda t: t.transpose(0, 1),
    "t": lambda t: t.t(),
    "permute": lambda t: t.permute(1, 0),
    "T": lambda t: t.T,
    "mT": lambda t: t.mT,
    "narrow": lambda t: t.narrow(0, 1, 2),
    "select": lambda t: t.select(0, 2),
    "index_int": lambda t: t[1],
    "slice": lambda t: t[1:3, ::2],
    "ellipsis_none": lambda t: t[..., None],
    "squeeze": lambda t: t.unsqueeze(0).squeeze(0),
    "unsqueeze": lambda t: t.unsqueeze(1),
    "expand": lambda t: t[:, :1].expand(5, 4),
    "flatten": lambda t: t.flatten(),
    "unflatten": lambda t: t.unflatten(1, (5, 1)),
    "diagonal": lambda t: t.diagonal(),
    "movedim": lambda t: t.movedim(0, 1),
    "swapaxes": lambda t: t.swapaxes(0, 1),
    "unfold": lambda t: t.unfold(0, 2, 1),
    "as_strided": lambda t: t.as_strided((2, 2), (1, 5)),
    "detach": lambda t: t.detach(),
    "alias_split": lambda t: t.split(2)[1],
    "chunk": lambda t: t.chunk(2, 1)[0],
    "unbind": lambda t: t.unbind(0)[3],
}


# test_view_ops: each of these ops returns a view that shares storage and sees writes
@pytest.mark.parametrize("name", sorted(VIEW_OPS))
def test_view_ops_share_storage_and_see_writes(name) -> None:
    t = torch.arange(25.0).view(5, 5).clone()  # (a base that is no view itself)
    v = VIEW_OPS[name](t)
    if name == "detach":
        assert v._base is None or v._base is t
    else:
        assert is_view_of(t, v) or (
            name in ("view", "view_as", "flatten", "reshape_contig") and v._base is t
        ), name
    assert v.data_ptr() >= t.data_ptr()
    v_before = v.clone()
    t.add_(100)
    close(v, v_before + 100)


# test_view_ops: ops that copy (no view)
@pytest.mark.parametrize(
    "fn",
    [
        lambda t: t.clone(),
        lambda t: t.t().contiguous(),
        lambda t: t.t().reshape(25),
        lambda t: t[[0, 1]],
        lambda t: t[t > 3],
        lambda t: t.flip(0),
        lambda t: t.roll(1),
        lambda t: t.repeat(1, 1),
        # composed of views and copies (cuda14b): still never a view
        lambda t: t.roll(5, 1),
        lambda t: t[0].diag_embed(),
        lambda t: t[0].diag_embed(0, 0, 1),
        lambda t: torch.nn.functional.pixel_shuffle(t[None, None], 1),
        lambda t: torch.nn.functional.pixel_unshuffle(t[None, None], 1),
        lambda t: torch.nn.functional.channel_shuffle(t[None, None], 1),
    ],
)
def test_copying_ops_are_not_views(fn) -> None:
    t = torch.arange(25.0).view(5, 5)
    v = fn(t)
    assert v._base is None
    before = v.clone()
    t.add_(100)
    close(v, before)


# test_contiguous_self / test_contiguous_nonview
def test_contiguous() -> None:
    t = torch.arange(6.0).view(2, 3)
    assert t.contiguous() is t
    tt = t.t()
    assert not tt.is_contiguous()
    c = tt.contiguous()
    assert c.is_contiguous() and c is not tt and c._base is None
    close(c, tt)


# test_view (view's size/stride errors)
def test_view_incompatible_stride_error() -> None:
    t = torch.arange(6.0).view(2, 3).t()
    with pytest.raises(
        RuntimeError,
        match=r"view size is not compatible with input tensor's size and stride \(at least one "
        r"dimension spans across two contiguous subspaces\). Use \.reshape\(\.\.\.\) instead\.",
    ):
        t.view(6)
    with pytest.raises(RuntimeError, match=r"shape '\[4\]' is invalid for input of size 6"):
        t.reshape(4)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        t.reshape(-1, -1)
    x = torch.arange(6.0)
    close(x.view(-1, 2).shape, (3, 2)) if False else None
    assert x.view(-1, 2).shape == (3, 2)
    assert x.view(2, -1).stride() == (3, 1)


# test_view_as_real / view_as_complex
def test_view_as_real_is_view() -> None:
    z = torch.tensor([1 + 2j, 3 - 4j])
    r = torch.view_as_real(z)
    assert r.shape == (2, 2)
    r[0, 1] = 7
    assert complex(z[0].item()) == 1 + 7j


# test_real_imag_view
def test_real_imag_view() -> None:
    z = torch.tensor([1 + 2j, 3 - 4j])
    re, im = z.real, z.imag
    re.mul_(2)
    im.zero_()
    close(z, torch.tensor([2 + 0j, 6 + 0j]))


# test_expand errors and stride 0
def test_expand() -> None:
    t = torch.tensor([[1.0], [2.0]])
    e = t.expand(2, 3)
    assert e.stride() == (1, 0)
    assert t.expand(-1, 4).shape == (2, 4)
    assert t.expand(5, 2, 3).shape == (5, 2, 3)
    with pytest.raises(
        RuntimeError,
        match=r"The expanded size of the tensor \(3\) must match the existing size \(2\) at "
        r"non-singleton dimension 0.  Target sizes: \[3, 4\].  Tensor sizes: \[2, 1\]",
    ):
        t.expand(3, 4)
    with pytest.raises(
        RuntimeError,
        match=r"the number of sizes provided \(1\) must be greater or equal to the number of "
        r"dimensions in the tensor \(2\)",
    ):
        t.expand(4)


# test_transpose_view / test_t_view (stride swaps)
def test_transpose_strides_and_t_errors() -> None:
    t = torch.empty(2, 3, 4)
    assert t.transpose(0, 2).stride() == (1, 4, 12)
    assert t.permute(2, 0, 1).shape == (4, 2, 3)
    with pytest.raises(
        RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions, but self is 3D"
    ):
        t.t()
    with pytest.raises(
        RuntimeError,
        match="number of dimensions in the tensor input does not match|"
        "number of dims don't match in permute",
    ):
        t.permute(1, 0)
    with pytest.raises(
        IndexError,
        match=r"Dimension out of range \(expected to be in range of \[-3, 2\], but got 3\)",
    ):
        t.transpose(0, 3)


# test_narrow errors
def test_narrow() -> None:
    t = torch.arange(10.0)
    close(t.narrow(0, 2, 3), torch.tensor([2.0, 3.0, 4.0]))
    close(t.narrow(0, -3, 2), torch.tensor([7.0, 8.0]))
    with pytest.raises(
        RuntimeError, match=r"start \(8\) \+ length \(3\) exceeds dimension size \(10\)."
    ):
        t.narrow(0, 8, 3)


# test_unfold_view / errors
def test_unfold() -> None:
    t = torch.arange(7.0)
    u = t.unfold(0, 3, 2)
    close(u, torch.tensor([[0.0, 1, 2], [2, 3, 4], [4, 5, 6]]))
    assert u.stride() == (2, 1)
    with pytest.raises(
        RuntimeError, match=r"maximum size for tensor at dimension 0 is 7 but size is 8"
    ):
        t.unfold(0, 8, 1)
    with pytest.raises(RuntimeError, match=r"step is 0 but must be > 0"):
        t.unfold(0, 2, 0)


# test_squeeze / unsqueeze dims
def test_squeeze_unsqueeze() -> None:
    t = torch.zeros(1, 3, 1, 2)
    assert t.squeeze().shape == (3, 2)
    assert t.squeeze(0).shape == (3, 1, 2)
    assert t.squeeze(1).shape == (1, 3, 1, 2)
    assert t.squeeze((0, 2)).shape == (3, 2)
    assert t.unsqueeze(-1).shape == (1, 3, 1, 2, 1)
    with pytest.raises(
        IndexError,
        match=r"Dimension out of range \(expected to be in range of \[-5, 4\], but got 5\)",
    ):
        t.unsqueeze(5)


# test_split / test_chunk views and sizes
def test_split_chunk_sizes() -> None:
    t = torch.arange(10.0)
    assert [p.shape[0] for p in t.split(3)] == [3, 3, 3, 1]
    assert [p.shape[0] for p in t.split([2, 8])] == [2, 8]
    assert [p.shape[0] for p in t.chunk(3)] == [4, 4, 2]
    assert [p.shape[0] for p in torch.arange(5.0).chunk(4)] == [2, 2, 1]
    with pytest.raises(
        RuntimeError, match=r"split_with_sizes expects split_sizes to sum exactly to 10"
    ):
        t.split([2, 7])


# test_view_version_counter (a view shares its base's version counter)
def test_views_share_version_counter() -> None:
    t = torch.zeros(4)
    v = t[1:]
    w = v.view(3, 1)
    assert t._version == v._version == w._version == 0
    w.add_(1)
    assert t._version == v._version == w._version == 1
    t[0] = 5
    assert v._version == 2


# test_view_of_view_base (the base of a view of a view is the root)
def test_view_of_view_base() -> None:
    t = torch.zeros(4, 4)
    v = t[1:]
    w = v[:, 1]
    assert v._base is t
    assert w._base is t
    assert t._base is None


# test_is_view / _is_view
def test_is_view_flag() -> None:
    t = torch.zeros(3)
    assert not t._is_view()
    assert t[1:]._is_view()
    assert not t.clone()._is_view()


# test_reshape_view_semantics
def test_reshape_view_semantics() -> None:
    t = torch.arange(6.0)
    r = t.reshape(2, 3)
    assert r._base is t
    r[0, 0] = 100
    assert t[0].item() == 100
    tt = t.view(2, 3).t()
    r2 = tt.reshape(6)
    assert r2._base is None  # a copy: the transposed layout cannot be viewed flat


# test_diagonal_view / diag_embed
def test_diagonal_view_offsets() -> None:
    t = torch.arange(12.0).view(3, 4)
    close(t.diagonal(1), torch.tensor([1.0, 6.0, 11.0]))
    close(t.diagonal(-1), torch.tensor([4.0, 9.0]))
    d = t.diagonal()
    d.fill_(-1)
    close(t[0, 0], torch.tensor(-1.0))
    assert d.stride() == (5,)
