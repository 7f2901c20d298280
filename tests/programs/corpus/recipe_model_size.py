"""A model's size on disk (PyTorch's dynamic quantization recipe): an LSTM language model
run on random tokens, ``print_size_of_model`` saving its state_dict to a file and reading
the file's size, then the same model in half precision and bfloat16, and the checkpoint
read back into a fresh model.

Model: https://pytorch.org/tutorials/recipes/recipes/dynamic_quantization.html (pytorch/
tutorials, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: CPU only,
small sizes (the recipe's 89/64 widths kept, 2 layers, 5 tokens), timing left out;
``torch.quantization.quantize_dynamic`` (int8 kernels jitgrad does not have) replaced by
``half()``/``bfloat16()`` conversions, whose checkpoints shrink the same way; the file is
written in the program's own temporary directory.
"""

import os

import torch
import torch.nn as nn


class lstm_for_demonstration(nn.Module):
    def __init__(self, in_dim, out_dim, depth):
        super().__init__()
        self.lstm = nn.LSTM(in_dim, out_dim, depth)

    def forward(self, inputs, hidden):
        out, hidden = self.lstm(inputs, hidden)
        return out, hidden


torch.manual_seed(29592)
model_dimension = 8
sequence_length = 5
batch_size = 1
lstm_depth = 2
inputs = torch.randn(sequence_length, batch_size, model_dimension)
hidden = (
    torch.randn(lstm_depth, batch_size, model_dimension),
    torch.randn(lstm_depth, batch_size, model_dimension),
)
float_lstm = lstm_for_demonstration(model_dimension, model_dimension, lstm_depth)
out, (h, c) = float_lstm(inputs, hidden)
print(out.shape, round(out.abs().sum().item(), 4), round(h.sum().item(), 4))
print(float_lstm)


def print_size_of_model(model, label=""):
    torch.save(model.state_dict(), "temp.p")
    size = os.path.getsize("temp.p")
    print("model: ", label, " \t", "Size (KB):", size / 1e3)
    os.remove("temp.p")
    return size


f = print_size_of_model(float_lstm, "fp32")
half_lstm = lstm_for_demonstration(model_dimension, model_dimension, lstm_depth)
half_lstm.load_state_dict(float_lstm.state_dict())
h16 = print_size_of_model(half_lstm.half(), "fp16")
b16 = print_size_of_model(half_lstm.float().bfloat16(), "bf16")
print(f"{f / h16:.2f} times smaller", f - b16)

big = lstm_for_demonstration(89, 64, 2)
print_size_of_model(big, "89x64")
state = big.state_dict()
print(sum(v.numel() for v in state.values()), [k for k in state][:3])
torch.save(state, "checkpoint.pt")
fresh = lstm_for_demonstration(89, 64, 2)
fresh.load_state_dict(torch.load("checkpoint.pt"))
print(all(torch.equal(a, b) for a, b in zip(big.parameters(), fresh.parameters())))
print(os.path.getsize("checkpoint.pt"))
os.remove("checkpoint.pt")
