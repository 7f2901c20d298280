"""``torch.nn.modules`` and its submodules (``torch.nn.modules.loss``, ``.utils``,
``.batchnorm`` ...), where programs import base classes and helpers from:
``from torch.nn.modules.loss import _Loss``, ``from torch.nn.modules.utils import _pair``.

jitgrad's nn keeps its own file layout, so each PyTorch submodule is a namespace over
``jitgrad.nn``'s classes, laid out as PyTorch places them (:data:`LAYOUT`, read off
PyTorch 2.13's ``__module__`` of each class), registered in ``sys.modules`` so ``import``
and ``from ... import`` find it. A name jitgrad lacks raises the "not implemented in jitgrad"
AttributeError there too.
"""

from __future__ import annotations

import collections.abc
from itertools import repeat
from types import ModuleType
from typing import Any

from ..helpers import namespace_module
from ..helpers import warn as warn_user
from . import batchnorm, conv, loss, module, module_hooks, pooling

#: PyTorch's submodule of each public class of ``torch.nn.modules``.
LAYOUT: dict[str, str] = {
    "activation": "CELU ELU GELU GLU Hardshrink Hardsigmoid Hardswish Hardtanh LeakyReLU "
    "LogSigmoid LogSoftmax Mish MultiheadAttention PReLU RReLU ReLU ReLU6 SELU SiLU Sigmoid "
    "Softmax Softmax2d Softmin Softplus Softshrink Softsign Tanh Tanhshrink Threshold",
    "adaptive": "AdaptiveLogSoftmaxWithLoss",
    "batchnorm": "BatchNorm1d BatchNorm2d BatchNorm3d LazyBatchNorm1d LazyBatchNorm2d "
    "LazyBatchNorm3d SyncBatchNorm",
    "channelshuffle": "ChannelShuffle",
    "container": "Container ModuleDict ModuleList ParameterDict ParameterList Sequential",
    "conv": "Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d LazyConv1d "
    "LazyConv2d LazyConv3d LazyConvTranspose1d LazyConvTranspose2d LazyConvTranspose3d",
    "distance": "CosineSimilarity PairwiseDistance",
    "dropout": "AlphaDropout Dropout Dropout1d Dropout2d Dropout3d FeatureAlphaDropout",
    "flatten": "Flatten Unflatten",
    "fold": "Fold Unfold",
    "instancenorm": "InstanceNorm1d InstanceNorm2d InstanceNorm3d LazyInstanceNorm1d "
    "LazyInstanceNorm2d LazyInstanceNorm3d",
    "linear": "Bilinear Identity LazyLinear Linear",
    "loss": "BCELoss BCEWithLogitsLoss CTCLoss CosineEmbeddingLoss CrossEntropyLoss "
    "GaussianNLLLoss HingeEmbeddingLoss HuberLoss KLDivLoss L1Loss LinearCrossEntropyLoss "
    "MSELoss MarginRankingLoss MultiLabelMarginLoss MultiLabelSoftMarginLoss MultiMarginLoss "
    "NLLLoss NLLLoss2d PoissonNLLLoss SmoothL1Loss SoftMarginLoss TripletMarginLoss "
    "TripletMarginWithDistanceLoss",
    "module": "Module",
    "normalization": "CrossMapLRN2d GroupNorm LayerNorm LocalResponseNorm RMSNorm",
    "padding": "CircularPad1d CircularPad2d CircularPad3d ConstantPad1d ConstantPad2d "
    "ConstantPad3d ReflectionPad1d ReflectionPad2d ReflectionPad3d ReplicationPad1d "
    "ReplicationPad2d ReplicationPad3d ZeroPad1d ZeroPad2d ZeroPad3d",
    "pixelshuffle": "PixelShuffle PixelUnshuffle",
    "pooling": "AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d "
    "AdaptiveMaxPool2d AdaptiveMaxPool3d AvgPool1d AvgPool2d AvgPool3d FractionalMaxPool2d "
    "FractionalMaxPool3d LPPool1d LPPool2d LPPool3d MaxPool1d MaxPool2d MaxPool3d MaxUnpool1d "
    "MaxUnpool2d MaxUnpool3d",
    "rnn": "GRU GRUCell LSTM LSTMCell RNN RNNBase RNNCell RNNCellBase",
    "sparse": "Embedding EmbeddingBag",
    "transformer": "Transformer TransformerDecoder TransformerDecoderLayer TransformerEncoder "
    "TransformerEncoderLayer",
    "upsampling": "Upsample UpsamplingBilinear2d UpsamplingNearest2d",
}


def _ntuple(n: int, name: str = "parse") -> Any:
    """``_pair(3) == (3, 3)``, ``_pair((1, 2)) == (1, 2)``: PyTorch's argument expanders."""

    def parse(x: Any) -> tuple:
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return tuple(repeat(x, n))

    parse.__name__ = name
    return parse


def _legacy_reduction(size_average: Any, reduce: Any) -> str:
    """``reduction`` from the deprecated ``size_average``/``reduce`` flags (PyTorch's rule)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warn_user(
        f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
        "instead.",
        UserWarning,
        stacklevel=3,
    )
    return reduction


class _WeightedLoss(loss._Loss):
    """A loss with a per-class ``weight`` buffer (the base of PyTorch's weighted losses)."""

    def __init__(
        self,
        weight: Any = None,
        size_average: Any = None,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        super().__init__(reduction)
        self.register_buffer("weight", weight)


#: the underscore names programs import, by submodule
_PRIVATE: dict[str, dict[str, Any]] = {
    "utils": {
        "_ntuple": _ntuple,
        "_single": _ntuple(1, "_single"),
        "_pair": _ntuple(2, "_pair"),
        "_triple": _ntuple(3, "_triple"),
        "_quadruple": _ntuple(4, "_quadruple"),
    },
    "loss": {"_Loss": loss._Loss, "_WeightedLoss": _WeightedLoss},
    "batchnorm": {"_BatchNorm": batchnorm._BatchNorm},
    "conv": {"_ConvNd": conv._ConvNd},
    "pooling": {
        "_MaxPoolNd": pooling._MaxPoolNd,
        "_AvgPoolNd": pooling._AvgPoolNd,
        "_AdaptiveAvgPoolNd": pooling._AdaptiveAvgPoolNd,
    },
    "module": {
        "Module": module.Module,
        **{
            name: getattr(module_hooks, name)
            for name in (
                "register_module_forward_pre_hook",
                "register_module_forward_hook",
                "register_module_full_backward_pre_hook",
                "register_module_full_backward_hook",
            )
        },
    },
}


def build(nn: ModuleType) -> ModuleType:
    """``jitgrad.nn.modules`` with its submodules, over the classes of the package ``nn``."""
    top = namespace_module("jitgrad.nn.modules", {}, package=True)
    for sub in sorted(set(LAYOUT) | set(_PRIVATE)):
        names = LAYOUT.get(sub, "").split()
        members = {n: getattr(nn, n) for n in names if n in vars(nn)}
        members.update(_PRIVATE.get(sub, {}))
        top.__dict__.update({n: members[n] for n in names if n in members})  # the classes
        setattr(top, sub, namespace_module(f"jitgrad.nn.modules.{sub}", members))
    return top
