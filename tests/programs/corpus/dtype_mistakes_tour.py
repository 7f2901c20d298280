"""The dtype mistakes the PyTorch forums answer most (binary_cross_entropy with a Long target,
activations of integer tensors, formatting a tensor into a string, int() of a batch): what
each raises or returns, and the fix the answer gives.

Model: the PyTorch forum FAQ threads "Found dtype Long but expected Float" and "not
implemented for 'Long'", and torch.nn.functional's docs (pytorch/pytorch, BSD-3-Clause).
Written for jitgrad's corpus, not copied.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


def attempt(label, f):
    try:
        r = f()
        print(label, "->", r)
    except Exception as e:  # noqa: BLE001
        print(label, "!!", type(e).__name__ + ":", str(e).splitlines()[0])


torch.manual_seed(0)
logits = torch.randn(4)
probs = torch.sigmoid(logits)
labels = torch.tensor([1, 0, 1, 1])
attempt("bce long target", lambda: F.binary_cross_entropy(probs, labels))
attempt("bce float target", lambda: F.binary_cross_entropy(probs, labels.float()))
attempt("bce double target", lambda: F.binary_cross_entropy(probs, labels.double()))
attempt("bce logits long", lambda: nn.BCEWithLogitsLoss()(logits, labels))
attempt("bce logits float", lambda: nn.BCEWithLogitsLoss()(logits, labels.float()))
attempt("mse long", lambda: F.mse_loss(labels, labels))
attempt("mse mixed", lambda: F.mse_loss(probs, labels.float()))
attempt("huber long", lambda: F.huber_loss(labels, labels))
attempt("kl_div long", lambda: F.kl_div(labels, labels, reduction="batchmean"))
pixels = torch.tensor([[0, 128, 255]], dtype=torch.uint8)
attempt("gelu uint8", lambda: F.gelu(pixels))
attempt("gelu float", lambda: F.gelu(pixels.float() / 255))
attempt("silu long", lambda: nn.SiLU()(labels))
attempt("leaky long", lambda: nn.LeakyReLU(0.1)(labels))
attempt("elu long", lambda: nn.ELU()(labels))
attempt("relu long", lambda: nn.ReLU()(labels - 1))
attempt("relu bool", lambda: F.relu(labels > 0))
attempt("relu6 long", lambda: F.relu6(labels * 9))
attempt("hardtanh long", lambda: F.hardtanh(labels * 3 - 2))
attempt("threshold long", lambda: F.threshold(labels * 3, 1.5, -1.0))
attempt("glu long", lambda: F.glu(labels))
attempt("softplus long", lambda: nn.Softplus()(labels))
attempt("tanh long", lambda: torch.tanh(labels))
loss = F.binary_cross_entropy_with_logits(logits, labels.float())
attempt("int(batch)", lambda: int(labels))
attempt("float(batch)", lambda: float(probs))
attempt("bool(batch)", lambda: bool(labels))
attempt("bool(empty)", lambda: bool(labels[:0]))
attempt("float(loss)", lambda: round(float(loss), 4))
attempt("format loss", lambda: f"{loss:.3f}")
attempt("format batch", lambda: f"{probs:.3f}")
attempt("format plain", lambda: f"{labels}")
attempt("%d of 1-elem", lambda: "%d" % labels[:1])  # noqa: UP031
attempt("index by float", lambda: [10, 20, 30][torch.tensor(1.0)])
attempt("index by tensor", lambda: [10, 20, 30][torch.tensor(1)])
attempt("complex()", lambda: complex(torch.tensor([2.0])))
attempt("float(complex)", lambda: float(torch.tensor(1 + 1j)))
attempt("unflatten", lambda: torch.arange(6).unflatten(0, (4, -1)))
attempt("unflatten ok", lambda: torch.arange(6).unflatten(0, (2, -1)).shape)
attempt("view empty", lambda: torch.zeros(0).view(0, -1))
