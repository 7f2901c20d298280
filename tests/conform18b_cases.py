"""Snippets for conform18b (run under PyTorch by fixtures/make_conform18b_torch.py, under
jitgrad by tests/test_conformance18b.py): the leftovers of sessions 16-17. rrelu's saved
bounds and noise, the create_graph node of an op on a ``Scalar`` parameter (``alpha``,
``value``), ``torch.save``'s bytes (the zip container, float16/bfloat16 and bit views as
views of one storage) and channels-last strides."""

from __future__ import annotations

# ---- rrelu's node: _saved_lower/_upper/_training/_noise before and after backward ----------
RRELU_SETUP = (
    "F = torch.nn.functional\n"
    "r = torch.tensor([0.5, -1.0, 0.0, 2.0], requires_grad=True)\n"
    "def attrs(n):\n"
    "    got = {}\n"
    "    for k in sorted(x for x in dir(n) if x.startswith('_saved_')):\n"
    "        try:\n"
    "            v = getattr(n, k)\n"
    "            got[k] = ['T', list(v.shape)] if isinstance(v, torch.Tensor) else repr(v)\n"
    "        except Exception as e:\n"
    "            got[k] = type(e).__name__\n"
    "    return got\n"
)
RRELU = {
    "eval": "F.rrelu(r)",
    "eval_bounds": "F.rrelu(r, 0.2, 0.5)",
    "training": "F.rrelu(r, training=True)",
    "torch_rrelu": "torch.rrelu(r, 0.1, 0.3, True)",
    "module": "torch.nn.RReLU(0.1, 0.3)(r)",
    "module_eval": "torch.nn.RReLU(0.1, 0.25).eval()(r)",
    # (not "F.rrelu(r * 1, inplace=True)": PyTorch's RreluWithNoiseBackward1 shows
    # ``_saved_result`` where jitgrad's in-place activations (leaky_relu_, elu_) show
    # ``_saved_self``: a family of its own, left)
    "int_bounds": "F.rrelu(r, 0, 1)",
}


def rrelu_source(expr: str) -> str:
    """A :data:`RRELU` snippet: its node's class and ``_saved_*`` before and after backward,
    and in training which noise entries are 1 (those of ``x > 0``; the rest are draws)."""
    return (
        f"{RRELU_SETUP}y = {expr}\nn = y.grad_fn\nbefore = attrs(n)\n"
        "ones = (n._saved_noise == 1).tolist() if n._saved_training else None\n"
        "y.sum().backward()\nout = [type(n).__name__, before, attrs(n), ones]"
    )


# ---- the create_graph gradient of an op on a Scalar parameter --------------------------------
GRAPH_SETUP = (
    "a = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)\n"
    "b = torch.tensor([5.0, 7.0], dtype=torch.float64, requires_grad=True)\n"
    "s = torch.tensor([1.0, 0.5], dtype=torch.float64, requires_grad=True)\n"
    "def cg(y):\n"
    "    gs = torch.autograd.grad(y, [a, b], s, create_graph=True, allow_unused=True)\n"
    "    return [None if g is None or g.grad_fn is None else\n"
    "            [g.grad_fn.name(), g.grad_fn.next_functions[0][0].name(), g.tolist()]\n"
    "            for g in gs]\n"
)
GRAPH_CALLS = [
    "cg(torch.rsub(a, b, alpha=2))", "cg(torch.rsub(a, b, alpha=0.5))",
    "cg(torch.sub(a, b, alpha=2))", "cg(torch.add(a, b, alpha=3))", "cg(a.sub(b, alpha=1.5))",
    "cg(torch.rsub(a, 2, alpha=3))", "cg(torch.addcmul(a, a, b, value=2))",
    "cg(torch.addcdiv(a, a, b, value=2))", "cg(torch.rsub(a, b))", "cg(a * 2 - b)",
]  # fmt: skip

# ---- torch.save: the file's bytes ----------------------------------------------------------
SAVE_SETUP = (
    "import io, os, tempfile, zipfile, hashlib\n"
    "x = torch.arange(6, dtype=torch.float32).reshape(2, 3)\n"
    "h = x.half()\n"
    "def saved(obj):\n"
    "    f = io.BytesIO()\n"
    "    torch.save(obj, f)\n"
    "    data = f.getvalue()\n"
    "    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()\n"
    "    cut = infos[-1].header_offset  # the random serialization id's record comes last\n"
    "    body = [[i.filename, i.header_offset, i.file_size] for i in infos]\n"
    "    return [len(data), hashlib.md5(data[:cut]).hexdigest(), body]\n"
    "def storage_of(obj):\n"
    "    f = io.BytesIO()\n"
    "    torch.save(obj, f)\n"
    "    f.seek(0)\n"
    "    r = torch.load(f)\n"
    "    return [[t.storage_offset(), t.untyped_storage().nbytes(), t.tolist()] for t in r]\n"
    "def file_size(obj):\n"
    "    with tempfile.TemporaryDirectory() as d:\n"
    "        path = os.path.join(d, 'model.pt')\n"
    "        torch.save(obj, path)\n"
    "        return [os.path.getsize(path), zipfile.ZipFile(path).namelist()]\n"
)
SAVE_CALLS = [
    "saved(x)", "saved(h)", "saved(x.bfloat16())", "saved([h, h[1]])", "saved([x, x[1], x.t()])",
    "saved(x.view(torch.int32)[1])", "saved([x, x.view(torch.int32)])",
    "saved([x.view(torch.int32), x])", "saved(torch.arange(4.).flip(0))",
    "saved({'w': h, 'b': h[0]})", "saved(torch.nn.Parameter(h))", "saved(h[:, 1])",
    "saved(x.bfloat16().t())", "saved(torch.zeros(0, dtype=torch.float16))",
    "saved(torch.tensor(2.5, dtype=torch.float16))", "saved(torch.zeros(2, 0, 3))",
    "saved(torch.tensor([1, 200], dtype=torch.uint8))",
    "saved(torch.tensor([-3], dtype=torch.int8))",
    "saved(torch.tensor([-3, 4], dtype=torch.int16))", "saved(torch.tensor([True, False]))",
    "saved(x.double().reshape(3, 2)[1:])", "saved([])", "saved({'a': 1, 'b': [x, 'text']})",
    "storage_of([h, h[1]])", "storage_of([x.bfloat16(), x.bfloat16()[:, 2]])",
    "storage_of([x.view(torch.int32)[1]])", "file_size({'w': h, 'x': x})",
    "[h.untyped_storage().nbytes(), h.storage().element_size(), h.untyped_storage().tolist()]",
    "[x.bfloat16().untyped_storage().tolist(), h[1].untyped_storage().nbytes()]",
]  # fmt: skip

# ---- channels-last layouts -------------------------------------------------------------------
LAYOUT_SETUP = (
    "cl, cl3 = torch.channels_last, torch.channels_last_3d\n"
    "x = torch.arange(24.).reshape(1, 2, 3, 4)\n"
    "g = torch.arange(24.).reshape(1, 2, 3, 4).requires_grad_()\n"
    "def stepped(opt, **kw):\n"
    "    p = torch.nn.Parameter(torch.arange(24.).reshape(1, 2, 3, 4).to(memory_format=cl))\n"
    "    q = torch.nn.Parameter(torch.arange(6.).reshape(2, 3).t())\n"
    "    o = opt([p, q], **kw)\n"
    "    for _ in range(2):\n"
    "        (p * p).sum().add((q * q).sum()).backward()\n"
    "        o.step()\n"
    "    return [list(p.stride()), list(q.stride()), p.flatten().tolist(), q.tolist()]\n"
    "def reloaded(obj):\n"
    "    import io\n"
    "    f = io.BytesIO()\n"
    "    torch.save(obj, f)\n"
    "    f.seek(0)\n"
    "    r = torch.load(f)\n"
    "    return [[list(t.stride()), t.tolist()] for t in (r if isinstance(r, list) else [r])]\n"
    "def info(t):\n"
    "    return [list(t.stride()), t.is_contiguous(), t.is_contiguous(memory_format=cl),\n"
    "            None if t.grad_fn is None else t.grad_fn.name()]\n"
)
LAYOUT_CALLS = [
    "info(x.to(memory_format=cl))", "info(x.contiguous(memory_format=cl))",
    "info(x.clone(memory_format=cl))", "info(g.to(memory_format=cl))",
    "info(g.contiguous(memory_format=cl))", "info(g.clone(memory_format=cl))",
    "info(x.to(memory_format=cl).contiguous())", "info(g.to(memory_format=cl).contiguous())",
    "x.to(memory_format=cl).contiguous(memory_format=cl).stride()",
    "info(g.to(memory_format=cl).to(memory_format=cl))",
    "info(g.contiguous(memory_format=cl).contiguous(memory_format=cl))",
    "info(g.contiguous(memory_format=cl).clone(memory_format=cl))",
    "info(x.to(memory_format=cl).to(memory_format=torch.contiguous_format))",
    "info(x.to(memory_format=torch.contiguous_format))",
    "info(x.to(memory_format=cl).to(memory_format=torch.preserve_format))",
    "torch.ones(2, 3, 1, 1).to(memory_format=cl).stride()",
    "torch.ones(2, 3, 1, 1).contiguous(memory_format=cl).stride()",
    "torch.ones(2, 1, 3, 3).to(memory_format=cl).stride()",
    "torch.ones(0, 2, 3, 4).to(memory_format=cl).stride()",
    "torch.ones(1, 2, 3, 4, 5).to(memory_format=cl3).stride()",
    "torch.ones(1, 2, 3, 4, 5).contiguous(memory_format=cl3).is_contiguous(memory_format=cl3)",
    "torch.ones(2, 3).contiguous(memory_format=cl)", "torch.ones(2, 3).to(memory_format=cl)",
    "torch.ones(2, 3).clone(memory_format=cl)", "x.contiguous(memory_format=cl3)",
    "torch.ones(2, 3).to(memory_format=cl3)", "torch.nn.Conv3d(1, 1, 1).to(memory_format=cl)",
    "x.to(torch.float64, memory_format=cl).stride()", "x.to('cpu', memory_format=cl).stride()",
    "x.to(memory_format=cl).numpy().strides", "x.to(memory_format=cl).tolist()",
    "x.to(memory_format=cl).permute(0, 2, 3, 1).is_contiguous()",
    "x.to(memory_format=cl).reshape(-1)[:6].tolist()", "x.to(memory_format=cl).flatten(1).stride()",
    "x.to(memory_format=cl).view(-1)", "x.to(memory_format=cl).transpose(1, 3).is_contiguous()",
    "x.mT.to(memory_format=torch.contiguous_format).stride()",
    "[list(p.stride()) for p in torch.nn.Conv2d(2, 3, 3).to(memory_format=cl).parameters()]",
    "[list(p.stride()) for p in torch.nn.Sequential(torch.nn.Conv2d(2, 3, 1), "
    "torch.nn.BatchNorm2d(3)).to(memory_format=cl).parameters()]",
    "list(torch.nn.Conv2d(2, 3, 3, padding=1).to(memory_format=cl)(x.to(memory_format=cl)).shape)",
    "torch.empty(2, 3, 4, 5, memory_format=cl).stride()", "torch.empty(2, 3, memory_format=cl)",
    "torch.empty(1, 2, 3, 4, 5, memory_format=cl3).stride()",
    "info(torch.nn.functional.conv2d(x.to(memory_format=cl), torch.ones(3, 2, 1, 1)))",
    "info(torch.nn.functional.conv2d(x, torch.ones(3, 2, 1, 1).to(memory_format=cl)))",
    "info(torch.nn.functional.conv2d(x, torch.ones(3, 2, 2, 2)))",
    "info(torch.nn.functional.conv2d(g.to(memory_format=cl), torch.ones(3, 2, 2, 2)))",
    # (not ``.relu()`` of that output: PyTorch's elementwise ops keep the layout, jitgrad's
    # results are row-major; see jitgrad/frontend/memory_format.py)
    "stepped(torch.optim.SGD, lr=0.1, momentum=0.9)", "stepped(torch.optim.Adam, lr=0.1)",
    "stepped(torch.optim.AdamW, lr=0.1)", "reloaded(x.to(memory_format=cl))",
    "reloaded([x.to(memory_format=cl), x.to(memory_format=cl)[:, 1]])",
]  # fmt: skip

# ---- keywords in PyTorch's invalid-combination messages: listed last given first ----------
KEYWORD_SETUP = "x = torch.ones(2, 3)"
KEYWORD_CALLS = [
    "x.squeeze(dim='a', foo=1)", "x.count_nonzero(dim='a', foo=1)",
    "x.squeeze(foo=1, dim='a')", "x.clamp(min=x, max=2)", "torch.clamp(x, max=2.0, min=x)",
]  # fmt: skip
