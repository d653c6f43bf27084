"""Elementwise ops of ``ops/pointwise.py`` (and their Tensor methods) against PyTorch in
float64 (values and gradients) and by gradcheck/gradgradcheck: copysign, fmod / remainder /
``%``, rounded division and ``//``, the bitwise ops (tensors, Python numbers, in place)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from tests.helpers import arr, assert_matches_torch, leaf


SHAPE_PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (4, 1)), ((5,), ())]


# ------------------------------------------------------------------------- copysign
@pytest.mark.parametrize("sa,sb", SHAPE_PAIRS)
def test_copysign_as_torch(torch, sa, sb):
    a = arr(sa, seed=6)
    a.flat[0] = 0.0  # the gradient is 0 where the input is 0
    assert_matches_torch(torch, lambda m, x, y: m.copysign(x, y), [a, arr(sb, seed=7)])


def test_copysign_signed_zero_dtypes_and_gradcheck(torch):
    a, b = np.array([1.0, -2.0, 3.0, -0.0]), np.array([-0.0, 0.0, -1.0, 1.0])
    ours, theirs = ag.tensor(a).copysign(ag.tensor(b)), torch.tensor(a).copysign(torch.tensor(b))
    np.testing.assert_array_equal(np.signbit(ours.numpy()), np.signbit(theirs.numpy()))
    assert ag.copysign(ag.tensor([1, -2]), 3).dtype == ag.float32
    assert ag.tensor([1.0]).copysign(-1).tolist() == [-1.0]
    x, y = leaf(arr((3, 2), seed=8)), leaf(arr((2,), seed=9))
    assert ag.gradcheck(lambda s, t: s.copysign(t), (x, y))


# --------------------------------------------------------------- fmod, remainder, %
@pytest.mark.parametrize("name", ["fmod", "remainder"])
@pytest.mark.parametrize("sa,sb", SHAPE_PAIRS)
def test_fmod_remainder_values_and_gradients_as_torch(torch, name, sa, sb):
    a = arr(sa, seed=10, low=-5, high=5)
    b = np.random.default_rng(11).choice([-1.0, 1.0], size=sb) * arr(sb, seed=12, low=0.5, high=2)
    assert_matches_torch(torch, lambda m, x, y: getattr(m, name)(x, y), [a, b])
    x, y = leaf(a), leaf(b)
    assert ag.gradcheck(lambda s, t: getattr(s, name)(t), (x, y))
    assert ag.gradgradcheck(lambda s, t: getattr(s, name)(t) * s, (x, y))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.float32, np.float64])
def test_mod_operators_sign_rules_as_torch(torch, dtype):
    a = np.array([7, -7, 7, -7, 0, 5], dtype=dtype)
    b = np.array([3, 3, -3, -3, 2, 5], dtype=dtype)
    ta, tb = torch.tensor(a), torch.tensor(b)
    cases = [(lambda m, x, y: x % y), (lambda m, x, y: m.fmod(x, y)),
             (lambda m, x, y: m.remainder(x, y)), (lambda m, x, y: x % 2),
             (lambda m, x, y: x % -2.5), (lambda m, x, y: 5 % y), (lambda m, x, y: -5.5 % y),
             (lambda m, x, y: x.fmod(-2)), (lambda m, x, y: m.remainder(9, y))]
    for case in cases:
        ours = case(ag, ag.tensor(a), ag.tensor(b))
        theirs = case(torch, ta, tb)
        assert ours.dtype == theirs.numpy().dtype
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_integer_mod_by_zero_raises_as_torch():
    for fn in (lambda: ag.tensor([5]) % 0, lambda: ag.tensor([5]).fmod(ag.tensor([0])),
               lambda: ag.tensor([5]) // 0, lambda: ag.tensor([5]).div(0, rounding_mode="trunc")):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            fn()
    assert np.isnan((ag.tensor([5.0]) % 0).item())


def test_inplace_mod_and_floordiv():
    x = ag.tensor([7, -7])
    x %= 3
    assert x.tolist() == [1, 2]
    x //= 2
    assert x.tolist() == [0, 1]
    y = ag.tensor([7.0, -7.0])
    y.fmod_(3)
    assert y.tolist() == [1.0, -1.0]


# ---------------------------------------------------------- rounded division and //
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float32, np.float64])
def test_div_rounding_modes_and_floor_divide_as_torch(torch, dtype):
    rng = np.random.default_rng(13)
    a = rng.integers(-20, 20, size=(4, 5)).astype(dtype)
    if np.dtype(dtype).kind == "f":
        a = a + rng.uniform(-1, 1, size=a.shape).astype(dtype)
    b = rng.choice([-7, -3, -2, -1, 1, 2, 3, 7], size=(5,)).astype(dtype)
    ta, tb = torch.tensor(a), torch.tensor(b)
    for mode in ("trunc", "floor"):
        for case in (lambda m, x, y: m.div(x, y, rounding_mode=mode),
                     lambda m, x, y: x.div(3, rounding_mode=mode),
                     lambda m, x, y: x.div(-2.5, rounding_mode=mode),
                     lambda m, x, y: m.divide(x, y, rounding_mode=mode)):
            ours, theirs = case(ag, ag.tensor(a), ag.tensor(b)), case(torch, ta, tb)
            assert ours.dtype == theirs.numpy().dtype
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    for case in (lambda m, x, y: x // y, lambda m, x, y: m.floor_divide(x, y),
                 lambda m, x, y: x // 2, lambda m, x, y: x // -1.5, lambda m, x, y: 7 // y,
                 lambda m, x, y: 7.5 // y):
        ours, theirs = case(ag, ag.tensor(a), ag.tensor(b)), case(torch, ta, tb)
        assert ours.dtype == theirs.numpy().dtype
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_rounded_division_gradients_as_torch(torch):
    # both gradients of a rounded division are zero, as PyTorch's
    for mode in ("trunc", "floor"):
        assert_matches_torch(torch, lambda m, x, y: m.div(x, y, rounding_mode=mode) + x * y,
                             [arr((3, 4), seed=14), arr((4,), seed=15, low=0.5)])
    # floor_divide has no derivative: backward through it raises PyTorch's error
    x = leaf([5.0, -5.0])
    out = x // 2
    assert out.requires_grad
    with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented"):
        out.sum().backward()
    with pytest.raises(RuntimeError, match="rounding_mode to be one of None, 'trunc', or 'floor'"):
        x.div(2, rounding_mode="round")


@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       name=st.sampled_from(["fmod", "remainder", "copysign"]), seed=st.integers(0, 2**16))
def test_binary_ops_gradcheck_on_random_broadcast_shapes(shapes, name, seed):
    sa, sb = shapes.input_shapes
    a = arr(sa, seed=seed, low=-4, high=4)
    b = np.random.default_rng(seed + 1).choice([-1.0, 1.0], size=sb) * arr(sb, seed=seed + 2,
                                                                          low=0.6, high=2)
    if name != "copysign":  # away from the jumps of the remainder (a / b an integer)
        q = a / b
        a = np.where(np.abs(q - np.round(q)) < 0.05, a + 0.1 * b, a)
    x, y = leaf(a), leaf(b)
    assert ag.gradcheck(lambda s, t: getattr(s, name)(t), (x, y))
    assert ag.gradgradcheck(lambda s, t: getattr(s, name)(t) * s, (x, y))


# ---------------------------------------------------------------------- bitwise ops
INT_DTYPES = [np.int8, np.uint8, np.int16, np.int32, np.int64, np.bool_]


BINARY = {"&": lambda x, y: x & y, "|": lambda x, y: x | y, "^": lambda x, y: x ^ y,
          "<<": lambda x, y: x << y, ">>": lambda x, y: x >> y}


FUNCTIONS = {"&": "bitwise_and", "|": "bitwise_or", "^": "bitwise_xor",
             "<<": "bitwise_left_shift", ">>": "bitwise_right_shift"}


def _ints(dtype, shape, seed):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(bool)
    info = np.iinfo(dtype)
    return rng.integers(info.min, int(info.max) + 1, size=shape, dtype=dtype)


def _same(ours, theirs):
    assert ours.dtype == theirs.numpy().dtype, (ours.dtype, theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def _same_outcome(torch, fn):
    """``fn(module)`` gives the same tensor in both, or both raise the same exception type."""
    try:
        theirs = fn(torch)
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        with pytest.raises(type(e)):
            fn(ag)
        return
    _same(fn(ag), theirs)


@pytest.mark.parametrize("op", list(BINARY))
@pytest.mark.parametrize("da,db", list(itertools.product(INT_DTYPES, repeat=2)))
def test_bitwise_tensor_tensor_as_torch(torch, op, da, db):
    a, b = _ints(da, (3, 4), 40), _ints(db, (4,), 41)
    if op in ("<<", ">>") and db != np.bool_:
        b = np.random.default_rng(42).integers(-2, 70, size=(4,)).astype(db) if np.dtype(
            db).itemsize > 1 or db == np.int8 else b
    _same_outcome(torch, lambda m: BINARY[op](m.tensor(a), m.tensor(b)))
    _same_outcome(torch, lambda m: getattr(m, FUNCTIONS[op])(m.tensor(a), m.tensor(b)))


@pytest.mark.parametrize("op", list(BINARY))
@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_bitwise_with_python_numbers_as_torch(torch, op, dtype):
    a = _ints(dtype, (5,), 43)
    numbers = [0, 1, 3, 7, 9, 31, 0xFF, 0xFFFFFFFF, -1, True, False, 2.5]
    if op in ("<<", ">>"):
        numbers = [0, 1, 3, 7, 8, 15, 31, 63, 64, 100, -1, True, 2.5]
    for n in numbers:
        _same_outcome(torch, lambda m: BINARY[op](m.tensor(a), n))
        _same_outcome(torch, lambda m: BINARY[op](n, m.tensor(a)))
    _same_outcome(torch, lambda m: BINARY[op](m.tensor(a), m.tensor(3)))


def test_bitwise_not_invert_and_floats(torch):
    for dtype in INT_DTYPES:
        a = _ints(dtype, (6,), 44)
        _same(~ag.tensor(a), ~torch.tensor(a))
        _same(ag.bitwise_not(ag.tensor(a)), torch.bitwise_not(torch.tensor(a)))
    with pytest.raises(TypeError, match="only implemented on integer and Boolean"):
        ~ag.tensor([1.0])
    with pytest.raises(NotImplementedError, match="\"bitwise_not_cpu\" not implemented for 'Float'"):
        ag.bitwise_not(ag.tensor([1.0]))
    with pytest.raises(NotImplementedError, match="\"bitwise_and_cpu\" not implemented for 'Float'"):
        ag.tensor([1.0]) & 1
    with pytest.raises(NotImplementedError, match="'Float'"):
        ag.tensor([1]) | 1.5
    assert (ag.tensor([1], dtype=ag.int32) | 0xFFFFFFFF).tolist() == [-1]


@pytest.mark.parametrize("op", list(BINARY))
def test_bitwise_in_place_as_torch(torch, op):
    for dtype in (np.int32, np.int64, np.uint8, np.bool_):
        a, b = _ints(dtype, (2, 3), 45), _ints(dtype, (3,), 46)
        if op in ("<<", ">>"):
            if dtype == np.bool_:
                continue
            b = np.array([1, 3, 40], dtype=dtype)

        def run(m, a=a, b=b, dtype=dtype):
            x = m.tensor(a)
            y = x
            if op == "&":
                x &= m.tensor(b)
            elif op == "|":
                x |= m.tensor(b)
            elif op == "^":
                x ^= m.tensor(b)
            elif op == "<<":
                x <<= m.tensor(b)
            else:
                x >>= m.tensor(b)
            assert x is y
            getattr(x, FUNCTIONS[op] + "_")(True if dtype == np.bool_ else 1)
            return x

        _same(run(ag), run(torch))
    b = ag.tensor([True])
    with pytest.raises(RuntimeError, match="result type Long can't be cast to the desired output "
                                           "type Bool"):
        b |= ag.tensor([2])
