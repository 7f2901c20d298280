"""MultiheadAttention and the Transformer modules against real PyTorch 2.13.

Reference values: ``tests/fixtures/nnmore_attention.pt``, written by PyTorch through
``tests/parity/record_nnmore_attention.py`` (state_dict, inputs, outputs, gradients of the
inputs and parameters for a fixed linear weighting of the outputs).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import jitgrad as torch
from jitgrad import nn

CASES = torch.load(Path(__file__).parent / "fixtures" / "nnmore_attention.pt")
KPM = torch.tensor([[False] * 5, [False, False, False, True, True]])


def _build(name: str) -> tuple[nn.Module, dict]:
    if name == "mha_masks":
        return nn.MultiheadAttention(8, 2), {
            "attn_mask": torch.triu(torch.ones(5, 5, dtype=torch.bool), 1),
            "key_padding_mask": KPM,
        }
    if name == "mha_kdim":
        m = nn.MultiheadAttention(8, 4, kdim=6, vdim=3, batch_first=True, bias=False)
        return m, {"attn_mask": CASES[name]["mask"], "average_attn_weights": False}
    if name == "mha_unbatched_self":
        return nn.MultiheadAttention(6, 3), {"need_weights": False}
    if name == "encoder":
        layer = nn.TransformerEncoderLayer(
            8, 2, 16, dropout=0.1, activation="gelu", batch_first=True, norm_first=True
        )
        enc = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8), enable_nested_tensor=False)
        mask = nn.Transformer.generate_square_subsequent_mask(5)
        return enc.eval(), {"mask": mask, "src_key_padding_mask": KPM}
    if name == "transformer":
        t = nn.Transformer(8, 2, 2, 2, 16, dropout=0.2).eval()
        mask = nn.Transformer.generate_square_subsequent_mask(3)
        return t, {"tgt_mask": mask, "memory_key_padding_mask": KPM}
    assert name == "decoder_layer"
    return nn.TransformerDecoderLayer(8, 2, 12, dropout=0.0), {}


@pytest.mark.parametrize(
    "name",
    ["mha_masks", "mha_kdim", "mha_unbatched_self", "encoder", "transformer", "decoder_layer"],
)
def test_matches_pytorch(name: str) -> None:
    case = CASES[name]
    module, kwargs = _build(name)
    assert [n for n, _ in module.named_parameters()] == case["names"]
    module.load_state_dict(case["state"])
    args = [a.clone().requires_grad_(True) if a.is_floating_point() else a for a in case["args"]]
    out = module(*args, **kwargs)
    outs = [o for o in (out if isinstance(out, tuple) else (out,)) if o is not None]
    assert len(outs) == len(case["outs"])
    loss = 0
    for o, ref in zip(outs, case["outs"], strict=True):
        assert tuple(o.shape) == tuple(ref.shape)
        np.testing.assert_allclose(o.detach().numpy(), ref.numpy(), rtol=1e-4, atol=1e-5)
        w = torch.linspace(-1, 1, o.numel(), dtype=o.dtype).reshape(o.shape)
        loss = loss + (o * w).sum()
    loss.backward()
    grads = [a.grad for a in args if a.is_floating_point()]
    for g, ref in zip(grads, case["arg_grads"], strict=True):
        np.testing.assert_allclose(g.numpy(), ref.numpy(), rtol=1e-4, atol=1e-5)
    for n, p in module.named_parameters():
        np.testing.assert_allclose(
            p.grad.numpy(), case["param_grads"][n].numpy(), rtol=1e-4, atol=1e-5, err_msg=n
        )


def test_dropout_in_train_mode_and_deterministic_eval() -> None:
    torch.manual_seed(0)
    t = nn.Transformer(8, 2, 1, 1, 16, dropout=0.5)
    src, tgt = torch.randn(4, 2, 8), torch.randn(3, 2, 8)
    a, b = t(src, tgt), t(src, tgt)
    assert not torch.allclose(a, b)
    t.eval()
    assert torch.equal(t(src, tgt), t(src, tgt))


def test_square_subsequent_mask_and_errors() -> None:
    m = nn.Transformer.generate_square_subsequent_mask(3)
    inf = float("-inf")
    assert m.tolist() == [[0.0, inf, inf], [0.0, 0.0, inf], [0.0, 0.0, 0.0]]
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(6, 4)
    mha = nn.MultiheadAttention(4, 2)
    msg = r"The shape of the 2D attn_mask is torch\.Size\(\[2, 2\]\), but should be \(3, 3\)\."
    with pytest.raises(RuntimeError, match=msg):
        mha(torch.randn(3, 1, 4), torch.randn(3, 1, 4), torch.randn(3, 1, 4),
            attn_mask=torch.zeros(2, 2))  # fmt: skip
    assert repr(mha) == (
        "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=4, "
        "out_features=4, bias=True)\n)"
    )


def test_encoder_zeroes_padded_positions_like_pytorchs_nested_fast_path() -> None:
    case = CASES["encoder_fastpath"]
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2)
    enc.load_state_dict(case["state"])
    enc.eval()
    for key in ("left", "not_left"):
        mask = case[key + "_mask"]
        with torch.no_grad():
            got = enc(case["x"], src_key_padding_mask=mask)
        np.testing.assert_allclose(got.numpy(), case[key].numpy(), rtol=1e-4, atol=1e-5)
        got = enc(case["x"], src_key_padding_mask=mask).detach()
        np.testing.assert_allclose(got.numpy(), case[key + "_grad_mode"].numpy(), atol=1e-5)
    with torch.no_grad():
        assert enc(case["x"], src_key_padding_mask=case["left_mask"])[0, 2:].abs().sum() == 0
    with pytest.warns(UserWarning, match="self.use_nested_tensor is False because encoder_layer"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, norm_first=True), 1)


def test_fast_path_flag_survives_a_backend_wrapping_the_activation() -> None:
    # Making a meta tensor installs the meta backend, which wraps F.relu; the layer's default
    # activation is still the function it was when the class was defined.
    torch.empty(2, device="meta")
    layer = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    assert layer.activation_relu_or_gelu == 1
    assert nn.TransformerEncoderLayer(8, 2, 16, activation="gelu").activation_relu_or_gelu == 2
    assert nn.TransformerEncoder(layer, 1).use_nested_tensor
