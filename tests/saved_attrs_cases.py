"""The ``grad_fn._saved_*`` cases of view, indexing and shape nodes, shared by
tests/test_saved_attrs.py and the PyTorch recorder (tests/fixtures/make_saved_attrs_torch.py):
each case is ``(name, fn)`` with ``fn(torch)`` returning a tensor whose ``grad_fn`` is read;
:func:`run` gives the node's name and every ``_saved_*`` attribute, a tensor as its shape and
values, an int as PyTorch shows it (a negative dim as its int64 read as uint64)."""

from __future__ import annotations

from typing import Any


def _x(torch: Any, *shape: int) -> Any:
    n = 1
    for s in shape:
        n *= s
    return torch.arange(n, dtype=torch.float64).reshape(shape).requires_grad_()


def _linear_grad(torch: Any) -> Any:
    """The input's gradient of ``linear``, with a graph: an ``MmBackward0`` of the gradient
    and the weight."""
    x, w = _x(torch, 3, 4), _x(torch, 2, 4)
    y = torch.nn.functional.linear(x, w)
    return torch.autograd.grad(y.sum(), x, create_graph=True)[0]


def _cases() -> list:
    x = _x
    return [
        ("transpose", lambda t: x(t, 2, 3, 4).transpose(0, -1)),
        ("transpose_pos", lambda t: x(t, 2, 3, 4).transpose(2, 1)),
        ("permute", lambda t: x(t, 2, 3, 4).permute(2, 0, 1)),
        ("permute_neg", lambda t: x(t, 2, 3, 4).permute(-1, 0, -2)),
        ("view", lambda t: x(t, 2, 3, 4).view(6, 4)),
        ("reshape", lambda t: x(t, 2, 3, 4).reshape(-1)),
        ("reshape_copy", lambda t: x(t, 2, 3, 4).transpose(0, 1).reshape(12, 2)),
        ("flatten", lambda t: x(t, 2, 3, 4).flatten(1)),
        ("unsqueeze", lambda t: x(t, 2, 3).unsqueeze(-1)),
        ("unsqueeze_pos", lambda t: x(t, 2, 3).unsqueeze(1)),
        ("squeeze", lambda t: x(t, 2, 1, 3).squeeze()),
        ("squeeze_dim", lambda t: x(t, 2, 1, 3).squeeze(1)),
        ("squeeze_dims", lambda t: x(t, 2, 1, 3).squeeze((1,))),
        ("expand", lambda t: x(t, 1, 4).expand(5, 4)),
        ("expand_lead", lambda t: x(t, 3, 1).expand(2, -1, 4)),
        ("select", lambda t: x(t, 2, 3, 4).select(1, 2)),
        ("select_neg", lambda t: x(t, 2, 3, 4).select(-1, -1)),
        ("getitem_int", lambda t: x(t, 2, 3, 4)[1]),
        ("getitem_int_dim1", lambda t: x(t, 2, 3, 4)[:, 2]),
        ("slice", lambda t: x(t, 2, 3, 4)[:, 1:3]),
        ("slice_dim0", lambda t: x(t, 5, 3)[1:4]),
        ("slice_step", lambda t: x(t, 2, 6)[:, ::2]),
        ("slice_open_start", lambda t: x(t, 2, 6)[:, :4]),
        ("narrow", lambda t: x(t, 2, 3, 4).narrow(2, 1, 2)),
        ("narrow_neg", lambda t: x(t, 2, 3, 4).narrow(-1, -3, 2)),
        ("slice_neg", lambda t: x(t, 2, 6)[:, -4:-1]),
        ("getitem_neg", lambda t: x(t, 2, 3, 4)[-1]),
        ("getitem_ellipsis", lambda t: x(t, 2, 3, 4)[..., 1]),
        ("slice_then_full", lambda t: x(t, 5, 3)[1:3, :]),
        ("split", lambda t: x(t, 2, 3, 4).split(2, dim=2)[0]),
        ("split_neg", lambda t: x(t, 2, 3, 4).split(3, dim=-1)[1]),
        ("split_sizes", lambda t: x(t, 2, 3, 4).split([1, 3], dim=-1)[0]),
        ("split_sizes_pos", lambda t: x(t, 2, 3, 4).split([2, 1], dim=1)[1]),
        ("chunk", lambda t: x(t, 2, 3, 4).chunk(2, dim=2)[0]),
        ("unbind", lambda t: x(t, 2, 3, 4).unbind(1)[0]),
        ("unbind_neg", lambda t: x(t, 2, 3, 4).unbind(-1)[2]),
        ("index_select", lambda t: x(t, 2, 3, 4).index_select(1, t.tensor([0, 2]))),
        ("gather", lambda t: x(t, 2, 3).gather(1, t.tensor([[0, 0], [2, 1]]))),
        ("mm", lambda t: x(t, 3, 4).mm(x(t, 4, 2))),
        ("matmul", lambda t: x(t, 3, 4) @ x(t, 4, 2)),
        ("linear_grad_mm", _linear_grad),
        ("repeat", lambda t: x(t, 3, 2).repeat(2, 1, 3)),
        ("pad", lambda t: t.nn.functional.pad(x(t, 2, 3), (1, 2))),
        ("pad_2d", lambda t: t.nn.functional.pad(x(t, 2, 3), (0, 1, 2, 0), value=1.0)),
        ("mean_dim", lambda t: x(t, 2, 3, 4).mean(1)),
        ("max_dim", lambda t: x(t, 2, 3, 4).max(1)[0]),
        ("cat", lambda t: t.cat([x(t, 2, 3), x(t, 2, 3)], -1)),
    ]


CASES = _cases()


def _shown(torch: Any, value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return {"shape": list(value.shape), "values": value.detach().reshape(-1).tolist()}
    if isinstance(value, tuple):
        return [_shown(torch, v) for v in value]
    return value


def run(torch: Any, fn: Any) -> dict:
    """The node's name and its ``_saved_*`` attributes (names sorted, values as JSON)."""
    node = fn(torch).grad_fn
    names = sorted(a for a in dir(node) if a.startswith("_saved_"))
    return {
        "node": type(node).__name__,
        "saved": {a: _shown(torch, getattr(node, a)) for a in names},
    }
