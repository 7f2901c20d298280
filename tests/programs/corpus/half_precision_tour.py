"""float16 and bfloat16 tensors (PyTorch numerical-accuracy notes and tensor docs): their
ranges (finfo), rounding of results and of Python numbers, integer-valued division, and
conversions back and forth.

Model: https://pytorch.org/docs/stable/notes/numerical_accuracy.html and type_info.html
(pytorch/pytorch, BSD-3-Clause). Written for jitgrad's corpus, not copied.
"""

import torch

for dt in (torch.float16, torch.bfloat16):
    fi = torch.finfo(dt)
    print(dt, fi.bits, fi.eps, fi.max, fi.tiny, fi.resolution)
    v = torch.tensor([1.5, -2.5, 7.0, 1000.3, 0.7, 65000.0], dtype=dt)
    print(v)
    print(
        v // 0.001,
        torch.div(v, 0.3, rounding_mode="trunc"),
        torch.div(v, 0.1, rounding_mode="floor"),
    )
    print(torch.floor_divide(v, 1.7), v % 0.3, torch.fmod(v, -0.7))
    print(v + 300.5, v * 1.1, v / 3, v - 0.1)
    print(v.float().sum(), v.sum(), v.mean(), v.cumsum(0))
    print((v * 100).to(torch.int32), v.to(torch.float64)[3].item())
print(torch.finfo(torch.float32), torch.finfo())
print(torch.tensor(65504.0, dtype=torch.float16) * 2, torch.tensor(1e-8, dtype=torch.float16))
print(torch.tensor([0.1, 0.2], dtype=torch.float16).sum() == 0.3)
h = torch.ones(3, dtype=torch.float16)
print(h.dtype, h.half().dtype, h.bfloat16(), h.element_size(), (h + torch.ones(3)).dtype)
print(
    torch.tensor(1 / 3, dtype=torch.bfloat16).item(),
    torch.tensor(1 / 3, dtype=torch.float16).item(),
)
print(torch.arange(2040, 2056, dtype=torch.float16))
