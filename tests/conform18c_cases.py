"""Snippets for conform18c (run under PyTorch by fixtures/make_conform18c_torch.py, under
jitgrad by tests/test_conformance18c.py): conform18b's leftovers. In-place activations'
nodes (``...Backward1``: ``_saved_result``, not ``_saved_self``), the edges of a node renamed
to ``MulBackward1`` (no wrapped-number edge), and an empty view's saved storage offset."""

from __future__ import annotations

# ---- in-place activations: the node's class, its _saved_* names and values, the gradient ----
INPLACE_SETUP = (
    "F = torch.nn.functional\n"
    "x = torch.tensor([0.5, -1.0, 0.0, 2.0, -0.25], dtype=torch.float64, requires_grad=True)\n"
    "def show(v):\n"
    "    if isinstance(v, torch.Tensor):\n"
    "        return ['T', list(v.shape), [round(float(e), 6) for e in v.flatten().tolist()]]\n"
    "    return repr(v)\n"
    "def attrs(n):\n"
    "    got = {}\n"
    "    for k in sorted(a for a in dir(n) if a.startswith('_saved_')):\n"
    "        try:\n"
    "            v = getattr(n, k)\n"
    "            # eval's noise is an unwritten tensor in PyTorch: its shape only\n"
    "            got[k] = show(v) if k != '_saved_noise' else ['T', list(v.shape)]\n"
    "        except Exception as e:\n"
    "            got[k] = type(e).__name__\n"
    "    return got\n"
)
INPLACE = {
    "leaky_relu_": "F.leaky_relu_(x * 1, 0.1)",
    "leaky_relu_inplace": "F.leaky_relu(x * 1, 0.2, inplace=True)",
    "elu_": "F.elu_(x * 1, 1.5)",
    "elu_inplace": "F.elu(x * 1, inplace=True)",
    "celu_": "F.celu_(x * 1, 2.0)",
    "selu_": "F.selu_(x * 1)",
    "selu_inplace": "F.selu(x * 1, inplace=True)",
    "hardtanh_": "F.hardtanh_(x * 1, -0.5, 0.5)",
    "relu6_inplace": "F.relu6(x * 1, inplace=True)",
    "relu_": "torch.relu_(x * 1)",
    "rrelu_eval": "F.rrelu(x * 1, inplace=True)",
    "rrelu_": "F.rrelu_(x * 1, 0.2, 0.4)",
}
# (training rrelu_ draws its noise: its values are checked as "1 where x > 0" only)
INPLACE_TRAINING = {
    "rrelu_training": "F.rrelu(x * 1, training=True, inplace=True)",
    "rrelu_training_": "F.rrelu_(x * 1, training=True)",
}


def inplace_source(expr: str, noisy: bool = False) -> str:
    """An :data:`INPLACE` snippet: its node's class and ``_saved_*`` (names and values) before
    and after backward, and x's gradient. With ``noisy`` the noise is reduced to which entries
    are 1 and the gradient to which entries equal 1 (the rest are draws)."""
    if noisy:
        tail = (
            "before['_saved_noise'] = (n._saved_noise == 1).tolist()\n"
            "y.sum().backward()\n"
            "out = [type(n).__name__, before, attrs(n), (x.grad == 1).tolist()]"
        )
    else:
        tail = "y.sum().backward()\nout = [type(n).__name__, before, attrs(n), x.grad.tolist()]"
    return f"{INPLACE_SETUP}y = {expr}\nn = y.grad_fn\nbefore = attrs(n)\n{tail}"


# ---- a node renamed to MulBackward1: its edges -------------------------------------------------
EDGE_SETUP = (
    "a = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)\n"
    "b = torch.tensor([5.0, 7.0], dtype=torch.float64, requires_grad=True)\n"
    "s = torch.tensor([1.0, 0.5], dtype=torch.float64, requires_grad=True)\n"
    "def edges(n):\n"
    "    return [None if f is None else f.name() for f, _ in n.next_functions]\n"
    "def cg(y):\n"
    "    gs = torch.autograd.grad(y, [a, b], s, create_graph=True, allow_unused=True)\n"
    "    out = []\n"
    "    for g in gs:\n"
    "        if g is None or g.grad_fn is None:\n"
    "            out.append(None)\n"
    "            continue\n"
    "        n = g.grad_fn\n"
    "        gg = torch.autograd.grad(g.sum(), s, retain_graph=True)[0]\n"
    "        out.append([n.name(), edges(n), [i for _, i in n.next_functions], gg.tolist()])\n"
    "    return out\n"
)
EDGE_CALLS = [
    "cg(torch.rsub(a, b, alpha=2))", "cg(torch.sub(a, b, alpha=2))",
    "cg(torch.add(a, b, alpha=3))", "cg(a.sub(b, alpha=1.5))", "cg(torch.rsub(a, 2, alpha=3))",
    "cg(torch.addcmul(a, a, b, value=2))", "cg(torch.addcdiv(a, a, b, value=2))",
    "cg(a * 2 - b)", "cg(a.add(b, alpha=-1))",
]  # fmt: skip

# ---- torch.save of an empty view: its storage offset ---------------------------------------------
SAVE_SETUP = (
    "import io, zipfile, hashlib\n"
    "x = torch.arange(6, dtype=torch.float32)\n"
    "m = torch.arange(12, dtype=torch.float64).reshape(3, 4)\n"
    "def reloaded(obj):\n"
    "    f = io.BytesIO()\n"
    "    torch.save(obj, f)\n"
    "    data = f.getvalue()\n"
    "    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()\n"
    "    cut = infos[-1].header_offset\n"
    "    f.seek(0)\n"
    "    r = torch.load(f)\n"
    "    r = r if isinstance(r, list) else [r]\n"
    "    return [len(data), hashlib.md5(data[:cut]).hexdigest(),\n"
    "            [[t.storage_offset(), list(t.shape), list(t.stride()),\n"
    "              t.untyped_storage().nbytes()] for t in r]]\n"
)
SAVE_CALLS = [
    "reloaded(x[3:3])", "reloaded(x[6:])", "reloaded(x[2:2])", "reloaded([x, x[4:4]])",
    "reloaded(m[1:1])", "reloaded(m[:, 2:2])", "reloaded(m[2, 1:1])", "reloaded(m[1:, 3:3])",
    "reloaded(x[1:].narrow(0, 2, 0))",
]  # fmt: skip
