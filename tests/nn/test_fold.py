"""unfold and fold (``nn/functional/fold.py``, ``nn/modules/fold.py``): PyTorch parity over
kernel sizes, strides, padding and dilation, unbatched input, gradcheck, modules, errors."""
from __future__ import annotations

import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from tests.helpers import Draw, leaf

draw = Draw(7)
rng, arr, parity = draw.rng, draw.arr, draw.parity


FOLD_CASES = [dict(kernel_size=2), dict(kernel_size=(2, 3), stride=(1, 2)),
              dict(kernel_size=3, padding=1), dict(kernel_size=(3, 2), dilation=(2, 1),
                                                   padding=(1, 2), stride=2)]


@pytest.mark.parametrize("kw", FOLD_CASES)
def test_unfold_fold_match_torch(torch, kw):
    x = arr(2, 3, 6, 7)
    parity(torch, lambda t: F.unfold(t, **kw), lambda t: torch.nn.functional.unfold(t, **kw), x)
    parity(torch, lambda t: F.unfold(t, **kw), lambda t: torch.nn.functional.unfold(t, **kw), x[0])
    cols = torch.nn.functional.unfold(torch.tensor(x), **kw).numpy()
    parity(torch, lambda t: F.fold(t, (6, 7), **kw),
           lambda t: torch.nn.functional.fold(t, (6, 7), **kw), rng.standard_normal(cols.shape))
    parity(torch, lambda t: F.fold(t, (6, 7), **kw),
           lambda t: torch.nn.functional.fold(t, (6, 7), **kw), rng.standard_normal(cols.shape[1:]))
    assert ag.gradcheck(lambda t: F.unfold(t, **kw), (leaf(arr(1, 2, 6, 7)),))
    assert ag.gradcheck(lambda t: F.fold(t, (6, 7), **kw),
                        (leaf(rng.standard_normal((1,) + cols.shape[1:])),))


def test_fold_unfold_modules_and_errors(torch):
    for ours, theirs in [(nn.Unfold((2, 3), padding=1), torch.nn.Unfold((2, 3), padding=1)),
                         (nn.Fold((4, 5), 2, stride=1), torch.nn.Fold((4, 5), 2, stride=1))]:
        assert repr(ours) == repr(theirs)
    parity(torch, nn.Unfold((2, 3), padding=1), torch.nn.Unfold((2, 3), padding=1), arr(2, 2, 4, 4))
    parity(torch, nn.Fold((4, 5), 2), torch.nn.Fold((4, 5), 2), arr(2, 8, 12))
    with pytest.raises(ValueError, match=r"fold: expected size of input's dimension 1 to be "
                                         r"divisible by the product of kernel_size \(2, 2\), but "
                                         r"got input.size\(1\)=6"):
        F.fold(ag.ones(1, 6, 12), (4, 5), 2)
    with pytest.raises(ValueError, match=r"calculated number of sliding blocks 3 \* 4 = 12, but "
                                         r"got input.size\(2\)=10"):
        F.fold(ag.ones(1, 8, 10), (4, 5), 2)
    with pytest.raises(ValueError, match=r"unfold: expected 3D \(C, H, W\) or 4D \(N, C, H, W\) "
                                         r"input, got shape \(4, 4\)"):
        F.unfold(ag.ones(4, 4), 2)
    with pytest.raises(ValueError, match="gives no sliding blocks"):
        F.unfold(ag.ones(1, 1, 2, 2), 3)
