"""Cases ported from PyTorch's test/test_indexing.py (TestIndexing), each named after the
PyTorch test it comes from (CPU, float64, sizes as PyTorch's where small). Expected values
are the ones the PyTorch test states, or NumPy's indexing where it compares with NumPy. The
file runs unchanged against real PyTorch (``jitgrad`` mapped to ``torch``), which is how the
expectations were checked."""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest
from port_helpers import same

import jitgrad as torch


def consec(size, start=1, dtype=torch.float32):
    sequence = torch.ones(torch.tensor(size).prod(0)).cumsum(0)
    sequence.add_(start - 1)
    return sequence.view(*size).to(dtype)


def test_index() -> None:
    reference = consec((3, 3, 3))
    same(reference[torch.LongTensor()], reference.new(0, 3, 3))
    same(reference[0], consec((3, 3)))
    same(reference[1], consec((3, 3), 10))
    same(reference[2], consec((3, 3), 19))
    same(reference[0, 1], consec((3,), 4))
    same(reference[0:2], consec((2, 3, 3)))
    same(reference[2, 2, 2], 27)
    same(reference[:], consec((3, 3, 3)))
    same(reference[..., 2], [[3.0, 6.0, 9.0], [12.0, 15.0, 18.0], [21.0, 24.0, 27.0]])
    same(reference[0, ..., 2], [3.0, 6.0, 9.0])
    same(reference[..., 2], reference[:, :, 2])
    same(reference[0, ..., 2], reference[0, :, 2])
    same(reference[0, 2, ...], reference[0, 2])
    for key in ((..., 2, 2, 2), (2, ..., 2, 2), (2, 2, ..., 2), (2, 2, 2, ...)):
        same(reference[key], 27)
    same(reference[...], reference)
    r5 = consec((3, 3, 3, 3, 3))
    same(r5[..., 1, 0], r5[:, :, :, 1, 0])
    same(r5[2, ..., 1, 0], r5[2, :, :, 1, 0])
    same(r5[2, 1, 0, ..., 1], r5[2, 1, 0, :, 1])
    same(r5[...], r5)
    reference = consec((5, 5, 5))
    idx = torch.LongTensor([2, 4])
    same(reference[idx], torch.stack([reference[2], reference[4]]))
    same(reference[2, None], reference[2].unsqueeze(0))
    same(reference[2, None, None], reference[2].unsqueeze(0).unsqueeze(0))
    same(reference[2:4, None], reference[2:4].unsqueeze(1))
    same(reference[None, 2, None, None], reference.unsqueeze(0)[:, 2].unsqueeze(0).unsqueeze(0))
    same(reference[None, 2:5, None, None],
         reference.unsqueeze(0)[:, 2:5].unsqueeze(2).unsqueeze(2))  # fmt: skip
    same(reference[slice(0)], torch.empty(0, 5, 5))
    same(reference[slice(0), 2], torch.empty(0, 5))
    same(reference[2, slice(0)], torch.empty(0, 5))
    same(reference[2, 1:1, 2], torch.tensor([]))
    reference = consec((10, 10, 10))
    same(reference[1:5:2], torch.stack([reference[1], reference[3]], 0))
    same(reference[1:6:2], torch.stack([reference[1], reference[3], reference[5]], 0))
    same(reference[1:9:4], torch.stack([reference[1], reference[5]], 0))
    same(reference[2:4, 1:5:2], torch.stack([reference[2:4, 1], reference[2:4, 3]], 1))
    same(reference[3, 1:6:2],
         torch.stack([reference[3, 1], reference[3, 3], reference[3, 5]], 0))  # fmt: skip
    same(reference[None, 2, 1:9:4],
         torch.stack([reference[2, 1], reference[2, 5]], 0).unsqueeze(0))  # fmt: skip
    same(reference[:, 2, 1:6:2],
         torch.stack([reference[:, 2, 1], reference[:, 2, 3], reference[:, 2, 5]], 1))  # fmt: skip
    lst = [list(range(i, i + 10)) for i in range(0, 100, 10)]
    tensor = torch.DoubleTensor(lst)
    rng = random.Random(0)
    for _ in range(30):
        start = rng.randrange(10)
        idx1 = slice(start, start + rng.randrange(1, 10 - start + 1), rng.randrange(1, 8))
        if rng.randrange(2) == 0:
            start = rng.randrange(10)
            idx2 = slice(start, start + rng.randrange(1, 10 - start + 1), rng.randrange(1, 8))
            lst_indexed, tensor_indexed = [row[idx2] for row in lst[idx1]], tensor[idx1, idx2]
        else:
            lst_indexed, tensor_indexed = lst[idx1], tensor[idx1]
        same(tensor_indexed, torch.DoubleTensor(lst_indexed))
    with pytest.raises(ValueError):
        reference[1:9:0]
    with pytest.raises(ValueError):
        reference[1:9:-1]
    for key in ((1, 1, 1, 1), (1, 1, 1, slice(1, 1)), (3,) * 8):
        with pytest.raises(IndexError):
            reference[key]
    with pytest.raises(IndexError):
        reference[0.0]
    with pytest.raises(TypeError):
        reference[0.0:2.0]
    for key in ((0.0, slice(0.0, 2.0)), (0.0, slice(None), slice(0.0, 2.0)),
                (0.0, ..., slice(0.0, 2.0)), (0.0, slice(None), 0.0)):  # fmt: skip
        with pytest.raises(IndexError):
            reference[key]
    with pytest.raises(TypeError):
        del reference[0]


def ri(indices, choice: int):
    """One of PyTorch's three indexer spellings: a LongTensor, a list or a tuple."""
    return (torch.LongTensor(indices), list(indices), tuple(indices))[choice]


@pytest.mark.parametrize("choice", [0, 1, 2])
def test_advancedindex(choice: int) -> None:
    dt = torch.double

    def t(values):
        return torch.tensor(values, dtype=dt)

    x = consec((10,), dtype=dt)
    same(x[[0]], consec((1,)))
    same(x[ri([0], choice),], consec((1,)))
    same(x[ri([3], choice),], consec((1,), 4))
    same(x[[2, 3, 4]], consec((3,), 3))
    same(x[ri([0, 2, 4], choice),], t([1, 3, 5]))
    x[[0]] = -2
    same(x[[0]], t([-2]))
    x[[2, 3, 4]] = 4
    same(x[[2, 3, 4]], t([4, 4, 4]))
    x[ri([0, 2, 4], choice),] = t([5, 4, 3])
    same(x[ri([0, 2, 4], choice),], t([5, 4, 3]))
    reference = consec((10,), dtype=dt)
    strided = torch.tensor((), dtype=dt)
    strided.set_(reference.untyped_storage(), storage_offset=0, size=torch.Size([4]), stride=[2])
    same(strided[[0]], t([1]))
    same(strided[ri([3], choice),], t([7]))
    same(strided[ri([1, 2], choice),], t([3, 5]))
    same(strided[ri([[2, 1], [0, 3]], choice),], t([[5, 3], [1, 7]]))
    strided = torch.tensor((), dtype=dt)
    strided.set_(reference.untyped_storage(), storage_offset=4, size=torch.Size([2]), stride=[4])
    same(strided[ri([1], choice),], t([9]))
    same(strided[ri([[0, 1], [1, 0]], choice),], t([[5, 9], [9, 5]]))
    reference = consec((3, 2), dtype=dt)
    same(reference[ri([0, 1, 2], choice), ri([0], choice)], t([1, 3, 5]))
    same(reference[ri([0, 1, 2], choice), ri([1], choice)], t([2, 4, 6]))
    same(reference[ri([2], choice), ri([1], choice)], consec((1,), 6))
    same(reference[(ri([0, 1, 1, 0, 2], choice), ri([1], choice))], t([2, 4, 4, 2, 6]))
    same(reference[(ri([0, 0, 1, 1], choice), ri([0, 1, 0, 0], choice))], t([1, 2, 3, 3]))
    rows = ri([[0, 0], [1, 2]], choice)
    same(reference[rows, ([0],)], t([[1, 1], [3, 5]]))
    same(reference[rows, ri([1, 0], choice)], t([[2, 1], [4, 5]]))
    columns = ri([[0, 1], [1, 0]], choice)
    same(reference[rows, columns], t([[1, 2], [4, 5]]))
    reference[ri([0], choice), ri([1], choice)] = -1
    same(reference[ri([0], choice), ri([1], choice)], t([-1]))
    reference[ri([0, 1, 2], choice), ri([0], choice)] = t([-1, 2, -4])
    same(reference[ri([0, 1, 2], choice), ri([0], choice)], t([-1, 2, -4]))
    reference[rows, columns] = t([[4, 6], [2, 3]])
    same(reference[rows, columns], t([[4, 6], [2, 3]]))
    reference = t([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]).t_()  # transposed
    same(reference[ri([0, 1, 2], choice), ri([1], choice)], t([4, 5, 6]))
    same(reference[(ri([0, 1, 1, 0, 3], choice), ri([1], choice))], t([4, 5, 5, 4, 7]))
    rows = ri([[0, 0], [1, 3]], choice)
    columns = ri([[0, 1], [1, 2]], choice)
    same(reference[rows, columns], t([[0, 4], [5, 11]]))
    reference[rows, columns] = t([[4, 6], [2, 3]])
    same(reference[rows, columns], t([[4, 6], [2, 3]]))
    reference = torch.arange(0.0, 24, dtype=dt).view(3, 8)
    strided = torch.tensor((), dtype=dt)
    strided.set_(reference.untyped_storage(), 1, size=torch.Size([2, 4]), stride=[8, 2])
    same(strided[(ri([1], choice), ri([0, 1, 1, 0, 3], choice))], t([9, 11, 11, 9, 15]))
    same(strided[ri([[0, 1], [1, 0]], choice), ri([1, 2], choice)], t([[3, 13], [11, 5]]))
    strided = torch.tensor((), dtype=dt)
    strided.set_(reference.untyped_storage(), 10, size=torch.Size([2, 2]), stride=[7, 1])
    strided[ri([0, 1], choice), ri([1, 0], choice)] = t([-1, 2])
    same(strided[ri([0, 1], choice), ri([1, 0], choice)], t([-1, 2]))
    same(reference.view(-1)[[11, 17]], t([-1, 2]))  # written through to the storage
    reference = consec((3, 2), dtype=dt)
    same(reference[ri([0, 2], choice),], t([[1, 2], [5, 6]]))
    same(reference[ri([1], choice), ...], t([[3, 4]]))
    same(reference[..., ri([1], choice)], t([[2], [4], [6]]))
    with pytest.raises(IndexError):
        reference[ri([1], choice), ri([0, 2], choice), ri([3], choice)]
    reference = torch.empty(10, dtype=dt)
    for err_idx in (10, -11):
        for key in (err_idx, torch.LongTensor([err_idx]), [err_idx]):
            with pytest.raises(IndexError, match=r"out of"):
                reference[key]


GET_SET_2D = [(slice(None), [1, 3]), ([0, 2], slice(None)), (slice(None), [[0, 1], [2, 3]]),
              ([-1], [0]), ([0, 2], [-1]), (slice(None), [-1])]  # fmt: skip
GET_SET_3D = [
    (slice(None), slice(None), (0, 3, 4)), (slice(None), (2, 4, 5, 7), slice(None)),
    ((2, 3), slice(None), slice(None)), (slice(None), (0, 2, 3), (1, 3, 4)),
    (slice(None), (0,), (1, 2, 4)), (slice(None), ((0, 1), (1, 0)), ((2, 3),)),
    (slice(None), ((5, 6),), ((0, 3), (4, 4))), ((0, 2, 3), (1, 3, 4), slice(None)),
    (((0, 1), (1, 0)), ((2, 1), (3, 5)), slice(None)), (((2,),), ((0, 3), (4, 1)), slice(None)),
    ((0, 2, 3), slice(None), (1, 3, 4)), ((0, 2),), ((0, 2), Ellipsis),
    ((0, 2), Ellipsis, slice(None)), ((0, 2), (1, 3), Ellipsis), (Ellipsis, (1, 3), (2, 3)),
    (Ellipsis, slice(None), (2, 3, 4)), (slice(None), Ellipsis, (2, 3, 4)),
    (slice(None), slice(None), (0, 3, 4), Ellipsis),
    (Ellipsis, ((0, 1), (1, 0)), ((2, 1), (3, 5)), slice(None)),
    (((0, 1), (1, 0)), ((2, 1), (3, 5)), slice(None), Ellipsis),
]  # fmt: skip


def _np_key(indexer):
    return tuple(list(i) if isinstance(i, tuple) else i for i in indexer)


# test_advancedindex (its get/set comparisons with NumPy, on the 2-D and 3-D references)
def test_advancedindex_numpy() -> None:
    for reference, cases, value in (
        (torch.arange(0.0, 20, dtype=torch.double).view(4, 5), GET_SET_2D, 44),
        (torch.arange(0.0, 160, dtype=torch.double).view(4, 8, 5), GET_SET_3D, 212),
    ):
        for indexer in cases + ([(slice(None), [0, 1, 1, 2, 2])] if value == 44 else []):
            same(reference[indexer], reference.numpy()[_np_key(indexer)])
        for indexer in cases:
            n = reference[indexer].numel()
            setv = torch.randperm(n).view(reference[indexer].size()).double()
            for val in (value, setv):
                pyt = reference.clone()
                pyt[indexer] = val
                numt = reference.numpy().copy()
                numt[_np_key(indexer)] = val if isinstance(val, int) else val.numpy()
                same(pyt, numt)


def test_advancedindex_big() -> None:
    reference = torch.arange(0, 123344, dtype=torch.int)
    got = reference[[0, 123, 44488, 68807, 123343],]
    assert got.dtype == torch.int32
    same(got, [0, 123, 44488, 68807, 123343])


def test_set_item_to_scalar_tensor() -> None:
    m, n = 4, 3
    z = torch.randn([m, n])
    w = torch.tensor(1.0, requires_grad=True)
    z[:, 0] = w
    z.sum().backward()
    assert w.grad.item() == m * 1.0


# test_single_int / test_multiple_int / test_none / test_int_indices
def test_shapes_of_simple_keys() -> None:
    v = torch.randn(5, 7, 3)
    assert v[4].shape == (7, 3)
    assert v[4, :, 1].shape == (7,)
    assert v[None].shape == (1, 5, 7, 3)
    assert v[:, None].shape == (5, 1, 7, 3)
    assert v[:, None, None].shape == (5, 1, 1, 7, 3)
    assert v[..., None].shape == (5, 7, 3, 1)
    assert v[[0, 4, 2]].shape == (3, 7, 3)
    assert v[:, [0, 4, 2]].shape == (5, 3, 3)
    assert v[:, [[0, 1], [4, 3]]].shape == (5, 2, 2, 3)


# test_step / test_step_assignment
def test_step() -> None:
    v = torch.arange(10)
    same(v[::1], v)
    assert v[::2].tolist() == [0, 2, 4, 6, 8]
    assert v[::3].tolist() == [0, 3, 6, 9]
    assert v[::11].tolist() == [0]
    assert v[1:6:2].tolist() == [1, 3, 5]
    v = torch.zeros(4, 4)
    v[0, 1::2] = torch.tensor([3.0, 4.0])
    assert v[0].tolist() == [0, 3, 0, 4]
    assert v[1:].sum().item() == 0


def test_bool_indices() -> None:
    v = torch.randn(5, 7, 3)
    b = torch.tensor([True, False, True, True, False], dtype=torch.bool)
    assert v[b].shape == (3, 7, 3)
    same(v[b], torch.stack([v[0], v[2], v[3]]))
    v = torch.tensor([True, False, True], dtype=torch.bool)
    b = torch.tensor([True, False, False], dtype=torch.bool)
    u8 = torch.tensor([1, 0, 0], dtype=torch.uint8)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        v1, v2 = v[b], v[u8]
        assert v1.shape == v2.shape
        same(v1, v2)
        same(v[b], torch.tensor([True], dtype=torch.bool))
    assert len(w) == 1


def test_list_indices() -> None:
    t = torch.randn(100)
    indices = [range(i, i + 10) for i in range(90)]
    for i in (len(indices), 40, 32):
        assert t[indices[:i]].shape == (i, 10)
    with pytest.raises(IndexError, match="too many indices"):
        t[indices[:31]]


# test_bool_indices_accumulate / test_byte_mask_accumulate
def test_mask_indices_accumulate() -> None:
    for dt in (torch.bool, torch.uint8):
        mask = torch.zeros(size=(10,), dtype=dt)
        y = torch.ones(size=(10, 10))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            y.index_put_((mask,), y[mask], accumulate=True)
        same(y, torch.ones(size=(10, 10)))
        assert len(w) == (2 if dt is torch.uint8 else 0)


# test_multiple_bool_indices / test_multiple_byte_mask / test_byte_mask2d
def test_multiple_masks() -> None:
    v = torch.randn(5, 7, 3)
    mask1 = torch.tensor([1, 0, 1, 1, 0], dtype=torch.bool)
    mask2 = torch.tensor([1, 1, 1], dtype=torch.bool)
    assert v[mask1, :, mask2].shape == (3, 7)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert v[torch.ByteTensor([1, 0, 1, 1, 0]), :, torch.ByteTensor([1, 1, 1])].shape == (3, 7)
    assert len(w) == 2
    c = torch.randn(5, 7)
    assert v[c > 0].shape == ((c > 0).sum().item(), 3)


def test_multi_dimensional_bool_mask() -> None:
    x = torch.randn(2, 2, 3)
    b = ((True, False), (False, False))
    m = torch.tensor(b, dtype=torch.bool)
    z, t, f = torch.tensor(0), torch.tensor(True), torch.tensor(False)
    for key in (b, m):
        assert x[key,].shape == (1, 3)
        assert x[key, ::2].shape == (1, 2)
        assert x[key, None].shape == (1, 1, 3)
        assert x[key, 0].shape == (1,)
        assert x[key, z].shape == (1,)
        assert x[key, True].shape == (1, 3)
        assert x[key, True, True, True, True].shape == (1, 3)
        assert x[key, False].shape == (0, 3)
        assert x[key, True, True, False, True].shape == (0, 3)
        assert x[key, t].shape == (1, 3)
        assert x[key, f].shape == (0, 3)
    x = torch.randn(3, 2, 2, 5)
    assert x[:, m, :].shape == (3, 1, 5)
    assert x[0, m, ::2].shape == (1, 3)
    assert x[..., m, ::2].shape == (3, 1, 3)
    assert x[None, ..., m, ::2].shape == (1, 3, 1, 3)


# test_bool_mask_assignment / test_multi_dimensional_bool_mask_assignment
def test_bool_mask_assignment() -> None:
    mask = torch.tensor([1, 0], dtype=torch.bool)
    v = torch.tensor([[1, 2], [3, 4]])
    v[mask, :] = 0
    same(v, [[0, 0], [3, 4]])
    v = torch.tensor([[1, 2], [3, 4]])
    v[:, mask] = 0
    same(v, [[0, 2], [0, 4]])
    v = torch.tensor([[[[1], [2]], [[3], [4]]]])
    v[:, torch.tensor([[1, 0], [0, 1]], dtype=torch.bool), :] = 0
    same(v, [[[[0], [2]], [[3], [0]]]])


def test_byte_mask() -> None:
    v = torch.randn(5, 7, 3)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = v[torch.ByteTensor([1, 0, 1, 1, 0])]
    assert len(w) == 1
    same(res, torch.stack([v[0], v[2], v[3]]))
    v = torch.tensor([1.0])
    same(v[v == 0], torch.tensor([]))


def test_index_put_accumulate_expanded_values() -> None:
    t = torch.zeros((5, 2))
    indices = [torch.tensor([0, 1, 2, 3]), torch.tensor([1])]
    same(t.index_put_(indices, torch.tensor(1.0), accumulate=True),
         [[0, 1], [0, 1], [0, 1], [0, 1], [0, 0]])  # fmt: skip
    same(t.index_put_(indices, torch.tensor([1.0]), accumulate=True),
         [[0, 2], [0, 2], [0, 2], [0, 2], [0, 0]])  # fmt: skip
    t = torch.zeros(4, 3, 2)
    indices = [torch.tensor([0]), torch.arange(3)[:, None], torch.arange(2)[None, :]]
    t.index_put_(indices, torch.tensor([-1.0, -2.0]), accumulate=True)
    t.index_put_(indices, torch.tensor([[-1.0, -2.0]]), accumulate=True)
    same(t[0], [[-2, -4]] * 3)
    same(t[1:], torch.zeros(3, 3, 2))


def test_index_put_accumulate_duplicate_indices() -> None:
    gen = np.random.default_rng(0)
    for i in (1, 7, 64, 300):
        indices = torch.tensor(gen.uniform(-1, 1, i).cumsum()).long()
        inp = torch.randn(int(indices.abs().max()) + 1, dtype=torch.double)
        values = torch.randn(indices.size(0), dtype=torch.double)
        output = inp.index_put((indices,), values, accumulate=True)
        expected = inp.tolist()
        for k, v in zip(indices.tolist(), values.tolist(), strict=True):
            expected[k] += v
        np.testing.assert_allclose(output.numpy(), expected, rtol=1e-12, atol=1e-12)


def test_index_ind_dtype() -> None:
    x = torch.randn(4, 4)
    ind_long = torch.randint(4, (4,), dtype=torch.long)
    ind_int = ind_long.int()
    same(x[ind_int, ind_int], x[ind_long, ind_long])
    same(x[ind_int, :], x[ind_long, :])
    same(x[:, ind_int], x[:, ind_long])
    src = torch.randn(4)
    ind_long = torch.arange(4, dtype=torch.long)
    for accum in (True, False):
        inp_ref, inp_res = x.clone(), x.clone()
        torch.index_put_(inp_ref, (ind_long, ind_long), src, accum)
        torch.index_put_(inp_res, (ind_long.int(), ind_long.int()), src, accum)
        same(inp_res, inp_ref)


def test_index_put_accumulate_empty() -> None:
    inp = torch.rand([], dtype=torch.float32)
    with pytest.raises(RuntimeError):
        inp.index_put([], torch.tensor([1.0]), True)


# test_index_put_src_datatype / test_index_src_datatype
@pytest.mark.parametrize("dtype", ["complex64", "float32", "int64", "bool"])
def test_index_put_src_datatype(dtype: str) -> None:
    dt = getattr(torch, dtype)
    src = torch.ones(3, 2, 4, dtype=dt)
    res = src.index_put_((torch.tensor([0, 2, 1]),), torch.ones(3, 2, 4, dtype=dt), True)
    assert res.shape == src.shape and res.dtype == dt
    res = src[[0, 2, 1], :, :]
    src[[0, 2, 1], :, :] = res
    assert res.shape == src.shape


# test_int_indices2d / test_int_indices_broadcast / test_ellipsis_tensor /
# test_basic_advanced_combined / test_int_assignment / test_variable_slicing
def test_numpy_examples() -> None:
    x = torch.arange(0, 12).view(4, 3)
    rows = torch.tensor([[0, 0], [3, 3]])
    columns = torch.tensor([[0, 2], [0, 2]])
    assert x[rows, columns].tolist() == [[0, 2], [9, 11]]
    assert x[torch.tensor([0, 3])[:, None], torch.tensor([0, 2])].tolist() == [[0, 2], [9, 11]]
    same(x[1:2, 1:3], x[1:2, [1, 2]])
    assert x[1:2, 1:3].tolist() == [[4, 5]]
    unmodified = x.clone()
    x[1:2, [1, 2]].zero_()  # a copy
    same(x, unmodified)
    x[1:2, [1, 2]] = 0
    assert not torch.equal(x, unmodified)
    x = torch.arange(0, 4).view(2, 2)
    x[1] = 5
    assert x.tolist() == [[0, 1], [5, 5]]
    x = torch.arange(0, 4).view(2, 2)
    x[1] = torch.arange(5, 7)
    assert x.tolist() == [[0, 1], [5, 6]]
    x = torch.arange(0, 9).view(3, 3)
    idx = torch.tensor([0, 2])
    assert x[..., idx].tolist() == [[0, 2], [3, 5], [6, 8]]
    assert x[idx, ...].tolist() == [[0, 1, 2], [6, 7, 8]]
    x = torch.arange(0, 16).view(4, 4)
    i, j = torch.IntTensor([0, 1])
    same(x[i:j], x[0:1])


def test_empty_index() -> None:
    x = torch.arange(0, 12).view(4, 3)
    idx = torch.tensor([], dtype=torch.long)
    assert x[idx].numel() == 0
    y = x.clone()
    y[idx] = -1
    same(x, y)
    y[torch.zeros(4, 3).bool()] = -1
    same(x, y)


def test_empty_ndim_index() -> None:
    x = torch.randn(5)
    same(x[torch.empty(0, 2, dtype=torch.int64)], torch.empty(0, 2))
    x = torch.randn(2, 3, 4, 5)
    same(x[:, torch.empty(0, 6, dtype=torch.int64)], torch.empty(2, 0, 6, 4, 5))
    x = torch.empty(10, 0)
    assert x[[1, 2]].shape == (2, 0)
    assert x[[], []].shape == (0,)
    with pytest.raises(IndexError, match="for dimension with size 0"):
        x[:, [0, 1]]
    with pytest.raises(IndexError):
        torch.randn(5)[torch.empty(0, 2, dtype=torch.uint8)]


def test_empty_slice() -> None:
    z = torch.randn(2, 3, 4, 5)[:, :, :, 1][:, 1:1, :]
    assert z.shape == (2, 0, 4)
    assert z.stride() == (60, 20, 5)
    assert z.is_contiguous()


def test_index_getitem_copy_bools_slices() -> None:
    true = torch.tensor(1, dtype=torch.uint8)
    false = torch.tensor(0, dtype=torch.uint8)
    for a in (torch.randn(2, 3), torch.tensor(3.0)):
        assert a.data_ptr() != a[True].data_ptr()
        same(a[False], torch.empty(0, *a.shape))
        assert a.data_ptr() != a[true].data_ptr()
        same(a[false], torch.empty(0, *a.shape))
        assert a.data_ptr() == a[None].data_ptr()
        assert a.data_ptr() == a[...].data_ptr()


def test_index_setitem_bools_slices() -> None:
    true = torch.tensor(1, dtype=torch.uint8)
    false = torch.tensor(0, dtype=torch.uint8)
    for a in (torch.randn(2, 3), torch.tensor(3)):
        neg_ones = torch.ones_like(a) * -1
        neg_ones_expanded = neg_ones.unsqueeze(0).unsqueeze(0)
        a[True] = neg_ones_expanded
        same(a, neg_ones)
        a[False] = 5
        same(a, neg_ones)
        a[true] = neg_ones_expanded * 2
        same(a, neg_ones * 2)
        a[false] = 5
        same(a, neg_ones * 2)
        a[None] = neg_ones_expanded * 3
        same(a, neg_ones * 3)
        a[...] = neg_ones_expanded * 4
        same(a, neg_ones * 4)
        if a.dim() == 0:
            with pytest.raises(IndexError):
                a[:] = neg_ones_expanded * 5


def test_index_scalar_with_bool_mask() -> None:
    u = torch.tensor(True, dtype=torch.uint8)
    b = torch.tensor(True, dtype=torch.bool)
    for a in (torch.tensor(1), torch.tensor(True, dtype=torch.bool)):
        same(a[u], a[b])
        assert a[u].dtype == a[b].dtype


def test_setitem_expansion_error() -> None:
    a = torch.randn(2, 3)
    a_expanded = a.expand(torch.Size([5, 1]) + a.size())
    with pytest.raises(RuntimeError):
        a[True] = a_expanded
    with pytest.raises(RuntimeError):
        a[torch.tensor(True)] = a_expanded


# test_getitem_scalars / test_setitem_scalars
def test_getitem_setitem_scalars() -> None:
    zero = torch.tensor(0, dtype=torch.int64)
    one = torch.tensor(1, dtype=torch.int64)
    a = torch.randn(2, 3)
    same(a[zero], a[0])
    same(a[zero][one], a[0][1])
    same(a[zero, one], a[0, 1])
    same(a[zero, 1], a[0, one])
    assert a[0, 1].data_ptr() == a[zero, one].data_ptr()
    assert a[1].data_ptr() == a[one.int()].data_ptr()
    assert a[1].data_ptr() == a[one.short()].data_ptr()
    r = torch.randn(())
    with pytest.raises(IndexError):
        r[:]
    with pytest.raises(IndexError):
        r[zero]
    same(r[...], r)
    b = torch.randn(3)
    a_num, a_sca = a.clone(), a.clone()
    a_num[0] = b
    a_sca[zero] = b
    same(a_num, a_sca)
    a[1, zero] = 7.7
    assert abs(a[1, 0].item() - 7.7) < 1e-6
    with pytest.raises(IndexError):
        r[:] = 8.8
    with pytest.raises(IndexError):
        r[zero] = 8.8
    r[...] = 9.9
    assert abs(r.item() - 9.9) < 1e-6


def test_byte_tensor_assignment() -> None:
    x = torch.arange(0.0, 16).view(4, 4)
    b = torch.ByteTensor([True, False, True, False])
    value = torch.tensor([3.0, 4.0, 5.0, 6.0])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        x[b] = value
    assert len(w) == 1
    same(x[0], value)
    same(x[1], torch.arange(4.0, 8))
    same(x[2], value)
    same(x[3], torch.arange(12.0, 16))
