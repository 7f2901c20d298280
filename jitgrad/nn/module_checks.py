"""PyTorch's refusals when a module registers a parameter, buffer or sub-module, with its
words: names that are not strings, contain a dot or are empty, names already taken by another
kind of attribute, and values of the wrong type. ``nn.Module``'s ``register_*``/``add_module``
and ``__setattr__`` call these before they store anything."""

from __future__ import annotations

from typing import Any

from ..frontend.tensor import Tensor


def typename(obj: Any) -> str:
    """``torch.typename``: a tensor's type string, else the qualified name of ``obj``'s class
    (a builtin's bare name)."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = obj if isinstance(obj, type) else type(obj)
    module = cls.__module__ or ""
    return cls.__qualname__ if module in ("", "builtins") else f"{module}.{cls.__qualname__}"


def check_name(module: Any, kind: str, table: str, name: Any) -> None:
    """The checks ``register_parameter`` and ``register_buffer`` share, in PyTorch's order."""
    if table not in module.__dict__:
        raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {typename(name)}")
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain "."')
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if hasattr(module, name) and name not in module.__dict__[table]:
        raise KeyError(f"attribute '{name}' already exists")


def check_parameter(module: Any, name: Any, param: Any, parameter_type: type) -> None:
    check_name(module, "parameter", "_parameters", name)
    if param is None:
        return
    if not isinstance(param, parameter_type):
        raise TypeError(
            f"cannot assign '{typename(param)}' object to parameter '{name}' "
            "(torch.nn.Parameter or None required)"
        )
    if param.grad_fn is not None:
        raise ValueError(
            f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
            f"created explicitly. To express '{name}' as a function of another Tensor, compute "
            "the value in the forward() method."
        )


def check_buffer(module: Any, name: Any, tensor: Any) -> None:
    check_name(module, "buffer", "_buffers", name)
    if tensor is not None and not isinstance(tensor, Tensor):
        raise TypeError(
            f"cannot assign '{typename(tensor)}' object to buffer '{name}' "
            "(torch Tensor or None required)"
        )


def check_module(module: Any, name: Any, sub: Any, module_type: type) -> None:
    if sub is not None and not isinstance(sub, module_type):
        raise TypeError(f"{typename(sub)} is not a Module subclass")
    if not isinstance(name, str):
        raise TypeError(f"module name should be a string. Got {typename(name)}")
    if hasattr(module, name) and name not in module._modules:
        raise KeyError(f"attribute '{name}' already exists")
    if "." in name:
        raise KeyError(f'module name can\'t contain ".", got: {name}')
    if name == "":
        raise KeyError('module name can\'t be empty string ""')


def check_assignment(name: str, value: Any, kind: str, expected: str, ok: type) -> None:
    """``module.<name> = value`` where ``name`` is a registered buffer or child module."""
    if value is not None and not isinstance(value, ok):
        raise TypeError(
            f"cannot assign '{typename(value)}' as {kind} '{name}' ({expected} or None expected)"
        )
