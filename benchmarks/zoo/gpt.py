"""A small GPT in the manner of nanoGPT / minGPT (char-level Shakespeare settings, smaller):
4 layers, 128 wide, 4 heads, block size 64, vocabulary 65, batch 16. Causal self-attention
written out (q @ k^T, ``masked_fill`` with a registered ``tril`` buffer, softmax, dropout,
@ v), an MLP with the tanh GELU written with ``pow``, pre-norm LayerNorm, the token
embedding tied to the output head, AdamW with weight decay on the matrices only, gradient
clipping at 1.0.
"""
from __future__ import annotations

import math

NAME = "gpt"
TITLE = "GPT 4x128, 4 heads, T=64, B=16, V=65, AdamW"
STEPS = (2, 10)

N_LAYER, N_HEAD, N_EMBD, BLOCK, VOCAB, BATCH = 4, 4, 128, 64, 65, 16
DROPOUT = 0.1


def data(rng):
    import numpy as np
    text = rng.integers(0, VOCAB, 200_000).astype(np.int64)   # a stand-in corpus
    ix = rng.integers(0, len(text) - BLOCK - 1, BATCH)
    x = np.stack([text[i:i + BLOCK] for i in ix])
    y = np.stack([text[i + 1:i + 1 + BLOCK] for i in ix])
    return {"x": x, "y": y}


def build(L):
    torch, nn, F = L.torch, L.nn, L.F
    p_drop = 0.0 if L.deterministic else DROPOUT

    def gelu(x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))

    class SelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(N_EMBD, 3 * N_EMBD)
            self.proj = nn.Linear(N_EMBD, N_EMBD)
            self.attn_drop = nn.Dropout(p_drop)
            self.resid_drop = nn.Dropout(p_drop)
            self.register_buffer("mask", torch.tril(torch.ones(BLOCK, BLOCK)).view(1, 1, BLOCK, BLOCK))

        def forward(self, x):
            B, T, C = x.size()
            hs = C // N_HEAD
            q, k, v = self.qkv(x).split(N_EMBD, dim=2)
            q = q.view(B, T, N_HEAD, hs).transpose(1, 2)
            k = k.view(B, T, N_HEAD, hs).transpose(1, 2)
            v = v.view(B, T, N_HEAD, hs).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
            att = att.masked_fill(self.mask[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            att = self.attn_drop(att)
            y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
            return self.resid_drop(self.proj(y))

    class FeedForward(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(N_EMBD, 4 * N_EMBD)
            self.proj = nn.Linear(4 * N_EMBD, N_EMBD)
            self.drop = nn.Dropout(p_drop)

        def forward(self, x):
            return self.drop(self.proj(gelu(self.fc(x))))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1 = nn.LayerNorm(N_EMBD)
            self.attn = SelfAttention()
            self.ln2 = nn.LayerNorm(N_EMBD)
            self.ff = FeedForward()

        def forward(self, x):
            x = x + self.attn(self.ln1(x))
            return x + self.ff(self.ln2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok_emb = nn.Embedding(VOCAB, N_EMBD)
            self.pos_emb = nn.Embedding(BLOCK, N_EMBD)
            self.drop = nn.Dropout(p_drop)
            self.blocks = nn.ModuleList([Block() for _ in range(N_LAYER)])
            self.ln_f = nn.LayerNorm(N_EMBD)
            self.head = nn.Linear(N_EMBD, VOCAB, bias=False)
            self.tok_emb.weight = self.head.weight          # weight tying
            self.apply(self._init)
            for name, p in self.named_parameters():
                if name.endswith("proj.weight"):             # scaled residual projections
                    nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * N_LAYER))

        def _init(self, m):
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0.0, std=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, mean=0.0, std=0.02)

        def forward(self, idx, targets):
            B, T = idx.size()
            pos = torch.arange(0, T, dtype=torch.long)
            x = self.drop(self.tok_emb(idx) + self.pos_emb(pos))
            for block in self.blocks:
                x = block(x)
            logits = self.head(self.ln_f(x))
            return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    return {"model": GPT()}


def trainer(L, mods, batch):
    torch, optim = L.torch, L.optim
    model = mods["model"]
    params = {n: p for n, p in model.named_parameters()}
    decay = [p for p in params.values() if p.dim() >= 2]
    no_decay = [p for p in params.values() if p.dim() < 2]
    opt = optim.AdamW([{"params": decay, "weight_decay": 0.1},
                       {"params": no_decay, "weight_decay": 0.0}], lr=1e-3, betas=(0.9, 0.99))
    x, y = batch["x"], batch["y"]

    def step():
        opt.zero_grad(set_to_none=True)
        loss = model(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss

    return step
