"""Hand-written ``numba.cuda`` kernels of the CUDA backend (the twin of ``kernels/cpu``).

Every public function here takes and returns numba device arrays (C-contiguous unless a
function says otherwise), allocates its outputs with ``cuda.device_array`` (or writes an
``out=`` given to it), launches on the default stream and never copies to the host, so a
training step built from them has no synchronization but the one its caller asks for.

Nothing in ``import jitgrad`` imports this package: ``numba.cuda`` is imported by the modules
below only when a device code path first needs them, and every kernel is a lazily compiled
``@cuda.jit`` (no signature), so a machine without a GPU or a CUDA toolkit never compiles one.
Each kernel works for float32 and float64; a float32 kernel computes in float32 throughout
(``tests/cuda_sim/ptx_generated.py check`` compiles the cases of
``tests/cuda_sim/ptx_kernels.py`` and requires their PTX to hold no float64 instruction).

Modules: :mod:`.common` (launch helpers, the shared-memory block fold), :mod:`.reduce`
(sum/mean/amax/amin, sum_to_shape), :mod:`.argreduce` (argmax/argmin), :mod:`.matmul`,
:mod:`.rows` (softmax, log_softmax, cross_entropy), :mod:`.norm` (layer_norm), :mod:`.optim`
(SGD, Adam/AdamW steps), :mod:`.memory` (fill, copy, strided gather, cast), :mod:`.windows`
(im2col/col2im, max/average pooling and their adjoints).
"""
