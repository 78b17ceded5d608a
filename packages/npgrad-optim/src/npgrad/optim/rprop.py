"""Rprop: resilient backpropagation, per-coordinate step sizes driven by the gradient's sign."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from npgrad.optim import _functional as F
from npgrad.optim.optimizer import (
    Optimizer,
    ParamsT,
    _as_tuple,
    _check_number,
    _scalar_state,
    _zeros_state,
)
from npgrad.tensor import Tensor

__all__ = ["Rprop"]


def _pair(owner: str, name: str, value: Any) -> tuple[float, float]:
    if not isinstance(value, (tuple, list)):
        raise TypeError(
            f"{owner}: {name} must be a pair of numbers, got {type(value).__name__} {value!r}"
        )
    if len(value) != 2:
        raise ValueError(f"{owner}: {name} must be a pair of numbers, got {value!r}")
    return (
        _check_number(owner, f"{name}[0]", value[0]),
        _check_number(owner, f"{name}[1]", value[1]),
    )


class Rprop(Optimizer):
    r"""The resilient backpropagation algorithm (Riedmiller & Braun), as ``torch.optim.Rprop``.

    Parameters
    ----------
    params : iterable
        Tensors to optimize, or dicts defining parameter groups.
    lr : float, default 1e-2
        Initial step size :math:`\eta_0` of every coordinate.
    etas : tuple of float, default (0.5, 1.2)
        Multiplicative decrease and increase factors :math:`(\eta^-, \eta^+)`, with
        :math:`0 < \eta^- < 1 < \eta^+`.
    step_sizes : tuple of float, default (1e-6, 50)
        Minimal and maximal step sizes :math:`(\Gamma_{min}, \Gamma_{max})`.
    maximize : bool, default False
        Maximize the objective instead of minimizing it (keyword-only).

    Notes
    -----
    For each step (PyTorch's algorithm; products are per coordinate):

    .. math::

        g_t &= \pm\nabla f(\theta_{t-1}) \\
        \eta_t &= \operatorname{clip}(\eta_{t-1}\cdot
            \begin{cases}\eta^+ & g_t g_{t-1} > 0\\ \eta^- & g_t g_{t-1} < 0\\
            1 & \text{otherwise}\end{cases},\ \Gamma_{min}, \Gamma_{max}) \\
        g_t &\leftarrow 0 \text{ where } g_t g_{t-1} < 0 \\
        \theta_t &= \theta_{t-1} - \eta_t \operatorname{sign}(g_t)

    The state of each parameter is ``step``, ``prev`` (:math:`g_{t-1}` as used) and
    ``step_size`` (:math:`\eta_t`, which starts at ``lr``: changing ``lr`` later, e.g. with a
    scheduler, does not affect parameters that already have state, as in PyTorch).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import Rprop
    >>> w = npgrad.tensor([0.0, 0.0], requires_grad=True)
    >>> opt = Rprop([w], lr=0.1)
    >>> for grad in ([1.0, 1.0], [1.0, -1.0]):
    ...     w.grad = npgrad.tensor(grad)
    ...     opt.step()
    >>> w  # the second coordinate's gradient flipped: its step shrank and it stayed put
    tensor([-0.2200, -0.1000], requires_grad=True)
    >>> opt.state[w]["step_size"]
    tensor([0.1200, 0.0500])
    """

    _elementwise_state_keys = Optimizer._elementwise_state_keys | {"prev", "step_size"}

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "etas": _as_tuple(etas),
            "step_sizes": (_as_tuple(step_sizes)),
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: Mapping[str, Any]) -> None:
        if not _check_number("Rprop", "lr", group["lr"]) >= 0.0:
            raise ValueError(f"Rprop: Invalid learning rate: {group['lr']} (it must be >= 0)")
        etaminus, etaplus = _pair("Rprop", "etas", group["etas"])
        if not 0.0 < etaminus < 1.0 < etaplus:
            raise ValueError(
                f"Rprop: Invalid eta values: {group['etas'][0]}, {group['etas'][1]} (they must "
                "satisfy 0 < etaminus < 1 < etaplus)"
            )
        _pair("Rprop", "step_sizes", group["step_sizes"])

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; ``closure`` re-evaluates the loss and returns it."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            etaminus, etaplus = (float(e) for e in group["etas"])
            step_size_min, step_size_max = (float(s) for s in group["step_sizes"])
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state["step"] = _scalar_state(0.0)
                    state["prev"] = _zeros_state(p)
                    sizes = np.full_like(p._data, float(group["lr"]))
                    state["step_size"] = Tensor._make(sizes, False, None)
                state["step"]._data += 1
                F.rprop(
                    p._data,
                    grad,
                    state["prev"]._data,
                    state["step_size"]._data,
                    etaminus=etaminus,
                    etaplus=etaplus,
                    step_size_min=step_size_min,
                    step_size_max=step_size_max,
                    maximize=group["maximize"],
                )
                p._version += 1
        return loss
