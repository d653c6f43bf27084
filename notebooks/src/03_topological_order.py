# %% [markdown]
# # 3. Why `backward()` goes in topological order
#
# Backpropagation sounds simple: every node hands its gradient to its parents, each
# multiplied by the local derivative. The subtle part is **when** a node may do that. A
# value used in several places receives a piece of gradient from each use, and it may only
# pass its gradient on once *all* the pieces have arrived. Get the timing wrong and the
# gradients are wrong, or right but exponentially slow.
#
# This notebook shows:
#
# 1. the `b = a + a; c = b + b` trap, and a naive recursive backward that falls into it;
# 2. two more naive versions: one that forgets to add, one that is right but slow;
# 3. the fix, **topological order**, and the order `autograd_core` computes;
# 4. why that order is computed *without* recursion: a chain 100,000 operations deep.

# %%
import inspect
import math
import sys
import time

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch

import autograd_core as ag
from autograd_core import Value
from autograd_core.autograd.engine import toposort

plt.rcParams.update({"figure.dpi": 80, "figure.figsize": (5, 3.5),
                     "figure.constrained_layout.use": True})  # laid out: nothing sticks out of a figure


def parents(v):
    """The parents of a Value, once per use (a + a lists a twice)."""
    return v._prev


def draw_dag(ax, pos, edges, title, labels=None):
    """Nodes at pos {name: (x, y)}, arrows parent -> child; repeated edges are bent apart."""
    seen = {}
    for src, dst in edges:
        k = seen.get((src, dst), 0)
        seen[(src, dst)] = k + 1
        n = edges.count((src, dst))
        rad = 0.0 if n == 1 else (-0.35 + 0.7 * k / (n - 1))
        ax.add_patch(FancyArrowPatch(pos[src], pos[dst], connectionstyle=f"arc3,rad={rad}",
                                     arrowstyle="-|>", mutation_scale=14, lw=1.3, color="0.3",
                                     shrinkA=17, shrinkB=17))
    for name, (x, y) in pos.items():
        ax.scatter([x], [y], s=900, c="#fdd49e", edgecolors="k", zorder=3)
        ax.text(x, y, (labels or {}).get(name, name), ha="center", va="center", zorder=4, fontsize=11)
    xs, ys = zip(*pos.values())
    ax.set(xlim=(min(xs) - 0.6, max(xs) + 0.6), ylim=(min(ys) - 0.8, max(ys) + 0.8), title=title)
    ax.set_aspect("equal")
    ax.axis("off")

# %% [markdown]
# ## 1. The trap: `b = a + a`, `c = b + b`
#
# Take one number $a$, add it to itself to get $b$, and add $b$ to itself to get $c$.
# Then $c = 2b = 4a$, so the answer we want is
#
# $$\frac{dc}{da} = 4.$$
#
# As a graph, each value is *used twice*: two arrows leave $a$, two arrows leave $b$.

# %%
fig, ax = plt.subplots(figsize=(5, 1.8))
draw_dag(ax, {"a": (0, 0), "b": (1.6, 0), "c": (3.2, 0)},
         [("a", "b"), ("a", "b"), ("b", "c"), ("b", "c")],
         "b = a + a and c = b + b: every value is used twice")
plt.show()

# %% [markdown]
# By the chain rule, the derivative of $c$ with respect to $a$ is the **sum over every path**
# from $a$ to $c$ of the product of the local derivatives along it. Each `+` has local
# derivative 1 on each side, and there are $2 \times 2 = 4$ paths, so $dc/da = 4$.
#
# The engine agrees (and so does a finite-difference check):

# %%
a = Value(3.0, label="a")
b = a + a
c = b + b
c.backward()
print(f"engine:    c = {c.data},  dc/db = {b.grad},  dc/da = {a.grad}")
print("gradcheck:", ag.gradcheck(lambda a: (a + a) + (a + a), Value(3.0)))

# %% [markdown]
# ## 2. A naive recursive backward
#
# Here is the most natural way to write backward recursively: a node gives each parent its
# share, `local derivative × my gradient`, and immediately tells that parent to carry on
# backwards. Each node passes its gradient on **as soon as it gets some**.

# %%
def fresh_trap():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    c = b + b
    c.label = "c"
    return a, b, c


def naive_backward(node, trace):
    for parent, local in zip(node._prev, node._local):
        parent.grad += local * node.grad       # hand the parent its share ...
        trace.append(f"{node.label} -> {parent.label}: {parent.label}.grad is now {parent.grad:g}")
        naive_backward(parent, trace)          # ... and let it pass its gradient on right away


a, b, c = fresh_trap()
c.grad = 1.0
trace = []
naive_backward(c, trace)
print("\n".join(trace))
print(f"\nnaive: dc/da = {a.grad:g}   (the right answer is 4)")

# %% [markdown]
# **What went wrong.** Follow the trace. $c$ gives $b$ its first share, so `b.grad` = 1, and
# $b$ at once passes that 1 on to $a$ twice. Then $c$ gives $b$ its second share: `b.grad`
# = 2 is now complete and correct, and $b$ passes *all of it* on again, twice. The first
# share reached $a$ twice: $a$ got $1 + 1 + 2 + 2 = 6$.
#
# The rule we broke: **a node must not pass its gradient on until every use of it has
# reported back.** Until then its gradient is incomplete.
#
# ## 3. Two more ways to get it wrong
#
# **Forgetting to add.** A value used twice must receive the *sum* of the two pieces (the
# multivariable chain rule). Writing `=` instead of `+=`, one piece overwrites the other,
# even when the nodes are visited in the right order:

# %%
a, b, c = fresh_trap()
c.grad = 1.0
for node in (c, b):                             # the right order, but ...
    for parent, local in zip(node._prev, node._local):
        parent.grad = local * node.grad          # ... '=' instead of '+='
print(f"overwriting: dc/db = {b.grad:g}, dc/da = {a.grad:g}   (right: 2 and 4)")

# %% [markdown]
# **Path by path.** We can repair the naive recursion by passing on only the *new* piece
# that just arrived, instead of the node's whole gradient so far. Then each path from $c$ to
# $a$ is followed once, and the sum over paths is exactly the chain rule: the answer is
# right.

# %%
def path_backward(node, upstream, counter):
    counter[0] += 1
    node.grad += upstream
    for parent, local in zip(node._prev, node._local):
        path_backward(parent, local * upstream, counter)   # only the new piece travels


a, b, c = fresh_trap()
calls = [0]
path_backward(c, 1.0, calls)
print(f"path by path: dc/da = {a.grad:g}  (right), using {calls[0]} calls for 3 nodes")

# %% [markdown]
# Right, but look at the cost: 7 calls for 3 nodes. It follows every *path*, and the number
# of paths doubles with every level of the graph. Extend the trap to a ladder of $d$ levels,
# $x_{k+1} = x_k + x_k$: there are $2^d$ paths from the top to $x_0$, while the graph has
# only $d + 1$ nodes.

# %%
def ladder(depth):
    x0 = Value(1.0)
    x = x0
    for _ in range(depth):
        x = x + x
    return x0, x


depths = list(range(1, 17))
path_calls, path_seconds = [], []
for d in depths:
    x0, top = ladder(d)
    calls = [0]
    t0 = time.perf_counter()
    path_backward(top, 1.0, calls)
    path_seconds.append(time.perf_counter() - t0)
    path_calls.append(calls[0])
    assert x0.grad == 2.0 ** d   # right every time ...

x0, top = ladder(16)
t0 = time.perf_counter()
top.backward()
engine_s = time.perf_counter() - t0
print(f"depth 16: path by path {path_calls[-1]:,} calls, {path_seconds[-1] * 1e3:.0f} ms;  "
      f"engine 17 nodes, {engine_s * 1e3:.2f} ms; both give dx16/dx0 = {x0.grad:g}")

fig, ax = plt.subplots(figsize=(5, 3.3))
ax.semilogy(depths, path_calls, "o-", label="path by path (recursive)")
ax.semilogy(depths, [d + 1 for d in depths], "s-", label="topological order (engine)")
ax.set(title="Nodes visited by backward on the doubling ladder", xlabel="depth d",
       ylabel="node visits (log scale)")
ax.legend()
plt.show()

# %% [markdown]
# ... so a network of a few dozen layers, where activations are reused by many units, would
# never finish. We want each node to be handled **exactly once**, after its gradient is
# complete.
#
# ## 4. The fix: topological order
#
# List the nodes so that every node comes **after all of its parents** (the inputs it was
# computed from). That is a *topological order*, and the forward pass follows one. Walk the
# list **backwards**, from the output to the inputs: when we reach a node, every node that
# uses it lies later in the list, so it has already been processed and has already added its
# share. The node's gradient is complete, and it passes it on exactly once.
#
# This is `Value.backward` in `autograd_core`, in full:

# %%
print(inspect.getsource(Value.backward))

# %% [markdown]
# For the trap the order is simply `a, b, c`; walking it backwards, $c$ gives $b$ 1 + 1 = 2,
# then $b$ (now complete) gives $a$ 2 + 2 = 4.

# %%
a, b, c = fresh_trap()
print("topological order:", [v.label for v in toposort([c], parents)])

# %% [markdown]
# A slightly bigger graph makes the order more interesting. A neuron computes
# $p = x w$, $n = p + b$, $o = \tanh(n)$, and we then reuse $p$: $L = o \cdot p$. Below, the
# nodes are drawn left to right in the order `toposort` returns them. **Every arrow points
# to the right**: each node is placed after the nodes it was computed from. Backward visits
# the same row from right to left.

# %%
x, w, bias = Value(0.5, label="x"), Value(-1.5, label="w"), Value(0.3, label="b")
p = x * w; p.label = "p = x*w"
n = p + bias; n.label = "n = p+b"
o = n.tanh(); o.label = "o = tanh n"
L = o * p; L.label = "L = o*p"

order = toposort([L], parents)
print("topological order:", [v.label for v in order])

pos = {v.label: (1.7 * i, 0) for i, v in enumerate(order)}
edges = [(par.label, v.label) for v in order for par in v._prev]
fig, ax = plt.subplots(figsize=(8.5, 2.4))
for src, dst in edges:  # arcs above the row, long jumps a little higher
    x0_, x1_ = pos[src][0], pos[dst][0]
    height = 0.3 + 0.1 * (x1_ - x0_)
    ax.add_patch(FancyArrowPatch((x0_, 0), (x1_, 0), arrowstyle="-|>", mutation_scale=13,
                                 connectionstyle=f"arc3,rad={-2 * height / (x1_ - x0_)}",
                                 lw=1.2, color="0.3", shrinkA=16, shrinkB=16))
for name, (xx, yy) in pos.items():
    ax.scatter([xx], [yy], s=1100, c="#fdd49e", edgecolors="k", zorder=3)
    ax.text(xx, yy - 0.42, name, ha="center", va="top", fontsize=9)
    ax.text(xx, yy, str([v.label for v in order].index(name)), ha="center", va="center",
            zorder=4, fontsize=10)
ax.annotate("", xy=(0, -0.95), xytext=(pos[L.label][0], -0.95),
            arrowprops={"arrowstyle": "->", "color": "tab:red", "lw": 1.5})
ax.text(pos[L.label][0] / 2, -1.05, "backward visits the nodes right to left", color="tab:red",
        ha="center", va="top")
ax.set(xlim=(-0.8, pos[L.label][0] + 0.8), ylim=(-1.4, 1.5),
       title="Topological order of L = tanh(x*w + b) * (x*w): every arrow points right")
ax.axis("off")
plt.show()

# %% [markdown]
# $p$ is used twice (by $n$ and by $L$), so its gradient has two pieces; both arrive before
# the backward walk reaches $p$. The engine's gradients match finite differences:

# %%
L.backward()
print(f"engine: dL/dx = {x.grad:.6f}, dL/dw = {w.grad:.6f}, dL/db = {bias.grad:.6f}")
print("gradcheck:", ag.gradcheck(lambda x, w, b: (x * w + b).tanh() * (x * w),
                                 (Value(0.5), Value(-1.5), Value(0.3))))

# %% [markdown]
# ## 5. Sorting without recursion: a very deep chain
#
# The usual way to compute a topological order is a recursive depth-first search, as in
# micrograd: visit all of a node's parents, then append the node.

# %%
def toposort_recursive(root):
    order, visited = [], set()

    def visit(v):
        if v not in visited:
            visited.add(v)
            for parent in v._prev:
                visit(parent)
            order.append(v)

    visit(root)
    return order


a, b, c = fresh_trap()
print("recursive order:", [v.label for v in toposort_recursive(c)])

# %% [markdown]
# It is correct, but each level of the graph costs one Python stack frame, and Python
# refuses to go deeper than `sys.getrecursionlimit()` frames. Deep graphs are not exotic: a
# recurrent network unrolled over a long sequence, or a simulation stepped in a loop, builds
# a chain as long as the loop. Here is a chain of 100,000 multiplications,
# $y = x \cdot 1.00001 \cdot 1.00001 \cdots$, whose derivative is $dy/dx = 1.00001^{100000}
# \approx e$:

# %%
N = 100_000
x = Value(1.0, label="x")
y = x
for _ in range(N):
    y = y * 1.00001

print("Python's recursion limit here:", sys.getrecursionlimit())
try:
    toposort_recursive(y)
    print("the recursive sort finished")
except RecursionError as err:
    print(f"the recursive sort fails: RecursionError: {err}")

# %% [markdown]
# Raising the limit with `sys.setrecursionlimit` only moves the wall, and set too high it
# can crash the interpreter outright instead of raising an error. `autograd_core.autograd.engine.toposort`
# does the same depth-first search with an **explicit stack**, a Python list, so its depth
# is limited only by memory:

# %%
print(inspect.getsource(toposort))

# %%
t0 = time.perf_counter()
y.backward()
seconds = time.perf_counter() - t0
print(f"engine backward through {N:,} operations: {seconds:.2f} s")
print(f"dy/dx = {x.grad:.10f}")
print(f"exact = {1.00001 ** N:.10f}   (e = {math.e:.10f})")

# %% [markdown]
# Tensors share the same `toposort`, so a chain of 100,000 tensor operations works too:

# %%
xt = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
yt = xt
t0 = time.perf_counter()
for _ in range(N):
    yt = yt * 1.00001
yt.sum().backward()
print(f"{N:,} tensor ops, forward + backward: {time.perf_counter() - t0:.1f} s;  "
      f"x.grad = {xt.grad.numpy()}")

# %% [markdown]
# How long do the two sorts take as the chain grows? The iterative sort's time grows in
# proportion to the number of nodes; the recursive one keeps up with it until the recursion
# limit and then stops working altogether.

# %%
def chain(n):
    v = Value(1.0)
    for _ in range(n):
        v = v * 1.00001
    return v


sizes = [300, 1_000, 2_000, 3_000, 10_000, 30_000, 100_000]
iterative_s, recursive_s = [], []
for n in sizes:
    top = chain(n)
    t0 = time.perf_counter()
    toposort([top], parents)
    iterative_s.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    try:
        toposort_recursive(top)
        recursive_s.append(time.perf_counter() - t0)
    except RecursionError:
        recursive_s.append(None)

fig, ax = plt.subplots(figsize=(7.5, 3.5))
ax.loglog(sizes, iterative_s, "s-", label="explicit stack (autograd_core)")
ok = [(n, s) for n, s in zip(sizes, recursive_s) if s is not None]
ax.loglog(*zip(*ok), "o-", label="recursive (micrograd style)")
failed = [n for n, s in zip(sizes, recursive_s) if s is None]
floor = min(iterative_s) / 3
ax.scatter(failed, [floor] * len(failed), marker="x", s=80, c="tab:red", zorder=3,
           label="recursive: RecursionError, no result")
ax.axvline(sys.getrecursionlimit(), color="gray", ls="--", lw=1)
ax.text(sys.getrecursionlimit() * 0.9, max(iterative_s) * 2, "recursion\nlimit", color="gray",
        ha="right", va="top")
ax.set(title="Time to sort a chain of n operations", xlabel="chain length n",
       ylabel="seconds (log scale)", ylim=(floor / 2, max(iterative_s) * 3))
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1))   # beside the plot
plt.show()
print("recursive sort failed for n =", failed)

# %% [markdown]
# ## What we saw
#
# * A value used in several places gets a gradient from each use, and the pieces must be
#   **added** (`+=`, never `=`).
# * A node may pass its gradient on only when it is **complete**. Passing it on as soon as
#   some arrives double-counts ($dc/da = 6$ instead of 4); passing on each piece separately
#   is correct but follows every path, exponentially many.
# * Walking the nodes in **reverse topological order** handles each node once, after all of
#   its uses: correct, and as cheap as the forward pass.
# * The order is computed with an explicit stack, so a graph 100,000 operations deep is no
#   problem, where a recursive sort stops at Python's recursion limit.
