"""Benchmarks (``make bench``); not part of the application or of ``make test``."""
