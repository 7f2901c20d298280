"""``nn.utils``: gradient clipping and parameter/vector conversion (PyTorch's semantics)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...engine.grad_mode import no_grad
from ...frontend.creation import tensor
from ...frontend.functions import clamp
from ...frontend.movement import cat, stack
from ...frontend.reduce import norm
from ...frontend.tensor import Tensor
from ...helpers import missing_attribute
from . import stateless  # noqa: F401 - nn.utils.stateless.functional_call

_Params = Tensor | Iterable[Tensor]


def _grads(parameters: _Params) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad for p in params if p.grad is not None]


def get_total_norm(
    tensors: _Params,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The ``norm_type`` norm of the per-tensor norms (the norm of all elements together)."""
    ts = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not ts:
        return tensor(0.0)
    with no_grad():
        total = norm(stack([norm(t, norm_type) for t in ts]), norm_type)
    if error_if_nonfinite and not bool(total.isfinite()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return total


def clip_grads_with_norm_(
    parameters: _Params, max_norm: float, total_norm: Tensor, foreach: bool | None = None
) -> None:
    """Scale the gradients by ``min(1, max_norm / (total_norm + 1e-6))``."""
    _scale_grads_(_grads(parameters), max_norm, total_norm)


def _scale_grads_(grads: list[Tensor], max_norm: float, total_norm: Tensor) -> None:
    """The gradients ``grads`` times ``min(1, max_norm / (total_norm + 1e-6))``, in place
    (also what a captured ``clip_grad_norm_`` runs on its gradients, :mod:`jitgrad.capture`)."""
    if not grads:
        return
    with no_grad():
        coef = clamp(float(max_norm) / (total_norm + 1e-6), max=1.0)
        for g in grads:
            g.mul_(coef)


def clip_grad_norm_(
    parameters: _Params,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Rescale the gradients so that their total norm is at most ``max_norm``; returns the
    total norm before clipping."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    total = get_total_norm(_grads(params), norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total, foreach)
    return total


def clip_grad_value_(parameters: _Params, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient to ``[-clip_value, clip_value]`` in place."""
    clip_value = float(clip_value)
    with no_grad():
        for g in _grads(parameters):
            g.clamp_(min=-clip_value, max=clip_value)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened into one vector."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Any]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters' data."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for p in parameters:
        n = p.numel()
        p.data = vec[pointer : pointer + n].view_as(p).data
        pointer += n


__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
    "parameters_to_vector",
    "vector_to_parameters",
]

from . import rnn  # noqa: E402  (nnmore: nn.utils.rnn)
from .weight_norm import remove_weight_norm, weight_norm  # noqa: E402

__all__ += ["remove_weight_norm", "rnn", "weight_norm"]

# apinn: parametrizations, spectral norm, pruning, skip_init.
from . import fusion, parametrizations, parametrize  # noqa: E402  (PyTorch loads no prune)
from .fusion import (  # noqa: E402
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)
from .init import skip_init  # noqa: E402
from .spectral_norm import remove_spectral_norm, spectral_norm  # noqa: E402

__all__ += [
    "fuse_conv_bn_eval",
    "fuse_conv_bn_weights",
    "fuse_linear_bn_eval",
    "fuse_linear_bn_weights",
    "fusion",
    "parametrizations",
    "parametrize",
    "remove_spectral_norm",
    "skip_init",
    "spectral_norm",
]

#: ``jitgrad.nn.utils.<name>`` for a PyTorch name jitgrad lacks says so (AttributeError).
__getattr__ = missing_attribute("jitgrad.nn.utils", unloaded=frozenset({"prune"}))
del annotations, missing_attribute  # not PyTorch's names
