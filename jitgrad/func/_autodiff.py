"""``torch.func``'s autodiff transforms over jitgrad's reverse-mode engine.

Each transform gives the differentiated arguments fresh differentiable aliases (a view of an
argument that requires grad, so an enclosing transform or ``backward`` still reaches it; a
hidden leaf otherwise, see :mod:`jitgrad.autograd.forward_ad`), runs ``func`` with grad mode
on, and takes ``autograd.grad`` with ``create_graph`` so that transforms nest to any order
(``grad(grad(f))``, ``jacfwd(jacrev(f))``). Forward mode (``jvp``, ``jacfwd``) is the
double-VJP identity ``J t = d/du <J^T u, t>``. When the outermost transform returns, results
whose graph reaches only its own aliases are detached, so they show ``requires_grad=False``
as PyTorch's do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..autograd import forward_ad as FWD
from ..autograd.functional import grads_of_used
from ..engine.dual_state import DUAL
from ..engine.grad_mode import enable_grad
from ..frontend.movement import stack
from ..frontend.tensor import Tensor, _make
from . import _pytree as P

_DEPTH = [0]  # transforms being evaluated (results are finished when it returns to 0)


def _zeros(t: Tensor) -> Tensor:
    return _make(np.zeros(t._value.shape, t._dtype.np), t._dtype)


def _alias(t: Any) -> Tensor:
    """A differentiable stand-in for an argument being differentiated."""
    if not isinstance(t, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(t)}")
    if t._requires_grad:
        return t.view(tuple(t.shape))
    return FWD.hidden_leaf(t.detach().requires_grad_())


@contextmanager
def _traced() -> Iterator[None]:
    """Grad mode on, and the aliases' hidden graphs count (``requires_grad`` is True inside
    a transform, as functorch's wrapped tensors say, so code that branches on it records)."""
    prev = DUAL.evaluating
    DUAL.evaluating = True
    try:
        with enable_grad():
            yield
    finally:
        DUAL.evaluating = prev


def _grads(outputs: list, inputs: list, grad_outputs: list) -> list:
    """``autograd.grad`` with ``create_graph``; outputs that reach nothing and unused inputs
    give zeros, as in functorch."""
    with _traced():  # our aliases require grad only internally
        got = grads_of_used(outputs, inputs, grad_outputs, create_graph=True)
    if got is None:
        return [_zeros(x) for x in inputs]
    return [_zeros(x) if g is None else g for g, x in zip(got, inputs, strict=True)]


def _finish(tree: Any) -> Any:
    """Outside every transform: detach results that only depend on the transforms' aliases."""
    if _DEPTH[0]:
        return tree
    return P.map_leaves(
        lambda t: (
            t.detach() if isinstance(t, Tensor) and t._requires_grad and not FWD.visible(t) else t
        ),
        tree,
    )


def _check_argnums(argnums: Any, n: int) -> tuple[int, ...]:
    items = argnums if isinstance(argnums, tuple) else (argnums,)
    if not all(isinstance(a, int) and not isinstance(a, bool) for a in items):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if not items:
        raise RuntimeError("argnums must be non-empty")
    for a in items:
        if not -n <= a < n:
            raise RuntimeError(f"Got argnum={a}, but only {n} positional inputs")
    return tuple(a % n for a in items)


def _differentiable_args(args: tuple, argnums: Any) -> tuple[tuple, Any]:
    """``args`` with the ``argnums`` ones replaced by aliases, and those aliases' tree (one
    argument's tree for an int ``argnums``, a tuple of them for a tuple)."""
    nums = _check_argnums(argnums, len(args))
    new = list(args)
    for i in dict.fromkeys(nums):
        new[i] = P.map_leaves(_alias, args[i])
    diff = tuple(new[i] for i in nums) if isinstance(argnums, tuple) else new[nums[0]]
    return tuple(new), diff


def _split_aux(output: Any, has_aux: bool, name: str) -> tuple[Any, Any]:
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(
            f"{name}(f)(*args): output of function f should be a tuple: (output, aux) if "
            "has_aux is True"
        )
    return output


def grad_and_value(func: Callable, argnums: int | tuple = 0, has_aux: bool = False) -> Callable:
    """``func``'s gradient with respect to ``args[argnums]`` and its value: ``(grad,
    value)``, or ``(grad, (value, aux))`` with ``has_aux``. ``func`` returns a scalar."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _DEPTH[0] += 1
        try:
            with _traced():
                new, diff = _differentiable_args(args, argnums)
                output, aux = _split_aux(func(*new, **kwargs), has_aux, "grad_and_value")
                if not isinstance(output, Tensor):
                    raise RuntimeError(
                        "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                        f"{type(output)}"
                    )
                if output.dim() != 0:
                    raise RuntimeError(
                        "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, "
                        f"got tensor with {output.dim()} dims. Maybe you wanted to use the vjp "
                        "or jacrev APIs instead?"
                    )
                leaves, spec = P.flatten(diff)
                grads = P.unflatten(_grads([output], leaves, [None]), spec)
        finally:
            _DEPTH[0] -= 1
        return _finish((grads, (output, aux)) if has_aux else (grads, output))

    return wrapper


def grad(func: Callable, argnums: int | tuple = 0, has_aux: bool = False) -> Callable:
    """The gradient of scalar-valued ``func`` with respect to ``args[argnums]`` (``(grad,
    aux)`` with ``has_aux``)."""
    inner = grad_and_value(func, argnums, has_aux)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        grads, value = inner(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads

    return wrapper


def _tensor_outputs(output: Any, name: str) -> tuple[list, Any]:
    leaves, spec = P.flatten(output)
    for t in leaves:
        if not isinstance(t, Tensor):
            raise RuntimeError(
                f"{name}: expected f(*primals) to return only tensors, got unsupported type "
                f"{type(t)}"
            )
    return leaves, spec


def vjp(func: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """``(func(*primals), vjp_fn)`` (and ``aux``); ``vjp_fn(cotangents)`` gives one gradient
    per primal, as a tuple. ``vjp_fn`` may be called many times."""
    _DEPTH[0] += 1
    try:
        with _traced():
            aliases = tuple(P.map_leaves(_alias, p) for p in primals)
            output, aux = _split_aux(func(*aliases), has_aux, "vjp")
            outs, out_spec = _tensor_outputs(output, "vjp(f, *primals)")
    finally:
        _DEPTH[0] -= 1
    inputs, in_spec = P.flatten(aliases)

    def vjp_fn(cotangents: Any) -> tuple:
        cts, ct_spec = P.flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {P.pprint(ct_spec)}, primal output: "
                f"{P.pprint(out_spec)}"
            )
        return _finish(P.unflatten(_grads(outs, inputs, cts), in_spec))

    result = (_finish(output), vjp_fn)
    return (*result, _finish(aux)) if has_aux else result


def _linearize(outs: list, inputs: list) -> Callable[[list], list]:
    """``tangents -> J tangents`` for outputs ``outs`` of ``inputs`` (double-VJP): one
    create-graph backward now, one backward per call."""
    us = [FWD.hidden_leaf(_zeros(o).requires_grad_()) for o in outs]
    vjps = _grads(outs, inputs, us)

    def apply(tangents: list) -> list:
        total = None
        for g, t in zip(vjps, tangents, strict=True):
            if t is not None and g._requires_grad:
                term = (g * t).sum()
                total = term if total is None else total + term
        if total is None:
            return [_zeros(o) for o in outs]
        return _grads([total], us, [None])

    return apply


def jvp(
    func: Callable, primals: Any, tangents: Any, *, strict: bool = False, has_aux: bool = False
) -> tuple:
    """``(func(*primals), J tangents)`` (and ``aux``): the forward-mode product."""
    if not isinstance(primals, tuple):
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be valid "
            "to call f(*primals)."
        )
    flat_p, p_spec = P.flatten(primals)
    flat_t, t_spec = P.flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals and tangents to have the same python "
            "structure. For example, if primals is a tuple of 3 tensors, tangents also must be. "
            f"Got primals with structure {P.treespec_str(p_spec)} and tangents with structure "
            f"{P.treespec_str(t_spec)}"
        )
    for p, t in zip(flat_p, flat_t, strict=True):
        if isinstance(p, Tensor) and isinstance(t, Tensor) and p.shape != t.shape:
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                f"original Tensor, this is not supported. Tensor is of size {list(p.shape)} "
                f"while the given forward gradient is of size {list(t.shape)}."
            )
    _DEPTH[0] += 1
    try:
        with _traced():
            aliases = [_alias(p) for p in flat_p]
            output, aux = _split_aux(func(*P.unflatten(aliases, p_spec)), has_aux, "jvp")
            outs, out_spec = _tensor_outputs(output, "jvp(f, primals, tangents)")
            tangent_out = P.unflatten(_linearize(outs, aliases)(flat_t), out_spec)
    finally:
        _DEPTH[0] -= 1
    result = (_finish(output), _finish(tangent_out))
    return (*result, _finish(aux)) if has_aux else result


def _jacobian(func: Callable, argnums: Any, has_aux: bool, forward: bool) -> Callable:
    """``jacrev``/``jacfwd``: rows by one backward per output element, or columns by one
    linearized product per input element. Leaves have shape ``out.shape + in.shape``."""
    name = "jacfwd" if forward else "jacrev"

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _DEPTH[0] += 1
        try:
            with _traced():
                new, diff = _differentiable_args(args, argnums)
                output, aux = _split_aux(func(*new, **kwargs), has_aux, name)
                outs, out_spec = _tensor_outputs(output, "vjp(f, *primals)")
                inputs, in_spec = P.flatten(diff)
                blocks = (_columns if forward else _rows)(outs, inputs)
                result = P.unflatten([P.unflatten(row, in_spec) for row in blocks], out_spec)
        finally:
            _DEPTH[0] -= 1
        return (_finish(result), _finish(aux)) if has_aux else _finish(result)

    return wrapper


def _basis(t: Tensor, k: int) -> Tensor:
    e = np.zeros(t._value.size, t._dtype.np)
    e[k] = 1
    return _make(e.reshape(t._value.shape), t._dtype)


def _stack(pieces: list, lead: tuple, trail: tuple, ref: Tensor) -> Tensor:
    return stack(pieces).reshape(lead + trail) if pieces else _empty(lead + trail, ref)


def _empty(shape: tuple, ref: Tensor) -> Tensor:
    return _make(np.zeros(shape, ref._dtype.np), ref._dtype)


def _rows(outs: list, inputs: list) -> list[list]:
    """Per output: per input, ``d out / d in`` by one backward per output element."""
    blocks = []
    for o in outs:
        rows: list[list] = [[] for _ in inputs]
        for k in range(o.numel()):
            for i, g in enumerate(_grads([o], inputs, [_basis(o, k)])):
                rows[i].append(g)
        blocks.append(
            [
                _stack(r, tuple(o.shape), tuple(x.shape), x)
                for r, x in zip(rows, inputs, strict=True)
            ]
        )
    return blocks


def _columns(outs: list, inputs: list) -> list[list]:
    """Per output: per input, ``d out / d in`` by one linearized product per input element."""
    apply = _linearize(outs, inputs)
    blocks: list[list] = [[None] * len(inputs) for _ in outs]
    for i, x in enumerate(inputs):
        cols: list[list] = [[] for _ in outs]
        for k in range(x.numel()):
            tangents = [_basis(x, k) if j == i else None for j in range(len(inputs))]
            for n, c in enumerate(apply(tangents)):
                cols[n].append(c)
        for n, o in enumerate(outs):
            lead, trail = tuple(x.shape), tuple(o.shape)
            col = _stack(cols[n], lead, trail, o)  # in.shape + out.shape: move the input last
            perm = tuple(range(len(lead), len(lead) + len(trail))) + tuple(range(len(lead)))
            blocks[n][i] = col.permute(perm) if perm else col
    return blocks


def jacrev(
    func: Callable, argnums: int | tuple = 0, *, has_aux: bool = False, chunk_size: Any = None
) -> Callable:
    """The Jacobian of ``func`` with respect to ``args[argnums]`` by reverse mode."""
    return _jacobian(func, argnums, has_aux, forward=False)


def jacfwd(
    func: Callable, argnums: int | tuple = 0, has_aux: bool = False, *, randomness: str = "error"
) -> Callable:
    """The Jacobian of ``func`` with respect to ``args[argnums]`` by forward mode."""
    check_randomness(randomness)
    return _jacobian(func, argnums, has_aux, forward=True)


def hessian(func: Callable, argnums: int | tuple = 0) -> Callable:
    """``jacfwd(jacrev(func, argnums), argnums)``, as PyTorch defines it."""
    return jacfwd(jacrev(func, argnums), argnums)


def check_randomness(randomness: Any) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. Got "
            f"{randomness}"
        )
