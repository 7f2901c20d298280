"""Lazy conjugation as PyTorch has it: ``conj()`` of a complex tensor is a view with the
conjugate bit (``is_conj()``), ``imag`` of it a view with the negative bit (``is_neg()``);
writes through either reach the base, version counters are shared, ``resolve_conj``/
``resolve_neg`` materialize, ``numpy()`` refuses a flagged tensor. Checked against PyTorch
2.13's recorded answers (tests/fixtures/conj_bits_torch.json, made by
tests/fixtures/make_conj_bits_torch.py from tests/conj_bits_cases.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conj_bits_cases import (
    ERRORS,
    FLAGS,
    NODES,
    REPRS,
    WRITES,
    run_error,
    run_flag,
    run_misc,
    run_node,
    run_repr,
    run_write,
)

import jitgrad
from jitgrad.autograd import gradcheck, gradgradcheck

DATA = json.loads((Path(__file__).parent / "fixtures" / "conj_bits_torch.json").read_text())


@pytest.mark.parametrize("name", list(FLAGS))
def test_bits_views_and_values_as_pytorch(name: str) -> None:
    want, got = DATA["flags"][name], run_flag(jitgrad, name)
    np.testing.assert_allclose(got.pop("values"), want.pop("values"), rtol=1e-12)
    assert got == want


@pytest.mark.parametrize("name", list(WRITES))
def test_writes_through_views_as_pytorch(name: str) -> None:
    want, got = DATA["writes"][name], run_write(jitgrad, name)
    assert got["z"] == want["z"] and got["c"] == want["c"]
    assert (got["c_is_conj"], got["versions"]) == (want["c_is_conj"], want["versions"])


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_as_pytorch(name: str) -> None:
    assert run_error(jitgrad, name) == DATA["errors"][name]


@pytest.mark.parametrize("name", list(NODES))
def test_nodes_and_gradients_as_pytorch(name: str) -> None:
    want, got = DATA["nodes"][name], run_node(jitgrad, name)
    assert got["chain"] == want["chain"]
    np.testing.assert_allclose(got["values"], want["values"], rtol=1e-12)
    np.testing.assert_allclose(got["grad"], want["grad"], rtol=1e-12)


@pytest.mark.parametrize("name", list(REPRS))
def test_repr_as_pytorch(name: str) -> None:
    assert run_repr(jitgrad, name) == DATA["reprs"][name]


def test_real_tensors_svd_and_ihfft_as_pytorch() -> None:
    assert run_misc(jitgrad) == DATA["misc"]


def test_read_after_base_write_sees_new_values() -> None:
    """The materialized values are cached per version: a change to the base (a new version)
    is seen by the next read of the view, fused elementwise ops included."""
    z = jitgrad.tensor([1 + 1j, 2 - 2j], dtype=jitgrad.complex128)
    c = z.conj()
    first = (c.imag * 2).tolist()
    z.mul_(3)
    assert (first, (c.imag * 2).tolist()) == ([-2.0, 4.0], [-6.0, 12.0])
    assert c.tolist() == [3 - 3j, 6 + 6j]


def test_numpy_force_resolves() -> None:
    z = jitgrad.tensor([1 + 2j], dtype=jitgrad.complex128)
    out = z.conj().numpy(force=True)
    out[0] = 0
    assert out.dtype == np.complex128 and z.tolist() == [1 + 2j]


@pytest.mark.parametrize(
    "fn",
    [
        lambda z: z.conj() @ z,
        lambda z: z.conj().imag * z.real,
        lambda z: z.mH @ z.exp(),
        lambda z: z.conj()[1] * 2,
    ],
    ids=["conj_matmul", "imag_of_conj", "mH", "select_of_conj"],
)
def test_gradcheck_through_bit_views(fn) -> None:
    rng = np.random.default_rng(0)
    z = jitgrad.tensor(
        rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3)), requires_grad=True
    )
    assert gradcheck(fn, (z,)) and gradgradcheck(fn, (z,))
