"""BM25 over jieba tokens, built with bm25s and saved as its plain .npy/.json files."""
from __future__ import annotations

from pathlib import Path

import numpy as np


class LexicalIndex:
    """BM25 (Lucene variant) over pre-tokenised documents.

    Example:
        >>> index = LexicalIndex.build([["行政", "复议"], ["法律", "援助"]])
        >>> int(index.scores(["复议"]).argmax())
        0
    """

    def __init__(self, model, size: int):
        self._model = model
        self.size = size

    @classmethod
    def build(cls, documents: list[list[str]]) -> "LexicalIndex":
        import bm25s

        model = bm25s.BM25()
        if documents:
            # bm25s needs at least one token per document to keep row numbers aligned.
            model.index([doc or ["\u0000"] for doc in documents], show_progress=False)
        return cls(model, len(documents))

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every document for the query (zeros for unknown words)."""
        if self.size == 0:
            return np.zeros(0, dtype=np.float32)
        known = [t for t in query_tokens if t in self._model.vocab_dict]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)

    def rows_with(self, tokens: list[str]) -> np.ndarray:
        """Rows whose tokens include every one of ``tokens`` (none when a token is not in the vocabulary)."""
        if self.size == 0 or not tokens:
            return np.zeros(0, dtype=np.int64)
        rows = None
        for token in dict.fromkeys(tokens):
            if token not in self._model.vocab_dict:
                return np.zeros(0, dtype=np.int64)
            found = np.flatnonzero(np.asarray(self._model.get_scores([token])) > 0)
            rows = found if rows is None else np.intersect1d(rows, found, assume_unique=True)
        return rows

    def save(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if self.size:
            self._model.save(str(folder), show_progress=False)
        (folder / "size.txt").write_text(str(self.size))

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        import bm25s

        folder = Path(folder)
        size = int((folder / "size.txt").read_text())
        if size == 0:
            return cls(bm25s.BM25(), 0)
        model = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
        return cls(model, size)
