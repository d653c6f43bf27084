# %% [markdown]
# # 2. A neural network made of scalar `Value`s
#
# In this notebook we build a small neural network out of nothing but **scalars**, train it
# to separate two interleaving half-moons, and look at what it learned. Every weight, every
# multiplication and every addition is one `Value`: one node of a compute graph that knows
# its parents and its local derivatives. Calling `.backward()` on the loss walks that graph
# once and fills in the gradient of every weight.
#
# This is Andrej Karpathy's *micrograd* demo, run on `autograd_core.Value`, which has
# micrograd's API. The plan:
#
# 1. what a `Value` records, on a single neuron;
# 2. the data: two moons;
# 3. `Neuron`, `Layer` and `MLP` in about 40 lines;
# 4. the loss: a max-margin (SVM, "hinge") loss plus L2 regularisation;
# 5. checking a gradient against finite differences;
# 6. training by gradient descent;
# 7. the decision boundary the network learned.

# %%
import math
import random
import time

import numpy as np
import matplotlib.pyplot as plt

import autograd_core as ag
from autograd_core import Value
from autograd_core.data import make_moons

plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (5, 3.5), "axes.grid": True,
                     "grid.alpha": 0.3,
                     "figure.constrained_layout.use": True})  # laid out: nothing sticks out of a figure

# %% [markdown]
# ## 1. What a `Value` records
#
# A neuron with two inputs computes $o = \tanh(w_1 x_1 + w_2 x_2 + b)$. We write it with
# `Value`s exactly as we would with floats:

# %%
x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
n = x1 * w1 + x2 * w2 + b
o = n.tanh()
print("o =", o)
print("o was made by", repr(o._op), "from", o._prev)
print("its local derivative do/dn = 1 - tanh(n)^2 =", o._local)

# %% [markdown]
# The forward pass built a graph: `o` knows it came from `tanh` of `n`, and already stored
# the *local* derivative $\partial o/\partial n = 1 - \tanh^2(n)$. `backward()` multiplies the
# local derivatives along every path from `o` back to each input (the chain rule) and adds
# up the paths:
#
# $$\frac{\partial o}{\partial w_1} = \frac{\partial o}{\partial n}\,\frac{\partial n}{\partial w_1}
#   = (1 - o^2)\, x_1 .$$

# %%
o.backward()
print(f"engine:  do/dw1 = {w1.grad:.6f}   do/dx1 = {x1.grad:.6f}   do/db = {b.grad:.6f}")
print(f"by hand: do/dw1 = {(1 - o.data**2) * x1.data:.6f}   do/dx1 = {(1 - o.data**2) * w1.data:.6f}"
      f"   do/db = {1 - o.data**2:.6f}")

# %% [markdown]
# A network is this, repeated: many neurons, each a weighted sum followed by a
# non-linearity, their outputs the inputs of the next layer. The loss at the end is one
# `Value`, and one `backward()` gives the gradient of every weight.
#
# ## 2. The data: two moons
#
# `make_moons` (shipped with `autograd_core.data`, no download) draws 100 points on two
# interleaving half circles with a little Gaussian noise. No straight line separates them,
# so a linear classifier cannot get them all right; a network with hidden layers can.
#
# For the hinge loss below, the labels are $y \in \{-1, +1\}$ instead of $\{0, 1\}$.

# %%
X, y01 = make_moons(100, noise=0.1, seed=0)
y = 2 * y01 - 1  # {0, 1} -> {-1, +1}
X_rows, y_list = X.tolist(), y.tolist()  # plain Python numbers for the Values, as micrograd uses
print(f"X: {X.shape}, {np.sum(y == -1)} points with y = -1 and {np.sum(y == 1)} with y = +1")

fig, ax = plt.subplots(figsize=(5, 3.5))
for label, color in ((-1, "tab:blue"), (1, "tab:red")):
    ax.scatter(*X[y == label].T, c=color, s=18, edgecolors="k", linewidths=0.4, label=f"y = {label:+d}")
ax.set(title="Training data: make_moons(100, noise=0.1)", xlabel="$x_1$", ylabel="$x_2$")
ax.legend(loc="lower left")
plt.show()

# %% [markdown]
# ## 3. `Neuron`, `Layer`, `MLP`
#
# These are micrograd's classes, almost line for line:
#
# * a **`Neuron`** holds one weight per input and a bias, all `Value`s, and computes
#   $\mathrm{ReLU}(\sum_i w_i x_i + b)$, or just the weighted sum when it is in the last
#   layer (the output score should be free to be any number);
# * a **`Layer`** is a list of neurons that all read the same inputs;
# * an **`MLP`** (multi-layer perceptron) is a list of layers, each feeding the next.
#
# `parameters()` collects every weight and bias, so the training loop can reset and update
# them. Weights start uniform in $[-1, 1]$ (the seed makes the run reproducible); biases
# start at 0.

# %%
class Module:
    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self):
        return []


class Neuron(Module):
    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer(Module):
    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP(Module):
    def __init__(self, nin, nouts):
        sizes = [nin] + nouts
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1)
                       for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


random.seed(1337)
model = MLP(2, [8, 8, 1])  # 2 inputs -> 8 ReLU -> 8 ReLU -> 1 score
params = model.parameters()
print(f"MLP 2-8-8-1 with {len(params)} parameters "
      f"(= 8*(2+1) + 8*(8+1) + 1*(8+1) = {8 * 3 + 8 * 9 + 9})")

# %% [markdown]
# Calling the model on one point gives one `Value`, its **score**: positive means "red
# moon" ($y=+1$), negative means "blue moon" ($y=-1$). Untrained, the scores are arbitrary.

# %%
for i in range(3):
    score = model([Value(v) for v in X_rows[i]])
    print(f"point {X[i].round(2)}  label {y[i]:+d}  score {score.data:+.3f}")

# %% [markdown]
# ## 4. The loss: max-margin hinge plus L2
#
# For a point with label $y_i \in \{-1, +1\}$ and score $s_i$, the product $y_i s_i$ is the
# **margin**: positive when the sign is right, and the larger the more confident. The
# hinge loss (the loss of a support vector machine) is
#
# $$\ell_i = \max(0,\; 1 - y_i s_i) = \mathrm{ReLU}(1 - y_i s_i).$$
#
# It is zero once a point is on the right side *with margin at least 1*, so points that are
# already safely classified stop pulling on the weights; wrong or barely-right points pull
# in proportion to how wrong they are (the slope is $-1$).
#
# To this average we add $\alpha \sum_p p^2$ with $\alpha = 10^{-4}$, an **L2 penalty** that
# prefers small weights: it keeps the scores from growing without bound and gives a
# smoother boundary.

# %%
margin = np.linspace(-2, 3, 200)
fig, ax = plt.subplots(figsize=(4.5, 3))
ax.plot(margin, np.maximum(0, 1 - margin), lw=2)
ax.axvline(1, color="gray", ls="--", lw=1)
ax.annotate("no loss once\nthe margin\nreaches 1", xy=(1.05, 0.05), xytext=(1.35, 1.2),
            arrowprops={"arrowstyle": "->"})
ax.set(title="Hinge loss max(0, 1 - margin)", xlabel="margin $y_i s_i$", ylabel="loss $\\ell_i$")
plt.show()

# %%
ALPHA = 1e-4


def loss_and_accuracy(model):
    inputs = [[Value(v) for v in row] for row in X_rows]   # fresh leaves for the data
    scores = [model(x) for x in inputs]
    losses = [(1 - yi * si).relu() for yi, si in zip(y_list, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    accuracy = np.mean([(si.data > 0) == (yi > 0) for yi, si in zip(y_list, scores)])
    return data_loss + reg_loss, accuracy


total, acc = loss_and_accuracy(model)
print(f"before training: loss {total.data:.4f}, accuracy {acc:.0%}")

# %% [markdown]
# That single number `total` sits at the end of a large graph: every multiplication of every
# neuron, for every one of the 100 points, is a node. `toposort` (the engine's ordering, the
# subject of notebook 3) lists them all:

# %%
from collections import Counter
from autograd_core.autograd.engine import toposort

nodes = toposort([total], lambda v: v._prev)
print(f"the loss depends on {len(nodes):,} Values; by operation:")
print(dict(Counter(v._op or "leaf" for v in nodes).most_common()))

# %% [markdown]
# One `backward()` visits each of these nodes once, so a gradient costs about as much as the
# forward pass, however many parameters there are. Scalars are still the slow way to do it:
# notebook 4 does the same with tensors, one node per *matrix* operation.
#
# ## 5. Trust, but verify: a gradient by finite differences
#
# Before training, check that `backward()` gives the right numbers. The derivative of the
# loss with respect to a parameter $p$ is approximately
#
# $$\frac{\partial L}{\partial p} \approx \frac{L(p + \varepsilon) - L(p - \varepsilon)}{2\varepsilon}.$$
#
# We nudge one weight up and down, recompute the whole loss, and compare:

# %%
model.zero_grad()
total, _ = loss_and_accuracy(model)
total.backward()

p = model.layers[0].neurons[0].w[0]   # the first weight of the first neuron
eps = 1e-6
old = p.data
p.data = old + eps
plus = loss_and_accuracy(model)[0].data
p.data = old - eps
minus = loss_and_accuracy(model)[0].data
p.data = old
print(f"backward():          dL/dp = {p.grad:.8f}")
print(f"finite differences:  dL/dp = {(plus - minus) / (2 * eps):.8f}")

# %% [markdown]
# `ag.gradcheck` does exactly this for every `Value` it is given. Here we check the last
# layer's weights (the function ignores its arguments because the loss reads the
# parameters from the model, which `gradcheck` nudges in place):

# %%
last = model.layers[-1].parameters()
print("gradcheck on the", len(last), "weights of the output neuron:",
      ag.gradcheck(lambda *ps: loss_and_accuracy(model)[0], last))
model.zero_grad()

# %% [markdown]
# ## 6. Training: gradient descent
#
# Each step is the same four lines:
#
# 1. **forward**: compute the loss (this builds a fresh graph);
# 2. **zero the gradients**: `backward()` *adds* into `.grad`, so last step's must go;
# 3. **backward**: fill `.grad` of every parameter;
# 4. **update**: move each parameter a little *against* its gradient, $p \leftarrow p - \eta\,\partial L/\partial p$.
#
# The learning rate $\eta$ starts at 1.0 and decays linearly to 0.1, so the steps get finer
# as we approach a minimum. We also keep copies of the weights at a few steps to draw the
# boundary as it forms.

# %%
STEPS = 100
snap_at = {0, 5, 20, STEPS}
snapshots = {}
history = {"loss": [], "accuracy": []}

t0 = time.perf_counter()
for k in range(STEPS):
    if k in snap_at:
        snapshots[k] = [p.data for p in params]
    total, acc = loss_and_accuracy(model)      # 1. forward
    model.zero_grad()                          # 2. zero the gradients
    total.backward()                           # 3. backward
    lr = 1.0 - 0.9 * k / STEPS                 # 4. update
    for p in params:
        p.data -= lr * p.grad
    history["loss"].append(total.data)
    history["accuracy"].append(acc)
    if k % 10 == 0 or k == STEPS - 1:
        print(f"step {k:3d}  loss {total.data:.4f}  accuracy {acc:.0%}")
snapshots[STEPS] = [p.data for p in params]
final_loss, final_acc = loss_and_accuracy(model)
print(f"after {STEPS} steps: loss {final_loss.data:.4f}, train accuracy {final_acc:.0%} "
      f"({time.perf_counter() - t0:.1f} s)")

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3))
ax1.plot(history["loss"])
ax1.set(title="Loss falls as training proceeds", xlabel="step", ylabel="hinge + L2 loss",
        yscale="log")
ax2.plot(100 * np.array(history["accuracy"]), color="tab:green")
ax2.set(title="Training accuracy rises to 100%", xlabel="step", ylabel="accuracy (%)",
        ylim=(40, 102))
plt.show()

# %% [markdown]
# ## 7. The decision boundary
#
# To colour the plane by the model's decision we need its score at thousands of grid
# points. A trained network is just numbers, so we read the weights out of the `Value`s
# into NumPy arrays and run the same forward pass on the whole grid at once. (Running
# thousands of points through `Value`s would work too, only a few hundred times slower.)
# First a check that the NumPy version computes exactly what the `Value` model computes:

# %%
def weights_as_arrays(values):
    """Per layer (W, b) with W[j, i] the weight from input i to neuron j, from a flat list."""
    it = iter(values)
    out = []
    for layer in model.layers:
        rows = [[next(it) for _ in n.w] + [next(it)] for n in layer.neurons]
        a = np.array(rows)
        out.append((a[:, :-1], a[:, -1]))
    return out


def scores_numpy(points, values):
    h = points
    layers = weights_as_arrays(values)
    for i, (W, b) in enumerate(layers):
        h = h @ W.T + b
        if i < len(layers) - 1:
            h = np.maximum(h, 0)
    return h[:, 0]


value_scores = np.array([model([Value(v) for v in row]).data for row in X_rows])
print("NumPy forward == Value forward:",
      np.allclose(scores_numpy(X, [p.data for p in params]), value_scores))

# %%
xx, yy = np.meshgrid(np.linspace(-1.6, 2.6, 200), np.linspace(-1.2, 1.7, 150))
grid = np.c_[xx.ravel(), yy.ravel()]


def draw_boundary(ax, values, title, ticks=False):
    positive = (scores_numpy(grid, values) > 0).reshape(xx.shape).astype(float)
    ax.contourf(xx, yy, positive, levels=[-0.5, 0.5, 1.5], colors=["#c6dbef", "#fcbba1"])
    ax.contour(xx, yy, positive, levels=[0.5], colors="k", linewidths=1)
    for label, color in ((-1, "tab:blue"), (1, "tab:red")):
        ax.scatter(*X[y == label].T, c=color, s=14, edgecolors="k", linewidths=0.4)
    ax.set_title(title)
    if not ticks:
        ax.set(xticks=[], yticks=[])
    ax.grid(False)


fig, ax = plt.subplots(figsize=(5.5, 4))
draw_boundary(ax, snapshots[STEPS], f"Learned decision boundary (score = 0), "
                                    f"train accuracy {final_acc:.0%}", ticks=True)
ax.set(xlabel="$x_1$", ylabel="$x_2$")
plt.show()

# %% [markdown]
# The black curve is where the score crosses zero: red region, score > 0 (class $+1$); blue
# region, score < 0 (class $-1$). It bends around the tips of both moons, something no
# straight line can do. It is made of straight pieces because every hidden unit is a ReLU:
# the score is a *piecewise linear* function of the input, linear within each region of the
# plane where the same units are switched on.
#
# How did it get there? The snapshots show the boundary at a few points of training:

# %%
fig, axes = plt.subplots(1, len(snapshots), figsize=(11, 2.8))
for ax, (k, values) in zip(axes, sorted(snapshots.items())):
    acc = np.mean((scores_numpy(X, values) > 0) == (y > 0))
    draw_boundary(ax, values, f"step {k}: accuracy {acc:.0%}")
fig.suptitle("The decision boundary during training")
plt.show()

# %% [markdown]
# ## What we saw
#
# * A network is a big expression. Built from `Value`s, it records its own compute graph
#   (here about 20,000 nodes for one loss), and one `backward()` gives the derivative
#   of the loss with respect to every weight.
# * The gradient agrees with finite differences, which is how to check any gradient code.
# * Gradient descent on the hinge loss with a little L2 separates the moons completely
#   with a 2-8-8-1 ReLU network, and the boundary it draws is piecewise linear.
#
# **Next:** notebook 3 looks inside `backward()`: why it must visit the nodes in
# *topological order*, and why that order is computed without recursion. Notebook 4 moves
# from scalars to tensors, where one node holds a whole matrix.
