"""RMSprop, optionally centered and with momentum."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from npgrad.optim import _functional as F
from npgrad.optim.optimizer import (
    Optimizer,
    ParamsT,
    _check_nonnegative,
    _scalar_state,
    _zeros_state,
)
from npgrad.tensor import Tensor

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton), as ``torch.optim.RMSprop``.

    Parameters
    ----------
    params : iterable
        Tensors to optimize, or dicts defining parameter groups.
    lr : float, default 1e-2
        Learning rate :math:`\gamma`.
    alpha : float, default 0.99
        Smoothing constant :math:`\alpha` of the squared-gradient average.
    eps : float, default 1e-8
        Term :math:`\epsilon` added to the denominator.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    momentum : float, default 0
        Momentum factor :math:`\mu`.
    centered : bool, default False
        Normalise by an estimate of the gradient's variance instead of its second moment.
    maximize : bool, default False
        Maximize the objective instead of minimizing it (keyword-only here).

    Notes
    -----
    For each step (PyTorch's algorithm):

    .. math::

        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\theta_{t-1} \\
        v_t &= \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
        \tilde v_t &= v_t - \bar g_t^2,\;
            \bar g_t = \alpha \bar g_{t-1} + (1 - \alpha) g_t \text{ (centered) or } v_t \\
        b_t &= \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon),\;
            \theta_t = \theta_{t-1} - \gamma b_t \text{ (momentum)} \\
        \theta_t &= \theta_{t-1} - \gamma g_t / (\sqrt{\tilde v_t} + \epsilon) \text{ (otherwise)}

    The state of each parameter is ``step``, ``square_avg``, and ``momentum_buffer`` (when
    momentum > 0) and ``grad_avg`` (when centered).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import RMSprop
    >>> w = npgrad.tensor([1.0], requires_grad=True, dtype=npgrad.float64)
    >>> opt = RMSprop([w], lr=0.01, alpha=0.75, eps=0.0)
    >>> w.grad = npgrad.tensor([2.0], dtype=npgrad.float64)
    >>> opt.step()  # v = 0.25 * 4 = 1, so w = 1 - 0.01 * 2 / 1
    >>> w
    tensor([0.9800], dtype=npgrad.float64, requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: Mapping[str, Any]) -> None:
        _check_nonnegative("RMSprop", group, "lr", "eps", "momentum", "weight_decay", "alpha")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; ``closure`` re-evaluates the loss and returns it."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            momentum, centered = group["momentum"], group["centered"]
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state["step"] = _scalar_state(0.0)
                    state["square_avg"] = _zeros_state(p)
                    if momentum > 0:
                        state["momentum_buffer"] = _zeros_state(p)
                    if centered:
                        state["grad_avg"] = _zeros_state(p)
                state["step"]._data += 1
                F.rmsprop(
                    p._data,
                    grad,
                    state["square_avg"]._data,
                    state["grad_avg"]._data if centered else None,
                    state["momentum_buffer"]._data if momentum > 0 else None,
                    lr=float(group["lr"]),
                    alpha=group["alpha"],
                    eps=group["eps"],
                    weight_decay=group["weight_decay"],
                    momentum=momentum,
                    centered=centered,
                    maximize=group["maximize"],
                )
                p._version += 1
        return loss
