"""The hand-written CUDA kernels (jitgrad/kernels/cuda), checked without a GPU.

- ``tests/cuda_sim/kern_*.py`` (:data:`SIM_MODULES`) run in Numba's CUDA simulator.
  ``NUMBA_ENABLE_CUDASIM=1`` has to be set before ``numba.cuda`` is first imported, and must
  not leak into the rest of the suite, so they run in a ``pytest`` subprocess with that
  environment; the modules are not named ``test_*.py``, so a plain ``pytest`` never collects
  them in-process. They share tests/test_cuda_backend_b.py's subprocess with the second group
  of device case files (one start of Python, jitgrad, numba and the simulator, ~5 CPU s, for
  both: perf/RESULTS.md, Run cudatime19), and run there a second time on a GPU where one is
  present.
- The hand-written kernels' PTX for sm_80 (Numba's real CUDA compiler, libnvvm, no GPU needed;
  float32 and float64: the simulator runs kernels as Python, so only this catches code the real
  target cannot type or lower, and a float32 kernel that silently computes in float64) is
  checked by tests/test_cuda_ptx_generated.py, in one compiler process with the kernels device
  programs launch: each kernel and signature compiled once (the cases are
  ``tests/cuda_sim/ptx_kernels.py``). This module's ``test_ptx_for_sm80`` compiled them in a
  process of its own, about 50 of its 130 signatures again in the other one.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIM_DIR = ROOT / "tests" / "cuda_sim"
SIM_MODULES = sorted(p.name for p in SIM_DIR.glob("kern_*.py") if p.name != "kern_common.py")

pytestmark = pytest.mark.cuda


def test_sim_modules_found():
    want = {"kern_reduce.py", "kern_matmul.py", "kern_rows.py", "kern_norm.py", "kern_optim.py"}
    assert want <= set(SIM_MODULES)


def test_import_jitgrad_loads_no_cuda_kernels():
    # import jitgrad must work without a GPU or CUDA toolkit: nothing on its import path may
    # import jitgrad.kernels.cuda (which imports numba.cuda and defines the kernels)
    code = (
        "import sys, jitgrad\n"
        "bad = sorted(m for m in sys.modules if m.startswith('jitgrad.kernels.cuda'))\n"
        "assert not bad, bad\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("NUMBA_ENABLE_CUDASIM", None)
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]


#: What an NVIDIA driver puts on a Linux machine (``/dev/dxg``: WSL's GPU): with none of them
#: there is no GPU to ask numba about, and no Python process to start for the question
DRIVER_PATHS = ("/proc/driver/nvidia", "/dev/nvidiactl", "/dev/nvidia0", "/dev/dxg")


@functools.cache
def _gpu_present() -> bool:
    """Whether numba sees a CUDA GPU (asked in a fresh process: this one must not import
    ``numba.cuda``; skipped where no driver is installed, ~0.6 CPU s a worker)."""
    if not any(os.path.exists(p) for p in DRIVER_PATHS):
        return False
    code = "from numba import cuda; print(cuda.is_available())"
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return proc.stdout.strip() == "True"
