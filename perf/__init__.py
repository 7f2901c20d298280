"""Performance comparison of jitgrad against numpy, hand-fused Numba, torch and JAX.

A package (rather than loose scripts) so the runner, the compile-time probe and the
pytest-benchmark suites import one shared workload table as ``perf.workloads`` without putting
generic module names such as ``report`` on ``sys.path``.
"""
