"""Max pooling over windows holding several NaNs: PyTorch's CPU loops have no early exit, so
``isnan(val)`` replaces the running maximum every time and the window's *last* NaN gives the
index (and so the gradient's position). Expected values are literal, from PyTorch 2.13."""

from __future__ import annotations

import jitgrad as torch
import jitgrad.nn.functional as F

NAN = float("nan")


def _x() -> torch.Tensor:
    return torch.tensor(
        [[[[1.0, NAN, 3.0, 0.0], [NAN, 5.0, NAN, 2.0], [7.0, 8.0, 9.0, NAN]]]],
        requires_grad=True,
    )


def test_max_pool2d_index_is_the_last_nan() -> None:
    x = _x()
    v, i = F.max_pool2d(x, 2, 1, return_indices=True)
    assert i.tolist() == [[[[4, 6, 6], [4, 6, 11]]]]  # PyTorch 2.13
    assert v.isnan().all()
    v.sum().backward()
    assert x.grad.tolist() == [[[[0.0, 0.0, 0.0, 0.0], [2.0, 0.0, 3.0, 0.0],
                                 [0.0, 0.0, 0.0, 1.0]]]]  # PyTorch 2.13


def test_max_pool2d_padding_dilation_1d_and_adaptive() -> None:
    x = _x()
    pad = F.max_pool2d(x, (3, 2), (1, 2), padding=(1, 0), return_indices=True)[1]
    assert pad.tolist() == [[[[4, 6], [4, 11], [4, 11]]]]  # PyTorch 2.13
    dil = F.max_pool2d(x, 2, 1, dilation=(1, 2), return_indices=True)[1]
    assert dil.tolist() == [[[[6, 1], [6, 11]]]]  # PyTorch 2.13
    assert F.max_pool1d(x[0, :, 1], 4, 1, return_indices=True)[1].tolist() == [[2]]
    ada = F.adaptive_max_pool2d(x, (2, 2), return_indices=True)[1]
    assert ada.tolist() == [[[[4, 6], [4, 11]]]]  # PyTorch 2.13
