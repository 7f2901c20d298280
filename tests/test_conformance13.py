"""Session 13's conformance items against PyTorch 2.13's recorded answers
(fixtures/conform13_torch.json, written by fixtures/make_conform13_torch.py): which index
``kthvalue`` returns among equal values (ATen's quickselect, NaN ordered last), and the
parser's errors for a reduction given its dims as varargs or an int ``keepdim``, and
gradcheck's verdicts, first error lines and number of backward calls (slow mode)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import jitgrad as torch
from tests.fixtures.make_conform13_torch import GRADCHECK_SOURCE

DATA = json.loads((Path(__file__).parent / "fixtures" / "conform13_torch.json").read_text())


def _tensor(rec: dict):
    values = [math.nan if v is None else v for v in rec["values"]]
    x = torch.tensor(values, dtype=torch.float64).reshape(rec["shape"])
    return x.to(getattr(torch, rec["dtype"]))


@pytest.mark.parametrize("rec", DATA["kthvalue"], ids=lambda r: f"{r['dtype']}-{r['shape']}")
def test_kthvalue_picks_pytorchs_index_among_ties(rec: dict) -> None:
    values, indices = _tensor(rec).kthvalue(rec["k"], rec["dim"])
    assert indices.tolist() == rec["indices"]
    got = [None if v != v else v for v in values.reshape(-1).tolist()]
    assert got == rec["kth"]


@pytest.mark.parametrize("expr", sorted(DATA["errors"]))
def test_reduction_argument_errors_match_pytorch(expr: str) -> None:
    kind, message = DATA["errors"][expr]
    x = torch.ones(2, 3, 4)
    with pytest.raises(Exception) as err:  # noqa: PT011 - the type is compared below
        eval(expr, {"torch": torch, "x": x})  # noqa: S307 - the recorder's own expressions
    assert (type(err.value).__name__, str(err.value)) == (kind, message)


def test_gradcheck_verdicts_and_backward_calls_match_pytorch() -> None:
    scope: dict = {}
    exec(GRADCHECK_SOURCE, scope)  # noqa: S102 - the recorder's own source
    assert scope["run_gradchecks"](torch, torch.autograd.gradcheck) == DATA["gradcheck"]


def test_prod_behind_its_argument_check_survives_a_backend_reroute() -> None:
    """``torch.prod`` is an argument check in front of the reduction; once the meta backend
    wrapped the ops and pointed every module's by-name import of the wrapped chain at its
    wrapper, a check that read the reduction as a module global called the wrapper of itself
    (RecursionError in every later ``prod``, the first full CI run of session 13)."""
    meta = torch.empty(2, 3, device="meta")  # activates the meta backend in this process
    assert torch.prod(meta, 1).shape == (2,)
    assert meta.prod().shape == ()
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = torch.prod(x, 1)
    assert y.tolist() == [2.0, 12.0]
    assert type(y.grad_fn).__name__ == "ProdBackward1"
    assert torch.arange(1, 6).prod().item() == 120
