"""Late access to the Tensor core (``autograd_core``), so that importing
``autograd_core.utils.data`` never needs the core to be fully imported first."""
from __future__ import annotations

from typing import Any

import numpy as np


def ag() -> Any:
    """The ``autograd_core`` package (imported on first use)."""
    import autograd_core

    return autograd_core


def is_tensor(x: Any) -> bool:
    """True if ``x`` is an ``autograd_core.Tensor``."""
    try:
        tensor_type = ag().Tensor
    except (ImportError, AttributeError):  # core not there yet
        return False
    return isinstance(x, tensor_type)


def to_tensor(a: np.ndarray) -> Any:
    """Wrap a NumPy array as an ``autograd_core.Tensor`` (no copy if possible)."""
    return ag().from_numpy(np.ascontiguousarray(a))


def np_rng(generator: Any = None) -> np.random.Generator:
    """The ``numpy.random.Generator`` behind ``generator``.

    ``generator`` may be an ``autograd_core.Generator`` (its ``.np`` is used),
    a ``numpy.random.Generator``, or ``None`` for the global generator that
    ``autograd_core.manual_seed`` seeds.
    """
    if generator is None:
        from autograd_core import random as _random

        return _random.default_generator.np
    if isinstance(generator, np.random.Generator):
        return generator
    rng = getattr(generator, "np", None)
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(
        "generator must be an autograd_core.Generator (or a numpy.random.Generator) or None, "
        f"got {type(generator).__name__}"
    )


def first_dim(x: Any) -> int:
    """Length of the first dimension of a Tensor or array."""
    shape = tuple(x.shape)
    if len(shape) == 0:
        raise ValueError("a 0-dimensional tensor has no first dimension to index samples by")
    return int(shape[0])


def iteration_rng(generator: Any = None) -> np.random.Generator:
    """The ``numpy.random.Generator`` a random sampler draws one pass from.

    As PyTorch's ``RandomSampler``: a given ``generator`` is drawn from directly;
    with ``None``, one int64 seed is drawn from the global generator and a
    private ``autograd_core.Generator`` seeded with it serves the whole pass, so
    the global generator advances by one draw per pass and the order of the pass
    does not depend on what else draws from the global generator meanwhile.
    """
    if generator is not None:
        return np_rng(generator)
    from autograd_core.random import Generator

    seed = int(np_rng(None).integers(0, 2**63, dtype=np.int64))
    return Generator().manual_seed(seed).np
