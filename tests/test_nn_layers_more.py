"""interpolate / Upsample, adaptive_max_pool2d, embedding_bag, bilinear, dropout2d against
real PyTorch 2.13 (values recorded by ``tests/parity/record_nnmore_layers.py`` running the same
``nnmore_layer_cases`` code under PyTorch)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import jitgrad as torch
from jitgrad import nn

sys.path.insert(0, str(Path(__file__).parent / "parity"))
from nnmore_layer_cases import names, run  # noqa: E402

EXPECTED = json.loads((Path(__file__).parent / "fixtures" / "nnmore_layers.json").read_text())


@pytest.mark.parametrize("name", names())
def test_matches_pytorch(name: str) -> None:
    got, want = run(torch, name), EXPECTED[name]
    np.testing.assert_allclose(got["out"], want["out"], rtol=1e-12, atol=1e-12)
    assert got["node"] == want["node"]
    assert len(got["grads"]) == len(want["grads"])
    for g, w in zip(got["grads"], want["grads"], strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)
    if "indices" in want:
        assert got["indices"] == want["indices"]


def test_upsample_modules_and_errors() -> None:
    x = torch.arange(4.0).reshape(1, 1, 2, 2)
    up = nn.Upsample(scale_factor=2, mode="nearest")
    assert repr(up) == "Upsample(scale_factor=2.0, mode='nearest')"
    assert up(x)[0, 0].tolist() == [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]]
    bil = nn.UpsamplingBilinear2d(size=3)(x)
    assert bil[0, 0].tolist() == [[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [2.0, 2.5, 3.0]]
    with pytest.raises(ValueError, match="^either size or scale_factor should be defined$"):
        nn.functional.interpolate(x)
    with pytest.raises(ValueError, match="^only one of size or scale_factor should be defined$"):
        nn.functional.interpolate(x, size=2, scale_factor=2)
    with pytest.raises(RuntimeError, match="dimensions do not match at dim 0: got 2 and 3$"):
        nn.functional.bilinear(torch.zeros(2, 3), torch.zeros(3, 4), torch.zeros(5, 3, 4))
    with pytest.raises(ValueError, match="align_corners option can only be set with the"):
        nn.functional.interpolate(x, scale_factor=2, align_corners=True)


def test_dropout2d_zeroes_whole_channels() -> None:
    torch.manual_seed(0)
    x = torch.ones(4, 8, 3, 3, requires_grad=True)
    y = nn.Dropout2d(0.5)(x)
    per_channel = y.detach().numpy().reshape(4, 8, 9)
    assert set(np.unique(per_channel)) <= {0.0, 2.0}
    assert (per_channel.min(-1) == per_channel.max(-1)).all()  # one value per channel
    assert 0 < (per_channel[..., 0] == 0).sum() < 32
    assert type(y.grad_fn).__name__ == "MulBackward0"
    y.sum().backward()
    assert torch.equal(x.grad, y.detach())
    d = nn.Dropout2d(0.5).eval()
    assert d(x) is x


def test_module_shapes_and_reprs() -> None:
    assert repr(nn.AdaptiveMaxPool2d((2, 3))) == "AdaptiveMaxPool2d(output_size=(2, 3))"
    assert repr(nn.EmbeddingBag(10, 3, mode="sum")) == "EmbeddingBag(10, 3, mode='sum')"
    b = nn.Bilinear(2, 3, 4)
    assert repr(b) == "Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True)"
    assert [n for n, _ in b.named_parameters()] == ["weight", "bias"]
    assert tuple(b.weight.shape) == (4, 2, 3)
    assert b.weight.abs().max().item() <= 1 / 2**0.5
    assert tuple(b(torch.randn(5, 2), torch.randn(5, 3)).shape) == (5, 4)
    v, i = nn.AdaptiveMaxPool2d(2, return_indices=True)(torch.randn(3, 4, 4))
    assert tuple(v.shape) == (3, 2, 2) and i.dtype == torch.int64


def test_trunc_normal_and_sparse_init() -> None:
    torch.manual_seed(0)
    w = nn.init.trunc_normal_(torch.empty(400, 250), std=0.02, a=-0.04, b=0.04)
    assert -0.04 <= w.min().item() and w.max().item() <= 0.04
    # std of N(0, 1) truncated to [-2, 2] is 0.8796 (PyTorch's draw gives 0.0175 here too)
    assert abs(w.std().item() - 0.02 * 0.8796) < 2e-4
    assert abs(w.mean().item()) < 2e-4
    s = nn.init.sparse_(torch.empty(10, 6), sparsity=0.25)
    assert (s == 0).sum(0).tolist() == [3] * 6
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        nn.init.sparse_(torch.empty(3), 0.1)


def test_dirac_init_passes_each_channel_through() -> None:
    w = nn.init.dirac_(torch.randn(4, 2, 3, 3))
    x = torch.randn(1, 2, 5, 5)
    y = nn.functional.conv2d(x, w, padding=1)
    np.testing.assert_array_equal(y[0, :2].numpy(), x[0].numpy())  # out channels 0, 1 = inputs
    assert (y[0, 2:] == 0).all()  # no input channel left for them
    g = nn.init.dirac_(torch.empty(4, 1, 3), groups=2)  # each group's first channel
    assert g.nonzero().tolist() == [[0, 0, 1], [2, 0, 1]]
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions are supported"):
        nn.init.dirac_(torch.empty(3, 3))
    with pytest.raises(ValueError, match="dim 0 must be divisible by groups"):
        nn.init.dirac_(torch.empty(3, 1, 3), groups=2)


def test_dropout2d_on_3d_input_is_channel_dropout_over_n_c_l() -> None:
    torch.manual_seed(1)
    with pytest.warns(UserWarning, match="input is interpreted as shape \\(N, C, L\\)"):
        y = nn.functional.dropout2d(torch.ones(6, 5, 4), 0.5)
    rows = y.numpy()
    assert (rows.min(-1) == rows.max(-1)).all()  # one mask value per (n, c)
    assert len(np.unique(rows[:, :, 0])) == 2
    with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
        with pytest.warns(UserWarning):
            nn.functional.dropout2d(torch.ones(3), 0.5)


def test_embedding_bag_refuses_what_it_does_not_implement() -> None:
    bag = nn.EmbeddingBag(5, 2, max_norm=1.0)
    with pytest.raises(NotImplementedError, match="max_norm or scale_grad_by_freq"):
        bag(torch.tensor([[1, 2]]))
    with pytest.raises(ValueError, match="^mode has to be one of sum, mean or max$"):
        nn.functional.embedding_bag(torch.tensor([[1]]), torch.zeros(3, 2), mode="prod")


def test_adaptive_max_pool1d_and_dropout1d() -> None:
    # values printed by PyTorch 2.13 for this input
    x = torch.tensor([[[1.0, 5.0, 2.0, 7.0, 3.0], [0.0, -1.0, 4.0, 4.0, 2.0]]], requires_grad=True)
    v, i = nn.AdaptiveMaxPool1d(3, return_indices=True)(x)
    v.sum().backward()
    assert v.tolist() == [[[5.0, 7.0, 7.0], [0.0, 4.0, 4.0]]]
    assert i.tolist() == [[[1, 3, 3], [0, 2, 3]]]
    assert x.grad.tolist() == [[[0.0, 1.0, 0.0, 2.0, 0.0], [1.0, 0.0, 1.0, 1.0, 0.0]]]
    assert type(v.grad_fn).__name__ == "SqueezeBackward1"
    torch.manual_seed(0)
    y = nn.Dropout1d(0.5)(torch.ones(8, 6, 5)).numpy()
    assert (y.min(-1) == y.max(-1)).all() and set(np.unique(y)) == {0.0, 2.0}
    y2 = nn.functional.dropout1d(torch.ones(6, 5), 0.5).numpy()  # unbatched (C, L)
    assert (y2.min(-1) == y2.max(-1)).all()
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received"):
        nn.functional.dropout1d(torch.ones(2, 3, 4, 5))
