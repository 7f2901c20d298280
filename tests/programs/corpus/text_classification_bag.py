"""PyTorch's tutorial "Text classification with the torchtext library": the
TextClassificationModel (nn.EmbeddingBag in its default mean mode fed a flat token tensor plus
offsets, a Linear classifier, uniform init), collate_batch building offsets with cumsum, the
train loop with CrossEntropyLoss, SGD(lr=5), clip_grad_norm_(0.1) and StepLR(1, gamma=0.1)
stepped when validation accuracy drops, evaluation under no_grad, and predict on new text.

Source: https://pytorch.org/tutorials/beginner/text_sentiment_ngrams_tutorial.html
(BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: AG_NEWS and torchtext's
tokenizer/vocabulary are replaced by a tiny generated corpus of two-class "headlines" and a
dict vocabulary; embed dim 8, 4 epochs, batch size 4.
"""

import torch
from torch import nn

torch.manual_seed(0)
sport = ["match", "goal", "team", "coach", "league", "score", "win", "player"]
tech = ["chip", "software", "robot", "cloud", "data", "phone", "code", "network"]
common = ["the", "new", "big", "today", "in", "a"]
vocab = {w: i for i, w in enumerate(["<unk>"] + common + sport + tech)}


def text_pipeline(x):
    return [vocab.get(w, 0) for w in x.split()]


def make(i):
    words = sport if i % 2 == 0 else tech
    n = 3 + i % 4
    text = " ".join([common[(i + k) % 6] if k % 2 else words[(i * 3 + k) % 8] for k in range(n)])
    return i % 2, text


train_iter = [make(i) for i in range(24)]
valid_iter = [make(i) for i in range(24, 32)]


def collate_batch(batch):
    label_list, text_list, offsets = [], [], [0]
    for _label, _text in batch:
        label_list.append(_label)
        processed_text = torch.tensor(text_pipeline(_text), dtype=torch.int64)
        text_list.append(processed_text)
        offsets.append(processed_text.size(0))
    label_list = torch.tensor(label_list, dtype=torch.int64)
    offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
    text_list = torch.cat(text_list)
    return label_list, text_list, offsets


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super(TextClassificationModel, self).__init__()  # noqa: UP008 (as the tutorial)
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        embedded = self.embedding(text, offsets)
        return self.fc(embedded)


model = TextClassificationModel(len(vocab), 8, 2)
print(model)
criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=5)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.1)
train_batches = [collate_batch(train_iter[i : i + 4]) for i in range(0, 24, 4)]
valid_batches = [collate_batch(valid_iter[i : i + 4]) for i in range(0, 8, 4)]


def train(batches):
    model.train()
    total_acc, total_count = 0, 0
    for label, text, offsets in batches:
        optimizer.zero_grad()
        predicted_label = model(text, offsets)
        loss = criterion(predicted_label, label)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
        optimizer.step()
        total_acc += (predicted_label.argmax(1) == label).sum().item()
        total_count += label.size(0)
    return total_acc / total_count, loss.item()


def evaluate(batches):
    model.eval()
    total_acc, total_count = 0, 0
    with torch.no_grad():
        for label, text, offsets in batches:
            predicted_label = model(text, offsets)
            total_acc += (predicted_label.argmax(1) == label).sum().item()
            total_count += label.size(0)
    return total_acc / total_count


total_accu = None
for epoch in range(1, 5):
    train_acc, last_loss = train(train_batches)
    accu_val = evaluate(valid_batches)
    if total_accu is not None and total_accu > accu_val:
        scheduler.step()
    else:
        total_accu = accu_val
    print(f"| end of epoch {epoch:3d} | train acc {train_acc:.3f} | loss {last_loss:.5f} | "
          f"valid accuracy {accu_val:8.3f} | lr {scheduler.get_last_lr()[0]}")


def predict(text, text_pipeline):
    with torch.no_grad():
        text = torch.tensor(text_pipeline(text))
        output = model(text, torch.tensor([0]))
        return output.argmax(1).item(), output


print(predict("the team coach win a league", text_pipeline))
print(predict("new phone software in the cloud", text_pipeline))
