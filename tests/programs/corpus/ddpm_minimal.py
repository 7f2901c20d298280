"""A minimal denoising diffusion model (DDPM) in the style of cloneofsimo's minDiffusion
superminddpm.py: noise schedules from arange/sqrt/log/cumsum(...).exp() returned in a dict and
registered as buffers in a loop, a convolutional epsilon model with BatchNorm2d, training on
x_t = sqrtab[_ts, None, None, None] * x + sqrtmab[_ts, None, None, None] * eps with
torch.randint(...).to(device) timesteps, torch.randn_like noise and an nn.MSELoss criterion
passed as a default argument, and ancestral sampling under no_grad.

Source: https://github.com/cloneofsimo/minDiffusion (superminddpm.py; MIT licence). Written for
jitgrad's corpus after that file's structure, not copied. Changes: MNIST is replaced by 16
random 1x8x8 blob images made with torch; the epsilon model's widths are 8/8/4 instead of
128/128/64/16 with kernel 3; n_T=20 instead of 1000; 4 Adam steps of batch 8, no tqdm, no
image saving, sampling 2 images.
"""
# ruff: noqa: B007, B008, UP006, UP008, UP035  (the original's style, kept)

from typing import Dict, Tuple

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def ddpm_schedules(beta1: float, beta2: float, T: int) -> Dict[str, torch.Tensor]:
    assert beta1 < beta2 < 1.0, "beta1 and beta2 must be in (0, 1)"
    beta_t = (beta2 - beta1) * torch.arange(0, T + 1, dtype=torch.float32) / T + beta1
    sqrt_beta_t = torch.sqrt(beta_t)
    alpha_t = 1 - beta_t
    log_alpha_t = torch.log(alpha_t)
    alphabar_t = torch.cumsum(log_alpha_t, dim=0).exp()
    sqrtab = torch.sqrt(alphabar_t)
    oneover_sqrta = 1 / torch.sqrt(alpha_t)
    sqrtmab = torch.sqrt(1 - alphabar_t)
    mab_over_sqrtmab_inv = (1 - alpha_t) / sqrtmab
    return {"alpha_t": alpha_t, "oneover_sqrta": oneover_sqrta, "sqrt_beta_t": sqrt_beta_t,
            "alphabar_t": alphabar_t, "sqrtab": sqrtab, "sqrtmab": sqrtmab,
            "mab_over_sqrtmab": mab_over_sqrtmab_inv}


class DummyEpsModel(nn.Module):
    def __init__(self, n_channel: int) -> None:
        super(DummyEpsModel, self).__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(n_channel, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
            nn.Conv2d(4, n_channel, 3, padding=1))

    def forward(self, x, t) -> torch.Tensor:
        return self.conv(x)


class DDPM(nn.Module):
    def __init__(self, eps_model: nn.Module, betas: Tuple[float, float], n_T: int,
                 criterion: nn.Module = nn.MSELoss()) -> None:
        super(DDPM, self).__init__()
        self.eps_model = eps_model
        for k, v in ddpm_schedules(betas[0], betas[1], n_T).items():
            self.register_buffer(k, v)
        self.n_T = n_T
        self.criterion = criterion

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _ts = torch.randint(0, self.n_T - 1, (x.shape[0],)).to(x.device)
        eps = torch.randn_like(x)
        x_t = self.sqrtab[_ts, None, None, None] * x + self.sqrtmab[_ts, None, None, None] * eps
        return self.criterion(eps, self.eps_model(x_t, _ts / self.n_T))

    def sample(self, n_sample: int, size, device) -> torch.Tensor:
        x_t = torch.randn(n_sample, *size).to(device)
        for i in range(self.n_T - 1, 0, -1):
            z = torch.randn(n_sample, *size).to(device)
            eps = self.eps_model(x_t, i / self.n_T)
            x_t = (self.oneover_sqrta[i] * (x_t - eps * self.mab_over_sqrtmab[i])
                   + self.sqrt_beta_t[i] * z)
        return x_t


torch.manual_seed(0)
device = "cpu"
ddpm = DDPM(eps_model=DummyEpsModel(1), betas=(1e-4, 0.02), n_T=20)
ddpm.to(device)
print(sorted(name for name, _ in ddpm.named_buffers())[:4])
print(ddpm.alphabar_t[[0, 10, 20]])
yy, xx = torch.meshgrid(torch.linspace(-1, 1, 8), torch.linspace(-1, 1, 8), indexing="ij")
centers = torch.rand(16, 2) - 0.5
images = torch.exp(-((xx - centers[:, :1, None]) ** 2 + (yy - centers[:, 1:, None]) ** 2) * 4)
images = (images.unsqueeze(1) - 0.5) / 1.0
dataloader = DataLoader(TensorDataset(images, torch.zeros(16)), batch_size=8, shuffle=True)
optim = torch.optim.Adam(ddpm.parameters(), lr=1e-3)
loss_ema = None
for epoch in range(2):
    ddpm.train()
    for x, _ in dataloader:
        optim.zero_grad()
        x = x.to(device)
        loss = ddpm(x)
        loss.backward()
        loss_ema = loss.item() if loss_ema is None else 0.9 * loss_ema + 0.1 * loss.item()
        print(f"loss: {loss_ema:.4f}")
        optim.step()
ddpm.eval()
with torch.no_grad():
    x = ddpm.sample(2, (1, 8, 8), device)
print(x.shape, x.mean().item() > -10, x[0, 0, 0, :4])
