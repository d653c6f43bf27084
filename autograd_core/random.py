"""``autograd_core.random``: seeding the global generator, as ``torch.random``.

>>> import autograd_core as ag
>>> ag.random.manual_seed(0).initial_seed()
0
"""
from __future__ import annotations

from .tensor.random import Generator, default_generator, initial_seed, manual_seed, rng, seed

__all__ = ["Generator", "default_generator", "initial_seed", "manual_seed", "seed", "rng"]
