"""e**x and tanh in plain arithmetic that LLVM vectorises, for the kernels of activations,
softmax and the LSTM cell (``@lazy_inline`` helpers, and ``vexp``/``vtanh`` for either
float dtype).

A Numba loop that calls ``np.exp`` or ``np.tanh`` calls the C library once per element,
which no compiler vectorises: 2.8 ms for a million float32 exponentials here, where
NumPy's own SIMD loop takes 1.7 ms and ``expf`` inlined in a loop 0.8 ms; NumPy's float64
exp and tanh are scalar loops on an AVX2 host (5 and 13 ns an element)
(``benchmarks/README.md``).

The methods are Cephes': ``x = n ln2 + r`` with ``n = round(x / ln2)`` and ``|r| <= ln2/2``
(ln2 split in two parts, so ``r`` is exact), ``e**r`` by a polynomial (float32) or a
Pade form (float64), and ``2**n`` built from its bits (``_pow2``), in two factors so that
results down to the smallest subnormal come out (and round to 0 below it). tanh is a
rational function of ``x**2`` for ``|x| <= 0.625`` and ``1 - 2 / (e**(2|x|) + 1)`` beyond
(both computed, one selected: no branch in the loop). Over each dtype's range the
exponentials are within 1 ulp of the exact value and tanh within 2 (NumPy's AVX2 float32
exp: up to 2.4 ulp); ``exp(+inf)`` is inf, ``exp(-inf)`` 0, ``tanh(+-inf)`` +-1 and a NaN
stays NaN.

>>> import numpy as np
>>> exp_array(np.array([0.0, 1.0, -np.inf, np.inf], np.float32)).tolist()
[1.0, 2.7182817459106445, 0.0, inf]
>>> tanh_array(np.array([0.0, 0.5, -np.inf])).tolist()
[0.0, 0.46211715726000974, -1.0]
"""
from __future__ import annotations

import numpy as np

from .jit import lazy_inline, lazy_intrinsic, lazy_njit


@lazy_intrinsic
def _pow2():
    """The intrinsic ``_pow2(n, like)``: 2.0 ** n in ``like``'s float type, for an integer
    ``n`` in that type's normal exponent range, from the bits ``(n + bias) << mantissa``."""
    from llvmlite import ir
    from numba import types
    from numba.extending import intrinsic

    @intrinsic
    def pow2(typingctx, n, like):
        if not isinstance(n, types.Integer) or like not in (types.float32, types.float64):
            return None
        wide = like == types.float64
        width, bias, shift = (64, 1023, 52) if wide else (32, 127, 23)

        def codegen(context, builder, sig, args):
            it = ir.IntType(width)
            v = args[0]
            if v.type.width > width:
                v = builder.trunc(v, it)
            elif v.type.width < width:
                v = builder.sext(v, it)
            bits = builder.shl(builder.add(v, ir.Constant(it, bias)), ir.Constant(it, shift))
            return builder.bitcast(bits, ir.DoubleType() if wide else ir.FloatType())

        return like(n, like), codegen

    return pow2


# ---------------------------------------------------------------------------- float32
_F = np.float32
_LOG2E = _F(1.4426950408889634)
_LN2_HI, _LN2_LO = _F(0.693359375), _F(-2.12194440e-4)     # ln2 = _LN2_HI + _LN2_LO
# e**r = 1 + r + r*r * (P5 + P4 r + ... + P0 r**5)
_P0, _P1, _P2 = _F(1.9875691500e-4), _F(1.3981999507e-3), _F(8.3334519073e-3)
_P3, _P4, _P5 = _F(4.1665795894e-2), _F(1.6666665459e-1), _F(5.0000001201e-1)
# past these e**x is inf, or below the smallest subnormal (rounds to 0)
_X_MAX, _X_MIN = _F(88.8), _F(-104.0)
_HALF, _ONE, _TWO, _ZERO = _F(0.5), _F(1.0), _F(2.0), _F(0.0)
_T_SMALL = _F(0.625)
# tanh(x) = x + x z (T0 z**4 + ... + T4), z = x*x, for |x| <= 0.625
_T0, _T1, _T2 = _F(-5.70498872745e-3), _F(2.06390887954e-2), _F(-5.37397155531e-2)
_T3, _T4 = _F(1.33314422036e-1), _F(-3.33332819422e-1)


@lazy_inline
def expf(x):
    """e**x for a float32 ``x`` (see the module's text)."""
    if x > _X_MAX:          # comparisons false for a NaN, which passes through
        x = _X_MAX
    if x < _X_MIN:
        x = _X_MIN
    n = np.floor(x * _LOG2E + _HALF)
    r = x - n * _LN2_HI - n * _LN2_LO
    p = (((((_P0 * r + _P1) * r + _P2) * r + _P3) * r + _P4) * r + _P5) * (r * r) + r + _ONE
    k = np.int32(n)
    h = k >> 1
    return p * _pow2(h, p) * _pow2(k - h, p)


@lazy_inline
def tanhf(x):
    """tanh of a float32 ``x`` (see the module's text)."""
    a = abs(x)
    z = x * x
    small = ((((_T0 * z + _T1) * z + _T2) * z + _T3) * z + _T4) * z * x + x
    big = _ONE - _TWO / (expf(a + a) + _ONE)
    big = big if x >= _ZERO else -big
    small = small if z != _ZERO else x         # tanh(-0) = -0 (and tiny x: x)
    return small if a <= _T_SMALL else big     # a NaN fails the test: big is NaN


# ---------------------------------------------------------------------------- float64
_LOG2E_64 = 1.4426950408889634
_LN2_HI_64, _LN2_LO_64 = 6.93145751953125e-1, 1.42860682030941723212e-6
# e**r = 1 + 2 r P(r*r) / (Q(r*r) - r P(r*r))
_EP0, _EP1, _EP2 = 1.26177193074810590878e-4, 3.02994407707441961300e-2, 9.99999999999999999910e-1
_EQ0, _EQ1 = 3.00198505138664455042e-6, 2.52448340349684104192e-3
_EQ2, _EQ3 = 2.27265548208155028766e-1, 2.00000000000000000009e0
_X_MAX_64, _X_MIN_64 = 710.0, -746.0
# tanh(x) = x + x z P(z) / Q(z), z = x*x, Q monic, for |x| <= 0.625
_TP0, _TP1, _TP2 = -9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3
_TQ0, _TQ1, _TQ2 = 1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3


@lazy_inline
def exp64(x):
    """e**x for a float64 ``x`` (see the module's text)."""
    if x > _X_MAX_64:
        x = _X_MAX_64
    if x < _X_MIN_64:
        x = _X_MIN_64
    n = np.floor(x * _LOG2E_64 + 0.5)
    r = x - n * _LN2_HI_64 - n * _LN2_LO_64
    rr = r * r
    p = r * ((_EP0 * rr + _EP1) * rr + _EP2)
    q = ((_EQ0 * rr + _EQ1) * rr + _EQ2) * rr + _EQ3
    e = 1.0 + 2.0 * (p / (q - p))
    k = np.int64(n)
    h = k >> 1
    return e * _pow2(h, e) * _pow2(k - h, e)


@lazy_inline
def tanh64(x):
    """tanh of a float64 ``x`` (see the module's text)."""
    a = abs(x)
    z = x * x
    small = x + x * z * (((_TP0 * z + _TP1) * z + _TP2) / (((z + _TQ0) * z + _TQ1) * z + _TQ2))
    big = 1.0 - 2.0 / (exp64(a + a) + 1.0)
    big = big if x >= 0.0 else -big
    small = small if z != 0.0 else x
    return small if a <= 0.625 else big


# ------------------------------------------------------------------- either dtype
def _by_dtype(name: str, float32_impl, float64_impl):
    """A function ``name(x)`` for kernels compiled for float32 and float64 alike: Numba
    picks the implementation for ``x``'s type when it compiles the kernel."""
    def factory():
        from numba import types
        from numba.extending import overload

        impls = {types.float32: float32_impl.compile(), types.float64: float64_impl.compile()}

        def stub(x):   # pragma: no cover - only Numba calls it
            raise NotImplementedError(name)
        stub.__name__ = stub.__qualname__ = name

        @overload(stub)
        def typed(x):
            impl = impls.get(x)
            if impl is not None:
                return lambda x: impl(x)
            return None

        return stub

    return lazy_intrinsic(factory)


vexp = _by_dtype("vexp", expf, exp64)
vtanh = _by_dtype("vtanh", tanhf, tanh64)


@lazy_njit(nogil=True, error_model="numpy")
def _exp_numba(x, out):
    for i in range(x.shape[0]):
        out[i] = vexp(x[i])


@lazy_njit(nogil=True, error_model="numpy")
def _tanh_numba(x, out):
    for i in range(x.shape[0]):
        out[i] = vtanh(x[i])


def _apply(kernel, x: np.ndarray) -> np.ndarray:
    x = np.ascontiguousarray(x)
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float64)
    out = np.empty_like(x)
    kernel(x.reshape(-1), out.reshape(-1))
    return out


def exp_array(x: np.ndarray) -> np.ndarray:
    """``vexp`` over a float32 or float64 array (other dtypes as float64): a new
    C-contiguous array of ``x``'s shape."""
    return _apply(_exp_numba, x)


def tanh_array(x: np.ndarray) -> np.ndarray:
    """``vtanh`` over a float32 or float64 array, as :func:`exp_array`."""
    return _apply(_tanh_numba, x)
