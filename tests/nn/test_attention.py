"""scaled_dot_product_attention and MultiheadAttention: NumPy references, masks,
gradcheck/gradgradcheck, dropout, and PyTorch parity with the same weights."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from tests.helpers import Draw, load_from_torch

draw = Draw(2)
rng, t64 = draw.rng, draw.t64


def sdpa_ref(q, k, v, mask=None, scale=None):
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    s = q @ np.swapaxes(k, -1, -2) * scale
    if mask is not None:
        s = s + mask
    m = s.max(-1, keepdims=True)
    dead = ~np.isfinite(m)
    e = np.exp(s - np.where(dead, 0, m))
    z = e.sum(-1, keepdims=True)
    p = np.where(dead, 0, e / np.where(z == 0, 1, z))
    return p @ v


# ------------------------------------------------------------------------ SDPA
def test_sdpa_matches_reference_with_all_mask_kinds():
    q, k, v = t64(2, 3, 4, 5), t64(2, 3, 6, 5), t64(2, 3, 6, 7)
    qn, kn, vn = (t.detach().numpy() for t in (q, k, v))
    out = F.scaled_dot_product_attention(q, k, v)
    assert out.shape == (2, 3, 4, 7)
    np.testing.assert_allclose(out.detach().numpy(), sdpa_ref(qn, kn, vn), rtol=1e-12)
    bool_mask = rng.random((4, 6)) > 0.3
    bool_mask[:, 0] = True
    add = np.where(bool_mask, 0.0, -np.inf)
    np.testing.assert_allclose(
        F.scaled_dot_product_attention(q, k, v, attn_mask=ag.tensor(bool_mask)).detach().numpy(),
        sdpa_ref(qn, kn, vn, add), rtol=1e-12)
    fmask = rng.standard_normal((2, 1, 4, 6))
    np.testing.assert_allclose(
        F.scaled_dot_product_attention(q, k, v, attn_mask=ag.tensor(fmask), scale=0.3)
        .detach().numpy(), sdpa_ref(qn, kn, vn, fmask, 0.3), rtol=1e-12)
    causal = np.where(np.tril(np.ones((4, 6), bool)), 0.0, -np.inf)
    np.testing.assert_allclose(
        F.scaled_dot_product_attention(q, k, v, is_causal=True).detach().numpy(),
        sdpa_ref(qn, kn, vn, causal), rtol=1e-12)


@pytest.mark.parametrize("mask_kind", ["none", "causal", "float", "padding with an empty row"])
def test_sdpa_float32_row_kernels_agree_with_numpy(mask_kind):
    """float32 scores take the softmax row kernels (forward and backward) on the Numba
    path; a mask that empties a row keeps NumPy's safe softmax (zeros there). Both paths
    give the same values and gradients to float32 precision."""
    from autograd_core import kernels
    from autograd_core.ops import attention as A
    q32, k32, v32 = (rng.standard_normal(s).astype(np.float32) for s in
                     ((2, 3, 5, 8), (2, 3, 6, 8), (2, 3, 6, 4)))
    kw = {}
    if mask_kind == "causal":
        kw["is_causal"] = True
    elif mask_kind == "float":
        kw["attn_mask"] = ag.tensor(rng.standard_normal((5, 6)).astype(np.float32))
    elif mask_kind != "none":
        keep = np.ones((2, 1, 5, 6), bool)
        keep[1, 0, 2] = False                       # one query sees no key
        kw["attn_mask"] = ag.tensor(keep)
    g = rng.standard_normal((2, 3, 5, 4)).astype(np.float32)
    got = {}
    for backend in ("numba", "numpy"):
        with kernels.use_backend(backend):
            ts = [ag.tensor(a, requires_grad=True) for a in (q32, k32, v32)]
            out = F.scaled_dot_product_attention(*ts, **kw)
            assert out.grad_fn.rows == (backend == "numba" and mask_kind != "padding with an "
                                        "empty row"), A._row_kernels
            out.backward(ag.tensor(g))
            got[backend] = [out.detach().numpy()] + [t.grad.numpy() for t in ts]
    for a, b in zip(got["numba"], got["numpy"]):
        assert a.dtype == np.float32 and np.isfinite(a).all()
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)


def test_sdpa_gradcheck_and_gradgradcheck():
    q, k, v = t64(2, 3, 4), t64(2, 5, 4), t64(2, 5, 3)
    mask = ag.tensor(rng.random((3, 5)) > 0.4)
    mask._data[:, 1] = True
    for kw in ({}, {"is_causal": True}, {"attn_mask": mask},
               {"attn_mask": ag.tensor(rng.standard_normal((3, 5)))}):
        f = lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kw)  # noqa: E731
        assert ag.gradcheck(f, (q, k, v))
        assert ag.gradgradcheck(f, (q, k, v))


def test_sdpa_fully_masked_row_gives_zeros_and_finite_grads():
    q, k, v = t64(1, 3, 4), t64(1, 3, 4), t64(1, 3, 4)
    mask = ag.tensor([[True, False, True], [False, False, False], [True, True, True]])
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert out[0, 1].tolist() == [0.0] * 4
    out.sum().backward()
    assert all(bool(t.grad.isfinite().all()) for t in (q, k, v))
    assert ag.gradcheck(lambda q: F.scaled_dot_product_attention(q, k, v, attn_mask=mask), (q,))


def test_sdpa_dropout_is_seeded_and_scales():
    q = k = v = ag.randn(2, 8, 4)
    ag.manual_seed(1)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    ag.manual_seed(1)
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    assert a.allclose(b) and not a.allclose(F.scaled_dot_product_attention(q, k, v))
    qq, kk, vv = t64(1, 4, 3), t64(1, 4, 3), t64(1, 4, 3)
    g = ag.Generator().manual_seed(3)
    state = g.get_state()

    def f(q, k, v):
        g.set_state(state)  # the same dropout mask on every call
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.3, generator=g)

    assert ag.gradcheck(f, (qq, kk, vv))
    assert ag.gradgradcheck(f, (qq, kk, vv))


def test_sdpa_errors():
    q = ag.randn(2, 4, 8)
    with pytest.raises(ValueError, match="query has 8 features but key has 7"):
        F.scaled_dot_product_attention(q, ag.randn(2, 4, 7), ag.randn(2, 4, 8))
    with pytest.raises(ValueError, match="should not be set when is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=ag.ones(4, 4), is_causal=True)
    with pytest.raises(ValueError, match="does not broadcast"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=ag.ones(3, 4))


def test_sdpa_matches_torch(torch):
    q, k, v = (rng.standard_normal(s) for s in ((2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 2)))
    bmask = rng.random((5, 6)) > 0.5
    bmask[2] = False  # a fully masked row: both give zeros
    fmask = rng.standard_normal((5, 6))
    g = rng.standard_normal((2, 3, 5, 2))
    for kw_o, kw_t in [({}, {}), ({"is_causal": True}, {"is_causal": True}),
                       ({"attn_mask": ag.tensor(bmask)}, {"attn_mask": torch.tensor(bmask)}),
                       ({"attn_mask": ag.tensor(fmask), "scale": 0.7},
                        {"attn_mask": torch.tensor(fmask), "scale": 0.7})]:
        oi = [ag.tensor(a, requires_grad=True) for a in (q, k, v)]
        ti = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
        oy = F.scaled_dot_product_attention(*oi, **kw_o)
        ty = torch.nn.functional.scaled_dot_product_attention(*ti, **kw_t)
        np.testing.assert_allclose(oy.detach().numpy(), ty.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)
        oy.backward(ag.tensor(g))
        ty.backward(torch.tensor(g))
        for o, t in zip(oi, ti):
            np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_sdpa_grouped_query_attention_matches_torch(torch):
    """enable_gqa: 6 query heads share 2 key/value heads (each serves 3), as LLaMA-style
    models call it; values and float64 gradients as PyTorch's."""
    q, k, v = (rng.standard_normal(s) for s in ((2, 6, 5, 4), (2, 2, 5, 4), (2, 2, 5, 3)))
    draw.parity(torch, lambda a, b, c: F.scaled_dot_product_attention(a, b, c, is_causal=True,
                                                                      enable_gqa=True),
                lambda a, b, c: torch.nn.functional.scaled_dot_product_attention(
                    a, b, c, is_causal=True, enable_gqa=True), q, k, v)
    with pytest.raises(RuntimeError, match="multiple of the key heads"):
        F.scaled_dot_product_attention(ag.randn(1, 5, 3, 4), ag.randn(1, 2, 3, 4),
                                       ag.randn(1, 2, 3, 4), enable_gqa=True)


# ------------------------------------------------------------------------- MHA
def test_mha_parameters_shapes_and_init():
    mha = nn.MultiheadAttention(64, 4)
    shapes = {n: tuple(p.shape) for n, p in mha.named_parameters()}
    assert shapes == {"in_proj_weight": (192, 64), "in_proj_bias": (192,),
                      "out_proj.weight": (64, 64), "out_proj.bias": (64,)}
    assert isinstance(mha.out_proj, nn.NonDynamicallyQuantizableLinear)
    bound = math.sqrt(6 / (192 + 64))
    w = mha.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert mha.in_proj_bias.tolist() == [0.0] * 192 and mha.out_proj.bias.tolist() == [0.0] * 64
    assert np.abs(mha.out_proj.weight.detach().numpy()).max() <= 1 / 8
    kv = nn.MultiheadAttention(8, 2, kdim=5, vdim=3, bias=False)
    assert {n: tuple(p.shape) for n, p in kv.named_parameters()} == {
        "q_proj_weight": (8, 8), "k_proj_weight": (8, 5), "v_proj_weight": (8, 3),
        "out_proj.weight": (8, 8)}
    with pytest.raises(ValueError, match="divisible by num_heads"):
        nn.MultiheadAttention(10, 3)


def test_mha_fast_and_weights_paths_agree():
    mha = nn.MultiheadAttention(8, 2, batch_first=True).double()
    x = t64(3, 5, 8)
    kpm = ag.tensor(rng.random((3, 5)) > 0.7)
    a, w = mha(x, x, x, key_padding_mask=kpm, is_causal=True)
    b, none = mha(x, x, x, key_padding_mask=kpm, need_weights=False, is_causal=True)
    assert none is None and w.shape == (3, 5, 5)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(w.detach().numpy().sum(-1)[w.detach().numpy().sum(-1) > 0], 1.0,
                               rtol=1e-12)
    _, wh = mha(x, x, x, average_attn_weights=False)
    assert wh.shape == (3, 2, 5, 5)


def test_mha_gradcheck():
    mha = nn.MultiheadAttention(4, 2, batch_first=True).double()
    x = t64(2, 3, 4)
    mem = t64(2, 5, 4)
    params = list(mha.parameters())
    assert ag.gradcheck(lambda x, *ps: mha(x, x, x, need_weights=False)[0], (x, *params))
    assert ag.gradcheck(lambda x, m: mha(x, m, m)[0], (x, mem))
    assert ag.gradgradcheck(lambda x: mha(x, x, x, need_weights=False)[0].sum(-1), (x,))


def _run_split(monkeypatch, split: bool, fn, inputs):
    """Output and input gradients of ``fn(*inputs)`` with the attention op's batch split
    over two threads forced on (``split``) or off."""
    from autograd_core.kernels import threads
    from autograd_core.ops import attention as fused
    monkeypatch.setattr(fused, "_SPLIT_MIN_FLOPS", 1 if split else 1 << 62)
    monkeypatch.setattr(threads, "_num_threads", 2)
    calls = []
    parallel_for = threads.parallel_for
    monkeypatch.setattr(threads, "parallel_for",
                        lambda *a, **k: calls.append(1) or parallel_for(*a, **k))
    for t in inputs:
        t.grad = None
    ag.manual_seed(5)
    out = fn(*inputs)
    out.backward(ag.tensor(np.cos(np.arange(out.numel())).reshape(out.shape)))
    assert len(calls) == (2 if split else 0)  # forward and backward
    return out.detach().numpy(), [t.grad.numpy() for t in inputs]


@pytest.mark.parametrize("case", ["mha_batch_first", "mha_seq_first", "mha_kdim", "sdpa_masks",
                                  "sdpa_broadcast_batch", "sdpa_dropout"])
def test_attention_split_over_threads_matches_one_part(monkeypatch, case):
    # The fused op splits the batch over threads only above a size threshold; forced
    # on, each part must compute exactly its slice, for every layout and broadcast.
    if case.startswith("mha"):
        kw = dict(kdim=5, vdim=3) if case == "mha_kdim" else {}
        mha = nn.MultiheadAttention(8, 2, batch_first=case != "mha_seq_first", **kw).double()
        x, mem = t64(5, 4, 8), (t64(5, 6, 5), t64(5, 6, 3)) if kw else (None, None)
        if kw:
            inputs = [x, *mem]
            fn = lambda q, k, v: mha(q, k, v, need_weights=False)[0]  # noqa: E731
        else:
            inputs = [x]
            kpm = ag.tensor(rng.random((5, 4)) > 0.7) if case == "mha_batch_first" else None
            fn = lambda q: mha(q, q, q, key_padding_mask=kpm, need_weights=False)[0]  # noqa: E731
    elif case == "sdpa_masks":
        inputs = [t64(4, 3, 5, 6), t64(4, 3, 7, 6), t64(4, 3, 7, 2)]
        mask = ag.tensor(rng.standard_normal((4, 1, 5, 7)))
        fn = lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # noqa: E731
    elif case == "sdpa_broadcast_batch":
        inputs = [t64(1, 3, 5, 6), t64(4, 3, 7, 6), t64(4, 1, 7, 2)]
        fn = lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True)  # noqa: E731
    else:
        inputs = [t64(6, 5, 4), t64(6, 5, 4), t64(6, 5, 4)]
        fn = lambda q, k, v: F.scaled_dot_product_attention(q, k, v, dropout_p=0.3)  # noqa: E731
    out1, grads1 = _run_split(monkeypatch, False, fn, inputs)
    out2, grads2 = _run_split(monkeypatch, True, fn, inputs)
    np.testing.assert_allclose(out2, out1, rtol=1e-13, atol=1e-15)
    for g2, g1 in zip(grads2, grads1):
        np.testing.assert_allclose(g2, g1, rtol=1e-13, atol=1e-15)


def test_attention_split_over_threads_gradcheck(monkeypatch):
    from autograd_core.kernels import threads
    from autograd_core.ops import attention as fused
    monkeypatch.setattr(fused, "_SPLIT_MIN_FLOPS", 1)
    monkeypatch.setattr(threads, "_num_threads", 2)
    mha = nn.MultiheadAttention(4, 2, batch_first=True).double()
    x = t64(3, 3, 4)
    assert ag.gradcheck(lambda x, *ps: mha(x, x, x, need_weights=False)[0],
                        (x, *mha.parameters()))


def test_mha_dropout_only_in_training():
    mha = nn.MultiheadAttention(8, 2, dropout=0.5, batch_first=True)
    x = ag.randn(2, 6, 8)
    mha.eval()
    a = mha(x, x, x, need_weights=False)[0]
    assert a.allclose(mha(x, x, x, need_weights=False)[0])
    mha.train()
    assert not a.allclose(mha(x, x, x, need_weights=False)[0])


def test_mha_input_errors():
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    with pytest.raises(ValueError, match=r"expected query with 8 features \(last dim\), got shape"):
        mha(ag.randn(2, 3, 6), ag.randn(2, 3, 6), ag.randn(2, 3, 6))
    x = ag.randn(2, 3, 8)
    with pytest.raises(ValueError, match="The shape of the 2D attn_mask is"):
        mha(x, x, x, attn_mask=ag.ones(2, 2))
    with pytest.raises(ValueError, match="key_padding_mask of shape"):
        mha(x, x, x, key_padding_mask=ag.tensor(np.zeros((3, 3), bool)))


@pytest.mark.parametrize("batch_first", [True, False])
def test_mha_matches_torch(torch, batch_first):
    E, H, N, L, S = 8, 2, 3, 4, 5
    tm = torch.nn.MultiheadAttention(E, H, batch_first=batch_first).double()
    with torch.no_grad():
        tm.in_proj_bias.uniform_(-0.5, 0.5)
        tm.out_proj.bias.uniform_(-0.5, 0.5)
    om = nn.MultiheadAttention(E, H, batch_first=batch_first).double()
    load_from_torch(om, tm)

    def shape(n, length):
        return (n, length, E) if batch_first else (length, n, E)

    xq, xk = rng.standard_normal(shape(N, L)), rng.standard_normal(shape(N, S))
    kpm = rng.random((N, S)) > 0.7
    kpm[:, 0] = False
    am_bool = rng.random((L, S)) > 0.8
    am_bool[:, 1] = False
    am_float = rng.standard_normal((N * H, L, L))
    cases = [
        dict(self_attn=True), dict(self_attn=True, need_weights=False),
        dict(self_attn=False, key_padding_mask=kpm),
        dict(self_attn=False, attn_mask=am_bool, average_attn_weights=False),
        dict(self_attn=True, attn_mask=am_float, need_weights=False),
        dict(self_attn=True, attn_mask=np.triu(np.ones((L, L), bool), 1), is_causal=True),
    ]
    for case in cases:
        case = dict(case)
        self_attn = case.pop("self_attn")
        kw_o, kw_t = {}, {}
        for key, val in case.items():
            if isinstance(val, np.ndarray):
                kw_o[key], kw_t[key] = ag.tensor(val), torch.tensor(val)
            else:
                kw_o[key] = kw_t[key] = val
        oq = ag.tensor(xq if self_attn else xq, requires_grad=True)
        tq = torch.tensor(xq, requires_grad=True)
        if self_attn:
            oargs, targs = (oq, oq, oq), (tq, tq, tq)
        else:
            ok, tk = ag.tensor(xk, requires_grad=True), torch.tensor(xk, requires_grad=True)
            oargs, targs = (oq, ok, ok), (tq, tk, tk)
        oo, ow = om(*oargs, **kw_o)
        to, tw = tm(*targs, **kw_t)
        np.testing.assert_allclose(oo.detach().numpy(), to.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)
        if tw is None:
            assert ow is None
        else:
            np.testing.assert_allclose(ow.detach().numpy(), tw.detach().numpy(), rtol=1e-10,
                                       atol=1e-12)
        g = rng.standard_normal(to.shape)
        oo.backward(ag.tensor(g))
        to.backward(torch.tensor(g))
        np.testing.assert_allclose(oq.grad.numpy(), tq.grad.numpy(), rtol=1e-9, atol=1e-12)
        for (n, p), (_, tp) in zip(om.named_parameters(), tm.named_parameters()):
            np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-9, atol=1e-12,
                                       err_msg=n)
        om.zero_grad()
        tm.zero_grad()


def test_multi_head_attention_forward_matches_torch(torch):
    # the functional form MultiheadAttention runs on, with PyTorch's signature
    E, H, N, L, S = 8, 2, 3, 4, 5
    arrays = [rng.standard_normal(s) for s in ((L, N, E), (S, N, E), (3 * E, E), (3 * E,),
                                                (E, E), (E,))]
    kpm = rng.random((N, S)) > 0.7
    kpm[:, 0] = False
    for need_weights in (True, False):
        ours = [ag.tensor(a, requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        results = []
        for lib, (q, k, w_in, b_in, w_out, b_out), mask in (
                (F, ours, ag.tensor(kpm)), (torch.nn.functional, theirs, torch.tensor(kpm))):
            out, w = lib.multi_head_attention_forward(
                q, k, k, E, H, w_in, b_in, None, None, False, 0.0, w_out, b_out,
                key_padding_mask=mask, need_weights=need_weights)
            (out.sum() + (w.sum() if w is not None else 0)).backward()
            results.append([out, w] + [t.grad for t in (q, k, w_in, b_in, w_out, b_out)])
        for o, t in zip(*results):
            if t is None:
                assert o is None
                continue
            np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-9,
                                       atol=1e-12)


def test_mha_unbatched_and_kdim_vdim_match_torch(torch):
    tm = torch.nn.MultiheadAttention(6, 3, kdim=4, vdim=5).double()
    om = nn.MultiheadAttention(6, 3, kdim=4, vdim=5).double()
    load_from_torch(om, tm)
    q, k, v = rng.standard_normal((3, 6)), rng.standard_normal((4, 4)), rng.standard_normal((4, 5))
    oo, ow = om(ag.tensor(q), ag.tensor(k), ag.tensor(v))
    to, tw = tm(torch.tensor(q), torch.tensor(k), torch.tensor(v))
    assert oo.shape == (3, 6) and ow.shape == (3, 4)
    np.testing.assert_allclose(oo.detach().numpy(), to.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(ow.detach().numpy(), tw.detach().numpy(), rtol=1e-10)
