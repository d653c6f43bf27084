"""``Size`` (the type of ``.shape`` and ``.size()``), ``autograd.Variable`` and the legacy
tensor types (``FloatTensor``, ``LongTensor``, ...) as legacy PyTorch programs use them,
against PyTorch."""
import pickle
import warnings

import numpy as np
import pytest

import autograd_core as ag
from tests.helpers import raises_like


def test_shape_and_size_are_sizes_as_torch(torch):
    x, xt = ag.zeros(2, 3, 4), torch.zeros(2, 3, 4)
    for ours, theirs in [(x.shape, xt.shape), (x.size(), xt.size()),
                         (x.shape[1:], xt.shape[1:]), (x.shape + (5,), xt.shape + (5,)),
                         ((1,) + x.shape, (1,) + xt.shape), (x.shape * 2, xt.shape * 2),
                         (ag.Size([2, ag.tensor(3)]), torch.Size([2, torch.tensor(3)])),
                         (ag.Size(), torch.Size()), (ag.Size(np.array([2, 3])),
                                                      torch.Size(np.array([2, 3])))]:
        assert type(ours) is ag.Size and type(theirs) is torch.Size
        assert ours == tuple(theirs) and isinstance(ours, tuple)
        assert ours.numel() == theirs.numel()
        assert hash(ours) == hash(tuple(theirs))
    assert type(x.shape[0]) is int and x.size(1) == 3
    assert pickle.loads(pickle.dumps(x.shape)) == (2, 3, 4)
    assert type(pickle.loads(pickle.dumps(x.shape))) is ag.Size
    assert ag.Size([True, np.int64(3)]) == (1, 3)
    for bad in ([2, 3.0], ["a"], [np.float64(2.0)], [ag.tensor(2.0)]):
        tbad = [torch.tensor(2.0) if isinstance(b, ag.Tensor) else b for b in bad]
        raises_like(lambda: ag.Size(bad), lambda: torch.Size(tbad))
    # shapes print as tuples here (PyTorch prints torch.Size([2, 3, 4]))
    assert repr(x.shape) == "(2, 3, 4)"


@pytest.mark.parametrize("name,dtype", [("FloatTensor", "float32"), ("DoubleTensor", "float64"),
                                        ("HalfTensor", "float16"), ("LongTensor", "int64"),
                                        ("IntTensor", "int32"), ("ShortTensor", "int16"),
                                        ("CharTensor", "int8"), ("ByteTensor", "uint8"),
                                        ("BoolTensor", "bool")])
def test_legacy_constructors_and_isinstance_as_torch(torch, name, dtype):
    ours, theirs = getattr(ag, name), getattr(torch, name)
    for args in [([1, 0, 3],), ([[1.7, -0.0], [2.0, 0.1]],), ((2, 3),), (np.array([0.1, 2]),)]:
        if name in ("ByteTensor",) and np.min(np.asarray(args[0])) < 0:
            continue
        a, t = ours(*args), theirs(*args)
        assert a.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(a.numpy(), t.numpy())
    for args in [(2, 3), (0,), (), (ag.Size([4]),)]:
        targs = tuple(torch.Size(a) if isinstance(a, ag.Size) else a for a in args)
        assert ours(*args).shape == tuple(theirs(*targs).shape)
        assert ours(*args).dtype == np.dtype(dtype)
    z = ag.zeros(2, dtype=ag.__dict__[dtype if dtype != "bool" else "bool_"])
    zt = torch.zeros(2, dtype=getattr(torch, dtype))
    assert isinstance(z, ours) and isinstance(zt, theirs)
    assert ours(z).dtype == z.dtype
    other = ag.zeros(2, dtype=ag.float64 if dtype != "float64" else ag.float32)
    assert not isinstance(other, ours)
    assert not issubclass(ours, ag.Tensor) and not issubclass(theirs, torch.Tensor)
    assert repr(ours) == repr(theirs) and ours.dtype == np.dtype(dtype)
    assert z.type() == zt.type() == f"torch.{name}"
    assert ag.ones(2).type(ours).dtype == np.dtype(dtype)
    with pytest.raises(TypeError):
        theirs(torch.tensor(other.numpy()))
    with pytest.raises(TypeError):
        ours(other)
    raises_like(lambda: ours(2.5), lambda: theirs(2.5))
    raises_like(lambda: ours(-1), lambda: theirs(-1))


def test_legacy_tensor_of_a_tensor_is_an_alias_as_torch(torch):
    x, xt = ag.zeros(2), torch.zeros(2)
    y, yt = ag.FloatTensor(x), torch.FloatTensor(xt)
    y[0], yt[0] = 5, 5
    assert y is not x and x.tolist() == xt.tolist() == [5.0, 0.0]   # exact: values written
    assert isinstance(ag.nn.Parameter(ag.zeros(1)), ag.FloatTensor)


def test_variable_as_torch(torch):
    from autograd_core.autograd import Variable
    x, xt = ag.zeros(2), torch.zeros(2)
    for kw in [{}, dict(requires_grad=True)]:
        v, vt = Variable(x, **kw), torch.autograd.Variable(xt, **kw)
        assert v is not x and v.requires_grad == vt.requires_grad and v.is_leaf
    v = Variable(x)
    v[1] = 7.0
    assert x.tolist() == [0.0, 7.0]           # shares memory, as PyTorch's (exact: written)
    leaf = ag.ones(2, requires_grad=True)
    assert not Variable(leaf * 2).requires_grad         # a new leaf, detached
    w = Variable(leaf * 2, requires_grad=True)
    (w * w).sum().backward()
    assert w.grad.tolist() == [4.0, 4.0] and leaf.grad is None   # exact: 2 * 2 * 1
    assert isinstance(x, Variable) and isinstance(xt, torch.autograd.Variable)
    assert Variable().shape == tuple(torch.autograd.Variable().shape)
    raises_like(lambda: Variable([1.0]), lambda: torch.autograd.Variable([1.0]))
    raises_like(lambda: Variable(ag.tensor([1]), requires_grad=True),
                lambda: torch.autograd.Variable(torch.tensor([1]), requires_grad=True))
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        Variable(x, volatile=True)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        torch.autograd.Variable(xt, volatile=True)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]


def test_bfloat16_casts_refused_with_a_clear_message():
    for cast in (lambda x: x.to(ag.bfloat16), lambda x: x.bfloat16(),
                 lambda x: x.to("cpu", ag.bfloat16), lambda x: x.type(ag.bfloat16)):
        with pytest.raises(TypeError, match=r"autograd-core has no torch.bfloat16 tensors "
                                            r"\(NumPy has no such dtype\): use float32"):
            cast(ag.ones(2))


def test_the_tensor_constructor_is_pytorchs_legacy_one(torch):
    for args in [(2, 3), (0,), (), (ag.Size([4]),)]:
        targs = tuple(torch.Size(a) if isinstance(a, ag.Size) else a for a in args)
        ours, theirs = ag.Tensor(*args), torch.Tensor(*targs)
        assert ours.shape == tuple(theirs.shape) and ours.dtype == np.float32
    for data in [[1, 2], [[1.5, 2.0], [3.0, 4.0]], np.array([0.1, 2.0]), (3, 4)]:
        ours, theirs = ag.Tensor(data), torch.Tensor(data)
        assert ours.dtype == np.float32 and str(theirs.dtype) == "torch.float32"
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    x, xt = ag.tensor([1, 2]), torch.tensor([1, 2])
    y, yt = ag.Tensor(x), torch.Tensor(xt)
    y[0], yt[0] = 7, 7
    assert x.tolist() == xt.tolist() == [7, 2] and y.dtype == np.int64
    raises_like(lambda: ag.Tensor(2.5), lambda: torch.Tensor(2.5))
    raises_like(lambda: ag.Tensor(-1), lambda: torch.Tensor(-1))
    p = ag.nn.Parameter(ag.Tensor(3, 2))  # the legacy way to declare a weight
    assert p.shape == (3, 2) and p.requires_grad and p.dtype == np.float32
    ag.set_default_dtype(ag.float64)
    try:
        assert ag.Tensor([1]).dtype == np.float64
    finally:
        ag.set_default_dtype(ag.float32)


def test_new_cuda_types_default_tensor_type_and_typename_as_torch(torch):
    for dtype in ("float32", "float64", "int64"):
        x, xt = ag.zeros(2, dtype=getattr(ag, dtype)), torch.zeros(2, dtype=getattr(torch, dtype))
        for args in [(2, 3), (), ([1.7, 2.0],)]:
            a, t = x.new(*args), xt.new(*args)
            assert a.shape == tuple(t.shape) and str(a.dtype) == str(t.dtype)[6:]
            if args and isinstance(args[0], list):
                np.testing.assert_array_equal(a.numpy(), t.numpy())
        assert ag.typename(x) == torch.typename(xt)
    assert ag.typename(1.5) == torch.typename(1.5)
    for name in ("FloatTensor", "LongTensor", "ByteTensor"):
        ours, theirs = getattr(ag.cuda, name), getattr(torch.cuda, name)
        assert repr(ours) == repr(theirs)
        assert not isinstance(ag.zeros(1), ours) and not isinstance(torch.zeros(1), theirs)
        raises_like(lambda: ours([1]), lambda: theirs([1]))
    with pytest.raises(RuntimeError, match="CUDA"):
        ag.zeros(1).type("torch.cuda.FloatTensor")
    with pytest.raises(RuntimeError):
        torch.zeros(1).type("torch.cuda.FloatTensor")
    with warnings.catch_warnings(record=True) as ours_w:
        warnings.simplefilter("always")
        ag.set_default_tensor_type(ag.DoubleTensor)
    try:
        assert ag.get_default_dtype() == np.float64 and ag.Tensor([1]).dtype == np.float64
    finally:
        ag.set_default_dtype(ag.float32)
    with warnings.catch_warnings(record=True) as theirs_w:
        warnings.simplefilter("always")
        torch.set_default_tensor_type(torch.DoubleTensor)
    torch.set_default_dtype(torch.float32)
    # PyTorch's C++ warning ends with where it was triggered
    assert [str(w.message) for w in ours_w] == [str(w.message).split(" (Triggered")[0]
                                                for w in theirs_w]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raises_like(lambda: ag.set_default_tensor_type(ag.LongTensor),
                    lambda: torch.set_default_tensor_type(torch.LongTensor))
