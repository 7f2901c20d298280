"""What the stale-view tracking (jitgrad/frontend/view_registry.py) costs: a view taken with
history (one weak reference more), reading a view's ``grad_fn`` (a plain slot) and an op
on a non-view (nothing added).

Run one tree per process and compare two trees, rounds interleaved, CPU time medians::

    python perf/bench_stale_views.py <tree A> <tree B> [rounds]

(e.g. ``git archive main | tar -x -C /tmp/main`` for A, the worktree for B).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

N = 3000

CHILD = f"N = {N}" + """
import time, json, jitgrad as T
x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
y = x * 1
a = T.ones(2, 2, requires_grad=True) * 1
def view_with_grad():
    for _ in range(N):
        y[0]
def read_grad_fn():
    v = y[0]
    for _ in range(N):
        v.grad_fn; v.grad_fn; v.grad_fn; v.grad_fn
def op_on_non_view():
    for _ in range(N):
        a * a
out = {}
for f in (view_with_grad, read_grad_fn, op_on_non_view):
    f()
    t = time.process_time(); f(); out[f.__name__] = (time.process_time() - t) * 1e6 / N
print(json.dumps(out))
"""


def _one(tree: str) -> dict:
    env = dict(os.environ, PYTHONPATH=tree, JITGRAD_COMPILE_NOTICE="0")
    res = subprocess.run([sys.executable, "-c", CHILD], env=env, cwd=tree, capture_output=True,
                         text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    a, b = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 9
    runs: dict[str, list] = {a: [], b: []}
    for _ in range(rounds):
        for tree in (a, b):
            runs[tree].append(_one(tree))
    print(f"medians of {rounds}; load average {os.getloadavg()}")
    print("| case | A µs CPU | B µs CPU | B / A |")
    for case in runs[a][0]:
        ma = statistics.median(r[case] for r in runs[a])
        mb = statistics.median(r[case] for r in runs[b])
        print(f"| {case} | {ma:.3f} | {mb:.3f} | {mb / ma:.3f} |")


if __name__ == "__main__":
    main()
