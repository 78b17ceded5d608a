"""Adadelta: step sizes from running averages of squared gradients and squared updates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from npgrad.optim import _functional as F
from npgrad.optim.optimizer import (
    Optimizer,
    ParamsT,
    _check_nonnegative,
    _check_number,
    _scalar_state,
    _zeros_state,
)
from npgrad.tensor import Tensor

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler), as ``torch.optim.Adadelta``.

    Parameters
    ----------
    params : iterable
        Tensors to optimize, or dicts defining parameter groups.
    lr : float, default 1.0
        Coefficient :math:`\gamma` that scales the delta.
    rho : float, default 0.9
        Decay rate :math:`\rho` of the running averages, in [0, 1].
    eps : float, default 1e-6
        Term :math:`\epsilon` added inside the square roots.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    maximize : bool, default False
        Maximize the objective instead of minimizing it.

    Notes
    -----
    For each step (PyTorch's algorithm):

    .. math::

        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\theta_{t-1} \\
        v_t &= \rho v_{t-1} + (1 - \rho) g_t^2 \\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
        u_t &= \rho u_{t-1} + (1 - \rho) \Delta_t^2 \\
        \theta_t &= \theta_{t-1} - \gamma \Delta_t

    The state of each parameter is ``step``, ``square_avg`` (:math:`v`) and ``acc_delta``
    (:math:`u`).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import Adadelta
    >>> w = npgrad.tensor([1.0], requires_grad=True, dtype=npgrad.float64)
    >>> opt = Adadelta([w], rho=0.0, eps=1e-4)
    >>> w.grad = npgrad.tensor([1.0], dtype=npgrad.float64)
    >>> opt.step()  # delta = sqrt(eps) / sqrt(1 + eps) * 1
    >>> round(1.0 - w.item(), 8)
    0.0099995
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: Mapping[str, Any]) -> None:
        _check_nonnegative("Adadelta", group, "lr", "eps", "weight_decay")
        rho = _check_number("Adadelta", "rho", group["rho"])
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Adadelta: invalid rho {group['rho']!r}: it must be in [0, 1]")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; ``closure`` re-evaluates the loss and returns it."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state["step"] = _scalar_state(0.0)
                    state["square_avg"] = _zeros_state(p)
                    state["acc_delta"] = _zeros_state(p)
                state["step"]._data += 1
                F.adadelta(
                    p._data,
                    grad,
                    state["square_avg"]._data,
                    state["acc_delta"]._data,
                    lr=float(group["lr"]),
                    rho=group["rho"],
                    eps=group["eps"],
                    weight_decay=group["weight_decay"],
                    maximize=group["maximize"],
                )
                p._version += 1
        return loss
