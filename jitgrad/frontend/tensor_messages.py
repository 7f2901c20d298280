"""PyTorch's messages about a tensor: its legacy type name (``torch.FloatTensor``) and the
error when a tensor saved for backward was modified in place since (the version check).

Apart from :mod:`jitgrad.frontend.tensor` because the engine's nodes and the ops raise them;
they need a tensor's fields, never the Tensor class.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .. import dtypes as D

if TYPE_CHECKING:
    from ..engine.sweep import Node
    from .tensor import Tensor


def check_versions(
    node: Node,
    tensors: Sequence[Tensor],
    versions: Sequence[int],
    out_vc: list | None = None,
    out: np.ndarray | None = None,
    out_version: int = 0,
) -> None:
    """PyTorch's error when a tensor saved for backward was modified in place since."""
    for t, v in zip(tensors, versions, strict=True):
        if t._vc[0] != v:
            _version_error(t, v, t._vc[0])
    if out_vc is not None and out_vc[0] != out_version and out is not None:
        output_changed(node.name(), 0, out, out_vc[0], out_version)


def output_changed(node: str, nr: int, out: np.ndarray, version: int, expected: int) -> None:
    """The version error for output ``nr`` of the node named ``node``, saved as ``out``."""
    name = node[: node.rfind("Backward")] if "Backward" in node else node
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{_describe(out)}], which is output {nr} of {name}, is at version "
        f"{version}; expected version {expected} instead. " + _HINT
    )


_HINT = (
    "Hint: enable anomaly detection to find the operation that failed to compute its "
    "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)
_TYPE_NAMES = {
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
    "float16": "HalfTensor",
    "bfloat16": "BFloat16Tensor",
    "int64": "LongTensor",
    "int32": "IntTensor",
    "int16": "ShortTensor",
    "int8": "CharTensor",
    "uint8": "ByteTensor",
    "bool": "BoolTensor",
    "complex64": "ComplexFloatTensor",
    "complex128": "ComplexDoubleTensor",
}


def legacy_type_name(x: Tensor) -> str:
    """The legacy type PyTorch names a tensor by in messages (``torch.FloatTensor``): PyTorch's
    name, as ``Tensor.type()`` gives, since programs compare these strings."""
    return "torch." + _TYPE_NAMES.get(x._dtype.name, "Tensor")


def _describe(arr: np.ndarray, node: Node | None = None) -> str:
    name = D.from_numpy_dtype(arr.dtype).name
    if name == "bool":  # PyTorch names a bool tensor by its type, not a legacy class
        return f"CPUBoolType [{', '.join(str(s) for s in arr.shape)}]"
    kind = _TYPE_NAMES.get(name, "Tensor")
    return f"torch.{kind} [{', '.join(str(s) for s in arr.shape)}]"


def _version_error(
    t: Tensor, expected: int, actual: int, creator: tuple[Node | None, int] | None = None
) -> None:
    """Raise PyTorch's error; ``creator`` is ``(grad_fn, output_nr)`` as they were when saved."""
    desc = _describe(t._value)
    where = ""
    node, nr = creator if creator is not None else (t.grad_fn, t._output_nr)
    if creator is None and node is not None and t._base is not None:
        # a view whose version changed since its node was made: PyTorch regenerates the
        # view's grad_fn as an AsStridedBackward0 before it names it
        node, nr = _AS_STRIDED, 0
    if node is not None:
        name = node.name()
        where = f", which is output {nr} of {name[: name.rfind('Backward')]},"
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{desc}]{where} is at version {actual}; expected version "
        f"{expected} instead. " + _HINT
    )


class _AsStrided:
    """The node a view of a tensor that requires grad names after its base changed in place."""

    __slots__ = ()

    def name(self) -> str:
        return "AsStridedBackward0"


_AS_STRIDED = _AsStrided()


class SavedView:
    """A tensor saved for backward as PyTorch's node saves it, a view of ``base`` of another
    shape (``linear`` saves ``weight.t()`` and its input as a matrix): the version check reads
    ``base``'s counter, and the error describes the view as PyTorch does (its shape, and
    ``which is output 0 of AsStrided`` when ``base`` requires grad). No array is made."""

    __slots__ = ("_base", "_shape", "grad_fn")
    _output_nr = 0

    def __init__(self, base: Tensor, shape: tuple) -> None:
        self._base = base
        self._shape = shape
        self.grad_fn = _AS_STRIDED if base._requires_grad else None

    @property
    def _vc(self) -> list:
        return self._base._vc

    @property
    def _value(self) -> np.ndarray:
        """What the message reads (dtype and shape): a broadcast scalar, no copy."""
        return np.broadcast_to(np.zeros((), self._base._value.dtype), self._shape)


def check_grad_assignment(t: Tensor, value: Tensor) -> None:
    """PyTorch's errors for ``t.grad = value`` with another dtype or size."""
    if value._dtype is not t._dtype:
        raise RuntimeError(D.grad_dtype_message(value._dtype, t._dtype))
    if value.shape != t.shape:
        raise RuntimeError(
            f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor "
            f"of size '{list(t.shape)}'. Please ensure that the gradient and the "
            "tensor are the same size"
        )
