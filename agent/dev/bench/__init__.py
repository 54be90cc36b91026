"""Benchmarks behind `switchboard bench ...`: each prints its figures."""
