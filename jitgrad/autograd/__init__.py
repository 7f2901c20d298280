"""``jitgrad.autograd``: backward, grad, grad mode, and (in submodules) Function, gradcheck."""

from __future__ import annotations

from ..engine.grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled
from ..engine.sweep import _anomaly
from ..helpers import missing_attribute
from ..helpers import warn as warn_user
from . import functional, grad_mode, graph  # noqa: F401 - torch.autograd.grad_mode, .graph
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


class set_detect_anomaly:  # noqa: N801
    """Turn anomaly detection on or off (function call or context manager).

    Process-wide, as in PyTorch ("as soon as there is one such guard, it is enabled for all
    computation and threads"), unlike grad mode, which is per thread.
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (_anomaly.enabled, _anomaly.check_nan)
        _anomaly.enabled = bool(mode)
        _anomaly.check_nan = bool(check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _anomaly.enabled, _anomaly.check_nan = self.prev


class detect_anomaly:  # noqa: N801
    """Context manager enabling anomaly detection: NaN gradients raise naming their node."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        warn_user(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )

    def __enter__(self) -> None:
        self.prev = (_anomaly.enabled, _anomaly.check_nan)
        _anomaly.enabled = True
        _anomaly.check_nan = self.check_nan

    def __exit__(self, *exc: object) -> None:
        _anomaly.enabled, _anomaly.check_nan = self.prev


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
