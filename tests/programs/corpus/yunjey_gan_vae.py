"""yunjey/pytorch-tutorial's generative adversarial network and variational autoencoder
(tutorials/03-advanced/generative_adversarial_network/main.py and variational_autoencoder/
main.py): an MLP discriminator/generator pair trained with BCELoss and Adam, and a VAE trained on
binary cross-entropy plus the KL term.

Source: https://github.com/yunjey/pytorch-tutorial (MIT). Changes: synthetic images in [-1, 1]
(GAN) and [0, 1] (VAE) replace MNIST; the sizes are shrunk (image 64, hidden 32, latent 8, 3
steps each); save_image is left out; ``size_average=False`` becomes its modern spelling
``reduction='sum'``.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# ---- GAN ----
latent_size = 8
hidden_size = 32
image_size = 64
batch_size = 16

D = nn.Sequential(
    nn.Linear(image_size, hidden_size),
    nn.LeakyReLU(0.2),
    nn.Linear(hidden_size, hidden_size),
    nn.LeakyReLU(0.2),
    nn.Linear(hidden_size, 1),
    nn.Sigmoid(),
)
G = nn.Sequential(
    nn.Linear(latent_size, hidden_size),
    nn.ReLU(),
    nn.Linear(hidden_size, hidden_size),
    nn.ReLU(),
    nn.Linear(hidden_size, image_size),
    nn.Tanh(),
)
D = D.to(device)
G = G.to(device)
criterion = nn.BCELoss()
d_optimizer = torch.optim.Adam(D.parameters(), lr=0.0002)
g_optimizer = torch.optim.Adam(G.parameters(), lr=0.0002)


def denorm(x):
    out = (x + 1) / 2
    return out.clamp(0, 1)


def reset_grad():
    d_optimizer.zero_grad()
    g_optimizer.zero_grad()


for i in range(3):
    images = torch.rand(batch_size, image_size) * 2 - 1
    real_labels = torch.ones(batch_size, 1).to(device)
    fake_labels = torch.zeros(batch_size, 1).to(device)
    outputs = D(images)
    d_loss_real = criterion(outputs, real_labels)
    real_score = outputs
    z = torch.randn(batch_size, latent_size).to(device)
    fake_images = G(z)
    outputs = D(fake_images)
    d_loss_fake = criterion(outputs, fake_labels)
    fake_score = outputs
    d_loss = d_loss_real + d_loss_fake
    reset_grad()
    d_loss.backward()
    d_optimizer.step()
    z = torch.randn(batch_size, latent_size).to(device)
    fake_images = G(z)
    outputs = D(fake_images)
    g_loss = criterion(outputs, real_labels)
    reset_grad()
    g_loss.backward()
    g_optimizer.step()
    print(
        "Step [{}/{}], d_loss: {:.4f}, g_loss: {:.4f}, D(x): {:.2f}, D(G(z)): {:.2f}".format(  # noqa: UP032
            i + 1,
            3,
            d_loss.item(),
            g_loss.item(),
            real_score.mean().item(),
            fake_score.mean().item(),
        )
    )
print(denorm(fake_images)[0, :6])


# ---- VAE ----
class VAE(nn.Module):
    def __init__(self, image_size=784, h_dim=400, z_dim=20):
        super(VAE, self).__init__()  # noqa: UP008
        self.fc1 = nn.Linear(image_size, h_dim)
        self.fc2 = nn.Linear(h_dim, z_dim)
        self.fc3 = nn.Linear(h_dim, z_dim)
        self.fc4 = nn.Linear(z_dim, h_dim)
        self.fc5 = nn.Linear(h_dim, image_size)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc2(h), self.fc3(h)

    def reparameterize(self, mu, log_var):
        std = torch.exp(log_var / 2)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h = F.relu(self.fc4(z))
        return F.sigmoid(self.fc5(h))

    def forward(self, x):
        mu, log_var = self.encode(x)
        z = self.reparameterize(mu, log_var)
        x_reconst = self.decode(z)
        return x_reconst, mu, log_var


model = VAE(image_size=64, h_dim=32, z_dim=8).to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for i in range(3):
    x = torch.rand(batch_size, 64).to(device).view(-1, 64)
    x_reconst, mu, log_var = model(x)
    reconst_loss = F.binary_cross_entropy(x_reconst, x, reduction="sum")
    kl_div = -0.5 * torch.sum(1 + log_var - mu.pow(2) - log_var.exp())
    loss = reconst_loss + kl_div
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(
        "Step [{}/{}], Reconst Loss: {:.4f}, KL Div: {:.4f}".format(  # noqa: UP032
            i + 1, 3, reconst_loss.item(), kl_div.item()
        )
    )
with torch.no_grad():
    z = torch.randn(batch_size, 8).to(device)
    out = model.decode(z).view(-1, 1, 8, 8)
    out2, _, _ = model(x)
    x_concat = torch.cat([x.view(-1, 1, 8, 8), out2.view(-1, 1, 8, 8)], dim=3)
    print(out.shape, x_concat.shape, x_concat[0, 0, 0])
