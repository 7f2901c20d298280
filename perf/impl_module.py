"""Workload bodies written once against the PyTorch API, run with ``m = torch`` or ``jitgrad``.

Because jitgrad speaks the PyTorch dialect, the *same* function body measures torch eager,
jitgrad fused and jitgrad unfused: any difference in the numbers is the library, not the
benchmark code. Only public PyTorch-style API is used (``m.tensor``, ``.backward()``,
``m.nn.functional``, ``m.optim``); a feature jitgrad lacks surfaces as an exception during the
correctness check and is reported as "unavailable", never as a crash.

Every call clears the gradients first (``.grad = None``), so each call computes them afresh,
exactly like the numpy and Numba implementations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import workloads as W

Outputs = dict[str, Any]


def _leaves(m: Any, inp: W.Inputs, names: str) -> list[Any]:
    """Tensors that require grad, copied from the numpy inputs (dtype preserved)."""
    return [m.tensor(inp[n], requires_grad=True) for n in names.split()]


def compiled(m: Any, fn: Callable) -> Callable:
    """``fn`` under the library's compiler when ``m`` asks for one (``m.perf_compile``: the
    ``torch_compile`` implementation sets it to ``torch.compile``), else ``fn`` itself."""
    compile_fn = getattr(m, "perf_compile", None)
    return compile_fn(fn) if compile_fn is not None else fn


def _grad_step(m: Any, loss_fn: Callable[[], Any], leaves: dict[str, Any]) -> Callable[[], Outputs]:
    """A call: clear grads, forward (compiled if ``m`` asks, see :func:`compiled`), backward;
    returns loss and each leaf's ``.grad``."""
    loss_fn = compiled(m, loss_fn)

    def run() -> Outputs:
        for t in leaves.values():
            t.grad = None
        loss = loss_fn()
        loss.backward()
        out = {"loss": loss}
        out.update({f"d_{k}": t.grad for k, t in leaves.items()})
        return out

    return run


def chain(m: Any, inp: W.Inputs) -> Callable[[], Outputs]:
    x, y = _leaves(m, inp, "x y")
    return _grad_step(
        m, lambda: (m.tanh(x * y + m.sin(x)) * m.exp(-x * x) / (1 + y * y)).sum(), {"x": x, "y": y}
    )


def gelu(m: Any, inp: W.Inputs) -> Callable[[], Outputs]:
    (x,) = _leaves(m, inp, "x")
    c, a = W.GELU_C, W.GELU_A
    return _grad_step(m, lambda: (0.5 * x * (1 + m.tanh(c * (x + a * x**3)))).mean(), {"x": x})


def mse(m: Any, inp: W.Inputs) -> Callable[[], Outputs]:
    a, b = _leaves(m, inp, "a b")
    return _grad_step(m, lambda: ((a - b) ** 2).mean(), {"a": a, "b": b})


def softmax_xent(m: Any, inp: W.Inputs) -> Callable[[], Outputs]:
    (logits,) = _leaves(m, inp, "logits")
    target = m.tensor(inp["target"])
    F = m.nn.functional
    return _grad_step(m, lambda: F.cross_entropy(logits, target), {"logits": logits})


def softmax(m: Any, inp: W.Inputs) -> Callable[[], Outputs]:
    (x,) = _leaves(m, inp, "x")
    w = m.tensor(inp["w"])
    return _grad_step(m, lambda: (m.softmax(x, 1) * w).sum(), {"x": x})


def layernorm(m: Any, inp: W.Inputs) -> Callable[[], Outputs]:
    x, w, b = _leaves(m, inp, "x weight bias")
    w_out = m.tensor(inp["w_out"])
    F = m.nn.functional
    dim = inp["x"].shape[-1]
    return _grad_step(
        m,
        lambda: (F.layer_norm(x, (dim,), w, b, eps=W.LN_EPS) * w_out).sum(),
        {"x": x, "weight": w, "bias": b},
    )


def mlp_step(m: Any, inp: W.Inputs) -> Callable[[], Outputs]:
    names = ("W1", "b1", "W2", "b2")
    W1, b1, W2, b2 = params = _leaves(m, inp, " ".join(names))
    x, target = m.tensor(inp["x"]), m.tensor(inp["target"])
    F = m.nn.functional
    opt = m.optim.SGD(params, lr=W.MLP_LR)

    forward = compiled(m, lambda: F.cross_entropy(F.relu(x @ W1 + b1) @ W2 + b2, target))

    def run() -> Outputs:
        opt.zero_grad()
        loss = forward()
        loss.backward()
        opt.step()
        out = {"loss": loss}
        for k, p in zip(names, params, strict=True):
            out[f"d_{k}"] = p.grad
            out[f"new_{k}"] = p
        return out

    return run


def adam(m: Any, inp: W.Inputs) -> Callable[[], Outputs]:
    """Gradients are set once (by a backward of sum(p * g)); each call is one ``opt.step()``."""
    names = W._param_names(inp)
    params = _leaves(m, inp, " ".join(names))
    grads = [m.tensor(inp[f"g{k[1:]}"]) for k in names]
    sum(((p * g).sum() for p, g in zip(params, grads, strict=True)), 0).backward()
    extra = {"foreach": True} if getattr(m, "__name__", "") == "torch" else {}
    opt = m.optim.Adam(params, lr=W.ADAM_LR, betas=W.ADAM_BETAS, eps=W.ADAM_EPS, **extra)

    def run() -> Outputs:
        opt.step()
        return dict(zip(names, params, strict=True))

    return run


def dispatch(m: Any, inp: W.Inputs) -> Callable[[], Outputs]:
    x, y = _leaves(m, inp, "x y")

    def loss() -> Any:
        h = x
        for _ in range(W.DISPATCH_ITERS):
            h = h * y
            h = h + x
            h = m.tanh(h)
            h = h * 0.5
        return h.sum()

    return _grad_step(m, loss, {"x": x, "y": y})


def logistic(m: Any, inp: W.Inputs) -> Callable[[], Outputs]:
    w, x, b = _leaves(m, inp, "w x b")
    return _grad_step(m, lambda: 1 / (m.exp(-(w * x + b)) + 1), {"w": w, "x": x, "b": b})


BUILDERS: dict[str, Callable[[Any, W.Inputs], Callable[[], Outputs]]] = W.builders(globals())


def to_numpy(value: Any) -> np.ndarray:
    """A float64-comparable numpy copy of a torch/jitgrad tensor (or anything array-like)."""
    if value is None:
        raise ValueError("gradient is None (backward did not reach this input)")
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "numpy"):
        return np.array(value.numpy(), copy=True)
    return np.array(value, copy=True)


def finish(outputs: Outputs) -> None:
    """Make sure results are computed before the clock stops.

    torch on CPU is synchronous. For a library that defers work, ``realize()`` (when the
    tensor has one) forces it, so deferred kernels are not left out of the timing.
    """
    for v in outputs.values():
        realize = getattr(v, "realize", None)
        if callable(realize):
            realize()
