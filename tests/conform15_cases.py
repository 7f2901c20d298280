"""Session 15's conformance snippets, run under PyTorch by fixtures/make_conform15_torch.py
and under jitgrad by tests/test_conformance15.py (neither computes the other's answers).

Each snippet is Python source run with ``torch`` (the library under test), ``I`` (its
``tensor``) and ``graph`` (a node's name and ``next_functions``, nested) in scope; it leaves
its answer in ``out`` as plain data. An exception is the answer ``[type name, message]``.
"""

from __future__ import annotations

from typing import Any


def graph(node: Any, depth: int = 3) -> Any:
    """``node``'s name with its edges (``None`` for an edge to nothing), ``depth`` levels."""
    if node is None:
        return None
    if depth == 0:
        return node.name()
    return [node.name(), [[graph(n, depth - 1), nr] for n, nr in node.next_functions]]


#: multi-output ops recorded as one node (PyTorch's ``AminmaxBackward0`` for both outputs)
JOINT = {
    f"{op}-{tag}": f"""
x = torch.tensor([[1., 3., 3., -2.], [2., -1., 2., 0.5], [4., 4., 0., 1.]], dtype=torch.float64,
                 requires_grad=True)
a, b = torch.{op}(x{args})
w = torch.arange(float(b.numel()), dtype=torch.float64).reshape(b.shape)
ga, gb = torch.autograd.grad((a * w * 2 + b * w - 1).sum(), x, retain_graph=True)[0], None
out = [a.grad_fn is b.grad_fn, a.grad_fn.name(), b.grad_fn.name(), a.output_nr, b.output_nr,
       graph(a.grad_fn), graph(b.grad_fn), ga.tolist(),
       torch.autograd.grad(b.sum(), x)[0].tolist()]
"""
    for op, tag, args in (
        ("aminmax", "all", ""), ("aminmax", "dim1", ", dim=1"),
        ("aminmax", "dim0-keep", ", dim=0, keepdim=True"),
        ("std_mean", "all", ""), ("std_mean", "dim1", ", dim=1"),
        ("std_mean", "dim0-c0", ", 0, correction=0, keepdim=True"),
        ("var_mean", "all", ""), ("var_mean", "dim1", ", 1"), ("var_mean", "bool", ", False"),
    )
}
JOINT["aminmax-nograd"] = """
x = torch.tensor([1., 3., -2.], requires_grad=True)
with torch.no_grad():
    a, b = torch.aminmax(x)
out = [a.grad_fn, b.grad_fn, a.requires_grad, a.output_nr, b.output_nr]
"""
JOINT["std_mean-create-graph"] = """
x = torch.tensor([[1., 3., 3.], [2., -1., 2.]], dtype=torch.float64, requires_grad=True)
s, m = torch.std_mean(x, dim=1)
g, = torch.autograd.grad((s * s * m).sum(), x, create_graph=True)
out = [g.tolist(), torch.autograd.grad(g.sum(), x)[0].tolist()]
"""
JOINT["var_mean-backward-twice"] = """
x = torch.tensor([1., 3., 3.], requires_grad=True)
v, m = torch.var_mean(x)
(v + m).backward()
(v + m).backward()
"""
for _k, _op in enumerate(("aminmax(x, dim=0)", "aminmax(x, dim=0)", "std_mean(x, 0)",
                          "std_mean(x, 0)", "var_mean(x, 0)")):
    JOINT[f"modified-output-{_k % 2}-{_op.split('(')[0]}"] = f"""
x = torch.tensor([[1., 3., 3.], [2., -1., 2.]], dtype=torch.float64, requires_grad=True)
outs = torch.{_op}
with torch.no_grad():
    outs[{_k % 2}].mul_(2)
sum(o.sum() for o in outs).backward()
out = x.grad.tolist()
"""

#: index_add / index_copy / index_fill / index_select calls: the result or PyTorch's error
#: (``x = torch.zeros(3, 4)``)
INDEX_CALLS = [
    "torch.index_add(x, 0, I([0, 1]), torch.ones(3, 4))",
    "torch.index_add(x, 0, I([0, 1, 2]), torch.ones(2, 4))",
    "torch.index_add(x, 1, I([0, 1]), torch.ones(3, 3))",
    "torch.index_add(x, 0, I([[0, 1]]), torch.ones(2, 4))",
    "torch.index_add(x, 0, I([0., 1.]), torch.ones(2, 4))",
    "torch.index_add(x, 0, I([0, 5]), torch.ones(2, 4))",
    "torch.index_add(x, 0, I([0, -1]), torch.ones(2, 4))",
    "torch.index_add(x, 2, I([0, 1]), torch.ones(2, 4))",
    "torch.index_add(x, 0, I([0, 1]), torch.ones(2, 4, dtype=torch.float64))",
    "torch.index_add(x, 0, I(1), torch.ones(1, 4))",
    "torch.index_add(x, 0, I(1), torch.ones(4))",
    "torch.index_add(x, 0, I([1]), torch.ones(4))",
    "torch.index_add(torch.zeros(3), 0, I([0, 1]), torch.tensor(2.))",
    "torch.index_add(torch.zeros(3), 0, I([1]), torch.tensor(2.))",
    "torch.index_add(torch.zeros(()), 0, I([0]), torch.tensor(2.))",
    "torch.index_add(torch.zeros(()), 0, I([0, 0]), torch.tensor(2.))",
    "torch.index_add(torch.zeros(()), 0, I([0]), torch.tensor([2.]))",
    "torch.index_add(x, 0, I([0, 1], dtype=torch.int32), torch.ones(2, 4))",
    "torch.index_add(x, 0, I([0, 1]), torch.ones(2, 5))",
    "torch.index_add(x, 0, I([0, 1]), torch.ones(2, 4, 1))",
    "torch.index_add(x, 0, I([], dtype=torch.long), torch.ones(0, 4))",
    "torch.index_add(x, 0, I([], dtype=torch.long), torch.ones(2, 4))",
    "x.clone().index_add_(0, I([0, 1]), torch.ones(3, 4))",
    "torch.index_add(x, 0, I([0, 1]), torch.ones(2, 4), alpha=2.5)",
    "torch.index_add(x, -3, I([0, 1]), torch.ones(2, 4))",
    "torch.index_add(x, 1, I([0, 1]), torch.ones(3))",
    "torch.index_add(x, 1, I([0]), torch.ones(()))",
    "torch.index_add(x, 0, I([0]), torch.ones(()))",
    "torch.index_add(x, 0, I([0]), torch.ones(1, 4, 1))",
    "torch.index_add(torch.zeros(()), 0, I([0]), torch.ones(1))",
    "torch.index_add(torch.zeros(()), 0, I(0), torch.ones(()))",
    "torch.index_add(x, 0, I([0, 1]).float(), torch.ones(2, 4, dtype=torch.float64))",
    "torch.index_add(x, 0, I([[0, 1]]).float(), torch.ones(2, 4, dtype=torch.float64))",
    "torch.index_add(torch.zeros(3), 0, I([5]), torch.ones(1))",
    "torch.index_add(x, 1, I([5]), torch.ones(3, 1))",
    "torch.index_add(x, 1, I([-1]), torch.ones(3, 1))",
    "torch.index_add(torch.zeros(()), 0, I([1]), torch.tensor(1.))",
    "torch.index_add(x.long(), 0, I([5, 0]), torch.ones(2, 4).long())",
    "torch.index_add(x, 0, I([1, 5], dtype=torch.int32), torch.ones(2, 4))",
    "torch.index_add(torch.zeros(4, 3).t(), 1, I([5]), torch.ones(3, 1))",
    "torch.index_add(torch.zeros(3, 4, 2), 1, I([1, -5]), torch.ones(3, 2, 2))",
    "torch.index_add(torch.zeros(3, 4, 2), 2, I([5]), torch.ones(3, 4, 1))",
    "torch.index_add(x, 0, I([1, 5]), torch.ones(2, 4), alpha=2)",
    "torch.index_add(x.bool(), 0, I([1, 5]), torch.ones(2, 4).bool())",
    "torch.index_add(x, 0, I([1, 5]), torch.ones(2, 4), alpha=True)",
    "torch.index_add(torch.zeros(3, 0), 0, I([1, 5]), torch.ones(2, 0))",
    "torch.index_add(torch.zeros(3), 0, I([1, -1]), torch.ones(2))",
    "torch.index_add(torch.zeros(3), 5, I([1, 1]), torch.ones(2))",
    "torch.index_add(x, 0, I([1, 1]), torch.ones(2, 4), alpha=True)",
    "torch.index_copy(x, 0, I([0, 1]), torch.ones(3, 4))",
    "torch.index_copy(x, 0, I([[0, 1]]), torch.ones(2, 4))",
    "torch.index_copy(x, 0, I([0., 1.]), torch.ones(2, 4))",
    "torch.index_copy(x, 0, I([0, 5]), torch.ones(2, 4))",
    "torch.index_copy(x, 0, I([0, -1]), torch.ones(2, 4))",
    "torch.index_copy(x, 0, I([0, 1]), torch.ones(2, 4, dtype=torch.float64))",
    "torch.index_copy(x, 0, I([0, 1], dtype=torch.int32), torch.ones(2, 4))",
    "torch.index_copy(x, 0, I([0, 1]), torch.ones(2, 5))",
    "torch.index_copy(x, 0, I([1]), torch.ones(4))",
    "torch.index_copy(torch.zeros(3), 0, I([0, 1]), torch.tensor(2.))",
    "torch.index_copy(torch.zeros(()), 0, I([0, 0]), torch.tensor(2.))",
    "torch.index_copy(x, 2, I([0, 1]), torch.ones(2, 4))",
    "torch.index_copy(x, 0, I([0, 1]), torch.ones(2, 4, 1))",
    "torch.index_copy(x, 0, I([0, 1]), torch.ones(4, 2))",
    "torch.index_copy(torch.zeros(3, 4, 5), 1, I([1]), torch.ones(3, 1, 6))",
    "torch.index_copy(torch.zeros(3, 4, 5), 0, I([1]), torch.ones(1, 4, 6))",
    "torch.index_copy(torch.zeros(3), 0, I([1]), torch.ones(()))",
    "torch.index_copy(torch.zeros(()), 0, I([0]), torch.ones(1))",
    "torch.index_copy(torch.zeros(()), 0, I([1]), torch.ones(()))",
    "torch.index_copy(x, 1, I(4), torch.ones(3, 1))",
    "torch.index_copy(x, 0, I([0, 1]), torch.ones(3, 5))",
    "torch.index_copy(x, 0, I([0]), torch.ones(()))",
    "torch.index_copy(torch.zeros(()), 0, I([0]), torch.ones(3, 4))",
    "torch.index_copy(x, 0, I([0, 1]).float(), torch.ones(3, 5).double())",
    "torch.index_copy(x, -1, I([0, 1]), torch.ones(3, 5))",
    "torch.index_copy(torch.zeros(2), 0, I([0, 0]), torch.tensor([1., 2.]))",
    "torch.index_fill(x, 0, I([[0, 1]]), 1.)",
    "torch.index_fill(x, 0, I([0., 1.]), 1.)",
    "torch.index_fill(x, 0, I([0, 5]), 1.)",
    "torch.index_fill(x, 0, I([0, -1]), 1.)",
    "torch.index_fill(x, 0, I([0, 1], dtype=torch.int32), 1.)",
    "torch.index_fill(x, 2, I([0, 1]), 1.)",
    "torch.index_fill(x, 0, I([0, 1]), torch.ones(1))",
    "torch.index_fill(x, 0, I([0, -4]), 1.)",
    "torch.index_fill(torch.zeros(()), 0, I([0, 0]), 1.)",
    "torch.index_fill(torch.zeros(()), 0, I([1]), 1.)",
    "torch.index_fill(x, 5, I([0, 1]).float(), 1.)",
    "torch.index_fill(x, 5, I([[0, 1]]), 1.)",
    "torch.index_fill(x, 0, I([0, 1]), 1j)",
    "torch.index_fill(x, 0, I([0, 1]), torch.tensor(1j))",
    "torch.index_fill(x, 0, I([0, 1]).float(), torch.ones(2))",
    "torch.index_select(torch.zeros(()), 0, I([0, 0]))",
    "torch.index_select(torch.zeros(()), 0, I([[0, 1]]).float())",
    "torch.index_select(torch.zeros(()), 0, I([0, 1]).float())",
    "torch.index_select(torch.zeros(()), 0, I([]).long())",
    "torch.index_select(x, 0, I([[0., 1.]]))",
]

#: the gradient graph a create_graph backward records through each kind of take
CREATE_GRAPH = {
    name: f"""
x = torch.tensor([[1., 2., 3.], [4., 5., 6.], [7., 8., 9.], [10., 11., 12.]],
                 dtype=torch.float64, requires_grad=True)
i = torch.tensor([0, 2, 2])
y = {expr}
w = torch.arange(float(y.numel()), dtype=torch.float64).reshape(y.shape)
g, = torch.autograd.grad((y * y * y * w).sum(), x, create_graph=True)
gg, = torch.autograd.grad(g.sum(), x, create_graph=True)
out = [graph(g.grad_fn, 2), g.tolist(), graph(gg.grad_fn, 1), gg.tolist()]
"""
    for name, expr in (
        ("index_select-0", "x.index_select(0, i)"), ("index_select-1", "x.index_select(1, i)"),
        ("getitem", "x[i]"), ("getitem-2d", "x[i, i]"), ("take", "x.take(i)"),
        ("take-2d", "x.take(i.reshape(3, 1))"),
    )
}

#: calls whose TypeError PyTorch's argument parser words (``x = torch.arange(6.)
#: .reshape(2, 1, 3)``)
PARSER_CALLS = [
    "x.squeeze(axis='a')", "torch.squeeze(x, axis='a')", "x.squeeze(dim='a')",
    "x.squeeze(axis=1.5)", "x.squeeze(axis=None)", "x.squeeze(axis=[1])",
    "torch.squeeze(x, 'a')", "torch.squeeze(x, dim='a')", "torch.squeeze(x, None)",
    "torch.squeeze(x, dim=None)", "torch.squeeze(x, (1.5,))", "torch.squeeze(x, axis=(1.5,))",
    "x.squeeze('a')", "x.squeeze(None)", "x.squeeze(dim=None)", "x.squeeze((1.5,))",
    "x.squeeze(dim=(1, 'a'))", "x.squeeze(axis=(1, 'a'))", "torch.squeeze(x, 1, 2)",
    "x.squeeze(1, 'a')", "torch.squeeze(input=x, axis=1)", "torch.hsplit(x, None)",
    "x.msort()", "torch.msort(x)", "x.msort(0)", "x.msort(axis=0)", "x.msort(0, 1)",
    "x.trace(0)", "x.fliplr(dim=0)", "x.flipud(0)", "x.argwhere(0)", "x.positive(0)",
    "x.element_size(0)", "x.nelement(x=1)", "x.is_floating_point(0)",
]


def run(lib: Any, source: str, env: dict | None = None) -> Any:
    """``source``'s ``out`` under ``lib``, or ``[type name, message]`` of what it raised."""
    scope = {"torch": lib, "I": lib.tensor, "graph": graph, **(env or {})}
    try:
        exec(source, scope)  # noqa: S102 - the snippets above, nothing else
    except Exception as err:  # noqa: BLE001 - a raised error is the answer
        return [type(err).__name__, str(err)]
    return scope.get("out")


def evaluate(lib: Any, expr: str, setup: str) -> Any:
    """``expr`` after ``setup``: its value as a list, or its error."""
    return run(lib, f"{setup}\nr = {expr}\nout = r.tolist() if hasattr(r, 'tolist') else repr(r)")


INDEX_SETUP = "x = torch.zeros(3, 4)"
PARSER_SETUP = "x = torch.arange(6.).reshape(2, 1, 3)"
