"""Cases run identically by PyTorch (recording) and jitgrad (testing) for the padding modules,
``RMSNorm`` and the other ``nn``/``nn.functional`` names added with them: each value case gives
its output, node name and the gradients of its inputs for a fixed linear weighting of the
output; each error case its exception type and message; each module case its repr and
``state_dict`` keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

_RNG = np.random.default_rng(13)
X4 = _RNG.standard_normal((2, 3, 4, 5))
X3 = _RNG.standard_normal((2, 3, 6))
X5 = _RNG.standard_normal((1, 2, 3, 4, 3))
X2 = _RNG.standard_normal((5, 4))
X6 = _RNG.standard_normal((2, 6, 3, 3))
W_RMS = _RNG.standard_normal((4, 5))
W_CT = _RNG.standard_normal((3, 4, 3))
B_CT = _RNG.standard_normal(4)
POS = np.abs(X4) + 0.1
A, P, N = (_RNG.standard_normal((4, 6)) for _ in range(3))
ML_X = _RNG.standard_normal((3, 5))
ML_T = [[3, 0, -1, 1, 2], [1, 2, 3, 4, 0], [-1, 0, 0, 0, 0]]
UNPOOL_IN = _RNG.standard_normal((2, 2, 6, 8))
UNPOOL1_IN = _RNG.standard_normal((2, 3, 8))


def _pad(mode: str, pads: tuple, which: str) -> tuple[list, Callable]:
    x = {"x3": X3, "x4": X4, "x5": X5}[which]
    return [x], lambda t, F, nn, a: F.pad(a, pads, mode=mode)


def _mod(make: Callable, which: str) -> tuple[list, Callable]:
    x = {"x3": X3, "x4": X4, "x5": X5}[which]
    return [x], lambda t, F, nn, a: make(nn)(a)


def _unpool2(t: Any, F: Any, nn: Any, a: Any) -> Any:
    out, idx = F.max_pool2d_with_indices(t.tensor(UNPOOL_IN), 2, 2)
    return F.max_unpool2d(a * out, idx, 2, 2, output_size=(7, 9))


def _unpool1(t: Any, F: Any, nn: Any, a: Any) -> Any:
    out, idx = F.max_pool1d_with_indices(t.tensor(UNPOOL1_IN), 2)
    return nn.MaxUnpool1d(2)(a * out, idx)


GS_X = _RNG.standard_normal((2, 3, 4, 5))
GS_G = _RNG.uniform(-1.3, 1.3, (2, 3, 6, 2))
THETA = _RNG.standard_normal((2, 2, 3))


def _gs(mode: str, padding_mode: str, align_corners: bool) -> tuple[list, Callable]:
    return [GS_X, GS_G], lambda t, F, nn, x, g: F.grid_sample(
        x, g, mode=mode, padding_mode=padding_mode, align_corners=align_corners)


W_CONV = _RNG.standard_normal((2, 3, 3, 3))


def _conv_mode(mode: str, nd: int = 2, **kw: Any) -> tuple[list, Callable]:
    def run(t: Any, F: Any, nn: Any, x: Any) -> Any:
        cls = nn.Conv2d if nd == 2 else nn.Conv1d
        conv = cls(3, 2, 3, padding_mode=mode, dtype=t.float64, **kw)
        with t.no_grad():
            conv.weight.copy_(t.tensor(W_CONV if nd == 2 else W_CONV[..., 0]))
            conv.bias.copy_(t.tensor([0.5, -0.25]))
        return conv(x)

    return [X4 if nd == 2 else X3], run


CTC_X = _RNG.standard_normal((7, 3, 5))
CTC_T = [[1, 2, 2, 0], [3, 1, 4, 4], [2, 0, 0, 0]]


def _ctc(reduction: str, **kw: Any) -> tuple[list, Callable]:
    def run(t: Any, F: Any, nn: Any, x: Any) -> Any:
        if kw.get("concatenated"):
            args = (t.tensor([1, 2, 3, 0, 1, 2]), (7, 2, 7), (2, 3, 1))
            return F.ctc_loss(x.log_softmax(2), *args, blank=4, reduction=reduction,
                              zero_infinity=kw.get("zero_infinity", False))  # fmt: skip
        lengths = t.tensor([7, 6, 4]), t.tensor([3, 4, 1])
        return nn.CTCLoss(reduction=reduction)(x.log_softmax(2), t.tensor(CTC_T), *lengths)

    return [CTC_X], run


VALUES: dict[str, tuple[list, Callable]] = {
    "ctc_none": _ctc("none"),
    "ctc_sum": _ctc("sum"),
    "ctc_mean": _ctc("mean"),
    "ctc_concat_zero_inf": _ctc("none", concatenated=True, zero_infinity=True),
    "ctc_unbatched": ([CTC_X[:, 0]], lambda t, F, nn, x: F.ctc_loss(
        x.log_softmax(1), t.tensor([1, 2]), (7,), (2,))),
    "conv_reflect": _conv_mode("reflect", padding=1),
    "conv_replicate_same": _conv_mode("replicate", padding="same", dilation=2),
    "conv_circular": _conv_mode("circular", padding=(2, 1), stride=2),
    "conv1d_reflect": _conv_mode("reflect", padding=2, nd=1),
    **{f"grid_sample_{m}_{p}_{int(a)}": _gs(m, p, a) for m in ("bilinear", "nearest")
       for p in ("zeros", "border", "reflection") for a in (False, True)},
    "affine_grid": ([THETA], lambda t, F, nn, th: F.affine_grid(th, (2, 3, 4, 5), False)),
    "affine_grid_ac": ([THETA], lambda t, F, nn, th: F.affine_grid(th, [2, 1, 3, 1], True)),
    "reflect_1d": _pad("reflect", (2, 3), "x3"),
    "reflect_2d": _pad("reflect", (1, 2, 3, 1), "x4"),
    "reflect_2d_crop": _pad("reflect", (-1, 2, 3, -1), "x4"),
    "reflect_3d": _pad("reflect", (1, 2, 2, 1, 1, 1), "x5"),
    "replicate_1d": _pad("replicate", (3, 0), "x3"),
    "replicate_2d": _pad("replicate", (4, 1, 0, 5), "x4"),
    "replicate_3d": _pad("replicate", (1, 0, 2, 1, 3, 2), "x5"),
    "circular_1d": _pad("circular", (2, 3), "x3"),
    "circular_2d": _pad("circular", (1, 5, 4, 2), "x4"),
    "circular_3d": _pad("circular", (1, 2, 0, 1, 2, 1), "x5"),
    "circular_crop": _pad("circular", (-2, 1, 1, -1), "x4"),
    "ReflectionPad2d": _mod(lambda nn: nn.ReflectionPad2d((1, 0, 2, 3)), "x4"),
    "ReflectionPad1d_unbatched": (
        [X3[0]], lambda t, F, nn, a: nn.ReflectionPad1d(2)(a)),
    "ReplicationPad3d": _mod(lambda nn: nn.ReplicationPad3d(1), "x5"),
    "CircularPad2d": _mod(lambda nn: nn.CircularPad2d((2, 1, 0, 3)), "x4"),
    "CircularPad1d": _mod(lambda nn: nn.CircularPad1d(3), "x3"),
    "ZeroPad2d": _mod(lambda nn: nn.ZeroPad2d((1, 2, 0, 1)), "x4"),
    "ZeroPad1d": _mod(lambda nn: nn.ZeroPad1d(2), "x3"),
    "ConstantPad3d": _mod(lambda nn: nn.ConstantPad3d(1, 2.5), "x5"),
    "ConstantPad1d_crop": _mod(lambda nn: nn.ConstantPad1d((-1, 2), -1.0), "x3"),
    "rms_norm": ([X4, W_RMS], lambda t, F, nn, a, w: F.rms_norm(a, (4, 5), w)),
    "rms_norm_eps": ([X3], lambda t, F, nn, a: F.rms_norm(a, [6], eps=0.5)),
    "RMSNorm": ([X3], lambda t, F, nn, a: nn.RMSNorm(6, dtype=t.float64)(a)),
    "Softmax2d": ([X4], lambda t, F, nn, a: nn.Softmax2d()(a)),
    "channel_shuffle": ([X6], lambda t, F, nn, a: F.channel_shuffle(a, 3)),
    "ChannelShuffle": ([X6], lambda t, F, nn, a: nn.ChannelShuffle(2)(a)),
    "alpha_dropout_eval": ([X3], lambda t, F, nn, a: F.alpha_dropout(a, 0.4) * 2),
    "conv_transpose1d": (
        [X3, W_CT, B_CT],
        lambda t, F, nn, a, w, b: F.conv_transpose1d(a, w, b, stride=2, padding=1,
                                                     output_padding=1)),
    "conv_transpose1d_groups": (
        [X3, W_CT[:, :2]],
        lambda t, F, nn, a, w: F.conv_transpose1d(a, w, groups=3, dilation=2)),
    "max_unpool2d": ([_RNG.standard_normal((2, 2, 3, 4))], _unpool2),
    "max_unpool1d": ([_RNG.standard_normal((2, 3, 4))], _unpool1),
    "lp_pool2d": ([POS], lambda t, F, nn, a: F.lp_pool2d(a, 2, (2, 3), stride=1)),
    "lp_pool2d_ceil": ([POS], lambda t, F, nn, a: nn.LPPool2d(1.5, 2, ceil_mode=True)(a)),
    "lp_pool1d": ([np.abs(X3) + 0.1], lambda t, F, nn, a: nn.LPPool1d(3, 2)(a)),
    "pdist": ([X2], lambda t, F, nn, a: F.pdist(a)),
    "pdist_p1": ([X2], lambda t, F, nn, a: F.pdist(a, 1)),
    "pdist_p3": ([X2], lambda t, F, nn, a: F.pdist(a, 3.0)),
    "multilabel_margin": (
        [ML_X], lambda t, F, nn, a: F.multilabel_margin_loss(a, t.tensor(ML_T))),
    "multilabel_margin_none": (
        [ML_X],
        lambda t, F, nn, a: nn.MultiLabelMarginLoss(reduction="none")(a, t.tensor(ML_T))),
    "multilabel_margin_1d": (
        [ML_X[0]], lambda t, F, nn, a: F.multilabel_margin_loss(a, t.tensor(ML_T[0]))),
    "triplet_distance": (
        [A, P, N], lambda t, F, nn, a, p, n: F.triplet_margin_with_distance_loss(a, p, n)),
    "triplet_distance_cos_swap": (
        [A, P, N],
        lambda t, F, nn, a, p, n: nn.TripletMarginWithDistanceLoss(
            distance_function=lambda x, y: 1 - F.cosine_similarity(x, y), margin=0.3,
            swap=True, reduction="sum")(a, p, n)),
    "unfold_module": ([X4], lambda t, F, nn, a: nn.Unfold((2, 3), padding=1, stride=2)(a)),
    "fold_module": (
        [_RNG.standard_normal((2, 12, 6))],
        lambda t, F, nn, a: nn.Fold((3, 4), 2, stride=1)(a)),
}  # fmt: skip


def _bad(fn: Callable) -> Callable:
    return fn


ERRORS: dict[str, Callable] = {
    "ctc_input_length": lambda t, F, nn: F.ctc_loss(
        t.zeros(7, 3, 5), t.tensor(CTC_T), (8, 6, 4), (3, 4, 1)),
    "ctc_target_size": lambda t, F, nn: F.ctc_loss(
        t.zeros(7, 3, 5), t.tensor(CTC_T)[:, :2], (7, 6, 4), (3, 4, 1)),
    "grid_sample_mode": lambda t, F, nn: F.grid_sample(
        t.zeros(1, 1, 2, 2), t.zeros(1, 1, 1, 2), mode="linear", align_corners=False),
    "grid_sample_padding": lambda t, F, nn: F.grid_sample(
        t.zeros(1, 1, 2, 2), t.zeros(1, 1, 1, 2), padding_mode="wrap", align_corners=False),
    "grid_sample_batch": lambda t, F, nn: F.grid_sample(
        t.zeros(2, 1, 2, 2), t.zeros(1, 1, 1, 2), align_corners=False),
    "grid_sample_last": lambda t, F, nn: F.grid_sample(
        t.zeros(1, 1, 2, 2), t.zeros(1, 1, 1, 3), align_corners=False),
    "grid_sample_dims": lambda t, F, nn: F.grid_sample(
        t.zeros(1, 2, 2), t.zeros(1, 1, 2), align_corners=False),
    "affine_grid_theta": lambda t, F, nn: F.affine_grid(t.zeros(2, 3, 3), (2, 1, 3, 3), False),
    "affine_grid_int": lambda t, F, nn: F.affine_grid(
        t.zeros(2, 2, 3, dtype=t.int64), (2, 1, 3, 3), False),
    "affine_grid_size": lambda t, F, nn: F.affine_grid(t.zeros(2, 2, 3), (2, 3, 3), False),
    "affine_grid_zero": lambda t, F, nn: F.affine_grid(t.zeros(2, 2, 3), (2, 1, 0, 3), False),
    "reflect_too_big": lambda t, F, nn: F.pad(t.zeros(1, 2, 4, 5), (5, 5, 1, 1), mode="reflect"),
    "reflect_too_big_h": lambda t, F, nn: F.pad(t.zeros(1, 2, 4, 5), (1, 1, 4, 1), mode="reflect"),
    "pad_odd": lambda t, F, nn: F.pad(t.zeros(1, 2, 4, 5), (1, 2, 3), mode="reflect"),
    "circular_wrap": lambda t, F, nn: F.pad(t.zeros(1, 2, 4, 5), (6, 1, 1, 1), mode="circular"),
    "replicate_8": lambda t, F, nn: F.pad(t.zeros(1, 2, 4, 5), (1,) * 8, mode="replicate"),
    "reflect_2_on_4d": lambda t, F, nn: F.pad(t.zeros(1, 2, 4, 5), (1, 1), mode="reflect"),
    "bad_mode": lambda t, F, nn: F.pad(t.zeros(1, 2, 4, 5), (1, 1, 1, 1), mode="foo"),
    "reflect_value": lambda t, F, nn: F.pad(t.zeros(1, 2, 4), (1, 1), mode="reflect", value=2.0),
    "ReflectionPad2d_5d": lambda t, F, nn: nn.ReflectionPad2d(1)(t.zeros(3, 3, 3, 3, 3)),
    "CircularPad1d_1d": lambda t, F, nn: nn.CircularPad1d(1)(t.zeros(5)),
    "CircularPad2d_5d": lambda t, F, nn: nn.CircularPad2d(1)(t.zeros(1, 1, 1, 3, 3)),
    "ReflectionPad1d_big": lambda t, F, nn: nn.ReflectionPad1d(3)(t.zeros(2, 3)),
    "reflect_empty": lambda t, F, nn: F.pad(t.zeros(2, 0, 3), (1, 1), mode="reflect"),
    "replicate_empty": lambda t, F, nn: nn.ReplicationPad2d(1)(t.zeros(2, 0, 3)),
    "rms_norm_shape": lambda t, F, nn: F.rms_norm(t.zeros(2, 3), (4,)),
    "channel_shuffle_groups": lambda t, F, nn: F.channel_shuffle(t.zeros(1, 5, 2), 2),
    "channel_shuffle_2d": lambda t, F, nn: F.channel_shuffle(t.zeros(4, 4), 2),
    "alpha_dropout_p": lambda t, F, nn: F.alpha_dropout(t.zeros(3), 1.5, True),
    "AlphaDropout_p": lambda t, F, nn: nn.AlphaDropout(-0.1),
    "feature_alpha_1d": lambda t, F, nn: F.feature_alpha_dropout(t.zeros(3), 0.5, True),
    "pdist_3d": lambda t, F, nn: F.pdist(t.zeros(2, 3, 4)),
    "pdist_neg_p": lambda t, F, nn: F.pdist(t.zeros(2, 3), -1.0),
    "Softmax2d_2d": lambda t, F, nn: nn.Softmax2d()(t.zeros(2, 3)),
    "triplet_margin": lambda t, F, nn: nn.TripletMarginWithDistanceLoss(margin=0.0),
    "triplet_dims": lambda t, F, nn: F.triplet_margin_with_distance_loss(
        t.zeros(2, 3), t.zeros(2, 3), t.zeros(3)),
    "unpool_indices_shape": lambda t, F, nn: F.max_unpool2d(
        t.zeros(1, 1, 2, 2), t.zeros(1, 1, 2, 1, dtype=t.int64), 2),
    "unpool_output_size": lambda t, F, nn: F.max_unpool2d(
        t.zeros(1, 1, 2, 2), t.zeros(1, 1, 2, 2, dtype=t.int64), 2, output_size=(9, 4)),
    "unpool_2d_input": lambda t, F, nn: F.max_unpool2d(
        t.zeros(2, 2), t.zeros(2, 2, dtype=t.int64), 2),
    "conv_transpose1d_4d": lambda t, F, nn: F.conv_transpose1d(t.zeros(1, 2, 3, 3),
                                                               t.zeros(2, 2, 2)),
}  # fmt: skip

MODULES: dict[str, Callable] = {
    "CTCLoss": lambda nn: nn.CTCLoss(),
    "CTCLoss_args": lambda nn: nn.CTCLoss(blank=2, reduction="sum", zero_infinity=True),
    "Conv2d_reflect": lambda nn: nn.Conv2d(3, 4, 3, padding=1, padding_mode="reflect"),
    "ReflectionPad2d": lambda nn: nn.ReflectionPad2d(2),
    "ReflectionPad1d": lambda nn: nn.ReflectionPad1d((1, 2)),
    "ReflectionPad3d": lambda nn: nn.ReflectionPad3d(1),
    "ReplicationPad1d": lambda nn: nn.ReplicationPad1d((1, 2)),
    "ReplicationPad2d": lambda nn: nn.ReplicationPad2d([1, 2, 3, 4]),
    "ReplicationPad3d": lambda nn: nn.ReplicationPad3d(2),
    "CircularPad1d": lambda nn: nn.CircularPad1d(1),
    "CircularPad2d": lambda nn: nn.CircularPad2d((1, 2, 3, 4)),
    "CircularPad3d": lambda nn: nn.CircularPad3d(1),
    "ConstantPad1d": lambda nn: nn.ConstantPad1d((1, 2), 3.5),
    "ConstantPad2d": lambda nn: nn.ConstantPad2d(1, 0.0),
    "ConstantPad3d": lambda nn: nn.ConstantPad3d(2, -1),
    "ZeroPad1d": lambda nn: nn.ZeroPad1d(2),
    "ZeroPad2d": lambda nn: nn.ZeroPad2d(1),
    "ZeroPad3d": lambda nn: nn.ZeroPad3d((1, 2, 3, 4, 5, 6)),
    "RMSNorm": lambda nn: nn.RMSNorm(4),
    "RMSNorm_noaffine": lambda nn: nn.RMSNorm([3, 4], eps=1e-5, elementwise_affine=False),
    "Softmax2d": lambda nn: nn.Softmax2d(),
    "ChannelShuffle": lambda nn: nn.ChannelShuffle(2),
    "AlphaDropout": lambda nn: nn.AlphaDropout(0.2),
    "FeatureAlphaDropout": lambda nn: nn.FeatureAlphaDropout(),
    "Unfold": lambda nn: nn.Unfold(2),
    "Fold": lambda nn: nn.Fold((4, 5), (2, 2), stride=2),
    "ConvTranspose1d": lambda nn: nn.ConvTranspose1d(4, 6, 3, stride=2),
    "ConvTranspose1d_more": lambda nn: nn.ConvTranspose1d(4, 6, 3, 2, 1, 1, 2, False, 2),
    "MaxUnpool1d": lambda nn: nn.MaxUnpool1d(2),
    "MaxUnpool2d": lambda nn: nn.MaxUnpool2d((2, 3), stride=1, padding=1),
    "LPPool1d": lambda nn: nn.LPPool1d(2, 3),
    "LPPool2d": lambda nn: nn.LPPool2d(1.5, (2, 2), stride=1, ceil_mode=True),
    "MultiLabelMarginLoss": lambda nn: nn.MultiLabelMarginLoss(),
    "TripletMarginWithDistanceLoss": lambda nn: nn.TripletMarginWithDistanceLoss(margin=0.5),
}


def run_value(torch: Any, name: str) -> dict[str, Any]:
    arrays, fn = VALUES[name]
    ins = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out = fn(torch, torch.nn.functional, torch.nn, *ins)
    weight = torch.linspace(-1, 1, out.numel(), dtype=out.dtype).reshape(out.shape)
    (out * weight).sum().backward()
    return {
        "out": out.detach().numpy().tolist(),
        "node": type(out.grad_fn).__name__,
        "grads": [a.grad.numpy().tolist() for a in ins],
    }


def run_error(torch: Any, name: str) -> list[str]:
    try:
        ERRORS[name](torch, torch.nn.functional, torch.nn)
    except Exception as e:  # noqa: BLE001 - the exception is the result
        return [type(e).__name__, str(e)]
    return ["no error", ""]


def run_module(torch: Any, name: str) -> dict[str, Any]:
    m = MODULES[name](torch.nn)
    return {"repr": repr(m), "keys": list(m.state_dict().keys())}


def record_all(torch: Any) -> dict[str, Any]:
    return {
        "values": {n: run_value(torch, n) for n in VALUES},
        "errors": {n: run_error(torch, n) for n in ERRORS},
        "modules": {n: run_module(torch, n) for n in MODULES},
    }
