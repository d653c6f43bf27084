"""``Module``, the base of every layer and model: PyTorch's behaviour and names.

One class, the whole of ``torch.nn.Module``'s API (registration, iteration, modes,
dtypes, state dicts, hooks, repr), kept in one file as PyTorch keeps it.

Longer than 600 lines on purpose: it is one concept (one class and its global hooks); split
by method group, a reader would look for ``Module``'s behaviour in several files.

>>> import autograd_core as ag
>>> from autograd_core import nn
>>> class TwoLayer(nn.Module):
...     def __init__(self):
...         super().__init__()
...         self.fc1 = nn.Linear(4, 8)
...         self.fc2 = nn.Linear(8, 2)
...     def forward(self, x):
...         return self.fc2(self.fc1(x).relu())
>>> m = TwoLayer()
>>> [name for name, _ in m.named_parameters()]
['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
>>> m(ag.randn(3, 4)).shape
(3, 2)
"""
from __future__ import annotations

import functools
import itertools
import os
from collections import OrderedDict, namedtuple
from typing import Any, Callable, Iterator, Mapping

import numpy as np

import autograd_core as ag
from autograd_core import Tensor, is_grad_enabled, no_grad
from autograd_core.autograd.function import RemovableHandle

from ..parameter import Buffer, Parameter
from .backward_hook import BackwardHook

__all__ = ["Module", "register_module_forward_hook", "register_module_forward_pre_hook"]

# hooks every module runs, before its own (PyTorch's ``torch.nn.modules.module`` globals)
_global_forward_hooks: dict[int, Callable[..., Any]] = OrderedDict()
_global_forward_pre_hooks: dict[int, Callable[..., Any]] = OrderedDict()


def register_module_forward_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call ``hook(module, args, output)`` after the forward of every module, before the
    module's own forward hooks; a non-None result replaces the output.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> from autograd_core.nn.modules.module import register_module_forward_hook
    >>> seen = []
    >>> h = register_module_forward_hook(lambda mod, args, out: seen.append(type(mod).__name__))
    >>> _ = nn.Sequential(nn.Linear(2, 2), nn.ReLU())(ag.ones(1, 2))
    >>> h.remove(); seen
    ['Linear', 'ReLU', 'Sequential']
    """
    handle = RemovableHandle(_global_forward_hooks)
    _global_forward_hooks[handle.id] = hook
    return handle


def register_module_forward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call ``hook(module, args)`` before the forward of every module, before the module's
    own forward pre-hooks; a non-None result replaces the args.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> from autograd_core.nn.modules.module import register_module_forward_pre_hook
    >>> seen = []
    >>> h = register_module_forward_pre_hook(lambda mod, args: seen.append(type(mod).__name__))
    >>> _ = nn.Sequential(nn.Linear(2, 2), nn.ReLU())(ag.ones(1, 2))
    >>> h.remove(); seen
    ['Sequential', 'Linear', 'ReLU']
    """
    handle = RemovableHandle(_global_forward_pre_hooks)
    _global_forward_pre_hooks[handle.id] = hook
    return handle


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict(strict=False)`` returns, as in PyTorch."""

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(s: str, num_spaces: int) -> str:
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    first = lines.pop(0)
    return first + "\n" + "\n".join(" " * num_spaces + line for line in lines)


def _check_kind(value: Any, name: str, what: str, allowed: Any, expected: str) -> None:
    """A registered ``name`` takes a new value only of its kind (``allowed``) or None."""
    if value is not None and not isinstance(value, allowed):
        raise TypeError(f"cannot assign '{type(value).__name__}' as {what} '{name}' "
                        f"({expected} or None expected)")


def _shape(a: Any) -> tuple:
    return tuple(a.shape)


def _as_array(value: Any, key: str) -> np.ndarray:
    if isinstance(value, Tensor):
        return value.detach().numpy()
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch.Tensor
        return np.asarray(value.detach().cpu().numpy())
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001
        arr = None
    if arr is None or arr.dtype.kind not in "biufc":
        raise TypeError(f"load_state_dict: the value for key '{key}' is a "
                        f"{type(value).__name__}, expected a Tensor or a NumPy array")
    return arr


class Module:
    """Base class for all layers and models.

    Subclasses set their layers and ``Parameter``\\ s as attributes in ``__init__``
    (after calling ``super().__init__()``) and define ``forward``. Calling the
    module runs ``forward`` (and any forward hooks).

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> class Scale(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.s = nn.Parameter(ag.ones(1))
    ...         self.register_buffer("calls", ag.zeros(1))
    ...     def forward(self, x):
    ...         return x * self.s
    >>> m = Scale()
    >>> list(m.state_dict().keys())
    ['s', 'calls']
    >>> m(ag.tensor([2.0])).tolist()
    [2.0]
    """

    training: bool
    _version: int = 1
    call_super_init: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments; "
                            "Module.__init__ takes none")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = {}
        d["_forward_hooks"] = {}
        d["_forward_pre_hooks"] = {}
        d["_backward_hooks"] = {}
        d["_backward_pre_hooks"] = {}

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                  '"forward" function')

    # ---------------------------------------------------------------- calling
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        d = self.__dict__
        if not (d["_forward_hooks"] or d["_forward_pre_hooks"] or _global_forward_hooks
                or _global_forward_pre_hooks or d.get("_backward_hooks")
                or d.get("_backward_pre_hooks")):
            return self.forward(*args, **kwargs)
        with_kwargs = d.get("_forward_hooks_with_kwargs", ())
        for key, hook in [*_global_forward_pre_hooks.items(), *d["_forward_pre_hooks"].items()]:
            if key in with_kwargs:
                r = hook(self, args, kwargs)
                if r is not None:
                    if not (isinstance(r, tuple) and len(r) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {r}.")
                    args, kwargs = r
                continue
            r = hook(self, args)
            if r is not None:
                args = r if isinstance(r, tuple) else (r,)
        backward_hook = None
        if (d.get("_backward_hooks") or d.get("_backward_pre_hooks")) and is_grad_enabled():
            backward_hook = BackwardHook(self)
            args = backward_hook.setup_inputs(args)
        out = self.forward(*args, **kwargs)
        for key, hook in [*_global_forward_hooks.items(), *d["_forward_hooks"].items()]:
            r = hook(self, args, kwargs, out) if key in with_kwargs else hook(self, args, out)
            if r is not None:
                out = r
        if backward_hook is not None:
            out = backward_hook.setup_outputs(out)
        return out

    def register_forward_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                              with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each forward (``hook(module, args,
        kwargs, output)`` with ``with_kwargs``); a non-None result replaces the output.
        ``prepend`` puts it before the hooks already there; ``always_call`` is accepted, but
        the hook runs only when forward returns (PyTorch's also runs it when forward raises).

        >>> import autograd_core as ag, autograd_core.nn as nn
        >>> m = nn.Linear(2, 2)
        >>> h = m.register_forward_hook(lambda mod, args, out: out * 0)
        >>> m(ag.ones(1, 2)).tolist()
        [[0.0, 0.0]]
        >>> h.remove()
        """
        return self._add_forward_hook("_forward_hooks", hook, prepend, with_kwargs)

    def register_forward_pre_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before each forward; a non-None result replaces the args.
        With ``with_kwargs``, ``hook(module, args, kwargs)`` may return ``(args, kwargs)``.

        >>> import autograd_core as ag, autograd_core.nn as nn
        >>> m = nn.Identity()
        >>> h = m.register_forward_pre_hook(lambda mod, args: (args[0] + 1,))
        >>> m(ag.zeros(1)).tolist()
        [1.0]
        """
        return self._add_forward_hook("_forward_pre_hooks", hook, prepend, with_kwargs)

    def _add_forward_hook(self, kind: str, hook: Callable[..., Any], prepend: bool,
                          with_kwargs: bool) -> RemovableHandle:
        handle = self._add_hook(kind, hook, prepend)
        if with_kwargs:
            self.__dict__.setdefault("_forward_hooks_with_kwargs", set()).add(handle.id)
        return handle

    def register_full_backward_hook(self, hook: Callable[..., Any],
                                    prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when the gradients of this module's
        inputs are computed (``backward_hook.py``); a non-None result replaces
        ``grad_input``.

        >>> import autograd_core as ag, autograd_core.nn as nn
        >>> m = nn.Linear(2, 1)
        >>> h = m.register_full_backward_hook(lambda mod, gin, gout: (gin[0] * 0,))
        >>> x = ag.ones(1, 2, requires_grad=True)
        >>> m(x).sum().backward(); x.grad.tolist()
        [[0.0, 0.0]]
        """
        return self._add_hook("_backward_hooks", hook, prepend)

    def register_backward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """PyTorch's deprecated form; here it is ``register_full_backward_hook`` (the
        gradients of the module's inputs and outputs, which the old form gave only for
        modules of one op).

        >>> import autograd_core as ag, autograd_core.nn as nn
        >>> h = nn.ReLU().register_backward_hook(lambda m, gin, gout: None)
        """
        return self.register_full_backward_hook(hook)

    def register_full_backward_pre_hook(self, hook: Callable[..., Any],
                                        prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` when the gradients of this module's outputs
        arrive, before its inputs' are computed; a non-None result replaces ``grad_output``.

        >>> import autograd_core as ag, autograd_core.nn as nn
        >>> m = nn.Linear(2, 1)
        >>> h = m.register_full_backward_pre_hook(lambda mod, gout: (gout[0] * 2,))
        >>> m(ag.ones(1, 2)).sum().backward(); m.bias.grad.tolist()
        [2.0]
        """
        return self._add_hook("_backward_pre_hooks", hook, prepend)

    def _add_hook(self, kind: str, hook: Callable[..., Any], prepend: bool) -> RemovableHandle:
        d = self.__dict__
        hooks = d.get(kind)
        if hooks is None:   # a module made before these existed (unpickled)
            hooks = d[kind] = {}
        handle = RemovableHandle(hooks)
        if prepend:   # first in the same dict (the handle removes from it)
            rest = list(hooks.items())
            hooks.clear()
            hooks[handle.id] = hook
            hooks.update(rest)
        else:
            hooks[handle.id] = hook
        return handle

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` before this module's entries are loaded, as PyTorch;
        it may rename or change entries of ``state_dict`` in place.

        >>> import autograd_core as ag, autograd_core.nn as nn
        >>> m = nn.Linear(1, 1, bias=False)
        >>> def rename(mod, sd, prefix, *rest):
        ...     if prefix + "w" in sd:
        ...         sd[prefix + "weight"] = sd.pop(prefix + "w")
        >>> _ = m.register_load_state_dict_pre_hook(rename)
        >>> m.load_state_dict({"w": ag.tensor([[3.0]])}); m.weight.item()
        <All keys matched successfully>
        3.0
        """
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def _register_load_state_dict_pre_hook(self, hook: Callable[..., Any],
                                           with_module: bool = False) -> RemovableHandle:
        """PyTorch's private form: ``hook(state_dict, prefix, ...)``, with the module first
        when ``with_module``."""
        hooks = self.__dict__.setdefault("_load_state_dict_pre_hooks", {})
        handle = RemovableHandle(hooks)
        hooks[handle.id] = functools.partial(hook, self) if with_module else hook
        return handle

    # ----------------------------------------------------------- registration
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            self._claim(name, "_parameters", "parameters")
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            _check_kind(value, name, "parameter", (), "nn.Parameter")
            self.register_parameter(name, value)
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            self._claim(name, "_modules", "module")[name] = value
            return
        if modules is not None and name in modules:
            _check_kind(value, name, "child module", (), "nn.Module")
            modules[name] = value
            return
        buffers = d.get("_buffers")
        if isinstance(value, Buffer):
            self._claim(name, "_buffers", "buffer")
            self.register_buffer(name, ag.from_numpy(value.detach().numpy()), value.persistent)
            return
        if buffers is not None and name in buffers:
            _check_kind(value, name, "buffer", Tensor, "Tensor")
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def _claim(self, name: str, store: str, what: str) -> dict:
        """The store (``_parameters``, ``_modules`` or ``_buffers``) a new ``name`` goes to,
        once ``name`` is taken out of the others. As PyTorch, a name already in that store
        stays where it is: ``self.decoder.weight = self.encoder.weight`` or
        ``model.conv1 = nn.Conv2d(...)`` keeps the order of ``named_parameters()``,
        ``children()`` and ``state_dict()``."""
        d = self.__dict__
        if d.get(store) is None:
            raise AttributeError(f"cannot assign {what} before Module.__init__() call")
        self._remove_from(name, d, keep=store)
        return d[store]

    def _remove_from(self, name: str, d: dict, keep: str | None = None) -> None:
        d.pop(name, None)
        for key in ("_parameters", "_buffers", "_modules"):
            store = d.get(key)
            if store is not None and key != keep:
                store.pop(name, None)
        if keep != "_buffers":
            d.get("_non_persistent_buffers_set", set()).discard(name)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            store = d.get(key)
            if store is not None and name in store:
                return store[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            if name in d[key]:
                del d[key][name]
                d["_non_persistent_buffers_set"].discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list:
        keys = list(super().__dir__()) + list(self._parameters) + list(self._buffers) + \
            list(self._modules)
        return sorted(set(k for k in keys if not k[0].isdigit()))

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None) under ``name``.

        >>> import autograd_core as ag, autograd_core.nn as nn
        >>> m = nn.Module()
        >>> m.register_parameter("w", nn.Parameter(ag.zeros(3)))
        >>> [n for n, _ in m.named_parameters()]
        ['w']
        """
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter", "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter "
                            f"'{name}' (nn.Parameter or None required)")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: state that is not a parameter (e.g. BatchNorm's ``running_mean``).

        Persistent buffers are part of ``state_dict()``; non-persistent ones are not.

        >>> import autograd_core as ag, autograd_core.nn as nn
        >>> m = nn.Module()
        >>> m.register_buffer("mean", ag.zeros(2))
        >>> m.register_buffer("cache", ag.zeros(2), persistent=False)
        >>> list(m.state_dict())
        ['mean']
        >>> [n for n, _ in m.named_buffers()]
        ['mean', 'cache']
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer", "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            "(Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def _check_name(self, name: str, kind: str, store: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f'{kind} name can\'t be empty or contain ".", got: {name!r}')
        if name in self.__dict__ and store != "__dict__":
            raise KeyError(f"attribute '{name}' already exists")
        for other in ("_parameters", "_buffers", "_modules"):
            if other != store and name in self.__dict__[other]:
                raise KeyError(f"attribute '{name}' already exists")

    def add_module(self, name: str, module: "Module | None") -> None:
        """Add a child module under ``name`` (same as setting the attribute).

        >>> from autograd_core import nn
        >>> m = nn.Module()
        >>> m.add_module("fc", nn.Linear(1, 1))
        >>> [n for n, _ in m.named_children()]
        ['fc']
        """
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string, got {type(name).__name__}")
        if "." in name or name == "":
            raise KeyError(f'module name can\'t be empty or contain ".", got: {name!r}')
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> "Module":
        """The submodule at a dotted path such as ``"0.bn"``.

        >>> from autograd_core import nn
        >>> nn.Sequential(nn.Linear(1, 1)).get_submodule("0")
        Linear(in_features=1, out_features=1, bias=True)
        """
        if target == "":
            return self
        mod: Module = self
        for item in target.split("."):
            if item not in mod._modules or mod._modules[item] is None:
                raise AttributeError(f"{mod._get_name()} has no attribute `{item}`")
            mod = mod._modules[item]
        return mod

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path such as ``"0.weight"``.

        >>> from autograd_core import nn
        >>> nn.Sequential(nn.Linear(2, 3)).get_parameter("0.weight").shape
        (3, 2)
        """
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._parameters:
            raise AttributeError(f"{mod._get_name()} has no parameter `{name}`")
        return mod._parameters[name]

    def get_buffer(self, target: str) -> Tensor:
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._buffers:
            raise AttributeError(f"{mod._get_name()} has no buffer `{name}`")
        return mod._buffers[name]

    # -------------------------------------------------------------- iterating
    def _named_members(self, get: Callable, prefix: str = "", recurse: bool = True,
                       remove_duplicate: bool = True) -> Iterator[tuple]:
        memo: set = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for mod_prefix, mod in mods:
            for k, v in get(mod):
                if v is None or (remove_duplicate and id(v) in memo):
                    continue
                if remove_duplicate:
                    memo.add(id(v))
                yield (mod_prefix + ("." if mod_prefix else "") + k, v)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """All parameters (each once, even when shared), in registration order.

        >>> from autograd_core import nn
        >>> [tuple(p.shape) for p in nn.Linear(2, 3).parameters()]
        [(3, 2), (3,)]
        """
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(name, parameter)`` pairs with dotted names, e.g. ``('0.weight', ...)``.

        >>> from autograd_core import nn
        >>> [n for n, _ in nn.Sequential(nn.Linear(2, 3)).named_parameters()]
        ['0.weight', '0.bias']
        """
        return self._named_members(lambda m: m._parameters.items(), prefix, recurse,
                                   remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """All buffers (e.g. running statistics).

        >>> from autograd_core import nn
        >>> len(list(nn.BatchNorm1d(3).buffers()))
        3
        """
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """``(name, buffer)`` pairs.

        >>> from autograd_core import nn
        >>> [n for n, _ in nn.BatchNorm1d(3).named_buffers()]
        ['running_mean', 'running_var', 'num_batches_tracked']
        """
        return self._named_members(lambda m: m._buffers.items(), prefix, recurse,
                                   remove_duplicate)

    def children(self) -> Iterator["Module"]:
        """The direct submodules.

        >>> from autograd_core import nn
        >>> list(nn.Sequential(nn.ReLU(), nn.Tanh()).children())
        [ReLU(), Tanh()]
        """
        for _, m in self.named_children():
            yield m

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """``(name, module)`` for the direct submodules.

        >>> from autograd_core import nn
        >>> [n for n, _ in nn.Sequential(nn.ReLU(), nn.Tanh()).named_children()]
        ['0', '1']
        """
        memo: set = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in memo:
                memo.add(id(m))
                yield name, m

    def modules(self) -> Iterator["Module"]:
        """This module and all submodules, depth first.

        >>> from autograd_core import nn
        >>> [type(m).__name__ for m in nn.Sequential(nn.Linear(1, 1)).modules()]
        ['Sequential', 'Linear']
        """
        for _, m in self.named_modules():
            yield m

    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, "Module"]]:
        """``(dotted name, module)`` for this module (name ``''``) and all submodules.

        >>> from autograd_core import nn
        >>> [n for n, _ in nn.Sequential(nn.Linear(1, 1)).named_modules()]
        ['', '0']
        """
        if memo is None:
            memo = set()
        stack = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if remove_duplicate:
                if id(mod) in memo:
                    continue
                memo.add(id(mod))
            yield name, mod
            kids = [(name + ("." if name else "") + k, m) for k, m in mod._modules.items()
                    if m is not None]
            stack.extend(reversed(kids))

    def apply(self, fn: Callable[["Module"], Any]) -> "Module":
        """Call ``fn`` on every submodule (children first) and then on this module.

        >>> from autograd_core import nn
        >>> def init(m):
        ...     if isinstance(m, nn.Linear):
        ...         nn.init.zeros_(m.weight)
        >>> net = nn.Sequential(nn.Linear(2, 2)).apply(init)
        >>> float(net[0].weight.abs().sum())
        0.0
        """
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes
    def train(self, mode: bool = True) -> "Module":
        """Set training mode (``mode=True``) or evaluation mode, recursively.

        >>> from autograd_core import nn
        >>> nn.Dropout().train(False).training
        False
        """
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for m in self.children():
            m.train(mode)
        return self

    def eval(self) -> "Module":
        """Evaluation mode: dropout off, batch norm uses its running statistics.

        >>> from autograd_core import nn
        >>> nn.BatchNorm1d(2).eval().training
        False
        """
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Switch gradient recording on or off for every parameter (e.g. to freeze layers).

        >>> from autograd_core import nn
        >>> m = nn.Linear(2, 2).requires_grad_(False)
        >>> [p.requires_grad for p in m.parameters()]
        [False, False]
        """
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to None (default), or to zeros.

        >>> import autograd_core as ag, autograd_core.nn as nn
        >>> m = nn.Linear(2, 1)
        >>> m(ag.ones(1, 2)).sum().backward()
        >>> m.zero_grad()
        >>> m.weight.grad is None
        True
        """
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
                continue
            g = p.grad
            arr = g.detach().numpy()
            if g.grad_fn is not None or g.requires_grad or not arr.flags.writeable:
                p.grad = ag.zeros_like(g)
            else:
                arr.fill(0)

    # ------------------------------------------------------------------ dtypes
    def _apply(self, fn: Callable[[np.ndarray], np.ndarray]) -> "Module":
        """Replace the array of every parameter and buffer by ``fn(array)``, in place
        (the Parameter objects stay the same, so optimizers keep working)."""
        for m in self.modules():
            for p in m._parameters.values():
                if p is None:
                    continue
                p.data = fn(p.detach().numpy())
                if p.grad is not None:
                    p.grad = ag.from_numpy(fn(p.grad.detach().numpy()))
            for k, b in m._buffers.items():
                if b is not None:
                    b.data = fn(b.detach().numpy())
        return self

    @staticmethod
    def _float_cast(dtype: np.dtype) -> Callable[[np.ndarray], np.ndarray]:
        def cast(a: np.ndarray) -> np.ndarray:
            if a.dtype.kind == "f" and a.dtype != dtype:
                return a.astype(dtype)
            return a
        return cast

    def float(self) -> "Module":
        """Cast floating point parameters and buffers to float32, in place.

        >>> from autograd_core import nn
        >>> nn.Linear(2, 2).double().float().weight.dtype
        dtype('float32')
        """
        return self._apply(self._float_cast(np.dtype(np.float32)))

    def double(self) -> "Module":
        """Cast floating point parameters and buffers to float64, in place.

        >>> from autograd_core import nn
        >>> m = nn.BatchNorm1d(2).double()
        >>> m.weight.dtype, m.running_mean.dtype, m.num_batches_tracked.dtype
        (dtype('float64'), dtype('float64'), dtype('int64'))
        """
        return self._apply(self._float_cast(np.dtype(np.float64)))

    def half(self) -> "Module":
        return self._apply(self._float_cast(np.dtype(np.float16)))

    def to(self, *args: Any, **kwargs: Any) -> "Module":
        """``to(dtype)`` casts floating point parameters and buffers; ``to(device)`` accepts
        the CPU (a device object, a string or an index) and raises PyTorch's error for a
        device this CPU-only library does not have.

        >>> import autograd_core as ag, autograd_core.nn as nn
        >>> nn.Linear(1, 1).to("cpu", dtype=ag.float64).weight.dtype
        dtype('float64')
        >>> nn.Linear(1, 1).to(ag.device("cpu")).weight.device
        device(type='cpu')
        """
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str, ag.device, int)) and not isinstance(a, bool):
                device = a
            elif a is not None and not isinstance(a, bool):
                dtype = a
        if device is not None:
            ag.zeros(0, device=device)  # PyTorch's errors for a device that is not the CPU
        if dtype is None:
            return self
        dt = np.dtype(dtype)
        if dt.kind != "f":
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired "
                            f"dtype={dt}")
        return self._apply(self._float_cast(dt))

    def cpu(self) -> "Module":
        return self

    def share_memory(self) -> "Module":
        """Move every parameter and buffer into shared memory (``Tensor.share_memory_``),
        so processes started from here (Hogwild training) update the same numbers.

        >>> from autograd_core import nn
        >>> m = nn.Linear(2, 2).share_memory()
        >>> m.weight.is_shared(), m.bias.is_shared()
        (True, True)
        """
        for m in self.modules():
            for t in list(m._parameters.values()) + list(m._buffers.values()):
                if t is not None:
                    t.share_memory_()
        return self

    def cuda(self, device: Any = None) -> "Module":
        """Raises PyTorch's error for a build without CUDA."""
        return self.to("cuda" if device is None else device)

    def type(self, dst_type: Any) -> "Module":
        return self.to(dst_type)

    # ------------------------------------------------------------- state dict
    def state_dict(self, *args: Any, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> "OrderedDict[str, Tensor]":
        """Parameters and persistent buffers by dotted name, PyTorch's keys
        (``0.weight``, ``bn.running_mean``, ``bn.num_batches_tracked``, ...).

        The values share memory with the module (detached unless ``keep_vars``).

        >>> from autograd_core import nn
        >>> list(nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)).state_dict())
        ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']
        """
        if args:  # the old positional form state_dict(destination, prefix, keep_vars)
            destination = args[0]
            if len(args) > 1:
                prefix = args[1]
            if len(args) > 2:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, m in self._modules.items():
            if m is not None:
                m.state_dict(destination=destination, prefix=prefix + name + ".",
                             keep_vars=keep_vars)
        return destination

    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copy parameters and buffers from ``state_dict`` (our Tensors, NumPy arrays, or
        anything with ``.numpy()``) into this module. ``state_dict`` may also be the path
        of a ``.safetensors`` file or of a file ``save``/``torch.save`` wrote; then every
        problem is reported on one line that names the file.

        With ``strict=True`` missing and unexpected keys are errors; a shape mismatch is
        always an error. All problems are reported together, in PyTorch's words.

        >>> from autograd_core import nn
        >>> a, b = nn.Linear(2, 3), nn.Linear(2, 3)
        >>> b.load_state_dict(a.state_dict())
        <All keys matched successfully>
        >>> bool((a.weight == b.weight).all())
        True
        """
        if isinstance(state_dict, (str, os.PathLike)):
            return self._load_state_dict_file(os.fspath(state_dict), strict, assign)
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []
        state_dict = OrderedDict(state_dict)
        with no_grad():
            for prefix, mod in self.named_modules(remove_duplicate=False):
                p = prefix + "." if prefix else ""
                for hook in list(mod.__dict__.get("_load_state_dict_pre_hooks", {}).values()):
                    hook(state_dict, p, {}, strict, missing, unexpected, errors)
                mod._load_from_state_dict(state_dict, p, missing, errors, assign)
        known = set()
        for prefix, mod in self.named_modules(remove_duplicate=False):
            p = prefix + "." if prefix else ""
            for name, v in itertools.chain(mod._parameters.items(), mod._buffers.items()):
                if v is not None and name not in mod._non_persistent_buffers_set:
                    known.add(p + name)
        unexpected = [k for k in state_dict if k not in known]
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                self._get_name(), "\n\t".join(errors)))
        return _IncompatibleKeys(missing, unexpected)

    def _load_state_dict_file(self, path: str, strict: bool, assign: bool) -> _IncompatibleKeys:
        """``load_state_dict`` from a ``.safetensors`` file or a ``save``d state dict; nothing
        is copied unless every key and shape fits (errors on one line, naming the file)."""
        if path.endswith(".safetensors"):
            from autograd_core.safetensors import load_file
            state = load_file(path)
        else:
            state = ag.load(path)
        if not isinstance(state, Mapping):
            raise TypeError(f"{path}: expected a state dict (a mapping of name -> tensor), got "
                            f"{type(state).__name__}")
        before = [(t, t.detach().numpy().copy()) for t in self.state_dict(keep_vars=True).values()]
        try:
            return self.load_state_dict(state, strict, assign)
        except RuntimeError as e:
            for t, a in before:  # the entries that fitted were copied: put them back
                if t.shape == a.shape:
                    np.copyto(t.detach().numpy(), a)
            raise RuntimeError(f"{path}: " + " ".join(str(e).split("\n\t"))) from None

    def _load_from_state_dict(self, state_dict: dict, prefix: str, missing: list,
                              errors: list, assign: bool = False) -> None:
        """Load this module's own parameters and persistent buffers (not the children's)."""
        local = itertools.chain(
            self._parameters.items(),
            ((k, v) for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set))
        for name, target in local:
            if target is None:
                continue
            key = prefix + name
            if key not in state_dict:
                missing.append(key)
                continue
            try:
                arr = _as_array(state_dict[key], key)
            except TypeError as e:
                errors.append(str(e))
                continue
            if arr.shape != target.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape "
                              f"{_shape(arr)} from checkpoint, the shape in current model is "
                              f"{_shape(target)}.")
                continue
            if assign:
                target.data = np.array(arr, copy=True)
            else:
                np.copyto(target.detach().numpy(), arr, casting="unsafe")

    # ------------------------------------------------------------------- repr
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr; layers override it."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = []
        for key, module in self._modules.items():
            mod_str = _addindent(repr(module), 2)
            child_lines.append("(" + key + "): " + mod_str)
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"

    # ------------------------------------------------------------------ pickle
    def __getstate__(self) -> dict:
        return self.__dict__.copy()

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
