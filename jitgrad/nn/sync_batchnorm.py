"""``nn.SyncBatchNorm``: batch norm whose statistics PyTorch reduces over the processes of a
distributed group. jitgrad runs one process, where PyTorch's forward is the ordinary batch
norm over the local batch; ``convert_sync_batchnorm`` swaps the batch norm layers of a
model for it (same parameters and running statistics), as training scripts do."""

from __future__ import annotations

from typing import Any

from .batchnorm import _BatchNorm
from .module import Module


class SyncBatchNorm(_BatchNorm):
    """Batch norm over any input with a channel dimension 1 (at least 2-D)."""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        process_group: Any = None,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def _check_input_dim(self, input: Any) -> None:  # noqa: A002 - PyTorch's name
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """``module`` with each batch norm layer (itself too) replaced by a SyncBatchNorm
        holding the same parameters, running statistics and train/eval mode."""
        out = module
        if isinstance(module, _BatchNorm):
            out = cls(
                module.num_features,
                module.eps,
                module.momentum,
                module.affine,
                module.track_running_stats,
                process_group,
            )
            if module.affine:
                out.weight, out.bias = module.weight, module.bias
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out
