"""Programs some parity tests used to run live against PyTorch (skipped where it was missing),
shared by those tests and the recorder tests/fixtures/make_recorded_parity_torch.py: each
``fn(lib)`` runs with ``lib`` = PyTorch once (recorded into
tests/fixtures/recorded_parity_torch.json) and with ``lib`` = jitgrad in every test run, and
returns plain JSON (values, node names, reprs, call orders), so no test needs PyTorch installed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

RECORDED = Path(__file__).parent / "fixtures" / "recorded_parity_torch.json"


def recorded(name: str) -> Any:
    """PyTorch's answer to case ``name``, as recorded (read by the tests, never the recorder)."""
    return json.loads(RECORDED.read_text())["cases"][name]


def autograd_function_cube(lib: Any) -> list:
    """A custom Function saving a tensor and a float, differentiated twice: the output's repr
    (torch's name spelled jitgrad) and the leaf's second-order gradient."""

    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x * x * x * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * x * g * ctx.k, None

    x = lib.tensor([0.5, -1.5, 2.0], requires_grad=True)
    y = Cube.apply(x, 2.0)
    (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
    g.sum().backward()
    return [repr(y).replace("torch", "jitgrad"), x.grad.tolist()]


def diamond_order(lib: Any) -> list[str]:
    """The order tensor hooks and node pre-hooks fire in on a diamond graph."""
    order: list[str] = []
    a = lib.tensor([1.0], requires_grad=True)
    b = a * 2
    c = b.exp()
    d = b.sin()
    e = c * d
    for nm, t in (("a", a), ("b", b), ("c", c), ("d", d), ("e", e)):
        t.register_hook(lambda g, nm=nm: order.append(nm))
    for nm, t in (("b", b), ("c", c), ("d", d), ("e", e)):
        t.grad_fn.register_prehook(lambda g, nm=nm: order.append("pre" + nm))
    e.backward(lib.ones(1))
    return order


def inplace_chain(lib: Any) -> list:
    """In-place ops on non-leaves (one whose input a later node saved): grads and node names."""
    x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x * x
    y.add_(x).mul_(2).sub_(1)
    z = y.sin()  # saves its input y, not its result
    z.div_(3)
    z.sum().backward()
    return [x.grad.tolist(), y.grad_fn.name(), z.grad_fn.name()]


def functional_hessian_jacobian(lib: Any) -> list:
    """autograd.functional.hessian and jacobian of small float64 functions."""
    x = lib.tensor([[0.3, -0.2], [0.5, 1.1]], dtype=lib.float64)
    f = lambda a: (a.sin() * a.exp()).sum()  # noqa: E731
    return [
        lib.autograd.functional.hessian(f, x).tolist(),
        lib.autograd.functional.jacobian(lambda a: a.tanh() * a, x).tolist(),
    ]


def inplace_through_views(lib: Any) -> list:
    """In-place arithmetic through views of a non-leaf: its values and the leaf's gradient."""
    x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = x * 2
    y[0] += 1
    y[:, 1] *= 3
    y[1:, 2] += x[0, :2].sum() ** 2
    (y * lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
    return [y.detach().tolist(), x.grad.tolist()]


def full_backward_hook(lib: Any) -> list:
    """What a full backward hook on a Sequential sees: grad_input[0] and grad_output[0]."""
    xs = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    sink: list = []
    lib.manual_seed(0)
    lin = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Tanh())
    lin[0].weight.data = lib.tensor(np.full((2, 3), 0.25, np.float32))
    lin[0].bias.data = lib.tensor(np.array([0.1, -0.2], np.float32))
    x = lib.tensor(xs, requires_grad=True)
    lin.register_full_backward_hook(lambda m, gi, go: sink.append([gi[0].tolist(), go[0].tolist()]))
    (lin(x) ** 2).sum().backward()
    return sink[0]


LOSS_LABELS = [0, 3, 4, 1]
LOSS_KWARGS = {
    "cross_entropy_smoothing": ("cross_entropy", {"label_smoothing": 0.1}),
    "cross_entropy": ("cross_entropy", {}),
    "nll_loss_sum": ("nll_loss", {"reduction": "sum"}),
}


def losses(lib: Any) -> dict:
    """float32 losses and input gradients, on test_nn_functional's X (default_rng(0)'s first
    4x5 draw) and LABELS."""
    x32 = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    out = {}
    for key, (name, kw) in LOSS_KWARGS.items():
        x = lib.tensor(x32, requires_grad=True)
        loss = getattr(lib.nn.functional, name)(x, lib.tensor(np.array(LOSS_LABELS)), **kw)
        loss.backward()
        out[key] = [loss.item(), x.grad.tolist()]
    return out


def layer_norm(lib: Any) -> list:
    """float32 layer_norm over the last two dims with weight and bias, eps 1e-4: node name,
    output, grads of (x, w, b) for a fixed upstream gradient."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((6, 3, 8)).astype(np.float32)
    w = (1 + 0.2 * rng.standard_normal((3, 8))).astype(np.float32)
    b = rng.standard_normal((3, 8)).astype(np.float32)
    go = rng.standard_normal(x.shape).astype(np.float32)
    ts = [lib.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = lib.nn.functional.layer_norm(ts[0], (3, 8), ts[1], ts[2], eps=1e-4)
    (y * lib.tensor(go)).sum().backward()
    return [y.grad_fn.name(), y.detach().tolist(), [t.grad.tolist() for t in ts]]


def tensor_dtypes_and_repr(lib: Any) -> list:
    """The dtype ``tensor()`` infers from Python and numpy data, and a grad tensor's repr."""
    datas = ([1.5], [1, 2], [True], np.array([1.0]), np.array([1], dtype=np.int32))
    dtypes = [str(lib.tensor(d).dtype).split(".")[1] for d in datas]
    return [dtypes, repr(lib.tensor([1.0, 2.0], requires_grad=True) * 2)]


CASES: dict[str, Callable[[Any], Any]] = {
    f.__name__: f
    for f in (
        autograd_function_cube,
        diamond_order,
        inplace_chain,
        functional_hessian_jacobian,
        inplace_through_views,
        full_backward_hook,
        losses,
        layer_norm,
        tensor_dtypes_and_repr,
    )
}
