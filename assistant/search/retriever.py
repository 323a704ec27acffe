"""Question → Hits: resolve the filters to the rows a search may use, then search BM25, dense or both."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.index.store import Store
from assistant.index.tokens import tokenize
from assistant.ingest.chunking import CLOSING
from assistant.records import Hit
from assistant.search.catalog import Catalog
from assistant.search.filters import Filters, select_reports
from assistant.search.fusion import Ranked
from assistant.search.question import Question
from assistant.search.searchers import DenseSearcher, HybridSearcher, LexicalSearcher
from assistant.settings import Settings
from assistant.text import normalize
from embeddings.encoder import Encoder

MODES = ("bm25", "dense", "hybrid")


@dataclass(frozen=True)
class Retrieval:
    """What one search found.

    ``filters`` are the filters in force (the question's, overridden by explicit ones); ``reason``
    says why nothing could match; ``year_in_text`` is True when no report of the region covers the
    year asked about, so only passages that mention that year were searched.
    """

    hits: list[Hit] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)
    reason: str = ""
    year_in_text: bool = False
    notices: tuple[str, ...] = ()
    sources: tuple[str, ...] | None = None   # the reports in scope (None: every report)
    mode: str = ""                           # the retrieval mode that ran ("bm25" until vectors are complete)


@dataclass(frozen=True)
class Scope:
    """The rows a search may use (None: all), under which filters, why none may match, and what the answer
    must say first (a filter that contradicts the question, a label that is a guess)."""

    rows: np.ndarray | None
    filters: Filters
    reason: str = ""
    year_in_text: bool = False
    notices: tuple[str, ...] = ()
    sources: tuple[str, ...] | None = None


class Retriever:
    """Searches one Store with one encoder; holds the snapshot's Catalog.

    Example:
        >>> retriever = Retriever(store, encoder)                                  # doctest: +SKIP
        >>> q = analyze("肇庆 行政复议", retriever.catalog)                         # doctest: +SKIP
        >>> [h.source for h in retriever.retrieve(q, k=3).hits]                     # doctest: +SKIP
    """

    def __init__(self, store: Store, encoder: Encoder, settings: Settings = Settings()):
        self.store = store
        self.settings = settings
        # Per snapshot, not per query: with thousands of reports this is most of a BM25 query's time.
        self.catalog = Catalog({s: store.meta(s) for s in store.sources})
        self.lexical = LexicalSearcher(store)
        self.dense = DenseSearcher(store, encoder)
        self.hybrid = HybridSearcher(self.dense, self.lexical, settings)

    @property
    def dense_ready(self) -> bool:
        """Whether every passage has its vector, so dense and hybrid search see them all."""
        return self.store.vectors.complete

    @property
    def mode(self) -> str:
        """The mode a hybrid search runs in: "hybrid", or "bm25" while vectors are being embedded."""
        return "hybrid" if self.dense_ready else "bm25"

    def reports(self) -> list[str]:
        """Every indexed report, in index order."""
        return list(self.catalog.metas)

    def passages(self, source: str) -> list[Hit]:
        """Every passage of one report, in reading order (for answers that need a whole section or report)."""
        return [self.store.hit(int(row), 0.0) for row in self.store.rows_of([source])]

    def containing(self, words: list[str], sources: list[str] | None = None) -> list[Hit]:
        """Passages of ``sources`` (or of every report) whose heading or text holds every one of ``words``,
        found through the BM25 postings, then checked on the folded text."""
        rows = self.store.lexical.rows_with([t for w in words for t in tokenize(w)])
        if sources is not None:
            rows = np.intersect1d(rows, self.store.rows_of(sources))
        chunks = self.store.chunks
        return [self.store.hit(int(r), 0.0) for r in rows
                if all(w in normalize(chunks[r].section + "\n" + chunks[r].text) for w in words)]

    def scope(self, question: Question, filters: Filters | None = None, use_question: bool = True) -> Scope:
        """The rows a search for ``question`` may return. Explicit ``filters`` fill in what the question does
        not name; where they contradict it, the question wins and the answer says so."""
        asked = Filters.of(question) if use_question else Filters()
        active = asked.merge(filters)
        notices = tuple(asked.conflicts(filters))
        if not active:
            return Scope(None, active, notices=notices)
        chosen = select_reports(active, self.catalog.metas)
        notices += chosen.notices
        if chosen.reason:
            return Scope(np.zeros(0, dtype=np.int64), active, chosen.reason, notices=notices, sources=())
        sources = tuple(chosen.sources)
        rows = self.store.rows_of(chosen.sources)
        if chosen.year_in_text:
            years = [str(y) for y in active.years]
            rows = self.store.rows_mentioning(list(active.years), rows)   # looked up, not scanned
            if len(rows) == 0:
                where = "、".join(active.region_labels()) or "已索引的报告"
                return Scope(rows, active, f"{where}没有覆盖{'、'.join(years)}年的报告，其他年份的报告中也未提及该年",
                             True, notices, sources)
        if len(rows) == len(self.store):
            return Scope(None, active, "", chosen.year_in_text, notices, sources)
        return Scope(rows, active, "", chosen.year_in_text, notices, sources)

    def retrieve(self, question: Question, k: int = 5, filters: Filters | None = None, mode: str = "hybrid",
                 use_question_filters: bool = True) -> Retrieval:
        """The ``k`` best passages for ``question``.

        Args:
            question: the analysed question (see :func:`assistant.search.question.analyze`).
            k: how many hits.
            filters: explicit filters; they win over those the question names.
            mode: "bm25", "dense" or "hybrid".
            use_question_filters: restrict to the regions and years the question names.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if not self.dense_ready:
            mode = "bm25"       # vectors are still being embedded: answer from the words meanwhile
        if len(self.store) == 0:
            return Retrieval([], filters or Filters(), "索引中还没有报告")
        scope = self.scope(question, filters, use_question_filters)
        if scope.rows is not None and len(scope.rows) == 0:
            return Retrieval([], scope.filters, scope.reason, scope.year_in_text, scope.notices, scope.sources)
        n = self.settings.candidates
        dense = Ranked.empty()
        if mode == "bm25":
            best = self.lexical.search(question, n, scope.rows)
        elif mode == "dense":
            best = dense = self.dense.search(question, n, scope.rows)
        else:
            best, dense = self.hybrid.search(question, n, scope.rows)
        cosine = dense.as_dict()
        chunks = self.store.chunks
        # Signature and date lines are indexed but answer nothing.
        ranked = [(r, s) for r, s in zip(best.rows.tolist(), best.scores.tolist()) if chunks[r].path != (CLOSING,)]
        hits = [self.store.hit(row, score, cosine.get(row)) for row, score in ranked[:k]]
        return Retrieval(hits, scope.filters, "", scope.year_in_text, scope.notices, scope.sources, mode)
