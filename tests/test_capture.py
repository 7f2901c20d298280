"""``jitgrad.compile``'s capture: a traced step replayed by the tape interpreter gives eager's
values and gradients bit for bit, guards retrace, and what the tape cannot keep runs eagerly
with a reason."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import jitgrad as torch
import jitgrad.nn.functional as F
from perf.rogozhnikov import run_graph


def _graph(leaves: torch.Tensor, n_ops: int) -> list:
    """Rogozhnikov's benchmark graph, as perf/rogozhnikov.py builds it."""
    return run_graph(torch, leaves, n_ops)


def _replays(compiled) -> int:
    """How many programs the compiled function holds."""
    return sum(len(e) for e in compiled._capture.entries.values() if type(e) is list)


def test_rogozhnikov_graph_gradients_are_bitwise_eager() -> None:
    def step(leaves: torch.Tensor) -> None:
        _graph(leaves, 120)[-5].backward()

    compiled = torch.compile(step)
    eager = torch.linspace(-2, 3, 100).requires_grad_()
    comp = torch.linspace(-2, 3, 100).requires_grad_()
    for _ in range(4):  # trace (no .grad), trace (with .grad), then replays
        step(eager)
        compiled(comp)
        assert comp.grad.numpy().tobytes() == eager.grad.numpy().tobytes()
    assert np.abs(eager.grad.numpy()).sum() > 0
    assert _replays(compiled) == 2


def test_logistic_sgd_trajectory_is_bitwise_eager() -> None:
    def run(compile_it: bool) -> list:
        w = torch.tensor(0.3, requires_grad=True)
        b = torch.tensor(0.1, requires_grad=True)
        xs = torch.tensor(1.5)
        opt = torch.optim.SGD([w, b], lr=0.5)

        def step() -> torch.Tensor:
            opt.zero_grad()
            p = 1 / (torch.exp(-(w * xs + b)) + 1)
            loss = -torch.log(p)
            loss.backward()
            opt.step()
            return loss.detach()

        fn = torch.compile(step) if compile_it else step
        out = []
        for _ in range(6):
            loss = fn()
            out.append((loss.item(), w.item(), b.item(), w.grad.item(), b.grad.item()))
        return out

    eager, compiled = run(False), run(True)
    assert compiled == eager
    assert eager[-1][0] < eager[0][0]  # it trained


def test_dispatch_chain_is_bitwise_eager_with_and_without_fusion() -> None:
    # x gets 41 gradients and y 40; with fusion on, the backward groups sum them in their
    # kernels (in member order, then once into the leaf's buffer): the tape mirrors that.
    # Fusion on or off is part of the guard: each traces its own program.
    x = torch.randn(16, requires_grad=True)
    y = torch.randn(16, requires_grad=True)

    def step() -> torch.Tensor:
        z = x
        for _ in range(40):
            z = torch.tanh(z * y + x)
        s = z.sum()
        s.backward()
        return s.detach()

    compiled = torch.compile(step)
    for programs, fuse in enumerate((False, True), 1):
        torch.fusion(fuse)
        try:
            want = []
            for fn in (step, compiled, compiled):
                x.grad = y.grad = None
                want.append((fn().item(), x.grad.numpy().copy(), y.grad.numpy().copy()))
        finally:
            torch.fusion(True)
        (v0, gx0, gy0), _, (v2, gx2, gy2) = want
        assert v2 == v0
        assert gx2.tobytes() == gx0.tobytes() and gy2.tobytes() == gy0.tobytes()
        assert _replays(compiled) == programs


OPS = [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / (b * b + 1)),
    ("numbers", lambda a, b: (a + 2) * 3 - 1.5 + b / 4),
    ("neg exp", lambda a, b: torch.exp(-a) * b),
    ("log", lambda a, b: torch.log(a * a + 1) * b),
    ("tanh sigmoid", lambda a, b: torch.tanh(a) + torch.sigmoid(b)),
    ("relu", lambda a, b: F.relu(a) * b),
    ("softplus", lambda a, b: F.softplus(a, beta=2.0, threshold=1.0) + F.softplus(b)),
    ("reciprocal", lambda a, b: 2 / (a * a + 1) - b),
    ("square", lambda a, b: a**2 + b),
    ("softmax", lambda a, b: F.softmax(a, dim=0) * b),
]


@pytest.mark.parametrize("name, f", OPS, ids=[o[0] for o in OPS])
def test_op_table_matches_eager_bitwise(name: str, f) -> None:
    torch.manual_seed(0)
    a = (torch.randn(7) * 3).requires_grad_()
    b = torch.randn(7).requires_grad_()

    def step() -> torch.Tensor:
        out = f(a, b).sum()
        out.backward()
        return out.detach()

    compiled = torch.compile(step)
    results = []
    for fn in (step, compiled, compiled):
        a.grad = b.grad = None
        out = fn()
        results.append([out.numpy().tobytes(), a.grad.numpy().tobytes(), b.grad.numpy().tobytes()])
    assert results[2] == results[0]
    assert _replays(compiled) == 1


def test_guards_retrace() -> None:
    seen = []

    def step(x: torch.Tensor, k: float) -> torch.Tensor:
        seen.append(1)
        return (x * k).exp()

    compiled = torch.compile(step)
    x = torch.ones(3)
    for _ in range(3):
        assert compiled(x, 2.0).tolist() == step(x, 2.0).tolist()
    traces = len(seen) - 3
    assert traces == 1  # later calls replayed (step did not run)
    cases = [
        (torch.ones(4), 2.0),  # shape
        (torch.ones(3, dtype=torch.float64), 2.0),  # dtype
        (torch.ones(3), 3.0),  # Python scalar value
    ]
    for args in cases:
        before = len(seen)
        got = compiled(*args)
        assert len(seen) == before + 1  # traced again
        assert got.tolist() == step(*args).tolist()
    before = len(seen)
    with torch.no_grad():  # grad mode is part of the guard
        compiled(x, 2.0)
    assert len(seen) == before + 1
    before = len(seen)
    r = compiled(torch.ones(3, requires_grad=True), 2.0)  # requires_grad: graph returned
    assert len(seen) == before + 1 and r.requires_grad


SCALE = 2.0


def test_python_numbers_in_globals_and_closures_are_guarded() -> None:
    global SCALE
    offset = 1.0

    def f(x: torch.Tensor) -> torch.Tensor:
        return x * SCALE + offset

    compiled = torch.compile(f)
    x = torch.ones(2)
    assert compiled(x).tolist() == [3.0, 3.0]
    assert compiled(x).tolist() == [3.0, 3.0]  # replayed
    try:
        SCALE = 5.0
        assert compiled(x).tolist() == [6.0, 6.0]
        offset = -1.0
        assert compiled(x).tolist() == [4.0, 4.0]
    finally:
        SCALE = 2.0
    assert _replays(compiled) == 3


def test_external_tensor_values_are_read_each_call() -> None:
    w = torch.tensor([1.0, 2.0])

    def f(x: torch.Tensor) -> torch.Tensor:
        return x * w

    compiled = torch.compile(f)
    x = torch.ones(2)
    assert compiled(x).tolist() == [1.0, 2.0]
    w.mul_(10)
    assert compiled(x).tolist() == [10.0, 20.0]


#: (requires grad: an operand outside the graph broadcast to the other's shape is captured,
#: the reduction of a gradient over the broadcast is not)
COLUMN = torch.ones(2, 1, requires_grad=True)


@pytest.mark.parametrize(
    "body, reason",
    [
        (lambda x: x * 2 if (x.sum().item() > 0) else x, "Tensor.item is not capturable"),
        (lambda x: torch.cumsum(x, 0), "not capturable"),
        (lambda x: x.exp().requires_grad_(), "not capturable"),
        (lambda x: x.exp() + COLUMN, "broadcasting (3,) with (2, 1)"),
    ],
)
def test_fallback_runs_eagerly_and_says_why(body, reason: str) -> None:
    compiled = torch.compile(body)
    x = torch.tensor([0.5, -1.0, 2.0])
    for _ in range(2):
        got = compiled(x)
        assert got.detach().numpy().tobytes() == body(x).detach().numpy().tobytes()
    text = compiled.explain()
    assert "runs eagerly" in text and reason in text and "test_capture.py" in text
    assert torch.explain(compiled) == text


def test_hook_and_retain_grad_fall_back() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    calls = []

    def f() -> None:
        y = x * 3
        y.retain_grad()
        y.register_hook(lambda g: calls.append(1))
        y.sum().backward()

    compiled = torch.compile(f)
    for _ in range(2):
        compiled()
    assert calls == [1, 1]
    assert x.grad.tolist() == [6.0, 6.0]
    assert "retain_grad is not capturable" in compiled.explain()


def test_errors_raise_as_eager() -> None:
    compiled = torch.compile(lambda a, b: a * b)
    with pytest.raises(RuntimeError) as got:
        compiled(torch.ones(2), torch.ones(3))
    with pytest.raises(RuntimeError) as want:
        torch.ones(2) * torch.ones(3)
    assert str(got.value) == str(want.value)


def test_leaf_grad_accumulates_like_eager() -> None:
    x = torch.tensor([0.5, 1.5], requires_grad=True)

    def f() -> None:
        (torch.sigmoid(x) * x).sum().backward()

    compiled = torch.compile(f)
    e = torch.tensor([0.5, 1.5], requires_grad=True)
    for _ in range(4):
        compiled()
        (torch.sigmoid(e) * e).sum().backward()
        assert x.grad.numpy().tobytes() == e.grad.numpy().tobytes()


def test_hook_on_a_leaf_before_the_call_falls_back() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append(1))

    def f() -> None:
        (x * 3).sum().backward()

    compiled = torch.compile(f)
    for _ in range(3):
        compiled()
    assert calls == [1, 1, 1] and x.grad.tolist() == [9.0, 9.0]
    assert "a tensor with hooks" in compiled.explain()


def test_printing_a_value_falls_back() -> None:
    seen = []

    def f(x: torch.Tensor) -> torch.Tensor:
        y = x.exp()
        seen.append(f"{y.sum():.3f}")
        return y

    compiled = torch.compile(f)
    for _ in range(2):
        compiled(torch.zeros(2))
    assert seen == ["2.000", "2.000"]  # ran both times: formatting reads the value
    assert "__format__ is not capturable" in compiled.explain()


def test_manual_update_with_grad_reads_matches_eager() -> None:
    def run(compile_it: bool) -> list:
        w = torch.tensor([0.5, -0.25], requires_grad=True)
        x = torch.tensor([1.0, 2.0])

        def step(lr: float) -> torch.Tensor:
            loss = (torch.tanh(w * x) - 0.5).sum()
            loss.backward()
            with torch.no_grad():
                w.sub_(w.grad * lr)
                w.grad.zero_()
            return loss.detach()

        fn = torch.compile(step) if compile_it else step
        out = [(fn(0.1).item(), w.detach().numpy().tobytes()) for _ in range(5)]
        if compile_it:
            assert "captured" in fn.explain() and "eagerly" not in fn.explain()
        return out

    assert run(True) == run(False)


def test_second_backward_through_a_freed_graph_raises_as_eager() -> None:
    x = torch.tensor(1.0, requires_grad=True)

    def f() -> None:
        y = x.exp()
        y.backward()
        y.backward()

    with pytest.raises(RuntimeError) as want:
        f()
    with pytest.raises(RuntimeError) as got:
        torch.compile(f)()
    assert str(got.value) == str(want.value)


def test_threads_replay_and_trace_apart() -> None:
    x = torch.linspace(-1, 1, 5)

    def f(k: float) -> torch.Tensor:
        return torch.tanh(x * k)

    compiled = torch.compile(f)
    compiled(2.0)
    results: dict[int, list] = {}
    api_before = (torch.tanh, F.relu, torch.Tensor.__mul__, torch.Tensor.tanh)

    def worker(i: int) -> None:
        results[i] = [compiled(float(i % 3 + 1)).tolist() for _ in range(50)]

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, got in results.items():
        assert got == [f(float(i % 3 + 1)).tolist()] * 50
    # traces on several threads at once must leave the API as it was (two interleaved traces
    # used to take each other's wrappers for the originals and leave them installed)
    assert (torch.tanh, F.relu, torch.Tensor.__mul__, torch.Tensor.tanh) == api_before


def test_returned_loss_is_usable_and_a_second_backward_raises() -> None:
    w = torch.tensor([0.5, -1.5], requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)

    def step() -> torch.Tensor:
        opt.zero_grad()
        loss = F.softplus(w).sum()
        loss.backward()
        opt.step()
        return loss

    compiled = torch.compile(step)
    for _ in range(3):
        loss = compiled()
    # w had no .grad, then one: zero_grad() opening the step makes either one program's
    assert _replays(compiled) == 1
    assert loss.requires_grad and loss.grad_fn.name() == "SumBackward0"
    with pytest.raises(RuntimeError) as got:
        loss.backward()
    eager = step()
    with pytest.raises(RuntimeError) as want:
        eager.backward()
    assert str(got.value) == str(want.value)


def test_a_strided_parameter_is_updated_in_place_and_no_dropped_grad_is_read() -> None:
    # a transposed leaf: its SGD write-back once went into a reshaped copy, so replays left
    # it unchanged; zero_grad() opening the step drops each .grad, so no replay reads one in
    def run(compile_it: bool) -> tuple[list, object]:
        torch.manual_seed(0)
        w = torch.randn(3, 4).t().detach().requires_grad_()
        x = torch.randn(4, 3)
        opt = torch.optim.SGD([w], lr=0.1)

        def step() -> None:
            opt.zero_grad()
            (w * x).tanh().sum().backward()
            opt.step()

        fn = torch.compile(step) if compile_it else step
        seen = []
        for _ in range(4):
            fn()
            seen.append((w.detach().numpy().tobytes(), w.grad.numpy().tobytes()))
        return seen, fn

    eager, _ = run(False)
    compiled, fn = run(True)
    assert compiled == eager
    (program,) = [p for e in fn._capture.entries.values() if type(e) is list for p in e]
    assert program.kernel is not None and not any(of_grad for *_, of_grad in program.copy_in)


def test_a_tensor_from_an_unseen_op_is_not_taken_for_an_input() -> None:
    from jitgrad.frontend.functions import exp as bound_exp  # bound before the trace: not seen

    def f(x: torch.Tensor) -> torch.Tensor:
        return bound_exp(x) * 2

    compiled = torch.compile(f)
    for v in (1.0, 2.0):
        x = torch.tensor([v])
        assert compiled(x).tolist() == f(x).tolist()
    assert "an op the trace did not see" in compiled.explain()


def test_iterating_a_vector_that_cannot_be_recorded_still_yields_its_items() -> None:
    m = torch.arange(6.0).view(2, 3)  # iterating a matrix: rows, not recorded

    def f() -> list:
        return [r * 1.0 for r in m]

    compiled = torch.compile(f)
    for _ in range(2):
        got = compiled()
        assert [r.tolist() for r in got] == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert "Tensor.__iter__" in compiled.explain()


def test_a_new_graph_costs_a_trace_not_a_compile() -> None:
    x = torch.tensor([0.25, -0.5], requires_grad=True)

    def f(depth: int) -> None:
        z = x
        for i in range(depth):
            z = torch.tanh(z) * (i + 1) if i % 2 else F.softplus(z) + x
        z.sum().backward()

    compiled = torch.compile(f)
    compiled(1)
    compiled(1)
    loop = _programs(compiled)[0].kernel  # the loop of these graphs' op codes
    before = list(loop.signatures)
    for depth in (2, 3, 5, 8):
        for _ in range(2):  # trace, then replay
            x.grad = None
            compiled(depth)
        got = x.grad.numpy().copy()
        x.grad = None
        f(depth)
        assert got.tobytes() == x.grad.numpy().tobytes()
    # one compiled loop served every graph
    assert {id(p.kernel) for p in _programs(compiled)} == {id(loop)}
    assert list(loop.signatures) == before


def _programs(compiled) -> list:
    return [p for entry in compiled._capture.entries.values() if type(entry) is not str
            for p in entry]  # fmt: skip
