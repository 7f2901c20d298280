"""conform16's snippets, run under PyTorch by fixtures/make_conform16_torch.py and under jitgrad
by tests/test_conformance16.py; the conventions (``out``, ``graph``, an error as ``[type name,
message]``) are tests/conform15_cases.py's."""

from __future__ import annotations

#: a tensor of each type a Python number can be converted to, in the snippets below
SCALAR_SETUP = """
t = {dt: torch.tensor([1, 2], dtype=getattr(torch, dt))
     for dt in ("uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
                "float64", "bool")}
"""

#: numbers outside a tensor's type: PyTorch's TensorIterator casts them to the op's type
#: (integers wrap, floats overflow to inf) where the op is arithmetic, a comparison or bitwise;
#: ops that take the number through ``checked_convert`` (clamp, pow, where/masked_fill, fill,
#: full, alpha, lerp's weight, addcmul's value) refuse it in their words
SCALAR_CALLS = [
    f"{expr.format(dt=dt, v=v)}"
    for dt, values in (
        ("uint8", (1000, -1000, -255, -256, 256, 2**40)),
        ("int8", (1000, -129, 2**40)),
        ("int16", (70000, -40000)),
        ("int32", (2**40, -(2**40))),
        ("int64", (2**63 - 1,)),  # pow left out: 2 ** (2**63 - 1) is 0 in
        # PyTorch, the int64 min in jitgrad's kernel (perf/RESULTS.md Run conform16, left)
        ("float16", (70000, 1e40)),
        ("bfloat16", (300.5, 1e40)),
        ("float32", (1e40, -1e39)),
        ("float64", (1e300,)),
    )
    for v in values
    for expr in (
        "t['{dt}'] + {v}",
        "{v} + t['{dt}']",
        "t['{dt}'] * {v}",
        "t['{dt}'] - {v}",
        "{v} - t['{dt}']",
        "t['{dt}'] == {v}",
        "t['{dt}'] < {v}",
        "t['{dt}'] // {v}",
        "t['{dt}'] % {v}",
        "t['{dt}'].fmod({v})",
        "t['{dt}'].clamp(max={v})",
        "t['{dt}'].clamp(min={v})",
        "t['{dt}'].pow({v})",
        "torch.where(t['{dt}'] > 1, t['{dt}'], {v})",
        "t['{dt}'].masked_fill(t['{dt}'] > 1, {v})",
        "t['{dt}'].clone().fill_({v})",
        "torch.full((2,), {v}, dtype=t['{dt}'].dtype)",
        "t['{dt}'].add(1, alpha={v})",
        "t['{dt}'].clone().add_({v})",
        "t['{dt}'].index_fill(0, torch.tensor([0]), {v})",
        "t['{dt}'].addcmul(t['{dt}'], t['{dt}'], value={v})",
    )
    if not (dt == "int64" and "pow" in expr)
] + [
    "t['uint8'] & 1000",
    "t['uint8'] | 300",
    "t['uint8'] ^ -300",
    "t['int8'] & 1000",
    "t['bfloat16'] * 300.5",
    "t['bfloat16'] - 300.5",
    "t['bfloat16'] / 300.5",
    "t['bfloat16'] + 1.00390625",
    "t['float16'] + 1.00048828125",
    "t['float16'] * 1e-8",
    "t['bfloat16'].lerp(t['bfloat16'], 1e40)",
    "t['float32'].lerp(t['float32'], 1e40)",
    "t['float16'].addcmul(t['float16'], t['float16'], value=70000)",
    # float16/bfloat16: add, sub, comparisons, alpha take the number rounded to the type,
    # mul and div as given
    "t['bfloat16'] == 1.0009765625",
    "t['float16'] < 1.00048828125",
    "t['bfloat16'].add(1, alpha=300.5)",
    "t['float16'] * 1.00048828125",
    "torch.linspace(-2, 2, 101).to(torch.float16) * 1.1 + 0.3",
    "torch.linspace(-2, 2, 101).to(torch.bfloat16) / 1.1 - 0.7",
    "(torch.linspace(-2, 2, 101).to(torch.bfloat16) * 1.1 + 0.3) * 3 - 0.7",
    "torch.where(t['bfloat16'] > 1, t['bfloat16'], 300.5)",
]

#: addcmul/addcdiv with ``value``: one node over the three tensors (PyTorch's graph has no
#: MulBackward0 for ``value * tensor1``), its saved ``value``, values, first and second
#: derivatives, and the in-place forms
ADDC = {
    f"{op}-{value}": f"""
a = torch.tensor([1.5, -2.0, 0.25], dtype=torch.float64, requires_grad=True)
b = torch.tensor([0.5, 3.0, -1.0], dtype=torch.float64, requires_grad=True)
c = torch.tensor([2.0, -0.5, 4.0], dtype=torch.float64, requires_grad=True)
y = torch.{op}(a, b, c, value={value})
saved = y.grad_fn._saved_value
g = torch.autograd.grad((y * y).sum(), (a, b, c), create_graph=True)
gg = torch.autograd.grad(sum(t.sum() for t in g), (a, b, c))
z = a.detach().clone().{op}_(b.detach(), c.detach(), value={value})
f = torch.tensor([1.0, 2.0]).{op}(torch.tensor([3.0, 0.1]), torch.tensor([0.7, 3.0]), value={value})
out = [graph(y.grad_fn), saved, y.tolist(), [t.tolist() for t in g],
       [t.grad_fn.name() for t in g], [t.tolist() for t in gg], z.tolist(), f.tolist()]
"""
    for op in ("addcmul", "addcdiv")
    for value in (1, 0.5, -2, 3)
}

#: ``torch.return_types.*``: the repr and the type's module for every named result
RETURN_TYPES = [
    "x.max(0)",
    "x.min(1)",
    "x.sort()",
    "x.topk(2)",
    "x.mode()",
    "x.median(0)",
    "x.kthvalue(1)",
    "torch.aminmax(x)",
    "x.cummax(0)",
    "x.cummin(0)",
    "x.nanmedian(0)",
    "torch.frexp(x)",
    "torch.linalg.slogdet(m)",
    "torch.linalg.eigh(m)",
    "torch.linalg.qr(m)",
    "torch.geqrf(m)",
    "torch.linalg.inv_ex(m)",
    "torch.linalg.cholesky_ex(m)",
    "torch.linalg.lu_factor(m)",
]
RETURN_SETUP = """
x = torch.tensor([[1., 3., 2.], [4., 0., 5.]])
m = torch.tensor([[2., 1.], [1., 3.]])
"""
RETURN_EXPR = (
    "[repr(r).split('(')[0], type(r).__module__, type(r).__name__, str(type(r)),"
    " len(r), r._fields if hasattr(r, '_fields') else None]"
)

#: sum/mean given a ``dtype`` that is none: the invalid-combination list alone, by name with
#: ``dim``
PARSER_CALLS = [
    "x.mean(dtype=1)",
    "x.sum(dtype=1)",
    "torch.mean(x, dtype=1)",
    "torch.sum(x, dtype=1)",
    "x.mean(0, dtype=1)",
    "x.sum(0, True, dtype=1)",
    "x.mean(dtype='a')",
    "x.sum(dtype=None)",
    "torch.sum(x, dim=0, dtype=1)",
    "x.sum(dim=(0, 1), dtype='a')",
    "x.sum(dtype=float)",
    "x.mean(dtype=torch.float64)",
    "x.sum(dtype=torch.int32)",
]
PARSER_SETUP = "x = torch.arange(6.).reshape(2, 3)"

#: torch.save of tensors that share a storage: loaded as views of one storage again
SAVE = {
    "view-and-base": """
numbers = torch.arange(1, 10)
evens = numbers[1::2]
torch.save([numbers, evens], path)
n, e = torch.load(path)
e *= 2
out = [n.tolist(), e.tolist(), e.stride(), e.storage_offset(), n.untyped_storage().size()]
""",
    "view-alone": """
large = torch.arange(1, 1000)
torch.save(large[3:8], path)
s = torch.load(path)
torch.save(large[3:8].clone(), path)
c = torch.load(path)
out = [s.tolist(), s.storage_offset(), s.untyped_storage().size(), c.untyped_storage().size()]
""",
    "transpose-and-rows": """
m = torch.arange(12.).reshape(3, 4)
torch.save({"t": m.t(), "row": m[1], "m": m}, path)
d = torch.load(path)
d["m"][1, 2] = -1.0
out = [d["t"].tolist(), d["t"].stride(), d["row"].tolist(), d["row"].storage_offset()]
""",
    "params-and-flip": """
w = torch.nn.Parameter(torch.arange(6.).reshape(2, 3))
torch.save([w, w[0], torch.arange(4).flip(0)], path)
p, r, f = torch.load(path, weights_only=False)
out = [type(p).__name__, p.requires_grad, p.tolist(), r.tolist(), f.tolist(), f.stride()]
""",
}

#: is_contiguous(memory_format=): PyTorch's channels-last test and parser words
CONTIGUOUS_CALLS = [
    "x.is_contiguous(memory_format=torch.channels_last)",
    "x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)"
    ".is_contiguous(memory_format=torch.channels_last)",
    "x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2).is_contiguous()",
    "x.is_contiguous(memory_format=torch.contiguous_format)",
    "x.is_contiguous(memory_format=torch.preserve_format)",
    "x[0].is_contiguous(memory_format=torch.channels_last)",
    "x.is_contiguous(memory_format=torch.channels_last_3d)",
    "torch.zeros(1, 3, 1, 1).is_contiguous(memory_format=torch.channels_last)",
    "torch.zeros(2, 1, 4, 5).is_contiguous(memory_format=torch.channels_last)",
    "x.is_contiguous(torch.channels_last)",
    "x.is_contiguous(memory_format=1)",
]
CONTIGUOUS_SETUP = "x = torch.zeros(2, 3, 4, 5)"
