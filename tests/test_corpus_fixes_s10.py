"""Focused tests for what the session-10 corpus programs (mamba-minimal, efficient-kan,
Whisper, MADE, minDiffusion, LLMs-from-scratch and others) needed that jitgrad lacked.

* ``Tensor.split`` names its argument ``split_size`` (``torch.split``'s is
  ``split_size_or_sections``): mamba-minimal calls ``x.split(split_size=[...], dim=1)``.

Expected texts and values are PyTorch 2.13's for the same calls.
"""

from __future__ import annotations

import pytest

import jitgrad as torch


def test_tensor_split_takes_pytorchs_method_keyword():
    x = torch.arange(6.0)
    assert [p.tolist() for p in x.split(split_size=2)] == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    a, b = torch.arange(12.0).view(2, 6).split(split_size=[2, 4], dim=1)
    assert a.tolist() == [[0.0, 1.0], [6.0, 7.0]]
    assert b.tolist() == [[2.0, 3.0, 4.0, 5.0], [8.0, 9.0, 10.0, 11.0]]
    # torch.split keeps the function's keyword; each spelling is refused by the other.
    assert [p.tolist() for p in torch.split(x, split_size_or_sections=[2, 4])] == [
        [0.0, 1.0],
        [2.0, 3.0, 4.0, 5.0],
    ]
    msg = "Tensor.split() got an unexpected keyword argument 'split_size_or_sections'"
    with pytest.raises(TypeError, match=msg.replace("(", r"\(").replace(")", r"\)")):
        x.split(split_size_or_sections=2)
