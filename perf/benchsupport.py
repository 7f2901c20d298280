"""Shared machinery of the pytest-benchmark suites (``pytest perf/ --benchmark-only``).

The suites time the same workload table and the same implementation code as
``perf/compare.py``, with the same correctness gate: a WRONG implementation fails its test,
an unavailable or uninstalled one is skipped with the reason. pytest-benchmark runs one test
at a time (no interleaving, no floors); it is the tool for tracking one implementation over
time (``--benchmark-save``/``--benchmark-compare``), compare.py the one for comparing peers.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from .harness import prepare
from .impl_numpy import reference
from .impls import IMPL_KEYS, Impl, all_impls
from .workloads import WORKLOADS


@cache
def _impls() -> dict[str, Impl]:
    """One Impl object per key for the whole session, so each library is imported once."""
    return {i.key: i for i in all_impls()}


@cache
def _data(name: str, quick: bool) -> tuple[dict, dict]:
    wl = WORKLOADS[name]
    inputs = wl.inputs(quick)
    return inputs, reference(wl, inputs)


def names(group: str) -> list[str]:
    """Workload names of one group, in table order."""
    return [w.name for w in WORKLOADS.values() if w.group == group]


def run(benchmark: Any, config: pytest.Config, workload: str, impl_key: str) -> None:
    """Check, then benchmark, one implementation of one workload."""
    chosen = [k for k in config.getoption("--perf-impls").split(",") if k] or IMPL_KEYS
    if impl_key not in chosen:
        pytest.skip(f"{impl_key} not selected by --perf-impls")
    wl = WORKLOADS[workload]
    inputs, ref = _data(workload, config.getoption("--perf-quick"))
    res, call = prepare(wl, _impls()[impl_key], inputs, ref)
    if res.status == "WRONG":
        pytest.fail(f"{res.name} computes a WRONG result on {workload}: {res.message}")
    if call is None:
        pytest.skip(f"{res.name}: {res.status}")
    benchmark.group = (
        f"{workload} ({wl.unit}: divide by {wl.per_call})" if wl.per_call > 1 else workload
    )
    benchmark.extra_info.update(
        workload=workload,
        impl=res.name,
        dtype=wl.dtype,
        size=wl.size(inputs),
        first_call_s=res.first_call_s,
    )
    benchmark(call)
