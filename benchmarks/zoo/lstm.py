"""A 2-layer LSTM language model in the manner of pytorch/examples word_language_model:
embedding of a 10000-word vocabulary into 256, nn.LSTM(256, 256, num_layers=2,
dropout=0.2), dropout, Linear(256, 10000) decoder, log_softmax + NLLLoss; sequences of
64 words in a batch of 32 (time-major), the hidden state carried over from the previous
batch and detached, gradient norm clipped at 0.25, SGD with lr 20.
"""
from __future__ import annotations

NAME = "lstm"
TITLE = "LSTM LM: V=10000, 256, 2 layers, seq 64, B=32, clip, SGD"
STEPS = (2, 8)

NTOKEN, NINP, NHID, NLAYERS, BPTT, BATCH = 10000, 256, 256, 2, 64, 32
DROPOUT = 0.2


def data(rng):
    import numpy as np
    src = rng.integers(0, NTOKEN, (BPTT + 1, BATCH)).astype(np.int64)
    return {"x": src[:-1].copy(), "y": src[1:].reshape(-1).copy()}


def build(L):
    nn, F = L.nn, L.F
    p_drop = 0.0 if L.deterministic else DROPOUT

    class RNNModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(p_drop)
            self.encoder = nn.Embedding(NTOKEN, NINP)
            self.rnn = nn.LSTM(NINP, NHID, NLAYERS, dropout=p_drop)
            self.decoder = nn.Linear(NHID, NTOKEN)
            nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
            nn.init.zeros_(self.decoder.bias)
            nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

        def forward(self, inp, hidden):
            emb = self.drop(self.encoder(inp))
            output, hidden = self.rnn(emb, hidden)
            output = self.drop(output)
            decoded = self.decoder(output).view(-1, NTOKEN)
            return F.log_softmax(decoded, dim=1), hidden

        def init_hidden(self, bsz):
            w = next(self.parameters())
            return (w.new_zeros(NLAYERS, bsz, NHID), w.new_zeros(NLAYERS, bsz, NHID))

    return {"model": RNNModel()}


def trainer(L, mods, batch):
    torch, nn, optim = L.torch, L.nn, L.optim
    model = mods["model"]
    criterion = nn.NLLLoss()
    opt = optim.SGD(model.parameters(), lr=20.0)
    x, y = batch["x"], batch["y"]
    state = {"hidden": model.init_hidden(BATCH)}

    def step():
        hidden = tuple(h.detach() for h in state["hidden"])    # repackage_hidden
        model.zero_grad()
        output, hidden = model(x, hidden)
        loss = criterion(output, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        opt.step()
        state["hidden"] = hidden
        return loss

    return step
