"""pad and the padding modules (``nn/functional/padding.py``, ``nn/modules/padding.py``): every
mode against PyTorch (float64 values and gradients), other ranks and unbatched input,
gradcheck/gradgradcheck, errors."""
from __future__ import annotations

import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from tests.helpers import Draw

draw = Draw(0)
arr, t64, parity = draw.arr, draw.t64, draw.parity


PADS = [(1, 2), (0, 3), (2, 1, 1, 0), (1, 1, 2, 2), (-1, 2), (2, -1, -1, 1), (1, 0, 0, 1, 1, 1),
        (-2, 0, 1, -1)]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pads", PADS)
def test_pad_matches_torch(torch, mode, pads):
    # PyTorch pads the last k dims of (k+1)- or (k+2)-D input in non-constant modes
    a = arr(*{2: (2, 3, 5), 4: (2, 3, 4, 5), 6: (2, 3, 3, 4, 5)}[len(pads)])
    kw = {"value": 1.5} if mode == "constant" else {}
    parity(torch, lambda x: F.pad(x, pads, mode, **kw),
           lambda x: torch.nn.functional.pad(x, pads, mode, **kw), a)


def test_pad_unbatched_and_other_ranks(torch):
    parity(torch, lambda x: F.pad(x, (2, 1), "reflect"),
           lambda x: torch.nn.functional.pad(x, (2, 1), "reflect"), arr(3, 5))
    parity(torch, lambda x: F.pad(x, (1, 1, 1, 1, 1, 1), "replicate"),
           lambda x: torch.nn.functional.pad(x, (1, 1, 1, 1, 1, 1), "replicate"),
           arr(1, 2, 3, 3, 3))
    parity(torch, lambda x: F.pad(x, (1, 1, 1, 1, 2, 0, 0, 1)),
           lambda x: torch.nn.functional.pad(x, (1, 1, 1, 1, 2, 0, 0, 1)), arr(2, 3, 2, 2))


def test_pad_gradcheck_and_gradgradcheck():
    x = t64(1, 2, 3, 4)
    for mode in ("constant", "reflect", "replicate", "circular"):
        assert ag.gradcheck(lambda x: F.pad(x, (2, 1, -1, 2), mode), (x,))
    assert ag.gradgradcheck(lambda x: F.pad(x, (2, 1, 1, 1), "reflect").tanh(), (x,))


def test_pad_errors():
    x = ag.zeros(1, 1, 3, 3)
    with pytest.raises(ValueError, match=r"pad: padding length must be even and at most "
                                         r"2 \* input.ndim .*got 3"):
        F.pad(x, (1, 1, 1))
    with pytest.raises(ValueError, match=r"padding size should be less than the corresponding "
                                         r"input dimension for 'reflect' mode, got padding "
                                         r"\(3, 0\) for dim 3 of size 3"):
        F.pad(x, (3, 0), "reflect")
    with pytest.raises(ValueError, match="wrapping around more than once"):
        F.pad(x, (0, 4), "circular")
    with pytest.raises(ValueError, match="mode must be one of"):
        F.pad(x, (1, 1), "mirror")
    with pytest.raises(ValueError, match=r"negative size for dim 3 of size 3"):
        F.pad(x, (-2, -2))
    with pytest.raises(ValueError, match="doesn't take in value"):
        F.pad(x, (1, 1), "reflect", value=2.0)


def test_padding_modules(torch):
    a = arr(2, 3, 4, 4)
    cases = [(nn.ZeroPad2d(1), torch.nn.ZeroPad2d(1)),
             (nn.ZeroPad2d((1, 2, 0, 1)), torch.nn.ZeroPad2d((1, 2, 0, 1))),
             (nn.ConstantPad2d(2, 3.5), torch.nn.ConstantPad2d(2, 3.5)),
             (nn.ReflectionPad2d((1, 2, 3, 0)), torch.nn.ReflectionPad2d((1, 2, 3, 0))),
             (nn.ReplicationPad2d(2), torch.nn.ReplicationPad2d(2)),
             (nn.CircularPad2d(1), torch.nn.CircularPad2d(1))]
    for ours, theirs in cases:
        assert repr(ours) == repr(theirs)
        assert ours.state_dict() == {} and list(ours.parameters()) == []
        parity(torch, ours, theirs, a)
        parity(torch, ours, theirs, a[0])  # unbatched (C, H, W)
    for ours, theirs in [(nn.ZeroPad1d((1, 2)), torch.nn.ZeroPad1d((1, 2))),
                         (nn.ConstantPad1d(2, -1.0), torch.nn.ConstantPad1d(2, -1.0)),
                         (nn.ReflectionPad1d(2), torch.nn.ReflectionPad1d(2)),
                         (nn.ReplicationPad1d((0, 3)), torch.nn.ReplicationPad1d((0, 3))),
                         (nn.CircularPad1d(1), torch.nn.CircularPad1d(1))]:
        assert repr(ours) == repr(theirs)
        parity(torch, ours, theirs, arr(2, 3, 5))
    with pytest.raises(ValueError, match=r"ReflectionPad2d: expected 3D or 4D input, got shape "
                                         r"\(4, 4\)"):
        nn.ReflectionPad2d(1)(ag.zeros(4, 4))
    with pytest.raises(ValueError, match="padding must be an int or a 4-tuple"):
        nn.ZeroPad2d((1, 2))
