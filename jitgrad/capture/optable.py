"""What capture can record, derived from the op declarations: one form per way an op is called.

A *form* is a declared elementwise op (:func:`jitgrad.ops.registry.defop`) with each of its
inputs ``a, b, c`` read from a column of an interpreter row: ``"x"``, ``"y"`` (the operands'
slots) or ``"c0"``, ``"c1"`` (the row's constants: ``x * 2`` is ``mul`` with ``b`` from
``c0``). Every declared op with a ``torch.*`` name, one or two inputs and a derivative is a
form under its own name with its inputs in ``x`` and ``y``, so a newly declared op is captured
with no edit here; :data:`_NUMBER_FORMS` adds the forms with Python numbers (``x * 2``,
``2 - x``, ``x ** 0.5``, clamp's and softplus's parameters).

From the forms come the interpreter's op codes (:mod:`.interp`) and the straight-line
templates (:mod:`.straight`): a form's forward is one code; each tensor input's derivative is
one code reading the incoming gradient at ``x`` and the tensors its rule needs at ``y`` and
``z`` (the row's ``aux``), numbers from ``c0``/``c1``. The formulas are the declarations'
expressions lowered by :func:`jitgrad.fusion.lowering.lower` for the tape's dtype, as the
eager kernels' are, so a replay rounds as eager does. Codes
with the same rendered formula are one code (``mul``'s two derivatives, ``g * y``).

A :class:`Row` maps an op as recorded onto its codes: ``grads`` has per tensor input the
backward code and the tape operands (``"a"``/``"b"``: the tensor inputs in order, ``"out"``)
it reads at ``y`` and ``z``. Ops whose backward is not elementwise (sums, means, softmax,
stack, unbind, select) are written out in :mod:`.tape`; their rows name no grads.
"""

from __future__ import annotations

from typing import NamedTuple

from ..fusion import codegen as C
from ..fusion import lowering as L
from ..ops import elementwise as _declared  # noqa: F401 - the declarations register themselves
from ..ops import expr as E
from ..ops.registry import BOOL, REGISTRY, OpDef
from ..ops.saved_record import ROLES


class Row(NamedTuple):
    forward: str
    #: per tensor input: (backward code, operand it reads at y or None, at z or None), or
    #: None where the declaration has no derivative for it
    grads: tuple[tuple[str, str | None, str | None] | None, ...]
    #: node name eager gives the op (what explain reports)
    node: str


class Code(NamedTuple):
    """One interpreter code: declaration ``op``'s forward (``grad`` None) or the derivative
    of its input ``grad``, its variables read from the columns ``names`` maps them to (``g``
    always from ``g``)."""

    name: str
    op: OpDef
    grad: int | None
    names: tuple[tuple[str, str], ...]

    @property
    def expr(self) -> str:
        return self.op.expr if self.grad is None else self.op.grads[self.grad]  # type: ignore[return-value]


#: forms with Python numbers: name -> (declared op, column of each input, node if not its own)
_NUMBER_FORMS = {
    "addc": ("add", ("x", "c0"), ""), "subc": ("sub", ("x", "c0"), ""),
    "mulc": ("mul", ("x", "c0"), ""), "divc": ("div", ("x", "c0"), ""),
    "rsubc": ("sub", ("c0", "x"), "RsubBackward1"),
    "add_scaled": ("add_scaled", ("x", "y", "c0"), ""),
    "sub_scaled": ("sub_scaled", ("x", "y", "c0"), ""),
    "softplus": ("softplus", ("x", "c0", "c1"), ""),
    "square": ("square", ("x",), ""), "cube": ("cube", ("x",), ""),
    "powc": ("pow", ("x", "c0"), "PowBackward0"), "rpowc": ("pow", ("c0", "x"), "PowBackward2"),
    "clamp": ("clamp", ("x", "c0", "c1"), "ClampBackward1"),
    "add": ("add", ("x", "y"), ""), "sub": ("sub", ("x", "y"), ""),
    "div": ("div", ("x", "y"), ""),
    # nn.functional's activations (no torch.* name, so not automatic): numbers in c0/c1
    "gelu": ("gelu", ("x",), ""), "gelu_tanh": ("gelu_tanh", ("x",), ""),
    "silu": ("silu", ("x",), ""), "mish": ("mish", ("x",), ""),
    "log_sigmoid": ("log_sigmoid", ("x",), ""), "leaky_relu": ("leaky_relu", ("x", "c0"), ""),
    "elu": ("elu", ("x", "c0", "c1"), ""), "celu": ("celu", ("x", "c0", "c1"), ""),
    "selu": ("selu", ("x", "c0", "c1"), ""), "hardtanh": ("hardtanh", ("x", "c0", "c1"), ""),
}  # fmt: skip

#: declarations only nn.functional's activations reach: one family of codes
#: (:data:`.interp.FAMILY_GROUPS`), so a loop that needs one of them gets them all
RARE_OPS = frozenset(
    "gelu gelu_tanh silu mish log_sigmoid leaky_relu elu celu selu hardtanh".split()
)

#: the codes :mod:`.interp` writes by hand (moves, the reductions' spread gradients)
STRUCTURAL_FORWARD = ("copy", "fill")
STRUCTURAL_BACKWARD = ("b_g", "b_sum", "b_mean", "b_zero")


def _automatic(op: OpDef) -> bool:
    """Whether a declared op is captured under its own name, its inputs tensors."""
    return (bool(op.torch) and op.arity <= 2 and op.differentiable and op.result != BOOL
            and not op.compute and not op.condition)  # fmt: skip


def _forms() -> dict[str, tuple[OpDef, tuple[str, ...], str]]:
    """name -> (declaration, column of each input, node name). The commonest first: the
    interpreter tests codes in this order."""
    forms = {n: (REGISTRY[op], cols, node or REGISTRY[op].node_name)
             for n, (op, cols, node) in _NUMBER_FORMS.items()}  # fmt: skip
    first = ("mul", "add", "neg", "exp", "log", "tanh", "sigmoid", "relu", "reciprocal", "sqrt",
             "rsqrt", "abs", "maximum", "minimum", "sin", "cos", "log1p", "expm1")  # fmt: skip
    order = [*first, *(n for n in REGISTRY if n not in first)]
    for name in order:
        op = REGISTRY[name]
        if name not in forms and _automatic(op):
            forms[name] = (op, ("x", "y")[: op.arity], op.node_name)
    lead = ("mul", "add", "sub", "div", "addc", "subc", "mulc", "divc")
    return {n: forms[n] for n in (*lead, *(n for n in forms if n not in lead))}


def _derivative(op: OpDef, cols: tuple[str, ...], i: int) -> tuple[tuple, tuple] | None:
    """Input ``i``'s derivative code (its variables -> columns) and the tape operands it
    reads at y and z; None when the rule needs more than two tensors."""
    rule = op.grads[i]
    if rule is None:
        return None
    names = {"g": "g"}
    tensors: list[str] = []  # tape operands in the order the rule's variables come
    tape_name = {"x": "a", "y": "b"}
    for var in sorted(E.free_names(rule) - {"g"}, key=("a", "b", "c", "out").index):
        col = "out" if var == "out" else cols[ROLES.index(var)]
        if col in ("c0", "c1"):
            names[var] = col
            continue
        if len(tensors) == 2:
            return None
        names[var] = "yz"[len(tensors)]
        tensors.append("out" if var == "out" else tape_name[col])
    return tuple(sorted(names.items())), (*tensors, None, None)[:2]


def _key(code: Code) -> tuple[str, ...]:
    """What makes two codes one: their formulas as rendered for each dtype."""
    cols = {col: col for _, col in code.names}
    return tuple(render(code, d, cols) for d in _DTYPES)


_DTYPES = ("float32", "float64")


def build() -> tuple[dict[str, Row], list[Code], list[Code], dict[str, str]]:
    """The rows, the forward and backward codes (one per distinct formula), and each form's
    code name -> the code that computes it (``b_mul_b`` -> ``b_mul_a``: both ``g * y``)."""
    table: dict[str, Row] = {}
    codes: tuple[list[Code], list[Code]] = ([], [])
    alias: dict[str, str] = {}
    seen: dict[tuple, str] = {(True, *_key(Code("b_g", REGISTRY["add"], 0, (("g", "g"),)))): "b_g"}

    def code_for(code: Code) -> str:
        backward = code.grad is not None
        key = (backward, *_key(code))
        have = seen.get(key)
        if have is None:
            have = seen[key] = code.name
            codes[backward].append(code)
        alias[code.name] = have
        return have

    for name, (op, cols, node) in _forms().items():
        grads = [(i, _derivative(op, cols, i)) for i, c in enumerate(cols) if c in ("x", "y")]
        if any(got is None for _, got in grads):
            continue  # a derivative reads three tensors: not a form the rows can hold
        fnames = tuple(sorted((ROLES[i], c) for i, c in enumerate(cols)))
        forward = code_for(Code(name, op, None, fnames))
        row = []
        for i, (names, reads) in grads:  # type: ignore[misc]
            row.append((code_for(Code(f"b_{name}_{ROLES[i]}", op, i, names)), *reads))
        table[name] = Row(forward, tuple(row), node)
    return table, codes[0], codes[1], alias


def _reduction_rows() -> dict[str, Row]:
    return {
        "sum": Row("sum", (), "SumBackward0"), "sum_dim": Row("sum", (), "SumBackward1"),
        "mean": Row("mean", (), "MeanBackward0"), "mean_dim": Row("mean", (), "MeanBackward1"),
        "softmax": Row("softmax", (), "SoftmaxBackward0"),
        "mse_loss": Row("mean", (), "MseLossBackward0"),
        "stack": Row("copy", (), "StackBackward0"), "unbind": Row("copy", (), "UnbindBackward0"),
        "select": Row("copy", (), "SelectBackward0"),
        # a reshape of contiguous data: the same elements in the same order (its slot aliases
        # its input's), the gradient passed through unchanged
        "view": Row("copy", (("b_g", None, None),), "ViewBackward0"),
        "unsqueeze": Row("copy", (("b_g", None, None),), "UnsqueezeBackward0"),
    }  # fmt: skip


def render(code: Code, dtype: str, columns: dict[str, str]) -> str:
    """``code``'s formula as Numba source computing in ``dtype`` (``float32``/``float64``),
    each column read by the text ``columns`` gives for it. Rendered by the one lowering
    (:func:`jitgrad.fusion.lowering.lower`, a group of one op whose operands are scalar
    arguments named after the columns), so it is the eager kernel's statement for that op."""
    op, cols = code.op, dict(code.names)
    operands = tuple((L.ARG, _HOLE + cols[r], None) if r in cols else (L.UNUSED,)
                     for r in ROLES[: op.arity])  # fmt: skip
    args = tuple((_HOLE + c, True) for c in sorted(set(cols.values())))
    if code.grad is None:
        member = L.Apply(op, dtype, dtype, operands)
        outputs = (("out", ("value", 0), C.STORE, dtype),)
        stmts = L.lower(L.Group(code.name, (member,), args, outputs, 0)).stmts
        text = stmts[-1][1]
    else:
        grads = tuple((L.GRAD, 0, dtype) if i == code.grad else None for i in range(op.arity))
        out = (L.ARG, _HOLE + cols["out"], None) if "out" in cols else None
        member = L.Apply(op, dtype, dtype, operands, grads, out)
        outputs = (("d", (L.GRAD, 0), C.STORE, dtype),)
        group = L.Group(code.name, (member,), args, outputs, 0, grad_in=(_HOLE + "g", dtype))
        stmts = dict(L.lower(group).stmts)
        tag = f"{op.name}0"  # the lowering's names: g_<tag> arriving, d_<tag>_<role> the rule
        text = stmts[f"d_{tag}_{ROLES[code.grad]}"].replace(f"g_{tag}", _HOLE + "g")
    for col in sorted(set(cols.values()), key=len, reverse=True):
        text = text.replace(_HOLE + col, columns[col])
    return text


#: the prefix of the argument names a formula is lowered with (replaced by column reads)
_HOLE = "COL_"


def columns(code: Code) -> tuple[str, ...]:
    """The columns a code reads, in the order x (or g), y, z, c0, c1."""
    used = {col for _, col in code.names}
    return tuple(k for k in ("x", "g", "y", "z", "c0", "c1") if k in used)


#: op -> row; FORWARD/BACKWARD: the generated codes; ALIAS: each form's code names -> the
#: code computing it
TABLE, FORWARD, BACKWARD, ALIAS = build()
TABLE.update(_reduction_rows())

#: binary op -> its form with a Python number as the second operand
WITH_NUMBER = {"add": "addc", "sub": "subc", "mul": "mulc", "div": "divc"}
#: declared ops captured under their own name (the trace's handlers are made for them)
AUTOMATIC = {n: REGISTRY[n] for n in TABLE if n in REGISTRY and _automatic(REGISTRY[n])}
