"""A module's backward hooks, as PyTorch's ``register_full_backward_hook`` and
``register_full_backward_pre_hook`` run them (PyTorch's ``torch.utils.hooks.BackwardHook``).

A call of a module that has such hooks passes its tensor inputs, and then its tensor
outputs, through an identity op (one node each side). In backward the outputs' node sees
the gradients of all outputs at once: the pre-hooks run there, ``hook(module,
grad_output)``, and may replace them. The inputs' node then sees the gradients of the
inputs, which this module's forward made: the hooks run there, ``hook(module, grad_input,
grad_output)``, and may replace ``grad_input``. ``grad_input`` has one entry per tensor
argument of forward, None for those that need no gradient; when none does, the hooks run
at the outputs' node with all of ``grad_input`` None, as PyTorch's.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> lin = nn.Linear(3, 2)
>>> seen = []
>>> h = lin.register_full_backward_hook(lambda m, gin, gout: seen.append((gin[0].shape, gout[0].shape)))
>>> lin(ag.ones(4, 3, requires_grad=True)).sum().backward()
>>> seen
[((4, 3), (4, 2))]
"""
from __future__ import annotations

import warnings
from typing import Any

from autograd_core import Tensor
from autograd_core.autograd import Function


class _Identity(Function):
    """The identity on some tensors, whose backward hands their gradients to a
    ``BackwardHook`` (and passes on what it gives back)."""

    @staticmethod
    def forward(ctx, hook, side, *tensors):
        ctx.hook, ctx.side = hook, side
        return tuple(t.view_as(t) for t in tensors)

    @staticmethod
    def backward(ctx, *grads):
        return (None, None, *ctx.hook.grads(ctx.side, grads))


def _wants_grad(x: Any) -> bool:
    return isinstance(x, Tensor) and x.requires_grad


class BackwardHook:
    """One call of ``module``: wraps its inputs and outputs, and runs its backward hooks
    when their gradients arrive (see the module's text)."""

    def __init__(self, module: Any) -> None:
        self.module = module
        self.n_inputs = 0
        self.input_places: list[int] = []   # among the tensor inputs: those wrapped
        self.n_outputs = 0
        self.output_places: list[int] = []  # among the outputs: those wrapped
        self.grad_output: tuple = ()

    def setup_inputs(self, args: tuple) -> tuple:
        tensor_args = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.n_inputs = len(tensor_args)
        wrap = [i for i in tensor_args if _wants_grad(args[i])]
        self.input_places = [tensor_args.index(i) for i in wrap]
        if not wrap:
            return args
        new = list(args)
        for i, t in zip(wrap, _Identity.apply(self, "input", *[args[i] for i in wrap])):
            new[i] = t
        return tuple(new)

    def setup_outputs(self, out: Any) -> Any:
        outs = [out] if isinstance(out, Tensor) else list(out) if isinstance(out, (tuple, list)) \
            else []
        wrap = [i for i, o in enumerate(outs) if _wants_grad(o)]
        if not wrap:
            return out
        self.n_outputs = len(outs)
        self.output_places = wrap
        for i, t in zip(wrap, _Identity.apply(self, "output", *[outs[i] for i in wrap])):
            outs[i] = t
        if isinstance(out, Tensor):
            return outs[0]
        return type(out)(outs) if isinstance(out, list) else tuple(outs)

    def grads(self, side: str, grads: tuple) -> tuple:
        module = self.module
        if side == "output":
            full: list = [None] * self.n_outputs
            for i, g in zip(self.output_places, grads):
                full[i] = g
            for hook in list(module._backward_pre_hooks.values()):
                r = hook(module, tuple(full))
                if r is not None:
                    full = list(r)
            self.grad_output = tuple(full)
            if not self.input_places:   # no input needs a gradient: the hooks run now
                if module._backward_hooks:
                    warnings.warn("Full backward hook is firing when gradients are computed "
                                  "with respect to module outputs since no inputs require "
                                  "gradients. See https://docs.pytorch.org/docs/main/generated/"
                                  "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook"
                                  " for more details.", UserWarning, stacklevel=2)
                self._run_hooks((None,) * self.n_inputs)
            return tuple(full[i] for i in self.output_places)
        grad_input: list = [None] * self.n_inputs
        for i, g in zip(self.input_places, grads):
            grad_input[i] = g
        grad_input = self._run_hooks(tuple(grad_input))
        return tuple(grad_input[i] for i in self.input_places)

    def _run_hooks(self, grad_input: tuple) -> tuple:
        module = self.module
        for hook in list(module._backward_hooks.values()):
            r = hook(module, grad_input, self.grad_output)
            if r is not None:
                if len(r) != len(grad_input):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, "
                                       f"got {len(r)}, but expected {len(grad_input)}")
                grad_input = tuple(r)
        return grad_input
