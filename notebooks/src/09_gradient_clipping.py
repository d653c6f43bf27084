# %% [markdown]
# # 9. Gradient clipping: surviving a cliff in the loss landscape
#
# Gradient descent takes a step of length $\eta\,\lVert\nabla L\rVert$: a step proportional
# to the gradient. That is sensible on gentle slopes and disastrous on a **cliff**, a narrow
# region where the loss changes abruptly and the gradient is enormous. One step there can
# throw the parameters far away and undo all the progress made so far.
#
# Cliffs are not exotic. The gradient of a deep or recurrent network is a product of many
# layer-by-layer factors (the chain rule), and a product of many numbers a little larger
# than one explodes: these are the *exploding gradients*. The standard remedy is to
# **clip** the gradient before each step, in one of two ways:
#
# * **by value**: clip every component into $[-c, c]$;
# * **by norm**: if $\lVert g\rVert > c$, rescale the whole vector to length $c$.
#
# With two parameters we can draw the whole story:
#
# 1. a loss landscape with a cliff;
# 2. plain gradient descent jumping off it;
# 3. what the two kinds of clipping do to one gradient (one keeps its direction, one does not);
# 4. the three trajectories on a contour plot;
# 5. where such cliffs come from: a one-neuron recurrent network.

# %%
import numpy as np
import matplotlib.pyplot as plt

import autograd_core as ag
from autograd_core import nn
from autograd_core import optim

plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (5, 3.5), "axes.grid": True,
                     "grid.alpha": 0.3,
                     "figure.constrained_layout.use": True})  # laid out: nothing sticks out of a figure

# %% [markdown]
# ## 1. A loss landscape with a cliff
#
# Our "model" has two parameters, $w = (w_1, w_2)$. Its loss is a gentle quadratic bowl
# plus a **wall**: a sigmoid step of height 10 that rises within about 0.2 units. The wall
# is tilted at 20° to the $w_2$ axis; measure positions across it with
# $u = w_1\cos 20° + w_2 \sin 20°$ and along it with $v = -w_1 \sin 20° + w_2\cos 20°$:
#
# $$L(w) = \tfrac12 \cdot 0.5\,(u - 2.5)^2 + \tfrac12 \cdot 0.3\, v^2
#          + 10\,\sigma\big(15\,(u - 1)\big).$$
#
# The bowl alone would have its minimum at $u = 2.5$, behind the wall, so the lowest
# point of $L$ is at the **foot of the wall**, where the slope of the bowl and the slope
# of the wall balance. That is the situation of the picture in Goodfellow, Bengio and
# Courville's *Deep Learning* (Fig. 10.17): the solution sits right next to a cliff.
#
# We write $L$ with `autograd_core` operations, so the same function evaluates a whole
# grid of points (for the pictures) and builds a graph for `backward()` (for the
# gradients).

# %%
ANGLE = np.deg2rad(20)
COS, SIN = float(np.cos(ANGLE)), float(np.sin(ANGLE))
WALL_AT, HEIGHT, STEEPNESS = 1.0, 10.0, 15.0


def loss_fn(w1, w2):
    u = w1 * COS + w2 * SIN      # across the wall
    v = -w1 * SIN + w2 * COS     # along the wall
    bowl = 0.5 * 0.5 * (u - 2.5) ** 2 + 0.5 * 0.3 * v ** 2
    wall = HEIGHT * (STEEPNESS * (u - WALL_AT)).sigmoid()
    return bowl + wall


lim = 4.0
g1, g2 = np.meshgrid(np.linspace(-lim, lim, 241), np.linspace(-lim, lim, 241))
with ag.no_grad():
    Z = loss_fn(ag.tensor(g1), ag.tensor(g2)).numpy()
i_min = np.argmin(Z)
w_best = np.array([g1.ravel()[i_min], g2.ravel()[i_min]])
print(f"lowest point on the grid: w = {w_best.round(2)}, L = {Z.min():.3f}")

# %%
def draw_landscape(ax, title):
    ax.contourf(g1, g2, np.log(Z - Z.min() + 0.1), levels=30, cmap="viridis")
    ax.contour(g1, g2, Z, levels=[Z.min() + 0.1, 1.5, 3, 6, 9, 12], colors="w",
               linewidths=0.5, alpha=0.6)
    ax.plot(*w_best, "*", color="gold", ms=14, mec="k", label="minimum")
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), xlabel="$w_1$", ylabel="$w_2$", title=title)
    ax.set_aspect("equal")
    ax.grid(False)


fig = plt.figure(figsize=(11, 4.6))
ax3d = fig.add_subplot(1, 2, 1, projection="3d")
ax3d.plot_surface(g1, g2, Z, cmap="viridis", rstride=4, cstride=4, linewidth=0,
                  antialiased=False)
ax3d.view_init(elev=35, azim=-120)
ax3d.set(xlabel="$w_1$", ylabel="$w_2$", title="The loss surface: a bowl cut by a cliff",
         xticks=[-4, -2, 0, 2, 4], yticks=[-4, -2, 0, 2, 4])
ax3d.set_zlabel("loss", labelpad=10)     # clear of the tick labels
ax2 = fig.add_subplot(1, 2, 2)
draw_landscape(ax2, "Seen from above (colour: log of the loss)")
ax2.legend(loc="lower left", fontsize=8)
plt.show()

# %% [markdown]
# How steep is the wall? Walk along a line straight across it (through the minimum, along
# the direction $n = (\cos 20°, \sin 20°)$) and look at the loss and at the size of its
# gradient. `backward()` on the *sum* of the losses at 400 points gives every point's own
# gradient at once, because each loss depends only on its own point.

# %%
s = np.linspace(-3, 2, 400)
line = w_best[None, :] + s[:, None] * np.array([COS, SIN])[None, :]
W = ag.tensor(line, requires_grad=True)
L_line = loss_fn(W[:, 0], W[:, 1])
L_line.sum().backward()
grad_norm = np.linalg.norm(W.grad.numpy(), axis=1)
print(f"largest gradient on the line: {grad_norm.max():.1f} (on the wall face); "
      f"at the start of the line: {grad_norm[0]:.2f}")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.2))
ax1.plot(s, L_line.detach().numpy())
ax1.set(title="Loss along a line across the wall", xlabel="distance along $n$ from the minimum",
        ylabel="loss")
ax2.semilogy(s, grad_norm, color="tab:red")
ax2.set(title="Gradient norm along the same line", xlabel="distance along $n$ from the minimum",
        ylabel=r"$\|\nabla L\|$ (log scale)")
plt.show()

# %% [markdown]
# Everywhere but on the wall the gradient is around 1; on the face of the wall it is about
# 40 times larger. Gradient descent with a learning rate that suits the bowl will take a
# step 40 times too long there.
#
# ## 2. Plain gradient descent jumps off the cliff
#
# Start at $w = (-3, 2)$, on the gentle side, and run 50 steps of plain gradient descent
# with learning rate $\eta = 0.5$ (`optim.SGD` on a two-element parameter tensor). The
# function `descend` below takes an optional `clip` so the same loop serves all three
# experiments; the clipping goes between `backward()` and `step()`, where it can change
# the gradient the optimiser is about to use.

# %%
START, LR, STEPS, THRESHOLD = (-3.0, 2.0), 0.5, 50, 2.0


def descend(clip=None, c=THRESHOLD, lr=LR, steps=STEPS):
    w = ag.tensor(START, requires_grad=True)
    opt = optim.SGD([w], lr=lr)
    path, losses, raw, used = [w.detach().numpy().copy()], [], [], []
    for _ in range(steps):
        loss = loss_fn(w[0], w[1])
        opt.zero_grad()
        loss.backward()
        raw.append(w.grad.numpy().copy())          # the gradient backward() computed
        if clip == "value":
            nn.utils.clip_grad_value_([w], clip_value=c)
        elif clip == "norm":
            nn.utils.clip_grad_norm_([w], max_norm=c)
        used.append(w.grad.numpy().copy())         # the gradient the step will use
        opt.step()
        path.append(w.detach().numpy().copy())
        losses.append(loss.item())
    return {"path": np.array(path), "loss": np.array(losses), "raw": np.array(raw),
            "used": np.array(used)}


plain = descend()  # no clipping
steps_taken = np.linalg.norm(np.diff(plain["path"], axis=0), axis=1)
k = int(np.argmax(steps_taken))
print(f"step {k}: gradient {plain['raw'][k].round(1)} (norm {np.linalg.norm(plain['raw'][k]):.1f}),"
      f" so the step has length {steps_taken[k]:.1f}")
print(f"  it moves w from {plain['path'][k].round(2)} to {plain['path'][k + 1].round(2)}")
print(f"after {STEPS} steps: w = {plain['path'][-1].round(2)}, loss {plain['loss'][-1]:.3f} "
      f"(minimum {Z.min():.3f})")

# %%
def draw_path(ax, run, color, title):
    draw_landscape(ax, title)
    p = run["path"]
    ax.plot(p[:, 0], p[:, 1], "-", color=color, lw=1, alpha=0.9)
    ax.plot(p[:, 0], p[:, 1], "o", color=color, ms=2.5)
    ax.plot(*p[0], "s", color="w", mec="k", ms=7, label="start")
    # steps that leave the picture: an arrow to the edge, and where they landed
    for a, b in zip(p[:-1], p[1:]):
        if np.abs(b).max() > lim and np.abs(a).max() <= lim:
            t = min(1.0, *((lim * np.sign(b - a) - a) / (b - a + 1e-12)))
            edge = a + 0.97 * t * (b - a)
            ax.annotate("", xy=edge, xytext=a,
                        arrowprops={"arrowstyle": "->", "color": color, "lw": 1.5})
    outside = np.abs(p).max(axis=1) > lim
    if outside.any():
        far = p[np.argmax(np.abs(p).max(axis=1))]
        ax.text(-3.8, -3.7, f"{outside.sum()} iterates off the plot,\nas far as "
                f"({far[0]:.0f}, {far[1]:.0f})", color="w", fontsize=8)


fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
draw_path(ax1, plain, "red", "Plain gradient descent (lr 0.5)")
ax1.legend(loc="upper right", fontsize=8)
ax2.plot(plain["loss"], "o-", color="red", ms=3)
ax2.axhline(Z.min(), color="gold", ls="--", lw=1, label="minimum")
ax2.set(title="Its loss at each step", xlabel="step", ylabel="loss", yscale="log")
ax2.legend(fontsize=8)
plt.show()

# %% [markdown]
# Descent approaches the wall sensibly, reaches its foot, and as soon as an iterate lands on
# the face it receives a huge gradient that **catapults** it far back down the bowl. It
# walks back, touches the wall again, is thrown again. The loss curve shows the spikes:
# each one undoes all the progress made since the last. A smaller learning rate would help on the
# wall and crawl everywhere else; what we want is a small step *only* where the gradient
# is huge.
#
# ## 3. Clipping one gradient, by value and by norm
#
# Take the gradient at a point on the face of the wall and clip it both ways with
# `nn.utils`, the functions a training loop calls between `backward()` and `step()`:
#
# * `clip_grad_value_(params, clip_value=c)`: every component clipped into $[-c, c]$;
# * `clip_grad_norm_(params, max_norm=c)`: if $\lVert g\rVert > c$, then
#   $g \leftarrow g \cdot c / \lVert g\rVert$; it returns the norm before clipping.

# %%
def angle(g):
    return np.degrees(np.arctan2(g[1], g[0]))


on_face = w_best + 0.25 * np.array([COS, SIN])   # a little way up the wall
w = ag.tensor(on_face, requires_grad=True)
loss_fn(w[0], w[1]).backward()
g_raw = w.grad.numpy().copy()

nn.utils.clip_grad_value_([w], clip_value=THRESHOLD)
g_value = w.grad.numpy().copy()

w.grad = ag.tensor(g_raw)
norm_before = nn.utils.clip_grad_norm_([w], max_norm=THRESHOLD)
g_norm = w.grad.numpy().copy()

print(f"clip_grad_norm_ returned the norm before clipping: {norm_before.item():.2f}")
for name, g in (("raw gradient", g_raw), ("clipped by value", g_value), ("clipped by norm", g_norm)):
    print(f"{name:>17}: g = ({g[0]:7.3f}, {g[1]:7.3f})   |g| = {np.linalg.norm(g):6.2f}   "
          f"direction {angle(g):5.1f} degrees")

# %%
fig, ax = plt.subplots(figsize=(7.8, 4.5))
c = THRESHOLD
ax.add_patch(plt.Rectangle((-c, -c), 2 * c, 2 * c, fill=False, ls="--", color="tab:orange",
                           label=f"box $|g_i| \\leq {c:g}$ (clip by value)"))
ax.add_patch(plt.Circle((0, 0), c, fill=False, ls="--", color="tab:green",
                        label=f"circle $\\|g\\| \\leq {c:g}$ (clip by norm)"))
unit = g_raw / np.linalg.norm(g_raw)
ax.plot([0, 3.4 * unit[0]], [0, 3.4 * unit[1]], ":", color="k", lw=1)
ax.annotate(f"raw gradient,\nlength {np.linalg.norm(g_raw):.0f}: it goes\nfar off the plot",
            xy=3.4 * unit, xytext=(2.35, -1.1), fontsize=8, arrowprops={"arrowstyle": "->"})
for g, color, name, where in ((g_value, "tab:orange", "by value", (0.2, 2.2)),
                              (g_norm, "tab:green", "by norm", (2.15, 0.2))):
    ax.annotate("", xy=g, xytext=(0, 0), arrowprops={"arrowstyle": "-|>", "color": color, "lw": 2})
    ax.text(*where, f"{name}: {angle(g):.0f}°", color=color, fontsize=9)
ax.set(xlim=(-2.5, 4.5), ylim=(-2.5, 3), xlabel="$g_1$", ylabel="$g_2$",
       title="Clipping by value changes the direction;\nclipping by norm keeps it")
ax.set_aspect("equal")
ax.legend(loc="lower left", bbox_to_anchor=(1.02, 0), fontsize=8)   # beside: inside it covers the box
plt.show()

# %% [markdown]
# Clipping by value projects the gradient onto a box. Both components of this gradient are
# larger than $c$, so both are cut to $c$ and the result points at 45°, whatever the
# direction of the original: only the *signs* survive. Clipping by norm shrinks the
# vector onto a circle and keeps its direction: it still points straight up the wall,
# the steepest direction, and only its length is limited.
#
# ## 4. Clipped gradient descent
#
# Now the same descent, same start, same learning rate, with each gradient clipped at
# $c = 2$ before the step:

# %%
runs = {"no clipping": (plain, "red"),
        "clip by value": (descend(clip="value"), "darkorange"),
        "clip by norm": (descend(clip="norm"), "magenta")}
for name, (run, _) in runs.items():
    p = run["path"]
    dist = np.linalg.norm(p - w_best, axis=1)
    print(f"{name:>13}: longest step {np.linalg.norm(np.diff(p, axis=0), axis=1).max():5.2f}, "
          f"farthest from the minimum {dist.max():4.1f}, "
          f"average distance from it over the last 20 steps {dist[-20:].mean():.2f}")

fig, axes = plt.subplots(1, 3, figsize=(13, 4.3))
for ax, (name, (run, color)) in zip(axes, runs.items()):
    draw_path(ax, run, color, name)
axes[0].legend(loc="upper right", fontsize=8)
fig.suptitle(f"50 steps of gradient descent (lr {LR}) from the same start; clipping threshold {THRESHOLD:g}")
plt.show()

# %% [markdown]
# Both clipped runs survive the cliff: on the wall face a norm-clipped step is at most
# $\eta c = 1$ long instead of 16, so an iterate that climbs the wall is pushed back a
# short way and tries again. Neither settles exactly: a learning rate of 0.5 is far too
# large for the curvature of the wall, so the iterates keep bouncing at its foot (a
# decaying learning rate would let them settle). Clipping prevents the disaster; it does
# not make a learning rate right.
#
# The two differ in the direction of their steps. Norm clipping steps straight back down
# the steepest direction of the wall, as the gradient says, only shorter, and bounces
# within about half a unit of the minimum. Value clipping steps at 45° instead of 20°
# each time it clips both components: each such step has a component **along** the wall
# that the gradient never asked for, and in this run the iterates slide down the wall,
# away from the minimum. (With other thresholds and learning rates the two can end up
# equally close; the turned steps are the systematic difference.) The angle between the
# step and the true gradient shows it:

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.4))
for name, (run, color) in runs.items():
    ax1.plot(run["loss"], "o-", color=color, ms=2.5, lw=1, label=name)
ax1.axhline(Z.min(), color="gold", ls="--", lw=1, label="minimum")
ax1.set(title="Loss at each step", xlabel="step", ylabel="loss", yscale="log")
ax1.legend(fontsize=8)
for name in ("clip by value", "clip by norm"):
    run, color = runs[name]
    r, u = run["raw"], run["used"]
    cos = (r * u).sum(1) / (np.linalg.norm(r, axis=1) * np.linalg.norm(u, axis=1))
    ax2.plot(np.degrees(np.arccos(np.clip(cos, -1, 1))), "o-", color=color, ms=3, lw=1,
             label=name)
ax2.set(title="Angle between the step and the gradient", xlabel="step", ylabel="degrees",
        ylim=(-2, 42))                      # room above the zig-zag for the legend
ax2.legend(fontsize=8, loc="upper center", ncol=2)
plt.show()

# %% [markdown]
# Norm clipping never turns the step (0° throughout). Value clipping turns it whenever it
# clips (by up to 27° here), and in many dimensions, where only a few components are
# large, it can turn it much more. In practice clipping by value still works reasonably well, but clipping by
# norm is the usual choice (`clip_grad_norm_` is what most training scripts call).
#
# Clipping is a safety net, not a cure: it limits the damage of one bad step and leaves
# every ordinary step (gradient below the threshold) untouched. A good threshold is a
# little above the gradient norms seen in normal training; `clip_grad_norm_` returns the
# norm before clipping, so logging it shows both what is normal and when it explodes.
#
# ## 5. Where cliffs come from: a one-neuron recurrent network
#
# Our wall was put in by hand. Recurrent networks make their own. Pascanu, Mikolov and
# Bengio (2013) use the smallest possible example: one neuron applied 50 times,
#
# $$x_t = w\,\sigma(x_{t-1}) + b, \qquad x_0 = 0.5, \qquad L(w, b) = (x_{50} - 0.7)^2 .$$
#
# By the chain rule, $\partial x_{50} / \partial w$ is a sum of products of up to 50
# factors $w\,\sigma'(x_{t-1})$. Where those factors exceed 1 the products explode. Worse,
# for some $(w, b)$ the map $x \mapsto w\sigma(x) + b$ has two stable fixed points, and a
# tiny change of $(w, b)$ decides which one $x_{50}$ ends up near: the loss jumps, a cliff.
#
# We evaluate $L$ on a grid of $(w, b)$ values all at once: the grid is a tensor and the
# 50 steps are 50 tensor operations. Then we walk along the line $b = -3$ (dashed) and
# take the gradient $\partial L/\partial w$ at every point of it with one `backward()` of
# the summed loss.

# %%
def rnn_loss(w, b, steps=50):
    x = ag.full_like(w, 0.5)
    for _ in range(steps):
        x = w * x.sigmoid() + b
    return (x - 0.7) ** 2


ws, bs = np.meshgrid(np.linspace(-2, 10, 241), np.linspace(-8, 2, 201))
with ag.no_grad():
    L_grid = rnn_loss(ag.tensor(ws, dtype=ag.float64), ag.tensor(bs, dtype=ag.float64)).numpy()

B_LINE = -3.0


def loss_and_slope(w_values):
    """L(w, b=-3) and dL/dw at each of the given w values."""
    w = ag.tensor(w_values, dtype=ag.float64, requires_grad=True)
    L = rnn_loss(w, ag.full_like(w, B_LINE))
    L.sum().backward()
    return L.detach().numpy(), w.grad.numpy()


w_coarse = np.linspace(4, 7, 3001)              # spacing 0.001
L_coarse, dL_coarse = loss_and_slope(w_coarse)
i = int(np.argmax(np.abs(np.diff(L_coarse))))  # the jump lies between w_coarse[i] and [i + 1]
w_fine = np.linspace(w_coarse[i], w_coarse[i + 1], 4001)    # spacing 0.00000025
L_fine, dL_fine = loss_and_slope(w_fine)
print(f"along b = {B_LINE:g}: the loss drops from {L_coarse[i]:.1f} to {L_coarse[i + 1]:.1f} "
      f"between w = {w_coarse[i]:.3f} and w = {w_coarse[i + 1]:.3f}")
print(f"largest |dL/dw| seen with spacing 0.001:      {np.abs(dL_coarse).max():12,.0f}")
print(f"largest |dL/dw| seen with spacing 0.00000025: {np.abs(dL_fine).max():12,.0f}")

fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
cs = axes[0].contourf(ws, bs, np.log10(L_grid + 1e-3), levels=30, cmap="viridis")
fig.colorbar(cs, ax=axes[0], label="log10(loss)")
axes[0].axhline(B_LINE, color="w", ls="--", lw=1)
axes[0].set(title="Loss of a one-neuron RNN after 50 steps", xlabel="$w$", ylabel="$b$")
axes[0].grid(False)
axes[1].plot(w_coarse, L_coarse)
axes[1].set(title=f"Loss along b = {B_LINE:g}: a cliff", xlabel="$w$", ylabel="loss")
axes[2].semilogy(w_fine, np.abs(dL_fine) + 1e-3, color="tab:red")
axes[2].set(title="|dL/dw| zoomed in 3000x, onto the cliff", xlabel="$w$",
            ylabel="|dL/dw| (log scale)")
axes[2].ticklabel_format(axis="x", useOffset=False)
axes[2].tick_params(axis="x", labelrotation=20, labelsize=8)
plt.show()

# %% [markdown]
# The loss is smooth almost everywhere, with a valley of good solutions (dark, top left),
# but along a line running down to the right it jumps: on the slice $b = -3$ it drops
# from 11 to 1.4 between two samples 0.001 apart. Zoomed in, the drop happens in a band
# a few hundred-thousandths wide where the gradient reaches millions; at the coarse
# spacing the samples step right over that band, and the largest slope they see is 12. A gradient step that lands in it would
# throw the parameters absurdly far. Clipping by norm turns that step into an ordinary
# one:

# %%
w_cliff = float(w_fine[np.argmax(np.abs(dL_fine))])
for clip in (None, "norm"):
    p = ag.tensor([w_cliff, B_LINE], dtype=ag.float64, requires_grad=True)
    rnn_loss(p[0], p[1]).backward()
    if clip == "norm":
        nn.utils.clip_grad_norm_([p], max_norm=1.0)
    step = 0.1 * np.linalg.norm(p.grad.numpy())
    print(f"{'clipped by norm (max 1)' if clip else 'no clipping':>23}: a step of lr 0.1 "
          f"moves the parameters by {step:,.1f}")

# %% [markdown]
# This is why recurrent networks (and deep networks generally) are trained with
# `clip_grad_norm_`.
#
# ## What we saw
#
# * Where the loss has a cliff, the gradient is huge on a thin region, and one plain
#   gradient step can throw the parameters far away.
# * Clipping limits the step only when the gradient is too large; ordinary steps are
#   untouched. In a training loop it goes between `loss.backward()` and `opt.step()`:
#
#   ```python
#   loss.backward()
#   nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
#   opt.step()
#   ```
# * **By value** (`clip_grad_value_`) clips each component and can turn the direction of
#   the step; **by norm** (`clip_grad_norm_`) rescales the whole gradient and keeps its
#   direction.
# * Deep and recurrent networks create cliffs themselves, because their gradients are
#   long products of factors (notebook 6 showed the same products exploding and vanishing
#   layer by layer).
#
# **Next:** notebook 10 compares loss functions and fits the networks of the lectures to
# the motorcycle and Iris data.
