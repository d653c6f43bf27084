"""Names of ``torch`` and ``torch.Tensor`` that published programs use and that are thin
(constants, aliases, dtype conversions, in-place twins, random fills), each against
PyTorch itself: values, dtypes, shapes and exception types."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag


def test_constants_and_dtype_names(torch):
    for name in ("pi", "e", "inf"):
        assert getattr(ag, name) == getattr(torch, name)
    assert np.isnan(ag.nan) and np.isnan(torch.nan) and ag.newaxis is torch.newaxis is None
    assert ag.zeros(2, dtype=ag.int).numpy().dtype == torch.zeros(2, dtype=torch.int).numpy().dtype
    for d in (ag.float32, ag.int64, ag.bool, ag.bfloat16, ag.float16):
        assert isinstance(d, ag.dtype)
    assert isinstance(torch.float32, torch.dtype) and not isinstance("float32", ag.dtype)
    with pytest.raises(TypeError):
        ag.dtype()


@pytest.mark.parametrize("method, np_dtype", [("byte", np.uint8), ("char", np.int8),
                                               ("short", np.int16), ("int", np.int32)])
def test_dtype_conversions(torch, method, np_dtype):
    values = [-1.7, 0.0, 2.9, 100.0]
    ours = getattr(ag.tensor(values[1:]), method)()
    theirs = getattr(torch.tensor(values[1:]), method)()
    assert ours.numpy().dtype == theirs.numpy().dtype == np_dtype
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_sizes_pointers_and_predicates(torch):
    for lib in (ag, torch):
        x = lib.zeros(3, 4, dtype=lib.float64)
        assert (x.nbytes, x.itemsize, x.ndimension()) == (96, 8, 2)
        assert x[1:].data_ptr() - x.data_ptr() == 32          # same memory, 4 elements on
        assert x.view(12).data_ptr() == x.data_ptr() and x.clone().data_ptr() != x.data_ptr()
        assert x.is_signed() and not x.byte().is_signed() and not x.bool().is_signed()
        assert not x.is_neg() and not x.is_inference()
        assert x.is_same_size(lib.ones(3, 4)) and not x.is_same_size(lib.ones(4, 3))


_TWINS = [("subtract_", (2.0,)), ("multiply_", (3.0,)), ("divide_", (2.0,)), ("negative_", ()),
          ("absolute_", ()), ("sgn_", ()), ("eq_", (1.0,)), ("gt_", (0.5,)),
          ("less_equal_", (1.0,)), ("erfinv_", ()), ("logit_", ()), ("sinc_", ()),
          ("lgamma_", ()), ("deg2rad_", ()), ("arctan2_", (0.3,)), ("cumsum_", (0,)),
          ("float_power_", (2.0,)), ("xlogy_", (2.0,))]


@pytest.mark.parametrize("name, args", _TWINS, ids=[n for n, _ in _TWINS])
def test_inplace_twins_write_and_record(torch, name, args):
    """The in-place twin writes the out-of-place result into the tensor and records it
    (float64 values and gradients through it, against PyTorch's)."""
    base = np.array([0.2, 0.9, 0.45, 0.6])

    def run(lib):
        leaf = lib.tensor(base, dtype=lib.float64, requires_grad=True)
        other = [lib.tensor(np.full(4, a), dtype=lib.float64) if name in ("arctan2_", "xlogy_")
                 else a for a in args]
        y = leaf * 1.0
        out = getattr(y, name)(*other)
        assert out is y
        (y * lib.arange(1, 5, dtype=lib.float64)).sum().backward()
        # (+ zeros: PyTorch's gradient of sgn_ is a ZeroTensor, which has no memory to read)
        return y.detach().numpy(), (lib.zeros_like(leaf) + leaf.grad).detach().numpy()

    (yo, go), (yt, gt) = run(ag), run(torch)
    np.testing.assert_allclose(yo, yt, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(go, gt, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape, wrap", [((5, 3), True), ((5, 3), False), ((3, 5), False),
                                         ((3, 3, 3), False)])
def test_fill_diagonal(torch, shape, wrap):
    ours = ag.zeros(*shape, dtype=ag.float64).fill_diagonal_(-2.0, wrap=wrap)
    theirs = torch.zeros(*shape, dtype=torch.float64).fill_diagonal_(-2.0, wrap=wrap)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())   # 0 and -2 only: exact
    for lib in (ag, torch):
        leaf = lib.ones(3, 3, dtype=lib.float64, requires_grad=True)
        y = leaf * 2
        y.fill_diagonal_(0.0)
        y.sum().backward()
        assert leaf.grad.numpy().tolist() == [[0, 2, 2], [2, 0, 2], [2, 2, 0]]
    with pytest.raises(RuntimeError):
        ag.zeros(2, 3, 4).fill_diagonal_(1.0)
    with pytest.raises(RuntimeError):
        torch.zeros(2, 3, 4).fill_diagonal_(1.0)


def test_random_fills(torch):
    g = ag.Generator().manual_seed(0)
    n = 20000
    b = ag.empty(n, dtype=ag.float64).bernoulli_(0.3, generator=g)
    assert set(np.unique(b.numpy())) <= {0.0, 1.0} and abs(b.mean().item() - 0.3) < 0.02
    rows = ag.empty(2, 3).bernoulli_(ag.tensor([0.0, 1.0, 0.0]), generator=g)
    assert rows.tolist() == [[0, 1, 0], [0, 1, 0]]              # p of 0 and 1: certain
    ex = ag.empty(n, dtype=ag.float64).exponential_(2.0, generator=g)
    assert (ex.numpy() >= 0).all() and abs(ex.mean().item() - 0.5) < 0.03
    geo = ag.empty(n, dtype=ag.float64).geometric_(0.25, generator=g)
    assert geo.numpy().min() >= 1 and abs(geo.mean().item() - 4.0) < 0.2
    ln = ag.empty(n, dtype=ag.float64).log_normal_(0.0, 0.5, generator=g)
    assert abs(np.log(ln.numpy()).std() - 0.5) < 0.02
    c = ag.empty(n, dtype=ag.float64).cauchy_(1.0, 2.0, generator=g)
    assert abs(np.median(c.numpy()) - 1.0) < 0.1
    r = ag.empty(n, dtype=ag.int64).random_(3, 7, generator=g)
    assert sorted(np.unique(r.numpy())) == [3, 4, 5, 6]
    # integers drawn, so exact
    assert sorted(np.unique(ag.empty(n).random_(2, generator=g).numpy())) == [0.0, 1.0]
    f = ag.empty(n).random_(generator=g).numpy()        # integers in [0, 2**24] for float32
    assert (f == np.round(f)).all() and f.max() <= 2 ** 24 and f.max() > 2 ** 23
    for lib in (ag, torch):                                # PyTorch's exception types
        with pytest.raises(RuntimeError):
            lib.empty(3).bernoulli_(1.5)
        with pytest.raises(RuntimeError):
            lib.empty(3).exponential_(-1.0)
        with pytest.raises(RuntimeError):
            lib.empty(3).random_(5, 2)
        # a fill is an in-place write: a leaf that requires grad refuses it
        with pytest.raises(RuntimeError):
            lib.zeros(3, requires_grad=True).bernoulli_(0.5)
    x = ag.ones(4, dtype=ag.float64, requires_grad=True)
    y = x * 3
    y.bernoulli_(0.5, generator=g)
    y.sum().backward()
    assert x.grad.tolist() == [0.0] * 4          # the fill cuts the gradient (exact zeros)


def test_drop_path_as_timm_writes_it(torch):
    """``x.new_empty(shape).bernoulli_(keep).div_(keep)`` (timm's drop_path): a mask of 0
    and 1/keep, per sample."""
    x = ag.ones(64, 3, 2)
    keep = 0.75
    mask = x.new_empty((64, 1, 1)).bernoulli_(keep).div_(keep)
    out = x * mask
    values = np.unique(out.numpy())
    assert len(values) == 2 and values[0] == 0 and np.isclose(values[1], 1 / keep, rtol=1e-6)


def test_functional_names_at_the_top(torch):
    x = np.random.default_rng(0).standard_normal((2, 4, 6))
    pairs = [("layer_norm", lambda L, t: L.layer_norm(t, (6,))),
             ("cosine_similarity", lambda L, t: L.cosine_similarity(t, t * 2 + 1, dim=1)),
             ("pixel_shuffle", lambda L, t: L.pixel_shuffle(t.reshape(1, 4, 2, 6), 2)),
             ("dropout", lambda L, t: L.dropout(t, 0.0, True)),
             ("selu", lambda L, t: L.selu(t)),
             ("max_pool1d", lambda L, t: L.max_pool1d(t, 2)),
             ("embedding", lambda L, t: L.embedding(t[0], L.tensor([3, 0, 3])))]
    for name, fn in pairs:
        ours = fn(ag, ag.tensor(x))
        theirs = fn(torch, torch.tensor(x))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-14,
                                   err_msg=name)


def test_asarray_shares_memory_as_pytorchs(torch):
    for lib in (ag, torch):
        a = np.zeros(3, np.float32)
        t = lib.asarray(a)
        t[0] = 5.0
        assert a[0] == 5.0                                   # shared
        c = lib.asarray(a, copy=True)
        c[1] = 7.0
        assert a[1] == 0.0                                   # copied
        assert lib.asarray([1, 2]).dtype == lib.int64
        assert lib.asarray(a, dtype=lib.float64).dtype == lib.float64
        x = lib.ones(2)
        assert lib.asarray(x) is x
        assert lib.asarray([1.0], requires_grad=True).requires_grad


def test_device_and_compiler_modules(torch):
    assert ag.get_default_device() == ag.device("cpu")
    assert str(torch.get_default_device()) == str(ag.get_default_device())
    ag.set_default_device("cpu")
    with pytest.raises(AssertionError):
        ag.set_default_device("cuda")
    assert ag.cpu.is_available() and ag.cpu.device_count() == 1
    ag.cpu.synchronize()
    assert ag.version.cuda is None and torch.version.cuda is None
    assert ag.compiler.is_compiling() is torch.compiler.is_compiling() is False

    def f(x):
        return x + 1
    assert ag.compiler.disable(f) is f and ag.compiler.disable(recursive=False)(f) is f
    assert ag.GradScaler is ag.amp.GradScaler
    with ag.cpu.amp.autocast(enabled=False):
        assert (ag.ones(1) * 2).tolist() == [2.0]     # 1 * 2: exact in any precision


def test_inplace_view_ops_as_pytorchs(torch):
    """``unsqueeze_``, ``squeeze_``, ``t_``, ``transpose_``, ``swapdims_``: the tensor itself
    takes the new sizes (a view of the same memory), records the view op when it is part
    of a graph, and a leaf that requires grad refuses it outside ``no_grad``."""
    cases = [("unsqueeze_", (-1,), (3, 2)), ("unsqueeze_", (0,), (3, 2)), ("squeeze_", (), (1, 3, 1)),
             ("squeeze_", (2,), (1, 3, 1)), ("t_", (), (3, 2)), ("transpose_", (0, 1), (3, 2)),
             ("swapdims_", (1, 0), (3, 2)), ("swapaxes_", (0, 1), (3, 2))]
    for name, args, shape in cases:
        x = np.arange(float(np.prod(shape))).reshape(shape)

        def run(lib):
            t = lib.tensor(x)
            out = getattr(t, name)(*args)
            assert out is t
            leaf = lib.tensor(x, requires_grad=True)
            y = leaf * 2
            getattr(y, name)(*args)
            (y * lib.arange(y.numel(), dtype=lib.float64).reshape(y.shape)).sum().backward()
            return tuple(t.shape), t.numpy().copy(), leaf.grad.numpy()

        (so, vo, go), (st, vt, gt) = run(ag), run(torch)
        assert so == st, name
        np.testing.assert_array_equal(vo, vt)           # the same numbers, moved: exact
        np.testing.assert_allclose(go, gt, rtol=1e-12)
    for lib in (ag, torch):
        leaf = lib.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError):
            leaf.unsqueeze_(0)
        with lib.no_grad():
            leaf.unsqueeze_(0)
        assert tuple(leaf.shape) == (1, 3) and leaf.is_leaf
        (leaf * 2).sum().backward()
        assert tuple(leaf.grad.shape) == (1, 3)
        # a view that changes shape in place still writes into its base
        base = lib.zeros(2, 3)
        row = base[0]
        row.unsqueeze_(0)
        row.fill_(1.0)
        assert base.tolist() == [[1, 1, 1], [0, 0, 0]] and tuple(row.shape) == (1, 3)


def test_out_keyword_as_pytorchs(torch):
    """``out=``: the result written into ``out`` (returned), resized with PyTorch's warning
    when its shape differs, refused when an input requires grad under grad mode, and
    when the result's dtype does not cast to out's."""
    import warnings
    for lib in (ag, torch):
        a, b = lib.ones(2, 2), lib.full((2, 2), 2.0)
        r = lib.empty(2, 2)
        assert lib.add(a, b, out=r) is r and r.tolist() == [[3, 3], [3, 3]]
        assert lib.matmul(a, b, out=r) is r and r.tolist() == [[4, 4], [4, 4]]
        c = lib.empty(4, 2)
        lib.cat([a, b], out=c)
        assert c.tolist() == [[1, 1], [1, 1], [2, 2], [2, 2]]
        s = lib.empty(0)
        lib.stack([a[0], b[0]], out=s)                  # empty: resized silently
        assert tuple(s.shape) == (2, 2)
        small = lib.empty(3)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.mul(a, 3, out=small)
        assert tuple(small.shape) == (2, 2) and small.tolist() == [[3, 3], [3, 3]]
        assert any("resized" in str(w.message) for w in caught)
        vals, idx = lib.empty(2), lib.empty(2, dtype=lib.int64)
        res = lib.max(lib.tensor([[1.0, 5.0], [7.0, 2.0]]), 1, out=(vals, idx))
        assert res.values is vals and vals.tolist() == [5, 7] and idx.tolist() == [1, 0]
        with pytest.raises(RuntimeError, match="out=... arguments don't support automatic"):
            lib.add(lib.ones(2, requires_grad=True), 1, out=lib.empty(2))
        with lib.no_grad():
            o = lib.empty(2)
            lib.mul(lib.ones(2, requires_grad=True), 2, out=o)
            assert o.tolist() == [2, 2] and not o.requires_grad
        with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
            lib.add(lib.ones(2), 1.5, out=lib.empty(2, dtype=lib.int64))


def test_index_tensors_that_do_not_broadcast_raise_pytorchs_index_error(torch):
    """makemore's notebook indexes ``prob[torch.arange(32), Y]`` with a Y of another length:
    PyTorch's IndexError, word for word."""
    for make in (lambda m: m.rand(5, 4)[m.arange(3), m.tensor([0, 1, 2, 3, 0])],
                 lambda m: m.rand(5, 4, 3)[m.arange(3)[:, None], m.tensor([[0, 1], [2, 3]])]):
        with pytest.raises(IndexError) as theirs:
            make(torch)
        with pytest.raises(IndexError) as ours:
            make(ag)
        assert str(ours.value) == str(theirs.value)


def test_sizes_must_be_ints_as_pytorchs(torch):
    """A float size is refused where the tensor is made (pytorch-cifar's ShuffleNetG2
    computes ``out_planes/4``: PyTorch stops when the layer is built), and 0-d integer
    tensors count as ints."""
    for lib in (ag, torch):
        for make in (lambda: lib.zeros(2.5), lambda: lib.ones(2, 3).view(3.0, 2),
                     lambda: lib.nn.Conv2d(24, 44.0, 1), lambda: lib.nn.Linear(3, 4.0),
                     lambda: lib.nn.Conv2d(44, 44, 3, groups=44.0)):
            with pytest.raises(TypeError):
                make()
        assert tuple(lib.zeros(lib.tensor(3)).shape) == (3,)
        assert tuple(lib.zeros(2, lib.tensor(3)).shape) == (2, 3)
        assert tuple(lib.ones(6).view(lib.tensor(2), 3).shape) == (2, 3)
