"""More of PyTorch's tensor ops, as a mixin that ``Tensor`` inherits (tensor.py holds
the core); and the function-only ones (``meshgrid``, ``vstack``, ``cdist``, ...).

Nearly all are composed from differentiable Tensor ops, so their gradients (and
higher derivatives) come from those; the few that need a kernel of their own are in
``ops/rounding.py`` and ``ops/special.py``.

>>> import autograd_core as ag
>>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> x.diagonal().sum().backward()
>>> x.grad
tensor([[1., 0.],
        [0., 1.]])
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from . import tensor as _t  # partly loaded when this module loads: used inside functions only

if TYPE_CHECKING:
    from .tensor import Tensor

_NUMBERS = (int, float, bool, np.number, np.bool_)


def _array(x: Any) -> np.ndarray:
    return x._data if isinstance(x, _t.Tensor) else np.asarray(x)


def _require_tensor(x: Any, op: str, arg: str) -> "Tensor":
    if not isinstance(x, _t.Tensor):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}")
    return x


def _require_float(x: "Tensor", op: str) -> None:
    if x._data.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating point tensor, got dtype {x._data.dtype}")


def _index_1d(index: Any, op: str, n: int, negative: bool,
              error: type = IndexError) -> np.ndarray:
    """``index`` as a 1-D int64 array; out of ``[-n, n)`` (``[0, n)`` unless ``negative``)
    it raises ``error`` naming the op, the index and the valid range."""
    idx = _array(index)
    if idx.ndim > 1 or idx.dtype.kind not in "iu":
        raise ValueError(f"{op}: index must be a 1-D int64 tensor, got shape {idx.shape} and "
                         f"dtype {idx.dtype}")
    idx = idx.reshape(-1).astype(np.int64)
    low = -n if negative else 0
    if idx.size and (idx.min() < low or idx.max() >= n):
        bad = idx[(idx < low) | (idx >= n)][0]
        raise error(f"{op}: index {bad} is out of range for a dim of size {n} (expected "
                    f"{low} <= index < {n})")
    return idx % max(n, 1)


class MoreOps:
    """Tensor methods beyond the core: rounding, special functions, logical ops,
    diagonals, differences, index_add/index_fill, median, and friends."""

    __slots__ = ()

    # ------------------------------------------------------------ rounding
    def round(self, *, decimals: int = 0) -> "Tensor":
        """Round to the nearest integer (ties to even), or to ``decimals`` places; zero gradient.

        >>> import autograd_core as ag
        >>> ag.tensor([0.5, 1.5, 2.675]).round(), ag.tensor([1.2345]).round(decimals=2)
        (tensor([0., 2., 3.]), tensor([1.23]))
        """
        from .ops.rounding import Round
        if self._data.dtype.kind != "f":
            return self.clone()  # integers are already round: a copy, as PyTorch
        return Round.apply(self, decimals=int(decimals))

    def floor(self) -> "Tensor":
        """The largest integer not above each element (zero gradient).

        >>> import autograd_core as ag
        >>> ag.tensor([-1.5, 1.5]).floor()
        tensor([-2.,  1.])
        """
        from .ops.rounding import Floor
        return self._step(Floor, "floor")

    def ceil(self) -> "Tensor":
        """The smallest integer not below each element (zero gradient).

        >>> import autograd_core as ag
        >>> ag.tensor([-1.5, 1.5]).ceil()
        tensor([-1.,  2.])
        """
        from .ops.rounding import Ceil
        return self._step(Ceil, "ceil")

    def trunc(self) -> "Tensor":
        """Each element rounded towards zero (zero gradient).

        >>> import autograd_core as ag
        >>> ag.tensor([-1.5, 1.5]).trunc()
        tensor([-1.,  1.])
        """
        from .ops.rounding import Trunc
        return self._step(Trunc, "trunc")

    fix = trunc

    def _step(self, Op: type, name: str) -> "Tensor":
        if self._data.dtype == np.bool_:
            raise TypeError(f"{name}: not implemented for bool tensors")
        if self._data.dtype.kind != "f":
            return self.clone()
        return Op.apply(self)

    def frac(self) -> "Tensor":
        """The fractional part ``x - trunc(x)`` (its sign is x's); gradient 1.

        >>> import autograd_core as ag
        >>> ag.tensor([2.25, -1.5]).frac()
        tensor([ 0.25, -0.5 ])
        """
        _require_float(self, "frac")
        return self - self.trunc()

    # ------------------------------------------------------ special functions
    def reciprocal(self) -> "Tensor":
        """``1 / x`` elementwise (integers give the default float dtype).

        >>> import autograd_core as ag
        >>> ag.tensor([2, 4]).reciprocal()
        tensor([0.5 , 0.25])
        """
        return 1 / self._floating()

    def log2(self) -> "Tensor":
        """Base-2 logarithm.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 8.0]).log2()
        tensor([0., 3.])
        """
        from .ops.special import Log2
        return Log2.apply(self._floating())

    def log10(self) -> "Tensor":
        """Base-10 logarithm.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 1000.0]).log10()
        tensor([0., 3.])
        """
        from .ops.special import Log10
        return Log10.apply(self._floating())

    def exp2(self) -> "Tensor":
        """``2 ** x`` elementwise.

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 3.0]).exp2()
        tensor([1., 8.])
        """
        from .ops.special import Exp2
        return Exp2.apply(self._floating())

    def expm1(self) -> "Tensor":
        """``exp(x) - 1``, exact for tiny ``x``.

        >>> import autograd_core as ag
        >>> ag.tensor([1e-10], dtype=ag.float64).expm1().item()
        1.00000000005e-10
        """
        from .ops.special import Expm1
        return Expm1.apply(self._floating())

    def erf(self) -> "Tensor":
        """The error function; gradient ``2/sqrt(pi) * exp(-x**2)``.

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 1.0]).erf()
        tensor([0.    , 0.8427])
        """
        from .ops.special import Erf
        return Erf.apply(self._floating())

    def hypot(self, other: Any) -> "Tensor":
        """``sqrt(self**2 + other**2)`` elementwise without overflow; broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([3.0, 5.0]).hypot(ag.tensor([4.0, 12.0]))
        tensor([ 5., 13.])
        """
        from .ops.special import Hypot
        o = self._other(other, "hypot")
        for t in (self, o):
            _require_float(t, "hypot")
        return self._binary(o, Hypot, "hypot")

    def logaddexp(self, other: Any) -> "Tensor":
        """``log(exp(self) + exp(other))`` elementwise, without overflow; broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([1000.0, 0.0]).logaddexp(ag.tensor([1000.0, 0.0]))
        tensor([1.0007e+03, 6.9315e-01])
        """
        o = self._other(other, "logaddexp")
        for t in (self, o):
            _require_float(t, "logaddexp")
        try:
            m = np.maximum(self._data, o._data)
        except ValueError:
            raise ValueError(f"logaddexp: shapes {self.shape} and {o.shape} cannot be broadcast "
                             "together") from None
        m = _t.make(np.where(np.isfinite(m), m, 0).astype(m.dtype))
        return ((self - m).exp() + (o - m).exp()).log() + m

    def lerp(self, end: "Tensor", weight: Any) -> "Tensor":
        """``self + weight * (end - self)``; ``weight`` is a number or a tensor; broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 10.0]).lerp(ag.tensor([10.0, 20.0]), 0.25)
        tensor([ 2.5, 12.5])
        """
        end = _require_tensor(end, "lerp", "end")
        if end.dtype != self.dtype:
            raise TypeError(f"lerp: expected end of dtype {self.dtype} like self, got {end.dtype}")
        if isinstance(weight, _t.Tensor) and weight.dtype != self.dtype:
            raise TypeError(f"lerp: expected weight of dtype {self.dtype} like self, got "
                            f"{weight.dtype}")
        return self + weight * (end - self)

    def addcmul(self, tensor1: "Tensor", tensor2: "Tensor", *, value: Any = 1) -> "Tensor":
        """``self + value * tensor1 * tensor2``; broadcasts.

        >>> import autograd_core as ag
        >>> ag.ones(2).addcmul(ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0]), value=0.5)
        tensor([2.5, 5. ])
        """
        prod = tensor1 * tensor2
        return self + (prod if value == 1 else value * prod)

    def addcdiv(self, tensor1: "Tensor", tensor2: "Tensor", *, value: Any = 1) -> "Tensor":
        """``self + value * tensor1 / tensor2``; broadcasts.

        >>> import autograd_core as ag
        >>> ag.ones(2).addcdiv(ag.tensor([1.0, 2.0]), ag.tensor([4.0, 4.0]), value=2)
        tensor([1.5, 2. ])
        """
        a, b = _array(tensor1), _array(tensor2)
        if a.dtype.kind in "iub" and b.dtype.kind in "iub":
            raise TypeError(f"addcdiv: integer division is not supported, got tensor1 of dtype "
                            f"{a.dtype} and tensor2 of dtype {b.dtype}")
        quot = tensor1 / tensor2
        return self + (quot if value == 1 else value * quot)

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None,
                   neginf: float | None = None) -> "Tensor":
        """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default 0 and
        the dtype's largest and lowest values); the gradient is zero at the replaced places.

        >>> import autograd_core as ag
        >>> ag.tensor([float("nan"), float("inf"), -1.0]).nan_to_num(posinf=9.0)
        tensor([ 0.,  9., -1.])
        """
        d = self._data
        if d.dtype.kind != "f":
            return self.clone()
        info = np.finfo(d.dtype)
        posinf = info.max if posinf is None else posinf
        neginf = info.min if neginf is None else neginf
        with np.errstate(over="ignore"):
            fill = np.where(np.isnan(d), np.asarray(nan, d.dtype),
                            np.where(d > 0, np.asarray(posinf, d.dtype), np.asarray(neginf, d.dtype)))
        return _t.where(np.isfinite(d), self, _t.make(fill))

    # ------------------------------------------------------ tests and logic
    def isinf(self) -> "Tensor":
        """True where the element is +inf or -inf.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, float("inf"), -float("inf")]).isinf()
        tensor([False,  True,  True])
        """
        return _t.make(np.asarray(np.isinf(self._data)))

    def isposinf(self) -> "Tensor":
        """True where the element is +inf.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, float("inf"), -float("inf")]).isposinf()
        tensor([False,  True, False])
        """
        return _t.make(np.asarray(np.isposinf(self._data)))

    def isneginf(self) -> "Tensor":
        """True where the element is -inf.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, float("inf"), -float("inf")]).isneginf()
        tensor([False, False,  True])
        """
        return _t.make(np.asarray(np.isneginf(self._data)))

    def logical_and(self, other: Any) -> "Tensor":
        """Elementwise AND of truth values (non-zero is true); a bool tensor; broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([1, 0, 2]).logical_and(ag.tensor([True, True, False]))
        tensor([ True, False, False])
        """
        return self._compare(other, np.logical_and, "logical_and")

    def logical_or(self, other: Any) -> "Tensor":
        """Elementwise OR of truth values (non-zero is true); a bool tensor; broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([1, 0, 0]).logical_or(ag.tensor([0.0, 0.0, 3.0]))
        tensor([ True, False,  True])
        """
        return self._compare(other, np.logical_or, "logical_or")

    def logical_xor(self, other: Any) -> "Tensor":
        """Elementwise XOR of truth values (non-zero is true); a bool tensor; broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([1, 0, 2]).logical_xor(ag.tensor([1, 1, 0]))
        tensor([False,  True,  True])
        """
        return self._compare(other, np.logical_xor, "logical_xor")

    def where(self, condition: Any, other: Any) -> "Tensor":
        """``self`` where ``condition`` holds, else ``other``: ``ag.where(condition, self, other)``.

        >>> import autograd_core as ag
        >>> x = ag.tensor([-1.0, 2.0])
        >>> x.where(x > 0, 0.0)
        tensor([0., 2.])
        """
        return _t.where(condition, self, other)

    def is_floating_point(self) -> bool:
        """True for float16/32/64 tensors.

        >>> import autograd_core as ag
        >>> ag.ones(1).is_floating_point(), ag.tensor([1]).is_floating_point()
        (True, False)
        """
        return self._data.dtype.kind == "f"

    def nelement(self) -> int:
        """The number of elements (an alias of ``numel``).

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3).nelement()
        6
        """
        return int(self._data.size)

    def stride(self, dim: int | None = None) -> Any:
        """Steps in memory between neighbours along each dim, counted in elements.

        >>> import autograd_core as ag
        >>> x = ag.zeros(2, 3)
        >>> x.stride(), x.t().stride(), x.stride(-1)
        ((3, 1), (1, 3), 1)
        """
        steps = tuple(s // self._data.itemsize for s in self._data.strides)
        if dim is None:
            return steps
        return steps[_t._check_dim(self, dim, "stride")]

    def masked_fill_(self, mask: Any, value: Any) -> "Tensor":
        """Write ``value`` where ``mask`` (bool, broadcastable to self) is True, in place.

        >>> import autograd_core as ag
        >>> x = ag.zeros(3)
        >>> x.masked_fill_(ag.tensor([True, False, True]), 5.0)
        tensor([5., 0., 5.])
        """
        m = _array(mask)
        if m.dtype != np.bool_:
            raise TypeError(f"masked_fill_: only bool masks are supported, got mask of dtype "
                            f"{m.dtype}")
        try:
            ok = np.broadcast_shapes(m.shape, self.shape) == self.shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"masked_fill_: mask of shape {m.shape} cannot be broadcast to "
                             f"self's shape {self.shape}")
        v = _array(value)
        if v.ndim:
            raise ValueError(f"masked_fill_: value must be a number or a 0-d tensor, got shape "
                             f"{v.shape}")
        return self._inplace("masked_fill_", lambda s: s.masked_fill(m, value), value)

    # ------------------------------------------------------------ dims
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
            raise ValueError(f"movedim: source {src} and destination {dst} must have the same "
                             "number of dims")
        s = [_t._check_dim(self, d, "movedim") for d in src]
        e = [_t._check_dim(self, d, "movedim") for d in dst]
        if len(set(s)) != len(s) or len(set(e)) != len(e):
            raise ValueError(f"movedim: repeated dim in source {src} or destination {dst}")
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
            raise ValueError(f"diagonal: expected a tensor with at least 2 dims, got shape "
                             f"{self.shape}")
        d1, d2 = _t._check_dim(self, dim1, "diagonal"), _t._check_dim(self, dim2, "diagonal")
        if d1 == d2:
            raise ValueError(f"diagonal: dim1 and dim2 cannot be the same dim ({d1})")
        x = self.movedim((d1, d2), (-2, -1))
        n, m = x.shape[-2:]
        k = int(offset)
        i = np.arange(max(min(n, m - k) if k >= 0 else min(n + k, m), 0))
        index = (Ellipsis, i, i + k) if k >= 0 else (Ellipsis, i - k, i)
        return _t.I.Index.apply(x, index=index)

    def trace(self) -> "Tensor":
        """The sum of the main diagonal of a 2-D tensor (integers sum in int64).

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 2], [3, 4]]).trace()
        tensor(5)
        """
        if self.ndim != 2:
            raise ValueError(f"trace: expected a 2-D tensor, got shape {self.shape}")
        d = self.diagonal()
        return d.sum() if d._data.dtype.kind == "f" else d.long().sum()

    def mv(self, vec: "Tensor") -> "Tensor":
        """Matrix (n, m) times vector (m,): a vector (n,).

        >>> import autograd_core as ag
        >>> ag.tensor([[1.0, 2.0], [3.0, 4.0]]).mv(ag.tensor([1.0, 1.0]))
        tensor([3., 7.])
        """
        vec = _require_tensor(vec, "mv", "vec")
        if self.ndim != 2 or vec.ndim != 1 or self.shape[1] != vec.shape[0]:
            raise ValueError(f"mv: expected a matrix (n, m) and a vector (m,), got shapes "
                             f"{self.shape} and {vec.shape}")
        return self.matmul(vec)

    def tile(self, *dims: Any) -> "Tensor":
        """Repeat the whole tensor ``dims`` times along each dim (missing leading dims
        count as 1, on either side).

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 2]]).tile(2)
        tensor([[1, 2, 1, 2]])
        """
        reps = _t._size(dims)
        if any(r < 0 for r in reps):
            raise ValueError(f"tile: repetitions must be non-negative, got {reps}")
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
            raise ValueError("diff: expected a tensor with at least 1 dim, got a 0-d tensor")
        if n < 0:
            raise ValueError(f"diff: order n must be non-negative, got {n}")
        d = _t._check_dim(self, dim, "diff")
        parts = []
        for name, t in (("prepend", prepend), ("append", append)):
            if t is not None:
                t = t if isinstance(t, _t.Tensor) else _t.make(np.asarray(t, self.dtype))
                if t.ndim != self.ndim:
                    raise ValueError(f"diff: {name} must have as many dims as input, got shapes "
                                     f"{t.shape} and {self.shape}")
            parts.append(t)
        if parts[0] is not None or parts[1] is not None:
            from .join import cat
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

    # ------------------------------------------------------------ indexing
    def index_add(self, dim: int, index: Any, source: "Tensor", *, alpha: Any = 1) -> "Tensor":
        """A copy of self with ``alpha * source`` slices added at ``index`` along ``dim``
        (repeated indices add up).

        >>> import autograd_core as ag
        >>> ag.zeros(3, 2).index_add(0, ag.tensor([0, 2, 0]), ag.ones(3, 2))
        tensor([[2., 2.],
                [0., 0.],
                [1., 1.]])
        """
        source = _require_tensor(source, "index_add", "source")
        d = _t._check_dim(self, dim, "index_add")
        x = self if self.ndim else self.reshape(1)
        src = source if source.ndim else source.reshape(1)
        idx = _index_1d(index, "index_add", x.shape[d], negative=False, error=RuntimeError)
        if source.dtype != self.dtype:
            raise TypeError(f"index_add: self ({self.dtype}) and source ({source.dtype}) must "
                            "have the same dtype")
        want = x.shape[:d] + (len(idx),) + x.shape[d + 1:]
        if src.shape != want:
            raise ValueError(f"index_add: source must have shape {want} (self's shape "
                             f"{self.shape} with {len(idx)} indices along dim {d}), got "
                             f"{source.shape}")
        if alpha != 1:
            src = src * alpha
        added = _t.I.IndexAdd.apply(src, index=(slice(None),) * d + (idx,), shape=x.shape)
        return (x + added).reshape(self.shape)

    def index_fill(self, dim: int, index: Any, value: Any) -> "Tensor":
        """A copy of self with ``value`` (a number or a 0-d tensor) at ``index`` along ``dim``.

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3).index_fill(1, ag.tensor([0, 2]), -1.0)
        tensor([[-1.,  0., -1.],
                [-1.,  0., -1.]])
        """
        d = _t._check_dim(self, dim, "index_fill")
        n = self.shape[d] if self.ndim else 1
        idx = _index_1d(index, "index_fill", n, negative=True)
        mask = np.zeros(n, dtype=bool)
        mask[idx] = True
        if self.ndim:
            mask = mask.reshape((1,) * d + (n,) + (1,) * (self.ndim - d - 1))
        else:
            mask = mask.reshape(())
        if isinstance(value, _t.Tensor):
            if value.ndim:
                raise ValueError(f"index_fill: value must be a number or a 0-d tensor, got "
                                 f"shape {value.shape}")
            return _t.where(mask, value.to(self.dtype), self)
        return _t.where(mask, _t.make(np.asarray(value, self.dtype)), self)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """The indices of the non-zero elements: an ``(n, ndim)`` int64 tensor, or with
        ``as_tuple=True`` one 1-D tensor per dim.

        >>> import autograd_core as ag
        >>> ag.tensor([[0, 3], [4, 0]]).nonzero()
        tensor([[0, 1],
                [1, 0]])
        """
        d = self._data
        if as_tuple:
            return tuple(_t.make(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(d)))
        return _t.make(np.argwhere(d).astype(np.int64))

    def argwhere(self) -> "Tensor":
        """The indices of the non-zero elements, as ``nonzero()``.

        >>> import autograd_core as ag
        >>> ag.tensor([0.0, 2.0, 5.0]).argwhere()
        tensor([[1],
                [2]])
        """
        return self.nonzero()

    def count_nonzero(self, dim: Any = None) -> "Tensor":
        """How many elements are non-zero, over ``dim`` (an int, a tuple, or None for all).

        >>> import autograd_core as ag
        >>> ag.tensor([[0, 1, 2], [3, 0, 0]]).count_nonzero(dim=1)
        tensor([2, 1])
        """
        if dim is not None:
            dims = dim if isinstance(dim, (tuple, list)) else (dim,)
            dim = tuple(_t._check_dim(self, k, "count_nonzero") for k in dims)
            if self.ndim == 0:
                dim = None
        return _t.make(np.asarray(np.count_nonzero(self._data, axis=dim), dtype=np.int64))

    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> "Tensor":
        """True where ``|self - other| <= atol + rtol * |other|`` (equal infinities are close).

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 2.0]).isclose(ag.tensor([1.0 + 1e-7, 2.1]))
        tensor([ True, False])
        """
        if rtol < 0 or atol < 0:
            raise ValueError(f"isclose: rtol and atol must be non-negative, got rtol={rtol} and "
                             f"atol={atol}")
        return self._compare(other, lambda a, b: np.isclose(a, b, rtol, atol, equal_nan),
                             "isclose")

    def median(self, dim: int | None = None, keepdim: bool = False) -> Any:
        """The median (the lower of the two middle values for an even count; NaN if any);
        with ``dim``, a named tuple ``(values, indices)``. The gradient flows to the
        chosen element.

        >>> import autograd_core as ag
        >>> ag.tensor([4.0, 1.0, 3.0, 2.0]).median()
        tensor(2.)
        >>> ag.tensor([[3.0, 1.0, 2.0]]).median(dim=1)
        ValuesIndices(values=tensor([2.]), indices=tensor([2]))
        """
        if dim is None:
            flat = self.reshape(-1)
            if flat.shape[0] == 0:
                if self._data.dtype.kind != "f":
                    raise ValueError("median: cannot take the median of an empty integer tensor")
                return _t.make(np.asarray(np.nan, self._data.dtype))
            k = int(_median_index(flat._data, 0))
            return _t.I.Index.apply(flat, index=k)
        d = _t._check_dim(self, dim, "median")
        x = self if self.ndim else self.reshape(1)
        if x.shape[d] == 0:
            raise IndexError(f"median: dim {d} of shape {self.shape} is empty")
        idx = np.expand_dims(_median_index(x._data, d), d)
        values = _t.I.Gather.apply(x, dim=d, index=idx)
        if not keepdim or not self.ndim:
            values = values.squeeze(d) if self.ndim else values.reshape(())
            idx = np.squeeze(idx, axis=d) if self.ndim else idx.reshape(())
        return _t.ValuesIndices(values, _t.make(idx.astype(np.int64)))


    # ------------------------------------------------------- more PyTorch ops
    # (moved from tensor.py unchanged, module helpers reached as _t.<name>)
    def is_contiguous(self) -> bool:
        """True when the elements lie in row-major order in memory.

        >>> import autograd_core as ag
        >>> x = ag.zeros(2, 3)
        >>> x.is_contiguous(), x.t().is_contiguous()
        (True, False)
        """
        return bool(self._data.flags.c_contiguous)

    def _new_dtype(self, dtype: Any) -> np.dtype:
        from .creation import _dtype
        return _dtype(dtype) or self._data.dtype

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> "Tensor":
        """Zeros of ``size`` with this tensor's dtype (unless ``dtype`` is given).

        >>> import autograd_core as ag
        >>> ag.tensor([1, 2]).new_zeros(2, 3)
        tensor([[0, 0, 0],
                [0, 0, 0]])
        """
        return _t._leaf(np.zeros(_t._size(size), self._new_dtype(dtype)), requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> "Tensor":
        """Ones of ``size`` with this tensor's dtype (unless ``dtype`` is given).

        >>> import autograd_core as ag
        >>> ag.zeros(1, dtype=ag.float64).new_ones((2,))
        tensor([1., 1.], dtype=float64)
        """
        return _t._leaf(np.ones(_t._size(size), self._new_dtype(dtype)), requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> "Tensor":
        """An uninitialised tensor of ``size`` (here: zeros) with this tensor's dtype.

        >>> import autograd_core as ag
        >>> ag.zeros(1).new_empty(2, 2).shape
        (2, 2)
        """
        return self.new_zeros(*size, dtype=dtype, requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None,
                 requires_grad: bool = False) -> "Tensor":
        """``size`` filled with ``fill_value``, in this tensor's dtype (unless ``dtype`` is given).

        >>> import autograd_core as ag
        >>> ag.zeros(1).new_full((2,), 3)
        tensor([3., 3.])
        """
        return _t._leaf(np.full(_t._size((size,)), fill_value, self._new_dtype(dtype)), requires_grad)

    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> "Tensor":
        """A new leaf holding a copy of ``data``, in this tensor's dtype (unless ``dtype`` is given).

        >>> import autograd_core as ag
        >>> ag.zeros(1, dtype=ag.float64).new_tensor([1, 2])
        tensor([1., 2.], dtype=float64)
        """
        from .creation import to_array
        return _t._leaf(to_array(data, self._new_dtype(dtype)), requires_grad)

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
            raise ValueError(f"{name}: expected a tensor with at least 2 dims, got shape {self.shape}")
        n, m = self.shape[-2:]
        keep = np.tri(n, m, int(diagonal), dtype=bool)
        if not lower:
            keep = ~np.tri(n, m, int(diagonal) - 1, dtype=bool)
        return _t.where(keep, self, _t.make(np.zeros((), self._data.dtype)))

    def cumsum(self, dim: int, *, dtype: Any = None) -> "Tensor":
        """Running sums along ``dim`` (integers and bools sum in int64, as PyTorch).

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 2, 3]]).cumsum(-1)
        tensor([[1, 3, 6]])
        """
        return self._scan(_t.SC.CumSum, dim, dtype, "cumsum")

    def cumprod(self, dim: int, *, dtype: Any = None) -> "Tensor":
        """Running products along ``dim``; the gradient is right at zeros too.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 2.0, 0.0, 4.0]).cumprod(0)
        tensor([1., 2., 0., 0.])
        """
        return self._scan(_t.SC.CumProd, dim, dtype, "cumprod")

    def _scan(self, Op: type, dim: int, dtype: Any, name: str) -> "Tensor":
        d = _t._check_dim(self, dim, name)
        x = self if dtype is None else self.to(dtype)
        if not _t._is_float(x._data.dtype) and x._data.dtype != np.int64:
            x = x.long()
        if x.ndim == 0:
            return x.clone()
        return Op.apply(x, dim=d)

    def flip(self, *dims: Any) -> "Tensor":
        """The elements in reverse order along each of ``dims``.

        >>> import autograd_core as ag
        >>> ag.tensor([[1, 2], [3, 4]]).flip(0, 1)
        tensor([[4, 3],
                [2, 1]])
        """
        dims = _t._size(dims)
        ds = [_t._check_dim(self, d, "flip") for d in dims]
        if len(set(ds)) != len(ds):
            raise ValueError(f"flip: dims {dims} name a dim more than once")
        if self.ndim == 0 or not ds:
            return self[...]
        index = [slice(None)] * self.ndim
        for d in ds:
            index[d] = slice(None, None, -1)
        return _t.I.Index.apply(self, index=tuple(index))

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
                raise ValueError(f"roll: shifts {shifts} need as many dims, got dims=None")
            return self.flatten().roll(shifts, 0).reshape(self.shape)
        dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
        if len(shifts) != len(dims):
            raise ValueError(f"roll: shifts {shifts} and dims {dims} must have the same length")
        out = self
        for s, d in zip(shifts, dims):
            d = _t._check_dim(self, d, "roll")
            n = self.shape[d] if self.ndim else 1
            if n == 0 or int(s) % n == 0:
                continue
            idx = (np.arange(n) - int(s)) % n
            out = _t.I.Index.apply(out, index=(slice(None),) * d + (idx,))
        return out if out is not self else self[...]

    def index_select(self, dim: int, index: Any) -> "Tensor":
        """The entries at ``index`` (a 1-D int64 tensor) along ``dim``.

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1, 2, 3], [4, 5, 6]])
        >>> x.index_select(1, ag.tensor([2, 0]))
        tensor([[3, 1],
                [6, 4]])
        """
        d = _t._check_dim(self, dim, "index_select")
        idx = index._data if isinstance(index, _t.Tensor) else np.asarray(index)
        if idx.ndim > 1 or idx.dtype.kind not in "iu":
            raise ValueError(f"index_select: index must be 1-D int64, got shape {idx.shape} and "
                             f"dtype {idx.dtype}")
        idx = idx.reshape(-1)
        n = self.shape[d] if self.ndim else 1
        if idx.size and (idx.min() < 0 or idx.max() >= n):  # no negative indices, as PyTorch
            bad = idx[(idx < 0) | (idx >= n)][0]
            raise RuntimeError(f"index_select: index {bad} is out of bounds for dimension {d} "
                               f"with size {n} (expected 0 <= index < {n})")
        if self.ndim == 0:
            return self.reshape(1)[idx].reshape(())
        return _t.I.Index.apply(self, index=(slice(None),) * d + (idx,))

    def masked_select(self, mask: Any) -> "Tensor":
        """The entries where ``mask`` (bool, broadcast with self) is True, as a 1-D tensor.

        >>> import autograd_core as ag
        >>> x = ag.tensor([[1.0, -2.0], [-3.0, 4.0]])
        >>> x.masked_select(x > 0)
        tensor([1., 4.])
        """
        m = mask._data if isinstance(mask, _t.Tensor) else np.asarray(mask)
        if m.dtype != np.bool_:
            raise TypeError(f"masked_select: expected a bool mask, got dtype {m.dtype}")
        try:
            shape = np.broadcast_shapes(self.shape, m.shape)
        except ValueError:
            raise ValueError(f"masked_select: mask of shape {m.shape} cannot be broadcast with "
                             f"input of shape {self.shape}") from None
        x = self.expand(shape) if shape != self.shape else self
        return _t.I.Index.apply(x, index=np.broadcast_to(m, shape))

    def repeat_interleave(self, repeats: Any, dim: int | None = None, *,
                          output_size: int | None = None) -> "Tensor":
        """Repeat each element ``repeats`` times (an int, or one count per element) along
        ``dim``, or over the flattened tensor when ``dim`` is None.

        >>> import autograd_core as ag
        >>> ag.tensor([1, 2]).repeat_interleave(2)
        tensor([1, 1, 2, 2])
        >>> ag.tensor([[1, 2], [3, 4]]).repeat_interleave(ag.tensor([1, 2]), dim=0)
        tensor([[1, 2],
                [3, 4],
                [3, 4]])
        """
        if dim is None:
            return self.flatten().repeat_interleave(repeats, 0, output_size=output_size)
        d = _t._check_dim(self, dim, "repeat_interleave")
        x = self if self.ndim else self.reshape(1)
        n = x.shape[d]
        r = repeats._data if isinstance(repeats, _t.Tensor) else np.asarray(repeats)
        if r.dtype.kind not in "iu" or r.ndim > 1 or (r.ndim == 1 and r.shape[0] not in (1, n)):
            raise ValueError(f"repeat_interleave: repeats must be an int or a 1-D int tensor of "
                             f"size 1 or {n} (dim {d}'s size), got shape {r.shape} and dtype {r.dtype}")
        if (r < 0).any():
            raise ValueError(f"repeat_interleave: repeats must be non-negative, got {r.tolist()}")
        idx = np.repeat(np.arange(n), r.reshape(-1) if r.ndim else int(r))
        if output_size is not None and output_size != len(idx):
            raise ValueError(f"repeat_interleave: output_size {output_size} does not match the "
                             f"{len(idx)} repeated elements")
        return _t.I.Index.apply(x, index=(slice(None),) * d + (idx,))

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """``(values, indices)`` sorted along ``dim``; ties keep their order; NaN sorts as largest.

        >>> import autograd_core as ag
        >>> ag.tensor([3.0, 1.0, 2.0]).sort(descending=True)
        ValuesIndices(values=tensor([3., 2., 1.]), indices=tensor([0, 2, 1]))
        """
        idx = self._argsort(dim, descending, "sort")
        if self.ndim == 0:
            return _t.ValuesIndices(self[...], _t.make(idx))
        return _t.ValuesIndices(_t.I.Gather.apply(self, dim=_t._check_dim(self, dim, "sort"), index=idx),
                             _t.make(idx))

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> "Tensor":
        """The indices that sort along ``dim`` (int64).

        >>> import autograd_core as ag
        >>> ag.tensor([3.0, 1.0, 2.0]).argsort()
        tensor([1, 2, 0])
        """
        return _t.make(self._argsort(dim, descending, "argsort"))

    def _argsort(self, dim: int, descending: bool, name: str) -> np.ndarray:
        d = _t._check_dim(self, dim, name)
        a = self._data
        if a.ndim == 0:
            return np.zeros((), np.int64)
        if not descending:
            return np.argsort(a, axis=d, kind="stable").astype(np.int64)
        # descending and stable: sort the reversed array ascending, read it backwards
        n = a.shape[d]
        rev = np.flip(np.argsort(np.flip(a, d), axis=d, kind="stable"), d)
        return (n - 1 - rev).astype(np.int64)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        """The ``k`` largest (or smallest) entries along ``dim`` as ``(values, indices)``.

        >>> import autograd_core as ag
        >>> v, i = ag.tensor([1.0, 5.0, 3.0, 4.0]).topk(2)
        >>> v, i
        (tensor([5., 4.]), tensor([1, 3]))
        """
        d = _t._check_dim(self, dim, "topk")
        n = self.shape[d] if self.ndim else 1
        if not isinstance(k, (int, np.integer)) or not 0 <= k <= n:
            raise ValueError(f"topk: k ({k}) must be in [0, {n}] (dim {d}'s size for shape "
                             f"{self.shape})")
        idx = self._argsort(d, largest, "topk")
        if self.ndim == 0:
            return _t.ValuesIndices(self[...], _t.make(idx))
        idx = np.ascontiguousarray(np.take(idx, np.arange(k), axis=d))
        return _t.ValuesIndices(_t.I.Gather.apply(self, dim=d, index=idx), _t.make(idx))

    def unique(self, sorted: bool = True, return_inverse: bool = False,
               return_counts: bool = False, dim: int | None = None) -> Any:
        """The distinct values (sorted), with the inverse indices and counts if asked.
        Not differentiable, as PyTorch.

        >>> import autograd_core as ag
        >>> ag.tensor([3, 1, 3, 2]).unique(return_counts=True)
        (tensor([1, 2, 3]), tensor([1, 1, 2]))
        """
        if dim is not None:
            dim = _t._check_dim(self, dim, "unique")
        values, inverse, counts = np.unique(self._data, return_inverse=True, return_counts=True,
                                            axis=dim)
        out = [_t.make(values)]
        if return_inverse:
            shape = self.shape if dim is None else (self.shape[dim],)
            out.append(_t.make(inverse.reshape(shape).astype(np.int64)))
        if return_counts:
            out.append(_t.make(counts.astype(np.int64)))
        return out[0] if len(out) == 1 else tuple(out)

    def outer(self, vec2: "Tensor") -> "Tensor":
        """The outer product of two 1-D tensors: ``out[i, j] = self[i] * vec2[j]``.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 2.0]).outer(ag.tensor([1.0, 10.0, 100.0]))
        tensor([[  1.,  10., 100.],
                [  2.,  20., 200.]])
        """
        o = vec2 if isinstance(vec2, _t.Tensor) else _t.make(np.asarray(vec2))
        if self.ndim != 1 or o.ndim != 1:
            raise ValueError(f"outer: expected 1-D tensors, got shapes {self.shape} and {o.shape}")
        return self.unsqueeze(1) * o.unsqueeze(0)

    ger = outer

    def diag(self, diagonal: int = 0) -> "Tensor":
        """From a 1-D tensor, the square matrix with it on ``diagonal``; from a 2-D
        tensor, its ``diagonal`` as a 1-D tensor.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, 2.0]).diag()
        tensor([[1., 0.],
                [0., 2.]])
        >>> ag.tensor([[1, 2], [3, 4]]).diag(1)
        tensor([2])
        """
        k = int(diagonal)
        if self.ndim == 1:
            n = self.shape[0] + abs(k)
            i = np.arange(self.shape[0])
            index = (i, i + k) if k >= 0 else (i - k, i)
            return _t.I.IndexAdd.apply(self, index=index, shape=(n, n))
        if self.ndim == 2:
            n, m = self.shape
            i = np.arange(max(min(n, m - k) if k >= 0 else min(n + k, m), 0))
            index = (i, i + k) if k >= 0 else (i - k, i)
            return _t.I.Index.apply(self, index=index)
        raise ValueError(f"diag: expected a 1-D or 2-D tensor, got shape {self.shape}")

    def atan2(self, other: Any) -> "Tensor":
        """Elementwise angle of the point ``(other, self)``, in ``(-pi, pi]``; broadcasts.

        >>> import autograd_core as ag
        >>> ag.tensor([1.0, -1.0]).atan2(ag.tensor([0.0, -1.0]))
        tensor([ 1.5708, -2.3562])
        """
        a = self if _t._is_float(self._data.dtype) else self.float()
        return a._binary(other, _t.E.Atan2, "atan2")

    arctan2 = atan2

    def clamp_min(self, min: Any) -> "Tensor":
        """``max(self, min)`` elementwise; ``min`` is a number or a broadcastable tensor.

        >>> import autograd_core as ag
        >>> ag.tensor([-1.0, 2.0]).clamp_min(0.5)
        tensor([0.5, 2. ])
        """
        if isinstance(min, _t.Tensor):
            # as PyTorch's: a NaN on either side gives NaN, and 0 gradient to both
            s, m = self._data, min._data
            nan = _t.make(np.asarray(np.maximum(s, m)))
            return _t.where(s >= m, self, _t.where(s < m, min, nan))
        return self.clamp(min=min)

    def clamp_max(self, max: Any) -> "Tensor":
        """``min(self, max)`` elementwise; ``max`` is a number or a broadcastable tensor.

        >>> import autograd_core as ag
        >>> ag.tensor([-1.0, 2.0]).clamp_max(0.5)
        tensor([-1. ,  0.5])
        """
        if isinstance(max, _t.Tensor):
            s, m = self._data, max._data
            nan = _t.make(np.asarray(np.minimum(s, m)))
            return _t.where(s <= m, self, _t.where(s > m, max, nan))
        return self.clamp(max=max)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False,
             dtype: Any = None) -> "Tensor":
        """The ``p``-norm over ``dim`` (all elements when None): ``'fro'`` (2-norm), a number,
        or ``inf``/``-inf``. At a zero vector the gradient is zero, as PyTorch.

        >>> import autograd_core as ag
        >>> ag.tensor([[3.0, 4.0], [0.0, 1.0]]).norm(dim=1)
        tensor([5., 1.])
        """
        return _t.N.norm(self, p, dim, keepdim, dtype)

    def _scatter_args(self, dim: int, index: Any, src: Any, name: str) -> tuple:
        d = _t._check_dim(self, dim, name)
        idx = index._data if isinstance(index, _t.Tensor) else np.asarray(index)
        if idx.dtype != np.int64:
            raise TypeError(f"{name}: index must be int64, got dtype {idx.dtype}")
        if idx.ndim != self.ndim or (src is not None and src.ndim != self.ndim):
            raise ValueError(f"{name}: index{' and src' if src is not None else ''} must have as "
                             f"many dims as self: self {self.shape}, index {idx.shape}"
                             + (f", src {src.shape}" if src is not None else ""))
        for k in range(idx.ndim):
            if (k != d and idx.shape[k] > self.shape[k]) or (
                    src is not None and idx.shape[k] > src.shape[k]):
                raise ValueError(f"{name}: index of shape {idx.shape} is larger than self "
                                 f"{self.shape} (apart from dim {d})"
                                 + (f" or src {src.shape}" if src is not None else ""))
        n = self.shape[d]
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            bad = idx[(idx < 0) | (idx >= n)][0]
            raise RuntimeError(f"{name}: index {bad} is out of bounds for dimension {d} with "
                               f"size {n} (expected 0 <= index < {n})")
        return d, idx

    def scatter(self, dim: int, index: Any, src: Any = None, *, value: Any = None) -> "Tensor":
        """A copy of self with ``src[i][j]`` (or ``value``) written at ``index`` along ``dim``:
        for ``dim=1``, ``out[i][index[i][j]] = src[i][j]``. Out of place.

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3).scatter(1, ag.tensor([[1], [2]]), value=9.0)
        tensor([[0., 9., 0.],
                [0., 0., 9.]])
        """
        if src is not None and value is not None:
            raise ValueError("scatter: give either src or value, not both")
        if src is None and value is None:
            raise ValueError("scatter: expected src (a tensor) or value (a number)")
        if src is not None and not isinstance(src, _t.Tensor):
            value, src = src, None
        d, idx = self._scatter_args(dim, index, src, "scatter")
        if src is None:
            mask = np.zeros(self.shape, dtype=bool)
            mask[_t.I.along_dim_index(idx, d)] = True
            return _t.where(mask, _t.make(np.asarray(value, dtype=self.dtype)), self)
        if src.dtype != self.dtype:
            raise TypeError(f"scatter: expected src of dtype {self.dtype} like self, got {src.dtype}")
        return _t.SCT.Scatter.apply(self, src, dim=d, index=idx)

    def scatter_add(self, dim: int, index: Any, src: "Tensor") -> "Tensor":
        """A copy of self with every ``src[i][j]`` added at ``index`` along ``dim`` (repeats add up).

        >>> import autograd_core as ag
        >>> ag.zeros(3).scatter_add(0, ag.tensor([0, 2, 0]), ag.tensor([1.0, 2.0, 3.0]))
        tensor([4., 0., 2.])
        """
        if not isinstance(src, _t.Tensor):
            raise TypeError(f"scatter_add: src must be a Tensor, not {type(src).__name__}")
        d, idx = self._scatter_args(dim, index, src, "scatter_add")
        if src.dtype != self.dtype:
            raise TypeError(f"scatter_add: expected src of dtype {self.dtype} like self, "
                            f"got {src.dtype}")
        if idx.shape != src.shape:
            src = src[tuple(slice(0, s) for s in idx.shape)]
        return self + _t.I.IndexAdd.apply(src, index=_t.I.along_dim_index(idx, d), shape=self.shape)

    def addmm(self, mat1: "Tensor", mat2: "Tensor", *, beta: float = 1,
              alpha: float = 1) -> "Tensor":
        """``beta * self + alpha * (mat1 @ mat2)``, with ``self`` broadcast to the product's shape.

        >>> import autograd_core as ag
        >>> ag.ones(2, 2).addmm(ag.eye(2), ag.eye(2) * 3, beta=0.5)
        tensor([[3.5, 0.5],
                [0.5, 3.5]])
        """
        if mat1.ndim != 2 or mat2.ndim != 2:
            raise ValueError(f"addmm: expected 2-D matrices, got shapes {mat1.shape} and "
                             f"{mat2.shape}")
        return self._add_product(mat1.matmul(mat2), beta, alpha, "addmm")

    def baddbmm(self, batch1: "Tensor", batch2: "Tensor", *, beta: float = 1,
                alpha: float = 1) -> "Tensor":
        """``beta * self + alpha * (batch1 @ batch2)`` for batches of matrices (3-D).

        >>> import autograd_core as ag
        >>> ag.zeros(1, 2, 2).baddbmm(ag.ones(3, 2, 4), ag.ones(3, 4, 2)).shape
        (3, 2, 2)
        """
        if batch1.ndim != 3 or batch2.ndim != 3 or batch1.shape[0] != batch2.shape[0]:
            raise ValueError(f"baddbmm: expected 3-D batches of the same size, got shapes "
                             f"{batch1.shape} and {batch2.shape}")
        return self._add_product(batch1.matmul(batch2), beta, alpha, "baddbmm")

    def _add_product(self, prod: "Tensor", beta: float, alpha: float, name: str) -> "Tensor":
        try:
            if np.broadcast_shapes(self.shape, prod.shape) != prod.shape:
                raise ValueError
        except ValueError:
            raise ValueError(f"{name}: input of shape {self.shape} cannot be broadcast to the "
                             f"product's shape {prod.shape}") from None
        out = prod if alpha == 1 else prod * alpha
        if beta == 0:  # the input is ignored (NaN in it does not propagate), as PyTorch
            return out
        return out + (self if beta == 1 else self * beta)

    def bernoulli(self, p: float | None = None, *, generator: Any = None) -> "Tensor":
        """Draw 0 or 1 with probability ``self`` (or ``p``) of 1, in self's dtype. No gradient.

        >>> import autograd_core as ag
        >>> g = ag.Generator().manual_seed(0)
        >>> ag.tensor([0.0, 1.0, 1.0]).bernoulli(generator=g)
        tensor([0., 1., 1.])
        """
        from .random import rng
        probs = self._data if p is None else np.asarray(p, dtype=np.float64)
        if not ((probs >= 0) & (probs <= 1)).all():
            raise ValueError("bernoulli: expected all probabilities in [0, 1], got values from "
                             f"{np.nanmin(probs)} to {np.nanmax(probs)}")
        draw = rng(generator).random(self.shape) < probs
        return _t.make(draw.astype(self._data.dtype))

    def multinomial(self, num_samples: int, replacement: bool = False, *,
                    generator: Any = None) -> "Tensor":
        """Draw ``num_samples`` category indices (int64) per row of non-negative weights
        (1-D or 2-D), with or without replacement.

        >>> import autograd_core as ag
        >>> g = ag.Generator().manual_seed(0)
        >>> ag.tensor([0.0, 10.0, 0.0]).multinomial(2, replacement=True, generator=g)
        tensor([1, 1])
        """
        from .random import rng
        w = self._data
        if w.ndim not in (1, 2) or not _t._is_float(w.dtype):
            raise ValueError(f"multinomial: expected a 1-D or 2-D float tensor of weights, got "
                             f"shape {w.shape} and dtype {w.dtype}")
        n = w.shape[-1]
        if not isinstance(num_samples, (int, np.integer)) or num_samples <= 0:
            raise ValueError(f"multinomial: num_samples must be a positive int, got {num_samples}")
        if not replacement and num_samples > n:
            raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement "
                             f"from {n} categories")
        if not np.isfinite(w).all() or (w < 0).any():
            raise ValueError("multinomial: weights must be finite and non-negative")
        rows = w.reshape(-1, n).astype(np.float64)
        g = rng(generator)
        out = np.empty((len(rows), num_samples), dtype=np.int64)
        for r, row in enumerate(rows):
            total = row.sum()
            if total <= 0:
                raise ValueError(f"multinomial: row {r} of the weights sums to zero")
            if not replacement and np.count_nonzero(row) < num_samples:
                raise ValueError(f"multinomial: row {r} has {np.count_nonzero(row)} categories "
                                 f"of non-zero weight, fewer than {num_samples} samples drawn "
                                 "without replacement")
            out[r] = g.choice(n, size=num_samples, replace=replacement, p=row / total)
        return _t.make(out.reshape(w.shape[:-1] + (num_samples,)))


def _median_index(a: np.ndarray, dim: int) -> np.ndarray:
    """Along ``dim``: the index of the lower median, or of the first NaN if there is one."""
    n = a.shape[dim]
    order = np.argsort(a, axis=dim, kind="stable")  # NaNs sort last
    idx = np.take(order, (n - 1) // 2, axis=dim)
    if a.dtype.kind == "f":
        nan = np.isnan(a)
        idx = np.where(nan.any(axis=dim), np.argmax(nan, axis=dim), idx)
    return np.asarray(idx, dtype=np.int64)


# ------------------------------------------------------- function-only ops
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
        raise ValueError("meshgrid: expected at least one tensor")
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for i, t in enumerate(tensors):
        _require_tensor(t, "meshgrid", f"tensors[{i}]")
        if t.ndim > 1:
            raise ValueError(f"meshgrid: expected 0-D or 1-D tensors, but tensor {i} has shape "
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
        raise ValueError(f"{op}: expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, _t.Tensor):
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
    from .join import cat
    ts = _tensors(tensors, "vstack")
    return cat([t.reshape(1, -1) if t.ndim < 2 else t for t in ts], 0)


row_stack = vstack


def hstack(tensors: Sequence["Tensor"]) -> "Tensor":
    """Join along dim 1 (along dim 0 for 1-D tensors; 0-D ones count as 1-D).

    >>> import autograd_core as ag
    >>> ag.hstack([ag.tensor([1, 2]), ag.tensor([3])])
    tensor([1, 2, 3])
    """
    from .join import cat
    ts = [t.reshape(1) if t.ndim == 0 else t for t in _tensors(tensors, "hstack")]
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def var_mean(input: "Tensor", dim: Any = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: float | None = None) -> tuple:
    """``(var, mean)`` over ``dim``; unbiased (``correction=1``) by default, as PyTorch.

    >>> import autograd_core as ag
    >>> ag.var_mean(ag.tensor([1.0, 2.0, 3.0, 4.0]))
    (tensor(1.6667), tensor(2.5))
    """
    _require_tensor(input, "var_mean", "input")
    if isinstance(dim, bool):  # var_mean(x, False): the `unbiased` overload
        dim, unbiased = None, dim
    return (input.var(dim, unbiased, keepdim, correction=correction),
            input.mean(dim, keepdim=keepdim))


def std_mean(input: "Tensor", dim: Any = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: float | None = None) -> tuple:
    """``(std, mean)`` over ``dim``; unbiased (``correction=1``) by default, as PyTorch.

    >>> import autograd_core as ag
    >>> ag.std_mean(ag.tensor([[1.0, 3.0]]), dim=1, correction=0)
    (tensor([1.]), tensor([2.]))
    """
    _require_tensor(input, "std_mean", "input")
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return (input.std(dim, unbiased, keepdim, correction=correction),
            input.mean(dim, keepdim=keepdim))


def cdist(x1: "Tensor", x2: "Tensor", p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> "Tensor":
    """The ``p``-norm distance between each row of ``x1`` (..., P, M) and each row of
    ``x2`` (..., R, M): shape (..., P, R); batch dims broadcast. At zero distance the
    gradient is zero, as PyTorch's. ``compute_mode`` is accepted and ignored (the
    distances are always computed directly).

    >>> import autograd_core as ag
    >>> ag.cdist(ag.tensor([[0.0, 0.0], [1.0, 1.0]]), ag.tensor([[3.0, 4.0]]))
    tensor([[5.    ],
            [3.6056]])
    """
    from .ops.norm import vector_norm
    _require_tensor(x1, "cdist", "x1")
    _require_tensor(x2, "cdist", "x2")
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise ValueError(f"cdist: expected x1 (..., P, M) and x2 (..., R, M) with the same M, "
                         f"got shapes {x1.shape} and {x2.shape}")
    for name, t in (("x1", x1), ("x2", x2)):
        if t._data.dtype.kind != "f":
            raise TypeError(f"cdist: expected floating point tensors, got {name} of dtype "
                            f"{t.dtype}")
    if not isinstance(p, _NUMBERS) or not p >= 0:
        raise ValueError(f"cdist: p must be a non-negative number, got {p!r}")
    try:
        np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    except ValueError:
        raise ValueError(f"cdist: batch dims of shapes {x1.shape} and {x2.shape} cannot be "
                         "broadcast together") from None
    return vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, dim=-1)
