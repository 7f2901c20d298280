"""Which element types PyTorch 2.13's CPU convolutions take, and its words when the input,
weight and bias types differ.

Convolutions run in any floating or complex type and in every integer type (integer results
wrap around, as PyTorch's do); ``bool`` is refused. Transposed convolutions take only
``int64`` among the integers. Type mismatches are checked in PyTorch's order: the bias
first (a transposed convolution adds it in place, so only an uncastable one fails), then
(for a ``float32``/``bfloat16`` input, which PyTorch routes to oneDNN) the weight in oneDNN's
words, then the kernel's dispatch on the input type, then the weight in
the slow kernel's words.
"""

from __future__ import annotations

from .. import dtypes as D
from ..frontend._tensor_data import result_type
from ..frontend.out import can_cast
from ..frontend.tensor import Tensor
from ..frontend.tensor_messages import legacy_type_name

__all__ = ["check_conv_dtypes", "onednn_route"]


def onednn_route(shape: tuple, wshape: tuple, groups: int, dtype: D.dtype) -> bool:
    """Whether PyTorch's CPU convolution takes oneDNN (``ConvParams::use_mkldnn``): always
    for bfloat16 (on CPUs with bf16 support), never for half (without AVX512-FP16), and for
    float32 unless its "native is faster" rule keeps small single-image 3x3 work on the slow
    path. ``shape`` is the batched input's, 1-d convolutions viewed as 2-d (PyTorch's view).
    PyTorch's default thread count (more than one) is assumed, which makes its 1x1-filter
    clause always true."""
    if dtype is D.bfloat16:
        return True
    if dtype is not D.float32:
        return False
    n, c, h = shape[0], shape[1], shape[2] if len(shape) > 3 else 1
    w = shape[3] if len(shape) > 3 else shape[2]
    kh, kw = (wshape[-2], wshape[-1]) if len(wshape) > 3 else (1, wshape[-1])
    return groups > 1 or (kw > 3 and kh > 3) or n > 1 or n * c * h * w > 20480


def _type_string(t: Tensor) -> str:
    """PyTorch's ``Tensor::toString()``: the legacy type name, ``CPUBFloat16Type`` for bf16."""
    return "CPUBFloat16Type" if t._dtype is D.bfloat16 else legacy_type_name(t)


def _supported(t: Tensor, transposed: bool) -> bool:
    dt = t._dtype
    if dt.is_floating_point or dt.is_complex:
        return True
    return dt is D.int64 if transposed else dt is not D.bool_


def check_conv_dtypes(
    input: Tensor,  # noqa: A002
    weight: Tensor,
    bias: Tensor | None,
    kernel: str,
    transposed: bool = False,
    onednn: bool = False,
) -> None:
    """Raises PyTorch's error for a type ``kernel`` (its dispatch name) refuses or for
    mismatched types (in oneDNN's words where :func:`onednn_route` says PyTorch goes there);
    passes silently otherwise."""
    if bias is not None and bias._dtype is not input._dtype and transposed:
        res = result_type([input, bias])  # the transposed kernel adds the bias in place
        if not can_cast(res, input._dtype):
            raise RuntimeError(
                f"result type {D.scalar_name(res)} can't be cast to the desired output type "
                f"{D.scalar_name(input._dtype)}"
            )
    elif bias is not None and bias._dtype is not input._dtype:
        raise RuntimeError(
            f"Input type ({D.cpp_name(input._dtype)}) and bias type ({D.cpp_name(bias._dtype)}) "
            "should be the same"
        )
    if weight._dtype is not input._dtype and onednn:
        raise RuntimeError(
            f"Input type ({_type_string(input)}) and weight type ({_type_string(weight)}) should "
            "be the same or input should be a MKLDNN tensor and weight is a dense tensor"
        )
    if not _supported(input, transposed):
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{D.scalar_name(input._dtype)}'"
        )
    if weight._dtype is not input._dtype:
        raise RuntimeError(
            f"expected scalar type {D.scalar_name(input._dtype)} but found "
            f"{D.scalar_name(weight._dtype)}"
        )
