"""Elementwise workloads (float32 and float64): where fusion should reach the bandwidth floor.

Same workload table and implementations as perf/compare.py; see perf/benchsupport.py.
"""

from __future__ import annotations

import pytest

from perf import benchsupport
from perf.impls import IMPL_KEYS


@pytest.mark.parametrize("impl", IMPL_KEYS)
@pytest.mark.parametrize("workload", benchsupport.names("elementwise"))
def test_elementwise(benchmark, request, workload: str, impl: str) -> None:
    benchsupport.run(benchmark, request.config, workload, impl)
