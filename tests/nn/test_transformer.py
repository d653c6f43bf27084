"""TransformerEncoder, TransformerDecoderLayer, TransformerDecoder and Transformer:
PyTorch parity in float64 (same weights through load_state_dict; outputs and the
gradients of every input and parameter) over layouts, norm placement, activations and
masks; state_dict keys, deep-copied layers, the causal mask, and errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from tests.helpers import load_from_torch

rng = np.random.default_rng(5)


def compare(torch, ours, theirs, arrays, **masks):
    """Same output and gradients of inputs and parameters as PyTorch (eval: no dropout)."""
    ours.eval()
    theirs.eval()
    xs = [ag.tensor(a, dtype=ag.float64, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    om = {k: (ag.tensor(v) if v is not None else None) for k, v in masks.items()}
    tm = {k: (torch.tensor(v) if v is not None else None) for k, v in masks.items()}
    y, yt = ours(*xs, **om), theirs(*ts, **tm)
    assert tuple(y.shape) == tuple(yt.shape)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), atol=1e-10, rtol=1e-9)
    g = rng.standard_normal(tuple(yt.shape))
    y.backward(ag.tensor(g))
    yt.backward(torch.tensor(g))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=1e-10, rtol=1e-9)
    tp = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tp[name].grad.numpy(), atol=1e-10, rtol=1e-9,
                                   err_msg=name)


def causal(n):
    return np.triu(np.full((n, n), -np.inf), 1)


def padding_mask(n, s):
    m = rng.random((n, s)) < 0.3
    m[:, 0] = False  # every query keeps a key
    return m


E, H, FF = 8, 2, 12


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_matches_torch(torch, batch_first, norm_first, activation):
    tl = torch.nn.TransformerEncoderLayer(E, H, FF, dropout=0.1, activation=activation,
                                          batch_first=batch_first, norm_first=norm_first,
                                          dtype=torch.float64)
    tm = torch.nn.TransformerEncoder(tl, 3, norm=torch.nn.LayerNorm(E, dtype=torch.float64),
                                     enable_nested_tensor=False)
    ol = nn.TransformerEncoderLayer(E, H, FF, dropout=0.1, activation=activation,
                                    batch_first=batch_first, norm_first=norm_first,
                                    dtype=ag.float64)
    om = nn.TransformerEncoder(ol, 3, norm=nn.LayerNorm(E, dtype=ag.float64))
    load_from_torch(om, tm)
    assert repr(om) == repr(tm)
    N, L = 3, 6
    src = rng.standard_normal((N, L, E) if batch_first else (L, N, E))
    compare(torch, om, tm, [src])
    compare(torch, om, tm, [src], mask=causal(L))
    compare(torch, om, tm, [src], src_key_padding_mask=padding_mask(N, L))
    compare(torch, om, tm, [src], mask=causal(L), src_key_padding_mask=padding_mask(N, L))
    compare(torch, om, tm, [src], mask=rng.random((L, L)) < 0.3)  # bool: True = masked
    compare(torch, om, tm, [src], mask=rng.standard_normal((L, L)))  # float, added


def test_encoder_unbatched_and_no_norm_match_torch(torch):
    tm = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(E, H, FF, dtype=torch.float64), 2,
        enable_nested_tensor=False)
    om = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, H, FF, dtype=ag.float64), 2)
    load_from_torch(om, tm)
    compare(torch, om, tm, [rng.standard_normal((5, E))], mask=causal(5))


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_decoder_layer_matches_torch(torch, batch_first, norm_first, activation):
    kw = dict(dim_feedforward=FF, dropout=0.2, batch_first=batch_first, norm_first=norm_first)
    tl = torch.nn.TransformerDecoderLayer(E, H, activation=activation, dtype=torch.float64, **kw)
    ol = nn.TransformerDecoderLayer(E, H, activation=activation, dtype=ag.float64, **kw)
    load_from_torch(ol, tl)
    assert repr(ol) == repr(tl)
    N, T, S = 2, 5, 7
    tgt = rng.standard_normal((N, T, E) if batch_first else (T, N, E))
    mem = rng.standard_normal((N, S, E) if batch_first else (S, N, E))
    compare(torch, ol, tl, [tgt, mem])
    compare(torch, ol, tl, [tgt, mem], tgt_mask=causal(T), tgt_key_padding_mask=padding_mask(N, T),
            memory_key_padding_mask=padding_mask(N, S))
    mm = rng.random((T, S)) < 0.3
    mm[:, 0] = False
    compare(torch, ol, tl, [tgt, mem], tgt_mask=causal(T), memory_mask=mm)


def test_decoder_layer_function_and_module_activations_match_torch(torch):
    for ours_act, their_act in [(F.gelu, torch.nn.functional.gelu), (nn.Tanh(), torch.nn.Tanh())]:
        tl = torch.nn.TransformerDecoderLayer(E, H, FF, activation=their_act,
                                              dtype=torch.float64)
        ol = nn.TransformerDecoderLayer(E, H, FF, activation=ours_act, dtype=ag.float64)
        load_from_torch(ol, tl)
        assert repr(ol) == repr(tl)
        compare(torch, ol, tl, [rng.standard_normal((4, 2, E)), rng.standard_normal((3, 2, E))])
    with pytest.raises(ValueError, match="unknown activation 'swoosh'"):
        nn.TransformerDecoderLayer(E, H, activation="swoosh")


@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_stack_matches_torch(torch, batch_first):
    tl = torch.nn.TransformerDecoderLayer(E, H, FF, batch_first=batch_first, dtype=torch.float64)
    tm = torch.nn.TransformerDecoder(tl, 2, norm=torch.nn.LayerNorm(E, dtype=torch.float64))
    om = nn.TransformerDecoder(nn.TransformerDecoderLayer(E, H, FF, batch_first=batch_first,
                                                          dtype=ag.float64), 2,
                               norm=nn.LayerNorm(E, dtype=ag.float64))
    load_from_torch(om, tm)
    assert repr(om) == repr(tm)
    N, T, S = 3, 4, 6
    tgt = rng.standard_normal((N, T, E) if batch_first else (T, N, E))
    mem = rng.standard_normal((N, S, E) if batch_first else (S, N, E))
    compare(torch, om, tm, [tgt, mem], tgt_mask=causal(T))
    compare(torch, om, tm, [tgt, mem], tgt_mask=causal(T), tgt_is_causal=True,
            memory_key_padding_mask=padding_mask(N, S))
    compare(torch, om, tm, [tgt[:, 0] if not batch_first else tgt[0],
                            mem[:, 0] if not batch_first else mem[0]])  # unbatched


@pytest.mark.parametrize("batch_first,norm_first", [(False, False), (True, True)])
def test_transformer_matches_torch(torch, batch_first, norm_first):
    kw = dict(d_model=E, nhead=H, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=FF,
              batch_first=batch_first, norm_first=norm_first)
    tm = torch.nn.Transformer(**kw, dtype=torch.float64)
    om = nn.Transformer(**kw, dtype=ag.float64)
    load_from_torch(om, tm)
    assert repr(om) == repr(tm)
    N, S, T = 2, 6, 5
    src = rng.standard_normal((N, S, E) if batch_first else (S, N, E))
    tgt = rng.standard_normal((N, T, E) if batch_first else (T, N, E))
    compare(torch, om, tm, [src, tgt], tgt_mask=causal(T),
            src_key_padding_mask=padding_mask(N, S), memory_key_padding_mask=padding_mask(N, S),
            tgt_key_padding_mask=padding_mask(N, T))


def test_transformer_init_is_xavier_and_layers_are_independent_copies():
    ag.manual_seed(0)
    m = nn.Transformer(d_model=16, nhead=4, num_encoder_layers=2, num_decoder_layers=1,
                       dim_feedforward=32)
    w = m.encoder.layers[0].linear1.weight.detach().numpy()
    bound = np.sqrt(6 / (16 + 32))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    a, b = m.encoder.layers
    assert a.linear1.weight is not b.linear1.weight
    assert not np.array_equal(a.linear1.weight.detach().numpy(), b.linear1.weight.detach().numpy())
    layer = nn.TransformerEncoderLayer(8, 2, 16)
    enc = nn.TransformerEncoder(layer, 2)
    assert enc.layers[0] is not layer
    np.testing.assert_array_equal(enc.layers[1].linear1.weight.detach().numpy(),
                                  layer.linear1.weight.detach().numpy())
    assert len(list(enc.parameters())) == 2 * len(list(layer.parameters()))
    keys = list(m.state_dict())
    assert keys[0] == "encoder.layers.0.self_attn.in_proj_weight"
    assert "decoder.layers.0.multihead_attn.out_proj.weight" in keys
    assert "decoder.norm.weight" in keys


def test_generate_square_subsequent_mask_matches_torch(torch):
    for n in (1, 4):
        ours = nn.Transformer.generate_square_subsequent_mask(n)
        theirs = torch.nn.Transformer.generate_square_subsequent_mask(n)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert ours.dtype == ag.float32
    assert nn.Transformer.generate_square_subsequent_mask(3, dtype=ag.float64).dtype == ag.float64


def test_is_causal_detection():
    from autograd_core.nn.modules.transformer import _detect_is_causal_mask
    assert _detect_is_causal_mask(causal(4), None, 4)
    assert not _detect_is_causal_mask(causal(4), None, 5)
    assert not _detect_is_causal_mask(causal(4), False, 4)
    assert _detect_is_causal_mask(np.triu(np.ones((3, 3), bool), 1), None, 3)
    assert not _detect_is_causal_mask(np.zeros((3, 3)), None, 3)
    assert _detect_is_causal_mask(None, True, 3)


def test_training_step_decreases_loss():
    ag.manual_seed(1)
    m = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                       dim_feedforward=16, dropout=0.0, batch_first=True)
    src, tgt = ag.randn(4, 5, 8), ag.randn(4, 3, 8)
    mask = nn.Transformer.generate_square_subsequent_mask(3)
    losses = []
    for _ in range(5):
        loss = ((m(src, tgt, tgt_mask=mask) - tgt) ** 2).mean()
        m.zero_grad()
        loss.backward()
        for p in m.parameters():
            p.data = p.detach() - 0.05 * p.grad
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_errors():
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 1)
    with pytest.raises(ValueError, match=r"TransformerEncoder: expected input with d_model=8 "
                                         r"features \(last dim\), got shape \(5, 2, 6\)"):
        enc(ag.randn(5, 2, 6))
    with pytest.raises(ValueError, match=r"expected unbatched 2D \(L, E\) or batched 3D input, "
                                         r"got shape \(8,\)"):
        enc(ag.randn(8))
    dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16), 1)
    with pytest.raises(ValueError, match=r"TransformerDecoder \(memory\): expected input with "
                                         r"d_model=8"):
        dec(ag.randn(5, 2, 8), ag.randn(5, 2, 4))
    m = nn.Transformer(8, 2, 1, 1, 16)
    with pytest.raises(ValueError, match=r"the batch number of src and tgt must be equal, got "
                                         r"shapes \(5, 2, 8\) and \(4, 3, 8\)"):
        m(ag.randn(5, 2, 8), ag.randn(4, 3, 8))
    with pytest.raises(ValueError, match="the feature number of src and tgt must be equal to "
                                         "d_model=8"):
        m(ag.randn(5, 2, 8), ag.randn(4, 2, 6))
    with pytest.raises(TypeError, match="expected a layer Module to clone, got int"):
        nn.TransformerEncoder(3, 2)
    with pytest.raises(ValueError, match=r"The shape of the 2D attn_mask is \(3, 3\), but should "
                                         r"be \(5, 5\)"):
        enc(ag.randn(5, 2, 8), mask=ag.tensor(causal(3)))
