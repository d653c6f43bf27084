"""Lazy ``numba.njit``: nothing is imported or compiled until a kernel is first called.

Importing numba costs about 0.25 s here and compiling a kernel about a second, so
``import autograd_core.kernels`` must do neither. ``@lazy_njit(...)`` keeps the plain
Python function and applies ``numba.njit(cache=True, ...)`` on the first call; with a
warm on-disk cache that first call only loads machine code.

Kernels are defined in their modules as ``@lazy_njit(nogil=True)`` over a plain function
(a function typed into a REPL or a doctest cannot be cached, having no source file):

>>> import numpy as np
>>> from autograd_core.kernels.pool import _max_bwd      # a @lazy_njit kernel
>>> dx = np.empty((1, 3))
>>> _max_bwd(np.ones((1, 2)), np.array([[0, 2]]), 0, 1, dx)
>>> dx.tolist()
[[1.0, 0.0, 1.0]]

A step several kernels share is a ``@lazy_inline`` helper: a kernel that calls it is
compiled with the helper's compiled form in its place, inlined into the kernel's own code
(``inline="always"``), so a helper costs no call in an inner loop.
"""
from __future__ import annotations

import importlib.util
import threading
import types
from typing import Any, Callable

_AVAILABLE: bool | None = None
_COMPILE_LOCK = threading.RLock()  # a kernel compiles the helpers it calls
KERNELS: list["LazyKernel"] = []


def numba_available() -> bool:
    """True when numba can be imported (checked without importing it)."""
    global _AVAILABLE
    if _AVAILABLE is None:
        _AVAILABLE = importlib.util.find_spec("numba") is not None
    return _AVAILABLE


class LazyKernel:
    """A Python function that becomes ``numba.njit(cache=True, **options)`` on first call."""

    def __init__(self, py_func: Callable, options: dict[str, Any], kernel: bool = True):
        self.py_func = py_func
        self.options = options
        self._dispatcher = None
        self.__name__ = py_func.__name__
        self.__qualname__ = py_func.__qualname__
        self.__module__ = py_func.__module__
        self.__doc__ = py_func.__doc__
        if kernel:  # helpers (``lazy_inline``) are compiled into the kernels, not on their own
            KERNELS.append(self)

    def __call__(self, *args):
        d = self._dispatcher
        if d is None:
            d = self.compile()
        return d(*args)

    def compile(self):
        """Import numba and wrap the function (compilation itself happens per signature on call)."""
        with _COMPILE_LOCK:
            if self._dispatcher is not None:
                return self._dispatcher
            if not numba_available():
                raise RuntimeError(f"kernel {self.__name__}: the numba backend needs numba "
                                   "(pip install numba), or use set_backend('numpy')")
            from . import threads
            threads.configure()  # before Numba starts any thread of its own
            import numba
            self._dispatcher = numba.njit(cache=True, **self.options)(self._with_helpers())
            return self._dispatcher

    def _with_helpers(self) -> Callable:
        """``py_func``, seeing each ``LazyKernel`` it names as its Numba dispatcher (Numba
        can call those, not a ``LazyKernel``)."""
        fn = self.py_func
        helpers = {name: h.compile() for name in fn.__code__.co_names
                   if isinstance(h := fn.__globals__.get(name), LazyKernel)}
        if not helpers:
            return fn
        clone = types.FunctionType(fn.__code__, {**fn.__globals__, **helpers}, fn.__name__,
                                   fn.__defaults__, fn.__closure__)
        clone.__qualname__, clone.__module__ = fn.__qualname__, fn.__module__
        return clone

    @property
    def signatures(self) -> list:
        """Signatures compiled or loaded from the cache so far in this process."""
        return [] if self._dispatcher is None else list(self._dispatcher.signatures)


def lazy_njit(**options: Any) -> Callable[[Callable], LazyKernel]:
    """Decorator: ``@lazy_njit(nogil=True)`` is ``@numba.njit(cache=True, nogil=True)``, applied lazily."""
    def wrap(fn: Callable) -> LazyKernel:
        return LazyKernel(fn, options)
    return wrap


def lazy_callee(**options: Any) -> Callable[[Callable], LazyKernel]:
    """Decorator: a helper of the kernels that they call rather than inline, so that it
    keeps options of its own, ``@lazy_callee(fastmath={"reassoc"})`` for a sum that
    vectorises, where that flag on the kernel would let LLVM reorder all its arithmetic.
    Compiled when a kernel that calls it compiles; not a kernel itself.

    >>> @lazy_callee(fastmath={"reassoc"})
    ... def _total(x):
    ...     return x.sum()
    >>> _total.__name__
    '_total'
    """
    def wrap(fn: Callable) -> LazyKernel:
        return LazyKernel(fn, options, kernel=False)
    return wrap


class _LazyIntrinsic(LazyKernel):
    """A function only Numba's compiler calls (an ``@intrinsic``, LLVM IR that a kernel
    inlines, or a stub with an ``@overload``), built by ``factory()`` when a kernel that
    names it compiles: the factory imports Numba and llvmlite."""

    def __init__(self, factory: Callable[[], Any]):
        super().__init__(factory, {}, kernel=False)

    def compile(self):
        with _COMPILE_LOCK:
            if self._dispatcher is None:
                self._dispatcher = self.py_func()
            return self._dispatcher


def lazy_intrinsic(factory: Callable[[], Any]) -> LazyKernel:
    """Decorator: ``factory()`` returns a Numba ``@intrinsic`` (or a stub function with an
    ``@overload``); kernels that name the decorated function see what it returns, built on
    their first compilation (both are typed and emitted by Numba's compiler only, so they
    cannot be called from Python).

    >>> @lazy_intrinsic
    ... def _identity():
    ...     from numba.extending import intrinsic
    ...     @intrinsic
    ...     def identity(typingctx, x):
    ...         return x(x), lambda context, builder, sig, args: args[0]
    ...     return identity
    >>> _identity.__name__
    '_identity'
    """
    return _LazyIntrinsic(factory)


def lazy_inline(fn: Callable) -> LazyKernel:
    """Decorator: a helper of the kernels, ``numba.njit(inline="always")`` when a kernel
    that calls it compiles (not a kernel itself: not in ``KERNELS``).

    >>> @lazy_inline
    ... def _twice(x):
    ...     return 2 * x
    >>> _twice.__name__
    '_twice'
    """
    return LazyKernel(fn, {"inline": "always"}, kernel=False)
