"""The meta device (tensors with a shape and a dtype, no data) against PyTorch's answers
recorded in tests/fixtures/meta_torch.json (tests/fixtures/make_meta_torch.py): reprs,
devices, shape propagation through ops and autograd, and PyTorch's errors for what needs
data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from meta_cases import CASES, run

import jitgrad as torch

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "meta_torch.json").read_text())


def test_every_case_is_recorded() -> None:
    assert sorted(RECORDED["cases"]) == sorted(name for name, _ in CASES)


#: cases where jitgrad raises PyTorch's error type in its CPU wording: PyTorch's meta kernels
#: word a broadcast mismatch differently from its CPU kernels, and jitgrad runs the CPU's check
CPU_WORDING = {"broadcast_bad"}


@pytest.mark.parametrize(("name", "fn"), CASES, ids=[name for name, _ in CASES])
def test_meta_matches_pytorch(name: str, fn) -> None:
    got, want = run(torch, fn), RECORDED["cases"][name]
    if name in CPU_WORDING:
        assert got["error"] == want["error"]
        assert got["message"].startswith("The size of tensor a (3) must match")
    else:
        assert got == want


def test_meta_tensors_hold_no_memory() -> None:
    big = torch.empty(10**6, 10**6, device="meta")  # 4 TB as data
    assert big.shape == (10**6, 10**6) and big.is_meta
    assert big.nbytes == 4 * 10**12 and big.stride() == (10**6, 1)


def test_module_to_meta_keeps_parameter_objects() -> None:
    lin = torch.nn.Linear(3, 2)
    weight = lin.weight
    lin.to("meta")
    assert lin.weight is weight and weight.is_meta and weight.requires_grad
    assert weight.grad is None
