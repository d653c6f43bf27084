"""Batching variable-length sequences, as ``torch.nn.utils.rnn``: ``pad_sequence`` and
``unpad_sequence``; ``PackedSequence`` with ``pack_padded_sequence``, ``pad_packed_sequence``,
``pack_sequence`` and ``unpack_sequence``, which ``RNN``, ``LSTM`` and ``GRU`` take as input.

A PackedSequence holds the time steps of a batch sorted by decreasing length, one after
the other, each with only the sequences still running: ``data`` (sum of the lengths, *),
``batch_sizes`` (how many sequences run at each step), and the permutation that sorted the
batch (``sorted_indices``) and its inverse (``unsorted_indices``), None if it was sorted.

>>> import autograd_core as ag
>>> from autograd_core.nn.utils.rnn import pad_sequence, pack_sequence
>>> pad_sequence([ag.ones(3), ag.ones(1)], batch_first=True).tolist()
[[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]]
>>> p = pack_sequence([ag.tensor([1.0, 2.0, 3.0]), ag.tensor([4.0, 5.0])])
>>> p.data.tolist(), p.batch_sizes.tolist()
([1.0, 4.0, 2.0, 5.0, 3.0], [2, 2, 1])
"""
from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from ..functional.padding import pad

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]


class _PackedFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedFields):
    """A batch of sequences of different lengths, packed (see the module's docstring); make
    one with ``pack_padded_sequence`` or ``pack_sequence``.

    >>> import autograd_core as ag
    >>> from autograd_core.nn.utils.rnn import pack_sequence
    >>> p = pack_sequence([ag.ones(1), ag.ones(2)], enforce_sorted=False)
    >>> p.sorted_indices.tolist(), p.double().data.dtype
    ([1, 0], dtype('float64'))
    """

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None,
                sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> "PackedSequence":
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence(data, batch_sizes) passed as one tuple
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> "PackedSequence":
        """The same sequences with ``data`` moved or cast by ``Tensor.to``."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, self.batch_sizes,
                                                          self.sorted_indices,
                                                          self.unsorted_indices)

    def cpu(self) -> "PackedSequence":
        return self

    def double(self) -> "PackedSequence":
        return self.to(ag.float64)

    def float(self) -> "PackedSequence":
        return self.to(ag.float32)

    def half(self) -> "PackedSequence":
        return self.to(ag.float16)

    def long(self) -> "PackedSequence":
        return self.to(ag.int64)

    def int(self) -> "PackedSequence":
        return self.to(ag.int32)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a permutation of ``range(n)`` (None stays None).

    >>> import autograd_core as ag
    >>> from autograd_core.nn.utils.rnn import invert_permutation
    >>> invert_permutation(ag.tensor([2, 0, 1])).tolist()
    [1, 2, 0]
    """
    if permutation is None:
        return None
    perm = np.asarray(permutation.numpy())
    out = np.empty_like(perm)
    out[perm] = np.arange(perm.size, dtype=perm.dtype)
    return ag.from_numpy(out)


def _lengths_array(lengths: Any) -> np.ndarray:
    if isinstance(lengths, Tensor):
        lengths = lengths.detach().numpy()
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def pack_padded_sequence(input: Tensor, lengths: Tensor | list[int], batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) ((B, T, *) with ``batch_first``) whose sequence b has
    ``lengths[b]`` steps. With ``enforce_sorted`` (the default) the lengths must decrease;
    otherwise the batch is sorted here and the permutation kept. Differentiable in
    ``input``.

    >>> import autograd_core as ag
    >>> from autograd_core.nn.utils.rnn import pack_padded_sequence
    >>> x = ag.tensor([[1.0, 2.0, 0.0], [3.0, 4.0, 5.0]])
    >>> p = pack_padded_sequence(x, [2, 3], batch_first=True, enforce_sorted=False)
    >>> p.data.tolist(), p.batch_sizes.tolist(), p.unsorted_indices.tolist()
    ([3.0, 1.0, 4.0, 2.0, 5.0], [2, 2, 1], [1, 0])
    """
    n = _lengths_array(lengths)
    batch_dim = 0 if batch_first else 1
    if n.size != input.shape[batch_dim]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {n.size} "
                           f"(batch_size={input.shape[batch_dim]})")
    if enforce_sorted:
        if np.any(n[1:] > n[:-1]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability.")
        sorted_indices = None
    else:
        order = np.argsort(-n, kind="stable")
        n = n[order]
        sorted_indices = ag.from_numpy(order.astype(np.int64))
        input = input.index_select(batch_dim, sorted_indices)
    if n.size and n[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    steps = input.shape[1 if batch_first else 0]
    if n.size and n[0] > steps:
        raise RuntimeError(f"pack_padded_sequence: a length of {n[0]} is longer than the "
                           f"{steps} time steps of the input")
    x = input.transpose(0, 1) if batch_first else input          # (T, B, *)
    batch_sizes = (n[None, :] > np.arange(int(n[0]) if n.size else 0)[:, None]).sum(1)
    running = np.arange(x.shape[1])[None, :] < batch_sizes[:, None]  # (T_max, B): sorted, so a prefix
    data = x[:len(batch_sizes)][ag.from_numpy(running)]
    return PackedSequence(data, ag.from_numpy(batch_sizes.astype(np.int64)), sorted_indices)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None
                        ) -> tuple[Tensor, Tensor]:
    """Undo ``pack_padded_sequence``: the padded batch (T, B, *) ((B, T, *) with
    ``batch_first``), in the order the batch had before packing, with T the longest length
    or ``total_length``, and the lengths (int64). Differentiable in ``sequence.data``.

    >>> import autograd_core as ag
    >>> from autograd_core.nn.utils.rnn import pack_sequence, pad_packed_sequence
    >>> p = pack_sequence([ag.tensor([1.0]), ag.tensor([2.0, 3.0])], enforce_sorted=False)
    >>> x, lengths = pad_packed_sequence(p, batch_first=True, padding_value=-1.0)
    >>> x.tolist(), lengths.tolist()
    ([[1.0, -1.0], [2.0, 3.0]], [1, 2])
    """
    sizes = [int(b) for b in sequence.batch_sizes.tolist()]
    batch, steps = sizes[0], len(sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
    rows = []
    data = sequence.data
    trailing = data.ndim - 1
    for chunk in data.split(sizes, 0):
        if chunk.shape[0] < batch:
            chunk = pad(chunk, [0, 0] * trailing + [0, batch - chunk.shape[0]], value=padding_value)
        rows.append(chunk)
    padded = ag.stack(rows, 0)                                      # (T, B, *)
    if total_length is not None and total_length > steps:
        padded = pad(padded, [0, 0] * (trailing + 1) + [0, total_length - steps],
                     value=padding_value)
    lengths = (np.asarray(sizes)[:, None] > np.arange(batch)[None, :]).sum(0).astype(np.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.numpy()]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, ag.from_numpy(lengths)


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *): ``pack_padded_sequence(pad_sequence(sequences),
    lengths)``.

    >>> import autograd_core as ag
    >>> from autograd_core.nn.utils.rnn import pack_sequence
    >>> pack_sequence([ag.tensor([1, 2]), ag.tensor([3])]).data.tolist()
    [1, 3, 2]
    """
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences a PackedSequence holds, in their original order.

    >>> import autograd_core as ag
    >>> from autograd_core.nn.utils.rnn import pack_sequence, unpack_sequence
    >>> [s.tolist() for s in unpack_sequence(pack_sequence([ag.tensor([1]), ag.tensor([2, 3])],
    ...                                                    enforce_sorted=False))]
    [[1], [2, 3]]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False
                   ) -> list[Tensor]:
    """The sequences of a padded batch, each cut to its length.

    >>> import autograd_core as ag
    >>> from autograd_core.nn.utils.rnn import unpad_sequence
    >>> [s.tolist() for s in unpad_sequence(ag.tensor([[1, 2], [3, 0]]), ag.tensor([2, 1]),
    ...                                     batch_first=True)]
    [[1, 2], [3]]
    """
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [x[b, :int(n)] for b, n in enumerate(_lengths_array(lengths))]


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
