"""``Embedding``: a lookup table of ``num_embeddings`` rows, initialized N(0, 1)."""

from __future__ import annotations

from typing import Any

from .. import creation
from ..engine.grad_mode import no_grad
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


def add_embedding_weight(
    module: Module,
    num_embeddings: int,
    embedding_dim: int,
    padding_idx: int | None,
    _weight: Tensor | None,
    dtype: Any,
    freeze: bool = False,
) -> int | None:
    """Registers the table ``Embedding`` and ``EmbeddingBag`` share (``_weight``, or N(0, 1)
    with the ``padding_idx`` row zeroed) and returns ``padding_idx`` made non-negative."""
    if padding_idx is not None and padding_idx < 0:
        padding_idx += num_embeddings
    if _weight is None:
        module.weight = Parameter(creation.empty(num_embeddings, embedding_dim, dtype=dtype))
        init.normal_(module.weight)
        if padding_idx is not None:
            with no_grad():
                module.weight[padding_idx].fill_(0)
    else:
        module.weight = Parameter(_weight, requires_grad=not freeze)
    return padding_idx


class Embedding(Module):
    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = add_embedding_weight(
            self, num_embeddings, embedding_dim, padding_idx, _weight, dtype, _freeze
        )

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s
