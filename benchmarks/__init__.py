"""Benchmarks: scripts run by hand (see README.md in this folder); shared helpers beside them."""
