"""jitgrad.engine."""
