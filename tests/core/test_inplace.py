"""In-place ops inside a graph, version counters and views, against PyTorch.

Each case runs the same program in both libraries (``lib`` is ``autograd_core`` or
``torch``) and compares what came out: values and gradients, or the error raised.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core import nn
from autograd_core import optim
from tests.helpers import torch_or_skip


def run_both(torch, program):
    """``program(lib)`` in both libraries: the same exception type, or the same numbers.
    Returns our result (a list of arrays, or the exception)."""
    results = []
    for lib in (ag, torch):
        try:
            out = program(lib)
            results.append([np.asarray(x.detach().numpy() if hasattr(x, "detach") else x,
                                       dtype=np.float64) for x in out])
        except RuntimeError as e:
            results.append(e)
    ours, theirs = results
    if isinstance(theirs, Exception) or isinstance(ours, Exception):
        assert type(ours) is type(theirs), f"ours: {ours!r}, PyTorch: {theirs!r}"
        return ours
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    return ours


def leaf(lib, values):
    return lib.tensor(np.array(values, dtype=np.float64), requires_grad=True)


# ------------------------------------------------------- saved tensors changed in place
def test_a_saved_input_changed_in_place_raises_at_backward(torch):
    def program(lib):
        w = leaf(lib, [1.0, 2.0, 3.0])
        y = (w * w).sum()
        with lib.no_grad():
            w.add_(1)
        y.backward()
        return [w.grad]
    err = run_both(torch, program)
    assert "modified by an inplace operation" in str(err) and "version 1" in str(err)


def test_a_saved_output_changed_in_place_raises(torch):
    def program(lib):
        x = leaf(lib, [0.5, -1.0])
        h = x.exp()
        h.add_(1)             # exp saved its output
        h.sum().backward()
        return [x.grad]
    assert "output 0 of Exp" in str(run_both(torch, program))


def test_an_input_no_op_saved_may_change(torch):
    def program(lib):
        x = leaf(lib, [0.5, -1.0])
        c = lib.tensor([2.0, 3.0], dtype=lib.float64)
        y = (x + c).sum()     # add saves nothing
        c.mul_(10)
        y.backward()
        return [x.grad, c]
    run_both(torch, program)


def test_second_backward_after_an_optimizer_step_raises(torch):
    def program(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1)).double()
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        loss = model(lib.ones(2, 3, dtype=lib.float64)).sum()
        loss.backward(retain_graph=True)
        opt.step()
        loss.backward()           # the second layer saved its weight: changed by step()
        return []
    err = run_both(torch, program)
    assert "modified by an inplace operation" in str(err)


def test_a_view_changed_after_its_base_was_saved(torch):
    def program(lib):
        x = leaf(lib, [[1.0, 2.0], [3.0, 4.0]])
        h = x * 1
        y = (h * h).sum()     # saves h
        with lib.no_grad():
            h[0].mul_(5)      # a view of h: bumps h's version too
        y.backward()
        return [x.grad]
    run_both(torch, program)


def test_detach_shares_the_version_counter(torch):
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x.sigmoid()
        y.detach().zero_()
        y.sum().backward()
        return [x.grad]
    run_both(torch, program)


# -------------------------------------------------------------- in-place operators
def test_minus_equals_on_a_parameter_outside_no_grad_raises_and_inside_mutates(torch):
    p = nn.Parameter(ag.ones(3))
    data = p._data
    (p * 2).sum().backward()
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        p -= 0.1 * p.grad
    with ag.no_grad():
        p -= 0.1 * p.grad
    assert p._data is data and np.allclose(p.detach().numpy(), 0.8)
    model = nn.Linear(2, 1)
    before = model.weight
    with ag.no_grad():
        for q in model.parameters():
            q -= 1.0
    assert model.weight is before   # the model's own parameter changed, not a new tensor


def test_plus_equals_on_a_non_leaf_mutates_every_name_for_it(torch):
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        h = x * 3
        alias = h
        h += 1
        assert alias is h
        (h * h).sum().backward()
        return [alias, x.grad, [h._version]]
    run_both(torch, program)


@pytest.mark.parametrize("op", ["add_", "sub_", "mul_"])
def test_an_in_place_op_that_would_change_the_dtype_raises(torch, op):
    def program(lib):
        i = lib.tensor([1, 2, 3])
        getattr(i, op)(0.5)
        return [i]
    assert "can't be cast to the desired output type Long" in str(run_both(torch, program))


def test_division_in_place_of_integers_raises_and_broadcast_shapes_are_checked(torch):
    run_both(torch, lambda lib: [lib.tensor([2, 4]).__itruediv__(2)])
    err = run_both(torch, lambda lib: [lib.ones(3).add_(lib.ones(2, 3))])
    assert "doesn't match the broadcast shape [2, 3]" in str(err)
    err = run_both(torch, lambda lib: [lib.ones(2, 3).expand(4, 2, 3).add_(1)])
    assert "more than one element of the written-to tensor" in str(err)


# ------------------------------------------------------------- recorded in-place ops
IN_PLACE = {
    "add_": lambda h, c: h.add_(c, alpha=2),
    "sub_": lambda h, c: h.sub_(c),
    "mul_": lambda h, c: h.mul_(c),
    "div_": lambda h, c: h.div_(c + 3),
    "clamp_": lambda h, c: h.clamp_(-0.5, 0.7),
    "relu_": lambda h, c: h.relu_(),
    "sigmoid_": lambda h, c: h.sigmoid_(),
    "tanh_": lambda h, c: h.tanh_(),
    "exp_": lambda h, c: h.exp_(),
    "zero_": lambda h, c: h.zero_(),
    "fill_": lambda h, c: h.fill_(2.5),
    "copy_": lambda h, c: h.copy_(c),
    "masked_fill_": lambda h, c: h.masked_fill_(c > 0, 0.0),
    "setitem": lambda h, c: h.__setitem__((slice(None), 1), c[:, 0]),
    "setitem_index": lambda h, c: h.__setitem__((1, [0, 1]), c[1, :2]),
    "iadd": lambda h, c: h.__iadd__(c),
    "imul": lambda h, c: h.__imul__(c),
}


@pytest.mark.parametrize("name", sorted(IN_PLACE))
@pytest.mark.parametrize("where", ["tensor", "view", "base of a view"])
def test_in_place_op_in_a_graph_gives_pytorchs_gradients(torch, name, where):
    def program(lib):
        x = leaf(lib, [[0.3, -1.2, 2.0], [1.5, -0.4, 0.9]])
        c = leaf(lib, [[0.2, 0.5, -1.0], [-0.3, 0.8, 0.1]])
        h = x * 1.5
        if where == "tensor":
            IN_PLACE[name](h, c)
            out = h
        elif where == "view":
            v = h.t()
            IN_PLACE[name](v, c.t())
            out = h
        else:
            v = h[1]
            IN_PLACE[name](h, c)
            out = h + v          # v is replayed from h's new history
        w = lib.tensor(np.arange(6.0).reshape(2, 3) + 1, dtype=lib.float64)
        (out * w).sum().backward()
        return [out, x.grad, c.grad if c.grad is not None else lib.zeros(2, 3)]
    run_both(torch, program)


def test_setitem_fills_a_buffer_step_by_step_as_an_rnn_does(torch):
    def program(lib):
        x = leaf(lib, [[0.5, -1.0], [2.0, 0.25]])
        out = lib.zeros(3, 2, dtype=lib.float64)
        h = lib.zeros(2, dtype=lib.float64)
        for t in range(3):
            h = (x @ h + 1).tanh()
            out[t] = h
        (out ** 2).sum().backward()
        return [out, x.grad]
    run_both(torch, program)


def test_in_place_on_a_view_of_a_leaf_raises(torch):
    err = run_both(torch, lambda lib: [leaf(lib, [1.0, 2.0])[0:1].mul_(2)])
    assert "view of a leaf Variable" in str(err)

    def in_no_grad(lib):
        w = leaf(lib, [1.0, 2.0])
        with lib.no_grad():
            v = w[0:1]
        v.add_(1)
        return [w]
    assert "created in no_grad mode" in str(run_both(torch, in_no_grad))


def test_nn_relu_inplace_writes_into_its_input(torch):
    def program(lib):
        x = leaf(lib, [[1.0, -2.0], [-0.5, 3.0]])
        h = x * 2
        y = lib.nn.ReLU(inplace=True)(h)
        assert y is h
        z = lib.nn.functional.leaky_relu(h * 1, 0.1, inplace=True)
        (y.sum() + z.sum()).backward()
        return [h, z, x.grad]
    run_both(torch, program)


def test_hooks_see_the_value_they_were_registered_on(torch):
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        h = x * 2
        seen = []
        h.register_hook(lambda g: seen.append(g.clone()))
        h.mul_(3)
        h.sum().backward()
        return [seen[0], x.grad]
    run_both(torch, program)


# --------------------------------------------------- hooks and .grad: checked as PyTorch
def test_hook_may_not_change_shape_or_dtype(torch):
    def shape(lib):
        x = leaf(lib, [1.0, 2.0, 3.0])
        x.register_hook(lambda g: g[:2])
        (x * 2).sum().backward()
        return [x.grad]
    assert "has changed the size of value" in str(run_both(torch, shape))

    def dtype(lib):
        x = lib.ones(3, requires_grad=True)
        x.register_hook(lambda g: g.double())
        (x * 2).sum().backward()
        return [x.grad]
    assert "has changed the type of value" in str(run_both(torch, dtype))


def test_assigned_grad_must_match_shape_and_dtype(torch):
    err = run_both(torch, lambda lib: setattr(lib.ones(3, requires_grad=True), "grad",
                                              lib.ones(2)))
    assert "size" in str(err)
    err = run_both(torch, lambda lib: setattr(lib.ones(3, requires_grad=True), "grad",
                                              lib.ones(3, dtype=lib.float64)))
    assert "dtype" in str(err)
    for lib in (ag, torch):
        with pytest.raises(TypeError, match="assigned grad expected to be a Tensor"):
            lib.ones(3, requires_grad=True).grad = 3.0


# -------------------------------------------- a random mix of in-place and out-of-place ops
UNARY = ["exp", "tanh", "sigmoid", "relu", "sin", "neg", "abs", "square"]
BINARY = ["add", "sub", "mul", "div"]


def _apply_step(lib, pool, leaves, step):
    kind, i, j, k = step
    a, b = pool[i % len(pool)], pool[j % len(pool)]
    if kind == "unary":
        pool.append(getattr(a, UNARY[k % len(UNARY)])())
    elif kind == "binary":
        op = BINARY[k % len(BINARY)]
        pool.append(getattr(a, op)(b.abs() + 1 if op == "div" else b))
    elif kind == "unary_":
        getattr(a, UNARY[k % len(UNARY)] + "_")()
    elif kind == "binary_":
        op = BINARY[k % len(BINARY)]
        getattr(a, op + "_")(b.abs() + 1 if op == "div" else b)
    elif kind == "view":  # views that keep the (2, 3) shape every tensor of the pool has
        pool.append([a[:], a.reshape(2, 3), a.t().t(), a[..., :]][k % 4])
    elif kind == "view_":
        v = [a.t(), a[k % 2], a[:, 1:], a.reshape(6)][k % 4]
        v.mul_(0.5 + k % 3)
    elif kind == "setitem":
        a[k % 2] = b.sum(0) if k % 3 else b[1]
    elif kind == "copy_":
        a.copy_(b.sum() * 0.25 if k % 2 else b)
    elif kind == "leaf_step":
        with lib.no_grad():
            leaves[k % 2].sub_(0.01)
    elif kind == "detach_":
        a.detach().mul_(1.5)


STEPS = st.tuples(st.sampled_from(["unary", "binary", "unary_", "binary_", "view", "view_",
                                   "setitem", "copy_", "leaf_step", "detach_"]),
                  st.integers(0, 30), st.integers(0, 30), st.integers(0, 30))


@settings(max_examples=80, deadline=None)
@given(steps=st.lists(STEPS, min_size=1, max_size=12))
def test_random_mix_of_in_place_and_out_of_place_ops_matches_pytorch(steps):
    torch = torch_or_skip()  # not the fixture: hypothesis runs this test many times
    results = []
    for lib in (ag, torch):
        x = leaf(lib, [[0.3, -1.2, 2.0], [1.5, -0.4, 0.9]])
        y = leaf(lib, [[0.7, 0.1, -0.6], [-2.0, 1.1, 0.4]])
        pool = [x * 1, y * 1, x + y, lib.tensor(np.ones((2, 3)), dtype=lib.float64)]
        outcome: list = []
        done = 0
        try:
            for step in steps:
                _apply_step(lib, pool, [x, y], step)
                # reading grad_fn refreshes a view whose base changed in place; PyTorch
                # skips that refresh in its leaf check of an in-place op on such a view
                # (a view made before its base required grad then counts as a leaf there)
                [t.grad_fn for t in pool]
                done += 1
            loss = sum(((t * (n + 1)).sum() for n, t in enumerate(pool) if t.requires_grad),
                       lib.zeros((), dtype=lib.float64))
            if loss.requires_grad:
                loss.backward()
            outcome = [t.detach().numpy().copy() for t in pool] + [
                (v.grad.numpy() if v.grad is not None else None) for v in (x, y)]
        except RuntimeError as e:
            outcome = [type(e).__name__, done]
        results.append(outcome)
    ours, theirs = results
    assert len(ours) == len(theirs), (ours, theirs)
    for a, b in zip(ours, theirs):
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, equal_nan=True)
        else:
            assert a == b


def test_version_counts_in_place_changes_of_a_base_and_its_views():
    x = ag.zeros(2, 3)
    v = x[0]
    assert x._version == v._version == 0
    v.add_(1)
    x.mul_(2)
    x[1] = 5.0
    assert x._version == v._version == 3
    assert x.tolist() == [[2.0, 2.0, 2.0], [5.0, 5.0, 5.0]]


def test_losses_accumulated_in_place_as_torch(torch):
    # a full reduction (mean, mse_loss, nll_loss, ...) gives a 0-d tensor that takes
    # ``+=`` as PyTorch's does, from a number (``total = 0.``) or from another loss
    def program(lib):
        F = lib.nn.functional
        x = lib.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=lib.float64,
                       requires_grad=True)
        target = lib.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]], dtype=lib.float64)
        total = 0.
        for loss in (F.mse_loss(x, target), F.l1_loss(x, target), x.mean(),
                     F.nll_loss(F.log_softmax(x, 1), lib.tensor([2, 0]))):
            total += loss
        total *= 2.0
        (gx,) = lib.autograd.grad(total, x, create_graph=True)
        (ggx,) = lib.autograd.grad((gx * gx).sum(), x)
        return [total, gx, ggx]

    run_both(torch, program)


def test_a_full_reduction_saved_as_its_own_output_keeps_its_graph():
    # 2 ** x.sum() saves its output for the exponent's gradient: the second derivative
    # flows through it
    x = ag.tensor([0.3, -0.4], dtype=ag.float64, requires_grad=True)
    y = 2.0 ** x.sum()
    assert type(y._data) is np.ndarray and y._data.flags.writeable
    assert ag.gradgradcheck(lambda x: 2.0 ** x.sum(), (x,))


_ARITH_CASES = [
    ("add_ number", lambda x, o: x.add_(2.5)),
    ("add_ int", lambda x, o: x.add_(3)),
    ("add_ tensor", lambda x, o: x.add_(o)),
    ("add_ alpha", lambda x, o: x.add_(o, alpha=-0.1)),
    ("add_ number alpha", lambda x, o: x.add_(2, alpha=0.5)),
    ("sub_ tensor alpha", lambda x, o: x.sub_(o, alpha=3)),
    ("sub_ 0-d", lambda x, o: x.sub_(o.sum())),
    ("mul_ tensor", lambda x, o: x.mul_(o)),
    ("mul_ number", lambda x, o: x.mul_(-1.5)),
    ("itself", lambda x, o: x.add_(x)),
    ("flipped itself", lambda x, o: x.add_(x.flip(0))),
    ("transposed self", lambda x, o: x.T.mul_(o.T)),
    ("row of self", lambda x, o: x[1].sub_(o[0], alpha=2)),
]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("name,op", _ARITH_CASES, ids=[c[0] for c in _ARITH_CASES])
def test_arithmetic_in_place_without_a_graph_as_pytorch(torch, monkeypatch, name, op, dtype):
    """add_/sub_/mul_ with nothing to record write with NumPy straight into the tensor: the
    same values as PyTorch, the same bits as the general path (out of place, then copied),
    and a version bump shared with the base."""
    from autograd_core.tensor.inplace import InPlaceMixin
    rng = np.random.default_rng(5)
    xs, os_ = rng.standard_normal((3, 4)).astype(dtype), rng.standard_normal((3, 4)).astype(dtype)
    results = []
    for m in (ag, torch, "general"):
        lib = ag if m == "general" else m
        x, o = lib.tensor(xs.copy()), lib.tensor(os_.copy())
        before = x._version
        if m == "general":
            with monkeypatch.context() as patch:
                patch.setattr(InPlaceMixin, "_arith_inplace", lambda *a: False)
                op(x, o)
        else:
            op(x, o)
        results.append((x.numpy().copy(), x._version - before))
    (ours, v_ours), (theirs, v_theirs), (general, v_general) = results
    np.testing.assert_array_equal(ours, general)
    tol = 1e-2 if dtype == "float16" else 1e-6
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)
    assert v_ours == v_theirs == v_general == 1


def test_arithmetic_in_place_keeps_pytorchs_refusals(torch):
    """The fast path leaves what it cannot take to the general path and its errors."""
    leaf = ag.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.add_(1.0)
    with ag.no_grad():
        leaf.add_(1.0)      # allowed without grad mode, as PyTorch
    assert leaf.tolist() == [2.0, 2.0, 2.0] and leaf.grad_fn is None
    with pytest.raises(RuntimeError, match="more than one element"):
        ag.ones(1).expand(3).add_(1.0)
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        ag.ones(3).add_(ag.ones(2, 3))
    x = ag.ones(3, dtype=ag.int64)
    with pytest.raises(RuntimeError, match="can't be cast"):
        x.add_(0.5)
    y = ag.ones(3)
    w = ag.full((3,), 2.0, requires_grad=True)
    y.mul_(w)               # recorded: the general path
    assert y.grad_fn is not None
    y.sum().backward()
    assert w.grad.tolist() == [1.0, 1.0, 1.0]
