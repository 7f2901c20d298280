"""Conformance fixes checked against PyTorch 2.13: ``copy_`` casts, node names, inference mode.

The expected values are literals printed by PyTorch 2.13.0 (CPU) for
``torch.zeros(4, dtype=dst).copy_(torch.tensor(SOURCES[src], dtype=src))``; float -> uint8 of
a negative value is PyTorch's (through int64, wrapping) and numpy's on x86 alike.
"""

import math
import threading

import pytest

import jitgrad as torch
import jitgrad.nn.functional as F

SOURCES = {
    "bool": [True, False, True, False],
    "uint8": [0, 1, 200, 100],
    "int8": [0, 1, -2, 100],
    "int16": [0, 1, -2, 100],
    "int32": [0, 1, -2, 100],
    "int64": [0, 1, -2, 100],
    "float32": [1.7, -2.2, 3.0, 0.0],
    "float64": [1.7, -2.2, 3.0, 0.0],
}

EXPECTED = {
    ("bool", "bool"): [True, False, True, False],
    ("bool", "uint8"): [1, 0, 1, 0],
    ("bool", "int8"): [1, 0, 1, 0],
    ("bool", "int16"): [1, 0, 1, 0],
    ("bool", "int32"): [1, 0, 1, 0],
    ("bool", "int64"): [1, 0, 1, 0],
    ("bool", "float32"): [1.0, 0.0, 1.0, 0.0],
    ("bool", "float64"): [1.0, 0.0, 1.0, 0.0],
    ("uint8", "bool"): [False, True, True, True],
    ("uint8", "uint8"): [0, 1, 200, 100],
    ("uint8", "int8"): [0, 1, -56, 100],
    ("uint8", "int16"): [0, 1, 200, 100],
    ("uint8", "int32"): [0, 1, 200, 100],
    ("uint8", "int64"): [0, 1, 200, 100],
    ("uint8", "float32"): [0.0, 1.0, 200.0, 100.0],
    ("uint8", "float64"): [0.0, 1.0, 200.0, 100.0],
    ("int8", "bool"): [False, True, True, True],
    ("int8", "uint8"): [0, 1, 254, 100],
    ("int8", "int8"): [0, 1, -2, 100],
    ("int8", "int16"): [0, 1, -2, 100],
    ("int8", "int32"): [0, 1, -2, 100],
    ("int8", "int64"): [0, 1, -2, 100],
    ("int8", "float32"): [0.0, 1.0, -2.0, 100.0],
    ("int8", "float64"): [0.0, 1.0, -2.0, 100.0],
    ("int16", "bool"): [False, True, True, True],
    ("int16", "uint8"): [0, 1, 254, 100],
    ("int16", "int8"): [0, 1, -2, 100],
    ("int16", "int16"): [0, 1, -2, 100],
    ("int16", "int32"): [0, 1, -2, 100],
    ("int16", "int64"): [0, 1, -2, 100],
    ("int16", "float32"): [0.0, 1.0, -2.0, 100.0],
    ("int16", "float64"): [0.0, 1.0, -2.0, 100.0],
    ("int32", "bool"): [False, True, True, True],
    ("int32", "uint8"): [0, 1, 254, 100],
    ("int32", "int8"): [0, 1, -2, 100],
    ("int32", "int16"): [0, 1, -2, 100],
    ("int32", "int32"): [0, 1, -2, 100],
    ("int32", "int64"): [0, 1, -2, 100],
    ("int32", "float32"): [0.0, 1.0, -2.0, 100.0],
    ("int32", "float64"): [0.0, 1.0, -2.0, 100.0],
    ("int64", "bool"): [False, True, True, True],
    ("int64", "uint8"): [0, 1, 254, 100],
    ("int64", "int8"): [0, 1, -2, 100],
    ("int64", "int16"): [0, 1, -2, 100],
    ("int64", "int32"): [0, 1, -2, 100],
    ("int64", "int64"): [0, 1, -2, 100],
    ("int64", "float32"): [0.0, 1.0, -2.0, 100.0],
    ("int64", "float64"): [0.0, 1.0, -2.0, 100.0],
    ("float32", "bool"): [True, True, True, False],
    ("float32", "uint8"): [1, 254, 3, 0],
    ("float32", "int8"): [1, -2, 3, 0],
    ("float32", "int16"): [1, -2, 3, 0],
    ("float32", "int32"): [1, -2, 3, 0],
    ("float32", "int64"): [1, -2, 3, 0],
    ("float32", "float32"): [1.7000000476837158, -2.200000047683716, 3.0, 0.0],
    ("float32", "float64"): [1.7000000476837158, -2.200000047683716, 3.0, 0.0],
    ("float64", "bool"): [True, True, True, False],
    ("float64", "uint8"): [1, 254, 3, 0],
    ("float64", "int8"): [1, -2, 3, 0],
    ("float64", "int16"): [1, -2, 3, 0],
    ("float64", "int32"): [1, -2, 3, 0],
    ("float64", "int64"): [1, -2, 3, 0],
    ("float64", "float32"): [1.7000000476837158, -2.200000047683716, 3.0, 0.0],
    ("float64", "float64"): [1.7, -2.2, 3.0, 0.0],
}


@pytest.mark.parametrize("pair", sorted(EXPECTED))
def test_copy_casts_every_dtype_pair(pair):
    src, dst = pair
    t = torch.zeros(4, dtype=getattr(torch, dst))
    out = t.copy_(torch.tensor(SOURCES[src], dtype=getattr(torch, src)))
    assert out is t and t.dtype == getattr(torch, dst)
    expected = EXPECTED[pair]
    if dst.startswith("float"):
        expected = pytest.approx(expected)
    assert t.tolist() == expected


def test_copy_float_into_long_truncates():
    t = torch.zeros(3, dtype=torch.long).copy_(torch.tensor([1.7, -2.2, 3.0]))
    assert t.tolist() == [1, -2, 3]


def test_copy_float_requiring_grad_into_long_gives_no_graph():
    # PyTorch: tensor([1, 2]) requires_grad=False grad_fn=None
    x = torch.tensor([1.7, 2.0], requires_grad=True)
    t = torch.zeros(2, dtype=torch.long).copy_(x)
    assert t.tolist() == [1, 2] and not t.requires_grad and t.grad_fn is None


def test_copy_long_into_float_with_history_keeps_copy_node():
    # PyTorch: tensor([1., 2.], grad_fn=<CopyBackwards>)
    z = torch.zeros(2).requires_grad_() * 1
    z.copy_(torch.tensor([1, 2]))
    assert z.tolist() == [1.0, 2.0] and type(z.grad_fn).__name__ == "CopyBackwards"


# ---- node names: the literals are PyTorch 2.13's type(t.grad_fn).__name__ --------------------
def _node(t):
    return type(t.grad_fn).__name__


def test_sgn_node_is_sgn_backward():
    x = torch.randn(5, requires_grad=True)
    assert (_node(x.sgn()), _node(torch.sgn(x)), _node(x.sign())) == (
        "SgnBackward0",
        "SgnBackward0",
        "SignBackward0",
    )
    x.sgn().sum().backward()
    assert x.grad.tolist() == [0.0] * 5


def test_pairwise_distance_and_triplet_nodes():
    a, b, c = torch.randn(3, 4, requires_grad=True), torch.randn(3, 4), torch.randn(3, 4)
    assert _node(F.pairwise_distance(a, b)) == "NormBackward1"
    assert _node(F.triplet_margin_loss(a, b, c)) == "MeanBackward0"
    assert _node(F.triplet_margin_loss(a, b, c, reduction="none")) == "ClampMinBackward0"


def _mask(y):
    return y > 0


# key (a callable: of y), value -> PyTorch's node for y = randn(4, 3, requires_grad=True) * 1
SETITEM_NODES = [
    ("mask", _mask, 1.0, "IndexPutBackward0"),
    ("list", [0, 2], 1.0, "IndexPutBackward0"),
    ("index tensor", torch.tensor([0, 1]), 1.0, "IndexPutBackward0"),
    ("list, tensor value", [0, 1], torch.ones(3), "IndexPutBackward0"),
    (":, list", (slice(None), [0, 1]), 1.0, "IndexPutBackward0"),
    ("..., list", (..., [0, 1]), 1.0, "IndexPutBackward0"),
    ("list, :", ([0], slice(None)), 1.0, "IndexPutBackward0"),
    ("int", 1, 1.0, "CopySlices"),
    ("slice", slice(1, 3), 1.0, "CopySlices"),
    ("None", None, 1.0, "CopySlices"),
    ("int, list", (1, [0, 2]), 1.0, "CopySlices"),
    ("slice, list", (slice(1, 3), [0]), 1.0, "CopySlices"),
    ("True", True, 1.0, "CopySlices"),
    ("...", ..., 1.0, "FillBackward3"),
    (":", slice(None), 1.0, "FillBackward3"),
    (":, :", (slice(None), slice(None)), 1.0, "FillBackward3"),
    ("..., 0-d", ..., torch.tensor(2.0), "FillBackward3"),
    ("..., row", ..., torch.ones(3), "CopyBackwards"),
    (":, full", slice(None), torch.ones(4, 3), "CopyBackwards"),
]


@pytest.mark.parametrize(
    "label, key, value, node", SETITEM_NODES, ids=[c[0] for c in SETITEM_NODES]
)
def test_setitem_node_names(label, key, value, node):
    x = torch.randn(4, 3, requires_grad=True)
    y = x * 1
    y[key(y) if callable(key) else key] = value
    assert _node(y) == node
    y.sum().backward()  # the renamed node keeps its backward: 1 where y was not overwritten
    assert x.grad.shape == (4, 3)


def test_advanced_setitem_gradient_with_index_put_name():
    x = torch.tensor([[1.0, -2.0], [3.0, -4.0]], requires_grad=True)
    y = x * 1
    y[y > 0] = 0.0
    y.sum().backward()
    assert _node(y) == "IndexPutBackward0"
    assert x.grad.tolist() == [[0.0, 1.0], [0.0, 1.0]]


# the in-place activation -> PyTorch's node name for the result (and the input, rebased)
INPLACE_ACTIVATIONS = [
    ("elu inplace", lambda y: F.elu(y, inplace=True), "EluBackward1"),
    ("elu_", lambda y: F.elu_(y), "EluBackward1"),
    ("celu_", lambda y: F.celu_(y), "CeluBackward1"),
    ("celu inplace", lambda y: F.celu(y, inplace=True), "CeluBackward1"),
    ("selu inplace", lambda y: F.selu(y, inplace=True), "EluBackward1"),
    ("selu_", lambda y: torch.selu_(y), "EluBackward1"),
    ("rrelu_", lambda y: F.rrelu_(y), "RreluWithNoiseBackward1"),
    ("rrelu train", lambda y: F.rrelu(y, training=True, inplace=True), "RreluWithNoiseBackward1"),
    ("rrelu eval", lambda y: F.rrelu(y, inplace=True), "RreluWithNoiseBackward1"),
    ("leaky_relu_", lambda y: F.leaky_relu_(y), "LeakyReluBackward1"),
    ("leaky inplace", lambda y: F.leaky_relu(y, inplace=True), "LeakyReluBackward1"),
    ("threshold_", lambda y: F.threshold_(y, 0.1, 2.0), "ThresholdBackward1"),
    ("threshold inplace", lambda y: F.threshold(y, 0.1, 2.0, inplace=True), "ThresholdBackward1"),
    ("ELU module", lambda y: torch.nn.ELU(inplace=True)(y), "EluBackward1"),
    ("LeakyReLU module", lambda y: torch.nn.LeakyReLU(inplace=True)(y), "LeakyReluBackward1"),
    ("CELU module", lambda y: torch.nn.CELU(inplace=True)(y), "CeluBackward1"),
    ("SELU module", lambda y: torch.nn.SELU(inplace=True)(y), "EluBackward1"),
    ("RReLU module", lambda y: torch.nn.RReLU(inplace=True)(y), "RreluWithNoiseBackward1"),
    ("hardtanh_", lambda y: F.hardtanh_(y), "HardtanhBackward0"),
    ("relu_", lambda y: F.relu_(y), "ReluBackward0"),
    ("relu6 inplace", lambda y: F.relu6(y, inplace=True), "HardtanhBackward0"),
    ("silu inplace", lambda y: F.silu(y, inplace=True), "SiluBackward0"),
]


@pytest.mark.parametrize(
    "label, fn, node", INPLACE_ACTIVATIONS, ids=[c[0] for c in INPLACE_ACTIVATIONS]
)
def test_inplace_activation_node_names(label, fn, node):
    y = torch.randn(5, requires_grad=True) * 1
    r = fn(y)
    assert r is y and _node(y) == node


def test_inplace_elu_gradient_unchanged_by_rename():
    x = torch.tensor([-1.0, 2.0], dtype=torch.float64, requires_grad=True)
    y = x * 1
    F.elu_(y)
    y.sum().backward()
    assert x.grad.tolist() == pytest.approx([math.exp(-1.0), 1.0])


# ---- inference tensors (PyTorch 2.13's values and messages) -----------------------------------
def test_inference_mode_results_are_inference_tensors():
    with torch.inference_mode():
        t = torch.ones(2)
        u = t * 2
        v = t[0:1]
        w = torch.ones(2, requires_grad=True)
        assert (t.is_inference(), u.is_inference(), v.is_inference()) == (True, True, True)
        assert (w.requires_grad, w.is_inference(), (w * 2).requires_grad) == (True, True, False)
    n = torch.ones(2)
    assert not n.is_inference() and not (t * n).is_inference() and not (t * 2).is_inference()
    assert torch.is_inference(t) and not torch.is_inference(n)
    with torch.no_grad():
        assert not torch.ones(2).is_inference()
    with torch.inference_mode(False):
        assert not torch.ones(2).is_inference()
    assert t.clone().is_inference() is False


def test_inference_tensor_has_no_version_counter():
    with torch.inference_mode():
        t = torch.ones(2)
    with pytest.raises(RuntimeError, match=r"^Inference tensors do not track version counter\.$"):
        _ = t._version


def test_inference_tensor_requires_grad_outside_mode_refused():
    with torch.inference_mode():
        t = torch.ones(2)
    msg = "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed."
    with pytest.raises(RuntimeError) as info:
        t.requires_grad_()
    assert str(info.value) == msg


def test_inference_flag_is_per_thread():
    seen = {}
    entered, done = threading.Event(), threading.Event()

    def other():
        entered.wait()
        seen["other"] = torch.ones(1).is_inference()
        done.set()

    th = threading.Thread(target=other)
    th.start()
    with torch.inference_mode():
        entered.set()
        done.wait()
    th.join()
    assert seen == {"other": False}


def test_inference_tensor_cannot_be_saved_for_backward():
    with torch.inference_mode():
        t = torch.ones(2)
    x = torch.randn(2, requires_grad=True)
    assert (x + t).grad_fn is not None  # nothing saved: allowed
    with pytest.raises(RuntimeError, match=r"^Inference tensors cannot be saved for backward\."):
        x * t


# ---- the default dtype reaches cached elementwise plans ---------------------------------------
def test_default_dtype_change_reaches_cached_plans():
    # PyTorch 2.13: float32 for each before, float64 after set_default_dtype(float64)
    c = torch.tensor([True, False])

    def dtypes():
        return [
            torch.where(c, 1.0, 2.0).dtype,
            (torch.arange(3) * 1.5).dtype,
            (torch.arange(3) / 2).dtype,
            torch.arange(3).sqrt().dtype,
        ]

    assert dtypes() == [torch.float32] * 4
    try:
        torch.set_default_dtype(torch.float64)
        assert dtypes() == [torch.float64] * 4
        assert (torch.arange(3) * 1.5).tolist() == [0.0, 1.5, 3.0]
    finally:
        torch.set_default_dtype(torch.float32)
    assert dtypes() == [torch.float32] * 4


INFERENCE_INPLACE = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
    "clone to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details."
)


def test_inference_tensor_setitem_outside_mode_refused():
    with torch.inference_mode():
        t = torch.ones(2)
        t[0] = 3.0  # inside the mode: allowed
    with pytest.raises(RuntimeError) as info:
        t[1] = 2.0
    assert str(info.value) == INFERENCE_INPLACE and t.tolist() == [3.0, 1.0]


@pytest.mark.parametrize("method", ["add_", "zero_"])
def test_inference_tensor_inplace_outside_mode_refused(method):
    with torch.inference_mode():
        t = torch.ones(2)
    with pytest.raises(RuntimeError) as info:
        getattr(t, method)(*([1] if method == "add_" else []))
    assert str(info.value) == INFERENCE_INPLACE


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("fused", [True, False])
def test_hardswish_gradient_at_the_kinks_is_pytorchs(dtype, fused):
    # PyTorch 2.13 (hardswish_backward): 0 for x <= -3, x/3 + 1/2 for -3 < x < 3, 1 for x >= 3
    # (printed by torch: [0, 0, -1/6, 0.5, 1, 1]); jitgrad gave -0.5 at -3 and 1.5 at 3
    with torch.fusion(fused):
        x = torch.tensor([-3.5, -3.0, -2.0, 0.0, 3.0, 3.5], dtype=dtype, requires_grad=True)
        F.hardswish(x).sum().backward()
    assert x.grad.tolist() == pytest.approx([0.0, 0.0, -2.0 / 3 + 0.5, 0.5, 1.0, 1.0])
