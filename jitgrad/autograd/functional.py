"""``autograd.functional``: jacobian, hessian, vjp and jvp of a function at a point.

Inputs are detached copies that require grad, so the user's tensors gain no history; results
are detached unless ``create_graph=True``. ``jvp`` uses the double-vjp trick: ``J^T u`` is
linear in a dummy ``u``, so differentiating it with respect to ``u`` along ``v`` gives ``J v``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine.grad_mode import enable_grad
from ..frontend.creation import ones_like, zeros_like
from ..frontend.movement import stack
from ..frontend.tensor import _make
from . import functional_checks as C
from .api import grad as autograd_grad


def _as_tuple(x: Any) -> tuple[bool, tuple]:
    is_tuple = isinstance(x, tuple | list)
    return is_tuple, tuple(x) if is_tuple else (x,)


def _prepare(inputs: tuple, create_graph: bool) -> tuple:
    """Fresh tensors requiring grad; with create_graph they stay connected to the caller's."""
    out = []
    for x in inputs:
        if create_graph and x._requires_grad:
            out.append(x.clone())
        else:
            out.append(x.detach().requires_grad_(True))
    return tuple(out)


def _finish(tensors: tuple, create_graph: bool) -> tuple:
    return tuple(t if create_graph or t is None else t.detach() for t in tensors)


def grads_of_used(outputs: Any, inputs: Any, grad_outputs: Any, create_graph: bool) -> tuple | None:
    """``autograd.grad`` over the outputs that require grad (None where none does); an
    unused input's gradient is None."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs, strict=True) if o._requires_grad]
    if not pairs:
        return None
    return autograd_grad(
        [o for o, _ in pairs],
        inputs,
        [g for _, g in pairs],
        retain_graph=True,
        create_graph=create_graph,
        allow_unused=True,
    )


def _grads(outputs: tuple, inputs: tuple, grad_outputs: tuple, create_graph: bool) -> tuple:
    """``autograd.grad`` over the outputs that require grad; unused inputs get zeros."""
    # creation imports tensor, which imports this package: a cycle at module level
    grads = grads_of_used(outputs, inputs, grad_outputs, create_graph)
    if grads is None:
        return tuple(zeros_like(x) for x in inputs)
    return tuple(zeros_like(x) if g is None else g for g, x in zip(grads, inputs, strict=True))


def _single_output_ones(outputs: tuple, what: str) -> tuple:
    # creation imports tensor, which imports this package: a cycle at module level
    if len(outputs) != 1 or outputs[0]._value.size != 1:
        raise RuntimeError(
            f"The vector v can only be None if the {what} a single Tensor with a single element."
        )
    return (ones_like(outputs[0]),)


def vjp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple:
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``."""
    in_tuple, xs = C.checked_tuple(inputs, "inputs", "vjp")
    with enable_grad():
        xs = _prepare(xs, create_graph)
        out_tuple, outs = C.checked_tuple(func(*xs), "outputs of the user-provided function", "vjp")
        if strict:
            C.check_strict_outputs(outs)
        if v is None:
            vs = _single_output_ones(outs, "user-provided function returns")
        else:
            vs = C.checked_tuple(v, "v", "vjp")[1]
            C.check_v(vs, outs, out_tuple)
        if strict:
            C.check_strict_used(grads_of_used(outs, xs, vs, create_graph) or (None,) * len(xs))
        result = _grads(outs, xs, vs, create_graph)
    outs, result = _finish(outs, create_graph), _finish(result, create_graph)
    return (outs if out_tuple else outs[0]), (result if in_tuple else result[0])


def jvp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple:
    """``(func(inputs), J v)``: the Jacobian-vector product, by differentiating a vjp."""
    # creation imports tensor, which imports this package: a cycle at module level
    in_tuple, xs = _as_tuple(inputs)
    with enable_grad():
        xs = _prepare(xs, create_graph)
        vs = (
            _single_output_ones(xs, "input to the user-provided function is") if v is None else None
        )
        if vs is None:
            vs = _as_tuple(v)[1]
        out_tuple, outs = _as_tuple(func(*xs))
        dummies = tuple(zeros_like(o).requires_grad_(True) for o in outs)
        vjps = _grads(outs, xs, dummies, create_graph=True)
        pairs = [(g, w) for g, w in zip(vjps, vs, strict=True) if g._requires_grad]
        if pairs:
            result = _grads(
                tuple(g for g, _ in pairs), dummies, tuple(w for _, w in pairs), create_graph
            )
        else:
            result = tuple(zeros_like(o) for o in outs)
    outs, result = _finish(outs, create_graph), _finish(result, create_graph)
    return (outs if out_tuple else outs[0]), (result if out_tuple else result[0])


def jacobian(
    func: Callable,
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """d func / d inputs: for each (output, input) pair a tensor of shape out.shape + in.shape.

    Built one reverse sweep per output element. Nested like PyTorch: a tensor for one input
    and one output, a tuple when either side is a tuple, a tuple of tuples when both are.
    """
    in_tuple, xs = C.checked_tuple(inputs, "inputs", "jacobian")
    with enable_grad():
        xs = _prepare(xs, create_graph)
        out_tuple, outs = C.checked_tuple(
            func(*xs), "outputs of the user-provided function", "jacobian"
        )
        rows = []
        for out in outs:
            per_elem = []
            for k in range(out._value.size):
                seed = np.zeros(out._value.size, out._dtype.np)
                seed[k] = 1
                go = _make(seed.reshape(out._value.shape), out._dtype)
                per_elem.append(_grads((out,), xs, (go,), create_graph))
            rows.append(
                tuple(
                    _assemble(out, x, [g[j] for g in per_elem], create_graph)
                    for j, x in enumerate(xs)
                )
            )
    result = [r if in_tuple else r[0] for r in rows]
    return tuple(result) if out_tuple else result[0]


def _assemble(out: Any, x: Any, grads: list, create_graph: bool) -> Any:
    """Stack per-output-element gradients into a tensor of shape out.shape + x.shape."""
    shape = tuple(out.shape) + tuple(x.shape)
    if out._value.ndim == 0:
        return grads[0] if create_graph else grads[0].detach()
    if not create_graph:
        value = np.stack([g._value for g in grads]) if grads else np.zeros(shape, x._dtype.np)
        return _make(value.reshape(shape), x._dtype)
    return stack(grads).reshape(shape)


def hessian(
    func: Callable,
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """Second derivatives of a scalar ``func``: the Jacobian of its gradient."""
    in_tuple = isinstance(inputs, tuple | list)

    def gradient(*args: Any) -> Any:
        g = jacobian(lambda *a: C.single_element(func(*a), "hessian"), args, create_graph=True)
        return g if in_tuple else g[0]

    return jacobian(gradient, inputs, create_graph=create_graph)


def _second_order(name: str, func: Callable, inputs: Any, v: Any, create_graph: bool) -> tuple:
    """``(func(inputs), v^T H)`` of a scalar ``func``: differentiate ``grad(func) . v``.

    The Hessian of a twice-differentiable function is symmetric, so this is also ``H v``
    (``hvp``); PyTorch gets ``hvp`` by a double-backward trick with equal values.
    """
    in_tuple, xs = _as_tuple(inputs)
    if v is None:
        vs = _single_output_ones(xs, "input to the user-provided function is")
    else:
        vs = _as_tuple(v)[1]
    for x, w in zip(xs, vs, strict=False):
        if tuple(w.shape) != tuple(x.shape):
            raise RuntimeError(
                f"v has invalid size: should be torch.Size({list(x.shape)}) but got "
                f"torch.Size({list(w.shape)})."
            )
    with enable_grad():
        xs = _prepare(xs, create_graph)
        out_tuple, outs = _as_tuple(func(*xs))
        if len(outs) != 1 or outs[0]._value.size != 1:
            raise RuntimeError(
                f"The Tensor returned by the function given to {name} should contain a single "
                "element"
            )
        ones = _single_output_ones(outs, "user-provided function returns")
        firsts = _grads(outs, xs, ones, create_graph=True)
        result = _grads(firsts, xs, vs, create_graph)
    outs, result = _finish(outs, create_graph), _finish(result, create_graph)
    return (outs if out_tuple else outs[0]), (result if in_tuple else result[0])


def vhp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple:
    """``(func(inputs), v^T H)``: vector-Hessian product of a scalar function."""
    return _second_order("vhp", func, inputs, v, create_graph)


def hvp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple:
    """``(func(inputs), H v)``: Hessian-vector product of a scalar function."""
    return _second_order("hvp", func, inputs, v, create_graph)
