"""The containers: ``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList`` and
``ParameterDict``, with PyTorch's behaviour and names, and the deprecated ``Container``.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
>>> net(ag.randn(5, 4)).shape
(5, 2)
"""
from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import Any, Iterable, Iterator, Mapping

import numpy as np

from autograd_core import Tensor

from ..parameter import Parameter
from .module import Module, _addindent

__all__ = ["Container", "Sequential", "ModuleList", "ModuleDict", "ParameterList",
           "ParameterDict"]


def _position(idx: int, n: int, name: str) -> int:
    """``idx`` (negative counts from the end) as a position in a container of ``n``."""
    if not -n <= idx < n:
        raise IndexError(f"index {idx} is out of range for {name} of length {n}")
    return idx % n


def _as_parameter(value: Any) -> Parameter:
    """``value`` as a Parameter (a Tensor's or an array's memory is shared)."""
    if isinstance(value, Parameter):
        return value
    return Parameter(value if isinstance(value, Tensor) else np.asarray(value))


class _ModuleSequence(Module):
    """What ``Sequential`` and ``ModuleList`` share: modules named ``'0'``, ``'1'``, ... in
    ``_modules``, renumbered after every insertion or deletion, as PyTorch does."""

    def _index(self, idx: int) -> int:
        return _position(idx, len(self._modules), type(self).__name__)

    def _renumber(self, modules: list) -> None:
        self._modules.clear()
        for i, m in enumerate(modules):
            self.add_module(str(i), m)

    def _insert(self, index: int, module: Module) -> None:
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._renumber(modules)

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules.keys())
        for key in (keys[idx] if isinstance(idx, slice) else [keys[self._index(idx)]]):
            del self._modules[key]
        self._renumber(list(self._modules.values()))

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> "_ModuleSequence":
        """Add ``module`` at the end.

        >>> from autograd_core import nn
        >>> len(nn.Sequential(nn.ReLU()).append(nn.Tanh()))
        2
        """
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> "_ModuleSequence":
        """Add each of ``modules`` at the end.

        >>> from autograd_core import nn
        >>> len(nn.ModuleList([nn.ReLU()]).extend([nn.Tanh(), nn.ReLU()]))
        3
        """
        if isinstance(modules, Module) and not isinstance(modules, _ModuleSequence):
            raise TypeError(f"{type(self).__name__}.extend should be called with an iterable, "
                            f"but got {type(modules).__name__}")
        for m in modules:
            self.append(m)
        return self

    def pop(self, key: int) -> Module:
        v = self[key]
        del self[key]
        return v


class _DictContainer(Module):
    """What ``ModuleDict`` and ``ParameterDict`` share: the mapping protocol over one of the
    module's stores (``_store``: ``'_modules'`` or ``'_parameters'``), in insertion order."""

    _store: str

    def __getitem__(self, key: str) -> Any:
        return self.__dict__[self._store][key]

    def __delitem__(self, key: str) -> None:
        del self.__dict__[self._store][key]

    def __len__(self) -> int:
        return len(self.__dict__[self._store])

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dict__[self._store])

    def __contains__(self, key: str) -> bool:
        return key in self.__dict__[self._store]

    def clear(self) -> None:
        self.__dict__[self._store].clear()

    def pop(self, key: str) -> Any:
        v = self[key]
        del self[key]
        return v

    def keys(self) -> Iterable[str]:
        return self.__dict__[self._store].keys()

    def items(self) -> Iterable[tuple[str, Any]]:
        return self.__dict__[self._store].items()

    def values(self) -> Iterable[Any]:
        return self.__dict__[self._store].values()


class Sequential(_ModuleSequence):
    """Modules run one after the other; ``Sequential(*modules)`` or
    ``Sequential(OrderedDict(name=module, ...))``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    >>> net(ag.randn(5, 4)).shape
    (5, 2)
    >>> len(net), net[0], type(net[1:]).__name__
    (3, Linear(in_features=4, out_features=8, bias=True), 'Sequential')
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], (OrderedDict, dict)):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for idx, module in enumerate(args):
                if not isinstance(module, Module):
                    raise TypeError(f"Sequential: argument {idx} is a {type(module).__name__}, "
                                    "expected an nn.Module")
                self.add_module(str(idx), module)

    def __getitem__(self, idx: int | slice | str) -> Any:
        if isinstance(idx, slice):
            items = OrderedDict(list(self._modules.items())[idx])
            # a subclass with its own constructor (nn.MLP, nn.CNN) slices to a plain Sequential
            cls = type(self) if type(self).__init__ is Sequential.__init__ else Sequential
            return cls(items)
        if isinstance(idx, str):
            return self._modules[idx]
        return list(self._modules.values())[self._index(idx)]

    def __setitem__(self, idx: int, module: Module) -> None:
        key = list(self._modules.keys())[self._index(idx)]
        self.add_module(key, module)

    def insert(self, index: int, module: Module) -> "Sequential":
        n = len(self._modules)
        if not -n <= index <= n:
            raise IndexError(f"Index out of range: {index}")
        if index < 0:
            index += n
        self._insert(index, module)
        return self

    def forward(self, input: Any) -> Any:
        for module in self._modules.values():
            input = module(input)
        return input


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered.

    >>> from autograd_core import nn
    >>> layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    >>> len(layers), len(list(layers.parameters()))
    (3, 6)
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(self._index(idx))]

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(str(self._index(idx)), module)

    def __iadd__(self, modules: Iterable[Module]) -> "ModuleList":
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> "ModuleList":
        return ModuleList(list(self) + list(other))

    def insert(self, index: int, module: Module) -> None:
        self._insert(index, module)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleList has no forward(); iterate over it in your own "
                                  "module's forward")

    def __repr__(self) -> str:
        # PyTorch's: runs of identical modules are shown once, e.g. "(0-2): 3 x Linear(...)"
        items = list(self._modules.items())
        if not items:
            return self._get_name() + "()"
        lines, start = [], 0
        reprs = [repr(m) for _, m in items]
        while start < len(items):
            end = start
            while end + 1 < len(items) and reprs[end + 1] == reprs[start]:
                end += 1
            body = _addindent(reprs[start], 2)
            if end > start:
                lines.append(f"({items[start][0]}-{items[end][0]}): {end - start + 1} x {body}")
            else:
                lines.append(f"({items[start][0]}): {body}")
            start = end + 1
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(_DictContainer):
    """A dict of modules whose parameters are registered (insertion order kept).

    >>> from autograd_core import nn
    >>> heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "reg": nn.Linear(4, 1)})
    >>> list(heads.keys()), heads["reg"].out_features
    (['cls', 'reg'], 1)
    """

    _store = "_modules"

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def update(self, modules: Mapping[str, Module] | Iterable[tuple]) -> None:
        items = modules.items() if isinstance(modules, Mapping) else modules
        for j, kv in enumerate(items):
            if isinstance(kv, tuple) and len(kv) == 2:
                self[kv[0]] = kv[1]
            else:
                raise ValueError(f"ModuleDict update sequence element #{j} should be a "
                                 "(key, module) pair")

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleDict has no forward(); pick a module by key")


class ParameterList(Module):
    """A list of parameters, registered as ``'0'``, ``'1'``, ...

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> ps = nn.ParameterList([nn.Parameter(ag.zeros(2)) for _ in range(2)])
    >>> [n for n, _ in ps.named_parameters()]
    ['0', '1']
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            for v in values:
                self.append(v)

    def append(self, value: Any) -> "ParameterList":
        self.register_parameter(str(len(self._parameters)), _as_parameter(value))
        return self

    def __getitem__(self, idx: int) -> Parameter:
        return self._parameters[str(_position(idx, len(self._parameters), "ParameterList"))]

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._parameters.values())

    def extra_repr(self) -> str:
        return "\n".join(f"({k}): Parameter containing: [{p.dtype} of size {tuple(p.shape)}]"
                         for k, p in self._parameters.items())


class ParameterDict(_DictContainer):
    """A dict of parameters.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> pd = nn.ParameterDict({"scale": nn.Parameter(ag.ones(1))})
    >>> list(pd.keys())
    ['scale']
    """

    _store = "_parameters"

    def __init__(self, parameters: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        if parameters is not None:
            for k, v in parameters.items():
                self[k] = v

    def __setitem__(self, key: str, value: Any) -> None:
        self.register_parameter(key, _as_parameter(value))


class Container(Module):
    """Deprecated (PyTorch's ``nn.Container``, warns): a Module holding the modules given as
    keyword arguments.

    >>> import warnings, autograd_core.nn as nn
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     list(nn.Container(fc=nn.Linear(2, 2)).state_dict())
    ['fc.weight', 'fc.bias']
    """

    def __init__(self, **kwargs: Any) -> None:
        warnings.warn("`nn.Container` is deprecated. All of its functionality is now implemented "
                      "in `nn.Module`. Subclass that instead.", FutureWarning, stacklevel=2)
        super().__init__()
        for key, value in kwargs.items():
            self.add_module(key, value)
