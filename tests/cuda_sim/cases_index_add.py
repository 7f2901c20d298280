"""``index_add``/``scatter_add`` on the device, and the ``create_graph`` backwards that record
them (``as_strided``'s, ``gather``'s, ``index_select``'s): each ran through the host fallback
(issue 15). Every test refuses the host fallback (``no_fallback``) and compares with the CPU:
values and first gradients bitwise (the device adds in index order, as the CPU), and second
derivatives; the ``create_graph`` gradients' nodes are PyTorch 2.13's
(``tests/fixtures/cuda_create_graph_torch.json``, ``make_cuda_create_graph_torch.py``).
Simulator cost: about 4 CPU s (warm kernel cache)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.kernels.cuda import memory

RNG = np.random.default_rng(14)
X = RNG.standard_normal((4, 3)).astype(np.float32)
SRC = RNG.standard_normal((3, 3)).astype(np.float32)
ROWS = np.array([1, 3, 1])  # (a repeated index: two adds into one row, in order)
COLS = np.array([[0, 2, 0]] * 4)


def _both(fn, *arrays):
    """``fn`` on CPU leaves and on device leaves: (value, node, gradients) of each."""
    out = []
    for device in ("cpu", "cuda"):
        xs = [torch.tensor(a, device=device, requires_grad=a.dtype.kind == "f") for a in arrays]
        y = fn(*xs)
        w = torch.tensor(np.linspace(0.5, 2, y.numel(), dtype=np.float32), device=device)
        (y * w.reshape(tuple(y.shape))).sum().backward()
        grads = [x.grad.cpu().numpy() for x in xs if x.grad is not None]
        out.append((y.detach().cpu().numpy(), y.grad_fn.name(), grads, y.device.type))
    (v, node, grads, _), (dv, dnode, dgrads, where) = out
    assert (where, dnode) == ("cuda", node)
    np.testing.assert_array_equal(dv, v)
    for g, dg in zip(grads, dgrads, strict=True):
        np.testing.assert_array_equal(dg, g)
    return node


def _idx(a, x):
    return torch.tensor(a, device=x.device)


@pytest.mark.parametrize(
    "fn,arrays,node",
    [
        (lambda x, s: torch.index_add(x, 0, _idx(ROWS, x), s), (X, SRC), "IndexAddBackward0"),
        (lambda x, s: x.index_add(0, _idx(ROWS, x), s, alpha=2.5), (X, SRC), "IndexAddBackward0"),
        (lambda x, s: x.index_add(-1, _idx([2, 2], x), s), (X, X[:, :2] * 3), "IndexAddBackward0"),
        (lambda x, s: torch.scatter_add(x, 1, _idx(COLS, x), s), (X, X - 1), "ScatterAddBackward0"),
    ],
    ids=["index_add", "alpha", "last dim", "scatter_add"],
)
def test_index_add_and_scatter_add_on_the_device(no_fallback, fn, arrays, node):
    assert _both(fn, *arrays) == node


def test_in_place_forms_without_autograd(no_fallback):
    for device in ("cpu", "cuda"):
        x = torch.tensor(X, device=device)
        y = x[:, 1:]  # (a view: the base is written)
        assert y.index_add_(0, _idx(ROWS, x), torch.tensor(SRC[:, 1:], device=device)) is y
        x.scatter_add_(1, _idx(COLS, x), torch.tensor(X, device=device))
        if device == "cpu":
            want = x.numpy().copy()
    np.testing.assert_array_equal(x.cpu().numpy(), want)


def test_index_out_of_range_is_reported_at_synchronization(no_fallback, monkeypatch):
    """The write's kernel sets the flag: no pass reads ``self`` first."""
    monkeypatch.setattr(memory, "take_along", None)
    x = torch.tensor(X).cuda()
    out = x.index_add(0, torch.tensor([4]).cuda(), torch.ones(1, 3).cuda())  # no sync yet
    with pytest.raises(RuntimeError, match="device-side assert triggered"):
        out.sum().item()


SECOND = {
    "as_strided": lambda x: x.as_strided((2, 3), (2, 1), 1),
    "gather": lambda x: x.gather(1, _idx(COLS, x)),
    "index_select": lambda x: x.index_select(0, _idx(ROWS, x)),
}
TORCH = json.loads(
    (Path(__file__).parent.parent / "fixtures" / "cuda_create_graph_torch.json").read_text()
)


@pytest.mark.parametrize("name", sorted(SECOND))
def test_create_graph_backwards_stay_on_the_device(no_fallback, name):
    """The first gradient recorded (``create_graph``) by device ops, with PyTorch's node (the
    CPU names index_select's IndexPutBackward0 and as_strided's IndexBackward0), and
    differentiable again."""
    fn = SECOND[name]
    out = []
    for device in ("cpu", "cuda"):
        x = torch.tensor(X.astype(np.float64), device=device, requires_grad=True)
        y = fn(x)
        (g,) = torch.autograd.grad((y * y).sum(), x, create_graph=True)
        (gg,) = torch.autograd.grad((g * g).sum(), x)
        out.append((y.grad_fn.name(), g.grad_fn.name(), g.detach().cpu().numpy(),
                    gg.cpu().numpy(), g.device.type))  # fmt: skip
    assert [out[1][0], out[1][1]] == TORCH[name] and out[1][4] == "cuda"
    np.testing.assert_allclose(out[1][2], out[0][2], rtol=1e-12)
    np.testing.assert_allclose(out[1][3], out[0][3], rtol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float16", "int32", "int8"])
def test_narrow_adds_match_the_cpu_bitwise(no_fallback, monkeypatch, dtype):
    """A 1-D ``index_add`` and a ``scatter_add`` along dim 0, 20 adds into each of two places,
    as the CPU's bits (float32: ``2**24`` plus ones, which stays ``2**24`` one add at a time
    in index order and would not summed first); the range check is the write's own (no pass
    reading ``self``). (float16: jitgrad's CPU and device both add in float32 and round once,
    2048 + 20 ones = 2068; PyTorch's CPU ``index_add`` rounds every add, 2048: not changed
    here.)"""
    monkeypatch.setattr(memory, "take_along", None)  # (the reading pass: refused)
    dt = getattr(torch, dtype)
    ints = dtype.startswith("int")
    vals = np.arange(-20, 20) % 7 - 3 if ints else np.ones(40)
    where = np.array([3, 0] * 20)
    out = []
    for device in ("cpu", "cuda"):
        x = torch.full((5,), 100 if ints else 2048 if dtype == "float16" else 2**24, dtype=dt,
                       device=device)  # fmt: skip
        src = torch.tensor(vals, device=device).to(dt)
        a = x.index_add(0, torch.tensor(where, device=device), src)
        b = x.reshape(5, 1).scatter_add(0, torch.tensor(where.reshape(40, 1), device=device),
                                        src.reshape(40, 1))  # fmt: skip
        out.append((a.cpu().numpy(), b.cpu().numpy(), a.device.type))
    np.testing.assert_array_equal(out[1][0], out[0][0])
    np.testing.assert_array_equal(out[1][1], out[0][1])
    assert out[1][2] == "cuda"
    if dtype == "float32":
        assert out[1][0][3] == 2**24
