"""API gaps that public tutorial programs (tests/programs/corpus/) stopped on: indexing with a
``range``, ``nn.init.eye_``/``orthogonal_``/``xavier_normal_``/``kaiming_normal_``, the
function forms of in-place ops (``torch.sin_``), and ``_is_initial`` in a scheduler's state."""

from __future__ import annotations

import math

import numpy as np
import pytest

import jitgrad as torch
from jitgrad import nn


def test_range_index_reads_as_its_sequence() -> None:
    # what-is-torch-nn-really's nll: input[range(n), target]
    x = torch.arange(12.0).reshape(3, 4).requires_grad_()
    out = x[range(3), torch.tensor([0, 2, 1])]
    assert out.tolist() == [0.0, 6.0, 9.0]
    out.sum().backward()
    assert x.grad.tolist() == [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]]
    assert x[range(1, 3)].tolist() == [[4, 5, 6, 7], [8, 9, 10, 11]]
    assert x[range(0)].shape == (0, 4)


def test_eye_() -> None:
    t = nn.init.eye_(torch.empty(3, 5))
    assert t.tolist() == np.eye(3, 5).tolist()
    with pytest.raises(ValueError, match="^Only tensors with 2 dimensions are supported$"):
        nn.init.eye_(torch.empty(3))


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3)])
def test_orthogonal_(shape: tuple) -> None:
    torch.manual_seed(0)
    t = torch.empty(*shape)
    assert nn.init.orthogonal_(t, gain=2.0) is t
    q = np.asarray(t.tolist()).reshape(shape[0], -1)
    small = min(q.shape)
    gram = q @ q.T if q.shape[0] == small else q.T @ q
    np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-5)
    with pytest.raises(ValueError, match="^Only tensors with 2 or more dimensions are supported$"):
        nn.init.orthogonal_(torch.empty(4))


def test_normal_initialisers_have_the_published_std() -> None:
    torch.manual_seed(0)
    w = nn.init.xavier_normal_(torch.empty(300, 400), gain=2.0)
    assert abs(w.std().item() / (2.0 * math.sqrt(2.0 / 700)) - 1) < 0.02
    w = nn.init.kaiming_normal_(torch.empty(300, 400), mode="fan_out", nonlinearity="relu")
    assert abs(w.std().item() / (math.sqrt(2.0) / math.sqrt(300)) - 1) < 0.02
    w = nn.init.kaiming_normal_(torch.empty(300, 400))  # leaky_relu, a=0, fan_in
    assert abs(w.std().item() / (math.sqrt(2.0) / math.sqrt(400)) - 1) < 0.02
    with pytest.raises(ValueError, match="^Mode fan_avg not supported, please use one of"):
        nn.init.kaiming_normal_(torch.empty(3, 4), mode="fan_avg")
    assert nn.init.kaiming_normal_(torch.empty(0, 4)).shape == (0, 4)


def test_function_forms_of_inplace_ops() -> None:
    t = torch.tensor([0.0, math.pi / 2])
    assert torch.sin_(t) is t
    np.testing.assert_allclose(t.tolist(), [0.0, 1.0], atol=1e-7)
    assert torch.zero_(t).tolist() == [0.0, 0.0]
    assert torch.fill_(t, 2.5).tolist() == [2.5, 2.5]
    leaf = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        torch.exp_(leaf)
    assert torch.relu_.__name__ == "relu_" and torch.relu_(torch.tensor([-1.0])).tolist() == [0.0]


def test_scheduler_is_initial_only_during_its_first_step() -> None:
    seen = []

    class Probe(torch.optim.lr_scheduler.LRScheduler):
        def get_lr(self):
            seen.append(self._is_initial)
            return self.base_lrs

    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = Probe(opt)
    opt.step()
    sched.step()
    assert seen == [True, False]
    assert sched.state_dict()["_is_initial"] is False


@pytest.mark.parametrize(
    ("stride", "padding", "output_padding", "groups", "dilation"),
    [(1, 0, 0, 1, 1), (2, 1, 1, 2, 1), (2, 0, 0, 1, 2), ((1, 2), (0, 1), (0, 1), 3, 1)],
)
def test_conv_transpose2d_is_the_adjoint_of_conv2d(
    stride, padding, output_padding, groups, dilation
) -> None:
    # <conv_transpose2d(x, w), y> == <x, conv2d(y, w)>: the defining property (DCGAN's layer)
    torch.manual_seed(0)
    x = torch.randn(2, 6, 4, 5, dtype=torch.float64, requires_grad=True)
    w = torch.randn(6, 2, 3, 2, dtype=torch.float64, requires_grad=True)
    out = nn.functional.conv_transpose2d(
        x, w, None, stride, padding, output_padding, groups, dilation
    )
    s, p, op, d = (
        v if isinstance(v, tuple) else (v, v) for v in (stride, padding, output_padding, dilation)
    )
    want = tuple(
        (x.shape[2 + i] - 1) * s[i] - 2 * p[i] + d[i] * (w.shape[2 + i] - 1) + op[i] + 1
        for i in range(2)
    )
    assert out.shape == (2, 2 * groups, *want) and out.grad_fn.name() == "ConvolutionBackward0"
    y = torch.randn(*out.shape, dtype=torch.float64)
    back = nn.functional.conv2d(y, w, None, stride, padding, dilation, groups)
    np.testing.assert_allclose((out * y).sum().item(), (x * back).sum().item(), rtol=1e-10)
    f = lambda a, b: nn.functional.conv_transpose2d(  # noqa: E731
        a, b, None, stride, padding, output_padding, groups, dilation
    )
    assert torch.autograd.gradcheck(f, (x, w))
    assert torch.autograd.gradgradcheck(f, (x, w))


def test_conv_transpose2d_module() -> None:
    m = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2)
    assert repr(m) == (
        "ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), "
        "output_padding=(1, 1), groups=2)"
    )
    assert m.weight.shape == (4, 3, 3, 3) and m.bias.shape == (6,)
    bound = 1 / math.sqrt(3 * 3 * 3)  # fan_in of the (in, out/groups, kh, kw) weight
    assert m.bias.abs().max().item() <= bound
    x = torch.randn(1, 4, 5, 5)
    assert m(x).shape == (1, 6, 10, 10)
    assert m(x, output_size=[9, 9]).shape == (1, 6, 9, 9)
    b = m(x[0]).sum()
    b.backward()
    assert m.bias.grad.tolist() == [100.0] * 6  # d(sum)/d(bias) = the output's 10 x 10 pixels
    with pytest.raises(ValueError, match='^Only "zeros" padding mode is supported for'):
        nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")


def test_batchnorm_bias_false_and_repr() -> None:
    # PyTorch 2.13: BatchNorm(..., bias=False) learns a scale only; the repr names bias=
    m = nn.BatchNorm2d(3, bias=False)
    assert m.bias is None and list(m.state_dict()) == [
        "weight",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    assert repr(m) == (
        "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=False, track_running_stats=True)"
    )
    x = torch.tensor([[[[1.0]], [[2.0]], [[3.0]]], [[[3.0]], [[2.0]], [[1.0]]]])
    with torch.no_grad():
        m.weight.copy_(torch.tensor([2.0, 1.0, 1.0]))
    y = m(x)  # (x - mean) / sqrt(var + eps) * weight, no shift
    np.testing.assert_allclose(
        y[:, 0, 0, 0].tolist(), [-2 / math.sqrt(1 + 1e-5), 2 / math.sqrt(1 + 1e-5)], rtol=1e-6
    )
    assert y[:, 1].tolist() == [[[0.0]], [[0.0]]]


@pytest.mark.parametrize(
    ("dtype", "kwargs", "node"),
    [  # what PyTorch 2.13's CPU build shows (a float32 unidirectional LSTM runs on oneDNN)
        (torch.float32, {}, "MkldnnRnnLayerBackward0"),
        (torch.float32, {"num_layers": 2}, "MkldnnRnnLayerBackward0"),
        (torch.float64, {}, "StackBackward0"),
        (torch.float32, {"bidirectional": True}, "CatBackward0"),
        (torch.float32, {"batch_first": True}, "TransposeBackward0"),
    ],
)
def test_lstm_output_node_name(dtype, kwargs, node) -> None:
    torch.manual_seed(0)
    m = nn.LSTM(3, 4, dtype=dtype, **kwargs)
    x = torch.randn(5, 2, 3, dtype=dtype, requires_grad=True)
    out, (h, c) = m(x)
    assert out.grad_fn.name() == node
    assert h.grad_fn.name() == c.grad_fn.name() == "StackBackward0"
    out.sum().backward()  # the renamed node passes the gradient through: same as in float64
    m64 = nn.LSTM(3, 4, dtype=torch.float64, **kwargs)
    m64.load_state_dict({k: v.double() for k, v in m.state_dict().items()})
    x64 = x.detach().double().requires_grad_()
    m64(x64)[0].sum().backward()
    np.testing.assert_allclose(x.grad.tolist(), x64.grad.tolist(), rtol=1e-4, atol=1e-6)


def test_linear_node_inputs_in_pytorchs_order() -> None:
    # PyTorch's Linear is addmm(bias, input, weight.t()): the blitz tutorial walks
    # loss.grad_fn.next_functions[0][0].next_functions[0][0] and finds the bias's AccumulateGrad
    lin = nn.Linear(3, 2)
    x = torch.randn(4, 3, requires_grad=True)
    y = lin(x.relu())
    first = [n[0] for n in y.grad_fn.next_functions]
    assert y.grad_fn.name() == "AddmmBackward0"
    assert type(first[0]).__name__ == "AccumulateGrad"
    assert first[0].variable is lin.bias and first[1].name() == "ReluBackward0"
    assert lin(torch.randn(3)).grad_fn.name() == "ViewBackward0"
    assert nn.Linear(3, 2, bias=False)(torch.randn(3)).grad_fn.name() == "SqueezeBackward4"
    (y * torch.tensor([[1.0, -1.0]])).sum().backward()
    np.testing.assert_allclose(lin.bias.grad.tolist(), [4.0, -4.0])
    assert x.grad.shape == (4, 3) and lin.weight.grad.shape == (2, 3)


@pytest.mark.parametrize(
    "kwargs", [{}, {"weight_decay": 0.1, "rho": 0.8}, {"maximize": True, "lr": 0.5, "eps": 1e-4}]
)
def test_adadelta_follows_the_published_update(kwargs) -> None:
    # Zeiler's Adadelta as PyTorch documents it, in numpy float64 (pytorch/examples' MNIST)
    lr, rho, eps = kwargs.get("lr", 1.0), kwargs.get("rho", 0.9), kwargs.get("eps", 1e-6)
    wd, sign = kwargs.get("weight_decay", 0.0), -1.0 if kwargs.get("maximize") else 1.0
    start = np.linspace(-1.5, 2.0, 7)
    p, v, u = start.copy(), np.zeros(7), np.zeros(7)
    w = torch.tensor(start, requires_grad=True)
    opt = torch.optim.Adadelta([w], **kwargs)
    for _ in range(20):
        opt.zero_grad()
        ((w * w).sum() + (w.sin() * 3).sum()).backward()
        opt.step()
        d = sign * (2 * p + 3 * np.cos(p)) + wd * p
        v = rho * v + (1 - rho) * d * d
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * d
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta
    np.testing.assert_allclose(w.tolist(), p, rtol=1e-12, atol=1e-14)
    state = opt.state_dict()["state"][0]
    assert sorted(state) == ["acc_delta", "square_avg", "step"] and state["step"].item() == 20.0
    with pytest.raises(ValueError, match=r"^Invalid rho value: 1.5$"):
        torch.optim.Adadelta([w], rho=1.5)
