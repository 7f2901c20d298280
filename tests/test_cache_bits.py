"""A kernel loaded from the disk cache computes the same bits as the same kernel compiled in the
process, and ``cached_njit`` refuses the one combination known to break that.

Numba can return other bits from a cache load than from a compile: a ``parallel=True`` function
runs its compiled gufunc in the compiling process but, loaded, the copy its caller's object
links and optimizes a second time; with the ``contract`` fast-math flag the two copies form
different fused multiply-adds (perf's float32 ``chain`` reference: loss 14.499103493157769
compiled, 14.499103755624525 loaded, gradients differing; ``perf/cache_bits.py``, perf/RESULTS.md
Run cachebits17). jitgrad's kernels are serial, but they call helpers compiled on their own
(block sums, ``reassoc`` leaves, fast-math functions) and interpreters (the capture tape), so the
program below runs them in two processes sharing one fresh cache: the first compiles every
kernel, the second loads every one, and each prints a SHA-1 of every result's bytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jitgrad.kernels.cpu.jit import cached_njit

ROOT = Path(__file__).resolve().parents[1]

PROGRAM = textwrap.dedent(
    """
    import hashlib, json
    import numpy as np, jitgrad
    import jitgrad.nn.functional as F

    def digest(*tensors):
        h = hashlib.sha1()
        for t in tensors:
            h.update(np.ascontiguousarray(t.detach().numpy()).tobytes())
        return h.hexdigest()

    out = {}
    rng = np.random.default_rng(0)
    # a fused float32 chain through fastmath's tanh, sin and exp, forward and backward
    x = jitgrad.tensor(rng.standard_normal((8, 700)).astype(np.float32), requires_grad=True)
    y = jitgrad.tensor(rng.standard_normal(700).astype(np.float32), requires_grad=True)
    z = jitgrad.tanh(x * y + jitgrad.sin(x)) * jitgrad.exp(-x * x) / (1 + y * y)
    loss = z.sum()
    loss.backward()
    out["chain"] = digest(z, loss, x.grad, y.grad)
    # reductions: the block sums of a sum of squares, logsumexp's reassoc leaves and fast_exp
    a = jitgrad.tensor(rng.standard_normal((8, 5000)).astype(np.float32), requires_grad=True)
    r = jitgrad.logsumexp(a, 1).sum() + (a * a).sum()
    r.backward()
    out["reduce"] = digest(r, a.grad)
    # cross-entropy's row kernels (reassoc sums)
    a.grad = None
    ce = F.cross_entropy(a, jitgrad.tensor(rng.integers(0, 5000, 8)))
    ce.backward()
    out["cross_entropy"] = digest(ce, a.grad)
    # a captured SGD step replayed by the tape interpreter
    jitgrad.manual_seed(0)
    model = jitgrad.nn.Sequential(
        jitgrad.nn.Linear(16, 32), jitgrad.nn.Tanh(), jitgrad.nn.Linear(32, 4))
    opt = jitgrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    xs = jitgrad.tensor(rng.standard_normal((8, 16)).astype(np.float32))
    ys = jitgrad.tensor(rng.standard_normal((8, 4)).astype(np.float32))

    @jitgrad.compile
    def step(xb, yb):
        opt.zero_grad()
        loss = F.mse_loss(model(xb), yb)
        loss.backward()
        opt.step()
        return loss

    losses = [step(xs, ys) for _ in range(4)]
    out["captured_step"] = digest(*losses, *model.parameters())
    out["eager_parts"] = str(step.explain()).count("runs eagerly")
    info = jitgrad.cache_info()
    out["compiled"] = info["numba_compiled"]
    out["loaded"] = info["numba_loaded"]
    print(json.dumps(out))
    """
)


def _run(cache: Path) -> dict:
    env = {**os.environ, "JITGRAD_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    env["JITGRAD_COMPILE_NOTICE"] = "0"
    res = subprocess.run(
        [sys.executable, "-c", PROGRAM], env=env, capture_output=True, text=True, timeout=600
    )
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_kernels_loaded_from_the_cache_compute_the_compiled_bits(tmp_path):
    compiled = _run(tmp_path)
    loaded = _run(tmp_path)
    # the first process compiled (nothing was on disk), the second only loaded
    assert compiled["compiled"] > 0
    assert loaded["compiled"] == 0 and loaded["loaded"] > 0
    # the step was replayed by the tape, not run eagerly
    assert compiled["eager_parts"] == loaded["eager_parts"] == 0
    for key in ("chain", "reduce", "cross_entropy", "captured_step"):
        assert compiled[key] == loaded[key], key


@pytest.mark.parametrize(
    "options",
    [
        {"parallel": True, "fastmath": {"contract"}},
        {"parallel": True, "fastmath": {"reassoc", "contract", "arcp"}},
        {"parallel": True, "fastmath": True},
    ],
)
def test_cached_njit_refuses_a_parallel_kernel_that_contracts(options):
    with pytest.raises(ValueError, match="contract"):

        @cached_njit(**options)
        def f(x):  # pragma: no cover - never compiled
            return x


def test_cached_njit_takes_contract_in_a_serial_kernel_and_parallel_without_it():
    # the serial kernels of perf/impl_numba_mlp.py and perf's parallel gelu/mse references
    cached_njit(fastmath={"contract", "arcp"})(lambda x: x)
    cached_njit(parallel=True, fastmath={"reassoc", "arcp"})(lambda x: x)
