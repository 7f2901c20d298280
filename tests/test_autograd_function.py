"""``autograd.Function``: ctx API, node naming, multiple outputs, double backward, errors.

Messages and names are PyTorch's (torch 2.x); gradients are checked against analytic formulas.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from recorded_parity_cases import autograd_function_cube, recorded

import jitgrad as torch
from jitgrad.autograd import Function

FLOATS = [torch.float32, torch.float64]


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        r = x.exp()
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved_tensors
        return g * r


class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g


class ScaleShift(Function):
    """Non-tensor argument, an input that needs no grad, two outputs."""

    @staticmethod
    def forward(ctx, x, k, y):
        ctx.k = k
        ctx.seen = []
        return x * k + y, x * 2

    @staticmethod
    def backward(ctx, g, g2):
        ctx.seen.append((ctx.needs_input_grad, g2.tolist()))
        return g * ctx.k + g2 * 2, None, g


@pytest.mark.parametrize("dt", FLOATS)
def test_forward_backward_and_node(dt) -> None:
    x = torch.tensor([0.0, 1.0], dtype=dt, requires_grad=True)
    y = Exp.apply(x)
    assert y.dtype is dt
    np.testing.assert_allclose(y.tolist(), [1.0, math.e], rtol=1e-6)
    assert y.grad_fn.name() == "ExpBackward"
    assert "grad_fn=<ExpBackward>" in repr(y)
    assert repr(y.grad_fn).startswith("<jitgrad.autograd.function.ExpBackward object at 0x")
    assert y.grad_fn.next_functions[0][0].variable is x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.tolist(), [1.0, math.e], rtol=1e-6)
    assert x.grad.dtype is dt


def test_ctx_is_the_node_and_saved_tensors_are_freed() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = Square.apply(x)
    assert y.grad_fn.saved_tensors[0] is x
    y.sum().backward()
    with pytest.raises(RuntimeError, match="^Trying to backward through the graph a second time"):
        _ = y.grad_fn.saved_tensors
    with pytest.raises(RuntimeError, match="^Trying to backward through the graph a second time"):
        y.sum().backward()


def test_non_tensor_args_needs_input_grad_and_materialized_grads() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    c = torch.tensor([10.0, 20.0])
    a, b = ScaleShift.apply(x, 3, c)
    assert a.grad_fn is b.grad_fn and a.grad_fn.name() == "ScaleShiftBackward"
    assert b.grad_fn.name() == "ScaleShiftBackward"  # every float output gets the node
    edges = a.grad_fn.next_functions
    assert len(edges) == 2 and edges[1] == (None, 0)  # tensor args only; c needs no grad
    a.sum().backward()
    assert a.grad_fn.seen == [((True, False, False), [0.0, 0.0])]  # b's grad: zeros
    assert x.grad.tolist() == [3.0, 3.0]


def test_set_materialize_grads_false_passes_none() -> None:
    seen = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g, g2):
            seen.append(g2)
            return g * 2

    x = torch.tensor([1.0], requires_grad=True)
    a, _ = Two.apply(x)
    a.sum().backward()
    assert seen == [None] and x.grad.tolist() == [2.0]


def test_mark_non_differentiable() -> None:
    seen = []

    class WithIndex(Function):
        @staticmethod
        def forward(ctx, x):
            idx = x * 3
            ctx.mark_non_differentiable(idx)
            return x * 2, idx

        @staticmethod
        def backward(ctx, g, gi):
            seen.append(gi.tolist())
            return g * 2

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    o, i = WithIndex.apply(x)
    assert not i.requires_grad and i.grad_fn is None and o.grad_fn.name() == "WithIndexBackward"
    o.sum().backward()
    assert seen == [[0.0, 0.0]] and x.grad.tolist() == [2.0, 2.0]


def test_integer_outputs_are_not_differentiable() -> None:
    class WithInts(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, torch.tensor([1, 2])

        @staticmethod
        def backward(ctx, g, gi):
            return g

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    o, i = WithInts.apply(x)
    assert not i.requires_grad and o.requires_grad
    o.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_no_recording_without_grad() -> None:
    assert not Square.apply(torch.tensor([3.0])).requires_grad
    x = torch.tensor([3.0], requires_grad=True)
    with torch.no_grad():
        y = Square.apply(x)
    assert not y.requires_grad and y.tolist() == [9.0]


@pytest.mark.parametrize("dt", FLOATS)
def test_double_backward_through_function(dt) -> None:
    x = torch.tensor([1.0, 2.0], dtype=dt, requires_grad=True)
    (g,) = torch.autograd.grad(Square.apply(x).sum(), x, create_graph=True)
    assert g.tolist() == [2.0, 4.0] and g.requires_grad
    (gg,) = torch.autograd.grad(g.sum(), x)
    assert gg.tolist() == [2.0, 2.0]
    y = Exp.apply(x)  # saves its output: the saved output keeps the node as grad_fn
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.tolist(), [math.e, math.e**2], rtol=1e-6)


def test_setup_context_style() -> None:
    class Mul(Function):
        @staticmethod
        def forward(a, k):
            return a * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    o = Mul.apply(x, 3.0)
    o.sum().backward()
    assert o.tolist() == [3.0, 6.0] and x.grad.tolist() == [3.0, 3.0]


def test_mark_dirty_rebases_input() -> None:
    class AddOne(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    c = AddOne.apply(b)
    assert c is b and b.grad_fn.name() == "AddOneBackward" and b._version == 2
    c.sum().backward()
    assert a.grad.tolist() == [1.0, 1.0]


def test_modified_saved_tensor_names_the_function() -> None:
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    y = Exp.apply(x)
    y.mul_(2)
    with pytest.raises(RuntimeError) as e:
        y.sum().backward()
    assert str(e.value).startswith(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [2]], which is output 0 of Exp, is at version 1; "
        "expected version 0 instead."
    )


def test_gradient_validation() -> None:
    class TooMany(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    class WrongShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return torch.ones(3)

    class Broadcast(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return torch.ones(3, 2)

    class Wider(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.double()

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError) as e:
        TooMany.apply(x).sum().backward()
    assert str(e.value) == (
        "function TooManyBackward returned an incorrect number of gradients (expected 1, got 2)"
    )
    with pytest.raises(RuntimeError) as e:
        WrongShape.apply(x).sum().backward()
    assert str(e.value) == (
        "Function WrongShapeBackward returned an invalid gradient at index 0 - got [3] but "
        "expected shape compatible with [2]"
    )
    Broadcast.apply(x).sum().backward()  # summed back to the input's shape
    assert x.grad.tolist() == [3.0, 3.0]
    x.grad = None
    Wider.apply(x).sum().backward()  # cast back to the input's dtype
    assert x.grad.dtype is torch.float32


def test_missing_backward_and_instantiation() -> None:
    class NoBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    x = torch.tensor([1.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="You must implement either the backward"):
        NoBackward.apply(x).sum().backward()
    with pytest.warns(DeprecationWarning, match="should not be instantiated"):
        Square()


def test_matches_torch_recorded() -> None:
    """A twice-differentiated custom Function: repr and grads as PyTorch's, recorded."""
    ours, theirs = autograd_function_cube(torch), recorded("autograd_function_cube")
    assert ours[0] == theirs[0]
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)
