"""Channels last memory format (PyTorch tutorial): NCHW tensors laid out pixel by pixel,
converted with to()/contiguous(memory_format=), allocated with torch.empty(memory_format=),
the ambiguous size-1 cases, a convolution whose channels-last input or weight gives a
channels-last output, and a model converted with model.to(memory_format=) trained a few
steps with the same losses as its row-major twin; a model's checkpoint size on disk.

Model: https://pytorch.org/tutorials/intermediate/memory_format_tutorial.html (pytorch/
tutorials, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: CPU only, small
sizes (2x3x4x4 images, an 8-channel convolution), the AMP/torchvision benchmark sections
left out; the NHWC storage comparison and the checkpoint size added (how programs check the
layout and report a model's size).
"""

import io

import torch

torch.manual_seed(0)
N, C, H, W = 10, 3, 32, 32
x = torch.empty(N, C, H, W)
print(x.stride())
x = x.to(memory_format=torch.channels_last)
print(x.shape)
print(x.stride())
x = x.to(memory_format=torch.contiguous_format)
print(x.stride())
x = x.contiguous(memory_format=torch.channels_last)
print(x.stride())
print(x.is_contiguous(memory_format=torch.channels_last), x.is_contiguous())
x = torch.empty(N, C, H, W, memory_format=torch.channels_last)
print(x.stride())
x = torch.empty(N, C, H, W).to(memory_format=torch.channels_last)
print(x.clone(memory_format=torch.channels_last).stride())

# the layout keeps every element where NCHW indexing finds it
a = torch.arange(2 * 3 * 4 * 4, dtype=torch.float32).reshape(2, 3, 4, 4)
b = a.to(memory_format=torch.channels_last)
print(torch.equal(a, b), b[1, 2, 3, 0].item(), b.data_ptr() == a.data_ptr())
nhwc = a.permute(0, 2, 3, 1).contiguous()
print(nhwc.stride(), b.permute(0, 2, 3, 1).is_contiguous())
print(torch.equal(nhwc.flatten(), b.permute(0, 2, 3, 1).flatten()))

# ambiguous cases: a size-1 channel or image is contiguous both ways
special = torch.randn(N, 1, H, W)
print(special.is_contiguous(), special.is_contiguous(memory_format=torch.channels_last))
special = torch.randn(N, C, 1, 1)
print(special.is_contiguous(), special.is_contiguous(memory_format=torch.channels_last))
print(special.to(memory_format=torch.channels_last).stride())
print(special.contiguous(memory_format=torch.channels_last).stride())
try:
    torch.randn(3, 4).to(memory_format=torch.channels_last)
except RuntimeError as err:
    print("RuntimeError:", err)

# a convolution follows the layout of its input or weight
model = torch.nn.Conv2d(3, 8, 3, padding=1)
out = model(b)
print(out.shape, out.is_contiguous(memory_format=torch.channels_last))
print(model(a).is_contiguous())
model = model.to(memory_format=torch.channels_last)
print(model.weight.stride(), model.weight.is_contiguous(memory_format=torch.channels_last))
out2 = model(a)
print(out2.is_contiguous(memory_format=torch.channels_last), torch.allclose(out, out2))
print(torch.nn.functional.conv2d(b, torch.ones(2, 3, 1, 1)).stride())


# a small network trained in both layouts: the same numbers
def net():
    torch.manual_seed(1)
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1),
        torch.nn.BatchNorm2d(8),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 4, 1),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(4, 2),
    )


images = torch.randn(4, 3, 8, 8)
labels = torch.tensor([0, 1, 1, 0])
for layout in (torch.contiguous_format, torch.channels_last):
    m = net().to(memory_format=layout)
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(3):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(m(images.to(memory_format=layout)), labels)
        loss.backward()
        opt.step()
        losses.append(round(loss.item(), 5))
    print(layout, losses, m[0].weight.stride())

buffer = io.BytesIO()
torch.save(m.state_dict(), buffer)
print("checkpoint bytes:", len(buffer.getvalue()))
buffer.seek(0)
weight = torch.load(buffer)["0.weight"]
print(weight.stride(), weight.is_contiguous(memory_format=torch.channels_last))
