"""A bidirectional recurrent network, after yunjey's pytorch-tutorial (02-intermediate/
bidirectional_recurrent_neural_network): nn.LSTM(batch_first=True, bidirectional=True,
num_layers=2), initial states of zeros (num_layers * 2, batch, hidden), the last time step's
concatenated forward/backward output through a Linear, CrossEntropyLoss, Adam; then the test
loop with torch.max(outputs.data, 1) and the accuracy; finally the model's state_dict saved.

Source: https://github.com/yunjey/pytorch-tutorial/blob/master/tutorials/02-intermediate/bidirectional_recurrent_neural_network/main.py
(MIT licence). Written for jitgrad's corpus, not copied. Changes: MNIST (a download) is
replaced by 48 synthetic 16x16 images (sequences of 16 rows of 16 pixels) whose label is
decided by which quarter of the rows is brightest; hidden 16; 2 epochs of batch 8; the log
prints every 2 steps.
"""
# ruff: noqa: UP008, UP032  (the original's style, kept)

import torch
import torch.nn as nn

# Device configuration
device = torch.device("cpu")

# Hyper-parameters
sequence_length = 16
input_size = 16
hidden_size = 16
num_layers = 2
num_classes = 4
batch_size = 8
num_epochs = 2
learning_rate = 0.003

torch.manual_seed(0)
images_all = torch.rand(48, 1, 16, 16) * 0.5
labels_all = torch.arange(48) % 4
for i in range(48):
    q = int(labels_all[i])
    images_all[i, 0, 4 * q : 4 * q + 4] += 0.5
train_dataset = torch.utils.data.TensorDataset(images_all[:32], labels_all[:32])
test_dataset = torch.utils.data.TensorDataset(images_all[32:], labels_all[32:])
train_loader = torch.utils.data.DataLoader(
    dataset=train_dataset, batch_size=batch_size, shuffle=True
)
test_loader = torch.utils.data.DataLoader(
    dataset=test_dataset, batch_size=batch_size, shuffle=False
)


# Bidirectional recurrent neural network (many-to-one)
class BiRNN(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers, num_classes):
        super(BiRNN, self).__init__()
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.lstm = nn.LSTM(
            input_size, hidden_size, num_layers, batch_first=True, bidirectional=True
        )
        self.fc = nn.Linear(hidden_size * 2, num_classes)  # 2 for bidirection

    def forward(self, x):
        # Set initial states
        h0 = torch.zeros(self.num_layers * 2, x.size(0), self.hidden_size).to(
            device
        )  # 2 for bidirection
        c0 = torch.zeros(self.num_layers * 2, x.size(0), self.hidden_size).to(device)

        # Forward propagate LSTM
        out, _ = self.lstm(
            x, (h0, c0)
        )  # out: tensor of shape (batch_size, seq_length, hidden_size*2)

        # Decode the hidden state of the last time step
        out = self.fc(out[:, -1, :])
        return out


model = BiRNN(input_size, hidden_size, num_layers, num_classes).to(device)
print(model)

# Loss and optimizer
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)

# Train the model
total_step = len(train_loader)
for epoch in range(num_epochs):
    for i, (images, labels) in enumerate(train_loader):
        images = images.reshape(-1, sequence_length, input_size).to(device)
        labels = labels.to(device)

        # Forward pass
        outputs = model(images)
        loss = criterion(outputs, labels)

        # Backward and optimize
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        if (i + 1) % 2 == 0:
            print(
                "Epoch [{}/{}], Step [{}/{}], Loss: {:.4f}".format(
                    epoch + 1, num_epochs, i + 1, total_step, loss.item()
                )
            )

# Test the model
with torch.no_grad():
    correct = 0
    total = 0
    for images, labels in test_loader:
        images = images.reshape(-1, sequence_length, input_size).to(device)
        labels = labels.to(device)
        outputs = model(images)
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()

    print(
        "Test Accuracy of the model on the {} test images: {} %".format(
            total, 100 * correct / total
        )
    )
print(outputs[:2])

# Save the model checkpoint
torch.save(model.state_dict(), "model.ckpt")
print(sorted(torch.load("model.ckpt").keys())[:4])
