# %% [markdown]
# # 6. Initialisation: where the weights start
#
# Gradient descent has to start somewhere, and for a neural network the starting point
# matters a great deal. This notebook shows two ways it can go wrong, and the rules that
# avoid them:
#
# 1. **Symmetry.** If every hidden unit starts with the same weights (for example all
#    zeros), every unit receives the same gradient, so they stay identical forever and the
#    layer behaves like a single unit.
# 2. **Scale.** In a deep network, a signal passes through many layers. If each layer
#    multiplies its size by a factor a bit above 1, activations and gradients **explode**;
#    a bit below 1, they **vanish**. We compare four random initialisations on a
#    10-layer network, with tanh and with ReLU: $\mathcal N(0, 1)$, **Xavier**, **He**, and
#    **PyTorch's default**, looking at activation histograms and gradient norms layer by
#    layer, and then at training.
# 3. **Small weights start nearly linear.** With weights near zero every sigmoid unit
#    works on the straight middle part of its curve, so the network begins as a linear
#    model and becomes non-linear only as training moves the weights (lecture 3).
# 4. **Different starts, different minima.** The loss of a network is not convex: the same
#    network trained from different random starts can end in different minima (lecture 1).

# %%
import numpy as np
import matplotlib.pyplot as plt
from threadpoolctl import threadpool_limits

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from autograd_core import optim
from autograd_core.data import load_digits, make_moons, make_xor

plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (5, 3.5), "axes.grid": True,
                     "grid.alpha": 0.3,
                     "figure.constrained_layout.use": True})  # laid out: nothing sticks out of a figure
_ = threadpool_limits(1, user_api="blas")  # small matrices: one BLAS thread is faster here

# %% [markdown]
# ## 1. Constant initialisation keeps hidden units identical
#
# Take a network with one hidden layer of 4 tanh units, $2 \to 4 \to 1$, on the XOR data of
# notebook 5 (a problem that needs at least two different hidden units). Start it three
# ways:
#
# * **all zeros**: every weight and bias 0;
# * **all equal**: every weight 0.5 and every bias 0 (zero is just the commonest constant);
# * **random**: PyTorch's default for `nn.Linear`.
#
# Hidden unit $j$ computes $h_j = \tanh(\mathbf w_j \cdot \mathbf x + b_j)$ and the output
# is $s = \sum_j v_j h_j + c$. By the chain rule, with $\delta = \partial L/\partial s$,
#
# $$\frac{\partial L}{\partial v_j} = \delta\, h_j, \qquad
#   \frac{\partial L}{\partial \mathbf w_j} = \delta\, v_j\,
#   \tanh'(\mathbf w_j\cdot\mathbf x + b_j)\,\mathbf x .$$
#
# If all the $\mathbf w_j$ are equal and all the $v_j$ are equal, these are the **same** for
# every unit $j$, so after the update the units are still equal to each other, and so on
# forever: gradient descent cannot break the tie. With all zeros it is even worse:
# $h_j = \tanh(0) = 0$ makes $\partial L/\partial v_j = 0$, and $v_j = 0$ makes
# $\partial L/\partial \mathbf w_j = 0$. (The output bias would still move, but on this
# balanced data set the zero network already predicts 0.5 for every point, the average
# label, so even its gradient is 0.)

# %%
X_xor, y_xor = make_xor(200, noise=0.25, seed=0)
Xt, yt = ag.tensor(X_xor), ag.tensor(y_xor.astype(np.float32))


def small_net(start):
    net = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    if start != "random":
        for layer in (net[0], net[2]):
            nn.init.constant_(layer.weight, 0.0 if start == "all zeros" else 0.5)
            nn.init.zeros_(layer.bias)
    return net


def train_xor(net, steps=500, lr=0.05):
    opt = optim.Adam(net.parameters(), lr=lr)
    for step in range(steps):
        loss = F.binary_cross_entropy_with_logits(net(Xt).reshape(-1), yt)
        opt.zero_grad()
        loss.backward()
        if step == 0:
            first = (net[0].weight.grad.numpy().copy(), net[2].weight.grad.numpy()[0].copy())
        opt.step()
    with ag.no_grad():
        acc = np.mean((net(Xt).numpy()[:, 0] > 0) == (y_xor == 1))
    return first, loss.item(), acc


runs = {}
for start in ("all zeros", "all equal", "random"):
    ag.manual_seed(0)
    net = small_net(start)
    (gW1, gv), loss, acc = train_xor(net)
    runs[start] = net
    print(f"start {start!r}: after 500 Adam steps, loss {loss:.3f}, accuracy {acc:.0%}")
    print("  first gradient of W1, one row per hidden unit:", np.round(gW1.astype(float), 4).tolist())
    print("  first gradient of v, one entry per hidden unit:", np.round(gv.astype(float), 4).tolist())

# %% [markdown]
# The first gradients are identical from unit to unit for both constant starts (and exactly
# 0 for all zeros); the random start gives each unit its own. Here are the weights after 500
# Adam steps, one row per hidden unit:

# %%
def ink(rgba):
    """Black or white, whichever is easier to read on the colour ``rgba`` (WCAG luminance)."""
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 else "white"


fig, axes = plt.subplots(1, 3, figsize=(10, 3))
for ax, (name, net) in zip(axes, runs.items()):
    W = np.c_[net[0].weight.detach().numpy(), net[0].bias.detach().numpy(),
              net[2].weight.detach().numpy()[0]]
    lim = max(np.abs(W).max(), 1e-3)
    im = ax.imshow(W, cmap="coolwarm", vmin=-lim, vmax=lim)
    for (i, j), v in np.ndenumerate(W):
        ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=9, color=ink(im.to_rgba(v)))
    ax.set(title=f"start: {name}", xticks=range(4), yticks=range(4),
           xticklabels=["$w_{j1}$", "$w_{j2}$", "$b_j$", "$v_j$"],
           yticklabels=[f"unit {j + 1}" for j in range(4)])
    ax.grid(False)
fig.suptitle("Hidden-unit weights after training: constant starts leave all rows identical")
plt.show()

# %% [markdown]
# All zeros has not moved at all. All equal has learned (the weights are far from 0.5), but
# its four rows are still identical: the network has effectively **one** hidden unit. The
# random start has four different units. The decision boundaries show the consequence:

# %%
xx, yy = np.meshgrid(np.linspace(-2.2, 2.2, 100), np.linspace(-2.2, 2.2, 100))
grid = ag.tensor(np.c_[xx.ravel(), yy.ravel()].astype(np.float32))
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
for ax, (name, net) in zip(axes, runs.items()):
    with ag.no_grad():
        p = net(grid).sigmoid().numpy().reshape(xx.shape)
        acc = np.mean((net(Xt).numpy()[:, 0] > 0) == (y_xor == 1))
    ax.contourf(xx, yy, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.55)
    if 0 < p.min() < 0.5 < p.max():
        ax.contour(xx, yy, p, levels=[0.5], colors="k", linewidths=1.2)
    ax.scatter(*X_xor.T, c=np.where(y_xor == 1, "tab:red", "tab:blue"), s=8, edgecolors="k",
               linewidths=0.3)
    ax.set(title=f"start: {name}, accuracy {acc:.0%}", xticks=[], yticks=[])
    ax.grid(False)
fig.suptitle("XOR after 500 steps: only the random start learns")
plt.show()

# %% [markdown]
# A layer of identical units is one unit, and one tanh unit followed by a linear output
# can only draw a straight boundary. The cure is to start every weight at a **different
# random** value. How large those random values should be is the second question.
#
# ## 2. The scale of random weights, in a deep network
#
# A deep network: the 64 pixels of an 8x8 digit (standardised), then **10 hidden layers of
# 128 units**, then 10 class scores.
#
# $$\mathbf z^l = W^l \mathbf a^{l-1} + \mathbf b^l, \qquad \mathbf a^l = \phi(\mathbf z^l),
#   \qquad l = 1, \dots, 10 .$$
#
# **How the size of the signal changes from layer to layer.** With independent zero-mean
# weights of variance $\mathrm{Var}(w)$ and $n_{\text{in}}$ inputs, one unit's pre-activation
# has variance
#
# $$\mathrm{Var}(z^l) = n_{\text{in}}\,\mathrm{Var}(w)\;\mathbb E\big[(a^{l-1})^2\big].$$
#
# * For tanh near 0, $\tanh(z) \approx z$, so $\mathbb E[a^2] \approx \mathrm{Var}(z)$: the
#   variance is multiplied by $n_{\text{in}}\mathrm{Var}(w)$ at every layer. To keep it
#   constant, choose $\mathrm{Var}(w) = 1/n_{\text{in}}$. **Xavier** (Glorot) initialisation
#   uses $\mathrm{Var}(w) = 2/(n_{\text{in}} + n_{\text{out}})$, the same when the layers
#   have equal widths, and a compromise that also keeps gradients steady going backwards.
# * ReLU sets half of its inputs to 0, so $\mathbb E[a^2] = \mathrm{Var}(z)/2$. Keeping the
#   variance constant needs $\mathrm{Var}(w) = 2/n_{\text{in}}$: **He** (Kaiming)
#   initialisation.
# * $\mathcal N(0, 1)$ has $\mathrm{Var}(w) = 1$, far too large: with 128 inputs the variance
#   grows 128-fold per layer (64-fold with ReLU).
# * **PyTorch's default** for `nn.Linear` draws $W$ uniform in
#   $(-1/\sqrt{n_{\text{in}}}, 1/\sqrt{n_{\text{in}}})$, so $\mathrm{Var}(w) =
#   1/(3 n_{\text{in}})$: it shrinks the variance by 3 per tanh layer and by 6 per ReLU
#   layer. (Its biases are random too; the other schemes set biases to 0.)
#
# The same factor applies to the gradients flowing backwards, through $W^\top$: a product
# of ten such factors is what makes gradients vanish or explode. Let us measure it.

# %%
X_digits, y_digits = load_digits()
X_digits = (X_digits - X_digits.mean(axis=0)) / (X_digits.std(axis=0) + 1e-8)
X_digits = X_digits.astype(np.float32)
DEPTH, WIDTH = 10, 128
SCHEMES = {
    "N(0, 1)": lambda w: nn.init.normal_(w, 0.0, 1.0),
    "Xavier": nn.init.xavier_normal_,
    "He": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
    "PyTorch default": None,     # keep what nn.Linear drew
}
ACTS = {"tanh": nn.Tanh, "ReLU": nn.ReLU}
SCHEME_COLORS = dict(zip(SCHEMES, ("tab:red", "tab:blue", "tab:green", "tab:gray")))


def deep_net(act, scheme, seed=0):
    ag.manual_seed(seed)
    layers, n_in = [], 64
    for _ in range(DEPTH):
        layers += [nn.Linear(n_in, WIDTH), act()]
        n_in = WIDTH
    net = nn.Sequential(*layers, nn.Linear(WIDTH, 10))
    init = SCHEMES[scheme]
    if init is not None:
        for layer in net:
            if isinstance(layer, nn.Linear):
                init(layer.weight)
                nn.init.zeros_(layer.bias)
    return net


def forward_and_backward(net, X, y):
    """Activations after every hidden layer, and the gradient norm of every weight matrix."""
    h, acts = ag.tensor(X), []
    for layer in net:
        h = layer(h)
        if not isinstance(layer, nn.Linear):
            acts.append(h.detach().numpy())
    loss = F.cross_entropy(h, ag.tensor(y))
    loss.backward()
    grad_norms = [float(np.linalg.norm(layer.weight.grad.numpy()))
                  for layer in net if isinstance(layer, nn.Linear)]
    return acts, grad_norms, loss.item()


batch_X, batch_y = X_digits[:512], y_digits[:512]
stats = {}
with np.errstate(over="ignore", invalid="ignore"):
    for act_name, act in ACTS.items():
        for scheme in SCHEMES:
            stats[act_name, scheme] = forward_and_backward(deep_net(act, scheme), batch_X, batch_y)

print(f"{'':24s}activation std in layers 1, 2, 3, ..., 10")
for (act_name, scheme), (acts, grads, loss) in stats.items():
    print(f"{act_name:4s} {scheme:16s}:  " + "  ".join(f"{a.std():7.2g}" for a in acts))

# %% [markdown]
# ### Activation histograms, layer by layer
#
# Each panel stacks the histograms of one network's activations, layer 1 at the bottom
# and layer 10 at the top, for the same 512 digits.
#
# For **tanh** the x-axis is the output range $(-1, 1)$. For **ReLU**, whose outputs are
# 0 or positive, the histograms show the positive outputs on a **log scale**,
# $\log_{10} a$, so that values from $10^{-3}$ to $10^{9}$ fit in one picture, and the
# number on the right of each layer is the share of outputs that are exactly 0.

# %%
def ridges(ax, layers, bins, transform=lambda a: a, zero_share=False):
    for l, a in enumerate(layers):
        values = transform(a[a > 0]) if zero_share else transform(a.ravel())
        counts, edges = np.histogram(values, bins=bins)
        height = 0.9 * counts / max(counts.max(), 1)
        centres = (edges[:-1] + edges[1:]) / 2
        ax.fill_between(centres, l + 1, l + 1 + height, color=plt.cm.viridis(l / DEPTH),
                        alpha=0.8, lw=0.5, edgecolor="k")
        if zero_share:
            ax.text(bins[-1], l + 1.25, f"{np.mean(a == 0):.0%}", fontsize=8, ha="right")
    ax.set(yticks=range(1, DEPTH + 1), ylim=(0.8, DEPTH + 1.1))
    ax.grid(False)


fig, axes = plt.subplots(2, 4, figsize=(14, 7.5), sharey=True)
for j, scheme in enumerate(SCHEMES):
    ridges(axes[0, j], stats["tanh", scheme][0], bins=np.linspace(-1, 1, 41))
    axes[0, j].set(title=f"tanh, {scheme}", xlabel="activation")
    ridges(axes[1, j], stats["ReLU", scheme][0], bins=np.linspace(-4, 10, 57),
           transform=np.log10, zero_share=True)
    axes[1, j].set(title=f"ReLU, {scheme}", xlabel="log10(activation), positive outputs")
for i in range(2):
    axes[i, 0].set_ylabel("layer")
fig.suptitle("Activation histograms per layer (layer 1 bottom, layer 10 top), 512 digits")
plt.show()

# %% [markdown]
# What the histograms show:
#
# * **tanh, $\mathcal N(0,1)$**: from layer 1 on, almost every unit is **saturated** at
#   $-1$ or $+1$, where the slope of tanh is nearly 0.
# * **tanh, Xavier** and **He**: the activations keep a healthy spread through all ten
#   layers. Xavier's narrows slowly (its variance is exact only for a linear unit, and
#   tanh is a little below linear away from 0); He's is wider, with more units near $\pm 1$.
# * **tanh, PyTorch default**: each layer narrows the distribution, and by layer 5 almost
#   everything is squeezed near 0, held there only by the random biases.
# * **ReLU, $\mathcal N(0,1)$**: the outputs grow about 8-fold ($\sqrt{64}$) per layer,
#   reaching $10^8$ in layer 10: **exploding** activations.
# * **ReLU, Xavier**: the outputs shrink by $\sqrt 2$ per layer, all the way to layer 10:
#   **vanishing** activations.
# * **ReLU, PyTorch default**: the first layers shrink the outputs faster, by about 2.2 per
#   layer (the variance argument says $\sqrt 6 \approx 2.4$), but from layer 4 or 5 on the
#   spread levels off at about 0.03 (the printed standard deviations above, and the grey
#   curve of the next figure). What is left there is not the input's signal but the
#   **random biases**: each layer adds biases of standard deviation
#   $1/\sqrt{3 \cdot 128} \approx 0.05$, and a layer that shrinks its input by 6 in
#   variance while adding that much bias noise settles where the two balance. The signal
#   from the image has vanished all the same.
# * **ReLU, He**: the same spread in every layer, with about half the outputs at 0.
#
# ### Gradient norms, layer by layer
#
# The size of $\partial L / \partial W^l$ (its Frobenius norm) for the 10 hidden layers
# and the output layer (11), after one backward pass on the same 512 digits. Updates are
# proportional to these, so a flat line means every layer learns at a similar speed.

# %%
fig, axes = plt.subplots(2, 2, figsize=(11, 7))
layers = np.arange(1, DEPTH + 1)
for i, act_name in enumerate(ACTS):
    for scheme in SCHEMES:
        acts, grads, loss = stats[act_name, scheme]
        color = SCHEME_COLORS[scheme]
        axes[i, 0].plot(layers, [a.std() for a in acts], "o-", color=color, label=scheme)
        axes[i, 1].plot(np.arange(1, DEPTH + 2), grads, "o-", color=color, label=scheme)
    axes[i, 0].set(title=f"{act_name}: activation std per layer (forward)", xlabel="layer",
                   ylabel="std of activations", yscale="log")
    axes[i, 1].set(title=f"{act_name}: gradient norm per layer (backward)", xlabel="layer",
                   ylabel="||dL/dW||", yscale="log")
    axes[i, 1].legend(fontsize=8)
fig.suptitle("Forward signal and backward gradient through a 10-layer network, per initialisation")
plt.show()

# %%
print("gradient norm of layer 1 / gradient norm of layer 10:")
for (act_name, scheme), (acts, grads, loss) in stats.items():
    print(f"  {act_name:4s} {scheme:16s} {grads[0] / grads[DEPTH - 1]:10.3g}   "
          f"(layer 1: {grads[0]:.2g}, initial loss {loss:.3g})")

# %% [markdown]
# * **tanh with $\mathcal N(0,1)$**: the gradient **explodes** going backwards, growing 2- to
#   2.5-fold per layer: layer 1's gradient is thousands of times layer 10's. (Each $W^\top$
#   multiplies by about $\sqrt{128} \approx 11$ and the saturated tanh slopes divide by a
#   bit less.) The scores are huge too, and so is the initial loss.
# * **ReLU with $\mathcal N(0,1)$**: everything is $10^9$: the loss itself has exploded.
# * **He** (both activations) and **Xavier with tanh** keep the gradients of all eleven
#   layers within a factor of about 4 of each other.
# * **PyTorch's default** and **ReLU with Xavier** give tiny gradients: the activations
#   that multiply into $\partial L/\partial W^l = \boldsymbol\delta^l (\mathbf a^{l-1})^\top$
#   have **vanished** on the way forward. For the default init with ReLU, the first layers'
#   gradients are about $10^{-4}$.
#
# ## 3. What this does to training
#
# The same eight networks, trained for 150 steps of SGD with momentum (learning rate 0.01,
# mini-batches of 128 digits, the same batches for all).

# %%
def train_digits(net, steps=150, batch=128, lr=0.01, seed=0):
    opt = optim.SGD(net.parameters(), lr=lr, momentum=0.9)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(steps):
        idx = rng.choice(len(X_digits), batch, replace=False)
        loss = F.cross_entropy(net(ag.tensor(X_digits[idx])), ag.tensor(y_digits[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    with ag.no_grad():
        acc = np.mean(net(ag.tensor(X_digits)).numpy().argmax(axis=1) == y_digits)
    return losses, acc


curves = {}
with np.errstate(over="ignore", invalid="ignore"):   # N(0, 1) with ReLU overflows to inf/NaN
    for act_name, act in ACTS.items():
        for scheme in SCHEMES:
            curves[act_name, scheme] = train_digits(deep_net(act, scheme))
            losses, acc = curves[act_name, scheme]
            print(f"{act_name:4s} {scheme:16s} loss {losses[0]:9.3g} -> {losses[-1]:9.3g}, "
                  f"train accuracy {acc:.0%}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for ax, act_name in zip(axes, ACTS):
    for scheme in SCHEMES:
        losses, acc = curves[act_name, scheme]
        ax.plot(losses, color=SCHEME_COLORS[scheme], lw=2 if scheme == "PyTorch default" else 1.2,
                label=scheme)
    # log 10, the loss of a uniform guess, marked on the axis rather than drawn across the
    # plot: a line there would hide the curve that is stuck on it
    ax.annotate("log 10", xy=(1, np.log(10)), xycoords=("axes fraction", "data"), xytext=(4, 0),
                textcoords="offset points", va="center", fontsize=9)
    ax.set(title=f"10-layer {act_name} network on digits", xlabel="SGD step",
           ylabel="cross-entropy loss", yscale="log", ylim=(5e-3, 50))
labels = {"N(0, 1)": f"N(0, 1); with ReLU the loss is {curves['ReLU', 'N(0, 1)'][0][0]:.0e} at step 0, "
                     "then inf and NaN: no curve",
          "PyTorch default": "PyTorch default: stuck at log 10, the loss of a uniform guess"}
handles, names = axes[0].get_legend_handles_labels()
fig.legend(handles, [labels.get(n, n) for n in names], loc="outside lower center", ncol=2,
           fontsize=9)
fig.suptitle("Training a deep network from four initialisations")
plt.show()

# %% [markdown]
# * **He** trains fastest with both activations, and **Xavier** does well with tanh, the
#   pairing it was derived for.
# * With **ReLU and Xavier** the signal halves in variance at each layer; training starts
#   slowly but does get going.
# * **PyTorch's default** leaves this 10-layer network stuck at the uniform guess,
#   $\log 10 \approx 2.30$, for all 150 steps: its gradients are too small for this learning
#   rate. (For the shallow networks it is designed for, it works well; notebook 5 used it.)
# * **$\mathcal N(0,1)$**: with tanh the saturated network learns little; with ReLU the
#   loss is $10^{9}$ at the first step and becomes infinite, then NaN, after it: there is no
#   curve to draw. The two failures look different in the picture on purpose: the stuck
#   network has a flat curve at $\log 10$, the exploded one has none.
#
# ## 4. Small random weights: the network starts out (nearly) linear
#
# Lecture 3 recommends "random values near zero" and gives the reason: if the weights are
# small, every unit's input $z$ is close to 0, and near 0 the sigmoid is almost a straight
# line, its tangent
#
# $$\sigma(z) \approx \tfrac12 + \tfrac z4 .$$
#
# "In other words, when all weights ≈ 0, each neural network node behaves approximately
# LINEARLY. Thus the model starts out nearly linear, and as training moves some weights away
# from 0, the model becomes more nonlinear where needed."
#
# We check it on the two moons (standardised), with a $2 \to 16 \to 1$ network of sigmoid
# hidden units, started twice: weights drawn from $\mathcal N(0, 0.1^2)$ (near zero) and
# from $\mathcal N(0, 3^2)$ (large), biases 0. How linear is a network? Fit the best plane
# $a_1 x_1 + a_2 x_2 + c$ to its output score $s(\mathbf x)$ over the square $[-2.5, 2.5]^2$
# by least squares; the share of the variance of $s$ that the plane explains ($R^2$) is 1
# for a linear network and smaller the more it bends.

# %%
X_moons, y_moons = make_moons(200, noise=0.15, seed=0)
X_moons = ((X_moons - X_moons.mean(axis=0)) / X_moons.std(axis=0)).astype(np.float32)
Xm, ym = ag.tensor(X_moons), ag.tensor(y_moons.astype(np.float32))
gx, gy = np.meshgrid(np.linspace(-2.5, 2.5, 60), np.linspace(-2.5, 2.5, 60))
grid_m = np.c_[gx.ravel(), gy.ravel()].astype(np.float32)
plane = np.c_[grid_m, np.ones(len(grid_m))]
SNAP_STEPS = (0, 200, 500, 1500)


def score_and_linearity(net):
    """The output score on the grid, and the R² of the best plane through it."""
    with ag.no_grad():
        s = net(ag.tensor(grid_m)).numpy()[:, 0].astype(np.float64)
    coef = np.linalg.lstsq(plane, s, rcond=None)[0]
    return s, 1 - (s - plane @ coef).var() / s.var()


def train_moons(scale, steps=1500, lr=0.02):
    ag.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 16), nn.Sigmoid(), nn.Linear(16, 1))
    for layer in (net[0], net[2]):
        nn.init.normal_(layer.weight, 0.0, scale)
        nn.init.zeros_(layer.bias)
    with ag.no_grad():
        z0 = net[0](Xm).numpy().ravel()              # the hidden units' inputs at the start
    opt = optim.Adam(net.parameters(), lr=lr)
    snaps = {}
    for step in range(steps + 1):
        if step in SNAP_STEPS:
            with ag.no_grad():
                acc = np.mean((net(Xm).numpy()[:, 0] > 0) == (y_moons == 1))
            snaps[step] = (*score_and_linearity(net), acc)
        if step == steps:
            break
        loss = F.binary_cross_entropy_with_logits(net(Xm).reshape(-1), ym)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return z0, snaps


starts = {"small: N(0, 0.1²)": train_moons(0.1), "large: N(0, 3²)": train_moons(3.0)}
for name, (z0, snaps) in starts.items():
    print(f"{name:18s} hidden inputs at the start in [{z0.min():+.2f}, {z0.max():+.2f}];  R² of the "
          "best plane: " + ", ".join(f"step {t}: {snaps[t][1]:.4f}" for t in SNAP_STEPS))

# %%
zs = np.linspace(-14, 14, 600)
fig, axes = plt.subplots(1, 2, figsize=(11, 3.4))
for ax, (name, (z0, _)), lim in zip(axes, starts.items(), (0.5, 14)):
    z = zs[np.abs(zs) <= lim]
    ax.plot(z, 1 / (1 + np.exp(-z)), lw=3, alpha=0.5, label=r"$\sigma(z)$")
    ax.plot(z, 0.5 + z / 4, "k--", lw=1, label=r"tangent $\frac{1}{2} + \frac{z}{4}$")
    ax.set(title=f"{name}: the sigmoid where the inputs fall", xlabel="z (hidden unit input)",
           xlim=(-lim, lim), ylim=(-0.6, 1.6) if lim > 1 else (0.36, 0.64))
    ax2 = ax.twinx()
    ax2.hist(z0, bins=40, range=(-lim, lim), color="tab:gray", alpha=0.35)
    ax2.set(ylabel="number of inputs z", yticks=[])
    ax2.grid(False)
    ax.legend(loc="upper left", fontsize=8)
fig.suptitle("Hidden-unit inputs z at the start (grey histogram) on the sigmoid curve")
plt.show()

# %% [markdown]
# With weights near zero every $z$ lies within $\pm 0.5$, where the sigmoid and its tangent
# cannot be told apart; with large weights the inputs spread over the whole curve, flat
# parts included. Now the network's score $s(\mathbf x)$ over the input plane during
# training, with the $R^2$ of the best plane. The colours show the score, each panel on its
# own scale, from its lowest score (blue) to its highest (red): at step 0 the small
# network's scores differ by only a few hundredths, and one common scale would show
# nothing. Black is the decision boundary $s = 0$ where there is one.

# %%
fig, axes = plt.subplots(2, len(SNAP_STEPS), figsize=(14, 6.6), sharex=True, sharey=True)
for row, (name, (_, snaps)) in zip(axes, starts.items()):
    for ax, step in zip(row, SNAP_STEPS):
        s, r2, acc = snaps[step]
        ax.contourf(gx, gy, s.reshape(gx.shape), levels=np.linspace(s.min(), s.max(), 12),
                    cmap="RdBu_r", alpha=0.55)
        if s.min() < 0 < s.max():
            ax.contour(gx, gy, s.reshape(gx.shape), levels=[0], colors="k", linewidths=1.2)
        ax.scatter(*X_moons.T, c=np.where(y_moons == 1, "tab:red", "tab:blue"), s=6)
        ax.set(title=f"step {step}: R² {r2:.3f}, accuracy {acc:.0%}", xticks=[], yticks=[])
        ax.grid(False)
    row[0].set_ylabel(name, fontsize=11)
fig.suptitle("Small weights start as a linear model and bend where the data need it; "
             "large weights start bent at random")
plt.show()

# %% [markdown]
# * **Small weights** (top): at step 0 the best plane explains the score almost perfectly
#   ($R^2 \approx 1$); the score changes in straight parallel bands, exactly like the
#   score of logistic regression (its boundary, not drawn, is a straight line too). The first few hundred steps train it
#   *as* logistic regression (a straight boundary, about 85 % right), and only then do the
#   weights grow enough for the boundary to bend around the moons.
# * **Large weights** (bottom): the network is strongly non-linear before it has seen any
#   data ($R^2$ well below 1), with wiggles that have nothing to do with the moons, and
#   training has to undo them. (On this small problem it does so quickly; in a deep
#   network, section 2 showed what large weights do: saturated units and exploding signals.)
#
# Lecture 3 adds that weights *exactly* zero are a trap (the gradients vanish, section 1 of
# this notebook), and that standardised inputs make "near zero" easy to choose: with inputs
# of size about 1, weights of size 0.1 give $|z|$ of a few tenths. (Notebook 7 shows what
# standardising the inputs does to gradient descent.)
#
# ## 5. Different starts, different minima
#
# Lecture 1, on initialisation: "For convex problems (e.g. logistic regression),
# initialization doesn't matter much for final result ... For neural networks,
# initialization matters a lot! Optimization problem is non-convex. Where you start
# determines what parameters you learn." Lecture 4 says the same of backpropagation: it
# "will find a local, not necessarily global error minimum" and "can be invoked multiple
# times with different initial weights".
#
# The smallest network that can solve XOR, $2 \to 2 \to 1$ with tanh, trained with the same
# data, optimizer and number of steps from ten random starts (seeds 0 to 9):

# %%
def train_xor_seed(seed, steps=400):
    ag.manual_seed(seed)
    net = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
    opt = optim.Adam(net.parameters(), lr=0.03)
    for _ in range(steps):
        loss = F.binary_cross_entropy_with_logits(net(Xt).reshape(-1), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with ag.no_grad():
        acc = np.mean((net(Xt).numpy()[:, 0] > 0) == (y_xor == 1))
    return net, loss.item(), acc


seed_runs = {seed: train_xor_seed(seed) for seed in range(10)}
for seed, (net, loss, acc) in seed_runs.items():
    print(f"seed {seed}: final loss {loss:.4f}, accuracy {acc:.0%}")

# %% [markdown]
# Two kinds of ending: a loss near 0.01 with every point right, or a loss near 0.35 with
# about 70 % right. Is the second one just slow? Take one network of each kind and walk in
# a straight line through weight space from the stuck network's weights ($t = 0$) to the
# solved network's weights ($t = 1$), computing the loss on the way:

# %%
good_seed = min(seed_runs, key=lambda k: seed_runs[k][1])
stuck_seed = max(seed_runs, key=lambda k: seed_runs[k][1])
good_w = [p.detach().numpy().copy() for p in seed_runs[good_seed][0].parameters()]
stuck_w = [p.detach().numpy().copy() for p in seed_runs[stuck_seed][0].parameters()]
probe = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))   # holds the weights on the path
ts = np.linspace(-0.2, 1.2, 57)
path_loss = []
with ag.no_grad():
    for t in ts:
        for p, a, b in zip(probe.parameters(), stuck_w, good_w):
            p.copy_(ag.tensor((1 - t) * a + t * b))
        path_loss.append(F.binary_cross_entropy_with_logits(probe(Xt).reshape(-1), yt).item())
path_loss = np.array(path_loss)
print(f"loss at the stuck network {path_loss[ts.searchsorted(0)]:.3f}, highest on the way "
      f"{path_loss[(ts > 0) & (ts < 1)].max():.3f}, at the solved network {path_loss[np.abs(ts - 1).argmin()]:.3f}")

# %%
fig, axes = plt.subplots(1, 4, figsize=(15, 3.6))
ax = axes[0]
for seed, (net, loss, acc) in seed_runs.items():
    ax.plot(seed, loss, "o", color="tab:green" if loss < 0.1 else "tab:red", ms=7)
ax.set(title="Final loss from 10 random starts", xlabel="seed", ylabel="BCE loss after 400 steps",
       yscale="log", xticks=range(10))
for ax, seed in zip(axes[1:3], (good_seed, stuck_seed)):
    net, loss, acc = seed_runs[seed]
    with ag.no_grad():
        p = net(grid).sigmoid().numpy().reshape(xx.shape)
    ax.contourf(xx, yy, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.55)
    ax.contour(xx, yy, p, levels=[0.5], colors="k", linewidths=1.2)
    ax.scatter(*X_xor.T, c=np.where(y_xor == 1, "tab:red", "tab:blue"), s=8, edgecolors="k",
               linewidths=0.3)
    ax.set(title=f"seed {seed}: loss {loss:.3f}, accuracy {acc:.0%}", xticks=[], yticks=[])
    ax.grid(False)
ax = axes[3]
ax.plot(ts, path_loss, color="k")
ax.plot([0, 1], [path_loss[ts.searchsorted(0)], path_loss[np.abs(ts - 1).argmin()]], "o",
        color="tab:red", ms=7)
ax.plot([1], [path_loss[np.abs(ts - 1).argmin()]], "o", color="tab:green", ms=7)
ax.set(title="Loss on the straight path between them", xlabel=f"t (0: seed {stuck_seed}, 1: seed {good_seed})",
       ylabel="BCE loss", yscale="log")
fig.suptitle("The same network, data and optimizer: where it starts decides which minimum it finds")
plt.show()

# %% [markdown]
# * About a third of the starts end in the **local minimum** (red): the boundary separates
#   three of the four clusters and gives up on the fourth. Training longer does not help:
#   after thousands more steps its loss stays at about 0.35 and its gradient is almost 0.
# * The straight path from the stuck weights to the solved ones first goes **uphill** (a
#   ridge of loss about 0.7 between them) and only then
#   down: gradient descent, which only ever goes downhill from where it is, cannot cross it.
# * Wider networks have fewer such traps (with 8 hidden units instead of 2, every one of
#   these seeds solves XOR): one reason why networks larger than "just enough" are easier to
#   train. Restarting from several random seeds and keeping the best, as lecture 4
#   suggests, is the other cure.
#
# ## What we saw
#
# * **Break the symmetry**: constant (e.g. zero) weights give identical hidden units, which
#   receive identical gradients and stay identical. Random initialisation fixes it.
# * **Keep the scale**: each layer multiplies the size of the signal, forward and
#   backward, by about $\sqrt{n_{\text{in}} \mathrm{Var}(w) \cdot g}$ with $g = 1$ for tanh and
#   $1/2$ for ReLU. Over ten layers a factor of 8 becomes $10^{9}$: exploding activations.
#   A factor of $1/\sqrt 6$ would become $10^{-4}$; the activations stop falling at the
#   level of the random biases, but the signal of the input is gone and the first layer's
#   gradient is indeed about $10^{-4}$: vanishing gradients.
# * $\mathrm{Var}(w) = 1/n_{\text{in}}$ (Xavier) suits tanh, $2/n_{\text{in}}$ (He) suits ReLU.
#   `nn.init.xavier_normal_` and `nn.init.kaiming_normal_` set them.
# * **Small weights start nearly linear**: near zero every unit works on the straight part
#   of its activation, so the network begins as a linear model and bends only where
#   training needs it to.
# * **The loss is not convex**: the same network from different starts can end in
#   different minima, separated by ridges that gradient descent cannot cross.
#
# **Next:** notebook 7 turns from the starting point to the steps: full-batch, stochastic and
# mini-batch gradient descent, learning rates, momentum and Adam.
