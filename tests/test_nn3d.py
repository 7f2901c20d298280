"""The 3-d layers against recorded PyTorch 2.13 answers (tests/fixtures/nn3d_torch.json,
made by tests/fixtures/make_nn3d_torch.py from tests/nn3d_cases.py): values, indices,
input gradients, node names and error messages; plus float64 gradcheck/gradgradcheck."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from nn3d_cases import CASES, ERRORS, run_case, run_error

import jitgrad
import jitgrad.nn.functional as F
from jitgrad.autograd import gradcheck, gradgradcheck

DATA = json.loads((Path(__file__).parent / "fixtures" / "nn3d_torch.json").read_text())


@pytest.mark.parametrize("name", list(CASES))
def test_values_grads_and_node_as_pytorch(name: str) -> None:
    want, got = DATA["cases"][name], run_case(jitgrad, name)
    assert got["shape"] == want["shape"] and got["grad_fn"] == want["grad_fn"]
    np.testing.assert_allclose(got["out"], want["out"], rtol=1e-12, atol=1e-13)
    assert got.get("indices") == want.get("indices")
    assert len(got["grads"]) == len(want["grads"])
    for g, w in zip(got["grads"], want["grads"], strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_as_pytorch(name: str) -> None:
    assert run_error(jitgrad, name) == DATA["errors"][name]


def _x(*shape: int, seed: int = 0) -> jitgrad.Tensor:
    rng = np.random.default_rng(seed)
    return jitgrad.tensor(rng.standard_normal(shape), requires_grad=True)


def test_conv3d_gradcheck_and_double_backward() -> None:
    x, w, b = _x(1, 2, 3, 3, 4), _x(2, 1, 2, 2, 2, seed=1), _x(2, seed=2)

    def fn(x, w, b):
        return F.conv3d(x, w, b, stride=(1, 2, 1), padding=(1, 0, 1), dilation=(2, 1, 1), groups=2)

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


def test_conv_transpose3d_gradcheck_and_double_backward() -> None:
    x, w, b = _x(1, 2, 2, 3, 2), _x(2, 1, 2, 2, 3, seed=1), _x(2, seed=2)

    def fn(x, w, b):
        return F.conv_transpose3d(x, w, b, (2, 1, 2), (1, 0, 1), (1, 0, 0), 2, (1, 2, 1))

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: F.max_pool3d(x, 2, stride=1, padding=1),
        lambda x: F.avg_pool3d(x, (2, 3, 2), stride=(1, 2, 1), padding=1, count_include_pad=False),
        lambda x: F.adaptive_avg_pool3d(x, (2, 2, 3)),
        lambda x: F.adaptive_max_pool3d(x, (2, 1, 2)),
        lambda x: F.interpolate(x, size=(3, 4, 5), mode="trilinear"),
    ],
    ids=["max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d", "trilinear"],
)
def test_pool_gradcheck(fn) -> None:
    x = _x(1, 2, 3, 3, 4, seed=3)  # continuous values: no ties in a max window
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))
