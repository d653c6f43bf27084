"""``nn.utils.parametrize``, as PyTorch's: a module's tensor (``weight``) computed from
stored originals by a chain of modules, recomputed at each access.

``register_parametrization(module, "weight", p)`` moves the parameter into
``module.parametrizations.weight.original`` (or ``original0``, ``original1``, ... when
``p.right_inverse`` returns several tensors) and gives the module a class of its own,
``Parametrized<Class>``, whose ``weight`` is a property: reading it runs the chain,
assigning to it stores ``right_inverse`` of the value. State dict keys are PyTorch's
(``parametrizations.weight.original``), so checkpoints move both ways.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> from autograd_core.nn.utils import parametrize
>>> class Symmetric(nn.Module):
...     def forward(self, x):
...         return x.triu() + x.triu(1).t()
>>> m = parametrize.register_parametrization(nn.Linear(3, 3), "weight", Symmetric())
>>> bool((m.weight == m.weight.t()).all()), list(m.state_dict())
(True, ['bias', 'parametrizations.weight.original'])
"""
from __future__ import annotations

import contextlib
from typing import Iterator

import autograd_core as ag
from autograd_core import Tensor

from ..modules.container import ModuleDict, ModuleList
from ..modules.module import Module
from ..parameter import Parameter

__all__ = ["register_parametrization", "remove_parametrizations", "is_parametrized", "cached",
           "ParametrizationList", "type_before_parametrizations"]

_cache: dict | None = None  # while ``cached()`` is active: (module id, name) -> tensor


@contextlib.contextmanager
def cached() -> Iterator[None]:
    """Inside the block, each parametrized tensor is computed once and reused.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> from autograd_core.nn.utils import parametrize
    >>> m = nn.utils.parametrizations.weight_norm(nn.Linear(2, 2))
    >>> with parametrize.cached():
    ...     m.weight is m.weight
    True
    """
    global _cache
    outer = _cache
    if outer is None:
        _cache = {}
    try:
        yield
    finally:
        if outer is None:
            _cache = None


class ParametrizationList(ModuleList):
    """The chain of parametrizations of one tensor and its originals (``original``, or
    ``original0``, ``original1``, ... when the first ``right_inverse`` gives several)."""

    def __init__(self, modules: list, original: Tensor, unsafe: bool = False) -> None:
        super().__init__(modules)
        self.unsafe = unsafe
        first = modules[0]
        with ag.no_grad():
            new = first.right_inverse(original) if hasattr(first, "right_inverse") \
                else original
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if isinstance(original, Parameter):
                if new is not original:
                    with ag.no_grad():
                        original.copy_(new)
                self.original = original
            else:
                self.register_buffer("original", new.detach().clone())
        else:
            for i, value in enumerate(new):
                value = value.detach().clone()
                if isinstance(original, Parameter):
                    self.register_parameter(f"original{i}",
                                            Parameter(value, original.requires_grad))
                else:
                    self.register_buffer(f"original{i}", value)

    def right_inverse(self, value: Tensor) -> None:
        """Store ``value`` as the originals: the chain's ``right_inverse`` from the last."""
        with ag.no_grad():
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    value = module.right_inverse(value)
                elif not self.unsafe and module is not self[0]:
                    raise RuntimeError(f"parametrization {type(module).__name__} does not "
                                       "implement right_inverse")
            if self.is_tensor:
                self.original.copy_(value)
            else:
                for i, v in enumerate(value):
                    getattr(self, f"original{i}").copy_(v)

    def forward(self) -> Tensor:  # type: ignore[override]
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in list(self)[1:]:
            x = module(x)
        return x


def _property(name: str) -> property:
    def get(self: Module) -> Tensor:
        chain = self.parametrizations[name]
        if _cache is None:
            return chain()
        key = (id(self), name)
        if key not in _cache:
            _cache[key] = chain()
        return _cache[key]

    def set(self: Module, value: Tensor) -> None:
        self.parametrizations[name].right_inverse(value)

    return property(get, set)


def type_before_parametrizations(module: Module) -> type:
    """The module's class before it was parametrized.

    >>> import autograd_core.nn as nn
    >>> from autograd_core.nn.utils import parametrize
    >>> m = nn.utils.parametrizations.weight_norm(nn.Linear(2, 2))
    >>> type(m).__name__, parametrize.type_before_parametrizations(m).__name__
    ('ParametrizedLinear', 'Linear')
    """
    return type(module).__bases__[0] if is_parametrized(module) else type(module)


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has a parametrization (on ``tensor_name``, if given).

    >>> import autograd_core.nn as nn
    >>> from autograd_core.nn.utils import parametrize
    >>> parametrize.is_parametrized(nn.Linear(2, 2))
    False
    """
    chains = module.__dict__.get("_modules", {}).get("parametrizations")
    if not isinstance(chains, ModuleDict):
        return False
    return len(chains) > 0 if tensor_name is None else tensor_name in chains


def register_parametrization(module: Module, tensor_name: str, parametrization: Module, *,
                             unsafe: bool = False) -> Module:
    """Compute ``module.<tensor_name>`` by ``parametrization`` from now on (see the
    module's docstring); a second registration on the same name chains after the first.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> from autograd_core.nn.utils import parametrize
    >>> class Double(nn.Module):
    ...     def forward(self, x):
    ...         return 2 * x
    >>> m = parametrize.register_parametrization(nn.Linear(1, 1, bias=False), "weight", Double())
    >>> bool((m.weight == 2 * m.parametrizations.weight.original).all())
    True
    """
    if is_parametrized(module, tensor_name):
        chain = module.parametrizations[tensor_name]
        if not unsafe:
            with ag.no_grad():
                current = getattr(module, tensor_name)
                out = parametrization(current)
            if not isinstance(out, Tensor):
                raise ValueError(f"A parametrization must return a tensor. Got "
                                 f"{type(out).__name__}.")
            if out.dtype != current.dtype or out.shape != current.shape:
                raise ValueError("Registering a parametrization may not change the shape or "
                                 "the dtype of the tensor")
        chain.append(parametrization)
        chain.unsafe |= unsafe
        return module
    if tensor_name in module._parameters or tensor_name in module._buffers:
        original = getattr(module, tensor_name)
        chain = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            cls = type(module)
            module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), {})
            module.parametrizations = ModuleDict()
        setattr(type(module), tensor_name, _property(tensor_name))
        module.parametrizations[tensor_name] = chain
        return module
    raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a "
                     f"parametrized element with name '{tensor_name}'")


def remove_parametrizations(module: Module, tensor_name: str,
                            leave_parametrized: bool = True) -> Module:
    """Undo the parametrizations of ``tensor_name``: it becomes a parameter again, holding
    the parametrized value (``leave_parametrized``) or the stored original.

    >>> import autograd_core.nn as nn
    >>> from autograd_core.nn.utils import parametrize
    >>> m = nn.utils.parametrizations.weight_norm(nn.Linear(2, 2))
    >>> type(parametrize.remove_parametrizations(m, "weight")).__name__, list(m.state_dict())
    ('Linear', ['bias', 'weight'])
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    chain = module.parametrizations[tensor_name]
    if leave_parametrized or not chain.is_tensor:
        if not leave_parametrized:
            raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a "
                             "tensor that is parametrized in terms of a sequence of tensors.")
        with ag.no_grad():
            value = getattr(module, tensor_name).detach().clone()
        requires_grad = getattr(chain, "original" if chain.is_tensor else "original0"
                                ).requires_grad
        original: Tensor = Parameter(value, requires_grad)
    else:
        original = chain.original
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    if isinstance(original, Parameter):
        module.register_parameter(tensor_name, original)
    else:
        module.register_buffer(tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = type(module).__bases__[0]
    return module
