"""Programs whose result's ``next_functions`` (nested three deep) PyTorch records into
tests/fixtures/edge_form_torch.json (tests/fixtures/make_edge_form_torch.py) and
tests/test_edge_form.py compares: output numbers of 0, of 1-63 and of 64 and more, inputs
that need no gradient, one leaf used twice, each way a node is recorded (the elementwise
one- and two-operand lanes, the listed-operand lane, a scalar's padded edge, ``record``,
the softmax and unbind lanes' ``record_one``), with and without anomaly mode. Each
program takes the library ``m`` and returns ``(result, leaf)``. Imports nothing."""

from __future__ import annotations

from typing import Any


def _pieces(m: Any) -> tuple:
    w = m.arange(70, dtype=m.float32, requires_grad=True)
    return (w * 0.5 + 1).unbind(0), w


def one_operand_nr65(m: Any) -> tuple:
    u, w = _pieces(m)
    return m.exp(u[65]), w


def scalar_padded_nr65(m: Any) -> tuple:
    u, w = _pieces(m)
    return u[65] * 2, w


def scalar_padded_nr7(m: Any) -> tuple:
    u, w = _pieces(m)
    return u[7] + 3, w


def two_operands_nr65_nr3(m: Any) -> tuple:
    u, w = _pieces(m)
    return u[65] * u[3], w


def two_operands_nr0_nr5(m: Any) -> tuple:
    u, w = _pieces(m)
    return u[0] - u[5], w


def two_operands_same_leaf(m: Any) -> tuple:
    x = m.tensor(1.5, requires_grad=True)
    return x * x, x


def leaf_and_no_grad(m: Any) -> tuple:
    x = m.tensor(1.5, requires_grad=True)
    return m.tensor(2.0) * x, x


def listed_where(m: Any) -> tuple:
    u, w = _pieces(m)
    return m.where(u[1] > 0, u[66], u[2]), w


def listed_addcmul(m: Any) -> tuple:
    u, w = _pieces(m)
    return m.addcmul(u[9], u[66], u[0]), w


def softplus_nr66(m: Any) -> tuple:
    u, w = _pieces(m)
    return m.nn.functional.softplus(u[66]), w


def stack_mixed(m: Any) -> tuple:
    u, w = _pieces(m)
    x = m.tensor(0.25, requires_grad=True)
    s = m.stack([u[1], x, u[66], m.tensor(3.0), u[0]], dim=0)
    return (s * m.arange(5, dtype=m.float32)).sum(), w


def softmax_list(m: Any) -> tuple:
    u, w = _pieces(m)
    parts = list(m.nn.functional.softmax(m.stack([u[2], u[68], u[3], u[0]], dim=0), dim=0))
    return parts[3] * parts[1] + parts[2], w


def sum_of_list(m: Any) -> tuple:
    u, w = _pieces(m)
    return sum([u[64], u[0], u[12], u[69]]), w


def anomaly_two_operands(m: Any) -> tuple:
    with m.autograd.detect_anomaly():
        u, w = _pieces(m)
        return u[65] * u[3], w


def anomaly_softplus(m: Any) -> tuple:
    with m.autograd.detect_anomaly():
        u, w = _pieces(m)
        return m.nn.functional.softplus(u[66]) + u[1], w


CASES = [
    one_operand_nr65,
    scalar_padded_nr65,
    scalar_padded_nr7,
    two_operands_nr65_nr3,
    two_operands_nr0_nr5,
    two_operands_same_leaf,
    leaf_and_no_grad,
    listed_where,
    listed_addcmul,
    softplus_nr66,
    stack_mixed,
    softmax_list,
    sum_of_list,
    anomaly_two_operands,
    anomaly_softplus,
]


def describe(node: Any, depth: int = 3) -> Any:
    """``node``'s name and its ``next_functions`` as ``[child, output_nr]`` pairs, nested
    ``depth`` deep (a child past that depth as its name only); None for no node."""
    if node is None:
        return None
    if depth == 0:
        return node.name()
    return [node.name(), [[describe(n, depth - 1), nr] for n, nr in node.next_functions]]


def identity_facts(node: Any) -> dict:
    """What two reads of ``next_functions`` share: the tuple, an edge, the nodes in it."""
    a, b = node.next_functions, node.next_functions
    return {
        "tuple_is_same": a is b,
        "equal": a == b,
        "edge_is_same": a[0] is b[0],
        "node_is_same": a[0][0] is b[0][0],
        "type": type(a).__name__,
        "edge_type": type(a[0]).__name__,
    }


def same_leaf_node(node: Any) -> bool:
    """Whether both edges of ``x * x`` name one AccumulateGrad object."""
    nf = node.next_functions
    return nf[0][0] is nf[1][0]
