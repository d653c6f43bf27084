"""Tensor methods that move the same numbers: reshape and view, permute and
transpose, squeeze, expand, narrow and split, flip and roll, triangles and diagonals;
and the functions that join tensors: ``cat``, ``stack``, ``vstack``, ``hstack``,
``meshgrid``.

Longer than 600 lines on purpose: one concept (every method that moves numbers without
changing them, each a few lines plus its runnable example), kept in one place.
"""

from __future__ import annotations

from typing import Any, Sequence, TYPE_CHECKING

import numpy as np

from ..autograd import function as _f
from ..autograd.function import is_tensor, version_counter
from ..autograd.grad_mode import STATE
from .args import _check_dim, _check_dim_of_nd, _keyword_size, _require_tensor, _size
from ..ops import index as IX
from ..ops import movement as MV
from ..ops import product as PR
from .dtypes import _dtype, get_default_dtype
from .pointwise import result_dtype, where
from .size import Size

if TYPE_CHECKING:  # for annotations only: base.py, which defines Tensor, imports this module
    from .base import Tensor


class MovementMixin:
    """Tensor methods that move the same numbers: reshape and view, permute and"""

    __slots__ = ()

    def reshape(self, *shape: Any, **kwargs: Any) -> "Tensor":
        if kwargs:
            shape = _keyword_size(shape, kwargs, "shape", "reshape")
        shape = _size(shape)
        if shape == self._data.shape:
            return self
        probe = self._data.view()
        try:
            probe.shape = shape   # a view when the layout allows one
        except (AttributeError, ValueError):
            return MV.Reshape.apply(self, shape=shape)   # a copy, or the op's error
        return MV.Reshape.apply_view(self, probe, {"shape": shape})

    def view(self, *shape: Any, **kwargs: Any) -> "Tensor":
        """The same memory in another shape (a view, never a copy: PyTorch's error when the
        layout does not allow one), or ``view(dtype)``: the same bytes read as ``dtype``.

        >>> import autograd_core as ag
        >>> x = ag.arange(6.0)
        >>> x.view(2, 3).shape, x.view(ag.int16).shape
        ((2, 3), (12,))
        >>> x.view(2, 3).t().view(6)
        Traceback (most recent call last):
        RuntimeError: view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.
        """
        if kwargs:
            shape = _keyword_size(shape, kwargs, "size", "view")
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer, tuple, list)) and \
                not is_tensor(shape[0]):
            return self._view_dtype(np.dtype(shape[0]))
        size = _size(shape)
        if size == self._data.shape:
            return self
        probe = self._data.view()
        try:
            probe.shape = size
        except AttributeError:
            raise RuntimeError("view size is not compatible with input tensor's size and stride "
                               "(at least one dimension spans across two contiguous subspaces). "
                               "Use .reshape(...) instead.") from None
        except ValueError as e:
            raise RuntimeError(f"shape '{list(size)}' is invalid for input of size "
                               f"{self._data.size}") from e
        return MV.Reshape.apply_view(self, probe, {"shape": size})

    def _view_dtype(self, dtype: np.dtype) -> "Tensor":
        a = self._data
        if dtype.itemsize != a.itemsize and (a.ndim == 0 or a.strides[-1] != a.itemsize):
            raise RuntimeError("self.stride(-1) must be 1 to view Float as a dtype of another "
                               "size")
        out = _f.make(a.view(dtype))
        if dtype.kind == "f" and self._requires_grad and STATE.enabled:
            raise RuntimeError("view(dtype) is not differentiable: detach() the tensor first")
        out._vc = version_counter(self)
        return out

    def view_as(self, other: "Tensor") -> "Tensor":
        return self.reshape(other.shape)

    def reshape_as(self, other: "Tensor") -> "Tensor":
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        if self.ndim == 0:
            return self.reshape(1)
        s = _check_dim(self, start_dim, "flatten")
        e = _check_dim(self, end_dim, "flatten")
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        shape = self.shape[:s] + (-1,) + self.shape[e + 1:]
        return self.reshape(shape)

    def unflatten(self, dim: int, sizes: Sequence[int]) -> "Tensor":
        d = _check_dim(self, dim, "unflatten")
        return self.reshape(self.shape[:d] + tuple(sizes) + self.shape[d + 1:])

    def permute(self, *dims: Any, **kwargs: Any) -> "Tensor":
        if kwargs:
            dims = _keyword_size(dims, kwargs, "dims", "permute")
        dims = _size(dims)
        if sorted(d % max(self.ndim, 1) for d in dims) != list(range(self.ndim)):
            raise RuntimeError(f"permute: dims {dims} are not a permutation of the {self.ndim} "
                             f"dims of shape {self.shape}")
        dims = tuple(d % self.ndim for d in dims)
        attrs = {"dims": dims}
        return MV.Permute.apply_view(self, self._data.transpose(dims), attrs, attrs)

    def transpose(self, dim0: int, dim1: int) -> "Tensor":
        if self.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
            return self
        d0, d1 = _check_dim(self, dim0, "transpose"), _check_dim(self, dim1, "transpose")
        dims = list(range(self.ndim))
        dims[d0], dims[d1] = dims[d1], dims[d0]
        attrs = {"dims": tuple(dims)}
        return MV.Permute.apply_view(self, self._data.transpose(dims), attrs, attrs)

    swapaxes = transpose

    def t(self) -> "Tensor":
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self.transpose(0, 1) if self.ndim == 2 else self

    @property
    def T(self) -> "Tensor":
        return self.permute(*range(self.ndim - 1, -1, -1)) if self.ndim > 1 else self

    @property
    def mT(self) -> "Tensor":
        return self.transpose(-2, -1)

    @property
    def H(self) -> "Tensor":
        """The conjugate transpose of a matrix: its transpose (tensors here are real)."""
        if self.ndim > 2:
            raise RuntimeError("tensor.H is only supported on matrices (2-D tensors). Got "
                               f"{self.ndim}-D tensor.")
        return self.T

    @property
    def mH(self) -> "Tensor":
        return self.mT

    # squeeze and unsqueeze build the new shape from the array's own (a plain tuple of ints)
    # and go straight to the op: they run once per step in many loops of tiny tensors
    def squeeze(self, dim: Any = None) -> "Tensor":
        shape = self._data.shape
        if dim is None:
            new = tuple([s for s in shape if s != 1])
        else:
            dims = dim if isinstance(dim, tuple) else (dim,)
            dims = {_check_dim(self, d, "squeeze") for d in dims}
            new = tuple([s for i, s in enumerate(shape) if not (i in dims and s == 1)])
        if new == shape:
            return self
        return MV.Reshape.apply_view(self, self._data.reshape(new), {"shape": new})

    def unsqueeze(self, dim: int) -> "Tensor":
        shape = self._data.shape
        n = len(shape) + 1
        if not -n <= dim < n:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                             f"but got {dim})")
        d = dim % n
        new = shape[:d] + (1,) + shape[d:]
        return MV.Reshape.apply_view(self, self._data.reshape(new), {"shape": new})

    def expand(self, *sizes: Any, **kwargs: Any) -> "Tensor":
        if kwargs:
            sizes = _keyword_size(sizes, kwargs, "size", "expand")
        sizes = _size(sizes)
        have = self._data.shape
        lead = len(sizes) - len(have)
        if lead < 0:
            raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be "
                               f"greater or equal to the number of dimensions in the tensor "
                               f"({len(have)})")
        shape = []
        for i, s in enumerate(sizes):
            if i < lead:      # a new leading dim: a size of its own
                if s < 0:
                    raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed "
                                       f"in a leading, non-existing dimension {i}")
            else:
                n = have[i - lead]
                if s == -1:
                    s = n
                elif n != 1 and n != s or s < 0:
                    raise RuntimeError(
                        f"The expanded size of the tensor ({s}) must match the existing size "
                        f"({n}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                        f"Tensor sizes: {list(have)}")
            shape.append(s)
        shape = tuple(shape)
        if shape == have:
            return self
        return MV.Expand.apply_view(self, MV.expanded(self._data, shape), {"shape": shape})

    def expand_as(self, other: "Tensor") -> "Tensor":
        return self.expand(other.shape)

    broadcast_to = expand

    def repeat(self, *sizes: Any, **kwargs: Any) -> "Tensor":
        """The whole tensor repeated ``sizes`` times along each dim (a copy, always).

        >>> import autograd_core as ag
        >>> ag.tensor([1, 2]).repeat(2, 2)
        tensor([[1, 2, 1, 2],
                [1, 2, 1, 2]])
        """
        if kwargs:
            sizes = _keyword_size(sizes, kwargs, "repeats", "repeat")
        sizes = _size(sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError("Number of dimensions of repeat dims can not be smaller than "
                               "number of dimensions of tensor")
        x = self.reshape((1,) * (len(sizes) - self.ndim) + self.shape)
        if all(r == 1 for r in sizes):
            return x.clone()
        # expand an inserted axis before each dim, then merge
        inter = []
        for r, s in zip(sizes, x.shape):
            inter += [r, s]
        y = x.reshape(tuple(v for s in x.shape for v in (1, s))).expand(inter)
        return y.reshape(tuple(r * s for r, s in zip(sizes, x.shape)))

    def narrow(self, dim: int, start: int, length: int) -> "Tensor":
        if self.ndim == 0:
            raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
        d = _check_dim(self, dim, "narrow")
        n = self.shape[d]
        start = int(start)
        if not -n <= start <= n:
            raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but "
                             f"got {start})")
        if start < 0:
            start += n
        if length < 0 or start + length > n:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
        index = (slice(None),) * d + (slice(start, start + length),)
        return self[index]

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple:
        d = _check_dim(self, dim, "split")
        n = self.shape[d]
        if isinstance(split_size_or_sections, int):
            step = split_size_or_sections
            if step < 0:
                raise RuntimeError(f"split expects split_size be non-negative, but got "
                                   f"split_size={step}")
            if step == 0:
                if n:
                    raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                                       f"dimension size of {n}")
                return (self,)
            sizes = [min(step, n - s) for s in range(0, n, step)] or [0]
        else:
            sizes = list(split_size_or_sections)
            if sum(sizes) != n:
                raise RuntimeError(f"split: sizes {sizes} don't add up to dim {d}'s size {n}")
        # each piece is ``narrow(d, start, s)``, whose checks the sizes pass by construction
        lead = (slice(None),) * d
        index = IX.Index.apply
        out, start = [], 0
        for s in sizes:
            out.append(index(self, index=lead + (slice(start, start + s),)))
            start += s
        return tuple(out)

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        n = self.shape[_check_dim_of_nd(self, dim, "chunk")]
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        return self.split(max(-(-n // chunks), 1), dim)

    def unbind(self, dim: int = 0) -> tuple:
        """The slices along ``dim``, each a view (what iterating over a tensor gives).

        >>> import autograd_core as ag
        >>> [r.tolist() for r in ag.tensor([[1, 2], [3, 4]]).unbind(1)]
        [[1, 3], [2, 4]]
        """
        d = _check_dim(self, dim, "unbind")
        data = self._data
        if data.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        v = self._view
        if v is not None and v[4] != self._vc[0]:  # a stale view: its graph first
            _f.refresh_view(self)
        lead = (slice(None),) * d
        n = data.shape[d]
        if (self._requires_grad and STATE.enabled) or _f.ops_observed():
            return tuple([IX.Index.apply(self, index=lead + (i,)) for i in range(n)])
        # nothing to record: each slice is the view Index.apply would make, without the
        # op's machinery (a loop over a tensor's rows makes one per row); each is marked
        # as ``mark_known_view`` would, with the base and counter found once for all
        make, index = _f.make, IX.Index
        base = self if v is None else v[0]
        vc = _f.version_counter(base)
        version, no_grad = vc[0], not STATE.enabled
        out = []
        for i in range(n):
            key = lead + (i,)
            t = make(data[key + (Ellipsis,)])
            t._vc = vc
            t._view = (base, self, index, {"index": key}, version, no_grad)
            out.append(t)
        return tuple(out)

    def select(self, dim: int, index: int) -> "Tensor":
        if self.ndim == 0:
            raise IndexError("select() cannot be applied to a 0-dim tensor.")
        d = _check_dim(self, dim, "select")
        n = self.shape[d]
        if not -n <= index < n:
            raise IndexError(f"select(): index {index} out of range for tensor of size "
                             f"{list(self.shape)} at dimension {d}")
        return self[(slice(None),) * d + (index,)]

    def unfold(self, dimension: int, size: int, step: int) -> "Tensor":
        """Every window of ``size`` elements, ``step`` apart, along ``dimension``, as a new
        last dim (a view).

        >>> import autograd_core as ag
        >>> ag.arange(5).unfold(0, 2, 2)
        tensor([[0, 1],
                [2, 3]])
        """
        d = _check_dim(self, dimension, "unfold")
        n = self.shape[d] if self.ndim else 1
        if size > n or size < 0:
            raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
        if step <= 0:
            raise RuntimeError(f"step is {step} but must be > 0")
        x = self if self.ndim else self.reshape(1)
        return MV.Unfold.apply(x, dim=d, size=int(size), step=int(step))

    def as_strided(self, size: Any, stride: Any, storage_offset: int = 0) -> "Tensor":
        """A view of this (C-contiguous) tensor's memory with the given ``size`` and
        ``stride`` (in elements), starting ``storage_offset`` elements in.

        >>> import autograd_core as ag
        >>> ag.arange(6).as_strided((2, 2), (1, 2))
        tensor([[0, 2],
                [1, 3]])
        """
        if not self._data.flags.c_contiguous:
            raise RuntimeError("as_strided: only C-contiguous tensors are supported here "
                               "(call .contiguous() first)")
        size, stride = _size((size,)), _size((stride,))
        if len(size) != len(stride):
            raise RuntimeError(f"mismatch in length of strides and shape: {len(stride)} vs {len(size)}")
        last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride) if n > 0)
        if storage_offset < 0 or any(s < 0 for s in stride) or (all(size) and last >= self.numel()):
            raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)} and "
                               f"storage offset {storage_offset} are out of bounds for a "
                               f"storage of {self.numel()} elements")
        flat = self.reshape(-1)
        # one window per leading index: expressed as unfolds of the flat view
        return MV.Strided.apply(flat, size=size, stride=stride, offset=int(storage_offset))

    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> tuple:
        """Split into ``n`` nearly equal parts (the first ones one longer), or at ``indices``
        (views, as PyTorch's).

        >>> import autograd_core as ag
        >>> [t.tolist() for t in ag.arange(5).tensor_split(2)]
        [[0, 1, 2], [3, 4]]
        """
        d = _check_dim(self, dim, "tensor_split")
        n = self.shape[d]
        if isinstance(indices_or_sections, (int, np.integer)):
            k = int(indices_or_sections)
            if k <= 0:
                raise RuntimeError(f"number of sections must be larger than 0, got {k}")
            q, r = divmod(n, k)
            bounds = [i * q + min(i, r) for i in range(k + 1)]
        else:
            idx = [int(i) for i in (indices_or_sections.tolist() if is_tensor(indices_or_sections)
                                    else indices_or_sections)]
            bounds = [0] + [min(max(i if i >= 0 else i + n, 0), n) for i in idx] + [n]
        return tuple(self.narrow(d, a, max(b - a, 0)) for a, b in zip(bounds, bounds[1:]))

    def _split_like_numpy(self, sections: Any, dim: int, name: str) -> tuple:
        if isinstance(sections, (int, np.integer)) and self.shape[dim] % int(sections):
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {self.shape[dim]} is not divisible by the "
                               f"split_size {sections}!")
        return self.tensor_split(sections, dim)

    def hsplit(self, sections: Any) -> tuple:
        """``tensor_split`` along dim 1 (dim 0 for 1-D tensors), parts of equal size."""
        return self._split_like_numpy(sections, 1 if self.ndim > 1 else 0, "hsplit")

    def vsplit(self, sections: Any) -> tuple:
        """``tensor_split`` along dim 0, parts of equal size."""
        return self._split_like_numpy(sections, 0, "vsplit")

    def dsplit(self, sections: Any) -> tuple:
        """``tensor_split`` along dim 2, parts of equal size."""
        return self._split_like_numpy(sections, 2, "dsplit")

    def ravel(self) -> "Tensor":
        """``reshape(-1)``: a view when the layout allows one, else a copy."""
        return self.reshape(-1)

    def narrow_copy(self, dim: int, start: int, length: int) -> "Tensor":
        """``narrow``, as a copy."""
        return self.narrow(dim, start, length).clone()

    def adjoint(self) -> "Tensor":
        """The last two dims swapped (the conjugate is the same for real tensors): a view."""
        return self.mT

    def movedim(self, source: Any, destination: Any) -> "Tensor":
        """Move dims ``source`` to positions ``destination`` (ints or sequences); the others
        keep their order.

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3, 4).movedim(0, -1).shape
        (3, 4, 2)
        """
        src = tuple(source) if isinstance(source, (tuple, list)) else (source,)
        dst = tuple(destination) if isinstance(destination, (tuple, list)) else (destination,)
        if len(src) != len(dst):
            raise RuntimeError(f"movedim: source {src} and destination {dst} must have the same "
                             "number of dims")
        s = [_check_dim(self, d, "movedim") for d in src]
        e = [_check_dim(self, d, "movedim") for d in dst]
        if len(set(s)) != len(s) or len(set(e)) != len(e):
            raise RuntimeError(f"movedim: repeated dim in source {src} or destination {dst}")
        if self.ndim == 0:
            return self[...]
        rest = iter(d for d in range(self.ndim) if d not in s)
        where_to = dict(zip(e, s))
        return self.permute(*[where_to[k] if k in where_to else next(rest)
                              for k in range(self.ndim)])

    moveaxis = movedim

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> "Tensor":
        """The diagonal of the ``(dim1, dim2)`` planes, as a last dim (above it for
        ``offset > 0``, below for ``offset < 0``).

        >>> import autograd_core as ag
        >>> x = ag.arange(9).reshape(3, 3)
        >>> x.diagonal(), x.diagonal(1), x.diagonal(-1)
        (tensor([0, 4, 8]), tensor([1, 5]), tensor([3, 7]))
        """
        if self.ndim < 2:
            raise RuntimeError(f"diagonal: expected a tensor with at least 2 dims, got shape "
                             f"{self.shape}")
        d1, d2 = _check_dim(self, dim1, "diagonal"), _check_dim(self, dim2, "diagonal")
        if d1 == d2:
            raise RuntimeError(f"diagonal: dim1 and dim2 cannot be the same dim ({d1})")
        return MV.Diagonal.apply(self, offset=int(offset), dim1=d1, dim2=d2)

    def tile(self, *dims: Any, **kwargs: Any) -> "Tensor":
        """Repeat the whole tensor ``dims`` times along each dim (missing leading dims
        count as 1, on either side).

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 2]]).tile(2)
        tensor([[1, 2, 1, 2]])
        """
        if kwargs:
            dims = _keyword_size(dims, kwargs, "dims", "tile")
        reps = _size(dims)
        if any(r < 0 for r in reps):
            raise RuntimeError(f"tile: repetitions must be non-negative, got {reps}")
        reps = (1,) * (self.ndim - len(reps)) + reps
        return self.repeat(reps)

    def diff(self, n: int = 1, dim: int = -1, prepend: "Tensor | None" = None,
             append: "Tensor | None" = None) -> "Tensor":
        """The ``n``-th forward difference along ``dim``, after joining ``prepend`` and
        ``append`` to the ends (bool tensors: ``!=`` of neighbours).

        >>> import autograd_core as ag
        >>> ag.tensor([1, 4, 9, 16]).diff(), ag.tensor([1, 4, 9, 16]).diff(2)
        (tensor([3, 5, 7]), tensor([2, 2]))
        """
        if self.ndim == 0:
            raise RuntimeError("diff expects input to be at least one-dimensional")
        if n < 0:
            raise RuntimeError(f"diff: order n must be non-negative, got {n}")
        d = _check_dim(self, dim, "diff")
        parts = []
        for name, t in (("prepend", prepend), ("append", append)):
            if t is not None:
                t = t if isinstance(t, _f.Tensor) else _f.make(np.asarray(t, self.dtype))
                if t.ndim != self.ndim:
                    raise RuntimeError(f"diff: {name} must have as many dims as input, got shapes "
                                     f"{t.shape} and {self.shape}")
            parts.append(t)
        if parts[0] is not None or parts[1] is not None:
            x = cat([t for t in (parts[0], self, parts[1]) if t is not None], d)
        else:
            x = self
        for _ in range(n):
            size = x.shape[d]
            if size == 0:
                break
            a, b = x.narrow(d, 1, size - 1), x.narrow(d, 0, size - 1)
            x = a != b if x._data.dtype == np.bool_ else a - b
        return x

    def tril(self, diagonal: int = 0) -> "Tensor":
        """The lower triangle of the last two dims (on and below ``diagonal``), zero elsewhere.

        >>> import autograd_core as ag
        >>> ag.ones(2, 3).tril()
        tensor([[1., 0., 0.],
                [1., 1., 0.]])
        """
        return self._triangle(diagonal, True, "tril")

    def triu(self, diagonal: int = 0) -> "Tensor":
        """The upper triangle of the last two dims (on and above ``diagonal``), zero elsewhere.

        >>> import autograd_core as ag
        >>> ag.ones(2, 3).triu(1)
        tensor([[0., 1., 1.],
                [0., 0., 1.]])
        """
        return self._triangle(diagonal, False, "triu")

    def _triangle(self, diagonal: int, lower: bool, name: str) -> "Tensor":
        if self.ndim < 2:
            raise RuntimeError(f"{name}: expected a tensor with at least 2 dims, got shape {self.shape}")
        n, m = self.shape[-2:]
        keep = np.tri(n, m, int(diagonal), dtype=bool)
        if not lower:
            keep = ~np.tri(n, m, int(diagonal) - 1, dtype=bool)
        return where(keep, self, _f.make(np.zeros((), self._data.dtype)))

    def flip(self, *dims: Any, **kwargs: Any) -> "Tensor":
        """The elements in reverse order along each of ``dims``.

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 2], [3, 4]]).flip(0, 1)
        tensor([[4, 3],
                [2, 1]])
        """
        if kwargs:
            dims = _keyword_size(dims, kwargs, "dims", "flip")
        dims = _size(dims)
        ds = [_check_dim(self, d, "flip") for d in dims]
        if len(set(ds)) != len(ds):
            raise RuntimeError(f"flip: dims {dims} name a dim more than once")
        if self.ndim == 0 or not ds:
            return self.clone()
        return MV.Flip.apply(self, dims=tuple(ds))

    def roll(self, shifts: Any, dims: Any = None) -> "Tensor":
        """Shift elements along ``dims`` by ``shifts``, wrapping around (flattened if no dims).

        >>> import autograd_core as ag
        >>> ag.arange(5).roll(2)
        tensor([3, 4, 0, 1, 2])
        >>> ag.tensor([[1, 2], [3, 4]]).roll(1, -1)
        tensor([[2, 1],
                [4, 3]])
        """
        shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
        if dims is None:
            if len(shifts) != 1:
                raise RuntimeError(f"roll: shifts {shifts} need as many dims, got dims=None")
            return self.flatten().roll(shifts, 0).reshape(self.shape)
        dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
        if len(shifts) != len(dims):
            raise RuntimeError(f"roll: shifts {shifts} and dims {dims} must have the same length")
        out = self
        for s, d in zip(shifts, dims):
            d = _check_dim_of_nd(self, d, "roll")
            n = self.shape[d] if self.ndim else 1
            if n == 0 or int(s) % n == 0:
                continue
            idx = (np.arange(n) - int(s)) % n
            out = IX.Index.apply(out, index=(slice(None),) * d + (idx,))
        return out.clone() if out is self else out  # a copy even if nothing moved, as PyTorch

    def fliplr(self) -> "Tensor":
        """The columns in reverse order (``flip(1)``; a copy): at least 2-D.

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 2], [3, 4]]).fliplr()
        tensor([[2, 1],
                [4, 3]])
        """
        if self.ndim < 2:
            raise RuntimeError("Input must be >= 2-d.")
        return self.flip(1)

    def flipud(self) -> "Tensor":
        """The rows in reverse order (``flip(0)``; a copy): at least 1-D.

        >>> import autograd_core as ag
        >>> ag.tensor([1, 2, 3]).flipud()
        tensor([3, 2, 1])
        """
        if self.ndim < 1:
            raise RuntimeError("Input must be >= 1-d.")
        return self.flip(0)

    def rot90(self, k: int = 1, dims: Sequence[int] = (0, 1)) -> "Tensor":
        """The ``dims`` planes turned ``k`` quarter turns from ``dims[0]`` towards ``dims[1]``
        (negative ``k`` the other way; a copy).

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 2], [3, 4]]).rot90()
        tensor([[2, 4],
                [1, 3]])
        """
        dims = list(dims)
        if len(dims) != 2:
            raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
        if self.ndim < 2:
            raise RuntimeError(f"expected total dims >= 2, but got total dims = {self.ndim}")
        d0, d1 = _check_dim(self, dims[0], "rot90"), _check_dim(self, dims[1], "rot90")
        if d0 == d1:
            raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} "
                               f"and dim1 = {dims[1]}")
        k = int(k) % 4
        if k == 0:
            return self.clone()
        return MV.Rot90.apply(self, k=k, dims=(d0, d1))

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> "Tensor":
        """A tensor whose ``(dim1, dim2)`` planes hold the last dim of self on their diagonal
        ``offset`` (zero elsewhere): one dim more than self.

        >>> import autograd_core as ag
        >>> ag.tensor([1, 2]).diag_embed()
        tensor([[1, 0],
                [0, 2]])
        """
        n = self.ndim + 1
        d1, d2 = (_check_dim(_NDim(n), d, "diag_embed") for d in (dim1, dim2))
        if d1 == d2:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        if self.ndim == 0:
            raise RuntimeError("diag_embed: expected a tensor with at least 1 dim")
        m = self.shape[-1] + abs(int(offset))
        rest = iter(self.shape[:-1])
        shape = tuple(m if k in (d1, d2) else next(rest) for k in range(n))
        return MV.DiagonalScatter.apply(self, shape=shape, args=(int(offset), d1, d2))

    def diagflat(self, offset: int = 0) -> "Tensor":
        """A square 2-D tensor with the flattened self on its diagonal ``offset``.

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 2]]).diagflat(1)
        tensor([[0, 1, 0],
                [0, 0, 2],
                [0, 0, 0]])
        """
        flat = self.reshape(-1)
        m = flat.shape[0] + abs(int(offset))
        return MV.DiagonalScatter.apply(flat, shape=(m, m), args=(int(offset), 0, 1))

    def swapdims(self, dim0: int, dim1: int) -> "Tensor":
        """``transpose(dim0, dim1)``: a view.

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3).swapdims(0, -1).shape
        (3, 2)
        """
        return self.transpose(dim0, dim1)

    # products, written once in ops/product.py
    kron = PR.kron
    inner = PR.inner
    vdot = PR.vdot
    cross = PR.cross
    addmv = PR.addmv
    addr = PR.addr
    addbmm = PR.addbmm
    dist = PR.dist

    def addmv_(self, mat: "Tensor", vec: "Tensor", *, beta: Any = 1, alpha: Any = 1) -> "Tensor":
        """``addmv`` written into self (in place)."""
        return self._inplace("addmv_", lambda s: PR.addmv(s, mat, vec, beta=beta, alpha=alpha),
                             mat, vec)

    def addr_(self, vec1: "Tensor", vec2: "Tensor", *, beta: Any = 1, alpha: Any = 1) -> "Tensor":
        """``addr`` written into self (in place)."""
        return self._inplace("addr_", lambda s: PR.addr(s, vec1, vec2, beta=beta, alpha=alpha),
                             vec1, vec2)

    def addbmm_(self, batch1: "Tensor", batch2: "Tensor", *, beta: Any = 1,
                alpha: Any = 1) -> "Tensor":
        """``addbmm`` written into self (in place)."""
        return self._inplace("addbmm_", lambda s: PR.addbmm(s, batch1, batch2, beta=beta,
                                                            alpha=alpha), batch1, batch2)

def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple:
    """Coordinate grids from 1-D tensors: with ``indexing='ij'`` (the default) output ``k``
    varies along dim ``k``; with ``'xy'`` the first two dims are swapped (as NumPy).

    >>> import autograd_core as ag
    >>> gx, gy = ag.meshgrid(ag.tensor([1, 2, 3]), ag.tensor([10, 20]), indexing="xy")
    >>> gx
    tensor([[1, 2, 3],
            [1, 2, 3]])
    >>> gy.shape
    (2, 3)
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if not tensors:
        raise RuntimeError("meshgrid: expected at least one tensor")
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for i, t in enumerate(tensors):
        _require_tensor(t, "meshgrid", f"tensors[{i}]")
        if t.ndim > 1:
            raise RuntimeError(f"meshgrid: expected 0-D or 1-D tensors, but tensor {i} has shape "
                             f"{t.shape}")
    if len({t.dtype for t in tensors}) > 1:
        raise TypeError(f"meshgrid: expected tensors of one dtype, got "
                        f"{[str(t.dtype) for t in tensors]}")
    ts = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.shape[0] for t in ts)
    n = len(ts)
    out = [t.reshape((1,) * k + (-1,) + (1,) * (n - k - 1)).expand(shape) for k, t in enumerate(ts)]
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)

def _tensors(tensors: Sequence[Any], op: str) -> list:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{op}: expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, _f.Tensor):
            raise TypeError(f"{op}: expected a list of Tensors, but element {i} is "
                            f"{type(t).__name__}")
    return tensors

def vstack(tensors: Sequence["Tensor"]) -> "Tensor":
    """Stack rows: 0-D and 1-D tensors become rows ``(1, n)``, then join along dim 0.

    >>> import autograd_core as ag
    >>> ag.vstack([ag.tensor([1, 2]), ag.tensor([[3, 4], [5, 6]])])
    tensor([[1, 2],
            [3, 4],
            [5, 6]])
    """
    ts = _tensors(tensors, "vstack")
    return cat([t.reshape(1, -1) if t.ndim < 2 else t for t in ts], 0)

row_stack = vstack

def hstack(tensors: Sequence["Tensor"]) -> "Tensor":
    """Join along dim 1 (along dim 0 for 1-D tensors; 0-D ones count as 1-D).

    >>> import autograd_core as ag
    >>> ag.hstack([ag.tensor([1, 2]), ag.tensor([3])])
    tensor([1, 2, 3])
    """
    ts = [t.reshape(1) if t.ndim == 0 else t for t in _tensors(tensors, "hstack")]
    return cat(ts, 0 if ts[0].ndim == 1 else 1)

def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; all other dims must match."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("cat: expected a non-empty list of Tensors")
    first = tensors[0]
    if not is_tensor(first):
        raise TypeError(f"cat: expected a list of Tensors, but element 0 is {type(first).__name__}")
    d = _check_dim(first, dim, "cat")
    # one pass over plain tuples and dtypes: cat joins many small tensors in loops, mostly
    # of one shape and one dtype
    fs, dtype = first._data.shape, first._data.dtype
    rest = None
    mixed = False
    for i, t in enumerate(tensors):
        if not is_tensor(t):
            raise TypeError(f"cat: expected a list of Tensors, but element {i} is {type(t).__name__}")
        a = t._data
        s = a.shape
        if s != fs:
            if rest is None:
                rest = fs[:d] + fs[d + 1:]
            if len(s) != len(fs) or s[:d] + s[d + 1:] != rest:
                raise RuntimeError(f"cat: sizes of tensors must match except in dimension {d}, "
                                   f"got shapes {[x.shape for x in tensors]}")
        if a.dtype != dtype:
            mixed = True
    if mixed:   # PyTorch's promotion: an int64 and a float32 tensor give float32
        dt = result_dtype(*tensors)
        tensors = [t._cast(dt) for t in tensors]
    return MV.Cat.apply(*tensors, dim=d)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors of equal shape along a new dim (dtypes promoted as ``cat``'s).

    >>> import autograd_core as ag
    >>> ag.stack([ag.tensor([1, 2]), ag.tensor([3, 4])], dim=1)
    tensor([[1, 3],
            [2, 4]])
    """
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    # one pass over plain tuples and dtypes: stack joins many small tensors (a DataLoader
    # collates every batch with it)
    first = tensors[0]   # if it is no tensor, the loop says so at i == 0
    fs, dtype = (first._data.shape, first._data.dtype) if is_tensor(first) else ((), None)
    mixed = grad = False
    for i, t in enumerate(tensors):
        if not is_tensor(t):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
        a = t._data
        if a.shape != fs:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(fs)} "
                               f"at entry 0 and {list(a.shape)} at entry {i}")
        if a.dtype != dtype:
            mixed = True
        if t._requires_grad:
            grad = True
    n = len(fs) + 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    if mixed:
        dt = result_dtype(*tensors)
        tensors = [t._cast(dt) for t in tensors]
    if not (grad and STATE.enabled) and not _f.ops_observed():
        return _f.make(MV.stack_arrays([t._data for t in tensors], dim % n))
    return MV.Stack.apply(*tensors, dim=dim % n)


class _NDim:
    """Stands for a tensor of ``ndim`` dims where only the number of dims is checked."""

    __slots__ = ("ndim",)

    def __init__(self, ndim: int) -> None:
        self.ndim = ndim


def _at_least(ndim: int, tensors: tuple, op: str) -> Any:
    """``atleast_{ndim}d``: one tensor, or a tuple when given several or a sequence."""
    one = len(tensors) == 1 and is_tensor(tensors[0])
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    out = []
    for i, t in enumerate(tensors):
        _require_tensor(t, op, f"tensors[{i}]")
        if t.ndim >= ndim:
            out.append(t)
        elif ndim == 3 and t.ndim == 2:
            out.append(t.unsqueeze(-1))
        elif ndim == 3 and t.ndim == 1:
            out.append(t.reshape(1, -1, 1))
        else:
            out.append(t.reshape((1,) * (ndim - max(t.ndim, 1)) + (t.shape or (1,))))
    return out[0] if one else tuple(out)


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least 1 dim (a 0-d one becomes 1-D, a view); others as they are.

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.movement import atleast_1d
    >>> atleast_1d(ag.tensor(1.0)), atleast_1d(ag.tensor(1), ag.tensor([2]))
    (tensor([1.]), (tensor([1]), tensor([2])))
    """
    return _at_least(1, tensors, "atleast_1d")


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least 2 dims: 0-d and 1-D ones become rows ``(1, n)`` (views).

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.movement import atleast_2d
    >>> atleast_2d(ag.tensor([1, 2])).shape
    (1, 2)
    """
    return _at_least(2, tensors, "atleast_2d")


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least 3 dims: ``(n,)`` becomes ``(1, n, 1)``, ``(m, n)`` becomes
    ``(m, n, 1)`` (views), as NumPy.

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.movement import atleast_3d
    >>> atleast_3d(ag.zeros(2, 3)).shape
    (2, 3, 1)
    """
    return _at_least(3, tensors, "atleast_3d")


def broadcast_shapes(*shapes: Any) -> Size:
    """The shape the given shapes (ints or sequences) broadcast to, as PyTorch.

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.movement import broadcast_shapes
    >>> broadcast_shapes((2, 1), (3,), 1)
    (2, 3)
    """
    result: list = []
    for i, shape in enumerate(shapes):
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
        if len(shape) > len(result):
            result = [1] * (len(shape) - len(result)) + result
        for k in range(1, len(shape) + 1):
            s, r = shape[-k], result[-k]
            if s == r or s == 1 and r >= 0:
                continue
            if r == 1 and s >= 0:
                result[-k] = s
                continue
            raise RuntimeError(f"Attempting to broadcast a dimension of length {s} at {-k}! "
                               f"Mismatching argument at index {i} had {shape}; but expected "
                               f"shape should be broadcastable to {result}")
    return Size(result)


def broadcast_tensors(*tensors: "Tensor") -> tuple:
    """The tensors expanded to their common shape (views; one already of that shape is
    returned as it is).

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.movement import broadcast_tensors
    >>> [t.shape for t in broadcast_tensors(ag.zeros(2, 1), ag.zeros(3))]
    [(2, 3), (2, 3)]
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    ts = [_require_tensor(t, "broadcast_tensors", f"tensors[{i}]") for i, t in enumerate(tensors)]
    shape: tuple = ()
    for t in ts:
        try:
            shape = np.broadcast_shapes(shape, t.shape)
        except ValueError:
            PR._broadcast_error(shape, t.shape)
    return tuple(t if t.shape == shape else MV.Expand.apply(t, shape=shape) for t in ts)


def block_diag(*tensors: "Tensor") -> "Tensor":
    """A 2-D tensor with the tensors (each 0-, 1- or 2-D: a scalar, a row, a matrix) along
    its diagonal, zero elsewhere; the dtype all of theirs promote to.

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.movement import block_diag
    >>> block_diag(ag.tensor([[1, 2]]), ag.tensor(3))
    tensor([[1, 2, 0],
            [0, 0, 3]])
    """
    ts = []
    for i, t in enumerate(tensors):
        _require_tensor(t, "block_diag", f"tensors[{i}]")
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t.ndim} dimensions")
        ts.append(t.reshape(1, -1) if t.ndim < 2 else t)
    if not ts:
        return _f.make(np.zeros((1, 0), get_default_dtype()))
    dt = result_dtype(*ts)
    cols = sum(t.shape[1] for t in ts)
    rows, left = [], 0
    for t in ts:
        r, c = t.shape
        parts = [t.to(dt)]
        if left:
            parts.insert(0, _f.make(np.zeros((r, left), dt)))
        if cols - left - c:
            parts.append(_f.make(np.zeros((r, cols - left - c), dt)))
        rows.append(MV.Cat.apply(*parts, dim=1) if len(parts) > 1 else parts[0])
        left += c
    return MV.Cat.apply(*rows, dim=0) if len(rows) > 1 else rows[0].clone()


def _vector(t: Any, op: str, i: int) -> "Tensor":
    _require_tensor(t, op, f"tensors[{i}]")
    if t.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    return t


def cartesian_prod(*tensors: "Tensor") -> "Tensor":
    """Every tuple of one element from each 1-D tensor, in row-major order: an ``(N, k)``
    tensor (one tensor is returned as it is).

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.movement import cartesian_prod
    >>> cartesian_prod(ag.tensor([1, 2]), ag.tensor([3, 4]))
    tensor([[1, 3],
            [1, 4],
            [2, 3],
            [2, 4]])
    """
    ts = [_vector(t, "cartesian_prod", i) for i, t in enumerate(tensors)]
    if len(ts) == 1:
        return ts[0]
    if len({t._data.dtype for t in ts}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    grids = meshgrid(*ts, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input: "Tensor", r: int = 2, with_replacement: bool = False) -> "Tensor":
    """Every ``r``-element combination of the elements of a 1-D tensor (with repeats when
    ``with_replacement``), as rows, in lexicographic order of positions.

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.movement import combinations
    >>> combinations(ag.tensor([1, 2, 3]))
    tensor([[1, 2],
            [1, 3],
            [2, 3]])
    """
    import itertools
    x = _vector(input, "combinations", 0)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _f.make(np.zeros(0, x._data.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(pick(range(x.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return IX.Index.apply(x, index=idx)


def column_stack(tensors: Sequence["Tensor"]) -> "Tensor":
    """Join along dim 1, 0-d and 1-D tensors first made columns ``(n, 1)``.

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.movement import column_stack
    >>> column_stack([ag.tensor([1, 2]), ag.tensor([[3], [4]])])
    tensor([[1, 3],
            [2, 4]])
    """
    ts = [t.reshape(-1, 1) if t.ndim < 2 else t for t in _tensors(tensors, "column_stack")]
    return cat(ts, 1)


def dstack(tensors: Sequence["Tensor"]) -> "Tensor":
    """Join along dim 2 (depth), each tensor first made at least 3-D by ``atleast_3d``.

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.movement import dstack
    >>> dstack([ag.tensor([1, 2]), ag.tensor([3, 4])])
    tensor([[[1, 3],
             [2, 4]]])
    """
    return cat(list(atleast_3d(_tensors(tensors, "dstack"))), 2)


def expand_copy(input: "Tensor", size: Sequence[int]) -> "Tensor":
    """``input.expand(size)`` as a new tensor (a copy).

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.movement import expand_copy
    >>> expand_copy(ag.tensor([1, 2]), (2, 2))
    tensor([[1, 2],
            [1, 2]])
    """
    return _require_tensor(input, "expand_copy", "input").expand(size).clone()


def _triangle_indices(row: int, col: int, offset: int, dtype: Any, lower: bool) -> "Tensor":
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    if lower:
        i, j = np.nonzero(np.tri(row, col, offset, dtype=bool))
    else:
        i, j = np.nonzero(~np.tri(row, col, offset - 1, dtype=bool))
    return _f.make(np.stack([i, j]).astype(_dtype(dtype) or np.int64).reshape(2, -1))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None, layout: Any = None) -> "Tensor":
    """The ``(row, col)`` coordinates of the lower triangle (on and below diagonal
    ``offset``) of a ``row x col`` matrix, row by row: a ``(2, N)`` tensor.

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.movement import tril_indices
    >>> tril_indices(2, 2)
    tensor([[0, 1, 1],
            [0, 0, 1]])
    """
    return _triangle_indices(row, col, offset, dtype, True)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None, layout: Any = None) -> "Tensor":
    """The coordinates of the upper triangle (on and above diagonal ``offset``), row by row.

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.movement import triu_indices
    >>> triu_indices(2, 3, 1)
    tensor([[0, 0, 1],
            [1, 2, 2]])
    """
    return _triangle_indices(row, col, offset, dtype, False)


def unravel_index(indices: Any, shape: Any) -> tuple:
    """The coordinates, in a tensor of ``shape``, of flat ``indices``: one int64 tensor per
    dim (of ``indices``' shape). Indices wrap around the number of elements, as PyTorch's.

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.movement import unravel_index
    >>> unravel_index(ag.tensor([4, 5]), (2, 3))
    (tensor([1, 1]), tensor([1, 2]))
    """
    idx = indices._data if is_tensor(indices) else np.asarray(indices)
    if idx.dtype.kind not in "iu" or idx.dtype == np.bool_:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {idx.dtype}")
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    n = int(np.prod(shape, dtype=np.int64))
    if idx.size and n == 0:
        raise RuntimeError(f"unravel_index: cannot unravel indices into the empty shape {shape}")
    flat = idx.astype(np.int64) % max(n, 1)
    return tuple(_f.make(np.array(c, dtype=np.int64))
                 for c in np.unravel_index(flat, shape)) if shape else ()


def vander(x: "Tensor", N: int | None = None, increasing: bool = False) -> "Tensor":
    """The Vandermonde matrix of a 1-D tensor: column ``j`` holds ``x ** (N - 1 - j)``
    (``x ** j`` when ``increasing``). Integer and bool inputs give int64.

    >>> import autograd_core as ag
    >>> from autograd_core.tensor.movement import vander
    >>> vander(ag.tensor([2, 3]), 3)
    tensor([[4, 2, 1],
            [9, 3, 1]])
    """
    x = _require_tensor(x, "vander", "x")
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else int(N)
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if x._data.dtype.kind in "biu":
        x = x.to(np.int64)
    col = x.reshape(-1, 1)
    if n == 0:
        return col[:, :0].clone()
    ones = _f.make(np.ones((x.shape[0], 1), x._data.dtype))
    out = MV.Cat.apply(ones, col.expand(x.shape[0], n - 1), dim=1).cumprod(1) if n > 1 else \
        ones
    return out if increasing else out.flip(1)


tensordot = PR.tensordot
chain_matmul = PR.chain_matmul
pdist = PR.pdist
