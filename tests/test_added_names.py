"""The names added from tests/test_missing_names.py's lists, row by row against PyTorch's
answers recorded in tests/fixtures/names_torch.json (tests/fixtures/make_names_torch.py),
plus gradcheck of torch.gradient in float64."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from names_cases import CASES, run

import jitgrad as torch

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "names_torch.json").read_text())


def _same(got, want) -> bool:
    if isinstance(want, dict) and "values" in want:
        if {k: got.get(k) for k in ("shape", "dtype", "grad_fn")} != {
            k: want[k] for k in ("shape", "dtype", "grad_fn")
        }:
            return False
        rtol = 1e-5 if want["dtype"] == "torch.float32" else 1e-10
        return np.allclose(got["values"], want["values"], rtol=rtol, atol=rtol, equal_nan=True)
    if isinstance(want, list):
        return (
            isinstance(got, list)
            and len(got) == len(want)
            and all(_same(g, w) for g, w in zip(got, want, strict=True))
        )
    return got == want


def test_every_case_is_recorded() -> None:
    assert sorted(RECORDED["cases"]) == sorted(name for name, _ in CASES)


@pytest.mark.parametrize(("name", "fn"), CASES, ids=[name for name, _ in CASES])
def test_added_name_matches_pytorch(name: str, fn) -> None:
    got, want = run(torch, fn), RECORDED["cases"][name]
    assert got.keys() == want.keys(), (got, want)
    if "error" in want:
        assert got == want
    else:
        assert got["warnings"] == want["warnings"]
        assert _same(got["value"], want["value"]), (got["value"], want["value"])


@pytest.mark.parametrize(
    ("kwargs", "shape"),
    [
        ({}, (5,)),
        ({"edge_order": 2}, (4, 3)),
        ({"spacing": [0.5, 2.0]}, (3, 4)),
        ({"dim": 1, "edge_order": 2}, (2, 5)),
    ],
)
def test_gradient_gradcheck(kwargs: dict, shape: tuple) -> None:
    x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: torch.gradient(t, **kwargs), (x,))


def test_gradient_coordinates_gradcheck() -> None:
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    c = torch.tensor([0.0, 0.7, 1.5, 3.5], dtype=torch.float64, requires_grad=True)
    for order in (1, 2):
        assert torch.autograd.gradcheck(
            lambda t, c, k=order: torch.gradient(t, spacing=(c,), dim=1, edge_order=k), (x, c)
        )


def test_gradient_matches_numpy_on_random_input() -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 6))
    coords = np.cumsum(rng.uniform(0.2, 1.0, 6))
    for order in (1, 2):
        got = torch.gradient(
            torch.tensor(a), spacing=(torch.tensor(coords),), dim=1, edge_order=order
        )[0]
        np.testing.assert_allclose(
            got.numpy(), np.gradient(a, coords, axis=1, edge_order=order), rtol=1e-12
        )


def test_missing_parallel_name_says_not_implemented() -> None:
    # DistributedDataParallel exists now (PyTorch's no-process-group error when constructed:
    # tests/test_corpus_fixes_s9b.py); the multi-device helpers are still missing
    with pytest.raises(AttributeError, match=r"\(not implemented in jitgrad\)$"):
        torch.nn.parallel.replicate  # noqa: B018


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("permute_copy", ([1, 0],)),
        ("diagonal_copy", ()),
        ("unbind_copy", (1,)),
        ("as_strided_copy", ((2, 2), (1, 2))),
    ],
)
def test_copy_op_gradcheck_and_fresh_memory(name: str, args: tuple) -> None:
    x = torch.randn(3, 3, dtype=torch.float64, requires_grad=True)
    fn = getattr(torch, name)
    assert torch.autograd.gradcheck(lambda t: fn(t, *args), (x,))
    out = fn(x, *args)
    for piece in out if isinstance(out, tuple) else (out,):
        assert piece.data_ptr() != x.data_ptr() and piece.is_contiguous()


@pytest.mark.parametrize("offset", [None, 1])
def test_as_strided_scatter_gradcheck(offset) -> None:
    # against the derivative itself: PyTorch 2.13's input gradient fails this same
    # gradcheck (it keeps the scattered region and zeroes the rest), so it is not recorded
    x = torch.randn(7, dtype=torch.float64, requires_grad=True)
    src = torch.randn(2, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda a, b: torch.as_strided_scatter(a, b, (2, 2), (1, 2), offset), (x, src)
    )


@pytest.mark.parametrize(("size", "channels"), [(3, 5), (4, 6), (5, 2), (1, 3)])
def test_cross_map_lrn_gradcheck(size: int, channels: int) -> None:
    # against the derivative itself: PyTorch's hand-written backward fails this same check
    # when size < channels, so its gradients are not recorded
    m = torch.nn.CrossMapLRN2d(size, 1e-1, 0.75, 2.0)
    x = torch.randn(2, channels, 2, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(m, (x,))
