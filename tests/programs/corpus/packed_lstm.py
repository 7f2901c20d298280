"""The variable-length-batch recipe for RNNs from PyTorch's documentation and the common
"pack_padded_sequence" tutorials: sequences of different lengths padded with
nn.utils.rnn.pad_sequence, packed with pack_padded_sequence(enforce_sorted=False), run through
a bidirectional nn.LSTM (and an nn.GRU), unpacked with pad_packed_sequence, the final hidden
states of both directions concatenated for a classifier, trained a few steps with Adam.

Sources: https://pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pack_padded_sequence.html,
https://pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pad_packed_sequence.html
(BSD-3-Clause), and the pattern of the PyTorch forum/tutorial sequence classifiers. Written for
jitgrad's corpus, not copied. Changes: toy data (classify whether a sequence's sum is positive),
hidden size 5, 5 steps.
"""

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

torch.manual_seed(0)
lengths = [4, 2, 5, 3]
seqs = [torch.randn(n, 3) for n in lengths]
labels = torch.tensor([int(s.sum() > 0) for s in seqs])
padded = pad_sequence(seqs, batch_first=True)
print(padded.shape, padded[1, :, 0])

packed = pack_padded_sequence(padded, torch.tensor(lengths), batch_first=True,
                              enforce_sorted=False)
print(packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices)
print(packed.data.shape)
unpacked, unpacked_lengths = pad_packed_sequence(packed, batch_first=True)
print(torch.equal(unpacked, padded), unpacked_lengths)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 5, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(10, 2)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        packed_out, (h_n, c_n) = self.lstm(packed)
        out, out_lengths = pad_packed_sequence(packed_out, batch_first=True)
        hidden = torch.cat([h_n[-2], h_n[-1]], dim=1)
        return self.fc(hidden), out, out_lengths


model = Classifier()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
for step in range(5):
    logits, out, out_lengths = model(padded, lengths)
    loss = nn.functional.cross_entropy(logits, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(step, f"{loss.item():.5f}", out.shape, out[2, -1, :2], out[1, -1])

gru = nn.GRU(3, 4, num_layers=2)
packed_t = pack_padded_sequence(pad_sequence(seqs), lengths, enforce_sorted=False)
out, h = gru(packed_t, torch.zeros(2, 4, 4))
print(type(out).__name__, out.data.shape, h.shape, h[1, 0])
