"""The Tensor front end: the op runners (the elementwise dispatch ``pointwise.run``/``apply``,
reductions, movement, indexing, linalg...), forward deferral (``lazy``, ``pending``) and node
recording (``recording``). Above fusion and the engine, below the public API; the Tensor
class itself is ``jitgrad/frontend/tensor.py``. See docs/how-jitgrad-works.md, section 9."""
