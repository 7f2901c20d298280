"""PPO's clipped-surrogate update after CleanRL's ppo.py: an Agent with orthogonal-initialised
layer_init (torch.nn.init.orthogonal_ with std sqrt(2), constant_ bias), a Categorical policy
(log_prob, entropy, sample), generalised advantage estimation computed backwards over the
rollout with nextnonterminal masks, normalised advantages, ratio = exp(newlogprob - oldlogprob),
approx_kl ((ratio - 1) - logratio).mean(), clipfracs, pg_loss = max(-adv * ratio,
-adv * clamp(ratio, 1 - clip, 1 + clip)).mean(), clipped value loss, and
nn.utils.clip_grad_norm_ before each Adam step over shuffled minibatches.

Source: https://github.com/vwxyzjn/cleanrl (cleanrl/ppo.py; MIT). Written for jitgrad's corpus
after its structure, not copied. Changes: no gym: a synthetic rollout (random observations,
rewards from a fixed linear rule, random dones), 16 steps, 2 epochs of 2 minibatches.
"""
# ruff: noqa: B008, E501  (the original's style, kept)

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.distributions.categorical import Categorical


def layer_init(layer, std=np.sqrt(2), bias_const=0.0):
    torch.nn.init.orthogonal_(layer.weight, std)
    torch.nn.init.constant_(layer.bias, bias_const)
    return layer


class Agent(nn.Module):
    def __init__(self, obs_dim, n_actions):
        super().__init__()
        self.critic = nn.Sequential(layer_init(nn.Linear(obs_dim, 16)), nn.Tanh(),
                                    layer_init(nn.Linear(16, 1), std=1.0))
        self.actor = nn.Sequential(layer_init(nn.Linear(obs_dim, 16)), nn.Tanh(),
                                   layer_init(nn.Linear(16, n_actions), std=0.01))

    def get_value(self, x):
        return self.critic(x)

    def get_action_and_value(self, x, action=None):
        logits = self.actor(x)
        probs = Categorical(logits=logits)
        if action is None:
            action = probs.sample()
        return action, probs.log_prob(action), probs.entropy(), self.critic(x)


torch.manual_seed(1)
num_steps, obs_dim, n_actions = 16, 4, 3
gamma, gae_lambda, clip_coef, ent_coef, vf_coef, max_grad_norm = 0.99, 0.95, 0.2, 0.01, 0.5, 0.5
agent = Agent(obs_dim, n_actions)
optimizer = optim.Adam(agent.parameters(), lr=2.5e-3, eps=1e-5)
obs = torch.randn(num_steps, obs_dim)
dones = (torch.rand(num_steps) < 0.2).float()
with torch.no_grad():
    actions, logprobs, _, values = agent.get_action_and_value(obs)
    values = values.flatten()
rewards = (obs[:, 0] * (actions == 1).float() - 0.1 * obs[:, 1]).detach()
print("actions", actions.tolist())
with torch.no_grad():
    next_value = agent.get_value(torch.randn(1, obs_dim)).reshape(1, -1)
    next_done = torch.zeros(1)
    advantages = torch.zeros_like(rewards)
    lastgaelam = 0
    for t in reversed(range(num_steps)):
        if t == num_steps - 1:
            nextnonterminal = 1.0 - next_done
            nextvalues = next_value
        else:
            nextnonterminal = 1.0 - dones[t + 1]
            nextvalues = values[t + 1]
        delta = rewards[t] + gamma * nextvalues * nextnonterminal - values[t]
        advantages[t] = lastgaelam = delta + gamma * gae_lambda * nextnonterminal * lastgaelam
    returns = advantages + values
print("advantages", advantages[:4])
b_inds = np.arange(num_steps)
clipfracs = []
rs = np.random.RandomState(0)
for epoch in range(2):
    rs.shuffle(b_inds)
    for start in range(0, num_steps, 8):
        mb_inds = b_inds[start:start + 8]
        _, newlogprob, entropy, newvalue = agent.get_action_and_value(obs[mb_inds], actions.long()[mb_inds])
        logratio = newlogprob - logprobs[mb_inds]
        ratio = logratio.exp()
        with torch.no_grad():
            old_approx_kl = (-logratio).mean()
            approx_kl = ((ratio - 1) - logratio).mean()
            clipfracs += [((ratio - 1.0).abs() > clip_coef).float().mean().item()]
        mb_advantages = advantages[mb_inds]
        mb_advantages = (mb_advantages - mb_advantages.mean()) / (mb_advantages.std() + 1e-8)
        pg_loss1 = -mb_advantages * ratio
        pg_loss2 = -mb_advantages * torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef)
        pg_loss = torch.max(pg_loss1, pg_loss2).mean()
        newvalue = newvalue.view(-1)
        v_loss_unclipped = (newvalue - returns[mb_inds]) ** 2
        v_clipped = values[mb_inds] + torch.clamp(newvalue - values[mb_inds], -clip_coef, clip_coef)
        v_loss_clipped = (v_clipped - returns[mb_inds]) ** 2
        v_loss_max = torch.max(v_loss_unclipped, v_loss_clipped)
        v_loss = 0.5 * v_loss_max.mean()
        entropy_loss = entropy.mean()
        loss = pg_loss - ent_coef * entropy_loss + v_loss * vf_coef
        optimizer.zero_grad()
        loss.backward()
        gn = nn.utils.clip_grad_norm_(agent.parameters(), max_grad_norm)
        optimizer.step()
        print(epoch, start, f"{pg_loss.item():.6f} {v_loss.item():.6f} {entropy_loss.item():.6f} {approx_kl.item():.6f} {old_approx_kl.item():.6f} {gn.item():.5f}")
print("clipfrac", np.mean(clipfracs))
y_pred, y_true = values.numpy(), returns.numpy()
var_y = np.var(y_true)
print("explained_variance", np.nan if var_y == 0 else 1 - np.var(y_true - y_pred) / var_y)
