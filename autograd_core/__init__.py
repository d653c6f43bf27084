"""autograd-core: reverse-mode automatic differentiation with a small PyTorch on top.

>>> import autograd_core as ag
>>> x = ag.tensor([1.0, 2.0], requires_grad=True)
>>> (x ** 2).sum().backward()
>>> x.grad
tensor([2., 4.])
"""
from __future__ import annotations

import inspect as _inspect
import math
from typing import Any

import numpy as _np


def _source_checkout() -> None:
    """In a source checkout (the repository's root on ``sys.path``), ``autograd_core.nn`` and
    ``autograd_core.optim`` are the repository's ``nn/`` and ``optim/`` folders beside this
    package, as pyproject.toml's package-dir installs them. Without this they would not be
    found at all, or an editable install of another checkout would answer for them."""
    import importlib.abc
    import importlib.machinery
    import os
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not os.path.isfile(os.path.join(root, "pyproject.toml")):
        return  # installed: site-packages holds autograd_core/nn and autograd_core/optim
    folders = {f"autograd_core.{name}" for name in ("nn", "optim")
               if os.path.isfile(os.path.join(root, name, "__init__.py"))}

    class SourceCheckoutFinder(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname, path=None, target=None):
            if fullname not in folders:
                return None
            return importlib.machinery.PathFinder.find_spec(fullname, [root])

    if not any(type(f).__name__ == "SourceCheckoutFinder" for f in sys.meta_path):
        sys.meta_path.insert(0, SourceCheckoutFinder())


_source_checkout()

from . import allocator  # noqa: E402
from .device import device
from . import accelerator, amp, backends, compiler, cpu, cuda, version
from .amp import autocast
from .backends import (are_deterministic_algorithms_enabled, get_float32_matmul_precision,
                       is_deterministic_algorithms_warn_only_enabled, set_float32_matmul_precision,
                       use_deterministic_algorithms)
from .compile import compile
from .autograd import (Function, backward, enable_grad, grad, inference_mode, is_grad_enabled,
                       is_inference_mode_enabled, no_grad, set_grad_enabled)
from .tensor import (Tensor, cat, cdist, concat, concatenate, hstack, meshgrid, row_stack, stack,
                     std_mean, var_mean, vstack, where)
from .tensor.args import numpy_names as _numpy_names
from .tensor.creation import (arange, as_tensor, empty, empty_like, empty_strided, eye,
                              from_numpy, full, full_like, linspace, ones, ones_like, tensor,
                              zeros, zeros_like)
from .tensor.printing import get_printoptions, set_printoptions
from .tensor.inplace import out_option as _out_option, write_out as _write_out
from .tensor.size import Size
from .tensor.layout import (channels_last, channels_last_3d, contiguous_format, layout,
                            memory_format, preserve_format, sparse_coo, strided)
from .tensor.sparse import sparse_coo_tensor
from .tensor.bins import bucketize, histc, searchsorted
from .tensor.legacy import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor,
                            HalfTensor, IntTensor, LongTensor, ShortTensor,
                            set_default_tensor_type, typename)
from .tensor.dtypes import (bfloat16, bool_, double, dtype, float, float16, float32, float64, get_default_dtype,
                            half, int8, int16, int32, int64, long, set_default_dtype, short, uint8)
from .dtype_info import finfo, iinfo
from .autograd.anomaly_mode import (is_anomaly_check_nan_enabled, is_anomaly_enabled,
                                    set_anomaly_enabled)
from .tensor.movement import (atleast_1d, atleast_2d, atleast_3d, block_diag, broadcast_shapes,
                              broadcast_tensors, cartesian_prod, chain_matmul, column_stack,
                              combinations, dstack, expand_copy, pdist, tensordot, tril_indices,
                              triu_indices, unravel_index, vander)
from .random import Generator, default_generator, initial_seed, manual_seed, seed
from .tensor.random import rand, rand_like, randint, randn, randn_like, randperm
from .tensor.random import get_rng_state, logspace, normal, poisson, randint_like, set_rng_state
from .tensor.statistics import (bincount, corrcoef, cov, cumulative_trapezoid, histogram, isin,
                                trapezoid, trapz)
from .value import Value
from .ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .ops.pool import avg_pool2d, max_pool2d
from .ops.linalg import einsum
from . import linalg, random
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from . import autograd  # noqa: F401  (ag.autograd.grad, as torch.autograd.grad)
from .serialization import load, save
from . import special
from . import sparse
from .sparse import spmm
from . import profiler
from .special import polygamma, xlogy

allocator.configure()  # keep freed arrays' memory between steps (glibc; see allocator.py)

import warnings as _warnings  # noqa: E402

# log(0) = -inf, 1/0 = inf and sqrt(-1) = nan are results, as in PyTorch, which is silent;
# NumPy would warn from inside our ops. Only warnings raised in this library's own modules
# are dropped (`warnings.filterwarnings("default", module="autograd_core")` brings them back).
_warnings.filterwarnings("ignore", r"(divide by zero|invalid value|overflow) encountered",
                         RuntimeWarning, r"(autograd_core|nn|optim)\.")

bool = bool_  # noqa: A001  (PyTorch's name: autograd_core.bool)


# binary functions that, as PyTorch's, take a number first: the reflected operator
_NUMBER_FIRST = {"remainder": "__rmod__", "bitwise_and": "__rand__", "bitwise_or": "__ror__",
                 "bitwise_xor": "__rxor__", "bitwise_left_shift": "__rlshift__",
                 "bitwise_right_shift": "__rrshift__"}


def _method(name: str):
    meth = getattr(Tensor, name)

    def fn(input: Tensor, *args, out=None, **kwargs):
        if out is not None:
            # a method with its own ``out=`` (quantile's) checks it itself
            if "out" in _inspect.signature(meth).parameters:
                kwargs["out"] = out
            else:
                return _write_out(name, fn(input, *args, **kwargs), out)
        if not isinstance(input, Tensor):
            if name in _NUMBER_FIRST and len(args) == 1 and isinstance(args[0], Tensor):
                return getattr(args[0], _NUMBER_FIRST[name])(input)
            raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
        if input.is_sparse:   # a sparse tensor's own method (or its NotImplementedError)
            return getattr(input, name)(*args, **kwargs)
        return meth(input, *args, **kwargs)

    fn.__name__ = name
    fn.__doc__ = f"Function form of ``Tensor.{name}``."
    return fn


from .ops import TENSOR_METHODS as _TENSOR_METHODS  # noqa: E402

for _name in (*_TENSOR_METHODS, "relu", "abs", "square", "clamp", "clip", "maximum", "minimum", "sum", "mean", "var", "std",
              "prod", "max", "min", "amax", "amin", "argmax", "argmin", "logsumexp", "softmax",
              "log_softmax", "matmul", "mm", "bmm", "dot", "reshape", "flatten", "unflatten",
              "permute", "transpose", "swapaxes", "t", "squeeze", "unsqueeze", "split", "chunk",
              "unbind", "narrow", "select", "gather", "masked_fill", "isnan", "isfinite", "sign",
              "allclose", "equal", "all", "any", "neg", "add", "sub", "mul", "div", "pow",
              "logical_not", "clone", "detach", "numel", "sum_to_size",
              "tril", "triu", "cumsum", "cumprod", "flip", "roll", "norm", "index_select", "sort",
              "argsort", "topk", "outer", "ger", "diag", "atan2", "arctan2", "clamp_min",
              "clamp_max", "masked_select", "scatter", "scatter_add", "addmm", "baddbmm",
              "bernoulli", "multinomial", "unique",
              # tensor_more_ops.py
              "round", "floor", "ceil", "trunc", "fix", "frac", "reciprocal",
              "hypot", "logaddexp", "lerp", "addcmul", "addcdiv",
              "nan_to_num", "isinf", "isposinf", "isneginf", "logical_and", "logical_or",
              "logical_xor", "is_floating_point", "movedim", "moveaxis", "diagonal", "trace",
              "mv", "tile", "diff", "index_add", "index_fill", "nonzero", "argwhere",
              "count_nonzero", "isclose", "median",
              "cummax", "cummin", "logcumsumexp", "copysign", "fmod", "remainder",
              "floor_divide", "true_divide", "scatter_reduce", "bitwise_and", "bitwise_or",
              "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift",
              "kthvalue", "mode", "nansum", "nanmean", "aminmax", "quantile", "nanquantile",
              "eq", "ne", "lt", "le", "gt", "ge", "broadcast_to", "take_along_dim", "ravel",
              "as_strided", "tensor_split", "hsplit", "vsplit", "dsplit", "narrow_copy",
              "real", "imag", "is_complex",
              "fliplr", "flipud", "rot90", "diag_embed", "diagflat", "swapdims", "kron", "inner",
              "vdot", "cross", "addmv", "addr", "addbmm", "dist", "take", "index_copy",
              "index_put", "masked_scatter", "diagonal_scatter", "select_scatter",
              "slice_scatter", "is_nonzero",
              "inverse", "det", "logdet", "slogdet", "cholesky", "cholesky_solve",
              "cholesky_inverse", "qr", "svd", "pinverse", "matrix_power", "matrix_exp",
              "triangular_solve",
              "lgamma", "digamma", "mvlgamma", "erfc", "erfinv", "i0", "logit", "sinc", "sgn",
              "signbit", "deg2rad", "rad2deg", "float_power", "fmax", "fmin", "heaviside",
              "logaddexp2", "nextafter", "ldexp", "frexp", "gcd", "lcm", "positive", "conj",
              "resolve_conj", "resolve_neg", "conj_physical", "is_conj", "isreal", "arccos",
              "arcsin", "arctan", "arccosh", "arcsinh", "arctanh", "absolute", "greater",
              "greater_equal", "less", "less_equal", "not_equal", "msort", "nanmedian",
              "unique_consecutive", "renorm"):
    globals()[_name] = _method(_name)
del _name


@_numpy_names
def repeat_interleave(input: Tensor, repeats: "Tensor | int | None" = None, dim: "int | None" = None,
                      *, output_size: "int | None" = None) -> Tensor:
    """Repeat each element of ``input`` ``repeats`` times along ``dim`` (flattened if None);
    with only a 1-D int tensor ``r``, ``arange(len(r))`` with ``r[i]`` copies of ``i``.

    >>> import autograd_core as ag
    >>> ag.repeat_interleave(ag.tensor([2, 1]))
    tensor([0, 0, 1])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"repeat_interleave(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if repeats is None:
        if input.ndim != 1 or input.dtype.kind not in "iu":
            raise ValueError(f"repeat_interleave: repeats must be a 1-D int tensor, got shape "
                             f"{input.shape} and dtype {input.dtype}")
        return arange(input.shape[0]).repeat_interleave(input, 0, output_size=output_size)
    return input.repeat_interleave(repeats, dim, output_size=output_size)


# the functions of ``torch`` that are those of ``torch.nn.functional`` with the same
# arguments, loaded from the layers above when first asked for (the core imports no nn)
_FUNCTIONAL = ("dropout", "alpha_dropout", "feature_alpha_dropout", "layer_norm", "group_norm",
               "rms_norm", "cosine_similarity", "pairwise_distance", "pixel_shuffle",
               "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle", "prelu", "selu",
               "celu", "rrelu", "threshold", "hardshrink", "bilinear", "conv3d",
               "conv_transpose3d", "max_pool1d", "max_pool3d", "avg_pool1d",
               "adaptive_avg_pool1d", "adaptive_max_pool1d")


def _functional() -> Any:
    """``torch.nn.functional``, imported when a ``torch.*`` name that is one of its
    functions is first used (as ``ag.nn`` itself, in ``__getattr__`` below)."""
    import importlib
    return importlib.import_module("autograd_core.nn.functional")


pi = math.pi
e = math.e
inf = math.inf
nan = math.nan
newaxis = None


def embedding(weight: Tensor, indices: Tensor, padding_idx: "builtins.int" = -1,
              scale_grad_by_freq: "builtins.bool" = False, sparse: "builtins.bool" = False) -> Tensor:
    """``torch.embedding(weight, indices)``: the rows of ``weight`` at ``indices`` (the
    arguments of ``F.embedding`` the other way round; ``padding_idx=-1`` is none).

    >>> import autograd_core as ag
    >>> ag.embedding(ag.eye(3), ag.tensor([2, 0])).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    F = _functional()
    return F.embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                       scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def asarray(obj: Any, *, dtype: Any = None, device: Any = None, copy: "builtins.bool | None" = None,
            requires_grad: "builtins.bool" = False) -> Tensor:
    """A tensor of ``obj``, sharing its memory where it can (a tensor or a NumPy array of
    the asked dtype, unless ``copy=True``), as ``torch.asarray``.

    >>> import numpy as np, autograd_core as ag
    >>> a = np.zeros(2, np.float32)
    >>> t = ag.asarray(a); t[0] = 1.0
    >>> a.tolist(), ag.asarray([1, 2]).dtype
    ([1.0, 0.0], dtype('int64'))
    """
    from .device import check as _check_device
    _check_device(device)
    if isinstance(obj, Tensor):
        out = obj if dtype is None else obj.to(dtype)
        if copy and out is obj:
            out = obj.detach().clone()
        elif copy is False and out is not obj:
            raise ValueError("asarray: copy=False was asked but the dtype change needs a copy")
    elif isinstance(obj, _np.ndarray) and copy is not True:
        arr = obj if dtype is None else obj.astype(dtype, copy=False)
        if copy is False and arr is not obj:
            raise ValueError("asarray: copy=False was asked but the dtype change needs a copy")
        out = from_numpy(arr)
    else:
        out = tensor(obj, dtype=dtype)
    if requires_grad:
        out.requires_grad_(True)
    return out


def get_default_device() -> device:
    """The CPU: the one device tensors are made on here."""
    return device("cpu")


def set_default_device(dev: Any) -> None:
    """Accepts the CPU (and None); another device raises PyTorch's CPU-only error."""
    from .device import check as _check_device
    _check_device(dev)


# PyTorch's ``out=`` on the functions defined on their own (the Tensor-method forms above
# take it in ``_method``)
for _name in ("cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack",
              "column_stack", "dstack", "where", "einsum", "cdist", "tensordot"):
    globals()[_name] = _out_option(globals()[_name])
del _name

negative = globals()["neg"]
subtract = globals()["sub"]
multiply = globals()["mul"]
divide = globals()["div"]


def is_tensor(obj: object) -> "builtins.bool":
    return isinstance(obj, Tensor)


def get_num_threads() -> int:
    """Threads the library's own kernels split work over (``kernels.threads``).

    >>> import autograd_core as ag
    >>> ag.get_num_threads() >= 1
    True
    """
    from .kernels import threads
    return threads.get_num_threads()


def set_num_threads(n: int) -> None:
    """Use ``n`` threads in the library's own kernels (1 turns their splitting off) and
    at most ``n`` in NumPy's BLAS, as ``torch.set_num_threads`` does for PyTorch's.

    >>> import autograd_core as ag
    >>> ag.set_num_threads(ag.get_num_threads())
    """
    from .kernels import threads
    threads.set_num_threads(n)


_LAZY = {  # pictures and explanations load graphviz only when first used
    "draw_graph": "autograd_core.viz",
    "record_modules": "autograd_core.viz",
    "explain": "autograd_core.explain",
    "vmap": "autograd_core.func",   # torch.vmap is torch.func.vmap
}


def __getattr__(name: str):
    if name in _FUNCTIONAL:
        fn = getattr(_functional(), name)
        globals()[name] = fn
        return fn
    if name == "GradScaler":   # torch.GradScaler is torch.amp.GradScaler
        return amp.GradScaler
    if name in _LAZY:
        import importlib
        fn = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = fn  # the function, not the submodule of the same name
        return fn
    # `import autograd_core as torch; torch.nn.Linear(...)` ports PyTorch scripts.
    # Imported lazily, so the core never imports the layers above it (nor pays for them).
    if name in ("nn", "optim", "kernels", "data", "utils", "onnx", "safetensors", "distributions",
                "multiprocessing", "func", "distributed", "jit", "testing"):
        import importlib
        return importlib.import_module(f"autograd_core.{name}")
    raise AttributeError(f"module 'autograd_core' has no attribute {name!r}", name=name,
                         obj=_sys.modules[__name__])


import builtins  # noqa: E402
import sys as _sys  # noqa: E402

__version__ = "0.1.0"


# ``torch.range`` (deprecated, inclusive end) shadows the builtin ``range`` in this module's
# namespace, so it is bound last.
from .tensor.random import range  # noqa: E402,A004
# ``torch.int`` (int32) shadows the builtin ``int`` likewise.
int = int32  # noqa: E402,A001
