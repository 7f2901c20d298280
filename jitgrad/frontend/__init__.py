"""The Tensor front end: the Tensor class (``tensor``, with ``tensor_meta``,
``tensor_conversion``, ``tensor_messages``), the constructors (``creation``, ``_tensor_data``),
the op runners (the elementwise dispatch ``pointwise.run``/``apply``, reductions, movement,
indexing, linalg...), forward deferral (``lazy``, ``pending``) and node recording
(``recording``). Above fusion and the engine, below the public API. See
docs/how-jitgrad-works.md, section 9."""
