"""jitgrad against PyTorch 2.13's recorded answers (fixtures/conform18b_torch.json, written by
fixtures/make_conform18b_torch.py from tests/conform18b_cases.py): rrelu's saved bounds and
noise, the create_graph node of an op on a Scalar parameter, torch.save's bytes and storages,
channels-last strides, keywords in invalid-combination messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import jitgrad as torch
from tests import conform15_cases as C
from tests import conform18b_cases as CB
from tests.test_conformance15 import _same

DATA = json.loads((Path(__file__).parent / "fixtures" / "conform18b_torch.json").read_text())


@pytest.mark.parametrize("key", sorted(CB.RRELU))
def test_rrelu_saved_bounds_and_noise(key: str) -> None:
    _same(C.run(torch, CB.rrelu_source(CB.RRELU[key])), DATA["rrelu"][key])


@pytest.mark.parametrize("expr", CB.GRAPH_CALLS)
def test_create_graph_node_of_a_scalar_parameter(expr: str) -> None:
    _same(C.evaluate(torch, expr, CB.GRAPH_SETUP), DATA["graph"][expr])


@pytest.mark.parametrize("expr", CB.SAVE_CALLS)
def test_save_writes_pytorchs_bytes(expr: str) -> None:
    """The whole file but its random serialization id, byte for byte (length and hash)."""
    _same(C.evaluate(torch, expr, CB.SAVE_SETUP), DATA["save"][expr])


@pytest.mark.parametrize("expr", CB.LAYOUT_CALLS)
def test_channels_last_strides(expr: str) -> None:
    _same(C.evaluate(torch, expr, CB.LAYOUT_SETUP), DATA["layout"][expr])


@pytest.mark.parametrize("expr", CB.KEYWORD_CALLS)
def test_keywords_listed_last_given_first(expr: str) -> None:
    _same(C.evaluate(torch, expr, CB.KEYWORD_SETUP), DATA["keyword"][expr])
