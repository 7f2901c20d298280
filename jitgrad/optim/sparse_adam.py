"""``optim.SparseAdam``: Adam for sparse gradients (``nn.Embedding(sparse=True)``), which
updates only the moments and parameter rows a gradient touches.

jitgrad has no sparse tensors: every gradient it computes is dense (``Embedding(sparse=True)``
keeps the flag for its repr and state but yields a dense gradient). PyTorch's SparseAdam
refuses dense gradients, so here ``step()`` raises PyTorch's RuntimeError for any parameter
that has a gradient, before touching state; a step where no parameter has a gradient is a
no-op, as in PyTorch. The constructor checks (strictly positive ``lr`` and ``eps``, the
betas, complex parameters) are PyTorch's, in its order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..engine.grad_mode import enable_grad
from ..frontend.tensor import Tensor
from .optimizer import Optimizer

__all__ = ["SparseAdam"]

_DENSE = "SparseAdam does not support dense gradients, please consider Adam instead"


class SparseAdam(Optimizer):
    """Lazy Adam over sparse gradients; jitgrad's gradients are all dense, which it rejects."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        maximize: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i in (0, 1):
            if not 0.0 <= betas[i] < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize}
        super().__init__(params, defaults)
        complex_params = [
            [i, j]
            for i, group in enumerate(self.param_groups)
            for j, p in enumerate(group["params"])
            if p.is_complex()
        ]
        if complex_params:
            raise ValueError(
                f"Complex params at indices {complex_params}: SparseAdam does not support "
                "complex parameters"
            )

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Runs ``closure`` (with grad enabled), then rejects the first dense gradient."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    raise RuntimeError(_DENSE)
        return loss
