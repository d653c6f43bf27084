"""Creation, dtypes, conversions (``Tensor.type`` included), clear errors, and PyTorch parity
of Tensor ops."""
import numpy as np
import pytest

import autograd_core as ag


def test_python_floats_become_float32_arrays_keep_dtype():
    assert ag.tensor(1.5).dtype == ag.float32
    assert ag.tensor([1, 2]).dtype == ag.int64
    assert ag.tensor([True, False]).dtype == ag.bool
    assert ag.tensor(np.zeros(2, dtype=np.float64)).dtype == ag.float64
    assert ag.tensor(np.zeros(2, dtype=np.int32)).dtype == ag.int32
    assert ag.tensor([1.0], dtype=ag.float64).dtype == ag.float64
    assert ag.from_numpy(np.zeros(2, np.float16)).dtype == ag.float16


def test_tensor_copies_from_numpy_shares():
    a = np.zeros(3)
    t, f = ag.tensor(a), ag.from_numpy(a)
    a[0] = 7
    assert t.tolist()[0] == 0 and f.tolist()[0] == 7


def test_creation_functions():
    assert ag.zeros(2, 3).shape == (2, 3) and ag.zeros((2, 3)).dtype == ag.float32
    assert ag.ones(4).tolist() == [1, 1, 1, 1]
    assert ag.full((2,), 7).dtype == ag.int64 and ag.full((2,), 0.5).tolist() == [0.5, 0.5]
    assert ag.eye(3).numpy().trace() == 3
    assert ag.arange(5).tolist() == [0, 1, 2, 3, 4] and ag.arange(5).dtype == ag.int64
    assert ag.arange(0, 1, 0.25).dtype == ag.float32
    assert ag.rand(2, 3).shape == (2, 3) and ag.randn(4).dtype == ag.float32
    x = ag.randn(2, 2, dtype=ag.float64)
    for like in (ag.zeros_like, ag.ones_like, ag.rand_like, ag.randn_like):
        y = like(x)
        assert y.shape == x.shape and y.dtype == ag.float64
    assert ag.full_like(x, 3.0).tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert ag.zeros(2, requires_grad=True).requires_grad


def test_manual_seed_reproduces_and_generator_is_separate():
    ag.manual_seed(123)
    a = ag.randn(5)
    ag.manual_seed(123)
    assert ag.randn(5).equal(a)
    g = ag.Generator().manual_seed(1)
    b = ag.rand(3, generator=g)
    assert ag.rand(3, generator=ag.Generator().manual_seed(1)).equal(b)


def test_conversions():
    t = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.numpy().tolist() == t.tolist() == [[1, 2], [3, 4]]
    assert t.shape == (2, 2) and t.ndim == 2 and t.numel() == 4 and t.size() == (2, 2)
    assert t.size(1) == 2 and t.dim() == 2
    assert t.sum().item() == 10.0 and isinstance(t.sum().item(), float)
    assert t.double().dtype == ag.float64 and t.double().float().dtype == ag.float32
    assert t.long().dtype == ag.int64
    assert float(t[0, 0]) == 1.0 and len(t) == 2
    assert [r.tolist() for r in t] == [[1, 2], [3, 4]]
    with pytest.raises(RuntimeError, match="item"):
        t.item()


def test_scalar_operand_keeps_tensor_dtype():
    t = ag.ones(2)
    assert (t * 2.5).dtype == ag.float32 and (2.5 * t).dtype == ag.float32
    assert (ag.arange(3) * 1.5).dtype == ag.float32    # int tensor * float -> float32
    assert (ag.arange(3) / 2).dtype == ag.float32       # true division
    assert (ag.arange(3) + 1).dtype == ag.int64
    assert (np.ones(2) + ag.ones(2, dtype=ag.float64)).dtype == ag.float64


def test_comparisons_give_bool_tensors_without_grad():
    a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for m in (a > 2, a >= 2, a < 2, a <= 2, a == 2, a != 2):
        assert m.dtype == ag.bool and not m.requires_grad
    assert (a > 1.5).tolist() == [False, True, True]


def test_mismatched_shapes_name_op_and_both_shapes():
    a, b = ag.ones(2, 3), ag.ones(4)
    # PyTorch raises RuntimeError for shapes that do not broadcast
    with pytest.raises(RuntimeError, match=r"add: shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        a + b
    with pytest.raises(RuntimeError, match=r"mul: shapes \(2, 3\) and \(4,\)"):
        a * b
    with pytest.raises(RuntimeError, match=r"matmul: shapes \(2, 3\) and \(4,\) cannot be multiplied"):
        a @ b
    with pytest.raises(RuntimeError, match=r"matmul: shapes \(2, 3\) and \(2, 3\)"):
        a @ a
    with pytest.raises(RuntimeError, match=r"reshape.*\(2, 3\)"):
        a.reshape(4, 2)
    with pytest.raises(RuntimeError, match=r"cat.*\[\(2, 3\), \(4,\)\]"):
        ag.cat([a, b])
    with pytest.raises(RuntimeError, match=r"stack"):
        ag.stack([a, b])
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 5\)"):
        a.sum(5)
    with pytest.raises(RuntimeError, match=r"expand"):
        a.expand(3, 3)


def test_foreign_operand_type_is_named():
    a = ag.ones(2)
    with pytest.raises(TypeError, match="'Tensor' and 'str'"):
        a + "x"
    with pytest.raises(TypeError, match="'Tensor' and 'dict'"):
        a * {}
    with pytest.raises(TypeError, match="str"):
        "x" - a
    with pytest.raises(TypeError, match="tensor\\(\\)"):
        ag.tensor("abc")


def test_shape_ops_values():
    x = ag.arange(6).reshape(2, 3)
    assert x.T.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert x.permute(1, 0).tolist() == x.transpose(0, 1).tolist()
    assert x.unsqueeze(0).shape == (1, 2, 3) and x.unsqueeze(-1).shape == (2, 3, 1)
    assert x.unsqueeze(0).squeeze().shape == (2, 3) and x.view(-1).shape == (6,)
    assert x.flatten().tolist() == [0, 1, 2, 3, 4, 5]
    assert [c.shape for c in x.split(2, dim=1)] == [(2, 2), (2, 1)]
    assert [c.shape for c in x.split([1, 2], dim=1)] == [(2, 1), (2, 2)]
    assert [c.shape for c in ag.arange(5).chunk(2)] == [(3,), (2,)]
    assert x[:, None, 1].shape == (2, 1) and x[..., -1].tolist() == [2, 5]
    assert x[x > 2].tolist() == [3, 4, 5]
    assert ag.ones(1, 3).expand(2, -1).shape == (2, 3)


def test_reductions_values():
    x = ag.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    assert x.sum().item() == 21 and x.sum(0).tolist() == [5, 7, 9]
    assert x.sum((0, 1), keepdim=True).shape == (1, 1)
    assert x.sum(axis=1, keepdims=True).shape == (2, 1)   # NumPy aliases
    assert x.mean(1).tolist() == [3, 4]
    assert x.var().item() == pytest.approx(np.var(x.numpy(), ddof=1))
    assert x.std(1, unbiased=False).tolist() == pytest.approx(np.std(x.numpy(), 1))
    v, i = x.max(1)
    assert v.tolist() == [5, 6] and i.tolist() == [1, 2] and i.dtype == ag.int64
    assert x.max(dim=0).values.tolist() == [4, 5, 6] and x.min().item() == 1
    assert x.argmax().item() == 5 and x.argmax(1).tolist() == [1, 2]
    assert x.prod(1).tolist() == [15, 48]
    np.testing.assert_allclose(x.softmax(1).sum(1).numpy(), [1, 1], rtol=1e-6)


def test_logsumexp_and_softmax_are_stable():
    x = ag.tensor([[1e4, -1e4, 0.0]], requires_grad=True)
    lse = x.logsumexp(1)
    assert np.isfinite(lse.item()) and lse.item() == pytest.approx(1e4)
    ls = x.log_softmax(1)
    ls[0, 0].backward()
    assert np.isfinite(x.grad.numpy()).all()


OPS = {
    "elementwise": lambda m, a, b: (m.tanh(a) * m.sigmoid(b) + (a * b).exp().log1p()
                                    - m.maximum(a, b) / (1 + b.abs()) + m.relu(a) ** 2),
    "matmul_broadcast": lambda m, a, b: (a.unsqueeze(0).expand(3, 4, 5) @ b.T.unsqueeze(0)).sum(0),
    "reductions": lambda m, a, b: (a.var(1, keepdim=True) + a.std(0) + a.logsumexp(1).unsqueeze(1)
                                   + a.amax(1, keepdim=True) * b.prod(0)),
    "softmax": lambda m, a, b: a.softmax(1) * b.log_softmax(0),
    "shape": lambda m, a, b: m.cat([a.permute(1, 0), b.T], 1).reshape(10, 4).split(3)[1],
    "index": lambda m, a, b: a[[0, 0, 2], 1:4] * b[m.tensor([3, 1, 0])][:, :3],
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_values_and_gradients_match_pytorch(torch, name):
    rng = np.random.default_rng(0)
    an, bn = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    a, b = ag.tensor(an, requires_grad=True), ag.tensor(bn, requires_grad=True)
    ta = torch.tensor(an, requires_grad=True)
    tb = torch.tensor(bn, requires_grad=True)
    out = OPS[name](ag, a, b)
    tout = OPS[name](torch, ta, tb)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = rng.standard_normal(out.shape)
    out.backward(ag.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_second_derivatives_match_pytorch(torch):
    rng = np.random.default_rng(1)
    an = rng.standard_normal((3, 4))
    a = ag.tensor(an, requires_grad=True)
    ta = torch.tensor(an, requires_grad=True)
    f = lambda t: (t.tanh() * t.softmax(1)).sum() + (t @ t.T).sigmoid().sum()
    (g,) = ag.grad(f(a), a, create_graph=True)
    (tg,) = torch.autograd.grad(f(ta), ta, create_graph=True)
    (g2,) = ag.grad((g * g).sum(), a)
    (tg2,) = torch.autograd.grad((tg * tg).sum(), ta)
    np.testing.assert_allclose(g2.numpy(), tg2.numpy(), rtol=1e-10, atol=1e-12)


def _torch_dtype(torch, dtype):
    return getattr(torch, np.dtype(dtype).name if dtype != np.bool_ else "bool")


def test_type_names_and_casts(torch):
    for dtype in (ag.float16, ag.float32, ag.float64, ag.int8, ag.uint8, ag.int16, ag.int32,
                  ag.int64, ag.bool):
        x = ag.zeros(2, dtype=dtype)
        tx = torch.zeros(2, dtype=_torch_dtype(torch, dtype))
        assert x.type() == tx.type()
        assert x.type(ag.float64).dtype == ag.float64
        assert ag.ones(1).type(tx.type()).dtype == dtype
    x = ag.tensor([1.7, -1.7])
    assert x.type(ag.float32) is x
    assert x.type("torch.IntTensor").tolist() == [1, -1]
    with pytest.raises(ValueError, match="invalid type"):
        x.type("torch.FooTensor")
