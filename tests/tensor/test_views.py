"""Views exactly where PyTorch has views: for every op below, writing into the output
changes the input if and only if it does in PyTorch. And the ops that make views
(diagonal, unfold, as_strided, the splits) differentiate as PyTorch's."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_core as ag
from tests.helpers import assert_matches_torch


def _lib(x):
    return ag if isinstance(x, ag.Tensor) else __import__("torch")


OPS = {
    "view": lambda x: x.view(6, 4), "view_dtype": lambda x: x.view(_lib(x).int16),
    "reshape": lambda x: x.reshape(4, 6), "reshape_copy": lambda x: x.transpose(0, 1).reshape(24),
    "flatten": lambda x: x.flatten(), "flatten_copy": lambda x: x.transpose(0, 1).flatten(),
    "ravel": lambda x: x.ravel(), "unflatten": lambda x: x.unflatten(2, (2, 2)),
    "view_as": lambda x: x.view_as(x), "transpose": lambda x: x.transpose(0, 1),
    "swapaxes": lambda x: x.swapaxes(0, 2), "permute": lambda x: x.permute(2, 0, 1),
    "movedim": lambda x: x.movedim(0, 2), "t": lambda x: x[0].t(), "T": lambda x: x[0].T,
    "mT": lambda x: x.mT, "adjoint": lambda x: x.adjoint(),
    "squeeze": lambda x: x.unsqueeze(0).squeeze(0), "unsqueeze": lambda x: x.unsqueeze(1),
    "expand": lambda x: x[:, :1].expand(2, 3, 4), "expand_as": lambda x: x.expand_as(x),
    "expand_row": lambda x: x[1, 2].expand(3, 4), "expand_0d": lambda x: x[1, 2, 3].expand(2, 2),
    "broadcast_to": lambda x: x.broadcast_to((2, 3, 4)),
    "narrow": lambda x: x.narrow(1, 1, 2), "narrow_copy": lambda x: x.narrow_copy(1, 0, 2),
    "select": lambda x: x.select(2, 1), "int_index": lambda x: x[1],
    "slice": lambda x: x[:, 1:], "step": lambda x: x[:, ::2], "none": lambda x: x[None],
    "ellipsis": lambda x: x[..., 0], "list_index": lambda x: x[[0, 1]],
    "bool_mask": lambda x: x[x > 5], "unbind": lambda x: x.unbind(0)[1],
    "split": lambda x: x.split(1, 1)[1], "split_sizes": lambda x: x.split([1, 2], 1)[1],
    "chunk": lambda x: x.chunk(3, 1)[2], "tensor_split": lambda x: x.tensor_split(2, 1)[0],
    "hsplit": lambda x: x.hsplit(3)[0], "vsplit": lambda x: x.vsplit(2)[1],
    "diagonal": lambda x: x.diagonal(0, 1, 2), "diagonal_offset": lambda x: x.diagonal(1, 1, 2),
    "unfold": lambda x: x.unfold(2, 2, 1), "as_strided": lambda x: x.as_strided((2, 2), (1, 3)),
    "detach": lambda x: x.detach(), "data": lambda x: x.data, "real": lambda x: x.real,
    "contiguous": lambda x: x.contiguous(), "contiguous_copy": lambda x: x.transpose(0, 1).contiguous(),
    "to_same_dtype": lambda x: x.to(x.dtype), "float": lambda x: x.float(),
    "to_other_dtype": lambda x: x.double(), "clone": lambda x: x.clone(),
    "flip": lambda x: x.flip(0), "roll": lambda x: x.roll(1, 0), "roll_whole": lambda x: x.roll(2, 0),
    "repeat_ones": lambda x: x.repeat(1, 1, 1), "tile_ones": lambda x: x.tile(1),
    "tril": lambda x: x.tril(), "cat_one": lambda x: _lib(x).cat([x]),
    "stack_one": lambda x: _lib(x).stack([x]), "where": lambda x: x.where(x > -1, x),
    "masked_fill": lambda x: x.masked_fill(x > 100, 0), "index_select": lambda x: x.index_select(
        0, _lib(x).tensor([0])), "take_along_dim": lambda x: x.take_along_dim(
        _lib(x).zeros(1, 1, 1, dtype=_lib(x).int64), 0),
    "from_numpy": lambda x: _lib(x).from_numpy(x.numpy()), "sum": lambda x: x.sum(0),
}


def writes_through(lib, op) -> str:
    x = lib.arange(24.0).reshape(2, 3, 4)
    with lib.no_grad():
        y = op(x)
        y[(0,) * y.dim()] = -7.0
    return "shares memory" if bool((x == -7).any()) else "copies"


@pytest.mark.parametrize("name", sorted(OPS))
def test_output_shares_memory_iff_pytorchs_does(torch, name):
    assert writes_through(ag, OPS[name]) == writes_through(torch, OPS[name])


def test_roll_by_a_whole_turn_is_a_copy():
    idx = ag.tensor([[1, 2, 3]])
    shifted = ag.roll(idx, 3, 1)
    shifted[:, 0] = 0
    assert idx.tolist() == [[1, 2, 3]]


def test_writing_into_an_expanded_tensor_is_refused_where_elements_overlap(torch):
    for lib in (ag, torch):
        e = lib.ones(3).expand(2, 3)
        with pytest.raises(RuntimeError, match="more than one element"):
            e.add_(1)
        e[0, 1] = 5.0              # one element: allowed
        assert e[1, 1].item() == 5.0


@pytest.mark.parametrize("pick", [lambda x: x[1, 2:3], lambda x: x[1, 2, 3], lambda x: x[:, :1],
                                  lambda x: x[1:, 1:2, 2]])
def test_expand_reads_its_own_elements_and_sums_gradients_back_as_pytorch(torch, pick):
    # contiguous parts of a larger tensor (a row at an offset, one element) and strided ones
    x = np.arange(24.0).reshape(2, 3, 4)
    for sizes in ((3, 4), (2, 3, 4)):
        part = pick(ag.tensor(x))
        if len(sizes) < part.dim() or any(n != 1 and n != s for n, s in
                                          zip(part.shape[::-1], sizes[::-1])):
            continue
        np.testing.assert_array_equal(part.expand(*sizes).numpy(),
                                      pick(torch.tensor(x)).expand(*sizes).numpy())
        assert_matches_torch(torch, lambda m, t: pick(t).expand(*sizes) * 2, [x])


def test_view_refuses_a_layout_that_needs_a_copy(torch):
    for lib in (ag, torch):
        with pytest.raises(RuntimeError, match="view size is not compatible"):
            lib.arange(6.0).view(2, 3).t().view(6)


GRADIENTS = {
    "diagonal": ([(3, 4, 4)], lambda m, x: x.diagonal(1, 1, 2) * 2),
    "diagonal_negative": ([(4, 3)], lambda m, x: x.diagonal(-1)),
    "unfold": ([(2, 7)], lambda m, x: x.unfold(1, 3, 2) ** 2),
    "unfold_overlap": ([(6,)], lambda m, x: x.unfold(0, 4, 1).sin()),
    "as_strided": ([(3, 4)], lambda m, x: x.contiguous().as_strided((3, 3), (2, 1), 1) ** 2),
    "flip": ([(2, 3, 4)], lambda m, x: x.flip(0, 2) * x),
    "tensor_split": ([(5, 4)], lambda m, x: x.tensor_split(3, 0)[1] * 3),
    "take_along_dim": ([(3, 4)], lambda m, x: x.take_along_dim(m.tensor([[0, 3], [2, 2], [1, 0]]),
                                                               1) ** 2),
}


@pytest.mark.parametrize("name", sorted(GRADIENTS))
def test_view_ops_match_pytorch_values_and_gradients(torch, name):
    shapes, fn = GRADIENTS[name]
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s) for s in shapes]
    assert_matches_torch(torch, fn, arrays)
    xs = [ag.tensor(a, requires_grad=True) for a in arrays]
    assert ag.gradcheck(lambda *t: fn(ag, *t), xs)
    assert ag.gradgradcheck(lambda *t: fn(ag, *t), xs)


def test_in_place_change_through_a_diagonal_view_reaches_the_base_and_its_gradient(torch):
    def program(lib):
        x = lib.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
        h = x * 1
        h.diagonal().mul_(10)
        (h * lib.tensor(np.arange(9.0).reshape(3, 3))).sum().backward()
        return h.detach().numpy(), x.grad.numpy()
    for a, b in zip(program(ag), program(torch)):
        np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_iterating_and_unbind_give_views_as_pytorch(torch, dim):
    """Without a graph to record, ``unbind`` (and iteration, which is ``unbind(0)``) makes
    its views directly: they share memory and version with the base, and a base changed in
    place by an op that requires grad gives them a graph, as PyTorch's views. (PyTorch
    then refuses to differentiate through them, an output of a multi-view op; ours
    differentiates, checked against the product's derivative.)"""
    base = np.arange(24.0).reshape(2, 3, 4)
    results = []
    for m in (ag, torch):
        x = m.tensor(base.copy())
        parts = list(x) if dim == 0 else x.unbind(dim)
        assert len(parts) == base.shape[dim]
        parts[1].mul_(10)                       # writes through to x
        before = parts[0].requires_grad
        w = m.tensor(np.full(base.shape, 2.0), requires_grad=True)
        x.mul_(w)                               # x now has a graph; its views follow
        after = parts[0].requires_grad
        results.append((x.detach().numpy().copy(), [p.detach().numpy().copy() for p in parts],
                        before, after))
        if m is ag:
            parts[0].sum().backward()
            first = [slice(None)] * 3
            first[dim] = 0
            expected = np.zeros_like(base)
            expected[tuple(first)] = (base * np.where(np.arange(base.shape[dim]).reshape(
                [-1 if i == dim % 3 else 1 for i in range(3)]) == 1, 10, 1))[tuple(first)]
            np.testing.assert_array_equal(w.grad.numpy(), expected)
    (xo, po, bo, ao), (xt, pt, bt, at) = results
    np.testing.assert_array_equal(xo, xt)
    for a, b in zip(po, pt):
        np.testing.assert_array_equal(a, b)
    assert (bo, ao) == (bt, at) == (False, True)


def test_iterating_over_a_tensor_that_requires_grad_as_pytorch(torch):
    """The recorded path: each row differentiates back to its slice of the tensor, with
    grad mode on; under no_grad the rows have no graph."""
    base = np.random.default_rng(3).standard_normal((5, 3))
    grads, flags = [], []
    for m in (ag, torch):
        x = m.tensor(base.copy(), requires_grad=True)
        rows = list(x * 1.0)
        total = sum((r * (i + 1)).sum() for i, r in enumerate(rows))
        total.backward()
        grads.append(x.grad.numpy().copy())
        with m.no_grad():
            plain = list(x)
        flags.append((rows[0].requires_grad, plain[0].grad_fn is None))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)
    assert flags[0] == flags[1] == (True, True)
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(ag.tensor(1.0))


@pytest.mark.parametrize("index", [0, 1, -1])
def test_an_int_index_without_a_graph_is_a_view_as_pytorch(torch, index):
    """``x[i]`` with nothing to record makes its view directly (a Dataset's sample): it
    shares memory and version with the base, writes through, and takes a graph when the
    base is changed in place by an op that requires grad, as PyTorch's select view."""
    base = np.arange(12.0).reshape(3, 4)
    results = []
    for m in (ag, torch):
        x = m.tensor(base.copy()).reshape(3, 4)        # itself a view: its base is shared
        row = x[index]
        v0 = x._version
        row.mul_(10)                                    # writes through to x
        bumped = x._version > v0 and row._version == x._version
        before = row.requires_grad
        w = m.tensor(np.full((3, 4), 2.0), requires_grad=True)
        x.mul_(w)
        after = row.requires_grad
        (row * m.tensor(np.arange(4.0))).sum().backward()
        one = m.tensor([5.0, 6.0])[index if index < 2 else 1]
        results.append((x.detach().numpy().copy(), row.detach().numpy().copy(),
                        w.grad.numpy().copy(), bumped, before, after, tuple(one.shape),
                        float(one)))
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
    assert results[0][3:6] == (True, False, True)
    for m in (ag, torch):
        with pytest.raises(IndexError):
            m.zeros(3, 2)[3]
        with pytest.raises(IndexError):
            m.zeros(3, 2)[-4]


def test_an_int_index_of_a_view_whose_base_changed_takes_the_graph(torch):
    """A view whose base was changed in place by a recorded op is brought up to date
    first (the general path), so ``view[i]`` differentiates back through the change."""
    grads = []
    for m in (ag, torch):
        w = m.tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
        x = m.ones(2, 3)
        v = x[:, 1:]
        x.mul_(w)
        (v[1] * 3).sum().backward()
        grads.append(w.grad.numpy().copy())
    np.testing.assert_array_equal(grads[0], grads[1])


RECORDED_VIEWS = {
    "int": lambda m, x: x[1], "ints": lambda m, x: x[1, -2], "slice": lambda m, x: x[1:],
    "tensor_ints": lambda m, x: x[m.tensor(2), m.tensor(1)], "tensor_int": lambda m, x: x[m.tensor(1)],
    "slices": lambda m, x: x[:, 1:3], "int_and_step": lambda m, x: x[-1, ::2],
    "view": lambda m, x: x.view(4, -1), "reshape": lambda m, x: x.reshape(2, 2, 6),
    "reshape_copy": lambda m, x: x.t().reshape(12, 2), "unsqueeze": lambda m, x: x.unsqueeze(1),
    "squeeze": lambda m, x: x[:, :1].squeeze(1), "expand": lambda m, x: x[:, :1].expand(2, 4, 3),
    "expand_0d": lambda m, x: x[1, 1].view(1, -1).expand(1, 5), "t": lambda m, x: x.t(),
    "transpose": lambda m, x: x.view(2, 3, 4).transpose(0, 2), "permute": lambda m, x: x.view(
        2, 3, 4).permute(1, 2, 0),
}


@pytest.mark.parametrize("name", sorted(RECORDED_VIEWS))
def test_views_recorded_without_apply_match_pytorch_and_apply(torch, name):
    """Indexing by ints and slices and the view methods make their view themselves and
    record it with ``Function.apply_view``: values, gradients and second derivatives as
    PyTorch's; the same node, view record and shared version as ``Function.apply`` gives
    (which anomaly mode takes, as it watches every op); memory shared as PyTorch's."""
    fn = RECORDED_VIEWS[name]
    a = np.random.default_rng(5).standard_normal((4, 6))
    assert_matches_torch(torch, lambda m, x: fn(m, x * 1.0) * 2.0, [a])
    x = ag.tensor(a, requires_grad=True)
    assert ag.gradgradcheck(lambda t: fn(ag, t * 1.0) ** 2, [x])
    h = x * 1.0
    fast = fn(ag, h)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # anomaly mode's own warning
        with ag.autograd.detect_anomaly():
            general = fn(ag, h)
    assert type(fast.grad_fn) is type(general.grad_fn)
    assert fast.grad_fn._meta == general.grad_fn._meta
    assert [type(n) for n in fast.grad_fn.next] == [type(n) for n in general.grad_fn.next]
    if name == "reshape_copy":   # a copy: no view record, a version of its own
        assert fast._view is general._view is None and fast._vc is not h._vc
    else:
        assert fast._view[2:4] == general._view[2:4] and fast._vc is general._vc is h._vc
    assert vars(fast.grad_fn).keys() <= vars(general.grad_fn).keys()
    shared = [writes_through(m, lambda y: fn(m, y.reshape(4, 6))) for m in (ag, torch)]
    assert shared[0] == shared[1]


def test_a_recorded_view_of_a_view_whose_base_changed_differentiates_through_the_change(torch):
    """The recorded fast path brings a view up to date before recording (as ``apply``)."""
    grads = []
    for m in (ag, torch):
        w = m.tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
        x = m.ones(2, 3, requires_grad=True) * 1.0
        v = x[:, 1:]
        x.mul_(w)
        (v.t()[1].unsqueeze(0).expand(3, 2) * 3).sum().backward()
        grads.append(w.grad.numpy().copy())
    np.testing.assert_array_equal(grads[0], grads[1])
