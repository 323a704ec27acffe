"""``python -m ui``: index a folder (incrementally) and serve the chat on 127.0.0.1, with no share link."""
from __future__ import annotations

import argparse
import sys
import time

from assistant.api import Assistant
from assistant.settings import Settings
from assistant.index.store import IndexUnusable
from embeddings.encoder import DEFAULT_ENCODER


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui", description="法治政府建设年度报告问答 · 网页界面")
    parser.add_argument("--folder", default="seeds")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--encoder", default=DEFAULT_ENCODER)
    parser.add_argument("--index-dir", default=None)
    parser.add_argument("--share", action="store_true", help="create a public Gradio share link (off by default)")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def progress(stage, done, total, detail):
        if total and (done == total or done % 50 == 0):
            print(f"\r{'读取文件' if stage == 'read' else '向量编码'} {done}/{total}", end="", file=sys.stderr)

    try:
        bot = Assistant.from_folder(args.folder, index_dir=args.index_dir, settings=Settings(encoder=args.encoder),
                                    progress=progress)
    except (IndexUnusable, NotADirectoryError, ValueError) as exc:
        print(f"\n错误：{exc}", file=sys.stderr)
        return 2
    print(f"\nindex ready in {time.perf_counter() - started:.1f} s; serving on http://{args.host}:{args.port}",
          file=sys.stderr, flush=True)
    from ui.app import launch

    launch(bot, args.host, args.port, share=args.share)
    return 0


if __name__ == "__main__":
    sys.exit(main())
