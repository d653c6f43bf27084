"""``kernels/scatter.py``: slices picked along one or two dims and added back, repeats
adding up, on both paths bit for bit as NumPy's indexing and ``np.add.at`` (the
reference), and what reaches them through indexing, embeddings, padding and upsampling
(``ops/index.py`` ``get`` and ``add_at``)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import kernels as K
from autograd_core.kernels.scatter import add_along_dims, take_along_dims
from autograd_core.ops.index import add_at, get


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("lead, rows, tail, index_shape", [
    ((), 1, (), (5,)), ((), 27, (64,), (32, 16)), ((), 7, (3, 2), (11,)), ((), 4, (5,), (0,)),
    ((3,), 6, (), (9,)), ((2, 5), 7, (4,), (3, 3)), ((12000,), 9, (), (12,)), ((0,), 3, (2,), (4,))])
def test_one_pick_is_numpy_bit_for_bit(backend, dtype, lead, rows, tail, index_shape):
    # ``(12000,)`` splits the dims before ``dim`` over the threads
    rng = np.random.default_rng(rows)
    index = rng.integers(-rows, rows, index_shape)
    src = rng.standard_normal(lead + index_shape + tail).astype(dtype)
    start = rng.standard_normal(lead + (rows,) + tail).astype(dtype)
    where = (slice(None),) * len(lead) + (index,)
    want = start.copy()
    np.add.at(want, where, src)
    out = start.copy()
    with K.use_backend(backend):
        add_along_dims(out, len(lead), [index], src)
        picked = take_along_dims(start, len(lead), [index])
    np.testing.assert_array_equal(out, want)
    np.testing.assert_array_equal(picked, start[where])


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("lead, rows, tail", [((), (5, 4), ()), ((2, 3), (6, 7), (2,)),
                                              ((600,), (9, 9), ()), ((0,), (3, 3), ())])
def test_two_picks_are_numpy_bit_for_bit(backend, dtype, lead, rows, tail):
    rng = np.random.default_rng(len(lead))
    picks = [rng.integers(-r, r, r + 3) for r in rows]   # repeats, as padding makes
    where = (slice(None),) * len(lead) + np.ix_(*picks)
    start = rng.standard_normal(lead + rows + tail).astype(dtype)
    src = rng.standard_normal(start[where].shape).astype(dtype)
    want = start.copy()
    np.add.at(want, where, src)
    out = start.copy()
    with K.use_backend(backend):
        add_along_dims(out, len(lead), picks, src)
        picked = take_along_dims(start, len(lead), picks)
    np.testing.assert_array_equal(out, want)
    np.testing.assert_array_equal(picked, start[where])


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_picks_check_the_range_and_take_any_layout(backend):
    with K.use_backend(backend):
        for bad in (3, -4):
            with pytest.raises(IndexError, match=f"index {bad} is out of bounds for axis 1"):
                add_along_dims(np.zeros((2, 3)), 1, [np.array([0, bad])], np.ones((2, 2)))
            with pytest.raises(IndexError, match=f"index {bad} is out of bounds for axis 1"):
                take_along_dims(np.zeros((2, 3)), 0, [np.array([0]), np.array([bad])])
        out = np.zeros((2, 3)).T          # not C-contiguous: NumPy's path
        add_along_dims(out, 0, [np.array([1, 1])], np.ones((2, 2)))
        assert out.tolist() == [[0, 0], [2, 2], [0, 0]]
        assert take_along_dims(out, 0, [np.array([1]), np.array([0, 0])]).tolist() == [[2, 2]]


def test_add_at_takes_the_kernel_for_integer_picks_only():
    out = np.zeros((4, 2))
    add_at(out, (np.array([3, 3, 0]),), np.ones((3, 2)))
    add_at(out, np.array([True, False, False, True]), np.full((2, 2), 5.0))   # a mask
    add_at(out, (np.array([1, 1]), np.array([0, 1])), np.array([7.0, 8.0]))  # elements
    assert out.tolist() == [[6, 6], [7, 8], [0, 0], [7, 7]]


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("index", [
    (slice(None), np.array([2, 0, 2, 1])),                                   # one dim, inside
    (slice(None), slice(None)) + np.ix_(np.array([1, 0, 1, 2, 1]), np.array([3, 3, 0])),
    np.ix_(np.array([0, 0]), np.array([-1, 2]), np.array([1, 1, 1])),           # three dims
    (slice(None), np.array([[0, 2], [2, 2]]), slice(None)),                  # a 2-D pick
    (np.array([1, 0]), np.array([0, 1])),                                    # elements
    (slice(None), np.array([0, 1]), Ellipsis)])                              # not a grid
def test_indexing_by_picks_and_open_grids_is_numpy(backend, index):
    # integer-valued floats: a grid of three dims is added in two passes, the same
    # numbers in another order, exact here
    rng = np.random.default_rng(0)
    out = rng.integers(-9, 9, (3, 4, 3, 4)).astype(np.float64)
    g = rng.integers(-9, 9, out[index].shape).astype(np.float64)
    want = out.copy()
    np.add.at(want, index, g)
    with K.use_backend(backend):
        np.testing.assert_array_equal(get(out, index), out[index])
        add_at(out, index, g)
    np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_gradients_as_torch(torch, mode):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 7, 6))
    g = rng.standard_normal((2, 3, 7 + 5, 6 + 4))
    a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (ag.nn.functional.pad(a, (1, 3, 2, 3), mode=mode) * ag.tensor(g)).sum().backward()
    (torch.nn.functional.pad(t, (1, 3, 2, 3), mode=mode) * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_nearest_upsampling_gradient_as_torch(torch):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 5, 4))
    a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya = ag.nn.functional.interpolate(a, scale_factor=(2.0, 1.5), mode="nearest")
    yt = torch.nn.functional.interpolate(t, scale_factor=(2.0, 1.5), mode="nearest")
    g = rng.standard_normal(tuple(yt.shape))
    (ya * ag.tensor(g)).sum().backward()
    (yt * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_embedding_and_row_indexing_gradients_as_torch(torch):
    rng = np.random.default_rng(1)
    w = rng.standard_normal((27, 8))
    idx = rng.integers(0, 27, (6, 5))
    g = rng.standard_normal((6, 5, 8))
    a, t = ag.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    (ag.nn.functional.embedding(ag.tensor(idx), a, padding_idx=2) * ag.tensor(g)).sum().backward()
    (torch.nn.functional.embedding(torch.tensor(idx), t, padding_idx=2) * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)
    a.grad = t.grad = None
    (a[ag.tensor(idx[0])] * ag.tensor(g[0])).sum().backward()
    (t[torch.tensor(idx[0])] * torch.tensor(g[0])).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)
