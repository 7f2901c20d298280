"""The ``*_copy`` forms of the view ops (``torch.view_copy``, ``torch.permute_copy`` ...):
the same result as the view, in fresh memory that shares nothing with the input.

PyTorch names their nodes after the view's with a ``_copy`` suffix (``ViewBackward0_copy``),
and their gradient is the view's. So each runs the view, copies the result(s) without
history, and gives them a :class:`CopyNode` that stands for the view's node: the same
inputs, the view's backward, PyTorch's name. Outputs of one call share one node, as in
PyTorch (``unbind_copy``'s pieces are outputs 0, 1, ... of one ``UnbindBackward0_copy``).
:func:`under_node` also serves ops written through another op whose node PyTorch names
otherwise (``index_reduce`` over ``scatter_reduce``: ``IndexReduceBackward0``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..engine.grad_mode import STATE as GRAD
from ..engine.node import Node, edges_of
from .tensor import Tensor, _make


class CopyNode(Node):
    """A view op's node under its ``_copy`` name; ``_saved`` is the view's node."""

    __slots__ = ()

    def apply(self, grads: list) -> Any:
        return self._saved.apply(grads)

    def release(self) -> None:
        self._saved.release()  # a second backward gets the view node's freed-graph error


_classes: dict[str, type] = {}


def _node_class(name: str) -> type:
    cls = _classes.get(name)
    if cls is None:
        cls = _classes[name] = type(name, (CopyNode,), {"__slots__": ()})
    return cls


def under_node(out: Any, node_name: str, copy: bool) -> Any:
    """``out`` (a tensor, or a tuple or list of them, from one op call) with its history
    under a :class:`CopyNode` named ``node_name`` (one per distinct node of the pieces);
    ``copy``: in fresh memory, sharing nothing with the operands."""
    pieces = list(out) if isinstance(out, tuple | list) else [out]
    nodes: dict[int, Node] = {}
    results = []
    for piece in pieces:
        fresh = piece.detach().clone() if copy else piece.detach()
        inner = piece.grad_fn
        if inner is None or not GRAD.enabled:
            results.append(fresh if copy else piece)
            continue
        node = nodes.get(id(inner))
        if node is None:
            node = nodes[id(inner)] = _node_class(node_name)(edges_of(inner))
            node._saved = inner
        results.append(_make(fresh._value, fresh._dtype, node, output_nr=piece._output_nr))
    return tuple(results) if isinstance(out, tuple | list) else results[0]


def _copied(name: str, view: Callable[..., Any], node_name: str) -> Callable[..., Any]:
    def op(input: Tensor, *args: Any, **kwargs: Any) -> Any:  # noqa: A002 - PyTorch's name
        return under_node(view(input, *args, **kwargs), node_name, copy=True)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"The view's result in fresh memory; its node is ``{node_name}``."
    return op


def _slice(input: Tensor, dim: int = 0, start: Any = None, end: Any = None, step: int = 1) -> Any:  # noqa: A002
    index = [slice(None)] * input.dim()
    index[dim] = slice(start, end, step)
    return input[tuple(index)]


class _NotImplemented(Node):
    """PyTorch's ``torch::autograd::NotImplemented``: the node of an op whose derivative
    does not exist; reaching it in backward is an error (``_saved`` is the op's name)."""

    __slots__ = ()

    def name(self) -> str:
        return "torch::autograd::NotImplemented"

    def apply(self, grads: list) -> Any:
        raise RuntimeError(f"derivative for aten::{self._saved} is not implemented")


_NotImplemented.__name__ = _NotImplemented.__qualname__ = "NotImplemented"


def _detach_copy(input: Tensor) -> Tensor:  # noqa: A002
    """``input.detach()`` in fresh memory. PyTorch still records it when ``input`` requires
    grad, under a node whose backward says the derivative is not implemented."""
    fresh = input.detach().clone()
    if not (GRAD.enabled and input.requires_grad):
        return fresh
    node = _NotImplemented((input._edge(),))
    node._saved = "detach_copy"
    return _make(fresh._value, fresh._dtype, node)


#: name -> (the view, PyTorch's node name without the ``_copy`` suffix)
_VIEWS: dict[str, tuple[Callable[..., Any], str]] = {
    "view_copy": (lambda x, *size: x.view(*size), "ViewBackward0"),
    "permute_copy": (lambda x, dims: x.permute(*dims), "PermuteBackward0"),
    "t_copy": (lambda x: x.t(), "TBackward0"),
    "transpose_copy": (lambda x, d0, d1: x.transpose(d0, d1), "TransposeBackward0"),
    "expand_copy": (lambda x, size, *, implicit=False: x.expand(*size), "ExpandBackward0"),
    "squeeze_copy": (lambda x, *dim: x.squeeze(*dim), "SqueezeBackward0"),
    "unsqueeze_copy": (lambda x, dim: x.unsqueeze(dim), "UnsqueezeBackward0"),
    "select_copy": (lambda x, dim, index: x.select(dim, index), "SelectBackward0"),
    "slice_copy": (_slice, "SliceBackward0"),
    "diagonal_copy": (
        lambda x, offset=0, dim1=0, dim2=1: x.diagonal(offset, dim1, dim2),
        "DiagonalBackward0",
    ),
    "alias_copy": (lambda x: x.view_as(x), "AliasBackward0"),
    "unbind_copy": (lambda x, dim=0: x.unbind(dim), "UnbindBackward0"),
    "split_copy": (lambda x, size, dim=0: x.split(size, dim), "SplitBackward0"),
    "split_with_sizes_copy": (
        lambda x, sizes, dim=0: x.split(list(sizes), dim),
        "SplitWithSizesBackward0",
    ),
    "unfold_copy": (lambda x, dim, size, step: x.unfold(dim, size, step), "UnfoldBackward0"),
    "as_strided_copy": (
        lambda x, size, stride, storage_offset=None: x.as_strided(size, stride, storage_offset),
        "AsStridedBackward0",
    ),
}

TOP_LEVEL: dict[str, Any] = {
    name: _copied(name, view, node + "_copy") for name, (view, node) in _VIEWS.items()
}
TOP_LEVEL["detach_copy"] = _detach_copy
