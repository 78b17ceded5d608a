"""AdamW: Adam with decoupled weight decay."""

from __future__ import annotations

from typing import Any

from npgrad.optim.adam import Adam
from npgrad.optim.optimizer import ParamsT
from npgrad.tensor import Tensor

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter), as ``torch.optim.AdamW``.

    Adam whose weight decay shrinks the parameters directly,
    :math:`\theta_t \leftarrow \theta_{t-1}(1 - \gamma\lambda)`, before the moment updates,
    instead of adding :math:`\lambda\theta` to the gradient. Equivalent to
    ``Adam(..., decoupled_weight_decay=True)``; the groups always say
    ``decoupled_weight_decay: True``.

    Parameters
    ----------
    params : iterable
        Tensors to optimize, or dicts defining parameter groups.
    lr : float, default 1e-3
        Learning rate :math:`\gamma`.
    betas : tuple of float, default (0.9, 0.999)
        Decay rates of the first and second moment estimates, each in [0, 1).
    eps : float, default 1e-8
        Term added to the denominator.
    weight_decay : float, default 1e-2
        Decoupled weight decay :math:`\lambda`.
    amsgrad : bool, default False
        Use the AMSGrad variant.
    maximize : bool, default False
        Maximize the objective instead of minimizing it.

    Notes
    -----
    The state is :class:`Adam`'s: ``step``, ``exp_avg``, ``exp_avg_sq`` (and
    ``max_exp_avg_sq``).

    Examples
    --------
    With a zero gradient only the decay acts: :math:`\theta(1 - \gamma\lambda)`.

    >>> import npgrad
    >>> from npgrad.optim import AdamW
    >>> w = npgrad.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = npgrad.zeros(2)
    >>> opt.step()
    >>> w
    tensor([ 0.9500, -1.9000], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )

    def _fix_loaded_group(self, group: dict[str, Any]) -> None:
        group["decoupled_weight_decay"] = True
