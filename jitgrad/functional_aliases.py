"""``torch.conv2d``, ``torch.batch_norm``, ``torch.kl_div``...: the ``torch.*`` spellings of
nn.functional ops, with PyTorch's ``torch.*`` signatures where they differ from ``F.*``
(``torch.embedding(weight, indices)``, ``torch.batch_norm``'s argument order, the losses'
integer ``reduction``: 0 none, 1 mean, 2 sum). Each calls the ``F`` function, so the two
spellings compute the same thing with the same node names.
"""

from __future__ import annotations

from typing import Any

from .frontend.tensor import Tensor
from .nn import functional as F

#: names whose ``torch.*`` signature is ``F.*``'s
_SAME = (
    "conv1d conv2d conv_transpose2d avg_pool1d max_pool2d adaptive_avg_pool1d "
    "cosine_similarity pairwise_distance celu selu threshold threshold_ hardshrink prelu "
    "pixel_shuffle pixel_unshuffle group_norm bilinear"
).split()

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduction(reduction: Any) -> str:
    return _REDUCTIONS[reduction] if isinstance(reduction, int) else reduction


def layer_norm(
    input: Tensor,  # noqa: A002
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
    cudnn_enable: bool = True,
) -> Tensor:
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def max_pool1d(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = (),
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> Tensor:
    return F.max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def adaptive_max_pool1d(input: Tensor, output_size: Any) -> tuple:  # noqa: A002
    """``(values, indices)``, as ``torch.adaptive_max_pool1d`` returns both."""
    return F.adaptive_max_pool1d(input, output_size, return_indices=True)


def dropout(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    return F.dropout(input, p, train)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:  # noqa: A002
    return F.dropout(input, p, train, inplace=True)


def rrelu(
    input: Tensor,  # noqa: A002
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    generator: Any = None,
) -> Tensor:
    return F.rrelu(input, lower, upper, training)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    return F.celu(input, alpha, inplace=True)


def selu_(input: Tensor) -> Tensor:  # noqa: A002
    return F.selu(input, inplace=True)


def embedding(
    weight: Tensor,
    indices: Tensor,
    padding_idx: int = -1,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """``torch.embedding(weight, indices)``: the rows of ``weight`` (note the order)."""
    pad = None if padding_idx == -1 else padding_idx
    return F.embedding(indices, weight, pad, scale_grad_by_freq=scale_grad_by_freq)


def batch_norm(
    input: Tensor,  # noqa: A002
    weight: Tensor | None,
    bias: Tensor | None,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    training: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool = True,
) -> Tensor:
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(
    input: Tensor,  # noqa: A002
    weight: Tensor | None,
    bias: Tensor | None,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    use_input_stats: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool = True,
) -> Tensor:
    return F.instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


def binary_cross_entropy_with_logits(
    input: Tensor,  # noqa: A002
    target: Tensor,
    weight: Tensor | None = None,
    pos_weight: Tensor | None = None,
    reduction: Any = 1,
) -> Tensor:
    return F.binary_cross_entropy_with_logits(
        input, target, weight, reduction=_reduction(reduction), pos_weight=pos_weight
    )


def kl_div(
    input: Tensor,  # noqa: A002
    target: Tensor,
    reduction: Any = 1,
    *,
    log_target: bool = False,
) -> Tensor:
    return F.kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)


def cosine_embedding_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: Any = 1
) -> Tensor:
    return F.cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def margin_ranking_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: Any = 1
) -> Tensor:
    return F.margin_ranking_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def hinge_embedding_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    margin: float = 1.0,
    reduction: Any = 1,
) -> Tensor:
    return F.hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def poisson_nll_loss(
    input: Tensor,  # noqa: A002
    target: Tensor,
    log_input: bool,
    full: bool,
    eps: float,
    reduction: Any,
) -> Tensor:
    return F.poisson_nll_loss(
        input, target, log_input, full, eps=eps, reduction=_reduction(reduction)
    )


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: Any = 1,
) -> Tensor:
    return F.triplet_margin_loss(
        anchor, positive, negative, margin, p, eps, swap, reduction=_reduction(reduction)
    )


_OWN = (
    layer_norm, max_pool1d, adaptive_max_pool1d, dropout, dropout_, rrelu, celu_, selu_,
    embedding, batch_norm, instance_norm, binary_cross_entropy_with_logits, kl_div,
    cosine_embedding_loss, margin_ranking_loss, hinge_embedding_loss, poisson_nll_loss,
    triplet_margin_loss,
)  # fmt: skip

#: what ``jitgrad/__init__`` adds to the namespace
TOP_LEVEL: dict[str, Any] = {
    **{name: getattr(F, name) for name in _SAME},
    **{f.__name__: f for f in _OWN},
}

#: the Tensor methods PyTorch has for nn.functional ops
METHODS: dict[str, Any] = {
    "hardshrink": lambda self, lambd=0.5: F.hardshrink(self, lambd),
    "prelu": lambda self, weight: F.prelu(self, weight),
}


def bind() -> dict[str, Any]:
    """Attach :data:`METHODS` to ``Tensor``; return :data:`TOP_LEVEL` for the namespace."""
    for name, fn in METHODS.items():
        setattr(Tensor, name, fn)
    return TOP_LEVEL
