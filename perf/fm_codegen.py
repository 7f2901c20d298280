"""Compile CPU of generated eager kernels that call the fast exp/tanh/sin/cos, and their bits.

    JITGRAD_CACHE_DIR=$(mktemp -d) PYTHONPATH=<tree> python perf/fm_codegen.py

Why: generated kernels reach the fast-math helpers as ``_fm.exp32`` & co.; whether ``_fm`` is
:mod:`jitgrad.kernels.cpu.fastmath` (inlined in Numba's IR at each call site) or
:mod:`jitgrad.kernels.cpu.fastmath_calls` (compiled once, inlined by LLVM) changes what each
kernel costs to compile, and must not change a bit (perf/RESULTS.md, Run fmcodegen).

One process, an empty kernel cache (``JITGRAD_CACHE_DIR`` must name a fresh directory),
``JITGRAD_TIER0=0`` (every generated kernel compiles on its first call) and
``JITGRAD_LAZY=1`` (every elementwise result deferred: small chains fuse). A warm-up pays
Numba's start-up and the kernels every case shares (an add, a sum, a backward without math
calls); then the cases run forward and backward: chains of 1..6 exp/tanh/sin/cos calls in
float32 and float64 (their fused forward, backward and joint kernels), tanh-GELU and the chain
workload's formula. Prints the cases' process CPU seconds (``time.process_time``: waiting for
a core is not counted) as ``<s> s cpu``, the number of outermost Numba compiles and their
compiling thread's CPU, and a SHA-256 over every loss and gradient as ``digest <hex>``.
"""

from __future__ import annotations

import hashlib
import os
import time

os.environ.setdefault("JITGRAD_TIER0", "0")
os.environ.setdefault("JITGRAD_LAZY", "1")
os.environ.setdefault("JITGRAD_COMPILE_NOTICE", "0")
if not os.environ.get("JITGRAD_CACHE_DIR"):
    raise SystemExit("set JITGRAD_CACHE_DIR to a fresh directory (every kernel must compile)")

import numpy as np  # noqa: E402
from numba.core import event  # noqa: E402

import jitgrad as jg  # noqa: E402  (PYTHONPATH picks the tree)

FUNCS = ("exp", "tanh", "sin", "cos")
N = 4096


class _Compiles(event.Listener):
    """Counts outermost Numba compiles and their compiling thread's CPU seconds."""

    def __init__(self) -> None:
        self.count = self.cpu = 0
        self._depth = 0
        self._t0 = 0.0

    def on_start(self, ev: event.Event) -> None:
        if self._depth == 0:
            self._t0 = time.thread_time()
        self._depth += 1

    def on_end(self, ev: event.Event) -> None:
        self._depth -= 1
        if self._depth == 0:
            self.count += 1
            self.cpu += time.thread_time() - self._t0


def _leaf(rng: np.random.Generator, dtype: type, scale: float = 1.0) -> jg.Tensor:
    return jg.tensor((rng.standard_normal(N) * scale).astype(dtype), requires_grad=True)


def _chain(k: int, dtype: type, rng: np.random.Generator) -> list:
    """k calls, cycling exp/tanh/sin/cos, each on an affine function of the last result."""
    x, w = _leaf(rng, dtype), _leaf(rng, dtype, 0.5)
    y = x
    for j in range(k):
        y = getattr(jg, FUNCS[j % 4])(y * w + 0.25)
    loss = y.sum()
    loss.backward()
    return [loss, x.grad, w.grad]


def _gelu(dtype: type, rng: np.random.Generator) -> list:
    x = _leaf(rng, dtype)
    loss = (0.5 * x * (1 + jg.tanh(0.7978845608 * (x + 0.044715 * x**3)))).mean()
    loss.backward()
    return [loss, x.grad]


def _chain_workload(dtype: type, rng: np.random.Generator) -> list:
    x, y = _leaf(rng, dtype), _leaf(rng, dtype)
    loss = (jg.tanh(x * y + jg.sin(x)) * jg.exp(-x * x) / (1 + y * y)).sum()
    loss.backward()
    return [loss, x.grad, y.grad]


def cases() -> list:
    rng = np.random.default_rng(0)
    out = []
    for dtype in (np.float32, np.float64):
        for k in range(1, 7):
            out += _chain(k, dtype, rng)
        out += _gelu(dtype, rng) + _chain_workload(dtype, rng)
    return out


def main() -> None:
    x = jg.tensor(np.ones(N, np.float32), requires_grad=True)
    ((x + x) * x).sum().backward()  # warm-up: Numba's start-up, kernels every case shares
    listener = _Compiles()
    event.register("numba:compile", listener)
    t0 = time.process_time()
    results = cases()
    cpu = time.process_time() - t0
    digest = hashlib.sha256()
    for t in results:
        a = np.ascontiguousarray(t.detach().numpy())
        digest.update(a.dtype.str.encode() + a.tobytes())
    print(f"{cpu:.2f} s cpu; {listener.count} outermost compiles, {listener.cpu:.2f} s compiling")
    print(f"digest {digest.hexdigest()}")
    print(f"jitgrad from {os.path.dirname(os.path.abspath(jg.__file__))}")


if __name__ == "__main__":
    main()
