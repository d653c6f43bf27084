"""The unpickler of ``load(..., weights_only=True)``, and the allowlist it obeys.

Unpickling calls functions the file names; this unpickler calls only those on an explicit
allowlist, as PyTorch's ``weights_only`` one does. It is a subclass of the pure-Python
``pickle._Unpickler`` whose every opcode that reaches code is checked, not only the names
(``find_class``):

* GLOBAL/STACK_GLOBAL (``find_class``): a name resolves only if allowed, else
  :class:`WeightsOnlyUnpicklingError` naming it and how to allow it. Modules ``sys``,
  ``os``, ``posix`` and ``nt`` are never allowed, even when allowlisted (PyTorch's rule).
* REDUCE, INST, OBJ (calls): only the allowed functions and classes below, and globals the
  caller allowlisted; never an object built from the file.
* NEWOBJ (``cls.__new__``): our ``nn.Module`` subclasses (no arguments), ``Parameter``,
  classes the caller allowlisted.
* BUILD (setting state): OrderedDict attributes, NumPy arrays and dtypes (checked),
  instances of our modules and of allowlisted classes.
* APPEND(S), SETITEM(S), ADDITEMS: plain lists, dicts (dict, OrderedDict, Counter), sets.
* persistent ids: storages only.

Allowed by default, and why:

* PyTorch's tensor rebuild functions (``torch._utils._rebuild_tensor_v2``, ...), storage
  classes (``torch.FloatStorage``, ...), dtypes (``torch.float32``, ...), ``torch.Size``,
  ``torch.device``, ``torch.Tensor``, ``torch.nn.parameter.Parameter``: the names
  ``torch.save`` writes for tensors, mapped to this library's functions, which build
  Tensors from storages and check every size. Nothing of torch is imported.
* ``collections.OrderedDict``, ``collections.Counter``, ``builtins.set``,
  ``builtins.complex``, ``builtins.bytearray``, ``_codecs.encode``: containers and how
  protocol 2 spells bytes: PyTorch's default list (frozenset and slice are not on it).
  Also ``builtins.bytes``, which protocol 2 writes for ``b''`` (PyTorch refuses it; ``save``
  writes ``b''`` as ``_codecs.encode`` instead). Those that could allocate from a count
  (``bytearray(10**12)``) are replaced by checking stand-ins (:mod:`.checked_globals`).
* NumPy arrays, scalars and dtypes (``numpy.core.multiarray._reconstruct``,
  ``numpy.core.multiarray.scalar``, ``numpy.core.numeric._frombuffer``, ``numpy.dtype``,
  also under ``numpy._core``): NumPy is this library's array type. PyTorch refuses them by
  default; here they are rebuilt by checking stand-ins: numeric, bool and string dtypes
  only (no object arrays, which would unpickle their items), data of exactly the declared
  size, never changing a dtype NumPy shares.
* This library's ``nn.Module`` subclasses (built with ``__new__`` and their
  ``__setstate__``, never called with arguments) and the functions of ``nn.functional``
  (as values only: layers keep ``F.relu`` as their activation), so that
  ``load(save(model))`` works. A user's own Module subclass must be allowlisted, as in
  PyTorch.

Anything else needs ``add_safe_globals([...])`` or the ``safe_globals([...])`` context.
"""
from __future__ import annotations

import _compat_pickle
import importlib
import os
import pickle
import re
import types
from collections import Counter, OrderedDict
from typing import Any, Callable, Dict, List, Tuple, Union

import numpy as np

from ..tensor import Tensor
from .checked_globals import (FILLED_BY_BUILD, NUMPY_GLOBALS, bytearray_, bytes_, encode,
                              np_array_setstate, np_dtype, np_dtype_setstate, torch_device,
                              torch_size)
from .errors import Refused, WeightsOnlyUnpicklingError, describe
from .tensors import (STORAGE_TYPES, TORCH_DTYPES, UNSUPPORTED_DTYPES, UNTYPED_STORAGE,
                      TensorReader, UnsupportedDtype, _library_nn, library_parameter_class)

__all__ = ["add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals",
           "WeightsOnlyUnpickler", "trusted_unpickler", "library_parameter_class"]

# Modules nothing is ever taken from, allowlisted or not (PyTorch's list).
BLOCKED_MODULES = ("sys", "os", "posix", "nt")

SafeGlobal = Union[Callable[..., Any], Tuple[Callable[..., Any], str]]
_user_globals: set = set()


# ------------------------------------------------------------ the caller's allowlist
def _check_safe_globals(safe_globals: Any) -> List[SafeGlobal]:
    if isinstance(safe_globals, (str, bytes)) or not isinstance(safe_globals,
                                                                (list, tuple, set)):
        raise TypeError(f"safe_globals must be a list of classes or functions (or "
                        f"(global, 'module.name') tuples), got {type(safe_globals).__name__}")
    for g in safe_globals:
        if isinstance(g, tuple):
            if len(g) != 2:
                raise ValueError("Expected tuple of length 2 (global, str of callable full "
                                 f"path), but got tuple of length: {len(g)}")
            if type(g[1]) is not str:
                raise TypeError("Expected second item in tuple to be str of callable full "
                                f"path, but got: {type(g[1])}")
        elif not (isinstance(getattr(g, "__module__", None), str)
                  and isinstance(getattr(g, "__qualname__", None), str)):
            raise TypeError(f"safe_globals: expected classes or functions (or (global, "
                            f"'module.name') tuples), got {type(g).__name__} {g!r}"[:300])
    return list(safe_globals)


def add_safe_globals(safe_globals: List[SafeGlobal]) -> None:
    """Allow ``load(..., weights_only=True)`` to use these classes and functions: a file
    may then call them, create instances and set their state, as PyTorch's
    ``torch.serialization.add_safe_globals``. Each item is a class or function (named in
    files ``{__module__}.{__qualname__}``) or a ``(global, "module.name")`` tuple for a
    global that files name otherwise.

    >>> from autograd_core.serialization import (add_safe_globals, clear_safe_globals,
    ...                                          get_safe_globals)
    >>> class Config:
    ...     pass
    >>> add_safe_globals([Config])
    >>> Config in get_safe_globals()
    True
    >>> clear_safe_globals()
    """
    global _user_globals
    _user_globals = _user_globals | set(_check_safe_globals(safe_globals))


def get_safe_globals() -> List[SafeGlobal]:
    """The globals the caller allowed with :func:`add_safe_globals` (not the defaults).

    >>> from autograd_core.serialization import get_safe_globals
    >>> get_safe_globals()
    []
    """
    return list(_user_globals)


def clear_safe_globals() -> None:
    """Forget every global added with :func:`add_safe_globals`.

    >>> from autograd_core.serialization import clear_safe_globals, get_safe_globals
    >>> clear_safe_globals(); get_safe_globals()
    []
    """
    global _user_globals
    _user_globals = set()


class safe_globals:
    """Within the ``with`` block, also allow these globals (as :func:`add_safe_globals`);
    they are removed on exit.

    >>> import collections
    >>> from autograd_core.serialization import get_safe_globals, safe_globals
    >>> with safe_globals([collections.deque]):
    ...     collections.deque in get_safe_globals()
    True
    >>> get_safe_globals()
    []
    """

    def __init__(self, safe_globals: List[SafeGlobal]) -> None:
        self.safe_globals = _check_safe_globals(safe_globals)

    def __enter__(self) -> None:
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc: Any) -> None:
        global _user_globals
        _user_globals = _user_globals - set(self.safe_globals)


def _user_allowed() -> Dict[str, Any]:
    rc: Dict[str, Any] = {}
    for g in _user_globals:
        if isinstance(g, tuple):
            rc[g[1]] = g[0]
        else:
            rc[f"{g.__module__}.{g.__qualname__}"] = g
    return rc


# ------------------------------------------------------------------- this library
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def library_global(module: str, name: str) -> Tuple[Any, str]:
    """``(object, kind)`` for an allowed global of this library: kind ``'module'`` for an
    ``nn.Module`` subclass defined in ``nn``, ``'function'`` for a function of
    ``nn.functional``; ``(None, '')`` otherwise. A name whose module has moved since the
    file was written (nn's layout changed) is looked up by its name in ``nn`` (or
    ``nn.functional``)."""
    parts = module.split(".")
    # identifiers only, and no dunder module (nn.__main__ would run a script on import)
    if parts[:2] != ["autograd_core", "nn"] or not all(
            _IDENT.fullmatch(p) and not p.startswith("__") for p in parts) \
            or not _IDENT.fullmatch(name):
        return None, ""
    nn = _library_nn()
    if nn is None:
        return None, ""
    functional = len(parts) > 2 and parts[2] == "functional"
    obj = None
    try:
        obj = getattr(importlib.import_module(module), name, None)  # our own modules only
    except ImportError:
        pass
    if obj is None:
        obj = getattr(getattr(nn, "functional", None) if functional else nn, name, None)
    if isinstance(obj, type) and issubclass(obj, nn.Module) \
            and obj.__module__.split(".")[:2] == ["autograd_core", "nn"] \
            and obj.__qualname__ == name:
        return obj, "module"
    if functional and isinstance(obj, types.FunctionType) \
            and obj.__module__.split(".")[:3] == ["autograd_core", "nn", "functional"]:
        return obj, "function"
    return None, ""


def default_globals(reader: TensorReader) -> Tuple[Dict[str, Any], Dict[int, Any]]:
    """``({name: object}, {id: callable})``: the globals allowed by default for one load
    (the rebuild functions are ``reader``'s), and those a file may call."""
    names: Dict[str, Any] = {
        "collections.OrderedDict": OrderedDict, "collections.Counter": Counter,
        "builtins.set": set, "builtins.complex": complex, "builtins.bytearray": bytearray_,
        "builtins.bytes": bytes_,
        "_codecs.encode": encode, "torch.Size": torch_size, "torch.device": torch_device,
        "torch.Tensor": Tensor, "numpy.dtype": np_dtype, "numpy.ndarray": np.ndarray,
        **NUMPY_GLOBALS, **reader.functions()}
    callables = {id(f): f for f in names.values()
                 if f not in (Tensor, np.ndarray)}  # named as values, never called
    for n, t in STORAGE_TYPES.items():
        names[f"torch.{n}"] = t
    names["torch.storage.UntypedStorage"] = names["torch.UntypedStorage"] = UNTYPED_STORAGE
    for n, d in TORCH_DTYPES.items():
        names[f"torch.{n}"] = d
    for n in UNSUPPORTED_DTYPES:
        names[f"torch.{n}"] = UnsupportedDtype(n)
    return names, callables


def _refuse(name: str, message: str) -> WeightsOnlyUnpicklingError:
    return WeightsOnlyUnpicklingError(
        f"load: {name}: weights only load failed: {message}. If you trust this file (all of "
        "it: loading with weights_only=False can run arbitrary code), load it with "
        "weights_only=False.")


def _display(full: str) -> str:
    """How a global is spelled in an allowlist hint: builtins without their module."""
    return full[len("builtins."):] if full.startswith("builtins.") else full


# ------------------------------------------------------------------ the unpickler
_P = pickle


class WeightsOnlyUnpickler(pickle._Unpickler):  # type: ignore[misc,name-defined]
    """Unpickles only what the allowlist allows (see the module's docstring).

    ``name`` names the file in errors; ``persistent_load(pid)`` loads storages."""

    dispatch = pickle._Unpickler.dispatch.copy()  # type: ignore[attr-defined]

    def __init__(self, file: Any, *, name: str, reader: TensorReader,
                 persistent_load: Callable[[Any], Any], encoding: str = "utf-8") -> None:
        super().__init__(file, encoding=encoding)
        self._name = name
        self._globals, self._callables = default_globals(reader)
        self._persistent = persistent_load
        self._new_ok: Dict[int, Any] = {}    # classes NEWOBJ may create (found by find_class)
        self._build_ok: Dict[int, Any] = {}  # types BUILD may set the state of
        self._library: Dict[int, Any] = {}   # this library's module classes among them
        # NumPy arrays and dtypes made by this load, each filled by BUILD at most once: the
        # dtypes torch.float32 etc. load as are NumPy's shared ones, never to be changed
        self._unfilled: Dict[int, Any] = {}

    def persistent_load(self, pid: Any) -> Any:
        if type(pid) is not tuple or len(pid) < 1 or type(pid[0]) not in (str, bytes) \
                or pid[0] not in ("storage", b"storage"):
            raise Refused(f"Only persistent_load of storage is allowed, but got "
                          f"{describe(pid)}")
        return self._persistent(pid)

    def find_class(self, module: str, name: str) -> Any:
        if self.proto < 3 and self.fix_imports:  # protocol 2 spells Python 3's names as 2's
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            elif module in _compat_pickle.IMPORT_MAPPING:
                module = _compat_pickle.IMPORT_MAPPING[module]
        if type(module) is not str or type(name) is not str:
            raise pickle.UnpicklingError("a global's module and name must be strings")
        full = f"{module}.{name}"
        if any(module == m or module.startswith(m + ".") for m in BLOCKED_MODULES):
            raise _refuse(self._name, f"unsupported global: GLOBAL {full}, whose module "
                                      f"{module.split('.')[0]} is blocked: never allowed, "
                                      "not even when allowlisted")
        if full in self._globals:
            return self._globals[full]
        if full == "torch.nn.parameter.Parameter":
            return library_parameter_class()
        user = _user_allowed()
        if full in user:
            obj = user[full]
            self._callables[id(obj)] = obj
            if isinstance(obj, type):
                self._new_ok[id(obj)] = obj
                self._build_ok[id(obj)] = obj
            return obj
        obj, kind = library_global(module, name)
        if kind == "module":
            self._new_ok[id(obj)] = obj
            self._build_ok[id(obj)] = obj
            self._library[id(obj)] = obj
            return obj
        if kind == "function":
            return obj
        if module == "torch" or module.startswith("torch."):
            raise _refuse(self._name, (
                f"unsupported global: GLOBAL {full} is PyTorch's, for something autograd_core "
                "does not load: it reads dense tensors of the dtypes NumPy has, Parameters, "
                "dtypes, torch.Size and torch.device (not sparse, quantized, nested or "
                "subclassed tensors, nor PyTorch's modules: save their state_dict() instead)"))
        hint = _display(full)
        raise _refuse(self._name, (
            f"unsupported global: GLOBAL {hint} was not an allowed global by default. If "
            f"you trust this class/function, allowlist it: autograd_core.serialization."
            f"add_safe_globals([{hint}]) or the autograd_core.serialization.safe_globals("
            f"[{hint}]) context manager"))

    def _refuse_call(self, func: Any) -> None:
        raise _refuse(self._name, f"the file calls {describe(func)}, which is not an allowed "
                      "function (only PyTorch's tensor rebuild functions, containers and "
                      "globals allowlisted with add_safe_globals may be called)")

    # ---- opcodes that call code
    def load_reduce(self) -> None:
        stack = self.stack
        args = stack.pop()
        func = stack[-1]
        if self._callables.get(id(func)) is not func:
            self._refuse_call(func)
        if type(args) is not tuple:
            raise pickle.UnpicklingError("REDUCE arguments must be a tuple")
        result = stack[-1] = func(*args)
        if any(func is f for f in FILLED_BY_BUILD):
            self._unfilled[id(result)] = result
    dispatch[_P.REDUCE[0]] = load_reduce

    def _instantiate(self, klass: Any, args: Any) -> None:  # INST and OBJ
        if self._callables.get(id(klass)) is not klass:
            self._refuse_call(klass)
        self.append(klass(*args))

    def _new(self, cls: Any, args: Any, kwargs: Any) -> Any:
        if type(args) is not tuple or type(kwargs) is not dict:
            raise pickle.UnpicklingError("NEWOBJ arguments must be a tuple (and a dict)")
        if isinstance(cls, type) and issubclass(cls, Tensor) and \
                cls is library_parameter_class():
            return cls(*args, **kwargs)
        if self._new_ok.get(id(cls)) is not cls:
            raise _refuse(self._name, f"the file creates an object of {describe(cls)}; "
                          "only nn.Parameter, this library's nn.Module subclasses and classes "
                          "allowlisted with add_safe_globals may be created")
        if (args or kwargs) and self._callables.get(id(cls)) is not cls:
            raise _refuse(self._name, f"the file creates a {cls.__qualname__} with "
                                      "arguments; this library's modules are created without")
        return cls.__new__(cls, *args, **kwargs)

    def load_newobj(self) -> None:
        args = self.stack.pop()
        cls = self.stack.pop()
        self.append(self._new(cls, args, {}))
    dispatch[_P.NEWOBJ[0]] = load_newobj

    def load_newobj_ex(self) -> None:
        kwargs = self.stack.pop()
        args = self.stack.pop()
        cls = self.stack.pop()
        self.append(self._new(cls, args, kwargs))
    dispatch[_P.NEWOBJ_EX[0]] = load_newobj_ex

    def load_build(self) -> None:
        state = self.stack.pop()
        inst = self.stack[-1]
        kind = type(inst)
        if kind is OrderedDict:  # a state dict's _metadata attribute
            if not (isinstance(state, dict) and all(type(k) is str for k in state)):
                raise Refused("an OrderedDict's state must be a dict of attributes")
            inst.__dict__.update(state)
        elif isinstance(inst, (np.ndarray, np.dtype)):
            if self._unfilled.pop(id(inst), None) is not inst:
                raise Refused("BUILD on a NumPy object this load did not make or already "
                              "filled")
            if kind is np.ndarray:
                np_array_setstate(inst, state)
            else:
                np_dtype_setstate(inst, state)
        elif self._build_ok.get(id(kind)) is kind:
            if self._library.get(id(kind)) is kind and not (
                    type(state) is dict and all(type(k) is str for k in state)):
                raise Refused(f"the state of a {kind.__qualname__} must be a dict of "
                              f"attributes, got {describe(state)}")
            setstate = getattr(inst, "__setstate__", None)
            if setstate is not None:
                setstate(state)
                return
            slotstate = None
            if isinstance(state, tuple) and len(state) == 2:
                state, slotstate = state
            if state:
                inst.__dict__.update(state)
            if slotstate:
                for k, v in slotstate.items():
                    setattr(inst, k, v)
        else:
            raise _refuse(self._name, f"the file sets the state of a {kind.__qualname__}; "
                          "only OrderedDicts, NumPy arrays, this library's modules and "
                          "classes allowlisted with add_safe_globals may have state set")
    dispatch[_P.BUILD[0]] = load_build

    # ---- opcodes that call methods of the object they fill
    def _target(self, kinds: Tuple[type, ...], opcode: str) -> Any:
        target = self.stack[-1]
        if type(target) not in kinds:
            raise _refuse(self._name, f"{opcode} on a {type(target).__qualname__}; only on "
                                      + " and ".join(k.__name__ for k in kinds))
        return target

    def load_append(self) -> None:
        value = self.stack.pop()
        self._target((list,), "APPEND").append(value)
    dispatch[_P.APPEND[0]] = load_append

    def load_appends(self) -> None:
        items = self.pop_mark()
        self._target((list,), "APPENDS").extend(items)
    dispatch[_P.APPENDS[0]] = load_appends

    def load_setitem(self) -> None:
        value = self.stack.pop()
        key = self.stack.pop()
        self._target((dict, OrderedDict, Counter), "SETITEM")[key] = value
    dispatch[_P.SETITEM[0]] = load_setitem

    def load_setitems(self) -> None:
        items = self.pop_mark()
        target = self._target((dict, OrderedDict, Counter), "SETITEMS")
        for i in range(0, len(items) - 1, 2):
            target[items[i]] = items[i + 1]
    dispatch[_P.SETITEMS[0]] = load_setitems

    def load_additems(self) -> None:
        items = self.pop_mark()
        self._target((set,), "ADDITEMS").update(items)
    dispatch[_P.ADDITEMS[0]] = load_additems


def trusted_unpickler(pickle_module: Any, reader: TensorReader,
                      persistent_load: Callable[[Any], Any]) -> type:
    """The unpickler of ``weights_only=False``: ``pickle_module.Unpickler`` (any global is
    imported: trusted files only) with PyTorch's tensor names mapped to this library's."""
    names, _ = default_globals(reader)
    torch_names = {k: v for k, v in names.items() if k.startswith("torch.")}

    class TrustedUnpickler(pickle_module.Unpickler):  # type: ignore[misc,name-defined]
        def find_class(self, module: str, name: str) -> Any:
            full = f"{module}.{name}"
            if full in torch_names:
                return torch_names[full]
            if full == "torch.nn.parameter.Parameter":
                return library_parameter_class()
            try:
                return super().find_class(module, name)
            except (ImportError, AttributeError):
                obj, _ = library_global(module, name)  # a module of ours that has moved
                if obj is None:
                    raise
                return obj

        def persistent_load(self, pid: Any) -> Any:
            return persistent_load(pid)

    return TrustedUnpickler

