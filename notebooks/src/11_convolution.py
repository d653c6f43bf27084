# %% [markdown]
# # 11. Convolution: from one filter by hand to a LeNet-style network
#
# A dense layer connects every input pixel to every hidden unit: for a 28x28 image and
# 1,000 hidden units that is 784,000 weights, and nothing tells the layer that nearby
# pixels belong together or that a shape means the same thing wherever it appears. A
# **convolutional** layer builds both facts in. It groups its weights into small
# **filters** (here 5x5) and slides each filter over the whole image, computing the same
# weighted sum at every position. The result, one number per position, is an
# **activation map**: it is large wherever the image looks like the filter.
#
# 1. a 5x5 filter over a 28x28 image, **by hand** with NumPy loops, then with
#    `ag.conv2d`, checking that they agree (and that its gradient is right);
# 2. stride, padding, and how few parameters a convolution needs;
# 3. a **LeNet-style CNN** (`nn.CNN`) trained on the 8x8 digits;
# 4. the lecture's small CNN on **Fashion-MNIST** (28x28 photos of clothes), when the
#    dataset is installed;
# 5. **learned filters and activation maps**: what the trained networks look for.

# %%
import time

import numpy as np
import matplotlib.pyplot as plt

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from autograd_core import optim
from autograd_core.data import (FASHION_MNIST_CLASSES, DatasetNotFoundError, load_digits,
                                load_fashion_mnist)

plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (5, 3.5), "axes.grid": True,
                     "grid.alpha": 0.3,
                     "figure.constrained_layout.use": True})  # laid out: nothing sticks out of a figure

try:  # Debian's dataset-fashion-mnist package, in /usr/share/datasets/fashion-mnist
    fashion_train = load_fashion_mnist(train=True, as_float=True)
    fashion_test = load_fashion_mnist(train=False, as_float=True)
    HAVE_FASHION = True
    print(f"Fashion-MNIST found: {len(fashion_train[0]):,} training and "
          f"{len(fashion_test[0]):,} test images")
except DatasetNotFoundError:
    HAVE_FASHION = False
    print("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist): section 4 "
          "is skipped, and section 1 uses an enlarged 8x8 digit as its 28x28 image.")

# %% [markdown]
# ## 1. One 5x5 filter over a 28x28 image, by hand
#
# Our image is a 28x28 grey-scale picture with values in [0, 1]: a Fashion-MNIST ankle
# boot when that dataset is installed, otherwise one of the 8x8 digits enlarged to 28x28.

# %%
if HAVE_FASHION:
    image = fashion_test[0][0]                      # test image 0: an ankle boot
    image_name = f"Fashion-MNIST: {FASHION_MNIST_CLASSES[fashion_test[1][0]]}"
else:
    digits_img, digits_lbl = load_digits(images=True)
    big = np.kron(digits_img[0] / 16.0, np.ones((3, 3)))   # 8x8 -> 24x24, blocks of 3x3
    image = np.pad(big, 2).astype(np.float32)               # -> 28x28 with a 2-pixel border
    image_name = f"digit {digits_lbl[0]}, enlarged"
print("image:", image.shape, image.dtype, f"values {image.min():.1f}..{image.max():.1f}")

# %% [markdown]
# A filter is a 5x5 grid of weights $w_{ab}$. Placed with its corner at row $i$, column
# $j$ of the image $x$, it gives one number, the weighted sum of the 25 pixels under it
# (plus a bias, zero here):
#
# $$y_{ij} = \sum_{a=0}^{4}\sum_{b=0}^{4} w_{ab}\; x_{i+a,\,j+b} .$$
#
# The filter fits at $28 - 5 + 1 = 24$ positions in each direction, so the output is
# 24x24. We use three hand-made filters, as in the lecture's picture of a layer with three
# "channels": one responds to **vertical edges** (dark on the left, bright on the right),
# one to **horizontal edges**, and one simply **blurs** (the average of 25 pixels).

# %%
ramp = np.array([-1.0, -2.0, 0.0, 2.0, 1.0])
smooth = np.array([1.0, 2.0, 3.0, 2.0, 1.0]) / 9
filters = np.stack([
    np.outer(smooth, ramp),           # vertical edges: changes from left to right
    np.outer(ramp, smooth),           # horizontal edges: changes from top to bottom
    np.full((5, 5), 1 / 25),          # blur
]).astype(np.float32)
filter_names = ["vertical edges", "horizontal edges", "blur"]
print("the vertical-edge filter:\n", filters[0].round(2))


def conv2d_by_hand(x, w):
    """Slide the kh x kw filter w over the image x (no padding, stride 1)."""
    kh, kw = w.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1), dtype=np.float32)
    for i in range(out.shape[0]):           # every output row
        for j in range(out.shape[1]):       # every output column
            total = 0.0
            for a in range(kh):             # every filter row
                for b in range(kw):         # every filter column
                    total += w[a, b] * x[i + a, j + b]
            out[i, j] = total
    return out


t0 = time.perf_counter()
by_hand = np.stack([conv2d_by_hand(image, w) for w in filters])
print(f"3 activation maps of shape {by_hand.shape[1:]} by hand in {time.perf_counter() - t0:.2f} s "
      f"({3 * 24 * 24 * 25:,} multiply-adds in Python loops)")

# %% [markdown]
# Here is the computation of one output value: the 5x5 patch of the image under the
# filter, the filter, and their elementwise product, whose sum is the output pixel.

# %%
def ink(rgba):
    """Black or white, whichever is easier to read on the colour ``rgba`` (WCAG luminance)."""
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 else "white"


i, j = 9, 14
patch = image[i:i + 5, j:j + 5]
fig, axes = plt.subplots(1, 5, figsize=(14, 3.4), gridspec_kw={"width_ratios": [1.2, 1, 1, 1, 1.2]})
axes[0].imshow(image, cmap="gray")
axes[0].add_patch(plt.Rectangle((j - 0.5, i - 0.5), 5, 5, fill=False, color="red", lw=2))
axes[0].set_title(f"image 28x28, patch at ({i}, {j})", fontsize=9)
for ax, arr, title, cmap in ((axes[1], patch, "the patch", "gray"),
                             (axes[2], filters[0], "the filter (vertical edges)", "RdBu_r"),
                             (axes[3], patch * filters[0], "patch x filter", "RdBu_r")):
    lim = np.abs(arr).max() if cmap == "RdBu_r" else None
    im = ax.imshow(arr, cmap=cmap, vmin=-lim if lim else None, vmax=lim)
    for (r, c), v in np.ndenumerate(arr):   # white on dark cells, black on light ones
        text = f"{v:.1f}" if abs(v) >= 0.05 else "0.0"      # no "-0.0"
        ax.text(c, r, text, ha="center", va="center", fontsize=9, color=ink(im.to_rgba(v)))
    ax.set_title(title, fontsize=9)
lim = np.abs(by_hand[0]).max()
axes[4].imshow(by_hand[0], cmap="RdBu_r", vmin=-lim, vmax=lim)
axes[4].add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, color="k", lw=2))
axes[4].set_title(f"output 24x24: y[{i},{j}] = {by_hand[0][i, j]:.2f}", fontsize=9)
for ax in axes:
    ax.set(xticks=[], yticks=[])
    ax.grid(False)
fig.suptitle("One output value = sum of (patch x filter); sliding the filter gives the whole map")
plt.show()
print(f"sum of the products: {(patch * filters[0]).sum():.4f}; output value: {by_hand[0][i, j]:.4f}")

# %% [markdown]
# ### The same with `ag.conv2d`
#
# `ag.conv2d(input, weight)` takes a batch of images shaped (N, C, H, W) (number of
# images, channels, height, width) and filters shaped (K, C, kh, kw) (K filters, each
# spanning all C input channels), and returns (N, K, H', W'). One grey image is
# N = C = 1; our three filters are K = 3. (The first call of `conv2d` in a session
# compiles its Numba kernel, or loads it from the cache: a second or so, once.)

# %%
x = ag.tensor(image[None, None])        # (1, 1, 28, 28)
w = ag.tensor(filters[:, None])         # (3, 1, 5, 5)
y = ag.conv2d(x, w)
print(f"ag.conv2d: {tuple(x.shape)} * {tuple(w.shape)} -> {tuple(y.shape)}")
print("largest difference from the loops:", float(np.abs(y.numpy()[0] - by_hand).max()))

fig, axes = plt.subplots(1, 4, figsize=(12, 3.2))
axes[0].imshow(image, cmap="gray")
axes[0].set_title(image_name, fontsize=10)
for ax, fmap, name in zip(axes[1:], y.numpy()[0], filter_names):
    lim = np.abs(fmap).max()
    ax.imshow(fmap, cmap="RdBu_r" if name != "blur" else "gray",
              vmin=-lim if name != "blur" else None, vmax=lim)
    ax.set_title(f"activation map: {name}", fontsize=10)
for ax in axes:
    ax.set(xticks=[], yticks=[])
    ax.grid(False)
fig.suptitle("Three 5x5 filters over a 28x28 image give three 24x24 activation maps "
             "(red > 0, blue < 0)")
plt.show()

# %% [markdown]
# The hand loops and `conv2d` agree to float32 rounding. The vertical-edge map is red
# where the image gets brighter from left to right and blue where it gets darker; the
# horizontal-edge map does the same from top to bottom; the blur map is a softened copy.
#
# Two details worth knowing:
#
# * What deep-learning libraries call convolution is, strictly, **cross-correlation**:
#   the filter is not flipped. It makes no difference to learning (a learned filter
#   would just come out flipped).
# * `conv2d` is differentiable in both its input and its filters, which is what lets a
#   network *learn* its filters. Its backward pass is itself made of convolutions; here
#   `ag.gradcheck` compares it with finite differences on a small random example:

# %%
xs = ag.randn(2, 3, 7, 7, dtype=ag.float64, requires_grad=True)
ws = ag.randn(4, 3, 5, 5, dtype=ag.float64, requires_grad=True)
print("gradcheck of conv2d (stride 2, padding 1), input and filter gradients:",
      ag.gradcheck(lambda a, b: ag.conv2d(a, b, stride=2, padding=1), (xs, ws)))

# %% [markdown]
# ## 2. Stride, padding, and the parameter count
#
# Two options change where the filter is placed. **Padding** $p$ adds a border of zeros
# around the image, so the filter can also sit over the edges; **stride** $s$ moves the
# filter $s$ pixels at a time instead of 1. The output side is
# $\lfloor (28 + 2p - 5)/s \rfloor + 1$:

# %%
for stride, padding in ((1, 0), (1, 2), (2, 0), (2, 2), (3, 0)):
    shape = tuple(ag.conv2d(x, w, stride=stride, padding=padding).shape)
    formula = (28 + 2 * padding - 5) // stride + 1
    print(f"stride {stride}, padding {padding}: output {shape}   formula: {formula}x{formula}")

# %% [markdown]
# And the parameter count from the lecture: our layer of three 5x5 filters has
# $3 \cdot 5 \cdot 5 = 75$ weights but produces $24 \cdot 24 \cdot 3 = 1{,}728$ hidden
# values. A dense layer with as many outputs would need a weight from every pixel to every
# output:

# %%
conv_layer = nn.Conv2d(1, 3, kernel_size=5, bias=False)
dense_layer = nn.Linear(28 * 28, 24 * 24 * 3, bias=False)
print(f"Conv2d(1, 3, 5): {conv_layer.weight.numel():>9,} weights -> {24 * 24 * 3:,} outputs")
print(f"Linear(784, 1728): {dense_layer.weight.numel():>7,} weights -> {24 * 24 * 3:,} outputs")

# %% [markdown]
# Sharing one small filter across all positions is what makes convolutional networks
# practical for images, and it builds in that a feature (an edge, a corner) is detected
# the same way wherever it appears.
#
# ### Max-pooling, in pictures
#
# The lecture's third building block, after convolutional and dense layers, is
# **max-pooling** ("sub-sampling"): cut a map into blocks and keep the largest value of
# each. With 2x2 blocks (`F.max_pool2d(h, 2)`, `nn.MaxPool2d(2)`) a 24x24 map becomes
# 12x12. We pool the vertical-edge map of section 1 after a ReLU (a CNN pools the
# activations, which are $\geq 0$), and look at one 6x6 corner of it up close: each 2x2
# block (grey lines) sends its largest value (outlined) to one cell of the pooled map.

# %%
edge_map = F.relu(y[:, :1])                             # (1, 1, 24, 24): vertical edges, ReLU
pooled = F.max_pool2d(edge_map, 2)                      # (1, 1, 12, 12)
emap, pmap = edge_map.numpy()[0, 0], pooled.numpy()[0, 0]
print(f"{tuple(edge_map.shape)} -> max_pool2d(2) -> {tuple(pooled.shape)}; equal to the largest "
      "value of every 2x2 block:", np.array_equal(pmap, emap.reshape(12, 2, 12, 2).max(axis=(1, 3))))
# the 6x6 window (starting on even rows and columns) where the map is strongest
r0, c0 = [2 * (v // 2) for v in np.unravel_index(emap.argmax(), emap.shape)]
r0, c0 = min(max(r0 - 2, 0), 18), min(max(c0 - 2, 0), 18)
window, window_pooled = emap[r0:r0 + 6, c0:c0 + 6], pmap[r0 // 2:r0 // 2 + 3, c0 // 2:c0 // 2 + 3]

fig, axes = plt.subplots(1, 4, figsize=(15, 3.9), gridspec_kw={"width_ratios": [1, 1.15, 1.15, 1]})
top = emap.max()
axes[0].imshow(emap, cmap="Reds", vmin=0, vmax=top)
axes[0].add_patch(plt.Rectangle((c0 - 0.5, r0 - 0.5), 6, 6, fill=False, color="k", lw=2))
axes[0].set_title("ReLU(vertical-edge map), 24x24", fontsize=10)
for ax, arr, title in ((axes[1], window, "6x6 window: 2x2 blocks"),
                       (axes[2], window_pooled, "pooled: the max of each block")):
    im = ax.imshow(arr, cmap="Reds", vmin=0, vmax=top)
    for (r, c), v in np.ndenumerate(arr):
        ax.text(c, r, f"{v:.1f}", ha="center", va="center", fontsize=10, color=ink(im.to_rgba(v)))
    ax.set_title(title, fontsize=10)
for k in (1.5, 3.5):                                    # the block boundaries
    axes[1].axhline(k, color="gray", lw=2)
    axes[1].axvline(k, color="gray", lw=2)
for br in range(3):
    for bc in range(3):
        block = window[2 * br:2 * br + 2, 2 * bc:2 * bc + 2]
        a, b = np.unravel_index(block.argmax(), (2, 2))
        axes[1].add_patch(plt.Rectangle((2 * bc + b - 0.45, 2 * br + a - 0.45), 0.9, 0.9,
                                        fill=False, color="k", lw=1.5))
axes[3].imshow(pmap, cmap="Reds", vmin=0, vmax=top)
axes[3].add_patch(plt.Rectangle((c0 // 2 - 0.5, r0 // 2 - 0.5), 3, 3, fill=False, color="k", lw=2))
axes[3].set_title("max-pooled map, 12x12", fontsize=10)
for ax in axes:
    ax.set(xticks=[], yticks=[])
    ax.grid(False)
fig.suptitle("2x2 max-pooling: every block of four values becomes its largest")
plt.show()

# %% [markdown]
# The pooled map is a coarser copy that keeps every strong response: an edge found
# anywhere in a block is still there, at half the resolution. The network keeps *whether*
# a feature was found nearby and forgets exactly where, so a feature that moves by a
# pixel often lands in the same block. Pooling has no parameters, and its backward pass
# sends each block's gradient to the one input that was the maximum (the outlined cells)
# and zero to the other three:

# %%
probe = edge_map.detach().requires_grad_()
F.max_pool2d(probe, 2).sum().backward()
g = probe.grad.numpy()[0, 0]
print("gradient of sum(max_pool2d(h, 2)) with respect to h, the same 6x6 window:")
print(g[r0:r0 + 6, c0:c0 + 6].astype(int))
print("one 1 in every 2x2 block:", bool((g.reshape(12, 2, 12, 2).sum(axis=(1, 3)) == 1).all()))

# %% [markdown]
# ## 3. A LeNet-style CNN on the digits
#
# A convolutional network stacks the building blocks of the lecture:
# **convolution → ReLU → max-pooling**, repeated, then a dense classifier.
#
# `nn.CNN(image_size=8)` is such a network for the 8x8 digits (1,797 images of 0..9):
# two stages of 3x3 convolutions (8, then 16 filters) with pooling, 8x8 → 4x4 → 2x2,
# then one `Linear` layer from the 16 x 2 x 2 = 64 features to the 10 classes.

# %%
digits, labels = load_digits(images=True)
digits = (digits / 16.0).astype(np.float32)          # pixels 0..16 -> 0..1
perm = np.random.default_rng(0).permutation(len(digits))
train_idx, test_idx = perm[:1437], perm[1437:]       # 80% / 20%
Xtr, ytr = ag.tensor(digits[train_idx][:, None]), ag.tensor(labels[train_idx])
Xte, yte = ag.tensor(digits[test_idx][:, None]), labels[test_idx]

ag.manual_seed(0)
cnn = nn.CNN(in_channels=1, num_classes=10, image_size=8)
print(cnn)
print("parameters:", sum(p.numel() for p in cnn.parameters()))
h = Xtr[:1]
print(f"  input                  shape {tuple(h.shape)}")
with ag.no_grad():
    for k, layer in enumerate(cnn):
        h = layer(h)
        print(f"  after ({k}) {type(layer).__name__:<9}  shape {tuple(h.shape)}")

# %% [markdown]
# Training: Adam, mini-batches of 64, 6 epochs. The first call of each convolution
# compiles its Numba kernel (or loads it from the cache), so the first epoch is slower.

# %%
def accuracy(model, X, y, batch=500):
    model.eval()
    with ag.no_grad():
        pred = np.concatenate([model(X[i:i + batch]).argmax(1).numpy()
                               for i in range(0, X.shape[0], batch)])
    return float((pred == y).mean()), pred


opt = optim.Adam(cnn.parameters(), lr=0.01)
shuffle = np.random.default_rng(1)
history = []
for epoch in range(6):
    cnn.train()
    for idx in np.array_split(shuffle.permutation(len(train_idx)), len(train_idx) // 64):
        loss = F.cross_entropy(cnn(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    acc, _ = accuracy(cnn, Xte, yte)
    history.append(acc)
    print(f"epoch {epoch + 1}: last batch loss {loss.item():.3f}, test accuracy {acc:.1%}")

# %%
acc, pred = accuracy(cnn, Xte, yte)
wrong = np.flatnonzero(pred != yte)
fig, axes = plt.subplots(1, 2, figsize=(11, 3.2), gridspec_kw={"width_ratios": [1, 1.6]})
axes[0].plot(range(1, len(history) + 1), 100 * np.array(history), "o-")
axes[0].set(title="Digits CNN: test accuracy per epoch", xlabel="epoch", ylabel="accuracy (%)")
axes[1].axis("off")
shown = "all" if len(wrong) <= 8 else "the first 8"
axes[1].set_title(f"The test digits it gets wrong: {len(wrong)} of {len(yte)} ({shown} shown, "
                  f"true -> predicted)", fontsize=10)
for n, k in enumerate(wrong[:8]):
    inset = axes[1].inset_axes([n / 8, 0.05, 0.9 / 8, 0.8])
    inset.imshow(digits[test_idx][k], cmap="gray_r")
    inset.set(xticks=[], yticks=[])
    inset.set_xlabel(f"{yte[k]} -> {pred[k]}", fontsize=9)
plt.show()

# %% [markdown]
# About 98% of the test digits right, with under 2,000 parameters. (An MLP with one hidden
# layer of 64 units on the same 64 pixels would need 4,810; the convolution shares its
# weights across positions.) The mistakes are mostly digits that are odd-looking even to
# us at 8x8 pixels.
#
# ## 4. The lecture's CNN on Fashion-MNIST
#
# The lecture writes this network in PyTorch for 28x28 images:
#
# ```python
# conv = Conv2d(1, 16, (5,5), stride=2)   # 28x28 -> 16 maps of 12x12
# pool = MaxPool2d(3, stride=2)           # 12x12 -> 5x5
# linear = Linear(400, num_classes)       # 16 * 5 * 5 = 400 features
# ```
#
# The same code runs with `autograd_core`'s `nn`. Fashion-MNIST has 60,000 training
# and 10,000 test images of ten kinds of clothing. To keep this notebook quick we train
# for **one epoch on 20,000** training images and test on 2,000; the full dataset and a
# few epochs would do better.

# %%
if HAVE_FASHION:
    ag.manual_seed(0)
    lenet = nn.Sequential(
        nn.Conv2d(1, 16, (5, 5), stride=2), nn.ReLU(),
        nn.MaxPool2d(3, stride=2),
        nn.Flatten(),
        nn.Linear(400, 10),
    )
    print(lenet)
    images, targets = fashion_train
    subset = np.random.default_rng(0).permutation(len(images))[:20_000]
    Ftr, ftr = ag.tensor(images[subset][:, None]), ag.tensor(targets[subset])
    Fte, fte = ag.tensor(fashion_test[0][:2000, None]), fashion_test[1][:2000]

    opt = optim.Adam(lenet.parameters(), lr=0.005)
    losses = []
    lenet.train()
    for start in range(0, len(subset), 64):
        loss = F.cross_entropy(lenet(Ftr[start:start + 64]), ftr[start:start + 64])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    fashion_acc, fashion_pred = accuracy(lenet, Fte, fte)
    print(f"after one epoch on 20,000 images: test accuracy {fashion_acc:.1%} (chance: 10%)")
else:
    print("skipped: Fashion-MNIST is not installed")

# %%
if HAVE_FASHION:
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), gridspec_kw={"width_ratios": [1, 1.3]})
    axes[0].plot(losses, lw=0.6, alpha=0.4)
    axes[0].plot(np.convolve(losses, np.ones(20) / 20, mode="valid"), lw=2)
    axes[0].set(title="Fashion-MNIST: training loss per batch (one epoch)", xlabel="step",
                ylabel="cross-entropy")
    cm = np.zeros((10, 10), dtype=int)
    np.add.at(cm, (fte, fashion_pred), 1)
    axes[1].imshow(cm / cm.sum(1, keepdims=True), cmap="Blues", vmin=0, vmax=1)
    axes[1].set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true",
                title=f"Test confusion matrix (row-normalised), accuracy {fashion_acc:.0%}")
    axes[1].set_xticklabels(FASHION_MNIST_CLASSES, rotation=60, ha="right", fontsize=8)
    axes[1].set_yticklabels(FASHION_MNIST_CLASSES, fontsize=8)
    axes[1].grid(False)
    plt.show()
else:
    print("skipped: Fashion-MNIST is not installed")

# %% [markdown]
# After a single pass over a third of the training set the network gets most items right.
# The confusion matrix shows where it struggles: the upper-body garments (T-shirt, pullover,
# coat, shirt) are mistaken for one another, while trousers, bags and footwear are easy.
#
# ## 5. What the networks learned: filters and activation maps
#
# A trained network's first-layer filters are just weights, and can be drawn as small
# images; its activation maps show where in an image each filter responded. Forward
# hooks (`register_forward_hook`) collect the maps as an image passes through.

# %%
def activation_maps(model, layer_types, x):
    """The outputs of every layer of the given types, for one input batch."""
    maps, hooks = [], []
    for m in model.modules():
        if isinstance(m, layer_types):
            hooks.append(m.register_forward_hook(lambda mod, args, out: maps.append(out.numpy()[0])))
    model.eval()
    with ag.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return maps


def show_filters(weights, title, ncols=8):
    k = weights.shape[0]
    nrows = int(np.ceil(k / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.2 * ncols, 1.5 * nrows + 0.4))
    for n, ax in enumerate(np.ravel(axes)):
        ax.set(xticks=[], yticks=[])
        ax.grid(False)
        if n < k:
            lim = np.abs(weights[n]).max()
            ax.imshow(weights[n], cmap="RdBu_r", vmin=-lim, vmax=lim)
            ax.set_title(f"filter {n}", fontsize=8)
        else:
            ax.axis("off")
    fig.suptitle(title)
    plt.show()


def show_maps(image, maps, title, ncols=8):
    k = maps.shape[0]
    nrows = int(np.ceil(k / ncols))
    fig = plt.figure(figsize=(1.2 * ncols + 2.2, 1.3 * nrows + 0.4))
    ax0 = fig.add_axes([0.0, 0.1, 0.16, 0.75])
    ax0.imshow(image, cmap="gray_r" if image.shape[0] == 8 else "gray")
    ax0.set(xticks=[], yticks=[], title="input")
    for n in range(k):
        ax = fig.add_axes([0.2 + 0.8 * (n % ncols) / ncols, 0.85 - (n // ncols + 1) * 0.8 / nrows,
                           0.75 / ncols, 0.7 / nrows])
        ax.imshow(maps[n], cmap="viridis")
        ax.set(xticks=[], yticks=[])
        ax.set_title(f"map {n}", fontsize=8, pad=2)
    fig.suptitle(title)
    plt.show()


# %% [markdown]
# ### The digits CNN
#
# Its first layer has eight 3x3 filters (red: positive weights, blue: negative). At 3x3
# they are tiny, but several are recognisably edge detectors: a red side against a blue
# side responds to a change of brightness in that direction.

# %%
show_filters(cnn[0].weight.detach().numpy()[:, 0], "Digits CNN: the 8 learned 3x3 filters of layer 1")

sample = digits[test_idx][3]
relu_maps = activation_maps(cnn, nn.ReLU, ag.tensor(sample[None, None]))
print("activation maps after each ReLU:", [m.shape for m in relu_maps])
show_maps(sample, relu_maps[0], f"Digits CNN, layer 1: 8 activation maps (8x8) of a test '{yte[3]}'")
show_maps(sample, relu_maps[1], f"Digits CNN, layer 2: 16 activation maps (4x4) of the same '{yte[3]}'")

# %% [markdown]
# Each map has its own colour scale (yellow: strongest response, dark: none). Each
# first-layer map is the digit seen through one filter: bright where that filter's
# pattern (a stroke edge in some direction) occurs. The second layer combines the eight
# first-layer maps, after pooling, into 16 coarser 4x4 maps that respond to larger parts
# of the digit; several are entirely dark for this 9, because ReLU zeroes them: their
# filters look for something this digit does not contain. The classifier reads its
# decision from which maps light up where.
#
# ### The Fashion-MNIST CNN
#
# With 5x5 filters on 28x28 photographs the learned filters are easier to read.

# %%
if HAVE_FASHION:
    show_filters(lenet[0].weight.detach().numpy()[:, 0],
                 "Fashion-MNIST CNN: the 16 learned 5x5 filters (red +, blue -)")
    k = 0  # test image 0, the ankle boot of section 1
    maps = activation_maps(lenet, nn.ReLU, Fte[k:k + 1])[0]
    show_maps(fashion_test[0][k], maps,
              f"Fashion-MNIST CNN: 16 activation maps (12x12, stride 2) of the "
              f"{FASHION_MNIST_CLASSES[fte[k]].lower()}")
else:
    print("skipped: Fashion-MNIST is not installed")

# %% [markdown]
# Several of the learned 5x5 filters are oriented edge detectors, like the hand-made ones
# of section 1 (a red band beside a blue band), at various angles; others respond to
# broader bright or dark regions. The
# activation maps show each filter's view of the boot: the sole, the outline, the shaft.
# Nobody designed these filters: gradient descent on the cross-entropy found them, through
# `conv2d`'s backward pass.
#
# ## What we saw
#
# * A convolution slides one small filter over the whole image and takes a weighted sum at
#   each position: 4 nested loops by hand, one call of `ag.conv2d`, same numbers.
# * Stride and padding decide how many positions there are; the output side is
#   $\lfloor (H + 2p - k)/s \rfloor + 1$.
# * Sharing the filter makes the layer tiny (75 weights instead of 1.35 million for the
#   same 1,728 outputs) and detects a pattern wherever it appears.
# * Convolution, ReLU and max-pooling stacked into a LeNet-style network classify the
#   digits with about 98% accuracy from under 2,000 parameters, and the learned filters are
#   edge detectors much like the hand-made ones.
#
# **Next:** notebook 12 makes networks much deeper, and shows why residual connections
# are needed to train them.
