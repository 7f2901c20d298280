"""create_graph gradients named as PyTorch 2.13 prints them (``grad.grad_fn``;
tests/fixtures/create_graph_names_torch.json).

PyTorch computes ``tanh``'s gradient by ``tanh_backward(grad, result)``, an op with its own
derivative, so its create_graph gradient is one ``TanhBackwardBackward0`` node; ``relu``'s is
a ``ThresholdBackwardBackward0`` reading the incoming gradient and the result, whose
gradients are the incoming gradient's mask and zeros (a second derivative exists, zero).
jitgrad evaluates the declared rule over Tensors instead (``pointwise_backward._rule_graphs``);
here is how that graph takes PyTorch's names:

- the piecewise-linear activations (:data:`PIECEWISE_LINEAR`: relu, threshold, hardtanh,
  leaky_relu, rrelu, the shrinks): one node holding the lowered kernel's value, no rule op
  run in the forward; its backward is the rule with the new incoming gradient for ``g``
  (:func:`_linear_backward`). A graph of ``where`` ops reached ``g`` only: asked for the
  gradient with respect to the input, it raised "does not require grad";
- the other ops PyTorch differentiates by a kernel (tanh, sigmoid, elu, gelu, softplus...):
  the rule's graph with its last node under PyTorch's name (:func:`named_top`; the nodes
  below it are the rule's, not PyTorch's one ``TanhBackward0`` edge). A node of their own
  would sweep the rule's graph inside the backward: measured 1.75x the step of
  perf/bench_create_graph.py (perf/RESULTS.md, Run cgnames);
- a number written in a rule (``g * 0.5``) is a C++ double in PyTorch's formula: the op on it
  is ``MulBackward1``, ``AddBackward1``... (:func:`scalar_nodes`).
"""

from __future__ import annotations

import ast
from functools import cache, partial
from typing import Any

from ..engine.sweep import next_sequence
from ..ops import expr as E
from .creation import zeros_like
from .recording import node_class, record
from .tensor import Tensor

#: op name -> PyTorch 2.13's node for its create_graph gradient (``grad.grad_fn.name()``,
#: tests/fixtures/create_graph_names_torch.json): the ops whose backward is a kernel of its
#: own in PyTorch (``tanh_backward``, ``threshold_backward``, ``elu_backward``...)
SECOND_ORDER_NODES = {
    "celu": "EluBackwardBackward0",
    "elu": "EluBackwardBackward0",
    "selu": "EluBackwardBackward0",
    "gelu": "GeluBackwardBackward0",
    "gelu_tanh": "GeluBackwardBackward0",
    "hardshrink": "HardshrinkBackwardBackward0",
    "hardswish": "HardswishBackwardBackward0",
    "hardtanh": "HardtanhBackwardBackward0",
    "leaky_relu": "LeakyReluBackwardBackward0",
    "log_sigmoid": "LogSigmoidBackwardBackward0",
    "relu": "ThresholdBackwardBackward0",
    "rrelu": "RreluWithNoiseBackwardBackward0",
    "sigmoid": "SigmoidBackwardBackward0",
    "softplus": "SoftplusBackwardBackward0",
    "softshrink": "SoftshrinkBackwardBackward0",
    "tanh": "TanhBackwardBackward0",
    "threshold": "ThresholdBackwardBackward0",
}


@cache
def rule_names(rule: str) -> frozenset:
    """The variables (``g``, ``a``..., ``out``) a rule's text reads."""
    tree = ast.parse(rule, mode="eval")
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name)) - called


#: The listed ops whose rules are linear in ``g`` and read the operands and the result only
#: in a ``where`` condition: their rule's graph reaches ``g`` alone, so the gradient is one
#: node of :func:`gradient_node` (PyTorch's zeros for the input); the others' is the rule's
#: graph with its last node named as PyTorch's (:func:`named_top`).
PIECEWISE_LINEAR = frozenset(
    ("relu", "threshold", "hardtanh", "leaky_relu", "rrelu", "hardshrink", "softshrink")
)


#: the operators a rule's last op may be recorded for without its kernel (:func:`last_op`)
_LAST_OPERATORS = {ast.Mult: "mul", ast.Add: "add", ast.Sub: "sub", ast.Div: "div"}


@cache
def last_op(rule: str) -> tuple[str, Any] | None:
    """A rule's last op (the declared op its top operator runs) and its operands as one
    compiled tuple expression: ``g * cos(a)`` -> ``("mul", <(g, cos(a))>)``, ``-g`` ->
    ``("neg", <(g,)>)``; None for any other last op (a call, a power: their functions pick
    among ops themselves). Python evaluates the operands left to right, then the operator:
    the tuple records the same nodes in the same order as the whole rule."""
    top = E.parse(rule)
    if isinstance(top, ast.BinOp) and type(top.op) in _LAST_OPERATORS:
        name, operands = _LAST_OPERATORS[type(top.op)], (top.left, top.right)
    elif isinstance(top, ast.UnaryOp) and isinstance(top.op, ast.USub):
        name, operands = "neg", (top.operand,)
    else:
        return None
    text = "(" + "".join(ast.unparse(x) + ", " for x in operands) + ")"
    return name, compile(text, "<jitgrad-expr>", "eval")


def operator_operands(name: str, operands: list) -> tuple | None:
    """The operands in the order the Tensor operator passes them to its op (``2 * x`` is
    ``mul(x, 2)``, ``__rmul__``; ``1 - x`` is ``sub(1, x)``, RsubBackward1), or None where
    the operator is not one op call on them (``1 / x`` is ``reciprocal(x) * 1``)."""
    a = operands[0]
    if len(operands) == 1:
        return operands if isinstance(a, Tensor) else None
    b = operands[1]
    if isinstance(a, Tensor):
        return operands if isinstance(b, Tensor) or type(b) in (int, float) else None
    if not (isinstance(b, Tensor) and type(a) in (int, float)):
        return None
    if name in ("mul", "add"):
        return (b, a)
    return operands if name == "sub" else None


def named_top(grad: Any, name: str | None, first: int) -> None:
    """Show the last node of a rule's graph (recorded since ``first``) under ``name``."""
    fn = grad.grad_fn
    if name is not None and fn is not None and fn._seq >= first:
        fn.__class__ = node_class(name, type(fn))


def dedicated(op: Any, args: tuple, out_shape: tuple, cdt: Any) -> str | None:
    """PyTorch's node name when ``op``'s create_graph gradients are one node each here: a
    listed op whose Tensor operands all have the result's shape and the compute dtype (no
    broadcast sum or cast after the rule, which PyTorch would record as nodes of their own)."""
    name = SECOND_ORDER_NODES.get(op.name)
    if name is None:
        return None
    for x in args:
        if isinstance(x, Tensor) and (x.shape != out_shape or x._dtype is not cdt):
            return None
    return name


def gradient_node(name: str, rule: str, env: dict, value: Any, namespace: Any):
    """The gradient ``value`` (a Tensor, the kernel's) as the output of node ``name``, whose
    inputs are the Tensors the rule reads, ``g`` first (PyTorch's order: grad, then self or
    the result)."""
    used = rule_names(rule)
    names = [k for k in ("g", "a", "b", "c", "d", "out") if k in used]
    inputs = [env[k] for k in names if isinstance(env[k], Tensor)]
    backward = partial(_linear_backward, rule, {k: env[k] for k in names}, namespace)
    return record(name, value._value, value._dtype, inputs, backward)


def _linear_backward(rule: str, env: dict, namespace: Any, gg: Any) -> tuple:
    """The node's gradients, from the declaration: the rule is linear in ``g`` and reads the
    other operands only in ``where`` conditions (:data:`PIECEWISE_LINEAR`), so its
    derivative is the rule itself with ``gg`` for ``g`` (a graph of its own under
    create_graph), and zeros for the operands and the result, as PyTorch's
    ``threshold_backward`` derivative gives for ``self``."""
    result = []
    for key, t in env.items():
        if not isinstance(t, Tensor):
            continue
        if not t._requires_grad:
            result.append(None)
        elif key == "g":
            result.append(E.evaluate(rule, {**env, "g": gg}, namespace()))
        else:
            result.append(zeros_like(t))  # (on t's device)
    return tuple(result)


#: (op, operand kinds) -> PyTorch's node for a rule's op on a Python number: its formulas are
#: C++, where ``grad * 0.5`` is ``mul.Scalar`` (MulBackward1); the same op in Python,
#: ``x * 0.5``, wraps the number as a tensor (MulBackward0, what the op records)
SCALAR_NODES = {
    ("mul", "ts"): "MulBackward1",
    ("mul", "st"): "MulBackward1",
    ("add", "ts"): "AddBackward1",
    ("add", "st"): "AddBackward1",
    ("sub", "ts"): "SubBackward1",
    ("div", "ts"): "DivBackward1",
}


def _tensor_edges(node: Any) -> tuple:
    """A ``.Scalar`` node's ``next_functions``: one edge, its tensor operand's (PyTorch's
    ``mul.Scalar`` has no input for the number; jitgrad's node keeps the number's edge,
    ``(None, 0)``, as its sweep routes gradients by operand position)."""
    skip = node.smask.index("s")
    return tuple(e for k, e in enumerate(zip(node._next, node._nrs)) if k != skip)


_scalar_classes: dict[tuple, type] = {}


def _scalar_class(name: str, base: type) -> type:
    """``node_class(name, base)`` whose ``next_functions`` leaves out the number's edge."""
    cls = _scalar_classes.get((name, base))
    if cls is None:
        edges = property(_tensor_edges, base.next_functions.fset, doc=_tensor_edges.__doc__)
        body = {"__slots__": (), "next_functions": edges}
        cls = _scalar_classes[(name, base)] = type(name, (base,), body)
    return cls


def start() -> int:
    """A sequence number below every node recorded from now on (:func:`scalar_nodes`)."""
    return next_sequence()


@cache
def rule_numbers(rule: str) -> frozenset:
    """The numbers written in a rule's text (and their negatives: ``-0.5`` parses as a
    negated literal)."""
    tree = ast.parse(rule, mode="eval")
    found = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    return frozenset(v for x in found if isinstance(x, int | float) for v in (x, -x))


def scalar_nodes(grad: Any, rule: str, first: int, scalars: frozenset = frozenset()) -> None:
    """Rename the nodes of a rule's graph (recorded since ``first``) that apply an op to a
    number written in the rule, or to one of the op's ``Scalar`` parameters (``scalars``:
    ``alpha``...), as PyTorch's C++ formulas do (:data:`SCALAR_NODES`). Any other
    Python-number operand of the forward op (``x * 0.5``'s 0.5) is a wrapped tensor in
    PyTorch's formula (``grad * other``: MulBackward0), so it does not count."""
    numbers = rule_numbers(rule) | scalars
    if not numbers:
        return
    todo = [grad.grad_fn]
    seen = set()
    while todo:
        fn = todo.pop()
        if fn is None or fn._seq < first or id(fn) in seen:
            continue
        seen.add(id(fn))
        op = getattr(fn, "op", None)
        smask = getattr(fn, "smask", None)
        name = None if op is None else SCALAR_NODES.get((op.name, smask))
        if name is not None and fn.args[smask.index("s")] in numbers:
            fn.__class__ = _scalar_class(name, type(fn))
        todo.extend(f for f, _ in fn.next_functions)
