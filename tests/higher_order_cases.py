"""Second derivatives through ops whose backward runs a kernel (issue 14: every op
differentiable at any order): the gradient under ``create_graph=True``, its node name and the
gradient of that gradient. ``run(lib)`` works with jitgrad or PyTorch; the recorder
``tests/fixtures/make_higher_order_torch.py`` writes PyTorch's answers, which
``tests/test_higher_order.py`` compares against."""

from __future__ import annotations

from typing import Any

WEIGHT = [[1.0, 2.0], [3.0, -4.0], [5.0, 6.0], [0.5, -1.5]]

#: name -> keyword arguments of F.embedding and the indices looked up
EMBEDDING = {
    "plain": ({}, [[0, 2], [0, 3]]),
    "padding": ({"padding_idx": 2}, [[0, 2], [0, 3]]),
    "freq": ({"scale_grad_by_freq": True}, [[0, 2], [0, 0]]),
    "freq_padding": ({"scale_grad_by_freq": True, "padding_idx": 0}, [[0, 2], [2, 1]]),
}


def _embedding(lib: Any, kwargs: dict, idx: list, dtype: Any) -> dict:
    w = lib.tensor(WEIGHT, dtype=dtype, requires_grad=True)
    y = lib.nn.functional.embedding(lib.tensor(idx), w, **kwargs)
    loss = (y**3 * lib.tensor([1.0, -2.0], dtype=dtype)).sum()
    (g,) = lib.autograd.grad(loss, w, create_graph=True)
    (h,) = lib.autograd.grad((g * g).sum(), w)
    return {"grad": g.tolist(), "node": type(g.grad_fn).__name__, "hess": h.tolist()}


#: name -> cumprod's input (with zeros: the gradient's other branch) and dim
CUMPROD = {
    "one_zero": ([1.0, 0.0, 2.0, 3.0], 0),
    "first_zero": ([0.0, 2.0, 3.0, -1.5], 0),
    "two_zeros": ([2.0, 0.0, 3.0, 0.0, 1.5], 0),
    "last_zero": ([1.5, 2.0, -3.0, 0.0], 0),
    "matrix_dim0": ([[1.0, 0.0, 2.0], [3.0, 4.0, 0.0], [0.0, 0.0, 5.0]], 0),
    "matrix_dim1": ([[1.0, 0.0, 2.0], [3.0, 4.0, 0.0], [0.0, 0.0, 5.0]], 1),
}


def _cumprod(lib: Any, values: list, dim: int, dtype: Any) -> dict:
    x = lib.tensor(values, dtype=dtype, requires_grad=True)
    c = lib.cumprod(x, dim)
    w = lib.linspace(0.5, 2.0, c.numel(), dtype=dtype).reshape(c.shape)
    (g,) = lib.autograd.grad((c * c * w).sum(), x, create_graph=True)
    (h,) = lib.autograd.grad((g * g).sum(), x)
    return {"grad": g.tolist(), "node": None, "hess": h.tolist()}  # (the node: a composition)


#: name -> prod's input, dim (None: the full product) and keepdim (zeros: PyTorch's
#: exclusive-cumprod branch, whose second derivative follows the other elements too)
PROD = {
    "dim_no_zero": ([[1.0, -2.0, 3.0, 0.5], [2.5, 1.5, -1.0, 4.0]], 1, False),
    "dim_one_zero": ([[1.0, -2.0, 3.0, 0.5], [2.5, 0.0, -1.0, 4.0]], 1, False),
    "dim_two_zeros": ([[1.0, 0.0, 3.0, 0.0], [2.5, 1.5, -1.0, 4.0]], 1, False),
    "dim_zeros_rows": ([[0.0, -2.0, 3.0, 0.5], [2.5, 0.0, 0.0, 4.0]], 1, True),
    "dim0_keepdim": ([[1.0, -2.0, 3.0, 0.5], [2.5, 0.0, -1.0, 4.0]], 0, True),
    "full_no_zero": ([[1.0, -2.0, 3.0], [0.5, 2.5, -1.0]], None, False),
    "full_one_zero": ([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]], None, False),
    "full_two_zeros": ([[1.0, 0.0, 3.0], [0.5, 0.0, -1.0]], None, False),
    "full_vector_zero": ([1.5, 0.0, -2.0], None, False),
}


def _prod(lib: Any, values: list, dim: Any, keepdim: bool, dtype: Any) -> dict:
    x = lib.tensor(values, dtype=dtype, requires_grad=True)
    p = x.prod() if dim is None else x.prod(dim, keepdim=keepdim)
    w = lib.linspace(0.5, 2.0, p.numel(), dtype=dtype).reshape(p.shape)
    (g,) = lib.autograd.grad((p * w + p * p).sum(), x, create_graph=True)
    (h,) = lib.autograd.grad((g * g).sum() + g.sum(), x)
    return {"grad": g.tolist(), "node": type(g.grad_fn).__name__, "hess": h.tolist()}


#: name -> embedding_bag's keyword arguments, the flat indices and the offsets (no ties
#: within a max bag, no empty bag: the F.embedding composition below then has the same
#: gradients)
BAG_IDX = [0, 2, 0, 3, 1, 2]
BAG = {
    "sum": ({"mode": "sum"}, [0, 2, 5]),
    "mean": ({"mode": "mean"}, [0, 2, 5]),
    "max": ({"mode": "max"}, [0, 2, 5]),
    "sum_padding": ({"mode": "sum", "padding_idx": 3}, [0, 2, 5]),
    "mean_padding": ({"mode": "mean", "padding_idx": 0}, [0, 3]),
    "max_padding": ({"mode": "max", "padding_idx": 2}, [0, 2]),
    "per_sample": (
        {"mode": "sum", "per_sample_weights": [0.5, 2.0, -1.0, 1.5, 3.0, -0.5]},
        [0, 2, 5],
    ),
    "last_offset": ({"mode": "mean", "include_last_offset": True}, [0, 2, 4, 6]),
}


def _bag_loss(lib: Any, w: Any, p: Any, kwargs: dict, offsets: list, composed: bool) -> Any:
    """The loss through ``embedding_bag``, or (``composed``) through F.embedding and a
    reduction per bag, which PyTorch differentiates twice."""
    idx = lib.tensor(BAG_IDX)
    if not composed:
        y = lib.nn.functional.embedding_bag(idx, w, lib.tensor(offsets), per_sample_weights=p,
                                            **kwargs)  # fmt: skip
    else:
        rows = lib.nn.functional.embedding(idx, w)
        rows = rows if p is None else rows * p.unsqueeze(1)
        ends = offsets[1:] + [len(BAG_IDX)]
        if kwargs.get("include_last_offset"):
            ends = offsets[1:]
        bags = []
        for s, e in zip(offsets, ends):
            keep = [i for i in range(s, e) if BAG_IDX[i] != kwargs.get("padding_idx")]
            sel = rows[lib.tensor(keep)]
            mode = kwargs["mode"]
            bags.append(sel.sum(0) if mode == "sum" else sel.mean(0) if mode == "mean"
                        else sel.amax(0))  # fmt: skip
        y = lib.stack(bags)
    return (y**3 * lib.tensor([1.0, -2.0], dtype=w.dtype)).sum()


def _bag(lib: Any, kwargs: dict, offsets: list, dtype: Any) -> dict:
    kw = {k: v for k, v in kwargs.items() if k not in ("per_sample_weights", "include_last_offset")}
    kw["include_last_offset"] = kwargs.get("include_last_offset", False)
    psw = kwargs.get("per_sample_weights")
    out: dict = {}
    for composed in (False, True):
        w = lib.tensor(WEIGHT, dtype=dtype, requires_grad=True)
        p = None if psw is None else lib.tensor(psw, dtype=dtype, requires_grad=True)
        wrt = (w,) if p is None else (w, p)
        loss = _bag_loss(lib, w, p, kw if not composed else kwargs, offsets, composed)
        grads = lib.autograd.grad(loss, wrt, create_graph=True)
        key = "composed_" if composed else ""
        out[key + "grad"] = [t.tolist() for t in grads]
        try:
            out[key + "hess"] = [t.tolist() for t in lib.autograd.grad(
                sum((t * t).sum() for t in grads), wrt)]  # fmt: skip
        except (NotImplementedError, RuntimeError) as e:  # PyTorch: '_embedding_bag_backward'
            out[key + "hess"] = f"{type(e).__name__}: {e}"  # has no derivative
        if not composed:
            out["node"] = type(grads[0].grad_fn).__name__
    return out


#: name -> scatter_reduce's reduce, include_self, self, index and src (ties, zeros)
SCATTER = {
    "amax_self": ("amax", True, [3.0, 0.0], [0, 0, 1, 1, 1], [1.0, 3.0, 3.0, 2.0, -1.0]),
    "amax_ties": ("amax", False, [0.0, 0.0], [0, 0, 1, 1, 1], [1.0, 3.0, 3.0, 2.0, 3.0]),
    "amin_self": ("amin", True, [1.0, 4.0], [0, 0, 1, 1, 1], [1.0, 3.0, 3.0, 2.0, 2.0]),
    "amin_no_self": ("amin", False, [0.0, 0.0], [0, 0, 1, 1, 1], [1.5, 3.0, 3.0, 2.0, 2.0]),
    "prod_self": ("prod", True, [2.0, -1.5], [0, 0, 1, 1, 1], [1.5, 3.0, 3.0, 2.0, 0.5]),
    "prod_no_self": ("prod", False, [2.0, 0.0], [0, 0, 1, 1, 1], [1.5, 3.0, 3.0, 2.0, 0.5]),
    "prod_src_zero": ("prod", True, [2.0, -1.5], [0, 0, 1, 1, 1], [1.5, 0.0, 3.0, 2.0, 0.5]),
    "prod_self_zero": ("prod", True, [0.0, -1.5], [0, 0, 1, 1, 1], [1.5, 2.5, 3.0, 0.0, 0.5]),
    "prod_no_self_zero": ("prod", False, [0.0, 4.0], [0, 0, 1, 1, 1], [1.5, 0.0, 3.0, 2.0, 0.5]),
}


def _scatter(lib: Any, reduce: str, include_self: bool, a: list, idx: list, src: list,
             dtype: Any) -> dict:  # fmt: skip
    x = lib.tensor(a, dtype=dtype, requires_grad=True)
    s = lib.tensor(src, dtype=dtype, requires_grad=True)
    y = x.scatter_reduce(0, lib.tensor(idx), s, reduce, include_self=include_self)
    w = lib.tensor([1.5, -0.5], dtype=dtype)
    gx, gs = lib.autograd.grad(((y + y * y * y) * w).sum(), (x, s), create_graph=True)
    hx, hs = lib.autograd.grad((gx * gx).sum() + (gs * gs * gs).sum(), (x, s))
    return {"grad": [gx.tolist(), gs.tolist()], "node": None, "hess": [hx.tolist(), hs.tolist()]}


def run(lib: Any) -> dict:
    out = {}
    for dtype in ("float32", "float64"):
        dt = getattr(lib, dtype)
        for name, (kwargs, idx) in EMBEDDING.items():
            out[f"embedding_{name}_{dtype}"] = _embedding(lib, kwargs, idx, dt)
        for name, (values, dim) in CUMPROD.items():
            out[f"cumprod_{name}_{dtype}"] = _cumprod(lib, values, dim, dt)
        for name, (values, dim, keepdim) in PROD.items():
            out[f"prod_{name}_{dtype}"] = _prod(lib, values, dim, keepdim, dt)
        for name, (kwargs, offsets) in BAG.items():
            out[f"embedding_bag_{name}_{dtype}"] = _bag(lib, kwargs, offsets, dt)
        for name, args in SCATTER.items():
            out[f"scatter_reduce_{name}_{dtype}"] = _scatter(lib, *args, dt)
    return out
