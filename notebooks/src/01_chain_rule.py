# %% [markdown]
# # 1. The chain rule, by hand and by the engine
#
# Every deep-learning library computes gradients the same way: it records the computation
# as a **graph** of small operations during the forward pass, then walks that graph
# backwards, multiplying *local* derivatives along the way. That walk is the **chain rule**,
# and it is called **backpropagation**.
#
# In this notebook we do it twice, once on paper and once with `autograd_core`, and check
# that the two agree:
#
# 1. $f = (x + y)\,z$ at $x = 1$, $y = -3$, $z = 4$, worked by hand;
# 2. the same with the engine: scalar `Value`s, then `Tensor`s (PyTorch's API);
# 3. pictures of the graph after the forward pass and after the backward pass;
# 4. `explain()`, which prints every multiplication backward does and draws each step;
# 5. a sigmoid neuron $\sigma(w_1 x_1 + w_2 x_2 + b)$: its gradient derived by hand,
#    then compared with the engine and with finite differences (`ag.gradcheck`).

# %%
import math

import numpy as np
import matplotlib.pyplot as plt
from IPython.display import display

import autograd_core as ag
from autograd_core import Value

plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (5, 3.5), "axes.grid": True,
                     "grid.alpha": 0.3,
                     "figure.constrained_layout.use": True})  # laid out: nothing sticks out of a figure

# %% [markdown]
# ## 1. $f = (x + y)\,z$ by hand
#
# Give the intermediate result a name, $q = x + y$, so that $f = q\,z$. The computation is
# a small graph: $x$ and $y$ flow into a `+` node that makes $q$, and $q$ and $z$ flow into
# a `×` node that makes $f$.
#
# **Forward pass** (left to right), at $x = 1$, $y = -3$, $z = 4$:
#
# $$q = x + y = 1 + (-3) = -2, \qquad f = q\,z = (-2)(4) = -8.$$
#
# **Local derivatives.** Each node only needs to know the derivative of its own output with
# respect to its own inputs:
#
# | node | local derivatives | at our point |
# | --- | --- | --- |
# | $q = x + y$ | $\dfrac{\partial q}{\partial x} = 1,\quad \dfrac{\partial q}{\partial y} = 1$ | $1,\ 1$ |
# | $f = q\,z$ | $\dfrac{\partial f}{\partial q} = z,\quad \dfrac{\partial f}{\partial z} = q$ | $4,\ -2$ |
#
# **Backward pass** (right to left). Start with $\partial f/\partial f = 1$. At each node,
# multiply the gradient that arrives from above (the *upstream* gradient) by the local
# derivative. That is the chain rule:
#
# $$\frac{\partial f}{\partial z} = q = -2, \qquad
#   \frac{\partial f}{\partial q} = z = 4,$$
#
# $$\frac{\partial f}{\partial x} = \frac{\partial f}{\partial q}\cdot\frac{\partial q}{\partial x}
#   = 4 \cdot 1 = 4, \qquad
#   \frac{\partial f}{\partial y} = \frac{\partial f}{\partial q}\cdot\frac{\partial q}{\partial y}
#   = 4 \cdot 1 = 4 .$$
#
# Read the answer as sensitivities: raising $x$ or $y$ by a small $\varepsilon$ changes $f$
# by about $4\varepsilon$; raising $z$ by $\varepsilon$ changes it by about $-2\varepsilon$.
#
# Two patterns are worth remembering, because every network is built from them:
#
# * a **`+` node passes the upstream gradient unchanged** to each input (local derivative 1);
# * a **`×` node sends each input the upstream gradient times the *other* input**.
#
# A quick numerical check of those sensitivities with plain Python floats, before any
# engine is involved:

# %%
def f_plain(x, y, z):
    return (x + y) * z

eps = 1e-6
for name, bump in (("x", (eps, 0, 0)), ("y", (0, eps, 0)), ("z", (0, 0, eps))):
    up = f_plain(1 + bump[0], -3 + bump[1], 4 + bump[2])
    down = f_plain(1 - bump[0], -3 - bump[1], 4 - bump[2])
    print(f"df/d{name} ≈ (f(+eps) - f(-eps)) / (2 eps) = {(up - down) / (2 * eps):+.6f}")

# %% [markdown]
# ## 2. The same with the engine: `Value`
#
# A `Value` wraps one number. Arithmetic on `Value`s gives new `Value`s that remember where
# they came from, so writing the formula *builds the graph*. The `label`s are only names
# for the pictures.

# %%
x = Value(1.0, label="x")
y = Value(-3.0, label="y")
z = Value(4.0, label="z")
q = x + y
q.label = "q"
f = q * z
f.label = "f"
print("f =", f.data, "  q =", q.data)
print("f was made by", repr(f._op), "from", [v.label for v in f._prev])

# %% [markdown]
# `draw_graph` draws what was recorded. Values are boxes (inputs blue, the output green),
# operations are small ellipses. After the forward pass every box knows its `data`, and no
# gradient has been computed yet.

# %%
ag.draw_graph(f, title="f = (x + y) * z after the forward pass: data only")

# %% [markdown]
# Now the backward pass. `f.backward()` sets $\partial f/\partial f = 1$ and walks the
# graph from `f` back to the leaves, filling in every `.grad`:

# %%
f.backward()
print(f"engine:  df/dx = {x.grad}   df/dy = {y.grad}   df/dz = {z.grad}   df/dq = {q.grad}")
print(f"by hand: df/dx = {4.0}   df/dy = {4.0}   df/dz = {-2.0}   df/dq = {4.0}")

# %%
ag.draw_graph(f, title="After f.backward(): every node also holds df/d(node), in orange")

# %% [markdown]
# The orange numbers are the gradients we worked out by hand. Note $q$: it is not an input,
# but backward needed $\partial f/\partial q = 4$ on the way to $x$ and $y$.
#
# ## 3. The same with `Tensor`s
#
# `autograd_core`'s `Tensor` has PyTorch's API: `requires_grad=True` marks the leaves we
# want gradients for, `.backward()` runs the backward pass and `.grad` holds the result.
# The code is the one you would write with `torch`:

# %%
xt = ag.tensor(1.0, requires_grad=True)
yt = ag.tensor(-3.0, requires_grad=True)
zt = ag.tensor(4.0, requires_grad=True)
ft = (xt + yt) * zt
ft.backward()
print("f =", ft.item(), "   made by", ft.grad_fn)
print("df/dx =", xt.grad.item(), "  df/dy =", yt.grad.item(), "  df/dz =", zt.grad.item())

# %% [markdown]
# A tensor can hold many numbers at once, and then each element gets its own gradient.
# Here $x$, $y$ and $z$ are vectors of three values each, $f = \sum_i (x_i + y_i)\,z_i$,
# and the first entries are our point. The gradient rules are the same, elementwise:
# $\partial f/\partial x_i = z_i$ and $\partial f/\partial z_i = x_i + y_i$.

# %%
xv = ag.tensor([1.0, 2.0, 0.5], requires_grad=True)
yv = ag.tensor([-3.0, 1.0, 0.5], requires_grad=True)
zv = ag.tensor([4.0, -1.0, 2.0], requires_grad=True)
fv = ((xv + yv) * zv).sum()
fv.backward()
print("df/dx =", xv.grad.tolist(), "  (= z)")
print("df/dy =", yv.grad.tolist(), "  (= z)")
print("df/dz =", zv.grad.tolist(), "  (= x + y)")

# %%
ag.draw_graph(fv, names={"x": xv, "y": yv, "z": zv, "f": fv},
              title="The tensor version after backward: one node per array")

# %% [markdown]
# ## 4. Backward, one step at a time: `explain()`
#
# `ag.explain(f)` replays the backward pass without touching any `.grad`, and writes out
# every product the chain rule asks for: at each node, for each input,
# *local derivative × upstream gradient*, and the running sum of that input's gradient.

# %%
x, y, z = Value(1.0, label="x"), Value(-3.0, label="y"), Value(4.0, label="z")
f = (x + y) * z
f.label = "f"
steps = ag.explain(f)
print(steps)

# %% [markdown]
# The same steps as pictures. `steps.frames()` gives one graph before backward starts and
# one after each step; the node being processed is outlined in red, and the edges to its
# inputs carry the product *local × upstream* that they send back.

# %%
frames = steps.frames()
print(f"{len(frames)} frames: the start, then one per backward step")
for frame in frames:
    display(frame)

# %% [markdown]
# Step 1 handles the `×` node: $(x + y)$ receives $z \cdot 1 = 4$ and $z$ receives
# $(x + y)\cdot 1 = -2$, the "swap" rule. Step 2 handles the `+` node, which passes its
# upstream gradient 4 to both $x$ and $y$ unchanged.
#
# ## 5. A sigmoid neuron
#
# A neuron computes a weighted sum of its inputs and squashes it with an activation
# function. With the logistic sigmoid $\sigma(n) = 1/(1 + e^{-n})$:
#
# $$y = \sigma(n), \qquad n = w_1 x_1 + w_2 x_2 + b .$$
#
# We take $w_1 = 2$, $x_1 = -1$, $w_2 = -3$, $x_2 = -2$, $b = -3$.
#
# **The sigmoid's derivative.** Differentiate $\sigma(n) = (1 + e^{-n})^{-1}$:
#
# $$\sigma'(n) = \frac{e^{-n}}{(1 + e^{-n})^2}
#   = \frac{1}{1 + e^{-n}}\cdot\frac{e^{-n}}{1 + e^{-n}}
#   = \sigma(n)\,\big(1 - \sigma(n)\big).$$
#
# So once the forward pass has computed $y = \sigma(n)$, the local derivative is just
# $y(1 - y)$: no exponential needs to be evaluated again.
#
# **By hand.** Forward: $n = (2)(-1) + (-3)(-2) + (-3) = -2 + 6 - 3 = 1$, and
# $y = \sigma(1) = 0.7311$. Then $\partial y/\partial n = y(1 - y) = 0.7311 \times 0.2689
# = 0.1966$. The sum passes this to each of its terms, and each product $w_i x_i$ swaps:
#
# $$\frac{\partial y}{\partial w_i} = y(1-y)\,x_i, \qquad
#   \frac{\partial y}{\partial x_i} = y(1-y)\,w_i, \qquad
#   \frac{\partial y}{\partial b} = y(1-y).$$
#
# In numbers:

# %%
W1, X1, W2, X2, B = 2.0, -1.0, -3.0, -2.0, -3.0
n_hand = W1 * X1 + W2 * X2 + B
y_hand = 1 / (1 + math.exp(-n_hand))
dy_dn = y_hand * (1 - y_hand)
by_hand = {"w1": dy_dn * X1, "x1": dy_dn * W1, "w2": dy_dn * X2, "x2": dy_dn * W2, "b": dy_dn}
print(f"n = {n_hand}, y = sigmoid(n) = {y_hand:.4f}, dy/dn = y(1 - y) = {dy_dn:.4f}")
for name, g in by_hand.items():
    print(f"  dy/d{name:2s} = {g:+.4f}")

# %% [markdown]
# The sigmoid and its slope, with our point marked. The slope is largest, $0.25$, at
# $n = 0$ and fades on both sides: a neuron whose sum $n$ is far from zero passes back
# almost no gradient (it is *saturated*), which will matter in notebook 6.

# %%
ns = np.linspace(-6, 6, 300)
sig = 1 / (1 + np.exp(-ns))
fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.plot(ns, sig, label=r"$\sigma(n)$")
ax.plot(ns, sig * (1 - sig), label=r"$\sigma'(n) = \sigma(n)(1 - \sigma(n))$")
ax.plot([n_hand], [y_hand], "o", color="tab:blue")
ax.plot([n_hand], [dy_dn], "o", color="tab:orange")
ax.annotate(f"our neuron: n = 1\ny = {y_hand:.4f}\nslope {dy_dn:.4f}", xy=(n_hand, dy_dn),
            xytext=(2.4, 0.3), arrowprops={"arrowstyle": "->"})
ax.set(title="The sigmoid and its derivative", xlabel="n = w1 x1 + w2 x2 + b", ylabel="value")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# **By the engine.** The neuron written with `Value`s, then one `backward()`:

# %%
w1, x1 = Value(W1, label="w1"), Value(X1, label="x1")
w2, x2 = Value(W2, label="w2"), Value(X2, label="x2")
b = Value(B, label="b")
n = w1 * x1 + w2 * x2 + b
n.label = "n"
y = n.sigmoid()
y.label = "y"
y.backward()

leaves = {"w1": w1, "x1": x1, "w2": w2, "x2": x2, "b": b}
print(f"{'':6s}{'by hand':>10s}{'engine':>10s}")
for name, v in leaves.items():
    print(f"dy/d{name:2s}{by_hand[name]:+10.4f}{v.grad:+10.4f}")
print("all equal:", all(math.isclose(by_hand[k], v.grad, rel_tol=1e-12) for k, v in leaves.items()))

# %%
ag.draw_graph(y, title="The sigmoid neuron after backward: data and gradient of every node")

# %% [markdown]
# **What the gradient means.** $\partial y/\partial w_1 = -0.1966$ is the slope of $y$ as
# a function of $w_1$ alone, the others held fixed. Plotting that function with the
# tangent line of slope $-0.1966$ at $w_1 = 2$ shows it:

# %%
w1_axis = np.linspace(-2, 6, 200)
y_of_w1 = 1 / (1 + np.exp(-(w1_axis * X1 + W2 * X2 + B)))
fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.plot(w1_axis, y_of_w1, label="y as a function of $w_1$")
ax.plot(w1_axis, y_hand + w1.grad * (w1_axis - W1), "--",
        label=f"tangent at $w_1 = 2$, slope {w1.grad:.4f}")
ax.plot([W1], [y_hand], "ko")
ax.set(title="dy/dw1 is the slope of y along w1", xlabel="$w_1$", ylabel="y", ylim=(-0.1, 1.1))
ax.legend(loc="lower left")
plt.show()

# %% [markdown]
# **Step by step.** `explain()` on the neuron shows the same derivation as the one above,
# with the numbers (an unnamed intermediate is called `n1`):

# %%
neuron_steps = ag.explain(y)
print(neuron_steps)

# %% [markdown]
# The frames under a slider: in Jupyter, drag it (or click ◀ ▶) to step through backward;
# each frame has its step's text beneath it. (Where scripts cannot run, for example on
# GitHub, only the first frame shows; the text above has every step.)

# %%
neuron_steps.slider()

# %% [markdown]
# **The same neuron with `Tensor`s**, as a layer would compute it: the weights and the
# inputs are vectors, $n = \mathbf{w}\cdot\mathbf{x} + b$. We use `float64` so that the
# finite differences below are accurate.

# %%
wt = ag.tensor([W1, W2], dtype=ag.float64, requires_grad=True)
xt = ag.tensor([X1, X2], dtype=ag.float64, requires_grad=True)
bt = ag.tensor(B, dtype=ag.float64, requires_grad=True)
yt = ((wt * xt).sum() + bt).sigmoid()
yt.backward()
print("y     =", round(yt.item(), 4))
print("dy/dw =", wt.grad.numpy().round(4), "  by hand:", np.round([by_hand["w1"], by_hand["w2"]], 4))
print("dy/dx =", xt.grad.numpy().round(4), "  by hand:", np.round([by_hand["x1"], by_hand["x2"]], 4))
print("dy/db =", round(bt.grad.item(), 4), "          by hand:", round(by_hand["b"], 4))

# %% [markdown]
# ## 6. Checking gradients with `ag.gradcheck`
#
# The hand derivation and the engine agree, but both could share a mistake. The
# independent referee is the **finite difference**: nudge one input by $\pm\varepsilon$,
# re-run the *forward* pass, and measure the slope,
#
# $$\frac{\partial y}{\partial w_1} \approx \frac{y(w_1 + \varepsilon) - y(w_1 - \varepsilon)}{2\varepsilon}.$$
#
# It needs no derivative at all, only two forward passes per input. `ag.gradcheck(fn, inputs)`
# does this for every input and compares with what backward computes; it returns `True`
# or raises an error naming the first mismatch.

# %%
def neuron(w1, x1, w2, x2, b):
    return (w1 * x1 + w2 * x2 + b).sigmoid()

print("Values:  gradcheck =", ag.gradcheck(neuron, (Value(W1), Value(X1), Value(W2), Value(X2), Value(B))))
print("Tensors: gradcheck =", ag.gradcheck(lambda w, x, b: ((w * x).sum() + b).sigmoid(), (wt, xt, bt)))

# %% [markdown]
# Finite differences by hand, for each of the five inputs:

# %%
def neuron_float(w1, x1, w2, x2, b):      # the forward pass on plain floats
    return 1 / (1 + math.exp(-(w1 * x1 + w2 * x2 + b)))

point = {"w1": W1, "x1": X1, "w2": W2, "x2": X2, "b": B}
eps = 1e-6
print(f"{'':6s}{'by hand':>10s}{'finite diff.':>14s}")
for name in point:
    up, down = dict(point), dict(point)
    up[name] += eps
    down[name] -= eps
    numeric = (neuron_float(**up) - neuron_float(**down)) / (2 * eps)
    print(f"dy/d{name:2s}{by_hand[name]:+10.4f}{numeric:+14.4f}")

# %% [markdown]
# **gradcheck catches a wrong backward.** Suppose we write our own sigmoid op and make the
# classic slip of using $\sigma(n)$ as its derivative instead of $\sigma(n)(1 - \sigma(n))$.
# The engine happily runs the wrong backward; only the comparison with finite differences
# shows it:

# %%
class SigmoidWithBug(ag.Function):
    @staticmethod
    def forward(ctx, n):
        out = 1 / (1 + (-n).exp())
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out            # wrong: should be grad * out * (1 - out)


class SigmoidFixed(SigmoidWithBug):
    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


def neuron_with(op):
    return lambda w, x, b: op.apply((w * x).sum() + b)

print("buggy sigmoid: gradcheck =", ag.gradcheck(neuron_with(SigmoidWithBug), (wt, xt, bt),
                                                 raise_exception=False))
print("fixed sigmoid: gradcheck =", ag.gradcheck(neuron_with(SigmoidFixed), (wt, xt, bt)))
try:
    ag.gradcheck(neuron_with(SigmoidWithBug), (wt, xt, bt))
except ag.GradcheckError as err:
    print("the error names the mismatch:", str(err).splitlines()[0])

# %% [markdown]
# ## What we saw
#
# * The chain rule turns one hard derivative into many easy ones: each node multiplies
#   the upstream gradient by its *local* derivative and passes the product to its inputs.
#   A `+` node passes the gradient through; a `×` node swaps in the other input.
# * `autograd_core` records the graph during the forward pass (`Value` or `Tensor`, same
#   rules), and `backward()` does exactly the multiplications we did by hand: for
#   $f = (x + y)z$, $\partial f/\partial x = \partial f/\partial y = 4$ and
#   $\partial f/\partial z = -2$.
# * `draw_graph` shows the graph with its data and, after backward, its gradients;
#   `explain()` prints and draws every step.
# * For the sigmoid neuron, $\partial y/\partial n = y(1 - y)$ and the weights receive
#   $y(1 - y)\,x_i$. Hand, engine and finite differences agree, and `gradcheck` is the tool
#   that would have caught a mistake in any of them.
#
# **Next:** notebook 2 builds a whole network from these scalar `Value`s and trains it.
