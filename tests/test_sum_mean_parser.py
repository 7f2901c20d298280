"""``sum``/``mean`` and ``contiguous`` argument errors against PyTorch 2.13's recorded words
(fixtures/sum_mean_parser_torch.json from fixtures/make_sum_mean_parser_torch.py): a bad
``dim`` is described as the call gave it (``got (str)``, ``got (dim=str, )``,
``got (axis=str, )``), and ``contiguous`` takes no positional argument."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import jitgrad as torch
from tests.fixtures.make_sum_mean_parser_torch import EXPRESSIONS, outcome

DATA = json.loads((Path(__file__).parent / "fixtures" / "sum_mean_parser_torch.json").read_text())


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_sum_mean_contiguous_arguments_as_pytorch(expr: str) -> None:
    assert outcome(torch, expr) == DATA["cases"][expr]
