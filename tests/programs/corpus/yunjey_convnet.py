"""yunjey/pytorch-tutorial's convolutional neural network (tutorials/02-intermediate/
convolutional_neural_network/main.py): two Conv2d-BatchNorm-ReLU-MaxPool layers and a Linear
head trained with Adam on CrossEntropyLoss, then evaluated in eval mode.

Source: https://github.com/yunjey/pytorch-tutorial (MIT). Changes: synthetic 28x28 "MNIST"
batches (TensorDataset of random images, labels from the image mean) replace the torchvision
download; 1 epoch of 4 batches of 16, a print every 2 steps.
"""

import torch
import torch.nn as nn

device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")

num_epochs = 1
num_classes = 10
batch_size = 16
learning_rate = 0.001

images_all = torch.rand(64, 1, 28, 28)
labels_all = (images_all.mean(dim=(1, 2, 3)) * 1000).long() % num_classes
train_dataset = torch.utils.data.TensorDataset(images_all, labels_all)
test_dataset = torch.utils.data.TensorDataset(images_all[:32], labels_all[:32])
train_loader = torch.utils.data.DataLoader(
    dataset=train_dataset, batch_size=batch_size, shuffle=True
)
test_loader = torch.utils.data.DataLoader(
    dataset=test_dataset, batch_size=batch_size, shuffle=False
)


class ConvNet(nn.Module):
    def __init__(self, num_classes=10):
        super(ConvNet, self).__init__()  # noqa: UP008
        self.layer1 = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=5, stride=1, padding=2),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.layer2 = nn.Sequential(
            nn.Conv2d(16, 32, kernel_size=5, stride=1, padding=2),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.fc = nn.Linear(7 * 7 * 32, num_classes)

    def forward(self, x):
        out = self.layer1(x)
        out = self.layer2(out)
        out = out.reshape(out.size(0), -1)
        out = self.fc(out)
        return out


model = ConvNet(num_classes).to(device)
print(model)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)

total_step = len(train_loader)
for epoch in range(num_epochs):
    for i, (images, labels) in enumerate(train_loader):
        images = images.to(device)
        labels = labels.to(device)
        outputs = model(images)
        loss = criterion(outputs, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (i + 1) % 2 == 0:
            print(
                "Epoch [{}/{}], Step [{}/{}], Loss: {:.4f}".format(  # noqa: UP032
                    epoch + 1, num_epochs, i + 1, total_step, loss.item()
                )
            )

model.eval()
with torch.no_grad():
    correct = 0
    total = 0
    for images, labels in test_loader:
        outputs = model(images)
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
    print(
        "Test Accuracy of the model on the {} test images: {} %".format(  # noqa: UP032
            total, 100 * correct / total
        )
    )
torch.save(model.state_dict(), "model.ckpt")
