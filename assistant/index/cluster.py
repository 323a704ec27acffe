"""Indexing on Ray Data (``python -m assistant index DIR --engine ray``): the same index, built by many processes
or machines.

The driver scans and plans exactly as the single-machine update does (same hashes, same keep/add/drop), then
hands the files to add to a Ray dataset, one row per *block* of files in plan order:

    read_block  (CPU tasks)       read, decode, clean, chunk and tokenise each file of the block
    Embedder    (actor pool)      ``map_batches(..., concurrency=workers)``: one encoder per actor, ``threads`` each
    write_block (CPU tasks)       the block becomes one segment, written by :func:`assistant.index.writer.add_reports`
                                  (the single-machine writer), then a journal entry naming it

The driver collects the blocks' results, opens their segments in plan order, and publishes one version naming
them all (so live rows are numbered exactly as a single-machine build numbers them), then merges as that path
does; above ``EXACT_LIMIT`` rows the IVF centroids are trained once on a sample of all new vectors and every
merged segment uses them.

Faults. Ray retries a task and restarts an actor that dies (Ray Data's defaults); a retried block writes a new
segment under a new name, and only the segment whose result reached the driver is named, so no duplicate is
published, and a half-written one only ever exists under a ``.tmp`` name. Until the final publish the live
version is untouched. Each finished block leaves ``ray-journal/<segment>.json``; a run after a driver crash
adopts every journalled segment whose files still have the same hash (checked against its checksums) and
reads only the rest. The journal is removed once the version naming them is live.

The write lock is held for the whole run: one writer per index, as everywhere else.
With ``address`` the driver joins an existing cluster: every node then reads the reports and writes segments
by the same paths, so the report folder and the index folder must be on storage all nodes see (NFS, a
cluster file system); this is checked on every node before anything is read, and refused otherwise.
"""
from __future__ import annotations

import json
import math
import os
import pickle
import secrets
import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from assistant.index.embedding import embed_reports, failure
from assistant.index.indexer import analysis_key, load_existing, no_progress, write_lock
from assistant.index.plan import plan_update
from assistant.index.roots import Roots
from assistant.index.scan import Scanner, fingerprint, read_file, read_sidecar
from assistant.index.segment import Segment, SegmentInfo
from assistant.index.statcache import StatCache
from assistant.index.store import (FileEntry, IndexUnusable, IndexWriteError, Store, _verify_files,
                                   remove_parts, remove_unfinished, write_failure)
from assistant.index.writer import Draft, NewReport, add_reports, compact, new_report, publish
from assistant.ingest.reading import ReadError
from assistant.ingest.report import parse_report
from assistant.settings import Settings
from embeddings.encoder import Encoder, ONNX_NAME, encoder_name, load_encoder
from embeddings.vector_index import EXACT_LIMIT

JOURNAL = "ray-journal"
TASK_CPUS = 0.5         # what a reading or writing task asks of Ray's scheduler
INSTALL_HINT = "--engine ray 需要 Ray：pip install 'gov-report-assistant[cluster]'（或 pip install 'ray[data]'）"


class ClusterUnavailable(IndexUnusable):
    """Ray is missing, the cluster cannot be reached, or its nodes cannot see the index folder."""


@dataclass(frozen=True)
class ClusterOptions:
    """How a Ray build runs.

    Args:
        address: a Ray cluster to join ("auto", "ray://host:10001", "host:6379"); None starts a local Ray.
        workers: embedding actors (one encoder each).
        threads: intra-op threads of each actor's encoder.
        block_files: files per block (one segment each); None: enough blocks to keep every actor busy
            (about four per actor), at most 64 files each.
        batch_size: passages per encoder call inside an actor.

    Example:
        >>> ClusterOptions(workers=2).block_size(5)
        1
    """

    address: str | None = None
    workers: int = 2
    threads: int = 1
    block_files: int | None = None
    batch_size: int = 64

    def __post_init__(self):
        if self.workers < 1 or self.threads < 1:
            raise ValueError(f"workers and threads must be at least 1, got {self.workers} and {self.threads}")
        if self.block_files is not None and self.block_files < 1:
            raise ValueError(f"block_files must be at least 1, got {self.block_files}")

    def block_size(self, files: int) -> int:
        if self.block_files is not None:
            return self.block_files
        return max(1, min(64, math.ceil(files / (4 * self.workers))))


def _ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise ClusterUnavailable(INSTALL_HINT) from exc
    return ray


# -- the stages (run in Ray workers; plain functions of plain values) ------------------------------------

def read_block(row: dict, settings: dict) -> dict:
    """Read, parse and tokenise the files of one block. Each file gives a NewReport without vectors, or the
    reason it is skipped: one bad file costs only itself."""
    conf = Settings.from_dict(settings)
    files = pickle.loads(row["files"])
    out, reports = [], []
    for position, source, digest, cand in files:
        try:
            data = read_file(cand, conf)
            sidecar = read_sidecar(cand, conf)
            if fingerprint(data, sidecar) != digest:
                out.append((position, source, "文件在索引过程中被修改，下次更新时再读取"))
                continue
            overrides, _ = Scanner(cand.root or Path("."), conf).sidecar(sidecar)
            reports.append((position, source, digest, len(data), parse_report(source, data, conf, overrides)))
        except ReadError as exc:
            out.append((position, source, exc.reason))
        except Exception as exc:  # anything else about one file is still about that file only
            out.append((position, source, failure("读取", exc)))
    tokens, _ = embed_reports([r[-1] for r in reports], None, {}, encode=False)
    for (position, source, digest, size, report), result in zip(reports, tokens):
        out.append((position, source, result if isinstance(result, str)
                    else new_report(report, digest, size, result.tokens, None)))
    out.sort(key=lambda item: item[0])
    return {"block": row["block"], "items": pickle.dumps(out)}


def worker_encoder(spec: str, threads: int) -> Encoder:
    """The encoder of one embedding actor, on ``threads`` intra-op threads and no processes of its own."""
    if encoder_name(spec) == ONNX_NAME:
        from embeddings.onnx_e5 import OnnxE5Encoder

        return OnnxE5Encoder(threads=threads, workers=1)
    os.environ["GRA_THREADS"] = str(threads)
    return load_encoder(spec)


class Embedder:
    """A Ray Data actor: one encoder, loaded once, embedding every block it is given."""

    def __init__(self, spec: str, threads: int, batch_size: int):
        self.encoder = worker_encoder(spec, threads)
        self.batch_size = batch_size

    def __call__(self, batch: dict) -> dict:
        items_out = []
        for blob in batch["items"]:
            items = pickle.loads(blob)
            ready = [(i, item) for i, item in enumerate(items) if isinstance(item[2], NewReport)]
            results, _ = embed_reports([item[2].report for _, item in ready], self.encoder, {}, self.batch_size,
                                       tokens=False)
            for (i, (position, source, new)), result in zip(ready, results):
                items[i] = (position, source, result if isinstance(result, str) else replace(new, vectors=result.vectors))
            items_out.append(pickle.dumps(items))
        return {"block": batch["block"], "items": np.array(items_out, dtype=object)}


def write_block(row: dict, index_dir: str, settings: dict, aliases: dict) -> dict:
    """Write one block's reports as one segment (the single-machine writer), then its journal entry."""
    conf = Settings.from_dict(settings)
    items = pickle.loads(row["items"])
    reports = [new for _, _, new in items if isinstance(new, NewReport)]
    skipped = [(source, reason) for _, source, reason in items if isinstance(reason, str)]
    entry = {"block": int(row["block"]), "skipped": skipped, "positions": {s: p for p, s, _ in items},
             "segment": None, "files": {}, "encoded": sum(len(r.report.chunks) for r in reports)}
    if reports:
        written: list[str] = []
        try:
            draft = add_reports(Path(index_dir), None, [], {k: tuple(v) for k, v in aliases.items()}, reports,
                                conf, written)
        except BaseException:
            remove_parts(Path(index_dir), written)
            raise
        entry["segment"] = draft.segments[0].info.to_dict()
        entry["files"] = {name: e.to_dict() for name, e in draft.files.items()}
        _write_journal(Path(index_dir), draft.segments[0].name, entry)
    return {"block": int(row["block"]), "result": json.dumps(entry, ensure_ascii=False)}


def _write_journal(index_dir: Path, segment: str, entry: dict) -> None:
    folder = index_dir / JOURNAL
    folder.mkdir(exist_ok=True)
    tmp = folder / f"{segment}.json.{secrets.token_hex(3)}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(entry, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / f"{segment}.json")


def probe_storage(index_dir: str, folder: str, token: str) -> tuple[str, str]:
    """(this node's address, what it cannot see or ''): run on every node before a cluster build."""
    import socket

    node = socket.gethostname()
    try:
        if (Path(index_dir) / f".probe-{token}").read_text() != token:
            return node, f"索引目录 {index_dir} 中的检查文件内容不同"
    except OSError:
        return node, f"看不到索引目录 {index_dir}"
    if not Path(folder).is_dir():
        return node, f"看不到报告文件夹 {folder}"
    return node, ""


# -- the driver ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Adopted:
    """Blocks an interrupted run finished: their segments and files, and which files they cover."""

    entries: list[dict]
    covered: set[str]


def _adopt(index_dir: Path, wanted: dict[str, str]) -> _Adopted:
    """Journal entries whose files all still have the hash they were read with, and whose segment is intact."""
    folder = index_dir / JOURNAL
    entries, covered = [], set()
    if not folder.is_dir():
        return _Adopted(entries, covered)
    for path in sorted(folder.glob("*.json")):
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            info = SegmentInfo.from_dict(entry["segment"])
            files = entry["files"]
            if not files or any(wanted.get(name) != e["sha256"] or name in covered for name, e in files.items()):
                continue
            _verify_files(index_dir, info.checksums())
            Segment.open(index_dir, info)
        except (OSError, ValueError, KeyError, TypeError, IndexUnusable):
            continue
        entries.append(entry)
        covered.update(entry["files"])
    return _Adopted(entries, covered)


def _connect(ray, options: ClusterOptions):
    if ray.is_initialized():
        return False
    common = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
    try:
        if options.address:
            ray.init(address=options.address, **common)
        else:
            # Local Ray: one CPU per embedding actor, one more for the reading and writing tasks.
            ray.init(num_cpus=options.workers * options.threads + 1, object_store_memory=512 * 2**20, **common)
    except Exception as exc:
        where = f"Ray 集群 {options.address}" if options.address else "本机 Ray"
        raise ClusterUnavailable(f"无法启动或连接{where}（{type(exc).__name__}: {str(exc)[:200]}）") from exc
    return True


def _check_shared(ray, index_dir: Path, folder: Path) -> None:
    """Refuse a cluster whose nodes do not all see the index folder and the report folder by the same paths."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    token = secrets.token_hex(8)
    probe = index_dir / f".probe-{token}"
    probe.write_text(token)
    try:
        check = ray.remote(num_cpus=0)(probe_storage)
        nodes = [n for n in ray.nodes() if n.get("Alive")]
        answers = ray.get([check.options(scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False))
                           .remote(str(index_dir), str(folder), token) for n in nodes], timeout=120)
    finally:
        probe.unlink(missing_ok=True)
    problems = [f"{node}：{why}" for node, why in answers if why]
    if problems:
        raise ClusterUnavailable("集群中有节点无法访问共享存储，未开始索引。--engine ray 加 --address 时，报告文件夹和索引目录"
                                 "必须位于所有节点以同一路径可见的共享存储上（如 NFS）。" + "；".join(problems))


def shared_centroids(segments: Sequence[Segment], sample: int = 65_536, seed: int = 0) -> np.ndarray | None:
    """IVF centroids for all of ``segments`` together (≈4·√n cells, as VectorIndex builds), trained once on a
    random sample of their vectors; None when they hold no more than ``EXACT_LIMIT`` rows."""
    total = sum(seg.rows for seg in segments if seg.vectors is not None)
    if total <= EXACT_LIMIT:
        return None
    import faiss

    nlist = int(round(4 * math.sqrt(total)))
    rng = np.random.default_rng(seed)
    take = []
    for seg in segments:
        if seg.vectors is None or not seg.rows:
            continue
        share = max(1, round(sample * seg.rows / total))
        take.append(np.asarray(seg.vectors.vectors[np.sort(rng.choice(seg.rows, min(share, seg.rows), replace=False))]))
    data = np.ascontiguousarray(np.concatenate(take), dtype=np.float32)
    kmeans = faiss.Kmeans(data.shape[1], nlist, niter=10, spherical=True, seed=seed)
    kmeans.train(data)
    return kmeans.centroids


def build_with_ray(folder: Path | Roots, index_dir: Path, encoder: str, settings: Settings = Settings(),
                   options: ClusterOptions = ClusterOptions(), rebuild: bool = False,
                   progress: Callable[[str, int, int, str], None] = no_progress) -> Store:
    """Bring the index of ``folder`` up to date on Ray Data; the result is the index the single-machine
    :func:`~assistant.index.indexer.update_index` would write (same rows, tokens, statistics and vectors).

    Args:
        encoder: the encoder's spec ("e5-onnx", "hash-256", …); each actor loads its own.
        options: where Ray runs and how the work is cut (see :class:`ClusterOptions`).
        progress: called as progress("ray", blocks done, blocks, detail).

    Raises:
        ClusterUnavailable: Ray missing or unreachable, or storage not shared by all nodes.
        IndexMismatch / IndexCorrupt: an existing index that cannot be refreshed (use ``rebuild``).
        IndexWriteError: the new version could not be written; the live version is unchanged.
    """
    ray = _ray()
    roots = Roots.of(folder)
    index_dir = Path(index_dir).resolve()
    name = encoder_name(encoder)
    settings = Settings.from_dict({**settings.to_dict(), "encoder": name})
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexWriteError(write_failure(index_dir, exc)) from exc
    started = []

    def connect():
        """Ray is started (or joined) only when there is something to read: a no-op update costs no start-up."""
        if not started:
            started.append(_connect(ray, options))
            if options.address:
                _check_shared(ray, index_dir, Path(roots.folder).resolve())

    try:
        with write_lock(index_dir):
            return _run(ray, connect, roots, index_dir, name, encoder, settings, options, rebuild, progress)
    finally:
        if started and started[0]:
            ray.shutdown()


class _Encoderless:
    """What :func:`load_existing` needs of an encoder, without loading one on the driver."""

    loaded = False

    def __init__(self, name: str):
        self.name = name


def _run(ray, connect: Callable[[], None], roots: Roots, index_dir: Path, name: str, spec: str, settings: Settings,
         options: ClusterOptions, rebuild: bool, progress) -> Store:
    remove_unfinished(index_dir)          # .tmp folders of workers killed in an earlier run
    base = None if rebuild else load_existing(index_dir, _Encoderless(name), settings)
    key = analysis_key()
    reread = base is not None and any(base.manifest.get(k) != v for k, v in key.items())
    scanner = Scanner(roots, settings, progress)
    if base is not None:
        scanner.remember(base.stats.entries())
    found, paths, skipped = scanner.scan()
    progress("read", scanner.scanned, scanner.scanned, "")
    hashes = dict(found)
    old = {n: e.sha256 for n, e in base.files.items()} if base else {}
    plan = plan_update(found, old, reread)
    order = {source: i for i, source in enumerate(plan.add)}
    adopted = _adopt(index_dir, {s: hashes[s] for s in plan.add})
    todo = [s for s in plan.add if s not in adopted.covered]
    size = options.block_size(len(todo))
    blocks = [todo[i:i + size] for i in range(0, len(todo), size)]
    entries = list(adopted.entries)
    if blocks:
        connect()
        rows = [{"block": b, "files": pickle.dumps([(order[s], s, hashes[s], paths[s]) for s in files])}
                for b, files in enumerate(blocks)]
        conf = settings.to_dict()
        aliases = {s: list(plan.aliases.get(s, ())) for s in todo if plan.aliases.get(s)}
        ds = ray.data.from_items(rows, override_num_blocks=len(rows))
        # Reading and writing ask for half a CPU, the actors for one: different resources also keep Ray Data
        # from fusing the reading into the actors, so files are read by tasks while the actors embed.
        ds = ds.map(read_block, fn_kwargs={"settings": conf}, num_cpus=TASK_CPUS)
        ds = ds.map_batches(Embedder, fn_constructor_kwargs={"spec": spec, "threads": options.threads,
                                                              "batch_size": options.batch_size},
                            batch_size=1, compute=ray.data.ActorPoolStrategy(size=options.workers),
                            num_cpus=options.threads)
        ds = ds.map(write_block, fn_kwargs={"index_dir": str(index_dir), "settings": conf, "aliases": aliases},
                    num_cpus=TASK_CPUS)
        progress("ray", 0, len(blocks), "")
        for done, row in enumerate(ds.iter_rows(), 1):
            entries.append(json.loads(row["result"]))
            progress("ray", done, len(blocks), "")
    for entry in entries:
        for source, reason in entry.get("skipped", []):
            skipped.extend((n, reason) for n in (source,) + plan.aliases.get(source, ()))
    entries = [e for e in entries if e.get("segment")]
    entries.sort(key=lambda e: min(order[s] for s in e["files"]))
    keep = list(plan.keep)
    files = {n: replace(base.files[n], aliases=plan.aliases.get(n, ())) for n in keep} if base else {}
    segments = list(base.segments) if base else []
    new = []
    for entry in entries:
        seg = Segment.open(index_dir, SegmentInfo.from_dict(entry["segment"]))
        new.append(seg)
        for source, data in entry["files"].items():
            files[source] = FileEntry.from_dict(source, data)
    segments.extend(new)
    reembedded = sum(int(e.get("encoded", 0)) for e in entries if e not in adopted.entries)   # this run's only
    if base is not None and not rebuild and not reread and not new and not plan.drop and \
            {n: e.aliases for n, e in files.items()} == {n: e.aliases for n, e in base.files.items()}:
        return base.with_skipped(skipped, [])
    dims = {seg.vectors.dim for seg in new if seg.vectors is not None}
    dim = dims.pop() if dims else (base.manifest.get("dim") if base is not None else None)
    extra = {**key, **roots.to_dict(), "skipped": [list(s) for s in skipped], "reembedded": reembedded,
             "notes": [], "engine": "ray",
             "generation": max(time.time_ns(), (base.generation + 1) if base is not None else 0)}
    written: list[str] = []
    try:
        draft = compact(index_dir, Draft(segments, files), settings, written,
                        centroids=shared_centroids)
        stats = (base.stats if base is not None else StatCache(index_dir)).updated(scanner.known())
        store = publish(index_dir, draft, name, dim, settings, extra, written, stats)
    except OSError as exc:
        remove_parts(index_dir, written)
        raise IndexWriteError(write_failure(index_dir, exc)) from exc
    shutil.rmtree(index_dir / JOURNAL, ignore_errors=True)   # every journalled segment is now named or garbage
    return store
