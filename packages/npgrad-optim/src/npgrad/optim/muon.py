"""``Muon``: momentum with orthogonalized updates for 2-D parameters.

Muon (Jordan et al., 2024, "Muon: An optimizer for hidden layers in neural networks") keeps
an SGD momentum buffer per weight matrix and replaces each update by an approximation of its
nearest semi-orthogonal matrix ``U V^T`` (from the SVD ``U S V^T``), computed with a few
iterations of a quintic Newton–Schulz map. As in PyTorch, that iteration runs in bfloat16:
NumPy has no bfloat16, so it is emulated exactly in float32 with every intermediate result
rounded to bfloat16 (round to nearest, ties to even), which is what makes the trajectories
equal PyTorch's.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import numpy as np

from npgrad.optim._functional import _lerp_
from npgrad.optim.optimizer import (
    Optimizer,
    ParamsT,
    _check_nonnegative,
    _check_number,
    _zeros_state,
)
from npgrad.tensor import Tensor

__all__ = ["Muon"]

_ADJUST_LR_FNS = (None, "original", "match_rms_adamw")
_MAX_NS_STEPS = 100  # PyTorch's limit: more steps only cost time


def _bfloat16(x: np.ndarray) -> np.ndarray:
    """``x`` (float32) rounded to the nearest bfloat16, ties to even, as a float32 array.

    bfloat16 is the upper half of a float32: adding ``0x7FFF`` plus the lowest kept bit and
    truncating rounds to nearest even; an overflow correctly carries into the exponent (up
    to infinity). NaNs are kept as they are (the carry could turn one into a number).
    """
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    rounded = (bits + (np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1)))) & np.uint32(
        0xFFFF0000
    )
    out = rounded.view(np.float32)
    nan = np.isnan(x)
    if nan.any():
        out = np.where(nan, np.float32(np.nan), out)
    return out


def _orthogonalize(
    update: np.ndarray, coefficients: Sequence[float], steps: int, eps: float
) -> np.ndarray:
    """The Newton–Schulz approximation of the semi-orthogonal factor of the 2-D ``update``,
    in bfloat16 precision (returned as float32 holding bfloat16 values).

    With ``X_0 = G / max(||G||_F, eps)`` (the short side first) each step is
    ``X <- a X + (b A + c A^2) X`` with ``A = X X^T``. Like PyTorch's CPU kernels, each
    expression is accumulated in float32 and its result rounded to bfloat16. Products of
    bfloat16 numbers are exact and a few of them sum exactly in float64, so evaluating in
    float64 and rounding once to float32 reproduces those float32 results (up to the rare
    case where PyTorch's own summation order loses a bit, which large matrices make likelier).
    """
    f64 = np.float64
    a, b, c = (f64(np.float32(v)) for v in coefficients)  # PyTorch's float32 scalars
    x = _bfloat16(update.astype(np.float32))
    wide = update.shape[0] <= update.shape[1]
    if not wide:
        x = x.T
    norm = _bfloat16(np.sqrt(np.sum(x * x, dtype=np.float32)))
    x = _bfloat16(x / _bfloat16(np.maximum(norm, np.float32(eps))))
    for _ in range(steps):
        x64 = x.astype(f64)
        gram = _bfloat16((x64 @ x64.T).astype(np.float32)).astype(f64)
        poly = _bfloat16((b * gram + c * (gram @ gram)).astype(np.float32)).astype(f64)
        x = _bfloat16((a * x64 + poly @ x64).astype(np.float32))
    return x if wide else x.T


def _adjusted_lr(lr: float, adjust_lr_fn: str | None, shape: tuple[int, ...]) -> float:
    rows, cols = shape[:2]
    if adjust_lr_fn == "match_rms_adamw":
        # Liu et al. (2025), "Muon is scalable for LLM training": RMS 0.2, like AdamW's
        return lr * 0.2 * math.sqrt(max(rows, cols))
    return lr * math.sqrt(max(1, rows / cols))  # "original" (Jordan et al.)


def _muon(
    param: np.ndarray,
    grad: np.ndarray,
    momentum_buffer: np.ndarray,
    *,
    lr: float,
    weight_decay: float,
    momentum: float,
    nesterov: bool,
    ns_coefficients: Sequence[float],
    ns_steps: int,
    eps: float,
    adjust_lr_fn: str | None,
) -> None:
    """One Muon step on a 2-D ``param``, updating it and ``momentum_buffer`` in place."""
    if param.size == 0:
        return  # nothing to update (torch divides by the zero width and raises)
    dt = param.dtype.type
    _lerp_(momentum_buffer, grad, 1 - momentum)  # B <- mu B + (1 - mu) g
    if nesterov:
        update = np.array(grad, copy=True)
        _lerp_(update, momentum_buffer, momentum)  # g + mu (B - g)
    else:
        update = momentum_buffer
    ortho = _orthogonalize(update, ns_coefficients, ns_steps, eps)
    param *= dt(1 - lr * weight_decay)
    param += dt(-_adjusted_lr(lr, adjust_lr_fn, param.shape)) * ortho.astype(param.dtype)


class Muon(Optimizer):
    r"""Muon, as ``torch.optim.Muon``: SGD momentum whose update is orthogonalized.

    Only for 2-D parameters (weight matrices); optimize biases, gains, embeddings and the
    output layer with another optimizer (e.g. :class:`AdamW`), as the authors recommend.

    Parameters
    ----------
    params : iterable
        2-D tensors to optimize, or dicts defining parameter groups.
    lr : float, default 1e-3
        Learning rate :math:`\gamma`.
    weight_decay : float, default 0.1
        Decoupled weight decay :math:`\lambda`.
    momentum : float, default 0.95
        Momentum factor :math:`\mu`.
    nesterov : bool, default True
        Use Nesterov momentum.
    ns_coefficients : tuple of 3 floats, default (3.4445, -4.775, 2.0315)
        Coefficients :math:`(a, b, c)` of the Newton–Schulz iteration.
    eps : float, default 1e-7
        Lower bound of the norm the update is divided by.
    ns_steps : int, default 5
        Newton–Schulz iterations (fewer than 100).
    adjust_lr_fn : {None, "original", "match_rms_adamw"}, default None
        Scaling of the learning rate by the shape :math:`(A, B)` of the parameter:
        ``"original"`` (and None) :math:`\gamma\sqrt{\max(1, A/B)}`, ``"match_rms_adamw"``
        :math:`0.2\gamma\sqrt{\max(A, B)}` (updates of AdamW's typical RMS).

    Notes
    -----
    For each step :math:`t` (PyTorch's algorithm):

    .. math::

        B_t &= \mu B_{t-1} + (1 - \mu) g_t \\
        \tilde B_t &= g_t + \mu (B_t - g_t) \text{ (nesterov) or } B_t \\
        O_t &= \mathrm{NS}^{(a, b, c)}_k(\tilde B_t / \max(\|\tilde B_t\|_F, \epsilon)) \\
        \theta_t &= \theta_{t-1}(1 - \gamma\lambda) - \gamma' O_t

    where :math:`\mathrm{NS}_k` is :math:`k` steps of :math:`X \leftarrow aX + (bA + cA^2)X`,
    :math:`A = XX^T` (on the transposed matrix when it has more rows than columns), and
    :math:`\gamma'` is the adjusted learning rate. As in PyTorch the iteration is computed in
    bfloat16 precision, so :math:`O_t` has bfloat16's 8 significant bits whatever the
    parameter's dtype; npgrad emulates PyTorch's roundings, which gives the same bits except,
    now and then for matrices with more than ~8 rows and columns, an entry one bfloat16 step
    apart (PyTorch's float32 summation order differs). The state of each parameter is
    ``{"momentum_buffer": B}``.

    Examples
    --------
    The Newton–Schulz iteration maps the singular values of the normalized update (all but
    tiny ones) into roughly [0.7, 1.2], so directions whose gradients differ six-fold move
    by similar amounts:

    >>> import npgrad
    >>> from npgrad.optim import Muon
    >>> w = npgrad.zeros(2, 2, requires_grad=True)
    >>> opt = Muon([w], lr=0.1, weight_decay=0.0)
    >>> w.grad = npgrad.tensor([[3.0, 0.0], [0.0, -0.5]])
    >>> opt.step()
    >>> w
    tensor([[-0.0730,  0.0000],
            [ 0.0000,  0.1047]], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        weight_decay: float = 0.1,
        momentum: float = 0.95,
        nesterov: bool = True,
        ns_coefficients: tuple[float, float, float] = (3.4445, -4.775, 2.0315),
        eps: float = 1e-07,
        ns_steps: int = 5,
        adjust_lr_fn: str | None = None,
    ) -> None:
        defaults = {
            "lr": lr,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "nesterov": nesterov,
            "ns_coefficients": ns_coefficients,
            "eps": eps,
            "ns_steps": ns_steps,
            "adjust_lr_fn": adjust_lr_fn,
        }
        super().__init__(params, defaults)

    def _validate_group(self, group: Mapping[str, Any]) -> None:
        _check_nonnegative("Muon", group, "lr", "momentum", "weight_decay", "eps")
        coefficients = group["ns_coefficients"]
        if not isinstance(coefficients, (tuple, list)) or len(coefficients) != 3:
            raise ValueError(
                "Muon: ns_coefficients must be a tuple of exactly 3 values (a, b, c), got "
                f"{coefficients!r}"
            )
        for i, v in enumerate(coefficients):
            _check_number("Muon", f"ns_coefficients[{i}]", v)
        steps = group["ns_steps"]
        if (
            isinstance(steps, (bool, np.bool_))
            or not isinstance(steps, numbers.Integral)
            or not 0 <= operator.index(steps) < _MAX_NS_STEPS
        ):
            raise ValueError(
                f"Muon: ns_steps must be an integer in [0, {_MAX_NS_STEPS}) (the number of "
                f"Newton-Schulz steps must be less than 100 for efficiency), got {steps!r}"
            )
        if group["adjust_lr_fn"] not in _ADJUST_LR_FNS:
            raise ValueError(
                f"Muon: adjust learning rate function {group['adjust_lr_fn']!r} is not "
                "supported; use None, 'original' or 'match_rms_adamw'"
            )

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of 2-D parameters with its own hyper-parameters (see
        :meth:`Optimizer.add_param_group`)."""
        params = param_group.get("params") if isinstance(param_group, dict) else None
        if params is not None and not isinstance(params, (Tensor, Collection)):
            params = param_group["params"] = list(params)  # a one-shot iterator: keep its items
        items = [params] if isinstance(params, Tensor) else list(params or ())
        for i, item in enumerate(items):
            p = item[1] if isinstance(item, tuple) and len(item) == 2 else item
            if isinstance(p, Tensor) and p.ndim != 2:
                raise ValueError(
                    "Muon only supports 2D parameters whereas we found a parameter with size: "
                    f"{p.shape} (parameter {i} of the group); optimize the others with another "
                    "optimizer, e.g. AdamW"
                )
        super().add_param_group(param_group)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; ``closure`` re-evaluates the loss and returns it."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            self._validate_group(group)  # groups may have been edited: fail before any update
        for group in self.param_groups:
            lr = float(group["lr"])
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = _zeros_state(p)
                _muon(
                    p._data,
                    grad,
                    state["momentum_buffer"]._data,
                    lr=lr,
                    weight_decay=float(group["weight_decay"]),
                    momentum=float(group["momentum"]),
                    nesterov=bool(group["nesterov"]),
                    ns_coefficients=[float(v) for v in group["ns_coefficients"]],
                    ns_steps=int(group["ns_steps"]),
                    eps=float(group["eps"]),
                    adjust_lr_fn=group["adjust_lr_fn"],
                )
                p._version += 1
        return loss
