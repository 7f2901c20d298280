"""The second group of CUDA device test files (``GROUP_B`` in tests/test_cuda_backend.py, which
says why the cases are split) and the hand-written kernels' ``tests/cuda_sim/kern_*.py``, in
one CUDA simulator process, and on a GPU where there is one."""

from __future__ import annotations

import pytest
from test_cuda_backend import group_files, run_cases
from test_cuda_kernels import _gpu_present

#: the group's cases (641 in session 19) and the kernels' modules (133; each part's floor as
#: before: 200 and 85)
AT_LEAST = 200 + 85


def test_device_tests_pass_in_the_cuda_simulator() -> None:
    run_cases(group_files(group_b=True), simulator=True, at_least=AT_LEAST)


def test_device_tests_on_the_gpu() -> None:
    if not _gpu_present():
        pytest.skip("no CUDA GPU")
    run_cases(group_files(group_b=True), simulator=False, at_least=AT_LEAST)
