"""Complex running products, sums and products with their gradients (and nan_to_num),
written once for any torch-like module ``T`` (jitgrad in tests/test_complex_scans.py, real
PyTorch in tests/fixtures/make_complex_scans_torch.py), so both answer the same calls."""

from __future__ import annotations

from typing import Any

V1 = [1 + 1j, 0j, 2 - 1j, 3j]
V1_NZ = [1 + 1j, 0.5j, 2 - 1j, 3j]
V2 = [[1 + 1j, 0j, 2 - 1j], [0.5 - 2j, 3j, 0j], [1 - 1j, 2 + 0.5j, -1 + 1j]]
W = 1 - 2j
NONFINITE = [1 + 1j, complex(float("nan"), 0), complex(float("inf"), 2), complex(2, -float("inf"))]


def flat(t: Any) -> list:
    """``t``'s values as a flat list of ``[real, imag]`` pairs (or plain numbers)."""
    vals = t.detach().reshape(-1).tolist()
    return [[v.real, v.imag] if isinstance(v, complex) else v for v in vals]


def _grad(T: Any, vals: list, fn: Any, dtype: str = "complex128") -> dict:
    x = T.tensor(vals, dtype=getattr(T, dtype), requires_grad=True)
    out = fn(x)
    (out * W).real.sum().backward()
    return {"out": flat(out), "dtype": str(out.dtype).split(".")[-1], "grad": flat(x.grad)}


def _second(T: Any, vals: list, fn: Any) -> dict:
    """The gradient of ``re(sum(g * w))`` where ``g`` is the create_graph gradient of
    ``re(sum(fn(x) * W))``: a second derivative through the complex backward formula."""
    x = T.tensor(vals, dtype=T.complex128, requires_grad=True)
    (g,) = T.autograd.grad((fn(x) * W).real.sum(), x, create_graph=True)
    w = T.tensor([[0.5 + 1j, -1 + 0.25j, 2 - 1j][i % 3] for i in range(x.numel())],
                 dtype=T.complex128).reshape(x.shape)  # fmt: skip
    (gg,) = T.autograd.grad((g * w).real.sum(), x)
    return {"g": flat(g), "gg": flat(gg)}


def _error(call: Any) -> list | None:
    try:
        call()
    except Exception as err:  # noqa: BLE001 - recording whatever is raised
        return [type(err).__name__, str(err)]
    return None


CASES: dict[str, Any] = {
    "cumprod_values_c64": lambda T: {
        "out": flat(T.cumprod(T.tensor(V1), 0)),
        "dtype": str(T.cumprod(T.tensor(V1), 0).dtype).split(".")[-1],
    },
    "cumprod_int_stays_int64": lambda T: {
        "out": flat(T.cumprod(T.tensor([1, 2, 0, 3], dtype=T.int32), 0)),
        "dtype": str(T.cumprod(T.tensor([1, 2, 0, 3], dtype=T.int32), 0).dtype).split(".")[-1],
    },
    "cumprod_dtype_arg": lambda T: _grad(T, V1_NZ, lambda x: T.cumprod(x, 0, dtype=T.complex64)),
    "cumprod_grad_nonzero": lambda T: _grad(T, V1_NZ, lambda x: x.cumprod(0)),
    "cumprod_grad_zero": lambda T: _grad(T, V1, lambda x: x.cumprod(0)),
    "cumprod_grad_2d_dim1": lambda T: _grad(T, V2, lambda x: x.cumprod(1)),
    "cumsum_grad": lambda T: _grad(T, V2, lambda x: x.cumsum(0)),
    "cummax_error": lambda T: _error(lambda: T.cummax(T.tensor(V1), 0)),
    "cummin_error_c128": lambda T: _error(lambda: T.cummin(T.tensor(V1, dtype=T.complex128), 0)),
    "prod_dim_nonzero": lambda T: _grad(T, V1_NZ, lambda x: x.prod(0, keepdim=True)),
    "prod_dim_zero": lambda T: _grad(T, [1 + 1j, 0j, 2 - 1j], lambda x: x.prod(0, keepdim=True)),
    "prod_dim_2d_zeros": lambda T: _grad(T, V2, lambda x: x.prod(1)),
    "prod_full_zero": lambda T: _grad(T, V1, lambda x: x.prod()),
    "prod_full_nonzero": lambda T: _grad(T, V1_NZ, lambda x: x.prod()),
    "prod_full_two_zeros": lambda T: _grad(T, [0j, 1 + 1j, 0j], lambda x: x.prod()),
    "prod_c64_zero": lambda T: _grad(T, V1, lambda x: x.prod(0), "complex64"),
    "second_prod_dim_zero": lambda T: _second(T, V2, lambda x: x.prod(1)),
    "second_prod_dim_nonzero": lambda T: _second(T, V1_NZ, lambda x: x.prod(0)),
    "second_prod_full_zero": lambda T: _second(T, V1, lambda x: x.prod()),
    "second_cumprod_zero": lambda T: _second(T, V2, lambda x: x.cumprod(0)),
    "second_cumprod_nonzero": lambda T: _second(T, V1_NZ, lambda x: x.cumprod(0)),
    "logsumexp_dim0": lambda T: _grad(T, V2, lambda x: T.logsumexp(x, 0)),
    "logsumexp_dim1_keepdim": lambda T: _grad(T, V2, lambda x: T.logsumexp(x, 1, True)),
    "logsumexp_all_dims": lambda T: _grad(T, V2, lambda x: T.logsumexp(x, (0, 1))),
    "logsumexp_large_c64": lambda T: flat(T.logsumexp(T.tensor([1000 + 1j, 1000 - 1j]), 0)),
    "nan_to_num_c64": lambda T: flat(T.nan_to_num(T.tensor(NONFINITE))),
    "nan_to_num_c128_args": lambda T: flat(
        T.nan_to_num(T.tensor(NONFINITE, dtype=T.complex128), 1.5, 7.0, -3.0)
    ),
    "nan_to_num_grad_error": lambda T: _error(
        lambda: T.nan_to_num(T.tensor(NONFINITE, requires_grad=True))
    ),
}


def run(T: Any, name: str) -> Any:
    """Case ``name`` answered by module ``T``."""
    return CASES[name](T)
