"""A model zoo: seven well-known PyTorch training programs, each written once against a
library passed in as a parameter, so that the same source builds the autograd-core model
and the PyTorch model.

Every model module defines

* ``NAME``, ``TITLE`` (one line) and ``STEPS = (warmup, timed)`` for a full benchmark run;
* ``data(rng)``: the batch as NumPy arrays (float32 / int64), drawn from ``rng``;
* ``build(L)``: a dict of the modules (their parameters and buffers are what the
  first-step check copies from PyTorch into ours);
* ``trainer(L, mods, batch)``: a closure doing one whole training step (zero_grad,
  forward, loss, backward, optimizer step) on ``batch`` (a dict of tensors) and returning
  the loss tensor (or a tuple of them).

``L`` is a :class:`Lib`: ``L.torch``, ``L.nn``, ``L.F``, ``L.optim`` are the library's
``torch``, ``torch.nn``, ``torch.nn.functional`` and ``torch.optim``; ``L.deterministic``
asks for dropout probabilities of 0 and no random draws inside the step (the check of the
first steps' losses needs both libraries to compute the same thing).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

MODELS = ("gpt", "makemore", "lstm", "resnet18", "dcgan", "mnist", "vae")


@dataclass
class Lib:
    name: str            # "ours" or "torch"
    torch: Any
    nn: Any
    F: Any
    optim: Any
    deterministic: bool = False


def lib(name: str, deterministic: bool = False) -> Lib:
    """The library namespace for ``"ours"`` (autograd-core) or ``"torch"``."""
    if name == "torch":
        import torch
        import torch.nn.functional
        import torch.optim
        return Lib("torch", torch, torch.nn, torch.nn.functional, torch.optim, deterministic)
    if name == "ours":
        import autograd_core as ag
        return Lib("ours", ag, ag.nn, ag.nn.functional, ag.optim, deterministic)
    raise ValueError(name)


def model(name: str) -> ModuleType:
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; the zoo has {', '.join(MODELS)}")
    return importlib.import_module(f"benchmarks.zoo.{name}")
