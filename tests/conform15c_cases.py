"""conform15c's snippets (complex ``var``/``std``/``std_mean``/``var_mean`` as one node,
``.real``/``.imag`` nodes), run under PyTorch by fixtures/make_conform15c_torch.py and under
jitgrad by tests/test_conformance15c.py; the conventions (``out``, ``graph``, an error as
``[type name, message]``) are tests/conform15_cases.py's. Complex values travel as
``view_as_real`` lists (JSON has no complex numbers)."""

from __future__ import annotations

Z = """
z = torch.tensor([[1+2j, 3-1j, 2+0j, -1j], [0.5j, 1+0j, -2-1j, 4+3j], [2+2j, -3j, 1-1j, 0j]],
                 dtype=torch.complex128, requires_grad=True)
"""

#: complex spreads: one node over the input (PyTorch's VarBackward0, StdMeanBackward0, ...)
SPREAD = {
    f"{op}-{tag}": Z
    + f"""
r = torch.{op}(z{args})
outs = r if isinstance(r, tuple) else (r,)
w = [torch.arange(float(o.numel()), dtype=torch.float64).reshape(o.shape) + 1 for o in outs]
loss = sum(((o.abs() if o.is_complex() else o) * wk).sum() for o, wk in zip(outs, w))
g, = torch.autograd.grad(loss, z)
out = [[o.grad_fn.name() for o in outs], [o.output_nr for o in outs],
       outs[0].grad_fn is outs[-1].grad_fn, graph(outs[0].grad_fn),
       str(outs[0].dtype).split(".")[-1],
       [torch.view_as_real(o.detach()).tolist() if o.is_complex() else o.tolist()
        for o in outs], torch.view_as_real(g).tolist()]
"""
    for op in ("var", "std", "std_mean", "var_mean")
    for tag, args in (
        ("all", ""),
        ("dim1", ", dim=1"),
        ("dim0-c0-keep", ", 0, correction=0, keepdim=True"),
    )
}
SPREAD["std_mean-create-graph"] = (
    Z
    + """
s, m = torch.std_mean(z, dim=1)
g, = torch.autograd.grad((s * s * m.abs()).sum(), z, create_graph=True)
gg, = torch.autograd.grad(torch.view_as_real(g).sum(), z)
out = [torch.view_as_real(g).tolist(), torch.view_as_real(gg).tolist()]
"""
)
SPREAD["var-create-graph"] = (
    Z
    + """
v = torch.var(z, 0)
g, = torch.autograd.grad((v * v).sum(), z, create_graph=True)
gg, = torch.autograd.grad((torch.view_as_real(g) ** 2).sum(), z)
out = [torch.view_as_real(g).tolist(), torch.view_as_real(gg).tolist()]
"""
)

#: ``.real``/``.imag`` of a complex tensor with history (PyTorch 2.13: SelectBackward0 over
#: ViewAsRealBackward0: both are views of ``view_as_real``)
PARTS = {
    f"{part}-{how}": Z
    + f"""
y = {expr}
g, = torch.autograd.grad((y * y).sum(), z)
out = [graph(y.grad_fn), y._base is not None, y.stride(), y.tolist(),
       torch.view_as_real(g).tolist()]
"""
    for part in ("real", "imag")
    for how, expr in (
        ("method", f"(z * z).{part}"),
        ("function", f"torch.{part}(z * z)"),
        ("leaf", f"z.{part}"),
    )
}

#: the edges a first derivative's graph has into the spread's nodes under ``create_graph``
#: (PyTorch: std's derivative reads its result as ``StdMeanBackward0``'s output 0)
EDGES = """
def edges_into(node, names, seen=None, found=None):
    seen, found = set() if seen is None else seen, [] if found is None else found
    if node is None or id(node) in seen:
        return found
    seen.add(id(node))
    for n, nr in node.next_functions:
        if n is not None and n.name() in names:
            found.append([n.name(), nr, n is s.grad_fn])
        edges_into(n, names, seen, found)
    return found
"""
CREATE_GRAPH = {
    f"{op}-{tag}": EDGES
    + f"""
x = {x}
s, m = torch.{op}(x{args})
g, = torch.autograd.grad((s * m.abs()).sum(), x, create_graph=True)
gg, = torch.autograd.grad({real}(g).sum(), x)
names = ("StdBackward0", "VarBackward0", "StdMeanBackward0", "VarMeanBackward0")
out = [sorted(edges_into(g.grad_fn, names)), {real}(gg).tolist()]
"""
    for op in ("std_mean", "var_mean")
    for tag, x, real, args in (
        (
            "all",
            "torch.tensor([[1., 3., 3.], [2., -1., 2.]], dtype=torch.float64, requires_grad=True)",
            "",
            "",
        ),
        (
            "dim1",
            "torch.tensor([[1., 3., 3.], [2., -1., 2.]], dtype=torch.float64, requires_grad=True)",
            "",
            ", dim=1",
        ),
        (
            "complex-dim0",
            "torch.tensor([[1+2j, 3-1j], [0.5j, 1+0j], [2+2j, -3j]], "
            "requires_grad=True, dtype=torch.complex128)",
            "torch.view_as_real",
            ", 0",
        ),
    )
}

#: the degrees-of-freedom warning: PyTorch warns once per part of a complex input
WARN = {
    f"{op}-{dt}-{shape}": f"""
import warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    torch.{op}(torch.ones({shape}, dtype=torch.{dt}), 0)
out = [str(w.message).split(" (Triggered")[0] for w in caught]
"""
    for op in ("var", "std", "std_mean", "var_mean")
    for dt in ("complex64", "float32")
    for shape in ("1", "0, 2")
}
