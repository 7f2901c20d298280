"""Reading ``grad_fn._saved_result`` on every node of a long graph (what torchviz's
``show_saved`` does): seconds for all reads. Session 7 measured 28.8 s for 2000 nodes when each
read scanned the collector's objects (gc.get_referrers), 0.012 s without the scan.

    python3 perf/saved_result_reads.py --nodes 2000
"""

from __future__ import annotations

import argparse
import time

import jitgrad as torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2000)
    nodes = parser.parse_args().nodes
    y = torch.ones(10, requires_grad=True)
    graph = []
    for i in range(nodes):
        y = y.exp() if i % 2 else y.tanh()
        graph.append(y.grad_fn)
    start = time.perf_counter()
    for node in graph:
        node._saved_result  # noqa: B018
    print(f"{nodes} _saved_result reads: {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
