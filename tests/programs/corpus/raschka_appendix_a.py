"""Introduction to PyTorch (Appendix A of Raschka's "Build a Large Language Model (From
Scratch)"): tensors and dtypes, a logistic-regression forward pass with
binary_cross_entropy, grad via torch.autograd.grad and .backward(), a NeuralNetwork of
Linear/ReLU layers (its parameter count and Parameter repr), a ToyDataset with a DataLoader
(shuffle with a seeded generator, drop_last), the training loop of three epochs and
compute_accuracy, and saving/loading the state_dict.

Model: https://github.com/rasbt/LLMs-from-scratch (appendix-A/01_main-chapter-code/code-part1
and code-part2 notebooks, Apache-2.0). Written for jitgrad's corpus, not copied. Changes:
a smaller network; prints instead of notebook cells.
"""
# ruff: noqa: B007  (the source's unused loop variables, kept as written)

import torch
import torch.nn.functional as F
from torch.autograd import grad
from torch.utils.data import DataLoader, Dataset

tensor0d = torch.tensor(1)
tensor2d = torch.tensor([[1, 2], [3, 4]])
print(tensor0d.dtype, torch.tensor([1.0, 2.0]).dtype, tensor2d.shape)
print(tensor2d.reshape(4, 1).T, tensor2d @ tensor2d.T, tensor2d.to(torch.float32).dtype)

y = torch.tensor([1.0])
x1 = torch.tensor([1.1])
w1 = torch.tensor([2.2], requires_grad=True)
b = torch.tensor([0.0], requires_grad=True)
z = x1 * w1 + b
a = torch.sigmoid(z)
loss = F.binary_cross_entropy(a, y)
print(loss)
grad_L_w1 = grad(loss, w1, retain_graph=True)
grad_L_b = grad(loss, b, retain_graph=True)
print(grad_L_w1, grad_L_b)
loss.backward()
print(w1.grad, b.grad)


class NeuralNetwork(torch.nn.Module):
    def __init__(self, num_inputs, num_outputs):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(num_inputs, 16), torch.nn.ReLU(),
            torch.nn.Linear(16, 8), torch.nn.ReLU(),
            torch.nn.Linear(8, num_outputs),
        )

    def forward(self, x):
        return self.layers(x)


torch.manual_seed(123)
model = NeuralNetwork(10, 3)
print(model)
num_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
print("Total number of trainable model parameters:", num_params)
print(model.layers[0].weight.shape, model.layers[4].bias)
X = torch.rand((1, 10))
with torch.no_grad():
    out = torch.softmax(model(X), dim=1)
print(out)

X_train = torch.tensor([[-1.2, 3.1], [-0.9, 2.9], [-0.5, 2.6], [2.3, -1.1], [2.7, -1.5]])
y_train = torch.tensor([0, 0, 0, 1, 1])
X_test = torch.tensor([[-0.8, 2.8], [2.6, -1.6]])
y_test = torch.tensor([0, 1])


class ToyDataset(Dataset):
    def __init__(self, X, y):
        self.features = X
        self.labels = y

    def __getitem__(self, index):
        return self.features[index], self.labels[index]

    def __len__(self):
        return self.labels.shape[0]


train_ds = ToyDataset(X_train, y_train)
test_ds = ToyDataset(X_test, y_test)
torch.manual_seed(123)
train_loader = DataLoader(dataset=train_ds, batch_size=2, shuffle=True, num_workers=0,
                          drop_last=True)
test_loader = DataLoader(dataset=test_ds, batch_size=2, shuffle=False, num_workers=0)
for idx, (x, y) in enumerate(train_loader):
    print(f"Batch {idx + 1}:", x, y)

torch.manual_seed(123)
model = NeuralNetwork(num_inputs=2, num_outputs=2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
for epoch in range(3):
    model.train()
    for batch_idx, (features, labels) in enumerate(train_loader):
        logits = model(features)
        loss = F.cross_entropy(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        print(f"Epoch: {epoch + 1:03d}/003 | Batch {batch_idx:03d}/{len(train_loader):03d}"
              f" | Train Loss: {loss:.2f}")
model.eval()
with torch.no_grad():
    outputs = model(X_train)
print(outputs)
probas = torch.softmax(outputs, dim=1)
predictions = torch.argmax(probas, dim=1)
print(probas, predictions, predictions == y_train, torch.sum(predictions == y_train))


def compute_accuracy(model, dataloader):
    model = model.eval()
    correct = 0.0
    total_examples = 0
    for idx, (features, labels) in enumerate(dataloader):
        with torch.no_grad():
            logits = model(features)
        predictions = torch.argmax(logits, dim=1)
        compare = labels == predictions
        correct += torch.sum(compare)
        total_examples += len(compare)
    return (correct / total_examples).item()


print(compute_accuracy(model, train_loader), compute_accuracy(model, test_loader))
torch.save(model.state_dict(), "model.pth")
model = NeuralNetwork(2, 2)
print(model.load_state_dict(torch.load("model.pth", weights_only=True)))
print(compute_accuracy(model, test_loader))
