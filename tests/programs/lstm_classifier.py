"""A PyTorch sequence-classification tutorial program, with jitgrad imported as torch.

Embedding -> 2-layer bidirectional LSTM (batch_first, dropout between layers) -> Linear on
the last step's output, plus a GRUCell unrolled by hand over the same embeddings; the task is
"does the token 1 occur in the sequence?". CrossEntropyLoss and Adam on a fixed batch; prints
the model, one loss per step and the eval-mode accuracy.
"""

import jitgrad as torch
import jitgrad.nn as nn
import jitgrad.optim as optim

torch.manual_seed(0)


class Classifier(nn.Module):
    def __init__(self, vocab=6, embed=8, hidden=12):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(
            embed, hidden, num_layers=2, batch_first=True, dropout=0.1, bidirectional=True
        )
        self.cell = nn.GRUCell(embed, hidden)
        self.fc = nn.Linear(3 * hidden, 2)

    def forward(self, tokens):
        x = self.embedding(tokens)
        out, (h_n, c_n) = self.lstm(x)
        h = torch.zeros(tokens.size(0), self.cell.hidden_size)
        for t in range(x.size(1)):
            h = self.cell(x[:, t], h)
        return self.fc(torch.cat([out[:, -1], h], dim=1))


model = Classifier()
print(model)
tokens = torch.randint(2, 6, (24, 7))
tokens[::2, 3] = 1  # half the sequences contain token 1
labels = (tokens == 1).any(dim=1).long()
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=0.03)
for step in range(12):
    optimizer.zero_grad()
    loss = criterion(model(tokens), labels)
    loss.backward()
    optimizer.step()
    print(f"step {step} loss {loss.item():.4f}")
model.eval()
with torch.no_grad():
    pred = model(tokens).argmax(1)
print(f"train accuracy {(pred == labels).float().mean().item():.3f}")
