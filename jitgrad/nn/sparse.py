"""``Embedding``: a lookup table of ``num_embeddings`` rows, initialized N(0, 1)."""

from __future__ import annotations

from typing import Any

from ..engine.grad_mode import no_grad
from ..frontend import creation
from ..frontend.tensor import Tensor
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
    if padding_idx is not None:  # PyTorch's asserts
        assert -num_embeddings <= padding_idx < num_embeddings, (
            "Padding_idx must be within num_embeddings"
        )
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
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding whose table is ``embeddings`` (frozen unless ``freeze=False``)."""
        assert embeddings.dim() == 2, "Embeddings parameter is expected to be 2-dimensional"
        rows, cols = embeddings.shape
        return cls(
            rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
            _weight=embeddings, _freeze=freeze,
        )  # fmt: skip

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s
