"""Second derivatives through ops whose backward runs a kernel, against recorded PyTorch 2.13
answers (tests/fixtures/higher_order_torch.json, made by
tests/fixtures/make_higher_order_torch.py from tests/higher_order_cases.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from higher_order_cases import WEIGHT as DATA_WEIGHT
from higher_order_cases import run

import jitgrad

DATA = json.loads((Path(__file__).parent / "fixtures" / "higher_order_torch.json").read_text())
CASES = [k for k in DATA if k != "torch_version"]
BAGS = [k for k in CASES if k.startswith("embedding_bag_")]


@pytest.fixture(scope="module")
def results() -> dict:
    """Every case run once, when this module's first test asks: at import it ran in every
    xdist worker's collection (72 compiles, ~40 s of CPU), also in the workers that never run
    this file."""
    return run(jitgrad)


@pytest.mark.parametrize("case", [k for k in CASES if k not in BAGS])
def test_gradient_of_gradient_as_pytorch(case: str, results: dict) -> None:
    # the embedding's weight gradient, cumprod's for an input with zeros and scatter_reduce's
    # amax/amin/prod were built from a kernel's or NumPy's array with no node, so a second
    # grad raised "does not require grad"
    # (issue 14: any order, no second backward)
    got, want = results[case], DATA[case]
    assert got["node"] == want["node"]
    pairs = [(got[k], want[k]) for k in ("grad", "hess")]
    if case.startswith("scatter_reduce_"):  # (self's and src's, of different lengths)
        pairs = [p for k in ("grad", "hess") for p in zip(got[k], want[k], strict=True)]
    for g, w in pairs:
        np.testing.assert_allclose(g, w, rtol=1e-6)


@pytest.mark.parametrize("case", BAGS)
def test_embedding_bag_gradient_of_gradient(case: str, results: dict) -> None:
    # the bag gradients were NumPy arrays with no node; PyTorch raises at the second grad
    # ('_embedding_bag_backward' has no derivative), so the second derivative is checked
    # against PyTorch's through F.embedding and a reduction per bag (the same function)
    got, want = results[case], DATA[case]
    assert got["node"] == want["node"] == "EmbeddingBagBackwardBackward0"
    for g, w in zip(got["grad"], want["grad"], strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-6)
    assert want["hess"].startswith(("NotImplementedError", "RuntimeError"))
    for key in ("composed_hess", "hess"):
        for g, w in zip(got[key], want["composed_hess"], strict=True):
            np.testing.assert_allclose(g, w, rtol=1e-6)


def test_cases_cover_every_recorded_case(results: dict) -> None:
    assert sorted(results) == sorted(CASES) and len(CASES) >= 20 and len(BAGS) >= 16


def _bag_fn(mode: str, padding_idx: int | None):
    idx, offsets = jitgrad.tensor([0, 2, 0, 3, 1, 2]), jitgrad.tensor([0, 2, 5])
    if mode == "weights":
        return lambda w, p: jitgrad.nn.functional.embedding_bag(
            idx, w, offsets, mode="sum", per_sample_weights=p
        )
    return lambda w: jitgrad.nn.functional.embedding_bag(
        idx, w, offsets, mode=mode, padding_idx=padding_idx
    )


@pytest.mark.parametrize(
    ("mode", "padding_idx"), [("sum", None), ("mean", 3), ("max", None), ("weights", None)]
)
def test_embedding_bag_gradgradcheck(mode: str, padding_idx: int | None) -> None:
    # finite differences of the gradient, float64 (the inputs are away from max's ties)
    w = jitgrad.tensor(DATA_WEIGHT, dtype=jitgrad.float64, requires_grad=True)
    p = jitgrad.tensor([0.5, 2.0, -1.0, 1.5, 3.0, -0.5], dtype=jitgrad.float64,
                       requires_grad=True)  # fmt: skip
    inputs = (w, p) if mode == "weights" else (w,)
    assert jitgrad.autograd.gradgradcheck(_bag_fn(mode, padding_idx), inputs)


@pytest.mark.parametrize(
    ("reduce", "include_self", "src"),
    [
        ("amax", True, [1.0, 3.0, 4.0, 2.0, -1.0]),
        ("amin", False, [1.5, 3.0, 3.5, 2.0, 2.5]),
        ("prod", True, [1.5, 3.0, 3.0, 2.0, 0.5]),
        ("prod", False, [1.5, 0.0, 3.0, 2.0, 0.5]),
        ("prod", True, [1.5, 2.5, 3.0, 0.0, 0.5]),
    ],
)
def test_scatter_reduce_gradgradcheck(reduce: str, include_self: bool, src: list) -> None:
    x = jitgrad.tensor([2.0, -1.5], dtype=jitgrad.float64, requires_grad=True)
    s = jitgrad.tensor(src, dtype=jitgrad.float64, requires_grad=True)
    index = jitgrad.tensor([0, 0, 1, 1, 1])

    def f(a, b):
        return a.scatter_reduce(0, index, b, reduce, include_self=include_self)

    assert jitgrad.autograd.gradgradcheck(f, (x, s))


@pytest.mark.parametrize(
    ("values", "dim", "keepdim"),
    [
        ([[1.0, -2.0, 3.0, 0.5], [2.5, 0.0, -1.0, 4.0]], 1, False),
        ([[1.0, 0.0, 3.0, 0.0], [2.5, 1.5, -1.0, 4.0]], 1, True),
        ([[0.0, -2.0, 3.0, 0.5], [2.5, 0.0, 0.0, 4.0]], 0, False),
        ([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]], None, False),
        ([[1.0, 0.0, 3.0], [0.5, 0.0, -1.0]], None, False),
        ([1.5, 0.0, -2.0], 0, True),
    ],
)
def test_prod_with_zeros_gradgradcheck(values: list, dim: int | None, keepdim: bool) -> None:
    # the second derivative followed only the part in the incoming gradient when the input
    # had a zero (in any row), so it was wrong even in rows without one
    x = jitgrad.tensor(values, dtype=jitgrad.float64, requires_grad=True)

    def f(a):
        return a.prod() if dim is None else a.prod(dim, keepdim=keepdim)

    assert jitgrad.autograd.gradgradcheck(f, (x,))
