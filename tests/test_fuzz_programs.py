"""Two derandomized programs of ``perf/fuzz_programs.py``'s fuzzer, every oracle on each:
float64 NumPy forward and PyTorch's dtype promotion, fused vs unfused gradients, the replay
cache and ``jitgrad.compile`` bitwise, three threads bitwise, finite differences. The long run
is ``python3 perf/fuzz_programs.py --examples 2000``; this keeps the harness itself working."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from perf import fuzz_programs as fuzz

# ops the suite compiles anyway: a cold cache pays for the program's fused kernels only
CHEAP = ("add", "sub", "mul", "div", "tanh", "sin", "exp", "sigmoid", "square")


@settings(max_examples=2, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))  # fmt: skip
@given(fuzz.programs())
def test_random_programs_agree_with_every_oracle(drawn) -> None:
    prog, seed = drawn
    old = fuzz.only_ops(CHEAP)
    try:
        fuzz.check(prog, seed)
    finally:
        fuzz.OPS[:] = old
