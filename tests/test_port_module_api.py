"""More ``nn.Module`` API cases ported from PyTorch's test/test_nn.py and
test/nn/test_module_hooks.py (submodule lookup, copies, state-dict hooks, parameter sharing,
repr), each named after the PyTorch test it comes from. The file runs unchanged against real
PyTorch (``jitgrad`` mapped to ``torch``), which is how the expectations were checked."""

from __future__ import annotations

import copy
import pickle

import pytest
from port_helpers import close

import jitgrad as torch

nn = torch.nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(2, 3)
        self.seq = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
        self.register_buffer("steps", torch.zeros(1))


# test_get_submodule / test_get_parameter / test_get_buffer
def test_get_submodule_parameter_buffer() -> None:
    n = Net()
    assert n.get_submodule("seq.0") is n.seq[0]
    assert n.get_submodule("") is n
    assert n.get_parameter("seq.0.weight") is n.seq[0].weight
    assert n.get_buffer("steps") is n.steps
    with pytest.raises(AttributeError, match="Sequential has no attribute `5`"):
        n.get_submodule("seq.5")
    with pytest.raises(AttributeError, match="`l1` is not an nn.Parameter"):
        n.get_parameter("l1")
    with pytest.raises(AttributeError, match="Linear has no attribute `bad`"):
        n.get_parameter("l1.bad")
    with pytest.raises(AttributeError, match="`weight` is not a buffer"):
        n.get_buffer("l1.weight")


# test_parameter_sharing / deepcopy keeps sharing (test_deepcopy_module)
def test_deepcopy_keeps_sharing() -> None:
    lin = nn.Linear(2, 2)
    net = nn.Sequential(lin, lin)
    net2 = copy.deepcopy(net)
    assert net2[0] is net2[1]
    assert net2[0].weight is not lin.weight
    close(net2[0].weight, lin.weight)
    assert isinstance(net2[0].weight, nn.Parameter)
    assert len(list(net2.parameters())) == 2


# test_pickle_module
def test_pickle_module() -> None:
    n = Net()
    n2 = pickle.loads(pickle.dumps(n))
    close(n2.l1.weight, n.l1.weight)
    assert isinstance(n2.seq, nn.Sequential)
    assert n2.steps.shape == (1,)


# test_parameter_deepcopy (a Parameter's copy is a Parameter with its requires_grad)
def test_parameter_deepcopy() -> None:
    p = nn.Parameter(torch.randn(2), requires_grad=False)
    q = copy.deepcopy(p)
    assert isinstance(q, nn.Parameter)
    assert not q.requires_grad
    close(q, p)
    assert repr(nn.Parameter(torch.tensor([1.0]))).startswith("Parameter containing:\ntensor([1.]")


# test_state_dict_pre_hook / test_state_dict_post_hook
def test_state_dict_hooks() -> None:
    m = nn.Linear(2, 2)
    calls = []
    m.register_state_dict_pre_hook(lambda mod, prefix, keep_vars: calls.append(("pre", prefix)))

    def post(mod, sd, prefix, local_metadata):
        calls.append(("post", prefix))
        sd[prefix + "extra"] = torch.ones(1)

    m.register_state_dict_post_hook(post)
    sd = m.state_dict()
    assert calls == [("pre", ""), ("post", "")]
    assert list(sd) == ["weight", "bias", "extra"]


# test_load_state_dict_post_hook / pre hook
def test_load_state_dict_hooks() -> None:
    m = nn.Linear(2, 2)
    seen = []

    def pre(
        module,
        state_dict,
        prefix,
        local_metadata,
        strict,
        missing_keys,
        unexpected_keys,
        error_msgs,
    ):
        seen.append(("pre", sorted(state_dict)))

    def post(module, incompatible_keys):
        seen.append(("post", list(incompatible_keys.missing_keys)))

    m.register_load_state_dict_pre_hook(pre)
    m.register_load_state_dict_post_hook(post)
    m.load_state_dict({"weight": torch.zeros(2, 2), "bias": torch.zeros(2)})
    assert seen == [("pre", ["bias", "weight"]), ("post", [])]
    close(m.weight, torch.zeros(2, 2))


# test_repr with a multi-line extra_repr
def test_repr_multiline_extra_repr() -> None:
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.sub = nn.ReLU()

        def extra_repr(self):
            return "a=1\nb=2"

    assert repr(M()) == "M(\n  a=1\n  b=2\n  (sub): ReLU()\n)"
    assert repr(nn.ModuleDict({"a": nn.ReLU()})) == "ModuleDict(\n  (a): ReLU()\n)"
    assert repr(nn.Dropout(0.3)) == "Dropout(p=0.3, inplace=False)"
    assert repr(nn.Conv2d(1, 2, 3, stride=2, padding=1, bias=False)) == (
        "Conv2d(1, 2, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)"
    )
    assert repr(nn.BatchNorm1d(4)) == (
        "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    )
    assert repr(nn.LSTM(3, 4, batch_first=True)) == "LSTM(3, 4, batch_first=True)"
    assert repr(nn.Embedding(10, 3, padding_idx=0)) == "Embedding(10, 3, padding_idx=0)"
    assert repr(nn.LayerNorm(4)) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"


# test_module_to_argparse / to(tensor) takes the tensor's dtype
def test_module_to_tensor_and_keywords() -> None:
    m = nn.Linear(2, 2)
    m.to(torch.zeros(1, dtype=torch.float64))
    assert m.weight.dtype == torch.float64
    m.to(dtype=torch.float32)
    assert m.weight.dtype == torch.float32
    m.to(device="cpu", dtype=torch.float64)
    assert m.weight.dtype == torch.float64


# test_named_parameters of ParameterList / ParameterDict in a module
def test_parameter_containers_in_module() -> None:
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.pl = nn.ParameterList([nn.Parameter(torch.zeros(1)), nn.Parameter(torch.zeros(2))])
            self.pd = nn.ParameterDict({"a": nn.Parameter(torch.zeros(3))})

    names = [n for n, _ in M().named_parameters()]
    assert names == ["pl.0", "pl.1", "pd.a"]
    assert list(M().state_dict()) == ["pl.0", "pl.1", "pd.a"]


# test_children / modules of ModuleDict
def test_module_dict_children_order() -> None:
    d = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Tanh()})
    assert list(d.keys()) == ["b", "a"]
    assert [type(m).__name__ for m in d.children()] == ["ReLU", "Tanh"]


# test_buffer_not_persistent_load / test_buffer_not_persistent_overwrite
def test_non_persistent_buffer() -> None:
    m = nn.Module()
    m.register_buffer("buf", torch.ones(2), persistent=False)
    assert "buf" not in m.state_dict()
    m.load_state_dict({})
    m.register_buffer("buf", torch.ones(2))  # persistent again
    assert "buf" in m.state_dict()
    del m.buf
    m.register_buffer("buf", torch.ones(2), persistent=False)
    m.buf = torch.zeros(2)  # assignment keeps it non-persistent
    assert "buf" not in m.state_dict()


# test_module_apply_to_float / half (buffers of integer dtype stay)
def test_float_conversion_leaves_integer_buffers() -> None:
    bn = nn.BatchNorm1d(2)
    bn.double()
    assert bn.running_mean.dtype == torch.float64
    assert bn.num_batches_tracked.dtype == torch.int64


# test_requires_grad_ keeps parameter identity and state_dict keep_vars
def test_state_dict_keep_vars_and_detach() -> None:
    m = nn.Linear(2, 1)
    sd = m.state_dict()
    assert not sd["weight"].requires_grad
    sd["weight"].add_(1)  # shares storage with the parameter
    close(sd["weight"], m.weight)


# test_zero_grad of module with shared parameters
def test_module_zero_grad_shared() -> None:
    lin = nn.Linear(2, 2)
    net = nn.Sequential(lin, lin)
    net(torch.ones(1, 2)).sum().backward()
    assert lin.weight.grad is not None
    net.zero_grad()
    assert lin.weight.grad is None


# test_forward_hooks_called_in_order_of_registration / always_call on error
def test_forward_hook_always_call() -> None:
    calls = []

    class Fail(nn.Module):
        def forward(self, x):
            raise RuntimeError("boom")

    m = Fail()
    m.register_forward_hook(lambda *a: calls.append("normal"))
    m.register_forward_hook(lambda *a: calls.append("always"), always_call=True)
    with pytest.raises(RuntimeError, match="boom"):
        m(torch.ones(1))
    assert calls == ["always"]


# test_full_backward_pre_hook
def test_full_backward_pre_hook_scales_grad_output() -> None:
    m = nn.Linear(2, 1)
    nn.init.ones_(m.weight)
    x = torch.ones(1, 2, requires_grad=True)
    m.register_full_backward_pre_hook(lambda mod, grad_output: (grad_output[0] * 3,))
    m(x).sum().backward()
    close(x.grad, torch.full((1, 2), 3.0))


# test_module_forward_kwargs hooks (forward pre hook with kwargs replaces them)
def test_forward_pre_hook_with_kwargs_replaces() -> None:
    class M(nn.Module):
        def forward(self, x, scale=1.0):
            return x * scale

    m = M()
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"scale": 5.0}), with_kwargs=True)
    close(m(torch.ones(1)), torch.tensor([5.0]))
    m2 = M()
    m2.register_forward_hook(lambda mod, args, kwargs, out: out + kwargs["scale"], with_kwargs=True)
    close(m2(torch.ones(1), scale=2.0), torch.tensor([4.0]))
