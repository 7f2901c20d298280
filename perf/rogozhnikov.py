"""A. Rogozhnikov's "Fastest Autograd in the West" benchmark: many scalar ops, eager.

The graph (https://arogozhnikov.github.io/2023/12/28/fastest-autograd.html): 100 leaves from
``arange(100)``, then ``n_ops`` operations cycling through softplus of one node, the sum of
four nodes, the product of two, and softmax over four stacked nodes (which adds four nodes);
``backward()`` from the last node. Every tensor is a 0-d scalar, so the time is all per-op
overhead: graph recording, dispatch, and the backward walk. The number reported is wall time
per op-iteration (one op forward and its share of the backward), median over repetitions.
Issue 16's anchor on the project machine: PyTorch eager ~11-14.5 us, jitgrad eager 48 us.

    python perf/rogozhnikov.py                       # jitgrad, 1000 ops x 20 iterations
    python perf/rogozhnikov.py --ops 10000 --iters 5
    python perf/rogozhnikov.py --breakdown            # and each op kind's forward alone
    /tmp/torchenv/bin/python perf/rogozhnikov.py --lib torch   # the same code on PyTorch
    python perf/rogozhnikov.py --compile --ops 10000  # jitgrad.compile: capture time, replay
    python perf/rogozhnikov.py --cpu-time             # CPU seconds: steadier on a busy machine
    python perf/rogozhnikov.py --gc-stats             # objects kept per op (by type), GC
    python perf/rogozhnikov.py --gc-off --cpu-time    # the collector off: the object bound
    python perf/rogozhnikov.py --compile --mode max-autotune   # straight-line source per graph

``--compile`` wraps one step (build the graph, ``backward()``) in ``jitgrad.compile``: it
reports the capture time (the first call, which runs the step eagerly while tracing it, and
the second, which traces again because the leaves now hold a ``.grad``) and the replay time
per op-iteration.

Only the chosen library and the standard library are imported, so the script runs under any
interpreter that has that library.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import statistics
import time
from typing import Any


def run_graph(m: Any, initial: Any, n_ops: int) -> list:
    """The benchmark's graph, written as in the post, with ``m`` for ``torch``."""
    F = m.nn.functional
    nodes = [*initial]
    for op in range(n_ops):
        kind = op % 4
        if kind == 0:
            nodes.append(F.softplus(nodes[-10]))
        elif kind == 1:
            nodes.append(sum(nodes[-30:-10:5]))
        elif kind == 2:
            nodes.append(nodes[-20] * nodes[-10])
        else:
            nodes.extend(F.softmax(m.stack(nodes[-4:], dim=0), dim=0))
    return nodes


def bench(lib: str, n_ops: int, iters: int, repeats: int, clock: Any = time.perf_counter) -> dict:
    """Median and min wall time (or ``clock``'s time) per op-iteration, in microseconds, plus
    the leaves' summed absolute gradient (so two libraries can be checked against each other)."""
    m = importlib.import_module(lib)
    importlib.import_module(f"{lib}.nn.functional")
    leaves = m.arange(100, dtype=m.float32, requires_grad=True)
    for _ in range(2):  # warm-up: kernel compiles (jitgrad), allocator pools
        run_graph(m, leaves, n_ops)[-1].backward()
    samples = []
    for _ in range(repeats):
        leaves.grad = None
        t0 = clock()
        for _ in range(iters):
            run_graph(m, leaves, n_ops)[-1].backward()
        samples.append((clock() - t0) / (iters * n_ops) * 1e6)
    return {
        "lib": lib,
        "median_us": statistics.median(samples),
        "min_us": min(samples),
        "grad_abs_sum": float(leaves.grad.abs().sum()) / iters,
    }


def bench_compiled(n_ops: int, iters: int, repeats: int, mode: str | None = None) -> dict:
    """``bench`` for ``jitgrad.compile``: capture seconds, then replay per op-iteration."""
    m = importlib.import_module("jitgrad")

    leaves = m.arange(100, dtype=m.float32, requires_grad=True)

    def step(leaves: Any) -> None:
        run_graph(m, leaves, n_ops)[-1].backward()

    warm = m.compile(lambda leaves: run_graph(m, leaves, 8)[-1].backward())
    warm(m.arange(100, dtype=m.float32, requires_grad=True))  # loads the interpreter (once)
    compiled = m.compile(step, mode=mode)
    captures = []
    for _ in range(2):  # no .grad yet, then a .grad to accumulate into: two guard sets
        t0 = time.perf_counter()
        compiled(leaves)
        captures.append(time.perf_counter() - t0)
    samples = []
    for _ in range(repeats):
        leaves.grad = None
        compiled(leaves)  # the no-.grad program
        t0 = time.perf_counter()
        for _ in range(iters):
            compiled(leaves)
        samples.append((time.perf_counter() - t0) / (iters * n_ops) * 1e6)
    return {
        "lib": "jitgrad.compile",
        "capture_s": captures,
        "median_us": statistics.median(samples),
        "min_us": min(samples),
        "grad_abs_sum": float(leaves.grad.abs().sum()) / (iters + 1),
    }


def gc_stats(lib: str, n_ops: int, graphs: int = 20) -> dict[str, float]:
    """What the cycle collector sees: GC-tracked objects one live graph keeps per op (the
    ``gc.get_objects()`` delta over a forward, collector off; the 8 commonest types), and
    the collections per 1000
    op-iterations of ``graphs`` whole steps after a ``gc.collect()`` (by generation), with
    the thread CPU time spent inside them per op-iteration (a full collection walks every
    object not frozen: with JITGRAD_GC_FREEZE=1 jitgrad freezes its settled heap, see
    jitgrad/engine/heap.py). Every object a graph keeps is walked by each young collection it
    lives through and is promoted towards the full collections; PyTorch's C++ graph keeps only
    its tensors."""
    m = importlib.import_module(lib)
    importlib.import_module(f"{lib}.nn.functional")
    leaves = m.arange(100, dtype=m.float32, requires_grad=True)
    for _ in range(2):
        run_graph(m, leaves, n_ops)[-1].backward()
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        before = {id(o) for o in gc.get_objects()}
        nodes = run_graph(m, leaves, n_ops)
        made = [o for o in gc.get_objects() if id(o) not in before]
    finally:
        if was_enabled:
            gc.enable()
    kept = len(made) / n_ops
    kinds: dict[str, int] = {}
    for o in made:
        kinds[type(o).__name__] = kinds.get(type(o).__name__, 0) + 1
    by_type = sorted(kinds.items(), key=lambda kv: -kv[1])[:8]
    del nodes, made
    counts = [0, 0, 0]
    spent = [0.0, 0.0, 0.0]  # thread CPU seconds inside the collector, by generation
    started = [0.0]

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            counts[info["generation"]] += 1
            started[0] = time.thread_time()
        else:
            spent[info["generation"]] += time.thread_time() - started[0]

    gc.collect()
    gc.callbacks.append(count)
    try:
        for _ in range(graphs):
            run_graph(m, leaves, n_ops)[-1].backward()
    finally:
        gc.callbacks.remove(count)
    per = 1000 / (graphs * n_ops)
    return {
        "objects kept per op": kept,
        **{f"  of which {name}": n / n_ops for name, n in by_type},
        **{f"gen{g} collections per 1000 ops": c * per for g, c in enumerate(counts)},
        **{f"gen{g} collector us per op-iteration": t * 1e3 * per for g, t in enumerate(spent)},
    }


def breakdown(lib: str, calls: int = 2000) -> dict[str, float]:
    """Forward time per call of each op kind of the graph, on 0-d tensors that require grad
    (microseconds, median of 5 runs of ``calls`` calls): where the forward half goes.
    ``graph forward`` and ``graph backward`` split one op-iteration of the whole graph."""
    m = importlib.import_module(lib)
    F = importlib.import_module(f"{lib}.nn.functional")
    leaves = m.arange(100, dtype=m.float32, requires_grad=True)
    a, b, c, d = [leaves[i] * 1 for i in range(4)]
    s = m.stack([a, b, c, d], dim=0)
    y = F.softmax(s, dim=0)
    kinds = {
        "softplus": lambda: F.softplus(a),
        "sum of 4 (python sum)": lambda: sum([a, b, c, d]),
        "product": lambda: a * b,
        "stack of 4": lambda: m.stack([a, b, c, d], dim=0),
        "softmax of 4": lambda: F.softmax(s, dim=0),
        "iterate over 4": lambda: list(y),
        "iterate over the 100 leaves": lambda: list(leaves),
    }
    out = {}
    for name, fn in kinds.items():
        fn()
        runs = []
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(calls):
                fn()
            runs.append((time.perf_counter() - t0) / calls * 1e6)
        out[name] = min(runs)
    n_ops, fwd, full = 200, [], []
    for _ in range(2):  # warm-up, as in bench: the backward's first sweeps record and compile
        run_graph(m, leaves, n_ops)[-1].backward()
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(5):
            run_graph(m, leaves, n_ops)
        fwd.append((time.perf_counter() - t0) / (5 * n_ops) * 1e6)
        t0 = time.perf_counter()
        for _ in range(5):
            run_graph(m, leaves, n_ops)[-1].backward()
        full.append((time.perf_counter() - t0) / (5 * n_ops) * 1e6)
    out["graph forward (per op)"] = statistics.median(fwd)
    out["graph backward (per op)"] = statistics.median(full) - out["graph forward (per op)"]
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lib", default="jitgrad", help="jitgrad (default) or torch")
    ap.add_argument("--ops", type=int, default=1000, help="operations per graph")
    ap.add_argument("--iters", type=int, default=20, help="graphs per timed repetition")
    ap.add_argument("--repeats", type=int, default=5, help="timed repetitions")
    ap.add_argument(
        "--breakdown", action="store_true", help="also time each op kind's forward alone"
    )
    ap.add_argument("--compile", action="store_true", help="jitgrad.compile the step")
    ap.add_argument(
        "--gc-stats",
        action="store_true",
        help="also report GC-tracked objects kept per op and collections per 1000 ops",
    )
    ap.add_argument(
        "--cpu-time",
        action="store_true",
        help="time the process's CPU seconds, not wall time (steadier on a shared machine)",
    )
    ap.add_argument(
        "--gc-off",
        action="store_true",
        help="time with the cycle collector off: what no GC-tracked object per op would save",
    )
    ap.add_argument("--mode", default=None, help="jitgrad.compile's mode= (max-autotune: "
                    "straight-line source per graph; default: the tape interpreter)")
    args = ap.parse_args(argv)
    if args.compile:
        r = bench_compiled(args.ops, args.iters, args.repeats, args.mode)
        print(
            f"jitgrad.compile(mode={args.mode}): capture {r['capture_s'][0]:.2f} s + "
            f"{r['capture_s'][1]:.2f} s "
            f"(first call, then with .grad); replay {r['median_us'] * 1e3:.0f} ns per "
            f"op-iteration (median of {args.repeats}, min {r['min_us'] * 1e3:.0f}); "
            f"{args.ops} ops x {args.iters} iterations; leaf |gradient| sum per iteration "
            f"{r['grad_abs_sum']:.6g}"
        )
        return
    if args.breakdown:
        for name, us in breakdown(args.lib).items():
            print(f"  {name:30s} {us:7.2f} us")
    if args.gc_stats:
        for name, value in gc_stats(args.lib, args.ops).items():
            print(f"  {name:34s} {value:7.2f}")
    clock = time.process_time if args.cpu_time else time.perf_counter
    if args.gc_off:
        gc.collect()
        gc.disable()
    r = bench(args.lib, args.ops, args.iters, args.repeats, clock)
    print(
        f"{r['lib']}{' (collector off)' if args.gc_off else ''}: "
        f"{r['median_us']:.1f} us per op-iteration (median of {args.repeats}, "
        f"min {r['min_us']:.1f}); {args.ops} ops x {args.iters} iterations; "
        f"leaf |gradient| sum per iteration {r['grad_abs_sum']:.6g}"
    )


if __name__ == "__main__":
    main()
