"""Collation: turning a list of samples into a batch (``default_collate``) and converting a
single sample's numpy arrays to tensors (``default_convert``), with PyTorch's type rules:
tensors are stacked, Python floats become float64 tensors, ints int64, strings stay a list,
dicts/namedtuples/lists are collated field by field and tuples become lists."""

from __future__ import annotations

import collections.abc as abc
import copy
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ... import dtypes as D
from ...frontend.creation import as_tensor, tensor
from ...frontend.movement import stack
from ...frontend.tensor import Tensor

#: numpy dtype codes of strings and objects, which cannot become tensors
_STR_OR_OBJECT = re.compile(r"[SaUO]")

ERR_FORMAT = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)

CollateMap = dict[Any, Callable[..., Any]]


def _rebuild(template: Any, items: list, fallback: Callable[[], Any]) -> Any:
    """A container like ``template`` holding ``items`` (its own type where it allows that)."""
    try:
        if isinstance(template, abc.MutableMapping | abc.MutableSequence):
            clone = copy.copy(template)
            if isinstance(template, abc.MutableMapping):
                clone.update(items)
            else:
                for i, v in enumerate(items):
                    clone[i] = v
            return clone
        return type(template)(dict(items) if isinstance(template, abc.Mapping) else items)
    except TypeError:  # e.g. range, or a mapping without copy()/update()
        return fallback()


def default_convert(data: Any) -> Any:
    """``data`` with every numpy array (or numpy scalar) inside turned into a tensor."""
    if isinstance(data, Tensor):
        return data
    if type(data).__module__ == "numpy" and not isinstance(data, np.str_ | np.bytes_):
        if isinstance(data, np.ndarray) and _STR_OR_OBJECT.search(data.dtype.str):
            return data
        return as_tensor(data)
    if isinstance(data, abc.Mapping):
        pairs = [(k, default_convert(data[k])) for k in data]
        return _rebuild(data, pairs, lambda: dict(pairs))
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, abc.Sequence) and not isinstance(data, str | bytes):
        items = [default_convert(d) for d in data]
        return _rebuild(data, items, lambda: items)
    return data


def collate(batch: Sequence, *, collate_fn_map: CollateMap | None = None) -> Any:
    """Collate ``batch`` by the type of its first element: an exact entry of
    ``collate_fn_map``, else its first superclass entry, else by container kind."""
    elem = batch[0]
    if collate_fn_map is not None:
        fn = collate_fn_map.get(type(elem))
        if fn is None:
            fn = next((f for t, f in collate_fn_map.items() if isinstance(elem, t)), None)
        if fn is not None:
            return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, abc.Mapping):
        pairs = [(k, collate([d[k] for d in batch], collate_fn_map=collate_fn_map)) for k in elem]
        return _rebuild(elem, pairs, lambda: dict(pairs))
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        # each column is zip's tuple, as PyTorch passes it on: a column of strings stays a tuple
        columns = [collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns  # PyTorch returns a list for tuples (backward compatibility)
        return _rebuild(elem, columns, lambda: columns)
    raise TypeError(ERR_FORMAT.format(type(elem)))


def collate_tensor_fn(batch: list, *, collate_fn_map: CollateMap | None = None) -> Tensor:
    return stack(batch, 0)


def collate_numpy_array_fn(batch: list, *, collate_fn_map: CollateMap | None = None) -> Any:
    if _STR_OR_OBJECT.search(batch[0].dtype.str):
        raise TypeError(ERR_FORMAT.format(batch[0].dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch: list, *, collate_fn_map: CollateMap | None = None) -> Tensor:
    return as_tensor(np.array(batch))


def collate_float_fn(batch: list, *, collate_fn_map: CollateMap | None = None) -> Tensor:
    return tensor(batch, dtype=D.float64)


def collate_int_fn(batch: list, *, collate_fn_map: CollateMap | None = None) -> Tensor:
    return tensor(batch)


def collate_str_fn(batch: list, *, collate_fn_map: CollateMap | None = None) -> list:
    return batch


#: Element type -> collate function; extend it to teach ``default_collate`` a new type.
default_collate_fn_map: CollateMap = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch: list) -> Any:
    """Stack a list of samples into a batch (the DataLoader's default ``collate_fn``).

    >>> default_collate([(1, 2.0), (3, 4.0)])
    [tensor([1, 3]), tensor([2., 4.], dtype=jitgrad.float64)]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
