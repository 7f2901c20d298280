"""unbind, split, chunk on the device return the outputs of one node, as on the CPU: the same
``grad_fn`` object with ``output_nr`` 0, 1 ..., and x's gradient assembled from the pieces
used (a piece with no gradient contributes zeros), bitwise the CPU's; ``create_graph`` too.
tensor_split and hsplit record one slice node per piece on the CPU, and so on the device."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import jitgrad as torch

PIECES: dict[str, Callable] = {
    "unbind": lambda x: x.unbind(0),
    "unbind_1": lambda x: x.unbind(1),
    "split": lambda x: x.split(2),
    "split_dim1": lambda x: x.split(2, dim=1),
    "split_sizes": lambda x: torch.split(x, [1, 3]),
    "split_with_sizes": lambda x: x.split_with_sizes([2, 1], dim=1),
    "chunk": lambda x: x.chunk(2),
    "chunk_dim1": lambda x: torch.chunk(x, 3, dim=1),
    "tensor_split": lambda x: x.tensor_split(3, dim=1),
    "hsplit": lambda x: x.hsplit(3),
}


def _x(device: str) -> torch.Tensor:
    values = np.linspace(-2.0, 3.0, 12, dtype=np.float32).reshape(4, 3)
    return torch.tensor(values, device=device, requires_grad=True)


def _run(op: str, device: str) -> tuple:
    x = _x(device)
    outs = PIECES[op](x * 1.5)
    graph = [(o.grad_fn.name(), o.output_nr, o.grad_fn is outs[0].grad_fn) for o in outs]
    # the first and last pieces only (a middle one, if any, gets no gradient)
    loss = (outs[0] * outs[0]).sum() - (outs[-1] * 3).sum()
    (g,) = torch.autograd.grad(loss, x)
    return graph, g.cpu().numpy().tobytes()


@pytest.mark.parametrize("op", sorted(PIECES))
def test_pieces_are_the_outputs_of_one_node_as_on_the_cpu(op: str) -> None:
    cpu, dev = _run(op, "cpu"), _run(op, "cuda")
    assert dev[0] == cpu[0]
    assert dev[1] == cpu[1]  # bitwise
    shared = op.startswith(("unbind", "split", "chunk"))
    n = len(dev[0])
    assert [nr for _, nr, _ in dev[0]] == (list(range(n)) if shared else [0] * n)


def test_double_backward_through_the_pieces_as_on_the_cpu() -> None:
    out = []
    for device in ("cpu", "cuda"):
        x = _x(device)
        a, b = x.split(2)
        (g,) = torch.autograd.grad((a * a * a).sum() + (b * b).sum(), x, create_graph=True)
        (gg,) = torch.autograd.grad((g * g).sum(), x)
        out.append((g.detach().cpu().numpy(), gg.cpu().numpy()))
    np.testing.assert_array_equal(out[1][0], out[0][0])
    np.testing.assert_array_equal(out[1][1], out[0][1])
