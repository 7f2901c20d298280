"""Op declarations: the one place an op's forward, derivatives and fusion expression live.

An elementwise op is declared with :func:`defop` as expressions (see :mod:`.expr`). Its
per-op forward and backward kernels, its fused form and its differentiable (create_graph)
backward are all generated from that declaration, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from . import expr as E

#: The annotation of a ``front`` hook's tensor argument, as the public signature shows it
#: (the Tensor class sits above this layer).
Tensor = Any

#: How an op's result dtype follows from the promoted input dtype (REAL: a complex
#: input's part dtype, abs's).
SAME, FLOAT, BOOL, REAL = "same", "float", "bool", "real"


@dataclass(frozen=True, eq=False)  # identity hash: OpDefs key hot-path caches
class OpDef:
    """One elementwise op.

    ``expr`` computes the result from inputs ``a, b, c, d``; ``grads[i]`` is the gradient for
    input ``i`` from ``g`` (incoming gradient), ``out`` and the inputs, or ``None`` when that
    input is not differentiable. ``result`` says whether integer inputs give a float result
    (``FLOAT``: exp, div), a boolean one (``BOOL``: comparisons) or keep their dtype.
    ``node`` is the backward node's PyTorch name. ``ref`` is the numpy reference for tests.

    The public names are part of the declaration, so an op is added in one place:
    ``torch`` lists its ``torch.*`` functions (the first its own name, the rest aliases such
    as ``arcsin``), each also a ``Tensor`` method when ``method``; ``inplace`` adds the
    ``Tensor.<torch[0]>_`` form; ``special`` lists its ``torch.special.*`` names.
    ``frontend/functions.py`` generates them all (the function's ``__name__`` is ``name``).

    An op with its own argument handling declares it here too. ``front`` is a plain function
    whose signature and docstring become the public function's: it validates and normalizes
    the arguments (PyTorch's errors) and returns the operands, keyword parameters turned
    into kernel constants (logit's ``eps`` -> the clamp bounds), or :class:`Use` to run a
    sibling op (div's ``rounding_mode``). ``self_at`` is the tensor's position in it (1 for
    ``polygamma(n, input)``; the method takes it as ``self``). Dtype rules are data:
    ``integral`` refuses floating operands (the bitwise ops), ``zero_divisor`` an integer
    division by zero, ``no_bool`` a bool result (the shifts, ``floor_divide``), each with
    PyTorch's message, which names its CPU kernel ``kernel`` (``"lshift"``; default the
    op's name).
    ``no_derivative`` is for an op PyTorch computes but cannot differentiate
    (``floor_divide``): its node is PyTorch's ``NotImplemented``, whose backward raises
    ``derivative for <no_derivative> is not implemented``. ``doc`` replaces the generated
    docstring of a function without ``front``. ``inplace_as`` names a sibling op (same rules)
    that the in-place form runs where PyTorch names that node apart (``PolygammaBackward1``).
    """

    name: str
    arity: int
    expr: str
    grads: tuple[str | None, ...]
    ref: Callable
    result: str = SAME
    node: str = ""
    compute: str = ""  # "bool": inputs are cast to bool (logical ops)
    condition: bool = False  # input 0 is a boolean condition (where), never cast
    torch: tuple[str, ...] = ()
    method: bool = False
    inplace: bool = False
    special: tuple[str, ...] = ()
    front: Callable | None = None
    self_at: int = 0
    integral: bool = False
    zero_divisor: bool = False
    doc: str = ""
    inplace_as: str = ""  # the sibling op the in-place form runs (its own node name)
    #: complex operands (see :func:`complex_form`): the rules then, None if the op has no
    #: complex form; the forward when it differs; REAL for a real result (abs)
    complex_grads: tuple[str | None, ...] | None = None
    complex_expr: str = ""
    complex_result: str = ""
    kernel: str = ""  # PyTorch's CPU kernel name in its dtype errors (default: name)
    no_bool: bool = False
    no_derivative: str = ""  # PyTorch's name for the op in its "not implemented" error
    #: PyTorch's in-place form takes a Tensor ``other`` only (``hypot_(2.0)``: TypeError)
    tensor_other: bool = False
    no_integral: bool = False  # no integer or bool kernel (``"hypot_cpu" not implemented``)
    #: PyTorch has no overload with a number first: ``torch.copysign(2.0, t)`` is its
    #: "invalid combination of arguments" TypeError (the Tensor method is unaffected)
    tensor_input: bool = False
    #: PyTorch's function and in-place form take a Tensor ``other`` only (``gcd(x, 4)``), for
    #: a declaration with a ``front`` hook too (the in-place error names the hook's parameter)
    tensor_only: bool = False
    #: the in-place form's own hook (same parameters as ``front``) where PyTorch checks more
    #: there: ``float_power_``'s base must already have the result dtype
    inplace_front: Callable | None = None
    #: the method's own hook where PyTorch's parser words it differently: it counts
    #: positions after ``self`` (``x.mvlgamma(1.5)``: ``p`` is position 1, not 2)
    method_front: Callable | None = None

    @property
    def node_name(self) -> str:
        if self.no_derivative:
            return "NotImplemented"
        return self.node or f"{self.name.capitalize()}Backward0"

    @property
    def differentiable(self) -> bool:
        return self.result != BOOL and any(g is not None for g in self.grads)


REGISTRY: dict[str, OpDef] = {}


class _Omitted:
    """A front hook's default, shown as ``None``, where PyTorch picks its overload by whether
    the argument is given: ``div(a, b)`` is ``DivBackward0``, an explicit
    ``rounding_mode=None`` is ``div.Tensor_mode``, ``DivBackward2``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "None"


OMITTED = _Omitted()


class Use(tuple):
    """What a ``front`` hook returns to run another declared op instead of its own:
    ``Use((name, operands))`` (``div(rounding_mode='floor')`` runs ``div_floor``). A tuple
    subclass built by tuple's own constructor: no Python frame on a per-call path (a frozen
    dataclass's ``__init__`` cost about a microsecond)."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return self[0]

    @property
    def operands(self) -> tuple:
        return self[1]


def defop(
    name: str,
    expr: str,
    grads: tuple[str | None, ...],
    ref: Callable,
    *,
    result: str = SAME,
    node: str = "",
    compute: str = "",
    condition: bool = False,
    torch: bool | str | tuple[str, ...] = False,
    method: bool = False,
    inplace: bool = False,
    special: str | tuple[str, ...] = (),
    front: Callable | None = None,
    self_at: int = 0,
    integral: bool = False,
    zero_divisor: bool = False,
    doc: str = "",
    inplace_as: str = "",
    complex: bool | tuple[str | None, ...] = False,  # noqa: A002 - the complex form's rules
    complex_expr: str = "",
    complex_result: str = "",
    kernel: str = "",
    no_bool: bool = False,
    no_derivative: str = "",
    tensor_other: bool = False,
    no_integral: bool = False,
    tensor_input: bool = False,
    tensor_only: bool = False,
    inplace_front: Callable | None = None,
    method_front: Callable | None = None,
) -> OpDef:
    """Declare an elementwise op; validated here so a bad declaration fails at import.

    ``torch=True`` names the op's ``torch.*`` function after the op, a string or tuple
    names it (and its aliases) otherwise; see :class:`OpDef` for the other public names."""
    cgrads = (grads if complex is True else complex) or None
    _validate(name, expr, (*grads, complex_expr, *(cgrads or ())), len(grads))
    names = _names(name, torch)
    if (method or inplace) and not names:
        raise ValueError(f"op {name}: a Tensor method needs a torch name")
    specials = (special,) if isinstance(special, str) else tuple(special)
    public = (names, method, inplace, specials, front, self_at, integral, zero_divisor, doc)
    public += (inplace_as, cgrads, complex_expr, complex_result, kernel, no_bool, no_derivative)
    public += (tensor_other, no_integral, tensor_input, tensor_only, inplace_front, method_front)
    op = OpDef(name, len(grads), expr, tuple(grads), ref, result, node, compute, condition, *public)
    REGISTRY[name] = op
    return op


def _validate(name: str, expr: str, rules: tuple[str | None, ...], arity: int) -> None:
    """A declaration's expressions use only its operands (and ``g``/``out`` in rules)."""
    inputs = {"a", "b", "c", "d"}
    expected = inputs.intersection(["a", "b", "c", "d"][:arity])
    if not E.free_names(expr) & inputs <= expected or "g" in E.free_names(expr):
        raise ValueError(f"op {name}: forward expression {expr!r} does not fit arity {arity}")
    for rule in rules:
        if rule and not E.free_names(rule) <= expected | {"g", "out"}:
            raise ValueError(f"op {name}: rule {rule!r} uses an unknown name")
    if name in REGISTRY:
        raise ValueError(f"op {name} declared twice")


def _names(name: str, torch: bool | str | tuple[str, ...]) -> tuple[str, ...]:
    if torch is True:
        return (name,)
    if isinstance(torch, str):
        return (torch,)
    return tuple(torch or ())


_COMPLEX_FORMS: dict[OpDef, OpDef] = {}


def complex_form(op: OpDef) -> OpDef | None:
    """``op`` as it runs on complex values (None where it has none): the same op (name, node,
    public names) with its complex forward and rules. PyTorch's convention for complex
    autograd: the gradient of a real loss with respect to ``z = x + iy`` is ``dL/dx + i dL/dy``,
    so a holomorphic ``w = f(z)`` passes back ``g * conj(f'(z))`` (``mul``: ``g * conj(b)``),
    and a real operand that met a complex value receives the real part (the lowering's cast).
    Declared with the op (``defop(complex=...)``): lowered, fused and differentiated like
    every declaration."""
    form = _COMPLEX_FORMS.get(op)
    if form is None and op.complex_grads is not None:
        form = replace(
            op,
            expr=op.complex_expr or op.expr,
            grads=op.complex_grads,
            result=op.complex_result or op.result,
            complex_grads=None,
        )
        _COMPLEX_FORMS[op] = _COMPLEX_FORMS[form] = form  # (a form is its own)
    return form
