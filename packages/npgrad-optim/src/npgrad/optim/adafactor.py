"""Adafactor: Adam-like steps with factored (sublinear-memory) second moment estimates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from npgrad.optim import _functional as F
from npgrad.optim.optimizer import Optimizer, ParamsT, _as_tuple, _check_number, _scalar_state
from npgrad.tensor import Tensor

__all__ = ["Adafactor"]


def _factor_shape(shape: tuple[int, ...], axis: int) -> tuple[int, ...]:
    """``shape`` with ``axis`` reduced to 1 (the shape of a row or column factor)."""
    out = list(shape)
    out[axis] = 1
    return tuple(out)


class Adafactor(Optimizer):
    r"""Adafactor (Shazeer & Stern, 2018), as ``torch.optim.Adafactor``.

    Parameters
    ----------
    params : iterable
        Tensors to optimize, or dicts defining parameter groups.
    lr : float, default 1e-2
        Learning rate :math:`\gamma` (the relative step size is
        :math:`\rho_t = \min(\gamma, 1/\sqrt t)`).
    beta2_decay : float, default -0.8
        Decay :math:`\tau \le 0` of the second moment's running average:
        :math:`1 - \hat\beta_{2,t} = t^\tau`.
    eps : tuple, default (None, 1e-3)
        :math:`(\epsilon_1, \epsilon_2)`: the floor of the second moment estimate (None: the
        machine epsilon of the parameter's dtype) and the floor of the parameter scale.
    d : float, default 1.0
        Clipping threshold :math:`d \ge 1` of the update's root mean square.
    weight_decay : float, default 0.0
        Decoupled weight decay :math:`\lambda`.
    maximize : bool, default False
        Maximize the objective instead of minimizing it (keyword-only).

    Notes
    -----
    For each step :math:`t` (PyTorch's algorithm; no first moment):

    .. math::

        G_t &= \pm\nabla f(\theta_{t-1}),\quad
        \alpha_t = \max(\epsilon_2, \operatorname{RMS}(\theta_{t-1}))\,\rho_t,\quad
        \theta_{t-1} \leftarrow \theta_{t-1}(1 - \gamma\lambda) \\
        R_t &= \operatorname{lerp}(R_{t-1}, \operatorname{mean}_{cols} G_t^2, t^\tau),\;
        C_t = \operatorname{lerp}(C_{t-1}, \operatorname{mean}_{rows} G_t^2, t^\tau),\;
        \hat V_t = R_t C_t / \max(\operatorname{mean}(R_t), \epsilon_1) \\
        U_t &= G_t / \sqrt{\max(\hat V_t, \epsilon_1^2)},\quad
        \theta_t = \theta_{t-1} - \alpha_t U_t / \max(1, \operatorname{RMS}(U_t) / d)

    A parameter with 2 or more dims keeps ``row_var`` (shape ``(..., m, 1)``) and ``col_var``
    (``(..., 1, n)``), the factors over its last two dims; one with fewer keeps
    ``variance`` (:math:`\hat V_t = \operatorname{lerp}(\hat V_{t-1}, G_t^2, t^\tau)`). Every
    parameter also has ``step``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.optim import Adafactor
    >>> w = npgrad.ones(2, 3, requires_grad=True)
    >>> opt = Adafactor([w], lr=0.1)
    >>> w.grad = npgrad.tensor([[1.0, -2.0, 4.0], [0.5, 0.5, -1.0]])
    >>> opt.step()
    >>> opt.state[w]["row_var"].shape, opt.state[w]["col_var"].shape
    (npgrad.Size([2, 1]), npgrad.Size([1, 3]))
    >>> w
    tensor([[0.9179, 1.0890, 0.9110],
            [0.8465, 0.9167, 1.0833]], requires_grad=True)
    """

    _elementwise_state_keys = Optimizer._elementwise_state_keys | {"variance"}

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "beta2_decay": beta2_decay,
            "eps": _as_tuple(eps),
            "d": d,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: Mapping[str, Any]) -> None:
        def check(name: str, value: Any, ok: Callable[[float], bool], message: str) -> None:
            if not ok(_check_number("Adafactor", name, value)):
                raise ValueError(f"Adafactor: {message} but is: {value}")

        check("lr", group["lr"], lambda v: v >= 0.0, "Learning rate should be >= 0")
        check("beta2_decay", group["beta2_decay"], lambda v: v <= 0.0, "beta2_decay should be <= 0")
        eps = group["eps"]
        if not isinstance(eps, (tuple, list)):
            raise TypeError(
                "Adafactor: eps must be a pair (eps1 or None, eps2), got "
                f"{type(eps).__name__} {eps!r}"
            )
        if len(eps) != 2:
            raise ValueError(f"Adafactor: eps must be a pair (eps1 or None, eps2), got {eps!r}")
        if eps[0] is not None:
            check("eps[0]", eps[0], lambda v: v >= 0.0, "epsilon1 should be >= 0")
        check("eps[1]", eps[1], lambda v: v >= 0.0, "epsilon2 should be >= 0")
        check("d", group["d"], lambda v: v >= 1.0, "Clipping threshold d should be >= 1")
        check(
            "weight_decay", group["weight_decay"], lambda v: v >= 0.0, "weight_decay should be >= 0"
        )

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; ``closure`` re-evaluates the loss and returns it."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            params = list(self._params_with_grad(group))
            for p, _ in params:  # refuse before any parameter moves
                if p._data.dtype.kind == "c":
                    raise RuntimeError("Adafactor does not support complex parameters")
            eps1, eps2 = group["eps"]
            for p, grad in params:
                if eps1 is None:  # PyTorch takes the first parameter's, for the whole group
                    eps1 = float(np.finfo(p._data.dtype).eps)
                state = self.state[p]
                if not state:
                    state["step"] = _scalar_state(0.0)
                    if grad.ndim > 1:
                        row = np.zeros(_factor_shape(grad.shape, -1), dtype=grad.dtype)
                        col = np.zeros(_factor_shape(grad.shape, -2), dtype=grad.dtype)
                        state["row_var"] = Tensor._make(row, False, None)
                        state["col_var"] = Tensor._make(col, False, None)
                    else:
                        state["variance"] = Tensor._make(np.zeros_like(grad), False, None)
                state["step"]._data += 1
                factored = "row_var" in state
                F.adafactor(
                    p._data,
                    grad,
                    state["row_var"]._data if factored else None,
                    state["col_var"]._data if factored else None,
                    None if factored else state["variance"]._data,
                    step=float(state["step"]._data),
                    lr=float(group["lr"]),
                    beta2_decay=group["beta2_decay"],
                    eps1=float(eps1),
                    eps2=float(eps2),
                    d=float(group["d"]),
                    weight_decay=group["weight_decay"],
                    maximize=group["maximize"],
                )
                p._version += 1
        return loss

    def _state_shape(self, p: Tensor, key: str) -> tuple[int, ...] | None:
        # the second moment's factors are shaped after their parameter's last two dims
        if key in ("row_var", "col_var") and p.ndim > 1:
            return _factor_shape(p.shape, -1 if key == "row_var" else -2)
        return super()._state_shape(p, key)
