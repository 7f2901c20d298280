"""In-place writes through ``.real``/``.imag``/``view_as_real``/``conj`` views of complex
tensors, run the same way on PyTorch (tests/fixtures/make_complex_inplace_torch.py records
them into complex_inplace_torch.json) and on jitgrad (tests/test_complex_inplace_views.py).

Each case gets ``y``: ``zz * 1``, a non-leaf over the complex128 leaf ``zz`` (or ``zz``
itself for the ``leaf_*`` cases), and ``w``, a float64 leaf that requires grad. It writes
through a view of ``y`` and returns the view it wrote through (or None). The loss weighs
the root's real and imaginary parts differently (so a gradient lost on one part shows),
plus the written view read after the write (which tests the view's new history).

REAL_ROOT cases write through ``view_as_complex`` of ``x * 1``, a non-leaf over the float64
(3, 2) leaf ``x`` (the complex view of a real root); ``vac_conj_read`` only reads.
"""

from __future__ import annotations

import warnings
from typing import Any

Z = [1 + 2j, 3 - 1j, -0.5 + 0.25j]
W = [7.0, 8.0, 9.0]
WEIGHTS = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]


def _set(view: Any, key: Any, value: Any) -> Any:
    view[key] = value
    return view


def _chain(t: Any, y: Any, w: Any) -> Any:
    y.imag.mul_(3)
    y.real.add_(y.imag)
    return None


def _twice(t: Any, y: Any, w: Any) -> Any:
    v = y.imag
    v.mul_(2)
    v.add_(w)
    return v


def _no_grad_leaf(t: Any, y: Any, w: Any) -> Any:
    with t.no_grad():
        y.imag[0] = 5.0
        y.real.mul_(2)
    return None


#: name -> fn(torch, y, w) -> the view written through, or None
CASES: dict[str, Any] = {
    "imag_setitem": lambda t, y, w: _set(y.imag, 0, 5.0),
    "real_setitem": lambda t, y, w: _set(y.real, 1, 5.0),
    "imag_setitem_w": lambda t, y, w: _set(y.imag, slice(0, 2), w[1:]),
    "imag_mul": lambda t, y, w: y.imag.mul_(3),
    "real_add": lambda t, y, w: y.real.add_(3),
    "imag_mul_w": lambda t, y, w: y.imag.mul_(w),
    "imag_zero": lambda t, y, w: y.imag.zero_(),
    "real_fill": lambda t, y, w: y.real.fill_(2.0),
    "imag_copy": lambda t, y, w: y.imag.copy_(w),
    "view_as_real_mul": lambda t, y, w: t.view_as_real(y).mul_(2),
    "view_as_real_setitem": lambda t, y, w: _set(t.view_as_real(y), (1, 0), 7.0),
    "view_as_real_row_copy": lambda t, y, w: t.view_as_real(y)[2].copy_(w[:2]),
    "conj_mul": lambda t, y, w: y.conj().mul_(2j),
    "conj_add": lambda t, y, w: y.conj().add_(1j),
    "conj_setitem": lambda t, y, w: _set(y.conj(), 0, 1j),
    "conj_zero": lambda t, y, w: y.conj().zero_(),
    "conj_imag_mul": lambda t, y, w: y.conj().imag.mul_(2),
    "conj_imag_setitem_w": lambda t, y, w: _set(y.conj().imag, slice(1, None), w[:2]),
    "slice_imag_mul": lambda t, y, w: y[1:].imag.mul_(2),
    "select_real_add": lambda t, y, w: y[2].real.add_(w[0]),
    "chain": _chain,
    "twice": _twice,
    "leaf_no_grad": _no_grad_leaf,
    "leaf_imag_setitem": lambda t, y, w: _set(y.imag, 0, 5.0),
    "leaf_conj_mul": lambda t, y, w: y.conj().mul_(2),
}

#: the cases whose ``y`` is the leaf ``zz`` itself
LEAF = ("leaf_no_grad", "leaf_imag_setitem", "leaf_conj_mul")


def _name(x: Any) -> str | None:
    return None if x.grad_fn is None else type(x.grad_fn).__name__


def _pairs(t: Any, x: Any) -> list:
    x = x.detach()
    if x.is_complex():
        return t.view_as_real(x.resolve_conj()).tolist()
    return x.resolve_neg().tolist()


def _view_loss(t: Any, v: Any) -> Any:
    if v.is_complex():
        return t.view_as_real(v.resolve_conj()).sum() * 0.5
    return (v * t.arange(1.0, v.numel() + 1, dtype=v.dtype).reshape(v.shape)).sum()


def run(t: Any, name: str) -> dict:
    """The case's values, node names, gradients and warnings, or the error it raises."""
    zz = t.tensor(Z, dtype=t.complex128, requires_grad=True)
    w = t.tensor(W, dtype=t.float64, requires_grad=True)
    y = zz if name in LEAF else zz * 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            v = CASES[name](t, y, w)
        except Exception as err:  # noqa: BLE001 - recording what is raised
            return {"error": [type(err).__name__, str(err)]}
        out = {"values": _pairs(t, y), "root_node": _name(y)}
        out["view_node"] = None if v is None else _name(v)
        out["view_values"] = None if v is None else _pairs(t, v)
        loss = (t.view_as_real(y) * t.tensor(WEIGHTS, dtype=t.float64)).sum()
        if v is not None and v.requires_grad:
            loss = loss + _view_loss(t, v)
        loss.backward()
    out["zz_grad"] = None if zz.grad is None else _pairs(t, zz.grad)
    out["w_grad"] = None if w.grad is None else w.grad.tolist()
    out["warnings"] = [str(m.message) for m in caught]
    return out


def _vac_set(t: Any, y: Any) -> Any:
    c = t.view_as_complex(y)
    c[1] = 1j
    return c


def _vac_conj_read(t: Any, y: Any) -> Any:
    return t.view_as_complex(y).conj().mul(1j)


#: name -> fn(torch, y) -> the view written through (y: a (3, 2) float64 non-leaf)
REAL_ROOT: dict[str, Any] = {
    "vac_mul": lambda t, y: t.view_as_complex(y).mul_(2j),
    "vac_setitem": _vac_set,
    "vac_conj_mul": lambda t, y: t.view_as_complex(y).conj().mul_(2j),
    "vac_imag_mul": lambda t, y: t.view_as_complex(y).imag.mul_(2),
    "vac_slice_add": lambda t, y: t.view_as_complex(y)[1:].add_(1 + 1j),
    "vac_conj_read": _vac_conj_read,
}


def run_real_root(t: Any, name: str) -> dict:
    """A REAL_ROOT case's values, node names and gradient."""
    x = t.tensor(WEIGHTS, dtype=t.float64, requires_grad=True)
    y = x * 1
    v = REAL_ROOT[name](t, y)
    out = {"values": y.tolist(), "root_node": _name(y), "view_node": _name(v)}
    out["view_values"] = _pairs(t, v)
    loss = (y * t.tensor(WEIGHTS, dtype=t.float64)).sum() + _view_loss(t, v)
    loss.backward()
    out["x_grad"] = x.grad.tolist()
    return out
