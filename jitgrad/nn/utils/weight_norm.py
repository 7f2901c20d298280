"""``nn.utils.weight_norm`` / ``remove_weight_norm``: the classic reparametrisation
``w = g * v / ||v||`` (Salimans & Kingma), the norm taken over every dim except ``dim``.

As PyTorch does, the parameter ``name`` is replaced by ``name_g`` and ``name_v`` (registered in
that order, after the module's other parameters) and a forward pre-hook recomputes ``name``
as a plain attribute before each call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...engine.grad_mode import no_grad
from ...frontend.tensor import Tensor
from ..module import Module
from ..parameter import Parameter


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:  # noqa: A002
    """``||v||`` over all dims but ``dim`` (kept with size 1 elsewhere); ``dim=-1``: all dims."""
    if dim == -1:
        return v.norm(pow)
    dim = dim % v.dim()
    moved = v.transpose(0, dim) if dim else v
    norms = moved.contiguous().reshape(moved.shape[0], -1).norm(pow, dim=1)
    shape = [1] * v.dim()
    shape[dim] = v.shape[dim]
    return norms.reshape(shape)


class WeightNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_g``, ``<name>_v``."""

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module: Module) -> Tensor:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return v * (g / norm_except_dim(v, 2, self.dim))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrise ``module.<name>`` by magnitude ``<name>_g`` and direction ``<name>_v``."""
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, WeightNorm) and hook.name == name:
            raise RuntimeError(
                f"Cannot register two weight_norm hooks on the same parameter {name}"
            )
    fn = WeightNorm(name, dim)
    weight = getattr(module, name)
    del module._parameters[name]
    with no_grad():
        g = norm_except_dim(weight, 2, fn.dim).detach().clone()
    module.register_parameter(name + "_g", Parameter(g))
    module.register_parameter(name + "_v", Parameter(weight.detach().clone()))
    setattr(module, name, fn.compute_weight(module))
    module.register_forward_pre_hook(fn)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Undo :func:`weight_norm`: ``<name>`` becomes an ordinary parameter again."""
    return undo_hook_reparametrization(
        "weight_norm", module, name, WeightNorm,
        lambda hook: hook.compute_weight(module).detach().clone(), ("_g", "_v"), (),
    )  # fmt: skip


def undo_hook_reparametrization(
    label: str,
    module: Module,
    name: str,
    hook_type: type,
    final_weight: Callable[[Any], Tensor],
    params: tuple[str, ...],
    buffers: tuple[str, ...],
) -> Module:
    """Undo a forward-pre-hook reparametrization of ``module.<name>`` (``label``: weight_norm,
    spectral_norm): ``final_weight(hook)`` becomes an ordinary parameter again, and the hook
    and its ``<name><suffix>`` parameters and buffers go."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, hook_type) and hook.name == name:
            with no_grad():
                weight = final_weight(hook)
            delattr(module, name)
            for suffix in params:
                del module._parameters[name + suffix]
            for suffix in buffers:
                del module._buffers[name + suffix]
            module.register_parameter(name, Parameter(weight))
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"{label} of '{name}' not found in {module}")


__all__ = ["remove_weight_norm", "weight_norm"]
