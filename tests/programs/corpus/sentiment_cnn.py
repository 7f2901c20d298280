"""Convolutional sentiment analysis (Kim 2014) as bentrevett's pytorch-sentiment-analysis
writes it: Embedding with padding_idx, a ModuleList of Conv2d(1, n_filters, (fs, emb_dim))
over the unsqueezed embedded batch, relu + squeeze(3), F.max_pool1d over the whole length and
squeeze(2), cat of the pooled features, Dropout, Linear; pretrained vectors copied into the
embedding's weight.data with the <unk> and <pad> rows zeroed; count_parameters;
BCEWithLogitsLoss, binary_accuracy via torch.round(torch.sigmoid(...)); train/evaluate loops
with Adam; predict_sentiment on a tokenized sentence.

Source: https://github.com/bentrevett/pytorch-sentiment-analysis (4 - Convolutional Sentiment
Analysis.ipynb; MIT licence). Written for jitgrad's corpus, not copied. Changes: the IMDb
dataset, torchtext and spacy (downloads) are replaced by 24 synthetic token-id sentences
(positive ones use ids from one range, negative ones from another) and random "pretrained"
vectors; embedding 10, 4 filters of sizes 2/3/4; 4 epochs.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class CNN(nn.Module):
    def __init__(
        self, vocab_size, embedding_dim, n_filters, filter_sizes, output_dim, dropout, pad_idx
    ):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
        self.convs = nn.ModuleList(
            [
                nn.Conv2d(in_channels=1, out_channels=n_filters, kernel_size=(fs, embedding_dim))
                for fs in filter_sizes
            ]
        )
        self.fc = nn.Linear(len(filter_sizes) * n_filters, output_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, text):
        # text = [batch size, sent len]
        embedded = self.embedding(text)
        # embedded = [batch size, sent len, emb dim]
        embedded = embedded.unsqueeze(1)
        # embedded = [batch size, 1, sent len, emb dim]
        conved = [F.relu(conv(embedded)).squeeze(3) for conv in self.convs]
        # conved_n = [batch size, n_filters, sent len - filter_sizes[n] + 1]
        pooled = [F.max_pool1d(conv, conv.shape[2]).squeeze(2) for conv in conved]
        # pooled_n = [batch size, n_filters]
        cat = self.dropout(torch.cat(pooled, dim=1))
        # cat = [batch size, n_filters * len(filter_sizes)]
        return self.fc(cat)


INPUT_DIM = 30
EMBEDDING_DIM = 10
N_FILTERS = 4
FILTER_SIZES = [2, 3, 4]
OUTPUT_DIM = 1
DROPOUT = 0.5
PAD_IDX = 1
UNK_IDX = 0

torch.manual_seed(1234)
model = CNN(INPUT_DIM, EMBEDDING_DIM, N_FILTERS, FILTER_SIZES, OUTPUT_DIM, DROPOUT, PAD_IDX)


def count_parameters(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


print(f"The model has {count_parameters(model):,} trainable parameters")

pretrained_embeddings = torch.randn(INPUT_DIM, EMBEDDING_DIM)
model.embedding.weight.data.copy_(pretrained_embeddings)
model.embedding.weight.data[UNK_IDX] = torch.zeros(EMBEDDING_DIM)
model.embedding.weight.data[PAD_IDX] = torch.zeros(EMBEDDING_DIM)
print(model.embedding.weight[:3, :4])


def make_batch(n, offset):
    text = torch.full((n, 7), PAD_IDX, dtype=torch.long)
    labels = torch.zeros(n)
    for i in range(n):
        positive = (i + offset) % 2 == 0
        length = 4 + (i + offset) % 4
        lo = 2 if positive else 16
        text[i, :length] = torch.randint(lo, lo + 14, (length,))
        labels[i] = 1.0 if positive else 0.0
    return text, labels


train_iterator = [make_batch(6, k) for k in range(3)]
valid_iterator = [make_batch(6, 7)]

optimizer = optim.Adam(model.parameters(), lr=0.01)
criterion = nn.BCEWithLogitsLoss()


def binary_accuracy(preds, y):
    rounded_preds = torch.round(torch.sigmoid(preds))
    correct = (rounded_preds == y).float()  # convert into float for division
    acc = correct.sum() / len(correct)
    return acc


def train(model, iterator, optimizer, criterion):
    epoch_loss = 0
    epoch_acc = 0
    model.train()
    for text, label in iterator:
        optimizer.zero_grad()
        predictions = model(text).squeeze(1)
        loss = criterion(predictions, label)
        acc = binary_accuracy(predictions, label)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item()
        epoch_acc += acc.item()
    return epoch_loss / len(iterator), epoch_acc / len(iterator)


def evaluate(model, iterator, criterion):
    epoch_loss = 0
    epoch_acc = 0
    model.eval()
    with torch.no_grad():
        for text, label in iterator:
            predictions = model(text).squeeze(1)
            loss = criterion(predictions, label)
            acc = binary_accuracy(predictions, label)
            epoch_loss += loss.item()
            epoch_acc += acc.item()
    return epoch_loss / len(iterator), epoch_acc / len(iterator)


for epoch in range(4):
    train_loss, train_acc = train(model, train_iterator, optimizer, criterion)
    valid_loss, valid_acc = evaluate(model, valid_iterator, criterion)
    print(f"Epoch: {epoch + 1:02}")
    print(f"\tTrain Loss: {train_loss:.3f} | Train Acc: {train_acc * 100:.2f}%")
    print(f"\t Val. Loss: {valid_loss:.3f} |  Val. Acc: {valid_acc * 100:.2f}%")


def predict_sentiment(model, indexed, min_len=5):
    model.eval()
    if len(indexed) < min_len:
        indexed += [PAD_IDX] * (min_len - len(indexed))
    tensor = torch.LongTensor(indexed)
    tensor = tensor.unsqueeze(0)
    prediction = torch.sigmoid(model(tensor))
    return prediction.item()


print(round(predict_sentiment(model, [3, 5, 7, 9]), 4))
print(round(predict_sentiment(model, [20, 22, 25, 28, 29]), 4))
print(model.embedding.weight.grad[PAD_IDX].abs().sum())
