"""``Module.load_state_dict``'s work: copying (or assigning) the checkpoint's tensors, the
post hooks, and PyTorch's error report for missing, unexpected and mis-sized keys.

Separate from :mod:`jitgrad.nn.module` to keep that class about registration and traversal;
these functions only read a module through its public traversal (``state_dict``,
``modules``) and its ``_modules`` table.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from ..engine.grad_mode import no_grad
from ..frontend.tensor import Tensor
from .parameter import Parameter


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def load_state_dict(module: Any, state_dict: dict, strict: bool, assign: bool) -> Any:
    """``module.load_state_dict(state_dict, strict, assign)`` (see there)."""
    own = module.state_dict(keep_vars=True)
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    errors = _copy_matching(module, own, state_dict, assign)
    keys = _IncompatibleKeys(missing, unexpected)
    for m in module.modules():
        for hook in list(m.__dict__.get("_load_state_dict_post_hooks", {}).values()):
            hook(m, keys)
    if strict:
        if unexpected:
            names = ", ".join(f'"{k}"' for k in unexpected)
            errors.insert(0, f"Unexpected key(s) in state_dict: {names}. ")
        if missing:
            names = ", ".join(f'"{k}"' for k in missing)
            errors.insert(0, f"Missing key(s) in state_dict: {names}. ")
    if errors:
        raise RuntimeError(
            f"Error(s) in loading state_dict for {type(module).__name__}:\n\t"
            + "\n\t".join(errors)
        )
    return keys


def _copy_matching(module: Any, own: dict, state_dict: dict, assign: bool) -> list[str]:
    """Load every entry of ``state_dict`` whose key and shape match ``own``; the size
    mismatch messages of the others."""
    errors = []
    with no_grad():
        for key, t in own.items():
            if key not in state_dict:
                continue
            src = state_dict[key]
            if tuple(src.shape) != tuple(t.shape):
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {src.shape} from "
                    f"checkpoint, the shape in current model is {t.shape}."
                )
            elif assign:  # the checkpoint's tensors themselves (a Parameter stays one)
                _assign(module, key, t, src)
            else:
                t.copy_(src)
    return errors


def _assign(module: Any, key: str, current: Tensor, src: Tensor) -> None:
    """``load_state_dict(assign=True)`` of one entry: ``src`` replaces the attribute,
    wrapped in a Parameter with the old one's ``requires_grad`` where that was one."""
    path, _, name = key.rpartition(".")
    owner = module
    for part in filter(None, path.split(".")):
        owner = owner._modules[part]
    if isinstance(current, Parameter) and not isinstance(src, Parameter):
        src = Parameter(src, requires_grad=current.requires_grad)
    setattr(owner, name, src)
