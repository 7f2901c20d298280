"""Adversarial example generation (FGSM), after the tutorial of that name: gradients of the
loss with respect to the input (data.requires_grad = True), data.grad.data.sign(), the
perturbed image clamped to [0, 1], and accuracy per epsilon.

Model: https://pytorch.org/tutorials/beginner/fgsm_tutorial.html (pytorch/tutorials,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: the pretrained LeNet on MNIST
is replaced by a small CNN trained here for a few steps on 64 synthetic images.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(42)
epsilons = [0, 0.05, 0.1, 0.2]
images = torch.rand(64, 1, 12, 12)
labels = (images[:, 0, :6].mean((1, 2)) > images[:, 0, 6:].mean((1, 2))).long()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.fc1 = nn.Linear(4 * 5 * 5, 16)
        self.fc2 = nn.Linear(16, 2)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


model = Net()
opt = optim.Adam(model.parameters(), lr=0.01)
for _ in range(20):
    opt.zero_grad()
    F.nll_loss(model(images), labels).backward()
    opt.step()
model.eval()


def fgsm_attack(image, epsilon, data_grad):
    sign_data_grad = data_grad.sign()
    perturbed_image = image + epsilon * sign_data_grad
    perturbed_image = torch.clamp(perturbed_image, 0, 1)
    return perturbed_image


def test(model, epsilon):
    correct = 0
    for i in range(len(images)):
        data, target = images[i : i + 1], labels[i : i + 1]
        data.requires_grad = True
        output = model(data)
        init_pred = output.max(1, keepdim=True)[1]
        if init_pred.item() != target.item():
            continue
        loss = F.nll_loss(output, target)
        model.zero_grad()
        loss.backward()
        data_grad = data.grad.data
        perturbed_data = fgsm_attack(data, epsilon, data_grad)
        output = model(perturbed_data)
        final_pred = output.max(1, keepdim=True)[1]
        if final_pred.item() == target.item():
            correct += 1
    final_acc = correct / float(len(images))
    print(f"Epsilon: {epsilon}\tTest Accuracy = {correct} / {len(images)} = {final_acc}")
    return final_acc


accuracies = [test(model, eps) for eps in epsilons]
print(accuracies)
