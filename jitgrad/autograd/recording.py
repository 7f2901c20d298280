"""Recording non-elementwise ops: a backward written with Tensor ops.

Reductions, shape ops, indexing and matmul declare their backward as a Python function over
Tensors. Run under ``no_grad`` it is an ordinary backward; run with grad mode on
(``create_graph=True``) the same function records a differentiable graph, so higher-order
gradients need no second implementation.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import dtypes as D
from .engine import Node
from .grad_mode import STATE

# The module, not its names (tensor.py imports this package); by path, because the package
# attribute ``jitgrad.tensor`` is the constructor function.
_tensor = importlib.import_module("jitgrad.tensor")

_classes: dict[str, type] = {}


class FunctionBackward(Node):
    """A node whose backward is ``fn(*grad_outputs) -> grads per input``."""

    __slots__ = ()

    def apply(self, grads: list) -> Sequence:
        fn, tensors, versions = self.saved()
        if tensors:
            _tensor.check_versions(self, tensors, versions)
        result = fn(*grads)
        return result if isinstance(result, tuple | list) else (result,)

    def release(self) -> None:
        saved = self._saved
        if saved is not None and saved[1]:  # only nodes holding saved tensors can be freed
            super().release()


def node_class(name: str) -> type:
    cls = _classes.get(name)
    if cls is None:
        cls = _classes[name] = type(name, (FunctionBackward,), {"__slots__": ()})
    return cls


def needs_grad(*inputs: Any) -> bool:
    """Whether an op on ``inputs`` must record a node (grad mode on and an input requires grad)."""
    if not STATE.enabled:
        return False
    from ..tensor import Tensor

    return any(isinstance(t, Tensor) and t._requires_grad for t in inputs)


def record(
    name: str,
    value: np.ndarray,
    dtype: D.dtype,
    inputs: Sequence[Any],
    backward: Callable[..., Any],
    saved: Sequence[Any] = (),
):
    """The result Tensor of op ``name``; records a node if any input requires grad.

    ``inputs`` are the op's tensor inputs in ``backward``'s result order; ``saved`` lists the
    tensors ``backward`` reads, so in-place changes to them are detected at backward time.
    """
    Tensor, _make = _tensor.Tensor, _tensor._make
    if not (STATE.enabled and dtype.is_floating_point):
        return _make(value, dtype)
    for t in inputs:
        if isinstance(t, Tensor) and t._requires_grad:
            break
    else:
        return _make(value, dtype)
    nexts = tuple(
        t._edge() if isinstance(t, Tensor) and t._requires_grad else (None, 0) for t in inputs
    )
    node = node_class(name)(nexts)
    node._saved = (backward, tuple(saved), tuple(t._vc[0] for t in saved))
    return _make(value, dtype, node)


def record_multi(
    name: str,
    values: Sequence[np.ndarray],
    dtypes: Sequence[D.dtype],
    inputs: Sequence[Any],
    backward: Callable[..., Any],
    saved: Sequence[Any] = (),
) -> list:
    """Like :func:`record` for ops with several outputs (split, max with dim ...)."""
    _make = _tensor._make

    first = record(name, values[0], dtypes[0], inputs, backward, saved)
    node = first.grad_fn
    outs = [first]
    for i in range(1, len(values)):
        differentiable = node is not None and dtypes[i].is_floating_point
        outs.append(_make(values[i], dtypes[i], node if differentiable else None, output_nr=i))
    return outs
