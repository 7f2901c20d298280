"""Views taken before their base (or a sibling view) is modified in place, run with either
library (``T`` is ``torch`` or ``jitgrad``): the view's ``grad_fn`` name after the write and
the leaf's gradient through it. Recorded from PyTorch by tests/fixtures/make_stale_views_torch.py.
"""

from __future__ import annotations

from typing import Any


def _root(T: Any, complex_: bool = False) -> tuple[Any, Any]:
    x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    if complex_:
        x = T.tensor([[1 + 2j, 3 - 1j], [0.5j, 2 + 0j]], requires_grad=True)
    return x, x * 1


def base_write(T: Any) -> tuple:
    x, y = _root(T)
    v = y[:, 1]
    y.mul_(2)
    return x, v, (v * v).sum()


def backward_from_view(T: Any) -> tuple:
    x, y = _root(T)
    v = y[:, 1]
    y.mul_(2)
    return x, v, v  # backward(ones) from the view itself


def sibling_write(T: Any) -> tuple:
    x, y = _root(T)
    a, b = y[0], y[:, 0]
    a.mul_(3)
    return x, b, (b * b).sum()


def chain_of_views(T: Any) -> tuple:
    x, y = _root(T)
    v = y.t()[0]
    y.add_(y)
    return x, v, (v * v).sum()


def view_of_view(T: Any) -> tuple:
    x, y = _root(T)
    v = y[:, 1]
    w = v[1:]
    y.add_(x)
    return x, w, (w * 3).sum()


def transpose_view(T: Any) -> tuple:
    x, y = _root(T)
    v = y.t()
    y.mul_(2)
    return x, v, (v * T.tensor([[1.0, 2.0], [3.0, 4.0]])).sum()


def no_grad_base_write(T: Any) -> tuple:
    x, y = _root(T)
    v = y[1]
    with T.no_grad():
        y.mul_(2)
    return x, v, (v * v).sum()


def detach_write(T: Any) -> tuple:
    x, y = _root(T)
    v = y[1]
    y.detach().mul_(5)
    return x, v, (v * v).sum()


def setitem_on_base(T: Any) -> tuple:
    x, y = _root(T)
    v = y[0]
    y[0, 1] = x[1, 1] * 2
    return x, v, (v * v).sum()


def two_writes(T: Any) -> tuple:
    x, y = _root(T)
    v = y[0]
    y.mul_(2)
    first = v * 1
    y.mul_(3)
    return x, v, (first + v * v).sum()


def leaf_view_no_grad_write(T: Any) -> tuple:
    x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    v = x[0]
    with T.no_grad():
        x.mul_(2)
    return x, v, (v * v).sum()


def view_after_write(T: Any) -> tuple:
    x, y = _root(T)
    y.mul_(2)
    v = y[0]
    return x, v, (v * v).sum()


def complex_imag(T: Any) -> tuple:
    x, y = _root(T, complex_=True)
    v = y.imag
    y.mul_(2)
    return x, v, (v * v).sum()


def complex_real_sibling(T: Any) -> tuple:
    x, y = _root(T, complex_=True)
    r, i = y.real, y.imag
    i.mul_(3)
    return x, r, (r * r).sum()


def conj_of_base(T: Any) -> tuple:
    x, y = _root(T, complex_=True)
    c = y.conj()
    y.mul_(2)
    return x, c, (c * c).abs().sum()


def conj_of_select(T: Any) -> tuple:
    x, y = _root(T, complex_=True)
    c = y[1].conj()
    y.mul_(2)
    return x, c, (c * c).abs().sum()


def select_of_stale_conj(T: Any) -> tuple:
    """A view taken of a stale conj view keeps the conj bit."""
    x, y = _root(T, complex_=True)
    c = y.conj()
    y.mul_(2)
    d = c[0]
    assert d.is_conj()
    return x, d, (d * d).abs().sum()


def select_of_conj(T: Any) -> tuple:
    """A select of a conj view taken before the base write (issue 13 leftover)."""
    x, y = _root(T, complex_=True)
    d = y.conj()[1]
    y.mul_(2)
    return x, d, (d * d).abs().sum()


CASES = {f.__name__: f for f in (
    base_write, backward_from_view, sibling_write, chain_of_views, view_of_view,
    transpose_view, no_grad_base_write, detach_write, setitem_on_base, two_writes,
    leaf_view_no_grad_write, view_after_write, complex_imag, complex_real_sibling,
    conj_of_base, conj_of_select, select_of_stale_conj, select_of_conj,
)}


def run(T: Any, name: str, pairs: Any) -> dict:
    """The view's node name after the write, the loss's value and the leaf's gradient."""
    x, v, out = CASES[name](T)
    node = type(v.grad_fn).__name__ if v.grad_fn is not None else None
    if out is v:
        v.backward(T.ones_like(v))
    else:
        out.backward()
    return {"node": node, "out": pairs(out), "grad": pairs(x.grad)}
