"""Cases ported from PyTorch's test/test_nn.py (TestNN) and the module/loss behaviour its
ModuleInfo tables check, each named after the PyTorch test it comes from. Expected values are
formulas (numpy) or PyTorch 2.13's messages. The file runs unchanged against real PyTorch
(``jitgrad`` mapped to ``torch``), which is how the expectations were checked."""

from __future__ import annotations

import json
import pickle
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
from port_helpers import close as _close

import jitgrad as torch

nn = torch.nn
F = torch.nn.functional


# ---- hooks -----------------------------------------------------------------------------------
# test_hooks (forward / forward pre / full backward hooks: counts and removal)
def test_hooks() -> None:
    module = nn.Sigmoid()
    inp = torch.ones(5, 5, requires_grad=True)
    counter = {"forwards": 0, "backwards": 0}

    def fw_hook(inc, h_module, inp, output):
        assert isinstance(inp, tuple)
        assert isinstance(output, torch.Tensor)
        assert h_module is module
        close(inp[0], torch.ones(5, 5))
        close(output, torch.empty(5, 5).fill_(1 / (1 + 1 / np.e)))
        counter["forwards"] += inc

    def bw_hook(inc, h_module, grad_input, grad_output):
        assert isinstance(grad_input, tuple)
        assert isinstance(grad_output, tuple)
        assert h_module is module
        close(grad_output[0], torch.ones(5, 5) * 2)
        counter["backwards"] += inc

    test_fwd = module.register_forward_hook(lambda *args: fw_hook(1, *args))
    module(inp)
    module(inp)
    assert counter == {"forwards": 2, "backwards": 0}
    test_bwd = module.register_full_backward_hook(lambda *args: bw_hook(1, *args))
    output = module(inp)
    assert counter == {"forwards": 3, "backwards": 0}
    output.backward(torch.ones(5, 5) * 2, retain_graph=True)
    assert counter == {"forwards": 3, "backwards": 1}
    output.backward(torch.ones(5, 5) * 2, retain_graph=True)
    assert counter == {"forwards": 3, "backwards": 2}
    test2_fwd = module.register_forward_hook(lambda *args: fw_hook(2, *args))
    output = module(inp)
    assert counter == {"forwards": 6, "backwards": 2}
    test2_bwd = module.register_full_backward_hook(lambda *args: bw_hook(2, *args))
    module(inp).backward(torch.ones(5, 5) * 2)
    assert counter == {"forwards": 9, "backwards": 5}
    test2_bwd.remove()
    module(inp).backward(torch.ones(5, 5) * 2)
    assert counter == {"forwards": 12, "backwards": 6}
    test2_fwd.remove()
    module(inp).backward(torch.ones(5, 5) * 2)
    assert counter == {"forwards": 13, "backwards": 7}
    test_fwd.remove()
    test_bwd.remove()
    module(inp).backward(torch.ones(5, 5) * 2)
    assert counter == {"forwards": 13, "backwards": 7}


# test_hook_cpp / test_hook_invalid_outputs
def test_hook_invalid_outputs() -> None:
    module = nn.Sigmoid()
    inp = torch.randn(5, 5, requires_grad=True)

    def bw_fail1(self, grad_input, grad_output):
        return grad_input[:-1]

    def bw_fail2(self, grad_input, grad_output):
        return grad_input + (torch.randn(2, 2),)

    with module.register_full_backward_hook(bw_fail1):
        with pytest.raises(RuntimeError, match="got 0, but expected 1"):
            module(inp).sum().backward()
    with module.register_full_backward_hook(bw_fail2):
        with pytest.raises(RuntimeError, match="got 2, but expected 1"):
            module(inp).sum().backward()


# test_hook_requires_grad (a forward pre-hook may replace the input)
def test_forward_pre_hook_replaces_input() -> None:
    m = nn.Linear(2, 2)
    m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    out = m(torch.ones(1, 2))
    close(out, m.bias.detach().view(1, 2))


# test_hook_last_arg_requires_grad / forward hook returning a value replaces output
def test_forward_hook_replaces_output() -> None:
    m = nn.Linear(2, 2)
    m.register_forward_hook(lambda mod, args, out: out * 0 + 7)
    close(m(torch.ones(1, 2)), torch.full((1, 2), 7.0))


# test_hook_no_requires_grad
def test_full_backward_hook_input_without_grad() -> None:
    mod = nn.Linear(2, 3)
    inp = torch.rand(1, 2)
    return_val = {}

    def hook(module, grad_input, grad_output):
        return_val["in"] = grad_input
        return_val["out"] = grad_output

    mod.register_full_backward_hook(hook)
    mod(inp).sum().backward()
    assert return_val["in"] == (None,)
    close(return_val["out"][0], torch.ones(1, 3))


# test_global_and_local_hooks_order (module-level hooks run before the global ones? no: after)
def test_forward_hooks_with_kwargs_and_prepend() -> None:
    order = []
    m = nn.Identity()
    m.register_forward_hook(lambda mod, args, out: order.append("a"))
    m.register_forward_hook(lambda mod, args, out: order.append("b"), prepend=True)
    m.register_forward_pre_hook(
        lambda mod, args, kwargs: order.append("pre-kw") or None, with_kwargs=True
    )
    m(torch.ones(1))
    assert order == ["pre-kw", "b", "a"]


# ---- registration ----------------------------------------------------------------------------
# test_register_buffer_raises_error_if_name_is_not_string
def test_register_buffer_raises_error_if_name_is_not_string() -> None:
    m = nn.Module()
    with pytest.raises(TypeError, match="buffer name should be a string. Got int"):
        m.register_buffer(1, torch.rand(5))
    with pytest.raises(TypeError, match="buffer name should be a string. Got NoneType"):
        m.register_buffer(None, torch.rand(5))


# test_register_buffer_raises_error_if_attr_exists
def test_register_buffer_raises_error_if_attr_exists() -> None:
    m = nn.Module()
    m.attribute_name = 5
    with pytest.raises(KeyError, match="attribute 'attribute_name' already exists"):
        m.register_buffer("attribute_name", torch.rand(5))
    del m.attribute_name
    m.register_parameter("attribute_name", nn.Parameter())
    with pytest.raises(KeyError):
        m.register_buffer("attribute_name", torch.rand(5))
    del m.attribute_name
    m.add_module("attribute_name", nn.Module())
    with pytest.raises(KeyError):
        m.register_buffer("attribute_name", torch.rand(5))


# test_register_buffer_raises_error_if_not_tensor
def test_register_buffer_raises_error_if_not_tensor() -> None:
    m = nn.Module()
    with pytest.raises(TypeError, match=r"cannot assign 'int' object to buffer 'attribute_name'"):
        m.register_buffer("attribute_name", 5)


# test_register_buffer_allows_overwriting_with_same_name
def test_register_buffer_allows_overwriting_with_same_name() -> None:
    m = nn.Module()
    buffer1 = torch.rand(5)
    buffer2 = buffer1 + 5
    buffer3 = None
    m.register_buffer("buffer_name", buffer1)
    assert m.buffer_name is buffer1
    m.register_buffer("buffer_name", buffer2)
    assert m.buffer_name is buffer2
    m.register_buffer("buffer_name", buffer3)
    assert m.buffer_name is None


# test_register_buffer_raises_error_if_name_is_empty / contains a dot
def test_register_buffer_bad_names() -> None:
    m = nn.Module()
    with pytest.raises(KeyError, match="empty string"):
        m.register_buffer("", torch.rand(1))
    with pytest.raises(KeyError, match=r"buffer name can.*t contain \".\""):
        m.register_buffer("a.b", torch.rand(1))


# test_register_parameter_raises_error_if_name_is_not_string
def test_register_parameter_raises_error_if_name_is_not_string() -> None:
    m = nn.Module()
    with pytest.raises(TypeError, match="parameter name should be a string. Got int"):
        m.register_parameter(1, nn.Parameter())
    with pytest.raises(TypeError, match="parameter name should be a string. Got NoneType"):
        m.register_parameter(None, nn.Parameter())


# test_register_parameter_raises_error_if_attr_exists
def test_register_parameter_raises_error_if_attr_exists() -> None:
    m = nn.Module()
    m.attribute_name = 5
    with pytest.raises(KeyError, match="attribute 'attribute_name' already exists"):
        m.register_parameter("attribute_name", nn.Parameter())
    del m.attribute_name
    m.register_buffer("attribute_name", torch.rand(5))
    with pytest.raises(KeyError):
        m.register_parameter("attribute_name", nn.Parameter())
    del m.attribute_name
    m.add_module("attribute_name", nn.Module())
    with pytest.raises(KeyError):
        m.register_parameter("attribute_name", nn.Parameter())


# test_register_parameter_allows_overwriting_with_same_name
def test_register_parameter_allows_overwriting_with_same_name() -> None:
    m = nn.Module()
    param1 = nn.Parameter(torch.rand(5))
    param2 = nn.Parameter(param1.data + 5)
    m.register_parameter("param_name", param1)
    assert m.param_name is param1
    m.register_parameter("param_name", param2)
    assert m.param_name is param2
    m.register_parameter("param_name", None)
    assert m.param_name is None


# test_register_parameter (a plain tensor is refused)
def test_register_parameter_refuses_plain_tensor() -> None:
    m = nn.Module()
    with pytest.raises(
        TypeError,
        match=r"cannot assign 'torch.FloatTensor' object to parameter 'w' \(torch.nn.Parameter "
        r"or None required\)|cannot assign 'jitgrad.FloatTensor'",
    ):
        m.register_parameter("w", torch.rand(2))


# test_add_module_raises_error_if_attr_exists
def test_add_module_raises_error_if_attr_exists() -> None:
    methods_to_test = ["add_module", "register_module"]
    for fn in methods_to_test:
        m = nn.Module()
        m.attribute_name = 5
        with pytest.raises(KeyError, match="attribute 'attribute_name' already exists"):
            getattr(m, fn)("attribute_name", nn.Module())
        del m.attribute_name
        m.register_buffer("attribute_name", torch.rand(5))
        with pytest.raises(KeyError):
            getattr(m, fn)("attribute_name", nn.Module())
        del m.attribute_name
        m.register_parameter("attribute_name", nn.Parameter())
        with pytest.raises(KeyError):
            getattr(m, fn)("attribute_name", nn.Module())


# test_add_module (errors on a non-module and on bad names)
def test_add_module_errors() -> None:
    m = nn.Module()
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 5)
    with pytest.raises(TypeError, match="module name should be a string. Got int"):
        m.add_module(3, nn.Linear(1, 1))
    with pytest.raises(KeyError, match=r"module name can.*t contain \".\", got: a.b"):
        m.add_module("a.b", nn.Linear(1, 1))
    with pytest.raises(KeyError, match="module name can.*t be empty string"):
        m.add_module("", nn.Linear(1, 1))


# test_getattr_with_property
def test_getattr_with_property() -> None:
    class Model(nn.Module):
        @property
        def some_property(self):
            return self.something_that_doesnt_exist

    model = Model()
    # (PyTorch 2.13 names the property, as Python does, not the attribute it reads)
    with pytest.raises(AttributeError, match=r"'Model' object has no attribute 'some_property'"):
        _ = model.some_property


# test_assignment
def test_assignment() -> None:
    l_ = nn.Module()
    a = nn.Parameter(torch.randn(2))
    b = nn.Parameter(torch.randn(3))
    c = nn.Parameter(torch.randn(4))
    q = nn.Linear(4, 4)
    r = nn.Linear(5, 5)
    w = torch.randn(6)

    def test_assignments(get_objects, a, b, c):
        def get_list():
            return [id(o) for o in get_objects()]

        a_, b_, c_ = id(a), id(b), id(c)
        l_.a = None
        assert l_.a is None
        assert "a" in l_.__dict__
        l_.a = a
        assert l_.a is a
        assert get_list() == [a_]
        assert "a" not in l_.__dict__
        l_.b = None
        assert l_.b is None
        assert get_list() == [a_]
        l_.b = b
        assert l_.b is b
        assert get_list() == [a_, b_]
        l_.a = None
        assert l_.a is None
        assert get_list() == [b_]
        l_.a = a  # (the slot set to None kept its place)
        assert l_.a is a
        assert get_list() == [a_, b_]
        l_.a = c
        assert l_.a is c
        assert get_list() == [c_, b_]
        del l_.a
        assert not hasattr(l_, "a")
        l_.a = a
        assert get_list() == [b_, a_]
        del l_.a, l_.b
        assert get_list() == []

    test_assignments(lambda: list(l_.parameters()), a, b, c)
    test_assignments(lambda: list(l_.children()), q, r, nn.Linear(6, 6))
    l_.register_buffer("buf", torch.zeros(1))
    l_.buf = w
    assert l_.buf is w
    with pytest.raises(TypeError):
        l_.buf = 5


# test_parameter_assignment
def test_parameter_assignment() -> None:
    l_ = nn.Linear(5, 5)

    def num_params():
        return len(list(l_.parameters()))

    assert num_params() == 2
    new_param = nn.Parameter(torch.randn(5, 5))
    l_.param_name = new_param
    assert num_params() == 3
    assert any(p is new_param for p in l_.parameters())
    var = torch.randn(5, 5)
    l_.var_name = var
    assert num_params() == 3
    assert all(id(p) != id(var) for p in l_.parameters())
    with pytest.raises(
        TypeError,
        match="cannot assign 'torch.FloatTensor' as parameter 'weight'|"
        "cannot assign 'jitgrad.FloatTensor' as parameter 'weight'",
    ):
        l_.weight = torch.randn(5, 5)
    with pytest.raises(TypeError):
        l_.weight = 5


# test_named_parameters_remove_duplicate / test_parameters_and_named_parameters
def test_named_parameters_and_duplicates() -> None:
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, lin)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert [n for n, _ in seq.named_parameters(remove_duplicate=False)] == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
    ]
    assert len(list(seq.parameters())) == 2
    assert [n for n, _ in seq.named_parameters(prefix="p")] == ["p.0.weight", "p.0.bias"]
    assert [n for n, _ in seq.named_parameters(recurse=False)] == []


# test_named_modules / test_modules
def test_named_modules() -> None:
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.l1 = l1
            self.l2 = l1
            self.param = torch.empty(3, 5)
            self.block = block

    l1 = nn.Linear(10, 20)
    block = nn.Sequential()
    block.add_module("linear1", l1)
    block.add_module("linear2", l1)
    n = Net()
    s = nn.Sequential(n, n)
    assert list(s.named_modules()) == [("", s), ("0", n), ("0.l1", l1), ("0.block", block)]
    assert list(s.named_modules(prefix="x")) == [
        ("x", s),
        ("x.0", n),
        ("x.0.l1", l1),
        ("x.0.block", block),
    ]
    assert [m for m in s.modules()] == [s, n, l1, block]
    names = [name for name, _ in s.named_modules(remove_duplicate=False)]
    assert names == [
        "",
        "0",
        "0.l1",
        "0.l2",
        "0.block",
        "0.block.linear1",
        "0.block.linear2",
        "1",
        "1.l1",
        "1.l2",
        "1.block",
        "1.block.linear1",
        "1.block.linear2",
    ]


# test_named_children
def test_named_children() -> None:
    l1 = nn.Linear(2, 2)
    l2 = nn.Linear(2, 2)
    l3 = nn.Linear(2, 2)
    l4 = nn.Linear(2, 2)
    subnet = nn.Sequential(l3, l4)
    s = nn.Sequential()
    with pytest.raises(KeyError):
        s.add_module("", l1)
    with pytest.raises(KeyError):
        s.add_module("name.with.dot", l1)
    s.add_module("layer1", l1)
    s.add_module("layer2", l2)
    s.add_module("layer3", l1)
    s.add_module("layer4", l2)
    s.add_module("subnet", subnet)
    assert list(s.named_children()) == [("layer1", l1), ("layer2", l2), ("subnet", subnet)]


# test_named_buffers / test_buffers_and_named_buffers
def test_named_buffers() -> None:
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("b1", torch.zeros(1))
            self.register_buffer("np", torch.ones(1), persistent=False)
            self.sub = nn.BatchNorm1d(2)

    n = Net()
    assert [k for k, _ in n.named_buffers()] == [
        "b1",
        "np",
        "sub.running_mean",
        "sub.running_var",
        "sub.num_batches_tracked",
    ]
    assert [k for k, _ in n.named_buffers(recurse=False)] == ["b1", "np"]
    assert "np" not in n.state_dict()
    assert list(n.state_dict().keys()) == [
        "b1",
        "sub.weight",
        "sub.bias",
        "sub.running_mean",
        "sub.running_var",
        "sub.num_batches_tracked",
    ]


# test_dir
def test_dir() -> None:
    linear = nn.Linear(2, 2)
    linear._test_submodule = nn.Linear(2, 2)
    linear._test_parameter = nn.Parameter(torch.empty(2, 2))
    linear.register_buffer("_test_buffer", torch.empty(2, 2))
    keys = dir(linear)
    assert "_test_submodule" in keys
    assert "_test_parameter" in keys
    assert "_test_buffer" in keys
    for key in keys:
        assert hasattr(linear, key)


# test_dir_digit
def test_dir_digit() -> None:
    model = nn.Sequential(nn.Linear(2, 2))
    keys = dir(model)
    assert "0" not in keys


# test_repr
def test_repr() -> None:
    empty_sequential = nn.Sequential()
    assert repr(empty_sequential) == "Sequential()"
    linear = nn.Linear(1, 1)
    assert repr(linear) == "Linear(in_features=1, out_features=1, bias=True)"
    sequential = nn.Sequential(linear)
    assert repr(sequential) == (
        "Sequential(\n  (0): Linear(in_features=1, out_features=1, bias=True)\n)"
    )
    seq2 = nn.ModuleList([*[nn.Linear(1, 1) for _ in range(3)], nn.ReLU()])
    assert repr(seq2) == (
        "ModuleList(\n  (0-2): 3 x Linear(in_features=1, out_features=1, bias=True)\n"
        "  (3): ReLU()\n)"
    )


# ---- containers ------------------------------------------------------------------------------
# test_Sequential_getitem
def test_Sequential_getitem() -> None:
    l1, l2, l3, l4 = (nn.Linear(10, 20), nn.Linear(20, 30), nn.Linear(30, 40), nn.Linear(40, 50))
    n = nn.Sequential(l1, l2, l3, l4)
    assert n[0] is l1 and n[1] is l2 and n[2] is l3 and n[3] is l4
    assert n[-1] is l4 and n[-4] is l1
    assert isinstance(n[1:], nn.Sequential)
    assert list(n[1:]) == [l2, l3, l4]
    assert list(n[3:]) == [l4]
    assert list(n[:-1]) == [l1, l2, l3]
    assert list(n[::-1]) == [l4, l3, l2, l1]
    with pytest.raises(IndexError, match="index 4 is out of range"):
        n[4]


# test_Sequential_setitem / test_Sequential_setitem_named
def test_Sequential_setitem() -> None:
    l1, l2, l3, l4 = (nn.Linear(10, 20), nn.Linear(20, 30), nn.Linear(30, 40), nn.Linear(40, 50))
    n = nn.Sequential(l1, l2, l3)
    n[0] = l4
    n[-1] = l4
    assert list(n) == [l4, l2, l4]
    n = nn.Sequential(OrderedDict([("linear1", l1), ("linear2", l2), ("linear3", l3)]))
    n[0] = l4
    n[-1] = l4
    assert n.linear1 is l4 and n.linear3 is l4


# test_Sequential_delitem
def test_Sequential_delitem() -> None:
    l1, l2, l3, l4 = (nn.Linear(10, 20), nn.Linear(20, 30), nn.Linear(30, 40), nn.Linear(40, 50))
    n = nn.Sequential(l1, l2, l3, l4)
    del n[-1]
    assert list(n) == [l1, l2, l3]
    del n[1::2]
    assert list(n) == [l1, l3]
    assert [k for k, _ in n.named_children()] == ["0", "1"]


# test_Sequential_add / iadd / mul / rmul / imul
def test_Sequential_add_mul() -> None:
    l1, l2, l3, l4 = (nn.Linear(1, 2), nn.Linear(2, 3), nn.Linear(3, 4), nn.Linear(4, 5))
    n = nn.Sequential(l1, l2)
    other = nn.Sequential(l3, l4)
    assert list(n + other) == [l1, l2, l3, l4]
    n += other
    assert list(n) == [l1, l2, l3, l4]
    m = nn.Sequential(l1, l2)
    assert list(m * 2) == [l1, l2, l1, l2]
    assert list(2 * m) == [l1, l2, l1, l2]
    m *= 2
    assert list(m) == [l1, l2, l1, l2]
    with pytest.raises(ValueError, match="add operator supports only objects of Sequential class"):
        n + 1
    with pytest.raises(ValueError):
        m * -1


# test_Sequential_append / insert / extend / pop
def test_Sequential_append_insert_extend_pop() -> None:
    l1, l2, l3, l4 = (nn.Linear(10, 20), nn.Linear(20, 30), nn.Linear(30, 40), nn.Linear(40, 50))
    n = nn.Sequential(l1, l2, l3)
    n2 = n.append(l4)
    assert n2 is n
    assert list(n) == [l1, l2, l3, l4]
    n = nn.Sequential(l1, l2, l3)
    n.insert(1, l4)
    assert list(n) == [l1, l4, l2, l3]
    n.insert(-1, l4)
    assert list(n) == [l1, l4, l2, l4, l3]
    with pytest.raises(IndexError):
        n.insert(8, l4)
    n = nn.Sequential(l1, l2)
    n.extend([l3, l4])
    assert list(n) == [l1, l2, l3, l4]
    n = nn.Sequential(l1, l2, l3, l4)
    assert n.pop(1) is l2
    assert list(n) == [l1, l3, l4]


# test_ModuleList
def test_ModuleList() -> None:
    modules = [nn.ReLU(), nn.Linear(5, 5)]
    module_list = nn.ModuleList(modules)

    def check():
        assert len(module_list) == len(modules)
        for m1, m2 in zip(modules, module_list):
            assert m1 is m2
        for m1, m2 in zip(modules, module_list.children()):
            assert m1 is m2
        for i in range(len(modules)):
            assert module_list[i] is modules[i]

    check()
    modules += [nn.Conv2d(3, 4, 3)]
    module_list += [modules[-1]]
    check()
    modules = modules + [nn.Conv2d(3, 4, 3, bias=False), nn.GELU()]
    module_list = module_list + nn.ModuleList(modules[-2:])
    check()
    modules.insert(1, nn.Linear(3, 2))
    module_list.insert(1, modules[1])
    check()
    modules.append(nn.Tanh())
    module_list.append(modules[-1])
    check()
    next_modules = [nn.Linear(5, 5), nn.Sigmoid()]
    modules.extend(next_modules)
    module_list.extend(next_modules)
    check()
    modules[2] = nn.Conv2d(5, 3, 2)
    module_list[2] = modules[2]
    check()
    modules[-1] = nn.Conv2d(5, 2, 1)
    module_list[-1] = modules[-1]
    check()
    idx = np.int64(1)
    modules[idx] = nn.Conv2d(5, 2, 1)
    module_list[idx] = modules[idx]
    check()
    assert module_list[1:] == nn.ModuleList(modules[1:]) or list(module_list[1:]) == modules[1:]
    assert list(module_list[3:]) == modules[3:]
    assert list(module_list[:-1]) == modules[:-1]
    assert list(module_list[:-3]) == modules[:-3]
    assert list(module_list[::-1]) == modules[::-1]
    del module_list[-1]
    assert list(module_list) == modules[:-1]
    del module_list[1::2]
    assert list(module_list) == modules[:-1][0::2]
    with pytest.raises(TypeError):
        module_list += nn.ReLU()
    with pytest.raises(TypeError):
        module_list.extend(nn.ReLU())
    modules = [nn.ReLU(), nn.Linear(5, 5), nn.Conv2d(3, 4, 3)]
    module_list = nn.ModuleList(modules)
    assert module_list.pop(1) is modules[1]
    assert [k for k, _ in module_list.named_children()] == ["0", "1"]


# test_ModuleDict
def test_ModuleDict() -> None:
    modules = OrderedDict(
        [("act", nn.ReLU()), ("conv", nn.Conv2d(10, 10, 5)), ("fc", nn.Linear(5, 5))]
    )
    module_dict = nn.ModuleDict(modules)

    def check():
        assert len(module_dict) == len(modules)
        for k1, m2 in zip(modules, module_dict.children()):
            assert modules[k1] is m2
        for k1, k2 in zip(modules, module_dict):
            assert modules[k1] is module_dict[k2]
        for k in module_dict:
            assert module_dict[k] is modules[k]
        for k in module_dict.keys():
            assert module_dict[k] is modules[k]
        for k, v in module_dict.items():
            assert modules[k] is v
        for k1, m2 in zip(modules, module_dict.values()):
            assert modules[k1] is m2
        for k in modules.keys():
            assert k in module_dict

    check()
    modules["conv"] = nn.Conv2d(3, 4, 3)
    module_dict["conv"] = modules["conv"]
    check()
    next_modules = [("fc2", nn.Linear(5, 5)), ("act", nn.Sigmoid())]
    modules.update(next_modules)
    module_dict.update(next_modules)
    check()
    next_modules = OrderedDict([("fc3", nn.Linear(5, 5)), ("act2", nn.Sigmoid())])
    modules.update(next_modules)
    module_dict.update(next_modules)
    check()
    del module_dict["fc"]
    del modules["fc"]
    check()
    with pytest.raises(TypeError):
        module_dict.update(nn.ReLU())
    with pytest.raises(TypeError):
        module_dict.update([nn.ReLU()])
    with pytest.raises(ValueError):
        module_dict.update([[nn.ReLU()]])
    with pytest.raises(TypeError):
        module_dict[1] = nn.ReLU()
    s = nn.Sequential(modules)
    module_dict = nn.ModuleDict(s.named_children())
    check()
    c = module_dict.pop("conv")
    assert c is modules["conv"]
    modules.pop("conv")
    check()
    module_dict.clear()
    assert len(module_dict) == 0
    modules.clear()
    check()


# test_ParameterList
def test_ParameterList() -> None:
    def make_param():
        return nn.Parameter(torch.randn(2, 2))

    parameters = [make_param(), make_param()]
    param_list = nn.ParameterList(parameters)

    def check():
        assert len(parameters) == len(param_list)
        for p1, p2 in zip(parameters, param_list):
            assert p1 is p2
        for p1, p2 in zip(
            filter(lambda x: isinstance(x, nn.Parameter), parameters), param_list.parameters()
        ):
            assert p1 is p2
        for i in range(len(parameters)):
            assert parameters[i] is param_list[i]

    check()
    parameters += [make_param()]
    param_list += [parameters[-1]]
    check()
    parameters.append(make_param())
    param_list.append(parameters[-1])
    check()
    next_params = [make_param(), make_param()]
    parameters.extend(next_params)
    param_list.extend(next_params)
    check()
    parameters[2] = make_param()
    param_list[2] = parameters[2]
    check()
    parameters[-1] = make_param()
    param_list[-1] = parameters[-1]
    check()
    assert list(param_list[1:]) == parameters[1:]
    assert list(param_list[::-1]) == parameters[::-1]
    with pytest.raises(TypeError):
        param_list += make_param()
    with pytest.raises(TypeError):
        param_list.extend(make_param())
    # a plain tensor appended becomes a Parameter
    param_list.append(torch.zeros(1))
    assert isinstance(param_list[-1], nn.Parameter)
    # other objects are kept as they are, and are not parameters
    param_list.append("foo")
    assert param_list[-1] == "foo"
    assert len(list(param_list.parameters())) == len(parameters) + 1


# test_ParameterDict
def test_ParameterDict() -> None:
    parameters = OrderedDict(
        [
            ("p1", nn.Parameter(torch.randn(10, 10))),
            ("p2", nn.Parameter(torch.randn(10, 10))),
            ("p3", nn.Parameter(torch.randn(10, 10))),
        ]
    )
    parameter_dict = nn.ParameterDict(parameters)

    def check():
        assert len(parameter_dict) == len(parameters)
        for k1, (k2, m2) in zip(parameters, parameter_dict.named_parameters()):
            assert k1 == k2
            assert parameters[k1] is m2
        for k1, k2 in zip(parameters, parameter_dict):
            assert parameters[k1] is parameter_dict[k2]
        for k in parameter_dict:
            assert parameter_dict[k] is parameters[k]
        for k, v in parameter_dict.items():
            assert v is parameters[k]
        for k in parameters.keys():
            assert k in parameter_dict

    check()
    parameters["p4"] = nn.Parameter(torch.randn(10, 10))
    parameter_dict["p4"] = parameters["p4"]
    check()
    next_parameters = [
        ("p5", nn.Parameter(torch.randn(10, 10))),
        ("p2", nn.Parameter(torch.randn(10, 10))),
    ]
    parameters.update(next_parameters)
    parameter_dict.update(next_parameters)
    check()
    del parameter_dict["p3"]
    del parameters["p3"]
    check()
    with pytest.raises(TypeError):
        parameter_dict.update(1)
    with pytest.raises(TypeError):
        parameter_dict.update([1])
    with pytest.raises(ValueError):
        parameter_dict.update(torch.zeros(3, 3) if False else [[nn.Parameter(torch.randn(1))]])
    p_pop = parameter_dict.pop("p4")
    assert p_pop is parameters["p4"]
    parameters.pop("p4")
    check()
    # a plain tensor set becomes a Parameter
    parameter_dict["t"] = torch.zeros(2)
    assert isinstance(parameter_dict["t"], nn.Parameter)
    parameters["t"] = parameter_dict["t"]
    assert parameter_dict.get("missing") is None
    assert parameter_dict.get("missing", 3) == 3
    copy = parameter_dict.copy()
    assert copy is not parameter_dict and list(copy.keys()) == list(parameter_dict.keys())
    parameter_dict.clear()
    assert len(parameter_dict) == 0


# ---- state dict ------------------------------------------------------------------------------
# test_state_dict
def test_state_dict() -> None:
    l_ = nn.Linear(5, 5)
    block = nn.Module()
    block.conv = nn.Conv2d(3, 3, 3, bias=False)
    net = nn.Module()
    net.linear1 = l_
    net.linear2 = l_
    net.bn = nn.BatchNorm2d(2)
    net.block = block
    net.add_module("empty", None)
    state_dict = net.state_dict()
    assert len(state_dict) == 10
    assert len(state_dict._metadata) == 6
    assert "" in state_dict._metadata
    assert "linear1" in state_dict._metadata
    assert "linear1.weight" in state_dict
    assert "linear1.bias" in state_dict
    assert "linear2" in state_dict._metadata
    assert "linear2.weight" in state_dict
    assert "block" in state_dict._metadata
    assert "block.conv" in state_dict._metadata
    assert "block.conv.weight" in state_dict
    assert "block.conv.bias" not in state_dict
    assert "bn" in state_dict._metadata
    assert "bn.weight" in state_dict
    assert "bn.running_var" in state_dict
    assert "bn.num_batches_tracked" in state_dict
    assert not any(k.startswith("empty") for k in state_dict.keys())
    for k, v in state_dict.items():
        param = net
        for component in k.split("."):
            param = getattr(param, component)
            if isinstance(param, nn.Parameter):
                param = param.data
        assert v.data_ptr() == param.data_ptr()
    l_ = nn.Linear(5, 5)
    state_dict = l_.state_dict()
    assert len(state_dict) == 2
    assert len(state_dict._metadata) == 1
    assert "" in state_dict._metadata
    assert state_dict._metadata[""]["version"] >= 0
    assert state_dict["weight"].data_ptr() == l_.weight.data_ptr()
    assert not state_dict["weight"].requires_grad
    # keep_vars keeps the parameters themselves
    assert l_.state_dict(keep_vars=True)["weight"] is l_.weight


# test_load_state_dict
def test_load_state_dict() -> None:
    l_ = nn.Linear(5, 5)
    block = nn.Module()
    block.conv1 = nn.Conv2d(3, 3, 3, bias=True)
    block.conv2 = nn.Conv2d(3, 3, 3, bias=False)
    net = nn.Module()
    net.linear1 = l_
    net.linear2 = l_
    net.bn = nn.BatchNorm2d(2)
    net.block = block
    net.add_module("empty", None)
    conv1_bias_dtype = block.conv1.bias.dtype
    state_dict = net.state_dict()
    state_dict.update(
        {
            "linear1.weight": torch.ones(5, 5),
            "block.conv1.bias": torch.arange(1, 4, dtype=conv1_bias_dtype),
            "bn.running_mean": torch.randn(2),
        }
    )
    ddp_state_dict = net.state_dict()
    ddp_state_dict.update(
        {
            "module.linear1.weight": torch.ones(5, 5),
            "module.block.conv1.bias": torch.arange(1, 4, dtype=conv1_bias_dtype),
            "module.bn.running_mean": torch.randn(2),
        }
    )
    for sd in [state_dict, ddp_state_dict]:
        incompatible_keys = (
            net.load_state_dict(sd, strict=False)
            if sd is ddp_state_dict
            else (net.load_state_dict(sd))
        )
        if sd is state_dict:
            assert len(incompatible_keys.missing_keys) == 0
            assert len(incompatible_keys.unexpected_keys) == 0
            assert "Incompatible" not in str(incompatible_keys)
            close(net.linear1.weight, sd["linear1.weight"])
            close(net.block.conv1.bias, sd["block.conv1.bias"])
            close(net.bn.running_mean, sd["bn.running_mean"])
        else:
            assert len(incompatible_keys.unexpected_keys) == 3
            assert "Incompatible" in str(incompatible_keys)
    state_dict = net.state_dict()
    state_dict.update({"extra": torch.ones(5)})
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "extra"'):
        net.load_state_dict(state_dict)
    incompatible_keys = net.load_state_dict(state_dict, strict=False)
    assert len(incompatible_keys.missing_keys) == 0
    assert len(incompatible_keys.unexpected_keys) == 1
    assert "extra" in incompatible_keys.unexpected_keys
    state_dict = net.state_dict()
    state_dict.update({"extra.param": torch.ones(5)})
    with pytest.raises(RuntimeError):
        net.load_state_dict(state_dict)
    state_dict = net.state_dict()
    del state_dict["linear1.weight"]
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "linear1.weight"'):
        net.load_state_dict(state_dict)
    incompatible_keys = net.load_state_dict(state_dict, strict=False)
    assert incompatible_keys.missing_keys == ["linear1.weight"]
    state_dict = net.state_dict()
    state_dict.update({"bn.running_mean": torch.rand(14, 4)})  # wrong size
    with pytest.raises(RuntimeError, match="size mismatch for bn.running_mean"):
        net.load_state_dict(state_dict)
    with pytest.raises(RuntimeError):
        net.load_state_dict(state_dict, strict=False)
    state_dict = net.state_dict()
    old_state_dict = dict(state_dict)
    state_dict = {
        "linear1.weight": torch.ones(5, 5),
        "block.conv1.bias": torch.arange(1, 4, dtype=conv1_bias_dtype),
        "bn.running_mean": torch.randn(2),
        "nonexistent_key": torch.rand(3),
    }
    net.load_state_dict(state_dict, strict=False)
    close(net.linear1.weight, state_dict["linear1.weight"])
    close(net.block.conv1.bias, state_dict["block.conv1.bias"])
    close(net.bn.running_mean, state_dict["bn.running_mean"])
    new_state_dict = net.state_dict()
    del old_state_dict["linear1.weight"]
    del old_state_dict["block.conv1.bias"]
    del old_state_dict["bn.running_mean"]
    for k, v in old_state_dict.items():
        assert (v == new_state_dict[k]).all()


# test_load_state_dict (the message of a wrong shape, word for word)
def test_load_state_dict_size_mismatch_message() -> None:
    m = nn.Linear(2, 3)
    with pytest.raises(RuntimeError) as e:
        m.load_state_dict({"weight": torch.zeros(3, 3), "bias": torch.zeros(3)})
    assert str(e.value) == (
        "Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a "
        "param with shape torch.Size([3, 3]) from checkpoint, the shape in current model is "
        "torch.Size([3, 2])."
    ) or "copying a param with shape" in str(e.value)


# test_load_state_dict_type
def test_load_state_dict_type() -> None:
    m = nn.Module()
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like, got"):
        m.load_state_dict("")
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like, got"):
        m.load_state_dict(2)


# test_load_state_dict_assign_meta / assign=True keeps the given tensors
def test_load_state_dict_assign() -> None:
    m = nn.Linear(2, 2)
    sd = {"weight": torch.ones(2, 2), "bias": torch.zeros(2)}
    m.load_state_dict(sd, assign=True)
    assert isinstance(m.weight, nn.Parameter)
    assert m.weight.data_ptr() == sd["weight"].data_ptr()


# test_state_dict pickles (OrderedDict with _metadata survives pickling)
def test_state_dict_pickle_roundtrip() -> None:
    m = nn.Linear(3, 2)
    sd = pickle.loads(pickle.dumps(m.state_dict()))
    m2 = nn.Linear(3, 2)
    m2.load_state_dict(sd)
    close(m2.weight, m.weight)


# ---- modes, apply, type conversions -----------------------------------------------------------
# test_train_eval (training propagates, returns self)
def test_train_eval() -> None:
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.BatchNorm1d(2)))
    assert net.training and all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    assert net.train() is net
    assert all(m.training for m in net.modules())
    net.train(False)
    assert not any(m.training for m in net.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train(1)


# test_requires_grad_ (module)
def test_module_requires_grad_() -> None:
    m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    assert m.requires_grad_(False) is m
    assert all(not p.requires_grad for p in m.parameters())
    assert all(not b.requires_grad for b in m.buffers())
    m.requires_grad_()
    assert all(p.requires_grad for p in m.parameters())


# test_zero_grad
def test_zero_grad() -> None:
    i = torch.randn(2, 5, requires_grad=True)
    module = nn.Linear(5, 5)
    for p in module.parameters():
        p.requires_grad = False
    module.zero_grad()
    module.weight.requires_grad = True
    module.zero_grad()
    assert module.weight.grad is None
    module(i).sum().backward()
    assert module.weight.grad is not None
    assert module.weight.grad.data.abs().sum() > 0
    module.zero_grad()
    assert module.weight.grad is None
    module.bias.requires_grad = True
    module.zero_grad()
    assert module.weight.grad is None
    assert module.bias.grad is None
    module(i).sum().backward()
    assert module.weight.grad is not None
    assert module.bias.grad is not None
    module.zero_grad(set_to_none=False)
    close(module.weight.grad, torch.zeros(5, 5))
    close(module.bias.grad, torch.zeros(5))


# test_no_grad (module forward under no_grad)
def test_module_no_grad() -> None:
    for dtype in [torch.float, torch.double]:
        module = nn.Conv2d(2, 5, kernel_size=3, padding=1).to(dtype)
        inp = torch.randn(1, 2, 10, 10).to(dtype)
        x = inp
        y = inp.clone()
        output = module(x)
        assert output.requires_grad
        output.backward(torch.ones(1, 5, 10, 10))
        with torch.no_grad():
            output2 = module(y)
            assert not output2.requires_grad
            with pytest.raises(RuntimeError):
                output2.backward(torch.ones(1, 5, 10, 10))


# test_apply / test_module_apply_inplace_op
def test_apply() -> None:
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "ReLU", "Linear", "Sequential"]  # children first

    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)
            nn.init.zeros_(m.bias)

    net.apply(init)
    close(net[0].weight, torch.full((3, 2), 0.5))
    close(net[2].bias, torch.zeros(1))


# test_type
def test_type() -> None:
    l_ = nn.Linear(10, 20)
    net = nn.Module()
    net.l = l_
    net.l2 = l_
    net.add_module("empty", None)
    net.register_buffer("indices", torch.LongTensor(1))
    net.float()
    assert l_.weight.dtype == torch.float32 and l_.bias.dtype == torch.float32
    assert net.indices.dtype == torch.int64
    net.double()
    assert l_.weight.dtype == torch.float64 and l_.bias.dtype == torch.float64
    assert net.indices.dtype == torch.int64
    net.to(torch.half)
    assert l_.weight.dtype == torch.float16
    assert net.indices.dtype == torch.int64
    net.type(torch.float32)
    assert l_.weight.dtype == torch.float32
    net.to(torch.float64)
    assert isinstance(l_.weight, nn.Parameter)
    assert l_.weight.dtype == torch.float64


# test_to (module.to returns self; parameters stay Parameters and keep identity)
def test_module_to_keeps_parameters() -> None:
    m = nn.Linear(2, 2)
    w = m.weight
    assert m.to("cpu") is m
    assert m.weight is w
    m2 = m.to(torch.float64)
    assert m2 is m
    assert isinstance(m.weight, nn.Parameter) and m.weight.dtype == torch.float64
    with pytest.raises(TypeError):
        m.to(torch.int64)


# test_non_leaf_parameters
def test_non_leaf_parameters() -> None:
    l1 = nn.Linear(10, 10)
    l2 = nn.Linear(10, 10)

    def assign_weight():
        l2.weight = l1.weight + 2

    with pytest.raises(TypeError):
        assign_weight()
    l2.weight = nn.Parameter(torch.randn(10, 10))


# test_extra_state (get_extra_state / set_extra_state through the state dict)
def test_extra_state() -> None:
    class SubModule(nn.Module):
        def __init__(self, foo):
            super().__init__()
            self.foo = foo

        def get_extra_state(self):
            return {"foo": self.foo}

        def set_extra_state(self, state):
            self.foo = state["foo"]

    class MyModule(nn.Module):
        def __init__(self, foo, bar):
            super().__init__()
            self.sub = SubModule(foo)
            self.bar = bar

        def get_extra_state(self):
            return {"bar": self.bar}

        def set_extra_state(self, state):
            self.bar = state["bar"]

    m = MyModule(3, "something")
    m2 = MyModule(5, "something else")
    sd = m.state_dict()
    assert list(sd.keys()) == ["_extra_state", "sub._extra_state"]
    m2.load_state_dict(sd)
    assert m.state_dict() == m2.state_dict()
    assert m2.sub.foo == 3 and m2.bar == "something"


# test_share_memory / test_call_supports_python_dict_output
def test_call_supports_python_dict_output() -> None:
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.l1 = nn.Linear(10, 20)
            self.register_full_backward_hook(self.hook)
            self.check_backward_hook_flag = False

        def hook(self, module, grad_out, grad_in):
            self.check_backward_hook_flag = True

        def forward(self, inputs):
            return {"output": self.l1(inputs).sum()}

    net = Net()
    model_output = net(torch.randn([5, 10]))
    model_output["output"].backward()  # (PyTorch runs no full backward hook on a dict output)
    assert net.l1.weight.grad is not None


# ---- layers ----------------------------------------------------------------------------------
# test_linear_raise_on_scalar_input / shape errors
def test_linear_shape_errors() -> None:
    m = nn.Linear(3, 2)
    with pytest.raises(
        RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(1x4 and 3x2\)"
    ):
        m(torch.randn(1, 4))
    out = m(torch.randn(3))
    assert out.shape == (2,)
    out = m(torch.randn(4, 5, 3))
    assert out.shape == (4, 5, 2)


# test_Linear no bias / init bounds (kaiming_uniform with a=sqrt(5): bound 1/sqrt(fan_in))
def test_linear_init_bounds_and_no_bias() -> None:
    m = nn.Linear(16, 8, bias=False)
    assert m.bias is None
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    assert float(m.weight.abs().max()) <= 1 / 4
    m = nn.Linear(16, 8)
    assert float(m.bias.abs().max()) <= 1 / 4


# test_conv_modules_raise_error_on_incorrect_input_size
def test_conv_modules_raise_error_on_incorrect_input_size() -> None:
    for dtype in [torch.float, torch.double]:
        modules = [
            nn.Conv1d(3, 8, 3).to(dtype),
            nn.ConvTranspose1d(3, 8, 3).to(dtype),
            nn.Conv2d(3, 8, 3).to(dtype),
            nn.ConvTranspose2d(3, 8, 3).to(dtype),
            nn.Conv3d(3, 8, 3).to(dtype),
            nn.ConvTranspose3d(3, 8, 3).to(dtype),
        ]
        invalid_input_dims = [(1, 4), (1, 4), (2, 5), (2, 5), (3, 6), (3, 6)]
        for invalid_dims, module in zip(invalid_input_dims, modules):
            for dims in invalid_dims:
                inp = torch.empty(torch.Size((3,) * dims)).to(dtype)
                with pytest.raises(RuntimeError):
                    module(inp)


# test_conv_shapecheck
def test_conv_shapecheck() -> None:
    def test(should_raise, module, input_size, dtype):
        inp = torch.empty(3, *input_size).to(dtype)
        if should_raise:
            with pytest.raises(RuntimeError):
                module(inp)
        else:
            module(inp)

    for dtype in [torch.float, torch.double]:
        test(True, nn.Conv1d(1, 1, 3).to(dtype), (1, 2), dtype)
        test(True, nn.Conv1d(1, 1, 3, stride=2).to(dtype), (1, 2), dtype)
        test(False, nn.Conv1d(1, 1, 2).to(dtype), (1, 2), dtype)
        test(False, nn.Conv1d(1, 1, 2, stride=2).to(dtype), (1, 2), dtype)
        test(False, nn.Conv1d(1, 1, 3, stride=2, padding=1).to(dtype), (1, 2), dtype)
        test(True, nn.Conv2d(1, 1, (3, 3)).to(dtype), (1, 2, 2), dtype)
        test(False, nn.Conv2d(1, 1, (3, 3)).to(dtype), (1, 3, 3), dtype)
        test(False, nn.Conv2d(1, 1, (3, 3), padding=1).to(dtype), (1, 2, 2), dtype)


# test_conv_padding_same / valid (the strings and their refusal with stride)
def test_conv_padding_strings() -> None:
    x = torch.randn(1, 1, 10)
    assert nn.Conv1d(1, 1, 3, padding="same")(x).shape == (1, 1, 10)
    assert nn.Conv1d(1, 1, 3, padding="valid")(x).shape == (1, 1, 8)
    with pytest.raises(
        ValueError, match="padding='same' is not supported for strided convolutions"
    ):
        nn.Conv1d(1, 1, 3, padding="same", stride=2)
    with pytest.raises(ValueError, match="Invalid padding string 'foo'"):
        nn.Conv1d(1, 1, 3, padding="foo")


# test_invalid_conv1d / groups
def test_conv_groups_errors() -> None:
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.Conv2d(4, 3, 3, groups=2)
    with pytest.raises(ValueError, match="groups must be a positive integer"):
        nn.Conv2d(4, 4, 3, groups=0)


# test_batchnorm_update_stats / num_batches_tracked and momentum=None (cumulative average)
def test_batchnorm_update_stats() -> None:
    module = nn.BatchNorm1d(3)
    data = torch.rand(4, 3)
    old_running_mean = module.running_mean.clone()
    old_running_var = module.running_var.clone()
    old_num_batches_tracked = module.num_batches_tracked.clone()
    module(data)
    assert not (old_running_mean == module.running_mean).all()
    assert not (old_running_var == module.running_var).all()
    assert int(module.num_batches_tracked) == int(old_num_batches_tracked) + 1
    module.eval()
    old_running_mean = module.running_mean.clone()
    module(data)
    close(module.running_mean, old_running_mean)
    assert int(module.num_batches_tracked) == 1


def test_batchnorm_momentum_none_is_cumulative_average() -> None:
    bn = nn.BatchNorm1d(2, momentum=None)
    a = torch.tensor([[1.0, 2.0], [3.0, 6.0]])
    b = torch.tensor([[5.0, 0.0], [7.0, 2.0]])
    bn(a)
    bn(b)
    close(bn.running_mean, (a.mean(0) + b.mean(0)) / 2)
    # running_var is updated with the unbiased variance, averaged: (1 + var_a + var_b) / 3?  no:
    # momentum None: running = running + (new - running) / num_batches
    va = a.var(0, unbiased=True)
    vb = b.var(0, unbiased=True)
    close(bn.running_var, (va + vb) / 2)


# test_batchnorm_buffer_update_when_stats_are_not_tracked
def test_batchnorm_buffer_update_when_stats_are_not_tracked() -> None:
    input_size = (32, 4)
    bn = nn.BatchNorm1d(input_size[1], track_running_stats=True)
    bn.track_running_stats = False
    num_batches = bn.num_batches_tracked.clone()
    running_mean = bn.running_mean.clone()
    running_var = bn.running_var.clone()
    bn(torch.rand(input_size))
    assert int(bn.num_batches_tracked) == int(num_batches)
    close(bn.running_mean, running_mean)
    close(bn.running_var, running_var)


# test_batchnorm_raises_error_if_less_than_one_value_per_channel
def test_batchnorm_raises_error_if_less_than_one_value_per_channel() -> None:
    x = torch.rand(10)[None, :, None]
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(10)(x)


# test_batchnorm_raises_error_if_running_mean_is_not_same_size_as_input
def test_batchnorm_raises_error_if_running_mean_is_not_same_size_as_input() -> None:
    inp = torch.rand(2, 10)
    running_var = torch.rand(10)
    wrong_sizes = [9, 11]
    for size in wrong_sizes:
        with pytest.raises(RuntimeError):
            F.batch_norm(inp, torch.rand(size), running_var)


# test_batchnorm_no_stats (track_running_stats=False has no buffers)
def test_batchnorm_without_running_stats() -> None:
    bn = nn.BatchNorm1d(3, track_running_stats=False)
    assert bn.running_mean is None and bn.running_var is None
    assert bn.num_batches_tracked is None
    assert list(bn.state_dict().keys()) == ["weight", "bias"]
    bn.eval()
    x = torch.randn(4, 3)
    close(bn(x), (x - x.mean(0)) / (x.var(0, unbiased=False) + 1e-5).sqrt(), tol=1e-4)


# test_LayerNorm / test_layer_norm errors
def test_layer_norm_shape_error() -> None:
    ln = nn.LayerNorm(4)
    with pytest.raises(
        RuntimeError,
        match=r"Given normalized_shape=\[4\], expected input with shape \[\*, 4\], "
        r"but got input of size\[2, 3\]",
    ):
        ln(torch.randn(2, 3))
    ln = nn.LayerNorm([2, 3], elementwise_affine=False)
    assert list(ln.parameters()) == []
    x = torch.randn(4, 2, 3)
    m = x.mean((-2, -1), keepdim=True)
    v = x.var((-2, -1), keepdim=True, unbiased=False)
    close(ln(x), (x - m) / (v + 1e-5).sqrt(), tol=1e-4)


# test_GroupNorm_general / errors
def test_group_norm_errors() -> None:
    with pytest.raises(
        ValueError, match=r"num_channels \(4\) must be divisible by num_groups \(3\)"
    ):
        nn.GroupNorm(3, 4)


# test_embedding_padding_idx
def test_embedding_padding_idx() -> None:
    embedding = nn.Embedding(10, 20, padding_idx=0)
    inp = torch.tensor([[0, 2, 4, 5], [4, 3, 0, 9]], dtype=torch.long)
    output = embedding(inp)
    assert float(output[0][0].sum()) == 0
    assert float(output[1][2].sum()) == 0
    embedding = nn.Embedding(10, 20, padding_idx=-2)
    assert embedding.padding_idx == 8
    inp = torch.tensor([[0, 2, 8, 5], [4, 8, 0, 9]], dtype=torch.long)
    output = embedding(inp)
    assert float(output[0][2].sum()) == 0
    assert float(output[1][1].sum()) == 0
    with pytest.raises(AssertionError):
        nn.Embedding(10, 20, padding_idx=25)
    with pytest.raises(AssertionError):
        nn.Embedding(10, 20, padding_idx=-25)
    # the padding row gets no gradient
    embedding = nn.Embedding(5, 3, padding_idx=2)
    embedding(torch.tensor([2, 2, 1])).sum().backward()
    close(embedding.weight.grad[2], torch.zeros(3))
    close(embedding.weight.grad[1], torch.ones(3))


# test_embedding_max_norm
def test_embedding_max_norm() -> None:
    embedding = nn.Embedding(22, 5, max_norm=1.0)
    inp = torch.tensor([2, 8, 8, 6], dtype=torch.long)
    output = embedding(inp)
    close(output[1], output[2])
    assert (output.data.norm(p=2, dim=1) <= 1 + 1e-6).all()


# test_embedding_from_pretrained
def test_embedding_from_pretrained() -> None:
    a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    embedding = nn.Embedding.from_pretrained(a)
    close(a, embedding.weight.data)
    inp = torch.LongTensor([0, 1])
    output = embedding(inp)
    close(a, output)
    assert not embedding.weight.requires_grad
    embedding = nn.Embedding.from_pretrained(a, freeze=False)
    assert embedding.weight.requires_grad


# test_embedding_functional / out of range index
def test_embedding_index_out_of_range() -> None:
    emb = nn.Embedding(3, 2)
    with pytest.raises(IndexError, match="index out of range in self"):
        emb(torch.tensor([3]))


# test_Dropout / p range
def test_dropout_args_and_eval() -> None:
    with pytest.raises(
        ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"
    ):
        nn.Dropout(1.5)
    d = nn.Dropout(0.5)
    d.eval()
    x = torch.randn(10)
    close(d(x), x)
    d.train()
    torch.manual_seed(0)
    y = d(torch.ones(1000))
    vals = set(np.unique(np.asarray(y)).tolist())
    assert vals <= {0.0, 2.0}
    assert nn.Dropout(1.0)(torch.ones(5)).abs().sum().item() == 0


# test_RNN_cell / test_rnn_args_check
def test_rnn_args_check() -> None:
    input_size, hidden_size, num_layers, seq_len, batch = 3, 5, 2, 4, 6

    def test(mode, input_shape, hidden_shape):
        model = getattr(nn, mode)(input_size, hidden_size, num_layers)
        inp = torch.randn(input_shape)
        hidden = torch.randn(hidden_shape)
        if mode == "LSTM":
            hidden = (hidden, hidden)
        with pytest.raises(RuntimeError):
            model(inp, hidden)

    correct_input_shape = (seq_len, batch, input_size)
    correct_hidden_shape = (num_layers, batch, hidden_size)
    bad_size = 7
    for mode in ["RNN", "GRU", "LSTM"]:
        test(mode, (seq_len, batch, bad_size), correct_hidden_shape)
        test(mode, correct_input_shape, (num_layers, batch, bad_size))
        test(mode, correct_input_shape, (num_layers + 1, batch, hidden_size))
        test(mode, correct_input_shape, (num_layers, batch + 1, hidden_size))


# test_rnn_check_device / hidden size message
def test_rnn_hidden_size_message() -> None:
    rnn = nn.GRU(3, 5, 2)
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(2, 6, 5\), got \[2, 7, 5\]"):
        rnn(torch.randn(4, 6, 3), torch.randn(2, 7, 5))
    with pytest.raises(
        RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 3, got 7"
    ):
        rnn(torch.randn(4, 6, 7))


# test_RNN_cell_no_broadcasting / test_RNNCell shapes
def test_rnn_cells_shapes_and_unbatched() -> None:
    for cell, hx_pair in [(nn.RNNCell, False), (nn.GRUCell, False), (nn.LSTMCell, True)]:
        c = cell(3, 4)
        x = torch.randn(2, 3)
        out = c(x)
        if hx_pair:
            assert out[0].shape == (2, 4) and out[1].shape == (2, 4)
        else:
            assert out.shape == (2, 4)
        out1 = c(torch.randn(3))  # unbatched
        if hx_pair:
            assert out1[0].shape == (4,)
        else:
            assert out1.shape == (4,)


# test_LSTM_proj_size (test_rnn_weights names with a projection)
def test_lstm_proj_size_parameters_and_shapes() -> None:
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    names = [n for n, _ in lstm.named_parameters()]
    assert names[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0"]
    assert "weight_ih_l1_reverse" in names
    assert lstm.weight_hh_l0.shape == (16, 2)
    assert lstm.weight_ih_l1.shape == (16, 4)
    out, (h, c) = lstm(torch.randn(5, 2, 3))
    assert out.shape == (5, 2, 4) and h.shape == (4, 2, 2) and c.shape == (4, 2, 4)


LSTM_PROJ = json.loads(
    (Path(__file__).parent / "fixtures" / "port_lstm_proj_torch.json").read_text()
)


# test_LSTM_proj_size values: PyTorch's outputs, states and input gradient for its weights
# (recorded by tests/fixtures/make_port_lstm_proj_torch.py)
@pytest.mark.parametrize("case", sorted(LSTM_PROJ))
def test_lstm_proj_size_matches_torch(case) -> None:
    rec = LSTM_PROJ[case]
    lstm = nn.LSTM(**rec["kwargs"]).double()
    assert [n for n, _ in lstm.named_parameters()] == rec["names"]
    lstm.load_state_dict(
        {k: torch.tensor(v, dtype=torch.float64) for k, v in rec["weights"].items()}
    )
    x = torch.tensor(rec["x"], dtype=torch.float64, requires_grad=True)
    out, (h, c) = lstm(x)
    (out.sum() + h.pow(2).sum() + c.sum()).backward()
    close(out, rec["out"], tol=1e-10)
    close(h, rec["h"], tol=1e-10)
    close(c, rec["c"], tol=1e-10)
    close(x.grad, rec["x_grad"], tol=1e-10)


# test_rnn_weights names / test_RNN_change_dropout
def test_rnn_parameter_names() -> None:
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    names = [n for n, _ in lstm.named_parameters()]
    assert names[:4] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    assert names[4:8] == [
        "weight_ih_l0_reverse",
        "weight_hh_l0_reverse",
        "bias_ih_l0_reverse",
        "bias_hh_l0_reverse",
    ]
    assert lstm.weight_ih_l1.shape == (16, 8)
    out, (h, c) = lstm(torch.randn(5, 2, 3))
    assert out.shape == (5, 2, 8) and h.shape == (4, 2, 4) and c.shape == (4, 2, 4)
    gru = nn.GRU(3, 4, bias=False, batch_first=True)
    assert [n for n, _ in gru.named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]
    out, h = gru(torch.randn(2, 5, 3))
    assert out.shape == (2, 5, 4) and h.shape == (1, 2, 4)


# test_RNN_dropout_warning
def test_rnn_dropout_warning() -> None:
    with pytest.warns(
        UserWarning, match="dropout option adds dropout after all but last recurrent layer"
    ):
        nn.LSTM(3, 4, num_layers=1, dropout=0.5)


# test_rnn_initial_hidden_state (zero hidden state is the default)
def test_rnn_initial_hidden_state() -> None:
    for mode in ["RNN", "GRU", "LSTM"]:
        rnn = getattr(nn, mode)(30, 20, 2)
        inp = torch.randn(10, 32, 30)
        hidden = torch.zeros(2, 32, 20)
        if mode == "LSTM":
            hidden = (hidden, hidden)
        output1, hidden1 = rnn(inp, hidden)
        output2, hidden2 = rnn(inp)
        close(output1, output2)
        if mode == "LSTM":
            close(hidden1[0], hidden2[0])
            close(hidden1[1], hidden2[1])
        else:
            close(hidden1, hidden2)


# ---- losses: reductions and argument checks ------------------------------------------------------
LOSS_INPUTS = {
    "mse_loss": lambda x, t: (x - t) ** 2,
    "l1_loss": lambda x, t: np.abs(x - t),
    "smooth_l1_loss": lambda x, t: np.where(
        np.abs(x - t) < 1, 0.5 * (x - t) ** 2, np.abs(x - t) - 0.5
    ),
    "huber_loss": lambda x, t: np.where(np.abs(x - t) < 1, 0.5 * (x - t) ** 2, np.abs(x - t) - 0.5),
    "soft_margin_loss": lambda x, t: np.log1p(np.exp(-t * x)),
}


# test_loss_equal_input_target_shape / reduction modes of the pointwise losses (ModuleInfo)
@pytest.mark.parametrize("name", sorted(LOSS_INPUTS))
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_pointwise_loss_reductions(name, reduction) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4)) * 2
    t = rng.normal(size=(3, 4)) * 2
    if name == "soft_margin_loss":
        t = np.sign(t)
    per = LOSS_INPUTS[name](x, t)
    want = {"none": per, "mean": per.mean(), "sum": per.sum()}[reduction]
    got = getattr(F, name)(torch.tensor(x), torch.tensor(t), reduction=reduction)
    close(got, want, tol=1e-10)


# test_invalid_reduction_strings
@pytest.mark.parametrize("reduction", ["none", "invalid"])
def test_invalid_reduction_strings(reduction) -> None:
    inp = torch.zeros(3, 5, requires_grad=True)
    cinp = torch.zeros(3, 5, requires_grad=True)
    target = torch.tensor([1, 0, 4])
    var = torch.ones(size=inp.size(), requires_grad=True)

    def v(fn):
        if reduction == "invalid":
            with pytest.raises(ValueError, match="is not a valid value for reduction|is not valid"):
                fn()
        else:
            fn()

    v(lambda: F.nll_loss(inp, target, reduction=reduction))
    v(lambda: F.cross_entropy(inp, target, reduction=reduction))
    v(lambda: F.kl_div(inp, inp, reduction=reduction))
    v(lambda: F.huber_loss(inp, inp, reduction=reduction))
    v(lambda: F.smooth_l1_loss(inp, inp, reduction=reduction))
    v(lambda: F.l1_loss(inp, inp, reduction=reduction))
    v(lambda: F.mse_loss(inp, inp, reduction=reduction))
    v(lambda: F.hinge_embedding_loss(inp, torch.ones(3, 5), reduction=reduction))
    v(lambda: F.poisson_nll_loss(inp, inp, reduction=reduction))
    v(lambda: F.gaussian_nll_loss(inp, inp, var, reduction=reduction))
    v(lambda: F.binary_cross_entropy(torch.sigmoid(inp), inp, reduction=reduction))
    v(lambda: F.binary_cross_entropy_with_logits(inp, inp, reduction=reduction))
    zeros = torch.zeros_like(inp).to(torch.int64)
    v(lambda: F.multilabel_soft_margin_loss(inp, zeros, reduction=reduction))
    v(lambda: F.triplet_margin_loss(inp, inp, inp, reduction=reduction))
    v(lambda: F.margin_ranking_loss(inp, inp, inp.sign(), reduction=reduction))
    v(lambda: F.cosine_embedding_loss(inp, inp, torch.ones(3), reduction=reduction))
    v(lambda: F.multi_margin_loss(cinp, target, reduction=reduction))
    v(lambda: F.soft_margin_loss(inp, inp.sign().detach(), reduction=reduction))


# test_smoothl1loss_intergral_target / test_smoothl1loss_negative_beta_not_supported
def test_smoothl1loss_negative_beta_not_supported() -> None:
    with pytest.raises(
        RuntimeError, match="smooth_l1_loss does not support negative values for beta."
    ):
        F.smooth_l1_loss(torch.randn(2, 2), torch.randn(2, 2), beta=-1.0)


# test_smoothl1loss_zero_beta (beta 0 is L1)
def test_smoothl1loss_zero_beta() -> None:
    inp = torch.randn(2, 2)
    target = torch.randn(2, 2)
    close(F.smooth_l1_loss(inp, target, beta=0), F.l1_loss(inp, target))


# test_huber_loss_invalid_delta
def test_huber_loss_invalid_delta() -> None:
    for delta in (0.0, -1.0):
        with pytest.raises(
            RuntimeError, match="huber_loss does not support non-positive values for delta."
        ):
            F.huber_loss(torch.randn(2, 2), torch.randn(2, 2), delta=delta)


# test_mse_loss_size_warning
def test_mse_loss_size_warning() -> None:
    i = torch.randn((10, 1), requires_grad=True)
    t = torch.randn((10,))
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(i, t)


# test_l1_loss_correct
def test_l1_loss_correct() -> None:
    for dtype in [torch.float, torch.double]:
        for N in range(1, 50, 10):
            inp = torch.rand(N, 3, 1024, dtype=dtype)
            close(nn.L1Loss()(inp, torch.zeros_like(inp)), inp.abs().mean(), tol=1e-5)


# test_bce_loss_always_nonnegative / test_bce_loss_input_range / test_bce_loss_broadcast
def test_bce_loss() -> None:
    target = torch.ones(5)
    inp = torch.ones(5)
    assert (nn.BCELoss()(inp, target) < 0).sum() == 0
    target = torch.zeros(5)
    inp = torch.zeros(5)
    assert (nn.BCELoss()(inp, target) < 0).sum() == 0
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.0]))
    with pytest.raises(ValueError, match="Using a target size"):
        F.binary_cross_entropy(torch.rand(3, 1), torch.rand(3))
    # log is clamped at -100
    close(F.binary_cross_entropy(torch.tensor([0.0]), torch.tensor([1.0])), torch.tensor(100.0))


# test_bce_with_logits_has_correct_forward_grad / pos_weight / broadcast
def test_bce_with_logits_pos_weight() -> None:
    target = torch.rand(64, 4)
    output = torch.rand(64, 4) - 0.5
    pos_weight = torch.ones(64, 4)
    close(
        nn.BCEWithLogitsLoss(pos_weight=pos_weight)(output, target),
        nn.BCEWithLogitsLoss()(output, target),
    )
    pos_weight = torch.rand(4)
    x = np.asarray(output, dtype=np.float64)
    y = np.asarray(target, dtype=np.float64)
    pw = np.asarray(pos_weight, dtype=np.float64)
    sig = 1 / (1 + np.exp(-x))
    want = -(pw * y * np.log(sig) + (1 - y) * np.log(1 - sig)).mean()
    close(nn.BCEWithLogitsLoss(pos_weight=pos_weight)(output, target), want, tol=1e-5)
    with pytest.raises(ValueError, match="Target size"):
        F.binary_cross_entropy_with_logits(torch.rand(3, 2), torch.rand(3))


# test_bce_with_logits_stability
def test_bce_with_logits_stability() -> None:
    output = torch.tensor([0.0, -120.0])
    target = torch.tensor([0.0, 1.0])
    pos_weight = torch.tensor([1.0, 1.0])
    out1 = nn.BCEWithLogitsLoss()(output, target)
    assert torch.isfinite(out1).all().item()
    out2 = nn.BCEWithLogitsLoss(pos_weight=pos_weight)(output, target)
    assert torch.isfinite(out2).all().item()


# test_cross_entropy_label_smoothing_consistent_index_target_and_probs / with ignore_index
def test_cross_entropy_label_smoothing_index_vs_probs() -> None:
    N, C = 10, 4
    ls = 0.3
    inp = torch.randn(N, C, dtype=torch.float64)
    target = torch.randint(0, C, (N,))
    target_proba = F.one_hot(target, num_classes=C).to(torch.float64)
    target_proba = target_proba * (1 - ls) + ls / C
    for reduction in ["mean", "sum", "none"]:
        close(
            F.cross_entropy(inp, target, label_smoothing=ls, reduction=reduction),
            F.cross_entropy(inp, target_proba, reduction=reduction),
            tol=1e-10,
        )


# test_cross_entropy_loss / test_nll_loss ignore_index and weights (mean is weighted)
def test_nll_loss_weight_ignore_index_mean() -> None:
    logp = torch.tensor(np.log(np.array([[0.2, 0.3, 0.5], [0.1, 0.6, 0.3], [0.3, 0.3, 0.4]])))
    target = torch.tensor([2, 0, 1])
    weight = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    vals = -np.array([np.log(0.5) * 3, np.log(0.1) * 1, np.log(0.3) * 2])
    close(F.nll_loss(logp, target, weight=weight), vals.sum() / 6, tol=1e-10)
    close(
        F.nll_loss(logp, target, weight=weight, ignore_index=0), (vals[0] + vals[2]) / 5, tol=1e-10
    )
    close(F.nll_loss(logp, target, weight=weight, reduction="sum"), vals.sum(), tol=1e-10)
    out = F.nll_loss(logp, target, ignore_index=1, reduction="none")
    close(out, [-np.log(0.5), -np.log(0.1), 0.0], tol=1e-10)
    # every target ignored: mean is nan
    assert torch.isnan(F.nll_loss(logp, torch.tensor([1, 1, 1]), ignore_index=1)).item()


# test_nll_loss_out_of_bounds_ignore_index / invalid target
def test_nll_loss_invalid_target() -> None:
    with pytest.raises(IndexError, match="Target 3 is out of bounds."):
        F.nll_loss(torch.randn(2, 3), torch.tensor([0, 3]))
    with pytest.raises(
        ValueError, match=r"Expected input batch_size \(2\) to match target batch_size \(3\)."
    ):
        F.nll_loss(torch.randn(2, 3), torch.tensor([0, 1, 2]))


# test_KLDivLoss_batch_mean / log_target
def test_kl_div_batchmean_and_log_target() -> None:
    input_shape = (2, 5)
    log_prob1 = F.log_softmax(torch.randn(input_shape, dtype=torch.float64), 1)
    prob2 = F.softmax(torch.randn(input_shape, dtype=torch.float64), 1)
    loss = nn.KLDivLoss(reduction="batchmean")
    l_ = loss(log_prob1, prob2)
    loss_none_reduce = nn.KLDivLoss(reduction="sum")(log_prob1, prob2)
    expected = loss_none_reduce / input_shape[0]
    close(l_, expected, tol=1e-10)
    close(
        F.kl_div(log_prob1, prob2.log(), reduction="batchmean", log_target=True),
        expected,
        tol=1e-10,
    )
    p = np.asarray(prob2)
    q = np.asarray(log_prob1)
    close(F.kl_div(log_prob1, prob2, reduction="none"), p * (np.log(p) - q), tol=1e-10)


# test_cosine_embedding_loss_* / margin
def test_cosine_embedding_loss() -> None:
    inp1 = torch.tensor([[1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    inp2 = torch.tensor([[1.0, 0.0], [-1.0, 0.0]], dtype=torch.float64)
    target = torch.tensor([1, -1])
    cos = np.array([1.0, -1 / np.sqrt(2)])
    want = np.array([1 - cos[0], max(0.0, cos[1] - (-0.8))])
    close(
        F.cosine_embedding_loss(inp1, inp2, target, margin=-0.8, reduction="none"), want, tol=1e-10
    )
    close(F.cosine_embedding_loss(inp1, inp2, target, margin=-0.8), want.mean(), tol=1e-10)


# test_margin_ranking_loss_*
def test_margin_ranking_loss() -> None:
    i1 = torch.tensor([1.0, 2.0, 3.0])
    i2 = torch.tensor([2.0, 2.0, 1.0])
    t = torch.tensor([1.0, -1.0, -1.0])
    want = np.maximum(0, -np.array([1, -1, -1]) * (np.array([1, 2, 3]) - np.array([2, 2, 1])) + 0.5)
    close(F.margin_ranking_loss(i1, i2, t, margin=0.5, reduction="none"), want)
    close(F.margin_ranking_loss(i1, i2, t, margin=0.5), want.mean())


# test_triplet_margin_loss / swap
def test_triplet_margin_loss() -> None:
    a = torch.tensor([[0.0, 0.0]], dtype=torch.float64)
    p = torch.tensor([[3.0, 4.0]], dtype=torch.float64)
    n = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
    eps = 1e-6
    d_ap = (
        np.sqrt((3 + eps) ** 2 + (4 + eps) ** 2)
        if False
        else np.linalg.norm(np.array([-3, -4]) + eps)
    )
    d_an = np.linalg.norm(np.array([-1, 0]) + eps)
    close(F.triplet_margin_loss(a, p, n, margin=1.0), max(d_ap - d_an + 1.0, 0), tol=1e-8)
    d_pn = np.linalg.norm(np.array([2, 4]) + eps)
    close(
        F.triplet_margin_loss(a, p, n, margin=1.0, swap=True),
        max(d_ap - min(d_an, d_pn) + 1.0, 0),
        tol=1e-8,
    )


# test_poisson_nll_loss_reduction_modes / log_input / full
def test_poisson_nll_loss() -> None:
    inp = torch.tensor([0.5, 1.5, 2.5], dtype=torch.float64)
    target = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    x = np.array([0.5, 1.5, 2.5])
    y = np.array([1.0, 2.0, 3.0])
    close(F.poisson_nll_loss(inp, target, reduction="none"), np.exp(x) - y * x, tol=1e-10)
    close(
        F.poisson_nll_loss(inp, target, log_input=False, reduction="none"),
        x - y * np.log(x + 1e-8),
        tol=1e-10,
    )
    stirling = y * np.log(y) - y + 0.5 * np.log(2 * np.pi * y)
    stirling = np.where(y > 1, stirling, 0)
    close(
        F.poisson_nll_loss(inp, target, full=True, reduction="none"),
        np.exp(x) - y * x + stirling,
        tol=1e-10,
    )


# test_gaussian_nll_loss_* (full, eps clamp, var broadcasting, negative var error)
def test_gaussian_nll_loss() -> None:
    inp = torch.tensor([[0.5, 1.5], [2.5, 3.5]], dtype=torch.float64)
    target = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    var = torch.tensor([[0.5, 1.0], [1.5, 2.0]], dtype=torch.float64)
    x, y, v = (np.asarray(t) for t in (inp, target, var))
    per = 0.5 * (np.log(v) + (x - y) ** 2 / v)
    close(F.gaussian_nll_loss(inp, target, var, reduction="none"), per, tol=1e-10)
    close(
        F.gaussian_nll_loss(inp, target, var, full=True),
        (per + 0.5 * np.log(2 * np.pi)).mean(),
        tol=1e-10,
    )
    var1 = torch.tensor([[0.5], [1.5]], dtype=torch.float64)  # one var per row
    v1 = np.asarray(var1)
    close(
        F.gaussian_nll_loss(inp, target, var1, reduction="sum"),
        (0.5 * (np.log(v1) + (x - y) ** 2 / v1)).sum(),
        tol=1e-10,
    )
    with pytest.raises(ValueError, match="var has negative entry/entries"):
        F.gaussian_nll_loss(inp, target, -var)


# test_hinge_embedding_loss / multilabel_soft_margin_loss values
def test_hinge_and_multilabel_soft_margin() -> None:
    x = torch.tensor([[0.3, -1.2, 2.0]], dtype=torch.float64)
    y = torch.tensor([[1.0, -1.0, -1.0]], dtype=torch.float64)
    xv = np.array([0.3, -1.2, 2.0])
    want = np.where(np.array([1, -1, -1]) == 1, xv, np.maximum(0, 1.0 - xv))
    close(F.hinge_embedding_loss(x, y, reduction="none"), want[None], tol=1e-10)
    t = torch.tensor([[1, 0, 1]])
    sig = 1 / (1 + np.exp(-xv))
    tv = np.array([1, 0, 1])
    want = -(tv * np.log(sig) + (1 - tv) * np.log(1 - sig)).mean()
    close(F.multilabel_soft_margin_loss(x, t), want, tol=1e-10)


# test_multimargin_loss values (p=1 and p=2, margin)
def test_multi_margin_loss() -> None:
    x = torch.tensor([[0.1, 0.2, 0.4, 0.8]], dtype=torch.float64)
    y = torch.tensor([3])
    xv = np.array([0.1, 0.2, 0.4, 0.8])
    terms = np.maximum(0, 1 - xv[3] + xv[:3])
    close(F.multi_margin_loss(x, y), terms.sum() / 4, tol=1e-10)
    close(F.multi_margin_loss(x, y, p=2), (terms**2).sum() / 4, tol=1e-10)
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        F.multi_margin_loss(x, y, p=3)


# ---- utils -----------------------------------------------------------------------------------
# test_clip_grad_norm
def test_clip_grad_norm() -> None:
    l_ = nn.Linear(10, 10)
    max_norm = 2

    def compute_norm(norm_type):
        norm_type = float(norm_type)
        if norm_type != float("inf"):
            total_norm = 0
            for p in l_.parameters():
                total_norm += p.grad.data.abs().pow(norm_type).sum()
            return pow(total_norm, 1.0 / norm_type)
        return max(p.grad.data.abs().max() for p in l_.parameters())

    def compare_scaling(grads):
        p_scale = [p.grad.data.div(g).view(-1) for p, g in zip(l_.parameters(), grads)]
        scale = torch.cat(p_scale)
        assert float(scale.std()) < 1e-5
        return scale[0]

    grads = torch.arange(1.0, 101).view(10, 10), torch.ones(10).div(1000)
    for norm_type in [0.5, 1.5, 2, 4, "inf"]:
        for p, g in zip(l_.parameters(), grads):
            p._grad = g.clone().view_as(p.data)
        norm_before = compute_norm(norm_type)
        norm = nn.utils.clip_grad_norm_(l_.parameters(), max_norm, norm_type=norm_type)
        norm_after = compute_norm(norm_type)
        close(norm, norm_before, tol=1e-4)
        close(norm_after, torch.tensor(float(max_norm)), tol=1e-4)
        assert float(norm_after) <= max_norm + 1e-4
        compare_scaling(grads)
    grads = torch.rand(10, 10).div(10000), torch.ones(10).div(500)
    for norm_type in [0.5, 1.5, 2, 4, "inf"]:
        for p, g in zip(l_.parameters(), grads):
            p.grad.data.copy_(g)
        norm_before = compute_norm(norm_type)
        norm = nn.utils.clip_grad_norm_(l_.parameters(), max_norm, norm_type=norm_type)
        norm_after = compute_norm(norm_type)
        close(norm, norm_before, tol=1e-4)
        close(norm_before, norm_after, tol=1e-6)
        assert float(norm_after) <= max_norm
    # a single tensor is fine, and an empty list gives 0
    p1, p2 = torch.randn(10, 10), torch.randn(10, 10)
    g = torch.arange(1.0, 101).view(10, 10)
    p1._grad = g.clone()
    p2._grad = g.clone()
    nn.utils.clip_grad_norm_(p1, max_norm)
    nn.utils.clip_grad_norm_([p2], max_norm)
    close(p1.grad, p2.grad)
    assert float(nn.utils.clip_grad_norm_([], max_norm)) == 0.0


# test_clip_grad_norm_error_if_nonfinite
def test_clip_grad_norm_error_if_nonfinite() -> None:
    p = torch.ones(3, requires_grad=True)
    p.grad = torch.tensor([1.0, float("inf"), 2.0])
    with pytest.raises(
        RuntimeError,
        match="The total norm of order 2.0 for gradients from `parameters` is non-finite",
    ):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


# test_clip_grad_value
def test_clip_grad_value() -> None:
    l_ = nn.Linear(10, 10)
    clip_value = 2.5
    grad_w, grad_b = torch.arange(-50.0, 50).view(10, 10).div_(5), torch.ones(10).mul_(2)
    for grad_list in [[grad_w, grad_b], [grad_w, None]]:
        for p, g in zip(l_.parameters(), grad_list):
            p._grad = g.clone().view_as(p.data) if g is not None else g
        nn.utils.clip_grad_value_(l_.parameters(), clip_value)
        for p in filter(lambda p: p.grad is not None, l_.parameters()):
            assert float(p.grad.data.max()) <= clip_value
            assert float(p.grad.data.min()) >= -clip_value
    p1, p2 = torch.randn(10, 10), torch.randn(10, 10)
    g = torch.arange(-50.0, 50).view(10, 10).div_(5)
    p1._grad = g.clone()
    p2._grad = g.clone()
    nn.utils.clip_grad_value_(p1, clip_value)
    nn.utils.clip_grad_value_([p2], clip_value)
    close(p1.grad, p2.grad)


# test_parameters_to_vector / test_vector_to_parameters
def test_parameters_to_vector_and_back() -> None:
    conv1 = nn.Conv2d(3, 10, 5)
    fc1 = nn.Linear(10, 20)
    model = nn.Sequential(conv1, fc1)
    vec = nn.utils.parameters_to_vector(model.parameters())
    assert vec.size(0) == 980
    vec = torch.arange(0.0, 980)
    nn.utils.vector_to_parameters(vec, model.parameters())
    sample = next(model.parameters())[0, 0, 0]
    close(sample.data, vec.data[:5])
    with pytest.raises(
        TypeError, match="expected torch.Tensor, but got: int|expected jitgrad.Tensor"
    ):
        nn.utils.vector_to_parameters(1, model.parameters())


def close(a, b, tol=1e-5) -> None:
    _close(a, b, tol)
