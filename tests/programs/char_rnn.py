"""A character-level language model with an LSTM or a GRU, in the char-rnn / makemore style.

The text is cut into ``--batch-size`` parallel streams and read ``--seq-len`` characters at a
time (truncated backpropagation through time): the hidden state is carried from one batch to
the next and detached, so the graph never reaches back further than one batch. At the end
the model scores the words of the text one by one, padded to a batch and packed with
``pack_padded_sequence``, as sequence models of varying lengths do.

    python char_rnn.py --cell lstm --steps 10 --losses losses.json

For a run in lockstep with another library: ``--float64 --dropout 0`` and the initial weights
written by one run (``--save-init``) and read by the other (``--load-init``).
"""
import argparse
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

TEXT = """\
Rivers do not hurry and do not stop; they find the low road and keep it. A stone in the
current turns the water for a moment, and the water forgets the stone before the next bend.
Old maps draw the rivers in blue and the roads in red, and the roads follow the rivers.
"""


class CharRNN(nn.Module):
    """Embedding, a stack of recurrent layers, and a linear read-out per time step."""

    def __init__(self, vocab_size, n_embd, n_hidden, n_layers, cell="lstm", dropout=0.0,
                 tie_weights=False):
        super().__init__()
        self.cell = cell
        self.n_layers = n_layers
        self.n_hidden = n_hidden
        self.encoder = nn.Embedding(vocab_size, n_embd)
        rnn_type = {"lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rnn = rnn_type(n_embd, n_hidden, n_layers, batch_first=True,
                            dropout=dropout if n_layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.decoder = nn.Linear(n_hidden, vocab_size)
        if tie_weights:
            # "Using the Output Embedding to Improve Language Models" (Press & Wolf 2016)
            if n_hidden != n_embd:
                raise ValueError("When using the tied flag, n_hidden must be equal to n_embd")
            self.decoder.weight = self.encoder.weight
        self.init_weights()

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, idx, hidden):
        emb = self.drop(self.encoder(idx))          # (B, T, n_embd)
        output, hidden = self.rnn(emb, hidden)      # (B, T, n_hidden)
        output = self.drop(output)
        return self.decoder(output), hidden         # (B, T, vocab)

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        if self.cell == "lstm":
            return (weight.new_zeros(self.n_layers, bsz, self.n_hidden),
                    weight.new_zeros(self.n_layers, bsz, self.n_hidden))
        return weight.new_zeros(self.n_layers, bsz, self.n_hidden)


def repackage_hidden(h):
    """Cut the hidden state from the graph of the batch that made it."""
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def batchify(data, bsz):
    """(N,) -> (bsz, N // bsz): row b is the b-th contiguous stretch of the text."""
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).contiguous()


def get_batch(source, i, seq_len):
    seq_len = min(seq_len, source.size(1) - 1 - i)
    return source[:, i:i + seq_len], source[:, i + 1:i + 1 + seq_len]


@torch.no_grad()
def word_loss(model, words, stoi):
    """Mean cross-entropy of predicting each word's characters from its first one, with the
    words padded into one batch and packed so that padding never reaches the recurrence."""
    model.eval()
    seqs = [torch.tensor([stoi[c] for c in w]) for w in words]
    lengths = torch.tensor([len(q) - 1 for q in seqs])
    inputs = pad_sequence([q[:-1] for q in seqs], batch_first=True, padding_value=0)
    targets = pad_sequence([q[1:] for q in seqs], batch_first=True, padding_value=-1)
    emb = model.encoder(inputs)
    packed = pack_padded_sequence(emb, lengths, batch_first=True, enforce_sorted=False)
    out, _ = model.rnn(packed)
    out, out_lengths = pad_packed_sequence(out, batch_first=True)
    assert out_lengths.tolist() == lengths.tolist()
    logits = model.decoder(out)
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1), ignore_index=-1)
    model.train()
    return loss.item()


@torch.no_grad()
def greedy(model, start, n):
    """The ``n`` most likely next characters, one at a time, from ``start``."""
    model.eval()
    idx = torch.tensor([[start]], dtype=torch.long)
    hidden = model.init_hidden(1)
    out = [start]
    for _ in range(n):
        logits, hidden = model(idx, hidden)
        nxt = logits[:, -1, :].argmax(dim=-1, keepdim=True)
        out.append(nxt.item())
        idx = nxt
    model.train()
    return out


@torch.no_grad()
def sample(model, start, n, temperature=1.0):
    model.eval()
    idx = torch.full((1, 1), start, dtype=torch.long)
    hidden = model.init_hidden(1)
    out = []
    for _ in range(n):
        logits, hidden = model(idx, hidden)
        probs = F.softmax(logits[:, -1, :] / temperature, dim=-1)
        idx = torch.multinomial(probs, num_samples=1)
        out.append(idx.item())
    model.train()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", choices=["lstm", "gru"], default="lstm")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--seq-len", type=int, default=12)
    parser.add_argument("--n-embd", type=int, default=16)
    parser.add_argument("--n-hidden", type=int, default=32)
    parser.add_argument("--n-layers", type=int, default=2)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--tied", action="store_true", help="tie the embedding and the read-out")
    parser.add_argument("--optimizer", choices=["adamw", "manual-sgd"], default="adamw",
                        help="AdamW, or plain SGD written out over the parameters")
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--clip", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=1111)
    parser.add_argument("--float64", action="store_true", help="compute in float64")
    parser.add_argument("--save-init", metavar="PATH", help="save the initial state_dict here (after --load-init)")
    parser.add_argument("--load-init", metavar="PATH", help="start from this state_dict")
    parser.add_argument("--losses", metavar="PATH", help="write the losses to this JSON file")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    if args.float64:
        torch.set_default_dtype(torch.float64)

    chars = sorted(set(TEXT))
    stoi = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([stoi[c] for c in TEXT]).type(torch.int64)
    train_data = batchify(ids, args.batch_size)

    model = CharRNN(len(chars), args.n_embd, args.n_hidden, args.n_layers, args.cell, args.dropout,
                    tie_weights=args.tied)
    print(model)
    if args.load_init:
        model.load_state_dict(torch.load(args.load_init))
    if args.save_init:
        torch.save(model.state_dict(), args.save_init)
    optimizer = None
    if args.optimizer == "adamw":
        optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.99), eps=1e-8,
                                      weight_decay=0.01)

    history = {"losses": [], "grad_norm": []}
    model.train()
    hidden = model.init_hidden(args.batch_size)
    i = 0
    for step in range(args.steps):
        if i >= train_data.size(1) - 1:
            i = 0  # a new pass over the text starts from a fresh state
            hidden = model.init_hidden(args.batch_size)
        data, targets = get_batch(train_data, i, args.seq_len)
        i += data.size(1)
        hidden = repackage_hidden(hidden)
        model.zero_grad()
        logits, hidden = model(data, hidden)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        if optimizer is not None:
            optimizer.step()
        else:
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-args.lr)
        history["losses"].append(loss.item())
        history["grad_norm"].append(float(norm))
        print(f"step {step:2d} | loss {loss.item():5.3f} | ppl {np.exp(loss.item()):7.2f}")

    words = sorted({w.strip(".,;:") for w in TEXT.split() if len(w.strip(".,;:")) > 2})[:8]
    history["word_loss"] = [word_loss(model, words, stoi)]
    print(f"loss on {len(words)} words: {history['word_loss'][0]:.4f}")
    history["greedy"] = greedy(model, stoi["R"], 20)
    print(repr("".join(chars[i] for i in history["greedy"])))
    print(repr("".join(chars[i] for i in sample(model, stoi["R"], 20, temperature=0.8))))
    if args.losses:
        with open(args.losses, "w") as f:
            json.dump(history, f)


if __name__ == "__main__":
    main()
