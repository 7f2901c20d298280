"""In-place writes into outputs of multi-view functions (unbind, split, chunk), as PyTorch 2.13.

Every expected message below is the text PyTorch 2.13.0 (CPU) printed for the same program
(``base = torch.randn(4, 6, requires_grad=True) * 1``).
"""

import pytest

import jitgrad as torch

TAIL = (
    " is a view and is being modified inplace. This view is the output of a function that "
    "returns multiple views. Such functions do not allow the output views to be modified "
    "inplace. You should replace the inplace operation by an out-of-place one."
)


def _base():
    return torch.randn(4, 6, requires_grad=True) * 1


def _set(t, key, value=1.0):
    t[key] = value


# (label, program on a non-leaf base, PyTorch's "Output i of Op")
CASES = [
    ("unbind add_", lambda y: y.unbind()[1].add_(1), "Output 1 of Unbind"),
    ("unbind dim 1 mul_", lambda y: y.unbind(1)[0].mul_(2), "Output 0 of Unbind"),
    ("unbind 2", lambda y: y.unbind()[2].add_(1), "Output 2 of Unbind"),
    ("iterate", lambda y: [r.__iadd__(1) for r in y], "Output 0 of Unbind"),
    ("split add_", lambda y: y.split(2)[1].add_(1), "Output 1 of Split"),
    ("torch.split", lambda y: torch.split(y, 2)[0].mul_(2), "Output 0 of Split"),
    ("chunk", lambda y: y.chunk(2)[1].add_(1), "Output 1 of Split"),
    ("split sizes", lambda y: y.split([1, 3])[1].add_(1), "Output 1 of SplitWithSizes"),
    ("copy_", lambda y: y.unbind()[0].copy_(torch.ones(6)), "Output 0 of Unbind"),
    ("relu_", lambda y: torch.relu_(y.unbind()[0]), "Output 0 of Unbind"),
    ("setitem int", lambda y: _set(y.unbind()[1], 0), "Output 0 of Select"),
    ("setitem slice", lambda y: _set(y.unbind()[1], slice(1, 3)), "Output 0 of Slice"),
    ("setitem list", lambda y: _set(y.unbind()[1], [0, 1]), "Output 1 of Unbind"),
    ("setitem ...", lambda y: _set(y.unbind()[1], ...), "Output 1 of Unbind"),
    ("setitem :", lambda y: _set(y.unbind()[1], slice(None)), "Output 1 of Unbind"),
    ("setitem mask", lambda y: _set(y.unbind()[1], torch.arange(6) > 2), "Output 1 of Unbind"),
    ("view of: select", lambda y: y.unbind()[2][1].add_(1), "Output 0 of Select"),
    ("view of: view", lambda y: y.split(2)[0].view(-1).add_(1), "Output 0 of View"),
    ("view of: narrow", lambda y: y.unbind()[2].narrow(0, 1, 2).add_(1), "Output 0 of Slice"),
    ("view of: t", lambda y: y.split(2)[1].t().add_(1), "Output 0 of T"),
    (
        "view of: transpose",
        lambda y: y.split(2)[1].transpose(0, 1).add_(1),
        "Output 0 of Transpose",
    ),
    ("view of: unsqueeze", lambda y: y.unbind()[1].unsqueeze(0).add_(1), "Output 0 of Unsqueeze"),
    ("view of: diagonal", lambda y: y.split(2)[1].diagonal().add_(1), "Output 0 of Diagonal"),
    ("split of unbind", lambda y: y.unbind()[1].split(2)[1].add_(1), "Output 1 of Split"),
]


@pytest.mark.parametrize("label, program, head", CASES, ids=[c[0] for c in CASES])
def test_multi_view_output_refuses_inplace(label, program, head):
    with pytest.raises(RuntimeError) as info:
        program(_base())
    assert str(info.value) == head + TAIL


# PyTorch: no error in these (tensor_split/hsplit/vsplit make independent slice views;
# unsafe_split/unsafe_chunk are not views to autograd; a base without grad; no_grad; detach).
ALLOWED = [
    ("tensor_split", lambda: _base().tensor_split(2)[1].add_(1)),
    ("tensor_split idx", lambda: _base().tensor_split([1, 3])[0].mul_(2)),
    ("hsplit", lambda: _base().hsplit(2)[0].add_(1)),
    ("vsplit", lambda: _base().vsplit(2)[0].add_(1)),
    ("unsafe_split", lambda: _base().unsafe_split(2)[1].add_(1)),
    ("unsafe_chunk leaf", lambda: torch.randn(4, 6, requires_grad=True).unsafe_chunk(2)[0].add_(1)),
    ("no grad base", lambda: torch.randn(4, 6).unbind()[0].add_(1)),
    ("detach", lambda: _base().unbind()[0].detach().add_(1)),
]


@pytest.mark.parametrize("label, program", ALLOWED, ids=[c[0] for c in ALLOWED])
def test_inplace_allowed_where_pytorch_allows(label, program):
    program()


def test_inplace_under_no_grad_allowed():
    parts = _base().unbind()
    with torch.no_grad():
        parts[0].add_(1)


def test_unsafe_split_node_names_and_grad():
    # PyTorch: UnsafeSplitBackward0 (unsafe_split, unsafe_chunk), UnsafeSplitWithSizesBackward0
    y = _base()
    assert type(y.unsafe_split(2)[0].grad_fn).__name__ == "UnsafeSplitBackward0"
    assert type(y.unsafe_chunk(2)[1].grad_fn).__name__ == "UnsafeSplitBackward0"
    assert type(y.unsafe_split_with_sizes([1, 3])[1].grad_fn).__name__ == (
        "UnsafeSplitWithSizesBackward0"
    )
    x = torch.randn(4, 3, requires_grad=True)
    a, b = x.unsafe_split(2)
    a.add_(1)
    (a.sum() + b.sum()).backward()
    assert x.grad.tolist() == [[1.0] * 3] * 4


# These reach pointwise.check_inplace before any view write (a leaf base, fill_/zero_);
# the check belongs there (see multi_view.check) and waits for the pointwise split.
PENDING = [
    ("leaf unbind", lambda: torch.randn(4, 6, requires_grad=True).unbind()[0].add_(1), "Unbind"),
    ("leaf split", lambda: torch.randn(4, 6, requires_grad=True).split(2)[0].add_(1), "Split"),
    ("zero_", lambda: _base().unbind()[0].zero_(), "Unbind"),
    ("fill_", lambda: _base().unbind()[0].fill_(1), "Unbind"),
]


@pytest.mark.parametrize("label, program, op", PENDING, ids=[c[0] for c in PENDING])
def test_multi_view_refusal_through_check_inplace(label, program, op):
    with pytest.raises(RuntimeError) as info:
        program()
    assert str(info.value) == f"Output 0 of {op}" + TAIL
