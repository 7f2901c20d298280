"""The public functions of the declarations with their own argument handling (issue 14):
``defop(..., front=hook, self_at=, integral=, zero_divisor=)``.

A ``front`` hook (in ``ops/``, next to its ``defop``) has the public signature and docstring
and returns the operands, or :class:`~jitgrad.ops.registry.Use` to run a sibling op. From it
come the function (``torch.div``), the Tensor method when the tensor is not the first
argument (``Tensor.polygamma(n)`` for ``polygamma(n, input)``) and the in-place method
(``Tensor.div_``). Each is generated with the hook's own parameters, so the per-call cost is
the hook's frame, not ``*args``/``**kwargs`` repacking (div is a hot path); ``inspect``
shows the hook's annotations.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import numpy as np

from .. import dtypes as D
from ..engine.grad_mode import STATE as GRAD
from ..ops.complex_refusals import NO_GRAD
from ..ops.registry import REGISTRY, OpDef
from ._tensor_data import result_type
from .out import write_out
from .overloads import OVERLOADS, format_invalid
from .pointwise import run
from .pointwise_inplace import apply_inplace
from .tensor import Tensor

#: The module the generated functions say they come from (where they are published).
MODULE = "jitgrad.frontend.functions"

# The bodies: ``call`` is the hook's argument list; a ``Use`` picks a sibling op. The checks
# are written out (no helper frame unless a rule applies): div and fmod are per-call paths.
_LOWER = """\
    operands = _hook({call})
    chosen = _op
    if type(operands) is not tuple:
        chosen, operands = _registry[operands[0]], operands[1]
    if chosen.integral:
        refuse_floats(chosen, operands)
    if chosen.zero_divisor:
        check_divisor(*operands)
    if chosen.no_bool:
        refuse_bool(chosen, operands)
"""
_REFUSE_AFTER = "        refuse_bool(chosen, operands)\n"
_RUN = _LOWER + "    return _run(chosen, operands)\n"
_RUN_OUT = (
    _LOWER
    + "    if out is not None:\n"
    + "        return _write_out(_name, out, lambda: _run(chosen, operands), operands)\n"
    + "    return _run(chosen, operands)\n"
)
_INPLACE = _LOWER + "    return _apply_inplace(chosen, operands[0], operands[1:])\n"


def function(op: OpDef) -> Any:
    """``torch.<name>``: the hook's signature and docstring, and PyTorch's ``out=``."""
    sig = inspect.signature(op.front)
    out = inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None)
    public = sig.replace(parameters=[*sig.parameters.values(), out])
    return _generate(op.torch[0], op, _RUN_OUT, public, sig, None, op.front.__doc__)


def method(op: OpDef) -> Any:
    """``Tensor.<name>`` when the tensor is argument ``self_at`` of the function, or the
    declaration has a ``method_front`` hook (same parameters as ``front``)."""
    sig = inspect.signature(op.front)
    fn = _generate(op.torch[0], op, _RUN, _self_first(sig, op.self_at), sig, op.self_at, None)
    fn.__globals__["_hook"] = op.method_front or op.front
    return fn


def inplace(op: OpDef) -> Any:
    """``Tensor.<name>_``: the hook's operands written into ``self``."""
    hook = op.inplace_front or op.front
    sig, at = inspect.signature(hook), op.self_at
    runs = REGISTRY[op.inplace_as] if op.inplace_as else op  # its own node name
    body = _INPLACE
    if op.tensor_only:  # PyTorch's TypeError names the in-place form, position 1
        other = [p for i, p in enumerate(sig.parameters) if i != at][0]
        body = f"    refuse_number_other(_name + '_', {other}, 1, {other!r})\n" + body
    fn = _generate(op.torch[0] + "_", op, body, _self_first(sig, at), sig, at, None, runs)
    fn.__globals__["_hook"] = hook  # (its own namespace: ``inplace_front`` where declared)
    return fn


def _generate(
    name: str,
    op: OpDef,
    body: str,
    public: inspect.Signature,
    hook: inspect.Signature,
    self_at: int | None,
    doc: str | None,
    runs: OpDef | None = None,
) -> Any:
    params, ns = [], {"__name__": MODULE}
    for i, p in enumerate(public.parameters.values()):
        if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            raise ValueError(f"op {op.name}: a front hook takes named parameters only")
        if p.kind is p.KEYWORD_ONLY and "*" not in params:
            params.append("*")
        if p.default is not p.empty:
            ns[f"_d{i}"] = p.default
        params.append(p.name + (f"=_d{i}" if p.default is not p.empty else ""))
    call = []
    for i, p in enumerate(hook.parameters.values()):
        arg = "self" if i == self_at else p.name
        call.append(arg if p.kind is p.POSITIONAL_OR_KEYWORD else f"{p.name}={arg}")
    if op.name in NO_GRAD:  # PyTorch refuses to record its complex form
        check = "    refuse_complex_grad(chosen, operands)\n"
        body = body.replace(_REFUSE_AFTER, _REFUSE_AFTER + check)
        ns["refuse_complex_grad"] = refuse_complex_grad
    ns.update(_hook=op.front, _op=runs or op, _registry=REGISTRY, _run=run)
    ns.update(_apply_inplace=apply_inplace, _write_out=write_out, _name=op.torch[0])
    ns.update(refuse_floats=refuse_floats, check_divisor=check_divisor, refuse_bool=refuse_bool)
    ns.update(refuse_number_other=refuse_number_other)
    source = f"def {name}({', '.join(params)}):\n" + body.format(call=", ".join(call))
    exec(compile(source, f"<jitgrad.ops front {name}>", "exec"), ns)  # noqa: S102
    fn = ns[name]
    fn.__qualname__, fn.__doc__, fn.__signature__ = name, doc, public
    return fn


def _self_first(sig: inspect.Signature, at: int) -> inspect.Signature:
    params = list(sig.parameters.values())
    tensor = params.pop(at).replace(name="self", annotation="Tensor")
    return sig.replace(parameters=[tensor, *params], return_annotation="Tensor")


def refuse_floats(op: OpDef, operands: tuple) -> None:
    """``integral`` (the declaration's data): PyTorch's error for a floating operand."""
    kernel = op.kernel or op.name
    for x in operands:
        if isinstance(x, Tensor) and x._dtype.is_floating_point or isinstance(x, float):
            what = x._dtype if isinstance(x, Tensor) else D.get_default_dtype()
            raise NotImplementedError(
                f"\"{kernel}_cpu\" not implemented for '{D.scalar_name(what)}'"
            )


def refuse_complex_grad(op: OpDef, operands: tuple) -> None:
    """PyTorch's error for an op it computes on a complex tensor but does not record."""
    x = operands[0]
    if GRAD.enabled and isinstance(x, Tensor) and x._requires_grad and x._dtype.is_complex:
        raise RuntimeError(NO_GRAD[op.name])


def refuse_bool(op: OpDef, operands: tuple) -> None:
    """``no_bool``: PyTorch's error for a bool result (``True << True``)."""
    if result_type(list(operands)) is D.bool_:
        raise NotImplementedError(f"\"{op.kernel or op.name}_cpu\" not implemented for 'Bool'")


def refuse_integral(op: OpDef, operands: tuple) -> None:
    """``no_integral``: PyTorch's error for an op with no integer kernel (``hypot``)."""
    dt = result_type(list(operands))
    if not (dt.is_floating_point or dt.is_complex):
        raise NotImplementedError(f"\"{op.kernel or op.name}_cpu\" not implemented for "
                                  f"'{D.scalar_name(dt)}'")  # fmt: skip


def refuse_number_other(name: str, other: Any, position: int = 1, param: str = "other") -> None:
    """``tensor_other``: PyTorch's overloads take Tensors only (``x.hypot_(2.0)``; position
    2 in the function form ``torch.hypot(x, 2.0)``); ``tensor_only``: the same, for a
    declaration with a hook (``heaviside_(0.5)`` names ``values``)."""
    if not isinstance(other, Tensor):
        kind = type(other).__name__
        raise TypeError(
            f"{name}(): argument '{param}' (position {position}) must be Tensor, not {kind}"
        )


def tensor_input(fn: Any, name: str) -> Any:
    """``fn`` refusing a Python number as its first argument, with PyTorch's "invalid
    combination" text listing its (Tensor, Tensor) and (Tensor, Number) overloads."""

    def checked(input: Any, other: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
        if not isinstance(input, Tensor):
            given = (input, other, *args)
            raise TypeError(format_invalid(name, given, kwargs, OVERLOADS["eq"]))
        return fn(input, other, *args, **kwargs)

    return _stand_in(checked, fn, name)


def tensors_only(fn: Any, name: str, method: bool, param: str = "other") -> Any:
    """``fn`` (input, other) behind PyTorch's parser for an op whose one schema takes two
    Tensors (``tensor_other``): a Python number is a TypeError naming the argument and the
    alias called (``arctan2()``, ``special_gammainc()``); ``method``: ``t.<name>(other)``,
    whose ``other`` is at position 1."""

    if method:

        def checked(self: Any, other: Any, *args: Any, **kwargs: Any) -> Any:
            refuse_number_other(name, other, 1, param)
            return fn(self, other, *args, **kwargs)

    else:

        def checked(input: Any, other: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
            if not isinstance(input, Tensor):
                kind = type(input).__name__
                raise TypeError(
                    f"{name}(): argument 'input' (position 1) must be Tensor, not {kind}"
                )
            refuse_number_other(name, other, 2, param)
            return fn(input, other, *args, **kwargs)

    return _stand_in(checked, fn, name.removeprefix("special_"))


def _stand_in(checked: Any, fn: Any, name: str) -> Any:
    """``checked`` named ``name`` and standing for ``fn`` as ``functools.wraps`` gives, its
    module included: the CUDA backend sorts ops by module (an elementwise module's ops reach
    the device kernels, not the host fallback)."""
    functools.update_wrapper(checked, fn)
    checked.__name__ = checked.__qualname__ = name
    return checked


def check_divisor(input: Any, other: Any) -> None:  # noqa: A002
    """PyTorch's error for an integer division by zero (a float one gives inf or nan)."""
    if not (isinstance(input, Tensor) or isinstance(other, Tensor)):
        return
    rt = result_type([input, other])
    if rt._category > 1:
        return
    # the divisor as the op's type sees it: 256 wraps to a uint8 0, as PyTorch casts it
    divisor = other._value if isinstance(other, Tensor) else np.int64(other)
    if (np.asarray(divisor).astype(rt.np) == 0).any():
        raise RuntimeError("ZeroDivisionError")
