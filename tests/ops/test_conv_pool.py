"""Differentiable convolution and pooling: gradcheck (and gradgradcheck for conv)
across stride, padding, dilation and groups, on both kernel paths, and PyTorch parity."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import gradcheck, gradgradcheck, kernels


@pytest.fixture(params=["numpy", "numba"])
def backend(request):
    with kernels.use_backend(request.param):
        yield request.param


def t(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return ag.tensor(rng.standard_normal(shape), requires_grad=True)


CONV2D = [
    # (N, C, H, W), (K, C/g, kh, kw), stride, padding, dilation, groups
    ((2, 3, 5, 6), (4, 3, 3, 3), 1, 1, 1, 1),
    ((1, 2, 7, 5), (3, 2, 3, 2), 2, (1, 0), 1, 1),
    ((2, 4, 6, 6), (6, 2, 3, 3), 1, 1, 1, 2),      # groups
    ((1, 2, 7, 7), (2, 2, 3, 3), 1, 2, 2, 1),      # dilation
    ((2, 1, 5, 5), (2, 1, 2, 2), 3, 0, 1, 1),      # stride larger than the kernel
    ((1, 3, 1, 1), (5, 3, 1, 1), 1, 0, 1, 1),      # size 1
    ((3, 6, 4, 3), (6, 1, 3, 3), (1, 2), 1, 1, 6),  # depthwise
]


@pytest.mark.parametrize("xs,ws,s,p,d,g", CONV2D)
def test_conv2d_gradcheck(backend, xs, ws, s, p, d, g):
    x, w, b = t(*xs, seed=1), t(*ws, seed=2), t(ws[0], seed=3)
    assert gradcheck(lambda x, w, b: ag.conv2d(x, w, b, s, p, d, g), (x, w, b))


@pytest.mark.parametrize("xs,ws,s,p,d,g", CONV2D[:4])
def test_conv2d_second_derivatives(backend, xs, ws, s, p, d, g):
    x, w = t(*xs, seed=1), t(*ws, seed=2)
    assert gradgradcheck(lambda x, w: ag.conv2d(x, w, None, s, p, d, g), (x, w))


@pytest.mark.parametrize("s,p,d,g", [(1, 0, 1, 1), (2, 1, 1, 1), (1, 2, 2, 2), (3, 0, 1, 1)])
def test_conv1d_gradcheck(backend, s, p, d, g):
    x, w, b = t(2, 4, 9, seed=1), t(4, 4 // g, 3, seed=2), t(4, seed=3)
    assert gradcheck(lambda x, w, b: ag.conv1d(x, w, b, s, p, d, g), (x, w, b))
    assert gradgradcheck(lambda x, w: ag.conv1d(x, w, None, s, p, d, g), (x, w))


@pytest.mark.parametrize("k,s,p", [(2, None, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 1)), (1, 3, 0)])
def test_pool_gradcheck(backend, k, s, p):
    x = t(2, 3, 7, 6, seed=4)
    assert gradcheck(lambda x: ag.max_pool2d(x, k, s, p), (x,))
    assert gradcheck(lambda x: ag.avg_pool2d(x, k, s, p), (x,))
    assert gradgradcheck(lambda x: ag.avg_pool2d(x, k, s, p) * ag.max_pool2d(x, k, s, p), (x,))


def test_pool_unbatched_and_indices():
    x = ag.arange(16.0).reshape(1, 4, 4)
    out, idx = ag.max_pool2d(x, 2, return_indices=True)
    assert out.shape == (1, 2, 2) and idx.tolist() == [[[5, 7], [13, 15]]]


def test_conv_errors_name_op_and_shapes():
    with pytest.raises(RuntimeError, match=r"conv2d: expected input of shape \(N, C, H, W\).*\(3, 5, 5\)"):
        ag.conv2d(ag.ones(3, 5, 5), ag.ones(2, 3, 3, 3))
    with pytest.raises(RuntimeError, match=r"conv2d"):
        ag.conv2d(ag.ones(1, 4, 5, 5), ag.ones(2, 3, 3, 3))
    with pytest.raises(TypeError, match="same dtype"):
        ag.conv2d(ag.ones(1, 3, 5, 5), ag.ones(2, 3, 3, 3, dtype=ag.float64))
    with pytest.raises(RuntimeError, match=r"max_pool2d: dilation must be positive"):
        ag.max_pool2d(ag.ones(1, 1, 4, 4), 2, dilation=0)
    with pytest.raises(RuntimeError, match="avg_pool2d: divisor_override must be a non-zero int"):
        ag.avg_pool2d(ag.ones(1, 1, 4, 4), 2, divisor_override=0)


def test_conv_same_padding():
    x = ag.ones(1, 2, 7, 7)
    assert ag.conv2d(x, ag.ones(3, 2, 3, 3), padding="same").shape == (1, 3, 7, 7)
    assert ag.conv1d(ag.ones(1, 2, 9), ag.ones(3, 2, 5), padding="same").shape == (1, 3, 9)


def test_hand_convolution_5x5_filter():
    img = np.zeros((1, 1, 6, 6))
    img[0, 0, 2, 3] = 1.0
    w = np.arange(25.0).reshape(1, 1, 5, 5)
    out = ag.conv2d(ag.tensor(img), ag.tensor(w))
    # cross-correlation: out[i, j] = sum img[i+a, j+b] w[a, b] -> the pixel (2, 3) meets w[2-i, 3-j]
    assert out.shape == (1, 1, 2, 2)
    assert out.numpy()[0, 0].tolist() == [[w[0, 0, 2, 3], w[0, 0, 2, 2]], [w[0, 0, 1, 3], w[0, 0, 1, 2]]]


@pytest.mark.parametrize("xs,ws,s,p,d,g", CONV2D)
def test_conv2d_matches_pytorch(torch, xs, ws, s, p, d, g):
    F = torch.nn.functional
    x, w, b = t(*xs, seed=1), t(*ws, seed=2), t(ws[0], seed=3)
    tx, tw, tb = (torch.tensor(a.detach().numpy(), requires_grad=True) for a in (x, w, b))
    out = ag.conv2d(x, w, b, s, p, d, g)
    tout = F.conv2d(tx, tw, tb, s, p, d, g)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    gy = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(ag.tensor(gy))
    tout.backward(torch.tensor(gy))
    for a, ta in ((x, tx), (w, tw), (b, tb)):
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)


# (kernel, stride, padding, dilation, ceil_mode, count_include_pad, divisor_override)
POOL_OPTIONS = [
    (3, 2, 1, 1, True, True, None),        # ceil mode: a last window past the padding
    (3, 2, 1, 1, True, False, None),       # ... divided by its real pixels only
    ((2, 3), (2, 2), (1, 1), 1, False, False, None),
    (2, 2, 0, 1, True, True, None),        # ceil mode without padding (7 -> 4 windows)
    (3, 1, 1, 1, False, True, 4),          # divisor_override
    (3, 2, 1, 2, True, True, None),        # dilated max (avg has no dilation)
    ((3, 2), (1, 3), (1, 0), (2, 3), False, True, None),
]


@pytest.mark.parametrize("opts", POOL_OPTIONS)
def test_pool_options_gradcheck(backend, opts):
    k, s, p, d, ceil, count_pad, div = opts
    x = t(2, 2, 7, 6, seed=5)
    mp = lambda x: ag.max_pool2d(x, k, s, p, d, ceil_mode=ceil)  # noqa: E731
    ap = lambda x: ag.avg_pool2d(x, k, s, p, ceil, count_pad, div)  # noqa: E731
    assert gradcheck(mp, (x,))
    assert gradcheck(ap, (x,))
    assert gradgradcheck(lambda x: ap(x) * ap(x), (x,))


@pytest.mark.parametrize("opts", POOL_OPTIONS)
def test_pool_options_match_pytorch(torch, backend, opts):
    k, s, p, d, ceil, count_pad, div = opts
    F = torch.nn.functional
    x = t(2, 3, 7, 6, seed=6)
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    pairs = ((lambda x: ag.max_pool2d(x, k, s, p, d, ceil_mode=ceil, return_indices=True),
              lambda x: F.max_pool2d(x, k, s, p, d, ceil_mode=ceil, return_indices=True)),
             (lambda x: ag.avg_pool2d(x, k, s, p, ceil, count_pad, div),
              lambda x: F.avg_pool2d(x, k, s, p, ceil, count_pad, div)))
    for ours, theirs in pairs:
        x.grad, tx.grad = None, None
        out, tout = ours(x), theirs(tx)
        if isinstance(out, tuple):
            np.testing.assert_array_equal(out[1].numpy(), tout[1].numpy())
            out, tout = out[0], tout[0]
        assert out.shape == tuple(tout.shape)
        np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
        gy = np.random.default_rng(1).standard_normal(out.shape)
        out.backward(ag.tensor(gy))
        tout.backward(torch.tensor(gy))
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_pool_modules_take_the_options(torch):
    from autograd_core import nn
    x = t(1, 2, 7, 7, seed=7)
    tx = torch.tensor(x.detach().numpy())
    for ours, theirs in ((nn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True),
                          torch.nn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True)),
                         (nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
                          torch.nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False)),
                         (nn.AvgPool2d(2, divisor_override=3), torch.nn.AvgPool2d(2, divisor_override=3))):
        np.testing.assert_allclose(ours(x).detach().numpy(), theirs(tx).numpy(), rtol=1e-12)


@pytest.mark.parametrize("k,s,p", [(2, None, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 1))])
def test_pools_match_pytorch(torch, k, s, p):
    F = torch.nn.functional
    x = t(2, 3, 7, 6, seed=4)
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    for ours, theirs in ((ag.max_pool2d, F.max_pool2d), (ag.avg_pool2d, F.avg_pool2d)):
        x.grad, tx.grad = None, None
        out, tout = ours(x, k, s, p), theirs(tx, k, s, p)
        np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
        out.sum().backward()
        tout.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
