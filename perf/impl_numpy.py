"""Hand-written numpy forward + backward: what a careful user writes without autograd.

Gradients are derived by hand, temporaries are reused where it is natural, nothing is
micro-optimised beyond that. Run on float64 copies of the inputs, the same code is the
*reference* every implementation's gradients are checked against, so it is kept plain and
obviously correct; torch and JAX agreeing with it is checked on every run.

Each builder takes the inputs and returns a zero-argument callable computing one step; builders
of mutating workloads (MLP step, Adam) copy the inputs into their own state.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from . import workloads as W

Outputs = dict[str, np.ndarray]


def chain(inp: W.Inputs) -> Callable[[], Outputs]:
    x, y = inp["x"], inp["y"]

    def run() -> Outputs:
        t = np.tanh(x * y + np.sin(x))
        er = np.exp(-x * x) / (1 + y * y)  # e * r, with r = 1 / (1 + y*y)
        ter = t * er
        dt = 1 - t * t
        dx = dt * (y + np.cos(x)) * er - 2 * x * ter
        dy = er * (dt * x - 2 * y * t / (1 + y * y))
        return {"loss": ter.sum(), "d_x": dx, "d_y": dy}

    return run


def gelu(inp: W.Inputs) -> Callable[[], Outputs]:
    x = inp["x"]
    c, a = W.GELU_C, W.GELU_A

    def run() -> Outputs:
        x2 = x * x
        t = np.tanh(c * (x + a * x2 * x))
        loss = (0.5 * x * (1 + t)).mean()
        dx = (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * a * x2)) * (1 / x.size)
        return {"loss": loss, "d_x": dx}

    return run


def mse(inp: W.Inputs) -> Callable[[], Outputs]:
    a, b = inp["a"], inp["b"]

    def run() -> Outputs:
        d = a - b
        loss = np.mean(d * d)
        da = d * (2 / a.size)
        return {"loss": loss, "d_a": da, "d_b": -da}

    return run


def _xent(logits: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean cross-entropy and its gradient w.r.t. the logits (softmax - onehot) / rows."""
    rows = np.arange(logits.shape[0])
    z = logits - logits.max(axis=1, keepdims=True)
    ez = np.exp(z)
    s = ez.sum(axis=1, keepdims=True)
    loss = -(z[rows, target] - np.log(s[:, 0])).mean()
    g = ez / s
    g[rows, target] -= 1
    g *= 1 / logits.shape[0]
    return loss, g


def softmax_xent(inp: W.Inputs) -> Callable[[], Outputs]:
    logits, target = inp["logits"], inp["target"]

    def run() -> Outputs:
        loss, g = _xent(logits, target)
        return {"loss": loss, "d_logits": g}

    return run


def softmax(inp: W.Inputs) -> Callable[[], Outputs]:
    x, w = inp["x"], inp["w"]

    def run() -> Outputs:
        e = np.exp(x - x.max(axis=1, keepdims=True))
        y = e / e.sum(axis=1, keepdims=True)
        return {"loss": (y * w).sum(), "d_x": y * (w - (y * w).sum(axis=1, keepdims=True))}

    return run


def layernorm(inp: W.Inputs) -> Callable[[], Outputs]:
    x, w, b, w_out = inp["x"], inp["weight"], inp["bias"], inp["w_out"]

    def run() -> Outputs:
        xc = x - x.mean(axis=-1, keepdims=True)
        rstd = 1 / np.sqrt((xc * xc).mean(axis=-1, keepdims=True) + W.LN_EPS)
        xhat = xc * rstd
        loss = ((xhat * w + b) * w_out).sum()
        dxhat = w_out * w
        dx = rstd * (
            dxhat
            - dxhat.mean(axis=-1, keepdims=True)
            - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True)
        )
        return {
            "loss": loss,
            "d_x": dx,
            "d_weight": (w_out * xhat).sum(axis=0),
            "d_bias": w_out.sum(axis=0),
        }

    return run


def mlp_step(inp: W.Inputs) -> Callable[[], Outputs]:
    x, target = inp["x"], inp["target"]
    p = {k: inp[k].copy() for k in ("W1", "b1", "W2", "b2")}
    lr = W.MLP_LR

    def run() -> Outputs:
        z1 = x @ p["W1"] + p["b1"]
        h = np.maximum(z1, 0)
        loss, g = _xent(h @ p["W2"] + p["b2"], target)
        grads = {"W2": h.T @ g, "b2": g.sum(axis=0)}
        dz1 = (g @ p["W2"].T) * (z1 > 0)
        grads["W1"] = x.T @ dz1
        grads["b1"] = dz1.sum(axis=0)
        out = {"loss": loss}
        for k, gk in grads.items():
            p[k] -= lr * gk
            out[f"d_{k}"] = gk
            out[f"new_{k}"] = p[k]
        return out

    return run


def adam(inp: W.Inputs) -> Callable[[], Outputs]:
    names = W._param_names(inp)
    params = [inp[k].copy() for k in names]
    grads = [inp[f"g{k[1:]}"] for k in names]
    m = [np.zeros_like(q) for q in params]
    v = [np.zeros_like(q) for q in params]
    b1, b2 = W.ADAM_BETAS
    state = {"t": 0}

    def run() -> Outputs:
        state["t"] += 1
        t = state["t"]
        step = W.ADAM_LR / (1 - b1**t)
        sq2 = math.sqrt(1 - b2**t)
        for q, g, mq, vq in zip(params, grads, m, v, strict=True):
            mq *= b1
            mq += (1 - b1) * g
            vq *= b2
            vq += (1 - b2) * g * g
            denom = np.sqrt(vq)
            denom *= 1 / sq2
            denom += W.ADAM_EPS
            q -= step * mq / denom
        return dict(zip(names, params, strict=True))

    return run


def dispatch(inp: W.Inputs) -> Callable[[], Outputs]:
    x, y = inp["x"], inp["y"]

    def run() -> Outputs:
        tape = []
        h = x
        for _ in range(W.DISPATCH_ITERS):
            t = np.tanh(h * y + x)
            tape.append((h, t))
            h = t * 0.5
        gh = np.ones_like(x)
        gx = np.zeros_like(x)
        gy = np.zeros_like(y)
        for hp, t in reversed(tape):
            gu = 0.5 * gh * (1 - t * t)
            gx += gu
            gy += gu * hp
            gh = gu * y
        gx += gh
        return {"loss": h.sum(), "d_x": gx, "d_y": gy}

    return run


def logistic(inp: W.Inputs) -> Callable[[], Outputs]:
    w, x, b = inp["w"], inp["x"], inp["b"]

    def run() -> Outputs:
        out = 1 / (np.exp(-(w * x + b)) + 1)
        s = out * (1 - out)  # sigmoid'(z)
        return {"loss": out, "d_w": s * x, "d_x": s * w, "d_b": s}

    return run


BUILDERS: dict[str, Callable[[W.Inputs], Callable[[], Outputs]]] = W.builders(globals())


def reference(workload: W.Workload, inputs: W.Inputs) -> dict[str, np.ndarray]:
    """The float64 reference outputs (after ``derive``) for ``inputs``.

    Float inputs are promoted to float64 and the numpy code above is run on them once, from
    the same initial state every implementation starts from.
    """
    inp64 = {
        k: v.astype(np.float64) if np.issubdtype(v.dtype, np.floating) else v
        for k, v in inputs.items()
    }
    out = BUILDERS[W.base_name(workload.name)](inp64)()
    out = {k: np.array(v, dtype=np.float64) for k, v in out.items()}
    return workload.derive(out, inputs) if workload.derive else out
