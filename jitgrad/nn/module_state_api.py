"""``Module``'s state-dict hook registration, extra state and ``set_submodule``, bound onto the
class by :func:`bind` (kept out of :mod:`jitgrad.nn.module`, which is about registration of
parameters and traversal; the hooks run in :mod:`jitgrad.nn.module_state`)."""

from __future__ import annotations

from collections.abc import Callable

from ..engine.sweep import RemovableHandle, add_hook
from . import module_state as S
from .module import Module


def register_state_dict_pre_hook(self: Module, hook: Callable) -> RemovableHandle:
    """``hook(module, prefix, keep_vars)`` before ``state_dict`` collects this module."""
    return add_hook(self.__dict__["_state_dict_pre_hooks"], hook)


def register_state_dict_post_hook(self: Module, hook: Callable) -> RemovableHandle:
    """``hook(module, state_dict, prefix, local_metadata)`` after this module and its
    children are collected; it may edit the dict in place and must return None."""
    hook._from_public_api = True  # type: ignore[attr-defined]
    return add_hook(self.__dict__["_state_dict_hooks"], hook)


def register_load_state_dict_pre_hook(self: Module, hook: Callable) -> RemovableHandle:
    """``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
    unexpected_keys, error_msgs)`` before ``load_state_dict`` loads this module."""
    return add_hook(self.__dict__["_load_state_dict_pre_hooks"], hook)


def set_submodule(self: Module, target: str, module: Module, strict: bool = False) -> None:
    """Replaces (or, unless ``strict``, adds) the submodule at dotted ``target``."""
    if target == "":
        raise ValueError("Cannot set the submodule without a target name!")
    atoms = target.split(".")
    if not isinstance(module, Module):
        raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
    parent = self if len(atoms) == 1 else self.get_submodule(".".join(atoms[:-1]))
    if strict and not hasattr(parent, atoms[-1]):
        raise AttributeError(parent._get_name() + " has no attribute `" + atoms[-1] + "`")
    if hasattr(parent, atoms[-1]) and not isinstance(getattr(parent, atoms[-1]), Module):
        raise AttributeError("`" + atoms[-1] + "` is not an nn.Module")
    setattr(parent, atoms[-1], module)


def bind() -> None:
    Module.register_state_dict_pre_hook = register_state_dict_pre_hook
    Module.register_state_dict_post_hook = register_state_dict_post_hook
    Module.register_load_state_dict_pre_hook = register_load_state_dict_pre_hook
    Module.get_extra_state = S.get_extra_state
    Module.set_extra_state = S.set_extra_state
    Module.set_submodule = set_submodule
