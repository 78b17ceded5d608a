"""Averaged stochastic gradient descent (Polyak & Juditsky), with PyTorch's step-size schedule."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from npgrad.optim import _functional as F
from npgrad.optim.optimizer import (
    Optimizer,
    ParamsT,
    _check_number,
    _scalar_state,
    _zeros_state,
)
from npgrad.tensor import Tensor

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""Averaged stochastic gradient descent, as ``torch.optim.ASGD``.

    Parameters
    ----------
    params : iterable
        Tensors to optimize, or dicts defining parameter groups.
    lr : float, default 1e-2
        Learning rate :math:`\gamma`.
    lambd : float, default 1e-4
        Decay term :math:`\lambda`.
    alpha : float, default 0.75
        Power :math:`\alpha` of the step-size decay.
    t0 : float, default 1e6
        The step :math:`t_0` at which averaging starts.
    weight_decay : float, default 0
        L2 penalty :math:`w`.
    maximize : bool, default False
        Maximize the objective instead of minimizing it (keyword-only here).

    Notes
    -----
    For each step :math:`t` (PyTorch's algorithm, :math:`\eta_0 = \gamma`, :math:`\mu_0 = 1`):

    .. math::

        g_t &= \pm\nabla f(\theta_{t-1}) + w\theta_{t-1} \\
        \theta_t &= (1 - \lambda\eta_{t-1})\,\theta_{t-1} - \eta_{t-1} g_t \\
        \bar\theta_t &= \bar\theta_{t-1} + \mu_{t-1}(\theta_t - \bar\theta_{t-1}) \\
        \eta_t &= \gamma / (1 + \lambda\gamma t)^\alpha,\quad \mu_t = 1 / \max(1, t - t_0)

    The state of each parameter is ``step``, ``eta``, ``mu`` (0-dim, float32 unless float64 is
    the default dtype, as in PyTorch) and ``ax``, the average :math:`\bar\theta` (the
    parameter itself keeps the last iterate; copy ``ax`` into it to use the average).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import ASGD
    >>> w = npgrad.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = ASGD([w], lr=0.5, lambd=0.0, t0=0)
    >>> for _ in range(3):
    ...     w.grad = npgrad.tensor([1.0, 1.0])
    ...     opt.step()
    >>> w, opt.state[w]["ax"]  # ax: the mean of the iterates from step t0 + 2 on
    (tensor([-0.5000, -2.5000], requires_grad=True), tensor([-0.2500, -2.2500]))
    """

    _scalar_state_keys = Optimizer._scalar_state_keys | {"eta", "mu"}
    _elementwise_state_keys = Optimizer._elementwise_state_keys | {"ax"}

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: Mapping[str, Any]) -> None:
        if not _check_number("ASGD", "lr", group["lr"]) >= 0.0:
            raise ValueError(f"ASGD: Invalid learning rate: {group['lr']} (it must be >= 0)")
        if not _check_number("ASGD", "weight_decay", group["weight_decay"]) >= 0.0:
            raise ValueError(
                f"ASGD: Invalid weight_decay value: {group['weight_decay']} (it must be >= 0)"
            )
        for name in ("lambd", "alpha", "t0"):
            _check_number("ASGD", name, group[name])

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; ``closure`` re-evaluates the loss and returns it."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state["step"] = _scalar_state(0.0)
                    state["eta"] = _scalar_state(lr)
                    state["mu"] = _scalar_state(1.0)
                    state["ax"] = _zeros_state(p)
                state["step"]._data += 1
                F.asgd(
                    p._data,
                    grad,
                    state["ax"]._data,
                    state["eta"]._data,
                    state["mu"]._data,
                    step=float(state["step"]._data),
                    lr=lr,
                    lambd=group["lambd"],
                    alpha=group["alpha"],
                    t0=group["t0"],
                    weight_decay=group["weight_decay"],
                    maximize=group["maximize"],
                )
                p._version += 1
        return loss
