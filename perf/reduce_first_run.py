"""Compile cost of a program's reductions in one cold process: every public reduction
(sum, mean, var, std, prod, max/min with and without dim, argmax, cumsum and their
gradients, all/any) on float32 and float64, and the integer ones on bool, int8, int16,
int32, uint8 and int64, through the public API. Prints the process CPU seconds, the
compiling threads' CPU seconds (Numba's compile events, outermost only) and the number of
compiles. Run it with an empty cache, for a tree A and a tree B alternately:

    JITGRAD_CACHE_DIR=$(mktemp -d) PYTHONPATH=<tree> python perf/reduce_first_run.py

The shapes reach the contiguous (``B == 1``) and strided (``B > 1``) paths and the full
reductions; all are small (serial kernels), as in the test suite.
"""

import resource
import sys
import time

from numba.core import event

_rows: list = []
_depth = [0]


class _Listener(event.Listener):
    def on_start(self, ev):  # type: ignore[no-untyped-def]
        _depth[0] += 1
        ev.data["_c0"] = time.thread_time()

    def on_end(self, ev):  # type: ignore[no-untyped-def]
        _depth[0] -= 1
        if _depth[0] == 0:
            _rows.append(time.thread_time() - ev.data["_c0"])


def _program() -> None:
    import numpy as np

    import jitgrad

    rng = np.random.default_rng(0)
    for dt in ("float32", "float64"):
        x = jitgrad.tensor(rng.standard_normal((4, 5, 6)).astype(dt), requires_grad=True)
        outs = [x.sum(), x.mean(), x.sum(1), x.mean(2), x.var(1), x.std(), x.prod(1),
                x.amax(1), x.max(2)[0], x.min(), x.cumsum(1), x.logsumexp(2),
                x.softmax(1), x.log_softmax(2)]  # fmt: skip
        sum(o.sum() for o in outs).backward()
        x.argmax(1), x.all(1), x.any()
    for dt in ("bool", "int8", "int16", "int32", "uint8", "int64"):
        t = jitgrad.tensor(rng.integers(-50, 50, (4, 5, 6)).astype(dt))
        t.sum(), t.sum(1), t.prod(2), t.cumsum(0), t.max(1), t.amin(2), t.argmax(0)
        t.all(1), t.any()


def main() -> None:
    event.register("numba:compile", _Listener())
    c0 = resource.getrusage(resource.RUSAGE_SELF)
    _program()
    c1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = c1.ru_utime - c0.ru_utime + c1.ru_stime - c0.ru_stime
    print(f"process CPU {cpu:.2f} s, compile CPU {sum(_rows):.2f} s, {len(_rows)} compiles")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
