"""``torch.autograd.anomaly_mode``: the anomaly-detection switches, in the module PyTorch
defines them in, so their ``__module__`` and reprs read as PyTorch's
(``torch.autograd.anomaly_mode.set_detect_anomaly``)."""

from __future__ import annotations

from ..engine.sweep import _anomaly
from ..helpers import warn as warn_user


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


__all__ = ["detect_anomaly", "set_detect_anomaly"]
