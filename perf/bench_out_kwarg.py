"""What ``out=`` costs a call that does not pass it (16-element operands, min of 7 repeats).

``x * y`` goes through the Tensor method (no ``out`` at all); ``jitgrad.mul``/``exp`` test the
keyword inline; ``jitgrad.add``/``matmul`` go through the signature-exact wrapper of
``jitgrad/frontend/out.py``. Run under two checkouts to compare: ``PYTHONPATH=<tree> python3 perf/
bench_out_kwarg.py``.
"""

import timeit

import jitgrad as torch

x = torch.rand(16)
y = torch.rand(16)
for _ in range(2000):
    x * y, torch.mul(x, y), torch.add(x, y), torch.exp(x), torch.matmul(x, y)
for stmt in ["x * y", "torch.mul(x, y)", "torch.exp(x)", "torch.add(x, y)", "torch.matmul(x, y)"]:
    best = min(timeit.repeat(stmt, globals=globals(), number=20000, repeat=7)) / 20000 * 1e6
    print(f"{stmt:22s} {best:.2f} us")
