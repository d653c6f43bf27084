"""nn.init: gains, fan modes, distributions, generators, no graph recording."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn import init


def test_calculate_gain_is_pytorchs(torch):
    for name, param in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                        ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)]:
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param), rel=1e-15)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")


def test_gain_values_by_hand():
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01 ** 2))


def test_fans_for_linear_and_conv_shapes():
    assert init._calculate_fan_in_and_fan_out(ag.empty(30, 20)) == (20, 30)
    assert init._calculate_fan_in_and_fan_out(ag.empty(16, 8, 3, 3)) == (72, 144)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(ag.empty(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(ag.empty(3, 3), mode="fan_avg")


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_statistics(mode):
    w = ag.empty(300, 200, 3)
    fan = 600 if mode == "fan_in" else 900
    init.kaiming_uniform_(w, a=0.1, mode=mode)
    bound = math.sqrt(3) * init.calculate_gain("leaky_relu", 0.1) / math.sqrt(fan)
    arr = w.numpy()
    assert np.abs(arr).max() <= bound and abs(arr.std() - bound / math.sqrt(3)) < 0.01 * bound
    init.kaiming_normal_(w, mode=mode, nonlinearity="relu")
    assert abs(w.numpy().std() - math.sqrt(2 / fan)) < 0.01 * math.sqrt(2 / fan)
    assert abs(w.numpy().mean()) < 0.01 * math.sqrt(2 / fan)


def test_xavier_statistics():
    w = ag.empty(400, 600)
    std = math.sqrt(2 / 1000)
    init.xavier_uniform_(w, gain=2.0)
    assert np.abs(w.numpy()).max() <= 2 * math.sqrt(3) * std
    assert abs(w.numpy().std() - 2 * std) < 0.01 * 2 * std
    init.xavier_normal_(w)
    assert abs(w.numpy().std() - std) < 0.01 * std


def test_simple_fills_and_distributions():
    w = ag.empty(2, 3)
    assert init.zeros_(w) is w and w.tolist() == [[0.0] * 3] * 2
    assert init.ones_(w).tolist() == [[1.0] * 3] * 2
    assert init.constant_(w, 0.25).tolist() == [[0.25] * 3] * 2
    assert init.eye_(w).tolist() == [[1, 0, 0], [0, 1, 0]]
    u = init.uniform_(ag.empty(100_000), -2, 3).numpy()
    assert u.min() >= -2 and u.max() < 3 and abs(u.mean() - 0.5) < 0.02
    n = init.normal_(ag.empty(100_000), 1.0, 2.0).numpy()
    assert abs(n.mean() - 1) < 0.03 and abs(n.std() - 2) < 0.03
    tn = init.trunc_normal_(ag.empty(10_000), std=2.0, a=-1.0, b=1.5).numpy()
    assert tn.min() >= -1.0 and tn.max() <= 1.5
    q = init.orthogonal_(ag.empty(4, 6)).numpy()
    np.testing.assert_allclose(q @ q.T, np.eye(4), atol=1e-5)


def test_init_works_on_parameters_without_recording_and_keeps_dtype():
    p = nn.Parameter(ag.empty(5, 5, dtype=ag.float64))
    out = init.kaiming_uniform_(p)
    assert out is p and p.is_leaf and p.requires_grad and p.dtype == np.float64
    assert p.grad_fn is None


def test_generator_and_global_seed_reproduce():
    a = init.normal_(ag.empty(5), generator=ag.Generator().manual_seed(7)).tolist()
    assert init.normal_(ag.empty(5), generator=ag.Generator().manual_seed(7)).tolist() == a
    ag.manual_seed(11)
    b = nn.Linear(4, 4).weight.tolist()
    ag.manual_seed(11)
    assert nn.Linear(4, 4).weight.tolist() == b


def test_layer_default_inits_match_pytorch_rules():
    conv = nn.Conv2d(3, 20, 5)
    bound = 1 / math.sqrt(3 * 25)
    w = conv.weight.detach().numpy()
    assert w.shape == (20, 3, 5, 5) and np.abs(w).max() <= bound
    assert np.abs(conv.bias.detach().numpy()).max() <= bound
    g = nn.Conv1d(4, 8, 3, groups=2)
    assert g.weight.shape == (8, 2, 3)
    assert np.abs(g.bias.detach().numpy()).max() <= 1 / math.sqrt(6)
    bn = nn.BatchNorm2d(5)
    assert bn.weight.tolist() == [1.0] * 5 and bn.bias.tolist() == [0.0] * 5
    assert bn.running_mean.tolist() == [0.0] * 5 and bn.running_var.tolist() == [1.0] * 5
