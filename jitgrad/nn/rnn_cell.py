"""``RNNCell``, ``LSTMCell``, ``GRUCell`` and the one-step gate math that ``RNN``/``LSTM``/
``GRU`` (rnn.py) loop over.

Every step is written in jitgrad's differentiable ops (``linear``, ``sigmoid``, ``tanh``,
elementwise arithmetic), so gradients, double backward and the fusion of the gate arithmetic
come from the existing machinery; there is no hand-written RNN kernel or backward. A step
takes the input projection ``gi = x W_ih^T + b_ih`` already computed (the layers compute it
for all time steps with one matmul, as PyTorch's CPU path does) and adds the hidden
projection ``h W_hh^T + b_hh``. Gate order and formulas are PyTorch's:

- RNN: ``h' = tanh(gi + gh)`` (or ``relu``)
- LSTM: chunks ``i, f, g, o``; ``c' = sigmoid(f) * c + sigmoid(i) * tanh(g)``,
  ``h' = sigmoid(o) * tanh(c')``
- GRU: chunks ``r, z, n``; ``n = tanh(gi_n + r * gh_n)``, ``h' = (h - n) * z + n``
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..frontend import creation
from ..frontend.checks import DTYPE_WORDS
from ..frontend.tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

#: A step: (input projection, state tuple, W_hh, b_hh) -> new state tuple.
Step = Callable[[Tensor, tuple, Tensor, Any], tuple]


def rnn_tanh_step(gi: Tensor, state: tuple, w_hh: Tensor, b_hh: Tensor | None) -> tuple:
    return ((gi + F.linear(state[0], w_hh, b_hh)).tanh(),)


def rnn_relu_step(gi: Tensor, state: tuple, w_hh: Tensor, b_hh: Tensor | None) -> tuple:
    return ((gi + F.linear(state[0], w_hh, b_hh)).relu(),)


def lstm_step(gi: Tensor, state: tuple, w_hh: Tensor, b_hh: Tensor | None) -> tuple:
    h, c = state
    i, f, g, o = (gi + F.linear(h, w_hh, b_hh)).chunk(4, -1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c.tanh(), c


def gru_step(gi: Tensor, state: tuple, w_hh: Tensor, b_hh: Tensor | None) -> tuple:
    h = state[0]
    i_r, i_z, i_n = gi.chunk(3, -1)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, -1)
    r = (i_r + h_r).sigmoid()
    z = (i_z + h_z).sigmoid()
    n = (i_n + r * h_n).tanh()
    return ((h - n) * z + n,)


def check_same_dtype(x: Tensor, weight: Tensor) -> None:
    """The matmul's wording for an input or state whose dtype is not the weights'."""
    if x._dtype is not weight._dtype:
        words = (DTYPE_WORDS.get(t._dtype.np.name, t._dtype.np.name) for t in (x, weight))
        raise RuntimeError(
            "mat1 and mat2 must have the same dtype, but got {} and {}".format(*words)
        )


def reset_uniform(module: Module, hidden_size: int) -> None:
    """PyTorch's RNN init: every parameter ~ U(-1/sqrt(hidden), 1/sqrt(hidden))."""
    stdv = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0
    for weight in module.parameters():
        init.uniform_(weight, -stdv, stdv)


class RNNCellBase(Module):
    """Parameters ``weight_ih`` (chunks*hidden, input), ``weight_hh`` (chunks*hidden, hidden)
    and optional ``bias_ih``/``bias_hh``; one step of the subclass's recurrence per call."""

    _chunks = 1

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
        dtype: Any = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gates = self._chunks * hidden_size
        self.weight_ih = Parameter(creation.empty((gates, input_size), dtype=dtype))
        self.weight_hh = Parameter(creation.empty((gates, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(creation.empty(gates, dtype=dtype))
            self.bias_hh = Parameter(creation.empty(gates, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        reset_uniform(self, self.hidden_size)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _batched(self, input: Tensor, states: tuple | None, what: str) -> tuple:  # noqa: A002
        """PyTorch's checks; returns (2-D input, 2-D states, whether the input was batched)."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for idx, h in enumerate(states or ()):
            if h.dim() not in (1, 2):
                label = what if len(states) == 1 else f"{what}[{idx}]"
                raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {h.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if states is None:
            zeros = creation.zeros(input.size(0), self.hidden_size, dtype=input.dtype)
            states = (zeros,) * (2 if self._chunks == 4 else 1)
        elif not batched:
            states = tuple(h.unsqueeze(0) for h in states)
        if input.size(1) != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}"
            )
        for idx, h in enumerate(states):
            if input.size(0) != h.size(0):
                raise RuntimeError(
                    f"Input batch size {input.size(0)} doesn't match hidden{idx} batch size "
                    f"{h.size(0)}"
                )
            if h.size(1) != self.hidden_size:
                raise RuntimeError(
                    f"hidden{idx} has inconsistent hidden_size: got {h.size(1)}, expected "
                    f"{self.hidden_size}"
                )
        for t in (input, *states):
            check_same_dtype(t, self.weight_ih)
        return input, states, batched

    def _step(self, step: Step, input: Tensor, states: tuple) -> tuple:  # noqa: A002
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        return step(gi, states, self.weight_hh, self.bias_hh)


class RNNCell(RNNCellBase):
    """``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or ``relu``)."""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
        device: Any = None, dtype: Any = None,
    ) -> None:  # fmt: skip
        super().__init__(input_size, hidden_size, bias, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, states, batched = self._batched(input, None if hx is None else (hx,), "hidden")
        steps = {"tanh": rnn_tanh_step, "relu": rnn_relu_step}
        if self.nonlinearity not in steps:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        (h,) = self._step(steps[self.nonlinearity], x, states)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; ``hx`` is ``(h, c)``; returns ``(h', c')``."""

    _chunks = 4

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple[Tensor, Tensor]:  # noqa: A002
        if hx is not None:
            if isinstance(hx, Tensor):
                raise TypeError(
                    "lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not Tensor"
                )
            if len(hx) != 2:
                raise RuntimeError("lstm_cell expects two hidden states")
        x, states, batched = self._batched(input, None if hx is None else tuple(hx), "hx")
        h, c = self._step(lstm_step, x, states)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: gates ``r, z, n`` with ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``."""

    _chunks = 3

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        x, states, batched = self._batched(input, None if hx is None else (hx,), "hidden")
        (h,) = self._step(gru_step, x, states)
        return h if batched else h.squeeze(0)
