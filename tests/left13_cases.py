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
        "softmax": (x.softmax(-1), ["_saved_dim", "_saved_result"]),
    }  # fmt: skip
    before = {k: _read(y.grad_fn, names) for k, (y, names) in nodes.items()}
    sum(y.sum() for y, _ in nodes.values()).backward()
    after = {k: _read(y.grad_fn, names) for k, (y, names) in nodes.items()}
    return {"before": before, "after": after}


CASES: dict[str, Callable[[Any], Any]] = {
    "saved_after_backward": saved_after_backward,
}
