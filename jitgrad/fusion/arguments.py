"""Who a fused backward kernel's arguments are in the user's program.

The kernel's source is its cache key, so its arguments are named from the graph's structure
only (``g``, ``x0``, ``saved_sin1``, ``out0``: see :mod:`.backward_render`). This maps them
back to the user's tensors, for :func:`jitgrad.explain` and the ``JITGRAD_DEBUG=2`` log.
"""

from __future__ import annotations

from typing import Any


class Namer:
    """Names tensors as the user knows them: a parameter's name from ``params``, else
    ``leaf 0``, ``leaf 1``... in the order the report meets them, else the op's result."""

    def __init__(self, params: dict[str, Any] | None) -> None:
        self.names = {id(v): k for k, v in (params or {}).items()}
        self.keep: list[Any] = []  # the tensors numbered (their ids stay theirs)

    def __call__(self, x: Any) -> str:
        grad = ", requires_grad" if x.requires_grad else ""
        shape = f"shape {tuple(x.shape)}{grad}"
        if x.grad_fn is not None and id(x) not in self.names:
            return f"the result of {x.grad_fn.name()} ({shape})"
        name = self.names.get(id(x))
        if name is None:
            name = self.names[id(x)] = f"leaf {len(self.keep)}"
            self.keep.append(x)
        return f"{name} ({shape})"


def describe_arguments(
    layout: Any, spec: Any, members: list, saved: list, root: Any, describe: Namer
) -> list[tuple[str, str]]:
    """``(argument, who it is)`` for each argument of ``spec``, the kernel ``layout`` (of a
    group of ``members`` with the saved records ``saved``) launches; ``root`` is a joint
    kernel's loss node (None for a plain group)."""
    arg_names = spec.arg_names
    first = (root or members[0]).name()
    note = " (one number)" if root is not None else ""
    rows = [(arg_names[0], f"the gradient arriving at {first}{note}")]
    for name, (k, i) in zip(arg_names[1:], layout.gather, strict=False):
        if i < 0:
            rows.append((name, f"{members[k].name()}'s saved result"))
            continue
        x = saved[k].args[i]
        if name.startswith("saved_"):
            rows.append((name, f"{x.grad_fn.name()}'s saved result"))
        else:
            rows.append((name, describe(x)))
    n_arrays = 1 + len(layout.gather)
    scalar_names = arg_names[n_arrays : n_arrays + len(layout.scalar_gather)]
    for name, (k, i) in zip(scalar_names, layout.scalar_gather, strict=True):
        number = saved[k].values[i]
        number = number.item() if hasattr(number, "item") else number
        rows.append((name, f"the number {number!r} given to {members[k].name()}"))
    targets = _gradient_targets(layout, saved)
    outputs = arg_names[n_arrays + len(layout.scalar_gather) :]
    for b, name in enumerate(outputs):
        if b < len(targets):
            rows.append((name, "the gradient of " + describe(targets[b])))
        else:
            rows.append((name, "the loss (the sum the joint kernel computes)"))
    return rows


def _gradient_targets(layout: Any, saved: list) -> list[Any]:
    """The tensor each gradient buffer of ``layout`` belongs to, in buffer order."""
    found: dict[int, Any] = {}
    for k, member in enumerate(layout.key[1:]):
        for i, dest in enumerate(member[5]):
            if dest is not None and dest[0] == "ext":
                found.setdefault(dest[1], saved[k].args[i])
    return [found[b] for b in sorted(found)]
