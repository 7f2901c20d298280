"""Kernel generation for elementwise programs and the fusion pass built on it."""
