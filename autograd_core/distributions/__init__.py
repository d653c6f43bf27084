"""Probability distributions with PyTorch's API (``torch.distributions``): sample, score
(``log_prob``), entropy and KL divergence, differentiable with respect to the parameters,
so that policy-gradient and variational scripts port by changing their imports.

>>> import autograd_core as ag
>>> from autograd_core.distributions import Categorical
>>> probs = ag.tensor([0.2, 0.8], requires_grad=True)
>>> m = Categorical(probs)
>>> action = m.sample()
>>> (-m.log_prob(ag.tensor(1)) * 2.0).backward()   # REINFORCE with a return of 2
>>> probs.grad
tensor([ 2.0000, -0.5000])
"""
from __future__ import annotations

from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .uniform import Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "Independent", "MultivariateNormal", "Normal",
           "OneHotCategorical", "Uniform", "constraints", "kl_divergence", "register_kl"]
