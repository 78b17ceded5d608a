"""Stochastic gradient descent, with momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from npgrad.optim import _functional as F
from npgrad.optim.optimizer import Optimizer, ParamsT, _check_nonnegative
from npgrad.tensor import Tensor

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    Parameters
    ----------
    params : iterable
        Tensors to optimize, or dicts defining parameter groups.
    lr : float, default 1e-3
        Learning rate :math:`\gamma`.
    momentum : float, default 0
        Momentum factor :math:`\mu`.
    dampening : float, default 0
        Dampening :math:`\tau` for momentum.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    nesterov : bool, default False
        Use Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    l1_penalty : float, default 0
        **npgrad only** (not in PyTorch): L1 regularisation strength :math:`\alpha`; adds
        :math:`\alpha \operatorname{sign}(\theta)` to the gradient, after the weight decay.
        With the default 0 the trajectory is PyTorch's.

    Notes
    -----
    For each step :math:`t` (PyTorch's algorithm):

    .. math::

        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda \theta_{t-1}
               + \alpha \operatorname{sign}(\theta_{t-1}) \\
        b_t &= g_1 \text{ if } t = 1 \text{ else } \mu b_{t-1} + (1 - \tau) g_t \\
        g_t &\leftarrow g_t + \mu b_t \text{ (nesterov) or } b_t \text{ (momentum)} \\
        \theta_t &= \theta_{t-1} - \gamma g_t

    The state of each parameter is ``{"momentum_buffer": b}`` (only when momentum is used).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import SGD
    >>> w = npgrad.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     w.grad = npgrad.tensor([1.0, -1.0])
    ...     opt.step()
    >>> w
    tensor([ 0.7100, -1.7100], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        l1_penalty: float = 0.0,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "l1_penalty": l1_penalty,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: Mapping[str, Any]) -> None:
        _check_nonnegative("SGD", group, "lr", "momentum", "weight_decay", "l1_penalty")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "SGD: Nesterov momentum requires a momentum > 0 and zero dampening, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; ``closure`` re-evaluates the loss and returns it."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, momentum = float(group["lr"]), group["momentum"]
            for p, grad in self._params_with_grad(group):
                # like PyTorch, plain SGD keeps no state at all
                buf = self.state[p].get("momentum_buffer") if momentum != 0 else None
                new_buf = F.sgd(
                    p._data,
                    grad,
                    None if buf is None else buf._data,
                    lr=lr,
                    momentum=momentum,
                    dampening=group["dampening"],
                    weight_decay=group["weight_decay"],
                    nesterov=group["nesterov"],
                    maximize=group["maximize"],
                    l1_penalty=group.get("l1_penalty", 0.0),
                )
                if new_buf is not None and buf is None:
                    self.state[p]["momentum_buffer"] = Tensor._make(new_buf, False, None)
                p._version += 1
        return loss
