"""Conv1d/Conv2d/MaxPool2d/AvgPool2d modules and the models built on them (CNN, conv
ResidualBlock, ResNet): shapes, NumPy references, gradcheck, PyTorch parity.

They run on ``autograd_core.conv1d/conv2d/max_pool2d/avg_pool2d``."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F

rng = np.random.default_rng(4)


def t64(*shape, requires_grad=True):
    return ag.tensor(rng.standard_normal(shape), dtype=ag.float64, requires_grad=requires_grad)


def conv2d_ref(x, w, b, stride, padding, dilation=(1, 1), groups=1):
    """Direct convolution (cross-correlation) from the definition."""
    x = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    oh = (h - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, o, oh, ow))
    og = o // groups
    for g in range(groups):
        xs = x[:, g * cg:(g + 1) * cg]
        for i in range(oh):
            for j in range(ow):
                patch = xs[:, :, i * stride[0]:i * stride[0] + dilation[0] * (kh - 1) + 1:dilation[0],
                           j * stride[1]:j * stride[1] + dilation[1] * (kw - 1) + 1:dilation[1]]
                out[:, g * og:(g + 1) * og, i, j] = np.einsum("nckl,ockl->no", patch,
                                                               w[g * og:(g + 1) * og])
    return out + (b.reshape(1, -1, 1, 1) if b is not None else 0)


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(padding=(1, 2), dilation=2),
                                dict(groups=2, bias=False)])
def test_conv2d_matches_reference_and_gradchecks(kw):
    conv = nn.Conv2d(4, 6, 3, **kw).double()
    x = t64(2, 4, 7, 6)
    ref = conv2d_ref(x.detach().numpy(), conv.weight.detach().numpy(),
                     None if conv.bias is None else conv.bias.detach().numpy(), conv.stride,
                     conv.padding, conv.dilation, conv.groups)
    np.testing.assert_allclose(conv(x).detach().numpy(), ref, rtol=1e-10, atol=1e-12)
    small = nn.Conv2d(2, 2, 2, **{k: v for k, v in kw.items() if k != "groups"}).double()
    xs = t64(1, 2, 4, 4)
    assert ag.gradcheck(lambda x, *ps: small(x), (xs, *small.parameters()))


def test_conv_unbatched_input_and_errors():
    conv = nn.Conv2d(3, 5, 3, padding=1)
    assert conv(ag.randn(3, 8, 8)).shape == (5, 8, 8)
    with pytest.raises(ValueError, match=r"Conv2d: expected input with 3 channels \(dim 1\), "
                                         r"got shape \(2, 4, 8, 8\)"):
        conv(ag.randn(2, 4, 8, 8))
    with pytest.raises(ValueError, match="Conv2d: expected 3D"):
        conv(ag.randn(8, 8))
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 6, 3, groups=2)
    c1 = nn.Conv1d(2, 4, 3, padding=1)
    assert c1(ag.randn(5, 2, 9)).shape == (5, 4, 9) and c1(ag.randn(2, 9)).shape == (4, 9)


def test_conv_and_pool_match_torch(torch):
    x = rng.standard_normal((2, 3, 9, 8))
    cases = [
        (nn.Conv2d(3, 4, 3, stride=2, padding=1), torch.nn.Conv2d(3, 4, 3, stride=2, padding=1)),
        (nn.Conv2d(3, 6, (3, 2), groups=3, dilation=(2, 1)),
         torch.nn.Conv2d(3, 6, (3, 2), groups=3, dilation=(2, 1))),
        (nn.Conv2d(3, 4, 3, padding="same"), torch.nn.Conv2d(3, 4, 3, padding="same")),
        (nn.MaxPool2d(2), torch.nn.MaxPool2d(2)),
        (nn.MaxPool2d(3, stride=2, padding=1), torch.nn.MaxPool2d(3, stride=2, padding=1)),
        (nn.AvgPool2d(2, stride=1), torch.nn.AvgPool2d(2, stride=1)),
        (nn.AvgPool2d(3, padding=1), torch.nn.AvgPool2d(3, padding=1)),
        (nn.AvgPool2d(2, count_include_pad=False), torch.nn.AvgPool2d(2, count_include_pad=False)),
    ]
    for o, t in cases:
        o, t = o.double(), t.double()
        o.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
        ox, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        oy, ty = o(ox), t(tx)
        np.testing.assert_allclose(oy.detach().numpy(), ty.detach().numpy(), rtol=1e-10,
                                   atol=1e-12, err_msg=repr(o))
        g = rng.standard_normal(ty.shape)
        oy.backward(ag.tensor(g))
        ty.backward(torch.tensor(g))
        np.testing.assert_allclose(ox.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    x1 = rng.standard_normal((2, 3, 10))
    o, t = nn.Conv1d(3, 4, 3, stride=2).double(), torch.nn.Conv1d(3, 4, 3, stride=2).double()
    o.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    np.testing.assert_allclose(o(ag.tensor(x1)).detach().numpy(),
                               t(torch.tensor(x1)).detach().numpy(), rtol=1e-10)


def test_cnn_shapes_for_28_and_8():
    cnn = nn.CNN()
    assert [type(m).__name__ for m in cnn] == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU",
                                              "MaxPool2d", "Flatten", "Linear"]
    assert cnn[-1].in_features == 784 and cnn(ag.randn(4, 1, 28, 28)).shape == (4, 10)
    small = nn.CNN(image_size=8, hidden=32, dropout=0.2)
    assert small(ag.randn(3, 1, 8, 8)).shape == (3, 10)
    with pytest.raises(ValueError, match=r"CNN: expected input of shape \(N, 1, 28, 28\)"):
        cnn(ag.randn(4, 1, 8, 8))


def test_cnn_matches_torch_and_trains(torch):
    tn = torch.nn
    t = tn.Sequential(tn.Conv2d(1, 8, 3, padding=1), tn.ReLU(), tn.MaxPool2d(2),
                      tn.Conv2d(8, 16, 3, padding=1), tn.ReLU(), tn.MaxPool2d(2), tn.Flatten(),
                      tn.Linear(16 * 2 * 2, 10)).double()
    o = nn.CNN(image_size=8).double()
    o.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    x = rng.standard_normal((5, 1, 8, 8))
    y = rng.integers(0, 10, 5)
    tl = tn.functional.cross_entropy(t(torch.tensor(x)), torch.tensor(y))
    ol = F.cross_entropy(o(ag.tensor(x)), ag.tensor(y))
    tl.backward()
    ol.backward()
    assert ol.item() == pytest.approx(tl.item(), rel=1e-10)
    for (n, p), (_, tp) in zip(o.named_parameters(), t.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-8, atol=1e-12,
                                   err_msg=n)


def test_conv_residual_block_and_resnet():
    blk = nn.ResidualBlock(4, 8, kind="conv", stride=2)
    assert isinstance(blk.shortcut, nn.Sequential)
    assert blk(ag.randn(2, 4, 8, 8)).shape == (2, 8, 4, 4)
    same = nn.ResidualBlock(4, kind="conv")
    assert isinstance(same.shortcut, nn.Identity)
    net = nn.ResNet(in_channels=1, num_classes=3, widths=(4, 8), blocks=(1, 2))
    x = ag.randn(2, 1, 8, 8)
    assert net(x).shape == (2, 3)
    keys = list(net.state_dict())
    assert "stem.0.weight" in keys and "stages.stage2.0.shortcut.1.running_mean" in keys
    net.eval()
    assert net(x).allclose(net(x))
    small = nn.ResidualBlock(2, kind="conv").double().eval()
    xs = t64(1, 2, 3, 3)
    assert ag.gradcheck(lambda x: small(x), (xs,))
