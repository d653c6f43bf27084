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
# 3. the usual **activation functions** (sigmoid, tanh, ReLU, leaky ReLU, ELU, GELU) and
#    their derivatives, as `backward()` computes them;
# 4. how the activation function shapes the boundary: **tanh versus ReLU** in a network with
#    hidden layers of 4 and 2 units, on three data sets;
# 5. why one hidden layer is enough in principle (**universal approximation**): any 1-D
#    function can be built from steep sigmoid "steps", and a trained network does something
#    similar;
# 6. hidden units on images: their **weights drawn as pictures** (8x8 digits), next to a
#    logistic classifier's templates;
# 7. **deeper or wider**: a sawtooth that five layers of two units draw exactly and one
#    hidden layer needs one unit per kink for.
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
from autograd_core.data import load_digits, make_circles, make_moons, make_xor

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
# ## 6. Activation functions and their derivatives
#
# Section 3 showed that a network needs a non-linear activation between its linear
# layers. The lectures list several (sigmoid, tanh and ReLU in lecture 1; leaky ReLU and
# ELU join them in lecture 2; lecture 5 gives each one's derivative), and modern networks
# such as transformers add **GELU**, $z\,\Phi(z)$ with $\Phi$ the standard normal CDF.
# Backpropagation uses each activation through its derivative, and we do not need to
# work it out: the engine computes it. Below, each function (thick) and its derivative
# $da/dz$ (dashed) as `backward()` returns it, on one `Tensor` of 601 points:

# %%
ACTIVATIONS = {
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "ReLU": F.relu,
    "leaky ReLU (slope 0.1)": lambda z: F.leaky_relu(z, 0.1),
    "ELU (α = 1)": F.elu,
    "GELU": F.gelu,
}
zs = np.linspace(-4, 4, 601).astype(np.float32)
gallery = {}
for name, fn in ACTIVATIONS.items():
    z = ag.tensor(zs, requires_grad=True)
    a = fn(z)
    a.sum().backward()                  # d(sum a)/dz_i = a'(z_i): the derivative at every point
    gallery[name] = (a.detach().numpy(), z.grad.numpy())
    print(f"{name:23s} a(-4) = {gallery[name][0][0]:+.3f}, a(4) = {gallery[name][0][-1]:+.3f}, "
          f"largest derivative {gallery[name][1].max():.3f}, derivative at z = -4: {gallery[name][1][0]:.4f}")

# %%
fig, axes = plt.subplots(2, 3, figsize=(12, 6.2), sharex=True)
for ax, (name, (a, da)) in zip(axes.flat, gallery.items()):
    ax.axhline(0, color="gray", lw=0.8)
    ax.plot(zs, a, color="tab:blue", lw=2.5, label="a(z)")
    ax.plot(zs, da, color="tab:orange", lw=1.5, ls="--", label="da/dz from backward()")
    ax.set(title=name, ylim=(-1.3, 2.3))
    ax.legend(fontsize=8, loc="upper left")
for ax in axes[1]:
    ax.set_xlabel("z")
fig.suptitle("Six activation functions (solid) and their derivatives (dashed)")
plt.show()

# %% [markdown]
# What the pictures show:
#
# * **sigmoid** squashes into $(0, 1)$, and its derivative $a(1-a)$ is at most $0.25$: each
#   sigmoid layer shrinks the gradient by 4 or more, and far from 0 (saturated units) the
#   derivative is almost 0.
# * **tanh** squashes into $(-1, 1)$, centred on 0 (lecture 1: "better than sigmoid because
#   outputs centered around zero"), and its derivative $1 - a^2$ reaches 1 at $z = 0$. It
#   saturates on both sides like the sigmoid. (Lecture 4 says that tanh squashes numbers
#   "to range between (0, 1)"; that is the sigmoid's range, and a slip: tanh's range is
#   $(-1, 1)$, as the picture shows. Both functions *are* saturating, which is the
#   lecture's point.)
# * **ReLU** is 0 for $z < 0$ and $z$ for $z > 0$; its derivative is a step from 0 to 1
#   (at exactly $z = 0$ the engine uses 0, as PyTorch does). It does not saturate for
#   $z > 0$, but a unit whose input is negative for every example gets no gradient at all.
# * **leaky ReLU** keeps a small slope (here 0.1) for $z < 0$, so the gradient never
#   vanishes completely.
# * **ELU** bends smoothly to $-1$ for $z < 0$, with derivative $e^z$ there, and its outputs
#   average closer to 0 than ReLU's.
# * **GELU** is a smooth ReLU: about $z$ for large $z$, about 0 for very negative $z$, with a
#   small dip below 0 near $z \approx -0.75$; its derivative rises smoothly from 0 and
#   slightly overshoots 1.
#
# ## 7. tanh versus ReLU: hidden layers of 4 and 2 units
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
# ## 8. Universal approximation with sigmoid steps
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
# ## 9. Hidden units on images: the weights are pictures
#
# On images, a hidden unit's incoming weights have one entry per pixel, so they can be
# drawn as an image of the same size. Lecture 5 does this for a network on MNIST ("What
# do the hidden nodes learn? (each square is a different hidden unit)") and, for
# comparison, for a logistic classifier. We do the same on the 8x8 digits that ship with
# the package (1,797 images, pixel values scaled to $[0, 1]$, 1,200 for training and 597
# for testing): a logistic classifier ($64 \to 10$, one weight image per class) and a
# network with one hidden layer of 16 ReLU units ($64 \to 16 \to 10$, one weight image
# per hidden unit), both trained with 150 full-batch steps of SGD with momentum. (Not
# Adam: Adam scales each weight's step by that weight's own gradient history, so the
# weights of pixels that are almost always 0, near the left and right borders, move as
# far as any other, and their noise fills the pictures. With SGD they hardly move from
# where they start, which for the logistic classifier is 0: white.)

# %%
X_dig, y_dig = load_digits()
X_dig = (X_dig / 16).astype(np.float32)
split = np.random.default_rng(0).permutation(len(X_dig))
tr, te = split[:1200], split[1200:]
Xd_train, yd_train = ag.tensor(X_dig[tr]), ag.tensor(y_dig[tr])


def fit_digits(model, steps=150, lr=0.3):
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    for _ in range(steps):
        loss = F.cross_entropy(model(Xd_train), yd_train)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with ag.no_grad():
        return np.mean(model(ag.tensor(X_dig[te])).numpy().argmax(axis=1) == y_dig[te])


ag.manual_seed(0)
logistic = nn.Linear(64, 10)
nn.init.zeros_(logistic.weight)         # convex: the start does not matter, and 0 draws white
acc_logistic = fit_digits(logistic)
ag.manual_seed(0)
mlp16 = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10))
acc_mlp16 = fit_digits(mlp16)
print(f"test accuracy: logistic classifier {acc_logistic:.1%}, one hidden layer of 16 units {acc_mlp16:.1%}")

# %%
def weight_images(fig, weights, titles, title, ncols):
    """Each row of ``weights`` as an 8x8 image: red positive, blue negative, white 0."""
    axes = fig.subplots(len(weights) // ncols, ncols)
    for ax, w, t in zip(axes.flat, weights, titles):
        lim = np.abs(w).max()
        ax.imshow(w.reshape(8, 8), cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(t, fontsize=9)
        ax.set(xticks=[], yticks=[])
        ax.grid(False)
    fig.suptitle(title, fontsize=11)


fig = plt.figure(figsize=(13, 4.2))
left, right = fig.subfigures(1, 2, width_ratios=[1.25, 1])
weight_images(left, logistic.weight.detach().numpy(), [f"class {c}" for c in range(10)],
              f"Logistic classifier: one template per class\n(test accuracy {acc_logistic:.0%})", 5)
weight_images(right, mlp16[0].weight.detach().numpy(), [f"unit {j}" for j in range(16)],
              f"16 hidden ReLU units: one weight image each\n(test accuracy {acc_mlp16:.0%})", 8)
plt.show()

# %% [markdown]
# * The **logistic classifier** has one weight image per class, and its score for a class
#   is the image's overlap with that template (red pixels add, blue pixels subtract). In
#   several templates the digit can be made out (the ring of the 0 around a blue centre,
#   the top bar of the 7, the crossbar of the 4), with blue where other classes put their
#   ink: a single template per class is all a linear model can learn.
# * The **hidden units** do not look like whole digits. Each is a pattern of red and blue
#   pixels, a partial stroke or a contrast between two regions, that fires on some digits
#   of several classes; the output layer then combines the 16 detectors. These are the
#   **learned features** of section 5, on images: the network chose them itself, and they
#   are shared between classes.
#
# ## 10. Deeper or wider?
#
# Section 8 showed that one hidden layer can approximate any function, given enough
# units. Lecture 1 adds a remark from practice: "making networks 'deeper' (more layers)
# often helps more than making them 'wider' (more hidden units in each layer)". Why can
# depth be worth more than width? Because layers *compose*: each layer works on what the
# previous one computed, and composition can multiply the complexity of a function where
# adding units only adds to it.
#
# A clean example, built by hand as in section 8. The **tent map**
# $t(x) = 2\,\mathrm{ReLU}(x) - 4\,\mathrm{ReLU}(x - \tfrac12)$ goes up from 0 to 1 on
# $[0, \tfrac12]$ and back down on $[\tfrac12, 1]$: one hidden layer of 2 ReLU units. Apply
# it to its own output and each half of $[0, 1]$ becomes a full tent: 2 teeth. Five
# applications give a **sawtooth of 16 teeth, 32 straight pieces**. As a network: five
# hidden layers of 2 ReLU units (each `Linear(2, 1)` followed by the next `Linear(1, 2)`
# folds into one `Linear(2, 2)`, section 3), **31 parameters** in all.
#
# A network with *one* hidden layer of $H$ ReLU units computes a piecewise-linear function
# with at most $H + 1$ pieces (each unit adds one kink). To draw 32 pieces it needs at least
# 31 units. By hand, one unit for the first slope and one for each of the 31 kinks make
# it exact with 32 units, $3 \cdot 32 + 1 = 97$ parameters. With the deep network's budget of
# 31 parameters it gets $H = 10$ units, at most 11 pieces; we let Adam find its best try.

# %%
DEPTH_SAW = 5
x_saw = np.linspace(0, 1, 1025, dtype=np.float32)[:, None]


def tent(x):
    return np.where(x < 0.5, 2 * x, 2 - 2 * x)


y_saw = x_saw[:, 0]
for _ in range(DEPTH_SAW):
    y_saw = tent(y_saw)


def set_layer(layer, weight, bias):
    with ag.no_grad():
        layer.weight.copy_(ag.tensor(np.array(weight, dtype=np.float32)))
        layer.bias.copy_(ag.tensor(np.array(bias, dtype=np.float32)))
    return layer


# deep: x -> [ReLU(x), ReLU(x - 1/2)] -> tent -> [ReLU(t), ReLU(t - 1/2)] -> ...
layers = [set_layer(nn.Linear(1, 2), [[1], [1]], [0, -0.5]), nn.ReLU()]
for _ in range(DEPTH_SAW - 1):      # Linear(2, 1) of the tent, then Linear(1, 2): one Linear(2, 2)
    layers += [set_layer(nn.Linear(2, 2), [[2, -4], [2, -4]], [0, -0.5]), nn.ReLU()]
layers.append(set_layer(nn.Linear(2, 1), [[2, -4]], [0]))
deep_saw = nn.Sequential(*layers)

# wide, by hand: one unit per kink, output weight = the change of slope there
kinks = np.arange(1, 2 ** DEPTH_SAW) / 2 ** DEPTH_SAW
slopes = np.where(np.arange(2 ** DEPTH_SAW) % 2 == 0, 1.0, -1.0) * 2 ** DEPTH_SAW
wide_saw = nn.Sequential(set_layer(nn.Linear(1, len(kinks) + 1), np.ones((len(kinks) + 1, 1)),
                                   np.r_[0, -kinks]),
                         nn.ReLU(),
                         set_layer(nn.Linear(len(kinks) + 1, 1), [np.r_[slopes[0], np.diff(slopes)]], [0]))

# wide, trained, with the deep network's number of parameters
ag.manual_seed(0)
small_wide = nn.Sequential(nn.Linear(1, 10), nn.ReLU(), nn.Linear(10, 1))
opt = optim.Adam(small_wide.parameters(), lr=0.01)
Xs, Ys = ag.tensor(x_saw), ag.tensor(y_saw[:, None])
for _ in range(1500):
    loss = F.mse_loss(small_wide(Xs), Ys)
    opt.zero_grad()
    loss.backward()
    opt.step()

saw_nets = {"deep: 5 hidden layers of 2 units (by hand)": deep_saw,
            "wide: 1 hidden layer of 32 units (by hand)": wide_saw,
            "wide: 1 hidden layer of 10 units (trained)": small_wide}
saw_out = {}
with ag.no_grad():
    for name, net in saw_nets.items():
        saw_out[name] = net(Xs).numpy()[:, 0]
        n_params = sum(p.numel() for p in net.parameters())
        print(f"{name:43s} {n_params:3d} parameters, largest error {np.abs(saw_out[name] - y_saw).max():.3f}")

# %%
fig, axes = plt.subplots(1, 4, figsize=(15, 3.3), gridspec_kw={"width_ratios": [1, 1, 1, 1.1]})
for ax, (name, out) in zip(axes, saw_out.items()):
    # the target wide and pale, the network thin and dashed: where they agree both stay visible
    ax.plot(x_saw[:, 0], y_saw, color="tab:gray", lw=4, alpha=0.45, label="sawtooth")
    ax.plot(x_saw[:, 0], out, "--", color="tab:red", lw=1.2, label="network")
    ax.set(title=name.replace(" (", "\n("), xlabel="x", ylim=(-0.15, 1.45))
    ax.legend(fontsize=8, loc="upper right", ncol=2)
ks = np.arange(1, 11)
axes[3].semilogy(ks, 6 * ks + 1, "o-", ms=4, label="deep: k layers of 2 units")
axes[3].semilogy(ks, 3 * 2 ** ks + 1, "s-", ms=4, label="wide: 1 layer, a unit per piece")
axes[3].set(title="Parameters for a sawtooth of $2^k$ pieces", xlabel="k (tent maps composed)",
            ylabel="parameters", xticks=ks)
axes[3].legend(fontsize=8, loc="upper left")
fig.suptitle("Composition: 5 layers of 2 units draw 32 pieces; one hidden layer needs at least 31 units for them")
plt.show()

# %% [markdown]
# * Five layers of two units draw the sawtooth exactly with 31 parameters; one hidden layer
#   draws it exactly too, but only with a unit per piece (97 parameters). With the deep
#   network's budget of 31 parameters (10 units), Adam ends on the flat line at the
#   sawtooth's mean, 0.5. Eleven pieces could at best follow 5 of the 16 teeth and stay flat
#   on the rest; gradient descent does not even find that.
# * Right: for $k$ composed tent maps the deep network grows by 6 parameters per layer, the
#   wide one doubles with every $k$. Depth buys *exponentially* many pieces.
#
# The sawtooth is an extreme case, made for the purpose. On real data the gain is smaller
# and not guaranteed (on a problem as small as the 8x8 digits of section 9 one hidden
# layer is already enough), and deeper networks are harder to train, which notebooks 6
# and 12 take up. But much of the data networks are used for, such as images built from
# objects built from parts built from edges, is compositional, and that is where the
# lecture's remark comes from.
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
# * Activations differ in range and in their derivatives: sigmoid and tanh saturate (tanh
#   into $(-1, 1)$, not $(0, 1)$ as lecture 4 has it), ReLU and its variants do not for
#   $z > 0$; `backward()` gives each derivative without our writing it.
# * On images a hidden unit's weights are a picture: partial strokes shared between
#   classes, where a logistic classifier can only learn one template per class.
# * Depth composes: $k$ layers of 2 ReLU units draw $2^k$ linear pieces, which one hidden
#   layer needs at least $2^k - 1$ units for.
#
# **Next:** notebook 6 asks how the weights should *start*, and why it matters more and more
# as networks get deeper.
