"""``torch.autograd.Function`` subclasses written as PyTorch programs write them (forward
and backward on Tensors, non-tensor arguments, saved inputs and outputs, several outputs,
``setup_context``, ``once_differentiable``), against PyTorch: float64 values and
gradients, second derivatives, node names and the errors."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core.autograd.function import once_differentiable
from tests.helpers import Draw

draw = Draw(31)
rng = draw.rng


def define(m):
    """The same custom ops, built on library ``m`` (autograd_core or torch)."""

    class MyReLU(m.autograd.Function):          # PyTorch's tutorial op
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            g = grad.clone()
            g[x < 0] = 0
            return g

    class Reverse(m.autograd.Function):         # a gradient reversal layer (DANN)
        @staticmethod
        def forward(ctx, x, alpha):
            ctx.alpha = alpha
            return x.view_as(x)

        @staticmethod
        def backward(ctx, grad):
            return grad.neg() * ctx.alpha, None

    class ExpSaved(m.autograd.Function):        # saves its output; backward differentiable
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    class ScaleShift(m.autograd.Function):      # two tensors and a number
        @staticmethod
        def forward(ctx, x, w, shift):
            ctx.save_for_backward(x, w)
            return x * w + shift

        @staticmethod
        def backward(ctx, grad):
            x, w = ctx.saved_tensors
            gx = grad * w if ctx.needs_input_grad[0] else None
            gw = (grad * x).sum(0) if ctx.needs_input_grad[1] else None
            return gx, gw, None

    class TwoOut(m.autograd.Function):          # two differentiable outputs and indices
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            idx = x.argmax(dim=1)
            ctx.mark_non_differentiable(idx)
            return x * 2, (x * x).sum(1), idx

        @staticmethod
        def backward(ctx, g_double, g_sq, g_idx):
            (x,) = ctx.saved_tensors
            return g_double * 2 + g_sq.unsqueeze(1) * 2 * x

    class ExpAndSquare(m.autograd.Function):    # two outputs, one of them saved
        @staticmethod
        def forward(ctx, x):
            a = x.exp()
            ctx.save_for_backward(a, x)
            return a, x * x

        @staticmethod
        def backward(ctx, g_a, g_sq):
            a, x = ctx.saved_tensors
            return g_a * a + g_sq * 2 * x

    class Cube(m.autograd.Function):            # PyTorch 2's form: setup_context
        @staticmethod
        def forward(x):
            return x ** 3

        @staticmethod
        def setup_context(ctx, inputs, output):
            (x,) = inputs
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x

    return dict(MyReLU=MyReLU, Reverse=Reverse, ExpSaved=ExpSaved, ScaleShift=ScaleShift,
                TwoOut=TwoOut, ExpAndSquare=ExpAndSquare, Cube=Cube)


USES = {
    "MyReLU": lambda F, x, w: F["MyReLU"].apply(x * w).sum(1),
    "Reverse": lambda F, x, w: F["Reverse"].apply(x * w, 0.3) * x,
    "ExpSaved": lambda F, x, w: F["ExpSaved"].apply(x * w) * x,
    "ScaleShift": lambda F, x, w: F["ScaleShift"].apply(x, w, 1.5) ** 2,
    "TwoOut": lambda F, x, w: (lambda a, b, i: a * w + b.unsqueeze(1) + i.unsqueeze(1))(
        *F["TwoOut"].apply(x)),
    "TwoOut, one output used": lambda F, x, w: F["TwoOut"].apply(x * w)[1] * 3,
    "Cube": lambda F, x, w: F["Cube"].apply(x - w),
    "ExpAndSquare": lambda F, x, w: (lambda a, b: a * b * w + a)(*F["ExpAndSquare"].apply(x)),
}


@pytest.mark.parametrize("use", sorted(USES))
def test_values_and_gradients_match_torch(torch, use):
    ours, theirs = define(ag), define(torch)
    x, w = rng.standard_normal((3, 4)), rng.standard_normal(4)
    draw.parity(torch, lambda a, b: USES[use](ours, a, b), lambda a, b: USES[use](theirs, a, b),
                x, w)


@pytest.mark.parametrize("use", ["ExpSaved", "ScaleShift", "Cube", "TwoOut", "ExpAndSquare"])
def test_second_derivatives_through_backwards_written_in_tensor_ops(torch, use):
    grads = {}
    for m in (ag, torch):
        F = define(m)
        x = m.tensor(rng.standard_normal((3, 4)) if m is ag else grads["x"], requires_grad=True)
        grads.setdefault("x", x.detach().numpy().copy())
        w = m.tensor(np.linspace(-1, 1, 4), requires_grad=True)
        (gx,) = m.autograd.grad(USES[use](F, x, w).sum(), x, create_graph=True)
        (ggw,) = m.autograd.grad((gx * gx).sum(), w)
        grads[m.__name__] = (gx.detach().numpy(), ggw.numpy())
    for a, b in zip(grads["autograd_core"], grads["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_nodes_flags_and_no_grad_as_torch(torch):
    for m in (ag, torch):
        F = define(m)
        x = m.ones(2, 3, requires_grad=True)
        y = F["MyReLU"].apply(x)
        assert y.grad_fn.name() == "MyReLUBackward" and y.requires_grad
        a, b, idx = F["TwoOut"].apply(x)
        assert a.requires_grad and b.requires_grad and not idx.requires_grad
        assert str(idx.dtype).replace("torch.", "") == "int64"
        with m.no_grad():
            assert F["MyReLU"].apply(x).grad_fn is None
        assert F["MyReLU"].apply(m.ones(2)).grad_fn is None   # nothing requires grad
    seen = {}

    def record(m):
        class Flags(m.autograd.Function):
            @staticmethod
            def forward(ctx, a, b, k):
                return a * b * k

            @staticmethod
            def backward(ctx, grad):
                seen[m.__name__] = ctx.needs_input_grad
                return grad, None, None
        Flags.apply(m.ones(2, requires_grad=True), m.ones(2), 3.0).sum().backward()

    record(ag), record(torch)
    assert seen["autograd_core"] == seen["torch"] == (True, False, False)


def test_errors_as_torch(torch):
    def run(m, case):
        class Saves(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return (grad * 2, grad) if case == "too many" else grad * 2

        x = m.ones(3, requires_grad=True)
        h = x * 1
        y = Saves.apply(h).sum()
        if case == "modified":
            with m.no_grad():
                h.add_(1)
        if case == "twice":
            y.backward()
        with pytest.raises(RuntimeError) as err:
            y.backward()
        return str(err.value)

    for case in ("modified", "twice", "too many"):
        ours, theirs = run(ag, case), run(torch, case)
        key = {"modified": "modified by an inplace operation",
               "twice": "backward through the graph a second time",
               "too many": "returned an incorrect number of gradients (expected 1, got 2)"}[case]
        assert key in ours and key in theirs, case


def test_a_sparse_product_inside_a_custom_op_with_gradients_for_the_values(torch):
    """pyGAT's sparse attention op: a sparse tensor made in forward from values that
    require grad, their gradient computed by the op's own backward."""
    def spmm_op(m):
        class SpecialSpmm(m.autograd.Function):
            @staticmethod
            def forward(ctx, indices, values, shape, b):
                a = m.sparse_coo_tensor(indices, values, shape)
                ctx.save_for_backward(a, b)
                ctx.n = shape[0]
                return m.matmul(a, b)

            @staticmethod
            def backward(ctx, grad):
                a, b = ctx.saved_tensors
                g_values = g_b = None
                if ctx.needs_input_grad[1]:
                    g_a = grad.matmul(b.t())
                    flat = a._indices()[0, :] * ctx.n + a._indices()[1, :]
                    g_values = g_a.view(-1)[flat]
                if ctx.needs_input_grad[3]:
                    g_b = a.t().matmul(grad)
                return None, g_values, None, g_b
        return SpecialSpmm

    idx = np.stack([rng.integers(5, size=9), rng.integers(5, size=9)])
    vals, b = rng.random(9), rng.standard_normal((5, 3))
    ours, theirs = spmm_op(ag), spmm_op(torch)
    draw.parity(torch, lambda v, d: ours.apply(ag.tensor(idx), v, ag.Size([5, 5]), d) ** 2,
                lambda v, d: theirs.apply(torch.tensor(idx), v, torch.Size([5, 5]), d) ** 2,
                vals, b)


def test_once_differentiable_backward_records_nothing():
    class Double(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        @once_differentiable
        def backward(ctx, grad):
            assert not ag.is_grad_enabled()
            return grad * 2

    x = ag.ones(3, requires_grad=True)
    (g,) = ag.autograd.grad(Double.apply(x).sum(), x, create_graph=True)
    assert g.tolist() == [2.0, 2.0, 2.0] and not g.requires_grad   # exact: 1 * 2
