"""``torch.testing``: ``assert_close`` with PyTorch's default tolerances per dtype and its
messages, for the checks programs and their tests make.

>>> import autograd_core as ag
>>> ag.testing.assert_close(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 2.0 + 1e-7]))
>>> ag.testing.assert_close(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 2.5]))
Traceback (most recent call last):
...
AssertionError: Tensor-likes are not close!
<BLANKLINE>
Mismatched elements: 1 / 2 (50.0%)
Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)
Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .autograd.function import is_tensor

__all__ = ["assert_close"]

# PyTorch's defaults: (rtol, atol) by dtype; integers and bools must be equal
_TOLERANCES = {np.dtype(np.float16): (1e-3, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
               np.dtype(np.float64): (1e-7, 1e-7)}


def _array(x: Any) -> tuple[np.ndarray, bool]:
    if is_tensor(x):
        return x.detach().numpy(), True
    if isinstance(x, np.ndarray):
        return x, True
    return np.asarray(x), False


def _torch_dtype(dt: np.dtype) -> str:
    return f"torch.{'bool' if dt == np.bool_ else dt.name}"


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None, equal_nan: bool = False,
                 check_device: bool = True, check_dtype: bool = True, check_layout: bool = True,
                 check_stride: bool = False, msg: Any = None) -> None:
    """Raise AssertionError unless ``|actual - expected| <= atol + rtol * |expected|``
    everywhere (tensors, arrays, numbers, or sequences and dicts of them), with equal
    shapes and, with ``check_dtype``, dtypes."""
    if isinstance(actual, (list, tuple)) and isinstance(expected, (list, tuple)):
        if len(actual) != len(expected):
            raise AssertionError(f"The length of the sequences mismatch: {len(actual)} != "
                                 f"{len(expected)}")
        for a, e in zip(actual, expected):
            assert_close(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)
        return
    if isinstance(actual, dict) and isinstance(expected, dict):
        if set(actual) != set(expected):
            raise AssertionError(f"The keys of the mappings do not match: {sorted(map(str, actual))}"
                                 f" != {sorted(map(str, expected))}")
        for k in actual:
            assert_close(actual[k], expected[k], rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)
        return
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    a, a_tensor = _array(actual)
    e, _ = _array(expected)
    if a_tensor:
        if a.shape != e.shape:
            raise AssertionError(f"The values for attribute 'shape' do not match: "
                                 f"{_size(a.shape)} != {_size(e.shape)}.")
        if check_dtype and a.dtype != e.dtype:
            raise AssertionError(f"The values for attribute 'dtype' do not match: "
                                 f"{_torch_dtype(a.dtype)} != {_torch_dtype(e.dtype)}.")
    dt = np.result_type(a, e)
    if rtol is None:
        rtol, atol = _TOLERANCES.get(np.dtype(dt), (0.0, 0.0))
        if not a_tensor and dt.kind == "f":
            rtol, atol = _TOLERANCES[np.dtype(np.float64)]
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    diff = np.abs(a64 - e64)
    ok = diff <= atol + rtol * np.abs(e64)
    ok |= a64 == e64   # equal infinities
    if equal_nan:
        ok |= np.isnan(a64) & np.isnan(e64)
    if ok.all():
        return
    if msg is not None:
        raise AssertionError(msg(None) if callable(msg) else msg)
    exact = rtol == 0 and atol == 0
    tail_abs = "" if exact else f" (up to {atol} allowed)"
    tail_rel = "" if exact else f" (up to {rtol} allowed)"
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = diff / np.abs(e64)
    if not a_tensor or a.ndim == 0:
        raise AssertionError(
            f"Scalars are not {'equal' if exact else 'close'}!\n\nExpected {e.item()} but got "
            f"{a.item()}.\nAbsolute difference: {diff.item()}{tail_abs}\nRelative difference: "
            f"{rel.item()}{tail_rel}")
    bad = ~ok
    i_abs = np.unravel_index(int(np.argmax(np.where(bad, diff, -1))), a.shape)
    i_rel = np.unravel_index(int(np.argmax(np.where(bad, np.nan_to_num(rel, nan=-1), -1))),
                             a.shape)
    n_bad, n = int(bad.sum()), a.size
    abs_v = diff[i_abs] if dt.kind == "f" else int(diff[i_abs])
    rel_v = float(np.float32(rel[i_rel])) if a.dtype == np.float32 or dt.kind != "f" \
        else float(rel[i_rel])
    raise AssertionError(
        f"Tensor-likes are not {'equal' if exact else 'close'}!\n\nMismatched elements: "
        f"{n_bad} / {n} ({100 * n_bad / n:.1f}%)\nGreatest absolute difference: {abs_v} at index "
        f"{tuple(int(i) for i in i_abs)}{tail_abs}\nGreatest relative difference: {rel_v} at "
        f"index {tuple(int(i) for i in i_rel)}{tail_rel}")


def _size(shape: tuple) -> str:
    return f"torch.Size([{', '.join(map(str, shape))}])"
