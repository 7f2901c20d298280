"""Knowledge distillation, after the tutorial of that name: a teacher trained with
CrossEntropyLoss, a smaller student trained with soft targets (softmax/log_softmax at
temperature T, the soft-target loss scaled by T**2) mixed with the label loss, and test
accuracy for both.

Model: https://pytorch.org/tutorials/beginner/knowledge_distillation_tutorial.html
(pytorch/tutorials, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: CIFAR-10
and the CNNs are replaced by 128 synthetic 20-feature samples and MLPs; 3 epochs.
"""

import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)
x = torch.randn(160, 20)
y = (x[:, :5].sum(1) > 0).long() + (x[:, 5:10].sum(1) > 1).long()
train_loader = DataLoader(TensorDataset(x[:128], y[:128]), batch_size=32, shuffle=True)
test_loader = DataLoader(TensorDataset(x[128:], y[128:]), batch_size=32)


class DeepNN(nn.Module):
    def __init__(self, num_classes=3):
        super().__init__()
        self.classifier = nn.Sequential(
            nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, num_classes)
        )

    def forward(self, x):
        return self.classifier(x)


class LightNN(nn.Module):
    def __init__(self, num_classes=3):
        super().__init__()
        self.classifier = nn.Sequential(nn.Linear(20, 8), nn.ReLU(), nn.Linear(8, num_classes))

    def forward(self, x):
        return self.classifier(x)


def train(model, train_loader, epochs, learning_rate):
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=learning_rate)
    model.train()
    for epoch in range(epochs):
        running_loss = 0.0
        for inputs, labels in train_loader:
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        print(f"Epoch {epoch + 1}/{epochs}, Loss: {running_loss / len(train_loader)}")


def test(model, test_loader):
    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for inputs, labels in test_loader:
            outputs = model(inputs)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    accuracy = 100 * correct / total
    print(f"Test Accuracy: {accuracy:.2f}%")
    return accuracy


def train_knowledge_distillation(
    teacher,
    student,
    train_loader,
    epochs,
    learning_rate,
    T,
    soft_target_loss_weight,
    ce_loss_weight,
):
    ce_loss = nn.CrossEntropyLoss()
    optimizer = optim.Adam(student.parameters(), lr=learning_rate)
    teacher.eval()
    student.train()
    for epoch in range(epochs):
        running_loss = 0.0
        for inputs, labels in train_loader:
            optimizer.zero_grad()
            with torch.no_grad():
                teacher_logits = teacher(inputs)
            student_logits = student(inputs)
            soft_targets = nn.functional.softmax(teacher_logits / T, dim=-1)
            soft_prob = nn.functional.log_softmax(student_logits / T, dim=-1)
            soft_targets_loss = (
                torch.sum(soft_targets * (soft_targets.log() - soft_prob))
                / soft_prob.size()[0]
                * (T**2)
            )
            label_loss = ce_loss(student_logits, labels)
            loss = soft_target_loss_weight * soft_targets_loss + ce_loss_weight * label_loss
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        print(f"Epoch {epoch + 1}/{epochs}, Loss: {running_loss / len(train_loader)}")


nn_deep = DeepNN(num_classes=3)
train(nn_deep, train_loader, epochs=3, learning_rate=0.001)
test_accuracy_deep = test(nn_deep, test_loader)
torch.manual_seed(42)
nn_light = LightNN(num_classes=3)
total_params_deep = sum(p.numel() for p in nn_deep.parameters())
total_params_light = sum(p.numel() for p in nn_light.parameters())
print(f"DeepNN parameters: {total_params_deep:,}")
print(f"LightNN parameters: {total_params_light:,}")
train_knowledge_distillation(
    teacher=nn_deep,
    student=nn_light,
    train_loader=train_loader,
    epochs=3,
    learning_rate=0.001,
    T=2,
    soft_target_loss_weight=0.25,
    ce_loss_weight=0.75,
)
test_accuracy_light_ce_and_kd = test(nn_light, test_loader)
