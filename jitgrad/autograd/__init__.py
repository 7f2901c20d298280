"""``jitgrad.autograd``: backward, grad, grad mode, and (in submodules) Function, gradcheck."""

from __future__ import annotations

from ..engine.grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled
from ..engine.sweep import _anomaly
from ..helpers import missing_attribute
from . import anomaly_mode, functional, grad_mode, graph  # noqa: F401 - torch.autograd.<module>
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .api import backward, grad
from .function import Function, FunctionCtx, once_differentiable
from .gradcheck import GradcheckError, gradcheck, gradgradcheck


def Variable(t, requires_grad: bool = False):  # noqa: N802 - old PyTorch API
    """Old tutorials' ``Variable(t)``: a new leaf sharing ``t``'s data (``t`` itself is left
    as it was), requiring grad if asked, as in PyTorch."""
    leaf = t.detach()
    if requires_grad:
        leaf.requires_grad_(True)
    return leaf


def is_anomaly_enabled() -> bool:
    return _anomaly.enabled


__all__ = [
    "backward",
    "grad",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "Variable",
    "set_detect_anomaly",
    "detect_anomaly",
    "is_anomaly_enabled",
    "Function",
    "FunctionCtx",
    "once_differentiable",
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "functional",
    "graph",
]

#: ``jitgrad.autograd.<name>`` for a PyTorch name jitgrad lacks says so (AttributeError).
__getattr__ = missing_attribute("jitgrad.autograd")
del annotations, missing_attribute  # not PyTorch's names
