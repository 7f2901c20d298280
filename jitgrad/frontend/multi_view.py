"""PyTorch's refusal to modify in place an output of a function that returns several views.

``unbind`` (so also ``for row in t``), ``split`` / ``chunk`` and ``split_with_sizes`` return
views that share one backward node; writing into one would have to rebase a node that the
other outputs still use, so PyTorch refuses it while the base requires grad and grad mode is
on, and so do views taken of such a view (named after the last view op: ``Select``, ``View``).
``tensor_split`` / ``hsplit`` / ``vsplit`` make independent slice views: no refusal.

The mark is a ``(op, output_nr)`` pair in the tensor's ``__dict__`` (no slot: the hot
``_make`` path never writes it); :func:`check` is called by every in-place entry point that
can reach a view (``setitem``; ``check_inplace`` in pointwise should call
:func:`check_marked` too, see the report of the s3-conform branch).
"""

from __future__ import annotations

from typing import Any

from ..engine.grad_mode import INFERENCE_KEY, STATE

KEY = "_multi_view"

INFERENCE_INPLACE = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
    "clone to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details."
)

MESSAGE = (
    "Output {nr} of {op} is a view and is being modified inplace. This view is the output of "
    "a function that returns multiple views. Such functions do not allow the output views to "
    "be modified inplace. You should replace the inplace operation by an out-of-place one."
)

#: reading the ``grad_fn`` of such an output after its base (or a sibling) changed in place
STALE_MESSAGE = (
    "Output {nr} of {op} is a view and its base or another view of its base has been "
    "modified inplace. This view is the output of a function that returns multiple views. "
    "Such functions do not allow the output views to be modified inplace. You should replace "
    "the inplace operation by an out-of-place one."
)


#: a view a custom Function returned (or an input it returned as-is): the first sentence of
#: PyTorch's refusal to record an in-place write into it, under this key in its ``__dict__``
CUSTOM_KEY = "_custom_view"
CUSTOM_MESSAGE = (
    " This view was created inside a custom Function (or because an input was returned as-is) "
    "and the autograd logic to handle view+inplace would override the custom backward "
    "associated with the custom Function, leading to incorrect gradients. This behavior is "
    "forbidden. You can fix this by cloning the output of the custom Function."
)
CUSTOM_NO_GRAD = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled."
)


def check_custom(t: Any) -> None:
    """Raise PyTorch's error for a recorded in-place write into a custom Function's view."""
    first = t.__dict__.get(CUSTOM_KEY)
    if first is not None:
        raise RuntimeError(first + CUSTOM_MESSAGE)


def mark(outs: Any, node_name: str) -> None:
    """Mark the outputs of a multi-view op (``UnbindBackward0`` -> ``Output i of Unbind``)."""
    marks = marks_of(node_name, len(outs))
    for i, o in enumerate(outs):
        o.__dict__[KEY] = marks[i]


def marks_of(node_name: str, n: int) -> tuple:
    """The marks of ``n`` outputs of node ``node_name`` (at least ``n``: shared, kept for up
    to 1024): what :func:`mark` puts in output ``i``'s ``__dict__`` under :data:`KEY`."""
    marks = _marks.get(node_name)
    if marks is None or len(marks) < n:
        op = node_name.removesuffix("Backward0")
        marks = tuple([(op, i) for i in range(n)])
        if n <= 1024:  # (as join_split's unbind caches)
            _marks[node_name] = marks
    return marks


#: node name -> the marks of its outputs, shared: a mark is one object per output that the
#: cycle collector walks while the graph lives (an unbind is one op in a scalar graph)
_marks: dict[str, tuple] = {}


def inherit(x: Any, out: Any, node_name: str) -> None:
    """A view ``out`` of a marked ``x`` is marked too, as output 0 of its own view op."""
    if KEY in x.__dict__:
        out.__dict__[KEY] = (node_name.removesuffix("Backward0"), 0)


def check_marked(t: Any, op: str | None = None) -> None:
    """The in-place refusals for a tensor whose ``__dict__`` holds a mark: an inference
    tensor outside inference mode, then a multi-view output (:func:`check`). Callers test
    ``t.__dict__`` first, so an unmarked tensor costs one attribute read."""
    if INFERENCE_KEY in t.__dict__ and not STATE.inference:
        raise RuntimeError(INFERENCE_INPLACE)
    check(t, op)


def check(t: Any, op: str | None = None) -> None:
    """Raise PyTorch's error when ``t`` is a marked view of a tensor that requires grad.

    ``op`` names the view an indexing write makes first (``t[0] = v`` writes into a
    ``Select`` of ``t``); None names ``t``'s own op."""
    info = t.__dict__.get(KEY)
    if info is None or not STATE.enabled:
        return
    base = t._base
    if base is None or not base._requires_grad:
        return
    nr = info[1] if op is None else 0
    raise RuntimeError(MESSAGE.format(nr=nr, op=op or info[0]))


def setitem_view(key: Any) -> str | None:
    """The view op that PyTorch's ``t[key] = v`` writes through: its last basic index
    (``Select`` for an int, ``Slice`` for a slice that is not ``:``, ``Unsqueeze`` for None);
    None when the key has no such item (``...``, ``:``, masks and index tensors)."""
    op = None
    for it in key if isinstance(key, tuple) else (key,):
        if isinstance(it, bool):
            continue
        if isinstance(it, int):
            op = "Select"
        elif isinstance(it, slice) and it != slice(None):
            op = "Slice"
        elif it is None:
            op = "Unsqueeze"
    return op
