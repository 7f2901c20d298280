"""Inference tensors: what ``torch.inference_mode()`` makes, as PyTorch 2.13 shows them.

A tensor created while inference mode is on in its thread carries a mark in its ``__dict__``
(set by ``tensor._init_fields``, which reads the thread-local flag only while some
``inference_mode`` block is open anywhere: the common path pays one list read). PyTorch's
rules followed here: ``is_inference()`` is True, ``_version`` raises (no version counter).
Not yet followed: saving one for backward outside inference mode raises in PyTorch ("Inference
tensors cannot be saved for backward..."); jitgrad's elementwise nodes save their inputs in
``ops/pointwise.run``, where the check belongs; views and detaches taken outside the block
are inference tensors in PyTorch, plain ones here.
"""

from __future__ import annotations

from typing import Any

from .engine.grad_mode import INFERENCE_KEY
from .frontend.tensor import Tensor

SAVED_MESSAGE = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`."
)


def is_inference(self: Tensor) -> bool:
    """Whether ``self`` was created under ``inference_mode()``."""
    return bool(self.__dict__) and INFERENCE_KEY in self.__dict__


METHODS: dict[str, Any] = {"is_inference": is_inference}
TOP_LEVEL: dict[str, Any] = {"is_inference": is_inference}
