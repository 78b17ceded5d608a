"""L-BFGS with an optional strong Wolfe line search, with ``torch.optim.LBFGS``'s behaviour.

References: J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Springer 2006 —
Algorithm 7.4 (the two-loop recursion), Algorithms 3.5 and 3.6 (line search and zoom for the
strong Wolfe conditions) and eq. (3.59) (the minimizer of the interpolating cubic).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from npgrad.optim.optimizer import Optimizer, ParamsT, _check_number
from npgrad.tensor import Tensor

__all__ = ["LBFGS"]

# PyTorch's constants of the strong Wolfe search (the sufficient decrease and curvature
# factors c1, c2, the evaluations allowed and the bracket width at which it gives up)
_C1, _C2, _MAX_LS, _LS_TOLERANCE = 1e-4, 0.9, 25, 1e-9


def _cubic_minimizer(
    x1: float,
    f1: float,
    g1: float,
    x2: float,
    f2: float,
    g2: float,
    bounds: tuple[float, float] | None = None,
) -> float:
    """The minimizer of the cubic through ``(x1, f1)`` and ``(x2, f2)`` with slopes ``g1``,
    ``g2`` (Nocedal & Wright eq. 3.59), clamped to ``bounds`` (default: between the points);
    the middle of the bounds when the cubic has no minimizer."""
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    if x1 == x2:
        return min(max(x1, lo), hi)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if not d2_square >= 0:
        return (lo + hi) / 2
    d2 = d2_square**0.5
    # eq. 3.59 written from the right-hand point, so that d2 needs no sign
    if x1 <= x2:
        left, right, g_left, g_right = x1, x2, g1, g2
    else:
        left, right, g_left, g_right = x2, x1, g2, g1
    numerator, denominator = g_right + d2 - d1, g_right - g_left + 2 * d2
    if denominator == 0:
        # a straight line (equal slopes): IEEE division, as in PyTorch, sends the minimizer
        # to the bound downhill; 0 / 0 has no minimizer
        if numerator == 0:
            return (lo + hi) / 2
        return hi if math.copysign(1.0, numerator) * math.copysign(1.0, denominator) < 0 else lo
    minimizer = right - (right - left) * (numerator / denominator)
    return min(max(minimizer, lo), hi)


class _Trial:
    """One point of the line search: step ``t``, loss ``f``, gradient ``g``, slope ``gtd``."""

    __slots__ = ("f", "g", "gtd", "t")

    def __init__(self, t: float, f: float, g: np.ndarray, gtd: float) -> None:
        self.t, self.f, self.g, self.gtd = t, f, g, gtd


def _strong_wolfe(
    evaluate: Callable[[float], tuple[float, np.ndarray]],
    t: float,
    d: np.ndarray,
    f: float,
    g: np.ndarray,
    gtd: float,
    max_ls: int = _MAX_LS,
) -> tuple[float, np.ndarray, float, int]:
    """Find a step ``t`` along ``d`` satisfying the strong Wolfe conditions.

    ``evaluate(t)`` returns the loss and flat gradient at ``x + t d``; ``f``, ``g``, ``gtd``
    are the loss, gradient and slope at ``t = 0``; ``max_ls`` bounds the search's iterations
    (LBFGS passes the evaluations its ``max_eval`` has left, as PyTorch does). Returns the
    loss, gradient and step of the point found, and the number of evaluations made.
    """
    d_norm = float(np.max(np.abs(d)))
    start = _Trial(0.0, f, g, gtd)

    def trial(step: float) -> _Trial:
        loss, grad = evaluate(step)
        return _Trial(step, loss, grad, float(grad @ d))

    def insufficient_decrease(point: _Trial) -> bool:
        # PyTorch's comparison: a NaN loss doesn't count as insufficient
        return point.f > f + _C1 * point.t * gtd

    def curvature(point: _Trial) -> bool:
        return abs(point.gtd) <= -_C2 * gtd

    # Algorithm 3.5: grow the step until an interval is known to contain a good one
    new = trial(t)
    evaluations, ls_iter = 1, 0
    prev = start
    bracket: list[_Trial] = []
    done = False
    while ls_iter < max_ls:
        if insufficient_decrease(new) or (ls_iter > 1 and new.f >= prev.f):
            bracket = [prev, new]
            break
        if curvature(new):
            bracket, done = [new], True
            break
        if new.gtd >= 0:
            bracket = [prev, new]
            break
        # extrapolate, between 1.01 and 10 times the current step
        bounds = (new.t + 0.01 * (new.t - prev.t), new.t * 10)
        step = _cubic_minimizer(prev.t, prev.f, prev.gtd, new.t, new.f, new.gtd, bounds)
        prev = new
        new = trial(step)
        evaluations += 1
        ls_iter += 1
    if ls_iter == max_ls:
        bracket = [start, new]

    # Algorithm 3.6: shrink the interval; ``low`` is the end with the lower loss
    insufficient_progress = False
    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    while not done and ls_iter < max_ls:
        a, b = bracket
        if abs(b.t - a.t) * d_norm < _LS_TOLERANCE:
            break
        step = _cubic_minimizer(a.t, a.f, a.gtd, b.t, b.f, b.gtd)
        # a cubic minimizer too close to an end of the interval makes slow progress: unless
        # the previous one was fine, move it to 10% of the width inside the interval
        lo, hi = min(a.t, b.t), max(a.t, b.t)
        margin = 0.1 * (hi - lo)
        if min(hi - step, step - lo) < margin:
            if insufficient_progress or step >= hi or step <= lo:
                step = hi - margin if abs(step - hi) < abs(step - lo) else lo + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        new = trial(step)
        evaluations += 1
        ls_iter += 1
        if insufficient_decrease(new) or new.f >= bracket[low].f:
            bracket[high] = new
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if curvature(new):
                done = True
            elif new.gtd * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = new
    best = bracket[low]
    return best.f, best.g, best.t, evaluations


def _array(value: Any) -> np.ndarray:
    return value._data if isinstance(value, Tensor) else np.asarray(value)


def _state_tensor(array: np.ndarray) -> Tensor:
    return Tensor._make(array, False, None)


class LBFGS(Optimizer):
    r"""Limited-memory BFGS, as ``torch.optim.LBFGS``.

    Parameters
    ----------
    params : iterable
        Tensors to optimize (one parameter group only).
    lr : float, default 1
        Learning rate: the first step length tried along each search direction.
    max_iter : int, default 20
        Maximal number of iterations per :meth:`step`.
    max_eval : int, optional
        Maximal number of loss evaluations per :meth:`step` (default ``max_iter * 5 // 4``).
    tolerance_grad : float, default 1e-7
        Stop when the largest gradient entry is at most this (first-order optimality).
    tolerance_change : float, default 1e-9
        Stop when the loss or the parameters change by less than this.
    history_size : int, default 100
        Number of curvature pairs kept.
    line_search_fn : {None, 'strong_wolfe'}, default None
        None: fixed steps of ``lr`` (the first scaled by ``1 / sum|g|`` when that is < 1);
        ``'strong_wolfe'``: a line search for the strong Wolfe conditions (with PyTorch's
        constants :math:`c_1 = 10^{-4}`, :math:`c_2 = 0.9`; its iterations are bounded by
        the evaluations ``max_eval`` has left).

    Notes
    -----
    :meth:`step` needs a closure that clears the gradients, computes the loss, calls
    ``backward()`` and returns the loss; it is called several times per step. All the
    parameters are treated as one flat vector, so this optimizer keeps ``O(history_size * n)``
    memory; its state (of the first parameter, as in PyTorch) holds ``func_evals``,
    ``n_iter``, ``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``, ``H_diag``,
    ``prev_flat_grad`` and ``prev_loss``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import LBFGS
    >>> x = npgrad.tensor([-1.5, 2.0], dtype=npgrad.float64, requires_grad=True)
    >>> opt = LBFGS([x], line_search_fn="strong_wolfe")
    >>> def closure():
    ...     opt.zero_grad()
    ...     loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2  # Rosenbrock
    ...     loss.backward()
    ...     return loss
    >>> for _ in range(3):
    ...     loss = opt.step(closure)
    >>> [round(v, 4) for v in x.tolist()]  # the minimum is at (1, 1)
    [1.0, 1.0]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError(
                "LBFGS doesn't support per-parameter options (parameter groups): got "
                f"{len(self.param_groups)} groups; pass one list of parameters"
            )

    def _validate_group(self, group: Mapping[str, Any]) -> None:
        if not _check_number("LBFGS", "lr", group["lr"]) >= 0.0:
            raise ValueError(f"LBFGS: Invalid learning rate: {group['lr']} (it must be >= 0)")
        for name in ("max_iter", "max_eval", "history_size"):
            value = group[name]
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"LBFGS: {name} must be an int, got {type(value).__name__}")
        if group["history_size"] < 1:
            raise ValueError(f"LBFGS: history_size must be >= 1, got {group['history_size']}")
        for name in ("tolerance_grad", "tolerance_change"):
            _check_number("LBFGS", name, group[name])
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(
                "LBFGS: only 'strong_wolfe' is supported as line_search_fn (or None), got "
                f"{group['line_search_fn']!r}"
            )

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add the (only) parameter group; a second one raises ValueError, as in PyTorch."""
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    @staticmethod
    def _loss_value(loss: Any) -> float:
        """The closure's loss as a float; a TypeError if the closure returned something else."""
        if isinstance(loss, bool) or not isinstance(loss, (Tensor, int, float, np.number)):
            raise TypeError(
                "LBFGS.step: the closure must return the loss (a Tensor or a number), got "
                f"{type(loss).__name__}"
            )
        return float(loss)

    def _state_shape(self, param: Tensor, key: str) -> tuple[int, ...] | None:
        # the search direction and the curvature pairs are flat vectors over all parameters
        if key in ("d", "prev_flat_grad", "old_dirs", "old_stps"):
            return (sum(p._data.size for p in self._params),)
        return super()._state_shape(param, key)

    # ---- the parameters as one flat vector ------------------------------------------------
    @property
    def _params(self) -> list[Tensor]:
        return list(self.param_groups[0]["params"])

    def _gather_flat_grad(self) -> np.ndarray:
        parts = []
        for p in self._params:
            if p.grad is None:
                parts.append(np.zeros(p._data.size, dtype=p._data.dtype))
            else:
                grad = p.grad._data
                if grad.shape != p._data.shape:
                    raise RuntimeError(
                        f"LBFGS.step: a parameter of shape {p._data.shape} has a gradient of "
                        f"shape {grad.shape}"
                    )
                parts.append(grad.astype(p._data.dtype, copy=False).reshape(-1))
        return np.concatenate(parts)

    def _add_grad(self, step: float, direction: np.ndarray) -> None:
        offset = 0
        for p in self._params:
            n = p._data.size
            dt = p._data.dtype.type
            p._data += dt(step) * direction[offset : offset + n].reshape(p._data.shape)
            p._version += 1
            offset += n

    def _directional_evaluate(
        self, closure: Callable[[], Any], x: list[np.ndarray], step: float, d: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """The loss and flat gradient at ``x + step * d``; the parameters are reset to ``x``."""
        self._add_grad(step, d)
        loss = self._loss_value(self._evaluate(closure))
        flat_grad = self._gather_flat_grad()
        for p, saved in zip(self._params, x):
            p._data[...] = saved
            p._version += 1
        return loss, flat_grad

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform up to ``max_iter`` L-BFGS iterations; returns the loss before them.

        Parameters
        ----------
        closure : callable
            Clears the gradients, computes the loss, calls ``backward()`` and returns the loss.
            Required.
        """
        if closure is None:
            raise TypeError(
                "LBFGS.step: a closure is required: a function that clears the gradients, "
                "computes the loss, calls backward() and returns the loss"
            )
        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = self._evaluate(closure)
        loss = self._loss_value(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if np.max(np.abs(flat_grad)) <= tolerance_grad:
            return orig_loss

        # the state of the previous call (arrays are kept as Tensors, for state_dict)
        d = _array(state["d"]) if state.get("d") is not None else None
        t = float(state["t"]) if state.get("t") is not None else 0.0
        old_dirs = [_array(y) for y in state.get("old_dirs", [])]
        old_stps = [_array(s) for s in state.get("old_stps", [])]
        ro = [float(r) for r in state.get("ro", [])]
        h_diag = float(state.get("H_diag", 1.0))
        dt = flat_grad.dtype.type
        saved_grad = state.get("prev_flat_grad")
        prev_flat_grad = _array(saved_grad) if saved_grad is not None else None
        prev_loss = state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1 or d is None or prev_flat_grad is None:
                d = -flat_grad
                old_dirs, old_stps, ro, h_diag = [], [], [], 1.0
            else:
                # update the curvature pairs, skipping those that would break positivity
                y = flat_grad - prev_flat_grad
                s = d * dt(t)
                ys = y @ s  # the curvature scalars stay in the parameters' dtype
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(float(dt(1) / ys))
                    h_diag = float(ys / (y @ y))
                d = self._two_loop(flat_grad, old_dirs, old_stps, ro, h_diag)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss

            # the first step is scaled down by the gradient's size, the later ones are lr
            if state["n_iter"] == 1:
                with np.errstate(divide="ignore"):  # a zero gradient gives inf, so t = lr
                    inverse = dt(1) / np.sum(np.abs(flat_grad))
                t = float(inverse * dt(lr)) if inverse < 1 else lr
            else:
                t = lr
            gtd = float(flat_grad @ d)
            if gtd > -tolerance_change:  # not a descent direction
                break

            if group["line_search_fn"] is not None:
                x_init = [p._data.copy() for p in self._params]
                evaluate = functools.partial(self._directional_evaluate, closure, x_init, d=d)
                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    evaluate, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals
                )
                self._add_grad(t, d)
                opt_cond = bool(np.max(np.abs(flat_grad)) <= tolerance_grad)
            else:
                self._add_grad(t, d)
                ls_func_evals = 0
                opt_cond = False
                if n_iter != max_iter:  # the last iteration's loss is left to the next call
                    loss = self._loss_value(self._evaluate(closure))
                    flat_grad = self._gather_flat_grad()
                    opt_cond = bool(np.max(np.abs(flat_grad)) <= tolerance_grad)
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.max(np.abs(d)) * abs(t) <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state["d"] = None if d is None else _state_tensor(d)
        state["t"] = t
        state["old_dirs"] = [_state_tensor(y) for y in old_dirs]
        state["old_stps"] = [_state_tensor(s) for s in old_stps]
        state["ro"] = ro
        state["H_diag"] = h_diag
        state["prev_flat_grad"] = None if prev_flat_grad is None else _state_tensor(prev_flat_grad)
        state["prev_loss"] = prev_loss
        return orig_loss

    @staticmethod
    def _two_loop(
        flat_grad: np.ndarray,
        old_dirs: list[np.ndarray],
        old_stps: list[np.ndarray],
        ro: list[float],
        h_diag: float,
    ) -> np.ndarray:
        """The search direction ``-H g`` by the two-loop recursion (N&W Algorithm 7.4)."""
        dt = flat_grad.dtype.type
        q = -flat_grad
        al = [dt(0)] * len(old_dirs)
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = (old_stps[i] @ q) * dt(ro[i])
            q += -al[i] * old_dirs[i]
        r = q * dt(h_diag)
        for i in range(len(old_dirs)):
            be_i = (old_dirs[i] @ r) * dt(ro[i])
            r += (al[i] - be_i) * old_stps[i]
        return r
