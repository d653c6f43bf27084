"""Random number generators: a global generator and ``manual_seed``, as in PyTorch
(``autograd_core.random`` is ``torch.random``). Nothing here knows tensors; the random
tensors (``rand``, ``randn``, ...) are in ``tensor/random.py``.

>>> import autograd_core as ag
>>> g = ag.Generator().manual_seed(7)
>>> state = g.get_state()
>>> first = ag.randn(2, generator=g)
>>> _ = g.set_state(state)
>>> bool((ag.randn(2, generator=g) == first).all())
True
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

import numpy as np

from .device import CPU, device as _device

__all__ = ["Generator", "default_generator", "initial_seed", "manual_seed", "seed", "rng",
           "dropout_mask", "fork_rng"]


# The seed of a new generator, as PyTorch's (``torch.Generator().initial_seed()``).
DEFAULT_SEED = 67280421310721


class Generator:
    """A seeded source of random numbers (wraps ``numpy.random.Generator``), as
    ``torch.Generator(device='cpu')``: made with PyTorch's fixed seed, reseeded by
    ``manual_seed``.

    >>> import autograd_core as ag
    >>> g = ag.Generator(device="cpu").manual_seed(42)
    >>> ag.randn(2, generator=g).shape
    (2,)
    >>> ag.Generator().initial_seed(), ag.Generator().device
    (67280421310721, device(type='cpu'))
    """

    def __init__(self, device: Any = "cpu") -> None:
        dev = device if isinstance(device, _device) else _device(device)
        if dev.type != "cpu":
            raise RuntimeError(f"Generator: expected device 'cpu', got '{dev}': autograd-core "
                               "runs on the CPU only")
        self._seed = DEFAULT_SEED
        self.np = np.random.default_rng(self._seed)

    @property
    def device(self) -> _device:
        """Where the generator's numbers go: the CPU."""
        return CPU

    def manual_seed(self, seed: int) -> "Generator":
        """Reset the generator to ``seed``; returns the generator itself."""
        self._seed = int(seed)
        self.np = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Re-seed from fresh entropy and return the new seed."""
        self.manual_seed(int(np.random.SeedSequence().entropy % (2**63)))
        return self._seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict:
        return self.np.bit_generator.state

    def set_state(self, state: dict) -> None:
        self.np.bit_generator.state = state


# The global generator, used when no ``generator=`` is given: an object, as
# ``torch.default_generator`` is (``generator=torch.default_generator`` works).
default_generator = _default = Generator().manual_seed(0)


def manual_seed(seed: int) -> Generator:
    """Seed the global generator (and return it), as ``torch.manual_seed``."""
    return _default.manual_seed(seed)


def seed() -> int:
    return _default.seed()


def initial_seed() -> int:
    return _default.initial_seed()


def rng(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator behind ``generator`` or the global one."""
    return (generator or _default).np


def dropout_mask(shape: tuple, p: float, dtype: Any, generator: Generator | None = None
                 ) -> np.ndarray:
    """The mask of inverted dropout, an array of ``dtype``: ``1 / (1 - p)`` where a uniform
    float32 draw is at least ``p`` (probability ``1 - p``), else 0; all zeros when ``p`` is
    1 (the draw is made all the same). Every dropout of the library takes its mask here,
    so one seed gives one mask.

    >>> import autograd_core as ag
    >>> from autograd_core.random import dropout_mask
    >>> sorted(set(dropout_mask((1000,), 0.75, ag.float32, ag.Generator().manual_seed(0)).tolist()))
    [0.0, 4.0]
    """
    dtype = np.dtype(dtype)
    keep = rng(generator).random(shape, dtype=np.float32) >= p
    if p >= 1:
        return np.zeros(shape, dtype)
    return keep * dtype.type(1.0 / (1.0 - p))


@contextlib.contextmanager
def fork_rng(devices: Any = None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str = "cuda") -> Iterator[None]:
    """Inside the block, draws from the global generator leave its state as it was before
    the block (PyTorch's ``torch.random.fork_rng``; there are no GPU generators to fork).

    >>> import autograd_core as ag
    >>> _ = ag.manual_seed(0)
    >>> with ag.random.fork_rng():
    ...     _ = ag.randn(3)
    >>> a = ag.randn(1); _ = ag.manual_seed(0); bool((ag.randn(1) == a).all())
    True
    """
    if not enabled:
        yield
        return
    state = _default.get_state()
    try:
        yield
    finally:
        _default.set_state(state)
