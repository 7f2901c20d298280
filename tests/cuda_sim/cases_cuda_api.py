"""``torch.cuda``'s queries, events, streams and generator state, and ``Tensor.to(other)``,
on the device (a GPU, or Numba's simulator: its fake device's properties)."""

from __future__ import annotations

import time

import numpy as np
import pytest

import jitgrad as torch


def test_device_properties_and_capability():
    props = torch.cuda.get_device_properties(0)
    assert props.name == torch.cuda.get_device_name()
    assert (props.major, props.minor) == torch.cuda.get_device_capability("cuda:0")
    assert props.total_memory > 0 and props.multi_processor_count >= 1
    assert repr(props).startswith(f"_CudaDeviceProperties(name='{props.name}', major=")
    free, total = torch.cuda.mem_get_info()
    assert 0 <= free <= total == props.total_memory
    assert torch.cuda.is_bf16_supported() == (torch.cuda.get_device_capability() >= (8, 0))


@pytest.mark.parametrize("bad", [1, "cuda:3", torch.device("cuda", 2)])
def test_a_device_that_does_not_exist_is_refused(bad):
    with pytest.raises(RuntimeError, match="CUDA error: invalid device ordinal"):
        torch.cuda.set_device(bad)
    with pytest.raises(RuntimeError, match="CUDA error: invalid device ordinal"):
        torch.cuda.get_device_properties(bad)


def test_device_context_and_set_device_take_index_zero():
    torch.cuda.set_device(0)
    torch.cuda.init()
    with torch.cuda.device(0):
        x = torch.ones(2, device="cuda")
    assert x.device == torch.device("cuda", 0) and torch.cuda.current_device() == 0


def test_events_time_the_kernels_between_them():
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    with pytest.raises(RuntimeError, match="Both events must be recorded"):
        start.elapsed_time(end)
    x = torch.ones(64, device="cuda")
    start.record()
    time.sleep(0.01)
    y = (x * 2).sum()
    end.record()
    end.synchronize()
    assert end.query() and y.item() == 128.0
    assert start.elapsed_time(end) >= 0.0
    with pytest.raises(RuntimeError, match="enable_timing=True"):
        torch.cuda.Event().elapsed_time(end)


def test_streams_run_their_work_in_program_order():
    s = torch.cuda.Stream()
    x = torch.arange(4.0, device="cuda")
    with torch.cuda.stream(s):
        y = x * 3
    s.wait_stream(torch.cuda.current_stream())
    event = s.record_event()
    torch.cuda.current_stream().wait_event(event)
    s.synchronize()
    assert s.query() and y.cpu().tolist() == [0.0, 3.0, 6.0, 9.0]
    assert torch.cuda.current_stream() == torch.cuda.default_stream()


def test_rng_state_round_trip_repeats_device_draws():
    torch.cuda.manual_seed(123)
    assert torch.cuda.initial_seed() == 123
    state = torch.cuda.get_rng_state()
    a = torch.randn(5, device="cuda").cpu().numpy()
    torch.cuda.set_rng_state(state)
    b = torch.randn(5, device="cuda").cpu().numpy()
    np.testing.assert_array_equal(a, b)


def test_memory_stats_use_pytorchs_keys():
    x = torch.empty(1000, device="cuda")
    stats = torch.cuda.memory_stats()
    assert stats["allocated_bytes.all.current"] == torch.cuda.memory_allocated() >= x.nbytes
    assert stats["reserved_bytes.all.current"] == torch.cuda.memory_reserved()
    assert stats["allocated_bytes.all.peak"] == torch.cuda.max_memory_allocated()


def test_to_another_tensor_takes_its_device_and_dtype():
    other = torch.zeros(1, device="cuda", dtype=torch.float64)
    x = torch.ones(2).to(other)
    assert x.device == torch.device("cuda", 0) and x.dtype == torch.float64
    back = x.to(torch.zeros(1, dtype=torch.float32))
    assert back.device == torch.device("cpu") and back.dtype == torch.float32
    assert torch.ones(2).to(0).device == torch.device("cuda", 0)  # an index is a cuda device
    assert torch.ones(2).to(torch.float64, True).device == torch.device("cpu")  # non_blocking


def test_out_of_memory_error_is_torchs():
    assert torch.cuda.OutOfMemoryError is torch.OutOfMemoryError
    assert issubclass(torch.cuda.OutOfMemoryError, RuntimeError)


def test_an_allocation_the_driver_refuses_gives_the_cache_back_and_retries(monkeypatch):
    from numba import cuda

    from jitgrad.backends.cuda import pool

    t = torch.empty(3000, device="cuda")
    del t  # an idle block in the cache: driver memory held
    make = cuda.device_array

    def driver(shape, dtype):  # "full" while the cache holds anything
        if any(pool._free.values()):
            raise MemoryError
        return make(shape, dtype)

    monkeypatch.setattr(cuda, "device_array", driver)
    pool.stats()  # (the simulator notices the idle block)
    x = torch.ones(5000, device="cuda")  # a size the cache has no block of
    assert not any(pool._free.values()) and x.sum().item() == 5000.0


def test_out_of_memory_raises_pytorchs_error(monkeypatch):
    from numba import cuda

    def driver(shape, dtype):
        raise MemoryError

    monkeypatch.setattr(cuda, "device_array", driver)
    with pytest.raises(torch.cuda.OutOfMemoryError, match=r"^CUDA out of memory\. Tried to "
                       r"allocate 2\.00 GiB\. Of the allocated memory "):
        torch.empty(2**29, device="cuda")


def _scaled_steps(device):
    torch.manual_seed(0)
    net = torch.nn.Linear(3, 2).to(device)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler(device, init_scale=4.0, growth_interval=1)
    x = torch.arange(6.0).reshape(2, 3).to(device)
    scales = []
    for bad in (False, True, False):
        opt.zero_grad()
        loss = net(x).pow(2).sum() * (float("inf") if bad else 1.0)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        scales.append(scaler.get_scale())
    return net.weight.detach().cpu().numpy(), scales


def test_grad_scaler_on_the_device_skips_inf_steps_as_on_the_cpu():
    assert torch.amp.GradScaler("cuda").is_enabled()
    (w, scales), (w_cpu, scales_cpu) = _scaled_steps("cuda"), _scaled_steps("cpu")
    assert scales == scales_cpu == [8.0, 4.0, 8.0]  # grown, backed off (skipped), grown
    np.testing.assert_allclose(w, w_cpu, rtol=1e-6)
