"""nn.utils gradient clipping: hand values and PyTorch parity."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.nn.utils import clip_grad
from autograd_core.nn.utils.clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_,
                                clip_grads_with_norm_, get_total_norm)


def _params(grads, dtype=np.float64):
    out = []
    for g in grads:
        p = ag.zeros(np.shape(g), dtype=dtype, requires_grad=True)
        if g is not None:
            p.grad = ag.tensor(np.array(g, dtype=dtype))
        out.append(p)
    return out


def test_clip_grad_norm_by_hand():
    ps = _params([[3.0, 0.0], [[4.0]]])
    total = clip_grad_norm_(ps, max_norm=1.0)
    assert isinstance(total, ag.Tensor) and total.shape == () and total.item() == 5.0
    coef = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(ps[0].grad._data, [3 * coef, 0.0], rtol=1e-15)
    np.testing.assert_allclose(ps[1].grad._data, [[4 * coef]], rtol=1e-15)


def test_no_scaling_when_under_max_norm():
    ps = _params([[0.3, 0.4]])
    before = ps[0].grad._data.copy()
    assert clip_grad_norm_(ps, max_norm=0.5 + 2e-6).item() == pytest.approx(0.5)
    np.testing.assert_array_equal(ps[0].grad._data, before)


@pytest.mark.parametrize("norm_type,expected", [
    (1, 3 + 4 + 12), (2, 13.0), (float("inf"), 12.0), ("inf", 12.0),
    (3, (27 + 64 + 1728) ** (1 / 3)),
])
def test_norm_types_by_hand(norm_type, expected):
    ps = _params([[3.0, -4.0], [12.0]])
    assert clip_grad_norm_(ps, max_norm=100.0, norm_type=norm_type).item() == \
        pytest.approx(expected, rel=1e-14)


def test_params_without_grad_and_single_tensor_and_empty():
    ps = _params([[3.0, 4.0], None])
    assert clip_grad_norm_(ps, 1.0).item() == 5.0
    assert ps[1].grad is None
    single = _params([[6.0, 8.0]])[0]
    assert clip_grad_norm_(single, 5.0).item() == 10.0
    np.testing.assert_allclose(single.grad._data, [3.0, 4.0], rtol=1e-6)
    empty = clip_grad_norm_([], 1.0)
    assert empty.item() == 0.0 and empty.dtype == np.float32
    with pytest.warns(UserWarning, match="empty generator"):
        clip_grad_norm_((p for p in []), 1.0)


def test_float32_stays_float32():
    ps = _params([[3.0, 4.0]], dtype=np.float32)
    total = clip_grad_norm_(ps, 1.0)
    assert total.dtype == np.float32 and ps[0].grad.dtype == np.float32


def test_nonfinite_norm():
    ps = _params([[1.0, float("nan")]])
    with pytest.raises(RuntimeError, match="non-finite, so it cannot be clipped"):
        clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    assert math.isnan(clip_grad_norm_(ps, 1.0).item())
    assert np.isnan(ps[0].grad._data).all()  # as PyTorch: scaled by a NaN coefficient
    inf = _params([[1.0, float("inf")]])
    assert clip_grad_norm_(inf, 1.0).item() == float("inf")
    assert inf[0].grad._data[0] == 0.0


def test_clip_grad_value_by_hand():
    ps = _params([[-3.0, 0.5, 2.0], None])
    assert clip_grad_value_(ps, 1.0) is None
    assert ps[0].grad.tolist() == [-1.0, 0.5, 1.0] and ps[1].grad is None


def test_get_total_norm_and_clip_grads_with_norm():
    ps = _params([[3.0], [4.0]])
    total = get_total_norm([p.grad for p in ps])
    assert total.item() == 5.0
    clip_grads_with_norm_(ps, 2.5, total)
    np.testing.assert_allclose([p.item() for p in (ps[0].grad, ps[1].grad)],
                               [3 * 2.5 / (5 + 1e-6), 4 * 2.5 / (5 + 1e-6)], rtol=1e-15)


def test_deprecated_alias_and_package_exports():
    ps = _params([[3.0, 4.0]])
    with pytest.warns(FutureWarning):
        assert clip_grad_norm(ps, 10.0).item() == 5.0
    import autograd_core.nn.utils as nn_utils
    assert nn_utils.clip_grad_norm_ is clip_grad_norm_ and nn_utils.clip_grad is clip_grad


# --------------------------------------------------------------------------- PyTorch
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, 0.5, float("inf"), float("-inf"), 0.0])
@pytest.mark.parametrize("max_norm", [0.1, 1.0, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, torch):
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal((4, 3)), rng.standard_normal(5), None, rng.standard_normal(())]
    ours = _params(grads)
    theirs = []
    for g in grads:
        p = torch.zeros(np.shape(g) if g is not None else (), dtype=torch.float64,
                        requires_grad=True)
        if g is not None:
            p.grad = torch.tensor(g)
        theirs.append(p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    o = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    assert o.item() == pytest.approx(t.item(), rel=1e-13)
    for a, b in zip(ours, theirs):
        if b.grad is None:
            assert a.grad is None
        else:
            np.testing.assert_allclose(a.grad._data, b.grad.numpy(), rtol=1e-13)


def test_clip_grad_value_matches_torch(torch):
    g = np.random.default_rng(1).standard_normal((6, 7)) * 3
    a = _params([g])[0]
    b = torch.zeros(6, 7, dtype=torch.float64, requires_grad=True)
    b.grad = torch.tensor(g)
    clip_grad_value_([a], 0.7)
    torch.nn.utils.clip_grad_value_([b], 0.7)
    np.testing.assert_array_equal(a.grad._data, b.grad.numpy())
