# %% [markdown]
# # 5. XOR, hidden features and decision boundaries
#
# A linear classifier draws one straight line through the input space. Some problems
# cannot be solved that way, and the smallest of them is **XOR**: label a point 1 when
# exactly one of its two coordinates is positive. This notebook shows, with pictures:
#
# 1. a linear model failing on XOR, three stacked linear layers failing the same way
#    (without an activation they are one linear function), and a network with one hidden
#    layer solving it;
# 2. what the hidden layer does: it computes **new features** in which the problem *is*
#    linear (we plot the data in the hidden space);
# 3. how the activation function shapes the boundary: **tanh versus ReLU** in a network with
#    hidden layers of 4 and 2 units, on three data sets;
# 4. why one hidden layer is enough in principle (**universal approximation**): any 1-D
#    function can be built from steep sigmoid "steps", and a trained network does something
#    similar.
#
# The models use `nn` and `optim`, the PyTorch-like layers and optimizers on top of
# `autograd_core`.

# %%
import numpy as np
import matplotlib.pyplot as plt

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from autograd_core import optim
from autograd_core.data import make_circles, make_moons, make_xor

plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (5, 3.5), "axes.grid": True,
                     "grid.alpha": 0.3,
                     "figure.constrained_layout.use": True})  # laid out: nothing sticks out of a figure
COLORS = ("tab:blue", "tab:red")

# %% [markdown]
# ## 1. The XOR data
#
# The classic XOR table has four points. `make_xor` draws noisy clusters around the four
# corners $(\pm 1, \pm 1)$: label 1 (red) where the signs of $x_1$ and $x_2$ differ, label 0
# (blue) where they agree.

# %%
X_xor, y_xor = make_xor(200, noise=0.25, seed=0)
print("the four corners and their labels:")
for corner in ((-1, -1), (-1, 1), (1, -1), (1, 1)):
    print(f"  x = {corner!s:8s} -> y = {int(np.sign(corner[0]) != np.sign(corner[1]))}")
print(f"data: X {X_xor.shape}, {np.sum(y_xor == 0)} points of class 0, {np.sum(y_xor == 1)} of class 1")


def scatter(ax, X, y, s=14):
    for label in (0, 1):
        ax.scatter(*X[y == label].T, c=COLORS[label], s=s, edgecolors="k", linewidths=0.4,
                   label=f"y = {label}")


fig, ax = plt.subplots(figsize=(4.2, 3.8))
scatter(ax, X_xor, y_xor)
ax.set(title="XOR: red where the signs of x1 and x2 differ", xlabel="$x_1$", ylabel="$x_2$")
ax.legend(loc="upper center", ncol=2, fontsize=9)
plt.show()

# %% [markdown]
# Try drawing one straight line with all red points on one side and all blue ones on the
# other: it cannot be done. Any line leaves at least one red and one blue cluster together.
#
# ## 2. Training helpers
#
# Every model below outputs one number per point, a **logit** $s$; the predicted
# probability of class 1 is $\sigma(s)$. The loss is binary cross-entropy on the logits
# (`F.binary_cross_entropy_with_logits`), minimised with Adam on the whole data set at
# each step. `draw_boundary` colours the plane by the predicted probability (blue 0, red
# 1) and draws the decision boundary $\sigma(s) = 0.5$ in black.

# %%
def fit(model, X, y, steps=600, lr=0.03, snapshots=None):
    """Full-batch Adam on BCE-with-logits; returns the loss after each step.

    ``snapshots``: a dict {step: None} to fill with copies of the parameters at those steps.
    """
    Xt, yt = ag.tensor(X.astype(np.float32)), ag.tensor(y.astype(np.float32))
    opt = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for step in range(steps + 1):
        if snapshots is not None and step in snapshots:
            snapshots[step] = [p.detach().numpy().copy() for p in model.parameters()]
        if step == steps:
            break
        loss = F.binary_cross_entropy_with_logits(model(Xt).reshape(-1), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def predict_proba(model, X):
    with ag.no_grad():
        return model(ag.tensor(X.astype(np.float32))).sigmoid().numpy().reshape(-1)


def accuracy(model, X, y):
    return np.mean((predict_proba(model, X) > 0.5) == (y == 1))


def draw_boundary(ax, model, X, y, title, pad=0.5, n=120):
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n))
    p = predict_proba(model, np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)
    ax.contourf(xx, yy, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.55)
    ax.contour(xx, yy, p, levels=[0.5], colors="k", linewidths=1.2)
    scatter(ax, X, y, s=10)
    ax.set(title=title, xticks=[], yticks=[])
    ax.grid(False)

# %% [markdown]
# ## 3. A linear model fails
#
# Logistic regression: $s = w_1 x_1 + w_2 x_2 + b$, one `nn.Linear(2, 1)`. Its boundary
# $s = 0$ is a straight line.

# %%
ag.manual_seed(0)
linear = nn.Linear(2, 1)
linear_losses = fit(linear, X_xor, y_xor)
print(f"linear model: final loss {linear_losses[-1]:.4f} (log 2 = {np.log(2):.4f}), "
      f"accuracy {accuracy(linear, X_xor, y_xor):.0%}")

# %% [markdown]
# The loss stays at $\log 2 \approx 0.693$, the loss of answering "50 %" for every point,
# and the accuracy is at chance. The best a line can do on balanced XOR is to give up: the
# weights shrink towards zero and the probability is about 0.5 everywhere.
#
# ### More linear layers do not help
#
# What if we stack layers but leave out the activation function? Three `nn.Linear` layers,
# $2 \to 8 \to 8 \to 1$, compute
#
# $$s = W_3\big(W_2(W_1\mathbf x + \mathbf b_1) + \mathbf b_2\big) + b_3
#     = \underbrace{W_3 W_2 W_1}_{W}\,\mathbf x + \underbrace{W_3 W_2 \mathbf b_1 + W_3 \mathbf b_2 + b_3}_{b},$$
#
# which is again one linear function $W\mathbf x + b$, with a $1 \times 2$ matrix $W$: the
# 105 parameters describe nothing that the 3 of logistic regression cannot. This is the
# argument of lecture 1 ("Do we need non-linearities?": without the sigmoid,
# $v^\top(Wx + b) + c = (v^\top W)x + (v^\top b + c)$) and of lecture 2 ("Multiply with
# another weight matrix $W_2$ ... Operation is still linear"). We train such a stack on XOR
# and then fold it into a single `nn.Linear(2, 1)`:

# %%
ag.manual_seed(0)
stack = nn.Sequential(nn.Linear(2, 8), nn.Linear(8, 8), nn.Linear(8, 1))   # no activations
stack_losses = fit(stack, X_xor, y_xor)
(W1s, b1s), (W2s, b2s), (W3s, b3s) = [(m.weight.detach().numpy().astype(np.float64),
                                       m.bias.detach().numpy().astype(np.float64)) for m in stack]
folded = nn.Linear(2, 1)
with ag.no_grad():
    folded.weight.copy_(ag.tensor(W3s @ W2s @ W1s, dtype=ag.float32))
    folded.bias.copy_(ag.tensor(W3s @ (W2s @ b1s + b2s) + b3s, dtype=ag.float32))
print(f"three linear layers, {sum(p.numel() for p in stack.parameters())} parameters: "
      f"final loss {stack_losses[-1]:.4f}, accuracy {accuracy(stack, X_xor, y_xor):.0%}")
print("folded into one layer: W =", folded.weight.detach().numpy().round(4),
      " b =", folded.bias.detach().numpy().round(4))
print("largest difference between the stack and the folded layer on the data: "
      f"{np.abs(predict_proba(stack, X_xor) - predict_proba(folded, X_xor)).max():.1e}")

# %% [markdown]
# The stack ends where logistic regression ended, and the single folded layer computes the
# same probabilities (up to float32 rounding). Depth only adds something when there is a
# non-linear function between the layers.
#
# ## 4. One hidden layer solves it
#
# Put a hidden layer of two tanh units between the input and the output:
#
# $$\mathbf{h} = \tanh(W_1 \mathbf{x} + \mathbf{b}_1), \qquad s = \mathbf{w}_2 \cdot \mathbf{h} + b_2 .$$
#
# Each hidden unit is itself a little linear classifier followed by a squashing function,
# and the output is a linear classifier *of the hidden units*. Without the tanh the whole
# thing would collapse to one linear function of $\mathbf{x}$ again.

# %%
ag.manual_seed(0)
net = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
snaps = dict.fromkeys([0, 25, 100, 600])   # keep the weights at these steps for section 5
net_losses = fit(net, X_xor, y_xor, steps=600, snapshots=snaps)
print(net)
print(f"2-2-1 tanh network: final loss {net_losses[-1]:.4f}, accuracy {accuracy(net, X_xor, y_xor):.0%}")

# %%
fig, axes = plt.subplots(1, 4, figsize=(15, 3.8))
axes[0].plot(linear_losses, lw=3, alpha=0.5, label="linear model")
axes[0].plot(stack_losses, "--", color="k", lw=1.2, label="3 linear layers")
axes[0].plot(net_losses, label="2 hidden tanh units")
axes[0].annotate("both stay at log 2 = 0.693", xy=(300, np.log(2)), xytext=(120, 0.15),
                 arrowprops={"arrowstyle": "->"})
axes[0].set(title="Training loss on XOR", xlabel="Adam step", ylabel="BCE loss", yscale="log")
axes[0].legend(fontsize=9, loc="lower left")
draw_boundary(axes[1], linear, X_xor, y_xor,
              f"linear model\naccuracy {accuracy(linear, X_xor, y_xor):.0%}")
draw_boundary(axes[2], stack, X_xor, y_xor,
              f"3 linear layers, no activation\naccuracy {accuracy(stack, X_xor, y_xor):.0%}")
draw_boundary(axes[3], net, X_xor, y_xor,
              f"one hidden layer of 2 tanh units\naccuracy {accuracy(net, X_xor, y_xor):.0%}")
fig.suptitle("A line cannot separate XOR, nor can stacked linear layers; one hidden tanh layer can")
plt.show()

# %% [markdown]
# The network's boundary is two nearly parallel curves that cut the plane into three bands,
# with the two red clusters in the middle band and the two blue ones outside. How does two
# hidden units' worth of computation draw that?
#
# ## 5. Hidden activations are learned features
#
# Look at what each hidden unit computes over the input plane. Each is a soft step
# ($\tanh$ of a linear function), so it splits the plane along a line: it is a feature
# such as "is $x_1 + x_2$ large?". Nobody told the network which features to learn; it
# found the ones that make the final, linear, decision easy.

# %%
W1, b1, w2, b2 = snaps[600]      # the trained weights: (2, 2), (2,), (1, 2), (1,)


def hidden(X, W1=W1, b1=b1):
    return np.tanh(X @ W1.T + b1)


def signed(v):
    return f"- {-v:.1f}" if v < 0 else f"+ {v:.1f}"


xx, yy = np.meshgrid(np.linspace(-2.3, 2.3, 120), np.linspace(-2.3, 2.3, 120))
H_grid = hidden(np.c_[xx.ravel(), yy.ravel()])
fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.8))
for j, ax in enumerate(axes):
    im = ax.contourf(xx, yy, H_grid[:, j].reshape(xx.shape), levels=np.linspace(-1, 1, 11),
                     cmap="PuOr_r", alpha=0.6)
    scatter(ax, X_xor, y_xor, s=8)
    ax.set(title=f"$h_{j + 1}$ = tanh({W1[j, 0]:.1f} $x_1$ {signed(W1[j, 1])} $x_2$ "
                 f"{signed(b1[j])})", xlabel="$x_1$", ylabel="$x_2$")
    ax.grid(False)
fig.colorbar(im, ax=axes, label="activation")
fig.suptitle("The two trained hidden units: each is a soft step along a line")
plt.show()

# %% [markdown]
# Now plot every point at its **hidden** coordinates $(h_1, h_2)$ instead of its input
# coordinates. The output layer is linear in $\mathbf h$, so its boundary
# $\mathbf{w}_2 \cdot \mathbf{h} + b_2 = 0$ is a straight line in hidden space. The thin
# grey curves are the lines of a grid over the input square $[-2, 2]^2$, mapped through the
# hidden layer: they show how the layer bends the plane. We draw this at four moments of
# training, from the weights saved above.

# %%
fig, axes = plt.subplots(1, 4, figsize=(14, 3.8))
line = np.r_[np.linspace(-2, 2, 60), np.nan]     # NaN: a break between grid lines
grid_lines = np.concatenate([np.c_[line, np.full_like(line, t)] for t in np.linspace(-2, 2, 9)]
                            + [np.c_[np.full_like(line, t), line] for t in np.linspace(-2, 2, 9)])
for ax, (step, (W1_s, b1_s, w2_s, b2_s)) in zip(axes, snaps.items()):
    ax.plot(*hidden(grid_lines, W1_s, b1_s).T, color="gray", lw=0.5, alpha=0.5)
    scatter(ax, hidden(X_xor, W1_s, b1_s), y_xor, s=10)
    h1 = np.linspace(-1.1, 1.1, 50)
    ax.plot(h1, -(w2_s[0, 0] * h1 + b2_s[0]) / w2_s[0, 1], "k-", lw=1.5)
    acc = np.mean(((hidden(X_xor, W1_s, b1_s) @ w2_s.T + b2_s)[:, 0] > 0) == (y_xor == 1))
    when = f"after {step} steps" if step else "at the start (random)"
    ax.set(title=f"{when}: accuracy {acc:.0%}", xlabel="$h_1$", ylabel="$h_2$",
           xlim=(-1.1, 1.1), ylim=(-1.1, 1.1))
fig.suptitle("The data in hidden space $(h_1, h_2)$, with the output layer's boundary "
             "(black line) during training")
plt.show()

# %% [markdown]
# At the start the hidden features are random: the classes are mixed and no line of the
# output layer separates them. Within a few dozen steps the hidden layer has moved the two
# red clusters **together**, into the corner $h_1 \approx -1$, $h_2 \approx +1$, and pushed the
# blue clusters to the other two corners; a straight line now separates them. The tanh
# saturates (the weights grow during training), so the points end up pressed into the
# corners of the square $[-1, 1]^2$.
#
# %% [markdown]
# This is the sense in which a neural network **learns features**: the hidden layer is a
# learned change of representation, and the last layer is an ordinary linear classifier
# on top of it.
#
# ## 6. tanh versus ReLU: hidden layers of 4 and 2 units
#
# The activation function decides what the features look like. We train the same
# architecture, two hidden layers of 4 and then 2 units,
#
# $$2 \to 4 \to 2 \to 1,$$
#
# once with $\tanh$ and once with $\mathrm{ReLU}(z) = \max(0, z)$, on XOR and on two other
# data sets a line cannot separate: two moons and two concentric circles. Inputs are
# standardised (mean 0, standard deviation 1 per column) and every network starts from the
# same seed.

# %%
datasets = {
    "XOR": (X_xor, y_xor),
    "moons": make_moons(200, noise=0.15, seed=0),
    "circles": make_circles(200, noise=0.08, factor=0.5, seed=0),
}
datasets = {name: ((X - X.mean(axis=0)) / X.std(axis=0), y) for name, (X, y) in datasets.items()}
activations = {"tanh": nn.Tanh, "ReLU": nn.ReLU}


def net_4_2(act):
    return nn.Sequential(nn.Linear(2, 4), act(), nn.Linear(4, 2), act(), nn.Linear(2, 1))


trained = {}
for act_name, act in activations.items():
    for data_name, (X, y) in datasets.items():
        ag.manual_seed(2)
        model = net_4_2(act)
        fit(model, X, y, steps=500, lr=0.03)
        trained[act_name, data_name] = model
        print(f"{act_name:4s} on {data_name:7s}: accuracy {accuracy(model, X, y):.0%}")

# %%
fig, axes = plt.subplots(2, 3, figsize=(11, 7))
for i, act_name in enumerate(activations):
    for j, (data_name, (X, y)) in enumerate(datasets.items()):
        model = trained[act_name, data_name]
        draw_boundary(axes[i, j], model, X, y,
                      f"{act_name}, {data_name}: accuracy {accuracy(model, X, y):.0%}", pad=0.4)
    axes[i, 0].set_ylabel(f"{act_name} network", fontsize=12)
fig.suptitle("Decision boundaries of a 2-4-2-1 network: tanh (top) is smooth, "
             "ReLU (bottom) is made of straight pieces")
plt.show()

# %% [markdown]
# Both networks solve all three problems, but the boundaries look different:
#
# * with **tanh**, every hidden unit is a smooth function of the input, so the boundary
#   and the probability contours curve smoothly;
# * with **ReLU**, every hidden unit is *piecewise linear* (zero on one side of a line, a
#   ramp on the other), so the output is piecewise linear too and the boundary is a
#   polygon. The number of straight pieces is limited by the number of units and layers.
#
# The six hidden units of each network on the moons, over the input plane, show why:

# %%
def hidden_units(model, X):
    """The activations of both hidden layers (4 + 2 units) at the points X."""
    out, h = [], ag.tensor(X.astype(np.float32))
    with ag.no_grad():
        for layer in list(model)[:4]:
            h = layer(h)
            if not isinstance(layer, nn.Linear):
                out.append(h.numpy())
    return np.concatenate(out, axis=1)


X, y = datasets["moons"]
xx, yy = np.meshgrid(np.linspace(-2.2, 2.2, 80), np.linspace(-2.2, 2.2, 80))
fig, axes = plt.subplots(2, 6, figsize=(13, 4.6))
for i, act_name in enumerate(activations):
    A = hidden_units(trained[act_name, "moons"], np.c_[xx.ravel(), yy.ravel()])
    for k in range(6):
        ax = axes[i, k]
        ax.contourf(xx, yy, A[:, k].reshape(xx.shape), levels=12, cmap="viridis")
        ax.scatter(*X.T, c=[COLORS[v] for v in y], s=3)
        layer, unit = (1, k + 1) if k < 4 else (2, k - 3)
        ax.set(title=f"layer {layer}, unit {unit}", xticks=[], yticks=[])
        ax.grid(False)
    axes[i, 0].set_ylabel(act_name, fontsize=12)
fig.suptitle("Hidden units on the moons: tanh units are smooth ramps, ReLU units are "
             "flat-then-linear (folds along straight lines)")
plt.show()

# %% [markdown]
# Layer 1's units are functions of one direction each (soft steps for tanh, hinges for
# ReLU). Layer 2 combines them, which is how two layers of few units carve a curved (or
# polygonal) region.
#
# A caution about narrow ReLU layers: a ReLU unit whose input is negative for every data
# point outputs 0 and passes back no gradient, so it can never recover (a "dead" unit). With
# only 2 units in the second layer, losing both stops learning entirely: with seed 0
# instead of 2, the ReLU network gets stuck at 50 % on XOR and on the circles, while the
# tanh network still learns.
#
# ## 7. Universal approximation with sigmoid steps
#
# Why is one hidden layer enough, in principle, for *any* continuous function? Because a
# steep sigmoid is a **step**:
#
# $$\sigma(k(x - a)) \approx \begin{cases} 0 & x < a \\ 1 & x > a \end{cases}
#   \quad\text{for large } k,$$
#
# and the difference of two steps is a **bump**, 1 on $[a, b]$ and 0 elsewhere:
#
# $$\mathrm{bump}_{a,b}(x) = \sigma(k(x - a)) - \sigma(k(x - b)).$$
#
# Cut the input range into $N$ buckets, put one bump on each with the height of the target
# function at the bucket's centre, and add them up. Each bump is two hidden sigmoid units
# (input weight $k$, biases $-ka$ and $-kb$) and output weights $+h$ and $-h$, so the sum is
# exactly a network with one hidden layer of $2N$ units. More buckets, finer staircase:

# %%
def target(x):
    return np.sin(2 * x) + 0.4 * x


def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))   # = 1 / (1 + exp(-z)), without overflow warnings


xs = np.linspace(-3, 3, 600)
k = 60.0  # steepness

fig, axes = plt.subplots(1, 4, figsize=(15, 3.3))
ax = axes[0]
a, b = -0.5, 1.0
# wide pale, dashed and thin: where the three curves coincide, all three stay visible
ax.plot(xs, sigmoid(k * (xs - a)), lw=4, alpha=0.45, label=r"$\sigma(k(x-a))$")
ax.plot(xs, sigmoid(k * (xs - b)), "--", lw=2, label=r"$\sigma(k(x-b))$")
ax.plot(xs, sigmoid(k * (xs - a)) - sigmoid(k * (xs - b)), "k", lw=1.2, label="difference")
ax.set(title="Two steep sigmoids make a bump", xlabel="x", ylim=(-0.1, 1.3))
ax.legend(fontsize=8, loc="upper left")


def staircase(x, n_buckets, k=k):
    edges = np.linspace(-3, 3, n_buckets + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    heights = target(centres)
    bumps = sigmoid(k * (x[:, None] - edges[:-1])) - sigmoid(k * (x[:, None] - edges[1:]))
    return bumps @ heights


for ax, n_buckets in zip(axes[1:], (4, 10, 40)):
    approx = staircase(xs, n_buckets, k=max(k, 8 * n_buckets))
    err = np.max(np.abs(approx - target(xs))[50:-50])   # away from the range's two ends
    ax.plot(xs, target(xs), color="gray", lw=3, alpha=0.5, label="target")
    ax.plot(xs, approx, "tab:red", lw=1.2, label=f"{n_buckets} bumps")
    ax.set(title=f"{n_buckets} bumps, {2 * n_buckets} units: max error {err:.2f}", xlabel="x")
    ax.legend(fontsize=8, loc="upper left")
fig.suptitle("Building sin(2x) + 0.4x from steep sigmoid pairs: more units, smaller error")
plt.show()

# %% [markdown]
# The staircase really is a neural network. We build a `Sequential(Linear(1, 2N),
# Sigmoid(), Linear(2N, 1))`, write the step positions into its weights by hand, and check
# that it computes the same function:

# %%
n_buckets = 10
steep = 8.0 * n_buckets
edges = np.linspace(-3, 3, n_buckets + 1)
heights = target((edges[:-1] + edges[1:]) / 2)
hand_net = nn.Sequential(nn.Linear(1, 2 * n_buckets), nn.Sigmoid(), nn.Linear(2 * n_buckets, 1))
with ag.no_grad():
    starts, ends = edges[:-1], edges[1:]
    hand_net[0].weight.copy_(ag.tensor(np.full((2 * n_buckets, 1), steep), dtype=ag.float32))
    hand_net[0].bias.copy_(ag.tensor(-steep * np.r_[starts, ends], dtype=ag.float32))
    hand_net[2].weight.copy_(ag.tensor(np.r_[heights, -heights][None, :], dtype=ag.float32))
    hand_net[2].bias.zero_()
    net_out = hand_net(ag.tensor(xs[:, None].astype(np.float32))).numpy()[:, 0]
print("hidden layer of", 2 * n_buckets, "sigmoid units, weights set by hand")
print("largest difference from the NumPy staircase:",
      f"{np.max(np.abs(net_out - staircase(xs, n_buckets, k=steep))):.1e}")

# %% [markdown]
# This is the idea of the proof (Cybenko, 1989): with enough hidden units the buckets can
# be made as narrow as we like, so the error can be made as small as we like. It says
# nothing about how many units a given accuracy needs, or whether gradient descent finds
# such weights.
#
# **What does training find?** A network with one hidden layer of only 10 sigmoid units,
# trained by Adam on 100 noise-free samples of the same function, with mean squared error:

# %%
x_train = np.linspace(-3, 3, 100).astype(np.float32)[:, None]
y_train = target(x_train[:, 0]).astype(np.float32)

ag.manual_seed(0)
approx_net = nn.Sequential(nn.Linear(1, 10), nn.Sigmoid(), nn.Linear(10, 1))
opt = optim.Adam(approx_net.parameters(), lr=0.05)
xt, yt = ag.tensor(x_train), ag.tensor(y_train)
mse_history = []
for step in range(2000):
    loss = F.mse_loss(approx_net(xt).reshape(-1), yt)
    opt.zero_grad()
    loss.backward()
    opt.step()
    mse_history.append(loss.item())
print(f"MSE after 2000 Adam steps: {mse_history[-1]:.5f}")

# %%
with ag.no_grad():
    X_plot = ag.tensor(xs[:, None].astype(np.float32))
    hidden_out = approx_net[1](approx_net[0](X_plot)).numpy()      # (600, 10)
    fit_out = approx_net(X_plot).numpy()[:, 0]
v = approx_net[2].weight.detach().numpy()[0]
c = approx_net[2].bias.item()
contrib = hidden_out * v                                             # unit j's share v_j * h_j(x)

fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
axes[0].plot(mse_history)
axes[0].set(title="Training loss (10 sigmoid units)", xlabel="Adam step", ylabel="MSE",
            yscale="log")
axes[1].plot(xs, target(xs), color="gray", lw=3, alpha=0.5, label="target")
axes[1].plot(xs, fit_out, "tab:red", lw=1.2, label="trained network")
axes[1].set(title="The trained network's fit", xlabel="x")
axes[1].legend(fontsize=8, loc="upper left")
fig.suptitle("A trained network with one hidden layer of 10 sigmoid units")
plt.show()

# %% [markdown]
# (The brief spikes in the loss are Adam overshooting for a step or two and recovering.)
#
# The fit is the output bias plus the ten hidden units' contributions
# $v_j\,\sigma(w_j x + b_j)$: ten soft steps, each centred where $w_j x + b_j = 0$, at
# $x = -b_j / w_j$, rising or falling, of height $v_j$. One panel per unit, so that none
# hides behind another, and their sum:

# %%
w_in = approx_net[0].weight.detach().numpy()[:, 0]
b_in = approx_net[0].bias.detach().numpy()
fig, axes = plt.subplots(2, 6, figsize=(15, 4.6), sharex=True, sharey=True)
for j in range(10):
    ax = axes[j // 5, j % 5]
    ax.plot(xs, contrib[:, j], color=f"C{j}")
    centre = -b_in[j] / w_in[j]
    where = f"at x = {centre:.1f}" if abs(centre) <= 3 else "outside [-3, 3]"
    direction = "up" if v[j] * w_in[j] > 0 else "down"
    ax.set_title(f"unit {j + 1}: {direction}, step {where}", fontsize=9)
for ax, curve, title in ((axes[0, 5], contrib.sum(axis=1) + c, f"sum of the 10 + bias {c:.2f}"),
                         (axes[1, 5], fit_out, "the network's output")):
    ax.plot(xs, curve, "k")
    ax.set_title(title, fontsize=9)
for ax in axes[1]:
    ax.set_xlabel("x")
fig.suptitle("Each hidden unit's contribution $v_j\\,\\sigma(w_j x + b_j)$: soft steps that add up to the fit")
plt.show()

# %% [markdown]
# Training does not build tidy narrow bumps. It places a few **soft** steps (sigmoids of
# moderate steepness, some rising, some falling, of various heights) whose sum follows the
# curve. Ten units fit this function closely, where the staircase needed 20 for a rough
# copy: learned features are far more economical than a fixed grid.
#
# ## What we saw
#
# * XOR defeats every linear model, and stacking linear layers does not help: without an
#   activation between them they fold into one linear layer. One hidden layer of two tanh
#   units solves it.
# * The hidden layer computes **learned features**. In hidden space the classes are
#   linearly separable, and the output layer is just a linear classifier there.
# * The activation shapes the boundary: smooth for tanh, piecewise linear for ReLU, with
#   the same 2-4-2-1 architecture.
# * Steep sigmoid pairs are bumps, and enough bumps approximate any continuous 1-D
#   function: a one-hidden-layer network is a **universal approximator**. Gradient descent
#   finds a different, more economical solution made of soft steps.
#
# **Next:** notebook 6 asks how the weights should *start*, and why it matters more and more
# as networks get deeper.
