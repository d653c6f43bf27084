"""Recurrent layers (RNN, LSTM, GRU and their cells) and transposed convolutions:
PyTorch parity with the same weights (outputs, final states, parameter and input
gradients, float64), gradcheck / gradgradcheck on tiny shapes, state_dict keys, init,
dropout, reprs and errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn.functional import conv_transpose1d, conv_transpose2d

rng = np.random.default_rng(0)


def load_from_torch(ours, theirs):
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def pair(torch, a):
    """The same float64 array as our Tensor and a torch tensor, both requiring grad."""
    return ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def close(ours, theirs, what, tol=1e-10):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    ours = ours.detach().numpy()
    assert ours.shape == theirs.shape, what
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol, err_msg=what)


def backward_both(torch, outs, touts):
    """Backward a random linear function of all outputs, the same on both sides."""
    for o, t in zip(outs, touts):
        g = rng.standard_normal(o.shape)
        o.backward(ag.tensor(g), retain_graph=True)
        t.backward(torch.tensor(g), retain_graph=True)


def check_params(ours, theirs):
    ours_p = dict(ours.named_parameters())
    for name, p in theirs.named_parameters():
        close(ours_p[name].grad, p.grad, f"grad of {name}")


def make_rnn(torch, kind, **kw):
    tkw = dict(kw)
    if kind in ("tanh", "relu"):
        ours, theirs = nn.RNN(nonlinearity=kind, **kw), torch.nn.RNN(nonlinearity=kind, **tkw)
    else:
        ours, theirs = getattr(nn, kind)(**kw), getattr(torch.nn, kind)(**tkw)
    ours, theirs = ours.double(), theirs.double()
    load_from_torch(ours, theirs)
    return ours, theirs


# ------------------------------------------------------------------ RNN / LSTM / GRU parity
@pytest.mark.parametrize("kind", ["tanh", "relu", "LSTM", "GRU"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("given_state", [False, True])
def test_recurrent_matches_torch(torch, kind, num_layers, bidirectional, batch_first, given_state):
    L, N, H_in, H = 5, 3, 4, 6
    ours, theirs = make_rnn(torch, kind, input_size=H_in, hidden_size=H, num_layers=num_layers,
                            bidirectional=bidirectional, batch_first=batch_first)
    D = 2 if bidirectional else 1
    x, tx = pair(torch, rng.standard_normal((N, L, H_in) if batch_first else (L, N, H_in)))
    args, targs, states = (x,), (tx,), []
    if given_state:
        h0, th0 = pair(torch, rng.standard_normal((D * num_layers, N, H)))
        states = [(h0, th0)]
        if kind == "LSTM":
            c0, tc0 = pair(torch, rng.standard_normal((D * num_layers, N, H)))
            states.append((c0, tc0))
            args, targs = (x, (h0, c0)), (tx, (th0, tc0))
        else:
            args, targs = (x, h0), (tx, th0)
    out, hn = ours(*args)
    tout, thn = theirs(*targs)
    outs, touts = ([out, *hn], [tout, *thn]) if kind == "LSTM" else ([out, hn], [tout, thn])
    for o, t, what in zip(outs, touts, ["output", "h_n", "c_n"]):
        close(o, t, what)
    assert out.shape == ((N, L, D * H) if batch_first else (L, N, D * H))
    assert outs[1].shape == (D * num_layers, N, H)
    backward_both(torch, outs, touts)
    close(x.grad, tx.grad, "input grad")
    for (s, ts) in states:
        close(s.grad, ts.grad, "initial state grad")
    check_params(ours, theirs)


@pytest.mark.parametrize("kind", ["tanh", "LSTM", "GRU"])
@pytest.mark.parametrize("given_state", [False, True])
def test_recurrent_unbatched_and_no_bias_match_torch(torch, kind, given_state):
    L, H_in, H = 4, 3, 5
    ours, theirs = make_rnn(torch, kind, input_size=H_in, hidden_size=H, num_layers=2,
                            bidirectional=True, bias=False, batch_first=True)
    assert not any("bias" in k for k in ours.state_dict())
    x, tx = pair(torch, rng.standard_normal((L, H_in)))
    args, targs = (x,), (tx,)
    if given_state:
        h0, th0 = pair(torch, rng.standard_normal((4, H)))
        if kind == "LSTM":
            c0, tc0 = pair(torch, rng.standard_normal((4, H)))
            args, targs = (x, (h0, c0)), (tx, (th0, tc0))
        else:
            args, targs = (x, h0), (tx, th0)
    out, hn = ours(*args)
    tout, thn = theirs(*targs)
    outs, touts = ([out, *hn], [tout, *thn]) if kind == "LSTM" else ([out, hn], [tout, thn])
    assert out.shape == (L, 2 * H) and outs[1].shape == (4, H)
    for o, t in zip(outs, touts):
        close(o, t, "output")
    backward_both(torch, outs, touts)
    close(x.grad, tx.grad, "input grad")
    if given_state:
        close(h0.grad, th0.grad, "h0 grad")
    check_params(ours, theirs)


def test_recurrent_long_sequence_matches_torch(torch):
    # 37 steps: the halving split of the time steps (odd sizes, several levels)
    ours, theirs = make_rnn(torch, "LSTM", input_size=3, hidden_size=4)
    x, tx = pair(torch, rng.standard_normal((37, 2, 3)))
    out, (h, c) = ours(x)
    tout, (th, tc) = theirs(tx)
    close(out, tout, "output")
    backward_both(torch, [out, c], [tout, tc])
    close(x.grad, tx.grad, "input grad")
    check_params(ours, theirs)


def test_recurrent_dropout_between_layers(torch):
    ours, theirs = make_rnn(torch, "GRU", input_size=3, hidden_size=4, num_layers=3,
                            dropout=0.5)
    x = rng.standard_normal((6, 2, 3))
    ours.eval(), theirs.eval()
    out, _ = ours(ag.tensor(x))
    close(out, theirs(torch.tensor(x))[0], "eval output")  # no dropout in eval
    ours.train()
    ag.manual_seed(1)
    a, ha = ours(ag.tensor(x))
    ag.manual_seed(1)
    b, _ = ours(ag.tensor(x))
    assert np.array_equal(a.detach().numpy(), b.detach().numpy())
    assert not np.allclose(a.detach().numpy(), out.detach().numpy())
    # the first layer has no dropout before it: its final state is the eval one
    _, h_eval = ours.eval()(ag.tensor(x))
    close(ha[0], h_eval[0].detach().numpy(), "layer 0 state")
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.2)


def test_recurrent_state_dict_init_and_repr(torch):
    configs = [dict(num_layers=2, bidirectional=True), dict(bias=False, batch_first=True),
               dict(num_layers=3, dropout=0.1)]
    for cls in ("RNN", "LSTM", "GRU"):
        for kw in configs:
            ours, theirs = getattr(nn, cls)(5, 8, **kw), getattr(torch.nn, cls)(5, 8, **kw)
            sd, tsd = ours.state_dict(), theirs.state_dict()
            assert list(sd) == list(tsd)
            assert all(tuple(sd[k].shape) == tuple(tsd[k].shape) for k in sd)
            assert repr(ours) == repr(theirs)
    assert repr(nn.RNN(3, 4, 2, "relu")) == repr(torch.nn.RNN(3, 4, 2, "relu"))
    lstm = nn.LSTM(20, 100)
    bound = 1 / math.sqrt(100)
    for p in lstm.parameters():
        a = p.detach().numpy()
        assert a.dtype == np.float32 and np.abs(a).max() <= bound
        assert np.abs(a).max() > 0.9 * bound
    w = lstm.weight_ih_l0.detach().numpy()
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert len(lstm.all_weights) == 1 and len(lstm.all_weights[0]) == 4
    for cls in ("RNNCell", "LSTMCell", "GRUCell"):
        ours, theirs = getattr(nn, cls)(5, 8), getattr(torch.nn, cls)(5, 8)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert all(tuple(v.shape) == tuple(theirs.state_dict()[k].shape)
                   for k, v in ours.state_dict().items())
        assert repr(ours) == repr(theirs)
    assert repr(nn.RNNCell(3, 4, False, "relu")) == repr(torch.nn.RNNCell(3, 4, False, "relu"))


# ------------------------------------------------------------------ cells
@pytest.mark.parametrize("cls", ["RNNCell", "RNNCell-relu", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_cells_match_torch(torch, cls, batched, bias):
    kw = dict(nonlinearity="relu") if cls.endswith("relu") else {}
    name = cls.split("-")[0]
    ours = getattr(nn, name)(4, 5, bias=bias, **kw).double()
    theirs = getattr(torch.nn, name)(4, 5, bias=bias, **kw).double()
    load_from_torch(ours, theirs)
    lead = (3,) if batched else ()
    x, tx = pair(torch, rng.standard_normal(lead + (4,)))
    h, th = pair(torch, rng.standard_normal(lead + (5,)))
    if name == "LSTMCell":
        c, tc = pair(torch, rng.standard_normal(lead + (5,)))
        outs, touts = list(ours(x, (h, c))), list(theirs(tx, (th, tc)))
        close(ours(x)[1], theirs(tx)[1], "c' from zero state")
    else:
        outs, touts = [ours(x, h)], [theirs(tx, th)]
        close(ours(x), theirs(tx), "h' from zero state")
    for o, t in zip(outs, touts):
        close(o, t, "cell output")
    backward_both(torch, outs, touts)
    close(x.grad, tx.grad, "input grad")
    close(h.grad, th.grad, "hidden grad")
    if name == "LSTMCell":
        close(c.grad, tc.grad, "cell state grad")
    check_params(ours, theirs)


# ------------------------------------------------------------------ gradcheck
def test_recurrent_gradcheck():
    lstm = nn.LSTM(2, 2, num_layers=2, bidirectional=True).double()
    x = ag.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    h0 = ag.tensor(rng.standard_normal((4, 2, 2)), requires_grad=True)
    c0 = ag.tensor(rng.standard_normal((4, 2, 2)), requires_grad=True)

    def f(x, h0, c0, *params):
        out, (h, c) = lstm(x, (h0, c0))
        return out, h, c

    assert ag.gradcheck(f, (x, h0, c0, *list(lstm.parameters())[:4]))
    gru = nn.GRU(2, 3, batch_first=True).double()
    xg = ag.tensor(rng.standard_normal((2, 3, 2)), requires_grad=True)
    assert ag.gradcheck(lambda x, *p: gru(x)[0], (xg, *gru.parameters()))
    rnn = nn.RNN(2, 3, nonlinearity="tanh").double()
    assert ag.gradcheck(lambda x, *p: rnn(x)[1], (xg, *rnn.parameters()))


def test_cells_gradgradcheck():
    cell = nn.LSTMCell(2, 3).double()
    x = ag.tensor(rng.standard_normal((2, 2)), requires_grad=True)
    h = ag.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    c = ag.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    assert ag.gradgradcheck(lambda x, h, c, w: cell(x, (h, c)), (x, h, c, cell.weight_hh))
    gru = nn.GRUCell(2, 3).double()
    assert ag.gradcheck(lambda x, h, *p: gru(x, h), (x, h, *gru.parameters()))
    assert ag.gradgradcheck(lambda x, h, w: gru(x, h), (x, h, gru.weight_hh))



def test_recurrent_layer_gradgradcheck():
    # 5 steps: the time steps are split by halves, so the split is covered too
    lstm = nn.LSTM(2, 2, bidirectional=True).double()
    x = ag.tensor(rng.standard_normal((5, 1, 2)), requires_grad=True)
    assert ag.gradgradcheck(lambda x, w: lstm(x)[0], (x, lstm.weight_hh_l0))

# ------------------------------------------------------------------ recurrent errors
def test_recurrent_errors():
    lstm = nn.LSTM(8, 4, num_layers=2)
    with pytest.raises(ValueError, match=r"LSTM: input.size\(-1\) must be equal to input_size. "
                                         r"Expected 8, got 5"):
        lstm(ag.zeros(3, 2, 5))
    with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D"):
        lstm(ag.zeros(3, 2, 1, 8))
    with pytest.raises(ValueError, match=r"LSTM: Expected hidden\[0\] size \(2, 2, 4\), "
                                         r"got \[1, 2, 4\]"):
        lstm(ag.zeros(3, 2, 8), (ag.zeros(1, 2, 4), ag.zeros(2, 2, 4)))
    with pytest.raises(ValueError, match=r"LSTM: Expected hidden\[1\] size \(2, 2, 4\), "
                                         r"got \[2, 3, 4\]"):
        lstm(ag.zeros(3, 2, 8), (ag.zeros(2, 2, 4), ag.zeros(2, 3, 4)))
    with pytest.raises(TypeError, match=r"LSTM: expected hx to be a tuple \(h_0, c_0\)"):
        lstm(ag.zeros(3, 2, 8), ag.zeros(2, 2, 4))
    with pytest.raises(ValueError, match="GRU: For unbatched 2-D input, hidden should also be "
                                         "2-D but got 3-D"):
        nn.GRU(8, 4)(ag.zeros(3, 8), ag.zeros(1, 1, 4))
    with pytest.raises(ValueError, match="RNN: For batched 3-D input, hidden should also be 3-D"):
        nn.RNN(8, 4)(ag.zeros(3, 2, 8), ag.zeros(1, 4))
    with pytest.raises(ValueError, match="RNN: expected a sequence length larger than 0"):
        nn.RNN(8, 4)(ag.zeros(0, 2, 8))
    with pytest.raises(TypeError, match="GRU: expected input of dtype float32.*got float64"):
        nn.GRU(8, 4)(ag.zeros(3, 2, 8, dtype=ag.float64))
    with pytest.raises(TypeError, match="RNN: expected a Tensor input, got ndarray"):
        nn.RNN(8, 4)(np.zeros((3, 2, 8)))
    with pytest.raises(ValueError, match="RNN: Unknown nonlinearity 'gelu'"):
        nn.RNN(8, 4, nonlinearity="gelu")
    with pytest.raises(NotImplementedError, match="LSTM: proj_size=2"):
        nn.LSTM(8, 4, proj_size=2)
    with pytest.raises(ValueError, match="GRU: hidden_size must be greater than zero"):
        nn.GRU(8, 0)
    with pytest.raises(TypeError, match="LSTM: hidden_size should be of type int, got: float"):
        nn.LSTM(8, 4.0)
    with pytest.raises(ValueError, match=r"GRU: dropout should be a number in range \[0, 1\]"):
        nn.GRU(8, 4, num_layers=2, dropout=1.5)
    cell = nn.LSTMCell(8, 4)
    with pytest.raises(ValueError, match="LSTMCell: input has inconsistent input_size: got 5 "
                                         "expected 8"):
        cell(ag.zeros(2, 5))
    with pytest.raises(ValueError, match="LSTMCell: Expected input to be 1D or 2D, got 3D"):
        cell(ag.zeros(1, 2, 8))
    with pytest.raises(ValueError, match=r"LSTMCell: Input batch size 2 doesn't match hx\[1\] "
                                         r"batch size 3"):
        cell(ag.zeros(2, 8), (ag.zeros(2, 4), ag.zeros(3, 4)))
    with pytest.raises(ValueError, match="GRUCell: hidden has inconsistent hidden_size: got 5, "
                                         "expected 4"):
        nn.GRUCell(8, 4)(ag.zeros(2, 8), ag.zeros(2, 5))
    with pytest.raises(ValueError, match="RNNCell: Expected hidden to be 1D like the input"):
        nn.RNNCell(8, 4)(ag.zeros(8), ag.zeros(1, 4))


# ------------------------------------------------------------------ transposed convolution
CT2_CASES = [
    # stride, padding, output_padding, groups, dilation, kernel
    (1, 0, 0, 1, 1, 3),
    (2, 1, 1, 1, 1, 3),
    (2, 0, 0, 2, 1, (3, 2)),
    ((3, 2), (1, 2), (2, 1), 1, 1, (4, 3)),
    (1, 1, 0, 2, 2, 3),
    (2, 2, 1, 2, (2, 3), 2),
    (1, 1, 1, 1, 2, 3),    # output_padding >= stride (allowed as it is < dilation)
    (2, 0, 2, 1, 3, 2),
]


@pytest.mark.parametrize("stride,padding,output_padding,groups,dilation,kernel", CT2_CASES)
def test_conv_transpose2d_matches_torch(torch, stride, padding, output_padding, groups, dilation,
                                        kernel):
    kw = dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups,
              dilation=dilation)
    ours = nn.ConvTranspose2d(4, 6, kernel, **kw).double()
    theirs = torch.nn.ConvTranspose2d(4, 6, kernel, **kw).double()
    load_from_torch(ours, theirs)
    assert repr(ours) == repr(theirs)
    x, tx = pair(torch, rng.standard_normal((2, 4, 5, 4)))
    y, ty = ours(x), theirs(tx)
    close(y, ty, "output")
    backward_both(torch, [y], [ty])
    close(x.grad, tx.grad, "input grad")
    check_params(ours, theirs)
    # the functional form, and unbatched input
    f = conv_transpose2d(x[0], ours.weight, None, **kw)
    close(f, torch.nn.functional.conv_transpose2d(tx[0], theirs.weight, None, **kw), "unbatched")


@pytest.mark.parametrize("stride,padding,output_padding,groups,dilation,kernel",
                         [(1, 0, 0, 1, 1, 3), (2, 1, 1, 2, 1, 3), (3, 2, 2, 1, 2, 4),
                          (1, 0, 1, 2, 3, 2)])
def test_conv_transpose1d_matches_torch(torch, stride, padding, output_padding, groups, dilation,
                                        kernel):
    kw = dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups,
              dilation=dilation)
    ours = nn.ConvTranspose1d(4, 2, kernel, bias=groups == 1, **kw).double()
    theirs = torch.nn.ConvTranspose1d(4, 2, kernel, bias=groups == 1, **kw).double()
    load_from_torch(ours, theirs)
    assert repr(ours) == repr(theirs)
    x, tx = pair(torch, rng.standard_normal((3, 4, 6)))
    y, ty = ours(x), theirs(tx)
    close(y, ty, "output")
    backward_both(torch, [y], [ty])
    close(x.grad, tx.grad, "input grad")
    check_params(ours, theirs)
    close(ours(x[1]), theirs(tx[1]), "unbatched")
    w = ours.weight
    close(conv_transpose1d(x, w, stride=stride, padding=padding, output_padding=output_padding,
                           groups=groups, dilation=dilation),
          torch.nn.functional.conv_transpose1d(tx, theirs.weight, None, stride, padding,
                                               output_padding, groups, dilation), "functional")


def test_conv_transpose_output_size_init_and_state_dict(torch):
    ours = nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1).double()
    theirs = torch.nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1).double()
    load_from_torch(ours, theirs)
    x = rng.standard_normal((1, 3, 5, 5))
    for size in ([9, 9], [10, 9], (1, 4, 10, 10)):
        close(ours(ag.tensor(x), output_size=size),
              theirs(torch.tensor(x), output_size=size), f"output_size={size}")
    with pytest.raises(ValueError, match=r"ConvTranspose2d: requested an output size of \[11, 9\], "
                                         r"but valid sizes range from \[9, 9\] to \[10, 10\]"):
        ours(ag.tensor(x), output_size=[11, 9])
    for cls, k in (("ConvTranspose1d", 5), ("ConvTranspose2d", (3, 2))):
        o, t = getattr(nn, cls)(6, 8, k, groups=2), getattr(torch.nn, cls)(6, 8, k, groups=2)
        assert list(o.state_dict()) == list(t.state_dict()) == ["weight", "bias"]
        assert o.weight.shape == tuple(t.weight.shape) and o.weight.dtype == np.float32
    big = nn.ConvTranspose2d(64, 32, 3)
    bound = 1 / math.sqrt(32 * 9)  # fan_in = weight.size(1) * kH * kW
    w, b = big.weight.detach().numpy(), big.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.8 * bound
    assert nn.ConvTranspose1d(2, 2, 3, bias=False).bias is None


def test_conv_transpose_gradcheck_and_gradgradcheck():
    x = ag.tensor(rng.standard_normal((1, 2, 3, 3)), requires_grad=True)
    w = ag.tensor(rng.standard_normal((2, 2, 2, 3)), requires_grad=True)
    b = ag.tensor(rng.standard_normal(4), requires_grad=True)
    f = lambda x, w, b: conv_transpose2d(x, w, b, stride=2, padding=(1, 0), output_padding=1,
                                         groups=2, dilation=(1, 2))
    assert ag.gradcheck(f, (x, w, b))
    assert ag.gradgradcheck(f, (x, w, b))
    # output_padding >= stride: the crop-and-extend path
    g = lambda x, w: conv_transpose2d(x, w, stride=1, padding=0, output_padding=1, dilation=2)
    assert ag.gradcheck(g, (x, w))
    assert ag.gradgradcheck(g, (x, w))
    x1 = ag.tensor(rng.standard_normal((2, 2, 4)), requires_grad=True)
    w1 = ag.tensor(rng.standard_normal((2, 3, 3)), requires_grad=True)
    assert ag.gradcheck(lambda x, w: conv_transpose1d(x, w, stride=2, padding=1), (x1, w1))


def test_conv_transpose_errors():
    with pytest.raises(ValueError, match=r"conv_transpose2d: Given transposed=1, weight of size "
                                         r"\[4, 3, 3, 3\], expected input\[2, 5, 8, 8\] to have "
                                         r"4 channels, but got 5 channels instead"):
        conv_transpose2d(ag.zeros(2, 5, 8, 8), ag.zeros(4, 3, 3, 3))
    with pytest.raises(ValueError, match="conv_transpose2d: output padding must be smaller than "
                                         "either stride or dilation"):
        conv_transpose2d(ag.zeros(1, 4, 3, 3), ag.zeros(4, 3, 3, 3), stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"conv_transpose1d: Given input size per channel: "
                                         r"\(1 x 1\). Calculated output size per channel: "
                                         r"\(1 x -1\). Output size is too small"):
        conv_transpose1d(ag.zeros(1, 2, 1), ag.zeros(2, 2, 1), padding=1)
    with pytest.raises(ValueError, match="conv_transpose2d: expected a 4-D weight"):
        conv_transpose2d(ag.zeros(1, 4, 3, 3), ag.zeros(4, 3, 3))
    with pytest.raises(ValueError, match=r"ConvTranspose2d: expected input with 4 channels \(dim 1\), "
                                         r"got shape \(2, 3, 5, 5\)"):
        nn.ConvTranspose2d(4, 2, 3)(ag.zeros(2, 3, 5, 5))
    with pytest.raises(ValueError, match="ConvTranspose1d: expected 2D .unbatched. or 3D"):
        nn.ConvTranspose1d(4, 2, 3)(ag.zeros(2, 4, 5, 5))
    with pytest.raises(ValueError, match=r"ConvTranspose2d: out_channels \(3\) must be divisible "
                                         r"by groups \(2\)"):
        nn.ConvTranspose2d(4, 3, 3, groups=2)
    with pytest.raises(ValueError, match="ConvTranspose2d: padding must be an int"):
        nn.ConvTranspose2d(4, 2, 3, padding="same")
    with pytest.raises(TypeError, match="ConvTranspose2d: expected input of dtype float32"):
        nn.ConvTranspose2d(4, 2, 3)(ag.zeros(1, 4, 3, 3, dtype=ag.float64))


def test_conv_transpose_reachable_from_functional(torch):
    import autograd_core.nn.functional as F
    rng = np.random.default_rng(9)
    x, w, b = rng.standard_normal((2, 4, 5, 6)), rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(6)
    kw = dict(stride=2, padding=1, output_padding=1, groups=2)
    ours = F.conv_transpose2d(ag.tensor(x), ag.tensor(w), ag.tensor(b), **kw)
    theirs = torch.nn.functional.conv_transpose2d(*(torch.tensor(a) for a in (x, w, b)), **kw)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-12)
    x1, w1 = rng.standard_normal((1, 2, 7)), rng.standard_normal((2, 3, 3))
    np.testing.assert_allclose(
        F.conv_transpose1d(ag.tensor(x1), ag.tensor(w1), stride=3, dilation=2).numpy(),
        torch.nn.functional.conv_transpose1d(torch.tensor(x1), torch.tensor(w1), stride=3,
                                             dilation=2).numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("bias", [True, False])
def test_fused_step_matches_its_tensor_op_version(cell, bias):
    # nn.LSTM/nn.GRU run one fused node per step; its array backward must equal the
    # gradient of the Tensor-op step it replaces (which also serves create_graph=True).
    from autograd_core.ops.recurrent import GRUStep, LSTMStep, gru_step_composite, lstm_step_composite
    rng = np.random.default_rng(3)
    k = 4 if cell == "lstm" else 3
    t = lambda *s: ag.tensor(rng.standard_normal(s), requires_grad=True)  # noqa: E731
    ins = [t(5, k * 3), t(5, 3)] + ([t(5, 3)] if cell == "lstm" else []) + [t(k * 3, 3)]
    if bias:
        ins.append(t(k * 3))
    if cell == "lstm":
        fused = LSTMStep.apply(*ins)
        ref = ag.stack(lstm_step_composite(*ins), 0)
    else:
        fused, ref = GRUStep.apply(*ins), gru_step_composite(*ins)
    np.testing.assert_allclose(fused.detach().numpy(), ref.detach().numpy(), rtol=1e-13)
    gy = ag.tensor(rng.standard_normal(ref.shape))
    g1 = ag.grad(fused, ins, gy)
    g2 = ag.grad(ref, ins, gy)
    for a, b in zip(g1, g2):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)
    assert ag.gradgradcheck(lambda *xs: (LSTMStep if cell == "lstm" else GRUStep).apply(*xs),
                            tuple(ins))


@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_rnn_layer_matches_its_tensor_op_version(relu, reverse, bias):
    """nn.RNN runs its time loop as one node (``RNNLayer``): the same numbers as the steps
    in Tensor ops (exactly: the same sums in the same order), gradients equal to theirs,
    and second derivatives through its Tensor-op backward."""
    from autograd_core.ops.recurrent import RNNLayer, rnn_layer_composite
    rng = np.random.default_rng(11)
    t = lambda *s: ag.tensor(rng.standard_normal(s), requires_grad=True)  # noqa: E731
    ins = [t(6, 2, 3), t(2, 3), t(3, 3)] + ([t(3)] if bias else [])
    fused = RNNLayer.apply(*ins, relu=relu, reverse=reverse)
    ref = rnn_layer_composite(*ins, relu=relu, reverse=reverse)
    np.testing.assert_array_equal(fused.detach().numpy(), ref.detach().numpy())
    gy = ag.tensor(rng.standard_normal(ref.shape))
    for a, b in zip(ag.grad(fused, ins, gy), ag.grad(ref, ins, gy)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14)
    assert ag.gradgradcheck(lambda *xs: RNNLayer.apply(*xs, relu=relu, reverse=reverse),
                            tuple(ins))


def test_rnn_records_one_node_per_layer_and_direction():
    rnn = nn.RNN(3, 4, num_layers=2, bidirectional=True)
    out, h = rnn(ag.randn(7, 2, 3))
    seen, stack = set(), [out.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None and node._is_fn and node not in seen:
            seen.add(node)
            stack.extend(node.next)
    assert [n.name() for n in seen].count("RNNLayerBackward0") == 4


@pytest.mark.parametrize("kind", ["tanh", "relu"])
def test_rnn_of_hidden_size_one_matches_torch(torch, kind):
    """A hidden size of 1 makes the layer's products outer products (depth 1), which
    ``matmul_packed`` multiplies instead of calling BLAS."""
    ours, theirs = make_rnn(torch, kind, input_size=3, hidden_size=1, bidirectional=True)
    x, tx = pair(torch, rng.standard_normal((5, 2, 3)))
    out, hn = ours(x)
    tout, thn = theirs(tx)
    close(out, tout, "output")
    close(hn, thn, "h_n")
    backward_both(torch, [out, hn], [tout, thn])
    close(x.grad, tx.grad, "input grad")
    check_params(ours, theirs)
