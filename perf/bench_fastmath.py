"""Time jitgrad's vectorizable tanh/sin/cos/exp against NumPy ufuncs and Numba's libm calls.

    python perf/bench_fastmath.py [--repeat N] [--funcs tanh,sin] [--small]

For each function and dtype (8M float32, 4M float64 elements) it times, interleaved and repeated,
with the median reported in ns per element:

* ``numpy``: the ufunc into a preallocated output (NumPy's own SIMD loops where it has them);
* ``nb-libm``: an ``@njit`` loop calling ``np.tanh`` etc. (a scalar libm call per element);
* ``nb-libm-par``: the same loop with ``prange`` (``parallel=True``);
* ``fast``: an ``@njit`` loop calling ``jitgrad.kernels.cpu.fastmath`` (inlined, vectorized);
* ``fast-par``: the same with ``prange``;
* ``fast-noinl``: a plain ``@njit`` copy of the fast function (LLVM decides about inlining),
  the measurement behind ``inline="always"``;

and a ``copy`` loop (``out[i] = x[i]``) as the memory-bandwidth floor. Every result is checked
against NumPy before timing. Machine noise: the tables show medians; ratios are medians of the
per-round ratios, which cancel slow phases common to one round. A second table gives the serial
variants in CPU time of the calling thread, which other processes cannot inflate by taking the
core away (useful on a shared machine; they still share caches and memory bandwidth).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path

import numba
import numpy as np
from numba import njit, prange

ROOT = Path(__file__).resolve().parents[1]


def _load_fastmath():
    """The package module; or, when the package does not import (a half-built checkout), the
    kernels folder loaded as a package of its own: fastmath and its parts import nothing else
    from jitgrad."""
    sys.path.insert(0, str(ROOT))
    try:
        from jitgrad.kernels.cpu import fastmath

        return fastmath
    except Exception as exc:  # noqa: BLE001 - any failure of the package import
        print(f"(package import failed: {exc!r}; loading fastmath.py by path)")
        folder = ROOT / "jitgrad" / "kernels" / "cpu"
        spec = importlib.util.spec_from_file_location(
            "jitgrad_cpu_bench", folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        package = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = package
        spec.loader.exec_module(package)
        return importlib.import_module("jitgrad_cpu_bench.fastmath")


fm = _load_fastmath()

INPUTS = {  # realistic argument ranges for each function
    "tanh": (-5.0, 5.0),
    "exp": (-20.0, 20.0),
    "sin": (-50.0, 50.0),
    "cos": (-50.0, 50.0),
}
LIBM = {"tanh": np.tanh, "exp": np.exp, "sin": np.sin, "cos": np.cos}


def _serial(f):
    @njit
    def kernel(x, out):
        for i in range(x.size):
            out[i] = f(x[i])

    return kernel


def _parallel(f):
    @njit(parallel=True)
    def kernel(x, out):
        for i in prange(x.size):
            out[i] = f(x[i])

    return kernel


@njit
def _nb_tanh(x):
    return np.tanh(x)


@njit
def _nb_exp(x):
    return np.exp(x)


@njit
def _nb_sin(x):
    return np.sin(x)


@njit
def _nb_cos(x):
    return np.cos(x)


NB_LIBM = {"tanh": _nb_tanh, "exp": _nb_exp, "sin": _nb_sin, "cos": _nb_cos}


@njit
def _identity(x):
    return x


def variants(name, bits):
    fast = getattr(fm, f"{name}{bits}")
    ufunc = LIBM[name]
    return {
        "copy": _serial(_identity),
        "numpy": lambda x, out: ufunc(x, out=out),
        "nb-libm": _serial(NB_LIBM[name]),
        "nb-libm-par": _parallel(NB_LIBM[name]),
        "fast": _serial(fast),
        "fast-par": _parallel(fast),
        "fast-noinl": _serial(njit(fast.py_func)),
    }


def bench(name, dtype, n, repeat, rng):
    bits = 32 if dtype == np.float32 else 64
    x = rng.uniform(*INPUTS[name], n).astype(dtype)
    out = np.empty_like(x)
    want = LIBM[name](x.astype(np.float64))
    impls = variants(name, bits)
    for key, fn in impls.items():  # compile, warm up, check
        fn(x, out)
        if key != "copy":
            tol = 1e-5 if bits == 32 else 1e-13
            err = np.max(np.abs(out - want) / np.maximum(np.abs(want), 1e-30))
            assert err < tol, f"{name}{bits} {key}: relative error {err:.2e}"
    wall = {key: [] for key in impls}
    cpu = {key: [] for key in impls}
    for _ in range(repeat):  # interleaved: each round runs every variant once
        for key, fn in impls.items():
            c0, t0 = time.thread_time(), time.perf_counter()
            fn(x, out)
            t1, c1 = time.perf_counter(), time.thread_time()
            wall[key].append((t1 - t0) / n * 1e9)
            cpu[key].append((c1 - c0) / n * 1e9)
    return {k: np.asarray(v) for k, v in wall.items()}, {k: np.asarray(v) for k, v in cpu.items()}


def _ratio(times, a, b):
    """Median over rounds of time[a] / time[b]."""
    return float(np.median(times[a] / times[b]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--funcs", default="tanh,sin,cos,exp")
    ap.add_argument("--small", action="store_true", help="1/16 of the sizes (a quick look)")
    args = ap.parse_args(argv)
    div = 16 if args.small else 1
    sizes = {np.float32: 8_000_000 // div, np.float64: 4_000_000 // div}
    cpu = platform.processor() or platform.machine()
    print(
        f"numpy {np.__version__}, numba {numba.__version__}, {cpu}, {os.cpu_count()} cpus,"
        f" numba threads {numba.get_num_threads()}, repeat {args.repeat}"
    )
    cols = ["copy", "numpy", "nb-libm", "nb-libm-par", "fast", "fast-par", "fast-noinl"]
    serial = ["copy", "numpy", "nb-libm", "fast", "fast-noinl"]
    wall_rows, cpu_rows = [], []
    rng = np.random.default_rng(0)
    for name in args.funcs.split(","):
        for dtype, n in sizes.items():
            wall, cpu_t = bench(name, dtype, n, args.repeat, rng)
            label = f"{name}{32 if dtype == np.float32 else 64:<6}{n:>9}"
            wall_rows.append(_row(label, wall, cols, parallel=True))
            cpu_rows.append(_row(label, cpu_t, serial, parallel=False))
            print(f"  done {label.split()[0]}", file=sys.stderr, flush=True)
    ratios = f"{'libm/fast':>11}{'numpy/fast':>11}"
    print("\nwall clock, ns per element (median of rounds; ratios: median of per-round ratios)")
    print(f"{'func':<10}{'n':>9}" + "".join(f"{c:>12}" for c in cols) + ratios + f"{'par gain':>9}")
    print("\n".join(wall_rows))
    print("\nserial variants, CPU time of the calling thread (unaffected by other processes taking")
    print("the core; still affected by shared caches and memory bandwidth), ns per element")
    print(f"{'func':<10}{'n':>9}" + "".join(f"{c:>12}" for c in serial) + ratios)
    print("\n".join(cpu_rows))


def _row(label, times, cols, parallel):
    med = {k: float(np.median(v)) for k, v in times.items()}
    row = f"{label}" + "".join(f"{med[c]:>12.3f}" for c in cols)
    row += f"{_ratio(times, 'nb-libm', 'fast'):>11.1f}{_ratio(times, 'numpy', 'fast'):>11.1f}"
    if parallel:
        row += f"{_ratio(times, 'fast', 'fast-par'):>9.2f}"
    return row


if __name__ == "__main__":
    main()
