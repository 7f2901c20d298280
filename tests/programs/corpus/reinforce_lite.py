"""REINFORCE: a policy network, torch.distributions.Categorical sampling with log_prob saved per
step, discounted returns normalised with the float epsilon, and the policy-gradient loss
(-log_prob * R summed with torch.cat), Adam on the result.

Model: https://github.com/pytorch/examples/blob/main/reinforcement_learning/reinforce.py
(pytorch/examples, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: gym's
CartPole is replaced by a tiny deterministic 4-state environment written here (action 1 moves
toward a goal), episodes last at most 8 steps, 4 episodes; hidden size 16.
"""

# ruff: noqa: B007  (the original's style, kept)

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.distributions import Categorical

torch.manual_seed(543)
gamma = 0.99


class Env:
    def reset(self):
        self.pos = 0
        return np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32)

    def step(self, action):
        self.pos = max(0, self.pos + (1 if action == 1 else -1))
        state = np.zeros(4, dtype=np.float32)
        state[min(self.pos, 3)] = 1.0
        done = self.pos >= 3
        return state, (1.0 if done else -0.1), done


class Policy(nn.Module):
    def __init__(self):
        super().__init__()
        self.affine1 = nn.Linear(4, 16)
        self.dropout = nn.Dropout(p=0.6)
        self.affine2 = nn.Linear(16, 2)
        self.saved_log_probs = []
        self.rewards = []

    def forward(self, x):
        x = self.affine1(x)
        x = self.dropout(x)
        x = F.relu(x)
        action_scores = self.affine2(x)
        return F.softmax(action_scores, dim=1)


policy = Policy()
optimizer = optim.Adam(policy.parameters(), lr=1e-2)
eps = np.finfo(np.float32).eps.item()


def select_action(state):
    state = torch.from_numpy(state).float().unsqueeze(0)
    probs = policy(state)
    m = Categorical(probs)
    action = m.sample()
    policy.saved_log_probs.append(m.log_prob(action))
    return action.item()


def finish_episode():
    R = 0
    policy_loss = []
    returns = []
    for r in policy.rewards[::-1]:
        R = r + gamma * R
        returns.insert(0, R)
    returns = torch.tensor(returns)
    returns = (returns - returns.mean()) / (returns.std() + eps)
    for log_prob, R in zip(policy.saved_log_probs, returns):
        policy_loss.append(-log_prob * R)
    optimizer.zero_grad()
    policy_loss = torch.cat(policy_loss).sum()
    policy_loss.backward()
    optimizer.step()
    del policy.rewards[:]
    del policy.saved_log_probs[:]
    return policy_loss


env = Env()
for i_episode in range(4):
    state, ep_reward = env.reset(), 0
    actions = []
    for t in range(8):
        action = select_action(state)
        actions.append(action)
        state, reward, done = env.step(action)
        policy.rewards.append(reward)
        ep_reward += reward
        if done:
            break
    loss = finish_episode()
    print(f"Episode {i_episode}\tactions {actions}\treward {ep_reward:.2f}\tloss {loss.item():.4f}")
print(loss.grad_fn)
