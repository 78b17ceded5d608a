"""Adam, and the shared machinery of the Adam family (first and second moment state)."""

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

__all__ = ["Adam"]


class Adam(Optimizer):
    r"""Adam, as ``torch.optim.Adam`` (with AMSGrad and decoupled weight decay options).

    Parameters
    ----------
    params : iterable
        Tensors to optimize, or dicts defining parameter groups.
    lr : float, default 1e-3
        Learning rate :math:`\gamma`.
    betas : tuple of float, default (0.9, 0.999)
        Decay rates :math:`(\beta_1, \beta_2)` of the first and second moment estimates,
        each in [0, 1).
    eps : float, default 1e-8
        Term :math:`\epsilon` added to the denominator.
    weight_decay : float, default 0
        Weight decay :math:`\lambda` (L2 penalty added to the gradient, or decoupled).
    amsgrad : bool, default False
        Use the AMSGrad variant (the maximum of past second moments).
    maximize : bool, default False
        Maximize the objective instead of minimizing it.
    decoupled_weight_decay : bool, default False
        Decay the parameter directly (:math:`\theta \leftarrow \theta(1 - \gamma\lambda)`), which
        makes this :class:`AdamW`.

    Notes
    -----
    For each step :math:`t` (PyTorch's algorithm):

    .. math::

        g_t &= \pm\nabla f(\theta_{t-1}) + \lambda\theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \text{ (amsgrad) or } v_t \\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}
                    \frac{m_t}{\sqrt{\hat v_t / (1 - \beta_2^t)} + \epsilon}

    The state of each parameter is ``step`` (a 0-dim float32 tensor, float64 when that is the
    default dtype), ``exp_avg``, ``exp_avg_sq`` and, with amsgrad, ``max_exp_avg_sq``.

    Examples
    --------
    The first step moves every coordinate by ``lr`` against the sign of its gradient:

    >>> import npgrad
    >>> from npgrad.optim import Adam
    >>> w = npgrad.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = Adam([w], lr=0.1)
    >>> w.grad = npgrad.tensor([3.0, -0.5])
    >>> opt.step()
    >>> w
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": _as_tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: Mapping[str, Any]) -> None:
        name = type(self).__name__
        _check_nonnegative(name, group, "lr", "eps", "weight_decay")
        _check_betas(name, group)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; ``closure`` re-evaluates the loss and returns it."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            beta1, beta2 = (float(b) for b in group["betas"])
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state["step"] = _scalar_state(0.0)
                    state["exp_avg"] = _zeros_state(p)
                    state["exp_avg_sq"] = _zeros_state(p)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = _zeros_state(p)
                state["step"]._data += 1
                max_sq = state.get("max_exp_avg_sq") if group["amsgrad"] else None
                F.adam(
                    p._data,
                    grad,
                    state["exp_avg"]._data,
                    state["exp_avg_sq"]._data,
                    None if max_sq is None else max_sq._data,
                    step=float(state["step"]._data),
                    lr=float(group["lr"]),
                    beta1=beta1,
                    beta2=beta2,
                    eps=group["eps"],
                    weight_decay=group["weight_decay"],
                    amsgrad=group["amsgrad"],
                    maximize=group["maximize"],
                    decoupled_weight_decay=group["decoupled_weight_decay"],
                )
                p._version += 1
        return loss
