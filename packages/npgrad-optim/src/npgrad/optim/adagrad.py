"""Adagrad: per-coordinate learning rates from the sum of squared gradients."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from npgrad.optim import _functional as F
from npgrad.optim.optimizer import Optimizer, ParamsT, _check_nonnegative, _scalar_state
from npgrad.tensor import Tensor

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al.), as ``torch.optim.Adagrad``.

    Parameters
    ----------
    params : iterable
        Tensors to optimize, or dicts defining parameter groups.
    lr : float, default 1e-2
        Learning rate :math:`\gamma`.
    lr_decay : float, default 0
        Learning-rate decay :math:`\eta`.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`.
    initial_accumulator_value : float, default 0
        Initial value :math:`\tau` of the sum of squared gradients.
    eps : float, default 1e-10
        Term :math:`\epsilon` added to the denominator.
    maximize : bool, default False
        Maximize the objective instead of minimizing it.

    Notes
    -----
    For each step :math:`t` (PyTorch's algorithm):

    .. math::

        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\theta_{t-1},\quad
        \tilde\gamma = \gamma / (1 + (t - 1)\eta) \\
        s_t &= s_{t-1} + g_t^2,\; s_0 = \tau \\
        \theta_t &= \theta_{t-1} - \tilde\gamma\, g_t / (\sqrt{s_t} + \epsilon)

    As in PyTorch the state (``step`` and ``sum``) is created when the optimizer is built, so
    ``state_dict()`` has it before the first step.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import Adagrad
    >>> w = npgrad.tensor([1.0, 1.0], requires_grad=True)
    >>> opt = Adagrad([w], lr=0.5, eps=0.0)
    >>> w.grad = npgrad.tensor([3.0, -4.0])
    >>> opt.step()  # each coordinate moves by lr * g / |g|
    >>> w
    tensor([0.5000, 1.5000], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "maximize": maximize,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _validate_group(self, group: Mapping[str, Any]) -> None:
        _check_nonnegative(
            "Adagrad", group, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"
        )

    def _init_state(self, p: Tensor, group: Mapping[str, Any]) -> None:
        state = self.state[p]
        state["step"] = _scalar_state(0.0)
        # each group's own initial_accumulator_value (PyTorch uses the constructor's for all)
        init = np.full_like(p._data, group["initial_accumulator_value"])
        state["sum"] = Tensor._make(init, False, None)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; ``closure`` re-evaluates the loss and returns it."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if not state:  # a group added after construction
                    self._init_state(p, group)
                state["step"]._data += 1
                F.adagrad(
                    p._data,
                    grad,
                    state["sum"]._data,
                    step=float(state["step"]._data),
                    lr=float(group["lr"]),
                    lr_decay=group["lr_decay"],
                    weight_decay=group["weight_decay"],
                    eps=group["eps"],
                    maximize=group["maximize"],
                )
                p._version += 1
        return loss
