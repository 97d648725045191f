"""Benchmarks (`make bench`): our tools against their peers, in one run, as medians and ratios."""
