"""NLP From Scratch: generating names with a character-level RNN: a conditional RNN cell
(category one-hot, input letter and hidden state concatenated; i2h, i2o, o2o, Dropout,
LogSoftmax), per-letter NLLLoss summed into ``loss = torch.Tensor([0])`` with ``+=``, manual
SGD by ``p.data.add_(p.grad.data, alpha=-learning_rate)``, and sampling by ``topk(1)``.

Tutorial: https://pytorch.org/tutorials/intermediate/char_rnn_generation_tutorial.html
(pytorch/tutorials, BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: the
names files (data/names/*.txt, a download) are replaced by five names for each of three
languages written below; hidden size 32; 60 training iterations with learning rate 0.005
instead of 100000 with 0.0005; training pairs cycle through the names in order instead of
random.choice; the timing prints are dropped.
"""
# ruff: noqa: B007, UP008, UP031  (the original's style, kept)

import string

import torch
import torch.nn as nn

all_letters = string.ascii_letters + " .,;'-"
n_letters = len(all_letters) + 1  # Plus EOS marker

category_lines = {
    "English": ["Smith", "Jones", "Taylor", "Brown", "Wilson"],
    "French": ["Martin", "Bernard", "Dubois", "Thomas", "Robert"],
    "Italian": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi"],
}
all_categories = list(category_lines)
n_categories = len(all_categories)
print("# categories:", n_categories, all_categories)


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(RNN, self).__init__()
        self.hidden_size = hidden_size

        self.i2h = nn.Linear(n_categories + input_size + hidden_size, hidden_size)
        self.i2o = nn.Linear(n_categories + input_size + hidden_size, output_size)
        self.o2o = nn.Linear(hidden_size + output_size, output_size)
        self.dropout = nn.Dropout(0.1)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, category, input, hidden):
        input_combined = torch.cat((category, input, hidden), 1)
        hidden = self.i2h(input_combined)
        output = self.i2o(input_combined)
        output_combined = torch.cat((hidden, output), 1)
        output = self.o2o(output_combined)
        output = self.dropout(output)
        output = self.softmax(output)
        return output, hidden

    def initHidden(self):
        return torch.zeros(1, self.hidden_size)


# One-hot vector for category
def categoryTensor(category):
    li = all_categories.index(category)
    tensor = torch.zeros(1, n_categories)
    tensor[0][li] = 1
    return tensor


# One-hot matrix of first to last letters (not including EOS) for input
def inputTensor(line):
    tensor = torch.zeros(len(line), 1, n_letters)
    for li in range(len(line)):
        letter = line[li]
        tensor[li][0][all_letters.find(letter)] = 1
    return tensor


# ``LongTensor`` of second letter to end (EOS) for target
def targetTensor(line):
    letter_indexes = [all_letters.find(line[li]) for li in range(1, len(line))]
    letter_indexes.append(n_letters - 1)  # EOS
    return torch.LongTensor(letter_indexes)


def trainingPair(i):
    category = all_categories[i % n_categories]
    line = category_lines[category][(i // n_categories) % 5]
    return categoryTensor(category), inputTensor(line), targetTensor(line)


criterion = nn.NLLLoss()
learning_rate = 0.005


def train(category_tensor, input_line_tensor, target_line_tensor):
    target_line_tensor.unsqueeze_(-1)
    hidden = rnn.initHidden()

    rnn.zero_grad()

    loss = torch.Tensor([0])  # you can also just simply use ``loss = 0``

    for i in range(input_line_tensor.size(0)):
        output, hidden = rnn(category_tensor, input_line_tensor[i], hidden)
        l = criterion(output, target_line_tensor[i])
        loss += l

    loss.backward()

    for p in rnn.parameters():
        p.data.add_(p.grad.data, alpha=-learning_rate)

    return output, loss.item() / input_line_tensor.size(0)


rnn = RNN(n_letters, 32, n_letters)
print(inputTensor("ab").shape, targetTensor("ab"))

total_loss = 0
for iter in range(1, 61):
    output, loss = train(*trainingPair(iter))
    total_loss += loss
    if iter % 20 == 0:
        print("iter %d loss %.4f" % (iter, total_loss / 20))
        total_loss = 0
print(output.shape, output.grad_fn)

max_length = 8


# Sample from a category and starting letter
def sample(category, start_letter="A"):
    with torch.no_grad():  # no need to track history in sampling
        category_tensor = categoryTensor(category)
        input = inputTensor(start_letter)
        hidden = rnn.initHidden()

        output_name = start_letter

        for i in range(max_length):
            output, hidden = rnn(category_tensor, input[0], hidden)
            topv, topi = output.topk(1)
            topi = topi[0][0]
            if topi == n_letters - 1:
                break
            else:
                letter = all_letters[topi]
                output_name += letter
            input = inputTensor(letter)

        return output_name


rnn.eval()
for category, start in (("English", "S"), ("French", "M"), ("Italian", "R")):
    print(category, start, sample(category, start))
