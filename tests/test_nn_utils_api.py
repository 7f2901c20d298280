"""``nn.utils.parametrize``/``parametrizations``/``spectral_norm``/``prune``/``skip_init``,
lazy modules, ``nn.Buffer`` and ``optim.swa_utils`` against PyTorch 2.13 (values, gradients,
reprs, ``state_dict`` keys and error texts recorded by ``tests/parity/record_apinn_utils.py``
running the same ``apinn_utils_cases`` under PyTorch), plus property checks that need no
recording."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import jitgrad as torch
from jitgrad import nn
from jitgrad.nn.utils import parametrizations, parametrize, prune

sys.path.insert(0, str(Path(__file__).parent / "parity"))
from apinn_utils_cases import CASES  # noqa: E402

EXPECTED = json.loads((Path(__file__).parent / "fixtures" / "apinn_utils.json").read_text())


def _same(got: Any, want: Any, path: str) -> None:
    if isinstance(want, dict):
        assert sorted(got) == sorted(want), path
        for k in want:
            _same(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, list) and want and all(isinstance(w, str) for w in want):
        assert got == want, path
    elif isinstance(want, list) and not (want and isinstance(want[0], float | int | list)):
        assert len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _same(g, w, f"{path}[{i}]")
    elif isinstance(want, list):
        try:
            np.testing.assert_allclose(np.array(got, float), np.array(want, float),
                                       rtol=1e-9, atol=1e-10, err_msg=path)  # fmt: skip
        except ValueError:  # ragged: a record of mixed fields
            assert len(got) == len(want), path
            for i, (g, w) in enumerate(zip(got, want, strict=True)):
                _same(g, w, f"{path}[{i}]")
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12), path
    else:
        assert got == want, path


@pytest.mark.parametrize("name", list(CASES))
def test_matches_pytorch(name: str) -> None:
    _same(CASES[name](torch), EXPECTED[name], name)


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)])
@pytest.mark.parametrize("how", ["matrix_exp", "cayley", "householder"])
def test_orthogonal_stays_orthogonal_while_training(shape, how) -> None:
    m = nn.Linear(shape[1], shape[0], dtype=torch.float64)
    parametrizations.orthogonal(m, orthogonal_map=how)
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        m(torch.randn(7, shape[1], dtype=torch.float64)).pow(2).sum().backward()
        opt.step()
    w = m.weight.detach().numpy()
    small = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(small, np.eye(min(shape)), atol=1e-10)


def test_parametrized_gradcheck() -> None:
    class Skew(nn.Module):
        def forward(self, x):
            return x - x.mT

    m = nn.Linear(3, 3, dtype=torch.float64)
    parametrize.register_parametrization(m, "weight", Skew())
    x = torch.randn(2, 3, dtype=torch.float64)
    orig = m.parametrizations.weight.original

    def f(o):
        with torch.no_grad():
            orig.copy_(o)
        return x @ (o - o.mT).mT

    assert torch.autograd.gradcheck(f, (orig.detach().clone().requires_grad_(),))
    w = m.weight.detach().numpy()
    np.testing.assert_array_equal(w, -w.T)


def test_random_pruning_prunes_the_asked_amount() -> None:
    m = nn.Linear(10, 10)
    prune.random_unstructured(m, "weight", amount=0.25)
    assert int((m.weight_mask == 0).sum()) == 25
    prune.random_structured(m, "weight", amount=3, dim=0)
    rows = m.weight_mask.numpy().sum(1)
    assert (rows == 0).sum() >= 3
    assert ((m.weight == 0) == (m.weight_mask == 0)).all()
    out = m(torch.ones(1, 10))
    out.sum().backward()
    np.testing.assert_array_equal(m.weight_orig.grad.numpy(), m.weight_mask.numpy())


def test_spectral_norm_weight_has_unit_spectral_norm() -> None:
    conv = parametrizations.spectral_norm(nn.Conv2d(3, 4, 3, dtype=torch.float64))
    for _ in range(100):  # each training-mode access runs one more power-iteration step
        conv.weight  # noqa: B018
    conv.eval()
    w = conv.weight.detach().numpy().reshape(4, -1)
    s = np.linalg.svd(w, compute_uv=False)
    assert s[0] == pytest.approx(1.0, rel=1e-6)


def test_nllloss2d_is_the_deprecated_nllloss() -> None:
    with pytest.warns(FutureWarning, match="^`NLLLoss2d` has been deprecated. Please use"):
        loss = nn.NLLLoss2d(ignore_index=1)
    x = torch.randn(2, 3, 4, 4).log_softmax(1)
    t = torch.randint(0, 3, (2, 4, 4))
    assert repr(loss) == "NLLLoss2d()"
    assert float(loss(x, t)) == float(nn.functional.nll_loss(x, t, ignore_index=1))
