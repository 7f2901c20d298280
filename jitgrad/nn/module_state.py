"""``Module.state_dict`` and ``load_state_dict``'s work: PyTorch's per-module recursion with
its pre and post hooks and ``get_extra_state``/``set_extra_state``; copying (or assigning)
the checkpoint's tensors, and PyTorch's error report for missing, unexpected and mis-sized
keys.

Separate from :mod:`jitgrad.nn.module` to keep that class about registration and traversal;
these functions only read a module through its public traversal (``state_dict``,
``modules``) and its ``_modules`` table.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict, namedtuple
from collections.abc import Iterator, Mapping
from typing import Any

from ..engine.grad_mode import no_grad
from ..frontend.tensor import Tensor
from .parameter import Parameter


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _hooks(m: Any, kind: str) -> list:
    return list(m.__dict__.get(kind, {}).values())


_NEVER = (
    "Reached a code path in Module.{}() that should never be called. Please file an issue at "
    "https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml to report this bug."
)


def get_extra_state(self: Any) -> Any:
    """``Module.get_extra_state``: a subclass overrides it to add ``_extra_state`` to its
    state_dict; the base one is never called (state_dict checks for an override)."""
    raise RuntimeError(_NEVER.format("get_extra_state"))


def set_extra_state(self: Any, state: Any) -> None:
    """``Module.set_extra_state``: receives the ``_extra_state`` entry on load."""
    raise RuntimeError(_NEVER.format("set_extra_state"))


_BASE = {"get_extra_state": get_extra_state, "set_extra_state": set_extra_state}


def has_extra_state(m: Any, method: str) -> bool:
    """Whether ``m``'s class overrides ``get_extra_state``/``set_extra_state``."""
    return getattr(type(m), method, _BASE[method]) is not _BASE[method]


def _own(m: Any) -> Iterator[tuple[str, Any]]:
    """A module's own parameters and persistent buffers (not its children's)."""
    skip = m.__dict__.get("_non_persistent", set())
    buffers = ((n, b) for n, b in m._buffers.items() if n not in skip)
    for name, t in itertools.chain(m._parameters.items(), buffers):
        if t is not None:
            yield name, t


def state_dict(m: Any, destination: dict, prefix: str, keep_vars: bool) -> dict:
    """PyTorch's recursion: pre hooks, the module's own tensors and extra state, each child
    under ``prefix + name + "."`` (a shared child under every name), then the post hooks (a
    public one must return None; a private one's result replaces the dict)."""
    local_metadata = {"version": m._version}
    if hasattr(destination, "_metadata"):
        destination._metadata[prefix[:-1]] = local_metadata
    for hook in _hooks(m, "_state_dict_pre_hooks"):
        hook(m, prefix, keep_vars)
    for name, t in _own(m):
        destination[prefix + name] = t if keep_vars else t.detach()
    if has_extra_state(m, "get_extra_state"):
        destination[prefix + "_extra_state"] = m.get_extra_state()
    for name, child in m._modules.items():
        if child is not None:
            child.state_dict(
                destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars
            )
    for hook in _hooks(m, "_state_dict_hooks"):
        result = hook(m, destination, prefix, local_metadata)
        if getattr(hook, "_from_public_api", False):
            if result is not None:
                raise RuntimeError("state_dict post-hook must return None")
        elif result is not None:
            destination = result
    return destination


def _walk(m: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every module with its key prefix, a shared one under each of its names."""
    yield prefix, m
    for name, child in m._modules.items():
        if child is not None:
            yield from _walk(child, prefix + name + ".")


def load_state_dict(module: Any, state_dict: dict, strict: bool, assign: bool) -> Any:
    """``module.load_state_dict(state_dict, strict, assign)`` (see there): each module's
    load pre hooks see (and may edit) a copy of ``state_dict`` first, with ``strict=True``
    and the version ``state_dict()`` recorded, as in PyTorch (whose inner loads are always
    strict: a missing extra state is reported even when the outer call is not)."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
    metadata = getattr(state_dict, "_metadata", None)
    state_dict = OrderedDict(state_dict)
    missing: list[str] = []
    unexpected: list[str] = []
    errors: list[str] = []
    extra: dict[str, Any] = {}
    for prefix, m in _walk(module):
        for hook in _hooks(m, "_load_state_dict_pre_hooks"):
            local = {} if metadata is None else metadata.get(prefix[:-1], {})
            hook(m, state_dict, prefix, local, True, missing, unexpected, errors)
        if has_extra_state(m, "set_extra_state"):
            extra[prefix + "_extra_state"] = m
    own = {prefix + name: t for prefix, m in _walk(module) for name, t in _own(m)}
    missing += [k for k in own if k not in state_dict]
    missing += [k for k in extra if k not in state_dict]
    unexpected += [k for k in state_dict if k not in own and k not in extra]
    errors += _copy_matching(module, own, state_dict, assign)
    for key, m in extra.items():
        if key in state_dict:
            m.set_extra_state(state_dict[key])
    keys = _IncompatibleKeys(missing, unexpected)
    for m in module.modules():
        for hook in _hooks(m, "_load_state_dict_post_hooks"):
            hook(m, keys)
    if strict:
        if unexpected:
            names = ", ".join(f'"{k}"' for k in unexpected)
            errors.insert(0, f"Unexpected key(s) in state_dict: {names}. ")
        if missing:
            names = ", ".join(f'"{k}"' for k in missing)
            errors.insert(0, f"Missing key(s) in state_dict: {names}. ")
    if errors:
        raise RuntimeError(
            f"Error(s) in loading state_dict for {type(module).__name__}:\n\t" + "\n\t".join(errors)
        )
    return keys


def _copy_matching(module: Any, own: dict, state_dict: dict, assign: bool) -> list[str]:
    """Load every entry of ``state_dict`` whose key and shape match ``own``; the size
    mismatch messages of the others."""
    errors = []
    with no_grad():
        for key, t in own.items():
            if key not in state_dict:
                continue
            src = state_dict[key]
            if tuple(src.shape) != tuple(t.shape):
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {src.shape} from "
                    f"checkpoint, the shape in current model is {t.shape}."
                )
            elif assign:  # the checkpoint's tensors themselves (a Parameter stays one)
                _assign(module, key, t, src)
            else:
                t.copy_(src)
    return errors


def _assign(module: Any, key: str, current: Tensor, src: Tensor) -> None:
    """``load_state_dict(assign=True)`` of one entry: ``src`` replaces the attribute,
    wrapped in a Parameter with the old one's ``requires_grad`` where that was one."""
    path, _, name = key.rpartition(".")
    owner = module
    for part in filter(None, path.split(".")):
        owner = owner._modules[part]
    if isinstance(current, Parameter) and not isinstance(src, Parameter):
        src = Parameter(src, requires_grad=current.requires_grad)
    setattr(owner, name, src)
