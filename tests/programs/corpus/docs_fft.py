"""torch.fft examples from its docs: the "Example::" blocks of the docstrings of torch.fft.fft,
torch.fft.fft2, torch.fft.fftfreq, torch.fft.fftn, torch.fft.fftshift, torch.fft.ifft,
torch.fft.ifft2, torch.fft.ifftn, torch.fft.ifftshift, torch.fft.irfft, torch.fft.irfft2,
torch.fft.irfftn, torch.fft.rfft, torch.fft.rfft2, torch.fft.rfftfreq, torch.fft.rfftn, pasted
one after the other as a user runs them; a line whose REPL echo the docstring shows is printed.

Source: the docstrings as shipped in PyTorch 2.13 (pytorch/pytorch, BSD-3-Clause; rendered
at https://pytorch.org/docs/stable/). Changes: none beyond print() around echoed
expressions; random inputs come from torch.randn/rand, which the corpus harness
feeds the same draws under both libraries.
"""

import torch

# torch.fft.fft
t = torch.arange(4)
print(t)
print(torch.fft.fft(t))
t = torch.tensor([0.0 + 1.0j, 2.0 + 3.0j, 4.0 + 5.0j, 6.0 + 7.0j])
print(torch.fft.fft(t))

# torch.fft.fft2
x = torch.rand(10, 10, dtype=torch.complex64)
fft2 = torch.fft.fft2(x)
two_ffts = torch.fft.fft(torch.fft.fft(x, dim=0), dim=1)
torch.testing.assert_close(fft2, two_ffts, check_stride=False)

# torch.fft.fftfreq
print(torch.fft.fftfreq(5))
print(torch.fft.fftfreq(4))

# torch.fft.fftn
x = torch.rand(10, 10, dtype=torch.complex64)
fftn = torch.fft.fftn(x)
two_ffts = torch.fft.fft(torch.fft.fft(x, dim=0), dim=1)
torch.testing.assert_close(fftn, two_ffts, check_stride=False)

# torch.fft.fftshift
f = torch.fft.fftfreq(4)
print(f)
print(torch.fft.fftshift(f))
x = torch.fft.fftfreq(5, d=1 / 5) + 0.1 * torch.fft.fftfreq(5, d=1 / 5).unsqueeze(1)
print(x)
print(torch.fft.fftshift(x))
x_centered = torch.arange(-5, 5)
x_uncentered = torch.fft.ifftshift(x_centered)
fft_uncentered = torch.fft.fft(x_uncentered)
fft_centered = torch.fft.fftshift(fft_uncentered)
x_centered_2 = torch.fft.fftshift(torch.fft.ifft(torch.fft.ifftshift(fft_centered)))
torch.testing.assert_close(x_centered.to(torch.complex64), x_centered_2, check_stride=False)

# torch.fft.ifft
t = torch.tensor([6.0 + 0.0j, -2.0 + 2.0j, -2.0 + 0.0j, -2.0 - 2.0j])
print(torch.fft.ifft(t))

# torch.fft.ifft2
x = torch.rand(10, 10, dtype=torch.complex64)
ifft2 = torch.fft.ifft2(x)
two_iffts = torch.fft.ifft(torch.fft.ifft(x, dim=0), dim=1)
torch.testing.assert_close(ifft2, two_iffts, check_stride=False)

# torch.fft.ifftn
x = torch.rand(10, 10, dtype=torch.complex64)
ifftn = torch.fft.ifftn(x)
two_iffts = torch.fft.ifft(torch.fft.ifft(x, dim=0), dim=1)
torch.testing.assert_close(ifftn, two_iffts, check_stride=False)

# torch.fft.ifftshift
f = torch.fft.fftfreq(5)
print(f)
shifted = torch.fft.fftshift(f)
print(torch.fft.ifftshift(shifted))

# torch.fft.irfft
t = torch.linspace(0, 1, 5)
print(t)
T = torch.fft.rfft(t)
print(T)
print(torch.fft.irfft(T))
roundtrip = torch.fft.irfft(T, t.numel())
torch.testing.assert_close(roundtrip, t, check_stride=False)

# torch.fft.irfft2
t = torch.rand(10, 9)
T = torch.fft.rfft2(t)
print(torch.fft.irfft2(T).size())
roundtrip = torch.fft.irfft2(T, t.size())
print(roundtrip.size())
torch.testing.assert_close(roundtrip, t, check_stride=False)

# torch.fft.irfftn
t = torch.rand(10, 9)
T = torch.fft.rfftn(t)
print(torch.fft.irfftn(T).size())
roundtrip = torch.fft.irfftn(T, t.size())
print(roundtrip.size())
torch.testing.assert_close(roundtrip, t, check_stride=False)

# torch.fft.rfft
t = torch.arange(4)
print(t)
print(torch.fft.rfft(t))
print(torch.fft.fft(t))

# torch.fft.rfft2
t = torch.rand(10, 10)
rfft2 = torch.fft.rfft2(t)
print(rfft2.size())
fft2 = torch.fft.fft2(t)
torch.testing.assert_close(fft2[..., :6], rfft2, check_stride=False)
two_ffts = torch.fft.fft(torch.fft.rfft(t, dim=1), dim=0)
torch.testing.assert_close(rfft2, two_ffts, check_stride=False)

# torch.fft.rfftfreq
print(torch.fft.rfftfreq(5))
print(torch.fft.rfftfreq(4))
print(torch.fft.fftfreq(4))

# torch.fft.rfftn
t = torch.rand(10, 10)
rfftn = torch.fft.rfftn(t)
print(rfftn.size())
fftn = torch.fft.fftn(t)
torch.testing.assert_close(fftn[..., :6], rfftn, check_stride=False)
two_ffts = torch.fft.fft(torch.fft.rfft(t, dim=1), dim=0)
torch.testing.assert_close(rfftn, two_ffts, check_stride=False)
