"""torch.utils.checkpoint (the segment's forward runs again in backward and the gradients
equal the plain run's, dropout masks included) and torch.jit's eager shims."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import jitgrad as torch
from jitgrad import nn
from jitgrad.utils.checkpoint import checkpoint, checkpoint_sequential


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Dropout(0.5), nn.Linear(5, 2))


def _grads(model, x, run) -> tuple:
    model.zero_grad()
    x.grad = None
    torch.manual_seed(7)
    out = run(model, x)
    (out * out).sum().backward()
    return out.detach().numpy(), [p.grad.numpy().copy() for p in model.parameters()], x.grad


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_gradients_equal_the_plain_run(use_reentrant):
    model = _model()
    x = torch.randn(4, 3, requires_grad=True)
    out0, g0, gx0 = _grads(model, x, lambda m, v: m(v))
    out1, g1, gx1 = _grads(model, x, lambda m, v: checkpoint(m, v, use_reentrant=use_reentrant))
    np.testing.assert_array_equal(out1, out0)
    for a, b in zip(g1, g0, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(gx1.numpy(), gx0.numpy(), rtol=1e-6, atol=1e-7)
    out2, g2, _ = _grads(
        model, x, lambda m, v: checkpoint_sequential(m, 2, v, use_reentrant=use_reentrant)
    )
    np.testing.assert_array_equal(out2, out0)
    for a, b in zip(g2, g0, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_recomputes_the_forward_in_backward(use_reentrant):
    calls = []

    def segment(a, b):
        calls.append(torch.is_grad_enabled())
        return (a.sin() * b).exp()

    a = torch.randn(3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    out = checkpoint(segment, a, b, use_reentrant=use_reentrant)
    assert len(calls) == 1
    # the non-reentrant variant shows the segment's own last node, as PyTorch does
    name = "CheckpointFunctionBackward" if use_reentrant else "ExpBackward0"
    assert type(out.grad_fn).__name__ == name
    out.sum().backward()
    assert len(calls) == 2 and calls[1] is True  # the recomputation records a graph
    expected_a = (torch.exp(a.sin() * b) * b * a.cos()).detach()
    np.testing.assert_allclose(a.grad.numpy(), expected_a.numpy(), rtol=1e-6)


def test_preserve_rng_state_false_draws_a_new_mask():
    torch.manual_seed(3)
    x = torch.ones(1000, requires_grad=True)
    out = checkpoint(
        lambda v: torch.nn.functional.dropout(v, 0.5),
        x,
        use_reentrant=False,
        preserve_rng_state=False,
    )
    out.sum().backward()
    kept_forward = out.detach().numpy() != 0
    kept_backward = x.grad.numpy() != 0
    assert (kept_forward != kept_backward).any()  # the gradient follows the new mask


def test_non_reentrant_reaches_parameters_without_input_grad_and_supports_grad():
    model = _model().eval()
    x = torch.randn(4, 3)  # requires no grad
    out = checkpoint(model, x, use_reentrant=False)
    (w_grad,) = torch.autograd.grad(out.sum(), [model[0].weight])
    plain = torch.autograd.grad(model(x).sum(), [model[0].weight])[0]
    np.testing.assert_allclose(w_grad.numpy(), plain.numpy(), rtol=1e-6)


def test_reentrant_without_input_grad_warns_and_gives_no_graph():
    model = _model()
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        out = checkpoint(model, torch.randn(2, 3), use_reentrant=True)
    assert not out.requires_grad


def test_checkpoint_argument_errors_and_default_warning():
    x = torch.randn(2, requires_grad=True)
    with pytest.raises(ValueError, match="^Unexpected keyword arguments: foo$"):
        checkpoint(lambda a, foo: a, x, use_reentrant=True, foo=1)
    with pytest.warns(UserWarning, match="the use_reentrant parameter should be passed"):
        out = checkpoint(lambda a: a * 2, x)
    assert type(out.grad_fn).__name__ == "CheckpointFunctionBackward"
    with pytest.raises(ValueError, match="^Passing `context_fn` or `debug` is only supported"):
        checkpoint(lambda a: a, x, use_reentrant=True, debug=True)
    with pytest.raises(ValueError, match="^Unexpected keyword arguments: bar$"):
        checkpoint_sequential(nn.Sequential(nn.Identity()), 1, x, use_reentrant=False, bar=2)


def test_context_fn_wraps_forward_and_recomputation():
    entered = []

    class Ctx:
        def __init__(self, tag):
            self.tag = tag

        def __enter__(self):
            entered.append(self.tag)

        def __exit__(self, *exc):
            return None

    x = torch.randn(2, requires_grad=True)
    out = checkpoint(
        lambda a: a.sin(), x, use_reentrant=False, context_fn=lambda: (Ctx("fwd"), Ctx("re"))
    )
    assert entered == ["fwd"]
    out.sum().backward()
    assert entered == ["fwd", "re"]


def test_checkpoint_tuple_outputs_and_kwargs():
    a = torch.randn(3, requires_grad=True)
    out1, out2 = checkpoint(lambda v, k=1.0: (v * k, v.exp()), a, use_reentrant=False, k=3.0)
    (out1.sum() + out2.sum()).backward()
    np.testing.assert_allclose(a.grad.numpy(), 3.0 + np.exp(a.detach().numpy()), rtol=1e-6)


# ---- torch.jit ------------------------------------------------------------------------------
def test_script_and_trace_run_eagerly():
    @torch.jit.script
    def f(x: torch.Tensor) -> torch.Tensor:
        return x * 2 + 1

    x = torch.tensor([1.0, 2.0])
    np.testing.assert_array_equal(f(x).numpy(), [3.0, 5.0])
    model = nn.Linear(2, 1)
    assert torch.jit.script(model) is model
    calls = []

    def g(a, b):
        calls.append(1)
        return a + b

    traced = torch.jit.trace(g, (x, x))
    assert len(calls) == 1  # trace runs the function on the examples, as PyTorch does
    np.testing.assert_array_equal(traced(x, x).numpy(), [2.0, 4.0])
    assert torch.jit.trace(model, torch.ones(1, 2)) is model
    assert not torch.jit.is_scripting() and not torch.jit.is_tracing()
    with pytest.raises(NotImplementedError, match="there is no TorchScript code"):
        f.code  # noqa: B018


def test_jit_decorators_and_archives():
    @torch.jit.ignore
    def a(x):
        return x

    @torch.jit.unused
    def b(x):
        return x

    @torch.jit.ignore(drop=True)
    def c(x):
        return x

    assert a(1) == b(1) == c(1) == 1
    assert torch.jit.annotate(list, [1]) == [1]
    assert torch.jit.wait(torch.jit.fork(lambda v: v + 1, 1)) == 2
    assert issubclass(torch.jit.TracerWarning, Warning)
    assert issubclass(torch.jit.Error, RuntimeError)
    with torch.jit.optimized_execution(False), torch.jit.fuser("fuser1"):
        assert torch.jit.script_method(a)(3) == 3
    for call in (
        lambda: torch.jit.save(nn.Linear(1, 1), "/nonexistent/m.pt"),
        lambda: torch.jit.load("/nonexistent/m.pt"),
        lambda: torch.jit.script(lambda v: v).save("/nonexistent/m.pt"),
        lambda: torch.jit.script(nn.Linear(1, 1)).save("/nonexistent/m.pt"),
        lambda: torch.jit.trace(nn.Linear(1, 1), torch.ones(1, 1)).save("/nonexistent/m.pt"),
    ):
        with pytest.raises(NotImplementedError, match="save the model's state_dict"):
            call()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch.jit.script(nn.Linear(1, 1))


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_training_steps_match_the_plain_run(use_reentrant):
    """Several optimizer steps (the backward replay cache warm after the first): the
    checkpointed model's weights follow the plain model's."""

    def train(wrap):
        torch.manual_seed(0)
        model = nn.Sequential(
            nn.Linear(4, 8), nn.GELU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 1)
        )
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        # the input requires grad: with use_reentrant=True a segment whose inputs do not
        # gives its parameters no gradient (PyTorch's behaviour, tested above)
        x, y = torch.randn(16, 4, requires_grad=True), torch.randn(16, 1)
        for _ in range(4):
            opt.zero_grad()
            ((wrap(model, x) - y) ** 2).mean().backward()
            opt.step()
        return [p.detach().numpy().copy() for p in model.parameters()]

    plain = train(lambda m, x: m(x))
    ckpt = train(lambda m, x: checkpoint_sequential(m, 3, x, use_reentrant=use_reentrant))
    for a, b in zip(ckpt, plain, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
