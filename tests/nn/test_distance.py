"""normalize, cosine_similarity and pairwise_distance (``nn/functional/distance.py``,
``nn/modules/distance.py``): PyTorch parity (zero rows and broadcasting included),
gradcheck/gradgradcheck, modules and errors."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from tests.helpers import Draw

draw = Draw(0)
arr, t64, parity = draw.arr, draw.t64, draw.parity


def test_normalize_matches_torch(torch):
    TF = torch.nn.functional
    for p, dim in [(2.0, 1), (1.0, 0), (3.0, -1), (float("inf"), 1)]:
        parity(torch, lambda x: F.normalize(x, p, dim), lambda x: TF.normalize(x, p, dim),
               arr(3, 4, 2))
    a = arr(3, 4)
    a[1] = 0.0  # a zero row: output 0, gradient finite (eps clamp)
    parity(torch, lambda x: F.normalize(x), lambda x: TF.normalize(x), a)
    parity(torch, lambda x: F.normalize(x, dim=1), lambda x: TF.normalize(x, dim=1), a)
    assert ag.gradgradcheck(lambda x: F.normalize(x), (t64(2, 3),))


def test_cosine_similarity_and_pairwise_distance(torch):
    TF = torch.nn.functional
    for dim in (1, 0, -1):
        parity(torch, lambda a, b: F.cosine_similarity(a, b, dim),
               lambda a, b: TF.cosine_similarity(a, b, dim), arr(3, 4), arr(3, 4))
    parity(torch, lambda a, b: F.cosine_similarity(a, b, -1),
           lambda a, b: TF.cosine_similarity(a, b, -1), arr(2, 3, 4), arr(1, 4))  # broadcast
    z = np.zeros((2, 3))
    parity(torch, F.cosine_similarity, TF.cosine_similarity, z, arr(2, 3))
    for p in (2.0, 1.0, 3.0, float("inf")):
        for keepdim in (False, True):
            parity(torch, lambda a, b: F.pairwise_distance(a, b, p, keepdim=keepdim),
                   lambda a, b: TF.pairwise_distance(a, b, p, keepdim=keepdim),
                   arr(5, 3), arr(5, 3))
    parity(torch, F.pairwise_distance, TF.pairwise_distance, arr(4), arr(4))
    parity(torch, F.pairwise_distance, TF.pairwise_distance, arr(2, 3, 4), arr(4))
    a, b = t64(3, 4), t64(3, 4)
    assert ag.gradcheck(lambda a, b: F.cosine_similarity(a, b), (a, b))
    assert ag.gradcheck(lambda a, b: F.pairwise_distance(a, b, 3.0), (a, b))
    assert ag.gradgradcheck(lambda a, b: F.pairwise_distance(a, b), (a, b))
    for ours, theirs in [(nn.CosineSimilarity(dim=0), torch.nn.CosineSimilarity(dim=0)),
                         (nn.PairwiseDistance(p=1.0, keepdim=True),
                          torch.nn.PairwiseDistance(p=1.0, keepdim=True))]:
        assert repr(ours) == repr(theirs) and ours.state_dict() == {}
        parity(torch, ours, theirs, arr(3, 4), arr(3, 4))
    with pytest.raises(ValueError, match=r"cosine_similarity: x1 of shape \(2, 3\) and x2 of "
                                         r"shape \(2, 4\) do not broadcast"):
        F.cosine_similarity(ag.zeros(2, 3), ag.zeros(2, 4))
