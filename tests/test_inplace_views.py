"""In-place arithmetic through views of tensors with history rebases the root, as in PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from recorded_parity_cases import inplace_through_views, recorded

import jitgrad


def test_inplace_through_views_matches_hand_derivation():
    y, grad = inplace_through_views(jitgrad)
    # y = 2x; row 0 += 1; column 1 *= 3; y[1, 2] += (x00 + x01)^2 = 9
    np.testing.assert_allclose(y, [[3.0, 15.0, 7.0], [8.0, 30.0, 21.0]])
    # d/dx: 2W, column 1 tripled, plus 2 (x00 + x01) W[1, 2] = 36 on x00 and x01
    np.testing.assert_allclose(grad, [[38.0, 48.0, 6.0], [8.0, 30.0, 12.0]])


def test_inplace_through_views_matches_torch_recorded():
    want = recorded("inplace_through_views")
    for a, b in zip(inplace_through_views(jitgrad), want, strict=True):
        np.testing.assert_allclose(a, b)


def test_inplace_on_view_of_leaf_is_refused():
    x = jitgrad.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0:2].add_(1)
