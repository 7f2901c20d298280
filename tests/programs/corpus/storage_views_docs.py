"""torch.Storage and tensor views (PyTorch docs: torch.Storage, Tensor Views, tensor
attributes): the storage behind a tensor, what views share, offsets and sizes in bytes.

Model: https://pytorch.org/docs/stable/storage.html and tensor_view.html (pytorch/pytorch,
BSD-3-Clause). Written for jitgrad's corpus, not copied. Changes: prints instead of comments.
"""

import torch

t = torch.arange(6, dtype=torch.float32)
s = t.untyped_storage()
print(type(s).__name__, s.nbytes(), s.size(), len(s))
print(t.storage_offset(), t.element_size(), t.nbytes, t.itemsize)
v = t.view(2, 3)[1]
print(v.storage_offset(), v.untyped_storage().data_ptr() == s.data_ptr())
print(v.data_ptr() - t.data_ptr())
print(t.is_contiguous(), t.view(2, 3).t().is_contiguous(), t.view(2, 3).t().stride())
ts = t.storage()
print(ts)
print(type(ts).__name__, ts.dtype, ts.size(), ts.device)
print(ts.tolist())
u = t.view(2, 3).t()
print(u._base is t, u.is_view() if hasattr(u, "is_view") else "n/a")
print(torch.arange(4).untyped_storage().nbytes(), torch.ones(3, dtype=torch.float16).nbytes)
b = t.view(torch.int32)
print(b.dtype, b[:2])
c = t.clone()
print(c.untyped_storage().data_ptr() == s.data_ptr())
x = torch.zeros(4)
y = x[1:3]
y.fill_(7)
print(x)
y = x.unsqueeze(0).expand(3, 4)
print(y.stride(), y.is_contiguous(), y.contiguous().stride())
print(torch.empty(2, 3).stride(), torch.empty(2, 3, 4).transpose(0, 2).stride())
print(torch.tensor([]).untyped_storage().nbytes())
