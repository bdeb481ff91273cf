"""Reproducible performance runs; `make bench` writes benchmarks/results.md."""
