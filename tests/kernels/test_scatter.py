"""``kernels/scatter.py``: rows added at an integer index, repeats adding up, on both paths
bit for bit as ``np.add.at`` (the reference), and what reaches it through indexing and
embeddings (``ops/index.py`` ``add_at``)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import kernels as K
from autograd_core.kernels.scatter import index_add_rows
from autograd_core.ops.index import add_at


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rows, tail, index_shape", [(1, (), (5,)), (27, (64,), (32, 16)),
                                                     (7, (3, 2), (11,)), (4, (5,), (0,))])
def test_index_add_rows_is_np_add_at_bit_for_bit(backend, dtype, rows, tail, index_shape):
    rng = np.random.default_rng(rows)
    index = rng.integers(-rows, rows, index_shape)
    src = rng.standard_normal(index_shape + tail).astype(dtype)
    start = rng.standard_normal((rows,) + tail).astype(dtype)
    want = start.copy()
    np.add.at(want, index, src)
    out = start.copy()
    with K.use_backend(backend):
        index_add_rows(out, index, src)
    np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_index_add_rows_checks_the_range_and_takes_any_layout(backend):
    with K.use_backend(backend):
        for bad in (3, -4):
            with pytest.raises(IndexError, match=f"index {bad} is out of bounds"):
                index_add_rows(np.zeros((3, 2)), np.array([0, bad]), np.ones((2, 2)))
        out = np.zeros((2, 3)).T          # not C-contiguous: NumPy's path
        index_add_rows(out, np.array([1, 1]), np.ones((2, 2)))
        assert out.tolist() == [[0, 0], [2, 2], [0, 0]]


def test_add_at_takes_the_row_kernel_for_an_integer_index_only():
    out = np.zeros((4, 2))
    add_at(out, (np.array([3, 3, 0]),), np.ones((3, 2)))
    add_at(out, np.array([True, False, False, True]), np.full((2, 2), 5.0))   # a mask
    add_at(out, (np.array([1, 1]), np.array([0, 1])), np.array([7.0, 8.0]))  # elements
    assert out.tolist() == [[6, 6], [7, 8], [0, 0], [7, 7]]


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
