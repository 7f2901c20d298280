"""The transforms and constraints PyTorch 2.13 added to torch.distributions that jitgrad
lacked (Softplus, Reshape, LowerCholesky, PositiveDefinite, CorrCholesky, Cat, Stack,
CumulativeDistribution; square, symmetric, positive_semidefinite): every case of
tests/transform_cases.py against PyTorch's recorded answers (transforms_torch.json, by
tests/fixtures/make_transforms_torch.py), plus properties checked here (round trips,
log-det against a numeric Jacobian, CorrCholesky's output being a correlation factor)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import jitgrad as torch
from tests.transform_cases import CASES, CHECKS, ERRORS, REGISTRY, record_case

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "transforms_torch.json").read_text())


def _close(actual, expected) -> None:
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name,build", CASES, ids=[c[0] for c in CASES])
def test_transform_matches_pytorch(name, build):
    mine, rec = record_case(torch, build), RECORDED["cases"][name]
    assert set(mine) == set(rec)
    for key, expected in rec.items():
        got = mine[key]
        if isinstance(expected, dict) and "value" in expected:
            assert got["shape"] == expected["shape"], key
            _close(got["value"], expected["value"])
        elif key == "grad":
            _close(got, expected)
        else:
            assert got == expected, key


def test_registries_give_pytorch_transforms():
    assert [repr(make(torch)) for make in REGISTRY] == RECORDED["registry"]


@pytest.mark.parametrize("name,check", CHECKS, ids=[c[0] for c in CHECKS])
def test_constraint_checks_match_pytorch(name, check):
    assert check(torch).tolist() == RECORDED["checks"][name]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_pytorch(i):
    expected = RECORDED["errors"][i]
    assert expected is not None
    with pytest.raises(Exception) as info:  # noqa: PT011 - the type is compared below
        ERRORS[i](torch)
    text = str(info.value).replace("jitgrad.Size", "torch.Size")
    assert [type(info.value).__name__, text] == expected


def _numeric_log_det(f, x: np.ndarray, eps: float = 1e-6) -> float:
    cols = []
    for i in range(x.size):
        d = np.zeros_like(x)
        d.flat[i] = eps
        cols.append((f(x + d) - f(x - d)) / (2 * eps))
    return float(np.linalg.slogdet(np.stack(cols, axis=1))[1])


def test_corr_cholesky_log_det_is_the_jacobian_of_its_free_entries():
    """log |det J| of x -> the strictly lower entries of the factor (the diagonal follows
    from unit rows), checked with central differences."""
    t = torch.distributions.CorrCholeskyTransform()
    x = np.array([0.3, -0.5, 1.2, 0.4, -1.1, 0.25])
    rows, cols = np.tril_indices(4, -1)

    def free(v):
        return t(torch.tensor(v, dtype=torch.float64)).numpy()[rows, cols]

    xt = torch.tensor(x, dtype=torch.float64)
    ladj = float(t.log_abs_det_jacobian(xt, t(xt)))
    assert abs(ladj - _numeric_log_det(free, x)) < 1e-6
    corr = t(xt).numpy() @ t(xt).numpy().T
    _close(np.diag(corr), np.ones(4))
    assert np.all(np.linalg.eigvalsh(corr) > 0)


def test_softplus_and_stack_round_trip():
    x = torch.tensor([[-3.0, 0.2], [1.5, 4.0]], dtype=torch.float64)
    for t in (
        torch.distributions.SoftplusTransform(),
        torch.distributions.StackTransform(
            [torch.distributions.ExpTransform(), torch.distributions.SoftplusTransform()], 1
        ),
    ):
        _close(t.inv(t(x)).numpy(), x.numpy())


def test_new_names_on_the_transforms_module():
    names = ("CatTransform", "CorrCholeskyTransform", "CumulativeDistributionTransform",
             "LowerCholeskyTransform", "PositiveDefiniteTransform", "ReshapeTransform",
             "SoftplusTransform", "StackTransform")  # fmt: skip
    for name in names:
        assert getattr(torch.distributions.transforms, name) is getattr(torch.distributions, name)
        assert name in torch.distributions.transforms.__all__
