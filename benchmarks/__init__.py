"""Benchmarks: each ``bench_*.py`` measures a target against a baseline in the same run."""
