"""Function transforms (``torch.func``): ``grad``, ``grad_and_value``, ``vjp``, ``jvp``,
``jacrev``, ``jacfwd``, ``hessian``, ``vmap``, ``functional_call`` and ``stack_module_state``.

Built on the reverse-mode engine, not on functorch's levels of wrapped tensors:

- ``grad``-like transforms run ``func`` on fresh leaves and call ``autograd.grad``. Inside
  another transform (or when an input already has a graph) they keep the graph of the
  gradient (``create_graph``), so that they compose: ``grad(grad(f))`` is the second
  derivative. At the outermost level the results are detached, as PyTorch's.
- ``jvp`` and ``jacfwd`` use the double-vjp trick and the reverse loop, so ``jacfwd`` gives
  the same values as ``jacrev``.
- ``vmap`` is a loop over the mapped dimension that calls ``func`` on slices and stacks
  the results. It gives PyTorch's values, with no vectorization.

Arguments and results may be nested tuples, lists and dicts of tensors.

>>> import autograd_core as ag
>>> from autograd_core.func import grad, vmap
>>> grad(lambda x: (x ** 3).sum())(ag.tensor([1.0, 2.0]))
tensor([ 3., 12.])
>>> vmap(ag.dot)(ag.ones(3, 2), ag.ones(3, 2))
tensor([2., 2., 2.])
"""
from __future__ import annotations

import contextlib
import functools
import threading
from typing import Any, Callable, Iterator, Sequence

from .autograd import enable_grad, is_grad_enabled
from .autograd.functional import _grad
from .tensor import Tensor

__all__ = ["vmap", "grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian",
           "functional_call", "stack_module_state"]


# ----------------------------------------------------------------- nested structures
# A spec is None for a leaf, else (kind, keys, child specs): kind is tuple, list, dict or
# a namedtuple class; keys are a dict's keys in order.
def _flatten(obj: Any) -> tuple[list, Any]:
    if isinstance(obj, (tuple, list)):
        kind = type(obj) if (isinstance(obj, list) or type(obj) is tuple
                             or hasattr(obj, "_fields")) else tuple
        leaves, specs = [], []
        for x in obj:
            sub, spec = _flatten(x)
            leaves += sub
            specs.append(spec)
        return leaves, (kind, None, tuple(specs))
    if isinstance(obj, dict):
        leaves, specs = [], []
        for x in obj.values():
            sub, spec = _flatten(x)
            leaves += sub
            specs.append(spec)
        return leaves, (dict, tuple(obj), tuple(specs))
    return [obj], None


def _unflatten(leaves: Sequence, spec: Any) -> Any:
    it = iter(leaves)

    def build(spec: Any) -> Any:
        if spec is None:
            return next(it)
        kind, keys, children = spec
        items = [build(c) for c in children]
        if kind is dict:
            return dict(zip(keys, items))
        if hasattr(kind, "_fields"):
            return kind(*items)
        return kind(items)
    return build(spec)


def _spec_str(spec: Any) -> str:
    if spec is None:
        return "*"
    kind, keys, children = spec
    inner = ", ".join(_spec_str(c) for c in children)
    if kind is dict:
        return "{" + ", ".join(f"{k!r}: {_spec_str(c)}" for k, c in zip(keys, children)) + "}"
    if kind is list:
        return f"[{inner}]"
    return f"({inner}{',' if len(children) == 1 else ''})"


def _map_tensors(fn: Callable[[Tensor], Any], obj: Any) -> Any:
    leaves, spec = _flatten(obj)
    return _unflatten([fn(x) if isinstance(x, Tensor) else x for x in leaves], spec)


# ----------------------------------------------------------------- the transform levels
_LEVELS = threading.local()


@contextlib.contextmanager
def _level() -> Iterator[bool]:
    """Enter a differentiating transform; yields whether it runs inside another one."""
    depth = getattr(_LEVELS, "depth", 0)
    _LEVELS.depth = depth + 1
    try:
        yield depth > 0
    finally:
        _LEVELS.depth = depth


def _inside_transform() -> bool:
    return getattr(_LEVELS, "depth", 0) > 0


def _leaves_to_differentiate(leaves: list, nested: bool, api: str) -> tuple[list, bool]:
    """Fresh leaves that require grad for ``leaves``, and whether the gradients must keep
    their graph: inside another transform, or when an input is itself part of a graph (then
    the fresh leaf is a ``clone``, so the outer graph reaches the results)."""
    for x in leaves:
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    keep = nested or (is_grad_enabled() and any(x.requires_grad for x in leaves))
    with enable_grad():
        fresh = [x.clone() if keep and x.requires_grad else x.detach().requires_grad_()
                 for x in leaves]
    return fresh, keep


def _zeros_for_none(grads: Sequence, refs: Sequence) -> list:
    import autograd_core
    return [autograd_core.zeros_like(r) if g is None else g for g, r in zip(grads, refs)]


def _finish(obj: Any, keep: bool) -> Any:
    return obj if keep else _map_tensors(lambda t: t.detach(), obj)


# ----------------------------------------------------------------- argnums
def _wrap_argnum(argnum: Any, num_args: int) -> int:
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def _argnums(argnums: Any, num_args: int) -> int | tuple[int, ...]:
    if isinstance(argnums, int):
        return _wrap_argnum(argnums, num_args)
    if isinstance(argnums, tuple):
        if len(argnums) == 0:
            raise RuntimeError("argnums must be non-empty")
        if len(set(argnums)) != len(argnums):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
        return tuple(_wrap_argnum(a, num_args) for a in argnums)
    raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")


def _select_args(args: tuple, argnums: int | tuple[int, ...]) -> Any:
    return args[argnums] if isinstance(argnums, int) else tuple(args[i] for i in argnums)


def _replace_args(args: tuple, new: Any, argnums: int | tuple[int, ...]) -> tuple:
    if isinstance(argnums, int):
        return tuple(new if i == argnums else a for i, a in enumerate(args))
    return tuple(new[argnums.index(i)] if i in argnums else a for i, a in enumerate(args))


def _split_aux(output: Any, has_aux: bool, api: str) -> tuple[Any, Any]:
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if "
                           "has_aux is True")
    return output


# ----------------------------------------------------------------- grad and vjp
def _call_on_fresh_leaves(func: Callable[..., Any], args: tuple, kwargs: dict,
                          argnums: Any, has_aux: bool, api: str, nested: bool) -> tuple:
    """``func(*args, **kwargs)`` with grad enabled and the tensors of the arguments
    ``argnums`` replaced by fresh leaves to differentiate: ``(fresh, keep, spec, output,
    aux)``, ``spec`` the structure of those arguments and ``keep`` whether the results
    keep their graph (inside another transform)."""
    nums = _argnums(argnums, len(args))
    leaves, spec = _flatten(_select_args(args, nums))
    fresh, keep = _leaves_to_differentiate(leaves, nested, api)
    with enable_grad():
        output = func(*_replace_args(args, _unflatten(fresh, spec), nums), **kwargs)
    output, aux = _split_aux(output, has_aux, api)
    return fresh, keep, spec, output, aux


def grad_and_value(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0,
                   has_aux: bool = False) -> Callable[..., Any]:
    """Like :func:`grad`, but the new function returns ``(gradient, value)`` (with
    ``has_aux``: ``(gradient, (value, aux))``).

    >>> import autograd_core as ag
    >>> from autograd_core.func import grad_and_value
    >>> grad_and_value(lambda x: x ** 2)(ag.tensor(3.0))
    (tensor(6.), tensor(9.))
    """
    api = "grad_and_value(f)(*args)"

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _level() as nested:
            fresh, keep, spec, output, aux = _call_on_fresh_leaves(
                func, args, kwargs, argnums, has_aux, api, nested)
            with enable_grad():
                if not isinstance(output, Tensor):
                    raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got "
                                       f"{type(output)}")
                if output.dim() != 0:
                    raise RuntimeError(f"{api}: Expected f(*args) to return a scalar Tensor, got "
                                       f"tensor with {output.dim()} dims. Maybe you wanted to use "
                                       "the vjp or jacrev APIs instead?")
                grads = _grad((output,), tuple(fresh), create_graph=keep)
            grads = _finish(_unflatten(_zeros_for_none(grads, fresh), spec), keep)
            output = _finish(output, keep)
            if has_aux:
                return grads, (output, _finish(aux, keep))
            return grads, output
    return wrapper


def grad(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0,
         has_aux: bool = False) -> Callable[..., Any]:
    """The gradient of the scalar function ``func`` with respect to its argument(s)
    ``argnums`` (an int, or a tuple of ints for a tuple of gradients). An argument may be a
    nested tuple, list or dict of tensors (a dict of parameters): its gradient has the same
    structure. Transforms compose: ``grad(grad(f))`` is the second derivative.

    >>> import autograd_core as ag
    >>> from autograd_core.func import grad
    >>> x = ag.tensor(2.0)
    >>> grad(lambda x: x ** 3)(x), grad(grad(lambda x: x ** 3))(x)
    (tensor(12.), tensor(12.))
    >>> grad(lambda p: (p["w"] * p["b"]).sum())({"w": ag.tensor([3.0]), "b": ag.tensor([5.0])})
    {'w': tensor([5.]), 'b': tensor([3.])}
    """
    inner = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        grads, value = inner(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads
    return wrapper


def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple:
    """``(func(*primals), vjp_fn)``; ``vjp_fn(cotangents)`` (cotangents shaped as the output)
    returns a tuple with one vector-Jacobian product per primal. It may be called many times.
    With ``has_aux``: ``(output, vjp_fn, aux)``.

    >>> import autograd_core as ag
    >>> from autograd_core.func import vjp
    >>> out, vjp_fn = vjp(lambda x: x ** 2, ag.tensor([1.0, 2.0]))
    >>> vjp_fn(ag.tensor([1.0, 10.0]))
    (tensor([ 2., 40.]),)
    """
    api = "vjp(f, *primals)"
    with _level() as nested:
        leaves, spec = _flatten(primals)
        fresh, keep = _leaves_to_differentiate(leaves, nested, api)
        with enable_grad():
            output = func(*_unflatten(fresh, spec))
        output, aux = _split_aux(output, has_aux, api)
        flat_out, out_spec = _flatten(output)
        if not flat_out:
            raise RuntimeError(f"{api}: Expected f to be a function that has non-empty output "
                               f"(got output = {output})")
        for o in flat_out:
            if not isinstance(o, Tensor):
                raise RuntimeError(f"{api}: Expected f(*primals) to return only tensors, got "
                                   f"unsupported type {type(o)}")

    def vjp_fn(cotangents: Any, *, retain_graph: bool = True,
               create_graph: bool | None = None) -> tuple:
        flat_ct, ct_spec = _flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree "
                               "structure of outputs to the function. cotangents: "
                               f"{_spec_str(ct_spec)}, primal output: {_spec_str(out_spec)}")
        graph = create_graph
        if graph is None:
            graph = keep or _inside_transform() or any(
                isinstance(c, Tensor) and c.requires_grad for c in flat_ct)
        with enable_grad():
            grads = _grad(tuple(flat_out), tuple(fresh), tuple(flat_ct), create_graph=graph,
                          retain_graph=retain_graph)
        return _finish(_unflatten(_zeros_for_none(grads, fresh), spec), graph)

    output = _finish(output, keep)
    if has_aux:
        return output, vjp_fn, _finish(aux, keep)
    return output, vjp_fn


def jvp(func: Callable[..., Any], primals: tuple, tangents: tuple, *, strict: bool = False,
        has_aux: bool = False) -> tuple:
    """``(func(*primals), J @ tangents)``: the Jacobian-vector product, by the double-vjp
    trick. ``tangents`` has the structure of ``primals``. With ``has_aux``:
    ``(output, jvp_out, aux)``.

    >>> import autograd_core as ag
    >>> from autograd_core.func import jvp
    >>> jvp(lambda x: x ** 2, (ag.tensor([1.0, 2.0]),), (ag.tensor([1.0, 10.0]),))
    (tensor([1., 4.]), tensor([ 2., 40.]))
    """
    import autograd_core
    api = "jvp(f, primals, tangents)"
    if strict:
        raise RuntimeError(f"{api} strict=True: not implemented (PyTorch does not implement it "
                           "either)")
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{api}: Expected primals to be a tuple. E.g. it should be valid to "
                           "call f(*primals).")
    leaves, spec = _flatten(primals)
    flat_tan, tan_spec = _flatten(tangents)
    if spec != tan_spec:
        raise RuntimeError(f"{api}: Expected primals and tangents to have the same python "
                           "structure. For example, if primals is a tuple of 3 tensors, tangents "
                           f"also must be. Got primals with structure {_spec_str(spec)} and "
                           f"tangents with structure {_spec_str(tan_spec)}")
    for what, flat in (("primals", leaves), ("tangents", flat_tan)):
        if not flat:
            raise RuntimeError(f"{api}: Expected {what} to be a non-empty list of Tensors")
        if not all(isinstance(t, Tensor) for t in flat):
            raise RuntimeError(f"{api}: Expected {what} to only contain Tensors, got a "
                               "non-Tensor")
    for p, t in zip(leaves, flat_tan):
        if p.shape != t.shape:
            raise RuntimeError(f"{api}: Expected primals and tangents to have the same shape, "
                               f"got {tuple(p.shape)} and {tuple(t.shape)}")
    with _level() as nested:
        fresh, keep = _leaves_to_differentiate(leaves, nested, api)
        keep = keep or any(t.requires_grad for t in flat_tan)
        with enable_grad():
            output = func(*_unflatten(fresh, spec))
            output, aux = _split_aux(output, has_aux, api)
            flat_out, out_spec = _flatten(output)
            for o in flat_out:
                if not isinstance(o, Tensor):
                    raise RuntimeError(f"{api}: Expected f(*primals) to return only tensors, got "
                                       f"unsupported type {type(o)}")
            dummies = tuple(autograd_core.zeros_like(o, requires_grad=True) for o in flat_out)
            back = _grad(tuple(flat_out), tuple(fresh), dummies, create_graph=True)
            used = [(b, t) for b, t in zip(back, flat_tan) if b is not None]
            if used:
                bs, ts = zip(*used)
                res = _grad(bs, dummies, ts, create_graph=keep)
            else:
                res = (None,) * len(dummies)
        out_tangents = _unflatten(_zeros_for_none(res, flat_out), out_spec)
        result = (_finish(output, keep), _finish(out_tangents, keep))
        return result + (_finish(aux, keep),) if has_aux else result


# ----------------------------------------------------------------- Jacobians
def _jacobian_transform(func: Callable[..., Any], argnums: int | tuple[int, ...],
                        has_aux: bool, api: str) -> Callable[..., Any]:
    import autograd_core

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _level() as nested:
            fresh, keep, spec, output, aux = _call_on_fresh_leaves(
                func, args, kwargs, argnums, has_aux, api, nested)
            with enable_grad():
                flat_out, out_spec = _flatten(output)
                per_output = []
                for o in flat_out:
                    if not isinstance(o, Tensor):
                        raise RuntimeError(f"{api}: Expected f to return only tensors, got "
                                           f"unsupported type {type(o)}")
                    rows: list[list] = [[] for _ in fresh]
                    flat = o.reshape(-1)
                    for k in range(o.numel()):
                        gs = _grad((flat[k],), tuple(fresh), create_graph=keep, retain_graph=True)
                        for row, g in zip(rows, _zeros_for_none(gs, fresh)):
                            row.append(g)
                    jacs = [(autograd_core.stack(row) if row else
                             autograd_core.zeros(0, *x.shape, dtype=x.dtype))
                            .reshape(tuple(o.shape) + tuple(x.shape)) for row, x in zip(rows, fresh)]
                    per_output.append(_unflatten(jacs, spec))
            jac = _finish(_unflatten(per_output, out_spec), keep)
            return (jac, _finish(aux, keep)) if has_aux else jac
    return wrapper


def jacrev(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, *,
           has_aux: bool = False, chunk_size: int | None = None,
           _preallocate_and_copy: bool = False) -> Callable[..., Any]:
    """The Jacobian of ``func`` with respect to argument(s) ``argnums``, one vjp per output
    element: for an output of shape ``o`` and an input of shape ``i``, shape ``o + i``.
    ``chunk_size`` is accepted and changes nothing here.

    >>> import autograd_core as ag
    >>> from autograd_core.func import jacrev
    >>> jacrev(lambda x: x ** 2)(ag.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f"jacrev: `chunk_size` should be greater than 0. Got {chunk_size}")
    return _jacobian_transform(func, argnums, has_aux, "jacrev(f, argnums)(*args)")


def jacfwd(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False,
           *, randomness: str = "error") -> Callable[..., Any]:
    """The Jacobian of ``func`` with respect to argument(s) ``argnums``, as PyTorch's
    forward-mode ``jacfwd``; computed here by the same loop of vjps as :func:`jacrev`.

    >>> import autograd_core as ag
    >>> from autograd_core.func import jacfwd
    >>> jacfwd(lambda x: x.sum() * x)(ag.tensor([1.0, 2.0]))
    tensor([[4., 1.],
            [2., 5.]])
    """
    _check_randomness(randomness)
    return _jacobian_transform(func, argnums, has_aux, "jacfwd(f, argnums)(*args)")


def hessian(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """The Hessian of the scalar function ``func`` with respect to argument(s) ``argnums``:
    ``jacfwd(jacrev(func, argnums), argnums)``.

    >>> import autograd_core as ag
    >>> from autograd_core.func import hessian
    >>> hessian(lambda x: (x ** 3).sum())(ag.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    return jacfwd(jacrev(func, argnums), argnums)


# ----------------------------------------------------------------- vmap
def _check_randomness(randomness: str) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")


def _func_name(func: Any) -> str:
    if isinstance(func, functools.partial):
        return f"functools.partial({_func_name(func.func)}, ...)"
    return getattr(func, "__name__", repr(func))


def _broadcast_dims(dims: Any, obj: Any) -> list | None:
    """One dim per leaf of ``obj`` from ``dims``, a prefix of its structure (an int or None
    stands for every leaf below it); None when the structures do not match."""
    if dims is None or isinstance(dims, int):
        return [dims] * len(_flatten(obj)[0])
    if isinstance(dims, (tuple, list)) and isinstance(obj, (tuple, list)) \
            and isinstance(dims, tuple) == isinstance(obj, tuple) and len(dims) == len(obj):
        out: list = []
        for d, o in zip(dims, obj):
            sub = _broadcast_dims(d, o)
            if sub is None:
                return None
            out += sub
        return out
    if isinstance(dims, dict) and isinstance(obj, dict) and set(dims) == set(obj):
        out = []
        for k, o in obj.items():
            sub = _broadcast_dims(dims[k], o)
            if sub is None:
                return None
            out += sub
        return out
    return None


def vmap(func: Callable[..., Any], in_dims: Any = 0, out_dims: Any = 0,
         randomness: str = "error", *, chunk_size: int | None = None) -> Callable[..., Any]:
    """``func`` mapped over a dimension of its inputs: the new function calls ``func`` once
    per index of the mapped dimension (``in_dims``: an int for every input, or a structure
    matching the arguments with None for an argument that is not mapped) and stacks the
    results along ``out_dims``. Keyword arguments are passed unmapped.

    ``randomness``: 'error' raises if ``func`` draws random numbers, 'different' lets each
    call draw its own, 'same' replays the same draws for every call. ``chunk_size`` is
    accepted and changes nothing here (the map is already one call at a time).

    >>> import autograd_core as ag
    >>> from autograd_core.func import vmap
    >>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> vmap(lambda row, s: row.sum() * s, in_dims=(0, None))(x, 10.0)
    tensor([30., 70.])
    >>> vmap(ag.outer, in_dims=(1, None), out_dims=1)(x, ag.ones(1)).shape
    (2, 2, 1)
    """
    _check_randomness(randomness)
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")
    name = _func_name(func)

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        where = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
        if not isinstance(in_dims, (int, tuple)):
            raise ValueError(f"{where}: expected `in_dims` to be int or a (potentially nested) "
                             f"tuple matching the structure of inputs, got: {type(in_dims)}.")
        if not args:
            raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add "
                             "inputs, or you are trying to vmap over a function with no inputs. "
                             "The latter is unsupported.")
        flat_args, arg_spec = _flatten(args)
        flat_dims = _broadcast_dims(in_dims, args)
        if flat_dims is None:
            raise ValueError(f"{where}: in_dims is not compatible with the structure of "
                             f"`inputs`. in_dims has structure {_spec_str(_flatten(in_dims)[1])} "
                             f"but inputs has structure {_spec_str(arg_spec)}.")
        sizes = []
        for i, (d, a) in enumerate(zip(flat_dims, flat_args)):
            if d is None:
                continue
            if not isinstance(d, int):
                raise ValueError(f"{where}: Got in_dim={d} for an input but in_dim must be "
                                 "either an integer dimension or None.")
            if not isinstance(a, Tensor):
                raise ValueError(f"{where}: Got in_dim={d} for an input but the input is of type "
                                 f"{type(a)}. We cannot vmap over non-Tensor arguments, please "
                                 "use None as the respective in_dim")
            if not -a.dim() <= d < a.dim():
                raise ValueError(f"{where}: Got in_dim={d} for some input, but that input is a "
                                 f"Tensor of dimensionality {a.dim()} so expected in_dim to "
                                 f"satisfy -{a.dim()} <= in_dim < {a.dim()}.")
            flat_dims[i] = d % a.dim()
            sizes.append(a.shape[flat_dims[i]])
        if not sizes:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if any(s != sizes[0] for s in sizes):
            raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sizes} for the mapped dimension")
        return _run_map(func, name, flat_args, flat_dims, arg_spec, kwargs, sizes[0],
                        out_dims, randomness)
    return wrapped


def _run_map(func: Callable[..., Any], name: str, flat_args: list, flat_dims: list,
             arg_spec: Any, kwargs: dict, size: int, out_dims: Any, randomness: str) -> Any:
    import autograd_core
    gen = autograd_core.random.default_generator
    start = gen.get_state()
    results = []
    for b in range(size):
        if randomness == "same":
            gen.set_state(start)
        sliced = [a if d is None else a.select(d, b) for a, d in zip(flat_args, flat_dims)]
        results.append(func(*_unflatten(sliced, arg_spec), **kwargs))
        if b == 0 and randomness == "error" and gen.get_state() != start:
            raise RuntimeError("vmap: called random operation while in randomness error mode. "
                               "Please either use the 'same' or 'different' randomness flags on "
                               "vmap or perform the randomness operation out of vmap")
    flat_first, out_spec = _flatten(results[0])
    columns = [_flatten(r)[0] for r in results]
    if size == 0:
        raise ValueError(f"vmap({name}, ...): the mapped dimension has size 0, which this loop "
                         "cannot map over")
    dims = out_dims
    if isinstance(results[0], Tensor) and isinstance(dims, tuple) and len(dims) == 1:
        dims = dims[0]
    if not (dims is None or isinstance(dims, (int, tuple, list))):
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, "
                         "None or a python collection of ints representing where in the outputs "
                         "the vmapped dimension should appear.")
    flat_out_dims = _broadcast_dims(dims, results[0])
    if flat_out_dims is None:
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
                         "compatible with the structure of `outputs`. out_dims has structure "
                         f"{_spec_str(_flatten(dims)[1])} but outputs has structure "
                         f"{_spec_str(out_spec)}.")
    stacked = []
    for k, d in enumerate(flat_out_dims):
        if d is None:
            stacked.append(flat_first[k])
            continue
        column = [c[k] for c in columns]
        if not all(isinstance(t, Tensor) for t in column):
            bad = next(type(t) for t in column if not isinstance(t, Tensor))
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                             f"{bad}. Did you mean to set out_dims= to None for output?")
        stacked.append(autograd_core.stack(column, dim=d))
    return _unflatten(stacked, out_spec)


# ----------------------------------------------------------------- modules as functions
def _named_tensors(module: Any) -> dict[str, Any]:
    """Every parameter and buffer of ``module`` by dotted name, tied ones under each name."""
    found: dict[str, Any] = {}
    stack = [("", module)]
    seen: set = set()
    while stack:
        prefix, mod = stack.pop()
        if id(mod) in seen:
            continue
        seen.add(id(mod))
        for store in ("_parameters", "_buffers"):
            for k, v in getattr(mod, store, {}).items():
                if v is not None:
                    found[prefix + k] = v
        for k, sub in reversed(list(getattr(mod, "_modules", {}).items())):
            if sub is not None:
                stack.append((f"{prefix}{k}.", sub))
    return found


def _untie(module: Any, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with every name tied to a given one (the same tensor in the module) set
    to the given value too; two different values for tied names are an error."""
    names_of: dict[int, set] = {}
    owned = _named_tensors(module)
    for name, t in owned.items():
        names_of.setdefault(id(t), set()).add(name)
    tied = {n: names for names in names_of.values() if len(names) > 1 for n in names}
    given = [n for n in values if n in tied]
    for n in given:
        group = tied[n]
        if len(group & set(given)) > 1 and len({id(values[g]) for g in group if g in values}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(group)}, "
                             "which are tied. Consider using tie_weights=False")
    out = dict(values)
    for n in given:
        for other in tied[n]:
            out[other] = values[n]
    return out


def _owner(module: Any, name: str) -> tuple[Any, str]:
    *path, leaf = name.split(".")
    for p in path:
        module = getattr(module, p)
    return module, leaf


_MISSING = object()


@contextlib.contextmanager
def _swapped(module: Any, values: dict[str, Any]) -> Iterator[None]:
    """The module with ``values`` in place of its parameters and buffers (a name it does not
    have becomes a plain attribute), restored on exit even after an exception."""
    undo = []
    try:
        for name, value in values.items():
            owner, leaf = _owner(module, name)
            for store in ("_parameters", "_buffers"):
                table = owner.__dict__.get(store)
                if table is not None and leaf in table:
                    undo.append((table, leaf, table[leaf]))
                    table[leaf] = value
                    break
            else:
                undo.append((owner.__dict__, leaf, owner.__dict__.get(leaf, _MISSING)))
                owner.__dict__[leaf] = value
        yield
    finally:
        for table, key, old in reversed(undo):
            if old is _MISSING:
                table.pop(key, None)
            else:
                table[key] = old


def functional_call(module: Any, parameter_and_buffer_dicts: dict | Sequence[dict],
                    args: Any = None, kwargs: dict | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """Call ``module`` with the tensors of ``parameter_and_buffer_dicts`` (a dict, or a
    sequence of dicts, by dotted name) in place of its parameters and buffers; they are put
    back afterwards, even when the call raises. With ``tie_weights`` a value given for one of
    several tied names is used for all of them; with ``strict`` the names must be exactly
    the module's. The per-sample-gradient recipe
    ``vmap(grad(loss), in_dims=(None, None, 0, 0))(params, buffers, x, y)`` builds on it.

    >>> import autograd_core as ag
    >>> from autograd_core import nn
    >>> from autograd_core.func import functional_call
    >>> lin = nn.Linear(2, 1)
    >>> functional_call(lin, {"weight": ag.ones(1, 2), "bias": ag.zeros(1)}, (ag.ones(2),))
    tensor([2.])
    """
    if isinstance(parameter_and_buffer_dicts, dict):
        values = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be "
                             "dictionaries")
        counts: dict[str, int] = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of "
                             "functional call is ambiguous")
        values = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of "
                         f"dicts, but got {type(parameter_and_buffer_dicts)}")
    if tie_weights:
        values = _untie(module, values)
    if strict:
        own = set(_named_tensors(module))
        unexpected = [k for k in values if k not in own]
        missing = [k for k in own if k not in values]
        errors = []
        if unexpected:
            errors.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            errors.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if errors:
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n\t"
                               + "\n\t".join(errors))
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _swapped(module, values):
        return module(*args, **kwargs)


def stack_module_state(models: Sequence[Any]) -> tuple[dict, dict]:
    """The parameters and buffers of same-class ``models`` stacked along a new first
    dimension: ``(params, buffers)`` dicts by name, ready for ``vmap`` over
    ``functional_call`` (an ensemble). Stacked parameters are new leaves that require grad.

    >>> import autograd_core as ag
    >>> from autograd_core import nn
    >>> from autograd_core.func import stack_module_state
    >>> params, buffers = stack_module_state([nn.Linear(3, 2) for _ in range(4)])
    >>> params["weight"].shape, params["weight"].requires_grad
    ((4, 2, 3), True)
    """
    import autograd_core
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same "
                           "training/eval mode.")
    if not all(type(m) is type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")

    def stacked(tensors: list, name: str) -> Tensor:
        needs = [t.requires_grad for t in tensors]
        if any(needs) and not all(needs):
            raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
        out = autograd_core.stack([t.detach() for t in tensors])
        return out.requires_grad_() if all(needs) else out

    all_params = [dict(m.named_parameters()) for m in models]
    all_buffers = [dict(m.named_buffers()) for m in models]
    params = {k: stacked([p[k] for p in all_params], k) for k in all_params[0]}
    buffers = {k: stacked([b[k] for b in all_buffers], k) for k in all_buffers[0]}
    return params, buffers
