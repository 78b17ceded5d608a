"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and the single-step ``RNNCell``, ``LSTMCell``,
``GRUCell``, with PyTorch's parameter names, shapes, gate order and initialisation.

A multi-layer network runs one fused op per layer and direction
(:mod:`npgrad.nn.functional._rnn`): all time steps of a layer are one node of the graph, so a
1,000-step sequence backpropagates without recursion and without 1,000 Python-level nodes.
Packed sequences (:mod:`npgrad.nn.utils.rnn`) run only their valid steps.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

import npgrad
from npgrad import Tensor
from npgrad.nn import init
from npgrad.nn._factory import factory_kwargs
from npgrad.nn.functional import _rnn as FR
from npgrad.nn.modules._rnn_cells import GRUCell, LSTMCell, RNNCell, RNNCellBase
from npgrad.nn.modules.module import Module
from npgrad.nn.parameter import Parameter
from npgrad.nn.utils.rnn import PackedSequence
from npgrad.ops._shape_util import ShapeError

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class RNNBase(Module):
    """The shared machinery of :class:`RNN`, :class:`LSTM` and :class:`GRU`.

    Parameters are registered per layer ``k`` and direction as ``weight_ih_l{k}``
    ``(G*hidden, in)``, ``weight_hh_l{k}`` ``(G*hidden, hidden or proj)``, ``bias_ih_l{k}``,
    ``bias_hh_l{k}`` ``(G*hidden,)`` and, with ``proj_size``, ``weight_hr_l{k}``
    ``(proj, hidden)`` (suffix ``_reverse`` for the backward direction), ``G`` gates stacked
    in torch's order. All are initialised ``U(-1/sqrt(hidden), 1/sqrt(hidden))``.
    """

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        fk = factory_kwargs(type(self).__name__, device, dtype)
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + str(mode))
        if (
            isinstance(dropout, bool)
            or not isinstance(dropout, numbers.Number)
            or not 0 <= dropout <= 1
        ):  # type: ignore[operator]
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an "
                "element being zeroed"
            )
        if dropout > 0 and num_layers == 1:  # type: ignore[operator]
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=2,
            )
        for name, value in (
            ("input_size", input_size),
            ("hidden_size", hidden_size),
            ("num_layers", num_layers),
            ("proj_size", proj_size),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        self.mode = mode
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        self.num_layers, self.bias, self.batch_first = int(num_layers), bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = (
            float(dropout),
            bidirectional,
            int(proj_size),
        )
        dirs = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(dirs):
                layer_in = input_size if layer == 0 else real_hidden * dirs
                suffix = "_reverse" if direction == 1 else ""
                shapes: list[tuple[str, tuple[int, ...]]] = [
                    ("weight_ih", (gate_size, layer_in)),
                    ("weight_hh", (gate_size, real_hidden)),
                ]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                names = []
                for base, shape in shapes:
                    name = f"{base}_l{layer}{suffix}"
                    setattr(self, name, Parameter(npgrad.empty(shape, **fk)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: every weight and bias ``U(-1/sqrt(hidden), 1/sqrt(hidden))``."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """A no-op kept for PyTorch compatibility (weights are never copied into a blob)."""

    @property
    def _flat_weights(self) -> list[Tensor]:
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def _weights(self, k: int) -> tuple[Tensor | None, ...]:
        """``(w_ih, w_hh, b_ih, b_hh, w_hr)`` of layer/direction ``k`` (None where absent)."""
        sfx = self._all_weights[k][0][len("weight_ih") :]
        get = self._parameters.get
        return (
            get("weight_ih" + sfx),
            get("weight_hh" + sfx),
            get("bias_ih" + sfx),
            get("bias_hh" + sfx),
            get("weight_hr" + sfx),
        )

    # ---- argument checks -------------------------------------------------------------------
    def _check_input(self, x: Any, batch_sizes: Any) -> None:
        if not isinstance(x, Tensor):
            raise TypeError(
                f"{self!r}: expected input to be a Tensor or PackedSequence, got {type(x).__name__}"
            )
        w = self.weight_ih_l0
        if x.dtype != w.dtype:
            raise ValueError(f"{self!r}: input must have the type {w.dtype}, got type {x.dtype}")
        expected = 2 if batch_sizes is not None else 3
        if x.ndim != expected:
            raise ShapeError(
                f"{self!r}: input must have {expected} dimensions, got {x.ndim} (shape {x.shape})"
            )
        if x.shape[-1] != self.input_size:
            raise ShapeError(
                f"{self!r}: input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                f"got {x.shape[-1]} (input shape {x.shape})"
            )
        if batch_sizes is None and x.shape[1 if self.batch_first else 0] == 0:
            raise ShapeError(
                f"{self!r}: Expected sequence length to be larger than 0 in RNN (input shape {x.shape})"
            )

    def _check_hidden(self, hx: Any, expected: tuple[int, ...], what: str, dtype: Any) -> None:
        if not isinstance(hx, Tensor):
            raise TypeError(f"{self!r}: expected {what} to be a Tensor, got {type(hx).__name__}")
        if tuple(hx.shape) != expected:
            raise ShapeError(f"{self!r}: Expected {what} size {expected}, got {list(hx.shape)}")
        if hx.dtype != dtype:
            raise ValueError(f"{self!r}: {what} must have the type {dtype}, got type {hx.dtype}")

    def _hidden_shapes(self, batch: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        n = self.num_layers * (2 if self.bidirectional else 1)
        real = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (n, batch, real), (n, batch, self.hidden_size)

    # ---- forward ---------------------------------------------------------------------------
    def forward(self, input: Any, hx: Any = None) -> tuple[Any, Any]:  # noqa: A002
        lstm = self.mode == "LSTM"
        packed = isinstance(input, PackedSequence)
        if packed:
            x, bs_t, sorted_idx, unsorted_idx = input
            batch_sizes: Any = (
                bs_t._data.astype(np.int64) if isinstance(bs_t, Tensor) else np.asarray(bs_t)
            )
            is_batched, batch_dim = True, 1
        else:
            if not isinstance(input, Tensor):
                raise TypeError(
                    f"{self!r}: expected input to be a Tensor or PackedSequence, got {type(input).__name__}"
                )
            if input.ndim not in (2, 3):
                raise ValueError(
                    f"{self!r}: Expected input to be 2D or 3D, got {input.ndim}D instead (shape {input.shape})"
                )
            x, batch_sizes, sorted_idx, unsorted_idx = input, None, None, None
            is_batched = x.ndim == 3
            batch_dim = 0 if self.batch_first else 1
            if not is_batched:
                x = x.unsqueeze(batch_dim)
        self._check_input(x, batch_sizes)
        batch = int(batch_sizes[0]) if packed else x.shape[batch_dim]
        h_shape, c_shape = self._hidden_shapes(batch)
        if hx is None:
            h0 = npgrad.zeros(h_shape, dtype=x.dtype)
            c0 = npgrad.zeros(c_shape, dtype=x.dtype) if lstm else None
        else:
            h0, c0 = self._unpack_hx(hx, is_batched)
            if sorted_idx is not None:  # the user's hx follows the unsorted batch order
                h0 = h0[:, sorted_idx]
                c0 = None if c0 is None else c0[:, sorted_idx]
            self._check_hidden(h0, h_shape, "hidden[0]" if lstm else "hidden", x.dtype)
            if lstm:
                self._check_hidden(c0, c_shape, "hidden[1]", x.dtype)
        n = self.num_layers * (2 if self.bidirectional else 1)
        res = FR.recurrent(
            self.mode,
            x,
            batch_sizes,
            h0,
            c0,
            [self._weights(k) for k in range(n)],
            self.num_layers,
            self.bidirectional,
            self.dropout,
            self.training,
            self.batch_first,
        )
        out, h_n = res[0], res[1]
        c_n = res[2] if lstm else None
        if unsorted_idx is not None:
            h_n = h_n[:, unsorted_idx]
            c_n = None if c_n is None else c_n[:, unsorted_idx]
        if packed:
            output: Any = PackedSequence(out, input.batch_sizes, sorted_idx, unsorted_idx)
        else:
            output = out
            if not is_batched:
                output = out.squeeze(batch_dim)
                h_n = h_n.squeeze(1)
                c_n = None if c_n is None else c_n.squeeze(1)
        return output, ((h_n, c_n) if lstm else h_n)

    def _unpack_hx(self, hx: Any, is_batched: bool) -> tuple[Tensor, Tensor | None]:
        dim = 3 if is_batched else 2
        kind = "batched 3-D" if is_batched else "unbatched 2-D"
        if self.mode == "LSTM":
            if not (isinstance(hx, (tuple, list)) and len(hx) == 2):
                raise TypeError(
                    f"{self!r}: hx must be a tuple (h_0, c_0) of Tensors, got {type(hx).__name__}"
                )
            h0, c0 = hx
            for t, name in ((h0, "h_0"), (c0, "c_0")):
                if not isinstance(t, Tensor):
                    raise TypeError(
                        f"{self!r}: expected {name} to be a Tensor, got {type(t).__name__}"
                    )
            if h0.ndim != dim or c0.ndim != dim:
                raise ShapeError(
                    f"{self!r}: For {kind} input, hx and cx should also be {dim}-D but got "
                    f"({h0.ndim}-D, {c0.ndim}-D) tensors"
                )
            return (h0, c0) if is_batched else (h0.unsqueeze(1), c0.unsqueeze(1))
        if not isinstance(hx, Tensor):
            raise TypeError(f"{self!r}: expected hx to be a Tensor, got {type(hx).__name__}")
        if hx.ndim != dim:
            raise ShapeError(
                f"{self!r}: For {kind} input, hx should also be {dim}-D but got {hx.ndim}-D tensor"
            )
        return (hx if is_batched else hx.unsqueeze(1)), None

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


_DOC_ARGS = """
    Parameters
    ----------
    input_size, hidden_size : int
        Features of the input and of the hidden state.
    num_layers : int
        Stacked layers (default 1); layer ``k > 0`` reads layer ``k - 1``'s output.
    bias : bool
        Whether to use ``bias_ih`` and ``bias_hh`` (default True).
    batch_first : bool
        Input and output as ``(batch, seq, feature)`` instead of ``(seq, batch, feature)``.
        Hidden states are always ``(num_layers * num_directions, batch, hidden)``.
    dropout : float
        Dropout on the outputs of every layer except the last, in training mode.
    bidirectional : bool
        Also run each layer backwards in time; outputs are concatenated features.
"""


def _args(args: tuple[Any, ...], kwargs: dict[str, Any], names: list[str]) -> dict[str, Any]:
    if len(args) > len(names):
        raise TypeError(f"expected at most {len(names)} positional arguments, got {len(args)}")
    out = dict(zip(names, args))
    for k, v in kwargs.items():
        if k in out:
            raise TypeError(f"got multiple values for argument '{k}'")
        out[k] = v
    return out


class RNN(RNNBase):
    __doc__ = (
        """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or relu).

    Called as ``rnn(input, h_0=None)``; ``input`` is ``(L, N, H_in)``, ``(N, L, H_in)``
    (``batch_first``), unbatched ``(L, H_in)``, or a PackedSequence. Returns
    ``(output, h_n)`` with ``output`` ``(L, N, D * H_out)`` and ``h_n``
    ``(D * num_layers, N, H_out)``.
"""
        + _DOC_ARGS
        + """    nonlinearity : {'tanh', 'relu'}

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> rnn = nn.RNN(10, 20, 2)
    >>> output, hn = rnn(npgrad.randn(5, 3, 10), npgrad.randn(2, 3, 20))
    >>> output.shape, hn.shape
    (npgrad.Size([5, 3, 20]), npgrad.Size([2, 3, 20]))
    """
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        names = [
            "input_size",
            "hidden_size",
            "num_layers",
            "nonlinearity",
            "bias",
            "batch_first",
            "dropout",
            "bidirectional",
            "device",
            "dtype",
        ]
        a = _args(args, kwargs, names)
        nonlinearity = a.pop("nonlinearity", "tanh")
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(mode, **a)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    __doc__ = (
        """Long short-term memory, torch's gate order ``i, f, g, o``:

    ``c_t = f * c_{t-1} + i * g``, ``h_t = o * tanh(c_t)`` (then ``h_t W_hr^T`` with
    ``proj_size > 0``). Called as ``lstm(input, (h_0, c_0)=None)``; returns
    ``(output, (h_n, c_n))``.
"""
        + _DOC_ARGS
        + """    proj_size : int
        If > 0, project each hidden state to this size (``weight_hr_l{k}``).

    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> lstm = nn.LSTM(10, 20, 2)
    >>> output, (hn, cn) = lstm(npgrad.randn(5, 3, 10))
    >>> output.shape, hn.shape, cn.shape
    (npgrad.Size([5, 3, 20]), npgrad.Size([2, 3, 20]), npgrad.Size([2, 3, 20]))
    """
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = [
            "input_size",
            "hidden_size",
            "num_layers",
            "bias",
            "batch_first",
            "dropout",
            "bidirectional",
            "proj_size",
            "device",
            "dtype",
        ]
        super().__init__("LSTM", **_args(args, kwargs, names))


class GRU(RNNBase):
    __doc__ = (
        """Gated recurrent unit, torch's gate order ``r, z, n``:

    ``n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))``,
    ``h_t = (1 - z_t) * n_t + z_t * h_{t-1}``. Called as ``gru(input, h_0=None)``; returns
    ``(output, h_n)``.
"""
        + _DOC_ARGS
        + """
    Examples
    --------
    >>> import npgrad
    >>> from npgrad import nn
    >>> gru = nn.GRU(10, 20, batch_first=True, bidirectional=True)
    >>> output, hn = gru(npgrad.randn(3, 5, 10))
    >>> output.shape, hn.shape
    (npgrad.Size([3, 5, 40]), npgrad.Size([2, 3, 20]))
    """
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        names = [
            "input_size",
            "hidden_size",
            "num_layers",
            "bias",
            "batch_first",
            "dropout",
            "bidirectional",
            "device",
            "dtype",
        ]
        super().__init__("GRU", **_args(args, kwargs, names))
