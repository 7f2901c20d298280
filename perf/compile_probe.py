"""Subprocess probe for jitgrad compile time: import + first forward/backward + second call.

Run as ``python -m perf.compile_probe WORKLOAD IMPL`` by ``perf.compile_time`` in a fresh
process, so "first call" really includes every compile (or cache load) jitgrad does. It is a
separate module, not a ``-c`` string, so it measures exactly the workload code the runner
times. ``import jitgrad`` is timed before anything else of ours is imported.
"""

from __future__ import annotations

import json
import sys
import time


def main(argv: list[str]) -> int:
    workload_name, impl_key = argv
    t0 = time.perf_counter()
    import jitgrad  # noqa: F401  (timed import)

    t_import = time.perf_counter() - t0

    from perf.impls import all_impls
    from perf.workloads import WORKLOADS

    workload = WORKLOADS[workload_name]
    inputs = workload.inputs(quick=True)
    impl = next(i for i in all_impls() if i.key == impl_key)
    if not impl.load():
        raise SystemExit(impl.error)
    t1 = time.perf_counter()
    call = impl.build(workload, inputs)
    call()
    t_first = time.perf_counter() - t1
    t2 = time.perf_counter()
    call()
    t_hot = time.perf_counter() - t2
    print(json.dumps({"import_s": t_import, "first_s": t_first, "hot_s": t_hot}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
