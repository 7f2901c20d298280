"""``jitgrad.nn``: modules, layers, losses and init with PyTorch's names and semantics."""

from __future__ import annotations

import sys

from ..helpers import missing_attribute
from . import functional, init, utils
from .activation import (
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softshrink,
    Softsign,
    Tanh,
    Tanhshrink,
    Threshold,
)
from .batchnorm import BatchNorm1d, BatchNorm2d
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d
from .dropout import Dropout
from .linear import Flatten, Identity, Linear, Unflatten
from .linear_cross_entropy import LinearCrossEntropyLoss
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CosineEmbeddingLoss,
    CosineSimilarity,
    CrossEntropyLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    MSELoss,
    MultiLabelSoftMarginLoss,
    NLLLoss,
    PairwiseDistance,
    PoissonNLLLoss,
    SmoothL1Loss,
    SoftMarginLoss,
    TripletMarginLoss,
)
from .module import Module
from .norm_extra import (
    GroupNorm,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
    LocalResponseNorm,
    MultiMarginLoss,
    PixelShuffle,
    PixelUnshuffle,
    RReLU,
)
from .normalization import LayerNorm
from .parameter import Parameter
from .pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from .rnn import GRU, LSTM, RNN, RNNBase
from .rnn_cell import GRUCell, LSTMCell, RNNCell, RNNCellBase
from .sparse import Embedding

__all__ = [
    "GroupNorm",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LocalResponseNorm",
    "MultiMarginLoss",
    "PixelShuffle",
    "PixelUnshuffle",
    "RReLU",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "MaxPool1d",
    "MaxPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CELU",
    "CosineEmbeddingLoss",
    "CosineSimilarity",
    "CrossEntropyLoss",
    "Dropout",
    "ELU",
    "Embedding",
    "Flatten",
    "GELU",
    "GLU",
    "GRU",
    "GRUCell",
    "GaussianNLLLoss",
    "Hardshrink",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "HingeEmbeddingLoss",
    "HuberLoss",
    "Identity",
    "KLDivLoss",
    "L1Loss",
    "LSTM",
    "LSTMCell",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSigmoid",
    "LogSoftmax",
    "MSELoss",
    "MarginRankingLoss",
    "Mish",
    "Module",
    "ModuleDict",
    "ModuleList",
    "MultiLabelSoftMarginLoss",
    "NLLLoss",
    "PReLU",
    "PairwiseDistance",
    "Parameter",
    "ParameterDict",
    "ParameterList",
    "PoissonNLLLoss",
    "RNN",
    "RNNBase",
    "RNNCell",
    "RNNCellBase",
    "ReLU",
    "ReLU6",
    "SELU",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "SmoothL1Loss",
    "SoftMarginLoss",
    "Softmax",
    "Softmin",
    "Softplus",
    "Softshrink",
    "Softsign",
    "Tanh",
    "Tanhshrink",
    "Threshold",
    "TripletMarginLoss",
    "Unflatten",
    "functional",
    "init",
    "utils",
]

# nnmore: attention, transformer and the other layers added with them.
from .attention import MultiheadAttention  # noqa: E402
from .batchnorm import BatchNorm3d  # noqa: E402
from .layers_more import (  # noqa: E402
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    Bilinear,
    Dropout1d,
    Dropout2d,
    Dropout3d,
    EmbeddingBag,
)
from .pooling3d import (  # noqa: E402
    AdaptiveAvgPool3d,
    AdaptiveMaxPool3d,
    AvgPool3d,
    MaxPool3d,
)
from .transformer import (  # noqa: E402
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)
from .upsample import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d  # noqa: E402

__all__ += [
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool3d",
    "AvgPool3d",
    "BatchNorm3d",
    "MaxPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "Dropout1d",
    "Bilinear",
    "Dropout2d",
    "Dropout3d",
    "EmbeddingBag",
    "Upsample",
    "UpsamplingBilinear2d",
    "UpsamplingNearest2d",
    "MultiheadAttention",
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
]

# apinn: padding modules and the other PyTorch 2.13 layers added with them.
from . import adaptive as _adaptive  # noqa: E402
from . import common_types as common_types  # noqa: E402 - torch.nn.common_types
from . import layers_api as _layers_api  # noqa: E402
from . import lazy as _lazy  # noqa: E402
from . import module_device as _module_device  # noqa: E402
from . import module_lookup as _module_lookup  # noqa: E402
from . import module_state_api as _module_state_api  # noqa: E402
from . import modules_layout as _modules  # noqa: E402
from . import padding as _padding  # noqa: E402
from . import parallel as parallel  # noqa: E402 - torch.nn.parallel
from . import pooling_more as _pooling_more  # noqa: E402
from .adaptive import *  # noqa: E402,F403
from .compat import Container, factory_kwargs  # noqa: E402, F401 - nn.factory_kwargs
from .cross_map_lrn import CrossMapLRN2d  # noqa: E402
from .ctc import CTCLoss  # noqa: E402
from .layers_api import *  # noqa: E402,F403
from .lazy import *  # noqa: E402,F403
from .padding import *  # noqa: E402,F403
from .parallel import DataParallel  # noqa: E402
from .parameter import Buffer  # noqa: E402
from .pooling_more import *  # noqa: E402,F403
from .sync_batchnorm import SyncBatchNorm  # noqa: E402

__all__ += [*_padding.__all__, *_layers_api.__all__, *_lazy.__all__, *_adaptive.__all__]
__all__ += _pooling_more.__all__
__all__ += ["LinearCrossEntropyLoss"]
__all__ += ["Buffer", "CTCLoss", "DataParallel", "SyncBatchNorm", "Container", "CrossMapLRN2d"]

#: ``jitgrad.nn.<name>`` for a PyTorch name jitgrad lacks says so (AttributeError).
__getattr__ = missing_attribute("jitgrad.nn")
del annotations, missing_attribute  # not PyTorch's names
_module_device.bind()  # Module.to_empty
_module_lookup.bind()  # Module.get_submodule, get_parameter, get_buffer
_module_state_api.bind()  # Module.register_state_dict_*_hook, extra state, set_submodule
modules = _modules.build(sys.modules[__name__])  # torch.nn.modules.<submodule>
