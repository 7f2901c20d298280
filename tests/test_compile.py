"""``torch.compile`` as programs use it: the wrapper PyTorch 2.13 returns, its checks and
messages, and results bitwise equal to the eager run of the same program.

The expected names, keys, reprs and messages were read off PyTorch 2.13.0 (CPU)."""

from __future__ import annotations

import copy
import inspect
import logging

import numpy as np
import pytest

import jitgrad as torch
import jitgrad._dynamo
import jitgrad.nn as nn
import jitgrad.nn.functional as F
from jitgrad import helpers


def _model(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))


def test_signature_is_pytorchs() -> None:
    params = inspect.signature(torch.compile).parameters
    assert list(params) == [
        "model", "fullgraph", "dynamic", "backend", "mode", "options", "name", "disable",
        "recompile_limit", "isolate_recompiles", "shapes_spec",
    ]  # fmt: skip
    assert params["model"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in list(params.values())[1:])
    defaults = {k: p.default for k, p in params.items()}
    assert defaults["fullgraph"] is False and defaults["disable"] is False
    assert defaults["mode"] is None and defaults["backend"] is None


def test_module_wrapper_has_pytorchs_shape() -> None:
    m = _model()
    c = torch.compile(m)
    assert type(c).__name__ == "OptimizedModule" and isinstance(c, nn.Module)
    assert c._orig_mod is m
    assert list(c.state_dict()) == [
        "_orig_mod.0.weight", "_orig_mod.0.bias", "_orig_mod.2.weight", "_orig_mod.2.bias",
    ]  # fmt: skip
    assert [n for n, _ in c.named_parameters()] == list(c.state_dict())
    assert [id(p) for p in c.parameters()] == [id(p) for p in m.parameters()]
    assert repr(c) == (
        "OptimizedModule(\n"
        "  (_orig_mod): Sequential(\n"
        "    (0): Linear(in_features=4, out_features=8, bias=True)\n"
        "    (1): Tanh()\n"
        "    (2): Linear(in_features=8, out_features=3, bias=True)\n"
        "  )\n"
        ")"
    )
    with pytest.raises(TypeError, match="'OptimizedModule' object is not subscriptable"):
        c[0]  # as in PyTorch: the wrapper forwards attributes, not the container protocol


def test_module_attributes_and_modes_are_forwarded() -> None:
    lin = nn.Linear(2, 3)
    c = torch.compile(lin)
    assert c.weight is lin.weight and c.in_features == 2
    assert c.training and lin.training
    c.eval()
    assert not lin.training and not c.training
    c.train()
    assert lin.training
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = c.nope


def test_deepcopy_calls_its_own_module() -> None:
    c = torch.compile(nn.Linear(2, 1))
    twin = copy.deepcopy(c)
    with torch.no_grad():
        twin._orig_mod.weight.zero_()
        twin._orig_mod.bias.fill_(3.0)
    x = torch.ones(1, 2)
    assert twin(x).tolist() == [[3.0]]
    assert c(x).tolist() != [[3.0]]
    assert type(twin).__name__ == "OptimizedModule" and twin._orig_mod is not c._orig_mod


def test_state_dict_round_trip_keeps_prefix() -> None:
    c = torch.compile(nn.Linear(2, 3))
    zeros = {"_orig_mod.weight": torch.zeros(3, 2), "_orig_mod.bias": torch.zeros(3)}
    c.load_state_dict(zeros)
    assert float(c._orig_mod.weight.abs().sum()) == 0.0
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "weight", "bias"'):
        nn.Linear(2, 3).load_state_dict(c.state_dict())


def _train(model: nn.Module, steps: int) -> tuple[list[np.ndarray], list[float]]:
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    torch.manual_seed(1)
    x, y = torch.randn(16, 4), torch.randint(0, 3, (16,))
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return [p.detach().numpy().copy() for p in model.parameters()], losses


def test_compiled_training_is_bitwise_eager() -> None:
    eager_params, eager_losses = _train(_model(), 5)
    compiled_params, compiled_losses = _train(torch.compile(_model()), 5)
    assert compiled_losses == eager_losses
    for a, b in zip(compiled_params, eager_params, strict=True):
        assert a.tobytes() == b.tobytes()
    assert eager_losses[-1] < eager_losses[0]  # it trained


def test_decorator_forms() -> None:
    def f(x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(x * 3 + 1).sum()

    plain = torch.compile(f)

    @torch.compile
    def g(x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(x * 3 + 1).sum()

    @torch.compile(mode="reduce-overhead", fullgraph=True, dynamic=False)
    def h(x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(x * 3 + 1).sum()

    assert plain.__name__ == "f" and plain.__wrapped__ is f and g.__name__ == "g"
    x = torch.randn(5, requires_grad=True)
    want = f(x)
    want.backward()
    want_grad = x.grad.numpy().copy()
    for fn in (plain, g, h):
        x.grad = None
        got = fn(x)
        got.backward()
        assert got.item() == want.item()
        assert x.grad.numpy().tobytes() == want_grad.tobytes()


def test_disable_returns_the_model() -> None:
    m = nn.Linear(2, 2)
    assert torch.compile(m, disable=True) is m
    assert torch.compiler.disable(m) is m


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        (
            {"mode": "bogus"},
            RuntimeError,
            "Unrecognized mode=bogus, should be one of: default, lite, reduce-overhead, "
            "max-autotune-no-cudagraphs, max-autotune",
        ),
        (
            {"mode": "max-autotune", "options": {"a": 1}},
            RuntimeError,
            "Either mode or options can be specified, but both can't be specified at the "
            "same time.",
        ),
        (
            {"backend": "nonexistent"},
            jitgrad._dynamo.exc.InvalidBackend,
            "Invalid backend: 'nonexistent', see `torch._dynamo.list_backends()` for "
            "available backends.",
        ),
    ],
)
def test_bad_arguments_raise_pytorchs_errors(kwargs: dict, exc: type, message: str) -> None:
    with pytest.raises(exc) as info:
        torch.compile(nn.Linear(2, 2), **kwargs)
    assert str(info.value) == message


def test_invalid_backend_is_a_runtime_error_and_not_callable_is_an_assertion() -> None:
    assert issubclass(jitgrad._dynamo.exc.InvalidBackend, RuntimeError)
    with pytest.raises(AssertionError) as info:
        torch.compile(3)
    assert str(info.value) == "A callable function is expected, but <class 'int'> is provided."


def test_backends_and_reset() -> None:
    assert torch._dynamo.list_backends() == ["cudagraphs", "inductor", "openxla", "tvm"]
    for backend in ("inductor", "eager", "aot_eager"):
        assert torch.compile(lambda x: x * 2, backend=backend)(torch.ones(2)).tolist() == [2, 2]
    assert torch.compiler.reset() is None and torch._dynamo.reset() is None


def test_is_compiling_inside_a_compiled_call() -> None:
    seen = []

    @torch.compile
    def f(x: torch.Tensor) -> torch.Tensor:
        seen.append(torch.compiler.is_compiling())
        return x + 1

    f(torch.ones(1))
    assert seen == [True] and torch.compiler.is_compiling() is False


def test_debug_log_says_what_was_captured(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(helpers, "DEBUG", 1)
    torch.compiler.reset()

    def step(x: torch.Tensor) -> torch.Tensor:
        return x * 2

    compiled = torch.compile(step)
    with caplog.at_level(logging.DEBUG, logger="jitgrad"):
        compiled(torch.ones(2))
        compiled(torch.ones(2))
    lines = [r.getMessage() for r in caplog.records if "compile:" in r.getMessage()]
    assert len(lines) == 1, lines
    assert "step" in lines[0] and "captured 1 tape rows" in lines[0]  # traced once, replayed


def test_dynamo_config_takes_the_common_settings() -> None:
    config = torch._dynamo.config
    assert config.suppress_errors is False and config.cache_size_limit == 8
    config.cache_size_limit = 64
    try:
        assert torch._dynamo.config.cache_size_limit == 64
    finally:
        config.cache_size_limit = 8
    with pytest.raises(AttributeError, match="torch._dynamo.config.nonexistent does not exist"):
        config.nonexistent = 1
    with pytest.raises(AttributeError, match="torch._dynamo.config.nonexistent does not exist"):
        _ = config.nonexistent


def _step_losses(compiled: bool) -> tuple[list[float], list[bytes]]:
    """A whole training step (zero_grad, forward, backward, Adam step, a Python branch on
    ``.item()``) as one function, compiled or not."""
    model = _model(3)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    torch.manual_seed(4)
    x, y = torch.randn(8, 4), torch.randint(0, 3, (8,))

    def step(x: torch.Tensor, y: torch.Tensor, *, scale: float = 1.0) -> torch.Tensor:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y) * scale
        if loss.item() > 100:  # data-dependent Python: fine, it runs eagerly
            loss = loss * 0
        loss.backward()
        opt.step()
        return loss.detach()

    fn = torch.compile(step) if compiled else step
    losses = [fn(x, y, scale=0.5).item() for _ in range(4)]
    return losses, [p.detach().numpy().tobytes() for p in model.parameters()]


def test_compiled_whole_step_with_optimizer_is_bitwise_eager() -> None:
    assert _step_losses(True) == _step_losses(False)
