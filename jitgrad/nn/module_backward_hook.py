"""Full backward hooks on a module, as PyTorch's ``BackwardHook`` runs them.

The module's tensor inputs and its outputs pass through identity nodes
(``BackwardHookFunctionBackward``); a pre-hook on the output node captures ``grad_output``
and a pre-hook on the input node sees ``grad_input`` (the gradient with respect to the
module's inputs, whatever ops ran inside) and may replace it before it flows on. Apart from
:mod:`jitgrad.nn.module` because it works on autograd nodes, not on the module's attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..engine.grad_mode import STATE
from ..frontend.recording import record_multi
from ..frontend.tensor import Tensor

if TYPE_CHECKING:
    from .module import Module


def _identity(tensors: list[Tensor]) -> list[Tensor]:
    """``tensors`` passed through one node ``BackwardHookFunctionBackward`` (values shared)."""
    values = [t._value for t in tensors]
    return record_multi(
        "BackwardHookFunctionBackward",
        values,
        [t._dtype for t in tensors],
        tensors,
        lambda *grads: grads,
    )


class BackwardHook:
    """Captures grad_output at the module's outputs and calls the hooks at its inputs."""

    def __init__(
        self, module: Module, hooks: list[Callable], pre_hooks: list[Callable] | None = None
    ) -> None:
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks or []
        self.n_inputs = 0
        self.grad_output: tuple | None = None
        self.input_positions: list[int] = []

    def _call_hooks(self, grad_input: tuple) -> tuple:
        for hook in self.hooks:
            new = hook(self.module, grad_input, self.grad_output)
            if new is not None:
                new = tuple(new) if isinstance(new, tuple | list) else (new,)
                if len(new) != len(grad_input):
                    raise RuntimeError(
                        f"Backward hook returned an invalid number of grad_input, got "
                        f"{len(new)}, but expected {len(grad_input)}"
                    )
                grad_input = new
        return grad_input

    def setup_inputs(self, args: tuple) -> tuple:
        self.n_inputs = len(args)
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a._requires_grad]
        self.input_positions = positions
        if not positions or not STATE.enabled:
            return args
        wrapped = _identity([args[i] for i in positions])
        node = wrapped[0].grad_fn

        def hook(grads: tuple) -> tuple:  # PyTorch's name, in "hook 'hook' has changed ..."
            full: list[Any] = [None] * self.n_inputs
            for i, g in zip(positions, grads, strict=True):
                full[i] = g
            full_t = self._call_hooks(tuple(full))
            return tuple(full_t[i] for i in positions)

        node.register_prehook(hook)
        out = list(args)
        for i, t in zip(positions, wrapped, strict=True):
            out[i] = t
        return tuple(out)

    def setup_outputs(self, result: Any) -> Any:
        single = isinstance(result, Tensor)
        outs = (result,) if single else result
        if not isinstance(outs, tuple | list) or not STATE.enabled:
            return result
        positions = [i for i, t in enumerate(outs) if isinstance(t, Tensor) and t._requires_grad]
        if not positions:
            return result
        wrapped = _identity([outs[i] for i in positions])

        def at_outputs(grads: tuple) -> None:
            full: list[Any] = [None] * len(outs)
            for i, g in zip(positions, grads, strict=True):
                full[i] = g
            grad_output = tuple(full)
            for pre in self.pre_hooks:  # register_full_backward_pre_hook: may replace them
                new = pre(self.module, grad_output)
                if new is not None:
                    new = tuple(new) if isinstance(new, tuple | list) else (new,)
                    if len(new) != len(grad_output):
                        raise RuntimeError(
                            "Backward pre hook returned an invalid number of grad_output, got "
                            f"{len(new)}, but expected {len(grad_output)}"
                        )
                    grad_output = new
            self.grad_output = grad_output
            if not self.input_positions and self.hooks:  # nothing upstream needs grad
                self._call_hooks((None,) * self.n_inputs)
            return tuple(grad_output[i] for i in positions)

        wrapped[0].grad_fn.register_prehook(at_outputs)
        new = list(outs)
        for i, t in zip(positions, wrapped, strict=True):
            new[i] = t
        return new[0] if single else type(outs)(new)
