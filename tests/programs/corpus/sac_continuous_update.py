"""Soft actor-critic's update after CleanRL's sac_continuous_action.py: a SoftQNetwork on
torch.cat([x, a], 1), an Actor with a tanh-squashed Normal (mean, log_std squashed into
[LOG_STD_MIN, LOG_STD_MAX] by tanh, rsample, the log_prob correction
log(action_scale * (1 - y_t.pow(2)) + 1e-6), registered action_scale / action_bias buffers),
twin Q targets min(qf1_next, qf2_next) - alpha * next_log_pi under torch.no_grad(), the actor
loss ((alpha * log_pi) - min_qf_pi).mean(), automatic entropy tuning with log_alpha, and the
Polyak target update target_param.data.copy_(tau * param.data + (1 - tau) * target_param.data).

Source: https://github.com/vwxyzjn/cleanrl (cleanrl/sac_continuous_action.py; MIT). Written for
jitgrad's corpus after its structure, not copied. Changes: no gym or replay buffer: a fixed
synthetic batch of transitions, 3 updates.
"""
# ruff: noqa: E501  (the original's style, kept)

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

LOG_STD_MAX, LOG_STD_MIN = 2, -5
obs_dim, act_dim = 3, 2
action_high, action_low = np.array([2.0, 1.0], dtype=np.float32), np.array([-2.0, -1.0], dtype=np.float32)


class SoftQNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(obs_dim + act_dim, 16)
        self.fc2 = nn.Linear(16, 16)
        self.fc3 = nn.Linear(16, 1)

    def forward(self, x, a):
        x = torch.cat([x, a], 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class Actor(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(obs_dim, 16)
        self.fc2 = nn.Linear(16, 16)
        self.fc_mean = nn.Linear(16, act_dim)
        self.fc_logstd = nn.Linear(16, act_dim)
        self.register_buffer("action_scale", torch.tensor((action_high - action_low) / 2.0, dtype=torch.float32))
        self.register_buffer("action_bias", torch.tensor((action_high + action_low) / 2.0, dtype=torch.float32))

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        mean = self.fc_mean(x)
        log_std = self.fc_logstd(x)
        log_std = torch.tanh(log_std)
        log_std = LOG_STD_MIN + 0.5 * (LOG_STD_MAX - LOG_STD_MIN) * (log_std + 1)
        return mean, log_std

    def get_action(self, x):
        mean, log_std = self(x)
        std = log_std.exp()
        normal = torch.distributions.Normal(mean, std)
        x_t = normal.rsample()
        y_t = torch.tanh(x_t)
        action = y_t * self.action_scale + self.action_bias
        log_prob = normal.log_prob(x_t)
        log_prob -= torch.log(self.action_scale * (1 - y_t.pow(2)) + 1e-6)
        log_prob = log_prob.sum(1, keepdim=True)
        mean = torch.tanh(mean) * self.action_scale + self.action_bias
        return action, log_prob, mean


torch.manual_seed(1)
actor = Actor()
qf1, qf2 = SoftQNetwork(), SoftQNetwork()
qf1_target, qf2_target = SoftQNetwork(), SoftQNetwork()
qf1_target.load_state_dict(qf1.state_dict())
qf2_target.load_state_dict(qf2.state_dict())
q_optimizer = optim.Adam(list(qf1.parameters()) + list(qf2.parameters()), lr=1e-3)
actor_optimizer = optim.Adam(list(actor.parameters()), lr=3e-4)
target_entropy = -torch.prod(torch.Tensor((act_dim,))).item()
log_alpha = torch.zeros(1, requires_grad=True)
alpha = log_alpha.exp().item()
a_optimizer = optim.Adam([log_alpha], lr=1e-3)
gamma, tau = 0.99, 0.005
print(actor.action_scale, actor.action_bias, target_entropy)
observations = torch.randn(16, obs_dim)
actions = torch.rand(16, act_dim) * 2 - 1
rewards = observations[:, 0] - actions[:, 1].abs()
next_observations = torch.randn(16, obs_dim)
dones = (torch.rand(16) < 0.1).float()
for step in range(3):
    with torch.no_grad():
        next_state_actions, next_state_log_pi, _ = actor.get_action(next_observations)
        qf1_next_target = qf1_target(next_observations, next_state_actions)
        qf2_next_target = qf2_target(next_observations, next_state_actions)
        min_qf_next_target = torch.min(qf1_next_target, qf2_next_target) - alpha * next_state_log_pi
        next_q_value = rewards.flatten() + (1 - dones.flatten()) * gamma * (min_qf_next_target).view(-1)
    qf1_a_values = qf1(observations, actions).view(-1)
    qf2_a_values = qf2(observations, actions).view(-1)
    qf1_loss = F.mse_loss(qf1_a_values, next_q_value)
    qf2_loss = F.mse_loss(qf2_a_values, next_q_value)
    qf_loss = qf1_loss + qf2_loss
    q_optimizer.zero_grad()
    qf_loss.backward()
    q_optimizer.step()
    pi, log_pi, _ = actor.get_action(observations)
    qf1_pi = qf1(observations, pi)
    qf2_pi = qf2(observations, pi)
    min_qf_pi = torch.min(qf1_pi, qf2_pi)
    actor_loss = ((alpha * log_pi) - min_qf_pi).mean()
    actor_optimizer.zero_grad()
    actor_loss.backward()
    actor_optimizer.step()
    with torch.no_grad():
        _, log_pi, _ = actor.get_action(observations)
    alpha_loss = (-log_alpha.exp() * (log_pi + target_entropy)).mean()
    a_optimizer.zero_grad()
    alpha_loss.backward()
    a_optimizer.step()
    alpha = log_alpha.exp().item()
    for param, target_param in zip(qf1.parameters(), qf1_target.parameters()):
        target_param.data.copy_(tau * param.data + (1 - tau) * target_param.data)
    for param, target_param in zip(qf2.parameters(), qf2_target.parameters()):
        target_param.data.copy_(tau * param.data + (1 - tau) * target_param.data)
    print(step, f"{qf_loss.item():.5f} {actor_loss.item():.5f} {alpha_loss.item():.5f} {alpha:.6f}")
print(log_pi[:3].flatten(), actor_loss.grad_fn.name(), qf1_loss.grad_fn.name())
print((qf1_target.fc3.weight - qf1.fc3.weight).abs().max().item())
_, _, det = actor.get_action(observations[:2])
print(det)
