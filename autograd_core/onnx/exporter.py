"""``export``: a model as an ONNX file, from the ops its forward pass actually ran.

1. Run the model (in eval mode, without recording gradients) under a ``Tracer``
   (``capture.py``) on the example inputs, and again on changed ones: each dynamic axis
   grown, float inputs given new values (``dims.py``). The runs must agree; what
   changes with a dynamic axis becomes shape arithmetic in the graph.
2. Keep the calls the outputs depend on, and write each with its converter
   (``optable.py``; ``ops_math``, ``ops_shape``, ``ops_nn``) into a ``GraphBuilder``.
   Parameters and buffers become initializers named by their ``state_dict`` keys.
3. Check the model with ``onnx.checker.check_model(full_check=True)`` and, when
   ``onnxruntime`` is installed and ``verify`` is on, run it there on the example
   inputs and compare with our outputs; only then write the file (atomically, for a
   path). Any failure is an ``OnnxExporterError`` naming the op and its module, never a
   file that fails later.
"""
from __future__ import annotations

import inspect
import io
import os
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..serialization.atomic import write_atomically
from ..tensor import Tensor, make
from .capture import Call, Tracer, module_hooks
from .dims import GROWTHS, Dim, Unifier, has_dim, unify_calls
from .errors import OnnxExporterError, UnsupportedOperatorError, where

DEFAULT_OPSET = 18
MIN_OPSET = 13  # Softmax over one axis, ReduceSum's axes as an input, Unsqueeze's too
MAX_OPSET = 21


def _import_onnx() -> Any:
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise ImportError("autograd_core.onnx.export needs the onnx package: pip install "
                          "'autograd-core[onnx]'") from None
    return onnx


def _flatten(out: Any, what: str = "output") -> list:
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flatten(o, what)]
    if isinstance(out, dict):
        return [t for o in out.values() for t in _flatten(o, what)]
    if out is None:
        return []
    raise OnnxExporterError(f"onnx.export: the model returned a {type(out).__name__} as an "
                            f"{what}; only tensors (in tuples, lists or dicts) can be outputs")


def _split_args(args: Any, kwargs: dict | None) -> tuple[tuple, dict]:
    if isinstance(args, Tensor):
        args = (args,)
    elif not isinstance(args, tuple):
        args = (args,) if not isinstance(args, list) else tuple(args)
    kwargs = dict(kwargs or {})
    if args and isinstance(args[-1], dict):  # PyTorch's convention: trailing kwargs
        kwargs.update(args[-1])
        args = args[:-1]
    return args, kwargs


def _default_input_names(model: Any, n: int) -> list[str]:
    fwd = getattr(model, "forward", model)
    try:
        params = [p.name for p in inspect.signature(fwd).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    names = params[:n]
    return names + [f"input_{i}" for i in range(len(names), n)]


def _axes(spec: Any, name: str) -> dict:
    """``{axis: symbol}`` from one entry of ``dynamic_axes`` (a dict or a list of axes)."""
    if isinstance(spec, dict):
        return {int(k): str(v) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return {int(a): f"{name}_dynamic_axes_{i + 1}" for i, a in enumerate(spec)}
    raise ValueError(f"onnx.export: dynamic_axes[{name!r}] must be a dict {{axis: name}} or a "
                     f"list of axes, got {type(spec).__name__}")


def _grown(x: np.ndarray, axes: list, grow: int) -> np.ndarray:
    for a in axes:
        n = x.shape[a]
        if n == 0:
            raise OnnxExporterError("onnx.export: a dynamic axis of size 0 in the example input")
        x = np.take(x, np.arange(n + grow) % n, axis=a)
    return x


def _changed(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """New values of the same kind: floats redrawn around their mean and spread."""
    if x.dtype.kind != "f" or x.size == 0:
        return x.copy()
    std = float(np.std(x)) if np.isfinite(x).all() else 1.0
    return (np.mean(x, dtype=np.float64) + (std or 1.0) * rng.standard_normal(x.shape)).astype(
        x.dtype)


def _run(model: Any, arrays: list, args: tuple, kwargs: dict, params: dict) -> tuple:
    """One traced run: ``(calls, output refs, output arrays)``."""
    inputs, it = [], iter(arrays)
    call_args = []
    for a in args:
        if isinstance(a, Tensor):
            t = make(np.asarray(next(it)))
            inputs.append(t)
            call_args.append(t)
        else:
            call_args.append(a)
    tracer = Tracer(inputs, params)
    with tracer:
        hooks = module_hooks(model, tracer)
        try:
            with no_grad():
                out = model(*call_args, **kwargs)
        finally:
            for h in hooks:
                h.remove()
        outs = _flatten(out)
        refs = [tracer.ref_of(t) for t in outs]
    return tracer.calls, refs, [t.detach().numpy().copy() for t in outs]


def _needed(calls: list[Call], roots: list) -> list[bool]:
    """Which calls the outputs depend on (their inputs and array attributes)."""
    need = [False] * len(calls)
    stack = list(roots)

    def refs(v: Any):
        if isinstance(v, tuple) and v and v[0] == "node" and len(v) == 2:
            yield v
        elif isinstance(v, (tuple, list)):
            for x in v:
                yield from refs(x)
        elif isinstance(v, dict):
            for x in v.values():
                yield from refs(x)

    for r in roots:
        pass
    stack = [r for root in roots for r in refs(root)]
    while stack:
        _, k = stack.pop()
        if need[k]:
            continue
        need[k] = True
        c = calls[k]
        stack.extend(refs(c.inputs))
        stack.extend(refs(c.attrs))
    return need


def _uses_input(calls: list[Call], need: list[bool], roots: list) -> set:
    used = set()

    def scan(v: Any) -> None:
        if isinstance(v, tuple) and len(v) == 2 and v and v[0] == "input":
            used.add(v[1])
        elif isinstance(v, (tuple, list)):
            for x in v:
                scan(x)
        elif isinstance(v, dict):
            for x in v.values():
                scan(x)

    for c, n in zip(calls, need):
        if n:
            scan(c.inputs)
            scan(c.attrs)
    scan(roots)
    return used


def export(model: Any, args: Any = (), f: Any = None, *, kwargs: dict | None = None,
           export_params: bool = True, verbose: bool | None = None,
           input_names: list[str] | None = None, output_names: list[str] | None = None,
           opset_version: int | None = None, dynamic_axes: dict | None = None,
           keep_initializers_as_inputs: bool = False, do_constant_folding: bool = True,
           training: Any = None, verify: bool = True) -> Any:
    """Export ``model`` run on ``args`` to ONNX, as ``torch.onnx.export``; returns the
    ``onnx.ModelProto`` (``f`` may be None, a path or a binary file object).

    ``dynamic_axes`` maps an input (or output) name to the axes whose size may vary:
    ``{"x": {0: "batch"}}`` or ``{"x": [0]}``. The model runs in eval mode (its modes are
    restored after). ``verify`` (not in PyTorch's signature) also runs the file in ONNX
    Runtime, when installed, and compares its outputs with ours before writing.

    >>> import os, tempfile, autograd_core as ag
    >>> from autograd_core import nn
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    >>> path = os.path.join(tempfile.mkdtemp(), "model.onnx")
    >>> proto = ag.onnx.export(model, (ag.randn(3, 4),), path, input_names=["x"],
    ...                        dynamic_axes={"x": {0: "batch"}})   # doctest: +SKIP
    >>> [n.op_type for n in proto.graph.node]                       # doctest: +SKIP
    ['Gemm', 'Relu', 'Gemm', 'Identity']
    """
    onnx = _import_onnx()
    from . import ops_math, ops_nn, ops_shape  # noqa: F401  (they fill the op table)
    from .builder import GraphBuilder, value_info
    from .optable import CONVERTERS, TRAINING_ONLY

    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    if not MIN_OPSET <= opset <= MAX_OPSET:
        raise ValueError(f"onnx.export: opset_version {opset} is not supported; use "
                         f"{MIN_OPSET} to {MAX_OPSET}")
    if not export_params:
        raise ValueError("onnx.export: export_params=False is not supported (the weights are "
                         "always written)")
    if training not in (None, False) and str(training).split(".")[-1] not in ("EVAL",):
        raise ValueError("onnx.export: only eval-mode export is supported (training=EVAL)")
    args, kwargs = _split_args(args, kwargs)
    tensors = [a for a in args if isinstance(a, Tensor)]
    for k, v in kwargs.items():
        if isinstance(v, Tensor):
            raise OnnxExporterError(f"onnx.export: tensor keyword argument {k!r}: pass tensors "
                                    "positionally in args")
    n_in = len(tensors)
    names_in = list(input_names or []) + _default_input_names(model, n_in)[len(input_names or []):]
    names_in = names_in[:n_in]
    dynamic_axes = dict(dynamic_axes or {})
    symbols: dict = {}      # symbol -> (input index, axis)
    axes_in: list = []      # per input: {axis: symbol}
    for i, name in enumerate(names_in):
        spec = _axes(dynamic_axes[name], name) if name in dynamic_axes else {}
        for a, s in spec.items():
            if not -tensors[i].ndim <= a < tensors[i].ndim:
                raise ValueError(f"onnx.export: dynamic axis {a} of input {name!r} is out of "
                                 f"range for shape {tuple(tensors[i].shape)}")
        spec = {a % tensors[i].ndim: s for a, s in spec.items()}
        axes_in.append(spec)
        for a, s in spec.items():
            symbols.setdefault(s, (i, a))
            if tensors[i].shape[a] != tensors[symbols[s][0]].shape[symbols[s][1]]:
                raise ValueError(f"onnx.export: dynamic axis {s!r} has sizes "
                                 f"{tensors[i].shape[a]} and "
                                 f"{tensors[symbols[s][0]].shape[symbols[s][1]]} in the inputs")

    modes = [(m, m.training) for _, m in model.named_modules()] \
        if hasattr(model, "named_modules") else []
    if hasattr(model, "train"):
        model.train(False)
    try:
        params = {}
        if hasattr(model, "state_dict"):
            params = dict(model.state_dict(keep_vars=True))
        for name, p in getattr(model, "named_parameters", lambda: [])():
            params.setdefault(name, p)
        base = [t.detach().numpy().copy() for t in tensors]
        calls0, refs0, outs0 = _run(model, base, args, kwargs, params)
        rng = np.random.default_rng(0)
        runs, extra_calls, extra_refs = [], [], []
        variants = [(s, grow) for s in symbols for grow in GROWTHS] or [(None, 0)]
        for sym, grow in variants:
            arrays = []
            for i, a in enumerate(base):
                axes = [ax for ax, s in axes_in[i].items() if s == sym]
                arrays.append(_changed(_grown(a, axes, grow), rng))
            c, r, _ = _run(model, arrays, args, kwargs, params)
            runs.append((sym, grow))
            extra_calls.append(c)
            extra_refs.append(r)
    finally:
        for m, mode in modes:
            m.training = mode
    sizes = {s: int(tensors[i].shape[a]) for s, (i, a) in symbols.items()}
    unifier = Unifier(runs, sizes)
    calls = unify_calls(calls0, extra_calls, unifier)
    try:
        out_refs = [unifier.value(r, [e[k] for e in extra_refs]) for k, r in enumerate(refs0)]
    except Exception as e:  # noqa: BLE001 - Mismatch
        raise OnnxExporterError(f"onnx.export: an output of the model does not come from the "
                                f"recorded ops: {e}") from None
    if not out_refs:
        raise OnnxExporterError("onnx.export: the model returned no tensor")
    need = _needed(calls, out_refs)
    used = _uses_input(calls, need, out_refs)
    for i, name in enumerate(names_in):
        if i not in used:
            raise OnnxExporterError(
                f"onnx.export: input {name!r} does not reach the outputs through the recorded "
                "ops: it is unused, or used through .numpy(), argmax or a mask made outside the "
                "graph, whose values would be frozen in the file")

    g = GraphBuilder(calls, {k: v.detach().numpy() for k, v in params.items()},
                     {s: (names_in[i], a) for s, (i, a) in symbols.items()}, opset)
    g.input_names = names_in
    g.input_dtypes = [t.dtype for t in tensors]
    in_shapes = []
    for i, t in enumerate(tensors):
        shape = tuple(Dim(1, (axes_in[i][a],), 0, n) if a in axes_in[i] else n
                      for a, n in enumerate(t.shape))
        in_shapes.append(shape)
    g.input_shapes = in_shapes
    for k, c in enumerate(calls):
        if not need[k]:
            continue
        g.call = c
        conv = CONVERTERS.get(c.op)
        if conv is None:
            what = TRAINING_ONLY.get(c.op)
            extra = f" ({what}: export the model in eval mode, without it)" if what else ""
            raise UnsupportedOperatorError(
                f"onnx.export: op {c.op} has no ONNX export{extra}{where(c.module)}")
        try:
            g.values[("node", k)] = conv(g, c)
        except OnnxExporterError:
            raise
        except Exception as e:  # a converter that meets a form it does not know
            raise UnsupportedOperatorError(
                f"onnx.export: op {c.op} with attributes {_brief(c.attrs)} could not be "
                f"exported ({type(e).__name__}: {e}){where(c.module)}") from e
    g.call = None

    n_out = len(out_refs)
    names_out = list(output_names or [])
    names_out += (["output"] if n_out == 1 and not names_out else
                  [f"output_{i}" for i in range(len(names_out), n_out)])
    names_out = names_out[:n_out]
    if len(set(names_out)) != n_out or set(names_out) & set(names_in):
        raise ValueError(f"onnx.export: output names {names_out} must be distinct and differ "
                         "from the input names")
    outputs = []
    for k, (r, name) in enumerate(zip(out_refs, names_out)):
        src = g.ref(r)
        g.nodes.append(onnx.helper.make_node("Identity", [src], [name], name=f"output/{name}"))
        shape = _out_shape(r, g, outs0[k])
        dyn_names = _axes(dynamic_axes[name], name) if name in dynamic_axes else {}
        outputs.append(value_info(name, outs0[k].dtype, shape, dyn_names))
    inputs = [value_info(n, t.dtype, s) for n, t, s in zip(names_in, tensors, in_shapes)]
    nodes = _prune(g.nodes, names_out)
    used_names = {i for n in nodes for i in n.input}
    graph_inits = [t for t in g.initializers.values() if t.name in used_names]
    if keep_initializers_as_inputs:
        inputs += [onnx.helper.make_tensor_value_info(t.name, t.data_type, list(t.dims))
                   for t in graph_inits]
    graph = onnx.helper.make_graph(nodes, type(model).__name__, inputs, outputs, graph_inits)
    proto = onnx.helper.make_model(
        graph, opset_imports=[onnx.helper.make_opsetid("", opset)],
        producer_name="autograd-core", producer_version=_version())
    proto.ir_version = min(proto.ir_version, 10)
    try:
        onnx.checker.check_model(proto, full_check=True)
    except Exception as e:  # noqa: BLE001 - onnx's checker raises several types
        raise OnnxExporterError(f"onnx.export: the ONNX checker refused the graph: "
                                f"{str(e).strip().splitlines()[0]}") from e
    if verbose:
        print(onnx.helper.printable_graph(proto.graph))
    if verify:
        _verify(proto, names_in, base, names_out, outs0)
    if f is not None:
        _write(proto, f)
    return proto


def _brief(attrs: dict) -> str:
    text = repr({k: (v if not isinstance(v, tuple) or not v or v[0] != "const"
                     else "<array>") for k, v in attrs.items()})
    return text if len(text) < 200 else text[:200] + "...}"


def _out_shape(r: tuple, g: Any, value: np.ndarray) -> tuple:
    shape = g.shape_of_ref(r) if r[0] != "const" else value.shape
    return tuple(shape)


def _prune(nodes: list, outputs: list) -> list:
    """The nodes the outputs depend on, in their order."""
    producer = {o: n for n in nodes for o in n.output}
    keep, stack = set(), list(outputs)
    while stack:
        name = stack.pop()
        n = producer.get(name)
        if n is None or id(n) in keep:
            continue
        keep.add(id(n))
        stack.extend(i for i in n.input if i)
    return [n for n in nodes if id(n) in keep]


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("autograd-core")
    except Exception:  # noqa: BLE001 - not installed: a source checkout
        return "0"


def _verify(proto: Any, names_in: list, inputs: list, names_out: list, outs: list) -> None:
    """Run the model in ONNX Runtime (when installed) and compare with our outputs."""
    try:
        import onnxruntime as ort
    except ImportError:
        return
    try:
        sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
        got = sess.run(names_out, dict(zip(names_in, inputs)))
    except Exception as e:  # noqa: BLE001 - ORT raises its own types
        raise OnnxExporterError(f"onnx.export: ONNX Runtime cannot run the exported graph: "
                                f"{str(e).strip().splitlines()[0]}") from e
    for name, ours, theirs in zip(names_out, outs, got):
        theirs = np.asarray(theirs)
        if theirs.shape != ours.shape:
            raise OnnxExporterError(f"onnx.export: ONNX Runtime gives output {name!r} the shape "
                                    f"{theirs.shape}, ours is {ours.shape}")
        if ours.dtype.kind == "f":
            tol = 1e-3 if ours.dtype == np.float32 else 1e-7
            bad = ~np.isclose(theirs, ours, rtol=tol, atol=tol, equal_nan=True)
        else:
            bad = theirs != ours
        if bad.any():
            diff = float(np.nanmax(np.abs(theirs.astype(np.float64) - ours))) \
                if ours.dtype.kind in "fiu" else float("nan")
            raise OnnxExporterError(f"onnx.export: ONNX Runtime's output {name!r} differs from "
                                    f"ours (max abs diff {diff:.3g}); the export is wrong, "
                                    "please report it with the model")


def _write(proto: Any, f: Any) -> None:
    data = proto.SerializeToString()
    if isinstance(f, (str, os.PathLike)):
        write_atomically(f, lambda fh: fh.write(data))
    elif hasattr(f, "write"):
        f.write(data)
    else:
        raise TypeError(f"onnx.export: f must be a path or a binary file object, got "
                        f"{type(f).__name__}")
