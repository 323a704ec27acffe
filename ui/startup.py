"""The page is served before the index is ready: the reports are read in a background thread while the
status line shows files read, passages, vectors and an ETA; answers come from BM25 as soon as the reports
are read, and from hybrid search once every passage has its vector.

Example:
    >>> start = Startup(lambda progress: Assistant.from_folder("seeds", wait=False, progress=progress))  # doctest: +SKIP
    >>> start.bot or start.status_text()                                                                # doctest: +SKIP
"""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from assistant.api import Assistant
from assistant.settings import Settings

Progress = Callable[[str, int, int, str], None]


def seconds_text(value: float) -> str:
    return f"{value:.0f} 秒" if value < 90 else f"{value / 60:.1f} 分钟"


class Startup:
    """Builds the Assistant in a background thread, recording how far reading has got.

    Args:
        make: builds the Assistant, reporting through the progress callback it is given (it should pass
            ``wait=False``, so it returns once the reports are read and BM25-indexed).
        settings: the settings the page needs before the Assistant exists (upload size limit).
        also: another progress callback to call too (the terminal's).
        folder, library: the folders, named on the page before the Assistant exists.
        begin: start reading at once; False waits for :meth:`begin`.
    """

    def __init__(self, make: Callable[[Progress], Assistant], settings: Settings | None = None,
                 also: Progress | None = None, folder: Path | None = None, library: Path | None = None,
                 begin: bool = True, llm=None):
        self.settings = settings or Settings()
        self.llm = llm      # the LLM writer the Assistant will get: the page shows its setting before the index is ready
        self.folder, self.library = Path(folder or "."), (Path(library) if library else None)
        self.bot: Assistant | None = None
        self.error: BaseException | None = None
        self.stage, self.done, self.total = "start", 0, 0
        self.started = time.monotonic()
        self._also = also
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(make,), name="startup-index", daemon=True)
        if begin:
            self.begin()

    def begin(self) -> None:
        """Start reading (``begin=False`` lets the server open its port first: both need the CPU)."""
        self.started = time.monotonic()
        self._thread.start()

    @classmethod
    def ready(cls, bot: Assistant) -> "Startup":
        """A Startup already done (the app built over an Assistant that exists)."""
        self = cls.__new__(cls)
        self.settings, self.bot, self.error = bot.settings, bot, None
        self.folder, self.library = bot.folder, bot.library
        self.stage, self.done, self.total, self.started = "done", 0, 0, time.monotonic()
        self._also, self._ready = None, threading.Event()
        self._ready.set()
        return self

    def _progress(self, stage: str, done: int, total: int, detail: str) -> None:
        if self.bot is None:
            self.stage, self.done, self.total = stage, done, total
        if self._also is not None:
            self._also(stage, done, total, detail)

    def _run(self, make) -> None:
        try:
            self.bot = make(self._progress)
        except BaseException as exc:  # shown on the page and in the terminal; the server stays up
            self.error = exc
        finally:
            self._ready.set()

    def wait(self, timeout: float | None = None) -> Assistant | None:
        """The Assistant once the reports are read (None after ``timeout`` seconds or on failure)."""
        self._ready.wait(timeout)
        return self.bot

    @property
    def indexing(self) -> bool:
        """True while reading, or while vectors are still being embedded."""
        if self.bot is None:
            return self.error is None
        s = self.bot.status()
        return s["mode"] != "hybrid" and (s["embedding"] or s["vectors_done"] < s["vectors_total"])

    def status_text(self) -> str:
        """The page's status line (Markdown)."""
        if self.error is not None:
            return f"✗ 建立索引失败：{self.error}"
        if self.bot is None:
            if self.stage == "read" and self.total:
                took = time.monotonic() - self.started
                eta = took / self.done * (self.total - self.done) if self.done else None
                left = f"，约 {seconds_text(eta)}" if eta is not None else ""
                return (f"正在读取报告：**{self.done}/{self.total}** 个文件{left}。读完后即可提问"
                        "（先用关键词检索 BM25 回答）。")
            return "正在读取报告……读完后即可提问。"
        return bot_status(self.bot)


def bot_status(bot: Assistant) -> str:
    """Counts, the age of the index, the vectors' progress and which search answers now."""
    s = bot.status()
    age = s["index_age_s"]
    age_text = f"{age:.0f} 秒前" if age < 60 else (f"{age / 60:.0f} 分钟前" if age < 3600 else f"{age / 3600:.1f} 小时前")
    skipped = f" · 跳过 {s['skipped']} 个文件" if s["skipped"] else ""
    line = f"已索引 **{s['reports']}** 份报告、**{s['chunks']}** 个段落 · 索引更新于 {age_text}{skipped}"
    if s["mode"] == "hybrid":
        return line + " · 混合检索（关键词 + 向量）"
    if s["embedding_error"]:
        return line + f" · 向量编码中断（{s['embedding_error']}），目前用关键词检索（BM25）回答"
    eta = f"，约 {seconds_text(s['embedding_eta_s'])}" if s["embedding_eta_s"] else ""
    return (line + f" · 向量 **{s['vectors_done']}/{s['vectors_total']}**{eta} · 现在用关键词检索（BM25）回答，"
            "向量完成后自动切换为混合检索")


class LiveAssistant:
    """The Assistant of a Startup for code written against an Assistant: each attribute waits until the
    reports are read (a chat or library action asked meanwhile is answered then, from BM25)."""

    def __init__(self, start: Startup):
        self._start = start

    def __getattr__(self, name):
        bot = self._start.wait()
        if bot is None:
            raise RuntimeError(f"建立索引失败：{self._start.error}")
        return getattr(bot, name)
