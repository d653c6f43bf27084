"""Dropout (``nn/functional/dropout.py``, ``nn/modules/dropout.py``): scaling and masks in
training, identity in eval, the global generator, channel dropout (dropout1d/2d) and its
gradient, modules."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F


def test_dropout_train_scales_and_zeroes_eval_is_identity():
    drop = nn.Dropout(0.3)
    x = ag.ones(100_000, requires_grad=True)
    y = drop(x)
    vals = y.detach().numpy()
    assert set(np.unique(vals)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((vals == 0).mean() - 0.3) < 0.01
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), vals)  # gradient is the same mask
    drop.eval()
    assert drop(x) is x
    assert nn.Dropout(0.0)(x) is x
    assert float(nn.Dropout(1.0)(x).abs().sum()) == 0.0
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_dropout_uses_the_global_generator():
    ag.manual_seed(3)
    a = nn.Dropout()(ag.ones(50)).tolist()
    ag.manual_seed(3)
    assert nn.Dropout()(ag.ones(50)).tolist() == a
    g = ag.Generator().manual_seed(5)
    b = F.dropout(ag.ones(50), generator=g).tolist()
    assert F.dropout(ag.ones(50), generator=ag.Generator().manual_seed(5)).tolist() == b


def test_dropout2d_and_dropout1d_drop_whole_channels():
    x = ag.ones(8, 64, 3, 3)
    y = F.dropout2d(x, 0.25).numpy()
    per_channel = y.reshape(8, 64, 9)
    assert ((per_channel == 0).all(-1) | (per_channel == 1 / 0.75).all(-1)).all()
    assert 0.15 < (per_channel[..., 0] == 0).mean() < 0.35
    y1 = F.dropout1d(ag.ones(8, 64, 5), 0.5).numpy()
    assert ((y1 == 0).all(-1) | (y1 == 2).all(-1)).all()
    y1u = F.dropout1d(ag.ones(64, 5), 0.5).numpy()
    assert ((y1u == 0).all(-1) | (y1u == 2).all(-1)).all()
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        y3 = F.dropout2d(ag.ones(4, 16, 5), 0.5).numpy()
    assert ((y3 == 0).all(-1) | (y3 == 2).all(-1)).all()
    assert F.dropout2d(x, 0.5, training=False) is x
    assert F.dropout2d(x, 1.0).numpy().sum() == 0
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        F.dropout2d(x, 1.5)



def test_dropout2d_of_other_ranks_as_pytorchs(torch):
    """mnist_rnn applies ``Dropout2d`` to an LSTM's (N, 64) output: PyTorch warns and drops
    along the first two dims (each element of a 2-D input); a 5-D input drops whole
    (N, C) blocks; 1-D raises its RuntimeError."""
    for lib in (ag, torch):
        with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
            y = lib.nn.Dropout2d(0.5)(lib.ones(64, 64)).numpy()
        assert set(np.unique(y)) == {0.0, 2.0} and 0.4 < (y == 0).mean() < 0.6
        assert not (y == 0).all(-1).any()     # elements drop, not whole rows (2**-64 each)
        with pytest.warns(UserWarning, match="Received a 5-D input to dropout2d"):
            y5 = lib.nn.functional.dropout2d(lib.ones(4, 8, 2, 2, 2), 0.5).numpy()
        blocks = y5.reshape(4, 8, -1)
        assert ((blocks == 0).all(-1) | (blocks == 2).all(-1)).all()
        with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
            lib.nn.functional.dropout2d(lib.ones(5), 0.5)


def test_dropout2d_gradient_and_modules(torch):
    x = ag.ones(2, 16, 2, 2, requires_grad=True)
    ag.manual_seed(3)
    y = F.dropout2d(x, 0.5)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())
    for ours, theirs in [(nn.Dropout2d(), torch.nn.Dropout2d()),
                         (nn.Dropout2d(0.3), torch.nn.Dropout2d(0.3)),
                         (nn.Dropout1d(0.1), torch.nn.Dropout1d(0.1))]:
        assert repr(ours) == repr(theirs) and ours.state_dict() == {}
    d = nn.Dropout2d(0.5)
    z = ag.ones(2, 8, 3, 3)
    out = d(z).numpy()
    assert set(np.unique(out)) <= {0.0, 2.0} and (out == 0).any()
    d.eval()
    assert d(z) is z
