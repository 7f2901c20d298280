"""Padding modules, RMSNorm, ChannelShuffle, the alpha dropouts, ConvTranspose1d, MaxUnpool,
LPPool, pdist, gumbel_softmax and two losses against PyTorch 2.13 (outputs, node names,
gradients, error texts, reprs and state_dict keys recorded by
``tests/parity/record_apinn.py`` running the same ``apinn_cases`` under PyTorch), plus
gradchecks and formula checks that need no recording."""

from __future__ import annotations

import itertools
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

import jitgrad as torch
from jitgrad import nn
from jitgrad.nn import functional as F

sys.path.insert(0, str(Path(__file__).parent / "parity"))
from apinn_cases import ERRORS, MODULES, VALUES, run_error, run_module, run_value  # noqa: E402

EXPECTED = json.loads((Path(__file__).parent / "fixtures" / "apinn_nn.json").read_text())


@pytest.mark.parametrize("name", list(VALUES))
def test_values_grads_and_nodes_match_pytorch(name: str) -> None:
    got, want = run_value(torch, name), EXPECTED["values"][name]
    np.testing.assert_allclose(got["out"], want["out"], rtol=1e-10, atol=1e-12)
    assert got["node"] == want["node"]
    assert len(got["grads"]) == len(want["grads"])
    for g, w in zip(got["grads"], want["grads"], strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_pytorch(name: str) -> None:
    assert run_error(torch, name) == EXPECTED["errors"][name]


@pytest.mark.parametrize("name", list(MODULES))
def test_repr_and_state_dict_keys_match_pytorch(name: str) -> None:
    assert run_module(torch, name) == EXPECTED["modules"][name]


def _x(*shape: int) -> torch.Tensor:
    rng = np.random.default_rng(sum(shape))
    return torch.tensor(rng.standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_modes_gradcheck_and_gradgradcheck(mode: str) -> None:
    x = _x(1, 2, 3, 4)
    fn = lambda a: F.pad(a, (2, 1, 1, 2), mode=mode) ** 2  # noqa: E731
    assert torch.autograd.gradcheck(fn, (x,))
    assert torch.autograd.gradgradcheck(fn, (x,))


def test_pad_reflect_against_numpy() -> None:
    x = _x(2, 3, 5)
    for mode, np_mode in (("reflect", "reflect"), ("replicate", "edge"), ("circular", "wrap")):
        want = np.pad(x.detach().numpy(), ((0, 0), (0, 0), (2, 3)), mode=np_mode)
        np.testing.assert_array_equal(F.pad(x, (2, 3), mode=mode).detach().numpy(), want)


@pytest.mark.parametrize(
    "fn",
    [
        lambda a: F.pdist(a),
        lambda a: F.pdist(a, 1.5),
        lambda a: F.multilabel_margin_loss(a, torch.tensor([[1, 0, -1], [2, -1, 0]])),
        lambda a: F.conv_transpose1d(a.reshape(1, 2, 3), a.reshape(2, 1, 3), stride=2),
        lambda a: F.rms_norm(a, (3,)),
        lambda a: F.channel_shuffle(a.reshape(1, 2, 3), 2),
        lambda a: F.lp_pool1d(a.abs().reshape(1, 2, 3) + 0.5, 2, 2),
    ],
)
def test_gradcheck_and_gradgradcheck(fn) -> None:
    x = _x(2, 3)
    assert torch.autograd.gradcheck(fn, (x,))
    assert torch.autograd.gradgradcheck(fn, (x,))


def test_rms_norm_formula() -> None:
    x = _x(3, 4)
    w = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
    a = x.detach().numpy()
    want = a / np.sqrt((a**2).mean(-1, keepdims=True) + np.finfo(np.float64).eps) * [1, 2, 3, 4]
    np.testing.assert_allclose(nn.functional.rms_norm(x, [4], w).detach().numpy(), want)


def test_alpha_dropout_keeps_mean_and_variance_and_drops_to_saturation() -> None:
    torch.manual_seed(0)
    x = torch.randn(200_000)
    y = F.alpha_dropout(x, 0.2, training=True)
    assert abs(float(y.mean())) < 0.02 and abs(float(y.std()) - 1) < 0.02
    alpha = 1.7580993408473766
    a = 1 / math.sqrt((alpha**2 * 0.2 + 1) * 0.8)
    dropped = np.isclose(y.numpy(), -alpha * a + alpha * a * 0.2, atol=1e-6)
    assert 0.19 < dropped.mean() < 0.21
    assert F.alpha_dropout(x, 0.2) is x  # training=False by default
    assert (nn.AlphaDropout(1.0)(x) == 0).all()
    f = F.feature_alpha_dropout(torch.randn(8, 16, 5), 0.5, True).numpy()
    assert (np.ptp(f - f.mean(-1, keepdims=True), -1)[np.ptp(f, -1) == 0] == 0).all()


def test_gumbel_softmax_soft_and_straight_through_hard() -> None:
    torch.manual_seed(0)
    logits = torch.tensor([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.sum(-1).detach().numpy(), [1, 1], rtol=1e-6)
    hard = F.gumbel_softmax(logits, hard=True)
    assert sorted(hard.detach().numpy().ravel().tolist()) == [0, 0, 0, 0, 1, 1]
    (hard * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert logits.grad is not None and float(logits.grad.abs().sum()) > 0
    counts = np.zeros(3)
    for _ in range(400):
        counts += F.gumbel_softmax(torch.tensor([0.0, math.log(3.0), 0.0]), hard=True).numpy()
    assert 0.5 < counts[1] / 400 < 0.7  # P = 3/5


def test_max_unpool_inverts_max_pool_positions() -> None:
    x = _x(1, 1, 4, 4)
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    up = nn.MaxUnpool2d(2)(out, idx)
    mask = up.detach().numpy() != 0
    np.testing.assert_array_equal(up.detach().numpy()[mask], x.detach().numpy()[mask])
    assert mask.sum() == 4


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_gradcheck(padding_mode: str, align_corners: bool) -> None:
    x = _x(1, 2, 3, 4)
    rng = np.random.default_rng(5)
    g = torch.tensor(rng.uniform(-1.2, 1.2, (1, 2, 3, 2)), requires_grad=True)
    fn = lambda a, b: F.grid_sample(  # noqa: E731
        a, b, padding_mode=padding_mode, align_corners=align_corners
    )
    assert torch.autograd.gradcheck(fn, (x, g))
    assert torch.autograd.gradgradcheck(fn, (x, g))


def test_grid_sample_identity_grid_reproduces_input() -> None:
    x = _x(2, 3, 4, 5)
    theta = torch.tensor([[[1.0, 0, 0], [0, 1, 0]]] * 2, dtype=torch.float64)
    for ac in (False, True):
        grid = F.affine_grid(theta, (2, 3, 4, 5), align_corners=ac)
        out = F.grid_sample(x, grid, align_corners=ac)
        np.testing.assert_allclose(out.detach().numpy(), x.detach().numpy(), atol=1e-12)
    theta.requires_grad_()
    assert torch.autograd.gradcheck(lambda t: F.affine_grid(t, (2, 1, 3, 2), False), (theta,))


def test_inplace_activations_and_deprecated_upsample() -> None:
    a = np.linspace(-2, 2, 6).reshape(2, 3)
    for inplace, plain in (
        (F.celu_, lambda t: F.celu(t, 0.7)),
        (F.selu_, F.selu),
        (F.rrelu_, F.rrelu),
    ):
        x = torch.tensor(a)
        want = plain(torch.tensor(a)).numpy()
        out = inplace(x, 0.7) if inplace is F.celu_ else inplace(x)
        assert out is x
        np.testing.assert_allclose(x.numpy(), want)
    z = torch.arange(4.0).reshape(1, 1, 2, 2)
    with pytest.warns(UserWarning, match="upsample_bilinear` is deprecated"):
        up = F.upsample_bilinear(z, size=3)
    assert up[0, 0].tolist() == [[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [2.0, 2.5, 3.0]]
    with pytest.warns(UserWarning, match="upsample_nearest` is deprecated"):
        assert F.upsample_nearest(z, scale_factor=2).shape == (1, 1, 4, 4)


@pytest.mark.parametrize(
    ("make", "x", "fan_in"),
    [
        (lambda: nn.ConvTranspose1d(16, 8, 5), torch.zeros(1, 16, 4), 8 * 5),
        (lambda: nn.LazyLinear(30), torch.zeros(2, 50), 50),
        (lambda: nn.LazyConv1d(30, 3), torch.zeros(2, 20, 6), 20 * 3),
        (lambda: nn.LazyConv2d(30, 3, groups=2), torch.zeros(2, 20, 6, 6), 10 * 3 * 3),
    ],
)
def test_default_init_bounds_are_pytorchs(make, x, fan_in: int) -> None:
    """kaiming_uniform_(a=sqrt(5)) weight and U(+-1/sqrt(fan_in)) bias, fan_in from the
    weight's layout as PyTorch computes it (the draws differ: only the bound can match)."""
    torch.manual_seed(0)
    m = make()
    m(x)
    bound = 1 / math.sqrt(fan_in)
    assert 0.9 * bound < float(m.weight.detach().abs().max()) <= bound  # hundreds of draws
    assert float(m.bias.detach().abs().max()) <= bound


def test_ctc_loss_against_brute_force_alignments_and_gradcheck() -> None:
    rng = np.random.default_rng(11)
    logits = rng.standard_normal((4, 1, 3))
    lp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    target = [1, 2]

    def collapse(path):  # merge repeats, drop blanks (0)
        out = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
        return [k for k in out if k != 0]

    total = sum(
        np.exp(sum(lp[t, 0, k] for t, k in enumerate(path)))
        for path in itertools.product(range(3), repeat=4)
        if collapse(path) == target
    )
    x = torch.tensor(logits, requires_grad=True)
    args = (torch.tensor([target]), (4,), (2,))
    loss = F.ctc_loss(x.log_softmax(2), *args, reduction="sum")
    assert float(loss) == pytest.approx(-math.log(total), rel=1e-12)
    assert torch.autograd.gradcheck(
        lambda a: F.ctc_loss(a.log_softmax(2), *args, reduction="none"), (x,)
    )


def test_with_indices_forms_return_values_and_indices() -> None:
    x = _x(2, 3, 6, 5)
    for fn, plain, args in (
        (F.max_pool2d_with_indices, F.max_pool2d, (2,)),
        (F.adaptive_max_pool2d_with_indices, F.adaptive_max_pool2d, ((3, 2),)),
        (F.max_pool1d_with_indices, F.max_pool1d, (2,)),
        (F.adaptive_max_pool1d_with_indices, F.adaptive_max_pool1d, (3,)),
    ):
        a = x[:, :, 0] if "1d" in fn.__name__ else x
        out, idx = fn(a, *args)
        want_out, want_idx = plain(a, *args, return_indices=True)
        np.testing.assert_array_equal(out.detach().numpy(), want_out.detach().numpy())
        np.testing.assert_array_equal(idx.numpy(), want_idx.numpy())
        flat = a.detach().numpy().reshape(*a.shape[:2], -1)
        np.testing.assert_array_equal(
            np.take_along_axis(flat, idx.numpy().reshape(*a.shape[:2], -1), -1),
            out.detach().numpy().reshape(*a.shape[:2], -1),
        )
