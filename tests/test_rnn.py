"""RNN/LSTM/GRU and their cells against real PyTorch 2.13: outputs and gradients recorded by
tests/fixtures/make_rnn_fixtures.py (run with PyTorch, never jitgrad) into rnn_expected.json;
parameter names, shapes, init, reprs and error messages as PyTorch 2.13 prints them."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import jitgrad as jg
import jitgrad.nn as nn

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "rnn_expected.json").read_text())[
    "cases"
]


def _t(data, requires_grad: bool = False) -> jg.Tensor:
    return jg.tensor(data, dtype=jg.float32, requires_grad=requires_grad)


def _flat(result) -> list:
    """Outputs in the fixture's order: output, h_n[, c_n] for layers; h[, c] for cells."""
    if isinstance(result, jg.Tensor):
        return [result]
    return [t for item in result for t in _flat(item)]


def _close(actual: jg.Tensor, expected, what: str) -> None:
    np.testing.assert_allclose(
        actual.detach().numpy(), np.array(expected, np.float32), rtol=1e-5, atol=1e-5,
        err_msg=what,
    )  # fmt: skip


@pytest.mark.parametrize("case", FIXTURES, ids=[c["name"] for c in FIXTURES])
def test_matches_pytorch_outputs_and_gradients(case: dict) -> None:
    module = getattr(nn, case["class"])(**case["kwargs"])
    assert [n for n, _ in module.named_parameters()] == case["param_order"]
    module.load_state_dict({k: _t(v) for k, v in case["state_dict"].items()})
    x = _t(case["input"], requires_grad=True)
    hs = [_t(h, requires_grad=True) for h in case["hidden"] or []]
    if not hs:
        result = module(x)
    elif case["class"] in ("LSTM", "LSTMCell"):
        result = module(x, tuple(hs))
    else:
        result = module(x, hs[0])
    outs = _flat(result)
    assert len(outs) == len(case["outputs"])
    for k, (out, expected) in enumerate(zip(outs, case["outputs"])):
        assert tuple(out.shape) == np.shape(expected)
        _close(out, expected, f"output {k}")
    loss = sum((o * _t(w)).sum() for o, w in zip(outs, case["loss_weights"]))
    assert loss.item() == pytest.approx(case["loss"], rel=1e-5, abs=1e-5)
    params = dict(module.named_parameters())
    grads = jg.autograd.grad(loss, [x, *hs, *params.values()])
    _close(grads[0], case["grad_input"], "grad input")
    for k, (g, expected) in enumerate(zip(grads[1 : 1 + len(hs)], case["grad_hidden"])):
        _close(g, expected, f"grad hidden {k}")
    for name, g in zip(params, grads[1 + len(hs) :]):
        _close(g, case["grad_params"][name], f"grad {name}")


def test_fixture_covers_every_class_and_option() -> None:
    classes = {c["class"] for c in FIXTURES}
    assert classes == {"RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"}
    kw = [c["kwargs"] for c in FIXTURES]
    assert any(k.get("bidirectional") for k in kw) and any(k.get("batch_first") for k in kw)
    assert any(k.get("num_layers", 1) > 1 for k in kw) and any(k.get("bias") is False for k in kw)
    assert any(k.get("nonlinearity") == "relu" for k in kw)
    assert any(c["hidden"] is None for c in FIXTURES) and any(c["hidden"] for c in FIXTURES)


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU])
def test_gradcheck_float64(cls) -> None:
    """Input, initial state and every parameter (gradcheck perturbs them in place)."""
    jg.manual_seed(0)
    module = cls(2, 2, bidirectional=True).double()
    x = jg.randn(3, 1, 2, dtype=jg.float64, requires_grad=True)
    h = jg.randn(2, 1, 2, dtype=jg.float64, requires_grad=True)

    def fn(x, h, *params):
        out, hn = module(x, (h, h * 0.5) if cls is nn.LSTM else h)
        return out, *_flat(hn)

    assert module(x, h if cls is nn.GRU else (h, h))[0].dtype == jg.float64
    assert jg.autograd.gradcheck(fn, (x, h, *module.parameters()))


@pytest.mark.parametrize("cls", [nn.LSTMCell, nn.GRUCell, nn.RNNCell])
def test_cell_double_backward(cls) -> None:
    jg.manual_seed(1)
    cell = cls(2, 2).double()
    x = jg.randn(1, 2, dtype=jg.float64, requires_grad=True)
    h = jg.randn(1, 2, dtype=jg.float64, requires_grad=True)

    def fn(x, h):
        return _flat(cell(x, (h, h * 0.5) if cls is nn.LSTMCell else h))[-1]

    assert jg.autograd.gradgradcheck(fn, (x, h))


def test_named_parameters_shapes_and_init() -> None:
    jg.manual_seed(0)
    gru = nn.GRU(3, 4, num_layers=2, bidirectional=True)
    shapes = [(n, tuple(p.shape)) for n, p in gru.named_parameters()]
    expected = []
    for layer, width in ((0, 3), (1, 8)):
        for sfx in ("", "_reverse"):
            expected += [
                (f"weight_ih_l{layer}{sfx}", (12, width)),
                (f"weight_hh_l{layer}{sfx}", (12, 4)),
                (f"bias_ih_l{layer}{sfx}", (12,)),
                (f"bias_hh_l{layer}{sfx}", (12,)),
            ]
    assert shapes == expected
    assert [[tuple(p.shape) for p in ws] for ws in gru.all_weights][1] == [
        (12, 3), (12, 4), (12,), (12,),
    ]  # fmt: skip
    assert list(gru.state_dict()) == [n for n, _ in expected]
    assert [n for n, _ in nn.RNN(3, 4, bias=False).named_parameters()] == [
        "weight_ih_l0",
        "weight_hh_l0",
    ]
    lstm = nn.LSTM(5, 16)
    cell = nn.LSTMCell(5, 16, bias=False)
    assert [n for n, _ in cell.named_parameters()] == ["weight_ih", "weight_hh"]
    assert cell.bias_ih is None and tuple(cell.weight_ih.shape) == (64, 5)
    for p in [*lstm.parameters(), *cell.parameters()]:
        values = p.detach().numpy()
        assert np.abs(values).max() <= 0.25 and values.std() > 0.1  # U(-1/4, 1/4)
    assert all(p.requires_grad and p.grad is None for p in lstm.parameters())


def test_reprs() -> None:
    assert repr(nn.LSTM(10, 20, num_layers=2, batch_first=True)) == (
        "LSTM(10, 20, num_layers=2, batch_first=True)"
    )
    assert repr(nn.RNN(3, 4)) == "RNN(3, 4)"
    with pytest.warns(UserWarning, match="dropout=0.5 and num_layers=1"):
        rnn = nn.RNN(3, 4, nonlinearity="relu", bias=False, dropout=0.5, bidirectional=True)
    assert repr(rnn) == "RNN(3, 4, bias=False, dropout=0.5, bidirectional=True)"
    assert rnn.nonlinearity == "relu" and rnn.mode == "RNN_RELU"
    assert repr(nn.GRU(3, 4, 2, dropout=0.25)) == "GRU(3, 4, num_layers=2, dropout=0.25)"
    assert repr(nn.RNNCell(3, 4, bias=False, nonlinearity="relu")) == (
        "RNNCell(3, 4, bias=False, nonlinearity=relu)"
    )
    assert repr(nn.LSTMCell(3, 4)) == "LSTMCell(3, 4)"
    assert repr(nn.GRUCell(3, 4, bias=False)) == "GRUCell(3, 4, bias=False)"
    net = nn.Sequential(nn.Embedding(5, 3), nn.LSTM(3, 4))
    assert "(1): LSTM(3, 4)" in repr(net)


# Messages recorded from PyTorch 2.13 (/tmp/torchenv) for the same calls.
def _err_cases():
    lstm, gru = nn.LSTM(10, 20), nn.GRU(10, 20)
    lcell, gcell = nn.LSTMCell(10, 20), nn.GRUCell(10, 20)
    r = jg.randn
    return [
        (lambda: lstm(r(5, 3, 7)), RuntimeError,
         "input.size(-1) must be equal to input_size. Expected 10, got 7"),
        (lambda: lstm(r(5, 3, 4, 10)), ValueError,
         "LSTM: Expected input to be 2D or 3D, got 4D instead"),
        (lambda: nn.RNN(10, 20)(r(10)), ValueError,
         "RNN: Expected input to be 2D or 3D, got 1D tensor instead"),
        (lambda: lstm(r(5, 3, 10), (r(2, 3, 20), r(1, 3, 20))), RuntimeError,
         "Expected hidden[0] size (1, 3, 20), got [2, 3, 20]"),
        (lambda: lstm(r(5, 3, 10), (r(1, 3, 20), r(1, 3, 21))), RuntimeError,
         "Expected hidden[1] size (1, 3, 20), got [1, 3, 21]"),
        (lambda: lstm(r(5, 3, 10), (r(1, 20), r(1, 20))), RuntimeError,
         "For batched 3-D input, hx and cx should also be 3-D but got (2-D, 2-D) tensors"),
        (lambda: lstm(r(5, 10), (r(1, 3, 20), r(1, 3, 20))), RuntimeError,
         "For unbatched 2-D input, hx and cx should also be 2-D but got (3-D, 3-D) tensors"),
        (lambda: gru(r(5, 3, 10), r(1, 4, 20)), RuntimeError,
         "Expected hidden size (1, 3, 20), got [1, 4, 20]"),
        (lambda: gru(r(5, 10), r(1, 3, 20)), RuntimeError,
         "For unbatched 2-D input, hx should also be 2-D but got 3-D tensor"),
        (lambda: gru(r(5, 3, 10), r(3, 20)), RuntimeError,
         "For batched 3-D input, hx should also be 3-D but got 2-D tensor"),
        (lambda: gru(r(0, 3, 10)), RuntimeError,
         "Expected sequence length to be larger than 0 in RNN"),
        (lambda: gru(r(5, 3, 10, dtype=jg.float64)), ValueError,
         "RNN input dtype (jitgrad.float64) does not match weight dtype (jitgrad.float32). "
         "Convert input: input.to(jitgrad.float32), or convert model: model.to(jitgrad.float64)"),
        (lambda: gru(r(5, 3, 10), r(1, 3, 20, dtype=jg.float64)), RuntimeError,
         "mat1 and mat2 must have the same dtype, but got Double and Float"),
        (lambda: nn.RNN(3, 4, nonlinearity="gelu"), ValueError,
         "Unknown nonlinearity 'gelu'. Select from 'tanh' or 'relu'."),
        (lambda: nn.LSTM(3, 4, dropout=1.5), ValueError,
         "dropout should be a number in range [0, 1] representing the probability of an "
         "element being zeroed"),
        (lambda: nn.RNN(3, 0), ValueError, "hidden_size must be greater than zero"),
        (lambda: nn.GRU(3, 4, num_layers=0), ValueError, "num_layers must be greater than zero"),
        (lambda: nn.RNN(3, 4.0), TypeError, "hidden_size should be of type int, got: float"),
        (lambda: nn.LSTM(10, 20, bias=1), TypeError, "bias should be of type bool, got: int"),
        (lambda: nn.GRU(10, 20, proj_size=2), ValueError,
         "proj_size argument is only supported for LSTM, not RNN or GRU"),
        (lambda: nn.LSTM(10, 20, foo=1), TypeError,
         "RNNBase.__init__() got an unexpected keyword argument 'foo'"),
        (lambda: nn.LSTM(10, 20, proj_size=20), ValueError,
         "proj_size has to be smaller than hidden_size"),
        (lambda: lcell(r(3, 7)), RuntimeError,
         "input has inconsistent input_size: got 7 expected 10"),
        (lambda: lcell(r(3, 4, 10)), ValueError,
         "LSTMCell: Expected input to be 1D or 2D, got 3D instead"),
        (lambda: lcell(r(3, 10), (r(3, 20), r(4, 20))), RuntimeError,
         "Input batch size 3 doesn't match hidden1 batch size 4"),
        (lambda: lcell(r(3, 10), (r(3, 21), r(3, 20))), RuntimeError,
         "hidden0 has inconsistent hidden_size: got 21, expected 20"),
        (lambda: lcell(r(3, 10), r(3, 20)), TypeError,
         "lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not Tensor"),
        (lambda: lcell(r(3, 10), (r(3, 20),)), RuntimeError, "lstm_cell expects two hidden states"),
        (lambda: gcell(r(3, 10), r(4, 20)), RuntimeError,
         "Input batch size 3 doesn't match hidden0 batch size 4"),
        (lambda: gcell(r(3, 10), r(3, 4, 20)), ValueError,
         "GRUCell: Expected hidden to be 1D or 2D, got 3D instead"),
        (lambda: gcell(r(3, 10, dtype=jg.float64)), RuntimeError,
         "mat1 and mat2 must have the same dtype, but got Double and Float"),
        (lambda: nn.RNNCell(3, 4, nonlinearity="gelu")(r(2, 3)), RuntimeError,
         "Unknown nonlinearity: gelu"),
    ]  # fmt: skip


@pytest.mark.parametrize("index", range(len(_err_cases())))
def test_errors_match_pytorch(index: int) -> None:
    call, kind, message = _err_cases()[index]
    with pytest.raises(kind) as info:
        call()
    assert str(info.value) == message


def test_not_implemented_features_say_so() -> None:
    class FakePacked(tuple):
        batch_sizes = None

    with pytest.raises(NotImplementedError, match="is not a jitgrad.nn.utils.rnn.PackedSequence"):
        nn.GRU(3, 4)(FakePacked())


def test_output_shapes_batch_first_bidirectional_unbatched() -> None:
    lstm = nn.LSTM(3, 5, num_layers=2, bidirectional=True, batch_first=True)
    out, (h, c) = lstm(jg.randn(2, 7, 3))
    assert out.shape == (2, 7, 10) and h.shape == (4, 2, 5) and c.shape == (4, 2, 5)
    out, (h, c) = lstm(jg.randn(7, 3))
    assert out.shape == (7, 10) and h.shape == (4, 5) and c.shape == (4, 5)
    out, h = nn.RNN(3, 5)(jg.randn(7, 3), jg.zeros(1, 5))
    assert out.shape == (7, 5) and h.shape == (1, 5)
    assert nn.GRUCell(3, 5)(jg.randn(3)).shape == (5,)
    # the last time step of a unidirectional output is h_n of the last layer
    gru = nn.GRU(3, 5, num_layers=2)
    out, h = gru(jg.randn(4, 2, 3))
    np.testing.assert_array_equal(out[-1].detach().numpy(), h[1].detach().numpy())
    assert out.grad_fn.name() == "StackBackward0"


def test_dropout_between_layers_only_in_training() -> None:
    jg.manual_seed(0)
    gru = nn.GRU(3, 4, num_layers=2, dropout=1.0)  # layer 2 sees only zeros in training
    x = jg.randn(3, 2, 3, requires_grad=True)
    out, _ = gru(x)
    out.sum().backward()
    assert np.all(x.grad.numpy() == 0) and np.all(gru.weight_ih_l0.grad.numpy() == 0)
    gru.eval()
    first, _ = gru(x)
    second, _ = gru(x)
    np.testing.assert_array_equal(first.detach().numpy(), second.detach().numpy())
    first.sum().backward()
    assert np.abs(x.grad.numpy()).sum() > 0


def test_cell_matches_one_step_of_the_layer() -> None:
    jg.manual_seed(0)
    lstm, cell = nn.LSTM(3, 4), nn.LSTMCell(3, 4)
    cell.load_state_dict({k[:-3]: v for k, v in lstm.state_dict().items()})
    x = jg.randn(1, 2, 3)
    _, (h, c) = lstm(x)
    h1, c1 = cell(x[0])
    np.testing.assert_allclose(h1.detach().numpy(), h[0].detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(c1.detach().numpy(), c[0].detach().numpy(), rtol=1e-6)


def test_gru_gate_formula_by_hand() -> None:
    """One GRU step written out with numpy from PyTorch's documented equations."""
    jg.manual_seed(3)
    cell = nn.GRUCell(2, 3)
    x, h = jg.randn(1, 2), jg.randn(1, 3)
    w_ih, w_hh = cell.weight_ih.detach().numpy(), cell.weight_hh.detach().numpy()
    b_ih, b_hh = cell.bias_ih.detach().numpy(), cell.bias_hh.detach().numpy()
    xn, hn = x.numpy().astype(np.float64), h.numpy().astype(np.float64)
    gi, gh = xn @ w_ih.T + b_ih, hn @ w_hh.T + b_hh

    def sig(v):
        return 1 / (1 + np.exp(-v))

    r, z = sig(gi[:, :3] + gh[:, :3]), sig(gi[:, 3:6] + gh[:, 3:6])
    n = np.tanh(gi[:, 6:] + r * gh[:, 6:])
    expected = (1 - z) * n + z * hn
    np.testing.assert_allclose(cell(x, h).detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    assert math.isfinite(float(cell(x, h).sum()))


def test_zero_input_size_cell_constructs() -> None:
    """PyTorch allows ``LSTMCell(0, 4)``; its empty weight must take the uniform init (an
    empty tensor has zero strides in NumPy but no overlapping elements)."""
    cell = nn.LSTMCell(0, 4)
    assert tuple(cell.weight_ih.shape) == (16, 0) and repr(cell) == "LSTMCell(0, 4)"
    assert jg.zeros(3, 0).uniform_().shape == (3, 0)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        jg.zeros(1, 3).expand(2, 3).uniform_()
