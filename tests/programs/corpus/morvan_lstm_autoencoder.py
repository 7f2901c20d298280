"""MorvanZhou's PyTorch-Tutorial, 402_RNN_classifier.py and 404_autoencoder.py: an
nn.LSTM(batch_first=True) reading 28x28 images row by row into a 10-way classifier (Adam,
CrossEntropyLoss, accuracy against a held-out set), and a tanh MLP autoencoder squeezing the
images to 3 features (Adam, MSELoss).

Source: https://github.com/MorvanZhou/PyTorch-Tutorial/tree/master/tutorial-contents (MIT).
Written for jitgrad's corpus from those files. Changes: torchvision's MNIST is replaced by a
small fixed random "dataset" of the same shapes (torch.rand images, torch.randint labels) held
in a TensorDataset: 128 training images, 32 test images (source: 60000 and 2000); the autoencoder
runs 2 epochs (source 10); the plots become prints.
"""
# ruff: noqa: B007, E501, UP008, UP031  (the original's style, kept)
import numpy as np
import torch
import torch.utils.data as Data
from torch import nn

torch.manual_seed(1)    # reproducible

# Hyper Parameters
EPOCH = 1               # train the training data n times, to save time, we just train 1 epoch
BATCH_SIZE = 64
TIME_STEP = 28          # rnn time step / image height
INPUT_SIZE = 28         # rnn input size / image width
LR = 0.01               # learning rate

# stand-in for dsets.MNIST(..., transform=transforms.ToTensor())
images = torch.rand(128, 1, 28, 28)
labels = torch.randint(0, 10, (128,))
train_data = Data.TensorDataset(images, labels)
print(images.size())     # (128, 1, 28, 28)
print(labels.size())   # (128)

# Data Loader for easy mini-batch return in training
train_loader = torch.utils.data.DataLoader(dataset=train_data, batch_size=BATCH_SIZE, shuffle=True)

test_x = torch.rand(32, 28, 28)
test_y = torch.randint(0, 10, (32,)).numpy()


class RNN(nn.Module):
    def __init__(self):
        super(RNN, self).__init__()

        self.rnn = nn.LSTM(         # if use nn.RNN(), it hardly learns
            input_size=INPUT_SIZE,
            hidden_size=64,         # rnn hidden unit
            num_layers=1,           # number of rnn layer
            batch_first=True,       # input & output will has batch size as 1s dimension. e.g. (batch, time_step, input_size)
        )

        self.out = nn.Linear(64, 10)

    def forward(self, x):
        # x shape (batch, time_step, input_size)
        # r_out shape (batch, time_step, output_size)
        # h_n shape (n_layers, batch, hidden_size)
        # h_c shape (n_layers, batch, hidden_size)
        r_out, (h_n, h_c) = self.rnn(x, None)   # None represents zero initial hidden state

        # choose r_out at the last time step
        out = self.out(r_out[:, -1, :])
        return out


rnn = RNN()
print(rnn)

optimizer = torch.optim.Adam(rnn.parameters(), lr=LR)   # optimize all cnn parameters
loss_func = nn.CrossEntropyLoss()                       # the target label is not one-hotted

# training and testing
for epoch in range(EPOCH):
    for step, (b_x, b_y) in enumerate(train_loader):        # gives batch data
        b_x = b_x.view(-1, 28, 28)              # reshape x to (batch, time_step, input_size)

        output = rnn(b_x)                               # rnn output
        loss = loss_func(output, b_y)                   # cross entropy loss
        optimizer.zero_grad()                           # clear gradients for this training step
        loss.backward()                                 # backpropagation, compute gradients
        optimizer.step()                                # apply gradients

        if step % 1 == 0:
            test_output = rnn(test_x)                   # (samples, time_step, input_size)
            pred_y = torch.max(test_output, 1)[1].data.numpy()
            accuracy = float((pred_y == test_y).astype(int).sum()) / float(test_y.size)
            print('Epoch: ', epoch, '| train loss: %.4f' % loss.data.numpy(), '| test accuracy: %.2f' % accuracy)

# print 10 predictions from test data
test_output = rnn(test_x[:10].view(-1, 28, 28))
pred_y = torch.max(test_output, 1)[1].data.numpy()
print(pred_y, 'prediction number')
print(test_y[:10], 'real number')

# --- 404_autoencoder.py
EPOCH = 2
BATCH_SIZE = 64
LR = 0.005         # learning rate
N_TEST_IMG = 5

train_loader = Data.DataLoader(dataset=train_data, batch_size=BATCH_SIZE, shuffle=True)


class AutoEncoder(nn.Module):
    def __init__(self):
        super(AutoEncoder, self).__init__()

        self.encoder = nn.Sequential(
            nn.Linear(28*28, 128),
            nn.Tanh(),
            nn.Linear(128, 64),
            nn.Tanh(),
            nn.Linear(64, 12),
            nn.Tanh(),
            nn.Linear(12, 3),   # compress to 3 features which can be visualized in plt
        )
        self.decoder = nn.Sequential(
            nn.Linear(3, 12),
            nn.Tanh(),
            nn.Linear(12, 64),
            nn.Tanh(),
            nn.Linear(64, 128),
            nn.Tanh(),
            nn.Linear(128, 28*28),
            nn.Sigmoid(),       # compress to a range (0, 1)
        )

    def forward(self, x):
        encoded = self.encoder(x)
        decoded = self.decoder(encoded)
        return encoded, decoded


autoencoder = AutoEncoder()
print(autoencoder)

optimizer = torch.optim.Adam(autoencoder.parameters(), lr=LR)
loss_func = nn.MSELoss()

# original data (first row) for viewing
view_data = (images[:N_TEST_IMG] * 255).type(torch.uint8).view(-1, 28*28).type(torch.FloatTensor)/255.

for epoch in range(EPOCH):
    for step, (x, b_label) in enumerate(train_loader):
        b_x = x.view(-1, 28*28)   # batch x, shape (batch, 28*28)
        b_y = x.view(-1, 28*28)   # batch y, shape (batch, 28*28)

        encoded, decoded = autoencoder(b_x)

        loss = loss_func(decoded, b_y)      # mean square error
        optimizer.zero_grad()               # clear gradients for this training step
        loss.backward()                     # backpropagation, compute gradients
        optimizer.step()                    # apply gradients

        if step % 2 == 0:
            print('Epoch: ', epoch, '| train loss: %.4f' % loss.data.numpy())
            _, decoded_data = autoencoder(view_data)
            print(np.reshape(decoded_data.data.numpy()[0], (28, 28))[0, :4])

encoded_data, _ = autoencoder(view_data)
X, Y, Z = encoded_data.data[:, 0].numpy(), encoded_data.data[:, 1].numpy(), encoded_data.data[:, 2].numpy()
print(X, Y, Z)
print(X.min(), X.max(), Y.min(), Y.max(), Z.min(), Z.max())
