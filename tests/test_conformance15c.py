"""jitgrad against PyTorch 2.13's recorded answers (fixtures/conform15c_torch.json, written by
fixtures/make_conform15c_torch.py from tests/conform15c_cases.py): a complex ``var``/``std``
is one ``VarBackward0``/``StdBackward0`` over its input, so ``std_mean``/``var_mean`` of a
complex tensor are one ``StdMeanBackward0``/``VarMeanBackward0``; ``.real``/``.imag`` record
``SelectBackward0`` over ``ViewAsRealBackward0`` as PyTorch does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import jitgrad as torch
from tests import conform15_cases as C
from tests import conform15c_cases as CC
from tests.test_conformance15 import _same

DATA = json.loads((Path(__file__).parent / "fixtures" / "conform15c_torch.json").read_text())


@pytest.mark.parametrize("key", sorted(CC.SPREAD))
def test_complex_spread_is_one_node(key: str) -> None:
    _same(C.run(torch, CC.SPREAD[key]), DATA["spread"][key])


@pytest.mark.parametrize("key", sorted(CC.PARTS))
def test_real_imag_nodes(key: str) -> None:
    _same(C.run(torch, CC.PARTS[key]), DATA["parts"][key])


@pytest.mark.parametrize("key", sorted(CC.CREATE_GRAPH))
def test_create_graph_reads_std_as_joint_output(key: str) -> None:
    _same(C.run(torch, CC.CREATE_GRAPH[key]), DATA["create_graph"][key])


@pytest.mark.parametrize("key", sorted(CC.WARN))
def test_degrees_of_freedom_warnings(key: str) -> None:
    """As PyTorch's (two for a complex input, std_mean's worded ``std_mean():``), but for the
    "Mean of empty slice" NumPy adds to std_mean/var_mean of an empty complex input
    (jitgrad's complex mean of nothing: perf/RESULTS.md Run conform15c, left)."""
    got, want = C.run(torch, CC.WARN[key]), DATA["warn"][key]
    assert [m for m in got if "degrees of freedom" in m] == want, (got, want)
