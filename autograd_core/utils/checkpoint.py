"""PyTorch's ``torch.utils.checkpoint``: activation checkpointing. A checkpointed call gives
exactly the values and gradients of the plain call, while the activations inside it are
not kept for backward: they are recomputed there, from the saved inputs, with the random
state of the forward restored (dropout draws the same masks).

How: the function runs once, recording its graph as usual; the outputs that depend on
the inputs are then re-attached to one node per output whose backward runs the function
again (grad enabled) and backpropagates through that fresh graph; so the recorded graph
is freed as soon as the call returns. What the function reaches apart from its inputs
(parameters, tensors it closes over) is an input of that node, so gradients reach them
through the outer backward once, whether it is ``backward()`` or ``autograd.grad``, and
``create_graph=True`` works through it. Both variants (``use_reentrant=True`` and
``False``) compute this way; they differ, as in PyTorch, in the arguments they accept
and in their warnings.

The function should be deterministic apart from the global generator's random numbers
(``autograd_core.manual_seed``) and should not change state it reads (a BatchNorm's
running statistics are updated again by the recomputation, as in PyTorch). Tensors it
returns are re-attached when returned directly or inside tuples, lists or dicts.

>>> import warnings
>>> import autograd_core as ag
>>> from autograd_core.utils.checkpoint import checkpoint
>>> x = ag.tensor([1.0, 2.0], requires_grad=True)
>>> y = checkpoint(lambda t: (t.sin() * t).sum(), x, use_reentrant=False)
>>> y.backward()
>>> ag.allclose(x.grad, x.detach().sin() + x.detach() * x.detach().cos())
True
"""
from __future__ import annotations

import contextlib
import warnings
from typing import Any, Callable, ContextManager, Iterable

import numpy as np

from ..autograd import function as _fn
from ..autograd.engine import node_parents, run_backward, toposort
from ..autograd.function import Function, node_of
from ..autograd.grad_mode import STATE, enable_grad
from ..random import default_generator

__all__ = ["checkpoint", "checkpoint_sequential", "noop_context_fn"]

_DETERMINISM_CHECKS = ("default", "none")


def noop_context_fn() -> tuple:
    """The default ``context_fn``: two context managers that do nothing (one around the
    forward, one around the recomputation).

    >>> from autograd_core.utils.checkpoint import noop_context_fn
    >>> [type(c).__name__ for c in noop_context_fn()]
    ['nullcontext', 'nullcontext']
    """
    return contextlib.nullcontext(), contextlib.nullcontext()


def checkpoint(function: Callable, *args: Any, use_reentrant: bool | None = None,
               context_fn: Callable[[], tuple] = noop_context_fn,
               determinism_check: str = "default", debug: bool = False,
               early_stop: bool = True, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)``, recomputed in backward instead of keeping its
    activations (see the module's notes): same values, same gradients.

    As PyTorch 2.13: without ``use_reentrant`` it warns (a ``UserWarning``) and takes
    ``True``; ``use_reentrant=True`` accepts no keyword arguments for ``function`` (other
    than ``preserve_rng_state``), no ``context_fn`` or ``debug`` (ValueError), and warns
    when no input requires grad. There, unlike PyTorch, parameters still get their
    gradients (PyTorch's reentrant variant gives them none). ``preserve_rng_state=False``
    recomputes without restoring the random state. ``determinism_check`` must be
    ``'default'`` or ``'none'``; ``debug`` and ``early_stop`` change nothing here.

    >>> import autograd_core as ag
    >>> from autograd_core import nn
    >>> from autograd_core.utils.checkpoint import checkpoint
    >>> block = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    >>> x = ag.randn(2, 3, requires_grad=True)
    >>> plain = block(x).sum()
    >>> again = checkpoint(block, x, use_reentrant=False).sum()
    >>> bool(plain == again)
    True
    >>> again.backward(); x.grad.shape, block[0].weight.grad.shape
    ((2, 3), (4, 3))
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for "
            "more details on the differences between the two variants.",
            UserWarning, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if use_reentrant:
        if kwargs:
            raise ValueError("checkpoint: Unexpected keyword arguments: " + ",".join(kwargs))
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("checkpoint: Passing `context_fn` or `debug` is only supported "
                             "when use_reentrant=False.")
        if not any(isinstance(a, _fn.Tensor) and a.requires_grad for a in args):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                          UserWarning, stacklevel=2)
        forward_context, recompute_context = noop_context_fn()
    else:
        if determinism_check not in _DETERMINISM_CHECKS:
            raise ValueError(f"checkpoint: determinism_check should be one of "
                             f"{list(_DETERMINISM_CHECKS)}, but got {determinism_check}")
        forward_context, recompute_context = context_fn()
    return _Segment(function, args, kwargs, bool(preserve), recompute_context).run(
        forward_context)


def checkpoint_sequential(functions: Any, segments: int, input: Any,
                          use_reentrant: bool | None = None, **kwargs: Any) -> Any:
    """Run ``functions`` (an ``nn.Sequential``, or a list of modules or functions) one after
    the other on ``input``, in ``segments`` chunks, each but the last checkpointed, as
    PyTorch's (warning when ``use_reentrant`` is not given; only ``preserve_rng_state``
    may be passed as keyword).

    >>> import autograd_core as ag
    >>> from autograd_core import nn
    >>> from autograd_core.utils.checkpoint import checkpoint_sequential
    >>> model = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 3), nn.ReLU())
    >>> x = ag.randn(2, 3, requires_grad=True)
    >>> y = checkpoint_sequential(model, 2, x, use_reentrant=False)
    >>> bool((y == model(x)).all())
    True
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should "
            "be passed explicitly. In version 2.9 we will raise an exception if use_reentrant "
            "is not passed. use_reentrant=False is recommended, but if you need to preserve "
            "the current default behavior, you can pass use_reentrant=True. Refer to docs for "
            "more details on the differences between the two variants.",
            UserWarning, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("checkpoint_sequential: Unexpected keyword arguments: "
                         + ",".join(kwargs))
    if not isinstance(functions, (list, tuple)) and callable(getattr(functions, "children", None)):
        functions = list(functions.children())  # an nn.Sequential: its layers

    def run(start: int, end: int) -> Callable:
        def forward(x: Any) -> Any:
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1)(input)


def _tensors(obj: Any) -> Iterable[Any]:
    """The tensors of an output: itself, or those in tuples, lists and dicts (nested)."""
    if isinstance(obj, _fn.Tensor):
        yield obj
    elif isinstance(obj, (tuple, list)):
        for o in obj:
            yield from _tensors(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _tensors(o)


def _replace(obj: Any, new: dict) -> Any:
    """``obj`` with each tensor ``t`` replaced by ``new[id(t)]`` (where there is one)."""
    if isinstance(obj, _fn.Tensor):
        return new.get(id(obj), obj)
    if isinstance(obj, tuple):
        items = [_replace(o, new) for o in obj]
        return type(obj)(*items) if hasattr(obj, "_fields") else tuple(items)
    if isinstance(obj, list):
        return [_replace(o, new) for o in obj]
    if isinstance(obj, dict):
        return type(obj)((k, _replace(v, new)) for k, v in obj.items())
    return obj


class _Segment:
    """One checkpointed call: the function, its non-tensor arguments, which arguments are
    tensors (and which of those require grad), the random state before it, and the nodes
    outside it that its graph reaches (``boundary``)."""

    def __init__(self, function: Callable, args: tuple, kwargs: dict, preserve: bool,
                 recompute_context: ContextManager) -> None:
        self.function, self.args, self.kwargs = function, list(args), dict(kwargs)
        self.keys = [i for i, a in enumerate(args) if isinstance(a, _fn.Tensor)] + \
            [k for k, v in kwargs.items() if isinstance(v, _fn.Tensor)]
        self.tensors = [self._get(k) for k in self.keys]
        self.grads = [t.requires_grad for t in self.tensors]
        self.rng = default_generator.get_state() if preserve else None
        self.recompute_context = recompute_context
        self.boundary: list = []

    def _get(self, key: Any) -> Any:
        return self.args[key] if isinstance(key, int) else self.kwargs[key]

    def _leaves(self, arrays: list) -> list:
        """Fresh leaves holding ``arrays`` (the inputs' values), requiring grad as the
        inputs did."""
        leaves = []
        for a, g in zip(arrays, self.grads):
            t = _fn.make(a)
            if g:
                t.requires_grad = True
            leaves.append(t)
        return leaves

    def _call(self, tensors: list) -> Any:
        """``function`` with ``tensors`` in the places of the tensor arguments."""
        args, kwargs = list(self.args), dict(self.kwargs)
        for key, t in zip(self.keys, tensors):
            if isinstance(key, int):
                args[key] = t
            else:
                kwargs[key] = t
        return self.function(*args, **kwargs)

    def run(self, forward_context: ContextManager) -> Any:
        """The forward: the output, its tensors that depend on the inputs re-attached to
        ``Checkpoint`` nodes."""
        if not STATE.enabled or not any(self.grads):
            with forward_context:
                return self.function(*self.args, **self.kwargs)
        leaves = self._leaves([t._data for t in self.tensors])
        with forward_context:
            out = self._call(leaves)
        outputs = [o for o in _tensors(out) if o.requires_grad]
        inside = self._inside(outputs, leaves)
        new = {}
        inputs = self.tensors + self.boundary
        for index, o in enumerate(_tensors(out)):
            if o.requires_grad and node_of(o) in inside:
                new[id(o)] = Checkpoint.apply(*inputs, segment=self, index=index, value=o._data)
        self.args = [None if isinstance(a, _fn.Tensor) else a for a in self.args]
        self.kwargs = {k: v for k, v in self.kwargs.items() if not isinstance(v, _fn.Tensor)}
        self.tensors = None  # the Checkpoint nodes save their arrays
        return _replace(out, new)

    def _inside(self, outputs: list, leaves: list) -> set:
        """The nodes of the recorded graph that depend on the inputs (recomputed in
        backward); every other node it reaches becomes ``self.boundary``, as a Tensor."""
        roots = [node_of(o) for o in outputs]
        inside = {node_of(t) for t in leaves if t.requires_grad}
        for node in toposort(roots, node_parents):  # parents first
            if node._is_fn and node not in inside and any(
                    p is not None and p in inside for p in node.next):
                inside.add(node)
        order = toposort([r for r in roots if r in inside], node_parents)
        meta: dict = {}  # node outside -> (shape, dtype) of the tensor it made
        for node in order:
            if node._is_fn:
                for p, m in zip(node.next, node._meta):
                    if p is not None and p not in inside:
                        meta.setdefault(p, m)
        for node in order:
            if node in inside:
                continue
            if not node._is_fn:
                self.boundary.append(node)  # a leaf: a parameter, or a tensor closed over
            else:
                shape, dtype = meta[node]
                self.boundary.append(_fn._attached(np.broadcast_to(np.zeros((), dtype), shape),
                                                   node))
        return inside

    def recompute(self, inputs: list, index: int) -> Any:
        """The ``index``-th output tensor of ``function`` run again on ``inputs``, with grad
        enabled and the forward's random state."""
        gen = default_generator
        outer = None
        if self.rng is not None:  # else it draws on from where the generator is, as PyTorch
            outer = gen.get_state()
            gen.set_state(self.rng)
        try:
            with enable_grad(), self.recompute_context:
                out = self._call(inputs)
        finally:
            if outer is not None:
                gen.set_state(outer)
        found = list(_tensors(out))
        if index >= len(found) or not found[index].requires_grad:
            raise RuntimeError("checkpoint: the recomputed forward did not give the tensors "
                               "of the original one (is the function deterministic?)")
        return found[index]


class Checkpoint(Function):
    """The node of one output of a checkpointed call: its inputs are the call's tensor
    arguments and the nodes outside it that its graph reached; its backward recomputes
    the call and backpropagates through it to exactly those.

    >>> import autograd_core as ag
    >>> from autograd_core.utils.checkpoint import checkpoint
    >>> w = ag.tensor([3.0], requires_grad=True)
    >>> y = checkpoint(lambda t: (t * w).exp(), ag.zeros(1, requires_grad=True),
    ...                use_reentrant=False)
    >>> y.grad_fn, [type(n).__name__ for n, _ in y.grad_fn.next_functions]
    (<CheckpointBackward0>, ['Tensor', 'Tensor'])
    """

    op = "checkpoint"

    @staticmethod
    def forward(ctx, *arrays, segment=None, index=0, value=None):
        ctx.segment, ctx.index = segment, index
        ctx.save_for_backward(*arrays[:len(segment.keys)])  # version-checked in backward
        return value

    @staticmethod
    def backward(ctx, grad):
        seg = ctx.segment
        create = STATE.enabled
        if create:  # the gradient must stay a function of the real inputs: start from them
            with enable_grad():
                inputs = [t.clone() for t in ctx.saved_tensors]
        else:
            inputs = seg._leaves(list(ctx.saved_arrays))
        out = seg.recompute(inputs, ctx.index)
        wanted = inputs + seg.boundary
        with _ends([node_of(t) for t in wanted if t.requires_grad]):
            grads = run_backward([out], [grad], True, create,
                                 [t for t in wanted if t.requires_grad], stop_at_inputs=True)
        it = iter(grads)
        return tuple(next(it) if t.requires_grad else None for t in wanted)


def _no_gradients(ctx: Any, grad: Any) -> tuple:
    return (None,) * len(ctx.next)


@contextlib.contextmanager
def _ends(nodes: list) -> Any:
    """While the recomputed graph is backpropagated: the nodes a checkpoint hands its
    gradients to (its inputs, the parameters and tensors its function reached) are where
    the walk ends. Their hooks, their own backward and what lies past them are the outer
    backward's business, run once there (the engine would otherwise run an op's backward
    at a wanted node, and go on to a wanted node behind it)."""
    saved = []
    for n in dict.fromkeys(nodes):  # once each, in order
        saved.append((n, n._hooks, n.next if n._is_fn else None))
        n._hooks = None
        if n._is_fn:
            n.next = (None,) * len(n.next)
            d = n.__dict__
            d["backward"] = d["array_backward"] = _no_gradients
            d["array_backward_inplace"] = d["add_into"] = None
    try:
        yield
    finally:
        for n, hooks, nxt in saved:
            n._hooks = hooks
            if nxt is not None:
                n.next = nxt
                for k in ("backward", "array_backward", "array_backward_inplace", "add_into"):
                    n.__dict__.pop(k, None)
