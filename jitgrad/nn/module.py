"""``nn.Module``: attribute registration, traversal, state_dict, hooks (PyTorch's semantics).

A call with hooks runs through :func:`jitgrad.nn.module_hooks.call` (full backward hooks
through :class:`jitgrad.nn.module_backward_hook.BackwardHook`); ``load_state_dict``
copies and reports errors in :mod:`jitgrad.nn.module_state`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from .. import dtypes as D
from ..engine.grad_mode import no_grad
from ..engine.sweep import RemovableHandle, add_hook
from ..frontend.tensor import Tensor, device
from . import module_checks as C
from . import module_hooks as H
from . import module_state as S
from .parameter import Parameter


class Module:
    """Base class of every layer; sub-modules and parameters register by attribute."""

    training: bool
    _version = 1

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_modules"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()
        d["_backward_hooks"] = OrderedDict()
        d["_backward_pre_hooks"] = OrderedDict()
        d["_load_state_dict_post_hooks"] = OrderedDict()
        d["_load_state_dict_pre_hooks"] = OrderedDict()
        d["_state_dict_pre_hooks"] = OrderedDict()
        d["_state_dict_hooks"] = OrderedDict()

    # ---- registration ----------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            if value.grad_fn is not None:
                C.check_parameter(self, name, value, Parameter)
            self._drop(name, params)  # (a parameter set again keeps its place)
            params[name] = value
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._drop(name, self._modules)
            self._modules[name] = value
        elif getattr(value, "_is_buffer", False):  # nn.Buffer(t), registered with its persistence
            self._drop(name)
            self.register_buffer(name, value, value.persistent)
        elif params is not None and name in params:
            if value is not None:  # torch.typename: 'torch.FloatTensor' for a tensor
                kind = value.type() if isinstance(value, Tensor) else type(value).__name__
                raise TypeError(
                    f"cannot assign '{kind}' as parameter '{name}' "
                    "(torch.nn.Parameter or None expected)"
                )
            params[name] = None
        elif params is not None and name in self._buffers:
            C.check_assignment(name, value, "buffer", "torch.Tensor", Tensor)
            self._buffers[name] = value
        elif params is not None and name in self._modules:
            C.check_assignment(name, value, "child module", "torch.nn.Module", Module)
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)

    def _drop(self, name: str, keep: Any = None) -> None:
        """Forget ``name`` everywhere but in table ``keep`` (where it is about to be set)."""
        for d in (self.__dict__, self._parameters, self._buffers, self._modules):
            if d is not keep:
                d.pop(name, None)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            table = d.get(key)
            if table is not None and name in table:
                return table[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        C.check_parameter(self, name, param, Parameter)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A tensor that is state but not a parameter (saved in ``state_dict``)."""
        C.check_buffer(self, name, tensor)
        self._buffers[name] = tensor
        if not persistent:
            self.__dict__.setdefault("_non_persistent", set()).add(name)
        else:
            self.__dict__.get("_non_persistent", set()).discard(name)

    def add_module(self, name: str, module: Module | None) -> None:
        C.check_module(self, name, module, Module)
        self._modules[name] = module

    register_module = add_module

    # ---- forward ---------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        d = self.__dict__
        if (
            d["_forward_pre_hooks"]
            or d["_forward_hooks"]
            or d["_backward_hooks"]
            or d.get("_backward_pre_hooks")
            or H.any_global()
        ):
            return H.call(self, args, kwargs)
        return self.forward(*args, **kwargs)

    # ---- hooks -----------------------------------------------------------------------------
    def register_forward_pre_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """``hook(module, args)`` (``with_kwargs``: ``hook(module, args, kwargs)``) before
        ``forward``; may return replacement args (and kwargs)."""
        return H.register(
            self._forward_pre_hooks, hook, prepend=prepend, with_kwargs=with_kwargs
        )  # fmt: skip

    def register_forward_hook(
        self,
        hook: Callable,
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> RemovableHandle:
        """``hook(module, args, output)`` (``with_kwargs``: ``hook(module, args, kwargs,
        output)``) after ``forward``; may return a replacement output."""
        return H.register(
            self._forward_hooks, hook, prepend=prepend, with_kwargs=with_kwargs,
            always_call=always_call,
        )  # fmt: skip

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` once the inputs' gradients are known.

        ``grad_input`` holds one entry per positional argument (``None`` for arguments that
        are not Tensors requiring grad); returning a tuple replaces it.
        """
        return H.register(self._backward_hooks, hook, prepend=prepend)

    def register_full_backward_pre_hook(
        self, hook: Callable, prepend: bool = False
    ) -> RemovableHandle:
        """``hook(module, grad_output)`` before the module's gradients are computed; may
        return a replacement ``grad_output``."""
        return H.register(self.__dict__["_backward_pre_hooks"], hook, prepend=prepend)

    def register_load_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, incompatible_keys)`` after ``load_state_dict`` loaded this module;
        it may clear the key lists before strict loading checks them."""
        return add_hook(self.__dict__["_load_state_dict_post_hooks"], hook)

    # PyTorch's deprecated variant is kept with the full semantics (see API.md).
    register_backward_hook = register_full_backward_hook

    # ---- traversal -------------------------------------------------------------------------
    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                sub = prefix + ("." if prefix else "") + name
                yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen: set[int] = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def _named_members(
        self, table: str, prefix: str, recurse: bool, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Any]]:
        """Each module's ``table`` entries by dotted name; ``remove_duplicate`` skips shared
        modules and tensors after their first name (PyTorch's default)."""
        seen: set[int] = set()
        mods = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for mprefix, module in mods:
            for name, value in getattr(module, table).items():
                if value is None or id(value) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield mprefix + ("." if mprefix else "") + name, value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ---- modes and bulk changes ------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop (or zero) every parameter's ``.grad`` before the next backward."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                g = p.grad
                if g.grad_fn is not None:
                    g = g.detach()
                    p.grad = g
                g.zero_()

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """``fn`` on every sub-module (children first) and then on self, e.g. custom init."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Move parameters and buffers (same objects, new ``.data``) to a device, and convert
        the floating-point ones to a dtype: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``."""
        like = [a for a in (*args, kwargs.get("tensor")) if isinstance(a, Tensor)]  # to(tensor)
        args = (*args, *(t.dtype for t in like), *(t.device for t in like))
        dtypes = [a for a in (*args, kwargs.get("dtype")) if isinstance(a, D.dtype)]
        for dt in dtypes:
            if not (dt.is_floating_point or dt.is_complex):
                raise TypeError(
                    "nn.Module.to only accepts floating point or complex dtypes, but got "
                    f"desired dtype={dt}"
                )
        devices = [a for a in (*args, kwargs.get("device")) if isinstance(a, str | device)]
        layout = kwargs.get("memory_format")  # (PyTorch lays out only 4-d and 5-d tensors)
        with no_grad():
            for m in self.modules():
                for table in (m._parameters, m._buffers):
                    for key, t in table.items():
                        if t is None or not (t.is_floating_point() or devices or layout):
                            continue
                        new = t.to(*devices) if devices else t
                        new = new.to(*dtypes) if dtypes and t.is_floating_point() else new
                        if layout is not None and t.dim() in (4, 5):
                            new = new.to(memory_format=layout)
                        if new is not t:
                            t.data = new
                            if t.grad is not None:
                                t.grad = t.grad.to(*devices, *dtypes)
                        table[key] = t
        return self

    def float(self) -> Module:
        return self.to(D.float32)

    def double(self) -> Module:
        return self.to(D.float64)

    def half(self) -> Module:
        return self.to(D.float16)

    def bfloat16(self) -> Module:
        return self.to(D.bfloat16)

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self, device: Any = None) -> Module:
        return self.to(device if device is not None else "cuda")

    # ---- state_dict ------------------------------------------------------------------------
    def state_dict(
        self, destination: dict | None = None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict:
        """Parameters, persistent buffers (detached, sharing storage) and extra state by
        dotted name, with the state_dict hooks (see :func:`module_state.state_dict`)."""
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()  # type: ignore[attr-defined]
        return S.state_dict(self, destination, prefix, keep_vars)

    def load_state_dict(self, state_dict: dict, strict: bool = True, assign: bool = False):
        """Copy ``state_dict`` into the parameters, run the load_state_dict post hooks, then
        raise PyTorch's errors on missing/extra keys and size mismatches (as PyTorch, the
        tensors that matched are loaded before it raises)."""
        return S.load_state_dict(self, state_dict, strict, assign)

    # ---- printing --------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        lines = []
        extra = self.extra_repr()
        if extra:
            lines = extra.split("\n")
        for name, module in self._modules.items():
            sub = repr(module).replace("\n", "\n  ")
            lines.append(f"({name}): {sub}")
        head = self._get_name() + "("
        if not lines:
            return head + ")"
        if len(lines) == 1 and not self._modules:
            return head + lines[0] + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self) -> list[str]:
        keys = set(super().__dir__()) | set(self._parameters) | set(self._modules)
        keys |= set(self._buffers)
        return sorted(k for k in keys if not k[0].isdigit())  # as PyTorch: no "0" of a Sequential
