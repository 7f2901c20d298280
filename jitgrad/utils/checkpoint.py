"""``torch.utils.checkpoint``: activation checkpointing. The forward of a segment runs
without keeping its intermediate tensors; the backward runs the segment's forward again
(with the random state it first ran under, so dropout masks repeat) and differentiates
that. Memory held between forward and backward drops to the segment's inputs and outputs;
the price is a second forward.

``use_reentrant=True`` (PyTorch's old default, still taken when the argument is omitted,
with PyTorch's warning): the first forward runs under ``no_grad``; the recorded node
(``CheckpointFunctionBackward``) recomputes and calls ``backward`` inside the backward
(reentrant), which accumulates into the parameters the segment uses. As in PyTorch, when
no input requires grad the output does not either (the parameters then get no gradient).

``use_reentrant=False`` (``context_fn`` may return the two context managers the forward
and the recomputation run under, as in PyTorch): the first forward also finds the leaf
tensors the segment reaches (its parameters), and the node takes them as inputs and
differentiates the recomputed graph with ``autograd.grad``, so gradients reach parameters
even when no input requires grad, and ``autograd.grad`` works through it. PyTorch
implements this variant with saved-tensor hooks and shows the segment's own node names
(``MulBackward0``...); jitgrad's saved tensors live in backward closures, so it records
one node instead, named as the segment's own last node when every differentiable output came
from the same kind (a block ending in a Linear shows ``AddmmBackward0`` as in PyTorch), else
``CheckpointBackward``. Non-leaf tensors the segment captures from
outside (not passed as arguments) get no gradient through it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from typing import Any

from ..autograd.api import backward as _backward
from ..autograd.api import grad as _grad
from ..engine.grad_mode import enable_grad, is_grad_enabled, no_grad
from ..engine.sweep import AccumulateGrad
from ..frontend.recording import record_multi
from ..frontend.tensor import Tensor
from ..helpers import missing_attribute
from ..helpers import warn as warn_user
from ..random import get_rng_state, set_rng_state

__all__ = ["checkpoint", "checkpoint_sequential"]

_REENTRANT_WARNING = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
    "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
    "exception. use_reentrant=False is recommended, but if you need to preserve the current "
    "default behavior, you can pass use_reentrant=True. Refer to docs for more details on "
    "the differences between the two variants."
)
_SEQUENTIAL_WARNING = (
    "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
    "passed explicitly. In version 2.9 we will raise an exception if use_reentrant is not "
    "passed. use_reentrant=False is recommended, but if you need to preserve the current "
    "default behavior, you can pass use_reentrant=True. Refer to docs for more details on "
    "the differences between the two variants."
)


_NO_GRAD_INPUTS = "None of the inputs have requires_grad=True. Gradients will be None"


def _detached(args: tuple) -> list:
    """Fresh leaves for a recomputation, requiring grad where the originals did."""
    out = []
    for a in args:
        if isinstance(a, Tensor):
            d = a.detach()
            d.requires_grad_(a.requires_grad)
            out.append(d)
        else:
            out.append(a)
    return out


def _as_tuple(out: Any) -> tuple[tuple, bool]:
    return (out, True) if isinstance(out, tuple) else ((out,), False)


def _captured_leaves(outputs: Iterable[Any], own: list) -> list[Tensor]:
    """Leaf tensors (by their AccumulateGrad nodes) reachable from ``outputs``' graph,
    other than the segment's own argument copies ``own``."""
    mine = {id(t) for t in own if isinstance(t, Tensor)}
    seen: set[int] = set()
    leaves: list[Tensor] = []
    stack = [t.grad_fn for t in outputs if isinstance(t, Tensor) and t.grad_fn is not None]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, AccumulateGrad):
            if id(node.variable) not in mine:
                leaves.append(node.variable)
            continue
        stack.extend(n for n, _ in node.next_functions)
    return leaves


def _run(function: Callable, args: list, kwargs: dict, rng: Any) -> tuple[tuple, bool]:
    if rng is not None:
        saved = get_rng_state()
        set_rng_state(rng)
    try:
        return _as_tuple(function(*args, **kwargs))
    finally:
        if rng is not None:
            set_rng_state(saved)


def _check_reentrant_options(context_fn: Any, debug: bool, kwargs: dict) -> None:
    """What the reentrant variant cannot take, refused in PyTorch's words."""
    if context_fn is not None or debug:
        raise ValueError(
            "Passing `context_fn` or `debug` is only supported when use_reentrant=False."
        )
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))


def _forward_capturing(
    function: Callable, args: tuple, kwargs: dict, forward_ctx: Any
) -> tuple[tuple, bool, list[Tensor], list[str | None]]:
    """The non-reentrant variant's forward: ``function`` on detached copies of the
    arguments with grad enabled (so the leaves it reaches that are not arguments, e.g. a
    module's parameters, can be found and become the node's inputs too), its outputs
    detached from that throwaway graph. Returns (outputs, whether a tuple, those leaves, the
    names of the outputs' nodes in that graph)."""
    with enable_grad(), forward_ctx:
        first = _detached(args)
        outs, was_tuple = _as_tuple(function(*first, **kwargs))
        sources = _captured_leaves(outs, first)
        names = [
            o.grad_fn.name() if isinstance(o, Tensor) and o.grad_fn is not None else None
            for o in outs
        ]
        outs = tuple(o.detach() if isinstance(o, Tensor) else o for o in outs)
    return outs, was_tuple, sources, names


def _node_name(use_reentrant: bool, names: list[str | None]) -> str:
    """The checkpoint node's name: PyTorch's non-reentrant variant keeps the segment's own
    nodes, so its outputs print e.g. ``grad_fn=<AddmmBackward0>``; jitgrad's one node takes
    that name when all the differentiable outputs agree on it."""
    if use_reentrant:
        return "CheckpointFunctionBackward"
    if names and None not in names and len(set(names)) == 1:
        return names[0]
    return "CheckpointBackward"


def _recompute_backward(
    function: Callable,
    args: tuple,
    kwargs: dict,
    rng: Any,
    recompute_ctx: Any,
    diff_pos: list[int],
    inputs: list[Tensor],
    sources: list[Tensor],
    use_reentrant: bool,
) -> Callable[..., tuple]:
    """The checkpoint node's backward: run ``function`` again on fresh detached copies of
    the arguments (under the saved RNG state and ``recompute_ctx``), then backpropagate
    the incoming gradients through that recomputed graph: with ``backward`` for the
    reentrant variant (parameters accumulate their ``.grad`` there, as in PyTorch), else
    with ``grad`` into the arguments and the leaves the forward captured."""
    sources_needing = [p for p in sources if p.requires_grad]

    def backward(*grads: Any) -> tuple:
        fresh = _detached(args)
        with enable_grad(), recompute_ctx:
            again, _ = _run(function, fresh, kwargs, rng)
        pairs = [
            (again[i], g)
            for i, g in zip(diff_pos, grads, strict=True)
            if g is not None and isinstance(again[i], Tensor) and again[i].requires_grad
        ]
        arg_leaves = [f for f in fresh if isinstance(f, Tensor) and f.requires_grad]
        if not pairs:
            return tuple(None for _ in inputs)
        outs_r, grads_r = [p[0] for p in pairs], [p[1] for p in pairs]
        if use_reentrant:  # backward inside backward: parameters accumulate their .grad
            _backward(outs_r, grads_r, inputs=None)
            return tuple(f.grad for f in arg_leaves)
        return tuple(_grad(outs_r, arg_leaves + sources_needing, grads_r, allow_unused=True))

    return backward


def checkpoint(
    function: Callable,
    *args: Any,
    use_reentrant: bool | None = None,
    context_fn: Any = None,
    determinism_check: str = "default",
    debug: bool = False,
    preserve_rng_state: bool = True,
    **kwargs: Any,
) -> Any:
    """``function(*args, **kwargs)`` without keeping its intermediates for backward; the
    backward recomputes them (see the module docstring for the two variants)."""
    if use_reentrant is None:
        warn_user(_REENTRANT_WARNING, UserWarning, stacklevel=2)
        use_reentrant = True
    if use_reentrant:
        _check_reentrant_options(context_fn, debug, kwargs)
    forward_ctx, recompute_ctx = (
        context_fn() if context_fn is not None else (nullcontext(), nullcontext())
    )
    rng = get_rng_state() if preserve_rng_state else None
    tensors = [a for a in args if isinstance(a, Tensor)]
    if use_reentrant:
        if not any(t.requires_grad for t in tensors):
            warn_user(_NO_GRAD_INPUTS, UserWarning, stacklevel=2)
        with no_grad():
            outs, was_tuple = _as_tuple(function(*args))
        sources: list[Tensor] = []
        names: list[str | None] = []
    else:
        if not is_grad_enabled():
            return function(*args, **kwargs)
        outs, was_tuple, sources, names = _forward_capturing(function, args, kwargs, forward_ctx)
    inputs = [t for t in tensors if t.requires_grad] + [p for p in sources if p.requires_grad]
    diff_pos = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.is_floating_point()]
    if not inputs or not is_grad_enabled() or not diff_pos:
        return outs if was_tuple else outs[0]
    backward = _recompute_backward(
        function, args, kwargs, rng, recompute_ctx, diff_pos, inputs, sources, use_reentrant
    )
    name = _node_name(use_reentrant, [names[i] for i in diff_pos] if names else [])
    values = [outs[i] for i in diff_pos]
    results = record_multi(
        name, [v._value for v in values], [v.dtype for v in values], inputs, backward
    )
    outs = list(outs)
    for i, r in zip(diff_pos, results, strict=True):
        outs[i] = r
    return tuple(outs) if was_tuple else outs[0]


def checkpoint_sequential(
    functions: Any,
    segments: int,
    input: Any,  # noqa: A002 - PyTorch's name
    use_reentrant: bool | None = None,
    **kwargs: Any,
) -> Any:
    """Run the modules of ``functions`` (a Sequential or list) in ``segments`` chunks, each
    checkpointed except the last, which runs normally (as in PyTorch)."""
    if use_reentrant is None:
        warn_user(_SEQUENTIAL_WARNING, UserWarning, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    modules = list(functions.children()) if hasattr(functions, "children") else list(functions)

    def run_function(start: int, end: int) -> Callable:
        def forward(x: Any) -> Any:
            for j in range(start, end + 1):
                x = modules[j](x)
            return x

        return forward

    segment_size = len(modules) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(  # noqa: A001
            run_function(start, end),
            input,
            use_reentrant=use_reentrant,
            preserve_rng_state=preserve,
        )
    return run_function(end + 1, len(modules) - 1)(input)


#: ``torch.utils.checkpoint.<name>`` for a PyTorch name jitgrad lacks says so.
__getattr__ = missing_attribute("jitgrad.utils.checkpoint")
