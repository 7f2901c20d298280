"""Cases ported from PyTorch's test/test_autograd.py (TestAutograd), each named after the
PyTorch test it comes from. Expected values are the analytic ones PyTorch's tests assert;
messages are PyTorch 2.13's. The file runs unchanged against real PyTorch (``jitgrad`` mapped
to ``torch``), which is how the expectations were checked."""

from __future__ import annotations

import gc
import warnings

import pytest
from port_helpers import close

import jitgrad as torch

Function = torch.autograd.Function


class DoubleMul(Function):
    """Two outputs of one node (test_tensor_hooks_inplace_multiple_outputs and the
    retain_grad variant use it)."""

    @staticmethod
    def forward(ctx, x):
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, g1, g2):
        return g1 * 2 + g2 * 3


class ViewAs(Function):
    """A Function returning a view of its input (the in-place-on-its-output refusals)."""

    @staticmethod
    def forward(ctx, inp):
        return inp.view_as(inp)

    @staticmethod
    def backward(ctx, grad):
        return grad


# test_function_returns_input
def test_function_returns_input() -> None:
    class MyFunction(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    for shape in [(1,), ()]:
        v = torch.ones(shape, requires_grad=True)
        MyFunction.apply(v).backward()
        close(v.grad, torch.full(shape, 2.0))
        with torch.no_grad():
            v.grad.zero_()
        MyFunction.apply(v.clone()).backward()
        close(v.grad, torch.full(shape, 2.0))


# test_function_returns_undefined_tensor
def test_function_returns_undefined_tensor() -> None:
    class MyFunction(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return None

    x = torch.ones(1, requires_grad=True)
    MyFunction.apply(x).backward()
    assert x.grad is None
    MyFunction.apply(x**2).backward()
    assert x.grad is None
    MyFunction.apply(x).sum().backward()
    assert x.grad is None
    assert torch.autograd.grad(MyFunction.apply(x), x, allow_unused=True)[0] is None


# test_custom_function_exception
def test_custom_function_exception() -> None:
    class SimulateBackwardError(Function):
        @staticmethod
        def forward(ctx, input):
            return input.clone()

        @staticmethod
        def backward(ctx, input):
            raise Exception("Simulate error on backward pass")

    t1 = torch.rand((3, 3), requires_grad=True)
    t2 = torch.rand((3, 3), requires_grad=True)
    tmp = (t1 + t2) * (t1 + t2)
    t3 = SimulateBackwardError.apply(tmp)
    with pytest.raises(Exception, match="Simulate error on backward pass"):
        t3.sum().backward()


# test_invalid_gradients
def test_invalid_gradients() -> None:
    class MyFunction(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):
            return torch.randn(10, dtype=torch.float)

    with pytest.raises(RuntimeError, match="expected shape"):
        inp = torch.randn(5, 5, dtype=torch.float, requires_grad=True)
        MyFunction.apply(inp).sum().backward()


# test_accumulate_grad
@pytest.mark.parametrize("create_graph", [False, True])
def test_accumulate_grad(create_graph) -> None:
    grad_output = torch.ones(5, 5)
    x = torch.randn(5, 5, requires_grad=True)
    y = x + 2
    y.backward(grad_output, retain_graph=True)
    x_grad = x.grad
    x_grad_clone = x.grad.clone()
    y.backward(grad_output, create_graph=create_graph)
    # in place without create_graph (the first .grad object sees the sum), out of place with it
    close(x_grad, x_grad_clone * 2 if not create_graph else x_grad_clone)


# test_accumulate_grad_tensor_reference (the dense cases)
@pytest.mark.parametrize("create_graph", [False, True])
def test_accumulate_grad_tensor_reference(create_graph) -> None:
    params = torch.tensor([1.5, 1.5]).requires_grad_()
    params.grad = torch.tensor([1.5, 1.5])
    grad_saved = params.grad
    params.backward(torch.tensor([1.5, 1.5]), create_graph=create_graph)
    assert (id(grad_saved) == id(params.grad)) == (not create_graph)


# test_sum_to_with_empty_dim_grad
def test_sum_to_with_empty_dim_grad() -> None:
    a = torch.rand(4, 0, requires_grad=True)
    b = torch.rand(4, 1, requires_grad=True)
    c = a + b
    assert c.shape == (4, 0)
    c.sum().backward()
    close(b.grad, torch.zeros(4, 1))
    close(a.grad, torch.zeros(4, 0))


# test_hessian_vector
def test_hessian_vector() -> None:
    x = torch.randn(2, 2, requires_grad=True)
    y = torch.randn(2, 2, requires_grad=True)
    z = x**2 + y * x + y**2
    z.backward(torch.ones(2, 2), create_graph=True)
    with torch.no_grad():
        x_grad = 2 * x + y
        y_grad = x + 2 * y
    close(x.grad, x_grad)
    close(y.grad, y_grad)
    grad_sum = 2 * x.grad + y.grad
    grad_sum.backward(torch.ones(2, 2))
    close(x.grad, x_grad + torch.ones(2, 2) * 5)
    close(y.grad, y_grad + torch.ones(2, 2) * 4)


# test_grad
def test_grad() -> None:
    x = torch.randn(2, 2, requires_grad=True)
    y = torch.randn(2, 2, requires_grad=True)
    z = x**2 + y * x + y**2
    z.backward(torch.ones(2, 2), create_graph=True)
    x_grad = 2 * x + y
    y_grad = x + 2 * y
    grad_sum = 2 * x.grad + y.grad
    x_hv = torch.autograd.grad(
        outputs=[grad_sum], grad_outputs=[torch.ones(2, 2)], inputs=[x], create_graph=True
    )
    close(x_hv[0], torch.ones(2, 2) * 5)
    close(x.grad, x_grad)
    close(y.grad, y_grad)
    grad_out = torch.ones(2)
    with pytest.raises(RuntimeError) as e:
        torch.autograd.grad(
            outputs=[grad_sum], grad_outputs=[grad_out], inputs=[x], create_graph=True
        )
    assert str(e.value) == (
        "Mismatch in shape: grad_output[0] has a shape of "
        + str(grad_out.shape)
        + " and output[0] has a shape of "
        + str(grad_sum.shape)
        + "."
    )


# test_grad_to_node / test_grad_materialize_grads
def test_grad_materialize_grads() -> None:
    x = torch.tensor(0.5, requires_grad=True)
    a = torch.tensor(1.0, requires_grad=True)
    y = x * a
    dydx = torch.autograd.grad(y, x, create_graph=True)
    d2ydx2_none = torch.autograd.grad(dydx, x, create_graph=True, allow_unused=True)
    d2ydx2 = torch.autograd.grad(
        dydx, x, create_graph=True, allow_unused=True, materialize_grads=True
    )
    assert d2ydx2_none[0] is None
    assert d2ydx2[0].item() == 0
    d3ydx3 = torch.autograd.grad(d2ydx2, x, materialize_grads=True)
    assert d3ydx3[0].item() == 0
    with pytest.raises(ValueError, match="Expected allow_unused to be True or not passed"):
        torch.autograd.grad(y, x, allow_unused=False, materialize_grads=True)


# test_grad_nonleaf
def test_grad_nonleaf() -> None:
    x_init = torch.randn(2, 2, requires_grad=True)
    x = x_init
    y = torch.randn(2, 2, requires_grad=True)
    grad_output = torch.ones(2, 2)

    def fn(x):
        return x**2 + y * x + y**2

    for _ in range(5):
        (grad_x,) = torch.autograd.grad(fn(x), x, grad_outputs=grad_output, create_graph=True)
        assert y.grad is None and x.grad is None
        close(grad_x, 2 * x + y)
        x = x + 0.05 * grad_x
    assert fn(x).sum().item() > fn(x_init).sum().item()
    x.backward(grad_output)
    assert x_init.grad is not None


# test_grad_nonleaf_many_outputs
def test_grad_nonleaf_many_outputs() -> None:
    x = torch.randn(4, 2, requires_grad=True)
    a, b = x.chunk(2)

    def hook(*grads):
        hook_called[0] = True

    hook_called = [False]
    x.register_hook(hook)
    go = torch.randn(2, 2)
    grad_a, grad_b = torch.autograd.grad((a + 2 * b), [a, b], grad_outputs=go, create_graph=True)
    close(grad_a, go)
    close(grad_b, go * 2)
    assert not hook_called[0]
    assert x.grad is None


# test_grad_nonleaf_register_hook
def test_grad_nonleaf_register_hook() -> None:
    x = torch.randn(5, requires_grad=True)
    x_list = x.unbind()
    x0 = x_list[0]
    hook_results = [None]

    def hook(grad):
        hook_results[0] = grad

    x0.register_hook(hook)
    x_list[0].backward()
    close(hook_results[0], torch.tensor(1.0))
    expected_grad = torch.tensor([1.0, 0, 0, 0, 0])
    close(x.grad, expected_grad)
    assert x_list[0].grad is None
    for i in range(1, 5, 1):
        x_list[i].backward()
        assert hook_results[0] is None
    expected_grad[1:5] = 1
    close(x.grad, expected_grad)
    assert x_list[0].grad is None


# test_grad_unreachable
def test_grad_unreachable() -> None:
    x = torch.ones(1, requires_grad=True)
    y = torch.ones(1, requires_grad=True)
    x * 2
    y * 2
    grad_x, grad_y = torch.autograd.grad(x * 2, [x, y], allow_unused=True)
    close(grad_x, x * 2)
    assert grad_y is None
    z = torch.ones(1, requires_grad=True)
    grad_x, grad_z = torch.autograd.grad(x * 2, [x, z], allow_unused=True)
    close(grad_x, x * 2)
    assert grad_z is None
    with pytest.raises(RuntimeError, match="Set allow_unused=True"):
        torch.autograd.grad(x * 2, [x, y], allow_unused=False)


# test_grad_unreachable_discovery
def test_grad_unreachable_discovery() -> None:
    class MyFunc(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, x):
            raise AssertionError("This node should not be executed!")

    x = MyFunc.apply(torch.randn(1, requires_grad=True) * 2)
    y = torch.randn(1, requires_grad=True)
    (gY,) = torch.autograd.grad(x, (y,), allow_unused=True)
    assert gY is None
    x = MyFunc.apply(torch.randn(1, requires_grad=True) * 2)
    y = torch.randn(1, requires_grad=True)
    z = torch.randn(1, requires_grad=True)
    (gY, gZ) = torch.autograd.grad(x + z, (y, z), allow_unused=True)
    assert gY is None and gZ is not None
    x = MyFunc.apply(torch.randn(1, requires_grad=True) * 2)
    y = torch.randn(1, requires_grad=True)
    torch.autograd.backward(x, inputs=(y,))
    assert y.grad is None


# test_hooks
def test_hooks() -> None:
    x = torch.ones(5, 5, requires_grad=True)
    y = torch.ones(5, 5) * 4
    y.requires_grad_(True)
    counter = [0]

    def bw_hook(inc, grad):
        assert isinstance(grad, torch.Tensor)
        counter[0] += inc

    z = x**2 + x * 2 + x * y + y
    x.register_hook(lambda *args: bw_hook(0, *args))
    test = z.register_hook(lambda *args: bw_hook(1, *args))
    z.backward(torch.ones(5, 5), retain_graph=True)
    assert counter[0] == 1
    test2 = z.register_hook(lambda *args: bw_hook(2, *args))
    z.backward(torch.ones(5, 5), retain_graph=True)
    assert counter[0] == 4
    test2.remove()
    z.backward(torch.ones(5, 5), retain_graph=True)
    assert counter[0] == 5

    def bw_hook_modify(grad):
        return grad.mul(2)

    test.remove()
    z.register_hook(bw_hook_modify)
    with torch.no_grad():
        y.grad.zero_()
    z.backward(torch.ones(5, 5), retain_graph=True)
    close(y.grad, (x + 1) * 2)
    y.register_hook(bw_hook_modify)
    with torch.no_grad():
        y.grad.zero_()
    z.backward(torch.ones(5, 5))
    close(y.grad, (x + 1) * 4)


# test_hook_with_no_name
def test_hook_with_no_name() -> None:
    class MyHookClass:
        def __call__(self, grad):
            return grad.clone()

    x = torch.randn(5, requires_grad=True).clone()
    x.register_hook(MyHookClass())
    x.sum().backward()  # must not raise


# test_tensor_hooks_inplace
def test_tensor_hooks_inplace() -> None:
    count1 = [0]
    count2 = [0]

    def fn1(grad):
        count1[0] += 1
        close(grad, torch.tensor([4.0]))
        return grad * 2

    def fn2(grad):
        count2[0] += 1
        close(grad, torch.tensor([1.0]))
        return grad * 2

    a = torch.tensor([1.0], requires_grad=True)
    b = a.clone()
    b.register_hook(fn1)
    b.mul_(2)
    b.register_hook(fn2)
    b.sum().backward()
    assert count1[0] == 1 and count2[0] == 1
    close(a.grad, torch.tensor([8.0]))


# test_tensor_hooks_inplace_multiple_outputs
def test_tensor_hooks_inplace_multiple_outputs() -> None:
    var_mul2 = torch.tensor([1.0], requires_grad=True).clone()
    out1, out2 = DoubleMul.apply(var_mul2)
    calls = []
    out1.register_hook(lambda g: calls.append(1))
    out2.register_hook(lambda g: calls.append(2))
    (out1 + out2).sum().backward()
    assert sorted(calls) == [1, 2]


# test_tensor_hooks_inplace_over_view
def test_tensor_hooks_inplace_over_view() -> None:
    """A hook registered on a view before an in-place write through it belongs to the old
    version: it is not reached; the base's hooks (old and new) run, the new one first."""
    got = []
    base = torch.tensor([1.0], requires_grad=True).clone()
    view = base[:]
    other = torch.tensor([1.0], requires_grad=True)
    view.register_hook(lambda g: got.append(("view before", g.tolist())))
    base.register_hook(lambda g: got.append(("base before", g.tolist())))
    view.mul_(other)
    view.register_hook(lambda g: got.append(("view after", g.tolist())))
    base.register_hook(lambda g: got.append(("base after", g.tolist())))
    view.sum().backward()
    assert got == [("view after", [1.0]), ("base after", [1.0]), ("base before", [1.0])]


# test_retain_grad
def test_retain_grad() -> None:
    inp = torch.rand(1, 3, requires_grad=True)
    h1 = inp * 3
    out = (h1 * h1).sum()
    h1.retain_grad()
    h1.retain_grad()  # calling it twice is fine
    out.backward(retain_graph=True)
    close(h1 * 2, h1.grad)
    out.backward(retain_graph=True)
    close(h1 * 4, h1.grad)
    with torch.no_grad():
        inp.grad.zero_()
    assert inp.retain_grad() is None  # a no-op on a leaf
    out.backward()
    close(inp * 18, inp.grad)


# test_retain_grad_inplace
def test_retain_grad_inplace() -> None:
    a = torch.tensor([1.0], requires_grad=True).clone()
    a.retain_grad()
    a.mul_(2)
    a.sum().backward()
    close(a.grad, torch.tensor([1.0]))
    a = torch.tensor([1.0], requires_grad=True).clone()
    a.retain_grad()
    a.mul_(2)  # the retained grad follows the new version, not the old one
    a.mul_(2)
    a.sum().backward()
    close(a.grad, torch.tensor([1.0]))
    # the in-place op before retain_grad: the same
    a = torch.tensor([1.0], requires_grad=True).clone()
    a.mul_(2)
    a.retain_grad()
    a.sum().backward()
    close(a.grad, torch.tensor([1.0]))


# test_retains_grad_inplace_multiple_outputs
def test_retains_grad_inplace_multiple_outputs() -> None:
    var_mul2 = torch.tensor([1.0], requires_grad=True).clone()
    out1, out2 = DoubleMul.apply(var_mul2)
    out1.retain_grad()
    out2.retain_grad()
    (out1 * 5 + out2 * 7).sum().backward()
    close(out1.grad, torch.tensor([5.0]))
    close(out2.grad, torch.tensor([7.0]))


# test_retain_grad_inplace_over_view
def test_retain_grad_inplace_over_view() -> None:
    base = torch.tensor([1.0, 2.0], requires_grad=True).clone()
    view = base[:1]
    view2 = base[1:]
    view.retain_grad()
    view2.retain_grad()
    view.mul_(2)
    (view + view2).sum().backward()
    close(view.grad, torch.tensor([1.0]))
    close(view2.grad, torch.tensor([1.0]))


# test_retains_grad_can_always_observe_tensor_prehook
def test_retains_grad_can_always_observe_tensor_prehook() -> None:
    def tensor_prehook(g):
        return g * 2

    a = torch.tensor(1.0, requires_grad=True)
    b = a.clone()
    b.register_hook(tensor_prehook)
    b.retain_grad()
    b.register_hook(tensor_prehook)
    b.clone().backward()
    assert b.grad.item() == 4
    a = torch.tensor(1.0, requires_grad=True)
    b = a.clone()
    b.retain_grad()
    b.register_hook(tensor_prehook)
    b.clone().backward()
    assert b.grad.item() == 2


# test_accumulate_grad_posthooks_can_observe_tensor_prehook
def test_accumulate_grad_posthooks_can_observe_tensor_prehook() -> None:
    a = torch.tensor(1.0, requires_grad=True)

    def tensor_prehook(g):
        return g * 2

    def posthook(gO, gI):
        close(torch.tensor(gI[0]) if not hasattr(gI[0], "shape") else gI[0], a * 2)
        assert len(gO) == 0

    def prehook(gI):
        close(gI[0], a * 2)
        assert len(gI) == 1

    b = a.clone()
    acc = b.grad_fn.next_functions[0][0]
    acc.register_hook(posthook)
    acc.register_prehook(prehook)
    a.register_hook(tensor_prehook)
    b.backward()


# test_hook_edge_case_when_called_with_grad
def test_hook_edge_case_when_called_with_grad() -> None:
    a = torch.tensor(1.0, requires_grad=True)
    b = a * 2
    c = b * 2
    tensor_hook_count = [0]
    prehook_count = [0]
    posthook_count = [0]

    def reset_counts():
        tensor_hook_count[0] = prehook_count[0] = posthook_count[0] = 0

    def tensor_prehook(g):
        tensor_hook_count[0] += 1

    def prehook(g):
        prehook_count[0] += 1

    def posthook(gI, gO):
        posthook_count[0] += 1

    a.register_hook(tensor_prehook)
    b.register_hook(tensor_prehook)
    c.register_hook(tensor_prehook)
    for node in (c.grad_fn, b.grad_fn):
        node.register_prehook(prehook)
        node.register_hook(posthook)
    torch.autograd.grad(c, inputs=(b), retain_graph=True)
    assert (tensor_hook_count[0], prehook_count[0], posthook_count[0]) == (2, 1, 1)
    reset_counts()
    torch.autograd.grad(c, inputs=(a, b), retain_graph=True)
    assert (tensor_hook_count[0], prehook_count[0], posthook_count[0]) == (3, 2, 2)
    reset_counts()
    c.backward(retain_graph=True)
    assert (tensor_hook_count[0], prehook_count[0], posthook_count[0]) == (3, 2, 2)
    reset_counts()
    c.backward(inputs=(a, b), retain_graph=True)
    assert (tensor_hook_count[0], prehook_count[0], posthook_count[0]) == (3, 2, 2)


# test_multi_backward
def test_multi_backward() -> None:
    x = torch.randn(5, 5, requires_grad=True)
    y = torch.randn(5, 5, requires_grad=True)
    q = torch.randn(5, 5, requires_grad=True)
    a = torch.randn(5, 5, requires_grad=True)
    b = torch.randn(5, 5, requires_grad=True)
    q2 = q * 2
    z = x + y + q2
    c = a * b + q2
    grad_z = torch.randn(5, 5)
    grad_c = torch.randn(5, 5)
    torch.autograd.backward([z, c], [grad_z, grad_c])
    close(x.grad, grad_z)
    close(y.grad, grad_z)
    close(a.grad, grad_c * b)
    close(b.grad, grad_c * a)
    close(q.grad, (grad_c + grad_z) * 2)


# test_multi_backward_no_grad
def test_multi_backward_no_grad() -> None:
    x = torch.randn(5, 5, requires_grad=True)
    y = torch.randn(5, 5, requires_grad=False)
    z = x + y
    q = y * 2

    def call_backwards():
        torch.autograd.backward([z, q], [torch.ones(5, 5), torch.ones(5, 5)])

    with pytest.raises(RuntimeError):
        call_backwards()


# test_backward_with_inputs
def test_backward_with_inputs() -> None:
    x = torch.randn(2, 2, dtype=torch.double, requires_grad=True)
    y = torch.randn(2, 2, dtype=torch.double, requires_grad=True)

    def fn():
        return x**2 + y * x + y**2

    gradient = torch.ones(2, 2)
    x_grad_expected = 2 * x + y
    y_grad_expected = x + 2 * y

    @torch.no_grad()
    def reset_grad():
        x.grad.zero_()
        y.grad.zero_()

    torch.autograd.backward(fn(), gradient, inputs=[x, y])
    close(x.grad, x_grad_expected)
    close(y.grad, y_grad_expected)
    reset_grad()
    torch.autograd.backward(fn(), gradient, inputs=[x])
    close(x.grad, x_grad_expected)
    close(y.grad, torch.zeros(2, 2))
    reset_grad()
    torch.autograd.backward(fn(), gradient, inputs=[y])
    close(y.grad, y_grad_expected)
    close(x.grad, torch.zeros(2, 2))
    reset_grad()
    torch.autograd.backward(fn(), gradient, inputs=y)
    close(y.grad, y_grad_expected)
    close(x.grad, torch.zeros(2, 2))
    reset_grad()
    with pytest.raises(RuntimeError, match="cannot be empty"):
        torch.autograd.backward(fn(), gradient, inputs=[])


# test_backward_with_nonleaf_inputs
def test_backward_with_nonleaf_inputs() -> None:
    x = torch.randn(2, 2, dtype=torch.double, requires_grad=True)
    x_nonleaf = x * 1
    y = torch.randn(2, 2, dtype=torch.double, requires_grad=True)
    z = torch.randn(2, 2, dtype=torch.double, requires_grad=True)
    out = x_nonleaf**2 + y * x_nonleaf + y**2
    out.backward(torch.ones(2, 2, dtype=torch.double), create_graph=True, inputs=[x, y, x_nonleaf])
    x_grad_expected = 2 * x + y
    y_grad_expected = x + 2 * y
    x_non_leaf_expected = 2 * x_nonleaf + y
    close(y.grad, y_grad_expected)
    close(x.grad, x_grad_expected)
    close(x_nonleaf.grad, x_non_leaf_expected)
    out.backward(torch.ones(2, 2, dtype=torch.double), create_graph=True, inputs=[z])
    assert z.grad is None


# test_dependent_backward
def test_dependent_backward() -> None:
    x = torch.randn(10, requires_grad=True)
    y = x**2
    z = y**3
    go_y = torch.randn(10)
    go_z = torch.randn(10)
    torch.autograd.backward([y, z], [go_y, go_z])
    xd = x
    close(x.grad, 2 * xd * go_y + 6 * xd.pow(5) * go_z, tol=1e-4)


# test_indexing_duplicates
def test_indexing_duplicates() -> None:
    x = torch.arange(1.0, 17).view(4, 4)
    y = x.clone().requires_grad_(True)
    idx = torch.LongTensor([1, 1, 3, 2, 1, 2])
    y[idx].sum().backward()
    expected_grad = torch.zeros(4, 4)
    for i in idx.tolist():
        expected_grad[i] += 1
    close(y.grad, expected_grad)
    y = x.clone().requires_grad_(True)
    idx = [[1, 1, 3, 2, 1, 2], [0]]
    y[idx].sum().backward()
    expected_grad = torch.zeros(4, 4)
    for i in idx[0]:
        for j in idx[1]:
            expected_grad[i][j] += 1
    close(y.grad, expected_grad)
    y = x.clone().requires_grad_(True)
    idx = [[[1, 2], [0, 0]], [[0, 1], [1, 1]]]
    y[idx].sum().backward()
    expected_grad = torch.tensor(
        [[0.0, 2.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]
    )
    close(y.grad, expected_grad)


# test_indexing_duplicates_matches_index_put (the scalar-accumulate part of test_setitem)
def test_setitem_mask() -> None:
    mask = torch.tensor([[True, False, True, False, False]] * 5)
    x = torch.zeros(5, 5, requires_grad=True)
    v = torch.tensor(2.0, requires_grad=True)
    y = x.clone()
    y[mask] = v
    (y * torch.arange(25.0).view(5, 5)).sum().backward()
    close(v.grad, torch.arange(25.0).view(5, 5)[mask].sum())
    expected = torch.arange(25.0).view(5, 5).clone()
    expected[mask] = 0
    close(x.grad, expected)


# test_requires_grad
def test_requires_grad() -> None:
    x = torch.randn(5, 5)
    y = torch.randn(5, 5)
    z = torch.randn(5, 5, requires_grad=True)
    a = x + y
    assert not a.requires_grad
    b = a + z
    assert b.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        a.backward(torch.ones(5, 5))


# test_requires_grad_
def test_requires_grad_() -> None:
    x = torch.randn(5, 5)
    y = torch.randn(5, 5, requires_grad=True)
    assert x is x.requires_grad_()
    assert x.requires_grad
    assert y is y.requires_grad_()
    assert y.requires_grad
    assert x is x.requires_grad_(True)
    assert x.requires_grad
    assert y is y.requires_grad_(True)
    assert y.requires_grad
    z = x * y
    with pytest.raises(RuntimeError):
        z.requires_grad_(False)
    assert z is z.requires_grad_()
    assert z.requires_grad
    assert z is z.requires_grad_(True)
    assert z.requires_grad
    assert x is x.requires_grad_(False)
    assert not x.requires_grad
    assert y is y.requires_grad_(False)
    assert not y.requires_grad


# test_requires_grad_inplace
def test_requires_grad_inplace() -> None:
    a = torch.randn(5, 5)
    b = torch.randn(5, 5, requires_grad=True)
    a += b
    assert a.requires_grad
    a = torch.randn(5, 5) + 0
    b = torch.randn(5, 5, requires_grad=True)
    a += b
    assert a.requires_grad


# test_no_requires_grad_inplace
def test_no_requires_grad_inplace() -> None:
    a = torch.randn(2, 3)
    a.add_(5)
    a.requires_grad = True
    a.sum().backward()
    close(a.grad, torch.ones(2, 3))
    a = torch.randn(2, 3)
    b = a[:]
    b.add_(5)
    a.requires_grad = True
    a.sum().backward()
    close(a.grad, torch.ones(2, 3))
    a = torch.randn(2, 3)
    b = a[:]
    a.requires_grad = True
    with pytest.raises(RuntimeError):
        a.add_(5)
    with pytest.raises(RuntimeError):
        b.add_(5)


# test_attribute_deletion
def test_attribute_deletion() -> None:
    x = torch.randn((5, 5), requires_grad=True)
    del x.grad
    assert x.grad is None
    with pytest.raises(RuntimeError, match="Deleting tensor data is not allowed"):
        del x.data
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got NoneType"):
        x.data = None
    with pytest.raises(RuntimeError, match="requires_grad must be a bool"):
        del x.requires_grad
    # (PyTorch's _grad_fn and _backward_hooks attributes are internals jitgrad does not have)


# test_grad_mode_restored_reentrant
def test_grad_mode_restored_reentrant() -> None:
    class MyFunction(Function):
        @staticmethod
        def forward(ctx, inp):
            return inp.clone()

        @staticmethod
        def backward(ctx, go):
            original = torch.is_grad_enabled()
            with torch.enable_grad():
                assert torch.is_grad_enabled()
                foo = torch.tensor(2.0, requires_grad=True)
                (foo,) = torch.autograd.grad(foo * foo, foo)
            assert torch.is_grad_enabled() == original
            return go

    inp = torch.rand(3, requires_grad=True)
    MyFunction.apply(inp).sum().backward()
    MyFunction.apply(inp).sum().backward(create_graph=True)


# test_no_grad
def test_no_grad() -> None:
    x = torch.ones(5, 5, requires_grad=True)
    y = torch.ones(5, 5) * 4
    with torch.no_grad():
        w = x + y

    def adder(x, y):
        return x + y

    adders = [torch.no_grad()(adder), torch.no_grad(adder)]
    for adder in adders:
        z = adder(x, y)
        assert not w.requires_grad
        with pytest.raises(RuntimeError):
            w.backward(torch.ones(5, 5))
        assert w.grad_fn is None
        assert not z.requires_grad
        with pytest.raises(RuntimeError):
            z.backward(torch.ones(5, 5))
        assert z.grad_fn is None
    with torch.no_grad():
        with pytest.raises(RuntimeError):
            torch.autograd.grad(torch.ones(1, requires_grad=True) * 2, x)


# test_enable_grad_decorator_no_paren
def test_enable_grad_decorator_no_paren() -> None:
    x = torch.ones(1, requires_grad=True)

    @torch.enable_grad
    def doubler(x):
        return x * 2

    with torch.no_grad():
        z = doubler(x)
    assert z.requires_grad


# test_set_grad_generator_functions
def test_set_grad_generator_functions() -> None:
    @torch.no_grad()
    def gen_no_grad():
        for i in range(10):
            assert not torch.is_grad_enabled()
            yield i

    with torch.enable_grad():
        for _ in gen_no_grad():
            assert torch.is_grad_enabled()

    @torch.enable_grad()
    def gen_enable_grad():
        for i in range(10):
            assert torch.is_grad_enabled()
            yield i

    with torch.no_grad():
        for _ in gen_enable_grad():
            assert not torch.is_grad_enabled()


# test_set_grad_generator_functions_recursive
def test_set_grad_generator_functions_recursive() -> None:
    @torch.enable_grad()
    def enable_grad_decorator_recursive(depth):
        assert torch.is_grad_enabled()
        if depth > 0:
            no_grad_decorator_recursive(depth - 1)
            assert torch.is_grad_enabled()

    @torch.no_grad()
    def no_grad_decorator_recursive(depth):
        assert not torch.is_grad_enabled()
        if depth > 0:
            enable_grad_decorator_recursive(depth - 1)
            assert not torch.is_grad_enabled()

    def enable_grad_context_manager_recursive(depth):
        with torch.enable_grad():
            assert torch.is_grad_enabled()
            if depth > 0:
                no_grad_context_manager_recursive(depth - 1)
                assert torch.is_grad_enabled()

    def no_grad_context_manager_recursive(depth):
        with torch.no_grad():
            assert not torch.is_grad_enabled()
            if depth > 0:
                enable_grad_context_manager_recursive(depth - 1)
                assert not torch.is_grad_enabled()

    with torch.enable_grad():
        assert torch.is_grad_enabled()
        enable_grad_decorator_recursive(10)
        assert torch.is_grad_enabled()
        enable_grad_context_manager_recursive(10)
        assert torch.is_grad_enabled()
    with torch.no_grad():
        assert not torch.is_grad_enabled()
        enable_grad_decorator_recursive(10)
        assert not torch.is_grad_enabled()
        enable_grad_context_manager_recursive(10)
        assert not torch.is_grad_enabled()


# test_set_grad_coroutines_exit (the generator part of test_set_grad_generator_functions)
def test_set_grad_generator_close_restores_mode() -> None:
    @torch.no_grad()
    def coro():
        while True:
            yield

    with torch.enable_grad():
        g = coro()
        next(g)
        g.close()
        assert torch.is_grad_enabled()


# test_no_grad_python_function
def test_no_grad_python_function() -> None:
    class MyOp(Function):
        @staticmethod
        def forward(self, x):
            return x + 1

        @staticmethod
        def backward(self, dy):
            return dy

    x = torch.ones(5, 5, requires_grad=True)
    with torch.no_grad():
        y = MyOp.apply(x)
    assert not y.requires_grad


# test_set_grad_enabled
def test_set_grad_enabled() -> None:
    x = torch.tensor([1.0], requires_grad=True)
    with torch.set_grad_enabled(False):
        y = x * 2
    assert not y.requires_grad
    with torch.set_grad_enabled(True):
        y = x * 2
    assert y.requires_grad
    with torch.set_grad_enabled(False):
        torch.set_grad_enabled(True)
        y = x * 2
    assert y.requires_grad
    assert torch.is_grad_enabled()


# test_set_grad_enabled_function (torch.set_grad_enabled called, not entered)
def test_set_grad_enabled_call_then_restore() -> None:
    assert torch.is_grad_enabled()
    torch.set_grad_enabled(False)
    try:
        assert not torch.is_grad_enabled()
    finally:
        torch.set_grad_enabled(True)
    assert torch.is_grad_enabled()


# test_simple_reentrant
def test_simple_reentrant() -> None:
    y_data = torch.randn(2, 2)

    class Reenter(Function):
        @staticmethod
        def forward(ctx, x):
            with torch.enable_grad():
                ctx.x = x.detach().requires_grad_()
                ctx.output_var = ctx.x * y_data
            return ctx.output_var.detach()

        @staticmethod
        def backward(ctx, grad_output):
            with torch.enable_grad():
                ctx.output_var.sum().backward()
            return ctx.x.grad * grad_output

    x = torch.randn(2, 2, requires_grad=True)
    out = Reenter.apply(x)
    out.sum().backward()
    close(x.grad, y_data)


# test_reentrant_child_error
def test_reentrant_child_error() -> None:
    a = torch.rand(3, 3, requires_grad=True)
    c = a * a
    b = torch.rand(3, 3, requires_grad=True)
    e = b * b
    f = ReentrantErrorHelper.apply(e)
    g = f * 2
    d = (c + g).sum()
    with pytest.raises(Exception, match="Simulate error"):
        d.backward()


class ReentrantErrorHelper(Function):
    @staticmethod
    def forward(ctx, inp):
        return inp.clone()

    @staticmethod
    def backward(ctx, inp):
        raise Exception("Simulate error")


# test_detach
def test_detach() -> None:
    x = torch.randn(10, 10, requires_grad=True)
    y = x + 2
    y = y.detach()
    z = y * 4 + 2
    assert not y.requires_grad
    assert not z.requires_grad
    x = torch.randn(10, 10, requires_grad=True)
    y = x * 2
    y = y.detach()
    assert not y.requires_grad
    assert y.grad_fn is None
    z = x + y
    z.sum().backward()
    close(x.grad, torch.ones(10, 10))
    view = x.narrow(0, 1, 4)
    with pytest.raises(RuntimeError, match="view"):
        view.detach_()


# test_detach_base
def test_detach_base() -> None:
    x = torch.randn(10, 10, requires_grad=True)
    view = x.narrow(0, 1, 4)
    x.detach_()
    assert not x.requires_grad
    assert view.requires_grad
    assert view.grad_fn is not None
    assert view._base is x


# test_detach_ (a non-leaf becomes a leaf that does not require grad)
def test_detach_inplace_makes_a_leaf() -> None:
    x = torch.randn(3, requires_grad=True)
    y = x * 2
    assert y.detach_() is y
    assert y.is_leaf and not y.requires_grad and y.grad_fn is None


# test_version_counter
def test_version_counter() -> None:
    x = torch.randn(1, 2)
    x_saved_version = x._version
    x.add_(1).add_(1)
    assert x._version > x_saved_version
    xz = x[:]
    assert x._version == xz._version
    xz.add_(1)
    assert x._version == xz._version
    x_saved_version = x._version
    x.data = torch.randn(1, 2)
    assert x_saved_version == x._version
    # detach shares the counter, .data does not
    d = x.detach()
    d.add_(1)
    assert d._version == x._version
    dd = x.data
    v = x._version
    dd.add_(1)
    assert x._version == v


# test_inplace_not_requires_grad
def test_inplace_not_requires_grad() -> None:
    a = torch.rand(1, 2)
    b = torch.rand(1, requires_grad=True)
    view = ViewAs.apply(a)
    with pytest.raises(RuntimeError, match="This view was created inside a custom Function"):
        view += b
    a = torch.rand(1, 2)
    b = torch.rand(1, requires_grad=True)
    view = ViewAs.apply(a)
    with pytest.raises(RuntimeError, match="This view was created inside a custom Function"):
        view.copy_(b)


# test_mark_non_differentiable_mixed
def test_mark_non_differentiable_mixed() -> None:
    class MyFunction(Function):
        @staticmethod
        def forward(ctx, inp):
            a = inp + 1
            b = inp + 2
            ctx.mark_non_differentiable(a)
            return a, b

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            assert (grad_a == 0).all()
            assert (grad_b == 1).all()
            return grad_b

    x = torch.randn(5, 5, requires_grad=True)
    a, b = MyFunction.apply(x)
    assert not a.requires_grad
    assert b.requires_grad
    b.sum().backward()
    close(x.grad, torch.ones(5, 5))


# test_mark_non_differentiable_none
def test_mark_non_differentiable_none() -> None:
    class MyFunction(Function):
        @staticmethod
        def forward(ctx, inp):
            output = inp.clone()
            ctx.mark_non_differentiable(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            return None

    x = torch.randn(5, 5, requires_grad=True)
    r = MyFunction.apply(x * x)
    (r * x).sum().backward()


# test_return_duplicate
def test_return_duplicate() -> None:
    class DoubleDuplicate(Function):
        @staticmethod
        def forward(ctx, x):
            output = x * 2
            return output, output

        @staticmethod
        def backward(ctx, grad1, grad2):
            return grad1 * 2 + grad2 * 2

    x = torch.randn(5, 5, requires_grad=True)
    a, b = DoubleDuplicate.apply(x)
    assert a is b
    (a + b).sum().backward()
    close(x.grad, torch.full((5, 5), 4.0))


# test_return_duplicate_inplace
def test_return_duplicate_inplace() -> None:
    class DoubleInplace(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x, x

        @staticmethod
        def backward(ctx, grad1, grad2):
            return grad1 * 2 + grad2 * 2

    x = torch.randn(5, 5, requires_grad=True)
    with pytest.raises(RuntimeError):
        DoubleInplace.apply(x)
    a, b = DoubleInplace.apply(x.clone())
    assert a is b
    (a + b).sum().backward()
    close(x.grad, torch.full((5, 5), 4.0))


# test_save_none_for_backward
def test_save_none_for_backward() -> None:
    test_case = [None]

    class MyFn(Function):
        @staticmethod
        def forward(ctx, inp):
            ctx.save_for_backward(None, inp, None)
            return inp * inp

        @staticmethod
        def backward(ctx, grad_output):
            n1, inp, n2 = ctx.saved_tensors
            test_case[0] = (n1, n2)
            return 2 * inp * grad_output

    x = torch.randn(5, 5, requires_grad=True)
    y = MyFn.apply(x)
    y.sum().backward()
    assert test_case[0] == (None, None)
    close(x.grad, 2 * x)


# test_too_many_grads
def test_too_many_grads() -> None:
    class MyFn(Function):
        @staticmethod
        def forward(ctx, inp):
            return inp

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, None, None

    x = torch.randn(5, 5, requires_grad=True)
    y = MyFn.apply(x)
    y.sum().backward()
    close(x.grad, torch.ones(5, 5))


# test_dep_nograd
def test_dep_nograd() -> None:
    class F1(Function):
        @staticmethod
        def forward(ctx, inp):
            out = torch.randn(inp.size())
            ctx.mark_non_differentiable(out)
            return inp, out

        @staticmethod
        def backward(ctx, grad_output, ignored):
            return grad_output

    class F2(Function):
        @staticmethod
        def forward(ctx, inp, ignored):
            return inp

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, None

    x = torch.randn(5, requires_grad=True)
    a, b = F1.apply(x)
    b = b + 1  # separate F1 from F2 by another op
    assert a.requires_grad
    assert not b.requires_grad
    c = F2.apply(a, b)
    c.backward(torch.ones(c.size()))
    close(x.grad, torch.ones(x.size()))


# test_isolated_node
def test_isolated_node() -> None:
    x = torch.randn(5, 5, requires_grad=True)
    y = torch.randn(5, 5, requires_grad=True)
    a = x + y
    b = torch.max(a, 1, True)[1].repeat(1, 5).double()
    o = (b + a).sum()
    o.backward()


# test_shape
def test_shape() -> None:
    x = torch.randn(3, 4)
    assert len(x.shape) == 2
    assert x.shape[0] == 3
    assert x.shape[1] == 4


# test_numpy_requires_grad
def test_numpy_requires_grad() -> None:
    x = torch.randn(2, 2, requires_grad=True)
    err_msg_outputs = (
        r"Can't call numpy\(\) on Tensor that requires grad. "
        r"Use tensor.detach\(\).numpy\(\) instead."
    )
    with pytest.raises(RuntimeError, match=err_msg_outputs):
        x.numpy()
    with torch.no_grad():
        x.numpy()
    x = torch.randn(2, 2)
    x.numpy()
    with torch.no_grad():
        x.numpy()


# test_return_leaf
def test_return_leaf() -> None:
    class Identity(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a, a + b

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            return grad_a + grad_b, grad_b

    hook_called = [False]

    def hook(grad):
        hook_called[0] = True

    x = torch.randn(5, 5, requires_grad=True)
    y = torch.randn(5, 5, requires_grad=True)
    q, p = Identity.apply(x, y)
    q.register_hook(hook)
    (q.sum() + p.sum()).backward()
    close(x.grad, torch.full((5, 5), 2.0))
    close(y.grad, torch.ones(5, 5))
    assert hook_called[0]


# test_return_leaf_inplace
def test_return_leaf_inplace() -> None:
    class Inplace(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.mark_dirty(a)
            return a.add_(b), b + 2

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            return grad_a, grad_a + grad_b

    x = torch.randn(5, 5)
    y = torch.randn(5, 5, requires_grad=True)
    q, p = Inplace.apply(x, y)
    assert q is x
    assert q.grad_fn.__class__ is Inplace._backward_cls
    assert q.requires_grad
    q.sum().backward()
    close(y.grad, torch.ones(5, 5))


# test_leaf_assignment
def test_leaf_assignment() -> None:
    x = torch.randn(5, 5)
    y = torch.randn(5, requires_grad=True)
    z = torch.randn(5, requires_grad=True)
    x[0] = y
    x[1] = 2 * z
    assert x.requires_grad
    assert x.grad_fn is not None
    x.sum().backward()
    close(y.grad, torch.ones(5))
    close(z.grad, torch.ones(5) * 2)


# test_no_grad_assignment
def test_no_grad_assignment() -> None:
    x = torch.randn(5, 5, requires_grad=True)
    y = torch.randn(5)
    with torch.no_grad():
        x[0] = y
    assert x.requires_grad
    assert x.grad_fn is None


# test_no_grad_modifies_version
def test_no_grad_modifies_version() -> None:
    x = torch.randn(5, requires_grad=True)
    y = torch.randn(5, requires_grad=True)
    z = (x * y).sum()
    with torch.no_grad():
        x *= 2
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


# test_backward_copy
def test_backward_copy() -> None:
    class Identity(Function):
        @staticmethod
        def forward(ctx, a):
            return a

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = torch.ones(5, 5, requires_grad=True)
    y = Identity.apply(x)
    out = y * y
    z = out + out * out  # several uses of the same gradient buffer
    z.sum().backward()
    close(x.grad, 2 * x + 4 * x**3)


# test_backward_twice_with_saved_values
def test_backward_twice_with_saved_values() -> None:
    b = torch.randn(3, requires_grad=True, dtype=torch.double)
    c = torch.zeros(3, dtype=torch.double)
    c[[1, 2]] = b[[1, 1]]
    c.backward(torch.tensor([1, 1, 1], dtype=torch.double))
    with pytest.raises(RuntimeError, match="Specify retain_graph=True"):
        c.backward(torch.tensor([1, 1, 1], dtype=torch.double))


# test_backward_twice_retained_graph_with_saved_values
def test_backward_twice_retained_graph_with_saved_values() -> None:
    b = torch.randn(3, requires_grad=True, dtype=torch.double)
    c = torch.zeros(3, dtype=torch.double)
    c[[1, 2]] = b[[1, 1]]
    c.backward(torch.tensor([1, 1, 1], dtype=torch.double), retain_graph=True)
    c.backward(torch.tensor([1, 1, 1], dtype=torch.double))
    close(b.grad, torch.tensor([0.0, 4.0, 0.0]))


# test_backward_twice_without_saved_values
def test_backward_twice_without_saved_values() -> None:
    b = torch.randn(3, requires_grad=True, dtype=torch.double)
    c = b + 1
    c.backward(torch.tensor([1, 1, 1], dtype=torch.double))
    c.backward(torch.tensor([1, 1, 1], dtype=torch.double))
    close(b.grad, torch.full((3,), 2.0))


# test_next_functions
def test_next_functions() -> None:
    x = torch.randn(5, 5, requires_grad=True)
    y = torch.randn(5, 5, requires_grad=True)
    a = x + y
    assert a.grad_fn is not None
    next_functions = a.grad_fn.next_functions
    assert len(next_functions) == 2
    assert type(next_functions[0][0]).__name__ == "AccumulateGrad"
    assert next_functions[0][1] == 0
    assert type(next_functions[1][0]).__name__ == "AccumulateGrad"
    assert next_functions[1][1] == 0
    b = a + 5
    next_functions = b.grad_fn.next_functions
    assert len(next_functions) == 2
    assert next_functions[0][0] is a.grad_fn
    assert next_functions[1][0] is None
    c = a + torch.randn(5, 5)
    assert c.grad_fn.next_functions[1][0] is None


# test_free_deep_graph
def test_free_deep_graph() -> None:
    x = torch.randn(1, requires_grad=True)
    y = x.clone()
    for _ in range(5000):
        y = y + y * 0.000001
    del x, y  # must not overflow the stack


# test_free_deep_graph_complicated / test_deep_graph backward (no recursion limit)
def test_backward_through_deep_graph() -> None:
    x = torch.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    y.sum().backward()
    close(x.grad, torch.tensor([1.0]))


# test_no_unnecessary_save
def test_no_unnecessary_save() -> None:
    mu = torch.ones(1, requires_grad=True)
    x = torch.empty(1)
    loss = 0
    for i in range(3):
        x.detach_()
        x.copy_(mu + i)
        ft = torch.tensor([float(i)])
        multiplied = x * ft
        s = multiplied.sum()
        loss += s
    loss.backward()


# test_tensor_grad_warnings
def test_tensor_grad_warnings() -> None:
    dummy = torch.empty(1)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        dummy.requires_grad_()
        foo = dummy.grad
        assert len(w) == 0
        dummy = dummy.clone()
        foo = dummy.grad
        assert len(w) == 1
        dummy.retain_grad()
        foo = dummy.grad
        assert len(w) == 1
        del foo
    assert "is not a leaf Tensor is being accessed" in str(w[0].message)


# test_type_conversions
def test_type_conversions() -> None:
    x = torch.randn(5, 5)
    assert isinstance(x.float(), torch.FloatTensor)
    assert isinstance(x.int(), torch.IntTensor)
    assert isinstance(x.double(), torch.DoubleTensor)
    assert isinstance(x.long(), torch.LongTensor)
    assert x.type(torch.FloatTensor).dtype == torch.float32
    assert x.type(torch.int32).dtype == torch.int32
    assert x.type("torch.DoubleTensor").dtype == torch.float64


# test_pow_zero_tensor_gradient
def test_pow_zero_tensor_gradient() -> None:
    def run_test(input_size, exponent):
        inp = torch.zeros(*input_size, requires_grad=True)
        inp.pow(exponent).sum().backward()
        close(inp.grad.abs().sum(), torch.tensor(0.0))

    run_test((10,), torch.zeros(10))
    run_test((10, 10), torch.zeros(10, 10))
    run_test((10,), 0)


# test_pow_scalar_base
def test_pow_scalar_base() -> None:
    a = torch.arange(1, 13, dtype=torch.double).view(3, 4).requires_grad_()
    assert torch.autograd.gradcheck(lambda a: torch.pow(2, a), (a,))


# test_unrelated_inputs
def test_unrelated_inputs() -> None:
    def my_function(x, y):
        return x * x

    x = torch.rand(10, dtype=torch.double, requires_grad=True)
    y = torch.rand(10, dtype=torch.double, requires_grad=True)
    assert torch.autograd.gradcheck(my_function, (x, y))
    assert torch.autograd.gradgradcheck(my_function, (x, y))


# test_grad_fn_attr_bindings (the elementwise nodes' accessors)
def test_grad_fn_attr_bindings() -> None:
    x = torch.randn(3, 3, requires_grad=True)
    z = x.mul(2.0)
    assert z.grad_fn._saved_other == 2.0
    w = x.pow(3)
    assert w.grad_fn._saved_exponent == 3
    assert w.grad_fn._saved_self.equal(x)


# test_current_node (torch._C._current_autograd_node analog: grad_fn in a hook is set)
def test_node_name_and_metadata() -> None:
    a = torch.tensor([1.0], requires_grad=True)
    b = a.exp()
    assert b.grad_fn.name() == "ExpBackward0"
    b.grad_fn.metadata["key"] = "value"
    assert b.grad_fn.metadata == {"key": "value"}
    assert a.grad_fn is None


# test_custom_autograd_no_early_free
def test_custom_autograd_no_early_free() -> None:
    class Double(Function):
        @staticmethod
        def forward(ctx, x):
            y = x**2
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, grad):
            x, _ = ctx.saved_tensors
            return grad * 2 * x

    class Double2(Double):
        @staticmethod
        def backward(ctx, grad):
            x, y = ctx.saved_tensors
            return grad * 2 * y / x

    x = torch.tensor(2.0, dtype=torch.double, requires_grad=True)
    for fn in (Double, Double2):
        y = fn.apply(x)
        torch.autograd.grad(y, x, create_graph=True)
        torch.autograd.grad(y, x)
        y = fn.apply(x)
        torch.autograd.grad(y, x, create_graph=True)
        torch.autograd.grad(y, x)


# test_anomaly_detect_nan
def test_anomaly_detect_nan() -> None:
    size = 10

    class MyFunc(Function):
        @staticmethod
        def forward(ctx, inp1, inp2, fail_0th):
            ctx.fail_0th = fail_0th
            return inp1.sum(0, keepdim=True)

        @staticmethod
        def backward(ctx, gO):
            gI = gO.clone().expand(size)
            gI[0] = 0
            gI[0] /= 0  # NaN
            if ctx.fail_0th:
                return gI, None, None
            return None, gI, None

    inp = torch.rand(size, requires_grad=True)
    out = MyFunc.apply(inp, inp, True)
    out.backward()  # no anomaly mode: no error
    inp = torch.rand(size, requires_grad=True)
    out = MyFunc.apply(inp, inp, True)
    with pytest.raises(
        RuntimeError, match="Function 'MyFuncBackward' returned nan values in its 0th output."
    ):
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            with torch.autograd.detect_anomaly():
                out.backward()
    inp = torch.rand(size, requires_grad=True)
    out = MyFunc.apply(inp, inp, False)
    with pytest.raises(
        RuntimeError, match="Function 'MyFuncBackward' returned nan values in its 1th output."
    ):
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            with torch.autograd.detect_anomaly():
                out.backward()


# test_anomaly_grad_warnings
def test_anomaly_mode_no_check_nan() -> None:
    class MyFunc(Function):
        @staticmethod
        def forward(ctx, inp):
            return inp.clone()

        @staticmethod
        def backward(ctx, gO):
            return torch.tensor(float("nan")).expand(10, 10)

    def run_fn(a):
        out = MyFunc.apply(a)
        return out.sum()

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        with torch.autograd.detect_anomaly(check_nan=False):
            inp = torch.rand(10, 10, requires_grad=True)
            out = run_fn(inp)
            out.backward(retain_graph=True)
            with torch.autograd.detect_anomaly(check_nan=True):
                with pytest.raises(RuntimeError, match="returned nan values in its 0th output"):
                    out.backward(retain_graph=True)
            out.backward()


# test_no_grad_copy (the gradient buffer a Function receives may be stolen)
def test_grad_accumulator_object_is_stable() -> None:
    x = torch.randn(3, requires_grad=True)
    a1 = (x * 1).grad_fn.next_functions[0][0]
    a2 = (x * 2).grad_fn.next_functions[0][0]
    assert a1 is a2
    assert a1.variable is x


# test_gradcheck_single_input
def test_gradcheck_single_input() -> None:
    def check(fast_mode):
        def f(inp):
            return inp.mul(5)

        assert torch.autograd.gradcheck(
            f, torch.rand(10, dtype=torch.float64, requires_grad=True), fast_mode=fast_mode
        )
        assert torch.autograd.gradgradcheck(
            f, torch.rand(10, dtype=torch.float64, requires_grad=True), fast_mode=fast_mode
        )

    check(fast_mode=True)
    check(fast_mode=False)


# test_gradcheck_nondeterministic / test_gradcheck_validates_inputs (raise_exception=False)
def test_gradcheck_wrong_backward_raise_exception_false() -> None:
    class Wrong(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    x = torch.rand(4, dtype=torch.float64, requires_grad=True)
    assert not torch.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False)
    with pytest.raises(Exception, match="Jacobian mismatch for output 0 with respect to input 0"):
        torch.autograd.gradcheck(Wrong.apply, (x,))


# test_gradcheck_validates_input_layout analog: float32 inputs warn
def test_gradcheck_float32_input_warns() -> None:
    x = torch.rand(3, requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        torch.autograd.gradcheck(lambda t: t * 2, (x,), eps=1e-2, atol=1e-2)
    assert any("double precision floating point" in str(m.message) for m in w)


# test_inplace_on_view_weak_grad_fn
def test_inplace_on_view_weak_grad_fn() -> None:
    a = torch.arange(10.0, requires_grad=True)
    b = a.narrow(0, 0, 2).clone().view(-1)
    b.relu_()
    c = b.clone()
    del b
    gc.collect()
    s = c.sum()
    s.backward()
    close(s, torch.tensor(1.0))


# test_grad_fn_attr_bindings (the non-elementwise nodes' accessors)
def test_grad_fn_attr_bindings_reductions_and_joins() -> None:
    a = torch.ones(2, requires_grad=True)
    b = torch.zeros(2, requires_grad=True)
    out = torch.stack([a, b], dim=0)
    assert out.grad_fn._saved_dim == 0
    # PyTorch 2.13: the dim as passed, an int64 read as uint64 (-1 -> 2**64 - 1)
    assert torch.stack([a, b], dim=-1).grad_fn._saved_dim == 2**64 - 1
    assert torch.stack([a, b], dim=1).grad_fn._saved_dim == 1
    assert torch.cat([a, b], dim=-1).grad_fn._saved_dim == 2**64 - 1
    assert torch.cat([a, b]).grad_fn._saved_dim == 0
    assert [n for n in dir(torch.cat([a, b]).grad_fn) if n.startswith("_saved_")] == ["_saved_dim"]
    y = torch.randn(3, 3, requires_grad=True).sum(-1)
    assert y.grad_fn._saved_keepdim is False


# test_detach_ (the in-place views' custom Function message, recording)
def test_inplace_on_custom_function_view_output_recorded() -> None:
    a = torch.rand(1, 2, requires_grad=True).clone()
    view = ViewAs.apply(a)
    with pytest.raises(RuntimeError, match="Output 0 of ViewAs is a view and is being modified"):
        view.mul_(2)
    plain = ViewAs.apply(torch.rand(1, 2))
    plain.mul_(2)  # nothing requires grad: nothing to refuse
    with torch.no_grad():
        plain.add_(torch.ones(2, requires_grad=True))


# test_indexing (a list of sequences is a tuple of indices, with PyTorch's warning)
def test_list_of_sequences_key_is_a_tuple() -> None:
    y = torch.arange(16.0).view(4, 4)
    with pytest.warns(UserWarning, match="Using a non-tuple sequence for multidimensional"):
        got = y[[[1, 2], [0, 0]]]
    close(got, torch.tensor([4.0, 8.0]))
    close(y[[1, 2]], y[1:3])  # a flat list stays one index
    with pytest.warns(UserWarning):
        close(y[[1, slice(None)]], y[1])
