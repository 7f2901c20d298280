"""Sequence to sequence learning (Dive into Deep Learning 9.7, d2l 0.17 form): Seq2SeqEncoder
(Embedding, two-layer GRU over time-major input from X.permute(1, 0, 2)), Seq2SeqDecoder (the
encoder's last state repeated as context and concatenated to every step), sequence_mask,
MaskedSoftmaxCELoss (an nn.CrossEntropyLoss subclass with reduction='none' on pred.permute(0, 2,
1)), xavier init of the GRU through _flat_weights_names, d2l's own grad_clipping, greedy
predict_seq2seq and the BLEU score.

Chapter: https://d2l.ai/chapter_recurrent-modern/seq2seq.html (d2l-ai/d2l-en; code under MIT-0).
Written for jitgrad's corpus, not copied. Changes: the English-French dataset (a download) is
replaced by six sentence pairs and their vocabularies written below; embed 8, hidden 16, 15
epochs of one batch; the Animator and Timer are dropped; the GRUs' dropout is 0 instead of 0.1
(PyTorch draws the mask between GRU layers from its C++ generator, which the corpus harness
cannot share).
"""
# ruff: noqa: E721, UP008, UP034  (the original's style, kept)

import collections
import math

import torch
from torch import nn


class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super(Seq2SeqEncoder, self).__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X, *args):
        X = self.embedding(X)
        X = X.permute(1, 0, 2)
        output, state = self.rnn(X)
        return output, state


class Seq2SeqDecoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super(Seq2SeqDecoder, self).__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs, *args):
        return enc_outputs[1]

    def forward(self, X, state):
        X = self.embedding(X).permute(1, 0, 2)
        context = state[-1].repeat(X.shape[0], 1, 1)
        X_and_context = torch.cat((X, context), 2)
        output, state = self.rnn(X_and_context, state)
        output = self.dense(output).permute(1, 0, 2)
        return output, state


class EncoderDecoder(nn.Module):
    def __init__(self, encoder, decoder, **kwargs):
        super(EncoderDecoder, self).__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, enc_X, dec_X, *args):
        enc_outputs = self.encoder(enc_X, *args)
        dec_state = self.decoder.init_state(enc_outputs, *args)
        return self.decoder(dec_X, dec_state)


def sequence_mask(X, valid_len, value=0):
    maxlen = X.size(1)
    mask = (
        torch.arange((maxlen), dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
    )
    X[~mask] = value
    return X


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    def forward(self, pred, label, valid_len):
        weights = torch.ones_like(label)
        weights = sequence_mask(weights, valid_len)
        self.reduction = "none"
        unweighted_loss = super(MaskedSoftmaxCELoss, self).forward(pred.permute(0, 2, 1), label)
        weighted_loss = (unweighted_loss * weights).mean(dim=1)
        return weighted_loss


def grad_clipping(net, theta):
    if isinstance(net, nn.Module):
        params = [p for p in net.parameters() if p.requires_grad]
    else:
        params = net.params
    norm = torch.sqrt(sum(torch.sum((p.grad**2)) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm


src_sentences = ["go .", "i lost .", "he's calm .", "i'm home .", "we won .", "run !"]
tgt_sentences = [
    "va !",
    "j'ai perdu .",
    "il est calme .",
    "je suis chez moi .",
    "nous avons gagné .",
    "cours !",
]


def build_vocab(sentences):
    tokens = ["<pad>", "<bos>", "<eos>", "<unk>"]
    for s in sentences:
        for t in s.split():
            if t not in tokens:
                tokens.append(t)
    return {t: i for i, t in enumerate(tokens)}, tokens


src_vocab, src_tokens = build_vocab(src_sentences)
tgt_vocab, tgt_tokens = build_vocab(tgt_sentences)
num_steps = 6


def truncate_pad(line, num_steps, padding_token):
    if len(line) > num_steps:
        return line[:num_steps]
    return line + [padding_token] * (num_steps - len(line))


def build_array(sentences, vocab):
    lines = [[vocab[t] for t in s.split()] + [vocab["<eos>"]] for s in sentences]
    array = torch.tensor([truncate_pad(l, num_steps, vocab["<pad>"]) for l in lines])
    valid_len = (array != vocab["<pad>"]).type(torch.int32).sum(1)
    return array, valid_len


X, X_valid_len = build_array(src_sentences, src_vocab)
Y, Y_valid_len = build_array(tgt_sentences, tgt_vocab)
print(X, X_valid_len)

torch.manual_seed(0)
encoder = Seq2SeqEncoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
encoder.eval()
x = torch.zeros((4, 7), dtype=torch.long)
output, state = encoder(x)
print(output.shape, state.shape)
decoder = Seq2SeqDecoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
decoder.eval()
state = decoder.init_state(encoder(x))
output, state = decoder(x, state)
print(output.shape, state.shape)

x = torch.tensor([[1, 2, 3], [4, 5, 6]])
print(sequence_mask(x, torch.tensor([1, 2])))
x = torch.ones(2, 3, 4)
print(sequence_mask(x, torch.tensor([1, 2]), value=-1))
loss = MaskedSoftmaxCELoss()
print(loss(torch.ones(3, 4, 10), torch.ones((3, 4), dtype=torch.long), torch.tensor([4, 2, 0])))


def xavier_init_weights(m):
    if type(m) == nn.Linear:
        nn.init.xavier_uniform_(m.weight)
    if type(m) == nn.GRU:
        for param in m._flat_weights_names:
            if "weight" in param:
                nn.init.xavier_uniform_(m._parameters[param])


encoder = Seq2SeqEncoder(len(src_vocab), 8, 16, 2, dropout=0)
decoder = Seq2SeqDecoder(len(tgt_vocab), 8, 16, 2, dropout=0)
net = EncoderDecoder(encoder, decoder)
net.apply(xavier_init_weights)
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
loss = MaskedSoftmaxCELoss()
net.train()
for epoch in range(15):
    optimizer.zero_grad()
    bos = torch.tensor([tgt_vocab["<bos>"]] * Y.shape[0]).reshape(-1, 1)
    dec_input = torch.cat([bos, Y[:, :-1]], 1)  # Teacher forcing
    Y_hat, _ = net(X, dec_input, X_valid_len)
    l = loss(Y_hat, Y, Y_valid_len)
    l.sum().backward()
    grad_clipping(net, 1)
    num_tokens = Y_valid_len.sum()
    optimizer.step()
    if (epoch + 1) % 5 == 0:
        print(f"epoch {epoch + 1}, loss {l.sum().item() / num_tokens.item():.3f}")


def predict_seq2seq(net, src_sentence, num_steps):
    net.eval()
    src_tokens_ = [src_vocab[t] for t in src_sentence.split()] + [src_vocab["<eos>"]]
    enc_valid_len = torch.tensor([len(src_tokens_)])
    src_tokens_ = truncate_pad(src_tokens_, num_steps, src_vocab["<pad>"])
    enc_X = torch.unsqueeze(torch.tensor(src_tokens_, dtype=torch.long), dim=0)
    enc_outputs = net.encoder(enc_X, enc_valid_len)
    dec_state = net.decoder.init_state(enc_outputs, enc_valid_len)
    dec_X = torch.unsqueeze(torch.tensor([tgt_vocab["<bos>"]], dtype=torch.long), dim=0)
    output_seq = []
    for _ in range(num_steps):
        Y, dec_state = net.decoder(dec_X, dec_state)
        dec_X = Y.argmax(dim=2)
        pred = dec_X.squeeze(dim=0).type(torch.int32).item()
        if pred == tgt_vocab["<eos>"]:
            break
        output_seq.append(pred)
    return " ".join(tgt_tokens[i] for i in output_seq)


def bleu(pred_seq, label_seq, k):
    pred_tokens, label_tokens = pred_seq.split(" "), label_seq.split(" ")
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    score = math.exp(min(0, 1 - len_label / len_pred))
    for n in range(1, k + 1):
        num_matches, label_subs = 0, collections.defaultdict(int)
        for i in range(len_label - n + 1):
            label_subs[" ".join(label_tokens[i : i + n])] += 1
        for i in range(len_pred - n + 1):
            if label_subs[" ".join(pred_tokens[i : i + n])] > 0:
                num_matches += 1
                label_subs[" ".join(pred_tokens[i : i + n])] -= 1
        score *= math.pow(num_matches / (len_pred - n + 1), math.pow(0.5, n))
    return score


for eng, fra in zip(src_sentences[:4], tgt_sentences[:4]):
    translation = predict_seq2seq(net, eng, num_steps)
    print(f"{eng} => {translation}, bleu {bleu(translation, fra, k=2):.3f}")
