"""Benchmarks: each prints its ratio against a bare-Temporal baseline run in the same process."""
