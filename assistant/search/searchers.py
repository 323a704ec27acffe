"""The searchers a retriever composes: BM25 over jieba tokens, dense FAISS search, and their fusion."""
from __future__ import annotations

import re

import numpy as np

from assistant import lexicon
from assistant.index.store import Store
from assistant.search.fusion import Ranked, rrf, weighted
from assistant.search.question import PLANS, PROBLEMS, Question
from assistant.settings import Settings
from embeddings.encoder import Encoder


def top_k(scores: np.ndarray, rows: np.ndarray | None, k: int) -> Ranked:
    """The ``k`` best of a full score vector, restricted to ``rows`` when given."""
    if rows is not None:
        sub = scores[rows]
        order = np.argsort(-sub, kind="stable")[:k]
        return Ranked.of(rows[order], sub[order])
    k = min(k, len(scores))
    if k == 0:
        return Ranked.empty()
    part = np.argpartition(-scores, k - 1)[:k]
    order = part[np.argsort(-scores[part], kind="stable")]
    return Ranked.of(order, scores[order])


def ranked(scores: dict[int, float]) -> Ranked:
    """A row → score mapping as a ranking, best first; ties keep the mapping's order."""
    best = sorted(scores.items(), key=lambda kv: -kv[1])
    return Ranked.of([r for r, _ in best], [s for _, s in best])


class LexicalSearcher:
    """BM25 over the question's jieba tokens; rows with no matching word are left out.

    Example:
        >>> LexicalSearcher(store).search(analyze("行政复议"), 5)       # doctest: +SKIP
    """

    def __init__(self, store: Store):
        self.store = store

    def search(self, question: Question, k: int, rows: np.ndarray | None = None) -> Ranked:
        # Without a filter the place names are the only words that find a place's report; with one, every
        # passage in scope holds them.
        tokens = list(question.tokens) + (list(question.place_tokens) if rows is None else [])
        if rows is None:
            # Every posting scored: LexicalIndex.top (MaxScore pruning, exact) measured slower than this at 100k
            # and 1M synthetic chunks (python -m eval.bench_cluster --only bm25), so it is not used here.
            found = top_k(self.store.lexical.scores(tokens), None, k)
        else:                   # only the rows in scope: their postings looked up, the same scores bit for bit
            sub = self.store.lexical.scores_at(tokens, rows)
            order = np.argsort(-sub, kind="stable")[:k]
            found = Ranked.of(rows[order], sub[order])
        keep = found.scores > 0
        return Ranked(found.rows[keep], found.scores[keep])


class DenseSearcher:
    """Cosine search of the question's embedding in the FAISS index.

    Example:
        >>> DenseSearcher(store, encoder).search(analyze("行政复议"), 5)  # doctest: +SKIP
    """

    def __init__(self, store: Store, encoder: Encoder):
        self.store = store
        self.encoder = encoder

    def search(self, question: Question, k: int, rows: np.ndarray | None = None) -> Ranked:
        qvec = self.encoder.encode_queries([question.text])[0]
        found = self.store.vectors.search(qvec, k, rows)
        return Ranked(found.ids, found.scores)


class HybridSearcher:
    """A dense and a sparse searcher fused by RRF or weighted scores, as pyserini's HybridSearcher.

    A problems or plans question gets a bonus for passages under such a section.

    Example:
        >>> HybridSearcher(DenseSearcher(store, enc), LexicalSearcher(store)).search(q, 5)  # doctest: +SKIP
    """

    SECTIONS = {PROBLEMS: re.compile(lexicon.PROBLEMS_HEADING), PLANS: re.compile(lexicon.PLANS_HEADING)}

    def __init__(self, dense: DenseSearcher, sparse: LexicalSearcher, settings: Settings = Settings()):
        self.dense = dense
        self.sparse = sparse
        self.settings = settings

    def search(self, question: Question, k: int, rows: np.ndarray | None = None) -> tuple[Ranked, Ranked]:
        """(fused ranking, the dense ranking whose cosines the hits report), each over ``k`` candidates."""
        lexical = self.sparse.search(question, k, rows)
        dense = self.dense.search(question, k, rows)
        fused = self.section_bonus(self.fuse(lexical, dense), question)
        return ranked(fused), dense

    def fuse(self, lexical: Ranked, dense: Ranked) -> dict[int, float]:
        if self.settings.fusion == "rrf":
            return rrf([lexical, dense], self.settings.rrf_k)
        w = self.settings.dense_weight
        return weighted([lexical, dense], [1 - w, w])

    def section_bonus(self, fused: dict[int, float], question: Question) -> dict[int, float]:
        pattern = self.SECTIONS.get(question.section)
        if pattern is None:
            return fused
        bonus = 1.0 / (self.settings.rrf_k + 1) if self.settings.fusion == "rrf" else 0.5
        chunks = self.sparse.store.chunks
        return {row: s + (bonus if pattern.search(chunks[row].section) else 0.0) for row, s in fused.items()}
