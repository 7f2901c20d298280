"""The second half of the corpus programs (every other name; tests/test_corpus.py runs the
first half, checks the recordings and the pass ratio, and says what is compared): a module of its
own so that the other pytest-xdist worker runs it."""

from __future__ import annotations

import pytest
from test_corpus import HALVES, check_program, run_programs


@pytest.fixture(scope="module")
def outputs() -> dict:
    return run_programs(HALVES[1])


@pytest.mark.parametrize("name", HALVES[1])
def test_program_prints_what_pytorch_printed(outputs: dict, name: str) -> None:
    check_program(outputs, name)
