"""PyTorch's semantics where ours differed (issue #14): ``axis``/``keepdims`` aliases,
exception types and dim checks on 0-d tensors, gather/scatter with an index smaller than
the input, indexing that mixes ints with tensors or lists (PyTorch's axis order),
``prod(0)`` of a 0-d tensor, integer ``arange``/``linspace``, and max pooling of integers
(both kernel backends)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import kernels
from tests.helpers import arr, assert_matches_torch, leaf


# -- axis= and keepdims= ------------------------------------------------------------------
AXIS_CASES = [
    ("max", {}), ("min", {}), ("any", {}), ("all", {}), ("sum", {}), ("mean", {}),
    ("std", {}), ("var", {}), ("prod", {}), ("cumsum", {}), ("cumprod", {}),
    ("softmax", {}), ("log_softmax", {}), ("argmax", {}), ("argmin", {}), ("amax", {}),
    ("amin", {}), ("logsumexp", {}), ("median", {}), ("sort", {}), ("argsort", {}),
    ("topk", {"k": 2}), ("count_nonzero", {}), ("cummax", {}), ("cummin", {}),
    ("logcumsumexp", {}), ("squeeze", {}), ("unsqueeze", {}), ("diff", {}),
    ("index_select", {"index": [0, 2]}), ("narrow", {"start": 0, "length": 2}),
    ("select", {"index": 1}), ("chunk", {"chunks": 2}), ("unbind", {}),
    ("repeat_interleave", {"repeats": 2}),
]


def _first(out):
    return out[0] if isinstance(out, tuple) else out


@pytest.mark.parametrize("name,kwargs", AXIS_CASES, ids=[c[0] for c in AXIS_CASES])
@pytest.mark.parametrize("form", ["method", "function"])
def test_axis_is_an_alias_of_dim_as_torch(torch, name, kwargs, form):
    a = arr((3, 4), seed=1)
    if name in ("any", "all"):
        a = a > 0

    def call(m):
        x = m.tensor(a)
        kw = {k: (m.tensor(v) if k == "index" else v) for k, v in kwargs.items()}
        fn = getattr(x, name) if form == "method" else getattr(m, name, None)
        if fn is None:
            pytest.skip(f"torch.{name} has no function form")
        return fn(axis=1, **kw) if form == "method" else fn(x, axis=1, **kw)

    ours, theirs = _first(call(ag)), _first(call(torch))
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(np.asarray(ours.numpy(), float), theirs.double().numpy(),
                               rtol=1e-6)


def test_keepdims_alias_and_std_var_mean(torch):
    a = arr((3, 4), seed=2)
    for name in ("sum", "mean", "amax", "max", "argmax", "any", "prod", "std", "logsumexp"):
        ours = _first(getattr(ag.tensor(a), name)(axis=0, keepdims=True))
        theirs = _first(getattr(torch.tensor(a), name)(axis=0, keepdims=True))
        assert ours.shape == tuple(theirs.shape), name
    for fn in ("std_mean", "var_mean"):
        ours = getattr(ag, fn)(ag.tensor(a), axis=1, keepdims=True)
        theirs = getattr(torch, fn)(torch.tensor(a), axis=1, keepdims=True)
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=1e-12)
    with pytest.raises(TypeError, match="both 'dim' and its alias 'axis'"):
        ag.ones(2).sum(dim=0, axis=0)


# -- exception types --------------------------------------------------------------------------
def _x(m):
    return m.zeros(3, 4)


SHAPE_ERRORS = {
    "reshape": lambda m: _x(m).reshape(5),
    "view": lambda m: _x(m).view(5),
    "expand": lambda m: _x(m).expand(5, 4),
    "expand_as": lambda m: _x(m).expand_as(m.zeros(5, 4)),
    "broadcast_to": lambda m: _x(m).broadcast_to((5, 4)),
    "cat": lambda m: m.cat([_x(m), m.zeros(2, 3)]),
    "stack": lambda m: m.stack([_x(m), m.zeros(2, 3)]),
    "matmul": lambda m: _x(m) @ m.zeros(3, 4),
    "mm": lambda m: _x(m).mm(m.zeros(3, 4)),
    "bmm": lambda m: m.zeros(2, 3, 4).bmm(m.zeros(2, 3, 4)),
    "dot": lambda m: m.ones(3).dot(m.ones(4)),
    "mv": lambda m: _x(m).mv(m.ones(3)),
    "add": lambda m: _x(m) + m.zeros(4, 3),
    "eq": lambda m: _x(m) == m.zeros(4, 3),
    "gather_ndim": lambda m: _x(m).gather(1, m.zeros(2, dtype=m.int64)),
    "gather_larger": lambda m: _x(m).gather(1, m.zeros(4, 2, dtype=m.int64)),
    "scatter_larger": lambda m: _x(m).scatter(1, m.zeros(2, 2, dtype=m.int64), m.ones(1, 2)),
    "scatter_ndim": lambda m: _x(m).scatter(1, m.zeros(2, dtype=m.int64), m.ones(2)),
    "scatter_dtype": lambda m: _x(m).scatter(1, m.zeros(2, 2, dtype=m.int64),
                                             m.ones(2, 2, dtype=m.float64)),
    "permute_dup": lambda m: _x(m).permute(0, 0),
    "flatten": lambda m: _x(m).flatten(1, 0),
    "split0": lambda m: _x(m).split(0),
    "chunk0": lambda m: _x(m).chunk(0),
    "narrow": lambda m: _x(m).narrow(0, 2, 5),
    "sum_to_size": lambda m: _x(m).sum_to_size(5),
    "masked_select": lambda m: _x(m).masked_select(m.ones(4, 3) > 0),
    "einsum": lambda m: m.einsum("ij,jk->ik", _x(m), _x(m)),
    "item": lambda m: _x(m).item(),
    "squeeze_dim": lambda m: _x(m).squeeze(3),
    "sum_dim": lambda m: _x(m).sum(3),
    "transpose_dim": lambda m: _x(m).transpose(0, 2),
    "select_index": lambda m: _x(m).select(0, 5),
}


@pytest.mark.parametrize("name", list(SHAPE_ERRORS))
def test_shape_errors_have_pytorch_exception_types(torch, name):
    fn = SHAPE_ERRORS[name]
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(Exception) as ours:
        fn(ag)
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)


ZERO_D_DIM_OPS = {
    "sum": lambda t, d: t.sum(d), "mean": lambda t, d: t.mean(d), "prod": lambda t, d: t.prod(d),
    "max": lambda t, d: t.max(d)[0], "min": lambda t, d: t.min(d)[0],
    "argmax": lambda t, d: t.argmax(d), "argmin": lambda t, d: t.argmin(d),
    "softmax": lambda t, d: t.softmax(d), "log_softmax": lambda t, d: t.log_softmax(d),
    "cumsum": lambda t, d: t.cumsum(d), "cumprod": lambda t, d: t.cumprod(d),
    "logsumexp": lambda t, d: t.logsumexp(d), "amax": lambda t, d: t.amax(d),
    "any": lambda t, d: t.any(d), "all": lambda t, d: t.all(d),
    "std": lambda t, d: t.std(d, correction=0), "var": lambda t, d: t.var(d, correction=0),
    "median": lambda t, d: t.median(d)[0], "sort": lambda t, d: t.sort(d)[0],
    "argsort": lambda t, d: t.argsort(d), "norm": lambda t, d: t.norm(dim=d),
    "flip": lambda t, d: t.flip(d), "squeeze": lambda t, d: t.squeeze(d),
    "unsqueeze": lambda t, d: t.unsqueeze(d), "count_nonzero": lambda t, d: t.count_nonzero(d),
    "cummax": lambda t, d: t.cummax(d)[0], "logcumsumexp": lambda t, d: t.logcumsumexp(d),
    "topk": lambda t, d: t.topk(1, d)[0], "movedim": lambda t, d: t.movedim(d, 0),
    "transpose": lambda t, d: t.transpose(d, 0), "gather": lambda t, d: t.gather(d, t.argmax()),
    "unbind": lambda t, d: t.unbind(d), "size": lambda t, d: t.size(d),
    "roll": lambda t, d: t.roll(1, d), "select": lambda t, d: t.select(d, 0),
    "narrow": lambda t, d: t.narrow(d, 0, 1), "diff": lambda t, d: t.diff(dim=d),
}


@pytest.mark.parametrize("name", list(ZERO_D_DIM_OPS))
@pytest.mark.parametrize("dim", [0, -1, 1, -2])
def test_dims_of_a_0d_tensor_as_torch(torch, name, dim):
    """Dims -1 and 0 are valid on a 0-d tensor where PyTorch takes them; others raise its
    exception (IndexError "Dimension out of range ..." for the reductions)."""
    fn = ZERO_D_DIM_OPS[name]
    try:
        theirs = fn(torch.tensor(2.5, dtype=torch.float64), dim)
    except Exception as e:  # noqa: BLE001 - the type is compared
        with pytest.raises(type(e)) as info:
            fn(ag.tensor(2.5, dtype=ag.float64), dim)
        if str(e).startswith("Dimension out of range"):
            assert str(info.value) == str(e)
        return
    ours = fn(ag.tensor(2.5, dtype=ag.float64), dim)
    if isinstance(theirs, (tuple, int)):
        assert (len(ours), len(theirs)) if isinstance(theirs, tuple) else ours == theirs
        return
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(np.asarray(ours.numpy(), float), theirs.double().numpy())


def test_sum_of_0d_over_dim_1_raises_pytorch_message():
    with pytest.raises(IndexError, match=r"^Dimension out of range \(expected to be in range of "
                                         r"\[-1, 0\], but got 1\)$"):
        ag.tensor(1.0).sum(1)


def test_prod_over_dim_0_of_0d_tensor_has_gradient(torch):
    assert_matches_torch(torch, lambda m, x: m.prod(x, 0) * 3, [np.array(2.5)])
    x = leaf(np.array(2.5))
    x.prod(0, keepdim=True).backward()
    assert x.grad.item() == 1.0


# -- gather / scatter with a smaller index --------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gather_with_an_index_smaller_than_input_as_torch(torch, dim):
    index = np.random.default_rng(3).integers(0, 4 if dim == 0 else 5, size=(2, 3))
    assert_matches_torch(torch, lambda m, x: x.gather(dim, m.tensor(index)), [arr((4, 5), seed=4)])
    x = leaf(arr((4, 5), seed=5))
    assert ag.gradcheck(lambda t: t.gather(dim, ag.tensor(index)), (x,))


@pytest.mark.parametrize("dim", [0, 1])
def test_scatter_and_scatter_add_with_smaller_index_as_torch(torch, dim):
    rng = np.random.default_rng(6)
    # distinct places along dim, so that no two elements write to one place
    if dim == 0:
        index = np.stack([rng.permutation(4)[:2] for _ in range(3)], axis=1)  # (2, 3)
    else:
        index = np.stack([rng.permutation(5)[:3] for _ in range(2)])  # (2, 3)
    src = arr(index.shape, seed=7)
    assert_matches_torch(torch, lambda m, x, s: x.scatter(dim, m.tensor(index), s),
                         [arr((4, 5), seed=8), src])
    repeated = rng.integers(0, 4 if dim == 0 else 5, size=index.shape)
    assert_matches_torch(torch, lambda m, x, s: x.scatter_add(dim, m.tensor(repeated), s),
                         [arr((4, 5), seed=9), src])
    # a src larger than index: only the part index covers is read (and gets gradient;
    # PyTorch's backward refuses this case, so the gradient is checked by gradcheck)
    big = arr((3, 4), seed=10)
    for name in ("scatter", "scatter_add"):
        ours = getattr(ag.tensor(arr((4, 5), seed=8)), name)(dim, ag.tensor(index), ag.tensor(big))
        theirs = getattr(torch.tensor(arr((4, 5), seed=8)), name)(dim, torch.tensor(index),
                                                                 torch.tensor(big))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
        assert ag.gradcheck(lambda x, s: getattr(x, name)(dim, ag.tensor(index), s),
                            (leaf(arr((4, 5), seed=8)), leaf(big)))
    ours = ag.zeros(4, 5).scatter(dim, ag.tensor(index), 7.0)
    theirs = torch.zeros(4, 5).scatter(dim, torch.tensor(index), 7.0)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# -- indexing that mixes ints with tensors or lists ------------------------------------------------
def _patterns(m):
    t = m.tensor
    return [
        (0, slice(None), [0, 1]), (0, slice(None), t([2, 0])), (slice(None), 0, [1, 3]),
        ([0, 1], slice(None), 0), ([1], 2, slice(1, 3)), (0, Ellipsis, [1, 2]),
        ([1], Ellipsis, 0), (None, 0, slice(None), [0, 1]), (0, None, [1, 0]),
        (1, slice(None), [[0], [2]]), (0, [True, False, True], slice(1, None)),
        (t(1), slice(None), [0, 3]), (t(1), [0, 1]), (1, [0, 2], [1, 3]),
        (slice(None), [0, 1], 2), (1, slice(None, None, 2), t([[0, 1], [2, 3]])),
        (-1, slice(None), t([-1, 0])), ([0, 1], 1, [2, 3]), (0, 1, [0, 2, 3]),
        (Ellipsis, 1, [0, 2]), (0, slice(None), t([True, False, True, False])),
    ]


@pytest.mark.parametrize("k", range(21))
def test_mixed_int_and_tensor_indexing_as_torch(torch, k):
    a = arr((2, 3, 4), seed=10)
    index_ours, index_theirs = _patterns(ag)[k], _patterns(torch)[k]
    assert_matches_torch(torch, lambda m, x: x[index_ours if m is ag else index_theirs] * 2, [a])
    # __setitem__ writes to the same places as PyTorch's
    ours, theirs = ag.tensor(a), torch.tensor(a)
    value = arr(tuple(theirs[index_theirs].shape), seed=11)
    ours[index_ours] = ag.tensor(value)
    theirs[index_theirs] = torch.tensor(value)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    ours[index_ours] = -1.0
    theirs[index_theirs] = -1.0
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_mixed_indexing_setitem_is_recorded_in_the_graph(torch):
    a, v = arr((2, 3, 4), seed=12), arr((3, 2), seed=13)

    def fn(m, x, val):
        y = x * 1
        y[0, :, [0, 1]] = val * 2
        return y

    assert_matches_torch(torch, fn, [a, v])


def test_0d_int_tensor_index_is_a_view_as_torch():
    x = ag.zeros(3, 4)
    y = x[ag.tensor(1)]
    y[0] = 5.0
    assert x[1, 0].item() == 5.0


# -- integer arange and linspace -----------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "uint8", "float32", "float64"])
def test_arange_with_float_ends_and_integer_dtype_as_torch(torch, dtype):
    rng = np.random.default_rng(14)
    cases = [(0.5, 5, 1.5), (-2.5, 2, 1), (0, 3.5, 1), (0.9, 3, 1), (0, -3.5, -1.2),
             (1.5, 7.9, 2.5), (0, 7, 2.5), (-1, 2, 0.7), (0.5, 0.2, 1), (0, 10, 3)]
    cases += [tuple(rng.uniform(-9, 9, 2)) + (rng.choice([-1, 1]) * rng.uniform(0.3, 4),)
              for _ in range(30)]
    for start, end, step in cases:
        if dtype == "uint8" and min(start, end) < 0:
            continue
        try:
            theirs = torch.arange(start, end, step, dtype=getattr(torch, dtype)).numpy()
        except Exception as e:  # noqa: BLE001
            with pytest.raises(type(e)):
                ag.arange(start, end, step, dtype=getattr(ag, dtype))
            continue
        ours = ag.arange(start, end, step, dtype=getattr(ag, dtype)).numpy()
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, (start, end, step)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-5)


def test_arange_of_python_ints_as_torch(torch):
    # counting up in Python ints takes NumPy's arange directly; every other case (a step
    # down, an empty or inconsistent range, a float, a bool, ends past 2**52, another
    # dtype) the general path: both must give PyTorch's numbers, dtype and errors
    big = 2 ** 52
    cases = [(5,), (0,), (1, 6), (0, 10, 3), (3, 3), (-5, 7, 2), (7, 0, -2), (0, 9, 4),
             (big - 3, big + 2), (-big - 2, -big + 3), (True, 4), (1, 6.0), (4, 1)]
    for args in cases:
        for kw in ({}, {"dtype": "int64"}, {"dtype": "int32"}, {"dtype": "float64"}):
            kw_t = {k: getattr(torch, v) for k, v in kw.items()}
            kw_o = {k: getattr(ag, v) for k, v in kw.items()}
            try:
                theirs = torch.arange(*args, **kw_t).numpy()
            except Exception as e:  # noqa: BLE001
                with pytest.raises(type(e)):
                    ag.arange(*args, **kw_o)
                continue
            ours = ag.arange(*args, **kw_o).numpy()
            assert ours.dtype == theirs.dtype, (args, kw)
            assert ours.tolist() == theirs.tolist(), (args, kw)
    assert ag.arange(3, requires_grad=False).tolist() == [0, 1, 2]


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "float32", "float64"])
def test_linspace_with_integer_dtype_truncates_as_torch(torch, dtype):
    cases = [(0, 10, 4), (-5, 5, 4), (-5.5, 5, 7), (0.9, 9.9, 5), (10, -10, 6), (3, 3, 3),
             (1, 2, 1), (1, 2, 0), (-7.5, 7.5, 11), (0, 100, 7), (2.7, -3.2, 9)]
    for start, end, steps in cases:
        ours = ag.linspace(start, end, steps, dtype=getattr(ag, dtype)).numpy()
        theirs = torch.linspace(start, end, steps, dtype=getattr(torch, dtype)).numpy()
        assert ours.dtype == theirs.dtype
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


# -- max pooling of integers -------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "int32", "int64"])
def test_max_pool2d_of_integers_as_torch(torch, backend, dtype):
    info = np.iinfo(dtype)
    x = np.random.default_rng(15).integers(info.min, int(info.max) + 1, size=(2, 3, 7, 6),
                                           dtype=dtype)
    x[0, 0] = info.min  # windows of the lowest value report their first pixel
    geometries = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                  dict(kernel_size=(2, 3), stride=1, padding=1, dilation=2, ceil_mode=True)]
    with kernels.use_backend(backend):
        for g in geometries:
            out, idx = ag.max_pool2d(ag.tensor(x), return_indices=True, **g)
            tout, tidx = torch.nn.functional.max_pool2d(torch.tensor(x), return_indices=True, **g)
            assert out.dtype == x.dtype and not out.requires_grad
            np.testing.assert_array_equal(out.numpy(), tout.numpy())
            np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    with pytest.raises(NotImplementedError, match="'Bool'"):
        ag.max_pool2d(ag.ones(1, 1, 2, 2, dtype=ag.bool), 2)


# -------------------------------------------- keyword arguments PyTorch code passes
def test_added_keyword_arguments_as_torch(torch):
    a, b = arr((3, 4), seed=53), arr((4,), seed=54)
    for case in (lambda m, x, y: x.add(y, alpha=3), lambda m, x, y: m.add(x, y, alpha=-2),
                 lambda m, x, y: x.sub(y, alpha=0.5), lambda m, x, y: m.subtract(x, y, alpha=2)):
        assert_matches_torch(torch, case, [a, b])
    for case in (lambda m, x: x.softmax(1, dtype=m.float64),
                 lambda m, x: x.log_softmax(dim=0, dtype=m.float64),
                 lambda m, x: x.prod(1, dtype=m.float64),
                 lambda m, x: x.cumsum(0, dtype=m.float64)):
        assert_matches_torch(torch, case, [a])
    nan = [1.0, float("nan")]
    assert ag.tensor(nan).allclose(ag.tensor(nan), equal_nan=True)
    assert not ag.tensor(nan).allclose(ag.tensor(nan))
    x = ag.ones(2, requires_grad=True)
    assert x.numpy(force=True).tolist() == [1.0, 1.0]
    assert ag.tensor([1, 2], dtype=ag.int32).sum().dtype == ag.int64
    assert ag.tensor([1, 2], dtype=ag.int8).prod().dtype == ag.int64


# -- Python numbers with tensors: the dtype of the result -----------------------------------
NUMBER_CASES = [
    ("int * float", lambda m: m.tensor([1, 2]) * 2.5),
    ("float + int", lambda m: 2.5 + m.tensor([1, 2])),
    ("int - float", lambda m: m.tensor([1, 2], dtype=m.int32) - 0.5),
    ("bool * float", lambda m: m.tensor([True, False]) * 2.5),
    ("int / int", lambda m: m.tensor([1, 2]) / 2),
    ("bool / int", lambda m: m.tensor([True]) / 2),
    ("int / int tensor", lambda m: m.tensor([1, 2]) / m.tensor([2])),
    ("int ** float", lambda m: m.tensor([1, 2]) ** 0.5),
    ("float16 * float", lambda m: m.tensor([1.5], dtype=m.float16) * 3.25),
    ("float32 * int", lambda m: m.tensor([1.5]) * 3),
    ("float64 + float", lambda m: m.tensor([1.5], dtype=m.float64) + 0.1),
    ("int * int", lambda m: m.tensor([3], dtype=m.int16) * 7),
    ("bool + int", lambda m: m.tensor([True]) + 1),
]


@pytest.mark.parametrize("default", ["float32", "float64"])
@pytest.mark.parametrize("name,fn", NUMBER_CASES, ids=[c[0] for c in NUMBER_CASES])
def test_python_numbers_take_pytorchs_dtype(torch, name, fn, default):
    """A Python float next to an integer tensor gives the default dtype (not always
    float32), as does true division of integers; next to a float tensor a number takes
    that tensor's dtype."""
    before = ag.get_default_dtype()
    ag.set_default_dtype(getattr(ag, default))
    torch.set_default_dtype(getattr(torch, default))
    try:
        ours, theirs = fn(ag), fn(torch)
    finally:
        ag.set_default_dtype(before)
        torch.set_default_dtype(torch.float32)
    assert ours.numpy().dtype == theirs.numpy().dtype, name
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-3 if "16" in name else 1e-6)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("number", [2.5, -3, 0])
def test_a_python_number_in_arithmetic_keeps_the_gradient(torch, dtype, number):
    """The fast path for a Python number (it becomes a constant of the tensor's dtype):
    values, result dtype and gradients of every operator as PyTorch's."""
    base = np.array([[0.5, -1.25, 2.0]], dtype=dtype)
    tol = 2e-3 if dtype == "float16" else 1e-6
    for op in (lambda x: x * number, lambda x: number * x, lambda x: x + number,
               lambda x: number - x, lambda x: x - number, lambda x: x / (number or 1),
               lambda x: (number or 1) / x, lambda x: x ** (number or 2)):
        outs = []
        for m in (ag, torch):
            x = m.tensor(base.copy(), requires_grad=True)
            y = op(x)
            y.sum().backward()
            outs.append((y.detach().numpy(), x.grad.numpy(), str(y.dtype).split(".")[-1]))
        (yo, go, do), (yt, gt, dt) = outs
        assert do == dt == dtype
        np.testing.assert_allclose(yo, yt, rtol=tol, atol=tol)
        np.testing.assert_allclose(go, gt, rtol=tol, atol=tol)


def test_a_python_number_op_that_records_nothing_is_pytorchs(torch):
    """Arithmetic with a Python number computes without the op machinery when nothing is
    recorded (``i + block_size`` in a batch loop): the same values and dtypes as PyTorch's
    (integers stay int64, int and float mix to float), an op on a view whose base has
    since been changed in place by a recorded op still records (its gradient reaches the
    in-place operand), a profiler still sees every op, and with the number on the left of
    ``+`` and ``*`` the tensor is the op's first input, as PyTorch's."""
    for m in (ag, torch):
        i = m.tensor([5, 9])[1]
        # exact: integer arithmetic, and 9 * 0.5 is representable
        assert (i + 8).item() == 17 and (2 * i).dtype == m.int64 and (i * 0.5).item() == 4.5
        assert (8 + i).dtype == m.int64 and (i / 2).dtype == m.float32
    results = []
    for m in (ag, torch):
        base = m.zeros(3)
        view = base[:2]
        w = m.ones(3, requires_grad=True)
        base.add_(w)                          # the view's base now needs a gradient
        y = view * 2.0
        assert y.requires_grad
        y.sum().backward()
        x = m.ones(2, requires_grad=True)
        order = [n is None for n, _ in (0.1 * x).grad_fn.next_functions]
        results.append((w.grad.tolist(), order))
    # exact: the gradients are 2 * 1 in float32, representable on any CPU
    assert results[0] == results[1] == ([2.0, 2.0, 0.0], [False, True])
    with ag.autograd.profiler.profile() as prof:
        ag.tensor([1, 2]) + 1
    assert any("add" in e.name for e in prof.function_events)


@pytest.mark.parametrize("sizes", [(-1, 8, 1), (8, 3, 2), (3,), (8, -2), (2, 8, -1), (8, 4),
                                   (1, -1, 5), (8, 1)])
def test_expand_sizes_and_refusals_as_pytorch(torch, sizes):
    """-1 keeps a dim, but not in a new leading one; a dim of size > 1 cannot change:
    PyTorch's shapes, and its RuntimeError and message otherwise."""
    results = []
    for m in (ag, torch):
        x = m.arange(8.0).reshape(8, 1)
        try:
            results.append(tuple(x.expand(*sizes).shape))
        except RuntimeError as e:
            results.append(str(e).split("expand(torch.FloatTensor{[8, 1]}, size=[3]): ")[-1]
                           .replace("expand: ", ""))
    ours, theirs = results
    if isinstance(theirs, str) and "overflow" in theirs:   # (8, -2): PyTorch's own wording
        assert isinstance(ours, str) and "(-2)" in ours
    else:
        assert ours == theirs


def test_generator_is_made_as_pytorchs(torch):
    """``torch.Generator(device=...)``: the first argument is a device (build-nanogpt's
    sampler makes one with ``device=device``), a new generator starts from PyTorch's fixed
    seed, and other devices are refused with PyTorch's exception type."""
    for args, kwargs in (((), {}), (("cpu",), {}), ((), {"device": "cpu"}),
                         ((), {"device": torch.device("cpu")})):
        ours = ag.Generator(*args, **{k: (ag.device("cpu") if k == "device" and not
                                          isinstance(v, str) else v) for k, v in kwargs.items()})
        theirs = torch.Generator(*args, **kwargs)
        assert ours.initial_seed() == theirs.initial_seed()
        assert str(ours.device) == str(theirs.device) == "cpu"
    # equal generators give equal draws
    assert ag.rand(4, generator=ag.Generator()).equal(ag.rand(4, generator=ag.Generator()))
    for bad in ("cuda", 0):
        with pytest.raises(RuntimeError):
            torch.Generator(bad)
        with pytest.raises(RuntimeError):
            ag.Generator(bad)
    with pytest.raises(RuntimeError, match="Generator: expected device 'cpu', got 'cuda'"):
        ag.Generator(device="cuda")


def test_default_generator_is_the_global_generator_object(torch):
    """``torch.default_generator`` is a Generator (not a function): seeding it seeds the
    global stream, and it can be passed as ``generator=``."""
    assert isinstance(torch.default_generator, torch.Generator)
    assert isinstance(ag.default_generator, ag.Generator)
    ag.default_generator.manual_seed(5)
    a = ag.rand(3)
    ag.manual_seed(5)
    assert ag.rand(3, generator=ag.default_generator).equal(a)   # one stream: same draws
    assert ag.initial_seed() == ag.default_generator.initial_seed() == 5
