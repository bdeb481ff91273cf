"""Cross-checks of the voting kernels against reference libraries (pref_voting)."""
