"""Transformer layers from the torch.nn docs: the "Example::" blocks of the docstrings of
nn.Transformer, nn.TransformerEncoderLayer, nn.TransformerEncoder, nn.TransformerDecoderLayer,
nn.TransformerDecoder, pasted one after the other as a user runs them; a line whose REPL echo
the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered at
https://pytorch.org/docs/stable/). Changes: the batch and spatial sizes (and for the Transformer
layers d_model, feed-forward width and depth, with dropout off since PyTorch draws attention
dropout inside its C++ kernel) of the larger examples are shrunk so the program runs in seconds;
print() goes around echoed expressions, and a block that echoes nothing prints its last result's
shape and first values; random inputs come from torch.randn/rand, which the corpus harness feeds
the same draws under both libraries.
"""

import torch
import torch.nn as nn

# nn.Transformer
transformer_model = nn.Transformer(
    d_model=64,
    nhead=16,
    num_encoder_layers=2,
    num_decoder_layers=2,
    dim_feedforward=128,
    dropout=0.0,
)
src = torch.rand((10, 2, 64))
tgt = torch.rand((20, 2, 64))
out = transformer_model(src, tgt)
print(out.shape)
print(out.flatten()[:4])

# nn.TransformerEncoderLayer
encoder_layer = nn.TransformerEncoderLayer(d_model=64, nhead=8, dim_feedforward=128, dropout=0.0)
src = torch.rand(10, 2, 64)
out = encoder_layer(src)
encoder_layer = nn.TransformerEncoderLayer(
    d_model=64, nhead=8, dim_feedforward=128, dropout=0.0, batch_first=True
)
src = torch.rand(2, 10, 64)
out = encoder_layer(src)
print(out.shape)
print(out.flatten()[:4])

# nn.TransformerEncoder
encoder_layer = nn.TransformerEncoderLayer(d_model=64, nhead=8, dim_feedforward=128, dropout=0.0)
transformer_encoder = nn.TransformerEncoder(encoder_layer, num_layers=2)
src = torch.rand(10, 2, 64)
out = transformer_encoder(src)
print(out.shape)
print(out.flatten()[:4])

# nn.TransformerDecoderLayer
decoder_layer = nn.TransformerDecoderLayer(d_model=64, nhead=8, dim_feedforward=128, dropout=0.0)
memory = torch.rand(10, 2, 64)
tgt = torch.rand(20, 2, 64)
out = decoder_layer(tgt, memory)
decoder_layer = nn.TransformerDecoderLayer(
    d_model=64, nhead=8, dim_feedforward=128, dropout=0.0, batch_first=True
)
memory = torch.rand(2, 10, 64)
tgt = torch.rand(2, 20, 64)
out = decoder_layer(tgt, memory)
print(out.shape)
print(out.flatten()[:4])

# nn.TransformerDecoder
decoder_layer = nn.TransformerDecoderLayer(d_model=64, nhead=8, dim_feedforward=128, dropout=0.0)
transformer_decoder = nn.TransformerDecoder(decoder_layer, num_layers=2)
memory = torch.rand(10, 2, 64)
tgt = torch.rand(20, 2, 64)
out = transformer_decoder(tgt, memory)
print(out.shape)
print(out.flatten()[:4])
