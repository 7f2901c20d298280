"""``autograd.Function``: user-defined ops with a hand-written backward.

As in PyTorch, the ``ctx`` handed to ``forward`` and ``backward`` is the graph node itself
(an instance of ``<ClassName>Backward``), so ``y.grad_fn.saved_tensors`` works. ``forward``
runs under ``no_grad``; every tensor output gets the node as its ``grad_fn`` unless marked
non-differentiable. ``backward`` returns one gradient per ``forward`` argument (``None`` for
non-tensor arguments); it runs with grad mode on under ``create_graph=True``, so a backward
written with tensor ops is itself differentiable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..engine import graph as G
from ..engine.dual_state import DUAL
from ..engine.grad_mode import STATE, no_grad
from ..engine.sweep import FREED, FREED_MESSAGE, Node
from ..frontend.creation import zeros
from ..frontend.multi_view import CUSTOM_KEY, CUSTOM_NO_GRAD
from ..frontend.overloads import type_name  # (argcheck imports the Tensor: the cycle)
from ..frontend.pointwise import sum_to_shape
from ..frontend.recording import record, unpack_saved
from ..frontend.tensor import Tensor, _make, _version_error
from ..helpers import warn as warn_user


class FunctionCtx:
    """The ``ctx`` API: saving tensors and flags between ``forward`` and ``backward``."""

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep ``tensors`` for ``backward``; in-place changes to them are caught there."""
        self._to_save = tensors

    def save_for_forward(self, *tensors: Any) -> None:
        self.saved_for_forward = tensors

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved  # type: ignore[attr-defined]
        if saved is FREED:
            raise RuntimeError(FREED_MESSAGE)
        if saved is None:
            return ()
        tensors, versions, creators = saved
        packed = G.packed_of(self)  # type: ignore[arg-type]
        if packed is not None:  # saved-tensor hooks: what unpack gives, unchecked (PyTorch)
            unpack, items = packed
            return tuple(
                unpack_saved(unpack, items[i]) if i in items else t for i, t in enumerate(tensors)
            )
        if any(type(c) is int for c in creators):
            tensors = tuple(map(self._unpack, tensors, creators))
        for t, v, c in zip(tensors, versions, creators, strict=True):
            if c is not None and t._vc[0] != v:
                _version_error(t, v, t._vc[0], (self, c) if type(c) is int else c)
        return tensors

    def _unpack(self, t: Any, creator: Any) -> Any:
        """A saved tensor as ``backward`` sees it: an output of this node (``creator`` its
        output number) was saved without its ``grad_fn`` (which is this node: holding it
        would be a reference cycle, as in :class:`~.recording.ResultBackward`) and gets it
        back here, as PyTorch's unpacking of a saved output does."""
        if type(creator) is not int:
            return t
        out = t.detach()  # same array and version counter
        out.grad_fn, out._output_nr, out._requires_grad = self, creator, True
        return out

    def mark_non_differentiable(self, *tensors: Any) -> None:
        """These outputs get no ``grad_fn``; their gradient arrives as zeros (or None)."""
        self._non_differentiable = {id(t) for t in tensors}

    def mark_dirty(self, *tensors: Any) -> None:
        """Inputs ``forward`` modified in place: their version counters are bumped."""
        self._dirty = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """Whether missing output gradients reach ``backward`` as zeros (default) or None."""
        self.materialize_grads = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """The node of one ``Function.apply`` call; subclassed per Function as ``<Name>Backward``."""

    _forward_cls: type[Function]
    runs_undefined = True  # PyTorch calls a Function's backward with materialized zeros

    def __init__(self, next_functions: tuple) -> None:
        super().__init__(next_functions)
        self.needs_input_grad: tuple[bool, ...] = ()
        self.materialize_grads = True
        self._to_save: Sequence[Any] = ()
        self._non_differentiable: set[int] = set()
        self._dirty: Sequence[Any] = ()
        self._outputs_meta: list[tuple[tuple[int, ...], Any] | None] = []
        #: (argument index, (shape, dtype)) per tensor argument: its metadata, not the tensor
        #: (a tensor ``forward`` returns after ``mark_dirty`` has this node as grad_fn)
        self._tensor_args: list[tuple[int, tuple]] = []

    def apply(self, grads: list) -> Sequence:
        if DUAL.evaluating and "_fw_cut" in self.__dict__:  # forward AD: see forward_ad.py
            return [None] * len(self._tensor_args)
        # creation imports tensor, which imports this package: a cycle at module level
        grads = list(grads) + [None] * (len(self._outputs_meta) - len(grads))
        if self.materialize_grads:
            # (ctx._materialize_non_diff_grads = False: non-differentiable outputs get None)
            keep = () if self.__dict__.get("_materialize_non_diff_grads", True) else (
                self.__dict__.get("_nondiff_nrs", ())
            )  # fmt: skip
            grads = [
                zeros(meta[0], dtype=meta[1]) if g is None and meta and i not in keep else g
                for i, (g, meta) in enumerate(zip(grads, self._outputs_meta, strict=True))
            ]
        result = self._forward_cls.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n_args = len(self.needs_input_grad)
        if len(result) != n_args:
            if len(result) > n_args and all(r is None for r in result[n_args:]):
                result = result[:n_args]
            else:
                raise RuntimeError(
                    f"function {self.name()} returned an incorrect number of gradients "
                    f"(expected {n_args}, got {len(result)})"
                )
        tensor_at = {i for i, _ in self._tensor_args}
        for i, grad in enumerate(result):  # PyTorch's checks, in its order
            if grad is None:
                continue
            if i not in tensor_at:
                raise RuntimeError(
                    f"function {self.name()} returned a gradient different than None at "
                    f"position {i + 1}, but the corresponding forward input was not a Variable"
                )
            if not isinstance(grad, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type_name(grad)})")
        return [self._validate(i, result[i], *meta) for i, meta in self._tensor_args]

    def _validate(self, index: int, grad: Any, shape: tuple, dtype: Any) -> Any:
        """PyTorch's output validation: shape (summed if broadcast), then dtype."""
        if grad is None or not self.needs_input_grad[index]:
            return None
        if grad.shape != shape:
            try:  # the input's shape must expand to the gradient's (then summed back)
                expandable = _broadcast(shape, grad.shape) == tuple(grad.shape)
            except ValueError:
                expandable = False
            if not expandable:
                raise RuntimeError(
                    f"Function {self.name()} returned an invalid gradient at index {index} - got "
                    f"{list(grad.shape)} but expected shape compatible with {list(shape)}"
                )
            grad = sum_to_shape(grad, tuple(shape))
        if grad._dtype is not dtype:
            grad = grad.to(dtype)
        return grad

    def release(self) -> None:
        if self._saved is not None:  # nodes that saved nothing can be backwarded again
            self._saved = FREED

    __repr__ = object.__repr__


def _broadcast(a: tuple, b: tuple) -> tuple:
    import numpy as np

    return tuple(np.broadcast_shapes(tuple(a), tuple(b)))


class FunctionMeta(type):
    """Gives each Function subclass its node class, named ``<ClassName>Backward``."""

    def __init__(cls, name: str, bases: tuple, attrs: dict) -> None:
        backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        backward_cls.__module__ = __name__  # repr: <jitgrad.autograd.function.NameBackward ...>
        cls._backward_cls = backward_cls
        super().__init__(name, bases, attrs)


class Function(FunctionCtx, metaclass=FunctionMeta):
    """Base class for custom differentiable operations.

    >>> class Square(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * g
    """

    _backward_cls: type[BackwardCFunction]

    def __init__(self, *args: Any, **kwargs: Any) -> None:

        warn_user(
            f"{type(self)} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself. Instantiating an autograd "
            "function will raise an error in a future version of PyTorch.",
            DeprecationWarning,
            stacklevel=2,
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> Any:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @staticmethod
    def jvp(ctx: Any, *grad_inputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it with "
            "forward mode AD."
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` and, if any tensor argument requires grad, record the node; in an
        open forward-AD level, ``jvp`` gives the outputs' tangents (forward_ad.py)."""
        ctx, out = cls._apply(args, kwargs)
        if DUAL.level is not None:
            out = DUAL.function_jvp(cls, ctx, args, out)
        return out

    @classmethod
    def _apply(cls, args: tuple, kwargs: dict) -> tuple[Any, Any]:
        needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        recording = STATE.enabled and any(needs)
        tensor_args = [(i, a) for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx = cls._backward_cls(
            tuple(a._edge() if a._requires_grad else (None, 0) for _, a in tensor_args)
        )
        ctx.needs_input_grad = needs if recording else tuple(False for _ in args)
        ctx._tensor_args = [(i, (a.shape, a._dtype)) for i, a in tensor_args]
        separate = cls.setup_context is not Function.setup_context
        with no_grad():
            if separate:
                raw = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, raw)
            else:
                raw = cls.forward(ctx, *args, **kwargs)
        _bump_dirty(ctx._dirty, recording)
        is_tuple = isinstance(raw, tuple)
        outputs = raw if is_tuple else (raw,)
        if not recording:
            _mark_views(outputs, args, CUSTOM_NO_GRAD)
            return ctx, raw
        remap: dict[int, Any] = {}
        wrapped = [_wrap_output(cls, ctx, nr, out, args, remap) for nr, out in enumerate(outputs)]
        to_save = [remap.get(id(t), t) for t in ctx._to_save]
        if to_save:
            ctx._saved = _saved_without_cycles(ctx, to_save, Tensor)
            if G.SAVED_HOOKS.count:  # autograd.graph.saved_tensors_hooks open somewhere
                G.pack_saved(ctx, [(i, t) for i, t in enumerate(to_save) if isinstance(t, Tensor)])
        ctx._to_save = ctx._dirty = ()  # the dirty ones may be outputs: no cycle through them
        return ctx, (tuple(wrapped) if is_tuple else wrapped[0])


def _bump_dirty(dirty: Sequence[Any], recording: bool) -> None:
    """Bump the counters of the tensors ``mark_dirty`` named; a leaf that requires grad
    modified in a recorded call is refused, as PyTorch does."""
    for t in dirty:
        if recording and t._requires_grad and t.grad_fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad has been used in an in-place operation."
            )
        t._bump()


def _wrap_output(
    cls: type, ctx: BackwardCFunction, nr: int, out: Any, args: tuple, remap: dict
) -> Any:
    """Output ``nr`` of a recorded call as the caller sees it; ``remap`` maps each returned
    tensor's id to what replaced it (the same tensor returned twice is one result)."""
    if not isinstance(out, Tensor):  # backward still gets a slot for it (None)
        ctx._outputs_meta.append(None)
        return out
    ctx._outputs_meta.append((tuple(out.shape), out._dtype))
    if id(out) in remap:
        return remap[id(out)]
    if id(out) in ctx._non_differentiable or not (
        out._dtype.is_floating_point or out._dtype.is_complex
    ):
        ctx.__dict__.setdefault("_nondiff_nrs", set()).add(nr)
        return out
    is_arg = any(out is a for a in args)
    if any(out is d for d in ctx._dirty) or not (
        out._base is not None or out._requires_grad or is_arg
    ):  # modified in place, or a new tensor: rebase, keep identity (``ctx.out = out``)
        out.grad_fn, out._output_nr, out._requires_grad = ctx, nr, True
        remap[id(out)] = out
        return out
    w = _make(out._value, out._dtype, ctx, output_nr=nr)
    w._vc = out._counter()
    if out._base is not None or is_arg:  # PyTorch refuses in-place writes into these
        w.__dict__[CUSTOM_KEY] = (
            f"Output {nr} of {cls.__name__} is a view and is being modified inplace."
        )
    remap[id(out)] = w
    return w


def _mark_views(outputs: tuple, args: tuple, first: str) -> None:
    """Mark the views among a Function's outputs computed without recording (not its inputs
    themselves): PyTorch refuses to record an in-place write into them later."""
    for out in outputs:
        if isinstance(out, Tensor) and out._base is not None and not any(out is a for a in args):
            out.__dict__[CUSTOM_KEY] = first


def _saved_without_cycles(ctx: BackwardCFunction, to_save: list, tensor: type) -> tuple:
    """``(tensors, versions, creators)`` for ``ctx._saved``. A creator is
    ``(grad_fn, output_nr)`` as saved, None for a non-tensor, or, for an output of ``ctx``
    itself, its output number: that tensor is kept as a detached alias (same array and
    version counter) and rebuilt by ``ctx._unpack``."""
    tensors, versions, creators = [], [], []
    for t in to_save:
        if not isinstance(t, tensor):
            tensors.append(t)
            versions.append(0)
            creators.append(None)
            continue
        versions.append(t._vc[0])
        if t.grad_fn is ctx:
            tensors.append(t.detach())  # same array and version counter
            creators.append(t._output_nr)
        else:
            tensors.append(t)
            creators.append((t.grad_fn, t._output_nr))
    return tuple(tensors), tuple(versions), tuple(creators)


class once_differentiable:  # noqa: N801 - PyTorch's name
    """Decorator for a ``backward`` that is not itself differentiable (runs under no_grad)."""

    def __new__(cls, fn: Any) -> Any:  # type: ignore[misc]
        import functools

        @functools.wraps(fn)
        def wrapper(ctx: Any, *args: Any) -> Any:
            with no_grad():
                outputs = fn(ctx, *args)
            if not STATE.enabled or not any(
                isinstance(a, Tensor) and a._requires_grad for a in args
            ):
                return outputs
            # under create_graph: each result hangs off an ``Error`` node, as PyTorch's
            # DelayedError, so differentiating it again raises instead of giving zeros
            one = not isinstance(outputs, tuple)
            errs = tuple(_delayed_error(o) for o in ((outputs,) if one else outputs))
            return errs[0] if one else errs

        return wrapper


ONCE_DIFFERENTIABLE = (
    "trying to differentiate twice a function that was marked with @once_differentiable"
)


def _delayed_error(t: Any) -> Any:
    """``t`` as the output of an ``Error`` node whose backward raises PyTorch's message."""
    if not isinstance(t, Tensor):
        return t
    leaf = t.detach().requires_grad_(True)

    def backward(g: Any) -> tuple:
        raise RuntimeError(ONCE_DIFFERENTIABLE)

    return record("Error", leaf._value, leaf._dtype, (leaf,), backward)
