"""The meta device's cases, shared by tests/test_meta_device.py and the PyTorch recorder
(tests/fixtures/make_meta_torch.py): each case is ``(name, fn)`` with ``fn(torch)`` returning
what is compared (a repr, a device, a shape ...), or raising an error whose type and message
are compared."""

from __future__ import annotations

import re
from typing import Any


def _meta(torch: Any, *shape: int, **kw: Any) -> Any:
    return torch.empty(shape, device="meta", **kw)


def _linear(torch: Any) -> Any:
    return torch.nn.Linear(3, 2).to("meta")


def _backward_grad(torch: Any) -> Any:
    y = _meta(torch, 2, 3, requires_grad=True)
    z = (y * 2).sum()
    z.backward()
    return (repr(z.grad_fn.name()), repr(y.grad))


def _mlp_through(torch: Any) -> Any:
    w = _meta(torch, 4, 3, requires_grad=True)
    b = _meta(torch, 4, requires_grad=True)
    out = torch.nn.functional.linear(_meta(torch, 5, 3), w, b).relu().mean()
    out.backward()
    return (repr(out), repr(w.grad), repr(b.grad))


def _context(torch: Any) -> Any:
    with torch.device("meta"):
        lin = torch.nn.Linear(4, 5)
    return (repr(lin.weight), str(lin.bias.device))


def _to_empty(torch: Any) -> Any:
    lin = _linear(torch).to_empty(device="cpu")
    return (tuple(lin.weight.shape), str(lin.weight.device), type(lin.weight).__name__)


def _layer_devices(torch: Any) -> Any:
    nn = torch.nn
    layers = [
        nn.Linear(3, 2, device="meta"),
        nn.Linear(3, 2, True, "meta"),
        nn.Conv2d(3, 4, 3, device="meta"),
        nn.Embedding(10, 4, device="meta"),
        nn.BatchNorm1d(4, device="meta"),
        nn.LayerNorm(4, device="meta"),
        nn.LSTM(3, 4, device="meta"),
        nn.Linear(3, 2, device="cpu"),
    ]
    return [sorted({str(t.device) for t in (*m.parameters(), *m.buffers())}) for m in layers]


def _layer_device_forward(torch: Any) -> Any:
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 4, device="meta"), torch.nn.ReLU(), torch.nn.Linear(4, 2, device="meta")
    )
    y = model(_meta(torch, 5, 3))
    model.to_empty(device="cpu")
    return (repr(y), [str(p.device) for p in model.parameters()])


def _optimizer_step(torch: Any) -> Any:
    model = torch.nn.Linear(3, 2, device="meta")
    out = []
    for make in (torch.optim.SGD, torch.optim.Adam):
        opt = make(model.parameters(), lr=0.1)
        model(_meta(torch, 4, 3)).sum().backward()
        opt.step()
        opt.zero_grad()
        out.append(repr(model.weight))
    return out


CASES: list[tuple[str, Any]] = [
    ("optimizer_step", _optimizer_step),
    ("layer_device_kwarg", _layer_devices),
    ("layer_device_forward", _layer_device_forward),
    ("repr", lambda t: repr(_meta(t, 2, 3))),
    ("str", lambda t: str(_meta(t, 2, 3))),
    ("repr_empty", lambda t: repr(_meta(t, 0))),
    ("repr_0d", lambda t: repr(_meta(t))),
    ("repr_int64", lambda t: repr(t.zeros(2, dtype=t.int64, device="meta"))),
    ("repr_bool", lambda t: repr(_meta(t, 2, 3, dtype=t.bool))),
    ("repr_float64", lambda t: repr(_meta(t, 2, dtype=t.float64))),
    ("repr_requires_grad", lambda t: repr(t.ones(2, 3, device="meta", requires_grad=True))),
    ("is_meta", lambda t: (_meta(t, 2).is_meta, t.ones(2).is_meta)),
    ("device", lambda t: repr(_meta(t, 2).device)),
    ("is_cpu", lambda t: _meta(t, 2).is_cpu),
    ("device_ctor", lambda t: (repr(t.device("meta")), repr(t.device("meta:0")))),
    ("item_many", lambda t: _meta(t, 2, 3).item()),
    ("item_one", lambda t: _meta(t).item()),
    ("float", lambda t: float(_meta(t))),
    ("bool", lambda t: bool(_meta(t))),
    ("numpy", lambda t: _meta(t, 2).numpy()),
    ("tolist", lambda t: _meta(t, 2).tolist()),
    ("cpu", lambda t: _meta(t, 2).cpu()),
    ("to_cpu", lambda t: _meta(t, 2).to("cpu")),
    ("copy_out", lambda t: t.ones(2, 3).copy_(_meta(t, 2, 3))),
    ("copy_in", lambda t: repr(_meta(t, 2, 3).copy_(t.ones(2, 3)))),
    ("add_scalar", lambda t: repr(_meta(t, 2, 3) + 1)),
    ("add_cpu", lambda t: _meta(t, 2, 3) + t.ones(2, 3)),
    ("broadcast", lambda t: repr(_meta(t, 2, 1, 3) * _meta(t, 4, 1))),
    ("broadcast_bad", lambda t: repr(_meta(t, 2, 3) * _meta(t, 4))),
    ("matmul", lambda t: repr(_meta(t, 2, 3) @ _meta(t, 3, 4))),
    ("sum_dim", lambda t: repr(_meta(t, 2, 3).sum(0))),
    ("max_all", lambda t: repr(_meta(t, 2, 3).max())),
    ("sort", lambda t: repr(_meta(t, 2, 3).sort())),
    ("stride", lambda t: _meta(t, 2, 3, 4).stride()),
    ("contiguous", lambda t: _meta(t, 2, 3).is_contiguous()),
    ("view", lambda t: repr(_meta(t, 2, 3).view(6))),
    ("getitem", lambda t: repr(_meta(t, 2, 3)[0])),
    ("iter", lambda t: [repr(r) for r in _meta(t, 2, 3)]),
    ("cat", lambda t: repr(t.cat([_meta(t, 2, 3), _meta(t, 2, 3)]))),
    ("eq", lambda t: repr(_meta(t, 2, 3) == _meta(t, 2, 3))),
    ("float_cast", lambda t: repr(_meta(t, 2, 3).double())),
    ("randn", lambda t: repr(t.randn(2, device="meta"))),
    ("tensor", lambda t: repr(t.tensor([1.0, 2.0], device="meta"))),
    ("arange", lambda t: repr(t.arange(5, device="meta"))),
    ("to_meta", lambda t: repr(t.ones(2, 3).to("meta"))),
    ("to_meta_grad", lambda t: repr(t.ones(2, 3, requires_grad=True).to("meta"))),
    ("to_meta_backward", lambda t: t.ones(2, requires_grad=True).to("meta").sum().backward()),
    ("empty_like", lambda t: repr(t.empty_like(_meta(t, 2, 3)))),
    ("zeros_like_device", lambda t: repr(t.zeros_like(_meta(t, 2)).device)),
    ("new_zeros", lambda t: repr(_meta(t, 2).new_zeros(3))),
    ("fill_", lambda t: repr(_meta(t, 2, 3).fill_(1.0))),
    ("uniform_", lambda t: repr(_meta(t, 2, 3).uniform_())),
    ("nonzero", lambda t: t.nonzero(_meta(t, 2, 3))),
    ("unique", lambda t: t.unique(_meta(t, 2, 3))),
    ("masked_select", lambda t: _meta(t, 2, 3).masked_select(_meta(t, 2, 3) > 0)),
    ("equal", lambda t: t.equal(_meta(t, 2), _meta(t, 2))),
    ("allclose", lambda t: t.allclose(_meta(t, 2), _meta(t, 2))),
    ("linear_module", lambda t: (repr(_linear(t).weight), repr(_linear(t)))),
    ("linear_forward", lambda t: repr(_linear(t)(_meta(t, 4, 3)))),
    ("backward", _backward_grad),
    ("mlp_backward", _mlp_through),
    ("device_context", _context),
    ("to_empty", _to_empty),
]

_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def normalize(text: str) -> str:
    """What differs by library name or memory address only."""
    return _ADDRESS.sub(" at 0x", text.replace("jitgrad.", "torch."))


def run(torch: Any, fn: Any) -> dict:
    try:
        return {"value": normalize(repr(fn(torch)))}
    except Exception as e:  # noqa: BLE001 - the type and message are what is compared
        return {"error": type(e).__name__, "message": normalize(str(e))}
