"""Gradients at kinks, at zeros and at other edge points, and inputs PyTorch refuses
(issue #12, items 8 and 9).

Every case runs the same function on autograd_core and on PyTorch in float64 and
compares values and input gradients for a given upstream gradient (which may hold inf
or NaN), through both backward paths: the array one (``backward``) and the graph of
the gradient (``create_graph=True``). Where the function is smooth at the point,
``gradcheck`` checks the gradient against finite differences too.
"""
import warnings

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.nn.functional as F
from tests.helpers import leaf

INF, NAN = float("inf"), float("nan")
# inf and NaN arithmetic is the point here: NumPy's warnings about it are expected
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def fn_of(m):
    """``nn.functional`` of the module: ours for autograd_core, PyTorch's for torch."""
    return F if m is ag else m.nn.functional


def _run(m, fn, arrays, grad, create_graph):
    if m is ag:
        ins = [leaf(a) for a in arrays]
    else:
        ins = [m.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = fn(m, *ins)
    g = np.array(np.broadcast_to(np.asarray(grad, dtype=np.float64), tuple(out.shape)))
    grad_fn = ag.grad if m is ag else m.autograd.grad
    gs = grad_fn(out, ins, m.tensor(g), create_graph=create_graph, allow_unused=True)
    return (np.asarray(out.detach().numpy()),
            [None if x is None else np.asarray(x.detach().numpy()) for x in gs])


def _close(ours, theirs, rtol=1e-10):
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-12)


def check(torch, fn, arrays, grad=1.0, grad_rtol=1e-10):
    """``fn(module, *leaves)`` gives PyTorch's values and input gradients for the upstream
    gradient ``grad`` (broadcast to the output's shape), on both backward paths."""
    for create_graph in (False, True):
        ov, og = _run(ag, fn, arrays, grad, create_graph)
        tv, tg = _run(torch, fn, arrays, grad, create_graph)
        assert ov.shape == tv.shape
        _close(ov, tv)
        for a, b in zip(og, tg):
            assert (a is None) == (b is None)
            if a is not None:
                _close(a, b, grad_rtol)


def check_second(torch, fn, arrays):
    """Second derivatives: the gradient of ``sum(w * d out / d inputs)`` as PyTorch's."""
    res = []
    for m in (ag, torch):
        ins = [leaf(a) for a in arrays] if m is ag else [
            m.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
        out = fn(m, *ins)
        g = m.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)))
        grad_fn = ag.grad if m is ag else m.autograd.grad
        gs = grad_fn(out, ins, g, create_graph=True)
        total = sum((x * m.tensor(np.linspace(-1.0, 2.0, x.numel()).reshape(tuple(x.shape))))
                    .sum() for x in gs)
        res.append([np.asarray(x.detach().numpy()) for x in grad_fn(total, ins)])
    for a, b in zip(*res):
        _close(a, b)


# ------------------------------------------------------------------ 1. softplus
def test_softplus_gradient_at_zero_is_a_half(torch):
    check(torch, lambda m, x: fn_of(m).softplus(x), [[-1.0, 0.0, 1.0]])
    x = leaf([0.0])
    F.softplus(x).sum().backward()
    assert x.grad.tolist() == [0.5]


@pytest.mark.parametrize("beta,threshold", [(1.0, 20.0), (2.0, 20.0), (2.0, 1.0), (0.5, 20.0),
                                            (-1.0, 20.0), (1.0, 0.0), (3.0, -1.0)])
def test_softplus_beta_and_threshold(torch, beta, threshold):
    # around 0 and on both sides of the threshold, where beta * x > threshold is linear
    xs = [-30.0, -1.0, 0.0, 0.3, threshold / beta, threshold / beta + 0.25, 40.0]
    check(torch, lambda m, x: fn_of(m).softplus(x, beta=beta, threshold=threshold), [xs])
    check(torch, lambda m, x: fn_of(m).softplus(x, beta=beta, threshold=threshold), [xs],
          grad=[INF, NAN, INF, -INF, INF, NAN, INF])
    check_second(torch, lambda m, x: fn_of(m).softplus(x, beta=beta, threshold=threshold), [xs])


def test_softplus_gradcheck_at_zero():
    x = leaf([0.0, -0.5, 2.0])
    assert ag.gradcheck(lambda t: F.softplus(t, beta=2.0), (x,))
    assert ag.gradgradcheck(lambda t: F.softplus(t), (x,))


def test_logsigmoid_is_the_softplus_of_minus_x(torch):
    xs = [-100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0]
    check(torch, lambda m, x: fn_of(m).logsigmoid(x), [xs])
    check(torch, lambda m, x: fn_of(m).logsigmoid(x), [xs], grad=INF)


# ------------------------------------------- 2. masks and inf / NaN upstream gradients
# A gradient that an op masks to zero stays zero when the upstream gradient there is inf
# or NaN (PyTorch's where-based backwards); ops whose PyTorch backward is a product keep
# PyTorch's NaN.
XS = [-7.0, -4.0, -3.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 4.0, 6.0, 7.0]
UPSTREAM = {"inf": INF, "nan": NAN, "mixed": [INF, -INF, NAN, 1.0, INF, NAN, -INF, INF, 2.0,
                                              NAN, -INF, INF, NAN]}
POINTWISE = {
    "relu": lambda m, x: fn_of(m).relu(x),
    "relu6": lambda m, x: fn_of(m).relu6(x),
    "hardtanh": lambda m, x: fn_of(m).hardtanh(x),
    "hardtanh_bounds": lambda m, x: fn_of(m).hardtanh(x, -3.0, 3.0),
    "hardsigmoid": lambda m, x: fn_of(m).hardsigmoid(x),
    "hardswish": lambda m, x: fn_of(m).hardswish(x),
    "threshold": lambda m, x: fn_of(m).threshold(x, 0.5, -2.0),
    "leaky_relu": lambda m, x: fn_of(m).leaky_relu(x, 0.1),
    "leaky_relu_0": lambda m, x: fn_of(m).leaky_relu(x, 0.0),
    "elu": lambda m, x: fn_of(m).elu(x),
    "elu_alpha_0": lambda m, x: fn_of(m).elu(x, alpha=0.0),
    "celu": lambda m, x: fn_of(m).celu(x, alpha=2.0),
    "selu": lambda m, x: fn_of(m).selu(x),
    "softshrink": lambda m, x: fn_of(m).softshrink(x, 1.0),
    "hardshrink": lambda m, x: fn_of(m).hardshrink(x, 1.0),
    "clamp": lambda m, x: x.clamp(-1.0, 3.0),
    "clamp_min": lambda m, x: x.clamp(min=0.0),
    "clamp_max": lambda m, x: x.clamp(max=0.0),
    "clamp_min_tensor": lambda m, x: x.clamp_min(m.zeros(13, dtype=m.float64)),
    "clamp_max_tensor": lambda m, x: x.clamp_max(m.zeros(13, dtype=m.float64)),
    "where": lambda m, x: m.where(x > 0, x, m.zeros(13, dtype=m.float64)),
    "masked_fill": lambda m, x: x.masked_fill(x < 0, 2.0),
    "maximum": lambda m, x: x.maximum(m.zeros(13, dtype=m.float64)),
    "minimum": lambda m, x: m.minimum(x, m.ones(13, dtype=m.float64)),
    "abs": lambda m, x: x.abs(),
    "dropout_p1": lambda m, x: fn_of(m).dropout(x, 1.0),
    "prelu": lambda m, x: fn_of(m).prelu(x, m.tensor([0.25], dtype=m.float64)),
}


@pytest.mark.parametrize("upstream", UPSTREAM)
@pytest.mark.parametrize("name", POINTWISE)
def test_pointwise_kinks_with_inf_and_nan_upstream(torch, name, upstream):
    # PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32 even in float64
    rtol = 1e-7 if name == "hardsigmoid" else 1e-10
    check(torch, POINTWISE[name], [XS], grad_rtol=rtol)
    check(torch, POINTWISE[name], [XS], grad=UPSTREAM[upstream], grad_rtol=rtol)


def test_relu_then_sqrt_at_minus_one(torch):
    # sqrt's gradient at 0 is inf; relu's zero gradient at -1 masks it
    check(torch, lambda m, x: fn_of(m).relu(x).sqrt(), [[-1.0, 0.0, 4.0]])
    x = leaf([-1.0])
    F.relu(x).sqrt().sum().backward()
    assert x.grad.tolist() == [0.0]


def test_hardswish_gradients(torch):
    check_second(torch, lambda m, x: fn_of(m).hardswish(x), [XS])
    assert ag.gradcheck(lambda t: F.hardswish(t), (leaf([-4.0, -1.0, 0.0, 2.5, 4.0]),))


@pytest.mark.parametrize("upstream", [1.0, INF, NAN])
def test_maximum_minimum_ties_and_nan(torch, upstream):
    a = [1.0, NAN, 2.0, 2.0, NAN, -1.0]
    b = [2.0, 1.0, 1.0, 2.0, NAN, NAN]
    check(torch, lambda m, x, y: x.maximum(y), [a, b], grad=upstream)
    check(torch, lambda m, x, y: m.minimum(x, y), [a, b], grad=upstream)
    check(torch, lambda m, x, y: m.max(x, y), [a, b], grad=upstream)


@pytest.mark.parametrize("upstream", [1.0, INF, NAN])
@pytest.mark.parametrize("data", [[1.0, 3.0, 3.0, -2.0], [3.0, 3.0, 3.0, 3.0],
                                  [1.0, NAN, 3.0, NAN]])
def test_max_min_reductions(torch, data, upstream):
    rows = [data, [0.0, -1.0, 5.0, 5.0]]
    check(torch, lambda m, x: x.max(), [data], grad=upstream)
    check(torch, lambda m, x: -x.min(), [data], grad=upstream)
    check(torch, lambda m, x: x.amax(), [data], grad=upstream)
    check(torch, lambda m, x: x.amin(), [data], grad=upstream)
    check(torch, lambda m, x: x.max(1).values, [rows], grad=upstream)
    check(torch, lambda m, x: x.min(dim=1, keepdim=True)[0], [rows], grad=upstream)
    # amax/amin share the gradient between ties, and their backward is a product
    check(torch, lambda m, x: x.amax(1), [rows], grad=upstream)
    check(torch, lambda m, x: x.amin(-1, keepdim=True), [rows], grad=upstream)
    check(torch, lambda m, x: x.amax((0, 1)), [rows], grad=upstream)


def test_amax_ties_share_the_gradient():
    x = leaf([[1.0, 3.0, 3.0]])
    x.amax(1).sum().backward()
    assert x.grad.tolist() == [[0.0, 0.5, 0.5]]


def test_embedding_padding_row_gets_zero_gradient(torch):
    w = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    emb = lambda m, t: fn_of(m).embedding(m.tensor([[0, 1, 2, 1]]), t, padding_idx=1)
    check(torch, emb, [w])
    check(torch, emb, [w], grad=[[[1.0, 1.0], [INF, NAN], [2.0, 3.0], [-INF, INF]]])


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_ignored_targets_get_zero_gradient(torch, reduction):
    x = [[-1.0, -2.0, -0.5], [-3.0, -4.0, -0.1], [-0.2, -1.0, -2.0]]
    target = [0, -100, 2]
    up = [1.0, INF, 2.0] if reduction == "none" else INF
    for name in ("nll_loss", "cross_entropy"):
        for weight in (None, [1.0, 0.5, 2.0]):
            def fn(m, t, name=name, weight=weight):
                w = None if weight is None else m.tensor(weight, dtype=m.float64)
                return getattr(fn_of(m), name)(t, m.tensor(target), weight=w,
                                               reduction=reduction)
            check(torch, fn, [x], grad=up)
    check(torch, lambda m, t: fn_of(m).cross_entropy(t, m.tensor(target), reduction=reduction,
                                                     label_smoothing=0.2), [x], grad=up)


# ------------------------------------------------------------------------ 3. pow
POW_XS = [0.0, -1.0, 2.0, 0.5, -0.0]


@pytest.mark.parametrize("e", [0, 0.0, 1, 1.0, 2, 2.0, 3, 0.5, 1.5, -1.0, -0.5])
def test_pow_with_a_number_exponent(torch, e):
    check(torch, lambda m, x: x ** e, [POW_XS])
    check(torch, lambda m, x: x.pow(e), [POW_XS], grad=[INF, NAN, 1.0, INF, -INF])


def test_pow_zero_exponent_at_zero():
    # x ** 0 is 1 on both sides of 0: the gradient there is 0, not NaN
    x = leaf([0.0, -0.0, 3.0])
    (x ** 0).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    assert ag.gradcheck(lambda t: t ** 0, (leaf([0.0, 1.0]),))
    # as PyTorch's zeros_like, the gradient of a number exponent 0 has no graph
    (g,) = ag.grad((x ** 0).sum(), x, create_graph=True)
    assert not g.requires_grad


BASES = [0.0, 0.0, 0.0, 0.0, -1.0, 2.0, 0.0, -2.0, 3.0, 0.5]
EXPONENTS = [0.0, 1.0, 2.0, -1.0, 2.0, 0.5, 0.5, 0.5, 0.0, -1.5]


@pytest.mark.parametrize("upstream", [1.0, INF, NAN])
def test_pow_with_a_tensor_exponent(torch, upstream):
    check(torch, lambda m, x, y: x ** y, [BASES, EXPONENTS], grad=upstream)
    check(torch, lambda m, x, y: m.pow(x, y), [[0.0, 2.0], [[0.0], [1.0], [-1.0]]], grad=upstream)
    check(torch, lambda m, x: x ** m.tensor(EXPONENTS, dtype=m.float64), [BASES], grad=upstream)
    check(torch, lambda m, y: m.tensor(BASES, dtype=m.float64) ** y, [EXPONENTS], grad=upstream)


@pytest.mark.parametrize("base", [0.0, 2.0, -2.0, 1.0])
def test_pow_with_a_number_base(torch, base):
    check(torch, lambda m, y: base ** y, [[0.0, 1.0, 2.0, -1.0, 0.5, -0.5]])


def test_pow_second_derivatives(torch):
    check_second(torch, lambda m, x: x ** 2 + x ** 0.5 + x ** -1.5, [[0.5, 1.0, 2.0]])
    # at exponent 0 the mixed second derivative is masked to 0, as PyTorch's (not 1 / x)
    check_second(torch, lambda m, x, y: x ** y, [[0.5, 2.0, 3.0, 1.5], [2.0, -0.5, 0.0, 1.0]])
    assert ag.gradgradcheck(lambda x, y: x ** y, (leaf([0.5, 2.0, 3.0]), leaf([2.0, -0.5, 1.0])))


# ---------------------------------------------------------------------- 4. atan2
# all four quadrants, the axes (with both signs of zero) and the origin
YS = [1.0, 1.0, -1.0, -1.0, 0.0, 0.0, -0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 2.0, -3.0, 1e-200]
XS2 = [1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 0.0, 0.0, -0.0, -0.0, 0.0, -0.0, 0.0]


@pytest.mark.parametrize("upstream", [1.0, INF, NAN])
def test_atan2_quadrants_axes_and_origin(torch, upstream):
    check(torch, lambda m, y, x: y.atan2(x), [YS, XS2], grad=upstream)
    check(torch, lambda m, y: m.atan2(y, m.tensor(XS2, dtype=m.float64)), [YS], grad=upstream)
    check(torch, lambda m, x: m.atan2(m.tensor(YS, dtype=m.float64), x), [XS2], grad=upstream)
    check(torch, lambda m, y: y.atan2(m.tensor(0.0, dtype=m.float64)), [YS], grad=upstream)


def test_atan2_broadcast_and_second_derivatives(torch):
    check(torch, lambda m, y, x: m.atan2(y, x), [[[0.0], [1.0], [-2.0]], [0.0, -1.0, 3.0]])
    check_second(torch, lambda m, y, x: y.atan2(x), [YS, XS2])
    # smooth off the negative x axis, also where one coordinate is 0
    assert ag.gradcheck(lambda y, x: y.atan2(x), (leaf([1.0, 0.0, -2.0, 0.5]),
                                                 leaf([0.0, 2.0, 0.0, -1.0])))


# ------------------------------------------------------- 5. std, var and norms at 0
CONST = [[2.0, 2.0, 2.0, 2.0], [0.1, 0.1, 0.1, 0.1], [1.0, -1.0, 3.0, 0.5]]


@pytest.mark.parametrize("upstream", [1.0, INF])
def test_std_of_constant_input_has_zero_gradient(torch, upstream):
    # rows 0 and 1 are constant (their std is exactly 0), row 2 is not
    check(torch, lambda m, x: x.std(dim=1), [CONST], grad=upstream)
    check(torch, lambda m, x: x.std(1, keepdim=True, correction=0), [CONST], grad=upstream)
    check(torch, lambda m, x: x[:2].std(), [CONST], grad=upstream)
    check(torch, lambda m, x: m.std_mean(x, dim=1)[0] + m.std_mean(x, dim=1)[1], [CONST],
          grad=upstream)
    x = leaf([2.0, 2.0, 2.0])
    x.std().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_var_and_norms_at_zero(torch):
    check(torch, lambda m, x: x.var(dim=1), [CONST])
    check(torch, lambda m, x: x.var(1, correction=0) + m.var_mean(x, dim=1)[0], [CONST])
    zeros = [[0.0, 0.0, 0.0], [3.0, 0.0, -4.0]]
    for p in (2, 1, 3, 0.5, INF):
        check(torch, lambda m, x, p=p: x.norm(p=p, dim=1), [zeros])
        check(torch, lambda m, x, p=p: m.linalg.vector_norm(x, p, dim=1), [zeros])
    check(torch, lambda m, x: x.norm(), [[[0.0, 0.0], [0.0, 0.0]]])
    for p in (2.0, 1.0, 3.0):
        check(torch, lambda m, x, p=p: fn_of(m).normalize(x, p=p, dim=1), [zeros])


def test_std_second_derivatives(torch):
    check_second(torch, lambda m, x: x.std(dim=1), [CONST])
    assert ag.gradcheck(lambda t: t.std(dim=1), (leaf(CONST[2:]),))


def test_std_is_one_node_as_pytorchs(torch):
    """``std`` is one op, PyTorch's ``StdBackward0`` (it was a variance, a mask and a square
    root), with PyTorch's values and gradients over dims, keepdim and corrections; one
    element gives NaN as PyTorch's."""
    x = [[1.0, -1.0, 3.0, 0.5], [2.0, 0.0, 2.0, -2.0]]
    for m in (ag, torch):
        assert m.tensor(x, requires_grad=True).std(1).grad_fn.name() == "StdBackward0"
    check(torch, lambda m, t: t.std(), [x])
    check(torch, lambda m, t: t.std((0, 1), keepdim=True, correction=0), [x])
    check(torch, lambda m, t: t.std(0, unbiased=False) * t.std(1).sum(), [x])
    for m in (ag, torch):
        one = m.tensor([1.5], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")      # PyTorch warns of the degrees of freedom
            one.std().backward()
        assert np.isnan(one.grad.numpy()).all()


@pytest.mark.parametrize("upstream", [1.0, INF])
def test_var_gradient_is_the_closed_form(torch, upstream):
    # 2 (x - mean) / (n - correction): the terms through the mean add up to 0, so an inf
    # upstream gradient gives +-inf, not inf - inf
    x = [[1.0, -1.0, 3.0, 0.5], [2.0, 2.0, 2.0, 2.0]]
    check(torch, lambda m, t: t.var(dim=1) + t.var(1, correction=0), [x], grad=upstream)
    check(torch, lambda m, t: t.var((0, 1), keepdim=True, correction=2.5), [x], grad=upstream)
    check(torch, lambda m, t: t[0, 0].var(correction=0), [x], grad=upstream)
    check_second(torch, lambda m, t: t.var(dim=0) * t.std(), [x[:1] + [[0.0, 1.0, 2.0, 4.0]]])


def test_var_of_integers_is_refused(torch):
    for fn in (lambda m: m.tensor([1, 2]).var(), lambda m: m.tensor([1, 2]).std()):
        with pytest.raises(RuntimeError, match="std and var only support floating point"):
            fn(torch)
        with pytest.raises(RuntimeError, match="std and var only support floating point"):
            fn(ag)


# ----------------------------------------------- 6. casts to integer types drop grad
CASTS = {
    "long": lambda m, x: x.long(),
    "int": lambda m, x: x.int(),
    "bool": lambda m, x: x.bool(),
    "to_int64": lambda m, x: x.to(m.int64),
    "to_dtype_kw": lambda m, x: x.to(dtype=m.int32),
    "to_device_dtype": lambda m, x: x.to("cpu", m.int64),
    "to_device_dtype_kw": lambda m, x: x.to(device="cpu", dtype=m.int64),
    "to_other": lambda m, x: x.to(m.tensor([1])),
    "type_as": lambda m, x: x.type_as(m.tensor([True])),
    "to_uint8": lambda m, x: x.to(m.uint8),
    "half_then_int": lambda m, x: x.half().int(),
    "view_then_long": lambda m, x: x[1:].long(),
    "argmax": lambda m, x: x.argmax(),
    "compare": lambda m, x: x > 0,
    "to_float32": lambda m, x: x.to(m.float32),
    "to_device_float32": lambda m, x: x.to("cpu", m.float32),
    "round": lambda m, x: x.round(),
    "floor": lambda m, x: x.floor(),
}


@pytest.mark.parametrize("name", CASTS)
def test_integer_casts_drop_requires_grad(torch, name):
    x = leaf([1.5, -2.5, 0.0])
    t = torch.tensor([1.5, -2.5, 0.0], dtype=torch.float64, requires_grad=True)
    ours, theirs = CASTS[name](ag, x), CASTS[name](torch, t)
    assert ours.requires_grad == theirs.requires_grad
    assert ours.dtype == np.dtype(str(theirs.dtype).replace("torch.", ""))
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())


def _copy_into(m, x):
    return m.zeros(3, dtype=m.int64).copy_(x * 2)


def _setitem_into(m, x):
    a = m.zeros(3, dtype=m.int64)
    a[1:] = x[:2] * 2
    return a


@pytest.mark.parametrize("fn", [_copy_into, _setitem_into])
def test_writing_into_an_integer_tensor_drops_requires_grad(torch, fn):
    x = leaf([1.5, -2.5, 3.0])
    t = torch.tensor([1.5, -2.5, 3.0], dtype=torch.float64, requires_grad=True)
    ours, theirs = fn(ag, x), fn(torch, t)
    assert not ours.requires_grad and not theirs.requires_grad and ours.grad_fn is None
    assert ours.tolist() == theirs.tolist()


def test_fill_of_an_integer_tensor_with_a_tensor_that_requires_grad():
    # (PyTorch marks the int64 result as requiring grad, a gradient it can never hold;
    # here, as for every integer tensor, it does not)
    a = ag.zeros(2, dtype=ag.int64).fill_(leaf(2.5) * 2)
    assert a.tolist() == [5, 5] and not a.requires_grad


# ---------------------------------------------- 7. normalisation of constant inputs
# constants whose plain mean over 6 or 7 copies is off by an ulp or more, and others
CONSTANTS = [0.1, 0.3, 7.0, 123456.789, 1e8 + 0.1, 1.1e15 + 0.3, -3.3e15, 1e20 / 3, 1e30 / 7]
ROW_GRAD = [0.5, -1.0, 2.0, 0.25, 1.5, -0.75, 1.0]


def _constant_rows(c):
    # a constant row, then an ordinary one
    return [[c] * 7, [1.0, -2.0, 0.5, 3.0, 0.0, 1.0, 2.0]]


def _check_constant_slice(torch, fn, x, g, c, scale=1.0):
    """``fn(module, x)`` normalises slice 0 of ``x``, a constant ``c``, then multiplies it
    by ``scale``: its values are PyTorch's (exactly 0), and its gradient is ``(h -
    mean(h)) / sqrt(eps)`` for ``h = g * scale`` the normalised values' gradient. PyTorch's
    backward takes a rounded mean, which for some large c gives 0 or other values there:
    its gradients are compared where c is small."""
    if abs(c) < 1e9:
        check(torch, fn, [x], grad=g)
    t = torch.tensor(x, dtype=torch.float64)
    ours = leaf(x)
    y = fn(ag, ours)
    _close(y.detach().numpy(), fn(torch, t).numpy())
    assert (y.detach().numpy()[0] == 0).all()
    h = np.asarray(g[0]) * scale
    for create_graph in (False, True):
        (gx,) = ag.grad(y, ours, ag.tensor(g), retain_graph=True, create_graph=create_graph)
        _close(gx.detach().numpy()[0], (h - h.mean()) / np.sqrt(1e-5))


@pytest.mark.parametrize("c", CONSTANTS)
def test_layer_norm_of_a_constant_row_is_zero(torch, c):
    # PyTorch's layer norm gives exactly 0 there (a plain mean, an ulp or more off c,
    # gave up to +-1 for large c)
    rows = _constant_rows(c)
    g = [ROW_GRAD, ROW_GRAD]
    _check_constant_slice(torch, lambda m, x: fn_of(m).layer_norm(x, (7,)), rows, g, c)
    w, b = [1.0, 2.0, -1.0, 0.5, 3.0, 1.5, -2.0], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    _check_constant_slice(torch, lambda m, x: fn_of(m).layer_norm(
        x, (7,), m.tensor(w, dtype=m.float64), m.zeros(7, dtype=m.float64)), rows, g, c,
        scale=np.asarray(w))
    if abs(c) < 1e3:
        check(torch, lambda m, x, w, b: fn_of(m).layer_norm(x, (7,), w, b), [rows, w, b],
              grad=g)
    check(torch, lambda m, x: fn_of(m).layer_norm(x.reshape(2, 1, 7), (1, 7)).sum(), [rows])


@pytest.mark.parametrize("c", CONSTANTS)
def test_group_norm_of_a_constant_group_is_zero(torch, c):
    # (N * G, C / G * L) rows of 6 elements: row 0 (group 0) constant
    x = [[c] * 6, [1.0, 2.0, -1.0, -3.0, 0.5, 0.0]]
    g = [[0.5, 1.0, -2.0, -1.0, 2.0, 0.0], [1.0, 1.0, 1.0, 0.25, 3.0, 0.5]]
    _check_constant_slice(torch, lambda m, t: fn_of(m).group_norm(t.reshape(1, 4, 3), 2)
                          .reshape(2, 6), x, g, c)
    if abs(c) < 1e3:  # (PyTorch's affine group norm uses a rounded mean: off for large c)
        check(torch, lambda m, t, w, b: fn_of(m).group_norm(t.reshape(1, 4, 3), 2, w, b),
              [x, [1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 0.0, 1.0]])


@pytest.mark.parametrize("c", [0.3, 7.0, -2.5, 0.0])
def test_batch_and_instance_norm_of_constant_channels(torch, c):
    # (PyTorch's own batch-norm statistics are not exact for every constant: these are
    # constants where they are)
    x = [[[c] * 5, [1.0, -2.0, 0.5, 3.0, 0.0]]]  # (N, C, L): channel 0 constant
    check(torch, lambda m, t: fn_of(m).instance_norm(t), [x])
    check(torch, lambda m, t: fn_of(m).batch_norm(t, None, None, training=True), [x])
    check(torch, lambda m, t, w, b: fn_of(m).batch_norm(t, None, None, w, b, training=True),
          [x, [2.0, 3.0], [0.5, -0.5]])
    check(torch, lambda m, t: fn_of(m).rms_norm(t, (5,)), [x])


@pytest.mark.parametrize("c", CONSTANTS)
def test_batch_and_instance_norm_of_constant_channels_are_exactly_zero(c):
    # (PyTorch's batch-norm statistics round the mean: for c = 1e20 they give -1.8e6)
    x = ag.tensor([[[c] * 7, [1.0, -2.0, 0.5, 3.0, 0.0, 1.0, 2.0]]], dtype=ag.float64)
    for y in (F.instance_norm(x), F.batch_norm(x, None, None, training=True),
              F.group_norm(x, 2), F.layer_norm(x, (7,))):
        assert y[0, 0].tolist() == [0.0] * 7


def test_normalisation_of_constants_with_eps_0(torch):
    # eps = 0: layer and group norm give 0/0 = NaN as PyTorch's; instance norm takes
    # 1/sqrt(var) as 0 where var == 0, as PyTorch's batch-norm kernel
    x = [[[0.3] * 4, [1.0, -2.0, 0.5, 3.0]]]
    check(torch, lambda m, t: fn_of(m).layer_norm(t, (4,), eps=0.0), [x])
    check(torch, lambda m, t: fn_of(m).group_norm(t, 2, eps=0.0), [x])
    check(torch, lambda m, t: fn_of(m).instance_norm(t, eps=0.0), [x])
    check(torch, lambda m, t: fn_of(m).rms_norm(t, (4,), eps=0.0), [x])


def test_batch_norm_eps_is_checked(torch):
    x = ag.ones(3, 2)
    with pytest.raises(ValueError, match="batch_norm eps must be positive during training, "
                                         "but got 0.0"):
        F.batch_norm(x, None, None, training=True, eps=0.0)
    with pytest.raises(ValueError, match="batch_norm eps must be non-negative, but got -1"):
        F.batch_norm(x, ag.zeros(2), ag.ones(2), eps=-1.0)
    with pytest.raises(ValueError, match="batch_norm eps must be positive"):
        torch.nn.functional.batch_norm(torch.ones(3, 2), None, None, training=True, eps=0.0)


def test_layer_norm_gradcheck_at_a_constant_row():
    x = leaf([[0.3, 0.3, 0.3, 0.3], [1.0, -2.0, 0.5, 3.0]])
    assert ag.gradcheck(lambda t: F.layer_norm(t, (4,)), (x,))
    assert ag.gradcheck(lambda t: F.group_norm(t.reshape(1, 2, 4), 2), (x,))
    assert ag.gradgradcheck(lambda t: F.layer_norm(t, (4,)), (x,))


# ------------------------------------------------- 8. indices out of range are refused
def _x(m):
    return m.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=m.float64)


# name -> (the op's name in our messages, fn(module, bad index)); dim 1 has size 3
INDEX_OPS = {
    "gather": ("gather", lambda m, i: _x(m).gather(1, m.tensor([[i], [0]]))),
    "gather_int": ("gather", lambda m, i: m.tensor([[1, 2, 3]]).gather(1, m.tensor([[i]]))),
    "index_select": ("index_select", lambda m, i: _x(m).index_select(1, m.tensor([0, i]))),
    "scatter": ("scatter", lambda m, i: _x(m).scatter(1, m.tensor([[i], [0]]), _x(m))),
    "scatter_value": ("scatter", lambda m, i: _x(m).scatter(1, m.tensor([[0], [i]]), 9.0)),
    "scatter_add": ("scatter_add",
                    lambda m, i: _x(m).scatter_add(1, m.tensor([[i], [0]]), _x(m))),
    "index_add": ("index_add", lambda m, i: _x(m).index_add(
        1, m.tensor([i]), m.ones(2, 1, dtype=m.float64))),
    "index_fill": ("index_fill", lambda m, i: _x(m).index_fill(1, m.tensor([i]), 0.0)),
    "embedding": ("embedding", lambda m, i: fn_of(m).embedding(m.tensor([[0, i]]), _x(m).T)),
    "one_hot": ("one_hot", lambda m, i: fn_of(m).one_hot(m.tensor([0, i]), 3)),
    "nll_loss": ("nll_loss", lambda m, i: fn_of(m).nll_loss(_x(m), m.tensor([i, 0]))),
    "cross_entropy": ("cross_entropy",
                      lambda m, i: fn_of(m).cross_entropy(_x(m), m.tensor([0, i]))),
}


@pytest.mark.parametrize("bad", [-1, -3, 3, -4])
@pytest.mark.parametrize("name", INDEX_OPS)
def test_out_of_range_indices_as_pytorch(torch, name, bad):
    op, fn = INDEX_OPS[name]
    try:
        expected = fn(torch, bad)
    except (RuntimeError, IndexError, ValueError) as e:
        with pytest.raises(type(e)) as info:
            fn(ag, bad)
        assert op in str(info.value) and str(bad) in str(info.value), str(info.value)
    else:  # a negative index PyTorch accepts counts from the end (index_fill)
        np.testing.assert_array_equal(fn(ag, bad).numpy(), expected.numpy())


def test_gather_and_index_select_refuse_minus_one():
    x = ag.tensor([[1.0, 2.0, 3.0]])
    with pytest.raises(RuntimeError, match=r"gather: index -1 is out of bounds for dimension 1 "
                                           r"with size 3 \(expected 0 <= index < 3\)"):
        x.gather(1, ag.tensor([[-1]]))
    with pytest.raises(RuntimeError, match=r"index_select: index -1 is out of bounds for "
                                           r"dimension 1 with size 3 \(expected 0 <= index < 3\)"):
        x.index_select(1, ag.tensor([-1]))


# ------------------------------------------ NaN inputs: PyTorch's values and masks
# PyTorch's masks are "x <= bound gives 0, else grad": a NaN input keeps its NaN value and
# passes the gradient (softshrink(NaN) is NaN, not 0; threshold(NaN) is NaN, not value)
NAN_XS = [NAN, -4.0, -1.0, 0.0, 0.5, 2.0, 7.0]
NAN_INPUT = {
    "relu": lambda m, x: fn_of(m).relu(x),
    "relu6": lambda m, x: fn_of(m).relu6(x),
    "hardtanh": lambda m, x: fn_of(m).hardtanh(x),
    "hardsigmoid": lambda m, x: fn_of(m).hardsigmoid(x),
    "hardswish": lambda m, x: fn_of(m).hardswish(x),
    "threshold": lambda m, x: fn_of(m).threshold(x, 0.5, -2.0),
    "softshrink": lambda m, x: fn_of(m).softshrink(x, 1.0),
    "hardshrink": lambda m, x: fn_of(m).hardshrink(x, 1.0),
    "clamp": lambda m, x: x.clamp(-1.0, 1.0),
    "clamp_min_tensor": lambda m, x: x.clamp_min(m.tensor([0.0, NAN, 0, 0, 0, 0, 0],
                                                          dtype=m.float64)),
    "clamp_max_tensor": lambda m, x: x.clamp_max(m.tensor([0.0, 0, 0, 0, NAN, 0, 0],
                                                          dtype=m.float64)),
    "elu": lambda m, x: fn_of(m).elu(x),
    "celu": lambda m, x: fn_of(m).celu(x, 2.0),
    "selu": lambda m, x: fn_of(m).selu(x),
    "leaky_relu": lambda m, x: fn_of(m).leaky_relu(x, 0.2),
    "softplus": lambda m, x: fn_of(m).softplus(x),
    "gelu": lambda m, x: fn_of(m).gelu(x),
    "abs": lambda m, x: x.abs(),
    "sign": lambda m, x: x.sign(),
    "maximum": lambda m, x: x.maximum(m.zeros(7, dtype=m.float64)),
}


@pytest.mark.parametrize("name", NAN_INPUT)
def test_nan_inputs(torch, name):
    rtol = 1e-7 if name == "hardsigmoid" else 1e-10  # (PyTorch's float32 1/6, see above)
    check(torch, NAN_INPUT[name], [NAN_XS], grad_rtol=rtol)
