"""The workload table that drives both ``perf/compare.py`` and the pytest-benchmark suites.

One table, so the runner, the benchmark suites and the README can never disagree about what a
workload computes, how big it is, or how many bytes/FLOPs its floor is computed from. Each entry
only *describes* a workload (inputs, minimal traffic, units); the implementations live in the
``impl_*`` modules, keyed by workload name.

Inputs are made from a seeded generator so every implementation, the float64 reference and
every run see the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Hyper-parameters shared by every implementation (they must agree for the gradient check).
GELU_C = 0.7978845608
GELU_A = 0.044715
LN_EPS = 1e-5
MLP_LR = 0.01
ADAM_LR = 1e-3
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
#: The dispatch-bound chain repeats 4 ops (mul, add, tanh, mul) this many times: 200 ops.
DISPATCH_ITERS = 50
DISPATCH_OPS = 4 * DISPATCH_ITERS

Inputs = dict[str, np.ndarray]


@dataclass(frozen=True)
class Workload:
    """A workload: what it computes, its inputs, and what its floor is computed from.

    ``floor`` is ``"bandwidth"`` (time = ``bytes_moved`` / measured copy bandwidth),
    ``"gemm"`` (time = ``flops`` / measured sgemm FLOP/s) or ``None`` (overhead-bound
    workloads, where only the ratio to the fastest implementation means something).
    ``per_call`` divides the time of one call for display: 200 for "us per op".
    ``derive`` turns an implementation's outputs into the compared quantities (e.g. the
    parameter update rather than the updated parameters, which a no-op would nearly match).
    """

    name: str
    title: str
    group: str
    dtype: str
    make: Callable[[bool, np.random.Generator, str], Inputs]
    floor: str | None
    bytes_moved: Callable[[Inputs], int] | None = None
    flops: Callable[[Inputs], int] | None = None
    unit: str = "ms"
    per_call: int = 1
    mutates: bool = False
    derive: Callable[[dict[str, np.ndarray], Inputs], dict[str, np.ndarray]] | None = None
    size: Callable[[Inputs], str] = field(default=lambda inp: "")

    def inputs(self, quick: bool, seed: int = 0) -> Inputs:
        """The workload's inputs at its dtype; ``quick`` gives the tiny CI sizes."""
        return self.make(quick, np.random.default_rng(seed), self.dtype)


def _randn(rng: np.random.Generator, shape, dtype: str, scale: float = 1.0) -> np.ndarray:
    return (rng.standard_normal(shape) * scale).astype(dtype)


def _nbytes(*names: str, factor: int = 1) -> Callable[[Inputs], int]:
    """Bytes of the named inputs, each counted ``factor`` times (read + gradient written)."""
    return lambda inp: factor * sum(inp[n].nbytes for n in names)


def _elements(*names: str) -> Callable[[Inputs], str]:
    return lambda inp: ", ".join(f"{n}: {'x'.join(map(str, inp[n].shape))}" for n in names)


# ---- input factories -----------------------------------------------------------------------


def _make_chain(quick: bool, rng: np.random.Generator, dtype: str) -> Inputs:
    n = 1 << 16 if quick else 1 << 22
    return {"x": _randn(rng, n, dtype), "y": _randn(rng, n, dtype)}


def _make_gelu(quick: bool, rng: np.random.Generator, dtype: str) -> Inputs:
    n = 1 << 16 if quick else 1 << 23
    return {"x": _randn(rng, n, dtype, 2.0)}


def _make_mse(quick: bool, rng: np.random.Generator, dtype: str) -> Inputs:
    n = 1 << 16 if quick else 1 << 23
    return {"a": _randn(rng, n, dtype), "b": _randn(rng, n, dtype)}


def _make_xent(quick: bool, rng: np.random.Generator, dtype: str) -> Inputs:
    rows, classes = (256, 100) if quick else (4096, 1000)
    return {
        "logits": _randn(rng, (rows, classes), dtype, 2.0),
        "target": rng.integers(0, classes, rows).astype(np.int64),
    }


def _make_softmax(quick: bool, rng: np.random.Generator, dtype: str) -> Inputs:
    rows, classes = (256, 100) if quick else (4096, 1000)
    return {"x": _randn(rng, (rows, classes), dtype, 2.0), "w": _randn(rng, (rows, classes), dtype)}


def _make_layernorm(quick: bool, rng: np.random.Generator, dtype: str) -> Inputs:
    rows, dim = (256, 128) if quick else (4096, 1024)
    return {
        "x": _randn(rng, (rows, dim), dtype),
        "weight": (1 + _randn(rng, dim, "float64", 0.1)).astype(dtype),
        "bias": _randn(rng, dim, dtype, 0.1),
        "w_out": _randn(rng, (rows, dim), dtype),
    }


def _make_mlp(quick: bool, rng: np.random.Generator, dtype: str) -> Inputs:
    batch, d_in, hidden, classes = (64 if quick else 512), 784, 512, 10
    return {
        "x": _randn(rng, (batch, d_in), dtype),
        "target": rng.integers(0, classes, batch).astype(np.int64),
        "W1": _randn(rng, (d_in, hidden), dtype, (2 / d_in) ** 0.5),
        "b1": _randn(rng, hidden, dtype, 0.01),
        "W2": _randn(rng, (hidden, classes), dtype, (1 / hidden) ** 0.5),
        "b2": _randn(rng, classes, dtype, 0.01),
    }


#: ~1M parameters in tensors of the sizes a small network has (986,368 in all).
ADAM_SHAPES = [(1024, 512), (512, 512), (512, 256), (256, 256), (512,), (256,), (10, 256)]
ADAM_SHAPES_QUICK = [(128, 256), (256, 64), (256,), (10, 64)]


def _make_adam(quick: bool, rng: np.random.Generator, dtype: str) -> Inputs:
    out: Inputs = {}
    for i, shape in enumerate(ADAM_SHAPES_QUICK if quick else ADAM_SHAPES):
        out[f"p{i}"] = _randn(rng, shape, dtype)
        out[f"g{i}"] = _randn(rng, shape, dtype)
    return out


def _make_dispatch(quick: bool, rng: np.random.Generator, dtype: str) -> Inputs:
    return {"x": _randn(rng, 16, dtype, 0.5), "y": _randn(rng, 16, dtype)}


def _make_chain_small(quick: bool, rng: np.random.Generator, dtype: str) -> Inputs:
    return {"x": _randn(rng, 16, dtype), "y": _randn(rng, 16, dtype)}


def _make_logistic(quick: bool, rng: np.random.Generator, dtype: str) -> Inputs:
    return {n: np.asarray(rng.standard_normal(), dtype=dtype) for n in ("w", "x", "b")}


# ---- derived quantities --------------------------------------------------------------------


def _param_names(inp: Inputs) -> list[str]:
    return [k for k in inp if k.startswith("p") and k[1:].isdigit()]


def _adam_derive(out: dict[str, np.ndarray], inp: Inputs) -> dict[str, np.ndarray]:
    """Compare the update ``p_new - p_old``: ~1e-3 of ``p``, so a no-op cannot pass."""
    return {f"delta_{k}": np.asarray(out[k], np.float64) - inp[k] for k in _param_names(inp)}


def _mlp_derive(out: dict[str, np.ndarray], inp: Inputs) -> dict[str, np.ndarray]:
    """Gradients as they are; updated parameters as updates, so the SGD step is checked too."""
    res = {k: v for k, v in out.items() if not k.startswith("new_")}
    for k in ("W1", "b1", "W2", "b2"):
        res[f"delta_{k}"] = np.asarray(out[f"new_{k}"], np.float64) - inp[k]
    return res


def _mlp_flops(inp: Inputs) -> int:
    """Matmul FLOPs: forward x@W1, h@W2; backward dW2, dh, dW1 (x needs no gradient)."""
    batch, d_in = inp["x"].shape
    hidden, classes = inp["W2"].shape
    return 2 * batch * (2 * d_in * hidden + 3 * hidden * classes)


def _adam_bytes(inp: Inputs) -> int:
    """Per parameter element: read p, g, m, v and write p, m, v."""
    return 7 * sum(inp[k].nbytes for k in _param_names(inp))


def _xent_bytes(inp: Inputs) -> int:
    return 2 * inp["logits"].nbytes + inp["target"].nbytes


def _softmax_bytes(inp: Inputs) -> int:
    """Read x and w, write dx."""
    return 3 * inp["x"].nbytes


def _ln_bytes(inp: Inputs) -> int:
    """Read x and the upstream weights w_out, write dx; the per-column vectors are tiny."""
    return 3 * inp["x"].nbytes + 4 * inp["weight"].nbytes


CHAIN = "sum(tanh(x*y + sin(x)) * exp(-x*x) / (1 + y*y))"

_ALL = [
    Workload(
        "chain",
        CHAIN,
        "elementwise",
        "float32",
        _make_chain,
        "bandwidth",
        bytes_moved=_nbytes("x", "y", factor=2),
        size=_elements("x", "y"),
    ),
    Workload(
        "gelu",
        "mean(0.5*x*(1 + tanh(0.7978845608*(x + 0.044715*x**3))))",
        "elementwise",
        "float32",
        _make_gelu,
        "bandwidth",
        bytes_moved=_nbytes("x", factor=2),
        size=_elements("x"),
    ),
    Workload(
        "mse",
        "mean((a - b)**2)",
        "elementwise",
        "float32",
        _make_mse,
        "bandwidth",
        bytes_moved=_nbytes("a", "b", factor=2),
        size=_elements("a", "b"),
    ),
    Workload(
        "softmax_xent",
        "cross_entropy(logits, target), int64 targets",
        "nn",
        "float32",
        _make_xent,
        "bandwidth",
        bytes_moved=_xent_bytes,
        size=_elements("logits"),
    ),
    Workload(
        "softmax",
        "sum(softmax(x, dim=1) * w), forward and backward",
        "nn",
        "float32",
        _make_softmax,
        "bandwidth",
        bytes_moved=_softmax_bytes,
        size=_elements("x"),
    ),
    Workload(
        "layernorm",
        "sum(layer_norm(x, weight, bias) * w_out)",
        "nn",
        "float32",
        _make_layernorm,
        "bandwidth",
        bytes_moved=_ln_bytes,
        size=_elements("x"),
    ),
    Workload(
        "mlp_step",
        "784-512-10 relu MLP, cross-entropy, backward, SGD step",
        "nn",
        "float32",
        _make_mlp,
        "gemm",
        flops=_mlp_flops,
        mutates=True,
        derive=_mlp_derive,
        size=_elements("x"),
    ),
    Workload(
        "adam",
        "one Adam step over ~1M parameters in 7 tensors",
        "nn",
        "float32",
        _make_adam,
        "bandwidth",
        bytes_moved=_adam_bytes,
        mutates=True,
        derive=_adam_derive,
        size=lambda inp: f"{sum(inp[k].size for k in _param_names(inp)):,} params",
    ),
    Workload(
        "dispatch",
        f"{DISPATCH_OPS} elementwise ops on 16 elements, forward+backward",
        "overhead",
        "float32",
        _make_dispatch,
        None,
        unit="us/op",
        per_call=DISPATCH_OPS,
        size=_elements("x", "y"),
    ),
    Workload(
        "logistic",
        "1/(exp(-(w*x + b)) + 1) on 0-d tensors, forward+backward",
        "overhead",
        "float32",
        _make_logistic,
        None,
        unit="us/iter",
        size=lambda inp: "0-d w, x, b",
    ),
    Workload(
        "chain_small",
        CHAIN + " on 16 elements: one fused group's per-step cost",
        "overhead",
        "float32",
        _make_chain_small,
        None,
        unit="us/iter",
        size=_elements("x", "y"),
    ),
    Workload(
        "mse_f64",
        "mean((a - b)**2), float64",
        "elementwise",
        "float64",
        _make_mse,
        "bandwidth",
        bytes_moved=_nbytes("a", "b", factor=2),
        size=_elements("a", "b"),
    ),
    Workload(
        "chain_f64",
        CHAIN + ", float64",
        "elementwise",
        "float64",
        _make_chain,
        "bandwidth",
        bytes_moved=_nbytes("x", "y", factor=2),
        size=_elements("x", "y"),
    ),
]

#: name -> Workload, in report order.
WORKLOADS: dict[str, Workload] = {w.name: w for w in _ALL}

#: A variant (another dtype or size) runs the implementation code of its base workload.
BASE = {"mse_f64": "mse", "chain_f64": "chain", "chain_small": "chain"}


def base_name(name: str) -> str:
    """The workload whose implementation code a (dtype) variant shares."""
    return BASE.get(name, name)


def builders(namespace: dict[str, Any]) -> dict[str, Any]:
    """An implementation module's ``BUILDERS``: its function named after each workload that
    has its own code (not a dtype variant), in report order."""
    return {name: namespace[name] for name in WORKLOADS if name not in BASE}
