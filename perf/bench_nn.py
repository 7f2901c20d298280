"""Neural-network workloads: cross-entropy, layer norm, an MLP training step, Adam.

Same workload table and implementations as perf/compare.py; see perf/benchsupport.py.
"""

from __future__ import annotations

import pytest

from perf import benchsupport
from perf.impls import IMPL_KEYS


@pytest.mark.parametrize("impl", IMPL_KEYS)
@pytest.mark.parametrize("workload", benchsupport.names("nn"))
def test_nn(benchmark, request, workload: str, impl: str) -> None:
    benchsupport.run(benchmark, request.config, workload, impl)
