"""Focused tests for what the session-9 corpus programs (MorvanZhou's PyTorch-Tutorial,
fast.ai's course22p2 notebooks, the UvA deep-learning tutorials) found different from PyTorch.

* A product's node (``mm``, ``bmm``, ``mv``, ``dot``, ``addmm``, ``F.linear``) version-checked
  both factors whatever needed a gradient, so changing a weight in place (an optimizer step)
  between the forward and the backward of a graph whose input needs no gradient raised, where
  PyTorch saves a factor only for the other factor's gradient and runs;
* when the check does fire for ``F.linear``, PyTorch describes what ``addmm`` saved:
  ``weight.t()`` (shape transposed, ``which is output 0 of AsStrided`` after its base changed)
  and the input as a matrix (a 1-D input as ``[1, n]``, a 3-D one flattened);
* the corpus comparison read the padding numpy puts next to a bracket (``0.5044225 ]`` beside
  ``0.50442255]``) as a difference in text.

Expected texts are PyTorch 2.13's for the same calls; gradients are worked out by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import jitgrad as torch

sys.path.insert(0, str(Path(__file__).resolve().parent / "parity"))
from corpus_compare import first_difference  # noqa: E402

_HINT = (
    " Hint: enable anomaly detection to find the operation that failed to compute its "
    "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)


def _message(desc: str, actual: int, expected: int) -> str:
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{desc} is at version {actual}; expected version {expected} instead."
        + _HINT
    )


def test_linear_weight_changed_in_place_input_needs_no_grad_backward_runs() -> None:
    lin = torch.nn.Linear(3, 2)
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    y = lin(x).sum()
    with torch.no_grad():
        lin.weight.add_(1.0)  # what an optimizer step does before another loss's backward
    y.backward()
    # d(sum(x @ W.T + b))/dW = column sums of x, for each output row; d/db = number of rows
    np.testing.assert_array_equal(lin.weight.grad.numpy(), [[5.0, 7.0, 9.0]] * 2)
    np.testing.assert_array_equal(lin.bias.grad.numpy(), [2.0, 2.0])


@pytest.mark.parametrize("op", ["mm", "matmul_t", "bmm", "mv", "dot", "addmm"])
def test_product_other_factor_changed_in_place_backward_runs(op: str) -> None:
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    w = torch.tensor([[1.0, 0.0], [0.0, 1.0]], requires_grad=True)
    v = torch.tensor([1.0, 2.0], requires_grad=True)
    run = {
        "mm": lambda: torch.mm(x, w),
        "matmul_t": lambda: x @ w.t(),
        "bmm": lambda: torch.bmm(x[None], w[None]),
        "mv": lambda: torch.mv(x, v),
        "dot": lambda: torch.dot(x[0], v),
        "addmm": lambda: torch.addmm(torch.zeros(2), x, w),
    }[op]
    y = run().sum()
    leaf = v if op in ("mv", "dot") else w
    with torch.no_grad():
        leaf.mul_(3.0)
    y.backward()  # PyTorch saves only x for the leaf's gradient: no error
    # column sums of x (x.T @ ones), transposed back for x @ w.t()
    want = {"mv": [4.0, 6.0], "dot": [1.0, 2.0], "matmul_t": [[4.0, 6.0], [4.0, 6.0]]}
    want = want.get(op, [[4.0, 4.0], [6.0, 6.0]])
    np.testing.assert_array_equal(leaf.grad.numpy(), want)


def test_mm_saved_factor_changed_in_place_still_raises() -> None:
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = torch.tensor([[1.0, 0.0], [0.0, 1.0]], requires_grad=True)
    y = torch.mm(x, w).sum()
    with torch.no_grad():
        w.add_(1.0)
    with pytest.raises(RuntimeError) as err:
        y.backward()
    assert str(err.value) == _message("torch.FloatTensor [2, 2]]", 1, 0)


@pytest.mark.parametrize(
    ("shape", "desc"),
    [((4, 3), "torch.FloatTensor [3, 2]], which is output 0 of AsStrided,"),
     ((3,), "torch.FloatTensor [3, 2]], which is output 0 of AsStrided,"),
     ((2, 4, 3), "torch.FloatTensor [3, 2]], which is output 0 of AsStrided,")],
)  # fmt: skip
def test_linear_weight_changed_message_describes_weight_t(shape: tuple, desc: str) -> None:
    lin = torch.nn.Linear(3, 2)
    x = torch.ones(shape, requires_grad=True)
    y = lin(x).sum()
    with torch.no_grad():
        lin.weight.add_(1.0)
    with pytest.raises(RuntimeError) as err:
        y.backward()
    assert str(err.value) == _message(desc, 2, 1)


@pytest.mark.parametrize(
    ("shape", "desc"),
    [((4, 3), "torch.FloatTensor [4, 3]]"),
     ((3,), "torch.FloatTensor [1, 3]]"),
     ((2, 4, 3), "torch.FloatTensor [8, 3]]")],
)  # fmt: skip
def test_linear_input_changed_message_describes_input_as_matrix(shape: tuple, desc: str) -> None:
    lin = torch.nn.Linear(3, 2)
    x = torch.ones(shape)
    y = lin(x).sum()
    x.add_(1.0)
    with pytest.raises(RuntimeError) as err:
        y.backward()
    assert str(err.value) == _message(desc, 1, 0)


def test_linear_saved_input_view_of_grad_requiring_base_names_as_strided() -> None:
    lin = torch.nn.Linear(3, 2)
    x = torch.ones(2, 4, 3, requires_grad=True)
    y = lin(x).sum()
    with torch.no_grad():
        x.add_(1.0)
    with pytest.raises(RuntimeError) as err:
        y.backward()
    assert str(err.value) == _message(
        "torch.FloatTensor [8, 3]], which is output 0 of AsStrided,", 1, 0
    )


def test_corpus_compare_ignores_numpy_padding_next_to_brackets() -> None:
    assert first_difference("[0.41605014 0.4715163 ]", "[0.41605017 0.47151634]") is None
    assert first_difference("[ 0.5 -0.25]", "[0.5 0.25]") is not None  # a sign still counts
    assert first_difference("a [b]", "a[b]") is not None  # only spaces inside brackets


def _select_of_leaf_changed_through_base() -> None:
    w = torch.tensor([[1.0, 0.5], [0.25, 1.0]], requires_grad=True)
    y = w[0].sin().sum()
    with torch.no_grad():
        w.add_(1.0)
    y.backward()


def _select_of_result_changed_through_base() -> None:
    h = torch.tensor([[1.0, 0.5], [0.25, 1.0]], requires_grad=True) * 2
    y = h[0].sin().sum()
    h.add_(1.0)
    y.backward()


def _transpose_of_result_changed_through_base() -> None:
    h = torch.tensor([[1.0, 0.5], [0.25, 1.0]], requires_grad=True) * 2
    y = h.t().sin().sum()
    h.mul_(2.0)
    y.backward()


@pytest.mark.parametrize(
    ("run", "desc"),
    [(_select_of_leaf_changed_through_base, "torch.FloatTensor [2]]"),
     (_select_of_result_changed_through_base, "torch.FloatTensor [2]]"),
     (_transpose_of_result_changed_through_base, "torch.FloatTensor [2, 2]]")],
)  # fmt: skip
def test_saved_view_changed_through_its_base_names_as_strided(run, desc: str) -> None:  # noqa: ANN001
    """PyTorch regenerates a changed view's grad_fn (AsStridedBackward0) before naming it in
    the error, whatever view op made it (select, t)."""
    with pytest.raises(RuntimeError) as err:
        run()
    assert str(err.value) == _message(desc + ", which is output 0 of AsStrided,", 1, 0)


def test_lazy_linear_loads_an_initialized_state_dict() -> None:
    """d2l's read-write section: a fresh lazy MLP loads the trained one's checkpoint (PyTorch's
    _lazy_load_hook materializes each placeholder with the entry's shape); it stays lazy, with
    in_features 0, until its first call."""
    src = torch.nn.Sequential(torch.nn.LazyLinear(4), torch.nn.ReLU(), torch.nn.LazyLinear(2))
    x = torch.arange(6.0).reshape(2, 3)
    want = src(x).detach().numpy()
    clone = torch.nn.Sequential(torch.nn.LazyLinear(4), torch.nn.ReLU(), torch.nn.LazyLinear(2))
    assert str(clone.load_state_dict(src.state_dict())) == "<All keys matched successfully>"
    assert tuple(clone[0].weight.shape) == (4, 3)
    # PyTorch 2.13's repr of the loaded, not yet called module
    assert repr(clone[0]) == "LazyLinear(in_features=0, out_features=4, bias=True)"
    np.testing.assert_array_equal(clone(x).detach().numpy(), want)
    assert type(clone[2]).__name__ == "Linear"
