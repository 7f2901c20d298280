"""``Optimizer``: parameter groups, per-parameter state, ``state_dict`` and ``zero_grad``.

Subclasses implement ``_update(group, params, dtype)``: one compiled kernel launch for all
parameters of ``group`` that share ``dtype`` and have a gradient.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .. import dtypes as D
from ..backends import STATE as DEVICE
from ..backends.meta_array import MetaArray
from ..engine.grad_mode import enable_grad, no_grad
from ..frontend.overlap import assert_no_internal_overlap
from ..frontend.tensor import Tensor, _make, legacy_type_name
from ..helpers import warn as warn_user
from ..kernels.cpu import optim as cpu_kernels


class _Required:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()


def check_min(name: str, value: float, low: float = 0.0) -> None:
    """PyTorch's ``Invalid <name>: <value>`` ValueError for a hyper-parameter below ``low``."""
    if not low <= value:
        raise ValueError(f"Invalid {name}: {value}")


def check_hyper(*checks: tuple[str, float]) -> None:
    """``check_min`` for each ``(name, value)``, in the order given (PyTorch's order)."""
    for name, value in checks:
        check_min(name, value)


def check_adam_like(lr: float, eps: float, betas: tuple[float, float], wd: float) -> None:
    """The argument checks Adam, Adamax, NAdam and RAdam share, in PyTorch's order."""
    check_min("learning rate", lr)
    check_min("epsilon value", eps)
    for i in (0, 1):
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")
    check_min("weight_decay value", wd)


class Optimizer:
    """Holds ``param_groups`` (dicts of hyper-parameters plus ``'params'``) and ``state``."""

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {legacy_type_name(params)}"
            )
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group; missing hyper-parameters come from ``defaults``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        param_group["params"] = [params] if isinstance(params, Tensor) else list(params)
        if len({id(p) for p in param_group["params"]}) != len(param_group["params"]):
            warn_user(
                "optimizer contains a parameter group with duplicate parameters; in future, "
                "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for "
                "more information",
                UserWarning,
                stacklevel=3,
            )
        for p in param_group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + type(p).__name__
                )
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            param_group.setdefault(name, default)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.detach_() if p.grad.grad_fn is not None else None
                    p.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; ``closure`` re-evaluates the loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                by_dtype: dict[Any, list[Tensor]] = {}
                for p in group["params"]:
                    if p._grad is not None:
                        by_dtype.setdefault(p._dtype, []).append(p)
                for dtype, params in by_dtype.items():
                    if type(params[0]._value) is MetaArray:  # meta: no values to update
                        continue
                    if DEVICE.active and DEVICE.backend.owns(params[0]):
                        DEVICE.backend.optimizer_update(self, group, params, dtype)
                        for p in params:
                            p._bump()
                        continue
                    strided = []  # (the kernels update flat buffers; written back after)
                    for p in params:
                        if not p._value.flags.c_contiguous:
                            assert_no_internal_overlap(p._value)  # as PyTorch's param.add_
                            strided.append((p, p._value))
                            p._value = np.ascontiguousarray(p._value)
                    # a complex parameter updates as its real view (PyTorch's view_as_real):
                    # flat() hands the kernels float arrays, and the scalars take the parts' dtype
                    self._update(group, params, D.real_of(dtype))
                    for p, buffer in strided:  # in place, as PyTorch's: strides and views kept
                        buffer[...] = p._value
                        p._value = buffer
                    for p in params:
                        p._bump()
        return loss

    def _update(self, group: dict[str, Any], params: list[Tensor], dtype: Any) -> None:
        raise NotImplementedError

    #: Whether ``_update`` runs on device parameters as it is (its kernels come from
    #: :func:`kernels_for`, its state from :func:`zeros_like`); others update host copies.
    _device_native = False

    # ---- state_dict ------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [...]}`` with parameters as indices."""
        index: dict[int, int] = {}
        groups = []
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            packed["params"] = []
            for p in g["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {
            index[id(p)]: dict(s)
            for g in self.param_groups
            for p in g["params"]
            if (s := self.state.get(p))
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and state (copied, cast to each parameter's dtype)."""
        state_dict = copy.deepcopy(state_dict)
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for mine, saved in zip(self.param_groups, groups, strict=True):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    "of optimizer's group"
                )
        by_index = {}
        for mine, saved in zip(self.param_groups, groups, strict=True):
            for p, i in zip(mine["params"], saved["params"], strict=True):
                by_index[i] = p
            for k, v in saved.items():
                if k != "params":
                    mine[k] = v
        self.state = defaultdict(dict)
        for i, s in state_dict["state"].items():
            p = by_index[int(i)]
            self.state[p] = {
                k: v.to(p.dtype) if isinstance(v, Tensor) and k != "step" else v
                for k, v in s.items()
            }

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, g in enumerate(self.param_groups):
            if i:  # PyTorch's blank line between groups
                lines.append("")
            lines.append(f"Parameter Group {i}")
            for k in sorted(g):
                if k != "params":
                    lines.append(f"    {k}: {g[k]}")
        lines.append(")")
        return "\n".join(lines)


def scalar_step() -> Tensor:
    """A step counter as PyTorch keeps it: a 0-d tensor of the default float dtype."""
    dt = D.get_default_dtype()
    return _make(np.zeros((), dt.np), dt)


def flat(arrays: Iterable[np.ndarray]) -> tuple[np.ndarray, ...]:
    """1-D views of C-contiguous arrays (host or device), as the tuple a group kernel takes; a
    complex array as its interleaved real and imaginary parts (twice as long)."""
    return tuple(_real_view(a.reshape(a.size)) for a in arrays)


def _real_view(a: np.ndarray) -> np.ndarray:
    return a.view(np.finfo(a.dtype).dtype) if a.dtype.kind == "c" else a


def kernels_for(params: list[Tensor], cpu: Any = cpu_kernels) -> Any:
    """The update kernels for ``params``: the CPU ones (module ``cpu``), or the device's
    (same names and signatures)."""
    if DEVICE.active and DEVICE.backend.owns(params[0]):
        return DEVICE.backend.optim
    return cpu


def zeros_like(p: Tensor) -> Tensor:
    """A zero state buffer beside parameter ``p`` (on its device)."""
    if DEVICE.active and DEVICE.backend.owns(p):
        return _make(DEVICE.backend.zeros(p._value.shape, p._value.dtype), p._dtype)
    return _make(np.zeros_like(p._value), p._dtype)
