"""Compare jitgrad with numpy, hand-fused Numba, torch eager and JAX on the same workloads.

    python perf/compare.py                 # full run, a few minutes
    python perf/compare.py --quick         # tiny sizes, all implementations, < 1 minute (CI)
    python perf/compare.py --workloads chain,mse --impls jitgrad,torch --repeat 20

One process, one run: hardware floors (copy bandwidth, sgemm) are measured at the start and
the end, every implementation is checked against a float64 numpy reference before it is timed,
and the timing is interleaved round-robin across implementations after warm-up. Results go to
the terminal and to ``compare.json``, ``compare.md`` and ``compare.png`` under ``--out``
(default ``perf/results/``). Exit status 3 means some implementation computed a WRONG result.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``perf`` importable, drop perf/ itself
    _ROOT = Path(__file__).resolve().parent.parent
    sys.path[0] = str(_ROOT)

from perf import chart, compile_time, floors, harness, isolated, machine, report  # noqa: E402
from perf.impl_numpy import reference  # noqa: E402
from perf.impls import IMPL_KEYS, all_impls  # noqa: E402
from perf.progress import Progress  # noqa: E402
from perf.workloads import WORKLOADS  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python perf/compare.py",
        description="Interleaved, floor-referenced comparison of jitgrad against its peers.",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes, 2 repetitions: checks the runner works (CI), not speed",
    )
    p.add_argument(
        "--workloads", default="", help=f"comma-separated subset of: {','.join(WORKLOADS)}"
    )
    p.add_argument("--impls", default="", help=f"comma-separated subset of: {','.join(IMPL_KEYS)}")
    p.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="interleaved repetitions per workload (default 15, quick 2)",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    p.add_argument(
        "--compile",
        default=None,
        help="workloads for the jitgrad cold/warm/hot compile-time probe "
        "(default chain,mlp_step; none with --quick; empty string: skip)",
    )
    p.add_argument("--no-chart", action="store_true", help="do not draw the PNG")
    p.add_argument(
        "--in-process",
        action="store_true",
        help="time every implementation in this process instead of one worker process each "
        "(their thread pools then compete: see perf/isolated.py)",
    )
    p.add_argument(
        "--site",
        action="append",
        default=[],
        help="a site-packages folder searched after this Python's own (e.g. a venv's that has "
        "torch: /tmp/torchenv/lib/python3.11/site-packages); the workers inherit it",
    )
    p.add_argument("--list-workloads", action="store_true", help="print workload names and exit")
    args = p.parse_args(argv)
    args.workloads = _subset(p, args.workloads, list(WORKLOADS), "workload")
    args.impls = _subset(p, args.impls, IMPL_KEYS, "implementation")
    if args.repeat is None:
        args.repeat = 2 if args.quick else 15
    if args.compile is None:
        args.compile = "" if args.quick else "chain,mlp_step"
    _subset(p, args.compile, list(WORKLOADS), "compile workload")
    return args


def _subset(p: argparse.ArgumentParser, text: str, known: list[str], what: str) -> list[str]:
    chosen = [s.strip() for s in text.split(",") if s.strip()] or list(known)
    bad = [s for s in chosen if s not in known]
    if bad:
        p.error(f"unknown {what}(s) {', '.join(bad)}; choose from {', '.join(known)}")
    return [k for k in known if k in chosen]


def _start_workers(impls: list) -> dict[str, isolated.Worker]:
    """A worker process per implementation that loaded here (the rest report why not)."""
    return {i.key: isolated.Worker(i.key) for i in impls if not i.error}


def _prepare_in_worker(worker, impl, wl, quick: bool, ref_path: Path) -> harness.Result:
    try:
        return worker.prepare(wl.name, quick, ref_path)
    except (isolated.WorkerError, EOFError, OSError) as exc:
        return harness.Result(impl.key, impl.name, status=f"failed: {exc}")


def measure_floors(quick: bool) -> dict:
    return {
        "bandwidth": floors.bandwidth(quick),
        "gemm": floors.gemm(quick),
        "threads": floors.thread_check(quick),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list_workloads:
        print("\n".join(WORKLOADS))
        return 0
    t_start = time.perf_counter()
    sys.path.extend(str(Path(d).resolve()) for d in args.site)  # spawned workers inherit it
    quick = args.quick
    workloads = [WORKLOADS[k] for k in args.workloads]
    impls = [i for i in all_impls() if i.key in args.impls]
    timing = {
        "warmup_s": 0.0 if quick else 0.3,
        "target_s": 0.002 if quick else 0.05,
        "budget_s": 2.0 if quick else 10.0,
    }
    compile_list = [w for w in args.compile.split(",") if w.strip()]

    per_workload = len(impls) * (1 + args.repeat)
    bar = Progress(len(workloads) * per_workload + 2 + len(compile_list))
    skipped: list[str] = []
    bar.update(0, "loading libraries")
    for impl in impls:
        if not impl.load():
            skipped.append(f"{impl.name}: {impl.error}")
            bar.message(f"{impl.name}: {impl.error}")

    info = machine.describe(
        {i.key: i.version or i.error for i in impls if i.key in ("torch", "jax", "jitgrad")}
    )
    bar.update(0, "floors (start)")
    floors_start = measure_floors(quick)
    bar.update(1)

    workers = {} if args.in_process else _start_workers(impls)
    done = []
    with tempfile.TemporaryDirectory(prefix="jitgrad-compare-") as tmp:
        for wl in workloads:
            inputs = wl.inputs(quick)
            ref = reference(wl, inputs)
            ref_path = isolated.save_reference(ref, Path(tmp) / f"{wl.name}.npz")
            results, samplers = {}, {}
            for impl in impls:
                bar.update(0, f"{wl.name}: checking {impl.name}")
                if impl.key in workers:
                    res = _prepare_in_worker(workers[impl.key], impl, wl, quick, ref_path)
                    sampler = workers[impl.key] if res.ok else None
                else:
                    res, call = harness.prepare(wl, impl, inputs, ref)
                    sampler = harness.LocalSampler(call) if call is not None else None
                results[impl.key] = res
                if sampler is not None:
                    samplers[impl.key] = sampler
                elif res.status == "WRONG":
                    bar.message(f"{wl.name}: {impl.name} is WRONG: {res.message}")
                bar.update(1)

            def tick(key: str, n: int, wl=wl, results=results) -> None:
                bar.update(n, f"{wl.name}: timing {results[key].name}")

            # Freeze everything alive now (libraries, compiled functions, inputs) so the
            # gc.collect() before each in-process sample scans only what the timed calls
            # create: a full collection with torch and JAX loaded takes ~0.1 s.
            gc.collect()
            gc.freeze()
            harness.measure(samplers, results, args.repeat, tick=tick, **timing)
            done.append((wl, inputs, list(results.values())))
            del samplers, ref
            gc.unfreeze()
            gc.collect()
    for w in workers.values():
        w.close()

    bar.update(0, "floors (end)")
    # --quick measures floors once: its sizes make them meaningless anyway, and it must be fast.
    floors_end = None if quick else measure_floors(quick)
    bar.update(1)

    compile_rows = []
    jg = next((i for i in impls if i.key == "jitgrad"), None)
    if compile_list and jg is not None and not jg.error:
        specs = [(w, "jitgrad") for w in compile_list]
        if not quick:
            specs.insert(1, (compile_list[0], "jitgrad-unfused"))
        for spec in specs:
            bar.update(0, f"compile time: {spec[0]} ({spec[1]})")
            compile_rows += compile_time.measure([spec])
            bar.update(1 if spec[1] == "jitgrad" else 0)
    elif not compile_list:
        skipped.append("jitgrad compile time: not measured (default in --quick; --compile chain)")
    else:
        bar.update(len(compile_list))
        skipped.append(
            "jitgrad compile time: jitgrad " + ("not selected" if jg is None else jg.error)
        )

    used = {
        "GBps": max(f["bandwidth"]["GBps"] for f in (floors_start, floors_end) if f),
        "GFLOPs": max(f["gemm"]["GFLOPs"] for f in (floors_start, floors_end) if f),
    }
    rep = {
        "command": " ".join(
            ["python", "perf/compare.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "config": {
            "quick": quick,
            "repeat": args.repeat,
            "impls": args.impls,
            "workloads": args.workloads,
            "isolation": "in one process" if args.in_process else "one process per implementation",
            **timing,
        },
        "machine": machine.finish(info),
        "floors": {"start": floors_start, "end": floors_end, "used": used},
        "implementations": {
            i.key: {"name": i.name, "version": i.version, "error": i.error} for i in impls
        },
        "workloads": [report.workload_entry(wl, inp, res, used) for wl, inp, res in done],
        "compile": compile_rows,
        "skipped": skipped,
    }
    rep["elapsed_s"] = time.perf_counter() - t_start
    if args.no_chart:
        skipped.append("PNG chart skipped: --no-chart")
    else:
        msg = chart.write(rep, args.out / "compare.png")
        if msg.startswith("PNG chart skipped"):
            skipped.append(msg)
    paths = report.write(rep, args.out)
    bar.close()

    print(report.terminal(rep))
    t = floors_start["threads"]
    if "speedup" in t:
        print(
            f"\nthread check (sgemm 1 vs 2 threads): speedup {t['speedup']:.2f} at start"
            + (
                f", {floors_end['threads']['speedup']:.2f} at end"
                if floors_end and "speedup" in floors_end["threads"]
                else ""
            )
            + f" - {t['verdict']}"
        )
    for s in skipped:
        print(f"skipped: {s}")
    print(
        f"\nwrote {paths['json']}, {paths['md']}"
        + (
            ""
            if args.no_chart or any("PNG" in s for s in skipped)
            else f", {args.out / 'compare.png'}"
        )
    )
    wrong = [
        f"{w['name']}/{r['name']}"
        for w in rep["workloads"]
        for r in w["results"]
        if r["status"] == "WRONG"
    ]
    if wrong:
        print(f"WRONG results: {', '.join(wrong)}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
