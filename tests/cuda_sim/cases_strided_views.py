"""More device views that alias their base as on the CPU: ``as_strided`` (whose sizes,
strides and offset address the storage, i.e. the root's buffer, also for a view), ``H``,
``mH``, ``adjoint``, ``unflatten`` and ``view_as``. Each program runs on both devices:
values, writes through the view reaching the base, and gradients are compared. Where the
device cannot alias (an ``as_strided`` whose elements share places), reads work and an
in-place write is refused with NotImplementedError rather than silently lost."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import jitgrad as torch

VIEWS: dict[str, Callable] = {
    "as_strided": lambda b: b.as_strided((2, 2), (1, 3), 1),
    "as_strided_default_offset": lambda b: b.as_strided((3,), (5,)),
    "as_strided_of_t": lambda b: b.t().as_strided((2, 2), (1, 3), 1),
    "as_strided_of_slice": lambda b: b[1:].as_strided((2, 2), (1, 4)),
    "as_strided_of_column": lambda b: b[:, 1].as_strided((2,), (4,)),
    "as_strided_expand": lambda b: b.as_strided((2, 3), (0, 1), 2),
    "as_strided_function_of_t": lambda b: torch.as_strided(b.t(), (2, 3), (3, 1)),
    "H": lambda b: b.H,
    "mH": lambda b: b.mH,
    "adjoint": lambda b: b.adjoint(),
    "H_of_slice": lambda b: b[:, 1:].H,
    "unflatten": lambda b: b.reshape(12).unflatten(0, (3, 4)),
    "unflatten_of_t": lambda b: b.t().unflatten(0, (2, 2)),
    "view_as": lambda b: b.view_as(b.reshape(12)),
}


def _base(device: str, requires_grad: bool) -> tuple[torch.Tensor, torch.Tensor]:
    w = torch.tensor(np.linspace(0.5, 2, 12, dtype=np.float32).reshape(3, 4)).to(device)
    w.requires_grad_(requires_grad)
    return torch.arange(12.0).reshape(3, 4).to(device) * w, w


def _write(name: str, device: str) -> tuple[list, list]:
    b, _ = _base(device, False)
    v = VIEWS[name](b)
    read = v.cpu().numpy().tolist()
    if name == "as_strided_expand":
        v.fill_(-1.0)  # an expanded view takes fills only (as on the CPU)
    else:
        v.mul_(-1.0)
    return read, b.cpu().numpy().tolist()


def _grad(name: str, device: str) -> tuple[list, list, str]:
    b, w = _base(device, True)
    v = VIEWS[name](b)
    (v * v).sum().backward()
    return v.detach().cpu().numpy().tolist(), w.grad.cpu().numpy().tolist(), v.grad_fn.name()


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_write_through_reaches_the_base(name: str) -> None:
    cpu, dev = _write(name, "cpu"), _write(name, "cuda")
    np.testing.assert_allclose(dev[0], cpu[0], rtol=1e-6)
    np.testing.assert_allclose(dev[1], cpu[1], rtol=1e-6)


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_values_and_gradients_match_cpu(name: str) -> None:
    cpu, dev = _grad(name, "cpu"), _grad(name, "cuda")
    np.testing.assert_allclose(dev[0], cpu[0], rtol=1e-6)
    np.testing.assert_allclose(dev[1], cpu[1], rtol=1e-5)
    assert dev[2] == cpu[2]


def test_base_written_later_is_seen_through_as_strided() -> None:
    results = []
    for device in ("cpu", "cuda"):
        b, _ = _base(device, False)
        v = b.t().as_strided((2, 3), (4, 1), 1)
        b[0].fill_(9.0)
        results.append(v.cpu().numpy())
    np.testing.assert_allclose(results[1], results[0])


def test_as_strided_errors_match_cpu() -> None:
    for bad in [lambda b: b.as_strided((4,), (4,)), lambda b: b[1:].as_strided((2,), (-1,))]:
        messages = []
        for device in ("cpu", "cuda"):
            with pytest.raises(RuntimeError) as info:
                bad(_base(device, False)[0])
            messages.append(str(info.value))
        assert messages[1] == messages[0]


def test_self_overlapping_as_strided_reads_but_refuses_writes() -> None:
    cpu = _base("cpu", False)[0].as_strided((3, 2), (1, 1))
    b, _ = _base("cuda", False)
    v = b.as_strided((3, 2), (1, 1))
    np.testing.assert_allclose(v.cpu().numpy(), cpu.numpy())
    np.testing.assert_allclose((v * 2).cpu().numpy(), cpu.numpy() * 2)
    before = b.cpu().numpy()
    for write in [
        lambda: v.add_(1),
        lambda: v.fill_(0),
        lambda: v.__setitem__(0, 1.0),
        lambda: v[1].mul_(2),
        lambda: v.copy_(v * 2),
        lambda: v.index_fill_(0, torch.tensor([0]).cuda(), 3.0),
    ]:
        with pytest.raises(NotImplementedError, match="it would be a copy, not a view"):
            write()
    np.testing.assert_array_equal(b.cpu().numpy(), before)


SETITEMS: dict[str, Callable] = {
    "index_tensor": lambda b: b.__setitem__(torch.tensor([0, 2]).to(b.device), 5.0),
    "mask": lambda b: b.__setitem__(b > 6, -1.0),
    "index_rows_tensor_value": lambda b: b.__setitem__(
        (torch.tensor([0, 2]).to(b.device), slice(None)), torch.ones(2, 4).to(b.device)
    ),
    "mask_through_t": lambda b: b.t().__setitem__(b.t() > 6, -1.0),
    "index_through_slice": lambda b: b[:, 1:].__setitem__(torch.tensor([1]).to(b.device), 9.0),
}


@pytest.mark.parametrize("name", sorted(SETITEMS))
def test_setitem_with_tensor_indices_writes_back(name: str) -> None:
    results = []
    for device in ("cpu", "cuda"):
        b, _ = _base(device, False)
        SETITEMS[name](b)
        results.append(b.cpu().numpy())
    np.testing.assert_allclose(results[1], results[0])
    assert not np.allclose(results[0], _base("cpu", False)[0].numpy())


RECORDED: dict[str, Callable] = {
    "index_tensor": lambda b, v: b.__setitem__(torch.tensor([0, 2]).to(b.device), 5.0),
    "mask": lambda b, v: b.__setitem__(b > 6, -1.0),
    "index_tensor_value": lambda b, v: b.__setitem__(torch.tensor([0, 2]).to(b.device), v),
    "host_index_tensor": lambda b, v: b.__setitem__((slice(None), torch.tensor([1, 3])), 0.5),
}


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_recorded_setitem_with_tensor_indices_matches_cpu(name: str) -> None:
    results = []
    for device in ("cpu", "cuda"):
        b, w = _base(device, True)
        v = torch.tensor(np.linspace(1, 2, 8, dtype=np.float32).reshape(2, 4)).to(device)
        v.requires_grad_()
        RECORDED[name](b, v)
        node = b.grad_fn.name()
        (b * b).sum().backward()
        v_grad = None if v.grad is None else v.grad.cpu().numpy()
        results.append((b.detach().cpu().numpy(), w.grad.cpu().numpy(), v_grad, node))
    cpu, dev = results
    np.testing.assert_allclose(dev[0], cpu[0], rtol=1e-6)
    np.testing.assert_allclose(dev[1], cpu[1], rtol=1e-5)
    if cpu[2] is None:
        assert dev[2] is None
    else:
        np.testing.assert_allclose(dev[2], cpu[2], rtol=1e-5)
    assert dev[3] == cpu[3]


def test_recorded_setitem_on_a_leaf_is_refused_as_on_the_cpu() -> None:
    messages = []
    for device in ("cpu", "cuda"):
        w = torch.ones(3).to(device).requires_grad_()
        with pytest.raises(RuntimeError) as info:
            w[torch.tensor([0]).to(device)] = 2.0
        messages.append(str(info.value))
    assert messages[1] == messages[0]
