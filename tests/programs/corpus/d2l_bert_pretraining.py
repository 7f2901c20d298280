"""BERT from d2l.ai ("Bidirectional Encoder Representations from Transformers", chapter 15.8):
get_tokens_and_segments, BERTEncoder with token and segment nn.Embedding, a learnable
nn.Parameter(torch.randn(1, max_len, num_hiddens)) position embedding sliced to the sequence,
blocks of nn.TransformerEncoderLayer (batch_first) in an nn.Sequential added with
add_module(f"{i}", ...); MaskLM's gather of masked positions with torch.arange(0, batch_size)
and torch.repeat_interleave(batch_idx, num_pred_positions), its MLP with ReLU and LayerNorm;
NextSentencePred on the <cls> hidden state; the pretraining loss of the book's _get_batch_loss_bert
(CrossEntropyLoss(reduction='none') weighted by mlm_weights_X.reshape(-1, 1), divided by
mlm_weights_X.sum() + 1e-8) with Adam.

Source: https://d2l.ai/chapter_natural-language-processing-pretraining/bert.html (d2l-ai/d2l-en,
MIT-0 code; written for jitgrad's corpus after its structure, not copied). Changes: a
TransformerEncoderLayer in place of d2l's own TransformerEncoderBlock, 24 hidden units, 2
heads, 2 layers, vocab 30, dropout 0, random token batches, 3 steps.
"""
# ruff: noqa: E501, UP004, UP006, UP007, UP008, UP031, UP032, UP035, UP045, E701, E731, B006, B007, F401, F841  (the original's style, kept)

import torch
from torch import nn


def get_tokens_and_segments(tokens_a, tokens_b=None):
    tokens = ['<cls>'] + tokens_a + ['<sep>']
    # 0 and 1 are marking segment A and B, respectively
    segments = [0] * (len(tokens_a) + 2)
    if tokens_b is not None:
        tokens += tokens_b + ['<sep>']
        segments += [1] * (len(tokens_b) + 1)
    return tokens, segments


class BERTEncoder(nn.Module):
    def __init__(self, vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks, dropout, max_len=1000, **kwargs):
        super(BERTEncoder, self).__init__(**kwargs)
        self.token_embedding = nn.Embedding(vocab_size, num_hiddens)
        self.segment_embedding = nn.Embedding(2, num_hiddens)
        self.blks = nn.Sequential()
        for i in range(num_blks):
            self.blks.add_module(f"{i}", nn.TransformerEncoderLayer(num_hiddens, num_heads, ffn_num_hiddens, dropout, batch_first=True))
        # In BERT, positional embeddings are learnable, thus we create a
        # parameter of positional embeddings that are long enough
        self.pos_embedding = nn.Parameter(torch.randn(1, max_len, num_hiddens))

    def forward(self, tokens, segments, valid_lens):
        # Shape of `X` remains unchanged in the following code snippet:
        # (batch size, max sequence length, `num_hiddens`)
        X = self.token_embedding(tokens) + self.segment_embedding(segments)
        X = X + self.pos_embedding[:, :X.shape[1], :]
        mask = torch.arange(X.shape[1])[None, :] >= valid_lens[:, None]
        for blk in self.blks:
            X = blk(X, src_key_padding_mask=mask)
        return X


class MaskLM(nn.Module):
    def __init__(self, vocab_size, num_hiddens, num_inputs=24, **kwargs):
        super(MaskLM, self).__init__(**kwargs)
        self.mlp = nn.Sequential(nn.Linear(num_inputs, num_hiddens), nn.ReLU(), nn.LayerNorm(num_hiddens), nn.Linear(num_hiddens, vocab_size))

    def forward(self, X, pred_positions):
        num_pred_positions = pred_positions.shape[1]
        pred_positions = pred_positions.reshape(-1)
        batch_size = X.shape[0]
        batch_idx = torch.arange(0, batch_size)
        # Suppose that `batch_size` = 2, `num_pred_positions` = 3, then
        # `batch_idx` is `torch.tensor([0, 0, 0, 1, 1, 1])`
        batch_idx = torch.repeat_interleave(batch_idx, num_pred_positions)
        masked_X = X[batch_idx, pred_positions]
        masked_X = masked_X.reshape((batch_size, num_pred_positions, -1))
        mlm_Y_hat = self.mlp(masked_X)
        return mlm_Y_hat


class NextSentencePred(nn.Module):
    def __init__(self, num_inputs, **kwargs):
        super(NextSentencePred, self).__init__(**kwargs)
        self.output = nn.Linear(num_inputs, 2)

    def forward(self, X):
        # `X` shape: (batch size, `num_hiddens`)
        return self.output(X)


class BERTModel(nn.Module):
    def __init__(self, vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks, dropout, max_len=1000):
        super(BERTModel, self).__init__()
        self.encoder = BERTEncoder(vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks, dropout, max_len=max_len)
        self.hidden = nn.Sequential(nn.Linear(num_hiddens, num_hiddens), nn.Tanh())
        self.mlm = MaskLM(vocab_size, num_hiddens, num_inputs=num_hiddens)
        self.nsp = NextSentencePred(num_hiddens)

    def forward(self, tokens, segments, valid_lens=None, pred_positions=None):
        encoded_X = self.encoder(tokens, segments, valid_lens)
        if pred_positions is not None:
            mlm_Y_hat = self.mlm(encoded_X, pred_positions)
        else:
            mlm_Y_hat = None
        # The hidden layer of the MLP classifier for next sentence prediction.
        # 0 is the index of the '<cls>' token
        nsp_Y_hat = self.nsp(self.hidden(encoded_X[:, 0, :]))
        return encoded_X, mlm_Y_hat, nsp_Y_hat


def _get_batch_loss_bert(net, loss, vocab_size, tokens_X, segments_X, valid_lens_x, pred_positions_X, mlm_weights_X, mlm_Y, nsp_y):
    # Forward pass
    _, mlm_Y_hat, nsp_Y_hat = net(tokens_X, segments_X, valid_lens_x.reshape(-1), pred_positions_X)
    # Compute masked language model loss
    mlm_l = loss(mlm_Y_hat.reshape(-1, vocab_size), mlm_Y.reshape(-1)) * mlm_weights_X.reshape(-1, 1)
    mlm_l = mlm_l.sum() / (mlm_weights_X.sum() + 1e-8)
    # Compute next sentence prediction loss
    nsp_l = loss(nsp_Y_hat, nsp_y)
    l = mlm_l + nsp_l
    return mlm_l, nsp_l, l


print(get_tokens_and_segments(['this', 'movie', 'is', 'great'], ['i', 'like', 'it']))
torch.manual_seed(0)
vocab_size, num_hiddens, ffn_num_hiddens, num_heads = 30, 24, 48, 2
net = BERTModel(vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks=2, dropout=0.0, max_len=16)
tokens = torch.randint(0, vocab_size, (2, 8))
segments = torch.tensor([[0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1, 1, 1]])
encoded_X, _, nsp_Y_hat = net(tokens, segments, torch.tensor([8, 6]))
print(encoded_X.shape, nsp_Y_hat.shape, [n for n, _ in net.encoder.blks.named_children()])
mlm_positions = torch.tensor([[1, 5, 2], [6, 1, 5]])
mlm_Y_hat = net.mlm(encoded_X, mlm_positions)
print(mlm_Y_hat.shape, torch.repeat_interleave(torch.arange(0, 2), 3))
loss = nn.CrossEntropyLoss(reduction='none')
mlm_Y = torch.tensor([[7, 8, 9], [10, 20, 29]])
mlm_l = loss(mlm_Y_hat.reshape((-1, vocab_size)), mlm_Y.reshape(-1))
print(mlm_l.shape, nn.CrossEntropyLoss()(nsp_Y_hat, torch.tensor([0, 1])).shape)
trainer = torch.optim.Adam(net.parameters(), lr=0.01)
mlm_weights_X = torch.tensor([[1.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
nsp_y = torch.tensor([1, 0])
for step in range(3):
    trainer.zero_grad()
    mlm_l, nsp_l, l = _get_batch_loss_bert(net, loss, vocab_size, tokens, segments, torch.tensor([[8], [6]]), mlm_positions, mlm_weights_X, mlm_Y, nsp_y)
    l.mean().backward()
    trainer.step()
    print(f'step {step}: MLM loss {mlm_l:.3f}, NSP loss {nsp_l.mean():.3f}')
print(net.encoder.pos_embedding.grad[0, 8:].abs().sum(), net.encoder.segment_embedding.weight.grad.shape)
