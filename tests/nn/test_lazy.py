"""Lazy modules (LazyLinear, LazyConv*, LazyConvTranspose*, LazyBatchNorm*,
LazyInstanceNorm*) as PyTorch's: materialised on the first forward, their reprs and
state dicts, loaded from a state dict, copied, pickled; UninitializedParameter and
UninitializedBuffer (issue #14)."""
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn, optim
from tests.helpers import Draw, load_from_torch

draw = Draw(77)
rng = draw.rng


# ---------------------------------------------------------------------------- lazy
LAZY = [("LazyLinear", (4,), (3, 5)), ("LazyConv1d", (4, 3), (2, 3, 8)),
        ("LazyConv2d", (4, 3), (3, 6, 6)), ("LazyConv3d", (4, 2), (1, 2, 3, 3, 3)),
        ("LazyConvTranspose1d", (4, 3), (2, 3, 5)), ("LazyConvTranspose2d", (4, 3), (2, 3, 5, 5)),
        ("LazyConvTranspose3d", (4, 2), (1, 3, 2, 2, 2)), ("LazyBatchNorm1d", (), (4, 3)),
        ("LazyBatchNorm2d", (), (2, 3, 4, 4)), ("LazyBatchNorm3d", (), (2, 3, 2, 2, 2)),
        ("LazyInstanceNorm1d", (), (2, 3, 5)), ("LazyInstanceNorm2d", (), (2, 3, 4, 4)),
        ("LazyInstanceNorm3d", (), (2, 3, 2, 2, 2))]


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors is a no-op")
@pytest.mark.parametrize("name,args,shape", LAZY)
def test_lazy_modules_materialise_on_first_forward_as_torch(torch, name, args, shape):
    m, t = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    params = list(m.parameters())
    opt = optim.SGD(params, lr=0.1)  # made before the first forward, as PyTorch allows
    assert all(type(p).__name__ == "UninitializedParameter" for p in params)
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized "
                                           "parameter or buffer"):
        params[0].shape
    x = rng.standard_normal(shape).astype(np.float32)
    y, yt = m(ag.tensor(x)), t(torch.tensor(x))
    assert y.shape == tuple(yt.shape)
    assert type(m).__name__ == type(t).__name__ and repr(m) == repr(t)
    assert [type(p) for p in m.parameters()] == [nn.Parameter] * len(params)
    assert all(p is q for p, q in zip(m.parameters(), params))  # the same objects
    for (key, v), tv in zip(m.state_dict().items(), t.state_dict().values()):
        assert v.shape == tuple(tv.shape) and v.dtype == np.float32 or key.endswith("tracked")
    # the same output with PyTorch's weights
    load_from_torch(m, t)
    np.testing.assert_allclose(m(ag.tensor(x)).detach().numpy(),
                               t(torch.tensor(x)).detach().numpy(), rtol=1e-4, atol=1e-5)
    before = [p.detach().numpy().copy() for p in m.parameters()]
    m(ag.tensor(x)).sum().backward()
    opt.step()
    assert any((b != p.detach().numpy()).any() for b, p in zip(before, m.parameters()))


def test_lazy_state_dict_load_copy_pickle_and_dtype(torch):
    m = nn.LazyLinear(3)
    sd = m.state_dict()
    assert [repr(v) for v in sd.values()] == ["<UninitializedParameter>"] * 2
    assert repr(torch.nn.LazyLinear(3).state_dict()["weight"]) == "<UninitializedParameter>"
    src = torch.nn.Linear(5, 3)
    m.load_state_dict({k: v.detach().numpy() for k, v in src.state_dict().items()})
    assert type(m).__name__ == "LazyLinear" and m.weight.shape == (3, 5)
    x = rng.standard_normal((2, 5)).astype(np.float32)
    np.testing.assert_allclose(m(ag.tensor(x)).detach().numpy(),
                               src(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert type(m).__name__ == "Linear"
    for lazy in (copy.deepcopy(nn.LazyConv2d(4, 3)), pickle.loads(pickle.dumps(nn.LazyLinear(3)))):
        assert lazy.has_uninitialized_params()
    d = nn.LazyLinear(2).double()  # a cast before the first forward sets the dtype
    d(ag.randn(3, 4, dtype=ag.float64))
    assert d.weight.dtype == np.float64
    net = nn.Sequential(nn.LazyConv2d(4, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(2))
    assert net(ag.randn(2, 3, 6, 6)).shape == (2, 2)
    assert [type(c).__name__ for c in net] == ["Conv2d", "ReLU", "Flatten", "Linear"]
    bn = nn.LazyBatchNorm1d()
    bn.load_state_dict({k: v.numpy() for k, v in torch.nn.BatchNorm1d(3).state_dict().items()})
    assert bn(ag.randn(4, 3)).shape == (4, 3) and type(bn).__name__ == "BatchNorm1d"
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to "
                                           r"LazyConv2d, but got input of size: \[2, 3\]"):
        nn.LazyConv2d(4, 3)(ag.randn(2, 3))
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.LazyConv2d(4, 3, groups=2)(ag.randn(1, 3, 5, 5))


def test_uninitialized_parameter_and_buffer():
    p = nn.UninitializedParameter(dtype=ag.float64)
    assert repr(p) == "<UninitializedParameter>" and p.requires_grad and p.size() == (0,)
    with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter"):
        p.numel()
    p.materialize((2, 3))
    assert type(p) is nn.Parameter and p.shape == (2, 3) and p.dtype == np.float64
    b = nn.UninitializedBuffer()
    assert repr(b) == "<UninitializedBuffer>" and not b.requires_grad
    b.materialize(4)
    assert type(b) is ag.Tensor and b.shape == (4,)
    assert nn.parameter.is_lazy(nn.UninitializedBuffer()) and not nn.parameter.is_lazy(b)
