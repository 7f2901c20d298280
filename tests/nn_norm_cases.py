"""Programs for group_norm, instance_norm, local_response_norm, pixel_shuffle/unshuffle,
multi_margin_loss, rrelu and Tensor.unfold (functional and module forms), run under real
PyTorch once (``tests/ops_record.py`` -> ``nn_norm_expected.json``) and under jitgrad by
``tests/test_nn_norm.py``. Each leaves ``result``: values, node names and gradients (a
weighted-sum backward), or the error raised.
"""

from __future__ import annotations

X4 = (
    "x = torch.tensor([[[0.5, -1.25, 2.0, 0.1], [1.5, 0.25, -0.75, 0.3], "
    "[-0.2, 0.9, 1.1, -1.4], [0.6, -0.3, 0.05, 2.2]], "
    "[[1.0, 0.0, -1.0, 0.5], [0.2, 0.4, 0.6, 0.8], [-1.5, 1.5, 0.25, -0.25], "
    "[0.7, 0.1, -0.9, 0.3]]], dtype=DT, requires_grad=True)\n"
)  # (N=2, C=4, L=4)
X5 = X4 + "x4 = x.reshape(2, 4, 2, 2)\n"
WB = (
    "wt = torch.tensor([1.5, -0.5, 2.0, 0.75], dtype=DT, requires_grad=True)\n"
    "bs = torch.tensor([0.1, 0.2, -0.3, 0.0], dtype=DT, requires_grad=True)\n"
)
W = "w = torch.arange(out.numel(), dtype=out.dtype).reshape(out.shape) * 0.25 - 1\n"


def _grad(setup: str, expr: str, leaves: str = "x") -> str:
    grads = ", ".join(f"{leaf}.grad" for leaf in leaves.split())
    return (
        f"{setup}out = {expr}\n{W}(out * w).sum().backward()\n"
        f"result = (out, out.grad_fn.name() if out.grad_fn else None, {grads})\n"
    )


GRADS = {
    "group_norm_1": _grad(X4, "F.group_norm(x, 1)"),
    "group_norm_2_affine": _grad(X4 + WB, "F.group_norm(x, 2, wt, bs)", "x wt bs"),
    "group_norm_4d": _grad(X5 + WB, "F.group_norm(x4, 4, wt, bs, eps=1e-3)", "x wt bs"),
    "group_norm_module": _grad(X4, "nn.GroupNorm(2, 4)(x)"),
    "instance_norm": _grad(X4, "F.instance_norm(x)"),
    "instance_norm_affine": _grad(X4 + WB, "F.instance_norm(x, weight=wt, bias=bs)", "x wt bs"),
    "instance_norm_2d": _grad(X5, "nn.InstanceNorm2d(4)(x4)"),
    "instance_norm_running": (
        X4 + "rm = torch.zeros(4, dtype=DT)\nrv = torch.ones(4, dtype=DT)\n"
        "out = F.instance_norm(x, rm, rv, momentum=0.3)\n" + W + "(out * w).sum().backward()\n"
        "result = (out, rm, rv, x.grad)\n"
    ),
    "instance_norm_eval": _grad(
        X4,
        "F.instance_norm(x, torch.full((4,), 0.5, dtype=DT), torch.full((4,), 2.0, dtype=DT), "
        "use_input_stats=False)",
    ),
    "local_response_norm_2": _grad(X4, "F.local_response_norm(x, 2)"),
    "local_response_norm_3": _grad(X4, "F.local_response_norm(x, 3, alpha=0.5, beta=0.6, k=2.0)"),
    "local_response_norm_4d": _grad(X5, "nn.LocalResponseNorm(5, alpha=0.1)(x4)"),
    "pixel_shuffle": _grad(X5, "F.pixel_shuffle(x4, 2)"),
    "pixel_unshuffle": _grad(X5, "F.pixel_unshuffle(x4, 2)"),
    "pixel_shuffle_module_batch": _grad(X5, "nn.PixelShuffle(2)(x4[None])"),
    "multi_margin_loss": _grad(X4, "F.multi_margin_loss(x[0], torch.tensor([0, 2, 1, 3]))"),
    "multi_margin_loss_p2_weight_none": _grad(
        X4,
        "F.multi_margin_loss(x[1], torch.tensor([3, 3, 0, 1]), p=2, margin=0.7, "
        "weight=torch.tensor([1.0, 2.0, 0.5, 1.5], dtype=DT), reduction='none')",
    ),
    "multi_margin_loss_sum_module": _grad(
        X4, "nn.MultiMarginLoss(reduction='sum')(x[0], torch.tensor([1, 1, 2, 0]))"
    ),
    "multi_margin_loss_1d": _grad(X4, "F.multi_margin_loss(x[0, 0], torch.tensor(2))"),
    "rrelu_eval": _grad(X4, "F.rrelu(x)"),
    "rrelu_module_eval": _grad(X4, "nn.RReLU(0.1, 0.5).eval()(x)"),
    "unfold": _grad(X4, "x.unfold(2, 2, 1)"),
    "unfold_step": _grad(X4, "x.unfold(1, 3, 2)"),
    "unfold_first_dim": _grad(X4, "x.unfold(0, 1, 1)"),
    "unfold_zero_d": _grad(
        "x = torch.tensor(1.5, dtype=DT, requires_grad=True)\n", "x.unfold(0, 1, 1)"
    ),
}

ERRORS = {
    "group_norm_groups": "F.group_norm(torch.ones(1, 2, 3), 4)",
    "group_norm_1d": "F.group_norm(torch.ones(2), 1)",
    "group_norm_weight": "F.group_norm(torch.ones(1, 2, 3), 1, torch.ones(3))",
    "group_norm_int": "F.group_norm(torch.ones(1, 2, 3, dtype=torch.int64), 1)",
    "pixel_shuffle_2d": "F.pixel_shuffle(torch.ones(3, 3), 2)",
    "pixel_shuffle_channels": "F.pixel_shuffle(torch.ones(1, 3, 2, 2), 2)",
    "pixel_unshuffle_height": "F.pixel_unshuffle(torch.ones(1, 1, 3, 4), 2)",
    "pixel_unshuffle_width": "F.pixel_unshuffle(torch.ones(1, 1, 4, 3), 2)",
    "lrn_2d": "F.local_response_norm(torch.ones(2, 3), 2)",
    "mml_target_range": "F.multi_margin_loss(torch.ones(2, 3), torch.tensor([0, 3]))",
    "mml_p": "F.multi_margin_loss(torch.ones(2, 3), torch.tensor([0, 1]), p=3)",
    "mml_target_size": "F.multi_margin_loss(torch.ones(2, 3), torch.tensor([0]))",
    "mml_reduction": "F.multi_margin_loss(torch.ones(2, 3), torch.tensor([0, 1]), reduction='x')",
    "instance_norm_spatial": "F.instance_norm(torch.ones(1, 2, 1))",
    "unfold_size": "torch.ones(2, 3).unfold(1, 4, 1)",
    "unfold_step": "torch.ones(2, 3).unfold(1, 2, 0)",
    "unfold_dim": "torch.ones(2, 3).unfold(2, 2, 1)",
}

VALUES = {
    "reprs": "result = [repr(m) for m in (nn.GroupNorm(2, 4), nn.InstanceNorm1d(3), "
    "nn.InstanceNorm2d(3, affine=True, track_running_stats=True), nn.LocalResponseNorm(2), "
    "nn.PixelShuffle(3), nn.PixelUnshuffle(2), nn.MultiMarginLoss(), nn.RReLU(), "
    "nn.RReLU(0.1, 0.2, inplace=True))]",
    "group_norm_params": "result = [(n, list(p.shape)) for n, p in "
    "nn.GroupNorm(2, 4).named_parameters()]",
    "instance_norm_buffers": "result = [(n, b) for n, b in "
    "nn.InstanceNorm1d(2, track_running_stats=True).named_buffers()]",
    "rrelu_training_range": (
        "x = -torch.ones(1000)\ny = F.rrelu(x, 0.1, 0.3, training=True)\n"
        "result = (bool((y <= -0.1).all()), bool((y >= -0.3).all()), y.unique().numel() > 100)"
    ),
    "unfold_is_a_view": "x = torch.zeros(5)\nv = x.unfold(0, 2, 1)\nx[1] = 7.0\nresult = v",
}


def programs() -> dict[str, str]:
    """Every program by name; the gradient programs in float64 and float32."""
    out = {}
    for name, code in GRADS.items():
        for dt in ("float64", "float32"):
            out[f"{name}_{dt}"] = f"DT = torch.{dt}\n{code}"
    for name, expr in ERRORS.items():
        out[f"error_{name}"] = f"result = {expr}\n"
    out.update(VALUES)
    return out
