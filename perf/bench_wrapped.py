"""Per-call cost of the ops whose public functions come from a declaration's ``front`` hook
or dtype data (issue 14: div's rounding_mode, fmod/remainder, logit's eps, polygamma, the
bitwise ops), for ``perf/ab.py``: the best of 15 timeit repeats in CPU time
(``time.process_time``), forward only, 16 elements, the float input requiring grad.

    python perf/ab.py --a OLD_TREE --b . --reps 7 --pattern "([0-9.]+) us" -- \\
        perf/bench_wrapped.py div
"""

import sys
import time
import timeit

import jitgrad as torch

x = torch.rand(16, requires_grad=True)
y = torch.rand(16) + 0.5
i = torch.arange(16)
j = torch.arange(16) % 5 + 1
t = x * 1  # a non-leaf to write into

CALLS = {
    "div": lambda: torch.div(x, y),
    "div_method": lambda: x.div(y),
    "div_floor": lambda: torch.div(x, y, rounding_mode="floor"),
    "div_int_trunc": lambda: torch.div(i, j, rounding_mode="trunc"),
    "fmod": lambda: torch.fmod(x, y),
    "mod": lambda: x % y,
    "remainder_int": lambda: torch.remainder(i, j),
    "logit_eps": lambda: torch.logit(x, 1e-3),
    "polygamma": lambda: torch.polygamma(1, x),
    "bitwise_and": lambda: torch.bitwise_and(i, j),
    "and_operator": lambda: i & j,
    "div_inplace": lambda: t.detach().div_(y),
}

fn = CALLS[sys.argv[1]]
for _ in range(300):
    fn()
best = min(timeit.repeat(fn, number=300, repeat=15, timer=time.process_time)) / 300
print(f"{sys.argv[1]}: {best * 1e6:.3f} us")
