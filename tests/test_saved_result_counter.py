"""``grad_fn._saved_result`` shares the result's version counter (PyTorch's SavedVariable of
an output), so a change through it is seen by ops that record the result afterwards.
Messages and versions as PyTorch 2.13 gives them."""

import pytest

import jitgrad as torch


def _changed_through_saved_result():
    x = torch.randn(3, requires_grad=True)
    y = x.exp()
    y.grad_fn._saved_result.mul_(2)
    return y


@pytest.mark.xfail(
    strict=True,
    reason="known difference: a change made through _saved_result before the result is "
    "recorded again is not seen by that later record (version 0 saved where PyTorch saves 1); "
    "finding the result tensor costs a scan of every object (see saved_views.saved_attribute)",
)
def test_result_reads_new_version_without_asking():
    y = _changed_through_saved_result()
    w = torch.ones(3, requires_grad=True)
    z = y * w  # records y at version 1
    y.add_(0)  # version 2
    with pytest.raises(RuntimeError, match="is at version 2; expected version 1 instead"):
        z.sum().backward(inputs=[w])


def test_recorded_after_change_then_backward_is_fine():
    y = _changed_through_saved_result()
    w = torch.ones(3, requires_grad=True)
    z = y * w
    assert y._version == 1
    z.sum().backward(inputs=[w])
    assert torch.allclose(w.grad, y.detach())


def test_saved_result_and_result_share_one_counter():
    x = torch.randn(3, requires_grad=True)
    y = x.exp()
    r = y.grad_fn._saved_result
    y.mul_(3)
    assert (y._version, r._version) == (1, 1)
    r.add_(1)
    assert (y._version, r._version) == (2, 2)
    with pytest.raises(RuntimeError, match="output 0 of Exp, is at version 2; expected version 0"):
        y.sum().backward()


def test_reading_every_saved_result_of_a_long_graph_scans_nothing(monkeypatch):
    """Tools (torchviz's show_saved) read ``_saved_result`` on every node: no per-read scan of
    the collector's objects (it cost ~14 ms per node on a 2000-node graph)."""
    import gc

    calls = []
    monkeypatch.setattr(gc, "get_referrers", lambda *a: calls.append(a) or [])
    x = torch.ones(4, requires_grad=True)
    y = x
    for i in range(50):
        y = y.exp() if i % 2 else y.tanh()
        assert y.grad_fn._saved_result.shape == (4,)
    assert calls == []
