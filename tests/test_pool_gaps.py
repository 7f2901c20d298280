"""Fractional max pooling, ``max_unpool3d``, ``lp_pool3d`` and integer convolutions against
recorded PyTorch 2.13 answers (tests/fixtures/pool_gaps_torch.json, made by
tests/fixtures/make_pool_gaps_torch.py from tests/pool_gaps_cases.py): values, indices,
input gradients, node names, error types and messages, reprs; plus gradcheck."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pool_gaps_cases import CASES, ERRORS, REPRS, run_case, run_error, run_repr

import jitgrad
import jitgrad.nn.functional as F
from jitgrad.autograd import gradcheck, gradgradcheck

DATA = json.loads((Path(__file__).parent / "fixtures" / "pool_gaps_torch.json").read_text())


@pytest.mark.parametrize("name", list(CASES))
def test_values_grads_and_node_as_pytorch(name: str) -> None:
    want, got = DATA["cases"][name], run_case(jitgrad, name)
    assert (got["shape"], got["dtype"]) == (want["shape"], want["dtype"])
    assert got["grad_fn"] == want["grad_fn"]
    rtol = 1e-5 if want["dtype"] == "float32" else 1e-12
    if want["dtype"].startswith(("int", "uint")):
        assert got["out"] == want["out"]  # integer results, wraparound included, exactly
    np.testing.assert_allclose(got["out"], want["out"], rtol=rtol, atol=rtol * 1e-2)
    assert got.get("indices") == want.get("indices")
    assert len(got.get("grads", [])) == len(want.get("grads", []))
    for g, w in zip(got.get("grads", []), want.get("grads", []), strict=True):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol * 1e-2)


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_as_pytorch(name: str) -> None:
    assert run_error(jitgrad, name) == DATA["errors"][name]


@pytest.mark.parametrize("name", list(REPRS))
def test_reprs_as_pytorch(name: str) -> None:
    assert run_repr(jitgrad, name) == DATA["reprs"][name]


def _x(*shape: int, seed: int = 0) -> jitgrad.Tensor:
    rng = np.random.default_rng(seed)
    return jitgrad.tensor(rng.permutation(np.prod(shape)).reshape(shape) * 0.1, requires_grad=True)


def test_fractional_max_pool_gradcheck_and_double_backward() -> None:
    x = _x(1, 2, 7, 6)  # distinct values: no ties for the finite differences to cross
    u = jitgrad.tensor(np.random.default_rng(1).uniform(size=(1, 2, 2)))

    def fn(x):
        return F.fractional_max_pool2d(x, 2, (4, 3), _random_samples=u)

    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))
    y = fn(x)
    up = jitgrad.ones_like(y, requires_grad=True)
    (g,) = jitgrad.autograd.grad(y, x, up, create_graph=True)
    assert type(g.grad_fn).__name__ == "FractionalMaxPool2DBackwardBackward0"


def test_fractional_max_pool3d_gradcheck() -> None:
    x = _x(1, 1, 5, 4, 6)
    u = jitgrad.tensor(np.random.default_rng(2).uniform(size=(1, 1, 3)))
    assert gradcheck(lambda x: F.fractional_max_pool3d(x, 2, 3, _random_samples=u), (x,))


def test_fractional_max_pool_draws_samples_when_none_given() -> None:
    x = jitgrad.randn(2, 3, 9, 9)
    jitgrad.manual_seed(0)
    a, ia = F.fractional_max_pool2d(x, 2, output_ratio=(0.5, 0.5), return_indices=True)
    jitgrad.manual_seed(0)
    b, ib = F.fractional_max_pool2d(x, 2, output_ratio=(0.5, 0.5), return_indices=True)
    assert a.shape == (2, 3, 4, 4) and ia.dtype == jitgrad.int64
    assert jitgrad.equal(a, b) and jitgrad.equal(ia, ib)  # the same seed, the same windows
    # each value is its input at its index
    flat = x.reshape(2, 3, -1).gather(2, ia.reshape(2, 3, -1)).reshape(a.shape)
    assert jitgrad.equal(flat, a)


def test_max_unpool3d_gradcheck() -> None:
    x = _x(1, 2, 4, 4, 4)
    y, i = F.max_pool3d(x, 2, return_indices=True)
    assert gradcheck(lambda y: F.max_unpool3d(y, i, 2), (y.detach().requires_grad_(),))


def test_lp_pool3d_gradcheck() -> None:
    x = _x(1, 1, 4, 4, 5) + 0.05
    assert gradcheck(lambda x: F.lp_pool3d(x, 1.5, (2, 2, 3), stride=1), (x,))
