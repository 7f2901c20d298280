"""Captured steps over large operands: their elementwise rows fused into one generated loop
(jitgrad.capture.tile / .fused, issue 16 §1), bit for bit eager's values and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.capture import fused, interp, tile

GELU_C, GELU_A = 0.7978845608, 0.044715


def _gelu(x: torch.Tensor):
    def step() -> torch.Tensor:
        x.grad = None
        loss = (0.5 * x * (1 + torch.tanh(GELU_C * (x + GELU_A * x**3)))).mean()
        loss.backward()
        return loss

    return step


def _chain(x: torch.Tensor, y: torch.Tensor):
    def step() -> torch.Tensor:
        x.grad = y.grad = None
        loss = (torch.tanh(x * y + torch.sin(x)) * torch.exp(-x * x) / (1 + y * y)).sum()
        loss.backward()
        return loss

    return step


def _leaf(n: int, seed: int) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    return torch.tensor(rng.standard_normal(n).astype(np.float32), requires_grad=True)


def _same_as_eager(step, leaves: list, calls: int = 3) -> str:
    """Run ``step`` eagerly and compiled ``calls`` times; each call's loss and gradients
    equal bit for bit. Returns ``explain()``."""
    loss = step()
    want = [loss.detach().numpy().tobytes()] + [t.grad.numpy().tobytes() for t in leaves]
    compiled = torch.compile(step)
    for _ in range(calls):  # the trace, then replays
        loss = compiled()
        got = [loss.detach().numpy().tobytes()] + [t.grad.numpy().tobytes() for t in leaves]
        assert got == want
    assert all(np.abs(t.grad.numpy()).sum() > 0 for t in leaves)
    return compiled.explain()


def test_large_gelu_step_is_one_fused_loop_and_bitwise_eager() -> None:
    # the tanh-GELU mean step over more than MIN_N elements: forward and backward rows (the
    # mean moved after them, the loss's gradient fill before) are one group, one loop
    x = _leaf(tile.MIN_N + 1234, 0)
    text = _same_as_eager(_gelu(x), [x])
    assert "1 group(s) of elementwise rows" in text
    assert "1 fused into one generated loop each, 0 run in blocks" in text


def _program(compiled) -> object:
    (entry,) = compiled._capture.entries.values()
    return entry[0]


def test_large_step_reads_its_input_and_writes_its_gradient_in_place() -> None:
    # the mean summed inside the group's loop (no interpreter row over the 8M-style operand
    # after it), the input read from x and the gradient written into x.grad: the arena's
    # ranges for them are never written (the copies in and out made them x's and the grad's)
    x = _leaf(tile.MIN_N + 1234, 0)
    step = _gelu(x)
    _same_as_eager(step, [x])
    compiled = torch.compile(step)
    for _ in range(3):
        compiled()
    program = _program(compiled)
    rows = [r for s in program.steps if type(s) is np.ndarray for r in s]
    assert all(int(r[4]) < tile.MIN_N for r in rows)  # only the one-element fill and divc
    (off, n, _, _) = program.reads[0]
    (_, g_off) = program.grads[0]
    assert not program.arena[off : off + n].any() and not program.arena[g_off : g_off + n].any()
    before = x.grad
    x.grad = None  # a replay then gives x a fresh gradient, eager's
    loss = compiled()
    assert x.grad is not before and x.grad.numpy().tobytes() == before.numpy().tobytes()
    assert loss.item() == step().item()


def test_a_cheap_body_summed_in_its_loop_is_bitwise_eager() -> None:
    # mse's body has no math call: its lanes are kept in the loop (a tail of 1235 % 64)
    a, b = _leaf(tile.MIN_N + 1235, 6), _leaf(tile.MIN_N + 1235, 7)

    def step() -> torch.Tensor:
        a.grad = b.grad = None
        loss = ((a - b) ** 2).mean()
        loss.backward()
        return loss

    assert "1 fused into one generated loop each" in _same_as_eager(step, [a, b])


def test_a_gradient_sharing_memory_with_an_input_gets_a_fresh_buffer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # x.grad set to a view of the input y the group reads: writing it in place would change
    # what the loop reads, so the replay gives x a new .grad (eager makes a new one too)
    monkeypatch.setattr(tile, "MIN_N", 1 << 12)
    x, y = _leaf(10_000, 1), _leaf(10_000, 2)
    chain = _chain(x, y)
    want = chain()
    wx, wy = x.grad.numpy().copy(), y.grad.numpy().copy()
    compiled = torch.compile(chain)
    for _ in range(3):
        compiled()
        x.grad = y.detach()  # y's own memory
        y_before = y.detach().numpy().copy()
        loss = compiled()
        assert np.array_equal(y.detach().numpy(), y_before)
        assert x.grad.numpy().tobytes() == wx.tobytes() and y.grad.numpy().tobytes() == wy.tobytes()
        assert loss.item() == want.item()


def test_schedule_takes_a_blocked_total_into_the_group_but_not_a_row_reading_it() -> None:
    n = tile.MIN_N
    rows = np.array([
        [interp.CODE["tanh"], n, 0, 0, n, 0, 0, 0],  # t = tanh(x)
        [interp.SUM, 3 * n, n, 0, n, 0, 0, 4096],  # s = t.sum(), eager's blocked order
        [interp.B_SUM, 2 * n, 3 * n, 0, n, 0, 0, 0],  # s spread: needs the whole total
        [interp.CODE["b_tanh_a"], 4 * n, 2 * n, n, n, 0, 0, 0],  # reads the spread
        [interp.SUM, 3 * n + 2, n, 0, n, 0, 0, 0],  # a pairwise sum: stays a row
    ], np.int32)  # fmt: skip
    accs = [tile.access(r) for r in rows]
    assert tile.schedule(rows, accs, range(len(rows))) == [[0, 1], 4, [2, 3]]


def test_chain_of_two_leaves_fused_bitwise(monkeypatch: pytest.MonkeyPatch) -> None:
    # two leaves, each gradient summed from several rows (acc rows into one range)
    monkeypatch.setattr(tile, "MIN_N", 1 << 12)
    x, y = _leaf(10_000, 1), _leaf(10_000, 2)
    text = _same_as_eager(_chain(x, y), [x, y])
    assert "1 fused into one generated loop each" in text


def test_blocked_rows_when_the_loop_cannot_compile_are_bitwise_eager(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the fallback: the group's rows copied per block (a tail block of 1234 - 1024 + ...),
    # the ranges only the group touches in one block of scratch
    monkeypatch.setattr(tile, "MIN_N", 1 << 12)
    monkeypatch.setattr(fused, "build", lambda *a: None)
    x = _leaf(3 * tile.BLOCK + 123, 3)
    text = _same_as_eager(_gelu(x), [x])
    assert "0 fused into one generated loop each, 1 run in blocks of 4096" in text


def test_small_steps_keep_their_rows() -> None:
    # below MIN_N nothing is grouped: the dispatch-bound programs replay their rows as traced
    x = _leaf(1000, 4)
    text = _same_as_eager(_gelu(x), [x])
    assert "group" not in text


def test_schedule_moves_a_reduction_after_and_an_independent_fill_before() -> None:
    n = tile.MIN_N
    rows = np.array([
        [interp.CODE["tanh"], n, 0, 0, n, 0, 0, 0],  # t = tanh(x)
        [interp.SUM, 3 * n, n, 0, n, 0, 0, 0],  # s = t.sum()
        [interp.FILL, 3 * n + 1, 0, 0, 1, 0, 0, 0],  # the loss's gradient
        [interp.B_SUM, 2 * n, 3 * n + 1, 0, n, 0, 0, 0],  # spread (reads the fill: after it)
        [interp.CODE["b_tanh_a"], 4 * n, 2 * n, n, n, 0, 0, 0],  # dx (reads t: element i)
    ], np.int32)  # fmt: skip
    accs = [tile.access(r) for r in rows]
    assert tile.schedule(rows, accs, range(len(rows))) == [2, [0, 3, 4], 1]
    shifted = rows.copy()
    shifted[4, 3] = n + 1  # reads t one element off: not element by element, no group
    accs = [tile.access(r) for r in shifted]
    assert [u for u in tile.schedule(shifted, accs, range(len(rows))) if type(u) is list] == [
        [0, 3]
    ]


def test_a_step_clearing_grad_first_is_one_guard_set() -> None:
    # the first call finds no .grad, the next the one the first made: the step sets it to
    # None before reading it, so both hold one program (it was 2, Run gelu17)
    x = _leaf(1000, 5)
    compiled = torch.compile(_gelu(x))
    for _ in range(4):
        compiled()
        got = x.grad.numpy().tobytes()
        _gelu(x)()
        assert got == x.grad.numpy().tobytes()
    assert ": 1 guard set(s)\n  captured:" in compiled.explain()
