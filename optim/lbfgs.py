"""``LBFGS``: limited-memory BFGS with an optional strong-Wolfe line search, as
``torch.optim.LBFGS``.

One ``step(closure)`` runs up to ``max_iter`` quasi-Newton iterations, calling
``closure`` (which zeroes the gradients, recomputes the loss, calls ``backward`` and
returns the loss) as often as they need. Each iteration:

1. takes the newest curvature pair ``s = t * d`` (the last move) and ``y = g - g_prev``
   into the history, if ``y . s > 1e-10``, keeping the last ``history_size`` pairs, and
   scales the initial inverse Hessian by ``H = (y . s) / (y . y)``;
2. turns ``-g`` into the direction ``d`` with the two-loop recursion over the history
   (the first iteration ever uses ``d = -g``);
3. steps ``t * d``: ``t = lr`` (``min(1, 1/|g|_1) * lr`` on the first iteration ever),
   or what the strong-Wolfe line search finds, starting from that ``t``;
4. stops after ``max_iter`` iterations or ``max_eval`` closure calls, or when
   ``max|g| <= tolerance_grad``, ``g . d > -tolerance_change``, the step's largest
   component or the loss's change falls below ``tolerance_change``.

The gradients of all parameters are handled as one flat vector, and the state (the
history, the last direction and step) is kept under the first parameter, with PyTorch's
keys, so ``state_dict`` round-trips with PyTorch's. The arithmetic is NumPy's, in the
parameters' dtype; the scalars (``t``, the dot products) keep that dtype too, as
PyTorch's 0-d tensors do.

>>> import autograd_core as ag
>>> from autograd_core.optim import LBFGS
>>> x = ag.tensor([1.5, -0.5], dtype=ag.float64, requires_grad=True)
>>> opt = LBFGS([x], line_search_fn="strong_wolfe")
>>> def closure():
...     opt.zero_grad()
...     loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2   # Rosenbrock
...     loss.backward()
...     return loss
>>> for _ in range(5):
...     _ = opt.step(closure)
>>> [round(v, 4) for v in x.tolist()]
[1.0, 1.0]
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.autograd import mark_dirty

from .optimizer import Optimizer, ParamsT

__all__ = ["LBFGS"]

# What ``state`` keeps between steps (PyTorch's keys); the lists hold one entry per pair.
_VECTORS = ("d", "prev_flat_grad")
_LISTS = ("old_dirs", "old_stps", "ro", "al")


class LBFGS(Optimizer):
    """Limited-memory BFGS, as ``torch.optim.LBFGS`` (one parameter group only).

    Args:
        params: tensors to optimize (a single group).
        lr: learning rate (the step length before the line search).
        max_iter: iterations per ``step``.
        max_eval: closure calls per ``step`` (default ``max_iter * 5 // 4``).
        tolerance_grad: stop when the largest gradient component is at most this.
        tolerance_change: stop when the step, or the change of the loss, is below this.
        history_size: curvature pairs kept.
        line_search_fn: ``None`` or ``"strong_wolfe"``.

    >>> import autograd_core as ag
    >>> from autograd_core.optim import LBFGS
    >>> w = ag.tensor([3.0, -2.0], dtype=ag.float64, requires_grad=True)
    >>> opt = LBFGS([w], lr=1)
    >>> def closure():
    ...     opt.zero_grad(); loss = ((w - 1) ** 2).sum(); loss.backward(); return loss
    >>> float(opt.step(closure))   # the loss before the step
    13.0
    >>> [round(v, 6) for v in w.tolist()]
    [1.0, 1.0]
    """

    _state_shaped_like_params = False

    def __init__(self, params: ParamsT, lr: float | Tensor = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # ------------------------------------------------ the parameters as one vector
    def _flat_grad(self) -> np.ndarray:
        """Every parameter's gradient, flattened and joined (zeros where there is none)."""
        parts = []
        for p in self._params:
            g = p.grad
            arr = np.zeros(p.numel(), p.dtype) if g is None else g.detach().numpy().reshape(-1)
            parts.append(_real(arr))
        return np.concatenate(parts)

    def _move(self, t: Any, d: np.ndarray) -> None:
        """Every parameter += t * its part of ``d``, in place."""
        offset = 0
        for p in self._params:
            pd = p.detach().numpy()
            n = pd.size * (2 if pd.dtype.kind == "c" else 1)
            part = d[offset:offset + n]
            step = (part * t).astype(pd.real.dtype, copy=False)
            pd += step.view(pd.dtype).reshape(pd.shape) if pd.dtype.kind == "c" else step.reshape(pd.shape)
            mark_dirty(p)
            offset += n

    def _copy_params(self) -> list[np.ndarray]:
        return [p.detach().numpy().copy() for p in self._params]

    def _restore_params(self, saved: list[np.ndarray]) -> None:
        for p, arr in zip(self._params, saved):
            np.copyto(p.detach().numpy(), arr)
            mark_dirty(p)

    def _evaluate_at(self, closure: Callable[[], Any], start: list[np.ndarray], t: Any,
                     d: np.ndarray) -> tuple[float, np.ndarray]:
        """The loss and flat gradient at ``start + t * d``; the parameters go back to
        ``start`` afterwards (the line search's trial points)."""
        self._move(t, d)
        loss = float(closure())
        g = self._flat_grad()
        self._restore_params(start)
        return loss, g

    # ------------------------------------------------------------------- step
    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` iterations; return the loss of the first ``closure()``."""
        if not callable(closure):
            raise TypeError("LBFGS.step: expected a closure that reevaluates the model and "
                            f"returns the loss, got {type(closure).__name__}")
        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        history_size, line_search = group["history_size"], group["line_search_fn"]
        if line_search is not None and line_search != "strong_wolfe":
            raise RuntimeError("only 'strong_wolfe' is supported")

        def evaluate() -> Any:
            with ag.enable_grad():
                return closure()

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        first_loss = evaluate()
        loss = float(first_loss)
        evals = 1
        state["func_evals"] += 1
        g = self._flat_grad()
        if np.abs(g).max() <= tol_grad:
            return first_loss

        d, prev_g = (_array(state.get(k)) for k in _VECTORS)
        t, h_diag, prev_loss = state.get("t"), state.get("H_diag"), state.get("prev_loss")
        dirs, steps, ro, al = ([_array(v) for v in state.get(k) or []] for k in _LISTS)
        if isinstance(t, Tensor):
            t = t.numpy()[()]
        if isinstance(h_diag, Tensor):
            h_diag = h_diag.numpy()[()]

        iteration = 0
        while iteration < max_iter:
            iteration += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -g
                dirs, steps, ro = [], [], []
                h_diag = 1
            else:
                y = g - prev_g
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:   # only pairs of positive curvature keep H positive definite
                    if len(dirs) == history_size:
                        dirs.pop(0), steps.pop(0), ro.pop(0)
                    dirs.append(y)
                    steps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / y.dot(y)
                d, al = _two_loop(-g, dirs, steps, ro, h_diag, al, history_size)
            prev_g = g.copy()
            prev_loss = loss

            if state["n_iter"] == 1:   # the first step ever is scaled by the gradient's size
                inverse = 1.0 / np.abs(g).sum()
                t = inverse * lr if inverse < 1.0 else lr
            else:
                t = lr
            gtd = g.dot(d)
            if gtd > -tol_change:   # not a descent direction (any more)
                break

            if line_search is not None:
                start = self._copy_params()
                loss, g, t, ls_evals = _strong_wolfe(
                    lambda x, step, direction: self._evaluate_at(evaluate, x, step, direction),
                    start, t, d, loss, g, gtd)
                self._move(t, d)
                done = np.abs(g).max() <= tol_grad
            else:
                self._move(t, d)
                ls_evals = 0
                done = False
                if iteration != max_iter:   # the last iteration's loss is not needed
                    loss = float(evaluate())
                    g = self._flat_grad()
                    done = np.abs(g).max() <= tol_grad
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals

            if iteration == max_iter or evals >= max_eval or done:
                break
            if np.abs(d * t).max() <= tol_change:
                break
            if abs(loss - prev_loss) < tol_change:
                break

        state["d"], state["prev_flat_grad"] = _tensor(d), _tensor(prev_g)
        state["t"] = None if t is None else float(t)   # a float keeps the dtype's value
        state["H_diag"] = h_diag if isinstance(h_diag, int) else _tensor(h_diag)
        state["prev_loss"] = prev_loss
        for key, values in zip(_LISTS, (dirs, steps, ro, al)):
            if values or key != "al":   # "al" appears with the second iteration, as in PyTorch
                state[key] = [_tensor(v) for v in values]
        return first_loss


# --------------------------------------------------------------------- helpers
def _real(a: np.ndarray) -> np.ndarray:
    """A complex vector as its interleaved real and imaginary parts (PyTorch's view_as_real)."""
    return np.ascontiguousarray(a).view(a.real.dtype) if a.dtype.kind == "c" else a


def _array(v: Any) -> Any:
    return v.detach().numpy() if isinstance(v, Tensor) else v


def _tensor(v: Any) -> Any:
    """A state entry as PyTorch keeps it: a tensor (0-d for the scalars), None as None."""
    if v is None:
        return None
    return ag.from_numpy(np.asarray(v))


def _two_loop(q: np.ndarray, dirs: list, steps: list, ro: list, h_diag: Any, al: list,
              history_size: int) -> tuple[np.ndarray, list]:
    """The direction ``-H g`` from ``q = -g``: L-BFGS's two-loop recursion over the
    curvature pairs (``y`` in ``dirs``, ``s`` in ``steps``, ``ro = 1 / (y . s)``), newest
    first then oldest first, with ``h_diag * I`` as the initial inverse Hessian."""
    if len(al) < history_size:
        al = al + [None] * (history_size - len(al))
    for i in range(len(dirs) - 1, -1, -1):
        al[i] = steps[i].dot(q) * ro[i]
        q -= al[i] * dirs[i]
    r = q * h_diag
    for i in range(len(dirs)):
        beta = dirs[i].dot(r) * ro[i]
        r += (al[i] - beta) * steps[i]
    return r, al


def _cubic_minimum(x1: float, f1: float, g1: float, x2: float, f2: float, g2: float,
                   bounds: tuple[float, float] | None = None) -> float:
    """The minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2,
    clipped to ``bounds`` (default: between x1 and x2); their middle if the cubic has no
    minimum."""
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    disc = d1 * d1 - g1 * g2
    if disc < 0:
        return (lo + hi) / 2.0
    d2 = np.sqrt(disc)
    if x1 <= x2:
        x = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        x = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(x, lo), hi)


def _strong_wolfe(evaluate: Callable, x: list, t: Any, d: np.ndarray, f: float,
                  g: np.ndarray, gtd: Any, c1: float = 1e-4, c2: float = 0.9,
                  tolerance_change: float = 1e-9, max_ls: int = 25) -> tuple:
    """A step ``t`` along ``d`` from ``x`` (loss ``f``, gradient ``g``, slope ``gtd``) that
    meets the strong Wolfe conditions: enough decrease (``f(t) <= f + c1 t gtd``) and a
    small enough slope (``|g(t) . d| <= -c2 gtd``). First widen until a bracket holds such
    a step, then narrow it by cubic interpolation (Nocedal and Wright, algorithms 3.5 and
    3.6). Returns ``(loss, gradient, t, evaluations)`` at the step taken; at most
    ``max_ls`` evaluations after the first."""
    d_norm = np.abs(d).max()
    f_new, g_new = evaluate(x, t, d)
    evals = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    # widen: the bracket's ends, their losses, gradients and slopes
    while ls_iter < max_ls:
        if f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= f_prev):
            br = [t_prev, t]
            br_f, br_g, br_gtd = [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            br, br_f, br_g, br_gtd = [t], [f_new], [g_new], [gtd_new]
            done = True
            break
        if gtd_new >= 0:
            br = [t_prev, t]
            br_f, br_g, br_gtd = [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new]
            break
        # still descending: extrapolate to somewhere in [t + (t - t_prev) / 100, 10 t]
        t_next = _cubic_minimum(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                                bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new, gtd_new
        t = t_next
        f_new, g_new = evaluate(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:
        br, br_f, br_g, br_gtd = [0, t], [f, f_new], [g, g_new], [gtd, gtd_new]

    # narrow: keep the lower end ("low") meeting the decrease condition
    low, high = (0, 1) if br_f[0] <= br_f[-1] else (1, 0)
    stalled = False
    while not done and ls_iter < max_ls:
        if abs(br[1] - br[0]) * d_norm < tolerance_change:
            break
        t = _cubic_minimum(br[0], br_f[0], br_gtd[0], br[1], br_f[1], br_gtd[1])
        # a trial point too near an end makes little progress: after twice in a row, or
        # when outside the bracket, move it a tenth of the bracket inside instead
        lo, hi = min(br), max(br)
        margin = 0.1 * (hi - lo)
        if min(hi - t, t - lo) < margin:
            if stalled or t >= hi or t <= lo:
                t = hi - margin if abs(t - hi) < abs(t - lo) else lo + margin
                stalled = False
            else:
                stalled = True
        else:
            stalled = False
        f_new, g_new = evaluate(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > f + c1 * t * gtd or f_new >= br_f[low]:
            br[high], br_f[high], br_g[high], br_gtd[high] = t, f_new, g_new, gtd_new
            low, high = (0, 1) if br_f[0] <= br_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (br[high] - br[low]) >= 0:   # the slope points back: swap ends
                br[high], br_f[high], br_g[high], br_gtd[high] = \
                    br[low], br_f[low], br_g[low], br_gtd[low]
            br[low], br_f[low], br_g[low], br_gtd[low] = t, f_new, g_new, gtd_new
    return br_f[low], br_g[low], br[low], evals
