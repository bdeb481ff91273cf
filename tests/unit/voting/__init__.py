"""Unit tests of the voting kernels."""
