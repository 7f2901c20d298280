"""torch.nn.init examples from its docs: the "Example::" blocks of the docstrings of
torch.nn.init.calculate_gain, torch.nn.init.constant_, torch.nn.init.dirac_, torch.nn.init.eye_,
torch.nn.init.kaiming_normal_, torch.nn.init.kaiming_uniform_, torch.nn.init.normal_,
torch.nn.init.ones_, torch.nn.init.orthogonal_, torch.nn.init.trunc_normal_,
torch.nn.init.uniform_, torch.nn.init.xavier_normal_, torch.nn.init.xavier_uniform_,
torch.nn.init.zeros_, pasted one after the other as a user runs them; a line whose REPL echo the
docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch
import torch.nn as nn

# torch.nn.init.calculate_gain
gain = nn.init.calculate_gain("leaky_relu", 0.2)  # leaky_relu with negative_slope=0.2

# torch.nn.init.constant_
w = torch.empty(3, 5)
nn.init.constant_(w, 0.3)

# torch.nn.init.dirac_
w = torch.empty(3, 16, 5, 5)
nn.init.dirac_(w)
w = torch.empty(3, 24, 5, 5)
nn.init.dirac_(w, 3)

# torch.nn.init.eye_
w = torch.empty(3, 5)
nn.init.eye_(w)

# torch.nn.init.kaiming_normal_
w = torch.empty(3, 5)
nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")

# torch.nn.init.kaiming_uniform_
w = torch.empty(3, 5)
nn.init.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu")

# torch.nn.init.normal_
w = torch.empty(3, 5)
nn.init.normal_(w)

# torch.nn.init.ones_
w = torch.empty(3, 5)
nn.init.ones_(w)

# torch.nn.init.orthogonal_
w = torch.empty(3, 5)
nn.init.orthogonal_(w)

# torch.nn.init.trunc_normal_
w = torch.empty(3, 5)
nn.init.trunc_normal_(w)

# torch.nn.init.uniform_
w = torch.empty(3, 5)
nn.init.uniform_(w)

# torch.nn.init.xavier_normal_
w = torch.empty(3, 5)
nn.init.xavier_normal_(w)

# torch.nn.init.xavier_uniform_
w = torch.empty(3, 5)
nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("relu"))

# torch.nn.init.zeros_
w = torch.empty(3, 5)
nn.init.zeros_(w)
