"""A two-layer graph convolutional network (Kipf and Welling) classifying the nodes of a
citation-like graph, as PyTorch's GCN example and pygcn train one: sparse adjacency and
feature matrices, ``spmm`` in every layer.

The graph is synthetic, at Cora's sizes by default (2708 nodes, 1433 binary features,
5429 links, 7 classes): node features are sparse bags of words whose words lean towards the
node's class, and links join nodes of one class more often than not. The adjacency gets
self-loops and the symmetric normalisation D^-1/2 (A + I) D^-1/2; the features are scaled
to rows summing to one, by a sparse diagonal matrix. The whole graph is one batch; the loss
is the NLL of the log-softmax on the training nodes, Adam with weight decay.

    python gcn.py --epochs 200 --losses losses.json

``--adjacency legacy`` builds the adjacency with ``torch.sparse.FloatTensor(indices, values,
size)`` from coalesced NumPy triplets, as pygcn does; the default adds a dense identity to a
``sparse_coo_tensor`` and converts back with ``to_sparse``, as the PyTorch example does.
For a run in lockstep with another library: ``--float64 --dropout 0`` and the initial
weights written by one run (``--save-init``) and read by the other (``--load-init``).
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim import Adam


class GraphConv(nn.Module):
    """H' = A_hat @ (H @ W) + b, with A_hat the normalised adjacency (sparse) and H dense or
    sparse."""

    def __init__(self, n_in, n_out, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out))
        nn.init.xavier_uniform_(self.weight)
        self.bias = nn.Parameter(torch.zeros(n_out)) if bias else None

    def forward(self, h, adj):
        support = torch.mm(h, self.weight)
        out = torch.spmm(adj, support)
        return out + self.bias if self.bias is not None else out


class GCN(nn.Module):
    def __init__(self, n_features, n_hidden, n_classes, dropout):
        super().__init__()
        self.gc1 = GraphConv(n_features, n_hidden)
        self.gc2 = GraphConv(n_hidden, n_classes)
        self.dropout = dropout

    def forward(self, x, adj):
        x = F.relu(self.gc1(x, adj))
        x = F.dropout(x, self.dropout, training=self.training)
        return F.log_softmax(self.gc2(x, adj), dim=1)


def make_graph(rng, n_nodes, n_features, n_links, n_classes):
    """Labels, a (nodes, features) 0/1 matrix and the (2, links) node pairs of the links."""
    labels = rng.integers(n_classes, size=n_nodes)
    lean = rng.random((n_classes, n_features)) < 0.05           # each class's favourite words
    p = np.where(lean[labels], 0.08, 0.008)
    features = (rng.random((n_nodes, n_features)) < p).astype(np.float64)
    src = rng.integers(n_nodes, size=n_links)
    same = rng.random(n_links) < 0.8
    by_class = [np.flatnonzero(labels == c) for c in range(n_classes)]
    dst = np.array([rng.choice(by_class[labels[s]]) if k else rng.integers(n_nodes)
                    for s, k in zip(src, same)])
    return labels, features, np.stack([src, dst])


def normalised_adjacency(links, n, dtype, legacy):
    """D^-1/2 (A + I) D^-1/2 of the undirected graph of ``links``, as a sparse tensor."""
    if legacy:   # pygcn: symmetric 0/1 matrix from NumPy triplets, then the diagonal scaling
        pairs = np.unique(np.concatenate([links, links[::-1], np.tile(np.arange(n), (2, 1))],
                                         axis=1), axis=1)
        deg = np.bincount(pairs[0], minlength=n).astype(np.float64)
        inv_sqrt = deg ** -0.5
        values = inv_sqrt[pairs[0]] * inv_sqrt[pairs[1]]
        indices = torch.from_numpy(pairs.astype(np.int64))
        values = torch.from_numpy(values.astype(dtype))
        ctor = torch.sparse.DoubleTensor if dtype == np.float64 else torch.sparse.FloatTensor
        return ctor(indices, values, torch.Size([n, n]))
    both = np.concatenate([links, links[::-1]], axis=1)
    adj = torch.sparse_coo_tensor(both, torch.ones(both.shape[1]), (n, n), dtype=torch.int64)
    adj = torch.eye(n) + adj                     # dense: repeated links count twice
    adj = (adj > 0).to(torch.get_default_dtype())
    degree = torch.sum(adj, dim=1)
    scale = torch.diag(torch.sqrt(1 / degree)).to_sparse()
    return (scale @ adj @ scale).to_sparse()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--nodes', type=int, default=2708)
    parser.add_argument('--features', type=int, default=1433)
    parser.add_argument('--links', type=int, default=5429)
    parser.add_argument('--classes', type=int, default=7)
    parser.add_argument('--hidden', type=int, default=16)
    parser.add_argument('--dropout', type=float, default=0.5)
    parser.add_argument('--lr', type=float, default=0.01)
    parser.add_argument('--weight-decay', type=float, default=5e-4)
    parser.add_argument('--epochs', type=int, default=12)
    parser.add_argument('--adjacency', choices=['example', 'legacy'], default='example')
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--float64', action='store_true', help='compute in float64')
    parser.add_argument('--save-init', metavar='PATH', help='save the initial state_dict here (after --load-init)')
    parser.add_argument('--load-init', metavar='PATH', help='start from this state_dict')
    parser.add_argument('--losses', metavar='PATH', help='write the losses to this JSON file')
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    if args.float64:
        torch.set_default_dtype(torch.float64)
    dtype = np.float64 if args.float64 else np.float32
    rng = np.random.default_rng(args.seed)
    device = torch.device('cpu')

    labels, features, links = make_graph(rng, args.nodes, args.features, args.links, args.classes)
    adj = normalised_adjacency(links, args.nodes, dtype, args.adjacency == 'legacy').to(device)
    x = torch.tensor(features, dtype=torch.get_default_dtype())
    row_scale = 1 / torch.sum(x, dim=1)
    row_scale[row_scale == float('inf')] = 0
    x = (torch.diag(row_scale).to_sparse() @ x).to_sparse().to(device)
    target = torch.from_numpy(labels).to(device)
    order = torch.from_numpy(rng.permutation(args.nodes))
    n_test = args.nodes // 3
    idx_test, idx_val, idx_train = order[:n_test], order[n_test:n_test + 500], order[n_test + 500:]
    assert adj.is_sparse and x.is_sparse and adj.layout == torch.sparse_coo

    model = GCN(args.features, args.hidden, args.classes, args.dropout).to(device)
    if args.load_init:
        model.load_state_dict(torch.load(args.load_init))
    if args.save_init:
        torch.save(model.state_dict(), args.save_init)
    optimizer = Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    criterion = nn.NLLLoss()

    def evaluate(idx):
        model.eval()
        with torch.no_grad():
            out = model(x, adj)[idx]
            loss = criterion(out, target[idx])
            acc = (out.argmax(dim=1) == target[idx]).float().sum() / len(idx)
        return loss.item(), acc.item()

    history = {"losses": [], "val_loss": [], "val_acc": []}
    for epoch in range(1, args.epochs + 1):
        start = time.time()
        model.train()
        optimizer.zero_grad()
        output = model(x, adj)
        loss = criterion(output[idx_train], target[idx_train])
        loss.backward()
        optimizer.step()
        val_loss, val_acc = evaluate(idx_val)
        history["losses"].append(loss.item())
        history["val_loss"].append(val_loss)
        history["val_acc"].append(val_acc)
        print(f'Epoch: {epoch:04d} ({time.time() - start:.4f}s) loss_train: {loss.item():.4f} '
              f'loss_val: {val_loss:.4f} acc_val: {val_acc:.4f}')
    test_loss, test_acc = evaluate(idx_test)
    history["test"] = [test_loss, test_acc]
    print(f'Test set results: loss {test_loss:.4f} accuracy {test_acc:.4f}')
    if args.losses:
        with open(args.losses, "w") as f:
            json.dump(history, f)


if __name__ == "__main__":
    main()
