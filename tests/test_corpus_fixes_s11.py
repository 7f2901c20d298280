"""Focused tests for what the session-11 corpus programs (LoRA, a llama block, Mixtral's MoE,
WGAN-GP, CleanRL's PPO, an MDN, a neural ODE, DPO, focal loss, a TCN, GP regression, a
distributions VAE) needed that jitgrad lacked.

* PyTorch's one-file-per-distribution import paths: CleanRL's ppo.py writes
  ``from torch.distributions.categorical import Categorical``; the classes name those modules
  (``<class 'torch.distributions.normal.Normal'>``).
* The registered stand-in modules (``torch.nn.modules.linear``, the distributions' files) carry a
  ``__spec__``, and ``torch.nn.modules`` is a package: ``importlib.util.find_spec`` (which an
  import hook that maps ``torch`` to jitgrad calls, as the corpus runner does) raised ValueError
  on them, and importing a submodule through such a hook said "'torch.nn.modules' is not a
  package".

Expected texts are PyTorch 2.13's for the same names.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

import pytest

import jitgrad as torch

sys.path.insert(0, str(Path(__file__).resolve().parent / "parity"))
#: the corpus runner's hook: ``torch.X`` imports as ``jitgrad.X``, the very module object
from corpus_runner import _TorchAlias  # noqa: E402


@pytest.mark.parametrize(
    ("sub", "name"),
    [
        ("categorical", "Categorical"),
        ("normal", "Normal"),
        ("bernoulli", "Bernoulli"),
        ("independent", "Independent"),
        ("uniform", "Uniform"),
        ("multinomial", "Multinomial"),
        ("relaxed_categorical", "RelaxedOneHotCategorical"),
        ("transformed_distribution", "TransformedDistribution"),
    ],
)
def test_distribution_submodules_import_and_name_their_classes(sub, name):
    module = importlib.import_module(f"jitgrad.distributions.{sub}")
    cls = getattr(module, name)
    assert cls is getattr(torch.distributions, name)
    assert getattr(torch.distributions, sub) is module
    assert cls.__module__ == f"jitgrad.distributions.{sub}"


def test_categorical_from_its_own_module_samples_and_scores():
    from jitgrad.distributions.categorical import Categorical

    dist = Categorical(logits=torch.tensor([0.0, 1.0, 2.0]))
    assert dist.log_prob(torch.tensor(2)).item() == pytest.approx(-0.40760596)
    assert repr(type(dist)) == "<class 'jitgrad.distributions.categorical.Categorical'>"


def test_distribution_submodule_says_what_is_missing():
    module = importlib.import_module("jitgrad.distributions.normal")
    with pytest.raises(AttributeError, match="not implemented in jitgrad"):
        module.NotAName  # noqa: B018


@pytest.mark.parametrize(
    "name", ["jitgrad.nn.modules.linear", "jitgrad.nn.modules", "jitgrad.distributions.normal"]
)
def test_stand_in_modules_have_a_spec(name):
    importlib.import_module(name)
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.name == name


def test_submodules_import_through_a_torch_alias_hook(monkeypatch):
    monkeypatch.setattr(sys, "meta_path", [_TorchAlias(), *sys.meta_path])
    saved = {k: v for k, v in sys.modules.items() if k == "torch" or k.startswith("torch.")}
    specs = {k: m.__spec__ for k, m in sys.modules.items() if k.startswith("jitgrad")}
    try:
        for k in saved:
            del sys.modules[k]
        linear = importlib.import_module("torch.nn.modules.linear")
        categorical = importlib.import_module("torch.distributions.categorical")
        assert linear.Linear is torch.nn.Linear
        assert categorical.Categorical is torch.distributions.Categorical
    finally:
        for k in [k for k in sys.modules if k == "torch" or k.startswith("torch.")]:
            del sys.modules[k]
        sys.modules.update(saved)
        for k, spec in specs.items():  # the import system gave them the torch.X specs
            sys.modules[k].__spec__ = spec
