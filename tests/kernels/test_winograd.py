"""Winograd's convolutions (``kernels/winograd.py``), F(2x2, 3x3) for 3x3 filters and F(2x2,
2x2) over the stride phases for 4x4 filters of stride 2, against the float64 reference: the
forward and both gradients on odd sizes and every padding they take, in chunks of samples
and on several threads too; the shapes the convolution kernels send to them, and those
they do not; and through the autograd ops against PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

from autograd_core import kernels as K
from autograd_core.kernels import reference as ref, winograd

# (N, C, H, W, K, padding)
CASES = [
    (2, 3, 5, 5, 4, (1, 1)), (2, 5, 6, 7, 3, (0, 0)), (1, 4, 4, 4, 2, (2, 2)),
    (3, 8, 9, 8, 6, (1, 1)), (2, 3, 1, 1, 2, (1, 1)), (2, 2, 3, 3, 2, (0, 0)),
    (2, 3, 2, 5, 2, (2, 1)), (4, 16, 7, 6, 8, (1, 0)), (1, 1, 3, 8, 1, (0, 2)),
    # channels of whole GEMM tiles (the microkernel's products; the others BLAS's)
    (2, 32, 6, 7, 64, (1, 1)), (3, 64, 5, 5, 32, (0, 2)), (2, 48, 4, 9, 40, (2, 1)),
]


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def test_chunks_of_samples_give_the_same_numbers(monkeypatch):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((7, 6, 6, 5)).astype(np.float32)
    wt = rng.standard_normal((4, 6, 3, 3)).astype(np.float32)
    whole = winograd.conv2d(x, wt, None, 1, 1)
    whole_dx = winograd.conv2d_backward_input(whole, wt, 1, 1)
    whole_dw = winograd.conv2d_backward_weight(whole, x, 1, 1)
    monkeypatch.setattr(winograd, "_CHUNK_BYTES", 16 * 9 * 10 * 4 * 2)   # two samples a chunk
    np.testing.assert_array_equal(winograd.conv2d(x, wt, None, 1, 1), whole)
    np.testing.assert_array_equal(winograd.conv2d_backward_input(whole, wt, 1, 1), whole_dx)
    # the filters' gradient adds the chunks' sums one after another: the same to rounding
    np.testing.assert_allclose(winograd.conv2d_backward_weight(whole, x, 1, 1), whole_dw,
                               rtol=1e-5, atol=1e-5 * np.abs(whole_dw).max())


def test_which_convolutions_take_it():
    f32 = np.float32

    def takes(x, w, s=1, p=1, d=1, g=1, dt=f32):
        return winograd.applies(K.conv2d_geometry(x, w, s, p, d, g), dt)

    assert takes((32, 256, 8, 8), (256, 256, 3, 3))
    assert takes((32, 128, 16, 16), (128, 128, 3, 3))
    assert takes((8, 256, 28, 28), (256, 256, 3, 3))
    assert takes((8, 128, 32, 32), (128, 128, 3, 3))
    assert takes((8, 128, 5, 5), (128, 128, 3, 3), p=2)
    assert takes((32, 64, 32, 32), (64, 64, 3, 3))
    assert takes((64, 32, 14, 14), (32, 32, 3, 3))
    assert takes((8, 64, 56, 56), (64, 64, 3, 3))
    assert not takes((64, 16, 14, 14), (32, 16, 3, 3))               # 16 channels in
    assert not takes((64, 32, 14, 14), (16, 32, 3, 3))               # 16 out
    assert not takes((8, 64, 57, 57), (64, 64, 3, 3))                # 57x57 outputs
    assert not takes((32, 256, 8, 8), (256, 256, 3, 3), s=2)         # stride 2
    assert not takes((32, 256, 8, 8), (256, 256, 3, 3), d=2)         # dilation
    assert not takes((32, 256, 8, 8), (256, 128, 3, 3), g=2)         # groups
    assert not takes((32, 256, 8, 8), (256, 256, 5, 5), p=2)         # 5x5
    assert not takes((32, 256, 8, 8), (256, 256, 3, 3), p=3)         # padding 3
    assert not takes((32, 256, 8, 8), (256, 256, 3, 3), dt=np.float64)
    # 4x4 filters of stride 2
    assert takes((16, 64, 32, 32), (128, 64, 4, 4), s=2)
    assert takes((16, 256, 8, 8), (512, 256, 4, 4), s=2)
    assert takes((16, 64, 64, 64), (64, 64, 4, 4), s=2, p=1)
    assert takes((16, 64, 9, 9), (64, 64, 4, 4), s=2, p=2)
    assert takes((16, 32, 32, 32), (32, 32, 4, 4), s=2)
    assert not takes((16, 16, 32, 32), (64, 16, 4, 4), s=2)          # 16 channels in
    assert not takes((16, 64, 32, 32), (16, 64, 4, 4), s=2)          # 16 out
    assert not takes((16, 64, 32, 32), (64, 64, 4, 4), s=1)          # stride 1
    assert not takes((16, 64, 32, 32), (64, 64, 4, 4), s=3)          # stride 3
    assert not takes((16, 64, 32, 32), (64, 64, 3, 3), s=2)          # 3x3 at stride 2
    assert not takes((16, 64, 32, 32), (64, 64, 4, 4), s=2, p=3)     # padding 3
    assert not takes((16, 64, 32, 32), (64, 64, 4, 4), s=2, d=2)     # dilation
    assert not takes((16, 64, 32, 32), (64, 32, 4, 4), s=2, g=2)     # groups
    assert not takes((4, 64, 68, 68), (64, 64, 4, 4), s=2)           # 33x33 outputs
    assert not takes((16, 64, 32, 32), (64, 64, 4, 4), s=2, dt=np.float64)


def test_the_convolution_kernels_send_the_shapes_it_serves(monkeypatch):
    calls = []
    real_fwd, real_dx = winograd.conv2d, winograd.conv2d_backward_input
    monkeypatch.setattr(winograd, "conv2d", lambda *a: calls.append("fwd") or real_fwd(*a))
    monkeypatch.setattr(winograd, "conv2d_backward_input",
                        lambda *a: calls.append("dx") or real_dx(*a))
    real_dw = winograd.conv2d_backward_weight
    monkeypatch.setattr(winograd, "conv2d_backward_weight",
                        lambda *a: calls.append("dw") or real_dw(*a))
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 128, 6, 6)).astype(np.float32)
    wt = (rng.standard_normal((128, 128, 3, 3)) * 0.05).astype(np.float32)
    bias = rng.standard_normal(128).astype(np.float32)
    geo = K.conv2d_geometry(x.shape, wt.shape, 1, 1, 1, 1)
    with K.use_backend("numba"):
        out = K.conv2d_forward(x, wt, bias, geo)
        grad = rng.standard_normal(out.shape).astype(np.float32)
        dx = K.conv2d_backward_input(grad, wt, geo)
        dw = K.conv2d_backward_weight(grad, x, geo)
    assert calls == ["fwd", "dx", "dw"]
    with K.use_backend("numpy"):   # the NumPy path stays the direct convolution
        direct, direct_dx = K.conv2d_forward(x, wt, bias, geo), K.conv2d_backward_input(grad, wt, geo)
        direct_dw = K.conv2d_backward_weight(grad, x, geo)
    assert calls == ["fwd", "dx", "dw"]
    np.testing.assert_allclose(out, direct, rtol=1e-5, atol=2e-5)
    np.testing.assert_allclose(dx, direct_dx, rtol=1e-5, atol=2e-5)
    np.testing.assert_allclose(dw, direct_dw, rtol=1e-5, atol=1e-5 * np.abs(direct_dw).max())
    with K.use_backend("numba"):   # float64 keeps the direct convolution
        K.conv2d_forward(x.astype(np.float64), wt.astype(np.float64), None, geo)
    assert calls == ["fwd", "dx", "dw"]


def test_a_layer_that_takes_it_trains_as_pytorchs():
    """Through ``F.conv2d`` and autograd: output and both gradients against PyTorch's in
    float32 (its own convolution at stride 1 is not the direct one either)."""
    from tests.helpers import torch_or_skip
    torch = torch_or_skip()
    import autograd_core as ag
    import autograd_core.nn.functional as F
    rng = np.random.default_rng(8)
    x = rng.standard_normal((3, 128, 5, 7)).astype(np.float32)
    wt = (rng.standard_normal((160, 128, 3, 3)) * 0.05).astype(np.float32)
    b = rng.standard_normal(160).astype(np.float32)
    g = rng.standard_normal((3, 160, 5, 7)).astype(np.float32)
    xs, ws, bs = (ag.tensor(a, requires_grad=True) for a in (x, wt, b))
    out = F.conv2d(xs, ws, bs, padding=1)
    out.backward(ag.tensor(g))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, wt, b))
    tout = torch.nn.functional.conv2d(tx, tw, tb, padding=1)
    tout.backward(torch.tensor(g))
    for ours, theirs in ((out, tout), (xs.grad, tx.grad), (ws.grad, tw.grad), (bs.grad, tb.grad)):
        theirs = theirs.detach().numpy()
        assert _relative(ours.detach().numpy(), theirs) < 1e-5


# (N, C, H, W, K, padding): odd sizes, every padding taken; channels that are whole GEMM
# tiles (a multiple of 16: the microkernel's products) and channels that are not (BLAS's)
STRIDED = [
    (2, 3, 6, 6, 4, (1, 1)), (2, 5, 7, 9, 3, (0, 0)), (1, 4, 8, 8, 2, (2, 2)),
    (3, 8, 9, 8, 6, (1, 0)), (2, 3, 4, 4, 2, (0, 1)), (2, 3, 3, 3, 2, (1, 1)),
    (1, 1, 4, 11, 1, (0, 2)), (2, 16, 8, 8, 64, (1, 1)), (3, 8, 6, 10, 32, (1, 1)),
    (2, 16, 6, 6, 40, (1, 1)), (5, 32, 9, 9, 128, (2, 1)), (3, 16, 7, 16, 48, (0, 1)),
]


# (case, filter size, stride, the form's convolution, relative tolerance: float32 products
# over 9C or 16C terms, and a few more roundings in the transforms)
FORMS = ([pytest.param(c, 3, 1, winograd.conv2d, 2e-6, id=f"3x3-{c}") for c in CASES]
         + [pytest.param(c, 4, 2, winograd.strided_conv2d, 3e-6, id=f"4x4s2-{c}") for c in STRIDED])


@pytest.mark.parametrize("case, size, stride, conv, tol", FORMS)
def test_forward_and_gradients_agree_with_float64(case, size, stride, conv, tol):
    """Each form's forward (with a bias), and both gradients through the geometry's entry
    points (``backward_input``, ``backward_weight``), against the float64 reference."""
    n, c, h, w, k, pad = case
    rng = np.random.default_rng(sum(case[:5]))
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    wt = rng.standard_normal((k, c, size, size)).astype(np.float32)
    bias = rng.standard_normal(k).astype(np.float32)
    x64, w64 = x.astype(np.float64), wt.astype(np.float64)
    want = ref.conv2d_forward(x64, w64, bias.astype(np.float64), stride, pad)
    got = conv(x, wt, bias, *pad)
    assert got.shape == want.shape and got.dtype == np.float32 and _relative(got, want) < tol
    geo = K.conv2d_geometry(x.shape, wt.shape, stride, pad)
    grad = rng.standard_normal(want.shape).astype(np.float32)
    dx = winograd.backward_input(grad, wt, geo)
    want_dx = ref.conv2d_backward_input(grad.astype(np.float64), w64, x.shape, stride, pad)
    assert dx.shape == x.shape and dx.dtype == np.float32 and _relative(dx, want_dx) < tol
    dw = winograd.backward_weight(grad, x, geo)
    want_dw = ref.conv2d_backward_weight(grad.astype(np.float64), x64, wt.shape, stride, pad)
    assert dw.shape == wt.shape and dw.dtype == np.float32 and _relative(dw, want_dw) < tol


@pytest.mark.parametrize("threads", [1, 2])
def test_strided_chunks_and_threads_give_the_same_numbers(monkeypatch, threads):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((7, 16, 9, 8)).astype(np.float32)
    wt = rng.standard_normal((64, 16, 4, 4)).astype(np.float32)
    with _num_threads(1):
        whole = winograd.strided_conv2d(x, wt, None, 1, 1)
        whole_dx = winograd.strided_conv2d_backward_input(whole, wt, (9, 8), 1, 1)
        whole_dw = winograd.strided_conv2d_backward_weight(whole, x, 1, 1)
    monkeypatch.setattr(winograd, "_samples_per_chunk", lambda *a: 2)
    with _num_threads(threads):
        np.testing.assert_array_equal(winograd.strided_conv2d(x, wt, None, 1, 1), whole)
        np.testing.assert_array_equal(
            winograd.strided_conv2d_backward_input(whole, wt, (9, 8), 1, 1), whole_dx)
        # the filters' gradient adds the chunks' sums one after another: the same to rounding
        np.testing.assert_allclose(winograd.strided_conv2d_backward_weight(whole, x, 1, 1),
                                   whole_dw, rtol=1e-5, atol=1e-5 * np.abs(whole_dw).max())


class _num_threads:
    def __init__(self, n: int):
        self.n = n

    def __enter__(self):
        self.old = K.get_num_threads()
        K.set_num_threads(self.n)

    def __exit__(self, *exc):
        K.set_num_threads(self.old)


def test_strided_convolutions_are_sent_to_it(monkeypatch):
    calls = []
    for name in ("strided_conv2d", "strided_conv2d_backward_input", "strided_conv2d_backward_weight"):
        real = getattr(winograd, name)
        monkeypatch.setattr(winograd, name, lambda *a, _r=real, _n=name: calls.append(_n) or _r(*a))
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 64, 10, 10)).astype(np.float32)
    wt = (rng.standard_normal((64, 64, 4, 4)) * 0.05).astype(np.float32)
    geo = K.conv2d_geometry(x.shape, wt.shape, 2, 1, 1, 1)
    with K.use_backend("numba"):
        out = K.conv2d_forward(x, wt, None, geo)
        grad = rng.standard_normal(out.shape).astype(np.float32)
        dx = K.conv2d_backward_input(grad, wt, geo)
        dw = K.conv2d_backward_weight(grad, x, geo)
    assert calls == ["strided_conv2d", "strided_conv2d_backward_input",
                     "strided_conv2d_backward_weight"]
    with K.use_backend("numpy"):   # the NumPy path stays the direct convolution
        direct, direct_dx = K.conv2d_forward(x, wt, None, geo), K.conv2d_backward_input(grad, wt, geo)
        direct_dw = K.conv2d_backward_weight(grad, x, geo)
    assert len(calls) == 3
    np.testing.assert_allclose(out, direct, rtol=1e-5, atol=2e-5)
    np.testing.assert_allclose(dx, direct_dx, rtol=1e-5, atol=2e-5)
    np.testing.assert_allclose(dw, direct_dw, rtol=1e-5, atol=1e-5 * np.abs(direct_dw).max())


def test_dcgan_layers_that_take_it_train_as_pytorchs():
    """A discriminator's stride-2 convolution and a generator's transposed convolution (the
    input gradient's form) through autograd: outputs and every gradient against PyTorch's
    in float32."""
    from tests.helpers import torch_or_skip
    torch = torch_or_skip()
    import autograd_core as ag
    import autograd_core.nn.functional as F
    rng = np.random.default_rng(9)
    x = rng.standard_normal((3, 64, 10, 10)).astype(np.float32)
    wc = (rng.standard_normal((128, 64, 4, 4)) * 0.02).astype(np.float32)
    wt = (rng.standard_normal((128, 64, 4, 4)) * 0.02).astype(np.float32)
    xs, wcs, wts = (ag.tensor(a, requires_grad=True) for a in (x, wc, wt))
    txs, twc, twt = (torch.tensor(a, requires_grad=True) for a in (x, wc, wt))
    # conv 64 -> 128 at stride 2, then the transposed conv back to 64 channels at 10x10
    out = F.conv_transpose2d(F.conv2d(xs, wcs, stride=2, padding=1), wts, stride=2, padding=1)
    tout = torch.nn.functional.conv_transpose2d(
        torch.nn.functional.conv2d(txs, twc, stride=2, padding=1), twt, stride=2, padding=1)
    assert tuple(out.shape) == tuple(tout.shape) == (3, 64, 10, 10)
    g = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(ag.tensor(g))
    tout.backward(torch.tensor(g))
    for ours, theirs in ((out, tout), (xs.grad, txs.grad), (wcs.grad, twc.grad), (wts.grad, twt.grad)):
        assert _relative(ours.detach().numpy(), theirs.detach().numpy()) < 1e-5
