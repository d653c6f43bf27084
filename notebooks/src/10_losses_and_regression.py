# %% [markdown]
# # 10. Loss functions, a regression and a classification
#
# The loss is the one number training tries to make small, and its gradient is where
# every backward pass starts. Which loss we choose decides what "a good prediction"
# means, and, just as important for learning, how hard the network is pushed when a
# prediction is wrong.
#
# 1. **The losses** of the lectures, **L1**, **MSE**, **binary cross-entropy** and
#    **cross-entropy**, each plotted as a function of the prediction, together with its
#    gradient, the signal `backward()` sends into the network.
# 2. **Regression**: the motorcycle-crash data fitted with a network of 10 sigmoid hidden
#    units, and the responses of those hidden units: the "features" the network built.
# 3. **Classification**: the Iris flowers, with accuracy, decision regions and confusion
#    matrices.

# %%
import numpy as np
import matplotlib.pyplot as plt

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from autograd_core import optim
from autograd_core.data import IRIS_CLASSES, IRIS_FEATURE_NAMES, load_iris, load_mcycle
from autograd_core.kernels import threads

threads.set_blas_policy("single")  # these matrices are tiny: one BLAS thread is fastest
threads.configure()
plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (5, 3.5), "axes.grid": True,
                     "grid.alpha": 0.3,
                     "figure.constrained_layout.use": True})  # laid out: nothing sticks out of a figure

# %% [markdown]
# ## 1. Losses and their gradients
#
# To plot a loss and its gradient we evaluate it at many predictions at once: a tensor of
# 401 predictions with `requires_grad=True`, the loss with `reduction="none"` (one loss per
# prediction instead of their mean), and one `backward()` of their sum. Each loss depends
# only on its own prediction, so `pred.grad[i]` is exactly $\partial \ell_i / \partial
# \hat y_i$.

# %%
def loss_and_grad(loss_fn, predictions, target):
    """Per-prediction losses and their derivatives with respect to each prediction."""
    pred = ag.tensor(predictions, requires_grad=True)
    losses = loss_fn(pred, ag.full_like(pred, target))
    losses.sum().backward()
    return losses.detach().numpy(), pred.grad.numpy()


# %% [markdown]
# ### Regression: L1 and MSE
#
# For a real-valued target $y$ and prediction $\hat y$:
#
# * **L1** (mean absolute error), $\ell = |\hat y - y|$, with gradient
#   $\operatorname{sign}(\hat y - y)$: always $\pm 1$, however large or small the error;
# * **MSE** (mean squared error), $\ell = (\hat y - y)^2$, with gradient
#   $2(\hat y - y)$: proportional to the error.
#
# `F.huber_loss` (`nn.HuberLoss`) is the usual compromise, quadratic for errors below
# $\delta = 1$ and linear beyond, so we draw it too.

# %%
y_hat = np.linspace(-3, 3, 401)
regression = {
    "L1  |ŷ - y|": F.l1_loss,
    "MSE  (ŷ - y)²": F.mse_loss,
    "Huber (δ = 1)": F.huber_loss,
}
styles = {"L1  |ŷ - y|": dict(lw=4, alpha=0.45),      # wide and pale: beyond |ŷ| = 1 Huber's
          "MSE  (ŷ - y)²": dict(lw=1.5),                # gradient is L1's, drawn on top of it
          "Huber (δ = 1)": dict(lw=1.5, ls="--")}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4))
for (name, fn), color in zip(regression.items(), ("tab:blue", "tab:orange", "tab:green")):
    loss, grad = loss_and_grad(lambda p, t: fn(p, t, reduction="none"), y_hat, 0.0)
    ax1.plot(y_hat, loss, color=color, label=name, **styles[name])
    ax2.plot(y_hat, grad, color=color, label=name, **styles[name])
ax1.set(title="Regression losses (target y = 0)", xlabel="prediction ŷ", ylabel="loss",
        ylim=(-0.2, 5))
ax2.set(title="Their gradients dℓ/dŷ, from backward()", xlabel="prediction ŷ",
        ylabel="gradient")
ax1.legend(fontsize=9)
plt.show()

# %% [markdown]
# MSE punishes large errors much more than small ones, and its gradient fades as the
# prediction closes in on the target, which makes for gentle convergence. L1 pushes
# equally hard on every error, large or small, so one huge error (an **outlier**) has no
# more pull than any other point.
#
# That difference shows in the simplest model there is, one constant $c$ fitted to a
# handful of numbers. Minimising the MSE gives their **mean**; minimising L1 gives their
# **median**. With one outlier among them:

# %%
data = ag.tensor([1.0, 1.2, 1.5, 1.9, 2.1, 2.4, 10.0])  # the 10.0 is an outlier
for name, fn in (("MSE", F.mse_loss), ("L1", F.l1_loss)):
    c = ag.zeros(1, requires_grad=True)
    opt = optim.SGD([c], lr=0.05)
    for step in range(500):
        loss = fn(c.expand(7), data)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"minimising {name:>3}: c = {c.item():.3f}")
print(f"mean = {data.mean().item():.3f}, median = {np.median(data.numpy()):.3f}")

# %% [markdown]
# The outlier drags the MSE fit up to the mean, 2.871, above six of the seven numbers;
# the L1 fit stays at the median, in the middle of the bulk. L1 is robust to outliers;
# MSE is easier to optimise (smooth, with a gradient that shrinks near the optimum).
#
# ### Binary classification: binary cross-entropy
#
# A binary classifier outputs a probability $p$ that the label is 1. Binary
# cross-entropy (BCE) is the negative log-probability given to the true label:
#
# $$\ell = -\big(y \log p + (1 - y)\log(1 - p)\big) =
#   \begin{cases} -\log p & y = 1 \\ -\log(1 - p) & y = 0 \end{cases}$$
#
# The probability usually comes from a sigmoid of a score (a **logit**),
# $p = \sigma(z)$. So there are two ways to look at BCE: as a function of $p$ (`F.binary_cross_entropy`)
# and as a function of $z$ (`F.binary_cross_entropy_with_logits`, which fuses the sigmoid
# in, for numerical safety). For comparison we add the lecture's other option, the MSE
# between $p = \sigma(z)$ and the label.

# %%
p = np.linspace(0.005, 0.995, 401)
z = np.linspace(-6, 6, 401)
fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
for target, color in ((1.0, "tab:red"), (0.0, "tab:blue")):
    loss, grad = loss_and_grad(lambda q, t: F.binary_cross_entropy(q, t, reduction="none"), p, target)
    axes[0].plot(p, loss, color=color, label=f"BCE, y = {target:g}")
    axes[1].plot(p, grad, color=color, label=f"y = {target:g}")
axes[0].set(title="BCE against the probability p", xlabel="predicted probability p",
            ylabel="loss", ylim=(0, 5))
axes[1].set(title="Its gradient dℓ/dp explodes at the wrong end", xlabel="predicted probability p",
            ylabel="gradient", ylim=(-25, 25))
bce_z, bce_z_grad = loss_and_grad(
    lambda q, t: F.binary_cross_entropy_with_logits(q, t, reduction="none"), z, 1.0)
mse_z, mse_z_grad = loss_and_grad(lambda q, t: F.mse_loss(q.sigmoid(), t, reduction="none"), z, 1.0)
axes[2].plot(z, bce_z_grad, color="tab:red", label="BCE with logits: σ(z) - 1")
axes[2].plot(z, mse_z_grad, color="tab:gray", ls="--", label="MSE on σ(z)")
axes[2].set(title="Gradients with respect to the logit z (y = 1)", xlabel="logit z",
            ylabel="dℓ/dz")
for ax in axes:
    ax.legend(fontsize=8)
plt.show()
print(f"at z = -6 (confidently wrong): BCE gradient {bce_z_grad[0]:.4f}, "
      f"MSE-on-sigmoid gradient {mse_z_grad[0]:.4f}")

# %% [markdown]
# * Against $p$, BCE goes to infinity as the probability of the true label goes to 0:
#   a confident mistake costs a lot, and its gradient $-1/p$ is huge.
# * Against the logit, the chain rule through the sigmoid tames it:
#   $\partial\ell/\partial z = \sigma(z) - y$, the prediction error itself, between
#   $-1$ and $1$. The more wrong the prediction, the harder the push, and never explosive.
# * MSE on a sigmoid has gradient $2(\sigma(z) - y)\,\sigma'(z)$. The factor
#   $\sigma'(z)$ vanishes where the sigmoid saturates, so a *confidently wrong* prediction
#   ($z = -6$ for $y = 1$) gets almost no gradient at all and learns very slowly. This
#   is the main reason classifiers are trained with cross-entropy.
#
# ### Multi-class: cross-entropy
#
# With $K$ classes the network outputs $K$ logits $z_1, \dots, z_K$; the softmax turns
# them into probabilities $p_k = e^{z_k} / \sum_j e^{z_j}$, and the cross-entropy is again
# the negative log-probability of the true class $y$:
#
# $$\ell = -\log p_y = -z_y + \log \sum_j e^{z_j},
#   \qquad \frac{\partial \ell}{\partial z_k} = p_k - [k = y].$$
#
# The gradient is "predicted probabilities minus the one-hot target": BCE's
# $\sigma(z) - y$ again, for $K$ classes. `F.cross_entropy` takes the logits and
# the class index. Take three classes, the true class 0, vary its logit $z_0$ and hold the
# other two at 0:

# %%
z0 = np.linspace(-6, 6, 401)
logits = ag.tensor(np.stack([z0, np.zeros_like(z0), np.zeros_like(z0)], axis=1),
                   requires_grad=True)
ce = F.cross_entropy(logits, ag.zeros(len(z0), dtype=ag.int64), reduction="none")
ce.sum().backward()
g = logits.grad.numpy()
probs = F.softmax(logits.detach(), dim=1).numpy()
print("check: gradient == softmax - one_hot:",
      np.allclose(g, probs - np.eye(3, dtype=np.float32)[0], atol=1e-6))

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4))
ax1.plot(z0, ce.detach().numpy(), label="cross-entropy")
ax1.plot(z0, probs[:, 0], label="$p_0$ = softmax probability of the true class")
ax1.set(title="Cross-entropy, true class 0, logits (z₀, 0, 0)", xlabel="logit z₀ of the true class")
ax1.legend(fontsize=8)
ax2.plot(z0, g[:, 0], label="dℓ/dz₀ = p₀ - 1")
ax2.plot(z0, g[:, 1], label="dℓ/dz₁ = p₁ (same for z₂)")
ax2.set(title="Its gradient with respect to each logit", xlabel="logit z₀ of the true class",
        ylabel="gradient")
ax2.legend(fontsize=8)
plt.show()

# %% [markdown]
# The gradient raises the true class's logit and lowers the others, each in proportion to
# how much probability is misplaced; once the true class gets nearly all of it, the
# pushes fade to zero.
#
# ## 2. Regression: the motorcycle crash with 10 sigmoid units
#
# The `mcycle` data (shipped with `autograd_core.data`): the head acceleration of a
# crash-test dummy, in g, measured at 133 moments (in milliseconds) after a simulated
# motorcycle impact. Nothing happens at first, then the head is thrown back and forth and
# settles. No straight line or low-degree polynomial fits that.
#
# The lecture's network: 1 input (time), **10 hidden units with the logistic sigmoid**, 1
# linear output (acceleration), trained on the MSE:
#
# $$h_j = \sigma(w_j x + b_j), \qquad \hat y = \sum_{j=1}^{10} \beta_j h_j + \beta_0 .$$
#
# We standardise time and acceleration (subtract the mean, divide by the standard
# deviation) so that the sigmoids start in a useful range, and convert back for the plots.

# %%
X_mc, y_mc = load_mcycle()
x_mean, x_std, y_mean, y_std = X_mc.mean(), X_mc.std(), y_mc.mean(), y_mc.std()
Xs = ag.tensor((X_mc - x_mean) / x_std)
Ys = ag.tensor(((y_mc - y_mean) / y_std)[:, None])

ag.manual_seed(0)
net = nn.Sequential(nn.Linear(1, 10), nn.Sigmoid(), nn.Linear(10, 1))
opt = optim.Adam(net.parameters(), lr=0.05)
losses = []
for step in range(2000):
    loss = F.mse_loss(net(Xs), Ys)
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())
rmse = np.sqrt(losses[-1]) * y_std
print(f"final MSE (standardised units) {losses[-1]:.4f}; root-mean-square error {rmse:.1f} g "
      f"(the acceleration spans {y_mc.min():.0f} to {y_mc.max():.0f} g)")

# %%
t = np.linspace(X_mc.min() - 2, X_mc.max() + 2, 500)[:, None].astype(np.float32)
ts = ag.tensor((t - x_mean) / x_std)
with ag.no_grad():
    hidden = net[1](net[0](ts)).numpy()             # h_j(t), shape (500, 10)
    fit = net(ts).numpy()[:, 0] * y_std + y_mean    # back to g
beta = net[2].weight.detach().numpy()[0]            # output weights beta_j
beta0 = net[2].bias.item()

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.6))
ax1.scatter(X_mc[:, 0], y_mc, s=10, color="k", alpha=0.6, label="data")
ax1.plot(t[:, 0], fit, color="tab:red", lw=2, label="network (10 sigmoid units)")
ax1.set(title="mcycle: head acceleration after impact", xlabel="time (ms)",
        ylabel="acceleration (g)")
ax1.legend(fontsize=8)
ax2.plot(losses)
ax2.set(title="Training loss (Adam, full batch)", xlabel="step", ylabel="MSE (standardised)")
plt.show()

# %% [markdown]
# ### What the hidden units do
#
# Each hidden unit is a sigmoid of time: a smooth **step**, switching from 0 to 1 (or from
# 1 to 0 when $w_j < 0$) around $t = -b_j / w_j$, sharper for larger $|w_j|$. The network's
# output is a weighted sum of these ten steps: the hidden units are the features of a
# linear regression, and training chose both the features (where and how sharply each
# step switches) and their weights. Below, left, the ten responses $h_j(t)$, one per row
# in the order in which they switch (so that no step hides behind another); right, each
# unit's contribution $\beta_j h_j(t)$ to the output (in standardised units), and their sum.

# %%
w_in = net[0].weight.detach().numpy()[:, 0]
switch = (-net[0].bias.detach().numpy() / w_in) * x_std + x_mean   # where h_j = 0.5, in ms
colors = plt.cm.tab10(np.arange(10))
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.6))
order = np.argsort(switch)
for row, j in enumerate(order):     # one baseline per unit, in the order they switch
    ax1.plot(t[:, 0], row + 0.8 * hidden[:, j], color=colors[j])
    ax2.plot(t[:, 0], beta[j] * hidden[:, j], color=colors[j], lw=1)
ax2.plot(t[:, 0], hidden @ beta + beta0, color="k", lw=2.5, label="sum + bias = output")
ax1.set(title="Responses of the 10 hidden units $h_j(t)$, each from 0 to 1", xlabel="time (ms)",
        yticks=np.arange(10) + 0.4, ylim=(-0.2, 10))
ax1.set_yticklabels([f"unit {j}: {'up' if w_in[j] > 0 else 'down'} at {switch[j]:.0f} ms"
                     for j in order], fontsize=9)
ax2.set(title=r"Contributions $\beta_j h_j(t)$ and their sum", xlabel="time (ms)",
        ylabel="standardised acceleration")
ax2.legend(fontsize=8)
plt.show()

# %% [markdown]
# All ten units switch between about 15 and 40 ms, where the acceleration changes; none
# is spent on the flat stretches before and after, which the output covers with its bias
# and the units' saturated values. Neighbouring steps of opposite sign make bumps: a unit
# switching up and one switching down a few milliseconds later carve out the dip and the
# rebound, their large contributions cancelling everywhere else. This is the lecture's
# point: the hidden units "select out useful regions of $x$". (The check below confirms
# the black curve is exactly the network's output.)

# %%
with ag.no_grad():
    out = net(ts).numpy()[:, 0]
print("network output == sum of contributions + bias:",
      np.allclose(out, hidden @ beta + beta0, atol=1e-5))

# %% [markdown]
# ## 3. Classification: Iris
#
# Fisher's Iris data: 150 flowers of three species (50 each), four measurements each
# (sepal length and width, petal length and width, in cm). We hold out 15 flowers of
# each species as a **test set** and train on the other 105; features are standardised
# with the training set's means and standard deviations.
#
# The lecture's network: the inputs, **10 sigmoid hidden units**, 3 outputs. We train it
# with cross-entropy (section 1 showed why; we compare with the lecture's MSE at the end)
# and start, as the lecture does, with **two features**, so we can draw what it learns.

# %%
X_iris, y_iris = load_iris()
rng = np.random.default_rng(0)
test_idx = np.sort(np.concatenate([rng.permutation(np.flatnonzero(y_iris == c))[:15]
                                   for c in range(3)]))
train_idx = np.setdiff1d(np.arange(len(y_iris)), test_idx)
print(f"{len(train_idx)} training and {len(test_idx)} test flowers; features: {IRIS_FEATURE_NAMES}")


def fit_iris(columns, loss="cross-entropy", steps=600, lr=0.1):
    """Train a (len(columns))-10-3 sigmoid network on the training flowers; full batch."""
    mu = X_iris[train_idx][:, columns].mean(0)
    sd = X_iris[train_idx][:, columns].std(0)
    Xtr = ag.tensor((X_iris[train_idx][:, columns] - mu) / sd)
    ytr = ag.tensor(y_iris[train_idx])
    onehot = ag.tensor(np.eye(3, dtype=np.float32)[y_iris[train_idx]])
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(len(columns), 10), nn.Sigmoid(), nn.Linear(10, 3))
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    accuracy = []
    for step in range(steps):
        out = model(Xtr)
        if loss == "cross-entropy":
            L = F.cross_entropy(out, ytr)
        else:  # the lecture's version: sigmoid outputs, MSE against one-hot targets
            L = F.mse_loss(out.sigmoid(), onehot)
        opt.zero_grad()
        L.backward()
        opt.step()
        accuracy.append(float((out.argmax(1).numpy() == y_iris[train_idx]).mean()))

    def predict(X):
        with ag.no_grad():
            return model(ag.tensor((X - mu) / sd)).argmax(1).numpy()

    test_acc = float((predict(X_iris[test_idx][:, columns]) == y_iris[test_idx]).mean())
    return predict, accuracy, test_acc


SEPAL, PETAL, ALL = [0, 1], [2, 3], [0, 1, 2, 3]
results = {}
for name, cols in (("sepal length + width", SEPAL), ("petal length + width", PETAL),
                   ("all four", ALL)):
    predict, acc_curve, test_acc = fit_iris(cols)
    results[name] = (cols, predict, acc_curve, test_acc)
    print(f"{name:>21}: training accuracy {acc_curve[-1]:.1%}, test accuracy {test_acc:.1%}")

# %% [markdown]
# The two sepal measurements alone classify only 80% of the training flowers correctly
# (the species overlap in these two measurements, so no boundary separates them cleanly);
# the two petal measurements, 98%. (With 15 test flowers per species, one flower is 2.2
# points of test accuracy, so the test figures are rough.) The decision regions show why:
# setosa is easy either way, but versicolor and virginica overlap heavily in sepal size
# and much less in petal size.

# %%
SPECIES_COLORS = ("tab:blue", "tab:orange", "tab:green")
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, name in zip(axes, ("sepal length + width", "petal length + width")):
    cols, predict, _, test_acc = results[name]
    f0, f1 = X_iris[:, cols[0]], X_iris[:, cols[1]]
    gx, gy = np.meshgrid(np.linspace(f0.min() - 0.5, f0.max() + 0.5, 300),
                         np.linspace(f1.min() - 0.5, f1.max() + 0.5, 300))
    regions = predict(np.c_[gx.ravel(), gy.ravel()].astype(np.float32)).reshape(gx.shape)
    ax.contourf(gx, gy, regions, levels=[-0.5, 0.5, 1.5, 2.5], colors=SPECIES_COLORS, alpha=0.2)
    for c in range(3):
        tr = train_idx[y_iris[train_idx] == c]
        te = test_idx[y_iris[test_idx] == c]
        ax.scatter(f0[tr], f1[tr], s=14, color=SPECIES_COLORS[c], label=f"{IRIS_CLASSES[c]}")
        ax.scatter(f0[te], f1[te], s=40, color=SPECIES_COLORS[c], marker="^", edgecolors="k",
                   linewidths=0.6)
    ax.set(title=f"Decision regions from {name}\ntest accuracy {test_acc:.0%}",
           xlabel=IRIS_FEATURE_NAMES[cols[0]], ylabel=IRIS_FEATURE_NAMES[cols[1]])
    ax.grid(False)
axes[0].legend(fontsize=8, title="dots: train, triangles: test", title_fontsize=8)
plt.show()

# %% [markdown]
# ### Confusion matrices
#
# Accuracy is one number; a **confusion matrix** shows which mistakes are made. Row $i$,
# column $j$ counts the test flowers of species $i$ that the network called species $j$,
# so correct answers lie on the diagonal.

# %%
def confusion_matrix(true, predicted, k=3):
    m = np.zeros((k, k), dtype=int)
    np.add.at(m, (true, predicted), 1)
    return m


fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for ax, name in zip(axes, ("sepal length + width", "all four")):
    cols, predict, _, test_acc = results[name]
    cm = confusion_matrix(y_iris[test_idx], predict(X_iris[test_idx][:, cols]))
    print(f"{name:>20}: {cm[1, 2] + cm[2, 1]} versicolor/virginica mix-ups, "
          f"{cm.sum() - np.trace(cm)} mistakes in all")
    ax.imshow(cm, cmap="Blues", vmin=0, vmax=15)
    for i in range(3):
        for j in range(3):
            ax.text(j, i, cm[i, j], ha="center", va="center", fontsize=13,
                    color="w" if cm[i, j] > 8 else "k")
    ax.set(xticks=range(3), yticks=range(3), xticklabels=IRIS_CLASSES, yticklabels=IRIS_CLASSES,
           xlabel="predicted species", ylabel="true species",
           title=f"Test set, {name}: accuracy {test_acc:.0%}")
    ax.grid(False)
plt.show()

# %% [markdown]
# Setosa is never confused with anything: every mistake is versicolor against virginica.
# Adding the petal measurements halves those mistakes; the few that remain are flowers whose
# measurements sit among the other species' (see the petal plot above).
#
# ### Cross-entropy versus the lecture's MSE
#
# The lecture trains this network on the MSE between sigmoid outputs and one-hot targets
# ($y = [0, 0, 1]$ etc.). That works too, but section 1 predicted it would learn more
# slowly, because the sigmoid's derivative shrinks the gradient of every saturated output.
# Same network, same initial weights, same optimiser, all four features:

# %%
_, acc_mse, test_mse = fit_iris(ALL, loss="mse")
acc_ce, test_ce = results["all four"][2], results["all four"][3]
fig, ax = plt.subplots(figsize=(6, 3.4))
ax.plot(100 * np.array(acc_ce), label=f"cross-entropy (test accuracy {test_ce:.0%})")
ax.plot(100 * np.array(acc_mse), label=f"MSE on sigmoid outputs (test accuracy {test_mse:.0%})")
ax.set(title="Iris, all four features: training accuracy", xlabel="step (full batch)",
       ylabel="accuracy (%)", ylim=(30, 101))
ax.legend(fontsize=8, loc="lower right")
plt.show()
for name, curve in (("cross-entropy", acc_ce), ("MSE", acc_mse)):
    first = next(i for i, a in enumerate(curve) if a >= 0.95)
    print(f"{name:>13}: 95% training accuracy first reached at step {first}")

# %% [markdown]
# ## What we saw
#
# | loss | use | gradient with respect to the prediction | `autograd_core` |
# | --- | --- | --- | --- |
# | L1 | regression, robust to outliers (fits the median) | $\operatorname{sign}(\hat y - y)$ | `F.l1_loss`, `nn.L1Loss` |
# | MSE | regression (fits the mean) | $2(\hat y - y)$ | `F.mse_loss`, `nn.MSELoss` |
# | BCE | two classes | $\sigma(z) - y$ with respect to the logit | `F.binary_cross_entropy_with_logits`, `nn.BCEWithLogitsLoss` |
# | cross-entropy | $K$ classes | $\operatorname{softmax}(z) - \text{one-hot}(y)$ | `F.cross_entropy`, `nn.CrossEntropyLoss` |
#
# * For classification, apply the loss to the logits (`..._with_logits`,
#   `cross_entropy`): the gradient is the prediction error, bounded and never
#   vanishing on confident mistakes.
# * A network of sigmoid units fits a curve as a weighted sum of smooth steps, one per
#   hidden unit.
# * Report more than accuracy: a confusion matrix shows which classes get mixed up, and
#   which features separate them.
#
# **Next:** notebook 11 builds networks for images, from one convolution computed by hand
# to a LeNet-style CNN.
