"""Records real PyTorch's MultiheadAttention / Transformer results for tests/test_nn_attention.py.

Run with PyTorch installed (``/tmp/torchenv/bin/python tests/parity/record_nnmore_attention.py``);
writes ``tests/fixtures/nnmore_attention.pt`` (PyTorch's zip format, which jitgrad.load reads):
per case the module's state_dict, its inputs, the outputs and the gradients of the inputs and
of every parameter after ``out.sum()``-style backward with a fixed weighting.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "nnmore_attention.pt"


def _run(module: nn.Module, args: list, kwargs: dict) -> dict:
    args = [a.clone().requires_grad_(True) if a.is_floating_point() else a for a in args]
    out = module(*args, **kwargs)
    outs = list(out) if isinstance(out, tuple) else [out]
    outs = [o for o in outs if o is not None]
    weights = [torch.linspace(-1, 1, o.numel(), dtype=o.dtype).reshape(o.shape) for o in outs]
    loss = sum((o * w).sum() for o, w in zip(outs, weights))
    loss.backward()
    return {
        "state": {k: v.detach().clone() for k, v in module.state_dict().items()},
        "args": [a.detach() for a in args],
        "outs": [o.detach() for o in outs],
        "arg_grads": [a.grad for a in args if a.is_floating_point()],
        "param_grads": {n: p.grad for n, p in module.named_parameters()},
        "names": [n for n, _ in module.named_parameters()],
    }


def main() -> None:
    torch.manual_seed(0)
    cases = {}
    causal = torch.triu(torch.ones(5, 5, dtype=torch.bool), 1)
    kpm = torch.tensor([[False] * 5, [False, False, False, True, True]])
    m = nn.MultiheadAttention(8, 2)
    cases["mha_masks"] = _run(
        m,
        [torch.randn(5, 2, 8), torch.randn(5, 2, 8), torch.randn(5, 2, 8)],
        {"attn_mask": causal, "key_padding_mask": kpm},
    )
    m = nn.MultiheadAttention(8, 4, kdim=6, vdim=3, batch_first=True, bias=False)
    mask = torch.randn(4, 5)
    cases["mha_kdim"] = _run(
        m,
        [torch.randn(2, 4, 8), torch.randn(2, 5, 6), torch.randn(2, 5, 3)],
        {"attn_mask": mask, "average_attn_weights": False},
    )
    cases["mha_kdim"]["mask"] = mask
    m = nn.MultiheadAttention(6, 3)
    x = torch.randn(4, 6)
    cases["mha_unbatched_self"] = _run(m, [x, x, x], {"need_weights": False})
    layer = nn.TransformerEncoderLayer(
        8, 2, 16, dropout=0.1, activation="gelu", batch_first=True, norm_first=True
    )
    enc = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8), enable_nested_tensor=False).eval()
    cases["encoder"] = _run(
        enc,
        [torch.randn(2, 5, 8)],
        {"mask": nn.Transformer.generate_square_subsequent_mask(5), "src_key_padding_mask": kpm},
    )
    t = nn.Transformer(8, 2, 2, 2, 16, dropout=0.2).eval()
    cases["transformer"] = _run(
        t,
        [torch.randn(5, 2, 8), torch.randn(3, 2, 8)],
        {
            "tgt_mask": nn.Transformer.generate_square_subsequent_mask(3),
            "memory_key_padding_mask": kpm,
        },
    )
    dec = nn.TransformerDecoderLayer(8, 2, 12, dropout=0.0, norm_first=False)
    cases["decoder_layer"] = _run(dec, [torch.randn(3, 2, 8), torch.randn(5, 2, 8)], {})
    layer = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    enc = nn.TransformerEncoder(layer, 2).eval()
    x = torch.randn(2, 4, 8)
    fast = {"state": {k: v.detach().clone() for k, v in enc.state_dict().items()}, "x": x}
    for key, kpm in (("left", [[False, False, True, True], [False] * 4]),
                     ("not_left", [[True, False, False, True], [False] * 4])):  # fmt: skip
        fast[key + "_mask"] = torch.tensor(kpm)
        with torch.no_grad():
            fast[key] = enc(x, src_key_padding_mask=fast[key + "_mask"])
        fast[key + "_grad_mode"] = enc(x, src_key_padding_mask=fast[key + "_mask"]).detach()
    cases["encoder_fastpath"] = fast
    torch.save(cases, OUT)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
