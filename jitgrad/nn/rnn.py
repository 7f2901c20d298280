"""``RNN``, ``LSTM`` and ``GRU``: multi-layer, optionally bidirectional recurrent layers with
PyTorch's parameters (``weight_ih_l{k}[_reverse]`` ...), init, checks, messages and outputs.

Each layer and direction computes its input projection for the whole sequence with one matmul
(``x W_ih^T + b_ih`` over ``(T, B, I)``), then loops over time for the hidden projection and
the gate math (rnn_cell.py's step functions), as PyTorch's CPU path does. Everything is made
of differentiable ops, so backward, double backward and fusion need nothing RNN-specific.
An LSTM's ``proj_size`` projects ``h`` by ``weight_hr_l{k}`` after each step, as PyTorch's.
"""

from __future__ import annotations

import numbers
from typing import Any

from .. import dtypes as D
from ..frontend import creation
from ..frontend.movement import cat, stack
from ..frontend.recording import record
from ..frontend.tensor import Tensor
from ..helpers import warn as warn_user
from . import functional as F
from .module import Module
from .parameter import Parameter
from .rnn_cell import (
    Step,
    check_same_dtype,
    gru_step,
    lstm_step,
    reset_uniform,
    rnn_relu_step,
    rnn_tanh_step,
)
from .utils.rnn import PackedSequence, packed_forward

#: mode -> (gate chunks, step function)
_MODES: dict[str, tuple[int, Step]] = {
    "RNN_TANH": (1, rnn_tanh_step),
    "RNN_RELU": (1, rnn_relu_step),
    "LSTM": (4, lstm_step),
    "GRU": (3, gru_step),
}


def _check_type(name: str, value: Any, kind: type) -> None:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{name} should be of type {kind.__name__}, got: {type(value).__name__}")


def _check_sizes(
    mode: str,
    input_size: int,
    hidden_size: int,
    num_layers: int,
    bias: bool,
    batch_first: bool,
    proj_size: int,
) -> None:
    """``RNNBase``'s argument checks after ``dropout``'s, in PyTorch's order and words, so a
    bad module fails when it is built (before any weight is drawn)."""
    _check_type("bias", bias, bool)
    _check_type("batch_first", batch_first, bool)
    for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        _check_type(name, value, int)
        if value <= 0:
            raise ValueError(f"{name} must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")
    if mode not in _MODES:
        raise ValueError("Unrecognized RNN mode: " + mode)


class RNNBase(Module):
    """The shared machinery: parameters per layer and direction, input/state checks, the
    layer loop. Subclasses only say how the state is shaped (``h`` or ``(h, c)``)."""

    #: PyTorch's "Expected input to be 2D or 3D" wording differs by class ("tensor" for RNN).
    _dims_word = "D instead"

    def __init__(
        self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
        bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
        bidirectional: bool = False, proj_size: int = 0, device: Any = None, dtype: Any = None,
    ) -> None:  # fmt: skip
        super().__init__()
        if (
            not isinstance(dropout, numbers.Number)
            or isinstance(dropout, bool)
            or not 0 <= dropout <= 1  # type: ignore[operator]
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of "
                "an element being zeroed"
            )
        if dropout > 0 and num_layers == 1:  # type: ignore[operator]
            warn_user(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                "dropout expects num_layers greater than 1, but got "
                f"dropout={dropout} and num_layers={num_layers}",
                stacklevel=3,
            )
        _check_sizes(mode, input_size, hidden_size, num_layers, bias, batch_first, proj_size)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)  # type: ignore[arg-type]
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        self._add_weights(_MODES[mode][0] * hidden_size, 2 if bidirectional else 1, dtype)
        self.reset_parameters()

    def _add_weights(self, gates: int, directions: int, dtype: Any) -> None:
        """The per-layer, per-direction weights under PyTorch's names (``weight_ih_l0``,
        ``bias_hh_l1_reverse`` ...), registered in its order, so ``state_dict`` keys,
        ``_flat_weights`` and the initializer's draws line up with PyTorch's."""
        input_size, hidden_size = self.input_size, self.hidden_size
        out_size = self.proj_size or hidden_size  # an LSTM with proj_size projects h
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(self.num_layers):
            width = input_size if layer == 0 else out_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = {"weight_ih": (gates, width), "weight_hh": (gates, out_size)}
                if self.bias:
                    shapes.update(bias_ih=(gates,), bias_hh=(gates,))
                if self.proj_size:
                    shapes.update(weight_hr=(self.proj_size, hidden_size))
                names = [kind + suffix for kind in shapes]
                for name, shape in zip(names, shapes.values()):
                    setattr(self, name, Parameter(creation.empty(shape, dtype=dtype)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)

    def reset_parameters(self) -> None:
        reset_uniform(self, self.hidden_size)

    def flatten_parameters(self) -> None:
        """A no-op kept for PyTorch programs (it compacts cuDNN weights there)."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, name) for name in names] for names in self._all_weights]

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

    # ---- checks ------------------------------------------------------------------------------
    def _batch_input(self, input: Any) -> tuple[Tensor, bool]:  # noqa: A002
        """(3-D input, whether it was batched); unbatched 2-D input gains its batch dim."""
        if hasattr(input, "batch_sizes") and not isinstance(input, Tensor):
            raise NotImplementedError(
                f"{type(self).__name__}: a packed input of type {type(input).__name__} is not "
                "a jitgrad.nn.utils.rnn.PackedSequence (build it with pack_padded_sequence)"
            )
        if input.dim() not in (2, 3):
            raise ValueError(
                f"{type(self).__name__}: Expected input to be 2D or 3D, got "
                f"{input.dim()}{self._dims_word}"
            )
        batched = input.dim() == 3
        return (input if batched else input.unsqueeze(0 if self.batch_first else 1)), batched

    def _expected_state(self, input: Tensor, cell: bool = False) -> tuple[int, int, int]:  # noqa: A002
        """The shape of ``h`` (of LSTM's ``c`` if ``cell``: not projected)."""
        batch = input.size(0) if self.batch_first else input.size(1)
        size = self.hidden_size if cell else (self.proj_size or self.hidden_size)
        return (self.num_layers * (2 if self.bidirectional else 1), batch, size)

    def _zeros(self, input: Tensor, cell: bool = False) -> Tensor:  # noqa: A002
        return creation.zeros(*self._expected_state(input, cell), dtype=input.dtype)

    def _check_forward_args(self, input: Tensor, states: tuple, labels: tuple) -> None:  # noqa: A002
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). "
                f"Convert input: input.to({weight.dtype}), or convert model: "
                f"model.to({input.dtype})"
            )
        if input.size(-1) != self.input_size:
            raise RuntimeError(
                "input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {input.size(-1)}"
            )
        for i, (state, label) in enumerate(zip(states, labels)):
            expected = self._expected_state(input, cell=i == 1)
            if tuple(state.shape) != expected:
                raise RuntimeError(
                    f"Expected hidden{label} size {expected}, got {list(state.shape)}"
                )
            check_same_dtype(state, weight)

    # ---- the recurrence ----------------------------------------------------------------------
    def _run(self, input: Tensor, states: tuple, batched: bool) -> tuple[Tensor, tuple]:  # noqa: A002
        """Output ``(T, B, D*H)`` (batch_first/unbatched layout restored) and the final states,
        each ``(L*D, B, H)`` (unbatched: ``(L*D, H)``)."""
        x = input.transpose(0, 1) if self.batch_first else input
        steps = x.size(0)
        if steps == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        step = _MODES[self.mode][1]
        finals: list[list[Tensor]] = [[] for _ in states]
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0 and self.training:
                x = F.dropout(x, self.dropout, True)
            outputs = []
            for direction in range(2 if self.bidirectional else 1):
                index = len(outputs) + layer * (2 if self.bidirectional else 1)
                w = {n.split("_l")[0]: getattr(self, n) for n in self._all_weights[index]}
                w_hh, b_hh, w_hr = w["weight_hh"], w.get("bias_hh"), w.get("weight_hr")
                projected = F.linear(x, w["weight_ih"], w.get("bias_ih")).unbind(0)  # one matmul
                state = tuple(s[index] for s in states)
                seq: list[Any] = [None] * steps
                for t in range(steps - 1, -1, -1) if direction else range(steps):
                    state = step(projected[t], state, w_hh, b_hh)
                    if w_hr is not None:  # proj_size: h is projected, c is not
                        state = (F.linear(state[0], w_hr), state[1])
                    seq[t] = state[0]
                outputs.append(stack(seq))
                for final, s in zip(finals, state):
                    final.append(s)
            x = outputs[0] if len(outputs) == 1 else cat(outputs, -1)
        if self.mode == "LSTM" and not self.bidirectional and x._dtype is D.float32:
            x = _named_as_mkldnn(x)
        if self.batch_first:  # PyTorch's C++ RNN transposes in place, LSTM's oneDNN path not
            x = x.transpose(0, 1) if self.mode == "LSTM" else x.transpose_(0, 1)
        result = tuple(stack(f) for f in finals)
        if not batched:
            x = x.squeeze(0 if self.batch_first else 1)
            result = tuple(r.squeeze(1) for r in result)
        return x, result

    def _forward_one_state(self, input: Any, hx: Tensor | None) -> tuple[Tensor, Tensor]:  # noqa: A002
        """RNN and GRU: the state is one tensor ``h``."""
        if isinstance(input, PackedSequence):
            return packed_forward(self, input, hx)
        x, batched = self._batch_input(input)
        if hx is not None:
            if not batched and hx.dim() != 2:
                raise RuntimeError(
                    f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor"
                )
            if batched and hx.dim() != 3:
                raise RuntimeError(
                    f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor"
                )
            hx = hx if batched else hx.unsqueeze(1)
        h0 = self._zeros(x) if hx is None else hx
        self._check_forward_args(x, (h0,), ("",))
        output, (h_n,) = self._run(x, (h0,), batched)
        return output, h_n


def _named_as_mkldnn(x: Tensor) -> Tensor:
    """The output under the node name PyTorch's CPU build shows for a float32 unidirectional
    LSTM, which runs on oneDNN (``MkldnnRnnLayerBackward0``); a pass-through over jitgrad's
    own graph."""
    return record("MkldnnRnnLayerBackward0", x._value, x._dtype, (x,), lambda g: (g,))


def _extra_kwargs(kwargs: dict) -> None:
    """PyTorch's errors for keywords beyond a class's signature (checked in ``RNNBase``)."""
    if "proj_size" in kwargs:
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
    if kwargs:
        raise TypeError(
            f"RNNBase.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'"
        )


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or ``relu``)."""

    _dims_word = "D tensor instead"

    def __init__(
        self, input_size: int, hidden_size: int, num_layers: int = 1,
        nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
        dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
        dtype: Any = None, **kwargs: Any,
    ) -> None:  # fmt: skip
        _extra_kwargs(kwargs)
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if nonlinearity not in modes:
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        self.nonlinearity = nonlinearity
        super().__init__(
            modes[nonlinearity], input_size, hidden_size, num_layers, bias, batch_first,
            dropout, bidirectional, dtype=dtype,
        )  # fmt: skip

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:  # noqa: A002
        return self._forward_one_state(input, hx)


class GRU(RNNBase):
    """GRU with gates ``r, z, n``: ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``,
    ``h' = (1 - z) * n + z * h``."""

    def __init__(
        self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
        batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
        device: Any = None, dtype: Any = None, **kwargs: Any,
    ) -> None:  # fmt: skip
        _extra_kwargs(kwargs)
        super().__init__(
            "GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
            bidirectional, dtype=dtype,
        )  # fmt: skip

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:  # noqa: A002
        return self._forward_one_state(input, hx)


class LSTM(RNNBase):
    """LSTM with gates ``i, f, g, o``; the state and ``h_n`` part of the result are
    ``(h, c)``."""

    def __init__(
        self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
        batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
        proj_size: int = 0, device: Any = None, dtype: Any = None, **kwargs: Any,
    ) -> None:  # fmt: skip
        _extra_kwargs(kwargs)
        super().__init__(
            "LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
            bidirectional, proj_size, dtype=dtype,
        )  # fmt: skip

    def forward(
        self,
        input: Tensor,
        hx: tuple[Tensor, Tensor] | None = None,  # noqa: A002
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        if isinstance(input, PackedSequence):
            return packed_forward(self, input, hx)
        x, batched = self._batch_input(input)
        if hx is None:
            hx = (self._zeros(x), self._zeros(x, cell=True))
        else:
            h, c = hx[0], hx[1]
            want = 3 if batched else 2
            if h.dim() != want or c.dim() != want:
                kind = "batched 3-D" if batched else "unbatched 2-D"
                raise RuntimeError(
                    f"For {kind} input, hx and cx should also be {want}-D but got "
                    f"({h.dim()}-D, {c.dim()}-D) tensors"
                )
            hx = (h, c) if batched else (h.unsqueeze(1), c.unsqueeze(1))
        self._check_forward_args(x, hx, ("[0]", "[1]"))
        output, (h_n, c_n) = self._run(x, hx, batched)
        return output, (h_n, c_n)
