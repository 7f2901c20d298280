"""The autograd engine: grad and fusion modes, nodes, hooks, saved-tensor hooks and the one
backward sweep (``sweep``). Below fusion (which plugs its planner and replay cache into
``sweep.ABOVE``) and the Tensor front end; ``jitgrad.autograd`` is the public API over it.
See docs/how-jitgrad-works.md, section 9."""
