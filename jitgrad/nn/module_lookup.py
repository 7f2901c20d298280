"""``Module.get_submodule`` / ``get_parameter`` / ``get_buffer``: a dotted path
(``"encoder.layers.0.linear1.weight"``) resolved one attribute at a time, with PyTorch's
errors naming the first step that fails. Bound onto :class:`Module` by :func:`bind`."""

from __future__ import annotations

from .module import Module
from .parameter import Parameter


def get_submodule(self: Module, target: str) -> Module:
    """The submodule at ``target`` (``""``: the module itself)."""
    if target == "":
        return self
    mod = self
    for item in target.split("."):
        if not hasattr(mod, item):
            raise AttributeError(f"{type(mod).__name__} has no attribute `{item}`")
        mod = getattr(mod, item)
        if not isinstance(mod, Module):
            raise AttributeError(f"`{item}` is not an nn.Module")
    return mod


def _owner_and_name(self: Module, target: str) -> tuple[Module, str]:
    module_path, _, name = target.rpartition(".")
    mod = get_submodule(self, module_path)
    if not hasattr(mod, name):
        raise AttributeError(f"{type(mod).__name__} has no attribute `{name}`")
    return mod, name


def get_parameter(self: Module, target: str) -> Parameter:
    """The parameter at ``target``."""
    mod, name = _owner_and_name(self, target)
    param = getattr(mod, name)
    if not isinstance(param, Parameter):
        raise AttributeError(f"`{name}` is not an nn.Parameter")
    return param


def get_buffer(self: Module, target: str) -> object:
    """The buffer at ``target``."""
    mod, name = _owner_and_name(self, target)
    if name not in mod._buffers:
        raise AttributeError(f"`{name}` is not a buffer")
    return getattr(mod, name)


def bind() -> None:
    Module.get_submodule = get_submodule
    Module.get_parameter = get_parameter
    Module.get_buffer = get_buffer
