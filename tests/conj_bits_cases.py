"""Lazy conjugation (the conj and neg bits), run the same way on PyTorch
(tests/fixtures/make_conj_bits_torch.py records them into conj_bits_torch.json) and on
jitgrad (tests/test_conj_bits.py).

``z`` is a fixed complex128 2x2 matrix, ``c = z.conj()``. FLAGS names expressions of ``c``
and reports their bits, whether they are views of ``z`` and share its memory, and their
values. WRITES run in-place changes through the views (or into ``z``) and report both sides
and the version counters. ERRORS are refusals, NODES grad_fn chains and gradients, REPRS
printed tensors.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

Z = [[1 + 2j, 3 - 4j], [5 + 6j, -7 - 8j]]


def _z(t: Any, requires_grad: bool = False) -> Any:
    return t.tensor(Z, dtype=t.complex128, requires_grad=requires_grad)


def values(x: Any) -> list:
    """``x``'s logical values (complex as ``[real, imag]``), read without numpy()."""
    arr = np.array(x.detach().tolist(), dtype=complex if x.is_complex() else float)
    return np.stack([arr.real, arr.imag], -1).tolist() if x.is_complex() else arr.tolist()


#: name -> fn(torch, c) -> tensor (``c`` is ``z.conj()``)
FLAGS: dict[str, Any] = {
    "conj": lambda t, c: c,
    "select": lambda t, c: c[0],
    "column": lambda t, c: c[:, 1],
    "T": lambda t, c: c.T,
    "t": lambda t, c: c.t(),
    "reshape": lambda t, c: c.reshape(4),
    "view": lambda t, c: c.view(4),
    "flatten": lambda t, c: c.flatten(),
    "unsqueeze": lambda t, c: c.unsqueeze(0),
    "expand": lambda t, c: c.expand(2, 2, 2),
    "contiguous": lambda t, c: c.contiguous(),
    "unbind": lambda t, c: c.unbind(0)[1],
    "split": lambda t, c: c.split(1, 1)[0],
    "chunk": lambda t, c: c.chunk(2)[1],
    "diagonal": lambda t, c: c.diagonal(),
    "narrow": lambda t, c: c.narrow(1, 1, 1),
    "permute": lambda t, c: c.permute(1, 0),
    "as_strided": lambda t, c: c.as_strided((2,), (3,), 0),
    "unfold": lambda t, c: c.unfold(1, 1, 1),
    "step": lambda t, c: c[::2],
    "imag_T": lambda t, c: c.imag.T,
    "imag_of_T": lambda t, c: c.T.imag,
    "detach": lambda t, c: c.detach(),
    "data": lambda t, c: c.data,
    "clone": lambda t, c: c.clone(),
    "add": lambda t, c: c + 1,
    "to_complex64": lambda t, c: c.to(t.complex64),
    "real": lambda t, c: c.real,
    "imag": lambda t, c: c.imag,
    "imag_row": lambda t, c: c.imag[0],
    "imag_neg": lambda t, c: c.imag.neg(),
    "imag_times": lambda t, c: c.imag * 2 + 1,
    "imag_sin": lambda t, c: t.sin(c.imag),
    "conj_conj": lambda t, c: c.conj(),
    "torch_conj_conj": lambda t, c: t.conj(c),
    "resolve_conj": lambda t, c: c.resolve_conj(),
    "resolve_neg_of_imag": lambda t, c: c.imag.resolve_neg(),
    "resolve_neg_of_conj": lambda t, c: c.resolve_neg(),
    "resolve_conj_of_imag": lambda t, c: c.imag.resolve_conj(),
    "conj_physical": lambda t, c: c.conj_physical(),
    "mH": lambda t, c: c.mH,
    "z_mH": lambda t, c: c.conj().mH,
    "z_H": lambda t, c: c.conj().H,
    "z_adjoint": lambda t, c: c.conj().adjoint(),
    "z_mT": lambda t, c: c.conj().mT,
    "matmul": lambda t, c: c @ c.conj(),
    "mul_z": lambda t, c: c * c.conj(),
    "exp": lambda t, c: t.exp(c),
    "sum": lambda t, c: c.sum(),
    "abs": lambda t, c: c.abs(),
}


def run_flag(t: Any, name: str) -> dict:
    z = _z(t)
    c = z.conj()
    x = FLAGS[name](t, c)
    return {
        "is_conj": x.is_conj(),
        "is_neg": x.is_neg(),
        "torch_is_conj": t.is_conj(x),
        "is_view": x._is_view(),
        "base_is_z": x._base is z,
        "shares_z": x.data_ptr() == z.data_ptr(),
        "storage_offset": x.storage_offset(),
        "stride": list(x.stride()),
        "dtype": str(x.dtype).split(".")[-1],
        "values": values(x),
    }


def _write_index(t: Any, z: Any, c: Any) -> None:
    c[0, 1] = 5 + 5j


def _write_imag(t: Any, z: Any, c: Any) -> None:
    c.imag[1] = t.tensor([10.0, 20.0], dtype=t.float64)


#: name -> fn(torch, z, c): changes something in place
WRITES: dict[str, Any] = {
    "index": _write_index,
    "mul_": lambda t, z, c: c.mul_(2),
    "add_scalar_": lambda t, z, c: c.add_(1 + 1j),
    "row_fill_": lambda t, z, c: c[1].fill_(3 - 3j),
    "T_zero_": lambda t, z, c: c.T[0].zero_(),
    "unbind_fill_": lambda t, z, c: c.unbind(1)[0].fill_(2j),
    "as_strided_mul_": lambda t, z, c: c.as_strided((2,), (1,), 1).mul_(1j),
    "copy_": lambda t, z, c: c.copy_(t.ones(2, 2, dtype=t.complex128) * 1j),
    "imag_index": _write_imag,
    "imag_mul_": lambda t, z, c: c.imag.mul_(3),
    "real_add_": lambda t, z, c: c.real.add_(1),
    "detach_add_": lambda t, z, c: c.detach().add_(1j),
    "base_add_": lambda t, z, c: z.add_(1j),
    "base_then_view": lambda t, z, c: (z.mul_(2), c.sub_(1)),
    "conj_physical_": lambda t, z, c: z.conj_physical_(),
}


def run_write(t: Any, name: str) -> dict:
    z = _z(t)
    c = z.conj()
    before = c._version
    WRITES[name](t, z, c)
    return {
        "z": values(z),
        "c": values(c),
        "c_is_conj": c.is_conj(),
        "versions": [before, z._version, c._version],
    }


def _numpy_requires_grad(t: Any) -> Any:
    return _z(t, requires_grad=True).conj().numpy()


#: name -> fn(torch): raises
ERRORS: dict[str, Any] = {
    "numpy_conj": lambda t: _z(t).conj().numpy(),
    "numpy_neg": lambda t: _z(t).conj().imag.numpy(),
    "asarray_conj": lambda t: np.asarray(_z(t).conj()),
    "numpy_requires_grad": _numpy_requires_grad,
    "view_as_real": lambda t: t.view_as_real(_z(t).conj()),
    "view_dtype": lambda t: _z(t).conj().view(t.float64),
    "leaf_view_inplace": lambda t: _z(t, requires_grad=True).conj().mul_(2),
}


def run_error(t: Any, name: str) -> list[str] | None:
    try:
        ERRORS[name](t)
    except Exception as err:  # noqa: BLE001 - recording whatever the library raises
        return [type(err).__name__, str(err)]
    return None


def chain(node: Any, depth: int = 4) -> list:
    """``node``'s name and the chains of its inputs, ``depth`` levels down."""
    if node is None:
        return []
    if depth == 0:
        return [type(node).__name__]
    return [type(node).__name__, [chain(n, depth - 1) for n, _ in node.next_functions]]


def _weights(t: Any, x: Any) -> Any:
    w = t.arange(1, x.numel() + 1, dtype=t.float64).reshape(x.shape) / 3
    return w.to(x.dtype)


#: name -> fn(torch, zz) -> tensor; ``zz`` requires grad
NODES: dict[str, Any] = {
    "conj": lambda t, zz: zz.conj(),
    "conj_of_nonleaf": lambda t, zz: (zz * 2).conj(),
    "imag": lambda t, zz: zz.conj().imag,
    "real": lambda t, zz: zz.conj().real,
    "select": lambda t, zz: zz.conj()[1],
    "mH": lambda t, zz: zz.mH,
    "adjoint": lambda t, zz: zz.adjoint(),
    "resolve_conj": lambda t, zz: zz.conj().resolve_conj(),
    "resolve_neg": lambda t, zz: zz.conj().imag.resolve_neg(),
    "conj_physical": lambda t, zz: zz.conj_physical(),
    "conj_conj": lambda t, zz: zz.conj().conj(),
    "matmul_conj": lambda t, zz: zz.conj() @ zz,
    "imag_arith": lambda t, zz: zz.conj().imag * 3 - 1,
}


def run_node(t: Any, name: str) -> dict:
    zz = _z(t, requires_grad=True)
    y = NODES[name](t, zz)
    w = _weights(t, y)
    loss = (y * w).sum()
    (loss.real if loss.is_complex() else loss).backward()
    return {"chain": chain(y.grad_fn), "values": values(y), "grad": values(zz.grad)}


REPRS: dict[str, Any] = {
    "conj": lambda t: _z(t).conj(),
    "imag": lambda t: _z(t).conj().imag,
    "grad_conj": lambda t: _z(t, requires_grad=True).conj(),
    "scalar": lambda t: t.tensor(2 + 3j).conj(),
    "empty": lambda t: t.zeros(0, dtype=t.complex64).conj(),
}


def run_repr(t: Any, name: str) -> str:
    return repr(REPRS[name](t)).replace("torch.", "").replace("jitgrad.", "")


def run_misc(t: Any) -> dict:
    """Real tensors, the ops PyTorch returns conj views from."""
    r = t.tensor([1.0, -2.0], dtype=t.float64)
    u, s, v = t.svd(_z(t))
    return {
        "real_conj_is_self": r.conj() is r and t.conj(r) is r and r.conj_physical() is r,
        "real_resolve_is_self": r.resolve_conj() is r and r.resolve_neg() is r,
        "real_flags": [r.is_conj(), r.is_neg(), t.is_neg(r)],
        "z_resolve_is_self": (lambda z: z.resolve_conj() is z and z.resolve_neg() is z)(_z(t)),
        "svd_v_is_conj": v.is_conj(),
        "ihfft_is_conj": t.fft.ihfft(r).is_conj(),
        "item": [_z(t).conj()[0, 0].item().real, _z(t).conj()[0, 0].item().imag],
        "tolist_imag": _z(t).conj().imag.tolist(),
        "deepcopy": (lambda d: [d.is_conj(), d.is_neg(), values(d)])(copy.deepcopy(_z(t).conj())),
    }
