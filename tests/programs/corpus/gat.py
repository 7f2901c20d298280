"""Graph attention network, after pytorch/examples' gat/main.py: a GraphAttentionLayer with
multi-head attention (concat or average), LeakyReLU scores masked by the adjacency matrix,
dropout on attention and features, a two-layer GAT trained with NLLLoss on log_softmax, and
test accuracy.

Model: https://github.com/pytorch/examples/blob/main/gat/main.py (BSD-3-Clause). Written for
jitgrad's corpus, not copied. Changes: the Cora download is replaced by a 24-node graph of
three communities (ring plus chords) with arange/sin-based features; 30 epochs; no argparse.
"""
# ruff: noqa: E501, UP008  (the source's code and long printouts, kept as written)

import torch
import torch.nn as nn
import torch.nn.functional as F


class GraphAttentionLayer(nn.Module):
    def __init__(self, in_features, out_features, n_heads, concat=False, dropout=0.4,
                 leaky_relu_slope=0.2):  # fmt: skip
        super(GraphAttentionLayer, self).__init__()
        self.n_heads = n_heads  # Number of attention heads
        self.concat = concat  # whether to concatenate the final attention heads
        self.dropout = dropout  # Dropout rate

        if concat:  # concatenating the attention heads
            self.out_features = out_features  # Number of output features per node
            assert out_features % n_heads == 0  # Ensure that out_features is a multiple of n_heads
            self.n_hidden = out_features // n_heads
        else:  # averaging output over the attention heads (Used in the main paper)
            self.n_hidden = out_features

        # A shared linear transformation, parametrized by a weight matrix W is applied to every node
        # Initialize the weight matrix W
        self.W = nn.Parameter(torch.empty(size=(in_features, self.n_hidden * n_heads)))
        # Initialize the attention weights a
        self.a = nn.Parameter(torch.empty(size=(n_heads, 2 * self.n_hidden, 1)))
        self.leakyrelu = nn.LeakyReLU(leaky_relu_slope)  # LeakyReLU activation function
        self.softmax = nn.Softmax(dim=1)  # softmax activation function to the attention coefficients
        self.reset_parameters()  # Reset the parameters

    def reset_parameters(self):
        nn.init.xavier_normal_(self.W)
        nn.init.xavier_normal_(self.a)

    def _get_attention_scores(self, h_transformed: torch.Tensor):
        source_scores = torch.matmul(h_transformed, self.a[:, : self.n_hidden, :])
        target_scores = torch.matmul(h_transformed, self.a[:, self.n_hidden :, :])
        # broadcast add
        # (n_heads, n_nodes, 1) + (n_heads, 1, n_nodes) = (n_heads, n_nodes, n_nodes)
        e = source_scores + target_scores.mT
        return self.leakyrelu(e)

    def forward(self, h: torch.Tensor, adj_mat: torch.Tensor):
        n_nodes = h.shape[0]
        # Apply linear transformation to node feature -> W h
        # output shape (n_nodes, n_hidden * n_heads)
        h_transformed = torch.mm(h, self.W)
        h_transformed = F.dropout(h_transformed, self.dropout, training=self.training)
        # splitting the heads by reshaping the tensor and putting heads dim first
        # output shape (n_heads, n_nodes, n_hidden)
        h_transformed = h_transformed.view(n_nodes, self.n_heads, self.n_hidden).permute(1, 0, 2)
        # getting the attention scores
        # output shape (n_heads, n_nodes, n_nodes)
        e = self._get_attention_scores(h_transformed)
        # Set the attention score for non-existent edges to -9e15 (MASKING NON-EXISTENT EDGES)
        connectivity_mask = -9e16 * torch.ones_like(e)
        e = torch.where(adj_mat > 0, e, connectivity_mask)  # masked attention scores
        # attention coefficients are computed as a softmax over the rows
        # for each column j in the attention score matrix e
        attention = F.softmax(e, dim=-1)
        attention = F.dropout(attention, self.dropout, training=self.training)
        # final node embeddings are computed as a weighted average of the features of its neighbors
        h_prime = torch.matmul(attention, h_transformed)
        # concatenating/averaging the attention heads
        # output shape (n_nodes, out_features)
        if self.concat:
            h_prime = h_prime.permute(1, 0, 2).contiguous().view(n_nodes, self.out_features)
        else:
            h_prime = h_prime.mean(dim=0)
        return h_prime


class GAT(nn.Module):
    def __init__(self, in_features, n_hidden, n_heads, num_classes, concat=False, dropout=0.4,
                 leaky_relu_slope=0.2):  # fmt: skip
        super(GAT, self).__init__()
        # Define the Graph Attention layers
        self.gat1 = GraphAttentionLayer(in_features=in_features, out_features=n_hidden,
                                        n_heads=n_heads, concat=concat, dropout=dropout,
                                        leaky_relu_slope=leaky_relu_slope)  # fmt: skip
        self.gat2 = GraphAttentionLayer(in_features=n_hidden, out_features=num_classes,
                                        n_heads=1, concat=False, dropout=dropout,
                                        leaky_relu_slope=leaky_relu_slope)  # fmt: skip

    def forward(self, input_tensor: torch.Tensor, adj_mat: torch.Tensor):
        # Apply the first Graph Attention layer
        x = self.gat1(input_tensor, adj_mat)
        x = F.elu(x)  # Apply ELU activation function to the output of the first layer
        # Apply the second Graph Attention layer
        x = self.gat2(x, adj_mat)
        return F.log_softmax(x, dim=1)  # Apply log softmax activation function


torch.manual_seed(13)
n_nodes, n_feat, n_cls = 24, 10, 3
labels = torch.arange(n_nodes) // 8
adj = torch.eye(n_nodes)
for i in range(n_nodes):
    j = (i + 1) % 8 + 8 * (i // 8)
    adj[i, j] = adj[j, i] = 1
adj[0, 12] = adj[12, 0] = adj[5, 20] = adj[20, 5] = 1
features = torch.sin(torch.arange(n_nodes * n_feat, dtype=torch.float).view(n_nodes, n_feat) * 0.37)
features = features + F.one_hot(labels, n_feat).float() * 0.8
idx = torch.randperm(n_nodes)
idx_train, idx_test = idx[:16], idx[16:]

gat_net = GAT(in_features=n_feat, n_hidden=16, n_heads=4, num_classes=n_cls, concat=False,
              dropout=0.3, leaky_relu_slope=0.2)  # fmt: skip
print(gat_net)
optimizer = torch.optim.Adam(gat_net.parameters(), lr=0.005, weight_decay=5e-4)
criterion = nn.NLLLoss()

for epoch in range(30):
    gat_net.train()
    optimizer.zero_grad()
    output = gat_net(features, adj)
    loss = criterion(output[idx_train], labels[idx_train])
    loss.backward()
    optimizer.step()
    if epoch % 5 == 0:
        print(f"Epoch {epoch:3d} | loss {loss.item():.4f}")

gat_net.eval()
with torch.no_grad():
    output = gat_net(features, adj)
    loss = criterion(output[idx_test], labels[idx_test])
    acc = (output[idx_test].argmax(dim=1) == labels[idx_test]).float().mean()
print(f"Test set results: loss {loss:.4f} accuracy {acc:.4f}")
