"""The kernels device programs launch and every hand-written kernel, compiled to PTX by Numba's
real CUDA compiler in one process, each kernel and signature once."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from test_cuda_kernels import ROOT, SIM_DIR

pytestmark = pytest.mark.cuda


def test_generated_kernels_ptx_for_sm80(tmp_path):
    """Every kernel small device programs launch (rendered fused chains, epilogues, backward
    groups; the hand-written kernels of a training step), with the argument types of each
    launch, and every hand-written kernel's cases (``tests/cuda_sim/ptx_kernels.py``, float32
    and float64), compiled by the real target (``tests/cuda_sim/ptx_generated.py``): no host
    array passed, no float64 in float32 code, no float atomic adds."""
    script = str(SIM_DIR / "ptx_generated.py")
    out = str(tmp_path / "kernels.json")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    # Numba's typing builds an error message for each overload it rejects (~245 a kernel
    # here) and, with colorama installed, wraps the terminal for each one's highlighting: ~1.5%
    # of the compiles' CPU (perf/RESULTS.md, Run cudatime19); plain messages cost less
    env["NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING"] = "1"
    sim = dict(env, NUMBA_ENABLE_CUDASIM="1")
    real = {k: v for k, v in env.items() if k != "NUMBA_ENABLE_CUDASIM"}
    kw = {"cwd": ROOT, "capture_output": True, "text": True, "timeout": 900}
    dumped = subprocess.run([sys.executable, script, "dump", out], env=sim, **kw)
    assert dumped.returncode == 0, (dumped.stdout + dumped.stderr)[-4000:]
    checked = subprocess.run([sys.executable, script, "check", out], env=real, **kw)
    if checked.returncode == 3 and checked.stdout.startswith("no CUDA compiler"):
        pytest.skip("Numba's CUDA compiler (libnvvm) is not installed here")
    assert checked.returncode == 0, (checked.stdout + checked.stderr)[-6000:]
    assert "kernels compiled" in checked.stdout
