"""``Tensor.output_nr`` of multi-output ops, checked against PyTorch 2.13: an output is its
node's output ``i`` only when it is attached to a recorded node; with no node recorded
(no input requires grad, ``no_grad``) or for a non-differentiable output (indices) it is 0."""

import jitgrad as torch


def _nrs(outs):
    return [t.output_nr for t in outs]


def test_split_numbers_outputs_only_with_a_node():
    x = torch.randn(3, 4, requires_grad=True)
    assert _nrs(x.split(1)) == [0, 1, 2]
    assert _nrs(x.detach().split(1)) == [0, 0, 0]
    with torch.no_grad():
        assert _nrs(x.split(1)) == [0, 0, 0]


def test_indices_are_output_zero():
    x = torch.randn(3, 4, requires_grad=True)
    assert _nrs(x.max(1)) == [0, 0]
    assert _nrs(torch.sort(x)) == [0, 0]
    assert _nrs(x.detach().max(1)) == [0, 0]


def test_qr_geqrf_svdvals():
    y = torch.randn(3, 4)
    x = y.clone().requires_grad_()
    assert _nrs(torch.linalg.qr(y)) == [0, 0]
    assert _nrs(torch.linalg.qr(x)) == [0, 1]
    assert _nrs(torch.geqrf(y)) == [0, 0]
    assert torch.linalg.svdvals(y).output_nr == 0
    assert torch.linalg.svdvals(x).output_nr == 1  # S of the full svd node


def test_next_functions_edge_of_a_later_op():
    x = torch.randn(3, 4, requires_grad=True)
    _, b = x.split(2)
    assert (b * 2).grad_fn.next_functions[0][1] == 1
    with torch.no_grad():
        _, c = x.split(2)
    c.requires_grad_()
    assert (c * 2).grad_fn.next_functions[0][1] == 0
