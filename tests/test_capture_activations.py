"""Capture of ``nn.functional``'s elementwise activations (issue 16 section 1: F.gelu ran
eagerly and split every transformer-style step) and of reshapes of contiguous data. Each
replay equals eager bit for bit, in float32 and float64, values and both inputs' gradients;
``inplace=True``, tensor parameters and in-place ops on views still run eagerly and
``explain()`` says why."""

from __future__ import annotations

import pytest

import jitgrad as torch
import jitgrad.nn.functional as F
from tests.test_capture_ops import replays_bitwise

ACTIVATIONS = [
    ("gelu", lambda a, b: F.gelu(a) * b + F.gelu(b, approximate="none")),
    ("gelu tanh", lambda a, b: F.gelu(a, approximate="tanh") * b + F.gelu(a * b, "tanh")),
    ("silu mish", lambda a, b: F.silu(a) * b + F.mish(a + b)),
    ("logsigmoid", lambda a, b: F.logsigmoid(a) + F.logsigmoid(b * 30)),
    ("leaky_relu", lambda a, b: F.leaky_relu(a) * b + F.leaky_relu(b, 0.2)
     + F.leaky_relu(a, negative_slope=0.3, inplace=False)),
    ("elu family", lambda a, b: F.elu(a) + F.elu(b, 0.7) + F.celu(a, 1.3) * b + F.selu(a * b)),
    ("hardtanh relu6", lambda a, b: F.hardtanh(a) * b + F.hardtanh(b, -0.5, 0.25)
     + F.relu6(a * 2)),
]  # fmt: skip


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name, f", ACTIVATIONS, ids=[o[0] for o in ACTIVATIONS])
def test_activations_match_eager_bitwise(name: str, f, dtype) -> None:
    torch.manual_seed(0)
    a = (torch.randn(33, dtype=dtype) * 3).requires_grad_()
    b = torch.randn(33, dtype=dtype).requires_grad_()
    replays_bitwise(f, a, b)


RESHAPES = [
    ("view reshape", lambda a, b: (a.view(3, 11) * b.reshape(3, 11)).reshape(33) + a.view(-1)),
    ("flatten unsqueeze", lambda a, b: torch.flatten(a.view(11, 3)) * b.unsqueeze(0).flatten()
     + torch.reshape(b, (3, 11)).flatten(0) + torch.unsqueeze(a, 1).view(33)),
]  # fmt: skip


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name, f", RESHAPES, ids=[o[0] for o in RESHAPES])
def test_reshapes_match_eager_bitwise(name: str, f, dtype) -> None:
    torch.manual_seed(2)
    a = torch.randn(33, dtype=dtype).requires_grad_()
    b = torch.randn(33, dtype=dtype).requires_grad_()
    replays_bitwise(f, a, b)


def test_an_inplace_op_on_a_captured_view_runs_eagerly() -> None:
    def body(x):
        v = (x * 2).view(2, 2)
        v.add_(1)
        return v

    compiled = torch.compile(body)
    x = torch.tensor([0.5, 1.0, 2.0, 3.0])
    for _ in range(2):
        assert compiled(x).numpy().tobytes() == body(x).numpy().tobytes()
    assert "runs eagerly" in compiled.explain()


def test_gelu_in_a_training_step_is_captured() -> None:
    """A two-layer scalar-weight step with GELU between (the census's first split): the
    replayed SGD trajectory is eager's."""
    torch.manual_seed(1)
    x = torch.randn(16)
    t = torch.randn(16)

    def make():
        w1 = torch.tensor(0.7, requires_grad=True)
        w2 = torch.tensor(-0.4, requires_grad=True)
        return w1, w2, torch.optim.SGD([w1, w2], lr=0.1, momentum=0.9)

    def step(w1, w2, opt):
        opt.zero_grad()
        loss = ((F.gelu(x * w1, approximate="tanh") * w2 - t) ** 2).mean()
        loss.backward()
        opt.step()
        return loss.detach()

    eager, cap = make(), make()
    compiled = torch.compile(step)
    for _ in range(5):
        assert step(*eager).numpy().tobytes() == compiled(*cap).numpy().tobytes()
    assert [p.detach().numpy().tobytes() for p in eager[:2]] == [
        p.detach().numpy().tobytes() for p in cap[:2]
    ]
    assert "captured" in compiled.explain() and "runs eagerly" not in compiled.explain()


def test_inplace_activation_runs_eagerly_and_says_why() -> None:
    def body(x):
        return F.elu(x * 1, 1.0, True)

    compiled = torch.compile(body)
    x = torch.tensor([-0.5, 1.0, 2.0])
    for _ in range(2):
        assert compiled(x).numpy().tobytes() == body(x).numpy().tobytes()
    assert "elu with inplace=True" in compiled.explain()
