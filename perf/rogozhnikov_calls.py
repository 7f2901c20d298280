"""Forward calls of Rogozhnikov's scalar graph one at a time (issue 16): CPU microseconds per
call, the cycle collector off, the minimum of 7 rounds of 3000 calls (``time.process_time``:
steadier than wall time on a busy machine). The graph's op kinds (``perf/rogozhnikov.py``) on
0-d float32 nodes: softplus, the sum of four, a product, the stack of four and the softmax
over it, iterating the softmax's 4 elements (``nodes.extend`` does), plus ``a+b`` and
indexing a leaf as controls.

    python perf/rogozhnikov_calls.py                              # jitgrad
    /tmp/torchenv/bin/python perf/rogozhnikov_calls.py --lib torch   # the same on PyTorch

Only the chosen library and the standard library are imported.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import time
from typing import Any


def call_kinds(m: Any, F: Any, leaves: Any) -> dict[str, Any]:
    """The calls timed, by name: library ``m`` (its ``nn.functional`` ``F``) on nodes made
    from ``leaves`` (``arange(100)`` that requires grad). perf/rogozhnikov_callgrind.py
    counts the same calls' instructions."""
    a, b, c, d = [leaves[i] * 1 for i in range(4)]
    s = m.stack([a, b, c, d], dim=0)
    y = F.softmax(s, dim=0)
    return {
        "a+b": lambda: a + b,
        "0+a": lambda: 0 + a,
        "a*b": lambda: a * b,
        "softplus": lambda: F.softplus(a),
        "sum4": lambda: sum([a, b, c, d]),
        "stack4": lambda: m.stack([a, b, c, d], dim=0),
        "softmax4": lambda: F.softmax(s, dim=0),
        "list(y)": lambda: list(y),
        "leaves[i]": lambda: leaves[3],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lib", default="jitgrad")
    ap.add_argument("--calls", type=int, default=3000)
    args = ap.parse_args()
    m = importlib.import_module(args.lib)
    F = importlib.import_module(args.lib + ".nn.functional")
    kinds = call_kinds(m, F, m.arange(100, dtype=m.float32, requires_grad=True))
    gc.disable()
    for name, fn in kinds.items():
        fn()
        best = float("inf")
        for _ in range(7):
            t0 = time.process_time()
            for _ in range(args.calls):
                fn()
            best = min(best, (time.process_time() - t0) / args.calls * 1e6)
        print(f"{name:10s} {best:6.2f} us cpu")


if __name__ == "__main__":
    main()
