"""The single-step recurrent cells ``RNNCell``, ``LSTMCell`` and ``GRUCell`` (re-exported by
:mod:`npgrad.nn.modules.rnn`, where PyTorch has them). Each call is one step composed of npgrad
ops, so a Python loop over cells builds an ordinary graph, differentiable to any order.
"""

from __future__ import annotations

import math
from typing import Any

import npgrad
from npgrad import Tensor
from npgrad.nn import init
from npgrad.nn._factory import factory_kwargs
from npgrad.nn.functional import _rnn as FR
from npgrad.nn.modules.module import Module, _check_sizes
from npgrad.nn.parameter import Parameter
from npgrad.ops._shape_util import ShapeError

__all__ = ["GRUCell", "LSTMCell", "RNNCell", "RNNCellBase"]


class RNNCellBase(Module):
    """Shared parameters of the cells: ``weight_ih`` ``(G*hidden, input)``, ``weight_hh``
    ``(G*hidden, hidden)``, ``bias_ih``, ``bias_hh``; all ``U(-1/sqrt(hidden), 1/sqrt(hidden))``."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        fk = factory_kwargs(type(self).__name__, device, dtype)
        _check_sizes(type(self).__name__, input_size=input_size, hidden_size=hidden_size)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = Parameter(npgrad.empty((num_chunks * hidden_size, input_size), **fk))
        self.weight_hh = Parameter(npgrad.empty((num_chunks * hidden_size, hidden_size), **fk))
        if bias:
            self.bias_ih = Parameter(npgrad.empty(num_chunks * hidden_size, **fk))
            self.bias_hh = Parameter(npgrad.empty(num_chunks * hidden_size, **fk))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nl = self.__dict__.get("nonlinearity", "tanh")
        if nl != "tanh":
            s += f", nonlinearity={nl}"
        return s

    def _prepare(
        self, name: str, x: Any, states: list[tuple[str, Any]]
    ) -> tuple[Tensor, list[Tensor], bool]:
        """Validate ``x`` (1-D or 2-D) and the states (None -> zeros); add the batch dim."""
        if not isinstance(x, Tensor):
            raise TypeError(f"{self!r}: expected input to be a Tensor, got {type(x).__name__}")
        if x.ndim not in (1, 2):
            raise ValueError(
                f"{name}: Expected input to be 1D or 2D, got {x.ndim}D instead (shape {x.shape})"
            )
        if x.dtype != self.weight_ih.dtype:
            raise ValueError(
                f"{self!r}: input must have the type {self.weight_ih.dtype}, got type {x.dtype}"
            )
        batched = x.ndim == 2
        if not batched:
            x = x.unsqueeze(0)
        if x.shape[1] != self.input_size:
            raise ShapeError(
                f"{self!r}: input has inconsistent input_size: got {x.shape[1]}, expected "
                f"{self.input_size} (input shape {x.shape})"
            )
        out = []
        for i, (sname, s) in enumerate(states):
            if s is None:
                out.append(npgrad.zeros((x.shape[0], self.hidden_size), dtype=x.dtype))
                continue
            if not isinstance(s, Tensor):
                raise TypeError(
                    f"{self!r}: expected {sname} to be a Tensor, got {type(s).__name__}"
                )
            if s.ndim not in (1, 2):
                raise ValueError(f"{name}: Expected {sname} to be 1D or 2D, got {s.ndim}D instead")
            if s.ndim != x.ndim - (0 if batched else 1):
                raise ShapeError(
                    f"{self!r}: {sname} must be {x.ndim - (0 if batched else 1)}-D for a {'batched' if batched else 'unbatched'} input, got shape {s.shape}"
                )
            s = s if batched else s.unsqueeze(0)
            if s.shape[0] != x.shape[0]:
                raise ShapeError(
                    f"{self!r}: Input batch size {x.shape[0]} doesn't match hidden{i} batch size {s.shape[0]}"
                )
            if s.shape[1] != self.hidden_size:
                raise ShapeError(
                    f"{self!r}: hidden{i} has inconsistent hidden_size: got {s.shape[1]}, expected {self.hidden_size}"
                )
            if s.dtype != x.dtype:
                raise ValueError(
                    f"{self!r}: {sname} must have the type {x.dtype}, got type {s.dtype}"
                )
            out.append(s)
        return x, out, batched


class RNNCell(RNNCellBase):
    """One Elman step: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or relu).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> cell = nn.RNNCell(10, 20)
    >>> h = None
    >>> for x in npgrad.randn(6, 3, 10):
    ...     h = cell(x, h)
    >>> h.shape
    npgrad.Size([3, 20])
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, (h,), batched = self._prepare("RNNCell", input, [("hidden", hx)])
        cell = FR.rnn_relu_cell if self.nonlinearity == "relu" else FR.rnn_tanh_cell
        h1 = cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h1 if batched else h1.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step, returning ``(h', c')`` (gate order ``i, f, g, o``).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> cell = nn.LSTMCell(10, 20)
    >>> h, c = cell(npgrad.randn(3, 10))
    >>> h.shape, c.shape
    (npgrad.Size([3, 20]), npgrad.Size([3, 20]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:  # noqa: A002
        if hx is None:
            states: list[tuple[str, Any]] = [("hx[0]", None), ("hx[1]", None)]
        elif isinstance(hx, (tuple, list)) and len(hx) == 2:
            states = [("hx[0]", hx[0]), ("hx[1]", hx[1])]
        else:
            raise TypeError(
                f"{self!r}: hx must be a tuple (h_0, c_0) of Tensors, got {type(hx).__name__}"
            )
        x, (h, c), batched = self._prepare("LSTMCell", input, states)
        h1, c1 = FR.lstm_cell(x, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h1, c1) if batched else (h1.squeeze(0), c1.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step (gate order ``r, z, n``).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> cell = nn.GRUCell(10, 20)
    >>> cell(npgrad.randn(10)).shape
    npgrad.Size([20])
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, (h,), batched = self._prepare("GRUCell", input, [("hidden", hx)])
        h1 = FR.gru_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h1 if batched else h1.squeeze(0)
