"""``utils.checkpoint`` (the same values and gradients as the plain call, dropout
included; ``checkpoint_sequential``; PyTorch's warnings and errors) and ``finfo`` /
``iinfo`` (every attribute as PyTorch's)."""
import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.autograd.engine import node_parents, toposort
from autograd_core.dtype_info import finfo, iinfo
from autograd_core.utils.checkpoint import checkpoint, checkpoint_sequential


# ------------------------------------------------------------------ finfo and iinfo
FLOATS = ["float16", "bfloat16", "float32", "float64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]


@pytest.mark.parametrize("name", FLOATS)
def test_finfo_as_torch(torch, name):
    ours, theirs = finfo(getattr(ag, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert type(getattr(ours, attr)) is type(getattr(theirs, attr)), attr
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("name", INTS)
def test_iinfo_as_torch(torch, name):
    ours, theirs = iinfo(getattr(ag, name)), torch.iinfo(getattr(torch, name))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert type(getattr(ours, attr)) is type(getattr(theirs, attr)), attr
    assert repr(ours) == repr(theirs)


def test_finfo_default_dtype_and_python_types(torch):
    assert finfo().dtype == "float32" == torch.finfo().dtype
    ag.set_default_dtype(ag.float64)
    try:
        assert finfo().dtype == "float64"
    finally:
        ag.set_default_dtype(ag.float32)
    assert finfo(float) == finfo(ag.float64) and finfo(float).dtype == torch.finfo(float).dtype
    assert iinfo(int).dtype == torch.iinfo(int).dtype == "int64"
    assert finfo(ag.float32) == finfo(ag.float32) and finfo(ag.float32) != finfo(ag.float16)


@pytest.mark.parametrize("call", [
    lambda m: m.finfo(m.int32), lambda m: m.finfo(m.bool), lambda m: m.finfo(m.uint8),
    lambda m: m.iinfo(m.float32), lambda m: m.iinfo(m.bfloat16), lambda m: m.iinfo(m.bool),
    lambda m: m.finfo("float32"), lambda m: m.iinfo("int32"), lambda m: m.iinfo(None),
])
def test_wrong_kind_of_dtype_is_a_type_error(torch, call):
    with pytest.raises(TypeError):
        call(torch)
    ours = type("m", (), {"finfo": staticmethod(finfo), "iinfo": staticmethod(iinfo),
                          **{n: getattr(ag, n) for n in ("int32", "bool", "uint8", "float32",
                                                         "bfloat16")}})
    with pytest.raises(TypeError, match="info"):
        call(ours)


# ------------------------------------------------------------------ checkpoint
def mlp(dropout=0.0):
    ag.manual_seed(0)
    layers = [nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers, nn.Linear(16, 3))


def run(model, wrap, reentrant=False):
    """Output, input gradient, parameter gradients and the next random draw after a
    forward and backward through ``model`` (checkpointed if ``wrap``)."""
    ag.manual_seed(1)
    x = ag.randn(6, 5, dtype=ag.float32, requires_grad=True)
    h = x * 1.5  # a non-leaf input
    y = checkpoint(model, h, use_reentrant=reentrant) if wrap else model(h)
    after = ag.randn(3)
    ((y * y).sum() + y.mean()).backward()
    return (y.detach().numpy().copy(), x.grad.numpy().copy(),
            [p.grad.numpy().copy() for p in model.parameters()], after.numpy())


def assert_same(a, b):
    y, gx, gp, after = a
    y2, gx2, gp2, after2 = b
    np.testing.assert_array_equal(y, y2)
    np.testing.assert_array_equal(gx, gx2)
    np.testing.assert_array_equal(after, after2)
    assert len(gp) == len(gp2)
    for p, q in zip(gp, gp2):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("reentrant", [False, True])
@pytest.mark.parametrize("dropout", [0.0, 0.5])
def test_checkpoint_gives_the_plain_values_and_gradients(reentrant, dropout):
    plain = run(mlp(dropout), False)
    again = run(mlp(dropout), True, reentrant)
    assert_same(plain, again)


def test_the_graph_inside_is_not_kept():
    model = mlp(0.5)
    x = ag.randn(4, 5, requires_grad=True)
    y = checkpoint(model, x, use_reentrant=False)
    assert y.grad_fn.name() == "CheckpointBackward0"
    for node in toposort([y.grad_fn], node_parents):
        if node is not y.grad_fn and node._is_fn:  # only nodes that do not depend on x
            assert x not in toposort([node], node_parents)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.sum().backward()


def test_dropout_masks_match_and_rng_continues():
    """The recomputation draws the forward's masks, and leaves the generator where the
    plain run leaves it."""
    def block(t):
        return nn.functional.dropout(t, 0.5) * t
    x = ag.randn(50, requires_grad=True)
    ag.manual_seed(3)
    y = checkpoint(block, x, use_reentrant=False)
    ag.randn(5)
    y.sum().backward()
    after_ck = ag.randn(2).numpy()
    g_ck = x.grad.numpy().copy()
    x.grad = None
    ag.manual_seed(3)
    y2 = block(x)
    ag.randn(5)
    y2.sum().backward()
    np.testing.assert_array_equal(y.detach().numpy(), y2.detach().numpy())
    np.testing.assert_array_equal(g_ck, x.grad.numpy())
    np.testing.assert_array_equal(after_ck, ag.randn(2).numpy())


def test_autograd_grad_and_create_graph():
    model = mlp()
    x = ag.randn(3, 5, dtype=ag.float32, requires_grad=True)
    w = model[0].weight
    g1 = ag.autograd.grad(checkpoint(model, x, use_reentrant=False).pow(2).sum(), [x, w],
                          create_graph=True)
    g2 = ag.autograd.grad(model(x).pow(2).sum(), [x, w], create_graph=True)
    assert w.grad is None  # grad() returns, never accumulates
    for a, b in zip(g1, g2):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)
    # second derivatives through the checkpoint
    h1, = ag.autograd.grad(g1[0].sum(), x)
    h2, = ag.autograd.grad(g2[0].sum(), x)
    np.testing.assert_allclose(h1.numpy(), h2.numpy(), rtol=1e-5, atol=1e-7)


def test_gradcheck_through_checkpoint():
    w = ag.randn(4, 4, dtype=ag.float64, requires_grad=True)

    def fn(x):
        return checkpoint(lambda t: (t @ w).tanh() * t, x, use_reentrant=False)
    x = ag.randn(3, 4, dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(fn, (x,))
    assert ag.gradgradcheck(fn, (x,))
    assert ag.gradcheck(lambda x, w2: checkpoint(lambda a, b: (a @ b).sin(), x, w2,
                                                 use_reentrant=True), (x, w))


def test_closed_over_tensors_outputs_and_kwargs():
    """A tensor the function closes over that has a graph of its own gets its gradient
    once; tuple outputs; keyword arguments (use_reentrant=False); non-tensor arguments."""
    base = ag.randn(4, dtype=ag.float64, requires_grad=True)

    def loss(wrap):
        shift = base.exp()  # outside the checkpoint, with its own graph

        x = ag.ones(4, dtype=ag.float64, requires_grad=True) * 0.5

        def fn(t, scale, *, bias):  # shift, base and x itself are closed over
            return ((t * shift * scale + bias + base * t).sin() * x, t.sum() * 2 + shift.sum(),
                    "label")

        b = ag.tensor(0.25, dtype=ag.float64, requires_grad=True)
        out = checkpoint(fn, x, 3.0, bias=b, use_reentrant=False) if wrap else fn(x, 3.0, bias=b)
        assert out[2] == "label"
        return ag.autograd.grad((out[0] ** 2).sum() + out[1], [base, b, x])

    for a, b in zip(loss(True), loss(False)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-14)


def test_retain_graph_backward_twice():
    grads = []
    for wrap in (True, False):
        model = mlp()
        x = ag.randn(3, 5, requires_grad=True)
        y = checkpoint(model, x, use_reentrant=True) if wrap else model(x)
        y.sum().backward(retain_graph=True)
        y.pow(2).sum().backward()
        grads.append([x.grad.numpy()] + [p.grad.numpy() for p in model.parameters()])
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_hooks_of_parameters_run_once():
    model = mlp()
    seen = []
    model[0].weight.register_hook(lambda g: seen.append(1))
    checkpoint(model, ag.randn(2, 5, requires_grad=True), use_reentrant=False).sum().backward()
    assert seen == [1]


def test_checkpoint_sequential_over_sequential():
    for segments in (1, 2, 3):
        plain, model = mlp(0.5), mlp(0.5)
        ag.manual_seed(1)
        x = ag.randn(6, 5, requires_grad=True)
        y = plain(x)
        y.sum().backward()
        gx = x.grad.numpy().copy()
        x.grad = None
        ag.manual_seed(1)
        ag.randn(6, 5)
        y2 = checkpoint_sequential(model, segments, x, use_reentrant=False)
        y2.sum().backward()
        np.testing.assert_array_equal(y.detach().numpy(), y2.detach().numpy())
        np.testing.assert_array_equal(gx, x.grad.numpy())
        for p, q in zip(plain.parameters(), model.parameters()):
            np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
    # a list of functions
    fs = [lambda t: t * 2, lambda t: t.sin(), lambda t: t + 1]
    x = ag.randn(3, requires_grad=True)
    out = checkpoint_sequential(fs, 2, x, use_reentrant=True)
    assert ag.allclose(out, (x * 2).sin() + 1)


def test_no_grad_and_no_input_requiring_grad_call_directly():
    model = mlp()
    with ag.no_grad():
        assert not checkpoint(model, ag.randn(2, 5), use_reentrant=False).requires_grad
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = checkpoint(model, ag.randn(2, 5), use_reentrant=True)
    y.sum().backward()  # unlike PyTorch's reentrant variant, parameters get gradients
    assert model[0].weight.grad is not None


# each: a call made with (library, module, input tensor, its checkpoint functions)
CALLS = {
    "no_use_reentrant": lambda m, lin, x, ck, seq: ck(lin, x),
    "reentrant": lambda m, lin, x, ck, seq: ck(lin, x, use_reentrant=True),
    "non_reentrant": lambda m, lin, x, ck, seq: ck(lin, x, use_reentrant=False),
    "reentrant_no_grad_input": lambda m, lin, x, ck, seq: ck(lin, x.detach(), use_reentrant=True),
    "non_reentrant_no_grad_input":
        lambda m, lin, x, ck, seq: ck(lin, x.detach(), use_reentrant=False),
    "reentrant_kwargs":
        lambda m, lin, x, ck, seq: ck(lambda a, b=1: a * b, x, use_reentrant=True, b=2),
    "non_reentrant_kwargs":
        lambda m, lin, x, ck, seq: ck(lambda a, b=1: a * b, x, use_reentrant=False, b=2),
    "reentrant_context_fn": lambda m, lin, x, ck, seq: ck(
        lin, x, use_reentrant=True, context_fn=lambda: (None, None)),
    "reentrant_debug": lambda m, lin, x, ck, seq: ck(lin, x, use_reentrant=True, debug=True),
    "bad_determinism_check": lambda m, lin, x, ck, seq: ck(
        lin, x, use_reentrant=False, determinism_check="x"),
    "sequential_no_use_reentrant": lambda m, lin, x, ck, seq: seq(
        m.nn.Sequential(lin, m.nn.ReLU()), 2, x),
    "sequential_kwargs": lambda m, lin, x, ck, seq: seq(
        m.nn.Sequential(lin, m.nn.ReLU()), 2, x, use_reentrant=False, foo=1),
    "sequential_preserve": lambda m, lin, x, ck, seq: seq(
        m.nn.Sequential(lin, m.nn.ReLU()), 2, x, use_reentrant=False, preserve_rng_state=False),
}


def outcome(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn()
            error = None
        except Exception as e:  # noqa: BLE001  (compared with PyTorch's)
            error = type(e)
    return error, [(w.category, str(w.message)[:40]) for w in caught]


@pytest.mark.parametrize("name", sorted(CALLS))
def test_warnings_and_errors_as_torch(torch, name):
    from torch.utils.checkpoint import checkpoint as tck, checkpoint_sequential as tseq
    call = CALLS[name]
    theirs = outcome(lambda: call(torch, torch.nn.Linear(2, 2),
                                  torch.randn(1, 2, requires_grad=True), tck, tseq))
    ours = outcome(lambda: call(ag, nn.Linear(2, 2), ag.randn(1, 2, requires_grad=True),
                                checkpoint, checkpoint_sequential))
    assert ours[0] is theirs[0]
    assert [c for c, _ in ours[1]] == [c for c, _ in theirs[1]]
    assert [m for _, m in ours[1]] == [m for _, m in theirs[1]]


def test_warning_points_at_the_caller():
    with pytest.warns(UserWarning, match="use_reentrant") as caught:
        checkpoint(lambda t: t * 2, ag.ones(1, requires_grad=True))
    assert caught[0].filename == __file__
