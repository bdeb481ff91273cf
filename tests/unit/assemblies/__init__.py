"""unit tests of the pure rules of general assemblies."""
