"""``nn.utils.stateless.functional_call``: call a module with some of its parameters and
buffers replaced by given tensors, for that call only.

The replacements are swapped into the owning submodules' ``_parameters``/``_buffers`` tables
(keys that name neither become plain attributes), the module runs, and everything is put back
even if it raises. With ``tie_weights`` a replaced tensor also replaces every other name the
same Parameter is registered under. As in PyTorch 2.13 this entry point warns that
``torch.func.functional_call`` is the one to use.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ...tensor import Tensor
from ..module import Module


def _owner(module: Module, name: str) -> tuple[Module, str]:
    *path, leaf = name.split(".")
    for part in path:
        module = getattr(module, part)
    return module, leaf


def _all_names(module: Module, kind: str) -> dict[str, Tensor]:
    """Every ``dotted.name -> tensor`` of ``kind``, tied duplicates included."""
    out: dict[str, Tensor] = {}

    def walk(m: Module, prefix: str) -> None:
        for n, t in getattr(m, kind).items():
            if t is not None:
                out[prefix + n] = t
        for n, sub in m._modules.items():
            if sub is not None:
                walk(sub, prefix + n + ".")

    walk(module, "")
    return out


@contextmanager
def _reparametrize_module(
    module: Module,
    tensors: dict[str, Tensor],
    tie_weights: bool = False,
    strict: bool = False,
) -> Iterator[None]:
    """Inside the block ``module``'s named tensors are the given ones."""
    known = {**_all_names(module, "_parameters"), **_all_names(module, "_buffers")}
    if strict:
        missing = sorted(set(known) - set(tensors))
        unexpected = sorted(set(tensors) - set(known))
        msgs = []
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            raise RuntimeError(
                f"Error(s) in reparametrizing for {module._get_name()}:\n\t" + "\n\t".join(msgs)
            )
    wanted = dict(tensors)
    if tie_weights:
        for name, value in tensors.items():
            if name in known:
                for other, t in known.items():
                    if t is known[name] and other not in tensors:
                        wanted[other] = value
    saved: list[tuple[Module, str, str | None, Any]] = []
    try:
        for name, value in wanted.items():
            owner, leaf = _owner(module, name)
            table = next(
                (k for k in ("_parameters", "_buffers") if leaf in getattr(owner, k)), None
            )
            if table is None:
                saved.append((owner, leaf, None, owner.__dict__.get(leaf, _ABSENT)))
                object.__setattr__(owner, leaf, value)
            else:
                saved.append((owner, leaf, table, getattr(owner, table)[leaf]))
                getattr(owner, table)[leaf] = value
        yield
    finally:
        for owner, leaf, table, old in reversed(saved):
            if table is not None:
                getattr(owner, table)[leaf] = old
            elif old is _ABSENT:
                owner.__dict__.pop(leaf, None)
            else:
                object.__setattr__(owner, leaf, old)


_ABSENT = object()


def functional_call(
    module: Module,
    parameters_and_buffers: dict[str, Tensor],
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """``module(*args, **kwargs)`` with ``parameters_and_buffers`` in place of its own."""
    warnings.warn(
        "`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will "
        "be removed in a future version of PyTorch. Please use `torch.func.functional_call` "
        "instead which is a drop-in replacement.",
        FutureWarning,
        stacklevel=2,
    )
    # a dict only (``torch.func.functional_call`` also takes a tuple of dicts; this one, as in
    # PyTorch, fails on ``.keys()``)
    tensors = {k: parameters_and_buffers[k] for k in parameters_and_buffers.keys()}  # noqa: SIM118
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, tensors, tie_weights, strict):
        return module(*args, **(kwargs or {}))


__all__ = ["functional_call"]
