"""A node recorded with a Python backward (``frontend/recording.FunctionBackward``) keeps a
named record (issue 14 item 5): ``Saved(fn, tensors, versions)``, and for a node that reads
its own result ``ResultSaved`` adding ``value, dtype, counter, version``; no positional
3- or 7-tuple."""

from __future__ import annotations

import pytest

import jitgrad as torch
from jitgrad.frontend.recording import FunctionBackward, ResultSaved, Saved


def test_a_function_node_keeps_a_named_record() -> None:
    x = torch.randn(3, 4, requires_grad=True)
    node = x.sum().grad_fn
    assert isinstance(node, FunctionBackward)
    saved = node._saved
    assert type(saved) is Saved and callable(saved.fn)
    assert isinstance(saved.tensors, tuple) and len(saved.versions) == len(saved.tensors)
    assert not hasattr(saved, "__dict__")  # slots: no per-record dict


def test_a_result_node_keeps_its_result_by_name() -> None:
    x = torch.randn(5, requires_grad=True)
    y = x.softmax(0)
    saved = y.grad_fn._saved
    assert type(saved) is ResultSaved
    assert saved.counter is y._vc and saved.version == 0 and saved.dtype is torch.float32
    assert saved.value is y._value
    (y * y).sum().backward()  # the backward reads the record by name
    assert x.grad.shape == (5,)


def test_added_index_tensors_are_checked_and_the_record_stays_named() -> None:
    x = torch.zeros(4, requires_grad=True)
    idx = torch.tensor([0, 2])
    out = torch.index_put(x * 1, (idx,), torch.tensor([1.0, 2.0]))
    saved = out.grad_fn._saved
    assert isinstance(saved, Saved) and any(t is idx for t in saved.tensors)
    assert len(saved.versions) == len(saved.tensors)
    idx.add_(1)  # modifying the saved index before backward is PyTorch's version error
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()
