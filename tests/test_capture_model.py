"""Capture of model steps (issue 16 section 1): ``F.linear``, ``F.conv2d``, ``F.max_pool2d``,
``F.cross_entropy``, ``log_softmax`` and ``F.nll_loss`` replayed as host calls (eager's BLAS
products and loss kernels on the arena), so an MLP training step with SGD or Adam is one
captured program whose losses, gradients and parameters equal eager's bit for bit, step after
step; guards retrace, targets are read afresh, and what the host calls do not take runs eagerly
with ``explain()`` saying why."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import jitgrad as torch
import jitgrad.nn as nn
import jitgrad.nn.functional as F
from perf import gpt_step
from tests.test_capture_ops import _replays, replays_bitwise


def _mlp(dtype, optimizer: str, sizes=(20, 12, 5), batch=8, seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(sizes[0], sizes[1]), nn.ReLU(), nn.Linear(sizes[1], sizes[2]))
    model = model.to(dtype)
    params = list(model.parameters())
    opt = (torch.optim.SGD(params, lr=0.1, momentum=0.9) if optimizer == "sgd"
           else torch.optim.Adam(params, lr=1e-2))  # fmt: skip
    x = torch.randn(batch, sizes[0], dtype=dtype)
    t = torch.randint(0, sizes[2], (batch,))
    traced = []

    def step(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        traced.append(1)
        opt.zero_grad()
        loss = F.cross_entropy(model(x), t)
        loss.backward()
        opt.step()
        return loss.detach()

    return model, step, x, t, traced


def _state(model) -> list[bytes]:
    return [b for p in model.parameters() for b in (p.detach().numpy().tobytes(),
                                                    p.grad.numpy().tobytes())]  # fmt: skip


def _steps_match_eager(make, calls: list):
    """Two copies of a training step from ``make()``, one eager and one compiled, called
    with each argument tuple of ``calls``: every loss, gradient and parameter the same bytes,
    from one captured program."""
    eager_model, eager_step = make()
    model, step = make()
    compiled = torch.compile(step)
    for args in calls:
        assert compiled(*args).numpy().tobytes() == eager_step(*args).numpy().tobytes()
        assert _state(model) == _state(eager_model)
    assert _replays(compiled) == 1, compiled.explain()
    return compiled


@pytest.mark.parametrize(
    "dtype, optimizer",
    [(torch.float32, "sgd"), (torch.float64, "sgd"), (torch.float32, "adam")],
    ids=["f32-sgd", "f64-sgd", "f32-adam"],
)
def test_mlp_training_steps_are_bitwise_eager(dtype, optimizer: str) -> None:
    eager_model, eager_step, x, t, _ = _mlp(dtype, optimizer)
    model, step, _, _, traced = _mlp(dtype, optimizer)
    compiled = torch.compile(step)
    losses = []
    for _ in range(6):  # optimizer state made eagerly, then a trace, then four replays
        want, got = eager_step(x, t), compiled(x, t)
        assert got.numpy().tobytes() == want.numpy().tobytes()
        assert _state(model) == _state(eager_model)
        losses.append(want.item())
    assert len(traced) == 2, compiled.explain()  # the last four calls ran the tape
    assert _replays(compiled) == 1
    assert losses[-1] < losses[0]  # it trained
    text = compiled.explain()
    assert "host call(s)" in text and "segment(s)" in text


def test_targets_are_read_each_call_and_shapes_retrace() -> None:
    eager_model, eager_step, x, t, _ = _mlp(torch.float32, "sgd")
    model, step, _, _, traced = _mlp(torch.float32, "sgd")
    compiled = torch.compile(step)
    for _ in range(3):
        eager_step(x, t), compiled(x, t)
    assert len(traced) == 2
    t2 = (t + 1) % 5  # new target values, same guards: a replay
    assert compiled(x, t2).numpy().tobytes() == eager_step(x, t2).numpy().tobytes()
    assert len(traced) == 2 and _state(model) == _state(eager_model)
    x3, t3 = x[:5].contiguous(), t[:5].contiguous()  # another batch size: traced again
    assert compiled(x3, t3).numpy().tobytes() == eager_step(x3, t3).numpy().tobytes()
    assert len(traced) == 3 and _state(model) == _state(eager_model)
    assert _replays(compiled) == 2


def test_a_target_out_of_range_raises_as_eager_on_replay() -> None:
    _, step, x, t, traced = _mlp(torch.float32, "sgd")
    compiled = torch.compile(step)
    for _ in range(3):
        compiled(x, t)
    bad = t.clone()
    bad[3] = 7
    with pytest.raises(IndexError, match="Target 7 is out of bounds."):
        compiled(x, bad)
    assert len(traced) == 2  # raised by the replay's host call, not by a trace


BIAS = torch.linspace(-1, 1, 3)
TARGETS = torch.tensor([0, 2, 1, 2, 0, 1, 1])
SHARED = [
    # the weight and the input each get two gradients (the second added, as eager's engine)
    ("linear twice", lambda a, b: F.relu(F.linear(a, b)) * F.linear(a * 2, b, BIAS)),
    ("linear of a product", lambda a, b: F.linear(a * a, b, BIAS).tanh()),
    ("cross_entropy sum", lambda a, b: F.cross_entropy(F.linear(a, b, BIAS), TARGETS,
                                                       reduction="sum")),
    ("cross_entropy none, smoothing", lambda a, b: F.cross_entropy(
        F.linear(a, b), TARGETS, reduction="none", label_smoothing=0.1) * 3),
    ("cross_entropy ignore_index", lambda a, b: F.cross_entropy(
        F.linear(a, b, BIAS), TARGETS, ignore_index=1)),
    ("log_softmax nll_loss", lambda a, b: F.nll_loss(F.log_softmax(F.linear(a, b, BIAS), 1),
                                                     TARGETS)),
    ("nll_loss sum, ignore_index", lambda a, b: F.nll_loss(
        F.linear(a, b).log_softmax(-1) * 2, TARGETS, reduction="sum", ignore_index=2)),
    ("nll_loss none, log_softmax over rows", lambda a, b: F.nll_loss(
        torch.log_softmax(F.linear(a, b), 0), TARGETS, reduction="none")),
    ("log_softmax of 3-d", lambda a, b: a.view(7, 3, 2).log_softmax(1).view(7, 6)
     * F.linear(a, b).sum()),
]  # fmt: skip


CONV_BIAS = torch.linspace(-0.5, 0.5, 6)
CONV = [
    ("conv2d relu max_pool2d", lambda a, b: F.max_pool2d(F.relu(F.conv2d(a, b, CONV_BIAS,
                                                                          groups=2)), 2)),
    ("conv2d stride padding twice", lambda a, b: F.conv2d(a, b, stride=2, padding=1, groups=2)
     * F.conv2d(a * 2, b, CONV_BIAS, stride=2, padding=1, groups=2)),
    ("max_pool2d padding stride, 3-d", lambda a, b: F.max_pool2d(a.view(8, 7, 7) * 3, 3, 2, 1)
     * F.conv2d(a, b, groups=2).sum()),
]  # fmt: skip


def _gates(i, f, g, o):
    return o.sigmoid() * (f.sigmoid() * o + i.sigmoid() * g.tanh()).tanh()


LAYOUT = [
    # an LSTM cell's gates: chunks of a linear's output, each with its own gradient
    ("chunk of linear, LSTM gates", lambda a, b: _gates(*F.linear(a, b.t()).chunk(4, -1))),
    ("chunk, one piece used", lambda a, b: a.chunk(2, -1)[1] * 3 + b[:4]),
    ("transpose", lambda a, b: a.transpose(0, 1).tanh() * b),
    ("split sizes of t()", lambda a, b: (lambda p, q: p.exp() * q)(*b.t().split([2, 2], 0))
     * a[:2]),
    ("basic indexing", lambda a, b: a[:, -1] * a[1:3, ::2].sum() + b[None, -1][0]),
    ("permute of a view", lambda a, b: a.view(2, 2, 8).permute(2, 0, 1).tanh().sum() * b),
    ("matmul of matrices", lambda a, b: (a @ b).tanh() @ (b.t() * 2) + a),
    ("matmul of a batch by a matrix", lambda a, b: a.view(2, 2, 8) @ b),
    # attention's shape: a strided reshape (a copy), q @ k^T of equal batches, softmax of 3-d
    ("attention", lambda a, b: F.softmax(a.view(2, 2, 8) @ b.t().reshape(2, 2, 8)
                                         .transpose(-2, -1) / 4.0, dim=-1) @ a.view(2, 2, 8)),
    ("softmax of a matrix along dim 0", lambda a, b: a.softmax(0) * b.t()),
    ("layer_norm", lambda a, b: F.layer_norm(a, (8,), b[:, 0], b[:, 1]).tanh() @ b),
    ("layer_norm without affine, of 3-d", lambda a, b: F.layer_norm(a * 3, 8)
     * F.layer_norm(a.view(2, 2, 8), (8,), b[:, 2]).view(4, 8) + b.t()),
]  # fmt: skip


FORMS = (
    [(n, f, (7, 6), (3, 6)) for n, f in SHARED]
    + [(n, f, (2, 4, 7, 7), (6, 2, 3, 3)) for n, f in CONV]
    + [(n, f, (4, 8), (8, 4)) for n, f in LAYOUT]
)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name, f, a_shape, b_shape", FORMS, ids=[c[0] for c in FORMS])
def test_host_call_forms_match_eager_bitwise(name: str, f, a_shape, b_shape, dtype) -> None:
    global BIAS, CONV_BIAS
    torch.manual_seed(1)
    BIAS = torch.linspace(-1, 1, 3, dtype=dtype)
    CONV_BIAS = torch.linspace(-0.5, 0.5, 6, dtype=dtype)
    a = torch.randn(*a_shape, dtype=dtype).requires_grad_()
    b = torch.randn(*b_shape, dtype=dtype).requires_grad_()
    compiled = replays_bitwise(f, a, b)
    assert "host call(s)" in compiled.explain()


TWO = torch.tensor([0, 1])
PROBS = torch.tensor([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
CLASS_WEIGHTS = torch.ones(3)


@pytest.mark.parametrize(
    "body, reason",
    [
        (lambda x, w: F.cross_entropy(F.linear(x, w), TWO, CLASS_WEIGHTS), "class weights"),
        (lambda x, w: F.linear(x[0], w).sum(), "vector input"),
        (lambda x, w: F.cross_entropy(F.linear(x, w), PROBS), "class-index targets"),
    ],
    ids=["weight", "vector input", "probabilities"],
)
def test_what_host_calls_do_not_take_runs_eagerly_and_says_why(body, reason: str) -> None:
    compiled = torch.compile(body)
    x = torch.randn(2, 4)
    w = torch.randn(3, 4, requires_grad=True)
    for _ in range(2):
        assert compiled(x, w).detach().numpy().tobytes() == body(x, w).detach().numpy().tobytes()
    text = compiled.explain()
    assert "runs eagerly" in text and reason in text, text


def test_matmul_into_an_arena_view_rounds_as_a_fresh_product() -> None:
    """What the host calls rely on: ``np.matmul(..., out=view)`` on operands at any offset of
    a flat array gives the bytes of eager's ``np.matmul`` of fresh arrays."""
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        a, w = (
            rng.standard_normal((37, 29)).astype(dtype),
            rng.standard_normal((11, 29)).astype(dtype),
        )
        arena = np.zeros(1 + a.size + w.size + 37 * 11, dtype)
        av = arena[1 : 1 + a.size].reshape(a.shape)
        wv = arena[1 + a.size : 1 + a.size + w.size].reshape(w.shape)
        av[...], wv[...] = a, w
        out = arena[1 + a.size + w.size :].reshape(37, 11)
        np.matmul(av, wv.T, out=out)
        assert out.tobytes() == np.matmul(a, w.T).tobytes()


def test_cnn_training_steps_are_bitwise_eager() -> None:
    def make():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(4 * 3 * 3, 10))  # fmt: skip
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)

        def step(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
            opt.zero_grad()
            loss = F.cross_entropy(model(x), t)
            loss.backward()
            opt.step()
            return loss.detach()

        return model, step

    x, t = torch.randn(8, 1, 8, 8), torch.randint(0, 10, (8,))
    _steps_match_eager(make, [(x, t)] * 5)


def test_max_autotune_keeps_a_program_with_host_calls_on_the_interpreter() -> None:
    torch.manual_seed(3)
    a = torch.randn(7, 6).requires_grad_()
    b = torch.randn(3, 6).requires_grad_()
    compiled = replays_bitwise(lambda a, b: F.linear(a, b).tanh(), a, b, mode="max-autotune")
    assert "straight-line source does not take host calls" in compiled.explain()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_lstm_training_steps_are_bitwise_eager(dtype) -> None:
    """``nn.LSTM``'s recurrence (``transpose``, ``F.linear`` of a 3-d input, ``unbind``,
    ``chunk`` into gates, ``stack``, the zero state, the float32 renaming node) and the last
    step's output picked by ``out[:, -1]``: one captured program."""

    def make():
        torch.manual_seed(0)
        rnn, head = nn.LSTM(4, 8, batch_first=True).to(dtype), nn.Linear(8, 1).to(dtype)
        model = nn.ModuleList([rnn, head])
        # (float64: Adam's step count stays float32, the default dtype, beside the parameters)
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)

        def step(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
            opt.zero_grad()
            out, _ = rnn(x)
            loss = F.mse_loss(head(out[:, -1]), t)
            loss.backward()
            opt.step()
            return loss.detach()

        return model, step

    x, t = torch.randn(3, 5, 4, dtype=dtype), torch.randn(3, 1, dtype=dtype)
    compiled = _steps_match_eager(make, [(x, t)] * 5)
    assert "host call(s)" in compiled.explain()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_embedding_language_model_steps_are_bitwise_eager(dtype) -> None:
    """Token lookup (repeated tokens and a padding row: the scatter-add's order), layer_norm
    (its weight's and bias's gradients), attention's ``q @ k^T`` and softmax, ``view`` of the
    int64 targets: losses, gradients and parameters equal eager's; new token values replay,
    an out-of-range token raises as eager."""

    def make():
        torch.manual_seed(0)
        emb, out = nn.Embedding(7, 6, padding_idx=0).to(dtype), nn.Linear(6, 7).to(dtype)
        ln = nn.LayerNorm(6).to(dtype)
        model = nn.ModuleList([emb, ln, out])
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

        def step(idx: torch.Tensor, tgt: torch.Tensor) -> torch.Tensor:
            opt.zero_grad()
            h = emb(idx)
            a = ln(h)
            h = h + F.softmax(a @ a.transpose(-2, -1) / 2.0, dim=-1) @ a
            loss = F.cross_entropy(out(h).view(-1, 7), tgt.view(-1))
            loss.backward()
            opt.step()
            return loss.detach()

        return model, step

    idx = torch.tensor([[1, 2, 2, 0], [3, 1, 6, 1]])
    tgt = torch.tensor([[2, 2, 0, 1], [5, 6, 1, 3]])
    # the last call's new token values: a replay, no retrace
    compiled = _steps_match_eager(make, [(idx, tgt)] * 4 + [((idx + 1) % 7, tgt)])
    with pytest.raises(IndexError, match="index out of range in self"):
        compiled(idx + 7, tgt)


def test_dropout_is_captured_in_eval_and_train_traces_again() -> None:
    """``nn.Dropout`` in eval mode is its input: the step is captured with the module's
    ``training`` flag guarded; ``model.train()`` traces again (a second program, whose
    mask is drawn at each run as eager draws it); ``model.eval()`` replays the first."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 5), nn.Dropout(0.5), nn.Linear(5, 3))
    traced = []

    def step(x: torch.Tensor) -> torch.Tensor:
        traced.append(1)
        return model(x).sum().detach()

    compiled = torch.compile(step)
    x = torch.randn(4, 6)
    model.eval()
    for _ in range(3):
        assert compiled(x).numpy().tobytes() == step(x).numpy().tobytes()
    assert len(traced) == 3 + 1 and _replays(compiled) == 1  # (3 eager calls, one trace)
    model.train()
    torch.manual_seed(5)
    got = compiled(x)
    torch.manual_seed(5)
    assert got.numpy().tobytes() == step(x).numpy().tobytes()  # eager's own draw
    assert compiled.explain().count("captured:") == 2, compiled.explain()
    model.eval()
    before = len(traced)
    assert compiled(x).numpy().tobytes() == step(x).numpy().tobytes()
    assert len(traced) == before + 1  # the eager call only: the compiled one replayed


def _gpt_step(dtype, flash: bool, p: float = 0.1, clip: float = 1.0):
    """A nanoGPT-style training step: AdamW with weight decay, a cosine LR schedule stepped
    inside the step, ``clip_grad_norm_`` of ``model.parameters()`` (a generator)."""
    torch.manual_seed(0)
    # (one pre-norm block: causal attention, dropout in three places, a GELU MLP)
    model = gpt_step.model(torch, 11, 8, 2, 5, 1, p, flash).to(dtype)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-2, betas=(0.9, 0.95), weight_decay=0.1)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)

    def step(idx: torch.Tensor, pos: torch.Tensor, tgt: torch.Tensor) -> torch.Tensor:
        opt.zero_grad(set_to_none=True)
        logits = model(idx, pos)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        sched.step()
        return loss.detach(), norm

    return model, step, opt


@pytest.mark.parametrize("flash", [False, True], ids=["masked_fill", "sdpa"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
def test_gpt_training_steps_with_dropout_clip_adamw_schedule_are_bitwise_eager(dtype,
                                                                                flash) -> None:
    """Dropout masks drawn at each replay from the default generator (the same stream as
    eager: the masks, the losses and the generator's next draw equal), the clipped norm and
    gradients, AdamW's decoupled decay with a float32 step count beside float64 parameters,
    and the scheduler's learning rate read afresh each step: one program, no retrace. The
    attention either by hand (``masked_fill`` of a causal mask) or by
    ``F.scaled_dot_product_attention(..., is_causal=True, dropout_p=...)``."""
    idx = torch.tensor([[1, 2, 2, 0, 7], [3, 1, 6, 1, 10]])
    pos = torch.arange(5).expand(2, 5).contiguous()
    tgt = torch.tensor([[2, 2, 0, 1, 4], [5, 6, 1, 3, 9]])
    eager_model, eager_step, eager_opt = _gpt_step(dtype, flash)
    model, step, opt = _gpt_step(dtype, flash)
    compiled = torch.compile(step)
    torch.manual_seed(1)
    want = [(*(r.numpy().tobytes() for r in eager_step(idx, pos, tgt)), _state(eager_model),
             eager_opt.param_groups[0]["lr"]) for _ in range(6)]  # fmt: skip
    after_eager = torch.rand(3).numpy().tobytes()
    torch.manual_seed(1)
    got = [(*(r.numpy().tobytes() for r in compiled(idx, pos, tgt)), _state(model),
            opt.param_groups[0]["lr"]) for _ in range(6)]  # fmt: skip
    assert torch.rand(3).numpy().tobytes() == after_eager  # the stream advanced as eager's
    assert got == want
    assert len({w[0] for w in want}) == 6 and len({w[3] for w in want}) == 6  # lr changed
    assert _replays(compiled) == 1 and "eagerly" not in compiled.explain(), compiled.explain()


def test_census_transformer_step_is_captured_and_bitwise_eager() -> None:
    """perf/capture_census.py's transformer step (dropout in training, clip_grad_norm_,
    AdamW): captured whole; over six steps its losses and parameters equal eager's."""
    from perf.capture_census import transformer  # (perf/ is the census; imported for its step)

    runs = []
    for compile_it in (False, True):
        step, _ = transformer()  # (seeds the generator itself)
        fn = torch.compile(step) if compile_it else step
        runs.append([fn().numpy().tobytes() for _ in range(6)] + [torch.rand(2).numpy().tobytes()])
    assert runs[0] == runs[1]
    assert _replays(fn) == 1 and "eagerly" not in fn.explain(), fn.explain()


def test_dropout_in_training_replays_with_a_fresh_mask_each_call() -> None:
    """``F.dropout`` in training: each replay draws a new mask (two calls differ), a
    ``manual_seed`` between calls gives eager's mask again, ``model.eval()`` traces again
    (the module's flag is guarded) and ``p`` changed on the module traces again."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 5), nn.Dropout(0.5), nn.Linear(5, 3))
    x = torch.randn(4, 6, requires_grad=True)

    def step(x: torch.Tensor) -> torch.Tensor:
        x.grad = None
        loss = model(x).square().sum()
        loss.backward()
        return loss.detach()

    compiled = torch.compile(step)
    outs = []
    for i in range(4):
        for fn in (step, compiled):
            torch.manual_seed(10 + i)
            outs.append((fn(x).numpy().tobytes(), x.grad.numpy().tobytes()))
    assert outs[0::2] == outs[1::2] and len(set(outs)) == 4
    first = compiled(x).numpy().tobytes()
    assert compiled(x).numpy().tobytes() != first  # a fresh mask per replay
    assert _replays(compiled) == 1
    model.eval()
    assert compiled(x).numpy().tobytes() == step(x).numpy().tobytes()
    model.train()
    model[1].p = 0.25
    torch.manual_seed(3)
    got = compiled(x).numpy().tobytes()
    torch.manual_seed(3)
    assert got == step(x).numpy().tobytes()
    assert _replays(compiled) == 3, compiled.explain()


def test_clip_grad_norm_nonfinite_error_is_raised_by_the_replay() -> None:
    """``clip_grad_norm_(..., error_if_nonfinite=True)`` of a list: finite steps return
    eager's norm and leave eager's clipped gradient; a replay whose gradient is inf raises
    eager's RuntimeError."""

    def make():
        w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)

        def step(x: torch.Tensor) -> torch.Tensor:
            w.grad = None
            (w * x).sum().backward()
            return torch.nn.utils.clip_grad_norm_([w], 0.5, error_if_nonfinite=True)

        return w, step

    (w_e, eager), (w, step) = make(), make()
    compiled = torch.compile(step)
    for scale in (1.0, 1.0, 1.0, 0.25, 1e-3):  # the last one is not clipped (norm < 0.5)
        x = torch.tensor([3.0, -4.0, 12.0]) * scale
        assert compiled(x).numpy().tobytes() == eager(x).numpy().tobytes()
        assert w.grad.numpy().tobytes() == w_e.grad.numpy().tobytes()
    assert _replays(compiled) == 1  # (w.grad = None before w is read: either .grad holds)
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        compiled(torch.tensor([float("inf"), 0.0, 0.0]))


@pytest.mark.parametrize("mode", [None, "max-autotune"], ids=["interpreter", "straight"])
def test_learning_rate_changed_between_steps_is_read_at_each_replay(mode) -> None:
    """A scheduler stepped outside the compiled step (and a hand-set ``group["lr"]``): the
    interpreter's program reads the rate at each run (one program); straight-line source,
    which dedups its constants, guards it instead (a program per rate). Values: eager's."""

    def run(compile_it: bool) -> tuple[list, Any]:
        torch.manual_seed(0)
        w, b = torch.randn(6, dtype=torch.float64, requires_grad=True), torch.zeros(6).double()
        b.requires_grad_()
        opt = torch.optim.SGD([w, b], lr=0.1, momentum=0.9)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        x = torch.randn(6, dtype=torch.float64)

        def step() -> torch.Tensor:
            opt.zero_grad()
            loss = (torch.tanh(x * w) + b - 0.5).square().mean()
            loss.backward()
            opt.step()
            return loss.detach()

        fn = torch.compile(step, mode=mode) if compile_it else step
        seen = []
        for i in range(7):
            seen.append((fn().numpy().tobytes(), w.detach().numpy().tobytes(),
                         b.detach().numpy().tobytes()))  # fmt: skip
            sched.step()
            if i == 4:
                opt.param_groups[0]["lr"] = 0.3
        return seen, fn

    eager, _ = run(False)
    got, fn = run(True)
    assert got == eager
    if mode is None:
        assert _replays(fn) == 1, fn.explain()
    else:  # a program per learning rate (one source, compiled once)
        assert _replays(fn) > 2 and "straight-line" in fn.explain(), fn.explain()


def test_scheduler_made_in_the_step_runs_eagerly_and_says_why() -> None:
    """A scheduler constructed inside the step steps itself once in its constructor: that
    is not a replayable ``step()`` of a scheduler from outside, so the call runs eagerly."""
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)

    def step() -> None:
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
        torch.optim.lr_scheduler.StepLR(opt, 1)

    compiled = torch.compile(step)
    for _ in range(3):
        compiled()
    assert "a learning-rate scheduler made during the step" in compiled.explain()
