"""Cases of issue 13's leftovers (session 10, left13), shared by tests/test_left13.py and the
PyTorch recorder tests/fixtures/make_left13_torch.py: each ``fn(torch)`` returns plain JSON
(values, node names, ``[error type, message]`` pairs), run once with PyTorch and once with
jitgrad, compared whole."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _error(call: Callable[[], Any]) -> list | None:
    try:
        call()
    except Exception as err:  # noqa: BLE001 - recording whatever the library raises
        return [type(err).__name__, str(err)]
    return None


def _plain(v: Any) -> Any:
    if hasattr(v, "tolist") and hasattr(v, "shape"):
        return {"shape": list(v.shape), "values": v.detach().reshape(-1).tolist()}
    if isinstance(v, tuple | list):
        return [_plain(x) for x in v]
    return v


def _read(node: Any, names: list[str]) -> dict:
    out = {}
    for name in names:
        box: list = []
        err = _error(lambda name=name, box=box: box.append(getattr(node, name)))
        out[name] = err if err else _plain(box[0])
    return out


def saved_after_backward(torch: Any) -> dict:
    """``_saved_*`` of tensor-saving nodes after backward: the ints read on, the tensors
    raise the freed-graph error."""
    x = torch.arange(6.0, dtype=torch.float64).reshape(2, 3).requires_grad_()
    idx = torch.tensor([[0, 0], [2, 1]])
    nodes = {
        "gather": (x.gather(-1, idx), ["_saved_dim", "_saved_index", "_saved_self",
                                        "_saved_sparse_grad"]),
        "index_select": (x.index_select(-1, torch.tensor([0, 2])),
                         ["_saved_dim", "_saved_index", "_saved_self_sym_sizes"]),
        "mm": (x.mm(x.t()), ["_saved_self", "_saved_mat2", "_saved_self_sym_sizes",
                             "_saved_mat2_sym_sizes", "_saved_self_sym_strides"]),
        "squeeze1": ((x * 1).unsqueeze(0).squeeze(-3), ["_saved_dim", "_saved_self_sym_sizes"]),
        "squeeze2": ((x * 1).unsqueeze(1).squeeze((1, -1)),
                     ["_saved_dim", "_saved_self_sym_sizes"]),
        "max_dim": (x.max(1)[0], ["_saved_dim", "_saved_keepdim",
                                  "_saved_self_sym_sizes"]),
    }  # fmt: skip
    before = {k: _read(y.grad_fn, names) for k, (y, names) in nodes.items()}
    sum(y.sum() for y, _ in nodes.values()).backward()
    after = {k: _read(y.grad_fn, names) for k, (y, names) in nodes.items()}
    return {"before": before, "after": after}


def inference_saved(torch: Any) -> dict:
    """Every node refuses to save an inference tensor for backward (not only elementwise
    ones); a node that saves none takes it."""
    with torch.inference_mode():
        a = torch.ones(2, 2)
        i = torch.tensor([0, 1])
    w = torch.ones(2, 2, requires_grad=True)
    F = torch.nn.functional
    cases = {
        "mul": lambda: w * a,
        "add": lambda: w + a,
        "mm": lambda: w.mm(a),
        "mm_self": lambda: a.mm(w),
        "matmul": lambda: w @ a,
        "bmm": lambda: w.unsqueeze(0).bmm(a.unsqueeze(0)),
        "dot": lambda: w[0].dot(a[0]),
        "addmm": lambda: torch.addmm(a, w, a),
        "linear": lambda: F.linear(w, a),
        "mse_loss": lambda: F.mse_loss(w, a),
        "sum_dim": lambda: w.sum(0),
        "gather": lambda: w.gather(1, i.reshape(2, 1)),
        "index_select": lambda: w.index_select(0, i),
        "getitem_tensor": lambda: w[i],
        "cat": lambda: torch.cat([w, a]),
        "clamp_tensor": lambda: w.clamp(min=a),
        "scatter_add": lambda: w.scatter_add(0, i.reshape(1, 2), a[:1]),
    }
    return {k: _error(f) for k, f in cases.items()}


def _multi_view_stale(torch: Any, make: Any, write: Any) -> dict:
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    outs = make(y)
    write(y)
    b = outs[1]
    got = {
        "grad_fn": _error(lambda: b.grad_fn),
        "mul": _error(lambda: b * 2),
        "select": _error(lambda: b[0]),
        "is_leaf": _error(lambda: b.is_leaf),
        "requires_grad": b.requires_grad,
        "detach": b.detach().tolist(),
        "repr": repr(b),
    }
    with torch.no_grad():
        got["no_grad_mul"] = (b * 2).tolist()
        got["no_grad_select"] = b[0].tolist()
    got["again"] = _error(lambda: b.grad_fn)
    return got


def multi_view_stale(torch: Any) -> dict:
    """An unbind/split/chunk output after its base or a sibling view changed in place: its
    ``grad_fn`` (and every op recording it) raises PyTorch's error, repr shows ``Invalid``."""
    return {
        "unbind": _multi_view_stale(torch, lambda y: y.unbind(1), lambda y: y.mul_(2)),
        "split": _multi_view_stale(torch, lambda y: y.split(1), lambda y: y.add_(1)),
        "chunk": _multi_view_stale(torch, lambda y: y.chunk(2, 1), lambda y: y.mul_(3)),
        "sibling": _multi_view_stale(torch, lambda y: y.split([1, 1]), lambda y: y[0].mul_(2)),
        "no_grad_write": _multi_view_stale(
            torch, lambda y: y.unbind(0), lambda y: torch.no_grad()(y.mul_)(2)
        ),
        "detached_alias_write": _multi_view_stale(
            torch, lambda y: y.unbind(1), lambda y: y.detach().mul_(2)
        ),
        # a view of an output taken before the write: "Output 0 of Select"
        "view_of_output": _multi_view_stale(
            torch, lambda y: [None, y.unbind(1)[1][0:1]], lambda y: y.mul_(2)
        ),
    }


def _prod_double(torch: Any, src_vals: tuple, include_self: bool, self_vals: tuple) -> dict:
    x = torch.tensor(self_vals, dtype=torch.float64, requires_grad=True)
    src = torch.tensor(src_vals, dtype=torch.float64, requires_grad=True)
    y = x.scatter_reduce(0, torch.tensor([0, 0, 1]), src, "prod", include_self=include_self)
    g = torch.autograd.grad(y.sum(), (x, src), create_graph=True)
    out: dict = {"g": [t.tolist() for t in g], "nodes": [type(t.grad_fn).__name__ for t in g]}
    for i in (0, 1):
        box: list = []
        err = _error(lambda i=i, box=box: box.extend(
            torch.autograd.grad(g[i].sum(), (x, src), allow_unused=True)))
        out[f"gg{i}"] = err or [None if t is None else t.tolist() for t in box]
    return out


def scatter_reduce_prod_double(torch: Any) -> dict:
    """prod's second derivative for src raises where two zeros of src meet at one position
    (PyTorch's ``Error`` node); elsewhere it is computed."""
    return {
        "two_zeros": _prod_double(torch, (0.0, 0.0, 5.0), True, (1.0, 2.0, 3.0)),
        "one_zero": _prod_double(torch, (0.0, 2.0, 5.0), True, (1.0, 2.0, 3.0)),
        "no_zero": _prod_double(torch, (2.0, 3.0, 5.0), True, (1.0, 2.0, 3.0)),
        "two_zeros_exclude_self": _prod_double(torch, (0.0, 0.0, 5.0), False, (1.0, 2.0, 3.0)),
        "one_zero_exclude_self": _prod_double(torch, (0.0, 2.0, 5.0), False, (0.0, 2.0, 3.0)),
    }


def _rounded(t: Any) -> list:
    """A complex tensor as ``[real, imag]`` pairs rounded to 9 decimals (the libraries'
    last bits differ)."""
    return [[round(v.real, 9), round(v.imag, 9)] for v in t.detach().reshape(-1).tolist()]


def complex_logcumsumexp(torch: Any) -> dict:
    """Complex logcumsumexp: values (imaginary parts as PyTorch's running log-add-exp keeps
    them, not wrapped), node name and gradient; complex64; -inf terms."""
    c128 = torch.complex128
    x = torch.tensor([[1 + 2j, 0.5 - 1j, -1 + 0.3j], [2j, 3 + 0j, -0.5 - 0.5j]], dtype=c128,
                     requires_grad=True)  # fmt: skip
    y = torch.logcumsumexp(x, 1)
    w = torch.tensor([[1 + 1j, 2 - 1j, 0.5j], [1, -1j, 2 + 0j]], dtype=c128)
    (y * w).real.sum().backward()
    x64 = x.detach().to(torch.complex64)
    turn = torch.tensor([3.1j, -2.9j, 1 + 0j, 3j], dtype=c128)
    inf = torch.tensor([0j, complex(float("-inf"), 0)], dtype=c128)
    return {
        "node": type(y.grad_fn).__name__,
        "values": _rounded(y),
        "grad": _rounded(x.grad),
        "dim0": _rounded(x.detach().logcumsumexp(0)),
        "complex64": [str(x64.logcumsumexp(0).dtype).split(".")[-1],
                      [[round(v.real, 5), round(v.imag, 5)]
                       for v in x64.logcumsumexp(0).reshape(-1).tolist()]],
        "past_pi": _rounded(turn.logcumsumexp(0)),
        "minus_inf": _rounded(inf.logcumsumexp(0)),
    }


CASES: dict[str, Callable[[Any], Any]] = {
    "saved_after_backward": saved_after_backward,
    "inference_saved": inference_saved,
    "multi_view_stale": multi_view_stale,
    "scatter_reduce_prod_double": scatter_reduce_prod_double,
    "complex_logcumsumexp": complex_logcumsumexp,
}
