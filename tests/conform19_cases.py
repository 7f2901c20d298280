"""Snippets for conform19 (run under PyTorch by fixtures/make_conform19_torch.py, under
jitgrad by tests/test_conformance19.py): conform18c's leftovers. ``nansum``'s one
``NansumBackward0`` node (its edges, ``_saved_*``, gradient), the storage offsets of
``split``/``chunk``'s empty pieces, and the storage of a view's ``detach()`` / ``.data``."""

from __future__ import annotations

# ---- nansum: one node over the input -------------------------------------------------------------
NANSUM_SETUP = (
    "a = torch.tensor([[1.0, float('nan'), 3.0], [float('nan'), -2.0, 0.5]], requires_grad=True)\n"
    "def node(y):\n"
    "    n = y.grad_fn\n"
    "    saved = [n._saved_dim, n._saved_keepdim, n._saved_self is a]\n"
    "    edges = [(f.name(), i) for f, i in n.next_functions]\n"
    "    g, = torch.autograd.grad(y.sum(), a, retain_graph=True)\n"
    "    y.sum().backward()\n"
    "    try:\n"
    "        n._saved_self\n"
    "        freed = None\n"
    "    except RuntimeError as e:\n"
    "        freed = str(e)[:40]\n"
    "    dt = str(y.dtype).split('.')[-1]\n"
    "    return [n.name(), saved, edges, dt, y.tolist(), g.tolist(), freed]\n"
)
NANSUM_CALLS = [
    "node(torch.nansum(a))", "node(torch.nansum(a, 0))", "node(torch.nansum(a, -1))",
    "node(torch.nansum(a, (0, -1)))", "node(torch.nansum(a, dim=[1, 0], keepdim=True))",
    "node(a.nansum(1, True))", "node(a.nansum(dtype=torch.float64))", "node(torch.nansum(a, []))",
    "node(torch.nansum(a * 2, 1))", "node(torch.nanmean(a, 1).grad_fn.next_functions[0][0] and "
    "torch.nansum(a.double(), 0))",
    "torch.nanmean(a, 0).grad_fn.next_functions[0][0].name()",
    "torch.nansum(torch.tensor([[1, 2], [3, 4]]), 0)", "torch.nansum(torch.tensor([True, True]))",
    "torch.nansum(torch.tensor([[1, 2]]), 1, dtype=torch.float32)",
    "torch.nansum(torch.zeros(0, 3), 0)", "torch.nansum(a.detach(), 1)",
]  # fmt: skip

# ---- split / chunk / detach: where a piece lies in its storage ----------------------------------
OFFSET_SETUP = (
    "x = torch.arange(6, dtype=torch.float32)\n"
    "m = torch.arange(12, dtype=torch.float64).reshape(3, 4)\n"
    "def where(ts):\n"
    "    return [[t.storage_offset(), list(t.shape), t.untyped_storage().nbytes(),\n"
    "             t.untyped_storage().data_ptr() == x.untyped_storage().data_ptr() or\n"
    "             t.untyped_storage().data_ptr() == m.untyped_storage().data_ptr()]\n"
    "            for t in ts]\n"
)
OFFSET_CALLS = [
    "where(x.split([3, 0, 3]))", "where(x.split([0, 3, 0, 3, 0]))",
    "where(m.split([1, 0, 2], dim=0))", "where(m.split([2, 0, 2], dim=1))",
    "where(torch.split(m, [0, 4], -1))", "where(x.tensor_split([2, 2, 6]))",
    "where(torch.arange(0).chunk(3))", "where(m[:, 1:1].chunk(2, 1))",
    "[t.grad_fn.name() for t in torch.zeros(0, requires_grad=True).chunk(3)]",
    "where([x[1:].detach(), x[1:].data, m[1].detach(), m[:, 1].detach()])",
    "where([m[1:, 1:].detach(), x[3:3].detach(), x[3:3].data, x.split(2)[1].detach()])",
    "where([x[2:].detach()[1:], m[1].detach().data, m.detach(), x.detach()[4:]])",
]  # fmt: skip

SAVE_SETUP = (
    "import io, zipfile, hashlib\n"
    "x = torch.arange(6, dtype=torch.float32)\n"
    "def reloaded(obj):\n"
    "    f = io.BytesIO()\n"
    "    torch.save(obj, f)\n"
    "    data = f.getvalue()\n"
    "    cut = zipfile.ZipFile(io.BytesIO(data)).infolist()[-1].header_offset\n"
    "    f.seek(0)\n"
    "    r = torch.load(f)\n"
    "    return [len(data), hashlib.md5(data[:cut]).hexdigest(), r.storage_offset(),\n"
    "            r.tolist(), r.untyped_storage().nbytes()]\n"
)
SAVE_CALLS = ["reloaded(x[2:].detach())", "reloaded(x[1:4].data)", "reloaded(x[3:3].detach())"]

# ---- complex acos, asin, atan, acosh, asinh, atanh: values at edge points and gradients -------
INVERSE_TRIG = ("acos", "asin", "atan", "acosh", "asinh", "atanh")
COMPLEX_SETUP = (
    "import math\n"
    "import numpy as np\n"
    "inf, nan = math.inf, math.nan\n"
    "EDGES = [0.5+1j, -2+0j, 2+0j, 0j, -1e20j, 1e20j, 1e20+0j, -1e-20+1e-20j, 3-4j,\n"
    "         complex(-0.0, 0.0), complex(0.0, -0.0), 1+1e-10j, 1.5-2.5j, -1e-5+2j,\n"
    "         complex(inf, 1), complex(1, inf), complex(nan, 1), complex(1, nan),\n"
    "         complex(0.0, nan), complex(-0.0, nan), complex(nan, inf), complex(inf, nan),\n"
    "         complex(nan, -inf),\n"
    "         complex(-inf, nan), complex(nan, 0.0), complex(inf, inf), 1e30+1e30j]\n"
    "def parts(t):\n"
    "    return [[repr(float(v.real)), repr(float(v.imag))] for v in t.flatten().tolist()]\n"
    "def edges(name, dtype):\n"
    "    z = torch.tensor(np.array(EDGES, dtype='complex128')).to(dtype)\n"
    "    return parts(getattr(torch, name)(z))\n"
    "def grads(name, dtype):\n"
    "    z = torch.tensor([[0.5 + 1j, -2 + 0.25j, 0.3 - 0.7j], [3 - 4j, 0.1j, -0.6 - 0.2j]],\n"
    "                     dtype=dtype, requires_grad=True)\n"
    "    up = torch.tensor([[1 + 1j, 0.5 - 2j, -1 + 0j], [0.25j, 2 + 0j, 1 - 1j]], dtype=dtype)\n"
    "    y = getattr(torch, name)(z)\n"
    "    y.backward(up)\n"
    "    out = [y.grad_fn.name(), str(y.dtype).split('.')[-1], parts(y), parts(z.grad)]\n"
    "    z.grad = None\n"
    "    (getattr(z * 2, name)() * 3 + 1).abs().sum().backward()  # a fused chain\n"
    "    w = z.detach().clone()\n"
    "    getattr(w, name + '_')()\n"
    "    return out + [parts(z.grad), parts(w)]\n"
)
COMPLEX_EDGE_CALLS = [
    f"edges('{f}', torch.{d})" for f in INVERSE_TRIG for d in ("complex64", "complex128")
]
#: (complex128 only: the complex64 kernels render the same expressions at another width, and
#: each costs a compile in a fresh cache; cuda_sim/cases_complex.py runs both widths)
COMPLEX_GRAD_CALLS = [f"grads('{f}', torch.complex128)" for f in INVERSE_TRIG]


def complex_source(expr: str) -> str:
    """A complex row's program: ``expr``'s value (lists of ``repr`` strings) as ``out``."""
    return f"{COMPLEX_SETUP}out = {expr}"
