"""Inference tensors: what ``torch.inference_mode()`` makes, as PyTorch 2.13 shows them.

A tensor created while inference mode is on in its thread carries a mark in its ``__dict__``
(set by ``tensor._init_fields``, which reads the thread-local flag only while some
``inference_mode`` block is open anywhere: the common path pays one list read). PyTorch's
rules followed here: ``is_inference()`` is True, ``_version`` raises (no version counter),
a node that would save one raises ("Inference tensors cannot be saved for backward...": its
counter starts at ``INFERENCE_VERSION``, see there; the elementwise record and
``recording._with_versions`` check it). Not yet followed: views and detaches taken outside the
block are inference tensors in PyTorch, plain ones here (they share the counter, so saving
one raises).
"""

from __future__ import annotations

from typing import Any

from .engine.grad_mode import INFERENCE_KEY, INFERENCE_SAVED
from .frontend.tensor import Tensor

SAVED_MESSAGE = INFERENCE_SAVED


def is_inference(self: Tensor) -> bool:
    """Whether ``self`` was created under ``inference_mode()``."""
    return bool(self.__dict__) and INFERENCE_KEY in self.__dict__


METHODS: dict[str, Any] = {"is_inference": is_inference}
TOP_LEVEL: dict[str, Any] = {"is_inference": is_inference}
