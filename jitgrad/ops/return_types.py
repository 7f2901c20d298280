"""``named_result``: the one factory of the tuple types PyTorch calls ``torch.return_types.*``
(``max``/``min``/``sort``... ``(values, indices)``, ``aminmax``, the ``linalg`` results)."""

from __future__ import annotations

from typing import Any


def named_result(name: str, fields: tuple[str, ...]) -> type:
    """A tuple type printed and accessed like ``torch.return_types.<name>``: its repr and
    ``type()`` name ``torch.return_types`` as PyTorch's do, for every such result (a program
    run as ``import jitgrad as torch`` prints what PyTorch prints)."""

    def __repr__(self: tuple) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    attrs: dict[str, Any] = {"__slots__": (), "__repr__": __repr__}
    attrs["__module__"] = "torch.return_types"
    attrs["__new__"] = lambda cls, *values: tuple.__new__(cls, values)
    for i, f in enumerate(fields):
        attrs[f] = property(lambda self, i=i: self[i])
    return type(name, (tuple,), attrs)


#: ``torch.mode``'s result type (one type for both devices: jitgrad.reduce_extra's CPU op and
#: the CUDA backend's)
ModeResult = named_result("mode", ("values", "indices"))
