"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from npgrad.optim import _functional as F
from npgrad.optim.optimizer import (
    Optimizer,
    ParamsT,
    _as_tuple,
    _check_betas,
    _check_nonnegative,
    _scalar_state,
    _zeros_state,
)
from npgrad.tensor import Tensor

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam (Dozat), as ``torch.optim.NAdam``.

    Parameters
    ----------
    params : iterable
        Tensors to optimize, or dicts defining parameter groups.
    lr : float, default 2e-3
        Learning rate :math:`\gamma`.
    betas : tuple of float, default (0.9, 0.999)
        Decay rates :math:`(\beta_1, \beta_2)`, each in [0, 1).
    eps : float, default 1e-8
        Term :math:`\epsilon` added to the denominator.
    weight_decay : float, default 0
        Weight decay :math:`\lambda`.
    momentum_decay : float, default 4e-3
        :math:`\psi` in the momentum schedule below.
    decoupled_weight_decay : bool, default False
        Decay the parameter directly, as AdamW does (NAdamW).
    maximize : bool, default False
        Maximize the objective instead of minimizing it.

    Notes
    -----
    For each step :math:`t` (PyTorch's algorithm):

    .. math::

        \mu_t &= \beta_1 (1 - \tfrac12 0.96^{t\psi}),\quad
        \Pi_t = \textstyle\prod_{i \le t} \mu_i \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t,\quad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \theta_t &= \theta_{t-1} - \gamma
            \Big(\frac{(1 - \mu_t) g_t}{1 - \Pi_t}
                 + \frac{\mu_{t+1} m_t}{1 - \Pi_t \mu_{t+1}}\Big)
            \Big/ \Big(\sqrt{v_t / (1 - \beta_2^t)} + \epsilon\Big)

    The state of each parameter is ``step``, ``mu_product`` (:math:`\Pi_t`, a 0-dim float32
    tensor as in PyTorch), ``exp_avg`` and ``exp_avg_sq``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import NAdam
    >>> w = npgrad.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = NAdam([w], lr=0.1)
    >>> w.grad = npgrad.tensor([3.0, -0.5])
    >>> opt.step()
    >>> w
    tensor([ 0.8944, -1.8944], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": _as_tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: Mapping[str, Any]) -> None:
        _check_nonnegative("NAdam", group, "lr", "eps", "weight_decay", "momentum_decay")
        _check_betas("NAdam", group)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; ``closure`` re-evaluates the loss and returns it."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            beta1, beta2 = (float(b) for b in group["betas"])
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state["step"] = _scalar_state(0.0)
                    state["mu_product"] = _scalar_state(1.0)
                    state["exp_avg"] = _zeros_state(p)
                    state["exp_avg_sq"] = _zeros_state(p)
                state["step"]._data += 1
                F.nadam(
                    p._data,
                    grad,
                    state["exp_avg"]._data,
                    state["exp_avg_sq"]._data,
                    state["mu_product"]._data,
                    step=float(state["step"]._data),
                    lr=float(group["lr"]),
                    beta1=beta1,
                    beta2=beta2,
                    eps=group["eps"],
                    weight_decay=group["weight_decay"],
                    momentum_decay=group["momentum_decay"],
                    decoupled_weight_decay=group["decoupled_weight_decay"],
                    maximize=group["maximize"],
                )
                p._version += 1
        return loss
