"""pytest configuration for the perf/ benchmark suites: ``pytest perf/ --benchmark-only``.

The suites are named ``bench_*.py`` so that a plain ``pytest`` (whose testpaths is tests/)
never runs them by accident; this hook collects them when perf/ is given explicitly.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("perf", "jitgrad comparison benchmarks")
    group.addoption("--perf-quick", action="store_true", help="use the tiny --quick workload sizes")
    group.addoption(
        "--perf-impls", default="", help="comma-separated implementation keys (default: all)"
    )


def pytest_collect_file(file_path, parent):  # noqa: ANN001 - pytest hook signature
    if file_path.suffix == ".py" and file_path.name.startswith("bench_"):
        return pytest.Module.from_parent(parent, path=file_path)
    return None
