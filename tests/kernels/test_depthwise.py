"""The depthwise conv2d kernels (``kernels/depthwise.py``: groups equal to the input
channels), forward and both backwards, against PyTorch in float64 and float32, on the
shapes MobileNet-style layers have and on odd ones (channel multipliers, strides,
dilations, paddings, 1x1 and 5x5 kernels), and the dispatch that sends them there."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

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


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_depthwise_any_geometry_matches_the_reference(data):
    """Random geometries (each stride phase's runs, paddings wider than the kernel,
    dilations, non-square everything) against the reference loops, float64."""
    from autograd_core.kernels import reference as ref
    draw = lambda lo, hi: data.draw(st.integers(lo, hi))  # noqa: E731
    n, c, mult = draw(1, 2), draw(2, 4), draw(1, 2)
    kh, kw, sh, sw = draw(1, 4), draw(1, 4), draw(1, 3), draw(1, 3)
    dh, dw_, ph, pw = draw(1, 2), draw(1, 2), draw(0, 3), draw(0, 3)
    h = draw(max(1, dh * (kh - 1) + 1 - 2 * ph), 11)
    w = draw(max(1, dw_ * (kw - 1) + 1 - 2 * pw), 11)
    rng = np.random.default_rng(draw(0, 1000))
    x = rng.standard_normal((n, c, h, w))
    wt = rng.standard_normal((c * mult, 1, kh, kw))
    args = ((sh, sw), (ph, pw), (dh, dw_), c)
    geo = conv2d_geometry(x.shape, wt.shape, *args)
    g = rng.standard_normal(geo.output_shape)
    np.testing.assert_allclose(dw.depthwise_forward(x, wt, geo),
                               ref.conv2d_forward(x, wt, None, *args), atol=1e-12)
    np.testing.assert_allclose(dw.depthwise_backward_input(g, wt, geo),
                               ref.conv2d_backward_input(g, wt, x.shape, *args), atol=1e-12)
    np.testing.assert_allclose(dw.depthwise_backward_weight(g, x, geo),
                               ref.conv2d_backward_weight(g, x, wt.shape, *args), atol=1e-11)


@pytest.mark.parametrize("stride", [1, 2])
def test_depthwise_weight_gradient_of_an_input_with_inf_and_nan(torch, stride):
    """The weight gradient reads each tap's products in one run over a plane, whose junk
    columns meet zeros of the gradient: 0 * inf would be NaN, so an input that is not
    finite takes one run a row instead. Where PyTorch's gradient is finite, so is ours."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 8, 9))
    x[0, 1, 3, -1] = np.inf         # the last column: the taps j = 0 never read it
    x[1, 2, -1, 0] = np.nan         # the last row, first column
    wt = rng.standard_normal((3, 1, 3, 3))
    geo = conv2d_geometry(x.shape, wt.shape, stride=stride, padding=1, groups=3)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(wt, requires_grad=True)
    ty = torch.nn.functional.conv2d(tx, tw, None, stride, 1, 1, 3)
    g = rng.standard_normal(tuple(ty.shape))
    ty.backward(torch.tensor(g))
    expected = tw.grad.numpy()
    assert np.isfinite(expected).any() and not np.isfinite(expected).all()
    np.testing.assert_allclose(dw.depthwise_backward_weight(g, x, geo), expected,
                               rtol=1e-12, atol=1e-12)


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
