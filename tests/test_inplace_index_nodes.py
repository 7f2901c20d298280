"""The in-place index forms (``index_add_``, ``index_copy_``, ``index_fill_``, ``scatter_``,
``scatter_add_``) on a tensor with history show the op's own node, as PyTorch 2.13 does
(they showed ``CopyBackwards``), and their gradients are those of the out-of-place form."""

import numpy as np
import pytest

import jitgrad as torch

I = [0, 2]
I2 = [[0], [1], [2]]

#: (method, arguments, PyTorch 2.13's grad_fn for ``(x * 1).<method>(*args)``)
CASES = [
    ("index_add_", lambda: (0, torch.tensor(I), torch.ones(2, 4) * 3), "IndexAddBackward0"),
    ("index_copy_", lambda: (0, torch.tensor(I), torch.ones(2, 4)), "IndexCopyBackward0"),
    ("index_fill_", lambda: (0, torch.tensor(I), 2.0), "IndexFillBackward0"),
    ("scatter_", lambda: (1, torch.tensor(I2), 2.0), "ScatterBackward1"),
    ("scatter_", lambda: (1, torch.tensor(I2), torch.ones(3, 1)), "ScatterBackward0"),
    ("scatter_add_", lambda: (1, torch.tensor(I2), torch.ones(3, 1)), "ScatterAddBackward0"),
]


@pytest.mark.parametrize("method, args, node", CASES, ids=lambda c: str(c)[:20])
def test_in_place_index_form_shows_its_node_and_its_gradient(method, args, node) -> None:
    w = torch.arange(12.0).reshape(3, 4).cos()
    x = torch.arange(12.0, requires_grad=True)
    y = x.reshape(3, 4) * 1
    out = getattr(y, method)(*args())
    assert out is y and type(y.grad_fn).__name__ == node
    (y * w).sum().backward()
    x2 = torch.arange(12.0, requires_grad=True)
    ref = getattr(torch, method[:-1])(x2.reshape(3, 4) * 1, *args())
    assert np.array_equal(y.detach().numpy(), ref.detach().numpy())
    (ref * w).sum().backward()
    assert np.array_equal(x.grad.numpy(), x2.grad.numpy())


def test_in_place_index_form_on_a_view_goes_through_its_base() -> None:
    x = torch.arange(12.0, requires_grad=True)
    y = x.reshape(3, 4) * 1
    v = y[1:]
    v.index_fill_(0, torch.tensor([0]), 3.0)
    assert type(y.grad_fn).__name__ == "CopySlices"  # PyTorch 2.13
    y.sum().backward()
    expected = np.ones(12)
    expected[4:8] = 0  # the filled row takes no gradient from x
    assert np.array_equal(x.grad.numpy(), expected)


#: more in-place forms computed out of place, with PyTorch 2.13's nodes
MORE = [
    ("tril_", lambda: (), "TrilBackward0"),
    ("triu_", lambda: (1,), "TriuBackward0"),
    (
        "index_reduce_",
        lambda: (0, torch.tensor(I), torch.ones(2, 4) * 2, "prod"),
        "IndexReduceBackward0",
    ),  # fmt: skip
]


@pytest.mark.parametrize("method, args, node", MORE, ids=lambda c: str(c)[:20])
def test_more_in_place_forms_show_their_node(method, args, node) -> None:
    test_in_place_index_form_shows_its_node_and_its_gradient(method, args, node)


def test_a_warning_of_the_op_points_at_the_callers_line() -> None:
    import warnings

    from jitgrad import api_more

    api_more._BETA_WARNED[0] = False  # (PyTorch warns once per process)
    x = torch.ones(3, 3, requires_grad=True) * 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x.index_reduce_(0, torch.tensor([0, 2]), torch.ones(2, 3), "prod")
    assert [w.filename for w in caught] == [__file__]


def test_a_warning_through_the_axis_spelling_wrapper_points_at_the_callers_line() -> None:
    import warnings

    x = torch.ones(1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x.std(dim=0)
        torch.std(x, axis=0)
    assert [w.filename for w in caught] == [__file__, __file__]
