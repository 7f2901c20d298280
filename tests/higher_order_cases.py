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


def run(lib: Any) -> dict:
    out = {}
    for dtype in ("float32", "float64"):
        dt = getattr(lib, dtype)
        for name, (kwargs, idx) in EMBEDDING.items():
            out[f"embedding_{name}_{dtype}"] = _embedding(lib, kwargs, idx, dt)
        for name, (values, dim) in CUMPROD.items():
            out[f"cumprod_{name}_{dtype}"] = _cumprod(lib, values, dim, dt)
    return out
