"""Hybrid retrieval: BM25 over jieba tokens and dense FAISS search, fused by RRF or weighted scores."""
from __future__ import annotations

import re

import numpy as np

from assistant.records import Hit
from assistant.search.filters import Filters, known_short_forms, parse_filters, select_reports
from assistant.settings import Settings
from assistant.index.store import Store
from assistant.index.tokens import tokenize
from assistant.text import normalize
from embeddings.encoder import Encoder

MODES = ("bm25", "dense", "hybrid")

# Questions about problems or plans should land in those sections, which every report has.
_INTENTS = (
    # "存在哪些问题", "有什么不足" — not the 问题 inside "查出问题金额".
    (re.compile(r"(?:存在|有|哪些|什么|主要|突出|面临)[的些]?(?:问题|不足|短板|困难|差距|薄弱)|不足|短板|薄弱环节|"
                r"(?:问题|困难)(?:和|与|及)?(?:不足|困难)?[?？]?$"),
     re.compile(r"问题|不足|困难|差距|短板|薄弱")),
    (re.compile(r"下一步|计划|打算|今后|明年|思路|接下来|将来|未来|(?:工作|什么|哪些)安排"),
     re.compile(r"下一步|计划|打算|安排|思路|展望|今后")),
)


def section_intent(query: str) -> re.Pattern | None:
    """The pattern a section heading should match for a problems or plans question, else None."""
    for asks, heading in _INTENTS:
        if asks.search(query):
            return heading
    return None


def _top(scores: np.ndarray, rows: np.ndarray | None, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k (rows, scores) of a full score vector, restricted to ``rows`` when given."""
    if rows is not None:
        sub = scores[rows]
        order = np.argsort(-sub, kind="stable")[:k]
        return rows[order], sub[order]
    k = min(k, len(scores))
    if k == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    part = np.argpartition(-scores, k - 1)[:k]
    order = part[np.argsort(-scores[part], kind="stable")]
    return order, scores[order]


class Retriever:
    """Searches one Store with one encoder.

    Example:
        >>> retriever = Retriever(store, encoder)                       # doctest: +SKIP
        >>> [h.source for h in retriever.search("肇庆 行政复议", k=3)]      # doctest: +SKIP
    """

    def __init__(self, store: Store, encoder: Encoder, settings: Settings = Settings()):
        self.store = store
        self.encoder = encoder
        self.settings = settings
        self.metas = {s: store.meta(s) for s in store.sources}
        # Per snapshot, not per query: with thousands of reports this is most of a BM25 query's time.
        self.meta_list = list(self.metas.values())
        self.known_short = known_short_forms(self.meta_list)

    def allowed_rows(self, query: str, filters: Filters | None, use_question: bool = True
                     ) -> tuple[np.ndarray | None, Filters, str]:
        """Rows the search may return, the filters in force, and why nothing may match ('' if something may)."""
        found = parse_filters(query, self.meta_list, self.known_short) if use_question else Filters()
        active = found.merge(filters) if filters else found
        if not active:
            return None, active, ""
        sources, year_in_text, reason = select_reports(active, self.metas)
        if reason:
            return np.zeros(0, dtype=np.int64), active, reason
        rows = self.store.rows_of(sources)
        if year_in_text:
            years = [str(y) for y in active.years]
            chunks = self.store.chunks
            rows = np.array([r for r in rows if any(y in normalize(chunks[r].section + chunks[r].text)
                                                    for y in years)], dtype=np.int64)
            if len(rows) == 0:
                where = "、".join(active.regions) or "已索引的报告"
                return rows, active, f"{where}没有覆盖{'、'.join(years)}年的报告，其他年份的报告中也未提及该年"
        if len(rows) == len(self.store):
            return None, active, ""
        return rows, active, ""

    def search(self, query: str, k: int = 5, filters: Filters | None = None, mode: str = "hybrid",
               use_question_filters: bool = True) -> list[Hit]:
        """The ``k`` best passages for ``query``.

        Args:
            query: the question or keywords.
            k: how many hits.
            filters: explicit filters; they win over those read from the question.
            mode: "bm25", "dense" or "hybrid".
            use_question_filters: read region and year filters out of the question.
        """
        return self.search_with_reason(query, k, filters, mode, use_question_filters)[0]

    def search_with_reason(self, query: str, k: int = 5, filters: Filters | None = None, mode: str = "hybrid",
                           use_question_filters: bool = True) -> tuple[list[Hit], Filters, str]:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if len(self.store) == 0:
            return [], filters or Filters(), "索引中还没有报告"
        rows, active, reason = self.allowed_rows(query, filters, use_question_filters)
        if rows is not None and len(rows) == 0:
            return [], active, reason
        n = self.settings.candidates
        lexical: tuple[np.ndarray, np.ndarray] | None = None
        dense: tuple[np.ndarray, np.ndarray] | None = None
        if mode in ("bm25", "hybrid"):
            lexical = _top(self.store.lexical.scores(tokenize(query)), rows, n)
            keep = lexical[1] > 0
            lexical = (lexical[0][keep], lexical[1][keep])
        if mode in ("dense", "hybrid"):
            qvec = self.encoder.encode_queries([normalize(query)])[0]
            found = self.store.vectors.search(qvec, n, rows)
            dense = (found.ids, found.scores)
        if mode == "bm25":
            fused = dict(zip(lexical[0].tolist(), lexical[1].tolist()))
        elif mode == "dense":
            fused = dict(zip(dense[0].tolist(), dense[1].tolist()))
        else:
            fused = self._fuse(lexical, dense)
            intent = section_intent(query)
            if intent is not None:
                bonus = 1.0 / (self.settings.rrf_k + 1) if self.settings.fusion == "rrf" else 0.5
                fused = {row: s + (bonus if intent.search(self.store.chunks[row].section) else 0.0)
                         for row, s in fused.items()}
        best = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        cosine = dict(zip(dense[0].tolist(), dense[1].tolist())) if dense is not None else {}
        return [self.store.hit(row, score, cosine.get(row)) for row, score in best], active, ""

    def _fuse(self, lexical, dense) -> dict[int, float]:
        scores: dict[int, float] = {}
        if self.settings.fusion == "rrf":
            c = self.settings.rrf_k
            for rows, _ in (lexical, dense):
                for rank, row in enumerate(rows.tolist()):
                    scores[row] = scores.get(row, 0.0) + 1.0 / (c + rank + 1)
            return scores
        w = self.settings.dense_weight
        for (rows, values), weight in ((lexical, 1 - w), (dense, w)):
            if len(values) == 0:
                continue
            lo, hi = float(values.min()), float(values.max())
            span = hi - lo or 1.0
            for row, value in zip(rows.tolist(), values.tolist()):
                scores[row] = scores.get(row, 0.0) + weight * (value - lo) / span
        return scores
