"""``python -m eval.bench_scale``: no-op start, one-report update, memory and query latency at ~100k chunks.

A synthetic corpus (``eval.synthetic``) is indexed once with stand-in passage vectors under the real
encoder's name (embedding 100k chunks for real takes hours on 2 cores; what is measured here is the index,
not the encoder). Every task then runs in a fresh process on that index and prints one JSON line, and
every figure is a median of repeats next to its reference measured in the same process:

- ``start``: ``Store.load`` vs a no-op ``update_index`` (what every start does), and the bytes written;
- ``memory``: RSS (anonymous and file-backed) after load, after the encoder, after the first ``ask``;
- ``query``: bm25/dense/hybrid p50/p95 and a question about a year no report covers;
- ``update``: adding one report (real encoder) vs ``Store.load`` and vs embedding that report alone.

Results go to ``benchmarks/scale.json`` and ``benchmarks/scale.md``.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

from eval.bench import ROOT, SEEDS, StandIn, du_mb, mode_latencies, new_reports, pct, queries_for, run_child


MODULE = "eval.bench_scale"


def rss() -> dict:
    """This process's resident memory now, in MB: total, anonymous and file-backed (mmap'd index files)."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


def tree(folder: Path) -> dict:
    """Every file under ``folder`` with its size and mtime: equal before and after means nothing was written."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def _encoder():
    from embeddings.encoder import DEFAULT_ENCODER, load_encoder

    return load_encoder(DEFAULT_ENCODER)


def task_build(size: int, work: Path) -> dict:
    from assistant.index.indexer import update_index
    from assistant.settings import Settings
    from eval.synthetic import write_corpus

    started = time.perf_counter()
    info = write_corpus(SEEDS, work / "corpus", size)
    write_s = time.perf_counter() - started
    real = _encoder()
    started = time.perf_counter()
    store = update_index(work / "corpus", work / "index", StandIn(real.dim, real.name), Settings())
    (work / "regions.json").write_text(json.dumps(info["regions"], ensure_ascii=False))
    return {"task": "build", "chunks": len(store), "files": info["files"], "corpus_s": write_s,
            "index_s": time.perf_counter() - started, "index_mb": du_mb(work / "index"),
            "segments": len(store.segments)}


def task_start(work: Path, repeats: int) -> dict:
    from assistant.index.indexer import update_index
    from assistant.index.store import Store
    from assistant.settings import Settings

    real = _encoder()
    standin = StandIn(real.dim, real.name)     # a no-op start embeds nothing; the stand-in proves it cheaply
    before = tree(work / "index")
    loads, starts = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        store = Store.load(work / "index", real.name, real.dim)
        loads.append(time.perf_counter() - t)
        del store
        t = time.perf_counter()
        store = update_index(work / "corpus", work / "index", standin, Settings())
        starts.append(time.perf_counter() - t)
        del store
    after = tree(work / "index")
    changed = [k for k in set(before) | set(after) if before.get(k) != after.get(k)]
    written = sum(after[k][0] for k in changed if k in after)
    ratios = [s / l for s, l in zip(starts, loads)]
    return {"task": "start", "repeats": repeats, "load_s": statistics.median(loads),
            "noop_start_s": statistics.median(starts), "ratio": statistics.median(ratios),
            "runs_load": loads, "runs_start": starts, "files_changed": len(changed), "bytes_written": written}


def task_memory(work: Path) -> dict:
    from assistant import Assistant

    import jieba

    base = rss()
    real = _encoder()
    real.encode_queries(["行政复议"])          # the encoder's and jieba's own arenas are not the index's
    jieba.initialize()
    with_encoder = rss()
    t = time.perf_counter()
    bot = Assistant.from_folder(work / "corpus", index_dir=work / "index", encoder=real)
    start_s = time.perf_counter() - t
    loaded = rss()
    bot.ask(queries_for(_regions(work))[0])
    asked = rss()
    chunks = len(bot.store)
    return {"task": "memory", "chunks": chunks, "start_s": start_s, "python_mb": base,
            "encoder_mb": with_encoder, "loaded_mb": loaded, "first_ask_mb": asked,
            "index_anon_kb_per_chunk": (loaded["RssAnon"] - with_encoder["RssAnon"]) * 1024 / chunks,
            "anon_after_ask_kb_per_chunk": (asked["RssAnon"] - with_encoder["RssAnon"]) * 1024 / chunks}


def _regions(work: Path) -> list[tuple[str, int]]:
    return [tuple(r) for r in json.loads((work / "regions.json").read_text())]


def task_query(work: Path, repeats: int) -> dict:
    from assistant import Assistant

    real = _encoder()
    bot = Assistant.from_folder(work / "corpus", index_dir=work / "index", encoder=real)
    queries = queries_for(_regions(work))
    out = {"task": "query", "chunks": len(bot.store), "queries": len(queries), "repeats": repeats,
           "index_kind": bot.store.vectors.kind}
    out.update(mode_latencies(bot.search, queries, repeats))
    # A year no synthetic report covers (they run 2015-2025): scoped by the year index, not a text scan.
    year_q = "2031年行政复议情况如何？"
    bot.search(year_q, 5)
    years, plain = [], []
    for _ in range(max(5, repeats * 5)):
        t = time.perf_counter()
        bot.search(year_q, 5)
        years.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        bot.search("行政复议情况如何？", 5)
        plain.append((time.perf_counter() - t) * 1000)
    out["year_uncovered_p50_ms"], out["same_without_year_p50_ms"] = pct(years, 50), pct(plain, 50)
    return out


def task_update(work: Path, repeats: int) -> dict:
    from assistant.index.indexer import update_index
    from assistant.index.store import Store
    from assistant.settings import Settings

    real = _encoder()
    adds, loads, embeds, sizes, written = [], [], [], [], []
    for name, text, texts in new_reports(repeats):
        t = time.perf_counter()
        real.encode_passages(texts)
        embeds.append(time.perf_counter() - t)
        t = time.perf_counter()
        Store.load(work / "index", real.name, real.dim)
        loads.append(time.perf_counter() - t)
        before = tree(work / "index")
        (work / "corpus" / name).write_text(text, encoding="utf-8")
        t = time.perf_counter()
        store = update_index(work / "corpus", work / "index", real, Settings())
        adds.append(time.perf_counter() - t)
        after = tree(work / "index")
        written.append(sum(size for k, (size, _) in after.items() if before.get(k) != after[k]))
        sizes.append(len(texts))
        assert store.manifest["reembedded"] == len(texts)
    for r in range(repeats):                   # leave the corpus as it was, so a kept --work can be run again
        (work / "corpus" / f"added_{r}.txt").unlink()
    update_index(work / "corpus", work / "index", real, Settings())
    return {"task": "update", "chunks": len(store), "repeats": repeats, "added_chunks": sizes,
            "add_s": statistics.median(adds), "load_s": statistics.median(loads),
            "embed_alone_s": statistics.median(embeds),
            "ratio_to_load": statistics.median([a / l for a, l in zip(adds, loads)]),
            "ratio_to_embed": statistics.median([a / e for a, e in zip(adds, embeds)]),
            "bytes_written": written, "runs_add": adds, "runs_load": loads, "runs_embed": embeds}


def markdown(r: dict) -> str:
    m, b, s, mem, q, u = (r[k] for k in ("machine", "build", "start", "memory", "query", "update"))
    return "\n".join([
        f"# Scale ({m['cores']} cores, {m['cpu']}, Python {m['python']}; query encoder {r['encoder']})", "",
        f"`{r['command']}`, {r['started']}. {b['chunks']} chunks in {b['files']} synthetic reports, stand-in passage "
        f"vectors; index {b['index_mb']:.0f} MB on disk ({b['index_s']:.0f} s to build without embedding).", "",
        "| figure | value | reference in the same run | ratio |", "|---|---|---|---|",
        f"| no-op start (median of {s['repeats']}) | {s['noop_start_s']:.3f} s | Store.load {s['load_s']:.3f} s | "
        f"{s['ratio']:.2f} |",
        f"| bytes written by the no-op starts | {s['bytes_written']} ({s['files_changed']} files) | | |",
        f"| add one report ({u['added_chunks'][0]}… chunks, median of {u['repeats']}) | {u['add_s']:.2f} s | "
        f"Store.load {u['load_s']:.3f} s / embedding it alone {u['embed_alone_s']:.2f} s | "
        f"{u['ratio_to_load']:.1f} / {u['ratio_to_embed']:.2f} |",
        f"| bytes written per added report | {statistics.median(u['bytes_written']) / 1024:.0f} KB | index "
        f"{b['index_mb']:.0f} MB | |",
        f"| RSS after load | {mem['loaded_mb']['VmRSS']:.0f} MB (anon {mem['loaded_mb']['RssAnon']:.0f}, file "
        f"{mem['loaded_mb']['RssFile']:.0f}) | python + encoder + jieba {mem['encoder_mb']['VmRSS']:.0f} MB | |",
        f"| RSS after the first ask | {mem['first_ask_mb']['VmRSS']:.0f} MB (anon {mem['first_ask_mb']['RssAnon']:.0f}) "
        f"| | |",
        f"| anonymous memory the index adds | {mem['anon_after_ask_kb_per_chunk']:.2f} KB/chunk after the first ask "
        f"({mem['index_anon_kb_per_chunk']:.2f} after load) | | |",
        f"| bm25 p50 / p95 | {q['bm25_p50_ms']:.1f} / {q['bm25_p95_ms']:.1f} ms | | |",
        f"| dense p50 / p95 ({q['index_kind']}) | {q['dense_p50_ms']:.1f} / {q['dense_p95_ms']:.1f} ms | | |",
        f"| hybrid p50 / p95 | {q['hybrid_p50_ms']:.1f} / {q['hybrid_p95_ms']:.1f} ms | | |",
        f"| a year no report covers, p50 | {q['year_uncovered_p50_ms']:.1f} ms | the same question without the "
        f"year {q['same_without_year_p50_ms']:.1f} ms | "
        f"{q['year_uncovered_p50_ms'] / q['same_without_year_p50_ms']:.2f} |", ""])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_scale", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="chunks in the synthetic corpus")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--work", default="", help="keep the corpus and index here (reused when present)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--task", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        work = Path(args.work)
        tasks = {"build": lambda: task_build(args.size, work), "start": lambda: task_start(work, args.repeats),
                 "memory": lambda: task_memory(work), "query": lambda: task_query(work, args.repeats),
                 "update": lambda: task_update(work, args.repeats)}
        print(json.dumps(tasks[args.task](), ensure_ascii=False))
        return 0
    from embeddings.encoder import DEFAULT_ENCODER
    from eval.evaluate import machine

    work = Path(args.work or ROOT / "benchmarks" / f"scale-{args.size}")
    common = ["--work", str(work), "--repeats", str(args.repeats), "--size", str(args.size)]
    results = {"machine": machine(), "encoder": DEFAULT_ENCODER, "started": time.strftime("%Y-%m-%d %H:%M:%S"),
               "command": "python -m eval.bench_scale " + " ".join(argv or sys.argv[1:])}
    if not (work / "regions.json").exists():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    results["build"] = run_child("--task", "build", *common, module=MODULE) if not (work / "build.json").exists() else \
        json.loads((work / "build.json").read_text())
    (work / "build.json").write_text(json.dumps(results["build"]))
    for task in ("start", "memory", "query", "update"):    # update last: it adds reports to the corpus
        results[task] = run_child("--task", task, *common, module=MODULE)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"scale-{args.size}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    (out / f"scale-{args.size}.md").write_text(markdown(results))
    print(markdown(results))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
