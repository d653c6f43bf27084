"""Batching variable-length sequences, as ``torch.nn.utils.rnn``: ``pad_sequence``.

>>> import autograd_core as ag
>>> from autograd_core.nn.utils.rnn import pad_sequence
>>> pad_sequence([ag.ones(3), ag.ones(1)], batch_first=True).tolist()
[[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]]
"""
from __future__ import annotations

from typing import Sequence

import autograd_core as ag
from autograd_core import Tensor

from ..functional.padding import pad

__all__ = ["pad_sequence"]


def pad_sequence(sequences: Sequence[Tensor] | Tensor, batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes (L_i, *) into one (T, B, *) tensor, or (B, T, *) with
    ``batch_first``, T the longest length; shorter ones are filled with
    ``padding_value`` on the right (or the left with ``padding_side='left'``).
    Differentiable in each sequence.

    >>> import autograd_core as ag
    >>> from autograd_core.nn.utils.rnn import pad_sequence
    >>> pad_sequence([ag.tensor([1.0, 2.0]), ag.tensor([3.0])], padding_value=-1.0,
    ...              padding_side="left").tolist()
    [[1.0, -1.0], [2.0, 3.0]]
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"pad_sequence: expected padding_side to be one of left or right, but "
                         f"got {padding_side}.")
    seqs = list(sequences.unbind(0)) if isinstance(sequences, Tensor) else list(sequences)
    if not seqs:
        raise ValueError("pad_sequence: received an empty list of sequences")
    for i, s in enumerate(seqs):
        if not isinstance(s, Tensor):
            raise TypeError(f"pad_sequence: expected a list of Tensors, got {type(s).__name__} "
                            f"at position {i}")
        if s.ndim == 0 or s.shape[1:] != seqs[0].shape[1:]:
            raise ValueError(f"pad_sequence: expected sequences of shape (L, *) with the same "
                             f"trailing dims, got shapes {[tuple(t.shape) for t in seqs]}")
    longest = max(s.shape[0] for s in seqs)
    padded = []
    for s in seqs:
        extra = longest - s.shape[0]
        if extra:
            amounts = [0, 0] * (s.ndim - 1) + ([extra, 0] if padding_side == "left" else [0, extra])
            s = pad(s, amounts, value=padding_value)
        padded.append(s)
    return ag.stack(padded, dim=0 if batch_first else 1)
