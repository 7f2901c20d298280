"""group_norm, instance_norm, local_response_norm, pixel_shuffle/unshuffle,
multi_margin_loss, rrelu and Tensor.unfold (functions and modules): values, node names,
gradients, errors and reprs as PyTorch 2.13 recorded them (``tests/nn_norm_cases.py``,
recorded by ``tests/ops_record.py``); gradcheck and gradgradcheck in float64.
"""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np
import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "parity"))

import harness  # noqa: E402
from nn_norm_cases import programs  # noqa: E402

import jitgrad  # noqa: E402
import jitgrad.nn.functional as F  # noqa: E402
from jitgrad.autograd import gradcheck, gradgradcheck  # noqa: E402

EXPECTED = json.loads((HERE / "nn_norm_expected.json").read_text())["programs"]
PROGRAMS = programs()


def test_every_program_is_recorded():
    assert set(PROGRAMS) == set(EXPECTED), "rerun tests/ops_record.py under PyTorch"


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_matches_pytorch(name):
    jitgrad.set_default_dtype(jitgrad.float32)
    jitgrad.manual_seed(0)
    got = harness.run(PROGRAMS[name], jitgrad)
    tol = (1e-9, 1e-10) if name.endswith("float64") else (2e-5, 2e-6)
    err = harness.mismatch(got, EXPECTED[name], *tol)
    assert err is None, f"{err}\n got: {json.dumps(got)[:1500]}\nwant: {EXPECTED[name]}"


RNG = np.random.default_rng(5)
X = jitgrad.tensor(RNG.standard_normal((2, 4, 3)), dtype=jitgrad.float64, requires_grad=True)
X4 = jitgrad.tensor(RNG.standard_normal((1, 4, 2, 2)), dtype=jitgrad.float64, requires_grad=True)
WT = jitgrad.tensor(RNG.standard_normal(4), dtype=jitgrad.float64, requires_grad=True)
BS = jitgrad.tensor(RNG.standard_normal(4), dtype=jitgrad.float64, requires_grad=True)
T = jitgrad.tensor([0, 2, 1, 3])

CHECKS = {
    "group_norm": (lambda x, w, b: F.group_norm(x, 2, w, b), (X, WT, BS)),
    "instance_norm": (lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (X, WT, BS)),
    "local_response_norm": (lambda x: F.local_response_norm(x, 3, alpha=0.5), (X,)),
    "pixel_shuffle": (lambda x: F.pixel_shuffle(x, 2), (X4,)),
    "pixel_unshuffle": (lambda x: F.pixel_unshuffle(x, 2), (X4,)),
    "multi_margin_loss": (lambda x: F.multi_margin_loss(x[0].t(), T[:3]), (X,)),
    "multi_margin_loss_p2": (
        lambda x: F.multi_margin_loss(x[1].t(), T[1:], p=2, reduction="sum"),
        (X,),
    ),
    "rrelu": (lambda x: F.rrelu(x), (X,)),
    "unfold": (lambda x: x.unfold(2, 2, 1), (X,)),
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_gradcheck_float64(name):
    fn, inputs = CHECKS[name]
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_gradgradcheck_float64(name):
    fn, inputs = CHECKS[name]
    assert gradgradcheck(fn, inputs)


def test_empty_batch_group_norm_and_pixel_shuffle():
    x = jitgrad.zeros(0, 4, 2, requires_grad=True)
    out = F.group_norm(x, 2)
    assert out.shape == (0, 4, 2) and out.grad_fn.name() == "NativeGroupNormBackward0"
    out.sum().backward()
    assert x.grad.shape == (0, 4, 2)
    assert F.pixel_shuffle(jitgrad.zeros(0, 4, 1, 1), 2).shape == (0, 1, 2, 2)
