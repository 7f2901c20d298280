"""A module call with hooks, in the order PyTorch's ``Module._call_impl`` runs them.

Global forward pre-hooks, then the module's (``with_kwargs`` ones see and may replace the
keyword arguments), the full backward (pre-)hooks wired around ``forward``, ``forward``
itself, then global and module forward hooks; a hook registered with ``always_call=True``
also runs when ``forward`` raises. The registration flags (``with_kwargs``, ``always_call``)
are kept by handle id beside the hook tables, as PyTorch keeps them, so the tables hold the
hook functions themselves (pruning and weight_norm look their own hooks up there). Apart
from :mod:`jitgrad.nn.module`, which keeps the attribute machinery and calls in here only
when some hook is registered.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..engine.sweep import RemovableHandle, add_hook
from ..helpers import warn as warn_user
from .module_backward_hook import BackwardHook

if TYPE_CHECKING:
    from .module import Module

#: ``torch.nn.modules.module``'s global hooks (every module's call runs them).
global_forward_pre_hooks: OrderedDict = OrderedDict()
global_forward_hooks: OrderedDict = OrderedDict()
global_backward_pre_hooks: OrderedDict = OrderedDict()
global_backward_hooks: OrderedDict = OrderedDict()
#: handle ids registered ``with_kwargs=True`` / ``always_call=True`` (module or global)
WITH_KWARGS: set[int] = set()
ALWAYS_CALLED: set[int] = set()


def any_global() -> bool:
    """Whether some global module hook is registered (the module call's slow path)."""
    return bool(
        global_forward_pre_hooks
        or global_forward_hooks
        or global_backward_pre_hooks
        or global_backward_hooks
    )


def register(
    table: dict,
    hook: Callable,
    *,
    prepend: bool = False,
    with_kwargs: bool = False,
    always_call: bool = False,
) -> RemovableHandle:
    """Add ``hook`` to ``table`` (first when ``prepend``), remembering its flags."""
    handle = add_hook(table, hook)
    if prepend:
        table.move_to_end(handle.id, last=False)  # type: ignore[attr-defined]
    if with_kwargs:
        WITH_KWARGS.add(handle.id)
    if always_call:
        ALWAYS_CALLED.add(handle.id)
    return handle


def register_module_forward_pre_hook(hook: Callable) -> RemovableHandle:
    """A forward pre-hook for every module (``hook(module, args)``)."""
    return register(global_forward_pre_hooks, hook)


def register_module_forward_hook(
    hook: Callable, *, with_kwargs: bool = False, always_call: bool = False
) -> RemovableHandle:
    """A forward hook for every module (``hook(module, args, output)``)."""
    return register(global_forward_hooks, hook, with_kwargs=with_kwargs, always_call=always_call)


def register_module_full_backward_pre_hook(hook: Callable) -> RemovableHandle:
    """A backward pre-hook for every module (``hook(module, grad_output)``)."""
    return register(global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook: Callable) -> RemovableHandle:
    """A full backward hook for every module (``hook(module, grad_input, grad_output)``)."""
    return register(global_backward_hooks, hook)


def _pre_hooks(module: Module, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    for table in (global_forward_pre_hooks, module._forward_pre_hooks):
        for hook_id, hook in list(table.items()):
            if hook_id in WITH_KWARGS:
                res = hook(module, args, kwargs)
                if res is not None:
                    if not (isinstance(res, tuple) and len(res) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, "
                            f"new_kwargs), but got {res}."
                        )
                    args, kwargs = res
            else:
                res = hook(module, args)
                if res is not None:
                    args = res if isinstance(res, tuple) else (res,)
    return args, kwargs


def _call_forward_hook(module: Module, hook_id: int, hook: Callable, a: tuple, kw: dict, r: Any):
    if hook_id in WITH_KWARGS:
        return hook(module, a, kw, r)
    return hook(module, a, r)


def call(module: Module, args: tuple, kwargs: dict) -> Any:
    """``module(*args, **kwargs)`` with every registered hook (PyTorch's order)."""
    result = None
    called: set[int] = set()
    try:
        args, kwargs = _pre_hooks(module, args, kwargs)
        pre = [*global_backward_pre_hooks.values(), *module._backward_pre_hooks.values()]
        full = [*global_backward_hooks.values(), *module._backward_hooks.values()]
        bw = BackwardHook(module, full, pre) if pre or full else None
        if bw is not None:
            args = bw.setup_inputs(args)
        result = module.forward(*args, **kwargs)
        for table in (global_forward_hooks, module._forward_hooks):
            for hook_id, hook in list(table.items()):
                if hook_id in ALWAYS_CALLED:
                    called.add(hook_id)
                new = _call_forward_hook(module, hook_id, hook, args, kwargs, result)
                if new is not None:
                    result = new
        if bw is not None:
            result = bw.setup_outputs(result)
        return result
    except Exception:
        for table in (global_forward_hooks, module._forward_hooks):
            for hook_id, hook in list(table.items()):
                if hook_id not in ALWAYS_CALLED or hook_id in called:
                    continue
                try:
                    new = _call_forward_hook(module, hook_id, hook, args, kwargs, result)
                except Exception as e:  # noqa: BLE001 - PyTorch warns and re-raises forward's
                    warn_user(
                        "module forward hook with ``always_call=True`` raised an exception "
                        f"that was silenced as another error was raised in forward: {e}",
                        stacklevel=2,
                    )
                    continue
                if new is not None:
                    result = new
        raise
