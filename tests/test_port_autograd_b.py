"""More cases ported from PyTorch's test/test_autograd.py (TestAutograd, TestAutogradFunctional,
TestAutogradInferenceMode, the saved-tensor-hooks and checkpoint tests), each named after the
PyTorch test it comes from. Expected values are analytic; messages are PyTorch 2.13's. The
file runs unchanged against real PyTorch (``jitgrad`` mapped to ``torch``), which is how the
expectations were checked."""

from __future__ import annotations

import pytest
from port_helpers import close

import jitgrad as torch

Function = torch.autograd.Function
AF = torch.autograd.functional


# test_backward_badcalls / test_grad_badcalls
def test_backward_badcalls() -> None:
    x = torch.ones(1)
    with pytest.raises(RuntimeError, match="does not require grad"):
        x.backward()
    y = torch.ones(2, requires_grad=True) * 2
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        y.backward()
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        torch.autograd.grad(y, y.grad_fn.next_functions[0][0].variable)


# test_grad_badcalls (integer outputs, mismatched numbers of grads)
def test_grad_badcalls() -> None:
    x = torch.ones(1)
    y = x**2
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.autograd.grad(x, y)
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.autograd.grad(y, x)
    x = torch.ones(1, requires_grad=True)
    y = x**2
    torch.autograd.grad(y, x)  # this should succeed now
    a = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="got 2 tensors and 1 gradients"):
        torch.autograd.grad([a * 2, a * 3], a, grad_outputs=[torch.ones(2)])


# test_grad_empty_inputs
def test_grad_empty_inputs() -> None:
    x = torch.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="`inputs` argument to `grad\\(\\)` cannot be empty."):
        torch.autograd.grad(2 * x, [], grad_outputs=torch.tensor([1.0]))


# test_grad_to_node / test_grad_to_node_set (outputs given as a list, inputs as a tuple)
def test_grad_inputs_outputs_as_sequences() -> None:
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    gx, gy = torch.autograd.grad([x * y, x + y], (x, y))
    assert gx.item() == 4.0 and gy.item() == 3.0


# test_grad_batched_grad (is_grads_batched: one vjp per row of the grad outputs)
def test_grad_batched_grad() -> None:
    x = torch.randn(2, 2, requires_grad=True)
    out = x.clone()
    batched_grad = torch.arange(3.0).expand(2, 2, 3).transpose(0, 2)
    (grad,) = torch.autograd.grad(out, (x,), (batched_grad,), is_grads_batched=True)
    close(grad, torch.arange(3.0).expand(2, 2, 3).transpose(0, 2))


# test_inference_mode_context_manager / test_inference_mode_decorator
def test_inference_mode() -> None:
    x = torch.ones(2, requires_grad=True)
    with torch.inference_mode():
        y = x * 2
        assert torch.is_inference_mode_enabled()
        assert not torch.is_grad_enabled()
    assert not torch.is_inference_mode_enabled()
    assert y.is_inference() and not y.requires_grad
    assert not x.is_inference()

    @torch.inference_mode()
    def f(t):
        return t * 3

    assert f(x).is_inference()
    with torch.inference_mode(mode=False):
        z = x * 2
    assert not z.is_inference() and z.requires_grad


# test_inference_mode_inf_tensor_in_normal_mode_inplace_op
def test_inference_tensor_inplace_outside_refused() -> None:
    with torch.inference_mode():
        t = torch.ones(2)
    with pytest.raises(
        RuntimeError, match="Inplace update to inference tensor outside InferenceMode"
    ):
        t.add_(1)
    with pytest.raises(
        RuntimeError, match="Inplace update to inference tensor outside InferenceMode"
    ):
        t[0] = 2


# test_inference_mode_inf_tensor_in_normal_mode_functional_op (usable out of place)
def test_inference_tensor_functional_outside() -> None:
    with torch.inference_mode():
        t = torch.ones(2)
    out = t * 2
    assert not out.is_inference()


# test_inference_mode_inf_tensor_in_normal_mode_functional_op (saving one for backward)
def test_inference_tensor_cannot_be_saved_for_backward() -> None:
    with torch.inference_mode():
        t = torch.ones(2)
    w = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
        (w * t).sum().backward()


# test_saved_tensor_hooks_custom_function_intermediates / test_default_saved_variable_hooks
def test_saved_tensors_hooks_pack_unpack_counts() -> None:
    packed = []
    unpacked = []

    def pack(t):
        packed.append(t)
        return t.clone()

    def unpack(t):
        unpacked.append(t)
        return t

    a = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = a * a
    assert len(packed) == 2
    y.sum().backward()
    assert len(unpacked) == 2
    close(a.grad, torch.tensor([2.0, 4.0]))


# test_pack_hook_with_inplace_modification_should_fail
def test_pack_hook_with_inplace_modification_should_fail() -> None:
    a = torch.randn(5, requires_grad=True)

    def inc(x):
        x += 1
        return x

    with torch.autograd.graph.saved_tensors_hooks(inc, lambda x: x):
        with pytest.raises(
            RuntimeError,
            match="A saved tensor pack hook is modifying its input in place. Tensors provided as "
            "input to pack hook cannot be modified by in-place operations as this can lead to "
            "unexpected side-effects. Please open an issue if you need to perform in-place "
            "operations on the input to a pack hook.",
        ):
            a.exp()


# test_saving_variable_to_disk / save_on_cpu values
def test_save_on_cpu_same_grads() -> None:
    a = torch.randn(4, requires_grad=True)
    with torch.autograd.graph.save_on_cpu():
        y = (a.exp() * a).sum()
    y.backward()
    close(a.grad, a.exp() * (a + 1), tol=1e-5)


# test_checkpoint (values and grads equal to the plain run, use_reentrant False)
@pytest.mark.parametrize("use_reentrant", [False, True])
def test_checkpoint(use_reentrant) -> None:
    from jitgrad.utils.checkpoint import checkpoint

    def run(t):
        return (t.sin() * t).sum(1).exp()

    x = torch.randn(3, 4, requires_grad=True)
    y = checkpoint(run, x, use_reentrant=use_reentrant)
    y.sum().backward()
    g = x.grad.clone()
    x.grad = None
    run(x).sum().backward()
    close(g, x.grad, tol=1e-6)


# test_checkpointing_without_reentrant_input_requires_grad_False
def test_checkpoint_non_reentrant_input_without_grad() -> None:
    from jitgrad.utils.checkpoint import checkpoint

    w = torch.randn(3, requires_grad=True)
    x = torch.randn(3)
    out = checkpoint(lambda t: (t * w).exp(), x, use_reentrant=False)
    out.sum().backward()
    close(w.grad, x * (x * w).exp(), tol=1e-6)


# ---- autograd.functional (TestAutogradFunctional) -----------------------------------------------
# test_vjp_err_check
def test_vjp_err_check() -> None:
    def foo(a):
        return 3 * a.narrow(0, 0, 3)

    def bar(a):
        return 3 * a.narrow(0, 0, 3), "bar"

    inp = torch.rand(4)
    v = torch.ones(3)
    with pytest.raises(TypeError, match="The inputs given to vjp must be either a Tensor"):
        AF.vjp(foo, (inp, 2), v)
    with pytest.raises(
        TypeError, match="The outputs of the user-provided function given to vjp must"
    ):
        AF.vjp(bar, inp, v)
    with pytest.raises(
        RuntimeError, match="The vector v can only be None if the user-provided function returns"
    ):
        AF.vjp(foo, inp)
    with pytest.raises(RuntimeError, match="The given v should contain a single Tensor."):
        AF.vjp(foo, inp, (torch.ones_like(inp), torch.ones_like(inp)))
    with pytest.raises(RuntimeError, match="v has invalid size: should be torch.Size"):
        AF.vjp(foo, inp, v[:2])
    res = AF.vjp(foo, inp, v)[1]
    close(res, torch.tensor([3.0, 3.0, 3.0, 0.0]))


# test_vjp_err_check_strict
def test_vjp_strict() -> None:
    def foo(a):
        return a.detach()

    def bar(a):
        return a.long().float().requires_grad_().clone()

    inp = torch.rand(4)
    v = torch.rand(4)
    with pytest.raises(
        RuntimeError, match="Output 0 of the user-provided function does not require gradients."
    ):
        AF.vjp(foo, inp, v, strict=True)
    res = AF.vjp(foo, inp, v, strict=False)
    close(res[1], torch.zeros(4))
    with pytest.raises(
        RuntimeError, match="The output of the user-provided function is independent of input 0"
    ):
        AF.vjp(bar, inp, v, strict=True)
    res = AF.vjp(bar, inp, v, strict=False)
    close(res[1], torch.zeros(4))


# test_jacobian_err_check / jacobian values and vectorize
def test_jacobian() -> None:
    def exp_reducer(x):
        return x.exp().sum(dim=1)

    inputs = torch.rand(4, 4)
    res = AF.jacobian(exp_reducer, inputs)
    assert res.shape == (4, 4, 4)
    for i in range(4):
        close(res[i, i], inputs[i].exp())
        for j in range(4):
            if i != j:
                close(res[i, j], torch.zeros(4))
    res_v = AF.jacobian(exp_reducer, inputs, vectorize=True)
    close(res_v, res)

    def two(x, y):
        return 2 * x + y, x * y

    x, y = torch.rand(2), torch.rand(2)
    (jxx, jxy), (jyx, jyy) = AF.jacobian(two, (x, y))
    close(jxx, 2 * torch.eye(2))
    close(jxy, torch.eye(2))
    close(jyx, torch.diag(y))
    close(jyy, torch.diag(x))
    with pytest.raises(TypeError, match="The inputs given to jacobian must be either a Tensor"):
        AF.jacobian(exp_reducer, (inputs, 2))


# test_hessian / hvp / vhp / jvp values
def test_hessian_hvp_vhp_jvp() -> None:
    def pow_reducer(x):
        return x.pow(3).sum()

    inputs = torch.rand(2, 2)
    res = AF.hessian(pow_reducer, inputs)
    assert res.shape == (2, 2, 2, 2)
    expected = torch.zeros(2, 2, 2, 2)
    for i in range(2):
        for j in range(2):
            expected[i, j, i, j] = 6 * inputs[i, j]
    close(res, expected, tol=1e-5)
    v = torch.ones(2, 2)
    out, hvp = AF.hvp(pow_reducer, inputs, v)
    close(out, inputs.pow(3).sum(), tol=1e-5)
    close(hvp, 6 * inputs, tol=1e-5)
    out, vhp = AF.vhp(pow_reducer, inputs, v)
    close(vhp, 6 * inputs, tol=1e-5)
    out, jvp = AF.jvp(lambda t: t.sin(), inputs, v)
    close(jvp, inputs.cos(), tol=1e-6)
    with pytest.raises(
        RuntimeError,
        match="The Tensor returned by the function given to hessian should contain a single "
        "element",
    ):
        AF.hessian(lambda t: t * 2, inputs)


# test_jacobian_create_graph
def test_jacobian_create_graph() -> None:
    def exp_reducer(x):
        return x.exp().sum(dim=1)

    inputs = torch.rand(4, 4, dtype=torch.double, requires_grad=True)
    res = AF.jacobian(exp_reducer, inputs, create_graph=True)
    assert res.grad_fn is not None
    res.sum().backward()
    close(inputs.grad, inputs.exp(), tol=1e-10)


# ---- Function details ------------------------------------------------------------------------
# test_once_differentiable
def test_once_differentiable() -> None:
    from jitgrad.autograd.function import once_differentiable

    class MyFunction(Function):
        @staticmethod
        def forward(ctx, tensor1, pyscalar, tensor2):
            ctx.pyscalar = pyscalar
            ctx.save_for_backward(tensor1, tensor2)
            return tensor1 + pyscalar * tensor2 + tensor1 * tensor2

        @staticmethod
        @once_differentiable
        def backward(ctx, grad_output):
            assert not torch.is_grad_enabled()
            t1, t2 = ctx.saved_tensors
            return (
                grad_output + grad_output * t2,
                None,
                grad_output * ctx.pyscalar + grad_output * t1,
            )

    x = torch.randn(5, 5, requires_grad=True)
    y = torch.randn(5, 5, requires_grad=True)
    result = MyFunction.apply(x, 2, y)
    go = torch.ones((), requires_grad=True)
    result.sum().backward(go, create_graph=True)
    close(x.grad, y + torch.ones(5, 5))
    close(y.grad, x + torch.ones(5, 5) * 2)
    assert type(x.grad.grad_fn).__name__ == "CopyBackwards"
    assert type(x.grad.grad_fn.next_functions[1][0]).__name__ == "Error"
    with pytest.raises(
        RuntimeError,
        match="trying to differentiate twice a function that was marked with @once_differentiable",
    ):
        x.grad.sum().backward()


# test_function (the gradients are differentiable with create_graph)
def test_function_create_graph() -> None:
    class MyFunction(Function):
        @staticmethod
        def forward(ctx, tensor1, pyscalar, tensor2):
            ctx.pyscalar = pyscalar
            ctx.save_for_backward(tensor1, tensor2)
            return tensor1 + pyscalar * tensor2 + tensor1 * tensor2

        @staticmethod
        def backward(ctx, grad_output):
            var1, var2 = ctx.saved_tensors
            return (
                grad_output + grad_output * var2,
                None,
                grad_output * ctx.pyscalar + grad_output * var1,
            )

    x = torch.randn(5, 5, requires_grad=True)
    y = torch.randn(5, 5, requires_grad=True)
    result = MyFunction.apply(x, 2, y)
    go = torch.ones((), requires_grad=True)
    result.sum().backward(go, create_graph=True)
    close(x.grad, y + torch.ones(5, 5))
    assert x.grad.grad_fn is not None and y.grad.grad_fn is not None


# test_legacy_function_deprecation_exception
def test_legacy_function_raises() -> None:
    class MyFunction(Function):
        def forward(self, x):
            return x

        def backward(self, grad_output):
            return grad_output

    with pytest.raises(
        RuntimeError, match="Legacy autograd function with non-static forward method is deprecated"
    ):
        MyFunction()(torch.randn(3, 4))


# test_custom_function_error (backward not implemented)
def test_custom_function_missing_backward() -> None:
    class BadFw(Function):
        @staticmethod
        def backward(ctx, foo):
            return foo

    class BadBw(Function):
        @staticmethod
        def forward(ctx, foo):
            return foo.clone()

    inp = torch.rand(1, requires_grad=True)
    with pytest.raises(
        NotImplementedError,
        match="You must implement the forward function for custom autograd.Function.",
    ):
        BadFw.apply(inp)
    with pytest.raises(
        NotImplementedError,
        match="You must implement either the backward or vjp method for your custom "
        "autograd.Function to use it with backward mode AD.",
    ):
        BadBw.apply(inp).sum().backward()


# test_saved_variables_deprecated / test_save_output_nr
def test_saved_tensors_of_output() -> None:
    class MultiOutputFn(Function):
        @staticmethod
        def forward(ctx, x):
            return x[:1], x[1:]

        @staticmethod
        def backward(ctx, *grads):
            return torch.cat(grads)

    class TestFn(Function):
        @staticmethod
        def forward(ctx, x, b):
            ctx.save_for_backward(b)
            return x * b

        @staticmethod
        def backward(ctx, grad_output):
            (b,) = ctx.saved_tensors
            assert b.output_nr == 1
            return grad_output * b, None

    a = torch.randn(5, requires_grad=True)
    _, b = MultiOutputFn.apply(a)
    assert b.output_nr == 1
    TestFn.apply(b, b).sum().backward()


# test_set_materialize_non_diff_grads
def test_set_materialize_non_diff_grads() -> None:
    class Func(Function):
        @staticmethod
        def forward(ctx, x):
            out0 = x.clone()
            out1 = x.clone()
            ctx.mark_non_differentiable(out1)
            ctx._materialize_non_diff_grads = False
            return out0, out1

        @staticmethod
        def backward(ctx, g0, g1):
            assert g1 is None
            return g0

    a = torch.tensor(1.0, requires_grad=True)
    out = Func.apply(a)[0]
    out.backward()


# test_needs_input_grad
def test_needs_input_grad() -> None:
    seen = []

    class Fn(Function):
        @staticmethod
        def forward(ctx, a, b, c):
            return a * b * c

        @staticmethod
        def backward(ctx, g):
            seen.append(ctx.needs_input_grad)
            return g, g, None

    x = torch.ones(2, requires_grad=True)
    y = torch.ones(2)
    Fn.apply(x, y, 3).sum().backward()
    assert seen == [(True, False, False)]


# test_accumulate_grad_with_zero_numel_grad
def test_accumulate_grad_with_zero_numel_grad() -> None:
    a = torch.rand(4, 0, requires_grad=True)
    b = torch.rand(4, 1, requires_grad=True)
    c = a + b
    assert c.shape == (4, 0)
    c.sum().backward()
    close(b.grad, torch.zeros(4, 1))
    close(a.grad, torch.zeros(4, 0))


# test_grad_nonleaf_register_hook with retain_grad and create_graph (grad accumulation chain)
def test_create_graph_grad_accumulation_is_out_of_place() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x**2).sum().backward(create_graph=True)
    g1 = x.grad
    (x**2).sum().backward(create_graph=True)
    assert x.grad is not g1
    close(x.grad, 4 * x)
    assert x.grad.grad_fn is not None


# test_leaf_grad_assignment errors (.grad of a wrong shape or type)
def test_grad_assignment_checks() -> None:
    x = torch.randn(4, 2, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"attempting to assign a gradient of size '\[2, 2\]' to a tensor of size "
        r"'\[4, 2\]'. Please ensure that the gradient and the tensor are the same size",
    ):
        x.grad = torch.randn(2, 2)
    with pytest.raises(
        RuntimeError,
        match="attempting to assign a gradient with dtype 'double' to a tensor with grad_dtype "
        "'Float'",
    ):
        x.grad = torch.randn(4, 2).double()
    with pytest.raises(
        TypeError, match="assigned grad expected to be a Tensor or None but got grad of type int"
    ):
        x.grad = 0
    x.grad = torch.zeros(4, 2)
    x.grad = None
    assert x.grad is None
