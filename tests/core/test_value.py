"""The scalar Value: micrograd's API, hand-derived gradients, PyTorch parity."""
import gc
import math
import random

import pytest

from autograd_core import Value, gradcheck


def test_chain_rule_example_by_hand():
    # f = (x + y) * z at x=1, y=-3, z=4: df/dx = df/dy = z = 4, df/dz = x + y = -2
    x, y, z = Value(1.0, label="x"), Value(-3.0, label="y"), Value(4.0, label="z")
    f = (x + y) * z
    f.backward()
    assert f.data == -8.0
    assert (x.grad, y.grad, z.grad) == (4.0, 4.0, -2.0)


def test_sigmoid_neuron_by_hand():
    w1, x1, w2, x2, b = Value(2.0), Value(-1.0), Value(-3.0), Value(-2.0), Value(-3.0)
    out = (w1 * x1 + w2 * x2 + b).sigmoid()   # z = -2 + 6 - 3 = 1
    out.backward()
    s = 1 / (1 + math.exp(-1.0))
    ds = s * (1 - s)
    assert out.data == pytest.approx(s, abs=1e-15)
    assert w1.grad == pytest.approx(ds * -1.0, abs=1e-15)
    assert x1.grad == pytest.approx(ds * 2.0, abs=1e-15)
    assert w2.grad == pytest.approx(ds * -2.0, abs=1e-15)
    assert x2.grad == pytest.approx(ds * -3.0, abs=1e-15)
    assert b.grad == pytest.approx(ds, abs=1e-15)


def test_node_used_twice_gets_summed_gradient():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0


def test_data_and_grad_are_assignable_floats():
    a = Value(2.0)
    (a * a).backward()
    assert isinstance(a.grad, float) and a.grad == 4.0
    a.data -= 0.1 * a.grad   # micrograd's update step
    a.grad = 0.0
    assert a.data == pytest.approx(1.6) and a.grad == 0.0


def test_reflected_operators_and_number_exponent():
    a = Value(2.0)
    r = [1 + a, 1 - a, 3 * a, 1 / a, a ** 3, 2 ** a, -a, a / 4, a - 1]
    assert [v.data for v in r] == pytest.approx([3, -1, 6, 0.5, 8, 4, -2, 0.5, 1])
    out = (2 ** a)
    out.backward()
    assert a.grad == pytest.approx(4 * math.log(2))


def test_value_exponent_gets_gradient():
    a, b = Value(2.0), Value(3.0)
    c = a ** b
    c.backward()
    assert c.data == 8.0
    assert a.grad == pytest.approx(3 * 4.0)
    assert b.grad == pytest.approx(8 * math.log(2))


def test_pow_rejects_foreign_exponent():
    with pytest.raises(TypeError, match="str"):
        Value(2.0) ** "x"


def test_log_of_non_positive_is_a_clear_error():
    with pytest.raises(ValueError, match="log"):
        Value(0.0).log()


def test_chain_200000_deep():
    x = Value(0.5)
    y = x
    for _ in range(200_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0
    del y
    gc.collect()


def test_graph_has_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = Value(1.0)
        y = sum((x * i).tanh() for i in range(100))
        y.backward()
        del x, y
        assert gc.collect() == 0   # freed by reference counting alone
    finally:
        gc.enable()


def test_gradcheck_on_values():
    f = lambda a, b, c: ((a * b).tanh() + (c.exp() / b) - a.sigmoid() * c.relu()) ** 2
    assert gradcheck(f, (Value(0.3), Value(-1.2), Value(0.7)))


OPS = [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b),
    ("pow_num", lambda a, b: a ** 3),
    ("pow_value", lambda a, b: a ** b),
    ("neg", lambda a, b: -a),
    ("relu", lambda a, b: (a - b).relu()),
    ("tanh", lambda a, b: (a * b).tanh()),
    ("sigmoid", lambda a, b: (a - b).sigmoid()),
    ("exp", lambda a, b: a.exp()),
    ("log", lambda a, b: a.log()),
    ("radd", lambda a, b: 2.5 + a),
    ("rsub", lambda a, b: 2.5 - a),
    ("rmul", lambda a, b: 2.5 * a),
    ("rdiv", lambda a, b: 2.5 / a),
    ("rpow", lambda a, b: 2.5 ** a),
    ("mix", lambda a, b: ((a * b + a.exp()).tanh() * b.sigmoid() - a / (b * b)) ** 2),
]


@pytest.mark.parametrize("name,f", OPS, ids=[n for n, _ in OPS])
def test_matches_pytorch_float64(torch, name, f):
    rng = random.Random(name)
    for _ in range(5):
        av, bv = rng.uniform(0.2, 2.0), rng.uniform(-2.0, 2.0)
        a, b = Value(av), Value(bv)
        out = f(a, b)
        out.backward()
        ta = torch.tensor(av, dtype=torch.float64, requires_grad=True)
        tb = torch.tensor(bv, dtype=torch.float64, requires_grad=True)
        tout = f(ta, tb)
        tout.backward()
        assert out.data == pytest.approx(tout.item(), rel=1e-12, abs=1e-12)
        ga = ta.grad.item() if ta.grad is not None else 0.0
        gb = tb.grad.item() if tb.grad is not None else 0.0
        assert a.grad == pytest.approx(ga, rel=1e-12, abs=1e-12)
        assert b.grad == pytest.approx(gb, rel=1e-12, abs=1e-12)


def test_repr():
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"


def test_value_toposort_matches_the_engines():
    from autograd_core.autograd.engine import toposort
    from autograd_core.value import _parents, _toposort
    x, y = Value(0.5), Value(-1.5)
    z = ((x * y + x).tanh() * (y - x) + x ** 2).relu() + y.exp() / x
    assert _toposort(z) == toposort((z,), _parents)


def test_sorting_again_ignores_the_marks_of_earlier_sorts():
    from autograd_core.autograd.engine import toposort
    from autograd_core.value import _parents, _toposort

    def graph():
        x, y = Value(0.5), Value(-1.5)
        h = (x * y + x).tanh()
        return x, y, h, h * (y - x) + x ** 2

    def reference_backward(root):   # micrograd's loop over the engine's order
        root.grad = 1.0
        for v in reversed(toposort((root,), _parents)):
            for p, local in zip(v._prev, v._local):
                p.grad += local * v.grad

    x, y, h, z = graph()
    x2, y2, h2, z2 = graph()
    for _ in range(2):   # the same graph twice: every grad accumulates, inner ones too
        z.backward()
        reference_backward(z2)
        assert (x.grad, y.grad, h.grad) == (x2.grad, y2.grad, h2.grad)
    w = (z + h).relu() * y   # a graph reusing sorted nodes
    assert _toposort(w) == toposort((w,), _parents)
    assert _toposort(h) == toposort((h,), _parents)


def test_backward_reads_the_data_of_the_moment_as_micrograd_does():
    # micrograd's closures read ``data`` when backward runs, not when the op ran: a
    # parameter updated between the forward pass and backward changes the gradient.
    # c = a*b + a**2 + b, made at a=2, b=-3, differentiated at a=0.5, b=4:
    # dc/da = b + 2a = 5, dc/db = a + 1 = 1.5 (exact in binary, so compared exactly).
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a ** 2 + b
    a.data, b.data = 0.5, 4.0
    c.backward()
    assert (a.grad, b.grad) == (5.0, 1.5)
    try:                     # and micrograd agrees, where it is installed (make bench)
        from micrograd.engine import Value as MicrogradValue
    except ImportError:
        return
    a, b = MicrogradValue(2.0), MicrogradValue(-3.0)
    c = a * b + a ** 2 + b
    a.data, b.data = 0.5, 4.0
    c.backward()
    assert (a.grad, b.grad) == (5.0, 1.5)


def test_label_is_kept_beside_the_node():
    x = Value(1.0, label="x")
    y = x * 2.0
    assert (x.label, y.label) == ("x", "")
    y.label = "y"
    x.label = ""
    assert (x.label, y.label) == ("", "y")


# -- the node's layout: four slots, the op as its class -------------------------------------
def test_a_node_is_four_slots_and_its_op_is_its_class():
    # the size is the design (a full collection of the garbage collector reads every live
    # node, benchmarks/README.md): 16 bytes of collector header, 16 of object header and
    # four references. Exact on CPython's 64-bit builds, where this suite runs.
    import sys
    a, b = Value(2.0), Value(3.0)
    nodes = [a + b, a * b, a - b, a / b, a ** b, a ** 2, -a, a.relu(), a.tanh(),
             a.sigmoid(), a.exp(), a.log()]
    assert [n._op for n in nodes] == ["+", "*", "-", "/", "**", "**2", "neg", "ReLU", "tanh",
                                      "sigmoid", "exp", "log"]
    assert a._op == "" and all(isinstance(n, Value) for n in nodes)
    if sys.implementation.name == "cpython" and sys.maxsize > 2 ** 32:
        assert {sys.getsizeof(n) for n in nodes + [a]} == {64}
    assert not hasattr(a, "__dict__")


def test_exponents_keep_their_own_numbers_and_gradients():
    x = Value(1.5)
    ys = [x ** e for e in (2, 2.0, 3, -1, 0.5, 0)]
    assert [y._op for y in ys] == ["**2", "**2.0", "**3", "**-1", "**0.5", "**0"]
    for y, e in zip(ys, (2, 2.0, 3, -1, 0.5, 0)):
        x.grad = 0.0
        y.backward()
        assert x.grad == pytest.approx(e * 1.5 ** (e - 1), rel=1e-15)
    # many different exponents: the classes made for them stay few
    from autograd_core import value as V
    for k in range(1000):
        (x ** (k / 7)).backward()
    assert len(V._POWERS) <= V._MAX_CLASSES


def test_hand_made_nodes_keep_their_op_and_pass_nothing_unknown():
    a, b = Value(2.0), Value(5.0)
    s = Value(7.0, (a, b), "+")          # a known op by name: its rule
    s.backward()
    assert s._op == "+" and (a.grad, b.grad) == (1.0, 1.0)
    c = Value(1.0, (a,), "myop", label="c")
    c.backward()
    assert c._op == "myop" and c.label == "c" and a.grad == 1.0   # unchanged: nothing passed
    assert c._prev == (a,) and c._local == (0.0,)


def test_labels_go_with_their_nodes():
    from autograd_core import value as V
    before = len(V._labels)
    x = Value(1.0, label="x")
    y = x * 3.0
    y.label = "y"
    assert (x.label, y.label, y._op) == ("x", "y", "*")
    y.backward()                      # a labeled node keeps its op's rule
    assert x.grad == 3.0
    for k in range(100):              # labels of dropped nodes do not pile up
        (x * k).label = f"t{k}"
    del x, y
    gc.collect()
    assert len(V._labels) == before


def test_copy_and_pickle_rebuild_the_graph():
    import copy
    import pickle
    a, b = Value(2.0, label="a"), Value(-3.0)
    z = ((a * b + a ** 3).tanh() / b - Value(1.0, (a,), "custom")).relu() + b.exp()
    z.label = "z"
    for clone in (pickle.loads(pickle.dumps(z)), copy.deepcopy(z)):
        assert clone.data == z.data and clone._op == z._op and clone.label == "z"
        clone.backward()
    z.backward()
    order = _leaves(z)
    for clone in (pickle.loads(pickle.dumps(z)),):
        assert [v.grad for v in _leaves(clone)] == [v.grad for v in order]
        assert [v.label for v in _leaves(clone)] == [v.label for v in order]


def _leaves(root):
    from autograd_core.value import _toposort
    return [v for v in _toposort(root) if v._a is None]


def test_two_threads_sort_graphs_that_share_nodes():
    # backward's marks are sets of each call: two threads may sort (and run backward on)
    # graphs with common inner nodes at once
    import threading
    from autograd_core.autograd.engine import toposort
    from autograd_core.value import _parents, _toposort
    xs = [Value(random.uniform(-1, 1)) for _ in range(20)]
    shared = sum((x * x for x in xs), Value(0.0)).tanh()
    roots = [shared * k + xs[k] for k in range(8)]
    expected = [toposort((r,), _parents) for r in roots]
    errors = []

    def work(i):
        for _ in range(200):
            for r, e in zip(roots[i::2], expected[i::2]):
                if _toposort(r) != e:
                    errors.append(r)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_a_subclass_of_the_users_keeps_its_class_and_op():
    class Named(Value):
        def __init__(self, data, _children=(), _op="", label="", name=""):
            super().__init__(data, _children, _op, label)
            self.name = name

    a = Named(2.0, name="a")
    c = Named(4.0, (a,), "double", name="c")
    assert type(c) is Named and c._op == "double" and c.name == "c"
    c.label = "c"
    assert isinstance(c, Named) and c.label == "c" and c.name == "c"
    (a * a).backward()
    assert a.grad == 4.0
