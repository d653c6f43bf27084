"""draw_graph: the DOT text of known graphs, determinism, names, modules, collapsing, rendering."""
import html
import os
import re
import shutil

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Value
from autograd_core.viz import GraphvizNotFound, draw_graph, record_modules
from autograd_core.viz.render import GraphPicture, dot_program
from autograd_core.viz.trace import read_graph
from tests.helpers import f_graph


def nodes_of(source: str) -> dict[str, str]:
    """DOT node id -> its whole statement."""
    return {m.group(1): m.group(0) for m in re.finditer(r"^\t+([vog]\d+) \[.*$", source, re.M)}


def edges_of(source: str) -> list[tuple[str, str]]:
    return re.findall(r"^\t+(\w+) -> (\w+)", source, re.M)


# ----------------------------------------------------------------- values
def test_value_graph_nodes_edges_and_numbers():
    x, y, z, f = f_graph()
    f.backward()
    src = draw_graph(f).source
    nodes = nodes_of(src)
    values = {k: v for k, v in nodes.items() if k.startswith("v")}
    ops = {k: v for k, v in nodes.items() if k.startswith("o")}
    assert len(values) == 5 and len(ops) == 2          # x, y, z, x+y, f; + and *
    by_name = {re.search(r"<B>(\w+)</B>", v).group(1): (k, v)
               for k, v in values.items() if "<B>" in v}
    assert set(by_name) == {"x", "y", "z", "f"}
    assert "data 1<" in by_name["x"][1] and "grad 4<" in by_name["x"][1]
    assert "data -3<" in by_name["y"][1] and "grad 4<" in by_name["y"][1]
    assert "data 4<" in by_name["z"][1] and "grad -2<" in by_name["z"][1]
    assert "data -8<" in by_name["f"][1] and "grad 1<" in by_name["f"][1]
    (s,) = [v for k, v in values.items() if "<B>" not in v]   # the unnamed x + y
    assert "data -2<" in s and "grad 4<" in s
    # edges: x, y -> (+) -> x+y; x+y, z -> (*) -> f
    plus = next(k for k, v in ops.items() if 'label="+"' in v)
    times = next(k for k, v in ops.items() if 'label="×"' in v)
    xs, ys, zs, fs = (by_name[n][0] for n in "xyzf")
    s_id = "v" + plus[1:]
    edges = edges_of(src)
    for e in [(xs, plus), (ys, plus), (plus, s_id), (s_id, times), (zs, times), (times, fs)]:
        assert e in edges
    assert len(edges) == 6


def test_roles_have_their_colours():
    x, y, z, f = f_graph()
    nodes = nodes_of(draw_graph(f).source)
    leaf = [v for v in nodes.values() if "<B>x</B>" in v][0]
    out = [v for v in nodes.values() if "<B>f</B>" in v][0]
    assert 'fillcolor="#dbeafe"' in leaf       # input: blue
    assert 'fillcolor="#dcfce7"' in out        # output: green
    assert "shape=ellipse" in [v for k, v in nodes.items() if k.startswith("o")][0]


def test_no_gradients_before_backward():
    *_, f = f_graph()
    assert "grad " not in draw_graph(f).source
    f.backward()
    assert "grad " in draw_graph(f).source
    assert "grad " not in draw_graph(f, show_grad=False).source


def test_names_from_a_dict_match_by_identity():
    a, b = Value(2.0), Value(2.0)           # equal data, different nodes
    c = a * b + a
    src = draw_graph(c, names={"a": a, "b": b, "c": c, "_": c, "other": Value(2.0)}).source
    assert src.count("<B>a</B>") == 1 and src.count("<B>b</B>") == 1
    assert "<B>c</B>" in src and "<B>_</B>" not in src and "other" not in src


def test_names_from_lists():
    w = [Value(1.0), Value(2.0)]
    y = w[0] * w[1]
    src = draw_graph(y, names={"w": w}).source
    assert "<B>w[0]</B>" in src and "<B>w[1]</B>" in src


def test_drawing_never_changes_the_graph():
    x, y, z, f = f_graph()
    f.backward()
    before = [(v.data, v.grad, v._prev, v._op) for v in (x, y, z, f)]
    draw_graph(f, names=locals(), max_nodes=2)
    assert [(v.data, v.grad, v._prev, v._op) for v in (x, y, z, f)] == before


def test_non_commutative_inputs_are_numbered():
    a, b = Value(3.0, label="a"), Value(1.0, label="b")
    src = draw_graph(a - b).source
    assert "headlabel=1" in src and "headlabel=2" in src
    assert "headlabel" not in draw_graph(a + b).source


def test_rankdir_and_bad_rankdir():
    *_, f = f_graph()
    assert "rankdir=TB" in draw_graph(f, rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(f, rankdir="XY")


def test_wrong_roots():
    with pytest.raises(TypeError, match="Value or a Tensor"):
        draw_graph(3.0)
    with pytest.raises(TypeError, match="mix"):
        draw_graph([Value(1.0), ag.tensor(1.0)])


# ------------------------------------------------------------ determinism
def test_same_graph_gives_the_same_dot_text():
    def build():
        x, y, z, f = f_graph()
        g = (f.tanh() * x + y.exp()) ** 2
        g.backward()
        return draw_graph(g, names={"x": x, "g": g}).source

    first, second = build(), build()
    assert first == second
    assert not re.search(r"0x[0-9a-f]{6,}|\d{9,}", first)   # no id() or addresses leak


def test_tensor_graph_is_deterministic():
    def build():
        ag.manual_seed(1)
        W = ag.randn(3, 2, requires_grad=True)
        x = ag.ones(2)
        loss = (W @ x).sigmoid().sum()
        loss.backward()
        return draw_graph(loss, names={"W": W}).source

    assert build() == build()


def test_node_numbers_follow_topological_order():
    x, y, z, f = f_graph()
    g = read_graph(f)
    for n in g.nodes:
        assert all(p < n.index for p in n.parents)
    assert [n.obj for n in g.nodes if n.is_leaf] == [x, y, z]   # in argument order


# ---------------------------------------------------------------- tensors
def test_tensor_graph_shows_shapes_dtypes_and_values():
    W = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    b = ag.tensor([0.5, -0.5], requires_grad=True)
    x = ag.tensor([1.0, 0.0, -1.0])
    h = W @ x + b
    loss = (h * h).sum()
    loss.backward()
    src = draw_graph(loss, names={"W": W, "b": b, "h": h, "loss": loss}).source
    nodes = nodes_of(src)
    w = next(v for v in nodes.values() if "<B>W</B>" in v)
    assert "(2, 3) float32" in w and "[1, 2, 3]</TD></TR><TR><TD>[4, 5, 6]" in w  # row by row
    # dloss/dW = 2 h x^T with h = [-1.5, -2.5]
    assert "grad [-3, 0, 3]</FONT></TD></TR><TR><TD><FONT COLOR=\"#c2410c\">[-5, 0, 5]" in w
    assert "grad [-3, -5]" in next(v for v in nodes.values() if "<B>b</B>" in v)
    assert "[-1.5, -2.5]" in next(v for v in nodes.values() if "<B>h</B>" in v)
    out = next(v for v in nodes.values() if "<B>loss</B>" in v)
    assert "scalar float32" in out and "8.5" in out and "grad 1<" in out
    assert any("tooltip=MatMulBackward0" in v for v in nodes.values())
    assert 'label="@"' in src


def test_big_tensors_are_summarised():
    x = ag.ones(100, 10, requires_grad=True)
    src = draw_graph((x * 2).sum()).source
    assert "(100, 10) float32" in src and "mean 1, std 0" in src


def test_constants_are_grey_and_dashed():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    c = ag.tensor([3.0, 4.0])
    nodes = nodes_of(draw_graph((x * c).sum()).source)
    const = next(v for v in nodes.values() if "[3, 4]" in v)
    assert "dashed" in const and 'fillcolor="#f3f4f6"' in const


# ---------------------------------------------------------------- modules
class FakeModule:
    """The piece of PyTorch's Module API that viz uses: named_modules/_parameters, hooks."""

    def __init__(self, **children):
        self._children = children
        self._params = {}
        self._hooks = []

    def named_modules(self, prefix=""):
        yield prefix, self
        for k, m in self._children.items():
            yield from m.named_modules(f"{prefix}.{k}" if prefix else k)

    def named_parameters(self, prefix=""):
        for k, p in self._params.items():
            yield (f"{prefix}.{k}" if prefix else k), p
        for k, m in self._children.items():
            yield from m.named_parameters(f"{prefix}.{k}" if prefix else k)

    def register_forward_hook(self, hook):
        self._hooks.append(hook)
        hooks = self._hooks

        class Handle:
            def remove(self):
                hooks.remove(hook)
        return Handle()

    def __call__(self, x):
        out = self.forward(x)
        for h in list(self._hooks):
            h(self, (x,), out)
        return out


class FakeLinear(FakeModule):
    def __init__(self, n_in, n_out):
        super().__init__()
        self._params = {"weight": ag.randn(n_out, n_in, requires_grad=True),
                        "bias": ag.zeros(n_out, requires_grad=True)}

    def forward(self, x):
        return x @ self._params["weight"].T + self._params["bias"]


class FakeReLU(FakeModule):
    def forward(self, x):
        return x.relu()


class FakeMLP(FakeModule):
    def __init__(self):
        super().__init__(fc1=FakeLinear(3, 4), act=FakeReLU(), fc2=FakeLinear(4, 2))

    def forward(self, x):
        c = self._children
        return c["fc2"](c["act"](c["fc1"](x)))


def test_model_names_parameters_and_clusters_them():
    model = FakeMLP()
    loss = model(ag.randn(5, 3)).sum()
    loss.backward()
    src = draw_graph(loss, model=model, max_nodes=None).source
    for name in ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"):
        node = next(v for v in nodes_of(src).values() if f"<B>{name}</B>" in v)
        assert 'fillcolor="#fef3c7"' in node          # parameters: amber
    assert "subgraph cluster_" in src and 'label="fc1 (FakeLinear)"' in src


def test_record_modules_places_every_node_and_removes_its_hooks():
    model = FakeMLP()
    with record_modules(model) as rec:
        loss = model(ag.randn(5, 3)).sum()
    assert all(not m._hooks for _, m in model.named_modules())
    assert [c.name for c in rec.calls] == ["fc1", "act", "fc2"]
    src = draw_graph(loss, modules=rec, max_nodes=None).source
    clusters = re.findall(r'label="(\w+) \((\w+)\)"', src)
    assert set(clusters) == {("fc1", "FakeLinear"), ("act", "FakeReLU"), ("fc2", "FakeLinear")}
    # the relu sits in the act cluster
    act_block = src.split('label="act (FakeReLU)"')[1].split("}")[0]
    assert "label=relu" in act_block


def test_record_modules_without_hook_api_wraps_forward():
    class Plain:
        def __init__(self):
            self.inner = Inner()

        def named_modules(self):
            return [("", self), ("inner", self.inner)]

        def named_parameters(self):
            return []

    class Inner:
        def forward(self, x):
            return x * 3

        def __call__(self, x):
            return self.forward(x)

    m = Plain()
    with record_modules(m) as rec:
        y = m.inner(ag.ones(2, requires_grad=True)).sum()
    assert "forward" not in vars(m.inner)
    assert [c.name for c in rec.calls] == ["inner"]
    assert "cluster_" in draw_graph(y, modules=rec, max_nodes=None).source


def test_collapse_modules_draws_each_module_as_one_box():
    model = FakeMLP()
    with record_modules(model) as rec:
        loss = model(ag.randn(5, 3)).sum()
    src = draw_graph(loss, modules=rec, collapse_modules=True).source
    assert "shape=box3d" in src
    assert "<B>fc1</B> · FakeLinear" in src and "<B>fc2</B> · FakeLinear" in src
    assert "28 params" not in src and "16 params" in src and "10 params" in src
    assert "fc1.weight" not in src                    # inside the box
    assert draw_graph(loss, modules=rec, collapse_modules=["fc2"]).source.count("box3d") == 1


def test_max_nodes_collapses_a_deep_stack_of_modules():
    class Block(FakeModule):
        def __init__(self):
            super().__init__(fc1=FakeLinear(3, 4), act=FakeReLU(), fc2=FakeLinear(4, 3))

        def forward(self, x):
            c = self._children
            return c["fc2"](c["act"](c["fc1"](x))) + x

    class Stack(FakeModule):
        def __init__(self, n):
            super().__init__(**{f"block{i}": Block() for i in range(n)})

        def forward(self, x):
            for m in self._children.values():
                x = m(x)
            return x

    model = Stack(6)
    with record_modules(model) as rec:
        loss = model(ag.randn(4, 3)).sum()
    n = len(read_graph(loss).nodes)
    g = draw_graph(loss, modules=rec, max_nodes=20)
    boxes = [k for k in nodes_of(g.source) if k[0] in "vg"]
    assert n > 60 and len(boxes) <= 20
    assert "<B>block0</B> · Block" in g.source and "<B>block5</B> · Block" in g.source


def test_max_nodes_folds_a_micrograd_mlp_into_neurons():
    import random
    rnd = random.Random(0)

    def neuron(xs):
        return sum((Value(rnd.uniform(-1, 1)) * x for x in xs), Value(0.0)).tanh()

    xs = [Value(1.0, label="x1"), Value(-2.0, label="x2"), Value(0.5, label="x3")]
    h1 = [neuron(xs) for _ in range(4)]
    y = neuron(h1)
    y.label = "y"
    y.backward()
    g = draw_graph(y, max_nodes=12)
    src = g.source
    boxes = [k for k in nodes_of(src) if k[0] in "vg"]
    assert len(read_graph(y).nodes) > 50 and len(boxes) <= 12
    assert src.count("7 ops: 3 ×, 3 +, tanh") == 4           # the first-layer neurons
    assert "<B>y</B>" in src and "<B>x1</B>" in src


def test_max_nodes_cuts_the_far_end_last():
    v = Value(0.5, label="v")
    for _ in range(50):   # a chain with a named node every step: nothing else can fold
        w = v * 1.01
        w.label = "w"
        v = w
    src = draw_graph(v, max_nodes=10).source
    assert "earlier nodes" in src
    assert len([k for k in nodes_of(src) if k[0] in "vg"]) <= 10


# -------------------------------------------------------------- rendering
def _need_dot():
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            raise RuntimeError("CI renders with Graphviz's dot: make test installs it")
        pytest.skip("Graphviz's dot is not installed")


def test_svg_and_png_render_with_dot(tmp_path, monkeypatch):
    _need_dot()
    monkeypatch.delenv("AUTOGRAD_CORE_DOT", raising=False)
    *_, f = f_graph()
    f.backward()
    g = draw_graph(f)
    out = g.render(tmp_path / "f", format="svg", cleanup=True)
    text = open(out, encoding="utf-8").read()
    assert text.lstrip().startswith(("<?xml", "<svg")) and "</svg>" in text
    assert "grad -2" in html.unescape(text)
    png = open(g.render(tmp_path / "f", format="png", cleanup=True), "rb").read()
    assert png.startswith(b"\x89PNG")
    bundle = g._repr_mimebundle_()                  # what Jupyter shows inline
    assert "<svg" in bundle["image/svg+xml"]


def test_renders_with_graphviz_pure_when_asked(tmp_path, monkeypatch):
    program = shutil.which("graphviz-pure")
    if program is None:
        pytest.skip("graphviz-pure is not installed")
    monkeypatch.setenv("AUTOGRAD_CORE_DOT", program)
    *_, f = f_graph()
    svg = draw_graph(f).pipe(format="svg", encoding="utf-8")
    assert "<svg" in svg and "data -8" in html.unescape(svg)


def test_without_any_dot_the_error_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_CORE_DOT", str(tmp_path / "no-such-dot"))
    assert dot_program() is None
    *_, f = f_graph()
    g = draw_graph(f)
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz") as info:
        g.render(tmp_path / "f", format="svg")
    assert "pip install graphviz-pure" in str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert "digraph" in g.source                      # the DOT text is still there
    shown = g._repr_mimebundle_()["text/plain"]       # a notebook shows the hint, no traceback
    assert "apt-get install graphviz" in shown and "digraph" in shown


def test_graph_picture_is_a_graphviz_digraph():
    import graphviz
    *_, f = f_graph()
    g = draw_graph(f, format="png")
    assert isinstance(g, graphviz.Digraph) and isinstance(g, GraphPicture)
    assert g.format == "png"
    assert isinstance(g.copy(), GraphPicture)


def test_summary_text_of_numbers():
    from autograd_core.viz.number_text import fmt, summary
    assert [fmt(v) for v in (4.0, -2.0, 0.5, 1 / 3, -0.0, float("nan"))] == \
        ["4", "-2", "0.5", "0.3333", "0", "nan"]
    assert summary(np.arange(8.0)) == "mean 3.5, std 2.291"
    assert summary(np.array([True, False, True, True, False, False, True])) == "4 of 7 true"
