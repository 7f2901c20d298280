"""``torch.set_default_tensor_type`` with a ``torch.cuda.*Tensor`` type: as in PyTorch
2.13 (a CUDA build: torch/csrc/tensor/python_tensor.cpp) it sets the default dtype and
makes factory functions put tensors on cuda while ``set_default_device`` names no device;
``get_default_device`` still reports the CPU. Without a GPU the factories then raise the
no-driver error; under the CUDA simulator they return cuda tensors."""

import warnings

import pytest

import jitgrad as torch


@pytest.fixture
def _restore():
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.set_default_tensor_type(torch.FloatTensor)
    torch.set_default_device(None)


@pytest.mark.usefixtures("_restore")
@pytest.mark.parametrize("t", ["torch.cuda.DoubleTensor", torch.cuda.DoubleTensor])
def test_cuda_type_sets_dtype_and_factory_device(t):
    with pytest.warns(UserWarning, match="set_default_tensor_type"):
        torch.set_default_tensor_type(t)
    assert torch.get_default_dtype() == torch.float64
    assert torch.get_default_device() == torch.device("cpu")
    assert torch.zeros(2, device="cpu").device == torch.device("cpu")
    if torch.cuda.is_available():
        assert torch.zeros(2).device.type == "cuda"
        assert torch.tensor([1.5]).is_cuda and torch.randn(2).dtype == torch.float64
    else:
        for make in (lambda: torch.zeros(2), lambda: torch.tensor([1.0]), lambda: torch.arange(3)):
            with pytest.raises(RuntimeError, match="NVIDIA driver"):
                make()
    torch.set_default_device("cpu")  # an explicit default device wins ...
    assert torch.zeros(2).device == torch.device("cpu")
    with torch.device("meta"):
        assert torch.zeros(2).device == torch.device("meta")
    torch.set_default_device(None)  # ... and unsetting it gives the type's device back
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="NVIDIA driver"):
            torch.ones(1)
    with pytest.warns(UserWarning):
        torch.set_default_tensor_type("torch.FloatTensor")
    assert torch.zeros(2).device == torch.device("cpu")
    assert torch.zeros(2).dtype == torch.float32


@pytest.mark.usefixtures("_restore")
@pytest.mark.parametrize(
    ("arg", "exc", "message"),
    [
        (3, TypeError, "invalid type object: only floating-point types are supported"),
        ("torch.float64", TypeError, "invalid type object: only floating-point types"),
        ("FloatTensor", ModuleNotFoundError, "No module named 'FloatTensor'"),
        ("torch.cuda.Foo", AttributeError, "module 'torch.cuda' has no attribute 'Foo'"),
        ("torch.cuda.LongTensor", TypeError, "^only floating-point types are supported"),
    ],
)
def test_bad_types(arg, exc, message):
    with pytest.raises(exc, match=message):
        torch.set_default_tensor_type(arg)
    assert torch.get_default_dtype() == torch.float32
    assert torch.zeros(1).device == torch.device("cpu")
