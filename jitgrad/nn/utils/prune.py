"""``nn.utils.prune``: zero parts of a parameter through a mask, with PyTorch's state layout.

Pruning ``module.<name>`` moves the Parameter to ``<name>_orig`` (the same object, so an
optimizer keeps updating it), registers the 0/1 buffer ``<name>_mask`` and a forward pre-hook
that recomputes ``<name> = <name>_orig * <name>_mask`` as a plain attribute. Pruning the same
tensor again combines the methods in a :class:`PruningContainer`: the new method sees only
what is still unpruned (its ``amount`` is a fraction of that). ``remove`` makes the pruning
permanent.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from ...engine.grad_mode import no_grad
from ...frontend.creation import ones_like
from ...frontend.sampling import rand
from ...frontend.tensor import Tensor, _make
from ..module import Module


def _check_amount_init(amount: Any) -> None:
    if not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    integral = isinstance(amount, numbers.Integral)
    if (integral and amount < 0) or (not integral and not 0.0 <= float(amount) <= 1.0):
        raise ValueError(
            f"amount={amount} should either be a float in the range [0, 1] or a non-negative "
            "integer"
        )


def _n_to_prune(amount: Any, size: int) -> int:
    if isinstance(amount, numbers.Integral):
        if amount > size:
            raise ValueError(
                f"amount={amount} should be smaller than the number of parameters to "
                f"prune={size}"
            )
        return int(amount)
    return round(amount * size)


class BasePruningMethod:
    """A pruning method: ``compute_mask(t, default_mask)``; also the forward pre-hook."""

    PRUNING_TYPE = "unstructured"
    _tensor_name: str

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self._tensor_name, self.apply_mask(module))

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        raise NotImplementedError

    def apply_mask(self, module: Module) -> Tensor:
        orig = getattr(module, self._tensor_name + "_orig")
        return orig * getattr(module, self._tensor_name + "_mask").to(dtype=orig.dtype)

    @classmethod
    def apply(
        cls, module: Module, name: str, *args: Any, importance_scores: Tensor | None = None,
        **kwargs: Any,
    ) -> BasePruningMethod:  # fmt: skip
        """Prune ``module.<name>`` with ``cls(*args, **kwargs)``, combined with earlier ones."""
        old_key, old = None, None
        for key, hook in module._forward_pre_hooks.items():
            if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
                if old is not None:
                    raise RuntimeError("Only one pruning hook per tensor is allowed")
                old_key, old = key, hook
        method: BasePruningMethod = cls(*args, **kwargs)
        method._tensor_name = name
        if old is not None:
            del module._forward_pre_hooks[old_key]
            container = old if isinstance(old, PruningContainer) else PruningContainer(old)
            container.add_pruning_method(method)
            method = container
        orig = getattr(module, name)
        scores = orig if importance_scores is None else importance_scores
        if tuple(scores.shape) != tuple(orig.shape):
            raise AssertionError(
                f"importance_scores should have the same shape as parameter {name} of {module}"
            )
        if old is None:
            module.register_parameter(name + "_orig", orig)
            del module._parameters[name]
            default_mask = ones_like(orig)
        else:
            default_mask = getattr(module, name + "_mask").detach().clone()
        with no_grad():
            mask = method.compute_mask(scores.detach(), default_mask=default_mask)
        module.register_buffer(name + "_mask", mask)
        setattr(module, name, method.apply_mask(module))
        module.register_forward_pre_hook(method)
        return method

    def prune(
        self, t: Tensor, default_mask: Tensor | None = None,
        importance_scores: Tensor | None = None,
    ) -> Tensor:  # fmt: skip
        scores = t if importance_scores is None else importance_scores
        mask = ones_like(t) if default_mask is None else default_mask
        return t * self.compute_mask(scores, default_mask=mask)

    def remove(self, module: Module) -> None:
        """Make the pruning permanent: ``<name>_orig`` holds ``orig * mask`` and is ``<name>``."""
        weight = self.apply_mask(module)
        if self._tensor_name in module.__dict__:
            delattr(module, self._tensor_name)
        orig = module._parameters.pop(self._tensor_name + "_orig")
        orig.data = weight.data
        del module._buffers[self._tensor_name + "_mask"]
        module.register_parameter(self._tensor_name, orig)


class PruningContainer(BasePruningMethod):
    """The pruning methods applied in turn to one tensor."""

    def __init__(self, *methods: BasePruningMethod) -> None:
        self._pruning_methods: tuple = ()
        for m in methods:
            self.add_pruning_method(m)

    def add_pruning_method(self, method: BasePruningMethod) -> None:
        if not isinstance(method, BasePruningMethod) and method is not None:
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if self._pruning_methods and method._tensor_name != self._tensor_name:
            raise ValueError(
                "Can only add pruning methods acting on the parameter named "
                f"'{self._tensor_name}' to PruningContainer {self}. Found '{method._tensor_name}'"
            )
        self._tensor_name = method._tensor_name
        self._pruning_methods += (method,)

    def __len__(self) -> int:
        return len(self._pruning_methods)

    def __iter__(self) -> Any:
        return iter(self._pruning_methods)

    def __getitem__(self, i: int) -> BasePruningMethod:
        return self._pruning_methods[i]

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """The last method's mask over the part the earlier ones left unpruned."""
        method = self._pruning_methods[-1]
        mask = default_mask._value
        new = mask.copy()
        if method.PRUNING_TYPE == "unstructured":
            slc: Any = mask == 1
        elif method.PRUNING_TYPE == "structured":
            dim = method.dim % t.dim()
            others = tuple(d for d in range(t.dim()) if d != dim)
            slc = [slice(None)] * t.dim()
            slc[dim] = mask.sum(axis=others) != 0
            slc = tuple(slc)
        else:
            slc = Ellipsis
        sub_t = _make(np.ascontiguousarray(t._value[slc]), t._dtype)
        sub_m = _make(np.ascontiguousarray(mask[slc]), default_mask._dtype)
        new[slc] = method.compute_mask(sub_t, default_mask=sub_m)._value
        return _make(new, default_mask._dtype)


def _mask_where(default_mask: Tensor, flat_positions: np.ndarray) -> Tensor:
    mask = default_mask._value.copy()
    mask.reshape(-1)[flat_positions] = 0
    return _make(mask, default_mask._dtype)


class Identity(BasePruningMethod):
    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        return default_mask

    @classmethod
    def apply(cls, module: Module, name: str) -> BasePruningMethod:  # type: ignore[override]
        return super().apply(module, name)


class _Unstructured(BasePruningMethod):
    """A method that prunes ``amount`` single entries (a count or a fraction)."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount: Any) -> None:
        _check_amount_init(amount)
        self.amount = amount


class RandomUnstructured(_Unstructured):
    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        k = _n_to_prune(self.amount, t.numel())
        prob = rand(*t.shape)._value.reshape(-1)
        return _mask_where(default_mask, np.argsort(-prob, kind="stable")[:k])


class L1Unstructured(_Unstructured):
    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        k = _n_to_prune(self.amount, t.numel())
        smallest = np.argsort(np.abs(t._value.reshape(-1)), kind="stable")[:k]
        return _mask_where(default_mask, smallest)


class _Structured(BasePruningMethod):
    PRUNING_TYPE = "structured"

    def _keep_mask(self, t: Tensor, default_mask: Tensor, keep: np.ndarray) -> Tensor:
        if t.dim() <= 1:
            raise ValueError(
                "Structured pruning can only be applied to multidimensional tensors. Found "
                f"tensor of shape torch.Size({list(t.shape)}) with {t.dim()} dims"
            )
        mask = np.zeros(tuple(t.shape), default_mask._dtype.np)
        index = [slice(None)] * t.dim()
        index[self.dim] = keep
        mask[tuple(index)] = 1
        return _make(mask * default_mask._value, default_mask._dtype)

    def _count(self, t: Tensor) -> tuple[int, int]:
        if self.dim >= t.dim():
            raise IndexError(
                f"Invalid index {self.dim} for tensor of size torch.Size({list(t.shape)})"
            )
        size = t.shape[self.dim]
        k = _n_to_prune(self.amount, size)
        return size, k


class RandomStructured(_Structured):
    def __init__(self, amount: Any, dim: int = -1) -> None:
        _check_amount_init(amount)
        self.amount = amount
        self.dim = dim

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        size, k = self._count(t)
        if k == 0:
            return default_mask
        prob = rand(size)._value
        return self._keep_mask(t, default_mask, np.sort(np.argsort(prob, kind="stable")[k:]))


class LnStructured(_Structured):
    def __init__(self, amount: Any, n: Any, dim: int = -1) -> None:
        _check_amount_init(amount)
        self.amount = amount
        self.n = n
        self.dim = dim

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        if t.dim() <= 1:
            return self._keep_mask(t, default_mask, np.zeros(0, np.int64))
        size, k = self._count(t)
        if k == 0:
            return default_mask
        dims = [d for d in range(t.dim()) if d != self.dim % t.dim()]
        norms = t.norm(self.n, dim=dims)._value
        return self._keep_mask(t, default_mask, np.argsort(-norms, kind="stable")[: size - k])


class CustomFromMask(BasePruningMethod):
    PRUNING_TYPE = "global"

    def __init__(self, mask: Tensor) -> None:
        self.mask = mask

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        return default_mask * self.mask.to(dtype=default_mask.dtype)


def identity(module: Module, name: str) -> Module:
    Identity.apply(module, name)
    return module


def random_unstructured(module: Module, name: str, amount: Any) -> Module:
    """Prune ``amount`` (a count or a fraction) entries chosen at random."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(
    module: Module, name: str, amount: Any, importance_scores: Tensor | None = None
) -> Module:
    """Prune the ``amount`` entries of smallest absolute value (or importance score)."""
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module: Module, name: str, amount: Any, dim: int) -> Module:
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(
    module: Module, name: str, amount: Any, n: Any, dim: int,
    importance_scores: Tensor | None = None,
) -> Module:  # fmt: skip
    """Prune the ``amount`` slices along ``dim`` of smallest ``L_n`` norm."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def custom_from_mask(module: Module, name: str, mask: Tensor) -> Module:
    CustomFromMask.apply(module, name, mask)
    return module


def global_unstructured(
    parameters: Iterable[tuple[Module, str]],
    pruning_method: type,
    importance_scores: dict | None = None,
    **kwargs: Any,
) -> None:
    """Prune the ``(module, name)`` tensors together, as one vector, with ``pruning_method``
    (an unstructured method class, e.g. ``L1Unstructured``)."""
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    params = list(parameters)
    scores = importance_scores or {}
    method = pruning_method(**kwargs)
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(
            'Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. Found method '
            f"{pruning_method} of type {method.PRUNING_TYPE}"
        )
    method._tensor_name = "temp"
    container = PruningContainer(method)
    with no_grad():
        flat = [scores.get((m, n), getattr(m, n)).detach().reshape(-1) for m, n in params]
        masks = [
            (getattr(m, n + "_mask") if hasattr(m, n + "_mask") else ones_like(getattr(m, n)))
            for m, n in params
        ]
        vec = _make(np.concatenate([t._value for t in flat]), flat[0]._dtype)
        default = _make(np.concatenate([t._value.reshape(-1) for t in masks]), masks[0]._dtype)
        final = container.compute_mask(vec, default)
    pointer = 0
    for m, n in params:
        param = getattr(m, n)
        size = param.numel()
        custom_from_mask(m, n, final[pointer : pointer + size].view_as(param))
        pointer += size


def remove(module: Module, name: str) -> Module:
    """Make the pruning of ``module.<name>`` permanent and drop its mask and hook."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(
        f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed"
    )


def is_pruned(module: Module) -> bool:
    """Whether any submodule of ``module`` has a pruning hook."""
    return any(
        isinstance(hook, BasePruningMethod)
        for _, sub in module.named_modules()
        for hook in sub._forward_pre_hooks.values()
    )


__all__ = [
    "BasePruningMethod",
    "CustomFromMask",
    "Identity",
    "L1Unstructured",
    "LnStructured",
    "PruningContainer",
    "RandomStructured",
    "RandomUnstructured",
    "custom_from_mask",
    "global_unstructured",
    "identity",
    "is_pruned",
    "l1_unstructured",
    "ln_structured",
    "random_structured",
    "random_unstructured",
    "remove",
]
