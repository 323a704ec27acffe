"""Indexing on Ray Data (`index --engine ray`): the same index as the single-machine path, and its faults.

The slow tests start a local Ray (about 30 s each on 2 shared cores) and embed with e5-onnx.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from assistant.index.cluster import (JOURNAL, ClusterOptions, _adopt, build_with_ray, probe_storage,
                                     shared_centroids)
from assistant.index.store import CURRENT, Store, current_version
from assistant.settings import Settings
from tests.conftest import ROOT, SEEDS

QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "eval" / "qa.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]


def _bags(store: Store) -> list[list[tuple[str, int]]]:
    """Each live row's (word, count) pairs, read back from the segments' postings."""
    rows: list[list[tuple[str, int]]] = [[] for _ in range(len(store))]
    for seg, live in zip(store.segments, store.where.live_of):
        p = seg.postings
        for w, word in enumerate(p.vocab.words()):
            a, b = int(p.indptr[w]), int(p.indptr[w + 1])
            for r, c in zip(p.rows[a:b], p.counts[a:b]):
                if live[r] >= 0:
                    rows[live[r]].append((word, int(c)))
    return [sorted(x) for x in rows]


def _corpus(folder: Path, copies: int) -> list[Path]:
    """``copies`` × the seed reports, each copy made distinct by one closing line (no two files share a hash)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(copies):
        for seed in sorted(SEEDS.glob("*.txt")):
            path = folder / f"{i:02d}_{seed.name}"
            path.write_text(seed.read_text(encoding="utf-8") + f"\n（第{i}份副本）\n", encoding="utf-8")
            out.append(path)
    return out


def _driver(folder: Path, index_dir: Path, workers: int = 2) -> subprocess.Popen:
    """`python -m assistant index --engine ray` in its own process group (so the test can stop all of it)."""
    cmd = [sys.executable, "-m", "assistant", "--encoder", "e5-onnx", "--index-dir", str(index_dir), "index",
           str(folder), "--engine", "ray", "--workers", str(workers)]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_for(condition, proc: subprocess.Popen, limit: float) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"driver ended before the moment to stop it: {proc.stdout.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            raise AssertionError("timed out waiting for the run to get going")
        time.sleep(0.2)


def _journalled(index_dir: Path) -> int:
    folder = index_dir / JOURNAL
    return len(list(folder.glob("*.json"))) if folder.is_dir() else 0


# -- fast --------------------------------------------------------------------------------------------

@pytest.mark.unit
def test_storage_probe_names_what_a_node_cannot_see(tmp_path):
    (tmp_path / ".probe-abc").write_text("abc")
    assert probe_storage(str(tmp_path), str(tmp_path), "abc")[1] == ""
    assert "看不到索引目录" in probe_storage(str(tmp_path / "elsewhere"), str(tmp_path), "abc")[1]
    assert "看不到报告文件夹" in probe_storage(str(tmp_path), str(tmp_path / "nowhere"), "abc")[1]
    (tmp_path / ".probe-abc").write_text("other")
    assert "内容不同" in probe_storage(str(tmp_path), str(tmp_path), "abc")[1]


@pytest.mark.unit
def test_block_size_keeps_every_actor_busy():
    assert ClusterOptions(workers=2).block_size(5) == 1
    assert ClusterOptions(workers=2).block_size(80) == 10
    assert ClusterOptions(workers=2).block_size(10**6) == 64
    assert ClusterOptions(workers=2, block_files=3).block_size(10**6) == 3
    with pytest.raises(ValueError):
        ClusterOptions(workers=0)


@pytest.mark.unit
def test_journal_is_adopted_only_for_unchanged_files_and_intact_segments(tmp_path, tiny_folder):
    """A block an interrupted run finished counts only while its files keep their hash and its segment its checksums."""
    from assistant.index.cluster import _write_journal
    from assistant.index.indexer import update_index
    from embeddings.encoder import HashEncoder

    store = update_index(tiny_folder, tmp_path / "idx", HashEncoder(64), Settings(encoder="hash-64"))
    seg = store.segments[0]
    files = {n: e.to_dict() for n, e in store.files.items()}
    _write_journal(tmp_path / "idx", seg.name, {"segment": seg.info.to_dict(), "files": files, "skipped": []})
    wanted = {n: e.sha256 for n, e in store.files.items()}
    assert _adopt(tmp_path / "idx", wanted).covered == set(wanted)
    one = next(iter(wanted))
    assert _adopt(tmp_path / "idx", {**wanted, one: "changed"}).covered == set()
    chunks = tmp_path / "idx" / "segments" / seg.name / "chunks.jsonl"
    chunks.write_bytes(chunks.read_bytes()[:-1] + b" ")
    assert _adopt(tmp_path / "idx", wanted).covered == set()


@pytest.mark.unit
def test_shared_centroids_trained_once_for_all_segments_above_the_exact_limit(monkeypatch):
    from embeddings import vector_index
    from embeddings.vector_index import VectorIndex

    monkeypatch.setattr("assistant.index.cluster.EXACT_LIMIT", 100)

    class Seg:
        def __init__(self, v):
            self.vectors, self.rows = VectorIndex.build(v), len(v)

    rng = np.random.default_rng(1)
    parts = [rng.normal(size=(n, 16)).astype(np.float32) for n in (300, 200)]
    parts = [p / np.linalg.norm(p, axis=1, keepdims=True) for p in parts]
    centroids = shared_centroids([Seg(p) for p in parts], sample=400)
    assert centroids.shape == (round(4 * np.sqrt(500)), 16)
    assert shared_centroids([Seg(parts[1][:50])]) is None
    # A segment of either size built with them keeps them: its lists agree with every other's.
    index = VectorIndex.build(np.concatenate(parts), exact_limit=100, centroids=centroids)
    assert np.allclose(index.centroids(), centroids)
    assert vector_index.codec_for(10**6) == "sq8" and vector_index.codec_for(10) == "flat"


# -- slow: a local Ray (these need the `cluster` extra, which .ci/run installs) ------------------------

@pytest.mark.slow
def test_an_index_already_up_to_date_starts_no_ray(tmp_path, tiny_folder):
    import ray

    from assistant.index.indexer import update_index
    from embeddings.encoder import HashEncoder

    live = update_index(tiny_folder, tmp_path / "idx", HashEncoder(64), Settings(encoder="hash-64"))
    again = build_with_ray(tiny_folder, tmp_path / "idx", "hash-64", settings=Settings(encoder="hash-64"))
    assert again.version == live.version and not ray.is_initialized()


@pytest.mark.slow
def test_ray_index_answers_exactly_like_the_single_machine_one(tmp_path):
    one = Assistant.from_folder(SEEDS, index_dir=tmp_path / "local", encoder="e5-onnx")
    built = build_with_ray(SEEDS, tmp_path / "ray", "e5-onnx", options=ClusterOptions(workers=2))
    assert built.manifest["engine"] == "ray" and len(built.segments) > 1     # several blocks, one version
    two = Assistant.from_folder(SEEDS, index_dir=tmp_path / "ray", encoder="e5-onnx")
    assert two.store.version == built.version                                # nothing left to do: no write
    a, b = one.store, two.store
    assert [c.to_dict() for c in a.chunks] == [c.to_dict() for c in b.chunks]
    assert _bags(a) == _bags(b)
    assert np.array_equal(a.lexical._norm, b.lexical._norm)
    assert np.abs(a.vectors.vectors - b.vectors.vectors).max() < 1e-5
    for name, entry in a.files.items():
        other = b.files[name]
        assert (entry.sha256, entry.first, entry.count, entry.meta, entry.aliases) == \
               (other.sha256, other.first, other.count, other.meta, other.aliases)
    for question in QUESTIONS:
        for mode in ("bm25", "hybrid"):
            x, y = one.search(question, k=10, mode=mode), two.search(question, k=10, mode=mode)
            assert [(h.source, h.chunk_id) for h in x] == [(h.source, h.chunk_id) for h in y], question
            assert np.allclose([h.score for h in x], [h.score for h in y], atol=1e-6), question
        assert one.ask(question).to_dict() == two.ask(question).to_dict(), question


@pytest.mark.slow
def test_a_killed_worker_is_retried_and_the_index_ends_complete(tmp_path):
    import psutil

    files = _corpus(tmp_path / "reports", 2)
    index_dir = tmp_path / "idx"
    blocks = -(-len(files) // ClusterOptions(workers=2).block_size(len(files)))
    proc = _driver(tmp_path / "reports", index_dir)
    try:
        _wait_for(lambda: _journalled(index_dir) >= 1, proc, 300)
        actors = [p for p in psutil.Process(proc.pid).children(recursive=True)
                  if "Embedder" in " ".join(p.cmdline())]
        assert actors, "no embedding actor found"
        actors[0].send_signal(signal.SIGKILL)
        assert _journalled(index_dir) < blocks, "the run ended before the worker could be stopped"
        out, _ = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, out.decode()[-3000:]
    store = Store.load(index_dir)                                   # every checksum verified
    expected = Assistant.from_folder(tmp_path / "reports", index_dir=tmp_path / "ref", encoder="hash-256").store
    assert sorted(store.files) == sorted(p.name for p in files)
    assert [c.to_dict() for c in store.chunks] == [c.to_dict() for c in expected.chunks]
    names = [seg.name for seg in store.segments]
    assert len(names) == len(set(names))
    on_disk = {p.name for p in (index_dir / "segments").iterdir()}
    named = {part.name for seg in store.segments for part in (seg.info.words, seg.info.vectors)}
    assert on_disk == named                                          # no orphan, duplicate or .tmp segment left
    assert not (index_dir / JOURNAL).exists()


@pytest.mark.slow
def test_a_killed_driver_leaves_the_live_version_and_the_next_run_resumes(tmp_path):
    files = _corpus(tmp_path / "reports", 2)
    index_dir = tmp_path / "idx"
    first = files[:2]
    held = tmp_path / "held"
    held.mkdir()
    for path in files[2:]:
        path.rename(held / path.name)
    before = Assistant.from_folder(tmp_path / "reports", index_dir=index_dir, encoder="e5-onnx").store
    live = current_version(index_dir)
    for path in held.iterdir():
        path.rename(tmp_path / "reports" / path.name)
    proc = _driver(tmp_path / "reports", index_dir)
    try:
        _wait_for(lambda: _journalled(index_dir) >= 2, proc, 300)
        os.killpg(proc.pid, signal.SIGKILL)                          # the driver and the Ray it started
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert current_version(index_dir) == live
    assert sorted(Store.load(index_dir).files) == sorted(before.files)
    done = {name for p in (index_dir / JOURNAL).glob("*.json")
            for name in json.loads(p.read_text(encoding="utf-8"))["files"]}
    assert len(done) >= 2 and len(done) < len(files) - 2
    store = build_with_ray(tmp_path / "reports", index_dir, "e5-onnx", options=ClusterOptions(workers=2))
    assert sorted(store.files) == sorted(p.name for p in files)
    new = set(p.name for p in files) - {p.name for p in first}
    assert store.manifest["reembedded"] == sum(store.files[n].count for n in new - done)   # done ones not redone
    assert (index_dir / CURRENT).read_text().strip() == store.version
    reference = Assistant.from_folder(tmp_path / "reports", index_dir=tmp_path / "ref", encoder="hash-256").store
    by_name = {c.id: c.to_dict() for c in reference.chunks}
    assert sorted(by_name) == sorted(c.id for c in store.chunks)
    assert all(by_name[c.id] == c.to_dict() for c in store.chunks)
