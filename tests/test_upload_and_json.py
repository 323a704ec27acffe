"""Uploads without Gradio, the one JSON form of answers and hits, and an index that notices a lexicon change."""
import json

import pytest

from assistant import Assistant, lexicon
from assistant.__main__ import main
from tests.conftest import REPORT_B, CountingEncoder
from ui.upload import receive, upload

pytestmark = pytest.mark.unit



def test_receive_refuses_other_formats_and_big_files(tmp_path):
    folder = tmp_path / "reports"
    (tmp_path / "a.exe").write_bytes(b"MZ")
    (tmp_path / "big.txt").write_text("x" * 3000)
    (tmp_path / "ok.txt").write_text("一、做法\n内容。")
    got = receive([tmp_path / "a.exe", tmp_path / "big.txt", tmp_path / "ok.txt"], folder, max_mb=0.001)
    assert got.added == ["library/ok.txt"] and (folder / "ok.txt").exists()
    assert any("a.exe" in n and "不支持" in n for n in got.notes) and any("big.txt" in n and "过大" in n for n in got.notes)


def test_upload_indexes_and_reports_each_file(hash_bot, tmp_path):
    (tmp_path / "wuhou2.txt").write_text(REPORT_B.replace("3120件", "4120件"), encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    message = upload(hash_bot, [tmp_path / "wuhou2.txt", tmp_path / "empty.txt"], lambda *a: None)
    assert "✓ library/wuhou2.txt（成都市武侯区 2022年） 已加入索引" in message
    assert "✗ library/empty.txt" in message and "library/wuhou2.txt" in hash_bot.store.files
    assert not (hash_bot.folder / "uploads").exists() and (hash_bot.library / "wuhou2.txt").exists()


def test_answer_and_hits_have_one_json_form(hash_bot):
    answer = hash_bot.ask("西湖区2021年行政复议纠错率是多少？")
    data = json.loads(json.dumps(answer.to_dict(), ensure_ascii=False))
    assert data["found"] and data["text"] == answer.text and data["understood"]["intent"] == "figure"
    point = data["points"][0]
    cited = data["citations"][point["citation"] - 1]
    assert "12.6%" in point["quotes"][0] and point["quotes"][0] in cited["quotes"]
    assert cited["source"] == point["source"] == "xihu.txt" and cited["citation"].startswith("xihu.txt › ")


def test_cli_prints_json(tiny_folder, tmp_path, capsys):
    args = ["--encoder", "hash-64", "--index-dir", str(tmp_path / "i")]
    assert main(args + ["ask", "西湖区2021年行政复议纠错率是多少？", "--folder", str(tiny_folder), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["found"] and any("12.6%" in q for p in data["points"] for q in p["quotes"])
    assert main(args + ["search", "法律援助", "--folder", str(tiny_folder), "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and {"source", "section", "citation", "score"} <= set(hits[0])


def test_changed_lexicon_rereads_every_report_and_keeps_vectors(tiny_folder, tmp_path, monkeypatch):
    enc = CountingEncoder()
    bot = Assistant.from_folder(tiny_folder, index_dir=tmp_path / "i", encoder=enc)
    embedded = enc.passages
    monkeypatch.setattr(lexicon, "DOMAIN_WORDS", lexicon.DOMAIN_WORDS + ("复议渠道",))
    import assistant.index.tokens as tokens
    monkeypatch.setattr(tokens, "_tokenizer", None)   # the segmenter reads the domain words when it starts
    bot = Assistant.from_folder(tiny_folder, index_dir=tmp_path / "i", encoder=enc)
    notes = bot.store.manifest["notes"]
    assert notes and "词表" in notes[0] and bot.store.manifest["lexicon"] == lexicon.fingerprint()
    assert enc.passages == embedded                    # same indexed text: vectors reused, nothing re-embedded
    assert len(bot.store.lexical.rows_with(["复议渠道"])) > 0       # the new word is a BM25 token of its passage
    Assistant.from_folder(tiny_folder, index_dir=tmp_path / "i", encoder=enc)
    assert enc.passages == embedded
