"""PyTorch's tutorial "Language Modeling with nn.TransformerEncoder and torchtext": the
TransformerModel (Embedding scaled by sqrt(d_model), sinusoidal PositionalEncoding with dropout,
nn.TransformerEncoder, Linear decoder with uniform init), batchify/get_batch with bptt, a causal
mask from nn.Transformer.generate_square_subsequent_mask, CrossEntropyLoss, SGD with StepLR,
clip_grad_norm_(0.5), evaluation under no_grad with perplexity math.exp(loss).

Source: https://pytorch.org/tutorials/beginner/transformer_tutorial.html (BSD-3-Clause). Written
for jitgrad's corpus, not copied. Changes: Wikitext-2 and torchtext are replaced by a 20-word
vocabulary stream from a fixed rule; d_model 16, 2 heads, d_hid 32, 2 layers, bptt 8, 2 epochs;
the encoder layers' dropout is 0 (PyTorch's attention dropout draws inside its fused kernel, so
the two libraries could not share its random numbers; the positional dropout stays at 0.1).
"""

import math

import torch
from torch import Tensor, nn
from torch.nn import TransformerEncoder, TransformerEncoderLayer

torch.manual_seed(0)


class PositionalEncoding(nn.Module):
    def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.pe[: x.size(0)]
        return self.dropout(x)


class TransformerModel(nn.Module):
    def __init__(self, ntoken, d_model, nhead, d_hid, nlayers, dropout=0.5):
        super().__init__()
        self.model_type = "Transformer"
        self.pos_encoder = PositionalEncoding(d_model, 0.1)
        encoder_layers = TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
        self.transformer_encoder = TransformerEncoder(encoder_layers, nlayers)
        self.embedding = nn.Embedding(ntoken, d_model)
        self.d_model = d_model
        self.linear = nn.Linear(d_model, ntoken)
        self.init_weights()

    def init_weights(self) -> None:
        initrange = 0.1
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.linear.bias.data.zero_()
        self.linear.weight.data.uniform_(-initrange, initrange)

    def forward(self, src: Tensor, src_mask: Tensor = None) -> Tensor:
        src = self.embedding(src) * math.sqrt(self.d_model)
        src = self.pos_encoder(src)
        if src_mask is None:
            src_mask = nn.Transformer.generate_square_subsequent_mask(len(src))
        output = self.transformer_encoder(src, src_mask)
        output = self.linear(output)
        return output


ntokens = 20
stream = torch.tensor([(i * 3 + (i // 4)) % ntokens for i in range(400)])
train_data_raw, val_data_raw = stream[:320], stream[320:]


def batchify(data: Tensor, bsz: int) -> Tensor:
    seq_len = data.size(0) // bsz
    data = data[: seq_len * bsz]
    data = data.view(bsz, seq_len).t().contiguous()
    return data


batch_size, eval_batch_size = 8, 4
train_data = batchify(train_data_raw, batch_size)
val_data = batchify(val_data_raw, eval_batch_size)
bptt = 8


def get_batch(source: Tensor, i: int):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i : i + seq_len]
    target = source[i + 1 : i + 1 + seq_len].reshape(-1)
    return data, target


model = TransformerModel(ntokens, 16, 2, 32, 2, dropout=0.0)
print(model.pos_encoder.pe.shape, sum(p.numel() for p in model.parameters()))
print([name for name, _ in model.named_parameters()][:6])

criterion = nn.CrossEntropyLoss()
lr = 5.0
optimizer = torch.optim.SGD(model.parameters(), lr=lr)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.95)


def train(model: nn.Module, epoch: int) -> None:
    model.train()
    total_loss = 0.0
    num_batches = len(train_data) // bptt
    for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        data, targets = get_batch(train_data, i)
        output = model(data)
        output_flat = output.view(-1, ntokens)
        loss = criterion(output_flat, targets)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
        total_loss += loss.item()
        if batch % 2 == 1:
            cur_loss = total_loss / 2
            print(f"| epoch {epoch:3d} | {batch:5d}/{num_batches:5d} batches | "
                  f"lr {scheduler.get_last_lr()[0]:02.2f} | loss {cur_loss:5.4f} | "
                  f"ppl {math.exp(cur_loss):8.4f}")
            total_loss = 0


def evaluate(model: nn.Module, eval_data: Tensor) -> float:
    model.eval()
    total_loss = 0.0
    with torch.no_grad():
        for i in range(0, eval_data.size(0) - 1, bptt):
            data, targets = get_batch(eval_data, i)
            seq_len = data.size(0)
            output = model(data)
            output_flat = output.view(-1, ntokens)
            total_loss += seq_len * criterion(output_flat, targets).item()
    return total_loss / (len(eval_data) - 1)


for epoch in range(1, 3):
    train(model, epoch)
    val_loss = evaluate(model, val_data)
    val_ppl = math.exp(val_loss)
    print(f"| end of epoch {epoch:3d} | valid loss {val_loss:5.4f} | valid ppl {val_ppl:8.4f}")
    scheduler.step()
