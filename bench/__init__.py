"""Benchmarks of imgkernel against its peers; run ``python -m bench.speed`` (or ``make bench``)."""
