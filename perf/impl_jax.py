"""JAX: ``jax.jit(jax.value_and_grad(f))`` per workload, the compile-everything peer.

JAX traces the whole forward+backward into one XLA program, so it shows what whole-graph
compilation buys over eager dispatch (and over jitgrad's elementwise-only fusion). Imported
lazily: the runner works without JAX and reports it as not installed. 64-bit mode is enabled
so the float64 variants really run in float64; float32 inputs stay float32 under it.

The MLP step and Adam are written by hand in jnp (no optax/flax dependency), jitted as a whole
step the way a JAX user would.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import workloads as W

Outputs = dict[str, Any]

jax: Any = None
jnp: Any = None


def load() -> str:
    """Import JAX (raises ImportError if missing); returns its version."""
    global jax, jnp
    import jax as _jax

    _jax.config.update("jax_enable_x64", True)
    _jax.config.update("jax_platforms", "cpu")
    import jax.numpy as _jnp

    jax, jnp = _jax, _jnp
    return _jax.__version__


def _vg(f: Callable, inp: W.Inputs, names: str, extra: tuple = ()) -> Callable[[], Outputs]:
    """jit(value_and_grad(f)) over the named inputs; ``extra`` are non-differentiated args."""
    keys = names.split()
    args = [jnp.asarray(inp[k]) for k in keys]
    fn = jax.jit(jax.value_and_grad(f, argnums=tuple(range(len(keys)))))

    def run() -> Outputs:
        loss, grads = fn(*args, *extra)
        out = {"loss": loss}
        out.update({f"d_{k}": g for k, g in zip(keys, grads, strict=True)})
        return out

    return run


def chain(inp: W.Inputs) -> Callable[[], Outputs]:
    return _vg(
        lambda x, y: jnp.sum(jnp.tanh(x * y + jnp.sin(x)) * jnp.exp(-x * x) / (1 + y * y)),
        inp,
        "x y",
    )


def gelu(inp: W.Inputs) -> Callable[[], Outputs]:
    c, a = W.GELU_C, W.GELU_A
    return _vg(lambda x: jnp.mean(0.5 * x * (1 + jnp.tanh(c * (x + a * x**3)))), inp, "x")


def mse(inp: W.Inputs) -> Callable[[], Outputs]:
    return _vg(lambda a, b: jnp.mean((a - b) ** 2), inp, "a b")


def _xent(logits: Any, target: Any) -> Any:
    logp = jax.nn.log_softmax(logits, axis=-1)
    return -jnp.mean(jnp.take_along_axis(logp, target[:, None], axis=-1))


def softmax_xent(inp: W.Inputs) -> Callable[[], Outputs]:
    return _vg(_xent, inp, "logits", (jnp.asarray(inp["target"]),))


def softmax(inp: W.Inputs) -> Callable[[], Outputs]:
    def f(x: Any, w: Any) -> Any:
        return jnp.sum(jax.nn.softmax(x, axis=1) * w)

    return _vg(f, inp, "x", (jnp.asarray(inp["w"]),))


def layernorm(inp: W.Inputs) -> Callable[[], Outputs]:
    def f(x: Any, w: Any, b: Any, w_out: Any) -> Any:
        mu = jnp.mean(x, axis=-1, keepdims=True)
        var = jnp.mean((x - mu) ** 2, axis=-1, keepdims=True)
        return jnp.sum(((x - mu) * jax.lax.rsqrt(var + W.LN_EPS) * w + b) * w_out)

    return _vg(f, inp, "x weight bias", (jnp.asarray(inp["w_out"]),))


def mlp_step(inp: W.Inputs) -> Callable[[], Outputs]:
    names = ("W1", "b1", "W2", "b2")
    x, target = jnp.asarray(inp["x"]), jnp.asarray(inp["target"])
    state = {"p": tuple(jnp.asarray(inp[k]) for k in names)}

    def loss_fn(p: tuple, x: Any, target: Any) -> Any:
        W1, b1, W2, b2 = p
        return _xent(jax.nn.relu(x @ W1 + b1) @ W2 + b2, target)

    @jax.jit
    def step(p: tuple, x: Any, target: Any) -> tuple:
        loss, g = jax.value_and_grad(loss_fn)(p, x, target)
        return loss, g, tuple(pi - W.MLP_LR * gi for pi, gi in zip(p, g, strict=True))

    def run() -> Outputs:
        loss, g, state["p"] = step(state["p"], x, target)
        out = {"loss": loss}
        for k, gk, pk in zip(names, g, state["p"], strict=True):
            out[f"d_{k}"] = gk
            out[f"new_{k}"] = pk
        return out

    return run


def adam(inp: W.Inputs) -> Callable[[], Outputs]:
    names = W._param_names(inp)
    grads = [jnp.asarray(inp[f"g{k[1:]}"]) for k in names]
    state: dict[str, Any] = {"p": [jnp.asarray(inp[k]) for k in names], "t": 0}
    state["m"] = [jnp.zeros_like(p) for p in state["p"]]
    state["v"] = [jnp.zeros_like(p) for p in state["p"]]
    b1, b2 = W.ADAM_BETAS

    @jax.jit
    def step(p: list, g: list, m: list, v: list, step_size: Any, sq2: Any) -> tuple:
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g, strict=True)]
        v = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g, strict=True)]
        p = [
            pi - step_size * mi / (jnp.sqrt(vi) / sq2 + W.ADAM_EPS)
            for pi, mi, vi in zip(p, m, v, strict=True)
        ]
        return p, m, v

    def run() -> Outputs:
        state["t"] += 1
        t = state["t"]
        dt = state["p"][0].dtype
        step_size = np.asarray(W.ADAM_LR / (1 - b1**t), dt)
        sq2 = np.asarray(math.sqrt(1 - b2**t), dt)
        state["p"], state["m"], state["v"] = step(
            state["p"], grads, state["m"], state["v"], step_size, sq2
        )
        return dict(zip(names, state["p"], strict=True))

    return run


def dispatch(inp: W.Inputs) -> Callable[[], Outputs]:
    def f(x: Any, y: Any) -> Any:
        h = x
        for _ in range(W.DISPATCH_ITERS):
            h = jnp.tanh(h * y + x) * 0.5
        return jnp.sum(h)

    return _vg(f, inp, "x y")


def logistic(inp: W.Inputs) -> Callable[[], Outputs]:
    return _vg(lambda w, x, b: 1 / (jnp.exp(-(w * x + b)) + 1), inp, "w x b")


BUILDERS: dict[str, Callable[[W.Inputs], Callable[[], Outputs]]] = W.builders(globals())


def finish(outputs: Outputs) -> None:
    """JAX dispatches asynchronously: wait for every output before the clock stops."""
    jax.block_until_ready(outputs)


def to_numpy(value: Any) -> np.ndarray:
    return np.array(value, copy=True)
