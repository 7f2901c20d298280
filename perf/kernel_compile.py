"""Cold CPU seconds of one op family's first use: what its hand-written kernels cost to compile.

    python perf/kernel_compile.py embedding
    python perf/ab.py --a /tmp/kcompile-base --b . --reps 5 --pattern "([0-9.]+) s cpu" -- \\
        perf/kernel_compile.py embedding

Runs in this process with a fresh, empty ``JITGRAD_CACHE_DIR`` (set before jitgrad is
imported), so every kernel compiles. Numba's one-time setup and the generated kernels every
case shares (a float32 add, a full sum, a backward) are paid by a warm-up first; then the
case runs forward and backward through the public API, and its process CPU time (user + system,
``time.process_time``: waiting for a core is not counted) is printed as ``<s> s cpu``, with how
many kernel overloads compiled (``jitgrad.cache_info``-style counts from the kernel cache). The
cases use sizes on both sides of ``PARALLEL_THRESHOLD`` where an op has a threaded path.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

os.environ["JITGRAD_CACHE_DIR"] = tempfile.mkdtemp(prefix="kcompile-")
os.environ.setdefault("JITGRAD_COMPILE_NOTICE", "0")

import numpy as np  # noqa: E402

import jitgrad as jg  # noqa: E402  (PYTHONPATH picks the tree: perf/ab.py checks which)
import jitgrad.nn.functional as F  # noqa: E402
from jitgrad.kernels.cpu import jit as kjit  # noqa: E402

RNG = np.random.default_rng(0)


def _t(*shape, dtype=np.float32):
    return jg.tensor(RNG.standard_normal(shape).astype(dtype), requires_grad=True)


def warm() -> None:
    x = _t(8)
    ((x + x) * x).sum().backward()


def embedding() -> None:
    w = _t(50, 16)
    F.embedding(jg.tensor(np.array([[1, 4, 4], [0, 9, 2]])), w).sum().backward()


def sum_var() -> None:
    for dtype in (np.float32, np.float64):
        x = _t(6, 40, 5, dtype=dtype)
        (x.sum(1).sum() + x.var(1).sum() + x.std(-1).sum()).backward()


def softmax() -> None:
    for dtype in (np.float32, np.float64):
        x = _t(6, 40, dtype=dtype)
        (F.softmax(x, 1) * F.log_softmax(x, 0)).sum().backward()


def conv() -> None:
    for n in (1, 64):  # 64 x 3 x 32 x 32 images: columns past PARALLEL_THRESHOLD
        x = _t(n, 3, 32, 32)
        w = _t(4, 3, 3, 3)
        y = F.conv2d(x, w, padding=1)
        (F.max_pool2d(y, 2).sum() + F.avg_pool2d(y, 2).sum()).backward()


def rows() -> None:
    for n in (4, 4096):  # 4096 x 16 rows: past PARALLEL_THRESHOLD
        x = _t(n, 16)
        t = jg.tensor(RNG.integers(0, 16, n))
        (F.cross_entropy(x, t) + F.layer_norm(x, (16,)).sum()).backward()


def sorting() -> None:
    # sort(stable=False), topk on both of its paths (partial_sort; nth_element then sort) and
    # both orders, kthvalue: the std_sort and quick_select kernels (one key dtype for all)
    x = _t(6, 300)
    s = x.sort(1)[0].sum() + x.sort(0, descending=True)[0].sum()
    s = s + x.topk(3, 1)[0].sum() + x.topk(200, 1, largest=False)[0].sum()
    (s + x.kthvalue(5, 1)[0].sum()).backward()


def integers_casts() -> None:
    # Run ttime18a's families: integer sums (a dim, all, of a mask), integer max/argmin, casts
    # between dtypes (float to int among them), softmax forward and backward on a vector and
    # rows (its saved output read-only, a fresh one not)
    i = jg.tensor(RNG.integers(-50, 50, (6, 40)))
    _ = i.sum(), i.sum(1), (i > 0).sum(0), i.max(1), i.argmin(0), i.amax()
    x = _t(6, 40)
    _ = x.double(), i.float(), i.to(jg.int32), (x > 0).long(), x.bool(), i.to(jg.int8)
    _ = x.detach().long(), x.detach().double().float()
    for v in (x, x[0]):
        y = F.softmax(v, -1)
        (y * jg.tensor(RNG.standard_normal(v.shape).astype(np.float32))).sum().backward()


CASES = {f.__name__: f for f in (embedding, sum_var, softmax, conv, rows, sorting, integers_casts)}


def main(argv: list[str]) -> None:
    if len(argv) != 1 or argv[0] not in CASES:
        raise SystemExit(f"usage: kernel_compile.py {{{','.join(CASES)}}}")
    warm()
    before = dict(kjit.STATS)
    t0 = time.process_time()
    CASES[argv[0]]()
    cpu = time.process_time() - t0
    compiled = kjit.STATS["compiled"] - before["compiled"]
    print(f"{argv[0]}: {cpu:.3f} s cpu, {compiled} overloads compiled")


if __name__ == "__main__":
    main(sys.argv[1:])
