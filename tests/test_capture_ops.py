"""Capture of the ops a small training loop uses beyond the first set: reversed number
operands, ``alpha=``, powers, and the common unary and binary math. Each replay must equal
eager bit for bit, in float32 and float64, values and gradients."""

from __future__ import annotations

import pytest

import jitgrad as torch
import jitgrad.nn.functional as F
from jitgrad.capture import interp
from tests.test_capture import _replays

OPS = [
    ("rsub", lambda a, b: 2 - a * b + (1.5 - b)),
    ("alpha", lambda a, b: torch.add(a, b, alpha=0.3) + torch.sub(b, a, alpha=2)
     + a.add(b, alpha=-1.5) + a.sub(b)),
    ("powers", lambda a, b: 2**b + a**3 + (a * a + 1) ** 0.5 + (a * a + 1) ** -1.5 + b.pow(2)),
    ("pow functions", lambda a, b: torch.square(a) + torch.pow(a, 3) + torch.pow(2.0, b)),
    ("sqrt abs rsqrt", lambda a, b: torch.sqrt(a * a + 1) + torch.abs(a) * b
     + torch.rsqrt(b * b + 2) + abs(b)),
    ("sin cos", lambda a, b: torch.sin(a) * torch.cos(b) + a.sin()),
    ("log1p expm1", lambda a, b: torch.log1p(a * a) + torch.expm1(b)),
    ("clamp", lambda a, b: torch.clamp(a, -1, 1) * b + a.clamp(min=0.5) + b.clamp(max=0.0)
     + torch.clip(b, -0.5, 0.5)),
    ("maximum minimum", lambda a, b: torch.maximum(a, b) + torch.minimum(a * 2, b)
     + torch.maximum(a, a) + a.minimum(a)),
]  # fmt: skip


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name, f", OPS, ids=[o[0] for o in OPS])
def test_ops_match_eager_bitwise(name: str, f, dtype) -> None:
    torch.manual_seed(0)
    a = (torch.randn(7, dtype=dtype) * 3).requires_grad_()
    b = torch.randn(7, dtype=dtype).requires_grad_()
    replays_bitwise(f, a, b)


def replays_bitwise(f, a: torch.Tensor, b: torch.Tensor, mode: str | None = None):
    """``f(a, b).sum().backward()`` eagerly, then compiled twice (trace, replay): the
    replay's value and gradients must be eager's bytes, from one captured program."""

    def step() -> torch.Tensor:
        out = f(a, b).sum()
        out.backward()
        return out.detach()

    compiled = torch.compile(step, mode=mode)
    results = []
    for fn in (step, compiled, compiled):
        a.grad = b.grad = None
        out = fn()
        results.append([out.numpy().tobytes(), a.grad.numpy().tobytes(), b.grad.numpy().tobytes()])
    assert results[2] == results[0]
    assert _replays(compiled) == 1, compiled.explain()
    return compiled


def test_op_code_constants_follow_the_op_list() -> None:
    for i, name in enumerate(interp.OPS):
        assert getattr(interp, name.upper()) == i == interp.CODE[name]


@pytest.mark.parametrize(
    "body, reason",
    [
        (lambda x: x ** (x + 1), "only a number exponent"),
        (lambda x: torch.clamp(x, x - 1, x + 1), "clamp with tensor bounds"),
        (lambda x: torch.add(x, 2, alpha=3), "alpha=3"),
    ],
)
def test_uncapturable_forms_run_eagerly_and_say_why(body, reason: str) -> None:
    compiled = torch.compile(body)
    x = torch.tensor([0.5, 1.0, 2.0])
    for _ in range(2):
        assert compiled(x).numpy().tobytes() == body(x).numpy().tobytes()
    text = compiled.explain()
    assert "runs eagerly" in text and reason in text


BROADCASTS = [
    ("linear regression", lambda w, b, x: ((w * x + b - x * 0.5) ** 2).sum()),
    ("scalar on the left", lambda w, b, x: (w - x).sum() + (x / w).sum()
     + torch.maximum(x, b).sum()),
    ("two uses in one group", lambda w, b, x: (torch.tanh(x * w) * b).sum()
     + (b / (x * x + 1)).sum()),
]  # fmt: skip


@pytest.mark.parametrize("fuse", [True, False], ids=["fused", "unfused"])
@pytest.mark.parametrize("n", [7, 9000])  # 9000: three blocks of the blocked sum
@pytest.mark.parametrize("name, f", BROADCASTS, ids=[o[0] for o in BROADCASTS])
def test_one_element_operands_broadcast_bitwise(name: str, f, n: int, fuse: bool) -> None:
    # w (0-d) and b (shape (1,)) are spread over x: their gradients are sums over x's
    # positions, which the replay must add up as the eager backward kernels do
    torch.manual_seed(0)
    w = torch.tensor(0.7, requires_grad=True)
    b = torch.tensor([-0.2], requires_grad=True)
    x = torch.randn(n)

    def step() -> torch.Tensor:
        out = f(w, b, x)
        out.backward()
        return out.detach()

    compiled = torch.compile(step)
    torch.fusion(fuse)
    try:
        results = []
        for fn in (step, compiled, compiled):
            w.grad = b.grad = None
            out = fn()
            results.append([t.numpy().tobytes() for t in (out, w.grad, b.grad)])
    finally:
        torch.fusion(True)
    assert results[2] == results[0]
    assert _replays(compiled) == 1, compiled.explain()


def test_other_broadcasting_runs_eagerly_and_says_why() -> None:
    """Operands outside the graph broadcast both ways are copied broadcast (captured); one
    that requires grad (its gradient summed over the broadcast) runs eagerly."""

    def f(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return x * y

    compiled = torch.compile(f)
    x, y = torch.randn(3, 1), torch.randn(4)
    for _ in range(3):
        assert compiled(x, y).numpy().tobytes() == f(x, y).numpy().tobytes()
    assert "captured:" in compiled.explain() and "runs eagerly" not in compiled.explain()
    compiled = torch.compile(f)
    y.requires_grad_()
    for _ in range(2):
        assert compiled(x, y).detach().numpy().tobytes() == f(x, y).detach().numpy().tobytes()
    assert "broadcasting (3, 1) with (4,)" in compiled.explain()


REDUCTIONS = [
    ("mean", lambda a, b: ((a - b) ** 2).mean()),
    ("mean over the last dim", lambda a, b: (torch.mean(a * b, -1) * 2).sum()
     + (a * b).mean(dim=-1, keepdim=True).sum()),
    ("sum over the last dim", lambda a, b: (a * b).sum(dim=-1).sum() + a.sum((-1,)).sum()),
]  # fmt: skip


@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3000)], ids=str)
@pytest.mark.parametrize("name, f", REDUCTIONS, ids=[o[0] for o in REDUCTIONS])
def test_sums_and_means_match_eager_bitwise(name: str, f, shape: tuple) -> None:
    torch.manual_seed(0)
    a = torch.randn(*shape, requires_grad=True)
    b = torch.randn(*shape, requires_grad=True)

    def step() -> torch.Tensor:
        out = f(a, b)
        out.backward()
        return out.detach()

    compiled = torch.compile(step)
    results = []
    for fn in (step, compiled, compiled):
        a.grad = b.grad = None
        out = fn()
        results.append([t.numpy().tobytes() for t in (out, a.grad, b.grad)])
    assert results[2] == results[0]
    assert _replays(compiled) == 1, compiled.explain()


def test_a_sum_over_another_dim_runs_eagerly_and_says_why() -> None:
    def f(x: torch.Tensor) -> torch.Tensor:
        return x.sum(0)

    compiled = torch.compile(f)
    x = torch.randn(3, 4)
    for _ in range(2):
        assert compiled(x).numpy().tobytes() == f(x).numpy().tobytes()
    assert "sum over dim=0 (capture sums all or the last dim)" in compiled.explain()


OPTIMIZERS = [
    ("sgd momentum", lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9)),
    ("sgd dampening decay", lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9,
                                                       dampening=0.1, weight_decay=0.01)),
    ("sgd nesterov maximize", lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.5,
                                                         nesterov=True, maximize=True)),
    ("sgd decay only", lambda ps: torch.optim.SGD(ps, lr=0.1, weight_decay=0.1)),
    ("adam", lambda ps: torch.optim.Adam(ps, lr=0.01)),
    ("adam decay maximize", lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99),
                                                        weight_decay=0.1, maximize=True)),
    ("adamw", lambda ps: torch.optim.AdamW(ps, lr=0.02)),
]  # fmt: skip


def _train(make_opt, compile_it: bool, steps: int = 6) -> tuple[list, list]:
    torch.manual_seed(1)
    w = torch.randn(6).requires_grad_()
    v = torch.randn(6).requires_grad_()
    x = torch.randn(6)
    opt = make_opt([w, v])

    def step() -> torch.Tensor:
        opt.zero_grad()
        loss = ((w * x + v) ** 2).sum() + torch.tanh(w * v).sum()
        loss.backward()
        opt.step()
        return loss.detach()

    fn = torch.compile(step) if compile_it else step
    seen = []
    for _ in range(steps):
        loss = fn()
        state = [t.numpy().tobytes() for p in (w, v) for t in opt.state[p].values()]
        seen.append([loss.numpy().tobytes(), w.detach().numpy().tobytes(),
                     v.detach().numpy().tobytes(), w.grad.numpy().tobytes(), state])  # fmt: skip
    return seen, [fn]


@pytest.mark.parametrize("name, make_opt", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_optimizer_trajectories_are_bitwise_eager(name: str, make_opt) -> None:
    eager, _ = _train(make_opt, False)
    compiled, (fn,) = _train(make_opt, True)
    assert compiled == eager
    assert eager[-1][1] != eager[0][1]  # it moved
    text = fn.explain()
    assert "captured" in text and "eagerly" not in text, text
    # stateless: the first call (no .grad yet) keeps the program the next calls (with one)
    # replay, as zero_grad() opens the step; with state, the first call (which creates it)
    # is traced but not kept
    assert _replays(fn) == 1


def test_amsgrad_runs_eagerly_and_says_why() -> None:
    def make(ps):
        return torch.optim.Adam(ps, lr=0.01, amsgrad=True)

    eager, _ = _train(make, False, 3)
    compiled, (fn,) = _train(make, True, 3)
    assert compiled == eager
    assert "amsgrad=True" in fn.explain()


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_mse_loss_matches_eager_bitwise(reduction: str) -> None:
    torch.manual_seed(0)
    a = torch.randn(3, 5, requires_grad=True)
    b = torch.randn(3, 5, requires_grad=True)

    def step() -> torch.Tensor:
        out = F.mse_loss(torch.tanh(a), b, reduction=reduction)
        out.backward()
        return out.detach()

    compiled = torch.compile(step)
    results = []
    for fn in (step, compiled, compiled):
        a.grad = b.grad = None
        out = fn()
        results.append([t.numpy().tobytes() for t in (out, a.grad, b.grad)])
    assert results[2] == results[0]
    assert _replays(compiled) == 1, compiled.explain()


def test_scalar_linear_regression_training_loop_is_bitwise_eager() -> None:
    # the loop a tutorial writes: 0-d weight and bias broadcast over the data, mse_loss,
    # SGD with momentum; every step after the state exists is one replay
    def run(compile_it: bool) -> tuple[list, str]:
        torch.manual_seed(3)
        x = torch.randn(32)
        y = 3 * x - 0.5 + 0.1 * torch.randn(32)
        w = torch.zeros((), requires_grad=True)
        b = torch.zeros((), requires_grad=True)
        opt = torch.optim.SGD([w, b], lr=0.05, momentum=0.9)

        def step() -> torch.Tensor:
            opt.zero_grad()
            loss = F.mse_loss(w * x + b, y)
            loss.backward()
            opt.step()
            return loss.detach()

        fn = torch.compile(step) if compile_it else step
        seen = [(fn().numpy().tobytes(), w.item(), b.item()) for _ in range(30)]
        return seen, fn.explain() if compile_it else ""

    (eager, _), (compiled, text) = run(False), run(True)
    assert compiled == eager
    assert abs(eager[-1][1] - 3) < 0.2  # it learned the slope
    assert "captured" in text and "eagerly" not in text, text


def test_changed_hyper_parameters_and_replaced_state_trace_again() -> None:
    def run(compile_it: bool) -> list:
        torch.manual_seed(2)
        w = torch.randn(4, requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)

        def step() -> None:
            opt.zero_grad()
            (w * w).sum().backward()
            opt.step()

        fn = torch.compile(step) if compile_it else step
        seen = []
        for i in range(8):
            if i == 3:
                opt.param_groups[0]["momentum"] = 0.5
            if i == 5:
                opt.param_groups[0]["lr"] = 0.01
                opt.state[w] = {}  # state dropped: the next step creates it again
            fn()
            seen.append(w.detach().numpy().tobytes())
        return seen

    assert run(True) == run(False)
