"""``python -m eval.bench_sessions_profile``: where one ``/chat`` turn's time goes on the server.

The app runs in this process over a copy of seeds/ (one client, turns one after another, so nothing queues);
each step of a turn is timed by wrapping it: Gradio's preprocess (the history sent back), the handler (split
into the answer itself, ``Assistant.ask`` through the conversation, and the HTML rendering), Gradio's postprocess,
and what is left of the client's round trip (queue, SSE, JSON, the client). ``--cprofile`` also prints the
handler thread's top functions. Figures are medians per turn; bytes are the JSON the server sends back.

Example:
    python -m eval.bench_sessions_profile --encoder hash-256 --turns 40
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import io
import json
import pstats
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Steps:
    """Wall and thread-CPU milliseconds per named step, per turn (thread-safe)."""

    def __init__(self):
        self.wall, self.cpu = defaultdict(list), defaultdict(list)
        self.lock = threading.Lock()

    def add(self, name: str, wall: float, cpu: float) -> None:
        with self.lock:
            self.wall[name].append(wall * 1000)
            self.cpu[name].append(cpu * 1000)

    def wrap(self, name: str, fn):
        if asyncio.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def timed_async(*args, **kwargs):
                t, c = time.perf_counter(), time.thread_time()
                try:
                    return await fn(*args, **kwargs)
                finally:
                    self.add(name, time.perf_counter() - t, time.thread_time() - c)
            return timed_async

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            t, c = time.perf_counter(), time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - t, time.thread_time() - c)
        return timed

    def table(self) -> list[dict]:
        return [{"step": k, "calls": len(v), "median_ms": statistics.median(v), "total_ms": sum(v),
                 "cpu_median_ms": statistics.median(self.cpu[k])} for k, v in self.wall.items()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_sessions_profile", description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default="hash-256", help="hash-256 (default: the app's own cost) or e5-onnx")
    parser.add_argument("--turns", type=int, default=40, help="turns, in chains of 5 follow-ups")
    parser.add_argument("--cprofile", action="store_true", help="also print the handler's top 25 functions")
    parser.add_argument("--cprofile-gradio", action="store_true",
                        help="print the top 30 functions of Gradio's own work per turn (the event loop's thread)")
    parser.add_argument("--out", default=None, help="write the figures as JSON here")
    args = parser.parse_args(argv)

    import gradio.blocks as blocks
    from gradio_client import Client

    import ui.app as app_module
    import ui.session as session_module
    from assistant.api import Assistant
    from eval.bench import CHAINS

    steps = Steps()
    work = Path(tempfile.mkdtemp(prefix="profile-chat-"))
    folder = work / "seeds"
    shutil.copytree(ROOT / "seeds", folder, ignore=shutil.ignore_patterns(".index"))
    bot = Assistant.from_folder(folder, encoder=args.encoder)
    # The handler's own steps: the answer (through the conversation) and each piece of HTML.
    session_module.Session.ask = steps.wrap("handler: Session.ask (the answer)", session_module.Session.ask)
    for name in ("answer_html", "sources_html", "chat_history", "user_message"):
        setattr(app_module, name, steps.wrap(f"handler: {name}", getattr(app_module, name)))
    # Gradio's steps around it.
    for name in ("preprocess_data", "postprocess_data", "call_function", "process_api"):
        setattr(blocks.Blocks, name, steps.wrap(f"gradio: {name}", getattr(blocks.Blocks, name)))
    profiler = cProfile.Profile() if args.cprofile else None
    if profiler is not None:
        real = app_module.Session.ask

        def profiled(self, *a, **k):
            profiler.enable()
            try:
                return real(self, *a, **k)
            finally:
                profiler.disable()
        app_module.Session.ask = profiled
    loop_profiler = cProfile.Profile() if args.cprofile_gradio else None
    if loop_profiler is not None:
        api = blocks.Blocks.process_api

        async def profiled_api(*a, **k):
            loop_profiler.enable()      # turns come one at a time: only this turn's work runs meanwhile
            try:
                return await api(*a, **k)
            finally:
                loop_profiler.disable()
        blocks.Blocks.process_api = profiled_api
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo = app_module.build_app(bot)
    demo.queue(default_concurrency_limit=16)
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False, ssl_verify=False)
        client.predict(CHAINS[0][0], [], "全部", "全部", api_name="/chat")       # warm up
        for store in (steps.wall, steps.cpu):
            store.clear()
        round_trips, sizes = [], []
        history = []
        for i in range(args.turns):
            chain = CHAINS[(i // 5) % len(CHAINS)]
            if i % 5 == 0:
                history = []
            t = time.perf_counter()
            history, sources, _ = client.predict(chain[i % 5], history, "全部", "全部", api_name="/chat")
            round_trips.append((time.perf_counter() - t) * 1000)
            sizes.append(len(json.dumps([history, sources], ensure_ascii=False).encode("utf-8")))
    finally:
        demo.close()
        bot.close()
        shutil.rmtree(work, ignore_errors=True)
    rows = steps.table()
    out = {"encoder": args.encoder, "turns": args.turns, "round_trip_median_ms": statistics.median(round_trips),
           "reply_bytes_median": statistics.median(sizes), "reply_bytes_last_of_chain": sizes[4::5],
           "steps": rows}
    print(f"{args.turns} turns, encoder {args.encoder}: client round trip median {out['round_trip_median_ms']:.1f} ms, "
          f"reply {out['reply_bytes_median'] / 1024:.1f} KB median (5th turn of a chain: "
          f"{statistics.median(sizes[4::5] or sizes) / 1024:.1f} KB)")
    print(f"{'step':45s} {'calls':>5s} {'median ms':>10s} {'cpu ms':>8s}")
    for r in sorted(rows, key=lambda r: -r["median_ms"]):
        print(f"{r['step']:45s} {r['calls']:5d} {r['median_ms']:10.2f} {r['cpu_median_ms']:8.2f}")
    if profiler is not None:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
        print(text.getvalue())
    if loop_profiler is not None:
        text = io.StringIO()
        pstats.Stats(loop_profiler, stream=text).sort_stats("tottime").print_stats(30)
        print(text.getvalue())
    if args.out:
        Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
