"""The graph of any PyTorch program: ``autograd-core run --graph out.svg script.py``.

While the script runs, :class:`FirstBackward` keeps a stack of the nn modules being called
(PyTorch's global module hooks, ``register_module_forward_pre_hook`` and
``register_module_forward_hook``) and records every call that makes a tensor needing a
gradient. At the script's first ``backward()`` (``loss.backward()`` or
``torch.autograd.backward``) it reads the graph, lets backward run, and draws the picture:

* **modules as clusters named as in the model**: the outermost module called with the
  most parameters is *the model*, and its submodules keep the names of its
  ``named_modules()`` (``layer1.0.conv1``); any other outermost module (a loss module such
  as ``criterion``) is named by the script's variable that holds it, or else by its class;
* **tensors with their shapes** (their values and gradients too with ``show_values``,
  ``--values``), and inputs, parameters and the output coloured as
  ``draw_graph`` colours them (it draws the picture);
* **collapsed to at most ``max_nodes`` boxes** (``PROGRAM_MAX_NODES``, 24, by default): whole modules become one
  box each at the deepest module level that fits (``layer1.0`` before ``layer1``), with
  their op count, parameter count and input and output shapes, and a run of numbered
  blocks of one class (a GPT's ``transformer.h.0`` to ``h.47``) folded into one box
  (``12 × Block``) when one box each is still too many; if that is not enough,
  chains of ops used once join their user's box, and at last the nodes farthest from the
  loss become one box.

By default the script stops once the picture is written (a training run is not needed to
draw its first step); ``keep_running=True`` (``--continue``) lets it run to its end.

>>> import autograd_core as ag, autograd_core.nn as nn
>>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
>>> with FirstBackward(keep_running=True) as capture:
...     loss = model(ag.randn(5, 3)).pow(2).mean()
...     loss.backward()
>>> 'label="0 (Linear)"' in capture.picture.source, capture.root_name
(True, 'loss')
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any, Sequence

import autograd_core
import autograd_core.autograd as _autograd
import autograd_core.nn
import autograd_core.optim
from autograd_core import Tensor, is_grad_enabled
from autograd_core.nn.modules.module import (register_module_forward_hook,
                                             register_module_forward_pre_hook)
from autograd_core.viz import Drawing, GraphPicture, ModuleRecord
from autograd_core.viz.modules import ModuleCall, tensors_in
from autograd_core.viz.trace import read_graph

__all__ = ["FirstBackward", "GraphStop", "EXPLAIN_LIMIT", "PROGRAM_MAX_NODES"]

# A picture of a whole program stays readable up to about this many boxes (each op drawn
# outside a box also adds its ellipse): a ResNet-18 is drawn as its 8 blocks, a GPT of
# 12 layers as its 12 blocks
PROGRAM_MAX_NODES = 24

# --explain writes the chain rule step by step only for graphs of at most this many ops:
# beyond it the text is longer than anyone reads
EXPLAIN_LIMIT = 40

_HERE = os.path.abspath(__file__)
# the library's folders (nn and optim live beside autograd_core in a source checkout)
_LIBRARY = tuple(os.path.dirname(os.path.abspath(m.__file__)) + os.sep
                 for m in (autograd_core, autograd_core.nn, autograd_core.optim))


class GraphStop(SystemExit):
    """Ends the script after its first backward, once the picture is written (status 0,
    or 1 when the picture could not be written): a ``SystemExit``, so that a script's
    ``except Exception`` does not catch it.

    >>> isinstance(GraphStop(0), Exception), GraphStop(0).code
    (False, 0)
    """


def _nodes(obj: Any) -> list:
    """The graph nodes of the tensors in ``obj``: each one's op (``grad_fn``), or the tensor
    itself for a leaf. Kept rather than the tensors, so that a later in-place op on a
    module's output (ResNet's ``out += self.shortcut(x)``) does not move the module's end."""
    return [t.grad_fn or t for t in tensors_in(obj)]


def _script_frame() -> Any:
    """The innermost frame outside this library and this module: the script's code."""
    frame = sys._getframe(1)
    while frame is not None:
        path = os.path.abspath(frame.f_code.co_filename)
        if not (path.startswith(_LIBRARY) or path == _HERE):
            return frame
        frame = frame.f_back
    return None


def _script_names() -> dict[str, Any]:
    """The variables of the script's current frame: its locals, then its globals."""
    frame = _script_frame()
    if frame is None:
        return {}
    names: dict[str, Any] = {}
    for space in (frame.f_locals, frame.f_globals):
        for name, value in list(space.items()):
            if not name.startswith("_") and name != "self":
                names.setdefault(name, value)
    return names


def _variable_name(obj: Any) -> str | None:
    """The name the script's current frame gives ``obj``, or None."""
    return next((name for name, value in _script_names().items() if value is obj), None)


_MODULE_CALL = autograd_core.nn.Module.__call__.__code__


def _call_kwargs() -> dict:
    """The keyword arguments of the module call running a global pre-hook (the hook itself
    is given only the positional ones): read from ``Module.__call__``'s frame."""
    frame = sys._getframe(2)  # _call_kwargs <- _pre <- Module.__call__
    if frame is not None and frame.f_code is _MODULE_CALL:
        kwargs = frame.f_locals.get("kwargs")
        return kwargs if isinstance(kwargs, dict) else {}
    return {}


@dataclass
class _Call:
    module: Any
    inputs: list
    outputs: list


class _Program:
    """The modules the script called, named as its model names them: what ``draw_graph``
    reads from a model (``named_modules``, ``named_parameters``)."""

    def __init__(self, tops: list[tuple[Any, str | None]]) -> None:
        def size(m: Any) -> int:
            return sum(int(p.numel()) for p in m.parameters())
        self.names: dict[int, str] = {}
        self.modules: list[tuple[str, Any]] = []
        self.parameters: list[tuple[str, Any]] = []
        seen: set[int] = set()
        main = max(tops, key=lambda t: size(t[0]))[0] if tops else None
        taken: set[str] = set()
        for module, var in sorted(tops, key=lambda t: t[0] is not main):
            prefix = ""
            if module is not main:
                prefix = var or type(module).__name__
                base, k = prefix, 2
                while prefix in taken:
                    prefix, k = f"{base}_{k}", k + 1
            taken.add(prefix)
            for sub, m in module.named_modules():
                name = ".".join(p for p in (prefix, sub) if p)
                if id(m) not in self.names:
                    self.names[id(m)] = name
                    self.modules.append((name, m))
            for sub, p in module.named_parameters():
                if id(p) not in seen:
                    seen.add(id(p))
                    self.parameters.append((".".join(q for q in (prefix, sub) if q), p))

    def name_of(self, module: Any) -> str:
        return self.names.get(id(module), type(module).__name__)

    def named_modules(self) -> list[tuple[str, Any]]:
        return list(self.modules)

    def named_parameters(self) -> list[tuple[str, Any]]:
        return list(self.parameters)


class FirstBackward:
    """Record the nn modules a script calls and draw its first backward pass.

    Use it around the script's run (``autograd-core run --graph`` does). At the first
    ``backward()`` it reads the graph, runs backward, and keeps the picture in
    ``.picture`` (a ``graphviz.Digraph``); with ``output`` it writes it there too (format
    ``out_format``: ``'svg'``, ``'png'``, ``'pdf'`` or ``'dot'``). Then, unless
    ``keep_running``, it stops the script (``GraphStop``, status 0).

    * ``max_nodes``: at most this many boxes (see the module's docstring);
    * ``show_values``: also write each tensor's values and, after backward, its gradient
      (summarised); by default a box gives a name and a shape, which keeps it narrow;
    * ``explain``: also print the chain rule step by step, for a graph of at most
      ``EXPLAIN_LIMIT`` ops (a larger one gets one line saying so).

    >>> import autograd_core as ag
    >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> with FirstBackward(keep_running=True) as capture:
    ...     (w * w).sum().backward()
    >>> capture.n_ops, w.grad.tolist()
    (2, [2.0, 4.0])
    """

    def __init__(self, output: str | None = None, out_format: str = "svg", *,
                 keep_running: bool = False, explain: bool = False,
                 max_nodes: int | None = PROGRAM_MAX_NODES, rankdir: str = "TB",
                 show_values: bool = False) -> None:
        self.output, self.out_format = output, out_format
        self.keep_running, self.explain, self.max_nodes = keep_running, explain, max_nodes
        self.rankdir, self.show_values = rankdir, show_values
        self.picture: GraphPicture | None = None
        self.drawing: Drawing | None = None
        self.root_name: str | None = None
        self.n_ops = 0
        self.explanation = ""           # what --explain printed
        self.error: str | None = None   # why the picture could not be written
        self._stack: list[Any] = []
        self._tops: dict[int, tuple[Any, str | None]] = {}
        self._calls: list[_Call] = []
        self._handles: list[Any] = []
        self._original = None

    @property
    def captured(self) -> bool:
        """True once the first backward has been drawn."""
        return self.picture is not None

    # ---------------------------------------------------------------- recording
    def __enter__(self) -> "FirstBackward":
        self._handles = [register_module_forward_pre_hook(self._pre),
                         register_module_forward_hook(self._post)]
        self._original = _autograd.backward
        _autograd.backward = self._backward
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop_recording()
        if self._original is not None:
            _autograd.backward = self._original
            self._original = None

    def _stop_recording(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []
        self._stack.clear()

    def _pre(self, module: Any, args: Any) -> None:
        if not self._stack and id(module) not in self._tops:
            self._tops[id(module)] = (module, _variable_name(module))
        # the inputs as they are now: the module may change them in place (ReLU(inplace=True))
        self._stack.append((module, _nodes([args, _call_kwargs()]) if is_grad_enabled() else []))

    def _post(self, module: Any, args: Any, output: Any) -> None:
        inputs: list = []
        while self._stack:  # a call that raised left its module on the stack: drop it too
            m, inputs = self._stack.pop()
            if m is module:
                break
        if not is_grad_enabled():
            return
        if any(t.requires_grad for t in tensors_in(output)):
            self._calls.append(_Call(module, inputs, _nodes(output)))

    # ----------------------------------------------------------------- capture
    def _backward(self, tensors: Any, *args: Any, **kwargs: Any) -> None:
        original = self._original
        if self.captured or original is None:
            return (original or _autograd.backward)(tensors, *args, **kwargs)
        self._stop_recording()
        roots = list(roots_of(tensors))
        graph = read_graph(roots) if all(isinstance(r, Tensor) and r.requires_grad
                                         for r in roots) and roots else None
        if graph is None:  # backward itself says what is wrong
            return original(tensors, *args, **kwargs)
        variables = _script_names()  # the script's names for its tensors label their nodes
        self.root_name = next((k for k, v in variables.items() if v is roots[0]), None) \
            if len(roots) == 1 else None
        # (not parameters: the model's names for them say more than a loop variable's)
        names = {k: v for k, v in variables.items()
                 if isinstance(v, Tensor) and not isinstance(v, autograd_core.nn.Parameter)}
        record = self._record(graph)
        self.n_ops = sum(1 for n in graph.nodes if not n.is_leaf)
        if self.explain:
            self.explanation = self._explain(roots, names, record)
            print(self.explanation, flush=True)
        original(tensors, *args, **kwargs)
        self.drawing = Drawing(roots, rankdir=self.rankdir, names=names, modules=record,
                               max_nodes=self.max_nodes, graph=graph, format=self.out_format,
                               show_data=self.show_values, show_grad=self.show_values)
        self.picture = self.drawing.digraph(title=self._title(graph))
        self._calls.clear()
        if self.output is not None:
            self._write()
        if self.error is not None:
            raise GraphStop(1)
        if not self.keep_running:
            raise GraphStop(0)

    def _record(self, graph: Any) -> ModuleRecord:
        tops = [(m, var) for m, var in self._tops.values()
                if any(c.module is m for c in self._calls)]
        program = _Program(tops)
        record = ModuleRecord(program, types={name: type(m).__name__
                                              for name, m in program.named_modules()})
        for c in self._calls:
            name = program.name_of(c.module)
            if name:  # the model's own call: its nodes are drawn outside any cluster
                record.calls.append(ModuleCall(name, c.inputs, c.outputs))
        return record

    def _title(self, graph: Any) -> str:
        text = f"first backward of {self.root_name}" if self.root_name else "first backward"
        text += f": {self.n_ops:,} ops"
        plan = self.drawing.plan if self.drawing else None
        if plan is not None and plan.groups:
            text += f", {len(plan.group_of):,} of its {len(graph.nodes):,} nodes drawn as " \
                    f"{len(plan.groups)} box{'es' if len(plan.groups) != 1 else ''}"
        return text

    def _explain(self, roots: list, names: dict, record: ModuleRecord) -> str:
        from autograd_core.explain import explain
        if len(roots) != 1:
            return "--explain: backward was called on several tensors; explain takes one"
        if self.n_ops > EXPLAIN_LIMIT:
            return (f"--explain: the graph has {self.n_ops:,} ops, too many to write out: the "
                    f"chain rule is written step by step only for graphs of at most "
                    f"{EXPLAIN_LIMIT} ops (try a smaller model)")
        root = roots[0]
        if root.numel() != 1:
            return "--explain: the output has more than one element; explain needs a scalar loss"
        return str(explain(root, names=names, model=record.model))

    def _write(self) -> None:
        assert self.picture is not None and self.output is not None
        try:
            if self.out_format == "dot":
                data = self.picture.source.encode("utf-8")
            else:
                if self.out_format == "png":
                    self.picture.graph_attr["dpi"] = "150"  # sharp when projected
                data = self.picture.pipe(format=self.out_format)
            with open(self.output, "wb") as f:
                f.write(data)
        except Exception as e:  # no renderer, the renderer failing, the file not writable
            self.error = f"could not write {self.output}: {e}"


def roots_of(tensors: Any) -> Sequence[Any]:
    """``backward``'s first argument as a list of tensors.

    >>> import autograd_core as ag
    >>> len(roots_of(ag.ones(1))), len(roots_of([ag.ones(1), ag.ones(2)]))
    (1, 2)
    """
    return list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]
