"""The depthwise conv2d kernels (``kernels/depthwise.py``: groups equal to the input
channels), forward and both backwards, against PyTorch in float64 and float32, on the
shapes MobileNet-style layers have and on odd ones (channel multipliers, strides,
dilations, paddings, 1x1 and 5x5 kernels), and the dispatch that sends them there."""
from __future__ import annotations

import numpy as np
import pytest

from autograd_core.kernels import conv as kc
from autograd_core.kernels import depthwise as dw
from autograd_core.kernels.shapes import conv2d_geometry

CASES = [  # N, C, H, W, multiplier, kernel, stride, padding, dilation
    (2, 3, 7, 6, 1, 3, 1, 1, 1), (2, 4, 9, 8, 2, 3, 2, 1, 1), (1, 5, 8, 8, 1, 5, 1, 2, 2),
    (3, 6, 5, 7, 3, 3, 2, 0, 1), (2, 8, 6, 6, 1, 1, 1, 0, 1), (2, 3, 10, 9, 1, 3, 3, 2, 1),
    (2, 3, 10, 9, 2, 3, 1, 0, 1), (4, 16, 8, 8, 1, 3, 1, 1, 1), (2, 12, 16, 16, 1, 3, 2, 1, 1),
    (1, 2, 1, 9, 1, 1, 1, 0, 1),
]


@pytest.mark.parametrize("case", CASES, ids=[str(c) for c in CASES])
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 2e-5)])
def test_depthwise_matches_pytorch(torch, case, dtype, tol):
    n, c, h, w, mult, k, s, p, d = case
    rng = np.random.default_rng(sum(case))
    x = rng.standard_normal((n, c, h, w)).astype(dtype)
    wt = rng.standard_normal((c * mult, 1, k, k)).astype(dtype)
    geo = conv2d_geometry(x.shape, wt.shape, stride=s, padding=p, dilation=d, groups=c)
    assert dw.is_depthwise(geo)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(wt, requires_grad=True)
    ty = torch.nn.functional.conv2d(tx, tw, None, s, p, d, c)
    g = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    ty.backward(torch.tensor(g))
    scale = max(1.0, float(np.abs(ty.detach().numpy()).max()))
    np.testing.assert_allclose(dw.depthwise_forward(x, wt, geo), ty.detach().numpy(),
                               rtol=tol, atol=tol * scale)
    np.testing.assert_allclose(dw.depthwise_backward_input(g, wt, geo), tx.grad.numpy(),
                               rtol=tol, atol=tol * scale)
    np.testing.assert_allclose(dw.depthwise_backward_weight(g, x, geo), tw.grad.numpy(),
                               rtol=tol * 10, atol=tol * 10 * scale * n * h * w)


def test_the_convolution_kernels_send_depthwise_layers_here(monkeypatch):
    """conv2d_forward and both backwards take the depthwise kernels for a depthwise
    geometry (and only for one), on the Numba path."""
    calls = []
    for name in ("depthwise_forward", "depthwise_backward_input", "depthwise_backward_weight"):
        real = getattr(kc, name)
        monkeypatch.setattr(kc, name, lambda *a, _r=real, _n=name: (calls.append(_n), _r(*a))[1])
    monkeypatch.setattr(kc.dispatch, "choose_path", lambda *a, **k: "numba")
    x = np.ones((2, 4, 5, 5)); w = np.ones((4, 1, 3, 3)); g = np.ones((2, 4, 5, 5))
    geo = conv2d_geometry(x.shape, w.shape, padding=1, groups=4)
    kc.conv2d_forward(x, w, None, geo)
    kc.conv2d_backward_input(g, w, geo)
    kc.conv2d_backward_weight(g, x, geo)
    assert calls == ["depthwise_forward", "depthwise_backward_input", "depthwise_backward_weight"]
    grouped = conv2d_geometry((2, 4, 5, 5), (4, 2, 3, 3), padding=1, groups=2)
    assert not dw.is_depthwise(grouped)
    assert not dw.is_depthwise(conv2d_geometry((2, 1, 5, 5), (3, 1, 3, 3), groups=1))
