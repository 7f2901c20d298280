"""``nn.utils.parametrize``: a tensor of a module computed from other tensors on every access.

As in PyTorch, registering a parametrization on ``module.<name>`` moves the original tensor to
``module.parametrizations[<name>].original`` (``original0``, ``original1``... when the
parametrization's ``right_inverse`` returns several), swaps the module's class for a subclass
``Parametrized<Class>`` that has a property ``<name>``, and keeps the very same Parameter object
(so an optimizer built before still updates it). Reading the property runs the chain of
parametrizations; assigning to it runs their ``right_inverse`` in reverse and stores the result
in the originals. ``cached()`` computes each parametrized tensor once inside its block.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ...engine.grad_mode import no_grad
from ...frontend.tensor import Tensor
from ..container import ModuleDict, ModuleList
from ..module import Module
from ..parameter import Parameter

_cache_enabled = 0
_cache: dict[tuple[int, str], Tensor] = {}


@contextmanager
def cached() -> Iterator[None]:
    """Inside the block each parametrized tensor is computed once, on first access."""
    global _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache.clear()


def _register(module: Module, name: str, value: Tensor) -> None:
    """A Parameter stays a parameter, anything else becomes a buffer (PyTorch's rule)."""
    if isinstance(value, Parameter):
        module.register_parameter(name, value)
    else:
        module.register_buffer(name, value)


def _store(original: Tensor, new: Tensor) -> None:
    """Make ``original`` hold ``new``'s values, in place (the object itself is kept)."""
    with no_grad():
        if tuple(original.shape) == tuple(new.shape):
            original.copy_(new)
        else:
            original.data = new.detach().clone()


class ParametrizationList(ModuleList):
    """The chain of parametrizations of one tensor and the original tensor(s) they read."""

    def __init__(self, modules: list[Module], original: Tensor, unsafe: bool = False) -> None:
        super().__init__(modules)
        self.unsafe = unsafe
        with no_grad():
            new: Any = original
            for m in reversed(self):
                if hasattr(m, "right_inverse"):
                    new = m.right_inverse(new)
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if not unsafe and new.dtype != original.dtype:
                raise ValueError(
                    "When `right_inverse` outputs one tensor, it may not change the dtype.\n"
                    f"original.dtype: {original.dtype}\nright_inverse(original).dtype: "
                    f"{new.dtype}"
                )
            _store(original, new)
            _register(self, "original", original)
        else:
            for i, t in enumerate(new):
                if not isinstance(t, Tensor):
                    raise ValueError(
                        "'right_inverse' must return a Tensor or a Sequence of tensors "
                        f"(list, tuple...). Got element {i} of the sequence with type "
                        f"{type(t).__name__}."
                    )
                t = t.detach().clone()
                if original.requires_grad:
                    t = Parameter(t, original.requires_grad)
                _register(self, f"original{i}", t)

    def originals(self) -> list[Tensor]:
        if self.is_tensor:
            return [self.original]
        return [getattr(self, f"original{i}") for i in range(self.ntensors)]

    def right_inverse(self, value: Tensor) -> None:
        """Store ``value`` by running every ``right_inverse`` in reverse order."""
        with no_grad():
            for m in reversed(self):
                if hasattr(m, "right_inverse"):
                    value = m.right_inverse(value)
                elif not self.unsafe:
                    raise RuntimeError(
                        f"parametrization {type(m).__name__} does not implement right_inverse."
                    )
            if self.is_tensor:
                _store(self.original, value)
            else:
                for orig, new in zip(self.originals(), value, strict=True):
                    _store(orig, new)

    def forward(self) -> Tensor:
        x = self[0](*self.originals())
        for m in list(self)[1:]:
            x = m(x)
        return x


def _parametrized(module: Module, name: str) -> Tensor:
    chain = module.parametrizations[name]
    if not _cache_enabled:
        return chain()
    key = (id(module), name)
    if key not in _cache:
        _cache[key] = chain()
    return _cache[key]


def _inject(module: Module, name: str) -> None:
    """Give ``module`` (swapped to ``Parametrized<Class>`` once) a property ``name``."""
    cls = type(module)
    if not getattr(cls, "_is_parametrized_class", False):
        cls = type(f"Parametrized{cls.__name__}", (cls,), {"_is_parametrized_class": True})
        module.__class__ = cls

    def get(self: Module) -> Tensor:
        return _parametrized(self, name)

    def set_(self: Module, value: Tensor) -> None:
        self.parametrizations[name].right_inverse(value)

    setattr(cls, name, property(get, set_))


def _check_unchanged(y: Tensor, x: Tensor) -> None:
    """A safe parametrization keeps its tensor's dtype and shape (PyTorch's ValueError)."""
    if x.dtype != y.dtype or tuple(x.shape) != tuple(y.shape):
        raise ValueError(
            "Registering a parametrization may not change the shape or the dtype of the "
            f"tensor, unless the parametrization is unsafe.\nunparametrized dtype: "
            f"{y.dtype}\nparametrized dtype: {x.dtype}\nunparametrized shape: "
            f"{tuple(y.shape)}\nparametrized shape: {tuple(x.shape)}"
        )


def register_parametrization(
    module: Module, tensor_name: str, parametrization: Module, *, unsafe: bool = False
) -> Module:
    """``module.<tensor_name>`` becomes ``parametrization(original)`` (chained after earlier
    parametrizations of the same tensor)."""
    if is_parametrized(module, tensor_name):
        chain = module.parametrizations[tensor_name]
        if not unsafe:
            y = getattr(module, tensor_name)
            x = parametrization(y)
            if not isinstance(x, Tensor):
                raise ValueError(
                    f"A parametrization must return a tensor. Got {type(x).__name__}."
                )
            _check_unchanged(y, x)
        chain.append(parametrization)
        return module
    table = (
        module._parameters
        if tensor_name in module._parameters
        else module._buffers
        if tensor_name in module._buffers
        else None
    )
    if table is None:
        raise ValueError(
            f"Module '{module}' does not have a parameter, a buffer, or a parametrized element "
            f"with name '{tensor_name}'"
        )
    original = table[tensor_name]
    chain = ParametrizationList([parametrization], original, unsafe=unsafe)
    del table[tensor_name]
    if not is_parametrized(module):
        module.parametrizations = ModuleDict()
    module.parametrizations[tensor_name] = chain
    _inject(module, tensor_name)
    if not unsafe:
        x = getattr(module, tensor_name)
        _check_unchanged(original, x)
    return module


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` (or its ``tensor_name``) has a parametrization."""
    chains = module.__dict__.get("_modules", {}).get("parametrizations")
    if not isinstance(chains, ModuleDict):
        return False
    return len(chains) > 0 if tensor_name is None else tensor_name in chains


def type_before_parametrizations(module: Module) -> type:
    cls = type(module)
    return cls.__bases__[0] if getattr(cls, "_is_parametrized_class", False) else cls


def remove_parametrizations(
    module: Module, tensor_name: str, leave_parametrized: bool = True
) -> Module:
    """Undo :func:`register_parametrization`: ``tensor_name`` becomes a plain parameter again,
    holding the parametrized value (``leave_parametrized``) or the original one."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    chain = module.parametrizations[tensor_name]
    if chain.is_tensor:
        original = chain.original
        if leave_parametrized:
            with no_grad():
                _store(original, getattr(module, tensor_name))
    else:
        if not leave_parametrized:
            raise ValueError(
                "Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
                "parametrized in terms of a sequence of tensors."
            )
        with no_grad():
            value = getattr(module, tensor_name).detach().clone()
        requires = any(t.requires_grad for t in chain.originals())
        original = Parameter(value, requires) if requires else value
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    _register(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = type_before_parametrizations(module)
    return module


__all__ = [
    "ParametrizationList",
    "cached",
    "is_parametrized",
    "register_parametrization",
    "remove_parametrizations",
    "type_before_parametrizations",
]
