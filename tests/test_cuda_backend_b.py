"""The second group of CUDA device test files (``GROUP_B`` in tests/test_cuda_backend.py, which
says why the cases are split) in the CUDA simulator, and on a GPU where there is one."""

from __future__ import annotations

import pytest
from test_cuda_backend import case_files, run_cases
from test_cuda_kernels import _gpu_present


def test_device_tests_pass_in_the_cuda_simulator() -> None:
    run_cases(case_files(group_b=True), simulator=True, at_least=200)


def test_device_tests_on_the_gpu() -> None:
    if not _gpu_present():
        pytest.skip("no CUDA GPU")
    run_cases(case_files(group_b=True), simulator=False, at_least=200)
