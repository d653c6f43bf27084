"""Pooling layers beyond the 2-D max/avg pools of test_conv.py (``nn/functional/pooling.py``,
``nn/modules/pooling.py``): adaptive average and max pooling, 1-D pooling; NumPy references,
gradcheck and PyTorch parity (values, indices, gradients), modules and errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from tests.helpers import Draw, leaf

draw = Draw(0)
rng, arr, t64, parity = draw.rng, draw.arr, draw.t64, draw.parity


def _adaptive_ref(x, oh, ow):
    h, w = x.shape[-2:]
    out = np.zeros(x.shape[:-2] + (oh, ow))
    for i in range(oh):
        h0, h1 = (i * h) // oh, -((-(i + 1) * h) // oh)
        for j in range(ow):
            w0, w1 = (j * w) // ow, -((-(j + 1) * w) // ow)
            out[..., i, j] = x[..., h0:h1, w0:w1].mean(axis=(-2, -1))
    return out


@pytest.mark.parametrize("size", [1, 3, (2, 5), (None, 2)])
def test_adaptive_avg_pool2d(size):
    x = t64(2, 3, 7, 5)
    out = nn.AdaptiveAvgPool2d(size)(x)
    oh, ow = (size, size) if isinstance(size, int) else (size[0] or 7, size[1] or 5)
    np.testing.assert_allclose(out.detach().numpy(), _adaptive_ref(x.detach().numpy(), oh, ow),
                               rtol=1e-12)
    assert ag.gradcheck(lambda x: F.adaptive_avg_pool2d(x, size), (t64(1, 2, 5, 4),))


def test_adaptive_avg_pool2d_matches_torch(torch):
    x = rng.standard_normal((2, 3, 9, 7))
    for size in (1, 4, (3, 2)):
        np.testing.assert_allclose(
            F.adaptive_avg_pool2d(ag.tensor(x), size).numpy(),
            torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x), size).numpy(), rtol=1e-12)


@pytest.mark.parametrize("shape,size", [((2, 3, 7, 5), 3), ((2, 3, 7, 5), (2, 4)),
                                        ((3, 6, 6), (None, 4)), ((1, 2, 5, 9), (5, 9)),
                                        ((1, 1, 3, 3), (5, 4))])
def test_adaptive_max_pool2d_matches_torch(torch, shape, size):
    for ri in (False, True):
        parity(torch, lambda x: F.adaptive_max_pool2d(x, size, ri),
               lambda x: torch.nn.functional.adaptive_max_pool2d(x, size, ri), arr(*shape))


@pytest.mark.parametrize("shape,size", [((2, 3, 10), 4), ((3, 7), 3), ((1, 2, 4), 6)])
def test_adaptive_max_pool1d_matches_torch(torch, shape, size):
    for ri in (False, True):
        parity(torch, lambda x: F.adaptive_max_pool1d(x, size, ri),
               lambda x: torch.nn.functional.adaptive_max_pool1d(x, size, ri), arr(*shape))


def test_adaptive_max_pool_modules_ties_and_gradcheck(torch):
    for ours, theirs in [(nn.AdaptiveMaxPool2d((2, None)), torch.nn.AdaptiveMaxPool2d((2, None))),
                         (nn.AdaptiveMaxPool1d(3, True), torch.nn.AdaptiveMaxPool1d(3, True))]:
        assert repr(ours) == repr(theirs)
    parity(torch, nn.AdaptiveMaxPool2d(3, True), torch.nn.AdaptiveMaxPool2d(3, True),
           arr(2, 2, 8, 8))
    ties = np.zeros((1, 1, 4, 4))  # all equal: the first of each window, as PyTorch
    parity(torch, lambda x: F.adaptive_max_pool2d(x, 2, True),
           lambda x: torch.nn.functional.adaptive_max_pool2d(x, 2, True), ties)
    assert ag.gradcheck(lambda x: F.adaptive_max_pool2d(x, (3, 2)), (leaf(arr(2, 2, 5, 6)),))
    assert ag.gradcheck(lambda x: F.adaptive_max_pool1d(x, 4), (leaf(arr(2, 7)),))
    with pytest.raises(ValueError, match=r"adaptive_max_pool2d: expected non-empty 3D \(C, H, W\) "
                                         r"or 4D \(N, C, H, W\) input, got shape \(4, 4\)"):
        F.adaptive_max_pool2d(ag.ones(4, 4), 2)
    with pytest.raises(ValueError, match="adaptive_max_pool2d: output_size must be positive"):
        F.adaptive_max_pool2d(ag.ones(1, 4, 4), 0)
    with pytest.raises(ValueError, match=r"adaptive_max_pool1d: expected 2D \(C, L\) or 3D"):
        F.adaptive_max_pool1d(ag.ones(4), 2)


def test_pool1d_functions_match_torch(torch):
    TF = torch.nn.functional
    a = arr(2, 3, 11)
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
               dict(kernel_size=3, stride=2, ceil_mode=True),
               dict(kernel_size=2, stride=1, dilation=3)):
        parity(torch, lambda x: F.max_pool1d(x, **kw), lambda x: TF.max_pool1d(x, **kw), a)
        parity(torch, lambda x: F.max_pool1d(x, **kw), lambda x: TF.max_pool1d(x, **kw), a[0])
    out, idx = F.max_pool1d(ag.tensor(a), 3, 2, 1, return_indices=True)
    outt, idxt = TF.max_pool1d(torch.tensor(a), 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), idxt.numpy())
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
               dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
               dict(kernel_size=4, stride=3, ceil_mode=True)):
        parity(torch, lambda x: F.avg_pool1d(x, **kw), lambda x: TF.avg_pool1d(x, **kw), a)
    for o in (1, 3, 5, 11, 7):
        parity(torch, lambda x: F.adaptive_avg_pool1d(x, o),
               lambda x: TF.adaptive_avg_pool1d(x, o), a)
    x = t64(1, 2, 6)
    assert ag.gradcheck(lambda x: F.avg_pool1d(x, 3, 2, 1), (x,))
    assert ag.gradgradcheck(lambda x: F.adaptive_avg_pool1d(x, 4), (x,))


def test_pool1d_modules(torch):
    pairs = [(nn.MaxPool1d(2), torch.nn.MaxPool1d(2)),
             (nn.MaxPool1d(3, 1, 1, 2, ceil_mode=True),
              torch.nn.MaxPool1d(3, 1, 1, 2, ceil_mode=True)),
             (nn.AvgPool1d(2), torch.nn.AvgPool1d(2)),
             (nn.AvgPool1d(3, 1, 1, count_include_pad=False),
              torch.nn.AvgPool1d(3, 1, 1, count_include_pad=False)),
             (nn.AdaptiveAvgPool1d(3), torch.nn.AdaptiveAvgPool1d(3))]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs) and ours.state_dict() == {}
        parity(torch, ours, theirs, arr(2, 3, 8))
        parity(torch, ours, theirs, arr(3, 8))
    with pytest.raises(ValueError, match=r"max_pool1d: expected 2D \(C, L\) or 3D \(N, C, L\) "
                                         r"input, got shape \(1, 2, 3, 4\)"):
        nn.MaxPool1d(2)(ag.zeros(1, 2, 3, 4))
