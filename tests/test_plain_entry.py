"""A replayed plain fused group calls its kernel's compiled entry point on 0-d operands
(jitgrad/fusion/plain_entry.py): only while every argument has the kinds it learnt, with the
dispatcher's results, and never from tier 0's or the debug wrapper's stand-in."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad
from jitgrad.fusion import diskcache, plain_entry, tier0


class _Layout:
    def __init__(self, alloc=np.empty) -> None:
        self.entry = None
        self.allocs = [((), np.float32, alloc)]


class _Kernel:
    """A stand-in kernel: ``fn`` is the dispatcher (or a wrapper), ``entry_for`` gives an
    entry point that records its calls."""

    def __init__(self, wrapped: bool = False) -> None:
        self.calls: list[str] = []
        self.dispatcher = lambda *args: self.calls.append("dispatcher")
        self.fn = (lambda *args: self.calls.append("wrapper")) if wrapped else self.dispatcher
        self.asked: list[tuple] = []

    def entry_for(self, args: tuple):
        self.asked.append(args)
        return lambda *args: self.calls.append("entry")


def _f32(v: float = 1.0) -> np.ndarray:
    return np.array(v, np.float32)


def test_entry_taken_only_for_the_learnt_kinds():
    layout, kernel = _Layout(), _Kernel()
    buf = [np.empty((), np.float32)]
    plain_entry.call(layout, kernel, [_f32(), np.float32(2)], buf)
    assert kernel.calls == ["dispatcher"]
    assert layout.entry[1] == (np.dtype(np.float32), np.float32)
    plain_entry.call(layout, kernel, [_f32(3), np.float32(4)], buf)
    assert kernel.calls[-1] == "entry"
    for other in (
        [np.array(1.0), np.float32(2)],  # float64 array
        [np.ones(1, np.float32), np.float32(2)],  # a dimension
        [_f32(), 2.0],  # a Python float
        [_f32(), np.float64(2)],  # another number class
        [_f32().view(np.recarray), np.float32(2)],  # an ndarray subclass
    ):
        plain_entry.call(layout, kernel, other, buf)
        assert kernel.calls[-1] == "dispatcher", other
    assert len(kernel.asked) == 1  # learnt once


def test_no_entry_learnt_from_a_wrapper_or_for_unlearnable_arguments():
    layout, kernel = _Layout(), _Kernel(wrapped=True)  # tier 0 / JITGRAD_DEBUG
    for _ in range(2):
        plain_entry.call(layout, kernel, [_f32()], [np.empty((), np.float32)])
    assert kernel.calls == ["wrapper", "wrapper"] and layout.entry is None
    assert kernel.asked == []
    for arrays, alloc in (
        ([np.ones(2, np.float32)], np.empty),
        ([1.5], np.empty),
        ([_f32()], np.zeros),  # a buffer the lane does not know is fresh
    ):
        layout, kernel = _Layout(alloc), _Kernel()
        plain_entry.call(layout, kernel, arrays, [np.empty((), np.float32)])
        plain_entry.call(layout, kernel, arrays, [np.empty((), np.float32)])
        assert layout.entry is False and kernel.calls == ["dispatcher", "dispatcher"]


@pytest.mark.parametrize("dtype", [jitgrad.float32, jitgrad.float64])
def test_scalar_graph_replays_through_the_entry_with_the_dispatchers_bits(monkeypatch, dtype):
    """A 0-d graph whose backward fuses a plain group, replayed: the entry point runs, and
    each replay's gradients are the first backward's (dispatcher) bits and the unfused
    engine's values."""
    taken = []
    learn = diskcache.Kernel.entry_for

    def counting(self, args):
        entry = learn(self, args)
        if entry is None:
            return None
        return lambda *a: (taken.append(1), entry(*a))

    monkeypatch.setattr(diskcache.Kernel, "entry_for", counting)
    # compiled at the first call: tier 0 would interpret a scalar group for ~2000 calls (its
    # stand-in has no entry point), and no layout or kernel from before the spy
    monkeypatch.setattr(tier0, "ENABLED", False)
    jitgrad.clear_cache(disk=False)
    x = jitgrad.tensor(0.37, dtype=dtype, requires_grad=True)
    y = jitgrad.tensor(-1.25, dtype=dtype, requires_grad=True)

    def grads(fuse: bool) -> list:
        x.grad = y.grad = None
        with jitgrad.fusion(fuse):
            a = x * y
            b = a + x
            c = jitgrad.cos(b) + y
            (c * c + a).backward()
        return [x.grad.numpy().item(), y.grad.numpy().item()]

    unfused = grads(False)
    first = grads(True)
    assert first == pytest.approx(unfused, rel=1e-6)
    for _ in range(4):
        assert grads(True) == first
    assert taken, "no replay went through the entry point"
