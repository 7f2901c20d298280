"""Graph convolutional network: a GraphConv layer (adjacency @ (x @ W) + b, kaiming/zeros init),
the normalised adjacency D^-1/2 (A + I) D^-1/2 built with torch.diag and pow(-0.5), two layers
with dropout, log_softmax, nll_loss on the training mask, Adam with weight decay, accuracy on
the test mask.

Model: https://github.com/pytorch/examples/blob/main/gcn/main.py (pytorch/examples,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: the Cora dataset is replaced
by a synthetic 30-node graph with 12 features and 3 classes (dense adjacency, the original's
sparse path not used), hidden 8, 10 epochs.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim import Adam

torch.manual_seed(42)


class GraphConv(nn.Module):
    def __init__(self, input_dim, output_dim, use_bias=False):
        super().__init__()
        self.kernel = nn.Parameter(torch.Tensor(input_dim, output_dim))
        nn.init.xavier_normal_(self.kernel)
        self.bias = None
        if use_bias:
            self.bias = nn.Parameter(torch.Tensor(output_dim))
            nn.init.zeros_(self.bias)

    def forward(self, input_tensor, adj_mat):
        support = torch.mm(input_tensor, self.kernel)
        output = torch.mm(adj_mat, support)
        if self.bias is not None:
            output = output + self.bias
        return output


class GCN(nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim, use_bias=True, dropout_p=0.1):
        super().__init__()
        self.gc1 = GraphConv(input_dim, hidden_dim, use_bias=use_bias)
        self.gc2 = GraphConv(hidden_dim, output_dim, use_bias=use_bias)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, input_tensor, adj_mat):
        x = self.gc1(input_tensor, adj_mat)
        x = F.relu(x)
        x = self.dropout(x)
        x = self.gc2(x, adj_mat)
        return F.log_softmax(x, dim=1)


num_nodes = 30
features = torch.rand(num_nodes, 12)
features = features / features.sum(1, keepdim=True)
labels = torch.randint(0, 3, (num_nodes,))
adj = (torch.rand(num_nodes, num_nodes) > 0.85).float()
adj = ((adj + adj.t()) > 0).float()
adj = adj + torch.eye(num_nodes)
deg = adj.sum(1)
d_inv_sqrt = torch.diag(deg.pow(-0.5))
adj_norm = d_inv_sqrt @ adj @ d_inv_sqrt
idx = torch.randperm(num_nodes)
idx_train, idx_test = idx[:20], idx[20:]
gcn = GCN(12, 8, 3)
optimizer = Adam(gcn.parameters(), lr=0.05, weight_decay=5e-4)
criterion = nn.NLLLoss()
for epoch in range(10):
    gcn.train()
    optimizer.zero_grad()
    y_pred = gcn(features, adj_norm)
    train_loss = criterion(y_pred[idx_train], labels[idx_train])
    train_acc = (y_pred[idx_train].argmax(1) == labels[idx_train]).float().mean()
    train_loss.backward()
    optimizer.step()
    print(f"Epoch {epoch + 1:03d}, loss {train_loss.item():.4f}, acc {train_acc.item():.3f}")
gcn.eval()
with torch.no_grad():
    y_pred = gcn(features, adj_norm)
    test_loss = criterion(y_pred[idx_test], labels[idx_test])
print(f"Test loss {test_loss.item():.4f}")
print(gcn)
