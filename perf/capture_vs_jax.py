"""Issue 16's capture targets against JAX ``jit`` in the same run: the 200-op dispatch
workload and the scalar logistic-regression step (with its SGD update).

Each measurement is one process (this script with ``--lib jitgrad`` or ``--lib jax``; the
parent alternates them, ``--reps`` each) that builds the step, warms it (jitgrad: the trace,
then replays; JAX: the ``jit`` compile) and prints the best of 15 ``timeit`` repeats of 200
calls, in process CPU time by default (the machine is shared: wall time counts other
processes' load). The parent prints the medians over processes and the ratio.

The jitgrad child runs with ``JITGRAD_CAPTURE_BACKGROUND=0``: its first replay waits for the
tape interpreter's compile (once per cache), as JAX's warm-up waits for its ``jit`` compile;
in the default background mode a process that ends before that compile does timed eager
calls (session 18's closing run read 97.4 us "per step" so; perf/RESULTS.md, Run
logistic19). The child refuses to print a figure unless every program it captured replays
on compiled code (``explain()`` says why not). A first run's cost is
``perf/capture_first_run.py``'s.

* dispatch: ``h = tanh(h * y + x) * 0.5`` 50 times (200 ops) on 16 float32 elements, then
  ``sum``; value and the gradients of x and y (perf/workloads.py's ``dispatch``). Per op.
* logistic: ``p = 1 / (exp(-(w * x + b)) + 1)`` on 0-d float32 tensors, ``backward()``,
  then SGD ``w -= 0.01 * dw`` (perf/micro_ab.py's ``logistic_c``). Per step.

    python perf/capture_vs_jax.py --reps 5          # jax from /tmp/torchenv/bin/python
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import timeit

ITERS = 50


def _jitgrad(which: str):
    import jitgrad as torch

    if which == "dispatch":
        x = torch.randn(16, requires_grad=True)
        y = torch.randn(16, requires_grad=True)

        def step():
            x.grad = y.grad = None
            h = x
            for _ in range(ITERS):
                h = torch.tanh(h * y + x) * 0.5
            h.sum().backward()

        return torch.compile(step), 4 * ITERS
    w = torch.tensor(0.3, requires_grad=True)
    b = torch.tensor(0.1, requires_grad=True)
    xs = torch.tensor(1.5)
    opt = torch.optim.SGD([w, b], lr=0.01)

    def logistic_step():
        opt.zero_grad()
        p = 1 / (torch.exp(-(w * xs + b)) + 1)
        p.backward()
        opt.step()

    return torch.compile(logistic_step), 1


def _jax(which: str):
    import jax
    import jax.numpy as jnp
    import numpy as np

    if which == "dispatch":
        rng = np.random.default_rng(0)
        x = jnp.asarray(rng.standard_normal(16, dtype=np.float32))
        y = jnp.asarray(rng.standard_normal(16, dtype=np.float32))

        def f(x, y):
            h = x
            for _ in range(ITERS):
                h = jnp.tanh(h * y + x) * 0.5
            return jnp.sum(h)

        vg = jax.jit(jax.value_and_grad(f, argnums=(0, 1)))
        return (lambda: jax.block_until_ready(vg(x, y))), 4 * ITERS

    def loss(w, b, x):
        return 1 / (jnp.exp(-(w * x + b)) + 1)

    @jax.jit
    def step(w, b, x):
        g_w, g_b = jax.grad(loss, argnums=(0, 1))(w, b, x)
        return w - 0.01 * g_w, b - 0.01 * g_b

    state = [jnp.float32(0.3), jnp.float32(0.1)]
    xs = jnp.float32(1.5)

    def run():
        state[0], state[1] = jax.block_until_ready(step(state[0], state[1], xs))

    return run, 1


def child(lib: str, which: str, clock: str) -> None:
    fn, per = (_jitgrad if lib == "jitgrad" else _jax)(which)
    for _ in range(200):
        fn()
    if lib == "jitgrad":
        entries = fn._capture.entries.values()
        programs = [p for e in entries if type(e) is list for p in e]
        if not programs or any(p.kernel is None for p in programs):
            sys.exit(f"jitgrad's {which} step does not replay:\n{fn.explain()}")
    timer = time.process_time if clock == "cpu" else time.perf_counter
    best = min(timeit.repeat(fn, number=200, repeat=15, timer=timer)) / 200 / per
    print(f"RESULT {best * 1e6:.4f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lib", default=None)
    ap.add_argument("--which", default=None)
    ap.add_argument("--clock", default="cpu", help="cpu (default) or wall")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--jax-python", default="/tmp/torchenv/bin/python")
    a = ap.parse_args()
    if a.lib:
        child(a.lib, a.which, a.clock)
        return
    import os

    print("load before:", os.getloadavg(), flush=True)
    for which in ("dispatch", "logistic"):
        got: dict[str, list[float]] = {"jitgrad": [], "jax": []}
        for rep in range(a.reps):
            for lib in ("jitgrad", "jax") if rep % 2 == 0 else ("jax", "jitgrad"):
                py = sys.executable if lib == "jitgrad" else a.jax_python
                cmd = [py, __file__, "--lib", lib, "--which", which, "--clock", a.clock]
                env = dict(os.environ, JITGRAD_CAPTURE_BACKGROUND="0")
                out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
                got[lib].append(float(out.stdout.split("RESULT")[-1]))
        mj, mx = statistics.median(got["jitgrad"]), statistics.median(got["jax"])
        unit = "us per op" if which == "dispatch" else "us per step"
        print(f"{which}: jitgrad.compile {mj:.3f} {unit} ({got['jitgrad']}), JAX jit {mx:.3f} "
              f"({got['jax']}); jitgrad/JAX {mj / mx:.2f}", flush=True)  # fmt: skip
    print("load after:", os.getloadavg())


if __name__ == "__main__":
    main()
