"""Focused tests for what the session-10 corpus programs (mamba-minimal, efficient-kan,
Whisper, MADE, minDiffusion, LLMs-from-scratch and others) needed that jitgrad lacked.

* ``Tensor.split`` names its argument ``split_size`` (``torch.split``'s is
  ``split_size_or_sections``): mamba-minimal calls ``x.split(split_size=[...], dim=1)``.

Expected texts and values are PyTorch 2.13's for the same calls.
"""

from __future__ import annotations

import pytest

import jitgrad as torch
import jitgrad.nn.functional as F


def test_tensor_split_takes_pytorchs_method_keyword():
    x = torch.arange(6.0)
    assert [p.tolist() for p in x.split(split_size=2)] == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    a, b = torch.arange(12.0).view(2, 6).split(split_size=[2, 4], dim=1)
    assert a.tolist() == [[0.0, 1.0], [6.0, 7.0]]
    assert b.tolist() == [[2.0, 3.0, 4.0, 5.0], [8.0, 9.0, 10.0, 11.0]]
    # torch.split keeps the function's keyword; each spelling is refused by the other.
    assert [p.tolist() for p in torch.split(x, split_size_or_sections=[2, 4])] == [
        [0.0, 1.0],
        [2.0, 3.0, 4.0, 5.0],
    ]
    msg = "Tensor.split() got an unexpected keyword argument 'split_size_or_sections'"
    with pytest.raises(TypeError, match=msg.replace("(", r"\(").replace(")", r"\)")):
        x.split(split_size_or_sections=2)


def _close(got, want, tol=1e-6):
    return all(abs(g - w) <= tol for g, w in zip(got, want, strict=True))


def test_multi_head_attention_forward_separate_weights_narrow_out_proj():
    x = torch.arange(12.0).reshape(3, 1, 4) / 10  # (L, N, E)
    w = (torch.arange(16.0).reshape(4, 4) - 7) / 20
    out, weights = F.multi_head_attention_forward(
        query=x[:1], key=x, value=x, embed_dim_to_check=4, num_heads=2,
        q_proj_weight=w, k_proj_weight=w.t(), v_proj_weight=w * 2, in_proj_weight=None,
        in_proj_bias=torch.tensor([0.1, 0, 0, 0, 0, 0.2, 0, 0, 0, 0, 0, 0.3]),
        bias_k=None, bias_v=None, add_zero_attn=False, dropout_p=0.0,
        out_proj_weight=torch.ones(2, 4) / 4, out_proj_bias=torch.tensor([0.5, -0.5]),
        use_separate_proj_weight=True, training=False, need_weights=True,
    )  # fmt: skip
    assert tuple(out.shape) == (1, 1, 2) and tuple(weights.shape) == (1, 1, 3)
    assert _close(out.flatten().tolist(), [0.7419078350067139, -0.2580921947956085])
    want = [0.32789188623428345, 0.3332812190055847, 0.33882689476013184]
    assert _close(weights.flatten().tolist(), want)


def test_multi_head_attention_forward_packed_unbatched_bool_mask_per_head():
    xin = (torch.arange(8.0).reshape(2, 4) - 3) / 5
    w = (torch.arange(48.0).reshape(12, 4) % 7 - 3) / 10
    mask = torch.tensor([[False, True], [False, False]])
    out, weights = F.multi_head_attention_forward(
        xin, xin, xin, 4, 2, w, None, None, None, False, 0.0, torch.eye(4), None,
        training=False, attn_mask=mask, average_attn_weights=False,
    )  # fmt: skip
    assert tuple(out.shape) == (2, 4) and tuple(weights.shape) == (2, 2, 2)
    want = [-0.2, 0.16, -0.18, 0.04, -0.08176480978727341, 0.08117654174566269, -0.18,
            0.12244300544261932]  # fmt: skip
    assert _close(out.flatten().tolist(), want)
    want = [1.0, 0.0, 0.5073533654212952, 0.49264660477638245, 1.0, 0.0, 0.4847312271595001,
            0.5152687430381775]  # fmt: skip
    assert _close(weights.flatten().tolist(), want)
