"""Models without convolution: MLP, dense ResidualBlock, TransformerEncoderBlock (and
PyTorch's TransformerEncoderLayer), including training steps and PyTorch parity."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from tests.helpers import load_from_torch

rng = np.random.default_rng(3)


def sgd_steps(model, x, y, steps=30, lr=0.1):
    losses = []
    for _ in range(steps):
        model.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        with ag.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        losses.append(loss.item())
    return losses


def test_mlp_structure_and_keys():
    m = nn.MLP(784, [256, 128], 10, activation="gelu", dropout=0.1)
    assert [type(l).__name__ for l in m] == ["Linear", "GELU", "Dropout", "Linear", "GELU",
                                            "Dropout", "Linear"]
    assert list(m.state_dict()) == ["0.weight", "0.bias", "3.weight", "3.bias", "6.weight",
                                    "6.bias"]
    assert m(ag.randn(5, 784)).shape == (5, 10)
    assert len(nn.MLP(3, [], 2)) == 1
    assert isinstance(nn.MLP(3, 4, 2, activation=nn.Tanh)[1], nn.Tanh)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        nn.MLP(3, [4], 2, activation="swish")


def test_mlp_learns_a_toy_problem():
    x = ag.tensor(rng.standard_normal((64, 4)), dtype=ag.float32)
    y = ag.tensor((x.numpy()[:, 0] + x.numpy()[:, 1] > 0).astype(np.int64))
    losses = sgd_steps(nn.MLP(4, [16], 2), x, y, steps=60, lr=0.5)
    assert losses[-1] < 0.5 * losses[0]


def test_mlp_matches_torch_sequential(torch):
    t = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3)).double()
    o = nn.MLP(6, [5], 3).double()
    load_from_torch(o, t)
    x = rng.standard_normal((4, 6))
    y = np.array([0, 2, 1, 2])
    tl = torch.nn.functional.cross_entropy(t(torch.tensor(x)), torch.tensor(y))
    ol = F.cross_entropy(o(ag.tensor(x)), ag.tensor(y))
    tl.backward()
    ol.backward()
    assert ol.item() == pytest.approx(tl.item(), rel=1e-12)
    for (n, p), (_, tp) in zip(o.named_parameters(), t.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-10, err_msg=n)


def test_dense_residual_block():
    blk = nn.ResidualBlock(6, hidden=10).double()
    assert [n for n, _ in blk.named_children()] == ["norm", "fc1", "act", "dropout", "fc2",
                                                    "shortcut"]
    x = ag.tensor(rng.standard_normal((3, 6)), requires_grad=True)
    with ag.no_grad():
        blk.fc2.weight.zero_()
        blk.fc2.bias.zero_()
    assert blk(x).allclose(x)  # the residual path alone
    nn.init.normal_(blk.fc2.weight)
    assert ag.gradcheck(lambda x: blk(x), (x,))
    proj = nn.ResidualBlock(6, 4, norm=False, activation="tanh")
    assert isinstance(proj.shortcut, nn.Linear) and proj(ag.randn(2, 6)).shape == (2, 4)
    with pytest.raises(ValueError, match="kind must be 'dense' or 'conv'"):
        nn.ResidualBlock(4, kind="rnn")


def test_transformer_block_shapes_modes_and_training():
    blk = nn.TransformerEncoderBlock(16, 4, dropout=0.1)
    x = ag.randn(2, 5, 16)
    assert blk(x).shape == (2, 5, 16)
    blk.eval()
    assert blk(x).allclose(blk(x))
    kpm = ag.tensor(np.array([[False] * 5, [False] * 3 + [True] * 2]))
    assert blk(x, src_key_padding_mask=kpm, is_causal=True).shape == (2, 5, 16)
    model = nn.Sequential(blk, nn.Flatten(), nn.Linear(80, 3))
    model.train()
    xx = ag.randn(8, 5, 16)
    yy = ag.randint(0, 3, (8,))
    losses = sgd_steps(model, xx, yy, steps=25, lr=0.05)
    assert losses[-1] < losses[0]


def test_transformer_block_gradcheck():
    blk = nn.TransformerEncoderBlock(4, 2, dim_feedforward=6).double()
    x = ag.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    assert ag.gradcheck(lambda x: blk(x, is_causal=True), (x,))


@pytest.mark.parametrize("norm_first,batch_first,activation",
                         [(False, False, "relu"), (True, True, "gelu"), (True, False, "relu")])
def test_transformer_encoder_layer_matches_torch(torch, norm_first, batch_first, activation):
    E, H = 8, 2
    t = torch.nn.TransformerEncoderLayer(E, H, dim_feedforward=12, dropout=0.1,
                                         activation=activation, batch_first=batch_first,
                                         norm_first=norm_first).double().eval()
    o = nn.TransformerEncoderLayer(E, H, dim_feedforward=12, dropout=0.1, activation=activation,
                                   batch_first=batch_first, norm_first=norm_first).double().eval()
    with torch.no_grad():
        for p in t.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    load_from_torch(o, t)
    x = rng.standard_normal((3, 4, E))
    L = x.shape[1] if batch_first else x.shape[0]
    mask = np.triu(np.ones((L, L), bool), 1)
    tx, ox = torch.tensor(x, requires_grad=True), ag.tensor(x, requires_grad=True)
    ty = t(tx, src_mask=torch.tensor(mask))
    oy = o(ox, src_mask=ag.tensor(mask))
    np.testing.assert_allclose(oy.detach().numpy(), ty.detach().numpy(), rtol=1e-9, atol=1e-11)
    g = rng.standard_normal(x.shape)
    ty.backward(torch.tensor(g))
    oy.backward(ag.tensor(g))
    np.testing.assert_allclose(ox.grad.numpy(), tx.grad.numpy(), rtol=1e-8, atol=1e-10)
    for (n, p), (_, tp) in zip(o.named_parameters(), t.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-8, atol=1e-10,
                                   err_msg=n)
