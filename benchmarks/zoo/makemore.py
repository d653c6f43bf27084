"""The character-level MLP of makemore (Bengio et al. 2003 style): the previous 16
characters embedded 27 x 64, the embeddings flattened, Linear(1024, 512), tanh,
Linear(512, 27), cross-entropy over the next character; batch 32, AdamW as makemore.
"""
from __future__ import annotations

NAME = "makemore"
TITLE = "char MLP: emb 27x64, context 16, hidden 512, B=32, AdamW"
STEPS = (20, 200)

VOCAB, N_EMBD, CONTEXT, HIDDEN, BATCH = 27, 64, 16, 512, 32


def data(rng):
    import numpy as np
    return {"x": rng.integers(0, VOCAB, (BATCH, CONTEXT)).astype(np.int64),
            "y": rng.integers(0, VOCAB, BATCH).astype(np.int64)}


def build(L):
    nn = L.nn

    class CharMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(VOCAB, N_EMBD)
            self.mlp = nn.Sequential(nn.Linear(CONTEXT * N_EMBD, HIDDEN), nn.Tanh(),
                                     nn.Linear(HIDDEN, VOCAB))

        def forward(self, idx):
            e = self.emb(idx)                       # (B, CONTEXT, N_EMBD)
            return self.mlp(e.view(e.shape[0], -1))

    return {"model": CharMLP()}


def trainer(L, mods, batch):
    F, optim = L.F, L.optim
    model = mods["model"]
    opt = optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.01, betas=(0.9, 0.99), eps=1e-8)
    x, y = batch["x"], batch["y"]

    def step():
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    return step
