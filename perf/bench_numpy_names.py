"""Per-call CPU time of ops that ``jitgrad.frontend.numpy_names`` wraps (so that they take
NumPy's ``axis=``/``keepdims=``), and of ``sort``/``topk`` (libstdc++'s orders since session
14), on small tensors where the wrapper's frame is the largest share.

    python perf/ab.py --a /tmp/base --b . --reps 7 --pattern "TOTAL ([0-9.]+)" -- \
        perf/bench_numpy_names.py

Prints one line per op (median over repeats of the CPU time per call, us) and a TOTAL line
(their sum). CPU time (``time.process_time``), since the machine is shared.
"""

from __future__ import annotations

import statistics
import time

import jitgrad as torch

x = torch.arange(12.0).reshape(3, 1, 4)
i = torch.zeros(3, 1, 2, dtype=torch.long)
v = torch.arange(64.0) % 5
big = torch.rand(1_000_000)
rows = torch.rand(2000, 100)  # k * 64 > n: nth_element, then std::sort of k - 1
CALLS = {
    "squeeze(1)": lambda: x.squeeze(1),
    "gather(2, i)": lambda: x.gather(2, i),
    "unbind(0)": lambda: x.unbind(0),
    "narrow(2,1,2)": lambda: x.narrow(2, 1, 2),
    "index_select": lambda: x.index_select(2, i[0, 0]),
    "sort(v)": lambda: v.sort(),
    "topk(v, 5)": lambda: v.topk(5),
}
#: large inputs, timed apart (not in TOTAL): the sort kernels' own speed
LARGE = {"sort(1M)": lambda: big.sort(), "topk(1M, 10)": lambda: big.topk(10),
         "topk(1M, 1000)": lambda: big.topk(1000),
         "sort(1M, desc)": lambda: big.sort(descending=True),
         "topk(1M, 10, min)": lambda: big.topk(10, largest=False),
         "topk(rows, 40)": lambda: rows.topk(40)}  # fmt: skip


def per_call(fn, n: int = 2000, repeats: int = 7) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        for _ in range(n):
            fn()
        times.append((time.process_time() - t0) / n * 1e6)
    return statistics.median(times)


if __name__ == "__main__":
    total = 0.0
    for name, fn in CALLS.items():
        us = per_call(fn)
        total += us
        print(f"{name:14s} {us:8.2f} us")
    print(f"TOTAL {total:.2f}")
    for name, fn in LARGE.items():
        print(f"{name:14s} {per_call(fn, n=3, repeats=3) / 1e3:8.2f} ms")
