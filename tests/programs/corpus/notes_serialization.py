"""Serialization semantics (PyTorch notes): saving tensors and views together keeps their
shared storage after loading, saving a view saves the whole storage (clone to save only the
slice), a module's state_dict (BatchNorm1d's buffers with num_batches_tracked) saved, loaded
and put back with load_state_dict, and load_state_dict(strict=False) reporting missing and
unexpected keys.

Model: https://pytorch.org/docs/stable/notes/serialization.html (pytorch/pytorch docs,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: file names in the run's
temporary directory, sizes printed instead of file sizes on disk.
"""

import torch

numbers = torch.arange(1, 10)
evens = numbers[1::2]
torch.save([numbers, evens], "tensors.pt")
loaded_numbers, loaded_evens = torch.load("tensors.pt")
loaded_evens *= 2
print(loaded_numbers)
print(loaded_evens, loaded_evens.stride(), loaded_evens.storage_offset())

large = torch.arange(1, 1000)
small = large[0:5]
torch.save(small, "small.pt")
loaded_small = torch.load("small.pt")
print(loaded_small, loaded_small.untyped_storage().size())
torch.save(small.clone(), "small.pt")
loaded_small = torch.load("small.pt")
print(loaded_small, loaded_small.untyped_storage().size())

bn = torch.nn.BatchNorm1d(3, track_running_stats=True)
bn(torch.arange(12.0).reshape(4, 3))
print(list(bn.state_dict().keys()))
print(bn.state_dict()["running_mean"], bn.state_dict()["num_batches_tracked"])
torch.save(bn.state_dict(), "bn.pt")
bn_state_dict = torch.load("bn.pt")
new_bn = torch.nn.BatchNorm1d(3, track_running_stats=True)
print(new_bn.load_state_dict(bn_state_dict))
print(new_bn.running_var, new_bn.num_batches_tracked)


class MyModule(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = torch.nn.Linear(4, 2)
        self.l1 = torch.nn.Linear(2, 1)

    def forward(self, x):
        return self.l1(self.l0(x))


m = MyModule()
torch.save(m.state_dict(), "mymodule.pt")
sd = torch.load("mymodule.pt")
print(list(sd.keys()))
sd["extra.weight"] = torch.ones(1)
del sd["l1.bias"]
result = MyModule().load_state_dict(sd, strict=False)
print(result)
print(result.missing_keys, result.unexpected_keys)
try:
    MyModule().load_state_dict(sd)
except RuntimeError as e:
    print("RuntimeError:", e)
