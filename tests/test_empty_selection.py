"""median / nanmedian / mode on empty inputs answer as PyTorch 2.13 does (recorded by
tests/fixtures/make_empty_selection_torch.py): NaN for a whole-tensor median of nothing, an
empty result when the selected dimension is not the empty one, and PyTorch's IndexError
("Expected reduction dim 0 to have non-zero size") when it is, never NumPy's errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import jitgrad

DATA = json.loads((Path(__file__).parent / "fixtures" / "empty_selection_torch.json").read_text())


def _pairs(t: jitgrad.Tensor) -> str:
    return str(t.detach().numpy().tolist())


@pytest.mark.parametrize("expr", sorted(DATA["cases"]))
def test_empty_selection_as_pytorch(expr: str) -> None:
    want = DATA["cases"][expr]
    code = expr.replace("torch.", "jitgrad.")
    if "error" in want:
        kind, message = want["error"]
        with pytest.raises(Exception) as info:  # noqa: B017, PT011 - the type is checked below
            eval(code)  # noqa: S307 - the recorded expressions
        assert type(info.value).__name__ == kind and str(info.value) == message
        return
    result = eval(code)  # noqa: S307
    parts = result if isinstance(result, tuple) else (result,)
    assert [list(p.shape) for p in parts] == want["shapes"]
    got = [_pairs(p) for p in parts]
    assert got == want["values"] or all(
        w == "nan" and np.isnan(p.item()) for w, p in zip(want["values"], parts, strict=True)
    )
