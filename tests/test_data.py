"""``jitgrad.utils.data``: datasets, samplers, collation and DataLoader, against PyTorch's
documented behaviour (expected batches are written out by hand from that behaviour)."""

from __future__ import annotations

import collections
import warnings

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.utils.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    StackDataset,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_collate_fn_map,
    default_convert,
    random_split,
)


def test_import_forms() -> None:
    import jitgrad.utils.data as data

    assert torch.utils.data.DataLoader is DataLoader is data.DataLoader
    assert torch.utils.data.get_worker_info() is None


# ---- collation ----------------------------------------------------------------------------
def test_default_collate_stacks_tensors_and_turns_tuples_into_lists() -> None:
    batch = [(torch.tensor([1.0, 2.0]), 3), (torch.tensor([4.0, 5.0]), 6)]
    x, y = default_collate(batch)
    assert x.tolist() == [[1.0, 2.0], [4.0, 5.0]] and x.dtype is torch.float32
    assert y.tolist() == [3, 6] and y.dtype is torch.int64
    assert isinstance(default_collate(batch), list)


def test_default_collate_number_types() -> None:
    f = default_collate([1.5, 2.5])
    assert f.dtype is torch.float64 and f.tolist() == [1.5, 2.5]
    assert default_collate([True, False]).dtype is torch.bool
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([b"a", b"b"]) == [b"a", b"b"]
    n = default_collate([np.float32(1), np.float32(2)])
    assert n.dtype is torch.float32 and n.tolist() == [1.0, 2.0]
    a = default_collate([np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)])
    assert a.dtype is torch.int32 and a.tolist() == [[1, 2], [3, 4]]


def test_default_collate_containers() -> None:
    out = default_collate([{"x": 1, "y": [1.0, 2.0]}, {"x": 2, "y": [3.0, 4.0]}])
    assert set(out) == {"x", "y"} and out["x"].tolist() == [1, 2]
    assert [t.tolist() for t in out["y"]] == [[1.0, 3.0], [2.0, 4.0]]
    od = default_collate([collections.OrderedDict(a=1), collections.OrderedDict(a=2)])
    assert isinstance(od, collections.OrderedDict) and od["a"].tolist() == [1, 2]
    Point = collections.namedtuple("Point", ["x", "y"])
    p = default_collate([Point(0, 1.0), Point(2, 3.0)])
    assert isinstance(p, Point) and p.x.tolist() == [0, 2] and p.y.tolist() == [1.0, 3.0]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="batch must contain"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_collate_fn_map_can_be_extended() -> None:
    class Box:
        def __init__(self, v):
            self.v = v

    default_collate_fn_map[Box] = lambda batch, *, collate_fn_map=None: sum(b.v for b in batch)
    try:
        assert default_collate([Box(1), Box(2)]) == 3
    finally:
        del default_collate_fn_map[Box]


def test_default_convert() -> None:
    assert default_convert(3) == 3
    t = default_convert(np.array([1.0, 2.0]))
    assert isinstance(t, torch.Tensor) and t.dtype is torch.float64
    out = default_convert((np.array([1]), {"k": np.int64(2)}))
    assert isinstance(out, list) and out[0].tolist() == [1] and out[1]["k"].item() == 2
    assert default_convert("abc") == "abc"


# ---- datasets -----------------------------------------------------------------------------
def test_tensor_dataset() -> None:
    x = torch.arange(12.0).reshape(4, 3)
    y = torch.tensor([0, 1, 0, 1])
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    xi, yi = ds[2]
    assert xi.tolist() == [6.0, 7.0, 8.0] and yi.item() == 0
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(x, torch.zeros(3))


def test_base_dataset_and_concat() -> None:
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement"):
        Dataset()[0]

    class Range(Dataset):
        def __init__(self, a, b):
            self.items = list(range(a, b))

        def __getitem__(self, i):
            return self.items[i]

        def __len__(self):
            return len(self.items)

    cat = Range(0, 3) + Range(10, 12)
    assert isinstance(cat, ConcatDataset) and cat.cumulative_sizes == [3, 5]
    assert [cat[i] for i in range(5)] == [0, 1, 2, 10, 11] and cat[-1] == 11 and len(cat) == 5
    with pytest.raises(ValueError, match="absolute value of index should not exceed"):
        cat[-6]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        ConcatDataset([])
    sub = Subset(Range(0, 10), [9, 3, 5])
    assert len(sub) == 3 and [sub[i] for i in range(3)] == [9, 3, 5]
    assert sub.__getitems__([2, 0]) == [5, 9]
    st = StackDataset(Range(0, 3), Range(5, 8))
    assert st[1] == (1, 6) and StackDataset(a=Range(0, 2), b=Range(3, 5))[0] == {"a": 0, "b": 3}
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(Range(0, 3), Range(0, 2))


def test_random_split_lengths_fractions_and_reproducibility() -> None:
    ds = list(range(10))
    a, b, c = random_split(ds, [0.33, 0.33, 0.34], generator=torch.Generator().manual_seed(0))
    # floor(3.3)=3, floor(3.3)=3, floor(3.4)=3; the remaining 1 goes to the first split
    assert (len(a), len(b), len(c)) == (4, 3, 3)
    assert sorted(a.indices + b.indices + c.indices) == list(range(10))
    again = random_split(ds, [4, 3, 3], generator=torch.Generator().manual_seed(0))
    assert [s.indices for s in again] == [a.indices, b.indices, c.indices]
    torch.manual_seed(5)
    one = [s.indices for s in random_split(ds, [5, 5])]
    torch.manual_seed(5)
    assert [s.indices for s in random_split(ds, [5, 5])] == one
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length"):
        random_split(ds, [5, 6])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(list(range(2)), [1.0, 0.0])


# ---- samplers -----------------------------------------------------------------------------
def test_samplers() -> None:
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    g = torch.Generator().manual_seed(1)
    perm = list(RandomSampler(range(6), generator=g))
    assert sorted(perm) == list(range(6))
    draws = list(RandomSampler(range(3), replacement=True, num_samples=70))
    assert len(draws) == 70 and set(draws) <= {0, 1, 2}
    assert len(list(RandomSampler(range(4), num_samples=10))) == 10
    assert sorted(SubsetRandomSampler([7, 8, 9])) == [7, 8, 9]
    w = list(WeightedRandomSampler([0.0, 1.0, 0.0, 2.0], 50))
    assert set(w) <= {1, 3} and len(w) == 50
    no_rep = list(WeightedRandomSampler([1.0, 1.0, 1.0], 3, replacement=False))
    assert sorted(no_rep) == [0, 1, 2]
    assert list(BatchSampler(range(7), 3, False)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(BatchSampler(range(7), 3, True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(BatchSampler(range(7), 3, False)) == 3 and len(BatchSampler(range(7), 3, True)) == 2


def test_sampler_errors() -> None:
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got drop_"):
        BatchSampler(range(3), 2, 1)
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        WeightedRandomSampler([[1.0, 2.0]], 2)


# ---- DataLoader ---------------------------------------------------------------------------
def _ds(n=10):
    return TensorDataset(torch.arange(float(2 * n)).reshape(n, 2), torch.arange(n))


def test_loader_sequential_batches_and_len() -> None:
    loader = DataLoader(_ds(), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[0][0].shape == (4, 2) and isinstance(batches[0], list)
    dropped = DataLoader(_ds(), batch_size=4, drop_last=True)
    assert len(dropped) == 2 and [b[1].tolist() for b in dropped] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert [b[1].tolist() for b in DataLoader(_ds(3))] == [[0], [1], [2]]


def test_shuffle_visits_every_sample_once_per_epoch_in_a_new_order() -> None:
    torch.manual_seed(0)
    loader = DataLoader(_ds(20), batch_size=6, shuffle=True)
    epochs = [[i for _, y in loader for i in y.tolist()] for _ in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(20))
    assert epochs[0] != epochs[1] or epochs[1] != epochs[2]
    torch.manual_seed(0)
    assert [[i for _, y in loader for i in y.tolist()] for _ in range(3)] == epochs


def test_shuffle_with_a_generator_ignores_the_global_stream() -> None:
    def order(seed_global):
        torch.manual_seed(seed_global)
        g = torch.Generator().manual_seed(42)
        loader = DataLoader(_ds(12), batch_size=5, shuffle=True, generator=g)
        return [i for _, y in loader for i in y.tolist()]

    assert order(0) == order(1)
    assert sorted(order(0)) == list(range(12))


def test_batches_and_samples_match_between_fast_and_per_sample_paths() -> None:
    base = _ds(9)

    class Plain(Dataset):  # the same samples through __getitem__ + default_collate
        def __getitem__(self, i):
            return base[i]

        def __len__(self):
            return len(base)

    sub = Subset(base, [8, 1, 4, 0, 7])
    plain_sub = Subset(Plain(), [8, 1, 4, 0, 7])
    for a, b in [(base, Plain()), (sub, plain_sub)]:
        fast = list(DataLoader(a, batch_size=2))
        slow = list(DataLoader(b, batch_size=2))
        assert len(fast) == len(slow)
        for (fx, fy), (sx, sy) in zip(fast, slow, strict=True):
            assert fx.tolist() == sx.tolist() and fx.dtype is sx.dtype
            assert fy.tolist() == sy.tolist() and fy.dtype is sy.dtype


def test_samples_that_require_grad_are_stacked_with_a_graph() -> None:
    x = torch.ones(4, 2, requires_grad=True)
    (xb,) = next(iter(DataLoader(TensorDataset(x), batch_size=4)))
    assert xb.grad_fn is not None and xb.grad_fn.name() == "StackBackward0"
    xb.sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0]] * 4


def test_batch_size_none_sampler_and_batch_sampler() -> None:
    items = [np.array([1.0]), np.array([2.0])]
    out = list(DataLoader(items, batch_size=None))
    assert [t.tolist() for t in out] == [[1.0], [2.0]] and isinstance(out[0], torch.Tensor)
    loader = DataLoader(list(range(6)), batch_size=2, sampler=[5, 4, 3, 2, 1, 0])
    assert [b.tolist() for b in loader] == [[5, 4], [3, 2], [1, 0]]
    bs = DataLoader(list(range(5)), batch_sampler=[[0, 4], [2]])
    assert [b.tolist() for b in bs] == [[0, 4], [2]] and len(bs) == 2
    custom = DataLoader(list(range(4)), batch_size=2, collate_fn=lambda b: sum(b))
    assert list(custom) == [1, 5]


def test_num_workers_gives_the_same_batches() -> None:
    torch.manual_seed(3)
    a = [y.tolist() for _, y in DataLoader(_ds(), batch_size=3, shuffle=True, num_workers=2)]
    torch.manual_seed(3)
    b = [y.tolist() for _, y in DataLoader(_ds(), batch_size=3, shuffle=True)]
    assert a == b


def test_loader_argument_errors() -> None:
    ds = _ds()
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive with batch"):
        DataLoader(ds, batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError, match="batch_size=None option disables auto-batching"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        DataLoader(ds, batch_size=0)
    loader = DataLoader(ds)
    with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoad"):
        loader.batch_size = 3


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_iterable_dataset_batches_in_order() -> None:
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    dropped = DataLoader(Stream(7), batch_size=3, drop_last=True)
    assert [b.tolist() for b in dropped] == [[0, 1, 2], [3, 4, 5]] and len(dropped) == 2
    assert len(DataLoader(Stream(7), batch_size=3)) == 3
    assert list(DataLoader(Stream(2), batch_size=None)) == [0, 1]  # default_convert: ints stay
    with pytest.raises(ValueError, match="expected unspecified shuffle option, but got shuffle="):
        DataLoader(Stream(3), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option"):
        DataLoader(Stream(3), sampler=[0])
    chained = ChainDataset([Stream(2), Stream(3)])
    assert list(chained) == [0, 1, 0, 1, 2] and len(chained) == 5


def test_tutorial_style_training_loop_learns() -> None:
    """The PyTorch tutorial pattern: random_split, two loaders, an MLP, epochs of minibatches."""
    torch.manual_seed(0)
    x = torch.randn(256, 4)
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).long()
    train_set, val_set = random_split(TensorDataset(x, y), [0.75, 0.25])
    train = DataLoader(train_set, batch_size=32, shuffle=True)
    val = DataLoader(val_set, batch_size=64)
    model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = torch.nn.CrossEntropyLoss()

    def accuracy():
        with torch.no_grad():
            correct = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in val)
        return correct / len(val_set)

    before = accuracy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(8):
            model.train()
            for xb, yb in train:
                opt.zero_grad()
                loss_fn(model(xb), yb).backward()
                opt.step()
    assert len(train) == 6 and len(val) == 1
    assert accuracy() > max(0.9, before)
