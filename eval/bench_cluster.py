"""Benchmarks of issue 24: BM25 pruning at 100k and 1M synthetic chunks, `--engine ray` against the single-machine
indexer, and one update's write cost by number of files.

    python -m eval.bench_cluster --only bm25 --bm25-sizes 100000 1000000
    python -m eval.bench_cluster --only ray --copies 4
    python -m eval.bench_cluster --only manifest --files 10000 100000

Each writes ``benchmarks/cluster.json`` and ``cluster.md`` (tasks not re-run keep their figures). Every figure is
a median next to its reference taken in the same run, with the load average of this shared machine at the time.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
KEEP = 0.7          # each word of a chunk is kept in a synthetic row with this probability


def load() -> float:
    return round(os.getloadavg()[0], 1)


def _templates() -> list[list[str]]:
    """The jieba tokens of every chunk of the seed and generalisation reports (what synthetic rows recombine)."""
    from assistant.index.tokens import tokenize
    from assistant.ingest.report import index_text, parse_report

    out = []
    folders = [ROOT / "seeds", ROOT / "eval" / "generalisation" / "reports"]
    for folder in folders:
        for path in sorted(folder.glob("*.txt")):
            report = parse_report(path.name, path.read_bytes())
            out.extend(tokenize(index_text(report.meta, c)) for c in report.chunks)
    return out


def synthetic_postings(size: int, folder: Path, seed: int = 0):
    """A segment's postings for ``size`` rows: each row a real chunk's words (each kept with probability KEEP) plus
    a district and a year of its own,
    built straight as arrays (jieba on a million rows would take hours) and saved, then memory-mapped."""
    from assistant.index.postings import Postings, Vocabulary
    from eval.synthetic import districts

    rng = np.random.default_rng(seed)
    templates = _templates()
    places = sorted({d for _, d in districts()})
    years = [f"{y}年" for y in range(2015, 2026)]
    vocab_words = sorted({w for t in templates for w in t})
    extra = sorted((set(places) | set(years)) - set(vocab_words))
    words = sorted(set(vocab_words) | set(extra))
    wid = {w: i for i, w in enumerate(words)}
    owner_t = rng.integers(0, len(templates), size)
    place_of = rng.integers(0, len(places), size)
    year_of = rng.integers(0, len(years), size)
    rows_by: dict[int, list[np.ndarray]] = {}
    counts_by: dict[int, list[np.ndarray]] = {}
    order = np.argsort(owner_t, kind="stable")
    bounds = np.searchsorted(owner_t[order], np.arange(len(templates) + 1))
    lengths = np.full(size, 2, dtype=np.int32)                   # the district and the year
    for t, tokens in enumerate(templates):
        docs = order[bounds[t]:bounds[t + 1]]
        if not len(docs):
            continue
        for word, count in zip(*np.unique(tokens, return_counts=True)):
            # Each row keeps each word of its chunk with probability KEEP, so no two rows are twins: without it
            # every row would have ~size/1,000 identical copies, ties no real corpus has.
            kept = docs[rng.random(len(docs)) < KEEP]
            rows_by.setdefault(wid[word], []).append(kept)
            counts_by.setdefault(wid[word], []).append(np.full(len(kept), count, dtype=np.uint16))
            lengths[kept] += count
    for names, of in ((places, place_of), (years, year_of)):
        for i, name in enumerate(names):
            docs = np.flatnonzero(of == i)
            rows_by.setdefault(wid[name], []).append(docs)
            counts_by.setdefault(wid[name], []).append(np.ones(len(docs), dtype=np.uint16))
    indptr = np.zeros(len(words) + 1, dtype=np.int64)
    all_rows, all_counts = [], []
    for w in range(len(words)):
        r = np.concatenate(rows_by.get(w, [np.zeros(0, dtype=np.int64)]))
        c = np.concatenate(counts_by.get(w, [np.zeros(0, dtype=np.uint16)]))
        o = np.argsort(r, kind="stable")
        r, c = r[o], c[o]
        if len(r) > 1 and (r[1:] == r[:-1]).any():          # a district named like a word of the text
            u, inv = np.unique(r, return_inverse=True)
            r, c = u, np.bincount(inv, weights=c).astype(np.uint16)
        all_rows.append(r.astype(np.int32))
        all_counts.append(c)
        indptr[w + 1] = indptr[w] + len(r)
    rows, counts = np.concatenate(all_rows), np.concatenate(all_counts)
    postings = Postings(Vocabulary.build(words), indptr, rows, counts, lengths,
                        Postings._peaks(indptr, rows, counts, lengths))
    postings.save(folder)
    return Postings.load(folder)


def gold_queries() -> list[list[str]]:
    from assistant.search.question import analyze

    out = []
    for line in (ROOT / "eval" / "qa.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = analyze(json.loads(line)["question"])
            out.append(list(q.tokens) + list(q.place_tokens))
    return out


def task_bm25(size: int, repeats: int, k: int = 60) -> dict:
    from assistant.index.lexical import LexicalIndex, exhaustive_top

    work = Path(tempfile.mkdtemp(prefix="bench-bm25-"))
    try:
        started = time.perf_counter()
        postings = synthetic_postings(size, work)
        built = time.perf_counter() - started
        index = LexicalIndex([(postings, np.arange(size))], size)
        queries = gold_queries()
        before, after, cpu_before, cpu_after, same = [], [], [], [], 0
        load_at_start = load()
        for _ in range(repeats):
            for tokens in queries:
                t, c = time.perf_counter(), time.process_time()
                ref = exhaustive_top(index.scores(tokens), k)
                before.append(time.perf_counter() - t)
                cpu_before.append(time.process_time() - c)
                t, c = time.perf_counter(), time.process_time()
                got = index.top(tokens, k)
                after.append(time.perf_counter() - t)
                cpu_after.append(time.process_time() - c)
                same += int(ref[0].tolist() == got[0].tolist() and ref[1].tobytes() == got[1].tobytes())
        ms = lambda xs, q: round(1000 * float(np.percentile(xs, q)), 2)
        # The same questions naming one district of the corpus (as most questions name a place): unfiltered,
        # and filtered to that district's rows as the retriever does (scores at those rows only vs all rows).
        from eval.synthetic import districts

        rng = np.random.default_rng(1)
        places = sorted({d for _, d in districts()})
        placed = [tokens + [places[int(rng.integers(len(places)))]] for tokens in queries]
        p_before, p_after, f_before, f_after, p_same, f_same = [], [], [], [], 0, 0
        for tokens in placed:
            c = time.process_time()
            ref = exhaustive_top(index.scores(tokens), k)
            p_before.append(time.process_time() - c)
            c = time.process_time()
            got = index.top(tokens, k)
            p_after.append(time.process_time() - c)
            p_same += int(ref[0].tolist() == got[0].tolist() and ref[1].tobytes() == got[1].tobytes())
            scope = index.rows_with([tokens[-1]])
            c = time.process_time()
            whole = index.scores(tokens[:-1])[scope]
            f_before.append(time.process_time() - c)
            c = time.process_time()
            part = index.scores_at(tokens[:-1], scope)
            f_after.append(time.process_time() - c)
            f_same += int(whole.tobytes() == part.tobytes())
        return {"placed_exhaustive_cpu_p50_ms": ms(p_before, 50), "placed_pruned_cpu_p50_ms": ms(p_after, 50),
                "placed_identical": f"{p_same}/{len(placed)}",
                "filtered_all_rows_cpu_p50_ms": ms(f_before, 50), "filtered_scope_cpu_p50_ms": ms(f_after, 50),
                "filtered_identical": f"{f_same}/{len(placed)}","size": size, "k": k, "queries": len(queries), "repeats": repeats, "postings": int(len(postings.rows)),
                "build_s": round(built, 1), "exhaustive_p50_ms": ms(before, 50), "exhaustive_p95_ms": ms(before, 95),
                "pruned_p50_ms": ms(after, 50), "pruned_p95_ms": ms(after, 95),
                "speedup_p50": round(float(np.median(before)) / float(np.median(after)), 1),
                # CPU time of this process: on a machine shared by many, wall time is mostly waiting for a core.
                "exhaustive_cpu_p50_ms": ms(cpu_before, 50), "pruned_cpu_p50_ms": ms(cpu_after, 50),
                "identical": f"{same}/{len(queries) * repeats}", "load": [load_at_start, load()]}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _copies(folder: Path, copies: int) -> None:
    folder.mkdir(parents=True)
    for i in range(copies):
        for seed in sorted((ROOT / "seeds").glob("*.txt")):
            (folder / f"{i:02d}_{seed.name}").write_text(seed.read_text(encoding="utf-8") + f"\n（第{i}份副本）\n",
                                                         encoding="utf-8")


def ray_startup_s() -> float:
    """Wall time of starting a local Ray, running a trivial dataset through a 2-actor pool, and shutting down."""
    import ray

    class Echo:
        def __call__(self, batch):
            return batch

    t = time.perf_counter()
    ray.init(num_cpus=3, include_dashboard=False, log_to_driver=False, configure_logging=False,
             object_store_memory=512 * 2**20)
    rows = ray.data.from_items([{"i": i} for i in range(4)], override_num_blocks=4)
    list(rows.map_batches(Echo, batch_size=1, compute=ray.data.ActorPoolStrategy(size=2), num_cpus=1).iter_rows())
    ray.shutdown()
    return time.perf_counter() - t


def task_ray(copies: int) -> dict:
    """Index the same corpus (``copies`` × the seeds, e5-onnx) three ways, each into a fresh index."""
    from assistant.index.cluster import ClusterOptions, build_with_ray
    from assistant.index.indexer import update_index
    from assistant.settings import Settings
    from embeddings.encoder import load_encoder

    work = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    try:
        _copies(work / "reports", copies)
        out = {"files": copies * 5, "load": [load()]}
        encoder = load_encoder("e5-onnx")
        encoder.encode_passages(["预热"] * 40)               # the worker processes started, as in a long run
        t = time.perf_counter()
        store = update_index(work / "reports", work / "local", encoder, Settings(encoder=encoder.name))
        out["local_s"] = round(time.perf_counter() - t, 1)
        out["chunks"] = len(store)
        out["load"].append(load())
        out["startup_s"] = round(ray_startup_s(), 1)
        for workers in (1, 2):
            t = time.perf_counter()
            build_with_ray(work / "reports", work / f"ray{workers}", "e5-onnx", options=ClusterOptions(workers=workers))
            out[f"ray{workers}_s"] = round(time.perf_counter() - t, 1)
            out["load"].append(load())
        n = out["chunks"]
        out["local_chunks_s"] = round(n / out["local_s"], 2)
        for w in (1, 2):
            out[f"ray{w}_chunks_s"] = round(n / out[f"ray{w}_s"], 2)
            out[f"ray{w}_chunks_s_after_startup"] = round(n / max(out[f"ray{w}_s"] - out["startup_s"], 1e-3), 2)
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def task_manifest(files: int) -> dict:
    """One update's write at ``files`` indexed files: the version folder the store writes (its manifest lists
    every file), timed and measured in bytes."""
    from assistant.index.indexer import update_index
    from assistant.index.store import write_version
    from assistant.settings import Settings
    from embeddings.encoder import HashEncoder

    work = Path(tempfile.mkdtemp(prefix="bench-manifest-"))
    try:
        seeds = update_index(ROOT / "seeds", work / "seeds-index", HashEncoder(64), Settings(encoder="hash-64"))
        entries = [e.to_dict() for e in seeds.files.values()]      # real entries: each seed report's record
        manifest = {"encoder": "e5", "dim": 384, "segments": [],
                    "files": {f"reports/{i:07d}.txt": dict(entries[i % len(entries)], local=40 * i)
                              for i in range(files)}}
        (work / "segments").mkdir()
        t = time.perf_counter()
        path = write_version(work, manifest)
        seconds = time.perf_counter() - t
        size = sum(p.stat().st_size for p in path.iterdir())
        return {"files": files, "write_s": round(seconds, 2), "bytes": size, "bytes_per_file": round(size / files),
                "load": load()}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def markdown(results: dict) -> str:
    lines = [f"# Issue 24 benchmarks ({results.get('machine', '')})", ""]
    for row in results.get("bm25", []):
        lines.append(f"- BM25 at {row['size']:,} synthetic chunks ({row['postings']:,} postings), top {row['k']}, "
                     f"{row['queries']} gold questions × {row['repeats']}: exhaustive p50 {row['exhaustive_p50_ms']} ms "
                     f"(p95 {row['exhaustive_p95_ms']}), pruned p50 {row['pruned_p50_ms']} ms (p95 {row['pruned_p95_ms']}), "
                     f"{row['speedup_p50']}×; CPU time p50 {row['exhaustive_cpu_p50_ms']} → {row['pruned_cpu_p50_ms']} ms; identical results {row['identical']}; load average {row['load']}")
        if "placed_pruned_cpu_p50_ms" in row:
            lines.append(f"  - the same questions naming a district (CPU p50): unfiltered exhaustive "
                         f"{row['placed_exhaustive_cpu_p50_ms']} ms vs pruned {row['placed_pruned_cpu_p50_ms']} ms "
                         f"(identical {row['placed_identical']}); filtered to the district's rows, scoring all rows "
                         f"{row['filtered_all_rows_cpu_p50_ms']} ms vs only the rows in scope "
                         f"{row['filtered_scope_cpu_p50_ms']} ms (identical {row['filtered_identical']})")
    if "ray" in results:
        r = results["ray"]
        lines.append(f"- Indexing {r['files']} files, {r['chunks']} chunks, e5-onnx: single machine {r['local_s']} s "
                     f"({r['local_chunks_s']} chunks/s); --engine ray 1 worker {r['ray1_s']} s ({r['ray1_chunks_s']} "
                     f"chunks/s, {r['ray1_chunks_s_after_startup']} after start-up); 2 workers {r['ray2_s']} s "
                     f"({r['ray2_chunks_s']} chunks/s, {r['ray2_chunks_s_after_startup']} after start-up); Ray start-up "
                     f"{r['startup_s']} s; load average {r['load']}")
    for row in results.get("manifest", []):
        lines.append(f"- One update's version folder at {row['files']:,} files: {row['bytes'] / 2**20:.1f} MB "
                     f"({row['bytes_per_file']} B/file) in {row['write_s']} s; load average {row['load']}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=["bm25", "ray", "manifest"], default=["bm25", "ray", "manifest"])
    parser.add_argument("--bm25-sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--files", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--copies", type=int, default=4, help="× the 5 seed reports, for the ray task")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks"))
    args = parser.parse_args(argv)
    from eval.evaluate import machine

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "cluster.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    m = machine()
    results["machine"] = f"{m.get('cores', os.cpu_count())} cores, {m.get('cpu', '')}".strip(", ")
    def save():                                       # after every task: a later failure loses nothing
        path.write_text(json.dumps(results, ensure_ascii=False, indent=1))
        (out / "cluster.md").write_text(markdown(results))

    results.setdefault("runs", []).append({"command": "python -m eval.bench_cluster " + " ".join(argv or sys.argv[1:]),
                                           "started": time.strftime("%Y-%m-%d %H:%M:%S")})
    if "bm25" in args.only:
        results["bm25"] = []
        for size in args.bm25_sizes:
            results["bm25"].append(task_bm25(size, args.repeats))
            save()
    if "manifest" in args.only:
        results["manifest"] = []
        for n in args.files:
            results["manifest"].append(task_manifest(n))
            save()
    if "ray" in args.only:
        results["ray"] = task_ray(args.copies)
        save()
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
