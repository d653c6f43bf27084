"""affine_grid and grid_sample (bilinear/nearest/bicubic, zeros/border/reflection,
align_corners, 4-D and 5-D) against PyTorch in float64: values, gradients, second
derivatives, PyTorch's errors and warnings (issue #14)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.nn.functional as F
from tests.helpers import Draw, leaf, raises_like

draw = Draw(41)
rng, parity = draw.rng, draw.parity


# ------------------------------------------------------------- affine_grid, grid_sample
@pytest.mark.parametrize("align", [False, True])
def test_affine_grid_matches_torch(torch, align):
    for size in ([2, 3, 4, 5], [2, 3, 1, 5], [1, 2, 3, 4, 5]):
        theta = rng.standard_normal((size[0], 2, 3) if len(size) == 4 else (size[0], 3, 4))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unit-size grids with align_corners warn
            parity(torch, lambda t: F.affine_grid(t, size, align_corners=align),
                   lambda t: torch.nn.functional.affine_grid(t, size, align_corners=align), theta)


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [False, True])
def test_grid_sample_matches_torch(torch, mode, padding_mode, align):
    tf = torch.nn.functional
    # grids reaching past the border exercise every padding mode
    parity(torch, lambda x, g: F.grid_sample(x, g, mode, padding_mode, align),
           lambda x, g: tf.grid_sample(x, g, mode, padding_mode, align),
           rng.standard_normal((2, 3, 5, 6)), rng.uniform(-1.6, 1.6, (2, 4, 7, 2)), atol=1e-10)
    if mode != "bicubic":
        parity(torch, lambda x, g: F.grid_sample(x, g, mode, padding_mode, align),
               lambda x, g: tf.grid_sample(x, g, mode, padding_mode, align),
               rng.standard_normal((2, 3, 4, 5, 6)), rng.uniform(-1.6, 1.6, (2, 3, 2, 4, 3)),
               atol=1e-10)
    # the identity grid puts points exactly on the border (zero border gradient in PyTorch)
    theta = np.array([[[1.0, 0, 0], [0, 1.0, 0]]] * 2)
    parity(torch, lambda x, t: F.grid_sample(x, F.affine_grid(t, [2, 3, 4, 5], align), mode,
                                             padding_mode, align),
           lambda x, t: tf.grid_sample(x, tf.affine_grid(t, [2, 3, 4, 5], align), mode,
                                       padding_mode, align),
           rng.standard_normal((2, 3, 4, 5)), theta, atol=1e-10)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_grid_sample_second_derivatives(mode):
    x = leaf(rng.standard_normal((1, 1, 3, 3)))
    g = leaf(rng.uniform(-1.2, 1.2, (1, 2, 1, 2)))
    for padding_mode in ("zeros", "border", "reflection"):
        assert ag.gradcheck(lambda x, g: F.grid_sample(x, g, mode, padding_mode, False), (x, g))
    assert ag.gradgradcheck(lambda x, g: F.grid_sample(x, g, mode, "reflection", True), (x, g))


def test_grid_sample_and_affine_grid_errors_and_warnings(torch):
    tf = torch.nn.functional
    x, g = ag.zeros(1, 2, 3, 3), ag.zeros(1, 2, 2, 2)
    for args, kw in [((x, g), dict(mode="foo")), ((x, g), dict(padding_mode="foo")),
                     ((x, ag.zeros(2, 2, 2, 2)), {}), ((x, ag.zeros(1, 2, 2, 3)), {}),
                     ((ag.zeros(1, 2, 3), ag.zeros(1, 2, 2)), {}),
                     ((ag.zeros(1, 2, 3, 3, 3), ag.zeros(1, 2, 2, 2, 3)), dict(mode="bicubic")),
                     ((ag.zeros(1, 2, 0, 3), g), {}), ((x, ag.zeros(1, 2, 2, 2, 2)), {}),
                     ((x, g.double()), {})]:
        targs = tuple(torch.tensor(a.numpy()) for a in args)
        raises_like(lambda: F.grid_sample(*args, align_corners=False, **kw),
                    lambda: tf.grid_sample(*targs, align_corners=False, **kw))
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior has "
                                         "changed to align_corners=False since 1.3.0"):
        F.grid_sample(x, g)
    for theta, size in [(ag.zeros(1, 2, 3), [1, 1, 2, 2, 2]), (ag.zeros(1, 3, 4), [1, 1, 2, 2]),
                        (ag.zeros(1, 2, 3), [1, 1, 2]), (ag.zeros(1, 2, 3), [1, 1, 0, 2]),
                        (ag.zeros(1, 2, 3, dtype=ag.int64), [1, 1, 2, 2])]:
        raises_like(lambda: F.affine_grid(theta, size, align_corners=False),
                    lambda: tf.affine_grid(torch.tensor(theta.numpy()), size, align_corners=False))
