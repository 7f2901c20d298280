"""The 3-d layers against recorded PyTorch 2.13 answers (tests/fixtures/nn3d_torch.json,
made by tests/fixtures/make_nn3d_torch.py from tests/nn3d_cases.py): values, indices,
input gradients, node names and error messages; plus float64 gradcheck/gradgradcheck."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from nn3d_cases import CASES, ERRORS, run_case, run_error

import jitgrad
import jitgrad.nn.functional as F
from jitgrad.autograd import gradcheck, gradgradcheck

DATA = json.loads((Path(__file__).parent / "fixtures" / "nn3d_torch.json").read_text())


@pytest.mark.parametrize("name", list(CASES))
def test_values_grads_and_node_as_pytorch(name: str) -> None:
    want, got = DATA["cases"][name], run_case(jitgrad, name)
    assert got["shape"] == want["shape"] and got["grad_fn"] == want["grad_fn"]
    np.testing.assert_allclose(got["out"], want["out"], rtol=1e-12, atol=1e-13)
    assert got.get("indices") == want.get("indices")
    assert len(got["grads"]) == len(want["grads"])
    for g, w in zip(got["grads"], want["grads"], strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_as_pytorch(name: str) -> None:
    assert run_error(jitgrad, name) == DATA["errors"][name]


def _x(*shape: int, seed: int = 0) -> jitgrad.Tensor:
    rng = np.random.default_rng(seed)
    return jitgrad.tensor(rng.standard_normal(shape), requires_grad=True)


def test_conv3d_gradcheck_and_double_backward() -> None:
    x, w, b = _x(1, 2, 3, 3, 4), _x(2, 1, 2, 2, 2, seed=1), _x(2, seed=2)

    def fn(x, w, b):
        return F.conv3d(x, w, b, stride=(1, 2, 1), padding=(1, 0, 1), dilation=(2, 1, 1), groups=2)

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


def test_conv_transpose3d_gradcheck_and_double_backward() -> None:
    x, w, b = _x(1, 2, 2, 3, 2), _x(2, 1, 2, 2, 3, seed=1), _x(2, seed=2)

    def fn(x, w, b):
        return F.conv_transpose3d(x, w, b, (2, 1, 2), (1, 0, 1), (1, 0, 0), 2, (1, 2, 1))

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: F.max_pool3d(x, 2, stride=1, padding=1),
        lambda x: F.avg_pool3d(x, (2, 3, 2), stride=(1, 2, 1), padding=1, count_include_pad=False),
        lambda x: F.adaptive_avg_pool3d(x, (2, 2, 3)),
        lambda x: F.adaptive_max_pool3d(x, (2, 1, 2)),
        lambda x: F.interpolate(x, size=(3, 4, 5), mode="trilinear"),
    ],
    ids=["max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d", "trilinear"],
)
def test_pool_gradcheck(fn) -> None:
    x = _x(1, 2, 3, 3, 4, seed=3)  # continuous values: no ties in a max window
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def test_dropout3d_drops_whole_channels_batched_and_unbatched() -> None:
    jitgrad.manual_seed(0)
    y = F.dropout3d(jitgrad.ones(4, 8, 2, 3, 2), 0.5)
    per_channel = y.reshape(4, 8, -1)
    lo, hi = per_channel.amin(-1), per_channel.amax(-1)
    assert (lo == hi).all()  # a channel is kept (scaled by 1/(1-p)) or zeroed whole
    assert set(lo.flatten().tolist()) == {0.0, 2.0}
    u = F.dropout3d(jitgrad.ones(8, 2, 2, 2), 0.5)  # (C, D, H, W): channels, not batch
    assert u.shape == (8, 2, 2, 2)
    assert (u.reshape(8, -1).amin(-1) == u.reshape(8, -1).amax(-1)).all()
    assert (
        F.dropout3d(jitgrad.ones(2, 3, 1, 1, 1), 0.5, training=False).tolist()
        == [[[[[1.0]]]] * 3] * 2
    )
    with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d"):
        F.dropout3d(jitgrad.ones(2, 3, 4), 0.5)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        F.dropout3d(jitgrad.ones(1, 1, 1, 1, 1), 1.5)
    assert repr(jitgrad.nn.Dropout3d(0.4)) == "Dropout3d(p=0.4, inplace=False)"


@pytest.mark.parametrize(
    ("lazy", "args", "eager", "out"),
    [
        ("LazyConv3d", (4, 2), "Conv3d", (1, 4, 2, 2, 2)),
        ("LazyConvTranspose3d", (4, 2), "ConvTranspose3d", (1, 4, 4, 4, 4)),
        ("LazyBatchNorm3d", (), "BatchNorm3d", (1, 3, 3, 3, 3)),
    ],
)
def test_lazy_3d_modules_become_their_eager_class(lazy, args, eager, out) -> None:
    m = getattr(jitgrad.nn, lazy)(*args)
    y = m(jitgrad.ones(1, 3, 3, 3, 3))
    assert type(m).__name__ == eager and tuple(y.shape) == out
    assert m.weight.shape[1 if eager == "Conv3d" else 0] == 3
