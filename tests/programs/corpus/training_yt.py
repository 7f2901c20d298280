"""Training with PyTorch (Introduction to PyTorch on YouTube): the GarmentClassifier (Conv2d,
MaxPool2d, three Linear layers), CrossEntropyLoss on dummy outputs and labels, SGD with
momentum, train_one_epoch() reporting the running loss every few batches, the per-epoch
validation loop under model.eval() and torch.no_grad(), and saving the best model's
state_dict and loading it back.

Tutorial: https://pytorch.org/tutorials/beginner/introyt/trainingyt.html (pytorch/tutorials,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: FashionMNIST and
torchvision transforms (downloads) are replaced by 64 synthetic 1x28x28 images (normalised
with (x - 0.5) / 0.5) in DataLoaders of batch 4; reports every 4 batches instead of 1000; 2
epochs; TensorBoard's SummaryWriter and the timestamp in the saved file name are dropped.
"""
# ruff: noqa: B007, UP008, UP032  (the original's style, kept)

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
images = (torch.rand(64, 1, 28, 28) - 0.5) / 0.5
labels = torch.randint(0, 10, (64,))
training_set = TensorDataset(images[:48], labels[:48])
validation_set = TensorDataset(images[48:], labels[48:])
training_loader = DataLoader(training_set, batch_size=4, shuffle=True)
validation_loader = DataLoader(validation_set, batch_size=4, shuffle=False)

classes = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle Boot")  # fmt: skip
print("Training set has {} instances".format(len(training_set)))
print("Validation set has {} instances".format(len(validation_set)))
dataiter = iter(training_loader)
images_b, labels_b = next(dataiter)
print("  ".join(classes[labels_b[j]] for j in range(4)))


class GarmentClassifier(nn.Module):
    def __init__(self):
        super(GarmentClassifier, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 4 * 4)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


model = GarmentClassifier()
loss_fn = torch.nn.CrossEntropyLoss()

# NB: Loss functions expect data in batches, so we're creating batches of 4
# Represents the model's confidence in each of the 10 classes for a given input
dummy_outputs = torch.rand(4, 10)
# Represents the correct class among the 10 being tested
dummy_labels = torch.tensor([1, 5, 3, 7])
print(dummy_outputs)
print(dummy_labels)
loss = loss_fn(dummy_outputs, dummy_labels)
print("Total loss for this batch: {}".format(loss.item()))

# Optimizers specified in the torch.optim package
optimizer = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)


def train_one_epoch(epoch_index):
    running_loss = 0.0
    last_loss = 0.0
    for i, data in enumerate(training_loader):
        # Every data instance is an input + label pair
        inputs, labels = data
        # Zero your gradients for every batch!
        optimizer.zero_grad()
        # Make predictions for this batch
        outputs = model(inputs)
        # Compute the loss and its gradients
        loss = loss_fn(outputs, labels)
        loss.backward()
        # Adjust learning weights
        optimizer.step()
        # Gather data and report
        running_loss += loss.item()
        if i % 4 == 3:
            last_loss = running_loss / 4  # loss per batch
            print("  batch {} loss: {}".format(i + 1, last_loss))
            running_loss = 0.0
    return last_loss


epoch_number = 0
EPOCHS = 2
best_vloss = 1_000_000.0

for epoch in range(EPOCHS):
    print("EPOCH {}:".format(epoch_number + 1))
    # Make sure gradient tracking is on, and do a pass over the data
    model.train(True)
    avg_loss = train_one_epoch(epoch_number)

    running_vloss = 0.0
    # Set the model to evaluation mode, disabling dropout and using population
    # statistics for batch normalization.
    model.eval()

    # Disable gradient computation and reduce memory consumption.
    with torch.no_grad():
        for i, vdata in enumerate(validation_loader):
            vinputs, vlabels = vdata
            voutputs = model(vinputs)
            vloss = loss_fn(voutputs, vlabels)
            running_vloss += vloss

    avg_vloss = running_vloss / (i + 1)
    print("LOSS train {} valid {}".format(avg_loss, avg_vloss))

    # Track best performance, and save the model's state
    if avg_vloss < best_vloss:
        best_vloss = avg_vloss
        model_path = "model_{}".format(epoch_number)
        torch.save(model.state_dict(), model_path)

    epoch_number += 1

saved_model = GarmentClassifier()
saved_model.load_state_dict(torch.load(model_path))
print(model_path, torch.equal(saved_model.fc3.bias, model.fc3.bias) == (best_vloss == avg_vloss))
print(best_vloss)
