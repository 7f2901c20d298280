"""The everyday API of ``jitgrad/tensor_api.py``'s modules against PyTorch 2.13's recorded
answers (``tests/fixtures/api_extra_torch.json``, from ``make_api_extra_torch.py``): values,
gradients and node names of the differentiable functions (and a float64 gradcheck of each),
the in-place methods' results, nodes, versions and gradients, error types and messages, and
``torch.testing.assert_close``'s verdicts and messages word for word."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from api_extra_cases import (
    ASSERT_CLOSE,
    ERRORS,
    GRAD_CASES,
    INPLACE_CASES,
    VALUE_CASES,
    encode,
    inputs,
    run_grad_case,
    run_inplace_case,
    run_raising,
)

import jitgrad
from jitgrad.autograd import gradcheck

DATA = json.loads(
    (Path(__file__).resolve().parent / "fixtures" / "api_extra_torch.json").read_text()
)


def _same(got, want, path="") -> None:
    """Recursive comparison of two encoded results (values to 1e-6 relative)."""
    if isinstance(want, dict):
        assert isinstance(got, dict), path
        assert got["dtype"] == want["dtype"] and got["shape"] == want["shape"], path
        np.testing.assert_allclose(
            np.asarray(got["values"], float),
            np.asarray(want["values"], float),
            rtol=1e-6,
            atol=1e-6,
            err_msg=path,
        )
    elif isinstance(want, list):
        assert isinstance(got, list | tuple) and len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _same(g, w, f"{path}[{i}]")
    elif isinstance(want, float) and math.isnan(want):
        assert math.isnan(got), path
    else:
        assert got == want, path


#: the reprs that name the package (dtypes, Size, the Tensor class); not function names
_TORCH_NAMES = re.compile(r"torch\.(?=float|int|uint|bool|Size|Tensor)")


def _message(recorded):
    """PyTorch's text as jitgrad writes it (its module is named jitgrad)."""
    if recorded is None:
        return None
    return [recorded[0], _TORCH_NAMES.sub("jitgrad.", recorded[1])]


@pytest.mark.parametrize(("index", "case"), list(enumerate(GRAD_CASES)), ids=lambda c: str(c))
def test_grad_case_matches_torch(index, case) -> None:
    name, fn, shapes = case
    out, grads, node = run_grad_case(jitgrad, fn, shapes, index)
    want = DATA["grad"][name]
    assert node == want["grad_fn"]
    _same(encode(out), want["out"], "out")
    _same(encode(grads), want["grads"], "grads")


@pytest.mark.parametrize(("index", "case"), list(enumerate(GRAD_CASES)), ids=lambda c: str(c))
def test_grad_case_gradcheck(index, case) -> None:
    name, fn, shapes = case
    xs = [
        jitgrad.tensor(inputs(s, 10 * index + k), requires_grad=True) for k, s in enumerate(shapes)
    ]
    assert gradcheck(lambda *a: fn(jitgrad, *a), xs, eps=1e-6, atol=1e-5)


@pytest.mark.parametrize(("index", "case"), list(enumerate(INPLACE_CASES)), ids=lambda c: str(c))
def test_inplace_case_matches_torch(index, case) -> None:
    name, fn, shape = case
    y, node, version, grad = run_inplace_case(jitgrad, fn, shape, index)
    want = DATA["inplace"][name]
    assert node == want["grad_fn"]
    assert version == want["version"]
    _same(encode(y), want["y"], "y")
    if isinstance(want["grad"], dict):
        _same(grad, want["grad"], "grad")
    else:
        assert grad == _message(want["grad"])


@pytest.mark.parametrize("case", VALUE_CASES, ids=lambda c: c[0])
def test_value_case_matches_torch(case) -> None:
    name, fn = case
    _same(encode(fn(jitgrad)), DATA["values"][name], name)


@pytest.mark.parametrize("case", ERRORS, ids=lambda c: c[0])
def test_error_matches_torch(case) -> None:
    name, fn = case
    assert run_raising(fn, jitgrad) == _message(DATA["errors"][name])


@pytest.mark.parametrize("case", ASSERT_CLOSE, ids=lambda c: c[0])
def test_assert_close_matches_torch(case) -> None:
    name, fn = case
    assert run_raising(fn, jitgrad) == _message(DATA["assert_close"][name])
