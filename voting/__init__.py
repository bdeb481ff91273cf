"""Pure tally kernels over numpy arrays: no I/O, no database, no clock, no web."""
