"""The ``__torch_function__`` checks ``nn.functional`` exports (``has_torch_function`` and
its unary/variadic forms, ``handle_torch_function``), which libraries call before
dispatching to a tensor subclass's override. jitgrad has no ``__torch_function__``
protocol, so no argument ever has an override: the checks are False and the handler, never
reached through them, says so if called."""

from __future__ import annotations

from typing import Any


def has_torch_function(relevant_args: Any) -> bool:
    return False


def has_torch_function_unary(arg: Any) -> bool:
    return False


def has_torch_function_variadic(*args: Any) -> bool:
    return False


def handle_torch_function(public_api: Any, relevant_args: Any, *args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError(
        "jitgrad has no __torch_function__ protocol: has_torch_function() is always False, "
        "so there is no override to dispatch to"
    )
