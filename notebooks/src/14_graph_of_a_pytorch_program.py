# %% [markdown]
# # 14. The graph of a PyTorch program
#
# The earlier notebooks drew graphs of code written for autograd-core. But most code that
# trains a network is written for PyTorch: `import torch`, a model class built from
# `torch.nn` layers, a loss, `loss.backward()`, an optimizer step. This notebook takes such
# a program, **unchanged**, and draws the graph its first backward pass walks:
#
#     autograd-core run --graph graph.svg train.py [the script's own arguments]
#
# `autograd-core run` runs the script with `import torch` resolved to autograd-core. With
# `--graph`, it also:
#
# 1. keeps a stack of the `nn.Module`s being called while the script runs (PyTorch's
#    global module hooks, `register_module_forward_pre_hook` and
#    `register_module_forward_hook`), and records which tensors each call received and
#    returned;
# 2. at the script's first `backward()`, reads the graph from the loss, lets backward run,
#    and draws it: each module a cluster named as the model names it
#    (`blocks.0.fc1`, as in `model.named_modules()`), each tensor with its shape,
#    inputs, parameters and the loss coloured as `draw_graph` colours them;
# 3. stops the script there (one step is all the picture needs); `--continue` lets it run
#    on to its end.
#
# The plan: the program; its graph; the same graph with its modules collapsed into boxes,
# as a ResNet or a GPT needs; the chain rule written out with `--explain`; and `--continue`.

# %%
import os
import subprocess
import sys
import tempfile
import textwrap

from IPython.display import SVG, display

work = tempfile.mkdtemp(prefix="graph_of_a_program_")  # nothing is written into the repository


def autograd_core_run(*args):
    """``autograd-core run ARGS`` in a fresh process, as on the command line."""
    p = subprocess.run([sys.executable, "-m", "autograd_cli", "run", *args],
                       capture_output=True, text=True, cwd=work, timeout=120)
    print(p.stdout + p.stderr, end="")
    if p.returncode:
        print(f"(exit status {p.returncode})")


# %% [markdown]
# ## 1. A PyTorch program, written the usual way
#
# A small classifier with residual blocks: `depth` blocks computing
# $x + \mathrm{fc2}(\mathrm{relu}(\mathrm{fc1}(x)))$, a ReLU, and a linear head. Nothing in it knows about
# autograd-core: it is the program one would run with `python train.py` under PyTorch.

# %%
PROGRAM = textwrap.dedent('''\
    import argparse

    import torch
    import torch.nn as nn
    import torch.nn.functional as F


    class Block(nn.Module):
        def __init__(self, width):
            super().__init__()
            self.fc1 = nn.Linear(width, width)
            self.fc2 = nn.Linear(width, width)

        def forward(self, x):
            return x + self.fc2(F.relu(self.fc1(x)))


    class Net(nn.Module):
        def __init__(self, width, n_out, depth):
            super().__init__()
            self.blocks = nn.Sequential(*[Block(width) for _ in range(depth)])
            self.head = nn.Linear(width, n_out)

        def forward(self, x):
            return self.head(F.relu(self.blocks(x)))


    parser = argparse.ArgumentParser()
    parser.add_argument("--depth", type=int, default=2)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()

    torch.manual_seed(0)
    model = Net(width=16, n_out=3, depth=args.depth)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    inputs = torch.randn(8, 16)
    targets = torch.randint(0, 3, (8,))

    for step in range(args.steps):
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
    print(f"loss after {args.steps} steps: {loss.item():.4f}")
    ''')
script = os.path.join(work, "train.py")
with open(script, "w") as f:
    f.write(PROGRAM)

# %% [markdown]
# ## 2. Its graph
#
# One command runs the script up to its first `loss.backward()` and writes the picture.
# Everything after the script's name is the script's own: `--depth 1` gives a model with
# one residual block. Read the picture from the top: the input batch `inputs` (grey and dashed: it needs no gradient),
# then each module's cluster, labelled with its name in the model and its class, holding
# its parameters (amber, with their names and shapes) and the ops it ran (the small
# ellipses). `F.relu` inside `Block.forward` is drawn in its block's cluster, since the
# block's forward ran it; the `relu` in `Net.forward` belongs to the model itself and sits
# outside every cluster. The loss (green) is the output of the `criterion` module, named
# by the script's own variable, as are `inputs` and `loss`. Every box gives its tensor's
# shape (`--values` would add its values and gradient, summarised; they make every box
# wider, and the picture is about the program's structure).

# %%
autograd_core_run("--graph", "graph.svg", "train.py", "--depth", "1")
display(SVG(filename=os.path.join(work, "graph.svg")))

# %% [markdown]
# The script was stopped right after its first backward: the line it prints at the end
# did not appear. The numbers on the edges into `linear` say which input is which
# (1: the input, 2: the weight, 3: the bias). The format follows the file's extension: `.svg`, `.png`, `.pdf`, or
# `.dot` for the DOT text itself (the formats depend on the renderer found: Graphviz's
# `dot` writes more than `graphviz-pure`). An ending that is not one of them is refused
# before the script starts:

# %%
autograd_core_run("--graph", "graph.txt", "train.py")

# %% [markdown]
# ## 3. Bigger programs: modules collapsed into boxes
#
# A ResNet-18 runs about 70 ops in its forward pass and a GPT about 30 per block: drawn
# op by op, the picture would be a wall of boxes. So the picture is kept to at most
# `--max-nodes` boxes (24 by default), by this rule:
#
# 1. whole modules become one box each, at the **deepest module level that fits**: here
#    `blocks.0.fc1` and `blocks.0.fc2` (depth 3) before `blocks.0` (depth 2) before `blocks`;
#    each box gives the module's name and class, how many ops ran inside it, its number of
#    parameters, and the shapes it received (`in`) and returned (`out`); at a level where
#    one box per module is still too many, a run of numbered blocks of one class
#    (`blocks.0`, `blocks.1`, ...) is first tried as a single box (`blocks.0–3 · 4 × Block`);
# 2. if that is still too many, chains of ops used only once join their user's box;
# 3. at last, the ops farthest from the loss become one `… N earlier nodes` box.
#
# With `--max-nodes 12`, each block of our program becomes one box. Here with four blocks
# (`--depth 4`):

# %%
autograd_core_run("--graph", "collapsed.svg", "--max-nodes", "12", "train.py", "--depth", "4")
display(SVG(filename=os.path.join(work, "collapsed.svg")))

# %% [markdown]
# This is how a ResNet-18 comes out: one box per `BasicBlock` (`layer1.0`, `layer1.1`,
# ..., `layer4.1`) inside the clusters of `layer1` to `layer4`, and a GPT: one box per
# transformer block (`transformer.h.0`, ...), each with its shapes in and out. With room
# for only 8 boxes, the four blocks fold into one:

# %%
autograd_core_run("--graph", "folded.svg", "--max-nodes", "8", "train.py", "--depth", "4")
display(SVG(filename=os.path.join(work, "folded.svg")))

# %% [markdown]
# ## 4. The chain rule, step by step: `--explain`
#
# For a small graph, `--explain` also prints the backward pass one node at a time, as
# notebook 01 did for `(x + y) * z`: the upstream gradient arriving at each node, and what
# each input receives (local derivative × upstream gradient). Tensors are summarised by
# their mean and spread. With one block, the graph has 8 ops:

# %%
autograd_core_run("--graph", "one_block.svg", "--explain", "train.py", "--depth", "1")

# %% [markdown]
# Here `n1`, `n2`, ... name the intermediate tensors, written out once in the `where` line;
# the parameters keep their names from the model. The text grows with every op, so past
# 40 ops `--explain` says so and prints nothing more:

# %%
autograd_core_run("--graph", "deep.svg", "--explain", "train.py", "--depth", "12")

# %% [markdown]
# ## 5. Running on: `--continue`
#
# With `--continue`, the picture is written at the first backward and the script then
# runs to its end, exactly as `autograd-core run train.py` would: here its 200 training
# steps and its last line.

# %%
autograd_core_run("--graph", "graph.svg", "--continue", "train.py")

# %% [markdown]
# ## Summary
#
# * `autograd-core run --graph FILE script.py [args]` draws the first backward pass of an
#   unmodified PyTorch program; the script stops there unless `--continue`.
# * Modules are clusters named as in the model, found by watching which module's forward
#   made each tensor; inputs, parameters and the loss are coloured as in `draw_graph`.
# * Past `--max-nodes` boxes (default 24), modules collapse into boxes, deepest level
#   first, each with its op count, parameter count and shapes in and out.
# * `--explain` writes out the chain rule for graphs of up to 40 ops.
