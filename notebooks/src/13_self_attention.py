# %% [markdown]
# # 13. Self-attention: queries, keys and values
#
# A sentence, a DNA string or a series of measurements is a **sequence of tokens**, each
# token a vector. To understand one token we often need others, and which ones depends
# on the content: in "the fox that the dog chased ran away", *ran* goes with *fox*,
# five words back. **Attention** lets every position gather information from every
# other position, weighted by how relevant each one is. It works like a soft dictionary
# lookup:
#
# * each position asks a **query** $q_i$ ("what am I looking for?"),
# * each position offers a **key** $k_j$ ("what do I contain?") and a **value** $v_j$
#   ("what I pass on if chosen"),
# * position $i$ weighs every position $j$ by how well $k_j$ matches $q_i$, and takes the
#   weighted average of the values: $\; h_i = \sum_j \alpha_{ij} v_j$.
#
# In **self-attention**, queries, keys and values are all computed from the same
# sequence, so there is one output per input token. The plan:
#
# 1. attention by hand on four tokens, step by step, checked against
#    `F.scaled_dot_product_attention` (values and gradients);
# 2. permuting the tokens permutes the outputs: attention alone does not see order;
# 3. `nn.MultiheadAttention` is the same computation with learned projections;
# 4. a task one attention layer learns in a second: *find the largest of 8 digits*, with
#    attention maps before and after training;
# 5. a task that needs positions: *reverse the sequence*, impossible without a
#    positional encoding and easy with one;
# 6. the causal mask: no looking ahead.

# %%
import math
import time

import numpy as np
import matplotlib.pyplot as plt
from threadpoolctl import threadpool_limits

import autograd_core as ag
from autograd_core import nn
import autograd_core.nn.functional as F
from autograd_core import optim

# Our matrices are tiny: one BLAS thread is faster for them than two, and much faster
# when other programs are busy on the same cores.
threadpool_limits(1, user_api="blas")
plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (5, 3.5),
                     "figure.constrained_layout.use": True})  # laid out: nothing sticks out of a figure
np.set_printoptions(precision=3, suppress=True)
rng = np.random.default_rng(0)


def ink(rgba):
    """Black or white, whichever is easier to read on the colour ``rgba`` (WCAG luminance)."""
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 else "white"


def annotated(ax, m, title, cmap="Blues", vmin=0.0, vmax=1.0, fmt="{:.2f}"):
    """Show a matrix as coloured cells with its numbers written in; -inf cells in grey."""
    m = np.asarray(m, dtype=float)
    colors = plt.get_cmap(cmap).copy()
    colors.set_bad("#d0d0d0")
    im = ax.imshow(np.where(np.isfinite(m), m, np.nan), cmap=colors, vmin=vmin, vmax=vmax)
    for (i, j), v in np.ndenumerate(m):
        ax.text(j, i, "-inf" if v == -np.inf else fmt.format(v), ha="center", va="center",
                fontsize=8, color=ink(im.to_rgba(v)) if np.isfinite(v) else "black")
    ax.set(title=title, xticks=range(m.shape[1]), yticks=range(m.shape[0]))


# %% [markdown]
# ## 1. Attention by hand
#
# Four tokens, each a vector of 6 numbers, are the rows of a $4 \times 6$ matrix $X$. (In a
# real model they would be word embeddings; here they are random.) Three weight matrices
# $W_Q, W_K, W_V$ (each $6 \times 3$) turn every token into a query, a key and a value of
# size $d = 3$:
#
# $$Q = X W_Q, \qquad K = X W_K, \qquad V = X W_V .$$

# %%
X = ag.tensor(rng.normal(size=(4, 6)).astype(np.float32))
W_Q, W_K, W_V = (ag.tensor(rng.normal(size=(6, 3)).astype(np.float32),
                           requires_grad=True) for _ in range(3))
Q, K, V = X @ W_Q, X @ W_K, X @ W_V
d = Q.shape[-1]
print("Q, K, V:", Q.shape, K.shape, V.shape, "(one row per token)")

# %% [markdown]
# **Scores.** How well query $i$ matches key $j$ is their dot product. All pairs at once
# are the matrix product $Q K^\top$ ($4 \times 4$: row $i$ holds query $i$'s score for
# every key), divided by $\sqrt{d}$ for a reason we come back to below:
#
# $$S = \frac{Q K^\top}{\sqrt{d}} .$$
#
# **Weights.** A softmax along each row turns scores into positive weights that sum to 1:
# $\alpha_{ij} = e^{S_{ij}} / \sum_{j'} e^{S_{ij'}}$.
#
# **Output.** Row $i$ of the output is the weighted average of the values,
# $h_i = \sum_j \alpha_{ij} v_j$, which for all rows at once is $H = \alpha V$.

# %%
scores = Q @ K.T / math.sqrt(d)
weights = scores.softmax(-1)
H = weights @ V
print("row sums of the weights:", weights.detach().numpy().sum(axis=1))

fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), gridspec_kw={"width_ratios": [4, 4, 3]})
annotated(axes[0], scores.detach().numpy(), "Scores  S = QK$^T$/$\\sqrt{d}$", cmap="coolwarm",
          vmin=-3, vmax=3)
annotated(axes[1], weights.detach().numpy(), "Weights  softmax(S) per row", vmin=0, vmax=1)
annotated(axes[2], H.detach().numpy(), "Output  H = weights @ V", cmap="coolwarm", vmin=-3, vmax=3)
for ax in axes[:2]:
    ax.set(xlabel="key j", ylabel="query i")
axes[2].set(xlabel="feature", ylabel="token i")
fig.suptitle("Self-attention on 4 tokens, step by step")
plt.show()

# %% [markdown]
# The library does the same in one call, `F.scaled_dot_product_attention(Q, K, V)`. It
# is a single node in the compute graph with its own hand-written backward pass, where our
# version is a chain of small nodes (three matrix products, a transpose, a division, a
# softmax), each with its local derivative. Both must give the same output *and* the same
# gradients. We compare them on an arbitrary loss, $L = \sum_{ij} C_{ij} H_{ij}$ with a
# random $C$:

# %%
fused = F.scaled_dot_product_attention(Q, K, V)
print("same output:", np.allclose(H.detach().numpy(), fused.detach().numpy(), atol=1e-6))

C = ag.tensor(rng.normal(size=(4, 3)).astype(np.float32))
grads_by_hand = ag.grad((H * C).sum(), [W_Q, W_K, W_V], retain_graph=True)
grads_fused = ag.grad((fused * C).sum(), [W_Q, W_K, W_V])
for name, a, b in zip(("W_Q", "W_K", "W_V"), grads_by_hand, grads_fused):
    print(f"dL/d{name}: step by step and fused agree: {np.allclose(a.numpy(), b.numpy(), atol=1e-6)}")

# %% [markdown]
# Here is the step-by-step graph. Reading it backwards is backpropagation through
# attention: the gradient reaches $W_V$ through the last matrix product only, and $W_Q$
# and $W_K$ through the softmax.

# %%
ag.draw_graph(H, names={"X": X, "W_Q": W_Q, "W_K": W_K, "W_V": W_V, "Q": Q, "K": K, "V": V,
                        "scores": scores, "weights": weights, "H": H},
              show_grad=False, rankdir="TB",      # top to bottom: narrow enough to read on a page
              title="Self-attention step by step: H = softmax(QK^T / sqrt(d)) V")

# %% [markdown]
# ### Why divide by $\sqrt{d}$?
#
# A dot product of two vectors with $d$ random entries of variance 1 has variance $d$.
# With large $d$ the raw scores are large, and the softmax of large numbers is almost
# one-hot: nearly all weight on one key, and a gradient of almost zero for the others
# (the softmax is *saturated*, like a sigmoid far from 0). Dividing by $\sqrt{d}$ brings
# the scores back to variance 1, whatever $d$:

# %%
for dim in (4, 64, 1024):
    q, k = rng.normal(size=(1000, dim)), rng.normal(size=(1000, 8, dim))
    raw = np.einsum("nd,nkd->nk", q, k)           # 1000 queries, 8 keys each
    for label, s in (("raw", raw), ("/ sqrt(d)", raw / math.sqrt(dim))):
        p = np.exp(s - s.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        print(f"d = {dim:4d}, {label:9s}: score std {s.std():6.2f}, "
              f"mean largest weight of 8 {p.max(1).mean():.2f}")

# %% [markdown]
# ## 2. Attention does not see order
#
# Shuffle the four tokens and run the same attention again. Every step either treats each
# token separately (the projections $XW$) or treats all tokens alike (the softmax and the
# weighted sum run over *all* $j$, in no particular order). So nothing in the computation
# knows where a token sits, and the outputs come out shuffled the same way: self-attention
# is **permutation-equivariant**, and each output, seen from its own token, depends only
# on the *set* of the other tokens.

# %%
def attention(X):
    Q, K, V = X @ W_Q, X @ W_K, X @ W_V
    weights = (Q @ K.T / math.sqrt(d)).softmax(-1)
    return weights @ V, weights


perm = [2, 0, 3, 1]                       # new order: old token 2 first, then 0, 3, 1
H_perm, weights_perm = attention(X[perm])
print("outputs of the shuffled tokens == shuffled outputs:",
      np.allclose(H_perm.detach().numpy(), H.detach().numpy()[perm], atol=1e-6),
      f"(largest difference {np.abs(H_perm.detach().numpy() - H.detach().numpy()[perm]).max():.1e})")

fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
annotated(axes[0], weights.detach().numpy(), "Weights, tokens in order 0 1 2 3", vmin=0, vmax=1)
annotated(axes[1], weights_perm.detach().numpy(), "Weights, tokens in order 2 0 3 1", vmin=0, vmax=1)
for ax, order in zip(axes, ([0, 1, 2, 3], perm)):
    ax.set(xticklabels=[f"tok {t}" for t in order], yticklabels=[f"tok {t}" for t in order],
           xlabel="key", ylabel="query")
fig.suptitle("Shuffling the tokens shuffles the rows and columns of the weights")
plt.show()

# %% [markdown]
# Same numbers, moved around: "tok 2" gives "tok 3" the weight it gave before, wherever
# the two now sit. That is right for tasks about a *set* (what is the largest digit?)
# and wrong for tasks about a *sequence* (what comes last?). Section 5 shows what to do
# about it.
#
# ### Invariant or equivariant?
#
# Lecture 5 says that the attention representation is "permutation-**invariant**", and we
# just called self-attention "permutation-**equivariant**". Both are right, about two
# different things:
#
# * **invariant**: shuffling the input leaves the output *unchanged*, $f(PX) = f(X)$;
# * **equivariant**: shuffling the input shuffles the output *in the same way*,
#   $f(PX) = P f(X)$.
#
# The lecture's attention has **one** query $q$ (a question such as "what is the
# sentence's action?", not computed from the tokens) and returns **one** vector,
# $h = \sum_j \alpha_j v_j$: a weighted sum over all tokens, which does not depend on
# their order, so it is invariant. Self-attention asks one query *per token* and returns
# one output per token; the set of outputs is the same, but each output moves with its
# token, so the output matrix is equivariant. Summing or averaging those outputs, as a
# classifier often does at the end, gives an invariant result again:

# %%
q = ag.tensor(np.random.default_rng(1).normal(size=(1, d)).astype(np.float32))  # one fixed query (lecture 5)


def one_query(X):
    K, V = X @ W_K, X @ W_V
    return (q @ K.T / math.sqrt(d)).softmax(-1) @ V          # one vector h, shape (1, d)


with ag.no_grad():
    print("one fixed query, h(shuffled) == h:",
          np.allclose(one_query(X[perm]).numpy(), one_query(X).numpy(), atol=1e-6), " (invariant)")
    print("self-attention, H(shuffled) == H:",
          np.allclose(attention(X[perm])[0].numpy(), H.detach().numpy(), atol=1e-6),
          "  == H shuffled:", np.allclose(attention(X[perm])[0].numpy(), H.detach().numpy()[perm], atol=1e-6),
          " (equivariant)")
    print("mean of the self-attention outputs unchanged:",
          np.allclose(attention(X[perm])[0].numpy().mean(0), H.detach().numpy().mean(0), atol=1e-6),
          " (invariant)")

# %% [markdown]
#
# ## 3. `nn.MultiheadAttention`
#
# In a model, $W_Q, W_K, W_V$ are learned parameters. `nn.MultiheadAttention(E,
# num_heads)` holds them, as PyTorch's does, stacked in one `in_proj_weight` of shape
# $(3E, E)$ with a bias `in_proj_bias`, and adds an output projection `out_proj` (a
# `Linear`) after the weighted sum. It returns the output and the attention weights. With
# one head, it is exactly our computation:

# %%
E = 6
ag.manual_seed(0)
mha = nn.MultiheadAttention(E, num_heads=1, batch_first=True)
x = X.reshape(1, 4, E)                     # a batch of one sequence: (batch, tokens, features)
out, attn = mha(x, x, x)                   # self-attention: queries, keys, values from x

Wp, bp = mha.in_proj_weight.detach().numpy(), mha.in_proj_bias.detach().numpy()
x_np = X.numpy()
q, k, v = (x_np @ Wp[i * E:(i + 1) * E].T + bp[i * E:(i + 1) * E] for i in range(3))
s = q @ k.T / math.sqrt(E)
a = np.exp(s - s.max(1, keepdims=True))
a /= a.sum(1, keepdims=True)
by_hand = (a @ v) @ mha.out_proj.weight.detach().numpy().T + mha.out_proj.bias.detach().numpy()
print("shapes:", out.shape, attn.shape)
print("attention weights as by hand:", np.allclose(attn.detach().numpy()[0], a, atol=1e-6))
print("output as by hand:           ", np.allclose(out.detach().numpy()[0], by_hand, atol=1e-5))

# %% [markdown]
# With several heads, $E$ is split into `num_heads` parts, each part does its own
# attention with its own weights, and the results are concatenated: each head can look
# for something different. One head is enough for everything below.
#
# ## 4. A task: find the largest digit
#
# Each example is a sequence of 8 random digits $0..9$; the target at *every* position is
# the largest digit of the sequence. The model is as small as it can be:
#
# 1. an `nn.Embedding(10, 32)` turns each digit into a learned vector of 32 numbers (the
#    model is *not* told that 7 > 3: digits are just 10 different symbols to it);
# 2. one `nn.MultiheadAttention(32, 1)`, self-attention over the 8 tokens;
# 3. a `Linear(32, 10)` turns each position's output into scores for the 10 digits,
#    trained with cross-entropy.
#
# There is no other way for information to move between positions than attention. The
# same class serves sections 5 and 6, with a positional embedding and a causal mask that
# are switched off for now.

# %%
VOCAB, LENGTH, DIM = 10, 8, 32


class TinyAttention(nn.Module):
    def __init__(self, positional=False, causal=False):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, DIM)
        self.pos = nn.Embedding(LENGTH, DIM) if positional else None
        self.attn = nn.MultiheadAttention(DIM, num_heads=1, batch_first=True)
        self.head = nn.Linear(DIM, VOCAB)
        self.causal = causal

    def forward(self, tokens):                       # tokens: (batch, LENGTH) integers
        x = self.tok(tokens)                         # (batch, LENGTH, DIM)
        if self.pos is not None:
            x = x + self.pos(ag.arange(tokens.shape[1]))
        h, weights = self.attn(x, x, x, is_causal=self.causal)
        return self.head(h), weights                 # scores (batch, LENGTH, VOCAB), weights


def make_batch(task, n):
    tokens = rng.integers(0, VOCAB, size=(n, LENGTH))
    if task == "max":
        target = np.repeat(tokens.max(axis=1, keepdims=True), LENGTH, axis=1)
    elif task == "reverse":
        target = tokens[:, ::-1].copy()
    elif task == "running max":
        target = np.maximum.accumulate(tokens, axis=1)
    return ag.tensor(tokens), ag.tensor(target)


def accuracy(model, task, n=2000):
    tokens, target = make_batch(task, n)
    with ag.no_grad():
        scores, _ = model(tokens)
    return np.mean(scores.numpy().argmax(-1) == target.numpy())


def train(model, task, steps=250, batch=64, lr=1e-2):
    opt = optim.Adam(model.parameters(), lr=lr)
    losses = []
    t0 = time.perf_counter()
    for _ in range(steps):
        tokens, target = make_batch(task, batch)   # fresh random sequences every step
        scores, _ = model(tokens)
        loss = F.cross_entropy(scores.reshape(-1, VOCAB), target.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    print(f"{task!r}: {steps} steps in {time.perf_counter() - t0:.1f} s, final loss {losses[-1]:.4f}, "
          f"accuracy on 2000 new sequences {accuracy(model, task):.1%}")
    return losses


example = ag.tensor(np.array([[3, 7, 1, 9, 4, 0, 6, 2]]))


def attention_map(ax, model, title, tokens=example):
    with ag.no_grad():
        _, w = model(tokens)
    ax.imshow(w.numpy()[0], cmap="Blues", vmin=0, vmax=1)
    ticks = [f"{t}" for t in tokens.numpy()[0]]
    ax.set(title=title, xticks=range(LENGTH), yticks=range(LENGTH), xticklabels=ticks,
           yticklabels=ticks, xlabel="key (token looked at)", ylabel="query (token looking)")

# %% [markdown]
# Before training, the attention weights are arbitrary. We keep a picture of them, train
# for 250 steps of Adam on fresh random batches of 64 sequences, and draw them again for
# the example sequence 3 7 1 9 4 0 6 2:

# %%
ag.manual_seed(0)
max_model = TinyAttention()
fig, axes = plt.subplots(1, 2, figsize=(9, 4))
attention_map(axes[0], max_model, "Find the max: before training")
max_losses = train(max_model, "max")
attention_map(axes[1], max_model, "Find the max: after training")
fig.suptitle("Attention weights of the example sequence (rows sum to 1)")
plt.show()

# %% [markdown]
# After training, every query puts (nearly) all its weight on the key of the 9, the
# largest digit, and so every position receives the 9's value and outputs "9". The
# model learned to *compare* digits it was only given as symbols. We can see how: the
# score a query digit $a$ gives a key digit $b$ (before the softmax) depends on both
# through the learned embeddings and projections. Here it is for all pairs:

# %%
with ag.no_grad():
    emb = max_model.tok(ag.arange(VOCAB)).numpy()                  # (10, 32): each digit's vector
Wp = max_model.attn.in_proj_weight.detach().numpy()
bp = max_model.attn.in_proj_bias.detach().numpy()
q = emb @ Wp[:DIM].T + bp[:DIM]
k = emb @ Wp[DIM:2 * DIM].T + bp[DIM:2 * DIM]
digit_scores = q @ k.T / math.sqrt(DIM)

fig, ax = plt.subplots(figsize=(5, 4))
im = ax.imshow(digit_scores, cmap="coolwarm")
fig.colorbar(im, ax=ax, label="score")
ax.set(title="Learned scores: query digit vs key digit", xlabel="key digit b",
       ylabel="query digit a", xticks=range(10), yticks=range(10))
plt.show()
rising_from = min(b for b in range(VOCAB)
                  if np.all(np.diff(digit_scores[:, b:], axis=1) > 0))
print(f"every row rises steadily from key digit {rising_from} to 9; the largest score of "
      f"every row is for key digit {set(digit_scores.argmax(axis=1).tolist())}")

# %% [markdown]
# Whatever digit is asking, the scores rise steeply towards the large key digits, so the
# softmax concentrates on the largest digit present. The order among the small digits is
# left jumbled, and that costs nothing: the largest of 8 random digits is almost never
# small (all 8 are below 5 with probability $0.5^8 \approx 0.4\%$), so training never
# needed to sort them out. (If the largest digit occurs twice, its copies share the
# weight, and they pass on the same value.)
#
# And this model, which has no notion of position, is permutation-equivariant like the
# attention of section 2: shuffling an input sequence shuffles the outputs.

# %%
seq = rng.integers(0, VOCAB, size=(1, LENGTH))
shuffle = rng.permutation(LENGTH)
with ag.no_grad():
    out_seq, _ = max_model(ag.tensor(seq))
    out_shuffled, _ = max_model(ag.tensor(seq[:, shuffle]))
print("sequence:", seq[0], " shuffled:", seq[0, shuffle])
print("largest difference between shuffled outputs and outputs of the shuffled sequence:",
      f"{np.abs(out_seq.numpy()[:, shuffle] - out_shuffled.numpy()).max():.1e}")

# %% [markdown]
# ## 5. A task that needs positions: reverse the sequence
#
# Now the target at position $i$ is the token at position $7 - i$: the output should be
# the input backwards. This is easy to state with positions and **impossible** without
# them. The argument is the permutation property: position 0 sees its own token and the
# *set* of all tokens, nothing else. Take 3 7 1 9 4 0 6 2 and swap the 9 and the 2: the
# set is unchanged and so is position 0's token, so the model's output at position 0 is
# unchanged, yet the answer there changed from 2 to 9. Let us train the model of section 4
# on reversal anyway:

# %%
ag.manual_seed(0)
rev_plain = TinyAttention(positional=False)
rev_plain_losses = train(rev_plain, "reverse")

swapped = ag.tensor(np.array([[3, 7, 1, 2, 4, 0, 6, 9]]))
with ag.no_grad():
    for name, tokens in (("3 7 1 9 4 0 6 2", example), ("3 7 1 2 4 0 6 9", swapped)):
        predicted, _ = rev_plain(tokens)
        print(f"input {name}: prediction at position 0 = {predicted.numpy()[0, 0].argmax()}, "
              f"answer = {tokens.numpy()[0, -1]}")

# %% [markdown]
# As argued, the prediction at position 0 is the same for both inputs, so it is wrong for
# at least one of them. The accuracy stays far from 100%: the model can do little more
# than guess one of the digits present (which beats the 10% of a blind guess).
#
# ### Positional encoding
#
# The fix is to make position part of each token's vector, so that queries and keys can
# depend on it. The simplest way is a second embedding table, one learned vector $p_i$
# per position, added to the token's vector: $x_i = e(\text{token}_i) + p_i$. (The
# original transformer adds fixed sine and cosine waves of different frequencies instead;
# the effect is the same: tokens at different positions get different vectors.) This
# breaks the symmetry on purpose. The same model with `positional=True`, before any
# training, no longer just shuffles its outputs when its input is shuffled:

# %%
ag.manual_seed(0)
rev_pos = TinyAttention(positional=True)
with ag.no_grad():
    out_seq, _ = rev_pos(ag.tensor(seq))
    out_shuffled, _ = rev_pos(ag.tensor(seq[:, shuffle]))
print("with positions, largest difference between shuffled outputs and outputs of the "
      f"shuffled sequence: {np.abs(out_seq.numpy()[:, shuffle] - out_shuffled.numpy()).max():.2f}")

fig, axes = plt.subplots(1, 3, figsize=(13, 4.2))
attention_map(axes[0], rev_plain, "Reverse, no positions:\nafter training")
attention_map(axes[1], rev_pos, "Reverse, with positions:\nbefore training")
rev_pos_losses = train(rev_pos, "reverse")
attention_map(axes[2], rev_pos, "Reverse, with positions:\nafter training")
fig.suptitle("Attention weights of the example sequence 3 7 1 9 4 0 6 2")
plt.show()

# %% [markdown]
# Without positions, the trained attention is a blur: no key is more useful than another.
# With positions, each query puts (almost) all its weight on one key, the one at the
# mirrored position: an anti-diagonal. This is a lookup by *position*, not by content:
# the queries and keys match through their positional parts, and the value carries the
# token across.

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
for losses, name, color in ((max_losses, "find the max (no positions)", "tab:green"),
                            (rev_plain_losses, "reverse, no positions", "tab:red"),
                            (rev_pos_losses, "reverse, with positions", "tab:blue")):
    ax.plot(losses, label=name, color=color)
ax.axhline(math.log(10), color="k", lw=0.8, ls=":")
ax.text(248, math.log(10) + 0.05, "ln 10: blind guess", ha="right", va="bottom", fontsize=9)
ax.set(title="Training loss of the three attention models", xlabel="step",
       ylabel="cross-entropy", ylim=(0, 2.8))
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 6. The causal mask: no looking ahead
#
# A model that writes text one token at a time (GPT and friends) is trained to predict,
# at every position, something about what comes *next*, from the tokens *so far*. If
# position $i$ could attend to positions after it, it could simply read the answer. A
# **causal mask** forbids that: before the softmax, every score of a key in the future
# ($j > i$) is set to $-\infty$, so its weight $e^{-\infty} = 0$:
#
# $$\alpha_{ij} = \mathrm{softmax}_j\big(S_{ij} + M_{ij}\big), \qquad
#   M_{ij} = \begin{cases} 0 & j \le i \\ -\infty & j > i \end{cases}$$
#
# Back on the four tokens of section 1:

# %%
mask = np.triu(np.full((4, 4), -np.inf, dtype=np.float32), k=1)
masked_scores = scores + ag.tensor(mask)
causal_weights = masked_scores.softmax(-1)
H_causal = causal_weights @ V

fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
annotated(axes[0], mask, "Causal mask M", cmap="Greys", fmt="{:.0f}")
annotated(axes[1], masked_scores.detach().numpy(), "Masked scores S + M", cmap="coolwarm",
          vmin=-3, vmax=3)
annotated(axes[2], causal_weights.detach().numpy(), "Causal weights softmax(S + M)", vmin=0, vmax=1)
for ax in axes:
    ax.set(xlabel="key j", ylabel="query i")
fig.suptitle("The causal mask removes every key after the query")
plt.show()

fused_causal = F.scaled_dot_product_attention(Q, K, V, is_causal=True)
print("matches F.scaled_dot_product_attention(Q, K, V, is_causal=True):",
      np.allclose(H_causal.detach().numpy(), fused_causal.detach().numpy(), atol=1e-6))

# %% [markdown]
# Row 0 can only look at itself, row 3 at everything. As a consequence, changing a later
# token cannot change an earlier output. We replace the last token by a different vector
# and compare:

# %%
X_changed = ag.tensor(np.vstack([X.numpy()[:3], rng.normal(size=(1, 6)).astype(np.float32)]))
Qc, Kc, Vc = X_changed @ W_Q, X_changed @ W_K, X_changed @ W_V
H_changed = F.scaled_dot_product_attention(Qc, Kc, Vc, is_causal=True)
change = np.abs(H_changed.detach().numpy() - H_causal.detach().numpy()).max(axis=1)
print("largest change of each output row after changing token 3:", change)

# %% [markdown]
# Only the last row changed. This is what lets a language model be trained on all
# positions of a text at once: each position's prediction uses only the tokens before it.
#
# A causal task for our model: the **running maximum**, where the target at position $i$
# is the largest digit among positions $0..i$. It is the max task with the future hidden,
# so the same model, now with `causal=True` (and still without positions), should learn
# it just as quickly:

# %%
ag.manual_seed(0)
runmax_model = TinyAttention(causal=True)
fig, axes = plt.subplots(1, 2, figsize=(9, 4))
attention_map(axes[0], runmax_model, "Running max: before training")
runmax_losses = train(runmax_model, "running max")
attention_map(axes[1], runmax_model, "Running max: after training")
fig.suptitle("Causal attention weights of the example sequence (upper triangle is 0)")
plt.show()

# %% [markdown]
# Even before training, the upper triangle is empty: the mask, not learning, keeps the
# future out. After training, each query looks at the largest digit *so far*: 3, then 7
# for the next two positions, then 9 from position 3 on.
#
# ## What we saw
#
# * Attention computes, for every position, a weighted average of **values**, with
#   weights from a softmax over **query–key** dot products scaled by $1/\sqrt{d}$. By hand
#   it is four lines of tensor code, and `F.scaled_dot_product_attention` gives the same
#   outputs and gradients in one node.
# * Without positional information, self-attention is **permutation-equivariant**:
#   shuffling the tokens shuffles the outputs. A single query's summary $h$ (lecture 5's
#   attention), or the mean of the outputs, is **permutation-invariant**: it does not change
#   at all. Either way order is lost, which is fine for "find the max" and makes
#   "reverse the sequence" impossible.
# * Adding a learned **positional embedding** to each token fixes it: the reversal model
#   then learns an anti-diagonal attention map, a pure lookup by position.
# * A **causal mask** sets scores of future keys to $-\infty$, so no output depends on
#   later tokens.
#
# Real transformers stack many such layers, each with several heads, and wrap every
# attention layer and every MLP in a **residual connection** with a LayerNorm (notebook
# 12 shows why the skip connection matters): that is `nn.TransformerEncoderBlock`.
