"""``Optimizer``: the base of every optimizer, with PyTorch's ``param_groups`` and state.

An optimizer knows Parameters and their ``.grad`` and nothing of graphs: ``step()``
updates the arrays behind the parameters in place with NumPy. Below the class are the
pieces several optimizers share, each written once: the argument checks (PyTorch's
messages), the steps of the update rules (gradients, step counts, weight decay, lerp,
Adam's moments) and, last, the loop over parameters every rule but SGD's runs
(``_ParamwiseOptimizer``: a subclass gives its state's buffers and the rule itself).

>>> import autograd_core as ag
>>> from autograd_core.optim import SGD
>>> w = ag.tensor([1.0, 2.0], requires_grad=True)
>>> opt = SGD([w], lr=0.5)
>>> (w * w).sum().backward()
>>> opt.step()
>>> w
tensor([0., 0.], requires_grad=True)
>>> opt.zero_grad(); w.grad is None
True
"""
from __future__ import annotations

import functools
import warnings
from collections import defaultdict
from copy import deepcopy
from itertools import chain
from typing import Any, Callable, Dict, Iterable, Iterator, List, Tuple, Union

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.autograd import mark_dirty
from autograd_core.autograd.function import RemovableHandle

__all__ = ["Optimizer", "required", "ParamsT", "StateDict"]

ParamsT = Union[Iterable[Tensor], Iterable[Dict[str, Any]], Iterable[tuple]]
StateDict = Dict[str, Any]


class _RequiredParameter:
    """Marks a hyperparameter that has no default and must be given."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _wrap_step(step: Callable) -> Callable:
    @functools.wraps(step)
    def wrapper(self: "Optimizer", *args: Any, **kwargs: Any) -> Any:
        self._opt_called = True  # read by the lr schedulers' "called in the wrong order" warning
        hooks = self.__dict__.get("_step_hooks")
        if not hooks:
            return step(self, *args, **kwargs)
        for hook in list(hooks[0].values()):   # pre-hooks may replace (args, kwargs)
            r = hook(self, args, kwargs)
            if r is not None:
                args, kwargs = r
        out = step(self, *args, **kwargs)
        for hook in list(hooks[1].values()):
            hook(self, args, kwargs)
        return out

    wrapper._optimizer_step = True  # type: ignore[attr-defined]
    return wrapper


def _typename(obj: Any) -> str:
    t = type(obj)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


class Optimizer:
    """Base class for all optimizers, with PyTorch's interface.

    ``params`` is an iterable of Tensors (or of ``(name, tensor)`` pairs), or an iterable of
    dicts ("parameter groups"), each with a ``'params'`` entry and any hyperparameters that
    override ``defaults`` for that group.

    Subclasses implement ``step(closure=None)``; the per-parameter buffers live in
    ``self.state[param]`` (a dict), as in PyTorch.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import SGD
    >>> a = ag.zeros(2, requires_grad=True); b = ag.zeros(3, requires_grad=True)
    >>> opt = SGD([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.1, momentum=0.9)
    >>> [g["lr"] for g in opt.param_groups], opt.param_groups[1]["momentum"]
    ([0.1, 0.01], 0.9)
    """

    # Per-parameter buffers have their parameter's shape (load_state_dict checks it);
    # LBFGS keeps flat vectors of all parameters under the first one instead.
    _state_shaped_like_params = True

    def __init__(self, params: ParamsT, defaults: Dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {_typename(params)}")
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: List[Dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_optimizer_step", False):
            cls.step = _wrap_step(step)  # type: ignore[method-assign]

    # ------------------------------------------------------------ hooks
    def register_step_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` before each ``step``; a non-None result is
        the ``(args, kwargs)`` that step gets.

        >>> import autograd_core as ag
        >>> from autograd_core.optim import SGD
        >>> opt = SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
        >>> seen = []
        >>> h = opt.register_step_pre_hook(lambda o, a, k: seen.append("pre"))
        >>> h2 = opt.register_step_post_hook(lambda o, a, k: seen.append("post"))
        >>> opt.step(); seen
        ['pre', 'post']
        """
        return self._add_step_hook(0, hook)

    def register_step_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` after each ``step``."""
        return self._add_step_hook(1, hook)

    def _add_step_hook(self, which: int, hook: Callable[..., Any]) -> RemovableHandle:
        hooks = self.__dict__.setdefault("_step_hooks", ({}, {}))
        handle = RemovableHandle(hooks[which])
        hooks[which][handle.id] = hook
        return handle

    # ------------------------------------------------------------ groups
    def add_param_group(self, param_group: Dict[str, Any]) -> None:
        """Add a parameter group (a dict with ``'params'`` and optional hyperparameters).

        Useful to unfreeze layers while training; missing hyperparameters take the defaults.

        >>> import autograd_core as ag
        >>> from autograd_core.optim import Adam
        >>> opt = Adam([ag.zeros(2, requires_grad=True)], lr=1e-3)
        >>> opt.add_param_group({"params": [ag.zeros(1, requires_grad=True)], "lr": 1e-4})
        >>> [g["lr"] for g in opt.param_groups]
        [0.001, 0.0001]
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {_typename(param_group)}")
        if "params" not in param_group:
            raise ValueError("param_group must have a 'params' entry, got keys "
                             f"{sorted(map(str, param_group))}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)

        tensors, names = [], []
        for p in params:
            if isinstance(p, tuple) and len(p) == 2:
                names.append(p[0])
                tensors.append(p[1])
            else:
                tensors.append(p)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. "
                                 "Some param names are missing")
            param_group["param_names"] = names

        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                f"{_typename(p)}")
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        self._check_group(param_group)

        ids = [id(p) for p in tensors]
        if len(ids) != len(set(ids)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error", stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def _check_group(self, group: Dict[str, Any]) -> None:
        """Subclasses validate a group's hyperparameters here (a group may override defaults)."""

    # -------------------------------------------------------------- grads
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors (to None by default, as PyTorch).

        >>> import autograd_core as ag
        >>> from autograd_core.optim import SGD
        >>> w = ag.ones(2, requires_grad=True); (w * 3).sum().backward()
        >>> opt = SGD([w]); opt.zero_grad(set_to_none=False); w.grad
        tensor([0., 0.])
        """
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g.numpy()[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} does not implement step()")

    @staticmethod
    def _closure(closure: Callable[[], Any] | None) -> Any:
        """Run ``closure`` with gradients enabled (as PyTorch) and return its loss."""
        if closure is None:
            return None
        with ag.enable_grad():
            return closure()

    # ------------------------------------------------------------- state dicts
    def state_dict(self) -> StateDict:
        """The optimizer's state in PyTorch's layout.

        ``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``: parameters are
        replaced by their position across all groups, so the dict does not hold the model's
        tensors. The per-parameter buffers are the live tensors (not copies), as in PyTorch.

        >>> import autograd_core as ag
        >>> from autograd_core.optim import SGD
        >>> w = ag.ones(2, requires_grad=True); opt = SGD([w], lr=0.1, momentum=0.9)
        >>> (w * w).sum().backward(); opt.step()
        >>> sd = opt.state_dict()
        >>> sd["param_groups"][0]["params"], sd["state"][0]["momentum_buffer"]
        ([0], tensor([2., 2.]))
        """
        mapping: Dict[int, int] = {}
        start = 0

        def pack(group: Dict[str, Any]) -> Dict[str, Any]:
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        groups = [pack(g) for g in self.param_groups]
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: StateDict) -> None:
        """Load a state from ``state_dict()`` (of this optimizer type, same group sizes).

        Buffers are copied and cast to their parameter's floating dtype; ``step`` counters are
        kept as they are. NumPy arrays are accepted wherever tensors are.

        >>> import autograd_core as ag
        >>> from autograd_core.optim import Adam
        >>> w = ag.ones(2, requires_grad=True); opt = Adam([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step()
        >>> opt2 = Adam([ag.ones(2, requires_grad=True)], lr=0.5)
        >>> opt2.load_state_dict(opt.state_dict())
        >>> opt2.param_groups[0]["lr"], float(opt2.state[opt2.param_groups[0]["params"][0]]["step"])
        (0.1, 1.0)
        """
        if not isinstance(state_dict, dict) or "state" not in state_dict \
                or "param_groups" not in state_dict:
            got = sorted(map(str, state_dict)) if isinstance(state_dict, dict) \
                else type(state_dict).__name__
            raise ValueError("load_state_dict: expected a dict with 'state' and 'param_groups' "
                             f"(from Optimizer.state_dict()), got {got}")
        groups = self.param_groups
        saved_groups = deepcopy(list(state_dict["param_groups"]))
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups: "
                             f"the optimizer has {len(groups)}, the state dict has "
                             f"{len(saved_groups)}")
        for i, (g, s) in enumerate(zip(groups, saved_groups)):
            if not isinstance(s, dict) or "params" not in s:
                raise ValueError(f"load_state_dict: param_groups[{i}] is not a dict with 'params'")
            if len(g["params"]) != len(s["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match "
                                 f"the size of optimizer's group: group {i} has "
                                 f"{len(g['params'])} parameters in the optimizer and "
                                 f"{len(s['params'])} in the state dict")
        id_map = dict(zip(chain.from_iterable(s["params"] for s in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                if isinstance(v, dict):
                    for key, value in v.items():
                        value = _cast(param, value, key)
                        if self._state_shaped_like_params and key != "step" and \
                                isinstance(value, Tensor) and \
                                value.shape != param.shape and value.ndim > 0:
                            raise ValueError(f"load_state_dict: state[{k!r}][{key!r}] has shape "
                                             f"{tuple(value.shape)} but its parameter has shape "
                                             f"{tuple(param.shape)}")
                        state[param][key] = value
                else:
                    state[param] = _cast(param, v)
            else:
                state[k] = v

        new_groups = []
        for g, s in zip(groups, saved_groups):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
            new_groups.append(s)
        self.state = state
        self.param_groups = new_groups
        for group in self.param_groups:  # groups saved by an older layout may lack new keys
            for name, default in self.defaults.items():
                if default is not required:
                    group.setdefault(name, default)

    # ----------------------------------------------------------------- repr
    def __repr__(self) -> str:
        s = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    def __getstate__(self) -> Dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)


def _cast(param: Tensor, value: Any, key: Any = None) -> Any:
    """A copy of a saved state value, as a Tensor cast to the parameter's float dtype."""
    if isinstance(value, (Tensor, np.ndarray)):
        arr = value.detach().numpy() if isinstance(value, Tensor) else value
        if key == "step":
            return ag.from_numpy(np.array(arr, copy=True))
        dtype = param.dtype if param.dtype.kind in "fc" else arr.dtype
        return ag.from_numpy(np.array(arr, dtype=dtype, copy=True))
    if key == "step" and isinstance(value, (int, float, np.integer, np.floating)):
        return ag.tensor(float(value), dtype=np.float32)  # PyTorch keeps steps as float32 tensors
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(param, v) for v in value)
    return value


# ----------------------------------------------------------- argument checks
# PyTorch's messages, word for word, so that errors read the same after a port.
def _check_nonneg(name: str, value: Any, label: str | None = None) -> None:
    label = label or name
    try:
        ok = 0.0 <= value
    except TypeError:
        raise TypeError(f"{name} must be a number, got {_typename(value)}") from None
    if not ok:
        raise ValueError(f"Invalid {label}: {value}")


def _check_betas(betas: Any) -> Tuple[float, float]:
    """``betas`` as a pair of floats in ``[0, 1)``, or PyTorch's ValueError.

    >>> _check_betas((0.9, 0.999))
    (0.9, 0.999)
    >>> _check_betas((1.0, 0.9))
    Traceback (most recent call last):
    ...
    ValueError: Invalid beta parameter at index 0: 1.0
    """
    try:
        betas = tuple(betas)
    except TypeError:
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}") from None
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    for i, b in enumerate(betas):
        if not 0.0 <= b < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {b}")
    return float(betas[0]), float(betas[1])


def _check_adam_args(lr: Any, betas: Any, eps: Any, weight_decay: Any) -> Tuple[float, float]:
    """The checks of the Adam family (Adam, AdamW, NAdam, RAdam, Adamax): ``lr``, ``eps``,
    ``betas`` and ``weight_decay``, in PyTorch's order; returns the betas as floats."""
    _check_nonneg("lr", lr, "learning rate")
    _check_nonneg("eps", eps, "epsilon value")
    pair = _check_betas(betas)
    _check_nonneg("weight_decay", weight_decay, "weight_decay value")
    return pair


def _unsupported(name: str, **flags: Any) -> None:
    """Reject the PyTorch flags that make no sense for in-place NumPy updates."""
    for flag, value in flags.items():
        if value:
            raise NotImplementedError(f"{name}({flag}=True) is not supported: optimizers here "
                                      "update NumPy arrays in place on the CPU, outside the graph")


# ------------------------------------------------- the steps update rules share
def _grads(group: Dict[str, Any]) -> Iterator[Tuple[Tensor, np.ndarray, np.ndarray]]:
    """(param, param array, grad array) for the params of ``group`` that have a gradient.

    The arrays are the tensors' own memory (``detach().numpy()`` shares it); the caller
    updates the param array in place, so ``mark_dirty`` puts its version up (as PyTorch's
    in-place updates do: a graph that saved the old value can no longer backward)."""
    for p in group["params"]:
        g = p.grad
        if g is not None:
            pd = p.detach().numpy()
            try:
                gd = g.numpy()
            except RuntimeError:  # a gradient with a graph, from backward(create_graph=True)
                gd = g.detach().numpy()
            if gd.shape != pd.shape:
                raise RuntimeError(f"the gradient of a parameter of shape {pd.shape} has "
                                   f"shape {gd.shape}")
            mark_dirty(p)
            yield p, pd, gd


def _step_tensor(value: float = 0.0) -> Tensor:
    # PyTorch keeps the step counter as a 0-d tensor: float64 when that is the default dtype,
    # else float32 (torch.optim.optimizer._get_scalar_dtype).
    dtype = np.float64 if ag.get_default_dtype() == np.float64 else np.float32
    return ag.from_numpy(np.full((), value, dtype=dtype))


def _zeros(p: Tensor) -> Tensor:
    return ag.from_numpy(np.zeros_like(p.detach().numpy()))


def _count_step(state: Dict[str, Any]) -> float:
    """Add one to ``state['step']`` (in its own dtype, as PyTorch) and return the new count."""
    step = state["step"].numpy()
    step += 1
    return float(step)


def _weight_decay(g: np.ndarray, pd: np.ndarray, lr: float, wd: float,
                  decoupled: bool = False) -> np.ndarray:
    """L2 weight decay: ``wd * p`` added to the gradient, or with ``decoupled`` (AdamW's)
    the parameter shrunk in place by ``1 - lr * wd``. Returns the gradient to use."""
    if wd != 0:
        if decoupled:
            pd *= 1 - lr * wd
        else:
            g = g + wd * pd
    return g


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """``start.lerp_(end, weight)`` with PyTorch's formula (exact at both ends)."""
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        np.subtract(end, (end - start) * (1 - weight), out=start)


def _update_moments(state: Dict[str, Any], g: np.ndarray, beta1: float,
                    beta2: float) -> Tuple[np.ndarray, np.ndarray]:
    """Adam's running moments, in place: ``exp_avg`` moves to ``g`` by ``1 - beta1`` and
    ``exp_avg_sq`` to ``g * g`` by ``1 - beta2``. Returns the two arrays."""
    m = state["exp_avg"].numpy()
    v = state["exp_avg_sq"].numpy()
    _lerp_(m, g, 1 - beta1)
    v *= beta2
    v += (1 - beta2) * g * g
    return m, v


# An update of at least this many elements per part is split over the library's threads
# (``set_num_threads``); NumPy lets go of the GIL inside each operation, so the parts of
# one parameter's update run at the same time. Elementwise rules only: the numbers are the
# same however the elements are split.
_SPLIT_MIN = 1 << 18


def _split_update(update: Callable[[Any], None], n: int, arrays: Iterable[np.ndarray]) -> None:
    """``update(None)`` for the whole parameter, or ``update(part)`` for contiguous
    slices ``part`` of its flattened arrays, one per thread, when it is large and
    ``arrays`` (those the update writes) are all C-contiguous."""
    if n < 2 * _SPLIT_MIN or ag.get_num_threads() < 2 or \
            not all(a.flags.c_contiguous for a in arrays):
        update(None)
        return
    ag.kernels.parallel_for(lambda lo, hi: update(slice(lo, hi)), n, grain=_SPLIT_MIN)


def _per_element(v: Any, n: int) -> bool:
    """Whether the state entry ``v`` is a per-element buffer of a parameter of ``n``
    elements (a step counter or other scalar is not)."""
    return isinstance(v, Tensor) and v.ndim > 0 and v.numel() == n


def _state_part(state: Dict[str, Any], part: slice, n: int) -> Dict[str, Any]:
    """``state`` with each per-element buffer replaced by a view of the slice ``part`` of
    it: the rule's writes land in the real buffers."""
    return {k: ag.from_numpy(v.numpy().reshape(-1)[part]) if _per_element(v, n) else v
            for k, v in state.items()}


class _ParamwiseOptimizer(Optimizer):
    """The loop of the rules that update each parameter from its own gradient and state
    (all but SGD), PyTorch's order: on a parameter's first step its state is made
    (``_init_state``); then the step is counted, the gradient negated when maximizing and
    the weight decay applied (decoupled where the class has a ``decoupled_weight_decay``
    option and the group turns it on), and ``_update`` applies the rule itself."""

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()``'s loss (or None)."""
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            wd = group["weight_decay"]
            maximize = group["maximize"]
            decoupled = "decoupled_weight_decay" in self.defaults and \
                group["decoupled_weight_decay"]
            for p, pd, g in _grads(group):
                state = self.state[p]
                if len(state) == 0:
                    self._init_state(p, group)
                step = _count_step(state)

                def update(part: Any, pd: np.ndarray = pd, g: np.ndarray = g,
                           state: Dict[str, Any] = state, step: float = step) -> None:
                    if part is not None:
                        state = _state_part(state, part, pd.size)
                        pd, g = pd.reshape(-1)[part], g.reshape(-1)[part]
                    if maximize:
                        g = -g
                    g = _weight_decay(g, pd, lr, wd, decoupled)
                    self._update(group, state, pd, g, step)
                if self._elementwise:
                    buffers = [v.numpy() for v in state.values() if _per_element(v, pd.size)]
                    _split_update(update, pd.size, [pd] + buffers)
                else:
                    update(None)
        return loss

    # The rule reads and writes each element of the parameter and its buffers on its own
    # (no state shared by the elements is changed), so it may run on parts of them.
    _elementwise = True

    _state_buffers: Tuple[str, ...] = ()  # what ``_buffers`` gives where groups do not vary

    def _buffers(self, group: Dict[str, Any]) -> Tuple[str, ...]:
        """The names of the state tensors (zeros like the parameter) a parameter of ``group``
        starts with, after its step counter."""
        return self._state_buffers

    def _init_state(self, p: Tensor, group: Dict[str, Any]) -> None:
        state = self.state[p]
        state["step"] = _step_tensor()
        for name in self._buffers(group):
            state[name] = _zeros(p)

    def _update(self, group: Dict[str, Any], state: Dict[str, Any], pd: np.ndarray,
                g: np.ndarray, step: float) -> None:
        """Update the parameter array ``pd`` in place from the prepared gradient ``g``, at
        this parameter's step number ``step``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _update()")
