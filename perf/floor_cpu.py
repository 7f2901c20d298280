"""jitgrad against the hand-written floor on one thread, in CPU time: ratios a loaded machine
cannot bend as much as compare.py's wall-clock medians.

    python perf/floor_cpu.py [--workloads chain,gelu,mse] [--rounds 15]
    /tmp/torchenv/bin/python perf/floor_cpu.py     # adds torch.compile and JAX where they import

One process; Numba (and so jitgrad's pool and the floor's ``prange``) and torch set to one
thread; each round runs one step of every implementation in turn (interleaved), timed by
``time.process_time`` (CPU time of this process, every thread: another process taking the
core delays a step's wall time, not its CPU time; read after a short settle, see
:data:`SETTLE`) and ``time.perf_counter``. Prints per-implementation
medians and the median of the per-round ratios to the floor. ``jitgrad.compile``: the whole
step (``.grad = None``, forward, backward) captured, timed once its interpreter is built.
Full workload sizes (chain 4M, gelu and mse 8M float32), the same step bodies as compare.py
(``perf/impl_module.py``).
JAX's ``jit(value_and_grad)`` (``perf/impl_jax.py``) runs with XLA's CPU thread pool off
(``XLA_FLAGS``, set before JAX is imported) and waits for its outputs inside the timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import numba  # noqa: E402

import jitgrad  # noqa: E402
from perf import impl_jax, impl_module, impl_numba, impls, workloads  # noqa: E402


def _torch_compile() -> object | None:
    """perf.impls' torch.compile implementation on one thread; None where torch does not
    import."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return impls._load_torch_compile()


#: Seconds each step is given after it returns, inside its CPU time but not its wall time:
#: CPU that other threads spend after a step has returned belongs to that step. With the
#: steps back to back it landed in the next one's time: with JAX last in the round, the
#: floor's (first) chain read 24-26 ms, 16-19 without JAX (Run floor9).
SETTLE = 0.02


def _jax_step(name: str, inp: workloads.Inputs) -> Callable[[], object] | None:
    """perf.impl_jax's jit(value_and_grad) step on one thread, waited for; None where JAX
    does not import."""
    flags = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {flags}".strip()
    try:
        impl_jax.load()
    except ImportError:
        return None
    run = impl_jax.BUILDERS[name](inp)
    return lambda: impl_jax.finish(run())


def _compiled(name: str, inp: workloads.Inputs) -> Callable[[], object]:
    """The whole step (clearing the gradients, forward, backward) under ``jitgrad.compile``,
    once its tape interpreter is built (until then calls run eagerly), its loss and
    gradients checked bitwise against eager jitgrad's."""
    step = getattr(impl_module, name)(jitgrad, inp)
    compiled = jitgrad.compile(lambda: step()["loss"])
    compiled()
    for _ in range(600):
        programs = [p for e in compiled._capture.entries.values() if type(e) is list for p in e]
        if programs and all(p.kernel is not None or p.runnable() for p in programs):
            break
        time.sleep(0.5)
    leaves = [ref[1] for p in programs for ref, _ in p.grads if ref[0] == "ext"]
    loss = compiled()
    got = [loss.detach().numpy().tobytes()] + [t.grad.numpy().tobytes() for t in leaves]
    want = step()["loss"]
    same = got == [want.detach().numpy().tobytes()] + [t.grad.numpy().tobytes() for t in leaves]
    print(f"  {name}: jitgrad.compile: {compiled.explain().splitlines()[-1].strip()}")
    print(f"  {name}: jitgrad.compile loss and {len(leaves)} gradient(s) bitwise eager's: {same}")
    return compiled


def _steps(name: str, inp: workloads.Inputs) -> dict[str, Callable[[], object]]:
    steps = {"floor": impl_numba.BUILDERS[name](inp)}
    steps["jitgrad"] = getattr(impl_module, name)(jitgrad, inp)
    steps["jitgrad.compile"] = _compiled(name, inp)
    tc = _torch_compile()
    if tc is not None:
        steps["torch.compile"] = getattr(impl_module, name)(tc, inp)
    jx = _jax_step(name, inp)
    if jx is not None:
        steps["jax jit"] = jx
    return steps


def measure(name: str, rounds: int) -> None:
    inp = workloads.WORKLOADS[name].inputs(quick=False)
    steps = _steps(name, inp)
    for step in steps.values():  # compile, build the joint kernel, fault the pages in
        for _ in range(3):
            step()
    cpu: dict[str, list[float]] = {k: [] for k in steps}
    wall: dict[str, list[float]] = {k: [] for k in steps}
    for _ in range(rounds):
        for k, step in steps.items():
            c0, w0 = time.process_time(), time.perf_counter()
            step()
            wall[k].append(time.perf_counter() - w0)
            time.sleep(SETTLE)
            cpu[k].append(time.process_time() - c0)
    print(f"{name} (one thread, {rounds} interleaved rounds, load {os.getloadavg()[0]:.1f})")
    for k in steps:
        r_cpu = statistics.median(c / f for c, f in zip(cpu[k], cpu["floor"], strict=True))
        r_wall = statistics.median(c / f for c, f in zip(wall[k], wall["floor"], strict=True))
        print(
            f"  {k:14s} cpu median {statistics.median(cpu[k]) * 1e3:8.2f} ms (min "
            f"{min(cpu[k]) * 1e3:8.2f})  wall median {statistics.median(wall[k]) * 1e3:8.2f} ms"
            f"  / floor: cpu {r_cpu:5.2f} wall {r_wall:5.2f}"
        )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python perf/floor_cpu.py")
    p.add_argument("--workloads", default="chain,gelu,mse")
    p.add_argument("--rounds", type=int, default=15)
    args = p.parse_args(argv)
    numba.set_num_threads(1)
    for name in args.workloads.split(","):
        measure(name, args.rounds)


if __name__ == "__main__":
    main()
