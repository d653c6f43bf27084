"""Differentiable ops, one module per family. Each op is a ``Function`` subclass
whose ``forward`` (on arrays) and ``backward`` (in Tensor ops) stand together."""
