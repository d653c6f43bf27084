"""F.embedding_bag and nn.EmbeddingBag against PyTorch in float64: sum/mean/max, offsets,
include_last_offset, padding_idx, per_sample_weights, max_norm, scale_grad_by_freq;
gradients and PyTorch's errors (issue #14)."""
from __future__ import annotations


import numpy as np
import pytest

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import nn
from tests.helpers import Draw, leaf, load_from_torch, raises_like

draw = Draw(41)
rng, parity = draw.rng, draw.parity


# ------------------------------------------------------------------ embedding_bag
BAGS = [("1d", np.array([1, 2, 4, 5, 4, 3, 2, 9, 2, 2]), np.array([0, 4, 4, 8]), {}),
        ("1d padding", np.array([1, 2, 4, 5, 4, 3, 2, 9, 2, 2]), np.array([0, 4, 4, 8]),
         dict(padding_idx=2)),
        ("last offset", np.array([1, 2, 4, 5, 4, 3, 2, 9, 2, 2]), np.array([0, 4, 4, 8, 10]),
         dict(include_last_offset=True)),
        ("last offset short", np.array([1, 2, 4, 5, 4, 3, 2, 9, 2, 2]), np.array([0, 4, 6]),
         dict(include_last_offset=True)),
        ("2d", rng.integers(0, 10, (3, 5)), None, {}),
        ("2d negative padding", rng.integers(0, 10, (3, 5)), None, dict(padding_idx=-1)),
        ("ties", np.array([1, 1, 3, 3]), np.array([0, 2]), {}),
        ("empty", np.array([], dtype=np.int64), np.array([0, 0]), {})]


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("name,idx,offsets,kw", BAGS, ids=[b[0] for b in BAGS])
def test_embedding_bag_matches_torch(torch, mode, name, idx, offsets, kw):
    w = rng.standard_normal((10, 4))
    off = () if offsets is None else (offsets,)
    parity(torch, lambda w, i, *o: F.embedding_bag(i, w, *o, mode=mode, **kw),
           lambda w, i, *o: torch.nn.functional.embedding_bag(i, w, *o, mode=mode, **kw), w,
           consts=(idx,) + off, atol=1e-14, grad_rtol=1e-12)


def test_embedding_bag_per_sample_weights_max_norm_and_freq(torch):
    tf = torch.nn.functional
    idx, off = np.array([1, 2, 4, 5, 4, 3, 2, 9, 2, 2]), np.array([0, 4, 4, 8])
    for kw in [{}, dict(padding_idx=4)]:
        parity(torch, lambda w, p, i, o: F.embedding_bag(i, w, o, mode="sum",
                                                         per_sample_weights=p, **kw),
               lambda w, p, i, o: tf.embedding_bag(i, w, o, mode="sum", per_sample_weights=p, **kw),
               rng.standard_normal((10, 4)), rng.standard_normal(10), consts=(idx, off))
    w = rng.standard_normal((10, 4)) * 3
    wo, wt = ag.tensor(w), torch.tensor(w)
    y = F.embedding_bag(ag.tensor(idx), wo, ag.tensor(off), max_norm=1.5)
    yt = tf.embedding_bag(torch.tensor(idx), wt, torch.tensor(off), max_norm=1.5)
    np.testing.assert_allclose(y.numpy(), yt.numpy(), rtol=1e-6)
    np.testing.assert_allclose(wo.numpy(), wt.numpy(), rtol=1e-6)  # renormalised in place
    # scale_grad_by_freq: each row's gradient over its count in the input, as F.embedding's
    # (PyTorch's CPU embedding_bag divides by other rows' counts)
    for mode in ("sum", "mean"):
        x, xt = leaf(w), torch.tensor(w, requires_grad=True)
        y = F.embedding_bag(ag.tensor(idx), x, ag.tensor(off), mode=mode, scale_grad_by_freq=True)
        e = tf.embedding(torch.tensor(idx), xt, scale_grad_by_freq=True)
        ends = list(off) + [len(idx)]
        yt = torch.stack([e[ends[i]:ends[i + 1]].sum(0) / (max(ends[i + 1] - ends[i], 1)
                                                           if mode == "mean" else 1)
                          for i in range(len(off))])
        np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-12)
        g = rng.standard_normal(y.shape)
        y.backward(ag.tensor(g))
        yt.backward(torch.tensor(g))
        np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


def test_embedding_bag_errors_as_torch(torch):
    tf = torch.nn.functional
    w, wt = ag.randn(10, 3), torch.randn(10, 3)
    cases = [(np.array([1, 2, 4, 5]), np.array([1, 2]), {}),
             (np.array([1, 2, 4, 5]), np.array([0, 7]), {}),
             (np.array([1, 2, 4, 5]), np.array([0, 2]), dict(padding_idx=10)),
             (np.array([1, 2, 4, 5]), np.array([0, 2]), dict(padding_idx=-11)),
             (np.array([1, 2, 4, 5]), np.array([0, 2]), dict(mode="max",
                                                              per_sample_weights=np.ones(4))),
             (np.array([1, 2, 4, 5]), np.array([0, 2]), dict(mode="foo")),
             (np.array([[1, 2], [3, 4]]), None, dict(mode="max", scale_grad_by_freq=True)),
             (np.array([[1, 2], [3, 4]]), None, dict(per_sample_weights=np.ones(2))),
             (np.array([1, 2, 4, 5]), None, {}),
             (np.array([[[1]]]), None, {})]
    for idx, off, kw in cases:
        okw, tkw = dict(kw), dict(kw)
        if "per_sample_weights" in kw:
            okw["per_sample_weights"] = ag.tensor(kw["per_sample_weights"].astype(np.float32))
            tkw["per_sample_weights"] = torch.tensor(kw["per_sample_weights"].astype(np.float32))
        raises_like(lambda: F.embedding_bag(ag.tensor(idx), w, None if off is None else
                                                   ag.tensor(off), **okw),
                    lambda: tf.embedding_bag(torch.tensor(idx), wt, None if off is None else
                                             torch.tensor(off), **tkw))
    with pytest.raises(ValueError, match="weight has to be a 2D Tensor, but got Tensor of "
                                         "dimension 3"):
        F.embedding_bag(ag.tensor([[1]]), ag.zeros(2, 2, 2))
    with pytest.raises(RuntimeError, match="index 15 is out of range for 10 embeddings"):
        F.embedding_bag(ag.tensor([1, 15]), w, ag.tensor([0]))


def test_embedding_bag_module_as_torch(torch):
    t = torch.nn.EmbeddingBag(10, 4, mode="max", padding_idx=1).double()
    m = nn.EmbeddingBag(10, 4, mode="max", padding_idx=1).double()
    assert (m.weight.detach().numpy()[1] == 0).all()
    load_from_torch(m, t)
    idx, off = np.array([1, 2, 4, 5, 4, 3, 2, 9, 1, 1]), np.array([0, 4, 4, 8])
    y = m(ag.tensor(idx), ag.tensor(off))
    yt = t(torch.tensor(idx), torch.tensor(off))
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy())
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(m.weight.grad.numpy(), t.weight.grad.numpy())
    frozen = nn.EmbeddingBag.from_pretrained(ag.eye(3), mode="sum")
    assert not frozen.weight.requires_grad
    assert frozen(ag.tensor([[0, 2]])).tolist() == [[1.0, 0.0, 1.0]]   # exact: sums of 0s and 1s
    with pytest.raises(AssertionError, match="padding_idx must be within num_embeddings"):
        nn.EmbeddingBag(10, 3, padding_idx=12)
    assert nn.EmbeddingBag(10, 3, padding_idx=-1).padding_idx == 9
