"""``torch.func.vmap``, by looping over the mapped dimension and stacking the results.

PyTorch batches each op instead; the loop gives the same values, nests, and composes with the
other transforms, at one ``func`` call per batch element (so ``chunk_size`` changes nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import random as R
from ..frontend.movement import stack
from ..frontend.recording import node_class
from ..frontend.tensor import Tensor, _make
from . import _pytree as P
from ._autodiff import check_randomness


def vmap(
    func: Callable,
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable:
    """``func`` mapped over dimension ``in_dims`` of its arguments, results stacked along
    ``out_dims`` (ints, None for an unmapped argument or output, or trees matching the
    arguments / outputs). Implemented as a Python loop over the batch: call ``func`` once per
    batch element and stack. Keyword arguments are passed unmapped.

    ``randomness``: ``"error"`` (default) raises if ``func`` draws random numbers,
    ``"same"`` gives every element the same draws, ``"different"`` independent ones.
    """
    check_randomness(randomness)
    name = getattr(func, "__name__", repr(func))

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        where = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
        leaves, spec = P.flatten(args)
        dims = _leaf_dims(in_dims, args, spec, where)
        size = _batch_size(leaves, dims, where)
        state = R.get_rng_state() if randomness != "different" else None
        outs = []
        for b in range(max(size, 1)):
            if randomness == "same":
                R.set_rng_state(state)
            sample = [
                x if d is None else (x.select(d, b) if size else _sample_zeros(x, d))
                for x, d in zip(leaves, dims, strict=True)
            ]
            outs.append(func(*P.unflatten(sample, spec), **kwargs))
            if randomness == "error" and not bool((R.get_rng_state() == state).all()):
                raise RuntimeError(
                    "vmap: called random operation while in randomness error mode. Please "
                    "either use the 'same' or 'different' randomness flags on vmap or perform "
                    "the randomness operation out of vmap"
                )
        return _stack_outputs(outs, out_dims, size, name)

    wrapper.__name__ = f"vmap({name})"
    wrapper.__doc__ = func.__doc__
    return wrapper


def _leaf_dims(in_dims: Any, args: tuple, spec: Any, where: str) -> list:
    """One mapped dimension (or None) per argument leaf, ``in_dims`` broadcast as a prefix."""
    if not (in_dims is None or isinstance(in_dims, int | tuple)):
        raise ValueError(
            f"{where}: expected `in_dims` to be int or a (potentially nested) tuple matching the "
            f"structure of inputs, got: {type(in_dims)}."
        )
    out: list = []
    if not _broadcast(in_dims, args, out):
        raise ValueError(
            f"{where}: in_dims is not compatible with the structure of `inputs`. in_dims has "
            f"structure {P.treespec_str(P.flatten(in_dims)[1])} but inputs has structure "
            f"{P.treespec_str(spec)}."
        )
    return out


def _broadcast(dims: Any, tree: Any, out: list) -> bool:
    if dims is None or isinstance(dims, int):
        out.extend([dims] * len(P.flatten(tree)[0]))
        return True
    if isinstance(dims, dict):
        if not isinstance(tree, dict) or list(dims) != list(tree):
            return False
        return all(_broadcast(dims[k], tree[k], out) for k in dims)
    if not isinstance(tree, type(dims)) or len(dims) != len(tree):
        return False
    return all(_broadcast(d, t, out) for d, t in zip(dims, tree, strict=True))


def _batch_size(leaves: list, dims: list, where: str) -> int:
    sizes = []
    for i, (x, d) in enumerate(zip(leaves, dims, strict=True)):
        if d is None:
            continue
        if not isinstance(x, Tensor):
            raise ValueError(
                f"{where}: Got in_dim={d} for an input but the input is of type {type(x)}. We "
                "cannot vmap over non-Tensor arguments, please use None as the respective in_dim"
            )
        n = x.dim()
        if not -n <= d < n:
            raise ValueError(
                f"{where}: Got in_dim={d} for some input, but that input is a Tensor of "
                f"dimensionality {n} so expected in_dim to satisfy -{n} <= in_dim < {n}."
            )
        dims[i] = d % n
        sizes.append(x.shape[d])
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if len(set(sizes)) > 1:
        raise ValueError(
            "vmap: Expected all tensors to have the same size in the mapped dimension, got "
            f"sizes {sizes} for the mapped dimension"
        )
    return sizes[0]


def _sample_zeros(x: Tensor, d: int) -> Tensor:
    """A stand-in element of an empty batch: ``func`` runs once to learn the output shapes."""
    shape = tuple(s for i, s in enumerate(x.shape) if i != d)
    return _make(np.zeros(shape, x._dtype.np), x._dtype)


def _named_as(stacked: Tensor, piece: Tensor) -> Tensor:
    """PyTorch's vmap runs each op once on the whole batch, so a result's node is the kind the
    per-sample result has (``ReluBackward0``), not the stack that collects the samples here;
    the stack's node takes that name (its backward is unchanged)."""
    node, inner = stacked.grad_fn, piece.grad_fn
    if node is not None and inner is not None:
        node.__class__ = node_class(inner.name(), type(node))
    return stacked


def _stack_outputs(outs: list, out_dims: Any, size: int, name: str) -> Any:
    first, spec = P.flatten(outs[0])
    per_leaf: list = []
    if not _broadcast(out_dims, outs[0], per_leaf):
        raise ValueError(
            f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with "
            f"the structure of `outputs`. out_dims has structure "
            f"{P.treespec_str(P.flatten(out_dims)[1])} but outputs has structure "
            f"{P.treespec_str(spec)}."
        )
    columns = [P.flatten(o)[0] for o in outs]
    result = []
    for j, (leaf, d) in enumerate(zip(first, per_leaf, strict=True)):
        if d is None:
            result.append(leaf)
            continue
        if not isinstance(leaf, Tensor):
            raise ValueError(
                f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(leaf)}. "
                "Did you mean to set out_dims= to None for output?"
            )
        pieces = [col[j] for col in columns]
        stacked = _named_as(stack(pieces, dim=d), pieces[0])
        result.append(stacked if size else stacked.narrow(d % stacked.dim(), 0, 0))
    return P.unflatten(result, spec)
