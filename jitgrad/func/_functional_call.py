"""``torch.func.functional_call``: run a module with some parameters and buffers swapped for
given tensors (``nn.utils.stateless`` has it under its older name, which warns)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..frontend.movement import stack

_MISSING = object()


def functional_call(
    module: Any,
    parameter_and_buffer_dicts: dict | tuple | list,
    args: Any = None,
    kwargs: dict | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """``module(*args, **kwargs)`` with each named parameter/buffer (``"sub.weight"``) in the
    dict(s) replaced for the duration of the call; the module is restored afterwards.

    ``tie_weights``: a parameter shared under several names is replaced under all of them
    when one is given. ``strict``: the dicts must name every parameter and buffer, nothing else.
    """
    dicts = (
        list(parameter_and_buffer_dicts)
        if isinstance(parameter_and_buffer_dicts, tuple | list)
        else [parameter_and_buffer_dicts]
    )
    merged: dict = {}
    for d in dicts:
        repeated = [k for k in d if k in merged]
        if repeated:
            raise ValueError(
                f"{repeated} appeared in multiple dictionaries; behavior of functional call is "
                "ambiguous"
            )
        merged.update(d)
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrized(module, merged, tie_weights, strict):
        return module(*args, **(kwargs or {}))


def stack_module_state(models: Any) -> tuple[dict, dict]:
    """The parameters and buffers of same-shaped modules stacked along a new first dimension,
    as two dicts by name (for ``vmap(functional_call)`` over an ensemble). A stack that
    requires grad (of parameters that do) is detached into a new leaf that requires grad."""
    models = list(models)
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError(
            "stack_module_state: Expected all models to have the same training/eval mode."
        )
    first = type(models[0])
    if not all(type(m) is first for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    return _stacked([dict(m.named_parameters()) for m in models]), _stacked(
        [dict(m.named_buffers()) for m in models]
    )


def _stacked(per_model: list[dict]) -> dict:
    """Each name's tensors stacked; a result that requires grad becomes a new leaf."""
    out = {}
    for name in per_model[0]:
        t = stack([d[name] for d in per_model])
        out[name] = t.detach().requires_grad_() if t.requires_grad else t
    return out


def _named_tensors(module: Any, prefix: str = "") -> dict:
    """Every parameter and buffer by name, tied ones under each of their names."""
    out = {prefix + k: v for k, v in module._parameters.items() if v is not None}
    out.update((prefix + k, v) for k, v in module._buffers.items() if v is not None)
    for name, sub in module._modules.items():
        if sub is not None:
            out.update(_named_tensors(sub, f"{prefix}{name}."))
    return out


def _submodule(module: Any, path: str) -> Any:
    for part in path.split(".") if path else ():
        module = module._modules[part]
    return module


@contextmanager
def _reparametrized(module: Any, values: dict, tie_weights: bool, strict: bool) -> Iterator:
    names = _named_tensors(module)
    values = dict(values)
    if tie_weights:
        by_id = {id(names[k]): v for k, v in values.items() if k in names}
        for k, t in names.items():
            if k not in values and id(t) in by_id:
                values[k] = by_id[id(t)]
    if strict:
        missing = sorted(k for k in names if k not in values)
        unexpected = sorted(k for k in values if k not in names)
        if missing or unexpected:
            lines = []
            if unexpected:
                lines.append("Unexpected key(s): " + ", ".join(map(repr, unexpected)) + ".")
            if missing:
                lines.append("Missing key(s): " + ", ".join(map(repr, missing)) + ".")
            raise RuntimeError(
                f"Error(s) in reparametrizing for {type(module).__name__}:\n\t" + "\n\t".join(lines)
            )
    saved = []
    try:
        for name, value in values.items():
            owner, _, attr = name.rpartition(".")
            sub = _submodule(module, owner)
            saved.append((sub, attr, _swap(sub, attr, value)))
        yield
    finally:
        for sub, attr, (table, old) in reversed(saved):
            if table is None:
                if old is _MISSING:
                    object.__delattr__(sub, attr)
                else:
                    object.__setattr__(sub, attr, old)
            else:
                table[attr] = old


def _swap(sub: Any, attr: str, value: Any) -> tuple:
    """Put ``value`` where ``sub.attr`` is read from; return where and what was there."""
    for table in (sub._parameters, sub._buffers):
        if attr in table:
            old = table[attr]
            table[attr] = value
            return table, old
    old = sub.__dict__.get(attr, _MISSING)
    object.__setattr__(sub, attr, value)
    return None, old
