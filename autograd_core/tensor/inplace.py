"""In-place Tensor methods: ``add_``, ``mul_``, ``copy_``, ``x[i] = v``, ``+=`` and the
rest. Each computes its result with the out-of-place op (recorded when grad mode is
on and something requires grad), writes it into the tensor's memory and bumps the
version counter; the tensor then takes the op's node as its ``grad_fn``. On a view,
the base takes a ``CopySlices`` node and the view is replayed from it (see
``autograd/inplace.py``).
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, TYPE_CHECKING
from weakref import ref

import numpy as np

from ..autograd import function as _f
from ..autograd.function import is_tensor
from ..autograd.grad_mode import STATE, no_grad
from .args import _array, _index, _is_float
from ..ops import index as IX
from ..ops import pointwise as P
from ..autograd.function import version_counter
from ..ops import TENSOR_METHODS
from ..autograd.inplace import can_cast, keep_original_inputs, rebase
from .dtypes import scalar_type_name

if TYPE_CHECKING:  # for annotations only: base.py, which defines Tensor, imports this module
    from .base import Tensor


class InPlaceMixin:
    """In-place Tensor methods: ``add_``, ``mul_``, ``copy_``, ``x[i] = v``, ``+=`` and the"""

    __slots__ = ()

    # An in-place op computes its result with the out-of-place op (recorded when grad mode
    # is on and something requires grad), writes it into this tensor's memory and bumps
    # the version counter; the tensor then takes the op's node as its grad_fn. On a view,
    # the base takes a CopySlices node and the view is replayed from it (ops/inplace.py).
    def _inplace(self, name: str, fn: Callable[["Tensor"], "Tensor"], *others: Any) -> "Tensor":
        # an integer or bool tensor never requires grad, whatever is written into it
        record = STATE.enabled and _is_float(self._data.dtype) and (
            self.requires_grad or any(is_tensor(o) and o.requires_grad for o in others))
        self._check_writable(name, record)
        if record:
            stand = self._stand_in()
            res = fn(stand)
            if res._ctx is None:   # a comparison's 0/1: written as a fill (zero gradient)
                res = P.Fill.apply(stand, array=res._data)
            return self._commit(name, res, stand._data)
        with no_grad():
            res = fn(self)
        return self._commit(name, res, None)

    def _view_inplace(self, name: str, fn: Callable[["Tensor"], "Tensor"]) -> "Tensor":
        """An in-place view op (``unsqueeze_``, ``t_``, ...): this tensor becomes ``fn(self)``,
        a view of the same memory with other sizes or strides; its values are unchanged
        (no version bump), and a recorded tensor takes the view op's node, as PyTorch's."""
        record = STATE.enabled and self.requires_grad   # (a stale view is brought up to date)
        if record and self._ctx is None:
            raise RuntimeError(f"{name}: a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        if not record and self._view is None:   # nothing to replay: only the array changes
            with no_grad():
                self._data = fn(self)._data
            return self
        # the tensor as it was, so that the view's chain (replayed by later in-place writes)
        # and its node start from it
        old = _f.make(self._data)
        old._ctx, old._requires_grad, old._view = self._ctx, self._requires_grad, self._view
        old._vc = version_counter(self)
        res = fn(old)
        self._data, self._ctx, self._view = res._data, res._ctx, res._view
        if self._retains_grad and self._ctx is not None:
            self._ctx._retain = ref(self)
        return self

    def unsqueeze_(self, dim: int) -> "Tensor":
        """``x.unsqueeze(dim)``, made this tensor (a view of the same memory).

        >>> import autograd_core as ag
        >>> x = ag.ones(3); x.unsqueeze_(0).shape
        (1, 3)
        """
        return self._view_inplace("unsqueeze_", lambda s: s.unsqueeze(dim))

    def squeeze_(self, dim: Any = None) -> "Tensor":
        """``x.squeeze(dim)`` (every size-1 dim when ``dim`` is None), made this tensor."""
        return self._view_inplace("squeeze_", lambda s: s.squeeze() if dim is None
                                  else s.squeeze(dim))

    def t_(self) -> "Tensor":
        """``x.t()``, made this tensor."""
        return self._view_inplace("t_", lambda s: s.t())

    def transpose_(self, dim0: int, dim1: int) -> "Tensor":
        """``x.transpose(dim0, dim1)``, made this tensor."""
        return self._view_inplace("transpose_", lambda s: s.transpose(dim0, dim1))

    swapdims_ = swapaxes_ = transpose_

    def _stand_in(self) -> "Tensor":
        """This tensor for the op of an in-place change to see as its input: the same
        node and memory, but its own array object, so that what the op saves of it can
        be told apart (it becomes PyTorch's ``original_self``, copied before the write)
        from a second use of this tensor (which stays version-checked)."""
        self._fresh()
        t = _f.make(self._data.view())
        t._ctx, t._requires_grad, t._vc = self._ctx, self._requires_grad, version_counter(self)
        return t

    def _check_writable(self, name: str, record: bool, region: np.ndarray | None = None) -> None:
        """PyTorch's checks before writing into this tensor (or only into ``region``, an
        array view of the part written)."""
        _check_no_overlap(self._data if region is None else region, name)
        v = self._view
        if STATE.enabled and v is not None and v[5] and v[0]._requires_grad:
            raise RuntimeError(f"{name}: A view was created in no_grad mode and is being modified "
                               "inplace with grad mode enabled. Given that this use case is "
                               "ambiguous and error-prone, it is forbidden. You can clarify your "
                               "code by moving both the view and the inplace either both inside "
                               "the no_grad block (if you don't want the inplace to be tracked) "
                               "or both outside (if you want the inplace to be tracked).")
        if not record:
            return
        if self._ctx is None and self._requires_grad:
            raise RuntimeError(f"{name}: a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        base = None if self._view is None else self._view[0]
        if base is not None and base._ctx is None and base._requires_grad:
            raise RuntimeError(f"{name}: a view of a leaf Variable that requires grad is being "
                               "used in an in-place operation.")

    def _commit(self, name: str, res: "Tensor", original: np.ndarray | None) -> "Tensor":
        """Write ``res`` into this tensor and bump its version; when the change is recorded
        (``original`` is the stand-in's array), take the node that made ``res`` as this
        tensor's history."""
        d, r = self._data, res._data
        record = original is not None
        if r.shape != d.shape:
            raise RuntimeError(f"{name}: output with shape {list(d.shape)} doesn't match the "
                               f"broadcast shape {list(r.shape)}")
        if not can_cast(r.dtype, d.dtype):
            raise RuntimeError(f"{name}: result type {scalar_type_name(r.dtype)} can't be cast "
                               f"to the desired output type {scalar_type_name(d.dtype)}")
        if record:
            keep_original_inputs(res._ctx, original)
        if r is not d and r is not original:
            np.copyto(d, r, casting="unsafe")
        version_counter(self)[0] += 1
        if record:
            rebase(self, res)
        return self

    def copy_(self, src: Any, non_blocking: bool = False) -> "Tensor":
        """Copy ``src`` (broadcast, cast to this dtype) into this tensor."""
        if not is_tensor(src):
            src = _f.make(np.asarray(src))
        try:
            shape = np.broadcast_shapes(src._data.shape, self._data.shape)
        except ValueError:
            shape = None
        if shape != self._data.shape:
            raise RuntimeError(f"copy_: the size of tensor a ({list(self._data.shape)}) must "
                               f"match the size of tensor b ({list(src._data.shape)})")
        return self._inplace("copy_", lambda s: P.Copy.apply(s, src), src)

    def zero_(self) -> "Tensor":
        return self.fill_(0)

    def fill_(self, value: Any) -> "Tensor":
        if is_tensor(value):
            if value.ndim != 0:
                raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                                   f"with {value.ndim} dimensions.")
            return self._inplace("fill_", lambda s: P.Fill.apply(s, value.to(s.dtype)), value)
        return self._inplace("fill_", lambda s: P.Fill.apply(s, value=value))

    def add_(self, other: Any, alpha: float = 1) -> "Tensor":
        if self._arith_inplace("add_", np.add, other, alpha):
            return self
        return self._inplace("add_", lambda s: s + (other * alpha if alpha != 1 else other), other)

    def sub_(self, other: Any, alpha: float = 1) -> "Tensor":
        if self._arith_inplace("sub_", np.subtract, other, alpha):
            return self
        return self._inplace("sub_", lambda s: s - (other * alpha if alpha != 1 else other), other)

    def mul_(self, other: Any) -> "Tensor":
        if self._arith_inplace("mul_", np.multiply, other, 1):
            return self
        return self._inplace("mul_", lambda s: s * other, other)

    def _arith_inplace(self, name: str, ufunc: Any, other: Any, alpha: Any) -> bool:
        """``add_``, ``sub_`` or ``mul_`` when nothing is recorded, on a float tensor with a
        Python number or a tensor of its dtype and shape (or 0-d): the ufunc straight into
        this tensor's memory, the same arithmetic as the general path (``other * alpha``
        first, in ``other``'s dtype) without its temporary, copy and grad-mode switch (a
        manual SGD step, ``p.data.add_(p.grad, alpha=-lr)``). False: take the general path."""
        d = self._data
        if d.dtype.kind != "f" or _f.ops_observed() or (
                type(alpha) is not int and type(alpha) is not float):
            return False
        kind = type(other)
        if kind is float or kind is int:
            if STATE.enabled and self._requires_grad:
                return False
            o = np.asarray(other * alpha if alpha != 1 else other, d.dtype)
        elif kind is _f.Tensor:
            o = other._data
            if (STATE.enabled and (self._requires_grad or other._requires_grad)) or \
                    o.dtype != d.dtype or (o.shape != d.shape and o.ndim):
                return False
            if alpha != 1:
                o = o * np.asarray(alpha, d.dtype)
        else:
            return False
        self._check_writable(name, False)
        ufunc(d, o, out=d)
        version_counter(self)[0] += 1
        return True

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> "Tensor":
        return self._inplace("div_", lambda s: s.div(other, rounding_mode=rounding_mode), other)

    def pow_(self, exponent: Any) -> "Tensor":
        return self._inplace("pow_", lambda s: s ** exponent, exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":
        return self._inplace("clamp_", lambda s: s.clamp(min, max), min, max)

    clip_ = clamp_

    def __setitem__(self, index: Any, value: Any) -> None:
        idx = _index(index)
        v = value if is_tensor(value) else None
        record = STATE.enabled and _is_float(self._data.dtype) and (
            self.requires_grad or (v is not None and v.requires_grad))
        region = self._data[IX.as_view_index(idx)] if IX.is_basic(idx) else None
        self._check_writable("__setitem__", record, region)
        if not record:
            try:
                IX.put(self._data, idx, value._data if v is not None else value)
            except ValueError as e:
                raise RuntimeError(f"__setitem__: {e}") from None
            version_counter(self)[0] += 1
            return
        if v is None:
            v = _f.make(np.asarray(value, dtype=self._data.dtype))
        stand = self._stand_in()
        try:
            res = IX.IndexPut.apply(stand, v, index=idx, inplace=True)
        except ValueError as e:
            raise RuntimeError(f"__setitem__: {e}") from None
        self._commit("__setitem__", res, stand._data)

    def __iadd__(self, other: Any) -> "Tensor":
        return self.add_(other)

    def __isub__(self, other: Any) -> "Tensor":
        return self.sub_(other)

    def __imul__(self, other: Any) -> "Tensor":
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> "Tensor":
        return self.div_(other)

    def __ipow__(self, other: Any) -> "Tensor":
        return self.pow_(other)

    def __ifloordiv__(self, other: Any) -> "Tensor":
        return self.floor_divide_(other)

    def __imod__(self, other: Any) -> "Tensor":
        return self.remainder_(other)

    def __iand__(self, other: Any) -> "Tensor":
        return self.bitwise_and_(other)

    def __ior__(self, other: Any) -> "Tensor":
        return self.bitwise_or_(other)

    def __ixor__(self, other: Any) -> "Tensor":
        return self.bitwise_xor_(other)

    def __ilshift__(self, other: Any) -> "Tensor":
        return self.bitwise_left_shift_(other)

    def __irshift__(self, other: Any) -> "Tensor":
        return self.bitwise_right_shift_(other)

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
            raise RuntimeError(f"masked_fill_: mask of shape {m.shape} cannot be broadcast to "
                             f"self's shape {self.shape}")
        v = _array(value)
        if v.ndim:
            raise RuntimeError(f"masked_fill_: value must be a number or a 0-d tensor, got shape "
                             f"{v.shape}")
        return self._inplace("masked_fill_", lambda s: s.masked_fill(m, value), value)

    def fill_diagonal_(self, fill_value: Any, wrap: bool = False) -> "Tensor":
        """Write ``fill_value`` on the main diagonal (``a[i, i, ...]``), of a 2-D tensor or
        one whose dims are all equal; with ``wrap``, a tall matrix's diagonal starts again
        every ``ncols + 1`` rows, as PyTorch's (and NumPy's ``fill_diagonal``).

        >>> import autograd_core as ag
        >>> ag.zeros(2, 3).fill_diagonal_(5.0)
        tensor([[5., 0., 0.],
                [0., 5., 0.]])
        """
        shape = self._data.shape
        if len(shape) < 2:
            raise RuntimeError(f"fill_diagonal_: dimensions must larger than 1, got a "
                               f"{len(shape)}-D tensor")
        if len(shape) > 2 and len(set(shape)) != 1:
            raise RuntimeError(f"fill_diagonal_: all dimensions of input must be of equal "
                               f"length, got shape {tuple(shape)}")
        mask = np.zeros(shape, np.bool_)
        if len(shape) == 2:
            np.fill_diagonal(mask, True, wrap=wrap)
        else:
            mask[(np.arange(shape[0]),) * len(shape)] = True
        m = _f.make(mask)
        return self._inplace("fill_diagonal_", lambda s: s.masked_fill(m, fill_value), fill_value)


def write_out(name: str, result: Any, out: Any) -> Any:
    """``torch.<name>(..., out=out)``: ``result`` (a tensor, or a tuple of them for
    ``out=(values, indices)``) written into ``out``, which is returned, as PyTorch's: no
    graph (an input that requires grad under grad mode raises), the result's dtype must
    cast to out's, and an out of another shape is resized (with PyTorch's warning unless
    it was empty).

    >>> import autograd_core as ag
    >>> r = ag.empty(2)
    >>> ag.add(ag.ones(2), 1, out=r) is r, r.tolist()
    (True, [2.0, 2.0])
    """
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): argument 'out' must be a tuple of {len(result)} Tensors")
        written = [write_out(name, r, o) for r, o in zip(result, out)]
        return type(result)(*written) if hasattr(result, "_fields") else tuple(written)
    if not is_tensor(out):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if STATE.enabled and (result.requires_grad or out.requires_grad):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    r = result._data
    if not can_cast(r.dtype, out._data.dtype):
        raise RuntimeError(f"result type {scalar_type_name(r.dtype)} can't be cast to the desired "
                           f"output type {scalar_type_name(out._data.dtype)}")
    if r.shape != out._data.shape:
        if out._view is not None:
            raise RuntimeError(f"{name}(): out is a view of shape {list(out._data.shape)}; the "
                               f"result's shape {list(r.shape)} would need it resized, which "
                               "autograd-core does not do to views")
        if out._data.size:
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(out._data.shape)}, which does not match the required output "
                          f"shape {list(r.shape)}. This behavior is deprecated, and in a future "
                          "PyTorch release outputs will not be resized unless they have zero "
                          "elements. You can explicitly reuse an out tensor t by resizing it, "
                          "inplace, to zero elements with t.resize_(0).", UserWarning,
                          stacklevel=3)
        out._data = np.empty(r.shape, out._data.dtype)
    _check_no_overlap(out._data, name)
    np.copyto(out._data, r, casting="unsafe")
    version_counter(out)[0] += 1
    return out


def out_option(fn: Callable) -> Callable:
    """Give a ``torch.*`` function PyTorch's ``out=`` keyword (:func:`write_out`)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        return result if out is None else write_out(fn.__name__, result, out)
    return wrapper


def _check_no_overlap(a: np.ndarray, name: str) -> None:
    """PyTorch's rule for writing in place: not into memory that several elements share (an
    expanded dim, stride 0), nor into read-only memory."""
    if not a.flags.writeable or (0 in a.strides and    # (the common case asks no more)
                                 any(st == 0 and n > 1 for st, n in zip(a.strides, a.shape))):
        raise RuntimeError(f"{name}: unsupported operation: more than one element of the "
                           "written-to tensor refers to a single memory location. Please "
                           "clone() the tensor before performing the operation.")


def _inplace_twin(name: str) -> Callable:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return self._inplace(name + "_", lambda s: getattr(s, name)(*args, **kwargs), *args,
                             *kwargs.values())

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = (f"``x.{name}_(...)`` writes ``x.{name}(...)`` into ``x`` (in place, "
                      "recorded in the graph as PyTorch does).")
    return method


# the in-place twins of out-of-place methods (the others are written out above)
for _name in (*TENSOR_METHODS, "relu", "neg", "abs", "clamp_min", "clamp_max", "sign", "floor",
              "ceil", "round", "trunc", "frac", "reciprocal", "square", "addcmul", "addcdiv",
              "lerp", "hypot", "atan2", "index_fill", "index_add", "scatter", "scatter_add",
              "tril", "triu", "nan_to_num", "logaddexp", "floor_divide", "remainder", "fmod",
              "copysign", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
              "bitwise_left_shift", "bitwise_right_shift", "scatter_reduce", "logical_not",
              "logical_and", "logical_or", "logical_xor", "true_divide",
              "sgn", "absolute", "negative", "subtract", "multiply", "divide", "eq", "ne", "lt",
              "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
              "lgamma", "digamma", "polygamma", "mvlgamma", "erfinv", "erfc", "logit", "sinc",
              "i0", "deg2rad", "rad2deg", "fix", "float_power", "heaviside", "nextafter",
              "ldexp", "gcd", "lcm", "arccos", "arcsin", "arctan", "arccosh", "arcsinh",
              "arctanh", "arctan2", "cumsum", "cumprod", "renorm", "xlogy", "addmm", "baddbmm",
              "addmv", "addr", "addbmm"):
    if not hasattr(InPlaceMixin, _name + "_"):
        setattr(InPlaceMixin, _name + "_", _inplace_twin(_name))
del _name
