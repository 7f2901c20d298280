"""Weight Uncertainty in Neural Networks (Bayes by Backprop) after Nitarshan Rajkumar's
well-known PyTorch notebook (nitarshan/bayes-by-backprop, "Weight Uncertainty in Neural
Networks.ipynb"): a Gaussian variational posterior with sigma = torch.log1p(torch.exp(rho)),
reparameterised samples mu + sigma * epsilon with epsilon from torch.distributions.Normal(0, 1)
.sample(self.rho.size()), its hand-written log_prob (- math.log(math.sqrt(2 * math.pi)) -
torch.log(self.sigma) - ((input - self.mu) ** 2) / (2 * self.sigma ** 2)).sum(); a scale-mixture
prior of two torch.distributions.Normal's with torch.exp(log_prob) mixed and logged; BayesianLinear
layers with uniform_ initialised parameters, F.linear; the ELBO sample loop with torch.zeros for
outputs / log priors / variational posteriors, F.nll_loss(outputs.mean(0), target,
reduction='sum') and the KL weighted by 1 / NUM_BATCHES; Adam.

Source: https://github.com/nitarshan/bayes-by-backprop (no license stated; written for
jitgrad's corpus after its structure, not copied). Changes: 6 inputs, 16 hidden units, 3
classes of random data instead of MNIST, 2 samples, 3 steps.
"""
# ruff: noqa: E501, UP004, UP006, UP007, UP008, UP031, UP032, UP035, UP045, E701, E731, B006, B007, F401, F841  (the original's style, kept)

import math

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

PI = 0.5
SIGMA_1 = torch.FloatTensor([math.exp(-0)])
SIGMA_2 = torch.FloatTensor([math.exp(-6)])
BATCH_SIZE = 8
NUM_BATCHES = 4
CLASSES = 3
SAMPLES = 2


class Gaussian(object):
    def __init__(self, mu, rho):
        super().__init__()
        self.mu = mu
        self.rho = rho
        self.normal = torch.distributions.Normal(0, 1)

    @property
    def sigma(self):
        return torch.log1p(torch.exp(self.rho))

    def sample(self):
        epsilon = self.normal.sample(self.rho.size())
        return self.mu + self.sigma * epsilon

    def log_prob(self, input):
        return (-math.log(math.sqrt(2 * math.pi))
                - torch.log(self.sigma)
                - ((input - self.mu) ** 2) / (2 * self.sigma ** 2)).sum()


class ScaleMixtureGaussian(object):
    def __init__(self, pi, sigma1, sigma2):
        super().__init__()
        self.pi = pi
        self.sigma1 = sigma1
        self.sigma2 = sigma2
        self.gaussian1 = torch.distributions.Normal(0, sigma1)
        self.gaussian2 = torch.distributions.Normal(0, sigma2)

    def log_prob(self, input):
        prob1 = torch.exp(self.gaussian1.log_prob(input))
        prob2 = torch.exp(self.gaussian2.log_prob(input))
        return (torch.log(self.pi * prob1 + (1 - self.pi) * prob2)).sum()


class BayesianLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        # Weight parameters
        self.weight_mu = nn.Parameter(torch.Tensor(out_features, in_features).uniform_(-0.2, 0.2))
        self.weight_rho = nn.Parameter(torch.Tensor(out_features, in_features).uniform_(-5, -4))
        self.weight = Gaussian(self.weight_mu, self.weight_rho)
        # Bias parameters
        self.bias_mu = nn.Parameter(torch.Tensor(out_features).uniform_(-0.2, 0.2))
        self.bias_rho = nn.Parameter(torch.Tensor(out_features).uniform_(-5, -4))
        self.bias = Gaussian(self.bias_mu, self.bias_rho)
        # Prior distributions
        self.weight_prior = ScaleMixtureGaussian(PI, SIGMA_1, SIGMA_2)
        self.bias_prior = ScaleMixtureGaussian(PI, SIGMA_1, SIGMA_2)
        self.log_prior = 0
        self.log_variational_posterior = 0

    def forward(self, input, sample=False, calculate_log_probs=False):
        if self.training or sample:
            weight = self.weight.sample()
            bias = self.bias.sample()
        else:
            weight = self.weight.mu
            bias = self.bias.mu
        if self.training or calculate_log_probs:
            self.log_prior = self.weight_prior.log_prob(weight) + self.bias_prior.log_prob(bias)
            self.log_variational_posterior = self.weight.log_prob(weight) + self.bias.log_prob(bias)
        else:
            self.log_prior, self.log_variational_posterior = 0, 0
        return F.linear(input, weight, bias)


class BayesianNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = BayesianLinear(6, 16)
        self.l2 = BayesianLinear(16, CLASSES)

    def forward(self, x, sample=False):
        x = x.view(-1, 6)
        x = F.relu(self.l1(x, sample))
        x = F.log_softmax(self.l2(x, sample), dim=1)
        return x

    def log_prior(self):
        return self.l1.log_prior + self.l2.log_prior

    def log_variational_posterior(self):
        return self.l1.log_variational_posterior + self.l2.log_variational_posterior

    def sample_elbo(self, input, target, samples=SAMPLES):
        outputs = torch.zeros(samples, BATCH_SIZE, CLASSES)
        log_priors = torch.zeros(samples)
        log_variational_posteriors = torch.zeros(samples)
        for i in range(samples):
            outputs[i] = self(input, sample=True)
            log_priors[i] = self.log_prior()
            log_variational_posteriors[i] = self.log_variational_posterior()
        log_prior = log_priors.mean()
        log_variational_posterior = log_variational_posteriors.mean()
        negative_log_likelihood = F.nll_loss(outputs.mean(0), target, reduction='sum')
        loss = (log_variational_posterior - log_prior) / NUM_BATCHES + negative_log_likelihood
        return loss, log_prior, log_variational_posterior, negative_log_likelihood


torch.manual_seed(0)
net = BayesianNetwork()
print([n for n, p in net.named_parameters()])
print(net.l1.weight.sigma.shape, round(net.l1.weight.sigma.mean().item(), 6), SIGMA_2)
prior = ScaleMixtureGaussian(PI, SIGMA_1, SIGMA_2)
print(prior.log_prob(torch.tensor([0.0, 0.01, -0.5, 2.0])), prior.gaussian2.scale)
optimizer = optim.Adam(net.parameters())
data = torch.randn(BATCH_SIZE, 6)
target = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
net.train()
for step in range(3):
    net.zero_grad()
    loss, log_prior, log_variational_posterior, negative_log_likelihood = net.sample_elbo(data, target)
    loss.backward()
    optimizer.step()
    print(step, round(loss.item(), 2), round(log_prior.item(), 2), round(log_variational_posterior.item(), 2), round(negative_log_likelihood.item(), 4))
print(net.l1.weight_rho.grad.shape, net.l2.bias_mu.grad)
net.eval()
with torch.no_grad():
    out = net(data)
    print(out.exp().sum(1), out.argmax(1), net.l1.log_prior)
