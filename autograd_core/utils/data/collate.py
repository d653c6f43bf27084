"""``default_collate`` and ``default_convert``, as in ``torch.utils.data`` (PyTorch
defines them in ``torch.utils.data._utils.collate`` and exports them from
``torch.utils.data`` and ``torch.utils.data.dataloader``; so does this package).

>>> import numpy as np
>>> from autograd_core.utils.data import default_collate
>>> x, y = default_collate([(np.zeros(3, np.float32), 1), (np.ones(3, np.float32), 0)])
>>> x.shape, y.numpy().tolist()
((2, 3), [1, 0])
"""
from __future__ import annotations

import collections.abc
from typing import Any, Sequence

import numpy as np

from ._core import ag, is_tensor, to_tensor

__all__ = ["default_collate", "default_convert"]

_BAD_NUMPY_KINDS = ("U", "S", "O", "V")


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _unsupported(elem: Any) -> TypeError:
    return TypeError(
        "default_collate: batch must contain Tensors, NumPy arrays, numbers, dicts or lists; "
        f"found {type(elem).__name__}"
    )


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, stacking along a new first dimension.

    The rules are PyTorch's:

    * Tensors → one Tensor, ``autograd_core.stack(batch, dim=0)``;
    * NumPy arrays → one Tensor (stacked); NumPy scalars → a 1-D Tensor of their dtype;
    * Python ``float`` → float64 Tensor, ``int`` → int64 Tensor, ``bool`` → bool Tensor;
    * ``str`` and ``bytes`` → left as a list;
    * dicts → a dict of collated values; named tuples → the same named tuple type;
    * tuples and lists → a list of collated fields (so ``x, y = batch`` works); other
      sequence types are rebuilt from that list when they can be.

    Args:
        batch: a non-empty list of samples of the same structure.

    Example:
        >>> import autograd_core as ag
        >>> from autograd_core.utils.data import default_collate
        >>> out = default_collate([{"x": 1.5, "y": 2}, {"x": 0.5, "y": 3}])
        >>> out["x"].dtype, out["y"].numpy().tolist()
        (dtype('float64'), [2, 3])
    """
    if len(batch) == 0:
        raise ValueError("default_collate needs at least one sample, got an empty batch")
    elem = batch[0]
    if is_tensor(elem):
        shape = tuple(elem.shape)
        for i, t in enumerate(batch):
            if not is_tensor(t):
                raise TypeError(
                    f"default_collate: sample 0 is a Tensor but sample {i} is {type(t).__name__}"
                )
            if tuple(t.shape) != shape:
                raise RuntimeError(
                    "default_collate: stack expects each tensor to be equal size, "
                    f"but got {shape} at sample 0 and {tuple(t.shape)} at sample {i}"
                )
        return ag().stack(list(batch), dim=0)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in _BAD_NUMPY_KINDS:
            raise TypeError(f"default_collate: NumPy arrays of dtype {elem.dtype} cannot be made into Tensors")
        shape = elem.shape
        for i, a in enumerate(batch):
            if not isinstance(a, np.ndarray) or a.shape != shape:
                got = a.shape if isinstance(a, np.ndarray) else type(a).__name__
                raise RuntimeError(
                    f"default_collate: stack expects each array to be equal size, but got {shape} "
                    f"at sample 0 and {got} at sample {i}"
                )
        return to_tensor(np.stack(batch))
    if isinstance(elem, np.generic):
        if elem.dtype.kind in _BAD_NUMPY_KINDS:
            return list(batch)
        return to_tensor(np.asarray(batch, dtype=elem.dtype))
    if isinstance(elem, bool):
        return to_tensor(np.asarray(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return to_tensor(np.asarray(batch, dtype=np.int64))
    if isinstance(elem, float):
        return to_tensor(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        merged = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(merged)
        except TypeError:  # a Mapping type that cannot be built from a dict
            return merged
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        for i, s in enumerate(batch):
            if len(s) != size:
                raise RuntimeError(
                    "each element in list of batch should be of equal size: "
                    f"sample 0 has {size} fields, sample {i} has {len(s)}"
                )
        fields = [default_collate(list(samples)) for samples in zip(*batch)]
        if _is_namedtuple(elem):
            return type(elem)(*fields)
        if isinstance(elem, (tuple, list)):
            return fields
        try:
            return type(elem)(fields)
        except TypeError:  # a Sequence type that cannot be built from a list
            return fields
    raise _unsupported(elem)


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays (also inside dicts and sequences) into Tensors; leave the rest.

    Used by :class:`DataLoader` when ``batch_size=None`` (no batching).

    Example:
        >>> import numpy as np
        >>> from autograd_core.utils.data import default_convert
        >>> default_convert((np.zeros(2), "a"))[0].shape
        (2,)
    """
    if is_tensor(data):
        return data
    if isinstance(data, np.ndarray):
        return data if data.dtype.kind in _BAD_NUMPY_KINDS else to_tensor(data)
    if isinstance(data, np.generic) and data.dtype.kind not in _BAD_NUMPY_KINDS:
        return to_tensor(np.asarray(data))
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return tuple(default_convert(d) for d in data)
    if isinstance(data, list):
        return [default_convert(d) for d in data]
    return data
