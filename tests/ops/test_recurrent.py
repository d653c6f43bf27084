"""The LSTM layer as one node (``ops/recurrent.py`` ``LSTMLayer``) and its step kernels
(``kernels/recurrent.py``): the kernels' two paths agree (the backward bit for bit); the node agrees with
its Tensor-op version (values, gradients on the array path and on the graph path,
second derivatives) and, through ``nn.LSTM``, with PyTorch in float32, saturated gates
included."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import kernels, nn
from autograd_core.kernels import recurrent as KR
from autograd_core.ops.recurrent import LSTMLayer, lstm_layer_composite

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n, h", [(1, 1), (3, 5), (32, 128)])
def test_cell_kernels_numba_and_numpy_agree(dtype, n, h):
    """The forward on each path's exp and tanh (Numba's vectorised, NumPy's): within a few
    ulps of each other and of the definitions; the backward bit for bit."""
    rng = np.random.default_rng(n * h)
    one = dtype(1)
    pre = (rng.standard_normal((n, 4 * h)) * 4).astype(dtype)
    pre.flat[:3] = [100, -100, 0]                     # exp(-pre) 0 and inf: sigmoid 1 and 0
    c_prev = rng.standard_normal((n, h)).astype(dtype)
    g_h, dh = rng.standard_normal((2, n, h)).astype(dtype)
    paths = ((KR._forward_numba.compile(), KR._backward_numba.compile()),
             (KR._forward_numpy, KR._backward_numpy))
    forwards = []
    for fwd, _ in paths:
        a = -pre
        c, tc, hh = (np.empty_like(c_prev) for _ in range(3))
        fwd(a, c_prev, c, tc, hh, one)
        forwards.append((a, c, tc, hh))
    tol = dict(rtol=1e-6, atol=1e-7) if dtype == np.float32 else dict(rtol=1e-14, atol=1e-15)
    for x, y in zip(*forwards):
        np.testing.assert_allclose(x, y, **tol)
    a, c, tc, hh = forwards[0]
    p64 = pre.astype(np.float64)
    np.testing.assert_allclose(a[:, :2 * h], 1 / (1 + np.exp(-p64[:, :2 * h])), **tol)
    np.testing.assert_allclose(a[:, 2 * h:3 * h], np.tanh(p64[:, 2 * h:3 * h]), **tol)
    np.testing.assert_allclose(tc, np.tanh(c.astype(np.float64)), **tol)
    np.testing.assert_array_equal(hh, a[:, 3 * h:] * tc)
    backwards = []
    for _, bwd in paths:
        dc, dg = np.ones_like(c), np.empty_like(a)
        bwd(g_h, dh, dc, a, c_prev, tc, dg, one)
        backwards.append((dg, dc))
    for x, y in zip(*backwards):
        np.testing.assert_array_equal(x, y)


def _inputs(rng, length, n, i, h, bias, dtype=np.float64):
    t = lambda *s: ag.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True)  # noqa: E731
    ins = [t(length, n, i), t(n, h), t(n, h), t(4 * h, i), t(4 * h, h)]
    return ins + ([t(4 * h), t(4 * h)] if bias else [])


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("length", [1, 7])
def test_layer_matches_its_tensor_op_version(reverse, bias, length):
    rng = np.random.default_rng(length + 2 * bias + reverse)
    ins = _inputs(rng, length, 3, 4, 5, bias)
    fused = LSTMLayer.apply(*ins, reverse=reverse)
    ref = lstm_layer_composite(*ins, reverse=reverse)
    np.testing.assert_allclose(fused.detach().numpy(), ref.detach().numpy(), rtol=1e-13,
                               atol=1e-15)
    gy = ag.tensor(rng.standard_normal(ref.shape))
    g_ref = ag.grad(ref, ins, gy)
    g_arrays = ag.grad(fused, ins, gy, retain_graph=True)       # array_backward
    g_graph = ag.grad(fused, ins, gy, create_graph=True)        # the Tensor-op backward
    for a, b, c in zip(g_arrays, g_graph, g_ref):
        np.testing.assert_allclose(a.numpy(), c.numpy(), rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(b.detach().numpy(), c.numpy(), rtol=1e-12, atol=1e-13)


def test_layer_second_derivatives():
    rng = np.random.default_rng(5)
    ins = _inputs(rng, 3, 2, 2, 2, True)
    for reverse in (False, True):
        assert ag.gradgradcheck(lambda *xs: LSTMLayer.apply(*xs, reverse=reverse), tuple(ins))


def test_layer_kernel_paths_agree_in_float32():
    # the cell kernels agree bit for bit; the recurrent matmul is the microkernel on one
    # path and BLAS on the other (another order of the sums)
    rng = np.random.default_rng(9)
    ins = _inputs(rng, 6, 4, 3, 8, True, np.float32)
    res = []
    for path in ("numba", "numpy"):
        with kernels.use_backend(path):
            out = LSTMLayer.apply(*ins)
            grads = ag.grad(out, ins, ag.ones(*out.shape))
        res.append([out.detach().numpy()] + [g.numpy() for g in grads])
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("scale", [1.0, 30.0])
def test_lstm_float32_matches_torch(torch, scale):
    # scale 30: most gates saturate (exp(-pre) overflows to inf, the sigmoid is 0)
    rng = np.random.default_rng(int(scale))
    ours = nn.LSTM(6, 16, num_layers=2, bidirectional=True)
    theirs = torch.nn.LSTM(6, 16, num_layers=2, bidirectional=True)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = (rng.standard_normal((9, 5, 6)) * scale).astype(np.float32)
    ox, tx = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, (h, c) = ours(ox)
    tout, (th, tc) = theirs(tx)
    for o, t in ((out, tout), (h, th), (c, tc)):
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-5, atol=1e-6)
    g = rng.standard_normal(out.shape).astype(np.float32)
    ((out * ag.tensor(g)).sum() + c.sum()).backward()
    ((tout * torch.tensor(g)).sum() + tc.sum()).backward()
    np.testing.assert_allclose(ox.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-5)
    tp = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tp[name].grad.numpy(), rtol=1e-4, atol=1e-4,
                                   err_msg=name)
