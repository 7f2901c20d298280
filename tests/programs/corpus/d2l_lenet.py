"""LeNet (Dive into Deep Learning 7.6, d2l 0.17 form): nn.Sequential of Conv2d(padding=2),
Sigmoid, AvgPool2d(stride=2), Flatten and Linear layers, the layer-by-layer shape walk
(X = layer(X); print(layer.__class__.__name__, 'output shape:', X.shape)), xavier_uniform_
init via net.apply, SGD with CrossEntropyLoss and an accuracy evaluation.

Model: https://d2l.ai/chapter_convolutional-neural-networks/lenet.html (d2l-ai/d2l-en, code
MIT-0). Written for jitgrad's corpus, not copied. Changes: Fashion-MNIST is replaced by 32
synthetic 1x28x28 images, 3 epochs of 2 batches, lr 0.9 as in the original.
"""

import torch
from torch import nn

torch.manual_seed(0)
net = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
    nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Flatten(),
    nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
    nn.Linear(120, 84), nn.Sigmoid(),
    nn.Linear(84, 10),
)
X = torch.rand(size=(1, 1, 28, 28), dtype=torch.float32)
for layer in net:
    X = layer(X)
    print(layer.__class__.__name__, "output shape: \t", X.shape)


def init_weights(m):
    if type(m) == nn.Linear or type(m) == nn.Conv2d:  # noqa: E721
        nn.init.xavier_uniform_(m.weight)


net.apply(init_weights)
images = torch.rand(32, 1, 28, 28)
labels = (images[:, 0, :14].mean((1, 2)) * 10).long() % 10
optimizer = torch.optim.SGD(net.parameters(), lr=0.9)
loss = nn.CrossEntropyLoss()
for epoch in range(3):
    net.train()
    for i in range(0, 32, 16):
        X, y = images[i : i + 16], labels[i : i + 16]
        optimizer.zero_grad()
        y_hat = net(X)
        l = loss(y_hat, y)  # noqa: E741
        l.backward()
        optimizer.step()
    net.eval()
    with torch.no_grad():
        acc = (net(images).argmax(1) == labels).float().mean().item()
    print(f"epoch {epoch + 1}, loss {l.item():.4f}, train acc {acc:.3f}")
print(net[0].weight.grad.shape, l.grad_fn)
