"""Writes whose memory aliases itself or an operand: PyTorch's refusals, never a wrong value.

The cases and messages are ATen's (``MemoryOverlap.cpp``: ``assert_no_internal_overlap`` for
the written tensor, ``assert_no_partial_overlap`` / ``assert_no_overlap`` against each
operand, run by every in-place TensorIterator op and ``copy_``; ``fill_`` with a number is
allowed; ``index_put_`` / ``masked_fill_`` into an expanded tensor only warn). Where PyTorch
does not look (operands that are not dense), the result must be numpy's, which copes with
overlap: numpy on a copy is the reference there.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import jitgrad
from jitgrad.frontend import overlap

INTERNAL = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)
PARTIAL = (
    "unsupported operation: some elements of the input tensor and the written-to tensor refer "
    "to a single memory location. Please clone() the tensor before performing the operation."
)
INDEX_PUT_WARNING = (
    "Use of index_put_ on expanded tensors is deprecated. Please clone() the tensor before "
    "performing this operation. This also applies to advanced indexing e.g. "
    "tensor[indices] = tensor"
)
MASKED_FILL_WARNING = (
    "Use of masked_fill_ on expanded tensors is deprecated. Please clone() the tensor before "
    "performing this operation. This also applies to advanced indexing e.g. "
    "tensor[mask] = scalar"
)

#: every in-place write PyTorch refuses on an expanded tensor (TensorIterator / copy_ paths)
REFUSED = {
    "add_": lambda e: e.add_(1),
    "add_ alpha": lambda e: e.add_(jitgrad.ones(e.shape), alpha=2),
    "sub_": lambda e: e.sub_(1),
    "mul_": lambda e: e.mul_(2),
    "div_": lambda e: e.div_(2),
    "pow_": lambda e: e.pow_(2),
    "clamp_": lambda e: e.clamp_(0, 0.5),
    "clamp_ min": lambda e: e.clamp_(min=2),
    "iadd": lambda e: e.__iadd__(1),
    "imul": lambda e: e.__imul__(jitgrad.full(e.shape, 2.0)),
    "exp_": lambda e: e.exp_(),
    "log_": lambda e: e.log_(),
    "sqrt_": lambda e: e.sqrt_(),
    "tanh_": lambda e: e.tanh_(),
    "sigmoid_": lambda e: e.sigmoid_(),
    "relu_": lambda e: e.relu_(),
    "neg_": lambda e: e.neg_(),
    "abs_": lambda e: e.abs_(),
    "copy_": lambda e: e.copy_(jitgrad.zeros(e.shape)),
    "copy_ broadcast": lambda e: e.copy_(jitgrad.tensor(3.0)),
    "fill_ tensor": lambda e: e.fill_(jitgrad.tensor(3.0)),
    "uniform_": lambda e: e.uniform_(),
    "normal_": lambda e: e.normal_(),
    "setitem number": lambda e: e.__setitem__(slice(None), 5.0),
    "setitem tensor": lambda e: e.__setitem__(..., jitgrad.zeros(e.shape)),
}


def _expanded(ndim: int):
    base = jitgrad.ones((1,) * ndim)
    return base, base.expand((3,) * ndim)


@pytest.mark.parametrize("ndim", [1, 2])
@pytest.mark.parametrize("name", list(REFUSED))
def test_writes_into_an_expanded_tensor_are_refused_and_write_nothing(name, ndim):
    base, e = _expanded(ndim)
    with pytest.raises(RuntimeError, match=re.escape(INTERNAL)):
        REFUSED[name](e)
    assert base.tolist() == jitgrad.ones((1,) * ndim).tolist()


def test_expanded_view_of_a_tensor_with_history_is_refused_too():
    y = jitgrad.ones(1, requires_grad=True) * 1
    with pytest.raises(RuntimeError, match=re.escape(INTERNAL)):
        y.expand(3).mul_(2)
    leaf = jitgrad.ones(1, requires_grad=True)  # autograd's own refusal comes first
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        leaf.expand(3).mul_(2)


@pytest.mark.parametrize("ndim", [1, 2])
def test_fill_with_a_number_and_zero_are_allowed(ndim):
    # PyTorch: "Fill is idempotent, so overlap is okay"
    base, e = _expanded(ndim)
    e.fill_(2.5)
    assert base.flatten().tolist() == [2.5]
    e.zero_()
    assert base.flatten().tolist() == [0.0]


def test_writing_one_element_of_an_expanded_tensor_is_allowed():
    base, e = _expanded(1)
    e[1] = 4.0  # a 0-d target: nothing aliases
    assert base.tolist() == [4.0]


def test_advanced_index_writes_into_an_expanded_tensor_warn():
    base, e = _expanded(1)
    with pytest.warns(UserWarning, match=re.escape(INDEX_PUT_WARNING)):
        e[jitgrad.tensor([0, 2])] = jitgrad.tensor([7.0, 7.0])
    assert base.tolist() == [7.0]
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        e[jitgrad.tensor([True, False, False])] = 8.0  # index_put_, then masked_fill_
    assert [str(w.message) for w in seen] == [INDEX_PUT_WARNING, MASKED_FILL_WARNING]
    assert base.tolist() == [8.0]
    with pytest.warns(UserWarning, match=re.escape(MASKED_FILL_WARNING)):
        e.masked_fill_(jitgrad.tensor([False, True, False]), 9.0)
    assert base.tolist() == [9.0]


def _arange(*shape):
    return jitgrad.arange(float(np.prod(shape))).reshape(shape)


PARTIAL_CASES = {
    "shifted add_": lambda x: x[1:].add_(x[:-1]),
    "shifted copy_": lambda x: x[1:].copy_(x[:-1]),
    "shifted setitem": lambda x: x.__setitem__(slice(1, None), x[:-1]),
    "shifted mul_ operator": lambda x: x[:-1].__imul__(x[1:]),
    "clamp_ bound": lambda x: x[1:].clamp_(min=x[:-1]),
    "index_put_ value": lambda x: x.__setitem__(jitgrad.tensor([2, 3]), x[:2]),
    "index_put_ value is the target": lambda x: x.__setitem__(jitgrad.tensor([3, 2, 1, 0]), x),
}


@pytest.mark.parametrize("name", list(PARTIAL_CASES))
def test_operands_partly_overlapping_the_target_are_refused(name):
    x = _arange(4)
    with pytest.raises(RuntimeError, match=re.escape(PARTIAL)):
        PARTIAL_CASES[name](x)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_same_elements_other_layout_and_broadcast_part_are_refused():
    x = _arange(2, 2)
    with pytest.raises(RuntimeError, match=re.escape(PARTIAL)):
        x.add_(x.t())  # the same memory, read in another order
    with pytest.raises(RuntimeError, match=re.escape(PARTIAL)):
        x.copy_(x[0])  # checked before broadcasting: x[0] is part of x
    i = jitgrad.tensor([0, 1])
    with pytest.raises(RuntimeError, match=re.escape(PARTIAL)):
        i[i] = 5  # the index shares the target's memory
    assert x.tolist() == [[0.0, 1.0], [2.0, 3.0]] and i.tolist() == [0, 1]


def test_full_overlap_and_disjoint_parts_are_allowed():
    x = _arange(4)
    x.add_(x)
    x.mul_(x[:])  # the same elements in the same layout
    assert x.tolist() == [0.0, 4.0, 16.0, 36.0]
    x[:2].add_(x[2:])
    x[2:] = x[:2]
    assert x.tolist() == [16.0, 40.0, 16.0, 40.0]
    x.copy_(x.detach())
    assert x.tolist() == [16.0, 40.0, 16.0, 40.0]


def test_overlaps_pytorch_does_not_check_give_numpys_result():
    a = np.arange(12.0).reshape(3, 4)
    x = jitgrad.tensor(a)
    x[:, 1:] = x[:, :-1]  # not dense: PyTorch's CPU kernel would smear column 0
    ref = a.copy()
    ref[:, 1:] = ref[:, :-1]
    np.testing.assert_array_equal(x.numpy(), ref)
    x = jitgrad.tensor(a)
    x[:, 1:].mul_(x[:, :-1])
    ref = a.copy()
    ref[:, 1:] *= ref[:, :-1]
    np.testing.assert_array_equal(x.numpy(), ref)
    x = jitgrad.tensor(a)
    x[:, :-1] += x[:, 1:]
    ref = a.copy()
    ref[:, :-1] += ref[:, 1:]
    np.testing.assert_array_equal(x.numpy(), ref)


def test_an_operand_copied_for_overlap_keeps_its_gradient():
    w = jitgrad.ones(3, 3, requires_grad=True)
    y = w * 1
    y[:, 1:].add_(y[:, :-1])  # y[:, j] += old y[:, j - 1] for j >= 1
    (y * jitgrad.tensor([1.0, 2.0, 3.0])).sum().backward()
    # d/dw[:, j]: the weight of column j plus that of column j + 1 (which it was added into)
    assert w.grad.tolist() == [[3.0, 5.0, 3.0]] * 3
    leaf = jitgrad.ones(2, requires_grad=True)
    copied = overlap._copy(leaf)
    (copied * 3).sum().backward()
    assert leaf.grad.tolist() == [3.0, 3.0]


def test_accumulating_into_an_expanded_grad_is_refused():
    w = jitgrad.ones(3, requires_grad=True)
    w.grad = jitgrad.zeros(1).expand(3)
    with pytest.raises(RuntimeError, match=re.escape(INTERNAL)):
        (w * 2).sum().backward()


@pytest.mark.parametrize("make", [lambda p: jitgrad.optim.SGD(p, lr=0.1), jitgrad.optim.Adam])
def test_optimizer_step_on_an_expanded_parameter_is_refused(make):
    p = jitgrad.zeros(1).expand(3).requires_grad_()  # a leaf: expanded from a plain tensor
    opt = make([p])
    (p * jitgrad.tensor([1.0, 2.0, 3.0])).sum().backward()
    with pytest.raises(RuntimeError, match=re.escape(INTERNAL)):
        opt.step()  # PyTorch's param.add_ / addcdiv_ refuse it
    assert p.tolist() == [0.0, 0.0, 0.0]
