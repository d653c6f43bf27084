# %% [markdown]
# # 4. Tensors, broadcasting, and backpropagation layer by layer
#
# Notebooks 2 and 3 worked with scalar `Value`s: one graph node per number. Real networks
# work with **tensors**: a node holds a whole array, and one matrix product replaces
# thousands of scalar multiplications. Two things are new:
#
# 1. **Broadcasting.** Arrays of different shapes combine, for example a bias *row* added to
#    every row of a matrix. In the backward pass, the gradient of the stretched operand must
#    be **summed** back to its shape. We see why, and check it with `ag.gradcheck`.
# 2. **Backprop in matrix form.** For a layered network the chain rule becomes a short
#    recurrence,
#    $$\delta^l = \big((W^{l+1})^\top \delta^{l+1}\big) \odot \sigma'(z^l), \qquad
#      \nabla_{W^l} L = \delta^l\,(a^{l-1})^\top .$$
#    We compute it by hand with NumPy and check it against the engine.
#
# `autograd_core`'s `Tensor` has PyTorch's API: `ag.tensor`, `requires_grad=True`,
# `.backward()`, `.grad`.

# %%
import numpy as np
import matplotlib.pyplot as plt

import autograd_core as ag
from autograd_core.autograd.engine import toposort

plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (5, 3.5),
                     "figure.constrained_layout.use": True})  # laid out: nothing sticks out of a figure
np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)


def leaf(array):
    """A float64 tensor that wants a gradient (float64 so finite differences are accurate)."""
    return ag.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def ink(rgba):
    """Black or white, whichever is easier to read on the colour ``rgba`` (WCAG luminance)."""
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 else "white"


def annotated(ax, m, title, cmap="coolwarm", fmt="{:.2f}"):
    """Show a matrix as coloured cells with its numbers written in."""
    m = np.atleast_2d(m)
    lim = max(np.abs(m).max(), 1e-12)
    im = ax.imshow(m, cmap=cmap, vmin=-lim, vmax=lim)
    for (i, j), v in np.ndenumerate(m):
        text = fmt.format(v)
        if float(text) == 0:
            text = fmt.format(0.0)  # no "-0.000"
        ax.text(j, i, text, ha="center", va="center", fontsize=9, color=ink(im.to_rgba(v)))
    ax.set(title=title, xticks=[], yticks=[])

# %% [markdown]
# ## 1. One node per array
#
# With a tensor, $L = \sum_{ij} X_{ij}^2$ over a $2\times 3$ matrix is a graph of three nodes
# (the leaf $X$, the product, the sum), where scalar `Value`s would need 17 (6 leaves, 6
# products, 5 additions). The gradient has the shape of $X$:
# $\partial L/\partial X_{ij} = 2 X_{ij}$.

# %%
X = leaf([[1, 2, 3], [4, 5, 6]])
L = (X * X).sum()
L.backward()
print("L =", L.item(), "  made by", L.grad_fn)
# the graph's nodes are ops (grad_fn) and leaves; next_functions lead from an op to its inputs
graph = toposort([L.grad_fn], lambda n: [m for m, _ in n.next_functions if m is not None]
                 if n is not X else [])   # same sort as notebook 3
print("nodes in the graph:", len(graph), ["leaf X" if n is X else type(n).__name__ for n in graph])
print("dL/dX =\n", X.grad.numpy())

# %% [markdown]
# ## 2. Broadcasting: a bias row added to every row
#
# A layer applied to a batch computes $Y = X W^\top + b$: $X$ has one row per example, and
# the **same** bias row $b$ is added to every row. NumPy, PyTorch and `autograd_core` do this
# by **broadcasting**: shapes are compared from the right, and a dimension of size 1 (or a
# missing one) is stretched to match. A $(4, 3)$ matrix plus a $(3,)$ vector: $b$ is
# treated as $(1, 3)$ and copied into each of the 4 rows.
#
# Let $L = \sum_{ij} G_{ij} Y_{ij}$ for a fixed random matrix $G$. Then
# $\partial L / \partial Y = G$: $G$ plays the part of whatever gradient arrives from the
# rest of the network.

# %%
X = leaf(rng.normal(size=(4, 3)))
b = leaf([0.5, -1.0, 2.0])
G = rng.normal(size=(4, 3)).round(1)

Y = X + b                  # (4, 3) + (3,) -> (4, 3)
Y.retain_grad()            # keep dL/dY, an intermediate, to look at it
L = (Y * ag.tensor(G)).sum()
L.backward()
print("shapes: X", X.shape, "+ b", b.shape, "-> Y", Y.shape)
print("dL/dY == G:", np.allclose(Y.grad.numpy(), G))
print("dL/dX == G:", np.allclose(X.grad.numpy(), G))
print("dL/db =", b.grad.numpy(), "  shape", b.grad.shape)
print("column sums of G =", G.sum(axis=0))

# %% [markdown]
# **Why a column sum.** $b_j$ was copied into every row: $Y_{ij} = X_{ij} + b_j$ for
# $i = 1, \dots, 4$, so $b_j$ is *used four times*, each time with local derivative 1. A
# value used several times collects the sum of the gradients of all its uses (the
# `a + a` of notebook 3), so
#
# $$\frac{\partial L}{\partial b_j} = \sum_i \frac{\partial L}{\partial Y_{ij}}\,
#   \frac{\partial Y_{ij}}{\partial b_j} = \sum_i G_{ij},$$
#
# the sum of column $j$. The gradient has the shape of $b$, $(3,)$, as it must: we are going
# to subtract it from $b$.

# %%
fig, axes = plt.subplots(2, 1, figsize=(3.6, 4.2), gridspec_kw={"height_ratios": [4, 1.3]})
annotated(axes[0], G, "incoming gradient dL/dY = G  (4 x 3)", fmt="{:.1f}")
annotated(axes[1], b.grad.numpy(), "dL/db: the sum of each column", fmt="{:.1f}")
fig.suptitle("Broadcast bias: its gradient sums over the rows", fontsize=11)
plt.show()

# %% [markdown]
# `ag.gradcheck` confirms it against finite differences: it nudges every entry of $X$ and
# $b$ by $\pm\varepsilon$ and compares the change of every output with the Jacobian that
# `backward()` computes.

# %%
print("gradcheck for X + b:", ag.gradcheck(lambda X, b: X + b, (X, b)))

# %% [markdown]
# ## 3. One rule for every broadcast
#
# The same reasoning holds for any shapes: **the gradient of a broadcast operand is the
# incoming gradient summed over every dimension that was stretched** (and over the leading
# dimensions that were added), so that it comes back to the operand's shape. Written out,
# that is a five-line function:

# %%
def unbroadcast(grad, shape):
    """Sum ``grad`` down to ``shape``, undoing a broadcast."""
    while grad.ndim > len(shape):                 # dimensions added on the left
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):           # dimensions stretched from size 1
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad

# %% [markdown]
# For a product the local derivative is the other factor, so the incoming gradient is first
# multiplied by it, then summed down. Below, several broadcasts are checked three ways: the
# engine's gradient, our `unbroadcast` formula, and finite differences (`gradcheck`).

# %%
cases = [
    # (description, shapes of the inputs, function, hand-derived gradients from G)
    ("matrix + bias row", [(4, 3), (3,)], lambda x, y: x + y,
     lambda G, x, y: [G, unbroadcast(G, y.shape)]),
    ("column + row (outer sum)", [(4, 1), (1, 3)], lambda x, y: x + y,
     lambda G, x, y: [unbroadcast(G, x.shape), unbroadcast(G, y.shape)]),
    ("scalar * matrix", [(), (4, 3)], lambda s, x: s * x,
     lambda G, s, x: [unbroadcast(G * x, s.shape), G * s]),
    ("matrix * per-column weight", [(4, 3), (3,)], lambda x, w: x * w,
     lambda G, x, w: [G * w, unbroadcast(G * x, w.shape)]),
    ("batch of matrices + (4, 1)", [(2, 4, 3), (4, 1)], lambda x, y: x + y,
     lambda G, x, y: [G, unbroadcast(G, y.shape)]),
]

print(f"{'case':30s} {'shapes':24s} {'engine == formula':18s} gradcheck")
for name, shapes, fn, hand in cases:
    inputs = [leaf(rng.normal(size=s)) for s in shapes]
    out = fn(*inputs)
    G = rng.normal(size=out.shape)
    (out * ag.tensor(G)).sum().backward()
    arrays = [t.detach().numpy() for t in inputs]
    same = all(np.allclose(t.grad.numpy(), h) for t, h in zip(inputs, hand(G, *arrays)))
    ok = ag.gradcheck(fn, tuple(inputs))
    print(f"{name:30s} {' , '.join(map(str, shapes)):24s} {str(same):18s} {ok}")

# %% [markdown]
# The engine does the same thing internally: every broadcasting op ends its backward with a
# sum down to the input's shape, which PyTorch (and `autograd_core`) also expose as
# `Tensor.sum_to_size`:

# %%
G = ag.tensor(rng.normal(size=(4, 3)))
print("G.sum_to_size(1, 3) =", G.sum_to_size(1, 3).numpy(), " == column sums:",
      np.allclose(G.sum_to_size(1, 3).numpy(), G.numpy().sum(axis=0)))

# %% [markdown]
# A case where broadcasting and reuse meet: **centering** the columns of a matrix,
# $Y = X - \bar X$ with $\bar X$ the column means. $X$ reaches $Y$ twice, directly and
# through the mean (which is broadcast back over the rows), and both paths contribute.

# %%
X = leaf(rng.normal(size=(5, 3)))
print("gradcheck for X - X.mean(dim=0):",
      ag.gradcheck(lambda X: X - X.mean(dim=0, keepdim=True), X))

# %% [markdown]
# ## 4. Backpropagation, layer by layer
#
# Now a whole network. We use the notation of the lecture: layer $l$ has weights $W^l$
# (one row per unit), bias $b^l$, **pre-activation** $z^l$ and **activation** $a^l$,
#
# $$a^0 = x, \qquad z^l = W^l a^{l-1} + b^l, \qquad a^l = \sigma(z^l), \qquad l = 1, \dots, L,$$
#
# with the sigmoid $\sigma(z) = 1/(1 + e^{-z})$ everywhere, and for one example the squared
# error $\mathcal{L} = (a^L - y)^2$. Define $\delta^l = \partial \mathcal{L} / \partial z^l$,
# the gradient at layer $l$'s pre-activations. The chain rule gives:
#
# * **Output layer.** $\delta^L = 2(a^L - y) \odot \sigma'(z^L)$.
# * **Hidden layers, from the top down.** $z^{l+1} = W^{l+1} a^l + b^{l+1}$, so unit $j$ of
#   layer $l$ feeds every unit $k$ of layer $l+1$ through the weight $W^{l+1}_{kj}$, and
#   $\partial \mathcal{L}/\partial a^l_j = \sum_k W^{l+1}_{kj}\,\delta^{l+1}_k =
#   \big((W^{l+1})^\top \delta^{l+1}\big)_j$ (again: a value used several times sums the
#   gradients of its uses). Then through $a^l = \sigma(z^l)$, element by element:
#   $$\delta^l = \big((W^{l+1})^\top \delta^{l+1}\big) \odot \sigma'(z^l).$$
# * **Parameters.** $z^l_j = \sum_k W^l_{jk} a^{l-1}_k + b^l_j$, so
#   $\partial \mathcal{L}/\partial W^l_{jk} = \delta^l_j\, a^{l-1}_k$ and
#   $\partial \mathcal{L}/\partial b^l_j = \delta^l_j$:
#   $$\nabla_{W^l} \mathcal{L} = \delta^l\, (a^{l-1})^\top, \qquad \nabla_{b^l} \mathcal{L} = \delta^l.$$
#
# The only derivative of the activation needed is $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$:

# %%
z = np.linspace(-6, 6, 200)
s = 1 / (1 + np.exp(-z))
fig, ax = plt.subplots(figsize=(4.8, 3))
ax.plot(z, s, label="$\\sigma(z)$")
ax.plot(z, s * (1 - s), label="$\\sigma'(z) = \\sigma(z)(1-\\sigma(z))$")
ax.axhline(0.25, color="gray", ls=":", lw=1)
ax.text(-6, 0.28, "max 1/4", color="gray")
ax.set(title="The sigmoid and its derivative (never above 1/4)", xlabel="z")
ax.legend(loc="center right", fontsize=9)
plt.show()

# %% [markdown]
# A 3-4-3-1 network with random weights, one input $x$ and target $y = 1$. Column vectors, as
# in the formulas: $x$ is $3 \times 1$, $W^1$ is $4 \times 3$, $b^1$ is $4 \times 1$, and so on.

# %%
sizes = [3, 4, 3, 1]
Ws = [rng.normal(size=(n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
bs = [rng.normal(size=(n_out, 1)) for n_out in sizes[1:]]
x = rng.normal(size=(3, 1))
y_target = 1.0


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# --- by hand, with NumPy -------------------------------------------------------
zs, acts = [None], [x]                       # zs[l], acts[l] for l = 0..L (z^0 unused)
for W, b in zip(Ws, bs):                     # forward pass
    zs.append(W @ acts[-1] + b)
    acts.append(sigmoid(zs[-1]))

Lnum = len(Ws)
deltas = [None] * (Lnum + 1)
dsig = lambda z: sigmoid(z) * (1 - sigmoid(z))
deltas[Lnum] = 2 * (acts[Lnum] - y_target) * dsig(zs[Lnum])           # output layer
for l in range(Lnum - 1, 0, -1):                                       # the recurrence
    deltas[l] = (Ws[l].T @ deltas[l + 1]) * dsig(zs[l])                # Ws[l] is W^{l+1}
grad_W = {l: deltas[l] @ acts[l - 1].T for l in range(1, Lnum + 1)}   # delta^l (a^{l-1})^T
grad_b = {l: deltas[l] for l in range(1, Lnum + 1)}

print(f"loss = {(acts[-1].item() - y_target) ** 2:.6f}")
for l in range(1, Lnum + 1):
    print(f"layer {l}: delta^{l} has shape {deltas[l].shape}, grad W^{l} has shape {grad_W[l].shape}")

# %% [markdown]
# The same network in the engine: the same arrays as leaf tensors, the same forward pass,
# one `backward()`. `retain_grad()` on each $z^l$ keeps $\partial\mathcal{L}/\partial z^l$,
# so we can compare the $\delta$s themselves, not only the weight gradients.

# %%
def engine_forward(Wt, bt, a):
    zt = []
    for W, b in zip(Wt, bt):
        z = W @ a + b
        z.retain_grad()
        zt.append(z)
        a = z.sigmoid()
    return a, zt


Wt = [leaf(W) for W in Ws]
bt = [leaf(b) for b in bs]
out, zt = engine_forward(Wt, bt, ag.tensor(x))
loss = ((out - y_target) ** 2).sum()
loss.backward()
print(f"engine loss = {loss.item():.6f}\n")

print(f"{'layer':6s} {'delta (dL/dz)':14s} {'grad W':8s} {'grad b':8s}")
for l in range(1, Lnum + 1):
    print(f"{l:<6d} {str(np.allclose(deltas[l], zt[l - 1].grad.numpy())):14s} "
          f"{str(np.allclose(grad_W[l], Wt[l - 1].grad.numpy())):8s} "
          f"{str(np.allclose(grad_b[l], bt[l - 1].grad.numpy())):8s}")

all_match = all(np.allclose(grad_W[l], Wt[l - 1].grad.numpy())
                and np.allclose(grad_b[l], bt[l - 1].grad.numpy())
                and np.allclose(deltas[l], zt[l - 1].grad.numpy()) for l in range(1, Lnum + 1))
print("\nhand-computed recurrence == engine, every layer:", all_match)

# %% [markdown]
# Both agree, and `gradcheck` closes the triangle: the engine's gradients with respect to all
# six parameter tensors match finite differences too.

# %%
print("gradcheck:", ag.gradcheck(
    lambda *p: ((engine_forward(p[:3], p[3:], ag.tensor(x))[0] - y_target) ** 2).sum(),
    tuple(leaf(W) for W in Ws) + tuple(leaf(b) for b in bs)))

# %% [markdown]
# $\nabla_{W^l}\mathcal{L} = \delta^l (a^{l-1})^\top$ is an **outer product**: a column times
# a row. Every entry of the gradient of $W^1$ is (how much unit $j$'s input should change)
# times (how active input $k$ was):

# %%
fig, axes = plt.subplots(1, 3, figsize=(7.5, 3.6),
                         gridspec_kw={"width_ratios": [1, 3, 3]})
annotated(axes[0], deltas[1], "$\\delta^1$ (4 x 1)", fmt="{:.3f}")
annotated(axes[1], acts[0].T, "$(a^0)^T = x^T$ (1 x 3)", fmt="{:.2f}")
annotated(axes[2], grad_W[1], "$\\nabla W^1 = \\delta^1 (a^0)^T$ (4 x 3)", fmt="{:.3f}")
fig.suptitle("The weight gradient is an outer product: column times row", fontsize=11)
plt.show()

# %% [markdown]
# ## 5. A mini-batch: rows, and the bias column sum again
#
# In practice we feed a batch of $n$ examples at once, one **row** per example (PyTorch's
# convention): $A^0$ is $n \times 3$ and
#
# $$Z^l = A^{l-1} (W^l)^\top + b^l, \qquad A^l = \sigma(Z^l),$$
#
# where the bias row $b^l$ is **broadcast** over the $n$ rows, exactly as in section 2. With
# the mean squared error $\mathcal{L} = \frac1n \sum_i (a^L_i - y_i)^2$, the recurrence is
# the same with rows instead of columns:
#
# $$\Delta^L = \tfrac{2}{n}(A^L - Y) \odot \sigma'(Z^L), \qquad
#   \Delta^l = (\Delta^{l+1} W^{l+1}) \odot \sigma'(Z^l),$$
# $$\nabla_{W^l}\mathcal{L} = (\Delta^l)^\top A^{l-1} = \sum_i \delta^l_i (a^{l-1}_i)^\top,
#   \qquad \nabla_{b^l}\mathcal{L} = \sum_i \delta^l_i \quad\text{(the column sums of } \Delta^l).$$
#
# The weight gradient is the sum over examples of the per-example outer products, and the
# bias gradient is the column sum we met in section 2, because the bias was broadcast.

# %%
n = 8
A0 = rng.normal(size=(n, 3))
Yb = rng.integers(0, 2, size=(n, 1)).astype(float)
b_rows = [b.T for b in bs]                      # biases as rows, shape (1, units)

Zs, As = [None], [A0]                           # by hand, batch version
for W, b in zip(Ws, b_rows):
    Zs.append(As[-1] @ W.T + b)
    As.append(sigmoid(Zs[-1]))
D = [None] * (Lnum + 1)
D[Lnum] = 2 / n * (As[Lnum] - Yb) * dsig(Zs[Lnum])
for l in range(Lnum - 1, 0, -1):
    D[l] = (D[l + 1] @ Ws[l]) * dsig(Zs[l])
batch_grad_W = {l: D[l].T @ As[l - 1] for l in range(1, Lnum + 1)}
batch_grad_b = {l: D[l].sum(axis=0, keepdims=True) for l in range(1, Lnum + 1)}  # column sums

Wt = [leaf(W) for W in Ws]                      # the engine, same batch
bt = [leaf(b) for b in b_rows]
a = ag.tensor(A0)
for W, b in zip(Wt, bt):
    a = (a @ W.T + b).sigmoid()                 # (n, units) + (1, units): broadcast
((a - ag.tensor(Yb)) ** 2).mean().backward()

print("batch recurrence == engine:",
      all(np.allclose(batch_grad_W[l], Wt[l - 1].grad.numpy())
          and np.allclose(batch_grad_b[l], bt[l - 1].grad.numpy()) for l in range(1, Lnum + 1)))

# %% [markdown]
# And the batch gradient really is the average of the single-example gradients of section 4,
# computed one row at a time:

# %%
def single_example_grads(x_col, y_val):
    Wt_ = [leaf(W) for W in Ws]
    bt_ = [leaf(b) for b in bs]
    out_, _ = engine_forward(Wt_, bt_, ag.tensor(x_col))
    ((out_ - y_val) ** 2).sum().backward()
    return [W.grad.numpy() for W in Wt_]


per_example = [single_example_grads(A0[i:i + 1].T, Yb[i, 0]) for i in range(n)]
mean_of_singles = [np.mean([g[l] for g in per_example], axis=0) for l in range(Lnum)]
print("batch gradient == mean of the", n, "single-example gradients:",
      all(np.allclose(mean_of_singles[l], Wt[l].grad.numpy()) for l in range(Lnum)))

# %% [markdown]
# ## 6. What the recurrence says about deep sigmoid networks
#
# Each step down the recurrence multiplies by $(W^{l+1})^\top$ and by $\sigma'(z^l) \le 1/4$.
# Unless the weights are large, the $\delta$s shrink layer after layer on their way down:
# the early layers of a deep sigmoid network get tiny gradients and learn slowly (the
# **vanishing gradient** problem; notebook 6 looks at how initialisation affects it). Here is
# $\lVert \delta^l \rVert$ for a 10-layer sigmoid network of width 16, computed by the
# recurrence and by the engine:

# %%
depth, width, n = 10, 16, 32
Wd = [rng.normal(size=(width, width)) / np.sqrt(width) for _ in range(depth)]
bd = [np.zeros((1, width)) for _ in range(depth)]
A0 = rng.normal(size=(n, width))

Zs, As = [None], [A0]                           # by hand
for W, b in zip(Wd, bd):
    Zs.append(As[-1] @ W.T + b)
    As.append(sigmoid(Zs[-1]))
D = [None] * (depth + 1)
D[depth] = 2 / As[depth].size * (As[depth] - 0.0) * dsig(Zs[depth])    # loss: mean of a^L squared
for l in range(depth - 1, 0, -1):
    D[l] = (D[l + 1] @ Wd[l]) * dsig(Zs[l])
hand_norms = [np.linalg.norm(D[l]) for l in range(1, depth + 1)]

a = ag.tensor(A0)                                # the engine
zt = []
for W, b in zip(Wd, bd):
    z = a @ leaf(W).T + leaf(b)
    z.retain_grad()
    zt.append(z)
    a = z.sigmoid()
(a ** 2).mean().backward()
engine_norms = [np.linalg.norm(z.grad.numpy()) for z in zt]
print("recurrence == engine for every layer:", np.allclose(hand_norms, engine_norms))

fig, ax = plt.subplots(figsize=(5.2, 3.3))
layers = np.arange(1, depth + 1)
ax.semilogy(layers, hand_norms, "-", lw=2, label="recurrence (NumPy)")
ax.semilogy(layers, engine_norms, "o", label="engine (z.retain_grad())")
ax.set(title="Gradient size per layer in a 10-layer sigmoid net", xlabel="layer l",
       ylabel="$\\|\\delta^l\\|$ (log scale)", xticks=layers)
ax.legend()
plt.show()
print(f"|delta| shrinks by a factor of {hand_norms[-1] / hand_norms[0]:,.0f} from layer {depth} "
      f"down to layer 1 (4^{depth - 1} = {4 ** (depth - 1):,})")

# %% [markdown]
# ## What we saw
#
# * A tensor is one node for a whole array, with a gradient of the same shape.
# * When an operand is **broadcast**, it is used many times, so its gradient is the incoming
#   gradient **summed over the broadcast dimensions**: a bias row's gradient is the column
#   sum. `gradcheck` agrees for every case we tried.
# * For a layered network, the chain rule is the **recurrence**
#   $\delta^l = ((W^{l+1})^\top \delta^{l+1}) \odot \sigma'(z^l)$ with
#   $\nabla W^l = \delta^l (a^{l-1})^\top$ and $\nabla b^l = \delta^l$. Computed by hand, it
#   matches the engine's gradients exactly, per example and per batch.
# * Because $\sigma' \le 1/4$, the $\delta$s tend to shrink as they travel down a deep
#   sigmoid network.
