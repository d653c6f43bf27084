"""Modules' full backward hooks and pre-hooks against PyTorch: what they receive (float64
values, shapes, None for inputs without gradient), what replacing their arguments does to
the gradients, the order and removal of hooks, a Grad-CAM computed from them."""
import warnings

import numpy as np
import pytest

import autograd_core as ag
from tests.helpers import Draw

draw = Draw(41)
rng = draw.rng


def net_of(m, weights=None):
    nn = m.nn
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 5, 3, padding=1),
                        nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(5, 3)).double()
    net.load_state_dict({k: m.tensor(v) for k, v in weights.items()})
    return net


def run(m, weights, x, setup):
    """``setup(net, record)`` registers hooks; a backward of one class score; returns what
    the hooks recorded and the input and weight gradients, as arrays."""
    net = net_of(m, weights)
    record = {}
    setup(net, record)
    xt = m.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net(xt)[:, 1].sum().backward()
    arr = lambda t: None if t is None else t.detach().numpy()  # noqa: E731
    flat = {k: [arr(t) if not isinstance(t, (tuple, list)) else [arr(u) for u in t] for t in v]
            for k, v in record.items()}
    return flat, arr(xt.grad), arr(net[0].weight.grad)


SETUPS = {
    "grad-cam": lambda net, rec: (
        net[2].register_forward_hook(lambda mod, i, o: rec.__setitem__("act", [o])),
        net[2].register_full_backward_hook(lambda mod, gi, go: rec.__setitem__("g", [gi, go]))),
    "replace grad_input": lambda net, rec: net[2].register_full_backward_hook(
        lambda mod, gi, go: (gi[0] * 3,)),
    "replace grad_output": lambda net, rec: net[4].register_full_backward_pre_hook(
        lambda mod, go: (go[0] * -2,)),
    "first layer": lambda net, rec: net[0].register_full_backward_hook(
        lambda mod, gi, go: rec.__setitem__("first", [gi, go])),
    "hooks in order": lambda net, rec: (
        net[6].register_full_backward_hook(lambda mod, gi, go: (gi[0] + 1,)),
        net[6].register_full_backward_hook(lambda mod, gi, go: (gi[0] * 2,)),
        net[6].register_full_backward_hook(lambda mod, gi, go: (gi[0] - 5,), prepend=True)),
}


@pytest.mark.parametrize("name", sorted(SETUPS))
def test_backward_hooks_match_torch(torch, name):
    weights = {k: rng.standard_normal(tuple(v.shape)) for k, v in shapes().items()}
    x = rng.standard_normal((2, 3, 6, 6))
    ours, theirs = run(ag, weights, x, SETUPS[name]), run(torch, weights, x, SETUPS[name])
    assert ours[0].keys() == theirs[0].keys()
    for key in ours[0]:
        for a, b in zip(ours[0][key], theirs[0][key]):
            a, b = (a, b) if isinstance(a, list) else ([a], [b])
            for u, v in zip(a, b):
                assert (u is None) == (v is None), key
                if u is not None:
                    np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-14, err_msg=key)
    for a, b in zip(ours[1:], theirs[1:]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def shapes():
    """The network's state dict as it is made (for its keys and shapes)."""
    nn = ag.nn
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 5, 3, padding=1),
                         nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(5, 3)).state_dict()


def test_two_inputs_removal_no_grad_and_the_warning(torch):
    seen = []
    bil = ag.nn.Bilinear(2, 3, 1).double()
    h = bil.register_full_backward_hook(lambda m, gi, go: seen.append([g is None for g in gi]))
    a, b = draw.t64(4, 2), draw.t64(4, 3, requires_grad=False)
    bil(a, b).sum().backward()
    assert seen == [[False, True]]
    with ag.no_grad():
        bil(a, b)
    h.remove()
    bil(a, b).sum().backward()
    assert seen == [[False, True]]                   # removed: not called again
    lin = ag.nn.Linear(2, 1)
    lin.register_full_backward_hook(lambda m, gi, go: seen.append(gi))
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        lin(ag.ones(1, 2)).sum().backward()
    assert seen[-1] == (None,)
