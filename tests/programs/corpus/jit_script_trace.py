"""TorchScript as a program meets it: ``torch.jit.script`` of a function with control flow and
of an ``nn.Module``, ``torch.jit.trace`` of a model and of a function, calling the results,
their graph-independent attributes, ``torch.jit.ignore``/``export``-free modules.

Based on: https://pytorch.org/tutorials/beginner/Intro_to_TorchScript_tutorial.html (MyCell,
MyDecisionGate, MyRNNLoop, WrapRNN), BSD. Written for jitgrad's corpus, not copied. Changes:
the printed ``.graph`` / ``.code`` (TorchScript IR text) are left out; outputs are values; no
``torch.jit.save`` (an archive of compiled TorchScript).
"""

import torch


class MyDecisionGate(torch.nn.Module):
    def forward(self, x):
        if x.sum() > 0:
            return x
        else:
            return -x


class MyCell(torch.nn.Module):
    def __init__(self, dg):
        super().__init__()
        self.dg = dg
        self.linear = torch.nn.Linear(4, 4)

    def forward(self, x, h):
        new_h = torch.tanh(self.dg(self.linear(x)) + h)
        return new_h, new_h


torch.manual_seed(0)
x, h = torch.rand(3, 4), torch.rand(3, 4)
my_cell = MyCell(MyDecisionGate())
print(my_cell)
print(my_cell(x, h)[0])

traced_cell = torch.jit.trace(my_cell, (x, h))
print(type(traced_cell).__name__ in ("TopLevelTracedModule", "RecursiveScriptModule", "MyCell"))
print(traced_cell(x, h)[0])

scripted_gate = torch.jit.script(MyDecisionGate())
my_cell = MyCell(scripted_gate)
scripted_cell = torch.jit.script(my_cell)
print(scripted_cell(x, h)[0])
print(scripted_cell(-x, h)[0].sum())


class MyRNNLoop(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = torch.jit.trace(MyCell(scripted_gate), (x, h))

    def forward(self, xs):
        h, y = torch.zeros(3, 4), torch.zeros(3, 4)
        for i in range(xs.size(0)):
            y, h = self.cell(xs[i], h)
        return y, h


rnn_loop = torch.jit.script(MyRNNLoop())
xs = torch.rand(5, 3, 4)
print(rnn_loop(xs)[0])


class WrapRNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.loop = torch.jit.script(MyRNNLoop())

    def forward(self, xs):
        y, h = self.loop(xs)
        return torch.relu(y)


traced = torch.jit.trace(WrapRNN(), (torch.rand(10, 3, 4)))
print(traced(xs))


@torch.jit.script
def foo(x, y):
    if x.max() > y.max():
        r = x
    else:
        r = y
    return r


print(foo(torch.ones(2, 2), torch.ones(2, 2) * 2))


def bar(a, b):
    return a * 2 + b.sin()


traced_bar = torch.jit.trace(bar, (torch.rand(3), torch.rand(3)))
print(traced_bar(torch.arange(3.0), torch.zeros(3)))

out = scripted_cell(x, h)[0].sum()
out.backward()
print([p.grad.shape for p in scripted_cell.parameters()])
print(sorted(k for k, _ in scripted_cell.named_parameters()))
