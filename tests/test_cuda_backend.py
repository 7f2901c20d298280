"""The CUDA backend from the plain test run: the device tests (``tests/cuda_sim/cases_*.py``)
in a subprocess with Numba's CUDA simulator, and the behaviour without any device.

The case files are run in two groups, this module's and tests/test_cuda_backend_b.py's
(:data:`GROUP_B`), so that the two workers of ``pytest -n 2 --dist loadfile`` (which keeps a
file on one worker) share the simulator's minutes. Group B's process also runs the
hand-written kernels' modules (``tests/cuda_sim/kern_*.py``, tests/test_cuda_kernels.py's
:data:`SIM_MODULES`): one interpreter, jitgrad, numba and simulator start for both.

The simulator must be chosen before numba.cuda is first imported, and this process runs the
CPU suite without it, so both checks run in fresh interpreters.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_cuda_kernels import SIM_DIR, SIM_MODULES, _gpu_present

import jitgrad as torch

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "tests" / "cuda_sim").glob("cases_*.py"))
#: The case files tests/test_cuda_backend_b.py runs (about half the simulator's time with a
#: cold kernel cache, from ``--durations=0``); every other one, new ones included, runs here.
GROUP_B = (
    "cases_backend",
    "cases_complex",
    "cases_conv_more",
    "cases_devfallback",
    "cases_devmath",
    "cases_native",
    "cases_newapi",
    "cases_sync",
    "cases_views",
)


def _env(**changes: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def case_files(group_b: bool) -> list[str]:
    """The case files of one group: :data:`GROUP_B`, or all the others."""
    return [str(p) for p in CASES if (p.stem in GROUP_B) == group_b]


def group_files(group_b: bool) -> list[str]:
    """What one group's process runs: its case files, and for group B the ``kern_*`` modules."""
    return case_files(group_b) + ([str(SIM_DIR / m) for m in SIM_MODULES] if group_b else [])


def run_cases(files: list[str], simulator: bool, at_least: int) -> None:
    """The case ``files`` in one pytest subprocess: all pass, at least ``at_least`` of them."""
    assert len(files) >= 4
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider", *files],
        cwd=ROOT,
        env=_env(NUMBA_ENABLE_CUDASIM="1" if simulator else None),
        capture_output=True,
        text=True,
        timeout=1200,  # (each group takes ~2 minutes of one core, cold kernel cache; the
        # limit is for a loaded machine: perf/RESULTS.md, Run simtime)
    )
    tail = (proc.stdout + proc.stderr)[-6000:]
    assert proc.returncode == 0, tail
    assert " passed" in proc.stdout and "failed" not in proc.stdout, tail
    assert int(proc.stdout.split(" passed")[0].split()[-1]) >= at_least, tail


def test_case_groups_cover_every_case_file() -> None:
    assert {Path(f).stem for f in case_files(True)} == set(GROUP_B)  # no stale name
    assert sorted(case_files(True) + case_files(False)) == [str(p) for p in CASES]


def test_device_tests_pass_in_the_cuda_simulator() -> None:
    run_cases(group_files(group_b=False), simulator=True, at_least=200)


def test_device_tests_on_the_gpu() -> None:
    """The same cases on a real GPU where there is one (perf/gpu_run.sh runs this)."""
    if not _gpu_present():
        pytest.skip("no CUDA GPU")
    run_cases(group_files(group_b=False), simulator=False, at_least=200)


NO_DEVICE = r"""
import jitgrad as torch

assert not torch.cuda.is_available() and torch.cuda.device_count() == 0
x = torch.ones(2)
for make in (lambda: x.to("cuda"), lambda: x.cuda(), lambda: torch.zeros(2, device="cuda"),
             lambda: torch.nn.Linear(2, 2).cuda()):
    try:
        make()
    except RuntimeError as e:
        assert "Found no NVIDIA driver on your system" in str(e), e
    else:
        raise AssertionError("no error without a device")
assert x.device == torch.device("cpu") and not x.is_cuda
assert (x * 2).tolist() == [2.0, 2.0]
print("ok")
"""


def test_without_a_device_cuda_raises_pytorchs_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", NO_DEVICE],
        cwd=ROOT,
        env=_env(NUMBA_ENABLE_CUDASIM=None, CUDA_VISIBLE_DEVICES=""),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stdout + proc.stderr


def test_dlpack_on_the_host_shares_memory_with_numpy() -> None:
    t = torch.arange(4.0)
    assert t.__dlpack_device__() == (1, 0)
    a = np.from_dlpack(t)
    assert np.shares_memory(a, t.numpy())
    n = np.ones(3, np.float32)
    u = torch.from_dlpack(n)
    n[0] = 5.0
    assert u.tolist() == [5.0, 1.0, 1.0] and u.dtype == torch.float32
    v = torch.from_dlpack(t.__dlpack__())
    t.add_(1)
    assert v.tolist() == [1.0, 2.0, 3.0, 4.0]


def test_torch_backends_flags_scripts_set() -> None:
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = True
    try:
        assert torch.backends.cudnn.benchmark and torch.backends.cudnn.enabled
        assert torch.backends.mps.is_available() is False
        assert torch.backends.cudnn.is_available() is False
    finally:
        torch.backends.cudnn.benchmark = False
        torch.backends.cuda.matmul.allow_tf32 = False
