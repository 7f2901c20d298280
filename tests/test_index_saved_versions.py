"""An index tensor (or mask) an indexing op reads in backward is saved, as PyTorch saves it:
changing it in place before backward raises PyTorch's version error instead of silently
sending the gradient to the new positions (checked against PyTorch 2.13's messages)."""

import pytest

import jitgrad as torch


def _message(kind: str, size: int) -> str:
    return (
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{kind} [{size}]] is at version 1; expected version 0 instead."
    )


def _mask() -> torch.Tensor:
    return torch.tensor([True, False, True, False])


def _index() -> torch.Tensor:
    return torch.tensor([0, 2])


CASES = {
    "setitem_mask_tensor": (_mask, lambda y, m: y.__setitem__(m, torch.ones(2))),
    "setitem_mask_scalar": (_mask, lambda y, m: y.__setitem__(m, 5.0)),
    "setitem_index": (_index, lambda y, i: y.__setitem__(i, 5.0)),
    "setitem_tuple": (_index, lambda y, i: y.__setitem__((i,), 5.0)),
    "getitem": (_index, lambda y, i: y[i]),
    "getitem_mask": (_mask, lambda y, m: y[m]),
    "index_put_": (_index, lambda y, i: y.index_put_((i,), torch.ones(2))),
    "index_put": (_index, lambda y, i: y.index_put((i,), torch.ones(2))),
    "masked_fill": (_mask, lambda y, m: y.masked_fill(m, 0.0)),
    "masked_fill_": (_mask, lambda y, m: y.masked_fill_(m, 0.0)),
    "masked_scatter": (_mask, lambda y, m: y.masked_scatter(m, torch.ones(4))),
    "index_select": (_index, lambda y, i: y.index_select(0, i)),
    "gather": (_index, lambda y, i: y.gather(0, i)),
    "scatter": (_index, lambda y, i: y.scatter(0, i, torch.ones(2))),
    "scatter_add": (_index, lambda y, i: y.scatter_add(0, i, torch.ones(2, requires_grad=True))),
    "take": (_index, lambda y, i: y.take(i)),
    "put": (_index, lambda y, i: y.put(i, torch.ones(2))),
    "index_add": (_index, lambda y, i: y.index_add(0, i, torch.ones(2, requires_grad=True))),
    "index_copy": (_index, lambda y, i: y.index_copy(0, i, torch.ones(2))),
    "index_fill": (_index, lambda y, i: y.index_fill(0, i, 1.0)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_index_changed_in_place_before_backward_raises(name):
    make, op = CASES[name]
    x = torch.randn(4, requires_grad=True)
    y = x * 2
    idx = make()
    res = op(y, idx)
    out = y if res is None else res
    if idx.dtype == torch.bool:
        idx[1] = True
        kind = "CPUBoolType"
    else:
        idx[0] = 1
        kind = "torch.LongTensor"
    with pytest.raises(RuntimeError) as info:
        out.sum().backward()
    assert str(info.value).startswith(_message(kind, 4 if idx.dtype == torch.bool else 2))


def test_mask_setitem_gradient_uses_mask_as_recorded():
    # no in-place change: the gradient is PyTorch's (zero where written, 2 elsewhere)
    x = torch.randn(4, requires_grad=True)
    v = torch.randn(2, requires_grad=True)
    y = x * 2
    y[_mask()] = v
    (y * torch.arange(4.0)).sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 0.0, 6.0]
    assert v.grad.tolist() == [0.0, 2.0]


def test_index_changed_after_backward_is_fine():
    x = torch.randn(4, requires_grad=True)
    i = _index()
    y = x.index_select(0, i)
    y.sum().backward()
    i[0] = 1
    assert x.grad.tolist() == [1.0, 0.0, 1.0, 0.0]


@pytest.mark.parametrize("op", ["index_add", "scatter_add"])
def test_index_not_saved_when_only_self_needs_grad(op):
    # PyTorch saves the index only for the source's gradient
    x = torch.randn(4, requires_grad=True)
    i = _index()
    out = getattr(x * 2, op)(0, i, torch.ones(2))
    i[0] = 1
    out.sum().backward()
    assert x.grad.tolist() == [2.0] * 4
