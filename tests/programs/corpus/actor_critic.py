"""Actor-critic, after pytorch/examples' reinforcement_learning/actor_critic.py: a Policy with a
shared affine layer and two heads (action softmax, state value), SavedAction namedtuples of
(log_prob, value) from torch.distributions.Categorical, returns discounted backwards and
normalised with np.finfo(np.float32).eps, the advantage R - value.item(), F.smooth_l1_loss
for the critic, torch.stack(...).sum() of both losses, and a running reward.

Source: https://github.com/pytorch/examples/blob/main/reinforcement_learning/actor_critic.py
(BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: gym's CartPole (not
installable here) is replaced by a deterministic 1-D corridor written below (state of 4
floats, 2 actions, reward 1 per step, episode over at an edge or after 12 steps); hidden 16;
lr 3e-2; 6 episodes; argparse dropped.
"""
# ruff: noqa: B007, UP008, UP032  (the original's style, kept)

from collections import namedtuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.distributions import Categorical

SavedAction = namedtuple("SavedAction", ["log_prob", "value"])
gamma = 0.99


class Corridor:
    def reset(self):
        self.pos, self.vel, self.t = 0.0, 0.0, 0
        return self._state()

    def _state(self):
        return np.array([self.pos, self.vel, self.pos * self.vel, self.t / 12.0], dtype=np.float32)

    def step(self, action):
        self.vel += 0.3 if action == 1 else -0.3
        self.pos += self.vel
        self.t += 1
        done = abs(self.pos) > 2.0 or self.t >= 12
        return self._state(), 1.0, done, {}


class Policy(nn.Module):
    """
    implements both actor and critic in one model
    """

    def __init__(self):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(4, 16)

        # actor's layer
        self.action_head = nn.Linear(16, 2)

        # critic's layer
        self.value_head = nn.Linear(16, 1)

        # action & reward buffer
        self.saved_actions = []
        self.rewards = []

    def forward(self, x):
        x = F.relu(self.affine1(x))

        # actor: choses action to take from state s_t
        # by returning probability of each action
        action_prob = F.softmax(self.action_head(x), dim=-1)

        # critic: evaluates being in the state s_t
        state_values = self.value_head(x)

        return action_prob, state_values


torch.manual_seed(543)
env = Corridor()
model = Policy()
optimizer = optim.Adam(model.parameters(), lr=3e-2)
eps = np.finfo(np.float32).eps.item()


def select_action(state):
    state = torch.from_numpy(state).float()
    probs, state_value = model(state)

    # create a categorical distribution over the list of probabilities of actions
    m = Categorical(probs)

    # and sample an action using the distribution
    action = m.sample()

    # save to action buffer
    model.saved_actions.append(SavedAction(m.log_prob(action), state_value))

    # the action to take (left or right)
    return action.item()


def finish_episode():
    """
    Training code. Calculates actor and critic loss and performs backprop.
    """
    R = 0
    saved_actions = model.saved_actions
    policy_losses = []  # list to save actor (policy) loss
    value_losses = []  # list to save critic (value) loss
    returns = []  # list to save the true values

    # calculate the true value using rewards returned from the environment
    for r in model.rewards[::-1]:
        # calculate the discounted value
        R = r + gamma * R
        returns.insert(0, R)

    returns = torch.tensor(returns)
    returns = (returns - returns.mean()) / (returns.std() + eps)

    for (log_prob, value), R in zip(saved_actions, returns):
        advantage = R - value.item()

        # calculate actor (policy) loss
        policy_losses.append(-log_prob * advantage)

        # calculate critic (value) loss using L1 smooth loss
        value_losses.append(F.smooth_l1_loss(value, torch.tensor([R])))

    # reset gradients
    optimizer.zero_grad()

    # sum up all the losses
    loss = torch.stack(policy_losses).sum() + torch.stack(value_losses).sum()

    # perform backprop
    loss.backward()
    optimizer.step()

    # reset rewards and action buffer
    del model.rewards[:]
    del model.saved_actions[:]
    return loss


running_reward = 10
for i_episode in range(1, 7):
    state = env.reset()
    ep_reward = 0
    for t in range(1, 10000):
        action = select_action(state)
        state, reward, done, _ = env.step(action)
        model.rewards.append(reward)
        ep_reward += reward
        if done:
            break
    running_reward = 0.05 * ep_reward + (1 - 0.05) * running_reward
    loss = finish_episode()
    if i_episode % 2 == 0:
        print(
            "Episode {}\tLast reward: {:.2f}\tAverage reward: {:.2f}\tloss {:.4f}".format(
                i_episode, ep_reward, running_reward, loss.item()
            )
        )
print(loss.grad_fn)
print(model(torch.zeros(4))[0])
