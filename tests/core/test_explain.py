"""explain: the chain-rule steps match hand derivations, in the order backward runs."""
import math
import os
import shutil

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Value
from autograd_core.explain import explain
from autograd_core.viz import GraphPicture
from tests.helpers import f_graph


def terms(step):
    """{parent name: (local, upstream, product, grad after)} of one step."""
    return {t.parent_name: (t.local, t.upstream, t.product, t.after) for t in step.terms}


def test_x_plus_y_times_z_by_hand():
    # f = s * z with s = x + y = -2.
    # step 1 (at f): upstream df/df = 1; ds: local z = 4 -> 4; dz: local s = -2 -> -2
    # step 2 (at s): upstream df/ds = 4; dx: local 1 -> 4; dy: local 1 -> 4
    x, y, z, f = f_graph()
    e = explain(f)
    assert [s.node_name for s in e.steps] == ["f", "x + y"]
    s1, s2 = e.steps
    assert s1.upstream == 1.0 and s1.expression == "f = (x + y) * z"
    assert terms(s1) == {"x + y": (4.0, 1.0, 4.0, 4.0), "z": (-2.0, 1.0, -2.0, -2.0)}
    assert s2.upstream == 4.0
    assert terms(s2) == {"x": (1.0, 4.0, 4.0, 4.0), "y": (1.0, 4.0, 4.0, 4.0)}
    assert e.gradients == {"x": 4.0, "y": 4.0, "z": -2.0}
    text = str(e)
    assert "local ∂f/∂z = (x + y) = -2; -2 × 1 = -2" in text
    assert "local ∂(x + y)/∂x = 1; 1 × 4 = 4; grad x: 0 + 4 = 4" in text
    assert text.splitlines()[-1] == "gradients: ∂f/∂x = 4, ∂f/∂y = 4, ∂f/∂z = -2"


def test_sigmoid_neuron_by_hand():
    # y = sigmoid(w1*x1 + w2*x2 + b) at w1=1, x1=2, w2=-1, x2=3, b=1:
    # n = 2 - 3 + 1 = 0, y = sigmoid(0) = 0.5, dy/dn = y(1 - y) = 0.25.
    # Then every + passes 0.25 on; dy/dw1 = x1 * 0.25 = 0.5, dy/dx1 = w1 * 0.25 = 0.25,
    # dy/dw2 = x2 * 0.25 = 0.75, dy/dx2 = w2 * 0.25 = -0.25, dy/db = 0.25.
    w1, x1, w2, x2, b = (Value(v, label=n) for v, n in
                         [(1.0, "w1"), (2.0, "x1"), (-1.0, "w2"), (3.0, "x2"), (1.0, "b")])
    y = (w1 * x1 + w2 * x2 + b).sigmoid()
    y.label = "y"
    e = explain(y)
    steps = {s.node_name: s for s in e.steps}
    first = e.steps[0]
    assert first.node_name == "y" and first.op == "sigmoid"
    (t,) = first.terms
    assert (t.local, t.upstream, t.product) == (0.25, 1.0, 0.25)
    assert t.formula == "y * (1 - y)"
    assert [s.node_name for s in e.steps[1:3]] == ["n1 + b", "n1"]      # n1 = w1*x1 + w2*x2
    assert terms(steps["n1 + b"]) == {"n1": (1.0, 0.25, 0.25, 0.25), "b": (1.0, 0.25, 0.25, 0.25)}
    assert terms(steps["w1 * x1"]) == {"w1": (2.0, 0.25, 0.5, 0.5), "x1": (1.0, 0.25, 0.25, 0.25)}
    assert terms(steps["w2 * x2"]) == {"w2": (3.0, 0.25, 0.75, 0.75),
                                       "x2": (-1.0, 0.25, -0.25, -0.25)}
    assert e.gradients == {"w1": 0.5, "x1": 0.25, "w2": 0.75, "x2": -0.25, "b": 0.25}
    assert len(e.steps) == 5
    assert "where n1 = w1 * x1 + w2 * x2" in str(e)


def test_steps_follow_the_engine_order_and_match_backward():
    a = Value(0.7, label="a")
    c = Value(-1.3, label="c")
    out = (a * c).tanh() + a.exp() * (c ** 2) - a / c
    e = explain(out)
    out.backward()
    assert e.gradients["a"] == pytest.approx(a.grad) and e.gradients["c"] == pytest.approx(c.grad)
    # every node's step comes after all the steps of the nodes that use it
    done = set()
    for s in e.steps:
        users = [t.node for t in e.steps if s.node in e.drawing.graph.nodes[t.node].parents]
        assert all(u in done for u in users)
        done.add(s.node)


def test_a_node_used_twice_accumulates():
    a = Value(3.0, label="a")
    e = explain(a * a)          # d(a*a)/da = a + a = 6, in two contributions of 3
    (s,) = e.steps
    assert [(t.before, t.product, t.after) for t in s.terms] == [(0.0, 3.0, 3.0), (3.0, 3.0, 6.0)]
    assert "grad a: 3 + 3 = 6" in str(e)


def test_explain_touches_no_grad():
    x, y, z, f = f_graph()
    explain(f)
    assert (x.grad, y.grad, z.grad, f.grad) == (0.0, 0.0, 0.0, 0.0)
    f.backward()
    explain(f)
    assert (x.grad, y.grad, z.grad) == (4.0, 4.0, -2.0)


def test_tensor_scalars_give_the_same_numbers_as_values():
    x, y, z = (ag.tensor(v, requires_grad=True) for v in (1.0, -3.0, 4.0))
    f = (x + y) * z
    e = explain(f, names={"x": x, "y": y, "z": z, "f": f})
    assert e.gradients == {"x": 4.0, "y": 4.0, "z": -2.0}
    assert terms(e.steps[0])["z"][:3] == (-2.0, 1.0, -2.0)
    assert x.grad is None and z.grad is None          # nothing accumulated


def test_tensor_sigmoid_neuron():
    w = ag.tensor([1.0, -1.0], requires_grad=True)
    x = ag.tensor([2.0, 3.0])
    b = ag.tensor(1.0, requires_grad=True)
    y = ((w * x).sum() + b).sigmoid()
    e = explain(y, names={"w": w, "x": x, "b": b, "y": y})
    assert np.allclose(e.gradients["w"], [0.5, 0.75]) and e.gradients["b"] == 0.25
    step_w = next(s for s in e.steps if s.op == "mul")
    (t,) = step_w.terms                              # x needs no gradient
    assert t.parent_name == "w" and np.allclose(t.local, [2.0, 3.0])   # elementwise: x
    assert np.allclose(t.upstream, [0.25, 0.25]) and np.allclose(t.product, [0.5, 0.75])
    y.backward()
    assert np.allclose(w.grad.numpy(), e.gradients["w"])


def test_tensor_matmul_gives_products_without_a_local_number():
    W = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x = ag.tensor([[1.0], [-1.0]])
    loss = (W @ x).sum()
    e = explain(loss, names={"W": W, "x": x, "loss": loss})
    mm = next(s for s in e.steps if s.op == "matmul")
    (t,) = mm.terms
    assert t.local is None and t.formula == "upstream @ xᵀ"
    assert np.allclose(t.product, [[1.0, -1.0], [1.0, -1.0]])


def test_after_backward_without_retain_graph_the_error_says_what_to_do():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        explain(loss)
    loss2 = (w * w).sum()
    loss2.backward(retain_graph=True)
    assert np.allclose(explain(loss2, names={"w": w}).gradients["w"], [2.0, 4.0])


def test_non_scalar_root_needs_a_gradient():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="gradient="):
        explain(w * 3)
    e = explain(w * 3, names={"w": w}, gradient=[1.0, 10.0])
    assert np.allclose(e.gradients["w"], [3.0, 30.0])


def test_frames_one_per_step_with_the_step_highlighted():
    *_, f = f_graph()
    e = explain(f)
    frames = e.frames()
    assert len(frames) == len(e.steps) + 1 == 3
    assert all(isinstance(g, GraphPicture) for g in frames)
    first, step1, step2 = (g.source for g in frames)
    assert "grad ?" in first and "penwidth=3" not in first
    assert "Step 1 of 2" in step1 and "penwidth=3" in step1
    assert 'label="4 × 1 = 4"' in step1 and 'label="-2 × 1 = -2"' in step1
    assert "grad -2" in step1 and "grad ?" in step1      # x and y are not known yet
    assert "grad ?" not in step2
    # the same layout in every frame: every label is there, the later ones invisible
    assert 'label="1 × 4 = 4"' in first and 'fontcolor="#ffffff"' in first


def test_slider_html(tmp_path):
    if shutil.which("dot") is None and shutil.which("graphviz-pure") is None:
        if os.environ.get("CI"):
            raise RuntimeError("CI renders with Graphviz's dot: make test installs it")
        pytest.skip("no dot to render with")
    *_, f = f_graph()
    s = explain(f).slider()
    page = s.html
    assert page.count("<svg") == 3 and 'type="range"' in page and "step 1: f = (x + y) * z" in page
    s.save(tmp_path / "steps.html")
    assert (tmp_path / "steps.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert explain(f).slider().html == page          # deterministic


def test_text_of_every_value_op():
    a = Value(2.0, label="a")
    b = Value(0.5, label="b")
    out = (a - b) / b + a ** 3 + (-a).relu() + a.log() + b ** a
    text = str(explain(out))
    for piece in ("local ∂(a - b)/∂b = -1", "3 * a**(3 - 1) = 12", "1/a = 0.5",
                  "(1 if (-a) > 0 else 0) = 0", "(b ** a) * log(b) = -0.1733",
                  "-(a - b)/b**2 = -6", "grad b: -6 + (-2) = -8"):
        assert piece in text, piece
    assert not math.isnan(explain(out).gradients["a"])
