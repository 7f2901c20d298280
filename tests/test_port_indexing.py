"""Cases ported from PyTorch's test/test_indexing.py (TestIndexing), each named after the
PyTorch test it comes from (CPU, float64, sizes as PyTorch's where small). Expected values
are the ones the PyTorch test states, or NumPy's indexing where it compares with NumPy. The
file runs unchanged against real PyTorch (``jitgrad`` mapped to ``torch``), which is how the
expectations were checked."""

from __future__ import annotations

import random

import numpy as np
import pytest

import jitgrad as torch


def same(actual, expected) -> None:
    """assertEqual(atol=0, rtol=0) on values and shape."""
    a = np.asarray(actual.numpy() if hasattr(actual, "numpy") else actual)
    e = np.asarray(expected.numpy() if hasattr(expected, "numpy") else expected)
    assert a.shape == e.shape, (a.shape, e.shape)
    np.testing.assert_array_equal(a, e)


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
