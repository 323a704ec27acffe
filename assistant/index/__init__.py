"""Chunks → Store: jieba tokens, BM25, the FAISS vectors and the versioned on-disk index."""
