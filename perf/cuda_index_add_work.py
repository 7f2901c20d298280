"""Kernel launches per call of ``index_add`` / ``scatter_add`` / ``index_put(accumulate=True)``
on device tensors (issue 15), in Numba's CUDA simulator: the simulator's kernel launch is
wrapped to note each launch's kernel and its thread count (grid x block), around one call
after a warm-up call, with the GPU's launch geometry (the simulator's cap of 32 threads x 2
blocks lifted: ``common.LAUNCH_THREADS`` / ``LAUNCH_BLOCKS`` set to the GPU's). Load-proof
counts, no timings (no GPU here). The write's parallelism
is the thread count of its kernel (``add_along``: one thread per column, each adding every
index in turn; ``fold_along`` / ``fold_runs``: one per source element, a thread adding its
run of equal targets). Run from a tree:
``NUMBA_ENABLE_CUDASIM=1 python perf/cuda_index_add_work.py`` (on main's tree for the
before figures)."""

from __future__ import annotations

import collections
import math

import numpy as np
from numba.cuda.simulator.kernel import FakeCUDAKernel

import jitgrad as torch
from jitgrad.kernels.cuda import common

LAUNCHES: list = []


def _count() -> None:
    call = FakeCUDAKernel.__call__

    def counted(self, *args):
        if not self._device:
            LAUNCHES.append((self.fn.__qualname__, math.prod(self.grid_dim) *
                             math.prod(self.block_dim)))  # fmt: skip
        return call(self, *args)

    FakeCUDAKernel.__call__ = counted


def forms() -> dict:
    rng = np.random.default_rng(0)
    dev = "cuda"
    i1 = torch.tensor(rng.integers(0, 16, 256), device=dev)
    i2 = torch.tensor(rng.integers(0, 8, 64), device=dev)
    ic = torch.tensor(rng.integers(0, 16, (256, 1)), device=dev)
    return {
        "index_add 1-D: x(16), 256 indices": lambda: torch.zeros(16, device=dev).index_add(
            0, i1, torch.ones(256, device=dev)),
        "index_add dim 0: x(8, 4), 64 indices": lambda: torch.zeros(8, 4, device=dev).index_add(
            0, i2, torch.ones(64, 4, device=dev)),
        "scatter_add dim 0: x(16, 1), index (256, 1)": lambda: torch.zeros(
            16, 1, device=dev).scatter_add(0, ic, torch.ones(256, 1, device=dev)),
        "index_put accumulate: x(16), 256 indices": lambda: torch.zeros(16, device=dev).index_put(
            (i1,), torch.ones(256, device=dev), accumulate=True),
    }  # fmt: skip


def main() -> None:
    common.LAUNCH_THREADS, common.LAUNCH_BLOCKS = common.MAX_THREADS, common.MAX_BLOCKS
    _count()
    print("| call | launches | threads launched | kernels (threads) |")
    print("|---|---|---|---|")
    for name, fn in forms().items():
        fn().sum().item()  # warm-up (and the flags read)
        LAUNCHES.clear()
        fn()
        runs = list(LAUNCHES)
        kinds = collections.Counter(k for k, _ in runs)
        widest = {k: max(t for q, t in runs if q == k) for k in kinds}
        detail = ", ".join(f"{k} x{c} ({widest[k]})" for k, c in kinds.items())
        print(f"| {name} | {len(runs)} | {sum(t for _, t in runs)} | {detail} |")


if __name__ == "__main__":
    main()
