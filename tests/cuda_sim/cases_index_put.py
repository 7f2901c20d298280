"""``index_put`` / ``index_put_`` and ``t[idx] = v`` with index tensors on the device: they
ran through the host fallback (issue 15, Run cuda17: 3 and 2 device-to-host copies a call).
Int index tensors refuse the host fallback (``no_fallback``) and compare with the CPU path:
values bitwise (a repeated index without ``accumulate`` keeps the last write, as the CPU;
with ``accumulate`` the device sums a run of equal indices in PyTorch CUDA's order, which for
these values gives the CPU's bits too: the order itself is pinned by
:func:`test_accumulate_sums_in_pytorch_cudas_order`), gradients to float rounding (``values``'
broadcast gradient is a device sum, in another order), nodes the CPU's
(``IndexPutBackward0``, PyTorch's). A boolean mask needs ``nonzero``'s count on the host (a
synchronization, as PyTorch's), so those cases compare values only."""

from __future__ import annotations

import numpy as np
import pytest
from numba import cuda

import jitgrad as torch
from jitgrad.kernels.cuda import memory

RNG = np.random.default_rng(17)
X = RNG.standard_normal((4, 3, 2)).astype(np.float32)
V2 = RNG.standard_normal((3, 2)).astype(np.float32)
ROWS = np.array([1, 3, 1])  # (a repeated index)
COLS = np.array([2, -1, 0])  # (a negative index)


def _both(fn, *arrays):
    """``fn`` on CPU leaves and on device leaves: value, node and gradients must agree."""
    out = []
    for device in ("cpu", "cuda"):
        xs = [torch.tensor(a, device=device, requires_grad=True) for a in arrays]
        y = fn(*xs)
        w = torch.tensor(np.linspace(0.5, 2, y.numel(), dtype=np.float32), device=device)
        (y * w.reshape(tuple(y.shape))).sum().backward()
        out.append((y.detach().cpu().numpy(), y.grad_fn.name(), y.device.type,
                    [x.grad.cpu().numpy() for x in xs]))  # fmt: skip
    (v, node, _, grads), (dv, dnode, where, dgrads) = out
    assert (where, dnode) == ("cuda", node) and node == "IndexPutBackward0"
    np.testing.assert_array_equal(dv, v)
    for g, dg in zip(grads, dgrads, strict=True):
        np.testing.assert_allclose(dg, g, rtol=1e-6, atol=1e-6)
    return v


def _i(a, x, dtype=None):
    return torch.tensor(a, device=x.device, dtype=dtype)


CASES = {
    "one index, rows": lambda x, v: x.index_put((_i(ROWS, x),), v),
    "accumulate": lambda x, v: x.index_put((_i(ROWS, x),), v, accumulate=True),
    "two indices": lambda x, v: torch.index_put(x, (_i(ROWS, x), _i(COLS, x)), v[0]),
    "two, accumulate": lambda x, v: x.index_put((_i(ROWS, x), _i(COLS, x)), v[0], True),
    "broadcast indices": lambda x, v: x.index_put(
        (_i(ROWS[:, None], x), _i([0, 2], x, torch.int32)), v[:2, 0]),
    "every dim": lambda x, v: x.index_put((_i(ROWS, x), _i(COLS, x), _i([1, 0, 1], x)), v[1, 0]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_index_put_on_the_device(no_fallback, name):
    v = _both(CASES[name], X, V2 * 3)
    assert not np.array_equal(v, X)  # (something was written)


def test_setitem_with_index_tensors_records_index_put(no_fallback):
    def write(x, v):
        y = x * 2
        y[_i(ROWS, x), _i(COLS, x)] = v[0]
        return y

    _both(write, X, V2)


def test_in_place_and_scalar_writes_without_autograd(no_fallback):
    got = []
    for device in ("cpu", "cuda"):
        x = torch.tensor(X, device=device)
        x.index_put_((_i(ROWS, x),), torch.tensor(V2, device=device), accumulate=True)
        x[_i(COLS, x)] = 7.5
        got.append(x.cpu().numpy())
    np.testing.assert_array_equal(got[1], got[0])


def test_boolean_masks_match_the_cpu(numpy_refused):
    mask = np.array([True, False, True, True])
    got = []
    for device in ("cpu", "cuda"):
        x = torch.tensor(X, device=device)
        y = x.index_put((torch.tensor(mask, device=device),), torch.tensor(V2, device=device))
        x[torch.tensor(X > 0, device=device)] = -1.0
        got.append((y.cpu().numpy(), x.cpu().numpy()))
    for a, b in zip(got[1], got[0], strict=True):
        np.testing.assert_array_equal(a, b)


def test_int_index_forms_copy_nothing_to_the_host(host_copies, numpy_refused, monkeypatch):
    x = torch.tensor(X, device="cuda", requires_grad=True)
    v = torch.tensor(V2, device="cuda", requires_grad=True)
    rows, cols = _i(ROWS, x), _i(COLS, x)
    x.index_put((rows, cols), v[0], accumulate=True).sum()  # (kernels compiled, constants up)
    syncs = []
    monkeypatch.setattr(cuda, "synchronize", lambda: syncs.append(1))
    before = host_copies[0]
    y = x * 1
    y[rows, cols] = v[0]
    z = x.index_put((rows,), v, accumulate=True) + y
    z.sum().backward()
    assert (host_copies[0] - before, syncs) == (0, [])
    assert x.grad.device.type == "cuda"


@pytest.mark.parametrize("index", [([4], [0]), ([0], [3]), ([-5], [0])], ids=str)
def test_index_out_of_range_is_reported_at_synchronization(no_fallback, monkeypatch, index):
    """Out of range in its own dim, even where the flat position would be inside ``x``
    (row 0, column 3 of a 4x3x2 tensor). The write's kernel sets the flag: no pass reads
    ``self`` first."""
    monkeypatch.setattr(memory, "take_along", None)
    x = torch.tensor(X).cuda()
    out = x.index_put(tuple(torch.tensor(i).cuda() for i in index), torch.ones(2).cuda())
    with pytest.raises(RuntimeError, match="device-side assert triggered"):
        out.sum().item()


@pytest.mark.parametrize("width,added", [(1, 40.0), (2, 2.0), (40, 0.0)])
def test_accumulate_sums_in_pytorch_cudas_order(no_fallback, width, added):
    """PyTorch CUDA's ``index_put_(accumulate=True)`` (``index_put_with_sort_kernel``) sums a
    run of equal indices from 0 and adds the sum to ``self`` once where a row has at most 32
    elements (a full index's run of 40: its warp's 32 lanes, then the 8 left), but adds one
    at a time for wider rows: ``2**24`` plus ones is ``2**24 + the count`` there and stays
    ``2**24`` one add at a time (the CPU's order: ``2**24 + 1`` rounds back to ``2**24``)."""
    count = 40 if width == 1 else 2
    row = () if width == 1 else (width,)  # (width 1: a 1-D x, a full index)
    x = torch.full((3, *row), 2.0**24, device="cuda")
    rows = torch.tensor([0] * count + [2], device="cuda")
    v = torch.ones((count + 1, *row), device="cuda")
    got = x.index_put((rows,), v, accumulate=True).cpu().numpy().reshape(3, width)
    want = np.full((3, width), 2.0**24, np.float32)
    want[0] += np.float32(added)
    want[2] += np.float32(1)
    np.testing.assert_array_equal(got, want)
