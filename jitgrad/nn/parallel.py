"""``torch.nn.parallel``: ``DataParallel`` on one device.

PyTorch splits a batch over its visible GPUs; with none it runs the module as it is, which
is what jitgrad does (one device). Wrapping keeps what programs rely on: the ``module``
attribute and the ``module.`` prefix of the state dict keys.
"""

from __future__ import annotations

from typing import Any

from ..helpers import missing_attribute
from .module import Module


class DataParallel(Module):
    """``DataParallel(module, device_ids=None, output_device=None, dim=0)``."""

    def __init__(
        self, module: Module, device_ids: Any = None, output_device: Any = None, dim: int = 0
    ) -> None:
        super().__init__()
        self.module = module
        self.device_ids = [] if device_ids is None else list(device_ids)
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


class DistributedDataParallel(Module):
    """``DistributedDataParallel(module, ...)`` needs a process group, and jitgrad has none
    (``torch.distributed.is_initialized()`` is False): PyTorch's error in that case. Defined
    so that training scripts which import it and pick the single-process path run."""

    def __init__(self, module: Module, *args: Any, **kwargs: Any) -> None:
        raise ValueError(
            "Default process group has not been initialized, please make sure to call "
            "init_process_group."
        )


#: ``jitgrad.nn.parallel.<name>`` for a PyTorch name jitgrad lacks says so (AttributeError).
__getattr__ = missing_attribute("jitgrad.nn.parallel")
