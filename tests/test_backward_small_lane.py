"""The elementwise backward's small-operand lane gives bitwise the gradients of the general
path (jitgrad.frontend.pointwise_backward.SMALL_LANE off), for unary, binary and ternary ops on
0-d, 1-element and 16-element operands in float32 and float64, and four threads filling its
cache at once get what one thread gets."""

import threading

import numpy as np
import pytest

import jitgrad as torch
from jitgrad.frontend import pointwise_backward as PB

F = torch.nn.functional

# name, number of tensor operands, function of the tensors
OPS = [
    ("exp", 1, lambda a: torch.exp(a)),
    ("tanh", 1, lambda a: torch.tanh(a)),
    ("softplus", 1, lambda a: F.softplus(a)),
    ("sigmoid", 1, lambda a: torch.sigmoid(a)),
    ("sqrt", 1, lambda a: torch.sqrt(a)),
    ("mul_scalar", 1, lambda a: a * 2.5),
    ("div_scalar", 1, lambda a: a / 3.0),
    ("rsub_scalar", 1, lambda a: 2.0 - a),
    ("pow_scalar", 1, lambda a: a**1.7),
    ("mul", 2, lambda a, b: a * b),
    ("div", 2, lambda a, b: a / b),
    ("sub", 2, lambda a, b: a - b),
    ("pow", 2, lambda a, b: a**b),
    ("atan2", 2, lambda a, b: torch.atan2(a, b)),
    ("maximum", 2, lambda a, b: torch.maximum(a, b)),
    ("lerp", 3, lambda a, b, c: torch.lerp(a, b, c)),
    ("clamp", 3, lambda a, b, c: torch.clamp(a, b, c)),
    ("clamp_scalars", 1, lambda a: torch.clamp(a, 0.8, 1.6)),
    ("where", 2, lambda a, b: torch.where(a > b, a, b)),
]
SHAPES = [(), (1,), (16,)]
DTYPES = [torch.float32, torch.float64]


def _inputs(shape, dtype, n, seed):
    rng = np.random.default_rng(seed)
    return [rng.uniform(0.5, 2.0, size=shape).astype(dtype.np) for _ in range(n)]


def _grads(fn, arrays, dtype, grad_mask):
    xs = [torch.tensor(a, dtype=dtype, requires_grad=r) for a, r in zip(arrays, grad_mask)]
    y = fn(*xs)
    g = torch.tensor(np.linspace(-1.0, 1.5, y.numel()).reshape(y.shape), dtype=dtype)
    wrt = [x for x in xs if x.requires_grad]
    got = torch.autograd.grad(y, wrt, g, create_graph=False)
    return [t.numpy().copy() for t in got]


def _cases():
    for name, n, fn in OPS:
        for shape in SHAPES:
            for dtype in DTYPES:
                masks = [(True,) + (False,) * (n - 1)]
                if n > 1:
                    masks.append((True,) * n)
                for mask in masks:
                    yield name, n, fn, shape, dtype, mask


CASES = list(_cases())


def _id(case):
    name, _n, _fn, shape, dtype, mask = case
    return f"{name}-{len(shape) and shape[0]}{'d' if not shape else ''}-{dtype}-{sum(mask)}"


def _bits(arrays):
    return [(a.dtype, a.shape, a.tobytes()) for a in arrays]


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_small_lane_matches_general_bitwise(case, monkeypatch):
    name, n, fn, shape, dtype, mask = case
    arrays = _inputs(shape, dtype, n, seed=len(name))
    calls = []
    general = PB._general_backward
    monkeypatch.setattr(PB, "_general_backward", lambda *a: calls.append(1) or general(*a))
    fast = _grads(fn, arrays, dtype, mask)
    assert not calls, "the small lane was not taken"
    monkeypatch.setattr(PB, "SMALL_LANE", False)
    slow = _grads(fn, arrays, dtype, mask)
    assert calls, "the general path was not taken"
    assert _bits(fast) == _bits(slow)


def test_broadcast_and_mixed_dtype_take_general_path(monkeypatch):
    calls = []
    general = PB._general_backward
    monkeypatch.setattr(PB, "_general_backward", lambda *a: calls.append(1) or general(*a))
    a = torch.tensor(1.5, requires_grad=True)
    b = torch.ones(3, requires_grad=True)
    ga, gb = torch.autograd.grad(a * b, [a, b], torch.ones(3))
    assert len(calls) == 1 and ga.item() == 3.0 and gb.tolist() == [1.5] * 3
    c = torch.tensor([2.0], dtype=torch.float32, requires_grad=True)
    d = torch.tensor([3.0], dtype=torch.float64, requires_grad=True)
    gc, gd = torch.autograd.grad(c * d, [c, d], torch.ones(1, dtype=torch.float64))
    assert len(calls) == 2
    assert gc.dtype == torch.float32 and gd.dtype == torch.float64
    assert gc.tolist() == [3.0] and gd.tolist() == [2.0]


def test_four_threads_equal_one(monkeypatch):
    want = {}
    for i, case in enumerate(CASES):
        name, n, fn, shape, dtype, mask = case
        want[i] = _bits(_grads(fn, _inputs(shape, dtype, n, seed=i), dtype, mask))
    monkeypatch.setattr(PB, "_small", {})  # the threads fill the lane's cache at once
    results: list[dict] = [{} for _ in range(4)]
    errors = []

    def work(k):
        try:
            for _ in range(3):
                for i in [*range(k, len(CASES)), *range(k)]:  # each thread from elsewhere
                    name, n, fn, shape, dtype, mask = CASES[i]
                    got = _bits(_grads(fn, _inputs(shape, dtype, n, seed=i), dtype, mask))
                    results[k].setdefault(i, got)
                    assert got == results[k][i]
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for k in range(4):
        assert results[k] == want
