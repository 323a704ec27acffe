"""The page before the index is ready: reading progress, then BM25 answers, then the switch to hybrid."""
import threading

import pytest

from assistant import Assistant, Settings
from ui.startup import LiveAssistant, Startup

pytestmark = pytest.mark.unit

REPORT = "海盛区2022年法治政府建设年度报告\n一、主要举措\n1.化解行政争议。全年办理行政复议案件41件。\n"


def test_status_follows_reading_then_vectors_then_hybrid(tmp_path):
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "hs.txt").write_text(REPORT, encoding="utf-8")
    gate, reading = threading.Event(), threading.Event()

    def make(progress):
        progress("read", 2, 5, "")
        reading.set()
        gate.wait(30)
        return Assistant.from_folder(tmp_path / "r", index_dir=tmp_path / "i", settings=Settings(encoder="hash-64"),
                                     progress=progress, wait=False)

    start = Startup(make, begin=False)
    assert start.bot is None and "正在读取报告" in start.status_text()
    start.begin()
    assert reading.wait(30)
    assert "**2/5** 个文件" in start.status_text() and start.indexing
    gate.set()
    bot = start.wait(60)
    assert bot is not None
    live = LiveAssistant(start)
    assert live.ask("海盛区行政复议案件有多少件？").found          # answers as soon as the reports are read
    bot.wait_for_vectors(60)
    assert "混合检索" in start.status_text() and not start.indexing


def test_a_failed_start_is_said_and_the_handlers_say_why(tmp_path):
    def make(progress):
        raise ValueError("索引由另一个编码器建立")

    start = Startup(make)
    assert start.wait(30) is None
    assert "建立索引失败" in start.status_text() and "另一个编码器" in start.status_text()
    with pytest.raises(RuntimeError, match="建立索引失败"):
        LiveAssistant(start).ask("问题")


def test_bm25_mode_is_said_with_the_vectors_left(tmp_path):
    from ui.startup import bot_status

    class Bot:
        def status(self):
            return {"reports": 3, "chunks": 120, "index_age_s": 5, "skipped": 0, "mode": "bm25",
                    "embedding_error": "", "embedding_eta_s": 95.0, "vectors_done": 40, "vectors_total": 120}

    line = bot_status(Bot())
    assert "向量 **40/120**" in line and "1.6 分钟" in line and "关键词检索（BM25）" in line
