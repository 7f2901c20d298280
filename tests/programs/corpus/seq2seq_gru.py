"""Sequence to sequence with an attention-less GRU encoder/decoder, after "NLP From Scratch:
Translation with a Sequence to Sequence Network and Attention": EncoderRNN (Embedding + GRU,
dropout), DecoderRNN (GRU, Linear, log_softmax, greedy decoding with topk and teacher forcing),
NLLLoss, Adam, batch_first tensors from a TensorDataset.

Model: https://pytorch.org/tutorials/intermediate/seq2seq_translation_tutorial.html
(pytorch/tutorials, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: the
French-English pairs are replaced by 32 synthetic "reverse the digits" pairs, hidden 32,
MAX_LENGTH 6, 15 epochs; the attention decoder is left out.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim
from torch.utils.data import DataLoader, RandomSampler, TensorDataset

torch.manual_seed(0)
SOS_token, EOS_token, MAX_LENGTH, n_words = 0, 1, 6, 12
src = torch.randint(2, n_words, (32, MAX_LENGTH - 1))
input_ids = torch.cat([src, torch.full((32, 1), EOS_token)], 1)
target_ids = torch.cat([src.flip(1), torch.full((32, 1), EOS_token)], 1)
train_data = TensorDataset(input_ids, target_ids)
train_dataloader = DataLoader(train_data, sampler=RandomSampler(train_data), batch_size=8)


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size, dropout_p=0.1):
        super().__init__()
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, input):
        embedded = self.dropout(self.embedding(input))
        output, hidden = self.gru(embedded)
        return output, hidden


class DecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size):
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)

    def forward(self, encoder_outputs, encoder_hidden, target_tensor=None):
        batch_size = encoder_outputs.size(0)
        decoder_input = torch.empty(batch_size, 1, dtype=torch.long).fill_(SOS_token)
        decoder_hidden = encoder_hidden
        decoder_outputs = []
        for i in range(MAX_LENGTH):
            decoder_output, decoder_hidden = self.forward_step(decoder_input, decoder_hidden)
            decoder_outputs.append(decoder_output)
            if target_tensor is not None:
                decoder_input = target_tensor[:, i].unsqueeze(1)
            else:
                _, topi = decoder_output.topk(1)
                decoder_input = topi.squeeze(-1).detach()
        decoder_outputs = torch.cat(decoder_outputs, dim=1)
        decoder_outputs = F.log_softmax(decoder_outputs, dim=-1)
        return decoder_outputs, decoder_hidden, None

    def forward_step(self, input, hidden):
        output = F.relu(self.embedding(input))
        output, hidden = self.gru(output, hidden)
        return self.out(output), hidden


def train_epoch(dataloader, encoder, decoder, encoder_optimizer, decoder_optimizer, criterion):
    total_loss = 0
    for input_tensor, target_tensor in dataloader:
        encoder_optimizer.zero_grad()
        decoder_optimizer.zero_grad()
        encoder_outputs, encoder_hidden = encoder(input_tensor)
        decoder_outputs, _, _ = decoder(encoder_outputs, encoder_hidden, target_tensor)
        loss = criterion(decoder_outputs.view(-1, decoder_outputs.size(-1)), target_tensor.view(-1))
        loss.backward()
        encoder_optimizer.step()
        decoder_optimizer.step()
        total_loss += loss.item()
    return total_loss / len(dataloader)


hidden_size = 32
encoder = EncoderRNN(n_words, hidden_size)
decoder = DecoderRNN(hidden_size, n_words)
encoder_optimizer = optim.Adam(encoder.parameters(), lr=0.01)
decoder_optimizer = optim.Adam(decoder.parameters(), lr=0.01)
criterion = nn.NLLLoss()
for epoch in range(1, 16):
    loss = train_epoch(
        train_dataloader, encoder, decoder, encoder_optimizer, decoder_optimizer, criterion
    )
    if epoch % 5 == 0:
        print(f"epoch {epoch} loss {loss:.4f}")

encoder.eval()
decoder.eval()
with torch.no_grad():
    encoder_outputs, encoder_hidden = encoder(input_ids[:2])
    decoder_outputs, decoder_hidden, _ = decoder(encoder_outputs, encoder_hidden)
    _, topi = decoder_outputs.topk(1)
    print(input_ids[:2].tolist(), topi.squeeze(-1).tolist())
