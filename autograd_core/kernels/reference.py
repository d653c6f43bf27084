"""Plain NumPy references for every kernel, written for clarity, not speed.

The tests compare both fast paths (NumPy/BLAS and Numba) with these. They follow
the definitions directly: a convolution is a sum over kernel offsets ``(i, j)`` of
a strided slice of the zero-padded input times one weight tap; a pooling window is
scanned tap by tap in row-major order, as PyTorch does. No im2col, no JIT.

>>> import numpy as np
>>> x = np.arange(16.0).reshape(1, 1, 4, 4)
>>> conv2d_forward(x, np.ones((1, 1, 2, 2)), stride=(2, 2)).tolist()
[[[[10.0, 18.0], [42.0, 50.0]]]]
"""
from __future__ import annotations

import numpy as np

from .shapes import IntPair, avg_pool2d_geometry, conv2d_geometry, max_pool2d_geometry


def _tap(a: np.ndarray, i: int, j: int, stride, dilation, out_hw) -> tuple:
    """Index selecting, for kernel offset (i, j), the input pixel of every output pixel."""
    (sh, sw), (dh, dw), (oh, ow) = stride, dilation, out_hw
    return (Ellipsis,
            slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
            slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))


def _pad(x: np.ndarray, padding, value=0.0) -> np.ndarray:
    ph, pw = padding
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def bmm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(B, M, K) @ (B, K, N) as an explicit sum over k.

    >>> bmm(np.ones((2, 1, 3)), np.ones((2, 3, 1))).tolist()
    [[[3.0]], [[3.0]]]
    """
    out = np.zeros((a.shape[0], a.shape[1], b.shape[2]), np.result_type(a, b))
    for k in range(a.shape[2]):
        out += a[:, :, k, None] * b[:, None, k, :]
    return out


def conv2d_forward(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None = None,
                   stride: IntPair = 1, padding: IntPair = 0, dilation: IntPair = 1,
                   groups: int = 1) -> np.ndarray:
    """out[n, k] = sum over c, i, j of xpad[n, c, oy*s + i*d, ox*s + j*d] * w[k, c, i, j]."""
    geo = conv2d_geometry(x.shape, w.shape, stride, padding, dilation, groups)
    s, p, d, ohw = geo.stride, geo.padding, geo.dilation, geo.out_hw
    n, c, _, _ = x.shape
    k, cg, kh, kw = w.shape
    kg = k // groups
    xp = _pad(x, p)
    out = np.zeros((n, k) + ohw, x.dtype)
    for g in range(groups):
        xg = xp[:, g * cg:(g + 1) * cg]
        wg = w[g * kg:(g + 1) * kg]
        for i in range(kh):
            for j in range(kw):
                patch = xg[_tap(xg, i, j, s, d, ohw)]                 # (N, Cg, OH, OW)
                out[:, g * kg:(g + 1) * kg] += np.einsum("nchw,kc->nkhw", patch, wg[:, :, i, j])
    if bias is not None:
        out += bias.reshape(1, -1, 1, 1)
    return out


def conv2d_backward_input(grad_out: np.ndarray, w: np.ndarray, input_shape: tuple[int, ...],
                          stride: IntPair = 1, padding: IntPair = 0, dilation: IntPair = 1,
                          groups: int = 1) -> np.ndarray:
    """Each tap (i, j) scatters grad_out @ w[:, :, i, j] back onto the pixels it read."""
    geo = conv2d_geometry(input_shape, w.shape, stride, padding, dilation, groups,
                          op="conv2d_backward_input")
    s, p, d, ohw = geo.stride, geo.padding, geo.dilation, geo.out_hw
    n, c, h, wd = input_shape
    k, cg, kh, kw = w.shape
    kg = k // groups
    dxp = np.zeros((n, c, h + 2 * p[0], wd + 2 * p[1]), grad_out.dtype)
    for g in range(groups):
        gg = grad_out[:, g * kg:(g + 1) * kg]
        wg = w[g * kg:(g + 1) * kg]
        dxg = dxp[:, g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                dxg[_tap(dxg, i, j, s, d, ohw)] += np.einsum("nkhw,kc->nchw", gg, wg[:, :, i, j])
    return dxp[:, :, p[0]:p[0] + h, p[1]:p[1] + wd].copy()


def conv2d_backward_weight(grad_out: np.ndarray, x: np.ndarray, weight_shape: tuple[int, ...],
                           stride: IntPair = 1, padding: IntPair = 0, dilation: IntPair = 1,
                           groups: int = 1) -> np.ndarray:
    """dw[k, c, i, j] = sum over n, oy, ox of grad_out[n, k, oy, ox] * (tap (i, j) of x)[n, c, oy, ox]."""
    geo = conv2d_geometry(x.shape, weight_shape, stride, padding, dilation, groups,
                          op="conv2d_backward_weight")
    s, p, d, ohw = geo.stride, geo.padding, geo.dilation, geo.out_hw
    k, cg, kh, kw = weight_shape
    kg = k // groups
    xp = _pad(x, p)
    dw = np.zeros(tuple(weight_shape), grad_out.dtype)
    for g in range(groups):
        gg = grad_out[:, g * kg:(g + 1) * kg]
        xg = xp[:, g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                dw[g * kg:(g + 1) * kg, :, i, j] = np.einsum("nkhw,nchw->kc", gg, xg[_tap(xg, i, j, s, d, ohw)])
    return dw


def max_pool2d_forward(x: np.ndarray, kernel_size: IntPair, stride: IntPair | None = None,
                       padding: IntPair = 0, dilation: IntPair = 1,
                       ceil_mode: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Scan each window tap by tap; keep the first maximum (a NaN always wins, the last one).

    Indices are flat positions ``iy * W + ix`` in each (n, c) plane, as PyTorch returns.
    A window whose real pixels are all -inf reports its first real pixel, like PyTorch.
    """
    geo = max_pool2d_geometry(x.shape, kernel_size, stride, padding, dilation, ceil_mode)
    k, s, p, d, (oh, ow) = geo.kernel, geo.stride, geo.padding, geo.dilation, geo.out_hw
    n, c, h, w = x.shape
    out = np.empty((n, c, oh, ow), x.dtype)
    idx = np.empty((n, c, oh, ow), np.int64)
    for oy in range(oh):
        y0 = oy * s[0] - p[0]
        for ox in range(ow):
            x0 = ox * s[1] - p[1]
            taps = [(y0 + i * d[0], x0 + j * d[1]) for i in range(k[0]) for j in range(k[1])]
            taps = [(iy, ix) for iy, ix in taps if 0 <= iy < h and 0 <= ix < w]
            best = np.full((n, c), -np.inf, x.dtype)
            arg = np.full((n, c), taps[0][0] * w + taps[0][1], np.int64)
            for iy, ix in taps:
                v = x[:, :, iy, ix]
                take = (v > best) | np.isnan(v)
                best = np.where(take, v, best)
                arg = np.where(take, iy * w + ix, arg)
            out[:, :, oy, ox] = best
            idx[:, :, oy, ox] = arg
    return out, idx


def max_pool2d_backward(grad_out: np.ndarray, indices: np.ndarray,
                        input_shape: tuple[int, ...]) -> np.ndarray:
    """Every output gradient goes to the input pixel its window picked (added up on overlap)."""
    n, c, h, w = input_shape
    dx = np.zeros((n * c, h * w), grad_out.dtype)
    rows = np.repeat(np.arange(n * c), indices.shape[2] * indices.shape[3])
    np.add.at(dx, (rows, indices.reshape(-1)), grad_out.reshape(-1))
    return dx.reshape(n, c, h, w)


def _avg_divisor(h: int, w: int, k, s, p, oy: int, ox: int, count_include_pad: bool,
                 divisor_override: int | None) -> int:
    """PyTorch's divisor of one window, from its bounds."""
    if divisor_override is not None:
        return divisor_override
    y0, x0 = oy * s[0] - p[0], ox * s[1] - p[1]
    if count_include_pad:
        return (min(y0 + k[0], h + p[0]) - y0) * (min(x0 + k[1], w + p[1]) - x0)
    return (min(y0 + k[0], h) - max(y0, 0)) * (min(x0 + k[1], w) - max(x0, 0))


def avg_pool2d_forward(x: np.ndarray, kernel_size: IntPair, stride: IntPair | None = None,
                       padding: IntPair = 0, ceil_mode: bool = False,
                       count_include_pad: bool = True,
                       divisor_override: int | None = None) -> np.ndarray:
    """Window by window: the sum of the window's real pixels over its divisor."""
    geo = avg_pool2d_geometry(x.shape, kernel_size, stride, padding, ceil_mode)
    k, s, p, (oh, ow) = geo.kernel, geo.stride, geo.padding, geo.out_hw
    n, c, h, w = x.shape
    out = np.empty((n, c, oh, ow), x.dtype)
    for oy in range(oh):
        y0 = oy * s[0] - p[0]
        for ox in range(ow):
            x0 = ox * s[1] - p[1]
            window = x[:, :, max(y0, 0):y0 + k[0], max(x0, 0):x0 + k[1]]
            out[:, :, oy, ox] = window.sum(axis=(2, 3)) / _avg_divisor(
                h, w, k, s, p, oy, ox, count_include_pad, divisor_override)
    return out


def avg_pool2d_backward(grad_out: np.ndarray, input_shape: tuple[int, ...], kernel_size: IntPair,
                        stride: IntPair | None = None, padding: IntPair = 0,
                        ceil_mode: bool = False, count_include_pad: bool = True,
                        divisor_override: int | None = None) -> np.ndarray:
    """Window by window: spread grad/divisor over the window's real pixels."""
    geo = avg_pool2d_geometry(input_shape, kernel_size, stride, padding, ceil_mode,
                              op="avg_pool2d_backward")
    k, s, p, (oh, ow) = geo.kernel, geo.stride, geo.padding, geo.out_hw
    n, c, h, w = input_shape
    dx = np.zeros((n, c, h, w), grad_out.dtype)
    for oy in range(oh):
        y0 = oy * s[0] - p[0]
        for ox in range(ow):
            x0 = ox * s[1] - p[1]
            dx[:, :, max(y0, 0):y0 + k[0], max(x0, 0):x0 + k[1]] += \
                grad_out[:, :, oy, ox, None, None] / _avg_divisor(
                    h, w, k, s, p, oy, ox, count_include_pad, divisor_override)
    return dx
