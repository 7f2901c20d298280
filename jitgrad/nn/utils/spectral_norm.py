"""``nn.utils.spectral_norm`` / ``remove_spectral_norm``: the hook API (older than
``parametrizations.spectral_norm``). As PyTorch does, ``<name>`` is replaced by the parameter
``<name>_orig`` and the buffers ``<name>_u``, ``<name>_v``; a forward pre-hook recomputes
``<name> = <name>_orig / sigma`` as a plain attribute, running ``n_power_iterations`` power
iteration steps (``v`` then ``u``) first in training mode."""

from __future__ import annotations

from typing import Any

from ...engine.grad_mode import no_grad
from ...frontend.sampling import randn
from ...frontend.tensor import Tensor
from .._functional_activation import normalize
from ..conv import ConvTranspose2d
from ..module import Module
from .parametrizations import weight_matrix
from .weight_norm import undo_hook_reparametrization


class SpectralNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_orig``."""

    def __init__(self, name: str, n_power_iterations: int, dim: int, eps: float) -> None:
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.name = name
        self.n_power_iterations = n_power_iterations
        self.dim = dim
        self.eps = eps

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        w = weight_matrix(weight, self.dim)
        if do_power_iteration:
            with no_grad():
                for _ in range(self.n_power_iterations):
                    v.copy_(normalize(w.mT.mv(u), dim=0, eps=self.eps))
                    u.copy_(normalize(w.mv(v), dim=0, eps=self.eps))
            u, v = u.clone(), v.clone()
        return weight / u.dot(w.mv(v))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module, module.training))


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    """Rescale ``module.<name>`` by its largest singular value before every forward."""
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            raise RuntimeError(
                f"Cannot register two spectral_norm hooks on the same parameter {name}"
            )
    if dim is None:
        dim = 1 if isinstance(module, ConvTranspose2d) else 0
    fn = SpectralNorm(name, n_power_iterations, dim, eps)
    weight = module._parameters[name]
    with no_grad():
        h, w = weight_matrix(weight, dim).shape
        u = normalize(randn(h, dtype=weight.dtype), dim=0, eps=eps)
        v = normalize(randn(w, dtype=weight.dtype), dim=0, eps=eps)
    del module._parameters[name]
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, weight.detach())
    module.register_buffer(name + "_u", u)
    module.register_buffer(name + "_v", v)
    module.register_forward_pre_hook(fn)
    return module


def remove_spectral_norm(module: Module, name: str = "weight") -> Module:
    """Undo :func:`spectral_norm`: ``<name>`` becomes an ordinary parameter again."""
    return undo_hook_reparametrization(
        "spectral_norm", module, name, SpectralNorm,
        lambda hook: hook.compute_weight(module, False).detach(), ("_orig",), ("_u", "_v"),
    )  # fmt: skip


__all__ = ["SpectralNorm", "remove_spectral_norm", "spectral_norm"]
