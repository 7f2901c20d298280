"""Op declarations: each elementwise op once (expression and derivatives), the registry,
the saved record's fields. The code that runs them is in ``jitgrad.frontend``."""
