"""Embedding and one_hot (``nn/functional/sparse.py``, ``nn/modules/sparse.py``): lookup,
init, padding_idx, max_norm, from_pretrained, gradcheck and PyTorch parity, errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from tests.helpers import Draw, load_from_torch

draw = Draw(0)
rng, t64, parity = draw.rng, draw.t64, draw.parity


def test_embedding_lookup_init_padding_and_grad():
    emb = nn.Embedding(1000, 16)
    w = emb.weight.detach().numpy()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02
    idx = ag.tensor([[1, 5, 5], [0, 999, 1]])
    out = emb(idx)
    np.testing.assert_array_equal(out.detach().numpy(), w[idx.numpy()])
    out.sum().backward()
    g = emb.weight.grad.numpy()
    assert g[5].tolist() == [2.0] * 16 and g[1].tolist() == [2.0] * 16 and g[2].sum() == 0

    pad = nn.Embedding(10, 4, padding_idx=2)
    assert pad.weight[2].tolist() == [0.0] * 4
    pad(ag.tensor([2, 3, 2])).sum().backward()
    assert pad.weight.grad[2].tolist() == [0.0] * 4 and pad.weight.grad[3].tolist() == [1.0] * 4


def test_embedding_gradcheck_and_errors():
    w = t64(6, 3)
    idx = np.array([[0, 5], [5, 2]])
    assert ag.gradcheck(lambda w: F.embedding(idx, w, padding_idx=4) ** 2, (w,))
    assert ag.gradgradcheck(lambda w: F.embedding(idx, w) ** 2, (w,))
    with pytest.raises(IndexError, match="index 10 is out of range for 10 embeddings"):
        nn.Embedding(10, 2)(ag.tensor([10]))
    with pytest.raises(IndexError, match="index -1 is out of range"):
        nn.Embedding(10, 2)(ag.tensor([-1]))
    with pytest.raises(TypeError, match="integer indices"):
        nn.Embedding(10, 2)(ag.tensor([1.0]))


def test_embedding_max_norm_renormalises_rows():
    emb = nn.Embedding(4, 3, max_norm=1.0)
    with ag.no_grad():
        emb.weight.fill_(2.0)
    emb(ag.tensor([1]))
    assert abs(np.linalg.norm(emb.weight.detach().numpy()[1]) - 1.0) < 1e-5
    assert emb.weight[0].tolist() == [2.0, 2.0, 2.0]


def test_embedding_from_pretrained_is_frozen():
    e = nn.Embedding.from_pretrained(ag.eye(3))
    assert not e.weight.requires_grad and e(ag.tensor([1])).tolist() == [[0.0, 1.0, 0.0]]


def test_embedding_matches_torch(torch):
    t = torch.nn.Embedding(7, 3, padding_idx=1).double()
    o = nn.Embedding(7, 3, padding_idx=1).double()
    load_from_torch(o, t)
    idx = np.array([[1, 2, 6], [2, 2, 0]])
    oy, ty = o(ag.tensor(idx)), t(torch.tensor(idx))
    np.testing.assert_array_equal(oy.detach().numpy(), ty.detach().numpy())
    g = rng.standard_normal((2, 3, 3))
    oy.backward(ag.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(o.weight.grad.numpy(), t.weight.grad.numpy(), rtol=1e-12)


def test_one_hot():
    assert F.one_hot(ag.tensor([1, 0]), 3).tolist() == [[0, 1, 0], [1, 0, 0]]
    assert F.one_hot(ag.tensor([2])).shape == (1, 3)
    with pytest.raises(RuntimeError, match="one_hot"):
        F.one_hot(ag.tensor([3]), 2)
