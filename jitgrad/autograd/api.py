"""``autograd.backward`` and ``autograd.grad``: argument checking around the engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine import sweep as engine
from ..engine.dual_state import DUAL
from ..frontend.creation import zeros_like
from ..frontend.join_split import stack
from ..frontend.tensor import Tensor, _make
from ..helpers import warn as warn_user

CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using autograd.grad "
    "when creating the graph to avoid this. If you have to use this function, make sure to "
    "reset the .grad fields of your parameters to None after use to break the cycle and avoid "
    "the leak."
)


def _as_list(x: Any) -> list:
    if x is None:
        return []
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _make_grads(outputs: list, grad_outputs: list, create_graph: bool) -> list:
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs, strict=True)):
        if g is None:
            if out.numel() != 1:  # numel, not _value: a deferred loss stays deferred
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not out._dtype.is_floating_point:
                raise RuntimeError(
                    "grad can be implicitly created only for real scalar outputs but got "
                    f"{out._dtype!r}"
                )
            g = _make(np.ones(out.shape, out._dtype.np), out._dtype)
        elif not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        elif g.shape != out.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape!r} and "
                f"output[{i}] has a shape of {out.shape!r}."
            )
        elif g._dtype is not out._dtype:  # PyTorch casts real gradients to the output's dtype
            g = g.to(out._dtype)
        if not create_graph and (g._requires_grad or g.grad_fn is not None):
            g = g.detach()
        grads.append(g)
    return grads


def _check_outputs(outputs: list) -> None:
    for i, t in enumerate(outputs):
        if not t._requires_grad or DUAL.hidden and not (DUAL.evaluating or DUAL.visible(t)):
            raise RuntimeError(  # (the second test: a graph that only carries forward AD)
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    grad_variables: Any = None,
    inputs: Any = None,
) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves they reach."""
    outputs = _as_list(tensors)
    grads = _as_list(grad_tensors if grad_tensors is not None else grad_variables)
    if not grads:
        grads = [None] * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    input_list = _as_list(inputs) if inputs is not None else None
    if input_list is not None and not input_list:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    _check_outputs(outputs)
    grads = _make_grads(outputs, grads, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        warn_user(CREATE_GRAPH_WARNING, UserWarning, stacklevel=3)
    engine.run_backward(outputs, grads, retain_graph, create_graph, inputs=input_list)


MATERIALIZE_UNUSED = (
    "Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
    "allow_unused=False."
)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, returned instead of accumulated."""
    if materialize_grads and allow_unused is False:
        raise ValueError(MATERIALIZE_UNUSED)
    if is_grads_batched:  # PyTorch vmaps the engine over dim 0 of grad_outputs: one vjp a row
        return _batched_grad(
            outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
            materialize_grads,
        )  # fmt: skip
    out_list = _as_list(outputs)
    in_list = _as_list(inputs)
    if not in_list:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    grads = _as_list(grad_outputs)
    if not grads:
        grads = [None] * len(out_list)
    if len(grads) != len(out_list):
        raise RuntimeError(f"got {len(out_list)} tensors and {len(grads)} gradients")
    for t in in_list:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    _check_outputs(out_list)
    grads = _make_grads(out_list, grads, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    result: Sequence[Any] = engine.run_backward(
        out_list, grads, retain_graph, create_graph, inputs=in_list, capture=True,
        allow_unused=allow_unused,
    ) or []  # fmt: skip
    if materialize_grads:
        # creation imports tensor, which imports this package: a cycle at module level
        result = [
            zeros_like(t, requires_grad=create_graph) if g is None else g
            for g, t in zip(result, in_list, strict=True)
        ]
    return tuple(result)


def tensor_backward(
    self: Tensor,
    gradient: Tensor | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Sequence[Tensor] | Tensor | None = None,
) -> None:
    """Accumulate d(self)/d(leaf) · gradient into every leaf's ``.grad``."""
    backward(self, gradient, retain_graph, create_graph, inputs=inputs)


def _batched_grad(
    outputs: Any, inputs: Any, grad_outputs: Any, retain_graph: bool | None,
    create_graph: bool, allow_unused: bool | None, materialize_grads: bool,
) -> tuple:  # fmt: skip
    """``grad(..., is_grads_batched=True)``: a vjp per row of every grad output, stacked."""
    rows = _as_list(grad_outputs)
    n = rows[0].shape[0]
    keep = create_graph if retain_graph is None else retain_graph
    per_row = [
        grad(
            outputs, inputs, [g[i] for g in rows], retain_graph=keep or i < n - 1,
            create_graph=create_graph, allow_unused=allow_unused,
            materialize_grads=materialize_grads,
        )
        for i in range(n)
    ]  # fmt: skip
    return tuple(
        None if all(r[k] is None for r in per_row) else stack([r[k] for r in per_row])
        for k in range(len(per_row[0]))
    )
