"""What a backward hook may return: PyTorch's checks on a replaced gradient.

A hook that returns a gradient of another shape or dtype would otherwise flow into the rest
of the sweep (and into ``.grad``) unnoticed: a silent wrong answer. PyTorch checks every
value a tensor hook, a node pre-hook or a node hook returns against the one it replaces
(``check_single_result`` in ``torch/csrc/autograd/python_hook.cpp``), and the same checks
reach module backward hooks, which run as node hooks named ``hook``. The engine calls these
for every hook: a graph with a tensor or node hook is never replayed (:mod:`jitgrad.fusion.
replay`), and post-accumulate-grad hooks run inside ``AccumulateGrad.apply`` on both paths.
"""

from __future__ import annotations

from typing import Any

from .grad_mode import STATE

POST_ACCUMULATE_RETURNED = "Tensor post accumulate grad hooks should return None."

#: ``Tensor.toString()`` scalar-type words ("CPUFloatType")
_TYPE_WORDS = {
    "float32": "Float",
    "float64": "Double",
    "int64": "Long",
    "int32": "Int",
    "bool": "Bool",
}


def hook_name(hook: Any) -> str:
    name = getattr(hook, "__name__", None)
    return name if isinstance(name, str) else "<unknown>"


def _type_name(obj: Any) -> str:
    """The C ``tp_name`` PyTorch prints: ``numpy.ndarray``, ``int``, ``Foo`` (a Python class)."""
    cls = type(obj)
    if cls.__flags__ & (1 << 9) or cls.__module__ == "builtins":  # Py_TPFLAGS_HEAPTYPE
        return cls.__name__
    return f"{cls.__module__}.{cls.__name__}"


def _type_string(t: Any) -> str:
    return f"{t.device.type.upper()}{_TYPE_WORDS.get(t.dtype.name, t.dtype.name)}Type"


def check_single_result(original: Any, result: Any, hook: Any) -> None:
    """``result`` may replace the gradient ``original``: a tensor of the same type and size."""
    if result is None:
        return
    if original is None:
        raise RuntimeError("can't replace a None gradient with a non-None value")
    if not (hasattr(result, "_dtype") and hasattr(result, "_value")):  # not a Tensor
        raise TypeError(f"expected Variable, but hook returned '{_type_name(result)}'")
    if result.dtype is not original.dtype or result.device.type != original.device.type:
        raise RuntimeError(
            f"hook '{hook_name(hook)}' has changed the type of value (was "
            f"{_type_string(original)} got {_type_string(result)})"
        )
    if result.shape != original.shape:
        raise RuntimeError(f"hook '{hook_name(hook)}' has changed the size of value")


def check_result(original: tuple, result: Any, hook: Any) -> tuple:
    """A node hook's replacement for the tuple of gradients ``original`` (checked per value)."""
    if result is original:
        return result
    if not isinstance(result, tuple):
        raise TypeError(f"expected tuple, but hook returned '{_type_name(result)}'")
    if len(result) != len(original):
        raise RuntimeError(
            f"hook '{hook_name(hook)}' has returned an incorrect number of values (got "
            f"{len(result)}, but expected {len(original)})"
        )
    for o, r in zip(original, result, strict=True):
        check_single_result(o, r, hook)
    return result


def call_tensor_hooks(hooks: dict, grad: Any) -> Any:
    """Each tensor hook in turn; a non-None result replaces the gradient the next one sees."""
    for fn in list(hooks.values()):
        new = fn(grad)
        if grad is None:  # an undefined gradient: the hook sees None, nothing replaces it
            continue
        grad._fresh = False  # the hook may keep it: a leaf must not adopt it as its .grad
        if new is not None:
            check_single_result(grad, new, fn)
            grad = new
    return grad


def call_node_hooks(hooks: dict, grads: tuple, *rest: Any) -> tuple:
    """Each node (pre-)hook in turn with ``(grads, *rest)``; a non-None result replaces
    ``grads`` for the next one (a pre-hook gets the node's grad_outputs, a hook its
    grad_inputs and grad_outputs). Like a tensor hook, a node hook may keep the gradients
    it sees, so none of them stays fresh (a leaf must not adopt one as its ``.grad``)."""
    for g in grads:
        if g is not None:
            g._fresh = False
    for fn in list(hooks.values()):
        new = fn(grads, *rest)
        if new is not None:
            grads = check_result(grads, new, fn)
    return grads


def run_tensor_hooks(node: Any, grad_outputs: list) -> None:
    """Before ``node`` runs: its outputs' tensor hooks (each may replace its gradient; an
    output with no gradient gets None, as in PyTorch), then ``retain_grad`` copies."""
    extra = node._extra
    if extra is None:
        return
    hooks = extra.tensor_hooks
    if hooks:
        for nr, fns in hooks.items():
            if nr < len(grad_outputs) and grad_outputs[nr] is not None:
                grad_outputs[nr] = call_tensor_hooks(fns, grad_outputs[nr])
            elif fns:  # PyTorch calls an output's hooks with None when only others have grads
                call_tensor_hooks(fns, None)
    retain = extra.retain
    if retain:
        for nr, ref in retain.items():
            t = ref()
            if t is None or (t.grad_fn is not node and _retained_by(t.grad_fn, t)):
                continue  # gone, or retain_grad moved to its node by an in-place op
            if nr < len(grad_outputs) and grad_outputs[nr] is not None:
                g = grad_outputs[nr]
                if t._grad is None:
                    t._grad = g if STATE.enabled else g.detach().clone()
                else:
                    t._grad = t._grad + g


def _retained_by(node: Any, t: Any) -> bool:
    extra = None if node is None else node._extra
    return extra is not None and bool(extra.retain) and any(r() is t for r in extra.retain.values())
