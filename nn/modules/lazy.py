"""``LazyModuleMixin``: layers whose input size is read from their first input, as
PyTorch's ``torch.nn.modules.lazy``.

A lazy layer starts with ``UninitializedParameter`` / ``UninitializedBuffer``
placeholders. A forward pre-hook calls ``initialize_parameters(*input)`` on the first
call, which materialises them (the same objects, so an optimizer made before keeps
working) and resets them; then the hook is removed and the module becomes its
``cls_to_become`` (``LazyLinear`` becomes ``Linear``). Loading a state dict into a lazy
module materialises the placeholders with the loaded shapes.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> fc = nn.LazyLinear(4)
>>> fc
LazyLinear(in_features=0, out_features=4, bias=True)
>>> fc(ag.randn(2, 7)).shape
(2, 4)
>>> fc
Linear(in_features=7, out_features=4, bias=True)
"""
from __future__ import annotations

import itertools
from typing import Any

from ..parameter import is_lazy

__all__ = ["LazyModuleMixin"]


class LazyModuleMixin:
    """A mixin for modules that infer their parameters' shapes from their first input;
    the class names the module it becomes in ``cls_to_become`` and implements
    ``initialize_parameters(*args)``.

    >>> import autograd_core as ag, autograd_core.nn as nn
    >>> isinstance(nn.LazyLinear(3), nn.modules.lazy.LazyModuleMixin)
    True
    """

    cls_to_become: type | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters)

    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        # placeholders go in as they are, as PyTorch's (they have nothing to detach)
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if (is_lazy(param) or keep_vars) else \
                    param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if (is_lazy(buf) or keep_vars) else \
                    buf.detach()

    def _load_from_state_dict(self, state_dict: dict, prefix: str, missing: list,
                              errors: list, assign: bool = False) -> None:
        for name, param in itertools.chain(self._parameters.items(), self._buffers.items()):
            key = prefix + name
            if key in state_dict and param is not None and is_lazy(param):
                value = state_dict[key]
                if not is_lazy(value):
                    param.materialize(tuple(getattr(value, "shape", ())))
        super()._load_from_state_dict(state_dict, prefix, missing, errors, assign)

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(f"initialize_parameters is not implemented for "
                                  f"{self.__class__.__name__}")

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer is still a placeholder."""
        return any(is_lazy(p) for p in itertools.chain(self._parameters.values(),
                                                       self._buffers.values()))

    def _infer_parameters(self, module: Any, args: tuple) -> None:
        module.initialize_parameters(*args)
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        del module._initialize_hook
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def _replicate_for_data_parallel(self) -> None:
        raise RuntimeError("Modules with uninitialized parameters can't be used with "
                           "`DataParallel`. Run a dummy forward pass to correctly initialize the "
                           "modules")
