"""Retrieval evaluation (``python -m eval``) and performance benchmarks (``python -m eval.bench``)."""
