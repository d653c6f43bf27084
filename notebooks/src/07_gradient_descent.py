# %% [markdown]
# # 7. Gradient descent and its variants
#
# Backpropagation gives the gradient; an **optimizer** decides what to do with it. The basic
# rule is one line,
#
# $$\theta \leftarrow \theta - \eta\, \mathbf g, \qquad \mathbf g \approx \nabla_\theta L(\theta),$$
#
# but there are choices in it: how many examples to average in $\mathbf g$, how large a step
# $\eta$ to take, and whether to use past gradients too. This notebook looks at each:
#
# 1. **full-batch, stochastic and mini-batch** gradient descent, as paths on a 2-D loss
#    surface, and what **standardising the input** does to that surface;
# 2. **batch size 4 versus 64** when training a small network on handwritten digits, against
#    epochs and against wall-clock time;
# 3. **learning rates** that are too small, good and too large, and **learning-rate
#    schedules** that shrink the rate as training goes;
# 4. **momentum** and **Adam** on an ill-conditioned valley and on the Rosenbrock function;
# 5. why we compute gradients by **backpropagation** at all: learning by *perturbing
#    weights* (finite differences, random perturbations) compared with backprop.

# %%
import time

import numpy as np
import matplotlib.pyplot as plt
from threadpoolctl import threadpool_limits

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from autograd_core import optim
from autograd_core.data import DataLoader, TensorDataset, load_digits, random_split

plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (5, 3.5), "axes.grid": True,
                     "grid.alpha": 0.3,
                     "figure.constrained_layout.use": True})  # laid out: nothing sticks out of a figure
_ = threadpool_limits(1, user_api="blas")  # small matrices: one BLAS thread is faster here

# %% [markdown]
# ## 1. Full-batch, stochastic and mini-batch gradient descent
#
# A problem with only two parameters, so that we can draw the loss as a landscape: fit a
# line $\hat y = w x + b$ to 100 points by least squares,
#
# $$L(w, b) = \frac{1}{n}\sum_{i=1}^{n} \big(w x_i + b - y_i\big)^2 .$$
#
# The training loss is an **average over examples**, and so is its gradient. The three
# variants differ only in how many examples they average per step:
#
# * **full-batch** (plain "gradient descent"): all $n$ examples, the exact gradient, one step
#   per pass over the data (an **epoch**);
# * **stochastic** (SGD): one random example per step, $n$ cheap and noisy steps per epoch;
# * **mini-batch**: a random batch of $B$ examples ($B = 10$ here), $n/B$ steps per epoch.
#
# The data: $x$ between $-1$ and $3$, $y = 1.5x - 1$ plus noise. Because the $x$ are not
# centred on 0, $w$ and $b$ are entangled and the loss is a tilted, elongated bowl.

# %%
rng = np.random.default_rng(0)
x_line = rng.uniform(-1, 3, 100)
y_line = 1.5 * x_line - 1 + rng.normal(0, 0.5, 100)
A = np.c_[x_line, np.ones_like(x_line)]
w_best, b_best = np.linalg.lstsq(A, y_line, rcond=None)[0]
print(f"least-squares solution: w = {w_best:.3f}, b = {b_best:.3f}")


def line_loss(w, b, idx=slice(None)):
    """Mean squared error on the examples idx, for Tensors (training) or arrays (contours)."""
    return ((w * x_line[idx] + b - y_line[idx]) ** 2).mean()


ws, bs = np.meshgrid(np.linspace(-1.5, 3.5, 150), np.linspace(-3.5, 3.5, 150))
surface = ((ws[..., None] * x_line + bs[..., None] - y_line) ** 2).mean(axis=-1)


def contour_plot(ax, levels=np.logspace(-0.7, 1.7, 14)):
    ax.contour(ws, bs, surface, levels=levels, cmap="Greys_r", linewidths=0.7)
    ax.plot(w_best, b_best, "k*", ms=12)
    ax.set(xlabel="w", ylabel="b")
    ax.grid(False)

# %% [markdown]
# Each run starts from $(w, b) = (-1, 3)$, uses the learning rate $\eta = 0.1$ and makes
# **10 passes** over the data. The parameters are two scalar `Tensor`s and the update is
# `optim.SGD`; only the indices of the examples in each step change.

# %%
def run_line(batch_size, epochs=10, lr=0.1, seed=0):
    w = ag.tensor(-1.0, dtype=ag.float64, requires_grad=True)
    b = ag.tensor(3.0, dtype=ag.float64, requires_grad=True)
    opt = optim.SGD([w, b], lr=lr)
    order = np.random.default_rng(seed)
    path = [(w.item(), b.item())]
    epoch_ends = [0]
    for _ in range(epochs):
        perm = order.permutation(len(x_line))
        for start in range(0, len(x_line), batch_size):
            loss = line_loss(w, b, perm[start:start + batch_size])
            opt.zero_grad()
            loss.backward()
            opt.step()
            path.append((w.item(), b.item()))
        epoch_ends.append(len(path) - 1)
    return np.array(path), epoch_ends


variants = {"full batch (B = 100)": 100, "mini-batch (B = 10)": 10, "stochastic (B = 1)": 1}
paths = {name: run_line(B) for name, B in variants.items()}
for name, (path, ends) in paths.items():
    w_end, b_end = path[-1]
    print(f"{name:22s} {len(path) - 1:5d} steps, ends at w = {w_end:.3f}, b = {b_end:.3f}, "
          f"loss {line_loss(w_end, b_end):.4f}  (best {line_loss(w_best, b_best):.4f})")

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 4), sharey=True)
for ax, (name, (path, ends)), color in zip(axes, paths.items(), ("tab:blue", "tab:green", "tab:red")):
    contour_plot(ax)
    ax.plot(*path.T, "-", color=color, lw=0.8, alpha=0.8)
    ax.plot(*path[ends].T, "o", color=color, ms=4, label="end of each epoch")
    ax.plot(*path[0], "ks", ms=6)
    ax.set_title(f"{name}: {len(path) - 1} steps in 10 epochs")
    ax.legend(loc="lower right", fontsize=8)
fig.suptitle("Paths of gradient descent on the loss surface L(w, b) (star: the minimum, "
             "square: the start)")
plt.show()

# %% [markdown]
# * **Full batch** moves smoothly down the bowl, perpendicular to the contour lines, but only
#   10 steps for 10 passes over the data: it has not reached the minimum yet.
# * **Stochastic** makes 1,000 steps for the same amount of computation on examples. Each
#   step follows one example's gradient, which points roughly, not exactly, downhill: the
#   path jitters, gets close to the minimum quickly, and then keeps wandering around it
#   (with a constant learning rate it never settles).
# * **Mini-batch** is in between: 100 steps, each an average of 10 example gradients, so it is
#   less noisy than SGD and takes far more steps than full batch.
#
# The loss after each step, against epochs (one epoch = one pass over the 100 examples).
# The loss cannot go below its minimum (0.235, the noise in the data), so we plot how far
# above the minimum it is, on a log scale:

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.5))
for (name, (path, ends)), color in zip(paths.items(), ("tab:blue", "tab:green", "tab:red")):
    excess = np.array([line_loss(w, b) for w, b in path]) - line_loss(w_best, b_best)
    ax.plot(np.linspace(0, 10, len(excess)), excess, color=color, lw=1, label=name)
ax.set(title="Training loss against epochs: more, noisier steps win early",
       xlabel="epoch", ylabel="loss − minimum loss", yscale="log")
ax.legend(fontsize=8, loc="lower left")
plt.show()

# %% [markdown]
# ### Standardised inputs: a rounder bowl
#
# Lecture 3's rule of thumb: "standardize all inputs to have zero mean and standard
# deviation = 1", because it "makes it easier to choose a good range of initial weights
# and easier to regularize" (notebook 6 showed the first: weights near 0 then give unit
# inputs near 0). It also makes gradient descent's job easier, and the line fit shows why.
#
# Here $x$ has mean about 1 and standard deviation about 1.2. Replace it by
# $x' = (x - \bar x)/s_x$ and fit $\hat y = w' x' + b'$ instead: the same lines (any
# $w, b$ has a $w', b'$ with the same predictions), but a different landscape. The shape of
# the bowl is set by the Hessian of the loss,
#
# $$H = 2\begin{pmatrix} \overline{x^2} & \bar x \\ \bar x & 1 \end{pmatrix}
#   \quad\text{which becomes}\quad H' = 2\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}
#   \text{ for standardised } x',$$
#
# and the ratio of its largest to its smallest eigenvalue (the *condition number*) is how
# much longer the bowl is than wide. Gradient descent may not take steps longer than
# $2/\lambda_{\max}$ (or it diverges along the steep direction), and with such steps it
# crawls along the flat one.

# %%
x_mean, x_std = x_line.mean(), x_line.std()
x_stdzd = (x_line - x_mean) / x_std
for name, x in (("raw x", x_line), ("standardised x'", x_stdzd)):
    H = 2 * np.array([[np.mean(x ** 2), np.mean(x)], [np.mean(x), 1.0]])
    lam = np.linalg.eigvalsh(H)
    print(f"{name:16s} Hessian eigenvalues {lam[0]:.2f} and {lam[1]:.2f}: condition number "
          f"{lam[1] / lam[0]:.1f}; gradient descent diverges for a learning rate above {2 / lam[1]:.2f}")


def full_batch_path(x, start, lr, steps=10):
    w = ag.tensor(start[0], dtype=ag.float64, requires_grad=True)
    b = ag.tensor(start[1], dtype=ag.float64, requires_grad=True)
    opt = optim.SGD([w, b], lr=lr)
    path = [start]
    for _ in range(steps):
        loss = ((w * x + b - y_line) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        path.append((w.item(), b.item()))
    return np.array(path)


# the same starting line y = -x + 3, written in each parametrisation
start_raw, start_std = (-1.0, 3.0), (-1.0 * x_std, 3.0 - 1.0 * x_mean)
std_runs = {"raw x, lr 0.25": (x_line, full_batch_path(x_line, start_raw, 0.25)),
            "standardised x', lr 0.25": (x_stdzd, full_batch_path(x_stdzd, start_std, 0.25))}
best_loss = line_loss(w_best, b_best)

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 4), gridspec_kw={"width_ratios": [1, 1, 1.1]})
for ax, (name, (x, path)), color in zip(axes, std_runs.items(), ("tab:blue", "tab:orange")):
    center = np.linalg.lstsq(np.c_[x, np.ones_like(x)], y_line, rcond=None)[0]
    gw, gb = np.meshgrid(np.linspace(center[0] - 3.5, center[0] + 3.5, 150),
                         np.linspace(center[1] - 4, center[1] + 4, 150))
    surf = ((gw[..., None] * x + gb[..., None] - y_line) ** 2).mean(axis=-1)
    ax.contour(gw, gb, surf, levels=np.logspace(-0.5, 1.6, 12), cmap="Greys_r", linewidths=0.7)
    ax.plot(*center, "k*", ms=12)
    ax.plot(*path.T, "o-", color=color, ms=3, lw=1)
    ax.plot(*path[0], "ks", ms=6)
    ax.set(title=f"{name}: 10 full-batch steps", xlabel="slope", ylabel="intercept",
           aspect="equal")
    ax.grid(False)
    excess = np.array([((w * x + b - y_line) ** 2).mean() for w, b in path]) - best_loss
    axes[2].plot(excess, "o-", color=color, ms=3, label=name)
axes[2].set(title="Loss − minimum loss, each step", xlabel="step", yscale="log")
axes[2].legend(fontsize=8, loc="lower left")
fig.suptitle("The same line fit with the raw and with the standardised input")
plt.show()

# %% [markdown]
# With the raw input the bowl is a tilted ellipse, and a learning rate of 0.25, just below
# the largest that does not diverge (0.29, printed above), already bounces between its
# walls while it creeps along the valley. With the standardised input the bowl is round:
# the gradient points straight at the minimum from anywhere, and the same learning rate
# halves the distance to it at every step (with 0.5 it would get there in one). In a network every first-layer unit sees the inputs this way, and an
# input measured in large units (a price, a count, pixel values 0 to 255) makes the bowl
# far longer than here.
#
# ## 2. Batch size 4 versus 64 on digits
#
# A real network: the 8x8 handwritten digits (1,797 images shipped with the package, pixel
# values scaled to $[0, 1]$), split 80/20 into training and test sets, and an MLP with one
# hidden layer of 256 ReLU units, $64 \to 256 \to 10$, trained with cross-entropy. The
# `DataLoader` shuffles the training set every epoch and cuts it into mini-batches.
#
# We compare mini-batches of **4** and of **64** at the same learning rate 0.05, and add a
# third run with batches of 64 and a **10 times larger** learning rate, 0.5: a less noisy
# gradient can afford a larger step.

# %%
X_digits, y_digits = load_digits()
X_digits = (X_digits / 16).astype(np.float32)
dataset = TensorDataset(ag.tensor(X_digits), ag.tensor(y_digits))
train_set, test_set = random_split(dataset, [0.8, 0.2], generator=ag.Generator().manual_seed(0))
X_train, y_train = X_digits[train_set.indices], y_digits[train_set.indices]
X_test, y_test = X_digits[test_set.indices], y_digits[test_set.indices]
print(f"{len(train_set)} training and {len(test_set)} test images")


def evaluate(model, X, y):
    with ag.no_grad():
        scores = model(ag.tensor(X))
        return F.cross_entropy(scores, ag.tensor(y)).item(), np.mean(scores.numpy().argmax(axis=1) == y)


def train_digits(batch_size, lr, epochs=8, hidden=256, seed=0):
    ag.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))
    opt = optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True,
                        generator=ag.Generator().manual_seed(seed))
    log = {"batch_loss": [], "epoch": [0], "seconds": [0.0], "train": [evaluate(model, X_train, y_train)[0]],
           "test_acc": [evaluate(model, X_test, y_test)[1]]}
    clock = 0.0
    for epoch in range(epochs):
        t0 = time.perf_counter()
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            log["batch_loss"].append(loss.item())
        clock += time.perf_counter() - t0          # training time only, not the evaluation
        log["epoch"].append(epoch + 1)
        log["seconds"].append(clock)
        log["train"].append(evaluate(model, X_train, y_train)[0])
        log["test_acc"].append(evaluate(model, X_test, y_test)[1])
    with ag.no_grad():   # hidden ReLU units that output 0 for every training image ("dead")
        hidden_out = model[1](model[0](ag.tensor(X_train))).numpy()
    log["dead"] = int((hidden_out.max(axis=0) == 0).sum())
    return log


runs = {"B = 4, lr 0.05": train_digits(4, 0.05), "B = 64, lr 0.05": train_digits(64, 0.05),
        "B = 64, lr 0.5": train_digits(64, 0.5)}
for name, log in runs.items():
    steps = len(log["batch_loss"])
    print(f"{name:16s} {steps:5d} steps in 8 epochs, {log['seconds'][-1]:5.2f} s "
          f"({1000 * log['seconds'][-1] / steps:.2f} ms per step); "
          f"train loss {log['train'][-1]:.3f}, test accuracy {log['test_acc'][-1]:.1%}")

# %%
colors = dict(zip(runs, ("tab:red", "tab:blue", "tab:green")))
fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
for name, log in runs.items():
    n = len(log["batch_loss"])
    thin = name.startswith("B = 4")
    axes[0].plot(np.arange(1, n + 1) * 8 / n, log["batch_loss"], color=colors[name],
                 lw=0.4 if thin else 1.2, alpha=0.5 if thin else 0.9, label=name)
    axes[1].plot(log["epoch"], log["train"], "o-", color=colors[name], ms=3, label=name)
    axes[2].plot(log["seconds"], log["train"], "o-", color=colors[name], ms=3, label=name)
axes[0].set(title="Loss of each mini-batch, as training goes", xlabel="epoch",
            ylabel="mini-batch loss", yscale="log", ylim=(1e-3, 5))
axes[1].set(title="Training loss against epochs", xlabel="epoch",
            ylabel="loss on the whole training set", yscale="log")
axes[2].set(title="Training loss against wall-clock time", xlabel="training time (s)",
            ylabel="loss on the whole training set", yscale="log")
for ax in axes:
    ax.legend(fontsize=8)
fig.suptitle("Digits, 64-256-10 MLP: batch size 4 versus 64")
plt.show()

# %% [markdown]
# * **Noise.** The loss of single mini-batches of 4 (left, red) jumps around by orders of
#   magnitude: a batch of 4 is a very rough sample of the data set. Batches of 64 give a much
#   steadier signal. Still, the overall trend of every run is downhill.
# * **Per epoch** (middle), batches of 4 make 16 times as many updates as batches of 64
#   (360 against 23), so at the same learning rate they get much further per pass over the data.
# * **Per second** (right), the picture changes. A step on 64 examples costs far less than
#   16 steps on 4: the matrix products are done for the whole batch at once, and each step
#   has a fixed overhead (building the graph, the backward pass, the optimizer). So an epoch
#   with batches of 64 takes a fraction of the time.
# * Because its gradient is less noisy, the batch of 64 can take a **larger learning rate**,
#   and then it reaches a low loss in the least time. This is why practice uses mini-batches
#   of tens to hundreds of examples, with a learning rate tuned to the batch size.
#
# ## 3. Learning rates: too small, good, too large
#
# First the idea on the simplest loss there is, $L(\theta) = \theta^2$, whose gradient is
# $2\theta$. A step gives $\theta \leftarrow \theta - 2\eta\theta = (1 - 2\eta)\,\theta$:
#
# * small $\eta$: $\theta$ shrinks by a factor close to 1 each step: **slow**;
# * $\eta$ near $0.5$: a factor close to 0: **fast**;
# * $0.5 < \eta < 1$: a negative factor: the steps **overshoot** and zig-zag, but still converge;
# * $\eta > 1$: the factor exceeds 1 in size: every step overshoots further, and the iterates
#   **diverge**.

# %%
thetas = np.linspace(-2.2, 2.2, 200)
fig, axes = plt.subplots(1, 4, figsize=(14, 3.2), sharey=True)
for ax, (eta, verdict) in zip(axes, ((0.05, "too small"), (0.4, "good"), (0.85, "large: zig-zag"),
                                     (1.05, "too large: diverges"))):
    theta, pts = 1.8, [1.8]
    for _ in range(10):
        theta = theta - eta * 2 * theta
        pts.append(theta)
    pts = np.array(pts)
    ax.plot(thetas, thetas ** 2, color="gray", lw=1)
    ax.plot(pts, pts ** 2, "o-", color="tab:red", ms=3, lw=0.8)
    ax.set(title=f"η = {eta}: {verdict}", xlabel="θ", xlim=(-2.3, 2.3), ylim=(-0.2, 5))
axes[0].set_ylabel("L(θ) = θ²")
fig.suptitle("10 gradient steps on L(θ) = θ² from θ = 1.8, for four learning rates")
plt.show()

# %% [markdown]
# In a network the loss is not a parabola, but the same three regimes appear in the loss
# curves. The digits MLP again (64 hidden units this time), batches of 64, eight epochs,
# four learning rates:

# %%
lr_runs = {}
with np.errstate(over="ignore", invalid="ignore"):
    for lr in (0.005, 0.1, 0.5, 2.0):
        lr_runs[lr] = train_digits(64, lr, hidden=64)
        first = lr_runs[lr]["batch_loss"]
        print(f"lr {lr:5}: train loss after 8 epochs {lr_runs[lr]['train'][-1]:.3f}, "
              f"test accuracy {lr_runs[lr]['test_acc'][-1]:.1%}, dead hidden units "
              f"{lr_runs[lr]['dead']} of 64; mini-batch loss at steps 1-10: "
              f"{min(first[:10]):.2f} at best, at steps 11-30: {max(first[10:30]):.2f} at worst")

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 3.8), gridspec_kw={"width_ratios": [1, 1.4]})
labels = {0.005: "too small", 0.1: "a bit small", 0.5: "good", 2.0: "too large"}
lr_colors = dict(zip(lr_runs, ("tab:gray", "tab:blue", "tab:green", "tab:red")))
for lr in (0.005, 0.5, 2.0):               # the first 40 steps, every step (0.1 left out: too close to 0.005)
    axes[0].plot(np.arange(1, 41), lr_runs[lr]["batch_loss"][:40], "o-", ms=2.5, lw=1,
                 color=lr_colors[lr], label=f"lr {lr}: {labels[lr]}")
axes[0].set(title="The first 40 steps, each mini-batch's loss", xlabel="step",
            ylabel="cross-entropy loss", yscale="log")
axes[0].legend(fontsize=8, loc="lower left")
for lr, log in lr_runs.items():
    n = len(log["batch_loss"])
    batch_epochs = np.arange(1, n + 1) * 8 / n
    smooth = np.convolve(log["batch_loss"], np.ones(10) / 10, mode="valid")
    wide = lr == 0.005                     # drawn wide and pale: lr 2.0 ends at the same loss, on top
    axes[1].plot(batch_epochs[9:], smooth, color=lr_colors[lr], lw=5 if wide else 1.3,
                 alpha=0.4 if wide else 1, label=f"lr {lr}: {labels[lr]}")
for ax in axes:   # log 10, the loss of a uniform guess, marked on the axis: a line would hide two curves
    ax.annotate("log 10", xy=(1, np.log(10)), xycoords=("axes fraction", "data"), xytext=(4, 0),
                textcoords="offset points", va="center", fontsize=9)
axes[1].annotate("lr 0.005: barely moves", xy=(7, 2.25), xytext=(5.6, 6), color="dimgray",
                 fontsize=9, arrowprops={"arrowstyle": "->", "color": "dimgray"})
axes[1].annotate(f"lr 2.0: {lr_runs[2.0]['dead']} of 64 hidden units dead,\nthe output a constant guess",
                 xy=(3.5, 2.4), xytext=(1.6, 5), color="tab:red", fontsize=9,
                 arrowprops={"arrowstyle": "->", "color": "tab:red"})
axes[1].set(title="All 8 epochs, 10-step average", xlabel="epoch", ylabel="cross-entropy loss",
            yscale="log", ylim=(None, 12))
axes[1].legend(fontsize=8, loc="lower left")
fig.suptitle("Mini-batch loss of the digits MLP for four learning rates")
plt.show()

# %% [markdown]
# * **Too small** (0.005): the loss hardly moves from $\log 10 \approx 2.3$, the loss of a
#   uniform guess, in eight epochs.
# * **A bit small** (0.1): steady progress, but slow.
# * **Good** (0.5): fast progress; some bumps where a step overshoots.
# * **Too large** (2.0): the first steps are the fastest of all (left: the loss falls below
#   that of lr 0.5 within ten steps), but then a step overshoots and the loss jumps to more
#   than twice its starting value. After a few such jumps the ReLU units of the hidden
#   layer are pushed into the region where they output 0 for every image ("dead" units,
#   printed above). With no hidden unit alive, the output is the same for every image, the
#   loss sits at the uniform guess, and no gradient reaches the hidden layer to revive it:
#   the run ends where the too-small one does, for the opposite reason.
#
# Lecture 3 asks the reader to "check how your loss behaves during training, to spot wrong
# hyperparameters": a loss that does not move, and a loss that jumps and then stops, are the
# two signatures.
#
# ### Learning-rate schedules
#
# The learning rate need not stay fixed: lecture 3 lists "τ is changing over time" next to
# the fixed learning rate. The common schedules start large, for fast early progress, and
# shrink it, so that the last steps are small. That matters most for stochastic gradients:
# in section 1, single-example SGD came close to the minimum quickly and then kept
# wandering around it, each step as long as the first. `optim.lr_scheduler` changes an
# optimizer's learning rate as training goes; here the line fit of section 1 again, one
# example per step, 10 epochs, from the same start, with three schedules:
#
# * **constant** 0.1 (section 1's run);
# * **exponential decay** (`ExponentialLR`, $\gamma = 0.6$ per epoch): 0.1, 0.06, 0.036, ...;
# * **$1/t$ decay** (`LambdaLR`): $\eta_t = 0.1 / (1 + t/100)$ after $t$ steps, the schedule
#   of the classical convergence proofs of SGD.

# %%
def run_line_scheduled(make_scheduler, epochs=10, lr=0.1, seed=0, per_step=False):
    w = ag.tensor(-1.0, dtype=ag.float64, requires_grad=True)
    b = ag.tensor(3.0, dtype=ag.float64, requires_grad=True)
    opt = optim.SGD([w, b], lr=lr)
    scheduler = make_scheduler(opt)
    order = np.random.default_rng(seed)
    path, rates = [(w.item(), b.item())], []
    for _ in range(epochs):
        for i in order.permutation(len(x_line)):
            loss = line_loss(w, b, [i])
            opt.zero_grad()
            loss.backward()
            rates.append(opt.param_groups[0]["lr"])
            opt.step()
            path.append((w.item(), b.item()))
            if scheduler is not None and per_step:
                scheduler.step()
        if scheduler is not None and not per_step:
            scheduler.step()
    return np.array(path), np.array(rates)


schedules = {
    "constant 0.1": run_line_scheduled(lambda opt: None),
    "exponential, γ = 0.6 per epoch": run_line_scheduled(
        lambda opt: optim.lr_scheduler.ExponentialLR(opt, gamma=0.6)),
    "1/t: 0.1 / (1 + t/100)": run_line_scheduled(
        lambda opt: optim.lr_scheduler.LambdaLR(opt, lambda t: 1 / (1 + t / 100)), per_step=True),
}
for name, (path, rates) in schedules.items():
    last = np.array([line_loss(w, b) for w, b in path[-100:]])
    print(f"{name:32s} last learning rate {rates[-1]:.4f}; loss over the last epoch "
          f"{last.min():.4f} to {last.max():.4f} (best possible {line_loss(w_best, b_best):.4f})")

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 3.8), gridspec_kw={"width_ratios": [1, 1.2, 1.2]})
sched_colors = ("tab:red", "tab:blue", "tab:purple")
for (name, (path, rates)), color in zip(schedules.items(), sched_colors):
    axes[0].plot(np.arange(1, len(rates) + 1), rates, color=color, label=name)
    excess = np.array([line_loss(w, b) for w, b in path]) - line_loss(w_best, b_best)
    axes[1].plot(np.linspace(0, 10, len(excess)), excess, color=color, lw=0.8, label=name)
axes[0].set(title="Learning rate at each step", xlabel="step", ylabel="learning rate", yscale="log")
axes[0].legend(fontsize=8, loc="lower left")
axes[1].set(title="How far the loss is above its minimum", xlabel="epoch",
            ylabel="loss − best possible loss", yscale="log")
contour_plot(axes[2], levels=np.logspace(-0.6, 0.6, 8))
for (name, (path, _)), color in zip(schedules.items(), sched_colors):
    # the exponential schedule's last steps are tiny: markers keep them visible
    axes[2].plot(*path[-100:].T, "o-" if "exponential" in name else "-", ms=2, color=color,
                 lw=0.8, alpha=0.9, zorder=3 if "exponential" in name else 2)
axes[2].set(title="The last epoch's 100 steps, near the minimum",
            xlim=(w_best - 0.35, w_best + 0.35), ylim=(b_best - 0.5, b_best + 0.5))
fig.suptitle("Stochastic gradient descent (one example per step) with three learning-rate schedules")
plt.show()

# %% [markdown]
# With a constant learning rate the last epoch still jumps around the minimum (the red
# cloud); both decaying schedules end with tiny steps, close to the minimum, and their loss
# settles near the best possible value (middle: the distance to the best loss falls by
# orders of magnitude instead of jumping around). The price of decaying too fast is
# stopping short: the exponential schedule's rate is 0.001 by the last epoch, too small to
# travel far had the start been further away. In practice schedules are tuned like the learning rate
# itself, and for networks a few are common: step decay (`StepLR`), cosine decay
# (`CosineAnnealingLR`), and a short warm-up from a small rate at the start.
#
# ## 4. Momentum and Adam
#
# Plain gradient descent has a weakness: in a long narrow valley, the gradient points mostly
# *across* the valley, not along it. Take
#
# $$L(x, y) = \tfrac12\,(x^2 + 50\,y^2),$$
#
# 50 times steeper in $y$ than in $x$ (the *condition number* is 50). The learning rate must
# stay below $2/50$ or the $y$ direction diverges, and with such a small step the $x$
# direction crawls.
#
# Two fixes, both in `optim`:
#
# * **Momentum** (`optim.SGD(..., momentum=β)`) accumulates a velocity,
#   $\mathbf v \leftarrow \beta\mathbf v + \mathbf g$, $\theta \leftarrow \theta - \eta\mathbf v$.
#   Across the valley the gradients alternate in sign and cancel in $\mathbf v$; along the
#   valley they agree and add up, so the step there grows up to $1/(1-\beta)$ times
#   (5 times for $\beta = 0.8$, 10 times for the common default $\beta = 0.9$).
# * **Adam** (`optim.Adam`) keeps running averages of the gradient ($m$) and of its square
#   ($v$), per parameter, and steps by $\eta\, m / (\sqrt v + \epsilon)$: every coordinate
#   moves at a speed set by $\eta$, whatever the size of its gradient, so steep and shallow
#   directions are evened out.
#
# The parameters are one 2-vector `Tensor` $p = (x, y)$, and the loss is written with Tensor
# operations so that `backward()` gives its gradient.

# %%
def valley(p):
    return 0.5 * (p[0] ** 2 + 50 * p[1] ** 2)


def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def optimise(loss_fn, start, make_optimizer, steps):
    p = ag.tensor(start, dtype=ag.float64, requires_grad=True)
    opt = make_optimizer([p])
    points, losses = [p.detach().numpy().copy()], [loss_fn(p).item()]
    for _ in range(steps):
        loss = loss_fn(p)
        opt.zero_grad()
        loss.backward()
        opt.step()
        points.append(p.detach().numpy().copy())
        losses.append(loss_fn(p).item())
    return np.array(points), np.array(losses)


valley_optimizers = {
    "gradient descent, lr 0.035": lambda ps: optim.SGD(ps, lr=0.035),
    "momentum 0.8, lr 0.03": lambda ps: optim.SGD(ps, lr=0.03, momentum=0.8),
    "Adam, lr 0.5": lambda ps: optim.Adam(ps, lr=0.5),
}
valley_runs = {name: optimise(valley, [-9.0, 1.5], make, 60) for name, make in valley_optimizers.items()}
for name, (pts, losses) in valley_runs.items():
    print(f"{name:28s} after 60 steps: (x, y) = ({pts[-1, 0]:+.3f}, {pts[-1, 1]:+.4f}), loss {losses[-1]:.2e}")

# %%
opt_colors = ("tab:blue", "tab:orange", "tab:green")


def paths_and_curves(runs, surface_fn, xlim, ylim, levels, minimum, title, steps_label):
    """One panel per optimizer (paths that share a valley would hide each other), then the losses."""
    gx, gy = np.meshgrid(np.linspace(*xlim, 300), np.linspace(*ylim, 300))
    gz = surface_fn(np.array([gx, gy]))
    fig, axes = plt.subplots(1, len(runs) + 1, figsize=(15, 3.6),
                             gridspec_kw={"width_ratios": [1] * len(runs) + [0.9]})
    for ax, (name, (pts, losses)), color in zip(axes, runs.items(), opt_colors):
        ax.contour(gx, gy, gz, levels=levels, cmap="Greys_r", linewidths=0.7)
        ax.plot(*minimum, "k*", ms=12)
        ax.plot(*pts.T, "o-", color=color, ms=2, lw=1)
        ax.plot(*pts[0], "ks", ms=6)
        ax.set(xlabel="x", ylabel="y", xlim=xlim, ylim=ylim,
               xticks=np.linspace(*xlim, 5)[1:-1])      # no tick labels meeting in the corner
        ax.set_title(name, color=color)
        ax.grid(False)
        axes[-1].plot(losses, color=color)
    axes[-1].set(title="loss, in the paths' colours", xlabel=steps_label, yscale="log")
    fig.suptitle(f"{title}: paths from the square to the star, and the loss")
    plt.show()


paths_and_curves(valley_runs, valley, (-10, 10), (-2, 2), np.logspace(-1, 2.3, 12), (0, 0),
                 "Valley L = (x² + 50y²)/2", "step")

# %% [markdown]
# * **Gradient descent** (blue) zig-zags across the valley for the first steps, then creeps
#   along it: the $x$ coordinate shrinks by only $1 - 0.035 = 0.965$ per step.
# * **Momentum** (orange) builds up speed along the valley and reaches the minimum far sooner,
#   overshooting a little on the way (the velocity has to be turned around).
# * **Adam** (green) sets off about diagonally, since it normalises each coordinate's step,
#   and gets near the minimum quickly, but then circles around it: near the minimum its steps
#   stay of the order of $\eta$ until its running averages shrink, so on this problem its loss
#   bounces around $10^{-1}$ instead of falling steadily.
#
# **The Rosenbrock function** $L(x, y) = (1-x)^2 + 100\,(y - x^2)^2$ is a harder test: a
# curved, narrow, flat-bottomed valley with its minimum at $(1, 1)$. We start at
# $(-1.5, 2)$ and take 1,000 steps with each optimizer.

# %%
rosen_optimizers = {
    "gradient descent, lr 0.001": lambda ps: optim.SGD(ps, lr=0.001),
    "momentum 0.9, lr 0.001": lambda ps: optim.SGD(ps, lr=0.001, momentum=0.9),
    "Adam, lr 0.05": lambda ps: optim.Adam(ps, lr=0.05),
}
rosen_runs = {name: optimise(rosenbrock, [-1.5, 2.0], make, 1000) for name, make in rosen_optimizers.items()}
for name, (pts, losses) in rosen_runs.items():
    print(f"{name:28s} after 1000 steps: (x, y) = ({pts[-1, 0]:+.3f}, {pts[-1, 1]:+.3f}), loss {losses[-1]:.2e}")
paths_and_curves(rosen_runs, rosenbrock, (-2, 2), (-1, 3), np.logspace(-1, 3, 12), (1, 1),
                 "Rosenbrock", "step")

# %% [markdown]
# Gradient descent (with a learning rate small enough not to blow up on the steep walls)
# drops into the valley and then barely moves along its flat floor. Momentum and Adam both
# follow the curved valley to the minimum at $(1, 1)$.
#
# There is no single best optimizer: momentum and Adam each have a learning rate (and
# more) to tune, and the right values depend on the problem. Adam is a popular default
# because its steps are insensitive to the scale of the gradients.
#
# ## 5. Learning by perturbing weights, versus backpropagation
#
# Do we need backpropagation at all? A gradient-free idea is to **perturb the weights and
# watch the loss**. Three versions:
#
# 1. **Finite differences**: nudge each weight by $\pm\varepsilon$ in turn and measure the
#    change of the loss. That gives the full gradient, but costs **two forward passes per
#    weight**.
# 2. **Perturb one weight, keep it if the loss improves**: one forward pass per trial.
# 3. **Perturb all the weights at once** by a small random vector and keep the change if the
#    loss improves: also one forward pass per trial.
#
# Backpropagation gets the *exact gradient for every weight* from one forward and one
# backward pass, however many weights there are. The test bed: the digits MLP with a hidden
# layer of 16 tanh units, $64 \to 16 \to 10$, which has $P = 64 \cdot 16 + 16 + 16 \cdot 10
# + 10 = 1210$ weights, trained on 500 images with full-batch steps.

# %%
X_small, y_small = ag.tensor(X_train[:500]), ag.tensor(y_train[:500])


def small_mlp():
    ag.manual_seed(0)
    return nn.Sequential(nn.Linear(64, 16), nn.Tanh(), nn.Linear(16, 10))


model = small_mlp()
params = list(model.parameters())
P = sum(p.numel() for p in params)


def get_flat():
    return np.concatenate([p.detach().numpy().ravel() for p in params]).astype(np.float64)


def set_flat(vector):
    with ag.no_grad():
        i = 0
        for p in params:
            p.copy_(ag.tensor(vector[i:i + p.numel()].reshape(p.shape), dtype=ag.float32))
            i += p.numel()


def forward_loss(vector):
    """One forward pass, no graph: the loss at the weights `vector`."""
    set_flat(vector)
    with ag.no_grad():
        return F.cross_entropy(model(X_small), y_small).item()


def backprop_grad(vector):
    set_flat(vector)
    loss = F.cross_entropy(model(X_small), y_small)
    model.zero_grad()
    loss.backward()
    return loss.item(), np.concatenate([p.grad.numpy().ravel() for p in params]).astype(np.float64)


def finite_difference_grad(vector, eps=1e-2):
    grad = np.zeros_like(vector)
    for i in range(len(vector)):
        bump = np.zeros_like(vector)
        bump[i] = eps
        grad[i] = (forward_loss(vector + bump) - forward_loss(vector - bump)) / (2 * eps)
    return grad


def seconds(fn, repeat=1):
    """The fastest of `repeat` timings of fn() (the least disturbed by other programs)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


theta0 = get_flat()
loss0, g_bp = backprop_grad(theta0)
g_fd = finite_difference_grad(theta0)
t_fwd = seconds(lambda: forward_loss(theta0), repeat=20)
t_bp = seconds(lambda: backprop_grad(theta0), repeat=20)
t_fd = seconds(lambda: finite_difference_grad(theta0))
print(f"P = {P} weights")
print(f"one forward pass:                               {1000 * t_fwd:7.2f} ms")
print(f"backprop:           1 forward + 1 backward pass, {1000 * t_bp:7.2f} ms "
      f"({t_bp / t_fwd:.1f} forward passes)")
print(f"finite differences: {2 * P} forward passes,       {1000 * t_fd:7.0f} ms "
      f"({t_fd / t_bp:.0f} times backprop)")
print(f"the two gradients agree: largest difference {np.abs(g_fd - g_bp).max():.1e} "
      f"(largest entry {np.abs(g_bp).max():.2f})")

# %% [markdown]
# The finite-difference gradient is the backprop gradient (up to the float32 rounding of the
# loss), and costs of the order of $P$ times more: $2P$ forward passes against about two. A training run with it would take exactly the
# same steps as backprop, each hundreds of times more expensive.
#
# Now train. Backprop: 300 steps of gradient descent. The two keep-if-better methods: 600
# trials each, about the same computing time as the backprop run (a trial is one forward
# pass; a backprop step is a forward and a backward pass).

# %%
def train_backprop(steps=300, lr=0.5):
    theta, losses, clock = theta0.copy(), [loss0], [0.0]
    for _ in range(steps):
        t0 = time.perf_counter()
        _, grad = backprop_grad(theta)
        theta -= lr * grad
        clock.append(clock[-1] + time.perf_counter() - t0)
        losses.append(forward_loss(theta))          # for the plot; not counted in the time
    return np.array(losses), np.array(clock)


def train_perturb(trials=600, scale=0.5, one_weight=True, seed=0):
    rng = np.random.default_rng(seed)
    theta, best = theta0.copy(), loss0
    losses, clock = [loss0], [0.0]
    t0 = time.perf_counter()
    for _ in range(trials):
        trial = theta.copy()
        if one_weight:
            trial[rng.integers(P)] += scale * rng.normal()
        else:
            trial += scale * rng.normal(size=P)
        trial_loss = forward_loss(trial)
        if trial_loss < best:
            theta, best = trial, trial_loss
        losses.append(best)
        clock.append(time.perf_counter() - t0)
    return np.array(losses), np.array(clock)


learners = {
    "backprop (gradient descent)": train_backprop(),
    "perturb one weight, keep if better": train_perturb(one_weight=True, scale=1.0),
    "perturb all weights, keep if better": train_perturb(one_weight=False, scale=0.03),
}
for name, (losses, clock) in learners.items():
    print(f"{name:36s} {len(losses) - 1:4d} steps, {clock[-1]:.2f} s, final loss {losses[-1]:.3f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4))
colors = ("tab:green", "tab:orange", "tab:purple")
for (name, (losses, clock)), color in zip(learners.items(), colors):
    axes[0].plot(losses, color=color, label=name)
    axes[1].plot(clock, losses, color=color, label=name)
bp_losses, bp_clock = learners["backprop (gradient descent)"]
fd_clock = np.arange(len(bp_losses)) * t_fd     # the same steps, one finite-difference gradient each
axes[1].plot(fd_clock, bp_losses, "--", color="tab:red",
             label="finite differences (backprop's steps at the measured cost of one FD gradient)")
axes[0].set(title="Loss against update steps (or trials)", xlabel="step", ylabel="training loss")
axes[1].set(title="Loss against computing time", xlabel="seconds (log scale)", ylabel="training loss",
            xscale="log", xlim=(1e-3, None))
# one legend for both panels, below them: inside, it would cover the backprop curve
fig.legend(*axes[1].get_legend_handles_labels(), loc="outside lower center", ncol=2, fontsize=9)
fig.suptitle(f"Learning a 1210-weight MLP by perturbing weights versus by backpropagation")
plt.show()

# %% [markdown]
# * **Keep-if-better** methods make progress, slowly. Perturbing one weight finds an
#   improvement only rarely and then changes one of 1,210 numbers; perturbing all weights at
#   once changes everything but mostly in useless directions, and with more weights a random
#   direction is ever less likely to point downhill. Towards the end of training almost every
#   perturbation makes things worse.
# * **Finite differences** take exactly backprop's steps, but each costs $2P$ forward passes:
#   on the time axis the same curve is shifted right by the factor measured above.
# * **Backpropagation** costs about as much as two forward passes per step (measured above),
#   whatever the number of weights, which is why every deep-learning library is built on it. For a
#   network with millions of weights, perturbation methods are hopeless.
#
# ## What we saw
#
# * The gradient of an average can be estimated from a sample: **mini-batches** trade
#   exactness for many more, cheaper steps. Full batch is smooth but slow per epoch; single
#   examples are noisy; mini-batches are the practical middle, and on vectorised hardware a
#   batch of 64 costs little more than a batch of 4.
# * **Standardised inputs** make the loss surface rounder, so the same learning rate
#   converges faster and a larger one is safe.
# * The **learning rate** has a sweet spot: too small crawls, too large overshoots and can
#   wreck a network (here: every hidden ReLU unit dead). A **schedule** that shrinks it
#   lets stochastic steps settle at the minimum instead of wandering around it.
# * **Momentum** and **Adam** use past gradients to move faster along narrow valleys.
# * **Backpropagation** gives every weight's gradient for the price of about one extra
#   forward pass; estimating it by perturbing weights costs a forward pass per weight, or
#   gives only a noisy hint of the direction.
