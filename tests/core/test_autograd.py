"""The rules of the engine: accumulation, retain_grad, freed graphs, grad modes,
hooks, autograd.grad, higher-order gradients, deep graphs."""
import gc

import numpy as np
import pytest

import autograd_core as ag


def test_hand_derived_chain_rule_tensor():
    x, y, z = (ag.tensor(v, requires_grad=True) for v in (1.0, -3.0, 4.0))
    f = (x + y) * z
    f.backward()
    assert f.item() == -8.0
    assert (x.grad.item(), y.grad.item(), z.grad.item()) == (4.0, 4.0, -2.0)


def test_node_used_many_times_receives_sum():
    a = ag.tensor(2.0, requires_grad=True)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad.item() == 4.0


def test_requires_grad_propagates_and_leaves():
    a = ag.ones(2, requires_grad=True)
    b = ag.ones(2)
    c = a * b
    assert c.requires_grad and not c.is_leaf and c.grad_fn is not None
    assert not (b * b).requires_grad and (b * b).grad_fn is None
    assert a.is_leaf and b.is_leaf


def test_only_leaves_keep_grad_unless_retain_grad():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    h = a * 3
    k = a * 4
    k.retain_grad()
    (h * k).sum().backward()
    assert h.grad is None
    assert k.grad.tolist() == [3.0, 6.0]
    assert a.grad.tolist() == [24.0, 48.0]


def test_grad_accumulates_until_zeroed():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    (a * a).sum().backward()
    (a * a).sum().backward()
    assert a.grad.tolist() == [4.0, 8.0]
    a.grad.zero_()
    (a * 3).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [3.0, 3.0])
    a.grad = None
    (a * 5).sum().backward()
    assert a.grad.tolist() == [5.0, 5.0]


def test_gradients_stored_in_two_leaves_are_not_aliased():
    a = ag.ones(3, requires_grad=True)
    b = ag.ones(3, requires_grad=True)
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.mul_(10)  # clipping does this in place
    assert b.grad.tolist() == [1.0, 1.0, 1.0]


def test_non_scalar_backward_needs_gradient():
    a = ag.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (a * 2).backward()
    (a * 2).backward(ag.tensor([1.0, 2.0, 3.0]))
    assert a.grad.tolist() == [2.0, 4.0, 6.0]


def test_gradient_shape_mismatch_is_an_error():
    a = ag.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (a * 2).backward(ag.ones(4))


def test_second_backward_through_freed_graph_raises():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (a * a).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (a * a).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert a.grad.tolist() == [4.0, 8.0]


def test_saved_arrays_are_freed_after_backward():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    y = a.exp() * a
    ctx = y.grad_fn
    assert ctx._saved
    y.sum().backward()
    assert ctx._saved is None
    assert a.grad is not None


def test_arrays_kept_on_the_context_are_freed_after_backward():
    """An op may keep arrays on its context (``ctx.mask = ...``) besides saving them: a
    backward without retain_graph frees those too, so that a loss kept until the next
    step (``loss = ...`` in a loop) holds no activation alive, as in PyTorch."""
    import weakref

    class Scale(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.factor = np.full(x.shape, 3.0)
            ctx.name = "kept"                       # not an array: stays
            return x * ctx.factor

        @staticmethod
        def backward(ctx, grad):
            return grad * ag.from_numpy(ctx.factor)

    a = ag.tensor([1.0, 2.0], requires_grad=True)
    y = Scale.apply(a)
    loss = y.sum()
    ctx = y.grad_fn
    alive = weakref.ref(ctx.factor)
    loss.backward()
    np.testing.assert_allclose(a.grad.numpy(), [3.0, 3.0])
    gc.collect()
    assert alive() is None                          # freed while loss and y still live
    assert ctx.name == "kept"
    assert not hasattr(ctx, "factor")
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        ctx.factor
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        loss.backward()


def test_batch_norm_keeps_nothing_after_backward_and_retains_with_retain_graph():
    import tracemalloc
    bn = ag.nn.BatchNorm2d(8)
    x = ag.randn(16, 8, 32, 32, requires_grad=True)
    tracemalloc.start()
    try:
        loss = bn(x)[:, :1].sum()
        mid = tracemalloc.get_traced_memory()[0]
        loss.backward()
        x.grad = None
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    # the forward kept xhat (16*8*32*32 float32, 512 KB) on the context; the backward
    # freed it although ``loss`` is still alive
    assert mid - after > 400_000
    y = bn(x)[:, :1].sum()
    y.backward(retain_graph=True)
    first = x.grad.clone()
    y.backward()                                    # the context's arrays were kept
    np.testing.assert_allclose(x.grad.numpy(), 2 * first.numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_backward_on_tensor_not_requiring_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.ones(2).sum().backward()


def test_no_grad_context_and_decorator():
    a = ag.ones(2, requires_grad=True)
    with ag.no_grad():
        assert not (a * 2).requires_grad
        with ag.enable_grad():
            assert (a * 2).requires_grad
    assert (a * 2).requires_grad

    @ag.no_grad()
    def f(t):
        return t * 2

    assert not f(a).requires_grad
    assert ag.is_grad_enabled()


def test_set_grad_enabled_as_call_context_and_decorator():
    a = ag.ones(2, requires_grad=True)
    with ag.set_grad_enabled(False):
        assert not (a * 2).requires_grad
    assert ag.is_grad_enabled()
    ag.set_grad_enabled(False)
    assert not ag.is_grad_enabled()
    ag.set_grad_enabled(True)

    @ag.set_grad_enabled(False)
    def g(t):
        return t * 2

    assert ag.is_grad_enabled()  # decorating does not switch the mode
    assert not g(a).requires_grad
    assert ag.is_grad_enabled()


def test_no_grad_restores_mode_after_exception():
    with pytest.raises(ValueError):
        with ag.no_grad():
            raise ValueError
    assert ag.is_grad_enabled()


def test_detach_and_requires_grad_():
    a = ag.ones(2, requires_grad=True)
    d = (a * 2).detach()
    assert not d.requires_grad and d.is_leaf
    b = ag.ones(2).requires_grad_()
    assert b.requires_grad
    with pytest.raises(RuntimeError, match="leaf"):
        (a * 2).requires_grad_(False)


def test_requires_grad_refused_on_integer_tensors():
    with pytest.raises(RuntimeError, match="floating point"):
        ag.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="int64"):
        ag.arange(3).requires_grad_()


def test_hooks_see_and_replace_gradient_and_can_be_removed():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    h1 = a.register_hook(lambda g: seen.append(g.tolist()))
    h2 = a.register_hook(lambda g: g * 10)
    (a * a).sum().backward()
    assert seen == [[2.0, 4.0]]
    assert a.grad.tolist() == [20.0, 40.0]
    h1.remove()
    h2.remove()
    a.grad = None
    (a * a).sum().backward()
    assert a.grad.tolist() == [2.0, 4.0] and len(seen) == 1


def test_hook_on_intermediate_changes_what_flows_on():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    h = a * 3
    h.register_hook(lambda g: g * 0)
    (h * h).sum().backward()
    assert a.grad.tolist() == [0.0, 0.0]


def test_autograd_grad_returns_and_does_not_accumulate():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = ag.tensor([3.0], requires_grad=True)
    out = (x * y).sum()
    gx, gy = ag.grad(out, (x, y))
    assert gx.tolist() == [3.0, 3.0] and gy.tolist() == [3.0]
    assert x.grad is None and y.grad is None


def test_autograd_grad_allow_unused_and_grad_outputs():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    z = ag.tensor([5.0], requires_grad=True)
    out = x * 2
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        ag.grad(out, (x, z), grad_outputs=ag.ones(2), retain_graph=True)
    gx, gz = ag.grad(out, (x, z), grad_outputs=ag.tensor([1.0, -1.0]), allow_unused=True)
    assert gx.tolist() == [2.0, -2.0] and gz is None


def test_autograd_grad_wrt_intermediate():
    x = ag.tensor(2.0, requires_grad=True)
    h = x * x
    y = h * 3 + h
    (gh,) = ag.grad(y, h)
    assert gh.item() == 4.0


def test_higher_order_gradients():
    x = ag.tensor(3.0, dtype=ag.float64, requires_grad=True)
    y = x ** 4
    (d1,) = ag.grad(y, x, create_graph=True)
    (d2,) = ag.grad(d1, x, create_graph=True)
    (d3,) = ag.grad(d2, x)
    assert (d1.item(), d2.item(), d3.item()) == (108.0, 108.0, 72.0)


def test_create_graph_backward_then_backward_of_grad():
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    y = (x.sin() * x).sum()
    y.backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    x.grad = None
    g.sum().backward()
    xv = x._data
    expected = 2 * np.cos(xv) - xv * np.sin(xv)
    np.testing.assert_allclose(x.grad._data, expected)


def test_deep_chain_200000_tensor():
    x = ag.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(200_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0
    del y
    gc.collect()


def test_deep_chain_200000_tensor_higher_order_free():
    # dropping a very deep graph must not overflow the C stack either
    x = ag.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(200_000):
        y = y + 1.0
    del y
    gc.collect()


def test_backward_inputs_argument():
    a = ag.ones(2, requires_grad=True)
    b = ag.ones(2, requires_grad=True)
    (a * b * 3).sum().backward(inputs=[a])
    assert a.grad.tolist() == [3.0, 3.0] and b.grad is None


def test_in_place_on_leaf_requiring_grad_is_refused():
    a = ag.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        a.add_(1)
    with ag.no_grad():
        a.add_(1)
        a -= 0.5
    assert a.tolist() == [1.5, 1.5] and a.requires_grad


def test_numpy_of_tensor_requiring_grad():
    a = ag.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        a.numpy()
    assert a.detach().numpy().tolist() == [1.0, 1.0]


def test_repr_names_grad_fn():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    assert repr(a) == "tensor([1., 2.], requires_grad=True)"
    assert repr(a * 2) == "tensor([2., 4.], grad_fn=<MulBackward0>)"


# --------------------------------------------------- gradient sums made in place
def test_slices_add_into_one_buffer_without_zero_tensors(monkeypatch):
    """L slices of one tensor: each slice's backward adds into one gradient buffer of
    the engine's, in place (O(L) in all), instead of building a zero tensor of the
    whole size per slice (O(L^2)). With create_graph the recorded IndexAdd runs."""
    from autograd_core.ops import index as I
    calls = []
    forward = I.IndexAdd.forward
    monkeypatch.setattr(I.IndexAdd, "forward",
                        staticmethod(lambda *a, **k: calls.append(1) or forward(*a, **k)))
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((3, 50, 4)), requires_grad=True)
    w = ag.tensor(rng.standard_normal(4))
    loss = sum(((x[:, t] * w) ** 2).sum() * (t + 1) for t in range(50))
    loss = loss + x[:, ::7].sum() + x.gather(2, ag.tensor(np.zeros((3, 50, 2), np.int64))).sum()
    loss.backward()
    assert calls == []
    expected = 2 * x.detach().numpy() * w.numpy() ** 2 * np.arange(1, 51)[None, :, None]
    expected[:, ::7] += 1
    expected[:, :, 0] += 2                     # gathered twice at index 0
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12)
    (g,) = ag.autograd.grad(x[:, 1].sum() + x[:, 1].sum(), x, create_graph=True)
    assert len(calls) == 2 and g.numpy()[:, 1].tolist() == [[2.0] * 4] * 3


def test_in_place_sums_never_touch_gradients_held_elsewhere():
    """A gradient that reaches a node first may be shared (Add hands the same tensor to
    both inputs, hooks may keep one): the engine adds into copies of its own only."""
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = x * 1.0
    seen = []
    a.register_hook(lambda g: seen.append((g, g.numpy().copy())))
    b = a + a                         # both parents of b get the same gradient tensor
    u = b * 1.0
    v = u + u[0:2].sum() + u[1]       # dense, then slices, into u
    v.backward(ag.tensor([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(x.grad.numpy(), 2 * np.array([112.0, 232.0, 100.0]))
    g, snapshot = seen[0]
    np.testing.assert_array_equal(g.numpy(), snapshot)


def test_in_place_sums_leave_leaf_gradients_unaliased():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = ag.tensor([3.0, 4.0], requires_grad=True)
    (x[0] * 2 + x[1] + (x * y).sum()).backward()
    gx = x.grad.numpy().copy()
    (x[0] + x[1]).backward()          # accumulates into x.grad, touches nothing else
    np.testing.assert_array_equal(x.grad.numpy(), gx + 1)
    np.testing.assert_array_equal(y.grad.numpy(), [1.0, 2.0])


def test_grad_mode_decorators_without_parentheses():
    @ag.no_grad
    def f(t):
        return t * 2

    @ag.enable_grad
    def g(t):
        return t * 2

    x = ag.ones(2, requires_grad=True)
    assert not f(x).requires_grad and f.__name__ == "f"
    with ag.no_grad():
        assert g(x).requires_grad
    with ag.set_grad_enabled(False):     # a bool is a mode, not a function to wrap
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad


# ------------------------------------------------------- autograd.grad's arguments
def test_grad_takes_pytorchs_deprecated_only_inputs(torch):
    """WGAN-GP programs pass ``only_inputs=True``; False is ignored with PyTorch's warning."""
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (g,) = ag.autograd.grad((x ** 2).sum(), x, only_inputs=True)
    assert g.tolist() == [2.0, 4.0]   # exact: 2x for small integers
    with pytest.warns(FutureWarning, match="only_inputs argument is deprecated"):
        ag.autograd.grad((x ** 2).sum(), x, only_inputs=False)
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(FutureWarning, match="only_inputs argument is deprecated"):
        torch.autograd.grad((tx ** 2).sum(), tx, only_inputs=False)


def test_grad_with_a_dict_of_inputs_returns_a_dict():
    lin = ag.nn.Linear(3, 2)
    x = ag.randn(4, 3)
    grads = ag.autograd.grad(lin(x).sum(), dict(lin.named_parameters()))
    assert list(grads) == ["weight", "bias"]
    np.testing.assert_allclose(grads["weight"].numpy(), np.tile(x.numpy().sum(0), (2, 1)),
                               rtol=1e-6)
    np.testing.assert_allclose(grads["bias"].numpy(), [4.0, 4.0], rtol=1e-6)


def test_grad_batched_matches_torch_and_rows_of_the_jacobian(torch):
    rng = np.random.default_rng(3)
    a, w = rng.standard_normal(4), rng.standard_normal((3, 4))
    x = ag.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    y, ty = ag.tensor(w) @ x.tanh(), torch.tensor(w) @ tx.tanh()
    (jac,) = ag.autograd.grad(y, x, ag.eye(3, dtype=ag.float64), is_grads_batched=True)
    (tjac,) = torch.autograd.grad(ty, tx, torch.eye(3, dtype=torch.float64), is_grads_batched=True)
    np.testing.assert_allclose(jac.numpy(), tjac.numpy(), rtol=1e-13)
    np.testing.assert_allclose(jac.numpy(), w * (1 - np.tanh(a) ** 2), rtol=1e-13)
    # with create_graph the stacked rows stay differentiable (the Hessian of a sum of cubes)
    (g,) = ag.autograd.grad((x ** 3).sum(), x, create_graph=True)
    (hess,) = ag.autograd.grad(g, x, ag.eye(4, dtype=ag.float64), is_grads_batched=True,
                               create_graph=True)
    np.testing.assert_allclose(hess.detach().numpy(), np.diag(6 * a), rtol=1e-13)
    assert hess.requires_grad
    with pytest.raises(RuntimeError, match="is_grads_batched=True needs one grad_output"):
        ag.autograd.grad(y, x, None, is_grads_batched=True)


def test_grad_skips_gradients_that_lead_to_no_input():
    """``grad(D(x), x)`` needs no weight gradient: ops see ``needs_input_grad`` False for
    the weight and skip it (a WGAN-GP penalty spent a third of its conv backward there)."""
    seen = []

    class Scale(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(x, w)
            return x * w

        @staticmethod
        def backward(ctx, grad):
            seen.append(ctx.needs_input_grad)
            x, w = ctx.saved_tensors
            return (grad * w if ctx.needs_input_grad[0] else None,
                    (grad * x).sum() if ctx.needs_input_grad[1] else None)

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    w = ag.tensor(3.0, requires_grad=True)
    (gx,) = ag.autograd.grad(Scale.apply(x, w).sum(), x)
    assert gx.tolist() == [3.0, 3.0] and seen == [(True, False)]   # exact: 1 * 3
    Scale.apply(x, w).sum().backward()
    assert seen[-1] == (True, True) and w.grad.item() == 3.0   # exact: 1 + 2
    # a gradient penalty through a conv: values as PyTorch's rule gives them
    conv = ag.nn.Conv2d(2, 3, 3, padding=1)
    inp = ag.randn(2, 2, 5, 5, requires_grad=True)
    (g1,) = ag.autograd.grad(conv(inp).sum(), inp, create_graph=True)
    penalty = (g1 ** 2).sum()
    penalty.backward()
    assert conv.weight.grad is not None and inp.grad is None


def test_spread_and_sum_to_shape_are_inverse_shapes():
    """A backward's spread of a reduced gradient: a new array up to SMALL_SPREAD elements
    (cheaper than NumPy's broadcast view to set up), a read-only view beyond (no memory);
    the same numbers either way, and ``sum_to_shape`` takes them back, leading dims and
    size-1 dims summed."""
    from autograd_core.autograd.function import SMALL_SPREAD, spread, sum_to_shape
    g = np.arange(3.0).reshape(1, 3)
    small = spread(g, (4, 3))
    assert small.flags.writeable and not np.shares_memory(small, g)
    np.testing.assert_array_equal(small, np.broadcast_to(g, (4, 3)))
    large = spread(g, (SMALL_SPREAD, 3))
    assert not large.flags.writeable and np.shares_memory(large, g)
    np.testing.assert_array_equal(large, np.broadcast_to(g, (SMALL_SPREAD, 3)))
    np.testing.assert_array_equal(sum_to_shape(small, (1, 3)), 4 * g)
    np.testing.assert_array_equal(sum_to_shape(np.ones((2, 4, 3)), (4, 1)), np.full((4, 1), 6.0))
    np.testing.assert_array_equal(sum_to_shape(np.ones((2, 3)), (2, 3)), np.ones((2, 3)))
    assert sum_to_shape(np.ones((2, 3)), ()).shape == ()


def test_the_backward_order_is_the_generic_toposort():
    """``graph_order`` (the engine's, reading each node's ``next`` in its loop) places the
    nodes exactly as ``toposort(roots, node_parents)``, with and without stop nodes."""
    from autograd_core.autograd.engine import graph_order, node_parents, toposort
    rng = np.random.default_rng(0)
    for trial in range(20):
        leaves = [ag.tensor(rng.standard_normal(3), requires_grad=True) for _ in range(3)]
        const = ag.tensor(rng.standard_normal(3))
        values = list(leaves)
        for _ in range(12):   # a random graph: shared inputs, constants, repeats
            a, b = (values[i] for i in rng.integers(0, len(values), 2))
            op = rng.integers(0, 4)
            values.append(a * b if op == 0 else a + const if op == 1 else (a - b).tanh()
                          if op == 2 else ag.stack([a, b]).sum(0))
        roots = [values[-1].grad_fn, values[-2].grad_fn]
        assert graph_order(roots) == toposort(roots, node_parents)
        stop = {values[len(values) // 2].grad_fn} - {None}
        assert graph_order(roots, stop) == toposort(
            roots, lambda n: () if n in stop else node_parents(n))


def test_a_graph_leaves_few_objects_for_the_garbage_collector():
    # nodes whose inputs have the same shapes and dtypes share one record of them, and a
    # node keeps what it saved in one flat tuple: a recorded op leaves only its output, its
    # node, the node's tuple of inputs, that tuple of saved arrays and the version counter
    # of a saved input for the collector to track
    a = ag.ones(4, requires_grad=True)
    b = ag.ones(4, requires_grad=True)

    def per_op(step):
        gc.collect()
        gc.disable()
        try:
            before = gc.get_count()[0]
            x = a
            for _ in range(100):
                x = step(x)
            return (gc.get_count()[0] - before) / 100, x
        finally:
            gc.enable()

    count, x = per_op(lambda x: x + b)      # saves nothing
    assert count <= 3.0
    assert x.grad_fn._meta is x.grad_fn.next[0]._meta == (((4,), np.dtype(np.float32)),) * 2
    count, x = per_op(lambda x: x * b)      # saves both inputs
    assert count <= 5.0
    x.sum().backward()
    assert b.grad.tolist() == [100.0] * 4   # sums of ones: exact


def test_shared_input_records_stay_right_past_the_cache_bound():
    # more distinct shapes than the shared records keep: the store starts again and every
    # node still unbroadcasts its gradient to its own input's shape and dtype
    from autograd_core.autograd import function
    w = ag.ones(1, dtype=ag.float64, requires_grad=True)
    outs = [ag.ones(n) * w for n in range(1, function._METAS_MAX + 50)]
    assert len(function._METAS) < function._METAS_MAX
    sum(o.sum() for o in outs[-3:] + outs[:3]).backward()
    assert w.grad.dtype == ag.float64
    expected = sum(o.numel() for o in outs[-3:] + outs[:3])
    assert w.grad.tolist() == [float(expected)]   # a sum of ones: exact in float64
    assert outs[0].grad_fn._meta == (((1,), np.dtype(np.float32)), ((1,), np.dtype(np.float64)))


@pytest.mark.parametrize("needs", [(True,), (False,), (True, True), (True, False), (False, True),
                                   (False, False), (True, False, True), (False, True, False)])
def test_an_op_records_the_node_of_each_input_that_needs_grad_and_the_others_as_constants(needs):
    """``Function.apply``'s cases for one, two and more inputs give the same record: per
    input the node its gradient goes to (its grad_fn, or the leaf) or None, the inputs
    that need no gradient as the graph's constants, and gradients only for the others."""
    leaves = [ag.tensor([1.0, 2.0], requires_grad=r) for r in needs]
    inputs = [t * 1.0 if k % 2 else t for k, t in enumerate(leaves)]   # leaves and grad_fns
    out = inputs[0]
    if len(inputs) == 1:
        out = out.exp()
    else:
        out = ag.stack(inputs) if len(inputs) > 2 else inputs[0] * inputs[1]
    if not any(needs):
        assert out.grad_fn is None and not out.requires_grad
        return
    fn = out.grad_fn
    expected = [(t.grad_fn or t) if r else None for t, r in zip(inputs, needs)]
    assert all(a is b for a, b in zip(fn.next, expected)) and len(fn.next) == len(needs)
    assert all(a is (b if r else c) for a, b, c, r in zip(fn.inputs(), expected, inputs, needs))
    out.sum().backward()
    assert [t.grad is not None for t in leaves] == list(needs)
