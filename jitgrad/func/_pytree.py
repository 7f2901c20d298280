"""The small pytree (nested tuple / list / dict of tensors) support ``torch.func`` needs.

A spec is ``None`` for a leaf or ``(type, keys, children)`` for a container; ``str(spec)``
prints PyTorch's ``TreeSpec(...)`` form and :func:`pprint` its ``(*, *)`` form, which the
transforms' error messages quote.
"""

from __future__ import annotations

from typing import Any

Spec = tuple | None


def flatten(tree: Any) -> tuple[list, Spec]:
    """The leaves of ``tree`` in order, and its structure."""
    leaves: list = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree: Any, leaves: list) -> Spec:
    if isinstance(tree, tuple | list) and not hasattr(tree, "_fields"):
        return (type(tree), None, [_flatten(t, leaves) for t in tree])
    if isinstance(tree, dict):
        return (type(tree), list(tree), [_flatten(v, leaves) for v in tree.values()])
    leaves.append(tree)
    return None


def unflatten(leaves: Any, spec: Spec) -> Any:
    """The tree of structure ``spec`` holding ``leaves`` (an iterable, consumed in order)."""
    return _unflatten(iter(leaves), spec)


def _unflatten(it: Any, spec: Spec) -> Any:
    if spec is None:
        return next(it)
    kind, keys, children = spec
    values = [_unflatten(it, c) for c in children]
    if keys is not None:
        return kind(zip(keys, values, strict=True))
    return kind(values)


def map_leaves(fn: Any, tree: Any) -> Any:
    leaves, spec = flatten(tree)
    return unflatten([fn(x) for x in leaves], spec)


def treespec_str(spec: Spec, indent: int = 0) -> str:
    """PyTorch's ``repr(TreeSpec)``: children after the first on their own lines."""
    if spec is None:
        return "*"
    kind, keys, children = spec
    context = "None" if keys is None else repr(keys)
    inner = [treespec_str(c, indent + 2) for c in children]
    sep = ",\n" + " " * (indent + 2)
    return f"TreeSpec({kind.__name__}, {context}, [{sep.join(inner)}])"


def pprint(spec: Spec) -> str:
    """PyTorch's ``treespec_pprint``: ``*`` per leaf, ``(*, *)``, ``[*]``, ``{'a': *}``."""
    if spec is None:
        return "*"
    kind, keys, children = spec
    inner = [pprint(c) for c in children]
    if keys is not None:
        return "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(keys, inner, strict=True)) + "}"
    if issubclass(kind, tuple):
        return "(" + ", ".join(inner) + ("," if len(inner) == 1 else "") + ")"
    return "[" + ", ".join(inner) + "]"
