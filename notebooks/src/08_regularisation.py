# %% [markdown]
# # 8. Regularisation: weight decay, early stopping, dropout, batch norm
#
# A network with enough hidden units can represent almost any function (the universal
# approximation of notebook 5). That is a strength and a danger: given a small, noisy
# training set, it will happily learn the noise too. The training loss keeps falling while
# the loss on *new* data from the same source rises. This is **overfitting**, and the tricks
# that fight it are called **regularisation**.
#
# This notebook takes one small problem that overfits and tries the standard remedies on it,
# with `autograd_core`'s PyTorch-like `nn` and `optim`:
#
# 1. the problem: 40 noisy points and a 17,000-parameter network;
# 2. **weight decay** (L2 regularisation): prefer small weights;
# 3. **early stopping with checkpoints**: stop when the validation loss stops improving and
#    go back to the best weights;
# 4. **dropout**: switch random hidden units off while training;
# 5. **batch norm**: normalise each layer's inputs over the mini-batch, which mostly makes
#    deep networks train *faster* (with a little regularisation on the side).

# %%
import tempfile
from pathlib import Path

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.ticker import FormatStrFormatter, NullFormatter

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from autograd_core import optim
from autograd_core.data import load_digits, make_moons
from autograd_core.kernels import threads

threads.set_blas_policy("single")  # these matrices are tiny: one BLAS thread is fastest
threads.configure()
plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (5, 3.5), "axes.grid": True,
                     "grid.alpha": 0.3,
                     "figure.constrained_layout.use": True})  # laid out: nothing sticks out of a figure

# %% [markdown]
# ## 1. A problem that invites overfitting
#
# Two interleaving half-moons with a lot of noise (`noise=0.3`): the classes overlap, so
# no boundary can get every point right, and the best one is a smooth curve between the
# moons. We train on only **40 points** and measure on **500 validation points** drawn
# from the same distribution (another seed), which the network never trains on.

# %%
X_train, y_train = make_moons(40, noise=0.3, seed=1)
X_val, y_val = make_moons(500, noise=0.3, seed=2)
Xtr, ytr = ag.tensor(X_train, dtype=ag.float32), ag.tensor(y_train)
Xva, yva = ag.tensor(X_val, dtype=ag.float32), ag.tensor(y_val)

COLORS = ("tab:blue", "tab:red")
fig, ax = plt.subplots(figsize=(5.8, 3.8))
for c in (0, 1):
    ax.scatter(*X_val[y_val == c].T, c=COLORS[c], s=6, alpha=0.25)
    ax.scatter(*X_train[y_train == c].T, c=COLORS[c], s=30, edgecolors="k", linewidths=0.6,
               label=f"class {c} (training)")
ax.set(title="40 training points (large) and 500 validation points (faint)",
       xlabel="$x_1$", ylabel="$x_2$")
ax.legend(loc="lower left", fontsize=8)
plt.show()

# %% [markdown]
# The model is far bigger than 40 points call for: two hidden layers of 128 ReLU units,
# about 17,000 parameters. `nn.MLP(2, [128, 128], 2)` builds
# `Linear -> ReLU -> Linear -> ReLU -> Linear`; the two outputs are class scores (logits)
# and the loss is the cross-entropy.
#
# With only 40 points every step uses all of them (full-batch gradient descent), so one
# step is one pass over the training data, one **epoch**. Every 5 epochs we record:
#
# * the training loss and the **validation** loss (in `eval()` mode, without gradients);
# * the validation accuracy;
# * the size of the weights, $\lVert\theta\rVert = \sqrt{\sum_p p^2}$ over all parameters
#   (`nn.utils.get_total_norm`).
#
# Every run starts from the same initial weights (`ag.manual_seed(0)`), so the runs differ
# only in the regulariser.

# %%
EPOCHS = 1000


def make_model(dropout=0.0):
    ag.manual_seed(0)
    return nn.MLP(2, [128, 128], 2, dropout=dropout)


def evaluate(model):
    """Training loss, validation loss and validation accuracy, in eval mode."""
    model.eval()
    with ag.no_grad():
        train_loss = F.cross_entropy(model(Xtr), ytr).item()
        logits = model(Xva)
        val_loss = F.cross_entropy(logits, yva).item()
        accuracy = float((logits.argmax(1).numpy() == y_val).mean())
    return train_loss, val_loss, accuracy


def train_step(model, opt):
    model.train()
    loss = F.cross_entropy(model(Xtr), ytr)
    opt.zero_grad()
    loss.backward()
    opt.step()


def train(model, opt, epochs=EPOCHS, every=5):
    """Train for `epochs` epochs (numbered from 0), measuring after every `every`-th one."""
    hist = {"epoch": [], "train": [], "val": [], "acc": [], "norm": []}
    for epoch in range(epochs):
        train_step(model, opt)
        if epoch % every == 0 or epoch == epochs - 1:
            hist["epoch"].append(epoch)
            for key, value in zip(("train", "val", "acc"), evaluate(model)):
                hist[key].append(value)
            hist["norm"].append(nn.utils.get_total_norm(model.parameters()).item())
    return hist


def report(name, hist):
    best = int(np.argmin(hist["val"]))
    print(f"{name:>18}: final train loss {hist['train'][-1]:.3f}, val loss {hist['val'][-1]:.3f}, "
          f"val accuracy {hist['acc'][-1]:.1%}, |theta| {hist['norm'][-1]:.1f}   "
          f"(lowest val loss {hist['val'][best]:.3f} around epoch {hist['epoch'][best]})")


xx, yy = np.meshgrid(np.linspace(-2.2, 3.2, 160), np.linspace(-1.7, 2.2, 120))
grid = ag.tensor(np.c_[xx.ravel(), yy.ravel()], dtype=ag.float32)


def log_y(ax):
    """A log-scaled y axis (call after plotting) with ticks 0.01, 0.02, 0.05, 0.1, ... 5."""
    ax.set_yscale("log")
    lo, hi = ax.get_ylim()
    ax.set_yticks([t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5) if lo <= t <= hi])
    ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def draw_boundary(ax, model, title):
    """Colour the plane by the model's probability of class 1; the black line is p = 0.5."""
    model.eval()
    with ag.no_grad():
        p1 = F.softmax(model(grid), dim=1)[:, 1].numpy().reshape(xx.shape)
    ax.contourf(xx, yy, p1, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
    ax.contour(xx, yy, p1, levels=[0.5], colors="k", linewidths=1.2)
    for c in (0, 1):
        ax.scatter(*X_train[y_train == c].T, c=COLORS[c], s=22, edgecolors="k", linewidths=0.6)
    ax.set_title(title, fontsize=10)
    ax.set(xticks=[], yticks=[])
    ax.grid(False)


# %% [markdown]
# ### The baseline: no regularisation
#
# Plain gradient descent with momentum (`optim.SGD(lr=0.1, momentum=0.9)`) for 1000 epochs:

# %%
baseline = make_model()
hist_base = train(baseline, optim.SGD(baseline.parameters(), lr=0.1, momentum=0.9))
report("no regularisation", hist_base)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
ax1.plot(hist_base["epoch"], hist_base["train"], label="training loss")
ax1.plot(hist_base["epoch"], hist_base["val"], label="validation loss")
best = int(np.argmin(hist_base["val"]))
ax1.axvline(hist_base["epoch"][best], color="gray", ls="--", lw=1)
ax1.annotate(f"lowest validation loss\n(around epoch {hist_base['epoch'][best]})",
             xy=(hist_base["epoch"][best], hist_base["val"][best]),
             xytext=(250, 2.0), arrowprops={"arrowstyle": "->"}, fontsize=9)
ax1.set(title="Without regularisation the validation loss climbs", xlabel="epoch",
        ylabel="cross-entropy")
log_y(ax1)
ax1.legend(fontsize=9)
draw_boundary(ax2, baseline, "Unregularised boundary after 1000 epochs")
plt.show()

# %% [markdown]
# The training loss heads towards zero: the network is memorising the 40 points, carving a
# pocket around each point that lies on the "wrong" side. The validation loss bottoms out
# after a few dozen epochs and then rises steadily to many times its lowest value.
#
# The validation *accuracy* moves much less than the validation *loss*. The memorising
# network still puts most new points on the right side; what gets much worse is its
# **confidence**: it predicts probabilities near 0 and 1 everywhere, and the cross-entropy
# punishes a confident mistake heavily ($-\log p$ for a small $p$). The weights grow
# all the while, because sharp, confident outputs need large weights.
#
# ## 2. Weight decay (L2 regularisation)
#
# Add a penalty on the size of the weights to the loss:
#
# $$L_{\text{total}}(\theta) = L(\theta) + \frac{\lambda}{2}\lVert\theta\rVert^2, \qquad
#   \nabla L_{\text{total}} = \nabla L + \lambda\theta .$$
#
# A gradient step $\theta \leftarrow \theta - \eta\,(\nabla L + \lambda\theta)$ can be read as
#
# $$\theta \leftarrow (1 - \eta\lambda)\,\theta - \eta\,\nabla L ,$$
#
# so before each ordinary step the weights shrink ("decay") by the factor $1 - \eta\lambda$.
# That is what `weight_decay=` of `optim.SGD` does: it adds $\lambda\theta$ to the gradient.
# We can watch it on one weight whose loss gradient is zero, so only the decay acts:

# %%
w = ag.tensor([1.0], requires_grad=True)
opt = optim.SGD([w], lr=0.1, weight_decay=0.01)
for step in range(3):
    w.grad = ag.zeros(1)  # pretend the loss does not depend on w
    opt.step()
    print(f"after step {step + 1}: w = {w.item():.6f}   (1 - lr * weight_decay)^{step + 1} = "
          f"{(1 - 0.1 * 0.01) ** (step + 1):.6f}")

# %% [markdown]
# A weight survives only if the loss gradient keeps pushing back against the decay, so
# weights that do not help fit the data fade away. The network that results is smoother:
# small weights mean small slopes. We train the same network with two strengths,
# $\lambda = 10^{-3}$ and $10^{-2}$ (same initial weights, same optimiser otherwise):

# %%
runs = {"no regularisation": (baseline, hist_base)}
for wd in (1e-3, 1e-2):
    model = make_model()
    hist = train(model, optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=wd))
    runs[f"weight decay {wd:g}"] = (model, hist)
for name, (_, hist) in runs.items():
    report(name, hist)

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
for name, (_, hist) in runs.items():
    ax1.plot(hist["epoch"], hist["val"], label=name)
    ax2.plot(hist["epoch"], hist["norm"], label=name)
ax1.set(title="Validation loss: weight decay stops the climb", xlabel="epoch",
        ylabel="validation cross-entropy")
log_y(ax1)
ax2.set(title="Weight norm: decay keeps the weights small", xlabel="epoch",
        ylabel=r"$\|\theta\|$")
ax1.legend(fontsize=9)
plt.show()

fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
for ax, (name, (model, hist)) in zip(axes, runs.items()):
    draw_boundary(ax, model, f"{name}: val acc {hist['acc'][-1]:.0%}")
fig.suptitle("Decision boundaries after 1000 epochs: stronger decay, smoother boundary")
plt.show()

# %% [markdown]
# With $\lambda = 10^{-2}$ the weight norm drops from its initial value and settles where
# the pull of the data balances the decay; the validation loss never climbs, and the
# boundary is a smooth curve with soft probabilities on either side. $\lambda = 10^{-3}$
# sits in between. Too large a $\lambda$ would flatten the model until it cannot fit even
# the real structure (underfitting); $\lambda$ is a hyper-parameter, chosen on the
# validation set.
#
# ## 3. Early stopping, with checkpoints
#
# The baseline's validation loss was lowest after a few dozen epochs. Early stopping uses
# that directly:
#
# * after every epoch, evaluate the validation loss;
# * whenever it is the best so far, **save a checkpoint** of the parameters;
# * when it has not improved for `patience` epochs, **stop**, and go back to the best
#   checkpoint.
#
# `optim.EarlyStopping` does the bookkeeping: `stopper.step(val_loss, model)` returns `True`
# when it is time to stop, keeps an in-memory copy of the best weights, and (with
# `restore_best_weights=True`, the default) loads them back into the model at that moment.
# We also write each new best to disk with `ag.save`, as a real training script would, so
# the best model survives the Python session. The file goes to a temporary directory.
#
# Same network, same seed, same optimiser as the baseline; `patience=100`.

# %%
checkpoint_dir = tempfile.TemporaryDirectory()
ckpt_path = Path(checkpoint_dir.name) / "best.ckpt"

model = make_model()
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
stopper = optim.EarlyStopping(patience=100)
val_curve, saved_at = [], []
for epoch in range(EPOCHS):
    train_step(model, opt)
    _, val_loss, _ = evaluate(model)
    val_curve.append(val_loss)
    stop = stopper.step(val_loss, model)
    if stopper.best_epoch == epoch:  # a new best: write a checkpoint
        ag.save({"epoch": epoch, "val_loss": val_loss, "model": model.state_dict(),
                 "optimizer": opt.state_dict()}, ckpt_path)
        saved_at.append(epoch)
    if stop:
        break

print(f"stopped after epoch {epoch}: no improvement for {stopper.patience} epochs")
print(f"best epoch {stopper.best_epoch}, best validation loss {stopper.best_score:.4f}")
print(f"checkpoints written at {len(saved_at)} epochs, the last at epoch {saved_at[-1]}; "
      f"{ckpt_path.name} is {ckpt_path.stat().st_size / 1024:.0f} KiB")

# %% [markdown]
# When `step` returned `True` the stopper put the weights of the best epoch back into
# `model`. Evaluating it now gives exactly the best validation loss, not the loss at the
# epoch where the loop stopped:

# %%
_, val_restored, acc_restored = evaluate(model)
print(f"validation loss at the stopping epoch {epoch}: {val_curve[-1]:.4f}")
print(f"validation loss of the restored model:       {val_restored:.4f}  "
      f"(best epoch {stopper.best_epoch}: {val_curve[stopper.best_epoch]:.4f})")

# %% [markdown]
# The checkpoint on disk holds the same weights. A fresh model (different random
# initialisation) that loads it with `load_state_dict` computes the same outputs; the
# optimiser state in the file would let training resume where it left off.

# %%
ckpt = ag.load(ckpt_path)
print("checkpoint keys:", sorted(ckpt), "  epoch:", ckpt["epoch"],
      f"  val_loss: {ckpt['val_loss']:.4f}")

ag.manual_seed(123)
fresh = nn.MLP(2, [128, 128], 2)
print("fresh model, validation loss before loading:", f"{evaluate(fresh)[1]:.4f}")
fresh.load_state_dict(ckpt["model"])
print("fresh model, validation loss after loading: ", f"{evaluate(fresh)[1]:.4f}")
with ag.no_grad():
    same = np.array_equal(fresh.eval()(Xva).numpy(), model.eval()(Xva).numpy())
print("same outputs as the restored model:", same)
checkpoint_dir.cleanup()

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
ax1.plot(hist_base["epoch"], hist_base["val"], color="lightgray",
         label="baseline, had it kept going")
ax1.plot(val_curve, color="tab:orange", label="validation loss (early stopping run)")
ax1.plot(saved_at, [val_curve[e] for e in saved_at], "v", color="tab:green", ms=4,
         label="checkpoint written (new best)")
ax1.axvline(stopper.best_epoch, color="tab:green", ls="--", lw=1)
ax1.axvline(epoch, color="tab:red", ls="--", lw=1)
ax1.text(stopper.best_epoch + 6, 0.9, f"best\nepoch {stopper.best_epoch}", color="tab:green",
         fontsize=9, va="top")
ax1.text(epoch + 6, 0.9, f"stop\nepoch {epoch}", color="tab:red", fontsize=9, va="top")
ax1.set(title="Early stopping: stop after 100 epochs without improvement", xlabel="epoch",
        ylabel="validation cross-entropy", xlim=(0, 400), ylim=(0.25, 0.95))
ax1.legend(fontsize=8, loc="lower right")
draw_boundary(ax2, model, f"Restored model (epoch {stopper.best_epoch}): val acc {acc_restored:.0%}")
plt.show()

# %% [markdown]
# The patience is there because validation curves are noisy: stopping at the first
# epoch that fails to improve would often stop too early. The cost is `patience` wasted
# epochs, which the checkpoint makes harmless: we return to the best weights, not the
# last. Early stopping is cheap and works with any model, which is why it is the first
# regulariser to reach for.
#
# ## 4. Dropout
#
# Dropout switches hidden units off at random *during training*: each forward pass,
# every unit's output is set to zero with probability $p$. The network cannot rely on any
# single unit (or on a delicate conspiracy of units), so it learns redundant, more robust
# features. At test time nothing is dropped.
#
# Switching units off lowers the expected input of the next layer by the factor $1 - p$.
# There are two ways to make up for it, and the two lectures that show dropout use one
# each:
#
# * **Inverted dropout**, used by PyTorch and by `nn.Dropout` here: scale the surviving
#   units up by $1/(1-p)$ *during training*, so that the expected value is unchanged; at
#   test time the layer is simply the identity (`eval()` mode). **Lecture 1** uses this
#   form ("To compensate, scale the other neurons up by $1/p$ ... During testing, don't do
#   dropout"), but its factor is a slip: on that slide $p$ is the probability of dropping a
#   unit ("Drop each out with probability $p$"), so the surviving units must be scaled by
#   $1/(1-p)$. $1/p$ is right only when $p$ is the probability of *keeping* a unit. (For
#   the common $p = 0.5$ the two agree, which hides the slip.)
# * **Compensating at test time**: train without scaling, and at test time keep every unit
#   but multiply by the keep probability. **Lecture 5** does this ("At test time: no
#   deletions; sum all hidden nodes, but scale by 'p' to match average response during
#   train"), and there $p$ is the probability of **keeping** a unit: its mask is
#   `rand < p`. So lecture 5's $p = 0.8$ is `nn.Dropout(p=0.2)`: the $p$ of `nn.Dropout`
#   (and of lecture 1) is the probability of **dropping**.
#
# Both give the next layer the same expected input in training and at test time; inverted
# dropout is the one libraries use because the trained network needs no change afterwards.
#
# Lecture 5's code has one more trap. Its dropout line reads
# `H1 = H1 * np.random.rand(*H1.shape)<p`, and in Python `*` binds more tightly than `<`, so
# this computes `(H1 * rand) < p`: a boolean array saying which products fell below $p$,
# not the activations with some units zeroed. The intended line needs parentheses,
# `H1 = H1 * (np.random.rand(*H1.shape) < p)`. With NumPy:

# %%
rng_d = np.random.default_rng(0)
H1 = np.round(rng_d.uniform(0.2, 0.9, size=(2, 5)), 2)    # some sigmoid activations
p_keep = 0.8                                              # lecture 5's p: keep probability
rand = rng_d.random(H1.shape)
print("H1:\n", H1)
print("as printed on the slide,  H1 * rand < p  ->\n", H1 * rand < p_keep)
print("as intended,  H1 * (rand < p)  ->\n", H1 * (rand < p_keep))
print("at test time, lecture 5 uses  H1 * p  ->\n", H1 * p_keep)

# %% [markdown]
# The slide's line gives True and False (here all True: every product is below 0.8), which
# the next layer would take for ones and zeros: the activations are lost. And
# `nn.Dropout`, inverted dropout with $p$ the probability of dropping:

# %%
ag.manual_seed(0)
drop = nn.Dropout(p=0.5)
x = ag.ones(12)
print("train mode, pass 1:", drop(x).tolist())
print("train mode, pass 2:", drop(x).tolist())
big = drop(ag.ones(100_000))
print(f"train mode, mean over 100,000 units: {big.mean().item():.3f}  "
      f"(fraction zeroed {(big.numpy() == 0).mean():.3f})")
drop.eval()
print("eval mode:         ", drop(x).tolist())

# %% [markdown]
# In a network, `model.train()` and `model.eval()` switch every dropout layer at once. In
# training mode the same input gives a different output on every call (a different
# "thinned" network each time); in eval mode the output is fixed. The eval-mode output is
# close to the average of the thinned networks' outputs, which is why one deterministic
# pass can stand in for the whole random ensemble:

# %%
net = make_model(dropout=0.5)
point = ag.tensor([[0.5, 0.25]])
net.train()
with ag.no_grad():
    thinned = np.array([F.softmax(net(point), dim=1)[0, 1].item() for _ in range(2000)])
net.eval()
with ag.no_grad():
    p_eval = F.softmax(net(point), dim=1)[0, 1].item()
print("train mode, three calls: p(class 1) =", np.round(thinned[:3], 4))
print(f"eval mode:  p(class 1) = {p_eval:.4f};  mean of 2000 train-mode calls = {thinned.mean():.4f}")

fig, ax = plt.subplots(figsize=(7.5, 3))
ax.hist(thinned, bins=40, color="tab:gray", label="train mode: 2000 thinned networks")
ax.axvline(p_eval, color="tab:red", lw=2, label="eval mode (no dropout)")
ax.axvline(thinned.mean(), color="k", ls="--", lw=1.5, label="mean of the thinned networks")
ax.set(title="One input, 2000 random dropout masks (untrained net)",
       xlabel="p(class 1)", ylabel="count")
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1))   # beside: inside it hides the peak
plt.show()

# %% [markdown]
# Now train the overfitting network with dropout ($p = 0.5$ after each hidden layer,
# `nn.MLP(..., dropout=0.5)`), otherwise exactly as the baseline:

# %%
dropout_model = make_model(dropout=0.5)
print(dropout_model)
hist_drop = train(dropout_model, optim.SGD(dropout_model.parameters(), lr=0.1, momentum=0.9))
report("no regularisation", hist_base)
report("dropout 0.5", hist_drop)

fig, axes = plt.subplots(1, 3, figsize=(12, 3.3))
for hist, name, color in ((hist_base, "no regularisation", "tab:blue"),
                          (hist_drop, "dropout 0.5", "tab:purple")):
    axes[0].plot(hist["epoch"], hist["train"], color=color, alpha=0.5, lw=1, label=f"{name}: train")
    axes[0].plot(hist["epoch"], hist["val"], color=color, lw=2, label=f"{name}: validation")
axes[0].set(title="Dropout slows the overfitting", xlabel="epoch", ylabel="cross-entropy")
log_y(axes[0])
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=4, fontsize=9)
draw_boundary(axes[1], baseline, f"no regularisation: val acc {hist_base['acc'][-1]:.0%}")
draw_boundary(axes[2], dropout_model, f"dropout 0.5: val acc {hist_drop['acc'][-1]:.0%}")
plt.show()

# %% [markdown]
# With dropout the training loss stays well above zero (the network can no longer
# memorise with units that keep disappearing), the validation loss rises far more
# slowly, and the boundary has fewer pockets. Dropout alone does not stop the weights
# from growing over 1000 epochs, though; in practice it is combined with early stopping
# or weight decay.
#
# ## 5. Batch normalisation
#
# Batch norm is less a cure for overfitting than a way to make deep networks *train*.
# The problem it addresses: as a deep network trains, the distribution of each layer's
# inputs keeps shifting, and with a poor scale the signal shrinks (or grows) from layer to
# layer until the units saturate or go silent. A `BatchNorm1d` layer normalises each unit
# over the current mini-batch $B$, then lets the network choose the scale and shift it
# wants with two learned parameters per unit, $\gamma$ and $\beta$:
#
# $$\hat z = \frac{z - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \qquad y = \gamma\,\hat z + \beta .$$
#
# We use a problem where depth matters: the 8x8 **digits** (1,797 images of 64 pixels,
# ten classes), 1,300 for training and 497 for validation, with a network of **six hidden
# layers** of 64 `tanh` units. One version is plain, the other has a `BatchNorm1d` before
# each `tanh`.

# %%
X_dig, y_dig = load_digits()
X_dig = X_dig / 16.0  # pixels 0..16 -> 0..1
perm = np.random.default_rng(0).permutation(len(X_dig))
tr, va = perm[:1300], perm[1300:]
Dtr, dtr = ag.tensor(X_dig[tr]), ag.tensor(y_dig[tr])
Dva, dva = ag.tensor(X_dig[va]), ag.tensor(y_dig[va])


def deep_net(batch_norm, depth=6, width=64):
    ag.manual_seed(0)
    layers, n_in = [], 64
    for _ in range(depth):
        layers.append(nn.Linear(n_in, width))
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(nn.Tanh())
        n_in = width
    layers.append(nn.Linear(n_in, 10))
    return nn.Sequential(*layers)


plain, normed = deep_net(False), deep_net(True)
print(normed)

# %% [markdown]
# ### Activation statistics
#
# Feed a mini-batch of 256 training images through each *untrained* network and collect
# every `tanh` layer's output with forward hooks. Both networks start from the same
# `Linear` weights (same seed), so any difference comes from the normalisation.

# %%
def tanh_outputs(model, x):
    outs = []
    hooks = [m.register_forward_hook(lambda mod, args, out: outs.append(out.numpy().ravel()))
             for m in model.modules() if isinstance(m, nn.Tanh)]
    model.train()
    with ag.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return outs


batch = Dtr[:256]
acts = {"plain": tanh_outputs(plain, batch), "with batch norm": tanh_outputs(normed, batch)}
fig, axes = plt.subplots(2, 6, figsize=(12, 4), sharex=True)
for row, (name, layers) in enumerate(acts.items()):
    for i, a in enumerate(layers):
        ax = axes[row, i]
        ax.hist(a, bins=40, range=(-1, 1), color="tab:blue" if row == 0 else "tab:green")
        ax.set_title(f"{name}, layer {i + 1}\nstd {a.std():.3f}", fontsize=9)
        ax.set_yticks([])
fig.suptitle("tanh outputs of each hidden layer at initialisation (256 images)")
plt.show()

print("how much a unit's output varies from image to image (std over the batch, averaged over units):")
for name, layers in acts.items():
    spread = [a.reshape(len(batch), -1).std(axis=0).mean() for a in layers]
    print(f"{name:>16}: " + "  ".join(f"layer {i + 1}: {s:.4f}" for i, s in enumerate(spread)))

# %% [markdown]
# In the plain network the signal shrinks layer after layer: with PyTorch's default
# initialisation each `Linear` scales its input's spread down. The histograms narrow, and
# the printout shows worse: what a unit's output *varies with the image* shrinks by about
# half per layer, so by layer 6 each unit outputs nearly the same value whatever the
# digit. The deep layers carry almost no information about the input, and the gradients
# flowing back through them are just as small.
# (Notebook 6 fixes this with better initialisation.) With batch norm every layer's
# pre-activations have mean 0 and standard deviation 1 over the batch, so every layer
# uses the sensitive middle range of `tanh`, however deep it sits.
#
# ### Faster training
#
# Train both networks identically: SGD with momentum, learning rate 0.01, mini-batches of
# 64, 15 epochs.

# %%
def train_digits(model, epochs=15, lr=0.01, batch_size=64):
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    order = np.random.default_rng(1)
    losses, accs = [], []
    for epoch in range(epochs):
        model.train()
        for i, idx in enumerate(np.array_split(order.permutation(len(tr)), len(tr) // batch_size)):
            loss = F.cross_entropy(model(Dtr[idx]), dtr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.eval()
        with ag.no_grad():
            accs.append(float((model(Dva).argmax(1).numpy() == y_dig[va]).mean()))
    return losses, accs


curves = {name: train_digits(m) for name, m in (("plain", plain), ("with batch norm", normed))}
for name, (losses, accs) in curves.items():
    print(f"{name:>16}: validation accuracy after epochs 1, 5, 15: "
          f"{accs[0]:.1%}, {accs[4]:.1%}, {accs[-1]:.1%}")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
for (name, (losses, accs)), color in zip(curves.items(), ("tab:blue", "tab:green")):
    steps_per_epoch = len(losses) // len(accs)
    ax1.plot(losses, color=color, alpha=0.3, lw=0.8)
    ax1.plot(np.convolve(losses, np.ones(20) / 20, mode="valid"), color=color, label=name)
    ax2.plot(np.arange(1, len(accs) + 1), 100 * np.array(accs), "o-", color=color, ms=4,
             label=name)
ax1.set(title="Training loss per mini-batch (line: 20-step average)", xlabel="step",
        ylabel="cross-entropy")
ax2.set(title="Validation accuracy: batch norm learns at once", xlabel="epoch",
        ylabel="accuracy (%)", ylim=(0, 100))
ax1.legend(fontsize=9)
ax2.legend(fontsize=9)
plt.show()

# %% [markdown]
# The plain six-layer network sits at chance (10%) for many epochs before the signal gets
# through; the batch-normalised one is near 90% after the first epoch. Batch norm also
# makes training far less sensitive to the learning rate and to initialisation.
#
# ### Train mode versus eval mode
#
# In training mode a batch-norm layer normalises with the statistics of *the current
# batch*, so an image's output depends on which other images share its batch: a little
# noise, which is batch norm's mild regularising effect. It also keeps running averages
# of the means and variances it has seen (`running_mean`, `running_var`), and in `eval()`
# mode it uses those fixed averages instead, so a prediction depends on the input alone.

# %%
bn = normed[1]
print("first layer's running mean, first 4 units:", np.round(bn.running_mean.numpy()[:4], 3))
print("first layer's running var,  first 4 units:", np.round(bn.running_var.numpy()[:4], 3))

image = Dva[:1]
normed.train()
with ag.no_grad():
    in_batch_a = normed(ag.cat([image, Dva[1:32]]))[0]
    in_batch_b = normed(ag.cat([image, Dva[200:231]]))[0]
normed.eval()
with ag.no_grad():
    alone = normed(image)[0]
print("train mode, image in batch A: logit 0..2 =", np.round(in_batch_a.numpy()[:3], 3))
print("train mode, image in batch B: logit 0..2 =", np.round(in_batch_b.numpy()[:3], 3))
print("eval mode, image on its own:  logit 0..2 =", np.round(alone.numpy()[:3], 3))

# %% [markdown]
# (Calling the network in training mode also nudges the running averages a little; in a
# real loop we evaluate only in `eval()` mode.)
#
# ## What we saw
#
# | technique | what it does | in `autograd_core` | effect here |
# | --- | --- | --- | --- |
# | weight decay | shrinks every weight by $1-\eta\lambda$ each step | `optim.SGD(..., weight_decay=λ)` (or `optim.AdamW`) | small weights, smooth boundary, no validation climb |
# | early stopping | keeps the weights of the best validation epoch | `optim.EarlyStopping`, `ag.save` / `ag.load` | best weights back after the run stops |
# | dropout | drops random units while training, identity in eval | `nn.Dropout(p)`, `nn.MLP(..., dropout=p)` | slower overfitting, fewer pockets |
# | batch norm | normalises each unit over the mini-batch | `nn.BatchNorm1d`, `nn.BatchNorm2d` | healthy activations in deep nets, much faster training |
#
# * Overfitting shows first in the **validation loss** (over-confidence), long before the
#   accuracy moves much. Always keep data the model does not train on.
# * `model.train()` and `model.eval()` matter for dropout and batch norm: evaluate in
#   eval mode.
#
# **Next:** notebook 9 looks at another way training goes wrong, exploding gradients, and
# at gradient clipping.
