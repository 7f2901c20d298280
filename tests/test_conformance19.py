"""jitgrad against PyTorch 2.13's recorded answers (fixtures/conform19_torch.json, written by
fixtures/make_conform19_torch.py from tests/conform19_cases.py): nansum's node, the storage
offsets of split/chunk's empty pieces and of a view's ``detach()`` / ``.data``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import jitgrad as torch
from tests import conform15_cases as C
from tests import conform19_cases as CC
from tests.test_conformance15 import _same

DATA = json.loads((Path(__file__).parent / "fixtures" / "conform19_torch.json").read_text())


@pytest.mark.parametrize("expr", CC.NANSUM_CALLS)
def test_nansum_node(expr: str) -> None:
    _same(C.evaluate(torch, expr, CC.NANSUM_SETUP), DATA["nansum"][expr])


@pytest.mark.parametrize("expr", CC.OFFSET_CALLS)
def test_piece_storage_offsets(expr: str) -> None:
    _same(C.evaluate(torch, expr, CC.OFFSET_SETUP), DATA["offsets"][expr])


@pytest.mark.parametrize("expr", CC.SAVE_CALLS)
def test_detached_view_saved(expr: str) -> None:
    _same(C.evaluate(torch, expr, CC.SAVE_SETUP), DATA["save"][expr])


def _close(got: object, want: object, rtol: float, atol: float = 0.0, where: str = "") -> None:
    """Equal structure; numbers (floats written as ``repr`` strings) within ``rtol`` (and
    ``atol``), NaN equal to NaN; with no ``atol`` an infinity or zero equal, its sign too."""
    if isinstance(want, list):
        assert isinstance(got, list | tuple) and len(got) == len(want), (where, got, want)
        for k, (g, w) in enumerate(zip(got, want, strict=True)):
            _close(g, w, rtol, atol, f"{where}[{k}]")
        return
    try:
        g, w = float(got), float(want)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        assert got == want, (where, got, want)
        return
    if math.isnan(w) or math.isnan(g):
        assert math.isnan(g) and math.isnan(w), (where, got, want)
    elif math.isinf(w) or (w == 0 and not atol):
        assert g == w and math.copysign(1, g) == math.copysign(1, w), (where, got, want)
    else:
        assert abs(g - w) <= rtol * abs(w) + atol, (where, got, want)


def _rtol(expr: str, wide: float, narrow: float) -> float:
    return narrow if "complex64" in expr else wide


@pytest.mark.parametrize("expr", CC.COMPLEX_EDGE_CALLS)
def test_complex_inverse_trig_edges(expr: str) -> None:
    got = C.run(torch, CC.complex_source(expr))
    _close(got, DATA["complex_edges"][expr], _rtol(expr, 1e-12, 1e-6))


@pytest.mark.parametrize("expr", CC.COMPLEX_GRAD_CALLS)
def test_complex_inverse_trig_grads(expr: str) -> None:
    got = C.run(torch, CC.complex_source(expr))
    # (atol: a part that is 0 in exact arithmetic, PyTorch's rounding noise there: -2.6e-9)
    _close(got, DATA["complex_grads"][expr], _rtol(expr, 1e-10, 1e-5), _rtol(expr, 1e-14, 1e-7))
