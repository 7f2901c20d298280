"""jitgrad.frontend."""
