"""VQ-VAE's vector quantiser after zalandoresearch/pytorch-vq-vae (the VectorQuantizer and
VectorQuantizerEMA cells of vq-vae.ipynb): an nn.Embedding codebook initialised uniform_(-1/K, 1/K),
squared distances ||z||^2 + ||e||^2 - 2 z.e, argmin encodings scattered into a one-hot matrix
(scatter_), q_latent_loss + commitment_cost * e_latent_loss with .detach(), the
straight-through estimator inputs + (quantized - inputs).detach(), perplexity from average
code usage, and the EMA codebook update with Laplace smoothing of the cluster sizes.

Source: https://github.com/zalandoresearch/pytorch-vq-vae (vq-vae.ipynb; MIT). Written for
jitgrad's corpus after its structure, not copied. Changes: conv encoder/decoder replaced by
Linear layers on 2x3 "feature maps" of 4 channels, 8 codes, 4 Adam steps per quantiser.
"""
# ruff: noqa: E501  (the original's style, kept)

import torch
import torch.nn as nn
import torch.nn.functional as F


class VectorQuantizer(nn.Module):
    def __init__(self, num_embeddings, embedding_dim, commitment_cost):
        super().__init__()
        self._embedding_dim = embedding_dim
        self._num_embeddings = num_embeddings
        self._embedding = nn.Embedding(self._num_embeddings, self._embedding_dim)
        self._embedding.weight.data.uniform_(-1 / self._num_embeddings, 1 / self._num_embeddings)
        self._commitment_cost = commitment_cost

    def forward(self, inputs):
        inputs = inputs.permute(0, 2, 3, 1).contiguous()
        input_shape = inputs.shape
        flat_input = inputs.view(-1, self._embedding_dim)
        distances = (torch.sum(flat_input**2, dim=1, keepdim=True)
                     + torch.sum(self._embedding.weight**2, dim=1)
                     - 2 * torch.matmul(flat_input, self._embedding.weight.t()))
        encoding_indices = torch.argmin(distances, dim=1).unsqueeze(1)
        encodings = torch.zeros(encoding_indices.shape[0], self._num_embeddings, device=inputs.device)
        encodings.scatter_(1, encoding_indices, 1)
        quantized = torch.matmul(encodings, self._embedding.weight).view(input_shape)
        e_latent_loss = F.mse_loss(quantized.detach(), inputs)
        q_latent_loss = F.mse_loss(quantized, inputs.detach())
        loss = q_latent_loss + self._commitment_cost * e_latent_loss
        quantized = inputs + (quantized - inputs).detach()
        avg_probs = torch.mean(encodings, dim=0)
        perplexity = torch.exp(-torch.sum(avg_probs * torch.log(avg_probs + 1e-10)))
        return loss, quantized.permute(0, 3, 1, 2).contiguous(), perplexity, encodings


class VectorQuantizerEMA(nn.Module):
    def __init__(self, num_embeddings, embedding_dim, commitment_cost, decay, epsilon=1e-5):
        super().__init__()
        self._embedding_dim = embedding_dim
        self._num_embeddings = num_embeddings
        self._embedding = nn.Embedding(self._num_embeddings, self._embedding_dim)
        self._embedding.weight.data.normal_()
        self._commitment_cost = commitment_cost
        self.register_buffer("_ema_cluster_size", torch.zeros(num_embeddings))
        self._ema_w = nn.Parameter(torch.Tensor(num_embeddings, self._embedding_dim))
        self._ema_w.data.normal_()
        self._decay = decay
        self._epsilon = epsilon

    def forward(self, inputs):
        inputs = inputs.permute(0, 2, 3, 1).contiguous()
        input_shape = inputs.shape
        flat_input = inputs.view(-1, self._embedding_dim)
        distances = (torch.sum(flat_input**2, dim=1, keepdim=True)
                     + torch.sum(self._embedding.weight**2, dim=1)
                     - 2 * torch.matmul(flat_input, self._embedding.weight.t()))
        encoding_indices = torch.argmin(distances, dim=1).unsqueeze(1)
        encodings = torch.zeros(encoding_indices.shape[0], self._num_embeddings, device=inputs.device)
        encodings.scatter_(1, encoding_indices, 1)
        quantized = torch.matmul(encodings, self._embedding.weight).view(input_shape)
        if self.training:
            self._ema_cluster_size = self._ema_cluster_size * self._decay + (1 - self._decay) * torch.sum(encodings, 0)
            n = torch.sum(self._ema_cluster_size.data)
            self._ema_cluster_size = ((self._ema_cluster_size + self._epsilon) / (n + self._num_embeddings * self._epsilon) * n)
            dw = torch.matmul(encodings.t(), flat_input)
            self._ema_w = nn.Parameter(self._ema_w * self._decay + (1 - self._decay) * dw)
            self._embedding.weight = nn.Parameter(self._ema_w / self._ema_cluster_size.unsqueeze(1))
        e_latent_loss = F.mse_loss(quantized.detach(), inputs)
        loss = self._commitment_cost * e_latent_loss
        quantized = inputs + (quantized - inputs).detach()
        avg_probs = torch.mean(encodings, dim=0)
        perplexity = torch.exp(-torch.sum(avg_probs * torch.log(avg_probs + 1e-10)))
        return loss, quantized.permute(0, 3, 1, 2).contiguous(), perplexity, encodings


class Model(nn.Module):
    def __init__(self, vq):
        super().__init__()
        self._encoder = nn.Linear(5, 4)
        self._vq_vae = vq
        self._decoder = nn.Linear(4, 5)

    def forward(self, x):
        z = self._encoder(x).permute(0, 3, 1, 2)
        loss, quantized, perplexity, _ = self._vq_vae(z)
        x_recon = self._decoder(quantized.permute(0, 2, 3, 1))
        return loss, x_recon, perplexity


torch.manual_seed(0)
data = torch.randn(6, 2, 3, 5)
data_variance = data.var().item()
for vq in (VectorQuantizer(8, 4, 0.25), VectorQuantizerEMA(8, 4, 0.25, 0.99)):
    model = Model(vq)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, amsgrad=False)
    model.train()
    for i in range(4):
        optimizer.zero_grad()
        vq_loss, data_recon, perplexity = model(data)
        recon_error = F.mse_loss(data_recon, data) / data_variance
        loss = recon_error + vq_loss
        loss.backward()
        optimizer.step()
        print(type(vq).__name__, i, f"{recon_error.item():.5f} {vq_loss.item():.5f} {perplexity.item():.4f}")
    print(model._encoder.weight.grad.norm().item(), loss.grad_fn.name())
    _, _, _, enc = vq(model._encoder(data).permute(0, 3, 1, 2))
    print(enc.argmax(1).tolist())
print(vq._ema_cluster_size)
