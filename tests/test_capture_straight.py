"""``jitgrad.compile(fn, mode="max-autotune")``: each captured graph as straight-line source.

The straight-line kernel must replay a step bit for bit as eager and as the tape interpreter
do (values, gradients, optimizer state), in both of its forms (rows of one element as
locals, longer rows as loops over the arena), across the functions a long tape is split
into; guards must still fall back and retrace; and its generated module must be cached by
its source and survive damaged cache files. Numba compiles each graph here, so the graphs
are few and small."""

from __future__ import annotations

import warnings

import pytest

import jitgrad as torch
import jitgrad.nn.functional as F
from jitgrad.capture import straight
from jitgrad.fusion import diskcache
from jitgrad.kernels.cpu import jit
from tests.test_capture import OPS as FIRST_OPS
from tests.test_capture import _graph, _replays
from tests.test_capture_ops import OPS as MORE_OPS

STRAIGHT = "straight-line source"


def _programs(compiled) -> list:
    return [p for e in compiled._capture.entries.values() if type(e) is list for p in e]


def _three_ways(step, state, reset) -> tuple[list, object]:
    """``step`` run eagerly, under the interpreter and as straight-line source (each after a
    trace call, ``reset()`` before every call): what ``state()`` reads after the replay, per
    way, and the straight-line compiled function."""
    interp = torch.compile(step)
    fast = torch.compile(step, mode="max-autotune")
    seen = []
    for fn in (step, interp, fast):
        for _ in range(1 if fn is step else 2):  # a trace, then a replay
            reset()
            out = fn()
        seen.append([out.numpy().tobytes(), *state()])
    for fn, tier in ((interp, "tape interpreter"), (fast, STRAIGHT)):
        text = fn.explain()
        assert _replays(fn) >= 1 and tier in text and "eagerly" not in text, text
    return seen, fast


@pytest.mark.parametrize(
    "dtype, shape",
    [(torch.float32, (7,)), (torch.float64, (7,)), (torch.float32, ())],
    ids=["f32 loops", "f64 loops", "f32 locals"],
)
def test_op_table_matches_eager_and_interpreter_bitwise(dtype, shape: tuple) -> None:
    torch.manual_seed(0)
    a = (torch.randn(shape, dtype=dtype) * 3).requires_grad_()
    b = torch.randn(shape, dtype=dtype).requires_grad_()
    fs = [f for name, f in FIRST_OPS + MORE_OPS if shape or name != "softmax"]

    def step() -> torch.Tensor:
        out = sum(f(a, b).sum() for f in fs)
        out.backward()
        return out.detach()

    def reset() -> None:
        a.grad = b.grad = None

    (eager, interp, fast), _ = _three_ways(
        step, lambda: [a.grad.numpy().tobytes(), b.grad.numpy().tobytes()], reset
    )
    assert fast == eager
    assert interp == eager


def test_scalar_graph_split_into_functions_matches_eager(monkeypatch) -> None:
    # Rogozhnikov's graph of 0-d tensors (stack, softmax, unbind), in functions of 32 rows:
    # the locals one function hands the next pass through intact. Ten ops (two softmaxes,
    # 169 rows, 6 functions) check that as well as 40 did (24 functions of 16 rows), for a
    # third of the compile: Numba compiles each function (perf/RESULTS.md, run straight16)
    monkeypatch.setattr(straight, "CHUNK", 32)
    leaves = torch.linspace(-2, 3, 100).requires_grad_()

    def step() -> torch.Tensor:
        out = _graph(leaves, 10)[-5]
        out.backward()
        return out.detach()

    def reset() -> None:
        leaves.grad = None

    (eager, interp, fast), compiled = _three_ways(
        step, lambda: [leaves.grad.numpy().tobytes()], reset
    )
    assert fast == eager == interp
    (program,) = _programs(compiled)
    assert program.rows > 32 * 4 and f"{-(-program.rows // 32)} function(s)" in program.tier


def test_training_loop_with_optimizers_is_bitwise_eager() -> None:
    def run(mode: str | None, compile_it: bool) -> list:
        torch.manual_seed(4)
        w = torch.randn(5).requires_grad_()
        s = torch.tensor(0.5, requires_grad=True)
        x, y = torch.randn(5), torch.randn(5)
        opt_w = torch.optim.Adam([w], lr=0.05)
        opt_s = torch.optim.SGD([s], lr=0.1, momentum=0.9)

        def step() -> torch.Tensor:
            opt_w.zero_grad()
            opt_s.zero_grad()
            pred = torch.tanh(x * w) * s  # s broadcast: its gradient is a blocked sum
            loss = F.mse_loss(pred, y) + (F.softmax(w, dim=0) * w).sum() + pred.sum(-1).mean()
            loss.backward()
            opt_w.step()
            opt_s.step()
            return loss.detach()

        fn = torch.compile(step, mode=mode) if compile_it else step
        seen = []
        for _ in range(5):
            loss = fn()
            seen.append([loss.numpy().tobytes(), w.detach().numpy().tobytes(), s.item(),
                         *[t.numpy().tobytes() for t in opt_w.state[w].values()]])  # fmt: skip
        if compile_it:
            assert (STRAIGHT if mode else "interpreter") in fn.explain(), fn.explain()
        return seen

    eager = run(None, False)
    assert run("max-autotune", True) == eager
    assert run(None, True) == eager


def test_guard_failure_falls_back_and_retraces() -> None:
    seen = []

    def step(x: torch.Tensor, k: float) -> torch.Tensor:
        seen.append(1)
        return torch.exp(x * k) + 1

    compiled = torch.compile(step, mode="max-autotune")
    x, longer = torch.linspace(-1, 1, 3), torch.linspace(-1, 1, 4)
    calls = [(x, 2.0, True), (x, 2.0, False), (longer, 2.0, True), (x, 3.0, True),
             (x, 3.0, False), (longer, 2.0, False)]  # fmt: skip
    for t, k, traces in calls:
        before = len(seen)
        got = compiled(t, k)
        assert (len(seen) - before == 1) == traces  # the step ran: a trace
        assert got.numpy().tobytes() == step(t, k).numpy().tobytes()
    programs = _programs(compiled)
    assert len(programs) == 3 and all(STRAIGHT in p.tier for p in programs)
    # k = 2.0 and k = 3.0: the same rows, other constants: one source, one compile
    assert programs[0].kernel is programs[2].kernel


def test_uncapturable_steps_still_run_eagerly_and_say_why() -> None:
    def f(x: torch.Tensor) -> torch.Tensor:
        return x.sum(0)

    compiled = torch.compile(f, mode="max-autotune")
    x = torch.randn(3, 4)
    for _ in range(2):
        assert compiled(x).numpy().tobytes() == f(x).numpy().tobytes()
    assert "sum over dim=0" in compiled.explain()


def _program(body, shape: tuple) -> object:
    """The interpreter program ``body`` captures for an argument of ``shape``."""
    compiled = torch.compile(body)
    compiled(torch.full(shape, 0.75))
    (program,) = _programs(compiled)
    return program


def _source(program, chunk: int | None = None) -> tuple[str, str]:
    io = straight.io_ranges(program)
    return straight.source(program.ins, program.consts, io, chunk, program.arena.dtype.name)


def test_the_cache_key_changes_with_the_source(monkeypatch) -> None:
    mul = _program(lambda x: torch.exp(x * 2.0) - x, ())
    mul_other_number = _program(lambda x: torch.exp(x * 5.0) - x, ())
    add = _program(lambda x: torch.exp(x + 2.0) - x, ())
    longer = _program(lambda x: torch.exp(x * 2.0) - x * x, ())
    name, text = _source(mul)
    assert name == _source(mul_other_number)[0]  # numbers are read at run time
    names = {name, _source(add)[0], _source(longer)[0], _source(mul, chunk=1)[0]}
    assert len(names) == 4
    assert "_fm.exp" in text and "run(ins[" not in text  # one-element rows: statements
    vector = _source(_program(lambda x: torch.exp(x * 2.0) - x, (3,)))[1]
    assert "run(ins[0:3], k, a)" in vector  # longer rows: the interpreter's
    # a change to a formula module (its digest is in the source) gives a new module
    monkeypatch.setattr(straight, "_digest", lambda: "0" * 32)
    assert _source(mul)[0] not in names


def test_a_damaged_cached_module_is_recompiled(monkeypatch) -> None:
    def body(x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(x * 3.0 - 0.25) * x

    x = torch.tensor(0.75)
    want = body(x).numpy().tobytes()
    program = _program(body, ())
    kernel = straight.build(program)  # compiled, or loaded from an earlier run's cache
    path = diskcache.kernel_dir() / f"{kernel.name}.py"
    files = list(path.parent.glob(f"__pycache__/{kernel.name}*.nbc"))
    assert path.is_file() and files
    for f in files:  # flip bytes in the middle of the compiled code
        blob = bytearray(f.read_bytes())
        blob[len(blob) // 2 : len(blob) // 2 + 8] = b"\xff" * 8
        f.write_bytes(bytes(blob))
    path.write_text(path.read_text() + "\n# altered\n")
    monkeypatch.setattr(straight, "MEMORY", {})
    monkeypatch.setattr(jit, "_warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = straight.build(program)
    messages = [str(w.message) for w in caught]
    assert any("damaged kernel cache file" in m and ".py" in m for m in messages), messages
    assert again.name == kernel.name and not again.from_disk
    assert "# altered" not in path.read_text()  # rewritten from the generated source
    compiled = torch.compile(body, mode="max-autotune")
    for _ in range(2):
        assert compiled(x).numpy().tobytes() == want


def test_a_failed_compile_leaves_the_interpreter_running_the_graph(monkeypatch) -> None:
    def fail(program, chunk=None):
        raise RuntimeError("no compiler today")

    monkeypatch.setattr(straight, "build", fail)

    def f(x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(x * 2.0)

    compiled = torch.compile(f, mode="max-autotune")
    x = torch.linspace(-1, 1, 4)
    for _ in range(3):
        assert compiled(x).numpy().tobytes() == f(x).numpy().tobytes()
    text = compiled.explain()
    assert "run by the tape interpreter (straight-line source failed: no compiler today)" in text
    assert _replays(compiled) == 1


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_abs_gradient_at_signed_zero_and_nan_matches_eager(dtype) -> None:
    """abs's gradient is ``g * sign(a)`` with torch.sign's 0 at +-0 and NaN (np.sign gives -0.0
    and NaN there); the interpreter and the straight-line source must not use np.sign."""
    a = torch.tensor([float("nan"), 0.0, -0.0, 1.5, -2.0], dtype=dtype, requires_grad=True)
    b = torch.tensor([-1.0, -2.0, 3.0, 0.5, 4.0], dtype=dtype, requires_grad=True)

    def step() -> torch.Tensor:
        out = (torch.abs(a) * b).sum()
        out.backward()
        return out.detach()

    def reset() -> None:
        a.grad = b.grad = None

    seen, _ = _three_ways(step, lambda: [a.grad.numpy().tobytes(), b.grad.numpy().tobytes()],
                          reset)
    assert seen[1] == seen[0] and seen[2] == seen[0]
    assert a.grad.tolist()[:3] == [0.0, 0.0, 0.0]  # torch.sign(nan) == sign(+-0) == 0
