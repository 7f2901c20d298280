"""A small speech recognizer trained with CTC after AssemblyAI's "Building an end-to-end Speech
Recognition model in PyTorch" (the DeepSpeech2-like model): CNNLayerNorm transposing around
nn.LayerNorm, ResidualCNN with GELU and Dropout, BidirectionalGRU (batch_first), the
TextTransform character map, a collate step padding with nn.utils.rnn.pad_sequence, log_softmax
over classes then transpose(0, 1) into nn.CTCLoss(blank=28), AdamW with OneCycleLR
(anneal_strategy='linear'), clip_grad_norm_, and GreedyDecoder collapsing repeats and blanks.

Source: https://www.assemblyai.com/blog/end-to-end-speech-recognition-pytorch (its notebook;
code under MIT). Written for jitgrad's corpus after its structure, not copied. Changes: random
"spectrograms" (16 mel bins, 24 frames) instead of torchaudio's LibriSpeech, one residual CNN
and one GRU layer of 16 units, 5 steps, dropout 0 so runs compare.
"""
# ruff: noqa: E501, UP008, UP031, UP032, UP035, UP006, UP018, UP039, B006, B007, E721, E731, F401, F841  (the original's style, kept)

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class TextTransform:
    """Maps characters to integers and vice versa"""

    def __init__(self):
        char_map_str = """
        ' 0
        <SPACE> 1
        a 2
        b 3
        c 4
        d 5
        e 6
        f 7
        g 8
        h 9
        i 10
        j 11
        k 12
        l 13
        m 14
        n 15
        o 16
        p 17
        q 18
        r 19
        s 20
        t 21
        u 22
        v 23
        w 24
        x 25
        y 26
        z 27
        """
        self.char_map = {}
        self.index_map = {}
        for line in char_map_str.strip().split('\n'):
            ch, index = line.split()
            self.char_map[ch] = int(index)
            self.index_map[int(index)] = ch
        self.index_map[1] = ' '

    def text_to_int(self, text):
        int_sequence = []
        for c in text:
            if c == ' ':
                ch = self.char_map['<SPACE>']
            else:
                ch = self.char_map[c]
            int_sequence.append(ch)
        return int_sequence

    def int_to_text(self, labels):
        string = []
        for i in labels:
            string.append(self.index_map[i])
        return ''.join(string).replace('<SPACE>', ' ')


text_transform = TextTransform()


class CNNLayerNorm(nn.Module):
    """Layer normalization built for cnns input"""

    def __init__(self, n_feats):
        super(CNNLayerNorm, self).__init__()
        self.layer_norm = nn.LayerNorm(n_feats)

    def forward(self, x):
        # x (batch, channel, feature, time)
        x = x.transpose(2, 3).contiguous()  # (batch, channel, time, feature)
        x = self.layer_norm(x)
        return x.transpose(2, 3).contiguous()  # (batch, channel, feature, time)


class ResidualCNN(nn.Module):
    def __init__(self, in_channels, out_channels, kernel, stride, dropout, n_feats):
        super(ResidualCNN, self).__init__()

        self.cnn1 = nn.Conv2d(in_channels, out_channels, kernel, stride, padding=kernel // 2)
        self.cnn2 = nn.Conv2d(out_channels, out_channels, kernel, stride, padding=kernel // 2)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.layer_norm1 = CNNLayerNorm(n_feats)
        self.layer_norm2 = CNNLayerNorm(n_feats)

    def forward(self, x):
        residual = x  # (batch, channel, feature, time)
        x = self.layer_norm1(x)
        x = F.gelu(x)
        x = self.dropout1(x)
        x = self.cnn1(x)
        x = self.layer_norm2(x)
        x = F.gelu(x)
        x = self.dropout2(x)
        x = self.cnn2(x)
        x += residual
        return x  # (batch, channel, feature, time)


class BidirectionalGRU(nn.Module):

    def __init__(self, rnn_dim, hidden_size, dropout, batch_first):
        super(BidirectionalGRU, self).__init__()

        self.BiGRU = nn.GRU(
            input_size=rnn_dim, hidden_size=hidden_size,
            num_layers=1, batch_first=batch_first, bidirectional=True)
        self.layer_norm = nn.LayerNorm(rnn_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        x = self.layer_norm(x)
        x = F.gelu(x)
        x, _ = self.BiGRU(x)
        x = self.dropout(x)
        return x


class SpeechRecognitionModel(nn.Module):

    def __init__(self, n_cnn_layers, n_rnn_layers, rnn_dim, n_class, n_feats, stride=2, dropout=0.1):
        super(SpeechRecognitionModel, self).__init__()
        n_feats = n_feats // 2
        self.cnn = nn.Conv2d(1, 4, 3, stride=stride, padding=3 // 2)  # cnn for extracting heirachal features

        # n residual cnn layers with filter size of 3
        self.rescnn_layers = nn.Sequential(*[
            ResidualCNN(4, 4, kernel=3, stride=1, dropout=dropout, n_feats=n_feats)
            for _ in range(n_cnn_layers)
        ])
        self.fully_connected = nn.Linear(n_feats * 4, rnn_dim)
        self.birnn_layers = nn.Sequential(*[
            BidirectionalGRU(rnn_dim=rnn_dim if i == 0 else rnn_dim * 2,
                             hidden_size=rnn_dim, dropout=dropout, batch_first=i == 0)
            for i in range(n_rnn_layers)
        ])
        self.classifier = nn.Sequential(
            nn.Linear(rnn_dim * 2, rnn_dim),  # birnn returns rnn_dim*2
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(rnn_dim, n_class)
        )

    def forward(self, x):
        x = self.cnn(x)
        x = self.rescnn_layers(x)
        sizes = x.size()
        x = x.view(sizes[0], sizes[1] * sizes[2], sizes[3])  # (batch, feature, time)
        x = x.transpose(1, 2)  # (batch, time, feature)
        x = self.fully_connected(x)
        x = self.birnn_layers(x)
        x = self.classifier(x)
        return x


def data_processing(data):
    spectrograms = []
    labels = []
    input_lengths = []
    label_lengths = []
    for spec, utterance in data:
        spectrograms.append(spec.squeeze(0).transpose(0, 1))
        label = torch.Tensor(text_transform.text_to_int(utterance.lower()))
        labels.append(label)
        input_lengths.append(spec.shape[-1] // 2)
        label_lengths.append(len(label))

    spectrograms = nn.utils.rnn.pad_sequence(spectrograms, batch_first=True).unsqueeze(1).transpose(2, 3)
    labels = nn.utils.rnn.pad_sequence(labels, batch_first=True)

    return spectrograms, labels, input_lengths, label_lengths


def GreedyDecoder(output, labels, label_lengths, blank_label=28, collapse_repeated=True):
    arg_maxes = torch.argmax(output, dim=2)
    decodes = []
    targets = []
    for i, args in enumerate(arg_maxes):
        decode = []
        targets.append(text_transform.int_to_text(labels[i][:label_lengths[i]].tolist()))
        for j, index in enumerate(args):
            if index != blank_label:
                if collapse_repeated and j != 0 and index == args[j - 1]:
                    continue
                decode.append(index.item())
        decodes.append(text_transform.int_to_text(decode))
    return decodes, targets


torch.manual_seed(7)
print(text_transform.text_to_int("hello world"), text_transform.int_to_text([9, 6, 13, 1, 16]))
utterances = ["the cat", "a dog ran", "hi", "good day"]
data = [(torch.randn(1, 16, n), u) for n, u in zip((24, 20, 22, 18), utterances)]
spectrograms, labels, input_lengths, label_lengths = data_processing(data)
print(spectrograms.shape, labels.shape, labels.dtype, input_lengths, label_lengths)
print(labels[2])

model = SpeechRecognitionModel(1, 1, 16, 29, 16, stride=2, dropout=0.0)
print(model.birnn_layers)
print('Num Model Parameters', sum([param.nelement() for param in model.parameters()]))
optimizer = optim.AdamW(model.parameters(), 5e-3)
criterion = nn.CTCLoss(blank=28)
print(criterion)
scheduler = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=5e-3, steps_per_epoch=5, epochs=1, anneal_strategy='linear')
model.train()
for step in range(5):
    optimizer.zero_grad()
    output = model(spectrograms)  # (batch, time, n_class)
    output = F.log_softmax(output, dim=2)
    output = output.transpose(0, 1)  # (time, batch, n_class)
    loss = criterion(output, labels, input_lengths, label_lengths)
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    print(step, round(loss.item(), 4), round(norm.item(), 4), '%.6f' % scheduler.get_last_lr()[0])
model.eval()
with torch.no_grad():
    output = F.log_softmax(model(spectrograms), dim=2)
    per = F.ctc_loss(output.transpose(0, 1), labels, input_lengths, label_lengths, blank=28, reduction='none', zero_infinity=True)
decoded_preds, decoded_targets = GreedyDecoder(output, labels, label_lengths)
print(per)
print(decoded_targets)
print([len(d) for d in decoded_preds])
