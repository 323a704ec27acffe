"""``python -m ui``: index the shipped folder and the user's library (incrementally) and serve the app on
127.0.0.1, with no share link. A busy port is said in a sentence, with the option to choose another."""
from __future__ import annotations

import argparse
import errno
import re
import socket
import sys
import time
from pathlib import Path

from assistant.api import Assistant
from assistant.index.roots import default_library
from assistant.settings import Settings
from embeddings.encoder import DEFAULT_ENCODER, LazyEncoder

SAMPLE = ("全面推进依法行政，严格规范公正文明执法，全年办理行政复议案件一百余件，化解行政争议，"
          "开展法治宣传教育活动，完善重大行政决策程序，加强行政规范性文件合法性审核。") * 2


def port_problem(host: str, port: int) -> str | None:
    """Why the app cannot listen on ``host:port`` (in Chinese, with what to do), or None when it can."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # As the server does: a port left in TIME_WAIT by a stopped server is free to use.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                taken = "已被占用（也许问答界面已经在运行）" if exc.errno == errno.EADDRINUSE else "没有权限使用"
                return (f"端口 {port} {taken}。请换一个端口，例如：python -m ui --port {port + 1}"
                        f"（或 make run PORT={port + 1}）")
            return f"无法在 {host}:{port} 上监听（{exc.strerror or exc}）；请检查 --host 和 --port"
    return None


def _seconds(value: float) -> str:
    return f"{value:.0f} 秒" if value < 90 else f"{value / 60:.1f} 分钟"


class StartupProgress:
    """Indexing progress on stderr. Before embedding, one line with the number of passages and an estimate
    of the time, from timing the encoder on a sample of known length (after warming it up)."""

    def __init__(self, encoder, out=sys.stderr, clock=time.perf_counter):
        self.encoder, self.out, self.clock = encoder, out, clock
        self.started: float | None = None
        self.estimate: float | None = None
        self._last: tuple = ()

    def rate(self) -> float:
        """Characters per second the encoder embeds here, timed on 32 sample passages after 32 to warm up."""
        batch = [SAMPLE[: 150 + 7 * i] for i in range(32)]
        self.encoder.encode_passages(batch)
        begun = self.clock()
        self.encoder.encode_passages(batch)
        return sum(map(len, batch)) / max(self.clock() - begun, 1e-6)

    def __call__(self, stage: str, done: int, total: int, detail: str) -> None:
        if stage == "embed" and done == 0 and total and self.started is None:
            chars = int(re.sub(r"\D", "", detail) or 0) or total * 200
            line = f"需要编码 {total:,} 个段落（{chars:,} 字，编码器 {self.encoder.name}）"
            if total >= 32:
                self.estimate = chars / self.rate()
                line += f"，预计约 {_seconds(self.estimate)}"
            print("\n" + line, file=self.out, flush=True)
            self.started = self.clock()
        # The embedder reports the start and the end of a job both per segment and for the whole job: each once.
        if total and (done == total or done % 50 == 0) and (stage, done, total) != self._last:
            print(f"\r{'读取文件' if stage == 'read' else '向量编码'} {done}/{total}", end="", file=self.out, flush=True)
        self._last = (stage, done, total)
        if stage == "embed" and total and done == total and self.started is not None:
            took = self.clock() - self.started
            said = f"（预计 {_seconds(self.estimate)}）" if self.estimate is not None else ""
            print(f"\n向量编码完成：{total:,} 个段落，用时 {_seconds(took)}{said}", file=self.out, flush=True)
            self.started = None          # a later job (an upload's vectors) is announced afresh


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui", description="法治政府建设年度报告问答 · 网页界面")
    parser.add_argument("--folder", default="seeds", help="the shipped reports (read only; default seeds)")
    parser.add_argument("--library", default=None,
                        help=f"your library of uploads and metadata edits (default {default_library()})")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--encoder", default=DEFAULT_ENCODER)
    parser.add_argument("--index-dir", default=None)
    parser.add_argument("--share", action="store_true", help="create a public Gradio share link (off by default)")
    parser.add_argument("--llm", default=None, metavar="URL",
                        help="your own OpenAI-compatible model server (off by default): it writes the answers, "
                             "each sentence checked against the cited text (key from $GRA_LLM_API_KEY)")
    parser.add_argument("--llm-model", default="", metavar="M", help="the model name to ask that server for")
    args = parser.parse_args(argv)
    busy = port_problem(args.host, args.port)
    if busy:                              # before indexing, which can take a while
        print(f"错误：{busy}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    library = args.library or default_library()
    try:
        settings = Settings(encoder=args.encoder)
        encoder = LazyEncoder(args.encoder)   # loaded by the background embedding, never before the page
        from assistant.api import _llm
        writer = _llm(args.llm, args.llm_model)   # a bad model-server address is said before any indexing
    except ValueError as exc:
        print(f"\n错误：{exc}", file=sys.stderr)
        return 2

    def make(progress):
        try:
            bot = Assistant.from_folder(args.folder, index_dir=args.index_dir, encoder=encoder, settings=settings,
                                        progress=progress, library=library, wait=False,
                                        llm=writer)
        except Exception as exc:          # the page says it too
            print(f"\n错误：{exc}", file=sys.stderr, flush=True)
            raise
        print(f"\n报告已读完，用时 {time.perf_counter() - started:.1f} 秒：现在可以提问（先用关键词检索回答，"
              f"向量完成后自动切换为混合检索）。报告库：{bot.library}", file=sys.stderr, flush=True)
        return bot

    # The page is served at once: it shows the indexing progress and answers as soon as the reports are read.
    from ui.app import launch
    from ui.startup import Startup

    start = Startup(make, settings, also=StartupProgress(encoder), folder=Path(args.folder), library=Path(library),
                    begin=False, llm=writer)
    try:
        # The port first, then the reading: both want the CPU, and the page shows the reading's progress.
        launch(start, args.host, args.port, share=args.share, prevent_thread_lock=True)
        print(f"打开 http://{args.host}:{args.port} （正在读取报告，页面上显示进度）", file=sys.stderr, flush=True)
        start.begin()
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        print("\n已停止。", file=sys.stderr)
    except OSError as exc:                # the port was taken meanwhile
        print(f"错误：{port_problem(args.host, args.port) or exc}", file=sys.stderr)
        return 2
    finally:
        if start.bot is not None:
            start.bot.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
