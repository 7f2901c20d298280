"""nn.utils.rnn cases run identically by PyTorch (recording) and jitgrad (testing)."""

from __future__ import annotations

from typing import Any

import numpy as np

_RNG = np.random.default_rng(11)
LENS = [3, 5, 1, 4]
X = _RNG.standard_normal((4, 5, 3))  # (B, T, F)
SEQS = [_RNG.standard_normal((n, 2)) for n in (2, 4, 1)]

MODULES: dict[str, tuple[str, dict[str, Any], bool]] = {
    "lstm": ("LSTM", {"hidden_size": 4}, False),
    "lstm_bi2_bf_hx": ("LSTM", {"hidden_size": 3, "num_layers": 2, "bidirectional": True,
                                "batch_first": True}, True),
    "gru_bf": ("GRU", {"hidden_size": 4, "batch_first": True}, False),
    "rnn_2_hx": ("RNN", {"hidden_size": 3, "num_layers": 2}, True),
}  # fmt: skip


def names() -> list[str]:
    return ["pad_sequence", "pad_sequence_left_bf", "pack_roundtrip", *MODULES]


def run(torch: Any, name: str) -> dict[str, Any]:
    R = torch.nn.utils.rnn
    t = lambda a: torch.tensor(a, dtype=torch.float64, requires_grad=True)  # noqa: E731
    res: dict[str, Any] = {}
    if name.startswith("pad_sequence"):
        ins = [t(s) for s in SEQS]
        kw = {"batch_first": True, "padding_side": "left"} if "left" in name else {}
        out = R.pad_sequence(ins, padding_value=-1.0, **kw)
        outs = [out]
    elif name == "pack_roundtrip":
        ins = [t(X)]
        packed = R.pack_padded_sequence(ins[0], LENS, batch_first=True, enforce_sorted=False)
        res["batch_sizes"] = packed.batch_sizes.tolist()
        res["sorted_indices"] = packed.sorted_indices.tolist()
        padded, lengths = R.pad_packed_sequence(packed, batch_first=True, total_length=6)
        res["lengths"] = lengths.tolist()
        outs = [packed.data, padded]
    else:
        cls, kw, with_hx = MODULES[name]
        torch.manual_seed(0)
        m = getattr(torch.nn, cls)(3, dtype=torch.float64, **kw)
        rng = np.random.default_rng(3)
        m.load_state_dict({k: torch.tensor(rng.uniform(-0.5, 0.5, tuple(v.shape)))
                           for k, v in m.state_dict().items()})  # fmt: skip
        bf = kw.get("batch_first", False)
        ins = [t(X if bf else X.transpose(1, 0, 2))]
        packed = R.pack_padded_sequence(ins[0], LENS, batch_first=bf, enforce_sorted=False)
        shape = (kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1), 4,
                 kw["hidden_size"])  # fmt: skip
        hx = None
        if with_hx:
            ins.append(t(rng.standard_normal(shape)))
            hx = (ins[1], ins[1] * 0.5) if cls == "LSTM" else ins[1]
        out, h = m(packed, hx)
        outs = [out.data, *(h if cls == "LSTM" else (h,))]
        res["param_grads"] = None
    loss = sum((o * torch.linspace(-1, 1, o.numel(), dtype=o.dtype).reshape(o.shape)).sum()
               for o in outs)  # fmt: skip
    loss.backward()
    res["outs"] = [o.detach().numpy().tolist() for o in outs]
    res["grads"] = [a.grad.numpy().tolist() for a in ins]
    if "param_grads" in res:
        res["param_grads"] = {n: p.grad.numpy().tolist() for n, p in m.named_parameters()}
    return res
