"""BM25 answers before the vectors: ``wait=False`` answers at once, fills vectors in behind, ends where ``wait=True`` does."""
from __future__ import annotations

import threading

import pytest

from assistant import Assistant, Settings
from assistant.index.store import Store
from embeddings.encoder import HashEncoder, LazyEncoder
from tests.conftest import REPORT_A, REPORT_B

pytestmark = pytest.mark.unit

QUESTION = "西湖区2021年行政复议纠错率是多少？"


class GatedEncoder(HashEncoder):
    """The hash encoder, embedding passages only once ``gate`` is set (queries go through at once)."""

    def __init__(self):
        super().__init__(64)
        self.gate = threading.Event()

    def encode_passages(self, texts):
        assert self.gate.wait(30), "the gate was never opened"
        return super().encode_passages(texts)


def _hits(bot: Assistant, mode: str = "hybrid") -> list[tuple[str, str]]:
    return [(h.source, h.text) for h in bot.search("行政复议 纠错率", k=5, mode=mode)]


def test_no_wait_answers_from_bm25_then_turns_hybrid(tiny_folder, tmp_path):
    enc = GatedEncoder()
    bot = Assistant.from_folder(tiny_folder, index_dir=tmp_path / "fast", encoder=enc, wait=False)
    status = bot.status()
    assert status["mode"] == "bm25" and status["vectors_done"] == 0 and status["chunks"] > 0
    assert bot.ask(QUESTION).found                       # answered while no passage has a vector
    enc.gate.set()
    assert bot.wait_for_vectors(30)
    status = bot.status()
    assert status["mode"] == "hybrid" and status["vectors_done"] == status["chunks"]
    assert status["embedding_error"] == ""

    full = Assistant.from_folder(tiny_folder, index_dir=tmp_path / "full", encoder=HashEncoder(64))
    assert _hits(bot) == _hits(full)                     # the same index as the deterministic default


def test_interrupted_embedding_resumes_on_the_next_start(tiny_folder, tmp_path):
    enc = GatedEncoder()
    index_dir = tmp_path / "index"
    bot = Assistant.from_folder(tiny_folder, index_dir=index_dir, encoder=enc, wait=False)
    bot.close()
    enc.gate.set()
    bot.wait_for_vectors(30)
    again = Assistant.from_folder(tiny_folder, index_dir=index_dir, encoder=HashEncoder(64))
    assert again.status()["mode"] == "hybrid" and not again.store.pending
    assert Store.load(index_dir).pending == []


def test_an_upload_is_searchable_by_bm25_at_once(tiny_folder, tmp_path):
    enc = GatedEncoder()
    enc.gate.set()
    bot = Assistant.from_folder(tiny_folder, index_dir=tmp_path / "index", encoder=enc)
    enc.gate.clear()
    (tiny_folder / "copy.txt").write_text(REPORT_A.replace("西湖区", "滨江区"), encoding="utf-8")
    bot.refresh(wait=False)
    assert "copy.txt" in bot.store.files and bot.status()["mode"] == "bm25"
    assert any(h.source == "copy.txt" for h in bot.search("滨江区 行政复议", k=5))
    enc.gate.set()
    assert bot.wait_for_vectors(30) and bot.status()["mode"] == "hybrid"


def test_lazy_encoder_names_itself_without_loading():
    enc = LazyEncoder("hash-64")
    assert enc.name == "hash-64" and not enc.loaded
    assert enc.encode_queries(["行政复议"]).shape == (1, 64) and enc.loaded


def test_merge_compacts_segments_and_keeps_results(tiny_folder, tmp_path):
    index_dir = tmp_path / "index"
    bot = Assistant.from_folder(tiny_folder, index_dir=index_dir, encoder=HashEncoder(64))
    (tiny_folder / "b2.txt").write_text(REPORT_B.replace("武侯区", "锦江区"), encoding="utf-8")
    bot.refresh()
    before = _hits(bot)
    bot.merge()
    assert len(bot.store.segments) == 1
    assert _hits(bot) == before
    assert _hits(Assistant.from_folder(tiny_folder, index_dir=index_dir, encoder=HashEncoder(64))) == before


# -- starts that read nothing -------------------------------------------------------------------

def _count_reads(monkeypatch) -> list:
    from assistant.index import indexer, scan

    reads = []
    real = scan.read_file

    def counting(cand, settings):
        reads.append(cand.source)
        return real(cand, settings)

    monkeypatch.setattr(scan, "read_file", counting)
    monkeypatch.setattr(indexer, "read_file", counting)
    return reads


def test_an_unchanged_folder_is_not_read_again(tiny_folder, tmp_path, monkeypatch):
    from assistant.index import scan

    monkeypatch.setattr(scan, "RACY_NS", 0)       # the fixture's files are fresh; trust their stat at once
    index_dir = tmp_path / "index"
    Assistant.from_folder(tiny_folder, index_dir=index_dir, encoder=HashEncoder(64))
    reads = _count_reads(monkeypatch)
    bot = Assistant.from_folder(tiny_folder, index_dir=index_dir, encoder=HashEncoder(64))
    assert reads == [] and bot.ask(QUESTION).found
    text = (tiny_folder / "xihu.txt").read_text(encoding="utf-8")
    (tiny_folder / "xihu.txt").write_text(text.replace("215件", "216件"), encoding="utf-8")   # same size
    bot.refresh()
    assert set(reads) == {"xihu.txt"}                   # hashed and read again; wuhou.txt not at all
    assert any("216件" in h.text for h in bot.search("西湖区 行政复议申请", k=3))


def test_files_changed_just_before_the_scan_are_hashed_again(tiny_folder, tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    Assistant.from_folder(tiny_folder, index_dir=index_dir, encoder=HashEncoder(64))
    assert Store.load(index_dir).stats.entries() == []    # both files were written a moment ago
    reads = _count_reads(monkeypatch)
    Assistant.from_folder(tiny_folder, index_dir=index_dir, encoder=HashEncoder(64))
    assert sorted(set(reads)) == ["wuhou.txt", "xihu.txt"]
