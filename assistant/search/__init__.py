"""Question → Hits: filters from the question, BM25 and dense search, fusion."""
