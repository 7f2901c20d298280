"""Comparing tensors (torch.testing and comparison docs): equal, allclose and isclose with
their tolerances and equal_nan, and what torch.testing.assert_close reports when values,
shapes or dtypes differ.

Model: https://pytorch.org/docs/stable/testing.html (pytorch/pytorch, BSD-3-Clause). Written
for jitgrad's corpus, not copied.
"""

import torch

a = torch.tensor([1.0, 2.0, float("nan")])
b = torch.tensor([1.0, 2.0 + 1e-6, float("nan")])
print(
    torch.equal(a, a),
    torch.equal(a[:2], b[:2]),
    torch.equal(torch.ones(2), torch.ones(2, dtype=torch.int64)),
)
print(
    torch.allclose(a, b),
    torch.allclose(a, b, equal_nan=True),
    torch.isclose(a, b),
    torch.isclose(a, b, equal_nan=True),
)
print(
    torch.isclose(torch.tensor([1, 2]), torch.tensor([1, 3]), atol=1),
    torch.allclose(torch.tensor(1e-9), torch.tensor(0.0)),
)
print(
    a.eq(b),
    a.ne(b),
    torch.eq(a, 1.0),
    a == a,
    a != a,
    torch.tensor([1, 2]) == torch.tensor([1.0, 2.5]),
)
print(torch.maximum(a, b), torch.fmax(a, torch.tensor([0.0, 5.0, 1.0])), torch.fmin(a, b))
torch.testing.assert_close(a, b, equal_nan=True, rtol=1e-5, atol=1e-5)
print("close")


def report(actual, expected, **kw):
    try:
        torch.testing.assert_close(actual, expected, **kw)
        print("passed")
    except AssertionError as e:
        print("AssertionError:", " | ".join(line.strip() for line in str(e).splitlines()))
    except (TypeError, ValueError) as e:
        print(type(e).__name__ + ":", str(e).splitlines()[0])


report(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.5, 3.0]))
report(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([[1.0, 2.0], [3.0, 4.1]]))
report(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0, 3.0]))
report(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0], dtype=torch.float64))
report(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0], dtype=torch.float64), check_dtype=False)
report(torch.tensor([1, 2]), torch.tensor([1, 3]))
report(torch.tensor([1.0, float("nan")]), torch.tensor([1.0, float("nan")]))
report(torch.tensor([1.0, 2.0]), torch.tensor([1.1, 2.0]), rtol=0.2, atol=0.0)
report(torch.tensor([1.0, 2.0]), torch.tensor([1.1, 2.0]), rtol=0.01)
report(torch.tensor(1.0), 1.0)
report(1.0, 1.0 + 1e-9)
report([torch.tensor(1.0), torch.tensor(2.0)], [torch.tensor(1.0), torch.tensor(2.2)])
report({"a": torch.tensor(1.0)}, {"a": torch.tensor(1.5)})
report(torch.tensor([True, False]), torch.tensor([True, True]))
