"""xavier_uniform_ and kaiming_uniform_ draw from PyTorch's exact bounds (recorded from
PyTorch 2.13 by tests/fixtures/make_init_bounds.py): PyTorch rounds the std first, then
multiplies by sqrt(3); ``gain * sqrt(3 / fan)`` in one go is 1 ulp off for about a third of
the shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import jitgrad
import jitgrad.nn.init as init

CASES = json.loads(Path(__file__).with_name("fixtures").joinpath("init_bounds.json").read_text())


@pytest.mark.parametrize("kind,shape,p,mode,bound", CASES["cases"])
def test_uniform_init_bound_matches_pytorch(monkeypatch, kind, shape, p, mode, bound):
    seen = []
    real = init.uniform_

    def spy(tensor, lo, hi, *args, **kwargs):
        seen.append((lo, hi))
        return real(tensor, lo, hi, *args, **kwargs)

    monkeypatch.setattr(init, "uniform_", spy)
    t = jitgrad.empty(tuple(shape))
    if kind == "kaiming":
        init.kaiming_uniform_(t, a=p, mode=mode)
    else:
        init.xavier_uniform_(t, gain=p)
    assert seen == [(-bound, bound)]
    assert float(t.abs().max()) <= bound
